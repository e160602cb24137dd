//! XMPP (RFC 6120 core, RFC 6121 IM) over TCP 5222 (client-to-server) and 5269
//! (server-to-server), with the IoT extensions named: XEP-0060 (Publish-Subscribe), XEP-0323
//! (sensor data) and XEP-0325 (control).
//!
//! ```text
//! client                                   server
//!   <?xml version='1.0'?><stream:stream to=… version='1.0'>   (stream header, never closed
//!   <stream:stream from=… id=…>                                 until </stream:stream>)
//!   <stream:features> <starttls/> <mechanisms>…</mechanisms> </stream:features>
//!   <starttls/>  → <proceed/>  → TLS records from here on (shown as encrypted data)
//!   <auth mechanism=…>  → <challenge/> <response/> … <success/> | <failure/>
//!   <iq type='set' id='b1'><bind><resource>r</resource></bind></iq> → <iq type='result' id='b1'>
//!   <message to=… type='chat'><body>hi</body></message>   <presence/>
//! ```
//! The byte stream is XML that is never complete as a document, so TCP reassembly cuts it at
//! points where every element opened (other than the stream header) is closed again
//! ([`pdu_len`]); each such PDU is parsed with quick-xml into a small bounded tree (nesting
//! depth and element count capped, no DTD: a DOCTYPE is reported and no entity is ever
//! expanded), and every top-level element becomes one item, with tshark's field names.
//! Attribute items cover their `name='value'` and text items their text, as tshark's do
//! (the reader borrows both from the PDU, so their offsets are known).
//! IQ requests and responses are matched by id per connection (`xmpp.response_to`; in one pass
//! a request cannot know its response yet, so it carries tshark's "Packet without response"
//! note).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use foldhash::{HashMap, HashSet};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::engine::registry::{PduLen, StreamPdus};
use crate::proto::tls::tls_record_len;

crate::fields! {
    PROTO = FieldDef::protocol("xmpp", "XMPP Protocol");
    IQ = FieldDef::new("xmpp.iq", "IQ", T::None);
    XMLNS = FieldDef::new("xmpp.xmlns", "xmlns", T::String);
    CDATA = FieldDef::new("xmpp.cdata", "CDATA", T::String);
    ATTRIBUTE = FieldDef::new("xmpp.attribute", "Attribute", T::String);
    ID = FieldDef::new("xmpp.id", "id", T::String);
    TYPE = FieldDef::new("xmpp.type", "type", T::String);
    FROM = FieldDef::new("xmpp.from", "from", T::String);
    TO = FieldDef::new("xmpp.to", "to", T::String);
    QUERY = FieldDef::new("xmpp.query", "QUERY", T::None);
    QUERY_NODE = FieldDef::new("xmpp.query.node", "node", T::String);
    QUERY_ITEM = FieldDef::new("xmpp.query.item", "ITEM", T::None);
    QUERY_ITEM_JID = FieldDef::new("xmpp.query.item.jid", "jid", T::String);
    QUERY_ITEM_NAME = FieldDef::new("xmpp.query.item.name", "name", T::String);
    QUERY_ITEM_SUBSCRIPTION = FieldDef::new("xmpp.query.item.subscription", "subscription", T::String);
    QUERY_IDENTITY = FieldDef::new("xmpp.query.identity", "IDENTITY", T::None);
    QUERY_IDENTITY_CATEGORY = FieldDef::new("xmpp.query.identity.category", "category", T::String);
    QUERY_IDENTITY_TYPE = FieldDef::new("xmpp.query.identity.type", "type", T::String);
    QUERY_IDENTITY_NAME = FieldDef::new("xmpp.query.identity.name", "name", T::String);
    QUERY_FEATURE = FieldDef::new("xmpp.query.feature", "FEATURE", T::String);
    ERROR = FieldDef::new("xmpp.error", "ERROR", T::None);
    ERROR_CODE = FieldDef::new("xmpp.error.code", "code", T::String);
    ERROR_TYPE = FieldDef::new("xmpp.error.type", "type", T::String);
    ERROR_CONDITION = FieldDef::new("xmpp.error.condition", "CONDITION", T::String);
    ERROR_TEXT = FieldDef::new("xmpp.error.text", "TEXT", T::String);
    IQ_BIND = FieldDef::new("xmpp.iq.bind", "BIND", T::None);
    IQ_BIND_JID = FieldDef::new("xmpp.iq.bind.jid", "jid", T::String);
    IQ_BIND_RESOURCE = FieldDef::new("xmpp.iq.bind.resource", "resource", T::String);
    IQ_SESSION = FieldDef::new("xmpp.iq.session", "SESSION", T::None);
    VCARD = FieldDef::new("xmpp.vcard", "VCARD", T::None);
    PING = FieldDef::new("xmpp.ping", "PING", T::None);
    PRESENCE = FieldDef::new("xmpp.presence", "PRESENCE", T::None);
    PRESENCE_SHOW = FieldDef::new("xmpp.presence.show", "SHOW", T::String);
    PRESENCE_STATUS = FieldDef::new("xmpp.presence.status", "STATUS", T::None);
    PRESENCE_CAPS = FieldDef::new("xmpp.presence.caps", "CAPS", T::None);
    MESSAGE = FieldDef::new("xmpp.message", "MESSAGE", T::None);
    MESSAGE_CHATSTATE = FieldDef::new("xmpp.message.chatstate", "CHATSTATE", T::String);
    MESSAGE_THREAD = FieldDef::new("xmpp.message.thread", "THREAD", T::None);
    MESSAGE_BODY = FieldDef::new("xmpp.message.body", "BODY", T::None);
    MESSAGE_SUBJECT = FieldDef::new("xmpp.message.subject", "SUBJECT", T::None);
    AUTH = FieldDef::new("xmpp.auth", "AUTH", T::None);
    STREAM = FieldDef::new("xmpp.stream", "STREAM", T::None);
    FAILURE = FieldDef::new("xmpp.failure", "FAILURE", T::None);
    FAILURE_TEXT = FieldDef::new("xmpp.failure_text", "FAILURE TEXT", T::String);
    XML_HEADER_VERSION = FieldDef::new("xmpp.xml_header_version", "XML HEADER VER", T::String);
    STREAM_END = FieldDef::new("xmpp.stream_end", "STREAM END", T::None);
    FEATURES = FieldDef::new("xmpp.features", "FEATURES", T::None);
    STARTTLS = FieldDef::new("xmpp.starttls", "STARTTLS", T::None);
    PROCEED = FieldDef::new("xmpp.proceed", "PROCEED", T::None);
    UNKNOWN = FieldDef::new("xmpp.unknown", "UNKNOWN", T::String);
    RESPONSE_IN = FieldDef::new("xmpp.response_in", "Response In", T::FrameNum);
    RESPONSE_TO = FieldDef::new("xmpp.response_to", "Request In", T::FrameNum);
    OUT = FieldDef::new("xmpp.out", "Out", T::Bool);
    IN = FieldDef::new("xmpp.in", "In", T::Bool);
}

