//! IPv4 (RFC 791), with options (RFC 791 §3.1) and header checksum status.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version|  IHL  |   DSCP    |ECN|          Total Length         |
//! |         Identification        |Flags|      Fragment Offset    |
//! |  Time to Live |    Protocol   |         Header Checksum       |
//! |                       Source Address                          |
//! |                    Destination Address                        |
//! |                    Options                    |    Padding    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Like tshark, the header checksum is only verified when `ip.check_checksum` is on. Fragments are
//! flagged and their payload is shown as data (reassembly of IPv4 is not done).

use crate::analysis::reassembly::{FragmentTable, Limits, Outcome};
use crate::engine::address::Address;
use crate::engine::checksum::{self, status};
use crate::engine::context::ChecksumFields;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tlv::{Tlv, TlvFormat, TlvKind};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

/// IP protocol numbers (IANA), shared by IPv4's protocol and IPv6's next header.
pub static IP_PROTOCOLS: &[(u64, &str)] = &[
    (0, "IPv6 Hop-by-Hop Option"),
    (1, "ICMP"),
    (2, "IGMP"),
    (4, "IPIP"),
    (6, "TCP"),
    (17, "UDP"),
    (41, "IPv6"),
    (43, "Routing Header for IPv6"),
    (44, "Fragment Header for IPv6"),
    (47, "Generic Routing Encapsulation"),
    (50, "Encap Security Payload"),
    (51, "Authentication Header"),
    (58, "ICMPv6"),
    (59, "IPv6 No Next Header"),
    (60, "Destination Options for IPv6"),
    (89, "OSPF IGP"),
    (103, "PIM"),
    (112, "Virtual Router Redundancy Protocol"),
    (132, "Stream Control Transmission Protocol"),
    (135, "Mobility Header"),
    (136, "UDPLite"),
    (139, "Host Identity Protocol"),
    (143, "Ethernet"),
];

pub static OPTION_TYPES: &[(u64, &str)] = &[
    (0, "End of Options List (EOL)"),
    (1, "No-Operation (NOP)"),
    (7, "Record Route"),
    (68, "Time Stamp"),
    (130, "Security"),
    (131, "Loose Source Route"),
    (136, "Stream ID"),
    (137, "Strict Source Route"),
    (148, "Router Alert"),
];

