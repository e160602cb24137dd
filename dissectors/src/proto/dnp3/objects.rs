//! The points of DNP3 objects, by group and variation (IEEE 1815-2012 Annex A): binary and
//! double-bit inputs, binary outputs and CROBs (group 12), counters (20-23), analog inputs
//! (30-34), analog outputs (40-43), time (50-52), file control (70), internal indications
//! (80), octet strings (110, 111) and device attributes (group 0).
//!
//! ```text
//! point: | prefix (index or size, 0-4 bytes) | flags? | value | time? |
//! flags: bit 0 online, 1 restart, 2 comm lost, 3 remote forced, 4 local forced,
//!        5-7 per type (chatter filter / over-range / roll-over …, state)
//! time:  48-bit milliseconds since 1970-01-01 UTC, little-endian
//! ```
//! Every read is bounds-checked: a point cut short ends the fragment as malformed, an unknown
//! object shows the rest of the fragment as an unknown data chunk.

use super::fields::*;
use super::names::iin_name;
use crate::engine::context::Endian;
use crate::engine::field::{val_to_str, FieldDef};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use std::fmt::Write;

/// State shared by the objects of one fragment: the common time of occurrence (group 51)
/// that relative times (groups 2 and 4 variation 3) count from.
#[derive(Default)]
pub struct State {
    pub cto_ns: i64,
}

/// Where a header's points stand.
pub struct Point {
    pub obj: u16,
    pub oct_len: u8,
    pub prefix: u8,
    /// The current point number (tshark's `al_ptaddr`).
    pub index: u32,
    /// Bit position within a byte of packed single- or double-bit values.
    pub bitindex: u8,
}

/// Which quality flags a point has.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Quality {
    BinIn,
    DbinIn,
    BinOut,
    AnaIn,
    AnaOut,
    Counter,
}

static BIQ: [&FieldDef; 8] = [
    &BIQ_B7, &BIQ_B6, &BIQ_B5, &BIQ_B4, &BIQ_B3, &BIQ_B2, &BIQ_B1, &BIQ_B0,
];
static DBIQ: [&FieldDef; 7] = [&BIT2, &BIQ_B5, &BIQ_B4, &BIQ_B3, &BIQ_B2, &BIQ_B1, &BIQ_B0];
static BOQ: [&FieldDef; 8] = [
    &BOQ_B7, &BOQ_B6, &BOQ_B5, &BOQ_B4, &BOQ_B3, &BOQ_B2, &BOQ_B1, &BOQ_B0,
];
static AIQ: [&FieldDef; 8] = [
    &AIQ_B7, &AIQ_B6, &AIQ_B5, &AIQ_B4, &AIQ_B3, &AIQ_B2, &AIQ_B1, &AIQ_B0,
];
static AOQ: [&FieldDef; 8] = [
    &AOQ_B7, &AOQ_B6, &AOQ_B5, &AOQ_B4, &AOQ_B3, &AOQ_B2, &AOQ_B1, &AOQ_B0,
];
static CTRQ: [&FieldDef; 8] = [
    &CTRQ_B7, &CTRQ_B6, &CTRQ_B5, &CTRQ_B4, &CTRQ_B3, &CTRQ_B2, &CTRQ_B1, &CTRQ_B0,
];
static CTL_CODE_BITS: [&FieldDef; 3] = [&CTL_OP, &CTL_CLR, &CTL_TRIP];

/// The quality summary tshark shows: "Online, Restart, Comm Fail".
struct QualityText(u8, Quality);

impl std::fmt::Display for QualityText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (b, kind) = (self.0, self.1);
        f.write_str(if b & 1 != 0 { "Online" } else { "Offline" })?;
        for (bit, name) in [
            (0x02, ", Restart"),
            (0x04, ", Comm Fail"),
            (0x08, ", Remote Force"),
            (0x10, ", Local Force"),
        ] {
            if b & bit != 0 {
                f.write_str(name)?;
            }
        }
        let extra: &[(u8, &str)] = match kind {
            Quality::BinIn | Quality::DbinIn => &[(0x20, ", Chatter Filter")],
            Quality::AnaIn => &[(0x20, ", Over-Range"), (0x40, ", Reference Check")],
            Quality::Counter => &[(0x20, ", Roll-over"), (0x40, ", Discontinuity")],
            _ => &[],
        };
        for (bit, name) in extra {
            if b & bit != 0 {
                f.write_str(name)?;
            }
        }
        Ok(())
    }
}

