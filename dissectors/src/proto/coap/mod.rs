//! CoAP, the Constrained Application Protocol: RFC 7252 (messages, options), RFC 7641 (Observe),
//! RFC 7959 (Block-wise transfers, Size1/Size2), RFC 8323 (CoAP over TCP, signalling messages),
//! RFC 8613 (OSCORE option), RFC 8768 (Hop-Limit), RFC 9175 (Echo, Request-Tag), RFC 7967
//! (No-Response), RFC 9177 (Q-Block1/Q-Block2).
//!
//! Over UDP (RFC 7252 §3):
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Ver| T |  TKL  |      Code     |          Message ID           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Token (if any, TKL bytes) ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Options (if any) ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |1 1 1 1 1 1 1 1|    Payload (if any) ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Over TCP (RFC 8323 §3.2) the Ver/T/Message ID are gone and a length nibble frames messages:
//! ```text
//! +--------+--------+----------+--------+--------+---------+----------+
//! |Len|TKL | ExtLen (0/1/2/4) |  Code  | Token (TKL)      | Options… | 0xFF | Payload
//! +--------+--------+----------+--------+--------+---------+----------+
//! ```
//! Len 0-12 is the length of options+payload; 13, 14, 15 mean an 8/16/32-bit extended length
//! follows, minus 13, 269 and 65805. [`tcp_pdu_len`] computes the size of a whole message so the
//! TCP reassembly (branch `tcpapps`) can ask for more bytes; until that lands, every complete
//! message in a segment is dissected and an incomplete tail is flagged (`coap.tcp.incomplete`).
//!
//! Each option is encoded as a delta from the previous option number and a length, each a nibble
//! with the same 13/14 extensions (RFC 7252 §3.1); 15 is reserved (the payload marker 0xFF).
//!
//! Field names follow Wireshark's `coap` dissector (tshark 4.0), including its quirks where the
//! display-filter values are concerned (the option name `#1: Uri-Path`, the `coap.payload`
//! summary string cut at 79 bytes, `Etag`/`Max-age` spellings, Size2 shown under
//! `coap.opt.block_size`). lowshark-specific fields, for things tshark 4.0 does not decode:
//!
//! - options: `coap.opt.size2` (Size2 value), `coap.opt.echo` (252), `coap.opt.no_response`
//!   (258), `coap.opt.request_tag` (292); Q-Block1/Q-Block2 (19, 31) use the Block fields;
//!   unknown options get `coap.opt.critical`, `coap.opt.unsafe`, `coap.opt.no_cache_key`.
//! - signalling options (RFC 8323 §5, code class 7): `coap.opt.max_message_size`,
//!   `coap.opt.block_wise_transfer`, `coap.opt.extended_token_length`, `coap.opt.custody`,
//!   `coap.opt.alternative_address`, `coap.opt.hold_off`, `coap.opt.bad_csm_option`.
//! - Observe (RFC 7641): `coap.observe.registered_in` (the registration a notification belongs
//!   to), `coap.observe.notification` (its ordinal), `coap.observe.deregistered` (generated on
//!   deregistrations) and the expert `coap.observe.reordered`.
//! - payload decoding (see [`crate::proto::coap::payload`]; text, JSON, CBOR and XML are their
//!   own layers, as in tshark): `coap.payload.link`, `coap.payload.link.target`,
//!   `coap.payload.link.param`, `coap.payload.senml.record`, `coap.payload.senml.name`,
//!   `coap.payload.senml.unit`, `coap.payload.senml.value`, `coap.payload.senml.time`.
//! - experts: `coap.token_len.reserved`, `coap.payload_marker_empty`, `coap.tcp.incomplete`,
//!   `coap.payload.undecodable`.
//!
//! Transport: UDP port 5683, TCP port 5683 (RFC 8323 framing), DTLS port 5684 goes to
//! [`crate::proto::tls::dtls`]. The UDP heuristic is off unless the preference `coap.heuristic` is TRUE or
//! the user enabled it explicitly (`--enable-heuristic coap`, [`Registry::heuristic_setting`]).

use crate::engine::colfmt::ColWrite;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::proto::coap::payload as coap_payload;
use crate::proto::coap::track::{self as coap_track, Endpoint, MsgFacts};
use std::borrow::Cow;

/// tshark's option name table (with its spellings) plus the options registered since.
pub const OPTION_NAMES: &[(u64, &str)] = &[
    (1, "If-Match"),
    (3, "Uri-Host"),
    (4, "Etag"),
    (5, "If-None-Match"),
    (6, "Observe"),
    (7, "Uri-Port"),
    (8, "Location-Path"),
    (9, "OSCORE"),
    (11, "Uri-Path"),
    (12, "Content-Format"),
    (14, "Max-age"),
    (15, "Uri-Query"),
    (16, "Hop-Limit"),
    (17, "Accept"),
    (19, "Q-Block1"),
    (20, "Location-Query"),
    (23, "Block2"),
    (27, "Block1"),
    (28, "Size2"),
    (31, "Q-Block2"),
    (35, "Proxy-Uri"),
    (39, "Proxy-Scheme"),
    (60, "Size1"),
    (252, "Echo"),
    (258, "No-Response"),
    (292, "Request-Tag"),
];

/// Option numbers that tshark 4.0 does not know (for the comparison tests' exception table).
pub const NEWER_THAN_TSHARK_4_0: &[u64] = &[19, 31, 252, 258, 292];

/// Allowed value lengths (RFC 7252 §5.10 and the later RFCs), as tshark checks them.
const OPTION_RANGES: &[(u32, usize, usize)] = &[
    (1, 0, 8),
    (3, 1, 255),
    (4, 1, 8),
    (5, 0, 0),
    (6, 0, 3),
    (7, 0, 2),
    (8, 0, 255),
    (9, 0, 255),
    (11, 0, 255),
    (12, 0, 2),
    (14, 0, 4),
    (15, 1, 255),
    (16, 1, 1),
    (17, 0, 2),
    (19, 0, 3),
    (20, 0, 255),
    (23, 0, 3),
    (27, 0, 3),
    (28, 0, 4),
    (31, 0, 3),
    (35, 1, 1034),
    (39, 1, 255),
    (60, 0, 4),
    (252, 1, 40),
    (258, 0, 1),
    (292, 0, 8),
];

const TYPES: &[(u64, &str)] = &[
    (0, "Confirmable"),
    (1, "Non-Confirmable"),
    (2, "Acknowledgement"),
    (3, "Reset"),
];
const TYPES_SHORT: [&str; 4] = ["CON", "NON", "ACK", "RST"];

/// Method, response and signalling codes, `c.dd` = `c << 5 | dd`.
pub const CODES: &[(u64, &str)] = &[
    (0, "Empty Message"),
    (1, "GET"),
    (2, "POST"),
    (3, "PUT"),
    (4, "DELETE"),
    (5, "FETCH"),
    (6, "PATCH"),
    (7, "iPATCH"),
    (65, "2.01 Created"),
    (66, "2.02 Deleted"),
    (67, "2.03 Valid"),
    (68, "2.04 Changed"),
    (69, "2.05 Content"),
    (95, "2.31 Continue"),
    (128, "4.00 Bad Request"),
    (129, "4.01 Unauthorized"),
    (130, "4.02 Bad Option"),
    (131, "4.03 Forbidden"),
    (132, "4.04 Not Found"),
    (133, "4.05 Method Not Allowed"),
    (134, "4.06 Not Acceptable"),
    (136, "4.08 Request Entity Incomplete"),
    (137, "4.09 Conflict"),
    (140, "4.12 Precondition Failed"),
    (141, "4.13 Request Entity Too Large"),
    (143, "4.15 Unsupported Content-Format"),
    (150, "4.22 Unprocessable Entity"),
    (157, "4.29 Too Many Requests"),
    (160, "5.00 Internal Server Error"),
    (161, "5.01 Not Implemented"),
    (162, "5.02 Bad Gateway"),
    (163, "5.03 Service Unavailable"),
    (164, "5.04 Gateway Timeout"),
    (165, "5.05 Proxying Not Supported"),
    (168, "5.08 Hop Limit Reached"),
    (225, "7.01 CSM"),
    (226, "7.02 Ping"),
    (227, "7.03 Pong"),
    (228, "7.04 Release"),
    (229, "7.05 Abort"),
];

