//! HTTP/1.1 from RFC 9112's message syntax, over a test TCP connection on port 8080.

use crate::proto::tcp::reassembly::testconn::Conn;

#[test]
fn request_line_headers_and_full_uri() {
    let mut c = Conn::new(8080);
    let p = c.c2s(b"GET /sensors/temp?unit=c&n=2 HTTP/1.1\r\nHost: gw.example\r\nUser-Agent: t\r\nX-Own: 1\r\nCookie: a=1; b=2\r\n\r\n");
    assert_eq!(p.packet.protocol_path(), "ip:tcp:http");
    assert_eq!(p.info(), "GET /sensors/temp?unit=c&n=2 HTTP/1.1 ");
    assert_eq!(p.show("http.request.method"), ["GET"]);
    assert_eq!(p.show("http.request.uri.path"), ["/sensors/temp"]);
    assert_eq!(
        p.show("http.request.uri.query.parameter"),
        ["unit=c", "n=2"]
    );
    assert_eq!(p.show("http.host"), ["gw.example"]);
    assert_eq!(p.show("http.cookie_pair"), ["a=1", "b=2"]);
    // Every header line, known or not, is also a request line.
    assert_eq!(p.show("http.request.line").len(), 4);
    assert_eq!(
        p.show("http.request.full_uri"),
        ["http://gw.example/sensors/temp?unit=c&n=2"]
    );
    assert_eq!(p.show("http.request_number"), ["1"]);
}

#[test]
fn cookie_pairs_cover_their_own_bytes() {
    let mut c = Conn::new(8080);
    let p = c.c2s(b"GET / HTTP/1.1\r\nCookie: a=1; b=2;  c=3 ;\r\n\r\n");
    // As tshark splits them: blanks and semicolons before a pair skipped, none after.
    assert_eq!(p.show("http.cookie_pair"), ["a=1", "b=2", "c=3 "]);
    let header = p.packet.tree.by_abbrev("http.cookie").next().unwrap().range;
    let pairs: Vec<(u32, u32)> = p
        .packet
        .tree
        .by_abbrev("http.cookie_pair")
        .map(|n| (n.range.start - header.start, n.range.len))
        .collect();
    assert_eq!(pairs, [(8, 3), (13, 3), (19, 4)]);
}

#[test]
fn response_with_content_length_is_reassembled_and_matched() {
    let mut c = Conn::new(8080);
    c.c2s(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
    // The headers and the first part of the body, then the rest (RFC 9112 §6.2).
    let p = c.s2c(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":",
    );
    assert_eq!(
        p.info(),
        "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]"
    );
    assert!(!p.has("http"));
    let p = c.s2c(b"[1,2]}");
    assert_eq!(p.packet.protocol_path(), "ip:tcp:http:json");
    assert_eq!(p.show("http.response.code"), ["200"]);
    assert_eq!(p.show("http.content_length"), ["11"]);
    assert_eq!(p.show("http.request_in"), ["1"]);
    assert_eq!(p.show("http.file_data"), ["{\"a\":[1,2]}"]);
    assert_eq!(p.show("json.path_with_value"), ["/a/[]:1", "/a/[]:2"]);
    assert_eq!(
        p.info(),
        "HTTP/1.1 200 OK , JavaScript Object Notation (application/json)"
    );
}

#[test]
fn chunked_body() {
    let mut c = Conn::new(8080);
    c.c2s(b"GET /log HTTP/1.1\r\nHost: h\r\n\r\n");
    // RFC 9112 §7.1: two chunks, the last chunk, no trailer.
    let p = c.s2c(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n");
    assert_eq!(p.packet.protocol_path(), "ip:tcp:http:data-text-lines");
    assert_eq!(p.show("http.chunk_size"), ["4", "5", "0"]);
    assert_eq!(p.show("http.chunk_data"), ["57:69:6b:69", "70:65:64:69:61"]);
    assert_eq!(p.show("http.file_data"), ["Wikipedia"]);
    assert_eq!(p.show("http.transfer_encoding"), ["chunked"]);
}

#[test]
fn basic_credentials_and_status_phrases() {
    let mut c = Conn::new(8080);
    // RFC 7617 §2's example credentials.
    let p = c.c2s(b"GET / HTTP/1.1\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
    assert_eq!(p.show("http.authbasic"), ["Aladdin:open sesame"]);
    let p = c.s2c(b"HTTP/1.1 418 Nope\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(p.show("http.response.code.desc"), ["I'm a teapot"]);
    assert_eq!(p.show("http.response.phrase"), ["Nope"]);
}

#[test]
fn other_text_protocols_are_not_taken_for_http() {
    // NATS starts with "CONNECT {": not an HTTP request line.
    let mut c = Conn::new(4222);
    let p = c.c2s(b"CONNECT {\"verbose\":false}\r\n");
    assert!(!p.has("http"));
    assert!(p.has("data"));
}

proptest::proptest! {
    #[test]
    fn arbitrary_messages_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
        let mut c = Conn::new(8080);
        let mut msg = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        msg.extend_from_slice(&data);
        let _ = c.s2c(&msg);
        let _ = c.c2s(&data);
        let _ = super::body::pdu_len(&data);
    }
}
