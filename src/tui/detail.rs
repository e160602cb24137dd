//! The detail pane: the protocol tree of the selected packet, with expand/collapse. Labels come
//! from `output::text::node_label` (generated fields in brackets); hidden nodes are not drawn.
//! Which subtrees are open is remembered by their path of field names, so moving to another
//! packet keeps e.g. the IPv6 header open, as Wireshark does.

use super::{pane_block, Component, Key};
use crate::output::text::node_label;
use crate::tui::theme::theme;
use crossterm::event::{KeyCode, MouseEvent, MouseEventKind};
use dissectors::engine::tree::{ByteRange, NodeId, Tree};
use dissectors::engine::Packet;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::cell::Cell;
use std::collections::HashSet;
use std::sync::Arc;

const KEYS: &[(&str, &str)] = &[
    ("j/k ↑/↓", "next/previous line"),
    ("Enter/Space", "expand/collapse"),
    ("→/l", "expand, or go to the first child"),
    ("←/h", "collapse, or go to the parent"),
    ("e / c", "expand all / collapse all"),
    ("g/G PgUp/PgDn", "top/bottom, page up/down"),
    ("a / A", "apply / prepare the field as a display filter"),
    ("y", "copy the field's value (terminal clipboard)"),
    ("+ / -", "add the field as a column / remove the last"),
];

/// What the app should do after a key in the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum DetailAction {
    /// Apply this display filter.
    ApplyFilter(String),
    /// Open the filter bar with this text.
    PrepareFilter(String),
    /// Copy this text to the clipboard.
    Copy(String),
    /// Add a column showing this field.
    AddColumn(&'static str),
    /// Remove the last added column.
    RemoveColumn,
}

/// A display filter that matches `n`'s field with its value (`ipv6.src == fe80::1`), or its
/// presence for a protocol or a field without a value.
fn filter_of(n: &dissectors::engine::tree::Node) -> Option<String> {
    use dissectors::engine::field::FieldType;
    use dissectors::engine::value::{show, Value};
    let f = n.field?;
    if f.abbrev.starts_with("_ws.") {
        return None;
    }
    Some(match &n.value {
        _ if matches!(f.ftype, FieldType::Protocol) => f.abbrev.to_string(),
        Value::None => f.abbrev.to_string(),
        Value::Str(s) => format!(
            "{} == \"{}\"",
            f.abbrev,
            s.replace('\\', "\\\\").replace('"', "\\\"")
        ),
        v => format!("{} == {}", f.abbrev, show(f, v)),
    })
}

/// One drawn line of the tree.
#[derive(Clone, Copy, Debug)]
struct RowInfo {
    id: NodeId,
    depth: u16,
    has_children: bool,
}

#[derive(Default)]
pub struct DetailTree {
    packet: Option<Arc<Packet>>,
    /// Why there is no tree (the packet's tree was dropped to bound memory, nothing selected).
    note: Option<String>,
    /// Open subtrees by their path of field abbreviations (or labels for text nodes).
    expanded: HashSet<Vec<String>>,
    rows: Vec<RowInfo>,
    selected: usize,
    pub focused: bool,
    action: Option<DetailAction>,
    offset: Cell<usize>,
    height: Cell<usize>,
}

fn node_key(tree: &Tree, id: NodeId) -> String {
    let n = tree.node(id);
    match n.field {
        Some(f) => f.abbrev.to_string(),
        None => node_label(tree, id),
    }
}

fn path_of(tree: &Tree, mut id: NodeId) -> Vec<String> {
    let mut path = vec![];
    while id != NodeId::ROOT {
        path.push(node_key(tree, id));
        match tree.parent(id) {
            Some(p) => id = p,
            None => break,
        }
    }
    path.reverse();
    path
}

fn visible_children(tree: &Tree, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
    tree.children(id)
        .filter(|(_, n)| !n.flags.hidden)
        .map(|(c, _)| c)
}

impl DetailTree {
    pub fn new() -> DetailTree {
        DetailTree {
            height: Cell::new(10),
            ..Default::default()
        }
    }

    /// Shows `packet` (or a note saying why there is none).
    pub fn set_packet(&mut self, packet: Option<Arc<Packet>>, note: Option<String>) {
        let same = match (&self.packet, &packet) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if same {
            return;
        }
        // Keep the cursor on the same kind of line (e.g. "Internet Protocol Version 6").
        let keep = self.selected_path();
        self.packet = packet;
        self.note = note;
        self.rebuild();
        self.selected = keep
            .and_then(|k| self.rows.iter().position(|r| self.path(r.id) == k))
            .unwrap_or(0);
        self.offset.set(0);
    }

