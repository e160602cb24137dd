//! Wireshark extcap mode: the protocol answers as Wireshark parses them, `--capture` writing
//! pcap (LINKTYPE 283), and tshark itself driving lowshark from a temporary extcap folder
//! (`WIRESHARK_EXTCAP_DIR`) against an emulated nRF sniffer on a pseudo-terminal, with the
//! channel set through tshark's `-o extcap.IFACE.channel:N`.
//!
//! tshark ignores `WIRESHARK_EXTCAP_DIR` (and the personal extcap folder) when run by root, so
//! as root tshark runs as `nobody` through `setpriv`.

mod support;

use lowshark::capture::dongle::SerialFirmware;
use lowshark::capture::emulate::{Air, AirFrame, Emulator, Options};
use lowshark::capture::zep::encode_v2;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn lowshark(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(support::BIN).args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn extcap_calls_answer_in_wiresharks_format() {
    let (code, out, err) = lowshark(&["--extcap-interfaces", "--extcap-version=4.0"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("extcap {version="), "{out}");
    for kind in [
        "nrf802154",
        "spinel",
        "sensniff",
        "ti-sniffer2",
        "cc2531",
        "zep",
    ] {
        let line = format!("interface {{value=lowshark-{kind}}}{{display=lowshark: ");
        assert!(out.contains(&line), "{kind} missing:\n{out}");
    }
    let (_, out, _) = lowshark(&["--extcap-dlts", "--extcap-interface", "lowshark-zep"]);
    assert_eq!(
        out.trim(),
        "dlt {number=283}{name=IEEE802_15_4_TAP}{display=IEEE 802.15.4 TAP}"
    );
    let (_, out, _) = lowshark(&["--extcap-config", "--extcap-interface", "lowshark-spinel"]);
    assert!(out.contains("{call=--channel}{display=Channel}"), "{out}");
    assert!(
        out.contains("value {arg=0}{value=11}{display=11}{default=true}"),
        "{out}"
    );
    assert!(out.contains("{call=--baud}"), "{out}");
    assert!(out.contains("{call=--device}"), "{out}");
    let (_, out, _) = lowshark(&["--extcap-config", "--extcap-interface", "lowshark-zep"]);
    assert!(
        !out.contains("--channel") && out.contains("{default=17754}"),
        "{out}"
    );
    let (code, _, err) = lowshark(&["--extcap-dlts", "--extcap-interface", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("not one of lowshark's"), "{err}");
}

/// Number of pcap records and the link type in a classic pcap file.
fn pcap_records(bytes: &[u8]) -> (u32, usize) {
    if bytes.len() < 24 {
        return (0, 0);
    }
    let link = u32::from_le_bytes(bytes[20..24].try_into().unwrap());
    let (mut off, mut n) = (24, 0);
    while off + 16 <= bytes.len() {
        let incl = u32::from_le_bytes(bytes[off + 8..off + 12].try_into().unwrap()) as usize;
        if off + 16 + incl > bytes.len() {
            break;
        }
        off += 16 + incl;
        n += 1;
    }
    (link, n)
}

#[test]
fn capture_writes_tap_pcap_to_the_fifo() {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fifo = support::temp_path("extcap-zep.pcap");
    let device = format!("127.0.0.1:{port}");
    let mut child = Command::new(support::BIN)
        .args([
            "--capture",
            "--extcap-interface",
            "lowshark-zep",
            "--device",
            &device,
        ])
        .args(["--channel", "15", "--fifo"])
        .arg(&fifo.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let end = Instant::now() + Duration::from_secs(60);
    let mut seq = 0u32;
    let (link, n) = loop {
        let psdu = [0x02, 0x00, seq as u8, 0, 0];
        let _ = tx.send_to(&encode_v2(26, 255, (0, 0), seq, &psdu), ("127.0.0.1", port));
        seq += 1;
        std::thread::sleep(Duration::from_millis(30));
        let got = pcap_records(&std::fs::read(&fifo.0).unwrap_or_default());
        if got.1 >= 5 || Instant::now() > end {
            break got;
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(link, 283);
    assert!(n >= 5, "only {n} frames written");
}

/// Frames on channels 11 and 15, sent over and over.
fn air() -> Air {
    let frames = (0..20u8)
        .map(|i| AirFrame {
            mpdu: vec![0x41, 0x88, i, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, 0xaa],
            channel: Some(if i % 2 == 0 { 11 } else { 15 }),
            rssi: -50,
            lqi: 200,
            bad_fcs: false,
        })
        .collect();
    Air { frames }
}

#[test]
fn tshark_lists_and_captures_through_lowshark() {
    if !support::have_tshark() {
        return;
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 && !support::have_command("setpriv") {
        eprintln!("skipping: as root tshark needs setpriv (util-linux) to run as nobody");
        return;
    }
    let dir = std::env::temp_dir().join(format!("lowshark-extcap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(support::BIN, dir.join("lowshark")).unwrap();
    let opts = Options {
        pace: Duration::from_millis(20),
        ..Options::default()
    };
    let emu = Emulator::start(SerialFirmware::Nrf802154, air(), opts).expect("emulator");
    let spec = format!("nrf802154:{}", emu.path().display());
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        // nobody must open the pseudo-terminal and write its tshark settings.
        use std::os::unix::fs::PermissionsExt;
        let all = std::fs::Permissions::from_mode(0o777);
        std::fs::set_permissions(emu.path(), std::fs::Permissions::from_mode(0o666)).unwrap();
        std::fs::set_permissions(&dir, all.clone()).unwrap();
        std::fs::set_permissions(&home, all).unwrap();
    }
    let tshark = |args: &[&str]| {
        let mut cmd = if root {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "tshark",
            ]);
            c
        } else {
            Command::new("tshark")
        };
        let out = cmd
            .args(args)
            .env("HOME", &home)
            .env("WIRESHARK_EXTCAP_DIR", &dir)
            .env("LOWSHARK_EXTCAP_DEVICES", &spec)
            .output()
            .expect("tshark");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (listed, err) = tshark(&["-D"]);
    let pty = emu.path().display().to_string();
    let name = listed
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .find(|n| n.starts_with("lowshark-nrf802154-"))
        .unwrap_or_else(|| panic!("tshark -D does not list {pty}:\n{listed}\n{err}"))
        .to_string();
    assert!(listed.contains("lowshark-zep"), "{listed}");
    // Wireshark names the interface's preferences with `_` for `-`.
    let channel = format!("extcap.{}.channel:15", name.replace('-', "_"));
    let (out, err) = tshark(&[
        "-i",
        &name,
        "-o",
        &channel,
        "-a",
        "duration:3",
        "-T",
        "fields",
        "-e",
        "wpan.seq_no",
        "-e",
        "wpan-tap.ch_num",
        "-e",
        "wpan.fcs_ok",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.len() >= 5,
        "tshark decoded {} frames:\n{out}\n{err}",
        lines.len()
    );
    for l in &lines {
        let f: Vec<&str> = l.split('\t').collect();
        // On channel 15 only the odd frames are heard.
        assert_eq!(f[1..], ["15", "1"], "{l}");
        assert_eq!(f[0].parse::<u8>().unwrap() % 2, 1, "{l}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
