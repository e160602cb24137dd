//! Display filters against tshark 4.0: every filter below is run through lowshark's engine
//! (`support::dissect_capture` + `Filter::matches`) and through `tshark -r F -Y FILTER -T fields
//! -e frame.number`, and both must select the same frames. The filters use fields lowshark's
//! engine emits today (frame, eth, vlan, sll, null, ip, ipv6, udp, tcp, icmp, icmpv6), over the
//! shared Ethernet/null/raw/SLL captures.

mod support;

use dissectors::filter::Filter;
use dissectors::Registry;
use std::path::PathBuf;

/// (capture under shared/captures/public, filters)
const CASES: &[(&str, &[&str])] = &[
    (
        "coap/ttproto_coap_Single_conversation_empty_token.pcap",
        &[
            "udp",
            "icmp",
            "ip && !icmp",
            "frame.number == 1 and frame.number == 2 or frame.number == 3",
            "frame.number == 3 or frame.number == 2 and frame.number == 1",
            "not frame.number == 1 and frame.number < 4",
            "frame.number == 1 || frame.number == 3 && !ip",
            "frame.number eq 1 or frame.number ge 23",
            "frame.number ne 1 and frame.number lt 3",
            "frame.number le 2",
            "frame.number gt 22",
            "frame.number in {1, 3..5, 7}",
            "frame.number not in {1, 3..5}",
            "!(frame.number in {1, 3..5})",
            "frame.number in {5..1}",
            "ip.src == 127.0.0.1",
            "ip.src != 127.0.0.1",
            "ip.src !== 127.0.0.1",
            "ip.src === 127.0.0.1",
            "ip.src all_eq 127.0.0.1",
            "ip.src any_ne 127.0.0.1",
            "ip.src ~= 127.0.0.1",
            "ip.src == 127.0.0.0/8",
            "ip.src == 10.0.0.0/8",
            "ip.src > 127.0.0.0",
            "ip.src == ip.dst",
            "udp.srcport < udp.dstport",
            "udp.srcport == udp.dstport",
            "count(ip.src) == 2",
            "count(ip) == 2",
            "count(udp.srcport) >= 1",
            "ip.proto == 17",
            "ip.proto == UDP",
            "ip.proto == \"udp\"",
            "ip.proto == 0x11",
            "ip.proto == 021",
            "ip.proto == 0b10001",
            "ip.proto == -1",
            "ip.proto in {\"UDP\", 6}",
            "ip.proto == ICMP",
            "ip.flags.df == True",
            "ip.flags.df == 1",
            "ip.flags.df == \"Set\"",
            "ip.flags.df",
            "ip.flags & 0x02",
            "ip.flags & 0x04",
            "ip.flags & 0x02 == 2",
            "udp.srcport & 1",
            "ip.dsfield.dscp == 0",
            "ip.dsfield == 0xc0",
            "frame.time_relative > 1.5",
            "frame.time_relative > 1",
            "frame.time_relative in {0..0.5}",
            "frame.time > \"2018-05-31 14:03:58\"",
            "frame.time > \"May 31, 2018 14:03:58\"",
            "frame.time > \"May 31, 2018 14:03:58 UTC\"",
            "frame.time > \"2018-05-31T14:03:58\"",
            "frame.time_epoch > 1527775438.5",
            "len(eth.src) == 6",
            "len(udp) == 8",
            "len(ip) == 20",
            "len(ip.src) == 4",
            "len(ip.proto) == 1",
            "len(udp.srcport) == 2",
            "len(ip.flags.df) == 0",
            "len(frame.number) == 4",
            "len(frame.time_relative) == 0",
            "len(udp.payload) > 10",
            "frame[0:2] == 00:00",
            "frame[12:2] == 08:00",
            "frame[12:2] == 0800",
            "frame[12:2] == 08.00",
            "frame[12:2] == 08-00",
            "frame[12] == 08",
            "frame[12] == 0x08",
            "frame[12] == 8",
            "frame[12:2] == 2048",
            "frame[12] == 256",
            "eth.type == 0x0800",
            "eth[12:2] == 08:00",
            "ip[0] == 45",
            "ip[0:1] == 45",
            "ip[-4:] == 7f:00:00:01",
            "ip[-4:4] == 7f:00:00:01",
            "ip[16-19] == 7f:00:00:01",
            "ip[:1] == 45",
            "ip[16:] == 7f:00:00:01",
            "ip[0:1,16-19] == 45:7f:00:00:01",
            "ip.src[0] == 7f",
            "ip.src[1:] == 00:00:01",
            "udp[8:2]",
            "udp[7:]",
            "udp[-1:] == 24",
            "udp == 90:d5:16:33:00:11:fe:24",
            "udp contains 40:01:ae",
            "ip contains 16:33",
            "udp > 00",
            "frame[40:]",
            "frame[50:]",
            "frame[51:]",
            "frame[-51:1]",
            "frame[-52:1]",
            "len(frame) == 51",
            "frame[10:41]",
            "frame[10:42]",
            "frame[0:1000]",
            "eth.src == 00:00:00:00:00:00",
            "eth.src == 00-00-00-00-00-00",
            "eth.src == 0000.0000.0000",
            "eth.src == 000000000000",
            "eth.src contains 00:00",
            "eth.src >= 00:00:00:00:00:00",
            "eth.src > 00:00:00:00:00:00",
            "frame contains 00:00",
            "frame contains \"obs\"",
            "frame matches \"OBS\"",
            "udp matches \"obs\"",
            "udp contains \"GET\"",
            "frame.protocols contains \"udp\"",
            "frame.protocols matches \"ETH\"",
            "frame.protocols contains \"ETH\"",
            "upper(frame.protocols) contains \"UDP\"",
            "frame.protocols[0:3] == \"eth\"",
            "frame.protocols[0:3] == 65:74:68",
            "string(ip.proto) == \"17\"",
            "string(udp.srcport) matches \"^56\"",
            "string(ip.src) == \"127.0.0.1\"",
            "udp.payload[0] == 0x40",
            "udp.payload[0] & 0xc0",
            "udp.payload[0] == 'A'",
            "udp.srcport > 'A'",
            "udp.length in {20..30}",
            "frame.len > 100",
            "ip.src eq 127.0.0.1 and udp.srcport == 5683 and frame.number < 4",
            "icmp.type == 3 and icmp.code == 3",
            "icmp and ip.src != 10.0.0.1",
            "eth.type == 0x0806 or ip.src != 1.2.3.4",
            "eth and not ip",
            "ip.src#2 == 127.0.0.1",
            "ip#2",
            "udp.srcport#1 == 5683",
            "max(udp.srcport, udp.dstport) == 5683",
            "min(udp.srcport) < 40000",
            "max(frame.time_relative) > 3",
            "frame.number % 2 == 0 and frame.number < 6",
            "-udp.srcport == -5683",
            "count(ip.src) + 1 == 3",
            "len(udp) * 2 == 16",
            "ip.len & 0xff == 37",
            "udp.srcport + 1 & 0xff == 0x34",
            "frame.number / 0 == 1",
            "{udp.srcport + 1} == 5684",
            "frame.protocols matches r\"^eth:\\w+\"",
            "tcp.port not in {80}",
            "!tcp.port in {80}",
            "ip.src != ip.dst",
            "ip.src !== ip.dst",
            "frame.protocols == \"ETH:ETHERTYPE:IP:UDP:DATA\"",
            "frame.len == 51 || frame.len == 0x33",
            "frame.number <= 3 && !(udp.srcport == 5683)",
            "(frame.number)",
            "udp.payload matches \"obs\"",
            "ip.ttl in {64..64}",
            "udp.srcport + udp.dstport == 42760",
        ],
    ),
    // The arithmetic the filter unit tests check on a packet of their own.
    (
        "coap/ttproto_coap_Single_conversation_empty_token.pcap",
        dissectors::testutil::UDP_5683_ARITHMETIC,
    ),
    (
        "ipv6-tcp-udp/tcpdump_icmpv6-rfc7112.pcap",
        &[
            "ipv6.nxt == 58",
            "ipv6.nxt != 58",
            "ipv6.nxt !== 58",
            "ipv6.nxt === 58",
            "ipv6.nxt > 50",
            "ipv6.nxt < 50",
            "ipv6.src == 2001:630:42:110:2a0:98ff:fe15:ece7",
            "ipv6.src == 2001:630:42:110::/64",
            "ipv6.src === 2001:630:42:110::/64",
            "ipv6.addr == 2001:630:42:110:ae1f:6bff:fe46:9eda",
            "ipv6.src != ::1",
            "count(ipv6.src) == 2",
            "ipv6.src[0:2] == 20:01",
            "icmpv6",
            "icmpv6.type == 1",
            "ipv6.nxt#1 == 58",
            "ipv6.nxt#2 == 58",
            "ipv6.nxt#2 == 44",
            "ipv6.nxt#[2] == 44",
            "ipv6.nxt#[1-2] == 44",
            "ipv6.nxt#[2:1] == 44",
            "ipv6.nxt#3 == 44",
            "ipv6.nxt#0 == 58",
            "ipv6#2",
            "ipv6.src#2[0:2] == 20:01",
            "len(ipv6.src#2) == 16",
            "count(ipv6.nxt#2) == 1",
            "max(ipv6.nxt) == 58",
            "min(ipv6.nxt) == 44",
            "abs(ipv6.nxt) == 44",
        ],
    ),
    (
        "coap/ndpi_coap_mqtt.pcap",
        &[
            "ipv6",
            "ipv6 && udp.port == 5683",
            "ipv6.src == fe80::/10",
            "ipv6.dst == ff00::/8",
            "ipv6.addr == ::1",
            "ipv6.hlim == 64",
            "ipv6.hlim < 64",
            "tcp",
            "tcp.flags.syn == 1",
            "tcp.flags.syn == 1 and tcp.flags.ack == 0",
            "tcp.flags & 0x12 == 0x12",
            "tcp.flags.reset",
            "tcp.flags.reset == True",
            "tcp.flags.fin == 1 || tcp.flags.reset == 1",
            "tcp.port == 1883",
            "tcp.srcport == 1883 or tcp.dstport == 1883",
            "tcp.window_size_value > 1000",
            "tcp.hdr_len > 20",
            "tcp.options.mss_val == 1460",
            "tcp.options.wscale.shift >= 7",
            "tcp.options.sack_perm",
            "tcp.options.timestamp.tsval > 0",
            "tcp.seq_raw > 0x80000000",
            "tcp.ack_raw == 0",
            "tcp.urgent_pointer != 0",
            "tcp.checksum == 0",
            "tcp.payload contains \"MQTT\"",
            "tcp.payload[0] == 0x10",
            "tcp.payload[0] & 0xf0 == 0x30",
            "len(tcp.payload) > 100",
            "tcp contains \"MQTT\"",
            "tcp matches \"mqtt\"",
            "frame contains 4d:51:54:54",
            "udp.dstport == 17500",
            "udp.length > 200",
            "udp.port in {5683, 17500}",
            "udp.checksum == 0",
            "ip.dst == 255.255.255.255",
            "ip.dst == 192.168.0.0/16",
            "ip.src == 192.168.1.0/24 and not ip.dst == 192.168.1.0/24",
            "ip.addr == 127.0.0.1",
            "ip.ttl == 64",
            "ip.ttl in {1..63}",
            "ip.id == 0",
            "ip.len > 500",
            "ip.hdr_len != 20",
            "ip.version == 4",
            "eth.dst == ff:ff:ff:ff:ff:ff",
            "eth.dst[0] & 1",
            "eth.src[0:3] == eth.dst[0:3]",
            "eth.type == 0x86dd",
            "eth.type == 0x0806",
            "eth.addr == ff:ff:ff:ff:ff:ff",
            "frame.len >= 1000",
            "frame.len == frame.cap_len",
            "frame.cap_len < 60",
            "frame.time_delta > 1",
            "frame.time_relative >= 100 and frame.time_relative < 200",
            "frame[-4:] == 00:00:00:00",
            "frame.number >= 1000",
            "udp && !(udp.port == 17500)",
            "tcp.srcport > tcp.dstport",
            "tcp.len > 0 && tcp.port == 1883",
            "tcp.stream == 3",
        ],
    ),
    (
        "ipv6-tcp-udp/ndpi_http_ipv6.pcap",
        &[
            "ipv6.src == 2a00:1450::/32",
            "ipv6.flow != 0",
            "ipv6.tclass == 0",
            "ipv6.plen > 1000",
            "ipv6.nxt == 6",
            "ipv6.nxt == UDP",
            "udp.port == 443",
            "tcp.port == 443 && tcp.flags.push == 1",
            "tcp.flags == 0x0018",
            "tcp.flags == 0x002",
            "tcp.options.sack_le > 0",
            "tcp.window_size > 60000",
            "udp.payload[0] & 0x80",
            "len(udp.payload) >= 1350",
            "tcp.len == 0",
            "tcp.nxtseq > 10000",
            "tcp.seq == 1 and tcp.ack == 1",
            "ipv6.addr == 2a00:1450:4007:80a::200e",
            "ipv6.src[0:2] == 2a:00",
            "string(ipv6.dst) matches \"^2a00:1450\"",
        ],
    ),
    (
        "encapsulations/ndpi_null_nats.pcap",
        &[
            "null",
            "null.family == 2",
            "null.family == 0x2",
            "tcp.port == 4222",
            "tcp.flags.push",
            "tcp.flags.push == 1",
            "tcp.payload contains \"PING\"",
            "tcp.payload matches \"^(PING|PONG)\"",
            "frame[0:4] == 02:00:00:00",
            "ip.src == 127.0.0.1",
            "tcp.time_delta > 0.5",
        ],
    ),
    (
        "encapsulations/ndpi_rawip_bjnp.pcap",
        &[
            "ip.version == 4",
            "ip.dst == 255.255.255.255",
            "udp.dstport == 8612",
            "udp.payload[0:4] == \"BJNP\"",
            "ip.checksum.status == 2",
            "frame[0] == 45",
            "ip[12:4] == ip.src",
        ],
    ),
    (
        "encapsulations/tcpdump_sll_babel.pcap",
        &[
            "sll",
            "sll.pkttype == 4",
            "sll.pkttype == 0",
            "sll.hatype == 1",
            "sll.halen == 6",
            "sll.etype == 0x86dd",
            "sll.src.eth[0] == 00",
            "ipv6.dst == ff02::1:6",
            "udp.port == 6696",
            "ipv6.nxt == 17",
            "ipv6.nxt == 0",
            "ipv6.hlim == 1",
        ],
    ),
    (
        "mqtt/ndpi_mqtt.pcap",
        &[
            "vlan",
            "vlan.id == 10",
            "vlan.id > 0",
            "vlan.priority == 0",
            "vlan.etype == 0x0800",
            "eth.type == 0x8100",
            "tcp.port == 1883 and tcp.len > 0",
        ],
    ),
    (
        "pcapng/zeek_pcapng-multi-interface.pcapng",
        &[
            "udp.port == 53",
            "udp.srcport == 53",
            "ip.ttl > 100",
            "frame.len < 100",
        ],
    ),
    (
        "pcapng/ttproto_test_mergecap_multi-linktype.pcap",
        &[
            "null",
            "eth",
            "frame.encap_type == 1",
            "frame.encap_type == 15",
            "udp.dstport == 5683",
            "ip.src == ip.dst",
            "frame.number > 160 && frame.number < 170",
        ],
    ),
    (
        "encapsulations/suricata_null_http-ipv6.pcap",
        &[
            "null.family == 30",
            "null.family in {24, 28, 30}",
            "tcp.port == 80",
            "tcp.payload contains \"HTTP/1.1\"",
            "tcp.payload matches \"^get \"",
            "ipv6.src == ::1",
        ],
    ),
    (
        "ipv6-tcp-udp/tcpdump_mptcp-v1.pcap",
        &[
            "sll.pkttype == 0",
            "tcp.option_kind == 30",
            "tcp.option_kind in {2, 30}",
            "tcp.options.mss_val > 1000",
            "tcp.flags.syn and tcp.option_len == 12",
            "ip.dst == 10.0.0.0/8",
        ],
    ),
    (
        "ipv6-tcp-udp/tcpdump_ipv6_invalid_length.pcap",
        &["_ws.malformed"],
    ),
    (
        "ipv6-tcp-udp/tcpdump_ipv6-bad-version.pcap",
        &[
            "_ws.malformed",
            "_ws.expert",
            "_ws.expert.severity >= 0x00600000",
        ],
    ),
    (
        "encapsulations/tcpdump_LINKTYPE_IPV6_invalid.pcap",
        &["_ws.malformed"],
    ),
    (
        "coap/ndpi_coap_mqtt.pcap",
        &[
            "ip.checksum.status == 0",
            "ip.checksum.status == \"Bad\"",
            "udp.checksum.status == 2",
            "tcp.checksum.status == 2",
            "frame.protocols == \"eth:ethertype:ip:tcp\"",
            "eth.src.oui == 0x000c29",
            "eth.ig == 1",
            "eth.dst.lg",
            "ip.dsfield.ecn != 0",
            "ip.flags.rb",
            "ip.frag_offset > 0",
            "ip.host == \"192.168.1.1\"",
            "ip.src_host matches \"^192\"",
            "ipv6.src_host contains \"fe80\"",
            "tcp.time_relative > 1",
            "udp.stream == 2",
            "udp.time_delta > 0.5",
            "ipv6.slaac_mac",
            "eth.addr.oui == 0x000c29",
            "ip.checksum_calculated == ip.checksum",
            "icmp.type == 3",
        ],
    ),
    (
        "ipv6-tcp-udp/tcpdump_icmpv6.pcap",
        &[
            "icmpv6.type == 128 or icmpv6.type == 129",
            "icmpv6.echo.identifier > 0",
        ],
    ),
    (
        "ipv6-tcp-udp/tcpdump_icmpv6-ra-pref64.pcap",
        &["icmpv6.type == 134"],
    ),
    (
        "ipv6-tcp-udp/tcpdump_dns_tcp.pcap",
        &[
            "tcp.len > 0",
            "tcp.nxtseq == tcp.seq + tcp.len",
            "tcp.seq + tcp.len == tcp.nxtseq",
            "tcp.window_size == tcp.window_size_value * 128",
            "tcp.options.timestamp.tsecr == 0",
        ],
    ),
    (
        "ipv6-tcp-udp/tcpdump_tcp_eight_lowest_weight_flags_set.pcap",
        &[
            "tcp.flags.str contains \"C\"",
            "tcp.flags == 0x0ff",
            "tcp.flags.ae",
            "tcp.flags.cwr == 1 and tcp.flags.ece == 1 and tcp.flags.urg",
        ],
    ),
    (
        "ipv6-tcp-udp/tcpdump_ipv6-routing-header.pcap",
        &["ipv6.nxt == 43"],
    ),
    (
        "encapsulations/zeek_linuxsll-arp.pcap",
        &[
            "sll.ltype",
            "sll.etype == 0x0806",
            "sll.src.eth == 00:00:00:00:00:00",
        ],
    ),
    (
        "encapsulations/suricata_decode-sll2-01.pcap",
        &["sll.ifindex > 0"],
    ),
    (
        "encapsulations/zeek_linux_dlt_sll2.pcap",
        &["sll.ifindex == 1"],
    ),
    ("pcapng/pcapparser_test010-le.pcapng", &["frame.comment"]),
    ("pcapng/pcapparser_test001-le.pcapng", &["frame.len > 0"]),
];

