//! Transport Layer Security (RFC 8446 TLS 1.3, RFC 5246 TLS 1.2) over TCP, and DTLS
//! ([`dtls`], RFC 6347 / RFC 9147) over UDP, with tshark 4.0's fields. lowshark does not
//! decrypt: handshake messages are decoded while they are in the clear, the rest is shown as
//! encrypted records, labelled with the protocol they carry (ALPN, STARTTLS or the port: MQTT
//! on 8883, HTTP on 443).
//!
//! ```text
//! +--------+--------+--------+--------+--------+---------------------------+
//! |  type  |     version     |     length      |  fragment (length bytes)  |
//! +--------+--------+--------+--------+--------+---------------------------+
//!   20 change_cipher_spec  21 alert  22 handshake  23 application_data  24 heartbeat
//! ```
//! Over TCP each record is one PDU ([`tls_record_len`]); a record spread over segments is
//! reassembled first. As in tshark, the records one call decodes share one `tls` layer: the
//! records of a segment do, a record reassembled from earlier segments gets its own, and a
//! segment that only starts a record shows an empty layer ([`partial_start`]).
//!
//! Per connection lowshark remembers the negotiated version (TLS 1.3 records carry an
//! `opaque_type`, and the hellos' random is not shown as a time), the cipher suite (which key
//! exchange the key exchange messages use), ALPN, and when each side sent ChangeCipherSpec
//! (handshake and alert records after it are encrypted).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::val_to_str;
use crate::engine::registry::{tables, PduLen, Protocol, Registry, StreamPdus};
use crate::engine::tree::{NodeId, SourceId};
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::engine::{Endian, Item};
use std::collections::HashMap;

pub mod dtls;
pub mod ext;
pub mod fields;
pub mod handshake;
pub mod names;
#[cfg(test)]
mod tests;

use fields::{tls as f, Hf};
use names::{ALERT_DESCRIPTIONS, ALERT_LEVELS};

crate::experts! {
    RECORD_LENGTH_INVALID = ExpertDef::new("tls.record.length.invalid", Group::Malformed, Severity::Error, "Record fragment length is too small or too large");
}

/// The `tls` layer's own field.
static PROTO: crate::engine::field::FieldDef =
    crate::engine::field::FieldDef::protocol("tls", "Transport Layer Security");

pub static PROTOCOL: Protocol = Protocol {
    name: "tls",
    short_name: "TLS",
    field: &PROTO,
    fields: f::FIELDS,
    experts: EXPERTS,
    prefs: &[],
    dissect,
    register,
};

/// TLS records are the PDUs of a TLS byte stream.
static STREAM_PDUS: StreamPdus = StreamPdus {
    pdu_len: tls_record_len,
    clears_info: false,
    shows_pdu_size: false,
    partial: Some(partial_start),
};

/// The TCP ports tshark 4.0 decodes as TLS (besides those protocols register with
/// [`register_port`]), and the name of the protocol each carries.
const PORTS: &[(u16, &str)] = &[
    (324, "RPKI-Router Protocol"),
    (465, "Simple Mail Transfer Protocol"),
    (636, "Lightweight Directory Access Protocol"),
    (802, "Modbus/TCP"),
    (853, "Domain Name System"),
    (993, "Internet Message Access Protocol"),
    (995, "Post Office Protocol"),
    (1300, "Q.931"),
    (2221, "EtherNet/IP (Industrial Protocol)"),
    (2443, "Skinny Client Control Protocol"),
    (3249, "Omni-Path Fabric Management"),
    (3250, "Omni-Path Fabric Management"),
    (3251, "Omni-Path Fabric Management"),
    (3252, "Omni-Path Fabric Management"),
    (3496, "Diagnostic over IP"),
    (5061, "Session Initiation Protocol"),
    (5671, "Advanced Message Queueing Protocol"),
    (5684, "Constrained Application Protocol"),
    (5868, "Diameter Protocol"),
    (11207, "Couchbase Protocol"),
    (19999, "Distributed Network Protocol 3.0"),
    (27017, "Mongo Wire Protocol"),
];

