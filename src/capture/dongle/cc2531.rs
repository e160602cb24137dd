//! CC2531 USB dongle with TI's stock "SmartRF Packet Sniffer" firmware: vendor control
//! requests to set it up, a bulk IN endpoint (0x83) streaming records.
//!
//! ```text
//! setup (bmRequestType 40 out / C0 in, device recipient):
//!   C0 GET_IDENT (in, ≤256) → C5 SET_POWER wIndex 4 → C6 GET_POWER (in, 1) until it reads 04
//!   → C9 (whsniff sends it; meaning unknown) → D2 SET_CHAN wIndex 0 data [ch], wIndex 1 data [0]
//!   → D0 START.   D1 STOP.
//! bulk records (a transfer may hold several, or part of one):
//!   | type (1): 0 frame, 1 tick | LEN (2, LE) | body (LEN) |
//!   frame body: | time (4, LE, 1/32 µs) | L (1) | MPDU (L−2) | RSSI raw (1) | CRC_OK<<7 | corr (1) |
//!   tick body:  | 1 byte |   (the 32-bit time stamp wrapped)
//! ```
//! Read from homewsn/whsniff `src/whsniff.c` (HEAD c4fd624) and andrewdodd/ccsniffpiper
//! `ccsniffpiper.py` (c26dd13); TI never published the protocol. The RSSI byte is the radio's
//! raw value; the CC253x datasheets give an offset of about 73 dB, applied here so `wpan-tap.rss`
//! is in dBm (the hosts above leave it raw). The correlation value is shown as the LQI.

use super::supervisor::{Connector, Device};
use super::usb::{UsbBus, UsbError, UsbId, UsbIo, UsbPlace, VendorRequest};
use super::{Deframer, DongleError, Event, Fcs, RadioFrame, StreamStats};
use crate::capture::source::Channel;
use std::collections::VecDeque;
use std::time::Duration;

/// Texas Instruments, CC2531 with the sniffer firmware.
pub const ID: UsbId = UsbId {
    vendor: 0x0451,
    product: 0x16ae,
};
pub const ENDPOINT: u8 = 0x83;
pub const GET_IDENT: u8 = 0xc0;
pub const SET_POWER: u8 = 0xc5;
pub const GET_POWER: u8 = 0xc6;
pub const UNKNOWN_C9: u8 = 0xc9;
pub const SET_CHAN: u8 = 0xd2;
pub const START: u8 = 0xd0;
pub const STOP: u8 = 0xd1;
/// Power state that means "ready".
pub const POWERED: u8 = 4;
/// CC253x RSSI offset (dB) between the register value and dBm.
pub const RSSI_OFFSET: f32 = 73.0;
/// Largest record body: 4 + 1 + 127.
const MAX_BODY: usize = 132;

/// The CC2531s on USB, for `-D`.
pub fn detect() -> Vec<(String, String)> {
    super::usb::NusbBus
        .list(ID)
        .into_iter()
        .map(|(bus, addr, product)| {
            let p = if product.is_empty() {
                "CC2531".to_string()
            } else {
                product
            };
            (
                format!("cc2531:{bus}.{addr}"),
                format!("{p} (0451:16ae, TI sniffer firmware)"),
            )
        })
        .collect()
}

/// Opens a CC2531 on a [`UsbBus`] (the machine's, or a fake one).
pub struct Cc2531Connector {
    pub bus: Box<dyn UsbBus>,
    pub at: Option<UsbPlace>,
}

impl Connector for Cc2531Connector {
    fn name(&self) -> String {
        match self.at {
            Some((b, a)) => format!("cc2531:{b}.{a}"),
            None => "cc2531".into(),
        }
    }

    fn description(&self) -> String {
        "CC2531 with TI's sniffer firmware".into()
    }

    fn connect(&mut self, channel: Channel) -> Result<Box<dyn Device>, DongleError> {
        let io = self.bus.open(ID, self.at)?;
        let mut dev = Cc2531Device {
            io,
            name: self.name(),
            deframer: RecordDeframer::default(),
            frames: VecDeque::new(),
            events: Vec::new(),
        };
        dev.start(channel)?;
        Ok(Box::new(dev))
    }
}

