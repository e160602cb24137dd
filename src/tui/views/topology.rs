//! `t`: the RPL topology over time. Left, the DODAG forest as of the time cursor: each node
//! with its rank, DODAG version, DTSN, how its edge was learned, and the link to its parent as
//! the radio saw it (frames both ways, RSSI and LQI where the capture has them). Right, the
//! event log (parent switches, rank changes, global repairs, No-Path DAOs, DIS bursts, nodes
//! appearing and going silent), the cursor's event highlighted. `[`/`]` move the cursor from
//! event to event and the packet list follows; Enter filters the list to the selected node.
//!
//! Drawn from the model `-z rpl,tree` and `-z rpl,events` print
//! (`dissectors::analysis::topology`), the cursor's topology being its fold up to that frame.

use super::analysis::{Analysis, Models};
use super::table::{table, Selection};
use super::{progress, Action, View};
use crate::tui::theme::theme;
use crate::tui::{pane_block, Component, Key};
use crossterm::event::KeyCode;
use dissectors::analysis::links::LinkStats;
use dissectors::analysis::topology::{self, Addr, Event, SectionKind, Topology};
use dissectors::engine::address::Address;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};
use ratatui::Frame;
use std::cell::RefCell;
use std::net::Ipv6Addr;
use std::sync::Arc;

const KEYS: &[(&str, &str)] = &[
    ("[ / ]", "previous/next event (the packet list follows)"),
    ("{ / }", "start of the capture / now"),
    ("a", "all events or notable ones only"),
    ("Enter", "filter the packet list to the selected node"),
    ("j/k ↑/↓", "next/previous node"),
    ("Esc q", "close the view"),
];

pub struct TopologyView {
    analysis: Arc<Analysis>,
    nodes: Selection,
    /// The frame the topology is shown as of; None: as of the last packet analysed.
    cursor: Option<u64>,
    all_events: bool,
    action: Option<Action>,
    /// The topology as of the cursor, computed once per cursor position and model size.
    past: RefCell<Option<(u64, usize, Topology)>>,
}

impl TopologyView {
    pub fn new(analysis: Arc<Analysis>) -> TopologyView {
        TopologyView {
            analysis,
            nodes: Selection::default(),
            cursor: None,
            all_events: false,
            action: None,
            past: RefCell::default(),
        }
    }

    /// The frame the view is at (for tests).
    pub fn cursor(&self) -> Option<u64> {
        self.cursor
    }

    fn shown_events<'a>(&self, t: &'a Topology) -> Vec<&'a Event> {
        t.log()
            .events()
            .iter()
            .filter(|e| self.all_events || e.is_notable())
            .collect()
    }

    /// Moves the cursor to the previous (`back`) or next event and selects its node.
    fn step(&mut self, back: bool) {
        let models = self.analysis.models();
        let t = models.topology.model();
        let events = self.shown_events(t);
        let target = match (self.cursor, back) {
            (None, true) => events.last(),
            (None, false) => None,
            (Some(c), true) => events.iter().rev().find(|e| e.frame < c),
            (Some(c), false) => events.iter().find(|e| e.frame > c),
        };
        let Some(e) = target.copied() else { return };
        let (frame, node) = (e.frame, e.node);
        drop(models);
        self.cursor = Some(frame);
        self.action = Some(Action::Select(frame));
        if let Some(i) = self.order().iter().position(|a| *a == node) {
            self.nodes.selected = i;
        }
    }

    /// The nodes in row order, as the tree draws them (a placeholder for the "without a
    /// parent" heading).
    fn order(&self) -> Vec<Addr> {
        let m = self.analysis.models();
        self.with_topology(&m, |t| {
            let mut v = vec![];
            for s in topology::forest(t.state()) {
                if s.kind == SectionKind::Detached {
                    v.push([0; 16]);
                }
                v.extend(s.rows.iter().map(|r| r.node));
            }
            v
        })
    }

    fn filter_selected(&mut self) {
        let order = self.order();
        let Some(a) = self.nodes.get(order.len()).map(|i| order[i]) else {
            return;
        };
        let models = self.analysis.models();
        self.action = Some(Action::Filter(node_filter(&a, models.links.model())));
    }

    /// Runs `f` on the topology as of the cursor.
    fn with_topology<R>(&self, m: &Models, f: impl FnOnce(&Topology) -> R) -> R {
        let live = m.topology.model();
        let Some(c) = self.cursor else { return f(live) };
        let mut past = self.past.borrow_mut();
        let len = live.log().events().len();
        if !past
            .as_ref()
            .is_some_and(|(pc, pl, _)| *pc == c && *pl == len)
        {
            *past = Some((c, len, live.as_of(c)));
        }
        f(&past.as_ref().expect("just computed").2)
    }
}

