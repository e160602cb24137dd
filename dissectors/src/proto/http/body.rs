//! Where an HTTP/1.x message ends (RFC 9112 §6: message body length), for TCP's PDU framing
//! and for the dissector: the header section, then a body delimited by Content-Length or by
//! the chunked transfer coding (RFC 9112 §7.1).
//!
//! ```text
//! start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
//! chunked body: *( chunk-size [ ; ext ] CRLF chunk-data CRLF ) 0 CRLF *( trailer CRLF ) CRLF
//! ```

use crate::engine::registry::PduLen;

/// Largest header section looked at (beyond it the bytes are not taken for HTTP).
pub const MAX_HEADER: usize = 64 * 1024;

/// The methods tshark recognises a request by.
pub const METHODS: &[&str] = &[
    "GET",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "OPTIONS",
    "PATCH",
    "TRACE",
    "CONNECT",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "NOTIFY",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "M-SEARCH",
    "REPORT",
    "SEARCH",
];

/// Whether `b` starts like an HTTP/1.x request (`METHOD SP`) or response (`HTTP/1.x SP`).
pub fn starts_like_http(b: &[u8]) -> bool {
    if b.starts_with(b"HTTP/1.") {
        return true;
    }
    METHODS
        .iter()
        .any(|m| b.len() > m.len() && b.starts_with(m.as_bytes()) && b[m.len()] == b' ')
}

/// Whether the first line of `b` is an HTTP/1.x request line (`METHOD SP target SP HTTP/1.x`)
/// or status line: the stricter test for TCP's heuristic, which must not take other text
/// protocols (NATS's `CONNECT {…}`) for HTTP.
pub fn first_line_is_http(b: &[u8]) -> bool {
    let Some(end) = b.iter().position(|&c| c == b'\n') else {
        return false;
    };
    let line = String::from_utf8_lossy(&b[..end]);
    let line = line.trim_end_matches('\r');
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(v), Some(code), _) if v.starts_with("HTTP/1.") => {
            code.len() == 3 && code.bytes().all(|c| c.is_ascii_digit())
        }
        (Some(m), Some(_), Some(v)) => {
            METHODS.contains(&m) && (v == "HTTP/1.0" || v == "HTTP/1.1") && parts.next().is_none()
        }
        _ => false,
    }
}

/// The end of the header section (after its empty line), if it is all there.
pub fn header_end(b: &[u8]) -> Option<usize> {
    let lim = b.len().min(MAX_HEADER);
    let mut i = 0;
    while i < lim {
        if b[i] == b'\n' {
            if b.get(i + 1) == Some(&b'\n') {
                return Some(i + 2);
            }
            if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

/// How the body after a header section is delimited.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
    /// Up to the end of the connection (a response with neither).
    ToClose,
}

/// The body framing the header section `h` (start line included) declares.
pub fn framing(h: &[u8]) -> Framing {
    let text = String::from_utf8_lossy(h);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("");
    let response = first.starts_with("HTTP/");
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<u64>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"));
        }
    }
    if chunked {
        return Framing::Chunked;
    }
    if let Some(n) = length {
        return Framing::Length(n);
    }
    // RFC 9112 §6.3: 1xx, 204 and 304 responses have no body; a request without either header
    // has none.
    let status = first.split(' ').nth(1).and_then(|c| c.parse::<u16>().ok());
    match (response, status) {
        (true, Some(s)) if s < 200 || s == 204 || s == 304 => Framing::None,
        (true, _) => Framing::ToClose,
        _ => Framing::None,
    }
}

/// One chunk of a chunked body: where its size line starts, its size, where its data starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub size: usize,
    pub data: usize,
}

/// The chunks of a chunked body at the start of `b`, and where the body (trailers included)
/// ends; None while it is not all there. The last chunk has size 0.
pub fn chunks(b: &[u8]) -> Option<(Vec<Chunk>, usize)> {
    let mut out = vec![];
    let mut at = 0;
    loop {
        let line_end = at + b.get(at..)?.iter().position(|&c| c == b'\n')?;
        let line = std::str::from_utf8(&b[at..line_end]).ok()?;
        let hex = line.split(';').next()?.trim();
        let size = usize::from_str_radix(hex, 16).ok()?;
        let data = line_end + 1;
        out.push(Chunk {
            start: at,
            size,
            data,
        });
        if size == 0 {
            // Trailer fields up to an empty line.
            let mut t = data;
            loop {
                let e = t + b.get(t..)?.iter().position(|&c| c == b'\n')?;
                let empty = b[t..e].iter().all(|&c| c == b'\r');
                t = e + 1;
                if empty {
                    return Some((out, t));
                }
            }
        }
        let after = data.checked_add(size)?;
        // The CRLF after the data.
        let crlf = match b.get(after..after + 2)? {
            [b'\r', b'\n'] => 2,
            [b'\n', _] => 1,
            _ => return None,
        };
        at = after + crlf;
    }
}

/// PDU length of an HTTP/1.x message at the start of `b` (TCP's framing).
pub fn pdu_len(b: &[u8]) -> PduLen {
    if !starts_like_http(b) {
        // Too short to tell yet, or not HTTP.
        let prefix = METHODS
            .iter()
            .any(|m| m.as_bytes().starts_with(b) || b"HTTP/1.".starts_with(b));
        return if prefix && b.len() < 8 {
            PduLen::NeedMore
        } else {
            PduLen::NotMine
        };
    }
    let Some(h) = header_end(b) else {
        return if b.len() >= MAX_HEADER {
            PduLen::Complete(b.len())
        } else {
            PduLen::NeedMore
        };
    };
    match framing(&b[..h]) {
        Framing::None => PduLen::Complete(h),
        Framing::Length(n) => {
            PduLen::Complete(h.saturating_add(n.min(usize::MAX as u64 / 2) as usize))
        }
        Framing::Chunked => match chunks(&b[h..]) {
            Some((_, end)) => PduLen::Complete(h + end),
            None => PduLen::NeedMore,
        },
        // Everything the connection still sends: what is here now.
        Framing::ToClose => PduLen::Complete(b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_of_requests_and_responses() {
        // RFC 9112 §2.1 style request without a body.
        assert_eq!(
            pdu_len(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nnext"),
            PduLen::Complete(27)
        );
        assert_eq!(pdu_len(b"GET / HTTP/1.1\r\nHost"), PduLen::NeedMore);
        assert_eq!(pdu_len(b"GE"), PduLen::NeedMore);
        assert_eq!(pdu_len(b"\x16\x03\x01"), PduLen::NotMine);
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(pdu_len(r), PduLen::Complete(r.len()));
        assert_eq!(pdu_len(&r[..40]), PduLen::Complete(r.len()));
        assert_eq!(
            pdu_len(b"HTTP/1.1 204 No Content\r\n\r\n"),
            PduLen::Complete(27)
        );
    }

    #[test]
    fn chunked_bodies() {
        // RFC 9112 §7.1 example shape: two chunks, a last chunk, a trailer.
        let body = b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\nExpires: never\r\n\r\n";
        let (c, end) = chunks(body).unwrap();
        assert_eq!(c.iter().map(|c| c.size).collect::<Vec<_>>(), [4, 5, 0]);
        assert_eq!(end, body.len());
        assert!(chunks(&body[..20]).is_none());
        let mut msg = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let h = msg.len();
        msg.extend_from_slice(body);
        assert_eq!(pdu_len(&msg), PduLen::Complete(h + body.len()));
        assert_eq!(pdu_len(&msg[..h + 10]), PduLen::NeedMore);
    }
}
