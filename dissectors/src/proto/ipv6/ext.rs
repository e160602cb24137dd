//! IPv6 extension headers (RFC 8200 §4): Hop-by-Hop Options (next header 0), Routing (43),
//! Fragment (44) and Destination Options (60), each a protocol of its own in the IP protocol
//! table so a chain in any order is followed one header at a time through
//! [`crate::proto::ipv6::dispatch_next`].
//!
//! ```text
//! Options header (Hop-by-Hop, Destination)      Routing header
//! +--------+--------+------------------+        +--------+--------+--------+--------+
//! |  Next  | HdrLen |  options (TLV)…  |        |  Next  | HdrLen |  Type  |SegLeft |
//! +--------+--------+------------------+        +--------+--------+--------+--------+
//! option: | type (act:2 chg:1 rest:5) | len | data |   |        type-specific data         |
//!
//! Fragment header (RFC 8200 §4.5)
//! +--------+--------+-------------------------+-+-+
//! |  Next  |Reserved|  Fragment Offset (13) |Res|M|
//! +--------+--------+-------------------------+-+-+
//! |                 Identification                |
//! +-----------------------------------------------+
//!
//! RPL Source Route header, routing type 3 (RFC 6554 §3)
//! +--------+--------+--------+--------+
//! |  Next  | HdrLen |   3    |SegLeft |
//! +----+----+----+--+--------+--------+
//! |CmpI|CmpE|Pad |    Reserved (20)    |
//! +----+----+----+--------------------+
//! |  Addresses[1..n-1] (16-CmprI bytes each), Address[n] (16-CmprE) |
//! ```
//!
//! tshark nests the extension headers inside the IPv6 layer they belong to while the protocol
//! that follows them is a layer of its own, so each header hangs its node under the last IPv6
//! node of `parent` and hands the rest on with `parent` unchanged.
//!
//! Options: Pad1, PadN, Router Alert (RFC 2711), Jumbo Payload (RFC 2675), the RPL option
//! (RFC 6553, types 0x63 and 0x23 of RFC 9008), Tunnel Encapsulation Limit; any other by type,
//! with the action its two high bits ask of a node that does not know it.
//!
//! Fragments are reassembled (bounded: datagrams in progress, bytes per datagram and in total,
//! age in frames); the reassembled datagram becomes a new data source, decoded on the last
//! fragment.

use crate::engine::address::Address;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tlv::{TlvFormat, TlvKind};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::{Cx, Endian, Ipv6Header};
use foldhash::HashMap;

pub static OPTION_TYPES: &[(u64, &str)] = &[
    (0x00, "Pad1"),
    (0x01, "PadN"),
    (0x04, "Tunnel Encapsulation Limit"),
    (0x05, "Router Alert"),
    (0x07, "CALIPSO"),
    (0x08, "SMF_DPD"),
    (0x0f, "Performance and Diagnostic Metrics"),
    (0x23, "RPL Option"),
    (0x26, "Quick-Start"),
    (0x31, "IOAM"),
    (0x63, "RPL Option"),
    (0x6d, "MPL Option"),
    (0x8a, "Endpoint Identification"),
    (0x8b, "ILNP Nonce"),
    (0x8c, "Line-Identification Option"),
    (0xc2, "Jumbo Payload"),
    (0xc9, "Home Address Option"),
    (0xee, "IP_DFF"),
];

static ACTIONS: &[(u64, &str)] = &[
    (0, "Skip and continue"),
    (1, "Discard"),
    (2, "Discard and send ICMP Parameter Problem"),
    (3, "Discard and send ICMP if not multicast"),
];

pub static ROUTING_TYPES: &[(u64, &str)] = &[
    (0, "Source Route"),
    (1, "Nimrod"),
    (2, "Type 2 Routing"),
    (3, "RPL Source Route"),
    (4, "Segment Routing"),
    (5, "Compact Routing Header 16"),
    (6, "Compact Routing Header 32"),
];

