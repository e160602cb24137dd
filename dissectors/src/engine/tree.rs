//! The protocol tree: an arena of nodes, each a field (or free text) with its value and the byte
//! range it was read from, in one of the packet's data sources.
//!
//! Nodes link to their first child and next sibling, and labels live in one text buffer, so
//! building a tree allocates nothing per node; the engine reuses the arena from packet to packet.
//!
//! A tree builds only what its [`Build`] asks for. Most outputs need few nodes or none (a
//! summary line needs the columns, `-e ipv6.src` needs one field, a display filter the fields it
//! names), and Wireshark's dissectors are written to run with no tree at all: the same holds
//! here. A node that is not built gets an id that remembers its nearest built ancestor
//! ([`NodeId::is_built`] is false for it), so its children still land in the right layer, and
//! writing to it is a no-op. Protocol layer nodes are always built, so layer counts
//! (`ip.src#2`) and protocol tests (`coap`) work in every mode.

use crate::engine::field::{FieldDef, FieldSet, FieldType};
use crate::engine::value::Value;
use std::fmt::{Display, Write};
use std::sync::Arc;

/// Index of a node in its [`Tree`]. `NodeId::ROOT` is the invisible root every layer hangs off.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub const ROOT: NodeId = NodeId(0);
    const NONE: u32 = u32::MAX;
    /// Set on the ids of nodes that were not built; the other bits name the built ancestor.
    const UNBUILT: u32 = 1 << 31;

    /// False for a node the tree's [`Build`] left out.
    pub fn is_built(self) -> bool {
        self.0 & Self::UNBUILT == 0
    }

    /// The node itself when built, else the nearest built ancestor.
    fn built(self) -> u32 {
        self.0 & !Self::UNBUILT
    }
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

/// Where a node's label is in the tree's text buffer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct TextSpan {
    start: u32,
    len: u32,
}

impl TextSpan {
    const NONE: TextSpan = TextSpan {
        start: u32::MAX,
        len: 0,
    };
}

#[derive(Clone, Debug)]
pub struct Node {
    /// `None` for a free-text node.
    pub field: Option<&'static FieldDef>,
    pub value: Value,
    pub range: ByteRange,
    pub flags: NodeFlags,
    /// Replaces the generated label (protocol summaries, free text); read with [`Tree::text`].
    text: TextSpan,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

impl Node {
    const EMPTY: Node = Node {
        field: None,
        value: Value::None,
        range: ByteRange {
            source: 0,
            start: 0,
            len: 0,
        },
        flags: NodeFlags {
            generated: false,
            hidden: false,
        },
        text: TextSpan::NONE,
        parent: NodeId::NONE,
        first_child: NodeId::NONE,
        last_child: NodeId::NONE,
        next_sibling: NodeId::NONE,
    };
}

/// What an unbuilt node reads as.
static UNBUILT_NODE: Node = Node::EMPTY;

/// What a tree builds.
#[derive(Clone, Debug, Default)]
pub enum Build {
    /// Every node (the detail tree, JSON).
    #[default]
    All,
    /// Protocol layers and the fields of the set (a display filter, `-e` fields).
    Only(Arc<FieldSet>),
    /// Protocol layers only (summary lines, `-w`: the columns are all they need).
    Layers,
}

impl Build {
    /// Only the layers and these fields.
    pub fn fields<'a>(fields: impl IntoIterator<Item = &'a FieldDef>) -> Build {
        let mut set = FieldSet::new();
        for f in fields {
            set.insert(f);
        }
        Build::Only(Arc::new(set))
    }

