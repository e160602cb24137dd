//! 6LoWPAN: IPv6 over IEEE 802.15.4 (RFC 4944 dispatch, mesh, broadcast and fragment headers,
//! HC1/HC2; RFC 6282 IPHC and NHC; RFC 6775 §5.2 context table fed by 6CO options).
//!
//! A 6LoWPAN payload is a stack of headers, each starting with a dispatch byte, in the order
//! RFC 4944 §5 fixes: mesh, broadcast, fragment, then the IPv6 header itself.
//! ```text
//!  10 V F HopsLft | [deep hops] | originator (16/64) | final dest (16/64)    mesh      (RFC 4944 §5.2)
//!  0 1 0 1 0 0 0 0 | sequence number                                        LOWPAN_BC0 (RFC 4944 §11.1)
//!  1 1 0 0 0 size(11) | tag(16)                                             FRAG1     (RFC 4944 §5.3)
//!  1 1 1 0 0 size(11) | tag(16) | offset/8                                  FRAGN
//!  0 1 0 0 0 0 0 1 | uncompressed IPv6 header                               IPv6      (RFC 4944 §5.1)
//!  0 1 0 0 0 0 1 0 | HC1 | [HC2] | inline fields (bit aligned)             HC1       (RFC 4944 §10)
//!  0 1 1 TF NH HLIM | CID SAC SAM M DAC DAM | [CID] | inline fields | NHC   IPHC      (RFC 6282 §3)
//! ```
//! Compressed headers are rebuilt into a new data source ("Decompressed 6LoWPAN IPHC") holding
//! the full IPv6 header, the decompressed NHC headers (extension headers, UDP) and the rest of the
//! payload, which goes to the IPv6 dissector as over Ethernet. Elided lengths are restored and an
//! elided UDP checksum is recomputed (after reassembly when fragmented) and shown as generated.
//! Interface identifiers come from the 802.15.4 addresses the lower layer put in
//! `cx.info.dl_src/dl_dst`, or from the mesh header's originator/final addresses when present.
//! Contexts (CID 0–15) come from the preferences `6lowpan.context0` … `6lowpan.context15` or from
//! 6CO options that ND hands to [`learn_context`]; an address that needs an unknown context is
//! flagged with an expert warning (its prefix bits are left zero, as tshark does).
//!
//! Deliberate differences from tshark 4.0 (see `tests/sixlowpan.rs`, `EXCEPTIONS`):
//! - an elided UDP checksum is recomputed (tshark writes 0xffff) and shown as a generated
//!   `6lowpan.udp.checksum`;
//! - a stateless multicast destination shows no destination context (tshark shows fe80::,
//!   which it does not use);
//! - `6lowpan.reassembled.in` appears, as in tshark's single pass, only on fragments seen after
//!   the datagram was completed; the completing fragment carries the fragment list instead.

use crate::engine::address::Address;
use crate::engine::checksum;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::{Cx, Session};
use crate::proto::sixlowpan::frag::{AddResult, FragKey, FragTable, UdpFix};

static PATTERNS: &[(u64, &str)] = &[
    (0x00, "Not a LoWPAN frame"),
    (0x41, "Uncompressed IPv6"),
    (0x42, "Header compression"),
    (0x50, "Broadcast"),
    (0x03, "IP header compression"),
    (0x7f, "Escape"),
    (0x02, "Mesh"),
    (0x18, "First fragment"),
    (0x1c, "Fragment"),
];
static NHC_PATTERNS: &[(u64, &str)] = &[
    (0x0e, "IPv6 extension header"),
    (0x1e, "UDP compression header"),
];
static HC1_NEXT_VALS: &[(u64, &str)] = &[(0, "Inline"), (1, "UDP"), (2, "ICMP"), (3, "TCP")];
static TF_VALS: &[(u64, &str)] = &[
    (0, "Traffic class and flow label inline"),
    (1, "ECN and flow label inline"),
    (2, "Traffic class inline"),
    (3, "Version, traffic class, and flow label compressed"),
];
static HLIM_VALS: &[(u64, &str)] = &[(0, "Inline"), (1, "1"), (2, "64"), (3, "255")];
static ADDR_MODES: &[(u64, &str)] = &[
    (0, "Inline"),
    (1, "64-bits inline"),
    (2, "16-bits inline"),
    (3, "Compressed"),
];
static EID_VALS: &[(u64, &str)] = &[
    (0, "IPv6 hop-by-hop options"),
    (1, "IPv6 routing"),
    (2, "IPv6 fragment"),
    (3, "IPv6 destination options"),
    (4, "IPv6 mobility header"),
    (7, "IPv6 header"),
];
static UDP_PORTS_VALS: &[(u64, &str)] = &[
    (0, "Inline"),
    (
        1,
        "Source port inline, first 8 bits of destination port elided",
    ),
    (
        2,
        "First 8 bits of source port elided, destination port inline",
    ),
    (3, "Compressed"),
];

crate::fields! {
    PROTO = FieldDef::protocol("6lowpan", "IPv6 over Low power Wireless Personal Area Networks");
    PATTERN = FieldDef::new("6lowpan.pattern", "Pattern", T::U8).hex().vals(PATTERNS);
    NHC_PATTERN = FieldDef::new("6lowpan.nhc.pattern", "Pattern", T::U8).hex().vals(NHC_PATTERNS);
    PADDING = FieldDef::new("6lowpan.padding", "Padding", T::U8).hex();
    HC1_ENCODING = FieldDef::new("6lowpan.hc1.encoding", "HC1 Encoding", T::U8).hex();
    HC1_SRC_PREFIX = FieldDef::flag("6lowpan.hc1.src_prefix", "Source prefix", 8, 0x80).tfs("Compressed", "Inline");
    HC1_SRC_IFC = FieldDef::flag("6lowpan.hc1.src_ifc", "Source interface", 8, 0x40).tfs("Compressed", "Inline");
    HC1_DST_PREFIX = FieldDef::flag("6lowpan.hc1.dst_prefix", "Destination prefix", 8, 0x20).tfs("Compressed", "Inline");
    HC1_DST_IFC = FieldDef::flag("6lowpan.hc1.dst_ifc", "Destination interface", 8, 0x10).tfs("Compressed", "Inline");
    HC1_CLASS = FieldDef::flag("6lowpan.hc1.class", "Traffic class and flow label", 8, 0x08).tfs("Compressed", "Inline");
    HC1_NEXT = FieldDef::new("6lowpan.hc1.next", "Next header", T::U8).hex().mask(0x06).vals(HC1_NEXT_VALS);
    HC1_MORE = FieldDef::flag("6lowpan.hc1.more", "More HC bits", 8, 0x01).true_false();
    HC2_UDP_ENCODING = FieldDef::new("6lowpan.hc2.udp.encoding", "HC_UDP Encoding", T::U8).hex();
    HC2_UDP_SRC = FieldDef::flag("6lowpan.hc2.udp.src", "Source port", 8, 0x80).tfs("Compressed", "Inline");
    HC2_UDP_DST = FieldDef::flag("6lowpan.hc2.udp.dst", "Destination port", 8, 0x40).tfs("Compressed", "Inline");
    HC2_UDP_LEN = FieldDef::flag("6lowpan.hc2.udp.length", "Length", 8, 0x20).tfs("Compressed", "Inline");
    IPHC_TF = FieldDef::new("6lowpan.iphc.tf", "Traffic class and flow label", T::U16).hex().mask(0x1800).vals(TF_VALS)
        .blurb("traffic class and flow control encoding");
    IPHC_NH = FieldDef::flag("6lowpan.iphc.nh", "Next header", 16, 0x0400).tfs("Compressed", "Inline");
    IPHC_HLIM = FieldDef::new("6lowpan.iphc.hlim", "Hop limit", T::U16).hex().mask(0x0300).vals(HLIM_VALS);
    IPHC_CID = FieldDef::flag("6lowpan.iphc.cid", "Context identifier extension", 16, 0x0080).true_false();
    IPHC_SAC = FieldDef::flag("6lowpan.iphc.sac", "Source address compression", 16, 0x0040).tfs("Stateful", "Stateless");
    IPHC_SAM = FieldDef::new("6lowpan.iphc.sam", "Source address mode", T::U16).hex().mask(0x0030).vals(ADDR_MODES);
    IPHC_M = FieldDef::flag("6lowpan.iphc.m", "Multicast address compression", 16, 0x0008).true_false();
    IPHC_DAC = FieldDef::flag("6lowpan.iphc.dac", "Destination address compression", 16, 0x0004).tfs("Stateful", "Stateless");
    IPHC_DAM = FieldDef::new("6lowpan.iphc.dam", "Destination address mode", T::U16).hex().mask(0x0003).vals(ADDR_MODES);
    IPHC_SCI = FieldDef::new("6lowpan.iphc.sci", "Source context identifier", T::U8).hex().mask(0xf0);
    IPHC_DCI = FieldDef::new("6lowpan.iphc.dci", "Destination context identifier", T::U8).hex().mask(0x0f);
    SCTX_PREFIX = FieldDef::new("6lowpan.iphc.sctx.prefix", "Source context", T::Ipv6);
    SCTX_ORIGIN = FieldDef::new("6lowpan.iphc.sctx.origin", "Origin", T::FrameNum);
    DCTX_PREFIX = FieldDef::new("6lowpan.iphc.dctx.prefix", "Destination context", T::Ipv6);
    DCTX_ORIGIN = FieldDef::new("6lowpan.iphc.dctx.origin", "Origin", T::FrameNum);
    NHC_EXT_EID = FieldDef::new("6lowpan.nhc.ext.eid", "Header ID", T::U8).hex().mask(0x0e).vals(EID_VALS);
    NHC_EXT_NH = FieldDef::flag("6lowpan.nhc.ext.nh", "Next header", 8, 0x01).tfs("Compressed", "Inline");
    NHC_EXT_NEXT = FieldDef::new("6lowpan.nhc.ext.next", "Next header", T::U8).hex().vals(crate::proto::ipv4::IP_PROTOCOLS);
    NHC_EXT_LENGTH = FieldDef::new("6lowpan.nhc.ext.length", "Header length", T::U8);
    NHC_EXT_RESERVED = FieldDef::new("6lowpan.nhc.ext.reserved", "Reserved octet", T::U8).hex();
    NHC_UDP_CHECKSUM = FieldDef::flag("6lowpan.nhc.udp.checksum", "Checksum", 8, 0x04).tfs("Compressed", "Inline");
    NHC_UDP_PORTS = FieldDef::new("6lowpan.nhc.udp.ports", "Ports", T::U8).mask(0x03).vals(UDP_PORTS_VALS);
    CLASS = FieldDef::new("6lowpan.class", "Traffic class", T::U8).hex();
    FLOW = FieldDef::new("6lowpan.flow", "Flow label", T::U24).hex();
    ECN = FieldDef::new("6lowpan.ecn", "ECN", T::U8);
    DSCP = FieldDef::new("6lowpan.dscp", "DSCP", T::U8);
    NEXT = FieldDef::new("6lowpan.next", "Next header", T::U8).hex().vals(crate::proto::ipv4::IP_PROTOCOLS);
    HOPS = FieldDef::new("6lowpan.hops", "Hop limit", T::U8);
    SRC = FieldDef::new("6lowpan.src", "Source", T::Ipv6).blurb("Source IPv6 address");
    DST = FieldDef::new("6lowpan.dst", "Destination", T::Ipv6).blurb("Destination IPv6 address");
    UDP_SRC = FieldDef::new("6lowpan.udp.src", "Source port", T::U16);
    UDP_DST = FieldDef::new("6lowpan.udp.dst", "Destination port", T::U16);
    UDP_LEN = FieldDef::new("6lowpan.udp.length", "UDP length", T::U16);
    UDP_CHECKSUM = FieldDef::new("6lowpan.udp.checksum", "UDP checksum", T::U16).hex();
    BCAST_SEQNUM = FieldDef::new("6lowpan.bcast.seqnum", "Sequence number", T::U8);
    MESH_V = FieldDef::flag("6lowpan.mesh.v", "V", 8, 0x20).true_false().blurb("short originator address present");
    MESH_F = FieldDef::flag("6lowpan.mesh.f", "D", 8, 0x10).true_false().blurb("short destination address present");
    MESH_HOPS = FieldDef::new("6lowpan.mesh.hops", "Hops left", T::U8).mask(0x0f);
    MESH_HOPS8 = FieldDef::new("6lowpan.mesh.hops8", "Deep Hops left (Flags.Hops left == 15)", T::U8);
    MESH_ORIG16 = FieldDef::new("6lowpan.mesh.orig16", "Originator", T::U16).hex();
    MESH_ORIG64 = FieldDef::new("6lowpan.mesh.orig64", "Originator", T::U64).hex();
    MESH_DEST16 = FieldDef::new("6lowpan.mesh.dest16", "Destination", T::U16).hex();
    MESH_DEST64 = FieldDef::new("6lowpan.mesh.dest64", "Destination", T::U64).hex();
    FRAG_SIZE = FieldDef::new("6lowpan.frag.size", "Datagram size", T::U16);
    FRAG_TAG = FieldDef::new("6lowpan.frag.tag", "Datagram tag", T::U16).hex();
    FRAG_OFFSET = FieldDef::new("6lowpan.frag.offset", "Datagram offset", T::U8);
    FRAGMENTS = FieldDef::new("6lowpan.fragments", "Message fragments", T::None);
    FRAGMENT = FieldDef::new("6lowpan.fragment", "Message fragment", T::FrameNum);
    FRAGMENT_OVERLAP = FieldDef::new("6lowpan.fragment.overlap", "Message fragment overlap", T::Bool);
    FRAGMENT_OVERLAP_CONFLICTS = FieldDef::new("6lowpan.fragment.overlap.conflicts", "Message fragment overlapping with conflicting data", T::Bool);
    FRAGMENT_TOO_LONG = FieldDef::new("6lowpan.fragment.too_long_fragment", "Message fragment too long", T::Bool);
    FRAGMENT_COUNT = FieldDef::new("6lowpan.fragment.count", "Message fragment count", T::U32);
    REASSEMBLED_IN = FieldDef::new("6lowpan.reassembled.in", "Reassembled in", T::FrameNum);
    REASSEMBLED_LENGTH = FieldDef::new("6lowpan.reassembled.length", "Reassembled 6LoWPAN length", T::U32);
}

