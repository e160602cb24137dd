//! Dissecting a capture in the test process and comparing fields with tshark's.

use super::tshark::{tshark_field, tshark_fields};
use dissectors::engine::{Engine, FrameMeta, Packet};
use lowshark::capture::CaptureReader;
use std::path::Path;

/// One frame: link type, timestamp (ns), bytes.
pub type Frame = (u32, i64, Vec<u8>);

/// Every complete frame of a pcap or pcapng file, read with lowshark's own reader.
pub fn read_capture(path: &Path) -> Vec<Frame> {
    let reader = CaptureReader::open(path).expect("capture readable");
    reader
        .map_while(|f| f.ok())
        .map(|f| (f.link_type, f.ts_ns, f.data))
        .collect()
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