crate::experts! {
    PACKET_WITHOUT_RESPONSE = ExpertDef::new("xmpp.packet_without_response", Group::Protocol, Severity::Chat, "Packet without response");
    PACKET_UNKNOWN = ExpertDef::new("xmpp.packet_unknown", Group::Undecoded, Severity::Note, "Unknown packet");
    RESPONSE = ExpertDef::new("xmpp.response", Group::ResponseCode, Severity::Chat, "RESPONSE");
    CHALLENGE = ExpertDef::new("xmpp.challenge", Group::ResponseCode, Severity::Chat, "CHALLENGE");
    SUCCESS = ExpertDef::new("xmpp.success", Group::ResponseCode, Severity::Chat, "SUCCESS");
    UNKNOWN_ELEMENT = ExpertDef::new("xmpp.unknown.element", Group::Undecoded, Severity::Note, "Unknown element");
    MALFORMED_XML = ExpertDef::new("xmpp.xml.malformed", Group::Malformed, Severity::Error, "Malformed XML");
    DOCTYPE = ExpertDef::new("xmpp.xml.doctype", Group::Security, Severity::Warn, "DOCTYPE in an XMPP stream: ignored, no entity is expanded");
    TOO_DEEP = ExpertDef::new("xmpp.xml.too_deep", Group::Malformed, Severity::Error, "XML nested too deeply or too many elements; the rest is not decoded");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "xmpp",
    short_name: "XMPP",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[PrefDef {
        name: "xmpp.desegment",
        description: "Reassemble XMPP messages spanning multiple TCP segments",
        default: "TRUE",
    }],
    dissect,
    register,
};

/// How XMPP cuts a TCP stream into PDUs (whole XML elements, or TLS records after STARTTLS).
static STREAM_PDUS: StreamPdus = StreamPdus {
    pdu_len,
    clears_info: false,
    shows_pdu_size: false,
    partial: Some(partial_start),
};

/// A segment that starts a TLS record (after STARTTLS) shows TLS's empty layer, as in tshark.
fn partial_start(tvb: &Tvb, cx: &mut Cx, parent: NodeId) {
    if looks_like_tls(tvb.data()) {
        crate::proto::tls::partial_start(tvb, cx, parent);
    }
}

/// A TLS record header (what follows `<proceed/>`).
fn looks_like_tls(d: &[u8]) -> bool {
    matches!(d.first(), Some(20..=24)) && d.get(1) == Some(&3)
}

fn register(r: &mut Registry) {
    r.add(tables::TCP_PORT, 5222, &PROTOCOL);
    r.add(tables::TCP_PORT, 5269, &PROTOCOL);
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
}

/// Elements nested deeper than this are not decoded.
const MAX_DEPTH: usize = 32;
/// Elements decoded per PDU.
const MAX_ELEMENTS: usize = 4096;

fn is_stream_tag(name: &[u8]) -> bool {
    name == b"stream:stream" || name == b"stream"
}

/// Where the XML stream can be cut. tshark's rule, kept so that PDUs match: a buffer is
/// complete when its last non-blank byte closes a tag (`>`); otherwise another segment is
/// needed. Elements left open at the end are decoded as far as they go, and what follows in
/// the next PDU is decoded on its own. TLS records after STARTTLS are cut record by record.
pub fn pdu_len(b: &[u8]) -> PduLen {
    if matches!(b.first(), Some(20..=24)) {
        return tls_record_len(b);
    }
    match b.iter().rev().find(|c| !c.is_ascii_whitespace()) {
        None | Some(b'>') => PduLen::Complete(b.len()),
        Some(_) => PduLen::NeedMore,
    }
}

/// An element read from the stream (bounded in depth and count).
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    /// Where each attribute's `name='value'` lies, in the order of `attrs`.
    attr_spans: Vec<(usize, usize)>,
    children: Vec<El>,
    text: String,
    /// Where the text lies (its first piece's start to its last's end), if any.
    text_span: Option<(usize, usize)>,
    start: usize,
    end: usize,
}

