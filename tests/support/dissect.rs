//! Dissecting a capture in the test process and comparing fields with tshark's.

use super::tshark::{pref_args, tshark_field, tshark_fields, FieldTable};
use dissectors::engine::{Engine, FrameMeta, Packet};
use dissectors::FieldType;
use lowshark::capture::CaptureReader;
use std::path::Path;

/// One frame: link type, timestamp (ns), bytes.
pub type Frame = (u32, i64, Vec<u8>);

/// Every complete frame of a pcap or pcapng file, read with lowshark's own reader.
pub fn read_capture(path: &Path) -> Vec<Frame> {
    let reader = CaptureReader::open(path).expect("capture readable");
    reader
        .map_while(|f| f.ok())
        .map(|f| (f.meta.link_type, f.meta.ts_ns, f.data.to_vec()))
        .collect()
}

/// Every complete frame of a pcap or pcapng file still being written (its bytes so far); none
/// when the bytes are not (yet) a capture.
pub fn frames_in(bytes: &[u8]) -> Vec<Frame> {
    let bytes = std::io::Cursor::new(bytes.to_vec());
    let Ok(reader) = CaptureReader::from_reader(Box::new(bytes), "bytes") else {
        return vec![];
    };
    reader
        .map_while(|f| f.ok())
        .map(|f| (f.meta.link_type, f.meta.ts_ns, f.data.to_vec()))
        .collect()
}

/// Dissects every frame of a capture in order with one engine (prefs as `name:value`).
pub fn dissect_capture(path: &Path, prefs: &[(&str, &str)]) -> Vec<Packet> {
    let mut e = Engine::with_defaults();
    for (k, v) in prefs {
        e.prefs.set(k, v);
    }
    dissect_frames(&mut e, read_capture(path))
}

/// Dissects frames in order with `e`, numbered from 1, each one displayed (as a capture is read).
pub fn dissect_frames(e: &mut Engine, frames: Vec<Frame>) -> Vec<Packet> {
    frames
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

/// Hand-made frames of `link_type` as a capture's: 1 ms apart from time 0.
pub fn timed(link_type: u32, frames: impl IntoIterator<Item = Vec<u8>>) -> Vec<Frame> {
    frames
        .into_iter()
        .enumerate()
        .map(|(i, f)| (link_type, i as i64 * 1_000_000, f))
        .collect()
}

/// Values of a field in a packet, show form, in tree order.
pub fn show(p: &Packet, abbrev: &str) -> Vec<String> {
    p.tree
        .by_abbrev(abbrev)
        .map(|n| dissectors::engine::value::show(n.field.unwrap(), &n.value))
        .collect()
}

/// Dissects a capture with `prefs` and runs tshark on it for `fields`: our packets and tshark's
/// table, of the same number of frames.
pub fn both_sides<S: AsRef<str>>(
    path: &Path,
    fields: &[S],
    prefs: &[(&str, &str)],
) -> (Vec<Packet>, FieldTable) {
    let theirs = tshark_fields(path, fields, prefs);
    let ours = dissect_capture(path, prefs);
    assert_eq!(ours.len(), theirs.len(), "{}: frame count", path.display());
    (ours, theirs)
}

/// The differential test of one capture: `fields` on every frame, ours (`ours(packet, field)`)
/// against tshark's, both brought to one form by `norm` (see [`Tally::frame`]).
pub fn differential<S: AsRef<str>>(
    path: &Path,
    fields: &[S],
    prefs: &[(&str, &str)],
    ours: impl Fn(&Packet, &str) -> Vec<String>,
    norm: impl Fn(&str, &mut Vec<String>, &mut Vec<String>),
) -> Tally {
    let (packets, theirs) = both_sides(path, fields, prefs);
    let mut tally = Tally::default();
    for (i, (p, t)) in packets.iter().zip(&theirs).enumerate() {
        tally.frame(i + 1, fields, t, |f| ours(p, f), &norm);
    }
    tally
}

/// The type lowshark declares for `field`, if it has one by that name.
pub fn field_type(field: &str) -> Option<FieldType> {
    thread_local! {
        static REGISTRY: dissectors::Registry = dissectors::Registry::builtin();
    }
    REGISTRY.with(|r| r.field(field).map(|d| d.ftype))
}

/// A [`Tally::frame`] normaliser: `-T fields` prints a byte string as plain hex, our show form
/// (the JSON one) with colons.
#[allow(clippy::ptr_arg)] // The shape of every normaliser: some drop or clear values.
pub fn bytes_as_plain_hex(field: &str, ours: &mut Vec<String>, theirs: &mut Vec<String>) {
    if field_type(field) == Some(FieldType::Bytes) {
        for v in ours.iter_mut().chain(theirs.iter_mut()) {
            v.retain(|c| c != ':' && c != ' ');
        }
    }
}

/// Compares one field across a capture with tshark; returns (frames compared, mismatches as text).
pub fn compare_field(path: &Path, field: &str, prefs: &[(&str, &str)]) -> (usize, Vec<String>) {
    let extra = pref_args(prefs);
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let theirs = tshark_field(path, field, &extra);
    let ours = dissect_capture(path, prefs);
    let mut tally = Tally::default();
    for (i, (p, t)) in ours.iter().zip(&theirs).enumerate() {
        tally.frame(
            i + 1,
            &[field],
            std::slice::from_ref(t),
            |f| show(p, f),
            |_, _, _| {},
        );
    }
    let bad = tally.mismatches.iter().map(|m| m.to_string()).collect();
    (ours.len().min(theirs.len()), bad)
}

/// Compares each of `fields` across a capture with [`compare_field`] (a tshark run each) and
/// fails on any mismatch; returns the frames compared, per field.
pub fn assert_each_field_agrees(path: &Path, fields: &[&str]) -> Vec<usize> {
    fields
        .iter()
        .map(|field| {
            let (n, bad) = compare_field(path, field, &[]);
            assert!(bad.is_empty(), "{}: {}", path.display(), bad.join("\n"));
            n
        })
        .collect()
}

/// One field of one frame where lowshark and tshark differ.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The capture's name, once [`Tally::add`] has gathered it with others.
    pub capture: String,
    pub frame: usize,
    pub field: String,
    pub ours: Vec<String>,
    pub theirs: Vec<String>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.capture.is_empty() {
            write!(f, "{} ", self.capture)?;
        }
        write!(
            f,
            "frame {}: {} ours {:?} tshark {:?}",
            self.frame, self.field, self.ours, self.theirs
        )
    }
}

