//! Linux "cooked" capture headers, SLL (LINKTYPE_LINUX_SLL 113) and SLL2 (276), which
//! `tcpdump -i any` writes.
//!
//! ```text
//! SLL (16 bytes):  | pkttype(2) | hatype(2) | halen(2) | address(8) | protocol(2) |
//! SLL2 (20 bytes): | protocol(2) | reserved(2) | ifindex(4) | hatype(2) | pkttype(1) |
//!                  | halen(1) | address(8) |
//! ```
//! The protocol is an EtherType, except for a few ARPHRD types where it is a Linux
//! `ETH_P_*` value (`sll.ltype`, e.g. 0x00f6 for IEEE 802.15.4) or a GRE protocol type.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

pub static PKTTYPES: &[(u64, &str)] = &[
    (0, "Unicast to us"),
    (1, "Broadcast"),
    (2, "Multicast"),
    (3, "Unicast to another host"),
    (4, "Sent by us"),
];

/// ARPHRD values with something special about the protocol field.
const ARPHRD_ETHER: u16 = 1;
const ARPHRD_IPGRE: u16 = 778;
const ARPHRD_NETLINK: u16 = 824;

crate::fields! {
    PROTO = FieldDef::protocol("sll", "Linux cooked capture");
    PKTTYPE = FieldDef::new("sll.pkttype", "Packet type", T::U16).vals(PKTTYPES);
    HATYPE = FieldDef::new("sll.hatype", "Link-layer address type", T::U16);
    HALEN = FieldDef::new("sll.halen", "Link-layer address length", T::U16);
    SRC_ETH = FieldDef::new("sll.src.eth", "Source", T::Ether);
    SRC_IPV4 = FieldDef::new("sll.src.ipv4", "Source", T::Ipv4);
    SRC_OTHER = FieldDef::new("sll.src.other", "Source", T::Bytes);
    UNUSED = FieldDef::new("sll.unused", "Unused", T::Bytes);
    LTYPE = FieldDef::new("sll.ltype", "Protocol", T::U16).hex();
    GRETYPE = FieldDef::new("sll.gretype", "Protocol", T::U16).hex();
    ETYPE = FieldDef::new("sll.etype", "Protocol", T::U16).hex().vals(crate::proto::link::eth::ETHERTYPES);
    IFINDEX = FieldDef::new("sll.ifindex", "Interface index", T::U32);
    RESERVED = FieldDef::new("sll.reserved", "Reserved", T::U16).hex();
}

crate::protocol!("sll", "SLL", dissect, register);

fn register(r: &mut Registry) {
    r.add(tables::LINK_TYPE, 113, &PROTOCOL);
    r.add(tables::LINK_TYPE, 276, &PROTOCOL);
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let v2 = cx.meta.link_type == 276;
    let hdr_len = if v2 { 20 } else { 16 };
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, hdr_len));
    let (protocol_off, hatype, halen, addr_off) = if v2 {
        let protocol_off = 0;
        // SLL2 puts the protocol first; tshark shows it first too.
        let hatype = tvb.be_u16(8)?;
        (protocol_off, hatype, tvb.u8(11)? as usize, 12)
    } else {
        cx.add_be_u16(node, &PKTTYPE, tvb, 0)?;
        let hatype = cx.add_be_u16(node, &HATYPE, tvb, 2)?;
        let halen = cx.add_be_u16(node, &HALEN, tvb, 4)? as usize;
        (14, hatype, halen, 6)
    };
    let protocol = tvb.be_u16(protocol_off)?;
    let protocol_field = protocol_field(hatype, protocol);
    if v2 {
        cx.add_be_u16(node, protocol_field, tvb, 0)?;
        cx.add_be_u32(node, &IFINDEX, tvb, 4)?;
        cx.add_be_u16(node, &HATYPE, tvb, 8)?;
        cx.add(
            node,
            &PKTTYPE,
            tvb.range(10, 1),
            Value::UInt(tvb.u8(10)? as u64),
        );
        cx.add(node, &HALEN, tvb.range(11, 1), Value::UInt(halen as u64));
    }
    let shown = halen.min(8);
    if shown > 0 {
        match (hatype, shown) {
            (ARPHRD_ETHER, 6) | (772, 6) => {
                cx.add(
                    node,
                    &SRC_ETH,
                    tvb.range(addr_off, 6),
                    Value::Ether(tvb.array(addr_off)?),
                );
            }
            (ARPHRD_IPGRE, 4) => {
                cx.add(
                    node,
                    &SRC_IPV4,
                    tvb.range(addr_off, 4),
                    Value::Ipv4(tvb.array(addr_off)?),
                );
            }
            _ => {
                cx.add_bytes(node, &SRC_OTHER, tvb, addr_off, shown)?;
            }
        }
    }
    if shown < 8 {
        cx.add_bytes(node, &UNUSED, tvb, addr_off + shown, 8 - shown)?;
    }
    if !v2 {
        cx.add_be_u16(node, protocol_field, tvb, 14)?;
    }
    let payload = tvb.sub_from(hdr_len)?;
    if std::ptr::eq(protocol_field, &ETYPE) {
        crate::proto::link::eth::dispatch_ethertype(cx, protocol, &payload, parent);
    } else if std::ptr::eq(protocol_field, &GRETYPE) {
        if !cx.call_table(tables::ETHERTYPE, protocol as u64, &payload, parent) {
            cx.call_data(&payload, parent);
        }
    } else if !cx.call_table(tables::SLL_LTYPE, protocol as u64, &payload, parent) {
        cx.call_data(&payload, parent);
    }
    Ok(())
}

/// Which field the protocol value belongs to: an EtherType, a GRE type or a Linux ETH_P_ value.
fn protocol_field(hatype: u16, protocol: u16) -> &'static FieldDef {
    match hatype {
        ARPHRD_IPGRE => &GRETYPE,
        ARPHRD_NETLINK => &LTYPE,
        _ if protocol <= 1536 => &LTYPE,
        _ => &ETYPE,
    }
}
