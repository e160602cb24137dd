//! HTTP/1.0 and HTTP/1.1 (RFC 9112 message syntax, RFC 9110 semantics) over TCP, with tshark
//! 4.0's fields; port 443 is TLS carrying HTTP.
//!
//! ```text
//! GET /data.json?x=1 HTTP/1.1\r\n        request line: method, URI (path, query, parameters), version
//! Host: gw.example\r\n                   header fields: known ones as http.host, http.content_type, …,
//! Content-Length: 5\r\n                  every one also as http.request.line / http.response.line
//! \r\n
//! hello                                   body: Content-Length or chunked (RFC 9112 §7.1); gzip or
//!                                         deflate content coding undone; then the media layer of
//!                                         its Content-Type (json, xml, data-text-lines, media)
//! ```
//! TCP reassembles a message until its body is complete ([`body::pdu_len`]), as tshark holds
//! segments for HTTP. Requests and responses are matched per connection in order
//! (`http.request_in`, `http.time`, `http.prev_request_in`, …).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry, StreamPdus};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::{bytes_to_text, Value};
use crate::engine::Cx;
use std::collections::{HashMap, VecDeque};

pub mod body;
mod status;
#[cfg(test)]
mod tests;

use body::{Chunk, Framing};

crate::fields! {
    PROTO = FieldDef::protocol("http", "Hypertext Transfer Protocol");
    REQUEST = FieldDef::new("http.request", "Request", T::Bool);
    RESPONSE = FieldDef::new("http.response", "Response", T::Bool);
    REQUEST_LINE = FieldDef::new("http.request.line", "Request line", T::String);
    RESPONSE_LINE = FieldDef::new("http.response.line", "Response line", T::String);
    METHOD = FieldDef::new("http.request.method", "Request Method", T::String);
    URI = FieldDef::new("http.request.uri", "Request URI", T::String);
    URI_PATH = FieldDef::new("http.request.uri.path", "Request URI Path", T::String);
    URI_QUERY = FieldDef::new("http.request.uri.query", "Request URI Query", T::String);
    URI_QUERY_PARAMETER = FieldDef::new("http.request.uri.query.parameter", "Request URI Query Parameter", T::String);
    REQUEST_VERSION = FieldDef::new("http.request.version", "Request Version", T::String);
    RESPONSE_VERSION = FieldDef::new("http.response.version", "Response Version", T::String);
    FULL_URI = FieldDef::new("http.request.full_uri", "Full request URI", T::String);
    CODE = FieldDef::new("http.response.code", "Status Code", T::U16);
    CODE_DESC = FieldDef::new("http.response.code.desc", "Status Code Description", T::String);
    PHRASE = FieldDef::new("http.response.phrase", "Response Phrase", T::String);
    RESPONSE_FOR_URI = FieldDef::new("http.response_for.uri", "Request URI", T::String);
    AUTHORIZATION = FieldDef::new("http.authorization", "Authorization", T::String);
    AUTHBASIC = FieldDef::new("http.authbasic", "Credentials", T::String);
    PROXY_AUTHENTICATE = FieldDef::new("http.proxy_authenticate", "Proxy-Authenticate", T::String);
    PROXY_AUTHORIZATION = FieldDef::new("http.proxy_authorization", "Proxy-Authorization", T::String);
    WWW_AUTHENTICATE = FieldDef::new("http.www_authenticate", "WWW-Authenticate", T::String);
    CONTENT_TYPE = FieldDef::new("http.content_type", "Content-Type", T::String);
    CONTENT_LENGTH_HEADER = FieldDef::new("http.content_length_header", "Content-Length", T::String);
    CONTENT_LENGTH = FieldDef::new("http.content_length", "Content length", T::U64);
    CONTENT_ENCODING = FieldDef::new("http.content_encoding", "Content-Encoding", T::String);
    TRANSFER_ENCODING = FieldDef::new("http.transfer_encoding", "Transfer-Encoding", T::String);
    UPGRADE = FieldDef::new("http.upgrade", "Upgrade", T::String);
    USER_AGENT = FieldDef::new("http.user_agent", "User-Agent", T::String);
    HOST = FieldDef::new("http.host", "Host", T::String);
    CONNECTION = FieldDef::new("http.connection", "Connection", T::String);
    COOKIE = FieldDef::new("http.cookie", "Cookie", T::String);
    COOKIE_PAIR = FieldDef::new("http.cookie_pair", "Cookie pair", T::String);
    ACCEPT = FieldDef::new("http.accept", "Accept", T::String);
    REFERER = FieldDef::new("http.referer", "Referer", T::String);
    ACCEPT_LANGUAGE = FieldDef::new("http.accept_language", "Accept-Language", T::String);
    ACCEPT_ENCODING = FieldDef::new("http.accept_encoding", "Accept Encoding", T::String);
    DATE = FieldDef::new("http.date", "Date", T::String);
    CACHE_CONTROL = FieldDef::new("http.cache_control", "Cache-Control", T::String);
    SERVER = FieldDef::new("http.server", "Server", T::String);
    LOCATION = FieldDef::new("http.location", "Location", T::String);
    SET_COOKIE = FieldDef::new("http.set_cookie", "Set-Cookie", T::String);
    LAST_MODIFIED = FieldDef::new("http.last_modified", "Last-Modified", T::String);
    X_FORWARDED_FOR = FieldDef::new("http.x_forwarded_for", "X-Forwarded-For", T::String);
    SEC_WEBSOCKET_KEY = FieldDef::new("http.sec_websocket_key", "Sec-WebSocket-Key", T::String);
    SEC_WEBSOCKET_ACCEPT = FieldDef::new("http.sec_websocket_accept", "Sec-WebSocket-Accept", T::String);
    SEC_WEBSOCKET_VERSION = FieldDef::new("http.sec_websocket_version", "Sec-WebSocket-Version", T::String);
    SEC_WEBSOCKET_PROTOCOL = FieldDef::new("http.sec_websocket_protocol", "Sec-WebSocket-Protocol", T::String);
    REQUEST_IN = FieldDef::new("http.request_in", "Request in frame", T::FrameNum).blurb("This packet is a response to the packet with this number");
    PREV_REQUEST_IN = FieldDef::new("http.prev_request_in", "Prev request in frame", T::FrameNum);
    PREV_RESPONSE_IN = FieldDef::new("http.prev_response_in", "Prev response in frame", T::FrameNum);
    TIME = FieldDef::new("http.time", "Time since request", T::RelTime);
    REQUEST_NUMBER = FieldDef::new("http.request_number", "Request number", T::U32);
    RESPONSE_NUMBER = FieldDef::new("http.response_number", "Response number", T::U32);
    FILE_DATA = FieldDef::new("http.file_data", "File Data", T::String);
    CHUNK_SIZE = FieldDef::new("http.chunk_size", "Chunk size", T::U32);
    CHUNK_DATA = FieldDef::new("http.chunk_data", "Chunk data", T::Bytes);
    CHUNK_BOUNDARY = FieldDef::new("http.chunk_boundary", "Chunk boundary", T::Bytes);
    CHUNKED_TRAILER_PART = FieldDef::new("http.chunked_trailer_part", "trailer-part", T::String);
}

