//! The registry: every protocol, its fields, expert items and preferences, and the dispatch tables
//! that say which protocol follows which (link type, ethertype, IP protocol, ports, heuristics).
//! Built once at start-up; decode-as overrides (`-d`) are applied on top.

use crate::engine::expert::ExpertDef;
use crate::engine::field::FieldDef;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::Cx;
use foldhash::{HashMap, HashSet};

/// A dissector: reads `tvb`, adds its layer under `parent`, and hands what follows to the next
/// protocol through [`Cx::call_table`] or [`Cx::call`].
pub type DissectFn = fn(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()>;

/// A heuristic: a cheap look at the payload that says whether the protocol takes it.
pub type HeuristicFn = fn(tvb: &Tvb, cx: &Cx) -> bool;

/// A user-settable preference a protocol declares (`-o name:value`).
#[derive(Debug)]
pub struct PrefDef {
    /// Full name as tshark spells it, e.g. `tcp.desegment_tcp_streams`.
    pub name: &'static str,
    pub description: &'static str,
    /// Default, as the text a user would type.
    pub default: &'static str,
}

/// Everything the engine needs to know about one protocol.
pub struct Protocol {
    /// Display-filter name (`udp`), also the name in `frame.protocols`.
    pub name: &'static str,
    /// Protocol column text (`UDP`).
    pub short_name: &'static str,
    /// The protocol's own field (its layer node).
    pub field: &'static FieldDef,
    pub fields: &'static [&'static FieldDef],
    pub experts: &'static [&'static ExpertDef],
    pub prefs: &'static [PrefDef],
    pub dissect: DissectFn,
    /// Adds the protocol to dispatch tables and heuristic lists.
    pub register: fn(&mut Registry),
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// What a protocol's PDU-length function says about the bytes at the start of a PDU carried in
/// a byte stream (TCP).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PduLen {
    /// The PDU is this many bytes long (possibly more than are here yet).
    Complete(usize),
    /// The length cannot be known from these bytes; wait for another segment.
    NeedMore,
    /// These bytes do not start a PDU of this protocol.
    NotMine,
}

/// A PDU-length function.
pub type PduLenFn = fn(&[u8]) -> PduLen;

/// How a protocol carried in a byte stream cuts it into PDUs (tshark's `tcp_dissect_pdus`).
/// A protocol registers it with [`Registry::add_stream_pdus`]; the stream transport (TCP) then
/// reassembles PDUs that span segments and splits segments that carry several.
pub struct StreamPdus {
    pub pdu_len: PduLenFn,
    /// tshark's dissector for this protocol clears the Info column before TCP asks for more
    /// data, so a segment that only starts a PDU shows just "[TCP segment of a reassembled
    /// PDU]" (MQTT); otherwise the tag is appended to TCP's own Info (XMPP).
    pub clears_info: bool,
    /// tshark shows `tcp.pdu.size` for each PDU (protocols cut with `tcp_dissect_pdus`, such
    /// as MQTT) — not for those that ask for more data themselves (XMPP, TLS).
    pub shows_pdu_size: bool,
    /// What tshark's dissector shows on a segment that starts a PDU it cannot finish yet
    /// (it runs before asking for more data): TLS adds an empty layer, HTTP sets the Info
    /// column to the first line. Called with the bytes of the started PDU in this segment.
    pub partial: Option<PartialFn>,
}

/// See [`StreamPdus::partial`].
pub type PartialFn = fn(tvb: &Tvb, cx: &mut Cx, parent: NodeId);

