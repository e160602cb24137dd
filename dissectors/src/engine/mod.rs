//! The engine: runs the dissector chain over one frame at a time and keeps the capture-wide
//! state (reassembly, conversations) between frames.
//!
//! A dissector receives a [`Cx`]: the tree it builds, the packet's columns and addresses, the
//! registry to find the next protocol, the session state, and the preferences. It hands what
//! follows to the next protocol through [`Cx::call_table`] / [`Cx::call`], which apply decode-as
//! overrides, bound the nesting depth, and turn a failed sub-dissector into a `_ws.malformed` item
//! without failing the layers that called it. (The design sketch had the engine loop over
//! "what comes next" answers; calling through the engine instead lets TCP hand several PDUs of
//! one segment on, and ICMP decode the packet it quotes, while keeping dispatch in one place.)

pub mod address;
pub mod checksum;
pub mod expert;
pub mod field;
pub mod registry;
pub mod tree;
pub mod tvb;
pub mod value;

use crate::engine::address::Address;
use crate::engine::expert::{ws, ExpertDef};
use crate::engine::field::{FieldDef, FieldType};
use crate::engine::registry::{Protocol, Registry};
use crate::engine::tree::{ByteRange, NodeId, SourceId, Tree};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Layers deeper than this are cut off as malformed (IPv6-in-IPv6-in-… from hostile input).
pub const MAX_DEPTH: u32 = 48;

/// Time stamps are clamped to ±this many ns (~146 years around 1970) before dissection, so the
/// difference of any two (relative time, deltas, conversation times in udp/tcp) fits an i64.
pub const MAX_TS_NS: i64 = i64::MAX / 2;

/// Radio metadata a sniffer or pseudo-header gives with a frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RadioMeta {
    pub channel: Option<u16>,
    pub rssi_dbm: Option<i16>,
    pub lqi: Option<u8>,
    pub fcs_ok: Option<bool>,
}

/// What a capture source says about a frame, before any dissection.
#[derive(Clone, Debug, Default)]
pub struct FrameMeta {
    /// 1-based frame number.
    pub number: u64,
    /// Capture time, ns since the Unix epoch.
    pub ts_ns: i64,
    /// Length on the wire (captured length is the data's).
    pub orig_len: u32,
    /// pcap LINKTYPE_* of the interface.
    pub link_type: u32,
    /// pcapng interface index (None for pcap, so `frame.interface_id` is only shown for pcapng).
    pub interface_id: Option<u32>,
    pub interface_name: Option<String>,
    pub interface_description: Option<String>,
    pub comments: Vec<String>,
    pub radio: RadioMeta,
}

/// A buffer a packet's tree points into.
#[derive(Clone, Debug)]
pub struct DataSource {
    /// `Frame (60 bytes)` for the frame; the builder's label for others.
    pub name: String,
    pub data: Arc<[u8]>,
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

/// The summary columns.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    pub protocol: &'static str,
    pub info: String,
    /// Source/destination columns: the innermost layer that set them wins, as in Wireshark.
    pub src: Address,
    pub dst: Address,
}

/// Addresses and ports of the packet as its layers found them (Wireshark's `pinfo`).
#[derive(Clone, Debug, Default)]
pub struct PacketInfo {
    /// Link-layer addresses (Ethernet MAC, 802.15.4 short or long).
    pub dl_src: Address,
    pub dl_dst: Address,
    /// Network-layer addresses of the innermost IP header.
    pub net_src: Address,
    pub net_dst: Address,
    pub src_port: u16,
    pub dst_port: u16,
    /// 6 (TCP) or 17 (UDP) once a transport layer ran.
    pub transport: u8,
    /// The transport conversation index (`tcp.stream`/`udp.stream`), when there is one.
    pub stream: Option<u32>,
}

