//! ICMP for IPv4 (RFC 792): echo, errors with the invoking datagram decoded, and the checksum
//! (always verified, as tshark does).
//!
//! ```text
//! +--------+--------+-----------------+
//! |  Type  |  Code  |    Checksum     |
//! +--------+--------+-----------------+
//! |  Identifier     | Sequence Number |   (echo)
//! |  unused / pointer / next-hop MTU  |   (errors, then the invoking IP header + 8 bytes)
//! +-----------------------------------+
//! ```

use crate::engine::checksum::{self, status};
use crate::engine::context::ChecksumFields;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{Base, FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

pub static TYPES: &[(u64, &str)] = &[
    (0, "Echo (ping) reply"),
    (3, "Destination unreachable"),
    (4, "Source quench (flow control)"),
    (5, "Redirect"),
    (8, "Echo (ping) request"),
    (9, "Router advertisement"),
    (10, "Router solicitation"),
    (11, "Time-to-live exceeded"),
    (12, "Parameter problem"),
    (13, "Timestamp request"),
    (14, "Timestamp reply"),
];

crate::fields! {
    PROTO = FieldDef::protocol("icmp", "Internet Control Message Protocol");
    TYPE = FieldDef::new("icmp.type", "Type", T::U8).vals(TYPES);
    CODE = FieldDef::new("icmp.code", "Code", T::U8);
    CHECKSUM = FieldDef::new("icmp.checksum", "Checksum", T::U16).hex();
    CHECKSUM_STATUS = FieldDef::new("icmp.checksum.status", "Checksum Status", T::U8).vals(status::NAMES);
    IDENT = FieldDef::new("icmp.ident", "Identifier (BE)", T::U16).base(Base::DecHex);
    IDENT_LE = FieldDef::new("icmp.ident_le", "Identifier (LE)", T::U16).base(Base::DecHex);
    SEQ = FieldDef::new("icmp.seq", "Sequence Number (BE)", T::U16).base(Base::DecHex);
    SEQ_LE = FieldDef::new("icmp.seq_le", "Sequence Number (LE)", T::U16).base(Base::DecHex);
    UNUSED = FieldDef::new("icmp.unused", "Unused", T::Bytes);
    MTU = FieldDef::new("icmp.mtu", "MTU of next hop", T::U16);
    POINTER = FieldDef::new("icmp.pointer", "Pointer", T::U32);
    REDIR_GW = FieldDef::new("icmp.redir_gw", "Gateway address", T::Ipv4);
    DATA_TIME = FieldDef::new("icmp.data_time", "Timestamp from icmp data", T::AbsTime);
    DATA_TIME_RELATIVE = FieldDef::new("icmp.data_time_relative", "Timestamp from icmp data (relative)", T::RelTime);
}

crate::experts! {
    CHECKSUM_BAD = ExpertDef::new("icmp.checksum_bad", Group::Checksum, Severity::Warn, "Bad checksum");
}

crate::protocol!("icmp", "ICMP", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    r.add(tables::IP_PROTO, 1, &PROTOCOL);
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    let ty = cx.add_u8(node, &TYPE, tvb, 0)?;
    let code = cx.add_u8(node, &CODE, tvb, 1)?;
    cx.add_be_u16(node, &CHECKSUM, tvb, 2)?;
    // ICMP's expert names no expected value, so none is computed.
    let check = (!cx.frame_truncated()).then(|| (checksum::internet_checksum(tvb.data()) == 0, 0));
    let fields = ChecksumFields {
        status: &CHECKSUM_STATUS,
        bad: &CHECKSUM_BAD,
        calculated: None,
        say_expected: false,
    };
    cx.add_checksum_status(node, tvb.range(2, 2), &fields, check);
    let name = crate::engine::field::val_to_str(TYPES, ty as u64).unwrap_or("Unknown");
    cx.set_text(node, "Internet Control Message Protocol");
    match ty {
        0 | 8 | 13 | 14 => {
            let id = cx.add_be_u16(node, &IDENT, tvb, 4)?;
            cx.add_le_u16(node, &IDENT_LE, tvb, 4)?;
            let seq = cx.add_be_u16(node, &SEQ, tvb, 6)?;
            cx.add_le_u16(node, &SEQ_LE, tvb, 6)?;
            cx.set_info(format_args!(
                "{name}  id=0x{id:04x}, seq={seq}/{}, ttl={}",
                seq.swap_bytes(),
                ttl_of(cx)
            ));
            let mut data_off = 8;
            if let Some(ns) = data_timestamp(tvb, cx.meta.ts_ns) {
                cx.add(node, &DATA_TIME, tvb.range(8, 8), Value::AbsTime(ns));
                cx.add_generated(
                    node,
                    &DATA_TIME_RELATIVE,
                    Value::RelTime(cx.meta.ts_ns - ns),
                );
                data_off = 16;
            }
            cx.call_data(&tvb.sub_from(data_off)?, node);
        }
        3 | 4 | 11 | 12 | 5 => {
            match ty {
                3 if code == 4 => {
                    cx.add_bytes(node, &UNUSED, tvb, 4, 2)?;
                    cx.add_be_u16(node, &MTU, tvb, 6)?;
                }
                12 => {
                    cx.add(
                        node,
                        &POINTER,
                        tvb.range(4, 1),
                        Value::UInt(tvb.u8(4)? as u64),
                    );
                    cx.add_bytes(node, &UNUSED, tvb, 5, 3)?;
                }
                5 => {
                    cx.add(node, &REDIR_GW, tvb.range(4, 4), Value::Ipv4(tvb.array(4)?));
                }
                _ => {
                    cx.add_bytes(node, &UNUSED, tvb, 4, 4)?;
                }
            }
            cx.set_info(name.to_string());
            let inner = tvb.sub_from(8)?;
            cx.call_quoted(&crate::proto::ipv4::PROTOCOL, &inner, node);
        }
        _ => {
            cx.set_info(name.to_string());
            cx.call_data(&tvb.sub_from(4)?, node);
        }
    }
    Ok(())
}

/// The send time that ping programs put at the start of echo data (a 32-bit seconds and a
/// 32-bit microseconds field, in either byte order), when it lies within a day before the
/// capture time — the test tshark applies.
fn data_timestamp(tvb: &Tvb, frame_ns: i64) -> Option<i64> {
    let frame_secs = frame_ns.div_euclid(1_000_000_000);
    for le in [false, true] {
        let (secs, usecs) = if le {
            (tvb.le_u32(8).ok()?, tvb.le_u32(12).ok()?)
        } else {
            (tvb.be_u32(8).ok()?, tvb.be_u32(12).ok()?)
        };
        let age = frame_secs - secs as i64;
        if (0..86_400).contains(&age) && usecs < 1_000_000 {
            return Some(secs as i64 * 1_000_000_000 + usecs as i64 * 1000);
        }
    }
    None
}

/// The TTL of the IPv4 header this ICMP message came in (for the Info column).
fn ttl_of(cx: &Cx) -> u64 {
    cx.info.hop_limit.unwrap_or(0) as u64
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    #[test]
    fn echo_request_with_checksum() {
        let mut p = vec![
            0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let mut icmp = vec![8, 0, 0, 0, 0, 8, 0, 1];
        let c = crate::engine::checksum::internet_checksum(&icmp);
        icmp[2..4].copy_from_slice(&c.to_be_bytes());
        p.extend_from_slice(&icmp);
        let t = dissect_one(228, &p);
        assert_eq!(t.show("icmp.checksum.status"), ["1"]);
        assert_eq!(t.show("icmp.ident"), ["8"]);
        assert_eq!(t.show("icmp.ident_le"), ["2048"]);
        assert_eq!(t.show("icmp.seq_le"), ["256"]);
        assert!(t.info().starts_with("Echo (ping) request"));
    }
}