/// ALPN protocol IDs (RFC 7301) and the protocol tshark names for them.
const ALPN_PROTOCOLS: &[(&str, &str)] = &[
    ("http/1.1", "Hypertext Transfer Protocol"),
    ("http/1.0", "Hypertext Transfer Protocol"),
    ("h2", "HyperText Transfer Protocol 2"),
    ("h2c", "HyperText Transfer Protocol 2"),
    ("h3", "Hypertext Transfer Protocol Version 3"),
    ("mqtt", "MQ Telemetry Transport Protocol"),
    ("coap", "Constrained Application Protocol"),
    ("xmpp-client", "XMPP Protocol"),
    ("xmpp-server", "XMPP Protocol"),
    ("dot", "Domain Name System"),
    ("imap", "Internet Message Access Protocol"),
    ("pop3", "Post Office Protocol"),
    ("ftp", "File Transfer Protocol (FTP)"),
];

fn register(r: &mut Registry) {
    r.add(tables::TCP_PORT, 443, &PROTOCOL);
    for (port, _) in PORTS {
        r.add(tables::TCP_PORT, *port as u64, &PROTOCOL);
    }
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
    r.add_heuristic(tables::TCP_HEUR, &PROTOCOL, looks_like_tls);
}

/// Says that `proto` runs over TLS on TCP `port` (tshark's `ssl_dissector_add`): the port is
/// decoded as TLS, and its application data is labelled as `proto`.
pub fn register_port(r: &mut Registry, port: u16, proto: &'static Protocol) {
    r.add(tables::TLS_PORT, port as u64, proto);
    r.add(tables::TCP_PORT, port as u64, &PROTOCOL);
}

/// PDU length of a TLS record (RFC 8446 §5.1: type, version, 16-bit length).
pub fn tls_record_len(b: &[u8]) -> PduLen {
    match b {
        // Fewer bytes than a record header: tshark waits for more before looking at them.
        _ if b.len() < 5 => PduLen::NeedMore,
        [t, 3, _, hi, lo, ..] if (20..=24).contains(t) => {
            PduLen::Complete(5 + u16::from_be_bytes([*hi, *lo]) as usize)
        }
        [t, ..] if !(20..=24).contains(t) => PduLen::NotMine,
        [_, v, ..] if *v != 3 => PduLen::NotMine,
        _ => PduLen::NeedMore,
    }
}

/// The TCP heuristic: a record header with a known content type, an SSL 3.0 to TLS 1.3
/// version and a length a record can have (RFC 8446 §5.2: at most 2^14 + 256).
fn looks_like_tls(tvb: &Tvb, _: &Cx) -> bool {
    match tvb.data() {
        [t, 3, minor, hi, lo, ..] => {
            (20..=23).contains(t)
                && *minor <= 4
                && (1..=16384 + 2048).contains(&u16::from_be_bytes([*hi, *lo]))
        }
        _ => false,
    }
}

/// What lowshark remembers about one TLS or DTLS connection.
#[derive(Clone, Default, Debug)]
pub struct Conn {
    /// The negotiated version, once a ServerHello said it.
    pub version: Option<u16>,
    pub suite: Option<u16>,
    pub alpn: Option<String>,
    pub sni: Option<String>,
    /// The server's port, from the ClientHello.
    pub server_port: Option<u16>,
    /// ChangeCipherSpec seen from the client and from the server.
    pub ccs: [bool; 2],
    /// The application protocol a STARTTLS named.
    pub starttls: Option<&'static str>,
}

/// Connections kept at once (oldest dropped).
const MAX_CONNS: usize = 65_536;

/// Per-capture state: the connections, and the `tls` layer the current frame's records go
/// under.
#[derive(Clone, Default)]
pub struct TlsState {
    conns: HashMap<u32, Conn>,
    /// (frame, data source, layer node) of the last TLS call.
    last: Option<(u64, SourceId, NodeId)>,
}

fn conn_mut(st: &mut TlsState, stream: u32) -> &mut Conn {
    if st.conns.len() >= MAX_CONNS && !st.conns.contains_key(&stream) {
        st.conns.clear();
    }
    st.conns.entry(stream).or_default()
}

/// Tells TLS that the connection of the current packet switched to TLS for `app` (XMPP's
/// `<proceed/>`, RFC 6120 §5.4.3.3), so its application data is labelled so.
pub fn starttls(cx: &mut Cx, app: &'static str) {
    let stream = cx.info.stream.unwrap_or(u32::MAX);
    conn_mut(cx.session.get::<TlsState>(), stream).starttls = Some(app);
}

