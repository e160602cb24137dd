//! TCP stream reassembly for application protocols that run over TCP (tshark's
//! `tcp_dissect_pdus` + `desegment_tcp`, single pass).
//!
//! An application protocol registers a PDU-length function ([`StreamPdus`]): given the bytes that
//! start a PDU, it says how long the PDU is ([`PduLen::Complete`]), that it cannot tell yet
//! ([`PduLen::NeedMore`], e.g. a length field split across segments), or that the bytes are not
//! its own ([`PduLen::NotMine`]). TCP then cuts each direction's in-order byte stream into PDUs:
//!
//! ```text
//!   segment 1            segment 2              segment 3
//! |PDU a|PDU b|PDU c...|...PDU c...........|...c|PDU d|
//!  a and b decoded in 1; c decoded in 3 from a "Reassembled TCP" buffer; then d in 3.
//! ```
//! A PDU is decoded on the segment that completes it, from a new data source
//! `Reassembled TCP (N bytes)`, with a `tcp.segments` subtree listing the frames it came from.
//! Data already delivered (retransmissions) is not delivered again. Segments after a gap are
//! held until it closes when `tcp.reassemble_out_of_order` is on (off by default, as in
//! tshark); otherwise the pending PDU is abandoned and decoding restarts at the new segment.
//! Memory is bounded per pending PDU (`tcp.max_reassembly_bytes`) and in total
//! (`tcp.max_total_reassembly_bytes`); dropping data for either limit adds an expert note.

use crate::engine::expert::ws::UNREASSEMBLED;
use crate::engine::registry::{PduLen, Protocol, StreamPdus};
use crate::engine::tree::NodeId;
use crate::engine::tvb::Tvb;
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::proto::tcp::{
    PDU_SIZE, REASSEMBLED_DATA, REASSEMBLED_IN, REASSEMBLED_LENGTH, SEGMENT, SEGMENTS,
    SEGMENT_COUNT, SEGMENT_DATA,
};
use foldhash::HashMap;
use std::collections::BTreeMap;

/// Default bound for one pending PDU.
pub const DEFAULT_MAX_PDU_BYTES: u64 = 4 << 20;
/// Default bound for all pending data of the capture.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 64 << 20;
/// Out-of-order segments held per direction.
const MAX_OOO_SEGMENTS: usize = 256;

/// A PDU whose bytes are still coming.
#[derive(Clone, Debug)]
struct Pending {
    /// Sequence number of its first byte.
    start: u32,
    data: Vec<u8>,
    /// Its length once known.
    total: Option<usize>,
    /// (frame, bytes it gave), in stream order.
    frames: Vec<(u64, usize)>,
}

/// Reassembly state of one direction of a connection.
#[derive(Clone, Debug, Default)]
pub struct FlowReasm {
    /// Sequence number of the next byte expected in stream order.
    next: Option<u32>,
    pending: Option<Pending>,
    /// Segments beyond a gap: seq → (frame, bytes).
    ooo: BTreeMap<u32, (u64, Vec<u8>)>,
    /// Recently completed multi-segment PDUs: (first seq, end seq, frame decoded in).
    done: std::collections::VecDeque<(u32, u32, u64)>,
}

/// Completed PDUs remembered per direction for `tcp.reassembled_in` on retransmissions.
const MAX_DONE: usize = 16;
/// Directions with reassembly state kept at once.
const MAX_FLOWS: usize = 65_536;

/// The frame where data `seq..seq+len` of this direction was reassembled, if it belonged to a
/// multi-segment PDU completed earlier (shown on retransmissions of that data).
pub fn reassembled_in(cx: &mut Cx, stream: u32, dir: u8, seq: u32, len: u32) -> Option<u64> {
    let st = cx.session.get::<ReasmState>();
    let flow = st.flows.get(&(stream, dir))?;
    let end = seq.wrapping_add(len);
    flow.done
        .iter()
        .rev()
        .find(|(s, e, _)| gt(end, *s) && gt(*e, seq))
        .map(|(_, _, f)| *f)
}

