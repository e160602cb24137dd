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

const SECOND_NS: i64 = 1_000_000_000;
/// RFC 7252 §4.8.2: how long a Message ID stays in use (247 s).
pub const EXCHANGE_LIFETIME_NS: i64 = 247 * SECOND_NS;
/// RFC 7641 §3.4: notifications further apart than 128 s are always fresh.
const OBSERVE_FRESH_NS: i64 = 128 * SECOND_NS;

const MAX_TRANSACTIONS: usize = 8192;
const MAX_MIDS: usize = 16384;
const MAX_OBSERVATIONS: usize = 4096;
const MAX_PARTIAL_BODIES: usize = 64;
/// One reassembled body may not exceed this (Size1/Size2 can announce more; we do not buffer it).
pub const MAX_BODY: usize = 1 << 20;
/// All partial bodies together may not exceed this.
const MAX_BUFFERED: usize = 8 * MAX_BODY;

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

/// The (frame, length) of each block of a body.
type BlockFrames = Vec<(u64, usize)>;

/// A completed body: the frame that completed it, the bytes, and (frame, length) per block.
type DoneBody = (u64, Vec<u8>, BlockFrames);

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

/// Evicts the older half of a full table; says so in the text the tree shows.
fn make_room<K: Clone + Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    max: usize,
    age: impl Fn(&V) -> u64,
    table: &str,
    items: &str,
) -> Option<String> {
    if map.len() < max {
        return None;
    }
    let n = evict_oldest_half(map, age);
    Some(format!(
        "CoAP {table} table full: {n} oldest {items} forgotten"
    ))
}

/// The transaction a message belongs to: a request's own, or the one a response answers.
fn tx_key(m: &MsgFacts, request: bool) -> TxKey {
    let (client, server) = if request {
        (m.src, m.dst)
    } else {
        (m.dst, m.src)
    };
    TxKey {
        client,
        server,
        token: m.token.clone(),
        tcp: m.tcp,
    }
}

/// Updates the state with one message and says what the tree should show.
/// `quoted`: the message is quoted in an ICMP error; it is looked up but changes nothing.
pub fn track_message(cx: &mut Cx, m: &MsgFacts, quoted: bool) -> Tracking {
    let st = cx.session.get::<CoapState>();
    let quoted = quoted || m.frame < st.max_frame;
    st.max_frame = st.max_frame.max(m.frame);
    let mut t = Tracking::default();
    let class = m.code >> 5;
    let retransmission = track_mid(st, m, quoted, &mut t);
    if m.code == 0 {
        return t;
    }
    if quoted {
        look_up_quoted(st, m, &mut t);
    } else if class == 0 {
        track_request(st, m, retransmission, &mut t);
    } else if (2..=5).contains(&class) {
        track_response(st, m, retransmission, &mut t);
    }
    t
}

/// Duplicate detection by Message ID (UDP only: TCP is reliable and has no Message IDs), and
/// RFC 7641 §3.6: a Reset in reply to a notification cancels the observation. Returns
/// whether the message is a retransmission.
fn track_mid(st: &mut CoapState, m: &MsgFacts, quoted: bool, t: &mut Tracking) -> bool {
    let (Some(mid), Some(tt)) = (m.mid, m.ttype) else {
        return false;
    };
    let class = m.code >> 5;
    if tt == 3 && !quoted {
        let back = (m.dst, m.src, mid);
        if let Some(k) = st.mids.get(&back).and_then(|e| e.notification_of.clone()) {
            if let Some(o) = st.observations.get_mut(&k) {
                deregister(o, t);
            }
        }
        return false;
    }
    if tt > 1 {
        return false;
    }
    let key = (m.src, m.dst, mid);
    match st.mids.get(&key) {
        Some(e) if e.frame != m.frame && m.ts_ns - e.ts <= EXCHANGE_LIFETIME_NS => {
            if class == 0 && m.code != 0 {
                t.request_first_in = Some(e.frame);
            } else if (2..=5).contains(&class) {
                t.response_first_in = Some(e.frame);
            }
            return true;
        }
        Some(e) if e.frame == m.frame => {}
        _ if quoted => {}
        _ => {
            if let Some(msg) =
                make_room(&mut st.mids, MAX_MIDS, |e| e.frame, "message ID", "entries")
            {
                t.evicted = Some(msg);
            }
            let entry = MidEntry {
                frame: m.frame,
                ts: m.ts_ns,
                notification_of: None,
            };
            st.mids.insert(key, entry);
        }
    }
    false
}