/// The `tls` layer for a call: the frame's existing one when this call's records come from the
/// same data source as the last call's (one tshark call decodes all the records of a
/// segment), else a new one. The first TLS call of a frame clears the Info column (TLS names
/// every record in it).
fn layer(cx: &mut Cx, tvb: &Tvb, parent: NodeId) -> NodeId {
    let frame = cx.meta.number;
    let last = cx.session.get::<TlsState>().last;
    match last {
        Some((fr, src, node)) if fr == frame && src == tvb.source() => node,
        _ => {
            if last.is_none_or(|(fr, _, _)| fr != frame) {
                cx.set_info("");
            }
            let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
            cx.session.get::<TlsState>().last = Some((frame, tvb.source(), node));
            node
        }
    }
}

/// tshark's TLS adds its layer before it finds that a record continues in the next segment:
/// a segment that only starts a record shows an empty `tls` layer.
pub fn partial_start(tvb: &Tvb, cx: &mut Cx, parent: NodeId) {
    layer(cx, tvb, parent);
}

/// Appends a record's name to the Info column, comma-separated.
pub fn add_info(cx: &mut Cx, s: &str) {
    if !cx.columns.info.is_empty() {
        cx.columns.info.push_str(", ");
    }
    cx.columns.info.push_str(s);
}

/// Whether the current packet comes from the connection's server.
fn from_server(cx: &Cx, conn: &Conn) -> bool {
    match conn.server_port {
        Some(p) => cx.info.src_port == p,
        None => cx.info.src_port < cx.info.dst_port,
    }
}

/// The short version name in record labels (`TLSv1.2 Record Layer`).
pub fn version_short(v: u16) -> &'static str {
    match v {
        0x0002 => "SSLv2",
        0x0300 => "SSLv3",
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        0xfeff => "DTLSv1.0",
        0xfefd => "DTLSv1.2",
        0xfefc => "DTLSv1.3",
        0x0100 => "DTLS 1.0 (OpenSSL pre 0.9.8f)",
        _ => "TLS",
    }
}

/// The protocol the application data of this connection carries, as tshark names it: the
/// STARTTLS caller, else ALPN, else the port.
fn app_protocol(cx: &Cx, conn: &Conn, port_table: &str) -> Option<&'static str> {
    if let Some(a) = conn.starttls {
        return Some(a);
    }
    if let Some(a) = conn.alpn.as_deref() {
        if let Some((_, name)) = ALPN_PROTOCOLS.iter().find(|(id, _)| *id == a) {
            return Some(name);
        }
    }
    let (s, d) = (cx.info.src_port, cx.info.dst_port);
    for port in [s.min(d), s.max(d)] {
        if let Some(p) = cx.registry.lookup(port_table, port as u64) {
            return Some(p.field.name);
        }
        if port_table == tables::TLS_PORT {
            if let Some((_, name)) = PORTS.iter().find(|(p, _)| *p == port) {
                return Some(name);
            }
        }
    }
    None
}

/// A record's content after its header, decoded by content type; returns the label after
/// `… Record Layer: ` and the names for the Info column.
pub struct RecordCx<'a> {
    pub hf: &'static Hf,
    pub conn: &'a mut Conn,
    pub server: bool,
    pub dtls: bool,
    /// The protocol application data is labelled with.
    pub app: Option<&'static str>,
}

impl RecordCx<'_> {
    /// The body of a whole handshake message of type `t` under its item `node` (a Client Hello
    /// also says which side is the server); returns the message's name.
    pub fn handshake_body(
        &mut self,
        cx: &mut Cx,
        node: NodeId,
        body: &Tvb,
        t: u8,
    ) -> Result<&'static str> {
        if t == handshake::CLIENT_HELLO {
            self.conn.server_port = Some(cx.info.dst_port);
        }
        let mut hs = handshake::Hs {
            hf: self.hf,
            conn: self.conn,
            dtls: self.dtls,
        };
        handshake::body(cx, node, body, t, &mut hs)
    }
}

