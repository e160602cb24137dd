//! IEEE 802.15.4 frames with FCS (link type 195): MAC, IEs, security header, then the 6LoWPAN
//! decompressor and fragment reassembler fed the whole sequence, and everything above.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Chunks separated like the other drivers: each one is a frame.
    let frames: Vec<Vec<u8>> = data.split(|b| *b == 0xa5).map(<[u8]>::to_vec).take(64).collect();
    lowshark_fuzz::run_owned(195, &frames);
});
