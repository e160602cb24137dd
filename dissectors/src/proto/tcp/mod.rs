//! TCP (RFC 9293): header, flags, options, and the per-conversation bookkeeping tshark shows
//! (stream index, relative sequence numbers, scaled window, `tcp.completeness`). Sequence
//! analysis (`tcp.analysis.*`) lives in [`crate::proto::tcp::analysis`]; cutting the byte stream into
//! application PDUs (reassembly, `tcp.segments`) in [`crate::proto::tcp::reassembly`], which
//! application protocols join by registering their PDU framing
//! ([`crate::engine::registry::StreamPdus`]) with the registry.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Source Port          |       Destination Port        |
//! |                        Sequence Number                        |
//! |                    Acknowledgment Number                      |
//! |  Data |Rsrvd|A|C|E|U|A|P|R|S|F|                               |
//! | Offset|     |E|W|C|R|C|S|S|Y|I|            Window             |
//! |       |     | |R|E|G|K|H|T|N|N|                               |
//! |           Checksum            |         Urgent Pointer        |
//! |                    Options                    |    Padding    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use crate::analysis::conversation::{ConvKey, ConvTable};
use crate::engine::address::Address;
use crate::engine::checksum::{self, status};
use crate::engine::colfmt::ColWrite;
use crate::engine::context::ChecksumFields;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tlv::{Tlv, TlvFormat, TlvKind};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use foldhash::HashMap;

pub static OPTION_KINDS: &[(u64, &str)] = &[
    (0, "End of Option List (EOL)"),
    (1, "No-Operation (NOP)"),
    (2, "Maximum segment size"),
    (3, "Window scale"),
    (4, "SACK permitted"),
    (5, "SACK"),
    (8, "Time Stamp Option"),
    (28, "User Timeout"),
    (29, "TCP Authentication Option"),
    (30, "Multipath TCP"),
    (34, "TCP Fast Open Cookie"),
];

crate::fields! {
    PROTO = FieldDef::protocol("tcp", "Transmission Control Protocol");
    SRCPORT = FieldDef::new("tcp.srcport", "Source Port", T::U16);
    DSTPORT = FieldDef::new("tcp.dstport", "Destination Port", T::U16);
    PORT = FieldDef::new("tcp.port", "Source or Destination Port", T::U16);
    STREAM = FieldDef::new("tcp.stream", "Stream index", T::U32);
    LEN = FieldDef::new("tcp.len", "TCP Segment Len", T::U32);
    SEQ = FieldDef::new("tcp.seq", "Sequence Number", T::U32);
    SEQ_RAW = FieldDef::new("tcp.seq_raw", "Sequence Number (raw)", T::U32);
    NXTSEQ = FieldDef::new("tcp.nxtseq", "Next Sequence Number", T::U32);
    ACK = FieldDef::new("tcp.ack", "Acknowledgment Number", T::U32);
    ACK_RAW = FieldDef::new("tcp.ack_raw", "Acknowledgment number (raw)", T::U32);
    HDR_LEN = FieldDef::new("tcp.hdr_len", "Header Length", T::U8).unit("bytes");
    FLAGS = FieldDef::new("tcp.flags", "Flags", T::U16).hex().mask(0x0fff);
    FLAGS_RES = FieldDef::flag("tcp.flags.res", "Reserved", 12, 0xe00);
    FLAGS_AE = FieldDef::flag("tcp.flags.ae", "Accurate ECN", 12, 0x100);
    FLAGS_CWR = FieldDef::flag("tcp.flags.cwr", "Congestion Window Reduced", 12, 0x080);
    FLAGS_ECE = FieldDef::flag("tcp.flags.ece", "ECN-Echo", 12, 0x040);
    FLAGS_URG = FieldDef::flag("tcp.flags.urg", "Urgent", 12, 0x020);
    FLAGS_ACK = FieldDef::flag("tcp.flags.ack", "Acknowledgment", 12, 0x010);
    FLAGS_PUSH = FieldDef::flag("tcp.flags.push", "Push", 12, 0x008);
    FLAGS_RESET = FieldDef::flag("tcp.flags.reset", "Reset", 12, 0x004);
    FLAGS_SYN = FieldDef::flag("tcp.flags.syn", "Syn", 12, 0x002);
    FLAGS_FIN = FieldDef::flag("tcp.flags.fin", "Fin", 12, 0x001);
    FLAGS_STR = FieldDef::new("tcp.flags.str", "TCP Flags", T::String);
    WINDOW_SIZE_VALUE = FieldDef::new("tcp.window_size_value", "Window", T::U16);
    WINDOW_SIZE = FieldDef::new("tcp.window_size", "Calculated window size", T::U32);
    WINDOW_SIZE_SCALEFACTOR = FieldDef::new("tcp.window_size_scalefactor", "Window size scaling factor", T::I32);
    CHECKSUM = FieldDef::new("tcp.checksum", "Checksum", T::U16).hex();
    CHECKSUM_CALCULATED = FieldDef::new("tcp.checksum_calculated", "Calculated Checksum", T::U16).hex();
    CHECKSUM_STATUS = FieldDef::new("tcp.checksum.status", "Checksum Status", T::U8).vals(status::NAMES);
    URGENT_POINTER = FieldDef::new("tcp.urgent_pointer", "Urgent Pointer", T::U16);
    OPTIONS = FieldDef::new("tcp.options", "Options", T::Bytes);
    OPTION_KIND = FieldDef::new("tcp.option_kind", "Kind", T::U8).vals(OPTION_KINDS);
    OPTION_LEN = FieldDef::new("tcp.option_len", "Length", T::U8);
    OPT_NOP = FieldDef::new("tcp.options.nop", "TCP Option - No-Operation (NOP)", T::Bytes);
    OPT_EOL = FieldDef::new("tcp.options.eol", "TCP Option - End of Option List (EOL)", T::Bytes);
    OPT_MSS = FieldDef::new("tcp.options.mss", "TCP Option - Maximum segment size", T::Bytes);
    OPT_MSS_VAL = FieldDef::new("tcp.options.mss_val", "MSS Value", T::U16);
    OPT_WSCALE = FieldDef::new("tcp.options.wscale", "TCP Option - Window scale", T::Bytes);
    OPT_WSCALE_SHIFT = FieldDef::new("tcp.options.wscale.shift", "Shift count", T::U8);
    OPT_WSCALE_MULTIPLIER = FieldDef::new("tcp.options.wscale.multiplier", "Multiplier", T::U16);
    OPT_SACK_PERM = FieldDef::new("tcp.options.sack_perm", "TCP Option - SACK permitted", T::Bytes);
    OPT_SACK = FieldDef::new("tcp.options.sack", "TCP Option - SACK", T::Bytes);
    OPT_SACK_LE = FieldDef::new("tcp.options.sack_le", "left edge", T::U32);
    OPT_SACK_RE = FieldDef::new("tcp.options.sack_re", "right edge", T::U32);
    OPT_SACK_COUNT = FieldDef::new("tcp.options.sack.count", "TCP SACK Count", T::U8);
    OPT_SACK_DSACK_LE = FieldDef::new("tcp.options.sack.dsack_le", "TCP D-SACK Left Edge", T::U32);
    OPT_SACK_DSACK_RE = FieldDef::new("tcp.options.sack.dsack_re", "TCP D-SACK Right Edge", T::U32);
    OPT_TIMESTAMP = FieldDef::new("tcp.options.timestamp", "TCP Option - Timestamps", T::Bytes);
    OPT_TSVAL = FieldDef::new("tcp.options.timestamp.tsval", "Timestamp value", T::U32);
    OPT_TSECR = FieldDef::new("tcp.options.timestamp.tsecr", "Timestamp echo reply", T::U32);
    OPT_UNKNOWN = FieldDef::new("tcp.options.unknown", "TCP Option - Unknown", T::Bytes);
    OPT_UNKNOWN_PAYLOAD = FieldDef::new("tcp.options.unknown.payload", "Payload", T::Bytes);
    TIME_RELATIVE = FieldDef::new("tcp.time_relative", "Time since first frame in this TCP stream", T::RelTime);
    TIME_DELTA = FieldDef::new("tcp.time_delta", "Time since previous frame in this TCP stream", T::RelTime);
    PAYLOAD = FieldDef::new("tcp.payload", "TCP payload", T::Bytes);
    COMPLETENESS = FieldDef::new("tcp.completeness", "Conversation completeness", T::U8);
    RESET_CAUSE = FieldDef::new("tcp.reset_cause", "Reset cause", T::String);
    // Sequence analysis (analysis.rs).
    ANALYSIS = FieldDef::new("tcp.analysis", "SEQ/ACK analysis", T::None);
    ANALYSIS_FLAGS = FieldDef::new("tcp.analysis.flags", "TCP Analysis Flags", T::None);
    DUPLICATE_ACK_NUM = FieldDef::new("tcp.analysis.duplicate_ack_num", "Duplicate ACK #", T::U32);
    DUPLICATE_ACK_FRAME = FieldDef::new("tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", T::FrameNum);
    ACKS_FRAME = FieldDef::new("tcp.analysis.acks_frame", "This is an ACK to the segment in frame", T::FrameNum);
    BYTES_IN_FLIGHT = FieldDef::new("tcp.analysis.bytes_in_flight", "Bytes in flight", T::U32);
    PUSH_BYTES_SENT = FieldDef::new("tcp.analysis.push_bytes_sent", "Bytes sent since last PSH flag", T::U32);
    ACK_RTT = FieldDef::new("tcp.analysis.ack_rtt", "The RTT to ACK the segment was", T::RelTime);
    INITIAL_RTT = FieldDef::new("tcp.analysis.initial_rtt", "iRTT", T::RelTime);
    RTO = FieldDef::new("tcp.analysis.rto", "The RTO for this segment was", T::RelTime);
    RTO_FRAME = FieldDef::new("tcp.analysis.rto_frame", "RTO based on delta from frame", T::FrameNum);
    // Reassembly (reassembly.rs).
    SEGMENT_DATA = FieldDef::new("tcp.segment_data", "TCP segment data", T::Bytes);
    PDU_SIZE = FieldDef::new("tcp.pdu.size", "PDU Size", T::U32);
    SEGMENTS = FieldDef::new("tcp.segments", "Reassembled TCP Segments", T::None);
    SEGMENT = FieldDef::new("tcp.segment", "TCP Segment", T::FrameNum);
    SEGMENT_COUNT = FieldDef::new("tcp.segment.count", "Segment count", T::U32);
    REASSEMBLED_IN = FieldDef::new("tcp.reassembled_in", "Reassembled PDU in frame", T::FrameNum);
    REASSEMBLED_LENGTH = FieldDef::new("tcp.reassembled.length", "Reassembled TCP length", T::U32);
    REASSEMBLED_DATA = FieldDef::new("tcp.reassembled.data", "Reassembled TCP Data", T::Bytes);
}

