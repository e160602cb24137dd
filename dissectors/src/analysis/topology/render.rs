//! The topology as text: the DODAG forest as rows (shared by `-z rpl,tree` and the TUI's
//! topology view, so the two draw the same tree), the indented tree, the event lines of
//! `-z rpl,events`, and Graphviz.

use super::{edges, Addr, Change, EdgeSource, Event, LossCause, State, Topology};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::net::Ipv6Addr;

/// An address as text.
pub fn text(a: &Addr) -> String {
    Ipv6Addr::from(*a).to_string()
}

/// One line of the forest: a node at a depth under its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    pub depth: usize,
    pub node: Addr,
    /// The node was reached again through a parent loop (its subtree is not repeated).
    pub looped: bool,
}

/// What a part of the forest is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SectionKind {
    /// The tree under a DODAG root (its DODAGID).
    Dodag(Addr),
    /// Subtrees whose top has no parent (and is no root), and parent loops.
    Floating,
    /// Nodes that are in no tree: no parent and no children.
    Detached,
}

/// A part of the forest, its rows in drawing order.
#[derive(Clone, Debug)]
pub struct Section {
    pub kind: SectionKind,
    pub rows: Vec<TreeRow>,
}

fn children(state: &State) -> BTreeMap<Addr, Vec<Addr>> {
    let mut ch: BTreeMap<Addr, Vec<Addr>> = BTreeMap::new();
    for e in edges(state) {
        ch.entry(e.parent).or_default().push(e.child);
    }
    ch
}

fn subtree(
    rows: &mut Vec<TreeRow>,
    top: Addr,
    ch: &BTreeMap<Addr, Vec<Addr>>,
    seen: &mut BTreeSet<Addr>,
) {
    // Depth-first without recursion: a chain of thousands of nodes cannot overflow the stack.
    let mut stack = vec![(top, 0usize)];
    while let Some((a, depth)) = stack.pop() {
        let looped = !seen.insert(a);
        rows.push(TreeRow {
            depth,
            node: a,
            looped,
        });
        if looped {
            continue;
        }
        if let Some(kids) = ch.get(&a) {
            stack.extend(kids.iter().rev().map(|c| (*c, depth + 1)));
        }
    }
}

/// The forest of a state: each DODAG's tree (in the order the DODAGs were first seen), then
/// floating subtrees and loops, then detached nodes.
pub fn forest(state: &State) -> Vec<Section> {
    let ch = children(state);
    let mut seen = BTreeSet::new();
    let mut out = vec![];
    let mut roots: Vec<(&Addr, u64)> = state
        .dodags
        .iter()
        .map(|(a, d)| (a, d.first_frame))
        .collect();
    roots.sort_by_key(|r| r.1);
    for (root, _) in roots {
        let mut rows = vec![];
        subtree(&mut rows, *root, &ch, &mut seen);
        out.push(Section {
            kind: SectionKind::Dodag(*root),
            rows,
        });
    }
    let mut rows = vec![];
    for p in ch.keys() {
        let has_parent = state.nodes.get(p).is_some_and(|n| n.parent.is_some());
        if !has_parent && !seen.contains(p) {
            subtree(&mut rows, *p, &ch, &mut seen);
        }
    }
    // Edges in a cycle never reached from a top.
    for e in edges(state) {
        if !seen.contains(&e.child) {
            subtree(&mut rows, e.child, &ch, &mut seen);
        }
    }
    if !rows.is_empty() {
        out.push(Section {
            kind: SectionKind::Floating,
            rows,
        });
    }
    let detached: Vec<TreeRow> = state
        .nodes
        .keys()
        .filter(|a| !seen.contains(*a))
        .map(|a| TreeRow {
            depth: 0,
            node: *a,
            looped: false,
        })
        .collect();
    if !detached.is_empty() {
        out.push(Section {
            kind: SectionKind::Detached,
            rows: detached,
        });
    }
    out
}

/// The name of a mode of operation (RFC 6550 §6.3.1).
pub fn mop_name(mop: Option<u8>) -> &'static str {
    match mop {
        Some(0) => "no downward routes",
        Some(1) => "non-storing",
        Some(2) => "storing",
        Some(3) => "storing with multicast",
        _ => "",
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
}

