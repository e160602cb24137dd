//! `--color` against tshark: for every capture of `captures/` and `../shared/captures`, the
//! `foreground`/`background` attributes of each `<packet>` of `-T psml --color` must be
//! tshark's, but for the frames listed below with the reason they differ.
//!
//! Skips with a printed reason when tshark is absent.

mod support;

use std::path::Path;

/// Frames whose colour differs for a reason outside the colouring rules: (capture file name,
/// frame number, reason).
const EXCEPTIONS: &[(&str, usize, &str)] = &[
    (
        "modbus_zeek_modbus-and-non-modbus-p502.pcap",
        29,
        "tshark decodes this port-502 payload as DCE/RPC (DCERPC rule); lowshark has no DCE/RPC",
    ),
    (
        "modbus_zeek_fuzz-72.pcap",
        7,
        "tshark's TCP analysis flags this fuzzed segment (Bad TCP); its tcp.analysis differs, see tshark_diff.rs",
    ),
    (
        "modbus_zeek_fuzz-72.pcap",
        10,
        "as frame 7",
    ),
];

/// The `<packet …>` lines of `-T psml --color`, in order.
fn packet_tags(psml: &str) -> Vec<&str> {
    psml.lines().filter(|l| l.starts_with("<packet")).collect()
}

fn excepted(cap: &Path, frame: usize) -> bool {
    let name = cap.file_name().and_then(|n| n.to_str()).unwrap_or("");
    EXCEPTIONS.iter().any(|(c, f, _)| *c == name && *f == frame)
}

#[test]
fn packet_colours_agree_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let (mut compared, mut excused, mut mismatches) = (0usize, 0usize, vec![]);
    for cap in support::all_captures() {
        let theirs = support::tshark(&["-r", cap.to_str().unwrap(), "-T", "psml", "--color"]);
        let ours = support::run(&["-T", "psml", "--color"], &cap);
        ours.assert_no_panic("--color");
        let (t, o) = (packet_tags(&theirs), packet_tags(&ours.stdout));
        // pcapparser_test017: tshark lists pcapng custom blocks as records (see tshark_diff.rs).
        if t.len() != o.len() && cap.display().to_string().contains("pcapparser_test017") {
            continue;
        }
        assert_eq!(t.len(), o.len(), "{}: packet counts", cap.display());
        for (i, (t, o)) in t.iter().zip(&o).enumerate() {
            compared += 1;
            if t == o {
                continue;
            }
            if excepted(&cap, i + 1) {
                excused += 1;
            } else {
                mismatches.push(format!(
                    "{} frame {}: tshark {t}, lowshark {o}",
                    cap.display(),
                    i + 1
                ));
            }
        }
    }
    println!(
        "--color: {compared} packets compared, {excused} excused, {} differ",
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(compared > 500, "only {compared} packets compared");
}
