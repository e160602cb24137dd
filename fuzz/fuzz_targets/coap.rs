//! CoAP messages (UDP 5683), one per chunk, through one engine (transactions, Observe, Block-wise).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_udp_payloads(5683, data);
});
