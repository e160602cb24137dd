//! MQTT 3.1, 3.1.1 (OASIS MQTT v3.1.1 §2-3) and 5.0 (OASIS MQTT v5.0 §2-3) over TCP port
//! 1883; on port 8883 (MQTT over TLS) the TLS layer hands its application data to MQTT.
//!
//! ```text
//! Fixed header (every packet):
//!   bit    7   6   5   4   3   2   1   0
//!        +---------------+---------------+
//! byte 1 | packet type   | flags         |   PUBLISH flags: DUP, QoS (2 bits), RETAIN
//!        +---------------+---------------+
//! byte 2…| Remaining Length (1-4 bytes, 7 bits each, low group first,   |
//!        | bit 7 = "more follows"; a 5th byte is malformed, §1.5.5)      |
//!        +---------------------------------------------------------------+
//! then the variable header and payload of the packet type (CONNECT: protocol name, level,
//! connect flags, keep alive, [v5 properties], client id, [will], [user name], [password]).
//! ```
//! MQTT 5 adds properties (a length varint, then id/value pairs typed per §2.2.2.2) and reason
//! codes. The protocol level is remembered per TCP connection from its CONNECT; a connection
//! whose CONNECT was not captured is decoded with `mqtt.default_version` (tshark's preference,
//! "None" by default: then 3.1.1 rules are used) and gets an expert note. Topic aliases (v5
//! §3.3.2.3.4) are remembered per connection and direction and resolved in later PUBLISHes.
//!
//! [`MqttTopics`] is a pure statistics API for `-z mqtt,topics`.

use crate::engine::address::Address;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::{Cx, Packet};
use foldhash::HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::engine::registry::{PduLen, StreamPdus};

pub const CONNECT: u8 = 1;
pub const CONNACK: u8 = 2;
pub const PUBLISH: u8 = 3;
pub const PUBACK: u8 = 4;
pub const PUBREC: u8 = 5;
pub const PUBREL: u8 = 6;
pub const PUBCOMP: u8 = 7;
pub const SUBSCRIBE: u8 = 8;
pub const SUBACK: u8 = 9;
pub const UNSUBSCRIBE: u8 = 10;
pub const UNSUBACK: u8 = 11;
pub const PINGREQ: u8 = 12;
pub const PINGRESP: u8 = 13;
pub const DISCONNECT: u8 = 14;
pub const AUTH: u8 = 15;

pub static MSGTYPES: &[(u64, &str)] = &[
    (0, "Reserved"),
    (1, "Connect Command"),
    (2, "Connect Ack"),
    (3, "Publish Message"),
    (4, "Publish Ack"),
    (5, "Publish Received"),
    (6, "Publish Release"),
    (7, "Publish Complete"),
    (8, "Subscribe Request"),
    (9, "Subscribe Ack"),
    (10, "Unsubscribe Request"),
    (11, "Unsubscribe Ack"),
    (12, "Ping Request"),
    (13, "Ping Response"),
    (14, "Disconnect Req"),
    (15, "Authentication Exchange"),
];

static QOS: &[(u64, &str)] = &[
    (0, "At most once delivery (Fire and Forget)"),
    (1, "At least once delivery (Acknowledged deliver)"),
    (2, "Exactly once delivery (Assured Delivery)"),
    (3, "Reserved"),
];

static VERSIONS: &[(u64, &str)] = &[(3, "MQTT v3.1"), (4, "MQTT v3.1.1"), (5, "MQTT v5.0")];

/// CONNACK return codes of 3.1/3.1.1 (§3.2.2.3).
static CONNACK_V3: &[(u64, &str)] = &[
    (0, "Connection Accepted"),
    (1, "Connection Refused: unacceptable protocol version"),
    (2, "Connection Refused: identifier rejected"),
    (3, "Connection Refused: server unavailable"),
    (4, "Connection Refused: bad user name or password"),
    (5, "Connection Refused: not authorized"),
];

/// MQTT 5 reason codes (§2.4); 0 reads "Success" (or "Granted QoS 0" / "Normal disconnection"
/// depending on the packet, which the names below fold into one).
pub static REASON_CODES: &[(u64, &str)] = &[
    (0x00, "Success"),
    (0x01, "Granted QoS 1"),
    (0x02, "Granted QoS 2"),
    (0x04, "Disconnect with Will Message"),
    (0x10, "No matching subscribers"),
    (0x11, "No subscription existed"),
    (0x18, "Continue authentication"),
    (0x19, "Re-authenticate"),
    (0x80, "Unspecified error"),
    (0x81, "Malformed Packet"),
    (0x82, "Protocol Error"),
    (0x83, "Implementation specific error"),
    (0x84, "Unsupported Protocol Version"),
    (0x85, "Client Identifier not valid"),
    (0x86, "Bad User Name or Password"),
    (0x87, "Not authorized"),
    (0x88, "Server unavailable"),
    (0x89, "Server busy"),
    (0x8a, "Banned"),
    (0x8b, "Server shutting down"),
    (0x8c, "Bad authentication method"),
    (0x8d, "Keep Alive timeout"),
    (0x8e, "Session taken over"),
    (0x8f, "Topic Filter invalid"),
    (0x90, "Topic Name invalid"),
    (0x91, "Packet Identifier in use"),
    (0x92, "Packet Identifier not found"),
    (0x93, "Receive Maximum exceeded"),
    (0x94, "Topic Alias invalid"),
    (0x95, "Packet too large"),
    (0x96, "Message rate too high"),
    (0x97, "Quota exceeded"),
    (0x98, "Administrative action"),
    (0x99, "Payload format invalid"),
    (0x9a, "Retain not supported"),
    (0x9b, "QoS not supported"),
    (0x9c, "Use another server"),
    (0x9d, "Server moved"),
    (0x9e, "Shared Subscriptions not supported"),
    (0x9f, "Connection rate exceeded"),
    (0xa0, "Maximum connect time"),
    (0xa1, "Subscription Identifiers not supported"),
    (0xa2, "Wildcard Subscriptions not supported"),
];

/// Property identifiers (§2.2.2.2).
pub static PROPERTIES: &[(u64, &str)] = &[
    (0x01, "Payload Format Indicator"),
    (0x02, "Message Expiry Interval"),
    (0x03, "Content Type"),
    (0x08, "Response Topic"),
    (0x09, "Correlation Data"),
    (0x0b, "Subscription Identifier"),
    (0x11, "Session Expiry Interval"),
    (0x12, "Assigned Client Identifier"),
    (0x13, "Server Keep Alive"),
    (0x15, "Authentication Method"),
    (0x16, "Authentication Data"),
    (0x17, "Request Problem Information"),
    (0x18, "Will Delay Interval"),
    (0x19, "Request Response Information"),
    (0x1a, "Response Information"),
    (0x1c, "Server Reference"),
    (0x1f, "Reason String"),
    (0x21, "Receive Maximum"),
    (0x22, "Topic Alias Maximum"),
    (0x23, "Topic Alias"),
    (0x24, "Maximum QoS"),
    (0x25, "Retain Available"),
    (0x26, "User Property"),
    (0x27, "Maximum Packet Size"),
    (0x28, "Wildcard Subscription Available"),
    (0x29, "Subscription Identifier Available"),
    (0x2a, "Shared Subscription Available"),
];

