//! The interactive terminal UI (`lowshark FILE` on a terminal without an output option).
//!
//! Layout, top to bottom: the display filter bar, the packet list, the detail tree of the
//! selected packet, the hex pane, a status line and a key bar. Each pane is a [`Component`] with
//! its own state, its key handling and its key list. A key goes through the components in a
//! fixed order until one says it consumed it: the help overlay, the save prompt, the filter bar
//! (both only while open), the open view, the view keys, the focused pane, and last the focus
//! ring with the global keys (Tab, `/`, `w`, `?`, `q`); see [`App::handle_key`]. Colours come
//! from one [`theme::Theme`]. The key bar and the `?` help are built from the components'
//! `keys()`, so help cannot go stale. The mouse works too: a click focuses the pane under it
//! and selects there (a click on a tree line's marker opens it), the wheel scrolls.
//!
//! Loading and scale (see [`frames`] and [`rows`] for the details): an indexer thread reads
//! the capture into a compact frame store (32 bytes a frame plus its bytes), so the list is
//! scrollable as soon as the first frames are read; a first-pass thread dissects every frame
//! once, in order, and records an engine snapshot every few thousand frames. Rows are
//! formatted when drawn and the detail tree is built when a packet is selected, both by
//! dissecting again from the nearest snapshot; nothing per row is kept. A display filter runs
//! on every core, each from the snapshot before its share of the frames. A live capture goes
//! through the same store; its packets also feed the views as the first pass dissects them.

pub mod detail;
pub mod filter_bar;
pub mod frames;
pub mod hex;
pub mod loader;
pub mod packet_list;
pub mod rows;
pub mod save;
pub mod theme;
pub mod views;

use crate::capture::{CaptureError, CaptureReader};
use crate::output::text::TimeFormat;
use crate::tui::theme::theme;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use detail::{DetailAction, DetailTree};
use dissectors::engine::registry::Registry;
use dissectors::engine::{Packet, Prefs};
use dissectors::filter::Filter;
use filter_bar::{FilterAction, FilterBar};
use hex::HexPane;
use loader::{LoadConfig, Msg};
use packet_list::PacketList;
use packet_list::Shown;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use ratatui::Frame;
use rows::{Capture, LiveFilter, PassOutput, RowSource};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Packets of a live capture kept for the views opened later (the views see every packet
/// from then on).
pub const MAX_TREES: usize = 20_000;

/// Frames a filter is applied to at once, in the UI thread (a few tens of milliseconds).
pub const INLINE_FILTER_MAX: usize = 20_000;

/// A key press as the components see it.
pub type Key = KeyEvent;

/// A pane of the UI.
pub trait Component {
    /// Handles a key; returns whether it was consumed (else the app's global keys see it).
    fn handle_key(&mut self, key: Key) -> bool;
    /// Draws the component into `area`.
    fn draw(&self, frame: &mut Frame, area: Rect);
    /// The component's key bindings (key, what it does), for the key bar and the help.
    fn keys(&self) -> &'static [(&'static str, &'static str)];
    /// Handles a mouse event over the component, drawn last in `area`; returns whether consumed.
    fn handle_mouse(&mut self, _ev: MouseEvent, _area: Rect) -> bool {
        false
    }
}

/// Keys that work everywhere (unless the filter bar is being edited).
pub const GLOBAL_KEYS: &[(&str, &str)] = &[
    ("Tab/Shift-Tab", "next/previous pane"),
    ("Esc", "back to the packet list"),
    ("/", "edit the display filter"),
    ("w", "save the displayed (or all) packets to pcapng"),
    ("?", "help"),
    ("q Ctrl-C", "quit"),
    ("mouse", "click focuses and selects, wheel scrolls"),
];

/// The bordered block of a pane; the focused one is drawn brighter.
pub fn pane_block(title: &str, focused: bool) -> Block<'static> {
    let (style, border) = if focused {
        (theme().accent(), BorderType::Thick)
    } else {
        (theme().dim(), BorderType::Plain)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(border)
        .border_style(style)
        .title(Span::styled(
            title.to_string(),
            style.add_modifier(Modifier::BOLD),
        ))
}

/// Which pane has the keys.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
    Hex,
}