    /// Whether two builds are the same one, by identity for field sets: a test cheap enough
    /// to run on every frame (cloning a build touches its set's reference count).
    pub fn is_same(&self, other: &Build) -> bool {
        match (self, other) {
            (Build::All, Build::All) | (Build::Layers, Build::Layers) => true,
            (Build::Only(a), Build::Only(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// A build that gives every node either build gives.
    pub fn merge(self, other: Build) -> Build {
        match (self, other) {
            (Build::All, _) | (_, Build::All) => Build::All,
            (Build::Layers, b) | (b, Build::Layers) => b,
            (Build::Only(a), Build::Only(b)) => {
                let mut set = (*a).clone();
                set.extend(&b);
                Build::Only(Arc::new(set))
            }
        }
    }
}

/// The protocol tree of one packet.
#[derive(Clone, Debug)]
pub struct Tree {
    nodes: Vec<Node>,
    /// Every node's label, one after the other.
    text: String,
    build: Build,
    /// What writes to unbuilt nodes land on.
    scratch: Node,
}

impl Default for Tree {
    fn default() -> Self {
        Self::new()
    }
}

impl Tree {
    /// A tree that builds every node.
    pub fn new() -> Tree {
        Tree::with_build(Build::All)
    }

    pub fn with_build(build: Build) -> Tree {
        let mut t = Tree {
            nodes: Vec::with_capacity(64),
            text: String::new(),
            build,
            scratch: Node::EMPTY,
        };
        t.clear();
        t
    }

    /// Empties the tree, keeping its allocations and its [`Build`].
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.text.clear();
        self.nodes.push(Node::EMPTY);
    }

    pub fn build(&self) -> &Build {
        &self.build
    }

    pub fn set_build(&mut self, build: Build) {
        self.build = build;
    }

    /// Whether a node of `field` would be built.
    #[inline]
    pub fn wants(&self, field: Option<&FieldDef>) -> bool {
        match (&self.build, field) {
            (Build::All, _) => true,
            (_, Some(f)) if f.ftype == FieldType::Protocol => true,
            (Build::Only(set), Some(f)) => set.contains(f),
            _ => false,
        }
    }

    /// Whether any of `fields` would be built: a subtree of them that has no other effect can
    /// be skipped whole (a summary line keeps none of them, a field list a few).
    pub fn wants_any(&self, fields: &[&FieldDef]) -> bool {
        fields.iter().any(|f| self.wants(Some(f)))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// Appends a node as the last child of `parent` (or of its nearest built ancestor), when
    /// the tree's [`Build`] wants it.
    ///
    /// Inlined so that a node the build skips costs its caller a test and no call: with a
    /// partial build most pushes are skipped, and the caller's `value` (known there) is then
    /// dropped without a drop-glue call.
    #[inline]
    pub fn push(
        &mut self,
        parent: NodeId,
        field: Option<&'static FieldDef>,
        value: Value,
        range: ByteRange,
    ) -> NodeId {
        let parent = parent.built();
        if !self.wants(field) {
            return NodeId(parent | NodeId::UNBUILT);
        }
        self.push_built(parent, field, value, range)
    }

    /// The out-of-line half of [`Tree::push`]: links a wanted node in.
    #[inline(never)]
    fn push_built(
        &mut self,
        parent: u32,
        field: Option<&'static FieldDef>,
        value: Value,
        range: ByteRange,
    ) -> NodeId {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            field,
            value,
            range,
            parent,
            ..Node::EMPTY
        });
        let p = &mut self.nodes[parent as usize];
        let last = std::mem::replace(&mut p.last_child, id);
        if last == NodeId::NONE {
            p.first_child = id;
        } else {
            self.nodes[last as usize].next_sibling = id;
        }
        NodeId(id)
    }

    /// The node; an unbuilt one reads as an empty node.
    pub fn node(&self, id: NodeId) -> &Node {
        if id.is_built() {
            &self.nodes[id.0 as usize]
        } else {
            &UNBUILT_NODE
        }
    }

    /// The flags of a built node, to change them; None for an unbuilt one. Cheaper than
    /// [`Tree::node_mut`] for the many generated and hidden items a partial build skips.
    #[inline]
    pub fn flags_mut(&mut self, id: NodeId) -> Option<&mut NodeFlags> {
        if id.is_built() {
            Some(&mut self.nodes[id.0 as usize].flags)
        } else {
            None
        }
    }

    /// The node, to change it; changes to an unbuilt one are thrown away.
    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        if id.is_built() {
            &mut self.nodes[id.0 as usize]
        } else {
            self.scratch = Node::EMPTY;
            &mut self.scratch
        }
    }

    /// Whether a node's label would be kept: the node is built, and the build shows labels
    /// (a whole tree) or names the node's field (`-e coap` prints the CoAP layer's label).
    /// Layers are built for every build, but their labels only for these.
    pub fn wants_text(&self, id: NodeId) -> bool {
        if !id.is_built() {
            return false;
        }
        match &self.build {
            Build::All => true,
            Build::Layers => false,
            Build::Only(set) => self.nodes[id.0 as usize]
                .field
                .is_some_and(|f| set.contains(f)),
        }
    }

    /// Sets a node's label, formatting it only when the label is wanted
    /// ([`Tree::wants_text`]).
    pub fn set_text(&mut self, id: NodeId, text: impl Display) {
        if !self.wants_text(id) {
            return;
        }
        let start = self.text.len();
        let _ = write!(self.text, "{text}");
        let span = TextSpan {
            start: start as u32,
            len: (self.text.len() - start) as u32,
        };
        self.nodes[id.0 as usize].text = span;
    }

    /// A node's own label, when the dissector gave it one.
    pub fn text(&self, id: NodeId) -> Option<&str> {
        self.text_of(self.node(id))
    }

    /// The label of a node of this tree, when the dissector gave it one.
    pub fn text_of(&self, node: &Node) -> Option<&str> {
        let span = node.text;
        if span == TextSpan::NONE {
            return None;
        }
        let start = span.start as usize;
        self.text.get(start..start + span.len as usize)
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        if !id.is_built() {
            return Some(NodeId(id.built()));
        }
        let p = self.nodes[id.0 as usize].parent;
        (p != NodeId::NONE).then_some(NodeId(p))
    }

    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            tree: self,
            next: self.node(id).first_child,
        }
    }

    pub fn has_children(&self, id: NodeId) -> bool {
        self.node(id).first_child != NodeId::NONE
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
    static B: FieldDef = FieldDef::new("t.b", "B", FieldType::U8);
    static P: FieldDef = FieldDef::protocol("t", "T");

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

    #[test]
    fn a_partial_tree_hangs_wanted_nodes_under_their_nearest_built_ancestor() {
        let mut set = FieldSet::new();
        set.insert(&B);
        let mut t = Tree::with_build(Build::Only(Arc::new(set)));
        let r = ByteRange::default();
        let layer = t.push(NodeId::ROOT, Some(&P), Value::None, r);
        let skipped = t.push(layer, Some(&A), Value::UInt(1), r);
        assert!(!skipped.is_built());
        t.set_text(skipped, "never formatted");
        t.node_mut(skipped).value = Value::UInt(9);
        let kept = t.push(skipped, Some(&B), Value::UInt(2), r);
        assert!(kept.is_built());
        assert_eq!(t.parent(kept), Some(layer));
        let values: Vec<u64> = t.iter().filter_map(|(_, n)| n.value.as_u64()).collect();
        assert_eq!(values, vec![2]);
        assert_eq!(t.text(skipped), None);
        assert_eq!(t.children(skipped).count(), 0);
    }

    #[test]
    fn labels_share_one_buffer() {
        let mut t = Tree::new();
        let r = ByteRange::default();
        let layer = t.push(NodeId::ROOT, Some(&P), Value::None, r);
        t.set_text(layer, format_args!("T, {} bytes", 12));
        let field = t.push(layer, Some(&A), Value::UInt(1), r);
        t.set_text(field, "A: one");
        assert_eq!(t.text(layer), Some("T, 12 bytes"));
        assert_eq!(t.text(field), Some("A: one"));
    }

    #[test]
    fn a_layers_only_tree_keeps_no_labels_and_clear_keeps_the_build() {
        let mut t = Tree::with_build(Build::Layers);
        let r = ByteRange::default();
        let layer = t.push(NodeId::ROOT, Some(&P), Value::None, r);
        assert!(layer.is_built());
        assert!(!t.wants_text(layer));
        t.set_text(layer, format_args!("T, {} bytes", 12));
        assert_eq!(t.text(layer), None);
        assert!(!t.push(layer, Some(&A), Value::UInt(1), r).is_built());
        t.clear();
        assert!(t.is_empty());
        assert!(matches!(t.build(), Build::Layers));
    }
}
