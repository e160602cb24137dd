//! One thread per dongle: reads frames, turns them into TAP records on the host clock, and
//! keeps the capture going through unplug, replug and firmware resets. Every firmware goes
//! through here; the firmware modules only know their protocol.
//!
//! ```text
//!   connect (open + setup) ── fails ──▶ error to the user (exit 2), nothing started
//!        │ ok
//!        ▼
//!   ┌▶ read frames ──────────────▶ TAP record ──▶ channel to the consumer
//!   │    │ every CHECK_INTERVAL, or when the firmware announces a reset:
//!   │    ├─ check (still alive, still on the channel?) ── no ──▶ setup again
//!   │    │ read or write error:
//!   │    ▼
//!   │  "device gone" (stderr, status) ── retry connect every RETRY ──┐
//!   └──────────────────── "device back" (stderr, status) ◀── ok ────┘
//! ```
//!
//! Frames a device delivered before it went away are all passed on (the consumer writes
//! them through to `-w` as they come); the clock mapping restarts with the device.

use super::link::Link;
use super::port;
use super::tap::{self, HostClock};
use super::{DongleError, RadioFrame, SerialFirmware, StreamStats};
use crate::capture::source::{Channel, LiveOptions};
use crate::capture::status::{DeviceState, LiveStatus};
use crate::capture::{CaptureError, CapturedFrame};
use dissectors::engine::FrameMeta;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How often a capturing device is asked whether it is still set up.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(2);
/// How often a gone device is looked for.
pub const RETRY: Duration = Duration::from_millis(300);
/// Frames in flight to the consumer; the supervisor blocks beyond (the device's own buffer
/// and the kernel's then fill, and what overflows shows up as framing errors).
const DEPTH: usize = 1024;

/// An opened, set-up dongle.
pub trait Device: Send {
    /// The next frame, waiting at most `timeout`.
    fn next_frame(&mut self, timeout: Duration) -> Result<Option<RadioFrame>, DongleError>;
    /// Whether it is alive and still on `channel` (`Err(NoAnswer)`: reset or silent).
    fn check(&mut self, channel: Channel) -> Result<(), DongleError>;
    /// True once after the firmware announced it restarted.
    fn reset_announced(&mut self) -> bool {
        false
    }
    /// Sends the whole setup again on the same connection.
    fn restart(&mut self, channel: Channel) -> Result<(), DongleError>;
    /// Moves to another channel while capturing.
    fn retune(&mut self, channel: Channel) -> Result<(), DongleError>;
    /// Stream counters and frames dropped on the host side.
    fn stats(&self) -> (StreamStats, u64);
    fn stop(&mut self);
}

/// Opens and sets up a device; called again to reconnect.
pub trait Connector: Send {
    fn name(&self) -> String;
    fn description(&self) -> String;
    /// Whether it is tuned to `--channel` (a ZEP listener takes each frame's own channel).
    fn tunes(&self) -> bool {
        true
    }
    fn connect(&mut self, channel: Channel) -> Result<Box<dyn Device>, DongleError>;
}

/// A serial firmware on a path.
pub struct SerialConnector {
    pub firmware: SerialFirmware,
    pub path: PathBuf,
    /// `--baud`; the firmware's list otherwise.
    pub baud: Option<u32>,
}

impl SerialConnector {
    pub fn new(firmware: SerialFirmware, path: PathBuf, baud: Option<u32>) -> SerialConnector {
        SerialConnector {
            firmware,
            path,
            baud,
        }
    }
}

impl Connector for SerialConnector {
    fn name(&self) -> String {
        format!("{}:{}", self.firmware.name(), self.path.display())
    }

    fn description(&self) -> String {
        self.firmware.description().to_string()
    }

    /// Opens the port and runs the setup, at each candidate baud rate until one answers.
    fn connect(&mut self, channel: Channel) -> Result<Box<dyn Device>, DongleError> {
        let fw = self.firmware.driver();
        let bauds = match self.baud {
            Some(b) => vec![b],
            None => fw.bauds().to_vec(),
        };
        let port = port::open_serial(&self.path, bauds[0])?;
        let mut link = Link::new(Box::new(port), fw.deframer(), self.name());
        let mut last = None;
        for (i, &baud) in bauds.iter().enumerate() {
            if i > 0 {
                link.set_baud(baud)?;
            }
            match fw.start(&mut link, channel) {
                Ok(()) => {
                    return Ok(Box::new(SerialDevice {
                        link,
                        firmware: self.firmware,
                    }))
                }
                Err(DongleError::NoAnswer(m)) => last = Some(DongleError::NoAnswer(m)),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| link.no_answer("setup")))
    }
}

