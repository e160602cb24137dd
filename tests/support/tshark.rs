//! tshark, the reference: running it and reading its `-T fields` output.

use std::path::Path;
use std::process::Command;

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
