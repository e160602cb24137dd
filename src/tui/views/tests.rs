//! The views on the demo capture: TestBackend renders (insta snapshots of the screen text),
//! and the keys that steer the packet list (filters, the time cursor).

use super::analysis::Analysis;
use super::follow::{FollowView, Kind};
use super::survey::{ChannelRow, SurveySource};
use super::*;
use crate::capture::CaptureReader;
use crate::tui::loader;
use crate::tui::tests::{cfg, demo_app, key, render, screen};
use crate::tui::App;
use crossterm::event::KeyCode;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/demo.pcapng");

/// The demo app with its views' analysis computed synchronously.
fn app() -> App {
    let mut app = demo_app();
    let a = Analysis::idle();
    let reader = CaptureReader::open(std::path::Path::new(DEMO)).unwrap();
    let mut packets = vec![];
    loader::dissect_all(reader, &cfg(), |p, _| {
        packets.push(p);
        true
    });
    a.feed_now(packets.iter());
    app.views.set_analysis(a);
    app
}

fn press(app: &mut App, codes: &[KeyCode]) {
    for c in codes {
        app.handle_key(key(*c));
    }
}

fn displayed(app: &App) -> usize {
    app.list.shown_count()
}

fn selected_frame(app: &App) -> u64 {
    app.list.selected_row().unwrap().number
}

#[test]
fn topology_view_draws_the_dodag_and_scrubs_through_events() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('t')]);
    assert!(app.views.is_open());
    let s = screen(&render(&app, 160, 40));
    insta::assert_snapshot!("topology_now", s);
    assert!(
        s.contains("DODAG fd00::1 inst 30 v240 MOP 1 non-storing"),
        "{s}"
    );
    // All events, from the start: the first step lands on mote 2's first DIO (frame 2) and
    // the packet list follows.
    press(
        &mut app,
        &[KeyCode::Char('a'), KeyCode::Char('{'), KeyCode::Char(']')],
    );
    assert_eq!(selected_frame(&app), 2);
    let s = screen(&render(&app, 160, 40));
    assert!(s.contains("RPL topology as of frame 2 · 2 nodes"), "{s}");
    // Further: as of frame 41 mote 7 hangs under mote 3, mote 9 under mote 7.
    while selected_frame(&app) < 41 {
        press(&mut app, &[KeyCode::Char(']')]);
    }
    let s = screen(&render(&app, 160, 40));
    insta::assert_snapshot!("topology_as_of_41", s);
    // `[` steps back; `}` returns to now.
    press(&mut app, &[KeyCode::Char('[')]);
    assert!(selected_frame(&app) < 41);
    press(&mut app, &[KeyCode::Char('}')]);
    assert!(screen(&render(&app, 160, 40)).contains("RPL topology now"));
}

#[test]
fn enter_on_a_node_filters_the_list_to_its_packets() {
    let mut app = app();
    // The root is the first row; move to mote 2 (second) and filter.
    press(
        &mut app,
        &[KeyCode::Char('t'), KeyCode::Char('j'), KeyCode::Enter],
    );
    let f = app.filter_bar.applied().to_string();
    assert!(
        f.starts_with("ipv6.addr == fd00::212:4b00:0:2 || ipv6.addr == fe80::212:4b00:0:2"),
        "{f}"
    );
    assert!(f.contains("wpan.addr64 == 00:12:4b:00:00:00:00:02"), "{f}");
    let n = displayed(&app);
    assert!(n > 10 && n < app.list.total(), "{n}");
}

#[test]
fn links_view_flags_the_weak_link_and_filters_to_it() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('L')]);
    let buf = render(&app, 160, 40);
    let s = screen(&buf);
    insta::assert_snapshot!("links", s);
    let row = s
        .lines()
        .position(|l| l.contains("0x0002") && l.contains("0x0006") && l.contains("weak"))
        .expect("the weak link's row");
    // Weak links are red.
    let x = s.lines().nth(row).unwrap().find("0x0002").unwrap() as u16;
    assert_eq!(buf[(x + 1, row as u16)].fg, ratatui::style::Color::LightRed);
    // Sorted by missing acks (o four times: Frames, Loss, Bad FCS, Retries, No ACK), the weak
    // link comes first; Enter filters the list to its 10 frames.
    press(&mut app, &[KeyCode::Char('o'); 4]);
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        app.filter_bar.applied(),
        "wpan.src16 == 0x0002 && wpan.dst16 == 0x0006"
    );
    assert_eq!(displayed(&app), 10);
}

