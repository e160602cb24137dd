//! A certificate built from RFC 5280 §4.1's structure (an EC P-256 key, a subject with a
//! country and a common name, basicConstraints, keyUsage and subjectAltName extensions),
//! checked field by field with the layers tshark notes.

use crate::engine::tvb::Tvb;

/// DER TLV with a short or 1-byte long length.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    if body.len() < 128 {
        v.push(body.len() as u8);
    } else {
        v.extend_from_slice(&[0x81, body.len() as u8]);
    }
    v.extend_from_slice(body);
    v
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn name(cn: &str) -> Vec<u8> {
    let c = tlv(
        0x31,
        &tlv(
            0x30,
            &cat(&[tlv(0x06, &[0x55, 0x04, 0x06]), tlv(0x13, b"DE")]),
        ),
    );
    let n = tlv(
        0x31,
        &tlv(
            0x30,
            &cat(&[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x0c, cn.as_bytes())]),
        ),
    );
    tlv(0x30, &cat(&[c, n]))
}

fn ext(oid_last: u8, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![tlv(0x06, &[0x55, 0x1d, oid_last])];
    if critical {
        parts.push(tlv(0x01, &[0xff]));
    }
    parts.push(tlv(0x04, &value));
    tlv(0x30, &cat(&parts))
}

fn certificate() -> Vec<u8> {
    let ecdsa = tlv(
        0x30,
        &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]),
    );
    let spki = tlv(
        0x30,
        &cat(&[
            tlv(
                0x30,
                &cat(&[
                    tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
                    tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
                ]),
            ),
            tlv(0x03, &[0x00, 0x04, 0x01, 0x02]),
        ]),
    );
    let validity = tlv(
        0x30,
        &cat(&[tlv(0x17, b"260115100000Z"), tlv(0x18, b"20500101000000Z")]),
    );
    let san = tlv(
        0x30,
        &cat(&[tlv(0x82, b"gw.example"), tlv(0x87, &[127, 0, 0, 1])]),
    );
    let exts = tlv(
        0xa3,
        &tlv(
            0x30,
            &cat(&[
                ext(19, true, tlv(0x30, &[])),
                ext(15, true, tlv(0x03, &[0x07, 0x80])),
                ext(17, false, san),
            ]),
        ),
    );
    let tbs = tlv(
        0x30,
        &cat(&[
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[0x0d, 0xf4]),
            ecdsa.clone(),
            name("lowshark test CA"),
            validity,
            name("gw.example"),
            spki,
            exts,
        ]),
    );
    tlv(0x30, &cat(&[tbs, ecdsa, tlv(0x03, &[0x00, 0xde, 0xad])]))
}

/// The certificate in a TLS 1.2 Certificate message (RFC 5246 §7.4.2), in its own record.
fn certificate_record(der: &[u8]) -> Vec<u8> {
    let n = der.len();
    let mut body = vec![
        0,
        ((n + 3) >> 8) as u8,
        (n + 3) as u8,
        0,
        (n >> 8) as u8,
        n as u8,
    ];
    body.extend_from_slice(der);
    let mut msg = vec![11, 0, (body.len() >> 8) as u8, body.len() as u8];
    msg.extend_from_slice(&body);
    let mut rec = vec![22, 3, 3, (msg.len() >> 8) as u8, msg.len() as u8];
    rec.extend_from_slice(&msg);
    rec
}

#[test]
fn rfc5280_structure_fields_and_layers() {
    let mut c = crate::proto::tcp::reassembly::testconn::Conn::new(443);
    let p = c.s2c(&certificate_record(&certificate()));
    assert_eq!(
        p.packet.protocol_path(),
        "ip:tcp:tls:x509sat:x509sat:x509sat:x509sat:pkcs-1:x509ce:x509ce:x509ce"
    );
    assert_eq!(p.show("x509af.version"), ["2"]);
    assert_eq!(p.show("x509af.serialNumber"), ["0d:f4"]);
    assert_eq!(
        p.show("x509af.algorithm.id"),
        [
            "1.2.840.10045.4.3.2",
            "1.2.840.10045.2.1",
            "1.2.840.10045.4.3.2"
        ]
    );
    assert_eq!(p.show("x509sat.CountryName"), ["DE", "DE"]);
    assert_eq!(
        p.show("x509sat.uTF8String"),
        ["lowshark test CA", "gw.example"]
    );
    assert_eq!(p.show("x509sat.DirectoryString"), ["4", "4"]);
    assert_eq!(p.show("x509af.utcTime"), ["2026-01-15 10:00:00 (UTC)"]);
    assert_eq!(p.show("x509af.generalizedTime").len(), 1);
    assert_eq!(p.show("pkcs1.namedCurve"), ["1.2.840.10045.3.1.7"]);
    assert_eq!(p.show("x509af.critical"), ["1", "1"]);
    assert_eq!(p.show("x509ce.KeyUsage.digitalSignature"), ["1"]);
    assert_eq!(p.show("x509ce.dNSName"), ["gw.example"]);
    assert_eq!(p.show("x509ce.IPAddress.ipv4"), ["127.0.0.1"]);
    assert_eq!(p.show("x509af.encrypted"), ["de:ad"]);
}

