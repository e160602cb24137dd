//! TLS from RFC 8448's example handshake trace (§3, "Simple 1-RTT Handshake") and TLS 1.2
//! records built from RFC 5246's structures, over a test TCP connection on port 443.

use crate::proto::tcp::reassembly::testconn::Conn;

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// A record of content type `ct` around `body`.
fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// RFC 8448 §3: the ClientHello (196 octets).
const CLIENT_HELLO: &str = "01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff
    a2 1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00
    0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19
    01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd
    43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00 03 02 03
    04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02
    05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01";

/// RFC 8448 §3: the ServerHello (90 octets).
const SERVER_HELLO: &str = "02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93
    0c 8a c5 cb 14 34 da c1 55 77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82
    88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00
    2b 00 02 03 04";

#[test]
fn rfc8448_client_hello() {
    let mut c = Conn::new(443);
    let p = c.c2s(&record(22, 0x0301, &hex(CLIENT_HELLO)));
    assert_eq!(p.packet.protocol_path(), "ip:tcp:tls");
    assert_eq!(p.info(), "Client Hello");
    assert_eq!(p.show("tls.record.version"), ["0x0301"]);
    assert_eq!(p.show("tls.handshake.type"), ["1"]);
    assert_eq!(p.show("tls.handshake.length"), ["192"]);
    assert_eq!(p.show("tls.handshake.version"), ["0x0303"]);
    assert_eq!(
        p.show("tls.handshake.ciphersuite"),
        ["0x1301", "0x1303", "0x1302"]
    );
    assert_eq!(p.show("tls.handshake.extensions_server_name"), ["server"]);
    assert_eq!(
        p.show("tls.handshake.extensions_supported_group"),
        [
            "0x001d", "0x0017", "0x0018", "0x0019", "0x0100", "0x0101", "0x0102", "0x0103",
            "0x0104"
        ]
    );
    assert_eq!(p.show("tls.handshake.extensions_key_share_group"), ["29"]);
    assert_eq!(
        p.show("tls.handshake.extensions.supported_version"),
        ["0x0304"]
    );
    assert_eq!(p.show("tls.handshake.sig_hash_alg").len(), 15);
    assert_eq!(p.show("tls.extension.psk_ke_mode"), ["1"]);
    assert_eq!(p.show("tls.record_size_limit"), ["16385"]);
    // An empty session_ticket shows its (empty) data, as tshark does.
    assert_eq!(p.show("tls.handshake.extension.data"), [""]);
    assert_eq!(
        p.show("tls.handshake.ja3_full"),
        ["771,4865-4867-4866,0-65281-10-35-51-43-13-45-28,29-23-24-25-256-257-258-259-260,"]
    );
    assert_eq!(p.show("tls.handshake.ja3")[0].len(), 32);
    // The first ClientHello of a connection shows its random's time.
    assert!(p.has("tls.handshake.random_time"));
}

#[test]
fn rfc8448_server_hello_switches_to_tls13() {
    let mut c = Conn::new(443);
    c.c2s(&record(22, 0x0301, &hex(CLIENT_HELLO)));
    let mut seg = record(22, 0x0303, &hex(SERVER_HELLO));
    seg.extend_from_slice(&record(20, 0x0303, &[1]));
    seg.extend_from_slice(&record(23, 0x0303, &[0xaa; 20]));
    let p = c.s2c(&seg);
    assert_eq!(p.packet.protocol_path(), "ip:tcp:tls");
    assert_eq!(
        p.info(),
        "Server Hello, Change Cipher Spec, Application Data"
    );
    assert_eq!(p.show("tls.handshake.ciphersuite"), ["0x1301"]);
    assert_eq!(
        p.show("tls.handshake.extensions.supported_version"),
        ["0x0304"]
    );
    assert_eq!(p.show("tls.handshake.ja3s_full"), ["771,4865,51-43"]);
    // TLS 1.3: no time in the random, application data has an opaque type.
    assert!(!p.has("tls.handshake.random_time"));
    assert_eq!(p.show("tls.record.opaque_type"), ["23"]);
    assert_eq!(p.show("tls.record.content_type"), ["22", "20"]);
    assert_eq!(
        p.show("tls.app_data_proto"),
        ["Hypertext Transfer Protocol"]
    );
}

