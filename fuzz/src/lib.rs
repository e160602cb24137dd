//! Shared pieces of the lowshark fuzz targets (see ../README.md).
//!
//! A target is a few lines in `fuzz_targets/NAME.rs` calling one of the drivers here:
//!
//! * [`run_link_frames`]: the input is a link type selector plus a sequence of frames (the
//!   [frame encoding](#frame-encoding)); all are dissected by one [`Engine`] (so conversation
//!   and reassembly state is exercised) and every packet goes through every output format with
//!   the output checks of [`check_outputs`].
//! * [`run_frames`]: the same for frames you built yourself (e.g. with [`udp4_frame`] to put the
//!   fuzz input behind a UDP port, [`tcp4_frame`] behind a TCP port).
//! * [`run_capture`]: a whole capture file through `CaptureReader`.
//!
//! # Frame encoding
//!
//! ```text
//!  byte 0          link type: LINK_TYPES[byte % LINK_TYPES.len()]
//!  then records:   len (u16 LE) | flags (u8) | len bytes of frame
//!                  flags & 0x7f: time step to the previous frame, in 100 ms units
//!                                (0x7f: a jump of 1000 s, to expire reassembly state)
//!                  flags & 0x80: orig_len = len / 2 (shorter than the captured length,
//!                                as a hostile file may claim)
//! ```
//! A record cut by the end of the input keeps what is there. `fuzz/seed.sh` writes real frames
//! of the project's captures in this encoding.

use dissectors::engine::{Engine, FrameMeta, Packet, Prefs};
use dissectors::engine::registry::Registry;
use lowshark::capture::CaptureReader;
use lowshark::output::{fields, json, text};
use std::sync::{Arc, OnceLock};

/// The link types `dissect_link` picks from with its first byte: null/loopback, Ethernet, raw
/// IP, Linux SLL, 802.15.4 with FCS, IPv4, IPv6, 802.15.4 without FCS, SLL2, 802.15.4 TAP.
pub const LINK_TYPES: &[u32] = &[0, 1, 101, 113, 195, 228, 229, 230, 276, 283];

/// Upper bound on frames per input, so one input cannot run for long.
pub const MAX_FRAMES: usize = 64;

/// The built-in registry, built once per process (building it per input would dominate).
pub fn registry() -> Arc<Registry> {
    static R: OnceLock<Arc<Registry>> = OnceLock::new();
    R.get_or_init(|| Arc::new(Registry::builtin())).clone()
}

/// A fresh engine with the built-in registry and default preferences.
pub fn engine() -> Engine {
    Engine::new(registry(), Prefs::default())
}

/// One frame to dissect.
#[derive(Clone, Debug)]
pub struct Frame<'a> {
    pub link_type: u32,
    pub ts_ns: i64,
    pub orig_len: u32,
    pub data: &'a [u8],
}

/// Decodes the [frame encoding](self#frame-encoding).
pub fn decode_frames(input: &[u8]) -> Vec<Frame<'_>> {
    let Some((&sel, mut rest)) = input.split_first() else {
        return vec![];
    };
    let link_type = LINK_TYPES[sel as usize % LINK_TYPES.len()];
    let mut out = vec![];
    let mut ts: i64 = 1_700_000_000_000_000_000;
    while rest.len() >= 3 && out.len() < MAX_FRAMES {
        let len = u16::from_le_bytes([rest[0], rest[1]]) as usize;
        let flags = rest[2];
        rest = &rest[3..];
        let take = len.min(rest.len());
        let (data, tail) = rest.split_at(take);
        rest = tail;
        let step = match flags & 0x7f {
            0x7f => 1_000_000_000_000,
            n => i64::from(n) * 100_000_000,
        };
        ts += step;
        let orig_len = if flags & 0x80 != 0 {
            data.len() / 2
        } else {
            data.len()
        };
        out.push(Frame {
            link_type,
            ts_ns: ts,
            orig_len: orig_len as u32,
            data,
        });
    }
    out
}

