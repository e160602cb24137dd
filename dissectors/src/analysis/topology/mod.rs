//! The RPL DODAGs as the captured control traffic shows them (RFC 6550 §3): a pure model fed
//! with dissected packets, no I/O. It reads each packet's RPL facts ([`facts`]: DIO, DAO
//! targets and transit information, RFC 6554 source routes, RFC 6553 RPL options) and keeps:
//!
//! - every DODAG (DODAGID, which §6.3.1 makes an address of the root; RPLInstanceID, mode of
//!   operation, version);
//! - every node with its latest rank, DODAG version, DTSN and DODAG (from its own DIOs);
//! - each node's preferred parent and the frame that established the edge: in non-storing
//!   mode the parent address of the DAO's Transit Information (§6.7.8, §9.7); in storing mode
//!   (transit without a parent address) the DAO's sender is the child and its IPv6 destination,
//!   the parent it chose (§9.2); failing both, the hops of an RFC 6554 source route from the
//!   root (§4.2 of RFC 6554: the route is the addresses already visited, the destination, then
//!   the addresses still to visit);
//! - the history ([`events`]): nodes appearing, parent switches, rank, version and DTSN
//!   changes, DODAG version increments (global repair, §8.2.2.2), No-Path DAOs (§6.4.3), DIS
//!   bursts (a node soliciting over and over: it cannot find a parent), nodes losing their
//!   parent (a No-Path DAO for it, or an INFINITE_RANK DIO, §8.2.2.5), nodes going silent and
//!   coming back, and data packets whose RPL option reports a rank or forwarding error.
//!
//! The state is the fold of the events, so [`Topology::as_of`] (the topology as of frame N)
//! agrees with the live model by construction. Memory is bounded (nodes, events).
//!
//! Use: `Topology::default()`, [`Topology::add_packet`] for every frame in order, then
//! [`Topology::render_tree`] (`-z rpl,tree`), [`Topology::render_events`] (`-z rpl,events`) or
//! [`Topology::render_dot`] (`-z rpl,tree,dot`); the engine needs to build only [`build`]'s
//! fields for it.
//!
//! DIOs come from link-local addresses while DAOs and source routes use global ones; a link-local
//! address is mapped onto the first DODAG's /64 prefix with the same interface identifier so a
//! node is one node (the usual SLAAC layout of RPL networks; other layouts keep two names).

mod events;
mod facts;
mod render;

pub use events::{Change, Event, EventLog, LossCause, State, MAX_EVENTS};
pub use render::{describe, forest, mop_name, text, Section, SectionKind, TreeRow};

use crate::engine::address::Address;
use crate::engine::tree::Build;
use crate::engine::Packet;
use facts::Facts;
use foldhash::HashMap;
use std::collections::{BTreeSet, VecDeque};

/// An IPv6 address.
pub type Addr = [u8; 16];

/// RFC 6550 §17: INFINITE_RANK.
const INFINITE_RANK: u16 = 0xffff;
/// A node sending this many DIS within [`DIS_WINDOW_NS`] is in a DIS burst.
const DIS_BURST_COUNT: usize = 5;
const DIS_WINDOW_NS: i64 = 10_000_000_000;
/// Bound on the nodes tracked (a hostile capture cannot grow the model without limit).
const MAX_NODES: usize = 65_536;
/// Bound on each list of reports kept besides the event log.
const MAX_REPORTS: usize = 10_000;
/// A node is silent when unheard for [`SILENT_FACTOR`] times the longest gap it showed so far,
/// and at least this long (a fixed threshold would flag every node of a slow trickle timer).
const SILENT_MIN_NS: i64 = 60_000_000_000;
const SILENT_FACTOR: i64 = 4;
/// The rank a DODAG root advertises with the default MinHopRankIncrement (RFC 6550 §17).
const ROOT_RANK: u16 = 256;

