//! ICMPv6 (RFC 4443): the message header, echo, and error messages with the invoking packet
//! decoded. The checksum covers the IPv6 pseudo-header and is always verified, as tshark does.
//!
//! ```text
//! +--------+--------+-----------------+
//! |  Type  |  Code  |    Checksum     |
//! +--------+--------+-----------------+
//! |           message body            |
//! +-----------------------------------+
//! ```
//! Neighbor Discovery, 6LoWPAN-ND and RPL bodies are dissected by their own modules through
//! the `icmpv6.type` table.

use crate::engine::checksum::{self, status};
use crate::engine::colfmt::ColWrite;
use crate::engine::context::ChecksumFields;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::Cx;

/// Dispatch table for ICMPv6 message bodies by type (ND, RPL…).
pub const TYPE_TABLE: &str = "icmpv6.type";

pub static TYPES: &[(u64, &str)] = &[
    (1, "Destination Unreachable"),
    (2, "Packet Too Big"),
    (3, "Time Exceeded"),
    (4, "Parameter Problem"),
    (128, "Echo (ping) request"),
    (129, "Echo (ping) reply"),
    (130, "Multicast Listener Query"),
    (131, "Multicast Listener Report"),
    (132, "Multicast Listener Done"),
    (133, "Router Solicitation"),
    (134, "Router Advertisement"),
    (135, "Neighbor Solicitation"),
    (136, "Neighbor Advertisement"),
    (137, "Redirect"),
    (138, "Router Renumbering"),
    (143, "Multicast Listener Report Message v2"),
    (155, "RPL Control"),
    (157, "Duplicate Address Request"),
    (158, "Duplicate Address Confirmation"),
];

crate::fields! {
    PROTO = FieldDef::protocol("icmpv6", "Internet Control Message Protocol v6");
    TYPE = FieldDef::new("icmpv6.type", "Type", T::U8).vals(TYPES);
    CODE = FieldDef::new("icmpv6.code", "Code", T::U8);
    CHECKSUM = FieldDef::new("icmpv6.checksum", "Checksum", T::U16).hex();
    CHECKSUM_STATUS = FieldDef::new("icmpv6.checksum.status", "Checksum Status", T::U8).vals(status::NAMES);
    RESERVED = FieldDef::new("icmpv6.reserved", "Reserved", T::Bytes);
    DATA = FieldDef::new("icmpv6.data", "Data", T::Bytes);
    MTU = FieldDef::new("icmpv6.mtu", "MTU", T::U32);
    POINTER = FieldDef::new("icmpv6.pointer", "Pointer", T::U32);
    ECHO_IDENTIFIER = FieldDef::new("icmpv6.echo.identifier", "Identifier", T::U16).hex();
    ECHO_SEQUENCE = FieldDef::new("icmpv6.echo.sequence_number", "Sequence", T::U16);
}

crate::experts! {
    CHECKSUM_BAD = ExpertDef::new("icmpv6.checksum_bad.expert", Group::Checksum, Severity::Error, "Bad checksum");
}

crate::protocol!("icmpv6", "ICMPv6", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    r.add(tables::IP_PROTO, 58, &PROTOCOL);
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    let ty = cx.add_u8(node, &TYPE, tvb, 0)?;
    let code = cx.add_u8(node, &CODE, tvb, 1)?;
    let csum = cx.add_be_u16(node, &CHECKSUM, tvb, 2)?;
    let complete = !cx.frame_truncated() || tvb.source() != 0;
    let verdict = if complete {
        checksum::compute_with_pseudo(&cx.info.net_src, &cx.info.net_dst, 58, tvb.data(), 2)
    } else {
        None
    };
    let fields = ChecksumFields {
        status: &CHECKSUM_STATUS,
        bad: &CHECKSUM_BAD,
        calculated: None,
        say_expected: true,
    };
    let check = verdict.map(|expected| (expected == csum, expected));
    cx.add_checksum_status(node, tvb.range(2, 2), &fields, check);
    let name = crate::engine::field::val_to_str(TYPES, ty as u64).unwrap_or("Unknown");
    cx.columns.info.reset().s(name);
    let _ = code;
    match ty {
        128 | 129 => {
            let id = cx.add_be_u16(node, &ECHO_IDENTIFIER, tvb, 4)?;
            let seq = cx.add_be_u16(node, &ECHO_SEQUENCE, tvb, 6)?;
            let hlim = cx.info.hop_limit.unwrap_or(0);
            cx.columns
                .info
                .reset()
                .s(name)
                .s(" id=")
                .hex(id as u64, 4)
                .s(", seq=")
                .u(seq)
                .s(", hop limit=")
                .u(hlim);
            if tvb.len() > 8 {
                cx.call_data(&tvb.sub_from(8)?, node);
            }
        }
        1..=4 => {
            match ty {
                2 => {
                    cx.add_be_u32(node, &MTU, tvb, 4)?;
                }
                4 => {
                    cx.add_be_u32(node, &POINTER, tvb, 4)?;
                }
                _ => {
                    cx.add_bytes(node, &RESERVED, tvb, 4, 4)?;
                }
            }
            let inner = tvb.sub_from(8)?;
            if !inner.is_empty() {
                cx.call_quoted(&crate::proto::ipv6::PROTOCOL, &inner, node);
            }
        }
        _ => {
            let body = tvb.sub_from(4)?;
            if !cx.call_table(TYPE_TABLE, ty as u64, tvb, node) && !body.is_empty() {
                cx.add_bytes(node, &DATA, tvb, 4, body.len())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    #[test]
    fn echo_request_checksum_is_verified() {
        let mut p = vec![0x60, 0, 0, 0, 0, 8, 58, 64];
        p.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        p.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        let body = [128u8, 0, 0, 0, 0x12, 0x34, 0, 1];
        let src = crate::Address::Ipv6(p[8..24].try_into().unwrap());
        let dst = crate::Address::Ipv6(p[24..40].try_into().unwrap());
        let c = crate::engine::checksum::compute_with_pseudo(&src, &dst, 58, &body, 2).unwrap();
        p.extend_from_slice(&body);
        p[42..44].copy_from_slice(&c.to_be_bytes());
        let t = dissect_one(229, &p);
        assert_eq!(t.show("icmpv6.checksum.status"), ["1"]);
        assert_eq!(t.show("icmpv6.echo.identifier"), ["0x1234"]);
        p[47] ^= 1;
        let t = dissect_one(229, &p);
        assert_eq!(t.show("icmpv6.checksum.status"), ["0"]);
        assert!(t.has("icmpv6.checksum_bad.expert"));
    }
}
