//! Checks that the shared test helpers read captures and agree with tshark on basic IP fields.

mod support;

#[test]
fn ip_fields_agree_with_tshark_on_a_real_capture() {
    let Some(path) = support::shared("public/ipv6-tcp-udp/tcpdump_ipv4_tcp_http_xml.pcap") else {
        return;
    };
    if !support::have_tshark() {
        return;
    }
    for field in [
        "ip.src",
        "ip.dst",
        "ip.id",
        "ip.flags",
        "tcp.srcport",
        "tcp.seq",
        "tcp.ack",
        "tcp.flags",
        "tcp.len",
    ] {
        let (n, bad) = support::compare_field(&path, field, &[]);
        assert!(n > 0);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