/// Objects that carry no points (default variations and class data).
fn empty_object(obj: u16) -> bool {
    matches!(
        obj,
        0x0100
            | 0x0200
            | 0x0b00
            | 0x0300
            | 0x0400
            | 0x1400
            | 0x1600
            | 0x1e00
            | 0x2000
            | 0x2200
            | 0x2a00
            | 0x3c01..=0x3c04
    )
}

/// One point of a header at `pos`: its prefix and, unless the function carries headers only,
/// its value. Returns where the next point starts and whether the header must stop here (a
/// count on an object that has no points).
#[allow(clippy::too_many_arguments)]
pub fn point(
    cx: &mut Cx,
    onode: NodeId,
    rnode: NodeId,
    tvb: &Tvb,
    pos: usize,
    p: &mut Point,
    header_only: bool,
    last: bool,
    state: &mut State,
) -> Result<(usize, bool)> {
    // tshark opens each point as a subtree running to the end of the fragment, which fails
    // when nothing is left.
    if pos >= tvb.len() {
        return Err(crate::engine::tvb::Error::Short);
    }
    let title = if p.prefix <= 3 {
        "Point Number"
    } else {
        "Object: Size"
    };
    let pnode = cx.add_text(onode, tvb.range(pos, 0), title);
    let prefix_len = prefix(cx, pnode, tvb, pos, p)?;
    let stop = empty_object(p.obj);
    if stop {
        if rnode.is_built() {
            let label = format!("{} (bogus)", cx.tree.text(rnode).unwrap_or_default());
            cx.set_text(rnode, &label);
        }
        cx.expert(rnode, &NUM_ITEMS_INVALID, None);
    }
    let mut label = String::new();
    if pnode.is_built() {
        let _ = write!(label, "{title} {}", p.index);
        cx.set_text(pnode, &label);
    }
    let data = pos + prefix_len;
    let next = if !header_only || (4..=6).contains(&p.prefix) {
        let at = At {
            pnode,
            pos,
            data,
            last,
        };
        let next = value(cx, onode, tvb, &at, p, state, &mut label)?;
        p.index = p.index.wrapping_add(1);
        next
    } else {
        data
    };
    if pnode.is_built() {
        cx.set_text(pnode, &label);
        cx.tree.node_mut(pnode).range.len = next.saturating_sub(pos).max(prefix_len) as u32;
    }
    Ok((next, stop))
}

/// The index or size prefix of a point (§4.2.2.7.1); a point without one gets its number as a
/// generated item.
fn prefix(cx: &mut Cx, pnode: NodeId, tvb: &Tvb, pos: usize, p: &mut Point) -> Result<usize> {
    let (field, width) = match p.prefix {
        0 => {
            cx.add_generated_at(
                pnode,
                &POINT_INDEX,
                tvb.range(pos, 0),
                Value::UInt(p.index as u64),
            );
            return Ok(0);
        }
        1..=3 => (&INDEX, 1usize << (p.prefix - 1)),
        4..=6 => (&SIZE, 1usize << (p.prefix - 4)),
        _ => return Ok(0),
    };
    let v = cx
        .add_int(pnode, field, tvb, pos, width, Endian::Little)?
        .value;
    p.index = v as u32;
    Ok(width)
}

/// Where one point stands: its item, where it starts, where its value starts (after the
/// prefix), and whether it is the last of its header.
struct At {
    pnode: NodeId,
    pos: usize,
    data: usize,
    last: bool,
}

