//! Rows, trees and filter verdicts computed on demand from the frame store.
//!
//! Dissection depends on what came before (TCP sequence analysis, reassembly, CoAP request
//! and response matching), so a frame cannot simply be dissected alone. Design:
//!
//! - The **first pass** ([`first_pass`], a background thread) dissects every frame once, in
//!   order, building only the protocol layers (columns and session state do not depend on
//!   the tree). Before every [`SNAP_EVERY`]th frame it records a clone of its [`Engine`] (the
//!   engine and its `Session` are `Clone` for this). It keeps nothing else per frame.
//! - **Re-dissection** ([`Redissector`]): frame `i` is dissected again by cloning the snapshot
//!   taken before it and replaying the frames in between with layers only, at most
//!   `SNAP_EVERY - 1` of them. The same frames in the same order give the same tree the first
//!   pass had. A redissector remembers where it stopped, so scrolling forward replays nothing.
//!   Frames the first pass has not reached yet (the end of a file that is still loading) are
//!   dissected from a fresh engine and marked provisional; they are redrawn once the pass
//!   gets there.
//! - **Rows** are formatted when drawn, for the visible rows only ([`RowSource`], a small
//!   cache in front of a redissector); the detail tree is the selected frame dissected again
//!   with every node.
//! - **Filters** ([`spawn_filter`]) cut the frames read so far into one range per core; each
//!   thread starts from the snapshot before its range, so the ranges run in parallel and give
//!   the verdicts a single pass would. Frames read after the filter was applied are judged by
//!   the first pass as it reaches them ([`LiveFilter`]).

use super::frames::{Shared, Store};
use super::loader::{self, LoadConfig, Msg, Summary};
use dissectors::engine::field::FieldDef;
use dissectors::engine::tree::Build;
use dissectors::engine::{Engine, Packet};
use dissectors::filter::Filter;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};

/// Frames between two engine snapshots: the most a re-dissection replays.
pub const SNAP_EVERY: usize = 4096;
/// Frames the first pass dissects between two looks at the shared state.
const PASS_BATCH: usize = 512;
/// Rows kept formatted (a few screens).
const ROW_CACHE: usize = 2048;

/// The engine states recorded by the first pass and how far it got.
#[derive(Default)]
pub struct Snapshots {
    /// `list[k]` is the engine just before frame `k * SNAP_EVERY` (an engine is `Send` but
    /// not `Sync`: copies are made under the lock).
    list: Mutex<Vec<Engine>>,
    /// Frames the first pass has dissected.
    frontier: AtomicUsize,
    pub done: AtomicBool,
}

impl Snapshots {
    pub fn frontier(&self) -> usize {
        self.frontier.load(Ordering::Acquire)
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// The latest snapshot at or before frame `i`, with the frame it starts at.
    fn before(&self, i: usize) -> Option<(usize, Engine)> {
        let list = self.list.lock().unwrap_or_else(|e| e.into_inner());
        let k = (i / SNAP_EVERY).min(list.len().checked_sub(1)?);
        Some((k * SNAP_EVERY, list[k].clone()))
    }

    fn push(&self, e: &Engine) {
        let mut list = self.list.lock().unwrap_or_else(|e| e.into_inner());
        list.push(e.clone());
    }
}

/// Everything needed to dissect any frame again; cheap to clone.
#[derive(Clone)]
pub struct Capture {
    pub frames: Arc<Shared>,
    pub snaps: Arc<Snapshots>,
    pub cfg: LoadConfig,
}

impl Capture {
    pub fn new(cfg: LoadConfig) -> Capture {
        Capture {
            frames: Arc::default(),
            snaps: Arc::default(),
            cfg,
        }
    }

