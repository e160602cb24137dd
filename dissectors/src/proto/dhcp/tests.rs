//! DHCP and DHCPv6 messages built from the RFC 2131 §2 and RFC 8415 §8-9 layouts (the RFCs
//! give no example bytes), with the options a gateway's client and server exchange.

use crate::testutil::dissect_one;

/// Ethernet + IPv4 (or IPv6) + UDP around `payload`.
fn udp(v6: bool, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&[0, 0, 0x5e, 0, 0x53, 0x01]);
    let ulen = (8 + payload.len()) as u16;
    if v6 {
        f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0]);
        f.extend_from_slice(&ulen.to_be_bytes());
        f.extend_from_slice(&[17, 1]);
        f.extend_from_slice(&[
            0xfe, 0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0x5e, 0xff, 0xfe, 0, 0x53, 1,
        ]);
        f.extend_from_slice(&[0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
    } else {
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255,
        ];
        ip[2..4].copy_from_slice(&(20 + ulen).to_be_bytes());
        let sum = crate::engine::checksum::internet_checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&ip);
    }
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&ulen.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// A BOOTP request header (RFC 2131 §2) from 00:00:5e:00:53:01 with the magic cookie.
fn bootp(xid: u32) -> Vec<u8> {
    let mut m = vec![1, 1, 6, 0];
    m.extend_from_slice(&xid.to_be_bytes());
    m.extend_from_slice(&[0, 0, 0x80, 0]);
    m.extend_from_slice(&[0; 16]);
    m.extend_from_slice(&[0, 0, 0x5e, 0, 0x53, 0x01]);
    m.extend_from_slice(&[0; 10 + 64 + 128]);
    m.extend_from_slice(&[99, 130, 83, 99]);
    m
}

#[test]
fn discover_with_options() {
    let mut m = bootp(0x5dee130b);
    m.extend_from_slice(&[53, 1, 1]);
    m.extend_from_slice(&[61, 7, 1, 0, 0, 0x5e, 0, 0x53, 0x01]);
    m.extend_from_slice(&[55, 4, 1, 3, 6, 42]);
    m.extend_from_slice(&[12, 4]);
    m.extend_from_slice(b"br01");
    m.extend_from_slice(&[
        119, 11, 4, b'h', b'o', b'm', b'e', 4, b'a', b'r', b'p', b'a', 0,
    ]);
    m.extend_from_slice(&[255, 0, 0, 0]);
    let p = dissect_one(1, &udp(false, 68, 67, &m));
    assert_eq!(p.info(), "DHCP Discover - Transaction ID 0x5dee130b");
    assert_eq!(p.packet.protocol_path(), "eth:ethertype:ip:udp:dhcp");
    assert_eq!(p.show("dhcp.flags.bc"), ["1"]);
    assert_eq!(
        p.show("dhcp.hw.mac_addr"),
        ["00:00:5e:00:53:01", "00:00:5e:00:53:01"]
    );
    assert_eq!(p.show("dhcp.cookie"), ["99.130.83.99"]);
    assert_eq!(p.show("dhcp.server"), [""]);
    // End is listed with option value 0, as tshark does.
    assert_eq!(
        p.show("dhcp.option.type"),
        ["53", "61", "55", "12", "119", "0"]
    );
    assert_eq!(p.show("dhcp.option.dhcp"), ["1"]);
    assert_eq!(
        p.show("dhcp.option.request_list_item"),
        ["1", "3", "6", "42"]
    );
    assert_eq!(p.show("dhcp.option.hostname"), ["br01"]);
    assert_eq!(
        p.show("dhcp.option.dhcp_dns_domain_search_list_fqdn"),
        ["home.arpa"]
    );
    assert_eq!(p.show("dhcp.option.padding"), ["00:00:00"]);
}

#[test]
fn truncated_options_are_malformed() {
    let mut m = bootp(1);
    m.extend_from_slice(&[53, 1, 3, 50, 4, 192, 0]);
    let p = dissect_one(1, &udp(false, 68, 67, &m));
    assert_eq!(
        p.info(),
        "DHCP Request  - Transaction ID 0x1 [Malformed Packet]"
    );
    assert!(p.packet.is_malformed());
}

/// A Solicit as ISC dhclient sends it: client DUID-LLT, option request, elapsed time, IA_NA.
#[test]
fn dhcpv6_solicit_and_reply() {
    let mut m = vec![1, 0xd8, 0xa9, 0x3b];
    m.extend_from_slice(&[
        0, 1, 0, 14, 0, 1, 0, 1, 0x32, 0xa9, 0xa8, 0x29, 0, 0, 0x5e, 0, 0x53, 0x01,
    ]);
    m.extend_from_slice(&[0, 6, 0, 4, 0, 23, 0, 24]);
    m.extend_from_slice(&[0, 8, 0, 2, 0, 0]);
    m.extend_from_slice(&[
        0, 3, 0, 12, 0x5e, 0, 0x53, 0x01, 0, 0, 0x0e, 0x10, 0, 0, 0x15, 0x18,
    ]);
    let p = dissect_one(1, &udp(true, 546, 547, &m));
    assert_eq!(
        p.info(),
        "Solicit XID: 0xd8a93b CID: 0001000132a9a82900005e005301 "
    );
    assert_eq!(p.show("dhcpv6.duid.type"), ["1"]);
    assert_eq!(
        p.show("dhcpv6.duidllt.link_layer_addr"),
        ["00:00:5e:00:53:01"]
    );
    assert_eq!(
        p.show("dhcpv6.duidllt.time"),
        ["Dec  7, 2026 17:23:53.000000000 UTC"]
    );
    assert_eq!(p.show("dhcpv6.requested_option_code"), ["23", "24"]);
    assert_eq!(p.show("dhcpv6.iaid"), ["5e005301"]);
    assert_eq!(p.show("dhcpv6.iaid.t2"), ["5400"]);

    let mut r = vec![7, 0xd8, 0xa9, 0x3b];
    r.extend_from_slice(&[
        0, 3, 0, 40, 0x5e, 0, 0x53, 0x01, 0, 0, 7, 8, 0, 0, 0x0c, 0x4e,
    ]);
    r.extend_from_slice(&[
        0, 5, 0, 24, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x8b,
    ]);
    r.extend_from_slice(&[0, 0, 0x0e, 0x10, 0, 0, 0x0e, 0x10]);
    r.extend_from_slice(&[
        0, 24, 0, 11, 4, b'h', b'o', b'm', b'e', 4, b'a', b'r', b'p', b'a', 0,
    ]);
    r.extend_from_slice(&[0, 13, 0, 9, 0, 0, b's', b'u', b'c', b'c', b'e', b's', b's']);
    let p = dissect_one(1, &udp(true, 547, 546, &r));
    assert_eq!(p.info(), "Reply XID: 0xd8a93b IAA: 2001:db8::18b ");
    assert_eq!(p.show("dhcpv6.iaaddr.ip"), ["2001:db8::18b"]);
    assert_eq!(p.show("dhcpv6.search_list_entry"), ["home.arpa."]);
    assert_eq!(p.show("dhcpv6.status_msg"), ["success"]);
    assert_eq!(
        p.show("dhcpv6.option.type_str"),
        [
            "Identity Association for Non-temporary Address",
            "IA Address",
            "Domain Search List",
            "Status code"
        ]
    );
}
