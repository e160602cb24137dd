//! TCP analysis and reassembly, MQTT and XMPP compared with tshark on real captures.

mod support;

use std::path::PathBuf;

const TCP_FIELDS: &[&str] = &[
    "tcp.stream",
    "tcp.completeness",
    "tcp.seq",
    "tcp.ack",
    "tcp.len",
    "tcp.nxtseq",
    "tcp.analysis.acks_frame",
    "tcp.analysis.ack_rtt",
    "tcp.analysis.initial_rtt",
    "tcp.analysis.bytes_in_flight",
    "tcp.analysis.push_bytes_sent",
    "tcp.analysis.flags",
    "tcp.analysis.retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.duplicate_ack_num",
    "tcp.analysis.duplicate_ack_frame",
    "tcp.analysis.zero_window",
    "tcp.analysis.window_update",
    "tcp.analysis.window_full",
    "tcp.analysis.keep_alive",
    "tcp.analysis.rto_frame",
    "tcp.pdu.size",
    "tcp.segment",
    "tcp.segment.count",
    "tcp.reassembled.length",
];

const MQTT_FIELDS: &[&str] = &[
    "mqtt.msgtype",
    "mqtt.len",
    "mqtt.topic",
    "mqtt.msgid",
    "mqtt.qos",
    "mqtt.clientid",
    "mqtt.ver",
    "mqtt.msg",
    "mqtt.conflags",
    "mqtt.username",
    "mqtt.passwd",
    "mqtt.willtopic",
    "mqtt.conack.val",
    "mqtt.sub.qos",
    "mqtt.suback.qos",
    "mqtt.property_id",
    "mqtt.prop_number",
    "mqtt.prop_string",
    "mqtt.prop_key",
    "mqtt.prop_value",
    "mqtt.property.topic_alias",
    "mqtt.connack.reason_code",
    "mqtt.puback.reason_code",
    "mqtt.suback.reason_code",
    "mqtt.disconnect.reason_code",
    "mqtt.subscription_options",
];

const XMPP_FIELDS: &[&str] = &[
    "xmpp.in",
    "xmpp.out",
    "xmpp.xml_header_version",
    "xmpp.stream",
    "xmpp.stream_end",
    "xmpp.features",
    "xmpp.starttls",
    "xmpp.proceed",
    "xmpp.auth",
    "xmpp.failure",
    "xmpp.iq",
    "xmpp.message",
    "xmpp.presence",
    "xmpp.id",
    "xmpp.type",
    "xmpp.from",
    "xmpp.to",
    "xmpp.response_to",
    "xmpp.iq.bind",
    "xmpp.iq.bind.jid",
    "xmpp.iq.bind.resource",
    "xmpp.iq.session",
    "xmpp.query",
    "xmpp.error",
    "xmpp.error.condition",
    "xmpp.error.text",
    "xmpp.message.body",
    "xmpp.message.chatstate",
];

fn captures(dir: &str) -> Vec<PathBuf> {
    support::shared_captures(dir, "")
}

fn report(files: &[PathBuf], fields: &[&str]) -> (usize, usize, Vec<String>) {
    let (mut frames, mut values, mut bad) = (0, 0, vec![]);
    for f in files {
        let (n, v, b) = support::compare_fields(f, fields, &[]);
        frames += n;
        values += v;
        for m in b {
            bad.push(format!("{}: {m}", f.file_name().unwrap().to_string_lossy()));
        }
    }
    (frames, values, bad)
}

#[test]
#[ignore]
fn dump_mismatches() {
    if !support::have_tshark() {
        return;
    }
    let which = std::env::var("WHICH").unwrap_or_else(|_| "mqtt".into());
    let mut files = vec![];
    for d in which.split(',') {
        if d.ends_with(".pcap") || d.ends_with(".pcapng") {
            files.extend(support::shared(d));
        } else {
            files.extend(captures(d));
        }
    }
    let fields: Vec<&str> = match std::env::var("FIELDS").as_deref() {
        Ok("mqtt") => MQTT_FIELDS.to_vec(),
        Ok("xmpp") => XMPP_FIELDS.to_vec(),
        Ok("extra") => vec![
            "tcp.payload",
            "tcp.segment_data",
            "tcp.reassembled.data",
            "tcp.analysis.rto",
            "tcp.analysis.keep_alive_ack",
            "tcp.window_size",
            "tcp.analysis.zero_window_probe",
            "tcp.flags",
            "frame.protocols",
            "mqtt.hdrflags",
            "mqtt.property_len",
            "mqtt.prop_string_len",
            "mqtt.willmsg",
            "mqtt.conack.flags",
            "mqtt.dupflag",
            "mqtt.retain",
            "mqtt.kalive",
            "mqtt.protoname",
        ],
        Ok("info") => vec!["_ws.col.Info", "_ws.col.Protocol"],
        _ => TCP_FIELDS.to_vec(),
    };
    let (frames, values, bad) = report(&files, &fields);
    for b in bad.iter().take(300) {
        println!("{b}");
    }
    println!("frames {frames} values {values} mismatches {}", bad.len());
    assert!(files.is_empty() || frames > 0, "no frame compared");
}

