//! Parser, type-checker and evaluation tests over hand-built packets.

use super::*;
use crate::testutil::dissect_one;
use std::sync::OnceLock;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::builtin)
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Ethernet 02:00:00:00:00:01 → ff:ff:ff:ff:ff:ff, IPv4 10.0.0.1 → 192.168.1.20 (DF, TTL 64),
/// UDP 5683 → 1234, payload "Hello World".
fn udp4() -> Packet {
    let f = hex("ffffffffffff 020000000001 0800
         4500 0027 1234 4000 4011 0000 0a000001 c0a80114
         1633 04d2 0013 0000 48656c6c6f20576f726c64");
    // Port 5683 is CoAP's; decode it as data so the payload stays plain bytes.
    let mut registry = crate::engine::registry::Registry::builtin();
    registry
        .decode_as("udp.port==5683,data")
        .expect("valid rule");
    let mut engine = crate::engine::Engine::new(std::sync::Arc::new(registry), Default::default());
    crate::testutil::dissect_with(&mut engine, 1, &f).packet
}

/// Ethernet, IPv6 fe80::1 → ff02::1, UDP 546 → 547, 4 bytes of payload.
fn udp6() -> Packet {
    let f = hex("333300000001 020000000002 86dd
         60000000 000c 11 40 fe800000000000000000000000000001 ff020000000000000000000000000001
         0222 0223 000c 0000 deadbeef");
    dissect_one(1, &f).packet
}

/// An ICMP port unreachable quoting a UDP datagram: ip.src and ip.dst occur twice, with
/// different values in the inner header.
fn icmp_err() -> Packet {
    let f = hex("000000000000 000000000000 0800
         45c0 0038 b850 0000 4001 0000 7f000001 7f000002
         0303 0000 00000000
         4500 001c 7b25 4000 4011 0000 0a000009 7f000003
         1633 90d5 0008 0000");
    dissect_one(1, &f).packet
}

fn compile(s: &str) -> Filter {
    Filter::compile(s, registry()).unwrap_or_else(|e| panic!("{}", e.render(s)))
}

fn m(s: &str, p: &Packet) -> bool {
    compile(s).matches(p)
}

/// Asserts that every filter of `yes` matches `p` and none of `no` does.
fn check(p: &Packet, yes: &[&str], no: &[&str]) {
    for f in yes {
        assert!(m(f, p), "{f}");
    }
    for f in no {
        assert!(!m(f, p), "{f}");
    }
}

fn error(s: &str) -> FilterError {
    match Filter::compile(s, registry()) {
        Ok(_) => panic!("'{s}' compiled"),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_err(s: &str, msg: &str, span: &str) {
    let e = error(s);
    assert_eq!(e.message, msg, "{}", e.render(s));
    assert_eq!(&s[e.start..e.end], span, "{}", e.render(s));
}

#[test]
fn presence_and_logic() {
    let p = udp4();
    assert!(m("udp", &p));
    assert!(m("ip && udp && eth", &p));
    assert!(!m("ipv6", &p));
    assert!(m("not ipv6", &p));
    assert!(m("!ipv6 and udp", &p));
    assert!(m("ipv6 or udp", &p));
    assert!(m("ipv6 || tcp || udp", &p));
    assert!(m("udp xor ipv6", &p));
    assert!(!m("udp ^^ ip", &p));
    assert!(m("udp ^^ ip ^^ eth", &p));
    assert!(m("(ipv6 or udp) and ip.flags.df", &p));
    assert!(!m("ipv6 and udp or tcp", &p));
    assert!(m("tcp or udp and ip", &p));
    assert!(m("", &p) && m("   ", &p));
}

#[test]
fn integer_comparisons_bases_and_value_names() {
    let p = udp4();
    check(
        &p,
        &[
            "udp.srcport == 5683",
            "udp.srcport eq 0x1633",
            "udp.srcport == 013063",
            "udp.srcport == 0b1011000110011",
            "udp.srcport != 5684",
            "udp.srcport ne 1",
            "udp.srcport > 5000 && udp.srcport < 6000",
            "udp.srcport >= 5683 and udp.srcport <= 5683",
            "udp.srcport gt 1 and udp.srcport ge 5683 and udp.srcport lt 9999 and udp.srcport le 5683",
            "udp.port == 1234",
            "udp.port == 5683",
            "ip.proto == 17",
            "ip.proto == UDP",
            "ip.proto == \"udp\"",
            "ip.ttl == 64",
            "ip.flags.df == True",
            "ip.flags.df == 1",
            "ip.flags.mf == False",
            "ip.flags.df == \"Set\"",
            "ip.flags.df",
            "ip.flags.mf",
            "udp.srcport > 'A'",
            "udp.srcport in {53, 5683}",
            "udp.srcport in {1..10 5600..5700}",
            "udp.srcport not in {53 80}",
            "ip.flags & 0x02",
            "ip.flags & 0x02 == 2",
            "udp.srcport & 1",
            "ip.proto > -1",
        ],
        &[
            "udp.srcport == 5684",
            "udp.srcport != 5683",
            "udp.port != 5683",
            "ip.proto == -1",
            "ip.flags & 0x04",
            "udp.srcport in {53, 80..90}",
            "udp.srcport not in {5683}",
            "ip.flags.df == False",
        ],
    );
}

#[test]
fn any_and_all_semantics_over_repeated_fields() {
    let p = icmp_err();
    assert!(m("count(ip.src) == 2", &p));
    assert!(m("ip.src == 10.0.0.9", &p));
    assert!(m("ip.src == 127.0.0.1", &p));
    assert!(!m("ip.src != 10.0.0.9", &p), "!= is all-not-equal");
    assert!(m("ip.src != 1.2.3.4", &p));
    assert!(m("ip.src !== 10.0.0.9", &p), "!== is any-not-equal");
    assert!(m("ip.src ~= 10.0.0.9", &p));
    assert!(m("ip.src any_ne 10.0.0.9", &p));
    assert!(!m("ip.src === 10.0.0.9", &p));
    assert!(m("ip.src === 0.0.0.0/0", &p));
    assert!(m("ip.src all_eq 0.0.0.0/0", &p));
    assert!(!m("ip.src !== 0.0.0.0/0", &p));
    assert!(m("ip.dst == ip.src or ip.dst > ip.src", &p));
    assert!(m("ip.src == ip.src", &p));
    // Absent field: == and != are both false, !(==) is true.
    let q = udp6();
    assert!(!m("ip.src == 1.2.3.4", &q));
    assert!(!m("ip.src != 1.2.3.4", &q));
    assert!(m("!(ip.src == 1.2.3.4)", &q));
    assert!(!m("ip.src === 1.2.3.4", &q));
    assert!(m("count(ip.src) == 0", &q));
}

#[test]
fn layer_operator_and_numeric_functions() {
    let p = icmp_err();
    check(
        &p,
        &[
            "ip.src#1 == 127.0.0.1",
            "ip.src#2 == 10.0.0.9",
            "ip.src#[2] == 10.0.0.9",
            "ip.src#[1-2] == 10.0.0.9",
            "ip.src#[2:1] == 10.0.0.9",
            "ip.src#[2:] == 10.0.0.9",
            "ip.src#[-1] == 10.0.0.9",
            "ip#2",
            "ip#2[12:4] == 0a:00:00:09",
            "ip.src#2[0] == 0a",
            "len(ip.src#2) == 4",
            "count(ip.src#1) == 1",
            "string(ip.dst#2) == \"127.0.0.3\"",
            "max(ip.ttl) == 64",
            "min(ip.len) == 28",
            "max(ip.len, udp.length) == 56",
            "min(udp.srcport, udp.dstport) == 5683",
            "abs(frame.encap_type) == 1",
            "max(frame.time_relative) == 0",
            "ip.src#1 != 10.0.0.9",
        ],
        &[
            "ip.src#2 == 127.0.0.1",
            "ip.src#3",
            "ip#0",
            "ip.src#[3-4] == 10.0.0.9",
            "icmp#2",
            "max(ip.len) < 50",
        ],
    );
}

#[test]
fn arithmetic() {
    let p = udp4(); // frame.len 53, ip.len 39, udp 5683 -> 1234
    check(&p, crate::testutil::UDP_5683_ARITHMETIC, &[]);
    check(
        &p,
        &[
            "{udp.srcport + 1} * 2 == 11368",
            "-udp.srcport == -5683",
            "- udp.srcport < 0",
            "count(ip.src) + 1 == 2",
            "len(udp) * 2 == 16",
            "udp.srcport + 1 & 0xff == 0x34",
            "udp.srcport + udp.dstport == 6917",
            "udp.srcport - udp.dstport > 4000",
            "udp.srcport & udp.srcport == 5683",
            "-frame.time_relative <= 0",
            "udp.srcport + 1",
            "udp.srcport == 5000 + 683",
            "udp.srcport == 2 * 2000 + 1683",
            "udp.srcport > -5",
            "udp.srcport > - 5",
            "10 - udp.srcport < 0",
            "2 * udp.srcport == 11366",
        ],
        &[
            "frame.number / 0 == 1",
            "frame.number % 0 == 0",
            "udp.srcport - 5683",
            // Results that do not fit are no value rather than an overflow.
            "count(udp) * 18446744073709551615 * 18446744073709551615 * 18446744073709551615 != 0",
            "-{count(udp) * -9223372036854775808 * 9223372036854775808 * 2} != 0",
            "abs(count(udp) * -9223372036854775808 * 9223372036854775808 * 2) != 0",
        ],
    );
}

#[test]
fn addresses_cidr_and_bytes() {
    let p = udp4();
    check(
        &p,
        &[
            "ip.src == 10.0.0.1",
            "ip.src == 10.0.0.0/8",
            "ip.addr == 192.168.0.0/16",
            "ip.dst in {192.168.1.0/24}",
            "ip.src > 9.255.255.255",
            "eth.src == 02:00:00:00:00:01",
            "eth.src == 02-00-00-00-00-01",
            "eth.src == 0200.0000.0001",
            "eth.src == 020000000001",
            "eth.dst == ff:ff:ff:ff:ff:ff",
            "eth.src[-2:] == 00:01",
            "eth.src[0] == 02",
            "eth.src[:2] == 02:00",
            "eth.src[1-3] == 00:00:00",
            "eth.src contains 00:01",
            "eth.src >= 00:00:00:00:00:00",
            "ip.src[0] == 0a",
            "ip.src[3] == 1",
            "frame[12:2] == 08:00",
            "frame[12:2] == 0800",
            "frame[12] == 0x08",
            "frame[0:6] == ff:ff:ff:ff:ff:ff",
            "frame[14] == 45",
            "frame[-5:] == \"World\"",
            "ip[0] == 45",
            "ip[-4:] == c0:a8:01:14",
            "ip[0:1,16-19] == 45:c0:a8:01:14",
            "udp[0:2] == 16:33",
            "udp contains \"Hello\"",
            "frame contains \"World\"",
            "frame contains 48:65",
            "udp.payload == \"Hello World\"",
            "udp.payload[0] == 'H'",
            "udp.payload[0] & 0x40",
            "frame[6:6] == eth.src",
            "ip[12:4] == ip.src",
            "ip.dst > ip[12:4]",
            "len(udp.payload) == 11",
            "len(eth.src) == 6",
            "len(ip.src) == 4",
            "len(udp) == 8",
            "len(udp.srcport) == 2",
            "len(ip.flags.df) == 0",
            "frame[0:2]",
        ],
        &[
            "ip.src == 10.0.0.2",
            "ip.src == 11.0.0.0/8",
            "eth.src == 02:00:00:00:00:02",
            "frame[100:2]",
            "frame[100:2] == 00:00",
            "frame[12] == 256",
            "udp contains \"hello\"",
            "ip[-100:] == 45",
        ],
    );
    let q = udp6();
    check(
        &q,
        &[
            "ipv6.src == fe80::1",
            "ipv6.src == fe80::/10",
            "ipv6.addr == ff02::1",
            "ipv6.dst == ff00::/8",
            "ipv6.src != ::1",
            "ipv6.src[0:2] == fe:80",
            "ipv6.src > ::1",
            "udp.payload == de:ad:be:ef",
            "udp.payload[1:2] == ad-be",
        ],
        &[],
    );
    assert!(!m("ipv6.src == fe80::2", &q));
    assert!(!m("ipv6.src == 2001:db8::/32", &q));
}

#[test]
fn strings_regex_and_functions() {
    let p = udp4();
    check(
        &p,
        &[
            "frame.protocols == \"eth:ethertype:ip:udp:data\"",
            "frame.protocols contains \"udp\"",
            "frame.protocols matches \"UDP\"",
            "frame.protocols ~ \"^eth:.*:data$\"",
            "frame.protocols matches r\"^eth:\\w+:ip\\b\"",
            "frame.protocols matches \"(?-i)udp\"",
            "frame.protocols > \"a\"",
            "upper(frame.protocols) contains \"UDP\"",
            "lower(frame.protocols) == \"eth:ethertype:ip:udp:data\"",
            "string(udp.srcport) == \"5683\"",
            "string(ip.src) matches \"^10\\\\.\"",
            "string(udp.srcport) in {\"5683\" \"53\"}",
            "len(frame.protocols) == 25",
            "count(udp) == 1",
            "count(ip.src) == 1",
            "udp matches \"hello\"",
            "frame.protocols[0:3] == \"eth\"",
            "frame.protocols[0:3] == 65:74:68",
            "frame.protocols == \"eth:ether\\x74ype:ip:udp:data\"",
            "frame.protocols == \"eth:ether\\164ype:ip:udp:data\"",
            "frame.protocols contains 'd'",
            "frame.protocols contains dat",
        ],
        &[
            "frame.protocols contains \"UDP\"",
            "frame.protocols matches \"(?-i)UDP\"",
            "frame.protocols == \"eth\"",
            "count(udp) == 2",
        ],
    );
}

#[test]
fn times() {
    let p = udp4(); // ts 0, first frame
    assert!(m("frame.time_relative == 0", &p));
    assert!(m("frame.time_relative < 1.5", &p));
    assert!(m("frame.time_relative >= -0.5", &p));
    assert!(m("frame.time_delta == 0.0", &p));
    assert!(m("frame.time == \"1970-01-01 00:00:00\"", &p));
    assert!(m(
        "frame.time == \"Jan  1, 1970 00:00:00.000000000 UTC\"",
        &p
    ));
    assert!(m("frame.time < \"1970-01-01T00:00:01Z\"", &p));
    assert!(m("frame.time >= \"1970-01-01\"", &p));
    assert!(m("frame.time_epoch < 1", &p));
    assert!(!m("frame.time > \"2000-02-29 12:00\"", &p));
    assert_eq!(
        compile::parse_abs_time("2000-02-29 00:00:00"),
        Some(951_782_400_000_000_000)
    );
    assert_eq!(
        compile::parse_abs_time("Jun  2, 2016 09:06:33.547275 UTC"),
        Some(1_464_858_393_547_275_000)
    );
    assert_eq!(compile::parse_abs_time("2016-13-01"), None);
    assert_eq!(compile::parse_seconds("1.5"), Some(1_500_000_000));
    assert_eq!(compile::parse_seconds("-.25"), Some(-250_000_000));
    assert_eq!(compile::parse_seconds("."), None);
}

#[test]
fn literal_parsers() {
    assert_eq!(compile::parse_int("0x1f"), Some(31));
    assert_eq!(compile::parse_int("017"), Some(15));
    assert_eq!(compile::parse_int("0b101"), Some(5));
    assert_eq!(compile::parse_int("-12"), Some(-12));
    assert_eq!(compile::parse_int("0"), Some(0));
    assert_eq!(compile::parse_int("09"), None);
    assert_eq!(compile::parse_int("0x"), None);
    assert_eq!(compile::parse_int("99999999999999999999999"), None);
    assert_eq!(
        compile::parse_bytes("aa:bb-cc.dd"),
        Some(vec![0xaa, 0xbb, 0xcc, 0xdd])
    );
    assert_eq!(compile::parse_bytes("aabb"), Some(vec![0xaa, 0xbb]));
    assert_eq!(compile::parse_bytes("a"), Some(vec![0xa]));
    assert_eq!(compile::parse_bytes("abc"), None);
    assert_eq!(compile::parse_bytes("aa::bb"), None);
    assert_eq!(compile::parse_bytes("xy"), None);
}

#[test]
fn fields_lists_what_the_filter_reads() {
    let f =
        compile("udp.srcport == 1 or ip.src == 1.2.3.4 and udp.srcport > 2 and len(eth.src) > 1");
    let names: Vec<_> = f.fields().iter().map(|f| f.abbrev).collect();
    assert_eq!(names, vec!["udp.srcport", "ip.src", "eth.src"]);
    assert!(compile("").fields().is_empty());
    let f = compile("ip.src#2 == 1.2.3.4");
    let names: Vec<_> = f.fields().iter().map(|f| f.abbrev).collect();
    assert_eq!(names, vec!["ip.src", "ip"]);
}

#[test]
fn filter_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Filter>();
}

#[test]
fn every_type_check_error() {
    assert_err(
        "ipv6.srcc == ::1",
        "unknown field 'ipv6.srcc'\ndid you mean 'ipv6.src'?",
        "ipv6.srcc",
    );
    assert_err("udpp", "unknown field 'udpp'\ndid you mean 'udp'?", "udpp");
    assert_err(
        "no.such.thing.at.all",
        "unknown field 'no.such.thing.at.all'",
        "no.such.thing.at.all",
    );
    assert_err(
        "len(ip.srx) == 4",
        "unknown field 'ip.srx'\ndid you mean 'ip.src'?",
        "ip.srx",
    );
    assert_err(
        "1 == frame.number",
        "left side of '==' must be a field or function, not '1'",
        "1",
    );
    assert_err(
        "\"a\" contains \"b\"",
        "left side of 'contains' must be a field or function, not \"a\"",
        "\"a\"",
    );
    assert_err(
        "\"abc\"",
        "\"abc\" is neither a field nor a protocol name",
        "\"abc\"",
    );
    assert_err("1", "'1' is neither a field nor a protocol name", "1");
    assert_err(
        "ip.proto == udp",
        "ip.proto and udp are not of compatible types (Unsigned integer (1 bytes) and Protocol)",
        "udp",
    );
    assert_err(
        "ip.proto == 256",
        "256 cannot be found among the possible values for ip.proto",
        "256",
    );
    assert_err(
        "ip.proto == \"foo\"",
        "\"foo\" cannot be found among the possible values for ip.proto",
        "\"foo\"",
    );
    assert_err(
        "udp.srcport == 70000",
        "70000 is too large for udp.srcport (Unsigned integer (2 bytes))",
        "70000",
    );
    assert_err(
        "frame.encap_type == -40000",
        "-40000 is too small for frame.encap_type (Signed integer (2 bytes))",
        "-40000",
    );
    assert_err("udp.srcport == abc", "abc is not a valid number", "abc");
    assert_err(
        "udp.srcport == 5683.0",
        "5683.0 is not a valid number",
        "5683.0",
    );
    assert_err("len(udp) == x", "x is not a valid number", "x");
    assert_err(
        "udp.srcport == \"5683\"",
        "Unsigned integer (2 bytes) cannot be converted from a string (\"5683\")",
        "\"5683\"",
    );
    assert_err(
        "len(udp) == \"8\"",
        "an integer cannot be converted from a string (\"8\")",
        "\"8\"",
    );
    assert_err(
        "ip.proto == \"17\"",
        "\"17\" cannot be found among the possible values for ip.proto",
        "\"17\"",
    );
    assert_err(
        "ip.flags.df == true",
        "true cannot be found among the possible values for ip.flags.df",
        "true",
    );
    assert_err(
        "frame.time_relative < \"1.5\"",
        "a time offset cannot be given as a string (\"1.5\")",
        "\"1.5\"",
    );
    assert_err(
        "frame.time_relative < 1.5.2",
        "1.5.2 is not a valid time offset in seconds",
        "1.5.2",
    );
    assert_err(
        "frame.time < \"yesterday\"",
        "\"yesterday\" is not a valid date and time (use \"2024-01-31 12:00:00\" or \"Jan 31, 2024 12:00:00\")",
        "\"yesterday\"",
    );
    assert_err(
        "frame[0:2] == 0x0800",
        "0x0800 is not a valid byte string",
        "0x0800",
    );
    assert_err(
        "eth.src == 00:11",
        "00:11 is not a valid Ethernet address",
        "00:11",
    );
    assert_err(
        "ip.src == 1.2.3",
        "1.2.3 is not a valid IPv4 address or network",
        "1.2.3",
    );
    assert_err(
        "ip.src == 1.2.3.4/33",
        "1.2.3.4/33 is not a valid IPv4 address or network",
        "1.2.3.4/33",
    );
    assert_err(
        "ip.src == \"1.2.3.4\"",
        "an IPv4 address cannot be given as a string (\"1.2.3.4\")",
        "\"1.2.3.4\"",
    );
    assert_err(
        "ipv6.src == fe80::/129",
        "fe80::/129 is not a valid IPv6 address or network",
        "fe80::/129",
    );
    assert_err(
        "ipv6.src == \"::1\"",
        "an IPv6 address cannot be given as a string (\"::1\")",
        "\"::1\"",
    );
    assert_err(
        "ip.src == 'a'",
        "a character constant cannot be compared with ip.src (IPv4 address)",
        "'a'",
    );
    assert_err(
        "udp.srcport[0] == 0x90",
        "\"udp.srcport\" is a Unsigned integer (2 bytes) and cannot be sliced into a sequence of bytes",
        "udp.srcport",
    );
    assert_err(
        "frame[10:0]",
        "range 10:0 isn't valid because length 0 isn't positive",
        "10:0",
    );
    assert_err(
        "frame[5-2] == 00",
        "range 5-2 isn't valid because 2 comes before 5",
        "5-2",
    );
    assert_err(
        "frame[x] == 00",
        "'x' is not a valid range (use i:j, i-j, i:, :j or i)",
        "x",
    );
    assert_err(
        "frame[1,:x] == 00",
        "':x' is not a valid range (use i:j, i-j, i:, :j or i)",
        ":x",
    );
    assert_err(
        "frame.number contains 1",
        "frame.number (type=Unsigned integer (4 bytes)) cannot participate in 'contains' comparison",
        "frame.number",
    );
    assert_err(
        "ip.src matches \"1\"",
        "ip.src (type=IPv4 address) cannot participate in 'matches' comparison",
        "ip.src",
    );
    assert_err(
        "frame.protocols matches \"(\"",
        "invalid regular expression: error: unclosed group",
        "\"(\"",
    );
    assert_err(
        "frame.protocols matches \"\\xff\"",
        "a regular expression must be valid UTF-8",
        "\"\\xff\"",
    );
    assert_err(
        "frame.protocols matches udp.srcport",
        "'matches' needs a regular expression in double quotes",
        "udp.srcport",
    );
    assert_err("foo(ip.src)", "function 'foo' does not exist", "foo");
    assert_err(
        "lenn(ip.src) == 4",
        "function 'lenn' does not exist\ndid you mean 'len'?",
        "lenn",
    );
    assert_err(
        "ip.proto == UPD",
        "UPD cannot be found among the possible values for ip.proto\ndid you mean 'UDP'?",
        "UPD",
    );
    assert_err(
        "ip.dst == ip.srcc",
        "ip.srcc is not a valid IPv4 address or network\ndid you mean the field 'ip.src'?",
        "ip.srcc",
    );
    assert_err(
        "len(ip.src, ip.dst) == 1",
        "function len() takes exactly 1 argument, not 2",
        "len",
    );
    assert_err(
        "len(1) == 1",
        "only fields can be used as parameter for len()",
        "1",
    );
    assert_err(
        "count(frame[0:2]) == 1",
        "only fields can be used as parameter for count()",
        "frame[0:2]",
    );
    assert_err(
        "string(udp) == \"x\"",
        "string() cannot convert udp (type=Protocol)",
        "udp",
    );
    assert_err(
        "lower(ip.src) == \"x\"",
        "only string fields can be used as parameter for lower(), and ip.src is a IPv4 address",
        "ip.src",
    );
    assert_err(
        "upper(string(ip.src)) == \"x\"",
        "only fields can be used as parameter for upper()",
        "string(ip.src)",
    );
    assert_err(
        "eth.src & 1",
        "eth.src (type=Ethernet or other MAC address) cannot be used with '&'",
        "eth.src",
    );
    assert_err(
        "ip.flags & -1",
        "the right side of '&' must be a non-negative integer",
        "-1",
    );
    assert_err("udp.srcport == len(x.y)", "unknown field 'x.y'", "x.y");
    assert_err(
        "ip.src + 1 == 1",
        "ip.src (type=IPv4 address) does not support '+'",
        "ip.src",
    );
    assert_err(
        "udp.srcport * ip.src == 1",
        "ip.src (type=IPv4 address) does not support '*'",
        "ip.src",
    );
    assert_err(
        "-eth.src == 1",
        "eth.src (type=Ethernet or other MAC address) does not support '-'",
        "eth.src",
    );
    assert_err(
        "udp.dstport * 2 > 70000",
        "70000 is too large for udp.dstport (Unsigned integer (2 bytes))",
        "70000",
    );
    assert_err(
        "{udp.srcport + 1 == 2",
        "'==' was unexpected in this context",
        "==",
    );
    assert_err(
        "ip.src#-1 == 1.2.3.4",
        "'#' must be followed by a layer number or a range in brackets",
        "#",
    );
    assert_err(
        "ip.src#[x] == 1.2.3.4",
        "'x' is not a valid range (use i:j, i-j, i:, :j or i)",
        "x",
    );
    assert_err("ip.src#[1", "'[' has no matching ']'", "[1");
    assert_err(
        "max() == 1",
        "function max() needs at least 1 argument",
        "max",
    );
    assert_err(
        "max(ip.src) == 1",
        "max() takes numbers or times, and ip.src is a IPv4 address",
        "ip.src",
    );
    assert_err(
        "min(ip.len, frame.time_relative) == 1",
        "the arguments of min() must all have the same type",
        "frame.time_relative",
    );
    assert_err(
        "abs(eth.src) == 1",
        "abs() takes a number, and eth.src is a Ethernet or other MAC address",
        "eth.src",
    );
    assert_err(
        "ip.src == 1.2.3.4#2",
        "'1.2.3.4' is not a field, so it takes no '[...]' or '#'",
        "1.2.3.4",
    );
    assert_err(
        "udp.srcport == 1 / 0",
        "1 / 0 has no value (overflow or division by zero)",
        "1 / 0",
    );
    assert_err("udp.srcport == 1 + x", "x is not a valid number", "x");
    assert_err(
        "ip.src in {1.2.3.4 udp.port}",
        "udp.port is not a valid IPv4 address or network",
        "udp.port",
    );
    assert_err(
        "udp.srcport in {len(udp)}",
        "expected a value to compare with udp.srcport",
        "len(udp)",
    );
    assert_err("eth.src == ip.src", "eth.src and ip.src are not of compatible types (Ethernet or other MAC address and IPv4 address)", "ip.src");
    assert_err(
        "frame.time_relative == 1.0x",
        "1.0x is not a valid time offset in seconds",
        "1.0x",
    );
    assert_err("frame.time_relative == frame.time", "frame.time_relative and frame.time are not of compatible types (Time offset and Date and time)", "frame.time");
}

#[test]
fn errors_render_with_a_caret() {
    let s = "ipv6.srcc == ::1";
    assert_eq!(
        error(s).render(s),
        "filter: unknown field 'ipv6.srcc'\n  ipv6.srcc == ::1\n  ^~~~~~~~~\n  did you mean 'ipv6.src'?"
    );
    let s = "udp and";
    assert_eq!(
        error(s).render(s),
        "filter: unexpected end of filter\n  udp and\n         ^"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "udp",
        "ip.src",
        "ipv6.src",
        "eth.src",
        "frame",
        "frame.number",
        "frame.protocols",
        "frame.time",
        "frame.time_relative",
        "ip.flags.df",
        "ip.proto",
        "udp.payload",
        "tcp.flags",
        "==",
        "!=",
        "===",
        "!==",
        "~=",
        "<",
        ">=",
        "eq",
        "contains",
        "matches",
        "~",
        "in",
        "not",
        "and",
        "or",
        "xor",
        "&&",
        "||",
        "^^",
        "!",
        "&",
        "(",
        ")",
        "{",
        "}",
        ",",
        "..",
        "[0:2]",
        "[-1]",
        "[1-3]",
        "[:]",
        "[x]",
        "[0:0]",
        "len(",
        "count(",
        "lower(",
        "upper(",
        "string(",
        "1",
        "-1",
        "0x10",
        "1.5",
        "10.0.0.0/8",
        "fe80::/10",
        "aa:bb",
        "\"a\"",
        "\"(\"",
        "'a'",
        "True",
        "UDP",
        "\"\\x",
        "[",
        "]",
        "\"",
        "'",
        "1..5",
        "99999999999999999999999999",
        "\"2024-01-01\"",
        "00:00:00:00:00:00",
        "+",
        "-",
        "*",
        "/",
        "%",
        "#2",
        "#[1-2]",
        "#",
        "max(",
        "min(",
        "abs(",
        "- 1",
        "ip.ttl",
        "udp.srcport",
        "{",
        "}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_text_never_panics(s in "\\PC{0,40}") {
            let p = udp4();
            if let Ok(f) = Filter::compile(&s, registry()) {
                let _ = f.matches(&p);
            } else if let Err(e) = Filter::compile(&s, registry()) {
                let _ = e.render(&s);
                prop_assert!(e.start <= e.end && e.end <= s.len());
            }
        }

        #[test]
        fn random_token_sequences_never_panic(
            toks in proptest::collection::vec(proptest::sample::select(TOKENS), 0..14)
        ) {
            let s = toks.join(" ");
            let p = icmp_err();
            match Filter::compile(&s, registry()) {
                Ok(f) => { let _ = f.matches(&p); }
                Err(e) => {
                    let _ = e.render(&s);
                    prop_assert!(e.start <= e.end && e.end <= s.len(), "{:?} for {}", e, s);
                }
            }
        }
    }
}
