//! CoAP over TCP (RFC 8323 framing) on port 5683: consecutive segments of one stream.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_tcp_payloads(5683, data);
});
