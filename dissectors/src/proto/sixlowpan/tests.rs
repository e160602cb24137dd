//! Unit tests for 6LoWPAN: hand-built headers following RFC 4944 / RFC 6282 (the RFCs give the
//! encodings, not byte dumps, so each case says which rule it exercises), a test-only IPHC/NHC
//! encoder with a round-trip property test, fragmentation, and truncation.

use super::testlink::{engine, frame, LINK};
use super::*;
use crate::engine::checksum;
use crate::engine::Engine;
use crate::testutil::TestPacket;
use proptest::prelude::*;

const S16: Address = Address::Wpan16 {
    pan: 0xabcd,
    addr: 0x0001,
};
const D16: Address = Address::Wpan16 {
    pan: 0xabcd,
    addr: 0x0002,
};
const E1: [u8; 8] = [0x00, 0x12, 0x4b, 0x00, 0x01, 0x02, 0x03, 0x04];
const E2: [u8; 8] = [0x02, 0x12, 0x4b, 0x00, 0x0a, 0x0b, 0x0c, 0x0d];

/// Dissects the next frame (frame numbers increase, as reassembly needs).
fn run(e: &mut Engine, src: &Address, dst: &Address, payload: &[u8]) -> TestPacket {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let data = frame(src, dst, payload);
    let meta = crate::engine::FrameMeta {
        number: N.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        orig_len: data.len() as u32,
        link_type: LINK,
        ..Default::default()
    };
    TestPacket {
        packet: e.dissect(meta, &data),
    }
}

fn one(src: &Address, dst: &Address, payload: &[u8]) -> TestPacket {
    run(&mut engine(), src, dst, payload)
}

fn source<'a>(p: &'a TestPacket, name: &str) -> Option<&'a [u8]> {
    p.packet
        .sources
        .iter()
        .find(|s| s.name() == name)
        .map(|s| &s.data[..])
}

// ---- a test-only encoder (RFC 6282 §3, §4.3) ----------------------------------------------------

