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

/// One line of the hierarchy, in drawing order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhsRow {
    pub depth: usize,
    pub name: &'static str,
    /// The layers from the top down to this one (`wpan`, `6lowpan`, `ipv6`).
    pub path: Vec<&'static str>,
    pub frames: u64,
    pub bytes: u64,
}

impl ProtocolHierarchy {
    /// The hierarchy depth first, as `-z io,phs` prints it.
    pub fn rows(&self) -> Vec<PhsRow> {
        let mut out = vec![];
        let mut stack: Vec<(&Node, usize, Vec<&'static str>)> = self
            .root
            .children
            .iter()
            .rev()
            .map(|c| (c, 0, vec![c.name]))
            .collect();
        while let Some((n, depth, path)) = stack.pop() {
            for c in n.children.iter().rev() {
                let mut p = path.clone();
                p.push(c.name);
                stack.push((c, depth + 1, p));
            }
            out.push(PhsRow {
                depth,
                name: n.name,
                path,
                frames: n.frames,
                bytes: n.bytes,
            });
        }
        out
    }

    /// Frames seen (the top layers' sum).
    pub fn frames(&self) -> u64 {
        self.root.children.iter().map(|c| c.frames).sum()
    }
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
        out.push_str("\n===================================================================\n");
        out.push_str("Protocol Hierarchy Statistics\nFilter: \n\n");
        for r in self.rows() {
            let label = format!("{}{}", "  ".repeat(r.depth), r.name);
            let _ = writeln!(out, "{label:<41}frames:{} bytes:{}", r.frames, r.bytes);
        }
        out.push_str("===================================================================\n");
    }
}
