//! Differential test against tshark: for every capture under ../shared/captures and captures/,
//! `lowshark -T json` and `tshark -T json --no-duplicate-keys` must give the same values for
//! every field both emit. Structure is not compared (only values per field, in order), so a
//! field we nest differently still counts, and a field only one side emits is not an error.
//! Where we knowingly differ, the reason is listed in [`KNOWN_DIFFERENCES`].
//!
//! Skips with a printed reason when tshark or the shared captures are absent. While iterating on
//! one family, `LOWSHARK_DIFF_ONLY=scada cargo test --release --test tshark_diff` compares only
//! the captures whose path below the capture folder contains `scada`.

mod support;

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

fn captures() -> Vec<PathBuf> {
    let mut out = support::all_captures();
    // LOWSHARK_DIFF_ONLY=word restricts the run to captures whose path below the capture
    // folder contains `word` (e.g. `scada`), for iterating on one family.
    if let Ok(only) = std::env::var("LOWSHARK_DIFF_ONLY") {
        let project = support::project("");
        out.retain(|p| {
            let rel = p
                .strip_prefix(support::shared_root())
                .or_else(|_| p.strip_prefix(&project))
                .unwrap_or(p);
            rel.display().to_string().contains(&only)
        });
    }
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

/// Values tshark 4.0 gets wrong where lowshark is right: (field, part of tshark's value, part of
/// tshark's frame.protocols, reason).
const TSHARK_WRONG: &[(&str, &str, &str, &str)] = &[
    (
        "coap.opt.name",
        "Unknown Option (292)",
        "coap",
        "option 292 is Request-Tag (RFC 9175), which tshark 4.0 does not know",
    ),
    (
        "coap.opt.name",
        "Unknown Option (2)",
        "coap",
        "in a CSM signalling message (RFC 8323 §5.3) options 2 and 4 are Max-Message-Size and \
         Block-Wise-Transfer; tshark 4.0 reads them as request options",
    ),
    (
        "udp.checksum",
        "0xffff",
        "6lowpan",
        "6LoWPAN NHC elided the UDP checksum (RFC 6282 §4.3.3); lowshark recomputes it (and marks \
         it as such), tshark 4.0 shows 0xffff",
    ),
];

/// tshark 4.0 shows the inline bytes of an NHC-compressed IPv6 extension header as a `data`
/// layer inside 6LoWPAN (RFC 6282 §4.2); lowshark shows them where they belong, in the rebuilt
/// IPv6 header. Frames with that layer have their path and data fields compared without it.
const NHC_DATA_LAYER: &str = "6lowpan:data:";

/// Fields that differ in one capture for a reason tied to that capture:
/// (capture file name, field, reason).
const CAPTURE_FIELD_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "tcpdump_802_15_4-data.pcap",
        "frame.protocols",
        "the frame was cut at 38 of 2086 bytes; tshark shows the part of the IPv6 header it \
         could rebuild as an ipv6 layer, lowshark marks the 6LoWPAN header malformed",
    ),
    (
        "zeek_xmpp-dialback-starttls.pcap",
        "frame.protocols",
        "lowshark decodes XMPP on the server-to-server port 5269 too; tshark 4.0 registers it on \
         5222 only and shows data",
    ),
    (
        "suricata_mqtt5-excessiveproplen.pcap",
        "mqtt.property_len",
        "the property length is a variable byte integer (MQTT 5.0 §1.5.5): ff 21 is 4351; tshark \
         4.0 reads the two bytes as a 16-bit number (65313)",
    ),
    (
        "ndpi_jabber.pcap",
        "xmpp.unknown",
        "tshark adds no item for the jabber:iq:register query; lowshark lists its children",
    ),
    (
        "ndpi_jabber.pcap",
        "xmpp.unknown.element",
        "tshark adds no item for the jabber:iq:register query; lowshark lists its children",
    ),
    ("ndpi_jabber.pcap", "xmpp.attribute", XMPP_NESTED_ATTRIBUTES),
    ("ndpi_jabber.pcap", "xmpp.xmlns", XMPP_NESTED_ATTRIBUTES),
    (
        "zeek_xmpp-dialback-starttls.pcap",
        "tls.app_data_proto",
        "lowshark decodes XMPP on 5269 (see frame.protocols above), so after STARTTLS it labels \
         the TLS application data XMPP; tshark 4.0 found TLS by its heuristic and names no \
         protocol",
    ),
    (
        "ttproto_coap_block_TD_COAP_BLOCK_01_FAIL_BAD_SZX_From_Server.pcap",
        "frame.protocols",
        COAP_BLOCK_REASSEMBLY,
    ),
    (
        "ttproto_coap_block_TD_COAP_BLOCK_05_PASS.pcap",
        "frame.protocols",
        COAP_BLOCK_REASSEMBLY,
    ),
    (
        "real-peers-mqtt-coap-xmpp.pcap",
        "xmpp.attribute",
        "lowshark does not yet list the attributes of XEP-0203 <delay/> elements among \
         xmpp.attribute (tshark does); the other attributes agree",
    ),
    ("demo.pcapng", "udp.stream", TSHARK_UDP_STREAMS),
    ("demo.pcapng", "udp.time_relative", TSHARK_UDP_STREAMS),
    ("demo.pcapng", "udp.time_delta", TSHARK_UDP_STREAMS),
];

