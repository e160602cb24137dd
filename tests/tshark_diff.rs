//! Differential test against tshark: for every capture under ../shared/captures and captures/,
//! `lowshark -T json` and `tshark -T json --no-duplicate-keys` must give the same values for
//! every field both emit. Structure is not compared (only values per field, in order), so a
//! field we nest differently still counts, and a field only one side emits is not an error.
//! Where we knowingly differ, the reason is listed in [`KNOWN_DIFFERENCES`].
//!
//! Skips with a printed reason when tshark or the shared captures are absent.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fields where lowshark differs from tshark 4.0 on purpose, with the reason. A pattern ending
/// in `*` matches a prefix.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "_ws.expert.*",
    "message, severity and group are collected from every protocol's expert items, also those \
         of protocols lowshark does not dissect; each expert item's own field is compared instead",
)];

/// Captures where the packet lists themselves differ, with the reason.
const KNOWN_FILE_DIFFERENCES: &[(&str, &str)] = &[
    (
        "pcapparser_test017-be.pcapng",
        "tshark lists pcapng custom blocks as records; they carry no packet, lowshark skips them",
    ),
    (
        "pcapparser_test017-le.pcapng",
        "tshark lists pcapng custom blocks as records; they carry no packet, lowshark skips them",
    ),
];

/// Fields tshark emits from features lowshark leaves out (name resolution, geolocation), which
/// would otherwise show up as one-sided and are therefore harmless; listed for documentation.
#[allow(dead_code)]
const NOT_EMITTED: &[&str] = &[
    "eth.dst_resolved",
    "eth.src_resolved",
    "eth.addr_resolved",
    "*.oui_resolved",
];

fn shared_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures")
}

fn captures() -> Vec<PathBuf> {
    let mut out = vec![];
    let mut dirs = vec![
        shared_root(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("captures"),
    ];
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            ) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every field value in a packet, grouped by field name, in document order.
fn flatten(v: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    let Value::Object(map) = v else { return };
    for (k, val) in map {
        if k.ends_with("_raw") {
            continue;
        }
        match val {
            Value::String(s) => out.entry(k.clone()).or_default().push(s.clone()),
            Value::Object(_) => flatten(val, out),
            Value::Array(items) => {
                for it in items {
                    match it {
                        Value::String(s) => out.entry(k.clone()).or_default().push(s.clone()),
                        other => flatten(other, out),
                    }
                }
            }
            _ => {}
        }
    }
}

fn packets(json: &[u8]) -> Option<Vec<BTreeMap<String, Vec<String>>>> {
    let v: Value = serde_json::from_slice(json).ok()?;
    let arr = v.as_array()?;
    Some(
        arr.iter()
            .map(|p| {
                let mut m = BTreeMap::new();
                flatten(&p["_source"]["layers"], &mut m);
                m
            })
            .collect(),
    )
}

fn known(field: &str) -> bool {
    KNOWN_DIFFERENCES
        .iter()
        .any(|(pat, _)| match pat.strip_suffix('*') {
            Some(prefix) => field.starts_with(prefix),
            None => *pat == field,
        })
}

/// Preferences both tools get for a capture (6LoWPAN contexts the captures were made with).
fn prefs_for(_path: &Path) -> Vec<String> {
    vec![]
}

#[test]
fn json_values_agree_with_tshark() {
    if !shared_root().exists() {
        eprintln!("skipping: {} is absent", shared_root().display());
        return;
    }
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("skipping: tshark is not installed");
        return;
    }
    let ours_bin = env!("CARGO_BIN_EXE_lowshark");
    let registry = dissectors::registry::Registry::builtin();
    let mut compared_values = 0usize;
    let mut compared_fields = 0usize;
    let mut files = 0usize;
    let mut failures: Vec<String> = vec![];
    for cap in captures() {
        let prefs = prefs_for(&cap);
        let mut targs: Vec<String> = vec![
            "-r".into(),
            cap.display().to_string(),
            "-T".into(),
            "json".into(),
            "--no-duplicate-keys".into(),
        ];
        let mut oargs: Vec<String> = vec![
            "-r".into(),
            cap.display().to_string(),
            "-T".into(),
            "json".into(),
        ];
        for p in &prefs {
            targs.push("-o".into());
            targs.push(p.clone());
            oargs.push("-o".into());
            oargs.push(p.clone());
        }
        let theirs = Command::new("tshark")
            .env("TZ", "UTC")
            .args(&targs)
            .output()
            .unwrap();
        let ours = Command::new(ours_bin).args(&oargs).output().unwrap();
        let (Some(t), Some(o)) = (packets(&theirs.stdout), packets(&ours.stdout)) else {
            // tshark rejects some deliberately broken files; then there is nothing to compare,
            // but our output must still be valid JSON.
            assert!(
                (ours.stdout.is_empty() && !ours.status.success())
                    || serde_json::from_slice::<Value>(&ours.stdout).is_ok(),
                "{}: lowshark's JSON does not parse",
                cap.display()
            );
            continue;
        };
        files += 1;
        if KNOWN_FILE_DIFFERENCES
            .iter()
            .any(|(name, _)| cap.ends_with(name))
        {
            continue;
        }
        if t.len() != o.len() {
            failures.push(format!(
                "{}: {} packets from tshark, {} from lowshark",
                cap.display(),
                t.len(),
                o.len()
            ));
            continue;
        }
        for (i, (tp, op)) in t.iter().zip(o.iter()).enumerate() {
            // Layers tshark found that lowshark does not dissect change frame.protocols and add
            // data where tshark has its own protocol: compare the path only when every layer in
            // tshark's is one lowshark knows.
            let path_comparable = tp
                .get("frame.protocols")
                .and_then(|v| v.first())
                .is_some_and(|path| {
                    path.split(':')
                        .all(|l| registry.protocol(l).is_some() || l == "ethertype")
                });
            for (field, ovals) in op {
                let Some(tvals) = tp.get(field) else { continue };
                if known(field) || (field == "frame.protocols" && !path_comparable) {
                    continue;
                }
                // Where tshark goes deeper (a layer lowshark lacks wraps another IPv6 or UDP
                // header), its extra occurrences come after ours: compare ours with its first.
                if !path_comparable
                    && tvals.len() > ovals.len()
                    && tvals[..ovals.len()] == ovals[..]
                {
                    continue;
                }
                if field.starts_with("data.") && !path_comparable {
                    continue;
                }
                compared_fields += 1;
                compared_values += ovals.len();
                if tvals != ovals {
                    failures.push(format!(
                        "{} frame {}: {field}: tshark {:?}, lowshark {:?}",
                        cap.strip_prefix(shared_root()).unwrap_or(&cap).display(),
                        i + 1,
                        tvals,
                        ovals
                    ));
                }
            }
        }
    }
    eprintln!(
        "compared {compared_fields} field occurrences ({compared_values} values) in {files} captures; {} differences",
        failures.len()
    );
    if !failures.is_empty() {
        let mut by_field: BTreeMap<String, usize> = BTreeMap::new();
        for f in &failures {
            let key = f.split(": ").nth(1).unwrap_or("").to_string();
            *by_field.entry(key).or_default() += 1;
        }
        panic!(
            "{} differences; by field: {:?}\nfirst ones:\n{}",
            failures.len(),
            by_field,
            failures
                .iter()
                .take(usize::MAX)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(
        compared_values > 1000,
        "too little compared: {compared_values}"
    );
}
