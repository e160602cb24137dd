//! OpenThread RCP/NCP sniffing over Spinel, in HDLC-lite frames ([`super::hdlc`]), driven as
//! pyspinel's `sniffer.py` drives it.
//!
//! ```text
//! Spinel frame: | header 1 | command (packed uint) | property (packed uint) | value |
//!   header = 1 0 IID(2) TID(4); TID 0 = unsolicited; packed uint = 7 bits a byte, LSB group
//!   first, bit 7 = more
//! host → RCP:   RESET (81 01), then PROP_SET (cmd 3) with TID 1 of
//!               PHY_ENABLED 0x20 = 1, MAC_FILTER_MODE 0x38 = 2 (monitor), PHY_CHAN 0x21 = ch,
//!               MAC_RAW_STREAM_ENABLED 0x37 = 1; each answered by PROP_IS (cmd 6) echoing the
//!               value, or LAST_STATUS (prop 0) with an error
//! RCP → host:   PROP_IS STREAM_RAW 0x71 (TID 0) for each frame:
//!   | len u16 | PSDU incl. FCS | RSSI i8 | noise i8 | flags u16 |
//!   | u16 10 | channel | LQI | timestamp u64 µs |          PHY struct (8: u32 ms + u16 µs, old)
//!   | u16 1 | rx error |                                    vendor struct
//!   | u16 5 | ack key id | ack frame counter u32 |          MAC struct (newer firmware only)
//!   (metadata is 26, 19 or 17 bytes, or just the first 4 on old NCPs)
//!   LAST_STATUS 112..127 (TID 0) after a reset: the setup is gone.
//! ```
//! Read from pyspinel `sniffer.py`, `spinel/hdlc.py`, `spinel/const.py`, `spinel/codec.py`
//! (HEAD 5e0627a, 2023-09) and OpenThread `src/ncp/ncp_base_radio.cpp` (`PackRadioFrame`).
//! The PSDU's FCS is kept as received (pyspinel's `--crc` recomputes it for radios that do not
//! deliver it; such frames show a bad FCS here).

use super::hdlc::{self, Decoded};
use super::link::Link;
use super::{
    Deframer, DongleError, Event, Firmware, RadioFrame, Reply, StreamStats, REPLY_TIMEOUT,
};
use crate::capture::source::Channel;
use std::time::Duration;

pub const CMD_RESET: u32 = 1;
pub const CMD_PROP_GET: u32 = 2;
pub const CMD_PROP_SET: u32 = 3;
pub const CMD_PROP_IS: u32 = 6;
pub const PROP_LAST_STATUS: u32 = 0x00;
pub const PROP_PHY_ENABLED: u32 = 0x20;
pub const PROP_PHY_CHAN: u32 = 0x21;
pub const PROP_MAC_RAW_STREAM_ENABLED: u32 = 0x37;
pub const PROP_MAC_FILTER_MODE: u32 = 0x38;
pub const PROP_STREAM_RAW: u32 = 0x71;
/// MAC_FILTER_MODE_MONITOR: every frame, even with a bad FCS.
pub const FILTER_MODE_MONITOR: u8 = 2;
/// LAST_STATUS values 112..=127 say why the RCP (re)started.
pub const STATUS_RESET: std::ops::RangeInclusive<u32> = 112..=127;
/// OpenThread's "no RSSI" value.
const RSSI_INVALID: i8 = 127;
/// The TID the host's commands use (pyspinel's default).
const TID: u8 = 1;

pub struct Spinel;
pub static SPINEL: Spinel = Spinel;

