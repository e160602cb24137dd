//! `data`: bytes no dissector claimed, shown as they are.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

crate::fields! {
    PROTO = FieldDef::protocol("data", "Data");
    DATA = FieldDef::new("data.data", "Data", T::Bytes);
    TEXT = FieldDef::new("data.text", "Text", T::String);
    LEN = FieldDef::new("data.len", "Length", T::I32);
}

crate::protocol!("data", "Data", dissect, |r: &mut Registry| r
    .set_data_protocol(&PROTOCOL),);

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    // Data does not claim the Protocol column: the last real protocol keeps it, as in Wireshark.
    let keep = cx.columns.protocol.clone();
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.columns.protocol = keep;
    cx.set_text(node, format_args!("Data ({} bytes)", tvb.len()));
    cx.add_with(node, &DATA, tvb.whole(), || Value::bytes(tvb.data()));
    cx.add_generated(node, &LEN, Value::Int(tvb.len() as i64));
    Ok(())
}
