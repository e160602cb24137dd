//! X.509 certificates (RFC 5280 §4.1) in TLS and DTLS handshakes, with the fields of tshark
//! 4.0's ASN.1 dissectors: `x509af` (the certificate), `x509if` (names), `x509sat` (attribute
//! values), `x509ce` (extensions), `pkix1implicit`/`pkix1explicit` (PKIX extensions and policy
//! qualifiers), `pkcs1` (public keys).
//!
//! ```text
//! Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
//! tbsCertificate ::= SEQUENCE { [0] version, serialNumber, signature, issuer Name,
//!     validity { notBefore, notAfter }, subject Name, subjectPublicKeyInfo, [3] extensions }
//! Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue)
//! ```
//! tshark reaches attribute values, extensions and key parameters through tables of object
//! identifiers, and each such call counts as a layer in `frame.protocols`
//! (`tls:x509sat:x509sat:…:x509ce:pkix1implicit:…`); lowshark notes the same layers in the same
//! order. Object identifiers are shown dotted, as strings (lowshark has no FT_OID type).
//! Elements lowshark does not decode (other extensions, policy notices) show their identifier
//! only.
//!
//! Items cover the bytes tshark's BER helpers give them (packet-ber.c): a SEQUENCE over its
//! whole element, a SEQUENCE OF / SET OF over its contents (the helper reads the tag and length
//! first), a CHOICE over the contents of a context-tagged alternative and over the whole
//! element of an untagged one, and an implicitly tagged element over the contents of its tag.

use crate::engine::colfmt::plural;
use crate::engine::field::FieldDef;
use crate::engine::registry::{Protocol, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

pub mod der;
mod fields;
mod names;
#[cfg(test)]
mod tests;

use der::Tlv;
use fields::*;
pub use fields::{BER, PKCS1, PKIX1EXPLICIT, PKIX1IMPLICIT, X509AF, X509CE, X509IF, X509SAT};

/// Dissects a DER certificate under `parent` (the `….handshake.certificate` item); bytes that
/// are not a certificate are left as they are.
pub fn certificate(cx: &mut Cx, parent: NodeId, der: &Tvb) {
    // A certificate that does not parse keeps what was shown of it; TLS goes on.
    let _ = cert(cx, parent, der);
}

/// Dissects a DER Name (a CA name in a CertificateRequest) as `f` under `parent`: tshark gives
/// the caller's field to the RDNSequence itself, so `f` covers the SEQUENCE OF's contents and
/// holds the RDNs. Bytes that are not a Name get `f` over all of them.
pub fn name(cx: &mut Cx, parent: NodeId, f: &'static FieldDef, der: &Tvb) {
    let Ok(t) = der::read(der, 0, der.len()) else {
        cx.add(parent, f, der.whole(), Value::None);
        return;
    };
    let n = cx.add(parent, f, der.range(t.body, t.len()), Value::None);
    let items = der::children(der, &t).and_then(|rdns| rdn_items(cx, n, der, &rdns));
    if let Ok((summary, _)) = items {
        cx.set_text(n, format_args!("{}: ({})", f.name, summary.join(",")));
    }
}

fn cert(cx: &mut Cx, parent: NodeId, d: &Tvb) -> Result<()> {
    let outer = der::read(d, 0, d.len())?;
    let parts = der::children(d, &outer)?;
    let [tbs, alg, sig, ..] = parts.as_slice() else {
        return Ok(());
    };
    let subject = signed_certificate(cx, parent, d, tbs)?;
    if let Some(s) = subject {
        cx.set_text(parent, format!("Certificate ({s})"));
    }
    algorithm(cx, parent, &ALGORITHM_IDENTIFIER, d, alg)?;
    bit_string(cx, parent, &ENCRYPTED, d, sig)?;
    Ok(())
}

/// A node for a SEQUENCE-like element (FT_NONE) over its whole range.
fn node(cx: &mut Cx, parent: NodeId, f: &'static FieldDef, d: &Tvb, t: &Tlv) -> NodeId {
    let n = cx.add(parent, f, d.range(t.start, t.end - t.start), Value::None);
    if t.is_empty() {
        // tshark's BER marks an empty SEQUENCE in its label.
        cx.set_text(n, format_args!("{} [0 length]", f.name));
    }
    n
}

/// A SEQUENCE OF or SET OF node with its element count. tshark's BER reads the tag and length
/// before adding the item, so it covers the contents only (for an implicitly tagged list, the
/// contents of its tag, which is the same thing).
fn list(cx: &mut Cx, parent: NodeId, f: &'static FieldDef, d: &Tvb, t: &Tlv, n: usize) -> NodeId {
    let node = cx.add(parent, f, d.range(t.body, t.len()), Value::UInt(n as u64));
    cx.set_text(node, format_args!("{}: {n} item{}", f.name, plural(n)));
    node
}

/// A CHOICE node with the number of the alternative `t` holds. tshark's BER places it over the
/// contents when the alternative has a context tag of its own (explicit or implicit), and over
/// the whole element when it is an untagged universal type.
fn choice(cx: &mut Cx, parent: NodeId, f: &'static FieldDef, d: &Tvb, t: &Tlv, v: u64) -> NodeId {
    let (start, len) = match t.context() {
        Some(_) => (t.body, t.len()),
        None => (t.start, t.end - t.start),
    };
    cx.add(parent, f, d.range(start, len), Value::UInt(v))
}

fn oid_text(d: &Tvb, t: &Tlv) -> String {
    der::oid(&d.data()[t.body..t.end])
}

fn add_oid(cx: &mut Cx, parent: NodeId, f: &'static FieldDef, d: &Tvb, t: &Tlv) -> String {
    let o = oid_text(d, t);
    let n = cx.add(parent, f, d.range(t.body, t.len()), Value::str(o.clone()));
    if let Some(name) = names::oid_label(&o) {
        cx.set_text(n, format_args!("{}: {o} ({name})", f.name));
    }
    o
}

fn string(d: &Tvb, t: &Tlv) -> String {
    String::from_utf8_lossy(&d.data()[t.body..t.end]).into_owned()
}

fn bytes<'a>(d: &Tvb<'a>, t: &Tlv) -> &'a [u8] {
    &d.data()[t.body..t.end]
}

