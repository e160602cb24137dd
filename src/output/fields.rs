//! `-T fields`: chosen fields as delimited text, with tshark's `-E` options.

use dissectors::engine::field::FieldType;
use dissectors::engine::value;
use dissectors::engine::Packet;

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

/// Values of one field (or `_ws.col.*` column) in a packet, in show form.
pub fn field_values(p: &Packet, name: &str) -> Vec<String> {
    if let Some(col) = name.strip_prefix("_ws.col.") {
        let c = &p.columns;
        let v = match col.to_ascii_lowercase().as_str() {
            "no." | "number" => p.meta.number.to_string(),
            "protocol" => c.protocol.to_string(),
            "info" => value::escape_text(&c.info).into_owned(),
            "source" | "def_src" => c.src.to_string(),
            "destination" | "def_dst" => c.dst.to_string(),
            "length" => p.meta.orig_len.to_string(),
            "time" => {
                let a = p.rel_ns.unsigned_abs();
                format!("{}.{:09}", a / 1_000_000_000, a % 1_000_000_000)
            }
            _ => return vec![],
        };
        return vec![v];
    }
    p.tree
        .by_abbrev(name)
        .map(|n| {
            let f = n.field.expect("by_abbrev yields field nodes");
            match f.ftype {
                // As tshark: a protocol prints its summary line, a field without a value "1".
                FieldType::Protocol => {
                    value::escape_text(p.tree.text_of(n).unwrap_or(f.name)).into_owned()
                }
                FieldType::None => "1".to_string(),
                _ => value::escape_text(&value::show(f, &n.value)).into_owned(),
            }
        })
        .collect()
}

/// The header line (field names).
pub fn header_line(fields: &[String], o: &FieldsOptions) -> String {
    fields.join(&o.separator)
}

/// One packet's line.
pub fn fields_line(p: &Packet, fields: &[String], o: &FieldsOptions) -> String {
    let mut cols = Vec::with_capacity(fields.len());
    for f in fields {
        let vals = field_values(p, f);
        let picked: Vec<String> = match &o.occurrence {
            Occurrence::All => vals,
            Occurrence::First => vals.into_iter().take(1).collect(),
            Occurrence::Last => vals.into_iter().last().into_iter().collect(),
            Occurrence::Nth(n) => vals.into_iter().nth(n - 1).into_iter().collect(),
        };
        let mut s = picked.join(&o.aggregator);
        if let Some(q) = o.quote {
            s = format!("{q}{s}{q}");
        }
        cols.push(s);
    }
    cols.join(&o.separator)
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
