//! The RPL DODAG as the captured control traffic shows it (RFC 6550 §3): a pure model fed with
//! dissected packets, no I/O. It walks each packet's tree by field (`icmpv6.rpl.dio.*`, DAO
//! targets and transit information, RFC 6554 source routes, `ipv6.src`/`ipv6.dst`) and keeps:
//!
//! - the root (the DODAGID of the DIOs, which RFC 6550 §6.3.1 makes an address of the root);
//! - every node with its latest rank and DODAG version (from its own DIOs);
//! - each node's preferred parent and the frame that established the edge: in non-storing
//!   mode the parent address of the DAO's Transit Information (§6.7.8, §9.7); in storing mode
//!   (transit without a parent address) the DAO's sender is the child and its IPv6 destination,
//!   the parent it chose (§9.2); failing both, the hops of an RFC 6554 source route from the
//!   root (§4.2 of RFC 6554: the route is the addresses already visited, the destination, then
//!   the addresses still to visit);
//! - events: DODAG version increments (global repair, §8.2.2.2), DIS storms (a node soliciting
//!   over and over: it cannot find a parent), nodes that lost their parent (an INFINITE_RANK
//!   DIO, §8.2.2.5, or a No-Path DAO, §6.4.3), and data packets whose RFC 6553 RPL option
//!   reports a rank error or a forwarding error.
//!
//! One DODAG is modelled: the first DODAGID seen. Memory is bounded (nodes, events).
//!
//! Use: `Topology::default()`, [`Topology::add_packet`] for every frame in order, then
//! [`Topology::render_tree`] (`-z rpl,tree`) or [`Topology::render_dot`] (`-z rpl,tree,dot`).
//!
//! DIOs come from link-local addresses while DAOs and source routes use global ones; a link-local
//! address is mapped onto the DODAG's /64 prefix with the same interface identifier so a node is
//! one node (the usual SLAAC layout of RPL networks; other layouts keep two names).

use crate::engine::value::Value;
use crate::engine::Packet;
use foldhash::HashMap;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write;
use std::net::Ipv6Addr;

/// An IPv6 address.
pub type Addr = [u8; 16];

/// RFC 6550 §17: INFINITE_RANK.
const INFINITE_RANK: u16 = 0xffff;
/// A node sending this many DIS within [`DIS_WINDOW_NS`] is in a DIS storm.
const DIS_STORM_COUNT: usize = 10;
const DIS_WINDOW_NS: i64 = 10_000_000_000;
/// Bound on the nodes tracked (a hostile capture cannot grow the model without limit).
const MAX_NODES: usize = 65_536;
/// Bound on each list of events kept.
const MAX_EVENTS: usize = 10_000;

/// How an edge was learned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EdgeSource {
    /// Transit Information parent address of a non-storing DAO.
    NonStoringDao,
    /// A storing-mode DAO from the child to its parent.
    StoringDao,
    /// The hops of an RFC 6554 source route.
    SourceRoute,
}

/// A preferred-parent edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub child: Addr,
    pub parent: Addr,
    /// The frame that established the edge (later frames repeating it do not move it).
    pub frame: u64,
    pub source: EdgeSource,
}

/// What is known about one node.
#[derive(Clone, Debug, Default)]
pub struct NodeInfo {
    pub rank: Option<u16>,
    pub version: Option<u8>,
    pub instance: Option<u8>,
    pub parent: Option<(Addr, u64, EdgeSource)>,
    pub first_frame: u64,
    pub last_frame: u64,
    pub dio_count: u32,
    pub dao_count: u32,
    pub dis_count: u32,
}

/// The DODAG model. Feed it every packet in capture order with [`Topology::add_packet`].
#[derive(Default)]
pub struct Topology {
    root: Option<Addr>,
    instance: Option<u8>,
    mop: Option<u8>,
    version: Option<u8>,
    nodes: BTreeMap<Addr, NodeInfo>,
    version_increments: Vec<(u64, u8, u8)>,
    lost: BTreeMap<Addr, u64>,
    /// DIS times per sender, and whether it is in a storm now.
    dis_recent: HashMap<Addr, (VecDeque<i64>, bool)>,
    /// (sender, first frame of the storm, DIS count in it).
    dis_storms: Vec<(Addr, u64, u32)>,
    /// Data packets whose RPL option (RFC 6553 §3) reports a rank error (R) or a forwarding
    /// error (F): (frame, packet source, R, F).
    datapath_errors: Vec<(u64, Addr, bool, bool)>,
    /// The root's link-local address, once a root-rank DIO showed it: it names the same node
    /// as the DODAGID, which need not share its interface identifier.
    root_link_local: Option<Addr>,
}