/// Ends an active observation, noting the frame that registered it.
fn deregister(o: &mut Observation, t: &mut Tracking) {
    if o.active {
        o.active = false;
        t.observe_deregistered = Some(o.reg_frame);
    }
}

/// A quoted (or revisited) message: what its transaction says, changing nothing.
fn look_up_quoted(st: &CoapState, m: &MsgFacts, t: &mut Tracking) {
    let class = m.code >> 5;
    let request = class == 0;
    if !request && !(2..=5).contains(&class) {
        return;
    }
    let Some(tx) = st.transactions.get(&tx_key(m, request)) else {
        return;
    };
    if request {
        if tx.req_frame == m.frame {
            t.response_in = tx.rsp_frame;
        }
    } else {
        t.uri_from_request = Some(tx.uri.clone());
        if tx.rsp_frame == Some(m.frame) {
            t.response_to = Some((tx.req_frame, m.ts_ns - tx.req_ts));
        }
    }
}

/// A request opens a transaction, and with Observe 0/1 registers or deregisters (RFC 7641
/// §3.1, §3.6).
fn track_request(st: &mut CoapState, m: &MsgFacts, retransmission: bool, t: &mut Tracking) {
    let key = tx_key(m, true);
    if let Some(tx) = st.transactions.get(&key) {
        if tx.req_frame == m.frame {
            t.response_in = tx.rsp_frame;
            return;
        }
    }
    if retransmission {
        return;
    }
    if let Some(msg) = make_room(
        &mut st.transactions,
        MAX_TRANSACTIONS,
        |tx| tx.req_frame,
        "transaction",
        "transactions",
    ) {
        t.evicted = Some(msg);
    }
    let tx = Tx {
        req_frame: m.frame,
        req_ts: m.ts_ns,
        uri: m.uri.clone(),
        rsp_frame: None,
    };
    st.transactions.insert(key.clone(), tx);
    match m.observe {
        Some(0) => {
            if let Some(msg) = make_room(
                &mut st.observations,
                MAX_OBSERVATIONS,
                |o| o.reg_frame,
                "observation",
                "observations",
            ) {
                t.evicted = Some(msg);
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
                deregister(o, t);
            }
        }
        _ => {}
    }
}

