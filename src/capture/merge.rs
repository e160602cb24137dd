//! Several live sources merged into one capture in time order, numbered from 1.
//!
//! Each source is read by its own thread into one channel. A frame is passed on once it cannot
//! be overtaken: every other open source has a later frame waiting, or the frame is older than
//! [`HOLD`] (a source's frames arrive at most that late after their time stamp). With one
//! source nothing is held. Each source keeps its pcapng interface (the caller sets
//! `interface_id`).

use super::{CaptureError, CapturedFrame};
use std::collections::BinaryHeap;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

type Item = Result<CapturedFrame, CaptureError>;
/// Frames from any source, as the rest of lowshark reads a capture.
pub type Frames = Box<dyn Iterator<Item = Item> + Send>;

/// How long a frame may wait for an earlier one from another source.
pub const HOLD: Duration = Duration::from_millis(300);

/// The merged stream.
pub struct Merge {
    rx: Receiver<(usize, Option<Item>)>,
    sources: usize,
    open: Vec<bool>,
    /// Frames waiting, earliest first (by time, then arrival).
    heap: BinaryHeap<Pending>,
    /// Frames of each source waiting.
    waiting: Vec<usize>,
    seq: u64,
    number: u64,
    hold: Duration,
    /// `-a duration`: the stream ends here, whatever is still waiting.
    deadline: Option<Instant>,
}

struct Pending {
    ts: i64,
    seq: u64,
    source: usize,
    arrived: Instant,
    frame: CapturedFrame,
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.ts, self.seq) == (o.ts, o.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    // Reversed: BinaryHeap is a max-heap and the earliest frame must come out first.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.ts, o.seq).cmp(&(self.ts, self.seq))
    }
}

/// Starts one reader thread per source.
pub fn merge(sources: Vec<Frames>) -> Merge {
    merge_with_hold(sources, HOLD)
}

/// [`merge`] with another longest wait (tests use a long one to be independent of timing).
pub fn merge_with_hold(sources: Vec<Frames>, hold: Duration) -> Merge {
    let n = sources.len();
    let (tx, rx) = sync_channel(256);
    for (i, src) in sources.into_iter().enumerate() {
        let tx = tx.clone();
        let _ = std::thread::Builder::new()
            .name(format!("lowshark-merge-{i}"))
            .spawn(move || {
                for item in src {
                    if tx.send((i, Some(item))).is_err() {
                        return;
                    }
                }
                let _ = tx.send((i, None));
            });
    }
    Merge {
        rx,
        sources: n,
        open: vec![true; n],
        heap: BinaryHeap::new(),
        waiting: vec![0; n],
        seq: 0,
        number: 0,
        hold,
        deadline: None,
    }
}

impl Merge {
    /// Ends the stream at `deadline` (frames not yet passed on then are not).
    pub fn until(mut self, deadline: Instant) -> Merge {
        self.deadline = Some(deadline);
        self
    }

    /// Whether the earliest waiting frame can go: no open source could still send an earlier one.
    fn ready(&self) -> bool {
        let Some(top) = self.heap.peek() else {
            return false;
        };
        if self.sources == 1 {
            return true;
        }
        let all_waiting = (0..self.sources).all(|i| !self.open[i] || self.waiting[i] > 0);
        all_waiting || top.arrived.elapsed() > self.hold
    }

    fn pop(&mut self) -> CapturedFrame {
        let p = self.heap.pop().expect("ready() saw a frame");
        self.waiting[p.source] -= 1;
        self.number += 1;
        let mut f = p.frame;
        f.meta.number = self.number;
        f
    }
}

impl Iterator for Merge {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            let left = match self.deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return None,
                },
                None => Duration::MAX,
            };
            if self.ready() {
                return Some(Ok(self.pop()));
            }
            if !self.open.iter().any(|o| *o) {
                return (!self.heap.is_empty()).then(|| Ok(self.pop()));
            }
            let wait = if self.heap.is_empty() {
                Duration::from_secs(3600)
            } else {
                Duration::from_millis(20)
            };
            match self.rx.recv_timeout(wait.min(left)) {
                Ok((i, Some(Ok(frame)))) => {
                    self.seq += 1;
                    self.waiting[i] += 1;
                    self.heap.push(Pending {
                        ts: frame.meta.ts_ns,
                        seq: self.seq,
                        source: i,
                        arrived: Instant::now(),
                        frame,
                    });
                }
                // A source that failed ends the capture with its error, as a file read does.
                Ok((_, Some(Err(e)))) => return Some(Err(e)),
                Ok((i, None)) => self.open[i] = false,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.open.iter_mut().for_each(|o| *o = false)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dissectors::engine::FrameMeta;

    fn frames(ts: &[i64], iface: u32) -> Frames {
        let v: Vec<Item> = ts
            .iter()
            .map(|&t| {
                let meta = FrameMeta {
                    ts_ns: t,
                    interface_id: Some(iface),
                    ..Default::default()
                };
                Ok(CapturedFrame {
                    meta,
                    data: Default::default(),
                })
            })
            .collect();
        Box::new(v.into_iter())
    }

    #[test]
    fn merges_in_time_order_and_numbers() {
        let m = merge_with_hold(
            vec![frames(&[1, 4, 9], 0), frames(&[2, 3, 10], 1)],
            Duration::from_secs(3600),
        );
        let got: Vec<(u64, i64, u32)> = m
            .map(|f| f.unwrap())
            .map(|f| (f.meta.number, f.meta.ts_ns, f.meta.interface_id.unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (1, 1, 0),
                (2, 2, 1),
                (3, 3, 1),
                (4, 4, 0),
                (5, 9, 0),
                (6, 10, 1)
            ]
        );
    }

    #[test]
    fn deadline_ends_a_silent_source() {
        let silent: Frames = Box::new(std::iter::from_fn(|| {
            std::thread::sleep(Duration::from_secs(3600));
            None
        }));
        let t = Instant::now();
        let mut m = merge(vec![silent]).until(t + Duration::from_millis(200));
        assert!(m.next().is_none());
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}
