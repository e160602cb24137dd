//! The hex pane: every data source of the selected packet (the frame, and buffers dissectors
//! built: decompressed 6LoWPAN headers, reassembled datagrams), one at a time with tabs when
//! there are several. The bytes of the selected tree node are highlighted, and selecting a node
//! switches to the source its bytes are in.

use super::{pane_block, Component, Key};
use crate::tui::theme::theme;
use crossterm::event::{KeyCode, MouseEvent, MouseEventKind};
use dissectors::engine::tree::ByteRange;
use dissectors::engine::Packet;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};
use ratatui::Frame;
use std::cell::Cell;
use std::sync::Arc;

const KEYS: &[(&str, &str)] = &[
    ("j/k ↑/↓", "scroll"),
    ("PgUp/PgDn g/G", "page, top/bottom"),
    ("←/→ [ ]", "previous/next data source"),
];

/// Style of highlighted bytes (the selected node's range).
pub fn highlight_style() -> Style {
    theme().selection().add_modifier(Modifier::BOLD)
}

#[derive(Default)]
pub struct HexPane {
    packet: Option<Arc<Packet>>,
    /// Index of the source shown.
    source: usize,
    highlight: Option<ByteRange>,
    pub focused: bool,
    offset: Cell<usize>,
    height: Cell<usize>,
}

impl HexPane {
    pub fn new() -> HexPane {
        HexPane {
            height: Cell::new(8),
            ..Default::default()
        }
    }

    pub fn set_packet(&mut self, packet: Option<Arc<Packet>>) {
        let same = match (&self.packet, &packet) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if !same {
            self.packet = packet;
            self.source = 0;
            self.highlight = None;
            self.offset.set(0);
        }
    }

    /// Highlights `range` and shows its source, scrolled so the range is in view.
    pub fn set_highlight(&mut self, range: Option<ByteRange>) {
        if range == self.highlight {
            return;
        }
        self.highlight = range;
        let Some(r) = range else { return };
        let n = self.packet.as_ref().map_or(0, |p| p.sources.len());
        if (r.source as usize) < n {
            self.source = r.source as usize;
        }
        if r.len > 0 {
            let first = r.start as usize / 16;
            let last = (r.end() as usize).saturating_sub(1) / 16;
            let h = self.height.get().max(1);
            let off = self.offset.get();
            if first < off || last >= off + h {
                self.offset.set(if last - first < h {
                    (last + 1)
                        .saturating_sub(h)
                        .max(first.saturating_sub(h / 2))
                        .min(first)
                } else {
                    first
                });
            }
        }
    }

    pub fn source_index(&self) -> usize {
        self.source
    }

    fn data_len(&self) -> usize {
        self.packet
            .as_ref()
            .and_then(|p| p.sources.get(self.source))
            .map_or(0, |s| s.data.len())
    }

    fn scroll(&mut self, by: isize) {
        let lines = self.data_len().div_ceil(16);
        let max = lines.saturating_sub(self.height.get()) as isize;
        let o = (self.offset.get() as isize + by).clamp(0, max.max(0));
        self.offset.set(o as usize);
    }

    fn switch(&mut self, by: isize) {
        let n = self.packet.as_ref().map_or(0, |p| p.sources.len()) as isize;
        if n > 1 {
            self.source = (self.source as isize + by).rem_euclid(n) as usize;
            self.offset.set(0);
        }
    }
}

impl Component for HexPane {
    fn handle_key(&mut self, key: Key) -> bool {
        let page = self.height.get().max(1) as isize;
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => self.scroll(1),
            KeyCode::Char('k') | KeyCode::Up => self.scroll(-1),
            KeyCode::PageDown => self.scroll(page),
            KeyCode::PageUp => self.scroll(-page),
            KeyCode::Char('g') | KeyCode::Home => self.offset.set(0),
            KeyCode::Char('G') | KeyCode::End => self.scroll(isize::MAX / 2),
            KeyCode::Right | KeyCode::Char(']') | KeyCode::Char('l') => self.switch(1),
            KeyCode::Left | KeyCode::Char('[') | KeyCode::Char('h') => self.switch(-1),
            _ => return false,
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let block = pane_block(" Bytes ", self.focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(p) = &self.packet else { return };
        let mut body = inner;
        if p.sources.len() > 1 {
            let [tabs, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas::<2>(inner);
            let titles: Vec<String> = p.sources.iter().map(|s| s.name()).collect();
            frame.render_widget(
                Tabs::new(titles)
                    .select(self.source)
                    .highlight_style(Style::default().add_modifier(Modifier::REVERSED)),
                tabs,
            );
            body = rest;
        }
        let Some(src) = p.sources.get(self.source) else {
            return;
        };
        let height = body.height as usize;
        self.height.set(height.max(1));
        let hl = self
            .highlight
            .filter(|r| r.source as usize == self.source && r.len > 0);
        let lit = |i: usize| hl.is_some_and(|r| i >= r.start as usize && i < r.end() as usize);
        let plain = Style::default();
        let lines: Vec<Line> = src
            .data
            .chunks(16)
            .enumerate()
            .skip(self.offset.get())
            .take(height)
            .map(|(row, chunk)| {
                let base = row * 16;
                let mut spans = vec![Span::styled(format!("{base:04x}  "), theme().dim())];
                for j in 0..16 {
                    match chunk.get(j) {
                        Some(b) => {
                            let st = if lit(base + j) {
                                highlight_style()
                            } else {
                                plain
                            };
                            spans.push(Span::styled(format!("{b:02x}"), st));
                            // The gap between two highlighted bytes is highlighted too.
                            let gap = if lit(base + j) && j < 15 && lit(base + j + 1) {
                                highlight_style()
                            } else {
                                plain
                            };
                            spans.push(Span::styled(" ", gap));
                        }
                        None => spans.push(Span::raw("   ")),
                    }
                    if j == 7 {
                        spans.push(Span::raw(" "));
                    }
                }
                spans.push(Span::raw("  "));
                for (j, b) in chunk.iter().enumerate() {
                    let c = if b.is_ascii_graphic() || *b == b' ' {
                        *b as char
                    } else {
                        '.'
                    };
                    let st = if lit(base + j) {
                        highlight_style()
                    } else {
                        plain
                    };
                    spans.push(Span::styled(c.to_string(), st));
                }
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), body);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }

    fn handle_mouse(&mut self, m: MouseEvent, _area: Rect) -> bool {
        match m.kind {
            MouseEventKind::ScrollDown => self.scroll(3),
            MouseEventKind::ScrollUp => self.scroll(-3),
            _ => return false,
        }
        true
    }
}
