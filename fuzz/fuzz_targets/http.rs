//! HTTP/1.x (TCP 8080): messages split across segments (Content-Length, chunked, gzip bodies, media layers).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_tcp_payloads(8080, data);
});