crate::experts! {
    CONNECTION_SYN = ExpertDef::new("tcp.connection.syn", Group::Sequence, Severity::Chat, "Connection establish request (SYN)");
    CONNECTION_SYNACK = ExpertDef::new("tcp.connection.synack", Group::Sequence, Severity::Chat, "Connection establish acknowledge (SYN+ACK)");
    CONNECTION_FIN = ExpertDef::new("tcp.connection.fin", Group::Sequence, Severity::Chat, "Connection finish (FIN)");
    CONNECTION_RST = ExpertDef::new("tcp.connection.rst", Group::Sequence, Severity::Warn, "Connection reset (RST)");
    CONNECTION_FIN_ACTIVE = ExpertDef::new("tcp.connection.fin_active", Group::Sequence, Severity::Note, "This frame initiates the connection closing");
    CONNECTION_FIN_PASSIVE = ExpertDef::new("tcp.connection.fin_passive", Group::Sequence, Severity::Note, "This frame undergoes the connection closing");
    SACK_DSACK = ExpertDef::new("tcp.options.sack.dsack", Group::Sequence, Severity::Warn, "D-SACK Sequence");
    CHECKSUM_BAD = ExpertDef::new("tcp.checksum_bad.expert", Group::Checksum, Severity::Error, "Bad checksum");
    BOGUS_HDR_LEN = ExpertDef::new("tcp.bogus_header_length", Group::Malformed, Severity::Error, "Bogus TCP header length");
    OPTION_LEN_INVALID = ExpertDef::new("tcp.option.len.invalid", Group::Protocol, Severity::Error, "Invalid length for option");
    // Sequence analysis (analysis.rs).
    RETRANSMISSION = ExpertDef::new("tcp.analysis.retransmission", Group::Sequence, Severity::Note, "This frame is a (suspected) retransmission");
    FAST_RETRANSMISSION = ExpertDef::new("tcp.analysis.fast_retransmission", Group::Sequence, Severity::Note, "This frame is a (suspected) fast retransmission");
    SPURIOUS_RETRANSMISSION = ExpertDef::new("tcp.analysis.spurious_retransmission", Group::Sequence, Severity::Note, "This frame is a (suspected) spurious retransmission");
    OUT_OF_ORDER = ExpertDef::new("tcp.analysis.out_of_order", Group::Sequence, Severity::Warn, "This frame is a (suspected) out-of-order segment");
    LOST_SEGMENT = ExpertDef::new("tcp.analysis.lost_segment", Group::Sequence, Severity::Warn, "Previous segment(s) not captured (common at capture start)");
    ACK_LOST_SEGMENT = ExpertDef::new("tcp.analysis.ack_lost_segment", Group::Sequence, Severity::Warn, "ACKed segment that wasn't captured (common at capture start)");
    WINDOW_UPDATE = ExpertDef::new("tcp.analysis.window_update", Group::Sequence, Severity::Chat, "TCP window update");
    WINDOW_FULL = ExpertDef::new("tcp.analysis.window_full", Group::Sequence, Severity::Warn, "TCP window specified by the receiver is now completely full");
    KEEP_ALIVE = ExpertDef::new("tcp.analysis.keep_alive", Group::Sequence, Severity::Note, "TCP keep-alive segment");
    KEEP_ALIVE_ACK = ExpertDef::new("tcp.analysis.keep_alive_ack", Group::Sequence, Severity::Note, "ACK to a TCP keep-alive segment");
    DUPLICATE_ACK = ExpertDef::new("tcp.analysis.duplicate_ack", Group::Sequence, Severity::Note, "Duplicate ACK");
    ZERO_WINDOW_PROBE = ExpertDef::new("tcp.analysis.zero_window_probe", Group::Sequence, Severity::Note, "TCP Zero Window Probe");
    ZERO_WINDOW = ExpertDef::new("tcp.analysis.zero_window", Group::Sequence, Severity::Warn, "TCP Zero Window segment");
    ZERO_WINDOW_PROBE_ACK = ExpertDef::new("tcp.analysis.zero_window_probe_ack", Group::Sequence, Severity::Note, "ACK to a TCP Zero Window Probe");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "tcp",
    short_name: "TCP",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[
        PrefDef {
            name: "tcp.check_checksum",
            description: "Validate the TCP checksum if possible",
            default: "FALSE",
        },
        PrefDef {
            name: "tcp.relative_sequence_numbers",
            description: "Show relative sequence numbers",
            default: "TRUE",
        },
        PrefDef {
            name: "tcp.desegment_tcp_streams",
            description: "Allow subdissectors to reassemble TCP streams",
            default: "TRUE",
        },
        PrefDef {
            name: "tcp.analyze_sequence_numbers",
            description: "Analyze TCP sequence numbers",
            default: "TRUE",
        },
        PrefDef {
            name: "tcp.reassemble_out_of_order",
            description: "Reassemble out-of-order segments",
            default: "FALSE",
        },
        PrefDef {
            name: "tcp.max_reassembly_bytes",
            description: "Longest PDU reassembled (bytes)",
            default: "4194304",
        },
        PrefDef {
            name: "tcp.max_total_reassembly_bytes",
            description: "Most data held for reassembly across the capture (bytes)",
            default: "67108864",
        },
        PrefDef {
            name: "tcp.try_heuristic_first",
            description: "Try heuristic sub-dissectors before port-based ones",
            default: "FALSE",
        },
    ],
    dissect,
    register,
};