/// The rank a DODAG root advertises with the default MinHopRankIncrement (RFC 6550 §17).
const ROOT_RANK: u16 = 256;

/// One transit/target event of a DAO, in option order.
enum DaoItem {
    Target(Addr),
    Transit {
        parent: Option<Addr>,
        lifetime: Option<u8>,
    },
}

/// What one packet says, read from its tree.
#[derive(Default)]
struct Facts {
    src: Option<Addr>,
    dst: Option<Addr>,
    code: Option<u8>,
    dio_instance: Option<u8>,
    dio_version: Option<u8>,
    dio_rank: Option<u16>,
    dio_mop: Option<u8>,
    dio_dagid: Option<Addr>,
    dao: Vec<DaoItem>,
    srh: Option<(Addr, Addr, u8, Vec<Addr>)>,
    /// RPL option (RFC 6553) of a data packet: (src, rank error, forwarding error).
    rpl_option_errors: Option<(Addr, bool, bool)>,
}

fn ipv6(v: &Value) -> Option<Addr> {
    match v {
        Value::Ipv6(a) => Some(*a),
        _ => None,
    }
}

fn uint(v: &Value) -> Option<u64> {
    v.as_u64()
}

fn facts(p: &Packet) -> Facts {
    let mut f = Facts::default();
    let (mut src, mut dst) = (None, None);
    let mut in_rpl = false;
    let mut srh_full: Vec<Addr> = vec![];
    let mut srh_segleft: Option<u8> = None;
    let mut srh_done = false;
    let mut in_routing = false;
    for (_, n) in p.tree.iter() {
        let Some(field) = n.field else { continue };
        let v = &n.value;
        match field.abbrev {
            "ipv6.src" if !in_rpl => src = ipv6(v),
            "ipv6.dst" if !in_rpl => dst = ipv6(v),
            "ipv6.routing.type" if !srh_done => {
                in_routing = uint(v) == Some(3);
                srh_full.clear();
            }
            "ipv6.routing.segleft" if in_routing && !srh_done => {
                srh_segleft = uint(v).map(|s| s as u8);
            }
            "ipv6.routing.rpl.full_address" if in_routing && !srh_done => {
                if let Some(a) = ipv6(v) {
                    srh_full.push(a);
                }
            }
            "icmpv6.type" => {
                if in_routing && !srh_done {
                    srh_done = true;
                    if let (Some(s), Some(d), Some(sl)) = (src, dst, srh_segleft) {
                        f.srh = Some((s, d, sl, std::mem::take(&mut srh_full)));
                    }
                }
                if !in_rpl && f.code.is_none() && uint(v) == Some(155) {
                    in_rpl = true;
                    f.src = src;
                    f.dst = dst;
                }
            }
            "icmpv6.code" if in_rpl && f.code.is_none() => f.code = uint(v).map(|c| c as u8),
            "icmpv6.rpl.dio.instance" if in_rpl => f.dio_instance = uint(v).map(|x| x as u8),
            "icmpv6.rpl.dio.version" if in_rpl => f.dio_version = uint(v).map(|x| x as u8),
            "icmpv6.rpl.dio.rank" if in_rpl => f.dio_rank = uint(v).map(|x| x as u16),
            "icmpv6.rpl.dio.flag.mop" if in_rpl => f.dio_mop = uint(v).map(|x| x as u8),
            "icmpv6.rpl.dio.dagid" if in_rpl => f.dio_dagid = ipv6(v),
            "icmpv6.rpl.opt.target.prefix" if in_rpl => {
                if let Some(a) = ipv6(v) {
                    f.dao.push(DaoItem::Target(a));
                }
            }
            "icmpv6.rpl.opt.transit.pathlifetime" if in_rpl => f.dao.push(DaoItem::Transit {
                parent: None,
                lifetime: uint(v).map(|x| x as u8),
            }),
            "icmpv6.rpl.opt.transit.parent" if in_rpl => {
                if let Some(DaoItem::Transit { parent, .. }) = f.dao.last_mut() {
                    *parent = ipv6(v);
                }
            }
            "ipv6.opt.rpl.flag" if !in_rpl => {
                if let (Some(s), Some(fl)) = (src, uint(v)) {
                    f.rpl_option_errors = Some((s, fl & 0x40 != 0, fl & 0x20 != 0));
                }
            }
            _ => {}
        }
    }
    if in_routing && !srh_done {
        if let (Some(s), Some(d), Some(sl)) = (src, dst, srh_segleft) {
            f.srh = Some((s, d, sl, srh_full));
        }
    }
    f
}