struct SerialDevice {
    link: Link,
    firmware: SerialFirmware,
}

impl Device for SerialDevice {
    fn next_frame(&mut self, timeout: Duration) -> Result<Option<RadioFrame>, DongleError> {
        self.link.next_frame(timeout)
    }
    fn check(&mut self, channel: Channel) -> Result<(), DongleError> {
        self.firmware.driver().check(&mut self.link, channel)
    }
    fn reset_announced(&mut self) -> bool {
        self.link.take_reset()
    }
    fn restart(&mut self, channel: Channel) -> Result<(), DongleError> {
        self.firmware.driver().start(&mut self.link, channel)
    }
    fn retune(&mut self, channel: Channel) -> Result<(), DongleError> {
        self.firmware.driver().retune(&mut self.link, channel)
    }
    fn stats(&self) -> (StreamStats, u64) {
        (self.link.stats(), self.link.dropped)
    }
    fn stop(&mut self) {
        self.firmware.driver().stop(&mut self.link)
    }
}

/// Frames from one dongle, as the rest of lowshark reads any capture.
pub struct DongleFrames {
    rx: Receiver<Result<CapturedFrame, CaptureError>>,
}

impl Iterator for DongleFrames {
    type Item = Result<CapturedFrame, CaptureError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rx.recv().ok()
    }
}

/// Connects (failing now if the device cannot be used) and starts the supervisor thread.
/// `interface` is the source's pcapng interface number; `slot` its index in `status`.
pub fn spawn(
    mut connector: Box<dyn Connector>,
    opts: &LiveOptions,
    status: LiveStatus,
    interface: u32,
) -> Result<DongleFrames, CaptureError> {
    let channel = opts.channel();
    let name = connector.name();
    let slot = status.add(&name, connector.tunes().then_some(channel));
    let device = connector.connect(channel).map_err(|e| {
        status.set_state(slot, DeviceState::Stopped);
        CaptureError::Live {
            source: name.clone(),
            message: e.to_string(),
        }
    })?;
    status.set_state(slot, DeviceState::Capturing);
    let (tx, rx) = sync_channel(DEPTH);
    let mut sup = Supervisor {
        description: connector.description().into(),
        connector,
        name: name.as_str().into(),
        channel,
        status,
        slot,
        interface,
        clock: HostClock::default(),
        tx,
        returns: 0,
        counted: (StreamStats::default(), 0),
    };
    std::thread::Builder::new()
        .name(format!("lowshark-{}", sup.name))
        .spawn(move || sup.run(device))
        .map_err(|e| CaptureError::Live {
            source: "capture thread".into(),
            message: e.to_string(),
        })?;
    Ok(DongleFrames { rx })
}

struct Supervisor {
    connector: Box<dyn Connector>,
    name: Arc<str>,
    description: Arc<str>,
    channel: Channel,
    status: LiveStatus,
    slot: usize,
    interface: u32,
    clock: HostClock,
    tx: SyncSender<Result<CapturedFrame, CaptureError>>,
    /// Times the device came back.
    returns: u32,
    /// Counters of the devices before the current one (they restart on reconnect).
    counted: (StreamStats, u64),
}

impl Supervisor {
    fn run(&mut self, mut device: Box<dyn Device>) {
        let mut last_check = Instant::now();
        loop {
            let step = device.next_frame(port::POLL * 4).and_then(|f| {
                if let Some(f) = f {
                    if !self.emit(f) {
                        return Err(DongleError::Fatal("consumer gone".into()));
                    }
                }
                if device.reset_announced() || last_check.elapsed() >= CHECK_INTERVAL {
                    last_check = Instant::now();
                    self.check(device.as_mut())?;
                }
                Ok(())
            });
            self.publish_stats(device.as_ref());
            match step {
                Ok(()) => {}
                Err(DongleError::Fatal(_)) => break,
                Err(e) => match self.reconnect(device.as_ref(), e) {
                    Some(d) => {
                        device = d;
                        last_check = Instant::now();
                    }
                    None => return,
                },
            }
        }
        device.stop();
        self.status.set_state(self.slot, DeviceState::Stopped);
    }

