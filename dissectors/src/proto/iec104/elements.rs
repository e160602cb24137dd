//! Information elements of the IEC 60870-5-101 ASDU (§7.2.6: quality descriptors, values,
//! command qualifiers, CP24Time2a/CP56Time2a), one function per element as tshark's `get_*`.

use super::asdu::f::*;
use crate::engine::field::FieldDef;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

/// Type ids whose information objects are decoded element by element.
pub fn decoded(type_id: u8) -> bool {
    matches!(
        type_id,
        1..=16 | 21 | 30..=37 | 45..=51 | 58..=64 | 70 | 100 | 101 | 103 | 105 | 110..=112
    )
}

/// A one-byte element with its bit fields underneath (`SIQ: 0x00` and `SPI`, `BL`, …).
fn octet(
    t: &Tvb,
    cx: &mut Cx,
    n: NodeId,
    off: &mut usize,
    whole: &'static FieldDef,
    bits: &[&'static FieldDef],
) -> Result<()> {
    let v = t.u8(*off)?;
    let r = t.range(*off, 1);
    let node = cx.add(n, whole, r, Value::UInt(v as u64));
    for f in bits {
        cx.add_uint(node, f, r, v as u64);
    }
    *off += 1;
    Ok(())
}

fn siq(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(
        t,
        cx,
        n,
        off,
        &SIQ,
        &[&SIQ_SPI, &SIQ_BL, &SIQ_SB, &SIQ_NT, &SIQ_IV],
    )
}

fn diq(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(
        t,
        cx,
        n,
        off,
        &DIQ,
        &[&DIQ_DPI, &DIQ_BL, &DIQ_SB, &DIQ_NT, &DIQ_IV],
    )
}

fn qds(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(
        t,
        cx,
        n,
        off,
        &QDS,
        &[&QDS_OV, &QDS_BL, &QDS_SB, &QDS_NT, &QDS_IV],
    )
}

fn qos(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(t, cx, n, off, &QOS, &[&QOS_QL, &QOS_SE])
}

fn sco(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(t, cx, n, off, &SCO, &[&SCO_ON, &SCO_QU, &SCO_SE])
}

fn dco(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(t, cx, n, off, &DCO, &[&DCO_ON, &DCO_QU, &DCO_SE])
}

fn rco(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(t, cx, n, off, &RCO, &[&RCO_UP, &RCO_QU, &RCO_SE])
}

fn qpm(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(t, cx, n, off, &QPM, &[&QPM_KPA, &QPM_LPC, &QPM_POP])
}

fn coi(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(t, cx, n, off, &COI, &[&COI_R, &COI_I])
}

fn qcc(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    octet(t, cx, n, off, &QCC, &[&QCC_RQT, &QCC_FRZ])
}

/// VTI: a 7-bit signed step position and the transient flag.
fn vti(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let v = t.u8(*off)?;
    let r = t.range(*off, 1);
    let node = cx.add(n, &VTI, r, Value::UInt(v as u64));
    let pos = (v & 0x7f) as i64;
    let pos = if pos & 0x40 != 0 { pos - 0x80 } else { pos };
    cx.add(node, &VTI_V, r, Value::Int(pos));
    cx.add_uint(node, &VTI_T, r, v as u64);
    *off += 1;
    Ok(())
}

/// NVA: normalised value, a signed 16-bit fraction of 1 (F16).
fn nva(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let raw = t.le_u16(*off)? as i16;
    let v = raw as f32 / 32768.0;
    let node = cx.add(n, &NORMVAL, t.range(*off, 2), Value::Double(v as f64));
    cx.set_text(node, format_args!("Value: {} ({raw})", G6(v as f64)));
    *off += 2;
    Ok(())
}

/// `%.6g`, as tshark labels normalised values.
struct G6(f64);

impl std::fmt::Display for G6 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        crate::engine::value::write_show(&mut s, &NORMVAL, &Value::Double(self.0));
        f.write_str(&s)
    }
}

fn sva(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let v = t.le_u16(*off)? as i16;
    cx.add(n, &SCALVAL, t.range(*off, 2), Value::Int(v as i64));
    *off += 2;
    Ok(())
}

fn flt(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let v = f32::from_bits(t.le_u32(*off)?);
    cx.add(n, &FLOAT, t.range(*off, 4), Value::Double(v as f64));
    *off += 4;
    Ok(())
}

/// BSI: 32 bits, shown as tshark reads them (big-endian).
fn bsi(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let v = t.be_u32(*off)?;
    cx.add(n, &BITSTRING, t.range(*off, 4), Value::UInt(v as u64));
    *off += 4;
    Ok(())
}

/// BCR: binary counter reading, then sequence number and flags.
fn bcr(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let v = t.le_u32(*off)? as i32;
    cx.add(n, &BCR_COUNT, t.range(*off, 4), Value::Int(v as i64));
    *off += 4;
    let b = t.u8(*off)?;
    let r = t.range(*off, 1);
    for f in [&BCR_SQ, &BCR_CY, &BCR_CA, &BCR_IV] {
        cx.add_uint(n, f, r, b as u64);
    }
    *off += 1;
    Ok(())
}

