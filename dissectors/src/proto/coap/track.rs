//! CoAP state across messages: request/response matching (RFC 7252 §5.3.2: by token between
//! the same endpoints), duplicate detection (§4.5: same Message ID from the same endpoint within
//! EXCHANGE_LIFETIME), Observe registrations and notifications (RFC 7641 §3-4), and Block1/Block2
//! reassembly (RFC 7959 §2). Single pass, like tshark's one-pass mode: a request never knows its
//! response unless the frame is dissected again after it.
//!
//! Every table is bounded; evictions are reported with `_ws.unreassembled` on the packet that
//! caused them.
//!
//! [`CoapStats`] is a pure statistics API over dissected packets for the application: response
//! times per method and URI (`render_srt`, shaped like tshark's `-z …,srt` tables) and the
//! observations with their notifications (`render_observe`).

use crate::engine::address::Address;
use crate::engine::expert::ws;
use crate::engine::tree::{NodeId, Tree};
use crate::engine::value::Value;
use crate::engine::{Cx, Packet};
use crate::proto::coap::{self, BlockOpt};
use foldhash::HashMap;
use std::collections::BTreeMap;
use std::fmt::Write;

/// RFC 7252 §4.8.2: how long a Message ID stays in use.
pub const EXCHANGE_LIFETIME_NS: i64 = 247_000_000_000;
/// RFC 7641 §3.4: notifications further apart than this are always fresh.
const OBSERVE_FRESH_NS: i64 = 128_000_000_000;

const MAX_TRANSACTIONS: usize = 8192;
const MAX_MIDS: usize = 16384;
const MAX_OBSERVATIONS: usize = 4096;
const MAX_PARTIAL_BODIES: usize = 64;
/// One reassembled body may not exceed this (Size1/Size2 can announce more; we do not buffer it).
pub const MAX_BODY: usize = 1 << 20;
const MAX_BUFFERED: usize = 8 << 20;

/// An address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint(pub Address, pub u16);

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Address::Ipv6(_) => write!(f, "[{}]:{}", self.0, self.1),
            _ => write!(f, "{}:{}", self.0, self.1),
        }
    }
}

/// What the dissector learnt about one message.
#[derive(Clone, Debug)]
pub struct MsgFacts {
    pub frame: u64,
    pub ts_ns: i64,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub tcp: bool,
    /// CON/NON/ACK/RST (None over TCP).
    pub ttype: Option<u8>,
    pub mid: Option<u16>,
    pub code: u8,
    pub token: Vec<u8>,
    pub observe: Option<u32>,
    /// The URI the options built (`coap.opt.uri_path_recon`).
    pub uri: String,
}

