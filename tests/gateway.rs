//! The gateway uplink dissectors (ARP, DNS/mDNS, DHCP, DHCPv6, NTP) against tshark on the
//! captures that carry them: the project's `captures/gateway-uplink.pcap` (real dnsmasq,
//! dhclient, chrony, python-zeroconf and arping traffic, see captures/README.md) and the public
//! captures in ../shared. Field values are compared by tests/tshark_diff.rs; here: every field
//! tshark emits for these protocols is emitted by lowshark too (with the listed exceptions),
//! display filters select the same frames, and the summary columns agree.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// The field prefixes this test covers.
const PREFIXES: &[&str] = &["arp.", "dns.", "dhcp.", "dhcpv6.", "ntp."];

/// Fields tshark emits on these captures that lowshark does not, with the reason.
const NOT_EMITTED: &[(&str, &str)] = &[];

/// Captures with these protocols: the project's own and the public ones (when present).
fn captures() -> Vec<PathBuf> {
    let mut v = vec![
        support::project("gateway-uplink.pcap"),
        support::project("ip-basics.pcap"),
    ];
    for rel in [
        "public/encapsulations/zeek_linuxsll-arp.pcap",
        "public/encapsulations/tcpdump_null_dns-badcookie.pcap",
        "public/zep/ttproto_openwsn_echo_req_and_reply_and_other_packets_with_openmote_sniffer.pcap",
        "public/ipv6-tcp-udp/tcpdump_dns_tcp.pcap",
        "public/ipv6-tcp-udp/tcpdump_dns_udp.pcap",
        "public/pcapng/zeek_pcapng-multi-interface.pcapng",
        "public/pcapng/pcapparser_test016-le.pcapng",
        "public/pcapng/libpcap_rarp_req_reply.pcapng",
    ] {
        if let Some(p) = support::shared(rel) {
            v.push(p);
        }
    }
    v
}

/// A field name that starts with one of [`PREFIXES`] (not a raw or subtree entry).
fn is_gateway_field(k: &str) -> bool {
    PREFIXES.iter().any(|p| k.starts_with(p)) && !k.ends_with("_raw") && !k.ends_with("_tree")
}

fn lowshark(args: &[&str]) -> Vec<u8> {
    Command::new(support::BIN)
        .args(args)
        .output()
        .expect("run lowshark")
        .stdout
}

fn tshark(args: &[&str]) -> Vec<u8> {
    support::tshark(args).into_bytes()
}