crate::experts! {
    CHAT = ExpertDef::new("http.chat", Group::Sequence, Severity::Chat, "Formatted text");
    DECOMPRESSION_FAILED = ExpertDef::new("http.decompression_failed", Group::Undecoded, Severity::Warn, "Decompression failed");
}

crate::protocol!("http", "HTTP", dissect, register, EXPERTS);

static STREAM_PDUS: StreamPdus = StreamPdus {
    pdu_len: body::pdu_len,
    clears_info: false,
    shows_pdu_size: false,
    partial: Some(partial_start),
};

/// The TCP ports tshark 4.0 decodes as HTTP.
const PORTS: &[u16] = &[
    80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371,
];

fn register(r: &mut Registry) {
    for p in PORTS {
        r.add(tables::TCP_PORT, *p as u64, &PROTOCOL);
    }
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
    r.add_heuristic(tables::TCP_HEUR, &PROTOCOL, |tvb, _| {
        body::first_line_is_http(tvb.data())
    });
    crate::proto::tls::register_port(r, 443, &PROTOCOL);
}

/// tshark's HTTP sets the Info column to the start line before it asks TCP for the rest of
/// the message.
fn partial_start(tvb: &Tvb, cx: &mut Cx, _: NodeId) {
    let d = tvb.data();
    if let Some(end) = d.iter().position(|&c| c == b'\n') {
        let line = String::from_utf8_lossy(&d[..end]);
        cx.set_info(format!("{} ", line.trim_end_matches('\r')));
    }
}

