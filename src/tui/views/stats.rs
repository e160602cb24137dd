//! `s`: statistics in tabs: protocol hierarchy, conversations and endpoints (802.15.4, IPv6,
//! IPv4, UDP, TCP, Ethernet), an I/O graph, CoAP response times and observations, MQTT topics
//! and 6LoWPAN fragmentation. Every tab is the model of a `-z` statistic (`io,phs`,
//! `conv,TYPE`, `endpoints,TYPE`, `coap,srt`, `coap,observe`, `mqtt,topics`, `6lowpan,frag`),
//! read row by row, so the tab and the printed table agree. Enter on a row filters the packet
//! list to it.

use super::analysis::{Analysis, Models};
use super::table::{table, Selection};
use super::{progress, Action, View};
use crate::stats::conv::ConvKind;
use crate::stats::format_bytes;
use crate::tui::theme::theme;
use crate::tui::{pane_block, Component, Key};
use crossterm::event::KeyCode;
use dissectors::analysis::links::address_filter;
use dissectors::engine::value::hex_string;
use ratatui::layout::Constraint::{self, Fill, Length};
use ratatui::layout::{Layout, Rect};
use ratatui::symbols;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Cell, Chart, Dataset, GraphType, Paragraph, Row, Tabs};
use ratatui::Frame;
use std::cell::RefCell;
use std::sync::Arc;

const KEYS: &[(&str, &str)] = &[
    ("Tab/→ ←", "next/previous tab"),
    (
        "c",
        "conversation/endpoint type (802.15.4, IPv6, IPv4, UDP, TCP, Ethernet)",
    ),
    ("b", "I/O graph: packets or bytes"),
    ("Enter", "filter the packet list to the row"),
    ("j/k ↑/↓", "next/previous row"),
    ("Esc q", "close the view"),
];

/// The tabs, in order.
pub const TABS: &[&str] = &[
    "Hierarchy",
    "Conversations",
    "Endpoints",
    "I/O graph",
    "CoAP",
    "MQTT",
    "6LoWPAN frag",
];

/// A tab's table: its columns (title and width) and, per row, its cells and the filter Enter
/// applies.
struct TableData {
    columns: &'static [(&'static str, Constraint)],
    rows: Vec<(Vec<String>, Option<String>)>,
}

pub struct StatsView {
    analysis: Arc<Analysis>,
    tab: usize,
    kind: usize,
    bytes: bool,
    rows: Selection,
    action: Option<Action>,
    /// The rows' filters as last drawn.
    drawn: RefCell<Vec<Option<String>>>,
}

fn ms(ns: i64) -> String {
    format!("{:.1}", ns as f64 / 1e6)
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl StatsView {
    pub fn new(analysis: Arc<Analysis>) -> StatsView {
        StatsView {
            analysis,
            tab: 0,
            kind: 0,
            bytes: false,
            rows: Selection::default(),
            action: None,
            drawn: RefCell::default(),
        }
    }

    /// Shows tab `i` (tests).
    pub fn set_tab(&mut self, i: usize) {
        self.tab = i % TABS.len();
        self.rows = Selection::default();
    }

    fn table(&self, m: &Models) -> TableData {
        match self.tab {
            0 => hierarchy(m),
            1 => conversations(m, self.kind),
            2 => endpoints(m, self.kind),
            4 => coap(m),
            5 => mqtt(m),
            _ => frag(m),
        }
    }

    fn draw_table(&self, frame: &mut Frame, area: Rect, data: TableData) {
        let window = self
            .rows
            .window(data.rows.len(), area.height.saturating_sub(1) as usize);
        let sel = self.rows.get(data.rows.len());
        let rows: Vec<Row> = data.rows[window.clone()]
            .iter()
            .enumerate()
            .map(|(k, (cells, _))| {
                let r = Row::new(cells.iter().map(|c| Cell::from(c.clone())));
                if Some(window.start + k) == sel {
                    r.style(theme().selection())
                } else {
                    r
                }
            })
            .collect();
        *self.drawn.borrow_mut() = data.rows.into_iter().map(|r| r.1).collect();
        let (titles, widths): (Vec<_>, Vec<_>) = data.columns.iter().copied().unzip();
        frame.render_widget(table(rows, widths, titles), area);
    }

    fn draw_io(&self, frame: &mut Frame, area: Rect, m: &Models) {
        self.drawn.borrow_mut().clear();
        let step = m.io.interval_ns() as f64 / 1e9;
        let points: Vec<(f64, f64)> =
            m.io.bins()
                .iter()
                .enumerate()
                .map(|(i, b)| (i as f64 * step, if self.bytes { b.1 } else { b.0 } as f64))
                .collect();
        let max_y = points.iter().map(|p| p.1).fold(1.0, f64::max);
        let max_x = (points.len() as f64 * step).max(step);
        let what = if self.bytes { "bytes" } else { "packets" };
        let data = Dataset::default()
            .name(format!("{what} per {:.1} s", step))
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Bar)
            .style(theme().good())
            .data(&points);
        let label = |v: f64| Line::from(format!("{v:.0}"));
        let chart = Chart::new(vec![data])
            .x_axis(Axis::default().title("s").bounds([0.0, max_x]).labels([
                label(0.0),
                label(max_x / 2.0),
                label(max_x),
            ]))
            .y_axis(Axis::default().title(what).bounds([0.0, max_y]).labels([
                label(0.0),
                label(max_y / 2.0),
                label(max_y),
            ]));
        frame.render_widget(chart, area);
    }
}

