//! Checks that the shared test helpers read captures and agree with tshark on basic IP fields.

mod common;

#[test]
fn ip_fields_agree_with_tshark_on_a_real_capture() {
    let Some(path) = common::shared("public/ipv6-tcp-udp/tcpdump_ipv4_tcp_http_xml.pcap") else {
        return;
    };
    if !common::have_tshark() {
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
        let (n, bad) = common::compare_field(&path, field, &[]);
        assert!(n > 0);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
