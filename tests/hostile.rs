//! Hostile-input tests (issue 9): broken and malicious captures built here, byte by byte.
//!
//! Every case runs the real binary and asserts that lowshark
//! * never panics (exit 101 or "panicked" on stderr fails the test),
//! * decodes the frames it can, and marks undecodable ones `_ws.malformed` in `-T json`,
//! * reports a broken *file* on stderr with a non-zero exit (2, as tshark),
//! * keeps memory bounded under floods (reassembly table limits through the library, and the
//!   child process's peak RSS).

mod support;

use dissectors::analysis::reassembly::{FragmentTable, Limits, Outcome};
use dissectors::engine::{Engine, FrameMeta};
use support::*;

const EXIT_FILE: i32 = 2;

/// Runs `-T json`, checks for panics and returns (run, packets). Packets are parsed even when
/// the file is broken: the output must stay valid JSON up to the error.
fn json_run(name: &str, bytes: &[u8]) -> (Run, Vec<serde_json::Value>) {
    let f = temp(name, bytes);
    let r = run(&["-T", "json"], &f.0);
    r.assert_no_panic(name);
    let pk = r.json(name);
    (r, pk)
}

fn assert_file_error(r: &Run, ctx: &str) {
    assert_eq!(r.code, EXIT_FILE, "{ctx}: exit code; stderr: {}", r.stderr);
    assert!(
        r.stderr.starts_with("lowshark: ") && r.stderr.trim_end().lines().count() == 1,
        "{ctx}: expected one file-level error line on stderr, got {:?}",
        r.stderr
    );
}

fn assert_clean(r: &Run, ctx: &str) {
    assert_eq!(r.code, 0, "{ctx}: exit code; stderr: {}", r.stderr);
}

fn good_frames(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| udp4(40000, 5683, &[0x40, 1, 0, i as u8]))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// pcap

#[test]
fn pcap_truncated_record_keeps_earlier_frames_and_reports_the_file() {
    let g = good_frames(2);
    let mut bytes = pcap_frames(1, &g);
    // A third record whose header promises 100 bytes of which 10 are present.
    bytes.extend_from_slice(&pcap(1, 0, &[(5, 100, 100, &[0u8; 10])])[24..]);
    let (r, pk) = json_run("trunc-rec.pcap", &bytes);
    assert_eq!(pk.len(), 2, "the two whole frames are decoded");
    assert!(pk.iter().all(|p| layers(p).contains_key("udp")));
    assert_file_error(&r, "truncated record");

    // Cut inside the record header, and inside the file header.
    for cut in [bytes.len() - 110 + 7, 10] {
        let (r, pk) = json_run("trunc-hdr.pcap", &bytes[..cut]);
        assert_file_error(&r, &format!("cut at {cut}"));
        assert!(pk.len() <= 2);
    }
}

#[test]
fn pcap_snaplen_zero_is_read() {
    let g = good_frames(3);
    let recs: Vec<(u32, u32, u32, &[u8])> = g
        .iter()
        .map(|f| (1, f.len() as u32, f.len() as u32, f.as_slice()))
        .collect();
    let (r, pk) = json_run("snap0.pcap", &pcap(1, 0, &recs));
    assert_clean(&r, "snaplen 0");
    assert_eq!(pk.len(), 3);
    assert!(pk.iter().all(|p| !is_malformed(p)));
}

