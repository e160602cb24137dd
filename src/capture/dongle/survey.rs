//! Channel survey: hop one dongle over channels 11–26, dwell on each, and tabulate what was
//! heard: frames, PAN ids, coordinators (beacon senders, and short address 0x0000 as a
//! destination), RSSI. [`SurveyTable`] is the model a printer or a TUI view draws; [`run`]
//! fills it, calling back after every frame and channel change.

use super::supervisor::Device;
use super::tap::{self, HostClock};
use super::DongleError;
use crate::capture::source::Channel;
use dissectors::engine::{Engine, FrameMeta, Packet};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What one channel showed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurveyRow {
    pub channel: u16,
    pub frames: u64,
    pub bad_fcs: u64,
    /// PAN ids seen (`0x1234`).
    pub pans: BTreeSet<String>,
    /// Coordinators seen (short or extended addresses, as shown).
    pub coordinators: BTreeSet<String>,
    rssi_sum: f64,
    rssi_count: u64,
    pub rssi_max: Option<f32>,
}

impl SurveyRow {
    pub fn rssi_mean(&self) -> Option<f64> {
        (self.rssi_count > 0).then(|| self.rssi_sum / self.rssi_count as f64)
    }
}

/// The survey so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurveyTable {
    pub rows: Vec<SurveyRow>,
    /// Index of the row being listened to.
    pub current: Option<usize>,
    /// Full sweeps done.
    pub sweeps: u32,
}

impl SurveyTable {
    pub fn new(channels: impl IntoIterator<Item = u16>) -> SurveyTable {
        SurveyTable {
            rows: channels
                .into_iter()
                .map(|channel| SurveyRow {
                    channel,
                    ..Default::default()
                })
                .collect(),
            current: None,
            sweeps: 0,
        }
    }

    /// Files a dissected frame heard on row `i`'s channel.
    pub fn add(&mut self, i: usize, p: &Packet, rssi: Option<f32>) {
        let Some(row) = self.rows.get_mut(i) else {
            return;
        };
        row.frames += 1;
        if first(p, "wpan.fcs_ok").as_deref() == Some("0") {
            row.bad_fcs += 1;
            return;
        }
        if let Some(r) = rssi {
            row.rssi_sum += r as f64;
            row.rssi_count += 1;
            row.rssi_max = Some(row.rssi_max.map_or(r, |m| m.max(r)));
        }
        for f in ["wpan.dst_pan", "wpan.src_pan"] {
            if let Some(pan) = first(p, f).filter(|v| v != "0xffff") {
                row.pans.insert(pan);
            }
        }
        let beacon = first(p, "wpan.frame_type").as_deref() == Some("0x0000");
        if beacon {
            if let Some(src) = first(p, "wpan.src16").or_else(|| first(p, "wpan.src64")) {
                row.coordinators.insert(src);
            }
        } else if first(p, "wpan.dst16").as_deref() == Some("0x0000") {
            row.coordinators.insert("0x0000".into());
        }
    }

    /// The table as text, one line per channel.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:>7}  {:>6}  {:>7}  {:>9}  {:>8}  {:<20}  {}\n",
            "Channel", "Frames", "Bad FCS", "Mean RSSI", "Max RSSI", "PAN IDs", "Coordinators"
        );
        for r in &self.rows {
            let dbm = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
            out += &format!(
                "{:>7}  {:>6}  {:>7}  {:>9}  {:>8}  {:<20}  {}\n",
                r.channel,
                r.frames,
                r.bad_fcs,
                dbm(r.rssi_mean()),
                dbm(r.rssi_max.map(f64::from)),
                join(&r.pans),
                join(&r.coordinators),
            );
        }
        out
    }
}

fn join(s: &BTreeSet<String>) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        s.iter().cloned().collect::<Vec<_>>().join(",")
    }
}

fn first(p: &Packet, abbrev: &str) -> Option<String> {
    let n = p.tree.by_abbrev(abbrev).next()?;
    Some(dissectors::engine::value::show(n.field?, &n.value))
}

/// Sweeps `channels` once, `dwell` on each; `each` sees the table after every change.
pub fn run(
    device: &mut dyn Device,
    channels: &[u16],
    dwell: Duration,
    engine: &mut Engine,
    mut each: impl FnMut(&SurveyTable),
) -> Result<SurveyTable, DongleError> {
    let mut table = SurveyTable::new(channels.iter().copied());
    let mut clock = HostClock::default();
    for (i, &ch) in channels.iter().enumerate() {
        let channel = Channel::oqpsk(ch);
        device.retune(channel)?;
        table.current = Some(i);
        each(&table);
        let end = Instant::now() + dwell;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            let Some(f) = device.next_frame(left.min(Duration::from_millis(200)))? else {
                continue;
            };
            let host = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as i64);
            let data = tap::encode(&f, Some(channel), None);
            let meta = FrameMeta {
                number: table.rows.iter().map(|r| r.frames).sum::<u64>() + 1,
                ts_ns: clock.map(f.device_us, host),
                orig_len: data.len() as u32,
                link_type: tap::LINKTYPE_IEEE802_15_4_TAP,
                ..Default::default()
            };
            let p = engine.dissect(meta, &data);
            table.add(i, &p, f.rssi_dbm);
            each(&table);
        }
    }
    table.current = None;
    table.sweeps = 1;
    each(&table);
    Ok(table)
}
