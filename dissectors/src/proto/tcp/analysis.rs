//! TCP sequence analysis (the `tcp.analysis.*` fields): retransmissions, out-of-order and lost
//! segments, duplicate ACKs, window updates and zero windows, keep-alives, ACK round-trip times
//! and bytes in flight, computed in one pass over the capture the way tshark's default
//! (single-pass) run does it.
//!
//! Each direction of a connection keeps the highest sequence number seen (`nextseq`), the last
//! ACK it sent, its window, and a bounded list of segments not yet acknowledged by the peer. A
//! segment is classified against that state *before* the state is updated with it, so the
//! verdicts only ever depend on frames already seen (nothing is revised later, as tshark's
//! second pass would).
//!
//! All sequence comparisons are modulo 2^32 (RFC 9293 §3.4).

use crate::engine::colfmt::ColWrite;
use crate::engine::tree::NodeId;
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::proto::tcp::{
    ACKS_FRAME, ACK_LOST_SEGMENT, ACK_RTT, ANALYSIS, ANALYSIS_FLAGS as FLAGS, BYTES_IN_FLIGHT,
    DUPLICATE_ACK, DUPLICATE_ACK_FRAME, DUPLICATE_ACK_NUM, FAST_RETRANSMISSION, INITIAL_RTT,
    KEEP_ALIVE, KEEP_ALIVE_ACK, LOST_SEGMENT, OUT_OF_ORDER, PUSH_BYTES_SENT, RETRANSMISSION, RTO,
    RTO_FRAME, SPURIOUS_RETRANSMISSION, WINDOW_FULL, WINDOW_UPDATE, ZERO_WINDOW, ZERO_WINDOW_PROBE,
    ZERO_WINDOW_PROBE_ACK,
};
use std::collections::VecDeque;

pub const A_RETRANSMISSION: u32 = 0x0001;
pub const A_LOST_PACKET: u32 = 0x0002;
pub const A_ACK_LOST_PACKET: u32 = 0x0004;
pub const A_KEEP_ALIVE: u32 = 0x0008;
pub const A_DUPLICATE_ACK: u32 = 0x0010;
pub const A_ZERO_WINDOW: u32 = 0x0020;
pub const A_ZERO_WINDOW_PROBE: u32 = 0x0040;
pub const A_ZERO_WINDOW_PROBE_ACK: u32 = 0x0080;
pub const A_KEEP_ALIVE_ACK: u32 = 0x0100;
pub const A_OUT_OF_ORDER: u32 = 0x0200;
pub const A_FAST_RETRANSMISSION: u32 = 0x0400;
pub const A_WINDOW_UPDATE: u32 = 0x0800;
pub const A_WINDOW_FULL: u32 = 0x1000;
pub const A_SPURIOUS_RETRANSMISSION: u32 = 0x4000;

const TH_FIN: u16 = 0x001;
const TH_SYN: u16 = 0x002;
const TH_RST: u16 = 0x004;
const TH_PUSH: u16 = 0x008;
const TH_ACK: u16 = 0x010;

/// Unacknowledged segments remembered per direction (tshark's TCP_MAX_UNACKED_SEGMENTS).
pub const MAX_UNACKED_SEGMENTS: usize = 1000;
/// Unacknowledged segments remembered across the capture (about 40 bytes each): past this,
/// new segments are not tracked (ACK RTTs and bytes in flight are then missing), as when a
/// direction reaches its own limit.
pub const MAX_UNACKED_TOTAL: usize = 2_000_000;

fn lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}
fn gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}
fn le(a: u32, b: u32) -> bool {
    !gt(a, b)
}

/// A segment sent but not yet acknowledged.
#[derive(Clone, Debug)]
struct Unacked {
    frame: u64,
    seq: u32,
    nextseq: u32,
    ts: i64,
}

/// What one direction of a connection remembers for the analysis.
#[derive(Clone, Debug, Default)]
pub struct FlowAnalysis {
    /// Highest sequence number seen plus its length (0 = nothing seen yet, as in tshark).
    nextseq: u32,
    nextseqframe: u64,
    nextseqtime: i64,
    /// Highest in-order sequence number the peer may acknowledge.
    maxseqtobeacked: u32,
    lastack: u32,
    lastacktime: i64,
    lastnondupack: u64,
    dupacknum: i32,
    /// Window as last advertised by this side (scaled).
    window: u32,
    window_seen: bool,
    lastsegmentflags: u32,
    /// Bytes in flight are not computed after a lost segment until the peer ACKs again.
    bif_invalid: bool,
    push_bytes_sent: u32,
    push_set_last: bool,
    /// Newest first, as tshark walks its list.
    segments: VecDeque<Unacked>,
}