/// The value of one point, at `at.data`.
fn value(
    cx: &mut Cx,
    onode: NodeId,
    tvb: &Tvb,
    at: &At,
    p: &mut Point,
    state: &mut State,
    label: &mut String,
) -> Result<usize> {
    let At {
        pnode, pos, data, ..
    } = *at;
    match p.obj >> 8 {
        0 => return device_attribute(cx, onode, pnode, tvb, data, label),
        110 | 111 => {
            if p.oct_len > 0 {
                cx.add_bytes(onode, &OCTET_STRING, tvb, data, p.oct_len as usize)?;
            }
            return Ok(data + p.oct_len as usize);
        }
        _ => {}
    }
    match p.obj {
        o if empty_object(o) => Ok(data),
        0x0101 | 0x0a01 | 0x0c03 | 0x5001 => single_bit(cx, tvb, at, p, label),
        0x0301 => double_bit(cx, tvb, at, p, label),
        0x0102 | 0x0201 | 0x0202 | 0x0203 | 0x0a02 | 0x0b01 | 0x0b02 | 0x0302 | 0x0401 | 0x0402
        | 0x0403 => binary_status(cx, pnode, tvb, data, p.obj, state, label),
        0x0c01 | 0x0c02 => crob(cx, pnode, tvb, data, label),
        o if numeric_layout(o).is_some() => numeric_point(cx, pnode, tvb, data, o, label),
        0x3201 | 0x3203 | 0x3301 | 0x3302 => {
            let t = add_time(cx, onode, &TIMESTAMP, tvb, data)?;
            if p.obj == 0x3301 {
                state.cto_ns = t;
            }
            Ok(data + 6)
        }
        0x3402 => {
            cx.add_int(onode, &TIME_DELAY, tvb, data, 2, Endian::Little)?;
            Ok(data + 2)
        }
        0x4603..=0x4606 => super::file::object(cx, pnode, tvb, pos, data, p),
        _ => {
            // tshark shows the rest of the fragment, from the point's start, as unknown.
            let rest = tvb.remaining(pos);
            if rest == 0 {
                return Err(crate::engine::tvb::Error::Short);
            }
            cx.add_bytes(onode, &UNKNOWN_DATA_CHUNK, tvb, pos, rest)?;
            Ok(tvb.len())
        }
    }
}

/// Adds a 48-bit millisecond time (§A.50) as `field`; returns it in nanoseconds.
pub fn add_time(
    cx: &mut Cx,
    parent: NodeId,
    field: &'static FieldDef,
    tvb: &Tvb,
    off: usize,
) -> Result<i64> {
    let b = tvb.bytes(off, 6)?;
    let ms = b.iter().rev().fold(0u64, |v, x| v << 8 | *x as u64);
    let ns = (ms as i64).saturating_mul(1_000_000);
    cx.add(parent, field, tvb.range(off, 6), Value::AbsTime(ns));
    Ok(ns)
}

/// Appends ", Timestamp: <UTC time>" to a point label.
fn append_time(label: &mut String, what: &str, ns: i64) {
    let mut t = String::new();
    crate::engine::value::format_abs_time(&mut t, ns);
    let _ = write!(label, ", {what}: {}", t.trim_end_matches(" UTC"));
}

/// Adds the quality flags of a point and their summary.
fn quality(
    cx: &mut Cx,
    pnode: NodeId,
    tvb: &Tvb,
    off: usize,
    kind: Quality,
    label: &mut String,
) -> Result<u8> {
    let flags = tvb.u8(off)?;
    let q = cx.add_text(pnode, tvb.range(off, 1), "");
    cx.set_text(q, format_args!("Quality: {}", QualityText(flags, kind)));
    let bits: &[&FieldDef] = match kind {
        Quality::BinIn => &BIQ,
        Quality::DbinIn => &DBIQ,
        Quality::BinOut => &BOQ,
        Quality::AnaIn => &AIQ,
        Quality::AnaOut => &AOQ,
        Quality::Counter => &CTRQ,
    };
    cx.add_bits(q, bits, tvb.range(off, 1), flags as u64);
    if pnode.is_built() {
        let _ = write!(label, " (Quality: {})", QualityText(flags, kind));
    }
    Ok(flags)
}