crate::experts! {
    HC1_MORE_BITS = ExpertDef::new("6lowpan.hc1_more_bits", Group::Malformed, Severity::Error, "HC1 more bits expected for illegal next header type.");
    ILLEGAL_DAM = ExpertDef::new("6lowpan.illegal_dest_addr_mode", Group::Malformed, Severity::Error, "Illegal destination address mode");
    BAD_IPV6_HEADER_LENGTH = ExpertDef::new("6lowpan.bad_ipv6_header_length", Group::Malformed, Severity::Warn, "Length is less than IPv6 header length");
    BAD_EXT_HEADER_LENGTH = ExpertDef::new("6lowpan.bad_ext_header_length", Group::Malformed, Severity::Warn, "Extension header not 8-octet aligned");
    UNKNOWN_CONTEXT = ExpertDef::new("6lowpan.unknown_context", Group::Protocol, Severity::Warn, "Address compressed with an unknown context: its prefix is not known");
    NO_LINK_ADDRESS = ExpertDef::new("6lowpan.no_link_address", Group::Protocol, Severity::Warn, "Interface identifier elided but the link layer gave no address to derive it from");
    UDP_CHECKSUM_ELIDED = ExpertDef::new("6lowpan.udp.checksum_elided", Group::Checksum, Severity::Chat, "UDP checksum elided (RFC 6282 §4.3.2): recomputed");
    REASSEMBLY_DROPPED = ExpertDef::new("6lowpan.reassembly.dropped", Group::Reassemble, Severity::Note, "A 6LoWPAN datagram was never completed");
    FRAGMENT_CONFLICT = ExpertDef::new("6lowpan.fragment.conflict", Group::Reassemble, Severity::Warn, "Fragment overlaps earlier data with different bytes (the earlier data was kept)");
    FRAGMENT_TOO_LONG_EXPERT = ExpertDef::new("6lowpan.fragment.too_long", Group::Malformed, Severity::Warn, "Fragment runs past the datagram size (the excess was ignored)");
    UNKNOWN_NHC = ExpertDef::new("6lowpan.unknown_nhc", Group::Undecoded, Severity::Warn, "Unknown 6LoWPAN next header compression");
}

/// tshark's context preference names.
const CONTEXT_PREFS: [&str; 16] = [
    "6lowpan.context0",
    "6lowpan.context1",
    "6lowpan.context2",
    "6lowpan.context3",
    "6lowpan.context4",
    "6lowpan.context5",
    "6lowpan.context6",
    "6lowpan.context7",
    "6lowpan.context8",
    "6lowpan.context9",
    "6lowpan.context10",
    "6lowpan.context11",
    "6lowpan.context12",
    "6lowpan.context13",
    "6lowpan.context14",
    "6lowpan.context15",
];

macro_rules! ctx_pref {
    ($n:expr) => {
        PrefDef {
            name: CONTEXT_PREFS[$n],
            description: "IPv6 prefix to use for stateful address decompression (e.g. fd00::/64)",
            default: "",
        }
    };
}

pub static PROTOCOL: Protocol = Protocol {
    name: "6lowpan",
    short_name: "6LoWPAN",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[
        PrefDef {
            name: "6lowpan.rfc4944_short_address_format",
            description:
                "Derive IID from a short 16-bit address according to RFC 4944 (using the PAN ID)",
            default: "FALSE",
        },
        ctx_pref!(0),
        ctx_pref!(1),
        ctx_pref!(2),
        ctx_pref!(3),
        ctx_pref!(4),
        ctx_pref!(5),
        ctx_pref!(6),
        ctx_pref!(7),
        ctx_pref!(8),
        ctx_pref!(9),
        ctx_pref!(10),
        ctx_pref!(11),
        ctx_pref!(12),
        ctx_pref!(13),
        ctx_pref!(14),
        ctx_pref!(15),
    ],
    dissect,
    register,
};

fn register(r: &mut Registry) {
    r.add_heuristic(tables::WPAN_HEUR, &PROTOCOL, heuristic);
}

// ---- capture-wide state ------------------------------------------------------------------------

/// A compression context (RFC 6282 §3.1.2, RFC 6775 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    pub prefix: [u8; 16],
    pub len: u8,
    /// Frame of the 6CO option it was learned from; 0 for a preference.
    pub frame: u64,
}

/// Contexts learned from the capture and the fragment reassembly table.
#[derive(Clone, Default)]
pub struct SixlowpanState {
    learned: [Option<Context>; 16],
    pub frags: FragTable,
}

/// Records a context carried in a 6LoWPAN Context Option (RFC 6775 §4.2) seen in `frame`; later
/// frames that use `cid` decompress with it (it takes precedence over the preference).
pub fn learn_context(session: &mut Session, cid: u8, prefix: [u8; 16], len: u8, frame: u64) {
    let len = len.min(128);
    let mut p = [0u8; 16];
    pfxcpy(&mut p, &prefix, len);
    session.get::<SixlowpanState>().learned[(cid & 0x0f) as usize] = Some(Context {
        prefix: p,
        len,
        frame,
    });
}