/// Requests waiting for their response, and counters, per connection.
#[derive(Clone, Default)]
struct Conv {
    /// (frame, time, full URI) of requests not yet answered, oldest first.
    pending: VecDeque<(u64, i64, Option<String>)>,
    requests: u32,
    responses: u32,
    last_request: Option<u64>,
    last_response: Option<u64>,
    /// The request the previous response answered.
    last_answered: Option<u64>,
}

#[derive(Clone, Default)]
pub struct HttpState {
    convs: HashMap<u32, Conv>,
}

/// Connections and unanswered requests per connection kept at once.
const MAX_CONVS: usize = 65_536;
const MAX_PENDING: usize = 256;

/// The start line, parsed.
enum StartLine<'a> {
    Request {
        method: (usize, &'a str),
        uri: (usize, &'a str),
        version: (usize, &'a str),
    },
    Response {
        version: (usize, &'a str),
        code: (usize, &'a str),
        phrase: (usize, &'a str),
    },
}

/// Splits `line` at its first two spaces: three (offset, text) parts.
fn three_parts(line: &str) -> Option<[(usize, &str); 3]> {
    let a = line.find(' ')?;
    let rest = &line[a + 1..];
    let b = a + 1 + rest.find(' ').unwrap_or(rest.len());
    let third = line.get(b + 1..).unwrap_or("");
    Some([(0, &line[..a]), (a + 1, &line[a + 1..b]), (b + 1, third)])
}

fn start_line(line: &str) -> Option<StartLine<'_>> {
    let [p0, p1, p2] = three_parts(line)?;
    if p0.1.starts_with("HTTP/") {
        Some(StartLine::Response {
            version: p0,
            code: p1,
            phrase: p2,
        })
    } else {
        Some(StartLine::Request {
            method: p0,
            uri: p1,
            version: p2,
        })
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let data = tvb.data();
    if !body::starts_like_http(data) {
        cx.reject();
        return Ok(());
    }
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    let hdr_end = body::header_end(data).unwrap_or(data.len());
    let first_end = data.iter().position(|&c| c == b'\n').unwrap_or(data.len());
    let first = String::from_utf8_lossy(&data[..first_end]).into_owned();
    let first = first.trim_end_matches('\r');
    cx.set_info(format!("{first} "));
    let sl = start_line(first);
    let is_request = matches!(sl, Some(StartLine::Request { .. }));
    let line_node = add_line_text(cx, node, tvb, 0, first_end + 1);
    cx.expert(
        line_node,
        &CHAT,
        Some(shown_line(&data[..(first_end + 1).min(data.len())])),
    );
    let mut full_uri = None;
    let mut uri_text = String::new();
    match &sl {
        Some(StartLine::Request {
            method,
            uri,
            version,
        }) => {
            add_part(cx, line_node, &METHOD, tvb, *method);
            let u = add_part(cx, line_node, &URI, tvb, *uri);
            uri_query(cx, u, tvb, *uri);
            add_part(cx, line_node, &REQUEST_VERSION, tvb, *version);
            uri_text = uri.1.to_string();
        }
        Some(StartLine::Response {
            version,
            code,
            phrase,
        }) => {
            add_part(cx, line_node, &RESPONSE_VERSION, tvb, *version);
            let c = code.1.parse::<u16>().unwrap_or(0);
            cx.add(
                line_node,
                &CODE,
                tvb.range(code.0, code.1.len()),
                Value::UInt(c as u64),
            );
            let desc = status::phrase(c);
            cx.add_generated(line_node, &CODE_DESC, Value::str(desc));
            add_part(cx, line_node, &PHRASE, tvb, *phrase);
        }
        None => {}
    }
    let headers = headers(cx, node, tvb, first_end + 1, hdr_end, is_request)?;
    if let Some(h) = &headers.host {
        full_uri = Some(format!("http://{h}{uri_text}"));
    }
    if let Some(u) = &full_uri {
        cx.add_generated(node, &FULL_URI, Value::str(u.clone()));
    }
    track(cx, node, is_request, full_uri);
    message_body(cx, node, parent, tvb, hdr_end, &headers)?;
    Ok(())
}

/// The label text of a line: its bytes with CR and LF shown as `\r` `\n`.
fn shown_line(b: &[u8]) -> String {
    bytes_to_text(b)
}

/// A text item for the line `[s, e)`.
fn add_line_text(cx: &mut Cx, node: NodeId, tvb: &Tvb, s: usize, e: usize) -> NodeId {
    let e = e.min(tvb.len());
    cx.add_text(node, tvb.range(s, e - s), shown_line(&tvb.data()[s..e]))
}

fn add_part(
    cx: &mut Cx,
    parent: NodeId,
    f: &'static FieldDef,
    tvb: &Tvb,
    (off, s): (usize, &str),
) -> NodeId {
    cx.add(parent, f, tvb.range(off, s.len()), Value::str(s))
}

/// The path, query and query parameters of a request URI with a `?`.
fn uri_query(cx: &mut Cx, u: NodeId, tvb: &Tvb, (off, uri): (usize, &str)) {
    let Some(q) = uri.find('?') else { return };
    let (path, query) = (&uri[..q], &uri[q + 1..]);
    add_part(cx, u, &URI_PATH, tvb, (off, path));
    let qn = add_part(cx, u, &URI_QUERY, tvb, (off + q + 1, query));
    let mut at = off + q + 1;
    for p in query.split('&') {
        add_part(cx, qn, &URI_QUERY_PARAMETER, tvb, (at, p));
        at += p.len() + 1;
    }
}

/// The header fields tshark has a field of its own for (names compared without case).
const KNOWN: &[(&str, &FieldDef)] = &[
    ("authorization", &AUTHORIZATION),
    ("proxy-authenticate", &PROXY_AUTHENTICATE),
    ("proxy-authorization", &PROXY_AUTHORIZATION),
    ("www-authenticate", &WWW_AUTHENTICATE),
    ("content-type", &CONTENT_TYPE),
    ("content-length", &CONTENT_LENGTH_HEADER),
    ("content-encoding", &CONTENT_ENCODING),
    ("transfer-encoding", &TRANSFER_ENCODING),
    ("upgrade", &UPGRADE),
    ("user-agent", &USER_AGENT),
    ("host", &HOST),
    ("connection", &CONNECTION),
    ("cookie", &COOKIE),
    ("accept", &ACCEPT),
    ("referer", &REFERER),
    ("accept-language", &ACCEPT_LANGUAGE),
    ("accept-encoding", &ACCEPT_ENCODING),
    ("date", &DATE),
    ("cache-control", &CACHE_CONTROL),
    ("server", &SERVER),
    ("location", &LOCATION),
    ("set-cookie", &SET_COOKIE),
    ("last-modified", &LAST_MODIFIED),
    ("x-forwarded-for", &X_FORWARDED_FOR),
    ("sec-websocket-key", &SEC_WEBSOCKET_KEY),
    ("sec-websocket-accept", &SEC_WEBSOCKET_ACCEPT),
    ("sec-websocket-version", &SEC_WEBSOCKET_VERSION),
    ("sec-websocket-protocol", &SEC_WEBSOCKET_PROTOCOL),
];

/// What the header section says that the rest needs.
#[derive(Default)]
struct Headers {
    host: Option<String>,
    content_type: Option<String>,
    content_encoding: Option<String>,
    framing: Option<Framing>,
}

/// The header fields between `start` and `end` (the empty line included).
fn headers(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    start: usize,
    end: usize,
    request: bool,
) -> Result<Headers> {
    let data = tvb.data();
    let line_f = if request {
        &REQUEST_LINE
    } else {
        &RESPONSE_LINE
    };
    let mut h = Headers::default();
    let mut at = start;
    while at < end {
        let e = data[at..end]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(end, |i| at + i + 1);
        let raw = &data[at..e];
        let text = String::from_utf8_lossy(raw);
        let content = text.trim_end_matches(['\r', '\n']);
        if content.is_empty() {
            add_line_text(cx, node, tvb, at, e);
            break;
        }
        let r = tvb.range(at, e - at);
        let label = shown_line(raw);
        let line = Value::str(text.clone().into_owned());
        match content.split_once(':') {
            Some((name, value)) => {
                let value = value.trim_start();
                let lname = name.trim().to_ascii_lowercase();
                match KNOWN.iter().find(|(n, _)| *n == lname) {
                    Some((_, f)) => {
                        let n = cx.add(node, f, r, Value::str(value));
                        cx.set_text(n, label);
                        let span = value_span(raw, at);
                        header_details(cx, n, &lname, value, r, tvb, span, &mut h);
                        cx.add_hidden(node, line_f, r, line);
                    }
                    None => {
                        let n = cx.add(node, line_f, r, line);
                        cx.set_text(n, label);
                    }
                }
            }
            None => {
                let n = cx.add(node, line_f, r, line);
                cx.set_text(n, label);
            }
        }
        at = e;
    }
    h.framing = Some(body::framing(&data[..end.min(data.len())]));
    Ok(h)
}

/// Where a header line's value lies in the packet: after the colon and the blanks that
/// follow it, up to the line end (`raw` is the line, `at` its offset).
fn value_span(raw: &[u8], at: usize) -> (usize, usize) {
    let end = raw.len()
        - raw
            .iter()
            .rev()
            .take_while(|&&c| c == b'\r' || c == b'\n')
            .count();
    let colon = raw.iter().position(|&c| c == b':').map_or(end, |i| i + 1);
    let start = colon
        + raw[colon.min(end)..end]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
    (at + start.min(end), at + end)
}

/// The cookie pairs of a `Cookie` value between `start` and `end`, as tshark splits them:
/// each after the blanks and semicolons before it, up to the next semicolon.
fn cookie_pairs(cx: &mut Cx, n: NodeId, tvb: &Tvb, (start, end): (usize, usize)) {
    let data = tvb.data();
    let value = data.get(start..end).unwrap_or_default();
    let mut i = 0;
    while i < value.len() {
        i += value[i..]
            .iter()
            .take_while(|&&c| c == b' ' || c == b';')
            .count();
        if i >= value.len() {
            break;
        }
        let len = value[i..]
            .iter()
            .position(|&c| c == b';')
            .unwrap_or(value.len() - i);
        let pair = String::from_utf8_lossy(&value[i..i + len]).into_owned();
        cx.add(n, &COOKIE_PAIR, tvb.range(start + i, len), Value::str(pair));
        i += len;
    }
}

/// What tshark shows under some header fields, and what the dissector keeps from them.
#[allow(clippy::too_many_arguments)]
fn header_details(
    cx: &mut Cx,
    n: NodeId,
    name: &str,
    value: &str,
    r: crate::engine::tree::ByteRange,
    tvb: &Tvb,
    span: (usize, usize),
    h: &mut Headers,
) {
    match name {
        "host" => h.host = Some(value.to_string()),
        "content-type" => h.content_type = Some(value.to_string()),
        "content-encoding" => h.content_encoding = Some(value.to_ascii_lowercase()),
        "content-length" => {
            if let Ok(len) = value.trim().parse::<u64>() {
                cx.add_generated_at(n, &CONTENT_LENGTH, r, Value::UInt(len));
            }
        }
        "cookie" => cookie_pairs(cx, n, tvb, span),
        "authorization" | "proxy-authorization" => {
            if let Some(b64) = value.strip_prefix("Basic ") {
                if let Some(creds) = base64_decode(b64.trim()) {
                    let s = String::from_utf8_lossy(&creds).into_owned();
                    cx.add(n, &AUTHBASIC, r, Value::str(s));
                }
            }
        }
        _ => {}
    }
}

/// RFC 4648 base64 (Basic credentials, RFC 7617).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let b = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(b.len() * 3 / 4);
    for chunk in b.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// Request/response matching per connection (`http.request_in`, `http.time`, numbers).
fn track(cx: &mut Cx, node: NodeId, is_request: bool, full_uri: Option<String>) {
    if cx.in_error {
        return;
    }
    let stream = cx.info.stream.unwrap_or(u32::MAX);
    let frame = cx.meta.number;
    let ts = cx.meta.ts_ns;
    let st = cx.session.get::<HttpState>();
    if st.convs.len() >= MAX_CONVS && !st.convs.contains_key(&stream) {
        st.convs.clear();
    }
    let c = st.convs.entry(stream).or_default();
    if is_request {
        c.requests += 1;
        let (n, prev) = (c.requests, c.last_request);
        c.last_request = Some(frame);
        if c.pending.len() >= MAX_PENDING {
            c.pending.pop_front();
        }
        c.pending.push_back((frame, ts, full_uri));
        cx.add_hidden(node, &REQUEST, Default::default(), Value::Bool(true));
        cx.add_generated(node, &REQUEST_NUMBER, Value::UInt(n as u64));
        if let Some(p) = prev {
            cx.add_generated(node, &PREV_REQUEST_IN, Value::UInt(p));
        }
        return;
    }
    c.responses += 1;
    let n = c.responses;
    let (prev_req, prev_resp) = (c.last_answered, c.last_response);
    let matched = c.pending.pop_front();
    c.last_response = Some(frame);
    if let Some((f, _, _)) = &matched {
        c.last_answered = Some(*f);
    }
    cx.add_hidden(node, &RESPONSE, Default::default(), Value::Bool(true));
    cx.add_generated(node, &RESPONSE_NUMBER, Value::UInt(n as u64));
    if let Some((f, t, uri)) = matched {
        cx.add_generated(node, &TIME, Value::RelTime(ts.saturating_sub(t)));
        if let Some(p) = prev_req {
            cx.add_generated(node, &PREV_REQUEST_IN, Value::UInt(p));
        }
        if let Some(p) = prev_resp {
            cx.add_generated(node, &PREV_RESPONSE_IN, Value::UInt(p));
        }
        cx.add_generated(node, &REQUEST_IN, Value::UInt(f));
        if let Some(u) = uri {
            cx.add_generated(node, &RESPONSE_FOR_URI, Value::str(u));
        }
    }
}

/// Bodies larger than this are not decompressed (a small compressed body can expand a lot).
const MAX_DECOMPRESSED: u64 = 16 << 20;

/// The body after the header section: de-chunked and decompressed, shown as `http.file_data`
/// and handed to the layer of its media type.
fn message_body(
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    tvb: &Tvb,
    hdr_end: usize,
    h: &Headers,
) -> Result<()> {
    let rest = tvb.sub_from(hdr_end.min(tvb.len()))?;
    // The de-chunked body, when there is one (its buffer must outlive `content`).
    let dechunked = match h.framing {
        Some(Framing::Chunked) => {
            let Some((chunks, _)) = body::chunks(rest.data()) else {
                return Ok(());
            };
            let data = chunked(cx, node, &rest, &chunks);
            Some(cx.add_source("De-chunked entity body", data))
        }
        _ => None,
    };
    let content = match h.framing {
        Some(Framing::Chunked) => dechunked.as_ref().map(|b| b.tvb()),
        Some(Framing::Length(n)) => Some(rest.sub_clamped(0, n.min(usize::MAX as u64) as usize)),
        Some(Framing::ToClose) => Some(rest),
        _ => None,
    };
    let Some(mut content) = content.filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let decoded;
    if let Some(enc) = h.content_encoding.as_deref().filter(|e| *e != "identity") {
        match decompress(enc, content.data()) {
            Some(d) => {
                let text = format!(
                    "Content-encoded entity body ({enc}): {} bytes -> {} bytes",
                    content.len(),
                    d.len()
                );
                cx.add_text(node, content.whole(), text);
                decoded = cx.add_source("Uncompressed entity body", d);
                content = decoded.tvb();
            }
            None => {
                let n = cx.add_text(
                    node,
                    content.whole(),
                    format!("Content-encoded entity body ({enc})"),
                );
                cx.expert(n, &DECOMPRESSION_FAILED, None);
            }
        }
    }
    let fd = cx.add(
        node,
        &FILE_DATA,
        content.whole(),
        Value::str(String::from_utf8_lossy(content.data()).into_owned()),
    );
    cx.set_text(fd, format!("File Data: {} bytes", content.len()));
    let media = h.content_type.as_deref().map(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let handled = media
        .as_deref()
        .is_some_and(|t| crate::proto::media::call(cx, t, &content, parent));
    if !handled {
        if let Some(t) = media {
            // A media type no layer knows: tshark's `media` layer, naming the type.
            let saved = cx.match_string.replace(t.into());
            cx.call(&crate::proto::media::PROTOCOL, &content, parent);
            cx.match_string = saved;
        } else {
            cx.call_data(&content, parent);
        }
    }
    Ok(())
}

/// The chunks of a chunked body under `HTTP chunked response`; returns the de-chunked data.
fn chunked(cx: &mut Cx, node: NodeId, rest: &Tvb, chunks: &[Chunk]) -> Vec<u8> {
    let t = cx.add_text(node, rest.whole(), "HTTP chunked response");
    let mut data = vec![];
    for c in chunks {
        let d = rest.data();
        if c.size == 0 {
            let n = cx.add_text(
                t,
                rest.range(c.start, c.data - c.start),
                "End of chunked encoding",
            );
            cx.add(
                n,
                &CHUNK_SIZE,
                rest.range(c.start, c.data - c.start),
                Value::UInt(0),
            );
            // The empty line that ends the trailers.
            let end = rest.len();
            if end >= 2 {
                add_line_text(cx, t, rest, end - 2, end);
            }
            break;
        }
        let n = cx.add_text(
            t,
            rest.range(c.start, c.data + c.size + 2 - c.start),
            format!("Data chunk ({} octets)", c.size),
        );
        cx.add(
            n,
            &CHUNK_SIZE,
            rest.range(c.start, c.data - c.start),
            Value::UInt(c.size as u64),
        );
        let bytes = &d[c.data..c.data + c.size];
        cx.add(
            n,
            &CHUNK_DATA,
            rest.range(c.data, c.size),
            Value::bytes(bytes),
        );
        let b_end = (c.data + c.size + 2).min(d.len());
        let boundary = &d[c.data + c.size..b_end];
        cx.add(
            n,
            &CHUNK_BOUNDARY,
            rest.range(c.data + c.size, boundary.len()),
            Value::bytes(boundary),
        );
        data.extend_from_slice(bytes);
    }
    data
}

/// Undoes a gzip or deflate content coding (RFC 9110 §8.4.1), within [`MAX_DECOMPRESSED`].
fn decompress(enc: &str, data: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = vec![];
    let limit = MAX_DECOMPRESSED;
    let n = match enc {
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(data)
            .take(limit)
            .read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(data)
            .take(limit)
            .read_to_end(&mut out),
        _ => return None,
    };
    n.ok().map(|_| out)
}