crate::fields! {
    HOP_PROTO = FieldDef::protocol("ipv6.hopopts", "IPv6 Hop-by-Hop Option");
    HOP_NXT = FieldDef::new("ipv6.hopopts.nxt", "Next Header", T::U8).vals(crate::proto::ipv4::IP_PROTOCOLS);
    HOP_LEN = FieldDef::new("ipv6.hopopts.len", "Length", T::U8);
    HOP_LEN_OCT = FieldDef::new("ipv6.hopopts.len_oct", "Length", T::U16).unit("bytes");
    DST_PROTO = FieldDef::protocol("ipv6.dstopts", "Destination Options for IPv6");
    DST_NXT = FieldDef::new("ipv6.dstopts.nxt", "Next Header", T::U8).vals(crate::proto::ipv4::IP_PROTOCOLS);
    DST_LEN = FieldDef::new("ipv6.dstopts.len", "Length", T::U8);
    DST_LEN_OCT = FieldDef::new("ipv6.dstopts.len_oct", "Length", T::U16).unit("bytes");

    OPT = FieldDef::new("ipv6.opt", "IPv6 Option", T::None);
    OPT_TYPE = FieldDef::new("ipv6.opt.type", "Type", T::U8).hex().vals(OPTION_TYPES);
    OPT_TYPE_ACTION = FieldDef::new("ipv6.opt.type.action", "Action", T::U8).mask(0xc0).vals(ACTIONS);
    OPT_TYPE_CHANGE = FieldDef::flag("ipv6.opt.type.change", "May Change", 8, 0x20).tfs("May change en route", "Does not change en route");
    OPT_TYPE_REST = FieldDef::new("ipv6.opt.type.rest", "Low-Order Bits", T::U8).hex().mask(0x1f);
    OPT_LENGTH = FieldDef::new("ipv6.opt.length", "Length", T::U8);
    OPT_PAD1 = FieldDef::new("ipv6.opt.pad1", "Pad1", T::None);
    OPT_PADN = FieldDef::new("ipv6.opt.padn", "PadN", T::Bytes);
    OPT_ROUTER_ALERT = FieldDef::new("ipv6.opt.router_alert", "Router Alert", T::U16).vals(&[
        (0, "MLD"), (1, "RSVP"), (2, "Active Networks"),
    ]);
    OPT_TEL = FieldDef::new("ipv6.opt.tel", "Tunnel Encapsulation Limit", T::U8);
    OPT_JUMBO = FieldDef::new("ipv6.opt.jumbo", "Payload Length", T::U32).unit("bytes");
    OPT_RPL_FLAG = FieldDef::new("ipv6.opt.rpl.flag", "Flag", T::U8).hex();
    OPT_RPL_FLAG_O = FieldDef::flag("ipv6.opt.rpl.flag.o", "Down", 8, 0x80);
    OPT_RPL_FLAG_R = FieldDef::flag("ipv6.opt.rpl.flag.r", "Rank Error", 8, 0x40);
    OPT_RPL_FLAG_F = FieldDef::flag("ipv6.opt.rpl.flag.f", "Forwarding Error", 8, 0x20);
    OPT_RPL_FLAG_RSV = FieldDef::new("ipv6.opt.rpl.flag.rsv", "Reserved", T::U8).hex().mask(0x1f);
    OPT_RPL_INSTANCE = FieldDef::new("ipv6.opt.rpl.instance_id", "RPLInstanceID", T::U8).hex();
    OPT_RPL_RANK = FieldDef::new("ipv6.opt.rpl.sender_rank", "Sender Rank", T::U16).hex();
    OPT_HOME_ADDRESS = FieldDef::new("ipv6.opt.mipv6.home_address", "MIPv6 Home Address", T::Ipv6);
    OPT_EXPERIMENTAL = FieldDef::new("ipv6.opt.experimental", "Experimental Option", T::Bytes);
    OPT_UNKNOWN = FieldDef::new("ipv6.opt.unknown", "Unknown Option Payload", T::Bytes);

    RT_PROTO = FieldDef::protocol("ipv6.routing", "Routing Header for IPv6");
    RT_NXT = FieldDef::new("ipv6.routing.nxt", "Next Header", T::U8).vals(crate::proto::ipv4::IP_PROTOCOLS);
    RT_LEN = FieldDef::new("ipv6.routing.len", "Length", T::U8);
    RT_LEN_OCT = FieldDef::new("ipv6.routing.len_oct", "Length", T::U16).unit("bytes");
    RT_TYPE = FieldDef::new("ipv6.routing.type", "Type", T::U8).vals(ROUTING_TYPES);
    RT_SEGLEFT = FieldDef::new("ipv6.routing.segleft", "Segments Left", T::U8);
    RT_UNKNOWN = FieldDef::new("ipv6.routing.unknown_data", "Type-Specific Data", T::Bytes);
    RT_SRC_RESERVED = FieldDef::new("ipv6.routing.src.reserved", "Reserved", T::Bytes);
    RT_SRC_ADDR = FieldDef::new("ipv6.routing.src.addr", "Address", T::Ipv6);
    RT_MIPV6_RESERVED = FieldDef::new("ipv6.routing.mipv6.reserved", "Reserved", T::Bytes);
    RT_MIPV6_HOME = FieldDef::new("ipv6.routing.mipv6.home_address", "Home Address", T::Ipv6);
    RT_RPL_CMPRI = FieldDef::new("ipv6.routing.rpl.cmprI", "Compressed Internal Octets (CmprI)", T::U32).mask(0xf000_0000);
    RT_RPL_CMPRE = FieldDef::new("ipv6.routing.rpl.cmprE", "Compressed Final Octets (CmprE)", T::U32).mask(0x0f00_0000);
    RT_RPL_PAD = FieldDef::new("ipv6.routing.rpl.pad", "Padding Bytes", T::U32).mask(0x00f0_0000);
    RT_RPL_RESERVED = FieldDef::new("ipv6.routing.rpl.reserved", "Reserved", T::U32).mask(0x000f_ffff);
    RT_RPL_ADDR_COUNT = FieldDef::new("ipv6.routing.rpl.addr_count", "Total Address Count", T::I32);
    RT_RPL_ADDRESS = FieldDef::new("ipv6.routing.rpl.address", "Address", T::Bytes);
    RT_RPL_FULL_ADDRESS = FieldDef::new("ipv6.routing.rpl.full_address", "Full Address", T::Ipv6);
    RT_SRH_LAST_ENTRY = FieldDef::new("ipv6.routing.srh.last_entry", "Last Entry", T::U8);
    RT_SRH_FLAGS = FieldDef::new("ipv6.routing.srh.flags", "Flags", T::U8).hex();
    RT_SRH_TAG = FieldDef::new("ipv6.routing.srh.tag", "Tag", T::Bytes);
    RT_SRH_ADDR = FieldDef::new("ipv6.routing.srh.addr", "Address", T::Ipv6);

    FRAG_PROTO = FieldDef::protocol("ipv6.fraghdr", "Fragment Header for IPv6");
    FRAG_NXT = FieldDef::new("ipv6.fraghdr.nxt", "Next header", T::U8).vals(crate::proto::ipv4::IP_PROTOCOLS);
    FRAG_RESERVED_OCTET = FieldDef::new("ipv6.fraghdr.reserved_octet", "Reserved octet", T::U8).hex();
    FRAG_OFFSET = FieldDef::new("ipv6.fraghdr.offset", "Offset", T::U16).mask(0xfff8);
    FRAG_RESERVED_BITS = FieldDef::new("ipv6.fraghdr.reserved_bits", "Reserved bits", T::U16).mask(0x0006);
    FRAG_MORE = FieldDef::flag("ipv6.fraghdr.more", "More Fragments", 16, 0x0001).tfs("Yes", "No");
    FRAG_IDENT = FieldDef::new("ipv6.fraghdr.ident", "Identification", T::U32).hex();
    FRAGMENTS = FieldDef::new("ipv6.fragments", "IPv6 Fragments", T::None);
    FRAGMENT = FieldDef::new("ipv6.fragment", "IPv6 Fragment", T::FrameNum);
    FRAGMENT_COUNT = FieldDef::new("ipv6.fragment.count", "Fragment count", T::U32);
    REASSEMBLED_IN = FieldDef::new("ipv6.reassembled.in", "Reassembled IPv6 in frame", T::FrameNum);
    REASSEMBLED_LENGTH = FieldDef::new("ipv6.reassembled.length", "Reassembled IPv6 length", T::U32);
    REASSEMBLED_DATA = FieldDef::new("ipv6.reassembled.data", "Reassembled IPv6 data", T::Bytes);
}

crate::experts! {
    HOPOPTS_NOT_FIRST = ExpertDef::new("ipv6.hopopts.not_first", Group::Protocol, Severity::Error, "IPv6 Hop-by-Hop extension header must appear immediately after IPv6 header");
    OPT_INVALID_LEN = ExpertDef::new("ipv6.opt.invalid_len", Group::Malformed, Severity::Error, "Invalid IPv6 option length");
    OPT_HEADER_MISMATCH = ExpertDef::new("ipv6.opt.header_mismatch", Group::Protocol, Severity::Warn, "Wrong options extension header for type");
    JUMBO_PROHIBITED = ExpertDef::new("ipv6.opt.jumbo.prohibited", Group::Protocol, Severity::Error, "When IPv6 payload length does not equal 0 a Jumbo Payload option must not be present");
    JUMBO_TRUNCATED = ExpertDef::new("ipv6.opt.jumbo.truncated", Group::Protocol, Severity::Error, "Jumbo Payload option present and jumbo length < 65536");
    RT_DEPRECATED = ExpertDef::new("ipv6.routing.deprecated", Group::Deprecated, Severity::Note, "Routing header type is deprecated");
    RT_INVALID_LENGTH = ExpertDef::new("ipv6.routing.invalid_length", Group::Malformed, Severity::Error, "Invalid IPv6 Routing header length");
    RT_INVALID_SEGLEFT = ExpertDef::new("ipv6.routing.invalid_segleft", Group::Protocol, Severity::Error, "IPv6 Routing Header segments left field must not exceed address count");
    RT_RPL_PAD_NOT0 = ExpertDef::new("ipv6.routing.rpl.cmprI_cmprE_pad", Group::Protocol, Severity::Warn, "When cmprI equals 0 and cmprE equals 0, pad MUST equal 0 but instead was X");
    RT_RPL_ADDR_COUNT_GE0 = ExpertDef::new("ipv6.routing.rpl.addr_count_ge0", Group::Malformed, Severity::Error, "Calculated total address count must be greater than or equal to 0, instead was X");
    RT_RPL_RESERVED_NOT0 = ExpertDef::new("ipv6.routing.rpl.reserved_not0", Group::Malformed, Severity::Error, "Reserved field must equal 0 but instead was X");
    RT_SRC_ADDR_IN_LIST = ExpertDef::new("ipv6.src_route_list.src_addr", Group::Protocol, Severity::Error, "Source address must not appear in the source route list");
    RT_MULTICAST_IN_LIST = ExpertDef::new("ipv6.src_route_list.multicast_addr", Group::Protocol, Severity::Error, "Multicast addresses must not appear in the source route list");
    FRAG_NOT_REASSEMBLED = ExpertDef::new("ipv6.fragment.error", Group::Reassemble, Severity::Warn, "IPv6 fragment could not be reassembled");
}

