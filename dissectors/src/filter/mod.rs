//! Wireshark display filters over the field registry.
//!
//! ```ignore
//! let f = Filter::compile("udp.port == 5683 && !icmpv6", &registry)?;
//! if f.matches(&packet) { ... }
//! ```
//!
//! The language is Wireshark 4.0's, checked against tshark 4.0 (`tests/filter_vs_tshark.rs`
//! runs 390 filters through both):
//! - presence tests (`udp`, `ip.flags.df`), comparisons `== != === !== < > <= >=` (also `eq ne
//!   all_eq any_ne lt gt le ge any_eq all_ne`, and the deprecated `~=` for `!==`), `contains`,
//!   `matches`/`~` (case-insensitive regular expressions; the `regex` crate's syntax, so no
//!   look-around or back-references), `in {a, b, c..d}` and `not in`;
//! - over a field that occurs several times `==` means *some occurrence equals* and `!=` means
//!   *every occurrence differs* (false when the field is absent), `===` *every occurrence
//!   equals*, `!==` *some occurrence differs*; ordering operators are *some*;
//! - slices `frame[10:4]`, `eth.src[-2:]`, `ip[1-3]`, `udp[:2]`, `ip[0:1,16-19]` of byte,
//!   string, address and protocol fields; a slice that does not fit is absent. A protocol's
//!   bytes are its layer's range for `==`, slices and `len`, and run on through its payload
//!   for `contains` and `matches`, as in tshark;
//! - the layer operator: `ip.src#2` (inner IP header), `ipv6.nxt#[1-2]`, `ip#2`;
//! - `and or xor not && || ^^ !` with precedence `not` > `and` > `xor` > `or` (tshark 4.0 has no
//!   `xor`; it comes from Wireshark 4.2), parentheses;
//! - functions `len`, `count`, `lower`, `upper`, `string`, `max`, `min`, `abs`;
//! - integer arithmetic `+ - * / %`, unary `-`, bit tests `tcp.flags & 0x02`, `{}` grouping;
//! - literals typed by the field they meet: integers in any base and value names
//!   (`ip.proto == UDP`, case-insensitive), `True`/`False` and true/false strings, quoted strings
//!   with C escapes, byte strings (`aa:bb`, `aa-bb`, `aabb`), IPv4/IPv6 with CIDR, MAC and
//!   EUI-64, relative times in seconds and absolute times as dates (read as UTC; tshark reads
//!   them in local time).
//!
//! Sets may separate their elements with spaces as well as commas (tshark 4.0 insists on
//! commas). Hostnames are not resolved.
//!
//! Evaluation allocates nothing per packet except for `lower`, `upper`, `string` and slices
//! with several ranges: operands call back once per value, borrowing from the packet, and
//! fields are found by pointer comparison over the tree's node arena.
//!
//! An empty (or all-blank) filter matches every packet.

mod compile;
mod error;
mod eval;
mod lexer;
mod parser;

pub use error::FilterError;

use crate::engine::field::FieldDef;
use crate::engine::registry::Registry;
use crate::engine::tree::Build;
use crate::engine::Packet;

/// A compiled display filter. Compile once, then call [`Filter::matches`] per packet.
#[derive(Clone, Debug)]
pub struct Filter {
    prog: eval::Prog,
    fields: Vec<&'static FieldDef>,
    whole_tree: bool,
}

impl Filter {
    /// Parses and type-checks `text` against the fields of `registry`.
    pub fn compile(text: &str, registry: &Registry) -> Result<Filter, FilterError> {
        if text.trim().is_empty() {
            return Ok(Filter {
                prog: eval::Prog::True,
                fields: vec![],
                whole_tree: false,
            });
        }
        let toks = lexer::lex(text)?;
        let ast = parser::parse(text, &toks)?;
        let mut c = compile::Compiler {
            registry,
            text,
            fields: vec![],
            whole_tree: false,
        };
        let prog = c.expr(&ast)?;
        Ok(Filter {
            prog,
            fields: c.fields,
            whole_tree: c.whole_tree,
        })
    }

    /// True when the packet passes the filter.
    pub fn matches(&self, packet: &Packet) -> bool {
        self.prog.eval(packet)
    }

    /// The fields the filter reads (each once, in order of first use).
    pub fn fields(&self) -> Vec<&'static FieldDef> {
        self.fields.clone()
    }

    /// The tree nodes the filter needs to decide: the layers and the fields it names, or the
    /// whole tree when it reads a protocol's bytes through its payload.
    pub fn build(&self) -> Build {
        if self.whole_tree {
            Build::All
        } else {
            Build::fields(self.fields.iter().copied())
        }
    }
}

#[cfg(test)]
mod tests;
