//! The packet list: one row per displayed packet (No., Time, Source, Destination, Protocol,
//! Length, Info), coloured by protocol like Wireshark's default colouring rules.

use super::loader::{Class, Summary};
use super::rows::RowSource;
use super::views::table::table;
use super::{pane_block, Component, Key};
use crate::tui::theme::theme;
use crossterm::event::{KeyCode, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;
use std::cell::Cell as StdCell;
use std::rc::Rc;

const KEYS: &[(&str, &str)] = &[
    ("j/k ↑/↓", "next/previous packet"),
    ("PgUp/PgDn", "page up/down"),
    ("g/G Home/End", "first/last packet (G follows new packets)"),
    ("f", "follow new packets on/off"),
    ("Enter", "go to the packet's details"),
];

/// Row colours of a class (from the theme).
pub fn class_style(c: Class) -> Style {
    theme().row(c)
}

/// Which frames the list shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    /// Every frame read (no filter): nothing stored per frame.
    All,
    /// These frames (0-based file indices, ascending).
    Only(Vec<u32>),
}

pub struct PacketList {
    /// Formats the rows that are drawn (None: an empty list, in tests of other panes).
    source: Option<Rc<RowSource>>,
    /// Frames read so far.
    total: usize,
    shown: Shown,
    /// Index into the displayed rows of the selected one.
    selected: Option<usize>,
    /// Keep the last row selected as packets arrive.
    pub follow: bool,
    pub focused: bool,
    /// First row drawn and rows that fit, updated by `draw` (which only has `&self`).
    offset: StdCell<usize>,
    height: StdCell<usize>,
}

impl PacketList {
    pub fn new(source: Option<Rc<RowSource>>) -> PacketList {
        PacketList {
            source,
            total: 0,
            shown: Shown::All,
            selected: None,
            follow: false,
            focused: false,
            offset: StdCell::new(0),
            height: StdCell::new(20),
        }
    }

    /// Frames read so far (the displayed ones grow with it when there is no filter).
    pub fn set_total(&mut self, total: usize) {
        self.total = total;
        if self.shown == Shown::All {
            self.grown();
        }
    }

    /// Adds frames that pass the filter (ascending, after those shown).
    pub fn push_shown(&mut self, more: &[u32]) {
        if let Shown::Only(v) = &mut self.shown {
            v.extend_from_slice(more);
            self.grown();
        }
    }

    /// Rows were added: select the first one, or the last when following.
    fn grown(&mut self) {
        let n = self.shown_count();
        if n > 0 && (self.selected.is_none() || self.follow) {
            self.selected = Some(if self.follow { n - 1 } else { 0 });
        }
    }

    /// Replaces the displayed set (after a filter), keeping the selected packet when it is
    /// still shown, else the nearest one after it.
    pub fn set_shown(&mut self, shown: Shown) {
        let keep = self.selected_index();
        self.shown = shown;
        let n = self.shown_count();
        self.selected = if n == 0 {
            None
        } else {
            let pos = keep.map_or(0, |k| self.position_of(k));
            Some(pos.min(n - 1))
        };
        self.offset.set(0);
    }

    pub fn shown(&self) -> &Shown {
        &self.shown
    }

    /// Position among the displayed rows of file index `i`, or of the first one after it.
    fn position_of(&self, i: usize) -> usize {
        match &self.shown {
            Shown::All => i,
            Shown::Only(v) => v.partition_point(|&k| (k as usize) < i),
        }
    }

    /// File index of the displayed row at `pos`.
    fn index_at(&self, pos: usize) -> Option<usize> {
        match &self.shown {
            Shown::All => (pos < self.total).then_some(pos),
            Shown::Only(v) => v.get(pos).map(|&i| i as usize),
        }
    }

    pub fn total(&self) -> usize {
        self.total
    }

    pub fn shown_count(&self) -> usize {
        match &self.shown {
            Shown::All => self.total,
            Shown::Only(v) => v.len(),
        }
    }

    /// Index into all rows (0-based file order) of the selected packet.
    pub fn selected_index(&self) -> Option<usize> {
        self.selected.and_then(|s| self.index_at(s))
    }

    /// Selects the packet at file index `i` (0-based) if it is displayed, else the nearest
    /// displayed one after it; returns whether anything was selected.
    pub fn select_file_index(&mut self, i: usize) -> bool {
        let n = self.shown_count();
        if n == 0 {
            return false;
        }
        self.follow = false;
        self.selected = Some(self.position_of(i).min(n - 1));
        true
    }

    /// The selected row, formatted.
    pub fn selected_row(&self) -> Option<Summary> {
        let i = self.selected_index()?;
        self.source.as_ref()?.row(i)
    }

