//! DNS (RFC 1035 §4) over UDP and TCP port 53 (TCP messages carry a 2-byte length, §4.2.2), and
//! multicast DNS (RFC 6762) on UDP port 5353, which tshark shows as an `mdns` layer with `dns.*`
//! fields. EDNS(0) (RFC 6891) in [`edns`], names with compression in [`name`], record data in
//! [`rdata`].
//!
//! ```text
//!  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                      ID                       |
//! |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
//! |                    QDCOUNT                    |
//! |                    ANCOUNT                    |
//! |                    NSCOUNT                    |
//! |                    ARCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! then QDCOUNT questions (name, type, class) and ANCOUNT + NSCOUNT + ARCOUNT resource records
//! (name, type, class, TTL, RDLENGTH, RDATA). In mDNS the top bit of a question's class is the
//! "unicast response" bit (§5.4) and of a record's class the "cache flush" bit (§10.2).
//! ```
//! Requests and responses are matched per transport conversation and transaction ID as tshark
//! does in one pass: a response gets `dns.response_to` and `dns.time`, a repeated query within
//! 5 s or a repeated response is a retransmission, a response without a query is unsolicited.

pub mod edns;
pub mod fields;
pub mod name;
pub mod rdata;

pub use fields::*;

use crate::analysis::conversation::ConvKey;
use crate::engine::field::{val_to_str, FieldDef};
use crate::engine::registry::{tables, PduLen, PrefDef, Protocol, Registry, StreamPdus};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use foldhash::HashMap;

pub static PROTOCOL: Protocol = Protocol {
    name: "dns",
    short_name: "DNS",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[PrefDef {
        name: "dns.retransmission_timer",
        description:
            "Number of seconds before a repeated query is a new query, not a retransmission",
        default: "5",
    }],
    dissect: dissect_dns,
    register,
};

static MDNS_PROTO: FieldDef = FieldDef::protocol("mdns", "Multicast Domain Name System");

/// Multicast DNS: DNS messages with the mDNS meaning of the class top bit.
pub static MDNS: Protocol = Protocol {
    name: "mdns",
    short_name: "MDNS",
    field: &MDNS_PROTO,
    fields: &[],
    experts: &[],
    prefs: &[],
    dissect: dissect_mdns,
    register: |_: &mut Registry| {},
};

/// DNS over TCP: each message has a 2-byte length in front (RFC 1035 §4.2.2).
static STREAM_PDUS: StreamPdus = crate::proto::tcp_pdus(pdu_len, false);

fn register(r: &mut Registry) {
    r.add(tables::UDP_PORT, 53, &PROTOCOL);
    r.add(tables::TCP_PORT, 53, &PROTOCOL);
    r.add(tables::UDP_PORT, 5353, &MDNS);
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
}

fn pdu_len(b: &[u8]) -> PduLen {
    match b {
        [hi, lo, ..] => PduLen::Complete(2 + u16::from_be_bytes([*hi, *lo]) as usize),
        _ => PduLen::NeedMore,
    }
}

fn dissect_dns(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    if cx.info.transport == 6 {
        return dissect_message(tvb, cx, parent, Transport::Tcp);
    }
    dissect_message(tvb, cx, parent, Transport::Udp)
}

fn dissect_mdns(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    dissect_message(tvb, cx, parent, Transport::Mdns)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    Udp,
    Tcp,
    Mdns,
}

/// The fixed header, as read.
struct Header {
    id: u16,
    flags: u16,
    counts: [u16; 4],
}

impl Header {
    fn is_response(&self) -> bool {
        self.flags & 0x8000 != 0
    }
    fn opcode(&self) -> u16 {
        (self.flags >> 11) & 0xf
    }
}

