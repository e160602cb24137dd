//! DNS messages from the specifications' own examples, and the cases tshark handles specially.

use super::name;
use crate::engine::tvb::Tvb;
use crate::testutil::{dissect_one, dissect_with};

/// Ethernet + IPv4 + UDP (checksum 0) around `payload`, between the given ports.
fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0, 0, 0x5e, 0, 0x53, 0x0a, 0, 0, 0x5e, 0, 0x53, 0x01, 0x08, 0x00,
    ];
    let total = (28 + payload.len()) as u16;
    let mut ip = vec![
        0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 101, 192, 0, 2, 10,
    ];
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    let sum = crate::engine::checksum::internet_checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// RFC 1035 §4.1.4's compression example: F.ISI.ARPA at 20, FOO.F.ISI.ARPA as a label and a
/// pointer to 20, ARPA as a pointer to 26, and the root.
#[test]
fn rfc1035_compression_example() {
    let mut m = vec![0u8; 20];
    m.extend_from_slice(b"\x01F\x03ISI\x04ARPA\x00"); // 20..32
    m.extend_from_slice(b"\x03FOO\xc0\x14"); // 32..38
    m.extend_from_slice(b"\xc0\x1a"); // 38..40
    m.push(0); // 40
    let t = Tvb::new(&m, 0);
    let n = name::read(&t, 20).unwrap();
    assert_eq!((n.text.as_str(), n.used, n.labels), ("F.ISI.ARPA", 12, 3));
    let n = name::read(&t, 32).unwrap();
    assert_eq!((n.text.as_str(), n.used), ("FOO.F.ISI.ARPA", 6));
    assert_eq!(name::read(&t, 38).unwrap().text, "ARPA");
    assert_eq!(name::read(&t, 40).unwrap().text, name::ROOT);
}

#[test]
fn pointer_loops_and_long_names_are_bounded() {
    // A pointer to itself, and a label followed by a pointer back to it.
    let t = Tvb::new(b"\xc0\x00", 0);
    let n = name::read(&t, 0).unwrap();
    assert_eq!((n.text.as_str(), n.used), (name::LOOPS, 2));
    let t = Tvb::new(b"\x01a\xc0\x00", 0);
    assert_eq!(name::read(&t, 0).unwrap().text, name::LOOPS);
    // 253 characters is the longest name; one more is too long.
    let mut m = Vec::new();
    for len in [63, 63, 63, 61] {
        m.push(len as u8);
        m.extend(std::iter::repeat_n(b'x', len));
    }
    m.push(0);
    assert_eq!(name::read(&Tvb::new(&m, 0), 0).unwrap().raw_len, 253);
    m[192] = 62;
    m.insert(193, b'x');
    assert_eq!(
        name::read(&Tvb::new(&m, 0), 0).unwrap().text,
        name::TOO_LONG
    );
    // Reserved label types and names running off the end are errors.
    assert!(name::read(&Tvb::new(b"\x81a\x00", 0), 0).is_err());
    assert!(name::read(&Tvb::new(b"\x05ab", 0), 0).is_err());
}

#[test]
fn labels_are_shown_like_tshark_format_text() {
    let t = Tvb::new(
        b"\x07a b\\c.d\x04\x01\xff\x7f\x09\x05\xc3\xa9t\xc3\xa9\x00",
        0,
    );
    let n = name::read(&t, 0).unwrap();
    assert_eq!(n.text, "a b\\c.d.\\001\u{fffd}\\177\\t.\u{e9}t\u{e9}");
    assert_eq!((n.raw_len, n.labels), (18, 4));
}

