//! IEC 60870-5-104 (TCP 2404): consecutive segments of one stream, through TCP reassembly.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_tcp_payloads(2404, data);
});
