//! Text outputs: the one-line summary (tshark's default), the detail tree (`-V`) and the hex
//! dump of every data source (`-x`).

use dissectors::engine::tree::{NodeId, Tree};
use dissectors::engine::value::{escape_text, push_time_of_day, push_zero_padded, write_label};
use dissectors::engine::Packet;
use std::fmt::Write;

/// How the Time column is shown (`-t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFormat {
    Relative,
    Absolute,
    AbsoluteDate,
    Delta,
    DeltaDisplayed,
    Epoch,
    Utc,
    UtcDate,
}

impl TimeFormat {
    pub fn parse(s: &str) -> Result<TimeFormat, String> {
        Ok(match s {
            "r" => TimeFormat::Relative,
            "a" => TimeFormat::Absolute,
            "ad" => TimeFormat::AbsoluteDate,
            "d" => TimeFormat::Delta,
            "dd" => TimeFormat::DeltaDisplayed,
            "e" => TimeFormat::Epoch,
            "u" => TimeFormat::Utc,
            "ud" => TimeFormat::UtcDate,
            _ => {
                return Err(format!(
                    "-t {s}: unknown time format; use r, a, ad, d, dd, e, u or ud"
                ))
            }
        })
    }
}

/// Formats the Time column.
pub fn time_column(p: &Packet, fmt: TimeFormat, delta_ns: i64, delta_displayed_ns: i64) -> String {
    let mut s = String::new();
    write_time_column(&mut s, p, fmt, delta_ns, delta_displayed_ns);
    s
}

/// Appends the Time column.
pub fn write_time_column(
    out: &mut String,
    p: &Packet,
    fmt: TimeFormat,
    delta_ns: i64,
    delta_displayed_ns: i64,
) {
    let mut secs = |ns: i64| {
        if ns < 0 {
            out.push('-');
        }
        let a = ns.unsigned_abs();
        out.push_str(itoa::Buffer::new().format(a / 1_000_000_000));
        out.push('.');
        push_zero_padded(out, (a % 1_000_000_000) / 1000, 6);
    };
    let ts = p.meta.ts_ns;
    match fmt {
        TimeFormat::Relative => secs(p.rel_ns),
        TimeFormat::Delta => secs(delta_ns),
        TimeFormat::DeltaDisplayed => secs(delta_displayed_ns),
        TimeFormat::Epoch => secs(ts),
        TimeFormat::Absolute | TimeFormat::Utc => write_clock(out, ts, false),
        TimeFormat::AbsoluteDate | TimeFormat::UtcDate => {
            let days = ts.div_euclid(1_000_000_000).div_euclid(86_400);
            let (y, m, d) = dissectors::engine::value::civil_from_days(days);
            let _ = write!(out, "{y}-{m:02}-{d:02} ");
            write_clock(out, ts, false);
        }
    }
}

/// tshark's default summary line: `    1   0.000000    127.0.0.1 → 127.0.0.1    UDP 45 54833 → 5683 Len=13`.
pub fn summary_line(p: &Packet, time: &str) -> String {
    let mut line = String::new();
    write_summary_line(&mut line, p, time);
    line
}

/// Appends the summary line (without its newline), formatting straight into `out`.
pub fn write_summary_line(out: &mut String, p: &Packet, time: &str) {
    let c = &p.columns;
    let mut digits = itoa::Buffer::new();
    write_padded(out, 5, true, digits.format(p.meta.number));
    out.push(' ');
    write_padded(out, 12, true, time);
    out.push(' ');
    if c.src.is_none() && c.dst.is_none() {
        out.push_str("                            ");
    } else {
        write_padded(out, 12, true, c.src.text().as_str());
        out.push_str(" → ");
        write_padded(out, 12, false, c.dst.text().as_str());
        out.push(' ');
    }
    out.push_str(&c.protocol);
    out.push(' ');
    out.push_str(digits.format(p.meta.orig_len));
    out.push(' ');
    out.push_str(&escape_text(&c.info));
}

/// Appends the UTC time of day of `ns` (since the Unix epoch) as `HH:MM:SS.` and
/// the fraction of the second in microseconds (6 digits) or, with `nanos`, 9 digits.
pub(crate) fn write_clock(out: &mut String, ns: i64, nanos: bool) {
    let sod = ns.div_euclid(1_000_000_000).rem_euclid(86_400);
    push_time_of_day(out, sod as u64);
    out.push('.');
    let frac = ns.rem_euclid(1_000_000_000).unsigned_abs();
    if nanos {
        push_zero_padded(out, frac, 9);
    } else {
        push_zero_padded(out, frac / 1000, 6);
    }
}

/// Appends `value` padded with spaces to `width` characters, on the left when `right`
/// aligned, as `{:>12}`/`{:<12}` would.
fn write_padded(out: &mut String, width: usize, right: bool, value: &str) {
    // Characters are the bytes that do not continue a UTF-8 sequence.
    let chars = value.bytes().filter(|b| b & 0xc0 != 0x80).count();
    const SPACES: &str = "                ";
    let pad = &SPACES[..width.saturating_sub(chars).min(SPACES.len())];
    if right {
        out.push_str(pad);
        out.push_str(value);
    } else {
        out.push_str(value);
        out.push_str(pad);
    }
}

/// The label of a tree node as the detail pane shows it.
pub fn node_label(tree: &Tree, id: NodeId) -> String {
    let n = tree.node(id);
    let mut s = String::new();
    match (tree.text(id), n.field) {
        (Some(t), _) => s.push_str(&escape_text(t)),
        (None, Some(f)) => write_label(&mut s, f, &n.value),
        (None, None) => {}
    }
    if n.flags.generated {
        format!("[{s}]")
    } else {
        s
    }
}

/// The packet's protocol tree as indented text (`-V`), hidden nodes left out.
pub fn write_detail(out: &mut String, p: &Packet) {
    fn walk(out: &mut String, tree: &Tree, id: NodeId, depth: usize) {
        for (child, n) in tree.children(id) {
            if n.flags.hidden {
                continue;
            }
            // Expert items are shown under their node, as Wireshark does.
            for _ in 0..depth {
                out.push_str("    ");
            }
            out.push_str(&node_label(tree, child));
            out.push('\n');
            walk(out, tree, child, depth + 1);
        }
    }
    walk(out, &p.tree, NodeId::ROOT, 0);
}

/// Hex dump lines of one buffer: `0000  45 00 … 00   E.......`.
pub fn write_hex(out: &mut String, data: &[u8]) {
    for (i, chunk) in data.chunks(16).enumerate() {
        let _ = write!(out, "{:04x}  ", i * 16);
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  ");
        for b in chunk {
            out.push(if b.is_ascii_graphic() || *b == b' ' {
                *b as char
            } else {
                '.'
            });
        }
        out.push('\n');
    }
}

/// `-x`: every data source, each headed by its name when there is more than one.
pub fn write_sources(out: &mut String, p: &Packet) {
    let many = p.sources.len() > 1;
    for s in &p.sources {
        if many {
            let _ = writeln!(out, "{}:", s.name());
        }
        write_hex(out, &s.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_matches_tshark_layout() {
        let mut s = String::new();
        write_hex(&mut s, b"\x00\x01E.abcdefghijklmnop");
        assert_eq!(
            s,
            "0000  00 01 45 2e 61 62 63 64 65 66 67 68 69 6a 6b 6c   ..E.abcdefghijkl\n\
             0010  6d 6e 6f 70                                       mnop\n"
        );
    }
}