/// A BIT STRING: its padding count (`ber.bitstring.padding`), then the bits as `f`.
fn bit_string(
    cx: &mut Cx,
    parent: NodeId,
    f: &'static FieldDef,
    d: &Tvb,
    t: &Tlv,
) -> Result<NodeId> {
    cx.add_u8(parent, &BITSTRING_PADDING, d, t.body)?;
    hex(cx, parent, f, d, t.body + 1, t.len().saturating_sub(1), "")
}

/// A byte string labelled as tshark labels its BER OCTET/BIT STRINGs (`prefix` "") and the
/// INTEGERs too wide for a number (`prefix` "0x"): the first 36 bytes in hex without
/// separators, then `…` when there are more.
fn hex(
    cx: &mut Cx,
    parent: NodeId,
    f: &'static FieldDef,
    d: &Tvb,
    start: usize,
    len: usize,
    prefix: &str,
) -> Result<NodeId> {
    let b = d.bytes(start, len)?;
    let n = cx.add(parent, f, d.range(start, len), Value::bytes(b));
    if !b.is_empty() {
        cx.set_text(n, format_args!("{}: {prefix}{}", f.name, HexLabel(b)));
    }
    Ok(n)
}

/// Up to 36 bytes in hex, then `…` if there are more.
struct HexLabel<'a>(&'a [u8]);

impl std::fmt::Display for HexLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOWN: usize = 36;
        for x in self.0.iter().take(SHOWN) {
            write!(f, "{x:02x}")?;
        }
        if self.0.len() > SHOWN {
            f.write_str("…")?;
        }
        Ok(())
    }
}