fn text(a: &Addr) -> String {
    Ipv6Addr::from(*a).to_string()
}

impl Topology {
    /// Adds what one dissected packet says.
    pub fn add_packet(&mut self, p: &Packet) {
        let frame = p.meta.number;
        let f = facts(p);
        if let Some(code) = f.code {
            match code & 0x7f {
                0x00 => self.on_dis(&f, frame, p.meta.ts_ns),
                0x01 => self.on_dio(&f, frame),
                0x02 => self.on_dao(&f, frame),
                _ => {}
            }
        }
        if let Some((src, r, fe)) = f.rpl_option_errors {
            if (r || fe) && self.datapath_errors.len() < MAX_EVENTS {
                self.datapath_errors.push((frame, src, r, fe));
            }
        }
        if let Some((src, dst, segleft, addrs)) = &f.srh {
            self.on_source_route(*src, *dst, *segleft, addrs, frame);
        }
    }

    /// A link-local address moved onto the DODAG prefix (see the module doc).
    fn canon(&self, a: Addr) -> Addr {
        if let (Some(ll), Some(root)) = (self.root_link_local, self.root) {
            if a == ll {
                return root;
            }
        }
        match self.root {
            Some(r) if a[0] == 0xfe && a[1] & 0xc0 == 0x80 => {
                let mut g = r;
                g[8..].copy_from_slice(&a[8..]);
                g
            }
            _ => a,
        }
    }

    fn node_mut(&mut self, a: Addr, frame: u64) -> Option<&mut NodeInfo> {
        if !self.nodes.contains_key(&a) && self.nodes.len() >= MAX_NODES {
            return None;
        }
        let n = self.nodes.entry(a).or_insert_with(|| NodeInfo {
            first_frame: frame,
            ..Default::default()
        });
        n.last_frame = frame;
        Some(n)
    }

    fn set_parent(&mut self, child: Addr, parent: Addr, frame: u64, source: EdgeSource) {
        if child == parent || Some(child) == self.root {
            return;
        }
        // A source route only fills in what no DAO said.
        if source == EdgeSource::SourceRoute {
            if let Some(n) = self.nodes.get(&child) {
                if n.parent
                    .is_some_and(|(_, _, s)| s != EdgeSource::SourceRoute)
                {
                    return;
                }
            }
        }
        self.node_mut(parent, frame);
        if let Some(n) = self.node_mut(child, frame) {
            // Keep the frame that first established this edge; a DAO confirming an edge a
            // source route suggested takes it over.
            let update = match n.parent {
                Some((p, _, s)) if p == parent => {
                    s == EdgeSource::SourceRoute && source != EdgeSource::SourceRoute
                }
                _ => true,
            };
            if update {
                n.parent = Some((parent, frame, source));
            }
        }
        self.lost.remove(&child);
    }

    fn lose_parent(&mut self, child: Addr, frame: u64) {
        if let Some(n) = self.nodes.get_mut(&child) {
            if n.parent.take().is_some() {
                self.lost.insert(child, frame);
            }
        }
    }