#[test]
fn every_field_tshark_emits_is_emitted() {
    if !support::have_tshark() {
        return;
    }
    let mut theirs_all = BTreeSet::new();
    let mut missing = BTreeSet::new();
    for cap in captures() {
        let (theirs, ours) =
            support::emitted_fields(&cap, &["--no-duplicate-keys"], is_gateway_field);
        for f in theirs.difference(&ours) {
            if !NOT_EMITTED.iter().any(|(n, _)| n == f) {
                missing.insert(format!(
                    "{f} ({})",
                    cap.file_name().unwrap().to_string_lossy()
                ));
            }
        }
        theirs_all.extend(theirs);
    }
    eprintln!(
        "{} distinct arp/dns/dhcp/dhcpv6/ntp fields emitted by tshark",
        theirs_all.len()
    );
    assert!(
        theirs_all.len() > 100,
        "too few fields seen: {}",
        theirs_all.len()
    );
    assert!(
        missing.is_empty(),
        "fields tshark emits and lowshark does not:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// Frame numbers a display filter selects.
fn selected(tool: fn(&[&str]) -> Vec<u8>, cap: &str, filter: &str) -> String {
    let args = support::selection_args(cap, filter, &["frame.number"]);
    String::from_utf8_lossy(&tool(&args)).into_owned()
}

#[test]
fn display_filters_select_the_same_frames() {
    if !support::have_tshark() {
        return;
    }
    let cap = support::project("gateway-uplink.pcap");
    let cap = cap.to_str().unwrap();
    let filters = [
        "arp",
        "arp.opcode == 2",
        "arp.isgratuitous",
        "arp.src.proto_ipv4 == 192.0.2.101",
        "dns",
        "mdns",
        "dns.qry.type == 28",
        "dns.flags.rcode == 3",
        "dns.a == 192.0.2.20",
        "dns.qry.name contains \"home\"",
        "dns.resp.cache_flush",
        "dns.qry.qu == 1",
        "dns.srv.port == 1883",
        "dns.opt.cookie.client",
        "dns.response_to",
        "dns.time > 0.0001",
        "tcp && dns",
        "dhcp",
        "dhcp.option.dhcp == 5",
        "dhcp.option.dhcp == 6",
        "dhcp.hw.mac_addr == 00:00:5e:00:53:01",
        "dhcp.option.request_list_item == 42",
        "dhcp.option.hostname == \"lowpan-br-01\"",
        "dhcpv6 && !icmpv6",
        "dhcpv6.msgtype == 7",
        "dhcpv6.iaaddr.ip",
        "dhcpv6.duid.type == 3",
        "ntp",
        "ntp.flags.mode == 4",
        "ntp.stratum == 8",
    ];
    let mut compared = 0;
    for f in filters {
        let (t, o) = (selected(tshark, cap, f), selected(lowshark, cap, f));
        assert_eq!(o, t, "filter {f}");
        compared += t.lines().count();
    }
    assert!(compared > 200, "filters selected too little: {compared}");
}

#[test]
fn summary_columns_agree() {
    if !support::have_tshark() {
        return;
    }
    let filter =
        "(arp || dns || mdns || dhcp || dhcpv6 || ntp) && !icmp && !icmpv6 && !_ws.malformed";
    let mut lines = 0;
    for cap in captures() {
        let c = cap.to_str().unwrap();
        let columns = ["frame.number", "_ws.col.Protocol", "_ws.col.Info"];
        let args = support::selection_args(c, filter, &columns);
        let (t, o) = (tshark(&args), lowshark(&args));
        assert_eq!(
            String::from_utf8_lossy(&o),
            String::from_utf8_lossy(&t),
            "{c}"
        );
        lines += t.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
    }
    assert!(
        lines > 150 || support::shared("").is_none(),
        "too few summaries compared: {lines}"
    );
}

/// The layers of these protocols in `-T ek` documents (tshark's free-text `text` entries left
/// out: they belong to the output format, not to the dissectors).
fn ek_layers(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|d| d.get("layers").cloned())
        .map(|layers| {
            let mut keep = serde_json::Map::new();
            for name in ["arp", "dns", "mdns", "dhcp", "dhcpv6", "ntp"] {
                if let Some(Value::Object(m)) = layers.get(name) {
                    let mut m = m.clone();
                    m.remove("text");
                    keep.insert(name.to_string(), Value::Object(m));
                }
            }
            Value::Object(keep)
        })
        .collect()
}

/// ek keys where tshark 4.0's output is not what its dissection says, with the reason.
const EK_TSHARK_QUIRKS: &[(&str, &str)] = &[(
    "dhcpv6_dhcpv6_option_type_str",
    "tshark 4.0's ek output keeps only the last of several values of a string field whose items \
     have subtrees (-T json lists them all, and lowshark's ek does too)",
)];

#[test]
fn ek_output_agrees() {
    if !support::have_tshark() {
        return;
    }
    let cap = support::project("gateway-uplink.pcap");
    let args = [
        "-r",
        cap.to_str().unwrap(),
        "-Y",
        "(arp || dns || mdns || dhcp || dhcpv6 || ntp) && !icmpv6",
        "-T",
        "ek",
    ];
    let (theirs, ours) = (ek_layers(&tshark(&args)), ek_layers(&lowshark(&args)));
    assert!(theirs.len() > 80, "too few ek documents: {}", theirs.len());
    assert_eq!(ours.len(), theirs.len());
    let mut values = 0;
    for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
        for (layer, tl) in t.as_object().unwrap() {
            let ol = &o[layer];
            for (k, tv) in tl.as_object().unwrap() {
                // Valueless items (FT_NONE, e.g. dns.svcb.svcparam) are null in tshark's ek and
                // left out by lowshark's ek writer: a matter of the output format.
                let valueless =
                    tv.is_null() || tv.as_array().is_some_and(|a| a.iter().all(Value::is_null));
                // Expert items are compared by tshark_diff.rs (their own fields).
                let expert = k.starts_with("_ws");
                if valueless || expert || EK_TSHARK_QUIRKS.iter().any(|(q, _)| q == k) {
                    continue;
                }
                assert_eq!(&ol[k], tv, "ek document {i}: {k}");
                values += 1;
            }
        }
    }
    assert!(values > 1000, "too few ek values compared: {values}");
}