/// What the tracker says about one message, for the tree.
#[derive(Clone, Debug, Default)]
pub struct Tracking {
    /// For a response: the URI of its request.
    pub uri_from_request: Option<String>,
    pub response_in: Option<u64>,
    /// Request frame and response time.
    pub response_to: Option<(u64, i64)>,
    pub request_first_in: Option<u64>,
    pub response_first_in: Option<u64>,
    pub observe_registered_in: Option<u64>,
    pub observe_notification: Option<u32>,
    pub observe_reordered: Option<String>,
    pub observe_deregistered: Option<u64>,
    pub evicted: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TxKey {
    client: Endpoint,
    server: Endpoint,
    token: Vec<u8>,
    tcp: bool,
}

#[derive(Clone, Debug)]
struct Tx {
    req_frame: u64,
    req_ts: i64,
    uri: String,
    rsp_frame: Option<u64>,
}

#[derive(Clone, Debug)]
struct MidEntry {
    frame: u64,
    ts: i64,
    /// For notifications: the observation they belong to (so an RST can cancel it).
    notification_of: Option<TxKey>,
}

#[derive(Clone, Debug)]
struct Observation {
    reg_frame: u64,
    notifications: u32,
    last_seq: Option<(u32, i64)>,
    active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct BlockKey {
    src: Endpoint,
    dst: Endpoint,
    kind: u8,
    tcp: bool,
}

#[derive(Clone, Debug, Default)]
struct Partial {
    /// Byte offset → (data, frame).
    blocks: BTreeMap<u64, (Vec<u8>, u64)>,
    end: Option<u64>,
    bytes: usize,
    first_frame: u64,
}

/// The capture-wide CoAP state.
#[derive(Clone, Default)]
pub struct CoapState {
    transactions: HashMap<TxKey, Tx>,
    mids: HashMap<(Endpoint, Endpoint, u16), MidEntry>,
    observations: HashMap<TxKey, Observation>,
    partials: HashMap<BlockKey, Partial>,
    buffered: usize,
    /// The highest frame number seen: an older one is a re-dissection (a GUI revisiting a
    /// packet), which may read the state (and so learn `coap.response_in`) but not change it.
    max_frame: u64,
    /// Bodies completed recently, by the frame that completed them, so a revisit shows them
    /// again (bounded by [`MAX_DONE_BODIES`]).
    done: std::collections::VecDeque<DoneBody>,
}

/// A completed body: the frame that completed it, the bytes, and (frame, length) per block.
type DoneBody = (u64, Vec<u8>, Vec<(u64, usize)>);

const MAX_DONE_BODIES: usize = 16;

fn evict_oldest_half<K: Clone + Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    age: impl Fn(&V) -> u64,
) -> usize {
    let mut ages: Vec<u64> = map.values().map(&age).collect();
    ages.sort_unstable();
    let cut = ages.get(ages.len() / 2).copied().unwrap_or(0);
    let before = map.len();
    map.retain(|_, v| age(v) > cut);
    before - map.len()
}

/// Updates the state with one message and says what the tree should show.
/// `quoted`: the message is quoted in an ICMP error; it is looked up but changes nothing.
pub fn track_message(cx: &mut Cx, m: &MsgFacts, quoted: bool) -> Tracking {
    let st = cx.session.get::<CoapState>();
    let quoted = quoted || m.frame < st.max_frame;
    st.max_frame = st.max_frame.max(m.frame);
    let mut t = Tracking::default();
    let class = m.code >> 5;

    // Duplicate detection (UDP only: TCP is reliable and has no Message IDs).
    let mut retransmission = false;
    if let (Some(mid), Some(tt)) = (m.mid, m.ttype) {
        let key = (m.src, m.dst, mid);
        if tt <= 1 {
            match st.mids.get(&key) {
                Some(e) if e.frame != m.frame && m.ts_ns - e.ts <= EXCHANGE_LIFETIME_NS => {
                    retransmission = true;
                    if class == 0 && m.code != 0 {
                        t.request_first_in = Some(e.frame);
                    } else if (2..=5).contains(&class) {
                        t.response_first_in = Some(e.frame);
                    }
                }
                Some(e) if e.frame == m.frame => {}
                _ if quoted => {}
                _ => {
                    if st.mids.len() >= MAX_MIDS {
                        let n = evict_oldest_half(&mut st.mids, |e| e.frame);
                        t.evicted = Some(format!(
                            "CoAP message ID table full: {n} oldest entries forgotten"
                        ));
                    }
                    st.mids.insert(
                        key,
                        MidEntry {
                            frame: m.frame,
                            ts: m.ts_ns,
                            notification_of: None,
                        },
                    );
                }
            }
        } else if tt == 3 && !quoted {
            // RFC 7641 §3.6: a Reset in reply to a notification cancels the observation.
            let back = (m.dst, m.src, mid);
            if let Some(k) = st.mids.get(&back).and_then(|e| e.notification_of.clone()) {
                if let Some(o) = st.observations.get_mut(&k) {
                    if o.active {
                        o.active = false;
                        t.observe_deregistered = Some(o.reg_frame);
                    }
                }
            }
        }
    }

    if m.code == 0 {
        return t;
    }
    if quoted {
        if (2..=5).contains(&class) {
            let key = TxKey {
                client: m.dst,
                server: m.src,
                token: m.token.clone(),
                tcp: m.tcp,
            };
            if let Some(tx) = st.transactions.get(&key) {
                t.uri_from_request = Some(tx.uri.clone());
                if tx.rsp_frame == Some(m.frame) {
                    t.response_to = Some((tx.req_frame, m.ts_ns - tx.req_ts));
                }
            }
        } else if class == 0 {
            let key = TxKey {
                client: m.src,
                server: m.dst,
                token: m.token.clone(),
                tcp: m.tcp,
            };
            if let Some(tx) = st.transactions.get(&key) {
                if tx.req_frame == m.frame {
                    t.response_in = tx.rsp_frame;
                }
            }
        }
        return t;
    }
    if class == 0 {
        let key = TxKey {
            client: m.src,
            server: m.dst,
            token: m.token.clone(),
            tcp: m.tcp,
        };
        if let Some(tx) = st.transactions.get(&key) {
            if tx.req_frame == m.frame {
                t.response_in = tx.rsp_frame;
                return t;
            }
        }
        if !retransmission {
            if st.transactions.len() >= MAX_TRANSACTIONS {
                let n = evict_oldest_half(&mut st.transactions, |tx| tx.req_frame);
                t.evicted = Some(format!(
                    "CoAP transaction table full: {n} oldest transactions forgotten"
                ));
            }
            st.transactions.insert(
                key.clone(),
                Tx {
                    req_frame: m.frame,
                    req_ts: m.ts_ns,
                    uri: m.uri.clone(),
                    rsp_frame: None,
                },
            );
            match m.observe {
                Some(0) => {
                    if st.observations.len() >= MAX_OBSERVATIONS {
                        let n = evict_oldest_half(&mut st.observations, |o| o.reg_frame);
                        t.evicted = Some(format!(
                            "CoAP observation table full: {n} oldest observations forgotten"
                        ));
                    }
                    let o = st.observations.entry(key).or_insert(Observation {
                        reg_frame: m.frame,
                        notifications: 0,
                        last_seq: None,
                        active: true,
                    });
                    // A re-registration with the same token renews the observation.
                    o.active = true;
                }
                Some(1) => {
                    if let Some(o) = st.observations.get_mut(&key) {
                        if o.active {
                            o.active = false;
                            t.observe_deregistered = Some(o.reg_frame);
                        }
                    }
                }
                _ => {}
            }
        }
    } else if (2..=5).contains(&class) {
        let key = TxKey {
            client: m.dst,
            server: m.src,
            token: m.token.clone(),
            tcp: m.tcp,
        };
        if let Some(tx) = st.transactions.get_mut(&key) {
            t.uri_from_request = Some(tx.uri.clone());
            match tx.rsp_frame {
                None if !retransmission => {
                    tx.rsp_frame = Some(m.frame);
                    t.response_to = Some((tx.req_frame, m.ts_ns - tx.req_ts));
                }
                Some(f) if f == m.frame => {
                    t.response_to = Some((tx.req_frame, m.ts_ns - tx.req_ts));
                }
                _ => {}
            }
        }
        if let Some(o) = st.observations.get_mut(&key) {
            if o.active && !retransmission {
                match m.observe {
                    Some(seq) => {
                        o.notifications += 1;
                        t.observe_registered_in = Some(o.reg_frame);
                        t.observe_notification = Some(o.notifications);
                        if let Some((last, last_ts)) = o.last_seq {
                            if !is_fresh(last, seq, m.ts_ns - last_ts) {
                                t.observe_reordered = Some(format!(
                                    "Notification {seq} is not newer than {last} (RFC 7641 section 3.4)"
                                ));
                            }
                        }
                        if t.observe_reordered.is_none() {
                            o.last_seq = Some((seq, m.ts_ns));
                        }
                        if let (Some(mid), Some(tt)) = (m.mid, m.ttype) {
                            if tt <= 1 {
                                if let Some(e) = st.mids.get_mut(&(m.src, m.dst, mid)) {
                                    e.notification_of = Some(key.clone());
                                }
                            }
                        }
                    }
                    None => {
                        // RFC 7641 §3.2: a response without Observe ends the observation.
                        o.active = false;
                        t.observe_deregistered = Some(o.reg_frame);
                    }
                }
            }
        }
    }
    t
}

/// RFC 7641 §3.4: is notification `v2` newer than `v1` (24-bit serial arithmetic)?
pub fn is_fresh(v1: u32, v2: u32, dt_ns: i64) -> bool {
    let (v1, v2) = (v1 as i64, v2 as i64);
    (v1 < v2 && v2 - v1 < 1 << 23) || (v1 > v2 && v1 - v2 > 1 << 23) || dt_ns > OBSERVE_FRESH_NS
}

/// Adds one block of a Block1/Block2 transfer; on the block that completes the body, adds the
/// `coap.blocks` tree and returns the whole body.
pub fn add_block(
    cx: &mut Cx,
    node: NodeId,
    m: &MsgFacts,
    b: BlockOpt,
    data: &[u8],
) -> Option<Vec<u8>> {
    let key = BlockKey {
        src: m.src,
        dst: m.dst,
        kind: b.kind,
        tcp: m.tcp,
    };
    let size = 16u64 << b.szx.min(7);
    let off = (b.num as u64).saturating_mul(size);
    let st = cx.session.get::<CoapState>();
    if m.frame < st.max_frame {
        // A revisit: show what this frame completed, change nothing.
        let done = st.done.iter().find(|(f, _, _)| *f == m.frame).cloned();
        return done.map(|(_, body, frames)| {
            add_blocks_tree(cx, node, &body, &frames);
            body
        });
    }
    let mut evicted = None;
    // Block 0 of new data starts a new transfer (the previous one was abandoned).
    if b.num == 0 {
        if let Some(p) = st.partials.get(&key) {
            let same = p.blocks.get(&0).is_some_and(|(d, _)| d == data);
            if !same {
                let p = st.partials.remove(&key).unwrap_or_default();
                st.buffered = st.buffered.saturating_sub(p.bytes);
            }
        }
    }
    if !st.partials.contains_key(&key) && st.partials.len() >= MAX_PARTIAL_BODIES {
        if let Some(k) = st
            .partials
            .iter()
            .min_by_key(|(_, p)| p.first_frame)
            .map(|(k, _)| k.clone())
        {
            let p = st.partials.remove(&k).unwrap_or_default();
            st.buffered = st.buffered.saturating_sub(p.bytes);
            evicted = Some(format!(
                "Too many unfinished CoAP block transfers: the one started in frame {} was dropped",
                p.first_frame
            ));
        }
    }
    let end = off.saturating_add(data.len() as u64);
    let too_big = end > MAX_BODY as u64 || st.buffered + data.len() > MAX_BUFFERED;
    if too_big {
        if let Some(p) = st.partials.remove(&key) {
            st.buffered = st.buffered.saturating_sub(p.bytes);
        }
        let msg = format!(
            "CoAP block transfer exceeds {} bytes of reassembly memory; not reassembled",
            MAX_BODY
        );
        cx.expert(node, &ws::UNREASSEMBLED, Some(msg));
        return None;
    }
    let p = st.partials.entry(key.clone()).or_insert_with(|| Partial {
        first_frame: m.frame,
        ..Default::default()
    });
    if let std::collections::btree_map::Entry::Vacant(e) = p.blocks.entry(off) {
        e.insert((data.to_vec(), m.frame));
        p.bytes += data.len();
        st.buffered += data.len();
    }
    if !b.more {
        p.end = Some(end);
    }
    let mut complete = None;
    if let Some(total) = p.end {
        let mut body = Vec::new();
        let mut ok = true;
        for (&o, (d, _)) in p.blocks.range(..total) {
            if o != body.len() as u64 {
                ok = o <= body.len() as u64;
                if !ok {
                    break;
                }
                // Overlap (block size changed mid-transfer): keep what extends the body.
                let skip = (body.len() as u64 - o) as usize;
                if skip < d.len() {
                    body.extend_from_slice(&d[skip..]);
                }
                continue;
            }
            body.extend_from_slice(d);
        }
        if ok && body.len() as u64 >= total {
            body.truncate(total as usize);
            let frames: Vec<(u64, usize)> = p
                .blocks
                .range(..total)
                .map(|(_, (d, f))| (*f, d.len()))
                .collect();
            complete = Some((body, frames));
        }
    }
    if let Some((body, frames)) = complete {
        if let Some(p) = st.partials.remove(&key) {
            st.buffered = st.buffered.saturating_sub(p.bytes);
        }
        if st.done.len() >= MAX_DONE_BODIES {
            st.done.pop_front();
        }
        st.done.push_back((m.frame, body.clone(), frames.clone()));
        add_blocks_tree(cx, node, &body, &frames);
        if let Some(msg) = evicted {
            cx.expert(node, &ws::UNREASSEMBLED, Some(msg));
        }
        return Some(body);
    }
    if let Some(msg) = evicted {
        cx.expert(node, &ws::UNREASSEMBLED, Some(msg));
    }
    None
}

/// The `coap.blocks` tree of a completed body: its blocks' frames, count and length.
fn add_blocks_tree(cx: &mut Cx, node: NodeId, body: &[u8], frames: &[(u64, usize)]) {
    let list: Vec<String> = frames.iter().map(|(f, l)| format!("#{f}({l})")).collect();
    let blocks = cx.add_generated(node, &coap::BLOCKS, Value::None);
    cx.set_text(
        blocks,
        format_args!(
            "[{} Block fragments ({} bytes): {}]",
            frames.len(),
            body.len(),
            list.join(", ")
        ),
    );
    for (f, _) in frames {
        cx.add_generated(blocks, &coap::BLOCK, Value::UInt(*f));
    }
    cx.add_generated(blocks, &coap::BLOCK_COUNT, Value::UInt(frames.len() as u64));
    cx.add_generated(
        blocks,
        &coap::BLOCK_REASSEMBLED_LENGTH,
        Value::UInt(body.len() as u64),
    );
}

/// Adds the generated tracking items in tshark's order.
pub fn add_tracking_items(cx: &mut Cx, node: NodeId, class: u8, t: &Tracking) {
    if class == 0 {
        if let Some(f) = t.response_in {
            cx.add_generated(node, &coap::RESPONSE_IN, Value::UInt(f));
        }
        if let Some(f) = t.request_first_in {
            cx.columns.info.push_str(" [Retransmission]");
            let n = cx.add_generated(node, &coap::REQUEST_FIRST_IN, Value::UInt(f));
            cx.expert(n, &coap::RETRANSMITTED, None);
        }
    } else {
        if let Some((f, dt)) = t.response_to {
            cx.add_generated(node, &coap::RESPONSE_TO, Value::UInt(f));
            cx.add_generated(node, &coap::RESPONSE_TIME, Value::RelTime(dt));
        }
        if let Some(f) = t.response_first_in {
            cx.columns.info.push_str(" [Retransmission]");
            let n = cx.add_generated(node, &coap::RESPONSE_FIRST_IN, Value::UInt(f));
            cx.expert(n, &coap::RETRANSMITTED, None);
        }
    }
    if let Some(f) = t.observe_registered_in {
        cx.add_generated(node, &coap::OBSERVE_REGISTERED_IN, Value::UInt(f));
    }
    if let Some(n) = t.observe_notification {
        let item = cx.add_generated(node, &coap::OBSERVE_NOTIFICATION, Value::UInt(n as u64));
        if let Some(msg) = &t.observe_reordered {
            cx.expert(item, &coap::OBSERVE_REORDERED, Some(msg.clone()));
        }
    }
    if let Some(f) = t.observe_deregistered {
        cx.add_generated(node, &coap::OBSERVE_DEREGISTERED, Value::UInt(f));
    }
    if let Some(msg) = &t.evicted {
        cx.expert(node, &ws::UNREASSEMBLED, Some(msg.clone()));
    }
}

// ---- statistics ------------------------------------------------------------------------------

/// The fields [`CoapStats`] reads (its tree: the layers and these).
pub fn stats_build() -> crate::engine::tree::Build {
    crate::engine::tree::Build::fields([
        &coap::TYPE,
        &coap::CODE,
        &coap::MID,
        &coap::TOKEN,
        &coap::OPT_OBSERVE,
        &coap::OPT_URI_PATH_RECON,
        &coap::RESPONSE_TO,
        &coap::RESPONSE_TIME,
    ])
}

/// One CoAP message as the statistics read it back from a dissected packet.
#[derive(Debug, Default)]
struct Seen {
    ttype: Option<u8>,
    code: u8,
    mid: Option<u16>,
    token: Vec<u8>,
    observe: Option<u32>,
    uri: String,
    response_to: Option<u64>,
    response_time: Option<i64>,
}

fn collect(tree: &Tree, node: NodeId, s: &mut Seen) {
    for (id, n) in tree.children(node) {
        if let Some(f) = n.field {
            match f.abbrev {
                "coap.type" => s.ttype = n.value.as_u64().map(|v| v as u8),
                "coap.code" => s.code = n.value.as_u64().unwrap_or(0) as u8,
                "coap.mid" => s.mid = n.value.as_u64().map(|v| v as u16),
                "coap.token" => s.token = n.value.as_bytes().unwrap_or_default().to_vec(),
                "coap.opt.observe" => s.observe = n.value.as_u64().map(|v| v as u32),
                "coap.opt.uri_path_recon" => {
                    if let Value::Str(u) = &n.value {
                        s.uri = u.to_string();
                    }
                }
                "coap.response_to" => s.response_to = n.value.as_u64(),
                "coap.response_time" => {
                    if let Value::RelTime(ns) = n.value {
                        s.response_time = Some(ns);
                    }
                }
                _ => {}
            }
        }
        // Options keep their values in a subtree; the payload's decoded tree is not needed.
        if n.field.is_some_and(|f| f.abbrev == "coap.opt.name") {
            collect(tree, id, s);
        }
    }
}

/// Response times of one (URI, method).
#[derive(Debug, Default, Clone)]
pub struct SrtRow {
    pub calls: u64,
    pub min: i64,
    pub max: i64,
    pub sum: i64,
}

impl SrtRow {
    pub fn mean(&self) -> i64 {
        self.sum / self.calls.max(1) as i64
    }
}

/// One observation (RFC 7641) and its notifications.
#[derive(Debug, Clone)]
pub struct ObsStat {
    pub observer: Endpoint,
    pub server: Endpoint,
    pub token: Vec<u8>,
    pub resource: String,
    pub reg_frame: u64,
    pub notifications: u64,
    pub first_seq: Option<u32>,
    pub last_seq: Option<u32>,
    pub gaps: u64,
    pub missing: u64,
    pub reordered: u64,
    /// How it ended; None while active.
    pub end: Option<String>,
}

/// Statistics over dissected packets (response times, observations); feed it every packet in
/// order with [`CoapStats::add_packet`].
#[derive(Default)]
pub struct CoapStats {
    /// Request frame → (method, URI), bounded.
    requests: HashMap<u64, (u8, String)>,
    srt: BTreeMap<(String, String), SrtRow>,
    observations: Vec<ObsStat>,
    /// (observer, server, token) → index of the open observation.
    open: HashMap<(Endpoint, Endpoint, Vec<u8>), usize>,
    /// Notification (server, client, MID) → observation index, for Resets.
    notif_mids: HashMap<(Endpoint, Endpoint, u16), usize>,
}

const MAX_STATS_REQUESTS: usize = 65536;
const MAX_STATS_OBSERVATIONS: usize = 65536;

impl CoapStats {
    pub fn new() -> CoapStats {
        CoapStats::default()
    }