/// Packed single bits (groups 1 and 10 variation 1, 12 variation 3, 80 variation 1).
fn single_bit(cx: &mut Cx, tvb: &Tvb, at: &At, p: &mut Point, label: &mut String) -> Result<usize> {
    let At {
        pnode, pos, data, ..
    } = *at;
    let byte = tvb.u8(data)?;
    let mut bit = byte & 1;
    if p.obj == 0x5001 {
        let iin = if p.index < 8 {
            0x100u16 << p.index
        } else {
            1u16.checked_shl(p.index - 8).unwrap_or(0)
        };
        let _ = write!(label, " ({}), Value: {bit}", iin_name(iin));
    } else {
        if p.prefix != 0 {
            // Each point has its own byte: move on after this one.
            p.bitindex = 7;
        } else {
            bit = (byte >> p.bitindex) & 1;
        }
        let _ = write!(label, ", Value: {bit}");
    }
    cx.add(pnode, &BIT, tvb.range(data, 1), Value::Bool(bit != 0));
    cx.tree.node_mut(pnode).range = tvb.range(pos, data - pos + 1);
    Ok(next_packed(at, p, 8))
}

/// Packed double bits (group 3 variation 1).
fn double_bit(cx: &mut Cx, tvb: &Tvb, at: &At, p: &mut Point, label: &mut String) -> Result<usize> {
    // tshark reads the byte at the point's start, before any prefix.
    let pos = at.pos;
    let byte = tvb.u8(pos)?;
    let state = (byte >> (p.bitindex * 2)) & 3;
    let _ = write!(
        label,
        ", State: {}",
        val_to_str(DOUBLE_BIT, state as u64).unwrap_or("Unknown double bit state")
    );
    cx.add(
        at.pnode,
        &BIT2,
        tvb.range(pos, 1),
        Value::UInt(state as u64),
    );
    Ok(next_packed(at, p, 4))
}

/// Moves to the next of the `per_byte` values packed in a byte: the same byte again (the
/// point's start) until it is used up or this was the header's last point, then the next one.
fn next_packed(at: &At, p: &mut Point, per_byte: u8) -> usize {
    p.bitindex += 1;
    if p.bitindex >= per_byte || at.last {
        p.bitindex = 0;
        return at.data + 1;
    }
    at.pos
}

/// Binary and double-bit inputs and binary outputs with flags, optionally with an absolute or
/// relative time (groups 1, 2, 3, 4, 10, 11).
fn binary_status(
    cx: &mut Cx,
    pnode: NodeId,
    tvb: &Tvb,
    data: usize,
    obj: u16,
    state: &State,
    label: &mut String,
) -> Result<usize> {
    let group = obj >> 8;
    let kind = match group {
        3 | 4 => Quality::DbinIn,
        10 | 11 => Quality::BinOut,
        _ => Quality::BinIn,
    };
    let flags = quality(cx, pnode, tvb, data, kind, label)?;
    let mut next = data + 1;
    let time = match obj {
        0x0202 | 0x0b02 | 0x0402 => {
            let t = add_time(cx, pnode, &TIMESTAMP, tvb, next)?;
            next += 6;
            Some(t)
        }
        0x0203 | 0x0403 => {
            let ms = tvb.le_u16(next)? as i64;
            let rel = ms * 1_000_000;
            cx.add(
                pnode,
                &RELTIMESTAMP,
                tvb.range(next, 2),
                Value::RelTime(rel),
            );
            next += 2;
            Some(state.cto_ns.saturating_add(rel))
        }
        _ => None,
    };
    if kind == Quality::DbinIn {
        let s = (flags >> 6) & 3;
        let _ = write!(
            label,
            ", State: {}",
            val_to_str(DOUBLE_BIT, s as u64).unwrap_or("")
        );
    } else {
        let _ = write!(label, ", Value: {}", flags >> 7);
    }
    if let Some(t) = time {
        append_time(label, "Timestamp", t);
    }
    Ok(next)
}

