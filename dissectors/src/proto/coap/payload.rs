//! CoAP payloads by Content-Format (RFC 7252 §5.5, §12.3; the IANA "CoAP Content-Formats"
//! registry): the `coap.payload` summary tshark shows, then a decoded subtree.
//!
//! | Content-Format | shown as |
//! |---|---|
//! | text/plain (0), application/xml (41), no format on 4.xx/5.xx (§5.5.2 diagnostic payload) | `coap.payload.text` |
//! | application/json (50, 51, 52), LwM2M JSON (1543, 11543) | `coap.payload.json` (pretty printed) with a `coap.payload.item` tree |
//! | application/cbor (60), CWT (61), CBOR-based formats | `coap.payload.cbor` (RFC 8949 §8 diagnostic notation) with a `coap.payload.item` tree |
//! | SenML JSON (110, 111, 320) and SenML CBOR (112, 113, 322), RFC 8428 | `coap.payload.senml.record` per record, names/times resolved against bn/bt |
//! | application/link-format (40), RFC 6690 | `coap.payload.link` per link, `coap.payload.link.target`, `coap.payload.link.param` |
//! | application/octet-stream (42), no Content-Format, anything else | the `data` layer, as tshark |
//!
//! tshark hands these payloads to separate protocols (`data-text-lines`, `json`, `cbor`, `xml`);
//! lowshark keeps them inside the CoAP tree under its own `coap.payload.*` fields (declared in
//! [`crate::proto::coap`], since a protocol has one field list).

use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::Tvb;
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::proto::coap::{self, MsgInfo};
use std::fmt::Write;

/// tshark 4.0's Content-Format names.
const MEDIA_TYPES: &[(u32, &str)] = &[
    (0, "text/plain; charset=utf-8"),
    (40, "application/link-format"),
    (41, "application/xml"),
    (42, "application/octet-stream"),
    (47, "application/exi"),
    (50, "application/json"),
    (51, "application/json-patch+json"),
    (52, "application/merge-patch+json"),
    (60, "application/cbor"),
    (61, "application/cwt"),
    (62, "application/multipart-core"),
    (96, "application/cose; cose-type=\"cose-encrypt\""),
    (97, "application/cose; cose-type=\"cose-mac\""),
    (98, "application/cose; cose-type=\"cose-sign\""),
    (101, "application/cose-key"),
    (102, "application/cose-key-set"),
    (110, "application/senml+json"),
    (111, "application/sensml+json"),
    (112, "application/senml+cbor"),
    (113, "application/sensml+cbor"),
    (114, "application/senml-exi"),
    (115, "application/sensml-exi"),
    (256, "application/coap-group+json"),
    (271, "application/dots+cbor"),
    (272, "application/missing-blocks+cbor-seq"),
    (
        280,
        "application/pkcs7-mime; smime-type=server-generated-key",
    ),
    (281, "application/pkcs7-mime; smime-type=certs-only"),
    (284, "application/pkcs8"),
    (285, "application/csrattrs"),
    (286, "application/pkcs10"),
    (287, "application/pkix-cert"),
    (310, "application/senml+xml"),
    (311, "application/sensml+xml"),
    (320, "application/senml-etch+json"),
    (322, "application/senml-etch+cbor"),
    (432, "application/td+json"),
    (1542, "application/vnd.oma.lwm2m+tlv"),
    (1543, "application/vnd.oma.lwm2m+json"),
    (10000, "application/vnd.ocf+cbor"),
    (10001, "application/oscore"),
    (11542, "application/vnd.oma.lwm2m+tlv"),
    (11543, "application/vnd.oma.lwm2m+json"),
];

/// The media type of a Content-Format number, as tshark names it.
pub fn media_type(v: u32) -> Option<&'static str> {
    MEDIA_TYPES.iter().find(|(k, _)| *k == v).map(|(_, s)| *s)
}

/// How a payload is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    Text,
    Json,
    Cbor,
    SenmlJson,
    SenmlCbor,
    LinkFormat,
    Data,
}

