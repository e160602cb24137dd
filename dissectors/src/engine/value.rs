//! Field values and their text forms: the "show" form that tshark's JSON and `-T fields` print,
//! and the label that `-V` and the TUI's detail tree print.

use crate::engine::field::{Base, FieldDef, FieldType, Strings};
use std::fmt::Write;

/// The value of one tree node. Integers are stored widened; the field's type says how wide.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Double(f64),
    Bytes(Box<[u8]>),
    Str(Box<str>),
    Ipv4([u8; 4]),
    Ipv6([u8; 16]),
    Ether([u8; 6]),
    Eui64([u8; 8]),
    /// Nanoseconds since the Unix epoch.
    AbsTime(i64),
    /// Nanoseconds.
    RelTime(i64),
}

impl Value {
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::UInt(v) => Some(v),
            Value::Int(v) => Some(v as u64),
            Value::Bool(b) => Some(b as u64),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            Value::Str(s) => Some(s.as_bytes()),
            Value::Ipv4(a) => Some(a),
            Value::Ipv6(a) => Some(a),
            Value::Ether(a) => Some(a),
            Value::Eui64(a) => Some(a),
            _ => None,
        }
    }

    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into().into_boxed_str())
    }

    pub fn bytes(b: &[u8]) -> Value {
        Value::Bytes(b.into())
    }
}

/// Writes bytes as `aa:bb:cc` (tshark's form for FT_BYTES and hardware addresses).
pub fn write_colon_hex(out: &mut String, bytes: &[u8]) {
    push_hex(out, bytes, Some(b':'));
}

/// Writes bytes as plain lowercase hex (`aabbcc`).
pub fn write_plain_hex(out: &mut String, bytes: &[u8]) {
    push_hex(out, bytes, None);
}

/// Writes bytes as lowercase hex pairs separated by spaces (`aa bb cc`, as tshark's Info
/// columns show tokens).
pub fn write_spaced_hex(out: &mut String, bytes: &[u8]) {
    push_hex(out, bytes, Some(b' '));
}

/// Lowercase hex of `bytes`, pairs joined by `sep` when there is one, formatted 16 bytes at a
/// time in a stack buffer and appended in one piece (JSON and field output write every byte
/// field so).
fn push_hex(out: &mut String, bytes: &[u8], sep: Option<u8>) {
    out.reserve(bytes.len() * 3);
    let (step, sep) = match sep {
        Some(c) => (3, c),
        None => (2, b':'),
    };
    // A chunk's text: a separator joining it to the previous chunk, then each byte stored as
    // its two digits and a separator at once (one fixed-size store), the last one dropped.
    let mut buf = [0u8; 1 + 16 * 3];
    for (c, chunk) in bytes.chunks(16).enumerate() {
        let mut n = 0;
        if step == 3 && c > 0 {
            buf[0] = sep;
            n = 1;
        }
        for b in chunk {
            let [h, l] = HEX2[*b as usize];
            buf[n..n + 3].copy_from_slice(&[h, l, sep]);
            n += step;
        }
        if step == 3 {
            n -= 1;
        }
        out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or(""));
    }
}

/// The two lowercase hex digits of every byte value.
pub(crate) static HEX2: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    t
};

/// Appends `v` zero-padded to `width` digits (more when it has more; at most 20): the
/// digits written backwards into a buffer of zeros, appended in one piece.
pub fn push_zero_padded(out: &mut String, v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let (mut v, mut at) = (v, buf.len());
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let start = at.min(buf.len() - width.min(buf.len()));
    out.push_str(std::str::from_utf8(&buf[start..]).unwrap_or(""));
}

/// Bytes as plain lowercase hex with no separators.
pub fn hex_string(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    write_plain_hex(&mut s, bytes);
    s
}

/// `Jun  2, 2016 09:06:33.547275000 UTC`: tshark's `frame.time` in UTC.
pub fn format_abs_time(out: &mut String, ns: i64) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    // `{} {:>2}, {} {:02}:{:02}:{:02}.{:09} UTC` without the formatter (every frame's
    // `frame.time` in JSON and PDML).
    out.push_str(MONTHS[(m - 1) as usize]);
    out.push(' ');
    if d < 10 {
        out.push(' ');
    }
    out.push_str(itoa::Buffer::new().format(d));
    out.push_str(", ");
    out.push_str(itoa::Buffer::new().format(y));
    out.push(' ');
    push_time_of_day(out, sod as u64);
    out.push('.');
    push_zero_padded(out, nanos as u64, 9);
    out.push_str(" UTC");
}