/// Parses a context preference such as `fd00::/64` (a bare address means /64).
pub fn parse_prefix(s: &str) -> Option<([u8; 16], u8)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, l.trim().parse::<u8>().ok()?),
        None => (s, 64),
    };
    if l > 128 {
        return None;
    }
    let addr: std::net::Ipv6Addr = a.trim().parse().ok()?;
    let mut p = [0u8; 16];
    pfxcpy(&mut p, &addr.octets(), l);
    Some((p, l))
}

/// Where a context used for an address came from.
#[derive(Clone, Copy, Debug)]
enum Ctx {
    /// No context bits (full inline, unspecified or multicast forms).
    None,
    /// The link-local prefix fe80::/10 (SAC/DAC = 0).
    LinkLocal,
    Known(u8, Context),
    Unknown(u8),
}

fn lookup_context(cx: &mut Cx, cid: u8) -> Ctx {
    let cid = cid & 0x0f;
    if let Some(c) = cx.session.get::<SixlowpanState>().learned[cid as usize] {
        return Ctx::Known(cid, c);
    }
    match cx
        .prefs
        .get(CONTEXT_PREFS[cid as usize])
        .and_then(parse_prefix)
    {
        Some((prefix, len)) => Ctx::Known(
            cid,
            Context {
                prefix,
                len,
                frame: 0,
            },
        ),
        None => Ctx::Unknown(cid),
    }
}

/// Copies the first `bits` bits of `src` over `dst` (Wireshark's `lowpan_pfxcpy`).
fn pfxcpy(dst: &mut [u8; 16], src: &[u8; 16], bits: u8) {
    let bits = bits.min(128) as usize;
    let whole = bits / 8;
    dst[..whole].copy_from_slice(&src[..whole]);
    if !bits.is_multiple_of(8) {
        let mask = 0xff00u16 >> (bits % 8);
        let mask = mask as u8;
        dst[whole] = (dst[whole] & !mask) | (src[whole] & mask);
    }
}

const LINK_LOCAL: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

// ---- interface identifiers ---------------------------------------------------------------------

/// Interface identifiers of the encapsulating layer (link layer, mesh header, or outer IPv6).
#[derive(Clone, Copy, Debug, Default)]
struct Iids {
    src: Option<[u8; 8]>,
    dst: Option<[u8; 8]>,
    /// PAN for the RFC 4944 short-address IID form.
    pan: u16,
}

/// IID of a 16-bit short address: RFC 6282 §3.2.2 (`0000:00ff:fe00:XXXX`), or RFC 4944 §6 with
/// the PAN ID in front when the `6lowpan.rfc4944_short_address_format` preference is on.
fn iid16(pan: u16, addr: u16, rfc4944: bool) -> [u8; 8] {
    let [ph, pl] = pan.to_be_bytes();
    let [ah, al] = addr.to_be_bytes();
    if rfc4944 {
        [ph & !0x02, pl, 0, 0xff, 0xfe, 0, ah, al]
    } else {
        [0, 0, 0, 0xff, 0xfe, 0, ah, al]
    }
}

/// IID of an EUI-64: the universal/local bit inverted (RFC 4291 appendix A).
fn iid64(a: [u8; 8]) -> [u8; 8] {
    let mut i = a;
    i[0] ^= 0x02;
    i
}

/// IID from a link-layer address; short addresses take `pan` (the source PAN, as Wireshark uses
/// for both ends) in the RFC 4944 form.
fn iid_from(addr: &Address, pan: u16, rfc4944: bool) -> Option<[u8; 8]> {
    match *addr {
        Address::Eui64(a) => Some(iid64(a)),
        Address::Wpan16 { addr, .. } => Some(iid16(pan, addr, rfc4944)),
        _ => None,
    }
}

/// The 802.15.4 source PAN of this frame: from a short source address, else from the MAC
/// header's PAN fields (the source PAN, or the destination PAN it was compressed into).
fn source_pan(cx: &Cx) -> u16 {
    if let Address::Wpan16 { pan, .. } = cx.info.dl_src {
        return pan;
    }
    cx.info
        .wpan_src_pan
        .or(cx.info.wpan_dst_pan)
        .unwrap_or(0xffff)
}

// ---- heuristic ---------------------------------------------------------------------------------

/// Wireshark's test: walk mesh, broadcast and FRAG1 headers, and accept when a known header
/// (uncompressed IPv6, HC1, IPHC or FRAGN) follows. NALP and unknown dispatches are refused.
fn heuristic(tvb: &Tvb, _cx: &Cx) -> bool {
    heuristic_walk(tvb)
}

fn heuristic_walk(tvb: &Tvb) -> bool {
    let mut off = 0usize;
    loop {
        let Ok(b) = tvb.u8(off) else {
            return false;
        };
        if b == 0x41 || b == 0x42 || b >> 5 == 0b011 || b >> 3 == 0x1c {
            return true;
        }
        if b == 0x50 {
            off += 2;
        } else if b >> 6 == 0b10 {
            off += 1;
            off += if b & 0x20 != 0 { 2 } else { 8 };
            off += if b & 0x10 != 0 { 2 } else { 8 };
            if b & 0x0f == 0x0f {
                off += 1;
            }
        } else if b >> 3 == 0x18 {
            off += 4;
        } else {
            return false;
        }
    }
}

// ---- dissection --------------------------------------------------------------------------------

/// A rebuilt IPv6 packet (or extension header chain) and what is left to fix in it.
struct Unc {
    data: Vec<u8>,
    /// Payload length the headers claim (the datagram size when fragmented, else what is there).
    reported: usize,
    /// Elided UDP checksums; `ip_off == usize::MAX` means "the enclosing IPv6 header".
    fixes: Vec<UdpFix>,
    /// The generated checksum node of each fix, when shown in this frame.
    nodes: Vec<Option<NodeId>>,
}

const ENCLOSING: usize = usize::MAX;

fn shift(u: &mut Unc, by: usize) {
    for f in &mut u.fixes {
        f.udp_off += by;
        if f.ip_off != ENCLOSING {
            f.ip_off += by;
        }
    }
}

/// The packet's layers from 6LoWPAN on.
fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.set_text(node, "6LoWPAN");
    let rfc4944 = cx.prefs.bool("6lowpan.rfc4944_short_address_format", false);
    let pan = if rfc4944 { source_pan(cx) } else { 0xffff };
    let mut iids = Iids {
        src: iid_from(&cx.info.dl_src, pan, rfc4944),
        dst: iid_from(&cx.info.dl_dst, pan, rfc4944),
        pan,
    };
    // Fragments are keyed by the mesh originator/final addresses when there is a mesh header,
    // else by the link-layer addresses (RFC 4944 §5.3).
    let mut key_src = cx.info.dl_src;
    let mut key_dst = cx.info.dl_dst;
    let mut off = 0usize;
    if tvb.u8(0)? >> 6 == 0b10 {
        off = mesh(
            tvb,
            cx,
            node,
            &mut iids,
            &mut key_src,
            &mut key_dst,
            rfc4944,
        )?;
    }
    if tvb.u8(off)? == 0x50 {
        let b = cx.add_text(node, tvb.range(off, 2), "Broadcast Header");
        cx.add_uint(b, &PATTERN, tvb.range(off, 1), 0x50);
        cx.add_u8(b, &BCAST_SEQNUM, tvb, off + 1)?;
        off += 2;
    }
    let rest = tvb.sub_from(off)?;
    let d = rest.u8(0)?;
    if d >> 3 == 0x18 {
        frag_first(&rest, cx, node, parent, &iids, key_src, key_dst)
    } else if d >> 3 == 0x1c {
        frag_next(&rest, cx, node, parent, key_src, key_dst)
    } else if d == 0x41 {
        cx.add_uint(node, &PATTERN, rest.range(0, 1), 0x41);
        let ip = rest.sub_from(1)?;
        if !cx.call(&crate::proto::ipv6::PROTOCOL, &ip, parent) {
            // Not IPv6 after all (another version nibble): show the bytes, as tshark does.
            cx.call_data(&ip, parent);
        }
        Ok(())
    } else if d == 0x42 {
        let u = hc1(&rest, cx, node, None, &iids)?;
        emit(cx, node, parent, "Decompressed 6LoWPAN HC1", u);
        Ok(())
    } else if d >> 5 == 0b011 {
        let u = iphc(&rest, cx, node, None, &iids, 0)?;
        emit(cx, node, parent, "Decompressed 6LoWPAN IPHC", u);
        Ok(())
    } else {
        unknown(&rest, cx, node, parent)
    }
}

/// Shows an unknown (or NALP) dispatch and the rest as data.
fn unknown(tvb: &Tvb, cx: &mut Cx, node: NodeId, parent: NodeId) -> Result<()> {
    let d = tvb.u8(0)?;
    let p = cx.add_uint(node, &PATTERN, tvb.range(0, 1), d as u64);
    let what = if d >> 6 == 0 {
        "Not a LoWPAN frame".to_string()
    } else {
        format!("Unknown (0x{d:02x})")
    };
    cx.set_text(p, format_args!("Pattern: {what}"));
    cx.call_data(&tvb.sub_from(1)?, parent);
    Ok(())
}

/// Fills the elided UDP checksums of a complete packet; returns the values.
fn fill_checksums(data: &mut [u8], fixes: &[UdpFix]) -> Vec<Option<u16>> {
    let mut out = vec![];
    for f in fixes {
        let v = (|| {
            let ip = data.get(f.ip_off..f.ip_off.checked_add(40)?)?;
            let src: [u8; 16] = ip[8..24].try_into().ok()?;
            let dst: [u8; 16] = ip[24..40].try_into().ok()?;
            let lb = data.get(f.udp_off + 4..f.udp_off + 6)?;
            let len = u16::from_be_bytes([lb[0], lb[1]]) as usize;
            let seg = data.get(f.udp_off..f.udp_off.checked_add(len)?)?;
            let c = checksum::compute_with_pseudo(
                &Address::Ipv6(src),
                &Address::Ipv6(dst),
                17,
                seg,
                6,
            )?;
            Some(if c == 0 { 0xffff } else { c })
        })();
        // Not computable (truncated capture): 0xffff, as Wireshark leaves it.
        let c = v.unwrap_or(0xffff);
        if let Some(b) = data.get_mut(f.udp_off + 6..f.udp_off + 8) {
            b.copy_from_slice(&c.to_be_bytes());
        }
        out.push(v);
    }
    out
}