pub static HOPOPTS: Protocol = Protocol {
    name: "ipv6.hopopts",
    short_name: "IPv6",
    field: &HOP_PROTO,
    // The fields of all four headers live in this module; the registry needs them once.
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[PrefDef {
        name: "ipv6.defragment",
        description: "Reassemble fragmented IPv6 datagrams",
        default: "TRUE",
    }],
    dissect: dissect_hopopts,
    register,
};

pub static ROUTING: Protocol = Protocol {
    name: "ipv6.routing",
    short_name: "IPv6",
    field: &RT_PROTO,
    fields: &[],
    experts: &[],
    prefs: &[],
    dissect: dissect_routing,
    register: |_| {},
};

pub static FRAGMENT_HDR: Protocol = Protocol {
    name: "ipv6.fraghdr",
    short_name: "IPv6",
    field: &FRAG_PROTO,
    fields: &[],
    experts: &[],
    prefs: &[],
    dissect: dissect_fraghdr,
    register: |_| {},
};

pub static DSTOPTS: Protocol = Protocol {
    name: "ipv6.dstopts",
    short_name: "IPv6",
    field: &DST_PROTO,
    fields: &[],
    experts: &[],
    prefs: &[],
    dissect: dissect_dstopts,
    register: |_| {},
};

fn register(r: &mut Registry) {
    r.add(tables::IP_PROTO, 0, &HOPOPTS);
    r.add(tables::IP_PROTO, 43, &ROUTING);
    r.add(tables::IP_PROTO, 44, &FRAGMENT_HDR);
    r.add(tables::IP_PROTO, 60, &DSTOPTS);
}

/// The IPv6 layer an extension header belongs to (tshark nests extension headers inside it),
/// and the header's facts; counts the extension header. Falls back to `parent` when there is
/// no IPv6 header (a header decoded on its own through decode-as).
fn enter_ipv6(cx: &mut Cx, parent: NodeId) -> (NodeId, Option<Ipv6Header>) {
    let header = cx.info.ipv6;
    if let Some(h) = cx.info.ipv6.as_mut() {
        h.ext_headers = h.ext_headers.saturating_add(1);
    }
    (header.map_or(parent, |h| h.node), header)
}

fn add_generated_at(cx: &mut Cx, node: NodeId, field: &'static FieldDef, r: ByteRange, v: Value) {
    let n = cx.add(node, field, r, v);
    cx.tree.node_mut(n).flags.generated = true;
}

