//! A whole file through `CaptureReader::from_reader` (seeds: pcap files).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_capture(data);
});