impl FlowReasm {
    fn held_bytes(&self) -> usize {
        self.pending.as_ref().map_or(0, |p| p.data.len())
            + self.ooo.values().map(|(_, d)| d.len()).sum::<usize>()
    }
}

/// Reassembly state of the whole capture: one entry per (stream, direction).
#[derive(Clone, Default)]
pub struct ReasmState {
    flows: HashMap<(u32, u8), FlowReasm>,
    /// Bytes held across all flows.
    held: usize,
}

fn gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// One segment handed to reassembly.
pub struct SegmentIn<'a> {
    pub stream: u32,
    pub dir: u8,
    pub seq: u32,
    pub payload: Tvb<'a>,
    pub tcp_node: NodeId,
    pub parent: NodeId,
    pub reg: &'static StreamPdus,
    /// The protocol the PDUs are handed to.
    pub proto: &'static Protocol,
}

/// Where the segment's bytes ended up, for the caller's Info column.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Some bytes wait for more segments.
    pub partial: bool,
    /// At least one PDU was decoded in this frame.
    pub decoded: bool,
    /// A new PDU started in this frame and waits for more (the protocol's PDU-length
    /// function was asked about it, as tshark asks its dissector).
    pub started_partial: bool,
}

/// Feeds one in-order (or not) segment to reassembly and decodes every PDU it completes.
pub fn process(cx: &mut Cx, s: SegmentIn) -> Outcome {
    let max_pdu = cx
        .prefs
        .uint("tcp.max_reassembly_bytes", DEFAULT_MAX_PDU_BYTES) as usize;
    let max_total =
        cx.prefs
            .uint("tcp.max_total_reassembly_bytes", DEFAULT_MAX_TOTAL_BYTES) as usize;
    let ooo_on = cx.prefs.bool("tcp.reassemble_out_of_order", false);
    let key = (s.stream, s.dir);
    let mut flow = {
        let st = cx.session.get::<ReasmState>();
        let f = st.flows.remove(&key).unwrap_or_default();
        st.held = st.held.saturating_sub(f.held_bytes());
        f
    };
    let frame = cx.meta.number;
    let data = s.payload.data();
    let len = data.len() as u32;
    let mut out = Outcome::default();
    // tshark shows the segment's payload first, then what reassembly made of it.
    add_payload(cx, s.tcp_node, &s.payload);
    let start = match place_segment(cx, &s, &mut flow, ooo_on) {
        Placed::Deliver(start) => start,
        Placed::Done {
            partial,
            reassembled_in,
        } => {
            out.partial = partial;
            if partial {
                enforce_total(cx, s.tcp_node, &mut flow, max_total);
            }
            put_back(cx, s.tcp_node, key, flow);
            if let Some(f) = reassembled_in {
                cx.add_generated(s.tcp_node, &REASSEMBLED_IN, Value::UInt(f));
            }
            return out;
        }
    };
    flow.next = Some(s.seq.wrapping_add(len));
    let f = Feed {
        s: &s,
        tvb: &s.payload,
        base_seq: s.seq,
        frame,
        max_pdu,
    };
    feed(cx, &f, &mut flow, start, &mut out);
    feed_held(cx, &s, &mut flow, &mut out, max_pdu);
    enforce_total(cx, s.tcp_node, &mut flow, max_total);
    put_back(cx, s.tcp_node, key, flow);
    out
}

/// What to do with a segment, given what the direction delivered so far.
enum Placed {
    /// Deliver from this offset of the segment on.
    Deliver(usize),
    /// Nothing to deliver now: a retransmission (with the frame that reassembled its data,
    /// if any), or held until the gap before it fills (`partial`).
    Done {
        partial: bool,
        reassembled_in: Option<u64>,
    },
}

