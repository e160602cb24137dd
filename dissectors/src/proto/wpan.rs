//! IEEE 802.15.4 MAC frames — placeholder until the full dissector lands: the link types
//! (195 with FCS, 230 without, 283 TAP, 215 non-ASK PHY) and the SLL protocol 0x00f6 are routed
//! here, and the frame is shown as a `wpan` layer with its bytes.

use crate::engine::Cx;
use crate::field::{FieldDef, FieldType as T};
use crate::registry::{tables, Protocol, Registry};
use crate::tree::NodeId;
use crate::tvb::{Result, Tvb};
use crate::value::Value;

crate::fields! {
    PROTO = FieldDef::protocol("wpan", "IEEE 802.15.4 Low-Rate Wireless PAN");
    FRAME = FieldDef::new("wpan.frame", "Frame bytes", T::Bytes);
}

pub static PROTOCOL: Protocol = Protocol {
    name: "wpan",
    short_name: "IEEE 802.15.4",
    field: &PROTO,
    fields: FIELDS,
    experts: &[],
    prefs: &[],
    dissect,
    register,
};

fn register(r: &mut Registry) {
    for lt in [195, 215, 230, 283] {
        r.add(tables::LINK_TYPE, lt, &PROTOCOL);
    }
    r.add(tables::SLL_LTYPE, 0x00f6, &PROTOCOL);
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.add(node, &FRAME, tvb.whole(), Value::bytes(tvb.data()));
    cx.set_info("IEEE 802.15.4 frame");
    Ok(())
}