fn dissect_message(tvb: &Tvb, cx: &mut Cx, parent: NodeId, transport: Transport) -> Result<()> {
    let is_mdns = transport == Transport::Mdns;
    let (proto, title) = if is_mdns {
        (&MDNS, "Multicast Domain Name System")
    } else {
        (&PROTOCOL, "Domain Name System")
    };
    cx.set_info("");
    let node = cx.add_proto(parent, proto, tvb.whole());
    let msg = if transport == Transport::Tcp {
        cx.add_be_u16(node, &LENGTH, tvb, 0)?;
        tvb.sub_from(2)?
    } else {
        *tvb
    };
    let h = Header {
        id: msg.be_u16(0)?,
        flags: msg.be_u16(2)?,
        counts: [0, 0, 0, 0],
    };
    let kind = if h.is_response() { "response" } else { "query" };
    cx.set_text(node, format!("{title} ({kind})"));
    cx.set_info(summary(&h));
    let id_node = cx.add_uint(node, &ID, msg.range(0, 2), h.id as u64);
    add_flags(cx, node, &msg, h.flags);
    let mut h = h;
    let isupdate = h.opcode() == 5;
    let count_fields: [&'static FieldDef; 4] = if isupdate {
        [
            &COUNT_ZONES,
            &COUNT_PREREQUISITES,
            &COUNT_UPDATES,
            &COUNT_ADD_RR,
        ]
    } else {
        [
            &COUNT_QUERIES,
            &COUNT_ANSWERS,
            &COUNT_AUTH_RR,
            &COUNT_ADD_RR,
        ]
    };
    for (i, f) in count_fields.into_iter().enumerate() {
        h.counts[i] = cx.add_be_u16(node, f, &msg, 4 + 2 * i)?;
    }
    // The transaction is tracked before the sections are read, so a message cut short still
    // counts (tshark does the same).
    let trans = track(cx, &h);
    let m = Msg { tvb: &msg, is_mdns };
    let zone = if isupdate { "Zone" } else { "Queries" };
    let mut off = 12 + m.section(cx, node, (12, h.counts[0]), zone, Msg::question)?;
    let names = if isupdate {
        ["Prerequisites", "Updates"]
    } else {
        ["Answers", "Authoritative nameservers"]
    };
    for (i, title) in [names[0], names[1], "Additional records"]
        .into_iter()
        .enumerate()
    {
        off += m.section(cx, node, (off, h.counts[i + 1]), title, Msg::record)?;
    }
    add_tracking(cx, node, id_node, &h, trans);
    extraneous(cx, node, &msg, off);
    Ok(())
}

/// `Standard query response 0x1234 No such name`.
fn summary(h: &Header) -> String {
    let op = val_to_str(OPCODES, h.opcode() as u64).map_or_else(
        || format!("Unknown operation ({})", h.opcode()),
        str::to_string,
    );
    let mut s = format!(
        "{op}{} 0x{:04x}",
        if h.is_response() { " response" } else { "" },
        h.id
    );
    let rcode = h.flags & 0xf;
    if h.is_response() && rcode != 0 {
        s.push(' ');
        s.push_str(
            &val_to_str(RCODES, rcode as u64)
                .map_or_else(|| format!("Unknown error ({rcode})"), str::to_string),
        );
    }
    s
}

fn add_flags(cx: &mut Cx, node: NodeId, msg: &Tvb, flags: u16) {
    let op = (flags >> 11) & 0xf;
    let resp = flags & 0x8000 != 0;
    let item = cx.add_uint(node, &FLAGS, msg.range(2, 2), flags as u64);
    let mut text = format!(
        "Flags: 0x{flags:04x} {}",
        val_to_str(OPCODES, op as u64).unwrap_or("Unknown operation")
    );
    if resp {
        let rcode = val_to_str(RCODES, (flags & 0xf) as u64).unwrap_or("Unknown error");
        text.push_str(&format!(" response, {rcode}"));
    }
    cx.set_text(item, text);
    let mut bits: Vec<&'static FieldDef> = vec![&FLAGS_RESPONSE, &FLAGS_OPCODE];
    if resp {
        bits.push(&FLAGS_AUTHORITATIVE);
    }
    bits.extend([&FLAGS_TRUNCATED, &FLAGS_RECDESIRED]);
    if resp {
        bits.push(&FLAGS_RECAVAIL);
    }
    bits.push(&FLAGS_Z);
    // A query shows the AD bit only when set (RFC 6840 §5.7 lets a client ask for it).
    if resp || flags & 0x0020 != 0 {
        bits.push(&FLAGS_AUTHENTICATED);
    }
    bits.push(&FLAGS_CHECKDISABLE);
    if resp {
        bits.push(&FLAGS_RCODE);
    }
    cx.add_bits(item, &bits, msg.range(2, 2), flags as u64);
}

/// The message being dissected, as the section readers need it.
struct Msg<'a, 't> {
    tvb: &'a Tvb<'t>,
    is_mdns: bool,
}

