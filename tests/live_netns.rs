//! libpcap capture options (feature `live`): `-a duration`, `-b filesize/files` ring buffers,
//! `-s`, `-p` and the end-of-capture counts, on a veth pair into a network namespace (lowshark
//! and tshark capture the same traffic; their files must hold the same packets) and on the
//! loopback interface. Needs root and iproute2; skips with a reason otherwise.

mod support;

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::spawn_lowshark;

/// Why these tests cannot run here, if they cannot.
fn cannot_run(need_ip: bool) -> Option<&'static str> {
    if !cfg!(feature = "live") {
        return Some("lowshark was built without the `live` feature");
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("capturing on interfaces needs root");
    }
    if need_ip && !support::have_command("ip") {
        return Some("iproute2 (ip) is not installed");
    }
    None
}

fn sh(args: &[&str]) -> bool {
    Command::new(args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A namespace with one end of a veth pair; the other end stays here. Removed on drop.
struct Netns {
    ns: String,
    host_if: String,
    host_ip: String,
    peer_ip: String,
}

impl Netns {
    fn create() -> Option<Netns> {
        let id = std::process::id() % 10_000;
        let sub = id % 250;
        let n = Netns {
            ns: format!("lowshark{id}"),
            host_if: format!("lsa{id}"),
            host_ip: format!("10.78.{sub}.1"),
            peer_ip: format!("10.78.{sub}.2"),
        };
        let peer_if = format!("lsb{id}");
        let ok = sh(&["ip", "netns", "add", &n.ns])
            && sh(&[
                "ip", "link", "add", &n.host_if, "type", "veth", "peer", "name", &peer_if,
            ])
            && sh(&["ip", "link", "set", &peer_if, "netns", &n.ns])
            && sh(&[
                "ip",
                "addr",
                "add",
                &format!("{}/24", n.host_ip),
                "dev",
                &n.host_if,
            ])
            && sh(&["ip", "link", "set", &n.host_if, "up"])
            && sh(&[
                "ip",
                "netns",
                "exec",
                &n.ns,
                "ip",
                "addr",
                "add",
                &format!("{}/24", n.peer_ip),
                "dev",
                &peer_if,
            ])
            && sh(&[
                "ip", "netns", "exec", &n.ns, "ip", "link", "set", &peer_if, "up",
            ]);
        if !ok {
            eprintln!("skipping: could not set up a network namespace with a veth pair");
            return None;
        }
        Some(n)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        sh(&["ip", "netns", "del", &self.ns]);
        sh(&["ip", "link", "del", &self.host_if]);
    }
}

/// The packets of `file` as tshark shows them, only those `filter` picks.
fn tshark_lines(file: &std::path::Path, filter: &str) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-Y", filter, "-T", "fields"])
        .args([
            "-e",
            "frame.len",
            "-e",
            "frame.cap_len",
            "-e",
            "eth.type",
            "-e",
            "ip.src",
        ])
        .args([
            "-e",
            "ip.dst",
            "-e",
            "udp.dstport",
            "-e",
            "icmp.type",
            "-e",
            "arp.opcode",
        ])
        .output()
        .expect("tshark");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn wait_started(stderr: &std::sync::mpsc::Receiver<String>, who: &str) {
    let end = Instant::now() + Duration::from_secs(30);
    while let Ok(l) = stderr.recv_timeout(end.saturating_duration_since(Instant::now())) {
        if l.contains("Capturing on") {
            return;
        }
    }
    panic!("{who} did not start capturing");
}

#[test]
fn veth_capture_matches_tshark() {
    if let Some(why) = cannot_run(true) {
        eprintln!("skipping: {why}");
        return;
    }
    if !support::have_tshark() {
        return;
    }
    let Some(ns) = Netns::create() else { return };
    let ours = support::temp_path("netns-ours.pcapng");
    let theirs = support::temp_path("netns-theirs.pcapng");
    let (ours_s, theirs_s) = (ours.0.display().to_string(), theirs.0.display().to_string());
    // The same capture options for both tools: 5 s, not promiscuous, 96-byte snapshots.
    let options = |file| {
        [
            "-i",
            &ns.host_if,
            "-a",
            "duration:5",
            "-p",
            "-s",
            "96",
            "-w",
            file,
        ]
    };
    let cap = spawn_lowshark(&options(&ours_s));
    let mut tshark = Command::new("tshark")
        .args(options(&theirs_s))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tshark");
    let tshark_err = support::lines_of(tshark.stderr.take().unwrap());
    wait_started(&cap.stderr, "lowshark");
    wait_started(&tshark_err, "tshark");
    std::thread::sleep(Duration::from_millis(500));
    // ARP, then UDP to a closed port: the namespace answers each with ICMP unreachable.
    let tx = UdpSocket::bind(format!("{}:0", ns.host_ip)).unwrap();
    for i in 0..8u8 {
        let _ = tx.send_to(&[i; 200], format!("{}:9999", ns.peer_ip));
        std::thread::sleep(Duration::from_millis(100));
    }
    let started = Instant::now();
    let (code, err) = cap.finish();
    let _ = tshark.wait();
    assert_eq!(code, 0, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "-a duration:5 did not stop it"
    );
    assert!(err.contains("packets captured"), "{err}");
    let filter = "arp or udp.dstport == 9999 or icmp";
    let (a, b) = (
        tshark_lines(&ours.0, filter),
        tshark_lines(&theirs.0, filter),
    );
    let udp = a.iter().filter(|l| l.contains("\t9999\t")).count();
    assert!(udp >= 8, "lowshark captured {udp} UDP packets:\n{a:#?}");
    assert_eq!(a, b, "lowshark and tshark captured different packets");
    // -s 96: the 242-byte frames were cut, their length kept.
    assert!(a.iter().any(|l| l.starts_with("242\t96\t")), "{a:#?}");
}

#[test]
fn loopback_duration_and_ring_buffer() {
    if let Some(why) = cannot_run(false) {
        eprintln!("skipping: {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("lowshark-ring-t-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sink.local_addr().unwrap().port();
    let w = dir.join("ring.pcapng").display().to_string();
    let filter = format!("udp port {port}");
    let cap = spawn_lowshark(&[
        "-i",
        "lo",
        "-f",
        &filter,
        "-a",
        "duration:3",
        "-b",
        "filesize:2",
        "-b",
        "files:3",
        "-w",
        &w,
    ]);
    wait_started(&cap.stderr, "lowshark");
    let t0 = Instant::now();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    while t0.elapsed() < Duration::from_millis(1500) {
        let _ = tx.send_to(&[7; 100], ("127.0.0.1", port));
        std::thread::sleep(Duration::from_millis(5));
    }
    let (code, err) = cap.finish();
    assert_eq!(code, 0, "{err}");
    assert!(
        t0.elapsed() < Duration::from_secs(15),
        "-a duration:3 did not stop it"
    );
    let names = support::file_names(&dir);
    assert_eq!(names.len(), 3, "files:3 keeps three: {names:?}");
    let numbers: Vec<u32> = names
        .iter()
        .map(|n| {
            let (num, stamp) = (&n[5..10], &n[11..25]);
            assert!(n.starts_with("ring_") && n.ends_with(".pcapng"), "{n}");
            assert!(stamp.bytes().all(|b| b.is_ascii_digit()), "{n}");
            num.parse().unwrap()
        })
        .collect();
    assert!(numbers[0] > 1, "the oldest files were deleted: {names:?}");
    assert_eq!(numbers[2], numbers[0] + 2, "{names:?}");
    for n in &names[..2] {
        let len = std::fs::metadata(dir.join(n)).unwrap().len();
        assert!((2000..2400).contains(&len), "{n}: {len} bytes");
        if support::have_tshark() {
            let ok = Command::new("tshark")
                .arg("-r")
                .arg(dir.join(n))
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(ok.success(), "tshark cannot read {n}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