    /// Checks the device; a reset one is set up again (its frames were never lost: the link
    /// queued them). Only a gone device is an error here.
    fn check(&mut self, device: &mut dyn Device) -> Result<(), DongleError> {
        match device.check(self.channel) {
            Ok(()) => Ok(()),
            Err(DongleError::Gone(m)) => Err(DongleError::Gone(m)),
            Err(why) => {
                self.status
                    .say(format!("{}: {why}; sending its setup again", self.name));
                match device.restart(self.channel) {
                    Ok(()) => {
                        self.returns += 1;
                        self.status
                            .set_state(self.slot, DeviceState::Back(self.returns));
                        Ok(())
                    }
                    Err(DongleError::Gone(m)) => Err(DongleError::Gone(m)),
                    Err(e) => {
                        self.status.say(e.to_string());
                        self.status.set_state(self.slot, DeviceState::NotAnswering);
                        Ok(())
                    }
                }
            }
        }
    }

    /// Waits for the device to come back and sets it up again. None: the consumer is gone.
    fn reconnect(&mut self, old: &dyn Device, why: DongleError) -> Option<Box<dyn Device>> {
        let (s, d) = old.stats();
        self.counted = (add_stats(self.counted.0, s), self.counted.1 + d);
        self.status.say(format!(
            "{}: device gone ({why}); waiting for it to come back",
            self.name
        ));
        self.status.set_state(self.slot, DeviceState::Gone);
        self.clock.reset();
        let mut last_msg = String::new();
        loop {
            std::thread::sleep(RETRY);
            match self.connector.connect(self.channel) {
                Ok(d) => {
                    self.returns += 1;
                    self.status.say(format!(
                        "{}: device back, capturing on channel {} again",
                        self.name, self.channel
                    ));
                    self.status
                        .set_state(self.slot, DeviceState::Back(self.returns));
                    return Some(d);
                }
                Err(DongleError::Gone(_)) => {}
                Err(e) => {
                    let msg = e.to_string();
                    if msg != last_msg {
                        self.status.say(msg.clone());
                        self.status.set_state(self.slot, DeviceState::NotAnswering);
                        last_msg = msg;
                    }
                }
            }
            // Nobody reads any more (the capture ended while the device was away).
            if self.status_stopped() {
                return None;
            }
        }
    }

    fn status_stopped(&self) -> bool {
        self.status
            .snapshot()
            .get(self.slot)
            .is_some_and(|s| s.state == DeviceState::Stopped)
    }

    /// Sends one frame on; false when the consumer is gone.
    fn emit(&mut self, f: RadioFrame) -> bool {
        let host_ns = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64);
        let ts = self.clock.map(f.device_us, host_ns);
        let data = tap::encode(&f, Some(self.channel), f.device_us.map(|_| ts as u64));
        let comments = match f.fcs {
            super::Fcs::Checked(false) => vec![tap::RECONSTRUCTED_BAD_FCS.to_string()],
            _ => vec![],
        };
        let meta = FrameMeta {
            ts_ns: ts,
            orig_len: data.len() as u32,
            link_type: tap::LINKTYPE_IEEE802_15_4_TAP,
            interface_id: Some(self.interface),
            // Shared, not copied: every frame of the source names its interface.
            interface_name: Some(self.name.clone()),
            interface_description: Some(self.description.clone()),
            comments,
            ..FrameMeta::default()
        };
        let frame = CapturedFrame {
            meta,
            data: data.into(),
        };
        self.status.packet(self.slot);
        self.tx.send(Ok(frame)).is_ok()
    }

    fn publish_stats(&self, device: &dyn Device) {
        let (s, d) = device.stats();
        let s = add_stats(self.counted.0, s);
        let dropped = self.counted.1 + d;
        self.status.update(self.slot, |st| {
            st.framing_errors = s.framing_errors;
            st.drops = dropped + s.framing_errors;
        });
    }
}

fn add_stats(a: StreamStats, b: StreamStats) -> StreamStats {
    StreamStats {
        valid: a.valid + b.valid,
        framing_errors: a.framing_errors + b.framing_errors,
        skipped: a.skipped + b.skipped,
        bytes: a.bytes + b.bytes,
    }
}