/// What a differential comparison with tshark counted: frames, field values (the larger of
/// the two sides' occurrence counts) and the mismatches.
#[derive(Debug, Default)]
pub struct Tally {
    pub frames: usize,
    pub values: usize,
    pub mismatches: Vec<Mismatch>,
}

impl Tally {
    /// Compares one frame field by field: `ours(field)` against tshark's row, after `norm(field,
    /// ours, theirs)` has brought both sides to one form.
    pub fn frame<S: AsRef<str>>(
        &mut self,
        frame: usize,
        fields: &[S],
        theirs: &[Vec<String>],
        mut ours: impl FnMut(&str) -> Vec<String>,
        norm: impl Fn(&str, &mut Vec<String>, &mut Vec<String>),
    ) {
        self.frames += 1;
        for (j, field) in fields.iter().enumerate() {
            let field = field.as_ref();
            let mut o = ours(field);
            let mut t = theirs.get(j).cloned().unwrap_or_default();
            norm(field, &mut o, &mut t);
            self.values += t.len().max(o.len());
            if o != t {
                self.mismatches.push(Mismatch {
                    capture: String::new(),
                    frame,
                    field: field.to_string(),
                    ours: o,
                    theirs: t,
                });
            }
        }
    }

    /// Adds the counts of capture `name`, printing them.
    pub fn add(&mut self, name: &str, other: Tally) -> &mut Tally {
        eprintln!(
            "{name}: {} frames, {} field values, {} mismatches",
            other.frames,
            other.values,
            other.mismatches.len()
        );
        self.frames += other.frames;
        self.values += other.values;
        self.mismatches
            .extend(other.mismatches.into_iter().map(|mut m| {
                m.capture = name.to_string();
                m
            }));
        self
    }

    /// Prints the totals and fails on any mismatch.
    pub fn assert_no_mismatch(&self, what: &str) {
        eprintln!(
            "{what}: {} frames, {} field values compared, {} mismatches",
            self.frames,
            self.values,
            self.mismatches.len()
        );
        let all: Vec<String> = self.mismatches.iter().map(|m| m.to_string()).collect();
        assert!(all.is_empty(), "{}", all.join("\n"));
    }
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
                FieldType::None | FieldType::Protocol => "1".to_string(),
                // -T fields prints bytes as plain hex.
                FieldType::Bytes => match &n.value {
                    dissectors::Value::Bytes(b) => dissectors::engine::value::hex_string(b),
                    v => dissectors::engine::value::show(f, v),
                },
                _ => dissectors::engine::value::show(f, &n.value),
            }
        })
        .collect()
}

/// `-T fields` cannot show an empty string: a lone empty value prints as nothing.
#[allow(clippy::ptr_arg)] // The shape of every normaliser: some drop or clear values.
pub fn empty_string_as_nothing(_: &str, ours: &mut Vec<String>, theirs: &mut Vec<String>) {
    if theirs.is_empty() && ours.iter().all(|s| s.is_empty()) {
        ours.clear();
    }
}

/// Compares several fields across a capture with one tshark run: (frames compared, field
/// values compared, mismatches as text).
pub fn compare_fields(
    path: &Path,
    fields: &[&str],
    prefs: &[(&str, &str)],
) -> (usize, usize, Vec<String>) {
    let tally = differential(
        path,
        fields,
        prefs,
        show_fields_form,
        empty_string_as_nothing,
    );
    let bad = tally.mismatches.iter().map(|m| m.to_string()).collect();
    (tally.frames, tally.values, bad)
}
