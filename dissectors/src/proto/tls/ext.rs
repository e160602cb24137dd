//! Hello extensions (RFC 8446 §4.2, RFC 6066, RFC 7301, RFC 8422, …), one function per
//! extension type, shared by TLS and DTLS.
//!
//! ```text
//! +--------+--------+--------+--------+----------------------+
//! |  extension type |  length (n)     |  extension_data (n)  |
//! +--------+--------+--------+--------+----------------------+
//! ```
//! Each extension is a subtree `Extension: name (len=n)` with `….extension.type` and
//! `….extension.len`, then what its type defines; types lowshark does not decode show their
//! bytes as `….extension.data` (nothing for an empty one, as tshark).

use super::fields::Hf;
use super::names::{EXTENSION_TYPES, GROUPS};
use crate::engine::colfmt::plural;
use crate::engine::field::val_to_str;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

pub const SERVER_NAME: u16 = 0;
pub const SUPPORTED_GROUPS: u16 = 10;
pub const EC_POINT_FORMATS: u16 = 11;
pub const ALPN: u16 = 16;
pub const SUPPORTED_VERSIONS: u16 = 43;

/// Which message the extensions are in (some extensions differ between them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Msg {
    ClientHello,
    ServerHello,
    HelloRetryRequest,
    Other,
}

/// What the extensions say that the rest of the dissection needs.
#[derive(Default, Debug)]
pub struct Found {
    /// Extension types in order (for JA3).
    pub types: Vec<u16>,
    pub groups: Vec<u16>,
    pub ec_point_formats: Vec<u8>,
    /// The version a ServerHello selects (supported_versions).
    pub selected_version: Option<u16>,
    /// ALPN protocols (the server's choice in a ServerHello).
    pub alpn: Vec<String>,
    pub sni: Option<String>,
}

/// The extension name tshark shows in `Extension: name (len=n)`.
pub fn name(t: u16) -> String {
    match val_to_str(EXTENSION_TYPES, t as u64) {
        Some(n) => n.to_string(),
        None => format!("Unknown type {t}"),
    }
}

/// Dissects the extensions block at `off` (its 2-byte length first); `end` bounds the message.
pub fn extensions(
    cx: &mut Cx,
    parent: NodeId,
    tvb: &Tvb,
    off: usize,
    hf: &Hf,
    msg: Msg,
) -> Result<Found> {
    let mut found = Found::default();
    if off >= tvb.len() {
        return Ok(found);
    }
    let total = cx.add_be_u16(parent, hf.EXTENSIONS_LENGTH, tvb, off)? as usize;
    let body = tvb.sub(off + 2, total.min(tvb.remaining(off + 2)))?;
    let mut at = 0;
    while at + 4 <= body.len() {
        let t = body.be_u16(at)?;
        let len = body.be_u16(at + 2)? as usize;
        let node = cx.add_text(
            parent,
            body.range(at, 4 + len),
            format!("Extension: {} (len={len})", name(t)),
        );
        cx.add_be_u16(node, hf.EXT_TYPE, &body, at)?;
        cx.add_be_u16(node, hf.EXT_LEN, &body, at + 2)?;
        let data = body.sub(at + 4, len)?;
        found.types.push(t);
        extension(cx, node, &data, t, hf, msg, &mut found)?;
        at += 4 + len;
    }
    if total > body.len() {
        return Err(crate::engine::tvb::Error::Short);
    }
    Ok(found)
}

fn extension(
    cx: &mut Cx,
    node: NodeId,
    d: &Tvb,
    t: u16,
    hf: &Hf,
    msg: Msg,
    found: &mut Found,
) -> Result<()> {
    match t {
        // Extensions decoded below, or flags (extended_master_secret, encrypt_then_mac,
        // post_handshake_auth, …): nothing to show when empty. tshark shows the (empty) data
        // of the extensions it does not decode.
        _ if d.is_empty() && !matches!(t, 35) && (t <= 51 || t == 0xff01 || t == 13172) => {}
        SERVER_NAME => found.sni = server_name(cx, node, d, hf)?,
        1 => {
            cx.add_u8(node, hf.MAX_FRAGMENT_LENGTH, d, 0)?;
        }
        5 if msg == Msg::ClientHello => status_request(cx, node, d, hf)?,
        17 if msg == Msg::ClientHello => status_request_v2(cx, node, d, hf)?,
        SUPPORTED_GROUPS => found.groups = supported_groups(cx, node, d, hf)?,
        EC_POINT_FORMATS => found.ec_point_formats = ec_point_formats(cx, node, d, hf)?,
        13 | 50 => signature_algorithms(cx, node, d, hf)?,
        15 => {
            cx.add_u8(node, hf.HEARTBEAT_MODE, d, 0)?;
        }
        ALPN => found.alpn = alpn(cx, node, d, hf)?,
        21 => {
            cx.add_bytes(node, hf.PADDING_DATA, d, 0, d.len())?;
        }
        27 => compress_certificate(cx, node, d, hf)?,
        28 => {
            cx.add_be_u16(node, hf.RECORD_SIZE_LIMIT, d, 0)?;
        }
        35 => {
            // tshark shows session_ticket's data even when empty.
            cx.add_bytes(node, hf.EXT_DATA, d, 0, d.len())?;
        }
        SUPPORTED_VERSIONS => found.selected_version = supported_versions(cx, node, d, hf, msg)?,
        45 => psk_key_exchange_modes(cx, node, d, hf)?,
        51 => key_share(cx, node, d, hf, msg)?,
        0xff01 => renegotiation_info(cx, node, d, hf)?,
        _ => {
            cx.add_bytes(node, hf.EXT_DATA, d, 0, d.len())?;
        }
    }
    Ok(())
}