/// The tree the topology reads: the layers and the RPL fields of [`facts`].
pub fn build() -> Build {
    Build::fields(facts::fields())
}

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
    pub dtsn: Option<u8>,
    pub instance: Option<u8>,
    /// The DODAG its DIOs name.
    pub dodag: Option<Addr>,
    /// The mode of operation its DIOs advertise.
    pub mop: Option<u8>,
    pub parent: Option<(Addr, u64, EdgeSource)>,
    /// The frame where it lost its parent, while it has none.
    pub lost: Option<u64>,
    /// Not heard for longer than its silence threshold.
    pub silent: bool,
    pub first_frame: u64,
    pub last_frame: u64,
    pub dio_count: u32,
    pub dao_count: u32,
    pub dis_count: u32,
    /// (frame, capture time) it was last heard (any IPv6 packet from it).
    pub last_heard: Option<(u64, i64)>,
    /// The longest time it went unheard so far (ns).
    pub max_gap_ns: i64,
    /// When it becomes silent unless heard again (capture time).
    deadline: Option<i64>,
}

/// What is known about one DODAG.
#[derive(Clone, Debug, Default)]
pub struct DodagInfo {
    pub instance: u8,
    pub mop: Option<u8>,
    pub version: Option<u8>,
    pub first_frame: u64,
}

/// A DAO's (target, transit parent, path lifetime).
type Assignment = (Addr, Option<Addr>, Option<u8>);

/// The DODAG model. Feed it every packet in capture order with [`Topology::add_packet`].
#[derive(Clone, Default)]
pub struct Topology {
    state: State,
    log: EventLog,
    /// (frame, old version, new version) of each DODAG version increment.
    version_increments: Vec<(u64, u8, u8)>,
    /// DIS times per sender, and whether it is in a burst now.
    dis_recent: HashMap<Addr, (VecDeque<i64>, bool)>,
    /// (sender, first frame of the burst, DIS count in it).
    dis_storms: Vec<(Addr, u64, u32)>,
    /// (frame, packet source, rank error, forwarding error) of RPL option errors.
    datapath_errors: Vec<(u64, Addr, bool, bool)>,
    /// The first root's link-local address, once a root-rank DIO showed it: it names the same
    /// node as the DODAGID, which need not share its interface identifier.
    root_link_local: Option<Addr>,
    /// Silence deadlines: (capture time, node).
    deadlines: BTreeSet<(i64, Addr)>,
    /// The frame this is a view as of ([`Topology::as_of`]); None for the live model.
    as_of: Option<u64>,
    /// The frame and time of the packet being added.
    now: (u64, i64),
}

fn is_link_local(a: &Addr) -> bool {
    a[0] == 0xfe && a[1] & 0xc0 == 0x80
}

impl Topology {
    /// Adds what one dissected packet says.
    pub fn add_packet(&mut self, p: &Packet) {
        let frame = p.meta.number;
        self.now = (frame, p.rel_ns);
        self.check_silence(p.meta.ts_ns);
        let f = facts::facts(p);
        if let Some(code) = f.code {
            match code & 0x7f {
                0x00 => self.on_dis(&f, p.meta.ts_ns),
                0x01 => self.on_dio(&f),
                0x02 => self.on_dao(&f),
                _ => {}
            }
        }
        if let Some((src, r, fe)) = f.rpl_option_errors {
            if (r || fe) && self.datapath_errors.len() < MAX_REPORTS {
                self.datapath_errors.push((frame, src, r, fe));
                let change = Change::DatapathError {
                    rank: r,
                    forwarding: fe,
                };
                self.record(src, change);
            }
        }
        if let Some((src, dst, segleft, addrs)) = &f.srh {
            self.on_source_route(*src, *dst, *segleft, addrs);
        }
        if let Address::Ipv6(src) = p.info.net_src {
            let src = self.canon(src);
            self.heard(src, p.meta.ts_ns);
        }
    }

    /// Records an event and applies it to the state.
    fn record(&mut self, node: Addr, change: Change) {
        let e = Event {
            frame: self.now.0,
            rel_ns: self.now.1,
            node,
            change,
        };
        self.state.apply(&e);
        self.log.push(e);
    }