/// Finishes a decompressed (unfragmented) packet and hands it to IPv6.
fn emit(cx: &mut Cx, node: NodeId, parent: NodeId, name: &'static str, mut u: Unc) {
    let vals = fill_checksums(&mut u.data, &u.fixes);
    for (v, n) in vals.iter().zip(u.nodes.iter()) {
        if let Some(n) = n {
            show_elided_checksum(cx, *n, *v);
        }
    }
    let src = cx.add_source(name, u.data);
    cx.call(&crate::proto::ipv6::PROTOCOL, &src.tvb(), parent);
    let _ = node;
}

fn show_elided_checksum(cx: &mut Cx, n: NodeId, v: Option<u16>) {
    match v {
        Some(c) => {
            cx.tree.node_mut(n).value = Value::UInt(c as u64);
            cx.set_text(
                n,
                format_args!("UDP checksum: 0x{c:04x} [elided, recomputed]"),
            );
        }
        None => {
            cx.tree.node_mut(n).value = Value::UInt(0xffff);
            cx.set_text(
                n,
                "UDP checksum: 0xffff [elided; the datagram is incomplete, not recomputed]",
            );
        }
    }
    cx.expert(n, &UDP_CHECKSUM_ELIDED, None);
}

/// Where a context came from, for its label.
struct ContextOrigin(u8, u64);

impl std::fmt::Display for ContextOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            0 => write!(f, "preference {}", CONTEXT_PREFS[self.0 as usize]),
            frame => write!(f, "6CO option in frame {frame}"),
        }
    }
}

/// Mesh header (RFC 4944 §5.2); returns its length.
fn mesh(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    iids: &mut Iids,
    key_src: &mut Address,
    key_dst: &mut Address,
    rfc4944: bool,
) -> Result<usize> {
    let m = tvb.u8(0)?;
    let len = 1
        + usize::from(m & 0x0f == 0x0f)
        + if m & 0x20 != 0 { 2 } else { 8 }
        + if m & 0x10 != 0 { 2 } else { 8 };
    let sub = cx.add_text(node, tvb.range(0, len), "Mesh Header");
    let flags = cx.add_text(sub, tvb.range(0, 1), "Flags");
    cx.add_uint(flags, &PATTERN, tvb.range(0, 1), 0x02);
    cx.add_bits(
        flags,
        &[&MESH_V, &MESH_F, &MESH_HOPS],
        tvb.range(0, 1),
        m as u64,
    );
    let mut off = 1;
    if m & 0x0f == 0x0f {
        cx.add_u8(sub, &MESH_HOPS8, tvb, off)?;
        off += 1;
    }
    for (short, f16, f64_, is_src) in [
        (m & 0x20 != 0, &MESH_ORIG16, &MESH_ORIG64, true),
        (m & 0x10 != 0, &MESH_DEST16, &MESH_DEST64, false),
    ] {
        let (iid, addr) = if short {
            let a = cx.add_be_u16(sub, f16, tvb, off)?;
            off += 2;
            (
                iid16(iids.pan, a, rfc4944),
                Address::Wpan16 {
                    pan: iids.pan,
                    addr: a,
                },
            )
        } else {
            let a: [u8; 8] = tvb.array(off)?;
            cx.add(
                sub,
                f64_,
                tvb.range(off, 8),
                Value::UInt(u64::from_be_bytes(a)),
            );
            off += 8;
            (iid64(a), Address::Eui64(a))
        };
        if is_src {
            iids.src = Some(iid);
            *key_src = addr;
        } else {
            iids.dst = Some(iid);
            *key_dst = addr;
        }
    }
    Ok(off)
}

/// Reads fields that are not byte aligned (HC1 inline fields).
struct Bits<'a> {
    tvb: &'a Tvb<'a>,
    bit: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: usize) -> Result<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = self.tvb.u8(self.bit / 8)?;
            v = (v << 1) | ((byte >> (7 - self.bit % 8)) & 1) as u32;
            self.bit += 1;
        }
        Ok(v)
    }

    /// Byte range of the `n` bits just read.
    fn range(&self, n: usize) -> ByteRange {
        let start = self.bit - n;
        let end = self.bit.div_ceil(8);
        self.tvb.range(start / 8, end - start / 8)
    }

    fn array8(&mut self) -> Result<[u8; 8]> {
        let mut a = [0u8; 8];
        for b in &mut a {
            *b = self.read(8)? as u8;
        }
        Ok(a)
    }
}

/// HC1 and HC2 (RFC 4944 §10): the inline fields follow in Wireshark's order (hop limit,
/// source, destination, traffic class and flow label, next header, UDP ports/length/checksum).
fn hc1(tvb: &Tvb, cx: &mut Cx, node: NodeId, dgram: Option<usize>, iids: &Iids) -> Result<Unc> {
    let (enc, hc2, off) = hc1_encoding(tvb, cx, node)?;
    let nh = (enc >> 1) & 3;
    let mut b = Bits { tvb, bit: off * 8 };
    let hops = b.read(8)? as u8;
    cx.add_uint(node, &HOPS, b.range(8), hops as u64);
    let src = hc1_address(cx, node, &mut b, enc >> 6, iids.src, &SRC)?;
    let dst = hc1_address(cx, node, &mut b, enc >> 4, iids.dst, &DST)?;
    let (mut class, mut flow) = (0u32, 0u32);
    if enc & 0x08 == 0 {
        class = b.read(8)?;
        cx.add_uint(node, &CLASS, b.range(8), class as u64);
        flow = b.read(20)?;
        cx.add_uint(node, &FLOW, b.range(20), flow as u64);
    }
    let nxt = match nh {
        1 => 17u8,
        2 => 58,
        3 => 6,
        _ => {
            let v = b.read(8)? as u8;
            cx.add_uint(node, &NEXT, b.range(8), v as u64);
            v
        }
    };
    let mut hdr = ipv6_header(class as u8, flow, nxt, hops, &src, &dst);
    let mut u = if enc & 1 != 0 && nh == 1 {
        hc2_udp(cx, node, &mut b, hc2, dgram)?
    } else {
        let rest = tvb.rest(b.bit.div_ceil(8))?;
        Unc {
            data: rest.to_vec(),
            reported: match dgram {
                Some(d) => d.saturating_sub(40),
                None => rest.len(),
            },
            fixes: vec![],
            nodes: vec![],
        }
    };
    finish_ipv6(&mut hdr, &mut u)?;
    Ok(u)
}