/// The common start of the Hop-by-Hop and Destination Options headers, then the options.
fn dissect_options_header(
    tvb: &Tvb,
    cx: &mut Cx,
    parent: NodeId,
    proto: &'static Protocol,
    f: [&'static FieldDef; 3],
    hop_by_hop: bool,
) -> Result<()> {
    let (v6, header) = enter_ipv6(cx, parent);
    let first = header.is_none_or(|h| h.ext_headers == 0);
    let nxt = tvb.u8(0)?;
    let hlen = tvb.u8(1)?;
    let len = (hlen as usize + 1) * 8;
    let node = cx.add_proto(v6, proto, tvb.range(0, len));
    cx.add_uint(node, f[0], tvb.range(0, 1), nxt as u64);
    cx.add_uint(node, f[1], tvb.range(1, 1), hlen as u64);
    add_generated_at(cx, node, f[2], tvb.range(1, 1), Value::UInt(len as u64));
    if hop_by_hop && !first {
        cx.expert(node, &HOPOPTS_NOT_FIRST, None);
    }
    let hdr = tvb.sub(0, len)?;
    dissect_options(&hdr, cx, header, node, hop_by_hop)?;
    crate::proto::ipv6::dispatch_next(cx, nxt, &tvb.sub_from(len)?, parent);
    Ok(())
}

fn dissect_hopopts(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    dissect_options_header(
        tvb,
        cx,
        parent,
        &HOPOPTS,
        [&HOP_NXT, &HOP_LEN, &HOP_LEN_OCT],
        true,
    )
}

fn dissect_dstopts(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    dissect_options_header(
        tvb,
        cx,
        parent,
        &DSTOPTS,
        [&DST_NXT, &DST_LEN, &DST_LEN_OCT],
        false,
    )
}

/// The TLV options of `hdr` (the whole header, options from byte 2).
fn dissect_options(
    hdr: &Tvb,
    cx: &mut Cx,
    header: Option<Ipv6Header>,
    node: NodeId,
    hop_by_hop: bool,
) -> Result<()> {
    for t in TlvFormat::IPV6_OPTIONS.walk(hdr, 2, hdr.len()) {
        let (off, ty) = (t.off, t.ty as u8);
        let name = crate::engine::field::val_to_str(OPTION_TYPES, ty as u64)
            .unwrap_or("Unknown IPv6 Option");
        match t.kind {
            TlvKind::Pad => {
                let o = cx.add(node, &OPT, hdr.range(off, 1), Value::None);
                cx.set_text(o, "Pad1");
                add_opt_type(cx, o, hdr, off, ty);
                cx.add(o, &OPT_PAD1, hdr.range(off, 1), Value::None);
                continue;
            }
            // The length octet is missing.
            TlvKind::Truncated => return Err(Error::Short),
            // An overrun is flagged on the length below.
            _ => {}
        }
        let olen = t.value_len;
        let total = t.total_len();
        let o = cx.add(node, &OPT, hdr.range(off, total), Value::None);
        cx.set_text(o, name);
        add_opt_type(cx, o, hdr, off, ty);
        let len_node = cx.add_uint(o, &OPT_LENGTH, hdr.range(off + 1, 1), olen as u64);
        let d = off + 2;
        if hdr.remaining(d) < olen {
            cx.expert(len_node, &OPT_INVALID_LEN, None);
            return Err(Error::Short);
        }
        let opt = Opt {
            o,
            len_node,
            ty,
            d,
            olen,
        };
        option_value(cx, hdr, &opt, header, hop_by_hop)?;
    }
    Ok(())
}

/// One option's node, length node, type, and where its value is.
struct Opt {
    o: NodeId,
    len_node: NodeId,
    ty: u8,
    d: usize,
    olen: usize,
}

/// An option's value by type (RFC 8200 §4.2, RFC 2675, RFC 2711, RFC 6553, RFC 6275). A known
/// type with the wrong length is flagged and then shown as an unknown option, as tshark does.
fn option_value(
    cx: &mut Cx,
    hdr: &Tvb,
    opt: &Opt,
    header: Option<Ipv6Header>,
    hop_by_hop: bool,
) -> Result<()> {
    let Opt {
        o,
        len_node,
        ty,
        d,
        olen,
    } = *opt;
    let bad_len = |cx: &mut Cx, want: usize| {
        if olen != want {
            cx.expert(len_node, &OPT_INVALID_LEN, None);
            true
        } else {
            false
        }
    };
    match ty {
        0x01 => {
            cx.add_bytes(o, &OPT_PADN, hdr, d, olen)?;
        }
        0x04 if !bad_len(cx, 1) => {
            cx.add_u8(o, &OPT_TEL, hdr, d)?;
        }
        0x05 if !bad_len(cx, 2) => {
            if !hop_by_hop {
                cx.expert(o, &OPT_HEADER_MISMATCH, None);
            }
            cx.add_be_u16(o, &OPT_ROUTER_ALERT, hdr, d)?;
        }
        0xc2 if !bad_len(cx, 4) => {
            let jumbo = cx.add_int(o, &OPT_JUMBO, hdr, d, 4, Endian::Big)?;
            let (n, j) = (jumbo.node, jumbo.value);
            if header.is_some_and(|h| h.payload_len != 0) {
                cx.expert(n, &JUMBO_PROHIBITED, None);
            } else if j < 65536 {
                cx.expert(n, &JUMBO_TRUNCATED, None);
            }
        }
        0x63 | 0x23 if olen >= 4 => rpl_option(cx, hdr, o, d, olen)?,
        0xc9 if !bad_len(cx, 16) => {
            let a: [u8; 16] = hdr.array(d)?;
            cx.add(o, &OPT_HOME_ADDRESS, hdr.range(d, 16), Value::Ipv6(a));
        }
        // RFC 4727 §5.1.2: 0x1e with any action/change bits is for experiments.
        _ if ty & 0x1f == 0x1e => {
            cx.set_text(o, "Experimental Option");
            cx.add_bytes(o, &OPT_EXPERIMENTAL, hdr, d, olen)?;
        }
        _ => {
            // What a node that does not know the option must do (RFC 8200 §4.2).
            let action = crate::engine::field::val_to_str(ACTIONS, (ty >> 6) as u64).unwrap_or("");
            cx.set_text(
                o,
                format_args!("Unknown IPv6 Option (0x{ty:02x}): {action}"),
            );
            if olen > 0 {
                cx.add_bytes(o, &OPT_UNKNOWN, hdr, d, olen)?;
            }
        }
    }
    Ok(())
}

/// The RPL option (RFC 6553 §3): O (down), R (rank error), F (forwarding error), instance,
/// rank.
fn rpl_option(cx: &mut Cx, hdr: &Tvb, o: NodeId, d: usize, olen: usize) -> Result<()> {
    let flags = hdr.u8(d)?;
    let fl = cx.add_uint(o, &OPT_RPL_FLAG, hdr.range(d, 1), flags as u64);
    cx.add_bits(
        fl,
        &[
            &OPT_RPL_FLAG_O,
            &OPT_RPL_FLAG_R,
            &OPT_RPL_FLAG_F,
            &OPT_RPL_FLAG_RSV,
        ],
        hdr.range(d, 1),
        flags as u64,
    );
    cx.add_u8(o, &OPT_RPL_INSTANCE, hdr, d + 1)?;
    cx.add_be_u16(o, &OPT_RPL_RANK, hdr, d + 2)?;
    if olen > 4 {
        cx.add_bytes(o, &OPT_UNKNOWN, hdr, d + 4, olen - 4)?;
    }
    Ok(())
}

fn add_opt_type(cx: &mut Cx, o: NodeId, hdr: &Tvb, off: usize, ty: u8) {
    let r = hdr.range(off, 1);
    let t = cx.add_uint(o, &OPT_TYPE, r, ty as u64);
    cx.add_bits(
        t,
        &[&OPT_TYPE_ACTION, &OPT_TYPE_CHANGE, &OPT_TYPE_REST],
        r,
        ty as u64,
    );
}

// ---- routing header ----------------------------------------------------------------------------

fn dissect_routing(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let (v6, header) = enter_ipv6(cx, parent);
    let nxt = tvb.u8(0)?;
    let hlen = tvb.u8(1)?;
    let len = (hlen as usize + 1) * 8;
    let node = cx.add_proto(v6, &ROUTING, tvb.range(0, len));
    cx.add_uint(node, &RT_NXT, tvb.range(0, 1), nxt as u64);
    cx.add_uint(node, &RT_LEN, tvb.range(1, 1), hlen as u64);
    add_generated_at(
        cx,
        node,
        &RT_LEN_OCT,
        tvb.range(1, 1),
        Value::UInt(len as u64),
    );
    let ty = cx.add_int(node, &RT_TYPE, tvb, 2, 1, Endian::Big)?;
    let (type_node, ty) = (ty.node, ty.value as u8);
    let segleft = cx.add_int(node, &RT_SEGLEFT, tvb, 3, 1, Endian::Big)?;
    let (seg_node, segleft) = (segleft.node, segleft.value as u8);
    // tshark reads the whole header before any type-specific field.
    let hdr = tvb.sub(0, len)?;
    let dst = header.map_or([0; 16], |h| h.dst);
    let src = header.map(|h| h.src);
    // The address the packet is finally for, when segments remain: the upper layer's
    // checksum uses it (RFC 8200 §8.1).
    let (addr_count, final_dst) = match ty {
        0 => {
            cx.expert(type_node, &RT_DEPRECATED, None);
            routing_type0(&hdr, cx, node)?
        }
        2 => {
            cx.add_bytes(node, &RT_MIPV6_RESERVED, &hdr, 4, 4)?;
            let a: [u8; 16] = hdr.array(8)?;
            cx.add(node, &RT_MIPV6_HOME, hdr.range(8, 16), Value::Ipv6(a));
            (Some(1), Some(a))
        }
        3 => {
            let (n, last) = dissect_rpl_srh(&hdr, cx, node, hlen, &dst, src.as_ref())?;
            (Some(n), last)
        }
        4 => segment_routing(&hdr, cx, node)?,
        _ => {
            if len > 4 {
                cx.add_bytes(node, &RT_UNKNOWN, &hdr, 4, len - 4)?;
            }
            (None, None)
        }
    };
    if let Some(n) = addr_count {
        if segleft as usize > n {
            cx.expert_with(seg_node, &RT_INVALID_SEGLEFT, || {
                format!(
                    "IPv6 Routing Header segments left field must not exceed address count ({n})"
                )
            });
        }
    }
    cx.set_text(
        node,
        format_args!(
            "Routing Header for IPv6 ({})",
            crate::engine::field::val_to_str(ROUTING_TYPES, ty as u64).unwrap_or("Unknown")
        ),
    );
    if segleft > 0 {
        if let Some(a) = final_dst {
            cx.info.net_dst = Address::Ipv6(a);
        }
    }
    crate::proto::ipv6::dispatch_next(cx, nxt, &tvb.sub_from(len)?, parent);
    Ok(())
}

/// Type 0 (RFC 2460 §4.4, deprecated by RFC 5095): the addresses to visit. Returns their
/// count and the last one.
fn routing_type0(
    hdr: &Tvb,
    cx: &mut Cx,
    node: NodeId,
) -> Result<(Option<usize>, Option<[u8; 16]>)> {
    cx.add_bytes(node, &RT_SRC_RESERVED, hdr, 4, 4)?;
    let n = (hdr.len() - 8) / 16;
    let mut last = None;
    for i in 0..n {
        let a: [u8; 16] = hdr.array(8 + 16 * i)?;
        cx.add(
            node,
            &RT_SRC_ADDR,
            hdr.range(8 + 16 * i, 16),
            Value::Ipv6(a),
        );
        last = Some(a);
    }
    Ok((Some(n), last))
}

/// Segment Routing Header (RFC 8754 §2). Returns the segment count and the final segment.
fn segment_routing(
    hdr: &Tvb,
    cx: &mut Cx,
    node: NodeId,
) -> Result<(Option<usize>, Option<[u8; 16]>)> {
    let last_entry = cx.add_u8(node, &RT_SRH_LAST_ENTRY, hdr, 4)?;
    cx.add_u8(node, &RT_SRH_FLAGS, hdr, 5)?;
    cx.add_bytes(node, &RT_SRH_TAG, hdr, 6, 2)?;
    let n = last_entry as usize + 1;
    let mut last = None;
    for i in 0..n {
        let off = 8 + 16 * i;
        if off + 16 > hdr.len() {
            cx.expert(node, &RT_INVALID_LENGTH, None);
            break;
        }
        let a: [u8; 16] = hdr.array(off)?;
        cx.add(node, &RT_SRH_ADDR, hdr.range(off, 16), Value::Ipv6(a));
        // Segment List[0] is the last segment of the path.
        if i == 0 {
            last = Some(a);
        }
    }
    Ok((Some(n), last))
}

/// RFC 6554 §3: addresses elided against the packet's destination. Returns the address count
/// and the last (final) address rebuilt in full.
fn dissect_rpl_srh(
    hdr: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    hlen: u8,
    dst: &[u8; 16],
    src: Option<&[u8; 16]>,
) -> Result<(usize, Option<[u8; 16]>)> {
    let w = hdr.be_u32(4)?;
    let r = hdr.range(4, 4);
    cx.add_bits(
        node,
        &[&RT_RPL_CMPRI, &RT_RPL_CMPRE, &RT_RPL_PAD, &RT_RPL_RESERVED],
        r,
        w as u64,
    );
    let cmpr_i = (w >> 28) as usize;
    let cmpr_e = ((w >> 24) & 0xf) as usize;
    let pad = ((w >> 20) & 0xf) as usize;
    let reserved = w & 0x000f_ffff;
    if cmpr_i == 0 && cmpr_e == 0 && pad != 0 {
        cx.expert_with(node, &RT_RPL_PAD_NOT0, || {
            format!(
                "When cmprI equals 0 and cmprE equals 0, pad MUST equal 0 but instead was {pad}"
            )
        });
    }
    if reserved != 0 {
        cx.expert_with(node, &RT_RPL_RESERVED_NOT0, || {
            format!("Reserved field must equal 0 but instead was {reserved}")
        });
    }
    // n = ((HdrLen * 8) - Pad - (16 - CmprE)) / (16 - CmprI) + 1  (RFC 6554 §3)
    let num = (hlen as i64) * 8 - pad as i64 - (16 - cmpr_e as i64);
    let count = num.div_euclid(16 - cmpr_i as i64) + 1;
    let cn = cx.add(node, &RT_RPL_ADDR_COUNT, r, Value::Int(count));
    cx.tree.node_mut(cn).flags.generated = true;
    if count < 0 {
        cx.expert_with(
            cn,
            &RT_RPL_ADDR_COUNT_GE0,
            || format!(
                "Calculated total address count must be greater than or equal to 0, instead was {count}"
            ),
        );
        return Ok((0, None));
    }
    let count = count as usize;
    let mut off = 8;
    let mut last = None;
    for i in 0..count {
        let elided = if i + 1 == count { cmpr_e } else { cmpr_i };
        let n = 16 - elided;
        let bytes = hdr.bytes(off, n)?;
        cx.add_with(node, &RT_RPL_ADDRESS, hdr.range(off, n), || {
            Value::bytes(bytes)
        });
        let mut full = *dst;
        full[elided..].copy_from_slice(bytes);
        let fnode = cx.add(
            node,
            &RT_RPL_FULL_ADDRESS,
            hdr.range(off, n),
            Value::Ipv6(full),
        );
        cx.tree.node_mut(fnode).flags.generated = true;
        if full[0] == 0xff {
            cx.expert(fnode, &RT_MULTICAST_IN_LIST, None);
        }
        if src == Some(&full) {
            cx.expert(fnode, &RT_SRC_ADDR_IN_LIST, None);
        }
        last = Some(full);
        off += n;
    }
    Ok((count, last))
}

// ---- fragment header and reassembly --------------------------------------------------------------

/// Bounds on reassembly state.
const MAX_DATAGRAMS: usize = 64;
const MAX_DATAGRAM_BYTES: usize = 65_535 + 40;
const MAX_TOTAL_BYTES: usize = 4 << 20;
/// Frames after which an incomplete datagram is dropped.
const MAX_AGE_FRAMES: u64 = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FragKey {
    src: Address,
    dst: Address,
    ident: u32,
}

#[derive(Clone, Default)]
struct Partial {
    /// (offset, bytes, frame) of each fragment received.
    parts: Vec<(usize, Vec<u8>, u64)>,
    /// Total length, known once the last fragment (M=0) arrived.
    total: Option<usize>,
    first_frame: u64,
    bytes: usize,
}

/// Fragments of IPv6 datagrams waiting for the rest.
#[derive(Clone, Default)]
pub struct Ipv6ReassemblyState {
    partial: HashMap<FragKey, Partial>,
    bytes: usize,
    /// Datagrams already reassembled: key → frame where it completed (so a re-sent fragment
    /// is not mistaken for a new datagram in the same pass).
    done: HashMap<FragKey, u64>,
}

impl Ipv6ReassemblyState {
    /// Drops what breaks the bounds; true when anything was dropped.
    fn evict(&mut self, now: u64) -> bool {
        let before = self.partial.len();
        self.partial
            .retain(|_, p| now.saturating_sub(p.first_frame) <= MAX_AGE_FRAMES);
        while self.partial.len() >= MAX_DATAGRAMS || self.bytes > MAX_TOTAL_BYTES {
            let oldest = self
                .partial
                .iter()
                .min_by_key(|(_, p)| p.first_frame)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    self.partial.remove(&k);
                }
                None => break,
            }
        }
        self.bytes = self.partial.values().map(|p| p.bytes).sum();
        if self.done.len() > 4 * MAX_DATAGRAMS {
            self.done.clear();
        }
        self.partial.len() != before
    }
}