/// The decoder for a Content-Format (None: no Content-Format option) in a message of `class`.
pub fn decoder_for(ctype: Option<u32>, class: u8) -> Decoder {
    match ctype {
        None if (4..=5).contains(&class) => Decoder::Text,
        None => Decoder::Data,
        Some(0 | 41) => Decoder::Text,
        Some(40) => Decoder::LinkFormat,
        Some(50 | 51 | 52 | 256 | 432 | 1543 | 11543) => Decoder::Json,
        Some(110 | 111 | 320) => Decoder::SenmlJson,
        Some(112 | 113 | 322) => Decoder::SenmlCbor,
        Some(60 | 61 | 101 | 102 | 271 | 10000) => Decoder::Cbor,
        Some(_) => Decoder::Data,
    }
}

/// Adds `coap.payload` (with `coap.payload_desc` and `coap.payload_length`) under the CoAP node
/// and the decoded subtree; undecoded payloads go to the `data` layer under `parent`.
pub fn dissect_payload(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    class: u8,
    info: &MsgInfo,
) {
    let len = tvb.len();
    let ctype_str = match info.ctype {
        None if (4..=5).contains(&class) => "text/plain; charset=utf-8".to_string(),
        None => "application/octet-stream".to_string(),
        Some(v) => coap::ctype_name(v),
    };
    let summary = format!(
        "Payload Content-Format: {ctype_str}{}, Length: {len}",
        if info.ctype.is_none() {
            " (no Content-Format)"
        } else {
            ""
        }
    );
    // tshark builds this in an 80-byte buffer; the filter value is what fits.
    let p = cx.add_with(node, &coap::PAYLOAD, tvb.whole(), || {
        Value::str(coap::truncate_c(&summary, 80))
    });
    cx.add_with(p, &coap::PAYLOAD_DESC, tvb.range(0, 0), || {
        Value::str(ctype_str.clone())
    });
    cx.add_generated(p, &coap::PAYLOAD_LENGTH, Value::UInt(len as u64));
    if info.oscore {
        cx.set_text(p, "Encrypted OSCORE Data");
        cx.call_data(tvb, parent);
        return;
    }
    let data = tvb.data();
    let whole = tvb.whole();
    let ok = match decoder_for(info.ctype, class) {
        Decoder::Text => {
            // tshark's text dissector notes the media type in the Info column.
            if matches!(info.ctype, None | Some(0)) {
                cx.columns.info.push_str(" (text/plain)");
            }
            let s = String::from_utf8_lossy(data).into_owned();
            cx.add_with(p, &coap::PAYLOAD_TEXT, whole, || Value::str(s));
            true
        }
        Decoder::Json => match serde_json::from_slice::<serde_json::Value>(data) {
            Ok(v) => {
                let s = format!(", JavaScript Object Notation ({ctype_str})");
                cx.columns.info.push_str(&s);
                let pretty = serde_json::to_string_pretty(&v).unwrap_or_default();
                let n = cx.add_with(p, &coap::PAYLOAD_JSON, whole, || Value::str(pretty));
                json_tree(cx, n, whole, None, &v, 0);
                true
            }
            Err(_) => false,
        },
        Decoder::SenmlJson => match serde_json::from_slice::<serde_json::Value>(data) {
            Ok(v) => senml(cx, p, whole, &senml_from_json(&v)),
            Err(_) => false,
        },
        Decoder::Cbor | Decoder::SenmlCbor => match cbor_parse(data) {
            Some(v) => {
                let senml_ok = decoder_for(info.ctype, class) == Decoder::SenmlCbor
                    && senml(cx, p, whole, &senml_from_cbor(&v));
                if !senml_ok {
                    let mut diag = String::new();
                    cbor_diag(&mut diag, &v, 0);
                    let n = cx.add_with(p, &coap::PAYLOAD_CBOR, whole, || Value::str(diag));
                    cbor_tree(cx, n, whole, None, &v, 0);
                }
                decoder_for(info.ctype, class) == Decoder::Cbor || senml_ok
            }
            None => match cbor_diag_raw(data) {
                Some(diag) => {
                    cx.add_with(p, &coap::PAYLOAD_CBOR, whole, || Value::str(diag));
                    decoder_for(info.ctype, class) == Decoder::Cbor
                }
                None => false,
            },
        },
        Decoder::LinkFormat => {
            let s = String::from_utf8_lossy(data);
            link_format(cx, p, whole, &s)
        }
        Decoder::Data => {
            cx.call_data(tvb, parent);
            true
        }
    };
    if !ok {
        cx.expert(
            p,
            &coap::PAYLOAD_UNDECODABLE,
            Some(format!("Payload does not parse as {ctype_str}")),
        );
    }
}