crate::fields! {
    PROTO = FieldDef::protocol("mqtt", "MQ Telemetry Transport Protocol");
    HDRFLAGS = FieldDef::new("mqtt.hdrflags", "Header Flags", T::U8).hex();
    MSGTYPE = FieldDef::new("mqtt.msgtype", "Message Type", T::U8).mask(0xf0).vals(MSGTYPES);
    HDR_RESERVED = FieldDef::new("mqtt.hdr_reserved", "Reserved", T::U8).mask(0x0f).blurb("Fixed Header Reserved Field");
    DUPFLAG = FieldDef::flag("mqtt.dupflag", "DUP Flag", 8, 0x08);
    QOS_LEVEL = FieldDef::new("mqtt.qos", "QoS Level", T::U8).mask(0x06).vals(QOS);
    RETAIN = FieldDef::flag("mqtt.retain", "Retain", 8, 0x01);
    RETAIN_RESERVED = FieldDef::new("mqtt.retain_reserved", "Reserved", T::U8).mask(0x01).blurb("Fixed Header Reserved Field");
    LEN = FieldDef::new("mqtt.len", "Msg Len", T::U64);
    PROTO_LEN = FieldDef::new("mqtt.proto_len", "Protocol Name Length", T::U16);
    PROTONAME = FieldDef::new("mqtt.protoname", "Protocol Name", T::String);
    VER = FieldDef::new("mqtt.ver", "Version", T::U8).vals(VERSIONS).blurb("MQTT version");
    CONFLAGS = FieldDef::new("mqtt.conflags", "Connect Flags", T::U8).hex();
    CONFLAG_UNAME = FieldDef::flag("mqtt.conflag.uname", "User Name Flag", 8, 0x80);
    CONFLAG_PASSWD = FieldDef::flag("mqtt.conflag.passwd", "Password Flag", 8, 0x40);
    CONFLAG_RETAIN = FieldDef::flag("mqtt.conflag.retain", "Will Retain", 8, 0x20);
    CONFLAG_QOS = FieldDef::new("mqtt.conflag.qos", "QoS Level", T::U8).mask(0x18).vals(QOS);
    CONFLAG_WILLFLAG = FieldDef::flag("mqtt.conflag.willflag", "Will Flag", 8, 0x04);
    CONFLAG_CLEANSESS = FieldDef::flag("mqtt.conflag.cleansess", "Clean Session Flag", 8, 0x02);
    CONFLAG_RESERVED = FieldDef::flag("mqtt.conflag.reserved", "(Reserved)", 8, 0x01);
    KALIVE = FieldDef::new("mqtt.kalive", "Keep Alive", T::U16);
    CLIENTID_LEN = FieldDef::new("mqtt.clientid_len", "Client ID Length", T::U16);
    CLIENTID = FieldDef::new("mqtt.clientid", "Client ID", T::String);
    WILLTOPIC_LEN = FieldDef::new("mqtt.willtopic_len", "Will Topic Length", T::U16);
    WILLTOPIC = FieldDef::new("mqtt.willtopic", "Will Topic", T::String);
    WILLMSG_LEN = FieldDef::new("mqtt.willmsg_len", "Will Message Length", T::U16);
    WILLMSG = FieldDef::new("mqtt.willmsg", "Will Message", T::Bytes);
    USERNAME_LEN = FieldDef::new("mqtt.username_len", "User Name Length", T::U16);
    USERNAME = FieldDef::new("mqtt.username", "User Name", T::String);
    PASSWD_LEN = FieldDef::new("mqtt.passwd_len", "Password Length", T::U16);
    PASSWD = FieldDef::new("mqtt.passwd", "Password", T::String);
    CONACK_FLAGS = FieldDef::new("mqtt.conack.flags", "Acknowledge Flags", T::U8).hex();
    CONACK_FLAGS_RESERVED = FieldDef::flag("mqtt.conack.flags.reserved", "Reserved", 8, 0xfe);
    CONACK_FLAGS_SP = FieldDef::flag("mqtt.conack.flags.sp", "Session Present", 8, 0x01).blurb("Session Present (version 3.1.1)");
    CONACK_VAL = FieldDef::new("mqtt.conack.val", "Return Code", T::U8).vals(CONNACK_V3);
    MSGID = FieldDef::new("mqtt.msgid", "Message Identifier", T::U16);
    TOPIC_LEN = FieldDef::new("mqtt.topic_len", "Topic Length", T::U16);
    TOPIC = FieldDef::new("mqtt.topic", "Topic", T::String);
    MSG = FieldDef::new("mqtt.msg", "Message", T::Bytes);
    MSG_TEXT = FieldDef::new("mqtt.msg_text", "Message", T::String);
    SUB_QOS = FieldDef::new("mqtt.sub.qos", "Requested QoS", T::U8).vals(QOS);
    SUBACK_QOS = FieldDef::new("mqtt.suback.qos", "Granted QoS", T::U8).vals(QOS);
    SUB_OPTIONS = FieldDef::new("mqtt.subscription_options", "Subscription Options", T::U8).hex();
    SUB_OPTIONS_RESERVED = FieldDef::new("mqtt.subscription_options_reserved", "Reserved", T::U8).hex().mask(0xc0);
    SUB_OPTIONS_RETAIN = FieldDef::new("mqtt.subscription_options_retain", "Retain Handling", T::U8).mask(0x30).vals(&[
        (0, "Send msgs at subscription time"), (1, "Send msgs if subscription does not exist"), (2, "Do not send msgs at subscription time"),
    ]);
    SUB_OPTIONS_RAP = FieldDef::flag("mqtt.subscription_options_rap", "Retain As Published", 8, 0x08);
    SUB_OPTIONS_NL = FieldDef::flag("mqtt.subscription_options_nl", "No Local", 8, 0x04);
    SUB_OPTIONS_QOS = FieldDef::new("mqtt.subscription_options_qos", "QoS", T::U8).mask(0x03).vals(QOS);
    CONNACK_REASON = FieldDef::new("mqtt.connack.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    PUBACK_REASON = FieldDef::new("mqtt.puback.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    PUBREC_REASON = FieldDef::new("mqtt.pubrec.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    PUBREL_REASON = FieldDef::new("mqtt.pubrel.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    PUBCOMP_REASON = FieldDef::new("mqtt.pubcomp.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    SUBACK_REASON = FieldDef::new("mqtt.suback.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    UNSUBACK_REASON = FieldDef::new("mqtt.unsuback.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    DISCONNECT_REASON = FieldDef::new("mqtt.disconnect.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    AUTH_REASON = FieldDef::new("mqtt.auth.reason_code", "Reason Code", T::U8).vals(REASON_CODES).blurb("MQTT Reason Code");
    PROPERTIES_F = FieldDef::new("mqtt.properties", "Properties", T::None);
    WILL_PROPERTIES = FieldDef::new("mqtt.will_properties", "Will Properties", T::None);
    PROPERTY_LEN = FieldDef::new("mqtt.property_len", "Total Length", T::U64);
    PROPERTY_ID = FieldDef::new("mqtt.property_id", "ID", T::U8).hex().vals(PROPERTIES).blurb("Property Id");
    PROP_NUMBER = FieldDef::new("mqtt.prop_number", "Value", T::U32);
    PROP_CONTENT_TYPE = FieldDef::new("mqtt.property.content_type", "Content Type", T::String);
    PROP_MAX_QOS = FieldDef::new("mqtt.property.max_qos", "QoS", T::U8).vals(QOS);
    PROP_TOPIC_ALIAS = FieldDef::new("mqtt.property.topic_alias", "Topic Alias", T::U16);
    PROP_UNKNOWN = FieldDef::new("mqtt.prop_unknown", "Unknown Property", T::String);
    PROP_STRING_LEN = FieldDef::new("mqtt.prop_string_len", "Length", T::U32);
    PROP_STRING = FieldDef::new("mqtt.prop_string", "Value", T::String);
    PROP_KEY_LEN = FieldDef::new("mqtt.prop_key_len", "Key Length", T::U32);
    PROP_KEY = FieldDef::new("mqtt.prop_key", "Key", T::String);
    PROP_VALUE_LEN = FieldDef::new("mqtt.prop_value_len", "Value Length", T::U32);
    PROP_VALUE = FieldDef::new("mqtt.prop_value", "Value", T::String);
}

crate::experts! {
    UNKNOWN_VERSION = ExpertDef::new("mqtt.unknown_version", Group::Protocol, Severity::Note, "Unknown version (missing the CONNECT packet?)");
    UNKNOWN_TOPIC_ALIAS = ExpertDef::new("mqtt.unknown_topic_alias", Group::Protocol, Severity::Warn, "Unknown topic alias");
    ILLEGAL_TOPIC_LENGTH = ExpertDef::new("mqtt.illegal_topic_length", Group::Malformed, Severity::Warn, "Length cannot be 0");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "mqtt",
    short_name: "MQTT",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[
        PrefDef {
            name: "mqtt.default_version",
            description: "Version used when the CONNECT packet is not captured: None, MQTT v3.1, MQTT v3.1.1, MQTT v5.0",
            default: "None",
        },
        PrefDef {
            name: "mqtt.show_msg_as_text",
            description: "Show Publish Message as text",
            default: "FALSE",
        },
    ],
    dissect,
    register,
};

/// How MQTT cuts a TCP stream into packets.
static STREAM_PDUS: StreamPdus = crate::proto::tcp_pdus(pdu_len, true);

fn register(r: &mut Registry) {
    r.add(tables::TCP_PORT, 1883, &PROTOCOL);
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
    // MQTT over TLS (port 8883): TLS records, their application data labelled MQTT.
    crate::proto::tls::register_port(r, 8883, &PROTOCOL);
}

/// Reads a Variable Byte Integer (§1.5.5) at `off`: (value, bytes used). More than four bytes
/// is malformed.
pub fn read_varint(b: &[u8], off: usize) -> std::result::Result<(u64, usize), Error> {
    let mut v: u64 = 0;
    for i in 0..4 {
        let byte = *b.get(off + i).ok_or(Error::Short)?;
        v |= ((byte & 0x7f) as u64) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((v, i + 1));
        }
    }
    Err(Error::Malformed(
        "Remaining Length longer than 4 bytes".into(),
    ))
}

/// Length of the MQTT packet at the start of `b` (fixed header + remaining length).
pub fn pdu_len(b: &[u8]) -> PduLen {
    if b.len() < 2 {
        return PduLen::NeedMore;
    }
    match read_varint(b, 1) {
        Ok((v, n)) => PduLen::Complete((1 + n as u64 + v).min(usize::MAX as u64) as usize),
        Err(Error::Short) => PduLen::NeedMore,
        // Overflowing length: hand over what is here so the dissector reports it.
        Err(_) => PduLen::Complete(b.len()),
    }
}

/// Per-connection memory: protocol level and topic aliases.
#[derive(Clone, Default)]
pub struct MqttState {
    versions: HashMap<u32, u8>,
    /// (stream, source port) → alias → topic.
    aliases: HashMap<(u32, u16), HashMap<u16, String>>,
}

const MAX_CONNS: usize = 65_536;
const MAX_ALIASES: usize = 1024;

fn default_version(cx: &Cx) -> Option<u8> {
    match cx.prefs.get("mqtt.default_version") {
        Some(s) if s.contains("5") => Some(5),
        Some(s) if s.contains("3.1.1") => Some(4),
        Some(s) if s.contains("3.1") => Some(3),
        _ => None,
    }
}

/// A length-prefixed UTF-8 string (§1.5.4): adds the length and the string.
fn add_lstring(
    cx: &mut Cx,
    node: NodeId,
    lf: &'static FieldDef,
    sf: &'static FieldDef,
    tvb: &Tvb,
    off: &mut usize,
) -> Result<String> {
    let n = cx.add_be_u16(node, lf, tvb, *off)? as usize;
    let b = cx.add_string(node, sf, tvb, *off + 2, n)?;
    *off += 2 + n;
    Ok(String::from_utf8_lossy(b).into_owned())
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    // A second MQTT packet in the same frame: tshark lists the layer once in frame.protocols
    // and joins the Info texts with ", ".
    let again = crate::proto::again_in_segment(cx, PROTOCOL.name);
    let node = crate::proto::stream_pdu_layer(cx, parent, &PROTOCOL, again, tvb.whole());
    let b0 = tvb.u8(0)?;
    let mtype = b0 >> 4;

    let stream = cx.info.stream.unwrap_or(u32::MAX);
    let sport = cx.info.src_port;
    let (v, codes5) = protocol_level(cx, tvb, node, mtype, stream);

    add_header_flags(cx, node, tvb, b0, v);
    let (rem, n) = read_varint(tvb.data(), 1)?;
    cx.add(node, &LEN, tvb.range(1, n), Value::UInt(rem));
    let hdr = 1 + n;
    let name = crate::engine::field::val_to_str(MSGTYPES, mtype as u64).unwrap_or("Unknown");
    // The type goes into the Info column first, so a packet that fails later still says what
    // it was (tshark: "Connect Command[Malformed Packet]").
    let info_before = if again {
        format!("{}, ", cx.columns.info)
    } else {
        String::new()
    };
    cx.set_info(format_args!("{info_before}{name}"));
    cx.set_text(
        node,
        format_args!("MQ Telemetry Transport Protocol, {name}"),
    );
    let rem = rem as usize;
    let body = tvb.sub(hdr, rem)?;
    let v5 = v == 5;
    let mut info = name.to_string();
    // A payload whose MQTT 5 content type names a media type: handed to that layer once the
    // Info column is final (the layer appends to it).
    let mut media: Option<(Tvb, String)> = None;
    match mtype {
        CONNECT => connect(cx, node, &body, v5)?,
        CONNACK => connack(cx, node, &body, v, codes5)?,
        PUBLISH => media = publish(cx, node, &body, b0, v5, (stream, sport), &mut info)?,
        PUBACK..=PUBCOMP => {
            let reason = PUB_ACK_REASONS[(mtype - PUBACK) as usize];
            pub_ack(cx, node, &body, v5, reason, &mut info)?
        }
        SUBSCRIBE | UNSUBSCRIBE => subscribe(cx, node, &body, mtype, v5, &mut info)?,
        SUBACK | UNSUBACK => suback(cx, node, &body, mtype, v5, codes5, &mut info)?,
        DISCONNECT | AUTH if v5 => reason_and_properties(cx, node, &body, mtype)?,
        _ => {}
    }
    // Several packets in one segment read "A, B" in the Info column.
    cx.set_info(format_args!("{info_before}{info}"));
    if let Some((payload, t)) = media {
        crate::proto::media::call(cx, &t, &payload, parent);
    }
    Ok(())
}

/// CONNACK (§3.2): acknowledge flags (reserved in MQTT 3.1), then the return code or, with
/// MQTT 5 reason codes, the reason code and properties.
fn connack(cx: &mut Cx, node: NodeId, body: &Tvb, v: u8, codes5: bool) -> Result<()> {
    let f = body.u8(0)?;
    if v == 3 {
        cx.add_uint(node, &CONACK_FLAGS_RESERVED, body.range(0, 1), f as u64);
        cx.add_u8(node, &CONACK_VAL, body, 1)?;
        return Ok(());
    }
    let fnode = cx.add_uint(node, &CONACK_FLAGS, body.range(0, 1), f as u64);
    cx.add_bits(
        fnode,
        &[&CONACK_FLAGS_RESERVED, &CONACK_FLAGS_SP],
        body.range(0, 1),
        f as u64,
    );
    if !codes5 {
        cx.add_u8(node, &CONACK_VAL, body, 1)?;
        return Ok(());
    }
    cx.add_u8(node, &CONNACK_REASON, body, 1)?;
    if v == 5 && 2 < body.len() {
        properties(cx, node, &PROPERTIES_F, body, 2, None)?;
    }
    Ok(())
}

/// The reason code fields of PUBACK, PUBREC, PUBREL and PUBCOMP, in type order.
static PUB_ACK_REASONS: [&FieldDef; 4] = [
    &PUBACK_REASON,
    &PUBREC_REASON,
    &PUBREL_REASON,
    &PUBCOMP_REASON,
];

/// PUBACK, PUBREC, PUBREL and PUBCOMP (§3.4-3.7): the packet identifier, then in MQTT 5 a
/// reason code (as `reason`) and properties when present.
fn pub_ack(
    cx: &mut Cx,
    node: NodeId,
    body: &Tvb,
    v5: bool,
    reason: &'static FieldDef,
    info: &mut String,
) -> Result<()> {
    let id = cx.add_be_u16(node, &MSGID, body, 0)?;
    let _ = write!(info, " (id={id})");
    let end = body.len();
    if !v5 || end <= 2 {
        return Ok(());
    }
    cx.add_u8(node, reason, body, 2)?;
    if end > 3 {
        properties(cx, node, &PROPERTIES_F, body, 3, None)?;
    }
    Ok(())
}

/// MQTT 5 DISCONNECT and AUTH (§3.14, §3.15): an optional reason code and properties.
fn reason_and_properties(cx: &mut Cx, node: NodeId, body: &Tvb, mtype: u8) -> Result<()> {
    let f = if mtype == DISCONNECT {
        &DISCONNECT_REASON
    } else {
        &AUTH_REASON
    };
    if !body.is_empty() {
        cx.add_u8(node, f, body, 0)?;
    }
    if body.len() > 1 {
        properties(cx, node, &PROPERTIES_F, body, 1, None)?;
    }
    Ok(())
}

/// The packet identifier (noted in the Info column) and, in MQTT 5, the properties after it,
/// that (UN)SUBSCRIBE and (UN)SUBACK start with; returns the offset after them.
fn id_and_properties(
    cx: &mut Cx,
    node: NodeId,
    body: &Tvb,
    v5: bool,
    info: &mut String,
) -> Result<usize> {
    let id = cx.add_be_u16(node, &MSGID, body, 0)?;
    let _ = write!(info, " (id={id})");
    let mut off = 2;
    if v5 {
        off += properties(cx, node, &PROPERTIES_F, body, off, None)?;
    }
    Ok(off)
}

/// SUBACK and UNSUBACK (MQTT 5.0 §3.9, §3.11): id, properties, one reason code per filter.
fn suback(
    cx: &mut Cx,
    node: NodeId,
    body: &Tvb,
    mtype: u8,
    v5: bool,
    codes5: bool,
    info: &mut String,
) -> Result<()> {
    let end = body.len();
    let mut off = id_and_properties(cx, node, body, v5, info)?;
    while off < end {
        let f = match (mtype, codes5) {
            (SUBACK, true) => &SUBACK_REASON,
            (SUBACK, false) => &SUBACK_QOS,
            _ => &UNSUBACK_REASON,
        };
        if mtype == UNSUBACK && !codes5 {
            break;
        }
        cx.add_u8(node, f, body, off)?;
        off += 1;
    }
    Ok(())
}

/// The protocol level of this connection and whether reason codes are MQTT 5's.
fn protocol_level(cx: &mut Cx, tvb: &Tvb, node: NodeId, mtype: u8, stream: u32) -> (u8, bool) {
    // The protocol level of this connection: remembered from its CONNECT (a CONNECT carries
    // it one byte after the protocol name).
    let mut ver = cx.session.get::<MqttState>().versions.get(&stream).copied();
    if mtype == CONNECT {
        if let Ok((_, n)) = read_varint(tvb.data(), 1) {
            let plen = tvb.be_u16(1 + n).unwrap_or(0) as usize;
            if let Ok(v) = tvb.u8(1 + n + 2 + plen) {
                ver = Some(v);
                let st = cx.session.get::<MqttState>();
                if st.versions.len() >= MAX_CONNS {
                    st.versions.clear();
                    st.aliases.clear();
                }
                st.versions.insert(stream, v);
            }
        }
    }
    // Without a CONNECT, tshark's "None" default decodes reason codes the MQTT 5 way but
    // expects no properties; the note comes first in the tree, as tshark puts it.
    let codes5 = match ver {
        Some(v) => v == 5,
        None => !matches!(default_version(cx), Some(3 | 4)),
    };
    let v = match ver {
        Some(v) => v,
        None => {
            if mtype != CONNECT {
                cx.expert(node, &UNKNOWN_VERSION, None);
            }
            default_version(cx).unwrap_or(4)
        }
    };
    (v, codes5)
}

/// The fixed header's first octet: type and the flags the type gives it (MQTT 5.0 §2.1.3).
fn add_header_flags(cx: &mut Cx, node: NodeId, tvb: &Tvb, b0: u8, v: u8) {
    let mtype = b0 >> 4;
    let flags_node = cx.add_uint(node, &HDRFLAGS, tvb.range(0, 1), b0 as u64);
    let r0 = tvb.range(0, 1);
    cx.add_uint(flags_node, &MSGTYPE, r0, b0 as u64);
    if mtype == PUBLISH {
        cx.add_bits(flags_node, &[&DUPFLAG, &QOS_LEVEL, &RETAIN], r0, b0 as u64);
    } else if v == 3 && matches!(mtype, PUBREL | SUBSCRIBE | UNSUBSCRIBE) {
        // MQTT 3.1 gave these the PUBLISH flag layout (QoS 1).
        cx.add_bits(
            flags_node,
            &[&DUPFLAG, &QOS_LEVEL, &RETAIN_RESERVED],
            r0,
            b0 as u64,
        );
    } else {
        cx.add_uint(flags_node, &HDR_RESERVED, r0, b0 as u64);
    }
}

/// CONNECT (MQTT 5.0 §3.1, 3.1.1 §3.1).
fn connect(cx: &mut Cx, node: NodeId, body: &Tvb, v5: bool) -> Result<()> {
    let mut off = 0usize;
    add_lstring(cx, node, &PROTO_LEN, &PROTONAME, body, &mut off)?;
    cx.add_u8(node, &VER, body, off)?;
    let cf = body.u8(off + 1)?;
    let fnode = cx.add_uint(node, &CONFLAGS, body.range(off + 1, 1), cf as u64);
    cx.add_bits(
        fnode,
        &[
            &CONFLAG_UNAME,
            &CONFLAG_PASSWD,
            &CONFLAG_RETAIN,
            &CONFLAG_QOS,
            &CONFLAG_WILLFLAG,
            &CONFLAG_CLEANSESS,
            &CONFLAG_RESERVED,
        ],
        body.range(off + 1, 1),
        cf as u64,
    );
    cx.add_be_u16(node, &KALIVE, body, off + 2)?;
    off += 4;
    if v5 {
        off += properties(cx, node, &PROPERTIES_F, body, off, None)?;
    }
    add_lstring(cx, node, &CLIENTID_LEN, &CLIENTID, body, &mut off)?;
    if cf & 0x04 != 0 {
        if v5 {
            off += properties(cx, node, &WILL_PROPERTIES, body, off, None)?;
        }
        add_lstring(cx, node, &WILLTOPIC_LEN, &WILLTOPIC, body, &mut off)?;
        let n = cx.add_be_u16(node, &WILLMSG_LEN, body, off)? as usize;
        cx.add_bytes(node, &WILLMSG, body, off + 2, n)?;
        off += 2 + n;
    }
    if cf & 0x80 != 0 {
        add_lstring(cx, node, &USERNAME_LEN, &USERNAME, body, &mut off)?;
    }
    if cf & 0x40 != 0 {
        add_lstring(cx, node, &PASSWD_LEN, &PASSWD, body, &mut off)?;
    }
    Ok(())
}

/// PUBLISH (MQTT 5.0 §3.3): topic (or its alias), id, properties, payload; returns the
/// payload and its content type when a media layer should take it.
fn publish<'a>(
    cx: &mut Cx,
    node: NodeId,
    body: &Tvb<'a>,
    b0: u8,
    v5: bool,
    (stream, sport): (u32, u16),
    info: &mut String,
) -> Result<Option<(Tvb<'a>, String)>> {
    let end = body.len();
    let mut media = None;
    let qos = (b0 >> 1) & 3;
    let tlen = cx.add_be_u16(node, &TOPIC_LEN, body, 0)? as usize;
    let mut topic = String::from_utf8_lossy(body.bytes(2, tlen)?).into_owned();
    let topic_node = if tlen > 0 {
        Some(cx.add_string(node, &TOPIC, body, 2, tlen).map(|_| ())?)
    } else {
        None
    };
    let mut off = 2 + tlen;
    if qos > 0 {
        let id = cx.add_be_u16(node, &MSGID, body, off)?;
        info.push_str(&format!(" (id={id})"));
        off += 2;
    }
    let mut found = Found::default();
    if v5 {
        off += properties(cx, node, &PROPERTIES_F, body, off, Some(&mut found))?;
    }
    let alias = found.alias;
    if let Some(a) = alias {
        let st = cx.session.get::<MqttState>();
        if st.aliases.len() >= MAX_CONNS {
            st.aliases.clear();
        }
        let map = st.aliases.entry((stream, sport)).or_default();
        if tlen > 0 {
            if map.len() < MAX_ALIASES || map.contains_key(&a) {
                map.insert(a, topic.clone());
            }
        } else if let Some(t) = map.get(&a) {
            topic = t.clone();
            let t = topic.clone();
            cx.add_generated_with(node, &TOPIC, || Value::str(t));
        } else {
            cx.expert_with(node, &UNKNOWN_TOPIC_ALIAS, || {
                format!("Unknown topic alias {a}")
            });
        }
    } else if topic_node.is_none() {
        cx.expert(node, &ILLEGAL_TOPIC_LENGTH, None);
    }
    info.push_str(&format!(" [{topic}]"));
    let payload = body.sub_from(off.min(end))?;
    if !payload.is_empty() {
        let m = cx.add_with(node, &MSG, payload.whole(), || Value::bytes(payload.data()));
        if let Some(t) = found.content_type.take() {
            media = Some((payload, t));
        }
        if let Some(text) = payload_text(payload.data()) {
            cx.set_text(m, format_args!("Message: {text}"));
            if cx.prefs.bool("mqtt.show_msg_as_text", false) {
                cx.add_with(node, &MSG_TEXT, payload.whole(), || Value::str(text));
            }
        }
    }
    Ok(media)
}

/// SUBSCRIBE and UNSUBSCRIBE (MQTT 5.0 §3.8, §3.10): id, properties, topic filters.
fn subscribe(
    cx: &mut Cx,
    node: NodeId,
    body: &Tvb,
    mtype: u8,
    v5: bool,
    info: &mut String,
) -> Result<()> {
    let end = body.len();
    let mut off = id_and_properties(cx, node, body, v5, info)?;
    while off < end {
        let t = add_lstring(cx, node, &TOPIC_LEN, &TOPIC, body, &mut off)?;
        if mtype == SUBSCRIBE {
            info.push_str(&format!(" [{t}]"));
            let o = body.u8(off)?;
            if v5 {
                let on = cx.add_uint(node, &SUB_OPTIONS, body.range(off, 1), o as u64);
                cx.add_bits(
                    on,
                    &[
                        &SUB_OPTIONS_RESERVED,
                        &SUB_OPTIONS_RETAIN,
                        &SUB_OPTIONS_RAP,
                        &SUB_OPTIONS_NL,
                        &SUB_OPTIONS_QOS,
                    ],
                    body.range(off, 1),
                    o as u64,
                );
            } else {
                cx.add_u8(node, &SUB_QOS, body, off)?;
            }
            off += 1;
        }
    }
    Ok(())
}

/// The payload as text when it is printable UTF-8 (JSON is text too and shown as is).
pub fn payload_text(b: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(b).ok()?;
    if s.chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t')
    {
        Some(crate::engine::value::escape_text(s).into_owned())
    } else {
        None
    }
}

/// Properties of a PUBLISH the dissector acts on.
#[derive(Default)]
struct Found {
    alias: Option<u16>,
    content_type: Option<String>,
}

/// MQTT 5 properties at `off` under a `group` subtree; returns the bytes used. A Topic Alias
/// found is stored in `alias`.
fn properties(
    cx: &mut Cx,
    parent: NodeId,
    group: &'static FieldDef,
    tvb: &Tvb,
    off: usize,
    mut found: Option<&mut Found>,
) -> Result<usize> {
    let (plen, n) = read_varint(tvb.data(), off)?;
    let plen = plen as usize;
    let total = n.checked_add(plen).ok_or(Error::Short)?;
    let node = cx.add(parent, group, tvb.range(off, total), Value::None);
    cx.add(
        node,
        &PROPERTY_LEN,
        tvb.range(off, n),
        Value::UInt(plen as u64),
    );
    // Read up to the declared length; an overlong one runs into the end of the packet.
    let props = tvb.sub_from(off + n)?;
    let mut p = 0usize;
    while p < plen {
        let id = cx.add_u8(node, &PROPERTY_ID, &props, p)?;
        p = property(cx, node, &props, p + 1, id, found.as_deref_mut())?;
    }
    Ok(total)
}

/// The value of one property `id` at `p` (§2.2.2.2); returns where the next property starts.
fn property(
    cx: &mut Cx,
    node: NodeId,
    props: &Tvb,
    p: usize,
    id: u8,
    found: Option<&mut Found>,
) -> Result<usize> {
    Ok(match id {
        // Byte, two-byte and four-byte integers.
        0x01 | 0x17 | 0x19 | 0x25 | 0x28 | 0x29 | 0x2a => number(cx, node, props, p, 1)?,
        0x13 | 0x21 | 0x22 => number(cx, node, props, p, 2)?,
        0x02 | 0x11 | 0x18 | 0x27 => number(cx, node, props, p, 4)?,
        0x24 => {
            cx.add_u8(node, &PROP_MAX_QOS, props, p)?;
            p + 1
        }
        0x23 => {
            let a = cx.add_be_u16(node, &PROP_TOPIC_ALIAS, props, p)?;
            if let Some(f) = found {
                f.alias = Some(a);
            }
            p + 2
        }
        // Variable byte integer.
        0x0b => {
            let (v, n) = read_varint(props.data(), p)?;
            cx.add(node, &PROP_NUMBER, props.range(p, n), Value::UInt(v));
            p + n
        }
        0x03 => {
            let n = props.be_u16(p)? as usize;
            let b = props.bytes(p + 2, n)?;
            if let Some(f) = found {
                f.content_type = Some(String::from_utf8_lossy(b).into_owned());
            }
            cx.add_with(node, &PROP_CONTENT_TYPE, props.range(p, n + 2), || {
                Value::str(String::from_utf8_lossy(b))
            });
            p + 2 + n
        }
        // UTF-8 strings and binary data.
        0x08 | 0x09 | 0x12 | 0x15 | 0x16 | 0x1a | 0x1c | 0x1f => {
            prefixed_string(cx, node, &PROP_STRING_LEN, &PROP_STRING, props, p)?
        }
        // User property: a key and a value.
        0x26 => {
            let p = prefixed_string(cx, node, &PROP_KEY_LEN, &PROP_KEY, props, p)?;
            prefixed_string(cx, node, &PROP_VALUE_LEN, &PROP_VALUE, props, p)?
        }
        _ => {
            return Err(Error::Malformed(format!(
                "unknown MQTT property 0x{id:02x}"
            )));
        }
    })
}

/// A big-endian integer property of `width` bytes, shown as `mqtt.property.number`.
fn number(cx: &mut Cx, node: NodeId, props: &Tvb, p: usize, width: usize) -> Result<usize> {
    let v = match width {
        1 => props.u8(p)? as u64,
        2 => props.be_u16(p)? as u64,
        _ => props.be_u32(p)? as u64,
    };
    cx.add_uint(node, &PROP_NUMBER, props.range(p, width), v);
    Ok(p + width)
}

/// A string with a two-byte length in front, as a length field and a string field.
fn prefixed_string(
    cx: &mut Cx,
    node: NodeId,
    len_f: &'static FieldDef,
    str_f: &'static FieldDef,
    props: &Tvb,
    p: usize,
) -> Result<usize> {
    let n = props.be_u16(p)? as usize;
    cx.add(node, len_f, props.range(p, 2), Value::UInt(n as u64));
    cx.add_string(node, str_f, props, p + 2, n)?;
    Ok(p + 2 + n)
}

/// Per-topic statistics (`-z mqtt,topics`), fed with dissected packets.
#[derive(Default, Debug)]
pub struct MqttTopics {
    topics: BTreeMap<String, TopicStats>,
}

/// What was seen of one topic.
#[derive(Default, Debug, Clone)]
pub struct TopicStats {
    pub messages: u64,
    pub qos: [u64; 3],
    pub bytes: u64,
    pub publishers: BTreeSet<String>,
    pub subscribers: BTreeSet<String>,
}

fn endpoint(p: &Packet) -> String {
    match p.info.net_src {
        Address::Ipv6(_) => format!("[{}]:{}", p.info.net_src, p.info.src_port),
        _ => format!("{}:{}", p.info.net_src, p.info.src_port),
    }
}

/// The fields [`MqttTopics`] reads (its tree: the layers and these).
pub fn topics_build() -> crate::engine::tree::Build {
    crate::engine::tree::Build::fields([&MSGTYPE, &QOS_LEVEL, &TOPIC, &MSG])
}

impl MqttTopics {
    pub fn new() -> MqttTopics {
        MqttTopics::default()
    }

    /// Counts the MQTT packets of one dissected frame.
    pub fn add_packet(&mut self, p: &Packet) {
        let tree = &p.tree;
        let who = endpoint(p);
        for (id, n) in tree.iter() {
            if !n.field.is_some_and(|f| std::ptr::eq(f, &PROTO)) {
                continue;
            }
            let mut mtype = 0u64;
            let mut qos = 0u64;
            let mut topics = vec![];
            let mut msg_len = 0u64;
            let mut stack = vec![id];
            while let Some(cur) = stack.pop() {
                for (cid, c) in tree.children(cur) {
                    stack.push(cid);
                    let Some(f) = c.field else { continue };
                    if std::ptr::eq(f, &MSGTYPE) {
                        mtype = c.value.as_u64().unwrap_or(0);
                    } else if std::ptr::eq(f, &QOS_LEVEL) {
                        qos = c.value.as_u64().unwrap_or(0);
                    } else if std::ptr::eq(f, &TOPIC) {
                        if let Value::Str(s) = &c.value {
                            topics.push(s.to_string());
                        }
                    } else if std::ptr::eq(f, &MSG) {
                        msg_len = c.value.as_bytes().map_or(0, |b| b.len() as u64);
                    }
                }
            }
            match mtype as u8 {
                PUBLISH => {
                    if let Some(t) = topics.first() {
                        let s = self.topics.entry(t.clone()).or_default();
                        s.messages += 1;
                        s.qos[(qos as usize).min(2)] += 1;
                        s.bytes += msg_len;
                        s.publishers.insert(who.clone());
                    }
                }
                SUBSCRIBE => {
                    for t in topics {
                        self.topics
                            .entry(t)
                            .or_default()
                            .subscribers
                            .insert(who.clone());
                    }
                }
                _ => {}
            }
        }
    }

    /// Every topic in name order, as `-z mqtt,topics` lists them.
    pub fn topics(&self) -> impl Iterator<Item = (&String, &TopicStats)> {
        self.topics.iter()
    }

    /// Number of topics seen.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// The table for `-z mqtt,topics`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let rule = "=".repeat(80);
        let _ = writeln!(out, "{rule}\nMQTT Topics:");
        let _ = writeln!(
            out,
            "{:<32} {:>8} {:>6} {:>6} {:>6} {:>10}",
            "Topic", "Messages", "QoS0", "QoS1", "QoS2", "Bytes"
        );
        for (t, s) in &self.topics {
            let _ = writeln!(
                out,
                "{:<32} {:>8} {:>6} {:>6} {:>6} {:>10}",
                t, s.messages, s.qos[0], s.qos[1], s.qos[2], s.bytes
            );
            if !s.publishers.is_empty() {
                let p: Vec<&str> = s.publishers.iter().map(|x| x.as_str()).collect();
                let _ = writeln!(out, "    publishers:  {}", p.join(", "));
            }
            if !s.subscribers.is_empty() {
                let p: Vec<&str> = s.subscribers.iter().map(|x| x.as_str()).collect();
                let _ = writeln!(out, "    subscribers: {}", p.join(", "));
            }
        }
        let _ = writeln!(out, "{rule}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::tcp::reassembly::testconn::Conn;
    use crate::testutil::TestPacket;

    // Packets built from the MQTT 3.1.1 / 5.0 specifications' layouts (§3.x).
    const CONNECT_311: &[u8] = b"\x10\x13\x00\x04MQTT\x04\x02\x00\x3c\x00\x07client1";
    const CONNECT_31: &[u8] = b"\x10\x15\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x07client1";
    /// v5: user name + password, clean start, session expiry 120 s.
    const CONNECT_5: &[u8] =
        b"\x10\x1a\x00\x04MQTT\x05\xc2\x00\x3c\x05\x11\x00\x00\x00\x78\x00\x02c5\x00\x01u\x00\x01p";

    /// Asserts that each field shows exactly the one value given.
    fn expect(p: &TestPacket, fields: &[(&str, &str)]) {
        for (f, v) in fields {
            assert_eq!(p.show(f), [*v], "{f}");
        }
    }

    /// A connection on port 1883 after the client sent `connect`, and that packet.
    fn connected(connect: &[u8]) -> (Conn, TestPacket) {
        let mut c = Conn::new(1883);
        let p = c.c2s(connect);
        (c, p)
    }

    fn v311() -> Conn {
        connected(CONNECT_311).0
    }

    fn v5() -> Conn {
        connected(CONNECT_5).0
    }

    #[test]
    fn connect_311() {
        let (_, p) = connected(CONNECT_311);
        expect(
            &p,
            &[
                ("mqtt.msgtype", "1"),
                ("mqtt.len", "19"),
                ("mqtt.protoname", "MQTT"),
                ("mqtt.ver", "4"),
                ("mqtt.conflags", "0x02"),
                ("mqtt.conflag.cleansess", "1"),
                ("mqtt.kalive", "60"),
                ("mqtt.clientid", "client1"),
            ],
        );
        assert_eq!(p.info(), "Connect Command");
    }

    #[test]
    fn connect_31_and_its_qos1_subscribe_flags() {
        let (mut c, p) = connected(CONNECT_31);
        assert_eq!(p.show("mqtt.protoname"), ["MQIsdp"]);
        assert_eq!(p.show("mqtt.ver"), ["3"]);
        let p = c.c2s(b"\x82\x08\x00\x01\x00\x03a/b\x01");
        assert_eq!(p.show("mqtt.qos"), ["1"]);
        assert_eq!(p.show("mqtt.sub.qos"), ["1"]);
    }

    #[test]
    fn connect_5_with_will_and_properties() {
        let (_, p) = connected(CONNECT_5);
        expect(
            &p,
            &[
                ("mqtt.ver", "5"),
                ("mqtt.property_len", "5"),
                ("mqtt.property_id", "0x11"),
                ("mqtt.prop_number", "120"),
                ("mqtt.clientid", "c5"),
                ("mqtt.username", "u"),
                ("mqtt.passwd", "p"),
            ],
        );
        // Will (flag 0x04) with will properties, QoS 1.
        let mut c = Conn::new(1883);
        let will: &[u8] =
            b"\x10\x00\x00\x04MQTT\x05\x0e\x00\x0a\x00\x00\x01c\x05\x18\x00\x00\x00\x0a\x00\x01w\x00\x03bye";
        let mut fixed = will.to_vec();
        fixed[1] = (will.len() - 2) as u8;
        let p = c.c2s(&fixed);
        expect(
            &p,
            &[
                ("mqtt.conflag.willflag", "1"),
                ("mqtt.conflag.qos", "1"),
                ("mqtt.willtopic", "w"),
                ("mqtt.willmsg", "62:79:65"),
                ("mqtt.prop_number", "10"),
            ],
        );
    }

    #[test]
    fn connack_311_and_5() {
        let mut c = v311();
        let p = c.s2c(b"\x20\x02\x01\x00");
        assert_eq!(p.show("mqtt.conack.flags.sp"), ["1"]);
        assert_eq!(p.show("mqtt.conack.val"), ["0"]);
        let mut c = v5();
        let p = c.s2c(b"\x20\x06\x00\x86\x03\x22\x00\x0a");
        assert_eq!(p.show("mqtt.connack.reason_code"), ["134"]);
        assert_eq!(p.show("mqtt.prop_number"), ["10"]);
        assert!(p
            .packet
            .tree
            .by_abbrev("mqtt.connack.reason_code")
            .any(|n| crate::engine::value::label(n.field.unwrap(), &n.value)
                .contains("Bad User Name")));
    }

    #[test]
    fn publish_qos0_qos1_and_payload_text() {
        let mut c = v311();
        let p = c.c2s(b"\x30\x0d\x00\x03a/b{\"t\":21}");
        assert_eq!(p.show("mqtt.qos"), ["0"]);
        assert_eq!(p.show("mqtt.topic"), ["a/b"]);
        assert!(p.show("mqtt.msgid").is_empty());
        assert_eq!(p.show("mqtt.msg"), ["7b:22:74:22:3a:32:31:7d"]);
        assert_eq!(p.info(), "Publish Message [a/b]");
        let m = p.packet.tree.by_abbrev("mqtt.msg").next().unwrap();
        assert_eq!(p.packet.tree.text_of(m), Some("Message: {\"t\":21}"));
        let p = c.c2s(b"\x33\x0c\x00\x03a/b\x00\x07hello");
        expect(
            &p,
            &[("mqtt.qos", "1"), ("mqtt.retain", "1"), ("mqtt.msgid", "7")],
        );
        assert_eq!(p.info(), "Publish Message (id=7) [a/b]");
        c.engine.prefs.set("mqtt.show_msg_as_text", "TRUE");
        let p = c.c2s(b"\x30\x08\x00\x03a/bhey");
        assert_eq!(p.show("mqtt.msg_text"), ["hey"]);
    }

    #[test]
    fn publish_5_topic_alias_is_resolved() {
        let mut c = v5();
        let p = c.c2s(b"\x30\x10\x00\x03a/b\x03\x23\x00\x01{\"t\":1}");
        assert_eq!(p.show("mqtt.property.topic_alias"), ["1"]);
        let p = c.c2s(b"\x30\x08\x00\x00\x03\x23\x00\x01{}");
        assert_eq!(p.show("mqtt.topic"), ["a/b"]);
        assert_eq!(p.info(), "Publish Message [a/b]");
        let p = c.c2s(b"\x30\x08\x00\x00\x03\x23\x00\x02{}");
        assert!(p.has("mqtt.unknown_topic_alias"));
    }

    #[test]
    fn publish_acknowledgements() {
        let mut c = v311();
        for (b, t) in [(0x40u8, "4"), (0x50, "5"), (0x62, "6"), (0x70, "7")] {
            let p = c.s2c(&[b, 2, 0, 7]);
            assert_eq!(p.show("mqtt.msgtype"), [t]);
            assert_eq!(p.show("mqtt.msgid"), ["7"]);
        }
        let mut c = v5();
        let p = c.s2c(b"\x40\x03\x00\x07\x10");
        assert_eq!(p.show("mqtt.puback.reason_code"), ["16"]);
        let p = c.s2c(b"\x50\x04\x00\x07\x80\x00");
        assert_eq!(p.show("mqtt.pubrec.reason_code"), ["128"]);
        assert_eq!(p.show("mqtt.property_len"), ["0"]);
        let p = c.s2c(b"\x62\x03\x00\x07\x92");
        assert_eq!(p.show("mqtt.pubrel.reason_code"), ["146"]);
        let p = c.s2c(b"\x70\x03\x00\x07\x00");
        assert_eq!(p.show("mqtt.pubcomp.reason_code"), ["0"]);
    }

    #[test]
    fn subscribe_suback_unsubscribe_unsuback() {
        let mut c = v311();
        let p = c.c2s(b"\x82\x0e\x00\x01\x00\x03a/b\x01\x00\x03c/#\x02");
        assert_eq!(p.show("mqtt.topic"), ["a/b", "c/#"]);
        assert_eq!(p.show("mqtt.sub.qos"), ["1", "2"]);
        assert_eq!(p.show("mqtt.hdr_reserved"), ["2"]);
        assert_eq!(p.info(), "Subscribe Request (id=1) [a/b] [c/#]");
        let p = c.s2c(b"\x90\x04\x00\x01\x01\x80");
        assert_eq!(p.show("mqtt.suback.qos"), ["1", "128"]);
        let p = c.c2s(b"\xa2\x07\x00\x02\x00\x03a/b");
        assert_eq!(p.show("mqtt.topic"), ["a/b"]);
        assert_eq!(p.info(), "Unsubscribe Request (id=2)");
        let p = c.s2c(b"\xb0\x02\x00\x02");
        assert_eq!(p.show("mqtt.msgid"), ["2"]);
        // MQTT 5: subscription options and reason codes.
        let mut c = v5();
        let p = c.c2s(b"\x82\x09\x00\x01\x00\x00\x03a/b\x2e");
        expect(
            &p,
            &[
                ("mqtt.subscription_options", "0x2e"),
                ("mqtt.subscription_options_retain", "2"),
                ("mqtt.subscription_options_rap", "1"),
                ("mqtt.subscription_options_nl", "1"),
                ("mqtt.subscription_options_qos", "2"),
            ],
        );
        let p = c.s2c(b"\x90\x04\x00\x01\x00\x02");
        assert_eq!(p.show("mqtt.suback.reason_code"), ["2"]);
        let p = c.s2c(b"\xb0\x04\x00\x02\x00\x11");
        assert_eq!(p.show("mqtt.unsuback.reason_code"), ["17"]);
    }

    #[test]
    fn ping_disconnect_auth() {
        let mut c = v311();
        assert_eq!(c.c2s(b"\xc0\x00").info(), "Ping Request");
        assert_eq!(c.s2c(b"\xd0\x00").info(), "Ping Response");
        assert_eq!(c.c2s(b"\xe0\x00").info(), "Disconnect Req");
        let mut c = v5();
        let p = c.c2s(b"\xe0\x01\x04");
        assert_eq!(p.show("mqtt.disconnect.reason_code"), ["4"]);
        let p = c.c2s(b"\xf0\x08\x18\x06\x15\x00\x03abc");
        assert_eq!(p.show("mqtt.auth.reason_code"), ["24"]);
        assert_eq!(p.show("mqtt.prop_string"), ["abc"]);
    }

    #[test]
    fn json_payloads() {
        let mut c = v5();
        // Content Type application/json.
        let mut p = b"\x30\x00\x00\x01t\x13\x03\x00\x10application/json{\"v\":1}".to_vec();
        p[1] = (p.len() - 2) as u8;
        let p = c.c2s(&p);
        assert_eq!(p.show("mqtt.property.content_type"), ["application/json"]);
        assert_eq!(
            p.info(),
            "Publish Message [t], JavaScript Object Notation (application/json)"
        );
        assert_eq!(p.packet.protocol_path(), "ip:tcp:mqtt:json");
        assert_eq!(p.show("json.path_with_value"), ["/v:1"]);
    }

    #[test]
    fn remaining_length_varints() {
        assert_eq!(read_varint(&[0, 0x7f], 1), Ok((127, 1)));
        assert_eq!(read_varint(&[0, 0x80, 0x01], 1), Ok((128, 2)));
        assert_eq!(
            read_varint(&[0, 0xff, 0xff, 0xff, 0x7f], 1),
            Ok((268_435_455, 4))
        );
        assert_eq!(read_varint(&[0, 0x80], 1), Err(Error::Short));
        assert!(matches!(
            read_varint(&[0, 0xff, 0xff, 0xff, 0xff, 0x01], 1),
            Err(Error::Malformed(_))
        ));
        assert_eq!(pdu_len(&[0x30, 0x80]), PduLen::NeedMore);
        assert_eq!(pdu_len(&[0x30, 0x02, 0, 0]), PduLen::Complete(4));
    }

    #[test]
    fn remaining_length_overflow_is_malformed() {
        let mut c = v311();
        let p = c.c2s(b"\x30\xff\xff\xff\xff\x01\x00");
        assert!(p.packet.is_malformed());
        assert!(p.has("mqtt"));
    }

    #[test]
    fn missing_connect_uses_the_default_version_with_a_note() {
        let mut c = Conn::new(1883);
        let p = c.s2c(b"\x20\x02\x00\x00");
        assert!(p.has("mqtt.unknown_version"));
        assert_eq!(p.show("mqtt.connack.reason_code"), ["0"]);
        let mut c = Conn::new(1883);
        c.engine.prefs.set("mqtt.default_version", "MQTT v3.1.1");
        let p = c.s2c(b"\x20\x02\x00\x00");
        assert_eq!(p.show("mqtt.conack.val"), ["0"]);
    }

    #[test]
    fn tls_port_is_tls_carrying_mqtt() {
        let mut c = Conn::new(8883);
        let p = c.c2s(&[0x17, 3, 3, 0, 3, 1, 2, 3]);
        assert_eq!(p.packet.protocol_path(), "ip:tcp:tls");
        assert_eq!(
            p.show("tls.app_data_proto"),
            ["MQ Telemetry Transport Protocol"]
        );
        assert_eq!(p.info(), "Application Data");
    }

    #[test]
    fn truncations_never_panic() {
        let mut c = v5();
        let pkts: &[&[u8]] = &[
            CONNECT_5,
            b"\x30\x10\x00\x03a/b\x03\x23\x00\x01{\"t\":1}",
            b"\x82\x09\x00\x01\x00\x00\x03a/b\x2e",
            b"\xf0\x08\x18\x06\x15\x00\x03abc",
        ];
        for pkt in pkts {
            for cut in 1..pkt.len() {
                // A cut PDU claims more than it has; fix the length so it is decoded now.
                let mut b = pkt[..cut].to_vec();
                if b.len() >= 2 {
                    b[1] = (b.len() - 2) as u8;
                }
                c.c2s(&b);
            }
        }
    }

    #[test]
    fn topic_statistics() {
        let mut c = v311();
        let mut stats = MqttTopics::new();
        stats.add_packet(&c.c2s(b"\x82\x08\x00\x01\x00\x03a/b\x01").packet);
        stats.add_packet(&c.c2s(b"\x30\x08\x00\x03a/bhey").packet);
        stats.add_packet(&c.c2s(b"\x32\x09\x00\x03a/b\x00\x02yo").packet);
        stats.add_packet(&c.c2s(b"\x30\x08\x00\x03c/dhey").packet);
        assert_eq!(stats.len(), 2);
        let r = stats.render();
        assert!(r.contains("MQTT Topics"));
        let line = r.lines().find(|l| l.starts_with("a/b")).unwrap();
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols, ["a/b", "2", "1", "1", "0", "5"]);
        assert!(r.contains("publishers:  10.0.0.1:40000"));
        assert!(r.contains("subscribers: 10.0.0.1:40000"));
    }
}