/// What adding a fragment gave.
enum FragResult {
    Pending,
    /// The datagram and its fragments: (frame, offset, length).
    Complete(Vec<u8>, Vec<(u64, usize, usize)>),
    /// The datagram would break a bound (too long, overlapping inconsistently).
    Error(&'static str),
}

fn add_fragment(
    st: &mut Ipv6ReassemblyState,
    key: FragKey,
    offset: usize,
    more: bool,
    data: &[u8],
    frame: u64,
) -> FragResult {
    let end = offset.saturating_add(data.len());
    if end > MAX_DATAGRAM_BYTES {
        st.partial.remove(&key);
        return FragResult::Error("reassembled datagram would exceed 65535 bytes");
    }
    let p = st.partial.entry(key.clone()).or_insert_with(|| Partial {
        first_frame: frame,
        ..Default::default()
    });
    if !more {
        if p.total.is_some_and(|t| t != end) {
            st.partial.remove(&key);
            return FragResult::Error("multiple last fragments with different lengths");
        }
        p.total = Some(end);
    }
    p.parts.push((offset, data.to_vec(), frame));
    p.bytes += data.len();
    st.bytes += data.len();
    let Some(total) = p.total else {
        return FragResult::Pending;
    };
    // Complete when the fragments cover 0..total without a hole.
    let mut parts: Vec<&(usize, Vec<u8>, u64)> = p.parts.iter().collect();
    parts.sort_by_key(|x| x.0);
    let mut covered = 0usize;
    for (o, d, _) in &parts {
        if *o >= total {
            break;
        }
        if *o > covered {
            return FragResult::Pending;
        }
        covered = covered.max(o + d.len());
    }
    if covered < total {
        return FragResult::Pending;
    }
    let mut out = vec![0u8; total];
    let mut frames = vec![];
    for (o, d, f) in &parts {
        // A fragment starting past the end the last fragment set is inconsistent: ignore it.
        if *o >= total {
            continue;
        }
        let n = d.len().min(total - *o);
        out[*o..*o + n].copy_from_slice(&d[..n]);
        frames.push((*f, *o, n));
    }
    let p = st.partial.remove(&key).unwrap_or_default();
    st.bytes = st.bytes.saturating_sub(p.bytes);
    st.done.insert(key, frame);
    FragResult::Complete(out, frames)
}

fn dissect_fraghdr(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let (v6, header) = enter_ipv6(cx, parent);
    // The fragment's payload length comes from the IPv6 payload length less the headers
    // before this one; a payload length too small for them is malformed (tshark stops here).
    if let Some(h) = header {
        let plen = h.payload_len as u64;
        let before = (tvb.offset() as u64).saturating_sub(h.range.start as u64 + 40);
        if v6 != parent && h.range.source == tvb.source() && plen < before + 8 {
            // tshark has entered the fragment header protocol when it finds this out.
            cx.note_layer(FRAGMENT_HDR.name);
            return Err(Error::Malformed("negative IPv6 fragment length".into()));
        }
    }
    let nxt = tvb.u8(0)?;
    let node = cx.add_proto(v6, &FRAGMENT_HDR, tvb.range(0, 8));
    cx.add_uint(node, &FRAG_NXT, tvb.range(0, 1), nxt as u64);
    cx.add_u8(node, &FRAG_RESERVED_OCTET, tvb, 1)?;
    let w = tvb.be_u16(2)?;
    cx.add_bits(
        node,
        &[&FRAG_OFFSET, &FRAG_RESERVED_BITS, &FRAG_MORE],
        tvb.range(2, 2),
        w as u64,
    );
    let ident = cx.add_be_u32(node, &FRAG_IDENT, tvb, 4)?;
    let offset = (w & 0xfff8) as usize;
    let more = w & 1 != 0;
    let payload = tvb.sub_from(8)?;
    cx.set_text(
        node,
        format_args!(
            "Fragment Header for IPv6, offset: {offset}, ident: 0x{ident:08x}, more: {}",
            if more { "yes" } else { "no" }
        ),
    );
    if offset == 0 && !more {
        // An atomic fragment (RFC 6946): nothing to reassemble.
        crate::proto::ipv6::dispatch_next(cx, nxt, &payload, parent);
        return Ok(());
    }
    let info = format!(
        "IPv6 fragment (off={offset} more={} ident=0x{ident:08x} nxt={nxt})",
        if more { "y" } else { "n" }
    );
    // Quoted packets in ICMPv6 errors and the user's choice say whether to reassemble.
    let inside_error =
        cx.layers().iter().filter(|l| **l == "ipv6").count() > 1 && cx.layers().contains(&"icmpv6");
    let complete_capture = !cx.frame_truncated() || tvb.source() != 0;
    if !cx.prefs.bool("ipv6.defragment", true) || inside_error || !complete_capture {
        cx.set_info(info);
        cx.call_data(&payload, parent);
        return Ok(());
    }
    let key = FragKey {
        src: cx.info.net_src,
        dst: cx.info.net_dst,
        ident,
    };
    let frame = cx.meta.number;
    let st = cx.session.get::<Ipv6ReassemblyState>();
    let evicted = st.evict(frame);
    let result = add_fragment(st, key, offset, more, payload.data(), frame);
    if evicted {
        cx.expert(node, &crate::engine::expert::ws::UNREASSEMBLED, None);
    }
    match result {
        FragResult::Pending => {
            cx.set_info(info);
            cx.call_data(&payload, parent);
        }
        FragResult::Error(why) => {
            cx.expert(node, &FRAG_NOT_REASSEMBLED, Some(why.to_string()));
            cx.set_info(info);
            cx.call_data(&payload, parent);
        }
        FragResult::Complete(data, frames) => {
            add_fragments_tree(cx, v6, &data, &frames);
            let src = cx.add_source("Reassembled IPv6", data);
            crate::proto::ipv6::dispatch_next(cx, nxt, &src.tvb(), parent);
        }
    }
    Ok(())
}

/// The reassembled datagram's tree as tshark shows it: the fragments, their count, the length
/// and the data (the "reassembled in" link only appears on the other fragments, in a second
/// pass).
fn add_fragments_tree(cx: &mut Cx, v6: NodeId, data: &[u8], frames: &[(u64, usize, usize)]) {
    let total = data.len();
    let list: Vec<String> = frames
        .iter()
        .map(|(f, _, n)| format!("#{f}({n})"))
        .collect();
    let fr = cx.add(v6, &FRAGMENTS, ByteRange::default(), Value::None);
    cx.set_text(
        fr,
        format_args!(
            "[{} IPv6 Fragments ({total} bytes): {}]",
            frames.len(),
            list.join(", ")
        ),
    );
    for (f, o, n) in frames {
        let x = cx.add(fr, &FRAGMENT, ByteRange::default(), Value::UInt(*f));
        cx.set_text(
            x,
            format_args!(
                "[Frame: {f}, payload: {o}-{} ({n} bytes)]",
                (o + n).saturating_sub(1)
            ),
        );
    }
    cx.add_generated(fr, &FRAGMENT_COUNT, Value::UInt(frames.len() as u64));
    cx.add_generated(fr, &REASSEMBLED_LENGTH, Value::UInt(total as u64));
    cx.add_generated_with(fr, &REASSEMBLED_DATA, || Value::bytes(data));
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{dissect_one, dissect_with};

    /// An IPv6 header (raw link type 229) with `nxt` and the given payload.
    pub fn ipv6(nxt: u8, src: [u8; 16], dst: [u8; 16], payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0x60, 0, 0, 0];
        v.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        v.push(nxt);
        v.push(64);
        v.extend_from_slice(&src);
        v.extend_from_slice(&dst);
        v.extend_from_slice(payload);
        v
    }