    fn fresh_engine(&self) -> Engine {
        Engine::new(self.cfg.registry.clone(), self.cfg.prefs.clone())
    }
}

/// Dissects frame `i` of `store` with `engine` (which must have seen the frames before it).
fn step(engine: &mut Engine, store: &Store, i: usize, into: &mut Packet) {
    let meta = store.meta(i);
    let ts = meta.ts_ns;
    engine.dissect_into(into, meta, store.data(i));
    engine.mark_displayed(ts);
}

/// A display filter the first pass applies to the frames from `from` on.
pub struct LiveFilter {
    pub generation: u64,
    pub filter: Filter,
    pub from: usize,
}

/// What the first pass reports to.
pub struct PassOutput {
    pub tx: SyncSender<Msg>,
    /// Send every packet, fully built, for the live views.
    pub live: bool,
    pub filter: Arc<Mutex<Option<LiveFilter>>>,
}

/// The first pass (see the module docs): runs until the source has ended and every frame is
/// dissected, or the UI has gone.
pub fn first_pass(cap: &Capture, out: &PassOutput) {
    let mut engine = cap.fresh_engine();
    let base = if out.live { Build::All } else { Build::Layers };
    let mut packet = Packet::default();
    let mut next = 0;
    loop {
        if cap.frames.stop.load(Ordering::Relaxed) {
            return;
        }
        let count = cap.frames.count();
        if next == count {
            if cap.frames.is_done() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
            continue;
        }
        let end = count.min(next + PASS_BATCH);
        let slot = out.filter.lock().unwrap_or_else(|e| e.into_inner());
        let (filter, from, generation) = match &*slot {
            Some(f) => (Some(f.filter.clone()), f.from, f.generation),
            None => (None, usize::MAX, 0),
        };
        drop(slot);
        engine.set_build(
            filter
                .as_ref()
                .map_or(base.clone(), |f| base.clone().merge(f.build())),
        );
        let mut matched = vec![];
        let mut live = vec![];
        cap.frames.read(|store| {
            for i in next..end {
                if i % SNAP_EVERY == 0 {
                    cap.snaps.push(&engine);
                }
                if out.live {
                    let meta = store.meta(i);
                    let ts = meta.ts_ns;
                    packet = engine.dissect(meta, store.data(i));
                    engine.mark_displayed(ts);
                } else {
                    step(&mut engine, store, i, &mut packet);
                }
                if i >= from && filter.as_ref().is_some_and(|f| f.matches(&packet)) {
                    matched.push(i as u32);
                }
                if out.live {
                    live.push(Arc::new(std::mem::take(&mut packet)));
                }
            }
        });
        next = end;
        cap.snaps.frontier.store(next, Ordering::Release);
        let sent = live.into_iter().all(|p| out.tx.send(Msg::Live(p)).is_ok())
            && (matched.is_empty()
                || out
                    .tx
                    .send(Msg::Matched {
                        generation,
                        indices: matched,
                    })
                    .is_ok());
        if !sent {
            return;
        }
    }
    cap.snaps.done.store(true, Ordering::Release);
    let _ = out.tx.send(Msg::Done);
}

/// Starts the first pass thread.
pub fn spawn_first_pass(cap: Capture, out: PassOutput) {
    std::thread::Builder::new()
        .name("lowshark-pass".into())
        .spawn(move || first_pass(&cap, &out))
        .expect("spawning the first pass thread");
}

/// Dissects any frame again (see the module docs).
pub struct Redissector {
    cap: Capture,
    engine: Option<Engine>,
    /// The frame `engine` dissects next.
    next: usize,
    /// `engine` descends from a first-pass snapshot (else from a fresh engine).
    exact: bool,
    scratch: Packet,
}

impl Redissector {
    pub fn new(cap: Capture) -> Redissector {
        Redissector {
            cap,
            engine: None,
            next: 0,
            exact: false,
            scratch: Packet::default(),
        }
    }

    /// Frame `i` dissected with `build`, and whether it is exact (the first pass had reached
    /// it); None when the frame has not been read.
    pub fn dissect(&mut self, i: usize, build: Build) -> Option<(Packet, bool)> {
        if i >= self.cap.frames.count() {
            return None;
        }
        self.position(i);
        let engine = self.engine.as_mut()?;
        let scratch = &mut self.scratch;
        let from = self.next;
        let packet = self.cap.frames.read(|store| {
            engine.set_build(Build::Layers);
            for k in from..i {
                step(engine, store, k, scratch);
            }
            engine.set_build(build);
            let mut p = Packet::default();
            step(engine, store, i, &mut p);
            p
        });
        self.next = i + 1;
        Some((packet, self.exact))
    }

    /// Puts the engine just before frame `i` (or a few frames before it).
    fn position(&mut self, i: usize) {
        let exact = i < self.cap.snaps.frontier();
        let ahead = i >= self.next && self.engine.is_some();
        if exact {
            if self.exact && ahead && i - self.next < SNAP_EVERY {
                return;
            }
            if let Some((start, e)) = self.cap.snaps.before(i) {
                self.engine = Some(e);
                self.next = start;
                self.exact = true;
                return;
            }
        }
        // Not reached by the first pass. An engine that descends from a snapshot stays exact
        // going forward (it replays what the pass would); else a fresh engine.
        if ahead && ((self.exact && i - self.next < SNAP_EVERY) || i - self.next < 64) {
            return;
        }
        // The first frame sets the engine's time origin (the relative time column).
        let mut engine = self.cap.fresh_engine();
        if i > 0 {
            let scratch = &mut self.scratch;
            engine.set_build(Build::Layers);
            self.cap
                .frames
                .read(|store| step(&mut engine, store, 0, scratch));
        }
        self.engine = Some(engine);
        self.next = i;
        self.exact = false;
    }
}

/// The rows of the packet list, formatted when drawn.
pub struct RowSource {
    inner: RefCell<RowsInner>,
    /// What a row needs besides the layers: the TCP flags (for its colour) and the fields of
    /// the added columns.
    build: RefCell<Build>,
    /// Fields added as columns (`+` in the detail tree).
    columns: RefCell<Vec<&'static FieldDef>>,
    cap: Capture,
}

struct RowsInner {
    redissect: Redissector,
    /// A second one for the selected packet's tree, so that moving the selection does not
    /// send the rows' redissector back to a snapshot and the other way round.
    trees: Redissector,
    cache: foldhash::HashMap<u32, (Summary, bool)>,
}

impl RowSource {
    pub fn new(cap: Capture) -> RowSource {
        let source = RowSource {
            inner: RefCell::new(RowsInner {
                redissect: Redissector::new(cap.clone()),
                trees: Redissector::new(cap.clone()),
                cache: Default::default(),
            }),
            build: RefCell::new(Build::Layers),
            columns: RefCell::default(),
            cap,
        };
        source.set_columns(vec![]);
        source
    }

