//! `Registry::decode_as` on arbitrary strings (one rule per line, at most 4); when a rule is
//! accepted, a UDP and a TCP frame to the rule's first number are dissected with it.
#![no_main]

use dissectors::engine::{Engine, FrameMeta, Prefs};
use dissectors::engine::registry::Registry;
use std::sync::Arc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut r = Registry::builtin();
    let mut accepted = None;
    for rule in text.lines().take(4) {
        if r.decode_as(rule).is_ok() {
            accepted = Some(rule.to_string());
        }
    }
    let Some(rule) = accepted else { return };
    let port = rule
        .split(|c: char| !c.is_ascii_digit())
        .find_map(|s| s.parse::<u16>().ok())
        .unwrap_or(0);
    let mut e = Engine::new(Arc::new(r), Prefs::default());
    for (i, f) in [
        lowshark_fuzz::udp4_frame(port, rule.as_bytes()),
        lowshark_fuzz::tcp4_frame(port, 1, rule.as_bytes()),
    ]
    .iter()
    .enumerate()
    {
        let meta = FrameMeta {
            number: i as u64 + 1,
            orig_len: f.len() as u32,
            link_type: 1,
            ..Default::default()
        };
        let p = e.dissect(meta, f);
        lowshark_fuzz::check_outputs(&p, 0);
    }
});
