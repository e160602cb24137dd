//! tshark's XML outputs: `-T pdml` (the packet details, one `<packet>` of `<proto>` and
//! `<field>` elements per packet) and `-T psml` (the packet list, one `<packet>` of column
//! `<section>`s per packet), in the forms tshark 4.0 writes, so that PDML/PSML readers
//! (pyshark, termshark) read lowshark's as they read tshark's. Both stream packet by packet.
//!
//! ```text
//! <pdml version="0" creator=… time=… capture_file=…>
//! <packet>
//!   <proto name="geninfo" pos="0" showname="General information" size="86">   (synthesized)
//!     <field name="num" pos="0" show="1" showname="Number" value="1" size="86"/>
//!   </proto>
//!   <proto name="udp" showname="User Datagram Protocol, …" size="8" pos="54">
//!     <field name="udp.srcport" showname="Source Port: 61043" size="2" pos="54"
//!            show="61043" value="ee73"/>                          (value: the field's bytes)
//!     <field name="" show="Timestamps" size="0" pos="54">         (a text-only item)
//!     <field name="ip.version" … hide="yes" … show="6" value="6" unmaskedvalue="60"/>
//!   </proto>                                                       (bitmask: value is %X)
//! </packet>
//! </pdml>
//! ```
//!
//! Like the JSON writer this builds no intermediate strings: attributes are escaped straight
//! into the output. Escaping follows tshark's: the five XML specials become entities, UTF-8
//! text is kept, and control characters become the text `\xNN`, so the document is valid XML
//! whatever the packet holds (XML 1.0 cannot carry most control characters even as `&#x1;`).

use crate::output::coloring::{open_packet, Colors};
use crate::output::node_bytes;
use dissectors::engine::field::FieldType;
use dissectors::engine::tree::{Node, NodeId};
use dissectors::engine::value::{self, write_label};
use dissectors::engine::Packet;
use std::fmt::Write;

/// Appends `s` escaped for an XML attribute or element text, as tshark escapes it.
pub fn write_xml_escaped(out: &mut String, s: &str) {
    let mut run = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            // Printable ASCII and UTF-8 sequences (bytes from 0x80) are kept as they are.
            b' '..=b'~' | 0x80.. => continue,
            _ => "",
        };
        out.push_str(&s[run..i]);
        if entity.is_empty() {
            let _ = write!(out, "\\x{b:x}");
        } else {
            out.push_str(entity);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
}

/// `<?xml …?>` and the opening `<pdml>` element.
pub fn write_pdml_header(out: &mut String, capture_file: &str, now_secs: i64) {
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <?xml-stylesheet type=\"text/xsl\" href=\"pdml2html.xsl\"?>\n\
         <!-- You can find pdml2html.xsl in /usr/share/wireshark or at \
         https://gitlab.com/wireshark/wireshark/-/raw/master/pdml2html.xsl. -->\n",
    );
    let _ = write!(
        out,
        "<pdml version=\"0\" creator=\"lowshark/{} (wireshark/{})\" time=\"",
        env!("CARGO_PKG_VERSION"),
        crate::TSHARK_COMPAT
    );
    write_ctime(out, now_secs);
    out.push_str("\" capture_file=\"");
    write_xml_escaped(out, capture_file);
    out.push_str("\">\n");
}

/// `Mon Dec  7 19:59:51 2026`, C's `ctime` form (UTC).
fn write_ctime(out: &mut String, secs: i64) {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = value::civil_from_days(days);
    let _ = write!(
        out,
        "{} {} {d:2} {:02}:{:02}:{:02} {y}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m as usize).clamp(1, 12) - 1],
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    );
}

pub const PDML_FOOTER: &str = "</pdml>\n";

/// One `<packet>` of `-T pdml`, with tshark's synthesized `geninfo` protocol first.
pub fn write_pdml_packet(out: &mut String, p: &Packet, colors: Option<Colors>) {
    open_packet(out, colors);
    write_geninfo(out, p);
    for (id, _) in p.tree.children(NodeId::ROOT) {
        write_node(out, p, id, 1);
    }
    out.push_str("</packet>\n\n");
}

