//! IEEE 802.15.4 information elements (IEEE Std 802.15.4-2020 §7.4), part of the `wpan` layer
//! (fields are declared in [`crate::proto::ieee802154`]).
//!
//! ```text
//! Header IE descriptor (LE):  b0-6 length | b7-14 element id | b15 type = 0
//! Payload IE descriptor (LE): b0-10 length | b11-14 group id | b15 type = 1
//! MLME sub-IE, short:         b0-7 length | b8-14 sub-id     | b15 = 0
//! MLME sub-IE, long:          b0-10 length | b11-14 sub-id   | b15 = 1
//! ```
//! Header IEs follow the addressing fields when the frame control's IE Present bit is set; a
//! Header Termination 1 IE says payload IEs follow, Header Termination 2 that the payload does.
//! Known IEs are decoded (CSL, RIT, rendezvous time, time correction, global time, vendor;
//! MLME with TSCH synchronization, slotframe and link, timeslot, channel hopping; IETF; vendor);
//! the others are listed with their id and length and shown as bytes.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::tlv::{TlvFormat, TlvKind};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::engine::Endian;
use crate::proto::ieee802154::{self as w, MacHeader};

pub static IE_TYPES: &[(u64, &str)] = &[(0, "Header"), (1, "Payload")];

pub static HEADER_IE_NAMES: &[(u64, &str)] = &[
    (0x00, "Vendor Specific IE"),
    (0x1a, "CSL IE"),
    (0x1b, "RIT IE"),
    (0x1c, "DSME PAN descriptor IE"),
    (0x1d, "Rendezvous Time IE"),
    (0x1e, "Time Correction IE"),
    (0x21, "Extended DSME PAN descriptor IE"),
    (0x22, "Fragment Sequence Context Description (FSCD) IE"),
    (0x23, "Simplified Superframe Specification IE"),
    (0x24, "Simplified GTS Specification IE"),
    (0x25, "LECIM Capabilities IE"),
    (0x26, "TRLE Descriptor"),
    (0x27, "RCC Capabilities IE"),
    (0x28, "RCCN Descriptor IE"),
    (0x29, "Global Time IE"),
    (0x2a, "Wi-SUN IE"),
    (0x2b, "DA IE"),
    (0x7e, "Header Termination 1 IE"),
    (0x7f, "Header Termination 2 IE"),
];

pub static PAYLOAD_IE_NAMES: &[(u64, &str)] = &[
    (0x0, "ESDU IE"),
    (0x1, "MLME IE"),
    (0x2, "Vendor Specific IE"),
    (0x3, "MPX IE"),
    (0x4, "Wi-SUN IE"),
    (0x5, "IETF IE"),
    (0xf, "Payload Termination IE"),
];

pub static MLME_SUBIE_NAMES: &[(u64, &str)] = &[
    (0x09, "Channel Hopping IE"),
    (0x1a, "TSCH Synchronization IE"),
    (0x1b, "TSCH Slotframe and Link IE"),
    (0x1c, "TSCH Timeslot IE"),
    (0x1d, "Hopping Timing IE"),
    (0x1e, "Enhanced Beacon Filter IE"),
    (0x1f, "MAC Metrics IE"),
    (0x20, "All MAC Metrics IE"),
    (0x21, "Coexistence Specification IE"),
    (0x22, "SUN Device Capabilities IE"),
    (0x23, "SUN FSK Generic PHY IE"),
    (0x24, "Mode Switch Parameter IE"),
    (0x25, "PHY Parameter Change IE"),
    (0x26, "O-QPSY PHY Mode IE"),
    (0x27, "PCA Allocation IE"),
    (0x28, "LECIM DSSS Operating Mode IE"),
    (0x29, "LECIM FSK Operating Mode IE"),
    (0x2b, "TVWS PHY Operating Mode Description IE"),
    (0x2c, "TVWS Device Capabilities IE"),
    (0x2d, "TVWS Device Category IE"),
    (0x2e, "TVWS Device Identification IE"),
    (0x2f, "TVWS Device Location IE"),
    (0x30, "TVWS Channel Information Query IE"),
    (0x31, "TVWS Channel Information Source IE"),
    (0x32, "CTM IE"),
    (0x33, "Timestamp IE"),
    (0x34, "Timestamp Difference IE"),
    (0x35, "TMCTP Specification IE"),
    (0x36, "RCC PHY Operating Mode IE"),
    (0xc9, "6top IE"),
];