crate::fields! {
    PROTO = FieldDef::protocol("ip", "Internet Protocol Version 4");
    VERSION = FieldDef::new("ip.version", "Version", T::U8).mask(0xf0);
    HDR_LEN = FieldDef::new("ip.hdr_len", "Header Length", T::U8).unit("bytes");
    DSFIELD = FieldDef::new("ip.dsfield", "Differentiated Services Field", T::U8).hex();
    DSCP = FieldDef::new("ip.dsfield.dscp", "Differentiated Services Codepoint", T::U8).mask(0xfc);
    ECN = FieldDef::new("ip.dsfield.ecn", "Explicit Congestion Notification", T::U8).mask(0x03).vals(&[
        (0, "Not ECN-Capable Transport"), (1, "ECN-Capable Transport codepoint '01'"),
        (2, "ECN-Capable Transport codepoint '10'"), (3, "Congestion Experienced"),
    ]);
    LEN = FieldDef::new("ip.len", "Total Length", T::U16);
    ID = FieldDef::new("ip.id", "Identification", T::U16).base(crate::engine::field::Base::HexDec);
    FLAGS = FieldDef::new("ip.flags", "Flags", T::U8).hex().mask(0xe0);
    FLAGS_RB = FieldDef::flag("ip.flags.rb", "Reserved bit", 8, 0x80);
    FLAGS_DF = FieldDef::flag("ip.flags.df", "Don't fragment", 8, 0x40);
    FLAGS_MF = FieldDef::flag("ip.flags.mf", "More fragments", 8, 0x20);
    FRAG_OFFSET = FieldDef::new("ip.frag_offset", "Fragment Offset", T::U16).mask(0x1fff);
    TTL = FieldDef::new("ip.ttl", "Time to Live", T::U8);
    PROTO_NUM = FieldDef::new("ip.proto", "Protocol", T::U8).vals(IP_PROTOCOLS);
    CHECKSUM = FieldDef::new("ip.checksum", "Header Checksum", T::U16).hex();
    CHECKSUM_CALCULATED = FieldDef::new("ip.checksum_calculated", "Calculated Checksum", T::U16).hex();
    CHECKSUM_STATUS = FieldDef::new("ip.checksum.status", "Header checksum status", T::U8).vals(status::NAMES);
    SRC = FieldDef::new("ip.src", "Source Address", T::Ipv4);
    ADDR = FieldDef::new("ip.addr", "Source or Destination Address", T::Ipv4);
    SRC_HOST = FieldDef::new("ip.src_host", "Source Host", T::String);
    HOST = FieldDef::new("ip.host", "Source or Destination Host", T::String);
    DST = FieldDef::new("ip.dst", "Destination Address", T::Ipv4);
    DST_HOST = FieldDef::new("ip.dst_host", "Destination Host", T::String);
    OPT_TYPE = FieldDef::new("ip.opt.type", "Type", T::U8).vals(OPTION_TYPES);
    OPT_TYPE_COPY = FieldDef::flag("ip.opt.type.copy", "Copy on fragmentation", 8, 0x80).tfs("Yes", "No");
    OPT_TYPE_CLASS = FieldDef::new("ip.opt.type.class", "Class", T::U8).mask(0x60).vals(&[
        (0, "Control"), (1, "Reserved for future use"), (2, "Debugging and measurement"), (3, "Reserved for future use"),
    ]);
    OPT_TYPE_NUMBER = FieldDef::new("ip.opt.type.number", "Number", T::U8).mask(0x1f);
    OPT_LEN = FieldDef::new("ip.opt.len", "Length", T::U8);
    OPT_RA = FieldDef::new("ip.opt.ra", "Router Alert", T::U16).vals(&[(0, "Router shall examine packet")]);
    OPT_DATA = FieldDef::new("ip.opt.data", "Data", T::Bytes);
    OPT_PADDING = FieldDef::new("ip.opt.padding", "Padding", T::Bytes);
    FRAGMENTS = FieldDef::new("ip.fragments", "IPv4 Fragments", T::Bytes);
    FRAGMENT = FieldDef::new("ip.fragment", "IPv4 Fragment", T::FrameNum);
    FRAGMENT_COUNT = FieldDef::new("ip.fragment.count", "Fragment count", T::U32);
    REASSEMBLED_LENGTH = FieldDef::new("ip.reassembled.length", "Reassembled IPv4 length", T::U32);
    REASSEMBLED_DATA = FieldDef::new("ip.reassembled.data", "Reassembled IPv4 data", T::Bytes);
}

crate::experts! {
    BOGUS_VERSION = ExpertDef::new("ip.bogus_ip_version", Group::Protocol, Severity::Error, "Bogus IP version");
    BOGUS_HEADER_LENGTH = ExpertDef::new("ip.bogus_header_length", Group::Protocol, Severity::Error, "Bogus IP header length");
    BOGUS_LENGTH = ExpertDef::new("ip.bogus_ip_length", Group::Protocol, Severity::Error, "Bogus IP length");
    CHECKSUM_BAD = ExpertDef::new("ip.checksum_bad.expert", Group::Checksum, Severity::Error, "Bad checksum");
    FRAGMENT_CONFLICT = ExpertDef::new("ip.fragment.conflict", Group::Reassemble, Severity::Warn, "IPv4 fragments could not be reassembled");
    FRAGMENTS_DROPPED = ExpertDef::new("ip.fragment.dropped", Group::Reassemble, Severity::Note, "Incomplete IPv4 datagrams were dropped to stay within the reassembly limits");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "ip",
    short_name: "IPv4",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[
        PrefDef {
            name: "ip.check_checksum",
            description: "Validate the IPv4 checksum if possible",
            default: "FALSE",
        },
        PrefDef {
            name: "ip.defragment",
            description: "Reassemble fragmented IPv4 datagrams",
            default: "TRUE",
        },
    ],
    dissect,
    register,
};