impl Topology {
    /// A node's line in the tree: address, rank, and how its edge was learned.
    pub fn label(&self, a: &Addr) -> String {
        let n = self.state.nodes.get(a);
        let rank = n
            .and_then(|n| n.rank)
            .map(|r| format!("rank {r}"))
            .unwrap_or_else(|| "rank ?".into());
        let mut s = text(a);
        match n.and_then(|n| n.parent) {
            Some((_, frame, src)) => {
                let how = match src {
                    EdgeSource::NonStoringDao | EdgeSource::StoringDao => "DAO",
                    EdgeSource::SourceRoute => "source route",
                };
                let _ = write!(s, " ({rank}) [{how} frame {frame}]");
            }
            None if self.state.dodags.contains_key(a) => {
                let _ = write!(s, " (root, {rank})");
            }
            None => {
                let _ = write!(s, " ({rank})");
            }
        }
        if n.is_some_and(|n| n.silent) {
            s.push_str(" (silent)");
        }
        s
    }

    /// The header line of a DODAG.
    pub fn dodag_header(&self, root: &Addr, nodes: usize) -> String {
        let d = self.state.dodags.get(root).cloned().unwrap_or_default();
        let mode = match mop_name(d.mop) {
            "" => String::new(),
            m => format!(" ({m})"),
        };
        format!(
            "DODAG {}: instance {}, version {}, MOP {}{mode}, {} nodes",
            text(root),
            d.instance,
            opt(d.version),
            opt(d.mop),
            nodes.max(1)
        )
    }

    /// The DODAGs as indented trees: each node with its rank and the frame that established
    /// its edge, then what is not attached and the events.
    pub fn render_tree(&self) -> String {
        let mut out = String::new();
        if let Some(f) = self.as_of {
            let _ = writeln!(out, "as of frame {f}");
        }
        let sections = forest(&self.state);
        let single = self.state.dodags.len() == 1;
        for s in &sections {
            match &s.kind {
                SectionKind::Dodag(root) => {
                    // One DODAG: every node counts (as before several were modelled).
                    let n = if single {
                        self.state.nodes.len()
                    } else {
                        s.rows.len()
                    };
                    let _ = writeln!(out, "{}", self.dodag_header(root, n));
                }
                SectionKind::Floating => {}
                SectionKind::Detached => out.push_str("without a parent:\n"),
            }
            let indent = usize::from(s.kind == SectionKind::Detached);
            for r in &s.rows {
                let pad = "  ".repeat(r.depth + indent);
                if r.looped {
                    let _ = writeln!(out, "{pad}{} (loop)", text(&r.node));
                } else {
                    let _ = writeln!(out, "{pad}{}", self.label(&r.node));
                }
            }
        }
        let events = self.report_lines();
        if !events.is_empty() {
            out.push_str("events:\n");
            for e in events {
                let _ = writeln!(out, "  {e}");
            }
        }
        out
    }

    /// The summary of what went wrong, for the end of `-z rpl,tree`.
    fn report_lines(&self) -> Vec<String> {
        let mut events = vec![];
        for (frame, old, new) in &self.version_increments {
            events.push(format!("DODAG version {old} -> {new} at frame {frame}"));
        }
        for (a, n) in &self.state.nodes {
            if let Some(frame) = n.lost {
                events.push(format!("{} lost its parent at frame {frame}", text(a)));
            }
        }
        for (a, frame, count) in &self.dis_storms {
            events.push(format!(
                "DIS burst from {}: {count} DIS, detected at frame {frame}",
                text(a)
            ));
        }
        for (frame, a, r, f) in &self.datapath_errors {
            events.push(format!(
                "RPL option {} on a packet from {} at frame {frame}",
                datapath_what(*r, *f),
                text(a)
            ));
        }
        events
    }

    /// `-z rpl,events`: one line per event, oldest first: frame, time (seconds since the first
    /// frame), node, what changed, from what to what.
    pub fn render_events(&self) -> String {
        let mut out = String::new();
        let rule = "=".repeat(80);
        let _ = writeln!(out, "{rule}\nRPL events:");
        let from = self.log.complete_from();
        if from > 0 {
            let _ = writeln!(
                out,
                "(older events were folded; complete from frame {from})"
            );
        }
        let _ = writeln!(
            out,
            "{:>7} {:>12}  {:<28} {:<16} change",
            "Frame", "Time", "Node", "What"
        );
        for e in self.log.events() {
            let (what, change) = describe(e);
            let _ = writeln!(
                out,
                "{:>7} {:>12.6}  {:<28} {:<16} {change}",
                e.frame,
                e.rel_ns as f64 / 1e9,
                text(&e.node),
                what
            );
        }
        let _ = writeln!(out, "{rule}");
        out
    }