// Long-format MLME sub-IE descriptors put id and length elsewhere; same abbreviations as the
// short ones (as in Wireshark), so they are not listed in the registry separately.
static MLME_IE_ID_LONG: FieldDef = FieldDef::new("wpan.mlme.ie.id", "Sub ID", T::U16)
    .hex()
    .mask(0x7800)
    .vals(MLME_SUBIE_NAMES);
static MLME_IE_LENGTH_LONG: FieldDef =
    FieldDef::new("wpan.mlme.ie.length", "Length", T::U16).mask(0x07ff);

const HIE_VENDOR: u16 = 0x00;
const HIE_CSL: u16 = 0x1a;
const HIE_RIT: u16 = 0x1b;
const HIE_RDV: u16 = 0x1d;
const HIE_TIME_CORRECTION: u16 = 0x1e;
const HIE_GLOBAL_TIME: u16 = 0x29;
const HIE_HT1: u16 = 0x7e;
const HIE_HT2: u16 = 0x7f;

const PIE_MLME: u16 = 0x1;
const PIE_VENDOR: u16 = 0x2;
const PIE_IETF: u16 = 0x5;
const PIE_TERMINATION: u16 = 0xf;

const SUBIE_CHANNEL_HOPPING: u16 = 0x09;
const SUBIE_TSCH_SYNC: u16 = 0x1a;
const SUBIE_TSCH_SLOTFRAME: u16 = 0x1b;
const SUBIE_TSCH_TIMESLOT: u16 = 0x1c;
const SUBIE_EB_FILTER: u16 = 0x1e;

fn name_of(vals: &'static [(u64, &'static str)], id: u16, unknown: &'static str) -> &'static str {
    crate::engine::field::val_to_str(vals, id as u64).unwrap_or(unknown)
}

#[allow(clippy::too_many_arguments)]
/// An IE's subtree: its item (`field`, or a text label) and the descriptor with its parts.
fn ie_tree(
    cx: &mut Cx,
    parent: NodeId,
    tvb: &Tvb,
    off: usize,
    len: usize,
    field: &'static FieldDef,
    desc: &'static FieldDef,
    parts: &[&'static FieldDef],
) -> Result<NodeId> {
    let d = tvb.le_u16(off)?;
    let n = cx.add(parent, field, tvb.range(off, len), Value::None);
    let t = cx.add(n, desc, tvb.range(off, 2), Value::UInt(d as u64));
    cx.add_bits(t, parts, tvb.range(off, 2), d as u64);
    Ok(n)
}

/// Header IEs (IEEE 802.15.4-2020 §7.4.2.1): one little-endian word, length in bits 0-6,
/// element ID in bits 7-14, type (0) in bit 15.
const HEADER_IE_FMT: TlvFormat = TlvFormat::packed16_le(7, 0xff, 0x7f);

/// Payload IEs (§7.4.3.1): length in bits 0-10, group ID in bits 11-14, type (1) in bit 15.
const PAYLOAD_IE_FMT: TlvFormat = TlvFormat::packed16_le(11, 0xf, 0x7ff);

/// Header IEs from `off`; returns the offset after them (and notes whether payload IEs follow).
pub fn dissect_header_ies(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    h: &mut MacHeader,
    off: usize,
) -> Result<usize> {
    let ies = cx.add(node, &w::HEADER_IE, tvb.range(off, 0), Value::None);
    let mut o = off;
    let parts: &[&FieldDef] = &[&w::HEADER_IE_TYPE, &w::HEADER_IE_ID, &w::HEADER_IE_LENGTH];
    // At least one IE must be there; after one, fewer than 2 octets end the list.
    tvb.le_u16(off)?;
    for t in HEADER_IE_FMT.walk(tvb, off, tvb.len()) {
        if t.kind == TlvKind::Truncated {
            break;
        }
        let (id, len) = (t.ty as u16, t.value_len);
        let field: &'static FieldDef = match id {
            HIE_HT1 => &w::HIE_HT1,
            HIE_HT2 => &w::HIE_HT2,
            HIE_VENDOR => &w::HIE_VENDOR,
            HIE_CSL => &w::HIE_CSL,
            HIE_RDV => &w::HIE_RDV,
            HIE_TIME_CORRECTION => &w::HIE_TIME_CORRECTION,
            HIE_GLOBAL_TIME => &w::HIE_GLOBAL_TIME,
            _ => &w::HIE_UNSUPPORTED,
        };
        let n = ie_tree(cx, ies, tvb, o, 2 + len, field, &w::HEADER_IE_TLV, parts)?;
        if std::ptr::eq(field, &w::HIE_UNSUPPORTED) {
            cx.set_text(n, name_of(HEADER_IE_NAMES, id, "Unknown IE"));
            cx.expert(ies, &w::IE_UNSUPPORTED_ID, None);
        }
        // The element must fit in the frame.
        let body = tvb.sub(o + 2, len)?;
        dissect_header_ie_body(cx, n, &body, id, h)?;
        o = t.value_end();
        if id == HIE_HT1 || id == HIE_HT2 {
            h.payload_ie_present = id == HIE_HT1;
            break;
        }
    }
    cx.tree.node_mut(ies).range = tvb.range(off, o - off);
    Ok(o)
}

