//! `-z expert[,error|warn|note|chat|comment][,FILTER]`: the expert items of the capture grouped
//! by severity, each distinct (protocol, summary) once with its frequency, in tshark 4.0's
//! form (`ui/cli/tap-expert.c`):
//!
//! ```text
//!
//! Warns (1)
//! =============
//!    Frequency      Group           Protocol  Summary
//!            1   Sequence                TCP  Previous segment(s) not captured (common at …)
//! ```
//!
//! Severities print from the worst down; within one, items keep the order they were first seen.

use super::Tap;
use dissectors::engine::expert::{ws, Group, Severity};
use dissectors::engine::registry::Registry;
use dissectors::engine::tree::{Build, Node, NodeId, Tree};
use dissectors::engine::Packet;
use dissectors::filter::Filter;
use foldhash::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// Distinct (protocol, summary) pairs kept per severity: beyond this, new ones are counted in
/// the heading's total but not listed (a capture of random garbage could otherwise grow the
/// table without end).
const MAX_ENTRIES: usize = 10_000;

/// The severities in printing order, with their headings.
const LEVELS: [(Severity, &str); 5] = [
    (Severity::Error, "Errors"),
    (Severity::Warn, "Warns"),
    (Severity::Note, "Notes"),
    (Severity::Chat, "Chats"),
    (Severity::Comment, "Comments"),
];

/// Layers whose Protocol column is their parent's but whose expert items tshark attributes to
/// a short name of their own (IPv6 extension headers are protocols of their own in tshark).
const OWN_SHORT_NAMES: &[(&str, &str)] = &[
    ("ipv6.hopopts", "IPv6 Hop-by-Hop Option"),
    ("ipv6.routing", "IPv6 Routing"),
    ("ipv6.fraghdr", "IPv6 Fragment"),
];

struct Entry {
    group: Option<Group>,
    protocol: &'static str,
    summary: Box<str>,
    frequency: u32,
}

#[derive(Default)]
struct Level {
    entries: Vec<Entry>,
    index: HashMap<(&'static str, Box<str>), usize>,
    /// Items not listed (over [`MAX_ENTRIES`]).
    dropped: u32,
}

pub struct Expert {
    lowest: Severity,
    filter: Option<Filter>,
    registry: Arc<Registry>,
    levels: [Level; 5],
}

impl Expert {
    /// Parses `expert[,LEVEL][,FILTER]`.
    pub fn parse(spec: &str, registry: Arc<Registry>) -> Result<Expert, String> {
        let mut args = spec.strip_prefix("expert").unwrap_or("");
        let mut lowest = Severity::Comment;
        for (name, sev) in [
            (",error", Severity::Error),
            (",warn", Severity::Warn),
            (",note", Severity::Note),
            (",chat", Severity::Chat),
            (",comment", Severity::Comment),
        ] {
            let n = name.len();
            if args.len() >= n && args.is_char_boundary(n) && args[..n].eq_ignore_ascii_case(name) {
                lowest = sev;
                args = &args[n..];
                break;
            }
        }
        let filter = match args.strip_prefix(',') {
            Some(text) if !text.trim().is_empty() => Some(
                Filter::compile(text, &registry)
                    .map_err(|e| format!("Expert tap error ({})", e.render(text).trim_end()))?,
            ),
            _ => None,
        };
        Ok(Expert {
            lowest,
            filter,
            registry,
            levels: Default::default(),
        })
    }

    fn add(&mut self, severity: Severity, group: Option<Group>, protocol: &'static str, msg: &str) {
        if severity < self.lowest {
            return;
        }
        let Some(i) = LEVELS.iter().position(|l| l.0 == severity) else {
            return;
        };
        let level = &mut self.levels[i];
        let key = (protocol, Box::<str>::from(msg));
        if let Some(&at) = level.index.get(&key) {
            level.entries[at].frequency += 1;
        } else if level.entries.len() < MAX_ENTRIES {
            level.index.insert(key.clone(), level.entries.len());
            level.entries.push(Entry {
                group,
                protocol,
                summary: key.1,
                frequency: 1,
            });
        } else {
            level.dropped += 1;
        }
    }