    pub const A: [u8; 16] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    pub const B: [u8; 16] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

    #[test]
    fn hop_by_hop_rpl_option_rfc6553() {
        // Hop-by-Hop: next 59, len 0; RPL option 0x63 len 4: O=1 R=0 F=1, instance 0x1e,
        // sender rank 0x0200.
        let hbh = [59, 0, 0x63, 4, 0xa0, 0x1e, 0x02, 0x00];
        let p = dissect_one(229, &ipv6(0, A, B, &hbh));
        assert_eq!(p.show("ipv6.hopopts.nxt"), ["59"]);
        assert_eq!(p.show("ipv6.hopopts.len_oct"), ["8"]);
        assert_eq!(p.show("ipv6.opt.type"), ["0x63"]);
        assert_eq!(p.show("ipv6.opt.type.action"), ["1"]);
        assert_eq!(p.show("ipv6.opt.type.change"), ["1"]);
        assert_eq!(p.show("ipv6.opt.rpl.flag"), ["0xa0"]);
        assert_eq!(p.show("ipv6.opt.rpl.flag.o"), ["1"]);
        assert_eq!(p.show("ipv6.opt.rpl.flag.r"), ["0"]);
        assert_eq!(p.show("ipv6.opt.rpl.flag.f"), ["1"]);
        assert_eq!(p.show("ipv6.opt.rpl.instance_id"), ["0x1e"]);
        assert_eq!(p.show("ipv6.opt.rpl.sender_rank"), ["0x0200"]);
        assert_eq!(p.packet.protocol_path(), "ipv6:ipv6.hopopts");
        assert!(!p.packet.is_malformed());
    }

