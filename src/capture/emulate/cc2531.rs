//! A fake CC2531 with TI's sniffer firmware behind the USB traits: the control requests of
//! `dongle::cc2531` as a state machine (GET_POWER reads 04 only after a few polls, the channel
//! needs both SET_CHAN parts, bulk data only after START), and a bulk stream that packs frame
//! and tick records with the 1/32 µs time stamp (starting just before its 2^32 wrap), split and
//! merged across bulk reads as the real endpoint does. It can be unplugged and replugged.

use super::{Air, Delivered};
use crate::capture::dongle::cc2531::{self as fw, record};
use crate::capture::dongle::usb::{
    UsbBus, UsbError, UsbId, UsbIo, UsbPlace, UsbResult, VendorRequest,
};
use crate::capture::dongle::DongleError;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct State {
    present: bool,
    /// Bumped at each replug: handles to an older device report it gone.
    generation: u32,
    power_polls: u32,
    powered: bool,
    chan: (Option<u8>, bool),
    started: bool,
    air: Air,
    cursor: usize,
    pace: Duration,
    next: Instant,
    /// Bytes of records not read yet.
    pending: Vec<u8>,
    /// Sizes of successive bulk reads, cycled, so records split and merge.
    read_sizes: [usize; 4],
    reads: usize,
    boot: Instant,
    delivered: Vec<Delivered>,
}

/// The fake USB bus with one CC2531 on it.
#[derive(Clone)]
pub struct FakeBus(Arc<Mutex<State>>);

impl FakeBus {
    pub fn new(air: Air, pace: Duration) -> FakeBus {
        FakeBus(Arc::new(Mutex::new(State {
            present: true,
            generation: 0,
            power_polls: 0,
            powered: false,
            chan: (None, false),
            started: false,
            air,
            cursor: 0,
            pace,
            next: Instant::now(),
            pending: vec![],
            read_sizes: [7, 64, 3, 200],
            reads: 0,
            boot: Instant::now(),
            delivered: vec![],
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Unplugs once the host has read every record sent so far.
    pub fn unplug(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.lock().pending.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut s = self.lock();
        s.present = false;
        s.generation += 1;
    }

    /// Plugs it back: a freshly powered-down device.
    pub fn replug(&self) {
        let mut s = self.lock();
        s.present = true;
        s.powered = false;
        s.power_polls = 0;
        s.chan = (None, false);
        s.started = false;
        s.boot = Instant::now();
    }

    pub fn delivered(&self) -> Vec<Delivered> {
        self.lock().delivered.clone()
    }
}

impl UsbBus for FakeBus {
    fn list(&self, id: UsbId) -> Vec<(u8, u8, String)> {
        let present = self.lock().present;
        if present && id == fw::ID {
            vec![(1, 7, "TI CC2531 USB Dongle".into())]
        } else {
            vec![]
        }
    }

    fn open(&self, id: UsbId, at: Option<UsbPlace>) -> Result<Box<dyn UsbIo>, DongleError> {
        let s = self.lock();
        if !s.present || id != fw::ID || at.is_some_and(|a| a != (1, 7)) {
            return Err(DongleError::Gone("USB 0451:16ae: no such device".into()));
        }
        Ok(Box::new(FakeIo {
            bus: self.clone(),
            generation: s.generation,
        }))
    }
}

struct FakeIo {
    bus: FakeBus,
    generation: u32,
}

impl FakeIo {
    fn state(&self) -> UsbResult<std::sync::MutexGuard<'_, State>> {
        let s = self.bus.lock();
        if !s.present || s.generation != self.generation {
            return Err(UsbError::Gone("device disconnected".into()));
        }
        Ok(s)
    }
}

impl UsbIo for FakeIo {
    fn control_in(&mut self, req: VendorRequest, len: u16) -> UsbResult<Vec<u8>> {
        let mut s = self.state()?;
        match req.request {
            fw::GET_IDENT => Ok(b"\x01\x02CC2531 sniffer"
                .iter()
                .copied()
                .take(len as usize)
                .collect()),
            fw::GET_POWER => {
                s.power_polls += 1;
                // Powers up after a few polls, as the radio needs a moment.
                let v = if s.powered && s.power_polls > 2 {
                    fw::POWERED
                } else {
                    0
                };
                Ok(vec![v])
            }
            _ => Err(UsbError::Other("stall".into())),
        }
    }

    fn control_out(&mut self, req: VendorRequest, data: &[u8]) -> UsbResult<()> {
        let mut s = self.state()?;
        match (req.request, req.index) {
            (fw::SET_POWER, 4) => s.powered = true,
            (fw::SET_POWER, _) => s.powered = false,
            (fw::UNKNOWN_C9, _) => {}
            (fw::SET_CHAN, 0) => s.chan.0 = data.first().copied(),
            (fw::SET_CHAN, 1) => s.chan.1 = data.first() == Some(&0),
            (fw::START, _) if s.powered && s.chan.0.is_some() && s.chan.1 => {
                s.started = true;
                s.next = Instant::now();
            }
            (fw::STOP, _) => s.started = false,
            _ => return Err(UsbError::Other("stall".into())),
        }
        Ok(())
    }

    fn bulk_in(&mut self, endpoint: u8, max: usize, timeout: Duration) -> UsbResult<Vec<u8>> {
        if endpoint != fw::ENDPOINT {
            return Err(UsbError::Other("no such endpoint".into()));
        }
        let end = Instant::now() + timeout;
        loop {
            {
                let mut s = self.state()?;
                produce(&mut s);
                if !s.pending.is_empty() {
                    let size = s.read_sizes[s.reads % 4].min(max);
                    s.reads += 1;
                    let n = size.min(s.pending.len());
                    return Ok(s.pending.drain(..n).collect());
                }
            }
            if Instant::now() >= end {
                return Ok(vec![]);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Queues the next frame (and now and then a tick) when it is due.
fn produce(s: &mut State) {
    let Some(ch) = s.chan.0.filter(|_| s.started) else {
        return;
    };
    if Instant::now() < s.next || s.cursor >= s.air.frames.len() {
        return;
    }
    s.next = Instant::now() + s.pace;
    let f = s.air.frames[s.cursor].clone();
    s.cursor += 1;
    if f.channel.is_some_and(|c| c != ch as u16) {
        return;
    }
    // 1/32 µs ticks, starting half a second before the 32-bit counter wraps.
    let ticks =
        (u32::MAX - 16_000_000).wrapping_add((s.boot.elapsed().as_micros() as u64 * 32) as u32);
    let raw = (f.rssi as i16 + fw::RSSI_OFFSET as i16).clamp(-128, 127) as i8;
    let rec = record(ticks, &f.mpdu, raw, !f.bad_fcs, f.lqi & 0x7f);
    s.pending.extend(rec);
    if s.cursor.is_multiple_of(4) {
        s.pending.extend([1, 1, 0, (s.cursor / 4) as u8]);
    }
    s.delivered.push(Delivered {
        mpdu: f.mpdu,
        channel: ch as u16,
        bad_fcs: f.bad_fcs,
    });
}