/// Encodes frames of one link type in the [frame encoding](self#frame-encoding) (used by tests
/// and by whoever writes seeds in Rust). `link_index` is the index into [`LINK_TYPES`].
pub fn encode_frames(link_index: u8, frames: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![link_index];
    for f in frames {
        let f = &f[..f.len().min(usize::from(u16::MAX))];
        v.extend_from_slice(&(f.len() as u16).to_le_bytes());
        v.push(1);
        v.extend_from_slice(f);
    }
    v
}

/// Dissects the frames with one engine and checks every output of every packet.
pub fn run_frames(frames: &[Frame<'_>]) {
    let mut engine = engine();
    let mut prev_ts = None;
    for (i, f) in frames.iter().enumerate() {
        let meta = FrameMeta {
            number: i as u64 + 1,
            ts_ns: f.ts_ns,
            orig_len: f.orig_len,
            link_type: f.link_type,
            ..Default::default()
        };
        let p = engine.dissect(meta, f.data);
        engine.mark_displayed(f.ts_ns);
        let delta = f.ts_ns.saturating_sub(prev_ts.unwrap_or(f.ts_ns));
        prev_ts = Some(f.ts_ns);
        check_outputs(&p, delta);
    }
}

/// `dissect_link`: [`decode_frames`] then [`run_frames`].
pub fn run_link_frames(input: &[u8]) {
    run_frames(&decode_frames(input));
}

/// Fields every packet is printed with in `-T fields` form (one per layer the built-in
/// dissectors have, plus columns). Unknown abbreviations simply print nothing.
const FIELDS: &[&str] = &[
    "frame.number",
    "frame.protocols",
    "eth.src",
    "ip.src",
    "ip.id",
    "ipv6.src",
    "udp.srcport",
    "tcp.seq",
    "tcp.stream",
    "icmp.type",
    "icmpv6.type",
    "wpan.src16",
    "data.data",
    "_ws.col.Info",
    "_ws.col.Protocol",
    "_ws.col.Source",
    "_ws.col.Time",
];

/// Formats the packet in every output and checks what each promises:
/// `-T json` and `-T jsonraw` documents parse, `-T ek` is two lines that are JSON objects,
/// the summary line / `-V` detail / `-x` dump have no control characters but their line
/// breaks, `-T fields` is one line.
pub fn check_outputs(p: &Packet, delta_ns: i64) {
    for raw in [false, true] {
        let mut s = String::new();
        json::write_json_packet(&mut s, p, raw);
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&s) {
            panic!("-T json (raw={raw}) does not parse: {e}\n{s}");
        }
    }

    let mut s = String::new();
    json::write_ek_packet(&mut s, p);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 2, "-T ek is not two lines:\n{s}");
    for l in lines {
        match serde_json::from_str::<serde_json::Value>(l) {
            Ok(v) => assert!(v.is_object(), "-T ek line is not an object: {l}"),
            Err(e) => panic!("-T ek line does not parse: {e}\n{l}"),
        }
    }

    for fmt in [
        text::TimeFormat::Relative,
        text::TimeFormat::Delta,
        text::TimeFormat::Epoch,
        text::TimeFormat::AbsoluteDate,
    ] {
        let t = text::time_column(p, fmt, delta_ns, delta_ns);
        let line = text::summary_line(p, &t);
        assert_no_controls(&line, false, "summary line");
    }
    let mut s = String::new();
    text::write_detail(&mut s, p);
    assert_no_controls(&s, true, "-V detail");
    let mut s = String::new();
    text::write_sources(&mut s, p);
    assert_no_controls(&s, true, "-x hex dump");

    let names: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
    let line = fields::fields_line(p, &names, &fields::FieldsOptions::default());
    assert!(
        !line.contains(['\n', '\r']),
        "-T fields line has a line break: {line:?}"
    );
}

/// Panics when `s` holds a control character (other than `\n` where `newlines` allows it).
pub fn assert_no_controls(s: &str, newlines: bool, what: &str) {
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && !(newlines && *c == '\n'))
    {
        panic!("{what} contains control character {c:?}:\n{s}");
    }
}