/// The result of dissecting one frame.
#[derive(Clone, Debug)]
pub struct Packet {
    pub meta: FrameMeta,
    pub tree: Tree,
    pub sources: Vec<DataSource>,
    pub columns: Columns,
    pub info: PacketInfo,
    /// Layer names in order (`eth:ethertype:ip:udp:coap`).
    pub protocols: Vec<&'static str>,
    /// Frame time relative to the first frame (ns).
    pub rel_ns: i64,
}

impl Packet {
    pub fn frame_data(&self) -> &[u8] {
        &self.sources[0].data
    }

    /// `frame.protocols`.
    pub fn protocol_path(&self) -> String {
        protocol_path(&self.protocols)
    }

    /// True when any layer reported a malformed packet.
    pub fn is_malformed(&self) -> bool {
        self.tree
            .layers()
            .any(|(_, n)| n.field.is_some_and(|f| std::ptr::eq(f, &ws::MALFORMED)))
    }
}

/// `frame.protocols` from the layer names: every layer but the frame itself.
pub fn protocol_path(layers: &[&str]) -> String {
    let layers = layers.strip_prefix(&["frame"]).unwrap_or(layers);
    layers.join(":")
}

/// Capture-wide state, one value per type (each protocol keeps its own state type).
#[derive(Default)]
pub struct Session {
    states: HashMap<TypeId, Box<dyn Any + Send>>,
}

impl Session {
    /// The state of type `T`, created on first use.
    pub fn get<T: Default + Send + 'static>(&mut self) -> &mut T {
        self.states
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut::<T>()
            .expect("session state stored under its own TypeId")
    }

    pub fn peek<T: 'static>(&self) -> Option<&T> {
        self.states
            .get(&TypeId::of::<T>())
            .and_then(|b| b.downcast_ref())
    }
}

/// `-o name:value` preferences, as typed; protocols parse their own.
#[derive(Clone, Debug, Default)]
pub struct Prefs {
    values: HashMap<String, String>,
}

impl Prefs {
    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|s| s.as_str())
    }

    pub fn bool(&self, name: &str, default: bool) -> bool {
        match self.get(name).map(|s| s.to_ascii_lowercase()) {
            Some(s) if s == "true" || s == "1" || s == "yes" => true,
            Some(s) if s == "false" || s == "0" || s == "no" => false,
            _ => default,
        }
    }

    pub fn uint(&self, name: &str, default: u64) -> u64 {
        self.get(name)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    }
}

/// The context a dissector works in.
pub struct Cx<'e> {
    pub tree: &'e mut Tree,
    pub columns: &'e mut Columns,
    pub info: &'e mut PacketInfo,
    pub meta: &'e FrameMeta,
    pub registry: &'e Registry,
    pub session: &'e mut Session,
    pub prefs: &'e Prefs,
    sources: &'e mut Vec<DataSource>,
    protocols: &'e mut Vec<&'static str>,
    depth: u32,
    /// True while dissecting the packet quoted inside an ICMP error: layers then must not update
    /// conversation state, and a quote cut short is not malformed (Wireshark's `in_error_pkt`).
    pub in_error: bool,
    /// Set by [`Cx::reject`], read and cleared by [`Cx::call`].
    rejected: bool,
    /// Malformed-packet reports so far in this frame ([`Cx::malformed`]).
    malformed: u32,
}

impl<'e> Cx<'e> {
    // ---- dispatch ----------------------------------------------------------------------------