/// `geninfo`: number, lengths and time, with tshark's attribute order (which differs from
/// the other elements').
fn write_geninfo(out: &mut String, p: &Packet) {
    let cap = p.frame_data().len();
    let size = cap;
    let _ = writeln!(
        out,
        "  <proto name=\"geninfo\" pos=\"0\" showname=\"General information\" size=\"{size}\">"
    );
    let num = p.meta.number;
    let orig = p.meta.orig_len;
    let _ = writeln!(
        out,
        "    <field name=\"num\" pos=\"0\" show=\"{num}\" showname=\"Number\" value=\"{num:x}\" size=\"{size}\"/>"
    );
    let _ = writeln!(
        out,
        "    <field name=\"len\" pos=\"0\" show=\"{orig}\" showname=\"Frame Length\" value=\"{orig:x}\" size=\"{size}\"/>"
    );
    let _ = writeln!(
        out,
        "    <field name=\"caplen\" pos=\"0\" show=\"{cap}\" showname=\"Captured Length\" value=\"{cap:x}\" size=\"{size}\"/>"
    );
    out.push_str("    <field name=\"timestamp\" pos=\"0\" show=\"");
    value::format_abs_time(out, p.meta.ts_ns);
    out.push_str("\" showname=\"Captured Time\" value=\"");
    let ts = p.meta.ts_ns;
    let _ = write!(
        out,
        "{}.{:09}",
        ts.div_euclid(1_000_000_000),
        ts.rem_euclid(1_000_000_000)
    );
    let _ = writeln!(out, "\" size=\"{size}\"/>");
    out.push_str("  </proto>\n");
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
}

/// `showname`: the node's label as the detail tree shows it (without the brackets of
/// generated items, as tshark writes it).
fn write_showname(out: &mut String, p: &Packet, id: NodeId, n: &Node) {
    out.push_str(" showname=\"");
    match (p.tree.text(id), n.field) {
        (Some(t), _) => write_xml_escaped(out, t),
        (None, Some(f)) => {
            // Labels are short; formatting into the output and escaping in place would need
            // a second buffer anyway, so a label goes through a small stack of text.
            let mut label = String::with_capacity(64);
            write_label(&mut label, f, &n.value);
            write_xml_escaped(out, &label);
        }
        (None, None) => {}
    }
    out.push('"');
}

fn write_size_pos(out: &mut String, n: &Node) {
    let mut d = itoa::Buffer::new();
    out.push_str(" size=\"");
    out.push_str(d.format(n.range.len));
    out.push_str("\" pos=\"");
    out.push_str(d.format(n.range.start));
    out.push('"');
}