fn register(r: &mut Registry) {
    r.add(tables::IP_PROTO, 6, &PROTOCOL);
}

/// What TCP remembers about one direction of a connection.
#[derive(Default, Clone, Debug)]
pub struct Flow {
    /// Sequence number that shows as relative 0 (the ISN when the SYN was seen).
    pub base_seq: Option<u32>,
    /// Window scale shift from this side's SYN (None: no SYN seen, Some(-1)... see `scale`).
    pub wscale: Option<u8>,
    pub syn_seen: bool,
}

/// One TCP connection.
#[derive(Default, Clone, Debug)]
pub struct Conversation {
    /// Index 0: the key's first endpoint to its second; 1: the reverse.
    pub flows: [Flow; 2],
    pub first_ts: i64,
    pub last_ts: i64,
    /// Sequence analysis state per direction (same indexing as `flows`).
    pub analysis: [crate::proto::tcp::analysis::FlowAnalysis; 2],
    /// Time of the last SYN (without ACK), for the initial RTT.
    pub ts_mru_syn: Option<i64>,
    /// Initial RTT: from the SYN to the ACK that completes the handshake (0 = unknown).
    pub first_rtt: i64,
    /// `tcp.completeness` bits seen so far: SYN 1, SYN-ACK 2, ACK 4, data 8, FIN 16, RST 32.
    pub completeness: u8,
    /// A frame of this conversation was seen before.
    pub seen_frame: bool,
    /// Direction of the first FIN.
    pub first_fin_dir: Option<u8>,
}

/// TCP's capture-wide state.
#[derive(Clone)]
pub struct TcpState {
    pub convs: ConvTable<Conversation>,
    /// Unacknowledged segments the analysis may still track (see
    /// [`crate::proto::tcp::analysis::MAX_UNACKED_TOTAL`]).
    pub unacked_budget: usize,
}

impl Default for TcpState {
    fn default() -> Self {
        TcpState {
            convs: ConvTable::new(1 << 20),
            unacked_budget: crate::proto::tcp::analysis::MAX_UNACKED_TOTAL,
        }
    }
}

/// The `tcp.flags.str` rendering: one letter per set flag, a middle dot otherwise.
pub fn flags_str(flags: u16) -> String {
    const LETTERS: &[u8; 12] = b"RRRACEUAPRSF";
    (0..12)
        .map(|i| {
            if flags & (1 << (11 - i)) != 0 {
                LETTERS[i] as char
            } else {
                '·'
            }
        })
        .collect()
}

/// Appends the Info column's flag list (`[SYN, ACK]`).
fn push_flags_info(s: &mut String, flags: u16) {
    const NAMES: [(u16, &str); 9] = [
        (0x001, "FIN"),
        (0x002, "SYN"),
        (0x004, "RST"),
        (0x008, "PSH"),
        (0x010, "ACK"),
        (0x020, "URG"),
        (0x040, "ECE"),
        (0x080, "CWR"),
        (0x100, "AE"),
    ];
    s.push('[');
    let mut first = true;
    for (_, name) in NAMES.iter().filter(|(b, _)| flags & b != 0) {
        if !first {
            s.push_str(", ");
        }
        s.push_str(name);
        first = false;
    }
    s.push_str(if first { "<None>]" } else { "]" });
}

/// The fixed header's values (RFC 9293 §3.1).
#[derive(Clone, Copy)]
struct Header {
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u16,
    window: u16,
    urgent: u16,
    hdr_len: usize,
    seg_len: usize,
}

impl Header {
    fn syn(&self) -> bool {
        self.flags & 0x002 != 0
    }
    fn fin(&self) -> bool {
        self.flags & 0x001 != 0
    }
    fn rst(&self) -> bool {
        self.flags & 0x004 != 0
    }
    fn has_ack(&self) -> bool {
        self.flags & 0x010 != 0
    }
    fn urg(&self) -> bool {
        self.flags & 0x020 != 0
    }
}

/// What the connection's bookkeeping says about one segment.
struct Tracked {
    stream: u32,
    /// Direction index into [`Conversation::flows`].
    dir: usize,
    rel_seq: u32,
    rel_ack: u32,
    peer_base: u32,
    /// Window scale shift, or tshark's -1 (unknown) / -2 (no scaling).
    scale: i32,
    first_ts: i64,
    last_ts: i64,
    /// Some(true): this FIN initiates the closing; Some(false): it undergoes it.
    fin_role: Option<bool>,
    completeness: u8,
    first_rtt: i64,
    analysis: Option<crate::proto::tcp::analysis::Acked>,
}

