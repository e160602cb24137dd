//! The 802.15.4 MAC dissector against tshark on every 802.15.4 capture we have: the main
//! `wpan.*` fields must agree frame by frame, except where [`EXCEPTIONS`] says why tshark is
//! wrong (or we differ on purpose).

mod common;

use std::path::PathBuf;

/// The fields compared on every frame.
const FIELDS: &[&str] = &[
    "wpan.frame_length",
    "wpan.fcf",
    "wpan.frame_type",
    "wpan.security",
    "wpan.pending",
    "wpan.ack_request",
    "wpan.pan_id_compression",
    "wpan.seqno_suppression",
    "wpan.ie_present",
    "wpan.dst_addr_mode",
    "wpan.version",
    "wpan.src_addr_mode",
    "wpan.seq_no",
    "wpan.dst_pan",
    "wpan.dst16",
    "wpan.dst64",
    "wpan.src_pan",
    "wpan.src16",
    "wpan.src64",
    "wpan.addr16",
    "wpan.addr64",
    "wpan.fcs",
    "wpan.fcs_ok",
    "wpan.cmd",
    "wpan.aux_sec.sec_level",
    "wpan.aux_sec.key_id_mode",
    "wpan.aux_sec.frame_counter",
    "wpan.aux_sec.key_index",
    "wpan.mic",
    "wpan.header_ie.id",
    "wpan.payload_ie.id",
    "wpan.beacon_order",
    "wpan.superframe_order",
    "wpan.gts.count",
    "wpan.assoc_permit",
    "wpan.asoc.addr",
    "wpan.assoc.status",
    "wpan.realign.pan",
    "wpan.realign.channel",
    "wpan.cinfo.device_type",
];

/// Frames where we knowingly differ from tshark 4.0: (capture file name, frame, field, reason).
const EXCEPTIONS: &[(&str, usize, &str, &str)] = &[];

/// Every capture with 802.15.4 frames.
fn captures() -> Vec<PathBuf> {
    let mut out = vec![];
    for dir in ["public/ieee802154", "public/zep", "public/sixlowpan"] {
        let Some(d) = common::shared(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
            .expect("capture directory readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        files.sort();
        out.extend(files);
    }
    for f in [
        "generated/rpl-network-nonstoring.pcap",
        "generated/wpan-nofcs-linktype230.pcap",
        "generated/wpan-tap-linktype283.pcap",
    ] {
        out.extend(common::shared(f));
    }
    out
}

fn excepted(file: &str, frame: usize, field: &str) -> bool {
    EXCEPTIONS
        .iter()
        .any(|(f, n, fld, _)| file.ends_with(f) && *n == frame && *fld == field)
}

#[test]
fn wpan_fields_agree_with_tshark() {
    if !common::have_tshark() {
        return;
    }
    let files = captures();
    if files.is_empty() {
        return;
    }
    let (mut frames, mut compared, mut values) = (0usize, 0usize, 0usize);
    let mut bad = vec![];
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mut n_frames = 0;
        for field in FIELDS {
            let (n, mismatches) = common::compare_field(path, field, &[]);
            n_frames = n;
            compared += n;
            for m in mismatches {
                // "frame N: field ours [..] tshark [..]"
                let num: usize = m
                    .strip_prefix("frame ")
                    .and_then(|s| s.split(':').next())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                if !excepted(&name, num, field) {
                    bad.push(format!("{name}: {m}"));
                }
            }
        }
        frames += n_frames;
        values += n_frames;
    }
    eprintln!(
        "wpan: {} captures, {frames} frames x {} fields = {compared} comparisons, {} mismatches, {} excepted",
        files.len(),
        FIELDS.len(),
        bad.len(),
        EXCEPTIONS.len()
    );
    let _ = values;
    assert!(
        frames > 7000,
        "expected the 802.15.4 captures, got {frames} frames"
    );
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