#[test]
fn pcap_caplen_above_256k() {
    // 300 000 captured bytes of an Ethernet frame: more than any real link type allows.
    let mut big = udp4(1, 2, &[]);
    big.resize(300_000, 0xab);
    let g = good_frames(1);
    let recs: Vec<(u32, u32, u32, &[u8])> = vec![
        (1, g[0].len() as u32, g[0].len() as u32, &g[0]),
        (2, big.len() as u32, big.len() as u32, &big),
        (3, g[0].len() as u32, g[0].len() as u32, &g[0]),
    ];
    let (r, pk) = json_run("caplen-big.pcap", &pcap(1, 262_144, &recs));
    assert!(!pk.is_empty(), "the frame before the big record is decoded");
    assert!(layers(&pk[0]).contains_key("udp"));
    if r.code == 0 {
        // Accepted (lowshark's record limit is 256 MiB): all three frames, big one whole.
        assert_eq!(pk.len(), 3);
        assert_eq!(layers(&pk[1])["frame"]["frame.cap_len"], "300000");
    } else {
        assert_file_error(&r, "caplen 300000");
    }

    // A record header claiming 4 GiB with nothing behind it: an error, not an allocation.
    let mut bytes = pcap_frames(1, &g);
    bytes.extend_from_slice(&pcap(1, 0, &[(9, 0xffff_fff0, 0xffff_fff0, &[])])[24..]);
    let (r, pk) = json_run("caplen-4g.pcap", &bytes);
    assert_eq!(pk.len(), 1);
    assert_file_error(&r, "caplen 4 GiB");
}

#[test]
fn pcap_caplen_above_orig_len() {
    let g = good_frames(2);
    // orig_len 10 but 46 bytes captured, and orig_len 0.
    let recs: Vec<(u32, u32, u32, &[u8])> = vec![
        (1, g[0].len() as u32, 10, &g[0]),
        (2, g[1].len() as u32, 0, &g[1]),
    ];
    let (r, pk) = json_run("caplen-gt-len.pcap", &pcap(1, 65535, &recs));
    assert_eq!(pk.len(), 2, "both frames are shown");
    assert!(pk.iter().all(|p| layers(p).contains_key("udp")));
    assert!(r.code == 0 || r.code == EXIT_FILE);
}

#[test]
fn truncated_packets_inside_good_records_are_malformed() {
    let full = udp4(40000, 9999, b"hello"); // a port no dissector claims
                                            // Ethernet + 10 bytes of IPv4, and an IPv4 header with IHL 15 but 20 bytes present.
    let short_ip = full[..24].to_vec();
    let mut bad_ihl = full.clone();
    bad_ihl[14] = 0x4f;
    bad_ihl.truncate(34);
    let (r, pk) = json_run(
        "short-ip.pcap",
        &pcap_frames(1, &[full.clone(), short_ip, bad_ihl]),
    );
    assert_clean(&r, "short packets in good records");
    assert_eq!(pk.len(), 3);
    assert!(!is_malformed(&pk[0]));
    assert!(layers(&pk[0]).contains_key("udp"));
    for p in &pk[1..] {
        assert!(layers(p).contains_key("eth"), "the link layer is decoded");
        assert!(is_malformed(p), "short IPv4 is malformed: {p}");
    }
}

#[test]
fn not_a_capture_and_empty_files() {
    for (name, bytes) in [
        ("empty", &b""[..]),
        ("text", &b"this is not a capture file at all\n"[..]),
        ("magic-only", &0xa1b2_c3d4u32.to_le_bytes()[..]),
    ] {
        let f = temp(name, bytes);
        let r = run(&["-T", "json"], &f.0);
        r.assert_no_panic(name);
        assert_file_error(&r, name);
    }
}

// ---------------------------------------------------------------------------------------------
// pcapng

fn ng_with_frames(n: usize) -> Ng {
    let mut ng = Ng::new();
    ng.idb(1);
    for (i, f) in good_frames(n).iter().enumerate() {
        ng.epb(0, 1_700_000_000_000_000 + i as u64, f);
    }
    ng
}

