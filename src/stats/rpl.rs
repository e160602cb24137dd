//! `-z rpl,tree`, `-z rpl,tree,dot` and `-z rpl,events`: the RPL DODAGs rebuilt from the
//! capture and their history, drawn from the one topology model in
//! `dissectors::analysis::topology` (the TUI's topology view draws the same model).

use super::Tap;
use dissectors::analysis::topology::{self, Topology};
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;

/// What to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Tree,
    Dot,
    Events,
}

pub struct RplTree {
    topology: Topology,
    output: Output,
}

impl RplTree {
    pub fn new(output: Output) -> Self {
        RplTree {
            topology: Topology::default(),
            output,
        }
    }
}

impl RplTree {
    /// The model, for the TUI's views.
    pub fn model(&self) -> &Topology {
        &self.topology
    }
}

impl Tap for RplTree {
    fn build(&self) -> Build {
        topology::build()
    }

    fn packet(&mut self, p: &Packet) {
        self.topology.add_packet(p);
    }

    fn render(&self, out: &mut String) {
        out.push_str(&match self.output {
            Output::Tree => self.topology.render_tree(),
            Output::Dot => self.topology.render_dot(),
            Output::Events => self.topology.render_events(),
        });
    }
}
