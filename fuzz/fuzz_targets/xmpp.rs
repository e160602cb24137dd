//! XMPP (TCP 5222): XML split across segments of one stream.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_tcp_payloads(5222, data);
});
