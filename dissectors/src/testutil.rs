//! Helpers for unit tests: dissect bytes and read field values back in their show form.

use crate::engine::value::show;
use crate::engine::{Engine, FrameMeta, Packet};

/// A dissected packet with convenient accessors.
pub struct TestPacket {
    pub packet: Packet,
}

impl TestPacket {
    /// Every value of the field with this abbreviation, in tshark's show form.
    pub fn show(&self, abbrev: &str) -> Vec<String> {
        self.packet
            .tree
            .by_abbrev(abbrev)
            .map(|n| show(n.field.expect("by_abbrev yields fields"), &n.value))
            .collect()
    }

    /// True when the packet has a node of this field.
    pub fn has(&self, abbrev: &str) -> bool {
        self.packet.tree.by_abbrev(abbrev).next().is_some()
    }

    pub fn info(&self) -> &str {
        &self.packet.columns.info
    }
}

/// Dissects one frame of the given link type with a fresh engine.
pub fn dissect_one(link_type: u32, data: &[u8]) -> TestPacket {
    let mut e = Engine::with_defaults();
    dissect_with(&mut e, link_type, data)
}

/// Dissects the next frame with an existing engine (to test state across frames).
pub fn dissect_with(engine: &mut Engine, link_type: u32, data: &[u8]) -> TestPacket {
    let meta = FrameMeta {
        number: 1,
        ts_ns: 0,
        orig_len: data.len() as u32,
        link_type,
        ..Default::default()
    };
    TestPacket {
        packet: engine.dissect(meta, data),
    }
}

/// Dissects `data` cut at every length from 0 to its full size: no cut may panic, and every cut
/// shorter than `min_complete` must leave a malformed mark. Returns the number of cuts tried.
pub fn assert_truncations_are_malformed(link_type: u32, data: &[u8], min_complete: usize) -> usize {
    for cut in 0..data.len() {
        let p = dissect_one(link_type, &data[..cut]);
        if cut < min_complete {
            assert!(
                p.packet.is_malformed(),
                "cut at {cut} bytes was not marked malformed"
            );
        }
    }
    data.len()
}
