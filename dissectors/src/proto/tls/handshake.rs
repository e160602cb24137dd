//! Handshake messages (RFC 8446 §4, RFC 5246 §7.4, RFC 6347 §4.2), one function per message
//! type, shared by TLS and DTLS (which differ in the message header and in ClientHello's
//! cookie; [`Hs::dtls`] says which).
//!
//! ```text
//! TLS:  +------+----------------+------------------------------------------------+
//!       | type | length (24)    | body                                           |
//!       +------+----------------+------------------------------------------------+
//! DTLS: | type | length (24)    | message_seq (16) | fragment_offset (24) | fragment_length (24) | body
//!
//! ClientHello: version(2) random(32) session_id<0..32> [cookie<0..255> DTLS]
//!              cipher_suites<2..2^16-2> compression_methods<1..255> extensions<0..2^16-1>
//! ServerHello: version(2) random(32) session_id<0..32> cipher_suite(2) compression(1) extensions
//! ```
//! Key exchange messages are read by the negotiated cipher suite's key exchange (ECDHE, DHE
//! or RSA). JA3/JA3S fingerprints (tshark's `….ja3*`) are computed from the hellos with GREASE
//! values left out (RFC 8701).

use super::ext::{self, Msg};
use super::fields::Hf;
use super::names::{CIPHER_SUITES, HANDSHAKE_TYPES};
use super::Conn;
use crate::engine::colfmt::plural;
use crate::engine::field::val_to_str;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

pub const CLIENT_HELLO: u8 = 1;
pub const SERVER_HELLO: u8 = 2;
pub const HELLO_VERIFY_REQUEST: u8 = 3;
pub const NEW_SESSION_TICKET: u8 = 4;
pub const CERTIFICATE: u8 = 11;
pub const SERVER_KEY_EXCHANGE: u8 = 12;
pub const CERTIFICATE_REQUEST: u8 = 13;
pub const SERVER_HELLO_DONE: u8 = 14;
pub const CERTIFICATE_VERIFY: u8 = 15;
pub const CLIENT_KEY_EXCHANGE: u8 = 16;
pub const FINISHED: u8 = 20;

pub const TLS13: u16 = 0x0304;

/// ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3): SHA-256("HelloRetryRequest").
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The dissection context of one handshake message.
pub struct Hs<'a> {
    pub hf: &'static Hf,
    pub conn: &'a mut Conn,
    pub dtls: bool,
}

/// The name of a handshake type (`Client Hello`).
pub fn type_name(t: u8) -> &'static str {
    val_to_str(HANDSHAKE_TYPES, t as u64).unwrap_or("Unknown")
}

/// Whether `t` is a handshake type at all (an encrypted Finished starts with noise).
pub fn is_known_type(t: u8) -> bool {
    val_to_str(HANDSHAKE_TYPES, t as u64).is_some()
}

/// True for RFC 8701 GREASE values (0x?a?a with equal bytes), left out of JA3.
fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

/// Dissects the body of a handshake message of type `t` under `node`; returns the name for
/// the Info column (a HelloRetryRequest is a ServerHello by type).
pub fn body(cx: &mut Cx, node: NodeId, b: &Tvb, t: u8, hs: &mut Hs) -> Result<&'static str> {
    match t {
        CLIENT_HELLO => client_hello(cx, node, b, hs)?,
        SERVER_HELLO => return server_hello(cx, node, b, hs),
        HELLO_VERIFY_REQUEST => hello_verify_request(cx, node, b, hs.hf)?,
        NEW_SESSION_TICKET => new_session_ticket(cx, node, b, hs)?,
        CERTIFICATE => certificate(cx, node, b, hs.hf)?,
        SERVER_KEY_EXCHANGE => server_key_exchange(cx, node, b, hs)?,
        CERTIFICATE_REQUEST => certificate_request(cx, node, b, hs.hf)?,
        CERTIFICATE_VERIFY => certificate_verify(cx, node, b, hs.hf)?,
        CLIENT_KEY_EXCHANGE => client_key_exchange(cx, node, b, hs)?,
        FINISHED => {
            cx.add(node, hs.hf.VERIFY_DATA, b.whole(), Value::None);
        }
        _ => {}
    }
    Ok(type_name(t))
}

