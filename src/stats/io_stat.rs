//! `-z io,stat,INTERVAL[,COLUMN…]`: frames, bytes or a field's COUNT/SUM/MIN/MAX/AVG per time
//! interval, printed in the box layout of tshark 4.0 (`ui/cli/tap-iostat.c`), byte for byte.
//!
//! ```text
//! ===================================
//! | IO Statistics                   |      COLUMN is one of
//! |                                 |        (empty)             frames and bytes
//! | Duration: 82.296942 secs        |        FILTER              frames and bytes that match
//! | Interval:  2 secs               |        FRAMES|BYTES()F     one of the two
//! |                                 |        COUNT(f)F           occurrences of field f
//! | Col 1: Frames and bytes         |        SUM|MIN|MAX|AVG(f)F its values (integer, float,
//! |---------------------------------|                            relative time)
//! |          |1               |     |
//! | Interval | Frames | Bytes |     |      INTERVAL in seconds; 0 is the whole capture.
//! |---------------------------|     |
//! |  0 <>  2 |     15 |  1995 |     |
//! | 82 <> Dur|      1 |   350 |     |
//! ===================================
//! ```
//!
//! tshark's quirks are kept on purpose, since scripts parse this text: the widths come from
//! the largest value seen (a MIN column's width from its largest intermediate value), the
//! duration's microseconds are space-padded (`%6u`), a header label wider than its column is
//! left out, and a field only has values when some filter names it (tshark builds only the
//! fields its filters prime; `COUNT(tcp.len)tcp` counts 0 unless `tcp.len` is in a filter).
//! Frames whose time goes backwards count in the column's latest interval, as in tshark.

use super::Tap;
use dissectors::engine::field::{FieldDef, FieldType};
use dissectors::engine::registry::Registry;
use dissectors::engine::tree::Build;
use dissectors::engine::value::Value;
use dissectors::engine::Packet;
use dissectors::filter::Filter;
use std::fmt::Write;

/// Microseconds.
const SEC: u64 = 1_000_000;
const NS_PER_SEC: u64 = 1_000_000_000;
/// Rows printed at most: a capture with a stray timestamp years away would otherwise print
/// (and hold) billions of empty rows.
pub const MAX_ROWS: u64 = 10_000_000;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Calc {
    Frames,
    Bytes,
    FramesAndBytes,
    Count,
    Sum,
    Min,
    Max,
    Avg,
}

/// The function names in tshark's matching order (a prefix match, so `FRAMES` before
/// `FRAMES BYTES`).
const CALCS: [(&str, Calc); 8] = [
    ("FRAMES", Calc::Frames),
    ("BYTES", Calc::Bytes),
    ("FRAMES BYTES", Calc::FramesAndBytes),
    ("COUNT", Calc::Count),
    ("SUM", Calc::Sum),
    ("MIN", Calc::Min),
    ("MAX", Calc::Max),
    ("AVG", Calc::Avg),
];

impl Calc {
    fn name(self) -> &'static str {
        CALCS.iter().find(|c| c.1 == self).map_or("", |c| c.0)
    }
}

/// How a field's values add up: tshark keeps integers (and relative times, in ns) in a u64,
/// floats in an f32 and doubles in an f64.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Kind {
    Unsigned,
    Signed32,
    Signed64,
    Float,
    Double,
    RelTime,
    /// Only COUNT applies.
    Other,
}

fn kind_of(t: FieldType) -> Kind {
    match t {
        FieldType::U8 | FieldType::U16 | FieldType::U24 | FieldType::U32 | FieldType::U64 => {
            Kind::Unsigned
        }
        FieldType::I8 | FieldType::I16 | FieldType::I32 => Kind::Signed32,
        FieldType::I64 => Kind::Signed64,
        FieldType::Float => Kind::Float,
        FieldType::Double => Kind::Double,
        FieldType::RelTime => Kind::RelTime,
        _ => Kind::Other,
    }
}

/// One interval of one column (tshark's `io_stat_item_t`).
#[derive(Clone, Debug, Default)]
struct Cell {
    index: u64,
    frames: u32,
    /// Values seen (AVG's divisor).
    num: u32,
    counter: u64,
    float: f32,
    double: f64,
}