pub struct Cc2531Device {
    io: Box<dyn UsbIo>,
    name: String,
    deframer: RecordDeframer,
    frames: VecDeque<RadioFrame>,
    events: Vec<Event>,
}

impl Cc2531Device {
    fn err(&self, what: &str, e: UsbError) -> DongleError {
        match e {
            UsbError::Gone(m) => DongleError::Gone(format!("{}: {what}: {m}", self.name)),
            UsbError::Other(m) => DongleError::NoAnswer(format!(
                "{}: {what} failed ({m}): is it running TI's sniffer firmware?",
                self.name
            )),
        }
    }

    fn out(&mut self, request: u8, index: u16, data: &[u8], what: &str) -> Result<(), DongleError> {
        self.io
            .control_out(VendorRequest::new(request).index(index), data)
            .map_err(|e| self.err(what, e))
    }

    fn set_channel(&mut self, channel: Channel) -> Result<(), DongleError> {
        let tunes = "the CC2531 tunes 2.4 GHz channels 11 to 26";
        super::page0_channel(&self.name, channel, super::OQPSK_2450, tunes)?;
        self.out(SET_CHAN, 0, &[channel.number as u8], "SET_CHAN")?;
        self.out(SET_CHAN, 1, &[0], "SET_CHAN")
    }

