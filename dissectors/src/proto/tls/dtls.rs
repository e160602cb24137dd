//! Datagram TLS (RFC 6347 DTLS 1.2, RFC 9147 for the 1.3 version number) over UDP: CoAP's
//! secure port 5684 (RFC 7252 §9) and the other ports tshark 4.0 knows. The handshake messages
//! are TLS's ([`super::handshake`]) behind a longer header; application data is labelled with
//! the protocol of the port (`Constrained Application Protocol` on 5684).
//!
//! ```text
//! record:    | type | version(2) | epoch(2) | sequence_number(6) | length(2) | fragment |
//! handshake: | type | length(3) | message_seq(2) | fragment_offset(3) | fragment_length(3) | body |
//! ```
//! A datagram may hold several records. Handshake messages larger than a record (a certificate
//! chain) come in fragments; each fragment shows its header, and the message is decoded once
//! all its bytes are there, from a reassembled buffer (`dtls.fragments`), as tshark does.
//! Bytes that do not look like a record leave the `dtls` layer empty, as in tshark.

use super::fields::dtls as f;
use super::handshake;
use super::{version_short, Conn, RecordCx};
use crate::engine::field::FieldDef;
use crate::engine::registry::{tables, Protocol, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use std::collections::HashMap;

static PROTO: FieldDef = FieldDef::protocol("dtls", "Datagram Transport Layer Security");

pub static PROTOCOL: Protocol = Protocol {
    name: "dtls",
    short_name: "DTLS",
    field: &PROTO,
    fields: f::FIELDS,
    experts: &[],
    prefs: &[],
    dissect,
    register,
};

/// UDP ports tshark decodes as DTLS, and the protocol each carries.
const PORTS: &[(u16, &str)] = &[
    (853, "Domain Name System"),
    (2221, "Common Industrial Protocol, I/O"),
    (5684, "Constrained Application Protocol"),
    (5868, "Diameter Protocol"),
];

fn register(r: &mut Registry) {
    for (port, _) in PORTS {
        r.add(tables::UDP_PORT, *port as u64, &PROTOCOL);
    }
}

fn looks_like_record(d: &[u8]) -> bool {
    d.len() >= 13
        && (20..=25).contains(&d[0])
        && matches!(
            u16::from_be_bytes([d[1], d[2]]),
            0x0100 | 0xfeff | 0xfefd | 0xfefc
        )
}

/// Handshake messages waiting for their other fragments: (stream, side, message_seq) →
/// (message type, length, bytes, which bytes arrived, fragments).
#[derive(Clone, Default)]
pub struct DtlsState {
    pending: HashMap<(u32, bool, u16), Pending>,
}

#[derive(Clone)]
struct Pending {
    len: usize,
    data: Vec<u8>,
    have: Vec<bool>,
    /// Each frame's first fragment of the message: frame, offset, length.
    frames: Vec<Fragment>,
}

/// A frame's fragment of a message: the frame, and where its bytes lie in the message.
type Fragment = (u64, usize, usize);

/// Fragments kept waiting at once, and the largest message reassembled.
const MAX_PENDING: usize = 1024;
const MAX_MESSAGE: usize = 1 << 20;

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.set_info("");
    let stream = cx.info.stream.unwrap_or(u32::MAX);
    let mut conn = std::mem::take(conn_mut(cx, stream));
    let r = records(cx, node, tvb, &mut conn);
    *conn_mut(cx, stream) = conn;
    if cx.columns.info.is_empty() {
        cx.set_info("Continuation Data");
    }
    r
}

fn conn_mut<'a>(cx: &'a mut Cx, stream: u32) -> &'a mut Conn {
    // DTLS connections live beside TLS's, keyed apart by the top bit.
    super::conn_mut(cx.session.get::<super::TlsState>(), stream | 0x8000_0000)
}

fn records(cx: &mut Cx, node: NodeId, tvb: &Tvb, conn: &mut Conn) -> Result<()> {
    let mut off = 0;
    while off < tvb.len() && looks_like_record(tvb.rest(off)?) {
        let ct = tvb.u8(off)?;
        let version = tvb.be_u16(off + 1)?;
        let len = tvb.be_u16(off + 11)? as usize;
        let rec_len = 13 + len.min(tvb.remaining(off + 13));
        let rec = cx.add(node, f::HF.RECORD, tvb.range(off, rec_len), Value::None);
        cx.add_u8(rec, f::HF.CONTENT_TYPE, tvb, off)?;
        cx.add_be_u16(rec, f::HF.RECORD_VERSION, tvb, off + 1)?;
        cx.add_be_u16(rec, &f::EPOCH, tvb, off + 3)?;
        let seq = tvb.bytes(off + 5, 6)?;
        let seq = seq.iter().fold(0u64, |a, &b| (a << 8) | b as u64);
        cx.add(rec, &f::SEQUENCE, tvb.range(off + 5, 6), Value::UInt(seq));
        cx.add_be_u16(rec, f::HF.RECORD_LENGTH, tvb, off + 11)?;
        // A record cut by the capture shows what there is, then the packet is malformed.
        let frag = tvb.sub(off + 13, len)?;
        let server = match conn.server_port {
            Some(p) => cx.info.src_port == p,
            None => cx.info.src_port < cx.info.dst_port,
        };
        let app = app_protocol(cx);
        let mut rc = RecordCx {
            hf: &f::HF,
            conn,
            server,
            dtls: true,
            app,
        };
        let what = super::record_content(cx, rec, &frag, ct, &mut rc)?;
        let label_version = conn.version.unwrap_or(version);
        cx.set_text(
            rec,
            format!("{} Record Layer: {what}", version_short(label_version)),
        );
        off += 13 + len;
    }
    Ok(())
}