impl El {
    fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
    fn child(&self, local: &str) -> Option<&El> {
        self.children.iter().find(|c| c.local() == local)
    }
    /// The bytes of attribute `i`'s `name='value'`, as tshark's attribute items cover
    /// (the whole element when they are not known).
    fn attr_range(&self, tvb: &Tvb, i: usize) -> ByteRange {
        match self.attr_spans.get(i) {
            Some(&(s, e)) => tvb.range(s, e.saturating_sub(s)),
            None => range(tvb, self),
        }
    }
    /// The bytes of attribute `k`, as [`El::attr_range`].
    fn attr_range_of(&self, tvb: &Tvb, k: &str) -> ByteRange {
        let i = self.attrs.iter().position(|(a, _)| a == k);
        self.attr_range(tvb, i.unwrap_or(usize::MAX))
    }
    /// The bytes of the text, as tshark's text items cover (the whole element when there is
    /// none).
    fn text_range(&self, tvb: &Tvb) -> ByteRange {
        match self.text_span {
            Some((s, e)) => tvb.range(s, e.saturating_sub(s)),
            None => range(tvb, self),
        }
    }
}

/// Where `part` (a slice of `data`) starts in `data`, if it is one.
fn offset_in(data: &[u8], part: &[u8]) -> Option<usize> {
    let off = (part.as_ptr() as usize).checked_sub(data.as_ptr() as usize)?;
    (off.checked_add(part.len())? <= data.len()).then_some(off)
}

/// One top-level item of a PDU.
enum Unit {
    XmlDecl {
        version: String,
        start: usize,
        end: usize,
    },
    StreamOpen(El),
    StreamEnd {
        start: usize,
        end: usize,
    },
    Element(El),
}

/// Problems met while reading a PDU.
#[derive(Default)]
struct Problems {
    malformed: Option<String>,
    doctype: bool,
    too_deep: bool,
}

fn read_start(data: &[u8], e: &BytesStart, start: usize, probs: &mut Problems) -> El {
    let mut el = El {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        start,
        ..Default::default()
    };
    for a in e.attributes().with_checks(true) {
        let a = match a {
            Ok(a) => a,
            Err(err) => {
                probs.malformed.get_or_insert_with(|| err.to_string());
                continue;
            }
        };
        let k = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        // Values as written, entities included (`&amp;`), as tshark shows and filters them.
        let v = String::from_utf8_lossy(&a.value).into_owned();
        // From the name to the closing quote (the reader borrows both from `data`).
        let span = offset_in(data, a.key.as_ref())
            .zip(offset_in(data, &a.value))
            .map(|(ks, vs)| (ks, (vs + a.value.len() + 1).min(data.len())));
        el.attrs.push((k, v));
        el.attr_spans.push(span.unwrap_or((start, start)));
    }
    el
}

/// Parses a PDU into its top-level units.
fn parse(data: &[u8]) -> (Vec<Unit>, Problems) {
    let mut p = Parsed {
        data,
        ..Default::default()
    };
    let mut r = Reader::from_reader(data);
    r.config_mut().trim_text(true);
    r.config_mut().check_end_names = false;
    // `</stream:stream>` closes a header seen in an earlier PDU.
    r.config_mut().allow_unmatched_ends = true;
    loop {
        let start = r.buffer_position() as usize;
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                p.probs.malformed = Some(e.to_string());
                break;
            }
        };
        let end = r.buffer_position() as usize;
        if !p.event(ev, start, end) {
            break;
        }
    }
    // Elements still open continue in the next PDU: decode what is here.
    while let Some(mut el) = p.stack.pop() {
        el.end = data.len();
        p.close(el);
    }
    (p.units, p.probs)
}

/// What parsing has built so far: the top-level units and the elements still open.
#[derive(Default)]
struct Parsed<'a> {
    /// The PDU, which the reader's events borrow from.
    data: &'a [u8],
    units: Vec<Unit>,
    probs: Problems,
    stack: Vec<El>,
    /// Elements seen, against [`MAX_ELEMENTS`].
    count: usize,
}

impl Parsed<'_> {
    /// A finished element goes under the one still open, or is a top-level unit.
    fn close(&mut self, el: El) {
        match self.stack.last_mut() {
            Some(p) => p.children.push(el),
            None => self.units.push(Unit::Element(el)),
        }
    }

    /// Takes one event spanning `start..end`; false when parsing must stop.
    fn event(&mut self, ev: Event, start: usize, end: usize) -> bool {
        match ev {
            Event::Eof => return false,
            Event::Decl(d) => {
                let version = d
                    .version()
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
                    .unwrap_or_default();
                if self.stack.is_empty() {
                    let decl = Unit::XmlDecl {
                        version,
                        start,
                        end,
                    };
                    self.units.push(decl);
                }
            }
            Event::DocType(_) => self.probs.doctype = true,
            Event::Start(e) => {
                self.count += 1;
                if self.stack.is_empty() && is_stream_tag(e.name().as_ref()) {
                    let mut el = read_start(self.data, &e, start, &mut self.probs);
                    el.end = end;
                    self.units.push(Unit::StreamOpen(el));
                    return true;
                }
                if self.stack.len() >= MAX_DEPTH || self.count > MAX_ELEMENTS {
                    self.probs.too_deep = true;
                    return false;
                }
                let el = read_start(self.data, &e, start, &mut self.probs);
                self.stack.push(el);
            }
            Event::Empty(e) => {
                self.count += 1;
                if self.count > MAX_ELEMENTS {
                    self.probs.too_deep = true;
                    return false;
                }
                let mut el = read_start(self.data, &e, start, &mut self.probs);
                el.end = end;
                self.close(el);
            }
            Event::End(e) => match self.stack.pop() {
                Some(mut el) => {
                    el.end = end;
                    self.close(el);
                }
                None if is_stream_tag(e.name().as_ref()) => {
                    self.units.push(Unit::StreamEnd { start, end })
                }
                // The rest of an element opened in an earlier PDU.
                None => {}
            },
            // Text as written, entities included, as tshark shows it.
            Event::Text(t) => self.push_text(&t),
            Event::CData(t) => self.push_text(&t),
            _ => {}
        }
        true
    }

    fn push_text(&mut self, t: &[u8]) {
        let at = offset_in(self.data, t);
        if let Some(p) = self.stack.last_mut() {
            p.text.push_str(&String::from_utf8_lossy(t));
            if let Some(s) = at {
                let first = p.text_span.map_or(s, |(f, _)| f);
                p.text_span = Some((first, s + t.len()));
            }
        }
    }
}

