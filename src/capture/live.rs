//! Live capture from a network interface through libpcap (cargo feature `live`).
//!
//! Frames come out as [`CapturedFrame`]s, like those read from a file, so everything
//! downstream is the same for files and interfaces.

use super::{CaptureError, CapturedFrame};

/// An open interface.
pub struct LiveCapture {
    cap: ::pcap::Capture<::pcap::Active>,
    name: std::sync::Arc<str>,
    link_type: u32,
    number: u64,
}

impl LiveCapture {
    /// Opens `iface` (promiscuous, full snap length) with an optional BPF capture filter.
    pub fn open(iface: &str, filter: Option<&str>) -> Result<LiveCapture, CaptureError> {
        let io = |e: ::pcap::Error| CaptureError::Io {
            path: iface.to_string(),
            err: std::io::Error::other(e.to_string()),
        };
        let mut cap = ::pcap::Capture::from_device(iface)
            .map_err(io)?
            .promisc(true)
            .snaplen(262_144)
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
        })
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
                    return Some(Ok(CapturedFrame {
                        number: self.number,
                        ts_ns,
                        orig_len: p.header.len,
                        link_type: self.link_type,
                        interface_id: Some(0),
                        interface_name: Some(self.name.clone()),
                        interface_description: None,
                        comments: vec![],
                        data: p.data.to_vec(),
                    }));
                }
                // Timeouts just mean no traffic yet.
                Err(::pcap::Error::TimeoutExpired) => continue,
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