    #[test]
    fn pad1_padn_router_alert_jumbo_unknown() {
        // Router alert (MLD) + PadN(0); then Pad1 x2 + unknown 0x9e (action 2) len 2 + PadN.
        let mut hbh = vec![60, 1, 0x05, 2, 0, 0, 0x01, 0];
        hbh.extend_from_slice(&[0x00, 0x00, 0x9e, 2, 0xab, 0xcd, 0x01, 0]);
        // Destination options with a jumbo option (prohibited: plen != 0).
        let dst = [59, 0, 0xc2, 4, 0, 1, 0, 0];
        let mut pl = hbh.clone();
        pl.extend_from_slice(&dst);
        let p = dissect_one(229, &ipv6(0, A, B, &pl));
        assert_eq!(p.show("ipv6.opt.router_alert"), ["0"]);
        assert_eq!(p.show("ipv6.opt.padn"), ["", ""]);
        assert_eq!(p.show("ipv6.opt.pad1").len(), 2);
        assert_eq!(p.show("ipv6.opt.experimental"), ["ab:cd"]);
        assert_eq!(
            p.show("ipv6.opt.type.action"),
            ["0", "0", "0", "0", "2", "0", "3"]
        );
        assert_eq!(p.show("ipv6.dstopts.nxt"), ["59"]);
        assert_eq!(p.show("ipv6.opt.jumbo"), ["65536"]);
        assert!(p.has("ipv6.opt.jumbo.prohibited"));
        assert_eq!(p.packet.protocol_path(), "ipv6:ipv6.hopopts:ipv6.dstopts");
    }

    /// RFC 6554 source route: CmprI=15, CmprE=15, 3 addresses of 1 byte, pad 5 → 8 bytes.
    #[test]
    fn rpl_source_route_rebuilds_full_addresses() {
        let rh = [
            59, 1, 3, 2, 0xff, 0x50, 0, 0, 0x03, 0x04, 0x05, 0, 0, 0, 0, 0,
        ];
        let p = dissect_one(229, &ipv6(43, A, B, &rh));
        assert_eq!(p.show("ipv6.routing.type"), ["3"]);
        assert_eq!(p.show("ipv6.routing.rpl.cmprI"), ["15"]);
        assert_eq!(p.show("ipv6.routing.rpl.cmprE"), ["15"]);
        assert_eq!(p.show("ipv6.routing.rpl.pad"), ["5"]);
        assert_eq!(p.show("ipv6.routing.rpl.addr_count"), ["3"]);
        assert_eq!(p.show("ipv6.routing.rpl.address"), ["03", "04", "05"]);
        assert_eq!(
            p.show("ipv6.routing.rpl.full_address"),
            ["fd00::3", "fd00::4", "fd00::5"]
        );
        assert!(!p.has("ipv6.routing.invalid_segleft"));
        // Segments left 4 > 3 addresses.
        let mut bad = rh;
        bad[3] = 4;
        let p = dissect_one(229, &ipv6(43, A, B, &bad));
        assert!(p.has("ipv6.routing.invalid_segleft"));
    }

    #[test]
    fn rpl_source_route_cmpr8_two_addresses() {
        // CmprI = CmprE = 8: two 8-byte suffixes (as in the generated non-storing capture).
        let mut rh = vec![58, 2, 3, 2, 0x88, 0x00, 0, 0];
        rh.extend_from_slice(&[0xc2, 0xac, 0xe0, 0xd9, 0xa2, 0x72, 0x9d, 0x41]);
        rh.extend_from_slice(&[0xda, 0xaf, 0x6e, 0xc4, 0xa3, 0x80, 0x62, 0x6b]);
        let dst = [
            0xfd, 0x73, 0x8f, 0x3e, 0xf1, 0x09, 0x85, 0x65, 0, 0, 0, 0, 0, 0, 0, 9,
        ];
        let p = dissect_one(229, &ipv6(43, A, dst, &rh));
        assert_eq!(p.show("ipv6.routing.rpl.addr_count"), ["2"]);
        assert_eq!(
            p.show("ipv6.routing.rpl.full_address"),
            [
                "fd73:8f3e:f109:8565:c2ac:e0d9:a272:9d41",
                "fd73:8f3e:f109:8565:daaf:6ec4:a380:626b"
            ]
        );
    }

