//! A [`RadioFrame`] as a LINKTYPE_IEEE802_15_4_TAP (283) record, and the dongle's clock mapped
//! onto the host's.
//!
//! ```text
//! | 00 | 00 | header length (LE) |
//! | 0000 0100 | fcs type = 1 | pad×3 |            always: the frame carries a 16-bit FCS
//! | 0100 0400 | RSS, f32 LE dBm |                  when the dongle gave it
//! | 0300 0300 | channel u16 | page u8 | pad |      tuned channel (or the frame's own)
//! | 0a00 0100 | LQI | pad×3 |                      when the dongle gave it
//! | 0500 0800 | start of frame, u64 ns |           the dongle's time stamp on the host clock
//! | MPDU | FCS (2, LE) |
//! ```
//!
//! Wireshark takes a missing FCS-type TLV as "no FCS", so it is always written. Dongles that
//! deliver the radio's CRC verdict instead of the FCS octets (TI CC24xx format) get the FCS
//! recomputed when the radio said it was good; when it said bad, the true octets are unknown
//! and the complement of the right CRC is written, so every reader shows "bad FCS" as the radio
//! did (the frame's comment says so).

use super::{Fcs, RadioFrame};
use crate::capture::source::Channel;

pub const LINKTYPE_IEEE802_15_4_TAP: u32 = 283;

/// The comment on frames whose bad FCS was written by us (see the module doc).
pub const RECONSTRUCTED_BAD_FCS: &str =
    "lowshark: the radio reported a CRC error; the FCS shown is not the one received";

/// The TAP record for `f` received on `tuned`; `ts_ns` is its host time (SOF TLV) when the
/// dongle time-stamped it.
pub fn encode(f: &RadioFrame, tuned: Option<Channel>, sof_ns: Option<u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(48 + f.mpdu.len());
    out.extend([0, 0, 0, 0]);
    tlv(&mut out, 0, &[1]);
    if let Some(rss) = f.rssi_dbm {
        tlv(&mut out, 1, &rss.to_le_bytes());
    }
    if let Some(ch) = f.channel.or(tuned) {
        let mut v = ch.number.to_le_bytes().to_vec();
        v.push(ch.page);
        tlv(&mut out, 3, &v);
    }
    if let Some(lqi) = f.lqi {
        tlv(&mut out, 10, &[lqi]);
    }
    if let Some(ns) = sof_ns {
        tlv(&mut out, 5, &ns.to_le_bytes());
    }
    let hdr = out.len() as u16;
    out[2..4].copy_from_slice(&hdr.to_le_bytes());
    out.extend(&f.mpdu);
    out.extend(fcs_octets(f));
    out
}

fn tlv(out: &mut Vec<u8>, ty: u16, value: &[u8]) {
    out.extend(ty.to_le_bytes());
    out.extend((value.len() as u16).to_le_bytes());
    out.extend(value);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn fcs_octets(f: &RadioFrame) -> [u8; 2] {
    match f.fcs {
        Fcs::Received(b) => b,
        Fcs::Checked(true) => super::crate_crc16(&f.mpdu).to_le_bytes(),
        Fcs::Checked(false) => (!super::crate_crc16(&f.mpdu)).to_le_bytes(),
    }
}

/// Maps a dongle's µs clock onto the host's wall clock.
///
/// The first frame anchors the dongle time to the host time it arrived at; later frames keep
/// the dongle's exact spacing (anchor + dongle elapsed). When the mapping strays from the host
/// clock by more than [`HostClock::MAX_SKEW_NS`] (the dongle rebooted, its clock drifted over
/// hours, a 32-bit counter wrapped unseen), it re-anchors. Times never go backwards.
#[derive(Debug, Default)]
pub struct HostClock {
    anchor: Option<(u64, i64)>,
    last: i64,
}

impl HostClock {
    pub const MAX_SKEW_NS: i64 = 500_000_000;

    /// The host time (ns since the epoch) of a frame the dongle stamped `device_us` and the host
    /// received at `host_ns`; `None` when the dongle gave no stamp (the arrival time is used).
    pub fn map(&mut self, device_us: Option<u64>, host_ns: i64) -> i64 {
        let t = match device_us {
            None => host_ns,
            Some(dev) => {
                let mapped = self.anchor.and_then(|(d0, h0)| {
                    let elapsed = i64::try_from(dev.checked_sub(d0)?.checked_mul(1000)?).ok()?;
                    h0.checked_add(elapsed)
                });
                match mapped {
                    Some(t) if (t - host_ns).abs() <= Self::MAX_SKEW_NS => t,
                    _ => {
                        self.anchor = Some((dev, host_ns));
                        host_ns
                    }
                }
            }
        };
        self.last = t.max(self.last);
        self.last
    }

    /// Forgets the anchor (the device was reconnected: its clock restarted).
    pub fn reset(&mut self) {
        self.anchor = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dissectors::testutil::dissect_one;

    fn frame(fcs: Fcs) -> RadioFrame {
        RadioFrame {
            mpdu: vec![0x02, 0x00, 0x2a],
            fcs,
            rssi_dbm: Some(-40.0),
            lqi: Some(255),
            channel: None,
            device_us: None,
        }
    }

    #[test]
    fn record_decodes_with_its_metadata() {
        let crc = crate::capture::dongle::crate_crc16(&[0x02, 0x00, 0x2a]).to_le_bytes();
        let rec = encode(
            &frame(Fcs::Received(crc)),
            Some(Channel::oqpsk(11)),
            Some(7),
        );
        let p = dissect_one(283, &rec);
        assert_eq!(p.show("wpan-tap.rss"), ["-40"]);
        assert_eq!(p.show("wpan-tap.ch_num"), ["11"]);
        assert_eq!(p.show("wpan-tap.lqi"), ["255"]);
        assert_eq!(p.show("wpan-tap.sof_ts"), ["7"]);
        assert_eq!(p.show("wpan-tap.fcs_type"), ["1"]);
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
        assert_eq!(p.show("wpan.seq_no"), ["42"]);
    }

    #[test]
    fn radio_verdicts_become_good_and_bad_fcs() {
        let p = dissect_one(283, &encode(&frame(Fcs::Checked(true)), None, None));
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
        let p = dissect_one(283, &encode(&frame(Fcs::Checked(false)), None, None));
        assert_eq!(p.show("wpan.fcs_ok"), ["0"]);
    }

    #[test]
    fn clock_keeps_device_spacing_and_never_goes_back() {
        let mut c = HostClock::default();
        assert_eq!(c.map(Some(1_000), 5_000_000_000), 5_000_000_000);
        // 10 ms later on the dongle, received 30 ms later (USB latency): dongle spacing wins.
        assert_eq!(c.map(Some(11_000), 5_030_000_000), 5_010_000_000);
        // The dongle rebooted (its clock went back): re-anchored, and not before the last.
        assert_eq!(c.map(Some(5), 6_000_000_000), 6_000_000_000);
        assert_eq!(c.map(None, 5_500_000_000), 6_000_000_000);
    }
}