/// CP24Time2a: milliseconds and minutes, as a relative time.
fn cp24(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let ms = t.le_u16(*off)? as i64;
    let min = t.u8(*off + 2)?;
    let ns = (ms / 1000 + (min & 0x3f) as i64 * 60) * 1_000_000_000 + (ms % 1000) * 1_000_000;
    let node = cx.add(n, &CP24TIME, t.range(*off, 3), Value::RelTime(ns));
    cx.add_le_u16(node, &CP24TIME_MS, t, *off)?;
    let r = t.range(*off + 2, 1);
    cx.add_uint(node, &CP24TIME_MIN, r, min as u64);
    cx.add_uint(node, &CP24TIME_IV, r, min as u64);
    *off += 3;
    Ok(())
}

/// CP56Time2a (IEC 60870-5-101 §7.2.6.18) as tshark reads it: years 70-99 are 19xx, others
/// 20xx; out-of-range fields roll over as `mktime` does; the time is taken as UTC, one hour
/// earlier with the SU bit.
pub fn cp56_ns(b: &[u8; 7]) -> i64 {
    let ms = u16::from_le_bytes([b[0], b[1]]) as i64;
    let min = (b[2] & 0x3f) as i64;
    let hour = (b[3] & 0x1f) as i64;
    let day = (b[4] & 0x1f) as i64;
    let mon0 = (b[5] & 0x0f) as i64 - 1;
    let mut year = (b[6] & 0x7f) as i64;
    if year < 70 {
        year += 100;
    }
    let y = 1900 + year + mon0.div_euclid(12);
    let m = mon0.rem_euclid(12) + 1;
    let days = crate::engine::value::days_from_civil(y, m, 1) + day - 1;
    let mut secs = days * 86_400 + hour * 3600 + min * 60 + ms / 1000;
    // tshark hands the SU (summer time) bit to mktime as tm_isdst; in UTC (how captures are
    // compared) glibc then moves the time back one hour.
    if b[3] & 0x80 != 0 {
        secs -= 3600;
    }
    secs * 1_000_000_000 + (ms % 1000) * 1_000_000
}

fn cp56(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize) -> Result<()> {
    let b = t.array::<7>(*off)?;
    let node = cx.add(n, &CP56TIME, t.range(*off, 7), Value::AbsTime(cp56_ns(&b)));
    cx.add_le_u16(node, &CP56TIME_MS, t, *off)?;
    let o = *off;
    for (i, fields) in [
        (2, &[&CP56TIME_MIN, &CP56TIME_GEN, &CP56TIME_IV][..]),
        (3, &[&CP56TIME_HOUR, &CP56TIME_SU][..]),
        (4, &[&CP56TIME_DAY, &CP56TIME_DOW][..]),
        (5, &[&CP56TIME_MONTH][..]),
        (6, &[&CP56TIME_YEAR][..]),
    ] {
        for f in fields {
            cx.add_uint(node, f, t.range(o + i, 1), b[i] as u64);
        }
    }
    *off += 7;
    Ok(())
}

fn one_byte(t: &Tvb, cx: &mut Cx, n: NodeId, off: &mut usize, f: &'static FieldDef) -> Result<()> {
    cx.add_u8(n, f, t, *off)?;
    *off += 1;
    Ok(())
}

type Element = fn(&Tvb, &mut Cx, NodeId, &mut usize) -> Result<()>;

/// The elements of one information object of `type_id`, in order.
fn layout(type_id: u8) -> &'static [Element] {
    match type_id {
        1 => &[siq],
        2 => &[siq, cp24],
        3 => &[diq],
        4 => &[diq, cp24],
        5 => &[vti, qds],
        6 => &[vti, qds, cp24],
        7 => &[bsi, qds],
        8 => &[bsi, qds, cp24],
        9 => &[nva, qds],
        10 => &[nva, qds, cp24],
        11 => &[sva, qds],
        12 => &[sva, qds, cp24],
        13 => &[flt, qds],
        14 => &[flt, qds, cp24],
        15 => &[bcr],
        16 => &[bcr, cp24],
        21 => &[nva],
        30 => &[siq, cp56],
        31 => &[diq, cp56],
        32 => &[vti, qds, cp56],
        33 => &[bsi, qds, cp56],
        34 => &[nva, qds, cp56],
        35 => &[sva, qds, cp56],
        36 => &[flt, qds, cp56],
        37 => &[bcr, cp56],
        45 => &[sco],
        46 => &[dco],
        47 => &[rco],
        48 => &[nva, qos],
        49 => &[sva, qos],
        50 => &[flt, qos],
        51 => &[bsi],
        58 => &[sco, cp56],
        59 => &[dco, cp56],
        60 => &[rco, cp56],
        61 => &[nva, qos, cp56],
        62 => &[sva, qos, cp56],
        63 => &[flt, qos, cp56],
        64 => &[bsi, cp56],
        70 => &[coi],
        100 => &[|t, cx, n, off| one_byte(t, cx, n, off, &QOI)],
        101 => &[qcc],
        103 => &[cp56],
        105 => &[|t, cx, n, off| one_byte(t, cx, n, off, &QRP)],
        110 => &[nva, qpm],
        111 => &[sva, qpm],
        112 => &[flt, qpm],
        _ => &[],
    }
}

/// Adds the elements of one information object at `*off`, moving `*off` past them.
pub fn elements(t: &Tvb, cx: &mut Cx, n: NodeId, type_id: u8, off: &mut usize) -> Result<()> {
    for e in layout(type_id) {
        e(t, cx, n, off)?;
    }
    Ok(())
}
