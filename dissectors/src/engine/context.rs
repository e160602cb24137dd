//! The context a dissector works in ([`Cx`]): the tree it builds, the packet's columns and
//! addresses, the registry to find the next protocol, the session state and the preferences.
//!
//! A dissector hands what follows to the next protocol through [`Cx::call_table`] /
//! [`Cx::call`], which apply decode-as overrides, bound the nesting depth, and turn a failed
//! sub-dissector into a `_ws.malformed` item without failing the layers that called it.
//!
//! Tree helpers return the node they added together with the value they read ([`Item`]), so a
//! dissector never has to find its node again; labels are `impl Display` and are formatted only
//! when the node is built (pass `format_args!(…)` to format nothing for a tree that skips it).

use crate::engine::address::Address;
use crate::engine::expert::Severity;
use crate::engine::expert::{ws, ExpertDef};
use crate::engine::field::{FieldDef, FieldType};
use crate::engine::packet::{Columns, DataSource, FrameMeta, FrameTimes, Packet, PacketInfo};
use crate::engine::registry::{Protocol, Registry};
use crate::engine::session::{Prefs, Session};
use crate::engine::tree::{ByteRange, NodeFlags, NodeId, SourceId, Tree};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use std::borrow::Cow;
use std::fmt::{Display, Write};
use std::sync::Arc;

/// Layers deeper than this are cut off as malformed (IPv6-in-IPv6-in-… from hostile input).
pub const MAX_DEPTH: u32 = 48;

/// The fields of one protocol's checksum verdict, for [`Cx::add_checksum_status`].
pub struct ChecksumFields {
    /// `<proto>.checksum.status` (values [`crate::engine::checksum::status`]).
    pub status: &'static FieldDef,
    /// The expert item on a bad checksum.
    pub bad: &'static ExpertDef,
    /// `<proto>.checksum_calculated`, for protocols that show it.
    pub calculated: Option<&'static FieldDef>,
    /// The expert's message names the expected value (`Bad checksum [should be 0x…]`).
    pub say_expected: bool,
}

/// A data source a dissector just added, and a handle to read it.
pub struct NewSource {
    pub id: SourceId,
    pub data: Arc<[u8]>,
}

impl NewSource {
    pub fn tvb(&self) -> Tvb<'_> {
        Tvb::new(&self.data, self.id)
    }
}

/// Byte order of an integer field.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Endian {
    Big,
    Little,
}

/// A node a tree helper added, and the value it read.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Item<T> {
    pub node: NodeId,
    pub value: T,
}

/// What dissecting a packet found beyond the tree and columns.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Facts {
    /// Malformed-packet reports so far ([`Cx::malformed`]).
    pub malformed: u32,
    pub max_severity: Option<Severity>,
}

/// The context a dissector works in.
pub struct Cx<'e> {
    pub tree: &'e mut Tree,
    pub columns: &'e mut Columns,
    pub info: &'e mut PacketInfo,
    pub meta: &'e FrameMeta,
    pub times: FrameTimes,
    pub registry: &'e Registry,
    pub session: &'e mut Session,
    pub prefs: &'e Prefs,
    pub(crate) sources: &'e mut Vec<DataSource>,
    pub(crate) protocols: &'e mut Vec<&'static str>,
    pub(crate) facts: Facts,
    depth: u32,
    /// True while dissecting the packet quoted inside an ICMP error: layers then must not update
    /// conversation state, and a quote cut short is not malformed (Wireshark's `in_error_pkt`).
    pub in_error: bool,
    /// Set by [`Cx::reject`], read and cleared by [`Cx::call`].
    rejected: bool,
    /// The key a string table matched while its protocol runs (Wireshark's
    /// `pinfo->match_string`): the media type a JSON or XML layer was called for.
    pub match_string: Option<Box<str>>,
    /// Set by [`Cx::call_hidden`]: the next layer added is hidden.
    hide_layer: bool,
}

