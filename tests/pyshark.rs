//! pyshark over lowshark: pyshark reads captures with `tshark_path` set to lowshark, in its
//! PDML mode (`-l -n -T pdml`) and its JSON mode (`-T json`, after reading the version from
//! `-v`), and must get the same packets, layers and field values as through tshark
//! (tests/pyshark_compare.py does the reading; fields both tools give are compared by name).
//!
//! Skips with a printed reason when tshark, python3's pyshark or the captures are absent.

mod support;

use std::path::PathBuf;
use std::process::Command;

fn captures() -> Vec<(PathBuf, Vec<&'static str>)> {
    let context = vec!["-o", "6lowpan.context0:fd00::/64"];
    let mut caps = vec![
        (support::project("ip-basics.pcap"), vec![]),
        (support::project("demo.pcapng"), context.clone()),
        (support::project("gateway-uplink.pcap"), vec![]),
    ];
    for rel in [
        "public/coap/ndpi_coap_mqtt.pcap",
        "public/mqtt/ndpi_mqtt.pcap",
        "public/xmpp/ndpi_jabber.pcap",
    ] {
        if let Some(p) = support::shared(rel) {
            caps.push((p, vec![]));
        }
    }
    caps
}

#[test]
fn pyshark_reads_lowshark_as_it_reads_tshark() {
    if !support::have_tshark() || !support::have_python_module("pyshark") {
        return;
    }
    let script = support::project("../tests/pyshark_compare.py");
    let mut compared = 0u64;
    let mut failures = vec![];
    for (cap, prefs) in captures() {
        let out = Command::new("python3")
            .arg(&script)
            .arg(env!("CARGO_BIN_EXE_lowshark"))
            .arg(&cap)
            .args(&prefs)
            .env("TZ", "UTC")
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}: {}",
            cap.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for mode in ["pdml", "json"] {
            let r = &report[mode];
            let (t, o) = (&r["packets_tshark"], &r["packets_lowshark"]);
            assert_eq!(t, o, "{} ({mode}): packet counts", cap.display());
            compared += r["values"].as_u64().unwrap();
            for d in r["differences"].as_array().unwrap() {
                failures.push(format!(
                    "{} ({mode}): {}",
                    cap.display(),
                    d.as_str().unwrap()
                ));
            }
            eprintln!(
                "{} ({mode}): {o} packets, {} values, layers {}",
                cap.display(),
                r["values"],
                r["layers_lowshark"]
            );
        }
    }
    eprintln!(
        "pyshark: {compared} field values compared; {} differences",
        failures.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(compared > 0, "nothing was compared");
    assert!(failures.is_empty());
}