impl Msg<'_, '_> {
    /// A section of `count` questions or records (read by `item`) under a subtree titled
    /// `title`; returns the bytes it used.
    fn section(
        &self,
        cx: &mut Cx,
        node: NodeId,
        (start, count): (usize, u16),
        title: &str,
        item: fn(&Self, &mut Cx, NodeId, usize) -> Result<usize>,
    ) -> Result<usize> {
        if count == 0 {
            return Ok(0);
        }
        let sec = cx.add_text(node, self.tvb.range(start, 0), title);
        let mut off = start;
        for _ in 0..count {
            off += item(self, cx, sec, off)?;
            cx.tree.node_mut(sec).range = self.tvb.range(start, off - start);
        }
        Ok(off - start)
    }

    fn question(&self, cx: &mut Cx, sec: NodeId, off: usize) -> Result<usize> {
        let msg = self.tvb;
        let n = name::read(msg, off)?;
        let t_off = off + n.used;
        let qtype = msg.be_u16(t_off)?;
        let raw_class = msg.be_u16(t_off + 2)?;
        let class = if self.is_mdns {
            raw_class & 0x7fff
        } else {
            raw_class
        };
        let tname = type_name(qtype);
        let mut title = format!("{}: type {tname}, class {}", n.text, class_name(class));
        cx.columns.info.push_str(&format!(" {tname} {}", n.text));
        if self.is_mdns {
            let qu = if raw_class & 0x8000 != 0 { "QU" } else { "QM" };
            cx.columns.info.push_str(&format!(", \"{qu}\" question"));
            title.push_str(&format!(", \"{qu}\" question"));
        }
        let q = cx.add_text(sec, msg.range(off, n.used + 4), title);
        cx.add(
            q,
            &QRY_NAME,
            msg.range(off, n.used),
            Value::str(n.text.clone()),
        );
        // tshark counts a one-character name as having neither length nor labels.
        let short = n.raw_len <= 1;
        cx.add_generated(
            q,
            &QRY_NAME_LEN,
            Value::UInt(if short { 0 } else { n.raw_len as u64 }),
        );
        cx.add_generated(
            q,
            &COUNT_LABELS,
            Value::UInt(if short { 0 } else { n.labels as u64 }),
        );
        add_type(cx, q, &QRY_TYPE, msg, t_off, qtype);
        cx.add_uint(q, &QRY_CLASS, msg.range(t_off + 2, 2), class as u64);
        if self.is_mdns {
            cx.add_uint(q, &QRY_QU, msg.range(t_off + 2, 2), raw_class as u64);
        }
        Ok(n.used + 4)
    }

    /// One resource record; returns the bytes it used.
    fn record(&self, cx: &mut Cx, sec: NodeId, off: usize) -> Result<usize> {
        let msg = self.tvb;
        let n = name::read(msg, off)?;
        let t_off = off + n.used;
        let rtype = msg.be_u16(t_off)?;
        let raw_class = msg.be_u16(t_off + 2)?;
        let flush = self.is_mdns && raw_class & 0x8000 != 0;
        let class = if self.is_mdns {
            raw_class & 0x7fff
        } else {
            raw_class
        };
        let data_len = msg.be_u16(t_off + 8)? as usize;
        let tname = type_name(rtype);
        cx.columns.info.push(' ');
        cx.columns.info.push_str(&tname);
        if flush {
            cx.columns.info.push_str(", cache flush");
        }
        let mut title = if rtype == 41 {
            format!("{}: type {tname}", n.text)
        } else {
            format!("{}: type {tname}, class {}", n.text, class_name(class))
        };
        if flush {
            title.push_str(", cache flush");
        }
        // Like tshark, a record whose data runs past the message adds nothing.
        msg.bytes(off, n.used + 10 + data_len)?;
        let rr = cx.add_text(sec, msg.range(off, n.used + 10 + data_len), title.clone());
        if rtype == 41 {
            opt_header(cx, rr, msg, off, &n, self.is_mdns)?;
        } else {
            rr_header(cx, rr, msg, off, &n, rtype, self.is_mdns)?;
        }
        if data_len > 0 {
            let mut r = rdata::Rdata {
                msg,
                node: rr,
                off: t_off + 10,
                len: data_len,
                class,
                is_mdns: self.is_mdns,
                title: String::new(),
                info: String::new(),
            };
            let res = rdata::dissect(cx, &mut r, rtype);
            title.push_str(&r.title);
            cx.columns.info.push_str(&r.info);
            cx.set_text(rr, title);
            res?;
        }
        Ok(n.used + 10 + data_len)
    }
}

fn class_name(class: u16) -> &'static str {
    val_to_str(CLASSES, class as u64).unwrap_or("Unknown")
}