impl<'e> Cx<'e> {
    /// The context for dissecting `packet`, whose tree, columns, info, sources and layer list
    /// the dissectors fill; the rest is what the engine lends for the frame.
    pub(crate) fn for_packet(
        packet: &'e mut Packet,
        times: FrameTimes,
        registry: &'e Registry,
        session: &'e mut Session,
        prefs: &'e Prefs,
    ) -> Cx<'e> {
        let Packet {
            meta,
            tree,
            sources,
            columns,
            info,
            protocols,
            ..
        } = packet;
        Cx {
            tree,
            columns,
            info,
            meta,
            times,
            registry,
            session,
            prefs,
            sources,
            protocols,
            facts: Facts::default(),
            depth: 0,
            in_error: false,
            rejected: false,
            match_string: None,
            hide_layer: false,
        }
    }

    // ---- dispatch ----------------------------------------------------------------------------

    /// Dissects `tvb` as `proto` under `parent`. A failure inside is recorded as malformed and
    /// does not propagate: the calling layer stays intact. Returns false when the protocol
    /// refused the bytes ([`Cx::reject`]), so the caller can show them as data.
    pub fn call(&mut self, proto: &'static Protocol, tvb: &Tvb, parent: NodeId) -> bool {
        if !self.registry.is_enabled(proto) {
            // As tshark's call_dissector: a protocol turned off shows its bytes as data.
            self.call_data(tvb, parent);
            return true;
        }
        if self.depth >= MAX_DEPTH {
            let n = self
                .tree
                .push(NodeId::ROOT, Some(&ws::MALFORMED), Value::None, tvb.whole());
            self.facts.malformed += 1;
            self.expert(n, &ws::DEPTH_EXPERT, None);
            return true;
        }
        self.depth += 1;
        self.rejected = false;
        let r = (proto.dissect)(tvb, self, parent);
        let accepted = !std::mem::take(&mut self.rejected);
        self.depth -= 1;
        match r {
            // A quoted packet in an ICMP error is expected to be cut short.
            Err(Error::Short) if self.in_error => {}
            Err(e) => self.malformed(proto, tvb, &e),
            Ok(()) => {}
        }
        accepted
    }

    /// Like [`Cx::call`], with the layer `proto` adds hidden from the detail tree (still in
    /// `frame.protocols`, filters and JSON): how tshark's XMPP shows the XML layer it parses its
    /// stanzas with.
    pub fn call_hidden(&mut self, proto: &'static Protocol, tvb: &Tvb, parent: NodeId) -> bool {
        self.hide_layer = true;
        let accepted = self.call(proto, tvb, parent);
        self.hide_layer = false;
        accepted
    }

    /// Says that the bytes a dissector was given are not its protocol after all (tshark's
    /// "return 0"): what it added stays in the tree, but the caller treats the payload as
    /// undissected. A rejecting dissector should not have called `add_proto`, so that the layer
    /// does not count in `frame.protocols`.
    pub fn reject(&mut self) {
        self.rejected = true;
    }

    /// Hands `tvb` to whichever protocol `table` lists under `key`; false when none does or the
    /// protocol refused it.
    pub fn call_table(&mut self, table: &str, key: u64, tvb: &Tvb, parent: NodeId) -> bool {
        // A protocol turned off is not in its tables: the caller tries what comes next.
        match self.registry.lookup(table, key) {
            Some(p) if self.registry.is_enabled(p) => self.call(p, tvb, parent),
            _ => false,
        }
    }

    /// Hands `tvb` to whichever protocol the string table `table` lists under `key` (compared
    /// without case, as Wireshark's media-type table does), with `key` as
    /// [`Cx::match_string`] while it runs; false when none does or the protocol refused it.
    pub fn call_string_table(&mut self, table: &str, key: &str, tvb: &Tvb, parent: NodeId) -> bool {
        let Some(p) = self.registry.lookup_str(table, key) else {
            return false;
        };
        if !self.registry.is_enabled(p) {
            return false;
        }
        let saved = self.match_string.replace(key.into());
        let accepted = self.call(p, tvb, parent);
        self.match_string = saved;
        accepted
    }

    /// Tries the heuristic dissectors of `list` in turn; true when one took the payload.
    pub fn call_heuristics(&mut self, list: &str, tvb: &Tvb, parent: NodeId) -> bool {
        let registry = self.registry;
        for (proto, accepts) in registry.heuristics(list) {
            if accepts(tvb, self) {
                self.call(proto, tvb, parent);
                return true;
            }
        }
        false
    }

    /// Shows `tvb` as undecoded data (the registry's data protocol).
    pub fn call_data(&mut self, tvb: &Tvb, parent: NodeId) {
        if tvb.is_empty() {
            return;
        }
        if let Some(data) = self.registry.data_protocol() {
            self.call(data, tvb, parent);
        }
    }

    /// Dissects the packet an ICMP error quotes: as `proto`, under `parent`, without touching
    /// this packet's columns and addresses or any conversation state.
    pub fn call_quoted(&mut self, proto: &'static Protocol, tvb: &Tvb, parent: NodeId) {
        let saved = (self.columns.clone(), self.info.clone(), self.in_error);
        self.in_error = true;
        self.call(proto, tvb, parent);
        *self.columns = saved.0;
        *self.info = saved.1;
        self.in_error = saved.2;
    }

    /// Records that `proto` failed on `tvb`, the way tshark does: a top-level `_ws.malformed`
    /// layer, an expert item, and "[Malformed Packet]" in the Info column.
    pub fn malformed(&mut self, proto: &'static Protocol, tvb: &Tvb, e: &Error) {
        self.facts.malformed += 1;
        let n = self
            .tree
            .push(NodeId::ROOT, Some(&ws::MALFORMED), Value::None, tvb.whole());
        self.tree
            .set_text(n, format_args!("[Malformed Packet: {}]", proto.short_name));
        let msg = match e {
            Error::Short => None,
            Error::Malformed(s) => Some(format!("Malformed Packet ({s})")),
        };
        self.expert(n, &ws::MALFORMED_EXPERT, msg);
        self.columns.info.push_str(" [Malformed Packet]");
    }

    /// How many malformed-packet reports this frame has so far: a layer whose payload was
    /// already reported malformed does not report its own cut short again (in tshark the one
    /// exception ends the whole frame).
    pub fn malformed_count(&self) -> u32 {
        self.facts.malformed
    }

    /// Nesting depth of the current dissector (0 for the link layer).
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Layer names so far.
    pub fn layers(&self) -> &[&'static str] {
        self.protocols
    }

    // ---- data sources --------------------------------------------------------------------------

    /// Adds a buffer the dissector built (decompressed header, reassembled datagram) as a new
    /// data source; tree ranges into it use the returned id.
    pub fn add_source(&mut self, name: impl Into<Cow<'static, str>>, data: Vec<u8>) -> NewSource {
        let data: Arc<[u8]> = data.into();
        let id = self.sources.len() as SourceId;
        self.sources.push(DataSource {
            label: name.into(),
            data: data.clone(),
        });
        NewSource { id, data }
    }

    /// Whether the capture kept less of this frame than was on the wire (snap length), so
    /// checksums over the whole packet cannot be verified.
    pub fn frame_truncated(&self) -> bool {
        self.sources
            .first()
            .is_some_and(|s| s.data.len() < self.meta.orig_len as usize)
    }

    // ---- layers --------------------------------------------------------------------------------

    /// Adds a protocol layer node, records its name for `frame.protocols` and sets the Protocol
    /// column.
    pub fn add_proto(
        &mut self,
        parent: NodeId,
        proto: &'static Protocol,
        range: ByteRange,
    ) -> NodeId {
        self.protocols.push(proto.name);
        self.columns.protocol = Cow::Borrowed(proto.short_name);
        let n = self
            .tree
            .push(parent, Some(proto.field), Value::None, range);
        if std::mem::take(&mut self.hide_layer) {
            self.set_flags(n, |f| f.hidden = true);
        }
        n
    }

    /// Removes the latest `name` from the layer list (`frame.protocols`), for a layer that is
    /// part of its caller's in tshark's accounting; its tree node stays.
    pub fn unlist_layer(&mut self, name: &str) {
        if let Some(i) = self.protocols.iter().rposition(|l| *l == name) {
            self.protocols.remove(i);
        }
    }

    /// Records a layer that has no node of its own (tshark's `ethertype` pseudo-layer).
    pub fn note_layer(&mut self, name: &'static str) {
        self.protocols.push(name);
    }

    // ---- fields --------------------------------------------------------------------------------

    /// Adds a field with a value.
    pub fn add(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        range: ByteRange,
        value: Value,
    ) -> NodeId {
        self.tree.push(parent, Some(field), value, range)
    }

    /// [`Cx::add_generated`] for a value that costs something to build.
    pub fn add_generated_with(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        value: impl FnOnce() -> Value,
    ) -> NodeId {
        let n = self.add_with(parent, field, ByteRange::default(), value);
        self.set_flags(n, |f| f.generated = true);
        n
    }

    /// Adds an integer or boolean field from the raw integer it lives in: the field's bitmask and
    /// shift are applied here.
    pub fn add_uint(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        range: ByteRange,
        raw: u64,
    ) -> NodeId {
        let v = if field.bitmask != 0 {
            (raw & field.bitmask) >> field.shift()
        } else {
            raw
        };
        let value = match field.ftype {
            FieldType::Bool => Value::Bool(v != 0),
            t if t.is_signed() => Value::Int(v as i64),
            _ => Value::UInt(v),
        };
        self.tree.push(parent, Some(field), value, range)
    }

    /// Adds several fields carved from one integer (flags).
    pub fn add_bits(
        &mut self,
        parent: NodeId,
        fields: &[&'static FieldDef],
        range: ByteRange,
        raw: u64,
    ) {
        // One test for trees that keep none of the bits (summaries), not a call per field.
        if !self.tree.wants_any(fields) {
            return;
        }
        for f in fields {
            self.add_uint(parent, f, range, raw);
        }
    }

    /// Reads an unsigned integer of `width` bytes (1 to 8) in byte order `endian` and adds it as
    /// `field` (its bitmask applied): the one reader behind `add_u8`, `add_be_u16` and friends.
    pub fn add_int(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
        width: usize,
        endian: Endian,
    ) -> Result<Item<u64>> {
        let b = tvb.bytes(off, width.clamp(1, 8))?;
        let value = match endian {
            Endian::Big => b.iter().fold(0u64, |v, x| v << 8 | *x as u64),
            Endian::Little => b.iter().rev().fold(0u64, |v, x| v << 8 | *x as u64),
        };
        let node = self.add_uint(parent, field, tvb.range(off, b.len()), value);
        Ok(Item { node, value })
    }

    /// Reads an IPv6 address and adds it as `field`.
    pub fn add_ipv6(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
    ) -> Result<[u8; 16]> {
        let a: [u8; 16] = tvb.array(off)?;
        self.tree
            .push(parent, Some(field), Value::Ipv6(a), tvb.range(off, 16));
        Ok(a)
    }

    /// [`Cx::add_bitmask`] of one byte.
    pub fn add_bitmask8(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        bits: &[&'static FieldDef],
        tvb: &Tvb,
        off: usize,
    ) -> Result<u8> {
        Ok(self.add_bitmask(parent, field, bits, tvb, off, 1)? as u8)
    }

    /// Reads `len` bytes and adds them as `field`, its value made by `make` only when the
    /// tree keeps the field: the one body behind the bytes and string readers.
    fn add_slice<'t>(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        (tvb, off, len): (&Tvb<'t>, usize, usize),
        make: fn(&[u8]) -> Value,
    ) -> Result<(&'t [u8], NodeId)> {
        let b = tvb.bytes(off, len)?;
        let node = self.add_with(parent, field, tvb.range(off, len), || make(b));
        Ok((b, node))
    }

    /// Adds a value the dissector computed (shown in brackets, like Wireshark's generated items).
    pub fn add_generated(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        value: Value,
    ) -> NodeId {
        let n = self
            .tree
            .push(parent, Some(field), value, ByteRange::default());
        self.set_flags(n, |f| f.generated = true);
        n
    }

    /// Sets the flags of node `n` with `set` when it is built (a skipped node has none).
    #[inline]
    fn set_flags(&mut self, n: NodeId, set: impl FnOnce(&mut NodeFlags)) {
        if let Some(f) = self.tree.flags_mut(n) {
            set(f);
        }
    }

    /// Adds a field node and sets its flags with `set`.
    fn add_flagged(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        range: ByteRange,
        value: Value,
        set: fn(&mut NodeFlags),
    ) -> NodeId {
        let n = self.tree.push(parent, Some(field), value, range);
        self.set_flags(n, set);
        n
    }

    /// Adds a free-text node.
    pub fn add_text(&mut self, parent: NodeId, range: ByteRange, text: impl Display) -> NodeId {
        let n = self.tree.push(parent, None, Value::None, range);
        self.tree.set_text(n, text);
        n
    }

    /// Replaces a node's label (formatted only when the node is built).
    pub fn set_text(&mut self, node: NodeId, text: impl Display) {
        self.tree.set_text(node, text);
    }

    /// Makes a node's byte range end at `end` bytes into `tvb` (for layers whose length is known
    /// only after parsing).
    pub fn set_len(&mut self, node: NodeId, tvb: &Tvb, len: usize) {
        self.tree.node_mut(node).range = tvb.range(0, len);
    }

    /// Attaches an expert item to `node`; `message` overrides the item's default summary.
    pub fn expert(
        &mut self,
        node: NodeId,
        def: &'static ExpertDef,
        message: Option<String>,
    ) -> NodeId {
        self.expert_with(node, def, || {
            message.unwrap_or_else(|| def.field.name.to_string())
        })
    }

    /// [`Cx::expert`] with a message made only when the tree keeps it (an expert node or
    /// `_ws.expert.message`): for messages formatted on every packet of a hot path.
    pub fn expert_with(
        &mut self,
        node: NodeId,
        def: &'static ExpertDef,
        message: impl FnOnce() -> String,
    ) -> NodeId {
        self.facts.max_severity = self.facts.max_severity.max(Some(def.severity));
        let range = self.tree.node(node).range;
        let e = self.tree.push(node, Some(&ws::EXPERT), Value::None, range);
        self.tree.push(e, Some(&def.field), Value::None, range);
        let wants_message = self.tree.wants(Some(&ws::MESSAGE));
        if wants_message || e.is_built() {
            let msg = message();
            self.tree.set_text(e, &msg);
            self.tree
                .push(e, Some(&ws::MESSAGE), Value::str(msg), range);
        }
        self.tree.push(
            e,
            Some(&ws::SEVERITY),
            Value::UInt(def.severity as u64),
            range,
        );
        self.tree
            .push(e, Some(&ws::GROUP), Value::UInt(def.group as u64), range);
        e
    }

    /// Adds an expert item as a tree item of its own, labelled with its message (tshark's
    /// `proto_tree_add_expert`); an item of the Malformed group carries a `_ws.malformed` mark,
    /// as tshark's do.
    pub fn add_expert_item(
        &mut self,
        parent: NodeId,
        range: ByteRange,
        def: &'static ExpertDef,
        message: Option<String>,
    ) -> NodeId {
        let n = self.add_text(parent, range, message.as_deref().unwrap_or(def.field.name));
        self.expert(n, def, message);
        if def.group == crate::engine::expert::Group::Malformed {
            self.tree.push(n, Some(&ws::MALFORMED), Value::None, range);
        }
        n
    }

    /// Adds `<proto>.checksum.status` at `range`: for `Some((good, expected))` the calculated
    /// value (when the protocol shows one), Good or Bad, and on Bad the expert item (naming the
    /// expected value when the protocol's does); for None, Unverified. Returns the status node.
    pub fn add_checksum_status(
        &mut self,
        parent: NodeId,
        range: ByteRange,
        f: &ChecksumFields,
        check: Option<(bool, u16)>,
    ) -> NodeId {
        use crate::engine::checksum::status;
        let Some((good, expected)) = check else {
            return self.add(parent, f.status, range, Value::UInt(status::UNVERIFIED));
        };
        if let Some(calc) = f.calculated {
            self.add_generated(parent, calc, Value::UInt(expected as u64));
        }
        let verdict = if good { status::GOOD } else { status::BAD };
        let st = self.add(parent, f.status, range, Value::UInt(verdict));
        if !good {
            let msg = f
                .say_expected
                .then(|| format!("Bad checksum [should be 0x{expected:04x}]"));
            self.expert(st, f.bad, msg);
        }
        st
    }

    // ---- columns -------------------------------------------------------------------------------

    /// Replaces the Info column.
    pub fn set_info(&mut self, info: impl Display) {
        self.columns.info.clear();
        let _ = write!(self.columns.info, "{info}");
    }

    /// Appends to the Info column, with a separating space.
    pub fn append_info(&mut self, s: impl Display) {
        if !self.columns.info.is_empty() {
            self.columns.info.push(' ');
        }
        let _ = write!(self.columns.info, "{s}");
    }

    /// Extends the Protocol column (`CoAP` becomes `CoAP/JSON`), for a layer that tshark shows
    /// together with the protocol carrying it.
    pub fn append_protocol(&mut self, sep: &str, name: &str) {
        let col = self.columns.protocol.to_mut();
        if !col.is_empty() {
            col.push_str(sep);
        }
        col.push_str(name);
    }

    /// Sets the Source/Destination columns.
    pub fn set_addresses(&mut self, src: Address, dst: Address) {
        self.columns.src = src;
        self.columns.dst = dst;
    }
}

