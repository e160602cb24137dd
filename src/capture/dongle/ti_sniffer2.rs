//! TI "SmartRF Packet Sniffer 2" firmware (CC13xx/CC26xx LaunchPads), over the XDS110's UART
//! bridge.
//!
//! ```text
//! | 40 53 | info | length (2, LE) | payload | FCS (1) | 40 45 |
//!   info: 0x40.. command (host → device), 0x80 response, 0xC0 data, 0xC1 error
//!   FCS (commands and responses only) = (info + length bytes + Σ payload) & 0xFF
//! commands: 40 PING, 41 START, 42 STOP, 45 CFG_FREQUENCY (MHz u16, fraction·65536 u16),
//!           47 CFG_PHY (index into the board's PHY table), 50 RESET
//! response payload: status (0 OK), for PING + chip id u16, chip rev, firmware id, fw rev u16
//! data payload: | time µs (6, LE) | PHR | MPDU + FCS | RSSI i8 | status (bit 7 CRC OK) |
//! error payload: one error code
//! ```
//! Read from TI's firmware sources as mirrored in HenryGiraldo/sniffer_fw_cc1352r1 (firmware
//! 1.7.0: `command_packet.h`, `packet_handler.c` rewrites the status byte to "CC1200 format",
//! `phy/devices/cc1352lp/phy_tables.c` puts IEEE 802.15.4 2.4 GHz at index 4 of the CC1352R
//! LaunchPad's table) and tuxniffer's notes on firmware 1.10.0 (3 000 000 baud although TI's
//! page says 921 600; the PHY table of CC1352P boards has O-QPSK at index 20).
//!
//! tuxniffer reports that on its boards the byte before the status is FCS, not RSSI; the
//! deframer takes whichever layout makes the FCS check out (RSSI and status, or status alone).

use super::link::Link;
use super::records::{Parse, RecordStream};
use super::{Deframer, DongleError, Event, Fcs, Firmware, RadioFrame, Reply, REPLY_TIMEOUT};
use crate::capture::source::Channel;
use std::time::Duration;

pub const SOF: [u8; 2] = [0x40, 0x53];
pub const EOF: [u8; 2] = [0x40, 0x45];
pub const PING: u8 = 0x40;
pub const START: u8 = 0x41;
pub const STOP: u8 = 0x42;
pub const CFG_FREQUENCY: u8 = 0x45;
pub const CFG_PHY: u8 = 0x47;
pub const RESPONSE: u8 = 0x80;
pub const DATA: u8 = 0xc0;
pub const ERROR: u8 = 0xc1;
/// The firmware's largest payload.
const MAX_PAYLOAD: usize = 2049;

pub struct TiSniffer2;
pub static TI_SNIFFER2: TiSniffer2 = TiSniffer2;

/// A packet with an FCS byte (commands, responses).
pub fn packet(info: u8, payload: &[u8]) -> Vec<u8> {
    let len = (payload.len() as u16).to_le_bytes();
    let mut v = SOF.to_vec();
    v.extend([info, len[0], len[1]]);
    v.extend(payload);
    v.push(checksum(info, payload));
    v.extend(EOF);
    v
}

pub fn checksum(info: u8, payload: &[u8]) -> u8 {
    let len = (payload.len() as u16).to_le_bytes();
    payload
        .iter()
        .fold(info.wrapping_add(len[0]).wrapping_add(len[1]), |a, b| {
            a.wrapping_add(*b)
        })
}

/// The CFG_PHY index of IEEE 802.15.4 2.4 GHz O-QPSK for a firmware id from PING.
pub fn oqpsk_phy(firmware_id: u8) -> u8 {
    match firmware_id {
        // CC1352P1 / CC1352P7 LaunchPads with sniffer_fw 1.10.0 (tuxniffer's table).
        50 | 51 => 20,
        // The CC1352R LaunchPad table of firmware 1.7.0.
        _ => 4,
    }
}

