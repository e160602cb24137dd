//! Frames of one link type (first byte) through one engine and every output format.
//! Input encoding: `lowshark_fuzz` crate docs ("Frame encoding").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lowshark_fuzz::run_link_frames(data);
});