/// The protocol DTLS application data carries, by port.
fn app_protocol(cx: &Cx) -> Option<&'static str> {
    let (s, d) = (cx.info.src_port, cx.info.dst_port);
    [s.min(d), s.max(d)].into_iter().find_map(|port| {
        cx.registry
            .lookup(tables::DTLS_PORT, port as u64)
            .map(|p| p.field.name)
            .or_else(|| PORTS.iter().find(|(p, _)| *p == port).map(|(_, n)| *n))
    })
}

/// One DTLS handshake message (or fragment of one) at `off`, of type `t` and message length
/// `len`: sequence, fragment offset and length, then the body once whole; returns its name and
/// size.
pub fn handshake_message(
    cx: &mut Cx,
    rec: NodeId,
    frag: &Tvb,
    off: usize,
    rc: &mut RecordCx,
    (t, len): (u8, usize),
) -> Result<(String, usize)> {
    let mseq = frag.be_u16(off + 4)?;
    let foff = frag.be_u24(off + 6)? as usize;
    let flen = frag.be_u24(off + 9)? as usize;
    let node = super::handshake_node(cx, rec, frag, off, rc.hf, 12 + flen)?;
    cx.add_be_u16(node, &f::MESSAGE_SEQ, frag, off + 4)?;
    cx.add_be_u24(node, &f::FRAGMENT_OFFSET, frag, off + 6)?;
    cx.add_be_u24(node, &f::FRAGMENT_LENGTH, frag, off + 9)?;
    let piece = frag.sub(off + 12, flen)?;
    // Set here too, so that a Client Hello never completed still marks the server side.
    if t == handshake::CLIENT_HELLO {
        rc.conn.server_port = Some(cx.info.dst_port);
    }
    let base = handshake::type_name(t);
    let body = if foff == 0 && flen == len {
        Some(piece)
    } else {
        match reassemble(cx, rc.server, mseq, len, foff, &piece) {
            Some((data, frames)) => {
                let src = cx.add_source(format!("Reassembled DTLS ({len} bytes)"), data);
                let tvb = src.tvb();
                fragments_tree(cx, rec, &tvb, &frames);
                let name = rc.handshake_body(cx, node, &tvb, t)?;
                let name = format!("{name} (Reassembled)");
                cx.set_text(node, format!("Handshake Protocol: {name}"));
                return Ok((name, 12 + flen));
            }
            None => None,
        }
    };
    let name = match body {
        Some(b) => rc.handshake_body(cx, node, &b, t)?.to_string(),
        None => format!("{base} (Fragment)"),
    };
    cx.set_text(node, format!("Handshake Protocol: {name}"));
    Ok((name, 12 + flen))
}

/// Adds a fragment to its message; the whole message and its fragments (by offset, as tshark
/// lists them) once every byte is there.
fn reassemble(
    cx: &mut Cx,
    server: bool,
    mseq: u16,
    len: usize,
    foff: usize,
    piece: &Tvb,
) -> Option<(Vec<u8>, Vec<Fragment>)> {
    if len > MAX_MESSAGE || foff.checked_add(piece.len())? > len {
        return None;
    }
    let key = (cx.info.stream.unwrap_or(u32::MAX), server, mseq);
    let frame = cx.meta.number;
    let st = cx.session.get::<DtlsState>();
    if st.pending.len() >= MAX_PENDING && !st.pending.contains_key(&key) {
        st.pending.clear();
    }
    let p = st.pending.entry(key).or_insert_with(|| Pending {
        len,
        data: vec![0; len],
        have: vec![false; len],
        frames: vec![],
    });
    if p.len != len {
        return None;
    }
    p.data[foff..foff + piece.len()].copy_from_slice(piece.data());
    p.have[foff..foff + piece.len()]
        .iter_mut()
        .for_each(|h| *h = true);
    if p.frames.last().map(|f| f.0) != Some(frame) {
        p.frames.push((frame, foff, piece.len()));
    }
    if !p.have.iter().all(|h| *h) {
        return None;
    }
    let mut done = st.pending.remove(&key)?;
    done.frames.sort_by_key(|f| f.1);
    Some((done.data, done.frames))
}

/// `dtls.fragments`: the frames a reassembled message came from, each over its bytes.
fn fragments_tree(cx: &mut Cx, rec: NodeId, tvb: &Tvb, frames: &[Fragment]) {
    let n = cx.add(rec, &f::FRAGMENTS, tvb.whole(), Value::None);
    cx.set_text(
        n,
        format!("{} Message fragments ({} bytes)", frames.len(), tvb.len()),
    );
    for &(fr, off, len) in frames {
        cx.add(n, &f::FRAGMENT, tvb.range(off, len), Value::UInt(fr));
    }
    cx.add_generated(n, &f::FRAGMENT_COUNT, Value::UInt(frames.len() as u64));
    cx.add_generated(n, &f::REASSEMBLED_LENGTH, Value::UInt(tvb.len() as u64));
}
