//! TLS (TCP 443): records split across segments of one stream, through TCP reassembly and the handshake, extension and X.509 decoders.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_tcp_payloads(443, data);
});
