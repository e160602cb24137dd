//! Micro benchmark of display-filter evaluation over synthetic packets (no criterion):
//!
//! ```text
//! cargo test --release --test filter_bench -- --ignored --nocapture
//! ```
//!
//! Prints packets per second for a few typical filters. Packets are dissected once up front;
//! only `Filter::matches` is timed.

mod support;

use dissectors::engine::{Engine, Packet};
use dissectors::filter::Filter;
use std::time::Instant;

fn ipv4_udp(i: u32) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&[0x02, 0, 0, 0, (i >> 8) as u8, i as u8]);
    f.extend_from_slice(&[0x08, 0x00]);
    let payload = b"GET /sensors/temp";
    let ip_len = 20 + 8 + payload.len() as u16;
    f.extend_from_slice(&[
        0x45,
        0,
        (ip_len >> 8) as u8,
        ip_len as u8,
        0,
        1,
        0x40,
        0,
        64,
        17,
        0,
        0,
    ]);
    f.extend_from_slice(&[10, 0, (i >> 8) as u8, i as u8, 192, 168, 1, 20]);
    let sport = 1024 + (i % 5000) as u16;
    let dport: u16 = if i.is_multiple_of(3) { 5683 } else { 53 };
    let udp_len = 8 + payload.len() as u16;
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&udp_len.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

fn ipv6_tcp(i: u32) -> Vec<u8> {
    let mut f = vec![0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd];
    f.extend_from_slice(&[0x60, 0, 0, 0, 0, 20, 6, 64]);
    f.extend_from_slice(&[
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        (i >> 8) as u8,
        i as u8,
    ]);
    f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    f.extend_from_slice(&[0x04, 0x00, 0x00, 0x50]); // 1024 -> 80
    f.extend_from_slice(&i.to_be_bytes());
    f.extend_from_slice(&[0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
    f
}

fn packets(n: u32) -> Vec<Packet> {
    let frames = (0..n).map(|i| if i % 4 == 3 { ipv6_tcp(i) } else { ipv4_udp(i) });
    support::dissect_frames(&mut Engine::with_defaults(), support::timed(1, frames))
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn filter_evaluation_speed() {
    let registry = dissectors::Registry::builtin();
    let pkts = packets(20_000);
    let nodes: usize = pkts.iter().map(|p| p.tree.len()).sum();
    println!(
        "{} packets, {:.1} tree nodes per packet",
        pkts.len(),
        nodes as f64 / pkts.len() as f64
    );
    // Baseline: one pass over every node of every packet, no filter logic.
    let start = Instant::now();
    let mut seen = 0usize;
    for _ in 0..5 {
        for p in &pkts {
            seen += p
                .tree
                .nodes_unordered()
                .filter(|(_, n)| n.field.is_some())
                .count();
        }
    }
    println!(
        "{:<55} {:>12.0} packets/s",
        "(baseline: visit every node once)",
        (pkts.len() * 5) as f64 / start.elapsed().as_secs_f64()
    );
    assert!(seen > 0);
    let cases: &[(&str, usize)] = &[
        ("udp", 15_000),
        ("udp.dstport == 5683", 5_000),
        ("ip.src == 10.0.0.0/16 && udp.port in {53, 5683}", 15_000),
        ("ipv6.src == fe80::/10 and tcp.flags.syn == 1", 5_000),
        ("frame[12:2] == 86:dd or udp.length > 100", 5_000),
        ("udp contains \"GET\"", 15_000),
        ("udp.payload matches \"^get /SENSORS\"", 15_000),
        ("!(ip.addr == 192.168.1.20) || len(udp.payload) < 5", 5_000),
        ("lower(frame.protocols) contains \"tcp\"", 5_000),
    ];
    for (text, expected) in cases {
        let f = Filter::compile(text, &registry).unwrap();
        let rounds = 5;
        let start = Instant::now();
        let mut hits = 0;
        for _ in 0..rounds {
            hits = pkts.iter().filter(|p| f.matches(p)).count();
        }
        let secs = start.elapsed().as_secs_f64();
        let rate = (pkts.len() * rounds) as f64 / secs;
        println!("{text:<55} {hits:>6} hits  {:>12.0} packets/s", rate);
        assert_eq!(hits, *expected, "{text}");
    }
}
