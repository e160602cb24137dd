//! TCP analysis and reassembly, MQTT and XMPP compared with tshark on real captures.

mod common;

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

fn captures(dir: &str) -> Vec<PathBuf> {
    let Some(d) = common::shared(dir) else {
        return vec![];
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    v.sort();
    v
}

fn report(files: &[PathBuf], fields: &[&str]) -> (usize, usize, Vec<String>) {
    let (mut frames, mut values, mut bad) = (0, 0, vec![]);
    for f in files {
        let (n, v, b) = common::compare_fields(f, fields, &[]);
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
    if !common::have_tshark() {
        return;
    }
    let which = std::env::var("WHICH").unwrap_or_else(|_| "mqtt".into());
    let mut files = vec![];
    for d in which.split(',') {
        if d.ends_with(".pcap") || d.ends_with(".pcapng") {
            files.extend(common::shared(d));
        } else {
            files.extend(captures(d));
        }
    }
    let fields: Vec<&str> = match std::env::var("FIELDS").as_deref() {
        Ok("mqtt") => MQTT_FIELDS.to_vec(),
        _ => TCP_FIELDS.to_vec(),
    };
    let (frames, values, bad) = report(&files, &fields);
    for b in bad.iter().take(300) {
        println!("{b}");
    }
    println!("frames {frames} values {values} mismatches {}", bad.len());
}
