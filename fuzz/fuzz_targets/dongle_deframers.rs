//! The sniffer dongles' byte-stream parsers (nRF text lines, Spinel/HDLC, sensniff, TI
//! Sniffer 2, CC2531 bulk records): the first byte picks the parser and the chunk size the
//! stream is fed in; every frame found is encoded as a TAP record and dissected.
#![no_main]

use lowshark::capture::dongle::{cc2531::RecordDeframer, tap, Deframer, Event, SerialFirmware};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let mut d: Box<dyn Deframer> = match sel % 5 {
        4 => Box::new(RecordDeframer::default()),
        i => SerialFirmware::ALL[i as usize].driver().deframer(),
    };
    let mut out = vec![];
    let mut frames = vec![];
    for chunk in rest.chunks(1 + (sel as usize >> 3)) {
        d.push(chunk, &mut out);
        for ev in out.drain(..) {
            if let Event::Frame(f) = ev {
                assert!(f.mpdu.len() <= 127);
                frames.push(tap::encode(&f, None, Some(1)));
            }
        }
    }
    lowshark_fuzz::run_owned(tap::LINKTYPE_IEEE802_15_4_TAP, &frames);
});