    #[test]
    fn srh_and_type0() {
        let mut rh = vec![59, 4, 4, 1, 1, 0, 0, 0];
        rh.extend_from_slice(&A);
        rh.extend_from_slice(&B);
        let p = dissect_one(229, &ipv6(43, A, B, &rh));
        assert_eq!(p.show("ipv6.routing.srh.last_entry"), ["1"]);
        assert_eq!(p.show("ipv6.routing.srh.addr"), ["fd00::1", "fd00::2"]);
        let mut rh0 = vec![59, 2, 0, 1, 0, 0, 0, 0];
        rh0.extend_from_slice(&A);
        let p = dissect_one(229, &ipv6(43, A, B, &rh0));
        assert_eq!(p.show("ipv6.routing.src.addr"), ["fd00::1"]);
        assert!(p.has("ipv6.routing.deprecated"));
    }

    #[test]
    fn fragments_are_reassembled_on_the_last() {
        // A UDP datagram of 8 + 16 bytes split at 16.
        let mut udp = vec![0x12, 0x34, 0x56, 0x78, 0, 24, 0, 0];
        udp.extend((0..16).map(|i| i as u8));
        let f1 = [&[17u8, 0, 0x00, 0x01, 0, 0, 0, 7][..], &udp[..16]].concat();
        let f2 = [&[17u8, 0, 0x00, 0x10, 0, 0, 0, 7][..], &udp[16..]].concat();
        let mut e = crate::engine::Engine::with_defaults();
        let p1 = dissect_with(&mut e, 229, &ipv6(44, A, B, &f1));
        assert_eq!(p1.show("ipv6.fraghdr.more"), ["1"]);
        assert_eq!(p1.show("ipv6.fraghdr.ident"), ["0x00000007"]);
        assert!(!p1.has("udp.srcport"));
        assert!(p1.info().starts_with("IPv6 fragment (off=0 more=y"));
        let p2 = dissect_with(&mut e, 229, &ipv6(44, A, B, &f2));
        assert_eq!(p2.show("ipv6.fraghdr.offset"), ["2"]); // in 8-octet units, as tshark shows it
        assert_eq!(p2.show("ipv6.fragment.count"), ["2"]);
        assert_eq!(p2.show("ipv6.reassembled.length"), ["24"]);
        assert_eq!(p2.show("udp.srcport"), ["4660"]);
        assert_eq!(p2.packet.sources.len(), 2);
    }

    #[test]
    fn reassembly_is_bounded() {
        let mut e = crate::engine::Engine::with_defaults();
        // Many never-finished datagrams must not grow the state past its bound.
        for id in 0..(super::MAX_DATAGRAMS as u32 * 3) {
            let mut f = vec![59u8, 0, 0x00, 0x01];
            f.extend_from_slice(&id.to_be_bytes());
            f.extend_from_slice(&[0; 64]);
            dissect_with(&mut e, 229, &ipv6(44, A, B, &f));
        }
        let st = e
            .session
            .peek::<super::Ipv6ReassemblyState>()
            .expect("state");
        assert!(st.partial.len() <= super::MAX_DATAGRAMS);
        // A fragment reaching past 65535 bytes is refused.
        let f = [&[59u8, 0, 0xff, 0xf9, 0, 0, 0, 1][..], &[0u8; 64]].concat();
        let p = dissect_with(&mut e, 229, &ipv6(44, A, B, &f));
        assert!(p.has("ipv6.fragment.error"));
    }

    #[test]
    fn fragment_past_the_end_does_not_panic() {
        let mut e = crate::engine::Engine::with_defaults();
        // Offset 64, more; then the last fragment at offset 0 with 8 bytes: total 8.
        let f1 = [&[59u8, 0, 0x00, 0x41, 0, 0, 0, 9][..], &[1u8; 8]].concat();
        let f2 = [&[59u8, 0, 0x00, 0x00, 0, 0, 0, 9][..], &[2u8; 8]].concat();
        dissect_with(&mut e, 229, &ipv6(44, A, B, &f1));
        // offset 0, M=0 is atomic; use a middle piece ending the datagram at 16 instead.
        let f3 = [&[59u8, 0, 0x00, 0x08, 0, 0, 0, 9][..], &[3u8; 8]].concat();
        let f4 = [&[59u8, 0, 0x00, 0x01, 0, 0, 0, 9][..], &[4u8; 8]].concat();
        dissect_with(&mut e, 229, &ipv6(44, A, B, &f2));
        dissect_with(&mut e, 229, &ipv6(44, A, B, &f3));
        let p = dissect_with(&mut e, 229, &ipv6(44, A, B, &f4));
        assert_eq!(p.show("ipv6.reassembled.length"), ["16"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Any bytes behind any extension header, ND or RPL message must not panic.
        #[test]
        fn hostile_extension_headers_and_icmpv6_never_panic(
            nxt in proptest::sample::select(vec![0u8, 43, 44, 60, 58]),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            ty in proptest::sample::select(vec![130u8, 133, 134, 135, 136, 137, 138, 143, 155, 157]),
        ) {
            let mut b = body.clone();
            if nxt == 58 && !b.is_empty() {
                b[0] = ty;
            }
            let _ = dissect_one(229, &ipv6(nxt, A, B, &b));
            // Also as a whole chain of headers pointing at each other.
            let mut chain = vec![43u8, 0, 3, 1, 0xff, 0x70, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
            chain.extend_from_slice(&b);
            let _ = dissect_one(229, &ipv6(60, A, B, &[&[43u8, 0, 1, 4, 0, 0, 0, 0][..], &chain].concat()));
        }
    }

    #[test]
    fn chains_in_any_order_and_truncation() {
        // dstopts → routing(type 3) → hop-by-hop (not first) → no next header
        let mut pl = vec![43, 0, 0x01, 4, 0, 0, 0, 0];
        pl.extend_from_slice(&[0, 1, 3, 0, 0xff, 0x70, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0]);
        pl.extend_from_slice(&[59, 0, 0x01, 4, 0, 0, 0, 0]);
        let v = ipv6(60, A, B, &pl);
        let p = dissect_one(229, &v);
        assert_eq!(
            p.packet.protocol_path(),
            "ipv6:ipv6.dstopts:ipv6.routing:ipv6.hopopts"
        );
        assert!(p.has("ipv6.hopopts.not_first"));
        crate::testutil::assert_truncations_are_malformed(229, &v, 40 + pl.len());
    }
}