/// Per-connection memory: IQ requests waiting for their response, and which connections
/// switched to TLS.
#[derive(Clone, Default)]
pub struct XmppState {
    requests: HashMap<(u32, String), u64>,
    tls: HashSet<u32>,
}

const MAX_REQUESTS: usize = 65_536;

/// The short name tshark uses for a namespace in the Info column: what follows the last
/// `/` (`disco#items`, `bytestreams`; `jabber:iq:roster` stays whole).
fn ns_short(ns: &str) -> &str {
    match ns.rsplit_once('/') {
        Some((_, tail)) => tail,
        None => ns,
    }
}

/// Names of the IoT namespaces this dissector labels.
fn iot_namespace(ns: &str) -> Option<&'static str> {
    match ns {
        n if n.starts_with("http://jabber.org/protocol/pubsub") => {
            Some("XEP-0060 Publish-Subscribe")
        }
        n if n.starts_with("urn:xmpp:iot:sensordata") => Some("XEP-0323 IoT Sensor Data"),
        n if n.starts_with("urn:xmpp:iot:control") => Some("XEP-0325 IoT Control"),
        _ => None,
    }
}

/// A `<stream:stream>` header (RFC 6120 §4.7), labelled with its attributes.
fn stream_open(cx: &mut Cx, node: NodeId, tvb: &Tvb, el: &El) -> NodeId {
    let n = cx.add(node, &STREAM, range(tvb, el), Value::None);
    let mut label = String::from("STREAM");
    add_xmlns(cx, n, tvb, el);
    for (k, v) in &el.attrs {
        if k != "xmlns" && !k.starts_with("xmlns:") {
            label.push_str(&format!(" {k}={v}"));
        }
    }
    cx.set_text(n, label);
    n
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let stream = cx.info.stream.unwrap_or(u32::MAX);
    let data = tvb.data();
    let tls = cx.session.get::<XmppState>().tls.contains(&stream);
    if looks_like_tls(data) || tls && data.first() != Some(&b'<') {
        // After STARTTLS/PROCEED the stream is TLS (RFC 6120 §5.4.3.3); tshark hands it to
        // TLS, which labels the application data XMPP.
        crate::proto::tls::starttls(cx, PROTO.name);
        cx.call(&crate::proto::tls::PROTOCOL, tvb, parent);
        return Ok(());
    }
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.set_text(node, "XMPP Protocol");
    // Towards the XMPP port is "out" (client to server).
    let out = matches!(cx.info.dst_port, 5222 | 5269) && !matches!(cx.info.src_port, 5222);
    // tshark's XMPP reads its stanzas through the XML layer, which it keeps hidden in the
    // tree but lists in frame.protocols (`xmpp:xml`) and the Protocol column (`XMPP/XML`).
    cx.call_hidden(&crate::proto::xml::PROTOCOL, tvb, node);
    let (units, probs) = parse(data);
    let mut info = String::new();
    // Elements after a stream header in the same PDU are its children, as tshark sees them:
    // listed under the header, not decoded as stanzas.
    let mut in_header: Option<NodeId> = None;
    for u in &units {
        if let (Some(h), Unit::Element(el)) = (in_header, u) {
            nested_in_header(cx, h, tvb, el);
            continue;
        }
        if !matches!(u, Unit::StreamEnd { .. }) {
            // Hidden, as in tshark: for filtering (`xmpp.in`), not for display.
            let dir_field = if out { &OUT } else { &IN };
            cx.add_hidden(node, dir_field, tvb.whole(), Value::Bool(true));
        }
        match u {
            Unit::XmlDecl {
                version,
                start,
                end,
            } => {
                cx.add(
                    node,
                    &XML_HEADER_VERSION,
                    tvb.range(*start, end - start),
                    Value::str(version.clone()),
                );
                info = "XML ".into();
            }
            Unit::StreamOpen(el) => {
                in_header = Some(stream_open(cx, node, tvb, el));
                info = format!("STREAM {}", direction(el, out));
            }
            Unit::StreamEnd { start, end } => {
                cx.add(
                    node,
                    &STREAM_END,
                    tvb.range(*start, end - start),
                    Value::None,
                );
                info = "STREAM END".into();
            }
            Unit::Element(el) => {
                info = element(cx, node, tvb, el, out, stream);
            }
        }
    }
    if let Some(why) = &probs.malformed {
        cx.expert_with(node, &MALFORMED_XML, || format!("Malformed XML: {why}"));
    }
    if probs.doctype {
        cx.expert(node, &DOCTYPE, None);
    }
    if probs.too_deep {
        cx.expert(node, &TOO_DEEP, None);
    }
    if info.is_empty() && units.is_empty() && probs.malformed.is_none() {
        info = "XML".into();
    }
    cx.set_info(info);
    Ok(())
}

fn add_attr(cx: &mut Cx, n: NodeId, f: &'static FieldDef, tvb: &Tvb, el: &El, k: &str) {
    if let Some(v) = el.attr(k) {
        cx.add(n, f, el.attr_range_of(tvb, k), Value::str(v));
    }
}