/// Places a segment against the next expected sequence number: old data (a retransmission,
/// shown with the frame that reassembled it), an overlap to skip, or a gap to hold or give up on.
fn place_segment(cx: &mut Cx, s: &SegmentIn, flow: &mut FlowReasm, ooo_on: bool) -> Placed {
    let Some(next) = flow.next else {
        return Placed::Deliver(0);
    };
    let data = s.payload.data();
    let end = s.seq.wrapping_add(data.len() as u32);
    if !gt(end, next) {
        // Everything here was delivered already: a retransmission.
        let reassembled_in = flow
            .done
            .iter()
            .rev()
            .find(|(a, e, _)| gt(end, *a) && gt(*e, s.seq))
            .map(|(_, _, f)| *f);
        return Placed::Done {
            partial: false,
            reassembled_in,
        };
    }
    if gt(next, s.seq) {
        return Placed::Deliver(next.wrapping_sub(s.seq) as usize);
    }
    if gt(s.seq, next) {
        if ooo_on && flow.ooo.len() < MAX_OOO_SEGMENTS {
            flow.ooo.insert(s.seq, (cx.meta.number, data.to_vec()));
            cx.add_with(s.tcp_node, &SEGMENT_DATA, s.payload.whole(), || {
                Value::bytes(data)
            });
            return Placed::Done {
                partial: true,
                reassembled_in: None,
            };
        }
        // A gap we will not fill: what was pending cannot complete.
        if flow.pending.take().is_some() {
            cx.expert(
                s.tcp_node,
                &UNREASSEMBLED,
                Some("Pending PDU abandoned: a previous segment was not captured".into()),
            );
        }
    }
    Placed::Deliver(0)
}

/// Feeds held out-of-order segments that the gap no longer separates.
fn feed_held(cx: &mut Cx, s: &SegmentIn, flow: &mut FlowReasm, out: &mut Outcome, max_pdu: usize) {
    while let Some((&seq, _)) = flow.ooo.iter().next() {
        let next = flow.next.unwrap_or(seq);
        if gt(seq, next) {
            break;
        }
        let Some((of, bytes)) = flow.ooo.remove(&seq) else {
            break;
        };
        let end = seq.wrapping_add(bytes.len() as u32);
        if !gt(end, next) {
            continue;
        }
        let skip = next.wrapping_sub(seq) as usize;
        flow.next = Some(end);
        let src = cx.add_source(format!("Out-of-order TCP ({} bytes)", bytes.len()), bytes);
        let tvb = src.tvb();
        let f = Feed {
            s,
            tvb: &tvb,
            base_seq: seq,
            frame: of,
            max_pdu,
        };
        feed(cx, &f, flow, skip, out);
    }
}

fn put_back(cx: &mut Cx, node: NodeId, key: (u32, u8), flow: FlowReasm) {
    let st = cx.session.get::<ReasmState>();
    if st.flows.len() >= MAX_FLOWS {
        // Forget idle directions first; if every one holds data, forget them all (bounded
        // memory wins over completeness; their pending PDUs are lost).
        st.flows
            .retain(|_, f| f.pending.is_some() || !f.ooo.is_empty());
        let dropped = st.flows.len() >= MAX_FLOWS;
        if dropped {
            st.flows.clear();
        }
        st.held = st.flows.values().map(|f| f.held_bytes()).sum();
        if dropped {
            cx.expert_with(node, &UNREASSEMBLED, || {
                format!("Reassembly state of {MAX_FLOWS} connections dropped to stay bounded")
            });
        }
    }
    let st = cx.session.get::<ReasmState>();
    st.held = st.held.saturating_add(flow.held_bytes());
    st.flows.insert(key, flow);
}

/// Keeps the capture's held bytes under the total limit by dropping this flow's pending data.
fn enforce_total(cx: &mut Cx, node: NodeId, flow: &mut FlowReasm, max_total: usize) {
    let held_elsewhere = cx.session.get::<ReasmState>().held;
    if held_elsewhere.saturating_add(flow.held_bytes()) > max_total {
        flow.pending = None;
        flow.ooo.clear();
        cx.expert_with(
            node,
            &UNREASSEMBLED,
            || format!(
                "Reassembly data dropped: more than {max_total} bytes held (tcp.max_total_reassembly_bytes)"
            ),
        );
    }
}