/// The HC1 encoding octet and, with "more bits", the HC2 UDP one. Returns both and the
/// offset of the first inline field.
fn hc1_encoding(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<(u8, u8, usize)> {
    let sub = cx.add_text(node, tvb.range(0, 2), "HC1 Encoding");
    cx.add_uint(sub, &PATTERN, tvb.range(0, 1), 0x42);
    let enc = tvb.u8(1)?;
    let e = cx.add_uint(sub, &HC1_ENCODING, tvb.range(1, 1), enc as u64);
    cx.add_bits(
        e,
        &[
            &HC1_SRC_PREFIX,
            &HC1_SRC_IFC,
            &HC1_DST_PREFIX,
            &HC1_DST_IFC,
            &HC1_CLASS,
            &HC1_NEXT,
            &HC1_MORE,
        ],
        tvb.range(1, 1),
        enc as u64,
    );
    if enc & 1 == 0 {
        return Ok((enc, 0, 2));
    }
    if (enc >> 1) & 3 != 1 {
        cx.expert(sub, &HC1_MORE_BITS, None);
        return Err(Error::Malformed(
            "HC1 more bits with a next header other than UDP".into(),
        ));
    }
    let hc2 = tvb.u8(2)?;
    let h = cx.add_uint(node, &HC2_UDP_ENCODING, tvb.range(2, 1), hc2 as u64);
    cx.add_bits(
        h,
        &[&HC2_UDP_SRC, &HC2_UDP_DST, &HC2_UDP_LEN],
        tvb.range(2, 1),
        hc2 as u64,
    );
    Ok((enc, hc2, 3))
}

/// One HC1 address: `bits` 0b10 prefix compressed (link-local), 0b01 interface ID
/// compressed (from the link layer); inline parts read from `b`.
fn hc1_address(
    cx: &mut Cx,
    node: NodeId,
    b: &mut Bits,
    bits: u8,
    iid: Option<[u8; 8]>,
    field: &'static FieldDef,
) -> Result<[u8; 16]> {
    let start = b.bit;
    let mut a = [0u8; 16];
    if bits & 2 != 0 {
        a[..8].copy_from_slice(&LINK_LOCAL[..8]);
    } else {
        a[..8].copy_from_slice(&b.array8()?);
    }
    let missing = bits & 1 != 0 && iid.is_none();
    if bits & 1 != 0 {
        a[8..].copy_from_slice(&iid.unwrap_or([0; 8]));
    } else {
        a[8..].copy_from_slice(&b.array8()?);
    }
    let n = cx.add(node, field, b.range(b.bit - start), Value::Ipv6(a));
    if b.bit == start {
        cx.tree.node_mut(n).flags.generated = true;
    }
    if missing {
        cx.expert(n, &NO_LINK_ADDRESS, None);
    }
    Ok(a)
}

/// A port per HC2 (RFC 4944 §11): 4 bits over 0xf0b0 when compressed, else 16 inline.
fn hc2_port(
    cx: &mut Cx,
    node: NodeId,
    b: &mut Bits,
    compressed: bool,
    f: &'static FieldDef,
) -> Result<u32> {
    let n = if compressed { 4 } else { 16 };
    let v = b.read(n)? + if compressed { 0xf0b0 } else { 0 };
    cx.add_uint(node, f, b.range(n), v as u64);
    Ok(v)
}

/// The HC2-compressed UDP header (RFC 4944 §11), rebuilt in front of the inline payload.
fn hc2_udp(cx: &mut Cx, node: NodeId, b: &mut Bits, hc2: u8, dgram: Option<usize>) -> Result<Unc> {
    let sport = hc2_port(cx, node, b, hc2 & 0x80 != 0, &UDP_SRC)?;
    let dport = hc2_port(cx, node, b, hc2 & 0x40 != 0, &UDP_DST)?;
    let tvb = b.tvb;
    let len = if hc2 & 0x20 == 0 {
        let l = b.read(16)?;
        cx.add_uint(node, &UDP_LEN, b.range(16), l as u64);
        l as usize
    } else if let Some(d) = dgram {
        if d < 40 {
            return Err(Error::Malformed(
                "datagram size less than an IPv6 header".into(),
            ));
        }
        d - 40
    } else {
        (tvb.len() + 8).saturating_sub((b.bit + 16).div_ceil(8))
    };
    let csum = b.read(16)?;
    cx.add_uint(node, &UDP_CHECKSUM, b.range(16), csum as u64);
    let rest = tvb.rest(b.bit.div_ceil(8))?;
    let mut data = Vec::with_capacity(8 + rest.len());
    for v in [sport, dport, len as u32, csum] {
        data.extend_from_slice(&(v as u16).to_be_bytes());
    }
    data.extend_from_slice(rest);
    Ok(Unc {
        data,
        reported: len,
        fixes: vec![],
        nodes: vec![],
    })
}

/// An IPv6 base header with payload length 0 (filled in by [`finish_ipv6`]).
fn ipv6_header(
    class: u8,
    flow: u32,
    nxt: u8,
    hlim: u8,
    src: &[u8; 16],
    dst: &[u8; 16],
) -> [u8; 40] {
    let mut h = [0u8; 40];
    let w = (6u32 << 28) | ((class as u32) << 20) | (flow & 0xf_ffff);
    h[0..4].copy_from_slice(&w.to_be_bytes());
    h[6] = nxt;
    h[7] = hlim;
    h[8..24].copy_from_slice(src);
    h[24..40].copy_from_slice(dst);
    h
}

/// Puts the header in front of `u`'s payload with the payload length set.
fn finish_ipv6(hdr: &mut [u8; 40], u: &mut Unc) -> Result<()> {
    let plen = u16::try_from(u.reported)
        .map_err(|_| Error::Malformed("decompressed payload longer than 65535 bytes".into()))?;
    hdr[4..6].copy_from_slice(&plen.to_be_bytes());
    let mut data = Vec::with_capacity(40 + u.data.len());
    data.extend_from_slice(hdr);
    data.append(&mut u.data);
    u.data = data;
    u.reported += 40;
    for f in &mut u.fixes {
        f.udp_off += 40;
        f.ip_off = if f.ip_off == ENCLOSING {
            0
        } else {
            f.ip_off + 40
        };
    }
    Ok(())
}

/// Adds the generated context prefix (and its origin) to the IPHC header subtree.
fn show_context(
    cx: &mut Cx,
    hdr: NodeId,
    ctx: Ctx,
    prefix_f: &'static FieldDef,
    origin_f: &'static FieldDef,
) {
    match ctx {
        Ctx::LinkLocal => {
            let n = cx.add_generated(hdr, prefix_f, Value::Ipv6(LINK_LOCAL));
            cx.set_text(
                n,
                format_args!("{}: fe80:: (link-local, /10)", prefix_f.name),
            );
        }
        Ctx::Known(cid, c) if c.len > 0 => {
            let n = cx.add_generated(hdr, prefix_f, Value::Ipv6(c.prefix));
            let from = ContextOrigin(cid, c.frame);
            cx.set_text(
                n,
                format_args!(
                    "{}: {}/{} (context {cid}, from {from})",
                    prefix_f.name,
                    std::net::Ipv6Addr::from(c.prefix),
                    c.len
                ),
            );
            if c.frame != 0 {
                cx.add_generated(hdr, origin_f, Value::UInt(c.frame));
            }
        }
        _ => {}
    }
}

/// Applies a context's prefix bits to an address; an unknown context leaves them zero and says
/// so on the address node.
fn apply_context(cx: &mut Cx, a: &mut [u8; 16], ctx: Ctx) -> Option<u8> {
    match ctx {
        Ctx::LinkLocal => pfxcpy(a, &LINK_LOCAL, 10),
        Ctx::Known(_, c) => pfxcpy(a, &c.prefix, c.len),
        Ctx::Unknown(cid) => return Some(cid),
        Ctx::None => {}
    }
    let _ = cx;
    None
}

/// How one IPHC address is shown: carried in `len` octets (0: fully elided, so generated),
/// with its interface ID missing from the link layer, or with an unknown context's prefix.
struct ShownAddr {
    field: &'static FieldDef,
    role: &'static str,
    len: usize,
    missing_iid: bool,
    unknown: Option<u8>,
}

/// The source or destination address of an IPHC header.
fn add_address(cx: &mut Cx, node: NodeId, tvb: &Tvb, off: usize, addr: [u8; 16], a: ShownAddr) {
    let n = cx.add(node, a.field, tvb.range(off, a.len), Value::Ipv6(addr));
    if a.len == 0 {
        cx.tree.node_mut(n).flags.generated = true;
    }
    if a.missing_iid {
        cx.expert(n, &NO_LINK_ADDRESS, None);
    }
    if let Some(cid) = a.unknown {
        let role = a.role;
        cx.set_text(
            n,
            format_args!(
                "{role}: {} [prefix unknown: context {cid} is not known]",
                std::net::Ipv6Addr::from(addr)
            ),
        );
        cx.expert_with(
            n,
            &UNKNOWN_CONTEXT,
            || format!(
                "{role} address uses context {cid}, which is unknown (set {} or capture the 6CO option): prefix shown as zero",
                CONTEXT_PREFS[cid as usize]
            ),
        );
    }
}

/// The IPHC base header's encoding bits (RFC 6282 §3.1.1) and context identifiers (§3.1.2).
#[derive(Clone, Copy)]
struct IphcFlags {
    tf: u16,
    nh: bool,
    hlim_mode: u16,
    sac: bool,
    sam: u16,
    m: bool,
    dac: bool,
    dam: u16,
    sci: u8,
    dci: u8,
}

/// IPHC (RFC 6282 §3). `dgram` is the uncompressed size of this IPv6 packet when known (from
/// FRAG1 or an enclosing header). Returns the rebuilt packet.
fn iphc(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    dgram: Option<usize>,
    iids: &Iids,
    depth: u32,
) -> Result<Unc> {
    if depth > 8 {
        return Err(Error::Malformed("too many nested IPHC headers".into()));
    }
    let (f, hdr, mut off) = iphc_encoding(cx, node, tvb)?;
    let (ecn, dscp, flow) = traffic_class(cx, node, tvb, f.tf, &mut off)?;
    // Next header and hop limit (§3.1.1).
    let mut nxt = 0u8;
    if !f.nh {
        nxt = cx.add_u8(node, &NEXT, tvb, off)?;
        off += 1;
    }
    let hlim = match f.hlim_mode {
        1 => 1,
        2 => 64,
        3 => 255,
        _ => {
            let h = cx.add_u8(node, &HOPS, tvb, off)?;
            off += 1;
            h
        }
    };
    let at = IphcAt { node, hdr, f, iids };
    let src = iphc_address(cx, tvb, &at, &mut off, false)?;
    let dst = iphc_address(cx, tvb, &at, &mut off, true)?;
    cx.set_text(
        node,
        format_args!(
            "6LoWPAN, Src: {}, Dest: {}",
            std::net::Ipv6Addr::from(src),
            std::net::Ipv6Addr::from(dst)
        ),
    );
    // What follows: NHC-compressed headers or the inline payload.
    let inner = Iids {
        src: Some(src[8..].try_into().unwrap_or([0; 8])),
        dst: Some(dst[8..].try_into().unwrap_or([0; 8])),
        pan: iids.pan,
    };
    let remaining = dgram.map(|d| d.saturating_sub(40));
    let mut u = if f.nh {
        nxt = nhc_proto(tvb.u8(off)?);
        nhc(tvb, off, cx, node, remaining, &inner, depth)?
    } else {
        inline_rest(tvb, off, remaining)?
    };
    let mut h = ipv6_header((dscp << 2) | ecn, flow, nxt, hlim, &src, &dst);
    finish_ipv6(&mut h, &mut u)?;
    Ok(u)
}

/// The payload carried inline from `off`, `remaining` bytes long once uncompressed if known.
fn inline_rest(tvb: &Tvb, off: usize, remaining: Option<usize>) -> Result<Unc> {
    let rest = tvb.rest(off)?;
    Ok(Unc {
        data: rest.to_vec(),
        reported: remaining.unwrap_or(rest.len()),
        fixes: vec![],
        nodes: vec![],
    })
}

/// The "IPHC Header" subtree: dispatch, encoding bits and the optional CID octet. Returns the
/// bits, the subtree and the offset of the first inline field.
fn iphc_encoding(cx: &mut Cx, node: NodeId, tvb: &Tvb) -> Result<(IphcFlags, NodeId, usize)> {
    let flags = tvb.be_u16(0)?;
    let hdr = cx.add_text(node, tvb.range(0, 2), "IPHC Header");
    cx.add_uint(hdr, &PATTERN, tvb.range(0, 1), 0x03);
    cx.add_bits(
        hdr,
        &[
            &IPHC_TF, &IPHC_NH, &IPHC_HLIM, &IPHC_CID, &IPHC_SAC, &IPHC_SAM, &IPHC_M, &IPHC_DAC,
            &IPHC_DAM,
        ],
        tvb.range(0, 2),
        flags as u64,
    );
    let mut f = IphcFlags {
        tf: (flags >> 11) & 3,
        nh: flags & 0x0400 != 0,
        hlim_mode: (flags >> 8) & 3,
        sac: flags & 0x0040 != 0,
        sam: (flags >> 4) & 3,
        m: flags & 0x0008 != 0,
        dac: flags & 0x0004 != 0,
        dam: flags & 3,
        sci: 0,
        dci: 0,
    };
    if flags & 0x0080 == 0 {
        return Ok((f, hdr, 2));
    }
    let c = tvb.u8(2)?;
    cx.add_bits(hdr, &[&IPHC_SCI, &IPHC_DCI], tvb.range(2, 1), c as u64);
    f.sci = c >> 4;
    f.dci = c & 0x0f;
    Ok((f, hdr, 3))
}

/// A unicast address by its mode (RFC 6282 §3.1.1 SAM/DAM): 0 all 16 octets inline, 1 the IID
/// inline, 2 a 16-bit short address inline, 3 the IID from the link layer. Returns the
/// address (prefix still zero), the octets carried and whether the IID is missing.
fn unicast_addr(
    tvb: &Tvb,
    off: usize,
    mode: u16,
    iid: Option<[u8; 8]>,
) -> Result<([u8; 16], usize, bool)> {
    let mut a = [0u8; 16];
    match mode {
        0 => Ok((tvb.array(off)?, 16, false)),
        1 => {
            a[8..].copy_from_slice(tvb.bytes(off, 8)?);
            Ok((a, 8, false))
        }
        2 => {
            a[11] = 0xff;
            a[12] = 0xfe;
            a[14..].copy_from_slice(tvb.bytes(off, 2)?);
            Ok((a, 2, false))
        }
        _ => {
            a[8..].copy_from_slice(&iid.unwrap_or([0; 8]));
            Ok((a, 0, iid.is_none()))
        }
    }
}

/// Where IPHC addresses are shown and what they are decompressed with.
struct IphcAt<'a> {
    node: NodeId,
    /// The "IPHC Header" subtree, for the contexts used.
    hdr: NodeId,
    f: IphcFlags,
    iids: &'a Iids,
}

