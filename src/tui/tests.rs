//! Component and app tests: render into ratatui's TestBackend and assert on the buffer (text
//! and cell styles), and drive the app with keys.

use super::loader::{self, LoadConfig, Msg};
use super::*;
use crate::capture::{CaptureReader, CapturedFrame};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dissectors::engine::field::{FieldDef, FieldType};
use dissectors::engine::tree::{ByteRange, NodeId, Tree};
use dissectors::engine::value::Value;
use dissectors::engine::{Columns, DataSource, FrameMeta, PacketInfo};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use ratatui::Terminal;
use std::sync::mpsc::{sync_channel, Receiver};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/demo.pcapng");

pub(super) fn cfg() -> LoadConfig {
    LoadConfig {
        registry: Arc::new(Registry::builtin()),
        prefs: Prefs::default(),
        time_format: TimeFormat::Relative,
    }
}

/// An app over `source`, loaded synchronously through the loader threads' own code (the
/// indexer, then the first pass), with what the background passes sent filed.
pub(super) fn app_over(
    title: &str,
    path: Option<&str>,
    source: impl Iterator<Item = Result<CapturedFrame, crate::capture::CaptureError>>,
    filter: Option<&str>,
) -> (App, Receiver<Msg>) {
    let cap = Capture::new(cfg());
    let (tx, rx) = sync_channel(loader::CHANNEL_DEPTH);
    let mut app = App::new(title.into(), path.map(Into::into), cap.clone(), tx, filter);
    frames::index_all(source, &cap.frames, false);
    rows::first_pass(&cap, &app.pass_output(false));
    settle(&mut app, &rx);
    (app, rx)
}