    /// The protocol an expert item belongs to: the layer it sits in (a malformed-packet item
    /// names the layer that failed: the one before `_ws.malformed` in the layer list).
    fn protocol_of(&self, p: &Packet, mut id: NodeId) -> &'static str {
        let tree = &p.tree;
        while let Some(parent) = tree.parent(id) {
            id = parent;
            let Some(f) = tree.node(id).field else {
                continue;
            };
            let name = if std::ptr::eq(f, &ws::MALFORMED) {
                failed_layer(p)
            } else {
                f.abbrev
            };
            if let Some((_, short)) = OWN_SHORT_NAMES.iter().find(|(n, _)| *n == name) {
                return short;
            }
            if let Some(proto) = self.registry.protocol(name) {
                return proto.short_name;
            }
        }
        ""
    }
}

/// The layer whose dissection failed: the last one before the first `_ws.malformed`.
fn failed_layer(p: &Packet) -> &'static str {
    let end = p
        .protocols
        .iter()
        .position(|n| *n == "_ws.malformed")
        .unwrap_or(p.protocols.len());
    p.protocols[..end].last().copied().unwrap_or("")
}

/// The severity, group and message an expert node carries.
fn expert_facts(tree: &Tree, id: NodeId) -> (Option<Severity>, Option<Group>, &str) {
    let (mut sev, mut group, mut msg) = (None, None, tree.text(id).unwrap_or(""));
    for (_, c) in tree.children(id) {
        let Some(f) = c.field else { continue };
        let v = c.value.as_u64().unwrap_or(0);
        if std::ptr::eq(f, &ws::SEVERITY) {
            sev = severity_of(v);
        } else if std::ptr::eq(f, &ws::GROUP) {
            group = group_of(v);
        } else if std::ptr::eq(f, &ws::MESSAGE) && msg.is_empty() {
            msg = message_of(c);
        }
    }
    (sev, group, msg)
}

fn message_of(n: &Node) -> &str {
    match &n.value {
        dissectors::engine::value::Value::Str(s) => s,
        _ => "",
    }
}

fn severity_of(v: u64) -> Option<Severity> {
    [
        Severity::Comment,
        Severity::Chat,
        Severity::Note,
        Severity::Warn,
        Severity::Error,
    ]
    .into_iter()
    .find(|s| *s as u64 == v)
}

fn group_of(v: u64) -> Option<Group> {
    use Group::*;
    [
        Checksum,
        Sequence,
        ResponseCode,
        RequestCode,
        Undecoded,
        Reassemble,
        Malformed,
        Debug,
        Protocol,
        Security,
        Comments,
        Decryption,
        Assumption,
        Deprecated,
    ]
    .into_iter()
    .find(|g| *g as u64 == v)
}

impl Tap for Expert {
    /// The expert items and what the filter reads.
    fn build(&self) -> Build {
        let own = Build::fields([&ws::EXPERT, &ws::MESSAGE, &ws::SEVERITY, &ws::GROUP]);
        self.filter
            .as_ref()
            .map_or(own.clone(), |f| own.merge(f.build()))
    }

    fn packet(&mut self, p: &Packet) {
        if self.filter.as_ref().is_some_and(|f| !f.matches(p)) {
            return;
        }
        let tree = &p.tree;
        for (id, node) in tree.iter() {
            if !node.field.is_some_and(|f| std::ptr::eq(f, &ws::EXPERT)) {
                continue;
            }
            let (sev, group, msg) = expert_facts(tree, id);
            let Some(sev) = sev else { continue };
            let proto = self.protocol_of(p, id);
            self.add(sev, group, proto, msg);
        }
    }

    fn render(&self, out: &mut String) {
        for (level, (_, label)) in self.levels.iter().zip(LEVELS) {
            if level.entries.is_empty() {
                continue;
            }
            let total: u64 = level
                .entries
                .iter()
                .map(|e| u64::from(e.frequency))
                .sum::<u64>()
                + u64::from(level.dropped);
            let _ = write!(
                out,
                "\n{label} ({total})\n=============\n   Frequency      Group           Protocol  Summary\n"
            );
            for e in &level.entries {
                let group = e.group.map_or("Unknown", Group::name);
                let _ = writeln!(
                    out,
                    "{:12} {:>10} {:>18}  {}",
                    e.frequency, group, e.protocol, e.summary
                );
            }
        }
    }
}