/// Known, explained differences from tshark 4.0: (capture, field, reason). Every other value
/// must agree.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    // tshark reassembles these for its HTTP and DNS-over-TCP dissectors, which lowshark does
    // not have: their payload is shown as data, so nothing asks TCP for reassembly.
    (
        "ndpi_http_ipv6.pcap",
        "tcp.segment",
        "HTTP is not dissected by lowshark",
    ),
    (
        "ndpi_http_ipv6.pcap",
        "tcp.segment.count",
        "HTTP is not dissected by lowshark",
    ),
    (
        "ndpi_http_ipv6.pcap",
        "tcp.reassembled.length",
        "HTTP is not dissected by lowshark",
    ),
    (
        "tcpdump_dns_tcp.pcap",
        "tcp.pdu.size",
        "DNS over TCP is not dissected by lowshark",
    ),
    // tshark 4.0 registers XMPP on port 5222 only (`tshark -G decodes`); lowshark also decodes
    // the server-to-server port 5269 (RFC 6120 §14.7), so this capture has XMPP items that
    // tshark shows as bare TCP.
    (
        "zeek_xmpp-dialback-starttls.pcap",
        "xmpp.",
        "tshark 4.0 does not decode XMPP on 5269",
    ),
    // <query xmlns='jabber:iq:register'> in an IQ set: tshark names it QUERY in the Info
    // column but adds no xmpp.query item; lowshark adds one like for every other query.
    (
        "ndpi_jabber.pcap",
        "xmpp.query",
        "tshark omits xmpp.query for jabber:iq:register sets",
    ),
];

fn excepted(m: &str) -> bool {
    EXCEPTIONS
        .iter()
        .any(|(file, field, _)| m.starts_with(file) && m.contains(&format!(": {field}")))
}

fn check(dirs: &[&str], fields: &[&str], what: &str) {
    if !support::have_tshark() {
        return;
    }
    let mut files = vec![];
    for d in dirs {
        if d.ends_with(".pcap") || d.ends_with(".pcapng") {
            files.extend(support::shared(d));
        } else {
            files.extend(captures(d));
        }
    }
    if files.is_empty() {
        eprintln!("skipping {what}: no captures");
        return;
    }
    let (frames, values, bad) = report(&files, fields);
    let (excused, real): (Vec<String>, Vec<String>) = bad.into_iter().partition(|m| excepted(m));
    println!(
        "{what}: {} captures, {frames} frames, {values} field values compared, {} mismatches, {} excepted",
        files.len(),
        real.len(),
        excused.len()
    );
    assert!(frames > 0 && values > 0, "{what}: nothing compared");
    assert!(real.is_empty(), "{what}:\n{}", real.join("\n"));
}

const TCP_CAPTURES: &[&str] = &[
    "public/mqtt",
    "public/xmpp",
    "public/coap/ndpi_coap_mqtt.pcap",
    "generated/real-peers-mqtt-coap-xmpp.pcap",
    "public/ipv6-tcp-udp",
];

#[test]
fn tcp_fields_agree_with_tshark() {
    check(TCP_CAPTURES, TCP_FIELDS, "tcp");
}

#[test]
fn mqtt_fields_agree_with_tshark() {
    check(
        &[
            "public/mqtt",
            "public/coap/ndpi_coap_mqtt.pcap",
            "generated/real-peers-mqtt-coap-xmpp.pcap",
        ],
        MQTT_FIELDS,
        "mqtt",
    );
}

#[test]
fn xmpp_fields_agree_with_tshark() {
    check(
        &["public/xmpp", "generated/real-peers-mqtt-coap-xmpp.pcap"],
        XMPP_FIELDS,
        "xmpp",
    );
}

