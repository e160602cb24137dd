//! Shared helpers for the dissectors crate's capture-based tests: a deliberately small capture
//! reader (the real one, with all the error handling, lives in the application), tshark access,
//! and paths to the shared captures.
#![allow(dead_code)]

use dissectors::engine::{Engine, FrameMeta, Packet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One frame: link type, timestamp (ns), bytes.
pub type Frame = (u32, i64, Vec<u8>);

/// `../shared/captures/<rel>` seen from the repository root, or None (with a printed reason)
/// when the shared folder is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/captures")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

/// A capture shipped in the repository's `captures/`.
pub fn project(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(rel)
}

/// True when tshark can be run (prints a reason when not).
pub fn have_tshark() -> bool {
    let ok = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: tshark is not installed");
    }
    ok
}

/// Runs tshark with TZ=UTC and returns its stdout.
pub fn tshark(args: &[&str]) -> String {
    let out = Command::new("tshark")
        .env("TZ", "UTC")
        .args(args)
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `tshark -r file -T fields -e field` per frame (one Vec per frame: occurrences split on ',').
pub fn tshark_field(file: &Path, field: &str, extra: &[&str]) -> Vec<Vec<String>> {
    let f = file.to_str().unwrap();
    let mut args = vec![
        "-r",
        f,
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
        "-e",
        field,
    ];
    args.extend_from_slice(extra);
    tshark(&args)
        .lines()
        .map(|l| {
            if l.is_empty() {
                vec![]
            } else {
                l.split('|').map(str::to_string).collect()
            }
        })
        .collect()
}

/// Reads a pcap or (simple, little- or big-endian) pcapng file.
pub fn read_capture(path: &Path) -> Vec<Frame> {
    let d = std::fs::read(path).expect("capture readable");
    if d.len() >= 4 && &d[..4] == b"\x0a\x0d\x0d\x0a" {
        read_pcapng(&d)
    } else {
        read_pcap(&d)
    }
}

fn read_pcap(d: &[u8]) -> Vec<Frame> {
    let magic = u32::from_le_bytes(d[0..4].try_into().unwrap());
    let (le, nano) = match magic {
        0xa1b2c3d4 => (true, false),
        0xa1b23c4d => (true, true),
        0xd4c3b2a1 => (false, false),
        0x4d3cb2a1 => (false, true),
        _ => panic!("not a pcap"),
    };
    let u32_at = |o: usize| {
        let b: [u8; 4] = d[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let lt = u32_at(20) & 0xffff;
    let mut out = vec![];
    let mut o = 24;
    while o + 16 <= d.len() {
        let (s, f, cap) = (
            u32_at(o) as i64,
            u32_at(o + 4) as i64,
            u32_at(o + 8) as usize,
        );
        if o + 16 + cap > d.len() {
            break;
        }
        let ns = s * 1_000_000_000 + if nano { f } else { f * 1000 };
        out.push((lt, ns, d[o + 16..o + 16 + cap].to_vec()));
        o += 16 + cap;
    }
    out
}

fn read_pcapng(d: &[u8]) -> Vec<Frame> {
    let mut out = vec![];
    let mut ifaces: Vec<(u32, u64)> = vec![];
    let mut le = true;
    let mut o = 0;
    while o + 12 <= d.len() {
        let raw_type = u32::from_le_bytes(d[o..o + 4].try_into().unwrap());
        if raw_type == 0x0a0d0d0a {
            le = d[o + 8..o + 12] == [0x4d, 0x3c, 0x2b, 0x1a];
            ifaces.clear();
        }
        let u32_at = |p: usize| {
            let b: [u8; 4] = d[p..p + 4].try_into().unwrap();
            if le {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        };
        let btype = u32_at(o);
        let blen = u32_at(o + 4) as usize;
        if blen < 12 || o + blen > d.len() {
            break;
        }
        match btype {
            1 => {
                let lt = u32_at(o + 8) & 0xffff;
                // if_tsresol (option 9); default microseconds.
                let mut res = 1_000u64;
                let mut p = o + 16;
                while p + 4 <= o + blen - 4 {
                    let code = if le {
                        u16::from_le_bytes([d[p], d[p + 1]])
                    } else {
                        u16::from_be_bytes([d[p], d[p + 1]])
                    };
                    let len = if le {
                        u16::from_le_bytes([d[p + 2], d[p + 3]])
                    } else {
                        u16::from_be_bytes([d[p + 2], d[p + 3]])
                    } as usize;
                    if code == 0 {
                        break;
                    }
                    if code == 9 && len >= 1 && d[p + 4] & 0x80 == 0 {
                        res = 10u64.pow(9u32.saturating_sub(d[p + 4] as u32));
                    }
                    p += 4 + len.div_ceil(4) * 4;
                }
                ifaces.push((lt, res));
            }
            6 => {
                let iface = u32_at(o + 8) as usize;
                let ts = ((u32_at(o + 12) as u64) << 32) | u32_at(o + 16) as u64;
                let cap = u32_at(o + 20) as usize;
                let (lt, res) = ifaces.get(iface).copied().unwrap_or((1, 1000));
                out.push((lt, (ts * res) as i64, d[o + 28..o + 28 + cap].to_vec()));
            }
            _ => {}
        }
        o += blen;
    }
    out
}

/// Dissects every frame of a capture in order with one engine (prefs as `name:value`).
pub fn dissect_capture(path: &Path, prefs: &[(&str, &str)]) -> Vec<Packet> {
    let mut e = Engine::with_defaults();
    for (k, v) in prefs {
        e.prefs.set(k, v);
    }
    read_capture(path)
        .into_iter()
        .enumerate()
        .map(|(i, (lt, ts, data))| {
            let meta = FrameMeta {
                number: i as u64 + 1,
                ts_ns: ts,
                orig_len: data.len() as u32,
                link_type: lt,
                ..Default::default()
            };
            let p = e.dissect(meta, &data);
            e.mark_displayed(ts);
            p
        })
        .collect()
}

/// Values of a field in a packet, show form, in tree order.
pub fn show(p: &Packet, abbrev: &str) -> Vec<String> {
    p.tree
        .by_abbrev(abbrev)
        .map(|n| dissectors::engine::value::show(n.field.unwrap(), &n.value))
        .collect()
}

/// Compares one field across a capture with tshark; returns (frames compared, mismatches as text).
pub fn compare_field(path: &Path, field: &str, prefs: &[(&str, &str)]) -> (usize, Vec<String>) {
    let mut extra: Vec<String> = vec![];
    for (k, v) in prefs {
        extra.push("-o".into());
        extra.push(format!("{k}:{v}"));
    }
    let extra_ref: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
    let theirs = tshark_field(path, field, &extra_ref);
    let ours = dissect_capture(path, prefs);
    let mut bad = vec![];
    for (i, (p, t)) in ours.iter().zip(theirs.iter()).enumerate() {
        let o = show(p, field);
        if &o != t {
            bad.push(format!(
                "frame {}: {field} ours {:?} tshark {:?}",
                i + 1,
                o,
                t
            ));
        }
    }
    (ours.len().min(theirs.len()), bad)
}

/// `tshark -T fields` for several fields at once: per frame, per field, the occurrences.
pub fn tshark_fields(
    file: &Path,
    fields: &[&str],
    prefs: &[(&str, &str)],
) -> Vec<Vec<Vec<String>>> {
    let mut extra = vec![];
    for (k, v) in prefs {
        extra.push("-o".to_string());
        extra.push(format!("{k}:{v}"));
    }
    let extra: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
    tshark_fields_with(file, fields, &extra)
}

/// Like [`tshark_fields`] with extra tshark arguments (`-d tcp.port==P,mqtt`, `-o k:v`).
pub fn tshark_fields_with(file: &Path, fields: &[&str], extra: &[&str]) -> Vec<Vec<Vec<String>>> {
    let f = file.to_str().unwrap();
    let mut args: Vec<String> = [
        "-r",
        f,
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
        "-E",
        "separator=\t",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    for fl in fields {
        args.push("-e".into());
        args.push(fl.to_string());
    }
    let args_ref: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    tshark(&args_ref)
        .lines()
        .map(|l| {
            l.split('\t')
                .map(|c| {
                    if c.is_empty() {
                        vec![]
                    } else {
                        c.split('|').map(str::to_string).collect()
                    }
                })
                .collect()
        })
        .collect()
}

/// Values of a field in tshark's `-T fields` form: labels without a value (FT_NONE, protocols)
/// print as "1" there.
pub fn show_fields_form(p: &Packet, abbrev: &str) -> Vec<String> {
    // Column pseudo-fields and frame.protocols, for ad-hoc comparisons.
    match abbrev {
        "_ws.col.Info" => return vec![p.columns.info.clone()],
        "_ws.col.Protocol" => return vec![p.columns.protocol.to_string()],
        "frame.protocols" => return vec![p.protocol_path()],
        _ => {}
    }
    p.tree
        .by_abbrev(abbrev)
        .map(|n| {
            let f = n.field.unwrap();
            match f.ftype {
                dissectors::FieldType::None | dissectors::FieldType::Protocol => "1".to_string(),
                // -T fields prints bytes as plain hex.
                dissectors::FieldType::Bytes => match &n.value {
                    dissectors::Value::Bytes(b) => dissectors::engine::value::hex_string(b),
                    v => dissectors::engine::value::show(f, v),
                },
                _ => dissectors::engine::value::show(f, &n.value),
            }
        })
        .collect()
}

/// Compares several fields across a capture with one tshark run: (frames compared, field
/// values compared, mismatches as text).
pub fn compare_fields(
    path: &Path,
    fields: &[&str],
    prefs: &[(&str, &str)],
) -> (usize, usize, Vec<String>) {
    let theirs = tshark_fields(path, fields, prefs);
    let ours = dissect_capture(path, prefs);
    let mut bad = vec![];
    let mut values = 0;
    for (i, (p, t)) in ours.iter().zip(theirs.iter()).enumerate() {
        for (j, field) in fields.iter().enumerate() {
            let mut o = show_fields_form(p, field);
            let empty = vec![];
            let tv = t.get(j).unwrap_or(&empty);
            // -T fields cannot show an empty string: a lone empty value prints as nothing.
            if tv.is_empty() && o.iter().all(|s| s.is_empty()) {
                o.clear();
            }
            values += tv.len().max(o.len());
            if &o != tv {
                bad.push(format!(
                    "frame {}: {field} ours {:?} tshark {:?}",
                    i + 1,
                    o,
                    tv
                ));
            }
        }
    }
    if ours.len() != theirs.len() {
        bad.push(format!(
            "frame count: ours {} tshark {}",
            ours.len(),
            theirs.len()
        ));
    }
    (ours.len().min(theirs.len()), values, bad)
}
