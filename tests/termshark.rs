//! termshark over lowshark: termshark, configured with lowshark as its `tshark`, opens a
//! capture in tmux (its own tmux server socket) and shows lowshark's packet list (from
//! `-T psml` with its `gui.column.format` columns), a packet's tree (`-T pdml`) and its bytes
//! (`-x`). termshark first checks `--version` and reads `-G fields` and `-G column-formats`.
//!
//! Skips with a printed reason when tmux or termshark is absent.

mod support;

use std::process::Command;
use std::time::Duration;
use support::Tmux;

#[test]
fn termshark_shows_lowshark_packet_list_tree_and_bytes() {
    if !support::have_command("tmux") || !support::have_command("termshark") {
        return;
    }
    // termshark keeps its config (which tshark to run) and caches under these directories.
    let home = std::env::temp_dir().join(format!("lowshark-termshark-{}", std::process::id()));
    let config = home.join("config/termshark");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("termshark.toml"),
        format!(
            "[main]\n  tshark = \"{}\"\n",
            env!("CARGO_BIN_EXE_lowshark")
        ),
    )
    .unwrap();
    let cap = support::project("ip-basics.pcap");
    let tmux = Tmux::new(format!("lowshark-termshark-{}", std::process::id()))
        .session("ts")
        .patience(Duration::from_secs(30), Duration::from_millis(200));
    let command = format!(
        "env HOME={h} XDG_CONFIG_HOME={h}/config XDG_CACHE_HOME={h}/cache TERM=xterm-256color \
         termshark -r {cap}; sleep 30",
        h = home.display(),
        cap = cap.display()
    );
    tmux.start(160, 45, &[&command]);
    // The packet list: lowshark's summary columns under termshark's titles.
    let list = tmux.wait("the packet list", |s| {
        s.contains("Who has 198.51.100.20? Tell 198.51.100.10") && s.contains("Proto")
    });
    assert!(
        list.contains("Standard query 0x1d2e A broker.example.org"),
        "{list}"
    );
    assert!(!list.contains("Could not determine"), "{list}");
    // Selecting the second packet loads its tree (PDML) and bytes (-x).
    tmux.keys(&["Down"]);
    let detail = tmux.wait("the packet tree and bytes", |s| {
        s.contains("Address Resolution Protocol (reply)") && s.contains("0000 ")
    });
    assert!(detail.contains("Frame 2: 60 bytes on wire"), "{detail}");
    let _ = std::fs::remove_dir_all(&home);
}

/// `N.N.N` at the start of `s`, if there is one.
fn version_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let v = &s[..end];
    let parts: Vec<&str> = v.split('.').collect();
    (parts.len() >= 3 && parts[..3].iter().all(|p| !p.is_empty()))
        .then(|| &v[..parts[..3].iter().map(|p| p.len()).sum::<usize>() + 2])
}

/// The first line of `lowshark -v` as the tools read it: termshark wants `^TShark .*?(N.N.N)`
/// (the first version after `TShark `), pyshark `.*\s(N.N.N).*` (the last one after a space,
/// which must be at least 2.2.0), and pyshark decodes the output as ASCII.
#[test]
fn version_line_reads_as_tshark_4_0_for_both_tools() {
    let out = Command::new(env!("CARGO_BIN_EXE_lowshark"))
        .arg("-v")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.is_ascii());
    let first = text.lines().next().unwrap();
    let rest = first
        .strip_prefix("TShark ")
        .expect("termshark needs ^TShark");
    let termshark = (0..rest.len()).find_map(|i| version_at(&rest[i..]));
    assert_eq!(termshark, Some("4.0.17"), "{first}");
    let bytes = first.as_bytes();
    let pyshark = (1..first.len())
        .rev()
        .filter(|&i| bytes[i - 1].is_ascii_whitespace())
        .find_map(|i| version_at(&first[i..]));
    assert_eq!(pyshark, Some("4.0.17"), "{first}");
    assert!(first.contains(&format!("lowshark v{}", env!("CARGO_PKG_VERSION"))));
}
