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

/// Arithmetic display filters true of any UDP packet from port 5683 over Ethernet and IPv4
/// (`frame.len` = `ip.len` + 14). The filter unit tests check them on one such packet;
/// `tests/filter_vs_tshark.rs` runs them against tshark on a CoAP capture.
pub const UDP_5683_ARITHMETIC: &[&str] = &[
    "frame.len - 14 == ip.len",
    "ip.len + 14 == frame.len",
    "udp.srcport % 2 == 1",
    "udp.srcport / 2 == 2841",
    "udp.srcport + 1 * 2 == 5685",
    "udp.srcport - 1 - 1 == 5681",
];

/// RFC 6551 §3-§4 routing metric/constraint objects (type, flags, A field and precedence,
/// length, body) that both the RPL unit tests and `tests/rpl.rs` put in DIO metric containers.
pub mod rfc6551 {
    /// Hop count 3 (type 3).
    pub const HOP_COUNT: &[u8] = &[3, 0x00, 0x00, 2, 0x00, 0x03];
    /// ETX 256 (type 7) with the P flag set.
    pub const ETX: &[u8] = &[7, 0x04, 0x00, 2, 0x01, 0x00];
    /// Link quality level (type 6) of two links.
    pub const LQL: &[u8] = &[6, 0x00, 0x00, 3, 0x00, 0x41, 0x22];
    /// Link color (type 8) as a constraint (C flag).
    pub const LINK_COLOR_CONSTRAINT: &[u8] = &[8, 0x02, 0x00, 3, 0x00, 0x04, 0x01];
    /// Node energy (type 2).
    pub const NODE_ENERGY: &[u8] = &[2, 0x00, 0x00, 2, 0x0a, 0x64];
    /// Throughput 1000 (type 4).
    pub const THROUGHPUT: &[u8] = &[4, 0x00, 0x00, 4, 0, 0, 0x03, 0xe8];
    /// Latency 20 (type 5).
    pub const LATENCY: &[u8] = &[5, 0x00, 0x00, 4, 0, 0, 0, 20];
}
