//! `-i zep:ADDR:PORT` end to end over loopback UDP: the test plays a simulator sending ZEP
//! v1/v2 datagrams (with an ack and junk in between, which are not frames), lowshark prints
//! each frame with its metadata (`-T ek`) and writes them to `-w` as TAP records, and that file
//! reads back the same with lowshark and tshark. Two listeners merge into one capture.

mod support;

use lowshark::capture::zep::encode_v2;
use std::net::UdpSocket;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{spawn_lowshark, Background};

const FIELDS: [&str; 6] = [
    "wpan.seq_no",
    "wpan-tap.ch_num",
    "wpan-tap.lqi",
    "wpan-tap.rss",
    "wpan.fcs_ok",
    "frame.interface_id",
];

/// A port no one listens on now.
fn free_port() -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    s.local_addr().unwrap().port()
}

/// Data frame, PAN 0xabcd, 0x0001 → broadcast, with its FCS (bad when `bad`).
fn psdu(seq: u8, bad: bool) -> Vec<u8> {
    let mut p = vec![
        0x41, 0x88, seq, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, 0xbe, 0xef,
    ];
    let fcs = dissectors::proto::ieee802154::crc16(&p) ^ if bad { 0xffff } else { 0 };
    p.extend(fcs.to_le_bytes());
    p
}

/// Now as an NTP time stamp (era 0 until 2036).
fn ntp_now() -> (u32, u32) {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let secs = (d.as_secs() + 2_208_988_800) as u32;
    let frac = ((d.subsec_nanos() as u64) << 32) / 1_000_000_000;
    (secs, frac as u32)
}

/// A ZEP v1 datagram in LQI mode: the FCS octets replaced by RSSI and CRC-OK/correlation.
fn v1_lqi_mode(channel: u8, seq: u8, rssi: i8) -> Vec<u8> {
    let mut frame = psdu(seq, false);
    let n = frame.len();
    frame[n - 2] = rssi as u8;
    frame[n - 1] = 0x80 | 60;
    let mut d = b"EX".to_vec();
    d.extend([1, channel, 0, 7, 0, 180]);
    d.extend([0; 7]);
    d.push(frame.len() as u8);
    d.extend(frame);
    d
}

/// Waits for lowshark's "Capturing on" (the socket is bound by then).
fn wait_capturing(cap: &Background) {
    let line = cap
        .stderr
        .recv_timeout(Duration::from_secs(60))
        .expect("lowshark starts capturing");
    assert!(line.starts_with("Capturing on"), "{line}");
}