    fn path(&self, id: NodeId) -> Vec<String> {
        self.packet
            .as_ref()
            .map_or_else(Vec::new, |p| path_of(&p.tree, id))
    }

    fn selected_path(&self) -> Option<Vec<String>> {
        self.rows.get(self.selected).map(|r| self.path(r.id))
    }

    /// The byte range of the selected node (for the hex pane).
    pub fn selected_range(&self) -> Option<ByteRange> {
        let p = self.packet.as_ref()?;
        let r = self.rows.get(self.selected)?;
        Some(p.tree.node(r.id).range)
    }

    /// Wireshark's status-bar text for the selected line: `Source Port (tcp.srcport), 2 bytes`.
    pub fn selected_field_info(&self) -> Option<String> {
        let p = self.packet.as_ref()?;
        let n = p.tree.node(self.rows.get(self.selected)?.id);
        let f = n.field?;
        let len = n.range.len;
        let unit = if len == 1 { "byte" } else { "bytes" };
        Some(format!("{} ({}), {len} {unit}", f.name, f.abbrev))
    }

    /// What the last key asked the app to do.
    pub fn take_action(&mut self) -> Option<DetailAction> {
        self.action.take()
    }

    fn selected_node(&self) -> Option<&dissectors::engine::tree::Node> {
        let p = self.packet.as_ref()?;
        Some(p.tree.node(self.rows.get(self.selected)?.id))
    }

    /// The action of an action key on the selected node (None: not a field).
    fn node_action(&self, c: char) -> Option<DetailAction> {
        let n = self.selected_node()?;
        Some(match c {
            'a' => DetailAction::ApplyFilter(filter_of(n)?),
            'A' => DetailAction::PrepareFilter(filter_of(n)?),
            'y' => DetailAction::Copy(match n.field {
                Some(f) if !matches!(n.value, dissectors::engine::value::Value::None) => {
                    dissectors::engine::value::show(f, &n.value)
                }
                _ => self.selected_label()?,
            }),
            '+' => DetailAction::AddColumn(n.field?.abbrev),
            _ => return None,
        })
    }

    /// The label of the selected line.
    pub fn selected_label(&self) -> Option<String> {
        let p = self.packet.as_ref()?;
        let r = self.rows.get(self.selected)?;
        Some(node_label(&p.tree, r.id))
    }

    /// The drawn lines as text (indent, marker, label), for tests and the help of others.
    pub fn lines(&self) -> Vec<String> {
        let Some(p) = &self.packet else {
            return vec![];
        };
        self.rows
            .iter()
            .map(|r| {
                format!(
                    "{}{}{}",
                    "  ".repeat(r.depth as usize),
                    self.marker(r),
                    node_label(&p.tree, r.id)
                )
            })
            .collect()
    }