/// The verdict for one segment (tshark's `tcp_acked`): present when anything is worth showing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Acked {
    pub flags: u32,
    pub frame_acked: u64,
    pub ack_rtt: i64,
    pub bytes_in_flight: u32,
    pub push_bytes_sent: u32,
    pub dupack_num: u32,
    pub dupack_frame: u64,
    pub rto: i64,
    pub rto_frame: u64,
}

/// One segment, as the analysis needs it (raw sequence numbers).
pub struct Segment {
    pub frame: u64,
    pub ts: i64,
    pub seq: u32,
    pub ack: u32,
    pub seglen: u32,
    pub flags: u16,
    /// Scaled window.
    pub window: u32,
    /// Base (ISN) of this direction, for bytes in flight.
    pub base_seq: u32,
}

/// Classifies `s` against the state of its direction (`fwd`) and the reverse one (`rev`), and
/// updates both. `first_rtt` is the connection's initial RTT (0 = unknown).
pub fn analyze(
    fwd: &mut FlowAnalysis,
    rev: &mut FlowAnalysis,
    s: &Segment,
    first_rtt: i64,
    budget: &mut usize,
) -> Option<Acked> {
    let mut ta: Option<Acked> = None;
    if s.flags & TH_ACK != 0 {
        rev.bif_invalid = false;
    }
    classify_window_and_acks(fwd, rev, s, &mut ta);
    note_ack(fwd, rev, s, &mut ta);
    classify_retransmission(fwd, rev, s, first_rtt, &mut ta);
    record_segment(fwd, s, budget, &ta);
    drop_acked(rev, s, budget, &mut ta);
    bytes_in_flight(fwd, s, &mut ta);
    ta
}

/// Sets `f` in the verdict, creating it.
fn mark(ta: &mut Option<Acked>, f: u32) -> &mut Acked {
    let t = ta.get_or_insert_with(Acked::default);
    t.flags |= f;
    t
}

/// SYN, FIN and RST all clear: the segment may be a probe, keep-alive or window signal.
fn no_sfr(s: &Segment) -> bool {
    s.flags & (TH_SYN | TH_FIN | TH_RST) == 0
}

/// The forward checks: zero window (probe), lost segment, keep-alive, window update/full,
/// keep-alive and zero-window-probe ACKs, duplicate ACK (tshark's order; some end the list).
fn classify_window_and_acks(
    fwd: &mut FlowAnalysis,
    rev: &FlowAnalysis,
    s: &Segment,
    ta: &mut Option<Acked>,
) {
    let (seq, seglen, window) = (s.seq, s.seglen, s.window);
    let no_sfr = no_sfr(s);
    // Zero window probe: one byte at the expected sequence number into a closed window.
    if seglen == 1 && seq == fwd.nextseq && rev.window_seen && rev.window == 0 {
        mark(ta, A_ZERO_WINDOW_PROBE);
        return;
    }
    if window == 0 && no_sfr {
        mark(ta, A_ZERO_WINDOW);
    }
    // Data beyond what we have seen: something in between was not captured.
    if fwd.nextseq != 0 && gt(seq, fwd.nextseq) && s.flags & TH_RST == 0 {
        mark(ta, A_LOST_PACKET);
        fwd.bif_invalid = true;
    }
    // Keep-alive: 0 or 1 byte one before the next expected sequence number.
    if seglen <= 1 && seq == fwd.nextseq.wrapping_sub(1) && no_sfr {
        mark(ta, A_KEEP_ALIVE);
    }
    let same_point = seq == fwd.nextseq && s.ack == fwd.lastack;
    if seglen == 0 && window != 0 && window != fwd.window && same_point && no_sfr {
        mark(ta, A_WINDOW_UPDATE);
    }
    if seglen > 0
        && rev.window_seen
        && seq.wrapping_add(seglen) == rev.lastack.wrapping_add(rev.window)
        && no_sfr
    {
        mark(ta, A_WINDOW_FULL);
    }
    // The remaining checks are all about a bare segment repeating the last ACK and window.
    let repeat = seglen == 0 && window == fwd.window && same_point && no_sfr;
    if repeat && window != 0 && rev.lastsegmentflags & A_KEEP_ALIVE != 0 {
        mark(ta, A_KEEP_ALIVE_ACK);
        return;
    }
    if repeat && window == 0 && rev.lastsegmentflags & A_ZERO_WINDOW_PROBE != 0 {
        mark(ta, A_ZERO_WINDOW_PROBE_ACK);
        return;
    }
    // Duplicate ACK: nothing new, same ACK and window as before.
    if repeat && window != 0 {
        fwd.dupacknum = if fwd.dupacknum == -1 {
            1
        } else {
            fwd.dupacknum + 1
        };
        let t = mark(ta, A_DUPLICATE_ACK);
        t.dupack_num = fwd.dupacknum.max(0) as u32;
        t.dupack_frame = fwd.lastnondupack;
    }
}

