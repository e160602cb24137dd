//! Modbus/TCP (TCP 502): consecutive segments of one stream, through TCP reassembly.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_tcp_payloads(502, data);
});