    fn on_dio(&mut self, f: &Facts, frame: u64) {
        if let Some(dagid) = f.dio_dagid {
            if self.root.is_none() {
                self.root = Some(dagid);
            }
        }
        if self.instance.is_none() {
            self.instance = f.dio_instance;
        }
        if f.dio_mop.is_some() {
            self.mop = f.dio_mop;
        }
        if let Some(v) = f.dio_version {
            match self.version {
                None => self.version = Some(v),
                // Lollipop/serial comparison (§7.2): newer when ahead by less than half the space.
                Some(old) if v != old && (v.wrapping_sub(old) as i8) > 0 => {
                    if self.version_increments.len() < MAX_EVENTS {
                        self.version_increments.push((frame, old, v));
                    }
                    self.version = Some(v);
                }
                _ => {}
            }
        }
        if f.dio_rank.is_some_and(|r| r <= ROOT_RANK) && self.root_link_local.is_none() {
            self.root_link_local = f.src.filter(|a| a[0] == 0xfe && a[1] & 0xc0 == 0x80);
        }
        let Some(src) = f.src.map(|a| self.canon(a)) else {
            return;
        };
        if let Some(n) = self.node_mut(src, frame) {
            n.dio_count += 1;
            if f.dio_rank.is_some() {
                n.rank = f.dio_rank;
            }
            if f.dio_version.is_some() {
                n.version = f.dio_version;
            }
            if f.dio_instance.is_some() {
                n.instance = f.dio_instance;
            }
        }
        if f.dio_rank == Some(INFINITE_RANK) {
            // Poisoning: the node has no parent any more (§8.2.2.5).
            self.lose_parent(src, frame);
        }
    }

    fn on_dao(&mut self, f: &Facts, frame: u64) {
        let Some(src) = f.src.map(|a| self.canon(a)) else {
            return;
        };
        if let Some(n) = self.node_mut(src, frame) {
            n.dao_count += 1;
        }
        // Targets are followed by the transit options that apply to them (§9.4).
        let mut group: Vec<Addr> = vec![];
        let mut group_closed = false;
        let mut any_transit = false;
        let mut assignments: Vec<(Addr, Option<Addr>, Option<u8>)> = vec![];
        for item in &f.dao {
            match item {
                DaoItem::Target(t) => {
                    if group_closed {
                        group.clear();
                        group_closed = false;
                    }
                    group.push(*t);
                }
                DaoItem::Transit { parent, lifetime } => {
                    any_transit = true;
                    let targets = if group.is_empty() {
                        vec![src]
                    } else {
                        group.clone()
                    };
                    // Only the first transit of a group names the preferred parent.
                    if !group_closed {
                        for t in targets {
                            assignments.push((t, *parent, *lifetime));
                        }
                    }
                    group_closed = true;
                }
            }
        }
        if !any_transit {
            return;
        }
        for (target, parent, lifetime) in assignments {
            let target = self.canon(target);
            if lifetime == Some(0) {
                // No-Path DAO: the route (and so the parent) is gone (§6.4.3).
                self.lose_parent(target, frame);
                continue;
            }
            match parent {
                Some(par) => {
                    let par = self.canon(par);
                    self.set_parent(target, par, frame, EdgeSource::NonStoringDao);
                }
                None => {
                    // Storing mode: the sender's DAO goes to its parent; other targets are
                    // descendants of the sender, not necessarily its children.
                    if target == src {
                        if let Some(d) = f.dst.filter(|d| d[0] != 0xff) {
                            let d = self.canon(d);
                            self.set_parent(src, d, frame, EdgeSource::StoringDao);
                        }
                    }
                }
            }
        }
    }

    fn on_dis(&mut self, f: &Facts, frame: u64, ts: i64) {
        let Some(src) = f.src.map(|a| self.canon(a)) else {
            return;
        };
        if let Some(n) = self.node_mut(src, frame) {
            n.dis_count += 1;
        } else {
            return;
        }
        let (times, storming) = self.dis_recent.entry(src).or_default();
        times.push_back(ts);
        while times.front().is_some_and(|t| ts - t > DIS_WINDOW_NS) {
            times.pop_front();
        }
        while times.len() > DIS_STORM_COUNT {
            times.pop_front();
        }
        if times.len() >= DIS_STORM_COUNT {
            if *storming {
                if let Some(s) = self.dis_storms.iter_mut().rev().find(|s| s.0 == src) {
                    s.2 += 1;
                }
            } else {
                *storming = true;
                if self.dis_storms.len() < MAX_EVENTS {
                    // Detected at the frame that crossed the threshold.
                    self.dis_storms.push((src, frame, DIS_STORM_COUNT as u32));
                }
            }
        } else {
            *storming = false;
        }
    }