/// One tree node and its children as a `<proto>` or `<field>` element.
fn write_node(out: &mut String, p: &Packet, id: NodeId, depth: usize) {
    let n = p.tree.node(id);
    let has_children = p.tree.has_children(id);
    indent(out, depth);
    let element = match n.field {
        None => {
            // A text-only item: a field without a name, its label as `show`.
            out.push_str("<field name=\"\" show=\"");
            write_xml_escaped(out, p.tree.text(id).unwrap_or(""));
            out.push('"');
            write_size_pos(out, n);
            if n.range.len > 0 {
                out.push_str(" value=\"");
                write_hex(out, node_bytes(p, n));
                out.push('"');
            }
            "field"
        }
        Some(f) => {
            let proto = f.ftype == FieldType::Protocol;
            out.push_str(if proto { "<proto" } else { "<field" });
            out.push_str(" name=\"");
            out.push_str(f.abbrev);
            out.push('"');
            write_showname(out, p, id, n);
            if n.flags.hidden {
                out.push_str(" hide=\"yes\"");
            }
            write_size_pos(out, n);
            write_field_values(out, p, n);
            if proto {
                "proto"
            } else {
                "field"
            }
        }
    };
    if !has_children {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    for (child, _) in p.tree.children(id) {
        write_node(out, p, child, depth + 1);
    }
    indent(out, depth);
    out.push_str("</");
    out.push_str(element);
    out.push_str(">\n");
}

/// `show`, `value` and `unmaskedvalue` of a field, by its type: none for protocols and the
/// expert container, empty ones for label-only fields, else the show form, the bytes in hex
/// and, for a bitmask field, its value in uppercase hex with the bytes as `unmaskedvalue`.
fn write_field_values(out: &mut String, p: &Packet, n: &Node) {
    let Some(f) = n.field else { return };
    if f.ftype == FieldType::Protocol || f.abbrev == "_ws.expert" {
        return;
    }
    if f.ftype == FieldType::None {
        out.push_str(" show=\"\" value=\"\"");
        return;
    }
    out.push_str(" show=\"");
    match &n.value {
        value::Value::Str(s) => write_xml_escaped(out, s),
        v => {
            // Show forms of non-text values are plain ASCII (numbers, addresses, times).
            value::write_show(out, f, v);
        }
    }
    out.push('"');
    if n.range.len == 0 {
        return;
    }
    let bytes = node_bytes(p, n);
    out.push_str(" value=\"");
    match n.value.as_u64() {
        Some(v) if f.bitmask != 0 => {
            let _ = write!(out, "{v:X}\" unmaskedvalue=\"");
            write_hex(out, bytes);
        }
        _ => write_hex(out, bytes),
    }
    out.push('"');
}

/// What a PSML column shows, by tshark's column format code (`-G column-formats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Number,
    Time,
    Source,
    Destination,
    Protocol,
    Length,
    Info,
    /// A format lowshark does not fill (custom field columns, VLAN ids…): an empty section.
    Unsupported,
}

/// The column format codes lowshark fills, with tshark's descriptions.
pub const COLUMN_FORMATS: &[(&str, &str, ColumnKind)] = &[
    ("%m", "Number", ColumnKind::Number),
    ("%t", "Relative time", ColumnKind::Time),
    ("%s", "Source address", ColumnKind::Source),
    ("%rs", "Src addr (resolved)", ColumnKind::Source),
    ("%us", "Src addr (unresolved)", ColumnKind::Source),
    ("%hs", "Hardware src addr", ColumnKind::Source),
    ("%ns", "Net src addr", ColumnKind::Source),
    ("%d", "Destination address", ColumnKind::Destination),
    ("%rd", "Dest addr (resolved)", ColumnKind::Destination),
    ("%ud", "Dest addr (unresolved)", ColumnKind::Destination),
    ("%hd", "Hardware dest addr", ColumnKind::Destination),
    ("%nd", "Net dest addr", ColumnKind::Destination),
    ("%p", "Protocol", ColumnKind::Protocol),
    ("%L", "Packet length (bytes)", ColumnKind::Length),
    ("%i", "Information", ColumnKind::Info),
];

/// The packet-list columns: titles and what each shows. The default is tshark's; the
/// `gui.column.format` preference (`"No.","%m","Time","%t",…`, as termshark passes it) sets
/// others.
#[derive(Clone, Debug)]
pub struct Columns(pub Vec<(String, ColumnKind)>);

impl Default for Columns {
    fn default() -> Columns {
        Columns::parse(
            r#""No.","%m","Time","%t","Source","%s","Destination","%d","Protocol","%p","Length","%L","Info","%i""#,
        )
        .expect("the default column list parses")
    }
}

