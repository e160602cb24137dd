//! `-z coap,srt` (response times per resource) and `-z coap,observe` (each observation and its
//! notifications), from the CoAP transaction model in `dissectors::proto::coap::track`.

use super::Tap;
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;
use dissectors::proto::coap::track::{self, CoapStats};

pub struct Coap {
    stats: CoapStats,
    observe: bool,
}

impl Coap {
    pub fn new(observe: bool) -> Self {
        Coap {
            stats: CoapStats::default(),
            observe,
        }
    }
}

impl Coap {
    /// The model, for the TUI's views.
    pub fn model(&self) -> &CoapStats {
        &self.stats
    }
}

impl Tap for Coap {
    fn build(&self) -> Build {
        track::stats_build()
    }

    fn packet(&mut self, p: &Packet) {
        self.stats.add_packet(p);
    }

    fn render(&self, out: &mut String) {
        if self.observe {
            out.push_str(&self.stats.render_observe());
        } else {
            out.push_str(&self.stats.render_srt());
        }
    }
}
