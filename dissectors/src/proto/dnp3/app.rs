//! The DNP3 application layer (IEEE 1815-2012 §4.2.2): a fragment's header, its internal
//! indications, and the object headers with every qualifier and range form.
//!
//! ```text
//! request:  | AC | FC |  objects…                 AC: FIR FIN CON UNS SEQ(4)
//! response: | AC | FC | IIN1 | IIN2 | objects…    FC: function code (§4.2.2.5)
//! object header: | group | variation | qualifier | range (0, 1, 2, 4 or 8 bytes) |
//! qualifier: bit 7 reserved, bits 6-4 object prefix code, bits 3-0 range specifier code
//! ```
//! Each object header is followed, where the function carries values, by its points (see
//! [`super::objects`]).

use super::fields::*;
use super::names::{object_name, read_name, write_name};
use super::objects::{self, Point};
use crate::engine::colfmt::plural;
use crate::engine::field::FieldDef;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use std::fmt::Write;

const FUNC_READ: u8 = 0x01;
const FUNC_WRITE: u8 = 0x02;

/// Items of one object header beyond which a header whose points take no bytes is cut short
/// (a hostile count must not make millions of tree nodes).
const MAX_EMPTY_ITEMS: i64 = 65_536;

static AL_CTL_BITS: [&FieldDef; 5] = [&AL_FIR, &AL_FIN, &AL_CON, &AL_UNS, &AL_SEQ];
static IIN_BITS: [&FieldDef; 14] = [
    &IIN_RST, &IIN_DT, &IIN_DOL, &IIN_TSR, &IIN_CLS3D, &IIN_CLS2D, &IIN_CLS1D, &IIN_BMSG, &IIN_CC,
    &IIN_OAE, &IIN_EBO, &IIN_PIOOR, &IIN_OBJU, &IIN_FCNI,
];

/// The application control flags as tshark lists them ("FIR, FIN, ").
struct AcFlags(u8);

impl std::fmt::Display for AcFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (bit, name) in [(0x80, "FIR"), (0x40, "FIN"), (0x20, "CON"), (0x10, "UNS")] {
            if self.0 & bit != 0 {
                write!(f, "{name}, ")?;
            }
        }
        Ok(())
    }
}

/// A function code's name, or tshark's fallback.
struct FuncName(u8);

impl std::fmt::Display for FuncName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match crate::engine::field::val_to_str(AL_FUNCS, self.0 as u64) {
            Some(n) => f.write_str(n),
            None => write!(f, "Unknown function (0x{:02x})", self.0),
        }
    }
}

/// Dissects a complete application fragment under `parent`.
pub fn dissect(cx: &mut Cx, parent: NodeId, tvb: &Tvb) -> Result<()> {
    let ctl = tvb.u8(0)?;
    let func = tvb.u8(1)?;
    cx.set_info(FuncName(func));
    let al = cx.add_text(parent, tvb.whole(), "");
    cx.set_text(
        al,
        format_args!(
            "Application Layer: ({}Sequence {}, {})",
            AcFlags(ctl),
            ctl & 0x0f,
            FuncName(func)
        ),
    );
    let c = cx.add_bitmask_item(al, &AL_CTL, &AL_CTL_BITS, tvb, 0, 1)?;
    cx.set_text(
        c.node,
        format_args!(
            "Application Control: 0x{ctl:02x} ({}Sequence {})",
            AcFlags(ctl),
            ctl & 0x0f
        ),
    );
    let f = cx.add_uint(al, &AL_FUNC, tvb.range(1, 1), func as u64);
    cx.set_text(
        f,
        format_args!("Function Code: {} (0x{func:02x})", FuncName(func)),
    );
    let (title, header_only) = match func {
        FUNC_READ => ("READ Request Data Objects", true),
        FUNC_WRITE => ("WRITE Request Data Objects", false),
        0x03 => ("SELECT Request Data Objects", false),
        0x04 => ("OPERATE Request Data Objects", false),
        0x05 | 0x06 => ("DIRECT OPERATE Request Data Objects", false),
        0x07..=0x0a => ("Freeze Request Data Objects", true),
        0x14 => ("Enable Spontaneous Msg's Data Objects", false),
        0x15 => ("Disable Spontaneous Msg's Data Objects", false),
        0x19..=0x1b => ("File Data Objects", false),
        0x20 | 0x21 => ("Authentication Request Data Objects", false),
        0x81..=0x83 => {
            add_iin(cx, al, tvb)?;
            if tvb.len() <= 4 {
                return Ok(());
            }
            ("RESPONSE Data Objects", false)
        }
        _ => return Ok(()),
    };
    let start = if func >= 0x81 { 4 } else { 2 };
    // The objects subtree runs to the end of the fragment: tshark fails on an empty one.
    if start >= tvb.len() {
        return Err(crate::engine::tvb::Error::Short);
    }
    let objs = cx.add_text(al, tvb.range(start, tvb.remaining(start)), title);
    objects_loop(cx, objs, tvb, start, func, header_only)
}