fn session_id(cx: &mut Cx, node: NodeId, b: &Tvb, off: usize, hf: &Hf) -> Result<usize> {
    let len = b.u8(off)? as usize;
    cx.add_uint(node, hf.SESSION_ID_LENGTH, b.range(off, 1), len as u64);
    if len > 0 {
        cx.add_bytes(node, hf.SESSION_ID, b, off + 1, len)?;
    }
    Ok(off + 1 + len)
}

fn client_hello(cx: &mut Cx, node: NodeId, b: &Tvb, hs: &mut Hs) -> Result<()> {
    let hf = hs.hf;
    let tls13 = hs.conn.version == Some(TLS13);
    let version = hello_start(cx, node, b, hf, tls13)?;
    let mut off = session_id(cx, node, b, 34, hf)?;
    if hs.dtls {
        let len = cx.add_u8(node, hf_dtls_cookie_len(), b, off)? as usize;
        if len > 0 {
            cx.add_bytes(node, hf_dtls_cookie(), b, off + 1, len)?;
        }
        off += 1 + len;
    }
    let len = cx.add_be_u16(node, hf.CIPHER_SUITES_LENGTH, b, off)? as usize;
    let list = cx.add(node, hf.CIPHER_SUITES_F, b.range(off + 2, len), Value::None);
    let count = len / 2;
    cx.set_text(
        list,
        format!("Cipher Suites ({count} suite{})", plural(count)),
    );
    let mut suites = vec![];
    for i in 0..count {
        suites.push(cx.add_be_u16(list, hf.CIPHER_SUITE, b, off + 2 + 2 * i)?);
    }
    off += 2 + len;
    let n = cx.add_u8(node, hf.COMP_METHODS_LENGTH, b, off)? as usize;
    let list = cx.add(node, hf.COMP_METHODS, b.range(off + 1, n), Value::None);
    cx.set_text(
        list,
        format!("Compression Methods ({n} method{})", plural(n)),
    );
    for i in 0..n {
        cx.add_u8(list, hf.COMP_METHOD, b, off + 1 + i)?;
    }
    off += 1 + n;
    let found = ext::extensions(cx, node, b, off, hf, Msg::ClientHello)?;
    if let Some(sni) = &found.sni {
        hs.conn.sni = Some(sni.clone());
    }
    let ja3 = format!(
        "{version},{},{},{},{}",
        join(suites.iter().filter(|v| !is_grease(**v))),
        join(found.types.iter().filter(|v| !is_grease(**v))),
        join(found.groups.iter().filter(|v| !is_grease(**v))),
        join(found.ec_point_formats.iter()),
    );
    fingerprint(cx, node, hf.JA3_FULL, hf.JA3, ja3);
    Ok(())
}

fn server_hello(cx: &mut Cx, node: NodeId, b: &Tvb, hs: &mut Hs) -> Result<&'static str> {
    let hf = hs.hf;
    let hrr = b.bytes(2, 32).is_ok_and(|r| r == HRR_RANDOM);
    // tshark looks ahead for supported_versions to know whether this is TLS 1.3 before it
    // shows the random.
    let selected = scan_selected_version(b);
    let version = b.be_u16(0)?;
    let negotiated = selected.unwrap_or(version);
    let tls13 = negotiated == TLS13 || hs.conn.version == Some(TLS13);
    hello_start(cx, node, b, hf, tls13)?;
    let off = session_id(cx, node, b, 34, hf)?;
    let suite = cx.add_be_u16(node, hf.CIPHER_SUITE, b, off)?;
    cx.add_u8(node, hf.COMP_METHOD, b, off + 2)?;
    let msg = if hrr {
        Msg::HelloRetryRequest
    } else {
        Msg::ServerHello
    };
    let found = ext::extensions(cx, node, b, off + 3, hf, msg)?;
    hs.conn.version = Some(found.selected_version.unwrap_or(version));
    hs.conn.suite = Some(suite);
    if let Some(p) = found.alpn.first() {
        hs.conn.alpn = Some(p.clone());
    }
    let ja3s = format!(
        "{version},{suite},{}",
        join(found.types.iter().filter(|v| !is_grease(**v)))
    );
    fingerprint(cx, node, hf.JA3S_FULL, hf.JA3S, ja3s);
    Ok(if hrr {
        "Hello Retry Request"
    } else {
        type_name(SERVER_HELLO)
    })
}