/// The TBSCertificate; returns the subject's common name for the certificate's label.
fn signed_certificate(cx: &mut Cx, parent: NodeId, d: &Tvb, tbs: &Tlv) -> Result<Option<String>> {
    let n = node(cx, parent, &SIGNED_CERTIFICATE, d, tbs);
    let mut items = der::children(d, tbs)?.into_iter().peekable();
    if let Some(v) = items.next_if(|t| t.tag == 0xa0) {
        let inner = der::read(d, v.body, v.end)?;
        let val = bytes(d, &inner)
            .iter()
            .fold(0i64, |a, &x| (a << 8) | x as i64);
        let v = cx.add(
            n,
            &VERSION,
            d.range(inner.body, inner.len()),
            Value::Int(val),
        );
        // The label names the version, as tshark's (the engine names unsigned values only).
        if let Some(name) = u64::try_from(val).ok().and_then(|u| VERSION.value_name(u)) {
            cx.set_text(v, format_args!("{}: {name} ({val})", VERSION.name));
        }
    }
    let mut subject = None;
    for (i, t) in items.enumerate() {
        match i {
            0 => {
                hex(cx, n, &SERIAL_NUMBER, d, t.body, t.len(), "0x")?;
            }
            1 => {
                algorithm(cx, n, &SIGNATURE, d, &t)?;
            }
            2 => {
                let c = choice(cx, n, &ISSUER, d, &t, 0);
                rdn_sequence(cx, c, d, &t, &X509IF_RDN_SEQUENCE)?;
            }
            3 => validity(cx, n, d, &t)?,
            4 => {
                let c = choice(cx, n, &SUBJECT, d, &t, 0);
                subject = rdn_sequence(cx, c, d, &t, &X509AF_RDN_SEQUENCE)?;
            }
            5 => public_key_info(cx, n, d, &t)?,
            _ if t.tag == 0xa3 => {
                let seq = der::read(d, t.body, t.end)?;
                extensions(cx, n, d, &seq)?;
            }
            _ => {}
        }
    }
    Ok(subject)
}

/// An AlgorithmIdentifier: its OID, and for an EC public key its named curve (through
/// `pkcs-1`, as tshark).
fn algorithm(cx: &mut Cx, parent: NodeId, f: &'static FieldDef, d: &Tvb, t: &Tlv) -> Result<()> {
    let n = node(cx, parent, f, d, t);
    let parts = der::children(d, t)?;
    let Some(o) = parts.first() else {
        return Ok(());
    };
    let id = add_oid(cx, n, &ALGORITHM_ID, d, o);
    // tshark labels the element with its algorithm's name.
    if let Some(name) = names::oid_name(&id) {
        cx.set_text(n, format_args!("{} ({name})", f.name));
    }
    if let Some(p) = parts.get(1).filter(|p| p.tag == der::OID) {
        if id == "1.2.840.10045.2.1" {
            cx.note_layer("pkcs-1");
            let c = choice(cx, n, &EC_PARAMETERS, d, p, 1);
            add_oid(cx, c, &NAMED_CURVE, d, p);
        }
    }
    Ok(())
}

fn validity(cx: &mut Cx, parent: NodeId, d: &Tvb, t: &Tlv) -> Result<()> {
    let n = node(cx, parent, &VALIDITY, d, t);
    for (i, tm) in der::children(d, t)?.iter().take(2).enumerate() {
        let f = if i == 0 { &NOT_BEFORE } else { &NOT_AFTER };
        let generalized = tm.tag == der::GENERALIZED_TIME;
        let c = choice(cx, n, f, d, tm, generalized as u64);
        let text = der::time(tm.tag, bytes(d, tm));
        let r = d.range(tm.body, tm.len());
        match names::time_ns(&text).filter(|_| generalized) {
            Some(ns) => cx.add(c, &GENERALIZED_TIME, r, Value::AbsTime(ns)),
            None => cx.add(c, &UTC_TIME, r, Value::str(text)),
        };
    }
    Ok(())
}

fn public_key_info(cx: &mut Cx, parent: NodeId, d: &Tvb, t: &Tlv) -> Result<()> {
    let n = node(cx, parent, &SUBJECT_PUBLIC_KEY_INFO, d, t);
    let parts = der::children(d, t)?;
    let [alg, key, ..] = parts.as_slice() else {
        return Ok(());
    };
    algorithm(cx, n, &ALGORITHM, d, alg)?;
    let is_rsa = der::children(d, alg)?
        .first()
        .is_some_and(|o| oid_text(d, o) == "1.2.840.113549.1.1.1");
    if !is_rsa {
        bit_string(cx, n, &SUBJECT_PUBLIC_KEY, d, key)?;
        return Ok(());
    }
    // RSAPublicKey (RFC 8017 §A.1.1) inside the bit string: tshark shows no padding here.
    let len = key.len().saturating_sub(1);
    let k = hex(cx, n, &SUBJECT_PUBLIC_KEY, d, key.body + 1, len, "")?;
    let seq = der::read(d, key.body + 1, key.end)?;
    let ints = der::children(d, &seq)?;
    if let [m, e, ..] = ints.as_slice() {
        hex(cx, k, &MODULUS, d, m.body, m.len(), "0x")?;
        let exp = bytes(d, e).iter().fold(0i64, |a, &x| (a << 8) | x as i64);
        cx.add(
            k,
            &PUBLIC_EXPONENT,
            d.range(e.body, e.len()),
            Value::Int(exp),
        );
    }
    Ok(())
}

