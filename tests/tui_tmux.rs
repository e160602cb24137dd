//! End-to-end test of the TUI: runs the real binary in a tmux session (its own tmux server
//! socket, so nothing else is touched), sends keys and reads the screen with `capture-pane`.
//! Skipped, with the reason printed, when tmux is not installed.

use std::path::Path;
mod support;

use std::process::Command;
use std::time::Duration;
use support::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_lowshark");
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/demo.pcapng");

/// lowshark `args` running in a tmux server of the test's own (`name` in its socket) on a
/// `width`x48 terminal; the shell then prints `LOWSHARK_EXIT=<code>` and stays so the screen
/// can be read. None, with a printed reason, when tmux is not installed.
fn lowshark_in_tmux(name: &str, width: u16, args: &str) -> Option<Tmux> {
    if !support::have_command("tmux") {
        return None;
    }
    let t = Tmux::new(format!("lowshark-{name}-{}", std::process::id()));
    let command = format!("'{BIN}' {args}; echo LOWSHARK_EXIT=$?; sleep 30");
    t.start(width, 48, &["sh", "-c", &command]);
    Some(t)
}

/// The demo capture in the TUI, its packet list loaded.
fn demo_in_tmux(name: &str) -> Option<(Tmux, String)> {
    let t = lowshark_in_tmux(name, 160, &format!("'{DEMO}'"))?;
    let s = t.wait("the packet list", |s| {
        s.contains("Packets: 369 · Displayed: 369")
    });
    Some((t, s))
}

/// `q` quits the TUI with exit code 0.
fn quit(t: &Tmux) {
    t.keys(&["q"]);
    let s = t.wait("the exit", |s| s.contains("LOWSHARK_EXIT="));
    assert!(s.contains("LOWSHARK_EXIT=0"), "{s}");
}

#[test]
fn tui_in_tmux_list_details_filter_and_quit() {
    if !support::have_command("tmux") {
        return;
    }
    assert!(Path::new(DEMO).exists());
    // What print mode says `udp` matches, to compare the TUI's count with.
    let printed = Command::new(BIN)
        .args(["--no-tui", "-r", DEMO, "-Y", "udp"])
        .output()
        .unwrap();
    assert!(printed.status.success());
    let udp_count = String::from_utf8_lossy(&printed.stdout).lines().count();

    let Some((t, s)) = demo_in_tmux("test") else {
        return;
    };
    let modes = "#{alternate_on} #{mouse_any_flag}";
    assert_eq!(t.format(modes), "1 1", "alternate screen, mouse on");
    let first = s.lines().nth(1).unwrap();
    assert!(first.contains("Packets"), "{s}");
    assert!(s.contains("No.    Time"), "{s}");
    assert!(s.contains("    5     0.410132 192.0.2.1"), "{s}");
    assert!(
        s.contains("49822 → 1883 [SYN] Seq=0 Win=64240 Len=0"),
        "{s}"
    );
    assert!(s.contains("▶ Frame 1: 97 bytes on wire"), "{s}");
    assert!(s.contains("0000  "), "hex pane: {s}");

    // Enter on the list goes to the details, Enter there expands the frame.
    t.keys(&["Enter", "Enter"]);
    // (Each wait asks for everything asserted after it: capture-pane may catch a redraw half
    // done.)
    let s = t.wait("the expanded frame", |s| {
        s.contains("Frame Number: 1") && s.contains("expand/collapse")
    });
    assert!(s.contains("▼ Frame 1: 97 bytes on wire"), "{s}");
    assert!(s.contains("expand/collapse"), "key bar of the details: {s}");

    // A resize redraws at the new size.
    let r = t.run(&["resize-window", "-t", "ls", "-x", "100", "-y", "30"]);
    assert!(r.status.success(), "{r:?}");
    let s = t.wait("the redraw at 100x30", |s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.chars().count() == 100 && l.ends_with('┐'))
            && s.contains("▼ Frame 1")
            && s.contains("demo.pcapng │")
    });
    assert!(
        s.contains("Frame Number: 1") || s.contains("▼ Frame 1"),
        "{s}"
    );

    // The filter bar.
    t.keys(&["/", "u", "d", "p", "Enter"]);
    let displayed = |s: &str| -> Option<usize> {
        let rest = &s[s.find("Displayed: ")? + "Displayed: ".len()..];
        rest.split(' ').next()?.parse().ok()
    };
    let s = t.wait("the filter applied", |s| {
        displayed(s) == Some(udp_count)
            && s.starts_with("Filter: udp")
            && s.contains("│ Filter: udp")
    });
    assert!(s.starts_with("Filter: udp"), "{s}");
    assert!(s.contains("│ Filter: udp"), "{s}");

    // A bad filter: the message and a caret, the bar stays open; Esc leaves it.
    t.keys(&["/", "C-u", "u", "d", "p", ".", "x", "Enter"]);
    let s = t.wait("the filter error", |s| s.contains("unknown field"));
    assert!(
        s.lines()
            .nth(1)
            .unwrap()
            .contains("        ^^^^^ unknown field 'udp.x'"),
        "{s}"
    );
    t.keys(&["Escape"]);
    t.wait("the bar closed", |s| !s.contains("unknown field"));

    // q quits, the terminal is restored (the alternate screen is gone) and the exit is clean.
    quit(&t);
    let s = t.screen();
    assert!(!s.contains("Packet details"), "screen not restored: {s}");
    // Out of the alternate screen, mouse reporting off.
    assert_eq!(t.format(modes), "0 0");
}