impl Columns {
    /// Parses a `gui.column.format` value: quoted title and format pairs, comma-separated.
    pub fn parse(pref: &str) -> Result<Columns, String> {
        let items: Vec<&str> = pref
            .split(',')
            .map(|i| i.trim().trim_matches('"'))
            .collect();
        if !items.len().is_multiple_of(2) || items.is_empty() {
            return Err(format!(
                "gui.column.format: expected \"Title\",\"%format\" pairs, got {pref}"
            ));
        }
        let columns = items
            .chunks(2)
            .map(|pair| {
                let kind = COLUMN_FORMATS
                    .iter()
                    .find(|(code, _, _)| *code == pair[1])
                    .map_or(ColumnKind::Unsupported, |c| c.2);
                (pair[0].to_string(), kind)
            })
            .collect();
        Ok(Columns(columns))
    }
}

/// `<?xml …?>`, `<psml>` and the column titles.
pub fn write_psml_header(out: &mut String, columns: &Columns) {
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <psml version=\"0\" creator=\"lowshark/{} (wireshark/{})\">\n<structure>\n",
        env!("CARGO_PKG_VERSION"),
        crate::TSHARK_COMPAT
    );
    for (title, _) in &columns.0 {
        out.push_str("<section>");
        write_xml_escaped(out, title);
        out.push_str("</section>\n");
    }
    out.push_str("</structure>\n\n");
}

pub const PSML_FOOTER: &str = "</psml>\n";

/// One `<packet>` of `-T psml`: the summary columns, `time` being the Time column as `-t`
/// formats it.
pub fn write_psml_packet(
    out: &mut String,
    p: &Packet,
    time: &str,
    columns: &Columns,
    colors: Option<Colors>,
) {
    let c = &p.columns;
    let mut d = itoa::Buffer::new();
    open_packet(out, colors);
    for (_, kind) in &columns.0 {
        out.push_str("<section>");
        let at = out.len();
        match kind {
            ColumnKind::Number => out.push_str(d.format(p.meta.number)),
            ColumnKind::Time => write_xml_escaped(out, time),
            ColumnKind::Source => {
                let _ = write!(out, "{}", c.src);
                escape_tail(out, at);
            }
            ColumnKind::Destination => {
                let _ = write!(out, "{}", c.dst);
                escape_tail(out, at);
            }
            ColumnKind::Protocol => write_xml_escaped(out, &c.protocol),
            ColumnKind::Length => out.push_str(d.format(p.meta.orig_len)),
            ColumnKind::Info => write_xml_escaped(out, &c.info),
            ColumnKind::Unsupported => {}
        }
        out.push_str("</section>\n");
    }
    out.push_str("</packet>\n\n");
}

/// Escapes what was written to `out` from `at` on, in place; addresses rarely need it, so
/// the common case only scans.
fn escape_tail(out: &mut String, at: usize) {
    let tail = &out[at..];
    if tail
        .bytes()
        .all(|b| matches!(b, b' '..=b'~') && !b"&<>\"'".contains(&b))
    {
        return;
    }
    let raw = out.split_off(at);
    write_xml_escaped(out, &raw);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml_specials_and_non_printables_like_tshark() {
        let mut s = String::new();
        write_xml_escaped(&mut s, "a<b>&\"'\x01\u{e9}\x7f→z");
        assert_eq!(s, "a&lt;b&gt;&amp;&quot;&#x27;\\x1\u{e9}\\x7f→z");
    }

    #[test]
    fn column_formats_parse_as_termshark_passes_them() {
        let c =
            Columns::parse(r#""No.","%m","Time","%t","Dest","%d","X","%Cus:ip.ttl:0:R""#).unwrap();
        let kinds: Vec<ColumnKind> = c.0.iter().map(|c| c.1).collect();
        assert_eq!(
            kinds,
            [
                ColumnKind::Number,
                ColumnKind::Time,
                ColumnKind::Destination,
                ColumnKind::Unsupported
            ]
        );
        assert_eq!(Columns::default().0.len(), 7);
    }

    #[test]
    fn ctime_form() {
        let mut s = String::new();
        write_ctime(&mut s, 1_333_957_710);
        assert_eq!(s, "Mon Apr  9 07:48:30 2012");
    }
}