/// A type field, labelled `Type: A (Host Address) (1)` as tshark does.
fn add_type(cx: &mut Cx, parent: NodeId, field: &'static FieldDef, msg: &Tvb, off: usize, t: u16) {
    let n = cx.add_uint(parent, field, msg.range(off, 2), t as u64);
    let desc = val_to_str(TYPES, t as u64).map_or_else(|| format!("Unknown ({t})"), str::to_string);
    cx.set_text(n, format!("Type: {desc} ({t})"));
}

/// Name, type, class (or the mDNS class and cache-flush bit), TTL and data length.
fn rr_header(
    cx: &mut Cx,
    rr: NodeId,
    msg: &Tvb,
    off: usize,
    n: &name::Name,
    rtype: u16,
    is_mdns: bool,
) -> Result<()> {
    let nr = msg.range(off, n.used);
    if rtype == 33 && !n.text.is_empty() {
        // SRV owner names are _service._proto.name (RFC 2782); tshark splits them so.
        let mut parts = n.text.splitn(3, '.');
        for f in [&SRV_SERVICE, &SRV_PROTO, &SRV_NAME] {
            match parts.next() {
                Some(p) => {
                    cx.add(rr, f, nr, Value::str(p));
                }
                None => break,
            }
        }
    } else {
        cx.add(rr, &RESP_NAME, nr, Value::str(n.text.clone()));
    }
    let t_off = off + n.used;
    add_type(cx, rr, &RESP_TYPE, msg, t_off, rtype);
    let raw_class = msg.be_u16(t_off + 2)?;
    let cr = msg.range(t_off + 2, 2);
    cx.add_uint(
        rr,
        &RESP_CLASS,
        cr,
        if is_mdns {
            raw_class & 0x7fff
        } else {
            raw_class
        } as u64,
    );
    if is_mdns {
        cx.add_uint(rr, &RESP_CACHE_FLUSH, cr, raw_class as u64);
    }
    let ttl = msg.be_u32(t_off + 4)?;
    let ttl_node = cx.add_uint(rr, &RESP_TTL, msg.range(t_off + 4, 4), ttl as u64);
    if ttl & 0x8000_0000 != 0 {
        cx.expert(ttl_node, &TTL_HIGH_BIT, None);
    }
    cx.add_be_u16(rr, &RESP_LEN, msg, t_off + 8)?;
    Ok(())
}

/// The OPT pseudo-record's fixed part (RFC 6891 §6.1.3): payload size in the class, extended
/// RCODE, version and flags in the TTL.
fn opt_header(
    cx: &mut Cx,
    rr: NodeId,
    msg: &Tvb,
    off: usize,
    n: &name::Name,
    is_mdns: bool,
) -> Result<()> {
    cx.add(
        rr,
        &RESP_NAME,
        msg.range(off, n.used),
        Value::str(n.text.clone()),
    );
    let t_off = off + n.used;
    add_type(cx, rr, &RESP_TYPE, msg, t_off, 41);
    let size = msg.be_u16(t_off + 2)?;
    let sr = msg.range(t_off + 2, 2);
    if is_mdns {
        cx.add_uint(rr, &RR_UDP_PAYLOAD_SIZE, sr, (size & 0x7fff) as u64);
        cx.add_uint(rr, &RESP_CACHE_FLUSH, sr, size as u64);
    } else {
        cx.add_uint(rr, &RR_UDP_PAYLOAD_SIZE, sr, size as u64);
    }
    cx.add_u8(rr, &RESP_EXT_RCODE, msg, t_off + 4)?;
    cx.add_u8(rr, &RESP_EDNS0_VERSION, msg, t_off + 5)?;
    cx.add_bitmask(
        rr,
        &RESP_Z,
        &[&RESP_Z_DO, &RESP_Z_RESERVED],
        msg,
        t_off + 6,
        2,
    )?;
    cx.add_be_u16(rr, &RESP_LEN, msg, t_off + 8)?;
    Ok(())
}

/// Bytes after the last section.
fn extraneous(cx: &mut Cx, node: NodeId, msg: &Tvb, off: usize) {
    let n = msg.remaining(off);
    if n == 0 {
        return;
    }
    let t = cx.add_text(
        node,
        msg.range(off, n),
        format!("Extraneous Data ({n} bytes)"),
    );
    cx.add(
        t,
        &EXTRANEOUS_DATA,
        msg.range(off, n),
        Value::bytes(msg.rest(off).unwrap_or(&[])),
    );
    cx.add_generated(t, &EXTRANEOUS_LENGTH, Value::Int(n as i64));
    let e = cx.add_text(t, msg.range(off, n), "Extraneous data");
    cx.expert(e, &EXTRANEOUS, None);
    cx.tree.node_mut(e).flags.hidden = true;
}