/// Families of `Cx` adders that take the same parameters and differ only in their body (which
/// flag they set, which part of a general adder's result they keep): each family's parameter
/// list is written once, so its members cannot drift apart.
macro_rules! alike_adders {
    ($($(for<$lt:lifetime>)? fn $params:tt { $($members:tt)* })*) => {
        impl<'e> Cx<'e> {
            $(alike_adders!(@each [$($lt)?] $params $($members)*);)*
        }
    };
    (@each [$($lt:lifetime)?] $params:tt) => {};
    (@each [$($lt:lifetime)?] $params:tt
        $(#[$doc:meta])* $name:ident -> $ret:ty $body:block $($rest:tt)*) => {
        $(#[$doc])*
        pub fn $name$(<$lt>)? $params -> $ret $body
        alike_adders!(@each [$($lt)?] $params $($rest)*);
    };
}

alike_adders! {
    fn(&mut self, parent: NodeId, field: &'static FieldDef, range: ByteRange, value: Value) {
        /// Like [`Cx::add`] but hidden from the detail tree (still filterable and exported).
        add_hidden -> NodeId {
            self.add_flagged(parent, field, range, value, |f| f.hidden = true)
        }
        /// A computed value that still points at the bytes it was computed from (Wireshark's
        /// generated items with a range: `json.path`, `http.content_length`).
        add_generated_at -> NodeId {
            self.add_flagged(parent, field, range, value, |f| f.generated = true)
        }
    }

    fn(&mut self, parent: NodeId, field: &'static FieldDef, range: ByteRange,
       value: impl FnOnce() -> Value) {
        /// [`Cx::add`] for a value that costs something to build (text, bytes): `value` runs
        /// only when the tree keeps the field.
        add_with -> NodeId {
            let value = if self.tree.wants(Some(field)) {
                value()
            } else {
                Value::None
            };
            self.tree.push(parent, Some(field), value, range)
        }
        /// [`Cx::add_hidden`] for a value that costs something to build.
        add_hidden_with -> NodeId {
            let n = self.add_with(parent, field, range, value);
            self.set_flags(n, |f| f.hidden = true);
            n
        }
    }

    fn(&mut self, parent: NodeId, field: &'static FieldDef, bits: &[&'static FieldDef],
       tvb: &Tvb, off: usize, width: usize) {
        /// Reads a big-endian integer of `width` bytes (1 to 4), adds it as `field` and the flag
        /// fields carved from it under it (Wireshark's `proto_tree_add_bitmask`).
        add_bitmask -> Result<u64> {
            Ok(self.add_bitmask_item(parent, field, bits, tvb, off, width)?.value)
        }
        /// [`Cx::add_bitmask`], also giving the node (to hang more under it).
        add_bitmask_item -> Result<Item<u64>> {
            let item = self.add_int(parent, field, tvb, off, width.clamp(1, 4), Endian::Big)?;
            let range = self.tree.node(item.node).range;
            let range = if item.node.is_built() {
                range
            } else {
                tvb.range(off, width)
            };
            self.add_bits(item.node, bits, range, item.value);
            Ok(item)
        }
    }

    for<'t> fn(&mut self, parent: NodeId, field: &'static FieldDef, tvb: &Tvb<'t>, off: usize,
       len: usize) {
        /// Reads `len` bytes and adds them as a bytes field.
        add_bytes -> Result<&'t [u8]> {
            Ok(self.add_slice(parent, field, (tvb, off, len), Value::bytes)?.0)
        }
        /// [`Cx::add_bytes`], giving the node (to hang the parts of the bytes under it).
        add_bytes_node -> Result<NodeId> {
            Ok(self.add_slice(parent, field, (tvb, off, len), Value::bytes)?.1)
        }
        /// Reads `len` bytes and adds them as a string field (invalid UTF-8 shown escaped).
        add_string -> Result<&'t [u8]> {
            let text = |b: &[u8]| Value::str(String::from_utf8_lossy(b).into_owned());
            Ok(self.add_slice(parent, field, (tvb, off, len), text)?.0)
        }
    }
}

