//! The interactive terminal UI (`lowshark FILE` on a terminal without an output option).
//!
//! Layout, top to bottom: the display filter bar, the packet list, the detail tree of the
//! selected packet, the hex pane, a status line and a key bar. Each pane is a [`Component`] with
//! its own state, its key handling and its key list; the app gives a key to the filter bar while
//! it is being edited, else to the focused pane, and only what the pane does not consume to the
//! global keys (Tab, `/`, `?`, `q`). The key bar and the `?` help are built from the components'
//! `keys()`, so help cannot go stale. The mouse works too: a click focuses the pane under it
//! and selects there (a click on a tree line's marker opens it), the wheel scrolls.
//!
//! Loading: a background thread ([`loader`]) reads the capture and dissects every frame in
//! order with one engine, sending packets over a bounded channel; the UI files at most a time
//! budget's worth of them per turn, so it stays responsive while loading, and the list follows
//! the end when asked to (`G`/`f`).
//!
//! Memory: the summary row of every packet is kept (about 150 bytes a packet), but the dissected
//! packet (tree and data sources, about 10 KB for a plain UDP packet, measured) only for the most
//! recent [`MAX_TREES`] packets (so at most some 200 MB of trees). Selecting an
//! older packet shows a note instead of its tree. A display filter is evaluated on the kept
//! trees when all are kept; once some were dropped, applying a filter re-reads the file in a
//! background thread with a fresh engine (the same frames in the same order give the same
//! trees) and the list is replaced when that pass ends.

pub mod detail;
pub mod filter_bar;
pub mod hex;
pub mod loader;
pub mod packet_list;
pub mod views;

use crate::capture::{CaptureError, CaptureReader};
use crate::output::text::TimeFormat;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use detail::DetailTree;
use dissectors::engine::registry::Registry;
use dissectors::engine::{Packet, Prefs};
use dissectors::filter::Filter;
use filter_bar::{FilterAction, FilterBar};
use hex::HexPane;
use loader::{LoadConfig, Msg};
use packet_list::PacketList;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use ratatui::Frame;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Dissected packets (tree and data sources) kept in memory; older ones keep only their row.
pub const MAX_TREES: usize = 20_000;

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
    ("?", "help"),
    ("q Ctrl-C", "quit"),
    ("mouse", "click focuses and selects, wheel scrolls"),
];