fn add_payload(cx: &mut Cx, node: NodeId, payload: &Tvb) {
    cx.add_with(node, &crate::proto::tcp::PAYLOAD, payload.whole(), || {
        Value::bytes(payload.data())
    });
}

/// What one run of [`feed`] cuts: bytes `tvb[off..]` of frame `frame`, whose first byte has
/// sequence number `base_seq`.
struct Feed<'f> {
    s: &'f SegmentIn<'f>,
    tvb: &'f Tvb<'f>,
    base_seq: u32,
    frame: u64,
    max_pdu: usize,
}

/// Cuts `f.tvb[off..]` into PDUs, continuing a pending one first.
fn feed(cx: &mut Cx, f: &Feed, flow: &mut FlowReasm, mut off: usize, out: &mut Outcome) {
    while off < f.tvb.len() {
        let next = match flow.pending.take() {
            Some(p) => continue_pending(cx, f, flow, p, off, out),
            None => start_pdu(cx, f, flow, off, out),
        };
        match next {
            Some(n) => off = n,
            None => return,
        }
    }
}

/// The expert for a PDU reassembly gives up on.
fn too_long(cx: &mut Cx, node: NodeId, max_pdu: usize) {
    cx.expert_with(node, &UNREASSEMBLED, || {
        format!("PDU longer than {max_pdu} bytes not reassembled (tcp.max_reassembly_bytes)")
    });
}

/// Shows `tvb[off..off + len]` as segment data.
fn add_segment_data(cx: &mut Cx, node: NodeId, tvb: &Tvb, off: usize, len: usize) {
    let bytes = &tvb.data()[off..off + len];
    cx.add_with(node, &SEGMENT_DATA, tvb.range(off, len), || {
        Value::bytes(bytes)
    });
}

/// Adds bytes at `off` to the pending PDU `p`; decodes it when complete. Returns where the
/// next PDU starts, or None when the rest of the bytes are consumed or given up on.
fn continue_pending(
    cx: &mut Cx,
    f: &Feed,
    flow: &mut FlowReasm,
    mut p: Pending,
    off: usize,
    out: &mut Outcome,
) -> Option<usize> {
    let node = f.s.tcp_node;
    let rest = &f.tvb.data()[off..];
    let want = p
        .total
        .map_or(rest.len(), |t| t.saturating_sub(p.data.len()));
    let take = want.min(rest.len());
    if p.data.len().saturating_add(take) > f.max_pdu {
        too_long(cx, node, f.max_pdu);
        add_segment_data(cx, node, f.tvb, off, rest.len());
        return None;
    }
    p.data.extend_from_slice(&rest[..take]);
    p.frames.push((f.frame, take));
    let had = p.data.len() - take;
    if p.total.is_none() {
        // Never shorter than what was already held (a PDU-length function that
        // contradicts itself must not make the bookkeeping underflow).
        p.total = match (f.s.reg.pdu_len)(&p.data) {
            PduLen::Complete(n) => Some(n.max(had).max(1)),
            PduLen::NeedMore => None,
            PduLen::NotMine => Some(p.data.len()),
        };
    }
    match p.total {
        Some(t) if p.data.len() >= t => {
            // Bytes beyond the PDU belong to what follows.
            let extra = p.data.len() - t;
            p.data.truncate(t);
            if let Some(last) = p.frames.last_mut() {
                last.1 -= extra;
            }
            let used = take - extra;
            if f.s.reg.shows_pdu_size {
                cx.add_generated(node, &PDU_SIZE, Value::UInt(t as u64));
            }
            add_segment_data(cx, node, f.tvb, off, used);
            if p.frames.len() > 1 {
                if flow.done.len() >= MAX_DONE {
                    flow.done.pop_front();
                }
                let end = p.start.wrapping_add(p.data.len() as u32);
                flow.done.push_back((p.start, end, cx.meta.number));
            }
            decode_reassembled(cx, f.s, p);
            out.decoded = true;
            Some(off + used)
        }
        _ => {
            add_segment_data(cx, node, f.tvb, off, take);
            flow.pending = Some(p);
            out.partial = true;
            Some(off + take)
        }
    }
}