/// Files messages until loading and filtering are over.
pub(super) fn settle(app: &mut App, rx: &Receiver<Msg>) {
    let start = Instant::now();
    loop {
        app.pump(rx, Duration::from_millis(20));
        if !app.loading && !app.filtering {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never settled");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn demo_reader() -> CaptureReader {
    CaptureReader::open(std::path::Path::new(DEMO)).expect("demo capture")
}

pub(super) fn demo_app() -> App {
    app_over("demo.pcapng", Some(DEMO), demo_reader(), None).0
}

pub(super) fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn keys(app: &mut App, codes: &[KeyCode]) {
    for c in codes {
        app.handle_key(key(*c));
    }
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(key(KeyCode::Char(c)));
    }
}

pub(super) fn render(app: &App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    t.backend().buffer().clone()
}

fn lines(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

pub(super) fn screen(buf: &Buffer) -> String {
    lines(buf).join("\n")
}

/// Number of the selected packet.
fn selected(app: &App) -> u64 {
    app.list.selected_index().unwrap() as u64 + 1
}

#[test]
fn list_shows_the_columns_and_rows_of_the_capture() {
    let app = demo_app();
    assert_eq!(app.list.total(), 369);
    let buf = render(&app, 160, 48);
    let l = lines(&buf);
    let header = l.iter().find(|l| l.contains("No.")).unwrap();
    for col in [
        "Time",
        "Source",
        "Destination",
        "Protocol",
        "Length",
        "Info",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let syn = l
        .iter()
        .position(|l| l.contains("49822 → 1883 [SYN] Seq=0 Win=64240 Len=0"))
        .expect("SYN row");
    let row = &l[syn];
    assert!(row.contains("    5     0.410132 192.0.2.1"), "{row}");
    assert!(row.contains("192.0.2.10") && row.contains("TCP") && row.contains(" 74 "));
    // Wireshark's "TCP SYN/FIN" rule: grey rows; plain TCP rows are lavender.
    let x = row.find("49822").unwrap() as u16;
    assert_eq!(
        buf[(x, syn as u16)].bg,
        packet_list::class_style(loader::Class::TcpFlags)
            .bg
            .unwrap()
    );
    let ack = l
        .iter()
        .position(|l| l.contains("49822 → 1883 [ACK] Seq=1 Ack=1 Win=64256 Len=0"))
        .unwrap();
    assert_eq!(
        buf[(x, ack as u16)].bg,
        Color::Rgb(0xe7, 0xe6, 0xff),
        "plain TCP colour"
    );
    // Status line: file, counts.
    let s = screen(&buf);
    assert!(
        s.contains("demo.pcapng │ Packets: 369 · Displayed: 369"),
        "{s}"
    );
}

#[test]
fn malformed_packets_are_red() {
    // A truncated IPv4 header on Ethernet: the engine marks it malformed.
    let cfg = cfg();
    let mut engine = dissectors::engine::Engine::new(cfg.registry.clone(), Prefs::default());
    let mut frame = vec![0u8; 12];
    frame.extend_from_slice(&[0x08, 0x00, 0x45, 0x00, 0x00]);
    let meta = FrameMeta {
        number: 1,
        orig_len: frame.len() as u32,
        link_type: 1,
        ..Default::default()
    };
    let p = engine.dissect(meta.clone(), &frame);
    assert!(p.is_malformed());
    let s = loader::summarize(&p, TimeFormat::Relative, 0);
    assert_eq!(s.class, loader::Class::Error);
    let f = CapturedFrame {
        meta,
        data: frame.into(),
    };
    let (mut app, _rx) = app_over("x", None, std::iter::once(Ok(f)), None);
    app.set_focus(Focus::Detail); // the list's row keeps its own colour when not focused
    let buf = render(&app, 120, 30);
    let l = lines(&buf);
    let y = l.iter().position(|l| l.contains("    1 ")).unwrap();
    let x = l[y].find("    1").unwrap() as u16 + 4;
    assert_eq!(buf[(x, y as u16)].bg, Color::Rgb(0xa4, 0x00, 0x00));
}

#[test]
fn list_navigation_keys() {
    let mut app = demo_app();
    assert_eq!(selected(&app), 1);
    keys(
        &mut app,
        &[KeyCode::Char('j'), KeyCode::Down, KeyCode::Char('j')],
    );
    assert_eq!(selected(&app), 4);
    keys(&mut app, &[KeyCode::Char('k'), KeyCode::Up]);
    assert_eq!(selected(&app), 2);
    keys(&mut app, &[KeyCode::Up, KeyCode::Up]);
    assert_eq!(selected(&app), 1, "stops at the top");
    keys(&mut app, &[KeyCode::Char('G')]);
    assert_eq!(selected(&app), 369);
    assert!(app.list.follow, "G follows new packets");
    keys(&mut app, &[KeyCode::Down]);
    assert_eq!(selected(&app), 369, "stops at the end");
    keys(&mut app, &[KeyCode::Char('g')]);
    assert_eq!(selected(&app), 1);
    assert!(!app.list.follow);
    // A page is the number of rows drawn: 48-line screen, list gets 40% minus borders/header.
    let buf = render(&app, 160, 48);
    let rows = lines(&buf)
        .iter()
        .take_while(|l| !l.contains("Packet details"))
        .filter(|l| {
            let c: String = l.chars().skip(1).take(6).collect();
            c.trim().parse::<u64>().is_ok()
        })
        .count();
    assert_eq!(
        rows, 16,
        "48 lines: 40% for the list, less borders and header"
    );
    keys(&mut app, &[KeyCode::PageDown]);
    assert_eq!(selected(&app) as usize, 1 + rows);
    keys(&mut app, &[KeyCode::PageUp]);
    assert_eq!(selected(&app), 1);
    // The selection is kept in view when scrolling past the bottom.
    keys(
        &mut app,
        &[KeyCode::PageDown, KeyCode::PageDown, KeyCode::Down],
    );
    let n = selected(&app);
    let buf = render(&app, 160, 48);
    assert!(
        screen(&buf).contains(&format!("\n│{n:>6} "))
            || screen(&buf).contains(&format!("┃{n:>6} "))
    );
}

#[test]
fn follow_mode_keeps_the_last_packet_selected_while_loading() {
    let cap = Capture::new(cfg());
    let (tx, rx) = sync_channel(loader::CHANNEL_DEPTH);
    let mut app = App::new("live".into(), None, cap.clone(), tx, None);
    for (n, f) in demo_reader().take(10).enumerate() {
        cap.frames.append(&mut vec![f.unwrap()]);
        app.pump(&rx, Duration::from_millis(20));
        if n + 1 == 3 {
            app.handle_key(key(KeyCode::Char('f')));
            assert_eq!(selected(&app), 3);
        }
    }
    assert_eq!(selected(&app), 10);
    assert!(app.detail.lines()[0].contains("Frame 10:"));
}

#[test]
fn enter_goes_to_details_and_expands_and_collapses() {
    let mut app = demo_app();
    keys(&mut app, &[KeyCode::Char('j'); 4]);
    assert_eq!(selected(&app), 5);
    let top = app.detail.lines();
    assert_eq!(top.len(), 4, "{top:?}");
    assert!(top[0].starts_with("▶ Frame 5: 74 bytes on wire"), "{top:?}");
    assert!(top[1].starts_with("▶ Ethernet II"), "{top:?}");
    assert!(
        top[2].starts_with("▶ Internet Protocol Version 4"),
        "{top:?}"
    );
    assert!(
        top[3].starts_with("▶ Transmission Control Protocol"),
        "{top:?}"
    );
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.focus, Focus::Detail);
    keys(&mut app, &[KeyCode::Enter]);
    let open = app.detail.lines();
    assert!(open[0].starts_with("▼ Frame 5"));
    assert!(
        open.contains(&"    Frame Number: 5".to_string()),
        "{open:?}"
    );
    keys(&mut app, &[KeyCode::Char(' ')]);
    assert_eq!(app.detail.lines(), top, "Space collapses");
    // → expands, → again goes to the first child, ← goes back to the parent, ← collapses.
    keys(&mut app, &[KeyCode::Right]);
    assert_eq!(app.detail.lines().len(), open.len());
    keys(&mut app, &[KeyCode::Right]);
    assert!(app
        .detail
        .selected_label()
        .unwrap()
        .starts_with("Interface id"));
    keys(&mut app, &[KeyCode::Left]);
    assert!(app.detail.selected_label().unwrap().starts_with("Frame 5"));
    keys(&mut app, &[KeyCode::Left]);
    assert_eq!(app.detail.lines(), top);
    // Rendered: the labels are on screen, the pane is titled.
    keys(
        &mut app,
        &[KeyCode::Down, KeyCode::Down, KeyCode::Down, KeyCode::Enter],
    );
    let s = screen(&render(&app, 160, 48));
    assert!(s.contains("Packet details"));
    assert!(
        s.contains("▼ Transmission Control Protocol, Src Port: 49822"),
        "{s}"
    );
    assert!(s.contains("    Source Port: 49822"), "{s}");
}

#[test]
fn expand_all_shows_generated_in_brackets_and_never_hidden_nodes() {
    let mut app = demo_app();
    keys(&mut app, &[KeyCode::Char('j'); 4]);
    keys(&mut app, &[KeyCode::Tab, KeyCode::Char('e')]);
    let all = app.detail.lines();
    assert!(
        all.iter().any(|l| l.trim_start() == "[Stream index: 0]"),
        "{all:?}"
    );
    assert!(all.iter().any(|l| l.trim_start() == "[TCP Segment Len: 0]"));
    // Every node that is not hidden (nor under a hidden one) is a line; hidden ones are not.
    let p = app.packet(4).unwrap();
    let tree = &p.tree;
    let hidden_under = |mut id: NodeId| loop {
        if tree.node(id).flags.hidden {
            return true;
        }
        match tree.parent(id) {
            Some(NodeId::ROOT) | None => return false,
            Some(par) => id = par,
        }
    };
    let visible = tree.iter().filter(|(id, _)| !hidden_under(*id)).count();
    let hidden = tree.iter().filter(|(_, n)| n.flags.hidden).count();
    assert!(hidden > 0, "the test needs a hidden field (tcp.port)");
    assert_eq!(all.len(), visible);
    // A hidden node's label (tcp.port's "Source or Destination Port") is never drawn.
    let hidden_labels: Vec<String> = tree
        .iter()
        .filter(|(_, n)| n.flags.hidden)
        .map(|(id, _)| crate::output::text::node_label(tree, id))
        .collect();
    assert!(hidden_labels
        .iter()
        .any(|l| l.starts_with("Source or Destination Port")));
    assert!(!all.iter().any(|l| l.contains("Source or Destination Port")));
    // The same subtrees stay open on the next packet (remembered by field path).
    keys(
        &mut app,
        &[KeyCode::BackTab, KeyCode::Char('j'), KeyCode::Tab],
    );
    assert_eq!(selected(&app), 6);
    assert!(app
        .detail
        .lines()
        .iter()
        .any(|l| l.trim_start() == "Source Port: 1883"));
    keys(&mut app, &[KeyCode::Char('c')]);
    assert_eq!(app.detail.lines().len(), 4);
}

/// (x, y) of the hex cell of byte `i` of the source shown, found from the offset column.
fn hex_cell(buf: &Buffer, i: usize) -> (u16, u16) {
    let l = lines(buf);
    let tag = format!("{:04x}  ", i / 16 * 16);
    let y = l
        .iter()
        .position(|l| l.contains(&format!("│{tag}")) || l.contains(&format!("┃{tag}")))
        .expect("hex line");
    let x0 = l[y].find(&tag).unwrap();
    // Column in cells: the line may contain multi-byte box characters before it.
    let x0 = l[y][..x0].chars().count() + 6;
    let j = i % 16;
    ((x0 + j * 3 + usize::from(j >= 8)) as u16, y as u16)
}

#[test]
fn hex_pane_highlights_the_selected_nodes_bytes() {
    let mut app = demo_app();
    keys(&mut app, &[KeyCode::Char('j'); 4]);
    keys(&mut app, &[KeyCode::Tab, KeyCode::Down]); // Ethernet II: bytes 0..14
    assert!(app
        .detail
        .selected_label()
        .unwrap()
        .starts_with("Ethernet II"));
    let buf = render(&app, 160, 48);
    let hl = hex::highlight_style().bg.unwrap();
    for i in 0..14 {
        let (x, y) = hex_cell(&buf, i);
        assert_eq!(buf[(x, y)].bg, hl, "byte {i}");
    }
    let (x, y) = hex_cell(&buf, 14);
    assert_ne!(buf[(x, y)].bg, hl, "byte 14 is IPv4");
    assert!(screen(&buf).contains("│ Ethernet (eth), 14 bytes"));
    // IPv4 header: bytes 14..34.
    keys(&mut app, &[KeyCode::Down]);
    let buf = render(&app, 160, 48);
    let (x, y) = hex_cell(&buf, 13);
    assert_ne!(buf[(x, y)].bg, hl);
    for i in 14..34 {
        let (x, y) = hex_cell(&buf, i);
        assert_eq!(buf[(x, y)].bg, hl, "byte {i}");
        assert_eq!(
            buf[(x, y)].symbol(),
            format!("{:02x}", app.packet(4).unwrap().frame_data()[i])
                .chars()
                .next()
                .unwrap()
                .to_string()
        );
    }
    let (x, y) = hex_cell(&buf, 34);
    assert_ne!(buf[(x, y)].bg, hl);
}

static F_A: FieldDef = FieldDef::new("t.a", "A", FieldType::U8);

/// A packet with two data sources, a node in each.
fn two_source_packet() -> Packet {
    let mut tree = Tree::new();
    let r0 = ByteRange {
        source: 0,
        start: 2,
        len: 1,
    };
    let r1 = ByteRange {
        source: 1,
        start: 17,
        len: 2,
    };
    tree.push(NodeId::ROOT, Some(&F_A), Value::UInt(2), r0);
    tree.push(NodeId::ROOT, Some(&F_A), Value::UInt(7), r1);
    Packet {
        meta: FrameMeta {
            number: 1,
            orig_len: 4,
            ..Default::default()
        },
        tree,
        sources: vec![
            DataSource {
                label: "".into(),
                data: Arc::from(&[0u8, 1, 2, 3][..]),
            },
            DataSource {
                label: "Decompressed 6LoWPAN IPHC (40 bytes)".into(),
                data: Arc::from((0..40u8).collect::<Vec<_>>()),
            },
        ],
        columns: Columns::default(),
        info: PacketInfo::default(),
        protocols: vec![],
        rel_ns: 0,
        malformed: false,
        max_severity: None,
    }
}

#[test]
fn hex_pane_shows_every_source_and_follows_the_nodes_source() {
    // No frame is selected, so the app leaves a packet shown by hand alone.
    let (mut app, _rx) = app_over("x", None, std::iter::empty(), None);
    let p = Arc::new(two_source_packet());
    app.detail.set_packet(Some(p.clone()), None);
    app.hex.set_packet(Some(p));
    app.sync_selection();
    let hl = hex::highlight_style().bg.unwrap();
    let buf = render(&app, 120, 40);
    let s = screen(&buf);
    assert!(s.contains("Frame (4 bytes)") && s.contains("Decompressed 6LoWPAN IPHC (40 bytes)"));
    assert_eq!(app.hex.source_index(), 0);
    assert!(s.contains("0000  00 01 02 03"), "{s}");
    let (x, y) = hex_cell(&buf, 2);
    assert_eq!(buf[(x, y)].bg, hl);
    // The second node's bytes are in the decompressed buffer: the pane switches to it.
    keys(&mut app, &[KeyCode::Tab, KeyCode::Down]);
    assert_eq!(app.hex.source_index(), 1);
    let buf = render(&app, 120, 40);
    let s = screen(&buf);
    assert!(s.contains("0010  10 11 12 13"), "{s}");
    for i in [17, 18] {
        let (x, y) = hex_cell(&buf, i);
        assert_eq!(buf[(x, y)].bg, hl, "byte {i}");
    }
    let (x, y) = hex_cell(&buf, 16);
    assert_ne!(buf[(x, y)].bg, hl);
    // ←/→ in the hex pane switch sources by hand.
    keys(&mut app, &[KeyCode::Tab, KeyCode::Right]);
    assert_eq!(app.hex.source_index(), 0);
    keys(&mut app, &[KeyCode::Char('[')]);
    assert_eq!(app.hex.source_index(), 1);
}

#[test]
fn filter_applies_and_refilters_the_list() {
    let mut app = demo_app();
    keys(&mut app, &[KeyCode::Char('j'); 6]);
    typed(&mut app, "/tcp");
    assert!(app.filter_bar.editing);
    let s = screen(&render(&app, 160, 48));
    assert!(s.starts_with("Filter: tcp"), "{s}");
    keys(&mut app, &[KeyCode::Enter]);
    assert!(!app.filter_bar.editing);
    assert_eq!(app.list.shown_count(), 71);
    assert_eq!(selected(&app), 7, "the selected packet stays selected");
    let s = screen(&render(&app, 160, 48));
    assert!(
        s.contains("Packets: 369 · Displayed: 71 (19.2%) │ Filter: tcp"),
        "{s}"
    );
    assert!(
        !s.contains("     1     0.000000"),
        "packet 1 is not TCP: {s}"
    );
    assert!(s.contains("     5     0.410132"), "{s}");
    // A field comparison, then an empty filter shows everything again.
    typed(&mut app, "/");
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut app, "tcp.flags.syn == 1");
    keys(&mut app, &[KeyCode::Enter]);
    // The SYN and the SYN/ACK of each TCP connection.
    let n = app.list.shown_count();
    assert!(n > 0 && n < 71 && n.is_multiple_of(2), "{n}");
    let s = screen(&render(&app, 160, 48));
    assert!(s.contains("[SYN] Seq=0") && s.contains("[SYN, ACK]") && !s.contains("[PSH, ACK]"));
    typed(&mut app, "/");
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.list.shown_count(), 369);
}

