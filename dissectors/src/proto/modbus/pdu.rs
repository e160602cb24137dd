//! The Modbus PDU (`modbus` layer): function code, then the request or response fields of
//! that function (Modbus Application Protocol v1.1b3 §6), or an exception code (§7). As tshark's
//! `dissect_modbus_request`/`dissect_modbus_response`, which this file follows function by
//! function; `dissect_data` is its `dissect_modbus_data` (bits, UINT16 registers or raw data).

use super::f::*;
use super::{Direction, Framing};
use crate::engine::field::FieldDef;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use foldhash::HashMap;
use std::collections::VecDeque;

/// Queries remembered per connection for matching responses.
const MAX_QUERIES: usize = 512;
/// Connections with remembered queries.
const MAX_CONNS: usize = 4096;

/// One remembered query.
#[derive(Clone, Copy, Debug)]
struct Query {
    frame: u64,
    ts: i64,
    func: u8,
    trans_id: u16,
    unit_id: u8,
    reg_base: u16,
    num_reg: u16,
}

/// Request/response matching state, per TCP stream (most recent query first).
#[derive(Clone, Default)]
pub struct ModbusState {
    queries: HashMap<u32, VecDeque<Query>>,
}

/// What the request/response matching found for this PDU (tshark's `modbus_pkt_info_t`).
#[derive(Default, Clone, Copy)]
struct PktInfo {
    reg_base: u16,
    num_reg: u16,
    request: Option<(u64, i64)>,
}

fn remember_and_match(cx: &mut Cx, pdu: &Tvb, fr: Framing, func: u8) -> PktInfo {
    let stream = cx.info.stream.unwrap_or(u32::MAX);
    let frame = cx.meta.number;
    let ts = cx.meta.ts_ns;
    let st = cx.session.get::<ModbusState>();
    let mut info = PktInfo::default();
    match fr.dir {
        Direction::Query => {
            if st.queries.len() >= MAX_CONNS && !st.queries.contains_key(&stream) {
                st.queries.clear();
            }
            let q = Query {
                frame,
                ts,
                func,
                trans_id: fr.trans_id,
                unit_id: fr.unit_id,
                reg_base: pdu.be_u16(1).unwrap_or(0),
                num_reg: pdu.be_u16(3).unwrap_or(0),
            };
            info.reg_base = q.reg_base;
            info.num_reg = q.num_reg;
            let list = st.queries.entry(stream).or_default();
            if list.len() >= MAX_QUERIES {
                list.pop_back();
            }
            list.push_front(q);
        }
        Direction::Response => {
            if let Some(q) = st.queries.get(&stream).and_then(|l| {
                l.iter().find(|q| {
                    q.frame < frame
                        && q.func == func
                        && q.trans_id == fr.trans_id
                        && q.unit_id == fr.unit_id
                })
            }) {
                info.reg_base = q.reg_base;
                info.num_reg = q.num_reg;
                info.request = Some((q.frame, q.ts));
            }
        }
        Direction::Unknown => {}
    }
    info
}

/// `modbus` called directly (decode-as on a payload with no framing): treated as a query with
/// unit and transaction 0.
pub fn dissect_standalone(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let fr = Framing {
        dir: Direction::Unknown,
        trans_id: 0,
        unit_id: 0,
    };
    dissect_pdu(tvb, cx, parent, fr)
}