/// The layers a key goes through, in order (see [`App::handle_key`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Layer {
    Help,
    Save,
    FilterBar,
    View,
    ViewKeys,
    Focused,
    Global,
}

impl Layer {
    const ORDER: [Layer; 7] = [
        Layer::Help,
        Layer::Save,
        Layer::FilterBar,
        Layer::View,
        Layer::ViewKeys,
        Layer::Focused,
        Layer::Global,
    ];
}

/// The `?` overlay: while open it takes every key (Esc, `?`, `q` or Enter close it).
#[derive(Default)]
pub struct Help {
    pub open: bool,
}

impl Component for Help {
    fn handle_key(&mut self, key: Key) -> bool {
        if !self.open {
            return false;
        }
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter
        ) {
            self.open = false;
        }
        true
    }

    /// Drawn by the app, which knows every component's keys.
    fn draw(&self, _frame: &mut Frame, _area: Rect) {}

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        &[("Esc ? q Enter", "close the help")]
    }
}

/// Where packets come from.
pub enum Input {
    /// A capture file: read in the background; filters may re-read it.
    File(PathBuf),
    /// A live capture (`-i`): the list follows new packets from the start.
    Live {
        name: String,
        frames: loader::Frames,
    },
}

/// What `run` needs.
pub struct Options {
    pub input: Input,
    /// The live capture's shared status (sources, channel, rates, device state), shown in the
    /// status line.
    pub live_status: Option<crate::capture::status::LiveStatus>,
    pub registry: Arc<Registry>,
    pub prefs: Prefs,
    pub time_format: TimeFormat,
    /// A display filter to start with (`-Y`), already known to compile.
    pub filter: Option<String>,
}

/// Why the TUI could not run.
#[derive(Debug)]
pub enum RunError {
    /// The capture could not be opened (exit code 2, as when printing).
    Capture(CaptureError),
    /// The terminal could not be set up or drawn to.
    Terminal(std::io::Error),
}

/// The application: the panes and what they show.
pub struct App {
    pub list: PacketList,
    pub detail: DetailTree,
    pub hex: HexPane,
    pub filter_bar: FilterBar,
    pub focus: Focus,
    pub help: Help,
    pub save: save::SavePrompt,
    pub quit: bool,
    /// A one-off message for the status line (saved, copied); cleared by the next key.
    pub notice: Option<String>,
    /// Text to put on the terminal's clipboard (OSC 52) when the screen is next drawn.
    pub clipboard: Option<String>,
    title: String,
    /// The frames, the first pass's snapshots, the load configuration.
    cap: Capture,
    rows: Rc<RowSource>,
    /// Live packets kept for views opened later (live captures only).
    kept: VecDeque<Arc<Packet>>,
    max_kept: usize,
    path: Option<PathBuf>,
    tx: SyncSender<Msg>,
    filter: Option<Filter>,
    filter_generation: u64,
    /// What the first pass filters (frames read after a filter was applied).
    pass_filter: Arc<Mutex<Option<LiveFilter>>>,
    /// A filter pass is running.
    filtering: bool,
    /// Captures up to this many frames are filtered at once, in the UI thread (no flicker,
    /// no waiting); larger ones in the background on every core.
    pub inline_filter_max: usize,
    pub loading: bool,
    /// Packets come from a live capture (the status says "capturing").
    pub live: bool,
    /// The live sources' status, when they keep one.
    pub live_status: Option<crate::capture::status::LiveStatus>,
    /// A read error that ended loading, or a filter problem.
    problem: Option<String>,
    /// File index of the packet the detail and hex panes show, and whether its tree was
    /// exact (a provisional one is rebuilt once the first pass reaches it).
    shown_packet: Option<(usize, bool)>,
    /// Where the list, detail and hex panes were drawn last (for the mouse).
    areas: std::cell::Cell<[Rect; 3]>,
    /// The network views (`t`, `L`, `s`, `F`, `C`) and the analysis behind them.
    pub views: views::Views,
}