fn range(tvb: &Tvb, el: &El) -> ByteRange {
    tvb.range(el.start, el.end.saturating_sub(el.start))
}

/// The element's namespaces: the default one first, then prefixed ones (tshark's order).
fn add_xmlns(cx: &mut Cx, n: NodeId, tvb: &Tvb, el: &El) {
    for (i, (k, v)) in el.attrs.iter().enumerate() {
        if k == "xmlns" {
            cx.add(n, &XMLNS, el.attr_range(tvb, i), Value::str(v.clone()));
        }
    }
    for (i, (k, v)) in el.attrs.iter().enumerate() {
        if k.starts_with("xmlns:") {
            cx.add(n, &XMLNS, el.attr_range(tvb, i), Value::str(v.clone()));
        }
    }
}

/// The Info column's direction: `> to ` for what the client sends, `< from ` otherwise.
fn direction(el: &El, out: bool) -> String {
    match (out, el.attr("to"), el.attr("from")) {
        (true, Some(to), _) => format!("> {to} "),
        (false, _, Some(from)) => format!("< {from} "),
        _ => String::new(),
    }
}

/// One top-level stanza or stream element; returns its Info text.
fn element(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El, out: bool, stream: u32) -> String {
    match el.local() {
        "iq" => iq(cx, parent, tvb, el, stream, &direction(el, out)),
        "message" => {
            message(cx, parent, tvb, el);
            format!("MESSAGE {}", direction(el, out))
        }
        "presence" => {
            presence(cx, parent, tvb, el);
            format!("PRESENCE {}", direction(el, out))
        }
        "features" => {
            features(cx, parent, tvb, el);
            "FEATURES ".into()
        }
        "starttls" => {
            let n = cx.add(parent, &STARTTLS, range(tvb, el), Value::None);
            add_xmlns(cx, n, tvb, el);
            "STARTTLS ".into()
        }
        "proceed" => {
            let n = cx.add(parent, &PROCEED, range(tvb, el), Value::None);
            add_xmlns(cx, n, tvb, el);
            // Both directions switch to TLS after this (RFC 6120 §5.4.3.3).
            let st = cx.session.get::<XmppState>();
            if st.tls.len() < MAX_REQUESTS {
                st.tls.insert(stream);
            }
            "PROCEED ".into()
        }
        "auth" => {
            let n = cx.add(parent, &AUTH, range(tvb, el), Value::None);
            add_xmlns(cx, n, tvb, el);
            if let Some(m) = el.attr("mechanism") {
                let r = el.attr_range_of(tvb, "mechanism");
                cx.add(n, &ATTRIBUTE, r, Value::str(m));
                cx.set_text(n, format!("AUTH mechanism={m}"));
            }
            cx.add(n, &CDATA, el.text_range(tvb), Value::str(el.text.clone()));
            "AUTH".into()
        }
        "challenge" | "response" | "success" => sasl_step(cx, parent, tvb, el),
        "failure" => {
            failure(cx, parent, tvb, el);
            "FAILURE ".into()
        }
        other => {
            let n = cx.add_text(parent, range(tvb, el), format!("UNKNOWN PACKET: {other}"));
            cx.expert_with(n, &PACKET_UNKNOWN, || format!("Unknown packet: {other}"));
            "UNKNOWN PACKET ".into()
        }
    }
}

/// The attributes `<message>` and `<presence>` share, in tshark's order.
fn add_stanza_attrs(cx: &mut Cx, n: NodeId, tvb: &Tvb, el: &El) {
    for (k, f) in [("from", &FROM), ("id", &ID), ("to", &TO), ("type", &TYPE)] {
        add_attr(cx, n, f, tvb, el, k);
    }
    add_attr(cx, n, &ATTRIBUTE, tvb, el, "xml:lang");
}

/// A child whose text is the item (`BODY: text`), with the text again as an attribute.
fn add_text_child(cx: &mut Cx, n: NodeId, f: &'static FieldDef, tvb: &Tvb, c: &El, label: &str) {
    let b = cx.add(n, f, range(tvb, c), Value::None);
    cx.set_text(
        b,
        format!("{label}: {}", crate::engine::value::escape_text(&c.text)),
    );
    cx.add(b, &ATTRIBUTE, range(tvb, c), Value::str(c.text.clone()));
}

/// A `<message>` stanza (RFC 6121 §5) with chat states (XEP-0085).
fn message(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) {
    let n = cx.add(parent, &MESSAGE, range(tvb, el), Value::None);
    add_stanza_attrs(cx, n, tvb, el);
    for c in &el.children {
        let xmlns = c.attr("xmlns").unwrap_or("");
        match c.local() {
            _ if xmlns == "http://jabber.org/protocol/chatstates" => {
                cx.add(n, &MESSAGE_CHATSTATE, range(tvb, c), Value::str(c.local()));
            }
            "body" => add_text_child(cx, n, &MESSAGE_BODY, tvb, c, "BODY"),
            "subject" => add_text_child(cx, n, &MESSAGE_SUBJECT, tvb, c, "SUBJECT"),
            "thread" => add_text_child(cx, n, &MESSAGE_THREAD, tvb, c, "THREAD"),
            "error" => stanza_error(cx, n, tvb, c),
            _ => generic(cx, n, tvb, c),
        }
    }
}

/// A `<presence>` stanza (RFC 6121 §4) with entity capabilities (XEP-0115).
fn presence(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) {
    let n = cx.add(parent, &PRESENCE, range(tvb, el), Value::None);
    add_stanza_attrs(cx, n, tvb, el);
    for c in &el.children {
        match c.local() {
            "show" => {
                cx.add(n, &PRESENCE_SHOW, range(tvb, c), Value::str(c.text.clone()));
            }
            "status" => add_text_child(cx, n, &PRESENCE_STATUS, tvb, c, "STATUS"),
            "c" => {
                let s = cx.add(n, &PRESENCE_CAPS, range(tvb, c), Value::None);
                add_xmlns(cx, s, tvb, c);
            }
            "error" => stanza_error(cx, n, tvb, c),
            _ => generic(cx, n, tvb, c),
        }
    }
}

