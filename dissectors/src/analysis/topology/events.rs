//! The topology's history: every change of what the model knows about a node is an [`Event`],
//! and the model's state is the fold of its events ([`State::apply`]). The live model applies
//! each event as it records it, so the topology "as of frame N" (the TUI's time cursor,
//! `-z rpl,tree` with `-c N`) is the same fold stopped at N and can never disagree with it.
//!
//! The log is bounded: past [`MAX_EVENTS`] the oldest events are folded into a base state, so
//! the history before them can no longer be scrubbed through (the log says from which frame on
//! it is complete).

use super::{Addr, DodagInfo, EdgeSource, NodeInfo};
use std::collections::{BTreeMap, VecDeque};

/// Most events kept; older ones are folded into the base state.
pub const MAX_EVENTS: usize = 100_000;

/// Why a node has no parent any more.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LossCause {
    /// A No-Path DAO (path lifetime 0) for the parent it had (RFC 6550 §6.4.3).
    NoPath,
    /// It advertised INFINITE_RANK (poisoning, §8.2.2.5).
    InfiniteRank,
}

/// What changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// First heard of: it sent an RPL message or was named as a parent or target.
    Appeared,
    /// Its DIOs name this DODAG (RPLInstanceID, DODAGID) and mode of operation.
    Dodag {
        instance: u8,
        dodag: Addr,
        mop: Option<u8>,
    },
    Rank {
        from: Option<u16>,
        to: u16,
    },
    /// The DODAG version its DIOs carry.
    Version {
        from: Option<u8>,
        to: u8,
    },
    /// Its DTSN (a change asks its children for new DAOs, §9.6).
    Dtsn {
        from: Option<u8>,
        to: u8,
    },
    /// A preferred parent set, switched or lost (`to` None, with the cause).
    Parent {
        from: Option<Addr>,
        to: Option<Addr>,
        source: Option<EdgeSource>,
        lost: Option<LossCause>,
    },
    /// A No-Path DAO for the node, naming `parent` (None when the DAO names none); `applied`
    /// is whether it withdrew the node's current parent (it does only when it names that one).
    NoPath {
        parent: Option<Addr>,
        applied: bool,
    },
    /// A DODAG version increment (global repair, §8.2.2.2), first announced by the node.
    VersionIncrement {
        dodag: Addr,
        from: u8,
        to: u8,
    },
    /// `count` DIS within the burst window: the node cannot find a parent.
    DisBurst {
        count: u32,
    },
    /// Not heard for longer than its silence threshold; last heard at `last_frame`.
    Silent {
        last_frame: u64,
    },
    /// Heard again after being silent for `after_ns`.
    Back {
        after_ns: i64,
    },
    /// A data packet from the node whose RPL option (RFC 6553) reports a rank error (a loop,
    /// §11.2.2.2) or a forwarding error (no downward route, §11.2.2.3).
    DatapathError {
        rank: bool,
        forwarding: bool,
    },
}

/// One change, where and when it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub frame: u64,
    /// Time since the first frame of the capture (ns).
    pub rel_ns: i64,
    pub node: Addr,
    pub change: Change,
}

impl Event {
    /// True for events a user looks for in a log (not a node's first values).
    pub fn is_notable(&self) -> bool {
        match &self.change {
            Change::Appeared | Change::Dodag { .. } => false,
            Change::Rank { from, .. } => from.is_some(),
            Change::Version { .. } | Change::Dtsn { .. } => false,
            Change::Parent { from, lost, .. } => from.is_some() || lost.is_some(),
            _ => true,
        }
    }
}

/// What the model knows at one point: the nodes and the DODAGs.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub nodes: BTreeMap<Addr, NodeInfo>,
    pub dodags: BTreeMap<Addr, DodagInfo>,
}

impl State {
    /// Applies one event (the only way the model's state changes).
    pub fn apply(&mut self, e: &Event) {
        if let Change::VersionIncrement { dodag, to, .. } = e.change {
            if let Some(d) = self.dodags.get_mut(&dodag) {
                d.version = Some(to);
            }
            return;
        }
        let n = self.nodes.entry(e.node).or_insert_with(|| NodeInfo {
            first_frame: e.frame,
            ..Default::default()
        });
        n.last_frame = e.frame;
        match e.change {
            Change::Dodag {
                instance,
                dodag,
                mop,
            } => {
                n.instance = Some(instance);
                n.dodag = Some(dodag);
                n.mop = mop;
                let d = self.dodags.entry(dodag).or_insert_with(|| DodagInfo {
                    instance,
                    first_frame: e.frame,
                    ..Default::default()
                });
                if mop.is_some() {
                    d.mop = mop;
                }
            }
            Change::Rank { to, .. } => n.rank = Some(to),
            Change::Version { to, .. } => {
                n.version = Some(to);
                if let Some(d) = n.dodag.and_then(|d| self.dodags.get_mut(&d)) {
                    d.version.get_or_insert(to);
                }
            }
            Change::Dtsn { to, .. } => n.dtsn = Some(to),
            Change::Parent { to, source, .. } => {
                n.parent = to.zip(source).map(|(p, s)| (p, e.frame, s));
                n.lost = if to.is_none() { Some(e.frame) } else { None };
            }
            Change::Silent { .. } => n.silent = true,
            Change::Back { .. } => n.silent = false,
            _ => {}
        }
    }
}

/// The events, oldest first, and the state before the first of them.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    base: State,
    events: VecDeque<Event>,
    /// The first frame from which the log is complete (0: from the start).
    complete_from: u64,
}

impl EventLog {
    pub(super) fn push(&mut self, e: Event) {
        if self.events.len() >= MAX_EVENTS {
            if let Some(old) = self.events.pop_front() {
                self.base.apply(&old);
                self.complete_from = old.frame + 1;
            }
        }
        self.events.push_back(e);
    }

    pub fn events(&self) -> &VecDeque<Event> {
        &self.events
    }

    /// The first frame the log describes completely (0 when nothing was dropped).
    pub fn complete_from(&self) -> u64 {
        self.complete_from
    }

    /// The state after every event up to frame `frame` (inclusive).
    pub fn state_at(&self, frame: u64) -> State {
        let mut s = self.base.clone();
        for e in self.events.iter().take_while(|e| e.frame <= frame) {
            s.apply(e);
        }
        s
    }
}