crate::fields! {
    PROTO = FieldDef::protocol("coap", "Constrained Application Protocol");
    LENGTH = FieldDef::new("coap.length", "Length", T::U32)
        .blurb("Length of the CoAP frame, combining Len and Extended Length (if any) fields");
    VERSION = FieldDef::new("coap.version", "Version", T::U8).mask(0xc0);
    TYPE = FieldDef::new("coap.type", "Type", T::U8).mask(0x30).vals(TYPES);
    TOKEN_LEN = FieldDef::new("coap.token_len", "Token Length", T::U8).mask(0x0f);
    TOKEN = FieldDef::new("coap.token", "Token", T::Bytes);
    MID = FieldDef::new("coap.mid", "Message ID", T::U16);
    RESPONSE_IN = FieldDef::new("coap.response_in", "Response In", T::FrameNum)
        .blurb("The response to this CoAP request is in this frame");
    RESPONSE_TO = FieldDef::new("coap.response_to", "Request In", T::FrameNum)
        .blurb("This is a response to the CoAP request in this frame");
    RESPONSE_TIME = FieldDef::new("coap.response_time", "Response Time", T::RelTime)
        .blurb("The time between the Call and the Reply");
    REQUEST_FIRST_IN = FieldDef::new("coap.request_first_in", "Retransmission of request in", T::FrameNum)
        .blurb("This request was first sent in this frame");
    RESPONSE_FIRST_IN = FieldDef::new("coap.response_first_in", "Retransmission of response in", T::FrameNum)
        .blurb("This response was first sent in this frame");
    BLOCK_PAYLOAD = FieldDef::new("coap.block_payload", "Block Payload", T::Bytes);
    BLOCK_LENGTH = FieldDef::new("coap.block_length", "Block Length", T::U32);
    BLOCKS = FieldDef::new("coap.blocks", "Blocks", T::None);
    BLOCK = FieldDef::new("coap.block", "Block", T::FrameNum);
    BLOCK_COUNT = FieldDef::new("coap.block.count", "Block count", T::U32);
    BLOCK_REASSEMBLED_LENGTH = FieldDef::new("coap.block.reassembled.length", "Reassembled block length", T::U32);
    CODE = FieldDef::new("coap.code", "Code", T::U8).vals(CODES);
    PAYLOAD = FieldDef::new("coap.payload", "Payload", T::String);
    PAYLOAD_DESC = FieldDef::new("coap.payload_desc", "Payload Desc", T::String);
    PAYLOAD_LENGTH = FieldDef::new("coap.payload_length", "Payload Length", T::U32);
    OPT_NAME = FieldDef::new("coap.opt.name", "Opt Name", T::String);
    OPT_DESC = FieldDef::new("coap.opt.desc", "Opt Desc", T::String);
    OPT_DELTA = FieldDef::new("coap.opt.delta", "Opt Delta", T::U8).mask(0xf0);
    OPT_DELTA_EXT = FieldDef::new("coap.opt.delta_ext", "Opt Delta extended", T::U16);
    OPT_LENGTH = FieldDef::new("coap.opt.length", "Opt Length", T::U8).mask(0x0f).blurb("Option Length");
    OPT_LENGTH_EXT = FieldDef::new("coap.opt.length_ext", "Opt Length extended", T::U16);
    OPT_END_MARKER = FieldDef::new("coap.opt.end_marker", "End of options marker", T::U8);
    OPT_CTYPE = FieldDef::new("coap.opt.ctype", "Content-type", T::String);
    OPT_MAX_AGE = FieldDef::new("coap.opt.max_age", "Max-age", T::U32);
    OPT_PROXY_URI = FieldDef::new("coap.opt.proxy_uri", "Proxy-Uri", T::String);
    OPT_PROXY_SCHEME = FieldDef::new("coap.opt.proxy_scheme", "Proxy-Scheme", T::String);
    OPT_SIZE1 = FieldDef::new("coap.opt.size1", "Size1", T::U32);
    OPT_ETAG = FieldDef::new("coap.opt.etag", "Etag", T::Bytes).blurb("Option Etag");
    OPT_URI_HOST = FieldDef::new("coap.opt.uri_host", "Uri-Host", T::String);
    OPT_LOCATION_PATH = FieldDef::new("coap.opt.location_path", "Location-Path", T::String);
    OPT_URI_PORT = FieldDef::new("coap.opt.uri_port", "Uri-Port", T::U16);
    OPT_LOCATION_QUERY = FieldDef::new("coap.opt.location_query", "Location-Query", T::String);
    OSC_RESERVED = FieldDef::flag("coap.opt.object_security_reserved", "Reserved", 8, 0xe0);
    OSC_KID_CONTEXT_PRESENT = FieldDef::flag("coap.opt.object_security_kid_context_present", "Key ID Context Present", 8, 0x10);
    OSC_KID_PRESENT = FieldDef::flag("coap.opt.object_security_kid_present", "Key ID Present", 8, 0x08);
    OSC_PIV_LEN = FieldDef::new("coap.opt.object_security_piv_len", "Partial IV Length", T::U8).mask(0x07);
    OSC_PIV = FieldDef::new("coap.opt.object_security_piv", "Partial IV", T::Bytes);
    OSC_KID_CONTEXT_LEN = FieldDef::new("coap.opt.object_security_kid_context_len", "Key ID Context Length", T::U8);
    OSC_KID_CONTEXT = FieldDef::new("coap.opt.object_security_kid_context", "Key ID Context", T::Bytes);
    OSC_KID = FieldDef::new("coap.opt.object_security_kid", "Key ID", T::Bytes);
    OPT_URI_PATH = FieldDef::new("coap.opt.uri_path", "Uri-Path", T::String);
    OPT_URI_PATH_RECON = FieldDef::new("coap.opt.uri_path_recon", "Uri-Path", T::String);
    OPT_OBSERVE = FieldDef::new("coap.opt.observe", "Observe", T::U32);
    OPT_HOP_LIMIT = FieldDef::new("coap.opt.hop_limit", "Hop Limit", T::U8);
    OPT_ACCEPT = FieldDef::new("coap.opt.accept", "Accept", T::String);
    OPT_IF_MATCH = FieldDef::new("coap.opt.if_match", "If-Match", T::Bytes);
    OPT_BLOCK_NUMBER = FieldDef::new("coap.opt.block_number", "Block Number", T::U32);
    OPT_BLOCK_MFLAG = FieldDef::new("coap.opt.block_mflag", "More Flag", T::U8).mask(0x08);
    OPT_BLOCK_SIZE = FieldDef::new("coap.opt.block_size", "Encoded Block Size", T::U8).mask(0x07);
    OPT_URI_QUERY = FieldDef::new("coap.opt.uri_query", "Uri-Query", T::String);
    OPT_UNKNOWN = FieldDef::new("coap.opt.unknown", "Unknown", T::Bytes);
    // lowshark: options tshark 4.0 does not decode.
    OPT_SIZE2 = FieldDef::new("coap.opt.size2", "Size2", T::U32);
    OPT_ECHO = FieldDef::new("coap.opt.echo", "Echo", T::Bytes);
    OPT_NO_RESPONSE = FieldDef::new("coap.opt.no_response", "No-Response", T::U8).hex();
    OPT_REQUEST_TAG = FieldDef::new("coap.opt.request_tag", "Request-Tag", T::Bytes);
    OPT_CRITICAL = FieldDef::new("coap.opt.critical", "Critical", T::Bool);
    OPT_UNSAFE = FieldDef::new("coap.opt.unsafe", "Unsafe", T::Bool);
    OPT_NO_CACHE_KEY = FieldDef::new("coap.opt.no_cache_key", "NoCacheKey", T::Bool);
    OPT_MAX_MESSAGE_SIZE = FieldDef::new("coap.opt.max_message_size", "Max-Message-Size", T::U32);
    OPT_BLOCK_WISE_TRANSFER = FieldDef::new("coap.opt.block_wise_transfer", "Block-Wise-Transfer", T::None);
    OPT_EXTENDED_TOKEN_LENGTH = FieldDef::new("coap.opt.extended_token_length", "Extended-Token-Length", T::U32);
    OPT_CUSTODY = FieldDef::new("coap.opt.custody", "Custody", T::None);
    OPT_ALTERNATIVE_ADDRESS = FieldDef::new("coap.opt.alternative_address", "Alternative-Address", T::String);
    OPT_HOLD_OFF = FieldDef::new("coap.opt.hold_off", "Hold-Off", T::U32);
    OPT_BAD_CSM_OPTION = FieldDef::new("coap.opt.bad_csm_option", "Bad-CSM-Option", T::U32);
    // lowshark: Observe state.
    OBSERVE_REGISTERED_IN = FieldDef::new("coap.observe.registered_in", "Observation registered in", T::FrameNum);
    OBSERVE_NOTIFICATION = FieldDef::new("coap.observe.notification", "Notification number", T::U32);
    OBSERVE_DEREGISTERED = FieldDef::new("coap.observe.deregistered", "Deregisters the observation registered in", T::FrameNum);
    // lowshark: decoded payloads (payload.rs).
    PAYLOAD_LINK = FieldDef::new("coap.payload.link", "Link", T::String);
    PAYLOAD_LINK_TARGET = FieldDef::new("coap.payload.link.target", "Target", T::String);
    PAYLOAD_LINK_PARAM = FieldDef::new("coap.payload.link.param", "Parameter", T::String);
    PAYLOAD_SENML_RECORD = FieldDef::new("coap.payload.senml.record", "SenML record", T::String);
    PAYLOAD_SENML_NAME = FieldDef::new("coap.payload.senml.name", "Name", T::String);
    PAYLOAD_SENML_UNIT = FieldDef::new("coap.payload.senml.unit", "Unit", T::String);
    PAYLOAD_SENML_VALUE = FieldDef::new("coap.payload.senml.value", "Value", T::String);
    PAYLOAD_SENML_TIME = FieldDef::new("coap.payload.senml.time", "Time", T::Double);
}

crate::experts! {
    RETRANSMITTED = ExpertDef::new("coap.retransmitted", Group::Sequence, Severity::Note, "Retransmitted");
    UNKNOWN_OPTION_NUMBER = ExpertDef::new("coap.unknown_option_number", Group::Undecoded, Severity::Warn, "Unknown Option Number");
    INVALID_OPTION_NUMBER = ExpertDef::new("coap.invalid_option_number", Group::Malformed, Severity::Warn, "Invalid Option Number");
    INVALID_OPTION_RANGE = ExpertDef::new("coap.invalid_option_range", Group::Malformed, Severity::Warn, "Invalid Option Range");
    OPTION_LENGTH_BAD = ExpertDef::new("coap.option_length_bad", Group::Malformed, Severity::Warn, "Option length bad");
    OSCORE_BAD = ExpertDef::new("coap.option_oscore_bad", Group::Malformed, Severity::Warn, "Invalid OSCORE Option Format");
    TOKEN_LEN_RESERVED = ExpertDef::new("coap.token_len.reserved", Group::Malformed, Severity::Warn, "Reserved token length (9-15)");
    PAYLOAD_MARKER_EMPTY = ExpertDef::new("coap.payload_marker_empty", Group::Malformed, Severity::Warn, "Payload marker followed by a zero-length payload");
    TCP_INCOMPLETE = ExpertDef::new("coap.tcp.incomplete", Group::Reassemble, Severity::Note, "CoAP over TCP message continues in a later segment");
    PAYLOAD_UNDECODABLE = ExpertDef::new("coap.payload.undecodable", Group::Malformed, Severity::Warn, "Payload does not parse as its Content-Format");
    OBSERVE_REORDERED = ExpertDef::new("coap.observe.reordered", Group::Sequence, Severity::Note, "Notification older than one already seen (RFC 7641 section 3.4)");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "coap",
    short_name: "CoAP",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[PrefDef {
        name: "coap.heuristic",
        description: "Try to find CoAP in UDP payloads on any port (off by default: UDP payloads \
                      that merely look like CoAP are common)",
        default: "FALSE",
    }],
    dissect,
    register,
};

fn register(r: &mut Registry) {
    r.add(tables::UDP_PORT, 5683, &PROTOCOL);
    r.add(tables::TCP_PORT, 5683, &PROTOCOL);
    r.add_heuristic(tables::UDP_HEUR, &PROTOCOL, heuristic);
}