#[test]
fn filter_error_shows_message_and_position_and_stays_open() {
    let mut app = demo_app();
    typed(&mut app, "/tcp && udp.bogus");
    keys(&mut app, &[KeyCode::Enter]);
    assert!(app.filter_bar.editing, "an error keeps the bar open");
    let e = app.filter_bar.error().unwrap();
    assert_eq!((e.start, e.end), (7, 16));
    let l = lines(&render(&app, 160, 48));
    assert!(l[0].starts_with("Filter: tcp && udp.bogus"), "{}", l[0]);
    let caret = l[1].find('^').unwrap();
    assert_eq!(caret, "Filter: ".len() + 7, "{}", l[1]);
    assert!(
        l[1].contains("^^^^^^^^^ unknown field 'udp.bogus'"),
        "{}",
        l[1]
    );
    assert_eq!(app.list.shown_count(), 369, "nothing applied");
    // Fixing the text applies it; Esc would have cancelled.
    for _ in 0.." && udp.bogus".len() {
        keys(&mut app, &[KeyCode::Backspace]);
    }
    keys(&mut app, &[KeyCode::Enter]);
    assert!(!app.filter_bar.editing && app.filter_bar.error().is_none());
    assert_eq!(app.list.shown_count(), 71);
    typed(&mut app, "/x");
    keys(&mut app, &[KeyCode::Esc]);
    assert!(!app.filter_bar.editing);
    assert_eq!(app.filter_bar.applied(), "tcp");
    // q in the bar is text, not quit.
    typed(&mut app, "/q");
    assert!(!app.quit);
}

