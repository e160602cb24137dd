//! CoAP payloads by Content-Format (RFC 7252 §5.5, §12.3; the IANA "CoAP Content-Formats"
//! registry): the `coap.payload` summary tshark shows, then the payload's own layer.
//!
//! | Content-Format | shown as |
//! |---|---|
//! | text/plain (0), no format on 4.xx/5.xx (§5.5.2 diagnostic payload) | the `data-text-lines` layer |
//! | application/xml (41) | the `xml` layer |
//! | application/json (50, 51, 52), LwM2M JSON (1543, 11543) | the `json` layer |
//! | application/cbor (60) | the `cbor` layer |
//! | SenML JSON (110, 111, 320) and SenML CBOR (112, 113, 322), RFC 8428 | the `json`/`cbor` layer, and lowshark's `coap.payload.senml.record` per record (names and times resolved against bn/bt) |
//! | application/link-format (40), RFC 6690 | lowshark's `coap.payload.link` per link, `coap.payload.link.target`, `coap.payload.link.param` (tshark has no layer for it) |
//! | application/octet-stream (42), no Content-Format, anything else | the `data` layer, as tshark |
//!
//! The layers are found through the media-type table ([`crate::proto::media`]), under the
//! names tshark looks them up by (`text/plain` for Content-Format 0).