impl Tracked {
    fn scaled_window(&self, window: u16) -> u64 {
        if self.scale >= 0 {
            (window as u64) << self.scale
        } else {
            window as u64
        }
    }
    fn retransmitted(&self) -> bool {
        use crate::proto::tcp::analysis::{
            A_FAST_RETRANSMISSION, A_RETRANSMISSION, A_SPURIOUS_RETRANSMISSION,
        };
        let mask = A_RETRANSMISSION | A_SPURIOUS_RETRANSMISSION | A_FAST_RETRANSMISSION;
        self.analysis.as_ref().is_some_and(|t| t.flags & mask != 0)
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let hdr_len = ((tvb.u8(12).unwrap_or(0x50) >> 4) as usize) * 4;
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, hdr_len.max(20)));
    let h = read_header(cx, tvb, node, hdr_len)?;
    let t = track(cx, tvb, &h);
    cx.info.stream = Some(t.stream);
    add_header_fields(cx, node, tvb, &h, &t)?;
    // The Info column walks the options first: plain options (the common NOP, NOP, TS) are
    // walked a second time only when the tree shows them.
    let (plain, prefix_len) = set_texts(cx, node, tvb, &h, &t);
    if hdr_len > 20 && (plain == PlainOptions::No || cx.tree.wants_any(OPTION_FIELDS)) {
        let sack = SackCtx {
            peer_base: t.peer_base,
            ack: h.ack,
            has_ack: h.has_ack(),
        };
        dissect_options(cx, node, tvb, hdr_len, sack)?;
    }
    if cx.tree.wants_any(&[&TIME_RELATIVE, &TIME_DELTA]) {
        // A tree without them has no use for their (text) parent either.
        let ts = cx.meta.ts_ns;
        let times = cx.add_text(node, ByteRange::default(), "Timestamps");
        cx.add_generated(
            times,
            &TIME_RELATIVE,
            Value::RelTime(ts.saturating_sub(t.first_ts)),
        );
        cx.add_generated(
            times,
            &TIME_DELTA,
            Value::RelTime(ts.saturating_sub(t.last_ts)),
        );
    }
    if let Some(ta) = &t.analysis {
        crate::proto::tcp::analysis::show(cx, node, ta, t.first_rtt);
    }
    dissect_data(cx, tvb, node, parent, &h, &t, prefix_len)
}

/// Reads the fixed header; ports go into the tree and the packet info at once.
fn read_header(cx: &mut Cx, tvb: &Tvb, node: NodeId, hdr_len: usize) -> Result<Header> {
    let sport = cx.add_be_u16(node, &SRCPORT, tvb, 0)?;
    let dport = cx.add_be_u16(node, &DSTPORT, tvb, 2)?;
    cx.add_hidden(node, &PORT, tvb.range(0, 2), Value::UInt(sport as u64));
    cx.add_hidden(node, &PORT, tvb.range(2, 2), Value::UInt(dport as u64));
    cx.info.src_port = sport;
    cx.info.dst_port = dport;
    cx.info.transport = 6;
    let h = Header {
        sport,
        dport,
        seq: tvb.be_u32(4)?,
        ack: tvb.be_u32(8)?,
        flags: tvb.be_u16(12)? & 0x0fff,
        window: tvb.be_u16(14)?,
        urgent: 0,
        hdr_len,
        seg_len: 0,
    };
    if hdr_len < 20 {
        cx.add(
            node,
            &HDR_LEN,
            tvb.range(12, 1),
            Value::UInt(hdr_len as u64),
        );
        cx.expert_with(node, &BOGUS_HDR_LEN, || {
            format!("Bogus TCP header length ({hdr_len}, must be at least 20)")
        });
        return Err(Error::Malformed("bogus TCP header length".into()));
    }
    let _ = tvb.bytes(0, hdr_len)?;
    Ok(Header {
        urgent: tvb.be_u16(18)?,
        seg_len: tvb.len() - hdr_len,
        ..h
    })
}

/// Conversation bookkeeping: stream index, bases for relative numbers, window scaling,
/// completeness, initial RTT and the sequence analysis.
fn track(cx: &mut Cx, tvb: &Tvb, h: &Header) -> Tracked {
    let (key, forward) = ConvKey::new(cx.info.net_src, h.sport, cx.info.net_dst, h.dport);
    let ts = cx.meta.ts_ns;
    let frame = cx.meta.number;
    let analyze = cx.prefs.bool("tcp.analyze_sequence_numbers", true);
    // Only a SYN's window scale is kept (set_bases).
    let wscale_opt = if h.syn() {
        find_wscale(tvb, h.hdr_len)
    } else {
        None
    };
    let state = cx.session.get::<TcpState>();
    let (stream, conv) = state.convs.get_or_insert(key, || Conversation {
        first_ts: ts,
        last_ts: ts,
        ..Default::default()
    });
    let (me, peer) = if forward { (0, 1) } else { (1, 0) };
    set_bases(conv, h, me, peer, wscale_opt);
    let rel_seq = h.seq.wrapping_sub(conv.flows[me].base_seq.unwrap_or(h.seq));
    let peer_base = conv.flows[peer].base_seq.unwrap_or(0);
    // Without the ACK flag the field is shown raw (tshark relativises only real ACKs).
    let rel_ack = if h.has_ack() {
        h.ack
            .wrapping_sub(conv.flows[peer].base_seq.unwrap_or(h.ack))
    } else {
        h.ack
    };
    let scale = window_scale(&conv.flows, me, peer, h.syn());
    let (first_ts, last_ts) = (conv.first_ts, conv.last_ts);
    conv.last_ts = ts;
    // Which side closes first: its FINs "initiate" the closing, the other's "undergo" it.
    let fin_role = h
        .fin()
        .then(|| *conv.first_fin_dir.get_or_insert(me as u8) == me as u8);
    let completeness = conv.completeness;
    conv.completeness |= completeness_bits(h.flags, h.seg_len, !conv.seen_frame);
    conv.seen_frame = true;
    update_first_rtt(conv, h, ts);
    let mut t = Tracked {
        stream,
        dir: me,
        rel_seq,
        rel_ack,
        peer_base,
        scale,
        first_ts,
        last_ts,
        fin_role,
        completeness,
        first_rtt: conv.first_rtt,
        analysis: None,
    };
    if analyze {
        let seg = crate::proto::tcp::analysis::Segment {
            frame,
            ts,
            seq: h.seq,
            ack: h.ack,
            seglen: h.seg_len as u32,
            flags: h.flags,
            window: t.scaled_window(h.window) as u32,
            base_seq: conv.flows[me].base_seq.unwrap_or(0),
        };
        let [a0, a1] = &mut conv.analysis;
        let (fwd, rev) = if me == 0 { (a0, a1) } else { (a1, a0) };
        t.analysis = crate::proto::tcp::analysis::analyze(
            fwd,
            rev,
            &seg,
            t.first_rtt,
            &mut state.unacked_budget,
        );
    }
    t
}

/// The sequence bases relative numbers count from: the ISN of a SYN, else guessed from the
/// first segment (and the first ACK for the peer).
fn set_bases(conv: &mut Conversation, h: &Header, me: usize, peer: usize, wscale: Option<u8>) {
    if h.syn() {
        conv.flows[me].base_seq = Some(h.seq);
        conv.flows[me].syn_seen = true;
        conv.flows[me].wscale = wscale;
    } else if conv.flows[me].base_seq.is_none() {
        conv.flows[me].base_seq = Some(h.seq.wrapping_sub(1));
    }
    if h.has_ack() && conv.flows[peer].base_seq.is_none() {
        conv.flows[peer].base_seq = Some(h.ack.wrapping_sub(1));
    }
}

/// Window scaling applies after the handshake, when both SYNs offered it (RFC 7323 §2.2).
/// As tshark: -1 while this side's SYN is unknown, -2 when scaling is off; when only this
/// side's SYN was captured, its own shift is trusted.
fn window_scale(f: &[Flow; 2], me: usize, peer: usize, syn: bool) -> i32 {
    match (
        f[me].syn_seen,
        f[me].wscale,
        f[peer].syn_seen,
        f[peer].wscale,
    ) {
        _ if syn => -2,
        (true, Some(s), false, _) | (true, Some(s), true, Some(_)) => s.min(14) as i32,
        (true, _, _, _) => -2,
        // The peer's SYN without the option rules scaling out for both sides (RFC 7323 §1.3).
        (false, _, true, None) => -2,
        _ => -1,
    }
}

