//! An OpenThread RCP as the emulator plays it: HDLC-lite with OpenThread's escape set and
//! repeated flags, RESET announced by LAST_STATUS, PROP_SET/PROP_GET answered by PROP_IS with
//! the request's TID, raw frames only with PHY_ENABLED and MAC_RAW_STREAM_ENABLED, and the
//! three metadata layouts (26, 19, 17 bytes) in turn.

use super::{AirFrame, Model};
use crate::capture::dongle::hdlc;
use crate::capture::dongle::spinel::*;

pub(crate) struct Rcp {
    decoder: hdlc::Decoder,
    phy_enabled: bool,
    raw_stream: bool,
    filter_mode: u8,
    channel: u8,
    quirks: bool,
}

impl Rcp {
    pub(crate) fn new(quirks: bool) -> Rcp {
        Rcp {
            decoder: hdlc::Decoder::default(),
            phy_enabled: false,
            raw_stream: false,
            filter_mode: 0,
            channel: 11,
            quirks,
        }
    }

    fn send(&self, body: &[u8], out: &mut Vec<u8>) {
        if self.quirks {
            out.push(hdlc::FLAG);
        }
        out.extend(hdlc::encode(body, self.quirks));
    }

    fn prop(&mut self, prop: u32, set: Option<u8>) -> Option<u8> {
        let slot = match prop {
            PROP_PHY_ENABLED => {
                return Some(set.map_or(self.phy_enabled, |v| {
                    self.phy_enabled = v != 0;
                    self.phy_enabled
                }) as u8)
            }
            PROP_MAC_RAW_STREAM_ENABLED => {
                return Some(set.map_or(self.raw_stream, |v| {
                    self.raw_stream = v != 0;
                    self.raw_stream
                }) as u8)
            }
            PROP_MAC_FILTER_MODE => &mut self.filter_mode,
            PROP_PHY_CHAN => {
                if let Some(c) = set {
                    if !(11..=26).contains(&c) {
                        return None;
                    }
                }
                &mut self.channel
            }
            _ => return None,
        };
        if let Some(v) = set {
            *slot = v;
        }
        Some(*slot)
    }

    fn command(&mut self, body: &[u8], out: &mut Vec<u8>) {
        let Some(p) = parse(body) else { return };
        let (tid, prop) = (p.tid, p.prop);
        let answer = match p.cmd {
            CMD_RESET => {
                let mut quiet = vec![];
                self.reset(&mut quiet);
                out.extend(quiet);
                return;
            }
            CMD_PROP_GET => self.prop(prop, None),
            CMD_PROP_SET => {
                let v = p.value.first().copied();
                match v {
                    Some(v) => self.prop(prop, Some(v)),
                    None => None,
                }
            }
            _ => None,
        };
        let reply = match answer {
            Some(v) => frame(tid, CMD_PROP_IS, Some(prop), &[v]),
            // LAST_STATUS: 1 = failure (PROP_NOT_FOUND / INVALID_ARGUMENT for our purposes).
            None => frame(tid, CMD_PROP_IS, Some(PROP_LAST_STATUS), &[1]),
        };
        self.send(&reply, out);
    }
}

impl Model for Rcp {
    fn input(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        for &b in bytes {
            if let Some(hdlc::Decoded::Frame(body)) = self.decoder.push_byte(b) {
                self.command(&body, out);
            }
        }
    }

    fn capturing(&self) -> Option<u16> {
        (self.phy_enabled && self.raw_stream).then_some(self.channel as u16)
    }

    fn frame(&mut self, f: &AirFrame, time_us: u64, n: u64, out: &mut Vec<u8>) {
        let psdu = f.psdu();
        let mut v = (psdu.len() as u16).to_le_bytes().to_vec();
        v.extend(&psdu);
        v.extend([f.rssi as u8, 0x80, 0, 0]);
        let layout = if self.quirks { n % 3 } else { 0 };
        if layout == 2 {
            // Deprecated PHY struct: ms and µs.
            v.extend([8, 0, self.channel, f.lqi]);
            v.extend(((time_us / 1000) as u32).to_le_bytes());
            v.extend(((time_us % 1000) as u16).to_le_bytes());
        } else {
            v.extend([10, 0, self.channel, f.lqi]);
            v.extend(time_us.to_le_bytes());
        }
        v.extend([1, 0, 0]);
        if layout == 0 {
            v.extend([5, 0, 0, 0, 0, 0, 0]);
        }
        let body = frame(0, CMD_PROP_IS, Some(PROP_STREAM_RAW), &v);
        self.send(&body, out);
    }

    fn reset(&mut self, out: &mut Vec<u8>) {
        *self = Rcp::new(self.quirks);
        // RESET_POWER_ON.
        let body = frame(0, CMD_PROP_IS, Some(PROP_LAST_STATUS), &[112]);
        self.send(&body, out);
    }
}
