//! A [`Port`] with its firmware's [`Deframer`]: the conversation with one dongle.
//!
//! Setup code sends a command and waits for the reply it expects ([`Link::expect`]); frames
//! that arrive meanwhile are queued and come out of [`Link::next_frame`] later, so a channel
//! check during a busy capture loses nothing. Replies nobody waits for are dropped, except a
//! firmware reset, which is remembered until [`Link::take_reset`].

use super::port::Port;
use super::{Deframer, DongleError, Event, RadioFrame, Reply, StreamStats};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Frames held while setup code waits for a reply; beyond it the oldest are dropped (counted),
/// so a device that streams frames but never answers cannot grow memory.
const MAX_QUEUED: usize = 4096;

pub struct Link {
    port: Box<dyn Port>,
    deframer: Box<dyn Deframer>,
    /// What the device is called in messages (`nrf802154:/dev/ttyACM0`).
    pub name: String,
    frames: VecDeque<RadioFrame>,
    replies: VecDeque<Reply>,
    reset_seen: bool,
    /// Frames dropped because the queue was full.
    pub dropped: u64,
    events: Vec<Event>,
}

impl Link {
    pub fn new(port: Box<dyn Port>, deframer: Box<dyn Deframer>, name: String) -> Link {
        Link {
            port,
            deframer,
            name,
            frames: VecDeque::new(),
            replies: VecDeque::new(),
            reset_seen: false,
            dropped: 0,
            events: Vec::new(),
        }
    }

    pub fn stats(&self) -> StreamStats {
        self.deframer.stats()
    }

    pub fn set_baud(&mut self, baud: u32) -> Result<(), DongleError> {
        self.port
            .set_baud(baud)
            .map_err(|e| DongleError::Fatal(format!("{}: cannot set {baud} baud: {e}", self.name)))
    }

    pub fn send(&mut self, bytes: &[u8]) -> Result<(), DongleError> {
        self.port
            .write_all(bytes)
            .map_err(|e| DongleError::io(&self.name, e))
    }

    /// Reads once from the port (waiting at most its poll interval) and files what it completes.
    /// Returns whether any byte arrived.
    fn poll(&mut self) -> Result<bool, DongleError> {
        let mut buf = [0u8; 1024];
        let n = self
            .port
            .read(&mut buf)
            .map_err(|e| DongleError::io(&self.name, e))?;
        self.deframer.push(&buf[..n], &mut self.events);
        for ev in self.events.drain(..) {
            match ev {
                Event::Frame(f) => {
                    if self.frames.len() >= MAX_QUEUED {
                        self.frames.pop_front();
                        self.dropped += 1;
                    }
                    self.frames.push_back(f);
                }
                Event::Reply(Reply::Reset) => {
                    self.reset_seen = true;
                    self.replies.push_back(Reply::Reset);
                }
                Event::Reply(r) => {
                    if self.replies.len() >= MAX_QUEUED {
                        self.replies.pop_front();
                    }
                    self.replies.push_back(r);
                }
            }
        }
        Ok(n > 0)
    }

    /// The next frame, waiting at most `timeout` for one.
    pub fn next_frame(&mut self, timeout: Duration) -> Result<Option<RadioFrame>, DongleError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(f) = self.frames.pop_front() {
                return Ok(Some(f));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            self.poll()?;
        }
    }

    /// Waits up to `timeout` for a reply `want` accepts (other replies are dropped).
    /// `what` names the command in the error message.
    pub fn expect<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut want: impl FnMut(&Reply) -> Option<T>,
    ) -> Result<T, DongleError> {
        let deadline = Instant::now() + timeout;
        loop {
            while let Some(r) = self.replies.pop_front() {
                if let Some(t) = want(&r) {
                    return Ok(t);
                }
            }
            if Instant::now() >= deadline {
                return Err(self.no_answer(what));
            }
            self.poll()?;
        }
    }

    /// Reads and drops replies for `time` (a firmware's echo, a banner); frames are kept.
    pub fn drain(&mut self, time: Duration) -> Result<(), DongleError> {
        let deadline = Instant::now() + time;
        while Instant::now() < deadline {
            self.poll()?;
        }
        self.replies.clear();
        Ok(())
    }

    /// Forgets pending replies (before a command whose answer must be fresh).
    pub fn clear_replies(&mut self) {
        self.replies.clear();
    }

    /// True once after the firmware announced a reset.
    pub fn take_reset(&mut self) -> bool {
        std::mem::take(&mut self.reset_seen)
    }

    /// The error for a command nobody answered, saying whether anything came at all.
    pub fn no_answer(&self, what: &str) -> DongleError {
        let s = self.stats();
        let detail = if s.bytes == 0 {
            "nothing received".to_string()
        } else if s.valid == 0 {
            format!(
                "{} bytes received, none of them valid ({} framing errors)",
                s.bytes, s.framing_errors
            )
        } else {
            format!("no answer to {what}")
        };
        DongleError::NoAnswer(format!(
            "no valid frames from {}: wrong device or baud rate? ({detail})",
            self.name
        ))
    }
}