/// Appends a second of the day as `HH:MM:SS`.
pub fn push_time_of_day(out: &mut String, sod: u64) {
    push_zero_padded(out, sod / 3600, 2);
    out.push(':');
    push_zero_padded(out, (sod / 60) % 60, 2);
    out.push(':');
    push_zero_padded(out, sod % 60, 2);
}

/// Date parts (year, month 1-12, day 1-31) of a day count since 1970-01-01, proleptic Gregorian.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of each 400-year era.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12): the inverse of
/// [`civil_from_days`].
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // March-based years, as in civil_from_days.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let day_of_year = (153 * mp + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Seconds with nine decimals, as tshark prints relative times (`0.000123000`).
pub fn format_rel_time(out: &mut String, ns: i64) {
    if ns < 0 {
        out.push('-');
    }
    let a = ns.unsigned_abs();
    out.push_str(itoa::Buffer::new().format(a / 1_000_000_000));
    out.push('.');
    push_zero_padded(out, a % 1_000_000_000, 9);
}

fn format_double(out: &mut String, v: f64) {
    // tshark prints FT_DOUBLE with "%.15g" (DBL_DIG significant digits).
    format_g(out, v, 15);
}

/// C's `%.<prec>g`, which tshark uses for FT_FLOAT values (`FLT_DIG` = 6 significant digits):
/// `-40`, `2.405e+06`, `0.000123`.
pub fn format_g(out: &mut String, v: f64, prec: usize) {
    if v.is_nan() {
        // C prints NaN in lower case (Rust's `{}` gives "NaN").
        out.push_str("nan");
        return;
    }
    if v == 0.0 || v.is_infinite() {
        let _ = write!(out, "{v}");
        return;
    }
    let prec = prec.max(1);
    let sci = format!("{:.*e}", prec - 1, v);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if exp < -4 || exp >= prec as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "{}e{sign}{:02}", trim(mant), exp.abs());
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        let _ = write!(out, "{}", trim(&format!("{v:.decimals$}")));
    }
}

/// Appends the "show" form of a value: what tshark puts in `-T json` and `-T fields`.
pub fn write_show(out: &mut String, field: &FieldDef, value: &Value) {
    match value {
        Value::None => {}
        Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Value::UInt(v) => write_uint_show(out, field, *v),
        Value::Int(v) => out.push_str(itoa::Buffer::new().format(*v)),
        Value::Double(v) if field.ftype == FieldType::Float => format_g(out, *v, 6),
        Value::Double(v) => format_double(out, *v),
        Value::Bytes(b) => write_colon_hex(out, b),
        Value::Str(s) => out.push_str(s),
        Value::Ipv4(a) => out.push_str(crate::engine::address::Ipv4Text::new(a).as_str()),
        Value::Ipv6(a) => out.push_str(crate::engine::address::Ipv6Text::new(a).as_str()),
        Value::Ether(a) => write_colon_hex(out, a),
        Value::Eui64(a) => write_colon_hex(out, a),
        Value::AbsTime(0) if field.base == Base::NtpUtc => out.push_str("NULL"),
        Value::AbsTime(ns) => format_abs_time(out, *ns),
        Value::RelTime(ns) => format_rel_time(out, *ns),
    }
}

/// Hex digits tshark pads a hex field to: the width of the field's own type, or of the
/// integer a bitmask field lives in.
fn hex_digits(field: &FieldDef) -> usize {
    // tshark pads to the width of the field's own integer type, also for bitmask fields
    // (`tcp.flags` is `0x0018`, `ip.flags` is `0x02`).
    let bits = match field.ftype.int_bits() {
        0 => field.container_bits(),
        b => b,
    };
    (bits.max(8) as usize).div_ceil(4)
}

fn write_uint_show(out: &mut String, field: &FieldDef, v: u64) {
    match field.base {
        Base::Hex | Base::HexDec => {
            out.push_str("0x");
            write_hex_padded(out, v, hex_digits(field));
        }
        Base::Oct => {
            let _ = write!(out, "0{v:o}");
        }
        _ => out.push_str(itoa::Buffer::new().format(v)),
    }
}