#[test]
fn filters_run_in_the_background_and_trees_are_rebuilt_on_demand() {
    let mut app = demo_app();
    app.inline_filter_max = 0;
    let (tx, rx) = sync_channel(loader::CHANNEL_DEPTH);
    app.tx = tx;
    assert_eq!(selected(&app), 1);
    keys(&mut app, &[KeyCode::Char('G')]);
    assert!(app.detail.lines()[0].contains("Frame 369"));
    typed(&mut app, "/tcp");
    keys(&mut app, &[KeyCode::Enter]);
    // The filter pass runs in threads and reports over the channel.
    settle(&mut app, &rx);
    assert_eq!(app.list.shown_count(), 71);
    // Every packet's tree can be had again, the first as well as the last.
    keys(&mut app, &[KeyCode::Char('g')]);
    assert!(
        app.detail.lines()[0].contains("Frame 5:"),
        "{:?}",
        app.detail.lines()
    );
}

#[test]
fn help_and_key_bar_come_from_the_components() {
    let mut app = demo_app();
    let s = screen(&render(&app, 200, 48));
    let bar = s.lines().last().unwrap().to_string();
    for (k, what) in app.list.keys() {
        if bar.contains(what) {
            assert!(bar.contains(k));
        }
    }
    assert!(bar.contains("next/previous packet"), "{bar}");
    keys(&mut app, &[KeyCode::Tab]);
    let s = screen(&render(&app, 200, 48));
    assert!(s.lines().last().unwrap().contains("expand/collapse"));
    keys(&mut app, &[KeyCode::Char('?')]);
    assert!(app.help.open);
    let s = screen(&render(&app, 160, 60));
    for comp in [
        app.list.keys(),
        app.detail.keys(),
        app.hex.keys(),
        app.filter_bar.keys(),
    ] {
        for (k, what) in comp {
            assert!(s.contains(what), "help lacks {what}");
            assert!(s.contains(k), "help lacks {k}");
        }
    }
    keys(&mut app, &[KeyCode::Char('j')]);
    assert!(app.help.open, "other keys do nothing under help");
    keys(&mut app, &[KeyCode::Esc]);
    assert!(!app.help.open);
    keys(&mut app, &[KeyCode::Char('q')]);
    assert!(app.quit);
}