/// The object headers of a fragment, from `off` on; READ and WRITE requests name what they
/// ask for in the Info column as tshark does.
fn objects_loop(
    cx: &mut Cx,
    objs: NodeId,
    tvb: &Tvb,
    mut off: usize,
    func: u8,
    header_only: bool,
) -> Result<()> {
    let mut state = objects::State::default();
    let mut classes = 0u8;
    while off + 2 <= tvb.len() {
        let (next, obj) = object(cx, objs, tvb, off, header_only, &mut state)?;
        off = next;
        match func {
            FUNC_READ if (0x3c01..=0x3c04).contains(&obj) => {
                classes |= 1 << ((obj & 0x0f) - 1);
            }
            FUNC_READ => push_info(cx, read_name((obj >> 8) as u8)),
            FUNC_WRITE => push_info(cx, write_name((obj >> 8) as u8)),
            _ => {}
        }
    }
    if classes != 0 {
        let mut s = String::from(", Class ");
        for i in 0..4 {
            if classes & (1 << i) != 0 {
                let _ = write!(s, "{i}");
            }
        }
        cx.columns.info.push_str(&s);
    }
    Ok(())
}

/// Appends ", name" to the Info column (tshark's default column separator).
fn push_info(cx: &mut Cx, name: &str) {
    cx.columns.info.push_str(", ");
    cx.columns.info.push_str(name);
}

/// Internal indications (§4.2.2.6), with tshark's expert note when one reports trouble.
fn add_iin(cx: &mut Cx, al: NodeId, tvb: &Tvb) -> Result<()> {
    let iin = cx.add_bitmask_item(al, &AL_IIN, &IIN_BITS, tvb, 2, 2)?;
    // Device trouble, configuration corrupt, operation already executing, event buffer
    // overflow, bad parameters, unknown objects, function not implemented.
    if iin.value & 0x403f != 0 {
        cx.expert(iin.node, &IIN_ABNORMAL, None);
    }
    Ok(())
}

/// A parsed qualifier and range.
struct Range {
    prefix: u8,
    items: i64,
    /// The first point number the range names (start index or absolute address).
    first: u32,
}

/// One object header and its points: returns where the next header starts (the fragment's
/// end when the rest cannot be trusted) and the object's group/variation.
fn object(
    cx: &mut Cx,
    objs: NodeId,
    tvb: &Tvb,
    off: usize,
    mut header_only: bool,
    state: &mut objects::State,
) -> Result<(usize, u16)> {
    let raw = tvb.be_u16(off)?;
    let group = (raw >> 8) as u8;
    // For octet strings the variation is the string length.
    let (obj, oct_len) = if group == 110 || group == 111 {
        (raw & 0xff00, (raw & 0xff) as u8)
    } else {
        (raw, 0)
    };
    let onode = cx.add_uint(objs, &AL_OBJ, tvb.range(off, 2), obj as u64);
    object_label(cx, onode, obj, oct_len);
    let range = qualifier(cx, onode, tvb, off + 2)?;
    let Some((range, mut pos, rnode)) = range else {
        return Ok((tvb.len(), raw));
    };
    // Aggressive-mode requests and MACs carry data even in requests that normally do not.
    if matches!(obj, 0x7803 | 0x7809) {
        header_only = false;
    }
    if !header_only || range.prefix > 0 {
        let mut p = Point {
            obj,
            oct_len,
            prefix: range.prefix,
            index: range.first,
            bitindex: 0,
        };
        let start = pos;
        let mut items = range.items;
        let mut n = 0i64;
        while n < items {
            let before = pos;
            let last = n == items - 1;
            let (next, stop) =
                objects::point(cx, onode, rnode, tvb, pos, &mut p, header_only, last, state)?;
            if stop {
                items = 0;
            }
            pos = next;
            n += 1;
            if pos == before && n >= MAX_EMPTY_ITEMS {
                break;
            }
            if start > pos {
                pos = tvb.len();
            }
        }
    }
    let node = cx.tree.node_mut(onode);
    node.range.len = (pos.saturating_sub(off)) as u32;
    Ok((pos, raw))
}

