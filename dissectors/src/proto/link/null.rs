//! BSD loopback encapsulation (LINKTYPE_NULL 0 and LINKTYPE_LOOP 108): a 4-byte address family
//! before the network-layer packet. NULL stores it in the capturing host's byte order, so both
//! orders are accepted; LOOP is always big-endian.
//!
//! ```text
//! +---------------+-----------------
//! | family (u32)  | IPv4 / IPv6 packet
//! +---------------+-----------------
//! ```

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

/// Address families of the BSDs (IPv6 differs between them).
pub static FAMILIES: &[(u64, &str)] = &[
    (2, "IP"),
    (7, "OSI"),
    (23, "IPX"),
    (24, "IPv6"),
    (28, "IPv6"),
    (30, "IPv6"),
];

crate::fields! {
    PROTO = FieldDef::protocol("null", "Null/Loopback");
    FAMILY = FieldDef::new("null.family", "Family", T::U32).vals(FAMILIES);
}

crate::protocol!("null", "NULL", dissect, register);

fn register(r: &mut Registry) {
    r.add(tables::LINK_TYPE, 0, &PROTOCOL);
    r.add(tables::LINK_TYPE, 108, &PROTOCOL);
    r.add(tables::NULL_FAMILY, 2, &crate::proto::ipv4::PROTOCOL);
    for v6 in [10, 24, 28, 30] {
        r.add(tables::NULL_FAMILY, v6, &crate::proto::ipv6::PROTOCOL);
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, 4));
    let be = tvb.be_u32(0)?;
    // The family is small: whichever byte order gives a small number is the right one.
    let family = if cx.meta.link_type == 108 || be <= 0xffff {
        be
    } else {
        be.swap_bytes()
    };
    cx.add(node, &FAMILY, tvb.range(0, 4), Value::UInt(family as u64));
    let payload = tvb.sub_from(4)?;
    if !cx.call_table(tables::NULL_FAMILY, family as u64, &payload, parent) {
        cx.call_data(&payload, parent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    #[test]
    fn both_byte_orders() {
        let p = dissect_one(0, &[2, 0, 0, 0]);
        assert_eq!(p.show("null.family"), ["2"]);
        let p = dissect_one(0, &[0, 0, 0, 30]);
        assert_eq!(p.show("null.family"), ["30"]);
    }
}
