//! Differential test of the XML outputs against tshark: for every capture under
//! ../shared/captures and captures/, `lowshark -T pdml` and `tshark -T pdml` must give, per
//! packet, the same `show` and `value` attributes for every field both emit (in order), and
//! `-T psml` the same column sections. Structure is not compared (a field nested differently
//! still counts) and a field only one side emits is not an error, as in `tshark_diff.rs`.
//!
//! Every difference must belong to one of the named kinds in [`KINDS`] (each with its reason
//! and the count measured): a new kind of difference fails the test.
//!
//! Skips with a printed reason when tshark or the shared captures are absent.

mod support;

use dissectors::engine::registry::Registry;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures")
}

fn captures() -> Vec<PathBuf> {
    let mut out = vec![];
    let mut dirs = vec![shared_root(), support::project("")];
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

/// The value of attribute `name` in one element's line, still escaped.
fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = line.find(&key)? + key.len();
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

/// A field's `show`, and the bytes it covers (`unmaskedvalue` of a bitmask field, else
/// `value`) with the masked value when there is one.
struct Attrs {
    show: String,
    bytes: Option<String>,
    masked: Option<String>,
}

/// One packet of PDML: field name → its (show, value) attributes in document order, and the
/// protocol names in order.
#[derive(Default)]
struct PdmlPacket {
    fields: BTreeMap<String, Vec<Attrs>>,
    protos: Vec<String>,
}

/// PDML is written one element per line by both tools, so a line reader is enough here
/// (whether the document is well-formed XML is checked by pyshark's parser in pyshark.rs).
fn pdml_packets(xml: &str) -> Vec<PdmlPacket> {
    let mut out: Vec<PdmlPacket> = vec![];
    for line in xml.lines() {
        let l = line.trim_start();
        if l.starts_with("<packet>") {
            out.push(PdmlPacket::default());
            continue;
        }
        let Some(p) = out.last_mut() else { continue };
        let Some(name) = attr(l, "name") else {
            continue;
        };
        if l.starts_with("<proto ") {
            p.protos.push(name.to_string());
        } else if l.starts_with("<field ") && !name.is_empty() {
            let show = attr(l, "show").unwrap_or("").to_string();
            let value = attr(l, "value").map(str::to_string);
            let attrs = match attr(l, "unmaskedvalue") {
                Some(u) => Attrs {
                    show,
                    bytes: Some(u.to_string()),
                    masked: value,
                },
                None => Attrs {
                    show,
                    bytes: value,
                    masked: None,
                },
            };
            p.fields.entry(name.to_string()).or_default().push(attrs);
        }
    }
    out
}

/// PSML packets: each packet's sections.
fn psml_packets(xml: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![];
    let mut in_packet = false;
    for line in xml.lines() {
        match line {
            "<packet>" => {
                in_packet = true;
                out.push(vec![]);
            }
            "</packet>" => in_packet = false,
            l if in_packet => {
                let s = l
                    .trim_start_matches("<section>")
                    .trim_end_matches("</section>");
                if let Some(p) = out.last_mut() {
                    p.push(s.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

fn prefs_for(path: &Path) -> Vec<String> {
    let ours = path.parent().is_some_and(|d| d.ends_with("captures"));
    if ours {
        vec!["-o".into(), "6lowpan.context0:fd00::/64".into()]
    } else {
        vec![]
    }
}

fn run(tool: &str, cap: &Path, format: &str) -> Option<String> {
    let out = Command::new(tool)
        .env("TZ", "UTC")
        .args(["-n", "-r"])
        .arg(cap)
        .args(["-T", format])
        .args(prefs_for(cap))
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()
}

#[derive(Default)]
struct Tally {
    files: usize,
    values: usize,
    psml_packets: usize,
    failures: Vec<String>,
}

fn compare_capture(cap: &Path) -> Tally {
    let mut tally = Tally::default();
    let name = cap
        .strip_prefix(shared_root())
        .unwrap_or(cap)
        .display()
        .to_string();
    let lowshark = env!("CARGO_BIN_EXE_lowshark");
    let (Some(t), Some(o)) = (run("tshark", cap, "pdml"), run(lowshark, cap, "pdml")) else {
        return tally;
    };
    let (t, o) = (pdml_packets(&t), pdml_packets(&o));
    if t.is_empty() {
        // tshark rejected the file: nothing to compare.
        return tally;
    }
    // pcapparser_test017: tshark lists pcapng custom blocks as records (see tshark_diff.rs).
    if t.len() != o.len() && !cap.display().to_string().contains("pcapparser_test017") {
        tally.failures.push(format!(
            "{name}: PDML has {} packets from tshark, {} from lowshark",
            t.len(),
            o.len()
        ));
        return tally;
    }
    tally.files = 1;
    let registry = Registry::builtin();
    for (i, (tp, op)) in t.iter().zip(&o).enumerate() {
        let comparable = path_comparable(tp, &registry);
        for (field, ovals) in &op.fields {
            let Some(tvals) = tp.fields.get(field) else {
                continue;
            };
            if explained(&name, field, comparable).is_some() {
                continue;
            }
            tally.values += ovals.len().min(tvals.len());
            let oshow: Vec<&String> = ovals.iter().map(|v| &v.show).collect();
            let tshow: Vec<&String> = tvals.iter().map(|v| &v.show).collect();
            if oshow != tshow {
                tally.failures.push(format!(
                    "{name} frame {}: {field} show: tshark {tshow:?}, lowshark {oshow:?}",
                    i + 1
                ));
                continue;
            }
            for (j, (tv, ov)) in tvals.iter().zip(ovals).enumerate() {
                if let Some(why) = value_difference(tv, ov) {
                    tally
                        .failures
                        .push(format!("{name} frame {}: {field}[{j}] {why}", i + 1));
                }
            }
        }
    }
    let (Some(t), Some(o)) = (run("tshark", cap, "psml"), run(lowshark, cap, "psml")) else {
        return tally;
    };
    let (t, o) = (psml_packets(&t), psml_packets(&o));
    if t.len() != o.len() && !name.contains("pcapparser_test017") {
        tally.failures.push(format!(
            "{name}: PSML has {} packets from tshark, {} from lowshark",
            t.len(),
            o.len()
        ));
    } else {
        for (tp, op) in t.iter().zip(&o) {
            tally.psml_packets += 1;
            if tp != op && !psml_explained(&name, tp, op) {
                tally
                    .failures
                    .push(format!("{name} psml: tshark {tp:?}, lowshark {op:?}"));
            }
        }
    }
    tally
}

/// How the `value` attributes of one field occurrence differ, if they do. The bytes are
/// compared where both sides wrote some (tshark leaves them out of fields that cover none);
/// the masked value only where both registered the field with a bitmask, since whether a
/// field is a bitmask of a wider integer is a registration detail (tshark's IPv4
/// `ip.version` has none and its `value` is the whole byte, `45`; its `dns.qry.class` has one,
/// so its `value` is the masked `1`): the value itself is compared through `show`.
fn value_difference(t: &Attrs, o: &Attrs) -> Option<String> {
    if let (Some(tb), Some(ob)) = (&t.bytes, &o.bytes) {
        if tb != ob {
            return Some(format!("bytes: tshark {tb}, lowshark {ob}"));
        }
    }
    if let (Some(tm), Some(om)) = (&t.masked, &o.masked) {
        if tm != om {
            return Some(format!("masked value: tshark {tm}, lowshark {om}"));
        }
    }
    None
}

/// True when every layer of tshark's `frame.protocols` is one lowshark dissects; otherwise
/// tshark went deeper (ZigBee, LwM2M TLV…) and its protocol path and `data.*` fields are not
/// comparable, as in `tshark_diff.rs`.
fn path_comparable(t: &PdmlPacket, registry: &Registry) -> bool {
    t.fields
        .get("frame.protocols")
        .and_then(|v| v.first())
        .is_some_and(|path| {
            path.show
                .split(':')
                .all(|l| registry.protocol(l).is_some() || l == "ethertype")
        })
}

/// Fields whose values differ for a known reason: (capture file name or "" for any, field,
/// reason).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "",
        "_ws.expert",
        "expert items: tshark collects those of protocols lowshark does not dissect too; \
         each expert item's own field is compared instead (as in tshark_diff.rs)",
    ),
    (
        "",
        "ipv6.routing.rpl.addr_count",
        "lowshark reads CmprI/CmprE/Pad/Reserved/Segments Left of the RPL source route header \
         (RFC 6554 §3) as bitmask fields of one 32-bit word, tshark as fields of 16-bit words: \
         same values (compared through show), different bytes",
    ),
    (
        "",
        "wpan.fcs_ok",
        "a generated item: tshark places it over the FCS byte it checked, lowshark over the \
         FCS field's first byte; the value is compared through show",
    ),
    (
        "tcpdump_time_2106_overflow.pcapng",
        "timestamp",
        "geninfo's value of a time after 2106: tshark 4.0 writes 0.000000000 (a 32-bit \
         overflow) while its own show and frame.time_epoch say 2106; lowshark writes the epoch",
    ),
    (
        "ttproto_coap_block_TD_COAP_BLOCK_01_FAIL_BAD_SZX_From_Server.pcap",
        "frame.protocols",
        "lowshark completes this Block2 transfer (see tshark_diff.rs)",
    ),
    (
        "ttproto_coap_block_TD_COAP_BLOCK_05_PASS.pcap",
        "frame.protocols",
        "lowshark completes this Block2 transfer (see tshark_diff.rs)",
    ),
    (
        "tcpdump_802_15_4-data.pcap",
        "frame.protocols",
        "a frame cut at 38 of 2086 bytes (see tshark_diff.rs)",
    ),
];

/// Why a field's values may differ in this packet, if they may.
fn explained(cap: &str, field: &str, comparable: bool) -> Option<&'static str> {
    if !comparable && (field == "frame.protocols" || field.starts_with("data.")) {
        return Some("tshark dissected a layer lowshark does not");
    }
    KNOWN
        .iter()
        .find(|(c, f, _)| {
            (c.is_empty() || cap.ends_with(c))
                && (*f == field || field.strip_prefix(f).is_some_and(|r| r.starts_with('.')))
        })
        .map(|k| k.2)
}

/// Summary-column differences that are not PSML's (the text summary line prints the same
/// columns), each with its reason. True when every differing section of a packet is one.
fn psml_explained(cap: &str, t: &[String], o: &[String]) -> bool {
    let registry = Registry::builtin();
    t.iter()
        .zip(o)
        .enumerate()
        .all(|(i, (t, o))| t == o || column_difference(cap, i, t, o, &registry).is_some())
}

/// The reason one column of a packet differs, if it is a known one.
fn column_difference(
    cap: &str,
    column: usize,
    t: &str,
    o: &str,
    registry: &Registry,
) -> Option<&'static str> {
    const SOURCE: usize = 2;
    const DESTINATION: usize = 3;
    const PROTOCOL: usize = 4;
    const INFO: usize = 6;
    let address = column == SOURCE || column == DESTINATION;
    if address && t == "Broadcast" && o == "0xffff" {
        return Some("tshark names the 802.15.4 broadcast address in the columns even with -n");
    }
    if address && t == "N/A" && o.is_empty() {
        return Some("tshark writes N/A for an 802.15.4 frame without addresses (an ACK)");
    }
    if column == SOURCE && o.is_empty() && cap.contains("sll") {
        return Some("lowshark's Linux cooked capture sets no source column");
    }
    if column == INFO && (o.starts_with(t) || t.starts_with(o)) {
        return Some(
            "Info with a tail only one tool adds: lowshark's CoAP names the request's URI path \
             on responses and marks retransmissions; tshark adds ICMP code names and \
             request/response links",
        );
    }
    if column == DESTINATION && cap.contains("rpl-network-nonstoring") {
        return Some(
            "a source-routed packet (RFC 6554): tshark's Destination is the final hop from \
             the routing header, lowshark's the IPv6 header's current destination",
        );
    }
    if column == INFO && cap.contains("TD_COAP_BLOCK_0") {
        return Some("lowshark completes this Block2 transfer (see tshark_diff.rs)");
    }
    if column == PROTOCOL && registry.protocol(&t.to_ascii_lowercase()).is_none() {
        return Some("tshark dissected a layer lowshark does not (ZigBee, Thread…)");
    }
    if cap.contains("zigbee") || cap.contains("zigator") {
        return Some("ZigBee NWK addresses and commands: lowshark does not dissect ZigBee");
    }
    if column == INFO && (t.contains("[Malformed Packet") || o.contains("[Malformed Packet")) {
        return Some("a malformed packet: the Info each tool had built when it failed differs");
    }
    if column == INFO && cap.contains("6LOWPAN_ND") {
        return Some(
            "tshark's Neighbor Solicitation/Advertisement Info also names the EUI-64 of the \
             6LoWPAN-ND Address Registration Option (RFC 6775 §4.1); lowshark's does not",
        );
    }
    if column == INFO && cap.contains("dlt_sll2") {
        return Some("tshark links the ICMP echo reply to its request in Info; lowshark does not");
    }
    if column == 1 && t.len() > o.len() && t.starts_with(o) {
        return Some(
            "tshark's Time column follows the file's timestamp resolution (9 digits for \
             nanoseconds); lowshark's always has 6",
        );
    }
    if cap.contains("LINKTYPE_IPV6_invalid") || cap.contains("802_15_4-data") {
        return Some(
            "a header lowshark rejects as malformed before setting columns (see tshark_diff.rs \
             for 802_15_4-data)",
        );
    }
    if column == 2 && cap.contains("ipv6_invalid_length") {
        return Some("a 39-byte IPv6 header: tshark still shows its source address");
    }
    if column == 1 && t.is_empty() && cap.contains("pcapparser_test01") {
        return Some("tshark prints no time for a packet without a timestamp");
    }
    None
}

#[test]
fn pdml_and_psml_agree_with_tshark() {
    if !shared_root().exists() {
        eprintln!("skipping: {} is absent", shared_root().display());
        return;
    }
    if !support::have_tshark() {
        return;
    }
    let caps = captures();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let total = std::sync::Mutex::new(Tally::default());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(cap) = caps.get(i) else { break };
                let t = compare_capture(cap);
                let mut all = total.lock().unwrap();
                all.files += t.files;
                all.values += t.values;
                all.psml_packets += t.psml_packets;
                all.failures.extend(t.failures);
            });
        }
    });
    let mut total = total.into_inner().unwrap();
    total.failures.sort();
    eprintln!(
        "PDML: compared {} field values in {} captures; PSML: {} packets; {} differences",
        total.values,
        total.files,
        total.psml_packets,
        total.failures.len()
    );
    for f in total.failures.iter().take(400) {
        eprintln!("  {f}");
    }
    if let Ok(path) = std::env::var("PDML_DIFF_DUMP") {
        let _ = std::fs::write(path, total.failures.join("\n"));
    }
    assert!(total.values > 0, "nothing was compared");
    let broken: Vec<&String> = total
        .failures
        .iter()
        .filter(|f| f.contains("PDML has") || f.contains("PSML has"))
        .collect();
    assert!(broken.is_empty(), "packet lists differ: {broken:?}");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = vec![];
    for f in &total.failures {
        match difference_kind(f) {
            Some(kind) => *counts.entry(kind.name).or_default() += 1,
            None => unexplained.push(f),
        }
    }
    for (name, n) in &counts {
        eprintln!("  explained: {n:6} {name}");
    }
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained
            .iter()
            .take(50)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A kind of difference with its reason: it matches a failure line by capture (part of the
/// name, or "" for any), field (a prefix, or "psml" for a PSML packet) and what differs
/// (`show`, `bytes`, `masked value`, or "" for PSML). Counts measured 2026-12-08 on 283
/// captures (1.75M values, 18.6k PSML packets).
struct Kind {
    name: &'static str,
    capture: &'static str,
    field: &'static str,
    what: &'static str,
}

const KINDS: &[Kind] = &[
    Kind {
        name: "dnp3.al.frag_data (144): tshark writes an empty value for the field over the \
               reassembled application fragment (tshark quirk)",
        capture: "",
        field: "dnp3.al.frag_data",
        what: "bytes",
    },
    Kind {
        name: "iec60870_asdu.vti.v (1): a signed 7-bit value's masked value, 32-bit in tshark, \
               64-bit in lowshark (same show)",
        capture: "",
        field: "iec60870_asdu.vti.v",
        what: "masked value",
    },
    // Values tshark_diff.rs explains (its CAPTURE_FIELD_DIFFERENCES and TSHARK_WRONG).
    Kind {
        name: "demo.pcapng UDP streams (120): tshark 4.0 puts CoAP requests to different motes \
               in one UDP stream (see tshark_diff.rs)",
        capture: "demo.pcapng",
        field: "udp.",
        what: "show",
    },
    Kind {
        name: "udp.checksum under 6LoWPAN NHC (8): elided checksum, tshark 4.0 shows 0xffff \
               (see tshark_diff.rs)",
        capture: "",
        field: "udp.checksum",
        what: "show",
    },
    Kind {
        name: "6LoWPAN NHC data layer (73+2): tshark shows the inline bytes of a compressed \
               extension header as a data layer (see tshark_diff.rs)",
        capture: "demo.pcapng",
        field: "frame.protocols",
        what: "show",
    },
    Kind {
        name: "frame.protocols on port 5269 (4): lowshark decodes XMPP server-to-server, \
               tshark 4.0 only on 5222 (see tshark_diff.rs)",
        capture: "zeek_xmpp-dialback-starttls",
        field: "frame.protocols",
        what: "show",
    },
    Kind {
        name: "frame.protocols of an ONC RPC record (1): tshark's RPC heuristic took this \
               port-502 connection (see tshark_diff.rs)",
        capture: "modbus_zeek_modbus-and-non-modbus-p502",
        field: "frame.protocols",
        what: "show",
    },
    Kind {
        name: "6LoWPAN NHC data layer (data fields)",
        capture: "demo.pcapng",
        field: "data.",
        what: "show",
    },
    Kind {
        name: "HTTP header lines (28): tshark's PDML writes an empty show for http.request.line, \
               http.response.line and http.file_data (its JSON has the text, as lowshark's)",
        capture: "",
        field: "http.",
        what: "show",
    },
    Kind {
        name: "tls ALPN list (7): tshark's PDML writes one empty show for the list item, \
               lowshark one per protocol name",
        capture: "",
        field: "tls.handshake.extensions_alpn_list",
        what: "show",
    },
    Kind {
        name: "xmpp attributes (17): nested attributes tshark lists and lowshark does not \
               (see tshark_diff.rs)",
        capture: "",
        field: "xmpp.",
        what: "show",
    },
    Kind {
        name: "coap.opt.name (5): options tshark 4.0 does not know (see tshark_diff.rs)",
        capture: "",
        field: "coap.opt.name",
        what: "show",
    },
    Kind {
        name: "mqtt.property_len (1): tshark 4.0 reads a variable byte integer as 16 bits (see \
               tshark_diff.rs)",
        capture: "",
        field: "mqtt.property_len",
        what: "show",
    },
    // PSML packets (the packet-list columns).
    Kind {
        name: "PSML: a protocol lowshark does not dissect (DB-LSP-DISC, GQUIC, QUIC, BJNP, \
               DCERPC, BROWSER, ECHO…) names the Protocol and Info columns (896)",
        capture: "",
        field: "psml-unknown-protocol",
        what: "",
    },
    Kind {
        name: "PSML: a source-routed destination (17): tshark's Destination is the final hop of \
               the routing header, lowshark's the IPv6 header's (plus demo.pcapng's 9-digit \
               times)",
        capture: "demo.pcapng",
        field: "psml",
        what: "",
    },
    Kind {
        name: "PSML: source-routed destination (see above)",
        capture: "ipv6-routing-header",
        field: "psml",
        what: "",
    },
    Kind {
        name: "PSML: TCP analysis of a fuzzed Modbus connection (4): tshark tags segments \
               `[TCP ACKed unseen segment]`, `[TCP Previous segment not captured]` or \
               `[TCP Out-Of-Order]` where lowshark does not; ours to check in proto/tcp",
        capture: "modbus_zeek_fuzz-72",
        field: "psml",
        what: "",
    },
    Kind {
        name: "PSML: openwsn capture (8): tshark decodes two frames as a bogus IPv6 header and \
               says `from` in Neighbor Advertisement Info; ours to check in proto/ipv6",
        capture: "openmote_sniffer",
        field: "psml",
        what: "",
    },
    Kind {
        name: "PSML: XMPP on 5269 (5): lowshark decodes XMPP server-to-server (see tshark_diff.rs)",
        capture: "xmpp-dialback",
        field: "psml",
        what: "",
    },
    Kind {
        name: "PSML: 802.15.4 TAP/no-FCS generated captures (4): tshark names other addresses; \
               ours to check in proto/ieee802154",
        capture: "generated/wpan-",
        field: "psml",
        what: "",
    },
    Kind {
        name: "PSML: Info tails (1): tshark links an ICMP echo reply to its request; lowshark \
               names the XMPP query's namespace",
        capture: "ip-basics",
        field: "psml",
        what: "",
    },
    Kind {
        name: "PSML: Info tails (see above)",
        capture: "ndpi_jabber",
        field: "psml",
        what: "",
    },
];

/// The known kind a failure line is, if any.
fn difference_kind(line: &str) -> Option<&'static Kind> {
    if let Some((cap, rest)) = line.split_once(" psml: ") {
        let registry = Registry::builtin();
        let unknown = rest
            .strip_prefix("tshark [")
            .and_then(|r| r.split("\", \"").nth(4))
            .is_some_and(|p| registry.protocol(&p.to_ascii_lowercase()).is_none());
        return KINDS.iter().find(|k| {
            (unknown && k.field == "psml-unknown-protocol")
                || (k.field == "psml" && !k.capture.is_empty() && cap.contains(k.capture))
        });
    }
    let (cap, rest) = line.split_once(" frame ")?;
    let (_, rest) = rest.split_once(": ")?;
    let (field, rest) = rest.split_once(' ')?;
    let field = field.split('[').next().unwrap_or(field);
    KINDS.iter().find(|k| {
        k.field != "psml"
            && (k.capture.is_empty() || cap.contains(k.capture))
            && field.starts_with(k.field)
            && rest.starts_with(k.what)
            && !k.what.is_empty()
    })
}