/// The bordered block of a pane; the focused one is drawn brighter.
pub fn pane_block(title: &str, focused: bool) -> Block<'static> {
    let (style, border) = if focused {
        (Style::default().fg(Color::LightCyan), BorderType::Thick)
    } else {
        (Style::default().fg(Color::DarkGray), BorderType::Plain)
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

/// Dissected packets, most recent [`MAX_TREES`] of them, by file index.
struct Store {
    trees: VecDeque<Arc<Packet>>,
    /// File index (0-based) of `trees[0]`.
    first: usize,
    max: usize,
}

impl Store {
    fn push(&mut self, p: Arc<Packet>) {
        if self.trees.len() == self.max {
            self.trees.pop_front();
            self.first += 1;
        }
        self.trees.push_back(p);
    }

    fn get(&self, i: usize) -> Option<Arc<Packet>> {
        i.checked_sub(self.first)
            .and_then(|k| self.trees.get(k))
            .cloned()
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
    pub help: bool,
    pub quit: bool,
    title: String,
    store: Store,
    path: Option<PathBuf>,
    cfg: LoadConfig,
    tx: SyncSender<Msg>,
    filter: Option<Filter>,
    filter_generation: u64,
    /// A re-filter pass is running.
    filtering: bool,
    pub loading: bool,
    /// Packets come from a live capture (the status says "capturing").
    pub live: bool,
    /// The live sources' status, when they keep one.
    pub live_status: Option<crate::capture::status::LiveStatus>,
    /// A read error that ended loading, or a failed re-filter.
    problem: Option<String>,
    /// File index of the packet the detail and hex panes show.
    shown_packet: Option<usize>,
    /// Where the list, detail and hex panes were drawn last (for the mouse).
    areas: std::cell::Cell<[Rect; 3]>,
    /// The network views (`t`, `L`, `s`, `F`, `C`) and the analysis behind them.
    pub views: views::Views,
}

impl App {
    /// `tx` is where re-filter passes send their results (the loader's channel); `path` is
    /// the file they re-read (None: cannot re-read, filters only see kept trees).
    pub fn new(
        title: String,
        path: Option<PathBuf>,
        cfg: LoadConfig,
        tx: SyncSender<Msg>,
        filter: Option<&str>,
    ) -> App {
        let mut app = App {
            list: PacketList::new(),
            detail: DetailTree::new(),
            hex: HexPane::new(),
            filter_bar: FilterBar::new(cfg.registry.clone()),
            focus: Focus::List,
            help: false,
            quit: false,
            title,
            store: Store {
                trees: VecDeque::new(),
                first: 0,
                max: MAX_TREES,
            },
            path,
            cfg,
            tx,
            filter: None,
            filter_generation: 0,
            filtering: false,
            loading: true,
            live: false,
            live_status: None,
            problem: None,
            shown_packet: None,
            areas: Default::default(),
            views: views::Views::new(),
        };
        if let Some(text) = filter.filter(|t| !t.trim().is_empty()) {
            if let Ok(f) = Filter::compile(text, &app.cfg.registry) {
                app.filter = Some(f);
                app.filter_bar.set_applied(text);
            }
        }
        app.set_focus(Focus::List);
        app
    }

    /// Keeps only `max` trees (tests use a small number).
    pub fn set_max_trees(&mut self, max: usize) {
        self.store.max = max.max(1);
    }

    /// Files a dissected packet and its row.
    pub fn add_packet(&mut self, s: loader::Summary, p: Arc<Packet>) {
        let shown = self.filter.as_ref().is_none_or(|f| f.matches(&p));
        if self.live {
            self.views.live_packet(&p);
        }
        self.store.push(p);
        self.list.push(s, shown);
    }

    /// Handles one message from the background threads.
    pub fn handle_msg(&mut self, m: Msg) {
        match m {
            Msg::Packet(s, p) => self.add_packet(s, p),
            Msg::Error(e) => self.problem = Some(e),
            Msg::Done => self.loading = false,
            Msg::Filtered {
                generation,
                matches,
            } if generation == self.filter_generation => {
                self.filtering = false;
                let mut shown: Vec<usize> = (0..matches.len()).filter(|&i| matches[i]).collect();
                // Packets that arrived after the pass started have their trees.
                for i in matches.len()..self.list.total() {
                    let keep = match (&self.filter, self.store.get(i)) {
                        (Some(f), Some(p)) => f.matches(&p),
                        (None, _) => true,
                        (Some(_), None) => false,
                    };
                    if keep {
                        shown.push(i);
                    }
                }
                self.list.set_shown(shown);
            }
            Msg::FilterFailed {
                generation,
                message,
            } if generation == self.filter_generation => {
                self.filtering = false;
                self.problem = Some(format!("re-filtering failed: {message}"));
            }
            Msg::Filtered { .. } | Msg::FilterFailed { .. } => {}
        }
    }

    /// Files what the background threads sent, for at most `budget`; returns whether anything
    /// came (so the screen needs drawing).
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

    /// Points the detail and hex panes at the selected packet, and the hex highlight at the
    /// selected tree node.
    fn sync_selection(&mut self) {
        let sel = self.list.selected_index();
        if sel != self.shown_packet {
            self.shown_packet = sel;
            let p = sel.and_then(|i| self.store.get(i));
            let note = match (sel, &p) {
                (Some(_), None) => Some(format!(
                    "The tree of this packet was dropped: lowshark keeps the trees of the last \
                     {} packets only (summaries of all).",
                    self.store.max
                )),
                (None, _) => Some("No packet selected.".to_string()),
                _ => None,
            };
            self.detail.set_packet(p.clone(), note);
            self.hex.set_packet(p);
        }
        self.hex.set_highlight(self.detail.selected_range());
    }

    fn apply_filter(&mut self, f: Option<Filter>, text: String) {
        self.filter_generation += 1;
        self.problem = None;
        let total = self.list.total();
        match &f {
            None => self.list.set_shown((0..total).collect()),
            Some(f) if self.store.first == 0 => {
                let shown = (0..total)
                    .filter(|&i| self.store.get(i).is_some_and(|p| f.matches(&p)))
                    .collect();
                self.list.set_shown(shown);
            }
            Some(_) => match &self.path {
                Some(path) => {
                    self.filtering = true;
                    loader::spawn_refilter(
                        path.clone(),
                        self.cfg.clone(),
                        text,
                        total,
                        self.filter_generation,
                        self.tx.clone(),
                    );
                }
                None => {
                    self.problem =
                        Some("older packets' trees were dropped; filtered the kept ones".into());
                }
            },
        }
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
        if self.help || self.filter_bar.editing {
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
        match focus {
            Focus::List => self.list.handle_mouse(m, area),
            Focus::Detail => self.detail.handle_mouse(m, area),
            Focus::Hex => self.hex.handle_mouse(m, area),
        };
        self.sync_selection();
    }

    /// Routes a key: help overlay, filter bar being edited, focused pane, then global keys.
    pub fn handle_key(&mut self, key: Key) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.help {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter
            ) {
                self.help = false;
            }
            return;
        }
        if self.filter_bar.editing {
            self.filter_bar.handle_key(key);
            if let Some(FilterAction::Apply(f, text)) = self.filter_bar.take_action() {
                self.apply_filter(f, text);
            }
            return;
        }
        if self.views.is_open() {
            if self.views.handle_key(key) {
                self.view_action();
                return;
            }
        } else if self.focus == Focus::List && self.open_view(key) {
            return;
        }
        let consumed = match self.focus {
            Focus::List => self.list.handle_key(key),
            Focus::Detail => self.detail.handle_key(key),
            Focus::Hex => self.hex.handle_key(key),
        };
        if !consumed {
            self.global_key(key);
        }
        self.sync_selection();
    }

    /// Opens the view bound to `key`, if any.
    fn open_view(&mut self, key: Key) -> bool {
        let selected = self.list.selected_index().and_then(|i| self.store.get(i));
        let kept = if self.path.is_none() {
            self.store.trees.iter().cloned().collect()
        } else {
            vec![]
        };
        let cx = views::Context {
            path: self.path.as_ref(),
            cfg: &self.cfg,
            selected,
            kept,
            filter: self.filter_bar.applied(),
        };
        self.views.open(key, cx)
    }

    /// Carries out what the open view asked for.
    fn view_action(&mut self) {
        match self.views.take_action() {
            Some(views::Action::Filter(text)) => match Filter::compile(&text, &self.cfg.registry) {
                Ok(f) => {
                    self.filter_bar.set_applied(&text);
                    self.apply_filter(Some(f), text);
                }
                Err(e) => self.problem = Some(format!("{text}: {}", e.message)),
            },
            Some(views::Action::Select(frame)) => {
                if let Some(i) = usize::try_from(frame).ok().and_then(|f| f.checked_sub(1)) {
                    self.list.select_file_index(i);
                    self.sync_selection();
                }
            }
            None => {}
        }
    }

    fn global_key(&mut self, key: Key) {
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
            KeyCode::Char('?') => self.help = true,
            KeyCode::Enter if self.focus == Focus::List => self.set_focus(Focus::Detail),
            KeyCode::Esc => self.set_focus(Focus::List),
            _ => {}
        }
    }

    fn focused_keys(&self) -> &'static [(&'static str, &'static str)] {
        if self.filter_bar.editing {
            return self.filter_bar.keys();
        }
        if self.views.is_open() {
            return self.views.keys();
        }
        match self.focus {
            Focus::List => self.list.keys(),
            Focus::Detail => self.detail.keys(),
            Focus::Hex => self.hex.keys(),
        }
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
        self.filter_bar.draw(frame, bar);
        self.draw_status(frame, status);
        self.draw_keys(frame, keys);
        if self.help {
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
                spans.push(Span::styled(
                    format!(" │ {info}"),
                    Style::default().fg(Color::LightCyan),
                ));
            }
        }
        if self.store.first > 0 {
            spans.push(Span::raw(format!(
                " │ trees kept for the last {}",
                self.store.max
            )));
        }
        if let Some(st) = &self.live_status {
            spans.push(Span::styled(
                format!(" │ {}", st.line()),
                Style::default().fg(Color::Yellow),
            ));
            if let Some(m) = st.last_message() {
                spans.push(Span::styled(
                    format!(" │ {m}"),
                    Style::default().fg(Color::LightRed),
                ));
            }
        } else if self.loading {
            let what = if self.live {
                " │ capturing…"
            } else {
                " │ loading…"
            };
            spans.push(Span::styled(what, Style::default().fg(Color::Yellow)));
        }
        if self.filtering {
            spans.push(Span::styled(
                " │ filtering…",
                Style::default().fg(Color::Yellow),
            ));
        }
        if let Some(p) = &self.problem {
            spans.push(Span::styled(
                format!(" │ {p}"),
                Style::default().fg(Color::LightRed),
            ));
        }
        frame.render_widget(
            Paragraph::new(Line::from(spans)).style(
                Style::default()
                    .bg(Color::Rgb(0x30, 0x30, 0x30))
                    .fg(Color::White),
            ),
            area,
        );
    }

    fn draw_keys(&self, frame: &mut Frame, area: Rect) {
        let key = Style::default()
            .fg(Color::Black)
            .bg(Color::Cyan)
            .add_modifier(Modifier::BOLD);
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
        let sections: [(&str, &[(&str, &str)]); 7] = [
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
        ];
        let mut lines = vec![];
        for (title, keys) in sections {
            lines.push(Line::from(Span::styled(
                title,
                Style::default()
                    .fg(Color::LightCyan)
                    .add_modifier(Modifier::BOLD),
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
    loader::spawn_loader(frames, cfg.clone(), tx.clone());
    let mut app = App::new(title, path, cfg, tx, opts.filter.as_deref());
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
    // Dropping the receiver ends the loader (its next send fails).
    drop(rx);
    result.map_err(RunError::Terminal)
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