/// A Name's RDNSequence under `parent` (`seq_f` is `x509if.rdnSequence`, or x509af's for a
/// subject, as tshark names them); returns the common name, if any.
fn rdn_sequence(
    cx: &mut Cx,
    parent: NodeId,
    d: &Tvb,
    t: &Tlv,
    seq_f: &'static FieldDef,
) -> Result<Option<String>> {
    let rdns = der::children(d, t)?;
    let n = rdns.len();
    let seq = list(cx, parent, seq_f, d, t, n);
    let (summary, cn) = rdn_items(cx, seq, d, &rdns)?;
    cx.set_text(
        seq,
        format_args!(
            "{}: {n} item{} ({})",
            seq_f.name,
            plural(n),
            summary.join(",")
        ),
    );
    Ok(cn.or_else(|| summary.into_iter().next()))
}

/// An RDNSequence's RelativeDistinguishedNames under `seq`: returns the Name as tshark
/// summarises it (the RDNs last first, an RDN's attributes joined by `+`) and the common name
/// if there is one.
fn rdn_items(
    cx: &mut Cx,
    seq: NodeId,
    d: &Tvb,
    rdns: &[Tlv],
) -> Result<(Vec<String>, Option<String>)> {
    let mut cn = None;
    let mut summary: Vec<String> = Vec::with_capacity(rdns.len());
    for rdn in rdns {
        let atvs = der::children(d, rdn)?;
        let item = list(cx, seq, &RDN_SEQUENCE_ITEM, d, rdn, atvs.len());
        let mut this = String::new();
        for atv in &atvs {
            let e = node(cx, item, &RDN_ITEM, d, atv);
            let parts = der::children(d, atv)?;
            let [o, v, ..] = parts.as_slice() else {
                continue;
            };
            let oid = add_oid(cx, e, &X509IF_OID, d, o);
            let value = attribute_value(cx, e, d, &oid, v);
            let short = names::oid_name(&oid).unwrap_or(&oid);
            cx.set_text(
                e,
                format_args!("RelativeDistinguishedName item ({short}={value})"),
            );
            if !this.is_empty() {
                this.push('+');
            }
            this.push_str(short);
            this.push('=');
            this.push_str(&value);
            if oid == "2.5.4.3" {
                cn = Some(value);
            }
        }
        let n = atvs.len();
        cx.set_text(
            item,
            format_args!("RDNSequence item: {n} item{} ({this})", plural(n)),
        );
        summary.push(this);
    }
    summary.reverse();
    Ok((summary, cn))
}

/// An attribute value by its type (X.520 via `x509sat`, as tshark dispatches them); returns it
/// as text.
fn attribute_value(cx: &mut Cx, e: NodeId, d: &Tvb, oid: &str, v: &Tlv) -> String {
    let text = string(d, v);
    let r = d.range(v.body, v.len());
    if oid == "2.5.4.6" {
        cx.note_layer("x509sat");
        cx.add(e, &COUNTRY_NAME, r, Value::str(text.clone()));
    } else if oid == "1.2.840.113549.1.9.1" || oid == "0.9.2342.19200300.100.1.25" {
        cx.note_layer("x509sat");
        cx.add(e, &IA5_STRING, r, Value::str(text.clone()));
    } else if oid.starts_with("2.5.4.") {
        cx.note_layer("x509sat");
        directory_string(cx, e, &DIRECTORY_STRING, d, v);
    }
    text
}

/// A DirectoryString CHOICE: the alternative's number, then the string under it.
fn directory_string(cx: &mut Cx, e: NodeId, f: &'static FieldDef, d: &Tvb, v: &Tlv) {
    let (alt, sf) = match v.tag {
        der::TELETEX_STRING => (0, &TELETEX),
        der::PRINTABLE_STRING => (1, &PRINTABLE),
        der::UNIVERSAL_STRING => (2, &UNIVERSAL),
        // tshark's DirectoryString lists bmpString before uTF8String.
        der::BMP_STRING => (3, &BMP),
        _ => (4, &UTF8),
    };
    let c = choice(cx, e, f, d, v, alt);
    cx.add(c, sf, d.range(v.body, v.len()), Value::str(string(d, v)));
}