impl App {
    /// `cap` is the capture the loader threads fill; `tx` is where filter passes send their
    /// results; `path` is the file views re-read (None for live captures).
    pub fn new(
        title: String,
        path: Option<PathBuf>,
        cap: Capture,
        tx: SyncSender<Msg>,
        filter: Option<&str>,
    ) -> App {
        let rows = Rc::new(RowSource::new(cap.clone()));
        let mut app = App {
            list: PacketList::new(Some(rows.clone())),
            detail: DetailTree::new(),
            hex: HexPane::new(),
            filter_bar: FilterBar::new(cap.cfg.registry.clone()),
            focus: Focus::List,
            help: Help::default(),
            save: Default::default(),
            quit: false,
            notice: None,
            clipboard: None,
            title,
            cap,
            rows,
            kept: VecDeque::new(),
            max_kept: MAX_TREES,
            path,
            tx,
            filter: None,
            filter_generation: 0,
            pass_filter: Arc::default(),
            filtering: false,
            inline_filter_max: INLINE_FILTER_MAX,
            loading: true,
            live: false,
            live_status: None,
            problem: None,
            shown_packet: None,
            areas: Default::default(),
            views: views::Views::new(),
        };
        if let Some(text) = filter.filter(|t| !t.trim().is_empty()) {
            if let Ok(f) = Filter::compile(text, &app.cap.cfg.registry) {
                app.filter_bar.set_applied(text);
                app.apply_filter(Some(f), text.to_string());
            }
        }
        app.set_focus(Focus::List);
        app
    }

    /// What the first pass needs to report to this app.
    pub fn pass_output(&self, live: bool) -> PassOutput {
        PassOutput {
            tx: self.tx.clone(),
            live,
            filter: self.pass_filter.clone(),
        }
    }

    /// Keeps only `max` live packets for the views (tests use a small number).
    pub fn set_max_trees(&mut self, max: usize) {
        self.max_kept = max.max(1);
    }

    /// Frame `i` (0-based) dissected again with its whole tree.
    pub fn packet(&self, i: usize) -> Option<Arc<Packet>> {
        self.rows.packet(i).map(|(p, _)| Arc::new(p))
    }

    /// Handles one message from the background threads.
    pub fn handle_msg(&mut self, m: Msg) {
        match m {
            Msg::Live(p) => {
                self.views.live_packet(&p);
                if self.kept.len() == self.max_kept {
                    self.kept.pop_front();
                }
                self.kept.push_back(p);
            }
            Msg::Done => self.loading = false,
            Msg::Matched {
                generation,
                indices,
            } if generation == self.filter_generation => self.list.push_shown(&indices),
            Msg::Filtered {
                generation,
                mut matches,
            } if generation == self.filter_generation => {
                self.filtering = false;
                // The first pass has already sent the matches among later frames.
                if let Shown::Only(tail) = self.list.shown() {
                    matches.extend_from_slice(tail);
                }
                self.list.set_shown(Shown::Only(matches));
            }
            Msg::Matched { .. } | Msg::Filtered { .. } => {}
        }
    }

    /// Files what the background threads sent, for at most `budget`; returns whether anything
    /// changed (so the screen needs drawing).
    pub fn pump(&mut self, rx: &Receiver<Msg>, budget: Duration) -> bool {
        let start = Instant::now();
        let mut any = false;
        while let Ok(m) = rx.try_recv() {
            any = true;
            self.handle_msg(m);
            if start.elapsed() > budget {
                break;
            }
        }
        let count = self.cap.frames.count();
        if count != self.list.total() {
            self.list.set_total(count);
            any = true;
        }
        if self.problem.is_none() {
            if let Some(e) = self.cap.frames.error.lock().ok().and_then(|e| e.clone()) {
                self.problem = Some(e);
                any = true;
            }
        }
        // While the first pass runs, provisional rows become exact: draw again.
        any |= self.loading;
        if any {
            self.sync_selection();
        }
        any
    }

    fn set_focus(&mut self, f: Focus) {
        self.focus = f;
        self.list.focused = f == Focus::List;
        self.detail.focused = f == Focus::Detail;
        self.hex.focused = f == Focus::Hex;
    }