/// A response completes its transaction and may be a notification of an observation.
fn track_response(st: &mut CoapState, m: &MsgFacts, retransmission: bool, t: &mut Tracking) {
    let key = tx_key(m, false);
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
    let Some(o) = st.observations.get_mut(&key) else {
        return;
    };
    if !o.active || retransmission {
        return;
    }
    let Some(seq) = m.observe else {
        // RFC 7641 §3.2: a response without Observe ends the observation.
        deregister(o, t);
        return;
    };
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
    // Remembered so that a Reset to this notification cancels the observation.
    if let (Some(mid), Some(tt)) = (m.mid, m.ttype) {
        if tt <= 1 {
            if let Some(e) = st.mids.get_mut(&(m.src, m.dst, mid)) {
                e.notification_of = Some(key);
            }
        }
    }
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
    // Block 0 of new data starts a new transfer (the previous one was abandoned).
    if b.num == 0 {
        let same = st
            .partials
            .get(&key)
            .map(|p| p.blocks.get(&0).is_some_and(|(d, _)| d == data));
        if same == Some(false) {
            st.forget_partial(&key);
        }
    }
    let evicted = st.make_room_for_partial(&key);
    let end = off.saturating_add(data.len() as u64);
    if end > MAX_BODY as u64 || st.buffered + data.len() > MAX_BUFFERED {
        st.forget_partial(&key);
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
    let complete = p.assemble();
    if let Some((body, frames)) = &complete {
        st.forget_partial(&key);
        if st.done.len() >= MAX_DONE_BODIES {
            st.done.pop_front();
        }
        st.done.push_back((m.frame, body.clone(), frames.clone()));
        add_blocks_tree(cx, node, body, frames);
    }
    if let Some(msg) = evicted {
        cx.expert(node, &ws::UNREASSEMBLED, Some(msg));
    }
    complete.map(|(body, _)| body)
}

impl CoapState {
    /// Drops an unfinished transfer and the bytes it held.
    fn forget_partial(&mut self, key: &BlockKey) -> Option<Partial> {
        let p = self.partials.remove(key)?;
        self.buffered = self.buffered.saturating_sub(p.bytes);
        Some(p)
    }

    /// Before a new transfer starts in a full table, drops the oldest one; says so.
    fn make_room_for_partial(&mut self, key: &BlockKey) -> Option<String> {
        if self.partials.contains_key(key) || self.partials.len() < MAX_PARTIAL_BODIES {
            return None;
        }
        let oldest = self
            .partials
            .iter()
            .min_by_key(|(_, p)| p.first_frame)
            .map(|(k, _)| k.clone())?;
        let p = self.forget_partial(&oldest)?;
        Some(format!(
            "Too many unfinished CoAP block transfers: the one started in frame {} was dropped",
            p.first_frame
        ))
    }
}

impl Partial {
    /// The body and the (frame, length) of its blocks, once every byte up to the last block's
    /// end is here.
    fn assemble(&self) -> Option<(Vec<u8>, BlockFrames)> {
        let total = self.end?;
        let mut body = Vec::new();
        for (&o, (d, _)) in self.blocks.range(..total) {
            if o > body.len() as u64 {
                return None;
            }
            // Overlap (block size changed mid-transfer): keep what extends the body.
            let skip = (body.len() as u64 - o) as usize;
            if skip < d.len() {
                body.extend_from_slice(&d[skip..]);
            }
        }
        if (body.len() as u64) < total {
            return None;
        }
        body.truncate(total as usize);
        let frames = self
            .blocks
            .range(..total)
            .map(|(_, (d, f))| (*f, d.len()))
            .collect();
        Some((body, frames))
    }
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
            self.add_request(frame, src, dst, s);
        } else if (2..=5).contains(&class) {
            self.add_response_time(s);
            self.add_notification(frame, src, dst, s);
        } else if s.code == 0 && s.ttype == Some(3) {
            // RFC 7641 §3.6: a Reset to a notification cancels the observation.
            let Some(i) = s
                .mid
                .and_then(|mid| self.notif_mids.remove(&(dst, src, mid)))
            else {
                return;
            };
            let o = &mut self.observations[i];
            if o.end.is_none() {
                o.end = Some(format!("cancelled by Reset in frame {frame}"));
                let key = (o.observer, o.server, o.token.clone());
                self.open.remove(&key);
            }
        }
    }

    /// A request: remembered for its response time; Observe 0/1 opens or ends an observation.
    fn add_request(&mut self, frame: u64, src: Endpoint, dst: Endpoint, s: &Seen) {
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
    }

    /// A response's time, under its request's (URI, method).
    fn add_response_time(&mut self, s: &Seen) {
        let (Some(req), Some(dt)) = (s.response_to, s.response_time) else {
            return;
        };
        let Some((method, uri)) = self.requests.get(&req) else {
            return;
        };
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

    /// A response on an open observation: a notification (counting gaps and reordering), or
    /// without Observe its end.
    fn add_notification(&mut self, frame: u64, src: Endpoint, dst: Endpoint, s: &Seen) {
        let key = (dst, src, s.token.clone());
        let Some(&i) = self.open.get(&key) else {
            return;
        };
        let o = &mut self.observations[i];
        let Some(seq) = s.observe else {
            o.end = Some(format!(
                "ended by a response without Observe in frame {frame}"
            ));
            self.open.remove(&key);
            return;
        };
        o.notifications += 1;
        match o.last_seq {
            Some(last) if is_fresh(last, seq, 0) => {
                let step = (seq.wrapping_sub(last)) & 0x00ff_ffff;
                if step > 1 {
                    o.gaps += 1;
                    o.missing += (step - 1) as u64;
                }
                o.last_seq = Some(seq);
            }
            Some(last) => {
                if seq != last {
                    o.reordered += 1;
                }
            }
            None => {
                o.first_seq = Some(seq);
                o.last_seq = Some(seq);
            }
        }
        if let (Some(mid), Some(tt)) = (s.mid, s.ttype) {
            if tt <= 1 {
                self.notif_mids.insert((src, dst, mid), i);
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
        let (_, p) = run(&[
            // A plain GET and its answer, then (from port 40001) a registration, its three
            // notifications (sequence 5, 6, 9) and the deregistration (Observe 1).
            udp(40000, 5683, b"\x41\x01\x00\x01\x20\xbbtemperature"),
            udp_back(5683, 40000, b"\x61\x45\x00\x01\x20\xff22.3 C"),
            udp(40001, 5683, b"\x41\x01\x00\x02\x4a\x60\x5btemperature"),
            udp_back(5683, 40001, b"\x61\x45\x00\x02\x4a\x61\x05\xff1"),
            udp_back(5683, 40001, b"\x51\x45\x00\x03\x4a\x61\x06\xff2"),
            udp_back(5683, 40001, b"\x51\x45\x00\x04\x4a\x61\x09\xff3"),
            udp(40001, 5683, b"\x41\x01\x00\x05\x4a\x61\x01\xbbtemperature"),
        ]);
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
