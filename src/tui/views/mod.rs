//! The network views: full-screen components opened from the packet list by a key (`t` RPL
//! topology, `L` link health, `s` statistics, `F` follow stream, `C` channel survey), drawn
//! above a short packet list that they can steer.
//!
//! A view is a [`Component`] like the panes (own state, keys it consumes, its key list for the
//! help) plus [`View::take_action`]: what it asks of the app (apply a display filter, select a
//! frame in the packet list). Views draw from [`analysis::Models`], the `-z` statistics
//! computed in the background, so a view shows the same numbers as its `-z` twin. The app
//! knows views only through [`Views`]: the registry of keys ([`VIEW_KEYS`]), the one open view,
//! and the analysis they share, so adding a view touches this module only.

pub mod analysis;
pub mod follow;
pub mod links;
pub mod stats;
pub mod survey;
pub mod table;
pub mod topology;

use super::loader::LoadConfig;
use super::{Component, Key};
use analysis::Analysis;
use crossterm::event::KeyCode;
use dissectors::engine::Packet;
use ratatui::layout::Rect;
use ratatui::Frame;
use std::path::PathBuf;
use std::sync::Arc;

/// What a view asks the app to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Apply this display filter to the packet list.
    Filter(String),
    /// Select this frame (1-based number) in the packet list.
    Select(u64),
}

/// A full-screen view.
pub trait View: Component {
    /// Takes what the view asks of the app since the last call.
    fn take_action(&mut self) -> Option<Action> {
        None
    }
    /// A frame was selected in the packet list (a view may follow it).
    fn packet_selected(&mut self, _frame: u64) {}
}

/// Keys that open views from the packet list, for the key bar and the help.
pub const VIEW_KEYS: &[(&str, &str)] = &[
    ("t", "RPL topology over time (DODAG, events)"),
    ("L", "802.15.4 link health"),
    (
        "s",
        "statistics (hierarchy, conversations, I/O, CoAP, MQTT, 6LoWPAN)",
    ),
    (
        "F",
        "follow the selected packet's stream (TCP, UDP, CoAP, MQTT)",
    ),
    ("C", "channel survey (live capture with a dongle)"),
];

/// Keys every open view shares.
pub const CLOSE_KEYS: &[(&str, &str)] = &[("Esc q", "close the view")];

/// What a view is opened on.
pub struct Context<'a> {
    /// The capture file (None for a live capture).
    pub path: Option<&'a PathBuf>,
    pub cfg: &'a LoadConfig,
    /// The packet selected in the list, when its tree is kept.
    pub selected: Option<Arc<Packet>>,
    /// Packets the UI keeps (a live capture's analysis starts with them).
    pub kept: Vec<Arc<Packet>>,
    /// The display filter applied to the list.
    pub filter: &'a str,
}

/// The open view, the analysis the views share, and a channel survey source if any.
#[derive(Default)]
pub struct Views {
    open: Option<Box<dyn View>>,
    analysis: Option<Arc<Analysis>>,
    survey: Option<Arc<dyn survey::SurveySource>>,
}

impl Views {
    pub fn new() -> Views {
        Views::default()
    }

    /// A channel survey to show with `C` (the dongles provide it).
    pub fn set_survey(&mut self, s: Arc<dyn survey::SurveySource>) {
        self.survey = Some(s);
    }

    /// Uses `a` as the views' analysis (tests feed it synchronously).
    pub fn set_analysis(&mut self, a: Analysis) {
        self.analysis = Some(Arc::new(a));
    }

    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    fn analysis(&mut self, cx: &Context) -> Arc<Analysis> {
        self.analysis
            .get_or_insert_with(|| {
                Arc::new(match cx.path {
                    Some(p) => Analysis::of_file(p.clone(), cx.cfg.clone()),
                    None => Analysis::of_stream(cx.kept.clone()),
                })
            })
            .clone()
    }

    /// Opens the view bound to `key`; false when no view has that key.
    pub fn open(&mut self, key: Key, cx: Context) -> bool {
        let view: Box<dyn View> = match key.code {
            KeyCode::Char('t') => Box::new(topology::TopologyView::new(self.analysis(&cx))),
            KeyCode::Char('L') => Box::new(links::LinksView::new(self.analysis(&cx))),
            KeyCode::Char('s') => Box::new(stats::StatsView::new(self.analysis(&cx))),
            KeyCode::Char('F') => Box::new(follow::FollowView::open(&cx)),
            KeyCode::Char('C') => Box::new(survey::SurveyView::new(self.survey.clone())),
            _ => return false,
        };
        self.open = Some(view);
        true
    }

    /// Gives a key to the open view; Esc and q close it. Returns whether it was consumed.
    pub fn handle_key(&mut self, key: Key) -> bool {
        let Some(v) = self.open.as_mut() else {
            return false;
        };
        if v.handle_key(key) {
            return true;
        }
        if matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) {
            self.open = None;
            return true;
        }
        false
    }

    pub fn take_action(&mut self) -> Option<Action> {
        self.open.as_mut().and_then(|v| v.take_action())
    }

    pub fn packet_selected(&mut self, frame: u64) {
        if let Some(v) = self.open.as_mut() {
            v.packet_selected(frame);
        }
    }

    /// A packet of a live capture, for the analysis (when one runs).
    pub fn live_packet(&self, p: &Arc<Packet>) {
        if let Some(a) = &self.analysis {
            a.packet(p);
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        if let Some(v) = &self.open {
            v.draw(frame, area);
        }
    }

    /// The open view's keys.
    pub fn keys(&self) -> &'static [(&'static str, &'static str)] {
        self.open.as_ref().map_or(&[], |v| v.keys())
    }
}

/// The progress line views show while the analysis runs.
pub fn progress(m: &analysis::Models) -> String {
    match (&m.problem, m.done) {
        (Some(p), _) => format!("{} packets analysed; stopped: {p}", m.packets),
        (None, true) => format!("{} packets", m.packets),
        (None, false) => format!("{} packets analysed so far…", m.packets),
    }
}

#[cfg(test)]
mod tests;