fn register(r: &mut Registry) {
    r.add(tables::ETHERTYPE, 0x0800, &PROTOCOL);
    r.add(tables::LINK_TYPE, 228, &PROTOCOL);
    r.add(tables::IP_PROTO, 4, &PROTOCOL);
    // LINKTYPE_RAW (101) is IPv4 or IPv6 by the version nibble.
    r.add(tables::LINK_TYPE, 101, &RAW);
}

/// Raw IP: the version nibble picks IPv4 or IPv6.
pub static RAW: Protocol = Protocol {
    name: "raw",
    short_name: "Raw",
    field: &RAW_PROTO,
    fields: &[],
    experts: &[],
    prefs: &[],
    dissect: dissect_raw,
    register: |_: &mut Registry| {},
};

pub static RAW_PROTO: FieldDef = FieldDef::protocol("raw", "Raw packet data");

fn dissect_raw(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &RAW, tvb.range(0, 0));
    cx.set_text(node, "Raw packet data");
    match tvb.u8(0)? >> 4 {
        4 => {
            cx.call(&PROTOCOL, tvb, parent);
        }
        6 => {
            cx.call(&crate::proto::ipv6::PROTOCOL, tvb, parent);
        }
        _ => cx.call_data(tvb, parent),
    }
    Ok(())
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let first = tvb.u8(0)?;
    let hdr_len = ((first & 0x0f) as usize) * 4;
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, hdr_len.max(20)));
    check_version_and_length(cx, node, tvb, first, hdr_len)?;
    cx.add_bitmask8(node, &DSFIELD, &[&DSCP, &ECN], tvb, 1)?;
    let total_len = cx.add_be_u16(node, &LEN, tvb, 2)? as usize;
    cx.add_be_u16(node, &ID, tvb, 4)?;
    let ff = tvb.be_u16(6)?;
    let flags = cx.add_uint(node, &FLAGS, tvb.range(6, 1), (ff >> 8) as u64);
    cx.add_bits(
        flags,
        &[&FLAGS_RB, &FLAGS_DF, &FLAGS_MF],
        tvb.range(6, 1),
        (ff >> 8) as u64,
    );
    cx.add_uint(node, &FRAG_OFFSET, tvb.range(6, 2), ff as u64);
    cx.info.hop_limit = Some(cx.add_u8(node, &TTL, tvb, 8)?);
    let proto = cx.add_u8(node, &PROTO_NUM, tvb, 9)?;
    let header = tvb.bytes(0, hdr_len)?;
    cx.add_be_u16(node, &CHECKSUM, tvb, 10)?;
    add_checksum_status(cx, node, tvb, header);
    let src: [u8; 4] = tvb.array(12)?;
    let dst: [u8; 4] = tvb.array(16)?;
    add_address(cx, node, tvb, 12, src, &SRC, &SRC_HOST);
    add_address(cx, node, tvb, 16, dst, &DST, &DST_HOST);
    let (s, d) = (Address::Ipv4(src), Address::Ipv4(dst));
    set_network_addresses(cx, node, "Internet Protocol Version 4", s, d);
    if hdr_len > 20 {
        dissect_options(cx, node, &tvb.sub(20, hdr_len - 20)?)?;
    }
    if total_len < hdr_len {
        cx.expert_with(node, &BOGUS_LENGTH, || {
            format!("Bogus IP length ({total_len}, less than header length {hdr_len})")
        });
        return Err(Error::Malformed("bogus IP length".into()));
    }
    // The payload ends where the IP length says (the rest is link-layer padding); a capture
    // cut short keeps what there is.
    let payload = tvb.sub_clamped(hdr_len, total_len - hdr_len);
    let more_fragments = ff & 0x2000 != 0;
    let frag_offset = ff & 0x1fff;
    if more_fragments || frag_offset != 0 {
        let id = tvb.be_u16(4)?;
        return dissect_fragment(
            cx,
            node,
            parent,
            &payload,
            (src, dst, id, proto),
            frag_offset as usize * 8,
            more_fragments,
        );
    }
    dispatch_payload(cx, proto, &payload, parent);
    Ok(())
}