#[test]
fn tab_cycles_focus() {
    let mut app = demo_app();
    assert_eq!(app.focus, Focus::List);
    keys(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.focus, Focus::Detail);
    keys(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.focus, Focus::Hex);
    keys(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.focus, Focus::List);
    keys(&mut app, &[KeyCode::BackTab]);
    assert_eq!(app.focus, Focus::Hex);
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.focus, Focus::List);
    // The focused pane has the thick border.
    let s = screen(&render(&app, 100, 40));
    assert!(s.contains("┏ Packets ") && s.contains("┌ Packet details ") && s.contains("┌ Bytes "));
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut app = demo_app();
    for (w, h) in [(1, 1), (10, 5), (40, 8), (80, 12)] {
        render(&app, w, h);
        keys(&mut app, &[KeyCode::Char('?')]);
        render(&app, w, h);
        keys(&mut app, &[KeyCode::Esc]);
        typed(&mut app, "/bad.field");
        keys(&mut app, &[KeyCode::Enter]);
        render(&app, w, h);
        keys(&mut app, &[KeyCode::Esc]);
    }
}

#[test]
fn initial_filter_from_the_command_line_applies_while_loading() {
    let (app, _rx) = app_over("demo", None, demo_reader(), Some("tcp"));
    assert_eq!(app.list.total(), 369);
    assert_eq!(app.list.shown_count(), 71);
    assert_eq!(selected(&app), 5, "the first TCP packet");
    let s = screen(&render(&app, 160, 48));
    assert!(s.starts_with("Filter: tcp "), "{s}");
}