/// Dissects a record's fragment (`frag`) of content type `ct` under the record node `rec`;
/// returns the record label's content part.
pub fn record_content(
    cx: &mut Cx,
    rec: NodeId,
    frag: &Tvb,
    ct: u8,
    rc: &mut RecordCx,
) -> Result<String> {
    let hf = rc.hf;
    let side = rc.server as usize;
    match ct {
        20 => {
            cx.add(rec, hf.CHANGE_CIPHER_SPEC, frag.whole(), Value::None);
            // In TLS 1.3 ChangeCipherSpec is only there for middleboxes (RFC 8446 §D.4): what
            // is encrypted comes as application data records.
            if rc.conn.version != Some(handshake::TLS13) {
                rc.conn.ccs[side] = true;
            }
            add_info(cx, "Change Cipher Spec");
            Ok("Change Cipher Spec Protocol: Change Cipher Spec".into())
        }
        21 => alert(cx, rec, frag, rc),
        22 => handshake_record(cx, rec, frag, rc),
        23 => {
            cx.add_bytes(rec, hf.APP_DATA, frag, 0, frag.len())?;
            if let Some(a) = rc.app {
                cx.add_generated_at(rec, hf.APP_DATA_PROTO, frag.whole(), Value::str(a));
            }
            add_info(cx, "Application Data");
            Ok(format!(
                "Application Data Protocol: {}",
                rc.app.unwrap_or("Application Data")
            ))
        }
        24 => {
            add_info(cx, "Heartbeat");
            Ok("Heartbeat".into())
        }
        _ => Ok("Unknown".into()),
    }
}

/// An alert: level and description in the clear, or an encrypted alert after CCS.
fn alert(cx: &mut Cx, rec: NodeId, frag: &Tvb, rc: &mut RecordCx) -> Result<String> {
    let hf = rc.hf;
    let node = cx.add(rec, hf.ALERT, frag.whole(), Value::None);
    if rc.conn.ccs[rc.server as usize] || frag.len() != 2 {
        cx.set_text(node, "Alert Message: Encrypted Alert");
        add_info(cx, "Encrypted Alert");
        return Ok("Encrypted Alert".into());
    }
    let level = cx.add_u8(node, hf.ALERT_LEVEL, frag, 0)?;
    let desc = cx.add_u8(node, hf.ALERT_DESC, frag, 1)?;
    let l = val_to_str(ALERT_LEVELS, level as u64).unwrap_or("Unknown");
    let d = val_to_str(ALERT_DESCRIPTIONS, desc as u64).unwrap_or("Unknown");
    let s = format!("Alert (Level: {l}, Description: {d})");
    add_info(cx, &s);
    Ok(s)
}

/// The handshake messages of a record (several may share one), or one encrypted message.
fn handshake_record(cx: &mut Cx, rec: NodeId, frag: &Tvb, rc: &mut RecordCx) -> Result<String> {
    let hf = rc.hf;
    let hdr = if rc.dtls { 12 } else { 4 };
    let plausible = frag.len() >= hdr
        && handshake::is_known_type(frag.u8(0)?)
        && frag.be_u24(1)? as usize <= frag.len() - hdr + if rc.dtls { usize::MAX / 2 } else { 0 };
    if rc.conn.ccs[rc.server as usize] || !plausible {
        let n = cx.add(rec, hf.HANDSHAKE, frag.whole(), Value::None);
        cx.set_text(n, "Handshake Protocol: Encrypted Handshake Message");
        add_info(cx, "Encrypted Handshake Message");
        return Ok("Handshake Protocol: Encrypted Handshake Message".into());
    }
    let mut off = 0;
    let mut names = vec![];
    while off + hdr <= frag.len() {
        let (name, used) = handshake_message(cx, rec, frag, off, rc)?;
        add_info(cx, &name);
        names.push(name);
        off += used;
    }
    Ok(match names.as_slice() {
        [one] => format!("Handshake Protocol: {one}"),
        _ => "Handshake Protocol: Multiple Handshake Messages".into(),
    })
}

