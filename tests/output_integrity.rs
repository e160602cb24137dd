//! Output integrity (issue 9): whatever the frames, every output stays well-formed.
//!
//! Random frames (raw bytes, and Ethernet/IPv4/UDP|TCP frames with random fields and payloads)
//! over random link types go through the library (engine + output modules, fast) and must give
//! * `-T json` documents that parse (also with `-x`, as jsonraw),
//! * `-T ek` as exactly one JSON object per line,
//! * summary lines, `-V` trees and `-x` dumps without raw control characters (but `\n`),
//! * `-T fields` lines without line breaks.
//!
//! Then a capture of such frames goes through the binary (`-T json`, `-T ek`, `-w` in pcapng and
//! pcap) and tshark must open what `-w` wrote (skipped with a reason when tshark is missing).

mod support;

use dissectors::engine::{Engine, FrameMeta, Packet};
use lowshark::capture::{CaptureReader, CapturedFrame, PcapNgWriter, PcapWriter};
use lowshark::output::{fields, json, text};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use support::*;

/// Link types the built-in dissectors handle (and a few they do not).
const LINK_TYPES: &[u32] = &[0, 1, 101, 113, 195, 228, 229, 230, 276, 283, 147, 65_000];

fn frame_bytes() -> impl Strategy<Value = Vec<u8>> {
    let payload = || prop::collection::vec(any::<u8>(), 0..96);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..160),
        (any::<u16>(), any::<u16>(), payload()).prop_map(|(s, d, p)| udp4(s, d, &p)),
        (any::<u16>(), any::<u32>(), any::<u8>(), payload())
            .prop_map(|(d, seq, fl, p)| tcp4(40000, d, seq, 7, fl, &p)),
        // Valid headers with random bytes written over some of them.
        (
            payload(),
            prop::collection::vec((0usize..64, any::<u8>()), 1..6)
        )
            .prop_map(|(p, edits)| {
                let mut f = udp4(5683, 5683, &p);
                for (at, b) in edits {
                    if let Some(x) = f.get_mut(at) {
                        *x = b;
                    }
                }
                f
            }),
    ]
}

/// One generated capture: frames, each with its link type and time stamp.
fn capture() -> impl Strategy<Value = Vec<(u32, i64, Vec<u8>)>> {
    prop::collection::vec(
        (
            prop::sample::select(LINK_TYPES),
            0i64..4_000_000_000_000_000_000,
            frame_bytes(),
        ),
        1..8,
    )
}

fn no_controls(s: &str, newlines: bool, what: &str) -> Result<(), TestCaseError> {
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && !(newlines && *c == '\n'))
    {
        return Err(TestCaseError::fail(format!(
            "{what} contains control character {c:?}:\n{s}"
        )));
    }
    Ok(())
}