/// The dispatch tables a protocol can be added to, with tshark's names so `-d` reads the same.
pub mod tables {
    /// pcap/pcapng LINKTYPE_* values.
    pub const LINK_TYPE: &str = "link_type";
    pub const ETHERTYPE: &str = "ethertype";
    pub const IP_PROTO: &str = "ip.proto";
    pub const UDP_PORT: &str = "udp.port";
    pub const TCP_PORT: &str = "tcp.port";
    /// BSD loopback address family.
    pub const NULL_FAMILY: &str = "null.type";
    /// Linux SLL protocol field for non-ethertype values (802.15.4 = 0x00f6 …).
    pub const SLL_LTYPE: &str = "sll.ltype";
    /// 802.15.4 payload (heuristics for 6LoWPAN, ZigBee…).
    pub const WPAN_PAYLOAD: &str = "wpan.payload";
    /// Heuristic lists.
    pub const UDP_HEUR: &str = "udp";
    pub const TCP_HEUR: &str = "tcp";
    pub const WPAN_HEUR: &str = "wpan";
    /// Heuristics for 802.15.4 beacon payloads (ZigBee, Thread beacons).
    pub const WPAN_BEACON_HEUR: &str = "wpan.beacon";
    /// Media types (`application/json`), a string table: how CoAP, HTTP and MQTT find the
    /// protocol of a payload from its Content-Format / Content-Type.
    pub const MEDIA_TYPE: &str = "media_type";
    /// What TLS and DTLS carry on a port (tshark's `tls.port`/`dtls.port`): the name their
    /// application data is labelled with.
    pub const TLS_PORT: &str = "tls.port";
    pub const DTLS_PORT: &str = "dtls.port";

    /// Tables `-d` accepts, as the user writes them.
    pub const DECODE_AS: &[&str] = &[
        UDP_PORT,
        TCP_PORT,
        ETHERTYPE,
        IP_PROTO,
        LINK_TYPE,
        NULL_FAMILY,
        SLL_LTYPE,
        WPAN_PAYLOAD,
    ];
}

pub struct Registry {
    protocols: Vec<&'static Protocol>,
    by_name: HashMap<&'static str, &'static Protocol>,
    fields: HashMap<&'static str, &'static FieldDef>,
    tables: HashMap<&'static str, HashMap<u64, &'static Protocol>>,
    /// Tables keyed by text (media types), keys lower-cased.
    string_tables: HashMap<&'static str, HashMap<String, &'static Protocol>>,
    overrides: HashMap<&'static str, HashMap<u64, &'static Protocol>>,
    heuristics: HashMap<&'static str, Vec<(&'static Protocol, HeuristicFn)>>,
    /// How stream-carried protocols cut their byte stream into PDUs, by protocol name.
    stream_pdus: HashMap<&'static str, &'static StreamPdus>,
    frame: Option<&'static Protocol>,
    data: Option<&'static Protocol>,
    /// Heuristic protocols the user turned off or on (`--disable-heuristic`, `--enable-heuristic`).
    heur_enabled: HashMap<&'static str, bool>,
    /// Protocols the user turned off (`--disable-protocol`): never called, their bytes shown
    /// as data.
    disabled: HashSet<&'static str>,
}

impl Registry {
    /// An empty registry; `Registry::builtin()` (in `crate::proto`) is the one with every
    /// protocol.
    pub fn empty() -> Registry {
        Registry {
            protocols: vec![],
            by_name: HashMap::default(),
            fields: HashMap::default(),
            tables: HashMap::default(),
            overrides: HashMap::default(),
            string_tables: HashMap::default(),
            heuristics: HashMap::default(),
            stream_pdus: HashMap::default(),
            frame: None,
            data: None,
            heur_enabled: HashMap::default(),
            disabled: HashSet::default(),
        }
    }

    /// A registry of `protocols`, each added and then asked to register itself in the dispatch
    /// tables (so a protocol can name any other in its tables, whatever the order).
    pub fn with_protocols(protocols: &[&'static Protocol]) -> Registry {
        let mut r = Registry::empty();
        for p in protocols {
            r.add_protocol(p);
        }
        for f in crate::engine::expert::ws::FIELDS {
            r.fields.insert(f.abbrev, f);
        }
        for e in crate::engine::expert::ws::EXPERTS {
            r.fields.insert(e.field.abbrev, &e.field);
        }
        for p in protocols {
            (p.register)(&mut r);
        }
        r
    }

    /// The protocol every frame starts with (it dispatches on the link type).
    pub fn set_frame_protocol(&mut self, p: &'static Protocol) {
        self.frame = Some(p);
    }

    pub fn frame_protocol(&self) -> Option<&'static Protocol> {
        self.frame
    }