/// The Modbus PDU in `pdu` (function code first).
pub fn dissect_pdu(pdu: &Tvb, cx: &mut Cx, parent: NodeId, fr: Framing) -> Result<()> {
    if pdu.is_empty() {
        return Ok(());
    }
    // tshark calls the `modbus` dissector for every PDU, so each one is a layer of its own;
    // the Protocol column stays the framing's (Modbus/TCP, Modbus RTU).
    let column = cx.columns.protocol.clone();
    let node = cx.add_proto(parent, &super::MODBUS, pdu.whole());
    cx.columns.protocol = column;
    let raw = pdu.u8(0)?;
    let func = raw & 0x7f;
    cx.add(node, &FUNC_CODE, pdu.range(0, 1), Value::UInt(func as u64));
    let info = remember_and_match(cx, pdu, fr, func);
    let exception = if raw & 0x80 != 0 { pdu.u8(1)? } else { 0 };
    if exception != 0 {
        let fname = crate::engine::field::val_to_str(super::FUNCTION_CODES, func as u64)
            .unwrap_or("Unknown Function");
        match crate::engine::field::val_to_str(super::EXCEPTION_CODES, exception as u64) {
            Some(e) => cx.set_text(
                node,
                format_args!("Function {func}:  {fname}.  Exception: {e}"),
            ),
            None => cx.set_text(
                node,
                format_args!(
                    "Function {func}:  {fname}.  Exception: Unknown Exception Code ({exception})"
                ),
            ),
        }
        cx.add(
            node,
            &EXCEPTION_CODE,
            pdu.range(1, 1),
            Value::UInt(exception as u64),
        );
        return Ok(());
    }
    match fr.dir {
        Direction::Query => request(pdu, cx, node, func, info),
        Direction::Response => response(pdu, cx, node, func, info),
        Direction::Unknown => Ok(()),
    }
}

fn u16_at(cx: &mut Cx, node: NodeId, f: &'static FieldDef, tvb: &Tvb, off: usize) -> Result<u16> {
    cx.add_be_u16(node, f, tvb, off)
}

fn request(t: &Tvb, cx: &mut Cx, n: NodeId, func: u8, info: PktInfo) -> Result<()> {
    let len = t.len() - 1;
    match func {
        1 | 2 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            u16_at(cx, n, &BIT_CNT, t, 3)?;
        }
        3 | 4 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            u16_at(cx, n, &WORD_CNT, t, 3)?;
        }
        5 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            dissect_data(t, cx, n, func, 3, 1, 0, 0)?;
            cx.add_u8(n, &PADDING, t, 4)?;
        }
        6 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            dissect_data(t, cx, n, func, 3, 2, 0, 0)?;
        }
        7 => {}
        8 => diagnostics(t, cx, n, func, true)?,
        15 | 16 => {
            let base = u16_at(cx, n, &REFERENCE, t, 1)?;
            u16_at(cx, n, if func == 15 { &BIT_CNT } else { &WORD_CNT }, t, 3)?;
            let cnt = cx.add_u8(n, &BYTE_CNT, t, 5)?;
            let base = if func == 16 { base } else { 0 };
            dissect_data(t, cx, n, func, 6, cnt as isize, base, 0)?;
        }
        20 => {
            let cnt = cx.add_u8(n, &BYTE_CNT, t, 1)? as usize;
            let mut off = 2;
            for i in 0..cnt / 7 {
                let g = cx.add_text(n, t.range(off, 7), format_args!("Group {i}"));
                cx.add_u8(g, &REFTYPE, t, off)?;
                cx.add_be_u32(g, &LREFERENCE, t, off + 1)?;
                u16_at(cx, g, &WORD_CNT, t, off + 5)?;
                off += 7;
            }
        }
        21 => write_file_groups(t, cx, n, func, info)?,
        22 => mask_write(t, cx, n)?,
        23 => {
            u16_at(cx, n, &READ_REF, t, 1)?;
            u16_at(cx, n, &READ_WORD_CNT, t, 3)?;
            u16_at(cx, n, &WRITE_REF, t, 5)?;
            u16_at(cx, n, &WRITE_WORD_CNT, t, 7)?;
            let cnt = cx.add_u8(n, &BYTE_CNT, t, 9)?;
            dissect_data(t, cx, n, func, 10, cnt as isize, 0, 0)?;
        }
        24 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
        }
        43 => {
            let mei = cx.add_u8(n, &MEI, t, 1)?;
            if mei == 14 {
                cx.add_u8(n, &READ_DEVICE_ID, t, 2)?;
                cx.add_u8(n, &OBJECT_ID, t, 3)?;
            } else if len > 1 {
                dissect_data(t, cx, n, func, 1, len as isize - 1, 0, 0)?;
            }
        }
        _ => {
            if len > 0 {
                dissect_data(t, cx, n, func, 1, len as isize, 0, 0)?;
            }
        }
    }
    Ok(())
}