/// Signed 16-bit little-endian fields in a row (CSL §7.4.2.3, RIT/RDV): the first `required`
/// must be there, the others are read while they fit. Returns the octets used.
fn add_le_i16_run(
    cx: &mut Cx,
    n: NodeId,
    b: &Tvb,
    fields: &[&'static FieldDef],
    required: usize,
) -> Result<usize> {
    let mut used = 0;
    for (i, f) in fields.iter().enumerate() {
        let off = 2 * i;
        if i >= required && b.len() < off + 2 {
            break;
        }
        let v = b.le_u16(off)? as i16 as i64;
        cx.add(n, f, b.range(off, 2), Value::Int(v));
        used = off + 2;
    }
    Ok(used)
}

fn dissect_header_ie_body(cx: &mut Cx, n: NodeId, b: &Tvb, id: u16, h: &MacHeader) -> Result<()> {
    let mut used = 0;
    match id {
        HIE_HT1 | HIE_HT2 => {}
        HIE_VENDOR => {
            let oui = b.le_u24(0)?;
            cx.add(
                n,
                &w::HIE_VENDOR_OUI,
                b.range(0, 3),
                Value::UInt(oui as u64),
            );
            if b.len() > 3 {
                cx.add_bytes(n, &w::HIE_VENDOR_CONTENT, b, 3, b.len() - 3)?;
            }
            used = b.len();
        }
        HIE_CSL => {
            let f = [
                &w::HIE_CSL_PHASE,
                &w::HIE_CSL_PERIOD,
                &w::HIE_CSL_RENDEZVOUS,
            ];
            used = add_le_i16_run(cx, n, b, &f, 2)?;
        }
        HIE_RDV => {
            let f = [&w::HIE_CSL_RENDEZVOUS, &w::HIE_RDV_WAKEUP];
            used = add_le_i16_run(cx, n, b, &f, 1)?;
        }
        HIE_TIME_CORRECTION => {
            // §7.4.2.7: b0-11 signed correction in µs, b15 NACK.
            let v = b.le_u16(0)?;
            let t = cx.add(
                n,
                &w::HIE_TIME_SYNC_INFO,
                b.range(0, 2),
                Value::UInt(v as u64),
            );
            cx.add_uint(t, &w::NACK, b.range(0, 2), v as u64);
            let corr = ((v & 0x0fff) as i16) << 4 >> 4;
            cx.add(
                t,
                &w::HIE_TIME_CORRECTION_VALUE,
                b.range(0, 2),
                Value::Int(corr as i64),
            );
            // Only 0x0000-0x07ff and 0x8000-0x8fff are valid (Table 7-8).
            if v & 0x7000 != 0 {
                cx.expert(t, &w::TIME_CORRECTION_ERROR, None);
            }
            used = 2;
        }
        HIE_GLOBAL_TIME => {
            let secs = b.le_u32(0)?;
            cx.add(
                n,
                &w::HIE_GLOBAL_TIME_VALUE,
                b.range(0, 4),
                Value::AbsTime(secs as i64 * 1_000_000_000),
            );
            used = 4;
        }
        _ => {
            // RIT (HIE_RIT) and the rest: no decoder, the content as bytes (even when empty,
            // as Wireshark shows it).
            let _ = (HIE_RIT, h);
            cx.add_bytes(n, &w::IE_UNKNOWN_CONTENT, b, 0, b.len())?;
            used = b.len();
        }
    }
    if used < b.len() {
        cx.expert(n, &w::IE_UNKNOWN_EXTRA_CONTENT, None);
        cx.add_bytes(n, &w::IE_UNKNOWN_CONTENT, b, used, b.len() - used)?;
    }
    Ok(())
}

/// Payload IEs at the start of `tvb` (the frame payload); returns how many octets they take.
pub fn dissect_payload_ies(tvb: &Tvb, cx: &mut Cx, node: NodeId, _h: &MacHeader) -> Result<usize> {
    let ies = cx.add(node, &w::PAYLOAD_IE, tvb.range(0, 0), Value::None);
    let parts: &[&FieldDef] = &[
        &w::PAYLOAD_IE_TYPE,
        &w::PAYLOAD_IE_ID,
        &w::PAYLOAD_IE_LENGTH,
    ];
    let mut o = 0;
    // At least one IE must be there; after one, fewer than 2 octets end the list.
    tvb.le_u16(0)?;
    for t in PAYLOAD_IE_FMT.walk(tvb, 0, tvb.len()) {
        if t.kind == TlvKind::Truncated {
            break;
        }
        let (id, len) = (t.ty as u16, t.value_len);
        let field: &'static FieldDef = match id {
            PIE_TERMINATION => &w::PIE_TERMINATION,
            PIE_MLME => &w::MLME,
            PIE_VENDOR => &w::PIE_VENDOR,
            PIE_IETF => &w::PIE_IETF,
            _ => &w::PIE_UNKNOWN,
        };
        let n = ie_tree(cx, ies, tvb, o, 2 + len, field, &w::PAYLOAD_IE_TLV, parts)?;
        if std::ptr::eq(field, &w::PIE_UNKNOWN) {
            cx.set_text(n, name_of(PAYLOAD_IE_NAMES, id, "Unknown IE"));
        }
        let body = tvb.sub(o + 2, len)?;
        match id {
            PIE_TERMINATION => {}
            PIE_MLME => {
                let mut s = 0;
                while s < body.len() {
                    s += dissect_mlme_subie(cx, n, &body, s)?;
                }
            }
            PIE_VENDOR => {
                let oui = body.le_u24(0)?;
                cx.add(
                    n,
                    &w::PIE_VENDOR_OUI,
                    body.range(0, 3),
                    Value::UInt(oui as u64),
                );
                // Vendor content goes to data, inside the IE (as Wireshark does for vendors
                // it has no dissector for).
                cx.call_data(&body.sub_from(3)?, n);
            }
            PIE_IETF => {
                cx.add_u8(n, &w::IETF_SUB_ID, &body, 0)?;
                if body.len() > 1 {
                    cx.add_bytes(n, &w::IE_UNKNOWN_CONTENT, &body, 1, body.len() - 1)?;
                }
            }
            _ => {
                if !body.is_empty() {
                    cx.add_bytes(n, &w::IE_UNKNOWN_CONTENT, &body, 0, body.len())?;
                }
            }
        }
        o = t.value_end();
        if id == PIE_TERMINATION {
            break;
        }
    }
    cx.tree.node_mut(ies).range = tvb.range(0, o);
    Ok(o)
}