    /// The DODAG in Graphviz: one node per address (rank in the label, the root double
    /// circled), one edge child → parent labelled with the frame that established it.
    pub fn render_dot(&self) -> String {
        let mut out = String::from("digraph dodag {\n  rankdir=BT;\n");
        for (a, n) in &self.state.nodes {
            let rank = n.rank.map(|r| format!("\\nrank {r}")).unwrap_or_default();
            let shape = if self.state.dodags.contains_key(a) {
                ", shape=doublecircle"
            } else if n.lost.is_some() || n.silent {
                ", style=dashed"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}{rank}\"{shape}];",
                text(a),
                text(a)
            );
        }
        for r in self.state.dodags.keys() {
            if !self.state.nodes.contains_key(r) {
                let _ = writeln!(out, "  \"{}\" [shape=doublecircle];", text(r));
            }
        }
        for e in self.edges() {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"];",
                text(&e.child),
                text(&e.parent),
                e.frame
            );
        }
        out.push_str("}\n");
        out
    }
}

fn datapath_what(r: bool, f: bool) -> &'static str {
    match (r, f) {
        (true, true) => "rank and forwarding errors",
        (true, false) => "rank error (loop detected)",
        _ => "forwarding error (no downward route)",
    }
}

fn or_none(a: Option<Addr>) -> String {
    a.map(|a| text(&a)).unwrap_or_else(|| "none".into())
}

/// An event as (what, change) text: `("parent", "fd00::5 -> fd00::6")`.
pub fn describe(e: &Event) -> (&'static str, String) {
    match &e.change {
        Change::Appeared => ("appeared", String::new()),
        Change::Dodag {
            instance,
            dodag,
            mop,
        } => {
            let mode = match mop_name(*mop) {
                "" => String::new(),
                m => format!(", MOP {} ({m})", opt(*mop)),
            };
            (
                "DODAG",
                format!("instance {instance}, DODAG {}{mode}", text(dodag)),
            )
        }
        Change::Rank { from, to } => ("rank", format!("{} -> {to}", opt(*from))),
        Change::Version { from, to } => ("version", format!("{} -> {to}", opt(*from))),
        Change::Dtsn { from, to } => ("DTSN", format!("{} -> {to}", opt(*from))),
        Change::Parent { from, to, lost, .. } => {
            let what = match (from, to, lost) {
                (_, None, _) => "parent lost",
                (None, Some(_), _) => "parent",
                (Some(f), Some(t), _) if f == t => "parent confirmed",
                _ => "parent switch",
            };
            let why = match lost {
                Some(LossCause::NoPath) => " (No-Path DAO)",
                Some(LossCause::InfiniteRank) => " (INFINITE_RANK DIO)",
                None => "",
            };
            (what, format!("{} -> {}{why}", or_none(*from), or_none(*to)))
        }
        Change::NoPath { parent, applied } => {
            let effect = if *applied {
                "withdraws its parent"
            } else {
                "not its current parent: ignored"
            };
            ("No-Path DAO", format!("via {}: {effect}", or_none(*parent)))
        }
        Change::VersionIncrement { dodag, from, to } => (
            "global repair",
            format!("DODAG {} version {from} -> {to}", text(dodag)),
        ),
        Change::DisBurst { count } => (
            "DIS burst",
            format!(
                "{count} DIS within {} s",
                super::DIS_WINDOW_NS / 1_000_000_000
            ),
        ),
        Change::Silent { last_frame } => ("silent", format!("last heard at frame {last_frame}")),
        Change::Back { after_ns } => (
            "back",
            format!("after {:.1} s of silence", *after_ns as f64 / 1e9),
        ),
        Change::DatapathError { rank, forwarding } => {
            ("RPL option error", datapath_what(*rank, *forwarding).into())
        }
    }
}