// ---- request/response tracking -------------------------------------------------------------

/// What tracking found for this message.
#[derive(Clone, Copy)]
enum Trans {
    /// A query, possibly a retransmission of the query in the given frame.
    Query { retransmit_of: Option<u64> },
    /// A response to the query in `req_frame`, sent at `req_ts`; a retransmission when
    /// `retransmit_of` names the first response.
    Response {
        req_frame: u64,
        req_ts: i64,
        retransmit_of: Option<u64>,
    },
    /// A response no captured query asked for.
    Unsolicited,
    /// Not tracked (inside an ICMP error).
    None,
}

#[derive(Clone, Copy)]
struct Transaction {
    req_frame: u64,
    req_ts: i64,
    rep_frame: u64,
}

/// Open transactions per (conversation, transaction ID), latest last.
#[derive(Clone, Default)]
pub struct DnsState {
    trans: HashMap<(u8, ConvKey, u16), Transaction>,
}

/// More open transactions than any capture needs at once; past it the table starts over.
const MAX_TRANSACTIONS: usize = 1 << 18;

fn track(cx: &mut Cx, h: &Header) -> Trans {
    if cx.in_error {
        return Trans::None;
    }
    let (key, _) = ConvKey::new(
        cx.info.net_src,
        cx.info.src_port,
        cx.info.net_dst,
        cx.info.dst_port,
    );
    let key = (cx.info.transport, key, h.id);
    let (frame, ts) = (cx.meta.number, cx.meta.ts_ns);
    let timer = cx.prefs.uint("dns.retransmission_timer", 5) as i64 * 1_000_000_000;
    let state = cx.session.get::<DnsState>();
    if state.trans.len() >= MAX_TRANSACTIONS && !state.trans.contains_key(&key) {
        state.trans.clear();
    }
    if !h.is_response() {
        if let Some(t) = state.trans.get(&key) {
            if t.rep_frame == 0 && ts - t.req_ts < timer {
                return Trans::Query {
                    retransmit_of: Some(t.req_frame),
                };
            }
        }
        let t = Transaction {
            req_frame: frame,
            req_ts: ts,
            rep_frame: 0,
        };
        state.trans.insert(key, t);
        return Trans::Query {
            retransmit_of: None,
        };
    }
    match state.trans.get_mut(&key) {
        None => Trans::Unsolicited,
        Some(t) if t.rep_frame == 0 => {
            t.rep_frame = frame;
            Trans::Response {
                req_frame: t.req_frame,
                req_ts: t.req_ts,
                retransmit_of: None,
            }
        }
        Some(t) => Trans::Response {
            req_frame: t.req_frame,
            req_ts: t.req_ts,
            retransmit_of: Some(t.rep_frame),
        },
    }
}

fn add_tracking(cx: &mut Cx, node: NodeId, id_node: NodeId, h: &Header, trans: Trans) {
    match trans {
        Trans::Query {
            retransmit_of: Some(orig),
        } => {
            let msg = format!("DNS query retransmission. Original request in frame {orig}");
            cx.expert(id_node, &RETRANSMIT_REQUEST, Some(msg));
            cx.add_generated(node, &RETRANSMIT_REQUEST_IN, Value::UInt(orig));
            cx.add_generated(node, &RETRANSMISSION, Value::Bool(true));
        }
        Trans::Response {
            retransmit_of: Some(orig),
            ..
        } => {
            let msg = format!("DNS response retransmission. Original response in frame {orig}");
            cx.expert(id_node, &RETRANSMIT_RESPONSE, Some(msg));
            cx.add_generated(node, &RETRANSMIT_RESPONSE_IN, Value::UInt(orig));
            cx.add_generated(node, &RETRANSMISSION, Value::Bool(true));
        }
        Trans::Response {
            req_frame, req_ts, ..
        } => {
            cx.add_generated(node, &RESPONSE_TO, Value::UInt(req_frame));
            cx.add_generated(node, &TIME, Value::RelTime(cx.meta.ts_ns - req_ts));
        }
        Trans::Unsolicited if h.is_response() => {
            cx.add_generated(node, &UNSOLICITED, Value::Bool(true));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