/// Starts a PDU at `off`: decodes it when all its bytes are here, hands bytes the protocol
/// refuses to the heuristics, else holds them as pending. Returns where the next PDU starts.
fn start_pdu(
    cx: &mut Cx,
    f: &Feed,
    flow: &mut FlowReasm,
    off: usize,
    out: &mut Outcome,
) -> Option<usize> {
    let (s, tvb) = (f.s, f.tvb);
    let rest = &tvb.data()[off..];
    let total = match (s.reg.pdu_len)(rest) {
        PduLen::Complete(n) if n <= rest.len() => {
            let n = n.max(1);
            if s.reg.shows_pdu_size {
                cx.add_generated(s.tcp_node, &PDU_SIZE, Value::UInt(n as u64));
            }
            cx.call(s.proto, &tvb.sub_clamped(off, n), s.parent);
            out.decoded = true;
            return Some(off + n);
        }
        PduLen::NotMine => {
            refused(cx, s, &tvb.sub_clamped(off, tvb.len()));
            return None;
        }
        PduLen::Complete(n) => Some(n),
        PduLen::NeedMore => None,
    };
    if total.is_some_and(|t| t > f.max_pdu) {
        too_long(cx, s.tcp_node, f.max_pdu);
        cx.call(s.proto, &tvb.sub_clamped(off, tvb.len()), s.parent);
        return None;
    }
    add_segment_data(cx, s.tcp_node, tvb, off, rest.len());
    flow.pending = Some(Pending {
        start: f.base_seq.wrapping_add(off as u32),
        data: rest.to_vec(),
        total,
        frames: vec![(f.frame, rest.len())],
    });
    out.partial = true;
    out.started_partial = true;
    if let Some(partial) = s.reg.partial {
        partial(&tvb.sub_clamped(off, rest.len()), cx, s.parent);
    }
    None
}

/// The port's protocol refused the bytes (tshark's "return 0"): TCP's heuristics get them
/// next, then data. A stream protocol found so is kept for the connection's later segments.
fn refused(cx: &mut Cx, s: &SegmentIn, rest: &Tvb) {
    if let Some(p) = crate::proto::tcp::conversation_protocol(cx, s.stream, rest) {
        cx.call(p, rest, s.parent);
    } else if !cx.call_heuristics(crate::engine::registry::tables::TCP_HEUR, rest, s.parent) {
        cx.call_data(rest, s.parent);
    }
}

/// Decodes a completed multi-segment PDU from its own data source.
fn decode_reassembled(cx: &mut Cx, s: &SegmentIn, p: Pending) {
    let total = p.data.len();
    if p.frames.len() <= 1 {
        // Everything came from one frame after all (a length that was unknown at first).
        let src = cx.add_source(format!("Reassembled TCP ({total} bytes)"), p.data);
        let tvb = src.tvb();
        cx.call(s.proto, &tvb, s.parent);
        return;
    }
    let src = cx.add_source(format!("Reassembled TCP ({total} bytes)"), p.data);
    let tvb = src.tvb();
    let summary: Vec<String> = p.frames.iter().map(|(f, n)| format!("#{f}({n})")).collect();
    let segs = cx.add(s.parent, &SEGMENTS, tvb.whole(), Value::None);
    cx.set_text(
        segs,
        format_args!(
            "[{} Reassembled TCP Segments ({total} bytes): {}]",
            p.frames.len(),
            summary.join(", ")
        ),
    );
    let mut at = 0usize;
    for (f, n) in &p.frames {
        let node = cx.add(segs, &SEGMENT, tvb.range(at, *n), Value::UInt(*f));
        cx.set_text(
            node,
            format_args!(
                "[Frame: {f}, payload: {}-{} ({n} bytes)]",
                at,
                (at + n).saturating_sub(1)
            ),
        );
        at += n;
    }
    cx.add_generated(segs, &SEGMENT_COUNT, Value::UInt(p.frames.len() as u64));
    cx.add_generated(segs, &REASSEMBLED_LENGTH, Value::UInt(total as u64));
    cx.add_with(segs, &REASSEMBLED_DATA, tvb.whole(), || {
        Value::bytes(tvb.data())
    });
    cx.call(s.proto, &tvb, s.parent);
}