/// `<stream:features>` (RFC 6120 §4.3.2) with the SASL mechanisms offered.
fn features(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) {
    let n = cx.add(parent, &FEATURES, range(tvb, el), Value::None);
    for c in &el.children {
        if c.local() != "mechanisms" {
            // tshark lists the offered STARTTLS as an unknown element too.
            generic(cx, n, tvb, c);
            continue;
        }
        let m = cx.add_text(n, range(tvb, c), "MECHANISMS");
        add_xmlns(cx, m, tvb, c);
        let mut names = vec![];
        for mech in &c.children {
            // tshark's MECHANISMS items cover the `<mechanism>` element, not just its text.
            cx.add(m, &CDATA, range(tvb, mech), Value::str(mech.text.clone()));
            names.push(mech.text.clone());
        }
        cx.set_text(m, format!("MECHANISMS: {}", names.join(", ")));
    }
}

/// A SASL challenge, response or success (RFC 6120 §6.4); returns its Info text.
fn sasl_step(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) -> String {
    let label = el.local().to_ascii_uppercase();
    let n = cx.add_text(parent, range(tvb, el), label.clone());
    let expert = match el.local() {
        "challenge" => &CHALLENGE,
        "success" => &SUCCESS,
        _ => &RESPONSE,
    };
    cx.expert(n, expert, None);
    add_xmlns(cx, n, tvb, el);
    cx.add(n, &CDATA, el.text_range(tvb), Value::str(el.text.clone()));
    label
}

/// A SASL `<failure>` (RFC 6120 §6.5): its condition and text.
fn failure(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) {
    let n = cx.add(parent, &FAILURE, range(tvb, el), Value::None);
    add_xmlns(cx, n, tvb, el);
    for c in &el.children {
        if c.local() == "text" {
            cx.add(n, &FAILURE_TEXT, range(tvb, c), Value::str(c.text.clone()));
        } else {
            cx.add_text(n, range(tvb, c), format!("CONDITION: {}", c.local()));
        }
    }
}

/// An `<iq>`: attributes, its payload, and request/response matching.
fn iq(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El, stream: u32, dir: &str) -> String {
    let n = cx.add(parent, &IQ, range(tvb, el), Value::None);
    for (k, f) in [("id", &ID), ("type", &TYPE), ("from", &FROM), ("to", &TO)] {
        add_attr(cx, n, f, tvb, el, k);
    }
    add_attr(cx, n, &ATTRIBUTE, tvb, el, "xml:lang");
    let ty = el.attr("type").unwrap_or("");
    let mut what = String::new();
    for c in &el.children {
        let xmlns = c.attr("xmlns").unwrap_or("");
        match c.local() {
            "bind" => {
                iq_bind(cx, n, tvb, c);
                what.get_or_insert_default_str("BIND ");
            }
            "session" => {
                let s = cx.add(n, &IQ_SESSION, range(tvb, c), Value::None);
                add_xmlns(cx, s, tvb, c);
                what.get_or_insert_default_str("SESSION ");
            }
            "query" => {
                iq_query(cx, n, tvb, c);
                what.get_or_insert_default_str(&format!("QUERY({}) ", ns_short(xmlns)));
            }
            "vCard" => {
                let v = cx.add(n, &VCARD, range(tvb, c), Value::None);
                add_xmlns(cx, v, tvb, c);
                what.get_or_insert_default_str("VCARD ");
            }
            "ping" => {
                let v = cx.add(n, &PING, range(tvb, c), Value::None);
                add_xmlns(cx, v, tvb, c);
                what.get_or_insert_default_str("PING ");
            }
            "error" => stanza_error(cx, n, tvb, c),
            other => {
                generic(cx, n, tvb, c);
                what.get_or_insert_default_str(&format!("{} ", other.to_ascii_uppercase()));
            }
        }
    }
    match_iq(cx, parent, n, el, stream);
    format!("IQ({ty}) {what}{dir}")
}

/// Resource binding (RFC 6120 §7): the resource asked for and the JID given.
fn iq_bind(cx: &mut Cx, n: NodeId, tvb: &Tvb, c: &El) {
    let b = cx.add(n, &IQ_BIND, range(tvb, c), Value::None);
    add_xmlns(cx, b, tvb, c);
    if let Some(r) = c.child("resource") {
        cx.add(
            b,
            &IQ_BIND_RESOURCE,
            range(tvb, r),
            Value::str(r.text.clone()),
        );
    }
    if let Some(j) = c.child("jid") {
        cx.add(b, &IQ_BIND_JID, range(tvb, j), Value::str(j.text.clone()));
    }
}