/// The (start, end) of every item of a field, in frame offsets.
fn ranges(p: &crate::testutil::TestPacket, abbrev: &str) -> Vec<(u32, u32)> {
    p.packet
        .tree
        .by_abbrev(abbrev)
        .map(|n| (n.range.start, n.range.end()))
        .collect()
}

/// Items placed as tshark's BER places them: a SEQUENCE OF or SET OF over its contents (so
/// from its first element to its last), a CHOICE over the contents of a context-tagged
/// alternative and over the whole element of an untagged one, a SEQUENCE over the whole.
#[test]
fn items_cover_what_tsharks_ber_covers() {
    let mut c = crate::proto::tcp::reassembly::testconn::Conn::new(443);
    let p = c.s2c(&certificate_record(&certificate()));
    let rdn_items = ranges(&p, "x509if.RDNSequence_item");
    let atvs = ranges(&p, "x509if.RelativeDistinguishedName_item_element");
    // Each RDN is a SET of one AttributeTypeAndValue: the SET's item is the SEQUENCE's range.
    assert_eq!(rdn_items, atvs);
    assert_eq!(rdn_items.len(), 4);
    // issuer (a CHOICE, untagged rdnSequence) covers the Name; rdnSequence its contents.
    let (issuer, seq) = (
        ranges(&p, "x509af.issuer"),
        ranges(&p, "x509if.rdnSequence"),
    );
    assert_eq!(seq, [(issuer[0].0 + 2, issuer[0].1)]);
    assert_eq!(seq[0], (rdn_items[0].0 - 2, rdn_items[1].1));
    let subject = ranges(&p, "x509af.rdnSequence");
    assert_eq!(subject, [(rdn_items[2].0 - 2, rdn_items[3].1)]);
    // extensions ([3] EXPLICIT SEQUENCE OF): from the first Extension to the last.
    let exts = ranges(&p, "x509af.Extension_element");
    assert_eq!(ranges(&p, "x509af.extensions"), [(exts[0].0, exts[2].1)]);
    // GeneralNames over its contents; each GeneralName ([2] and [7] IMPLICIT) over its value.
    let names = ranges(&p, "x509ce.GeneralName");
    assert_eq!(names[0], ranges(&p, "x509ce.dNSName")[0]);
    assert_eq!(names[1], ranges(&p, "x509ce.IPAddress.ipv4")[0]);
    assert_eq!(
        ranges(&p, "x509ce.GeneralNames"),
        [(names[0].0 - 2, names[1].1)]
    );
    // tshark shows the address only, not the OCTET STRING around it.
    assert!(!p.has("x509ce.iPAddress"));
    // notBefore (a CHOICE, untagged UTCTime) covers the whole element.
    let not_before = ranges(&p, "x509af.notBefore")[0];
    assert_eq!(not_before.0 + 2, ranges(&p, "x509af.utcTime")[0].0);
}

/// A CA name in a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4): tshark gives
/// `tls.handshake.dname` to the RDNSequence itself, over the Name's contents.
#[test]
fn certificate_request_names_are_the_rdn_sequence() {
    let dn = name("lowshark test CA");
    let mut dnames = vec![0, dn.len() as u8];
    dnames.extend_from_slice(&dn);
    let mut body = vec![1, 64, 0, 2, 4, 3, 0, dnames.len() as u8];
    body.extend_from_slice(&dnames);
    let mut msg = vec![13, 0, 0, body.len() as u8];
    msg.extend_from_slice(&body);
    let mut rec = vec![22, 3, 3, 0, msg.len() as u8];
    rec.extend_from_slice(&msg);
    let mut c = crate::proto::tcp::reassembly::testconn::Conn::new(443);
    let p = c.s2c(&rec);
    let dname = ranges(&p, "tls.handshake.dname");
    let items = ranges(&p, "x509if.RDNSequence_item");
    assert_eq!(dname, [(items[0].0 - 2, items[1].1)]);
    assert_eq!(dname[0].1 - dname[0].0, dn.len() as u32 - 2);
    assert!(!p.has("x509if.rdnSequence"));
    assert_eq!(p.show("x509sat.uTF8String"), ["lowshark test CA"]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_der_never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let mut der = certificate();
        let n = data.len().min(der.len());
        der[..n].copy_from_slice(&data[..n]);
        let _ = super::der::read(&Tvb::new(&der, 0), 0, der.len());
    }
}
