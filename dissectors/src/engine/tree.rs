//! The protocol tree: an arena of nodes, each a field (or free text) with its value and the byte
//! range it was read from, in one of the packet's data sources.
//!
//! Nodes link to their first child and next sibling, so building a tree allocates nothing per node
//! beyond the arena itself; the arena is reused from packet to packet by the engine.

use crate::engine::field::{FieldDef, FieldType};
use crate::engine::value::Value;

/// Index of a node in its [`Tree`]. `NodeId::ROOT` is the invisible root every layer hangs off.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub const ROOT: NodeId = NodeId(0);
    const NONE: u32 = u32::MAX;
}

/// Which data source a byte range points into: 0 is the frame, later ones are buffers the
/// dissectors built (decompressed headers, reassembled datagrams).
pub type SourceId = u16;

/// Where a node's bytes are.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct ByteRange {
    pub source: SourceId,
    pub start: u32,
    pub len: u32,
}

impl ByteRange {
    pub fn end(&self) -> u32 {
        self.start + self.len
    }
}

/// Flags on a node.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeFlags {
    /// Computed by the dissector rather than read from the packet (`[Stream index: 0]`).
    pub generated: bool,
    /// Present for filtering and export but not drawn in the detail tree.
    pub hidden: bool,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// `None` for a free-text node.
    pub field: Option<&'static FieldDef>,
    pub value: Value,
    /// Replaces the generated label (protocol summaries, free text).
    pub text: Option<Box<str>>,
    pub range: ByteRange,
    pub flags: NodeFlags,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// The protocol tree of one packet.
#[derive(Clone, Debug)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Default for Tree {
    fn default() -> Self {
        Self::new()
    }
}

impl Tree {
    pub fn new() -> Tree {
        let mut t = Tree {
            nodes: Vec::with_capacity(64),
        };
        t.clear();
        t
    }

    /// Empties the tree, keeping its allocation.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.nodes.push(Node {
            field: None,
            value: Value::None,
            text: None,
            range: ByteRange::default(),
            flags: NodeFlags::default(),
            parent: NodeId::NONE,
            first_child: NodeId::NONE,
            last_child: NodeId::NONE,
            next_sibling: NodeId::NONE,
        });
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// Appends a node as the last child of `parent`.
    pub fn push(
        &mut self,
        parent: NodeId,
        field: Option<&'static FieldDef>,
        value: Value,
        range: ByteRange,
    ) -> NodeId {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            field,
            value,
            text: None,
            range,
            flags: NodeFlags::default(),
            parent: parent.0,
            first_child: NodeId::NONE,
            last_child: NodeId::NONE,
            next_sibling: NodeId::NONE,
        });
        let p = &mut self.nodes[parent.0 as usize];
        if p.last_child == NodeId::NONE {
            p.first_child = id;
        } else {
            let last = p.last_child as usize;
            p.last_child = id;
            self.nodes[last].next_sibling = id;
            return NodeId(id);
        }
        p.last_child = id;
        NodeId(id)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.0 as usize]
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.nodes[id.0 as usize].parent;
        (p != NodeId::NONE).then_some(NodeId(p))
    }

    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            tree: self,
            next: self.nodes[id.0 as usize].first_child,
        }
    }

    pub fn has_children(&self, id: NodeId) -> bool {
        self.nodes[id.0 as usize].first_child != NodeId::NONE
    }

    /// All nodes in tree order (depth first), the root excluded.
    pub fn iter(&self) -> DepthFirst<'_> {
        // Nodes are appended in creation order, which is not always depth-first order (a
        // dissector may add to an earlier subtree later), so walk the links; the parent links
        // make it a walk without a stack, so iterating allocates nothing.
        DepthFirst {
            tree: self,
            next: self.nodes[0].first_child,
        }
    }

    /// Every node, in creation order (cheaper than [`Tree::iter`] when order does not matter).
    pub fn nodes_unordered(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, n)| (NodeId(i as u32), n))
    }

    /// The first node of a field, in tree order.
    pub fn find(&self, field: &FieldDef) -> Option<&Node> {
        self.iter()
            .map(|(_, n)| n)
            .find(|n| n.field.is_some_and(|f| std::ptr::eq(f, field)))
    }

    /// Every value of a field, in tree order.
    pub fn values<'a>(&'a self, field: &'a FieldDef) -> impl Iterator<Item = &'a Value> + 'a {
        self.iter()
            .map(|(_, n)| n)
            .filter(move |n| n.field.is_some_and(|f| std::ptr::eq(f, field)))
            .map(|n| &n.value)
    }

    /// Nodes whose field has this abbreviation, in tree order.
    pub fn by_abbrev<'a>(&'a self, abbrev: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.iter()
            .map(|(_, n)| n)
            .filter(move |n| n.field.is_some_and(|f| f.abbrev == abbrev))
    }

    /// The protocol layers, top-level nodes whose field is a protocol.
    pub fn layers(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.children(NodeId::ROOT)
            .filter(|(_, n)| n.field.is_some_and(|f| f.ftype == FieldType::Protocol))
    }
}

/// Depth-first iteration over a tree, the root excluded.
pub struct DepthFirst<'a> {
    tree: &'a Tree,
    next: u32,
}

impl<'a> Iterator for DepthFirst<'a> {
    type Item = (NodeId, &'a Node);
    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NodeId::NONE {
            return None;
        }
        let id = self.next;
        let nodes = &self.tree.nodes;
        let n = &nodes[id as usize];
        self.next = if n.first_child != NodeId::NONE {
            n.first_child
        } else {
            // Up until an ancestor has a next sibling (the root has none and no parent).
            let mut cur = id;
            loop {
                let c = &nodes[cur as usize];
                if c.next_sibling != NodeId::NONE {
                    break c.next_sibling;
                }
                if c.parent == NodeId::NONE || c.parent == 0 {
                    break NodeId::NONE;
                }
                cur = c.parent;
            }
        };
        Some((NodeId(id), n))
    }
}

pub struct Children<'a> {
    tree: &'a Tree,
    next: u32,
}

impl<'a> Iterator for Children<'a> {
    type Item = (NodeId, &'a Node);
    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NodeId::NONE {
            return None;
        }
        let id = self.next;
        let n = &self.tree.nodes[id as usize];
        self.next = n.next_sibling;
        Some((NodeId(id), n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::field::FieldDef;

    static A: FieldDef = FieldDef::new("t.a", "A", FieldType::U8);

    #[test]
    fn children_keep_order_and_iter_is_depth_first() {
        let mut t = Tree::new();
        let r = ByteRange::default();
        let p1 = t.push(NodeId::ROOT, Some(&A), Value::UInt(1), r);
        let p2 = t.push(NodeId::ROOT, Some(&A), Value::UInt(2), r);
        t.push(p1, Some(&A), Value::UInt(11), r);
        t.push(p2, Some(&A), Value::UInt(21), r);
        t.push(p1, Some(&A), Value::UInt(12), r);
        let order: Vec<u64> = t.iter().map(|(_, n)| n.value.as_u64().unwrap()).collect();
        assert_eq!(order, vec![1, 11, 12, 2, 21]);
        assert_eq!(t.children(p1).count(), 2);
        assert_eq!(t.parent(p2), Some(NodeId::ROOT));
    }
}