/// Builders of IPv4/TCP test traffic for the TCP application dissectors' unit tests.
#[cfg(test)]
pub mod testconn {
    use crate::engine::{Engine, FrameMeta};
    use crate::testutil::TestPacket;

    /// One TCP connection between 10.0.0.1:`cport` and 10.0.0.2:`sport`, with sequence
    /// numbers and frame numbers kept across calls.
    pub struct Conn {
        pub engine: Engine,
        pub cport: u16,
        pub sport: u16,
        /// Next sequence number of the client and of the server.
        pub seq: [u32; 2],
        pub frame: u64,
        /// Time between frames.
        pub step_ns: i64,
    }

    impl Conn {
        pub fn new(sport: u16) -> Conn {
            Conn {
                engine: Engine::with_defaults(),
                cport: 40000,
                sport,
                seq: [1000, 5000],
                frame: 0,
                step_ns: 1_000_000_000,
            }
        }

        /// A segment at an explicit sequence number (does not move the stream on).
        pub fn raw(&mut self, from_client: bool, seq: u32, flags: u8, data: &[u8]) -> TestPacket {
            let (src, dst, sp, dp, ack) = if from_client {
                (
                    [10, 0, 0, 1],
                    [10, 0, 0, 2],
                    self.cport,
                    self.sport,
                    self.seq[1],
                )
            } else {
                (
                    [10, 0, 0, 2],
                    [10, 0, 0, 1],
                    self.sport,
                    self.cport,
                    self.seq[0],
                )
            };
            let total = 40 + data.len();
            let mut p = vec![
                0x45,
                0,
                (total >> 8) as u8,
                total as u8,
                0,
                1,
                0x40,
                0,
                64,
                6,
                0,
                0,
            ];
            p.extend_from_slice(&src);
            p.extend_from_slice(&dst);
            p.extend_from_slice(&sp.to_be_bytes());
            p.extend_from_slice(&dp.to_be_bytes());
            p.extend_from_slice(&seq.to_be_bytes());
            p.extend_from_slice(&ack.to_be_bytes());
            p.extend_from_slice(&[0x50, flags, 0x20, 0x00, 0, 0, 0, 0]);
            p.extend_from_slice(data);
            self.frame += 1;
            let meta = FrameMeta {
                number: self.frame,
                ts_ns: self.frame as i64 * self.step_ns,
                orig_len: p.len() as u32,
                link_type: 228,
                ..Default::default()
            };
            TestPacket {
                packet: self.engine.dissect(meta, &p),
            }
        }

        /// The next in-order segment from the client (PSH+ACK).
        pub fn c2s(&mut self, data: &[u8]) -> TestPacket {
            let s = self.seq[0];
            self.seq[0] = s.wrapping_add(data.len() as u32);
            self.raw(true, s, 0x18, data)
        }