/// The UDP heuristic, only when `coap.heuristic` is on: version 1, a sane token length and code,
/// and options that parse to the end of the datagram.
fn heuristic(tvb: &Tvb, cx: &Cx) -> bool {
    let on = cx.prefs.bool("coap.heuristic", false)
        || cx.registry.heuristic_setting("coap") == Some(true);
    if !on {
        return false;
    }
    looks_like_coap(tvb.data())
}

/// Structural check used by the heuristic.
pub fn looks_like_coap(d: &[u8]) -> bool {
    let (Some(&b0), Some(&code)) = (d.first(), d.get(1)) else {
        return false;
    };
    if d.len() < 4 || b0 >> 6 != 1 || b0 & 0x0f > 8 {
        return false;
    }
    let class = code >> 5;
    if !(class == 0 && code <= 7 || (2..=5).contains(&class)) {
        return false;
    }
    if code == 0 && d.len() != 4 {
        return false;
    }
    let mut off = 4 + (b0 & 0x0f) as usize;
    if off > d.len() {
        return false;
    }
    while off < d.len() {
        match parse_option_header(&d[off..]) {
            OptHeader::End => return d.len() > off + 1,
            OptHeader::Opt { hdr_len, len, .. } => {
                off = match off.checked_add(hdr_len).and_then(|o| o.checked_add(len)) {
                    Some(o) if o <= d.len() => o,
                    _ => return false,
                }
            }
            _ => return false,
        }
    }
    true
}

/// How one option header parses.
#[derive(Debug, PartialEq, Eq)]
pub enum OptHeader {
    /// The payload marker 0xFF.
    End,
    Opt {
        delta: u32,
        len: usize,
        /// Header bytes: 1 plus extended delta and length.
        hdr_len: usize,
        delta_ext: Option<(usize, u16)>,
        len_ext: Option<(usize, u16)>,
    },
    /// A nibble of 15 that is not the marker (RFC 7252 §3.1: message format error).
    ReservedDelta,
    ReservedLength,
    Short,
}

/// Parses an option header at the start of `d`.
pub fn parse_option_header(d: &[u8]) -> OptHeader {
    let Some(&b) = d.first() else {
        return OptHeader::Short;
    };
    if b == 0xff {
        return OptHeader::End;
    }
    let mut off = 1usize;
    // Outer None: too short; inner None: the reserved nibble 15.
    type Ext = Option<Option<(u32, Option<(usize, u16)>)>>;
    let ext = |nib: u8, off: &mut usize| -> Ext {
        match nib {
            13 => {
                let v = *d.get(*off)?;
                let r = (13 + v as u32, Some((*off, v as u16)));
                *off += 1;
                Some(Some(r))
            }
            14 => {
                let v = u16::from_be_bytes([*d.get(*off)?, *d.get(*off + 1)?]);
                let r = (269 + v as u32, Some((*off, v)));
                *off += 2;
                Some(Some(r))
            }
            15 => Some(None),
            n => Some(Some((n as u32, None))),
        }
    };
    let Some(d_res) = ext(b >> 4, &mut off) else {
        return OptHeader::Short;
    };
    let Some((delta, delta_ext)) = d_res else {
        return OptHeader::ReservedDelta;
    };
    let Some(l_res) = ext(b & 0x0f, &mut off) else {
        return OptHeader::Short;
    };
    let Some((len, len_ext)) = l_res else {
        return OptHeader::ReservedLength;
    };
    OptHeader::Opt {
        delta,
        len: len as usize,
        hdr_len: off,
        delta_ext,
        len_ext,
    }
}

/// RFC 8323 §3.2: the size of the CoAP-over-TCP message at the start of `data` (length byte,
/// extended length, code, token, options and payload), or None while the bytes seen so far do
/// not even hold the extended length. TCP reassembly asks for `n - data.len()` more bytes when
/// `Some(n)` exceeds what it has.
pub fn tcp_pdu_len(data: &[u8]) -> Option<usize> {
    let b0 = *data.first()?;
    let (len, ext): (u64, usize) = match b0 >> 4 {
        13 => (13 + *data.get(1)? as u64, 1),
        14 => (
            269 + u16::from_be_bytes([*data.get(1)?, *data.get(2)?]) as u64,
            2,
        ),
        15 => (
            65805
                + u32::from_be_bytes([*data.get(1)?, *data.get(2)?, *data.get(3)?, *data.get(4)?])
                    as u64,
            4,
        ),
        n => (n as u64, 0),
    };
    let total = len + 1 + ext as u64 + 1 + (b0 & 0x0f) as u64;
    usize::try_from(total).ok()
}

/// The unsigned integer option format (RFC 7252 §3.2), as tshark reads it: 0-4 bytes, longer
/// values read as all ones.
pub fn opt_uint(b: &[u8]) -> u32 {
    if b.len() > 4 {
        return u32::MAX;
    }
    b.iter().fold(0u32, |a, &x| (a << 8) | x as u32)
}

/// Name of a Content-Format as tshark spells it.
pub fn ctype_name(v: u32) -> String {
    match coap_payload::media_type(v) {
        Some(s) => s.to_string(),
        None => format!("Unknown Type {v}"),
    }
}

/// A Block1/Block2 (or Q-Block) option's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockOpt {
    /// 1 or 2.
    pub kind: u8,
    pub num: u32,
    pub more: bool,
    pub szx: u8,
}

/// What the options of one message said, for the payload and the transaction tracker.
#[derive(Default, Debug)]
pub struct MsgInfo {
    pub ctype: Option<u32>,
    pub block1: Option<BlockOpt>,
    pub block2: Option<BlockOpt>,
    pub observe: Option<u32>,
    pub uri: String,
    pub query: String,
    pub oscore: bool,
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    if cx.info.transport == 6 {
        return dissect_tcp(tvb, cx, parent);
    }
    dissect_message(tvb, cx, parent, false)
}

/// CoAP over TCP: every complete message in the segment; an incomplete tail is noted.
///
/// Once TCP reassembly (branch `tcpapps`) exists, it should drive this the way tshark's
/// `tcp_dissect_pdus` does: at each message start call [`tcp_pdu_len`]; `None` means "one more
/// segment" (the extended length is cut), `Some(n)` with `n` past the data means "n bytes in
/// all"; hand each complete message to `dissect_message(.., is_tcp = true)` (a reassembled
/// message arrives as its own data source). The incomplete-tail branch below then only fires
/// when reassembly is off (`tcp.desegment_tcp_streams: FALSE`).
fn dissect_tcp(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let mut off = 0usize;
    let mut first = true;
    // tshark clears the TCP summary: the Info column lists the CoAP messages.
    cx.set_info("");
    while off < tvb.len() {
        let rest = tvb.rest(off)?;
        match tcp_pdu_len(rest) {
            Some(n) if n <= rest.len() => {
                let sub = tvb.sub(off, n)?;
                if first {
                    dissect_message(&sub, cx, parent, true)?;
                } else {
                    // Later messages of the segment fail on their own, as separate PDUs do.
                    cx.call(&PROTOCOL_TCP_PDU, &sub, parent);
                }
                off += n;
                first = false;
            }
            need => {
                let node = cx.add_proto(parent, &PROTOCOL, tvb.range(off, rest.len()));
                let msg = match need {
                    Some(n) => format!(
                        "CoAP over TCP message of {n} bytes, {} in this segment: needs TCP reassembly",
                        rest.len()
                    ),
                    None => "CoAP over TCP message header continues in a later segment".into(),
                };
                cx.set_text(
                    node,
                    "Constrained Application Protocol, [incomplete message]",
                );
                cx.expert(node, &TCP_INCOMPLETE, Some(msg));
                cx.append_info("[CoAP segment of a reassembled PDU]");
                if cx.columns.info.starts_with(' ') {
                    cx.columns.info.remove(0);
                }
                break;
            }
        }
    }
    Ok(())
}

/// The same protocol, for the second and later messages of one TCP segment (so each goes
/// through [`Cx::call`] and a broken one does not hide the others).
static PROTOCOL_TCP_PDU: Protocol = Protocol {
    name: "coap",
    short_name: "CoAP",
    field: &PROTO,
    fields: &[],
    experts: &[],
    prefs: &[],
    dissect: |tvb, cx, parent| dissect_message(tvb, cx, parent, true),
    register: |_| {},
};

/// The fixed part of a message: RFC 7252 §3 over UDP, RFC 8323 §3.2 over TCP.
struct MsgHeader {
    ttype: Option<u8>,
    mid: Option<u16>,
    code: u8,
    tkl: usize,
    /// Offset of the token.
    off: usize,
}

fn dissect_message(tvb: &Tvb, cx: &mut Cx, parent: NodeId, is_tcp: bool) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    let h = if is_tcp {
        tcp_header(tvb, cx, node)?
    } else {
        udp_header(tvb, cx, node)?
    };
    let class = h.code >> 5;
    set_header_texts(cx, node, &h, is_tcp);
    if h.tkl > 8 {
        // RFC 7252 §3: 9-15 are reserved (RFC 8974 gives 13-15 a meaning only after a CSM
        // or similar negotiation, which tshark 4.0 does not know either).
        cx.expert(node, &TOKEN_LEN_RESERVED, None);
    }
    let mut off = h.off;
    let token = if h.tkl > 0 {
        let t = cx.add_bytes(node, &TOKEN, tvb, off, h.tkl)?.to_vec();
        off += h.tkl;
        t
    } else {
        vec![]
    };

    let mut info = MsgInfo::default();
    let (payload_off, options_ok) = dissect_options(tvb, cx, node, off, h.code, &mut info)?;

    // Transactions, retransmissions, Observe: capture-wide state.
    let facts = MsgFacts {
        frame: cx.meta.number,
        ts_ns: cx.meta.ts_ns,
        src: Endpoint(cx.info.net_src, cx.info.src_port),
        dst: Endpoint(cx.info.net_dst, cx.info.dst_port),
        tcp: is_tcp,
        ttype: h.ttype,
        mid: h.mid,
        code: h.code,
        token,
        observe: info.observe,
        uri: info.uri.clone(),
    };
    // A message quoted in an ICMP error was not delivered: it is looked up (its request, the
    // original it copies) but must not change the state.
    let quoted = cx.layers().iter().any(|l| *l == "icmp" || *l == "icmpv6");
    let track = options_ok.then(|| coap_track::track_message(cx, &facts, quoted));
    if let Some(uri) = track.as_ref().and_then(|t| t.uri_from_request.as_ref()) {
        if (2..=5).contains(&class) {
            info.uri = uri.clone();
        }
    }
    if options_ok && payload_off < tvb.len() {
        let payload = tvb.sub_from(payload_off)?;
        let body = Body {
            node,
            parent,
            facts: &facts,
            quoted,
        };
        dissect_body(cx, &payload, &body, &info);
    }
    write_info_tail(cx, node, &facts.token, &info, class);
    if let Some(t) = track {
        coap_track::add_tracking_items(cx, node, class, &t);
    }
    Ok(())
}