fn extensions(cx: &mut Cx, parent: NodeId, d: &Tvb, seq: &Tlv) -> Result<()> {
    let exts = der::children(d, seq)?;
    let list = list(cx, parent, &EXTENSIONS, d, seq, exts.len());
    for ext in &exts {
        let e = node(cx, list, &EXTENSION, d, ext);
        let parts = der::children(d, ext)?;
        let Some(o) = parts.first() else { continue };
        let id = add_oid(cx, e, &EXTENSION_ID, d, o);
        let mut rest = parts[1..].iter();
        let mut value = rest.next();
        if let Some(c) = value.filter(|t| t.tag == der::BOOLEAN) {
            let set = bytes(d, c).first().is_some_and(|&b| b != 0);
            cx.add(e, &CRITICAL, d.range(c.body, c.len()), Value::Bool(set));
            value = rest.next();
        }
        let Some(v) = value.filter(|t| t.tag == der::OCTET_STRING) else {
            continue;
        };
        let Ok(inner) = der::read(d, v.body, v.end) else {
            continue;
        };
        if let Some(name) = names::oid_name(&id) {
            cx.set_text(e, format!("Extension ({name})"));
        }
        extension(cx, e, d, &id, &inner)?;
    }
    Ok(())
}

/// One extension's value (RFC 5280 §4.2), through the dissector tshark uses for its OID.
fn extension(cx: &mut Cx, e: NodeId, d: &Tvb, id: &str, v: &Tlv) -> Result<()> {
    if id.starts_with("2.5.29.") {
        cx.note_layer("x509ce");
    } else if id == "1.3.6.1.5.5.7.1.1" {
        cx.note_layer("pkix1implicit");
    } else if id.starts_with("2.16.840.1.113730.1.") {
        cx.note_layer("ns_cert_exts");
    }
    match id {
        "2.5.29.19" => basic_constraints(cx, e, d, v)?,
        "2.5.29.15" => key_usage(cx, e, d, v)?,
        "2.5.29.37" => {
            let ids = der::children(d, v)?;
            let c = list(cx, e, &KEY_PURPOSE_IDS, d, v, ids.len());
            for o in &ids {
                add_oid(cx, c, &KEY_PURPOSE_ID, d, o);
            }
        }
        "2.5.29.17" | "2.5.29.18" => {
            general_names(cx, e, &GENERAL_NAMES, d, v)?;
        }
        "2.5.29.14" => {
            hex(cx, e, &SUBJECT_KEY_IDENTIFIER, d, v.body, v.len(), "")?;
        }
        "2.5.29.35" => authority_key_identifier(cx, e, d, v)?,
        "2.5.29.31" => crl_distribution_points(cx, e, d, v)?,
        "2.5.29.32" => certificate_policies(cx, e, d, v)?,
        "1.3.6.1.5.5.7.1.1" => authority_info_access(cx, e, d, v)?,
        _ => {}
    }
    Ok(())
}

fn basic_constraints(cx: &mut Cx, e: NodeId, d: &Tvb, v: &Tlv) -> Result<()> {
    let n = node(cx, e, &BASIC_CONSTRAINTS, d, v);
    for t in der::children(d, v)? {
        let r = d.range(t.body, t.len());
        match t.tag {
            der::BOOLEAN => {
                let set = bytes(d, &t).first().is_some_and(|&b| b != 0);
                cx.add(n, &CA, r, Value::Bool(set));
            }
            der::INTEGER => {
                let val = bytes(d, &t).iter().fold(0u64, |a, &x| (a << 8) | x as u64);
                cx.add(n, &PATH_LEN_CONSTRAINT, r, Value::UInt(val));
            }
            _ => {}
        }
    }
    Ok(())
}

/// KeyUsage (RFC 5280 §4.2.1.3): the bits, and one flag per usage.
fn key_usage(cx: &mut Cx, e: NodeId, d: &Tvb, v: &Tlv) -> Result<()> {
    let n = bit_string(cx, e, &KEY_USAGE, d, v)?;
    let b = d.bytes(v.body + 1, v.len().saturating_sub(1))?;
    let bits = u16::from_be_bytes([
        b.first().copied().unwrap_or(0),
        b.get(1).copied().unwrap_or(0),
    ]);
    let r = d.range(v.body + 1, b.len());
    for (i, f) in KEY_USAGE_BITS.iter().enumerate() {
        let set = bits & (0x8000 >> i) != 0;
        let flag = cx.add(n, f, r, Value::Bool(set));
        // tshark draws each bit within its own byte: `..1. .... = keyEncipherment: True`.
        let mut pattern = *b".... ....";
        let at = i % 8;
        pattern[at + at / 4] = if set { b'1' } else { b'0' };
        let pattern = std::str::from_utf8(&pattern).unwrap_or_default();
        let value = if set { "True" } else { "False" };
        cx.set_text(flag, format_args!("{pattern} = {}: {value}", f.name));
    }
    Ok(())
}