#[test]
fn prints_instead_of_the_tui_when_stdout_is_not_a_terminal() {
    // The test harness captures stdout: a pipe, so lowshark prints as before.
    let out = Command::new(BIN).arg(DEMO).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 369);
    assert!(!text.contains('\u{1b}'), "no terminal escapes");
}

/// Live capture on the loopback interface (feature `live`; needs the right to capture, so it is
/// skipped with a reason when the capture cannot be opened).
#[cfg(feature = "live")]
#[test]
fn tui_live_capture_follows_new_packets() {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = 20000 + (std::process::id() % 20000) as u16;
    let Some(t) = lowshark_in_tmux("live", 160, &format!("-i lo -f 'udp dst port {port}'")) else {
        return;
    };
    let s = t.wait("the live view or an error", |s| {
        s.contains("live: lo") || s.contains("LOWSHARK_EXIT=")
    });
    if s.contains("LOWSHARK_EXIT=") {
        eprintln!("skipped: cannot capture on lo here:\n{s}");
        return;
    }
    assert!(s.contains("Packets (following)"), "{s}");
    // Send one at a time until the capture sees them (pcap may start after the first), then
    // 25 more: the list must follow to the last one.
    let count = |s: &str| -> Option<usize> {
        let rest = &s[s.find("Packets: ")? + "Packets: ".len()..];
        rest.split(' ').next()?.parse().ok()
    };
    let start = std::time::Instant::now();
    while count(&t.screen()).unwrap_or(0) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no packet captured"
        );
        sock.send_to(b"hello", ("127.0.0.1", port)).unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(300));
    let first = count(&t.screen()).unwrap();
    for _ in 0..25 {
        sock.send_to(b"hello", ("127.0.0.1", port)).unwrap();
        // A burst loses packets in the capture layer (print mode too); pace them.
        std::thread::sleep(Duration::from_millis(20));
    }
    let last = first + 25;
    // Following: the last packet is selected and its tree shown.
    let s = t.wait("25 more packets, the last one's tree", |s| {
        s.contains(&format!("Packets: {last} ·"))
            && s.contains(&format!("▶ Frame {last}: "))
            && s.contains("capturing")
    });
    assert!(s.contains(&format!(" → {port} Len=5")), "{s}");
    assert!(s.contains("capturing"), "{s}");
    quit(&t);
}

/// `lowshark -i nrf802154:PTY` on a terminal opens the TUI following the dongle's frames; the
/// status line shows the source, its channel, its packet count and the device state.
#[test]
fn tui_dongle_capture_shows_live_status() {
    use lowshark::capture::dongle::SerialFirmware;
    use lowshark::capture::emulate::{Air, Emulator, Options};
    if !support::have_command("tmux") {
        return;
    }
    let air = Air::from_capture(Path::new(DEMO), 10).expect("the demo's 802.15.4 frames");
    let opts = Options {
        pace: Duration::from_millis(30),
        ..Options::default()
    };
    let emu = Emulator::start(SerialFirmware::Nrf802154, air, opts).expect("emulator");
    let args = format!("-i nrf802154:{} --channel 15", emu.path().display());
    let Some(t) = lowshark_in_tmux("dongle", 200, &args) else {
        return;
    };
    let s = t.wait("the live status with packets", |s| {
        s.contains("nrf802154:")
            && s.contains("ch 15")
            && s.contains("capturing")
            && !s.contains(" 0 pkts")
    });
    assert!(s.contains("Packets (following)"), "{s}");
    assert!(!s.contains("LOWSHARK_EXIT="), "{s}");
    quit(&t);
}

