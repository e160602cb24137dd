//! `-z io,phs`: protocol hierarchy statistics, from each packet's layer path.

use super::Tap;
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;
use std::fmt::Write;

#[derive(Default)]
struct Node {
    name: &'static str,
    frames: u64,
    bytes: u64,
    children: Vec<Node>,
}

#[derive(Default)]
pub struct ProtocolHierarchy {
    root: Node,
}

impl Tap for ProtocolHierarchy {
    /// The layer path is all it reads.
    fn build(&self) -> Build {
        Build::Layers
    }

    fn packet(&mut self, p: &Packet) {
        let len = p.meta.orig_len as u64;
        let mut node = &mut self.root;
        // tshark leaves the frame and the ethertype pseudo-layer out of the hierarchy.
        for name in p
            .protocols
            .iter()
            .filter(|n| **n != "frame" && **n != "ethertype" && **n != "_ws.malformed")
        {
            let i = match node.children.iter().position(|c| c.name == *name) {
                Some(i) => i,
                None => {
                    node.children.push(Node {
                        name,
                        ..Default::default()
                    });
                    node.children.len() - 1
                }
            };
            node = &mut node.children[i];
            node.frames += 1;
            node.bytes += len;
        }
    }

    fn render(&self, out: &mut String) {
        fn walk(out: &mut String, n: &Node, depth: usize) {
            for c in &n.children {
                let label = format!("{}{}", "  ".repeat(depth), c.name);
                let _ = writeln!(out, "{label:<41}frames:{} bytes:{}", c.frames, c.bytes);
                walk(out, c, depth + 1);
            }
        }
        out.push_str("\n===================================================================\n");
        out.push_str("Protocol Hierarchy Statistics\nFilter: \n\n");
        walk(out, &self.root, 0);
        out.push_str("===================================================================\n");
    }
}
