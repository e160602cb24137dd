//! Media layers from the specifications' own examples: RFC 8259 §13 (JSON), RFC 8949
//! Appendix A (CBOR), each as the payload of a CoAP 2.05 response.

use crate::testutil::{dissect_one, TestPacket};

/// A CoAP 2.05 response with Content-Format `cf` and `payload`.
fn coap(cf: u8, payload: &[u8]) -> TestPacket {
    let mut m = vec![0x60, 0x45, 0x00, 0x01, 0xc1, cf, 0xff];
    m.extend_from_slice(payload);
    dissect_one(228, &crate::proto::coap::tests::udp_back(5683, 40000, &m))
}

#[test]
fn rfc8259_example_object() {
    let doc =
        br#"{"Image": {"Width": 800, "Title": "View", "Animated" : false, "IDs": [116, 943]}}"#;
    let p = coap(50, doc);
    assert_eq!(
        p.show("json.member"),
        ["Image", "Width", "Title", "Animated", "IDs"]
    );
    assert_eq!(
        p.show("json.path"),
        [
            "/Image/Width",
            "/Image/Title",
            "/Image/Animated",
            "/Image/IDs",
            "/Image"
        ]
    );
    assert_eq!(p.show("json.value.number"), ["800", "116", "943"]);
    assert_eq!(p.show("json.member_with_value")[3], "[]:116");
    assert!(p.has("json.value.false"));
}

#[test]
fn json_strings_are_unescaped_as_tshark_shows_them() {
    assert_eq!(
        super::json::unescape(br#"a\"b\u00e9\ud83d\ude00\u0001"#),
        "a\"bé😀"
    );
    assert_eq!(super::json::unescape(br#"\udc00x"#), "\u{fffd}x");
    assert!(super::json::is_json(b" [1, {\"a\": null}] "));
    assert!(!super::json::is_json(b"42"));
}

#[test]
fn rfc8949_appendix_a_items() {
    let cases: &[(&[u8], &str, &[&str])] = &[
        (&[0x18, 0x64], "cbor.type.uint", &["100"]),
        (&[0x39, 0x03, 0xe7], "cbor.type.nint", &["-1000"]),
        // A small negative keeps its argument as the filter value (tshark's `9` for -10).
        (&[0x29], "cbor.type.nint", &["9"]),
        (&[0xf9, 0x3e, 0x00], "cbor.type.float16", &["1.5"]),
        (
            &[0xfa, 0x47, 0xc3, 0x50, 0x00],
            "cbor.type.float32",
            &["100000"],
        ),
        (
            &[0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
            "cbor.type.float64",
            &["1.1"],
        ),
        (&[0xf9, 0x7c, 0x00], "cbor.type.float16", &["0"]),
        (
            &[0x64, 0x49, 0x45, 0x54, 0x46],
            "cbor.type.textstring",
            &["IETF"],
        ),
        (
            &[0x44, 1, 2, 3, 4],
            "cbor.type.bytestring",
            &["01:02:03:04"],
        ),
        (
            &[0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0],
            "cbor.type.tag",
            &["1"],
        ),
        (
            &[0x83, 0x01, 0x82, 0x02, 0x03, 0x82, 0x04, 0x05],
            "cbor.item.items",
            &["3", "2", "2"],
        ),
        (
            &[0xa2, 0x01, 0x02, 0x03, 0x04],
            "cbor.type.uint",
            &["1", "2", "3", "4"],
        ),
        (
            &[
                0x7f, 0x65, b's', b't', b'r', b'e', b'a', 0x64, b'm', b'i', b'n', b'g', 0xff,
            ],
            "cbor.type.textstring",
            &["strea", "ming"],
        ),
        (&[0xf7], "cbor.type.simple_data", &["23"]),
    ];
    for (bytes, field, want) in cases {
        let p = coap(60, bytes);
        assert_eq!(p.packet.protocol_path(), "ip:udp:coap:cbor", "{bytes:02x?}");
        assert_eq!(&p.show(field), want, "{field} of {bytes:02x?}");
    }
    // The 8-byte negative that does not fit an i64: tshark's expert and malformed mark.
    let p = coap(60, &[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert!(p.has("cbor.too_long_length"));
    assert_eq!(p.show("cbor.type.nint"), ["0"]);
}

#[test]
fn text_lines() {
    let p = coap(0, b"line 1\nline 2\n");
    assert_eq!(p.packet.protocol_path(), "ip:udp:coap:data-text-lines");
    let text: Vec<_> = p
        .packet
        .tree
        .iter()
        .filter(|(_, n)| n.field.is_none())
        .filter_map(|(_, n)| p.packet.tree.text_of(n).map(str::to_string))
        .collect();
    assert!(text.contains(&"line 1\\n".to_string()), "{text:?}");
}

proptest::proptest! {
    #[test]
    fn arbitrary_payloads_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        for cf in [0u8, 50, 60] {
            let _ = coap(cf, &data);
        }
        let _ = super::json::parse(&data);
        let _ = super::json::unescape(&data);
    }
}