/// The source (`dst` false) or destination address, shown with its context; moves `off`
/// past what is carried.
fn iphc_address(
    cx: &mut Cx,
    tvb: &Tvb,
    at: &IphcAt,
    off: &mut usize,
    dst: bool,
) -> Result<[u8; 16]> {
    let (addr, shown, ctx) = if dst {
        iphc_dst(cx, tvb, at, *off)?
    } else {
        iphc_src(cx, tvb, at, *off)?
    };
    let len = shown.len;
    add_address(cx, at.node, tvb, *off, addr, shown);
    if dst {
        show_context(cx, at.hdr, ctx, &DCTX_PREFIX, &DCTX_ORIGIN);
    } else {
        show_context(cx, at.hdr, ctx, &SCTX_PREFIX, &SCTX_ORIGIN);
    }
    *off += len;
    Ok(addr)
}

/// The source address (§3.1.1 SAC/SAM) at `off`, how to show it and its context.
fn iphc_src(cx: &mut Cx, tvb: &Tvb, at: &IphcAt, off: usize) -> Result<([u8; 16], ShownAddr, Ctx)> {
    let f = &at.f;
    let (mut src, len, missing_iid, ctx) = match (f.sac, f.sam) {
        // SAC=1, SAM=0: the unspecified address.
        (true, 0) => ([0u8; 16], 0, false, Ctx::None),
        (false, 0) => (tvb.array(off)?, 16, false, Ctx::None),
        (sac, sam) => {
            let (a, len, missing) = unicast_addr(tvb, off, sam, at.iids.src)?;
            let ctx = if sac {
                lookup_context(cx, f.sci)
            } else {
                Ctx::LinkLocal
            };
            (a, len, missing, ctx)
        }
    };
    let unknown = apply_context(cx, &mut src, ctx);
    let shown = ShownAddr {
        field: &SRC,
        role: "Source",
        len,
        missing_iid,
        unknown,
    };
    Ok((src, shown, ctx))
}

/// The destination address (§3.1.1 M/DAC/DAM) at `off`, how to show it and its context.
fn iphc_dst(cx: &mut Cx, tvb: &Tvb, at: &IphcAt, off: usize) -> Result<([u8; 16], ShownAddr, Ctx)> {
    let f = &at.f;
    let (dst, len, ctx, missing_iid, unknown) = if f.m {
        let (dst, len, ctx) = multicast_dst(cx, tvb, off, at.hdr, (f.dac, f.dam, f.dci))?;
        let unknown = match ctx {
            Ctx::Unknown(cid) => Some(cid),
            _ => None,
        };
        (dst, len, ctx, false, unknown)
    } else {
        if f.dac && f.dam == 0 {
            return illegal_dam(cx, at.hdr);
        }
        let (mut dst, len, missing) = unicast_addr(tvb, off, f.dam, at.iids.dst)?;
        let ctx = match (f.dam, f.dac) {
            (0, _) => Ctx::None,
            (_, true) => lookup_context(cx, f.dci),
            (_, false) => Ctx::LinkLocal,
        };
        let unknown = apply_context(cx, &mut dst, ctx);
        (dst, len, ctx, missing, unknown)
    };
    let shown = ShownAddr {
        field: &DST,
        role: "Destination",
        len,
        missing_iid,
        unknown,
    };
    Ok((dst, shown, ctx))
}

/// Traffic class and flow label (RFC 6282 §3.1.1 TF): ECN comes first on the wire, then
/// DSCP; returns (ECN, DSCP, flow label) and moves `off` past what is carried.
fn traffic_class(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    tf: u16,
    off: &mut usize,
) -> Result<(u8, u8, u32)> {
    let (mut ecn, mut dscp, mut flow) = (0u8, 0u8, 0u32);
    if tf == 3 {
        return Ok((ecn, dscp, flow));
    }
    let b = tvb.u8(*off)?;
    ecn = b >> 6;
    cx.add(node, &ECN, tvb.range(*off, 1), Value::UInt(ecn as u64));
    if tf == 0 || tf == 2 {
        dscp = b & 0x3f;
        cx.add(node, &DSCP, tvb.range(*off, 1), Value::UInt(dscp as u64));
    }
    let class = (dscp << 2) | ecn;
    if class != 0 {
        cx.add_generated(node, &CLASS, Value::UInt(class as u64));
    }
    match tf {
        0 => {
            let w = tvb.be_u24(*off + 1)?;
            cx.add(
                node,
                &PADDING,
                tvb.range(*off + 1, 1),
                Value::UInt((w >> 20) as u64),
            );
            flow = w & 0xf_ffff;
            cx.add(
                node,
                &FLOW,
                tvb.range(*off + 1, 3),
                Value::UInt(flow as u64),
            );
            *off += 4;
        }
        1 => {
            let w = tvb.be_u24(*off)?;
            cx.add(
                node,
                &PADDING,
                tvb.range(*off, 1),
                Value::UInt(((w >> 20) & 3) as u64),
            );
            flow = w & 0xf_ffff;
            cx.add(node, &FLOW, tvb.range(*off, 3), Value::UInt(flow as u64));
            *off += 3;
        }
        _ => *off += 1,
    }
    Ok((ecn, dscp, flow))
}

/// A multicast destination (RFC 6282 §3.1.1 M=1): inline forms by DAM, or with DAC an RFC 3306
/// unicast-prefix-based address; returns the address, the octets carried and the context.
fn multicast_dst(
    cx: &mut Cx,
    tvb: &Tvb,
    off: usize,
    hdr: NodeId,
    (dac, dam, dci): (bool, u16, u8),
) -> Result<([u8; 16], usize, Ctx)> {
    let mut dst = [0u8; 16];
    let mut dctx = Ctx::None;
    let dlen;
    match dac {
        false => match dam {
            0 => {
                dst = tvb.array(off)?;
                dlen = 16;
            }
            1 => {
                let b = tvb.bytes(off, 6)?;
                dst[0] = 0xff;
                dst[1] = b[0];
                dst[11..].copy_from_slice(&b[1..]);
                dlen = 6;
            }
            2 => {
                let b = tvb.bytes(off, 4)?;
                dst[0] = 0xff;
                dst[1] = b[0];
                dst[13..].copy_from_slice(&b[1..]);
                dlen = 4;
            }
            _ => {
                dst[0] = 0xff;
                dst[1] = 0x02;
                dst[15] = tvb.u8(off)?;
                dlen = 1;
            }
        },
        true => {
            if dam != 0 {
                return illegal_dam(cx, hdr);
            }
            // RFC 3306 unicast-prefix-based: ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX.
            let b = tvb.bytes(off, 6)?;
            dctx = lookup_context(cx, dci);
            dst[0] = 0xff;
            dst[1] = b[0];
            dst[2] = b[1];
            if let Ctx::Known(_, c) = dctx {
                dst[3] = c.len.min(64);
                dst[4..12].copy_from_slice(&c.prefix[..8]);
            }
            dst[12..].copy_from_slice(&b[2..]);
            dlen = 6;
        }
    }
    Ok((dst, dlen, dctx))
}

fn illegal_dam<T>(cx: &mut Cx, hdr: NodeId) -> Result<T> {
    cx.expert(hdr, &ILLEGAL_DAM, None);
    Err(Error::Malformed("illegal destination address mode".into()))
}