/// Hands the payload to its IP protocol; with none to take it (or its protocol turned off),
/// data, and the Info column names the protocol number as tshark's does.
fn dispatch_payload(cx: &mut Cx, proto: u8, payload: &Tvb, parent: NodeId) {
    if !cx.call_table(tables::IP_PROTO, proto as u64, payload, parent) {
        let name = crate::engine::field::val_to_str(IP_PROTOCOLS, proto as u64);
        cx.set_info(format_args!("{} ({proto})", name.unwrap_or("Unknown")));
        cx.call_data(payload, parent);
    }
}

/// The version and header length fields; a bogus one ends the dissection.
fn check_version_and_length(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    first: u8,
    hdr_len: usize,
) -> Result<()> {
    cx.add_uint(node, &VERSION, tvb.range(0, 1), first as u64);
    if first >> 4 != 4 {
        cx.expert_with(node, &BOGUS_VERSION, || {
            format!("Bogus IP version ({})", first >> 4)
        });
        return Err(Error::Malformed("bogus IP version".into()));
    }
    let hl = cx.add(node, &HDR_LEN, tvb.range(0, 1), Value::UInt(hdr_len as u64));
    if hdr_len < 20 {
        cx.expert_with(hl, &BOGUS_HEADER_LENGTH, || {
            format!("Bogus IP header length ({hdr_len}, must be at least 20)")
        });
        return Err(Error::Malformed("bogus IP header length".into()));
    }
    Ok(())
}

/// The header checksum's status (checked only with `ip.check_checksum`, as tshark).
fn add_checksum_status(cx: &mut Cx, node: NodeId, tvb: &Tvb, header: &[u8]) {
    let check = cx.prefs.bool("ip.check_checksum", false).then(|| {
        // The value the field should hold: the sum with the checksum field taken as zero.
        let computed = checksum::finish(checksum::sum_words(
            checksum::sum_words(0, &header[..10]),
            &header[12..],
        ));
        (checksum::internet_checksum(header) == 0, computed)
    });
    let fields = ChecksumFields {
        status: &CHECKSUM_STATUS,
        bad: &CHECKSUM_BAD,
        calculated: Some(&CHECKSUM_CALCULATED),
        say_expected: true,
    };
    cx.add_checksum_status(node, tvb.range(10, 2), &fields, check);
}

/// IPv4 reassembly state: datagrams keyed by source, destination, identification and protocol.
#[derive(Clone)]
pub struct IpState {
    fragments: FragmentTable<([u8; 4], [u8; 4], u16, u8)>,
}

impl Default for IpState {
    fn default() -> Self {
        IpState {
            fragments: FragmentTable::new(Limits::default()),
        }
    }
}