/// The display filter for a node's packets: its IPv6 addresses (global and link-local) and
/// the 802.15.4 addresses it sends from.
pub fn node_filter(a: &Addr, links: &LinkStats) -> String {
    let mut iid = [0u8; 8];
    iid.copy_from_slice(&a[8..]);
    let mut ll = [0u8; 16];
    ll[0] = 0xfe;
    ll[1] = 0x80;
    ll[8..].copy_from_slice(&iid);
    let mut parts = vec![format!("ipv6.addr == {}", Ipv6Addr::from(*a))];
    if ll != *a {
        parts.push(format!("ipv6.addr == {}", Ipv6Addr::from(ll)));
    }
    for mac in links.macs_of(&iid) {
        match mac {
            Address::Wpan16 { addr, .. } => parts.push(format!("wpan.addr16 == 0x{addr:04x}")),
            Address::Eui64(_) => parts.push(format!("wpan.addr64 == {mac}")),
            _ => {}
        }
    }
    parts.join(" || ")
}

/// The link between a node and its parent: (frames both ways, RSSI and LQI of child → parent).
fn parent_link(links: &LinkStats, child: &Addr, parent: &Addr) -> (u64, String, String) {
    let iid = |a: &Addr| {
        let mut i = [0u8; 8];
        i.copy_from_slice(&a[8..]);
        i
    };
    let (c, p) = (links.macs_of(&iid(child)), links.macs_of(&iid(parent)));
    let (up, down) = links.between(&c, &p);
    let frames = up.frames + down.frames;
    let mean = |r: &dissectors::analysis::links::Range| {
        r.mean().map_or("-".to_string(), |m| format!("{m:.0}"))
    };
    (frames, mean(&up.rssi), mean(&up.lqi))
}

fn short(a: &Addr) -> String {
    Ipv6Addr::from(*a).to_string()
}

impl TopologyView {
    fn tree_rows(&self, t: &Topology, links: &LinkStats, area: Rect) -> (Vec<Row<'static>>, usize) {
        let mut rows = vec![];
        for s in topology::forest(t.state()) {
            if s.kind == SectionKind::Detached {
                rows.push(Row::new(vec![Cell::from("without a parent:")]).style(dim()));
            }
            for r in &s.rows {
                rows.push(self.node_row(t, links, r.node, r.depth, r.looped));
            }
        }
        let count = rows.len();
        let window = self
            .nodes
            .window(count, area.height.saturating_sub(3) as usize);
        let sel = self.nodes.get(count);
        let rows = rows
            .into_iter()
            .enumerate()
            .skip(window.start)
            .take(window.len())
            .map(|(i, r)| {
                if Some(i) == sel {
                    r.style(selected())
                } else {
                    r
                }
            })
            .collect();
        (rows, count)
    }