/// Version, type, token length, code and Message ID (RFC 7252 §3).
fn udp_header(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<MsgHeader> {
    let b0 = tvb.u8(0)?;
    let r = tvb.range(0, 1);
    cx.add_bits(node, &[&VERSION, &TYPE, &TOKEN_LEN], r, b0 as u64);
    let code = cx.add_u8(node, &CODE, tvb, 1)?;
    let mid = cx.add_be_u16(node, &MID, tvb, 2)?;
    Ok(MsgHeader {
        ttype: Some((b0 >> 4) & 3),
        mid: Some(mid),
        code,
        tkl: (b0 & 0x0f) as usize,
        off: 4,
    })
}

/// Length (with its extended forms), token length and code (RFC 8323 §3.2).
fn tcp_header(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<MsgHeader> {
    let b0 = tvb.u8(0)?;
    let total = tcp_pdu_len(tvb.data()).ok_or(Error::Short)?;
    let ext = match b0 >> 4 {
        13 => 1,
        14 => 2,
        15 => 4,
        _ => 0,
    };
    cx.add(
        node,
        &LENGTH,
        tvb.range(0, 1 + ext),
        Value::UInt(total as u64),
    );
    cx.add_uint(node, &TOKEN_LEN, tvb.range(0, 1), b0 as u64);
    let code = cx.add_u8(node, &CODE, tvb, 1 + ext)?;
    Ok(MsgHeader {
        ttype: None,
        mid: None,
        code,
        tkl: (b0 & 0x0f) as usize,
        off: 2 + ext,
    })
}

/// The protocol line and the start of the Info column (over TCP, one entry per message).
fn set_header_texts(cx: &mut Cx, node: NodeId, h: &MsgHeader, is_tcp: bool) {
    let code_name = code_name(h.code);
    if is_tcp {
        cx.set_text(
            node,
            format_args!("Constrained Application Protocol, {code_name}"),
        );
        if !cx.columns.info.is_empty() {
            cx.columns.info.push_str(" | ");
        }
        cx.columns.info.push_str(&code_name);
        return;
    }
    let t = h.ttype.unwrap_or(0) as usize;
    let m = h.mid.unwrap_or(0);
    cx.set_text(
        node,
        format_args!(
            "Constrained Application Protocol, {}, {code_name}, MID:{m}",
            TYPES[t].1
        ),
    );
    // Written without `core::fmt`: the column of every message.
    let info = &mut cx.columns.info;
    info.clear();
    info.s(TYPES_SHORT[t])
        .s(", MID:")
        .u(m)
        .s(", ")
        .s(&code_name);
}

/// Where a message's payload goes and what tracking knows about the message.
struct Body<'a> {
    node: NodeId,
    parent: NodeId,
    facts: &'a MsgFacts,
    quoted: bool,
}

/// The payload: one block of a transfer (decoded once the body is complete) or a whole body.
fn dissect_body(cx: &mut Cx, payload: &Tvb, b: &Body, info: &MsgInfo) {
    let class = b.facts.code >> 5;
    // RFC 7959: Block2 carries the response body, Block1 the request body.
    let block = match class {
        0 => info.block1,
        2..=5 => info.block2,
        _ => None,
    }
    .or(info.block1)
    .or(info.block2);
    let Some(block) = block else {
        coap_payload::dissect_payload(payload, cx, b.node, b.parent, class, info);
        return;
    };
    cx.add_with(b.node, &BLOCK_PAYLOAD, payload.whole(), || {
        Value::bytes(payload.data())
    });
    cx.add_generated(b.node, &BLOCK_LENGTH, Value::UInt(payload.len() as u64));
    if b.quoted {
        return;
    }
    if let Some(body) = coap_track::add_block(cx, b.node, b.facts, block, payload.data()) {
        let src = cx.add_source("Reassembled CoAP blocks", body);
        let t = src.tvb();
        coap_payload::dissect_payload(&t, cx, b.node, b.parent, class, info);
    }
}

/// The Info column after the code, as tshark builds it: token, block, URI, query.
fn write_info_tail(cx: &mut Cx, node: NodeId, token: &[u8], info: &MsgInfo, class: u8) {
    if !token.is_empty() {
        cx.columns.info.push_str(", TKN:");
        crate::engine::value::write_spaced_hex(&mut cx.columns.info, token);
    }
    if let Some(b) = info.block2.or(info.block1) {
        let kind = if info.block2.is_some() && info.block1.is_some() {
            // tshark reports the last one parsed (Block1, number 27, comes after Block2).
            info.block1.map(|b| b.kind).unwrap_or(2)
        } else {
            b.kind
        };
        let b = if kind == 1 { info.block1 } else { info.block2 }.unwrap_or(b);
        let m_used = (kind == 1 && class == 0) || (kind == 2 && (2..=5).contains(&class));
        let end = if b.more || !m_used { "" } else { "End of " };
        cx.columns.info.s(", ").s(end).s("Block #").u(b.num);
    }
    if !info.uri.is_empty() {
        cx.columns.info.push_str(", ");
        cx.columns
            .info
            .push_str(&crate::engine::value::escape_text(&info.uri));
        if cx.tree.wants(Some(&OPT_URI_PATH_RECON)) {
            cx.add_generated_with(node, &OPT_URI_PATH_RECON, || Value::str(info.uri.clone()));
        }
    }
    if !info.query.is_empty() {
        let q = crate::engine::value::escape_text(&info.query).into_owned();
        cx.columns.info.push_str(&q);
    }
}

fn code_name(code: u8) -> Cow<'static, str> {
    match crate::engine::field::val_to_str(CODES, code as u64) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(format!("Unknown {code}")),
    }
}

/// The name of option `num` in a message of class `class` (signalling options reuse numbers).
pub fn option_name(num: u32, code: u8) -> Cow<'static, str> {
    if code >> 5 == 7 {
        if let Some(n) = signalling_option_name(num, code) {
            return Cow::Borrowed(n);
        }
    }
    match crate::engine::field::val_to_str(OPTION_NAMES, num as u64) {
        Some(s) => Cow::Borrowed(s),
        None if num.is_multiple_of(14) => Cow::Borrowed("No-Op"),
        None => Cow::Owned(format!("Unknown Option ({num})")),
    }
}

/// RFC 8323 §5 (and RFC 8974 for Extended-Token-Length).
fn signalling_option_name(num: u32, code: u8) -> Option<&'static str> {
    Some(match (code, num) {
        (225, 2) => "Max-Message-Size",
        (225, 4) => "Block-Wise-Transfer",
        (225, 6) => "Extended-Token-Length",
        (226 | 227, 2) => "Custody",
        (228, 2) => "Alternative-Address",
        (228, 4) => "Hold-Off",
        (229, 2) => "Bad-CSM-Option",
        _ => return None,
    })
}