#[test]
fn pcapng_wrong_block_lengths() {
    let f = udp4(1, 5683, &[0x40, 1, 0, 1]);
    let body = Ng::epb_body(0, 5, &f, f.len() as u32);
    let mut padded = body.clone();
    while !padded.len().is_multiple_of(4) {
        padded.push(0);
    }
    let right = (padded.len() as u32 + 12).to_le_bytes();
    let cases: Vec<(&str, [u8; 4], [u8; 4])> = vec![
        (
            "trailer differs",
            right,
            (padded.len() as u32 + 16).to_le_bytes(),
        ),
        (
            "length not a multiple of 4",
            (padded.len() as u32 + 13).to_le_bytes(),
            right,
        ),
        ("length below 12", 8u32.to_le_bytes(), 8u32.to_le_bytes()),
        ("length past the end", 0x0100_0000u32.to_le_bytes(), right),
        ("length 4 GiB", u32::MAX.to_le_bytes(), right),
    ];
    for (what, len, trailer) in cases {
        let mut ng = ng_with_frames(2);
        ng.raw_block(6, len, &padded, trailer);
        let (r, pk) = json_run("badlen.pcapng", &ng.0);
        assert_eq!(pk.len(), 2, "{what}: the frames before the bad block");
        assert!(pk.iter().all(|p| !is_malformed(p)));
        assert_file_error(&r, what);
    }

    // An EPB whose captured length runs past its block.
    let mut ng = ng_with_frames(1);
    let mut b = Ng::epb_body(0, 5, &f, f.len() as u32);
    b[12..16].copy_from_slice(&5000u32.to_le_bytes());
    ng.block(6, &b);
    let (r, pk) = json_run("caplen-past-block.pcapng", &ng.0);
    assert!(!pk.is_empty());
    assert_file_error(&r, "caplen past the block");

    // A truncated file: cut in the middle of the last block.
    let ng = ng_with_frames(3);
    let (r, pk) = json_run("cut.pcapng", &ng.0[..ng.0.len() - 9]);
    assert_eq!(pk.len(), 2);
    assert_file_error(&r, "cut pcapng");
}

#[test]
fn pcapng_unknown_blocks_are_skipped() {
    let g = good_frames(2);
    let mut ng = Ng::new();
    ng.idb(1);
    ng.epb(0, 1, &g[0]);
    ng.block(0x0000_0bad, b"unknown block body");
    ng.block(0x4000_0001, &[0xee; 64]); // local-use block type
    ng.block(0x0000_0bad, b""); // empty body
    ng.epb(0, 2, &g[1]);
    let (r, pk) = json_run("unknown-blocks.pcapng", &ng.0);
    assert_clean(&r, "unknown blocks");
    assert_eq!(pk.len(), 2);
    assert!(pk
        .iter()
        .all(|p| layers(p).contains_key("udp") && !is_malformed(p)));
}

#[test]
fn pcapng_thousands_of_interfaces() {
    let g = good_frames(1);
    let mut ng = Ng::new();
    for i in 0..5000u16 {
        ng.idb(if i % 2 == 0 { 1 } else { 195 });
    }
    ng.epb(4998, 1, &g[0]);
    ng.epb(0, 2, &g[0]);
    let (r, pk) = json_run("ifaces.pcapng", &ng.0);
    assert_clean(&r, "5000 interfaces");
    assert_eq!(pk.len(), 2);
    assert_eq!(layers(&pk[0])["frame"]["frame.interface_id"], "4998");
    assert!(pk.iter().all(|p| layers(p).contains_key("udp")));

    // A packet on an interface that was never described: a file error after the good frames.
    ng.epb(5000, 3, &g[0]);
    let (r, pk) = json_run("ifaces-bad.pcapng", &ng.0);
    assert_eq!(pk.len(), 2);
    assert_file_error(&r, "undescribed interface");

    // More than MAX_INTERFACES (65 536) in one section: refused, not stored.
    let mut ng = Ng::new();
    for _ in 0..=lowshark::capture::MAX_INTERFACES {
        ng.idb(1);
    }
    ng.epb(0, 1, &g[0]);
    let (r, _pk) = json_run("ifaces-max.pcapng", &ng.0);
    assert_file_error(&r, "too many interfaces");
}