#[test]
fn background_loader_reports_a_cut_file_and_stays_usable() {
    // The demo capture cut in the middle of a packet block.
    let bytes = std::fs::read(DEMO).unwrap();
    let path = std::env::temp_dir().join(format!("lowshark-tui-cut-{}.pcapng", std::process::id()));
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (tx, rx) = sync_channel(loader::CHANNEL_DEPTH);
    let reader = CaptureReader::open(&path).unwrap();
    let cap = Capture::new(cfg());
    frames::spawn_indexer(Box::new(reader), cap.frames.clone(), false);
    let mut app = App::new("cut".into(), Some(path.clone()), cap.clone(), tx, None);
    rows::spawn_first_pass(cap, app.pass_output(false));
    let start = Instant::now();
    while app.loading {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "loader never finished"
        );
        app.pump(&rx, Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = std::fs::remove_file(&path);
    let n = app.list.total();
    assert!(n > 100 && n < 369, "{n}");
    let s = screen(&render(&app, 160, 48));
    assert!(
        s.contains(&format!("Packets: {n} · Displayed: {n} │ ")),
        "{s}"
    );
    assert!(!s.contains("loading…"), "{s}");
    let status = s.lines().rev().nth(1).unwrap();
    assert!(
        status.contains("the file ends in the middle of an Enhanced Packet Block"),
        "the read error is shown: {status}"
    );
    keys(&mut app, &[KeyCode::Char('G')]);
    assert_eq!(selected(&app) as usize, n);
}

fn mouse(
    kind: crossterm::event::MouseEventKind,
    column: u16,
    row: u16,
) -> crossterm::event::MouseEvent {
    crossterm::event::MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

#[test]
fn mouse_clicks_select_and_focus_and_the_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEventKind as K};
    let mut app = demo_app();
    let buf = render(&app, 160, 48);
    let l = lines(&buf);
    // Click the row of packet 5.
    let y = l.iter().position(|l| l.contains("[SYN] Seq=0")).unwrap() as u16;
    app.handle_mouse(mouse(K::Down(MouseButton::Left), 30, y));
    assert_eq!(selected(&app), 5);
    // The wheel moves the selection by three.
    app.handle_mouse(mouse(K::ScrollDown, 30, y));
    assert_eq!(selected(&app), 8);
    app.handle_mouse(mouse(K::ScrollUp, 30, y));
    assert_eq!(selected(&app), 5);
    // Click the TCP line of the details: focus moves there and the line is selected; its
    // marker opens it.
    let buf = render(&app, 160, 48);
    let l = lines(&buf);
    let y = l
        .iter()
        .position(|l| l.contains("▶ Transmission Control Protocol"))
        .unwrap() as u16;
    app.handle_mouse(mouse(K::Down(MouseButton::Left), 50, y));
    assert_eq!(app.focus, Focus::Detail);
    assert!(app
        .detail
        .selected_label()
        .unwrap()
        .starts_with("Transmission Control"));
    assert_eq!(app.detail.lines().len(), 4);
    app.handle_mouse(mouse(K::Down(MouseButton::Left), 1, y));
    assert!(app.detail.lines().len() > 4, "the marker opens the line");
    assert!(app
        .detail
        .lines()
        .iter()
        .any(|l| l.trim_start() == "Source Port: 49822"));
    // Clicks outside every pane, or on the list's header, do nothing.
    let before = selected(&app);
    app.handle_mouse(mouse(K::Down(MouseButton::Left), 10, 47));
    let header = lines(&render(&app, 160, 48))
        .iter()
        .position(|l| l.contains("No.    Time"))
        .unwrap() as u16;
    app.handle_mouse(mouse(K::Down(MouseButton::Left), 10, header));
    assert_eq!(selected(&app), before);
}