fn tshark_frames(path: &std::path::Path, filter: &str) -> Result<Vec<u64>, String> {
    let out = std::process::Command::new("tshark")
        .env("TZ", "UTC")
        .args(support::selection_args(
            path.to_str().unwrap(),
            filter,
            &["frame.number"],
        ))
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect())
}

#[test]
fn filters_select_the_same_frames_as_tshark() {
    if !support::have_tshark() {
        return;
    }
    let registry = Registry::builtin();
    let mut jobs: Vec<(PathBuf, &str)> = vec![];
    let mut packets = std::collections::HashMap::new();
    for (rel, filters) in CASES {
        let Some(path) = support::shared(&format!("public/{rel}")) else {
            continue;
        };
        packets
            .entry(path.clone())
            .or_insert_with(|| support::dissect_capture(&path, &[]));
        for f in *filters {
            jobs.push((path.clone(), f));
        }
    }
    // tshark is the slow part: run two at a time.
    let (a, b) = jobs.split_at(jobs.len() / 2);
    let theirs: Vec<Result<Vec<u64>, String>> = std::thread::scope(|s| {
        let h = s.spawn(|| {
            a.iter()
                .map(|(p, f)| tshark_frames(p, f))
                .collect::<Vec<_>>()
        });
        let mut v: Vec<_> = b.iter().map(|(p, f)| tshark_frames(p, f)).collect();
        let mut first = h.join().unwrap();
        first.append(&mut v);
        first
    });
    let mut agree = 0;
    let mut bad = vec![];
    for ((path, text), theirs) in jobs.iter().zip(theirs) {
        let name = path.file_name().unwrap().to_string_lossy();
        let theirs = match theirs {
            Ok(t) => t,
            Err(e) => {
                bad.push(format!("{name}: tshark rejected '{text}': {}", e.trim()));
                continue;
            }
        };
        let filter = match Filter::compile(text, &registry) {
            Ok(f) => f,
            Err(e) => {
                bad.push(format!("{name}: {}", e.render(text)));
                continue;
            }
        };
        let ours: Vec<u64> = packets[path]
            .iter()
            .filter(|p| filter.matches(p))
            .map(|p| p.meta.number)
            .collect();
        if ours == theirs {
            agree += 1;
        } else {
            let show = |v: &[u64]| {
                let s: Vec<String> = v.iter().take(12).map(|n| n.to_string()).collect();
                format!(
                    "{} frames [{}{}]",
                    v.len(),
                    s.join(" "),
                    if v.len() > 12 { " …" } else { "" }
                )
            };
            bad.push(format!(
                "{name}: '{text}': ours {} tshark {}",
                show(&ours),
                show(&theirs)
            ));
        }
    }
    eprintln!(
        "{agree} of {} filters select the same frames as tshark",
        jobs.len()
    );
    assert!(
        jobs.len() >= 150 || jobs.is_empty(),
        "only {} filters",
        jobs.len()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