    fn node_row(
        &self,
        t: &Topology,
        links: &LinkStats,
        a: Addr,
        depth: usize,
        looped: bool,
    ) -> Row<'static> {
        let n = t.node(&a).cloned().unwrap_or_default();
        let pad = if depth == 0 {
            String::new()
        } else {
            format!("{}└ ", "  ".repeat(depth - 1))
        };
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        let (frames, rssi, lqi) = match n.parent {
            Some((p, _, _)) => {
                let (f, r, q) = parent_link(links, &a, &p);
                (f.to_string(), r, q)
            }
            None => ("-".into(), "-".into(), "-".into()),
        };
        let mut state = vec![];
        if t.state().dodags.contains_key(&a) {
            state.push("root");
        }
        if looped {
            state.push("loop");
        }
        if n.lost.is_some() {
            state.push("lost parent");
        }
        if n.silent {
            state.push("silent");
        }
        let style = if n.silent || n.lost.is_some() || looped {
            theme().error()
        } else {
            Style::default()
        };
        Row::new(vec![
            Cell::from(format!("{pad}{}", short(&a))),
            Cell::from(opt(n.rank.map(|r| r.to_string()))),
            Cell::from(opt(n.version.map(|v| v.to_string()))),
            Cell::from(opt(n.dtsn.map(|v| v.to_string()))),
            Cell::from(frames),
            Cell::from(rssi),
            Cell::from(lqi),
            Cell::from(state.join(", ")),
        ])
        .style(style)
    }

    fn draw_tree(&self, frame: &mut Frame, area: Rect, m: &Models, t: &Topology) {
        let links = m.links.model();
        let (rows, count) = self.tree_rows(t, links, area);
        let header = [
            "Node", "Rank", "Ver", "DTSN", "Link fr", "RSSI", "LQI", "State",
        ];
        let dodags: Vec<String> = t
            .state()
            .dodags
            .iter()
            .map(|(root, d)| {
                let mode = topology::mop_name(d.mop);
                format!(
                    "DODAG {} inst {} v{} MOP {} {mode}",
                    short(root),
                    d.instance,
                    d.version.map_or("?".into(), |v| v.to_string()),
                    d.mop.map_or("?".into(), |v| v.to_string()),
                )
            })
            .collect();
        let when = match self.cursor {
            Some(c) => format!("as of frame {c}"),
            None => "now".to_string(),
        };
        let _ = count;
        let nodes = t.nodes().len();
        let title = format!(" RPL topology {when} · {nodes} nodes · {} ", progress(m));
        let [head, body] = Layout::vertical([
            Constraint::Length(dodags.len().clamp(1, 3) as u16),
            Constraint::Fill(1),
        ])
        .areas(pane_block(&title, true).inner(area));
        frame.render_widget(pane_block(&title, true), area);
        let text = if dodags.is_empty() {
            "No RPL DIO seen yet.".to_string()
        } else {
            dodags.join("\n")
        };
        frame.render_widget(Paragraph::new(text).style(theme().accent()), head);
        let widths = [
            Constraint::Fill(3),
            Constraint::Length(5),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(7),
            Constraint::Length(5),
            Constraint::Length(4),
            Constraint::Fill(1),
        ];
        frame.render_widget(table(rows, widths, header), body);
    }

    fn draw_events(&self, frame: &mut Frame, area: Rect, t: &Topology) {
        let events = self.shown_events(t);
        let which = if self.all_events { "all" } else { "notable" };
        let block = pane_block(&format!(" Events ({which}: {}) ", events.len()), false);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // The cursor's event: the last one at or before it.
        let current = self
            .cursor
            .and_then(|c| events.iter().rposition(|e| e.frame <= c));
        let height = inner.height as usize;
        let start = current
            .map_or(events.len().saturating_sub(height), |c| {
                c.saturating_sub(height / 2)
            })
            .min(events.len().saturating_sub(height));
        let lines: Vec<Line> = events
            .iter()
            .enumerate()
            .skip(start)
            .take(height)
            .map(|(i, e)| {
                let (what, change) = topology::describe(e);
                let text = format!(
                    "{:>6} {:>8.3} {:<20} {what}: {change}",
                    e.frame,
                    e.rel_ns as f64 / 1e9,
                    short(&e.node)
                );
                let style = if Some(i) == current {
                    selected()
                } else if self.cursor.is_some_and(|c| e.frame > c) {
                    dim()
                } else {
                    event_style(e)
                };
                Line::from(Span::styled(text, style))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

fn selected() -> Style {
    theme().selection()
}

fn dim() -> Style {
    theme().dim()
}

fn event_style(e: &Event) -> Style {
    use topology::Change;
    match e.change {
        Change::Parent { .. } | Change::VersionIncrement { .. } => theme().warning(),
        Change::Silent { .. } | Change::DisBurst { .. } | Change::DatapathError { .. } => {
            theme().error()
        }
        Change::NoPath { .. } => theme().fg(theme().notice),
        _ => Style::default(),
    }
}

impl Component for TopologyView {
    fn handle_key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Char('[') => self.step(true),
            KeyCode::Char(']') => self.step(false),
            KeyCode::Char('{') => {
                self.cursor = Some(1);
                self.action = Some(Action::Select(1));
            }
            KeyCode::Char('}') => self.cursor = None,
            KeyCode::Char('a') => self.all_events = !self.all_events,
            KeyCode::Enter => self.filter_selected(),
            _ => {
                let len = self.order().len();
                return self.nodes.handle_key(key, len);
            }
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let m = self.analysis.models();
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Fill(1)]).areas(area);
        self.with_topology(&m, |t| {
            self.draw_tree(frame, left, &m, t);
        });
        // The log is the whole capture's, the cursor marking where the tree is.
        self.draw_events(frame, right, m.topology.model());
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }
}

impl View for TopologyView {
    fn take_action(&mut self) -> Option<Action> {
        self.action.take()
    }
}
