//! The packet list: one row per displayed packet (No., Time, Source, Destination, Protocol,
//! Length, Info), coloured by protocol like Wireshark's default colouring rules.

use super::loader::{Class, Summary};
use super::{pane_block, Component, Key};
use crossterm::event::{KeyCode, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;
use std::cell::Cell as StdCell;

const KEYS: &[(&str, &str)] = &[
    ("j/k ↑/↓", "next/previous packet"),
    ("PgUp/PgDn", "page up/down"),
    ("g/G Home/End", "first/last packet (G follows new packets)"),
    ("f", "follow new packets on/off"),
    ("Enter", "go to the packet's details"),
];

/// Row colours (background, foreground), after Wireshark's default colouring rules.
pub fn class_style(c: Class) -> Style {
    let (bg, fg) = match c {
        Class::Error => (Color::Rgb(0xa4, 0x00, 0x00), Color::Rgb(0xff, 0xfc, 0x9c)),
        Class::TcpFlags => (Color::Rgb(0xa0, 0xa0, 0xa0), Color::Rgb(0x12, 0x12, 0x12)),
        Class::Tcp => (Color::Rgb(0xe7, 0xe6, 0xff), Color::Rgb(0x12, 0x12, 0x12)),
        Class::Udp => (Color::Rgb(0xda, 0xee, 0xff), Color::Rgb(0x12, 0x12, 0x12)),
        Class::Icmp => (Color::Rgb(0xfc, 0xe0, 0xff), Color::Rgb(0x12, 0x12, 0x12)),
        Class::Routing => (Color::Rgb(0xff, 0xf3, 0xd6), Color::Rgb(0x12, 0x12, 0x12)),
        Class::Wpan => (Color::Rgb(0xe4, 0xff, 0xc7), Color::Rgb(0x12, 0x12, 0x12)),
        Class::Arp => (Color::Rgb(0xfa, 0xf0, 0xd7), Color::Rgb(0x12, 0x12, 0x12)),
        Class::Other => return Style::default(),
    };
    Style::default().bg(bg).fg(fg)
}

#[derive(Default)]
pub struct PacketList {
    /// Every packet read, in file order.
    rows: Vec<Summary>,
    /// Indices into `rows` of the displayed packets.
    shown: Vec<usize>,
    /// Index into `shown` of the selected row.
    selected: Option<usize>,
    /// Keep the last row selected as packets arrive.
    pub follow: bool,
    pub focused: bool,
    /// First row drawn and rows that fit, updated by `draw` (which only has `&self`).
    offset: StdCell<usize>,
    height: StdCell<usize>,
}

impl PacketList {
    pub fn new() -> PacketList {
        PacketList {
            height: StdCell::new(20),
            ..Default::default()
        }
    }

    /// Adds a packet read; `shown` says whether it passes the current filter.
    pub fn push(&mut self, s: Summary, shown: bool) {
        self.rows.push(s);
        if shown {
            self.shown.push(self.rows.len() - 1);
            if self.selected.is_none() || self.follow {
                self.selected = Some(self.shown.len() - 1);
            }
        }
    }

    /// Replaces the displayed set (after a filter), keeping the selected packet when it is
    /// still shown, else the nearest one after it.
    pub fn set_shown(&mut self, shown: Vec<usize>) {
        let keep = self.selected_index();
        self.shown = shown;
        self.selected = if self.shown.is_empty() {
            None
        } else {
            let pos = keep.map_or(0, |k| self.shown.partition_point(|&i| i < k));
            Some(pos.min(self.shown.len() - 1))
        };
        self.offset.set(0);
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    pub fn shown_count(&self) -> usize {
        self.shown.len()
    }

    /// Index into all rows (0-based file order) of the selected packet.
    pub fn selected_index(&self) -> Option<usize> {
        self.selected.and_then(|s| self.shown.get(s).copied())
    }

    /// Selects the packet at file index `i` (0-based) if it is displayed, else the nearest
    /// displayed one after it; returns whether anything was selected.
    pub fn select_file_index(&mut self, i: usize) -> bool {
        if self.shown.is_empty() {
            return false;
        }
        let pos = self.shown.partition_point(|&k| k < i);
        self.follow = false;
        self.selected = Some(pos.min(self.shown.len() - 1));
        true
    }

    pub fn selected_row(&self) -> Option<&Summary> {
        self.selected_index().map(|i| &self.rows[i])
    }

    fn select(&mut self, pos: isize) {
        if self.shown.is_empty() {
            return;
        }
        let last = self.shown.len() as isize - 1;
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
        offset = offset.min(self.shown.len().saturating_sub(height));
        self.offset.set(offset);
        let end = (offset + height).min(self.shown.len());
        let rows = self.shown[offset..end].iter().enumerate().map(|(k, &i)| {
            let r = &self.rows[i];
            let mut style = class_style(r.class);
            if self.selected == Some(offset + k) {
                style = if self.focused {
                    Style::default()
                        .bg(Color::Rgb(0x2f, 0x5f, 0xbf))
                        .fg(Color::White)
                } else {
                    style.add_modifier(Modifier::REVERSED)
                };
            }
            Row::new(vec![
                Cell::from(Line::from(r.number.to_string()).right_aligned()),
                Cell::from(Line::from(r.time.clone()).right_aligned()),
                Cell::from(r.src.clone()),
                Cell::from(r.dst.clone()),
                Cell::from(r.protocol.clone()),
                Cell::from(Line::from(r.len.to_string()).right_aligned()),
                Cell::from(r.info.clone()),
            ])
            .style(style)
        });
        // Address columns as wide as the widest address on screen (IPv6 needs 39), at least
        // the header's width.
        let fit = |f: fn(&Summary) -> usize, min: usize| {
            self.shown[offset..end]
                .iter()
                .map(|&i| f(&self.rows[i]))
                .max()
                .unwrap_or(0)
                .clamp(min, 39) as u16
        };
        let widths = [
            Constraint::Length(6),
            Constraint::Length(12),
            Constraint::Length(fit(|r| r.src.chars().count(), 11)),
            Constraint::Length(fit(|r| r.dst.chars().count(), 11)),
            Constraint::Length(fit(|r| r.protocol.chars().count(), 8)),
            Constraint::Length(6),
            Constraint::Fill(1),
        ];
        let header = Row::new(vec![
            "No.",
            "Time",
            "Source",
            "Destination",
            "Protocol",
            "Length",
            "Info",
        ])
        .style(Style::default().add_modifier(Modifier::BOLD));
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .block(block);
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
                if pos >= self.shown.len() {
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