/// A new ACK resets the duplicate count; an ACK beyond anything the peer sent means data in
/// the other direction was not captured.
fn note_ack(fwd: &mut FlowAnalysis, rev: &mut FlowAnalysis, s: &Segment, ta: &mut Option<Acked>) {
    let ack = s.ack;
    if ack != fwd.lastack {
        fwd.lastnondupack = s.frame;
        fwd.dupacknum = 0;
    }
    if rev.maxseqtobeacked != 0 && gt(ack, rev.maxseqtobeacked) && s.flags & TH_ACK != 0 {
        let t = ta.get_or_insert_with(Acked::default);
        // Once per hole while the other side sends nothing new: its ACK counter doubles as
        // the marker (-1), as in tshark.
        if gt(rev.maxseqtobeacked, rev.nextseq) || rev.dupacknum == 0 {
            t.flags |= A_ACK_LOST_PACKET;
        }
        rev.maxseqtobeacked = rev.nextseq;
        rev.dupacknum = -1;
    }
}

/// Retransmission / fast retransmission / out-of-order / spurious retransmission.
fn classify_retransmission(
    fwd: &FlowAnalysis,
    rev: &FlowAnalysis,
    s: &Segment,
    first_rtt: i64,
    ta: &mut Option<Acked>,
) {
    let (seq, seglen) = (s.seq, s.seglen);
    let synfin = s.flags & (TH_SYN | TH_FIN) != 0;
    if !(seglen > 0 || synfin) || ta.as_ref().is_some_and(|t| t.flags & A_KEEP_ALIVE != 0) {
        return;
    }
    // A segment that starts one before nextseq but carries more than one byte follows a
    // zero window probe: it is new data.
    let seq_not_advanced = fwd.nextseq != 0
        && lt(seq, fwd.nextseq)
        && !(seglen > 1 && fwd.nextseq.wrapping_sub(1) == seq);
    if seglen > 0 && rev.lastack != 0 && le(seq.wrapping_add(seglen), rev.lastack) {
        mark(ta, A_SPURIOUS_RETRANSMISSION);
        return;
    }
    let t = s.ts.saturating_sub(rev.lastacktime);
    if seq_not_advanced && rev.dupacknum >= 2 && rev.lastack == seq && t < 20_000_000 {
        mark(ta, A_FAST_RETRANSMISSION);
        return;
    }
    let t = s.ts.saturating_sub(fwd.nextseqtime);
    let ooo_thres = if first_rtt == 0 { 3_000_000 } else { first_rtt };
    if seq_not_advanced
        && t < ooo_thres
        && fwd.nextseq != seq.wrapping_add(seglen).wrapping_add(synfin as u32)
    {
        mark(ta, A_OUT_OF_ORDER);
        return;
    }
    if seq_not_advanced {
        let t = mark(ta, A_RETRANSMISSION);
        t.rto = s.ts.saturating_sub(fwd.nextseqtime);
        t.rto_frame = fwd.nextseqframe;
        // The oldest unacknowledged segment is the likeliest original.
        if let Some(u) = fwd.segments.back() {
            t.rto = s.ts.saturating_sub(u.ts);
            t.rto_frame = u.frame;
        }
    }
}