/// server_name (RFC 6066 §3): the list, then each name.
fn server_name(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<Option<String>> {
    let n = cx.add_text(node, d.whole(), "Server Name Indication extension");
    let list = cx.add_be_u16(n, hf.SNI_LIST_LEN, d, 0)? as usize;
    let mut at = 2;
    let mut first = None;
    while at < 2 + list && at + 3 <= d.len() {
        cx.add_u8(n, hf.SNI_TYPE, d, at)?;
        let len = cx.add_be_u16(n, hf.SNI_LEN, d, at + 1)? as usize;
        let b = cx.add_string(n, hf.SNI, d, at + 3, len)?;
        first.get_or_insert_with(|| String::from_utf8_lossy(b).into_owned());
        at += 3 + len;
    }
    Ok(first)
}

fn supported_groups(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<Vec<u16>> {
    let len = cx.add_be_u16(node, hf.GROUPS_LENGTH, d, 0)? as usize;
    let list = cx.add(node, hf.GROUPS_F, d.range(2, len), Value::None);
    let count = len / 2;
    cx.set_text(
        list,
        format!("Supported Groups ({count} group{})", plural(count)),
    );
    let mut out = vec![];
    for i in 0..count {
        out.push(cx.add_be_u16(list, hf.GROUP, d, 2 + 2 * i)?);
    }
    Ok(out)
}

fn ec_point_formats(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<Vec<u8>> {
    let len = cx.add_u8(node, hf.EC_POINT_FORMATS_LENGTH, d, 0)? as usize;
    let list = cx.add(node, hf.EC_POINT_FORMATS_F, d.range(1, len), Value::None);
    cx.set_text(list, format!("Elliptic curves point formats ({len})"));
    let mut out = vec![];
    for i in 0..len {
        out.push(cx.add_u8(list, hf.EC_POINT_FORMAT, d, 1 + i)?);
    }
    Ok(out)
}

fn signature_algorithms(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<()> {
    let len = cx.add_be_u16(node, hf.SIG_HASH_ALG_LEN, d, 0)? as usize;
    let list = cx.add(node, hf.SIG_HASH_ALGS, d.range(2, len), Value::None);
    let count = len / 2;
    cx.set_text(
        list,
        format!(
            "Signature Hash Algorithms ({count} algorithm{})",
            plural(count)
        ),
    );
    for i in 0..count {
        signature_scheme(cx, list, d, 2 + 2 * i, hf)?;
    }
    Ok(())
}

/// A SignatureAndHashAlgorithm / SignatureScheme: the 16-bit value, and its hash and signature
/// bytes under it.
pub fn signature_scheme(cx: &mut Cx, parent: NodeId, d: &Tvb, at: usize, hf: &Hf) -> Result<u16> {
    let v = d.be_u16(at)?;
    let n = cx.add_uint(parent, hf.SIG_HASH_ALG, d.range(at, 2), v as u64);
    cx.add_u8(n, hf.SIG_HASH_HASH, d, at)?;
    cx.add_u8(n, hf.SIG_HASH_SIG, d, at + 1)?;
    Ok(v)
}

fn alpn(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<Vec<String>> {
    let len = cx.add_be_u16(node, hf.ALPN_LEN, d, 0)? as usize;
    let mut at = 2;
    let mut out = vec![];
    while at < 2 + len {
        let n = d.u8(at)? as usize;
        let item = cx.add(node, hf.ALPN_LIST, d.range(at, 1 + n), Value::None);
        cx.add_u8(item, hf.ALPN_STR_LEN, d, at)?;
        let b = cx.add_string(item, hf.ALPN_STR, d, at + 1, n)?;
        out.push(String::from_utf8_lossy(b).into_owned());
        at += 1 + n;
    }
    Ok(out)
}

fn supported_versions(
    cx: &mut Cx,
    node: NodeId,
    d: &Tvb,
    hf: &Hf,
    msg: Msg,
) -> Result<Option<u16>> {
    if msg != Msg::ClientHello {
        // A ServerHello or HelloRetryRequest carries the selected version alone.
        return Ok(Some(cx.add_be_u16(node, hf.SUPPORTED_VERSION, d, 0)?));
    }
    let len = cx.add_u8(node, hf.SUPPORTED_VERSIONS_LEN, d, 0)? as usize;
    for i in 0..len / 2 {
        cx.add_be_u16(node, hf.SUPPORTED_VERSION, d, 1 + 2 * i)?;
    }
    Ok(None)
}

fn psk_key_exchange_modes(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<()> {
    let len = cx.add_u8(node, hf.PSK_KE_MODES_LENGTH, d, 0)? as usize;
    for i in 0..len {
        cx.add_u8(node, hf.PSK_KE_MODE, d, 1 + i)?;
    }
    Ok(())
}

/// key_share (RFC 8446 §4.2.8): the client's list, the server's one entry, or a
/// HelloRetryRequest's selected group.
fn key_share(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf, msg: Msg) -> Result<()> {
    let n = cx.add_text(node, d.whole(), "Key Share extension");
    match msg {
        Msg::HelloRetryRequest => {
            cx.add_be_u16(n, hf.KEY_SHARE_SELECTED_GROUP, d, 0)?;
        }
        Msg::ClientHello => {
            let len = cx.add_be_u16(n, hf.KEY_SHARE_CLIENT_LENGTH, d, 0)? as usize;
            let mut at = 2;
            while at < 2 + len {
                at += key_share_entry(cx, n, d, at, hf)?;
            }
        }
        _ => {
            key_share_entry(cx, n, d, 0, hf)?;
        }
    }
    Ok(())
}

fn key_share_entry(cx: &mut Cx, parent: NodeId, d: &Tvb, at: usize, hf: &Hf) -> Result<usize> {
    let group = d.be_u16(at)?;
    let len = d.be_u16(at + 2)? as usize;
    let gname = val_to_str(GROUPS, group as u64).unwrap_or("Unknown");
    let e = cx.add_text(
        parent,
        d.range(at, 4 + len),
        format!("Key Share Entry: Group: {gname}, Key Exchange length: {len}"),
    );
    cx.add_be_u16(e, hf.KEY_SHARE_GROUP, d, at)?;
    cx.add_be_u16(e, hf.KEY_SHARE_KEX_LENGTH, d, at + 2)?;
    cx.add_bytes(e, hf.KEY_SHARE_KEX, d, at + 4, len)?;
    Ok(4 + len)
}

fn renegotiation_info(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<()> {
    let n = cx.add_text(node, d.whole(), "Renegotiation Info extension");
    let len = cx.add_u8(n, hf.RENEG_INFO_LEN, d, 0)? as usize;
    if len > 0 {
        cx.add_bytes(n, hf.RENEG_INFO, d, 1, len)?;
    }
    Ok(())
}

/// status_request (RFC 6066 §8): OCSP with responder ids and request extensions.
fn status_request(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<()> {
    cx.add_u8(node, hf.STATUS_REQUEST_TYPE, d, 0)?;
    let ids = cx.add_be_u16(node, hf.STATUS_REQUEST_RESPONDER_IDS_LEN, d, 1)? as usize;
    cx.add_be_u16(node, hf.STATUS_REQUEST_EXTS_LEN, d, 3 + ids)?;
    Ok(())
}

/// status_request_v2 (RFC 6961): a list of requests like status_request's.
fn status_request_v2(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<()> {
    let total = cx.add_be_u16(node, hf.STATUS_REQUEST_LIST_LEN, d, 0)? as usize;
    let mut at = 2;
    while at < 2 + total {
        cx.add_u8(node, hf.STATUS_REQUEST_TYPE, d, at)?;
        let len = cx.add_be_u16(node, hf.STATUS_REQUEST_LEN, d, at + 1)? as usize;
        let ids = cx.add_be_u16(node, hf.STATUS_REQUEST_RESPONDER_IDS_LEN, d, at + 3)? as usize;
        cx.add_be_u16(node, hf.STATUS_REQUEST_EXTS_LEN, d, at + 5 + ids)?;
        at += 3 + len;
    }
    Ok(())
}

/// compress_certificate (RFC 8879): the algorithms the peer accepts.
fn compress_certificate(cx: &mut Cx, node: NodeId, d: &Tvb, hf: &Hf) -> Result<()> {
    let len = cx.add_u8(node, hf.COMPRESS_CERT_ALGS_LENGTH, d, 0)? as usize;
    for i in 0..len / 2 {
        cx.add_be_u16(node, hf.COMPRESS_CERT_ALG, d, 1 + 2 * i)?;
    }
    Ok(())
}