/// Control relay output block and pattern control block (group 12 variations 1 and 2).
fn crob(cx: &mut Cx, pnode: NodeId, tvb: &Tvb, data: usize, label: &mut String) -> Result<usize> {
    let code = tvb.u8(data)?;
    let tcc = cx.add_text(pnode, tvb.range(data, 1), "");
    cx.set_text(tcc, format_args!("Control Code [0x{code:02x}]"));
    let _ = write!(
        label,
        " [{}] [{}]",
        val_to_str(CTL_OPS, (code & 0x0f) as u64).unwrap_or("Invalid Operation"),
        val_to_str(CTL_TRIPS, (code >> 6) as u64).unwrap_or("Invalid Qualifier")
    );
    cx.add_bits(tcc, &CTL_CODE_BITS, tvb.range(data, 1), code as u64);
    cx.add_u8(pnode, &COUNT, tvb, data + 1)?;
    cx.add_le_u32(pnode, &ON_TIME, tvb, data + 2)?;
    cx.add_le_u32(pnode, &OFF_TIME, tvb, data + 6)?;
    cx.add_u8(pnode, &CTRLSTATUS, tvb, data + 10)?;
    Ok(data + 11)
}

/// Appends " [Status: <name> (0xNN)]" for a control status byte and adds its field.
fn control_status(
    cx: &mut Cx,
    pnode: NodeId,
    tvb: &Tvb,
    off: usize,
    label: &mut String,
) -> Result<()> {
    let st = tvb.u8(off)? & 0x7f;
    let name = val_to_str(CTL_STATUS, st as u64);
    match name {
        Some(n) => {
            let _ = write!(label, " [Status: {n} (0x{st:02x})]");
        }
        None => {
            let _ = write!(label, " [Status: Invalid Status (0x{st:02x}) (0x{st:02x})]");
        }
    }
    cx.add_u8(pnode, &CTRLSTATUS, tvb, off)?;
    Ok(())
}

/// Width of an analog value and whether it is floating point: 2, 4 (integer or float) or 8.
#[derive(Copy, Clone)]
enum Num {
    I16,
    I32,
    F32,
    F64,
}

/// Adds an analog value as the integer, float or double field of its kind.
fn add_num(
    cx: &mut Cx,
    pnode: NodeId,
    tvb: &Tvb,
    off: usize,
    num: Num,
    fields: [&'static FieldDef; 3],
    label: &mut String,
) -> Result<usize> {
    let (value, len, field) = match num {
        Num::I16 => (Value::Int(tvb.le_u16(off)? as i16 as i64), 2, fields[0]),
        Num::I32 => (Value::Int(tvb.le_u32(off)? as i32 as i64), 4, fields[0]),
        Num::F32 => (
            Value::Double(f32::from_bits(tvb.le_u32(off)?) as f64),
            4,
            fields[1],
        ),
        Num::F64 => (
            Value::Double(f64::from_bits(tvb.le_u64(off)?)),
            8,
            fields[2],
        ),
    };
    if pnode.is_built() {
        match (&value, num) {
            (Value::Int(v), _) => {
                let _ = write!(label, ", Value: {v}");
            }
            (Value::Double(v), _) => {
                // tshark labels floats and doubles alike with "%g".
                label.push_str(", Value: ");
                crate::engine::value::format_g(label, *v, 6);
            }
            _ => {}
        }
    }
    cx.add(pnode, field, tvb.range(off, len), value);
    Ok(off + len)
}

const ANA: [&FieldDef; 3] = [&ANA_INT, &ANA_FLOAT, &ANA_DOUBLE];
const ANAOUT: [&FieldDef; 3] = [&ANAOUT_INT, &ANAOUT_FLOAT, &ANAOUT_DOUBLE];

/// The value of a numeric point.
#[derive(Copy, Clone)]
enum Part {
    /// An analog value, shown as the analog input or output field of its kind.
    Analog(Num),
    /// A counter of this many bytes.
    Count(usize),
    /// A binary command event: the top bit of the control status byte, read again.
    Bocs,
}

/// What stands before or after the value of a numeric point.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Lead {
    /// Quality flags of this kind (except in the variations a row calls bare).
    Quality(Quality),
    /// The control status, before the value (command events).
    StatusBefore,
    /// The control status, after the value (analog output blocks).
    StatusAfter,
}