/// GeneralNames: a count, then each GeneralName's choice and value.
fn general_names(cx: &mut Cx, e: NodeId, f: &'static FieldDef, d: &Tvb, v: &Tlv) -> Result<()> {
    let names = der::children(d, v)?;
    let c = list(cx, e, f, d, v, names.len());
    for g in &names {
        let alt = g.context().unwrap_or(0) as u64;
        let n = choice(cx, c, &GENERAL_NAME, d, g, alt);
        general_name_value(cx, n, d, g)?;
    }
    Ok(())
}

/// The value of one GeneralName alternative (RFC 5280 §4.2.1.6).
fn general_name_value(cx: &mut Cx, n: NodeId, d: &Tvb, g: &Tlv) -> Result<()> {
    let r = d.range(g.body, g.len());
    match g.context() {
        Some(1) => {
            cx.add(n, &RFC822_NAME, r, Value::str(string(d, g)));
        }
        Some(2) => {
            cx.add(n, &DNS_NAME, r, Value::str(string(d, g)));
        }
        Some(4) => {
            // [4] is explicit (Name is a CHOICE): the Name's own item covers the inner element.
            let inner = der::read(d, g.body, g.end)?;
            let c = choice(cx, n, &DIRECTORY_NAME, d, &inner, 0);
            rdn_sequence(cx, c, d, &inner, &X509IF_RDN_SEQUENCE)?;
        }
        Some(6) => {
            cx.add(n, &URI, r, Value::str(string(d, g)));
        }
        // tshark shows the address itself under the GeneralName (never `x509ce.iPAddress`),
        // and nothing for a length that is neither IPv4's nor IPv6's.
        Some(7) => match g.len() {
            4 => {
                let a: [u8; 4] = d.array(g.body)?;
                cx.add(n, &IP_ADDRESS_V4, r, Value::Ipv4(a));
            }
            16 => {
                let a: [u8; 16] = d.array(g.body)?;
                cx.add(n, &IP_ADDRESS_V6, r, Value::Ipv6(a));
            }
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

fn authority_key_identifier(cx: &mut Cx, e: NodeId, d: &Tvb, v: &Tlv) -> Result<()> {
    let n = node(cx, e, &AUTHORITY_KEY_IDENTIFIER, d, v);
    for t in der::children(d, v)? {
        match t.context() {
            Some(0) => {
                hex(cx, n, &KEY_IDENTIFIER, d, t.body, t.len(), "")?;
            }
            Some(1) => general_names(cx, n, &AUTHORITY_CERT_ISSUER, d, &t)?,
            Some(2) => {
                hex(cx, n, &AUTHORITY_CERT_SERIAL, d, t.body, t.len(), "0x")?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn crl_distribution_points(cx: &mut Cx, e: NodeId, d: &Tvb, v: &Tlv) -> Result<()> {
    let points = der::children(d, v)?;
    let c = list(cx, e, &CRL_DIST_POINTS, d, v, points.len());
    for p in &points {
        let dp = node(cx, c, &DISTRIBUTION_POINT_ELEMENT, d, p);
        for t in der::children(d, p)? {
            if t.context() != Some(0) {
                continue;
            }
            // [0] is explicit (DistributionPointName is a CHOICE): the choice is the inner
            // element, whose own tag says which alternative it is.
            let name = der::read(d, t.body, t.end)?;
            let alt = name.context().unwrap_or(0) as u64;
            let dpn = choice(cx, dp, &DISTRIBUTION_POINT, d, &name, alt);
            if name.context() == Some(0) {
                general_names(cx, dpn, &FULL_NAME, d, &name)?;
            }
        }
    }
    Ok(())
}

/// certificatePolicies (RFC 5280 §4.2.1.4): policy OIDs and their qualifiers; a CPS pointer is
/// read by tshark's `pkix1explicit`.
fn certificate_policies(cx: &mut Cx, e: NodeId, d: &Tvb, v: &Tlv) -> Result<()> {
    let policies = der::children(d, v)?;
    let c = list(cx, e, &CERTIFICATE_POLICIES, d, v, policies.len());
    for p in &policies {
        let pi = node(cx, c, &POLICY_INFORMATION, d, p);
        let parts = der::children(d, p)?;
        let Some(o) = parts.first() else { continue };
        add_oid(cx, pi, &POLICY_IDENTIFIER, d, o);
        let Some(qs) = parts.get(1) else { continue };
        let quals = der::children(d, qs)?;
        let qn = list(cx, pi, &POLICY_QUALIFIERS, d, qs, quals.len());
        for q in &quals {
            let qi = node(cx, qn, &POLICY_QUALIFIER_INFO, d, q);
            let qparts = der::children(d, q)?;
            let Some(qo) = qparts.first() else { continue };
            let qid = add_oid(cx, qi, &X509CE_ID, d, qo);
            match (qid.as_str(), qparts.get(1)) {
                ("1.3.6.1.5.5.7.2.1", Some(cps)) => {
                    cx.note_layer("pkix1explicit");
                    let r = d.range(cps.body, cps.len());
                    cx.add(
                        qi,
                        &PKIX1EXPLICIT_DIRECTORY_STRING,
                        r,
                        Value::str(string(d, cps)),
                    );
                }
                ("1.3.6.1.5.5.7.2.2", Some(un)) => {
                    cx.note_layer("pkix1implicit");
                    user_notice(cx, qi, d, un)?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A UserNotice policy qualifier (RFC 5280 §4.2.1.4): its explicit text.
fn user_notice(cx: &mut Cx, qi: NodeId, d: &Tvb, un: &Tlv) -> Result<()> {
    let n = node(cx, qi, &USER_NOTICE, d, un);
    for t in der::children(d, un)? {
        let (alt, f) = match t.tag {
            der::IA5_STRING => (0, &NOTICE_IA5),
            0x1a => (1, &NOTICE_VISIBLE),
            der::BMP_STRING => (2, &NOTICE_BMP),
            der::UTF8_STRING => (3, &NOTICE_UTF8),
            _ => continue,
        };
        let c = choice(cx, n, &EXPLICIT_TEXT, d, &t, alt);
        let text = if t.tag == der::BMP_STRING {
            let units: Vec<u16> = bytes(d, &t)
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        } else {
            string(d, &t)
        };
        cx.add(c, f, d.range(t.body, t.len()), Value::str(text));
    }
    Ok(())
}

/// authorityInfoAccess (RFC 5280 §4.2.2.1): access methods and locations.
fn authority_info_access(cx: &mut Cx, e: NodeId, d: &Tvb, v: &Tlv) -> Result<()> {
    let descs = der::children(d, v)?;
    let c = list(cx, e, &AUTHORITY_INFO_ACCESS, d, v, descs.len());
    for a in &descs {
        let ad = node(cx, c, &ACCESS_DESCRIPTION, d, a);
        let parts = der::children(d, a)?;
        let [m, loc, ..] = parts.as_slice() else {
            continue;
        };
        add_oid(cx, ad, &ACCESS_METHOD, d, m);
        let n = choice(
            cx,
            ad,
            &ACCESS_LOCATION,
            d,
            loc,
            loc.context().unwrap_or(0) as u64,
        );
        general_name_value(cx, n, d, loc)?;
    }
    Ok(())
}

/// A protocol whose fields another dissector adds (it is never called itself).
const fn field_protocol(
    name: &'static str,
    short: &'static str,
    field: &'static FieldDef,
    fields: &'static [&'static FieldDef],
) -> Protocol {
    Protocol {
        name,
        short_name: short,
        field,
        fields,
        experts: &[],
        prefs: &[],
        dissect: reject,
        register: |_: &mut Registry| {},
    }
}

fn reject(_: &Tvb, cx: &mut Cx, _: NodeId) -> Result<()> {
    cx.reject();
    Ok(())
}

/// `ns_cert_exts`: Netscape certificate extensions, noted as a layer only.
pub static NS_CERT_EXTS: Protocol =
    field_protocol("ns_cert_exts", "NS_CERT_EXTS", &NS_CERT_EXTS_PROTO, &[]);
static NS_CERT_EXTS_PROTO: FieldDef =
    FieldDef::protocol("ns_cert_exts", "NetScape Certificate Extensions");
