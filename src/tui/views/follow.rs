//! `F`: follow the selected packet's stream. A TCP or UDP stream shows its payload chunk by
//! chunk (the chunks `-z follow,tcp|udp` prints, from the same `stats::follow::Follow`); an
//! MQTT connection shows each MQTT packet with its type and topic; a CoAP packet shows its
//! exchange: the messages of its UDP conversation with its token (a block-wise transfer: every
//! message of the conversation), each once however many hops the sniffer heard it on. The two
//! directions are in two colours; `m` switches ASCII, hex dump and raw hex; `w` saves what is
//! shown to a file.
//!
//! The stream is collected in the background from the capture file (or from the packets the
//! UI keeps, for a live capture), building only the fields it reads.

use super::super::loader::{self, LoadConfig};
use super::table::Selection;
use super::{Action, Context, View};
use crate::capture::CaptureReader;
use crate::stats::follow::{self, Follow};
use crate::stats::Tap;
use crate::tui::theme::theme;
use crate::tui::{pane_block, Component, Key};
use crossterm::event::KeyCode;
use dissectors::engine::field::val_to_str;
use dissectors::engine::tree::{Build, Node};
use dissectors::engine::value::{escape_text, hex_string, Value};
use dissectors::engine::Packet;
use dissectors::proto::{coap, mqtt};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const KEYS: &[(&str, &str)] = &[
    ("m", "ASCII / hex dump / raw hex"),
    ("w", "save to a file"),
    ("Enter", "filter the packet list to the stream"),
    ("j/k ↑/↓", "scroll"),
    ("Esc q", "close the view"),
];

/// Most bytes one follow keeps (a huge stream cannot exhaust memory).
const MAX_BYTES: usize = 16 << 20;

/// What is followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Tcp(u32),
    Udp(u32),
    Mqtt(u32),
    /// UDP stream, token, and whether the exchange is block-wise (the whole stream then).
    Coap(u32, Vec<u8>, bool),
}

impl Kind {
    /// What the selected packet belongs to.
    pub fn of(p: &Packet) -> Option<Kind> {
        let stream = p.info.stream?;
        let has = |n: &str| p.protocols.contains(&n);
        Some(if has("mqtt") {
            Kind::Mqtt(stream)
        } else if has("coap") && p.info.transport == 17 {
            let token = field(p, "coap.token")
                .and_then(|n| n.value.as_bytes().map(|b| b.to_vec()))
                .unwrap_or_default();
            let block = p.tree.by_abbrev("coap.opt.block_number").next().is_some();
            Kind::Coap(stream, token, block)
        } else if p.info.transport == 6 {
            Kind::Tcp(stream)
        } else if p.info.transport == 17 {
            Kind::Udp(stream)
        } else {
            return None;
        })
    }

    fn title(&self) -> String {
        match self {
            Kind::Tcp(s) => format!("TCP stream {s}"),
            Kind::Udp(s) => format!("UDP stream {s}"),
            Kind::Mqtt(s) => format!("MQTT session (TCP stream {s})"),
            Kind::Coap(s, t, true) => {
                format!(
                    "CoAP block-wise exchange, token {} (UDP stream {s})",
                    hex_string(t)
                )
            }
            Kind::Coap(s, t, false) => {
                format!("CoAP exchange, token {} (UDP stream {s})", hex_string(t))
            }
        }
    }

    /// The display filter of what is followed.
    pub fn filter(&self) -> String {
        match self {
            Kind::Tcp(s) | Kind::Mqtt(s) => format!("tcp.stream == {s}"),
            Kind::Udp(s) | Kind::Coap(s, _, true) => format!("udp.stream == {s}"),
            Kind::Coap(s, t, false) => {
                format!("udp.stream == {s} && coap.token == {}", hex_string(t))
            }
        }
    }

    fn build() -> Build {
        Build::fields(follow::stream_fields().into_iter().chain([
            &coap::TOKEN,
            &coap::MID,
            &coap::PAYLOAD,
            &coap::OPT_BLOCK_NUMBER,
            &mqtt::MSGTYPE,
            &mqtt::TOPIC,
        ]))
    }
}

fn field<'p>(p: &'p Packet, name: &'p str) -> Option<&'p Node> {
    p.tree.by_abbrev(name).next()
}

/// The bytes a node covers.
fn node_bytes<'p>(p: &'p Packet, n: &Node) -> &'p [u8] {
    let r = n.range;
    p.sources
        .get(r.source as usize)
        .and_then(|s| s.data.get(r.start as usize..r.end() as usize))
        .unwrap_or(&[])
}

/// One piece of the conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// 0: the side that spoke first; 1: the other.
    pub node: usize,
    pub frame: u64,
    /// What the piece is (`Publish Message sensors/0005/temp`, a CoAP message's Info).
    pub header: String,
    pub data: Vec<u8>,
}

/// Collects the chunks of one [`Kind`] from packets in capture order.
pub struct Collector {
    kind: Kind,
    follow: Follow,
    chunks: Vec<Chunk>,
    first: Option<(dissectors::engine::address::Address, u16)>,
    /// CoAP messages already shown: (source port and address text, MID).
    seen: HashSet<(String, u16)>,
    bytes: usize,
}