/// One nested MLME sub-IE at `off` of the MLME IE's content; returns its size.
fn dissect_mlme_subie(cx: &mut Cx, parent: NodeId, tvb: &Tvb, off: usize) -> Result<usize> {
    let d = tvb.le_u16(off)?;
    let long = d & 0x8000 != 0;
    let (id, len) = if long {
        ((d >> 11) & 0xf, (d & 0x7ff) as usize)
    } else {
        ((d >> 8) & 0x7f, (d & 0xff) as usize)
    };
    let field: &'static FieldDef = match (long, id) {
        (false, SUBIE_TSCH_SYNC) => &w::TSCH_SYNC,
        (false, SUBIE_TSCH_SLOTFRAME) => &w::TSCH_SLOTFRAME,
        (false, SUBIE_TSCH_TIMESLOT) => &w::TSCH_TIMESLOT,
        (true, SUBIE_CHANNEL_HOPPING) => &w::CHANNEL_HOPPING,
        _ => &w::MLME_UNSUPPORTED,
    };
    let parts: &[&FieldDef] = if long {
        &[&w::MLME_IE_TYPE, &MLME_IE_ID_LONG, &MLME_IE_LENGTH_LONG]
    } else {
        &[&w::MLME_IE_TYPE, &w::MLME_IE_ID, &w::MLME_IE_LENGTH]
    };
    let eb_filter = !long && id == SUBIE_EB_FILTER;
    let n = if eb_filter {
        // Wireshark uses wpan.eb_filter for this sub-IE's item too (with a value read from the
        // wrong length); a label keeps the field for the filter octet alone.
        let d = tvb.le_u16(off)?;
        let n = cx.add_text(parent, tvb.range(off, 2 + len), "Enhanced Beacon Filter IE");
        let t = cx.add(n, &w::MLME_IE, tvb.range(off, 2), Value::UInt(d as u64));
        cx.add_bits(t, parts, tvb.range(off, 2), d as u64);
        n
    } else {
        ie_tree(cx, parent, tvb, off, 2 + len, field, &w::MLME_IE, parts)?
    };
    if !eb_filter && std::ptr::eq(field, &w::MLME_UNSUPPORTED) {
        cx.set_text(n, name_of(MLME_SUBIE_NAMES, id, "Unknown IE"));
        cx.expert(n, &w::IE_UNSUPPORTED_ID, None);
    }
    let b = tvb.sub(off + 2, len)?;
    let used = match (long, id) {
        (false, SUBIE_TSCH_SYNC) => {
            // §7.4.4.2: 5-octet ASN, join metric.
            let lo = b.le_u32(0)? as u64;
            let hi = b.u8(4)? as u64;
            cx.add(n, &w::TSCH_ASN, b.range(0, 5), Value::UInt(hi << 32 | lo));
            cx.add_u8(n, &w::TSCH_JOIN_METRIC, &b, 5)?;
            6
        }
        (false, SUBIE_TSCH_TIMESLOT) => dissect_timeslot(cx, n, &b)?,
        (false, SUBIE_EB_FILTER) => dissect_eb_filter(cx, n, &b)?,
        (false, SUBIE_TSCH_SLOTFRAME) => dissect_slotframes(cx, n, &b)?,
        (true, SUBIE_CHANNEL_HOPPING) => {
            cx.add_u8(n, &w::TSCH_HOPPING_SEQUENCE_ID, &b, 0)?;
            1
        }
        _ => 0,
    };
    if used < b.len() {
        cx.add_bytes(n, &w::MLME_DATA, &b, used, b.len() - used)?;
    }
    Ok(2 + len)
}