/// An IPv6 packet with an optional UDP header, as the encoder sees it.
#[derive(Clone, Debug)]
struct Pkt {
    tc: u8,
    flow: u32,
    nxt: u8,
    hlim: u8,
    src: [u8; 16],
    dst: [u8; 16],
    /// (source port, destination port) when the payload starts with UDP.
    udp: Option<(u16, u16)>,
    payload: Vec<u8>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Opts {
    /// Carry TF and HLIM inline even when they could be elided.
    inline_tf: bool,
    inline_hlim: bool,
    /// Compress UDP with NHC (else next header inline).
    nhc: bool,
    elide_csum: bool,
    /// Carry addresses in full even when they could be compressed.
    inline_addrs: bool,
}

impl Pkt {
    /// The uncompressed packet, with UDP length and a correct checksum.
    fn bytes(&self) -> Vec<u8> {
        let mut body = vec![];
        if let Some((s, d)) = self.udp {
            let len = (8 + self.payload.len()) as u16;
            body.extend_from_slice(&s.to_be_bytes());
            body.extend_from_slice(&d.to_be_bytes());
            body.extend_from_slice(&len.to_be_bytes());
            body.extend_from_slice(&[0, 0]);
            body.extend_from_slice(&self.payload);
            let c = checksum::compute_with_pseudo(
                &Address::Ipv6(self.src),
                &Address::Ipv6(self.dst),
                17,
                &body,
                6,
            )
            .unwrap();
            let c = if c == 0 { 0xffff } else { c };
            body[6..8].copy_from_slice(&c.to_be_bytes());
        } else {
            body.extend_from_slice(&self.payload);
        }
        let nxt = if self.udp.is_some() { 17 } else { self.nxt };
        let mut h = ipv6_header(self.tc, self.flow, nxt, self.hlim, &self.src, &self.dst).to_vec();
        h[4..6].copy_from_slice(&(body.len() as u16).to_be_bytes());
        h.extend_from_slice(&body);
        h
    }
}

fn ll_iid(a: &Address) -> [u8; 8] {
    iid_from(a, 0xffff, false).unwrap()
}

/// Address mode bits and inline bytes for a unicast address, given the contexts (cid, prefix,
/// len) the decompressor knows. Returns (AC, AM, cid, inline bytes).
fn enc_unicast(
    a: &[u8; 16],
    link: &Address,
    ctxs: &[(u8, [u8; 16], u8)],
    inline: bool,
) -> (bool, u8, u8, Vec<u8>) {
    let iid: [u8; 8] = a[8..].try_into().unwrap();
    let iid_mode = |iid: &[u8; 8]| -> (u8, Vec<u8>) {
        if *iid == ll_iid(link) {
            (3, vec![])
        } else if iid[..6] == [0, 0, 0, 0xff, 0xfe, 0] {
            (2, iid[6..].to_vec())
        } else {
            (1, iid.to_vec())
        }
    };
    if !inline && a[..8] == LINK_LOCAL[..8] {
        let (m, b) = iid_mode(&iid);
        return (false, m, 0, b);
    }
    if !inline {
        for (cid, p, len) in ctxs {
            let mut probe = [0u8; 16];
            probe[..8].copy_from_slice(&a[..8]);
            let mut masked = [0u8; 16];
            pfxcpy(&mut masked, p, *len);
            // The decompressor zeroes the prefix bits the context does not cover.
            let mut rebuilt = [0u8; 16];
            pfxcpy(&mut rebuilt, &masked, *len);
            if *len <= 64 && probe[..8] == rebuilt[..8] {
                let (m, b) = iid_mode(&iid);
                return (true, m, *cid, b);
            }
        }
    }
    (false, 0, 0, a.to_vec())
}

/// Compresses `p` with IPHC (+ NHC UDP), as a sender with link addresses `ls`/`ld` would.
fn compress(p: &Pkt, ls: &Address, ld: &Address, ctxs: &[(u8, [u8; 16], u8)], o: Opts) -> Vec<u8> {
    let mut inline = vec![];
    let ecn = p.tc & 3;
    let dscp = p.tc >> 2;
    let tf: u16 = if o.inline_tf || (dscp != 0 && p.flow != 0) {
        inline.push((ecn << 6) | dscp);
        inline.extend_from_slice(&(p.flow & 0xf_ffff).to_be_bytes()[1..]);
        0
    } else if p.flow != 0 {
        let w = ((ecn as u32) << 22) | p.flow;
        inline.extend_from_slice(&w.to_be_bytes()[1..]);
        1
    } else if p.tc != 0 {
        inline.push((ecn << 6) | dscp);
        2
    } else {
        3
    };
    let nhc = o.nhc && p.udp.is_some();
    if !nhc {
        inline.push(if p.udp.is_some() { 17 } else { p.nxt });
    }
    let hlim: u16 = match p.hlim {
        1 if !o.inline_hlim => 1,
        64 if !o.inline_hlim => 2,
        255 if !o.inline_hlim => 3,
        h => {
            inline.push(h);
            0
        }
    };
    // Source.
    let (sac, sam, sci, sbytes) = if p.src == [0; 16] && !o.inline_addrs {
        (true, 0u8, 0u8, vec![])
    } else {
        enc_unicast(&p.src, ls, ctxs, o.inline_addrs)
    };
    // Destination.
    let (m, dac, dam, dci, dbytes) = if p.dst[0] == 0xff && !o.inline_addrs {
        let d = &p.dst;
        if d[1] == 0x02 && d[2..15].iter().all(|b| *b == 0) {
            (true, false, 3u8, 0u8, vec![d[15]])
        } else if d[2..13].iter().all(|b| *b == 0) {
            (true, false, 2, 0, vec![d[1], d[13], d[14], d[15]])
        } else if d[2..11].iter().all(|b| *b == 0) {
            (
                true,
                false,
                1,
                0,
                vec![d[1], d[11], d[12], d[13], d[14], d[15]],
            )
        } else {
            (true, false, 0, 0, d.to_vec())
        }
    } else if p.dst[0] == 0xff {
        (true, false, 0, 0, p.dst.to_vec())
    } else {
        let (ac, am, cid, b) = enc_unicast(&p.dst, ld, ctxs, o.inline_addrs);
        (false, ac, am, cid, b)
    };
    let cid = sci != 0 || dci != 0;
    let flags: u16 = 0x6000
        | (tf << 11)
        | (u16::from(nhc) << 10)
        | (hlim << 8)
        | (u16::from(cid) << 7)
        | (u16::from(sac) << 6)
        | ((sam as u16) << 4)
        | (u16::from(m) << 3)
        | (u16::from(dac) << 2)
        | dam as u16;
    let mut out = flags.to_be_bytes().to_vec();
    if cid {
        out.push((sci << 4) | dci);
    }
    out.extend_from_slice(&inline);
    out.extend_from_slice(&sbytes);
    out.extend_from_slice(&dbytes);
    let full = p.bytes();
    if let Some((s, d)) = p.udp {
        let csum = &full[46..48];
        if nhc {
            let c = u8::from(o.elide_csum) << 2;
            if s >> 4 == 0xf0b && d >> 4 == 0xf0b {
                out.push(0xf3 | c);
                out.push((((s & 0xf) << 4) | (d & 0xf)) as u8);
            } else if d >> 8 == 0xf0 {
                out.push(0xf1 | c);
                out.extend_from_slice(&s.to_be_bytes());
                out.push(d as u8);
            } else if s >> 8 == 0xf0 {
                out.push(0xf2 | c);
                out.push(s as u8);
                out.extend_from_slice(&d.to_be_bytes());
            } else {
                out.push(0xf0 | c);
                out.extend_from_slice(&s.to_be_bytes());
                out.extend_from_slice(&d.to_be_bytes());
            }
            if !o.elide_csum {
                out.extend_from_slice(csum);
            }
        } else {
            out.extend_from_slice(&full[40..48]);
        }
    }
    out.extend_from_slice(&p.payload);
    out
}

// ---- RFC 6282 cases -----------------------------------------------------------------------------

/// The common case of RFC 6282 §3.1: link-local addresses fully elided (SAM=DAM=11), hop limit
/// 64, traffic class and flow label elided, next header inline (ICMPv6 echo request).
#[test]
fn link_local_fully_elided() {
    let ls = Address::Eui64(E1);
    let ld = Address::Eui64(E2);
    let payload = [
        0x7a, 0x33, 0x3a, 0x80, 0x00, 0xd9, 0x38, 0x12, 0x34, 0x00, 0x01,
    ];
    let p = one(&ls, &ld, &payload);
    assert_eq!(p.show("6lowpan.pattern"), ["0x03"]);
    assert_eq!(p.show("6lowpan.iphc.tf"), ["0x0003"]);
    assert_eq!(p.show("6lowpan.iphc.hlim"), ["0x0002"]);
    assert_eq!(p.show("6lowpan.iphc.sam"), ["0x0003"]);
    assert_eq!(p.show("6lowpan.iphc.dam"), ["0x0003"]);
    assert_eq!(p.show("6lowpan.iphc.sctx.prefix"), ["fe80::"]);
    assert_eq!(p.show("6lowpan.next"), ["0x3a"]);
    // EUI-64 with the U/L bit inverted (RFC 4944 §6).
    assert_eq!(p.show("ipv6.src"), ["fe80::212:4b00:102:304"]);
    assert_eq!(p.show("ipv6.dst"), ["fe80::12:4b00:a0b:c0d"]);
    assert_eq!(p.show("ipv6.plen"), ["8"]);
    assert_eq!(p.show("ipv6.hlim"), ["64"]);
    assert_eq!(p.show("icmpv6.type"), ["128"]);
    assert_eq!(p.packet.protocol_path(), "6lowpan:ipv6:icmpv6");
    let d = source(&p, "Decompressed 6LoWPAN IPHC").unwrap();
    assert_eq!(d.len(), 48);
    assert_eq!(&d[..8], &[0x60, 0, 0, 0, 0, 8, 58, 64]);
}

/// 16-bit short addresses give 0000:00ff:fe00:XXXX IIDs (RFC 6282 §3.2.2), or with the PAN in
/// front under the RFC 4944 §6 preference.
#[test]
fn short_address_iids() {
    let payload = [0x7b, 0x33, 0x3a, 0x80, 0x00, 0, 0];
    let p = one(&S16, &D16, &payload);
    assert_eq!(p.show("ipv6.src"), ["fe80::ff:fe00:1"]);
    assert_eq!(p.show("ipv6.dst"), ["fe80::ff:fe00:2"]);
    assert_eq!(p.show("ipv6.hlim"), ["255"]);
    let mut e = engine();
    e.prefs.set("6lowpan.rfc4944_short_address_format", "TRUE");
    let p = run(&mut e, &S16, &D16, &payload);
    assert_eq!(p.show("ipv6.src"), ["fe80::a9cd:ff:fe00:1"]);
}

/// Every TF encoding (RFC 6282 §3.1.1): ECN first, then DSCP, 4 bits of padding before the
/// flow label in TF=00, 2 bits in TF=01.
#[test]
fn traffic_class_and_flow_label_forms() {
    // TF=00: ECN=1, DSCP=0x2e, flow 0x12345.
    let p = one(
        &S16,
        &D16,
        &[0x62, 0x33, 0x6e, 0x01, 0x23, 0x45, 0x3a, 0x80, 0, 0, 0],
    );
    assert_eq!(p.show("6lowpan.ecn"), ["1"]);
    assert_eq!(p.show("6lowpan.dscp"), ["46"]);
    assert_eq!(p.show("6lowpan.class"), ["0xb9"]);
    assert_eq!(p.show("6lowpan.flow"), ["0x012345"]);
    assert_eq!(p.show("ipv6.tclass"), ["0x000000b9"]);
    assert_eq!(p.show("ipv6.flow"), ["0x012345"]);
    // TF=01: ECN=3, flow 0xabcde.
    let p = one(
        &S16,
        &D16,
        &[0x6a, 0x33, 0xca, 0xbc, 0xde, 0x3a, 0x80, 0, 0, 0],
    );
    assert_eq!(p.show("ipv6.tclass"), ["0x00000003"]);
    assert_eq!(p.show("ipv6.flow"), ["0x0abcde"]);
    // TF=10: ECN=2, DSCP=1.
    let p = one(&S16, &D16, &[0x72, 0x33, 0x81, 0x3a, 0x80, 0, 0, 0]);
    assert_eq!(p.show("ipv6.tclass"), ["0x00000006"]);
    assert_eq!(p.show("ipv6.flow"), ["0x000000"]);
}

/// Inline hop limit and every unicast source/destination mode without context.
#[test]
fn stateless_address_modes() {
    // SAM=00 (full), DAM=01 (64 bits), hop limit inline 7.
    let mut v = vec![0x78, 0x01, 0x3a, 7];
    v.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
    v.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    v.extend_from_slice(&[0x80, 0, 0, 0]);
    let p = one(&S16, &D16, &v);
    assert_eq!(p.show("6lowpan.hops"), ["7"]);
    assert_eq!(p.show("ipv6.src"), ["2001:db8::9"]);
    assert_eq!(p.show("ipv6.dst"), ["fe80::102:304:506:708"]);
    // The full-inline source uses no context.
    assert!(p.show("6lowpan.iphc.sctx.prefix").is_empty());
    assert_eq!(p.show("6lowpan.iphc.dctx.prefix"), ["fe80::"]);
    // SAC=1 SAM=00: the unspecified address; DAM=10.
    let p = one(&S16, &D16, &[0x7b, 0x42, 0x3a, 0x12, 0x34, 0x80, 0, 0, 0]);
    assert_eq!(p.show("ipv6.src"), ["::"]);
    assert_eq!(p.show("ipv6.dst"), ["fe80::ff:fe00:1234"]);
}

/// Stateless multicast forms (M=1, DAC=0, DAM=00..11).
#[test]
fn multicast_forms() {
    let cases: [(&[u8], &str); 4] = [
        (
            &[0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01],
            "ff0e::101",
        ),
        (&[0x05, 0x00, 0x00, 0x01, 0x00, 0xfb], "ff05::1:fb"),
        (&[0x02, 0xff, 0x65, 0xcc], "ff02::ff:65cc"),
        (&[0x1a], "ff02::1a"),
    ];
    for (dam, (bytes, want)) in cases.iter().enumerate() {
        let mut v = vec![0x7b, 0x38 | dam as u8, 59];
        v.extend_from_slice(bytes);
        v.extend_from_slice(&[0x80, 0, 0, 0]);
        let p = one(&S16, &D16, &v);
        assert_eq!(p.show("ipv6.dst"), [*want], "DAM={dam}");
        assert!(
            !p.packet.is_malformed(),
            "DAM={dam} {:?}",
            p.packet
                .tree
                .iter()
                .map(|(_, n)| (n.field.map(|f| f.abbrev), p.packet.tree.text_of(n)))
                .collect::<Vec<_>>()
        );
    }
    // M=1 DAC=0 DAM=11 with the inline byte of ff02::1:ff00:1 style is ff02::XX only.
    // DAC=1 with DAM!=00 is reserved.
    let p = one(&S16, &D16, &[0x7b, 0x3d, 0x3a, 1, 2]);
    assert!(p.has("6lowpan.illegal_dest_addr_mode"));
    assert!(p.packet.is_malformed());
}

/// Stateful compression: contexts from preferences, from a 6CO option (learn_context), and an
/// unknown context flagged rather than guessed.
#[test]
fn contexts() {
    // SAC=1 SAM=11 (IID from link), DAC=1 DAM=10, CID byte sci=1 dci=0.
    let v = [0x7b, 0xf6, 0x10, 0x3a, 0x00, 0x05, 0x80, 0, 0, 0];
    let mut e = engine();
    e.prefs.set("6lowpan.context0", "2001:db8:0:1::/64");
    e.prefs.set("6lowpan.context1", "fd00:aaaa::/64");
    let p = run(
        &mut e,
        &S16,
        &D16,
        &[0x7b, 0xf6, 0x10, 0x3a, 0x00, 0x05, 0x80, 0, 0, 0],
    );
    assert_eq!(p.show("6lowpan.iphc.sci"), ["0x01"]);
    assert_eq!(p.show("6lowpan.iphc.dci"), ["0x00"]);
    assert_eq!(p.show("ipv6.src"), ["fd00:aaaa::ff:fe00:1"]);
    assert_eq!(p.show("ipv6.dst"), ["2001:db8:0:1:0:ff:fe00:5"]);
    assert_eq!(p.show("6lowpan.iphc.sctx.prefix"), ["fd00:aaaa::"]);
    assert!(p.show("6lowpan.iphc.sctx.origin").is_empty());
    // A 6CO option learned in frame 42 overrides the preference and is credited.
    learn_context(
        &mut e.session,
        1,
        "fd00:bbbb::"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
        64,
        42,
    );
    let p = run(&mut e, &S16, &D16, &v);
    assert_eq!(p.show("ipv6.src"), ["fd00:bbbb::ff:fe00:1"]);
    assert_eq!(p.show("6lowpan.iphc.sctx.origin"), ["42"]);
    assert!(!p.has("6lowpan.unknown_context"));
    // No context at all: flagged.
    let p = one(&S16, &D16, &v);
    assert!(p.has("6lowpan.unknown_context"));
    assert_eq!(p.show("ipv6.src"), ["::ff:fe00:1"]);
    // Stateful multicast (M=1 DAC=1 DAM=00): ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX.
    let mut e = engine();
    e.prefs.set("6lowpan.context0", "2001:db8:1234::/48");
    let p = run(
        &mut e,
        &S16,
        &D16,
        &[0x7b, 0x3c, 0x3a, 0x3e, 0x00, 0, 0, 0, 1, 0x80, 0, 0, 0],
    );
    assert_eq!(p.show("ipv6.dst"), ["ff3e:30:2001:db8:1234::1"]);
}

#[test]
fn prefix_preference_parsing() {
    assert_eq!(parse_prefix("fd00::/64").unwrap().1, 64);
    assert_eq!(parse_prefix("fd00::1").unwrap().1, 64);
    let (p, l) = parse_prefix("2001:db8:ffff::/36").unwrap();
    assert_eq!(l, 36);
    assert_eq!(&p[..6], &[0x20, 0x01, 0x0d, 0xb8, 0xf0, 0]);
    assert!(parse_prefix("").is_none());
    assert!(parse_prefix("fd00::/200").is_none());
    assert!(parse_prefix("nonsense").is_none());
}

/// NHC UDP (RFC 6282 §4.3): every port form, inline and elided checksums (the elided one is
/// recomputed and marked as generated), lengths restored.
#[test]
fn nhc_udp_forms() {
    let base = Pkt {
        tc: 0,
        flow: 0,
        nxt: 17,
        hlim: 64,
        src: {
            let mut a = LINK_LOCAL;
            a[8..].copy_from_slice(&ll_iid(&S16));
            a
        },
        dst: {
            let mut a = LINK_LOCAL;
            a[8..].copy_from_slice(&ll_iid(&D16));
            a
        },
        udp: None,
        payload: b"hello coap".to_vec(),
    };
    for (ports, nhc_byte) in [
        ((5683u16, 5684u16), 0xf0u8),
        ((5683, 0xf012), 0xf1),
        ((0xf034, 5683), 0xf2),
        ((0xf0b1, 0xf0b2), 0xf3),
    ] {
        for elide in [false, true] {
            let mut pk = base.clone();
            pk.udp = Some(ports);
            let o = Opts {
                nhc: true,
                elide_csum: elide,
                ..Default::default()
            };
            let c = compress(&pk, &S16, &D16, &[], o);
            assert_eq!(c[2], nhc_byte | (u8::from(elide) << 2));
            let p = one(&S16, &D16, &c);
            let want = pk.bytes();
            assert_eq!(source(&p, "Decompressed 6LoWPAN IPHC").unwrap(), &want[..]);
            assert_eq!(p.show("udp.srcport"), [ports.0.to_string()]);
            assert_eq!(p.show("udp.dstport"), [ports.1.to_string()]);
            assert_eq!(p.show("udp.length"), ["18"]);
            assert_eq!(p.show("ipv6.plen"), ["18"]);
            let csum = format!("0x{:02x}{:02x}", want[46], want[47]);
            assert_eq!(p.show("udp.checksum"), std::slice::from_ref(&csum));
            assert_eq!(p.show("6lowpan.udp.checksum"), [csum]);
            assert_eq!(p.has("6lowpan.udp.checksum_elided"), elide);
        }
    }
}

/// NHC extension headers chained before NHC UDP (RFC 6282 §4.2): hop-by-hop options padded to
/// 8 octets with PadN, then a fragment header, then UDP.
#[test]
fn nhc_extension_headers() {
    // IPHC NH=1 link-local elided; NHC ext EID=0 NH=1, length 4, RPL option (63, 4 bytes).
    let v = vec![
        0x7e, 0x33, // IPHC: TF=11 NH=1 HLIM=10, SAM=DAM=11
        0xe1, 0x04, 0x63, 0x02, 0x00, 0x00, // HBH: RPL option type 0x63 len 2, 2 bytes data
        0xe5, 0x00, 0x00, 0x08, 0x11, 0x22, 0x33,
        0x44, // Fragment header: reserved, offset/M, id
        0xf7, 0x12, // UDP 0xf0b1 -> 0xf0b2, checksum elided
        0xaa, 0xbb,
    ];
    let p = one(&S16, &D16, &v);
    assert_eq!(p.show("6lowpan.nhc.ext.eid"), ["0x00", "0x02"]);
    assert_eq!(p.show("6lowpan.nhc.ext.length"), ["4"]);
    assert_eq!(p.show("6lowpan.nhc.ext.reserved"), ["0x00"]);
    assert_eq!(p.show("ipv6.nxt"), ["0"]);
    let d = source(&p, "Decompressed 6LoWPAN IPHC").unwrap();
    // HBH: next=44, len=0 (8 octets), option, PadN of 0 data bytes.
    assert_eq!(&d[40..48], &[44, 0, 0x63, 0x02, 0, 0, 1, 0]);
    assert_eq!(&d[48..56], &[17, 0x00, 0x00, 0x08, 0x11, 0x22, 0x33, 0x44]);
    assert_eq!(&d[56..62], &[0xf0, 0xb1, 0xf0, 0xb2, 0, 10]);
    assert_eq!(u16::from_be_bytes([d[4], d[5]]), 26);
    // The checksum was computed over the pseudo-header with these addresses.
    let seg = &d[56..];
    assert_eq!(
        checksum::verify_with_pseudo(
            &Address::Ipv6(d[8..24].try_into().unwrap()),
            &Address::Ipv6(d[24..40].try_into().unwrap()),
            17,
            seg
        ),
        Some(true)
    );
    // Routing header (EID 1) of 3 bytes is not 8-octet aligned: flagged.
    let v = [
        0x7e, 0x33, 0xe2, 0x3a, 0x03, 0x03, 0x00, 0x00, 0x80, 0, 0, 0,
    ];
    let p = one(&S16, &D16, &v);
    assert!(p.has("6lowpan.bad_ext_header_length"));
    assert_eq!(p.show("ipv6.nxt"), ["43"]);
}

/// Destination options (EID 3) padded with Pad1, then mobility header (EID 4) with its next
/// header inline (NH=0) and an exact 8-octet length.
#[test]
fn nhc_destination_options_and_mobility() {
    let v = vec![
        0x7e, 0x33, // IPHC: NH=1, link-local elided
        0xe7, 0x05, 0x01, 0x03, 0xaa, 0xbb, 0xcc, // DestOpt NH=1: PadN-like option, 5 bytes
        0xe8, 0x3b, 0x06, 1, 2, 3, 4, 5, 6, // Mobility NH=0, next 59, 6 bytes
    ];
    let p = one(&S16, &D16, &v);
    assert_eq!(p.show("6lowpan.nhc.ext.eid"), ["0x03", "0x04"]);
    assert_eq!(p.show("6lowpan.nhc.ext.next"), ["0x3b"]);
    assert!(!p.has("6lowpan.bad_ext_header_length"));
    let d = source(&p, "Decompressed 6LoWPAN IPHC").unwrap();
    assert_eq!(d[6], 60);
    assert_eq!(&d[40..48], &[135, 0, 0x01, 0x03, 0xaa, 0xbb, 0xcc, 0x00]);
    assert_eq!(&d[48..56], &[59, 0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(d.len(), 56);
    assert_eq!(p.show("ipv6.plen"), ["16"]);
}

/// IPv6-in-IPv6 (NHC EID 7): the inner header is IPHC again and its elided IIDs come from the
/// outer header's addresses (RFC 6282 §4.2).
#[test]
fn nhc_ipv6_in_ipv6() {
    let v = vec![
        0x7e, 0x33, // outer: NH=1, link-local elided
        0xee, // NHC EID 7
        0x7a, 0x33, 0x11, // inner: NH inline UDP, SAM=DAM=11
        0x16, 0x33, 0x16, 0x34, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x02,
    ];
    let p = one(&Address::Eui64(E1), &S16, &v);
    assert_eq!(p.show("ipv6.nxt"), ["41", "17"]);
    assert_eq!(
        p.show("ipv6.src"),
        ["fe80::212:4b00:102:304", "fe80::212:4b00:102:304"]
    );
    assert_eq!(p.show("ipv6.dst"), ["fe80::ff:fe00:1", "fe80::ff:fe00:1"]);
    assert_eq!(p.show("ipv6.plen"), ["50", "10"]);
    assert_eq!(p.show("udp.dstport"), ["5684"]);
}

/// Mesh header (V/F, 16/64-bit addresses, deep hops), broadcast header, and the mesh
/// originator/final addresses used for the elided IIDs (RFC 4944 §5.2, RFC 6282 §3.2.2).
#[test]
fn mesh_and_broadcast() {
    // 10 V=1 F=0 hops=0xF | deep hops 20 | orig16 0x0042 | final64 E2 | BC0 seq 9 | IPHC
    let mut v = vec![0xaf, 20, 0x00, 0x42];
    v.extend_from_slice(&E2);
    v.extend_from_slice(&[0x50, 9, 0x7b, 0x33, 0x3a, 0x80, 0, 0, 0]);
    let p = one(&S16, &D16, &v);
    assert_eq!(p.show("6lowpan.pattern"), ["0x02", "0x50", "0x03"]);
    assert_eq!(p.show("6lowpan.mesh.v"), ["1"]);
    assert_eq!(p.show("6lowpan.mesh.f"), ["0"]);
    assert_eq!(p.show("6lowpan.mesh.hops"), ["15"]);
    assert_eq!(p.show("6lowpan.mesh.hops8"), ["20"]);
    assert_eq!(p.show("6lowpan.mesh.orig16"), ["0x0042"]);
    assert_eq!(p.show("6lowpan.mesh.dest64"), ["0x02124b000a0b0c0d"]);
    assert_eq!(p.show("6lowpan.bcast.seqnum"), ["9"]);
    assert_eq!(p.show("ipv6.src"), ["fe80::ff:fe00:42"]);
    assert_eq!(p.show("ipv6.dst"), ["fe80::12:4b00:a0b:c0d"]);
}

/// Uncompressed IPv6 (0x41), NALP, and an unknown dispatch.
#[test]
fn uncompressed_nalp_unknown() {
    let pk = Pkt {
        tc: 0,
        flow: 0,
        nxt: 59,
        hlim: 9,
        src: LINK_LOCAL,
        dst: LINK_LOCAL,
        udp: Some((1, 2)),
        payload: vec![],
    };
    let mut v = vec![0x41];
    v.extend_from_slice(&pk.bytes());
    let p = one(&S16, &D16, &v);
    assert_eq!(p.show("6lowpan.pattern"), ["0x41"]);
    assert_eq!(p.show("udp.dstport"), ["2"]);
    let p = one(&S16, &D16, &[0x01, 1, 2, 3]);
    assert_eq!(p.show("6lowpan.pattern"), ["0x01"]);
    assert!(p.has("data.data"));
}

#[test]
fn heuristic_accepts_stacks() {
    let h = |b: &[u8]| heuristic_walk(&Tvb::new(b, 0));
    assert!(h(&[0x7a, 0x33]));
    assert!(h(&[0xb1, 0, 1, 0, 2, 0x50, 1, 0x41]));
    assert!(h(&[0xc0, 0x50, 0, 1, 0x7a]));
    assert!(!h(&[0x00]));
    assert!(!h(&[0xc0, 0x50, 0, 1]));
}

/// HC1 with HC2 UDP (RFC 4944 §10): everything compressed, ports 4-bit compressed.
#[test]
fn hc1_hc2_udp() {
    // HC1: src prefix+ifc compressed, dst prefix+ifc compressed, TC/flow compressed, NH=UDP,
    // more=1 -> 0xfb; HC2: ports compressed, length compressed -> 0xe0.
    // Inline: hop limit 64, ports nibble 0x12, checksum 0xbeef; payload 2 bytes.
    let v = [0x42, 0xfb, 0xe0, 64, 0x12, 0xbe, 0xef, 0xca, 0xfe];
    let p = one(&S16, &D16, &v);
    assert_eq!(p.show("6lowpan.pattern"), ["0x42"]);
    assert_eq!(p.show("6lowpan.hc1.next"), ["0x01"]);
    assert_eq!(p.show("ipv6.src"), ["fe80::ff:fe00:1"]);
    assert_eq!(p.show("udp.srcport"), ["61617"]);
    assert_eq!(p.show("udp.dstport"), ["61618"]);
    assert_eq!(p.show("udp.length"), ["10"]);
    assert_eq!(p.show("udp.checksum"), ["0xbeef"]);
    assert!(source(&p, "Decompressed 6LoWPAN HC1").is_some());
    // More bits with a non-UDP next header is an error.
    let p = one(&S16, &D16, &[0x42, 0xfd, 0, 64]);
    assert!(p.has("6lowpan.hc1_more_bits"));
}

/// FRAG1 + FRAGN (RFC 4944 §5.3): offsets count uncompressed bytes; out of order, duplicate,
/// conflicting, "reassembled in" for a late duplicate, and the elided checksum computed after
/// reassembly.
#[test]
fn fragmentation() {
    let mut pk = Pkt {
        tc: 0,
        flow: 0,
        nxt: 17,
        hlim: 64,
        src: LINK_LOCAL,
        dst: LINK_LOCAL,
        udp: Some((5683, 5683)),
        payload: (0..100u8).collect(),
    };
    pk.src[8..].copy_from_slice(&ll_iid(&S16));
    pk.dst[8..].copy_from_slice(&ll_iid(&D16));
    let full = pk.bytes(); // 148 bytes
    let c = compress(
        &pk,
        &S16,
        &D16,
        &[],
        Opts {
            nhc: true,
            elide_csum: true,
            ..Default::default()
        },
    );
    // c = IPHC(2) + NHC(1) + ports(4) + payload(100); uncompressed headers are 48 bytes.
    let hdr_c = c.len() - 100;
    let size = full.len() as u16;
    let f1_payload = 40; // payload bytes in FRAG1 -> first fragment covers 48 + 40 = 88 (=11*8)
    let mut f1 = vec![0xc0 | (size >> 8) as u8, size as u8, 0x12, 0x34];
    f1.extend_from_slice(&c[..hdr_c + f1_payload]);
    let fragn = |off: usize, len: usize| {
        let mut v = vec![
            0xe0 | (size >> 8) as u8,
            size as u8,
            0x12,
            0x34,
            (off / 8) as u8,
        ];
        v.extend_from_slice(&full[off..off + len]);
        v
    };
    let f3 = fragn(120, 28);
    let f2 = fragn(88, 32);
    let mut e = engine();
    // Last fragment first.
    let p = run(&mut e, &S16, &D16, &f3);
    assert_eq!(p.show("6lowpan.frag.offset"), ["120"]);
    assert!(!p.has("ipv6"));
    assert!(p.has("data.data"));
    let p = run(&mut e, &S16, &D16, &f1);
    assert_eq!(p.show("6lowpan.frag.size"), ["148"]);
    assert_eq!(p.show("6lowpan.frag.tag"), ["0x1234"]);
    assert!(source(&p, "Decompressed 6LoWPAN IPHC").is_some());
    assert!(!p.has("ipv6"));
    // A conflicting copy of the last fragment.
    let mut bad = f3.clone();
    bad[10] ^= 0xff;
    let p = run(&mut e, &S16, &D16, &bad);
    assert!(p.has("6lowpan.fragment.conflict"));
    // The middle fragment completes the datagram.
    let mut e2 = engine();
    for f in [&f3, &f1] {
        run(&mut e2, &S16, &D16, f);
    }
    let p = run(&mut e2, &S16, &D16, &f2);
    assert_eq!(p.show("6lowpan.fragment.count"), ["3"]);
    let labels: Vec<String> = p
        .packet
        .tree
        .by_abbrev("6lowpan.fragment")
        .filter_map(|n| p.packet.tree.text_of(n).map(str::to_string))
        .collect();
    assert_eq!(labels.len(), 3);
    assert!(
        labels[0].ends_with("payload: 0-87 (88 bytes)"),
        "{labels:?}"
    );
    assert!(
        labels[2].ends_with("payload: 120-147 (28 bytes)"),
        "{labels:?}"
    );
    assert_eq!(p.show("6lowpan.reassembled.length"), ["148"]);
    assert_eq!(source(&p, "Reassembled 6LoWPAN").unwrap(), &full[..]);
    assert_eq!(
        p.show("udp.checksum"),
        [format!("0x{:02x}{:02x}", full[46], full[47])]
    );
    assert_eq!(p.show("ipv6.plen"), ["108"]);
    assert!(p.has("6lowpan.udp.checksum_elided"));
    // A late duplicate names the frame it was reassembled in.
    let p = run(&mut e2, &S16, &D16, &f2);
    assert!(p.has("6lowpan.reassembled.in"));
    assert!(p.has("6lowpan.fragment.overlap"));
    // A different link-layer pair does not mix with it.
    let p = run(&mut e2, &S16, &Address::Eui64(E2), &f2);
    assert!(!p.has("6lowpan.fragments"));
}

/// Never-completed datagrams are reported when their state is dropped (age bound).
#[test]
fn stale_reassembly_is_reported() {
    let mut e = engine();
    let f = [0xe0, 0x80, 0x00, 0x01, 0x02, 1, 2, 3, 4, 5, 6, 7, 8];
    run(&mut e, &S16, &D16, &f);
    let meta = crate::engine::FrameMeta {
        number: 2,
        ts_ns: 3_600_000_000_000,
        orig_len: 20,
        link_type: LINK,
        ..Default::default()
    };
    let p = e.dissect(
        meta,
        &frame(&S16, &D16, &[0xe0, 0x80, 0x00, 0x02, 0x02, 1, 2, 3]),
    );
    assert!(p
        .tree
        .by_abbrev("6lowpan.reassembly.dropped")
        .next()
        .is_some());
}

/// Truncation at every byte: no panic, and a cut inside the compressed headers is malformed.
#[test]
fn truncation_never_panics() {
    let samples: Vec<Vec<u8>> = vec![
        vec![
            0x62, 0xb6, 0x10, 0x6e, 0x01, 0x23, 0x45, 0x3a, 7, 0x00, 0x05, 0x80, 0, 0, 0,
        ],
        vec![
            0x7e, 0x33, 0xe1, 0x04, 0x63, 0x02, 0, 0, 0xe5, 0, 0, 8, 1, 2, 3, 4, 0xf0, 0x16, 0x33,
            0x16, 0x34, 0xbe, 0xef,
        ],
        {
            let mut v = vec![0xbf, 20];
            v.extend_from_slice(&E1);
            v.extend_from_slice(&E2);
            v.extend_from_slice(&[
                0x50, 1, 0xc0, 0x60, 0, 1, 0x7e, 0x33, 0xee, 0x7a, 0x33, 0x11,
            ]);
            v
        },
        vec![
            0x42, 0x01, 0xe0, 64, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
        ],
        vec![0xe0, 0x60, 0, 1, 2, 1, 2, 3],
    ];
    for s in &samples {
        // Cuts shorter than the headers (the last byte of each sample is payload or the last
        // header byte) must be malformed; the full sample must not be.
        let full = one(&S16, &D16, s);
        assert!(!full.packet.is_malformed() || s[0] == 0x42, "{s:02x?}");
        for cut in 0..s.len() {
            let p = one(&S16, &D16, &s[..cut]);
            if cut < 2 {
                assert!(p.packet.is_malformed(), "cut {cut} of {s:02x?}");
            }
        }
    }
    // The IPHC sample: every cut before its last inline field byte is malformed.
    let s = &samples[0];
    for cut in 0..11 {
        assert!(
            one(&S16, &D16, &s[..cut]).packet.is_malformed(),
            "cut {cut}"
        );
    }
}

// ---- round trip ---------------------------------------------------------------------------------

fn addr_strategy(link: Address, ctx: [u8; 16]) -> impl Strategy<Value = [u8; 16]> {
    let ll = {
        let mut a = LINK_LOCAL;
        a[8..].copy_from_slice(&ll_iid(&link));
        a
    };
    prop_oneof![
        Just(ll),
        any::<u16>().prop_map(|x| {
            let mut a = LINK_LOCAL;
            a[11] = 0xff;
            a[12] = 0xfe;
            a[14..].copy_from_slice(&x.to_be_bytes());
            a
        }),
        any::<[u8; 8]>().prop_map(|iid| {
            let mut a = LINK_LOCAL;
            a[8..].copy_from_slice(&iid);
            a
        }),
        any::<[u8; 8]>().prop_map(move |iid| {
            let mut a = ctx;
            a[8..].copy_from_slice(&iid);
            a
        }),
        Just({
            let mut a = ctx;
            a[8..].copy_from_slice(&ll_iid(&link));
            a
        }),
        any::<[u8; 16]>().prop_map(|mut a| {
            // Not link-local, not multicast.
            a[0] = 0x20 | (a[0] & 0x0f);
            a
        }),
    ]
}

fn mcast_strategy() -> impl Strategy<Value = [u8; 16]> {
    prop_oneof![
        any::<u8>().prop_map(|x| {
            let mut a = [0u8; 16];
            a[0] = 0xff;
            a[1] = 2;
            a[15] = x;
            a
        }),
        (any::<u8>(), any::<[u8; 3]>()).prop_map(|(s, g)| {
            let mut a = [0u8; 16];
            a[0] = 0xff;
            a[1] = s;
            a[13..].copy_from_slice(&g);
            a
        }),
        (any::<u8>(), any::<[u8; 5]>()).prop_map(|(s, g)| {
            let mut a = [0u8; 16];
            a[0] = 0xff;
            a[1] = s;
            a[11..].copy_from_slice(&g);
            a
        }),
        any::<[u8; 15]>().prop_map(|g| {
            let mut a = [0xffu8; 16];
            a[1..].copy_from_slice(&g);
            a
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Compressing a random IPv6/UDP header with the test encoder and decompressing it gives it
    /// back byte for byte (UDP length and checksum included, also when the checksum is elided).
    #[test]
    fn compress_then_decompress_round_trips(
        tc in any::<u8>(),
        flow in 0u32..0x10_0000,
        flow_zero in any::<bool>(),
        tc_zero in any::<bool>(),
        hlim in prop_oneof![Just(1u8), Just(64u8), Just(255u8), any::<u8>()],
        long_src in any::<bool>(),
        long_dst in any::<bool>(),
        src in addr_strategy(Address::Eui64(E1), [0xfd, 0, 0xaa, 0xaa, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
        dst_u in addr_strategy(Address::Eui64(E2), [0xfd, 0, 0xaa, 0xaa, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
        dst_m in mcast_strategy(),
        multicast in any::<bool>(),
        unspecified in any::<bool>(),
        sport in prop_oneof![any::<u16>(), 0xf000u16..0xf100, 0xf0b0u16..0xf0c0],
        dport in prop_oneof![any::<u16>(), 0xf000u16..0xf100, 0xf0b0u16..0xf0c0],
        with_udp in any::<bool>(),
        payload in proptest::collection::vec(any::<u8>(), 0..40),
        inline_tf in any::<bool>(),
        inline_hlim in any::<bool>(),
        nhc in any::<bool>(),
        elide in any::<bool>(),
        inline_addrs in any::<bool>(),
    ) {
        // The encoder's link addresses: long or short.
        let ls = if long_src { Address::Eui64(E1) } else { S16 };
        let ld = if long_dst { Address::Eui64(E2) } else { D16 };
        let mut src = src;
        let mut dst_u = dst_u;
        // Addresses strategies built IIDs from the long addresses; rebuild for short ones.
        if !long_src && src[8..] == ll_iid(&Address::Eui64(E1)) { src[8..].copy_from_slice(&ll_iid(&ls)); }
        if !long_dst && dst_u[8..] == ll_iid(&Address::Eui64(E2)) { dst_u[8..].copy_from_slice(&ll_iid(&ld)); }
        let pk = Pkt {
            tc: if tc_zero { 0 } else { tc },
            flow: if flow_zero { 0 } else { flow },
            nxt: 59,
            hlim,
            src: if unspecified { [0; 16] } else { src },
            dst: if multicast { dst_m } else { dst_u },
            udp: with_udp.then_some((sport, dport)),
            payload,
        };
        let ctxs = [(1u8, [0xfd, 0, 0xaa, 0xaa, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 64u8)];
        let o = Opts { inline_tf, inline_hlim, nhc, elide_csum: elide && nhc, inline_addrs };
        let c = compress(&pk, &ls, &ld, &ctxs, o);
        let mut e = engine();
        e.prefs.set("6lowpan.context1", "fd00:aaaa:0:1::/64");
        let p = run(&mut e, &ls, &ld, &c);
        let got = source(&p, "Decompressed 6LoWPAN IPHC");
        prop_assert_eq!(got, Some(&pk.bytes()[..]));
        prop_assert!(!p.has("6lowpan.unknown_context"));
        // Every cut of the compressed form: no panic.
        for cut in 0..c.len() {
            let _ = run(&mut e, &ls, &ld, &c[..cut]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Arbitrary bytes behind each dispatch never panic, and every stack of headers either
    /// decodes or is marked malformed / shown as data.
    #[test]
    fn arbitrary_payloads_never_panic(
        dispatch in prop_oneof![
            Just(vec![]),
            Just(vec![0x41u8]),
            Just(vec![0x42u8]),
            Just(vec![0x50u8, 1]),
            Just(vec![0xbfu8, 3]),
            Just(vec![0xc0u8, 0x80, 0, 1]),
            Just(vec![0xe0u8, 0x80, 0, 1, 3]),
            (0x60u8..0x80).prop_map(|b| vec![b]),
        ],
        body in proptest::collection::vec(any::<u8>(), 0..120),
        long in any::<bool>(),
    ) {
        let mut v = dispatch;
        v.extend_from_slice(&body);
        let (s, d) = if long { (Address::Eui64(E1), Address::Eui64(E2)) } else { (S16, D16) };
        let mut e = engine();
        let _ = run(&mut e, &s, &d, &v);
        let _ = run(&mut e, &s, &d, &v);
        let _ = run(&mut e, &Address::None, &Address::None, &v);
    }
}