#[test]
fn extreme_time_stamps_do_not_overflow() {
    // if_tsoffset (option 14) of -2^63 s and +2^63-1 s: time stamps saturate to i64::MIN/MAX,
    // and every difference between them (relative time, deltas) must not overflow.
    let g = good_frames(1);
    let mut ng = Ng::new();
    let idb = |off: i64| {
        let mut b = 1u16.to_le_bytes().to_vec();
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&65535u32.to_le_bytes());
        b.extend_from_slice(&14u16.to_le_bytes());
        b.extend_from_slice(&8u16.to_le_bytes());
        b.extend_from_slice(&off.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b
    };
    ng.block(1, &idb(i64::MAX));
    ng.block(1, &idb(i64::MIN));
    ng.epb(0, u64::MAX, &g[0]);
    ng.epb(1, 0, &g[0]);
    ng.epb(0, 0, &g[0]);
    let f = temp("ts.pcapng", &ng.0);
    for args in [
        &["-T", "json"][..],
        &["-T", "ek"],
        &["-t", "d"],
        &["-t", "ad"],
        &["-t", "dd"],
        &[
            "-T",
            "fields",
            "-e",
            "frame.time_delta",
            "-e",
            "frame.time_relative",
        ],
    ] {
        let r = run(args, &f.0);
        r.assert_no_panic(&format!("extreme time stamps {args:?}"));
        assert_clean(&r, "extreme time stamps");
        assert_eq!(
            r.stdout.matches("udp").count() > 0,
            args[0] == "-T" && args[1] != "fields"
        );
    }

    // The same through the library.
    let mut e = Engine::with_defaults();
    for (i, ts) in [i64::MIN, i64::MAX, 0, i64::MIN].into_iter().enumerate() {
        let meta = FrameMeta {
            number: i as u64 + 1,
            ts_ns: ts,
            orig_len: g[0].len() as u32,
            link_type: 1,
            ..Default::default()
        };
        let p = e.dissect(meta, &g[0]);
        e.mark_displayed(ts);
        assert!(!p.is_malformed());
        let mut s = String::new();
        lowshark::output::json::write_json_packet(&mut s, &p, false);
        serde_json::from_str::<serde_json::Value>(&s).expect("json");
    }
}

// ---------------------------------------------------------------------------------------------
// Floods

/// Peak resident set size (KiB) of `lowshark ARGS -r FILE`: from `/usr/bin/time -v` when it
/// exists, else by polling the child's /proc/PID/status VmHWM (a lower bound, sampled).
fn peak_rss_kb(args: &[&str], file: &std::path::Path) -> u64 {
    use std::process::{Command, Stdio};
    if std::path::Path::new("/usr/bin/time").exists() {
        let out = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(BIN)
            .args(args)
            .arg("-r")
            .arg(file)
            .stdout(Stdio::null())
            .output()
            .expect("run /usr/bin/time");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "flood run failed: {err}");
        assert!(!err.contains("panicked"), "{err}");
        if let Some(kb) = err
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        {
            return kb.trim().parse().expect("rss number");
        }
    }
    let mut child = Command::new(BIN)
        .args(args)
        .arg("-r")
        .arg(file)
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Some(st) = child.try_wait().expect("wait") {
            assert_eq!(st.code(), Some(0), "flood run failed");
            return peak;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Fragments in the floods: 8 times what the 16 MiB table limit admits (each opens a 64 KiB
/// datagram). Debug builds zero each datagram byte by byte, so more would only be slow.
const N_FLOOD: usize = 2_000;

/// IPv4 first-and-only fragments far into their datagram: each holds an (almost) 64 KiB
/// datagram open, so without limits N of them would pin N × 64 KiB.
fn fragment_flood(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let src = [10, 1, (i >> 16) as u8, (i >> 8) as u8];
            // MF set, offset 8000 * 8 = 64 000: the 8 bytes at the datagram's end, never the start.
            let mut f = eth_ipv4(src, [10, 0, 0, 2], 17, i as u16, 0x2000 | 8000, 8);
            f.extend_from_slice(&[0x55; 8]);
            f
        })
        .collect()
}