/// Enhanced Beacon Filter IE (§7.4.4.6): filter flags, then the minimum LQI, the response
/// probability and the attribute bitmap when the flags say they are there.
fn dissect_eb_filter(cx: &mut Cx, n: NodeId, b: &Tvb) -> Result<usize> {
    let f = b.u8(0)?;
    let t = cx.add(n, &w::EB_FILTER, b.range(0, 1), Value::UInt(f as u64));
    cx.add_bits(
        t,
        &[
            &w::EB_FILTER_PJOIN,
            &w::EB_FILTER_LQI,
            &w::EB_FILTER_CONTAINS_PROB,
            &w::EB_FILTER_ATTR_ID,
        ],
        b.range(0, 1),
        f as u64,
    );
    let mut o = 1;
    if f & 0x02 != 0 {
        cx.add_u8(n, &w::EB_FILTER_LQI_MIN, b, o)?;
        o += 1;
    }
    if f & 0x04 != 0 {
        cx.add_u8(n, &w::EB_FILTER_PROB, b, o)?;
        o += 1;
    }
    let attr_len = ((f >> 3) & 3) as usize;
    if attr_len > 0 {
        // Little endian, as Wireshark reads it.
        let bytes = b.bytes(o, attr_len)?;
        let v = bytes.iter().rev().fold(0u64, |acc, x| acc << 8 | *x as u64);
        cx.add(
            n,
            &w::EB_FILTER_ATTR_ID_BITS,
            b.range(o, attr_len),
            Value::UInt(v),
        );
        o += attr_len;
    }
    Ok(o)
}