/// Nesting beyond this is summarised rather than expanded (hostile payloads).
const MAX_TREE_DEPTH: usize = 16;
/// Items per container shown in the tree.
const MAX_TREE_ITEMS: usize = 256;

fn json_scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => format!("{{{} members}}", m.len()),
        serde_json::Value::Array(a) => format!("[{} items]", a.len()),
        other => other.to_string(),
    }
}

fn json_tree(
    cx: &mut Cx,
    parent: NodeId,
    r: ByteRange,
    key: Option<&str>,
    v: &serde_json::Value,
    depth: usize,
) {
    if depth >= MAX_TREE_DEPTH {
        return;
    }
    let children: Vec<(String, &serde_json::Value)> = match v {
        serde_json::Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("[{i}]"), v))
            .collect(),
        _ => return,
    };
    let _ = key;
    for (k, c) in children.into_iter().take(MAX_TREE_ITEMS) {
        let label = format!("{k}: {}", json_scalar(c));
        let n = cx.add_with(parent, &coap::PAYLOAD_ITEM, r, || Value::str(label));
        json_tree(cx, n, r, Some(&k), c, depth + 1);
    }
}

/// Parses one CBOR data item that must fill the payload.
pub fn cbor_parse(data: &[u8]) -> Option<ciborium::Value> {
    let mut rd = data;
    let v: ciborium::Value = ciborium::de::from_reader(&mut rd).ok()?;
    rd.is_empty().then_some(v)
}

/// Diagnostic notation straight from the bytes, for what ciborium refuses (unassigned simple
/// values such as `simple(16)`, RFC 8949 §3.3): one item that must fill `data`.
pub fn cbor_diag_raw(data: &[u8]) -> Option<String> {
    let mut out = String::new();
    let used = raw_item(data, 0, &mut out, 0)?;
    (used == data.len()).then_some(out)
}

/// Reads the argument of the head at `off`: (major type, additional info, value, next offset).
fn raw_head(d: &[u8], off: usize) -> Option<(u8, u8, u64, usize)> {
    let b = *d.get(off)?;
    let (major, ai) = (b >> 5, b & 0x1f);
    let n = match ai {
        0..=23 => return Some((major, ai, ai as u64, off + 1)),
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        31 => return Some((major, ai, 0, off + 1)),
        _ => return None,
    };
    let bytes = d.get(off + 1..off + 1 + n)?;
    let v = bytes.iter().fold(0u64, |a, &x| (a << 8) | x as u64);
    Some((major, ai, v, off + 1 + n))
}

fn half_to_f64(h: u16) -> f64 {
    let exp = ((h >> 10) & 0x1f) as i32;
    let mant = (h & 0x3ff) as f64;
    let v = match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + mant / 1024.0) * 2f64.powi(e - 15),
    };
    if h & 0x8000 != 0 {
        -v
    } else {
        v
    }
}