impl Collector {
    pub fn new(kind: Kind) -> Collector {
        let follow = match &kind {
            Kind::Tcp(s) | Kind::Mqtt(s) => Follow::new(true, *s),
            Kind::Udp(s) | Kind::Coap(s, _, _) => Follow::new(false, *s),
        };
        Collector {
            kind,
            follow,
            chunks: vec![],
            first: None,
            seen: HashSet::new(),
            bytes: 0,
        }
    }

    pub fn add(&mut self, p: &Packet) {
        if self.bytes > MAX_BYTES {
            return;
        }
        let before = self.follow.chunks().len();
        self.follow.packet(p);
        match &self.kind {
            Kind::Tcp(_) | Kind::Udp(_) => {
                for (node, data) in &self.follow.chunks()[before..] {
                    self.bytes += data.len();
                    self.chunks.push(Chunk {
                        node: *node,
                        frame: p.meta.number,
                        header: format!("{} bytes", data.len()),
                        data: data.clone(),
                    });
                }
            }
            Kind::Mqtt(_) if self.follow.chunks().len() > before => self.add_mqtt(p),
            Kind::Coap(s, token, block) if p.info.stream == Some(*s) => {
                let (token, block) = (token.clone(), *block);
                self.add_coap(p, &token, block)
            }
            _ => {}
        }
    }

    fn node_of(&mut self, p: &Packet) -> usize {
        let src = (p.info.net_src, p.info.src_port);
        usize::from(*self.first.get_or_insert(src) != src)
    }

    fn add_mqtt(&mut self, p: &Packet) {
        let node = self.node_of(p);
        for (id, layer) in p.tree.layers() {
            if layer.field.is_none_or(|f| f.abbrev != "mqtt") {
                continue;
            }
            let mut header = String::new();
            for (_, c) in p.tree.children(id) {
                match c.field.map(|f| f.abbrev) {
                    Some("mqtt.msgtype") => {
                        let t = c.value.as_u64().unwrap_or(0);
                        header = val_to_str(mqtt::MSGTYPES, t).unwrap_or("MQTT").to_string();
                    }
                    Some("mqtt.topic") => {
                        if let Value::Str(s) = &c.value {
                            header = format!("{header} {}", escape_text(s));
                        }
                    }
                    _ => {}
                }
            }
            let data = node_bytes(p, layer).to_vec();
            self.bytes += data.len();
            self.chunks.push(Chunk {
                node,
                frame: p.meta.number,
                header,
                data,
            });
        }
    }

    fn add_coap(&mut self, p: &Packet, token: &[u8], block: bool) {
        let Some(mid) = field(p, "coap.mid").and_then(|n| n.value.as_u64()) else {
            return;
        };
        let tok = field(p, "coap.token").and_then(|n| n.value.as_bytes().map(|b| b.to_vec()));
        if !block && tok.as_deref().unwrap_or(&[]) != token {
            return;
        }
        // The sniffer hears a message once per hop: show it once.
        let who = format!("{}:{}", p.info.net_src, p.info.src_port);
        if !self.seen.insert((who, mid as u16)) {
            return;
        }
        let node = self.node_of(p);
        let data = field(p, "coap.payload")
            .map(|n| node_bytes(p, n).to_vec())
            .unwrap_or_default();
        self.bytes += data.len();
        self.chunks.push(Chunk {
            node,
            frame: p.meta.number,
            header: escape_text(&p.columns.info).into_owned(),
            data,
        });
    }

    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }
}

/// How the bytes are shown.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Ascii,
    HexDump,
    Raw,
}

/// The text lines of a chunk's bytes in a mode.
pub fn data_lines(data: &[u8], mode: Mode) -> Vec<String> {
    match mode {
        Mode::Ascii => {
            let text: String = data
                .iter()
                .map(|b| match b {
                    b'\n' => '\n',
                    b if b.is_ascii_graphic() || *b == b' ' => *b as char,
                    _ => '.',
                })
                .collect();
            text.lines().map(str::to_string).collect()
        }
        Mode::Raw => data.chunks(32).map(hex_string).collect(),
        Mode::HexDump => data
            .chunks(16)
            .enumerate()
            .map(|(i, c)| {
                let hex: Vec<String> = c.iter().map(|b| format!("{b:02x}")).collect();
                let asc: String = c
                    .iter()
                    .map(|b| {
                        if b.is_ascii_graphic() {
                            *b as char
                        } else {
                            '.'
                        }
                    })
                    .collect();
                format!("{:08x}  {:<48} {asc}", i * 16, hex.join(" "))
            })
            .collect(),
    }
}

/// The collected stream, shared with the thread collecting it.
#[derive(Default)]
struct Shared {
    chunks: Vec<Chunk>,
    done: bool,
}

pub struct FollowView {
    kind: Option<Kind>,
    shared: Arc<Mutex<Shared>>,
    mode: Mode,
    scroll: Selection,
    action: Option<Action>,
    note: Option<String>,
}