#[test]
fn records_across_segments_and_alerts() {
    let mut c = Conn::new(443);
    let rec = record(22, 0x0301, &hex(CLIENT_HELLO));
    // A segment that only starts a record shows an empty tls layer, as tshark.
    let p = c.c2s(&rec[..100]);
    assert_eq!(p.packet.protocol_path(), "ip:tcp:tls");
    assert!(!p.has("tls.record"));
    let p = c.c2s(&rec[100..]);
    assert_eq!(p.show("tls.handshake.extensions_server_name"), ["server"]);
    assert!(p.has("tcp.segments"));
    // A plaintext alert (RFC 8446 §6): fatal handshake_failure.
    let p = c.s2c(&record(21, 0x0303, &[2, 40]));
    assert_eq!(
        p.info(),
        "Alert (Level: Fatal, Description: Handshake Failure)"
    );
    assert_eq!(p.show("tls.alert_message.desc"), ["40"]);
}

#[test]
fn tls12_key_exchange_and_encrypted_finished() {
    let mut c = Conn::new(443);
    c.c2s(&record(22, 0x0301, &hex(CLIENT_HELLO)));
    // ServerHello choosing TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f), no extensions.
    let mut sh = vec![2, 0, 0, 38, 3, 3];
    sh.extend_from_slice(&[0x11; 32]);
    sh.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
    // ServerKeyExchange (RFC 8422 §5.4): named curve x25519, a 32-byte point, rsa_pkcs1_sha256.
    let mut ske = vec![12, 0, 0, 42, 3, 0, 0x1d, 32];
    ske.extend_from_slice(&[0x22; 32]);
    ske.extend_from_slice(&[4, 1, 0, 2, 0xab, 0xcd]);
    let mut msgs = sh.clone();
    msgs.extend_from_slice(&ske);
    msgs.extend_from_slice(&[14, 0, 0, 0]);
    let p = c.s2c(&record(22, 0x0303, &msgs));
    assert_eq!(
        p.info(),
        "Server Hello, Server Key Exchange, Server Hello Done"
    );
    assert_eq!(p.show("tls.handshake.server_named_curve"), ["0x001d"]);
    assert_eq!(p.show("tls.handshake.sig_hash_alg"), ["0x0401"]);
    assert_eq!(p.show("tls.handshake.sig"), ["ab:cd"]);
    let mut cke = vec![16, 0, 0, 33, 32];
    cke.extend_from_slice(&[0x33; 32]);
    let mut seg = record(22, 0x0303, &cke);
    seg.extend_from_slice(&record(20, 0x0303, &[1]));
    seg.extend_from_slice(&record(22, 0x0303, &[0x5a; 40]));
    let p = c.c2s(&seg);
    assert_eq!(
        p.info(),
        "Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message"
    );
    assert_eq!(p.show("tls.handshake.client_point_len"), ["32"]);
    // TLS 1.2 application data keeps its content type.
    let p = c.c2s(&record(23, 0x0303, &[1, 2, 3]));
    assert_eq!(p.show("tls.record.content_type"), ["23"]);
    assert_eq!(p.show("tls.app_data"), ["01:02:03"]);
}

#[test]
fn tls_on_an_unregistered_port_is_found_by_its_heuristic() {
    let mut c = Conn::new(64001);
    let rec = record(22, 0x0301, &hex(CLIENT_HELLO));
    let p = c.c2s(&rec[..50]);
    assert_eq!(p.packet.protocol_path(), "ip:tcp:tls");
    let p = c.c2s(&rec[50..]);
    assert_eq!(p.show("tls.handshake.type"), ["1"]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_records_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
        let mut c = Conn::new(443);
        for ct in [20u8, 21, 22, 23] {
            let _ = c.c2s(&record(ct, 0x0303, &data));
        }
        let _ = c.s2c(&data);
    }
}