    fn on_source_route(&mut self, src: Addr, dst: Addr, segleft: u8, addrs: &[Addr], frame: u64) {
        // The full route from the root: visited hops, the current destination, hops to go.
        let n = addrs.len();
        let s = (segleft as usize).min(n);
        let mut path: Vec<Addr> = addrs[..n - s].to_vec();
        path.push(dst);
        path.extend_from_slice(&addrs[n - s..]);
        let mut prev = src;
        for hop in path {
            self.set_parent(hop, prev, frame, EdgeSource::SourceRoute);
            prev = hop;
        }
    }

    // ---- queries --------------------------------------------------------------------------------

    pub fn root(&self) -> Option<Addr> {
        self.root
    }

    pub fn node(&self, a: &Addr) -> Option<&NodeInfo> {
        self.nodes.get(a)
    }

    pub fn nodes(&self) -> &BTreeMap<Addr, NodeInfo> {
        &self.nodes
    }

    /// Every current child → preferred-parent edge, ordered by child address.
    pub fn edges(&self) -> Vec<Edge> {
        self.nodes
            .iter()
            .filter_map(|(c, n)| {
                n.parent.map(|(p, frame, source)| Edge {
                    child: *c,
                    parent: p,
                    frame,
                    source,
                })
            })
            .collect()
    }

    /// (frame, old version, new version) of each DODAG version increment.
    pub fn version_increments(&self) -> &[(u64, u8, u8)] {
        &self.version_increments
    }

    /// Nodes whose parent is gone and not replaced yet.
    pub fn lost_parent(&self) -> Vec<Addr> {
        self.lost.keys().copied().collect()
    }

    /// (sender, frame where the storm was detected, DIS sent in it).
    pub fn dis_storms(&self) -> &[(Addr, u64, u32)] {
        &self.dis_storms
    }

    /// (frame, source, rank error, forwarding error) of data packets whose RPL option flags a
    /// loop (R, §11.2.2.2) or a missing downward route (F, §11.2.2.3).
    pub fn datapath_errors(&self) -> &[(u64, Addr, bool, bool)] {
        &self.datapath_errors
    }

    fn children(&self) -> BTreeMap<Addr, Vec<Addr>> {
        let mut ch: BTreeMap<Addr, Vec<Addr>> = BTreeMap::new();
        for e in self.edges() {
            ch.entry(e.parent).or_default().push(e.child);
        }
        ch
    }

    fn label(&self, a: &Addr) -> String {
        let n = self.nodes.get(a);
        let rank = n
            .and_then(|n| n.rank)
            .map(|r| format!("rank {r}"))
            .unwrap_or_else(|| "rank ?".into());
        let mut s = text(a);
        match n.and_then(|n| n.parent) {
            Some((_, frame, src)) => {
                let how = match src {
                    EdgeSource::NonStoringDao | EdgeSource::StoringDao => "DAO",
                    EdgeSource::SourceRoute => "source route",
                };
                let _ = write!(s, " ({rank}) [{how} frame {frame}]");
            }
            None if Some(*a) == self.root => {
                let _ = write!(s, " (root, {rank})");
            }
            None => {
                let _ = write!(s, " ({rank})");
            }
        }
        s
    }

    fn render_subtree(
        &self,
        out: &mut String,
        a: &Addr,
        depth: usize,
        ch: &BTreeMap<Addr, Vec<Addr>>,
        seen: &mut BTreeSet<Addr>,
    ) {
        if !seen.insert(*a) {
            let _ = writeln!(out, "{}{} (loop)", "  ".repeat(depth), text(a));
            return;
        }
        let _ = writeln!(out, "{}{}", "  ".repeat(depth), self.label(a));
        for c in ch.get(a).map(|v| v.as_slice()).unwrap_or(&[]) {
            self.render_subtree(out, c, depth + 1, ch, seen);
        }
    }

