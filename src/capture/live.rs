//! Live capture from a network interface through libpcap (cargo feature `live`).
//!
//! Frames come out as [`CapturedFrame`]s, like those read from a file, so everything
//! downstream is the same for files and interfaces.

use super::source::LiveOptions;
use super::status::LiveStatus;
use super::{CaptureError, CapturedFrame};
use dissectors::engine::FrameMeta;
use std::sync::Arc;

/// Snap length when `-s` is not given (tshark's default).
pub const DEFAULT_SNAPLEN: u32 = 262_144;
/// Packets between two reads of libpcap's drop counters (also read when traffic pauses).
const STATS_EVERY: u64 = 256;

/// An open interface.
pub struct LiveCapture {
    cap: ::pcap::Capture<::pcap::Active>,
    name: std::sync::Arc<str>,
    link_type: u32,
    number: u64,
    /// Where packet and drop counts go (the end-of-capture report), and this source's slot.
    status: Option<(LiveStatus, usize)>,
}

impl LiveCapture {
    /// Opens `iface` (promiscuous unless `-p`, snap length `-s` or 262144) with an optional
    /// BPF capture filter.
    pub fn open(
        iface: &str,
        filter: Option<&str>,
        opts: &LiveOptions,
    ) -> Result<LiveCapture, CaptureError> {
        let io = |e: ::pcap::Error| CaptureError::Io {
            path: iface.to_string(),
            err: std::io::Error::other(e.to_string()),
        };
        let mut cap = ::pcap::Capture::from_device(iface)
            .map_err(io)?
            .promisc(!opts.no_promisc)
            .snaplen(opts.snaplen.unwrap_or(DEFAULT_SNAPLEN) as i32)
            .timeout(250)
            .immediate_mode(true)
            .open()
            .map_err(io)?;
        if let Some(f) = filter {
            cap.filter(f, true).map_err(io)?;
        }
        let link_type = cap.get_datalink().0 as u32;
        Ok(LiveCapture {
            cap,
            name: iface.into(),
            link_type,
            number: 0,
            status: None,
        })
    }

    /// Counts packets and libpcap's drops into `status` (a new source there).
    pub fn report_to(&mut self, status: LiveStatus) {
        let slot = status.add(&self.name, None);
        status.set_state(slot, super::status::DeviceState::Capturing);
        self.status = Some((status, slot));
    }

    /// Copies libpcap's counters into the status: drops by the kernel buffer and the interface.
    fn publish(&mut self) {
        let Some((status, slot)) = &self.status else {
            return;
        };
        let (packets, drops) = match self.cap.stats() {
            Ok(s) => (self.number, s.dropped as u64 + s.if_dropped as u64),
            Err(_) => (self.number, 0),
        };
        status.update(*slot, |s| {
            s.packets = packets;
            s.drops = s.drops.max(drops);
        });
    }

    pub fn link_type(&self) -> u32 {
        self.link_type
    }

    /// The interfaces libpcap can open, with their descriptions.
    pub fn list() -> Result<Vec<(String, Option<String>)>, String> {
        ::pcap::Device::list()
            .map(|v| v.into_iter().map(|d| (d.name, d.desc)).collect())
            .map_err(|e| e.to_string())
    }
}

impl Iterator for LiveCapture {
    type Item = Result<CapturedFrame, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.cap.next_packet() {
                Ok(p) => {
                    self.number += 1;
                    let ts = p.header.ts;
                    // time_t and suseconds_t are i64 here but narrower on other platforms.
                    #[allow(clippy::useless_conversion)]
                    let ts_ns = i64::from(ts.tv_sec) * 1_000_000_000 + i64::from(ts.tv_usec) * 1000;
                    let meta = FrameMeta {
                        number: self.number,
                        ts_ns,
                        orig_len: p.header.len,
                        link_type: self.link_type,
                        interface_id: Some(0),
                        interface_name: Some(self.name.clone()),
                        ..FrameMeta::default()
                    };
                    let frame = CapturedFrame {
                        meta,
                        data: Arc::from(p.data),
                    };
                    if self.number % STATS_EVERY == 1 {
                        self.publish();
                    }
                    return Some(Ok(frame));
                }
                // Timeouts just mean no traffic yet: a moment to bring the counters up to date.
                Err(::pcap::Error::TimeoutExpired) => self.publish(),
                Err(::pcap::Error::NoMorePackets) => return None,
                Err(e) => {
                    return Some(Err(CaptureError::Io {
                        path: self.name.to_string(),
                        err: std::io::Error::other(e.to_string()),
                    }))
                }
            }
        }
    }
}