#[test]
fn detail_keys_apply_and_prepare_filters_copy_and_add_columns() {
    let mut app = demo_app();
    let (tx, rx) = sync_channel(loader::CHANNEL_DEPTH);
    app.tx = tx;
    keys(&mut app, &[KeyCode::Char('j'); 4]);
    // The TCP line of the SYN: `a` applies `tcp`.
    keys(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('G'), KeyCode::Char('a')],
    );
    assert_eq!(app.filter_bar.applied(), "tcp");
    settle(&mut app, &rx);
    assert_eq!(app.list.shown_count(), 71);
    // Its first field (the source port): `A` prepares `tcp.srcport == 49822` in the bar.
    keys(
        &mut app,
        &[KeyCode::Char('l'), KeyCode::Char('j'), KeyCode::Char('A')],
    );
    assert!(app.filter_bar.editing);
    let s = screen(&render(&app, 160, 48));
    assert!(s.starts_with("Filter: tcp.srcport == 49822"), "{s}");
    keys(&mut app, &[KeyCode::Esc]);
    // `y` copies the value (for the terminal's clipboard) and says so.
    keys(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(app.clipboard.as_deref(), Some("49822"));
    assert!(screen(&render(&app, 160, 48)).contains("copied: 49822"));
    // `+` adds the field as a column of the list; `-` removes it.
    keys(&mut app, &[KeyCode::Char('+')]);
    let s = screen(&render(&app, 200, 48));
    let header = s.lines().find(|l| l.contains("No.")).unwrap();
    assert!(header.contains("tcp.srcport"), "{header}");
    let syn = s.lines().find(|l| l.contains("[SYN]")).unwrap();
    assert!(syn.contains(" 49822 "), "{syn}");
    keys(&mut app, &[KeyCode::Char('-')]);
    let s = screen(&render(&app, 200, 48));
    assert!(!s
        .lines()
        .any(|l| l.contains("No.") && l.contains("tcp.srcport")));
    assert!(base64(b"49822") == "NDk4MjI=" && base64(b"ab") == "YWI=");
}