fn raw_item(d: &[u8], off: usize, out: &mut String, depth: usize) -> Option<usize> {
    if depth > 64 {
        return None;
    }
    let (major, ai, v, mut o) = raw_head(d, off)?;
    let indefinite = ai == 31;
    match major {
        0 => {
            let _ = write!(out, "{v}");
        }
        1 => {
            let _ = write!(out, "{}", -1 - v as i128);
        }
        2 | 3 => {
            if indefinite {
                out.push_str("(_ ");
                let mut first = true;
                while *d.get(o)? != 0xff {
                    if !first {
                        out.push_str(", ");
                    }
                    first = false;
                    o = raw_item(d, o, out, depth + 1)?;
                }
                out.push(')');
                return Some(o + 1);
            }
            let len = usize::try_from(v).ok()?;
            let b = d.get(o..o.checked_add(len)?)?;
            if major == 2 {
                let _ = write!(out, "h'{}'", crate::engine::value::hex_string(b));
            } else {
                let t = String::from_utf8_lossy(b).into_owned();
                let _ = write!(out, "{}", serde_json::Value::String(t));
            }
            o += len;
        }
        4 | 5 => {
            out.push(if major == 4 { '[' } else { '{' });
            if indefinite {
                out.push_str("_ ");
            }
            let mut i = 0u64;
            loop {
                if indefinite {
                    if *d.get(o)? == 0xff {
                        o += 1;
                        break;
                    }
                } else if i == v {
                    break;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                o = raw_item(d, o, out, depth + 1)?;
                if major == 5 {
                    out.push_str(": ");
                    o = raw_item(d, o, out, depth + 1)?;
                }
                i += 1;
            }
            out.push(if major == 4 { ']' } else { '}' });
        }
        6 => {
            let _ = write!(out, "{v}(");
            o = raw_item(d, o, out, depth + 1)?;
            out.push(')');
        }
        _ => match ai {
            20 => out.push_str("false"),
            21 => out.push_str("true"),
            22 => out.push_str("null"),
            23 => out.push_str("undefined"),
            24 => {
                let _ = write!(out, "simple({v})");
            }
            25 => write_float(out, half_to_f64(v as u16)),
            26 => write_float(out, f32::from_bits(v as u32) as f64),
            27 => write_float(out, f64::from_bits(v)),
            31 => return None,
            _ => {
                let _ = write!(out, "simple({v})");
            }
        },
    }
    Some(o)
}

fn write_float(out: &mut String, f: f64) {
    cbor_diag(out, &ciborium::Value::Float(f), 0);
}

/// RFC 8949 §8 diagnostic notation.
pub fn cbor_diag(out: &mut String, v: &ciborium::Value, depth: usize) {
    use ciborium::Value as V;
    if depth > 64 {
        out.push_str("...");
        return;
    }
    match v {
        V::Integer(i) => {
            let _ = write!(out, "{}", i128::from(*i));
        }
        V::Bytes(b) => {
            let _ = write!(out, "h'{}'", crate::engine::value::hex_string(b));
        }
        V::Float(f) => {
            if f.is_nan() {
                out.push_str("NaN");
            } else if f.is_infinite() {
                out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" });
            } else if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{f:.1}");
            } else {
                let _ = write!(out, "{f}");
            }
        }
        V::Text(s) => {
            let _ = write!(out, "{}", serde_json::Value::String(s.clone()));
        }
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Null => out.push_str("null"),
        V::Tag(t, inner) => {
            let _ = write!(out, "{t}(");
            cbor_diag(out, inner, depth + 1);
            out.push(')');
        }
        V::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                cbor_diag(out, x, depth + 1);
            }
            out.push(']');
        }
        V::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                cbor_diag(out, k, depth + 1);
                out.push_str(": ");
                cbor_diag(out, x, depth + 1);
            }
            out.push('}');
        }
        _ => out.push_str("undefined"),
    }
}

fn cbor_scalar(v: &ciborium::Value) -> String {
    match v {
        ciborium::Value::Array(a) => format!("[{} items]", a.len()),
        ciborium::Value::Map(m) => format!("{{{} pairs}}", m.len()),
        other => {
            let mut s = String::new();
            cbor_diag(&mut s, other, 0);
            s
        }
    }
}