    /// The first DODAG's id (the first DODAGID seen).
    pub fn root(&self) -> Option<Addr> {
        self.state
            .dodags
            .iter()
            .min_by_key(|(_, d)| d.first_frame)
            .map(|(a, _)| *a)
    }

    /// A link-local address moved onto the first DODAG's prefix (see the module doc).
    fn canon(&self, a: Addr) -> Addr {
        let root = self.root();
        if let (Some(ll), Some(root)) = (self.root_link_local, root) {
            if a == ll {
                return root;
            }
        }
        match root {
            Some(r) if is_link_local(&a) => {
                let mut g = r;
                g[8..].copy_from_slice(&a[8..]);
                g
            }
            _ => a,
        }
    }

    /// The node, created (with an `Appeared` event) when new and the table has room.
    fn node_mut(&mut self, a: Addr) -> Option<&mut NodeInfo> {
        if !self.state.nodes.contains_key(&a) {
            if self.state.nodes.len() >= MAX_NODES {
                return None;
            }
            self.record(a, Change::Appeared);
        }
        let n = self.state.nodes.get_mut(&a)?;
        n.last_frame = self.now.0;
        Some(n)
    }

    fn is_root(&self, a: &Addr) -> bool {
        self.state.dodags.contains_key(a)
    }

    fn set_parent(&mut self, child: Addr, parent: Addr, source: EdgeSource) {
        if child == parent || self.is_root(&child) {
            return;
        }
        // A source route only fills in what no DAO said.
        let current = self.state.nodes.get(&child).and_then(|n| n.parent);
        if source == EdgeSource::SourceRoute
            && current.is_some_and(|(_, _, s)| s != EdgeSource::SourceRoute)
        {
            return;
        }
        if self.node_mut(parent).is_none() || self.node_mut(child).is_none() {
            return;
        }
        // Keep the frame that first established this edge; a DAO confirming an edge a source
        // route suggested takes it over.
        let update = match current {
            Some((p, _, s)) if p == parent => {
                s == EdgeSource::SourceRoute && source != EdgeSource::SourceRoute
            }
            _ => true,
        };
        if update {
            let change = Change::Parent {
                from: current.map(|c| c.0),
                to: Some(parent),
                source: Some(source),
                lost: None,
            };
            self.record(child, change);
        }
    }

    fn lose_parent(&mut self, child: Addr, cause: LossCause) {
        let current = self.state.nodes.get(&child).and_then(|n| n.parent);
        if let Some((p, _, _)) = current {
            let change = Change::Parent {
                from: Some(p),
                to: None,
                source: None,
                lost: Some(cause),
            };
            self.record(child, change);
        }
    }

    fn on_dio(&mut self, f: &Facts) {
        if f.dio_rank.is_some_and(|r| r <= ROOT_RANK) && self.root_link_local.is_none() {
            let first = self.root().is_none() || self.root() == f.dio_dagid;
            if first {
                self.root_link_local = f.src.filter(is_link_local);
            }
        }
        // The DODAG exists before its first node names it, so the root's link-local address
        // maps onto it.
        if let (Some(dagid), Some(instance)) = (f.dio_dagid, f.dio_instance) {
            if !self.state.dodags.contains_key(&dagid) {
                self.state.dodags.insert(
                    dagid,
                    DodagInfo {
                        instance,
                        first_frame: self.now.0,
                        ..Default::default()
                    },
                );
            }
        }
        let Some(src) = f.src.map(|a| self.canon(a)) else {
            return;
        };
        let Some(n) = self.node_mut(src) else { return };
        n.dio_count += 1;
        let n = n.clone();
        if let (Some(dodag), Some(instance)) = (f.dio_dagid, f.dio_instance) {
            let mop = f.dio_mop.or(n.mop);
            if n.dodag != Some(dodag) || n.instance != Some(instance) || n.mop != mop {
                self.record(
                    src,
                    Change::Dodag {
                        instance,
                        dodag,
                        mop,
                    },
                );
            }
        }
        if let Some(v) = f.dio_version {
            self.check_version_increment(src, f.dio_dagid, v);
            if n.version != Some(v) {
                self.record(
                    src,
                    Change::Version {
                        from: n.version,
                        to: v,
                    },
                );
            }
        }
        if let Some(r) = f.dio_rank.filter(|r| n.rank != Some(*r)) {
            self.record(
                src,
                Change::Rank {
                    from: n.rank,
                    to: r,
                },
            );
        }
        if let Some(d) = f.dio_dtsn.filter(|d| n.dtsn != Some(*d)) {
            self.record(
                src,
                Change::Dtsn {
                    from: n.dtsn,
                    to: d,
                },
            );
        }
        if f.dio_rank == Some(INFINITE_RANK) {
            // Poisoning: the node has no parent any more (§8.2.2.5).
            self.lose_parent(src, LossCause::InfiniteRank);
        }
    }