    /// The protocol that shows bytes no other protocol took.
    pub fn set_data_protocol(&mut self, p: &'static Protocol) {
        self.data = Some(p);
    }

    pub fn data_protocol(&self) -> Option<&'static Protocol> {
        self.data
    }

    pub fn add_protocol(&mut self, p: &'static Protocol) {
        self.protocols.push(p);
        self.by_name.insert(p.name, p);
        self.fields.insert(p.field.abbrev, p.field);
        for f in p.fields {
            self.fields.insert(f.abbrev, f);
        }
        for e in p.experts {
            self.fields.insert(e.field.abbrev, &e.field);
        }
    }

    /// Adds `proto` to `table` under `key`.
    pub fn add(&mut self, table: &'static str, key: u64, proto: &'static Protocol) {
        self.tables.entry(table).or_default().insert(key, proto);
    }

    /// Adds `proto` to the string table `table` under `key` (compared without case).
    pub fn add_str(&mut self, table: &'static str, key: &str, proto: &'static Protocol) {
        self.string_tables
            .entry(table)
            .or_default()
            .insert(key.to_ascii_lowercase(), proto);
    }

    /// The protocol for `key` in the string table `table`.
    pub fn lookup_str(&self, table: &str, key: &str) -> Option<&'static Protocol> {
        let t = self.string_tables.get(table)?;
        t.get(key)
            .or_else(|| t.get(key.to_ascii_lowercase().as_str()))
            .copied()
    }

    pub fn add_heuristic(&mut self, list: &'static str, proto: &'static Protocol, f: HeuristicFn) {
        self.heuristics.entry(list).or_default().push((proto, f));
    }

    /// Says how `proto` cuts a byte stream into PDUs, so TCP reassembles them for it.
    pub fn add_stream_pdus(&mut self, proto: &'static Protocol, framing: &'static StreamPdus) {
        self.stream_pdus.insert(proto.name, framing);
    }

    /// How `proto` cuts a byte stream into PDUs, when it registered that.
    /// (None for a protocol turned off: nothing cuts its stream, as in tshark.)
    pub fn stream_pdus(&self, proto: &Protocol) -> Option<&'static StreamPdus> {
        if !self.is_enabled(proto) {
            return None;
        }
        self.stream_pdus.get(proto.name).copied()
    }

    /// The protocol for `key` in `table`, decode-as overrides first.
    pub fn lookup(&self, table: &str, key: u64) -> Option<&'static Protocol> {
        if let Some(p) = self.overrides.get(table).and_then(|t| t.get(&key)) {
            return Some(p);
        }
        self.tables.get(table).and_then(|t| t.get(&key)).copied()
    }

    pub fn heuristics(
        &self,
        list: &str,
    ) -> impl Iterator<Item = &(&'static Protocol, HeuristicFn)> {
        self.heuristics
            .get(list)
            .into_iter()
            .flatten()
            .filter(|(p, _)| self.heur_enabled.get(p.name).copied().unwrap_or(true))
            .filter(|(p, _)| self.is_enabled(p))
    }

    /// Turns a protocol off or back on (`--disable-protocol`, `--enable-protocol`); false
    /// for a name no protocol has. The frame and data protocols stay on: every packet needs
    /// them.
    pub fn set_protocol_enabled(&mut self, proto: &str, on: bool) -> bool {
        let Some(p) = self.by_name.get(proto).copied() else {
            return false;
        };
        let essential = [self.frame, self.data]
            .iter()
            .flatten()
            .any(|e| e.name == p.name);
        if on || essential {
            self.disabled.remove(p.name);
        } else {
            self.disabled.insert(p.name);
        }
        true
    }

    /// False for a protocol the user turned off.
    #[inline]
    pub fn is_enabled(&self, proto: &Protocol) -> bool {
        self.disabled.is_empty() || !self.disabled.contains(proto.name)
    }

    pub fn set_heuristic_enabled(&mut self, proto: &str, on: bool) -> bool {
        match self.by_name.get(proto) {
            Some(p) => {
                self.heur_enabled.insert(p.name, on);
                true
            }
            None => false,
        }
    }

    /// What the user explicitly asked for a heuristic protocol (`--enable-heuristic` /
    /// `--disable-heuristic`), None when nothing was said: lets default-off heuristics (CoAP)
    /// tell an explicit enable from the default.
    pub fn heuristic_setting(&self, proto: &str) -> Option<bool> {
        self.heur_enabled.get(proto).copied()
    }

    pub fn protocol(&self, name: &str) -> Option<&'static Protocol> {
        self.by_name.get(name).copied()
    }

    pub fn protocols(&self) -> &[&'static Protocol] {
        &self.protocols
    }

    pub fn field(&self, abbrev: &str) -> Option<&'static FieldDef> {
        self.fields.get(abbrev).copied()
    }

    /// Every field, sorted by abbreviation.
    pub fn all_fields(&self) -> Vec<&'static FieldDef> {
        let mut v: Vec<_> = self.fields.values().copied().collect();
        v.sort_by_key(|f| f.abbrev);
        v
    }

    pub fn pref(&self, name: &str) -> Option<&'static PrefDef> {
        self.protocols
            .iter()
            .flat_map(|p| p.prefs.iter())
            .find(|p| p.name == name)
    }

    /// Applies a tshark-style decode-as rule: `udp.port==61616,coap` (also ranges `a-b` and
    /// comma-free lists separated by `,` before the protocol is not supported by tshark either).
    pub fn decode_as(&mut self, rule: &str) -> std::result::Result<(), String> {
        let (selector, proto) = rule.rsplit_once(',').ok_or_else(|| {
            format!("decode-as rule '{rule}' should look like 'udp.port==61616,coap'")
        })?;
        let (table, value) = selector.split_once("==").ok_or_else(|| {
            format!("decode-as rule '{rule}': the selector needs '==', e.g. 'udp.port==61616'")
        })?;
        let table = tables::DECODE_AS
            .iter()
            .find(|t| **t == table.trim())
            .ok_or_else(|| {
                format!(
                    "decode-as rule '{rule}': '{}' is not a table lowshark can decode as; valid: {}",
                    table.trim(),
                    tables::DECODE_AS.join(", ")
                )
            })?;
        let proto_name = proto.trim().to_ascii_lowercase();
        let proto = self
            .by_name
            .get(proto_name.as_str())
            .copied()
            .ok_or_else(|| format!("decode-as rule '{rule}': unknown protocol '{proto_name}'"))?;
        let parse = |s: &str| -> std::result::Result<u64, String> {
            let s = s.trim();
            let r = if let Some(h) = s.strip_prefix("0x") {
                u64::from_str_radix(h, 16)
            } else {
                s.parse()
            };
            r.map_err(|_| format!("decode-as rule '{rule}': '{s}' is not a number"))
        };
        let (lo, hi) = match value.split_once('-') {
            Some((a, b)) => (parse(a)?, parse(b)?),
            None => {
                let v = parse(value)?;
                (v, v)
            }
        };
        if hi < lo || hi - lo > 65_535 {
            return Err(format!("decode-as rule '{rule}': bad range"));
        }
        let t = self.overrides.entry(table).or_default();
        for k in lo..=hi {
            t.insert(k, proto);
        }
        Ok(())
    }
}