/// Fields that differ in one frame of one capture: (capture file name, frame, field, reason).
const FRAME_FIELD_DIFFERENCES: &[(&str, usize, &str, &str)] = &[(
    "modbus_zeek_modbus-and-non-modbus-p502.pcap",
    41,
    "frame.protocols",
    "tshark's ONC RPC heuristic took this port-502 connection in frame 39 (an NFS NULL call), \
     so it holds these 9 bytes as the start of a record-marked RPC reply; lowshark has no ONC \
     RPC dissector, Modbus/TCP refuses the bytes (protocol id 0x0028) and they stay data",
)];

const XMPP_NESTED_ATTRIBUTES: &str =
    "tshark's XMPP lists the attributes and namespaces of every nested element of some stanzas \
     (SASL mechanisms, disco forms, caps, tune); lowshark's lists those of the elements it \
     decodes. Compared since the xml layer made these frames' protocol paths comparable";

const COAP_BLOCK_REASSEMBLY: &str =
    "lowshark completes this Block2 transfer and hands the reassembled text/plain body to \
     data-text-lines; tshark 4.0 does not complete it (it shows only the last block's Block \
     Payload)";

const TSHARK_UDP_STREAMS: &str =
    "the border router sends CoAP requests from one port to several motes; \
     tshark 4.0 puts requests to different motes in one UDP stream (its CoAP conversations match \
     by port), lowshark numbers streams by both addresses and ports";

/// Preferences both tools get for a capture: the 6LoWPAN context the project's captures were
/// made with (captures/README.md).
fn prefs_for(path: &Path) -> Vec<String> {
    let ours = path.parent().is_some_and(|d| d.ends_with("captures"));
    if ours {
        vec!["6lowpan.context0:fd00::/64".to_string()]
    } else {
        vec![]
    }
}

fn tshark_wrong(field: &str, tvals: &[String], tshark_path: &str, cap: &Path) -> bool {
    TSHARK_WRONG.iter().any(|(f, part, layer, _)| {
        *f == field && tshark_path.contains(layer) && tvals.iter().any(|v| v.contains(part))
    }) || CAPTURE_FIELD_DIFFERENCES
        .iter()
        .any(|(name, f, _)| *f == field && cap.ends_with(name))
}

/// What comparing one capture found.
#[derive(Default)]
struct Tally {
    files: usize,
    fields: usize,
    values: usize,
    failures: Vec<String>,
}