    /// Points the detail and hex panes at the selected packet (dissected again with every
    /// node), and the hex highlight at the selected tree node.
    fn sync_selection(&mut self) {
        let sel = self.list.selected_index();
        let stale = match (sel, self.shown_packet) {
            (Some(i), Some((j, exact))) => i != j || (!exact && i < self.cap.snaps.frontier()),
            (None, None) => false,
            _ => true,
        };
        if stale {
            let p = sel.and_then(|i| self.rows.packet(i));
            self.shown_packet = sel.zip(p.as_ref().map(|(_, exact)| *exact));
            let note = sel.is_none().then(|| "No packet selected.".to_string());
            let p = p.map(|(p, _)| Arc::new(p));
            self.detail.set_packet(p.clone(), note);
            self.hex.set_packet(p);
        }
        self.hex.set_highlight(self.detail.selected_range());
    }

    fn apply_filter(&mut self, f: Option<Filter>, _text: String) {
        self.filter_generation += 1;
        self.problem = None;
        let mut slot = self.pass_filter.lock().unwrap_or_else(|e| e.into_inner());
        match &f {
            None => {
                *slot = None;
                self.filtering = false;
                self.list.set_shown(Shown::All);
            }
            Some(f) => {
                // Frames read from now on are the first pass's to judge, the others a
                // parallel filter pass's.
                let count = self.cap.frames.count();
                *slot = Some(LiveFilter {
                    generation: self.filter_generation,
                    filter: f.clone(),
                    from: count,
                });
                if count <= self.inline_filter_max {
                    let all = rows::filter_range(&self.cap, f, 0..count);
                    self.list.set_shown(Shown::Only(all));
                } else {
                    self.filtering = true;
                    self.list.set_shown(Shown::Only(vec![]));
                    rows::spawn_filter(
                        self.cap.clone(),
                        f.clone(),
                        count,
                        self.filter_generation,
                        self.tx.clone(),
                    );
                }
            }
        }
        drop(slot);
        self.filter = f;
        self.sync_selection();
    }