/// Initial RTT: SYN to the ACK completing the handshake.
fn update_first_rtt(conv: &mut Conversation, h: &Header, ts: i64) {
    if h.flags & 0x012 == 0x010 && conv.first_rtt == 0 {
        if let Some(syn_ts) = conv.ts_mru_syn {
            conv.first_rtt = ts.saturating_sub(syn_ts);
        }
    }
    if h.syn() && !h.has_ack() {
        conv.ts_mru_syn = Some(ts);
    }
}

/// The header fields from the stream index to the urgent pointer, in tshark's order.
fn add_header_fields(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &Header, t: &Tracked) -> Result<()> {
    // The numbers and the window are only tree items (a summary keeps none): skipped whole
    // when the tree keeps none of them. The flags carry experts and always go in.
    if cx.tree.wants_any(NUMBER_FIELDS) {
        add_numbers(cx, node, tvb, h, t);
    }
    add_flags(cx, node, tvb, h, t.fin_role);
    if cx.tree.wants_any(WINDOW_FIELDS) {
        add_window(cx, node, tvb, h, t);
    }
    let csum = cx.add_be_u16(node, &CHECKSUM, tvb, 16)?;
    let (src, dst) = (cx.info.net_src, cx.info.net_dst);
    add_checksum_status(cx, node, tvb, csum, &src, &dst);
    cx.add_be_u16(node, &URGENT_POINTER, tvb, 18)?;
    Ok(())
}

/// The fields [`add_numbers`] adds.
static NUMBER_FIELDS: &[&FieldDef] = &[
    &STREAM,
    &COMPLETENESS,
    &LEN,
    &SEQ,
    &SEQ_RAW,
    &NXTSEQ,
    &ACK,
    &ACK_RAW,
    &HDR_LEN,
];

/// The fields [`add_window`] adds.
static WINDOW_FIELDS: &[&FieldDef] = &[&WINDOW_SIZE_VALUE, &WINDOW_SIZE, &WINDOW_SIZE_SCALEFACTOR];

/// Stream index, completeness, length, sequence and acknowledgement numbers, header length.
fn add_numbers(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &Header, t: &Tracked) {
    cx.add_generated(node, &STREAM, Value::UInt(t.stream as u64));
    cx.add_generated(node, &COMPLETENESS, Value::UInt(t.completeness as u64));
    cx.add_generated(node, &LEN, Value::UInt(h.seg_len as u64));
    cx.add(node, &SEQ, tvb.range(4, 4), Value::UInt(t.rel_seq as u64));
    cx.add(node, &SEQ_RAW, tvb.range(4, 4), Value::UInt(h.seq as u64));
    let nxt = t
        .rel_seq
        .wrapping_add(h.seg_len as u32)
        .wrapping_add((h.syn() || h.fin()) as u32);
    cx.add_generated(node, &NXTSEQ, Value::UInt(nxt as u64));
    cx.add(node, &ACK, tvb.range(8, 4), Value::UInt(t.rel_ack as u64));
    cx.add(node, &ACK_RAW, tvb.range(8, 4), Value::UInt(h.ack as u64));
    cx.add(
        node,
        &HDR_LEN,
        tvb.range(12, 1),
        Value::UInt(h.hdr_len as u64),
    );
}

/// The window as carried, scaled, and the scaling factor.
fn add_window(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &Header, t: &Tracked) {
    cx.add(
        node,
        &WINDOW_SIZE_VALUE,
        tvb.range(14, 2),
        Value::UInt(h.window as u64),
    );
    cx.add_generated(node, &WINDOW_SIZE, Value::UInt(t.scaled_window(h.window)));
    if !h.syn() {
        let factor = if t.scale >= 0 {
            1i64 << t.scale
        } else {
            t.scale as i64
        };
        cx.add_generated(node, &WINDOW_SIZE_SCALEFACTOR, Value::Int(factor));
    }
}

/// The flags subtree with the connection experts on the RST, SYN and FIN bits.
fn add_flags(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &Header, fin_role: Option<bool>) {
    let flags = h.flags;
    let fnode = cx.add_uint(node, &FLAGS, tvb.range(12, 2), flags as u64);
    // Each bit covers the one byte its mask falls in, as tshark adds them (PDML's pos/size).
    cx.add_bits(
        fnode,
        &[&FLAGS_RES, &FLAGS_AE],
        tvb.range(12, 1),
        flags as u64,
    );
    let r = tvb.range(13, 1);
    cx.add_bits(
        fnode,
        &[&FLAGS_CWR, &FLAGS_ECE, &FLAGS_URG, &FLAGS_ACK, &FLAGS_PUSH],
        r,
        flags as u64,
    );
    let rst_node = cx.add_uint(fnode, &FLAGS_RESET, r, flags as u64);
    if h.rst() {
        cx.expert(rst_node, &CONNECTION_RST, None);
    }
    let syn_node = cx.add_uint(fnode, &FLAGS_SYN, r, flags as u64);
    if h.syn() {
        let (def, what) = if h.has_ack() {
            (
                &CONNECTION_SYNACK,
                "Connection establish acknowledge (SYN+ACK)",
            )
        } else {
            (&CONNECTION_SYN, "Connection establish request (SYN)")
        };
        let server = if h.has_ack() { h.sport } else { h.dport };
        cx.expert_with(syn_node, def, || format!("{what}: server port {server}"));
    }
    let fin_node = cx.add_uint(fnode, &FLAGS_FIN, r, flags as u64);
    if h.fin() {
        cx.expert(fin_node, &CONNECTION_FIN, None);
    }
    let str_node = cx.add_generated_with(fnode, &FLAGS_STR, || Value::str(flags_str(flags)));
    match fin_role {
        Some(true) => {
            cx.expert(str_node, &CONNECTION_FIN_ACTIVE, None);
        }
        Some(false) => {
            cx.expert(str_node, &CONNECTION_FIN_PASSIVE, None);
        }
        None => {}
    }
}

/// The protocol line and the Info column (analysis tags first, then the options). Returns
/// what [`write_options_info`] says about the options, and the length of the tags.
fn set_texts(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    h: &Header,
    t: &Tracked,
) -> (PlainOptions, usize) {
    let (sport, dport, rel_seq, seg_len) = (h.sport, h.dport, t.rel_seq, h.seg_len);
    let ack = h.has_ack().then_some(t.rel_ack);
    cx.set_text(
        node,
        format_args!(
            "Transmission Control Protocol, Src Port: {sport}, Dst Port: {dport}, Seq: {rel_seq}{}, Len: {seg_len}",
            OptionalAck(ack, ", Ack: ")
        ),
    );
    // Written without `core::fmt`: this column is built for every segment.
    let info = &mut cx.columns.info;
    info.clear();
    if let Some(ta) = &t.analysis {
        crate::proto::tcp::analysis::write_info_prefix(ta, info);
    }
    let prefix_len = info.len();
    info.u(sport).s(" → ").u(dport).s(" ");
    push_flags_info(info, h.flags);
    info.s(" Seq=").u(rel_seq);
    if let Some(ack) = ack {
        info.s(" Ack=").u(ack);
    }
    info.s(" Win=").u(t.scaled_window(h.window));
    // tshark names the urgent pointer whenever URG is set, zero included.
    if h.urg() {
        info.s(" Urg=").u(h.urgent);
    }
    info.s(" Len=").u(seg_len as u64);
    let plain = write_options_info(info, tvb, h.hdr_len, t.peer_base);
    (plain, prefix_len)
}

