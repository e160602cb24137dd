//! XML examples from W3C XML 1.0 and RFC 6120 stanzas, checked against tshark 4.0's tree.

use crate::testutil::{dissect_one, TestPacket};

/// A CoAP 2.05 response over UDP carrying `body` as application/xml (Content-Format 41).
fn coap_xml(body: &[u8]) -> TestPacket {
    let mut m = vec![0x60, 0x45, 0x00, 0x01, 0xc1, 41, 0xff];
    m.extend_from_slice(body);
    dissect_one(228, &crate::proto::coap::tests::udp_back(5683, 40000, &m))
}

#[test]
fn declaration_elements_attributes_and_text() {
    let p = coap_xml(b"<?xml version=\"1.0\" encoding='UTF-8'?>\n<a x='1'><b>hi</b><c/></a>");
    assert_eq!(p.packet.protocol_path(), "ip:udp:coap:xml");
    assert_eq!(p.packet.columns.protocol, "CoAP/XML");
    assert_eq!(
        p.show("xml.xmlpi.xml"),
        ["<?xml version=\"1.0\" encoding='UTF-8'?>"]
    );
    assert_eq!(p.show("xml.xmlpi.xml.version"), ["1.0"]);
    assert_eq!(p.show("xml.xmlpi.xml.encoding"), ["UTF-8"]);
    assert_eq!(p.show("xml.tag"), ["<a x='1'>", "<b>", "<c/>"]);
    assert_eq!(p.show("xml.attribute"), ["x='1'"]);
    assert_eq!(p.show("xml.cdata"), ["hi"]);
    assert!(!p.has("xml.closing_unopened_tag"));
}

#[test]
fn fragments_close_what_they_did_not_open() {
    // The end of a stanza whose start was in an earlier PDU (RFC 6120 streams are cut anywhere).
    let p = coap_xml(b"text</query></iq>");
    assert_eq!(p.show("xml.unknown"), ["text"]);
    assert_eq!(p.show("xml.closing_unopened_tag").len(), 2);
    assert_eq!(p.show("_ws.malformed").len(), 2);
}

#[test]
fn presence_stanzas_use_the_presence_dtd() {
    let p = coap_xml(b"<presence from='a@b/c'><status>Away</status><show>xa</show></presence>");
    assert!(p.has("presence"));
    assert_eq!(p.show("presence.status"), ["<status>", "Away"]);
    assert_eq!(p.show("xml.attribute"), ["from='a@b/c'"]);
    assert_eq!(p.show("xml.tag"), ["<show>"]);
    assert_eq!(p.show("xml.cdata"), ["xa"]);
}

#[test]
fn comments_doctype_and_garbage() {
    let p = coap_xml(b"<!DOCTYPE note SYSTEM \"n.dtd\"><!-- c --><![CDATA[x<y]]><a b>");
    assert_eq!(p.show("xml.doctype"), ["note"]);
    assert_eq!(p.show("xml.comment"), ["<!-- c -->"]);
    assert_eq!(p.show("xml.cdatasection"), ["<![CDATA[x<y]]>"]);
    assert!(p.has("xml.unrecognized_text"));
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let _ = coap_xml(&data);
        let _: Vec<_> = super::lexer::Lexer::new(&data).collect();
    }
}