    /// A DIO carrying a version newer than its DODAG's (lollipop/serial comparison, §7.2:
    /// newer when ahead by less than half the space) is a global repair.
    fn check_version_increment(&mut self, src: Addr, dodag: Option<Addr>, v: u8) {
        let Some(dodag) = dodag else { return };
        let Some(old) = self.state.dodags.get(&dodag).and_then(|d| d.version) else {
            return;
        };
        if v != old && (v.wrapping_sub(old) as i8) > 0 {
            if self.version_increments.len() < MAX_REPORTS {
                self.version_increments.push((self.now.0, old, v));
            }
            let change = Change::VersionIncrement {
                dodag,
                from: old,
                to: v,
            };
            self.record(src, change);
        }
    }

    /// The (target, parent, path lifetime) assignments of a DAO: targets are followed by the
    /// transit options that apply to them (§9.4), and only the first transit of a group names
    /// the preferred parent. None when the DAO has no transit at all.
    fn dao_assignments(f: &Facts, src: Addr) -> Option<Vec<Assignment>> {
        let mut group: Vec<Addr> = vec![];
        let mut group_closed = false;
        let mut any_transit = false;
        let mut assignments = vec![];
        for item in &f.dao {
            match item {
                facts::DaoItem::Target(t) => {
                    if group_closed {
                        group.clear();
                        group_closed = false;
                    }
                    group.push(*t);
                }
                facts::DaoItem::Transit { parent, lifetime } => {
                    any_transit = true;
                    if !group_closed {
                        let targets = if group.is_empty() {
                            vec![src]
                        } else {
                            group.clone()
                        };
                        for t in targets {
                            assignments.push((t, *parent, *lifetime));
                        }
                    }
                    group_closed = true;
                }
            }
        }
        any_transit.then_some(assignments)
    }

    fn on_dao(&mut self, f: &Facts) {
        let Some(src) = f.src.map(|a| self.canon(a)) else {
            return;
        };
        if let Some(n) = self.node_mut(src) {
            n.dao_count += 1;
        }
        let Some(assignments) = Self::dao_assignments(f, src) else {
            return;
        };
        // In storing mode a node's own DAO goes to its parent (§9.2); the other targets are
        // descendants of the sender, not necessarily its children.
        let storing_parent = f.dst.filter(|d| d[0] != 0xff).map(|d| self.canon(d));
        for (target, parent, lifetime) in assignments {
            let target = self.canon(target);
            let named = match parent {
                Some(p) => Some(self.canon(p)),
                None if target == src => storing_parent,
                None => None,
            };
            if lifetime == Some(0) {
                self.on_no_path(target, named, parent.is_none() && target != src);
                continue;
            }
            match (parent, named) {
                (Some(_), Some(par)) => self.set_parent(target, par, EdgeSource::NonStoringDao),
                (None, Some(par)) => self.set_parent(target, par, EdgeSource::StoringDao),
                _ => {}
            }
        }
    }