    /// Dissects `tvb` as `proto` under `parent`. A failure inside is recorded as malformed and
    /// does not propagate: the calling layer stays intact. Returns false when the protocol
    /// refused the bytes ([`Cx::reject`]), so the caller can show them as data.
    pub fn call(&mut self, proto: &'static Protocol, tvb: &Tvb, parent: NodeId) -> bool {
        if self.depth >= MAX_DEPTH {
            let n = self
                .tree
                .push(NodeId::ROOT, Some(&ws::MALFORMED), Value::None, tvb.whole());
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
        match self.registry.lookup(table, key) {
            Some(p) => self.call(p, tvb, parent),
            None => false,
        }
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

    /// Shows `tvb` as undecoded data.
    pub fn call_data(&mut self, tvb: &Tvb, parent: NodeId) {
        if !tvb.is_empty() {
            self.call(&crate::proto::base::data::PROTOCOL, tvb, parent);
        }
    }

    /// Records that `proto` failed on `tvb`, the way tshark does: a top-level `_ws.malformed`
    /// layer, an expert item, and "[Malformed Packet]" in the Info column.
    pub fn malformed(&mut self, proto: &'static Protocol, tvb: &Tvb, e: &Error) {
        let n = self
            .tree
            .push(NodeId::ROOT, Some(&ws::MALFORMED), Value::None, tvb.whole());
        self.tree.node_mut(n).text =
            Some(format!("[Malformed Packet: {}]", proto.short_name).into());
        let msg = match e {
            Error::Short => None,
            Error::Malformed(s) => Some(format!("Malformed Packet ({s})")),
        };
        self.expert(n, &ws::MALFORMED_EXPERT, msg);
        self.columns.info.push_str(" [Malformed Packet]");
        self.malformed += 1;
    }

    /// How many malformed-packet reports this frame has so far: a layer whose payload was
    /// already reported malformed does not report its own cut short again (in tshark the one
    /// exception ends the whole frame).
    pub fn malformed_count(&self) -> u32 {
        self.malformed
    }

    // ---- data sources --------------------------------------------------------------------------

    /// Adds a buffer the dissector built (decompressed header, reassembled datagram) as a new
    /// data source; tree ranges into it use the returned id.
    pub fn add_source(&mut self, name: impl Into<String>, data: Vec<u8>) -> NewSource {
        let data: Arc<[u8]> = data.into();
        let id = self.sources.len() as SourceId;
        self.sources.push(DataSource {
            name: name.into(),
            data: data.clone(),
        });
        NewSource { id, data }
    }

    // ---- tree building -------------------------------------------------------------------------

    /// Adds a protocol layer node, records its name for `frame.protocols` and sets the Protocol
    /// column.
    pub fn add_proto(
        &mut self,
        parent: NodeId,
        proto: &'static Protocol,
        range: ByteRange,
    ) -> NodeId {
        self.protocols.push(proto.name);
        self.columns.protocol = proto.short_name;
        self.tree
            .push(parent, Some(proto.field), Value::None, range)
    }

    /// Removes the latest `name` from the layer list (`frame.protocols`), for a layer that is
    /// part of its caller's in tshark's accounting; its tree node stays.
    pub fn unlist_layer(&mut self, name: &str) {
        if let Some(i) = self.protocols.iter().rposition(|l| *l == name) {
            self.protocols.remove(i);
        }
    }

    /// Whether the capture kept less of this frame than was on the wire (snap length), so
    /// checksums over the whole packet cannot be verified.
    pub fn frame_truncated(&self) -> bool {
        self.sources
            .first()
            .is_some_and(|s| s.data.len() < self.meta.orig_len as usize)
    }

    /// Records a layer that has no node of its own (tshark's `ethertype` pseudo-layer).
    pub fn note_layer(&mut self, name: &'static str) {
        self.protocols.push(name);
    }

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
        for f in fields {
            self.add_uint(parent, f, range, raw);
        }
    }

    /// Reads a byte and adds it as `field`.
    pub fn add_u8(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
    ) -> Result<u8> {
        let v = tvb.u8(off)?;
        self.add_uint(parent, field, tvb.range(off, 1), v as u64);
        Ok(v)
    }

    /// Reads a big-endian u16 and adds it as `field`.
    pub fn add_be_u16(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
    ) -> Result<u16> {
        let v = tvb.be_u16(off)?;
        self.add_uint(parent, field, tvb.range(off, 2), v as u64);
        Ok(v)
    }

    /// Reads a big-endian u24 and adds it as `field`.
    pub fn add_be_u24(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
    ) -> Result<u32> {
        let v = tvb.be_u24(off)?;
        self.add_uint(parent, field, tvb.range(off, 3), v as u64);
        Ok(v)
    }

    /// Reads a big-endian u32 and adds it as `field`.
    pub fn add_be_u32(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
    ) -> Result<u32> {
        let v = tvb.be_u32(off)?;
        self.add_uint(parent, field, tvb.range(off, 4), v as u64);
        Ok(v)
    }

    /// Reads a little-endian u16 and adds it as `field`.
    pub fn add_le_u16(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
    ) -> Result<u16> {
        let v = tvb.le_u16(off)?;
        self.add_uint(parent, field, tvb.range(off, 2), v as u64);
        Ok(v)
    }

    /// Reads a little-endian u32 and adds it as `field`.
    pub fn add_le_u32(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb,
        off: usize,
    ) -> Result<u32> {
        let v = tvb.le_u32(off)?;
        self.add_uint(parent, field, tvb.range(off, 4), v as u64);
        Ok(v)
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

    /// Reads a big-endian integer of `width` bytes (1, 2, 3 or 4), adds it as `field` and the
    /// flag fields carved from it under it (Wireshark's `proto_tree_add_bitmask`).
    pub fn add_bitmask(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        bits: &[&'static FieldDef],
        tvb: &Tvb,
        off: usize,
        width: usize,
    ) -> Result<u64> {
        let v = match width {
            1 => tvb.u8(off)? as u64,
            2 => tvb.be_u16(off)? as u64,
            3 => tvb.be_u24(off)? as u64,
            _ => tvb.be_u32(off)? as u64,
        };
        let r = tvb.range(off, width);
        let n = self.add_uint(parent, field, r, v);
        self.add_bits(n, bits, r, v);
        Ok(v)
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

    /// Reads `len` bytes and adds them as a bytes field.
    pub fn add_bytes<'t>(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb<'t>,
        off: usize,
        len: usize,
    ) -> Result<&'t [u8]> {
        let b = tvb.bytes(off, len)?;
        self.tree
            .push(parent, Some(field), Value::bytes(b), tvb.range(off, len));
        Ok(b)
    }

    /// Reads `len` bytes and adds them as a string field (invalid UTF-8 shown escaped).
    pub fn add_string<'t>(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        tvb: &Tvb<'t>,
        off: usize,
        len: usize,
    ) -> Result<&'t [u8]> {
        let b = tvb.bytes(off, len)?;
        let s = String::from_utf8_lossy(b).into_owned();
        self.tree
            .push(parent, Some(field), Value::str(s), tvb.range(off, len));
        Ok(b)
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
        self.tree.node_mut(n).flags.generated = true;
        n
    }