fn hierarchy(m: &Models) -> TableData {
    let total = m.phs.frames().max(1) as f64;
    TableData {
        columns: &[
            ("Protocol", Fill(1)),
            ("% Packets", Length(9)),
            ("Packets", Length(9)),
            ("Bytes", Length(12)),
        ],
        rows: m
            .phs
            .rows()
            .into_iter()
            .map(|r| {
                let cells = vec![
                    format!("{}{}", "  ".repeat(r.depth), r.name),
                    format!("{:.1}", r.frames as f64 * 100.0 / total),
                    r.frames.to_string(),
                    r.bytes.to_string(),
                ];
                (cells, Some(r.name.to_string()))
            })
            .collect(),
    }
}

fn endpoint_text(a: &(dissectors::engine::address::Address, u16), ports: bool) -> String {
    if ports {
        format!("{}:{}", a.0, a.1)
    } else {
        a.0.to_string()
    }
}

fn conversations(m: &Models, kind: usize) -> TableData {
    let c = &m.conversations[kind % m.conversations.len()];
    let k = c.kind();
    let ports = matches!(k, ConvKind::Udp | ConvKind::Tcp);
    TableData {
        columns: &[
            ("A", Fill(1)),
            ("B", Fill(1)),
            ("Packets A→B", Length(11)),
            ("Packets B→A", Length(11)),
            ("Bytes", Length(10)),
            ("Start s", Length(9)),
            ("Duration s", Length(10)),
        ],
        rows: c
            .rows()
            .into_iter()
            .map(|(a, b, n)| {
                let cells = vec![
                    endpoint_text(&a, ports),
                    endpoint_text(&b, ports),
                    n.frames[0].to_string(),
                    n.frames[1].to_string(),
                    format_bytes(n.bytes[0] + n.bytes[1]),
                    format!("{:.3}", n.first_rel as f64 / 1e9),
                    format!("{:.3}", (n.last_rel - n.first_rel) as f64 / 1e9),
                ];
                (cells, Some(k.conversation_filter(&a, &b)))
            })
            .collect(),
    }
}

fn endpoints(m: &Models, kind: usize) -> TableData {
    let e = &m.endpoints[kind % m.endpoints.len()];
    let k = e.kind();
    let ports = matches!(k, ConvKind::Udp | ConvKind::Tcp);
    TableData {
        columns: &[
            ("Endpoint", Fill(1)),
            ("Packets", Length(8)),
            ("Bytes", Length(10)),
            ("Tx packets", Length(10)),
            ("Rx packets", Length(10)),
        ],
        rows: e
            .rows()
            .into_iter()
            .map(|(a, n)| {
                let cells = vec![
                    endpoint_text(&a, ports),
                    (n.tx_frames + n.rx_frames).to_string(),
                    format_bytes(n.tx_bytes + n.rx_bytes),
                    n.tx_frames.to_string(),
                    n.rx_frames.to_string(),
                ];
                (cells, Some(k.endpoint_filter(&a)))
            })
            .collect(),
    }
}