/// Remembers the segment as unacknowledged (within the bounds) and advances this direction's
/// next sequence number, ACK and window.
fn record_segment(fwd: &mut FlowAnalysis, s: &Segment, budget: &mut usize, ta: &Option<Acked>) {
    let synfin = s.flags & (TH_SYN | TH_FIN) != 0;
    let mut nextseq = s.seq.wrapping_add(s.seglen);
    if (s.seglen > 0 || synfin) && fwd.segments.len() < MAX_UNACKED_SEGMENTS && *budget > 0 {
        *budget -= 1;
        if synfin {
            nextseq = nextseq.wrapping_add(1);
        }
        fwd.segments.push_front(Unacked {
            frame: s.frame,
            seq: s.seq,
            nextseq,
            ts: s.ts,
        });
    }
    let zwp = ta
        .as_ref()
        .is_some_and(|t| t.flags & A_ZERO_WINDOW_PROBE != 0);
    if (gt(nextseq, fwd.nextseq) || fwd.nextseq == 0) && !zwp {
        fwd.nextseq = nextseq;
        fwd.nextseqframe = s.frame;
        fwd.nextseqtime = s.ts;
    }
    if (s.seq == fwd.maxseqtobeacked || fwd.maxseqtobeacked == 0) && !zwp {
        fwd.maxseqtobeacked = fwd.nextseq;
    }
    fwd.window = s.window;
    fwd.window_seen = true;
    fwd.lastack = s.ack;
    fwd.lastacktime = s.ts;
    fwd.lastsegmentflags = ta.as_ref().map_or(0, |t| t.flags);
}

/// Drops what this ACK covers from the reverse direction's unacknowledged list; the segment
/// it ends exactly gives the ACK RTT.
fn drop_acked(rev: &mut FlowAnalysis, s: &Segment, budget: &mut usize, ta: &mut Option<Acked>) {
    let ack = s.ack;
    let mut i = 0;
    while i < rev.segments.len() {
        let u = &mut rev.segments[i];
        if ack == u.nextseq {
            let (frame, ts) = (u.frame, u.ts);
            let t = ta.get_or_insert_with(Acked::default);
            t.frame_acked = frame;
            t.ack_rtt = s.ts.saturating_sub(ts);
        } else if gt(ack, u.seq) && le(ack, u.nextseq) {
            u.seq = ack;
            i += 1;
            continue;
        } else if gt(u.nextseq, ack) {
            i += 1;
            continue;
        }
        rev.segments.remove(i);
        *budget += 1;
    }
}

/// Bytes in flight (the span of this direction's unacknowledged data) and bytes sent since
/// the last PSH.
fn bytes_in_flight(fwd: &mut FlowAnalysis, s: &Segment, ta: &mut Option<Acked>) {
    let seglen = s.seglen;
    if seglen == 0 || fwd.segments.is_empty() || fwd.bif_invalid {
        return;
    }
    let rel = |v: u32| v.wrapping_sub(s.base_seq);
    let mut first = rel(fwd.segments[0].seq);
    let mut last = rel(fwd.segments[0].nextseq);
    for u in &fwd.segments {
        last = last.max(rel(u.nextseq));
        first = first.min(rel(u.seq));
    }
    let in_flight = last.wrapping_sub(first);
    let t = ta.get_or_insert_with(Acked::default);
    if in_flight > 0 && in_flight < 2_000_000_000 {
        t.bytes_in_flight = in_flight;
        if s.flags & (TH_SYN | TH_FIN) != 0 {
            t.bytes_in_flight -= 1;
        }
    }
    let push = s.flags & TH_PUSH != 0;
    if push && !fwd.push_set_last {
        fwd.push_bytes_sent = fwd.push_bytes_sent.saturating_add(seglen);
        fwd.push_set_last = true;
    } else if push || fwd.push_set_last {
        fwd.push_bytes_sent = seglen;
        fwd.push_set_last = push;
    } else {
        fwd.push_bytes_sent = fwd.push_bytes_sent.saturating_add(seglen);
    }
    t.push_bytes_sent = fwd.push_bytes_sent;
}

/// The analysis flags shown as an expert and an Info tag, in tshark's order; `also_retrans`
/// adds the plain retransmission expert as tshark does for the special kinds.
struct Tag {
    flag: u32,
    expert: &'static crate::engine::expert::ExpertDef,
    also_retrans: bool,
    text: &'static str,
}