    /// Like [`Cx::add`] but hidden from the detail tree (still filterable and exported).
    pub fn add_hidden(
        &mut self,
        parent: NodeId,
        field: &'static FieldDef,
        range: ByteRange,
        value: Value,
    ) -> NodeId {
        let n = self.tree.push(parent, Some(field), value, range);
        self.tree.node_mut(n).flags.hidden = true;
        n
    }

    /// Adds a free-text node.
    pub fn add_text(
        &mut self,
        parent: NodeId,
        range: ByteRange,
        text: impl Into<String>,
    ) -> NodeId {
        let n = self.tree.push(parent, None, Value::None, range);
        self.tree.node_mut(n).text = Some(text.into().into_boxed_str());
        n
    }

    /// Replaces a node's label.
    pub fn set_text(&mut self, node: NodeId, text: impl Into<String>) {
        self.tree.node_mut(node).text = Some(text.into().into_boxed_str());
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
        let range = self.tree.node(node).range;
        let e = self.tree.push(node, Some(&ws::EXPERT), Value::None, range);
        self.tree.push(e, Some(&def.field), Value::None, range);
        let msg = message.unwrap_or_else(|| def.field.name.to_string());
        self.tree
            .push(e, Some(&ws::MESSAGE), Value::str(msg.clone()), range);
        self.tree.push(
            e,
            Some(&ws::SEVERITY),
            Value::UInt(def.severity as u64),
            range,
        );
        self.tree
            .push(e, Some(&ws::GROUP), Value::UInt(def.group as u64), range);
        self.tree.node_mut(e).text = Some(msg.into_boxed_str());
        e
    }