/// Truncates like tshark's fixed-size label buffers (`char buf[n]` keeps n-1 bytes).
pub fn truncate_c(s: &str, buf: usize) -> String {
    let max = buf.saturating_sub(1);
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Dissects the options from `off`; returns where the payload starts and whether the options
/// parsed (tshark stops the whole message at a bad option).
fn dissect_options(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    mut off: usize,
    code: u8,
    info: &mut MsgInfo,
) -> Result<(usize, bool)> {
    let end = tvb.len();
    let mut num: u32 = 0;
    let mut count = 1u32;
    while off < end {
        let d = tvb.rest(off)?;
        match parse_option_header(d) {
            OptHeader::End => {
                let m = cx.add_uint(node, &OPT_END_MARKER, tvb.range(off, 1), 0xff);
                off += 1;
                if off >= end {
                    cx.expert(m, &PAYLOAD_MARKER_EMPTY, None);
                }
                return Ok((off, true));
            }
            OptHeader::ReservedDelta => {
                cx.expert(
                    node,
                    &OPTION_LENGTH_BAD,
                    Some("end-of-options marker found, but option length isn't 15".into()),
                );
                return Ok((end, false));
            }
            OptHeader::ReservedLength => {
                cx.expert(
                    node,
                    &OPTION_LENGTH_BAD,
                    Some("end-of-options marker found, but option delta isn't 15".into()),
                );
                return Ok((end, false));
            }
            OptHeader::Short => return Err(Error::Short),
            OptHeader::Opt {
                delta,
                len,
                hdr_len,
                delta_ext,
                len_ext,
            } => {
                if len > end - off - hdr_len {
                    cx.expert(
                        node,
                        &OPTION_LENGTH_BAD,
                        Some("option longer than the package".into()),
                    );
                    return Ok((end, false));
                }
                num = num.saturating_add(delta);
                let at = OptionAt {
                    off,
                    count,
                    num,
                    hdr_len,
                    len,
                    delta_ext,
                    len_ext,
                };
                dissect_option(tvb, cx, node, &at, code, info)?;
                off += hdr_len + len;
                count += 1;
            }
        }
    }
    Ok((off, true))
}

/// Where one option is and what its header says.
struct OptionAt {
    off: usize,
    /// Its position among the message's options (from 1), for its label.
    count: u32,
    num: u32,
    hdr_len: usize,
    len: usize,
    /// The extended delta and length: offset from `off` and value, when present.
    delta_ext: Option<(usize, u16)>,
    len_ext: Option<(usize, u16)>,
}

fn dissect_option(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    at: &OptionAt,
    code: u8,
    info: &mut MsgInfo,
) -> Result<()> {
    let (off, num, len) = (at.off, at.num, at.len);
    let class = code >> 5;
    let signalling = class == 7 && signalling_option_name(num, code).is_some();
    // The label names the option's node and is its value: made only for a tree that keeps it.
    let label = if cx.tree.wants(Some(&OPT_NAME)) {
        truncate_c(&format!("#{}: {}", at.count, option_name(num, code)), 56)
    } else {
        String::new()
    };
    let whole = tvb.range(off, at.hdr_len + len);
    let opt = cx.add_with(node, &OPT_NAME, whole, || Value::str(label.clone()));
    if !signalling {
        check_option_number(cx, opt, num, len);
    }
    add_option_header(tvb, cx, opt, at)?;
    let voff = off + at.hdr_len;
    let val = tvb.bytes(voff, len)?;
    let v = OptValue {
        opt,
        val,
        vr: tvb.range(voff, len),
        u: opt_uint(val),
        label: cx.tree.wants_text(opt),
    };
    let suffix = if signalling {
        signalling_option(cx, &v, code, num)
    } else {
        option_value(tvb, cx, &v, num, class, voff, info)?
    };
    if num == 5 && !signalling {
        cx.set_text(opt, label);
    } else {
        cx.set_text(opt, format_args!("{label}: {suffix}"));
    }
    Ok(())
}

/// The experts for an option number RFC 7252 §5.10 does not list, or a length outside its
/// range.
fn check_option_number(cx: &mut Cx, opt: NodeId, num: u32, len: usize) {
    match OPTION_RANGES.iter().find(|(n, _, _)| *n == num) {
        None => {
            let (def, what) = if (2048..=65535).contains(&num) {
                (&UNKNOWN_OPTION_NUMBER, "Unknown")
            } else {
                (&INVALID_OPTION_NUMBER, "Invalid")
            };
            cx.expert_with(opt, def, || format!("{what} Option Number {num}"));
        }
        Some(&(_, min, max)) if len < min || len > max => {
            cx.expert_with(opt, &INVALID_OPTION_RANGE, || {
                format!("Invalid Option Range: {len} ({min} < x < {max})")
            });
        }
        _ => {}
    }
}

/// The option's description (its number's class bits) and its header: delta, length and
/// their extended forms.
fn add_option_header(tvb: &Tvb, cx: &mut Cx, opt: NodeId, at: &OptionAt) -> Result<()> {
    let (off, num) = (at.off, at.num);
    let whole = tvb.range(off, at.hdr_len + at.len);
    cx.add_with(opt, &OPT_DESC, whole, || {
        let desc = format!(
            "Type {num}, {}, {}{}",
            if num & 1 != 0 { "Critical" } else { "Elective" },
            if num & 2 != 0 { "Unsafe" } else { "Safe" },
            if num & 0x1e == 0x1c {
                ", NoCacheKey"
            } else {
                ""
            }
        );
        Value::str(truncate_c(&desc, 56))
    });
    let b0 = tvb.u8(off)? as u64;
    cx.add_uint(opt, &OPT_DELTA, tvb.range(off, 1), b0);
    cx.add_uint(opt, &OPT_LENGTH, tvb.range(off, 1), b0);
    // An extended field is one byte after a nibble of 13, two after 14.
    let extended = [
        (at.delta_ext, b0 >> 4, &OPT_DELTA_EXT),
        (at.len_ext, b0 & 0x0f, &OPT_LENGTH_EXT),
    ];
    for (ext, nibble, field) in extended {
        if let Some((o, v)) = ext {
            let w = if nibble == 13 { 1 } else { 2 };
            cx.add(opt, field, tvb.range(off + o, w), Value::UInt(v as u64));
        }
    }
    Ok(())
}

/// One option's value: its node, bytes, range, and the bytes read as an unsigned integer.
#[derive(Clone, Copy)]
struct OptValue<'a> {
    opt: NodeId,
    val: &'a [u8],
    vr: ByteRange,
    u: u32,
    /// The option's label is kept, so its value part is worth formatting.
    label: bool,
}

/// The value part of an option's label, formatted only when the label is kept.
fn label_part(v: &OptValue, text: impl FnOnce() -> String) -> String {
    if v.label {
        text()
    } else {
        String::new()
    }
}

fn text(s: &str) -> String {
    crate::engine::value::escape_text(s).into_owned()
}

/// tshark reads these options as ASCII: bytes above 0x7f become U+FFFD.
fn ascii(b: &[u8]) -> String {
    b.iter()
        .map(|&c| if c < 0x80 { c as char } else { '\u{fffd}' })
        .collect()
}

fn nullstr(s: String) -> String {
    if s.is_empty() {
        "(null)".to_string()
    } else {
        s
    }
}

