//! The state of a live capture, shared between the capture threads (which update it) and
//! whatever shows it (the TUI's status line, the end-of-capture report on stderr).
//!
//! One [`LiveStatus`] holds one [`SourceStatus`] per `-i`, behind an `Arc<Mutex<…>>`: writers
//! hold the lock for a few field updates, readers take a [`LiveStatus::snapshot`].

use super::source::Channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a source's device is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceState {
    /// Opening and setting up (channel, start).
    Starting,
    /// Frames are flowing (or could: the channel may be quiet).
    Capturing,
    /// The device went away (unplugged, reset); waiting for it to come back.
    Gone,
    /// It came back and was set up again; this many times so far.
    Back(u32),
    /// The device answers nothing valid: wrong device, baud rate or firmware.
    NotAnswering,
    /// The capture from this source ended (count reached, error).
    Stopped,
}

impl DeviceState {
    pub fn label(&self) -> String {
        match self {
            DeviceState::Starting => "starting".into(),
            DeviceState::Capturing => "capturing".into(),
            DeviceState::Gone => "device gone, waiting for it".into(),
            DeviceState::Back(1) => "capturing (device back)".into(),
            DeviceState::Back(n) => format!("capturing (device back, {n} times)"),
            DeviceState::NotAnswering => "not answering".into(),
            DeviceState::Stopped => "stopped".into(),
        }
    }
}

/// One source's counters and state.
#[derive(Clone, Debug)]
pub struct SourceStatus {
    /// As given to `-i`.
    pub name: String,
    pub channel: Option<Channel>,
    /// Frames delivered by this source.
    pub packets: u64,
    /// Frames known lost: framing errors (a damaged frame), frames the device said it dropped.
    pub drops: u64,
    /// Times the byte stream had to be resynchronised.
    pub framing_errors: u64,
    pub state: DeviceState,
    /// Frames per second over the last few seconds.
    pub rate: f64,
    /// (time, packets) samples for `rate`.
    samples: Vec<(Instant, u64)>,
}

/// The shared status of every source of one capture.
#[derive(Clone, Debug, Default)]
pub struct LiveStatus(Arc<Mutex<Inner>>);

#[derive(Debug, Default)]
struct Inner {
    sources: Vec<SourceStatus>,
    /// What the sources said (device gone, back, …), latest last; at most [`MAX_MESSAGES`].
    messages: std::collections::VecDeque<String>,
    /// Also print messages on stderr (batch mode; the TUI shows them instead).
    stderr: bool,
}

/// Messages kept for the status line.
const MAX_MESSAGES: usize = 32;

/// How far back the packet rate looks.
const RATE_WINDOW: Duration = Duration::from_secs(5);

impl LiveStatus {
    pub fn new() -> LiveStatus {
        LiveStatus::default()
    }

    /// A status whose messages also go to stderr.
    pub fn printing() -> LiveStatus {
        let s = LiveStatus::default();
        s.lock().stderr = true;
        s
    }

    /// Reports something about a source to the user (stderr in batch mode, the status line in
    /// the TUI).
    pub fn say(&self, message: impl Into<String>) {
        let message = message.into();
        let mut inner = self.lock();
        if inner.stderr {
            eprintln!("lowshark: {message}");
        }
        if inner.messages.len() == MAX_MESSAGES {
            inner.messages.pop_front();
        }
        inner.messages.push_back(message);
    }

    /// The latest message, if any.
    pub fn last_message(&self) -> Option<String> {
        self.lock().messages.back().cloned()
    }

    /// Marks every source stopped (the capture ended): threads waiting for a device give up.
    pub fn stop_all(&self) {
        for s in self.lock().sources.iter_mut() {
            s.state = DeviceState::Stopped;
        }
    }

    /// Adds a source; its index is what [`LiveStatus::update`] takes.
    pub fn add(&self, name: &str, channel: Option<Channel>) -> usize {
        let v = &mut self.lock().sources;
        v.push(SourceStatus {
            name: name.to_string(),
            channel,
            packets: 0,
            drops: 0,
            framing_errors: 0,
            state: DeviceState::Starting,
            rate: 0.0,
            samples: vec![(Instant::now(), 0)],
        });
        v.len() - 1
    }

    /// Changes source `i` under the lock.
    pub fn update(&self, i: usize, f: impl FnOnce(&mut SourceStatus)) {
        if let Some(s) = self.lock().sources.get_mut(i) {
            f(s);
        }
    }

    /// Counts one more frame of source `i`.
    pub fn packet(&self, i: usize) {
        self.update(i, |s| s.packets += 1);
    }

    pub fn set_state(&self, i: usize, state: DeviceState) {
        self.update(i, |s| s.state = state);
    }

    /// A copy of every source's status, with the packet rates brought up to date.
    pub fn snapshot(&self) -> Vec<SourceStatus> {
        let now = Instant::now();
        let v = &mut self.lock().sources;
        for s in v.iter_mut() {
            s.samples.push((now, s.packets));
            s.samples
                .retain(|(t, _)| now.duration_since(*t) <= RATE_WINDOW);
            let (t0, p0) = s.samples[0];
            let dt = now.duration_since(t0).as_secs_f64();
            s.rate = if dt > 0.5 {
                (s.packets - p0) as f64 / dt
            } else {
                0.0
            };
            // Keep one sample per ~100 ms so a fast redraw does not grow the list.
            if s.samples.len() > 64 {
                s.samples.remove(1);
            }
        }
        v.clone()
    }

    /// One line for a status bar: `nrf802154:/dev/ttyACM0 ch 15 · 120 pkts · 4.0/s · capturing`.
    pub fn line(&self) -> String {
        self.snapshot()
            .iter()
            .map(|s| {
                let mut t = s.name.clone();
                if let Some(c) = s.channel {
                    t += &format!(" ch {c}");
                }
                t += &format!(" · {} pkts · {:.1}/s", s.packets, s.rate);
                if s.drops > 0 {
                    t += &format!(" · {} dropped", s.drops);
                }
                t + " · " + &s.state.label()
            })
            .collect::<Vec<_>>()
            .join(" │ ")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A capture thread that panicked must not take the status line down with it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_line() {
        let st = LiveStatus::new();
        let i = st.add("nrf802154:/dev/x", Some(Channel::oqpsk(15)));
        st.packet(i);
        st.packet(i);
        st.update(i, |s| s.drops = 1);
        st.set_state(i, DeviceState::Gone);
        let line = st.line();
        assert!(line.contains("ch 15"), "{line}");
        assert!(line.contains("2 pkts"), "{line}");
        assert!(line.contains("1 dropped"), "{line}");
        assert!(line.contains("device gone"), "{line}");
    }
}