    /// Reads the CoAP layers of one packet.
    pub fn add_packet(&mut self, p: &Packet) {
        let src = Endpoint(p.info.net_src, p.info.src_port);
        let dst = Endpoint(p.info.net_dst, p.info.dst_port);
        let layers: Vec<NodeId> = p
            .tree
            .layers()
            .filter(|(_, n)| n.field.is_some_and(|f| f.abbrev == "coap"))
            .map(|(id, _)| id)
            .collect();
        for id in layers {
            let mut s = Seen::default();
            collect(&p.tree, id, &mut s);
            self.add_message(p.meta.number, src, dst, &s);
        }
    }

    fn add_message(&mut self, frame: u64, src: Endpoint, dst: Endpoint, s: &Seen) {
        let class = s.code >> 5;
        if class == 0 && s.code != 0 {
            if self.requests.len() >= MAX_STATS_REQUESTS {
                let mut keys: Vec<u64> = self.requests.keys().copied().collect();
                keys.sort_unstable();
                for k in &keys[..keys.len() / 2] {
                    self.requests.remove(k);
                }
            }
            self.requests.insert(frame, (s.code, s.uri.clone()));
            let key = (src, dst, s.token.clone());
            match s.observe {
                Some(0)
                    if !self.open.contains_key(&key)
                        && self.observations.len() < MAX_STATS_OBSERVATIONS =>
                {
                    self.observations.push(ObsStat {
                        observer: src,
                        server: dst,
                        token: s.token.clone(),
                        resource: s.uri.clone(),
                        reg_frame: frame,
                        notifications: 0,
                        first_seq: None,
                        last_seq: None,
                        gaps: 0,
                        missing: 0,
                        reordered: 0,
                        end: None,
                    });
                    self.open.insert(key, self.observations.len() - 1);
                }
                Some(1) => {
                    if let Some(i) = self.open.remove(&key) {
                        self.observations[i].end =
                            Some(format!("deregistered (Observe: 1) in frame {frame}"));
                    }
                }
                _ => {}
            }
        } else if (2..=5).contains(&class) {
            if let (Some(req), Some(dt)) = (s.response_to, s.response_time) {
                if let Some((method, uri)) = self.requests.get(&req) {
                    let m = crate::engine::field::val_to_str(coap::CODES, *method as u64)
                        .unwrap_or("?")
                        .to_string();
                    let r = self.srt.entry((uri.clone(), m)).or_insert(SrtRow {
                        min: i64::MAX,
                        ..Default::default()
                    });
                    r.calls += 1;
                    r.min = r.min.min(dt);
                    r.max = r.max.max(dt);
                    r.sum = r.sum.saturating_add(dt);
                }
            }
            let key = (dst, src, s.token.clone());
            if let Some(&i) = self.open.get(&key) {
                let o = &mut self.observations[i];
                match s.observe {
                    Some(seq) => {
                        o.notifications += 1;
                        if let Some(last) = o.last_seq {
                            if is_fresh(last, seq, 0) {
                                let step = (seq.wrapping_sub(last)) & 0x00ff_ffff;
                                if step > 1 {
                                    o.gaps += 1;
                                    o.missing += (step - 1) as u64;
                                }
                                o.last_seq = Some(seq);
                            } else if seq != last {
                                o.reordered += 1;
                            }
                        } else {
                            o.first_seq = Some(seq);
                            o.last_seq = Some(seq);
                        }
                        if let (Some(mid), Some(tt)) = (s.mid, s.ttype) {
                            if tt <= 1 {
                                self.notif_mids.insert((src, dst, mid), i);
                            }
                        }
                    }
                    None => {
                        o.end = Some(format!(
                            "ended by a response without Observe in frame {frame}"
                        ));
                        self.open.remove(&key);
                    }
                }
            }
        } else if s.code == 0 && s.ttype == Some(3) {
            if let Some(mid) = s.mid {
                if let Some(i) = self.notif_mids.remove(&(dst, src, mid)) {
                    let o = &mut self.observations[i];
                    if o.end.is_none() {
                        o.end = Some(format!("cancelled by Reset in frame {frame}"));
                        let key = (o.observer, o.server, o.token.clone());
                        self.open.remove(&key);
                    }
                }
            }
        }
    }