const fn tag(
    flag: u32,
    expert: &'static crate::engine::expert::ExpertDef,
    also_retrans: bool,
    text: &'static str,
) -> Tag {
    Tag {
        flag,
        expert,
        also_retrans,
        text,
    }
}

/// The tags tshark adds before the duplicate-ACK one.
static TAGS_BEFORE_DUP: &[Tag] = &[
    tag(
        A_RETRANSMISSION,
        &RETRANSMISSION,
        false,
        "[TCP Retransmission] ",
    ),
    tag(
        A_FAST_RETRANSMISSION,
        &FAST_RETRANSMISSION,
        true,
        "[TCP Fast Retransmission] ",
    ),
    tag(
        A_SPURIOUS_RETRANSMISSION,
        &SPURIOUS_RETRANSMISSION,
        true,
        "[TCP Spurious Retransmission] ",
    ),
    tag(A_OUT_OF_ORDER, &OUT_OF_ORDER, false, "[TCP Out-Of-Order] "),
    tag(
        A_LOST_PACKET,
        &LOST_SEGMENT,
        false,
        "[TCP Previous segment not captured] ",
    ),
    tag(
        A_ACK_LOST_PACKET,
        &ACK_LOST_SEGMENT,
        false,
        "[TCP ACKed unseen segment] ",
    ),
    tag(
        A_WINDOW_UPDATE,
        &WINDOW_UPDATE,
        false,
        "[TCP Window Update] ",
    ),
    tag(A_WINDOW_FULL, &WINDOW_FULL, false, "[TCP Window Full] "),
    tag(A_KEEP_ALIVE, &KEEP_ALIVE, false, "[TCP Keep-Alive] "),
    tag(
        A_KEEP_ALIVE_ACK,
        &KEEP_ALIVE_ACK,
        false,
        "[TCP Keep-Alive ACK] ",
    ),
];

/// The tags tshark adds after the duplicate-ACK one.
static TAGS_AFTER_DUP: &[Tag] = &[
    tag(
        A_ZERO_WINDOW_PROBE,
        &ZERO_WINDOW_PROBE,
        false,
        "[TCP ZeroWindowProbe] ",
    ),
    tag(A_ZERO_WINDOW, &ZERO_WINDOW, false, "[TCP ZeroWindow] "),
    tag(
        A_ZERO_WINDOW_PROBE_ACK,
        &ZERO_WINDOW_PROBE_ACK,
        false,
        "[TCP ZeroWindowProbeAck] ",
    ),
];

/// Adds the `tcp.analysis` subtree (when there is a verdict); the Info column's prefix is
/// [`write_info_prefix`]'s.
pub fn show(cx: &mut Cx, tcp_node: NodeId, ta: &Acked, first_rtt: i64) {
    let node = cx.add_generated(tcp_node, &ANALYSIS, Value::None);
    cx.set_text(node, "SEQ/ACK analysis");
    if ta.frame_acked != 0 {
        cx.add_generated(node, &ACKS_FRAME, Value::UInt(ta.frame_acked));
        if ta.ack_rtt != 0 {
            cx.add_generated(node, &ACK_RTT, Value::RelTime(ta.ack_rtt));
        }
    }
    if first_rtt != 0 {
        cx.add_generated(node, &INITIAL_RTT, Value::RelTime(first_rtt));
    }
    if ta.bytes_in_flight != 0 {
        cx.add_generated(
            node,
            &BYTES_IN_FLIGHT,
            Value::UInt(ta.bytes_in_flight as u64),
        );
    }
    if ta.push_bytes_sent != 0 {
        cx.add_generated(
            node,
            &PUSH_BYTES_SENT,
            Value::UInt(ta.push_bytes_sent as u64),
        );
    }
    if ta.flags != 0 {
        show_flags(cx, node, ta);
    }
}

/// Appends the Info column's analysis tags (`[TCP Dup ACK 3#1] [TCP Retransmission] `): tshark
/// prepends each tag as it adds it, so they show in the reverse of [`show_flags`]'s order.
pub fn write_info_prefix(ta: &Acked, s: &mut String) {
    if ta.flags == 0 {
        return;
    }
    let tags = |list: &'static [Tag]| list.iter().rev().filter(move |t| ta.flags & t.flag != 0);
    for t in tags(TAGS_AFTER_DUP) {
        s.push_str(t.text);
    }
    if ta.dupack_num != 0 && ta.flags & A_DUPLICATE_ACK != 0 {
        s.s("[TCP Dup ACK ")
            .u(ta.dupack_frame)
            .s("#")
            .u(ta.dupack_num)
            .s("] ");
    }
    for t in tags(TAGS_BEFORE_DUP) {
        s.push_str(t.text);
    }
}