fn cbor_tree(
    cx: &mut Cx,
    parent: NodeId,
    r: ByteRange,
    _key: Option<&str>,
    v: &ciborium::Value,
    depth: usize,
) {
    if depth >= MAX_TREE_DEPTH {
        return;
    }
    let children: Vec<(String, &ciborium::Value)> = match v {
        ciborium::Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("[{i}]"), v))
            .collect(),
        ciborium::Value::Map(m) => m.iter().map(|(k, v)| (cbor_scalar(k), v)).collect(),
        ciborium::Value::Tag(t, inner) => vec![(format!("tag {t}"), inner.as_ref())],
        _ => return,
    };
    for (k, c) in children.into_iter().take(MAX_TREE_ITEMS) {
        let n = cx.add_with(parent, &coap::PAYLOAD_ITEM, r, || {
            Value::str(format!("{k}: {}", cbor_scalar(c)))
        });
        cbor_tree(cx, n, r, None, c, depth + 1);
    }
}

// ---- SenML (RFC 8428) --------------------------------------------------------------------------

/// One SenML record's fields, already in text form.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SenmlRecord {
    pub bn: Option<String>,
    pub bt: Option<f64>,
    pub bu: Option<String>,
    pub bv: Option<f64>,
    pub n: Option<String>,
    pub u: Option<String>,
    /// Rendered value: number, string, boolean or data.
    pub value: Option<String>,
    pub v: Option<f64>,
    pub s: Option<f64>,
    pub t: Option<f64>,
}

/// Records of a SenML JSON pack (None when it is not an array of objects).
pub fn senml_from_json(v: &serde_json::Value) -> Option<Vec<SenmlRecord>> {
    let arr = v.as_array()?;
    let mut out = vec![];
    for r in arr {
        let o = r.as_object()?;
        let s = |k: &str| o.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let f = |k: &str| o.get(k).and_then(|x| x.as_f64());
        let value = if let Some(v) = o.get("v") {
            Some(v.to_string())
        } else if let Some(v) = o.get("vs") {
            Some(v.to_string())
        } else if let Some(v) = o.get("vb") {
            Some(v.to_string())
        } else {
            o.get("vd").map(|v| format!("data {v}"))
        };
        out.push(SenmlRecord {
            bn: s("bn"),
            bt: f("bt"),
            bu: s("bu"),
            bv: f("bv"),
            n: s("n"),
            u: s("u"),
            value,
            v: f("v"),
            s: f("s"),
            t: f("t"),
        });
    }
    Some(out)
}

