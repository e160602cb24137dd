//! `-T fields`: chosen fields as delimited text, with tshark's `-E` options.

use dissectors::engine::field::{FieldDef, FieldType};
use dissectors::engine::registry::Registry;
use dissectors::engine::tree::Node;
use dissectors::engine::value::{self, Value};
use dissectors::engine::Packet;
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq)]
pub enum Occurrence {
    All,
    First,
    Last,
    /// 1-based index.
    Nth(usize),
}

#[derive(Clone, Debug)]
pub struct FieldsOptions {
    pub header: bool,
    pub separator: String,
    pub occurrence: Occurrence,
    pub aggregator: String,
    pub quote: Option<char>,
}

impl Default for FieldsOptions {
    fn default() -> Self {
        FieldsOptions {
            header: false,
            separator: "\t".into(),
            occurrence: Occurrence::All,
            aggregator: ",".into(),
            quote: None,
        }
    }
}

impl FieldsOptions {
    /// Applies one `-E name=value`.
    pub fn set(&mut self, opt: &str) -> Result<(), String> {
        let (k, v) = opt
            .split_once('=')
            .ok_or_else(|| format!("-E {opt}: expected name=value, e.g. -E header=y"))?;
        match k {
            "header" => self.header = matches!(v, "y" | "Y" | "yes" | "1"),
            "separator" => {
                self.separator = match v {
                    "/t" => "\t".into(),
                    "/s" => " ".into(),
                    other => other.to_string(),
                }
            }
            "occurrence" => {
                self.occurrence = match v {
                    "a" => Occurrence::All,
                    "f" => Occurrence::First,
                    "l" => Occurrence::Last,
                    n => Occurrence::Nth(n.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(
                        || format!("-E occurrence={v}: use a, f, l or a number from 1"),
                    )?),
                }
            }
            "aggregator" => {
                self.aggregator = match v {
                    "/s" => " ".into(),
                    "/t" => "\t".into(),
                    other => other.to_string(),
                }
            }
            "quote" => {
                self.quote = match v {
                    "d" => Some('"'),
                    "s" => Some('\''),
                    "n" => None,
                    _ => return Err(format!("-E quote={v}: use d, s or n")),
                }
            }
            "bom" | "escape" => {}
            _ => {
                return Err(format!(
                "-E {k}: unknown option; use header, separator, occurrence, aggregator or quote"
            ))
            }
        }
        Ok(())
    }
}

/// A `-e` name resolved once: a summary column or a registered field.
#[derive(Clone, Copy, Debug)]
pub enum Column {
    Number,
    Protocol,
    Info,
    Source,
    Destination,
    Length,
    Time,
    /// A `_ws.col.*` name lowshark does not know: printed empty, as tshark does.
    Unknown,
    Field(&'static FieldDef),
}

impl Column {
    /// Resolves a `-e` name; None for a field the registry does not know.
    pub fn resolve(name: &str, registry: &Registry) -> Option<Column> {
        let Some(col) = name.strip_prefix("_ws.col.") else {
            return registry.field(name).map(Column::Field);
        };
        Some(match col.to_ascii_lowercase().as_str() {
            "no." | "number" => Column::Number,
            "protocol" => Column::Protocol,
            "info" => Column::Info,
            "source" | "def_src" => Column::Source,
            "destination" | "def_dst" => Column::Destination,
            "length" => Column::Length,
            "time" => Column::Time,
            _ => Column::Unknown,
        })
    }

    /// The field it reads, for building only what `-T fields` prints.
    pub fn field(&self) -> Option<&'static FieldDef> {
        match self {
            Column::Field(f) => Some(f),
            _ => None,
        }
    }
}

/// Appends one occurrence of a value, escaped so packet text never reaches a terminal raw.
fn write_node(out: &mut String, p: &Packet, n: &Node) {
    let f = n.field.expect("field nodes");
    match f.ftype {
        // As tshark: a protocol prints its summary line, a field without a value "1".
        FieldType::Protocol => {
            out.push_str(&value::escape_text(p.tree.text_of(n).unwrap_or(f.name)))
        }
        FieldType::None => out.push('1'),
        _ => match &n.value {
            Value::Str(s) => out.push_str(&value::escape_text(s)),
            v => value::write_show(out, f, v),
        },
    }
}

/// Appends a summary column's value.
fn write_column(out: &mut String, p: &Packet, c: Column) {
    let cols = &p.columns;
    let _ = match c {
        Column::Number => write!(out, "{}", p.meta.number),
        Column::Protocol => out.write_str(&cols.protocol),
        Column::Info => out.write_str(&value::escape_text(&cols.info)),
        Column::Source => write!(out, "{}", cols.src),
        Column::Destination => write!(out, "{}", cols.dst),
        Column::Length => write!(out, "{}", p.meta.orig_len),
        Column::Time => {
            let a = p.rel_ns.unsigned_abs();
            write!(out, "{}.{:09}", a / 1_000_000_000, a % 1_000_000_000)
        }
        Column::Unknown | Column::Field(_) => Ok(()),
    };
}

/// Appends the occurrences of `field` that `-E occurrence` picks, joined by the aggregator.
fn write_field(out: &mut String, p: &Packet, field: &FieldDef, o: &FieldsOptions) {
    let nodes = || {
        p.tree
            .iter()
            .map(|(_, n)| n)
            .filter(move |n| n.field.is_some_and(|f| std::ptr::eq(f, field)))
    };
    let pick = match o.occurrence {
        Occurrence::All => None,
        Occurrence::First => Some(0),
        Occurrence::Nth(n) => Some(n - 1),
        Occurrence::Last => match nodes().count() {
            0 => return,
            n => Some(n - 1),
        },
    };
    match pick {
        Some(i) => {
            if let Some(n) = nodes().nth(i) {
                write_node(out, p, n);
            }
        }
        None => {
            for (i, n) in nodes().enumerate() {
                if i > 0 {
                    out.push_str(&o.aggregator);
                }
                write_node(out, p, n);
            }
        }
    }
}

/// The header line (field names).
pub fn header_line(fields: &[String], o: &FieldsOptions) -> String {
    fields.join(&o.separator)
}

/// Appends one packet's line (without its newline), straight into `out`.
pub fn write_fields_line(out: &mut String, p: &Packet, columns: &[Column], o: &FieldsOptions) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push_str(&o.separator);
        }
        if let Some(q) = o.quote {
            out.push(q);
        }
        match c {
            Column::Field(f) => write_field(out, p, f, o),
            c => write_column(out, p, *c),
        }
        if let Some(q) = o.quote {
            out.push(q);
        }
    }
}

/// One packet's line, for names not resolved beforehand (unknown ones print empty).
pub fn fields_line(p: &Packet, fields: &[String], o: &FieldsOptions) -> String {
    let registry = dissectors::engine::registry::Registry::builtin();
    let columns: Vec<Column> = fields
        .iter()
        .map(|f| Column::resolve(f, &registry).unwrap_or(Column::Unknown))
        .collect();
    let mut s = String::new();
    write_fields_line(&mut s, p, &columns, o);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_like_tshark() {
        let mut o = FieldsOptions::default();
        o.set("separator=,").unwrap();
        o.set("occurrence=2").unwrap();
        o.set("quote=d").unwrap();
        o.set("header=y").unwrap();
        assert_eq!(o.separator, ",");
        assert_eq!(o.occurrence, Occurrence::Nth(2));
        assert_eq!(o.quote, Some('"'));
        assert!(o.header);
        assert!(o.set("occurrence=0").is_err());
        assert!(o.set("bogus=1").is_err());
        assert!(o.set("noequals").is_err());
    }
}
