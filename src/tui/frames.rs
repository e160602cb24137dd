//! The frame store: what the TUI keeps of every packet once it has been read.
//!
//! A list of ten million packets cannot keep a dissected tree, or even four strings, per row.
//! The store keeps, per frame, one fixed-size [`FrameRec`] (32 bytes: where its bytes are,
//! lengths, time stamp, interface) and the captured bytes themselves, appended to an arena of
//! large chunks (no allocation per frame, no reallocation copies of a growing vector). Rows,
//! trees and filter verdicts are all computed again from these bytes when needed (see
//! [`super::rows`]).
//!
//! ```text
//!  recs:   [FrameRec; 65536] [FrameRec; 65536] ...     32 B a frame, chunked
//!  bytes:  [ 8 MiB chunk | frame | frame | ... ] [ 8 MiB chunk ... ]
//!            ^-- rec.chunk, rec.off, rec.caplen
//! ```
//!
//! Keeping the bytes rather than file offsets makes one store for every source: files, pipes
//! and live captures (which cannot be read twice). For the small frames of low-power networks
//! (60 bytes on average in the benchmark mixes) this costs less than the row strings it
//! replaces.
//!
//! One indexer thread appends (under the write lock, in batches), everyone else reads.

use crate::capture::{CaptureError, CapturedFrame};
use dissectors::engine::FrameMeta;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// Frame records per chunk.
const REC_CHUNK: usize = 1 << 16;
/// Bytes per arena chunk (a larger frame gets a chunk of its own).
const BYTE_CHUNK: usize = 8 << 20;
/// Frames the indexer reads before making them visible (and at most this long between).
const BATCH: usize = 2048;

/// What the store keeps of one frame.
#[derive(Copy, Clone, Debug, Default)]
pub struct FrameRec {
    chunk: u32,
    off: u32,
    caplen: u32,
    pub orig_len: u32,
    pub ts_ns: i64,
    /// Index into the store's interface table.
    iface: u32,
}

/// An interface frames came from (pcapng IDB or the link type of a pcap/live source).
#[derive(Clone, Debug, PartialEq)]
struct Iface {
    link_type: u32,
    id: Option<u32>,
    name: Option<Arc<str>>,
    description: Option<Arc<str>>,
}

/// Every frame read so far.
#[derive(Default)]
pub struct Store {
    recs: Vec<Vec<FrameRec>>,
    len: usize,
    bytes: Vec<Vec<u8>>,
    ifaces: Vec<Iface>,
    /// Frame comments (pcapng), by frame index; rare.
    comments: foldhash::HashMap<u32, Vec<String>>,
}

impl Store {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn rec(&self, i: usize) -> Option<&FrameRec> {
        self.recs.get(i / REC_CHUNK)?.get(i % REC_CHUNK)
    }

    /// The captured bytes of frame `i`.
    pub fn data(&self, i: usize) -> &[u8] {
        match self.rec(i) {
            Some(r) => {
                let start = r.off as usize;
                &self.bytes[r.chunk as usize][start..start + r.caplen as usize]
            }
            None => &[],
        }
    }

    /// What the engine needs to know about frame `i` besides its bytes.
    pub fn meta(&self, i: usize) -> FrameMeta {
        let r = self.rec(i).copied().unwrap_or_default();
        let iface = self.ifaces.get(r.iface as usize);
        FrameMeta {
            number: i as u64 + 1,
            ts_ns: r.ts_ns,
            orig_len: r.orig_len,
            link_type: iface.map_or(0, |f| f.link_type),
            interface_id: iface.and_then(|f| f.id),
            interface_name: iface.and_then(|f| f.name.clone()),
            interface_description: iface.and_then(|f| f.description.clone()),
            comments: self.comments.get(&(i as u32)).cloned().unwrap_or_default(),
            radio: Default::default(),
        }
    }

    /// Frame `i` as a capture reader gave it (to write it out again).
    pub fn captured(&self, i: usize) -> CapturedFrame {
        CapturedFrame {
            meta: self.meta(i),
            data: self.data(i).into(),
        }
    }