    fn select(&mut self, pos: isize) {
        let n = self.shown_count();
        if n == 0 {
            return;
        }
        let last = n as isize - 1;
        self.selected = Some(pos.clamp(0, last) as usize);
        self.follow = pos >= last && self.follow;
    }
}

impl Component for PacketList {
    fn handle_key(&mut self, key: Key) -> bool {
        let cur = self.selected.map_or(-1, |s| s as isize);
        let page = self.height.get().max(1) as isize;
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => self.select(cur + 1),
            KeyCode::Char('k') | KeyCode::Up => self.select(cur - 1),
            KeyCode::PageDown => self.select(cur + page),
            KeyCode::PageUp => self.select(cur - page),
            KeyCode::Char('g') | KeyCode::Home => {
                self.follow = false;
                self.select(0)
            }
            KeyCode::Char('G') | KeyCode::End => {
                self.follow = true;
                self.select(isize::MAX / 2)
            }
            KeyCode::Char('f') => {
                self.follow = !self.follow;
                if self.follow {
                    self.select(isize::MAX / 2)
                }
            }
            _ => return false,
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let title = if self.follow {
            " Packets (following) "
        } else {
            " Packets "
        };
        let block = pane_block(title, self.focused);
        let inner = block.inner(area);
        let height = (inner.height as usize).saturating_sub(1).max(1);
        self.height.set(height);
        // Scroll just enough to keep the selection visible.
        let mut offset = self.offset.get();
        if let Some(sel) = self.selected {
            if sel < offset {
                offset = sel;
            } else if sel >= offset + height {
                offset = sel + 1 - height;
            }
        }
        offset = offset.min(self.shown_count().saturating_sub(height));
        self.offset.set(offset);
        let end = (offset + height).min(self.shown_count());
        let rows: Vec<Summary> = (offset..end)
            .filter_map(|pos| self.source.as_ref()?.row(self.index_at(pos)?))
            .collect();
        // Address columns as wide as the widest address on screen (IPv6 needs 39), at least
        // the header's width.
        let fit = |f: fn(&Summary) -> usize, min: usize| {
            rows.iter().map(f).max().unwrap_or(0).clamp(min, 39) as u16
        };
        // The No. column as wide as the largest number (ten million has 8 digits), at least 6.
        let digits = (self.total.max(1).ilog10() + 1).max(6) as u16;
        let columns = self.source.as_ref().map_or_else(Vec::new, |s| s.columns());
        let mut widths = vec![
            Constraint::Length(digits),
            Constraint::Length(12),
            Constraint::Length(fit(|r| r.src.chars().count(), 11)),
            Constraint::Length(fit(|r| r.dst.chars().count(), 11)),
            Constraint::Length(fit(|r| r.protocol.chars().count(), 8)),
            Constraint::Length(6),
        ];
        for (k, f) in columns.iter().enumerate() {
            let widest = rows
                .iter()
                .filter_map(|r| r.extra.get(k))
                .map(|t| t.chars().count());
            let w = widest.max().unwrap_or(0).clamp(f.abbrev.len(), 30);
            widths.push(Constraint::Length(w as u16));
        }
        widths.push(Constraint::Fill(1));
        let table_rows = rows.into_iter().enumerate().map(|(k, r)| {
            let mut style = class_style(r.class);
            if self.selected == Some(offset + k) {
                style = if self.focused {
                    theme().selection()
                } else {
                    theme().selection_unfocused(style)
                };
            }
            let mut cells = vec![
                Cell::from(Line::from(r.number.to_string()).right_aligned()),
                Cell::from(Line::from(r.time).right_aligned()),
                Cell::from(r.src),
                Cell::from(r.dst),
                Cell::from(r.protocol),
                Cell::from(Line::from(r.len.to_string()).right_aligned()),
            ];
            cells.extend(r.extra.into_iter().map(Cell::from));
            cells.push(Cell::from(r.info));
            Row::new(cells).style(style)
        });
        let mut names = vec!["No.", "Time", "Source", "Destination", "Protocol", "Length"];
        names.extend(columns.iter().map(|f| f.abbrev));
        names.push("Info");
        let table = table(table_rows.collect(), widths, names).block(block);
        frame.render_widget(table, area);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }

    fn handle_mouse(&mut self, m: MouseEvent, area: Rect) -> bool {
        let cur = self.selected.map_or(0, |s| s as isize);
        match m.kind {
            MouseEventKind::ScrollDown => self.select(cur + 3),
            MouseEventKind::ScrollUp => self.select(cur - 3),
            MouseEventKind::Down(_) => {
                // Rows start under the top border and the header.
                let first = area.y + 2;
                if m.row < first || m.row + 1 >= area.bottom() {
                    return false;
                }
                let pos = self.offset.get() + (m.row - first) as usize;
                if pos >= self.shown_count() {
                    return false;
                }
                self.follow = false;
                self.select(pos as isize);
            }
            _ => return false,
        }
        true
    }
}