/// `v` in lowercase hex, zero-padded to at least `width` digits (`{:0width$x}` without the
/// formatter's cost: integers are most of what the outputs print).
pub fn write_hex_padded(out: &mut String, v: u64, width: usize) {
    let digits = ((64 - v.leading_zeros() as usize).div_ceil(4)).max(1);
    for _ in digits..width {
        out.push('0');
    }
    // The 16 digits of `v`, of which the significant ones are appended in one piece.
    let mut buf = [0u8; 16];
    for (i, b) in v.to_be_bytes().iter().enumerate() {
        buf[2 * i..2 * i + 2].copy_from_slice(&HEX2[*b as usize]);
    }
    out.push_str(std::str::from_utf8(&buf[16 - digits..]).unwrap_or(""));
}

/// The show form as a new string.
pub fn show(field: &FieldDef, value: &Value) -> String {
    let mut s = String::new();
    write_show(&mut s, field, value);
    s
}

/// Draws the bit pattern Wireshark puts before a bitmask field's label (`.... ..1. = `).
pub fn write_bit_pattern(out: &mut String, field: &FieldDef, raw: u64) {
    let width = field.container_bits().clamp(1, 64);
    let shifted = raw << field.shift();
    for i in (0..width).rev() {
        let bit = 1u64 << i;
        if field.bitmask & bit != 0 {
            out.push(if shifted & bit != 0 { '1' } else { '0' });
        } else {
            out.push('.');
        }
        if i % 4 == 0 && i != 0 {
            out.push(' ');
        }
    }
    out.push_str(" = ");
}

/// Appends the human label of a field with this value (`Source Port: 5683`,
/// `Type: Confirmable (0)`, `.... ..1. = Syn: Set`).
pub fn write_label(out: &mut String, field: &FieldDef, value: &Value) {
    if matches!(field.ftype, FieldType::Protocol | FieldType::None) {
        out.push_str(field.name);
        return;
    }
    if field.bitmask != 0 {
        if let Some(raw) = value.as_u64() {
            write_bit_pattern(out, field, raw);
        }
    }
    out.push_str(field.name);
    out.push_str(": ");
    match (value, field.strings) {
        (Value::Bool(b), Strings::TrueFalse(t, f)) => out.push_str(if *b { t } else { f }),
        (Value::Bool(b), _) => out.push_str(if *b { "True" } else { "False" }),
        (Value::UInt(v), Strings::Values(_)) => {
            let name = field.value_name(*v).unwrap_or("Unknown");
            out.push_str(name);
            out.push_str(" (");
            write_uint_show(out, field, *v);
            out.push(')');
        }
        (Value::UInt(v), Strings::Unit(unit)) => {
            write_uint_show(out, field, *v);
            out.push(' ');
            out.push_str(unit);
        }
        (Value::UInt(v), _) => {
            write_uint_show(out, field, *v);
            match field.base {
                Base::DecHex => {
                    let _ = write!(out, " (0x{:0w$x})", v, w = hex_digits(field));
                }
                Base::HexDec => {
                    let _ = write!(out, " ({v})");
                }
                _ => {}
            }
        }
        (Value::Str(s), _) => out.push_str(&escape_text(s)),
        (Value::RelTime(ns), _) => {
            format_rel_time(out, *ns);
            out.push_str(" seconds");
        }
        (v, _) => write_show(out, field, v),
    }
}

pub fn label(field: &FieldDef, value: &Value) -> String {
    let mut s = String::new();
    write_label(&mut s, field, value);
    s
}

/// Escapes control characters so that text from packets never reaches a terminal raw.
pub fn escape_text(s: &str) -> std::borrow::Cow<'_, str> {
    if !has_control(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `s` holds a control character (Unicode Cc: U+0000–U+001F, U+007F–U+009F), by a
/// byte scan: this runs on every Info column printed, and `char::is_control` per char costs
/// several times more. In UTF-8, U+0080–U+009F are the only Cc characters beyond ASCII, encoded
/// as 0xC2 followed by 0x80–0x9F.
fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    // Few texts hold a byte below 0x20, DEL or 0xC2 at all: a pass without early exit over
    // 16-byte chunks (which the compiler vectorises) rules them out; `→` and other non-ASCII
    // text in Info columns do not defeat it.
    let suspect = b.chunks(16).any(|chunk| {
        chunk.iter().fold(false, |acc, &c| {
            acc | (c < 0x20) | (c == 0x7f) | (c == 0xc2)
        })
    });
    suspect
        && b.iter().enumerate().any(|(i, &c)| {
            c < 0x20 || c == 0x7f || (c == 0xc2 && b.get(i + 1).is_some_and(|n| *n < 0xa0))
        })
}