fn mask_write(t: &Tvb, cx: &mut Cx, n: NodeId) -> Result<()> {
    u16_at(cx, n, &REFERENCE, t, 1)?;
    u16_at(cx, n, &AND_MASK, t, 3)?;
    u16_at(cx, n, &OR_MASK, t, 5)?;
    Ok(())
}

/// Write File Record groups (request, and the response that echoes it).
fn write_file_groups(t: &Tvb, cx: &mut Cx, n: NodeId, func: u8, info: PktInfo) -> Result<()> {
    let mut left = cx.add_u8(n, &BYTE_CNT, t, 1)? as i64;
    let mut off = 2usize;
    let mut i = 0u32;
    while left > 0 {
        let words = t.be_u16(off + 5)? as usize;
        let glen = 2 * words + 7;
        let g = cx.add_text(
            n,
            t.range(off, glen.min(t.remaining(off))),
            format_args!("Group {i}"),
        );
        cx.add_u8(g, &REFTYPE, t, off)?;
        cx.add_be_u32(g, &LREFERENCE, t, off + 1)?;
        u16_at(cx, g, &WORD_CNT, t, off + 5)?;
        dissect_data(t, cx, g, func, off + 7, glen as isize - 7, info.reg_base, 0)?;
        off += glen;
        left -= glen as i64;
        i += 1;
    }
    Ok(())
}

fn diagnostics(t: &Tvb, cx: &mut Cx, n: NodeId, func: u8, is_request: bool) -> Result<()> {
    let len = t.len() - 1;
    let code = u16_at(cx, n, &DIAG_CODE, t, 1)?;
    let rest = len.saturating_sub(2);
    let counter: Option<&'static FieldDef> = match code {
        0 => {
            if len > 2 {
                let f = if is_request {
                    &DIAG_QUERY_REQUEST
                } else {
                    &DIAG_QUERY_ECHO
                };
                let b = t.bytes(3, rest)?;
                cx.add_with(n, f, t.range(3, rest), || Value::bytes(b));
            }
            return Ok(());
        }
        1 => Some(&DIAG_RESTART),
        3 => {
            cx.add_u8(n, &DIAG_ASCII_DELIM, t, 3)?;
            return Ok(());
        }
        2 if !is_request => Some(&DIAG_REGISTER),
        10 if !is_request => Some(&DIAG_CLEAR_CTR),
        11 if !is_request => Some(&DIAG_BUS_MSG),
        12 if !is_request => Some(&DIAG_BUS_COMM_ERR),
        13 if !is_request => Some(&DIAG_BUS_EXC_ERR),
        14 if !is_request => Some(&DIAG_SLAVE_MSG),
        15 if !is_request => Some(&DIAG_NO_RESP),
        16 if !is_request => Some(&DIAG_NAK),
        17 if !is_request => Some(&DIAG_BUSY),
        18 if !is_request => Some(&DIAG_OVERRUN),
        _ => None,
    };
    match counter {
        Some(f) => {
            u16_at(cx, n, f, t, 3)?;
        }
        None if len > 2 => dissect_data(t, cx, n, func, 3, rest as isize, 0, 0)?,
        None => {}
    }
    Ok(())
}