/// The IP protocol number an NHC byte stands for (59, No Next Header, when unknown).
fn nhc_proto(b: u8) -> u8 {
    if b & 0xf0 == 0xe0 {
        match (b >> 1) & 7 {
            0 => 0,
            1 => 43,
            2 => 44,
            3 => 60,
            4 => 135,
            7 => 41,
            _ => 59,
        }
    } else if b & 0xf8 == 0xf0 {
        17
    } else {
        59
    }
}

/// NHC (RFC 6282 §4) at `off`: extension headers, IPv6-in-IPv6 and UDP, chained. `remaining`
/// is the uncompressed length from here to the end of the datagram, when known.
fn nhc(
    tvb: &Tvb,
    off: usize,
    cx: &mut Cx,
    node: NodeId,
    remaining: Option<usize>,
    iids: &Iids,
    depth: u32,
) -> Result<Unc> {
    if depth > 32 {
        return Err(Error::Malformed("too many chained NHC headers".into()));
    }
    let b = tvb.u8(off)?;
    if b & 0xf0 == 0xe0 {
        let chain = NhcChain {
            node,
            remaining,
            iids,
            depth,
        };
        return nhc_ext(tvb, off, cx, &chain);
    }
    if b & 0xf8 == 0xf0 {
        return nhc_udp(tvb, off, cx, node, remaining);
    }
    let n = cx.add_uint(node, &NHC_PATTERN, tvb.range(off, 1), b as u64);
    cx.expert_with(n, &UNKNOWN_NHC, || {
        format!("Unknown next header compression 0x{b:02x}")
    });
    Err(Error::Malformed("unknown NHC".into()))
}

/// Where an NHC header sits in the chain: the 6LoWPAN node, the uncompressed length left
/// (when known), the addresses' IIDs and the nesting depth.
struct NhcChain<'a> {
    node: NodeId,
    remaining: Option<usize>,
    iids: &'a Iids,
    depth: u32,
}

/// How an NHC header's subtree is shown: its title, the octets it first covers, its dispatch
/// pattern and the bit fields of its first octet.
struct NhcKind {
    title: &'static str,
    len: usize,
    pattern: u64,
    bits: &'static [&'static FieldDef],
}

static NHC_EXT: NhcKind = NhcKind {
    title: "IPv6 extension header",
    len: 2,
    pattern: 0x0e,
    bits: &[&NHC_EXT_EID, &NHC_EXT_NH],
};

static NHC_UDP: NhcKind = NhcKind {
    title: "UDP header compression",
    len: 1,
    pattern: 0x1e,
    bits: &[&NHC_UDP_CHECKSUM, &NHC_UDP_PORTS],
};

/// The subtree of the NHC header at `off`; returns it and the NHC octet.
fn nhc_subtree(
    tvb: &Tvb,
    off: usize,
    cx: &mut Cx,
    node: NodeId,
    k: &NhcKind,
) -> Result<(NodeId, u8)> {
    let b = tvb.u8(off)?;
    let sub = cx.add_text(node, tvb.range(off, k.len), k.title);
    cx.add_uint(sub, &NHC_PATTERN, tvb.range(off, 1), k.pattern);
    cx.add_bits(sub, k.bits, tvb.range(off, 1), b as u64);
    Ok((sub, b))
}

/// An NHC extension header (RFC 6282 §4.2), rebuilt with its padding, and what follows it.
fn nhc_ext(tvb: &Tvb, off: usize, cx: &mut Cx, c: &NhcChain) -> Result<Unc> {
    let (sub, b) = nhc_subtree(tvb, off, cx, c.node, &NHC_EXT)?;
    let eid = (b >> 1) & 7;
    let nh = b & 1 != 0;
    if eid == 7 {
        // IPv6 in IPv6 (§4.2): the tunneled header is itself IPHC-compressed, and its
        // elided IIDs come from the enclosing header's addresses.
        let inner = tvb.sub_from(off + 1)?;
        let mut u = iphc(&inner, cx, c.node, c.remaining, c.iids, c.depth + 1)?;
        // Checksums belong to the inner header, which starts at 0 of this buffer.
        for f in &mut u.fixes {
            if f.ip_off == ENCLOSING {
                f.ip_off = 0;
            }
        }
        return Ok(u);
    }
    if eid > 4 {
        cx.expert_with(sub, &UNKNOWN_NHC, || {
            format!("Reserved extension header ID {eid}")
        });
        return Err(Error::Malformed("reserved NHC extension header ID".into()));
    }
    let mut p = off + 1;
    let mut next = 59u8;
    if !nh {
        next = cx.add_u8(sub, &NHC_EXT_NEXT, tvb, p)?;
        p += 1;
    }
    let (body, total, len_node) = if eid == 2 {
        // The fragment header has a reserved octet where others have their length.
        cx.add_u8(sub, &NHC_EXT_RESERVED, tvb, p)?;
        let body = tvb.bytes(p, 7)?;
        p += 7;
        (body, 8usize, None)
    } else {
        let l = tvb.u8(p)? as usize;
        let ln = cx.add_uint(sub, &NHC_EXT_LENGTH, tvb.range(p, 1), l as u64);
        p += 1;
        let body = tvb.bytes(p, l)?;
        p += l;
        (body, (2 + l).div_ceil(8) * 8, Some(ln))
    };
    cx.tree.node_mut(sub).range = tvb.range(off, p - off);
    if !body.is_empty() {
        cx.add_text(
            sub,
            tvb.range(p - body.len(), body.len()),
            format_args!("Data ({} bytes)", body.len()),
        );
    }
    if nh {
        next = nhc_proto(tvb.u8(p)?);
    }
    let mut data = Vec::with_capacity(total);
    data.push(next);
    if eid == 2 {
        data.extend_from_slice(body);
    } else {
        data.push((total / 8 - 1) as u8);
        data.extend_from_slice(body);
        // Options headers are padded silently; others should not need it.
        let pad = total - 2 - body.len();
        if pad > 0 && eid != 0 && eid != 3 {
            if let Some(ln) = len_node {
                cx.expert(ln, &BAD_EXT_HEADER_LENGTH, None);
            }
        }
        push_padding(&mut data, pad);
    }
    let after = c.remaining.map(|r| r.saturating_sub(total));
    let mut u = if nh {
        nhc(tvb, p, cx, c.node, after, c.iids, c.depth + 1)?
    } else {
        inline_rest(tvb, p, after)?
    };
    shift(&mut u, total);
    data.append(&mut u.data);
    u.data = data;
    u.reported += total;
    Ok(u)
}

/// Pad1 or PadN option (RFC 8200 §4.2) filling `pad` octets.
fn push_padding(data: &mut Vec<u8>, pad: usize) {
    match pad {
        0 => {}
        1 => data.push(0),
        _ => {
            data.push(1);
            data.push((pad - 2) as u8);
            data.resize(data.len() + pad - 2, 0);
        }
    }
}

/// NHC UDP (RFC 6282 §4.3): ports by their compression mode, an elided checksum to recompute,
/// the length from what is left of the datagram.
fn nhc_udp(
    tvb: &Tvb,
    off: usize,
    cx: &mut Cx,
    node: NodeId,
    remaining: Option<usize>,
) -> Result<Unc> {
    let (_, b) = nhc_subtree(tvb, off, cx, node, &NHC_UDP)?;
    let p = off + 1;
    let (sport, dport, n) = match b & 3 {
        0 => (tvb.be_u16(p)?, tvb.be_u16(p + 2)?, 4),
        1 => (tvb.be_u16(p)?, 0xf000 + tvb.u8(p + 2)? as u16, 3),
        2 => (0xf000 + tvb.u8(p)? as u16, tvb.be_u16(p + 1)?, 3),
        _ => {
            let x = tvb.u8(p)?;
            (0xf0b0 + (x >> 4) as u16, 0xf0b0 + (x & 0x0f) as u16, 1)
        }
    };
    let (sr, dr) = match b & 3 {
        0 => (tvb.range(p, 2), tvb.range(p + 2, 2)),
        1 => (tvb.range(p, 2), tvb.range(p + 2, 1)),
        2 => (tvb.range(p, 1), tvb.range(p + 1, 2)),
        _ => (tvb.range(p, 1), tvb.range(p, 1)),
    };
    cx.add(node, &UDP_SRC, sr, Value::UInt(sport as u64));
    cx.add(node, &UDP_DST, dr, Value::UInt(dport as u64));
    let mut p = p + n;
    let mut csum = 0u16;
    let mut fixes = vec![];
    let mut nodes = vec![];
    if b & 0x04 == 0 {
        csum = cx.add_be_u16(node, &UDP_CHECKSUM, tvb, p)?;
        p += 2;
    } else {
        fixes.push(UdpFix {
            ip_off: ENCLOSING,
            udp_off: 0,
        });
        let n = cx.add_generated(node, &UDP_CHECKSUM, Value::UInt(0xffff));
        nodes.push(Some(n));
    }
    let rest = tvb.rest(p)?;
    let len = remaining.unwrap_or(rest.len() + 8);
    let len16 = u16::try_from(len)
        .map_err(|_| Error::Malformed("UDP datagram longer than 65535 bytes".into()))?;
    let mut data = Vec::with_capacity(8 + rest.len());
    for v in [sport, dport, len16, csum] {
        data.extend_from_slice(&v.to_be_bytes());
    }
    data.extend_from_slice(rest);
    Ok(Unc {
        data,
        reported: len,
        fixes,
        nodes,
    })
}

// ---- fragmentation -----------------------------------------------------------------------------