/// Appends `v` as a Spinel packed unsigned integer.
pub fn put_packed(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// A packed unsigned integer at the start of `b`, and its length.
pub fn get_packed(b: &[u8]) -> Option<(u32, usize)> {
    let mut v: u32 = 0;
    for (i, &x) in b.iter().enumerate().take(4) {
        v |= ((x & 0x7f) as u32) << (7 * i);
        if x & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// A Spinel frame body: header, command, property, value.
pub fn frame(tid: u8, cmd: u32, prop: Option<u32>, value: &[u8]) -> Vec<u8> {
    let mut v = vec![0x80 | (tid & 0x0f)];
    put_packed(&mut v, cmd);
    if let Some(p) = prop {
        put_packed(&mut v, p);
    }
    v.extend_from_slice(value);
    v
}

/// A parsed Spinel frame.
#[derive(Debug, PartialEq)]
pub struct Parsed<'a> {
    pub tid: u8,
    pub cmd: u32,
    pub prop: u32,
    pub value: &'a [u8],
}

pub fn parse(body: &[u8]) -> Option<Parsed<'_>> {
    let header = *body.first()?;
    if header & 0xc0 != 0x80 {
        return None;
    }
    let (cmd, n) = get_packed(&body[1..])?;
    let rest = &body[1 + n..];
    let (prop, value) = match get_packed(rest) {
        Some((p, m)) => (p, &rest[m..]),
        None => (0, rest),
    };
    Some(Parsed {
        tid: header & 0x0f,
        cmd,
        prop,
        value,
    })
}

impl Spinel {
    fn set(&self, link: &mut Link, prop: u32, value: u8, what: &str) -> Result<(), DongleError> {
        link.clear_replies();
        let body = frame(TID, CMD_PROP_SET, Some(prop), &[value]);
        link.send(&hdlc::encode(&body, false))?;
        let got = link.expect(what, REPLY_TIMEOUT, |r| match r {
            Reply::Property {
                tid,
                prop: p,
                value,
            } if *tid == TID && (*p == prop || *p == PROP_LAST_STATUS) => Some((*p, value.clone())),
            _ => None,
        })?;
        match got {
            (p, v) if p == prop && v.first() == Some(&value) => Ok(()),
            (p, v) => Err(DongleError::Refused(format!(
                "{}: the RCP refused {what} = {value} (answered property {p:#x} = {v:02x?})",
                link.name
            ))),
        }
    }

    fn get(&self, link: &mut Link, prop: u32, what: &str) -> Result<Option<u8>, DongleError> {
        link.clear_replies();
        let body = frame(TID, CMD_PROP_GET, Some(prop), &[]);
        link.send(&hdlc::encode(&body, false))?;
        link.expect(what, REPLY_TIMEOUT, |r| match r {
            Reply::Property {
                tid,
                prop: p,
                value,
            } if *tid == TID && *p == prop => Some(value.first().copied()),
            _ => None,
        })
    }
}

impl Firmware for Spinel {
    fn name(&self) -> &'static str {
        "spinel"
    }

    fn bauds(&self) -> &'static [u32] {
        // pyspinel's default; many RCPs run 460800 or 1000000 (give --baud).
        &[115_200]
    }

    fn deframer(&self) -> Box<dyn Deframer> {
        Box::new(SpinelDeframer::default())
    }

    fn start(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        let tunes = "Spinel sniffing tunes channels of page 0";
        super::page0_channel(&link.name, channel, 0..=255, tunes)?;
        link.clear_replies();
        link.send(&hdlc::encode(&frame(TID, CMD_RESET, None, &[]), false))?;
        // The RCP announces its restart; pyspinel just waits a second. Either will do.
        let _ = link.expect("RESET", Duration::from_secs(1), |r| {
            matches!(r, Reply::Reset).then_some(())
        });
        let _ = link.take_reset();
        self.set(link, PROP_PHY_ENABLED, 1, "PHY_ENABLED")?;
        self.set(
            link,
            PROP_MAC_FILTER_MODE,
            FILTER_MODE_MONITOR,
            "MAC_FILTER_MODE",
        )?;
        self.set(link, PROP_PHY_CHAN, channel.number as u8, "PHY_CHAN")?;
        self.set(
            link,
            PROP_MAC_RAW_STREAM_ENABLED,
            1,
            "MAC_RAW_STREAM_ENABLED",
        )
    }

    fn check(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        let ch = self.get(link, PROP_PHY_CHAN, "PHY_CHAN")?;
        let raw = self.get(link, PROP_MAC_RAW_STREAM_ENABLED, "MAC_RAW_STREAM_ENABLED")?;
        if ch == Some(channel.number as u8) && raw == Some(1) {
            Ok(())
        } else {
            Err(DongleError::NoAnswer(format!(
                "{}: the RCP is no longer set up (channel {ch:?}, raw stream {raw:?}; reset?)",
                link.name
            )))
        }
    }

    fn retune(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        self.set(link, PROP_PHY_CHAN, channel.number as u8, "PHY_CHAN")
    }

    fn stop(&self, link: &mut Link) {
        let body = frame(TID, CMD_PROP_SET, Some(PROP_MAC_RAW_STREAM_ENABLED), &[0]);
        let _ = link.send(&hdlc::encode(&body, false));
    }
}

/// HDLC frames → Spinel events.
#[derive(Default)]
pub struct SpinelDeframer {
    hdlc: hdlc::Decoder,
    stats: StreamStats,
}

impl Deframer for SpinelDeframer {
    fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.stats.bytes += bytes.len() as u64;
        for &b in bytes {
            match self.hdlc.push_byte(b) {
                None => {}
                Some(Decoded::Bad) => self.stats.framing_errors += 1,
                Some(Decoded::Frame(body)) => match event(&body) {
                    Some(ev) => {
                        self.stats.valid += 1;
                        out.push(ev);
                    }
                    None => self.stats.framing_errors += 1,
                },
            }
        }
    }

    fn stats(&self) -> StreamStats {
        self.stats
    }
}