impl TiSniffer2 {
    fn command(
        &self,
        link: &mut Link,
        info: u8,
        payload: &[u8],
        what: &str,
    ) -> Result<Vec<u8>, DongleError> {
        link.clear_replies();
        link.send(&packet(info, payload))?;
        let (status, payload) = link.expect(what, REPLY_TIMEOUT, |r| match r {
            Reply::Response { status, payload } => Some((*status, payload.clone())),
            _ => None,
        })?;
        if status != 0 {
            return Err(DongleError::Refused(format!(
                "{}: {what} failed with status {status}",
                link.name
            )));
        }
        Ok(payload)
    }
}

impl Firmware for TiSniffer2 {
    fn name(&self) -> &'static str {
        "ti-sniffer2"
    }

    fn bauds(&self) -> &'static [u32] {
        &[3_000_000, 921_600]
    }

    fn deframer(&self) -> Box<dyn Deframer> {
        Box::new(deframer())
    }

    fn start(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        let Some(mhz) = channel.mhz_2450() else {
            return Err(DongleError::Refused(format!(
                "{}: only 2.4 GHz channels 11 to 26 are supported with this firmware so far, not {channel}",
                link.name
            )));
        };
        // STOP may be refused when not started; only its answer matters (the firmware lives).
        link.clear_replies();
        link.send(&packet(STOP, &[]))?;
        let _ = link.expect("STOP", Duration::from_millis(300), |r| {
            matches!(r, Reply::Response { .. }).then_some(())
        });
        let ping = self.command(link, PING, &[], "PING")?;
        let firmware_id = ping.get(3).copied().unwrap_or(0);
        self.command(link, CFG_PHY, &[oqpsk_phy(firmware_id)], "CFG_PHY")?;
        let mut freq = (mhz as u16).to_le_bytes().to_vec();
        freq.extend(0u16.to_le_bytes());
        self.command(link, CFG_FREQUENCY, &freq, "CFG_FREQUENCY")?;
        self.command(link, START, &[], "START").map(|_| ())
    }

    /// PING proves the firmware answers; it reports no state, so a reset of the radio chip
    /// behind a still-present USB bridge is not seen here.
    fn check(&self, link: &mut Link, _channel: Channel) -> Result<(), DongleError> {
        link.clear_replies();
        link.send(&packet(PING, &[]))?;
        link.expect("PING", REPLY_TIMEOUT, |r| {
            matches!(r, Reply::Response { .. }).then_some(())
        })
    }

    fn retune(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        let mhz = channel.mhz_2450().unwrap_or(2405.0) as u16;
        self.command(link, STOP, &[], "STOP")?;
        let mut freq = mhz.to_le_bytes().to_vec();
        freq.extend([0, 0]);
        self.command(link, CFG_FREQUENCY, &freq, "CFG_FREQUENCY")?;
        self.command(link, START, &[], "START").map(|_| ())
    }

    fn stop(&self, link: &mut Link) {
        let _ = link.send(&packet(STOP, &[]));
    }
}

/// Finds Sniffer 2 packets in the stream.
pub fn deframer() -> RecordStream {
    RecordStream::new(parse)
}

fn parse(b: &[u8]) -> Parse {
    if b[0] != SOF[0] || b.get(1).is_some_and(|&x| x != SOF[1]) {
        return Parse::Skip;
    }
    if b.len() < 5 {
        return Parse::Incomplete;
    }
    let info = b[2];
    let len = u16::from_le_bytes([b[3], b[4]]) as usize;
    let has_fcs = info & 0xc0 != 0xc0;
    if len > MAX_PAYLOAD || info < 0x40 {
        return Parse::Bad;
    }
    let total = 5 + len + has_fcs as usize + 2;
    if b.len() < total {
        return Parse::Incomplete;
    }
    let payload = &b[5..5 + len];
    if b[total - 2..total] != EOF || (has_fcs && b[5 + len] != checksum(info, payload)) {
        return Parse::Bad;
    }
    let ev = match info {
        RESPONSE if !payload.is_empty() => Some(Reply::Response {
            status: payload[0],
            payload: payload[1..].to_vec(),
        }),
        DATA => match data(payload) {
            Some(f) => return Parse::Record(total, Some(Event::Frame(f))),
            None => return Parse::Bad,
        },
        ERROR => Some(Reply::Error(payload.first().copied().unwrap_or(0))),
        _ => None,
    };
    Parse::Record(total, ev.map(Event::Reply))
}