    fn start(&mut self, channel: Channel) -> Result<(), DongleError> {
        self.io
            .control_in(VendorRequest::new(GET_IDENT), 256)
            .map_err(|e| self.err("GET_IDENT", e))?;
        self.out(SET_POWER, 4, &[], "SET_POWER")?;
        let mut powered = false;
        for _ in 0..50 {
            let p = self
                .io
                .control_in(VendorRequest::new(GET_POWER), 1)
                .map_err(|e| self.err("GET_POWER", e))?;
            if p.first() == Some(&POWERED) {
                powered = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if !powered {
            return Err(DongleError::NoAnswer(format!(
                "{}: the radio did not power up",
                self.name
            )));
        }
        let _ = self.io.control_out(VendorRequest::new(UNKNOWN_C9), &[]);
        self.set_channel(channel)?;
        self.out(START, 0, &[], "START")
    }
}

impl Device for Cc2531Device {
    fn next_frame(&mut self, timeout: Duration) -> Result<Option<RadioFrame>, DongleError> {
        if let Some(f) = self.frames.pop_front() {
            return Ok(Some(f));
        }
        let data = self
            .io
            .bulk_in(ENDPOINT, 4096, timeout)
            .map_err(|e| self.err("bulk read", e))?;
        self.deframer.push(&data, &mut self.events);
        for ev in self.events.drain(..) {
            if let Event::Frame(f) = ev {
                self.frames.push_back(f);
            }
        }
        Ok(self.frames.pop_front())
    }

    fn check(&mut self, _channel: Channel) -> Result<(), DongleError> {
        let p = self
            .io
            .control_in(VendorRequest::new(GET_POWER), 1)
            .map_err(|e| self.err("GET_POWER", e))?;
        if p.first() == Some(&POWERED) {
            Ok(())
        } else {
            Err(DongleError::NoAnswer(format!(
                "{}: the radio is powered down (reset?)",
                self.name
            )))
        }
    }

    fn restart(&mut self, channel: Channel) -> Result<(), DongleError> {
        let _ = self.io.control_out(VendorRequest::new(STOP), &[]);
        self.start(channel)
    }

    fn retune(&mut self, channel: Channel) -> Result<(), DongleError> {
        self.out(STOP, 0, &[], "STOP")?;
        self.set_channel(channel)?;
        self.out(START, 0, &[], "START")
    }

    fn stats(&self) -> (StreamStats, u64) {
        (self.deframer.stats(), 0)
    }

    fn stop(&mut self) {
        let _ = self.io.control_out(VendorRequest::new(STOP), &[]);
        let _ = self.io.control_out(VendorRequest::new(SET_POWER), &[]);
    }
}

/// Reassembles records across bulk transfers.
#[derive(Default)]
pub struct RecordDeframer {
    buf: Vec<u8>,
    stats: StreamStats,
    /// Wraps of the 32-bit time stamp seen.
    epochs: u64,
    last: Option<u32>,
}

impl Deframer for RecordDeframer {
    fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.stats.bytes += bytes.len() as u64;
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        while self.buf.len() - at >= 3 {
            let (ty, len) = (
                self.buf[at],
                u16::from_le_bytes([self.buf[at + 1], self.buf[at + 2]]) as usize,
            );
            let plausible = match ty {
                0 => (5 + 3..=MAX_BODY).contains(&len),
                1 => len == 1,
                _ => false,
            };
            if !plausible {
                at += 1;
                self.stats.skipped += 1;
                self.stats.framing_errors += 1;
                continue;
            }
            if self.buf.len() - at < 3 + len {
                break;
            }
            let body = self.buf[at + 3..at + 3 + len].to_vec();
            at += 3 + len;
            if ty == 0 {
                match self.frame(&body) {
                    Some(f) => {
                        self.stats.valid += 1;
                        out.push(Event::Frame(f));
                    }
                    None => self.stats.framing_errors += 1,
                }
            } else {
                self.stats.valid += 1;
            }
        }
        self.buf.drain(..at);
    }

    fn stats(&self) -> StreamStats {
        self.stats
    }
}

impl RecordDeframer {
    fn frame(&mut self, body: &[u8]) -> Option<RadioFrame> {
        let ticks = u32::from_le_bytes(body.get(..4)?.try_into().ok()?);
        let l = *body.get(4)? as usize;
        if l < 5 || body.len() != 5 + l {
            return None;
        }
        if self
            .last
            .is_some_and(|last| last > ticks && last - ticks > 1 << 31)
        {
            self.epochs += 1;
        }
        self.last = Some(ticks);
        let (mpdu, meta) = body[5..].split_at(l - 2);
        Some(RadioFrame {
            mpdu: mpdu.to_vec(),
            fcs: Fcs::Checked(meta[1] & 0x80 != 0),
            rssi_dbm: Some(meta[0] as i8 as f32 - RSSI_OFFSET),
            lqi: Some(meta[1] & 0x7f),
            channel: None,
            device_us: Some(((self.epochs << 32) | ticks as u64) / 32),
        })
    }
}

/// A frame record as the firmware sends it (for the fake device and tests).
pub fn record(ticks: u32, mpdu: &[u8], rssi_raw: i8, crc_ok: bool, corr: u8) -> Vec<u8> {
    let l = mpdu.len() + 2;
    let len = (5 + l) as u16;
    let mut v = vec![0];
    v.extend(len.to_le_bytes());
    v.extend(ticks.to_le_bytes());
    v.push(l as u8);
    v.extend(mpdu);
    v.push(rssi_raw as u8);
    v.push((crc_ok as u8) << 7 | (corr & 0x7f));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_split_and_merged_across_transfers() {
        let mut stream = record(32_000, &[0x02, 0x00, 0x2a], 33, true, 100);
        stream.extend([1, 1, 0, 0]); // tick
        stream.extend(record(u32::MAX - 5, &[0x02, 0x00, 0x2b], 20, false, 50));
        stream.extend(record(64, &[0x02, 0x00, 0x2c], 20, true, 50));
        let mut d = RecordDeframer::default();
        let mut out = vec![];
        for c in stream.chunks(5) {
            d.push(c, &mut out);
        }
        assert_eq!(out.len(), 3);
        let Event::Frame(f) = &out[0] else { panic!() };
        assert_eq!(
            (f.rssi_dbm, f.lqi, f.device_us),
            (Some(-40.0), Some(100), Some(1000))
        );
        assert_eq!(f.fcs, Fcs::Checked(true));
        let Event::Frame(f) = &out[1] else { panic!() };
        assert_eq!(f.fcs, Fcs::Checked(false));
        // The 32-bit tick counter wrapped between the last two.
        let Event::Frame(f) = &out[2] else { panic!() };
        assert_eq!(f.device_us, Some(((1u64 << 32) + 64) / 32));
        assert_eq!(d.stats().framing_errors, 0);
    }
}