/// The fixed-width integer readers (`add_u8`, `add_be_u16`, …): each a call of the one
/// generic body, [`Cx::add_int`], with its width and byte order, so they cannot drift apart.
macro_rules! fixed_width_readers {
    ($($(#[$doc:meta])* $name:ident -> $t:ty, $width:expr, $endian:ident;)*) => {
        impl<'e> Cx<'e> {
            $(
                $(#[$doc])*
                pub fn $name(
                    &mut self,
                    parent: NodeId,
                    f: &'static FieldDef,
                    tvb: &Tvb,
                    off: usize,
                ) -> Result<$t> {
                    Ok(self.add_int(parent, f, tvb, off, $width, Endian::$endian)?.value as $t)
                }
            )*
        }
    };
}

fixed_width_readers! {
    /// Reads a byte and adds it as `field`.
    add_u8 -> u8, 1, Big;
    /// Reads a big-endian u16 and adds it as `field`.
    add_be_u16 -> u16, 2, Big;
    /// Reads a big-endian u24 and adds it as `field`.
    add_be_u24 -> u32, 3, Big;
    /// Reads a big-endian u32 and adds it as `field`.
    add_be_u32 -> u32, 4, Big;
    /// Reads a little-endian u16 and adds it as `field`.
    add_le_u16 -> u16, 2, Little;
    /// Reads a little-endian u32 and adds it as `field`.
    add_le_u32 -> u32, 4, Little;
}