/// The layout of one group of numeric points, `| flags or status? | value | status? | time? |`:
/// its group, what leads or trails the value, the variations without quality flags, the value
/// of each variation (from variation 1), the variations with a 48-bit time after the value and
/// what the label calls that time.
struct Numeric(
    u16,
    Lead,
    &'static [u16],
    &'static [Part],
    &'static [u16],
    &'static str,
);

const I16: Part = Part::Analog(Num::I16);
const I32: Part = Part::Analog(Num::I32);
const F32: Part = Part::Analog(Num::F32);
const F64: Part = Part::Analog(Num::F64);
const C16: Part = Part::Count(2);
const C32: Part = Part::Count(4);
const COUNTERS: &[Part] = &[C32, C16, C32, C16, C32, C16, C32, C16, C32, C16, C32, C16];
const ANALOG_EVENTS: &[Part] = &[I32, I16, I32, I16, F32, F64, F32, F64];
const ANALOG_OUTPUTS: &[Part] = &[I32, I16, F32, F64];
const EVENT_TIMES: &[u16] = &[3, 4, 7, 8];

const CTR: Lead = Lead::Quality(Quality::Counter);
const AI: Lead = Lead::Quality(Quality::AnaIn);
const AO: Lead = Lead::Quality(Quality::AnaOut);
const TS: &str = "Timestamp";

/// Counters (20-23), analog inputs (30-34), analog outputs (40-43) and binary command events
/// (13), by group (IEEE 1815-2012 Annex A): group, lead, bare variations, values, timed
/// variations and the time's name.
#[rustfmt::skip]
static NUMERIC: [Numeric; 14] = [
    Numeric(13, Lead::StatusBefore, &[], &[Part::Bocs, Part::Bocs], &[2], TS),
    Numeric(20, CTR, &[5, 6, 7, 8], COUNTERS.split_at(8).0, &[], ""),
    Numeric(21, CTR, &[9, 10, 11, 12], COUNTERS, &[5, 6, 7, 8], TS),
    Numeric(22, CTR, &[], COUNTERS.split_at(8).0, &[5, 6, 7, 8], TS),
    Numeric(23, CTR, &[], COUNTERS.split_at(8).0, &[5, 6, 7, 8], TS),
    Numeric(30, AI, &[3, 4], &[I32, I16, I32, I16, F32, F64], &[], ""),
    Numeric(31, AI, &[5, 6], &[I32, I16, I32, I16, I32, I16, F32, F64], &[3, 4], "Time of Freeze"),
    Numeric(32, AI, &[], ANALOG_EVENTS, EVENT_TIMES, TS),
    Numeric(33, AI, &[], ANALOG_EVENTS, EVENT_TIMES, TS),
    Numeric(34, AI, &[1, 2, 3], &[I16, I32, F32], &[], ""),
    Numeric(40, AO, &[], ANALOG_OUTPUTS, &[], ""),
    Numeric(41, Lead::StatusAfter, &[], ANALOG_OUTPUTS, &[], ""),
    Numeric(42, AO, &[], ANALOG_EVENTS, EVENT_TIMES, TS),
    Numeric(43, Lead::StatusBefore, &[], ANALOG_EVENTS, EVENT_TIMES, TS),
];

/// The layout and value of a numeric object, or None for any other object.
fn numeric_layout(obj: u16) -> Option<(&'static Numeric, Part)> {
    let (group, var) = (obj >> 8, obj & 0xff);
    let row = NUMERIC.iter().find(|n| n.0 == group)?;
    let part = *row.3.get(usize::from(var).checked_sub(1)?)?;
    Some((row, part))
}