    /// Sets the added columns (rows are formatted again).
    pub fn set_columns(&self, columns: Vec<&'static FieldDef>) {
        let flags = self.cap.cfg.registry.field("tcp.flags");
        *self.build.borrow_mut() = Build::fields(flags.into_iter().chain(columns.iter().copied()));
        *self.columns.borrow_mut() = columns;
        self.inner.borrow_mut().cache.clear();
    }

    /// The fields added as columns.
    pub fn columns(&self) -> Vec<&'static FieldDef> {
        self.columns.borrow().clone()
    }

    pub fn capture(&self) -> &Capture {
        &self.cap
    }

    /// The row of frame `i` (0-based).
    pub fn row(&self, i: usize) -> Option<Summary> {
        let mut inner = self.inner.borrow_mut();
        let exact_now = i < self.cap.snaps.frontier();
        if let Some((s, exact)) = inner.cache.get(&(i as u32)) {
            if *exact || !exact_now {
                return Some(s.clone());
            }
        }
        let (p, exact) = inner.redissect.dissect(i, self.build.borrow().clone())?;
        let delta = self.cap.frames.read(|s| s.delta_ns(i));
        let mut row = loader::summarize(&p, self.cap.cfg.time_format, delta);
        row.extra = self
            .columns
            .borrow()
            .iter()
            .map(|f| column_text(&p, f))
            .collect();
        if inner.cache.len() >= ROW_CACHE {
            inner.cache.clear();
        }
        inner.cache.insert(i as u32, (row.clone(), exact));
        Some(row)
    }

    /// Frame `i` with its whole tree, and whether it is exact.
    pub fn packet(&self, i: usize) -> Option<(Packet, bool)> {
        self.inner.borrow_mut().trees.dissect(i, Build::All)
    }
}

/// A custom column's text: every value of the field in the packet, comma-separated (as
/// tshark's `-T fields` with its default occurrence separator).
fn column_text(p: &Packet, f: &FieldDef) -> String {
    let mut out = String::new();
    for n in p.tree.by_abbrev(f.abbrev) {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&dissectors::engine::value::show(f, &n.value));
    }
    out
}

/// Filters frames `0..count` on every core (see the module docs) and sends the indices of
/// the matching ones as [`Msg::Filtered`].
pub fn spawn_filter(
    cap: Capture,
    filter: Filter,
    count: usize,
    generation: u64,
    tx: SyncSender<Msg>,
) {
    std::thread::Builder::new()
        .name("lowshark-filter".into())
        .spawn(move || {
            let parts = std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(1, 8);
            let per = count.div_ceil(parts).max(1);
            let matches: Vec<u32> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..parts)
                    .map(|k| {
                        let (cap, filter) = (&cap, &filter);
                        let range = (k * per).min(count)..((k + 1) * per).min(count);
                        s.spawn(move || filter_range(cap, filter, range))
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            let _ = tx.send(Msg::Filtered {
                generation,
                matches,
            });
        })
        .expect("spawning the filter thread");
}

/// The matching frames of `range`, replaying from the snapshot before it.
pub fn filter_range(cap: &Capture, filter: &Filter, range: std::ops::Range<usize>) -> Vec<u32> {
    let mut out = vec![];
    if range.is_empty() {
        return out;
    }
    let (mut next, mut engine) = match cap.snaps.before(range.start) {
        Some((start, e)) => (start, e),
        None => (0, cap.fresh_engine()),
    };
    let mut p = Packet::default();
    engine.set_build(Build::Layers);
    // Replay up to the range, then judge; in slices, so the indexer is never held up long.
    while next < range.end {
        if cap.frames.stop.load(Ordering::Relaxed) {
            break;
        }
        let end = range.end.min(next + PASS_BATCH);
        cap.frames.read(|store| {
            for i in next..end {
                if i == range.start {
                    engine.set_build(filter.build());
                }
                step(&mut engine, store, i, &mut p);
                if i >= range.start && filter.matches(&p) {
                    out.push(i as u32);
                }
            }
        });
        next = end;
    }
    out
}