    /// A No-Path DAO (path lifetime 0, §6.4.3) withdraws the route through the parent it names:
    /// a node that switched parent and then says "no path through my old parent" keeps its new
    /// one. Only when it names no parent at all (a storing-mode DAO to a multicast address) is
    /// the current parent taken as the one withdrawn. A storing-mode No-Path relayed for a
    /// descendant (`relayed`) says nothing about the descendant's own parent.
    fn on_no_path(&mut self, target: Addr, named: Option<Addr>, relayed: bool) {
        let current = self
            .state
            .nodes
            .get(&target)
            .and_then(|n| n.parent)
            .map(|p| p.0);
        let applies = !relayed && current.is_some() && (named.is_none() || named == current);
        if self.node_mut(target).is_none() {
            return;
        }
        let change = Change::NoPath {
            parent: named,
            applied: applies,
        };
        self.record(target, change);
        if applies {
            self.lose_parent(target, LossCause::NoPath);
        }
    }

    fn on_dis(&mut self, f: &Facts, ts: i64) {
        let Some(src) = f.src.map(|a| self.canon(a)) else {
            return;
        };
        let Some(n) = self.node_mut(src) else { return };
        n.dis_count += 1;
        let (times, bursting) = self.dis_recent.entry(src).or_default();
        times.push_back(ts);
        while times.front().is_some_and(|t| ts - t > DIS_WINDOW_NS) {
            times.pop_front();
        }
        while times.len() > DIS_BURST_COUNT {
            times.pop_front();
        }
        if times.len() < DIS_BURST_COUNT {
            *bursting = false;
            return;
        }
        if *bursting {
            if let Some(s) = self.dis_storms.iter_mut().rev().find(|s| s.0 == src) {
                s.2 += 1;
            }
        } else {
            *bursting = true;
            if self.dis_storms.len() < MAX_REPORTS {
                // Detected at the frame that crossed the threshold.
                self.dis_storms
                    .push((src, self.now.0, DIS_BURST_COUNT as u32));
            }
            let change = Change::DisBurst {
                count: DIS_BURST_COUNT as u32,
            };
            self.record(src, change);
        }
    }

    fn on_source_route(&mut self, src: Addr, dst: Addr, segleft: u8, addrs: &[Addr]) {
        // The full route from the root: visited hops, the current destination, hops to go.
        let n = addrs.len();
        let s = (segleft as usize).min(n);
        let mut path: Vec<Addr> = addrs[..n - s].to_vec();
        path.push(dst);
        path.extend_from_slice(&addrs[n - s..]);
        let mut prev = src;
        for hop in path {
            self.set_parent(hop, prev, EdgeSource::SourceRoute);
            prev = hop;
        }
    }

    /// A known node sent a packet: it is not silent, and its silence deadline moves.
    fn heard(&mut self, a: Addr, ts: i64) {
        let frame = self.now.0;
        let Some(n) = self.state.nodes.get_mut(&a) else {
            return;
        };
        let mut back = None;
        if let Some((_, last)) = n.last_heard {
            let gap = ts.saturating_sub(last);
            if n.silent {
                back = Some(gap);
            } else {
                n.max_gap_ns = n.max_gap_ns.max(gap);
            }
        }
        if let Some(d) = n.deadline.take() {
            self.deadlines.remove(&(d, a));
        }
        let wait = n
            .max_gap_ns
            .saturating_mul(SILENT_FACTOR)
            .max(SILENT_MIN_NS);
        let d = ts.saturating_add(wait);
        n.deadline = Some(d);
        n.last_heard = Some((frame, ts));
        self.deadlines.insert((d, a));
        if let Some(after_ns) = back {
            self.record(a, Change::Back { after_ns });
        }
    }

    /// Nodes whose deadline passed before `ts` went silent.
    fn check_silence(&mut self, ts: i64) {
        while let Some(&(d, a)) = self.deadlines.first() {
            if d >= ts {
                break;
            }
            self.deadlines.pop_first();
            let Some(n) = self.state.nodes.get_mut(&a) else {
                continue;
            };
            n.deadline = None;
            let last_frame = n.last_heard.map_or(0, |h| h.0);
            if !n.silent {
                self.record(a, Change::Silent { last_frame });
            }
        }
    }

