//! IEC 60870-5-104 (`iec60870_104`, TCP 2404): the APCI of IEC 60870-5-104 §5 in its I, S and
//! U formats, carrying the IEC 60870-5-101 ASDU (`iec60870_asdu`, see [`asdu`]) in I frames.
//!
//! ```text
//!  APDU = APCI (6 bytes) + ASDU (I format only)
//! +------+--------+---------------------------------------------+
//! | 0x68 | length | control field, 4 bytes (little-endian)       |
//! +------+--------+---------------------------------------------+
//!   I: bit0 = 0; send seq N(S) = bits 1-15, receive seq N(R) = bits 17-31
//!   S: bits0-1 = 01; N(R) = bits 17-31
//!   U: bits0-1 = 11; bits 2-7 = STARTDT act/con, STOPDT act/con, TESTFR act/con
//! ```
//! As tshark: TCP segments are cut at each start byte's length (bytes before a start byte are
//! shown as `iec60870_104.data`); a length under 4 is malformed; Info gives the direction
//! (`->` from port 2404, `<-` towards it), the format and the sequence numbers, then the ASDU
//! summary, PDUs of one segment separated by ` | `.

pub mod asdu;
mod elements;

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PduLen, Registry, StreamPdus};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use std::fmt::Write as _;

/// The IEC 60870-5-104 port.
pub const PORT: u16 = 2404;
const START: u8 = 0x68;

static APCI_TYPES: &[(u64, &str)] = &[(0, "I"), (1, "S"), (3, "U")];
static U_TYPES: &[(u64, &str)] = &[
    (0x01, "STARTDT act"),
    (0x02, "STARTDT con"),
    (0x04, "STOPDT act"),
    (0x08, "STOPDT con"),
    (0x10, "TESTFR act"),
    (0x20, "TESTFR con"),
];

crate::fields! {
    PROTO = FieldDef::protocol("iec60870_104", "IEC 60870-5-104");
    APDULEN = FieldDef::new("iec60870_104.apdulen", "ApduLen", T::U8).blurb("APDU Len");
    TYPE = FieldDef::new("iec60870_104.type", "Type", T::U32).hex().vals(APCI_TYPES).mask(0x0000_0003);
    UTYPE = FieldDef::new("iec60870_104.utype", "UType", T::U32).hex().vals(U_TYPES).mask(0x0000_00fc);
    TX = FieldDef::new("iec60870_104.tx", "Tx", T::U32).mask(0x0000_fffe);
    RX = FieldDef::new("iec60870_104.rx", "Rx", T::U32).mask(0xfffe_0000);
    DATA = FieldDef::new("iec60870_104.data", "Data", T::Bytes);
}

crate::experts! {
    APDU_MIN_LEN = ExpertDef::new("iec104.apdu_min_len", Group::Malformed, Severity::Error, "APDU less than bytes");
}

crate::protocol!(
    "iec60870_104",
    "IEC 60870-5-104",
    dissect,
    register,
    EXPERTS,
);

static STREAM_PDUS: StreamPdus = crate::proto::tcp_pdus(pdu_len, true);

fn register(r: &mut Registry) {
    r.add(tables::TCP_PORT, PORT as u64, &PROTOCOL);
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
}