/// Bytes shown as text the way Wireshark shows FT_STRING built from packet bytes: printable ASCII
/// and valid UTF-8 kept, everything else as `\xNN`.
pub fn bytes_to_text(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    escape_text(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::field::FieldDef;

    #[test]
    fn control_scan_matches_char_is_control() {
        for c in (0u32..0x800).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(has_control(&s), c.is_control(), "U+{:04X}", c as u32);
        }
        assert_eq!(escape_text("x\u{85}\ty"), "x\\x85\\ty");
    }

    #[test]
    fn hex_writers_join_pairs_across_chunks() {
        let bytes: Vec<u8> = (0..20).collect();
        let pairs: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        for (sep, write) in [
            (":", write_colon_hex as fn(&mut String, &[u8])),
            (" ", write_spaced_hex),
            ("", write_plain_hex),
        ] {
            let mut s = String::new();
            write(&mut s, &bytes);
            assert_eq!(s, pairs.join(sep));
        }
    }

    #[test]
    fn abs_time_matches_tshark() {
        let mut s = String::new();
        format_abs_time(&mut s, 1_464_858_393_547_275_000);
        assert_eq!(s, "Jun  2, 2016 09:06:33.547275000 UTC");
        s.clear();
        format_abs_time(&mut s, 0);
        assert_eq!(s, "Jan  1, 1970 00:00:00.000000000 UTC");
        s.clear();
        format_abs_time(&mut s, 951_782_400 * 1_000_000_000); // 2000-02-29
        assert_eq!(s, "Feb 29, 2000 00:00:00.000000000 UTC");
    }

    #[test]
    fn float_show_is_c_percent_g() {
        let g = |v: f64| {
            let mut s = String::new();
            format_g(&mut s, v, 6);
            s
        };
        assert_eq!(g(-40.0), "-40");
        assert_eq!(g(3_618_816.0), "3.61882e+06");
        assert_eq!(g(2_405_000.0), "2.405e+06");
        assert_eq!(g(0.5), "0.5");
        assert_eq!(g(0.000_012_5), "1.25e-05");
        assert_eq!(g(123.456_789), "123.457");
        let g15 = |v: f64| {
            let mut s = String::new();
            format_double(&mut s, v);
            s
        };
        assert_eq!(
            g15(18_446_744_073_709_551_614_u64 as f64 / 1000.0),
            "1.84467440737096e+16"
        );
        assert_eq!(g15(0.001), "0.001");
        assert_eq!(g15(1.0 / 3.0), "0.333333333333333");
        assert_eq!(g15(1_700_000_000.0), "1700000000");
    }

    #[test]
    fn hex_padding_matches_the_formatter() {
        for (v, w) in [
            (0u64, 1),
            (0, 4),
            (0x18, 4),
            (0xffff, 2),
            (u64::MAX, 16),
            (1, 20),
        ] {
            let mut s = String::new();
            write_hex_padded(&mut s, v, w);
            assert_eq!(s, format!("{v:0w$x}"));
        }
    }

    #[test]
    fn zero_padding_keeps_every_digit() {
        for (v, width, want) in [
            (0, 9, "000000000"),
            (547_275_000, 9, "547275000"),
            (5, 2, "05"),
            (123, 2, "123"),
            (7, 0, "7"),
            (u64::MAX, 6, "18446744073709551615"),
        ] {
            let mut s = String::from("x");
            push_zero_padded(&mut s, v, width);
            assert_eq!(s, format!("x{want}"), "{v} {width}");
        }
    }

    #[test]
    fn hex_show_pads_to_width() {
        static F16: FieldDef = FieldDef::new("t.a", "A", FieldType::U16).hex();
        static F8: FieldDef = FieldDef::new("t.b", "B", FieldType::U8).hex();
        static M: FieldDef = FieldDef::new("t.c", "C", FieldType::U16).hex().mask(0x0fff);
        assert_eq!(show(&F16, &Value::UInt(0x71ac)), "0x71ac");
        assert_eq!(show(&F8, &Value::UInt(0)), "0x00");
        assert_eq!(show(&M, &Value::UInt(0x18)), "0x0018");
    }

    #[test]
    fn flag_label_draws_bits() {
        static SYN: FieldDef = FieldDef::flag("tcp.flags.syn", "Syn", 12, 0x002);
        assert_eq!(label(&SYN, &Value::Bool(true)), ".... .... ..1. = Syn: Set");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_text("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(bytes_to_text(b"ok\n"), "ok\\n");
    }
}