/// The node of a TLS or DTLS handshake message of `size` bytes at `off`, with the type and
/// length both versions start with.
pub(crate) fn handshake_node(
    cx: &mut Cx,
    rec: NodeId,
    frag: &Tvb,
    off: usize,
    hf: &Hf,
    size: usize,
) -> Result<NodeId> {
    let node = cx.add(rec, hf.HANDSHAKE, frag.range(off, size), Value::None);
    cx.add_u8(node, hf.HS_TYPE, frag, off)?;
    cx.add_be_u24(node, hf.HS_LENGTH, frag, off + 1)?;
    Ok(node)
}

/// One handshake message at `off`: the type and length both versions start with, then the DTLS
/// fragment fields or the TLS body; returns its name and size.
fn handshake_message(
    cx: &mut Cx,
    rec: NodeId,
    frag: &Tvb,
    off: usize,
    rc: &mut RecordCx,
) -> Result<(String, usize)> {
    let (t, len) = (frag.u8(off)?, frag.be_u24(off + 1)? as usize);
    if rc.dtls {
        return dtls::handshake_message(cx, rec, frag, off, rc, (t, len));
    }
    let avail = frag.remaining(off + 4).min(len);
    let node = handshake_node(cx, rec, frag, off, rc.hf, 4 + avail)?;
    if avail < len {
        // The message continues in the next record: tshark reassembles it there; lowshark
        // shows the part it has.
        let name = format!("{} (fragment)", handshake::type_name(t));
        cx.set_text(node, format!("Handshake Protocol: {name}"));
        return Ok((name, 4 + avail));
    }
    let body = frag.sub(off + 4, len)?;
    let name = rc.handshake_body(cx, node, &body, t)?;
    cx.set_text(node, format!("Handshake Protocol: {name}"));
    Ok((name.to_string(), 4 + len))
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = layer(cx, tvb, parent);
    let stream = cx.info.stream.unwrap_or(u32::MAX);
    let mut conn = std::mem::take(conn_mut(cx.session.get::<TlsState>(), stream));
    let r = records(cx, node, tvb, &mut conn);
    *conn_mut(cx.session.get::<TlsState>(), stream) = conn;
    r
}

/// The records of `tvb` (one, when TCP framed them).
fn records(cx: &mut Cx, node: NodeId, tvb: &Tvb, conn: &mut Conn) -> Result<()> {
    let mut off = 0;
    while off < tvb.len() {
        let ct = tvb.u8(off)?;
        let version = tvb.be_u16(off + 1)?;
        let len = tvb.be_u16(off + 3)? as usize;
        let label_version = conn.version.unwrap_or(version);
        let rec = cx.add(node, &f::RECORD, tvb.range(off, 5 + len), Value::None);
        let tls13_data = conn.version == Some(handshake::TLS13) && ct == 23;
        let ctf = if tls13_data {
            &f::OPAQUE_TYPE
        } else {
            &f::CONTENT_TYPE
        };
        cx.add_u8(rec, ctf, tvb, off)?;
        cx.add_be_u16(rec, &f::RECORD_VERSION, tvb, off + 1)?;
        let Item {
            node: ln_node,
            value: ln,
        } = cx.add_int(rec, &f::RECORD_LENGTH, tvb, off + 3, 2, Endian::Big)?;
        if ln as usize > 16384 + 2048 {
            let n = cx.add_text(rec, tvb.range(off + 3, 2), "");
            cx.expert(n, &RECORD_LENGTH_INVALID, None);
        }
        // RFC 8446 §5.1: Handshake, Alert and ChangeCipherSpec fragments are never empty;
        // tshark flags the length and skips the record's content.
        if ln == 0 && matches!(ct, 20..=22) {
            let what = match ct {
                20 => "Change Cipher Spec",
                21 => "Alert",
                _ => "Handshake",
            };
            cx.expert_with(ln_node, &RECORD_LENGTH_INVALID, || {
                format!("Zero-length {what} fragments are not allowed")
            });
            off += 5;
            continue;
        }
        let frag = tvb.sub(off + 5, len)?;
        let server = from_server(cx, conn);
        let app = app_protocol(cx, conn, tables::TLS_PORT);
        let mut rc = RecordCx {
            hf: &f::HF,
            conn,
            server,
            dtls: false,
            app,
        };
        let what = record_content(cx, rec, &frag, ct, &mut rc)?;
        cx.set_text(
            rec,
            format!("{} Record Layer: {what}", version_short(label_version)),
        );
        off += 5 + len;
    }
    Ok(())
}