/// Version and random of either hello: the random's first four bytes are shown as a time (the
/// pre-TLS 1.3 practice) unless the connection is TLS 1.3.
fn hello_start(cx: &mut Cx, node: NodeId, b: &Tvb, hf: &Hf, tls13: bool) -> Result<u16> {
    let v = cx.add_be_u16(node, hf.HS_VERSION, b, 0)?;
    let random = b.bytes(2, 32)?;
    let r = cx.add(node, hf.RANDOM, b.range(2, 32), Value::bytes(random));
    if !tls13 {
        let secs = b.be_u32(2)? as i64;
        cx.add(
            r,
            hf.RANDOM_TIME,
            b.range(2, 4),
            Value::AbsTime(secs * 1_000_000_000),
        );
        cx.add_bytes(r, hf.RANDOM_BYTES, b, 6, 28)?;
    }
    Ok(v)
}

/// The version a ServerHello's supported_versions extension selects, read ahead.
fn scan_selected_version(b: &Tvb) -> Option<u16> {
    let sid = b.u8(34).ok()? as usize;
    let mut off = 35 + sid + 3;
    let total = b.be_u16(off).ok()? as usize;
    off += 2;
    let end = off + total;
    while off + 4 <= end {
        let t = b.be_u16(off).ok()?;
        let len = b.be_u16(off + 2).ok()? as usize;
        if t == ext::SUPPORTED_VERSIONS && len == 2 {
            return b.be_u16(off + 4).ok();
        }
        off += 4 + len;
    }
    None
}

fn join<T: std::fmt::Display>(it: impl Iterator<Item = T>) -> String {
    it.map(|v| v.to_string()).collect::<Vec<_>>().join("-")
}

/// Adds a JA3/JA3S string and its MD5 (generated items).
fn fingerprint(
    cx: &mut Cx,
    node: NodeId,
    full: &'static crate::engine::field::FieldDef,
    hash: &'static crate::engine::field::FieldDef,
    s: String,
) {
    use md5::{Digest, Md5};
    let digest = Md5::digest(s.as_bytes());
    cx.add_generated(node, full, Value::str(s));
    cx.add_generated(
        node,
        hash,
        Value::str(crate::engine::value::hex_string(&digest)),
    );
}

fn hf_dtls_cookie_len() -> &'static crate::engine::field::FieldDef {
    &super::fields::dtls::COOKIE_LENGTH
}

fn hf_dtls_cookie() -> &'static crate::engine::field::FieldDef {
    &super::fields::dtls::COOKIE
}

/// HelloVerifyRequest (DTLS, RFC 6347 §4.2.1): version and cookie.
fn hello_verify_request(cx: &mut Cx, node: NodeId, b: &Tvb, hf: &Hf) -> Result<()> {
    cx.add_be_u16(node, hf.HS_VERSION, b, 0)?;
    let len = cx.add_u8(node, hf_dtls_cookie_len(), b, 2)? as usize;
    cx.add_bytes(node, hf_dtls_cookie(), b, 3, len)?;
    Ok(())
}