    /// Response times per (URI, method name), as `-z coap,srt` lists them.
    pub fn srt_rows(&self) -> impl Iterator<Item = (&(String, String), &SrtRow)> {
        self.srt.iter()
    }

    /// Every observation, in registration order.
    pub fn observations(&self) -> &[ObsStat] {
        &self.observations
    }

    /// Response times per URI and method.
    pub fn render_srt(&self) -> String {
        let mut s = String::new();
        let line = "=".repeat(100);
        let _ = writeln!(s, "{line}");
        let _ = writeln!(s, "CoAP SRT Statistics:");
        let _ = writeln!(s, "Filter: coap");
        let _ = writeln!(
            s,
            "{:<40} {:<8} {:>7} {:>12} {:>12} {:>12} {:>12}",
            "URI", "Method", "Calls", "Min SRT (s)", "Max SRT (s)", "Avg SRT (s)", "Sum SRT (s)"
        );
        let secs = |ns: i64| ns as f64 / 1e9;
        for ((uri, method), r) in &self.srt {
            let uri = if uri.is_empty() { "(none)" } else { uri };
            let avg = r.mean();
            let _ = writeln!(
                s,
                "{:<40} {:<8} {:>7} {:>12.6} {:>12.6} {:>12.6} {:>12.6}",
                crate::engine::value::escape_text(uri),
                method,
                r.calls,
                secs(r.min),
                secs(r.max),
                secs(avg),
                secs(r.sum)
            );
        }
        let _ = writeln!(s, "{line}");
        s
    }