fn response(t: &Tvb, cx: &mut Cx, n: NodeId, func: u8, info: PktInfo) -> Result<()> {
    if let Some((frame, ts)) = info.request {
        cx.add_generated(n, &REQUEST_FRAME, Value::UInt(frame));
        cx.add_generated(n, &RESPONSE_TIME, Value::RelTime(cx.meta.ts_ns - ts));
    }
    let len = t.len() - 1;
    match func {
        1 | 2 => {
            let cnt = cx.add_u8(n, &BYTE_CNT, t, 1)?;
            let num = if info.request.is_some() {
                info.num_reg
            } else {
                (cnt as u16).wrapping_mul(8)
            };
            dissect_data(t, cx, n, func, 2, cnt as isize, info.reg_base, num)?;
        }
        3 | 4 | 23 => {
            let cnt = cx.add_u8(n, &BYTE_CNT, t, 1)?;
            dissect_data(t, cx, n, func, 2, cnt as isize, info.reg_base, 0)?;
        }
        5 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            dissect_data(t, cx, n, func, 3, 1, info.reg_base, 0)?;
            cx.add_u8(n, &PADDING, t, 4)?;
        }
        6 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            dissect_data(t, cx, n, func, 3, 2, info.reg_base, 0)?;
        }
        7 => dissect_data(t, cx, n, func, 1, 1, info.reg_base, 0)?,
        8 => diagnostics(t, cx, n, func, false)?,
        11 => {
            u16_at(cx, n, &EV_STATUS, t, 1)?;
            u16_at(cx, n, &EV_COUNT, t, 3)?;
        }
        12 => event_log(t, cx, n)?,
        15 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            u16_at(cx, n, &BIT_CNT, t, 3)?;
        }
        16 => {
            u16_at(cx, n, &REFERENCE, t, 1)?;
            u16_at(cx, n, &WORD_CNT, t, 3)?;
        }
        20 => read_file_groups(t, cx, n, func, info)?,
        21 => write_file_groups(t, cx, n, func, info)?,
        22 => mask_write(t, cx, n)?,
        24 => {
            let cnt = t.be_u16(1)?;
            cx.add(n, &BYTE_CNT_16, t.range(1, 2), Value::UInt(cnt as u64));
            u16_at(cx, n, &WORD_CNT, t, 3)?;
            dissect_data(t, cx, n, func, 5, cnt as isize - 2, info.reg_base, 0)?;
        }
        43 => device_id_response(t, cx, n, func, info)?,
        _ => {
            if len > 0 {
                dissect_data(t, cx, n, func, 1, len as isize, info.reg_base, 0)?;
            }
        }
    }
    Ok(())
}

fn read_file_groups(t: &Tvb, cx: &mut Cx, n: NodeId, func: u8, info: PktInfo) -> Result<()> {
    let mut left = cx.add_u8(n, &BYTE_CNT, t, 1)? as i64;
    let mut off = 2usize;
    let mut i = 0u32;
    while left > 0 {
        let glen = t.u8(off)? as usize;
        let g = cx.add_text(
            n,
            t.range(off, (glen + 1).min(t.remaining(off))),
            format_args!("Group {i}"),
        );
        cx.add(g, &BYTE_CNT, t.range(off, 1), Value::UInt(glen as u64));
        cx.add_u8(g, &REFTYPE, t, off + 1)?;
        dissect_data(t, cx, g, func, off + 2, glen as isize - 1, info.reg_base, 0)?;
        off += glen + 1;
        left -= glen as i64 + 1;
        i += 1;
    }
    Ok(())
}

fn event_log(t: &Tvb, cx: &mut Cx, n: NodeId) -> Result<()> {
    let cnt = cx.add_u8(n, &BYTE_CNT, t, 1)? as i64;
    u16_at(cx, n, &EV_STATUS, t, 2)?;
    u16_at(cx, n, &EV_COUNT, t, 4)?;
    u16_at(cx, n, &EV_MSG_COUNT, t, 6)?;
    let events = cnt - 6;
    if events > 0 {
        let tree = cx.add_text(
            n,
            t.range(8, (events as usize).min(t.remaining(8))),
            "Events",
        );
        for i in 0..events as usize {
            let code = t.u8(8 + i)?;
            let e = cx.add(tree, &EVENT, t.range(8 + i, 1), Value::UInt(code as u64));
            match code {
                0 => cx.set_text(e, "Initiated Communication Restart"),
                4 => cx.set_text(e, "Entered Listen Only Mode"),
                c if c & 0x80 != 0 => cx.set_text(e, format_args!("Receive Event: 0x{c:02X}")),
                c if c & 0xc0 == 0x40 => cx.set_text(e, format_args!("Send Event: 0x{c:02X}")),
                _ => cx.set_text(e, "Unknown Event"),
            }
        }
    }
    Ok(())
}