/// The fragmentation header (RFC 4944 §5.3): its subtree, the key of its datagram (link-layer
/// addresses, tag and size) and the fragment's offset in it.
fn frag_header(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    first: bool,
    (src, dst): (Address, Address),
) -> Result<(NodeId, FragKey, usize)> {
    let hlen = if first { 4 } else { 5 };
    let sub = cx.add_text(node, tvb.range(0, hlen), "Fragmentation Header");
    let w = tvb.be_u16(0)?;
    cx.add_uint(sub, &PATTERN, tvb.range(0, 1), (w >> 11) as u64);
    let size = w & 0x07ff;
    cx.add_uint(sub, &FRAG_SIZE, tvb.range(0, 2), size as u64);
    let tag = cx.add_be_u16(sub, &FRAG_TAG, tvb, 2)?;
    let mut offset = 0usize;
    if !first {
        offset = tvb.u8(4)? as usize * 8;
        cx.add(
            sub,
            &FRAG_OFFSET,
            tvb.range(4, 1),
            Value::UInt(offset as u64),
        );
    }
    let key = FragKey {
        src,
        dst,
        tag,
        size,
    };
    Ok((sub, key, offset))
}

/// Adds a fragment's bytes (at `offset` of the datagram) to the reassembly table.
fn add_fragment(
    cx: &mut Cx,
    key: FragKey,
    offset: usize,
    data: &[u8],
    fixes: Vec<UdpFix>,
) -> AddResult {
    let (frame, ts) = (cx.meta.number, cx.meta.ts_ns);
    let frags = &mut cx.session.get::<SixlowpanState>().frags;
    frags.add(key, frame, ts, offset, data, fixes)
}

/// FRAG1: the headers that follow are decompressed here, and the uncompressed bytes are what
/// the datagram offsets count (RFC 4944 §5.3, RFC 6282 §2).
fn frag_first(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    iids: &Iids,
    key_src: Address,
    key_dst: Address,
) -> Result<()> {
    let (sub, key, _) = frag_header(tvb, cx, node, true, (key_src, key_dst))?;
    let inner = tvb.sub_from(4)?;
    let d = inner.u8(0)?;
    let size_us = key.size as usize;
    let (u, name) = if d == 0x41 {
        cx.add_uint(node, &PATTERN, inner.range(0, 1), 0x41);
        let rest = inner.rest(1)?;
        (
            Unc {
                data: rest.to_vec(),
                reported: size_us,
                fixes: vec![],
                nodes: vec![],
            },
            None,
        )
    } else if d == 0x42 || d >> 5 == 0b011 {
        if size_us < 40 {
            cx.expert(
                sub,
                &BAD_IPV6_HEADER_LENGTH,
                Some("Length is less than IPv6 header length 40".into()),
            );
        }
        if d == 0x42 {
            (
                hc1(&inner, cx, node, Some(size_us), iids)?,
                Some("Decompressed 6LoWPAN HC1"),
            )
        } else {
            (
                iphc(&inner, cx, node, Some(size_us), iids, 0)?,
                Some("Decompressed 6LoWPAN IPHC"),
            )
        }
    } else {
        return unknown(&inner, cx, node, parent);
    };
    for n in u.nodes.iter().flatten() {
        cx.set_text(
            *n,
            "UDP checksum: [elided, computed once the datagram is reassembled]",
        );
    }
    let r = add_fragment(cx, key, 0, &u.data, u.fixes.clone());
    // The decompressed first fragment is a data source of its own, as in Wireshark.
    let shown = match name {
        Some(name) => {
            let s = cx.add_source(name, u.data);
            Some(s)
        }
        None => None,
    };
    let complete = reassembly_outcome(cx, node, sub, tvb, &r);
    if !complete {
        match &shown {
            Some(s) => cx.call_data(&s.tvb(), parent),
            None => cx.call_data(&inner.sub_from(1)?, parent),
        }
    }
    deliver(cx, node, parent, r);
    Ok(())
}

/// FRAGN.
fn frag_next(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    key_src: Address,
    key_dst: Address,
) -> Result<()> {
    let (sub, key, offset) = frag_header(tvb, cx, node, false, (key_src, key_dst))?;
    let payload = tvb.sub_from(5)?;
    let r = add_fragment(cx, key, offset, payload.data(), vec![]);
    if !reassembly_outcome(cx, node, sub, tvb, &r) {
        cx.call_data(&payload, parent);
    }
    deliver(cx, node, parent, r);
    Ok(())
}

/// Shows what adding a fragment did; true when the datagram is now complete.
fn reassembly_outcome(cx: &mut Cx, node: NodeId, sub: NodeId, tvb: &Tvb, r: &AddResult) -> bool {
    for msg in &r.dropped {
        cx.expert(node, &REASSEMBLY_DROPPED, Some(msg.clone()));
    }
    if r.overlap {
        cx.add_generated(sub, &FRAGMENT_OVERLAP, Value::Bool(true));
    }
    if r.conflict {
        let n = cx.add_generated(sub, &FRAGMENT_OVERLAP_CONFLICTS, Value::Bool(true));
        cx.expert(n, &FRAGMENT_CONFLICT, None);
    }
    if r.too_long {
        let n = cx.add_generated(sub, &FRAGMENT_TOO_LONG, Value::Bool(true));
        cx.expert(n, &FRAGMENT_TOO_LONG_EXPERT, None);
    }
    if let Some(f) = r.reassembled_in {
        cx.add_generated(node, &REASSEMBLED_IN, Value::UInt(f));
    }
    let _ = tvb;
    r.reassembled.is_some()
}

/// On the completing fragment: the fragment list, then the reassembled datagram to IPv6.
fn deliver(cx: &mut Cx, node: NodeId, parent: NodeId, r: AddResult) {
    let Some(mut data) = r.reassembled else {
        return;
    };
    let ft = cx.add(node, &FRAGMENTS, ByteRange::default(), Value::None);
    cx.set_text(
        ft,
        format_args!(
            "{} 6LoWPAN fragments ({} bytes)",
            r.frames.len(),
            data.len()
        ),
    );
    for f in &r.frames {
        let n = cx.add(ft, &FRAGMENT, ByteRange::default(), Value::UInt(*f));
        // tshark's label: "Frame: 4, payload: 0-87 (88 bytes)".
        let parts: Vec<String> = r
            .pieces
            .iter()
            .filter(|p| p.0 == *f)
            .map(|p| format!("{}-{} ({} bytes)", p.1, (p.1 + p.2).saturating_sub(1), p.2))
            .collect();
        cx.set_text(n, format_args!("Frame: {f}, payload: {}", parts.join(", ")));
    }
    cx.add(
        ft,
        &FRAGMENT_COUNT,
        ByteRange::default(),
        Value::UInt(r.frames.len() as u64),
    );
    cx.add(
        ft,
        &REASSEMBLED_LENGTH,
        ByteRange::default(),
        Value::UInt(data.len() as u64),
    );
    let vals = fill_checksums(&mut data, &r.fixes);
    for v in vals {
        let n = cx.add_generated(node, &UDP_CHECKSUM, Value::UInt(0xffff));
        show_elided_checksum(cx, n, v);
    }
    let src = cx.add_source("Reassembled 6LoWPAN", data);
    cx.call(&crate::proto::ipv6::PROTOCOL, &src.tvb(), parent);
}

// ---- test support ------------------------------------------------------------------------------

/// A pseudo link layer for unit tests: the 802.15.4 addresses come in a small header, so
/// 6LoWPAN can be tested without the 802.15.4 dissector.
#[cfg(test)]
pub(crate) mod testlink {
    use super::*;
    use crate::engine::{Engine, Prefs};
    use std::sync::Arc;

    /// LINKTYPE_USER0.
    pub const LINK: u32 = 147;

    static TEST_PROTO: FieldDef = FieldDef::protocol("lowpantest", "6LoWPAN test link");

    static TEST_LINK: Protocol = Protocol {
        name: "lowpantest",
        short_name: "TEST",
        field: &TEST_PROTO,
        fields: &[],
        experts: &[],
        prefs: &[],
        dissect: link_dissect,
        register: |_: &mut Registry| {},
    };

    fn read_addr(tvb: &Tvb, off: &mut usize) -> Result<Address> {
        let mode = tvb.u8(*off)?;
        *off += 1;
        Ok(match mode {
            2 => {
                let pan = tvb.be_u16(*off)?;
                let addr = tvb.be_u16(*off + 2)?;
                *off += 4;
                Address::Wpan16 { pan, addr }
            }
            3 => {
                let a = tvb.array(*off)?;
                *off += 8;
                Address::Eui64(a)
            }
            _ => Address::None,
        })
    }

    fn link_dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
        let mut off = 0;
        cx.info.dl_src = read_addr(tvb, &mut off)?;
        cx.info.dl_dst = read_addr(tvb, &mut off)?;
        let payload = tvb.sub_from(off)?;
        cx.call(&PROTOCOL, &payload, parent);
        Ok(())
    }

    fn put_addr(v: &mut Vec<u8>, a: &Address) {
        match a {
            Address::Wpan16 { pan, addr } => {
                v.push(2);
                v.extend_from_slice(&pan.to_be_bytes());
                v.extend_from_slice(&addr.to_be_bytes());
            }
            Address::Eui64(e) => {
                v.push(3);
                v.extend_from_slice(e);
            }
            _ => v.push(0),
        }
    }

    /// A frame for [`LINK`]: the two addresses, then the 6LoWPAN payload.
    pub fn frame(src: &Address, dst: &Address, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![];
        put_addr(&mut v, src);
        put_addr(&mut v, dst);
        v.extend_from_slice(payload);
        v
    }

    /// An engine that knows the test link type.
    pub fn engine() -> Engine {
        let mut r = Registry::builtin();
        r.add(tables::LINK_TYPE, LINK as u64, &TEST_LINK);
        Engine::new(Arc::new(r), Prefs::default())
    }
}

pub mod frag;

#[cfg(test)]
mod tests;