fn cbor_f64(v: &ciborium::Value) -> Option<f64> {
    match v {
        ciborium::Value::Integer(i) => Some(i128::from(*i) as f64),
        ciborium::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Records of a SenML CBOR pack (RFC 8428 §6: integer labels).
pub fn senml_from_cbor(v: &ciborium::Value) -> Option<Vec<SenmlRecord>> {
    let arr = v.as_array()?;
    let mut out = vec![];
    for r in arr {
        let m = r.as_map()?;
        let mut rec = SenmlRecord::default();
        for (k, x) in m {
            let key = match k {
                ciborium::Value::Integer(i) => i128::from(*i),
                _ => continue,
            };
            let text = || x.as_text().map(str::to_string);
            match key {
                -2 => rec.bn = text(),
                -3 => rec.bt = cbor_f64(x),
                -4 => rec.bu = text(),
                -5 => rec.bv = cbor_f64(x),
                0 => rec.n = text(),
                1 => rec.u = text(),
                2 => {
                    rec.v = cbor_f64(x);
                    rec.value = Some(cbor_scalar(x));
                }
                3 | 4 | 8 => rec.value = Some(cbor_scalar(x)),
                5 => rec.s = cbor_f64(x),
                6 => rec.t = cbor_f64(x),
                _ => {}
            }
        }
        out.push(rec);
    }
    Some(out)
}

/// Adds the records with base values applied (RFC 8428 §4.6); false when `recs` is None.
fn senml(cx: &mut Cx, p: NodeId, r: ByteRange, recs: &Option<Vec<SenmlRecord>>) -> bool {
    let Some(recs) = recs else {
        return false;
    };
    let (mut bn, mut bt, mut bu, mut bv) = (String::new(), 0.0f64, None::<String>, None::<f64>);
    for (i, rec) in recs.iter().enumerate().take(MAX_TREE_ITEMS) {
        if let Some(b) = &rec.bn {
            bn = b.clone();
        }
        if let Some(b) = rec.bt {
            bt = b;
        }
        if rec.bu.is_some() {
            bu = rec.bu.clone();
        }
        if rec.bv.is_some() {
            bv = rec.bv;
        }
        let name = format!("{bn}{}", rec.n.as_deref().unwrap_or(""));
        let unit = rec.u.clone().or_else(|| bu.clone());
        let value = match (rec.v, bv) {
            (Some(v), Some(b)) => Some(format!("{}", v + b)),
            _ => rec.value.clone(),
        };
        let time = bt + rec.t.unwrap_or(0.0);
        let mut summary = format!("#{}: {name}", i + 1);
        if let Some(v) = &value {
            let _ = write!(summary, " = {v}");
        }
        if let Some(u) = &unit {
            let _ = write!(summary, " {u}");
        }
        let n = cx.add_with(p, &coap::PAYLOAD_SENML_RECORD, r, || Value::str(summary));
        cx.add_with(n, &coap::PAYLOAD_SENML_NAME, r, || Value::str(name));
        if let Some(u) = unit {
            cx.add_with(n, &coap::PAYLOAD_SENML_UNIT, r, || Value::str(u));
        }
        if let Some(v) = value {
            cx.add_with(n, &coap::PAYLOAD_SENML_VALUE, r, || Value::str(v));
        }
        cx.add(n, &coap::PAYLOAD_SENML_TIME, r, Value::Double(time));
    }
    true
}

// ---- link format (RFC 6690) --------------------------------------------------------------------

/// One link: its target and its parameters as written (`rt="temperature"`, `obs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub target: String,
    pub params: Vec<(String, Option<String>)>,
}

/// Parses a link-format document (RFC 6690 §2); None when it is not one.
pub fn parse_links(s: &str) -> Option<Vec<Link>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = vec![];
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] as char).is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            break;
        }
        if b[i] != b'<' {
            return None;
        }
        let close = s[i..].find('>')? + i;
        let target = s[i + 1..close].to_string();
        i = close + 1;
        let mut params = vec![];
        loop {
            skip_ws(&mut i);
            if i >= b.len() || b[i] == b',' {
                i += 1;
                break;
            }
            if b[i] != b';' {
                return None;
            }
            i += 1;
            let start = i;
            while i < b.len() && !matches!(b[i], b'=' | b';' | b',') {
                i += 1;
            }
            let name = s[start..i].trim().to_string();
            let mut value = None;
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && b[i] == b'"' {
                    let mut v = String::new();
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' && i + 1 < b.len() {
                            i += 1;
                        }
                        let ch = s[i..].chars().next()?;
                        v.push(ch);
                        i += ch.len_utf8();
                    }
                    if i >= b.len() {
                        return None;
                    }
                    i += 1;
                    value = Some(format!("\"{v}\""));
                } else {
                    let st = i;
                    while i < b.len() && !matches!(b[i], b';' | b',') {
                        i += 1;
                    }
                    value = Some(s[st..i].to_string());
                }
            }
            params.push((name, value));
        }
        out.push(Link { target, params });
    }
    Some(out)
}