    // ---- queries --------------------------------------------------------------------------------

    pub fn node(&self, a: &Addr) -> Option<&NodeInfo> {
        self.state.nodes.get(a)
    }

    pub fn nodes(&self) -> &std::collections::BTreeMap<Addr, NodeInfo> {
        &self.state.nodes
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The history, oldest first.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The frame this topology is a view as of, when it is one.
    pub fn as_of_frame(&self) -> Option<u64> {
        self.as_of
    }

    /// Every current child → preferred-parent edge, ordered by child address.
    pub fn edges(&self) -> Vec<Edge> {
        edges(&self.state)
    }

    /// (frame, old version, new version) of each DODAG version increment.
    pub fn version_increments(&self) -> &[(u64, u8, u8)] {
        &self.version_increments
    }

    /// Nodes whose parent is gone and not replaced yet.
    pub fn lost_parent(&self) -> Vec<Addr> {
        self.state
            .nodes
            .iter()
            .filter(|(_, n)| n.lost.is_some())
            .map(|(a, _)| *a)
            .collect()
    }

    /// (sender, frame where the burst was detected, DIS sent in it).
    pub fn dis_storms(&self) -> &[(Addr, u64, u32)] {
        &self.dis_storms
    }

    /// (frame, source, rank error, forwarding error) of data packets whose RPL option flags a
    /// loop (R, §11.2.2.2) or a missing downward route (F, §11.2.2.3).
    pub fn datapath_errors(&self) -> &[(u64, Addr, bool, bool)] {
        &self.datapath_errors
    }

    /// The topology as it was after frame `frame`: the fold of the events up to it. Counters
    /// (DIOs sent, …) are the live model's; the lists of reports stop at `frame`.
    pub fn as_of(&self, frame: u64) -> Topology {
        let mut state = self.log.state_at(frame);
        for (a, n) in state.nodes.iter_mut() {
            if let Some(live) = self.state.nodes.get(a) {
                n.dio_count = live.dio_count;
                n.dao_count = live.dao_count;
                n.dis_count = live.dis_count;
            }
        }
        let mut log = EventLog::default();
        for e in self.log.events().iter().take_while(|e| e.frame <= frame) {
            log.push(e.clone());
        }
        Topology {
            state,
            log,
            version_increments: until(&self.version_increments, frame, |v| v.0),
            dis_storms: until(&self.dis_storms, frame, |v| v.1),
            datapath_errors: until(&self.datapath_errors, frame, |v| v.0),
            root_link_local: self.root_link_local,
            as_of: Some(frame),
            ..Default::default()
        }
    }
}

/// The items of `v` (in frame order) up to `frame`.
fn until<T: Clone>(v: &[T], frame: u64, at: impl Fn(&T) -> u64) -> Vec<T> {
    v.iter().take_while(|x| at(x) <= frame).cloned().collect()
}

/// Every child → preferred-parent edge of a state, ordered by child address.
pub fn edges(state: &State) -> Vec<Edge> {
    state
        .nodes
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

    /// A non-storing DAO from `node` naming `parent`, with path lifetime `lifetime`.
    fn dao(node: Addr, parent: Addr, lifetime: u8) -> Vec<u8> {
        let mut d = dao_body(node, Some(parent), 1);
        let n = d.len();
        d[n - 17] = lifetime;
        icmpv6_packet(155, 2, &d, node, g(1))
    }

    #[test]
    fn no_path_for_the_old_parent_after_a_switch_keeps_the_new_edge() {
        // Node 4 hangs under 2, switches to 3, then withdraws the path through 2.
        let t = run(&[
            dio(g(1), 256),
            dao(g(2), g(1), 30),
            dao(g(3), g(1), 30),
            dao(g(4), g(2), 30),
            dao(g(4), g(3), 30),
            dao(g(4), g(2), 0),
        ]);
        let e4 = t.edges().into_iter().find(|e| e.child == g(4));
        assert_eq!(e4.map(|e| (e.parent, e.frame)), Some((g(3), 5)));
        assert!(t.lost_parent().is_empty());
        let tree = t.render_tree();
        assert!(
            tree.contains("    fd00::4 (rank ?) [DAO frame 5]"),
            "{tree}"
        );
        let events = t.render_events();
        assert!(
            events.contains("parent switch    fd00::2 -> fd00::3"),
            "{events}"
        );
        assert!(
            events.contains("No-Path DAO      via fd00::2: not its current parent: ignored"),
            "{events}"
        );
        // A No-Path naming the current parent does withdraw it.
        let t = run(&[dio(g(1), 256), dao(g(4), g(3), 30), dao(g(4), g(3), 0)]);
        assert!(t.edges().is_empty());
        assert_eq!(t.lost_parent(), vec![g(4)]);
        assert!(t
            .render_events()
            .contains("parent lost      fd00::3 -> none (No-Path DAO)"));
    }

    #[test]
    fn the_topology_as_of_a_frame_is_the_live_one_then() {
        let frames = vec![
            dio(g(1), 256),
            dao(g(2), g(1), 30),
            dao(g(3), g(1), 30),
            dao(g(4), g(2), 30),
            dio(ll(4), 768),
            dao(g(4), g(3), 30),
            dio(ll(4), 1024),
        ];
        let full = run(&frames);
        for n in 1..=frames.len() {
            let live = run(&frames[..n]);
            let past = full.as_of(n as u64);
            assert_eq!(past.edges(), live.edges(), "as of frame {n}");
            let ranks = |t: &Topology| -> Vec<(Addr, Option<u16>)> {
                t.nodes().iter().map(|(a, i)| (*a, i.rank)).collect()
            };
            assert_eq!(ranks(&past), ranks(&live), "as of frame {n}");
            assert_eq!(past.log().events(), live.log().events());
        }
        let at5 = full.as_of(5);
        assert!(at5.render_tree().starts_with("as of frame 5\n"));
        assert_eq!(at5.node(&g(4)).unwrap().parent.map(|p| p.0), Some(g(2)));
        assert_eq!(full.node(&g(4)).unwrap().parent.map(|p| p.0), Some(g(3)));
        let notable: Vec<String> = full
            .log()
            .events()
            .iter()
            .filter(|e| e.is_notable())
            .map(|e| render::describe(e).1)
            .collect();
        assert_eq!(notable, ["fd00::2 -> fd00::3", "768 -> 1024"]);
    }

    #[test]
    fn silent_nodes_and_their_return_are_events() {
        let at = |ms: i64, f: &[u8], n: u64| {
            (
                FrameMeta {
                    number: n,
                    ts_ns: ms * 1_000_000,
                    orig_len: f.len() as u32,
                    link_type: 229,
                    ..Default::default()
                },
                f.to_vec(),
            )
        };
        let mut e = Engine::with_defaults();
        let mut t = Topology::default();
        // Node 2 talks every second for 5 s, then nothing until 91 s; the root keeps talking.
        let mut frames = vec![at(0, &dio(g(1), 256), 1)];
        for s in 1..=5 {
            frames.push(at(s * 1000, &dio(ll(2), 512), frames.len() as u64 + 1));
        }
        for s in (10..90).step_by(5) {
            frames.push(at(s * 1000, &dio(g(1), 256), frames.len() as u64 + 1));
        }
        frames.push(at(91_000, &dio(ll(2), 512), frames.len() as u64 + 1));
        for (m, f) in frames {
            t.add_packet(&e.dissect(m, &f));
        }
        let ev: Vec<(&'static str, String)> = t
            .log()
            .events()
            .iter()
            .filter(|e| e.node == g(2) && e.is_notable())
            .map(render::describe)
            .collect();
        assert_eq!(
            ev,
            [
                ("silent", "last heard at frame 6".to_string()),
                ("back", "after 86.0 s of silence".to_string())
            ]
        );
        assert!(!t.node(&g(2)).unwrap().silent);
    }
}
