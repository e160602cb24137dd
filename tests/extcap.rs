//! Wireshark extcap mode: the protocol answers as Wireshark parses them, `--capture` writing
//! pcap (LINKTYPE 283), and tshark itself driving lowshark from a temporary extcap folder
//! (`WIRESHARK_EXTCAP_DIR`) against an emulated nRF sniffer on a pseudo-terminal, with the
//! channel set through tshark's `-o extcap.IFACE.channel:N`.
//!
//! tshark 4.0 ignores `WIRESHARK_EXTCAP_DIR` when run by root, so
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
    let frames = loop {
        let psdu = [0x02, 0x00, seq as u8, 0, 0];
        let _ = tx.send_to(&encode_v2(26, 255, (0, 0), seq, &psdu), ("127.0.0.1", port));
        seq += 1;
        std::thread::sleep(Duration::from_millis(30));
        let got = support::frames_in(&std::fs::read(&fifo.0).unwrap_or_default());
        if got.len() >= 5 || Instant::now() > end {
            break got;
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(frames.len() >= 5, "only {} frames written", frames.len());
    assert!(frames.iter().all(|f| f.0 == 283), "link types: {frames:?}");
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

/// tshark with a temporary extcap folder holding lowshark, run as nobody when we are root.
struct Tshark {
    dir: std::path::PathBuf,
    root: bool,
    /// `LOWSHARK_EXTCAP_DEVICES`.
    devices: String,
}

impl Tshark {
    /// None (with a reason printed) when tshark or, as root, setpriv is missing.
    fn new(tag: &str, devices: &str) -> Option<Tshark> {
        if !support::have_tshark() {
            return None;
        }
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root && !support::have_command("setpriv") {
            eprintln!("skipping: as root tshark needs setpriv (util-linux) to run as nobody");
            return None;
        }
        let dir =
            std::env::temp_dir().join(format!("lowshark-extcap-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).unwrap();
        std::os::unix::fs::symlink(support::BIN, dir.join("lowshark")).unwrap();
        if root {
            // nobody writes its tshark settings under this HOME.
            use std::os::unix::fs::PermissionsExt;
            for d in [dir.clone(), dir.join("home")] {
                std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
            }
        }
        Some(Tshark {
            dir,
            root,
            devices: devices.to_string(),
        })
    }

    /// (stdout, stderr).
    fn run(&self, args: &[&str]) -> (String, String) {
        let mut cmd = if self.root {
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
            .env("HOME", self.dir.join("home"))
            .env("WIRESHARK_EXTCAP_DIR", &self.dir)
            .env("LOWSHARK_EXTCAP_DEVICES", &self.devices)
            .output()
            .expect("tshark");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Tshark {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn tshark_lists_and_captures_through_lowshark() {
    let opts = Options {
        pace: Duration::from_millis(20),
        ..Options::default()
    };
    let emu = Emulator::start(SerialFirmware::Nrf802154, air(), opts).expect("emulator");
    let spec = format!("nrf802154:{}", emu.path().display());
    let Some(ts) = Tshark::new("nrf", &spec) else {
        return;
    };
    if ts.root {
        // nobody opens the pseudo-terminal.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(emu.path(), std::fs::Permissions::from_mode(0o666)).unwrap();
    }
    let tshark = |args: &[&str]| ts.run(args);
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
}

/// The generic ZEP interface with its Device option set through tshark.
#[test]
fn tshark_captures_zep_through_the_generic_interface() {
    let Some(ts) = Tshark::new("zep", "") else {
        return;
    };
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let device = format!("extcap.lowshark_zep.device:127.0.0.1:{port}");
    let sender = std::thread::spawn(move || {
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        // tshark and the extcap start within the first second or two; send for four.
        for i in 0..200u32 {
            let mut psdu = vec![
                0x41, 0x88, i as u8, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, 0xaa,
            ];
            let fcs = dissectors::proto::ieee802154::crc16(&psdu);
            psdu.extend(fcs.to_le_bytes());
            let _ = tx.send_to(&encode_v2(17, 222, (0, 0), i, &psdu), ("127.0.0.1", port));
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let (out, err) = ts.run(&[
        "-i",
        "lowshark-zep",
        "-o",
        &device,
        "-a",
        "duration:5",
        "-T",
        "fields",
        "-e",
        "wpan-tap.ch_num",
        "-e",
        "wpan-tap.lqi",
        "-e",
        "wpan.fcs_ok",
    ]);
    let _ = sender.join();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.len() >= 10,
        "tshark decoded {} frames:\n{out}\n{err}",
        lines.len()
    );
    assert!(lines.iter().all(|l| *l == "17\t222\t1"), "{out}");
}