/// One numeric point (counter, analog value or command event) laid out as `row` says.
fn numeric_point(
    cx: &mut Cx,
    pnode: NodeId,
    tvb: &Tvb,
    data: usize,
    obj: u16,
    label: &mut String,
) -> Result<usize> {
    let Some((row, part)) = numeric_layout(obj) else {
        return Ok(data);
    };
    let Numeric(group, lead, bare, _, timed, time_name) = *row;
    let var = obj & 0xff;
    let mut next = data;
    match lead {
        Lead::Quality(kind) if !bare.contains(&var) => {
            quality(cx, pnode, tvb, next, kind, label)?;
            next += 1;
        }
        Lead::StatusBefore => {
            control_status(cx, pnode, tvb, next, label)?;
            next += 1;
        }
        _ => {}
    }
    next = match part {
        Part::Analog(num) => {
            let fields = if (30..=34).contains(&group) {
                ANA
            } else {
                ANAOUT
            };
            add_num(cx, pnode, tvb, next, num, fields, label)?
        }
        Part::Count(width) => {
            let v = cx
                .add_int(pnode, &CNT, tvb, next, width, Endian::Little)?
                .value;
            let _ = write!(label, ", Count: {v}");
            next + width
        }
        Part::Bocs => {
            let b = tvb.u8(data)?;
            cx.add(pnode, &BOCS, tvb.range(data, 1), Value::Bool(b & 0x80 != 0));
            next
        }
    };
    if lead == Lead::StatusAfter {
        control_status(cx, pnode, tvb, next, label)?;
        next += 1;
    }
    if timed.contains(&var) {
        let t = add_time(cx, pnode, &TIMESTAMP, tvb, next)?;
        append_time(label, time_name, t);
        next += 6;
    }
    Ok(next)
}

/// Device attributes (group 0): a data type, then a value of that type.
fn device_attribute(
    cx: &mut Cx,
    onode: NodeId,
    pnode: NodeId,
    tvb: &Tvb,
    data: usize,
    _label: &mut String,
) -> Result<usize> {
    let dt = cx.add_u8(pnode, &DATATYPE, tvb, data)?;
    let mut pos = data + 1;
    if !(1..=4).contains(&dt) {
        return Ok(pos);
    }
    let len = cx.add_u8(pnode, &DA_LENGTH, tvb, pos)? as usize;
    pos += 1;
    let mut text = String::new();
    match (dt, len) {
        (1, n) => {
            let s = cx.add_string(pnode, &DA_VALUE, tvb, pos, n)?;
            text.push_str(&String::from_utf8_lossy(s));
            pos += n;
        }
        (2, 1 | 2 | 4) => {
            let f = [&DA_UINT8, &DA_UINT16, &DA_UINT16, &DA_UINT32][len - 1];
            let v = cx.add_int(pnode, f, tvb, pos, len, Endian::Little)?.value;
            let _ = write!(text, "{v}");
            pos += len;
        }
        (3, 1 | 2 | 4) => {
            let b = tvb.bytes(pos, len)?;
            let raw = b.iter().rev().fold(0u64, |v, x| v << 8 | *x as u64);
            let shift = 64 - 8 * len as u32;
            let v = ((raw << shift) as i64) >> shift;
            let f = [&DA_INT8, &DA_INT16, &DA_INT16, &DA_INT32][len - 1];
            cx.add(pnode, f, tvb.range(pos, len), Value::Int(v));
            let _ = write!(text, "{v}");
            pos += len;
        }
        (4, 4) => {
            let v = f32::from_bits(tvb.le_u32(pos)?) as f64;
            cx.add(pnode, &DA_FLOAT, tvb.range(pos, 4), Value::Double(v));
            crate::engine::value::format_g(&mut text, v, 6);
            pos += 4;
        }
        (4, 8) => {
            let v = f64::from_bits(tvb.le_u64(pos)?);
            cx.add(pnode, &DA_DOUBLE, tvb.range(pos, 8), Value::Double(v));
            crate::engine::value::format_g(&mut text, v, 6);
            pos += 8;
        }
        _ => {}
    }
    if !text.is_empty() && onode.is_built() {
        let label = format!("{}, Value: {text}", cx.tree.text(onode).unwrap_or_default());
        cx.set_text(onode, &label);
    }
    Ok(pos)
}