fn compare_capture(cap: &Path, registry: &dissectors::engine::registry::Registry) -> Tally {
    let mut tally = Tally::default();
    let prefs = prefs_for(cap);
    let mut targs: Vec<String> = vec![
        "-r".into(),
        cap.display().to_string(),
        "-T".into(),
        "json".into(),
    ];
    targs.push("--no-duplicate-keys".into());
    let mut oargs: Vec<String> = vec![
        "-r".into(),
        cap.display().to_string(),
        "-T".into(),
        "json".into(),
    ];
    for p in &prefs {
        for args in [&mut targs, &mut oargs] {
            args.push("-o".into());
            args.push(p.clone());
        }
    }
    let theirs = Command::new("tshark")
        .env("TZ", "UTC")
        .args(&targs)
        .output()
        .unwrap();
    let ours = Command::new(env!("CARGO_BIN_EXE_lowshark"))
        .args(&oargs)
        .output()
        .unwrap();
    let (Some(t), Some(o)) = (packets(&theirs.stdout), packets(&ours.stdout)) else {
        // tshark rejects some deliberately broken files; then there is nothing to compare,
        // but our output must still be valid JSON (or nothing, with a failing exit).
        assert!(
            (ours.stdout.is_empty() && !ours.status.success())
                || serde_json::from_slice::<Value>(&ours.stdout).is_ok(),
            "{}: lowshark's JSON does not parse",
            cap.display()
        );
        return tally;
    };
    tally.files = 1;
    if KNOWN_FILE_DIFFERENCES
        .iter()
        .any(|(name, _)| cap.ends_with(name))
    {
        return tally;
    }
    let name = cap
        .strip_prefix(support::shared_root())
        .unwrap_or(cap)
        .display()
        .to_string();
    if t.len() != o.len() {
        tally.failures.push(format!(
            "{name}: {} packets from tshark, {} from lowshark",
            t.len(),
            o.len()
        ));
        return tally;
    }
    for (i, (tp, op)) in t.iter().zip(o.iter()).enumerate() {
        // Layers tshark found that lowshark does not dissect change frame.protocols and add
        // data where tshark has its own protocol: compare the path only when every layer in
        // tshark's is one lowshark knows.
        let tshark_path = tp
            .get("frame.protocols")
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("");
        let path_comparable = tp
            .get("frame.protocols")
            .and_then(|v| v.first())
            .is_some_and(|path| {
                path.split(':')
                    .all(|l| registry.protocol(l).is_some() || l == "ethertype")
            });
        let nhc_data = tshark_path.contains(NHC_DATA_LAYER);
        for (field, ovals) in op {
            let Some(tvals) = tp.get(field) else { continue };
            if nhc_data && field.starts_with("data.") {
                continue;
            }
            if nhc_data && field == "frame.protocols" {
                let normalized = tshark_path.replacen(NHC_DATA_LAYER, "6lowpan:", 1);
                if !normalized
                    .split(':')
                    .all(|l| registry.protocol(l).is_some() || l == "ethertype")
                {
                    continue;
                }
                tally.fields += 1;
                tally.values += 1;
                if ovals.first().map(String::as_str) != Some(normalized.as_str()) {
                    tally.failures.push(format!(
                        "{name} frame {}: {field}: tshark {tvals:?}, lowshark {ovals:?}",
                        i + 1
                    ));
                }
                continue;
            }
            let frame_known = FRAME_FIELD_DIFFERENCES
                .iter()
                .any(|(c, n, f, _)| *n == i + 1 && *f == field && cap.ends_with(c));
            if known(field)
                || frame_known
                || tshark_wrong(field, tvals, tshark_path, cap)
                || (field == "frame.protocols" && !path_comparable)
            {
                continue;
            }
            // Where tshark goes deeper (a layer lowshark lacks wraps another IPv6 or UDP
            // header), its extra occurrences come after ours: compare ours with its first.
            if !path_comparable && tvals.len() > ovals.len() && tvals[..ovals.len()] == ovals[..] {
                continue;
            }
            if field.starts_with("data.") && !path_comparable {
                continue;
            }
            tally.fields += 1;
            tally.values += ovals.len();
            if tvals != ovals {
                tally.failures.push(format!(
                    "{name} frame {}: {field}: tshark {tvals:?}, lowshark {ovals:?}",
                    i + 1
                ));
            }
        }
    }
    tally
}

#[test]
fn json_values_agree_with_tshark() {
    if support::shared_for_tshark("").is_none() {
        return;
    }
    let registry = dissectors::engine::registry::Registry::builtin();
    let caps = captures();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let total = std::sync::Mutex::new(Tally::default());
    // tshark starts slowly; several captures at once keep both cores busy.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(cap) = caps.get(i) else { break };
                let t = compare_capture(cap, &registry);
                let mut all = total.lock().unwrap();
                all.files += t.files;
                all.fields += t.fields;
                all.values += t.values;
                all.failures.extend(t.failures);
            });
        }
    });
    let Tally {
        files,
        fields,
        values,
        mut failures,
    } = total.into_inner().unwrap();
    failures.sort();
    eprintln!(
        "compared {fields} field occurrences ({values} values) in {files} captures; {} differences",
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
                .take(200)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let limit = if std::env::var_os("LOWSHARK_DIFF_ONLY").is_some() {
        100
    } else {
        100_000
    };
    assert!(values > limit, "too little compared: {values}");
}