fn event(body: &[u8]) -> Option<Event> {
    let p = parse(body)?;
    if p.cmd != CMD_PROP_IS {
        return Some(Event::Reply(Reply::Property {
            tid: p.tid,
            prop: p.prop,
            value: p.value.to_vec(),
        }));
    }
    if p.prop == PROP_STREAM_RAW {
        return raw_frame(p.value).map(Event::Frame);
    }
    if p.prop == PROP_LAST_STATUS && p.tid == 0 {
        if let Some((status, _)) = get_packed(p.value) {
            if STATUS_RESET.contains(&status) {
                return Some(Event::Reply(Reply::Reset));
            }
        }
    }
    Some(Event::Reply(Reply::Property {
        tid: p.tid,
        prop: p.prop,
        value: p.value.to_vec(),
    }))
}

/// A STREAM_RAW value: the PSDU with its metadata.
pub fn raw_frame(v: &[u8]) -> Option<RadioFrame> {
    let len = u16::from_le_bytes([*v.first()?, *v.get(1)?]) as usize;
    let psdu = v.get(2..2 + len)?;
    let mut f = RadioFrame::from_psdu(psdu)?;
    let meta = &v[2 + len..];
    if meta.len() >= 4 {
        let rssi = meta[0] as i8;
        f.rssi_dbm = (rssi != RSSI_INVALID).then_some(rssi as f32);
        let phy = meta.get(4..).and_then(length_prefixed);
        match phy {
            Some(p) if p.len() >= 10 => {
                f.channel = Some(Channel::oqpsk(p[0] as u16));
                f.lqi = Some(p[1]);
                f.device_us = Some(u64::from_le_bytes(p[2..10].try_into().ok()?));
            }
            Some(p) if p.len() >= 8 => {
                f.channel = Some(Channel::oqpsk(p[0] as u16));
                f.lqi = Some(p[1]);
                let ms = u32::from_le_bytes(p[2..6].try_into().ok()?) as u64;
                let us = u16::from_le_bytes([p[6], p[7]]) as u64;
                f.device_us = Some(ms * 1000 + us);
            }
            _ => {}
        }
    }
    Some(f)
}

fn length_prefixed(b: &[u8]) -> Option<&[u8]> {
    let n = u16::from_le_bytes([*b.first()?, *b.get(1)?]) as usize;
    b.get(2..2 + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_uints() {
        let mut v = vec![];
        put_packed(&mut v, 0x71);
        put_packed(&mut v, 1337);
        assert_eq!(v, [0x71, 0xb9, 0x0a]);
        assert_eq!(get_packed(&v[1..]), Some((1337, 2)));
        assert_eq!(get_packed(&[0x80, 0x80]), None);
    }

    #[test]
    fn set_channel_body_as_in_dongles_md() {
        assert_eq!(
            frame(1, CMD_PROP_SET, Some(PROP_PHY_CHAN), &[15]),
            [0x81, 0x03, 0x21, 0x0f]
        );
    }

    fn raw(meta: &[u8]) -> Vec<u8> {
        let psdu = [0x02, 0x00, 0x2a, 0x4a, 0x62];
        let mut v = (psdu.len() as u16).to_le_bytes().to_vec();
        v.extend(psdu);
        v.extend(meta);
        v
    }

    #[test]
    fn every_metadata_length() {
        // 26 bytes: PHY struct with u64 µs, vendor and MAC structs.
        let mut m26 = vec![0xd8, 0x80, 0, 0, 10, 0, 15, 200];
        m26.extend(123_456u64.to_le_bytes());
        m26.extend([1, 0, 0, 5, 0, 0, 0, 0, 0, 0]);
        assert_eq!(m26.len(), 26);
        let f = raw_frame(&raw(&m26)).unwrap();
        assert_eq!(
            (f.rssi_dbm, f.lqi, f.device_us),
            (Some(-40.0), Some(200), Some(123_456))
        );
        assert_eq!(f.channel, Some(Channel::oqpsk(15)));
        // 17 bytes: the deprecated ms + µs PHY struct.
        let mut m17 = vec![0xd8, 0x80, 0, 0, 8, 0, 26, 7];
        m17.extend(5u32.to_le_bytes());
        m17.extend(250u16.to_le_bytes());
        m17.extend([1, 0, 0]);
        assert_eq!(m17.len(), 17);
        let f = raw_frame(&raw(&m17)).unwrap();
        assert_eq!((f.lqi, f.device_us), (Some(7), Some(5_250)));
        // Old NCPs: RSSI, noise floor, flags only.
        let f = raw_frame(&raw(&[0xd8, 0x80, 0, 0])).unwrap();
        assert_eq!(
            (f.rssi_dbm, f.channel, f.device_us),
            (Some(-40.0), None, None)
        );
        // None at all, and a length past the end.
        assert!(raw_frame(&raw(&[])).is_some());
        assert!(raw_frame(&[9, 0, 1]).is_none());
    }

    #[test]
    fn reset_is_announced() {
        let body = frame(0, CMD_PROP_IS, Some(PROP_LAST_STATUS), &[113]);
        let mut d = SpinelDeframer::default();
        let mut out = vec![];
        d.push(&hdlc::encode(&body, true), &mut out);
        assert_eq!(out, [Event::Reply(Reply::Reset)]);
    }
}