impl FollowView {
    /// Follows the stream of the selected packet of `cx`.
    pub fn open(cx: &Context) -> FollowView {
        let kind = cx.selected.as_deref().and_then(Kind::of);
        let shared = Arc::new(Mutex::new(Shared::default()));
        if let Some(k) = &kind {
            match cx.path {
                Some(path) => collect_file(path.clone(), cx.cfg.clone(), k.clone(), shared.clone()),
                None => {
                    let mut c = Collector::new(k.clone());
                    for p in &cx.kept {
                        c.add(p);
                    }
                    let mut s = lock(&shared);
                    s.chunks = c.chunks;
                    s.done = true;
                }
            }
        }
        FollowView {
            kind,
            shared,
            mode: Mode::Ascii,
            scroll: Selection::default(),
            action: None,
            note: None,
        }
    }

    /// The chunks collected so far (tests).
    pub fn chunks(&self) -> Vec<Chunk> {
        lock(&self.shared).chunks.clone()
    }

    /// Waits until the collection ends (tests).
    pub fn wait(&self) {
        while !lock(&self.shared).done && self.kind.is_some() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn lines(&self) -> Vec<Line<'static>> {
        let s = lock(&self.shared);
        let colour = |node: usize| {
            if node == 0 {
                theme().fg(theme().stream.0)
            } else {
                theme().fg(theme().stream.1)
            }
        };
        let mut out = vec![];
        for c in &s.chunks {
            let st = colour(c.node);
            let arrow = if c.node == 0 { "→" } else { "←" };
            out.push(Line::from(Span::styled(
                format!("{arrow} frame {}: {}", c.frame, c.header),
                st.add_modifier(Modifier::BOLD),
            )));
            for l in data_lines(&c.data, self.mode) {
                out.push(Line::from(Span::styled(format!("  {l}"), st)));
            }
        }
        out
    }

    fn save(&mut self) {
        let Some(kind) = &self.kind else { return };
        let name = kind.filter().replace([' ', '=', '&', '.'], "");
        let path = std::env::temp_dir().join(format!("lowshark-follow-{name}.txt"));
        let mut text = format!("Follow: {}\n", kind.title());
        for c in lock(&self.shared).chunks.iter() {
            text.push_str(&format!(
                "Node {} frame {}: {}\n",
                c.node, c.frame, c.header
            ));
            for l in data_lines(&c.data, self.mode) {
                text.push_str(&l);
                text.push('\n');
            }
        }
        self.note = Some(match std::fs::write(&path, text) {
            Ok(()) => format!("saved to {}", path.display()),
            Err(e) => format!("could not save {}: {e}", path.display()),
        });
    }
}

fn lock(s: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

fn collect_file(path: PathBuf, cfg: LoadConfig, kind: Kind, shared: Arc<Mutex<Shared>>) {
    let _ = std::thread::Builder::new()
        .name("lowshark-follow".into())
        .spawn(move || {
            let mut c = Collector::new(kind);
            if let Ok(reader) = CaptureReader::open(&path) {
                loader::dissect_all_with(reader, &cfg, Kind::build(), |p, _| {
                    let before = c.chunks().len();
                    c.add(&p);
                    if c.chunks().len() > before {
                        lock(&shared).chunks = c.chunks().to_vec();
                    }
                    Arc::strong_count(&shared) > 1
                });
            }
            let mut s = lock(&shared);
            s.chunks = c.chunks;
            s.done = true;
        });
}

impl Component for FollowView {
    fn handle_key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Char('m') => {
                self.mode = match self.mode {
                    Mode::Ascii => Mode::HexDump,
                    Mode::HexDump => Mode::Raw,
                    Mode::Raw => Mode::Ascii,
                }
            }
            KeyCode::Char('w') => self.save(),
            KeyCode::Enter => self.action = self.kind.as_ref().map(|k| Action::Filter(k.filter())),
            _ => {
                let len = self.lines().len();
                return self.scroll.handle_key(key, len);
            }
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let Some(kind) = &self.kind else {
            let block = pane_block(" Follow ", true);
            let text = "The selected packet is not part of a TCP or UDP stream (or its tree \
                        was dropped): select one in the packet list, then press F.";
            frame.render_widget(Paragraph::new(text).block(block), area);
            return;
        };
        let mode = match self.mode {
            Mode::Ascii => "ASCII",
            Mode::HexDump => "hex dump",
            Mode::Raw => "raw",
        };
        let done = if lock(&self.shared).done {
            ""
        } else {
            " · reading…"
        };
        let note = self
            .note
            .as_deref()
            .map(|n| format!(" · {n}"))
            .unwrap_or_default();
        let title = format!(" Follow {} · {mode}{done}{note} ", kind.title());
        let block = pane_block(&title, true);
        let inner = block.inner(area);
        let lines = self.lines();
        let window = self.scroll.window(lines.len(), inner.height as usize);
        let shown: Vec<Line> = lines[window].to_vec();
        frame.render_widget(Paragraph::new(shown).block(block), area);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }
}

impl View for FollowView {
    fn take_action(&mut self) -> Option<Action> {
        self.action.take()
    }
}