    /// The DODAG as an indented tree: each node with its rank and the frame that established
    /// its edge, then what is not attached and the events.
    pub fn render_tree(&self) -> String {
        let mut out = String::new();
        if let Some(r) = self.root {
            let mode = match self.mop {
                Some(0) => " (no downward routes)",
                Some(1) => " (non-storing)",
                Some(2) | Some(3) => " (storing)",
                _ => "",
            };
            let _ = writeln!(
                out,
                "DODAG {}: instance {}, version {}, MOP {}{mode}, {} nodes",
                text(&r),
                self.instance
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "?".into()),
                self.version
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "?".into()),
                self.mop
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "?".into()),
                self.nodes.len().max(1)
            );
        }
        let ch = self.children();
        let mut seen = BTreeSet::new();
        // Tops: the root, then parents that have no parent themselves.
        let mut tops: Vec<Addr> = vec![];
        if let Some(r) = self.root {
            tops.push(r);
        }
        for p in ch.keys() {
            let has_parent = self.nodes.get(p).is_some_and(|n| n.parent.is_some());
            if !has_parent && Some(*p) != self.root {
                tops.push(*p);
            }
        }
        for t in &tops {
            self.render_subtree(&mut out, t, 0, &ch, &mut seen);
        }
        // Edges in a cycle never reached from a top.
        for e in self.edges() {
            if !seen.contains(&e.child) {
                self.render_subtree(&mut out, &e.child, 0, &ch, &mut seen);
            }
        }
        let detached: Vec<&Addr> = self.nodes.keys().filter(|a| !seen.contains(*a)).collect();
        if !detached.is_empty() {
            out.push_str("without a parent:\n");
            for a in detached {
                let _ = writeln!(out, "  {}", self.label(a));
            }
        }
        let mut events = vec![];
        for (frame, old, new) in &self.version_increments {
            events.push(format!("DODAG version {old} -> {new} at frame {frame}"));
        }
        for (a, frame) in &self.lost {
            events.push(format!("{} lost its parent at frame {frame}", text(a)));
        }
        for (a, frame, count) in &self.dis_storms {
            events.push(format!(
                "DIS storm from {}: {count} DIS, detected at frame {frame}",
                text(a)
            ));
        }
        for (frame, a, r, f) in &self.datapath_errors {
            let what = match (r, f) {
                (true, true) => "rank and forwarding errors",
                (true, false) => "rank error (loop detected)",
                _ => "forwarding error (no downward route)",
            };
            events.push(format!(
                "RPL option {what} on a packet from {} at frame {frame}",
                text(a)
            ));
        }
        if !events.is_empty() {
            out.push_str("events:\n");
            for e in events {
                let _ = writeln!(out, "  {e}");
            }
        }
        out
    }

    /// The DODAG in Graphviz: one node per address (rank in the label, the root double
    /// circled), one edge child → parent labelled with the frame that established it.
    pub fn render_dot(&self) -> String {
        let mut out = String::from("digraph dodag {\n  rankdir=BT;\n");
        for (a, n) in &self.nodes {
            let rank = n.rank.map(|r| format!("\\nrank {r}")).unwrap_or_default();
            let shape = if Some(*a) == self.root {
                ", shape=doublecircle"
            } else if self.lost.contains_key(a) {
                ", style=dashed"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}{rank}\"{shape}];",
                text(a),
                text(a)
            );
        }
        if let Some(r) = self.root {
            if !self.nodes.contains_key(&r) {
                let _ = writeln!(out, "  \"{}\" [shape=doublecircle];", text(&r));
            }
        }
        for e in self.edges() {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"];",
                text(&e.child),
                text(&e.parent),
                e.frame
            );
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, FrameMeta};
    use crate::proto::ipv6::rpl::tests::{dao_body, icmpv6_packet};

    fn g(i: u8) -> Addr {
        let mut a = [0u8; 16];
        a[0] = 0xfd;
        a[15] = i;
        a
    }

    fn ll(i: u8) -> Addr {
        let mut a = [0u8; 16];
        a[0] = 0xfe;
        a[1] = 0x80;
        a[15] = i;
        a
    }

    fn run(frames: &[Vec<u8>]) -> Topology {
        let mut e = Engine::with_defaults();
        let mut t = Topology::default();
        for (i, f) in frames.iter().enumerate() {
            let meta = FrameMeta {
                number: i as u64 + 1,
                orig_len: f.len() as u32,
                link_type: 229,
                ..Default::default()
            };
            t.add_packet(&e.dissect(meta, f));
        }
        t
    }

    fn dio(src: Addr, rank: u16) -> Vec<u8> {
        let mut b = vec![30, 1];
        b.extend_from_slice(&rank.to_be_bytes());
        b.extend_from_slice(&[0x90, 0, 0, 0]); // MOP 2 (storing)
        b.extend_from_slice(&g(1));
        let mut dst = [0u8; 16];
        dst[0] = 0xff;
        dst[1] = 2;
        dst[15] = 0x1a;
        icmpv6_packet(155, 1, &b, src, dst)
    }

    #[test]
    fn storing_mode_dao_and_link_local_mapping() {
        // The root's DIO from its link-local address; node 2 sends a storing-mode DAO
        // (transit without parent) to the root's link-local address.
        let mut dao = dao_body(ll(2), None, 5);
        // The DAO target is the node's global address.
        dao[24..40].copy_from_slice(&g(2));
        let frames = vec![
            dio(ll(1), 256),
            dio(ll(2), 512),
            icmpv6_packet(155, 2, &dao, ll(2), ll(1)),
        ];
        let t = run(&frames);
        assert_eq!(t.root(), Some(g(1)));
        let e = t.edges();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].child, e[0].parent, e[0].frame), (g(2), g(1), 3));
        assert_eq!(e[0].source, EdgeSource::StoringDao);
        assert_eq!(t.node(&g(2)).unwrap().rank, Some(512));
        assert_eq!(t.node(&g(1)).unwrap().rank, Some(256));
    }

    #[test]
    fn source_route_gives_the_path_and_dao_wins() {
        // Root g1 sends to g3 through g2: at segleft 0 the route is [visited…, dst].
        let rh = [59u8, 1, 3, 0, 0xff, 0x70, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
        let sr = crate::proto::ipv6::ext::tests::ipv6(43, g(1), g(3), &rh);
        let mut t = run(&[dio(g(1), 256), sr.clone()]);
        let e = t.edges();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].child, e[0].parent), (g(2), g(1)));
        assert_eq!((e[1].child, e[1].parent), (g(3), g(2)));
        assert_eq!(e[1].source, EdgeSource::SourceRoute);
        // A non-storing DAO saying g3's parent is g1 overrides; a later source route does not.
        let mut e2 = Engine::with_defaults();
        let dao = icmpv6_packet(155, 2, &dao_body(g(3), Some(g(1)), 9), g(3), g(1));
        for (i, f) in [dao, sr].iter().enumerate() {
            let meta = FrameMeta {
                number: 3 + i as u64,
                orig_len: f.len() as u32,
                link_type: 229,
                ..Default::default()
            };
            t.add_packet(&e2.dissect(meta, f));
        }
        let e3 = t.edges().into_iter().find(|e| e.child == g(3)).unwrap();
        assert_eq!((e3.parent, e3.frame), (g(1), 3));
        assert!(t.render_tree().contains("[DAO frame 3]"));
        assert!(t
            .render_tree()
            .contains("fd00::2 (rank ?) [source route frame 2]"));
    }

    #[test]
    fn rpl_option_errors_are_events() {
        // Hop-by-hop RPL option with R and F set (RFC 6553 §3), then nothing.
        let hbh = [59u8, 0, 0x63, 4, 0x60, 30, 0x02, 0x00];
        let t = run(&[
            dio(g(1), 256),
            crate::proto::ipv6::ext::tests::ipv6(0, g(3), g(1), &hbh),
        ]);
        assert_eq!(t.datapath_errors(), &[(2, g(3), true, true)]);
        assert!(t
            .render_tree()
            .contains("RPL option rank and forwarding errors on a packet from fd00::3 at frame 2"));
    }

    #[test]
    fn no_path_dao_loses_the_parent() {
        let mut d = dao_body(g(2), Some(g(1)), 1);
        let t = run(&[dio(g(1), 256), icmpv6_packet(155, 2, &d, g(2), g(1))]);
        assert_eq!(t.edges().len(), 1);
        // Path lifetime 0 (last byte of the transit header before the parent address).
        let n = d.len();
        d[n - 17] = 0;
        let t = run(&[
            dio(g(1), 256),
            icmpv6_packet(155, 2, &dao_body(g(2), Some(g(1)), 1), g(2), g(1)),
            icmpv6_packet(155, 2, &d, g(2), g(1)),
        ]);
        assert!(t.edges().is_empty());
        assert_eq!(t.lost_parent(), vec![g(2)]);
        assert!(t.render_tree().contains("lost its parent at frame 3"));
        assert!(t.render_dot().contains("style=dashed"));
    }
}
