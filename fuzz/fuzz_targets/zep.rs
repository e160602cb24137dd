//! ZEP (UDP 17754) carrying 802.15.4 frames, then 6LoWPAN and above.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_udp_payloads(17754, data);
});