/// TSCH Timeslot IE (§7.4.4.4): the template id, then (unless it is the default template) the
/// timings, with 2- or 3-octet max TX and timeslot length.
fn dissect_timeslot(cx: &mut Cx, n: NodeId, b: &Tvb) -> Result<usize> {
    cx.add_u8(n, &w::TSCH_TIMESLOT_ID, b, 0)?;
    if b.len() == 1 {
        return Ok(1);
    }
    let u16s: [&'static FieldDef; 10] = [
        &w::TSCH_TIMESLOT_CCA_OFFSET,
        &w::TSCH_TIMESLOT_CCA,
        &w::TSCH_TIMESLOT_TX_OFFSET,
        &w::TSCH_TIMESLOT_RX_OFFSET,
        &w::TSCH_TIMESLOT_RX_ACK_DELAY,
        &w::TSCH_TIMESLOT_TX_ACK_DELAY,
        &w::TSCH_TIMESLOT_RX_WAIT,
        &w::TSCH_TIMESLOT_ACK_WAIT,
        &w::TSCH_TIMESLOT_TURNAROUND,
        &w::TSCH_TIMESLOT_MAX_ACK,
    ];
    let mut o = 1;
    for f in u16s {
        cx.add_le_u16(n, f, b, o)?;
        o += 2;
    }
    let wide = b.len() >= 27;
    for f in [&w::TSCH_TIMESLOT_MAX_TX, &w::TSCH_TIMESLOT_LENGTH] {
        if wide {
            let v = b.le_u24(o)?;
            cx.add(n, f, b.range(o, 3), Value::UInt(v as u64));
            o += 3;
        } else {
            let v = b.le_u16(o)?;
            cx.add(n, f, b.range(o, 2), Value::UInt(v as u64));
            o += 2;
        }
    }
    Ok(o)
}

/// TSCH Slotframe and Link IE (§7.4.4.3).
fn dissect_slotframes(cx: &mut Cx, n: NodeId, b: &Tvb) -> Result<usize> {
    let count = cx.add_u8(n, &w::TSCH_SLOTFRAME_NUM, b, 0)?;
    let mut o = 1;
    for i in 0..count {
        let links = b.u8(o + 3)? as usize;
        let size = links
            .checked_mul(5)
            .and_then(|l| l.checked_add(4))
            .ok_or(Error::Short)?;
        // The sub-IE itself is wpan.tsch.slotframe; each slotframe is a labelled subtree.
        let sf = cx.add_text(
            n,
            b.range(o, size),
            format!("Slotframes [{}]", i as u32 + 1),
        );
        cx.add_u8(sf, &w::TSCH_SLOTFRAME_HANDLE, b, o)?;
        cx.add_le_u16(sf, &w::TSCH_SLOTFRAME_SIZE, b, o + 1)?;
        cx.add_u8(sf, &w::TSCH_NB_LINKS, b, o + 3)?;
        o += 4;
        for _ in 0..links {
            let li = cx.add(sf, &w::TSCH_LINK_INFO, b.range(o, 5), Value::None);
            cx.add_le_u16(li, &w::TSCH_LINK_TIMESLOT, b, o)?;
            cx.add_le_u16(li, &w::TSCH_CHANNEL_OFFSET, b, o + 2)?;
            let opts = cx.add_int(li, &w::TSCH_LINK_OPTIONS, b, o + 4, 1, Endian::Big)?;
            cx.add_bits(
                opts.node,
                &[
                    &w::TSCH_LINK_OPTIONS_TX,
                    &w::TSCH_LINK_OPTIONS_RX,
                    &w::TSCH_LINK_OPTIONS_SHARED,
                    &w::TSCH_LINK_OPTIONS_TIMEKEEPING,
                    &w::TSCH_LINK_OPTIONS_PRIORITY,
                ],
                b.range(o + 4, 1),
                opts.value,
            );
            o += 5;
        }
    }
    Ok(o)
}
