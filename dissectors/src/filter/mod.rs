//! Display filters (placeholder until the full language lands): protocol or field presence,
//! and `field == value` compared in the field's show form, joined with `&&`/`and`.

use crate::engine::Packet;
use crate::field::FieldDef;
use crate::registry::Registry;
use crate::value::show;

pub struct Filter {
    terms: Vec<(&'static FieldDef, Option<String>)>,
}

#[derive(Debug)]
pub struct FilterError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

impl FilterError {
    pub fn render(&self, text: &str) -> String {
        format!(
            "filter: {}\n  {text}\n  {}{}",
            self.message,
            " ".repeat(self.start),
            "^".repeat((self.end - self.start).max(1))
        )
    }
}

impl Filter {
    pub fn compile(text: &str, registry: &Registry) -> Result<Filter, FilterError> {
        let mut terms = vec![];
        let mut pos = 0;
        for part in text.split("&&").flat_map(|p| p.split(" and ")) {
            let start = pos + part.len() - part.trim_start().len();
            pos += part.len() + 2;
            let part = part.trim();
            let (name, val) = match part.split_once("==") {
                Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"').to_string())),
                None => (part, None),
            };
            let field = registry.field(name).ok_or_else(|| FilterError {
                message: format!("\"{name}\" is neither a field nor a protocol name."),
                start,
                end: start + name.len(),
            })?;
            terms.push((field, val));
        }
        Ok(Filter { terms })
    }

    pub fn matches(&self, p: &Packet) -> bool {
        self.terms.iter().all(|(f, v)| {
            p.tree.by_abbrev(f.abbrev).any(|n| match v {
                None => true,
                Some(v) => show(f, &n.value) == *v,
            })
        })
    }

    pub fn fields(&self) -> Vec<&'static FieldDef> {
        self.terms.iter().map(|(f, _)| *f).collect()
    }
}