        /// The next in-order segment from the server (PSH+ACK).
        pub fn s2c(&mut self, data: &[u8]) -> TestPacket {
            let s = self.seq[1];
            self.seq[1] = s.wrapping_add(data.len() as u32);
            self.raw(false, s, 0x18, data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testconn::Conn;

    /// MQTT 3.1.1 CONNECT (client id "client1") and PUBLISH QoS 1 "a/b" = "hello".
    const CONNECT: &[u8] = b"\x10\x13\x00\x04MQTT\x04\x02\x00\x3c\x00\x07client1";
    const PUBLISH: &[u8] = b"\x32\x0c\x00\x03a/b\x00\x07hello";
    const PINGREQ: &[u8] = b"\xc0\x00";

    #[test]
    fn pdu_split_across_segments_is_decoded_on_the_last_one() {
        let mut c = Conn::new(1883);
        let p = c.c2s(&CONNECT[..7]);
        assert!(p.show("mqtt.msgtype").is_empty());
        assert_eq!(p.info(), "[TCP segment of a reassembled PDU]");
        assert!(p.has("tcp.segment_data"));
        let p = c.c2s(&CONNECT[7..]);
        assert_eq!(p.show("mqtt.msgtype"), ["1"]);
        assert_eq!(p.show("mqtt.clientid"), ["client1"]);
        assert_eq!(p.show("tcp.segment"), ["1", "2"]);
        assert_eq!(p.show("tcp.segment.count"), ["2"]);
        assert_eq!(p.show("tcp.reassembled.length"), ["21"]);
        assert_eq!(p.show("tcp.pdu.size"), ["21"]);
        assert!(p
            .packet
            .sources
            .iter()
            .any(|s| s.name() == "Reassembled TCP (21 bytes)"));
    }

    #[test]
    fn several_pdus_in_one_segment_and_a_tail() {
        let mut c = Conn::new(1883);
        c.c2s(CONNECT);
        let mut seg = PUBLISH.to_vec();
        seg.extend_from_slice(PINGREQ);
        seg.extend_from_slice(&PUBLISH[..5]);
        let p = c.c2s(&seg);
        assert_eq!(p.show("mqtt.msgtype"), ["3", "12"]);
        assert_eq!(p.show("tcp.pdu.size"), ["14", "2"]);
        assert_eq!(p.show("tcp.segment_data").len(), 1);
        assert_eq!(p.info(), "Publish Message (id=7) [a/b], Ping Request");
        let p = c.c2s(&PUBLISH[5..]);
        assert_eq!(p.show("mqtt.topic"), ["a/b"]);
        assert_eq!(p.show("tcp.segment"), ["2", "3"]);
    }

    #[test]
    fn retransmitted_data_is_not_decoded_twice() {
        let mut c = Conn::new(1883);
        c.c2s(CONNECT);
        let s = c.seq[0];
        let p = c.c2s(PUBLISH);
        assert_eq!(p.show("mqtt.msgtype"), ["3"]);
        // The same segment again, a second later.
        let p = c.raw(true, s, 0x18, PUBLISH);
        assert!(p.has("tcp.analysis.retransmission"));
        assert!(p.show("mqtt.msgtype").is_empty());
        assert!(p.has("tcp.payload"));
        // The stream goes on normally.
        let p = c.c2s(PINGREQ);
        assert_eq!(p.show("mqtt.msgtype"), ["12"]);
    }

    #[test]
    fn out_of_order_segments_wait_for_the_gap_when_asked() {
        let mut c = Conn::new(1883);
        c.engine.prefs.set("tcp.reassemble_out_of_order", "TRUE");
        // Close together: out of order, not a retransmission.
        c.step_ns = 1_000;
        c.c2s(CONNECT);
        let s = c.seq[0];
        let n = PUBLISH.len() as u32;
        // Second PUBLISH first: held.
        let p = c.raw(true, s + n, 0x18, PUBLISH);
        assert!(p.has("tcp.analysis.lost_segment"));
        assert!(p.show("mqtt.msgtype").is_empty());
        // The missing one: both decode here.
        let p = c.raw(true, s, 0x18, PUBLISH);
        assert!(p.has("tcp.analysis.out_of_order"));
        assert_eq!(p.show("mqtt.msgtype"), ["3", "3"]);
    }

    #[test]
    fn out_of_order_default_restarts_at_the_new_segment() {
        let mut c = Conn::new(1883);
        c.c2s(CONNECT);
        let s = c.seq[0];
        // Half a PUBLISH, then a gap, then a whole PUBLISH: the half is abandoned.
        c.raw(true, s, 0x18, &PUBLISH[..4]);
        let p = c.raw(true, s + 100, 0x18, PUBLISH);
        assert_eq!(p.show("mqtt.msgtype"), ["3"]);
        assert!(p.has("_ws.unreassembled"));
    }

    #[test]
    fn reassembly_is_bounded() {
        let mut c = Conn::new(1883);
        c.engine.prefs.set("tcp.max_reassembly_bytes", "100");
        c.c2s(CONNECT);
        // A PUBLISH announcing 1000 bytes.
        let p = c.c2s(b"\x30\xe8\x07\x00\x03a/b");
        assert!(p.has("_ws.unreassembled"));
        assert!(p.packet.is_malformed());
    }

    #[test]
    fn desegmentation_can_be_turned_off() {
        let mut c = Conn::new(1883);
        c.engine.prefs.set("tcp.desegment_tcp_streams", "FALSE");
        let p = c.c2s(&CONNECT[..7]);
        assert!(p.has("mqtt"));
        assert!(p.packet.is_malformed());
        assert!(!p.has("tcp.segment_data"));
    }

    #[test]
    fn xml_split_across_segments() {
        let mut c = Conn::new(5222);
        let p = c.c2s(b"<message to='bob@x' id='m1' type='chat'><bo");
        assert!(!p.has("xmpp"));
        assert!(p.info().ends_with("[TCP segment of a reassembled PDU]"));
        let p = c.c2s(b"dy>hi &amp; bye</body></message>");
        assert_eq!(p.show("xmpp.to"), ["bob@x"]);
        assert_eq!(p.show("xmpp.message.body").len(), 1);
        // Text as written, entities included, as tshark shows it.
        assert_eq!(p.show("xmpp.attribute"), ["hi &amp; bye"]);
        assert_eq!(p.show("tcp.segment"), ["1", "2"]);
        assert_eq!(p.show("xmpp.out"), ["1"]);
    }

    #[test]
    fn retransmitted_part_of_a_reassembled_pdu_points_to_it() {
        let mut c = Conn::new(1883);
        let s = c.seq[0];
        c.c2s(&CONNECT[..7]);
        let p = c.c2s(&CONNECT[7..]);
        assert_eq!(p.show("mqtt.msgtype"), ["1"]);
        let p = c.raw(true, s, 0x18, &CONNECT[..7]);
        assert!(p.has("tcp.analysis.retransmission"));
        assert_eq!(p.show("tcp.reassembled_in"), ["2"]);
        assert!(p.show("mqtt.msgtype").is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// However a stream of MQTT packets is cut into segments, the same packets come out,
        /// in order, each once.
        #[test]
        fn any_segmentation_yields_the_same_pdus(cuts in proptest::collection::vec(1usize..40, 1..20)) {
            let mut stream = CONNECT.to_vec();
            for _ in 0..3 {
                stream.extend_from_slice(PUBLISH);
                stream.extend_from_slice(PINGREQ);
            }
            let mut c = Conn::new(1883);
            let mut types = vec![];
            let mut at = 0;
            let mut i = 0;
            while at < stream.len() {
                let n = cuts[i % cuts.len()].min(stream.len() - at);
                i += 1;
                let p = c.c2s(&stream[at..at + n]);
                types.extend(p.show("mqtt.msgtype"));
                at += n;
            }
            proptest::prop_assert_eq!(types, ["1", "3", "12", "3", "12", "3", "12"]);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Hostile payloads on the MQTT, MQTT-over-TLS and XMPP ports, whole or cut into
        /// segments, never panic.
        #[test]
        fn arbitrary_payloads_never_panic(
            segs in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..64), 1..6),
            port in proptest::sample::select(vec![1883u16, 8883, 5222]),
            xmlish in proptest::bool::ANY,
        ) {
            let mut c = Conn::new(port);
            for (i, s) in segs.iter().enumerate() {
                let mut s = s.clone();
                if xmlish && port == 5222 {
                    // Mostly-XML noise reaches the XML parser rather than being cut early.
                    const ALPHABET: &[u8] = b"<>/='\" a:bc&;!?[]-";
                    for b in s.iter_mut() {
                        *b = ALPHABET[(*b as usize) % ALPHABET.len()];
                    }
                }
                if i % 2 == 0 {
                    c.c2s(&s);
                } else {
                    c.s2c(&s);
                }
            }
        }
    }
}