    /// Handles a terminal event.
    pub fn handle_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.handle_key(k),
            Event::Mouse(m) => self.handle_mouse(m),
            _ => {}
        }
    }

    /// A click focuses the pane under the pointer and selects there; the wheel scrolls it.
    pub fn handle_mouse(&mut self, m: MouseEvent) {
        if self.help.open || self.filter_bar.editing || self.save.open {
            return;
        }
        let click = matches!(m.kind, MouseEventKind::Down(MouseButton::Left));
        let wheel = matches!(
            m.kind,
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
        );
        if !click && !wheel {
            return;
        }
        let at = ratatui::layout::Position::new(m.column, m.row);
        let [list, detail, hex] = self.areas.get();
        let (focus, area) = if list.contains(at) {
            (Focus::List, list)
        } else if detail.contains(at) {
            (Focus::Detail, detail)
        } else if hex.contains(at) {
            (Focus::Hex, hex)
        } else {
            return;
        };
        if click {
            self.set_focus(focus);
        }
        let pane: &mut dyn Component = match focus {
            Focus::List => &mut self.list,
            Focus::Detail => &mut self.detail,
            Focus::Hex => &mut self.hex,
        };
        pane.handle_mouse(m, area);
        self.sync_selection();
    }

    /// Routes a key through the components in order until one consumes it: the help overlay,
    /// the filter bar (while edited), the open view, the view keys (from the packet list), the
    /// focused pane, and last the focus ring with the global keys. Each layer answers whether it
    /// took the key; what a layer asked for (a filter to apply, a packet to select) is carried
    /// out afterwards.
    pub fn handle_key(&mut self, key: Key) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        self.notice = None;
        for layer in Layer::ORDER {
            if self.offer(layer, key) {
                break;
            }
        }
        if let Some(FilterAction::Apply(f, text)) = self.filter_bar.take_action() {
            self.apply_filter(f, text);
        }
        if let Some(a) = self.detail.take_action() {
            self.detail_action(a);
        }
        if std::mem::take(&mut self.save.confirmed) {
            self.save_packets();
        }
        self.view_action();
        self.sync_selection();
    }

    /// Gives `key` to one layer; returns whether it consumed it.
    fn offer(&mut self, layer: Layer, key: Key) -> bool {
        match layer {
            Layer::Help => self.help.handle_key(key),
            Layer::Save => self.save.handle_key(key),
            Layer::FilterBar => self.filter_bar.handle_key(key),
            Layer::View => self.views.handle_key(key),
            Layer::ViewKeys => {
                !self.views.is_open() && self.focus == Focus::List && self.open_view(key)
            }
            Layer::Focused => self.focused_mut().handle_key(key),
            Layer::Global => self.global_key(key),
        }
    }

    /// The pane with the focus.
    fn focused_mut(&mut self) -> &mut dyn Component {
        match self.focus {
            Focus::List => &mut self.list,
            Focus::Detail => &mut self.detail,
            Focus::Hex => &mut self.hex,
        }
    }

    fn focused(&self) -> &dyn Component {
        match self.focus {
            Focus::List => &self.list,
            Focus::Detail => &self.detail,
            Focus::Hex => &self.hex,
        }
    }

    /// Opens the view bound to `key`, if any.
    fn open_view(&mut self, key: Key) -> bool {
        let selected = self.list.selected_index().and_then(|i| self.packet(i));
        let kept = if self.path.is_none() {
            self.kept.iter().cloned().collect()
        } else {
            vec![]
        };
        let cx = views::Context {
            path: self.path.as_ref(),
            cfg: &self.cap.cfg,
            selected,
            kept,
            filter: self.filter_bar.applied(),
        };
        self.views.open(key, cx)
    }

    /// Carries out what a key in the detail tree asked for.
    fn detail_action(&mut self, a: DetailAction) {
        match a {
            DetailAction::ApplyFilter(text) => self.apply_filter_text(text),
            DetailAction::PrepareFilter(text) => self.filter_bar.start_with(&text),
            DetailAction::Copy(text) => {
                self.notice = Some(format!("copied: {text}"));
                self.clipboard = Some(text);
            }
            DetailAction::AddColumn(abbrev) => {
                let mut cols = self.rows.columns();
                match self.cap.cfg.registry.field(abbrev) {
                    Some(f) if !cols.iter().any(|c| std::ptr::eq(*c, f)) => {
                        cols.push(f);
                        self.rows.set_columns(cols);
                        self.notice = Some(format!("column added: {abbrev}"));
                    }
                    _ => {}
                }
            }
            DetailAction::RemoveColumn => {
                let mut cols = self.rows.columns();
                if let Some(f) = cols.pop() {
                    self.rows.set_columns(cols);
                    self.notice = Some(format!("column removed: {}", f.abbrev));
                }
            }
        }
    }

    /// Compiles and applies a filter made for the user (from a view or the detail tree).
    fn apply_filter_text(&mut self, text: String) {
        match Filter::compile(&text, &self.cap.cfg.registry) {
            Ok(f) => {
                self.filter_bar.set_applied(&text);
                self.apply_filter(Some(f), text);
            }
            Err(e) => self.problem = Some(format!("{text}: {}", e.message)),
        }
    }

    /// Writes what the save prompt asked for.
    fn save_packets(&mut self) {
        let path = PathBuf::from(self.save.path());
        let all = self.save.all;
        let shown = if all { &Shown::All } else { self.list.shown() };
        let total = self.list.total();
        let result = self
            .cap
            .frames
            .read(|store| save::save(store, shown, total, &path));
        match result {
            Ok(n) => self.notice = Some(format!("saved {n} packets to {}", path.display())),
            Err(e) => self.problem = Some(format!("saving {}: {e}", path.display())),
        }
    }

    /// Carries out what the open view asked for.
    fn view_action(&mut self) {
        match self.views.take_action() {
            Some(views::Action::Filter(text)) => self.apply_filter_text(text),
            Some(views::Action::Select(frame)) => {
                if let Some(i) = usize::try_from(frame).ok().and_then(|f| f.checked_sub(1)) {
                    self.list.select_file_index(i);
                    self.sync_selection();
                }
            }
            None => {}
        }
    }

    /// The focus ring and the keys that work everywhere.
    fn global_key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Tab => self.set_focus(match self.focus {
                Focus::List => Focus::Detail,
                Focus::Detail => Focus::Hex,
                Focus::Hex => Focus::List,
            }),
            KeyCode::BackTab => self.set_focus(match self.focus {
                Focus::List => Focus::Hex,
                Focus::Detail => Focus::List,
                Focus::Hex => Focus::Detail,
            }),
            KeyCode::Char('/') => self.filter_bar.start(),
            KeyCode::Char('w') => self.save.start(),
            KeyCode::Char('?') => self.help.open = true,
            KeyCode::Enter if self.focus == Focus::List => self.set_focus(Focus::Detail),
            KeyCode::Esc => self.set_focus(Focus::List),
            _ => return false,
        }
        true
    }

    fn focused_keys(&self) -> &'static [(&'static str, &'static str)] {
        if self.save.open {
            return self.save.keys();
        }
        if self.filter_bar.editing {
            return self.filter_bar.keys();
        }
        if self.views.is_open() {
            return self.views.keys();
        }
        self.focused().keys()
    }

    /// Draws the whole screen.
    pub fn draw(&self, frame: &mut Frame) {
        let area = frame.area();
        let [bar, list, detail, hex, status, keys] = Layout::vertical([
            Constraint::Length(self.filter_bar.height()),
            Constraint::Percentage(40),
            Constraint::Percentage(32),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        if self.views.is_open() {
            // The view above, the packet list it steers below.
            let body = list.union(detail).union(hex);
            let [view, list] =
                Layout::vertical([Constraint::Percentage(72), Constraint::Fill(1)]).areas(body);
            self.areas.set([list, Rect::default(), Rect::default()]);
            self.views.draw(frame, view);
            self.list.draw(frame, list);
        } else {
            self.areas.set([list, detail, hex]);
            self.list.draw(frame, list);
            self.detail.draw(frame, detail);
            self.hex.draw(frame, hex);
        }
        if self.save.open {
            self.save.draw(frame, bar);
        } else {
            self.filter_bar.draw(frame, bar);
        }
        self.draw_status(frame, status);
        self.draw_keys(frame, keys);
        if self.help.open {
            self.draw_help(frame, area);
        }
    }

    fn draw_status(&self, frame: &mut Frame, area: Rect) {
        let total = self.list.total();
        let shown = self.list.shown_count();
        let mut spans = vec![
            Span::styled(
                format!(" {} ", self.title),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!("│ Packets: {total} · Displayed: {shown}")),
        ];
        if total > 0 && shown != total {
            spans.push(Span::raw(format!(
                " ({:.1}%)",
                shown as f64 * 100.0 / total as f64
            )));
        }
        if !self.filter_bar.applied().is_empty() {
            spans.push(Span::raw(format!(
                " │ Filter: {}",
                self.filter_bar.applied()
            )));
        }
        if self.focus != Focus::List {
            if let Some(info) = self.detail.selected_field_info() {
                spans.push(Span::styled(format!(" │ {info}"), theme().accent()));
            }
        }
        if let Some(st) = &self.live_status {
            spans.push(Span::styled(format!(" │ {}", st.line()), theme().warning()));
            if let Some(m) = st.last_message() {
                spans.push(Span::styled(format!(" │ {m}"), theme().error()));
            }
        } else if self.loading {
            let what = if self.live {
                " │ capturing…"
            } else {
                " │ loading…"
            };
            spans.push(Span::styled(what, theme().warning()));
        }
        if self.filtering {
            spans.push(Span::styled(" │ filtering…", theme().warning()));
        }
        if let Some(n) = &self.notice {
            spans.push(Span::styled(format!(" │ {n}"), theme().good()));
        }
        if let Some(p) = &self.problem {
            spans.push(Span::styled(format!(" │ {p}"), theme().error()));
        }
        frame.render_widget(
            Paragraph::new(Line::from(spans)).style(theme().status()),
            area,
        );
    }

    fn draw_keys(&self, frame: &mut Frame, area: Rect) {
        let key = theme().key();
        let mut spans = vec![];
        let globals: &[(&str, &str)] = if self.filter_bar.editing {
            &[]
        } else {
            GLOBAL_KEYS
        };
        for (k, what) in self.focused_keys().iter().chain(globals) {
            spans.push(Span::styled(format!(" {k} "), key));
            spans.push(Span::raw(format!(" {what}  ")));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn draw_help(&self, frame: &mut Frame, area: Rect) {
        let sections: [(&str, &[(&str, &str)]); 8] = [
            ("Global", GLOBAL_KEYS),
            (
                "Network views (keys from the packet list)",
                views::VIEW_KEYS,
            ),
            ("Open view", self.views.keys()),
            ("Packet list", self.list.keys()),
            ("Packet details", self.detail.keys()),
            ("Bytes", self.hex.keys()),
            ("Filter bar (while editing)", self.filter_bar.keys()),
            ("Save prompt (w)", self.save.keys()),
        ];
        let mut lines = vec![];
        for (title, keys) in sections {
            lines.push(Line::from(Span::styled(
                title,
                theme().accent().add_modifier(Modifier::BOLD),
            )));
            for (k, what) in keys {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("  {k:<16}"),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(*what),
                ]));
            }
            lines.push(Line::default());
        }
        let h = (lines.len() as u16 + 2).min(area.height);
        let w = 70.min(area.width);
        let popup = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_type(BorderType::Rounded)
                    .title(" Keys (Esc or ? closes) "),
            ),
            popup,
        );
    }
}

