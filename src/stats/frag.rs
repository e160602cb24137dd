//! `-z 6lowpan,frag`: 6LoWPAN fragmentation per sender (datagrams, completion, missing
//! fragments, reassembly time, tag reuse), from `dissectors::analysis::lowpan_frag` (the TUI's
//! statistics view shows the same model).

use super::Tap;
use dissectors::analysis::lowpan_frag::{self, FragStats};
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;

#[derive(Default)]
pub struct Frag {
    stats: FragStats,
}

impl Frag {
    /// The model, for the TUI's views.
    pub fn model(&self) -> &FragStats {
        &self.stats
    }
}

impl Tap for Frag {
    fn build(&self) -> Build {
        lowpan_frag::build()
    }

    fn packet(&mut self, p: &Packet) {
        self.stats.add_packet(p);
    }

    fn render(&self, out: &mut String) {
        out.push_str(&self.stats.render());
    }
}