/// A data payload: time, PHR, then the frame and its trailer in one of the two layouts.
fn data(p: &[u8]) -> Option<RadioFrame> {
    if p.len() < 7 + 2 + 1 + 1 {
        return None;
    }
    let mut t = [0u8; 8];
    t[..6].copy_from_slice(&p[..6]);
    let time = u64::from_le_bytes(t);
    let rest = &p[7..];
    let status = *rest.last()?;
    let with_rssi = &rest[..rest.len() - 2];
    let without = &rest[..rest.len() - 1];
    let good = |psdu: &[u8]| RadioFrame::from_psdu(psdu).filter(|f| f.fcs_ok());
    let (mut f, rssi) = match (good(with_rssi), good(without)) {
        (Some(f), _) => (f, Some(rest[rest.len() - 2] as i8 as f32)),
        (None, Some(f)) => (f, None),
        (None, None) => (
            RadioFrame::from_psdu(with_rssi)?,
            Some(rest[rest.len() - 2] as i8 as f32),
        ),
    };
    if status & 0x80 == 0 && f.fcs_ok() {
        // The radio says bad although the octets check out: believe the radio.
        f.fcs = Fcs::Checked(false);
    }
    f.rssi_dbm = rssi;
    f.device_us = Some(time);
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_from_dongles_md() {
        assert_eq!(
            packet(PING, &[]),
            [0x40, 0x53, 0x40, 0, 0, 0x40, 0x40, 0x45]
        );
        assert_eq!(
            packet(STOP, &[]),
            [0x40, 0x53, 0x42, 0, 0, 0x42, 0x40, 0x45]
        );
        assert_eq!(
            packet(CFG_PHY, &[9]),
            [0x40, 0x53, 0x47, 1, 0, 9, 0x51, 0x40, 0x45]
        );
        let mut d = deframer();
        let mut out = vec![];
        d.push(&[0x40, 0x53, 0x80, 1, 0, 0, 0x81, 0x40, 0x45], &mut out);
        assert_eq!(
            out,
            [Event::Reply(Reply::Response {
                status: 0,
                payload: vec![]
            })]
        );
    }

    fn data_packet(trailer: &[u8]) -> Vec<u8> {
        let mut p = vec![0x10, 0x27, 0, 0, 0, 0, 5];
        let mpdu = [0x02, 0x00, 0x2a];
        p.extend(mpdu);
        p.extend(crate::capture::dongle::crate_crc16(&mpdu).to_le_bytes());
        p.extend(trailer);
        let len = (p.len() as u16).to_le_bytes();
        let mut v = vec![0x40, 0x53, DATA, len[0], len[1]];
        v.extend(p);
        v.extend(EOF);
        v
    }

    #[test]
    fn data_in_both_layouts() {
        for (trailer, rssi) in [(&[0xd8, 0x80][..], Some(-40.0)), (&[0x80][..], None)] {
            let mut d = deframer();
            let mut out = vec![];
            let mut input = b"junk".to_vec();
            input.extend(data_packet(trailer));
            d.push(&input, &mut out);
            let Event::Frame(f) = &out[0] else {
                panic!("{out:?}")
            };
            assert_eq!(f.mpdu, [0x02, 0x00, 0x2a]);
            assert!(f.fcs_ok());
            assert_eq!(f.rssi_dbm, rssi);
            assert_eq!(f.device_us, Some(10_000));
        }
    }
}
