//! The display-filter compiler on arbitrary text; filters that compile are evaluated on a
//! packet of every common kind.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let registry = lowshark_fuzz::registry();
    match dissectors::filter::Filter::compile(text, &registry) {
        Ok(filter) => {
            let mut engine = lowshark_fuzz::engine();
            for frame in [lowshark_fuzz::udp4_frame(5683, b"\x40\x01\x12\x34\xb4test"), lowshark_fuzz::tcp4_frame(1883, 1, b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")] {
                let meta = dissectors::engine::FrameMeta { number: 1, orig_len: frame.len() as u32, link_type: 1, ..Default::default() };
                let p = engine.dissect(meta, &frame);
                let _ = filter.matches(&p);
            }
        }
        Err(e) => {
            assert!(e.start <= e.end && e.end <= text.len(), "error span outside the text");
            let _ = e.render(text);
        }
    }
});