    fn marker(&self, r: &RowInfo) -> &'static str {
        if !r.has_children {
            "  "
        } else if self.is_open(r.id) {
            "▼ "
        } else {
            "▶ "
        }
    }

    fn is_open(&self, id: NodeId) -> bool {
        self.expanded.contains(&self.path(id))
    }

    fn rebuild(&mut self) {
        self.rows.clear();
        let Some(p) = self.packet.clone() else {
            return;
        };
        let tree = &p.tree;
        let mut stack: Vec<(NodeId, u16)> = visible_children(tree, NodeId::ROOT)
            .map(|c| (c, 0))
            .collect();
        stack.reverse();
        let mut path: Vec<String> = vec![];
        while let Some((id, depth)) = stack.pop() {
            path.truncate(depth as usize);
            path.push(node_key(tree, id));
            let has_children = visible_children(tree, id).next().is_some();
            self.rows.push(RowInfo {
                id,
                depth,
                has_children,
            });
            if has_children && self.expanded.contains(&path) {
                let kids: Vec<_> = visible_children(tree, id).collect();
                for c in kids.into_iter().rev() {
                    stack.push((c, depth + 1));
                }
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    fn set_open(&mut self, open: bool) {
        let Some(r) = self.rows.get(self.selected).copied() else {
            return;
        };
        if !r.has_children {
            return;
        }
        let path = self.path(r.id);
        if open {
            self.expanded.insert(path);
        } else {
            self.expanded.remove(&path);
        }
        self.rebuild();
    }

    fn expand_all(&mut self) {
        let Some(p) = self.packet.clone() else {
            return;
        };
        for (id, _) in p.tree.iter() {
            if visible_children(&p.tree, id).next().is_some() {
                self.expanded.insert(path_of(&p.tree, id));
            }
        }
        self.rebuild();
    }

    fn move_to(&mut self, pos: isize) {
        if !self.rows.is_empty() {
            self.selected = pos.clamp(0, self.rows.len() as isize - 1) as usize;
        }
    }
}

impl Component for DetailTree {
    fn handle_key(&mut self, key: Key) -> bool {
        let cur = self.selected as isize;
        let page = self.height.get().max(1) as isize;
        let row = self.rows.get(self.selected).copied();
        match key.code {
            KeyCode::Char(c @ ('a' | 'A' | 'y' | '+')) => self.action = self.node_action(c),
            KeyCode::Char('-') => self.action = Some(DetailAction::RemoveColumn),
            KeyCode::Char('j') | KeyCode::Down => self.move_to(cur + 1),
            KeyCode::Char('k') | KeyCode::Up => self.move_to(cur - 1),
            KeyCode::PageDown => self.move_to(cur + page),
            KeyCode::PageUp => self.move_to(cur - page),
            KeyCode::Char('g') | KeyCode::Home => self.move_to(0),
            KeyCode::Char('G') | KeyCode::End => self.move_to(isize::MAX / 2),
            KeyCode::Enter | KeyCode::Char(' ') => {
                if let Some(r) = row {
                    let open = self.is_open(r.id);
                    self.set_open(!open);
                }
            }
            KeyCode::Right | KeyCode::Char('l') => match row {
                Some(r) if r.has_children && self.is_open(r.id) => self.move_to(cur + 1),
                _ => self.set_open(true),
            },
            KeyCode::Left | KeyCode::Char('h') => match row {
                Some(r) if r.has_children && self.is_open(r.id) => self.set_open(false),
                Some(r) if r.depth > 0 => {
                    // Go to the parent line: the nearest line above with a smaller depth.
                    let parent = self.rows[..self.selected]
                        .iter()
                        .rposition(|p| p.depth < r.depth);
                    if let Some(p) = parent {
                        self.selected = p;
                    }
                }
                _ => {}
            },
            KeyCode::Char('e') => self.expand_all(),
            KeyCode::Char('c') => {
                self.expanded.clear();
                self.rebuild();
                // The cursor goes to the top-level line it was under.
                if let Some(r) = row {
                    if let Some(p) = &self.packet {
                        let mut id = r.id;
                        while let Some(par) = p.tree.parent(id) {
                            if par == NodeId::ROOT {
                                break;
                            }
                            id = par;
                        }
                        if let Some(pos) = self.rows.iter().position(|x| x.id == id) {
                            self.selected = pos;
                        }
                    }
                }
            }
            _ => return false,
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let block = pane_block(" Packet details ", self.focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let height = inner.height as usize;
        self.height.set(height.max(1));
        let Some(p) = &self.packet else {
            let note = self.note.clone().unwrap_or_default();
            frame.render_widget(Paragraph::new(note).style(theme().dim()), inner);
            return;
        };
        let mut offset = self.offset.get();
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        self.offset.set(offset);
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(i, r)| {
                let node = p.tree.node(r.id);
                let mut style = Style::default();
                if node.field.is_some_and(|f| f.abbrev == "_ws.expert") {
                    style = style.fg(theme().warning);
                }
                if node.field.is_some_and(|f| f.abbrev == "_ws.malformed") {
                    style = style.fg(theme().error);
                }
                if i == self.selected {
                    style = if self.focused {
                        theme().selection()
                    } else {
                        style.add_modifier(Modifier::REVERSED)
                    };
                }
                Line::from(vec![
                    Span::raw("  ".repeat(r.depth as usize)),
                    Span::styled(self.marker(r), theme().dim()),
                    Span::styled(node_label(&p.tree, r.id), style),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }

    /// A click selects a line; a click on its ▶/▼ marker, or on the line already selected,
    /// opens or closes it.
    fn handle_mouse(&mut self, m: MouseEvent, area: Rect) -> bool {
        let cur = self.selected as isize;
        match m.kind {
            MouseEventKind::ScrollDown => self.move_to(cur + 3),
            MouseEventKind::ScrollUp => self.move_to(cur - 3),
            MouseEventKind::Down(_) => {
                let inner = area.y + 1;
                if m.row < inner || m.row + 1 >= area.bottom() {
                    return false;
                }
                let pos = self.offset.get() + (m.row - inner) as usize;
                let Some(r) = self.rows.get(pos).copied() else {
                    return false;
                };
                let marker = area
                    .x
                    .saturating_add(1)
                    .saturating_add(r.depth.saturating_mul(2));
                let on_marker = m.column >= marker && m.column < marker.saturating_add(2);
                let again = pos == self.selected;
                self.selected = pos;
                if r.has_children && (on_marker || again) {
                    let open = self.is_open(r.id);
                    self.set_open(!open);
                }
            }
            _ => return false,
        }
        true
    }
}