/// The `tcp.analysis.flags` subtree.
fn show_flags(cx: &mut Cx, node: NodeId, ta: &Acked) {
    let flags = cx.add_generated(node, &FLAGS, Value::None);
    let show_tags = |cx: &mut Cx, tags: &[Tag]| {
        for t in tags.iter().filter(|t| ta.flags & t.flag != 0) {
            cx.expert(flags, t.expert, None);
            if t.also_retrans {
                cx.expert(flags, &RETRANSMISSION, None);
            }
            if t.flag == A_RETRANSMISSION && ta.rto != 0 {
                cx.add_generated(flags, &RTO, Value::RelTime(ta.rto));
                cx.add_generated(flags, &RTO_FRAME, Value::UInt(ta.rto_frame));
            }
        }
    };
    show_tags(cx, TAGS_BEFORE_DUP);
    if ta.dupack_num != 0 {
        if ta.flags & A_DUPLICATE_ACK != 0 {
            // The flag itself is a plain item; the expert hangs off the frame reference below.
            cx.add_generated(flags, &DUPLICATE_ACK.field, Value::None);
        }
        cx.add_generated(node, &DUPLICATE_ACK_NUM, Value::UInt(ta.dupack_num as u64));
        let fr = cx.add_generated(node, &DUPLICATE_ACK_FRAME, Value::UInt(ta.dupack_frame));
        cx.expert_with(fr, &DUPLICATE_ACK, || {
            format!("Duplicate ACK (#{})", ta.dupack_num)
        });
    }
    show_tags(cx, TAGS_AFTER_DUP);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(frame: u64, ts: i64, seq: u32, ack: u32, len: u32, flags: u16) -> Segment {
        Segment {
            frame,
            ts,
            seq,
            ack,
            seglen: len,
            flags,
            window: 1000,
            base_seq: 0,
        }
    }

    fn analyze_t(
        f: &mut FlowAnalysis,
        r: &mut FlowAnalysis,
        s: &Segment,
        rtt: i64,
    ) -> Option<Acked> {
        let mut budget = MAX_UNACKED_TOTAL;
        analyze(f, r, s, rtt, &mut budget)
    }

    #[test]
    fn retransmission_and_dup_ack() {
        let (mut a, mut b) = (FlowAnalysis::default(), FlowAnalysis::default());
        assert!(analyze_t(&mut a, &mut b, &seg(1, 0, 1, 1, 10, TH_ACK), 0).is_some());
        // Ack from the peer.
        let t = analyze_t(&mut b, &mut a, &seg(2, 1_000, 1, 11, 0, TH_ACK), 0).unwrap();
        assert_eq!(t.frame_acked, 1);
        // Same data again, 1 s later: a retransmission (spurious: already acked).
        let t = analyze_t(&mut a, &mut b, &seg(3, 1_000_000_000, 1, 1, 10, TH_ACK), 0).unwrap();
        assert_ne!(t.flags & A_SPURIOUS_RETRANSMISSION, 0);
        // Duplicate ACK.
        let t = analyze_t(&mut b, &mut a, &seg(4, 1_000_000_100, 1, 11, 0, TH_ACK), 0).unwrap();
        assert_ne!(t.flags & A_DUPLICATE_ACK, 0);
        assert_eq!((t.dupack_num, t.dupack_frame), (1, 2));
        // A gap: lost segment.
        let t = analyze_t(&mut a, &mut b, &seg(5, 2_000_000_000, 21, 1, 10, TH_ACK), 0).unwrap();
        assert_ne!(t.flags & A_LOST_PACKET, 0);
        // The missing segment arrives right after: out of order.
        let t = analyze_t(&mut a, &mut b, &seg(6, 2_000_000_001, 11, 1, 10, TH_ACK), 0).unwrap();
        assert_ne!(t.flags & A_OUT_OF_ORDER, 0);
    }
}
