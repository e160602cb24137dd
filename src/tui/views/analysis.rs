//! The models behind the views, computed in the background: one thread dissects the capture
//! with only the tree nodes the models read ([`Models::build`]) and feeds every packet to the
//! same statistics the `-z` options print (`stats::*`), so a view and its `-z` twin cannot
//! disagree. The models sit behind a mutex that the thread takes once per batch of packets and
//! the UI takes to draw: a view shows the capture as far as it is computed, and updates as the
//! thread goes on (a live capture's packets are sent to the thread as they arrive).

use super::super::loader::{self, LoadConfig};
use crate::capture::CaptureReader;
use crate::stats::conv::{ConvKind, Conversations, Endpoints};
use crate::stats::{coap, frag, io, links, mqtt, phs, rpl, Tap};
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};

/// Packets fed per lock of the models.
const BATCH: usize = 512;
/// Packets a live capture may queue for the analysis before the newest are dropped.
pub const LIVE_QUEUE: usize = 65_536;

/// Every model a view draws.
pub struct Models {
    pub topology: rpl::RplTree,
    pub links: links::Links,
    pub frag: frag::Frag,
    pub coap: coap::Coap,
    pub mqtt: mqtt::Topics,
    pub phs: phs::ProtocolHierarchy,
    /// One per [`ConvKind::ALL`].
    pub conversations: Vec<Conversations>,
    pub endpoints: Vec<Endpoints>,
    pub io: io::IoGraph,
    /// Packets fed so far.
    pub packets: u64,
    /// The input ended (a file read to its end); false while a live capture runs.
    pub done: bool,
    /// Why the input ended early.
    pub problem: Option<String>,
}

impl Default for Models {
    fn default() -> Self {
        Models {
            topology: rpl::RplTree::new(rpl::Output::Tree),
            links: links::Links::default(),
            frag: frag::Frag::default(),
            coap: coap::Coap::new(false),
            mqtt: mqtt::Topics::default(),
            phs: phs::ProtocolHierarchy::default(),
            conversations: ConvKind::ALL
                .iter()
                .map(|k| Conversations::new(*k))
                .collect(),
            endpoints: ConvKind::ALL.iter().map(|k| Endpoints::new(*k)).collect(),
            io: io::IoGraph::default(),
            packets: 0,
            done: false,
            problem: None,
        }
    }
}

impl Models {
    fn taps(&mut self) -> impl Iterator<Item = &mut dyn Tap> {
        let fixed: [&mut dyn Tap; 6] = [
            &mut self.topology,
            &mut self.links,
            &mut self.frag,
            &mut self.coap,
            &mut self.mqtt,
            &mut self.phs,
        ];
        fixed
            .into_iter()
            .chain(self.conversations.iter_mut().map(|c| c as &mut dyn Tap))
            .chain(self.endpoints.iter_mut().map(|c| c as &mut dyn Tap))
    }

    /// The tree nodes the models read.
    pub fn build(&mut self) -> Build {
        self.taps().fold(Build::Layers, |b, t| b.merge(t.build()))
    }

    /// Feeds one packet to every model.
    pub fn add(&mut self, p: &Packet) {
        for t in self.taps() {
            t.packet(p);
        }
        self.io.add_packet(p);
        self.packets += 1;
    }
}

/// The models and the thread computing them; dropping it stops the thread.
pub struct Analysis {
    models: Arc<Mutex<Models>>,
    stop: Arc<AtomicBool>,
    /// Where a live capture's packets go.
    live: Option<SyncSender<Arc<Packet>>>,
}

impl Drop for Analysis {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Analysis {
    /// The models, locked (a poisoned lock still holds usable statistics).
    pub fn models(&self) -> MutexGuard<'_, Models> {
        self.models.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads and dissects `path` in the background.
    pub fn of_file(path: PathBuf, cfg: LoadConfig) -> Analysis {
        let a = Analysis::idle();
        let (models, stop) = (a.models.clone(), a.stop.clone());
        let _ = std::thread::Builder::new()
            .name("lowshark-views".into())
            .spawn(move || {
                let build = lock(&models).build();
                let reader = match CaptureReader::open(&path) {
                    Ok(r) => r,
                    Err(e) => return finish(&models, Some(e.to_string())),
                };
                let mut batch = Vec::with_capacity(BATCH);
                let err = loader::dissect_all_with(reader, &cfg, build, |p, _| {
                    batch.push(p);
                    if batch.len() == BATCH {
                        feed(&models, &mut batch);
                    }
                    !stop.load(Ordering::Relaxed)
                });
                feed(&models, &mut batch);
                finish(&models, err);
            });
        a
    }

    /// Models fed with packets sent by [`Analysis::packet`] (a live capture), starting with
    /// `first` (the packets the UI still keeps).
    pub fn of_stream(first: Vec<Arc<Packet>>) -> Analysis {
        let (tx, rx) = std::sync::mpsc::sync_channel(LIVE_QUEUE);
        let mut a = Analysis::idle();
        let (models, stop) = (a.models.clone(), a.stop.clone());
        for p in first {
            let _ = tx.try_send(p);
        }
        a.live = Some(tx);
        let _ = std::thread::Builder::new()
            .name("lowshark-views".into())
            .spawn(move || stream(rx, &models, &stop));
        a
    }

    /// Models that nothing feeds (tests fill them with [`Analysis::feed_now`]).
    pub fn idle() -> Analysis {
        Analysis {
            models: Arc::new(Mutex::new(Models::default())),
            stop: Arc::new(AtomicBool::new(false)),
            live: None,
        }
    }

    /// A live packet for the models (dropped when the analysis lags too far behind).
    pub fn packet(&self, p: &Arc<Packet>) {
        if let Some(tx) = &self.live {
            let _ = tx.try_send(p.clone());
        }
    }

    /// Feeds packets synchronously (tests) and marks the input done.
    pub fn feed_now<'a>(&self, packets: impl IntoIterator<Item = &'a Packet>) {
        let mut m = self.models();
        for p in packets {
            m.add(p);
        }
        m.done = true;
    }
}

fn lock(m: &Mutex<Models>) -> MutexGuard<'_, Models> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn feed(models: &Mutex<Models>, batch: &mut Vec<Packet>) {
    let mut m = lock(models);
    for p in batch.drain(..) {
        m.add(&p);
    }
}

fn finish(models: &Mutex<Models>, problem: Option<String>) {
    let mut m = lock(models);
    m.done = true;
    m.problem = problem;
}

fn stream(rx: Receiver<Arc<Packet>>, models: &Mutex<Models>, stop: &AtomicBool) {
    while let Ok(first) = rx.recv() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let mut m = lock(models);
        m.add(&first);
        // Whatever else is queued goes in under the same lock.
        for p in rx.try_iter().take(BATCH) {
            m.add(&p);
        }
    }
}