/// The segment's data: a reset cause on a RST, else the application's.
fn dissect_data(
    cx: &mut Cx,
    tvb: &Tvb,
    node: NodeId,
    parent: NodeId,
    h: &Header,
    t: &Tracked,
    prefix_len: usize,
) -> Result<()> {
    if h.seg_len == 0 {
        return Ok(());
    }
    let payload = tvb.sub_from(h.hdr_len)?;
    if h.rst() {
        // Data on a RST is a diagnostic text (RFC 9293 §3.10.7.1 allows it; stacks such as
        // BIG-IP explain the reset there), not application data.
        // A C string, as tshark reads it: up to the first NUL.
        let data = payload.data();
        let text =
            String::from_utf8_lossy(data.split(|b| *b == 0).next().unwrap_or(data)).into_owned();
        cx.add_with(node, &RESET_CAUSE, payload.whole(), || Value::str(text));
        return Ok(());
    }
    let p = Payload {
        node,
        parent,
        sport: h.sport,
        dport: h.dport,
        seq: h.seq,
        stream: t.stream,
    };
    let desegment = cx.prefs.bool("tcp.desegment_tcp_streams", true);
    if desegment && t.retransmitted() {
        show_retransmitted(cx, &payload, &p, t.dir as u8);
        return Ok(());
    }
    // Analysis tags stay in front of whatever the application put in the Info column
    // (tshark's column fence). Dissectors that clear the column and append with a
    // separator (MQTT) leave tshark's ", " after the fence.
    let prefix = (prefix_len > 0).then(|| cx.columns.info[..prefix_len].to_owned());
    let fenced_sep = dissect_payload(cx, &payload, p, t.dir as u8, desegment);
    if let Some(prefix) = prefix {
        if !cx.columns.info.starts_with(&prefix) {
            let sep = if fenced_sep { ", " } else { "" };
            cx.columns.info.insert_str(0, sep);
            cx.columns.info.insert_str(0, &prefix);
        }
    }
    Ok(())
}

/// Data already seen: shown, not decoded twice (with the frame that decoded it when it was
/// part of a reassembled PDU).
fn show_retransmitted(cx: &mut Cx, payload: &Tvb, p: &Payload, dir: u8) {
    cx.add_with(p.node, &PAYLOAD, payload.whole(), || {
        Value::bytes(payload.data())
    });
    let len = payload.len() as u32;
    if let Some(f) = crate::proto::tcp::reassembly::reassembled_in(cx, p.stream, dir, p.seq, len) {
        cx.add_generated(p.node, &REASSEMBLED_IN, Value::UInt(f));
    }
}

/// `{prefix}{ack}` when there is an acknowledgement number, nothing otherwise.
struct OptionalAck(Option<u32>, &'static str);

impl std::fmt::Display for OptionalAck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ack) => write!(f, "{}{ack}", self.1),
            None => Ok(()),
        }
    }
}

/// The `tcp.completeness` bits a segment contributes, as tshark 4.0 counts them: a
/// conversation's first frame only for a pure SYN (and data it carries, TCP Fast Open); later
/// frames for a SYN-ACK, a pure ACK or data with ACK, a FIN with ACK, and any RST.
fn completeness_bits(flags: u16, seg_len: usize, first: bool) -> u8 {
    const SYN: u16 = 0x002;
    const ACK: u16 = 0x010;
    const FIN: u16 = 0x001;
    if first {
        return match (flags & (SYN | ACK) == SYN, seg_len > 0) {
            (true, true) => 1 | 8,
            (true, false) => 1,
            _ => 0,
        };
    }
    let mut b = 0;
    match flags & (SYN | ACK) {
        f if f == SYN | ACK => b |= 2,
        ACK if seg_len > 0 => b |= 8,
        ACK => b |= 4,
        _ => {}
    }
    if flags & (FIN | ACK) == FIN | ACK {
        b |= 16;
    }
    if flags & 0x004 != 0 {
        b |= 32;
    }
    b
}

/// Where a segment's payload goes.
struct Payload {
    node: NodeId,
    parent: NodeId,
    sport: u16,
    dport: u16,
    seq: u32,
    stream: u32,
}

/// Hands the payload to the application protocol: through reassembly when the protocol
/// registered a PDU-length function (and `tcp.desegment_tcp_streams` is on), else directly.
/// Returns true when a PDU of a protocol that appends to a cleared Info column was decoded.
fn dissect_payload(cx: &mut Cx, payload: &Tvb, p: Payload, dir: u8, desegment: bool) -> bool {
    let heur_first = cx.prefs.bool("tcp.try_heuristic_first", false);
    let proto = choose_protocol(cx, &p, payload, desegment && !heur_first);
    let framing = proto.and_then(|p| Some((p, cx.registry.stream_pdus(p)?)));
    match framing {
        Some((proto, reg)) if desegment && !heur_first => {
            let out = crate::proto::tcp::reassembly::process(
                cx,
                crate::proto::tcp::reassembly::SegmentIn {
                    stream: p.stream,
                    dir,
                    seq: p.seq,
                    payload: *payload,
                    tcp_node: p.node,
                    parent: p.parent,
                    reg,
                    proto,
                },
            );
            if out.partial && !out.decoded {
                const TAG: &str = "[TCP segment of a reassembled PDU]";
                if reg.clears_info && out.started_partial {
                    cx.set_info(TAG);
                } else {
                    cx.append_info(TAG);
                }
            }
            out.decoded && reg.clears_info
        }
        _ => {
            cx.add_with(p.node, &PAYLOAD, payload.whole(), || {
                Value::bytes(payload.data())
            });
            crate::proto::udp::dispatch_ports(
                cx,
                tables::TCP_PORT,
                tables::TCP_HEUR,
                p.sport,
                p.dport,
                payload,
                p.parent,
            );
            false
        }
    }
}

/// The application protocol of a segment: the one a heuristic already found on this
/// connection, as tshark, before the ports (a port protocol that refused the connection's
/// first bytes, e.g. Modbus on 502 carrying TLS, is not asked again); then the lower port's,
/// the higher's; then (when `try_heuristics`) a stream protocol a heuristic finds now.
fn choose_protocol(
    cx: &mut Cx,
    p: &Payload,
    payload: &Tvb,
    try_heuristics: bool,
) -> Option<&'static Protocol> {
    let remembered = cx
        .session
        .get::<ConversationProtocols>()
        .by_stream
        .get(&p.stream)
        .copied();
    let (lo, hi) = if p.sport <= p.dport {
        (p.sport, p.dport)
    } else {
        (p.dport, p.sport)
    };
    remembered
        .or_else(|| {
            [lo, hi]
                .iter()
                .find_map(|port| cx.registry.lookup(tables::TCP_PORT, *port as u64))
        })
        .or_else(|| {
            try_heuristics
                .then(|| conversation_protocol(cx, p.stream, payload))
                .flatten()
        })
}