/// NewSessionTicket (RFC 5077 §3.3; TLS 1.3 adds age_add, nonce and extensions).
fn new_session_ticket(cx: &mut Cx, node: NodeId, b: &Tvb, hs: &mut Hs) -> Result<()> {
    let hf = hs.hf;
    let t = cx.add_text(node, b.whole(), "TLS Session Ticket");
    cx.add_be_u32(t, hf.TICKET_LIFETIME_HINT, b, 0)?;
    let mut off = 4;
    let tls13 = hs.conn.version == Some(TLS13);
    if tls13 {
        cx.add_be_u32(t, hf.TICKET_AGE_ADD, b, off)?;
        let n = cx.add_u8(t, hf.TICKET_NONCE_LENGTH, b, off + 4)? as usize;
        cx.add_bytes(t, hf.TICKET_NONCE, b, off + 5, n)?;
        off += 5 + n;
    }
    let len = cx.add_be_u16(t, hf.TICKET_LENGTH, b, off)? as usize;
    cx.add_bytes(t, hf.TICKET, b, off + 2, len)?;
    if tls13 {
        ext::extensions(cx, t, b, off + 2 + len, hf, Msg::Other)?;
    }
    Ok(())
}

/// Certificate (RFC 5246 §7.4.2): the chain, each certificate with its X.509 tree.
fn certificate(cx: &mut Cx, node: NodeId, b: &Tvb, hf: &Hf) -> Result<()> {
    let total = cx.add_be_u24(node, hf.CERTIFICATES_LENGTH, b, 0)? as usize;
    let list = cx.add(node, hf.CERTIFICATES, b.range(3, total), Value::None);
    cx.set_text(list, format!("Certificates ({total} bytes)"));
    let mut off = 3;
    while off < 3 + total && off < b.len() {
        let len = cx.add_be_u24(list, hf.CERTIFICATE_LENGTH, b, off)? as usize;
        let der = b.sub(off + 3, len)?;
        let n = cx.add(list, hf.CERTIFICATE, der.whole(), Value::bytes(der.data()));
        crate::proto::x509::certificate(cx, n, &der);
        off += 3 + len;
    }
    Ok(())
}

/// How the negotiated cipher suite exchanges keys.
#[derive(PartialEq, Eq)]
enum Kex {
    Ecdh,
    Dh,
    Rsa,
    Other,
}

fn kex(suite: Option<u16>) -> Kex {
    let name = suite
        .and_then(|s| val_to_str(CIPHER_SUITES, s as u64))
        .unwrap_or("");
    if name.contains("_ECDHE_") || name.contains("_ECDH_") {
        Kex::Ecdh
    } else if name.contains("_DHE_") || name.contains("_DH_") {
        Kex::Dh
    } else if name.starts_with("TLS_RSA_WITH") || name.starts_with("TLS_RSA_EXPORT") {
        Kex::Rsa
    } else {
        Kex::Other
    }
}

/// ServerKeyExchange (RFC 8422 §5.4 ECDHE, RFC 5246 §7.4.3 DHE): the parameters, then the
/// signature.
fn server_key_exchange(cx: &mut Cx, node: NodeId, b: &Tvb, hs: &mut Hs) -> Result<()> {
    let hf = hs.hf;
    let (label, off) = match kex(hs.conn.suite) {
        Kex::Ecdh => {
            let p = cx.add_text(node, b.whole(), "EC Diffie-Hellman Server Params");
            cx.add_u8(p, hf.SERVER_CURVE_TYPE, b, 0)?;
            cx.add_be_u16(p, hf.SERVER_NAMED_CURVE, b, 1)?;
            let n = cx.add_u8(p, hf.SERVER_POINT_LEN, b, 3)? as usize;
            cx.add_bytes(p, hf.SERVER_POINT, b, 4, n)?;
            (p, 4 + n)
        }
        Kex::Dh => {
            let p = cx.add_text(node, b.whole(), "Diffie-Hellman Server Params");
            let mut off = 0;
            for (lf, vf) in [
                (hf.SERVER_P_LEN, hf.SERVER_P),
                (hf.SERVER_G_LEN, hf.SERVER_G),
                (hf.SERVER_YS_LEN, hf.SERVER_YS),
            ] {
                let n = cx.add_be_u16(p, lf, b, off)? as usize;
                cx.add_bytes(p, vf, b, off + 2, n)?;
                off += 2 + n;
            }
            (p, off)
        }
        _ => return Ok(()),
    };
    if off >= b.len() {
        return Ok(());
    }
    let mut at = off;
    if hs.conn.version.is_some_and(|v| v >= 0x0303 && v != 0xfeff) {
        ext::signature_scheme(cx, label, b, at, hf)?;
        at += 2;
    }
    let n = cx.add_be_u16(label, hf.SIG_LEN, b, at)? as usize;
    cx.add_bytes(label, hf.SIG, b, at + 2, n)?;
    Ok(())
}

