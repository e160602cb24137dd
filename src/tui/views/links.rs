//! `L`: 802.15.4 link health, one row per link (source → destination): frames, FCS failures,
//! retransmissions, acks requested but not seen, RSSI and LQI min/mean/max. Weak links are red,
//! asymmetric ones (the two directions sound very different) yellow. `o` changes the sort
//! column, `r` reverses it; Enter filters the packet list to the link. The same model as
//! `-z wpan,links` (`dissectors::analysis::links`).

use super::analysis::Analysis;
use super::table::{table, Selection};
use super::{progress, Action, View};
use crate::tui::theme::theme;
use crate::tui::{pane_block, Component, Key};
use crossterm::event::KeyCode;
use dissectors::analysis::links::{Link, LinkStats};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::Arc;

const KEYS: &[(&str, &str)] = &[
    ("o / r", "sort by the next column / reverse"),
    ("Enter", "filter the packet list to the link"),
    ("j/k ↑/↓", "next/previous link"),
    ("Esc q", "close the view"),
];

/// Sortable columns: (header, how to compare two links).
type ByColumn = fn(&Link, &Link) -> Ordering;

fn mean_cmp(a: Option<f64>, b: Option<f64>) -> Ordering {
    a.unwrap_or(f64::MIN).total_cmp(&b.unwrap_or(f64::MIN))
}

const COLUMNS: &[(&str, ByColumn)] = &[
    ("Frames", |a, b| a.frames.cmp(&b.frames)),
    ("Loss", |a, b| a.loss().total_cmp(&b.loss())),
    ("Bad FCS", |a, b| a.fcs_bad.cmp(&b.fcs_bad)),
    ("Retries", |a, b| a.retries.cmp(&b.retries)),
    ("No ACK", |a, b| a.acks_missing.cmp(&b.acks_missing)),
    ("RSSI", |a, b| mean_cmp(a.rssi.mean(), b.rssi.mean())),
    ("LQI", |a, b| mean_cmp(a.lqi.mean(), b.lqi.mean())),
];

pub struct LinksView {
    analysis: Arc<Analysis>,
    rows: Selection,
    sort: usize,
    ascending: bool,
    action: Option<Action>,
    /// How many links were drawn last (for the row keys).
    drawn: RefCell<usize>,
}

impl LinksView {
    pub fn new(analysis: Arc<Analysis>) -> LinksView {
        LinksView {
            analysis,
            rows: Selection::default(),
            sort: 0,
            ascending: false,
            action: None,
            drawn: RefCell::default(),
        }
    }

    /// The links in the chosen order (ties by addresses, so the order is stable).
    fn sorted<'a>(&self, stats: &'a LinkStats) -> Vec<&'a Link> {
        let mut v = stats.links();
        let by = COLUMNS[self.sort].1;
        v.sort_by(|a, b| {
            let o = by(a, b).then_with(|| (a.src, a.dst).cmp(&(b.src, b.dst)));
            if self.ascending {
                o
            } else {
                o.reverse()
            }
        });
        v
    }

    fn row(stats: &LinkStats, l: &Link) -> Row<'static> {
        let flags = stats.flags(l);
        let style = if flags.contains(&"weak") {
            theme().error()
        } else if flags.contains(&"asymmetric") {
            theme().warning()
        } else {
            Style::default()
        };
        let dst = if l.dst.is_none() {
            "(none)".to_string()
        } else {
            l.dst.to_string()
        };
        Row::new(vec![
            Cell::from(l.src.to_string()),
            Cell::from(dst),
            Cell::from(l.frames.to_string()),
            Cell::from(format!("{:.0}%", l.loss() * 100.0)),
            Cell::from(l.fcs_bad.to_string()),
            Cell::from(l.retries.to_string()),
            Cell::from(l.acks_missing.to_string()),
            Cell::from(l.rssi.text()),
            Cell::from(l.lqi.text()),
            Cell::from(flags.join(", ")),
        ])
        .style(style)
    }
}

impl Component for LinksView {
    fn handle_key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Char('o') => self.sort = (self.sort + 1) % COLUMNS.len(),
            KeyCode::Char('r') => self.ascending = !self.ascending,
            KeyCode::Enter => {
                let m = self.analysis.models();
                let links = self.sorted(m.links.model());
                if let Some(i) = self.rows.get(links.len()) {
                    self.action = Some(Action::Filter(links[i].filter()));
                }
            }
            _ => {
                let len = *self.drawn.borrow();
                return self.rows.handle_key(key, len);
            }
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let m = self.analysis.models();
        let stats = m.links.model();
        let links = self.sorted(stats);
        *self.drawn.borrow_mut() = links.len();
        let dir = if self.ascending { "↑" } else { "↓" };
        let title = format!(
            " 802.15.4 links · {} · sorted by {} {dir} · {} ",
            links.len(),
            COLUMNS[self.sort].0,
            progress(&m)
        );
        let block = pane_block(&title, true);
        let inner = block.inner(area);
        let window = self
            .rows
            .window(links.len(), inner.height.saturating_sub(1) as usize);
        let sel = self.rows.get(links.len());
        let rows: Vec<Row> = window
            .clone()
            .map(|i| {
                let r = Self::row(stats, links[i]);
                if Some(i) == sel {
                    r.style(theme().selection())
                } else {
                    r
                }
            })
            .collect();
        let header = [
            "Source",
            "Destination",
            "Frames",
            "Loss",
            "Bad FCS",
            "Retries",
            "No ACK",
            "RSSI dBm",
            "LQI",
            "Notes",
        ];
        let widths = [
            Constraint::Length(23),
            Constraint::Length(23),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Fill(1),
        ];
        frame.render_widget(table(rows, widths, header).block(block), area);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }
}

impl View for LinksView {
    fn take_action(&mut self) -> Option<Action> {
        self.action.take()
    }
}