/// Opens `opts.path`, loads it in the background and runs the UI until `q`. The terminal is
/// restored on return and on panic (ratatui's panic hook).
pub fn run(opts: Options) -> Result<(), RunError> {
    let (frames, title, path, live): (loader::Frames, String, Option<PathBuf>, bool) =
        match opts.input {
            Input::File(path) => {
                let reader = CaptureReader::open(&path).map_err(RunError::Capture)?;
                let title = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                (Box::new(reader), title, Some(path), false)
            }
            Input::Live { name, frames } => (frames, name, None, true),
        };
    let (tx, rx) = sync_channel(loader::CHANNEL_DEPTH);
    let cfg = LoadConfig {
        registry: opts.registry,
        prefs: opts.prefs,
        time_format: opts.time_format,
    };
    let cap = Capture::new(cfg);
    frames::spawn_indexer(frames, cap.frames.clone(), live);
    let mut app = App::new(title, path, cap.clone(), tx, opts.filter.as_deref());
    rows::spawn_first_pass(cap.clone(), app.pass_output(live));
    app.list.follow = live;
    app.live = live;
    app.live_status = opts.live_status;
    let mut terminal = ratatui::try_init().map_err(RunError::Terminal)?;
    // ratatui's panic hook restores raw mode and the screen; mouse reporting is ours to undo.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        ratatui_hook(info);
    }));
    let result = event_loop(&mut terminal, &mut app, &rx);
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    ratatui::restore();
    // The loader threads stop at their next look (or their next send, which fails).
    cap.frames
        .stop
        .store(true, std::sync::atomic::Ordering::Relaxed);
    drop(rx);
    result.map_err(RunError::Terminal)
}