/// The shared one-field helper on a reassembling capture, as the other suites use it.
#[test]
fn sequence_numbers_across_reassembly_agree() {
    let Some(path) = support::shared("public/mqtt/suricata_mqtt-connect-rules.pcap") else {
        return;
    };
    if !support::have_tshark() {
        return;
    }
    for field in [
        "tcp.seq",
        "tcp.ack",
        "tcp.nxtseq",
        "tcp.len",
        "mqtt.msgtype",
        "mqtt.topic",
    ] {
        let (n, bad) = support::compare_field(&path, field, &[]);
        assert_eq!(n, 14);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
    // The 35771-byte PUBLISH spans frames 8 and 9 and is decoded on 9.
    let packets = support::dissect_capture(&path, &[]);
    assert_eq!(support::show(&packets[8], "tcp.segment"), ["8", "9"]);
    assert_eq!(
        support::show(&packets[8], "tcp.reassembled.length"),
        ["35771"]
    );
    assert_eq!(support::show(&packets[8], "mqtt.topic"), ["topicX"]);
    assert!(packets[8]
        .sources
        .iter()
        .any(|s| s.name() == "Reassembled TCP (35771 bytes)"));
    assert!(support::show(&packets[7], "mqtt.msgtype").is_empty());
    assert_eq!(
        packets[7].columns.info,
        "[TCP segment of a reassembled PDU]"
    );
}

/// Real peers over loopback: Debian's mosquitto broker and mosquitto_pub (MQTT 3.1, 3.1.1 and
/// 5.0) on a random port, captured with dumpcap, then dissected.
#[test]
fn loopback_mosquitto_capture() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let tools: Vec<Option<PathBuf>> = ["mosquitto", "mosquitto_pub", "dumpcap"]
        .iter()
        .map(|t| support::find_tool(t))
        .collect();
    if tools.iter().any(|t| t.is_none()) {
        eprintln!("skipping: mosquitto, mosquitto_pub or dumpcap is not installed (apt-get install mosquitto mosquitto-clients tshark)");
        return;
    }
    let (broker, publ, dumpcap) = (
        tools[0].clone().unwrap(),
        tools[1].clone().unwrap(),
        tools[2].clone().unwrap(),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("lowshark-mqtt-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
    )
    .unwrap();
    let pcap = dir.join("capture.pcapng");
    let Some(cap) = support::LoopbackCapture::start(&dumpcap, port, &pcap) else {
        return;
    };
    let mut mosq = Command::new(&broker)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto starts");
    // Wait for the broker to listen.
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        && t0.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let pubs: &[(&str, &str, &str, &[&str])] = &[
        ("mqttv31", "lowshark/v31", "hello 3.1", &["-q", "0"]),
        ("mqttv311", "lowshark/v311", "hello 3.1.1", &["-q", "1"]),
        (
            "mqttv5",
            "lowshark/v5",
            "{\"temp\":21.5}",
            &[
                "-q",
                "2",
                "-D",
                "publish",
                "user-property",
                "unit",
                "celsius",
            ],
        ),
    ];
    for (ver, topic, msg, extra) in pubs {
        let ok = Command::new(&publ)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-V",
                ver,
                "-t",
                topic,
                "-m",
                msg,
            ])
            .args(*extra)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "mosquitto_pub {ver} failed");
    }
    cap.stop();
    let _ = mosq.kill();
    let _ = mosq.wait();
    if !pcap.exists() || std::fs::metadata(&pcap).map(|m| m.len()).unwrap_or(0) < 100 {
        eprintln!("skipping: nothing was captured on lo (no capture permission?)");
        return;
    }
    // The broker listens on a random port: decode it as MQTT, as `-d tcp.port==P,mqtt` would.
    let mut reg = dissectors::Registry::builtin();
    reg.decode_as(&format!("tcp.port=={port},mqtt")).unwrap();
    let mut engine = dissectors::Engine::new(
        std::sync::Arc::new(reg),
        dissectors::engine::Prefs::default(),
    );
    let packets = support::dissect_frames(&mut engine, support::read_capture(&pcap));
    let all =
        |f: &str| -> Vec<String> { packets.iter().flat_map(|p| support::show(p, f)).collect() };
    assert_eq!(all("mqtt.ver"), ["3", "4", "5"]);
    assert_eq!(
        all("mqtt.topic"),
        ["lowshark/v31", "lowshark/v311", "lowshark/v5"]
    );
    let texts: Vec<String> = packets
        .iter()
        .flat_map(|p| {
            p.tree
                .by_abbrev("mqtt.msg")
                .filter_map(|n| p.tree.text_of(n).map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        texts,
        [
            "Message: hello 3.1",
            "Message: hello 3.1.1",
            "Message: {\"temp\":21.5}"
        ]
    );
    assert_eq!(all("mqtt.prop_key"), ["unit"]);
    assert_eq!(all("mqtt.prop_value"), ["celsius"]);
    // QoS 2 flow: PUBLISH, PUBREC, PUBREL, PUBCOMP all seen.
    let types = all("mqtt.msgtype");
    for t in ["1", "2", "3", "4", "5", "6", "7", "14"] {
        assert!(
            types.contains(&t.to_string()),
            "message type {t} missing: {types:?}"
        );
    }
    // And tshark agrees with us on this capture.
    if support::have_tshark() {
        let decode = format!("tcp.port=={port},mqtt");
        for field in [
            "tcp.seq",
            "tcp.ack",
            "tcp.len",
            "tcp.analysis.acks_frame",
            "mqtt.msgtype",
            "mqtt.topic",
            "mqtt.msgid",
            "mqtt.qos",
            "mqtt.clientid",
            "mqtt.ver",
        ] {
            let theirs = support::tshark_fields_with(&pcap, &[field], &["-d", &decode]);
            assert_eq!(theirs.len(), packets.len());
            for (i, (p, t)) in packets.iter().zip(theirs.iter()).enumerate() {
                let mut ours = support::show_fields_form(p, field);
                // -T fields prints a lone empty string as nothing.
                if t[0].is_empty() && ours.iter().all(|s| s.is_empty()) {
                    ours.clear();
                }
                assert_eq!(&ours, &t[0], "frame {}: {field}", i + 1);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Info column of frames whose top protocol is MQTT or XMPP, against tshark's.
#[test]
fn mqtt_and_xmpp_info_columns_agree_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let mut files = captures("public/mqtt");
    files.extend(captures("public/xmpp"));
    files.extend(support::shared("generated/real-peers-mqtt-coap-xmpp.pcap"));
    files.extend(support::shared("public/coap/ndpi_coap_mqtt.pcap"));
    let (mut compared, mut bad) = (0, vec![]);
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name.contains("dialback") {
            // tshark 4.0 does not decode XMPP on 5269 (see EXCEPTIONS).
            continue;
        }
        let theirs = support::tshark_fields(f, &["_ws.col.Info"], &[]);
        let ours = support::dissect_capture(f, &[]);
        for (i, (p, t)) in ours.iter().zip(theirs.iter()).enumerate() {
            // TLS records after STARTTLS: lowshark has no TLS dissector and shows them as
            // encrypted data where tshark names the TLS messages.
            if !matches!(&*p.columns.protocol, "MQTT" | "XMPP/XML")
                || p.is_malformed()
                || p.columns.info == "TLS-encrypted data"
            {
                continue;
            }
            compared += 1;
            let t = t.first().map(|v| v.join(",")).unwrap_or_default();
            if p.columns.info != t {
                bad.push(format!(
                    "{name} frame {}: ours {:?} tshark {:?}",
                    i + 1,
                    p.columns.info,
                    t
                ));
            }
        }
    }
    // <query xmlns='jabber:iq:register'>: tshark writes a bare "QUERY" (see EXCEPTIONS).
    bad.retain(|m| !m.contains("QUERY(jabber:iq:register)"));
    println!(
        "info: {compared} MQTT/XMPP frames compared, {} mismatches",
        bad.len()
    );
    assert!(compared > 300 || support::shared("").is_none());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Development aid: prints our tree of the layers in $LAYERS (default mqtt) as
/// `frame<TAB>abbrev<TAB>show` lines in tree order, for diffing with tshark's PDML.
#[test]
#[ignore]
fn dump_tree_order() {
    let file =
        std::env::var("FILE").unwrap_or_else(|_| "public/mqtt/suricata_mqtt5-pub-qos1.pcap".into());
    let Some(path) = support::shared(&file) else {
        return;
    };
    let layers = std::env::var("LAYERS").unwrap_or_else(|_| "mqtt".into());
    let layers: Vec<&str> = layers.split(',').collect();
    let mut printed = 0;
    for (i, p) in support::dissect_capture(&path, &[]).iter().enumerate() {
        for (abbrev, v) in our_tree(p, &layers) {
            println!("{}\t{abbrev}\t{v}", i + 1);
            printed += 1;
        }
    }
    assert!(printed > 0, "no item of {layers:?} in {file}");
}

/// Unescapes a PDML attribute value.
fn xml_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let ent = &rest[i + 1..i + j];
        match ent {
            "quot" => out.push('"'),
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "apos" => out.push('\''),
            e if e.starts_with("#x") => {
                if let Some(c) = u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    out.push(c);
                }
            }
            e if e.starts_with('#') => {
                if let Some(c) = e[1..].parse().ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            _ => out.push_str(&rest[i..i + j + 1]),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = line.find(&key)? + key.len();
    let j = line[i..].find('"')?;
    Some(&line[i..i + j])
}

/// tshark's tree of the given layers in document order, from PDML: per frame, (abbrev, show).
fn pdml_tree(path: &std::path::Path, layers: &[&str]) -> Vec<Vec<(String, String)>> {
    let pdml = support::tshark(&["-r", path.to_str().unwrap(), "-T", "pdml"]);
    let mut frames = vec![];
    let mut depth_in: Option<usize> = None;
    let mut depth = 0usize;
    for line in pdml.lines() {
        let t = line.trim_start();
        if t.starts_with("<packet>") {
            frames.push(vec![]);
        } else if t.starts_with("<proto ") {
            depth += 1;
            if depth_in.is_none() && attr(t, "name").is_some_and(|n| layers.contains(&n)) {
                depth_in = Some(depth);
            }
        } else if t.starts_with("</proto>") {
            if depth_in == Some(depth) {
                depth_in = None;
            }
            depth = depth.saturating_sub(1);
        } else if t.starts_with("<field ") && depth_in.is_some() {
            let name = attr(t, "name").unwrap_or("");
            if name.is_empty()
                || name.starts_with("_ws.")
                || name.starts_with("xml.")
                || attr(t, "hide") == Some("yes")
            {
                continue;
            }
            let show = xml_unescape(attr(t, "show").unwrap_or(""));
            if let Some(f) = frames.last_mut() {
                f.push((name.to_string(), show));
            }
        }
    }
    frames
}

/// Our tree of the given layers in tree order, in the same form.
fn our_tree(p: &dissectors::Packet, layers: &[&str]) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut inside = false;
    for (id, n) in p.tree.iter() {
        let Some(f) = n.field else { continue };
        if p.tree.parent(id) == Some(dissectors::NodeId::ROOT) {
            inside = layers.contains(&f.abbrev);
            continue;
        }
        if !inside || f.abbrev.starts_with("_ws.") || n.flags.hidden {
            continue;
        }
        let v = match f.ftype {
            dissectors::FieldType::None => String::new(),
            _ => dissectors::engine::value::show(f, &n.value),
        };
        out.push((f.abbrev.to_string(), v));
    }
    out
}

/// Field order and values of whole layers agree with tshark's tree (PDML), not only field
/// by field: the MQTT layer on every MQTT capture, the TCP layer on the MQTT and XMPP ones.
#[test]
fn layer_trees_agree_with_tshark_in_order() {
    if !support::have_tshark() {
        return;
    }
    let mut checks: Vec<(PathBuf, &[&str])> = vec![];
    for f in captures("public/mqtt") {
        checks.push((f, &["mqtt"]));
    }
    for f in captures("public/mqtt")
        .into_iter()
        .chain(captures("public/xmpp"))
        .chain(support::shared("generated/real-peers-mqtt-coap-xmpp.pcap"))
    {
        checks.push((f, &["tcp"]));
    }
    let (mut items, mut bad) = (0usize, vec![]);
    for (path, layers) in &checks {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let theirs = pdml_tree(path, layers);
        let ours = support::dissect_capture(path, &[]);
        for (i, (p, t)) in ours.iter().zip(theirs.iter()).enumerate() {
            let o = our_tree(p, layers);
            // Items without a value (FT_NONE): PDML shows their label, compare names only.
            let t: Vec<(String, String)> = t
                .iter()
                .enumerate()
                .map(|(k, (n, v))| match o.get(k) {
                    Some((on, ov)) if on == n && ov.is_empty() => (n.clone(), String::new()),
                    _ => (n.clone(), v.clone()),
                })
                .collect();
            items += t.len();
            if o != t {
                let k = o.iter().zip(t.iter()).take_while(|(a, b)| a == b).count();
                bad.push(format!(
                    "{name} frame {} {}: first difference at item {k}: ours {:?} tshark {:?}",
                    i + 1,
                    layers[0],
                    o.get(k),
                    t.get(k)
                ));
            }
        }
    }
    // Known: tshark 4.0 reads MQTT 5's property length 0xff 0x21 as 65313 (RFC: 4351); TLS
    // on the 5269 dialback capture and the port-5223 retransmission are other dissectors'.
    bad.retain(|m| {
        !(m.starts_with("suricata_mqtt5-excessiveproplen.pcap frame 4 mqtt")
            || m.starts_with("zeek_xmpp-dialback-starttls.pcap")
            || m.starts_with("ndpi_jabber.pcap frame 354 tcp"))
    });
    println!(
        "trees: {} layers checked, {items} tshark tree items, {} frames differ",
        checks.len(),
        bad.len()
    );
    assert!(items > 10_000 || support::shared("").is_none());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