    /// Every observation: who observed what, how many notifications, gaps in the sequence.
    pub fn render_observe(&self) -> String {
        let mut s = String::new();
        let line = "=".repeat(100);
        let _ = writeln!(s, "{line}");
        let _ = writeln!(s, "CoAP Observations:");
        for o in &self.observations {
            let tok = if o.token.is_empty() {
                "(empty)".to_string()
            } else {
                crate::engine::value::hex_string(&o.token)
            };
            let res = if o.resource.is_empty() {
                "/".to_string()
            } else {
                crate::engine::value::escape_text(&o.resource).into_owned()
            };
            let _ = writeln!(
                s,
                "Observer {} -> {} resource {} token {} registered in frame {}",
                o.observer, o.server, res, tok, o.reg_frame
            );
            let seq = match (o.first_seq, o.last_seq) {
                (Some(a), Some(b)) => format!(", sequence {a}..{b}"),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "  notifications: {}{seq}, gaps: {} ({} numbers skipped), reordered: {}",
                o.notifications, o.gaps, o.missing, o.reordered
            );
            let _ = writeln!(
                s,
                "  state: {}",
                o.end.as_deref().unwrap_or("active at end of capture")
            );
        }
        let _ = writeln!(s, "{line}");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::coap::tests::{run, udp, udp_back};

    #[test]
    fn freshness_follows_rfc7641() {
        assert!(is_fresh(1, 2, 0));
        assert!(!is_fresh(2, 1, 0));
        assert!(is_fresh(0x00ff_fff0, 3, 0), "wraps around 2^24");
        assert!(
            is_fresh(5, 1, 200_000_000_000),
            "128 s later is always fresh"
        );
    }

    #[test]
    fn stats_render_response_times_and_observations() {
        let get = udp(40000, 5683, b"\x41\x01\x00\x01\x20\xbbtemperature");
        let ack = udp_back(5683, 40000, b"\x61\x45\x00\x01\x20\xff22.3 C");
        let reg = udp(40001, 5683, b"\x41\x01\x00\x02\x4a\x60\x5btemperature");
        let n1 = udp_back(5683, 40001, b"\x61\x45\x00\x02\x4a\x61\x05\xff1");
        let n2 = udp_back(5683, 40001, b"\x51\x45\x00\x03\x4a\x61\x06\xff2");
        let n3 = udp_back(5683, 40001, b"\x51\x45\x00\x04\x4a\x61\x09\xff3");
        let dereg = udp(40001, 5683, b"\x41\x01\x00\x05\x4a\x61\x01\xbbtemperature");
        let (_, p) = run(&[get, ack, reg, n1, n2, n3, dereg]);
        let mut st = CoapStats::new();
        for x in &p {
            st.add_packet(&x.packet);
        }
        let srt = st.render_srt();
        let row = srt
            .lines()
            .find(|l| l.starts_with("/temperature") && l.contains("GET"))
            .expect(&srt);
        let cols: Vec<&str> = row.split_whitespace().collect();
        // Two GETs answered: the plain one (1 ms) and the registration (1 ms).
        assert_eq!(cols[2], "2", "{row}");
        assert_eq!(cols[3], "0.001000", "{row}");
        let obs = st.render_observe();
        assert!(obs.contains("Observer 10.0.0.1:40001 -> 10.0.0.2:5683 resource /temperature token 4a registered in frame 3"), "{obs}");
        assert!(
            obs.contains(
                "notifications: 3, sequence 5..9, gaps: 1 (2 numbers skipped), reordered: 0"
            ),
            "{obs}"
        );
        assert!(
            obs.contains("deregistered (Observe: 1) in frame 7"),
            "{obs}"
        );
    }

    #[test]
    fn revisiting_a_request_shows_its_response() {
        let get = udp(40000, 5683, b"\x41\x01\x00\x01\x20\xbbtemperature");
        let ack = udp_back(5683, 40000, b"\x61\x45\x00\x01\x20\xff22.3 C");
        let (mut e, p) = run(&[get.clone(), ack.clone()]);
        assert!(!p[0].has("coap.response_in"));
        let meta = |n: u64| crate::engine::FrameMeta {
            number: n,
            ts_ns: (n as i64 - 1) * 1_000_000,
            orig_len: get.len() as u32,
            link_type: 228,
            ..Default::default()
        };
        let again = e.dissect(meta(1), &get);
        let v: Vec<String> = again
            .tree
            .by_abbrev("coap.response_in")
            .map(|n| crate::engine::value::show(n.field.unwrap(), &n.value))
            .collect();
        assert_eq!(v, ["2"]);
        assert!(again
            .tree
            .by_abbrev("coap.request_first_in")
            .next()
            .is_none());
        let again = e.dissect(meta(2), &ack);
        assert_eq!(again.tree.by_abbrev("coap.response_to").count(), 1);
    }

    #[test]
    fn block_state_is_bounded() {
        // 100 transfers that never finish, from 100 client ports: at most MAX_PARTIAL_BODIES stay.
        let mut frames = vec![];
        for i in 0..100u16 {
            let mut m = b"\x60\x45\x00\x01\xc1\x0a\xff".to_vec(); // Block2 0/1/64? (0x0a: M, szx 2)
            m[4] = 0xd1;
            m.splice(5..6, [0x0a, 0x0a]);
            m.extend_from_slice(&[b'x'; 64]);
            frames.push(udp_back(5683, 41000 + i, &m));
        }
        let (mut e, p) = run(&frames);
        assert!(p.iter().all(|x| x.has("coap.block_payload")));
        let st = e.session.get::<CoapState>();
        assert!(st.partials.len() <= MAX_PARTIAL_BODIES);
        assert!(p.last().unwrap().has("_ws.unreassembled"));
    }
}