/// A fragment: held until its datagram is whole, then the datagram is decoded as a new data
/// source on the fragment that completed it (RFC 791 §3.2).
fn dissect_fragment(
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    payload: &Tvb,
    key: ([u8; 4], [u8; 4], u16, u8),
    offset: usize,
    more: bool,
) -> Result<()> {
    let proto = key.3;
    let info = format!(
        "Fragmented IP protocol (proto={} {}, off={}, ID={:04x})",
        crate::engine::field::val_to_str(IP_PROTOCOLS, proto as u64).unwrap_or("Unknown"),
        proto,
        offset,
        key.2
    );
    if !cx.prefs.bool("ip.defragment", true) || cx.in_error {
        cx.set_info(info);
        cx.call_data(payload, parent);
        return Ok(());
    }
    let (ts, frame) = (cx.meta.ts_ns, cx.meta.number);
    let state = cx.session.get::<IpState>();
    let outcome = state
        .fragments
        .add(key, ts, frame, offset, payload.data(), !more);
    let evicted = state.fragments.take_evicted();
    if evicted > 0 {
        cx.expert_with(node, &FRAGMENTS_DROPPED, || {
            format!(
                "{evicted} incomplete IPv4 datagrams dropped to stay within the reassembly limits"
            )
        });
    }
    match outcome {
        Outcome::Complete { data, fragments } => {
            let len = data.len();
            let src = cx.add_source(format!("Reassembled IPv4 ({len} bytes)"), data);
            let tvb = src.tvb();
            let list = cx.add_with(node, &FRAGMENTS, tvb.whole(), || Value::bytes(tvb.data()));
            cx.set_text(
                list,
                format_args!("[{} IPv4 Fragments ({len} bytes)]", fragments.len()),
            );
            for f in &fragments {
                let n = cx.add(list, &FRAGMENT, ByteRange::default(), Value::UInt(f.frame));
                let end = (f.offset + f.len).saturating_sub(1);
                cx.set_text(
                    n,
                    format_args!(
                        "[Frame: {}, payload: {}-{} ({} bytes)]",
                        f.frame, f.offset, end, f.len
                    ),
                );
            }
            cx.add_generated(list, &FRAGMENT_COUNT, Value::UInt(fragments.len() as u64));
            cx.add_generated(list, &REASSEMBLED_LENGTH, Value::UInt(len as u64));
            cx.add_with(list, &REASSEMBLED_DATA, tvb.whole(), || {
                Value::bytes(tvb.data())
            });
            dispatch_payload(cx, proto, &tvb, parent);
        }
        Outcome::Incomplete => {
            cx.set_info(info);
            cx.call_data(payload, parent);
        }
        Outcome::Conflict(why) => {
            cx.expert_with(node, &FRAGMENT_CONFLICT, || {
                format!("IPv4 fragments could not be reassembled: {why}")
            });
            cx.set_info(info);
            cx.call_data(payload, parent);
        }
    }
    Ok(())
}

fn add_address(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    off: usize,
    a: [u8; 4],
    field: &'static FieldDef,
    host: &'static FieldDef,
) {
    let r = tvb.range(off, 4);
    cx.add(node, field, r, Value::Ipv4(a));
    cx.add_hidden(node, &ADDR, r, Value::Ipv4(a));
    // The host names are the address as text, made only for a tree that keeps them.
    let text = || Value::str(Address::Ipv4(a).to_string());
    cx.add_hidden_with(node, host, r, text);
    cx.add_hidden_with(node, &HOST, r, text);
}

fn dissect_options(cx: &mut Cx, node: NodeId, opts: &Tvb) -> Result<()> {
    let list = cx.add_text(
        node,
        opts.whole(),
        format_args!("Options: ({} bytes)", opts.len()),
    );
    for t in TlvFormat::IP_OPTIONS.walk(opts, 0, opts.len()) {
        let off = t.off;
        match t.kind {
            TlvKind::End => {
                let o = cx.add_text(
                    list,
                    opts.range(off, 1),
                    "IP Option - End of Options List (EOL)",
                );
                add_type(cx, o, opts, off, 0);
                if off + 1 < opts.len() {
                    cx.add_bytes(list, &OPT_PADDING, opts, off + 1, opts.len() - off - 1)?;
                }
            }
            TlvKind::Pad => {
                let o = cx.add_text(list, opts.range(off, 1), "IP Option - No-Operation (NOP)");
                add_type(cx, o, opts, off, 1);
            }
            TlvKind::Item => dissect_option(cx, list, opts, &t)?,
            _ => {
                let len = opts.u8(off + 1)?;
                return Err(Error::Malformed(format!(
                    "IP option length {len} is invalid"
                )));
            }
        }
    }
    Ok(())
}

/// One type-length option, well formed.
fn dissect_option(cx: &mut Cx, list: NodeId, opts: &Tvb, t: &Tlv) -> Result<()> {
    let (ty, off, len) = (t.ty as u8, t.off, t.total_len());
    let name = crate::engine::field::val_to_str(OPTION_TYPES, ty as u64).unwrap_or("Unknown");
    let o = cx.add_text(
        list,
        opts.range(off, len),
        format_args!("IP Option - {name} ({len} bytes)"),
    );
    add_type(cx, o, opts, off, ty);
    cx.add_u8(o, &OPT_LEN, opts, off + 1)?;
    if ty == 148 && len == 4 {
        cx.add_be_u16(o, &OPT_RA, opts, off + 2)?;
    } else if len > 2 {
        cx.add_bytes(o, &OPT_DATA, opts, off + 2, len - 2)?;
    }
    Ok(())
}