#[test]
fn ipv4_fragment_flood_stays_bounded_in_the_table() {
    // The limits IPv4 uses (ip.rs builds its table with Limits::default()).
    let limits = Limits::default();
    let mut t = FragmentTable::new(limits);
    let mut max_bytes = 0;
    let mut max_len = 0;
    let mut evicted = 0;
    for i in 0..N_FLOOD as u32 {
        let o = t.add(i, i64::from(i), u64::from(i), 64_000, &[0x55; 8], false);
        assert!(matches!(o, Outcome::Incomplete), "{o:?}");
        max_bytes = max_bytes.max(t.bytes_held());
        max_len = max_len.max(t.len());
        evicted += t.take_evicted();
    }
    println!(
        "fragment flood: {N_FLOOD} datagrams of 64008 bytes offered; table peak {max_bytes} bytes \
         in {max_len} datagrams, {evicted} evicted"
    );
    assert!(max_bytes <= limits.max_bytes, "bytes_held {max_bytes}");
    assert!(max_len <= limits.max_datagrams);
    assert!(evicted >= N_FLOOD - max_len, "evictions are counted");

    // A flood of small pieces of one datagram (every other 8-byte block) also stays bounded.
    let mut t = FragmentTable::new(limits);
    for k in 0..4_000usize {
        t.add(7u32, 0, k as u64, (k * 16) % 65_000, &[1; 8], false);
        assert!(t.bytes_held() <= 65_535);
    }
    assert_eq!(t.len(), 1);
}

#[test]
fn ipv4_fragment_flood_through_the_binary() {
    const N: usize = N_FLOOD;
    // All in the same second, so that the 60 s age limit does not empty the table and the
    // 16 MiB byte limit is what bounds it.
    let same_second = |frames: &[Vec<u8>]| {
        let recs: Vec<(u32, u32, u32, &[u8])> = frames
            .iter()
            .map(|f| (1_700_000_000, f.len() as u32, f.len() as u32, f.as_slice()))
            .collect();
        pcap(1, 65_535, &recs)
    };
    let flood = temp("flood.pcap", &same_second(&fragment_flood(N)));
    let small = temp("flood-small.pcap", &same_second(&fragment_flood(20)));

    // Every fragment is decoded as an IPv4 fragment (not malformed).
    let r = run(
        &["-T", "fields", "-e", "ip.id", "-e", "_ws.malformed"],
        &flood.0,
    );
    r.assert_no_panic("flood");
    assert_clean(&r, "flood");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), N);
    assert!(lines
        .iter()
        .all(|l| !l.ends_with('\t') || l.split('\t').nth(1) == Some("")));
    assert_eq!(lines[1].split('\t').next(), Some("0x0001"));

    let base = peak_rss_kb(&["-q"], &small.0);
    let peak = peak_rss_kb(&["-q"], &flood.0);
    println!(
        "fragment flood: {N} fragments each opening a 64 KiB datagram ({} MB if unbounded): \
         peak RSS {peak} KiB vs {base} KiB for 20 fragments",
        N * 64_008 / 1_000_000
    );
    // The table holds at most 16 MiB of datagram bytes, plus as much again for its per-byte
    // "received" flags; unbounded, this flood would need 2 × 128 MB.
    assert!(
        peak < base + 48 * 1024,
        "peak RSS {peak} KiB, baseline {base} KiB"
    );
}

#[test]
fn tcp_huge_sequence_gaps() {
    let mut frames = vec![tcp4(40000, 1883, 1000, 0, 0x02, &[])];
    let seqs = [
        1001u32,
        0x7fff_ffff,
        0xffff_ff00, // the payload wraps past 2^32
        5,
        0x8000_0000,
        1001,
    ];
    for s in seqs {
        frames.push(tcp4(40000, 1883, s, 1, 0x18, &[0x30; 512]));
    }
    // Thousands of segments, each 256 MiB further on.
    for i in 0..3000u32 {
        frames.push(tcp4(
            40001,
            1883,
            i.wrapping_mul(0x1000_0000),
            1,
            0x18,
            &[0x30; 64],
        ));
    }
    let (r, pk) = json_run("tcp-gaps.pcap", &pcap_frames(1, &frames));
    assert_clean(&r, "tcp gaps");
    assert_eq!(pk.len(), frames.len());
    assert!(pk.iter().all(|p| layers(p).contains_key("tcp")));
    let seq = |p: &serde_json::Value| layers(p)["tcp"]["tcp.seq_raw"].as_str().map(String::from);
    assert_eq!(seq(&pk[3]).as_deref(), Some("4294967040"));
    assert_eq!(layers(&pk[3])["tcp"]["tcp.seq"], "4294966040");
    assert_eq!(layers(&pk[1])["tcp"]["tcp.seq"], "1");
}
