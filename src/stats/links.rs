//! `-z wpan,links`: 802.15.4 link health (frames, FCS failures, retransmissions, missing acks,
//! RSSI and LQI), from `dissectors::analysis::links` (the TUI's link view shows the same model).

use super::Tap;
use dissectors::analysis::links::{self, LinkStats};
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;

#[derive(Default)]
pub struct Links {
    stats: LinkStats,
}

impl Links {
    /// The model, for the TUI's views.
    pub fn model(&self) -> &LinkStats {
        &self.stats
    }
}

impl Tap for Links {
    fn build(&self) -> Build {
        links::build()
    }

    fn packet(&mut self, p: &Packet) {
        self.stats.add_packet(p);
    }

    fn render(&self, out: &mut String) {
        out.push_str(&self.stats.render());
    }
}