#[test]
fn statistics_view_tabs_and_filters() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('s')]);
    let s = screen(&render(&app, 160, 40));
    insta::assert_snapshot!("stats_hierarchy", s);
    // CoAP response times: /fw/image answered 24 times.
    press(&mut app, &[KeyCode::Tab; 4]);
    let s = screen(&render(&app, 160, 40));
    insta::assert_snapshot!("stats_coap", s);
    let row = s.lines().position(|l| l.contains("/fw/image")).unwrap();
    let first = s.lines().position(|l| l.contains("URI")).unwrap() + 1;
    for _ in first..row {
        press(&mut app, &[KeyCode::Char('j')]);
    }
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        app.filter_bar.applied(),
        "coap.opt.uri_path_recon == \"/fw/image\""
    );
    assert_eq!(
        displayed(&app),
        24 * 2,
        "24 block requests, each heard on 2 hops"
    );
    // The I/O graph and the other tabs draw without a row to filter.
    press(&mut app, &[KeyCode::BackTab]);
    let s = screen(&render(&app, 160, 40));
    assert!(s.contains("packets per 0.1 s"), "{s}");
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    insta::assert_snapshot!("stats_frag", screen(&render(&app, 160, 40)));
}

#[test]
fn follow_an_mqtt_session_and_a_coap_exchange() {
    let mut app = app();
    // Frame 8: the MQTT CONNECT.
    app.list.select_file_index(7);
    press(&mut app, &[KeyCode::Char('F')]);
    // The view reads the file in the background: wait for it, then draw.
    let cx_kind = Kind::of(&app.packet(7).unwrap()).unwrap();
    assert_eq!(cx_kind, Kind::Mqtt(0));
    let v = FollowView::open(&Context {
        path: Some(&DEMO.into()),
        cfg: &cfg(),
        selected: app.packet(7),
        kept: vec![],
        filter: "",
    });
    v.wait();
    let chunks = v.chunks();
    assert_eq!(chunks[0].header, "Connect Command");
    assert_eq!(chunks[1].header, "Connect Ack");
    assert_eq!((chunks[0].node, chunks[1].node), (0, 1));
    assert!(chunks
        .iter()
        .any(|c| c.header == "Publish Message sensors/0006/temp"));
    assert_eq!(chunks.last().unwrap().header, "Disconnect Req");
    // Enter in the view filters the list to the session.
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.filter_bar.applied(), "tcp.stream == 0");
    // Frame 85: GET /sensors/temp; its exchange is the request and the response, once each
    // (the sniffer heard both on two hops).
    let p = {
        let a = demo_app();
        a.packet(84).unwrap()
    };
    let kind = Kind::of(&p).unwrap();
    assert!(matches!(kind, Kind::Coap(_, _, false)), "{kind:?}");
    let v = FollowView::open(&Context {
        path: Some(&DEMO.into()),
        cfg: &cfg(),
        selected: Some(p),
        kept: vec![],
        filter: "",
    });
    v.wait();
    let c = v.chunks();
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(
        c[0].header.contains("GET") && c[0].header.contains("/sensors/temp"),
        "{c:?}"
    );
    assert_eq!(c[1].data, b"22.5");
    assert_eq!(c[1].node, 1);
}

#[test]
fn follow_view_modes_draw_both_directions() {
    let a = demo_app();
    let v = FollowView::open(&Context {
        path: Some(&DEMO.into()),
        cfg: &cfg(),
        selected: a.packet(7),
        kept: vec![],
        filter: "",
    });
    v.wait();
    let mut v = v;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 20)).unwrap();
    t.draw(|f| v.draw(f, f.area())).unwrap();
    let s = screen(t.backend().buffer());
    insta::assert_snapshot!("follow_mqtt_ascii", s);
    v.handle_key(key(KeyCode::Char('m')));
    t.draw(|f| v.draw(f, f.area())).unwrap();
    assert!(
        screen(t.backend().buffer()).contains("00000000  10 "),
        "hex dump"
    );
}

struct FakeSurvey;

impl SurveySource for FakeSurvey {
    fn channels(&self) -> Vec<ChannelRow> {
        vec![
            ChannelRow {
                channel: 11,
                energy_dbm: Some(-95.0),
                frames: 0,
                pans: vec![],
            },
            ChannelRow {
                channel: 26,
                energy_dbm: Some(-55.0),
                frames: 294,
                pans: vec![0xabcd],
            },
        ]
    }

    fn device(&self) -> String {
        "test dongle".into()
    }
}

#[test]
fn survey_view_draws_a_source_or_says_there_is_none() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('C')]);
    assert!(screen(&render(&app, 100, 30)).contains("No channel survey"));
    press(&mut app, &[KeyCode::Esc]);
    assert!(!app.views.is_open());
    app.views.set_survey(std::sync::Arc::new(FakeSurvey));
    press(&mut app, &[KeyCode::Char('C')]);
    let s = screen(&render(&app, 100, 30));
    insta::assert_snapshot!("survey", s);
}

#[test]
fn help_lists_the_views_and_views_survive_a_tiny_terminal() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('?')]);
    let s = screen(&render(&app, 120, 60));
    assert!(s.contains("RPL topology over time"), "{s}");
    press(&mut app, &[KeyCode::Esc]);
    for k in ['t', 'L', 's', 'F', 'C'] {
        press(&mut app, &[KeyCode::Char(k)]);
        for (w, h) in [(1, 1), (10, 3), (40, 8)] {
            render(&app, w, h);
        }
        press(&mut app, &[KeyCode::Esc]);
    }
}