struct Column {
    /// The column's text as given (`None`: an empty column, "Frames and bytes").
    text: Option<String>,
    calc: Calc,
    field: Option<&'static FieldDef>,
    kind: Kind,
    filter: Option<Filter>,
    /// The intervals that saw frames, in order (the others are all zero).
    cells: Vec<Cell>,
    max_val: u64,
    max_frames: u32,
}

pub struct IoStat {
    /// µs; `u64::MAX` for the whole capture (interval 0).
    interval: u64,
    /// Decimals of the interval as given.
    prec: u32,
    cols: Vec<Column>,
    last_rel: u64,
    /// The latest frame time since the first frame (ns).
    elapsed_ns: i64,
}

const USAGE: &str = "invalid \"-z io,stat,<interval>[,<filter>][,<filter>]...\" argument";

impl IoStat {
    /// Parses `io,stat,INTERVAL[,COLUMN…]`, compiling each column's filter.
    pub fn parse(spec: &str, registry: &Registry) -> Result<IoStat, String> {
        let rest = spec.strip_prefix("io,stat,").ok_or(USAGE)?;
        if spec.ends_with(',') {
            return Err(USAGE.into());
        }
        let (ival_text, columns) = match rest.find(',') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let seconds: f64 = ival_text.trim().parse().map_err(|_| USAGE.to_string())?;
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(USAGE.into());
        }
        let (interval, prec) = interval_of(seconds, ival_text);
        if interval < 1 {
            return Err(
                "\"-z\" interval must be >=0.000001 seconds or \"0\" for the entire capture duration."
                    .into(),
            );
        }
        let mut cols = vec![];
        match columns {
            None => cols.push(Column::new(None, registry)?),
            Some(list) => {
                let parts: Vec<&str> = list.split(',').collect();
                let last = parts.len() - 1;
                for (i, part) in parts.iter().enumerate() {
                    // tshark drops an empty column, and a blank last one, to "Frames and
                    // bytes"; a blank one in the middle keeps its (empty) text.
                    let text = match part.trim() {
                        _ if part.is_empty() => None,
                        "" if i == last => None,
                        t => Some(t.to_string()),
                    };
                    cols.push(Column::new(text, registry)?);
                }
            }
        }
        Ok(IoStat {
            interval,
            prec,
            cols,
            last_rel: 0,
            elapsed_ns: 0,
        })
    }
}

/// The interval in µs (`u64::MAX` for 0) and the decimals it was given with.
fn interval_of(seconds: f64, text: &str) -> (u64, u32) {
    if seconds == 0.0 {
        return (u64::MAX, 0);
    }
    let us = (seconds * 1_000_000.0 + 0.5) as u64;
    let mut prec = 6;
    let mut i = 10;
    while i < 10_000_000 && us.is_multiple_of(i) {
        prec -= 1;
        i *= 10;
    }
    // A whole number of seconds written with decimals ("1.00") keeps them.
    if prec == 0 {
        if let Some(dot) = text.find('.') {
            let decimals = text.len() - dot - 1;
            if decimals > 0 {
                prec = decimals.min(6) as u32;
            }
        }
    }
    (us, prec)
}

impl Column {
    fn new(text: Option<String>, registry: &Registry) -> Result<Column, String> {
        let (calc, field, filter_text) = match &text {
            None => (Calc::FramesAndBytes, None, ""),
            Some(t) => parse_function(t, registry)?,
        };
        let kind = field.map_or(Kind::Other, |f| kind_of(f.ftype));
        if let Some(f) = field {
            check_kind(calc, kind, f)?;
        }
        let filter = if filter_text.trim().is_empty() {
            None
        } else {
            let f = Filter::compile(filter_text, registry).map_err(|e| {
                format!(
                    "Couldn't register io,stat tap: {}",
                    e.render(filter_text).trim_end()
                )
            })?;
            Some(f)
        };
        Ok(Column {
            text,
            calc,
            field,
            kind,
            filter,
            cells: vec![],
            max_val: 0,
            max_frames: 0,
        })
    }
}