    /// Time since the previous frame (0 for the first).
    pub fn delta_ns(&self, i: usize) -> i64 {
        match (i.checked_sub(1).and_then(|p| self.rec(p)), self.rec(i)) {
            (Some(p), Some(r)) => r.ts_ns.saturating_sub(p.ts_ns),
            _ => 0,
        }
    }

    fn iface_of(&mut self, f: &CapturedFrame) -> u32 {
        let want = Iface {
            link_type: f.meta.link_type,
            id: f.meta.interface_id,
            name: f.meta.interface_name.clone(),
            description: f.meta.interface_description.clone(),
        };
        // Captures have a handful of interfaces: a scan from the most recent is enough.
        if let Some(k) = self.ifaces.iter().rposition(|x| *x == want) {
            return k as u32;
        }
        self.ifaces.push(want);
        (self.ifaces.len() - 1) as u32
    }

    fn push(&mut self, f: CapturedFrame) {
        let iface = self.iface_of(&f);
        let n = f.data.len();
        let fits = self
            .bytes
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= n);
        if !fits {
            self.bytes.push(Vec::with_capacity(BYTE_CHUNK.max(n)));
        }
        let chunk = self.bytes.len() - 1;
        let bytes = &mut self.bytes[chunk];
        let off = bytes.len();
        bytes.extend_from_slice(&f.data);
        if !f.meta.comments.is_empty() {
            self.comments.insert(self.len as u32, f.meta.comments);
        }
        if self.recs.last().is_none_or(|c| c.len() == REC_CHUNK) {
            self.recs.push(Vec::with_capacity(REC_CHUNK));
        }
        let recs = self.recs.last_mut().expect("a chunk was just ensured");
        recs.push(FrameRec {
            chunk: chunk as u32,
            off: off as u32,
            caplen: n as u32,
            orig_len: f.meta.orig_len,
            ts_ns: f.meta.ts_ns,
            iface,
        });
        self.len += 1;
    }
}

/// The store shared between the indexer, the dissection passes and the UI.
#[derive(Default)]
pub struct Shared {
    pub store: RwLock<Store>,
    /// Frames in the store (readable without the lock).
    pub count: AtomicUsize,
    /// The source has ended (or failed).
    pub done: AtomicBool,
    /// The UI has gone: threads stop.
    pub stop: AtomicBool,
    /// A read error that ended the source early.
    pub error: std::sync::Mutex<Option<String>>,
}

impl Shared {
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Runs `f` on the store (read lock).
    pub fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        let guard = self.store.read().unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }

    /// Appends frames read.
    pub fn append(&self, batch: &mut Vec<CapturedFrame>) {
        if batch.is_empty() {
            return;
        }
        let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
        for f in batch.drain(..) {
            store.push(f);
        }
        self.count.store(store.len(), Ordering::Release);
    }
}

/// Reads every frame of `source` into `shared` (the indexer thread's body). Frames are made
/// visible in batches, and at once when the source is slow (a live capture, a pipe).
pub fn index_all(
    source: impl Iterator<Item = Result<CapturedFrame, CaptureError>>,
    shared: &Shared,
    live: bool,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut since = std::time::Instant::now();
    for item in source {
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        match item {
            Ok(f) => batch.push(f),
            Err(e) => {
                *shared.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
                break;
            }
        }
        // The first frames at once (the first screen), then in batches.
        let first = shared.count() == 0 && batch.len() >= 64;
        if live || first || batch.len() >= BATCH || since.elapsed().as_millis() >= 20 {
            shared.append(&mut batch);
            since = std::time::Instant::now();
        }
    }
    shared.append(&mut batch);
    shared.done.store(true, Ordering::Release);
}

/// Starts the indexer thread.
pub fn spawn_indexer(source: super::loader::Frames, shared: Arc<Shared>, live: bool) {
    std::thread::Builder::new()
        .name("lowshark-index".into())
        .spawn(move || index_all(source, &shared, live))
        .expect("spawning the indexer thread");
}