fn hexstr(b: &[u8]) -> String {
    if b.is_empty() {
        "(null)".to_string()
    } else {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A signalling option of a 7.xx message (RFC 8323 §5.3-5.6); returns the label's value part.
fn signalling_option(cx: &mut Cx, v: &OptValue, code: u8, num: u32) -> String {
    let OptValue {
        opt, val, vr, u, ..
    } = *v;
    match (code, num) {
        (225, 2) => {
            cx.add(opt, &OPT_MAX_MESSAGE_SIZE, vr, Value::UInt(u as u64));
            u.to_string()
        }
        (225, 4) => {
            cx.add(opt, &OPT_BLOCK_WISE_TRANSFER, vr, Value::None);
            "supported".into()
        }
        (225, 6) => {
            cx.add(opt, &OPT_EXTENDED_TOKEN_LENGTH, vr, Value::UInt(u as u64));
            u.to_string()
        }
        (226 | 227, 2) => {
            cx.add(opt, &OPT_CUSTODY, vr, Value::None);
            "requested".into()
        }
        (228, 2) => {
            let s = ascii(val);
            cx.add_with(opt, &OPT_ALTERNATIVE_ADDRESS, vr, || Value::str(s.clone()));
            text(&s)
        }
        (228, 4) => {
            cx.add(opt, &OPT_HOLD_OFF, vr, Value::UInt(u as u64));
            format!("{u} s")
        }
        _ => {
            cx.add(opt, &OPT_BAD_CSM_OPTION, vr, Value::UInt(u as u64));
            u.to_string()
        }
    }
}

/// The value of a request/response option (RFC 7252 §5.10 and the options registered since);
/// returns the label's value part.
fn option_value(
    tvb: &Tvb,
    cx: &mut Cx,
    v: &OptValue,
    num: u32,
    class: u8,
    voff: usize,
    info: &mut MsgInfo,
) -> Result<String> {
    let OptValue {
        opt, val, vr, u, ..
    } = *v;
    let len = val.len();
    Ok(match num {
        12 => {
            info.ctype = Some(u);
            cx.add_with(opt, &OPT_CTYPE, vr, || Value::str(ctype_name(u)));
            label_part(v, || ctype_name(u))
        }
        14 => uint_option(cx, v, &OPT_MAX_AGE),
        35 => string_option(cx, v, &OPT_PROXY_URI),
        39 => string_option(cx, v, &OPT_PROXY_SCHEME),
        8 => string_option(cx, v, &OPT_LOCATION_PATH),
        20 => string_option(cx, v, &OPT_LOCATION_QUERY),
        60 => uint_option(cx, v, &OPT_SIZE1),
        4 => bytes_option(cx, v, &OPT_ETAG),
        1 => bytes_option(cx, v, &OPT_IF_MATCH),
        3 => uri_host(cx, v, info),
        7 => {
            cx.add(opt, &OPT_URI_PORT, vr, Value::UInt(u as u64));
            info.uri.s(":").u(u);
            label_part(v, || u.to_string())
        }
        9 => {
            info.oscore = true;
            dissect_oscore(tvb, cx, opt, voff, len)?
        }
        11 => {
            let s = ascii(val);
            info.uri.push('/');
            info.uri.push_str(&s);
            cx.add_with(opt, &OPT_URI_PATH, vr, || Value::str(s.clone()));
            label_part(v, || nullstr(text(&s)))
        }
        15 => uri_query(cx, v, info),
        6 => observe(cx, v, class, info),
        16 => {
            cx.add(opt, &OPT_HOP_LIMIT, vr, Value::UInt(u as u64 & 0xff));
            label_part(v, || u.to_string())
        }
        17 => {
            let s = if val.is_empty() {
                "(null)".to_string()
            } else {
                ctype_name(u)
            };
            cx.add_with(opt, &OPT_ACCEPT, vr, || Value::str(s.clone()));
            s
        }
        23 | 27 | 19 | 31 => block_option(tvb, cx, v, num, voff, info),
        5 => String::new(),
        28 => {
            // tshark 4.0 files Size2 under the block size field (masked to 3 bits); keep that
            // for filter compatibility and give the real value its own field.
            cx.add_uint(opt, &OPT_BLOCK_SIZE, vr, u as u64);
            cx.add(opt, &OPT_SIZE2, vr, Value::UInt(u as u64));
            label_part(v, || u.to_string())
        }
        252 => bytes_option(cx, v, &OPT_ECHO),
        258 => {
            cx.add(opt, &OPT_NO_RESPONSE, vr, Value::UInt(u as u64 & 0xff));
            no_response_text(u)
        }
        292 => bytes_option(cx, v, &OPT_REQUEST_TAG),
        _ => {
            cx.add_generated(opt, &OPT_CRITICAL, Value::Bool(num & 1 != 0));
            cx.add_generated(opt, &OPT_UNSAFE, Value::Bool(num & 2 != 0));
            cx.add_generated(opt, &OPT_NO_CACHE_KEY, Value::Bool(num & 0x1e == 0x1c));
            cx.add_with(opt, &OPT_UNKNOWN, vr, || Value::bytes(val));
            hexstr(val)
        }
    })
}

/// An unsigned-integer option; returns its value for the label.
fn uint_option(cx: &mut Cx, v: &OptValue, f: &'static FieldDef) -> String {
    cx.add(v.opt, f, v.vr, Value::UInt(v.u as u64));
    label_part(v, || v.u.to_string())
}

/// A string option; returns it (escaped, or "(null)") for the label.
fn string_option(cx: &mut Cx, v: &OptValue, f: &'static FieldDef) -> String {
    let val = v.val;
    cx.add_with(v.opt, f, v.vr, || Value::str(ascii(val)));
    label_part(v, || nullstr(text(&ascii(val))))
}

/// An opaque option; returns it in hex for the label.
fn bytes_option(cx: &mut Cx, v: &OptValue, f: &'static FieldDef) -> String {
    let val = v.val;
    cx.add_with(v.opt, f, v.vr, || Value::bytes(val));
    label_part(v, || hexstr(val))
}

/// Uri-Host (RFC 7252 §5.10.1), which also starts the URI shown for the request.
fn uri_host(cx: &mut Cx, v: &OptValue, info: &mut MsgInfo) -> String {
    let OptValue { opt, val, vr, .. } = *v;
    let s = ascii(val);
    cx.add_with(opt, &OPT_URI_HOST, vr, || Value::str(s.clone()));
    if s.contains(':') {
        info.uri.s("coap://[").s(&s).s("]");
    } else {
        info.uri.s("coap://").s(&s);
    }
    label_part(v, || text(&s))
}

/// Uri-Query (RFC 7252 §5.10.1), appended to the request's query.
fn uri_query(cx: &mut Cx, v: &OptValue, info: &mut MsgInfo) -> String {
    let OptValue { opt, val, vr, .. } = *v;
    let s = ascii(val);
    info.query
        .push(if info.query.is_empty() { '?' } else { '&' });
    info.query.push_str(&s);
    cx.add_with(opt, &OPT_URI_QUERY, vr, || Value::str(s.clone()));
    label_part(v, || nullstr(text(&s)))
}

/// Observe (RFC 7641 §2): register/deregister in requests, a sequence number otherwise.
fn observe(cx: &mut Cx, v: &OptValue, class: u8, info: &mut MsgInfo) -> String {
    let OptValue { opt, vr, u, .. } = *v;
    info.observe = Some(u);
    cx.add(opt, &OPT_OBSERVE, vr, Value::UInt(u as u64));
    if !v.label {
        return String::new();
    }
    if class == 0 {
        match u {
            0 => "0 (Register)".into(),
            1 => "1 (Deregister)".into(),
            _ => u.to_string(),
        }
    } else {
        u.to_string()
    }
}

/// Block1/Block2 (RFC 7959 §2.2) and Q-Block1/Q-Block2 (RFC 9177 §4).
fn block_option(
    tvb: &Tvb,
    cx: &mut Cx,
    v: &OptValue,
    num: u32,
    voff: usize,
    info: &mut MsgInfo,
) -> String {
    let OptValue {
        opt, val, vr, u, ..
    } = *v;
    let len = val.len();
    let num_v = if val.is_empty() { 0 } else { u >> 4 };
    let last = val.last().copied().unwrap_or(0) & 0x0f;
    cx.add(opt, &OPT_BLOCK_NUMBER, vr, Value::UInt(num_v as u64));
    let lr = if val.is_empty() {
        tvb.range(voff, 0)
    } else {
        tvb.range(voff + len - 1, 1)
    };
    cx.add_uint(opt, &OPT_BLOCK_MFLAG, lr, last as u64);
    let szx = last & 7;
    let n = cx.add_uint(opt, &OPT_BLOCK_SIZE, lr, szx as u64);
    // format_args! evaluates its arguments at once: the bit pattern only for a kept label.
    if cx.tree.wants_text(n) {
        cx.set_text(
            n,
            format_args!(
                "{}Block Size: {} ({szx} encoded)",
                bit_prefix(&OPT_BLOCK_SIZE, szx as u64),
                1u32 << (szx + 4)
            ),
        );
    }
    let b = BlockOpt {
        kind: if num == 27 || num == 19 { 1 } else { 2 },
        num: num_v,
        more: last & 8 != 0,
        szx,
    };
    // Q-Block options are shown like Block options but do not drive the
    // sequential reassembly (RFC 9177 sends blocks out of order, unacknowledged).
    if num == 27 {
        info.block1 = Some(b);
    } else if num == 23 {
        info.block2 = Some(b);
    }
    label_part(v, || {
        format!(
            "NUM:{}, M:{}, SZX:{}",
            num_v,
            (last & 8) >> 3,
            1u32 << (szx + 4)
        )
    })
}

/// RFC 7967 §2: the classes of responses the client is not interested in.
fn no_response_text(u: u32) -> String {
    let mut v = vec![];
    if u & 0x02 != 0 {
        v.push("2.xx");
    }
    if u & 0x08 != 0 {
        v.push("4.xx");
    }
    if u & 0x10 != 0 {
        v.push("5.xx");
    }
    if v.is_empty() {
        "interested in all responses".into()
    } else {
        format!("not interested in {}", v.join(", "))
    }
}

fn bit_prefix(f: &FieldDef, v: u64) -> String {
    let mut s = String::new();
    crate::engine::value::write_bit_pattern(&mut s, f, v);
    s
}

/// RFC 8613 §6.1: flag byte (reserved, h, k, n), Partial IV, kid context, kid.
fn dissect_oscore(tvb: &Tvb, cx: &mut Cx, opt: NodeId, off: usize, len: usize) -> Result<String> {
    if len == 0 {
        return Ok("00 (no Flag Byte)".into());
    }
    let flags = tvb.u8(off)?;
    let r = tvb.range(off, 1);
    cx.add_bits(
        opt,
        &[
            &OSC_RESERVED,
            &OSC_KID_CONTEXT_PRESENT,
            &OSC_KID_PRESENT,
            &OSC_PIV_LEN,
        ],
        r,
        flags as u64,
    );
    if flags & 0xe0 != 0 {
        cx.expert(opt, &OSCORE_BAD, Some("Unsupported format".into()));
    }
    let end = off + len;
    let mut o = off + 1;
    let piv_len = (flags & 7) as usize;
    let hex = |b: &[u8]| crate::engine::value::hex_string(b);
    let mut piv = None;
    let mut kid_ctx = None;
    let mut kid = None;
    let bad = |cx: &mut Cx| {
        cx.expert(
            opt,
            &OSCORE_BAD,
            Some("OSCORE option fields run past the option".into()),
        );
    };
    if piv_len > 0 {
        if o + piv_len > end {
            bad(cx);
            return Ok("(truncated)".into());
        }
        piv = Some(hex(cx.add_bytes(opt, &OSC_PIV, tvb, o, piv_len)?));
        o += piv_len;
    }
    if flags & 0x10 != 0 {
        if o >= end {
            bad(cx);
            return Ok("(truncated)".into());
        }
        let l = cx.add_u8(opt, &OSC_KID_CONTEXT_LEN, tvb, o)? as usize;
        o += 1;
        if o + l > end {
            bad(cx);
            return Ok("(truncated)".into());
        }
        kid_ctx = Some(hex(cx.add_bytes(opt, &OSC_KID_CONTEXT, tvb, o, l)?));
        o += l;
    }
    if flags & 0x08 != 0 {
        kid = Some(hex(cx.add_bytes(opt, &OSC_KID, tvb, o, end - o)?));
    }
    let n = |s: Option<String>| s.unwrap_or_else(|| "(null)".into());
    Ok(format!(
        "Key ID:{}, Key ID Context:{}, Partial IV:{}",
        n(kid),
        n(kid_ctx),
        n(piv)
    ))
}

/// Used by tests and the stats code: the range helper for generated items.
pub fn no_range() -> ByteRange {
    ByteRange::default()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::engine::{Engine, FrameMeta};
    use crate::testutil::{assert_truncations_are_malformed, dissect_one, TestPacket};

    /// Raw IPv4 (link type 228) / UDP from 10.0.0.1:`sport` to 10.0.0.2:`dport`.
    pub fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        ip(17, 10, 1, 2, {
            let mut u = vec![];
            u.extend_from_slice(&sport.to_be_bytes());
            u.extend_from_slice(&dport.to_be_bytes());
            u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
            u.extend_from_slice(&[0, 0]);
            u.extend_from_slice(payload);
            u
        })
    }

    /// The reply direction of [`udp`].
    pub fn udp_back(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = udp(sport, dport, payload);
        f[12..16].copy_from_slice(&[10, 0, 0, 2]);
        f[16..20].copy_from_slice(&[10, 0, 0, 1]);
        f
    }

    fn ip(proto: u8, _ttl: u8, a: u8, b: u8, body: Vec<u8>) -> Vec<u8> {
        let mut f = vec![
            0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, a, 10, 0, 0, b,
        ];
        let total = (20 + body.len()) as u16;
        f[2..4].copy_from_slice(&total.to_be_bytes());
        f.extend_from_slice(&body);
        f
    }

    /// Raw IPv4 / TCP (PSH, ACK) from port 40000 to 5683.
    pub fn tcp(payload: &[u8]) -> Vec<u8> {
        let mut t = vec![
            0x9c, 0x40, 0x16, 0x33, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x01, 0x00, 0, 0, 0, 0,
        ];
        t.extend_from_slice(payload);
        ip(6, 64, 1, 2, t)
    }

    fn coap(payload: &[u8]) -> TestPacket {
        dissect_one(228, &udp(40000, 5683, payload))
    }

    /// Dissects frames in order with one engine, numbering them from 1, 1 ms apart.
    pub fn run(frames: &[Vec<u8>]) -> (Engine, Vec<TestPacket>) {
        let mut e = Engine::with_defaults();
        let mut out = vec![];
        for (i, f) in frames.iter().enumerate() {
            let meta = FrameMeta {
                number: i as u64 + 1,
                ts_ns: i as i64 * 1_000_000,
                orig_len: f.len() as u32,
                link_type: 228,
                ..Default::default()
            };
            out.push(TestPacket {
                packet: e.dissect(meta, f),
            });
        }
        (e, out)
    }

    /// RFC 7252 Appendix A, Figure 16/17: GET /temperature and its piggybacked response.
    const GET_TEMPERATURE: &[u8] = b"\x41\x01\x7d\x34\x20\xbbtemperature";
    const CONTENT_22_3: &[u8] = b"\x61\x45\x7d\x34\x20\xff22.3 C";

    #[test]
    fn rfc7252_get_and_piggybacked_response() {
        let (_, p) = run(&[
            udp(40000, 5683, GET_TEMPERATURE),
            udp_back(5683, 40000, CONTENT_22_3),
        ]);
        let req = &p[0];
        assert_eq!(req.show("coap.version"), ["1"]);
        assert_eq!(req.show("coap.type"), ["0"]);
        assert_eq!(req.show("coap.token_len"), ["1"]);
        assert_eq!(req.show("coap.code"), ["1"]);
        assert_eq!(req.show("coap.mid"), ["32052"]);
        assert_eq!(req.show("coap.token"), ["20"]);
        assert_eq!(req.show("coap.opt.name"), ["#1: Uri-Path"]);
        assert_eq!(req.show("coap.opt.desc"), ["Type 11, Critical, Unsafe"]);
        assert_eq!(req.show("coap.opt.delta"), ["11"]);
        assert_eq!(req.show("coap.opt.length"), ["11"]);
        assert_eq!(req.show("coap.opt.uri_path"), ["temperature"]);
        assert_eq!(req.show("coap.opt.uri_path_recon"), ["/temperature"]);
        assert_eq!(req.info(), "CON, MID:32052, GET, TKN:20, /temperature");
        let rsp = &p[1];
        assert_eq!(rsp.show("coap.type"), ["2"]);
        assert_eq!(rsp.show("coap.code"), ["69"]);
        assert_eq!(rsp.show("coap.opt.end_marker"), ["255"]);
        assert_eq!(
            rsp.show("coap.payload"),
            ["Payload Content-Format: application/octet-stream (no Content-Format), Length: 6"]
        );
        assert_eq!(rsp.show("coap.payload_length"), ["6"]);
        assert_eq!(rsp.show("coap.opt.uri_path_recon"), ["/temperature"]);
        assert_eq!(rsp.show("coap.response_to"), ["1"]);
        assert_eq!(rsp.show("coap.response_time"), ["0.001000000"]);
        assert!(rsp.has("data.data"));
        assert_eq!(
            rsp.info(),
            "ACK, MID:32052, 2.05 Content, TKN:20, /temperature"
        );
    }

    #[test]
    fn empty_message_ping_and_reset() {
        let p = coap(&[0x40, 0x00, 0x12, 0x34]);
        assert_eq!(p.show("coap.code"), ["0"]);
        assert_eq!(p.info(), "CON, MID:4660, Empty Message");
        assert!(!p.has("coap.token"));
        let p = coap(&[0x70, 0x00, 0x12, 0x34]);
        assert_eq!(p.show("coap.type"), ["3"]);
        assert!(!p.packet.is_malformed());
    }

    #[test]
    fn extended_deltas_and_lengths() {
        // Option 300 (delta 14: 269 + 31) with a 13+2 = 15 byte value, then option 301 with a
        // 269+1 = 270 byte value (length 14), then Size1 (60)? no: deltas only grow, so the last
        // option is 301 + 13 + 0 = 314 (delta 13, ext 0) with an empty value.
        let mut m = vec![0x40, 0x02, 0, 1];
        m.extend_from_slice(&[0xed, 0x00, 31, 2]);
        m.extend_from_slice(&[b'a'; 15]);
        m.extend_from_slice(&[0x1e, 0x00, 0x01]);
        m.extend_from_slice(&[b'b'; 270]);
        m.extend_from_slice(&[0xd0, 0x00]);
        let p = coap(&m);
        assert_eq!(
            p.show("coap.opt.name"),
            [
                "#1: Unknown Option (300)",
                "#2: Unknown Option (301)",
                "#3: Unknown Option (314)"
            ]
        );
        assert_eq!(p.show("coap.opt.delta"), ["14", "1", "13"]);
        assert_eq!(p.show("coap.opt.delta_ext"), ["31", "0"]);
        assert_eq!(p.show("coap.opt.length"), ["13", "14", "0"]);
        assert_eq!(p.show("coap.opt.length_ext"), ["2", "1"]);
        assert_eq!(p.show("coap.opt.desc")[1], "Type 301, Critical, Safe");
        assert_eq!(p.show("coap.opt.critical"), ["0", "1", "0"]);
        assert_eq!(p.show("coap.opt.unsafe"), ["0", "0", "1"]);
        assert!(p.has("coap.invalid_option_number"));
        assert!(!p.packet.is_malformed());
        // A NoCacheKey option number (RFC 7252 §5.4.6): 0x1c pattern, e.g. 284 = 0b1_0001_1100.
        let p = coap(&[0x40, 0x01, 0, 1, 0xe0, 0x00, 15]);
        assert_eq!(
            p.show("coap.opt.desc"),
            ["Type 284, Elective, Safe, NoCacheKey"]
        );
        assert_eq!(p.show("coap.opt.no_cache_key"), ["1"]);
    }

    #[test]
    fn registered_options_by_name_and_format() {
        let mut m = vec![0x44, 0x03, 0x00, 0x07, 1, 2, 3, 4];
        m.extend_from_slice(&[0x12, 0xab, 0xcd]); // 1 If-Match
        m.extend_from_slice(b"\x29ex.org:1x"); // 3 Uri-Host "ex.org:1x" (has a colon)
        m.extend_from_slice(&[0x11, 0x77]); // 4 ETag
        m.extend_from_slice(&[0x10]); // 5 If-None-Match
        m.extend_from_slice(&[0x22, 0x16, 0x34]); // 7 Uri-Port 5684
        m.extend_from_slice(&[0x20]); // 9 OSCORE, empty
        m.extend_from_slice(b"\x21a"); // 11 Uri-Path "a"
        m.extend_from_slice(&[0x11, 50]); // 12 Content-Format json
        m.extend_from_slice(&[0x21, 60]); // 14 Max-Age 60
        m.extend_from_slice(b"\x13k=v"); // 15 Uri-Query
        m.extend_from_slice(&[0x11, 8]); // 16 Hop-Limit
        m.extend_from_slice(&[0x11, 60]); // 17 Accept cbor
        m.extend_from_slice(&[0x61, 0x22]); // 23 Block2 2/0/64
        m.extend_from_slice(&[0x41, 0x18]); // 27 Block1 1/1/16
        m.extend_from_slice(&[0x12, 0x04, 0x00]); // 28 Size2 1024
        m.extend_from_slice(b"\x73coa"); // 35 Proxy-Uri
        m.extend_from_slice(b"\x44coap"); // 39 Proxy-Scheme
        m.extend_from_slice(&[0xd2, 8, 0x01, 0x00]); // 60 Size1 256
        m.extend_from_slice(&[0xd2, 179, 0xca, 0xfe]); // 252 Echo
        m.extend_from_slice(&[0x61, 0x1a]); // 258 No-Response
        m.extend_from_slice(&[0xd1, 21, 0x99]); // 292 Request-Tag
        let p = coap(&m);
        let names = p.show("coap.opt.name");
        assert_eq!(names.len(), 21, "{names:?}");
        assert_eq!(names[0], "#1: If-Match");
        assert_eq!(names[20], "#21: Request-Tag");
        assert_eq!(p.show("coap.opt.if_match"), ["ab:cd"]);
        assert_eq!(p.show("coap.opt.uri_host"), ["ex.org:1x"]);
        assert_eq!(p.show("coap.opt.etag"), ["77"]);
        assert_eq!(p.show("coap.opt.uri_port"), ["5684"]);
        assert_eq!(p.show("coap.opt.ctype"), ["application/json"]);
        assert_eq!(p.show("coap.opt.max_age"), ["60"]);
        assert_eq!(p.show("coap.opt.uri_query"), ["k=v"]);
        assert_eq!(p.show("coap.opt.hop_limit"), ["8"]);
        assert_eq!(p.show("coap.opt.accept"), ["application/cbor"]);
        assert_eq!(p.show("coap.opt.block_number"), ["2", "1"]);
        assert_eq!(p.show("coap.opt.block_mflag"), ["0", "1"]);
        assert_eq!(p.show("coap.opt.size2"), ["1024"]);
        assert_eq!(p.show("coap.opt.proxy_uri"), ["coa"]);
        assert_eq!(p.show("coap.opt.proxy_scheme"), ["coap"]);
        assert_eq!(p.show("coap.opt.size1"), ["256"]);
        assert_eq!(p.show("coap.opt.echo"), ["ca:fe"]);
        assert_eq!(p.show("coap.opt.no_response"), ["0x1a"]);
        assert_eq!(p.show("coap.opt.request_tag"), ["99"]);
        assert_eq!(
            p.show("coap.opt.uri_path_recon"),
            ["coap://[ex.org:1x]:5684/a"]
        );
        assert!(!p.has("coap.invalid_option_number"));
        assert!(
            p.info()
                .ends_with(", Block #1, coap://[ex.org:1x]:5684/a?k=v"),
            "{}",
            p.info()
        );
    }

    #[test]
    fn oscore_option_fields() {
        // RFC 8613 §C.4-ish: flags 0x19 (k, h? no: kid present + piv len 1) = 0b0000_1001.
        let m = [0x42, 0x02, 0, 1, 0xaa, 0xbb, 0x93, 0x09, 0x14, 0x00];
        let p = coap(&m);
        assert_eq!(p.show("coap.opt.name"), ["#1: OSCORE"]);
        assert_eq!(p.show("coap.opt.object_security_kid_present"), ["1"]);
        assert_eq!(p.show("coap.opt.object_security_piv_len"), ["1"]);
        assert_eq!(p.show("coap.opt.object_security_piv"), ["14"]);
        assert_eq!(p.show("coap.opt.object_security_kid"), ["00"]);
        // With a kid context (h bit): flags 0x19, piv 1 byte, ctx len 2, ctx, kid.
        let m = [0x40, 0x02, 0, 1, 0x96, 0x19, 0x05, 0x02, 0x37, 0xcb, 0x01];
        let p = coap(&m);
        assert_eq!(p.show("coap.opt.object_security_kid_context"), ["37:cb"]);
        assert_eq!(p.show("coap.opt.object_security_kid"), ["01"]);
        // A kid context longer than the option is reported, not read past the option.
        let m = [0x40, 0x02, 0, 1, 0x93, 0x19, 0x05, 0x09];
        let p = coap(&m);
        assert!(p.has("coap.option_oscore_bad"));
    }

    #[test]
    fn malformed_option_encodings_are_expert_items() {
        // Delta nibble 15 with a length nibble that is not 15.
        let p = coap(&[0x40, 0x01, 0, 1, 0xf1, 0x00]);
        assert!(p.has("coap.option_length_bad"));
        assert!(!p.has("coap.opt.name"));
        // Length nibble 15.
        let p = coap(&[0x40, 0x01, 0, 1, 0x1f, 0x00]);
        assert!(p.has("coap.option_length_bad"));
        // Option longer than the message.
        let p = coap(&[0x40, 0x01, 0, 1, 0xb5, b'a']);
        assert!(p.has("coap.option_length_bad"));
        // Extended delta cut off by the end of the message.
        let p = coap(&[0x40, 0x01, 0, 1, 0xe0, 0x01]);
        assert!(p.packet.is_malformed());
        // Payload marker with nothing after it (RFC 7252 §3: message format error).
        let p = coap(&[0x40, 0x01, 0, 1, 0xff]);
        assert!(p.has("coap.payload_marker_empty"));
        // Reserved token length.
        let p = coap(&[0x49, 0x01, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert!(p.has("coap.token_len.reserved"));
        // Options with a bad length for their format.
        let p = coap(&[0x40, 0x01, 0, 1, 0x10]); // If-Match ok (0..8)
        assert!(!p.has("coap.invalid_option_range"));
        let p = coap(&[0x40, 0x01, 0, 1, 0x30]); // Uri-Host empty: 1..255
        assert!(p.has("coap.invalid_option_range"));
    }

    #[test]
    fn truncation_at_every_byte() {
        let mut m = GET_TEMPERATURE.to_vec();
        m.extend_from_slice(&[0xd1, 0x0a, 0x02, 0xff, b'x']);
        let full = udp(40000, 5683, &m);
        assert_truncations_are_malformed(228, &full, full.len());
        // Cut inside CoAP with consistent UDP/IP lengths: only the CoAP header is required;
        // nothing may panic.
        for cut in 0..m.len() {
            let p = coap(&m[..cut]);
            if cut < 4 && cut > 0 {
                assert!(p.packet.is_malformed(), "cut {cut}");
            }
        }
        for cut in 0..=CSM.len() {
            let _ = dissect_one(228, &tcp(&CSM[..cut]));
        }
    }

    /// RFC 8323 §5.3: CSM with Max-Message-Size 1152 and Block-Wise-Transfer.
    const CSM: &[u8] = &[0x40, 0xe1, 0x22, 0x04, 0x80, 0x20];

    #[test]
    fn coap_over_tcp_signalling_and_framing() {
        let mut seg = CSM.to_vec();
        seg.extend_from_slice(&[0x00, 0xe2]); // Ping
        seg.extend_from_slice(&[0x10, 0xe3, 0x20]); // Pong with Custody
        seg.extend_from_slice(b"\xb0\xe4\x29abc.d:1ab\x20"); // Release: Alternative-Address, Hold-Off
        let p = dissect_one(228, &tcp(&seg));
        assert_eq!(p.show("coap.code"), ["225", "226", "227", "228"]);
        assert_eq!(p.show("coap.length"), ["6", "2", "3", "13"]);
        assert_eq!(
            p.show("coap.opt.name"),
            [
                "#1: Max-Message-Size",
                "#2: Block-Wise-Transfer",
                "#1: Custody",
                "#1: Alternative-Address",
                "#2: Hold-Off"
            ]
        );
        assert_eq!(p.show("coap.opt.max_message_size"), ["1152"]);
        assert_eq!(p.show("coap.opt.alternative_address"), ["abc.d:1ab"]);
        assert!(!p.has("coap.mid"));
        assert!(!p.has("coap.invalid_option_number"));
        assert_eq!(super::tcp_pdu_len(CSM), Some(6));
        // Extended length: 13 + 7 bytes of options and payload.
        let mut get = vec![0xd1, 0x07, 0x01, 0x33];
        get.extend_from_slice(b"\xb4time\xff12345678901234");
        assert_eq!(super::tcp_pdu_len(&get), Some(get.len()));
        assert_eq!(super::tcp_pdu_len(&[0xd1]), None);
        assert_eq!(super::tcp_pdu_len(&[0xe0, 0x00, 0x00]), Some(269 + 4));
        assert_eq!(
            super::tcp_pdu_len(&[0xf0, 0, 0, 0, 0]),
            Some(65805 + 1 + 4 + 1)
        );
        let p = dissect_one(228, &tcp(&get));
        assert_eq!(p.show("coap.opt.uri_path"), ["time"]);
        assert_eq!(p.show("coap.token"), ["33"]);
        assert_eq!(p.info(), "GET, TKN:33, /time");
        // An incomplete message is flagged for reassembly, not malformed.
        let p = dissect_one(228, &tcp(&get[..6]));
        assert!(p.has("coap.tcp.incomplete"));
        // Abort with Bad-CSM-Option.
        let p = dissect_one(228, &tcp(&[0x20, 0xe5, 0x21, 0x02]));
        assert_eq!(p.show("coap.opt.bad_csm_option"), ["2"]);
    }

    #[test]
    fn udp_heuristic_is_off_by_default() {
        let f = udp(40000, 40001, GET_TEMPERATURE);
        assert!(!dissect_one(228, &f).has("coap"));
        let mut e = Engine::with_defaults();
        e.prefs.set("coap.heuristic", "TRUE");
        let p = crate::testutil::dissect_with(&mut e, 228, &f);
        assert_eq!(p.show("coap.opt.uri_path"), ["temperature"]);
        let mut r = crate::engine::registry::Registry::builtin();
        assert!(r.set_heuristic_enabled("coap", true));
        let mut e = Engine::new(std::sync::Arc::new(r), Default::default());
        let p = crate::testutil::dissect_with(&mut e, 228, &f);
        assert_eq!(p.show("coap.code"), ["1"]);
        assert!(!super::looks_like_coap(b"hello world"));
    }

    #[test]
    fn retransmissions_are_flagged() {
        let (_, p) = run(&[
            udp(40000, 5683, GET_TEMPERATURE),
            udp(40000, 5683, GET_TEMPERATURE),
            udp_back(5683, 40000, CONTENT_22_3),
        ]);
        assert_eq!(p[1].show("coap.request_first_in"), ["1"]);
        assert!(p[1].has("coap.retransmitted"));
        assert!(p[1].info().ends_with("[Retransmission]"));
        assert_eq!(p[2].show("coap.response_to"), ["1"]);
        assert_eq!(p[2].show("coap.response_time"), ["0.002000000"]);
    }

    /// RFC 7641 §2 / Figure 3: registration, notifications, deregistration by Reset.
    #[test]
    fn rfc7641_observe() {
        let reg = udp(40000, 5683, b"\x41\x01\x00\x01\x4a\x60\x5btemperature");
        let n1 = udp_back(5683, 40000, b"\x61\x45\x00\x01\x4a\x61\x0c\xff22.9 Cel");
        let n2 = udp_back(5683, 40000, b"\x41\x45\x00\x02\x4a\x61\x0e\xff22.8 Cel");
        let n3 = udp_back(5683, 40000, b"\x41\x45\x00\x03\x4a\x61\x0d\xff22.7 Cel");
        let rst = udp(40000, 5683, b"\x70\x00\x00\x03");
        let (_, p) = run(&[reg, n1, n2, n3, rst]);
        assert_eq!(p[0].show("coap.opt.observe"), ["0"]);
        assert_eq!(p[1].show("coap.response_to"), ["1"]);
        assert_eq!(p[2].show("coap.observe.registered_in"), ["1"]);
        assert_eq!(p[2].show("coap.observe.notification"), ["2"]);
        assert_eq!(p[2].show("coap.opt.uri_path_recon"), ["/temperature"]);
        assert!(p[3].has("coap.observe.reordered"));
        assert_eq!(p[4].show("coap.observe.deregistered"), ["1"]);
    }

    /// RFC 7959 §3.1 style Block2 transfer: two 16-byte-size blocks reassembled.
    #[test]
    fn rfc7959_block2_reassembly() {
        let get0 = udp(40000, 5683, b"\x41\x01\x00\x01\x01\xb1a\xc1\x00");
        let rsp0 = {
            let mut m = b"\x61\x45\x00\x01\x01\xc0\xb1\x08\xff".to_vec();
            m.extend_from_slice(b"0123456789abcdef");
            udp_back(5683, 40000, &m)
        };
        let get1 = udp(40000, 5683, b"\x41\x01\x00\x02\x02\xb1a\xc1\x10");
        let rsp1 = udp_back(5683, 40000, b"\x61\x45\x00\x02\x02\xc0\xb1\x10\xffXYZ");
        let (_, p) = run(&[get0.clone(), rsp0.clone(), get1.clone(), rsp1.clone()]);
        assert_eq!(p[1].show("coap.block_length"), ["16"]);
        assert!(!p[1].has("coap.payload"));
        assert_eq!(
            p[1].info(),
            "ACK, MID:1, 2.05 Content, TKN:01, Block #0, /a"
        );
        assert_eq!(p[3].show("coap.block.count"), ["2"]);
        assert_eq!(p[3].show("coap.block"), ["2", "4"]);
        assert_eq!(p[3].show("coap.block.reassembled.length"), ["19"]);
        assert_eq!(
            p[3].show("coap.payload"),
            ["Payload Content-Format: text/plain; charset=utf-8, Length: 19"]
        );
        assert!(p[3]
            .packet
            .protocol_path()
            .ends_with(":coap:data-text-lines"));
        assert_eq!(&*p[3].packet.sources[1].data, b"0123456789abcdefXYZ");
        assert!(p[3].info().contains("End of Block #1"));
        // Revisiting the last block shows the body again; the state does not change.
        let (mut e, _) = run(&[get0, rsp0, get1, rsp1.clone()]);
        let meta = FrameMeta {
            number: 4,
            ts_ns: 3_000_000,
            orig_len: rsp1.len() as u32,
            link_type: 228,
            ..Default::default()
        };
        let _ = e.dissect(
            FrameMeta {
                number: 5,
                ..meta.clone()
            },
            &udp(40000, 5683, &[0x40, 0, 0, 9]),
        );
        let again = TestPacket {
            packet: e.dissect(meta, &rsp1),
        };
        assert_eq!(&*again.packet.sources[1].data, b"0123456789abcdefXYZ");
        assert_eq!(again.show("coap.block"), ["2", "4"]);
    }

    proptest::proptest! {
        /// Arbitrary bytes as CoAP over UDP and over TCP never panic, and the framing function
        /// agrees with what the dissector consumed.
        #[test]
        fn arbitrary_messages_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = coap(&data);
            let _ = dissect_one(228, &tcp(&data));
            if let Some(n) = super::tcp_pdu_len(&data) {
                proptest::prop_assert!(n >= 2);
            }
            let _ = super::looks_like_coap(&data);
        }
    }

    #[test]
    fn long_payload_summary_is_cut_like_tshark() {
        let mut m = b"\x60\x45\x00\x01\xff".to_vec();
        m.extend_from_slice(&[0u8; 122]);
        let p = coap(&m);
        assert_eq!(
            p.show("coap.payload"),
            ["Payload Content-Format: application/octet-stream (no Content-Format), Length: 1"]
        );
        assert_eq!(p.show("coap.payload_length"), ["122"]);
    }
}

pub mod payload;
pub mod track;