/// Puts `text` on the clipboard through the terminal (OSC 52: xterm, tmux, kitty, iTerm2,
/// Windows Terminal), which also works over ssh.
fn copy_to_clipboard(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout();
    write!(out, "\x1b]52;c;{}\x07", base64(text.as_bytes()))?;
    out.flush()
}

/// Standard base64 with padding (RFC 4648 section 4).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    rx: &Receiver<Msg>,
) -> std::io::Result<()> {
    use crossterm::event;
    let mut dirty = true;
    let mut drawn = std::time::Instant::now();
    while !app.quit {
        // A live status (rates, device state) changes without packets: redraw it now and then.
        dirty |= app.live_status.is_some() && drawn.elapsed() >= Duration::from_millis(500);
        if dirty {
            terminal.draw(|f| app.draw(f))?;
            if let Some(text) = app.clipboard.take() {
                copy_to_clipboard(&text)?;
            }
            dirty = false;
            drawn = std::time::Instant::now();
        }
        let wait = if app.loading {
            30
        } else if app.views.is_open() {
            150
        } else {
            200
        };
        if event::poll(Duration::from_millis(wait))? {
            // Take every queued event before drawing again (key repeat, pastes).
            loop {
                let ev = event::read()?;
                app.handle_event(ev);
                dirty = true;
                if app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        dirty |= app.pump(rx, Duration::from_millis(25));
        // An open view shows models computed in the background: redraw as they grow.
        dirty |= app.views.is_open();
    }
    Ok(())
}

#[cfg(test)]
mod tests;