/// Splits `FUNC(field)filter` as tshark does: a column not starting with a function name is a
/// filter counting frames and bytes.
fn parse_function<'a>(
    text: &'a str,
    registry: &Registry,
) -> Result<(Calc, Option<&'static FieldDef>, &'a str), String> {
    let mut calc = Calc::FramesAndBytes;
    let mut filter = text;
    for (name, c) in CALCS {
        let Some(after) = text.strip_prefix(name) else {
            // tshark: a bare FRAMES or BYTES (no parentheses) counts every frame.
            if matches!(calc, Calc::Frames | Calc::Bytes) {
                filter = "";
            }
            continue;
        };
        calc = c;
        let Some(inner) = after.strip_prefix('(') else {
            continue;
        };
        let close = inner
            .find(')')
            .ok_or("Closing parenthesis missing from calculated expression.")?;
        let (field_name, rest) = (&inner[..close], &inner[close + 1..]);
        if matches!(c, Calc::Frames | Calc::Bytes) {
            if !field_name.is_empty() {
                return Err(format!(
                    "{name} does not require or allow a field name within the parens."
                ));
            }
            return Ok((c, None, rest));
        }
        if field_name.is_empty() {
            return Err(format!("You didn't specify a field name for {name}(*)."));
        }
        let field = registry
            .field(field_name)
            .ok_or_else(|| format!("There is no field named '{field_name}'."))?;
        return Ok((c, Some(field), rest));
    }
    Ok((calc, None, filter))
}

/// The calculations a field's type allows (tshark's `register_io_tap` checks).
fn check_kind(calc: Calc, kind: Kind, field: &FieldDef) -> Result<(), String> {
    let ok = match kind {
        Kind::Unsigned | Kind::Signed32 | Kind::Signed64 => true,
        Kind::Float | Kind::Double | Kind::RelTime => true,
        Kind::Other => calc == Calc::Count,
    };
    if ok {
        return Ok(());
    }
    Err(format!(
        "{} doesn't have integral values, so {}(*) calculations are not supported on it.",
        field.abbrev,
        calc.name()
    ))
}

impl Tap for IoStat {
    /// The fields the column filters name, and nothing more: tshark only fills a field its
    /// filters prime, so COUNT/SUM… of a field no filter names see nothing there either.
    fn build(&self) -> Build {
        self.cols
            .iter()
            .filter_map(|c| c.filter.as_ref())
            .fold(Build::Layers, |b, f| b.merge(f.build()))
    }

    fn packet(&mut self, p: &Packet) {
        let rel = if p.rel_ns >= 0 {
            let (s, ns) = (p.rel_ns as u64 / NS_PER_SEC, p.rel_ns as u64 % NS_PER_SEC);
            let t = s * SEC + (ns + 500) / 1000;
            self.last_rel = t;
            t
        } else {
            self.last_rel
        };
        self.elapsed_ns = self.elapsed_ns.max(p.rel_ns);
        let index = rel / self.interval;
        for col in &mut self.cols {
            if col.filter.as_ref().is_none_or(|f| f.matches(p)) {
                col.add(index, p);
            }
        }
    }

    fn render(&self, out: &mut String) {
        self.draw(out);
    }
}

impl Column {
    /// Counts a frame in interval `index` (or in the latest one, when time went backwards).
    fn add(&mut self, index: u64, p: &Packet) {
        match self.cells.last() {
            Some(c) if c.index >= index => {}
            _ => self.cells.push(Cell {
                index,
                ..Cell::default()
            }),
        }
        let (calc, kind, field) = (self.calc, self.kind, self.field);
        let Some(cell) = self.cells.last_mut() else {
            return;
        };
        cell.frames = cell.frames.wrapping_add(1);
        match calc {
            Calc::Frames | Calc::Bytes | Calc::FramesAndBytes => {
                cell.counter = cell.counter.wrapping_add(u64::from(p.meta.orig_len));
            }
            Calc::Count => {
                let n = field.map_or(0, |f| p.tree.values(f).count());
                cell.counter = cell.counter.wrapping_add(n as u64);
            }
            _ => {
                if let Some(f) = field {
                    for (i, v) in p.tree.values(f).enumerate() {
                        cell.value(calc, kind, i == 0, v);
                    }
                }
            }
        }
        let max = cell.width_value(calc, kind);
        self.max_frames = self.max_frames.max(cell.frames);
        self.max_val = self.max_val.max(max);
    }
}

/// A value as tshark reads it: integers widened to 64 bits (signed ones sign-extended),
/// relative times in ns.
fn int_of(v: &Value) -> u64 {
    match *v {
        Value::UInt(u) => u,
        Value::Int(i) => i as u64,
        Value::Bool(b) => b as u64,
        Value::RelTime(ns) => ns as u64,
        Value::Double(d) => d as u64,
        _ => 0,
    }
}