/// ClientKeyExchange: the client's (EC)DH public value or the RSA-encrypted premaster secret.
fn client_key_exchange(cx: &mut Cx, node: NodeId, b: &Tvb, hs: &mut Hs) -> Result<()> {
    let hf = hs.hf;
    match kex(hs.conn.suite) {
        Kex::Ecdh => {
            let p = cx.add_text(node, b.whole(), "EC Diffie-Hellman Client Params");
            let n = cx.add_u8(p, hf.CLIENT_POINT_LEN, b, 0)? as usize;
            cx.add_bytes(p, hf.CLIENT_POINT, b, 1, n)?;
        }
        Kex::Dh => {
            let p = cx.add_text(node, b.whole(), "Diffie-Hellman Client Params");
            let n = cx.add_be_u16(p, hf.YC_LEN, b, 0)? as usize;
            cx.add_bytes(p, hf.YC, b, 2, n)?;
        }
        Kex::Rsa => {
            let p = cx.add_text(node, b.whole(), "RSA Encrypted PreMaster Secret");
            let n = cx.add_be_u16(p, hf.EPMS_LEN, b, 0)? as usize;
            cx.add_bytes(p, hf.EPMS, b, 2, n)?;
        }
        Kex::Other => {}
    }
    Ok(())
}

/// CertificateRequest (RFC 5246 §7.4.4): certificate types, signature algorithms, CA names.
fn certificate_request(cx: &mut Cx, node: NodeId, b: &Tvb, hf: &Hf) -> Result<()> {
    let n = cx.add_u8(node, hf.CERT_TYPES_COUNT, b, 0)? as usize;
    let list = cx.add(node, hf.CERT_TYPES_F, b.range(1, n), Value::None);
    cx.set_text(list, format!("Certificate types ({n} type{})", plural(n)));
    for i in 0..n {
        cx.add_u8(list, hf.CERT_TYPE, b, 1 + i)?;
    }
    let mut off = 1 + n;
    let len = cx.add_be_u16(node, hf.SIG_HASH_ALG_LEN, b, off)? as usize;
    let algs = cx.add(node, hf.SIG_HASH_ALGS, b.range(off + 2, len), Value::None);
    let count = len / 2;
    cx.set_text(
        algs,
        format!(
            "Signature Hash Algorithms ({count} algorithm{})",
            plural(count)
        ),
    );
    for i in 0..count {
        ext::signature_scheme(cx, algs, b, off + 2 + 2 * i, hf)?;
    }
    off += 2 + len;
    let dn_len = cx.add_be_u16(node, hf.DNAMES_LEN, b, off)? as usize;
    if dn_len == 0 {
        return Ok(());
    }
    let dns = cx.add(node, hf.DNAMES, b.range(off + 2, dn_len), Value::None);
    cx.set_text(dns, format!("Distinguished Names ({dn_len} bytes)"));
    let mut at = off + 2;
    while at < off + 2 + dn_len {
        let l = cx.add_be_u16(dns, hf.DNAME_LEN, b, at)? as usize;
        let name = b.sub(at + 2, l)?;
        crate::proto::x509::name(cx, dns, hf.DNAME, &name);
        at += 2 + l;
    }
    Ok(())
}

/// CertificateVerify (RFC 5246 §7.4.8): the signature algorithm and the signature.
fn certificate_verify(cx: &mut Cx, node: NodeId, b: &Tvb, hf: &Hf) -> Result<()> {
    ext::signature_scheme(cx, node, b, 0, hf)?;
    let n = cx.add_be_u16(node, hf.CERT_VERIFY_SIG_LEN, b, 2)? as usize;
    cx.add_bytes(node, hf.CERT_VERIFY_SIG, b, 4, n)?;
    Ok(())
}