/// Stream protocols TCP's heuristics found on a connection (TLS on a port no table names),
/// kept for the connection's later segments as tshark keeps a conversation's dissector.
#[derive(Clone, Default)]
struct ConversationProtocols {
    by_stream: HashMap<u32, &'static Protocol>,
}

/// Connections whose heuristic protocol is remembered at once.
const MAX_CONVERSATION_PROTOCOLS: usize = 65_536;

/// The protocol a heuristic found on this connection earlier, or finds in this payload; only
/// protocols that cut the stream into PDUs are remembered (the others are tried per segment).
pub(crate) fn conversation_protocol(
    cx: &mut Cx,
    stream: u32,
    payload: &Tvb,
) -> Option<&'static Protocol> {
    if let Some(p) = cx
        .session
        .get::<ConversationProtocols>()
        .by_stream
        .get(&stream)
    {
        return Some(p);
    }
    if payload.is_empty() || cx.in_error {
        return None;
    }
    let registry = cx.registry;
    let found = registry
        .heuristics(tables::TCP_HEUR)
        .find(|(p, accepts)| registry.stream_pdus(p).is_some() && accepts(payload, cx))
        .map(|(p, _)| *p)?;
    let map = &mut cx.session.get::<ConversationProtocols>().by_stream;
    if map.len() >= MAX_CONVERSATION_PROTOCOLS {
        map.clear();
    }
    map.insert(stream, found);
    Some(found)
}

/// Whether a header's options are all well-formed kind-length options or NOPs, with no EOL
/// and no SACK: then their subtree can add no expert item and no error, and a tree that
/// wants none of their fields can skip them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PlainOptions {
    Yes,
    No,
}

/// The options part of tshark's TCP Info column (` MSS=1460 SACK_PERM TSval=1 TSecr=0 WS=128`);
/// SACK edges are relative to the peer's initial sequence number.
fn write_options_info(s: &mut String, tvb: &Tvb, hdr_len: usize, peer_base: u32) -> PlainOptions {
    let mut plain = PlainOptions::Yes;
    for t in TlvFormat::IP_OPTIONS.walk(tvb, 20, hdr_len) {
        if t.kind != TlvKind::Item {
            // EOL ends the list; a malformed option ends what the column says.
            if t.kind == TlvKind::Pad {
                continue;
            }
            return PlainOptions::No;
        }
        let off = t.off;
        match (t.ty, t.total_len()) {
            (2, 4) => {
                if let Ok(v) = tvb.be_u16(off + 2) {
                    s.s(" MSS=").u(v);
                }
            }
            (3, 3) => {
                if let Ok(v) = tvb.u8(off + 2) {
                    s.s(" WS=").u(1u32 << v.min(14));
                }
            }
            (4, 2) => s.push_str(" SACK_PERM"),
            (5, _) => {
                plain = PlainOptions::No;
                for (l, r) in sack_edges(tvb, &t) {
                    s.s(" SLE=").u(l.wrapping_sub(peer_base));
                    s.s(" SRE=").u(r.wrapping_sub(peer_base));
                }
            }
            (8, 10) => {
                if let (Ok(v), Ok(e)) = (tvb.be_u32(off + 2), tvb.be_u32(off + 6)) {
                    s.s(" TSval=").u(v).s(" TSecr=").u(e);
                }
            }
            _ => {}
        }
    }
    plain
}

/// The fields of the options subtree ([`dissect_options`]).
static OPTION_FIELDS: &[&FieldDef] = &[
    &OPTIONS,
    &OPTION_KIND,
    &OPTION_LEN,
    &OPT_NOP,
    &OPT_EOL,
    &OPT_MSS,
    &OPT_MSS_VAL,
    &OPT_WSCALE,
    &OPT_WSCALE_SHIFT,
    &OPT_WSCALE_MULTIPLIER,
    &OPT_SACK_PERM,
    &OPT_SACK,
    &OPT_SACK_LE,
    &OPT_SACK_RE,
    &OPT_SACK_COUNT,
    &OPT_SACK_DSACK_LE,
    &OPT_SACK_DSACK_RE,
    &OPT_TIMESTAMP,
    &OPT_TSVAL,
    &OPT_TSECR,
    &OPT_UNKNOWN,
    &OPT_UNKNOWN_PAYLOAD,
];

/// The (left, right) edges of a SACK option's blocks, as carried.
fn sack_edges<'a>(tvb: &'a Tvb, t: &Tlv) -> impl Iterator<Item = (u32, u32)> + 'a {
    (t.value_off..t.value_end().saturating_sub(7))
        .step_by(8)
        .map_while(|e| Some((tvb.be_u32(e).ok()?, tvb.be_u32(e + 4).ok()?)))
}

const CHECKSUM_FIELDS: ChecksumFields = ChecksumFields {
    status: &CHECKSUM_STATUS,
    bad: &CHECKSUM_BAD,
    calculated: Some(&CHECKSUM_CALCULATED),
    say_expected: true,
};

fn add_checksum_status(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    csum: u16,
    src: &Address,
    dst: &Address,
) {
    let complete = !cx.frame_truncated();
    let check = (cx.prefs.bool("tcp.check_checksum", false) && complete)
        .then(|| checksum::compute_with_pseudo(src, dst, 6, tvb.data(), 16))
        .flatten()
        .map(|expected| (expected == csum, expected));
    cx.add_checksum_status(node, tvb.range(16, 2), &CHECKSUM_FIELDS, check);
}

/// The window-scale shift a SYN offers, if any.
fn find_wscale(tvb: &Tvb, hdr_len: usize) -> Option<u8> {
    // Walks to the end of the segment but looks only at options starting in the header, so a
    // last option's length may come from the payload, as the dissection reads it.
    for t in TlvFormat::IP_OPTIONS.walk(tvb, 20, tvb.len()) {
        if t.off >= hdr_len {
            break;
        }
        match t.kind {
            TlvKind::Pad => {}
            TlvKind::Item | TlvKind::Overrun if t.ty == 3 && t.len_field == 3 => {
                return tvb.u8(t.value_off).ok();
            }
            TlvKind::Item => {}
            _ => return None,
        }
    }
    None
}

/// What SACK blocks are read against.
#[derive(Clone, Copy)]
struct SackCtx {
    peer_base: u32,
    ack: u32,
    has_ack: bool,
}

fn dissect_options(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    hdr_len: usize,
    sack: SackCtx,
) -> Result<()> {
    let list = cx.add_bytes_node(node, &OPTIONS, tvb, 20, hdr_len - 20)?;
    // tshark shows every padding byte after an EOL as another EOL: EOL is padding here.
    for t in TlvFormat::IP_OPTIONS
        .end_code(None)
        .pad1(0)
        .walk(tvb, 20, hdr_len)
    {
        let off = t.off;
        match t.kind {
            TlvKind::Pad | TlvKind::End => {
                let f = if t.ty == 0 { &OPT_EOL } else { &OPT_NOP };
                let o = cx.add_bytes_node(list, f, tvb, off, 1)?;
                cx.add_u8(o, &OPTION_KIND, tvb, off)?;
            }
            TlvKind::Item => dissect_option(cx, list, tvb, &t, sack)?,
            _ => {
                let len = tvb.u8(off + 1)?;
                cx.add_u8(list, &OPTION_KIND, tvb, off)?;
                cx.expert_with(list, &OPTION_LEN_INVALID, || {
                    format!("option length {len} is invalid")
                });
            }
        }
    }
    Ok(())
}