fn float_of(v: &Value) -> f64 {
    match *v {
        Value::Double(d) => d,
        Value::UInt(u) => u as f64,
        Value::Int(i) => i as f64,
        _ => 0.0,
    }
}

impl Cell {
    /// Folds one value of the field in (`first`: the frame's first value).
    fn value(&mut self, calc: Calc, kind: Kind, first: bool, v: &Value) {
        // MIN starts from the first value of the interval's first frame only, as in tshark.
        let reset = first && self.frames == 1;
        match kind {
            Kind::Float => {
                let x = float_of(v) as f32;
                self.float = match calc {
                    Calc::Min if reset || x < self.float => x,
                    Calc::Max if x > self.float => x,
                    Calc::Sum | Calc::Avg => self.float + x,
                    _ => self.float,
                };
            }
            Kind::Double => {
                let x = float_of(v);
                self.double = match calc {
                    Calc::Min if reset || x < self.double => x,
                    Calc::Max if x > self.double => x,
                    Calc::Sum | Calc::Avg => self.double + x,
                    _ => self.double,
                };
            }
            _ => {
                let x = int_of(v);
                let less = match kind {
                    Kind::Signed32 => (x as i32) < (self.counter as i32),
                    Kind::Signed64 => (x as i64) < (self.counter as i64),
                    _ => x < self.counter,
                };
                let greater = match kind {
                    Kind::Signed32 => (x as i32) > (self.counter as i32),
                    Kind::Signed64 => (x as i64) > (self.counter as i64),
                    _ => x > self.counter,
                };
                self.counter = match calc {
                    Calc::Min if reset || less => x,
                    Calc::Max if greater => x,
                    Calc::Sum | Calc::Avg => self.counter.wrapping_add(x),
                    _ => self.counter,
                };
            }
        }
        if calc == Calc::Avg {
            self.num = self.num.wrapping_add(1);
        }
    }

    /// What tshark keeps as the column's largest value (for its width) after this frame.
    fn width_value(&self, calc: Calc, kind: Kind) -> u64 {
        match (calc, kind) {
            (Calc::Frames, _) => 0,
            (Calc::Bytes | Calc::FramesAndBytes | Calc::Count, _) => self.counter,
            (Calc::Avg, _) if self.num == 0 => 0,
            (Calc::Avg, Kind::Float) => (self.float as u64) / u64::from(self.num),
            (Calc::Avg, Kind::Double) => (self.double as u64) / u64::from(self.num),
            (Calc::Avg, Kind::RelTime) => {
                (self.counter / u64::from(self.num) + NS_PER_SEC / 2) / NS_PER_SEC
            }
            (Calc::Avg, _) => self.counter / u64::from(self.num),
            (_, Kind::Float) => (self.float + 0.5) as u64,
            (_, Kind::Double) => (self.double + 0.5) as u64,
            _ => self.counter,
        }
    }
}

