//! Field coverage of the TLS, DTLS, HTTP, XML and media layers: every `tls.*`, `dtls.*`,
//! `http.*`, `xml.*`, `json.*` and `cbor.*` field tshark 4.0 emits on the captures that carry
//! them must be emitted by lowshark on the same captures, but for the exceptions listed with
//! their reason. (The differential test `tshark_diff` checks the values of the fields both emit;
//! this one checks that none is left out.)
//!
//! Skips with a printed reason when tshark or the shared captures are absent.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The captures: the public ones with TLS, HTTP, XMPP and CoAP payloads, the generated real
/// peers, and the project's own.
const SHARED: &[&str] = &[
    "public/xmpp/zeek_xmpp-starttls.pcap",
    "public/xmpp/zeek_xmpp-dialback-starttls.pcap",
    "public/xmpp/ndpi_jabber.pcap",
    "public/ipv6-tcp-udp/ndpi_http_ipv6.pcap",
    "public/ipv6-tcp-udp/tcpdump_ipv4_tcp_http_xml.pcap",
    "public/mqtt/suricata_mqtt-events-missing-connect.pcap",
    "public/pcapng/pcapparser_err-buffertoosmall.pcapng",
    "public/encapsulations/zeek_sll2_openjdk-tls.pcap",
    "public/encapsulations/suricata_null_http-ipv6.pcap",
    "public/encapsulations/suricata_decode-sll2-01.pcap",
    "public/coap/ttproto_coap_core_coap_only_inconclusive_verdicts.pcap",
    "public/coap/ttproto_onem2m_pro_TD_M2M_NH_08_pass.pcap",
    "public/coap/ttproto_coap_OBS_09_Followed_By_OBS_07_No_Overlap_Plus_Ignored_Frames.pcap",
    "generated/real-peers-mqtt-coap-xmpp.pcap",
];
const PROJECT: &[&str] = &["tls-http-peers.pcap", "demo.pcapng"];

/// Fields tshark emits that lowshark leaves out, with the reason.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "tls.quic.parameter.",
        "QUIC transport parameters: lowshark has no QUIC dissector (the TLS inside QUIC's \
         CRYPTO frames is not reached)",
    ),
    (
        "tls.compress_certificate.",
        "only seen inside QUIC here (see above); lowshark decodes the extension in TLS",
    ),
];

fn excepted(field: &str) -> bool {
    EXCEPTIONS.iter().any(|(p, _)| field.starts_with(p))
}

/// A field of the layers this test covers.
fn is_covered_field(k: &str) -> bool {
    let prefix = k.split('.').next().unwrap_or("");
    !k.ends_with("_raw")
        && matches!(prefix, "tls" | "dtls" | "http" | "xml" | "json" | "cbor")
        && k.contains('.')
}

#[test]
fn every_field_tshark_emits_is_emitted() {
    if !support::have_tshark() {
        return;
    }
    let mut caps: Vec<(PathBuf, bool)> = SHARED
        .iter()
        .filter_map(|c| support::shared(c))
        .map(|p| (p, false))
        .collect();
    caps.extend(PROJECT.iter().map(|c| (support::project(c), true)));
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    let mut checked = 0usize;
    for (cap, ours) in &caps {
        let path = cap.display().to_string();
        let prefs: &[&str] = if *ours {
            &["-o", "6lowpan.context0:fd00::/64"]
        } else {
            &[]
        };
        let (theirs, lowshark) = support::emitted_fields(cap, prefs, is_covered_field);
        for f in &theirs {
            checked += 1;
            if !lowshark.contains(f) && !excepted(f) {
                missing.entry(f.clone()).or_insert_with(|| path.clone());
            }
        }
    }
    eprintln!(
        "checked {checked} fields tshark emits in {} captures; {} missing",
        caps.len(),
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "fields tshark emits and lowshark does not: {missing:#?}"
    );
    if support::shared("public").is_some() {
        assert!(checked > 300, "too little checked: {checked}");
    }
}