fn device_id_response(t: &Tvb, cx: &mut Cx, n: NodeId, func: u8, info: PktInfo) -> Result<()> {
    let len = t.len() - 1;
    let mei = cx.add_u8(n, &MEI, t, 1)?;
    if mei != 14 {
        if len > 1 {
            dissect_data(t, cx, n, func, 1, len as isize - 1, info.reg_base, 0)?;
        }
        return Ok(());
    }
    cx.add_u8(n, &READ_DEVICE_ID, t, 2)?;
    cx.add_u8(n, &CONFORMITY, t, 3)?;
    cx.add_u8(n, &MORE_FOLLOWS, t, 4)?;
    cx.add_u8(n, &NEXT_OBJECT_ID, t, 5)?;
    let num = cx.add_u8(n, &NUM_OBJECTS, t, 6)?;
    let objs = cx.add_text(
        n,
        t.range(7, len.saturating_sub(6).min(t.remaining(7))),
        "Objects",
    );
    let mut off = 7usize;
    for i in 0..num as usize {
        let id = t.u8(off)?;
        let olen = t.u8(off + 1)? as usize;
        let item = cx.add_text(
            objs,
            t.range(off, (2 + olen).min(t.remaining(off))),
            format_args!("Object #{}", i + 1),
        );
        cx.add_u8(item, &OBJECT_ID, t, off)?;
        cx.add(
            item,
            &OBJECT_LEN,
            t.range(off + 1, 1),
            Value::UInt(olen as u64),
        );
        if id < 7 {
            cx.add_string(item, &OBJECT_STR, t, off + 2, olen)?;
        } else if olen > 0 {
            let b = t.bytes(off + 2, olen)?;
            cx.add_with(item, &OBJECT_VALUE, t.range(off + 2, olen), || {
                Value::bytes(b)
            });
        }
        off += 2 + olen;
    }
    Ok(())
}

/// tshark's `dissect_modbus_data`: `len` bytes at `start` as coil bits, UINT16 registers or
/// raw data. When `len` disagrees with the bytes left, everything left is raw data.
#[allow(clippy::too_many_arguments)]
fn dissect_data(
    t: &Tvb,
    cx: &mut Cx,
    n: NodeId,
    func: u8,
    start: usize,
    len: isize,
    reg_base: u16,
    num_reg: u16,
) -> Result<()> {
    let left = t.len() as isize - start as isize;
    if len + start as isize == 0 {
        return Ok(());
    }
    if left < 0 {
        return Err(Error::Short);
    }
    if len != left {
        let b = t.bytes(start, left as usize)?;
        cx.add_with(n, &DATA, t.range(start, left as usize), || Value::bytes(b));
        return Ok(());
    }
    let len = len as usize;
    let d = t.sub(start, len)?;
    match func {
        1 | 2 => coil_bits(&d, cx, n, reg_base, num_reg),
        3 | 4 | 16 => {
            let mut reg = reg_base;
            let mut off = 0;
            while off < len {
                let v = d.be_u16(off)?;
                let r = cx.add_text(
                    n,
                    d.range(off, 2),
                    format_args!("Register {reg} (UINT16): {v}"),
                );
                cx.add(r, &REGNUM16, d.range(off, 2), Value::UInt(reg as u64));
                cx.add(r, &REGVAL_UINT16, d.range(off, 2), Value::UInt(v as u64));
                off += 2;
                reg = reg.wrapping_add(1);
            }
            Ok(())
        }
        _ => {
            let b = d.data();
            cx.add_with(n, &DATA, d.whole(), || Value::bytes(b));
            Ok(())
        }
    }
}

/// Packed coil/input bits, least significant first; stops after `num_reg` bits (tshark checks
/// after each bit, so a count of 0 shows one bit per byte).
fn coil_bits(d: &Tvb, cx: &mut Cx, n: NodeId, reg_base: u16, num_reg: u16) -> Result<()> {
    let mut reg = reg_base;
    for off in 0..d.len() {
        let byte = d.u8(off)?;
        for bit in 0..8 {
            let v = byte & (1 << bit) != 0;
            let b = cx.add_text(n, d.range(off, 1), format_args!("Bit {reg} : {}", v as u8));
            cx.add_generated_at(b, &BITNUM, d.range(off, 1), Value::UInt(reg as u64));
            cx.add(b, &BITVAL, d.range(off, 1), Value::Bool(v));
            reg = reg.wrapping_add(1);
            if reg.wrapping_sub(reg_base) >= num_reg {
                break;
            }
        }
    }
    Ok(())
}