fn coap(m: &Models) -> TableData {
    let st = m.coap.model();
    let mut rows: Vec<(Vec<String>, Option<String>)> = st
        .srt_rows()
        .map(|((uri, method), r)| {
            let shown = if uri.is_empty() { "(none)" } else { uri };
            let cells = vec![
                shown.to_string(),
                method.clone(),
                r.calls.to_string(),
                ms(r.min),
                ms(r.mean()),
                ms(r.max),
            ];
            (
                cells,
                Some(format!("coap.opt.uri_path_recon == {}", quoted(uri))),
            )
        })
        .collect();
    for o in st.observations() {
        let state = o.end.clone().unwrap_or_else(|| "active".into());
        let cells = vec![
            format!(
                "observe {}",
                if o.resource.is_empty() {
                    "/"
                } else {
                    &o.resource
                }
            ),
            format!("from {}", o.observer),
            o.notifications.to_string(),
            format!("gaps {}", o.gaps),
            format!("reord. {}", o.reordered),
            state,
        ];
        let filter = format!("coap.token == {}", hex_string(&o.token));
        rows.push((cells, (!o.token.is_empty()).then_some(filter)));
    }
    TableData {
        columns: &[
            ("URI", Fill(2)),
            ("Method", Fill(1)),
            ("Calls", Length(6)),
            ("Min ms", Length(9)),
            ("Mean ms", Length(9)),
            ("Max ms", Fill(1)),
        ],
        rows,
    }
}

fn mqtt(m: &Models) -> TableData {
    TableData {
        columns: &[
            ("Topic", Fill(2)),
            ("Messages", Length(8)),
            ("QoS 0/1/2", Length(10)),
            ("Bytes", Length(8)),
            ("Publishers", Fill(1)),
            ("Subscribers", Fill(1)),
        ],
        rows: m
            .mqtt
            .model()
            .topics()
            .map(|(t, s)| {
                let join = |v: &std::collections::BTreeSet<String>| {
                    v.iter().cloned().collect::<Vec<_>>().join(", ")
                };
                let cells = vec![
                    t.clone(),
                    s.messages.to_string(),
                    format!("{}/{}/{}", s.qos[0], s.qos[1], s.qos[2]),
                    s.bytes.to_string(),
                    join(&s.publishers),
                    join(&s.subscribers),
                ];
                (cells, Some(format!("mqtt.topic == {}", quoted(t))))
            })
            .collect(),
    }
}

fn frag(m: &Models) -> TableData {
    TableData {
        columns: &[
            ("Sender", Fill(1)),
            ("Datagrams", Length(9)),
            ("Complete", Length(8)),
            ("Fragments", Length(9)),
            ("Missing", Length(7)),
            ("Tag reuse", Length(9)),
            ("Mean ms", Length(8)),
            ("Max ms", Length(8)),
        ],
        rows: m
            .frag
            .model()
            .senders()
            .into_iter()
            .map(|(src, s)| {
                let cells = vec![
                    src.to_string(),
                    s.datagrams.to_string(),
                    s.completed.to_string(),
                    s.fragments.to_string(),
                    s.missing.to_string(),
                    s.reused_tags.to_string(),
                    s.mean_reassembly_ns().map_or("-".into(), ms),
                    if s.completed > 0 {
                        ms(s.reassembly_max_ns)
                    } else {
                        "-".into()
                    },
                ];
                let f = format!("6lowpan.frag.tag && {}", address_filter("src", &src));
                (cells, Some(f))
            })
            .collect(),
    }
}

impl Component for StatsView {
    fn handle_key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Tab | KeyCode::Right | KeyCode::Char('l') => self.set_tab(self.tab + 1),
            KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => {
                self.set_tab(self.tab + TABS.len() - 1)
            }
            KeyCode::Char('c') => {
                self.kind = (self.kind + 1) % ConvKind::ALL.len();
                self.rows = Selection::default();
            }
            KeyCode::Char('b') => self.bytes = !self.bytes,
            KeyCode::Enter => {
                let drawn = self.drawn.borrow();
                if let Some(Some(f)) = self.rows.get(drawn.len()).map(|i| drawn[i].clone()) {
                    self.action = Some(Action::Filter(f));
                }
            }
            _ => {
                let len = self.drawn.borrow().len();
                return self.rows.handle_key(key, len);
            }
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let m = self.analysis.models();
        let mut title = format!(" Statistics · {} ", progress(&m));
        if matches!(self.tab, 1 | 2) {
            title = format!(
                " Statistics · {} · {} ",
                ConvKind::ALL[self.kind].title(),
                progress(&m)
            );
        }
        let block = pane_block(&title, true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        frame.render_widget(
            Tabs::new(TABS.iter().copied())
                .select(self.tab)
                .highlight_style(theme().key()),
            tabs,
        );
        if self.tab == 3 {
            self.draw_io(frame, body, &m);
            return;
        }
        let data = self.table(&m);
        if data.rows.is_empty() {
            frame.render_widget(Paragraph::new("Nothing seen yet."), body);
            self.drawn.borrow_mut().clear();
            return;
        }
        self.draw_table(frame, body, data);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }
}

impl View for StatsView {
    fn take_action(&mut self) -> Option<Action> {
        self.action.take()
    }
}