/// APDU length as tshark's `get_iec104apdu_len`: up to and including the first start byte's
/// APDU; all the bytes when there is no start byte. Six bytes are needed first.
pub fn pdu_len(b: &[u8]) -> PduLen {
    if b.len() < 6 {
        return PduLen::NeedMore;
    }
    match b[..b.len() - 1].iter().position(|&x| x == START) {
        Some(off) => PduLen::Complete(off + b[off + 1] as usize + 2),
        None => PduLen::Complete(b.len()),
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let again = crate::proto::again_in_segment(cx, PROTOCOL.name);
    let node = crate::proto::stream_pdu_layer(cx, parent, &PROTOCOL, again, tvb.whole());
    let data = tvb.data();
    let Some(off) = data[..data.len().saturating_sub(1)]
        .iter()
        .position(|&x| x == START)
    else {
        // No start byte at all: everything is data.
        let n = data.len().saturating_sub(1).max(1).min(data.len());
        cx.add_with(node, &DATA, tvb.range(0, n), || Value::bytes(&data[..n]));
        return Ok(());
    };
    let mut res = String::new();
    if off > 0 {
        cx.add_with(node, &DATA, tvb.range(0, off), || {
            Value::bytes(&data[..off])
        });
        let _ = write!(res, "<ERR prefix {off} bytes> ");
    }
    cx.set_len(node, tvb, (off + 6).min(tvb.len()));
    cx.add(
        node,
        &asdu::f::START,
        tvb.range(off, 1),
        Value::UInt(START as u64),
    );
    let len = tvb.u8(off + 1)?;
    let len_node = cx.add(
        node,
        &APDULEN,
        tvb.range(off + 1, 1),
        Value::UInt(len as u64),
    );
    if len < 4 {
        cx.expert(
            len_node,
            &APDU_MIN_LEN,
            Some("APDU less than 4 bytes".into()),
        );
        return Ok(());
    }
    let kind = control_field(cx, node, tvb, off, len, &mut res)?;
    // Each APDU of a segment is appended after the previous one's text, ` | ` between.
    if again {
        cx.columns.info.push_str(" | ");
        cx.columns.info.push_str(&res);
    } else {
        cx.set_info(&res);
    }
    cx.set_text(node, format_args!("IEC 60870-5-104: {res}"));
    if kind == 0 {
        let asdu_len = (len as usize - 4).min(tvb.remaining(off + 6));
        let sub = tvb.sub_clamped(off + 6, asdu_len);
        cx.call(&asdu::PROTOCOL, &sub, parent);
    }
    Ok(())
}

/// The APCI control field (IEC 60870-5-104 §5): the frame type (0 I, 1 S, 3 U) and its
/// sequence numbers or function, added to `res` as tshark's summary reads them; returns the
/// frame type.
fn control_field(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    off: usize,
    len: u8,
    res: &mut String,
) -> Result<u32> {
    let ctrl = tvb.le_u32(off + 2)?;
    let kind = if ctrl & 1 == 0 { 0 } else { ctrl & 3 };
    let r = tvb.range(off + 2, 4);
    // Wireshark declares the type twice (mask 0x01 for I, 0x03 for S/U); one field keeps the
    // name unique for filters, and an I frame's bit 1 (part of N(S)) is cleared so it reads 0.
    let type_bits = if kind == 0 { ctrl & !2 } else { ctrl };
    cx.add_uint(node, &TYPE, r, type_bits as u64);
    if len <= 253 {
        let arrow = if cx.info.src_port == PORT { "->" } else { "<-" };
        let name = crate::engine::field::val_to_str(APCI_TYPES, kind as u64).unwrap_or("<ERR>");
        let _ = write!(res, "{arrow} {name} ");
    } else {
        let _ = write!(res, "<ERR ApduLen={len} bytes> ");
    }
    match kind {
        0 => {
            cx.add_uint(node, &TX, r, ctrl as u64);
            cx.add_uint(node, &RX, r, ctrl as u64);
            let _ = write!(res, "({},{}) ", (ctrl & 0xfffe) >> 1, ctrl >> 17);
        }
        1 => {
            cx.add_uint(node, &RX, r, ctrl as u64);
            let _ = write!(res, "({}) ", ctrl >> 17);
        }
        _ => {
            cx.add_uint(node, &UTYPE, r, ctrl as u64);
            let u = ((ctrl & 0xfc) >> 2) as u64;
            let name = crate::engine::field::val_to_str(U_TYPES, u).unwrap_or("<ERR>");
            let _ = write!(res, "({name}) ");
        }
    }
    Ok(kind)
}

#[cfg(test)]
mod tests;