#[test]
fn w_saves_the_displayed_or_all_packets_to_pcapng() {
    let (mut app, rx) = app_over("demo", Some(DEMO), demo_reader(), Some("tcp"));
    settle(&mut app, &rx);
    let dir = std::env::temp_dir();
    let shown = dir.join(format!("lowshark-tui-save-{}.pcapng", std::process::id()));
    let all = dir.join(format!(
        "lowshark-tui-save-all-{}.pcapng",
        std::process::id()
    ));
    for (path, tab) in [(&shown, false), (&all, true)] {
        keys(&mut app, &[KeyCode::Char('w')]);
        assert!(app.save.open);
        let s = screen(&render(&app, 160, 48));
        assert!(s.starts_with("Save displayed packets to: "), "{s}");
        if tab {
            keys(&mut app, &[KeyCode::Tab]);
        }
        app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        typed(&mut app, path.to_str().unwrap());
        keys(&mut app, &[KeyCode::Enter]);
        assert!(!app.save.open);
    }
    let count = |p: &std::path::Path| CaptureReader::open(p).unwrap().count();
    assert_eq!(count(&shown), 71);
    assert_eq!(count(&all), 369);
    // The saved frames are the capture's: same bytes, same numbers of the TCP ones.
    let first = CaptureReader::open(&shown)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let fifth = demo_reader().nth(4).unwrap().unwrap();
    assert_eq!(
        (first.data, first.meta.ts_ns),
        (fifth.data, fifth.meta.ts_ns)
    );
    assert!(screen(&render(&app, 160, 48)).contains("saved 369 packets"));
    let _ = std::fs::remove_file(&shown);
    let _ = std::fs::remove_file(&all);
}

#[test]
fn the_number_column_fits_the_packet_count() {
    let (app, _rx) = app_over("demo", None, demo_reader(), None);
    let list = &app.list;
    assert_eq!(list.total(), 369);
    // Six wide at least; a million gets seven, ten million eight.
    let s = screen(&render(&app, 160, 48));
    assert!(s.lines().any(|l| l.starts_with("┃     1 ")), "{s}");
}