fn fields_of(cmd: &mut Command, file: &std::path::Path) -> Vec<String> {
    cmd.arg("-r").arg(file).args(["-T", "fields"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run reader");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn zep_frames_decode_with_metadata_and_write_back() {
    let port = free_port();
    let iface = format!("zep:127.0.0.1:{port}");
    let w = support::temp_path("zep.pcapng");
    let w_s = w.0.display().to_string();
    let cap = spawn_lowshark(&["-i", &iface, "-c", "10", "-T", "ek", "-w", &w_s]);
    wait_capturing(&cap);
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = ("127.0.0.1", port);
    for i in 0..10u8 {
        let d = if i == 7 {
            v1_lqi_mode(20, i, -61)
        } else {
            encode_v2(15 + i % 2, 100 + i, ntp_now(), i as u32, &psdu(i, i == 4))
        };
        tx.send_to(&d, to).unwrap();
        if i == 3 {
            // Neither is a frame: an ack and something that is not ZEP.
            tx.send_to(&[b'E', b'X', 2, 2, 0, 0, 0, 3], to).unwrap();
            tx.send_to(b"hello", to).unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // -T ek: an index line and a packet line per frame.
    let lines = cap.take(20);
    let (code, err) = cap.finish();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("10 packets captured"), "{err}");
    let packets: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| l.contains("\"layers\""))
        .map(|l| serde_json::from_str(l).expect("ek line is JSON"))
        .collect();
    assert_eq!(packets.len(), 10);
    for (i, p) in packets.iter().enumerate() {
        let l = &p["layers"];
        let get = |proto: &str, f: &str| l[proto][f].to_string().replace('"', "");
        assert_eq!(get("wpan", "wpan_wpan_seq_no"), i.to_string(), "{p}");
        let (ch, lqi) = if i == 7 {
            ("20".to_string(), "180".to_string())
        } else {
            ((15 + i % 2).to_string(), (100 + i).to_string())
        };
        assert_eq!(get("wpan-tap", "wpan-tap_wpan-tap_ch_num"), ch, "{p}");
        assert_eq!(get("wpan-tap", "wpan-tap_wpan-tap_lqi"), lqi, "{p}");
        let fcs_ok = if i == 4 { "false" } else { "true" };
        assert_eq!(get("wpan", "wpan_wpan_fcs_ok"), fcs_ok, "{p}");
    }
    assert_eq!(
        packets[7]["layers"]["wpan-tap"]["wpan-tap_wpan-tap_rss"], "-61",
        "LQI mode carries the RSSI"
    );
    // -w read back by lowshark, then by tshark: the same fields.
    let ours = fields_of(Command::new(support::BIN).arg("--no-tui"), &w.0);
    assert_eq!(ours.len(), 10, "{ours:?}");
    assert!(ours[7].starts_with("7\t20\t180\t-61\t1"), "{ours:?}");
    assert!(ours[4].starts_with("4\t15\t104\t\t0"), "{ours:?}");
    if support::have_tshark() {
        let theirs = fields_of(&mut Command::new("tshark"), &w.0);
        assert_eq!(theirs, ours, "-w read back by tshark and lowshark");
    }
}

#[test]
fn two_listeners_merge_in_time_order() {
    let (p1, p2) = (free_port(), free_port());
    let (i1, i2) = (format!("zep:127.0.0.1:{p1}"), format!("zep:127.0.0.1:{p2}"));
    let cap = spawn_lowshark(&[
        "-i",
        &i1,
        "-i",
        &i2,
        "-c",
        "6",
        "-T",
        "fields",
        "-e",
        "wpan.seq_no",
        "-e",
        "frame.interface_id",
    ]);
    wait_capturing(&cap);
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..6u8 {
        let port = if i % 2 == 0 { p1 } else { p2 };
        let d = encode_v2(11, 200, ntp_now(), i as u32, &psdu(i, false));
        tx.send_to(&d, ("127.0.0.1", port)).unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }
    let lines = cap.take(6);
    let want: Vec<String> = (0..6).map(|i| format!("{i}\t{}", i % 2)).collect();
    assert_eq!(lines, want);
}

#[test]
fn a_port_in_use_fails_clearly() {
    let busy = UdpSocket::bind("127.0.0.1:0").unwrap();
    let iface = format!("zep:{}", busy.local_addr().unwrap());
    let out = Command::new(support::BIN)
        .args(["-i", &iface, "-c", "1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot listen"), "{err}");
}

/// Sends `n` good frames to `port`, 10 ms apart.
fn send_frames(port: u16, n: u32) {
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..n {
        let d = encode_v2(11, 200, ntp_now(), i, &psdu(i as u8, false));
        let _ = tx.send_to(&d, ("127.0.0.1", port));
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `-a packets`, `-a duration` and `-a filesize` end a live capture (no root needed: ZEP).
#[test]
fn autostop_conditions() {
    let port = free_port();
    let iface = format!("zep:127.0.0.1:{port}");
    let cap = spawn_lowshark(&[
        "-i",
        &iface,
        "-a",
        "packets:3",
        "-T",
        "fields",
        "-e",
        "wpan.seq_no",
    ]);
    wait_capturing(&cap);
    send_frames(port, 10);
    assert_eq!(cap.take(3), ["0", "1", "2"]);
    let (code, err) = cap.finish();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 packets captured"), "{err}");

    let t = std::time::Instant::now();
    let cap = spawn_lowshark(&["-i", &iface, "-a", "duration:1", "-q"]);
    let (code, err) = cap.finish();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 packets captured"), "{err}");
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "-a duration:1 took {:?}",
        t.elapsed()
    );

    let w = support::temp_path("zep-filesize.pcapng");
    let w_s = w.0.display().to_string();
    let cap = spawn_lowshark(&["-i", &iface, "-a", "filesize:1", "-w", &w_s]);
    wait_capturing(&cap);
    send_frames(port, 40);
    let (code, err) = cap.finish();
    assert_eq!(code, 0, "{err}");
    let len = std::fs::metadata(&w.0).unwrap().len();
    assert!(
        (1000..1200).contains(&len),
        "-a filesize:1 wrote {len} bytes"
    );
}

/// `-b filesize:1 -b files:2` with `-F pcap`: two files kept, named as tshark names them.
#[test]
fn ring_buffer_of_pcap_files() {
    let port = free_port();
    let iface = format!("zep:127.0.0.1:{port}");
    let dir = std::env::temp_dir().join(format!("lowshark-zep-ring-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let w = dir.join("z.pcap").display().to_string();
    let cap = spawn_lowshark(&[
        "-i",
        &iface,
        "-a",
        "packets:60",
        "-b",
        "filesize:1",
        "-b",
        "files:2",
        "-F",
        "pcap",
        "-w",
        &w,
    ]);
    wait_capturing(&cap);
    send_frames(port, 60);
    let (code, err) = cap.finish();
    assert_eq!(code, 0, "{err}");
    let names = support::file_names(&dir);
    assert_eq!(names.len(), 2, "{names:?}");
    for n in &names {
        assert!(
            n.starts_with("z_000") && n.ends_with(".pcap") && n.len() == 27,
            "{n}"
        );
        if support::have_tshark() {
            let out = Command::new("tshark")
                .arg("-r")
                .arg(dir.join(n))
                .output()
                .unwrap();
            assert!(out.status.success(), "tshark cannot read {n}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