/// The network views on the demo capture, as a user reaches them: `t` shows the DODAG and
/// scrubs its events with the packet list following, `L` the weak link, `s` the CoAP response
/// times, `F` a followed MQTT session, and Enter in a view narrows the packet list.
#[test]
fn tui_in_tmux_network_views() {
    let Some((t, _)) = demo_in_tmux("views") else {
        return;
    };
    // `?` lists the views.
    t.keys(&["?"]);
    t.wait("the help", |s| s.contains("RPL topology over time"));
    // (Wait for each close: an Escape followed at once by a letter reads as Alt-letter.)
    t.keys(&["Escape"]);
    t.wait("the help closed", |s| !s.contains("Keys (Esc or ? closes)"));

    // The topology: the DODAG, then every event from the start; `]` moves the list along.
    t.keys(&["t"]);
    let s = t.wait("the DODAG", |s| {
        s.contains("DODAG fd00::1 inst 30 v240 MOP 1 non-storing") && s.contains("369 packets")
    });
    assert!(s.contains("└ fd00::212:4b00:0:9"), "{s}");
    t.keys(&["a", "{", "]"]);
    t.wait("the topology as of frame 2", |s| {
        s.contains("RPL topology as of frame 2 ·")
            && s.contains("     2     0.245720 fe80::212:4b00:0:2")
    });
    t.keys(&["Escape"]);
    t.wait("the topology closed", |s| !s.contains("RPL topology"));

    // Link health: the weak link, red-flagged.
    t.keys(&["L"]);
    let s = t.wait("the links", |s| s.contains("802.15.4 links"));
    assert!(
        s.lines()
            .any(|l| l.contains("0x0002") && l.contains("0x0006") && l.contains("weak")),
        "{s}"
    );
    t.keys(&["Escape"]);
    t.wait("the links closed", |s| !s.contains("802.15.4 links"));

    // Statistics: CoAP response times.
    t.keys(&["s", "Tab", "Tab", "Tab", "Tab"]);
    let s = t.wait("the CoAP tab", |s| s.contains("/fw/image"));
    assert!(s.contains("/sensors/temp"), "{s}");
    t.keys(&["Escape"]);
    t.wait("the statistics closed", |s| !s.contains("Statistics ·"));

    // Follow the MQTT session from its CONNECT (frame 8), then narrow the list to it.
    t.keys(&["g", "j", "j", "j", "j", "j", "j", "j", "F"]);
    let s = t.wait("the MQTT session", |s| {
        s.contains("Follow MQTT session (TCP stream 0)") && s.contains("← frame 12: Subscribe Ack")
    });
    assert!(s.contains("→ frame 8: Connect Command"), "{s}");
    assert!(s.contains("← frame 9: Connect Ack"), "{s}");
    t.keys(&["Enter"]);
    t.wait("the list narrowed to the session", |s| {
        s.contains("│ Filter: tcp.stream == 0")
    });
    t.keys(&["Escape"]);
    t.wait("the follow view closed", |s| !s.contains("Follow MQTT"));
    quit(&t);
}

#[test]
fn tui_in_tmux_detail_actions_and_save() {
    let Some((t, _)) = demo_in_tmux("test-actions") else {
        return;
    };
    let saved = std::env::temp_dir().join(format!("lowshark-tmux-{}.pcapng", std::process::id()));
    // The SYN (packet 5), its TCP line, `a`: the list is filtered to TCP.
    t.keys(&["j", "j", "j", "j", "Enter", "G", "a"]);
    t.wait("the tree's filter applied", |s| {
        s.contains("Displayed: 71")
            && s.lines()
                .next()
                .is_some_and(|l| l.trim_end() == "Filter: tcp")
    });
    // `?` lists the new keys.
    t.keys(&["?"]);
    t.wait("the help", |s| {
        s.contains("apply / prepare the field as a display filter") && s.contains("w ")
    });
    // (An Escape followed at once by a letter reads as Alt-letter: wait for the close.)
    t.keys(&["Escape"]);
    t.wait("the help closed", |s| {
        !s.contains("apply / prepare the field as a display filter")
    });
    // `w` saves the displayed packets.
    t.keys(&["w", "C-u"]);
    t.keys(&["-l", saved.to_str().unwrap()]);
    t.keys(&["Enter"]);
    t.wait("the save", |s| s.contains("saved 71 packets"));
    let n = Command::new(BIN)
        .args(["--no-tui", "-r", saved.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&n.stdout).lines().count(), 71);
    let _ = std::fs::remove_file(&saved);
    quit(&t);
}
