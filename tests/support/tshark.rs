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

/// tshark's `-T fields` output: per frame, per field, the occurrences.
pub type FieldTable = Vec<Vec<Vec<String>>>;

/// Joins a field's occurrences in [`tshark_fields_with`]: a byte no field value contains.
const AGGREGATOR: char = '\u{1}';

/// Preferences as tshark arguments: `-o name:value` each.
pub fn pref_args(prefs: &[(&str, &str)]) -> Vec<String> {
    prefs
        .iter()
        .flat_map(|(k, v)| ["-o".to_string(), format!("{k}:{v}")])
        .collect()
}

/// `tshark -r file -T fields -e field` per frame (one Vec per frame: the occurrences).
pub fn tshark_field(file: &Path, field: &str, extra: &[&str]) -> Vec<Vec<String>> {
    tshark_fields_with(file, &[field], extra)
        .into_iter()
        .map(|mut row| row.swap_remove(0))
        .collect()
}

/// `tshark -T fields` for several fields at once: per frame, per field, the occurrences.
pub fn tshark_fields<S: AsRef<str>>(
    file: &Path,
    fields: &[S],
    prefs: &[(&str, &str)],
) -> FieldTable {
    let extra = pref_args(prefs);
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    tshark_fields_with(file, fields, &extra)
}

/// Like [`tshark_fields`] with extra tshark arguments (`-d tcp.port==P,mqtt`, `-o k:v`). One
/// tshark run for all the fields (each run costs a start-up); every row has one cell per field.
pub fn tshark_fields_with<S: AsRef<str>>(file: &Path, fields: &[S], extra: &[&str]) -> FieldTable {
    let aggregator = format!("aggregator={AGGREGATOR}");
    let mut args = vec!["-r", file.to_str().unwrap(), "-T", "fields"];
    args.extend([
        "-E",
        "occurrence=a",
        "-E",
        &aggregator,
        "-E",
        "separator=\t",
    ]);
    args.extend_from_slice(extra);
    for f in fields {
        args.extend(["-e", f.as_ref()]);
    }
    tshark(&args)
        .lines()
        .map(|l| {
            let mut cells: Vec<Vec<String>> = l
                .split('\t')
                .map(|c| match c {
                    "" => vec![],
                    c => c.split(AGGREGATOR).map(str::to_string).collect(),
                })
                .collect();
            cells.resize(fields.len(), vec![]);
            cells
        })
        .collect()
}

/// `-T fields -e F1 -e F2 …`: the arguments of a field table, for either tool.
pub fn fields_args<'a>(fields: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["-T", "fields"];
    for f in fields {
        args.extend(["-e", f]);
    }
    args
}

/// `-r file -Y filter -T fields -e …`: the field table of the frames a display filter selects,
/// for either tool.
pub fn selection_args<'a>(file: &'a str, filter: &'a str, fields: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["-r", file, "-Y", filter];
    args.extend(fields_args(fields));
    args
}