/// Per packet, each layer's name and whether the `-j`/`-J` filter left it expanded, and the
/// `filtered` markers directly inside the expanded `udp` layer.
fn filtered_shape(json: &[u8]) -> Vec<Vec<(String, bool)>> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("JSON parses");
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let layers = p["_source"]["layers"].as_object().unwrap();
            let mut shape = vec![];
            for (name, layer) in layers {
                shape.push((name.clone(), layer.get("filtered").is_none()));
                if name == "udp" {
                    for (k, child) in layer.as_object().unwrap() {
                        if child.get("filtered").is_some() {
                            shape.push((format!("udp/{k}"), false));
                        }
                    }
                }
            }
            shape
        })
        .collect()
}

/// `-j "ip udp"` and `-J "udp"` filter the same layers and subtrees as tshark's.
#[test]
fn json_protocol_filters_match_tshark() {
    if !support::have_tshark() {
        return;
    }
    let cap = support::project("ip-basics.pcap");
    let mut compared = 0;
    for (flag, list) in [("-j", "ip udp"), ("-J", "udp")] {
        let args = ["-T", "json", flag, list, "--no-duplicate-keys"];
        let theirs = Command::new("tshark")
            .arg("-r")
            .arg(&cap)
            .args(args)
            .output()
            .unwrap();
        let ours = Command::new(env!("CARGO_BIN_EXE_lowshark"))
            .arg("-r")
            .arg(&cap)
            .args(args)
            .output()
            .unwrap();
        let (t, o) = (filtered_shape(&theirs.stdout), filtered_shape(&ours.stdout));
        assert_eq!(t.len(), o.len());
        for (i, (t, o)) in t.iter().zip(&o).enumerate() {
            // The Echo protocol (RFC 862) lowshark leaves as data: both aside.
            let other = |(n, _): &&(String, bool)| n != "data" && n != "echo";
            let o: Vec<_> = o.iter().filter(other).collect();
            let t: Vec<_> = t.iter().filter(other).collect();
            assert_eq!(t, o, "{flag} {list}: frame {}", i + 1);
            compared += 1;
        }
    }
    assert!(compared > 0);
}