/// A query and its response for an A record with EDNS(0) and a cookie, as dig sends them.
#[test]
fn query_and_response_are_matched() {
    let mut q = vec![0x32, 0x12, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1];
    q.extend_from_slice(b"\x06broker\x04home\x04arpa\x00\x00\x01\x00\x01");
    q.extend_from_slice(b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x0c\x00\x0a\x00\x08");
    q.extend_from_slice(&[0xa6, 0x58, 0x62, 0x1e, 0x9c, 0x8a, 0xec, 0x10]);
    let mut e = crate::engine::Engine::with_defaults();
    let p = dissect_with(&mut e, 1, &udp(40000, 53, &q));
    assert_eq!(p.info(), "Standard query 0x3212 A broker.home.arpa OPT");
    assert_eq!(p.show("dns.qry.name"), ["broker.home.arpa"]);
    assert_eq!(p.show("dns.qry.name.len"), ["16"]);
    assert_eq!(p.show("dns.count.labels"), ["3"]);
    assert_eq!(p.show("dns.flags.authenticated"), ["1"]);
    assert_eq!(p.show("dns.rr.udp_payload_size"), ["1232"]);
    assert_eq!(p.show("dns.opt.cookie.client"), ["a6:58:62:1e:9c:8a:ec:10"]);
    assert_eq!(p.show("dns.opt.cookie.server"), [""]);
    let mut r = vec![0x32, 0x12, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    r.extend_from_slice(b"\x06broker\x04home\x04arpa\x00\x00\x01\x00\x01");
    r.extend_from_slice(b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x02\x58\x00\x04\xc0\x00\x02\x14");
    let mut f = udp(53, 40000, &r);
    // Swap the addresses: the response comes from the server.
    let (a, b) = (f[26..30].to_vec(), f[30..34].to_vec());
    f[26..30].copy_from_slice(&b);
    f[30..34].copy_from_slice(&a);
    let p = dissect_with(&mut e, 1, &f);
    assert_eq!(
        p.info(),
        "Standard query response 0x3212 A broker.home.arpa A 192.0.2.20"
    );
    assert_eq!(p.show("dns.a"), ["192.0.2.20"]);
    assert_eq!(p.show("dns.resp.ttl"), ["600"]);
    assert_eq!(p.show("dns.response_to"), ["1"]);
    assert!(!p.has("dns.unsolicited"));
}

/// An mDNS announcement (RFC 6762 §8.3) with cache-flush records and an NSEC (§6.1).
#[test]
fn mdns_announcement() {
    let mut m = vec![0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0];
    m.extend_from_slice(
        b"\x0buplink-peer\x05local\x00\x00\x01\x80\x01\x00\x00\x00\x78\x00\x04\xc0\x00\x02\x0a",
    );
    m.extend_from_slice(
        b"\xc0\x0c\x00\x2f\x80\x01\x00\x00\x00\x78\x00\x08\xc0\x0c\x00\x04\x40\x00\x00\x00",
    );
    let p = dissect_one(1, &udp(5353, 5353, &m));
    assert_eq!(p.packet.protocol_path(), "eth:ethertype:ip:udp:mdns");
    assert_eq!(p.packet.columns.protocol, "MDNS");
    assert_eq!(
        p.info(),
        "Standard query response 0x0000 A, cache flush 192.0.2.10 NSEC, cache flush uplink-peer.local"
    );
    assert_eq!(p.show("dns.resp.cache_flush"), ["1", "1"]);
    assert_eq!(p.show("dns.resp.class"), ["0x0001", "0x0001"]);
    // The NSEC's bit map lists A (bit 1 of window 0) as a type.
    assert_eq!(p.show("dns.resp.type"), ["1", "47", "1"]);
    assert_eq!(p.show("dns.nsec.next_domain_name"), ["uplink-peer.local"]);
}

#[test]
fn srv_svcb_and_caa_records() {
    let mut m = vec![0, 7, 0x81, 0x80, 0, 0, 0, 3, 0, 0, 0, 0];
    m.extend_from_slice(
        b"\x05_mqtt\x04_tcp\x04home\x04arpa\x00\x00\x21\x00\x01\x00\x00\x02\x58\x00\x0f",
    );
    m.extend_from_slice(b"\x00\x00\x00\x0a\x07\x5b\x06broker\xc0\x17");
    m.extend_from_slice(b"\xc0\x32\x00\x41\x00\x01\x00\x00\x02\x58\x00\x15");
    m.extend_from_slice(
        b"\x00\x01\x00\x00\x01\x00\x06\x02h2\x02h3\x00\x04\x00\x04\xc0\x00\x02\x14",
    );
    m.extend_from_slice(b"\xc0\x17\x01\x01\x00\x01\x00\x00\x02\x58\x00\x0b\x00\x05issueca.x");
    let p = dissect_one(1, &udp(53, 40000, &m));
    assert_eq!(p.show("dns.srv.service"), ["_mqtt"]);
    assert_eq!(p.show("dns.srv.proto"), ["_tcp"]);
    assert_eq!(p.show("dns.srv.name"), ["home.arpa"]);
    assert_eq!(p.show("dns.srv.port"), ["1883"]);
    assert_eq!(p.show("dns.srv.target"), ["broker.home.arpa"]);
    assert_eq!(p.show("dns.svcb.targetname"), ["<Root>"]);
    assert_eq!(p.show("dns.svcb.svcparam.alpn"), ["h2", "h3"]);
    assert_eq!(p.show("dns.svcb.svcparam.ipv4hint.ip"), ["192.0.2.20"]);
    assert_eq!(p.show("dns.caa.issue"), ["ca.x"]);
    assert!(p
        .info()
        .contains("SRV 0 10 1883 broker.home.arpa HTTPS CAA"));
}

#[test]
fn truncated_messages_are_malformed_and_extra_bytes_flagged() {
    let mut q = vec![0, 9, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    q.extend_from_slice(b"\x01a\x02bc\x00\x00\x01\x00\x01");
    let full = udp(40000, 53, &q);
    crate::testutil::assert_truncations_are_malformed(1, &full, full.len());
    let mut extra = q.clone();
    extra.extend_from_slice(&[0xde, 0xad]);
    let p = dissect_one(1, &udp(40000, 53, &extra));
    assert_eq!(p.show("dns.extraneous.data"), ["de:ad"]);
    assert!(p.has("dns.extraneous"));
}
