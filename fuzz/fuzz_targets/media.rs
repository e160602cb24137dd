//! The media layers (JSON, CBOR, XML, text) behind a CoAP 2.05 response: the first byte picks
//! the Content-Format, the rest is the payload.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, payload)) = data.split_first() else {
        return;
    };
    let cf = [0u8, 41, 50, 60, 110, 112][pick as usize % 6];
    let mut msg = vec![0x60, 0x45, 0x00, 0x01, 0xc1, cf, 0xff];
    msg.extend_from_slice(payload);
    let frame = lowshark_fuzz::udp4_frame(5683, &msg);
    lowshark_fuzz::run_frames(&[lowshark_fuzz::Frame {
        link_type: 1,
        ts_ns: 0,
        orig_len: frame.len() as u32,
        data: &frame,
    }]);
});