/// One kind-length option, well formed.
fn dissect_option(cx: &mut Cx, list: NodeId, tvb: &Tvb, t: &Tlv, sack: SackCtx) -> Result<()> {
    let (kind, off, len) = (t.ty, t.off, t.total_len());
    let field = match (kind, len) {
        (2, 4) => &OPT_MSS,
        (3, 3) => &OPT_WSCALE,
        (4, 2) => &OPT_SACK_PERM,
        (5, _) => &OPT_SACK,
        (8, 10) => &OPT_TIMESTAMP,
        _ => &OPT_UNKNOWN,
    };
    let o = cx.add_bytes_node(list, field, tvb, off, len)?;
    cx.add_u8(o, &OPTION_KIND, tvb, off)?;
    cx.add_u8(o, &OPTION_LEN, tvb, off + 1)?;
    match kind {
        2 if len == 4 => {
            cx.add_be_u16(o, &OPT_MSS_VAL, tvb, off + 2)?;
        }
        3 if len == 3 => {
            let shift = cx.add_u8(o, &OPT_WSCALE_SHIFT, tvb, off + 2)?;
            cx.add_generated(
                o,
                &OPT_WSCALE_MULTIPLIER,
                Value::UInt(1u64 << shift.min(14)),
            );
        }
        5 => dissect_sack(cx, o, tvb, t, sack),
        8 if len == 10 => {
            cx.add_be_u32(o, &OPT_TSVAL, tvb, off + 2)?;
            cx.add_be_u32(o, &OPT_TSECR, tvb, off + 6)?;
        }
        4 => {}
        _ if len > 2 => {
            cx.add_bytes(o, &OPT_UNKNOWN_PAYLOAD, tvb, off + 2, len - 2)?;
        }
        _ => {}
    }
    Ok(())
}

/// SACK blocks, edges relative to the peer's ISN; a first block below the ACK is a D-SACK
/// (RFC 2883 §4).
fn dissect_sack(cx: &mut Cx, o: NodeId, tvb: &Tvb, t: &Tlv, sack: SackCtx) {
    let mut count = 0u64;
    let mut first: Option<(u32, u32)> = None;
    for (i, (l, r)) in sack_edges(tvb, t).enumerate() {
        let e = t.value_off + 8 * i;
        let rel = |x: u32| Value::UInt(x.wrapping_sub(sack.peer_base) as u64);
        cx.add(o, &OPT_SACK_LE, tvb.range(e, 4), rel(l));
        cx.add(o, &OPT_SACK_RE, tvb.range(e + 4, 4), rel(r));
        first.get_or_insert((l, r));
        count += 1;
    }
    cx.add_generated(o, &OPT_SACK_COUNT, Value::UInt(count));
    let Some((l, r)) = first else { return };
    if sack.has_ack && (l.wrapping_sub(sack.ack) as i32) < 0 {
        let rel = |x: u32| Value::UInt(x.wrapping_sub(sack.peer_base) as u64);
        cx.add_generated(o, &OPT_SACK_DSACK_LE, rel(l));
        cx.add_generated(o, &OPT_SACK_DSACK_RE, rel(r));
        let d = cx.add_text(o, tvb.range(t.off, t.total_len()), "D-SACK Sequence");
        cx.expert(d, &SACK_DSACK, None);
    }
}

#[cfg(test)]
mod tests {
    use super::flags_str;
    use crate::testutil::{assert_truncations_are_malformed, dissect_one, dissect_with};

    /// IPv4 SYN with MSS, SACK-permitted, timestamps, NOP and window scale options.
    fn syn() -> Vec<u8> {
        let mut p = vec![
            0x45, 0, 0, 60, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        p.extend_from_slice(&[
            0xb6, 0x40, 0x00, 0x50, 0x2f, 0x84, 0x0a, 0xcb, 0, 0, 0, 0, 0xa0, 0x02, 0x6a, 0x40,
            0x50, 0xc4, 0, 0,
        ]);
        p.extend_from_slice(&[
            2, 4, 5, 0x50, 4, 2, 8, 10, 0x43, 0x6a, 3, 0x62, 0, 0, 0, 0, 1, 3, 3, 7,
        ]);
        p
    }

    #[test]
    fn syn_with_options() {
        let p = dissect_one(228, &syn());
        assert_eq!(p.show("tcp.seq"), ["0"]);
        assert_eq!(p.show("tcp.seq_raw"), ["797182667"]);
        assert_eq!(p.show("tcp.nxtseq"), ["1"]);
        assert_eq!(p.show("tcp.flags"), ["0x0002"]);
        assert_eq!(p.show("tcp.flags.str"), ["··········S·"]);
        assert_eq!(p.show("tcp.options.mss_val"), ["1360"]);
        assert_eq!(p.show("tcp.options.wscale.multiplier"), ["128"]);
        assert_eq!(p.show("tcp.options.timestamp.tsval"), ["1131021154"]);
        assert_eq!(p.show("tcp.option_kind"), ["2", "4", "8", "1", "3"]);
        assert!(p.has("tcp.connection.syn"));
        assert!(p.info().contains("[SYN]"));
    }

    #[test]
    fn urgent_pointer_is_named_in_info_when_urg_is_set() {
        let mut p = syn();
        // SYN+URG with an urgent pointer of 0, then of 7: tshark names it either way.
        p[33] = 0x22;
        let info = dissect_one(228, &p).info().to_string();
        assert!(info.contains(" Win=27200 Urg=0 Len=0"), "{info}");
        p[39] = 7;
        let info = dissect_one(228, &p).info().to_string();
        assert!(info.contains(" Urg=7 Len=0"), "{info}");
        assert!(!dissect_one(228, &syn()).info().contains("Urg="));
    }

    #[test]
    fn relative_numbers_follow_the_handshake() {
        let mut e = crate::engine::Engine::with_defaults();
        dissect_with(&mut e, 228, &syn());
        // SYN-ACK from the server.
        let mut sa = vec![
            0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1,
        ];
        sa.extend_from_slice(&[
            0x00, 0x50, 0xb6, 0x40, 0, 0, 0x10, 0, 0x2f, 0x84, 0x0a, 0xcc, 0x50, 0x12, 0x20, 0, 0,
            0, 0, 0,
        ]);
        let p = dissect_with(&mut e, 228, &sa);
        assert_eq!(p.show("tcp.stream"), ["0"]);
        assert_eq!(p.show("tcp.seq"), ["0"]);
        assert_eq!(p.show("tcp.ack"), ["1"]);
        assert!(p.has("tcp.connection.synack"));
    }

    #[test]
    fn flag_string() {
        assert_eq!(flags_str(0x018), "·······AP···");
    }

    #[test]
    fn truncation_never_panics() {
        assert_truncations_are_malformed(228, &syn(), 40);
    }
}

pub mod analysis;
pub mod reassembly;