fn link_format(cx: &mut Cx, p: NodeId, r: ByteRange, s: &str) -> bool {
    let Some(links) = parse_links(s) else {
        return false;
    };
    for l in links.iter().take(4 * MAX_TREE_ITEMS) {
        let mut text = format!("<{}>", l.target);
        for (k, v) in &l.params {
            text.push(';');
            text.push_str(k);
            if let Some(v) = v {
                text.push('=');
                text.push_str(v);
            }
        }
        let n = cx.add_with(p, &coap::PAYLOAD_LINK, r, || Value::str(text));
        cx.add_with(n, &coap::PAYLOAD_LINK_TARGET, r, || {
            Value::str(l.target.clone())
        });
        for (k, v) in &l.params {
            let t = match v {
                Some(v) => format!("{k}={v}"),
                None => k.clone(),
            };
            cx.add_with(n, &coap::PAYLOAD_LINK_PARAM, r, || Value::str(t));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::coap::tests::udp_back;
    use crate::testutil::dissect_one;

    /// A 2.05 response with Content-Format `cf` and `payload`.
    fn content(cf: u16, payload: &[u8]) -> crate::testutil::TestPacket {
        let mut m = vec![0x60, 0x45, 0x00, 0x01, 0xc2];
        m.extend_from_slice(&cf.to_be_bytes());
        m.push(0xff);
        m.extend_from_slice(payload);
        dissect_one(228, &udp_back(5683, 40000, &m))
    }

    #[test]
    fn text_and_diagnostic_payloads() {
        let p = content(0, b"hello\nworld");
        assert_eq!(p.show("coap.payload.text"), ["hello\nworld"]);
        assert_eq!(p.show("coap.payload_desc"), ["text/plain; charset=utf-8"]);
        // No Content-Format on a 4.04: a diagnostic text (RFC 7252 §5.5.2).
        let p = dissect_one(228, &udp_back(5683, 40000, b"\x60\x84\x00\x01\xffnot here"));
        // Cut at 79 bytes, as tshark 4.0 does (its 80-byte buffer).
        assert_eq!(
            p.show("coap.payload"),
            ["Payload Content-Format: text/plain; charset=utf-8 (no Content-Format), Length: "]
        );
        assert_eq!(p.show("coap.payload.text"), ["not here"]);
    }

    #[test]
    fn json_is_pretty_printed_with_a_tree() {
        let p = content(50, br#"{"a":1,"b":[true,"x"]}"#);
        assert_eq!(
            p.show("coap.payload.json"),
            ["{\n  \"a\": 1,\n  \"b\": [\n    true,\n    \"x\"\n  ]\n}"]
        );
        assert_eq!(
            p.show("coap.payload.item"),
            ["a: 1", "b: [2 items]", "[0]: true", "[1]: \"x\""]
        );
        let p = content(50, b"{broken");
        assert!(p.has("coap.payload.undecodable"));
    }

    #[test]
    fn cbor_in_diagnostic_notation() {
        // RFC 8949 Appendix A: {"a": 1, "b": [2, 3]} and a tagged byte string.
        let p = content(60, &[0xa2, 0x61, 0x61, 0x01, 0x61, 0x62, 0x82, 0x02, 0x03]);
        assert_eq!(p.show("coap.payload.cbor"), ["{\"a\": 1, \"b\": [2, 3]}"]);
        assert_eq!(
            p.show("coap.payload.item"),
            ["\"a\": 1", "\"b\": [2 items]", "[0]: 2", "[1]: 3"]
        );
        let p = content(60, &[0xd8, 0x20, 0x42, 0xca, 0xfe, 0xf9, 0x3c, 0x00]);
        assert!(p.has("coap.payload.undecodable"), "trailing bytes");
        let p = content(60, &[0xd8, 0x20, 0x42, 0xca, 0xfe]);
        assert_eq!(p.show("coap.payload.cbor"), ["32(h'cafe')"]);
        let p = content(60, &[0x9f, 0x01]);
        assert!(p.has("coap.payload.undecodable"));
        // Unassigned simple values (RFC 8949 Appendix A) go through the fallback decoder.
        let p = content(60, &[0xf0]);
        assert_eq!(p.show("coap.payload.cbor"), ["simple(16)"]);
        assert_eq!(cbor_diag_raw(&[0xf8, 0xff]).as_deref(), Some("simple(255)"));
        assert_eq!(
            cbor_diag_raw(&[0x9f, 0x01, 0x82, 0x02, 0x03, 0xff]).as_deref(),
            Some("[_ 1, [2, 3]]")
        );
        assert_eq!(
            cbor_diag_raw(&[0x7f, 0x62, b'a', b'b', 0x61, b'c', 0xff]).as_deref(),
            Some("(_ \"ab\", \"c\")")
        );
        assert_eq!(cbor_diag_raw(&[0xf9, 0x3c, 0x00]).as_deref(), Some("1.0"));
        assert_eq!(
            cbor_diag_raw(&[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).as_deref(),
            Some("-18446744073709551616")
        );
        assert!(cbor_diag_raw(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(cbor_diag_raw(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_none());
    }

    #[test]
    fn senml_json_and_cbor() {
        // RFC 8428 §5.1.2: base name, base time, two records.
        let j = br#"[{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.276020076001e+09,"bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},{"n":"current","t":-5,"v":1.2}]"#;
        let p = content(110, j);
        assert_eq!(
            p.show("coap.payload.senml.name"),
            [
                "urn:dev:ow:10e2073a01080063:voltage",
                "urn:dev:ow:10e2073a01080063:current"
            ]
        );
        assert_eq!(p.show("coap.payload.senml.unit"), ["V", "A"]);
        assert_eq!(p.show("coap.payload.senml.value"), ["120.1", "1.2"]);
        assert_eq!(
            p.show("coap.payload.senml.time"),
            ["1276020076.001", "1276020071.001"]
        );
        // The same first record in SenML CBOR (RFC 8428 §6): {-2: bn, 0: "voltage", 2: 120.1}.
        let mut c = vec![0x81, 0xa3, 0x21, 0x63, b'd', b'e', b'v', 0x00];
        c.extend_from_slice(&[0x67, b'v', b'o', b'l', b't', b'a', b'g', b'e', 0x02]);
        c.extend_from_slice(&[0xfb, 0x40, 0x5e, 0x06, 0x66, 0x66, 0x66, 0x66, 0x66]);
        let p = content(112, &c);
        assert_eq!(p.show("coap.payload.senml.name"), ["devvoltage"]);
        assert_eq!(p.show("coap.payload.senml.value"), ["120.1"]);
    }

    #[test]
    fn link_format_links_and_attributes() {
        // RFC 6690 §5 example.
        let doc = br#"</sensors/temp>;rt="temperature-c";if="sensor";obs,</sensors/light>;ct=41;title="Light \"lux\"""#;
        let links = parse_links(std::str::from_utf8(doc).unwrap()).unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].target, "/sensors/temp");
        assert_eq!(links[0].params[2], ("obs".to_string(), None));
        assert_eq!(
            links[1].params[1],
            ("title".to_string(), Some("\"Light \"lux\"\"".to_string()))
        );
        let p = content(40, doc);
        assert_eq!(
            p.show("coap.payload.link.target"),
            ["/sensors/temp", "/sensors/light"]
        );
        assert_eq!(
            p.show("coap.payload.link.param")[..3],
            ["rt=\"temperature-c\"", "if=\"sensor\"", "obs"]
        );
        assert!(parse_links("no link").is_none());
        let p = content(40, b"</a>;x=\"unterminated");
        assert!(p.has("coap.payload.undecodable"));
    }

    proptest::proptest! {
        #[test]
        fn decoders_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200), text in ".{0,120}") {
            let _ = cbor_diag_raw(&data);
            let _ = cbor_parse(&data);
            let _ = parse_links(&text);
            let _ = parse_links(&String::from_utf8_lossy(&data));
            for cf in [40u16, 50, 60, 110, 112] {
                let _ = content(cf, &data);
            }
        }
    }

    #[test]
    fn octet_stream_goes_to_data() {
        let p = content(42, &[1, 2, 3]);
        assert_eq!(p.show("data.data"), ["01:02:03"]);
        assert_eq!(decoder_for(Some(1542), 2), Decoder::Data);
        assert_eq!(media_type(11543), Some("application/vnd.oma.lwm2m+json"));
    }
}
