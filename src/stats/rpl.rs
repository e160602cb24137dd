//! `-z rpl,tree` and `-z rpl,tree,dot`: the RPL DODAG rebuilt from the capture, drawn from the
//! one topology model in `dissectors::analysis::topology` (the TUI draws the same model).

use super::Tap;
use dissectors::analysis::topology::Topology;
use dissectors::engine::Packet;

pub struct RplTree {
    topology: Topology,
    dot: bool,
}

impl RplTree {
    pub fn new(dot: bool) -> Self {
        RplTree {
            topology: Topology::default(),
            dot,
        }
    }
}

impl Tap for RplTree {
    fn packet(&mut self, p: &Packet) {
        self.topology.add_packet(p);
    }

    fn render(&self, out: &mut String) {
        if self.dot {
            out.push_str(&self.topology.render_dot());
        } else {
            out.push_str(&self.topology.render_tree());
        }
    }
}