/// Reads a whole capture through `CaptureReader::from_reader`, to its end or first error.
/// Returns the number of frames read.
pub fn run_capture(input: &[u8]) -> usize {
    let Ok(reader) =
        CaptureReader::from_reader(Box::new(std::io::Cursor::new(input.to_vec())), "fuzz")
    else {
        return 0;
    };
    let _ = reader.format();
    let _ = reader.link_types();
    let _ = reader.snaplen();
    let mut n = 0;
    for item in reader {
        match item {
            Ok(f) => {
                assert!(f.data.len() <= input.len(), "frame larger than the file");
                n += 1;
            }
            Err(e) => {
                let _ = e.to_string();
                break;
            }
        }
    }
    n
}

/// An Ethernet/IPv4/UDP frame carrying `payload` to `dst_port` (for protocol targets:
/// `run_frames(&[Frame { link_type: 1, .., data: &udp4_frame(5683, data) }])`, or simply
/// [`run_udp_payloads`]).
pub fn udp4_frame(dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let udp_len = (8 + payload.len()).min(usize::from(u16::MAX) - 20);
    let payload = &payload[..udp_len - 8];
    let mut f = eth_ipv4_header(17, 8 + payload.len());
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&dst_port.to_be_bytes());
    f.extend_from_slice(&(udp_len as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]); // no checksum
    f.extend_from_slice(payload);
    f
}

/// An Ethernet/IPv4/TCP frame (PSH|ACK, sequence `seq`) carrying `payload` to `dst_port`.
pub fn tcp4_frame(dst_port: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let payload = &payload[..payload.len().min(usize::from(u16::MAX) - 40)];
    let mut f = eth_ipv4_header(6, 20 + payload.len());
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&dst_port.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&1u32.to_be_bytes());
    f.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

fn eth_ipv4_header(proto: u8, ip_payload_len: usize) -> Vec<u8> {
    let mut f = vec![
        0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet
    ];
    let total = (20 + ip_payload_len) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&total.to_be_bytes());
    f.extend_from_slice(&[0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    let sum = dissectors::engine::checksum::internet_checksum(&f[14..34]);
    f[24..26].copy_from_slice(&sum.to_be_bytes());
    f
}

/// Splits the input into payloads (at each `0xff 0x00 0xff` separator, at most
/// [`MAX_FRAMES`]) and dissects each as a UDP datagram to `dst_port`, all in one engine —
/// the driver for a protocol that runs over UDP (CoAP 5683, ...).
pub fn run_udp_payloads(dst_port: u16, input: &[u8]) {
    let frames: Vec<Vec<u8>> = split_payloads(input)
        .map(|p| udp4_frame(dst_port, p))
        .collect();
    run_owned(1, &frames);
}

/// Like [`run_udp_payloads`], for a protocol over TCP (MQTT 1883, XMPP 5222, ...): the payloads
/// are consecutive segments of one stream.
pub fn run_tcp_payloads(dst_port: u16, input: &[u8]) {
    let mut seq = 1u32;
    let frames: Vec<Vec<u8>> = split_payloads(input)
        .map(|p| {
            let f = tcp4_frame(dst_port, seq, p);
            seq = seq.wrapping_add(p.len() as u32);
            f
        })
        .collect();
    run_owned(1, &frames);
}

/// Dissects owned frames of one link type (1 s apart).
pub fn run_owned(link_type: u32, frames: &[Vec<u8>]) {
    let frames: Vec<Frame<'_>> = frames
        .iter()
        .enumerate()
        .map(|(i, d)| Frame {
            link_type,
            ts_ns: 1_700_000_000_000_000_000 + i as i64 * 1_000_000_000,
            orig_len: d.len() as u32,
            data: d,
        })
        .collect();
    run_frames(&frames);
}

fn split_payloads(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(input);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(3).position(|w| w == [0xff, 0x00, 0xff]) {
            Some(i) => {
                rest = Some(&r[i + 3..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
    .take(MAX_FRAMES)
}