fn add_type(cx: &mut Cx, o: NodeId, opts: &Tvb, off: usize, t: u8) {
    let r = opts.range(off, 1);
    let n = cx.add(o, &OPT_TYPE, r, Value::UInt(t as u64));
    cx.add_bits(
        n,
        &[&OPT_TYPE_COPY, &OPT_TYPE_CLASS, &OPT_TYPE_NUMBER],
        r,
        t as u64,
    );
}

/// A network layer's addresses: in its summary line, in the packet info the upper layers key
/// on (ports, checksums, conversations) and in the address columns.
pub(crate) fn set_network_addresses(
    cx: &mut Cx,
    node: NodeId,
    title: &str,
    src: Address,
    dst: Address,
) {
    cx.set_text(node, format_args!("{title}, Src: {src}, Dst: {dst}"));
    cx.info.net_src = src;
    cx.info.net_dst = dst;
    cx.set_addresses(src, dst);
}

/// Packets shared by the unit tests of the layers above IPv4.
#[cfg(test)]
pub mod tests_support {
    /// IPv4 + UDP from a real CoAP capture (127.0.0.1 -> 127.0.0.1), checksum field 0.
    pub const IPV4_UDP: &[u8] = &[
        0x45, 0x00, 0x00, 0x29, 0x71, 0xac, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 127, 0, 0, 1, 127,
        0, 0, 1, 0xd6, 0x31, 0x16, 0x33, 0x00, 0x15, 0xfe, 0x28, 0x42, 0x01, 0xaa, 0x01, 0x62,
        0xda, 0xb4, 0x74, 0x65, 0x73, 0x74, 0xc1, 0x02,
    ];
}

#[cfg(test)]
mod tests {
    use super::tests_support::IPV4_UDP;
    use crate::testutil::{assert_truncations_are_malformed, dissect_one};

    #[test]
    fn header_fields() {
        let p = dissect_one(228, IPV4_UDP);
        assert_eq!(p.show("ip.version"), ["4"]);
        assert_eq!(p.show("ip.hdr_len"), ["20"]);
        assert_eq!(p.show("ip.id"), ["0x71ac"]);
        assert_eq!(p.show("ip.flags"), ["0x00"]);
        assert_eq!(p.show("ip.proto"), ["17"]);
        assert_eq!(p.show("ip.checksum.status"), ["2"]);
        assert_eq!(p.show("ip.addr"), ["127.0.0.1", "127.0.0.1"]);
        assert_eq!(p.show("udp.dstport"), ["5683"]);
    }

    #[test]
    fn options_and_fragments() {
        // Router alert option, more-fragments set.
        let mut h = vec![
            0x46, 0, 0, 28, 0, 1, 0x20, 0, 1, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 148, 4, 0, 0,
        ];
        h.extend_from_slice(&[1, 2, 3, 4]);
        let p = dissect_one(228, &h);
        assert_eq!(p.show("ip.opt.ra"), ["0"]);
        assert_eq!(p.show("ip.flags.mf"), ["1"]);
        assert!(!p.has("udp"));
        assert!(p.info().starts_with("Fragmented IP protocol"));
    }

    #[test]
    fn bad_checksum_when_checking_is_on() {
        let mut e = crate::engine::Engine::with_defaults();
        e.prefs.set("ip.check_checksum", "TRUE");
        let mut bad = IPV4_UDP.to_vec();
        let p = crate::testutil::dissect_with(&mut e, 228, &bad);
        assert_eq!(p.show("ip.checksum.status"), ["0"]); // checksum field is 0 in the capture
        assert!(p.has("ip.checksum_bad.expert"));
        bad[10..12].copy_from_slice(&[0x0b, 0x16]); // tshark's calculated value
        let p = crate::testutil::dissect_with(&mut e, 228, &bad);
        assert_eq!(p.show("ip.checksum.status"), ["1"]);
    }

    #[test]
    fn truncation_never_panics() {
        assert_truncations_are_malformed(228, IPV4_UDP, 28);
    }
}

pub mod icmp;