fn check_packet(p: &Packet) -> Result<(), TestCaseError> {
    for raw in [false, true] {
        let mut s = String::new();
        json::write_json_packet(&mut s, p, raw);
        serde_json::from_str::<serde_json::Value>(&s)
            .map_err(|e| TestCaseError::fail(format!("-T json (raw={raw}): {e}\n{s}")))?;
    }
    let mut s = String::new();
    json::write_ek_packet(&mut s, p);
    prop_assert!(s.ends_with('\n'), "ek output ends with a newline");
    prop_assert_eq!(s.lines().count(), 2);
    for l in s.lines() {
        let v = serde_json::from_str::<serde_json::Value>(l)
            .map_err(|e| TestCaseError::fail(format!("-T ek line: {e}\n{l}")))?;
        prop_assert!(v.is_object(), "-T ek line is not an object: {}", l);
    }
    for fmt in [text::TimeFormat::Relative, text::TimeFormat::AbsoluteDate] {
        let t = text::time_column(p, fmt, 0, 0);
        no_controls(&text::summary_line(p, &t), false, "summary line")?;
    }
    let mut s = String::new();
    text::write_detail(&mut s, p);
    no_controls(&s, true, "-V")?;
    let mut s = String::new();
    text::write_sources(&mut s, p);
    no_controls(&s, true, "-x")?;
    let names: Vec<String> = ["frame.protocols", "ip.src", "udp.payload", "_ws.col.Info"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let line = fields::fields_line(p, &names, &fields::FieldsOptions::default());
    prop_assert!(!line.contains(['\n', '\r']), "-T fields line: {:?}", line);
    Ok(())
}

fn meta(i: usize, link_type: u32, ts_ns: i64, len: usize) -> FrameMeta {
    FrameMeta {
        number: i as u64 + 1,
        ts_ns,
        orig_len: len as u32,
        link_type,
        ..Default::default()
    }
}

#[test]
fn random_frames_give_well_formed_output() {
    let mut runner = TestRunner::new(Config {
        cases: 384,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&capture(), |frames| {
            let mut e = Engine::with_defaults();
            for (i, (lt, ts, data)) in frames.iter().enumerate() {
                let p = e.dissect(meta(i, *lt, *ts, data.len()), data);
                check_packet(&p)?;
            }
            Ok(())
        })
        .unwrap();
}

/// A deterministic batch of generated frames (one capture's worth).
fn generated_frames(n: usize, link_types: &[u32]) -> Vec<CapturedFrame> {
    let mut runner = TestRunner::deterministic();
    let strat = (prop::sample::select(link_types.to_vec()), frame_bytes());
    (0..n)
        .map(|i| {
            let (lt, data) = strat.new_tree(&mut runner).unwrap().current();
            let ts_ns = 1_700_000_000_000_000_000 + i as i64 * 1_000_000;
            CapturedFrame {
                meta: meta(i, lt, ts_ns, data.len()),
                data: data.into(),
            }
        })
        .collect()
}

/// `tshark -r FILE` must exit 0 and list `n` packets.
fn assert_tshark_reads(path: &std::path::Path, n: usize) {
    let out = std::process::Command::new("tshark")
        .arg("-n")
        .arg("-r")
        .arg(path)
        .output()
        .expect("run tshark");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tshark -r {} failed: {stderr}",
        path.display()
    );
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(lines, n, "tshark lists every packet of {}", path.display());
}

#[test]
fn written_captures_open_in_tshark_and_binary_outputs_parse() {
    // All link types in one pcapng (one IDB each), written by the library.
    let frames = generated_frames(300, LINK_TYPES);
    let input = temp_path("integrity-in.pcapng");
    {
        let mut w = PcapNgWriter::new(std::fs::File::create(&input.0).unwrap()).unwrap();
        for f in &frames {
            w.write(f).unwrap();
        }
        w.finish().unwrap();
    }
    // It reads back identically.
    let back: Vec<CapturedFrame> = CaptureReader::open(&input.0)
        .unwrap()
        .map(|f| f.unwrap())
        .collect();
    assert_eq!(back.len(), frames.len());
    for (a, b) in frames.iter().zip(&back) {
        assert_eq!(
            (a.meta.link_type, &a.data, a.meta.ts_ns),
            (b.meta.link_type, &b.data, b.meta.ts_ns)
        );
    }

    // The binary: -T json parses, -T ek is one object per line, text has no control characters.
    let r = run(&["-T", "json", "-x"], &input.0);
    r.assert_no_panic("json");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json("json").len(), frames.len());
    let r = run(&["-T", "ek"], &input.0);
    r.assert_no_panic("ek");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2 * frames.len());
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v.is_object());
    }
    for args in [&["-V", "-x"][..], &[]] {
        let r = run(args, &input.0);
        r.assert_no_panic("text");
        if let Some(c) = r.stdout.chars().find(|c| c.is_control() && *c != '\n') {
            panic!("{args:?} output contains {c:?}");
        }
    }

    // -w (pcapng) of everything, and -F pcap of Ethernet frames only.
    let out_ng = temp_path("integrity-out.pcapng");
    let r = run(&["-w", out_ng.0.to_str().unwrap()], &input.0);
    r.assert_no_panic("-w pcapng");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let eth = generated_frames(100, &[1]);
    let eth_in = temp("integrity-eth.pcap", &{
        let mut w = PcapWriter::new(Vec::new(), 1, 65_535).unwrap();
        for f in &eth {
            w.write(f).unwrap();
        }
        w.finish().unwrap()
    });
    let out_pcap = temp_path("integrity-out.pcap");
    let r = run(
        &["-w", out_pcap.0.to_str().unwrap(), "-F", "pcap"],
        &eth_in.0,
    );
    r.assert_no_panic("-w pcap");
    assert_eq!(r.code, 0, "{}", r.stderr);

    if !support::have_tshark() {
        return;
    }
    assert_tshark_reads(&input.0, frames.len());
    assert_tshark_reads(&out_ng.0, frames.len());
    assert_tshark_reads(&eth_in.0, eth.len());
    assert_tshark_reads(&out_pcap.0, eth.len());
}
