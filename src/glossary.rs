//! `-G`: the registry as tshark's glossary reports print it.

use crate::{arg_error, Failure};
use dissectors::engine::registry::Registry;
use std::process::ExitCode;

/// `-G`: the registry as tshark's glossary reports print it.
pub fn print(registry: &Registry, report: &str) -> Result<ExitCode, Failure> {
    let mut out = String::new();
    match report {
        "fields" => {
            for p in registry.protocols() {
                out.push_str(&format!("P\t{}\t{}\n", p.field.name, p.name));
                let fields = p.fields.iter().copied().filter(|f| f.abbrev != p.name);
                let experts = p.experts.iter().map(|e| &e.field);
                for f in fields.chain(experts) {
                    out.push_str(&format!(
                        "F\t{}\t{}\t{}\t{}\t{}\t0x{:x}\t{}\n",
                        f.name,
                        f.abbrev,
                        f.ftype.ws_name(),
                        p.name,
                        base_name(f),
                        f.bitmask,
                        f.blurb
                    ));
                }
            }
        }
        "protocols" => {
            for p in registry.protocols() {
                out.push_str(&format!("{}\t{}\t{}\n", p.field.name, p.short_name, p.name));
            }
        }
        "defaultprefs" => {
            for p in registry.protocols() {
                for pref in p.prefs {
                    out.push_str(&format!(
                        "# {}\n#{}: {}\n\n",
                        pref.description, pref.name, pref.default
                    ));
                }
            }
        }
        "decodes" => {
            for t in dissectors::engine::registry::tables::DECODE_AS {
                out.push_str(&format!("{t}\n"));
            }
        }
        "column-formats" => {
            for (code, description, _) in lowshark::output::pdml::COLUMN_FORMATS {
                out.push_str(&format!("{code}\t{description}\n"));
            }
        }
        other => {
            return Err(arg_error(format!(
                "-G {other}: unknown report; use fields, protocols, defaultprefs, decodes or \
                 column-formats"
            )))
        }
    }
    let mut stdout = std::io::stdout().lock();
    crate::batch::write_out(&mut stdout, &mut out)?;
    Ok(ExitCode::SUCCESS)
}

fn base_name(f: &dissectors::FieldDef) -> String {
    use dissectors::engine::field::{Base, FieldType};
    match f.base {
        Base::Bits(w) if f.ftype == FieldType::Bool => w.to_string(),
        Base::Dec => "BASE_DEC".into(),
        Base::Hex => "BASE_HEX".into(),
        Base::Oct => "BASE_OCT".into(),
        Base::DecHex => "BASE_DEC_HEX".into(),
        Base::HexDec => "BASE_HEX_DEC".into(),
        _ => String::new(),
    }
}