/// Digits of `v`, at most `max` (tshark's `magnitude`).
fn magnitude(mut v: u64, max: usize) -> usize {
    let mut mag = 0;
    for _ in 0..max {
        mag += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    mag
}

fn spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn repeat(out: &mut String, c: char, n: usize) {
    out.extend(std::iter::repeat_n(c, n));
}

/// A column label centred as tshark's `printcenter` does (nothing when the column is much
/// wider than the label: tshark's quirk).
fn print_center(out: &mut String, label: &str, width: usize) {
    let diff = width as i64 - label.len() as i64;
    // C's division truncates toward zero.
    let len = 6 - (diff / 2 + 1);
    if len > 0 && len < 6 {
        let pad = (6 - len) as usize;
        let left = if diff % 2 == 0 { pad } else { pad + 1 };
        spaces(out, left);
        out.push_str(label);
        spaces(out, pad);
        out.push('|');
    } else if len > 0 && len <= 15 {
        out.push_str(label);
        out.push('|');
    }
}

/// The widths of one column: frames (FRAMES columns) and value, without padding.
#[derive(Clone, Copy, Default)]
struct Width {
    frames: usize,
    value: usize,
}

/// Everything the drawing needs that depends on the whole capture.
struct Layout {
    /// µs, rounded to the precision shown.
    duration: u64,
    /// The duration as measured, before rounding (µs).
    duration_raw: u64,
    interval: u64,
    prec: u32,
    /// 10^(6-prec): µs per shown decimal.
    dv: u64,
    /// Digits of the duration's seconds before and after rounding.
    mag_raw: usize,
    mag: usize,
    invl_col_w: usize,
    tabrow_w: usize,
    border: usize,
    widths: Vec<Width>,
}

impl IoStat {
    fn layout(&self) -> Layout {
        let e = self.elapsed_ns.max(0) as u64;
        let duration_raw = (e / NS_PER_SEC) * SEC + (e % NS_PER_SEC + 500) / 1000;
        let whole = self.interval == u64::MAX || self.interval > duration_raw;
        let mut interval = if whole { duration_raw } else { self.interval };
        let mag_raw = magnitude(duration_raw / SEC, 5);
        let invl_mag = magnitude(interval / SEC, 5);
        let (prec, mut border) = if interval == duration_raw {
            let prec = match mag_raw {
                0 => 6,
                1 => 3,
                _ => 1,
            };
            (prec, 30 + mag_raw + prec as usize + 1)
        } else {
            let p = self.prec as usize;
            (self.prec, 24 + invl_mag + if p == 0 { 0 } else { p + 1 })
        };
        let dv = 10u64.pow(6 - prec);
        let mut duration = duration_raw;
        let mut mag = mag_raw;
        if duration % dv > 5 * (dv / 10) {
            duration = (duration + 5 * (dv / 10)) / dv * dv;
            mag = magnitude(duration / SEC, 5);
        }
        if whole {
            interval = duration;
        }
        let invl_col_w = if prec == 0 {
            2 * mag + 8
        } else {
            2 * mag + 2 * prec as usize + 10
        }
        .max(12);
        border = border.max(invl_col_w);
        let widths: Vec<Width> = self.cols.iter().map(Column::width).collect();
        let tabrow_w = invl_col_w
            + self
                .cols
                .iter()
                .zip(&widths)
                .map(|(c, w)| match c.calc {
                    Calc::FramesAndBytes => w.frames + w.value + 6,
                    Calc::Frames => w.frames + 3,
                    _ => w.value + 3,
                })
                .sum::<usize>();
        border = border.max(tabrow_w);
        let filters_w = self
            .cols
            .iter()
            .map(|c| c.text.as_ref().map_or(26, |t| t.len() + 11))
            .max()
            .unwrap_or(0);
        if filters_w > border && border < 102 {
            border = filters_w.min(102);
        }
        // tshark avoids a double right border.
        if border == tabrow_w + 1 {
            border += 1;
        }
        Layout {
            duration,
            duration_raw,
            interval,
            prec,
            dv,
            mag_raw,
            mag,
            invl_col_w,
            tabrow_w,
            border,
            widths,
        }
    }
}

impl Column {
    fn width(&self) -> Width {
        let name_len = if self.calc == Calc::FramesAndBytes {
            5
        } else {
            self.calc.name().len()
        };
        let frames = magnitude(u64::from(self.max_frames), 15).max(6);
        let value = match (self.calc, self.kind) {
            (Calc::Frames, _) => 0,
            (Calc::FramesAndBytes | Calc::Bytes | Calc::Count, _) => {
                magnitude(self.max_val, 15).max(5)
            }
            (_, Kind::Float | Kind::Double) => magnitude(self.max_val, 15) + 7,
            (Calc::Avg, Kind::RelTime) => magnitude(self.max_val, 15) + 7,
            (_, Kind::RelTime) => magnitude((self.max_val + NS_PER_SEC / 2) / NS_PER_SEC, 15) + 7,
            _ => magnitude(self.max_val, 15).max(name_len),
        };
        Width { frames, value }
    }
}

impl IoStat {
    fn draw(&self, out: &mut String) {
        let l = self.layout();
        self.draw_header(out, &l);
        self.draw_column_heads(out, &l);
        self.draw_rows(out, &l);
        repeat(out, '=', l.border);
        out.push('\n');
    }

    fn draw_header(&self, out: &mut String, l: &Layout) {
        let b = l.border;
        out.push('\n');
        repeat(out, '=', b);
        out.push_str("\n| IO Statistics");
        spaces(out, b.saturating_sub(16));
        out.push_str("|\n|");
        spaces(out, b.saturating_sub(2));
        out.push_str("|\n");
        let w = l.mag_raw;
        if l.prec == 0 {
            let (s, us) = (l.duration_raw / SEC, l.duration_raw % SEC);
            let _ = write!(out, "| Duration: {s:>w$}.{us:>6} secs");
            spaces(out, b.saturating_sub(25 + l.mag));
            let _ = write!(out, "|\n| Interval: {:>w$} secs", l.interval / SEC);
            spaces(out, b.saturating_sub(18 + l.mag));
            out.push_str("|\n");
        } else {
            let p = l.prec as usize;
            for (label, v) in [("Duration", l.duration), ("Interval", l.interval)] {
                let (s, frac) = (v / SEC, v % SEC / l.dv);
                let _ = write!(out, "| {label}: {s:>w$}.{frac:0p$} secs");
                spaces(out, b.saturating_sub(19 + l.mag + p));
                out.push_str("|\n");
            }
        }
        out.push('|');
        spaces(out, b.saturating_sub(2));
        out.push_str("|\n| Col");
        for (j, c) in self.cols.iter().enumerate() {
            let _ = if j == 0 {
                write!(out, "{:2}: ", j + 1)
            } else {
                write!(out, "|    {:2}: ", j + 1)
            };
            match &c.text {
                None => {
                    out.push_str("Frames and bytes");
                    spaces(out, b.saturating_sub(26));
                    out.push_str("|\n");
                }
                Some(t) => draw_filter(out, t, b),
            }
        }
        out.push_str("|-");
        repeat(out, '-', b.saturating_sub(3));
        out.push_str("|\n");
    }

    fn draw_column_heads(&self, out: &mut String, l: &Layout) {
        let filler = l.border.saturating_sub(l.tabrow_w + 1);
        let has_filler = l.tabrow_w < l.border;
        out.push('|');
        spaces(out, l.invl_col_w - 2);
        out.push('|');
        for (j, (c, w)) in self.cols.iter().zip(&l.widths).enumerate() {
            let _ = write!(out, "{:<2}", j + 1);
            spaces(
                out,
                match c.calc {
                    Calc::FramesAndBytes => w.frames + w.value + 3,
                    Calc::Frames => w.frames,
                    _ => w.value,
                },
            );
            out.push('|');
        }
        let fill = |out: &mut String| {
            if has_filler {
                spaces(out, filler);
                out.push('|');
            }
        };
        fill(out);
        out.push_str("\n| Interval");
        spaces(out, l.invl_col_w - 11);
        out.push('|');
        for (c, w) in self.cols.iter().zip(&l.widths) {
            match c.calc {
                Calc::Frames => print_center(out, "FRAMES", w.frames),
                Calc::FramesAndBytes => {
                    print_center(out, "Frames", w.frames);
                    print_center(out, "Bytes", w.value);
                }
                calc => print_center(out, calc.name(), w.value),
            }
        }
        fill(out);
        out.push_str("\n|-");
        repeat(out, '-', l.tabrow_w - 3);
        out.push('|');
        fill(out);
        out.push('\n');
    }

    fn draw_rows(&self, out: &mut String, l: &Layout) {
        let rows = match l.interval {
            0 => 0,
            i => (l.duration / i + u64::from(!l.duration.is_multiple_of(i))).min(MAX_ROWS),
        };
        let mut next = vec![0usize; self.cols.len()];
        let w = l.mag_raw;
        let p = l.prec as usize;
        for row in 0..rows {
            let t = row * l.interval;
            let last = row + 1 == rows;
            let end = if last { l.duration } else { t + l.interval };
            if p == 0 {
                let lead = if l.mag == 1 { "|  " } else { "| " };
                if last {
                    let dw = if l.mag >= 3 { l.mag + 1 } else { 3 };
                    let _ = write!(out, "{lead}{:>w$} <> {:<dw$}|", t / SEC, "Dur");
                } else {
                    let tail = if l.mag == 1 { "  |" } else { " |" };
                    let _ = write!(out, "{lead}{:>w$} <> {:>w$}{tail}", t / SEC, end / SEC);
                }
            } else {
                let _ = write!(
                    out,
                    "| {:>w$}.{:0p$} <> {:>w$}.{:0p$} |",
                    t / SEC,
                    t % SEC / l.dv,
                    end / SEC,
                    end % SEC / l.dv
                );
            }
            for ((c, width), at) in self.cols.iter().zip(&l.widths).zip(next.iter_mut()) {
                let cell = match c.cells.get(*at) {
                    Some(cell) if cell.index == row => {
                        *at += 1;
                        Some(cell)
                    }
                    _ => None,
                };
                c.draw_cell(out, cell.unwrap_or(&Cell::default()), *width);
            }
            if l.tabrow_w < l.border {
                spaces(out, l.border - l.tabrow_w - 1);
                out.push('|');
            }
            out.push('\n');
        }
    }
}

/// A column's filter in the header, wrapped at the border as tshark wraps it.
fn draw_filter(out: &mut String, text: &str, border: usize) {
    let mut f = text;
    if f.len() + 11 <= border {
        out.push_str(f);
        spaces(out, border - f.len() - 10);
        out.push_str("|\n");
        return;
    }
    let max_w = border.saturating_sub(11).max(1);
    loop {
        if f.len() > max_w {
            let head = floor_boundary(f, max_w);
            let (len, next) = match f[..head].rfind(' ') {
                Some(pos) => (pos, pos + 1),
                None => (head, head),
            };
            out.push_str(&f[..len]);
            spaces(out, border.saturating_sub(len + 10));
            out.push_str("|\n|        ");
            f = &f[next..];
        } else {
            out.push_str(f);
            spaces(out, border.saturating_sub(f.len() + 10));
            out.push_str("|\n");
            return;
        }
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i.max(1)
}

impl Column {
    fn draw_cell(&self, out: &mut String, cell: &Cell, w: Width) {
        let v = w.value;
        let _ = match (self.calc, self.kind) {
            (Calc::Frames, _) => write!(out, " {:>1$} |", cell.frames, w.frames),
            (Calc::FramesAndBytes, _) => {
                write!(
                    out,
                    " {:>2$} | {:>3$} |",
                    cell.frames, cell.counter, w.frames, v
                )
            }
            (Calc::Bytes | Calc::Count, _) => write!(out, " {:>v$} |", cell.counter),
            (calc, Kind::Float) => {
                let x = if calc == Calc::Avg {
                    cell.float / cell.num.max(1) as f32
                } else {
                    cell.float
                };
                write!(out, " {:>1$.6} |", f64::from(x), v - 7)
            }
            (calc, Kind::Double) => {
                let x = if calc == Calc::Avg {
                    cell.double / f64::from(cell.num.max(1))
                } else {
                    cell.double
                };
                write!(out, " {:>1$.6} |", x, v - 7)
            }
            (calc, Kind::RelTime) => {
                let ns = if calc == Calc::Avg {
                    cell.counter / u64::from(cell.num.max(1))
                } else {
                    cell.counter
                };
                let us = (ns + 500) / 1000;
                write!(out, " {:>1$}.{2:06} |", us / SEC, v - 7, us % SEC)
            }
            (calc, kind) => {
                let x = if calc == Calc::Avg {
                    cell.counter / u64::from(cell.num.max(1))
                } else {
                    cell.counter
                };
                match kind {
                    Kind::Signed32 | Kind::Signed64 => write!(out, " {:>v$} |", x as i64),
                    _ => write!(out, " {x:>v$} |"),
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnitude_counts_digits_up_to_a_cap() {
        assert_eq!(magnitude(0, 5), 1);
        assert_eq!(magnitude(9, 5), 1);
        assert_eq!(magnitude(10, 5), 2);
        assert_eq!(magnitude(121_949_576, 5), 5);
    }

    #[test]
    fn interval_precision_follows_the_text() {
        assert_eq!(interval_of(1.0, "1"), (1_000_000, 0));
        assert_eq!(interval_of(0.5, "0.5"), (500_000, 1));
        assert_eq!(interval_of(1.0, "1.00"), (1_000_000, 2));
        assert_eq!(interval_of(0.0001, "0.0001"), (100, 4));
        assert_eq!(interval_of(0.0, "0"), (u64::MAX, 0));
    }

    #[test]
    fn labels_centre_like_tshark() {
        let mut s = String::new();
        print_center(&mut s, "Bytes", 6);
        print_center(&mut s, "Frames", 6);
        print_center(&mut s, "MIN", 8);
        assert_eq!(s, "  Bytes | Frames |    MIN   |");
    }
}