use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::Tvb;
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::proto::coap::{self, MsgInfo};
use crate::proto::media;
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
    /// Handed to the layer the media type names (`data-text-lines`, `json`, `cbor`, `xml`).
    Media(&'static str),
    /// SenML (RFC 8428): the JSON or CBOR layer, then lowshark's records under the payload.
    SenmlJson(&'static str),
    SenmlCbor(&'static str),
    /// RFC 6690 links, lowshark's own tree (tshark shows no layer for them).
    LinkFormat,
    Data,
}

/// The decoder for a Content-Format (None: no Content-Format option) in a message of `class`.
/// Text goes to the media table as `text/plain` (with or without the charset parameter, as
/// tshark looks it up).
pub fn decoder_for(ctype: Option<u32>, class: u8) -> Decoder {
    match ctype {
        None if (4..=5).contains(&class) => Decoder::Media("text/plain"),
        None => Decoder::Data,
        Some(0) => Decoder::Media("text/plain"),
        Some(40) => Decoder::LinkFormat,
        Some(v @ (110 | 111 | 320)) => Decoder::SenmlJson(media_type(v).unwrap_or("")),
        Some(v @ (112 | 113 | 322)) => Decoder::SenmlCbor(media_type(v).unwrap_or("")),
        Some(v @ (41 | 50 | 51 | 52 | 60 | 1543 | 11543)) => {
            Decoder::Media(media_type(v).unwrap_or(""))
        }
        Some(_) => Decoder::Data,
    }
}

/// Adds `coap.payload` (with `coap.payload_desc` and `coap.payload_length`) under the CoAP node,
/// then hands the payload to the layer of its media type; undecoded payloads go to the `data`
/// layer under `parent`.
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
    let p = cx.add(
        node,
        &coap::PAYLOAD,
        tvb.whole(),
        Value::str(coap::truncate_c(&summary, 80)),
    );
    cx.add(
        p,
        &coap::PAYLOAD_DESC,
        tvb.range(0, 0),
        Value::str(ctype_str.clone()),
    );
    cx.add_generated(p, &coap::PAYLOAD_LENGTH, Value::UInt(len as u64));
    if info.oscore {
        cx.set_text(p, "Encrypted OSCORE Data");
        cx.call_data(tvb, parent);
        return;
    }
    let whole = tvb.whole();
    let ok = match decoder_for(info.ctype, class) {
        Decoder::Media(t) => {
            if !media::call(cx, t, tvb, parent) {
                cx.call_data(tvb, parent);
            }
            true
        }
        Decoder::SenmlJson(t) => {
            media::call(cx, t, tvb, parent);
            let recs = serde_json::from_slice::<serde_json::Value>(tvb.data())
                .ok()
                .and_then(|v| senml_from_json(&v));
            senml(cx, p, whole, &recs)
        }
        Decoder::SenmlCbor(t) => {
            media::call(cx, t, tvb, parent);
            let recs = cbor_parse(tvb.data()).and_then(|v| senml_from_cbor(&v));
            senml(cx, p, whole, &recs)
        }
        Decoder::LinkFormat => {
            let s = String::from_utf8_lossy(tvb.data());
            link_format(cx, p, whole, &s)
        }
        Decoder::Data => {
            cx.call_data(tvb, parent);
            true
        }
    };
    if !ok {
        cx.expert_with(p, &coap::PAYLOAD_UNDECODABLE, || {
            format!("Payload does not parse as {ctype_str}")
        });
    }
}

/// Items shown per container.
const MAX_TREE_ITEMS: usize = 256;

/// Parses one CBOR data item that must fill the payload.
pub fn cbor_parse(data: &[u8]) -> Option<ciborium::Value> {
    let mut rd = data;
    let v: ciborium::Value = ciborium::de::from_reader(&mut rd).ok()?;
    rd.is_empty().then_some(v)
}

/// A SenML CBOR value as text: numbers, quoted strings, booleans, `h'..'` data.
fn cbor_scalar(v: &ciborium::Value) -> String {
    use ciborium::Value as V;
    match v {
        V::Integer(i) => i128::from(*i).to_string(),
        V::Float(f) => f.to_string(),
        V::Text(s) => serde_json::Value::String(s.clone()).to_string(),
        V::Bool(b) => b.to_string(),
        V::Bytes(b) => format!("h'{}'", crate::engine::value::hex_string(b)),
        V::Null => "null".into(),
        _ => "…".into(),
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
        let n = cx.add(p, &coap::PAYLOAD_SENML_RECORD, r, Value::str(summary));
        cx.add(n, &coap::PAYLOAD_SENML_NAME, r, Value::str(name));
        if let Some(u) = unit {
            cx.add(n, &coap::PAYLOAD_SENML_UNIT, r, Value::str(u));
        }
        if let Some(v) = value {
            cx.add(n, &coap::PAYLOAD_SENML_VALUE, r, Value::str(v));
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
        let n = cx.add(p, &coap::PAYLOAD_LINK, r, Value::str(text));
        cx.add(
            n,
            &coap::PAYLOAD_LINK_TARGET,
            r,
            Value::str(l.target.clone()),
        );
        for (k, v) in &l.params {
            let t = match v {
                Some(v) => format!("{k}={v}"),
                None => k.clone(),
            };
            cx.add(n, &coap::PAYLOAD_LINK_PARAM, r, Value::str(t));
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
        assert_eq!(p.packet.protocol_path(), "ip:udp:coap:data-text-lines");
        assert_eq!(p.show("coap.payload_desc"), ["text/plain; charset=utf-8"]);
        assert!(
            p.info().ends_with("2.05 Content (text/plain)"),
            "{}",
            p.info()
        );
        // No Content-Format on a 4.04: a diagnostic text (RFC 7252 §5.5.2).
        let p = dissect_one(228, &udp_back(5683, 40000, b"\x60\x84\x00\x01\xffnot here"));
        // Cut at 79 bytes, as tshark 4.0 does (its 80-byte buffer).
        assert_eq!(
            p.show("coap.payload"),
            ["Payload Content-Format: text/plain; charset=utf-8 (no Content-Format), Length: "]
        );
        assert_eq!(p.packet.protocol_path(), "ip:udp:coap:data-text-lines");
    }

    #[test]
    fn json_and_cbor_are_layers() {
        let p = content(50, br#"{"a":1,"b":[true,"x"]}"#);
        assert_eq!(p.packet.protocol_path(), "ip:udp:coap:json");
        assert_eq!(p.packet.columns.protocol, "CoAP/JSON");
        assert_eq!(p.show("json.key"), ["a", "b"]);
        assert_eq!(
            p.show("json.path_with_value"),
            ["/a:1", "/b/[]:true", "/b/[]:x"]
        );
        // What does not parse is text, as in tshark.
        let p = content(50, b"{broken");
        assert_eq!(p.packet.protocol_path(), "ip:udp:coap:json:data-text-lines");
        // RFC 8949 Appendix A: {"a": 1, "b": [2, 3]}.
        let p = content(60, &[0xa2, 0x61, 0x61, 0x01, 0x61, 0x62, 0x82, 0x02, 0x03]);
        assert_eq!(p.packet.protocol_path(), "ip:udp:coap:cbor");
        assert_eq!(p.show("cbor.type.textstring"), ["a", "b"]);
        assert_eq!(p.show("cbor.type.uint"), ["1", "2", "3"]);
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
            let _ = cbor_parse(&data);
            let _ = parse_links(&text);
            let _ = parse_links(&String::from_utf8_lossy(&data));
            for cf in [0u16, 40, 41, 50, 60, 110, 112] {
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