/// A `<query>`: roster items (RFC 6121 §2), disco identities and features (XEP-0030).
fn iq_query(cx: &mut Cx, n: NodeId, tvb: &Tvb, c: &El) {
    let q = cx.add(n, &QUERY, range(tvb, c), Value::None);
    add_xmlns(cx, q, tvb, c);
    add_attr(cx, q, &QUERY_NODE, tvb, c, "node");
    for i in &c.children {
        match i.local() {
            "item" => {
                let attrs = [
                    ("jid", &QUERY_ITEM_JID),
                    ("name", &QUERY_ITEM_NAME),
                    ("subscription", &QUERY_ITEM_SUBSCRIPTION),
                ];
                add_with_attrs(cx, q, &QUERY_ITEM, tvb, i, &attrs);
            }
            "identity" => {
                let attrs = [
                    ("category", &QUERY_IDENTITY_CATEGORY),
                    ("type", &QUERY_IDENTITY_TYPE),
                    ("name", &QUERY_IDENTITY_NAME),
                ];
                add_with_attrs(cx, q, &QUERY_IDENTITY, tvb, i, &attrs);
            }
            "feature" => {
                if let Some(v) = i.attr("var") {
                    cx.add(
                        q,
                        &QUERY_FEATURE,
                        i.attr_range_of(tvb, "var"),
                        Value::str(v),
                    );
                }
            }
            _ => generic(cx, q, tvb, i),
        }
    }
}