    // ---- columns -------------------------------------------------------------------------------

    /// Replaces the Info column.
    pub fn set_info(&mut self, info: impl Into<String>) {
        self.columns.info = info.into();
    }

    /// Appends to the Info column, with a separating space.
    pub fn append_info(&mut self, s: &str) {
        if !self.columns.info.is_empty() {
            self.columns.info.push(' ');
        }
        self.columns.info.push_str(s);
    }

    /// Sets the Source/Destination columns.
    pub fn set_addresses(&mut self, src: Address, dst: Address) {
        self.columns.src = src;
        self.columns.dst = dst;
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

    /// Nesting depth of the current dissector (0 for the link layer).
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Layer names so far.
    pub fn layers(&self) -> &[&'static str] {
        self.protocols
    }
}

/// Runs the dissector chain; one per capture (its session state spans frames).
pub struct Engine {
    pub registry: Arc<Registry>,
    pub prefs: Prefs,
    pub session: Session,
    first_ts: Option<i64>,
    prev_ts: Option<i64>,
    prev_displayed_ts: Option<i64>,
}

impl Engine {
    pub fn new(registry: Arc<Registry>, prefs: Prefs) -> Engine {
        Engine {
            registry,
            prefs,
            session: Session::default(),
            first_ts: None,
            prev_ts: None,
            prev_displayed_ts: None,
        }
    }

    /// An engine with every built-in protocol and default preferences.
    pub fn with_defaults() -> Engine {
        Engine::new(Arc::new(Registry::builtin()), Prefs::default())
    }

    /// Dissects one frame. Frames must come in capture order: state such as reassembly and
    /// relative times carries from one to the next.
    pub fn dissect(&mut self, mut meta: FrameMeta, data: &[u8]) -> Packet {
        // A hostile pcapng (if_tsoffset) can put time stamps at i64::MIN and i64::MAX in one
        // file; their difference does not fit an i64 (found by the hostile-input tests).
        meta.ts_ns = meta.ts_ns.clamp(-MAX_TS_NS, MAX_TS_NS);
        let first = *self.first_ts.get_or_insert(meta.ts_ns);
        let delta = meta
            .ts_ns
            .saturating_sub(self.prev_ts.unwrap_or(meta.ts_ns));
        let delta_displayed = meta
            .ts_ns
            .saturating_sub(self.prev_displayed_ts.unwrap_or(meta.ts_ns));
        self.prev_ts = Some(meta.ts_ns);
        let times = crate::proto::base::frame::Times {
            relative: meta.ts_ns.saturating_sub(first),
            delta,
            delta_displayed,
        };
        let mut tree = Tree::new();
        let mut columns = Columns::default();
        let mut info = PacketInfo::default();
        let mut protocols = Vec::with_capacity(8);
        let mut sources = vec![DataSource {
            name: format!("Frame ({} bytes)", data.len()),
            data: Arc::from(data),
        }];
        let frame_data = sources[0].data.clone();
        {
            let mut cx = Cx {
                tree: &mut tree,
                columns: &mut columns,
                info: &mut info,
                meta: &meta,
                registry: &self.registry,
                session: &mut self.session,
                prefs: &self.prefs,
                sources: &mut sources,
                protocols: &mut protocols,
                depth: 0,
                in_error: false,
                rejected: false,
                malformed: 0,
            };
            let tvb = Tvb::new(&frame_data, 0);
            crate::proto::base::frame::dissect_frame(&tvb, &mut cx, &times);
        }
        Packet {
            rel_ns: times.relative,
            meta,
            tree,
            sources,
            columns,
            info,
            protocols,
        }
    }

    /// Tells the engine a frame was displayed (passed the display filter), for
    /// `frame.time_delta_displayed` of the next one.
    pub fn mark_displayed(&mut self, ts_ns: i64) {
        self.prev_displayed_ts = Some(ts_ns);
    }
}
