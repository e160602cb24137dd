//! DTLS (UDP 5684, CoAP over DTLS): datagrams of records, handshake fragments reassembled.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_udp_payloads(5684, data);
});