/// An element as an item with the given attributes under it, in this order.
fn add_with_attrs(
    cx: &mut Cx,
    parent: NodeId,
    f: &'static FieldDef,
    tvb: &Tvb,
    el: &El,
    attrs: &[(&str, &'static FieldDef)],
) {
    let n = cx.add(parent, f, range(tvb, el), Value::None);
    for (k, af) in attrs {
        add_attr(cx, n, af, tvb, el, k);
    }
}

/// Request/response matching per connection, by IQ id. tshark's rule: the first IQ with an id
/// is the request, every later one with the same id on the connection answers it.
fn match_iq(cx: &mut Cx, parent: NodeId, n: NodeId, el: &El, stream: u32) {
    let Some(id) = el.attr("id") else {
        return;
    };
    let key = (stream, id.to_string());
    let frame = cx.meta.number;
    let st = cx.session.get::<XmppState>();
    match st.requests.get(&key).copied() {
        Some(req) if req != frame => {
            cx.add_generated(parent, &RESPONSE_TO, Value::UInt(req));
        }
        Some(_) => {}
        None => {
            if st.requests.len() >= MAX_REQUESTS {
                st.requests.clear();
            }
            st.requests.insert(key, frame);
            if matches!(el.attr("type").unwrap_or(""), "get" | "set") {
                cx.expert(n, &PACKET_WITHOUT_RESPONSE, None);
            }
        }
    }
}

trait FirstOnly {
    fn get_or_insert_default_str(&mut self, s: &str);
}

impl FirstOnly for String {
    /// Keeps the first payload name only, as tshark's Info column does.
    fn get_or_insert_default_str(&mut self, s: &str) {
        if self.is_empty() {
            self.push_str(s);
        }
    }
}

/// A stanza `<error>` (RFC 6120 §8.3).
fn stanza_error(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) {
    let n = cx.add(parent, &ERROR, range(tvb, el), Value::None);
    add_attr(cx, n, &ERROR_TYPE, tvb, el, "type");
    add_attr(cx, n, &ERROR_CODE, tvb, el, "code");
    let mut cond = String::new();
    let mut text = String::new();
    for c in &el.children {
        if c.local() == "text" {
            text = c.text.clone();
            cx.add(n, &ERROR_TEXT, range(tvb, c), Value::str(c.text.clone()));
        } else {
            cond = c.local().to_string();
            cx.add(n, &ERROR_CONDITION, range(tvb, c), Value::str(c.local()));
        }
    }
    let msg = if text.is_empty() {
        format!("Stanza error: {cond}")
    } else {
        format!("Stanza error: {cond}; Text: {text}")
    };
    cx.expert(n, &RESPONSE, Some(msg));
}

/// An element that arrived in the same PDU as the stream header: tshark sees it as a child
/// of the (never closed) header and lists it as an unknown element with the namespaces and
/// text found inside it.
fn nested_in_header(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) {
    let n = cx.add(parent, &UNKNOWN, range(tvb, el), Value::str(el.local()));
    fn walk(cx: &mut Cx, n: NodeId, tvb: &Tvb, el: &El, depth: usize) {
        for c in &el.children {
            if let Some(ns) = c.attr("xmlns") {
                cx.add(n, &XMLNS, c.attr_range_of(tvb, "xmlns"), Value::str(ns));
            }
            if !c.text.is_empty() && c.children.is_empty() {
                cx.add(n, &CDATA, c.text_range(tvb), Value::str(c.text.clone()));
            }
            if depth < MAX_DEPTH {
                walk(cx, n, tvb, c, depth + 1);
            }
        }
    }
    walk(cx, n, tvb, el, 0);
    cx.expert_with(n, &UNKNOWN_ELEMENT, || {
        format!("Unknown element: {}", el.local())
    });
}

/// An element this dissector has no field for: its name and namespace, with IoT namespaces
/// named.
fn generic(cx: &mut Cx, parent: NodeId, tvb: &Tvb, el: &El) {
    let xmlns = el.attr("xmlns").unwrap_or("");
    let n = cx.add(parent, &UNKNOWN, range(tvb, el), Value::str(el.local()));
    add_xmlns(cx, n, tvb, el);
    match iot_namespace(xmlns) {
        Some(name) => cx.set_text(n, format!("{} ({name})", el.local().to_ascii_uppercase())),
        None => {
            cx.expert_with(n, &UNKNOWN_ELEMENT, || {
                format!("Unknown element: {}", el.local())
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::tcp::reassembly::testconn::Conn;

    #[test]
    fn stream_features_starttls_then_tls() {
        let mut c = Conn::new(5222);
        let p = c.c2s(b"<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
        assert_eq!(p.show("xmpp.xml_header_version"), ["1.0"]);
        assert_eq!(p.show("xmpp.out"), ["1", "1"]);
        assert_eq!(
            p.show("xmpp.xmlns"),
            ["jabber:client", "http://etherx.jabber.org/streams"]
        );
        assert_eq!(p.info(), "STREAM > example.com ");
        let p = c.s2c(b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>");
        assert_eq!(p.show("xmpp.in"), ["1"]);
        assert!(p.has("xmpp.features"));
        assert_eq!(p.show("xmpp.cdata"), ["PLAIN", "SCRAM-SHA-1"]);
        let p = c.c2s(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        assert!(p.has("xmpp.starttls"));
        let p = c.s2c(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        assert!(p.has("xmpp.proceed"));
        // A TLS record split over two segments: TLS from here on, carrying XMPP.
        let mut rec = vec![0x17, 3, 3, 0, 10];
        rec.extend_from_slice(&[1; 10]);
        let p = c.c2s(&rec[..8]);
        assert_eq!(p.packet.protocol_path(), "ip:tcp:tls");
        let p = c.c2s(&rec[8..]);
        assert_eq!(p.packet.protocol_path(), "ip:tcp:tls");
        assert_eq!(p.show("tls.app_data_proto"), ["XMPP Protocol"]);
        assert_eq!(p.info(), "Application Data");
    }

    #[test]
    fn sasl_bind_and_iq_matching() {
        let mut c = Conn::new(5222);
        let p = c.c2s(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGJvYgBzZWNyZXQ=</auth>");
        assert_eq!(p.show("xmpp.attribute"), ["PLAIN"]);
        assert_eq!(p.show("xmpp.cdata"), ["AGJvYgBzZWNyZXQ="]);
        let p = c.s2c(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        assert!(p.has("xmpp.success"));
        let p = c.s2c(b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>no</text></failure>");
        assert_eq!(p.show("xmpp.failure_text"), ["no"]);
        let p = c.c2s(b"<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>sensor</resource></bind></iq>");
        assert_eq!(p.show("xmpp.iq.bind.resource"), ["sensor"]);
        assert!(p.has("xmpp.packet_without_response"));
        assert_eq!(p.info(), "IQ(set) BIND ");
        let p = c.s2c(b"<iq type='result' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@b/sensor</jid></bind></iq>");
        assert_eq!(p.show("xmpp.iq.bind.jid"), ["a@b/sensor"]);
        assert_eq!(p.show("xmpp.response_to"), ["4"]);
        assert_eq!(p.show("xmpp.type"), ["result"]);
    }

    #[test]
    fn stanzas_errors_and_iot_namespaces() {
        let mut c = Conn::new(5222);
        let p = c.c2s(b"<message to='t@x' from='s@x/r' type='chat' id='m1'><subject>s</subject><body>21.5 C</body><thread>t1</thread></message><presence><show>away</show></presence>");
        assert_eq!(p.show("xmpp.from"), ["s@x/r"]);
        assert_eq!(p.show("xmpp.to"), ["t@x"]);
        assert_eq!(p.show("xmpp.id"), ["m1"]);
        assert!(p.has("xmpp.message.subject"));
        assert!(p.has("xmpp.message.thread"));
        assert_eq!(p.show("xmpp.presence.show"), ["away"]);
        let p = c.s2c(b"<iq type='error' id='e1' from='pubsub.x'><pubsub xmlns='http://jabber.org/protocol/pubsub'/><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
        assert_eq!(p.show("xmpp.error.condition"), ["item-not-found"]);
        assert_eq!(p.show("xmpp.error.type"), ["cancel"]);
        assert!(p.has("xmpp.response"));
        let n = p.packet.tree.by_abbrev("xmpp.unknown").next().unwrap();
        assert_eq!(
            p.packet.tree.text_of(n),
            Some("PUBSUB (XEP-0060 Publish-Subscribe)")
        );
        let p = c.c2s(b"<iq type='get' id='s1'><req xmlns='urn:xmpp:iot:sensordata' seqnr='1' momentary='true'/></iq>");
        let n = p.packet.tree.by_abbrev("xmpp.unknown").next().unwrap();
        assert_eq!(
            p.packet.tree.text_of(n),
            Some("REQ (XEP-0323 IoT Sensor Data)")
        );
        let p = c.c2s(b"</stream:stream>");
        assert!(p.has("xmpp.stream_end"));
    }

    #[test]
    fn malformed_xml_is_reported() {
        let mut c = Conn::new(5222);
        let p =
            c.c2s(b"<message to='a' to='b'><body>x</body></message><iq type='get' id=noquote/>");
        assert!(p.has("xmpp.xml.malformed"));
        assert!(!p.packet.is_malformed());
    }

    #[test]
    fn pdu_len_cuts_after_complete_elements() {
        assert_eq!(
            pdu_len(b"<?xml version='1.0'?><stream:stream to='a'>"),
            PduLen::Complete(43)
        );
        assert_eq!(
            pdu_len(b"<iq type='get'><query/></iq>\n"),
            PduLen::Complete(29)
        );
        assert_eq!(pdu_len(b"<message><body>hel"), PduLen::NeedMore);
        assert_eq!(pdu_len(b" "), PduLen::Complete(1));
        assert_eq!(pdu_len(&[0x17, 3, 3, 0, 2, 1, 2]), PduLen::Complete(7));
    }

    #[test]
    fn parse_is_bounded_and_never_expands_entities() {
        let mut deep = String::new();
        for _ in 0..100 {
            deep.push_str("<a>");
        }
        let (_, p) = parse(deep.as_bytes());
        assert!(p.too_deep);
        let (u, p) = parse(b"<!DOCTYPE x [<!ENTITY e 'boom'>]><message><body>&e;</body></message>");
        assert!(p.doctype);
        assert_eq!(u.len(), 1);
        if let Unit::Element(el) = &u[0] {
            assert!(!el.children[0].text.contains("boom"));
        }
    }
}
