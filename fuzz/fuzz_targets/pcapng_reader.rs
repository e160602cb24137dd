//! A whole file through `CaptureReader::from_reader` (seeds: pcapng files). Same code path as
//! `pcap_reader`; separate so each corpus specialises on one format.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_capture(data);
});