/// The object header's label (name, code and octet-string length), with an expert item when
/// the object is unknown.
fn object_label(cx: &mut Cx, onode: NodeId, obj: u16, oct_len: u8) {
    let group = (obj >> 8) as u8;
    let name = object_name(obj);
    if onode.is_built() {
        let mut label = String::new();
        let fallback = if group == 0 {
            "Unknown group 0 Variation"
        } else {
            "Unknown Object\\Variation"
        };
        let _ = write!(
            label,
            "Object(s): {} (0x{obj:04x})",
            name.unwrap_or(fallback)
        );
        if oct_len != 0 || group == 110 || group == 111 {
            let _ = write!(label, ", Length: {oct_len}");
        }
        cx.set_text(onode, &label);
    }
    if name.is_none() && group != 110 && group != 111 {
        let e = if group == 0 {
            &UNKNOWN_GROUP0_VARIATION
        } else {
            &UNKNOWN_OBJECT
        };
        cx.expert(onode, e, None);
    }
}

/// The qualifier at `off` and the range after it, under the object node; None when the
/// count is negative (tshark then gives up on the fragment).
fn qualifier(
    cx: &mut Cx,
    onode: NodeId,
    tvb: &Tvb,
    off: usize,
) -> Result<Option<(Range, usize, NodeId)>> {
    let q = tvb.u8(off)?;
    let prefix = (q & 0x70) >> 4;
    let code = q & 0x0f;
    let qn = cx.add_text(onode, tvb.range(off, 1), "");
    cx.set_text(
        qn,
        format_args!(
            "Qualifier Field, Prefix: {}, Range: {}",
            crate::engine::field::val_to_str(PREFIX_CODES, prefix as u64)
                .unwrap_or("Unknown Prefix Type"),
            crate::engine::field::val_to_str(RANGE_CODES, code as u64)
                .unwrap_or("Unknown Range Type")
        ),
    );
    cx.add_uint(qn, &OBJQ_PREFIX, tvb.range(off, 1), q as u64);
    cx.add_uint(qn, &OBJQ_RANGE, tvb.range(off, 1), q as u64);
    let r = off + 1;
    let rnode = cx.add_text(onode, tvb.range(r, 0), "Number of Items: ");
    let (items, first, len) = range_fields(cx, rnode, tvb, r, code)?;
    if items > 0 {
        append_object_points(cx, onode, items, plural(items));
    }
    if items < 0 {
        cx.set_text(rnode, format_args!("Number of Items: {items} (bogus)"));
        cx.expert(rnode, &NUM_ITEMS_NEG, None);
        cx.add(
            rnode,
            &crate::engine::expert::ws::MALFORMED,
            tvb.range(r, 0),
            Value::None,
        );
        return Ok(None);
    }
    cx.set_text(rnode, format_args!("Number of Items: {items}"));
    let range = Range {
        prefix,
        items,
        first,
    };
    Ok(Some((range, r + len, rnode)))
}

/// Appends ", N point(s)" to the object's label (only when the tree is built).
fn append_object_points(cx: &mut Cx, onode: NodeId, items: i64, plural: &str) {
    if !onode.is_built() {
        return;
    }
    let mut label = cx.tree.text(onode).unwrap_or_default().to_owned();
    let _ = write!(label, ", {items} point{plural}");
    cx.set_text(onode, &label);
}

/// Reads the range field for range code `code`: (number of items, first point, bytes used).
fn range_fields(
    cx: &mut Cx,
    rnode: NodeId,
    tvb: &Tvb,
    r: usize,
    code: u8,
) -> Result<(i64, u32, usize)> {
    let le = crate::engine::context::Endian::Little;
    let (items, first, len) = match code {
        0..=2 => {
            let w = 1usize << code;
            // Both indices are read before either is shown, as tshark computes the count
            // first: a stop index cut off leaves no start item either.
            tvb.bytes(r, 2 * w)?;
            let start = cx.add_int(rnode, &RANGE_START, tvb, r, w, le)?.value;
            let stop = cx.add_int(rnode, &RANGE_STOP, tvb, r + w, w, le)?.value;
            let n = match w {
                4 => (stop as u32).wrapping_sub(start as u32).wrapping_add(1) as i32 as i64,
                _ => stop as i64 - start as i64 + 1,
            };
            (n, start as u32, 2 * w)
        }
        3..=5 => {
            let w = 1usize << (code - 3);
            let a = cx.add_int(rnode, &RANGE_ABS, tvb, r, w, le)?.value;
            (1, a as u32, w)
        }
        7..=9 | 11 => {
            let w = if code == 11 { 1 } else { 1usize << (code - 7) };
            let q = cx.add_int(rnode, &RANGE_QUANTITY, tvb, r, w, le)?.value;
            (q as u32 as i32 as i64, 0, w)
        }
        _ => (0, 0, 0),
    };
    if matches!(code, 7..=9 | 11) {
        cx.tree.node_mut(rnode).range.len = len as u32;
    }
    Ok((items, first, len))
}
