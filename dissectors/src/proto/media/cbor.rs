//! `cbor`: Concise Binary Object Representation (RFC 8949), one data item, with tshark 4.0's
//! tree.
//!
//! ```text
//!  7 6 5 4 3 2 1 0
//! +-----+---------+------------------------+
//! |major|  minor  | argument (0/1/2/4/8 B) |  minor 0-23: the argument itself;
//! +-----+---------+------------------------+  24-27: a 1/2/4/8-byte argument follows;
//!                                              31: indefinite length (or "break", 0xff)
//! ```
//! Each item is a subtree (`cbor.item.unsigned_integer`, `….map`, …) holding the major type,
//! then the minor bits or the argument's size and the argument, then the contents. Map keys and
//! values are siblings, as tshark shows them. A negative integer with the argument in the minor
//! bits carries that argument as its filter value (tshark's `cbor.type.nint` is `9` for -10)
//! and shows `-1-n` in its label; like tshark's, it covers the CBOR data's first byte.
//!
//! tshark declares two fields under several names (`cbor.type.uint` is an 8-bit field masked
//! 0x1f and a 64-bit one); lowshark declares each name once, as the 64-bit field, and draws the
//! minor-bits variant's label itself.

use crate::engine::colfmt::plural;
use crate::engine::expert::{ws, ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::{format_g, label, write_bit_pattern, Value};
use crate::engine::Cx;

const MAJOR_TYPES: &[(u64, &str)] = &[
    (0, "Unsigned Integer"),
    (1, "Negative Integer"),
    (2, "Byte String"),
    (3, "Text String"),
    (4, "Array"),
    (5, "Map"),
    (6, "Tagged"),
    (7, "Floating-Point or Simple"),
];

const INTEGER_SIZES: &[(u64, &str)] = &[
    (24, "1 byte"),
    (25, "2 bytes"),
    (26, "4 bytes"),
    (27, "8 bytes"),
    (28, "Reserved for future additions"),
    (29, "Reserved for future additions"),
    (30, "Reserved for future additions"),
    (31, "No argument value is derived"),
];

const FLOAT_SIMPLE_TYPES: &[(u64, &str)] = &[
    (24, "Simple value"),
    (25, "IEEE 754 Half-Precision Float"),
    (26, "IEEE 754 Single-Precision Float"),
    (27, "IEEE 754 Double-Precision Float"),
    (28, "Reserved for future additions"),
    (29, "Reserved for future additions"),
    (30, "Reserved for future additions"),
    (31, "Break indefinite length"),
];

/// The IANA "CBOR Tags" names tshark shows.
const TAGS: &[(u64, &str)] = &[
    (0, "Standard date/time string"),
    (1, "Epoch-based date/time"),
    (2, "Positive bignum"),
    (3, "Negative bignum"),
    (4, "Decimal fraction"),
    (5, "Bigfloat"),
    (21, "Expected conversion to base64url encoding"),
    (22, "Expected conversion to base64 encoding"),
    (23, "Expected conversion to base16 encoding"),
    (24, "Encoded CBOR data item"),
    (25, "reference the nth previously seen string"),
    (
        26,
        "Serialised Perl object with classname and constructor arguments",
    ),
    (
        27,
        "Serialised language-independent object with type name and constructor arguments",
    ),
    (28, "mark value as (potentially) shared"),
    (29, "reference nth marked value"),
    (30, "Rational number"),
    (32, "URI"),
    (33, "base64url"),
    (34, "base64"),
    (35, "Regular expression"),
    (36, "MIME message"),
    (37, "Binary UUID"),
    (38, "Language-tagged string"),
    (39, "Identifier"),
    (256, "mark value as having string references"),
    (257, "Binary MIME message"),
    (264, "Decimal fraction with arbitrary exponent"),
    (265, "Bigfloat with arbitrary exponent"),
    (
        22098,
        "hint that indicates an additional level of indirection",
    ),
    (55799, "Self-describe CBOR"),
];

const SIMPLE_VALUES: &[(u64, &str)] =
    &[(20, "False"), (21, "True"), (22, "Null"), (23, "Undefined")];

crate::fields! {
    PROTO = FieldDef::protocol("cbor", "Concise Binary Object Representation");
    MAJOR_TYPE = FieldDef::new("cbor.item.major_type", "Major Type", T::U8).mask(0xe0).vals(MAJOR_TYPES);
    SIZE = FieldDef::new("cbor.item.size", "Size", T::U8).mask(0x1f).vals(INTEGER_SIZES);
    LENGTH = FieldDef::new("cbor.item.length", "Length", T::U64);
    ITEMS = FieldDef::new("cbor.item.items", "Items", T::U64);
    PAIRS = FieldDef::new("cbor.item.pairs", "Pairs", T::U64);
    FLOAT_SIMPLE_TYPE = FieldDef::new("cbor.item.float_simple_type", "Type", T::U8).mask(0x1f).vals(FLOAT_SIMPLE_TYPES);
    ITEM_UINT = FieldDef::new("cbor.item.unsigned_integer", "Unsigned Integer", T::None);
    ITEM_NINT = FieldDef::new("cbor.item.negative_integer", "Negative Integer", T::None);
    ITEM_TEXT = FieldDef::new("cbor.item.textstring", "Text String", T::None);
    ITEM_BYTES = FieldDef::new("cbor.item.bytestring", "Byte String", T::None);
    ITEM_ARRAY = FieldDef::new("cbor.item.array", "Array", T::None);
    ITEM_MAP = FieldDef::new("cbor.item.map", "Map", T::None);
    ITEM_TAG = FieldDef::new("cbor.item.tag", "Tag", T::None);
    ITEM_FLOAT_SIMPLE = FieldDef::new("cbor.item.float_or_simple", "Floating-point or Simple", T::None);
    UINT = FieldDef::new("cbor.type.uint", "Unsigned Integer", T::U64);
    NINT = FieldDef::new("cbor.type.nint", "Negative Integer", T::I64);
    BYTESTRING = FieldDef::new("cbor.type.bytestring", "Byte String", T::Bytes);
    BYTESTRING_INDEF = FieldDef::new("cbor.type.bytestring.indef", "Byte String (indefinite length)", T::None);
    TEXTSTRING = FieldDef::new("cbor.type.textstring", "Text String", T::String);
    TEXTSTRING_INDEF = FieldDef::new("cbor.type.textstring.indef", "Text String (indefinite length)", T::None);
    TAG = FieldDef::new("cbor.type.tag", "Tag", T::U64).vals(TAGS);
    SIMPLE_DATA = FieldDef::new("cbor.type.simple_data", "Simple data", T::U8).vals(SIMPLE_VALUES);
    FLOAT16 = FieldDef::new("cbor.type.float16", "Float 16 Bit", T::Float);
    FLOAT32 = FieldDef::new("cbor.type.float32", "Float 32 Bit", T::Float);
    FLOAT64 = FieldDef::new("cbor.type.float64", "Float 64 Bit", T::Double);
}

crate::experts! {
    INVALID_MINOR_TYPE = ExpertDef::new("cbor.invalid_minor_type", Group::Malformed, Severity::Warn, "Invalid minor type");
    INVALID_ELEMENT = ExpertDef::new("cbor.invalid_element", Group::Malformed, Severity::Warn, "Invalid element");
    TOO_LONG_LENGTH = ExpertDef::new("cbor.too_long_length", Group::Malformed, Severity::Warn, "Too long length");
    MAX_RECURSION = ExpertDef::new("cbor.max_recursion_depth_reached", Group::Protocol, Severity::Warn, "Maximum allowed recursion depth reached. Dissection stopped.");
}

crate::protocol!("cbor", "CBOR", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    let types = [
        "application/cbor",
        "application/senml+cbor",
        "application/sensml+cbor",
    ];
    super::register_types(r, &types, &PROTOCOL);
}

/// Items nested deeper than this are not dissected (hostile input).
const MAX_NESTING: usize = 64;

/// Why an item could not be dissected: tshark's expert items, after which it stops.
enum Stop {
    /// Reading past the end of the data.
    Short,
    /// The item is invalid; the expert item was added.
    Invalid,
}

impl From<crate::engine::tvb::Error> for Stop {
    fn from(_: crate::engine::tvb::Error) -> Stop {
        Stop::Short
    }
}

type Step<T = ()> = std::result::Result<T, Stop>;

/// Reads one item's initial byte and argument.
struct Head {
    off: usize,
    major: u8,
    minor: u8,
}

/// The low five bits of an initial byte, for drawing a minor-bits field's label.
static MINOR_BITS: FieldDef = FieldDef::new("cbor.minor", "", T::U8).mask(0x1f);

/// Adds a value carved from the initial byte (mask 0x1f) with its bit pattern in the label,
/// for the minor-bits variants tshark declares under the 64-bit fields' names; `shown`
/// replaces the value in the label (a negative integer's `-1-n`).
fn add_minor(
    cx: &mut Cx,
    parent: NodeId,
    f: &'static FieldDef,
    tvb: &Tvb,
    h: &Head,
    shown: Option<String>,
) -> NodeId {
    let value = match f.ftype {
        T::I64 => Value::Int(h.minor as i64),
        _ => Value::UInt(h.minor as u64),
    };
    let n = cx.add(parent, f, tvb.range(h.off, 1), value.clone());
    let mut text = String::new();
    write_bit_pattern(&mut text, &MINOR_BITS, h.minor as u64);
    match shown {
        Some(s) => text.push_str(&format!("{}: {s}", f.name)),
        None => text.push_str(&label(f, &value)),
    }
    cx.set_text(n, text);
    n
}

/// Adds the size of a length or count (minor 24-27, or 31 for indefinite), with tshark's
/// name for it.
fn add_length_size(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &Head) {
    let n = cx.add_uint(node, &SIZE, tvb.range(h.off, 1), h.minor as u64);
    if h.minor == 31 {
        let mut text = String::new();
        write_bit_pattern(&mut text, &MINOR_BITS, 31);
        text.push_str("Size: Indefinite Length (31)");
        cx.set_text(n, text);
    }
}

/// Adds the minor bits or the argument size, then the argument; returns the argument.
/// `small` is the field for a minor-bits argument, `size` the field that says how long the
/// argument is, `arg` the field for the argument that follows.
fn argument(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    h: &Head,
    small: Option<&'static FieldDef>,
    size: &'static FieldDef,
    arg: Option<&'static FieldDef>,
) -> Step<(u64, usize)> {
    if h.minor <= 23 {
        if let Some(f) = small {
            add_minor(cx, node, f, tvb, h, None);
        }
        return Ok((h.minor as u64, h.off + 1));
    }
    cx.add_uint(node, size, tvb.range(h.off, 1), h.minor as u64);
    let width = match h.minor {
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        // Reserved sizes: callers reject them before asking.
        _ => return Ok((0, h.off + 1)),
    };
    let at = h.off + 1;
    let b = tvb.bytes(at, width)?;
    let v = b.iter().fold(0u64, |a, &x| (a << 8) | x as u64);
    if let Some(f) = arg {
        cx.add(node, f, tvb.range(at, width), Value::UInt(v));
    }
    Ok((v, at + width))
}

fn invalid_minor(cx: &mut Cx, node: NodeId, what: &str, minor: u8) -> Stop {
    let msg = format!("invalid minor type {minor} in {what}");
    cx.expert(node, &INVALID_MINOR_TYPE, Some(msg));
    Stop::Invalid
}

/// Dissects the item at `off` under `parent`; returns where it ends.
fn item(cx: &mut Cx, parent: NodeId, tvb: &Tvb, off: usize, depth: usize) -> Step<usize> {
    if depth >= MAX_NESTING {
        cx.expert(parent, &MAX_RECURSION, None);
        return Err(Stop::Invalid);
    }
    let b = tvb.u8(off)?;
    let h = Head {
        off,
        major: b >> 5,
        minor: b & 0x1f,
    };
    match h.major {
        0 => unsigned(cx, parent, tvb, &h),
        1 => negative(cx, parent, tvb, &h),
        2 | 3 => string(cx, parent, tvb, &h, depth),
        4 | 5 => container(cx, parent, tvb, &h, depth),
        6 => tagged(cx, parent, tvb, &h, depth),
        _ => float_simple(cx, parent, tvb, &h),
    }
}

/// Opens the item's subtree with its major type.
fn open(cx: &mut Cx, parent: NodeId, f: &'static FieldDef, tvb: &Tvb, h: &Head) -> NodeId {
    let node = cx.add(parent, f, tvb.range(h.off, 1), Value::None);
    cx.add_uint(
        node,
        &MAJOR_TYPE,
        tvb.range(h.off, 1),
        (h.major as u64) << 5,
    );
    node
}

/// Closes the item's subtree: its range and label.
fn close(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &Head, end: usize, text: String) {
    cx.tree.node_mut(node).range = tvb.range(h.off, end - h.off);
    cx.set_text(node, text);
}

fn unsigned(cx: &mut Cx, parent: NodeId, tvb: &Tvb, h: &Head) -> Step<usize> {
    let node = open(cx, parent, &ITEM_UINT, tvb, h);
    if h.minor > 27 {
        return Err(invalid_minor(cx, node, "unsigned integer", h.minor));
    }
    let (v, end) = argument(cx, node, tvb, h, Some(&UINT), &SIZE, Some(&UINT))?;
    close(cx, node, tvb, h, end, format!("Unsigned Integer: {v}"));
    Ok(end)
}

fn negative(cx: &mut Cx, parent: NodeId, tvb: &Tvb, h: &Head) -> Step<usize> {
    let node = open(cx, parent, &ITEM_NINT, tvb, h);
    if h.minor > 27 {
        return Err(invalid_minor(cx, node, "negative integer", h.minor));
    }
    if h.minor <= 23 {
        let value = -1 - h.minor as i64;
        let n = add_minor(cx, node, &NINT, tvb, h, Some(value.to_string()));
        // tshark 4.0 adds these minor bits at bit 3 of the CBOR data rather than of the item,
        // so the field covers the data's first byte (its `value` is that byte).
        cx.tree.node_mut(n).range = tvb.range(0, 1);
        close(
            cx,
            node,
            tvb,
            h,
            h.off + 1,
            format!("Negative Integer: {value}"),
        );
        return Ok(h.off + 1);
    }
    let (arg, end) = argument(cx, node, tvb, h, None, &SIZE, None)?;
    // -1 - n in 64-bit two's complement, as tshark computes it (it overflows for n ≥ 2^63).
    let value = (-1i64).wrapping_sub(arg as i64);
    if h.minor == 27 && value > -1 {
        let msg = "The value is too small, Wireshark can not display it correctly";
        cx.expert(node, &TOO_LONG_LENGTH, Some(msg.into()));
        cx.add_hidden(node, &ws::MALFORMED, tvb.range(h.off, 0), Value::None);
    }
    let width = end - h.off - 1;
    cx.add(node, &NINT, tvb.range(h.off + 1, width), Value::Int(value));
    close(cx, node, tvb, h, end, format!("Negative Integer: {value}"));
    Ok(end)
}

/// A byte string (major 2) or text string (major 3), definite or in chunks.
fn string(cx: &mut Cx, parent: NodeId, tvb: &Tvb, h: &Head, depth: usize) -> Step<usize> {
    let text = h.major == 3;
    let (item_f, value_f, indef_f, what) = if text {
        (&ITEM_TEXT, &TEXTSTRING, &TEXTSTRING_INDEF, "text string")
    } else {
        (&ITEM_BYTES, &BYTESTRING, &BYTESTRING_INDEF, "byte string")
    };
    let node = open(cx, parent, item_f, tvb, h);
    if h.minor == 31 {
        return chunks(cx, node, tvb, h, indef_f, depth);
    }
    if h.minor > 27 {
        return Err(invalid_minor(cx, node, what, h.minor));
    }
    let (len, at) = argument(cx, node, tvb, h, Some(&LENGTH), &SIZE, Some(&LENGTH))?;
    if len > i32::MAX as u64 {
        let msg = format!("the length ({len}) of the {what} too long");
        cx.expert(node, &TOO_LONG_LENGTH, Some(msg));
        return Err(Stop::Invalid);
    }
    let len = len as usize;
    let b = tvb.bytes(at, len)?;
    let label = if text {
        let s = String::from_utf8_lossy(b).into_owned();
        cx.add(node, value_f, tvb.range(at, len), Value::str(s.clone()));
        format!("Text String: {s}")
    } else {
        cx.add(node, value_f, tvb.range(at, len), Value::bytes(b));
        format!("Byte String: ({len} byte{})", plural(len))
    };
    close(cx, node, tvb, h, at + len, label);
    Ok(at + len)
}

/// The chunks of an indefinite-length string, up to the break.
fn chunks(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    h: &Head,
    indef_f: &'static FieldDef,
    depth: usize,
) -> Step<usize> {
    add_length_size(cx, node, tvb, h);
    let inner = cx.add(node, indef_f, tvb.range(h.off + 1, 1), Value::None);
    let mut off = h.off + 1;
    loop {
        let b = tvb.u8(off)?;
        if b == 0xff {
            off = stop_code(cx, inner, tvb, off)?;
            break;
        }
        if b >> 5 != h.major {
            let expected = if h.major == 3 { "text" } else { "byte" };
            let msg = format!("invalid element {}, expected {expected} string", b >> 5);
            cx.expert(inner, &INVALID_ELEMENT, Some(msg));
            return Err(Stop::Invalid);
        }
        let chunk = Head {
            off,
            major: h.major,
            minor: b & 0x1f,
        };
        off = string(cx, inner, tvb, &chunk, depth + 1)?;
    }
    cx.tree.node_mut(inner).range = tvb.range(h.off + 1, off - h.off - 1);
    let what = if h.major == 3 { "Text" } else { "Byte" };
    close(
        cx,
        node,
        tvb,
        h,
        off,
        format!("{what} String: (indefinite length)"),
    );
    Ok(off)
}

/// The "break" stop code (0xff) that ends an indefinite-length item, at `off`.
fn stop_code(cx: &mut Cx, parent: NodeId, tvb: &Tvb, off: usize) -> Step<usize> {
    let h = Head {
        off,
        major: 7,
        minor: 31,
    };
    float_simple(cx, parent, tvb, &h)
}

/// An array (major 4) or map (major 5): its items, or key and value pairs, as siblings.
fn container(cx: &mut Cx, parent: NodeId, tvb: &Tvb, h: &Head, depth: usize) -> Step<usize> {
    let map = h.major == 5;
    let (item_f, count_f, what) = if map {
        (&ITEM_MAP, &PAIRS, "map")
    } else {
        (&ITEM_ARRAY, &ITEMS, "array")
    };
    let node = open(cx, parent, item_f, tvb, h);
    if h.minor > 27 && h.minor != 31 {
        return Err(invalid_minor(cx, node, what, h.minor));
    }
    let indefinite = h.minor == 31;
    // tshark names the 1-8 byte count `cbor.item.length` for arrays and `…pairs` for maps.
    let long_f = if map { &PAIRS } else { &LENGTH };
    let (count, mut off) = if indefinite {
        add_length_size(cx, node, tvb, h);
        (u64::MAX, h.off + 1)
    } else {
        argument(cx, node, tvb, h, Some(count_f), &SIZE, Some(long_f))?
    };
    let per_entry = if map { 2 } else { 1 };
    let mut i = 0u64;
    while i < count {
        if indefinite && tvb.u8(off)? == 0xff {
            off = stop_code(cx, node, tvb, off)?;
            break;
        }
        for _ in 0..per_entry {
            off = item(cx, node, tvb, off, depth + 1)?;
        }
        i += 1;
    }
    let noun = if map { "pair" } else { "item" };
    let text = if indefinite {
        format!("{}: (indefinite length)", if map { "Map" } else { "Array" })
    } else {
        let name = if map { "Map" } else { "Array" };
        format!("{name}: ({count} {noun}{})", plural(count))
    };
    close(cx, node, tvb, h, off, text);
    Ok(off)
}

fn tagged(cx: &mut Cx, parent: NodeId, tvb: &Tvb, h: &Head, depth: usize) -> Step<usize> {
    let node = open(cx, parent, &ITEM_TAG, tvb, h);
    if h.minor > 27 {
        return Err(invalid_minor(cx, node, "tag", h.minor));
    }
    let (tag, at) = argument(cx, node, tvb, h, Some(&TAG), &SIZE, Some(&TAG))?;
    let end = item(cx, node, tvb, at, depth + 1)?;
    let name = crate::engine::field::val_to_str(TAGS, tag).unwrap_or("Unknown");
    close(cx, node, tvb, h, end, format!("Tag: {name} ({tag})"));
    Ok(end)
}

/// Half-precision floats as tshark decodes them (RFC 8949 Appendix D); infinities and NaN keep
/// the value 0 and say what they are in the label only.
fn half(bits: u16) -> (f64, Option<&'static str>) {
    let exp = (bits >> 10) & 0x1f;
    let mant = (bits & 0x3ff) as f64;
    let neg = bits & 0x8000 != 0;
    let v = match exp {
        0 => mant * 2f64.powi(-24),
        31 => {
            let name = match (neg, mant == 0.0) {
                (false, true) => "inf",
                (true, true) => "-inf",
                (false, false) => "nan",
                (true, false) => "-nan",
            };
            return (0.0, Some(name));
        }
        e => (mant + 1024.0) * 2f64.powi(e as i32 - 25),
    };
    (if neg { -v } else { v }, None)
}

fn float_text(v: f64, digits: usize) -> String {
    let mut s = String::new();
    format_g(&mut s, v, digits);
    s
}

fn float_simple(cx: &mut Cx, parent: NodeId, tvb: &Tvb, h: &Head) -> Step<usize> {
    let node = open(cx, parent, &ITEM_FLOAT_SIMPLE, tvb, h);
    let simple_text = |v: u64| {
        let name = crate::engine::field::val_to_str(SIMPLE_VALUES, v).unwrap_or("Unknown");
        format!("Simple: {name} ({v})")
    };
    if h.minor <= 23 {
        add_minor(cx, node, &SIMPLE_DATA, tvb, h, None);
        close(cx, node, tvb, h, h.off + 1, simple_text(h.minor as u64));
        return Ok(h.off + 1);
    }
    cx.add_uint(
        node,
        &FLOAT_SIMPLE_TYPE,
        tvb.range(h.off, 1),
        h.minor as u64,
    );
    let at = h.off + 1;
    let (end, text) = match h.minor {
        24 => {
            let v = cx.add_u8(node, &SIMPLE_DATA, tvb, at)? as u64;
            (at + 1, simple_text(v))
        }
        25 => {
            let (v, special) = half(tvb.be_u16(at)?);
            let shown = special.map_or_else(|| float_text(v, 6), str::to_string);
            let n = cx.add(node, &FLOAT16, tvb.range(at, 2), Value::Double(v));
            if special.is_some() {
                cx.set_text(n, format!("Float 16 Bit: {shown}"));
            }
            (at + 2, format!("Float: {shown}"))
        }
        26 => {
            let v = f32::from_bits(tvb.be_u32(at)?) as f64;
            cx.add(node, &FLOAT32, tvb.range(at, 4), Value::Double(v));
            (at + 4, format!("Float: {}", float_text(v, 6)))
        }
        27 => {
            let v = f64::from_bits(tvb.be_u64(at)?);
            cx.add(node, &FLOAT64, tvb.range(at, 8), Value::Double(v));
            (at + 8, format!("Float: {}", float_text(v, 15)))
        }
        31 => (at, "Break indefinite length (31)".to_string()),
        m => return Err(invalid_minor(cx, node, "simple data and float", m)),
    };
    close(cx, node, tvb, h, end, text);
    Ok(end)
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let carrier = cx.columns.protocol.clone();
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    // tshark's CBOR layer leaves the Protocol column alone.
    cx.columns.protocol = carrier;
    match item(cx, node, tvb, 0, 0) {
        Ok(end) => {
            cx.set_len(node, tvb, end);
            Ok(())
        }
        Err(Stop::Invalid) => Ok(()),
        Err(Stop::Short) => Err(crate::engine::tvb::Error::Short),
    }
}
