//! Emulated sniffer dongles, for trying live capture without hardware and for the tests.
//!
//! A serial dongle's emulator is a thread that owns the master side of a pseudo-terminal and
//! plays the firmware ([`Model`]): it answers the host's commands as the real firmware does and,
//! once the host started it, streams the frames of a capture file ("the air", [`Air`]) that are
//! on the channel it was tuned to, with realistic metadata (RSSI, LQI, the device's µs clock),
//! some with a bad FCS, and the quirks of each firmware (shell noise, debug text, escapes).
//!
//! ```text
//!  capture file ─▶ Air ─▶ emulator thread (Model) ─▶ pty master ══ /dev/pts/N ◀── lowshark -i
//!                                   ▲                                 ▲
//!                handle: unplug / replug / reset / stop        symlink (stable path across replugs)
//! ```
//!
//! The baud rate is modelled: the emulator reads the rate the host set on the terminal and,
//! when it differs from the device's, turns what it sends into noise and ignores what it gets,
//! as a UART at the wrong rate would. The CC2531 (USB) has a fake device behind the USB trait
//! instead ([`cc2531::FakeBus`]).

pub mod cc2531;
mod nrf802154;
mod sensniff;
mod spinel;
mod ti_sniffer2;

use crate::capture::dongle::SerialFirmware;
use crate::capture::{CaptureReader, CapturedFrame};
use serialport::SerialPort as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One frame on the air.
#[derive(Clone, Debug, PartialEq)]
pub struct AirFrame {
    /// MAC frame without FCS.
    pub mpdu: Vec<u8>,
    /// The channel it is sent on; None: heard on whatever channel the dongle is tuned to.
    pub channel: Option<u16>,
    pub rssi: i8,
    pub lqi: u8,
    /// Sent with a damaged FCS.
    pub bad_fcs: bool,
}

impl AirFrame {
    /// The PSDU as on the air: MPDU and FCS (damaged when `bad_fcs`).
    pub fn psdu(&self) -> Vec<u8> {
        let mut crc = dissectors::proto::ieee802154::crc16(&self.mpdu);
        if self.bad_fcs {
            crc ^= 0x5a5a;
        }
        let mut v = self.mpdu.clone();
        v.extend(crc.to_le_bytes());
        v
    }
}

/// The frames an emulator replays.
#[derive(Clone, Debug, Default)]
pub struct Air {
    pub frames: Vec<AirFrame>,
}

impl Air {
    /// The 802.15.4 frames of a capture (link types 195, 230, 283), with the metadata a TAP
    /// header gives or made-up values; every `bad_fcs_every`-th frame gets a damaged FCS.
    pub fn from_capture(path: &Path, bad_fcs_every: usize) -> Result<Air, String> {
        let reader = CaptureReader::open(path).map_err(|e| e.to_string())?;
        let mut frames = vec![];
        for f in reader {
            let f = f.map_err(|e| e.to_string())?;
            if let Some(a) = air_frame(&f, frames.len()) {
                frames.push(a);
            }
        }
        if frames.is_empty() {
            return Err(format!(
                "{}: no IEEE 802.15.4 frames (link types 195, 230, 283)",
                path.display()
            ));
        }
        let mut air = Air { frames };
        air.damage_every(bad_fcs_every);
        Ok(air)
    }

    /// Damages the FCS of every `n`-th frame (0: none).
    pub fn damage_every(&mut self, n: usize) {
        if n > 0 {
            for (i, f) in self.frames.iter_mut().enumerate() {
                f.bad_fcs |= (i + 1) % n == 0;
            }
        }
    }
}

/// Made-up but plausible radio values for frame `i`.
fn made_up(i: usize) -> (i8, u8) {
    (-35 - (i * 7 % 50) as i8, 255 - (i * 13 % 120) as u8)
}

fn air_frame(f: &CapturedFrame, i: usize) -> Option<AirFrame> {
    let (rssi, lqi) = made_up(i);
    let mut a = AirFrame {
        mpdu: vec![],
        channel: None,
        rssi,
        lqi,
        bad_fcs: false,
    };
    let d = &f.data;
    match f.meta.link_type {
        195 if d.len() >= 2 => a.mpdu = d[..d.len() - 2].to_vec(),
        230 => a.mpdu = d.to_vec(),
        283 if d.len() >= 4 => {
            let hdr = u16::from_le_bytes([d[2], d[3]]) as usize;
            let mut fcs_len = 2;
            let mut o = 4;
            while o + 4 <= hdr.min(d.len()) {
                let ty = u16::from_le_bytes([d[o], d[o + 1]]);
                let len = u16::from_le_bytes([d[o + 2], d[o + 3]]) as usize;
                let v = d.get(o + 4..o + 4 + len)?;
                match (ty, len) {
                    (0, 1) => fcs_len = [0, 2, 4].get(v[0] as usize).copied().unwrap_or(2),
                    (1, 4) => {
                        a.rssi = f32::from_le_bytes(v.try_into().ok()?).clamp(-128.0, 127.0) as i8
                    }
                    (3, 3) => a.channel = Some(u16::from_le_bytes([v[0], v[1]])),
                    (10, 1) => a.lqi = v[0],
                    _ => {}
                }
                o += 4 + len.div_ceil(4) * 4;
            }
            let frame = d.get(hdr..)?;
            a.mpdu = frame.get(..frame.len().checked_sub(fcs_len)?)?.to_vec();
        }
        _ => return None,
    }
    (a.mpdu.len() <= 125 && !a.mpdu.is_empty()).then_some(a)
}

/// How an emulator behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// Time between two frames on the air.
    pub pace: Duration,
    /// Replay the air again when it ends (false: once, then stay quiet).
    pub repeat: bool,
    /// Firmware quirks on: shell noise and debug text between frames, escape variants,
    /// metadata variants.
    pub quirks: bool,
    /// The device's baud rate (None: the firmware's default). The host must match it.
    pub baud: Option<u32>,
    /// Send only noise and answer nothing (a wrong device).
    pub garbage: bool,
    /// Where to put a symlink to the pseudo-terminal, kept across replugs.
    pub link: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            pace: Duration::from_millis(100),
            repeat: true,
            quirks: true,
            baud: None,
            garbage: false,
            link: None,
        }
    }
}

/// A firmware as the emulator plays it.
pub(crate) trait Model: Send {
    /// Bytes from the host; what the firmware answers goes to `out`.
    fn input(&mut self, bytes: &[u8], out: &mut Vec<u8>);
    /// The channel it is capturing on, when capturing.
    fn capturing(&self) -> Option<u16>;
    /// A frame heard; `time_us` is the device clock. `n` counts frames sent (for quirks).
    fn frame(&mut self, f: &AirFrame, time_us: u64, n: u64, out: &mut Vec<u8>);
    /// The firmware restarted without a replug: its setup is lost (it may say so).
    fn reset(&mut self, out: &mut Vec<u8>);
    /// Whether a frame with a bad FCS reaches the host (sensniff's radio drops them).
    fn passes_bad_fcs(&self) -> bool {
        true
    }
}

fn model(fw: SerialFirmware, quirks: bool) -> Box<dyn Model> {
    match fw {
        SerialFirmware::Nrf802154 => Box::new(nrf802154::Nrf::new(quirks)),
        SerialFirmware::Spinel => Box::new(spinel::Rcp::new(quirks)),
        SerialFirmware::Sensniff => Box::new(sensniff::Peripheral::new(quirks)),
        SerialFirmware::TiSniffer2 => Box::new(ti_sniffer2::Sniffer::new()),
    }
}

/// The baud rate a device runs at unless told otherwise.
pub fn device_baud(fw: SerialFirmware) -> Option<u32> {
    match fw {
        // USB CDC-ACM: no rate.
        SerialFirmware::Nrf802154 => None,
        // The documented rate, so the host's probe (3 000 000 first) is exercised.
        SerialFirmware::TiSniffer2 => Some(921_600),
        f => f.driver().bauds().first().copied(),
    }
}

enum Command {
    Unplug(Sender<()>),
    Replug(Sender<PathBuf>),
    Reset,
    Stop,
}

/// A frame the emulator wrote to the host: its MPDU and the channel it was tuned to.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivered {
    pub mpdu: Vec<u8>,
    pub channel: u16,
    pub bad_fcs: bool,
}

/// A running serial emulator.
pub struct Emulator {
    commands: Sender<Command>,
    path: PathBuf,
    delivered: Arc<Mutex<Vec<Delivered>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Starts an emulator of `fw` replaying `air`.
    pub fn start(fw: SerialFirmware, air: Air, opts: Options) -> std::io::Result<Emulator> {
        let pty = Pty::open(opts.link.as_deref())?;
        let path = pty.path.clone();
        let (tx, rx) = channel();
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let mut run = Runner {
            fw,
            model: model(fw, opts.quirks),
            air,
            baud: opts.baud.or(device_baud(fw)),
            opts,
            pty: Some(pty),
            cursor: 0,
            sent: 0,
            boot: Instant::now(),
            next_frame: Instant::now(),
            delivered: delivered.clone(),
            noise: 0x1234_5678,
            host_spoke: false,
        };
        let thread = std::thread::Builder::new()
            .name(format!("emulate-{}", fw.name()))
            .spawn(move || run.run(rx))?;
        Ok(Emulator {
            commands: tx,
            path,
            delivered,
            thread: Some(thread),
        })
    }

    /// The path to give `-i` (the symlink when one was asked for).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Frames written to the host so far.
    pub fn delivered(&self) -> Vec<Delivered> {
        self.delivered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Pulls the plug: waits (up to 10 s) until the host has read what was sent, then closes
    /// the terminal and removes the symlink.
    pub fn unplug(&self) {
        let (tx, rx) = channel();
        if self.commands.send(Command::Unplug(tx)).is_ok() {
            let _ = rx.recv_timeout(Duration::from_secs(15));
        }
    }

    /// Plugs it back in: a new terminal (the symlink points at it) and a freshly booted firmware.
    pub fn replug(&self) -> Option<PathBuf> {
        let (tx, rx) = channel();
        self.commands.send(Command::Replug(tx)).ok()?;
        rx.recv_timeout(Duration::from_secs(15)).ok()
    }

    /// Restarts the firmware without unplugging (it forgets its channel).
    pub fn reset(&self) {
        let _ = self.commands.send(Command::Reset);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A pseudo-terminal pair, and the symlink to its slave side.
struct Pty {
    master: serialport::TTYPort,
    /// Kept open so the terminal lives while the host is away, and to read the rate the host
    /// set and what it has not read yet. Never read from.
    slave: serialport::TTYPort,
    path: PathBuf,
    link: Option<PathBuf>,
}

impl Pty {
    fn open(link: Option<&Path>) -> std::io::Result<Pty> {
        let (mut master, slave) = serialport::TTYPort::pair().map_err(std::io::Error::from)?;
        // Programs started after this one (a test's lowshark) must not inherit the master:
        // an inherited copy keeps the terminal alive after an unplug.
        close_on_exec(&master)?;
        close_on_exec(&slave)?;
        master
            .set_timeout(Duration::from_millis(10))
            .map_err(std::io::Error::from)?;
        let name = slave
            .name()
            .ok_or_else(|| std::io::Error::other("the pseudo-terminal has no name"))?;
        let mut path = PathBuf::from(name);
        if let Some(l) = link {
            let _ = std::fs::remove_file(l);
            std::os::unix::fs::symlink(&path, l)?;
            path = l.to_path_buf();
        }
        Ok(Pty {
            master,
            slave,
            path,
            link: link.map(Path::to_path_buf),
        })
    }

    /// Bytes written but not yet read by the host.
    fn unread(&self) -> u32 {
        self.slave.bytes_to_read().unwrap_or(0)
    }
}

fn close_on_exec(port: &serialport::TTYPort) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: fcntl on a file descriptor the port owns and keeps open; no memory is passed.
    let r = unsafe { libc::fcntl(port.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Some(l) = &self.link {
            let _ = std::fs::remove_file(l);
        }
    }
}

struct Runner {
    fw: SerialFirmware,
    model: Box<dyn Model>,
    air: Air,
    opts: Options,
    baud: Option<u32>,
    pty: Option<Pty>,
    cursor: usize,
    sent: u64,
    boot: Instant,
    next_frame: Instant,
    delivered: Arc<Mutex<Vec<Delivered>>>,
    noise: u32,
    /// The host has sent its first bytes. The air starts playing only then: sensniff listens
    /// from boot, and frames played before the host could tune it would be lost at random
    /// (how many depends on how fast the host starts), which no test could count on.
    host_spoke: bool,
}

impl Runner {
    fn run(&mut self, rx: Receiver<Command>) {
        loop {
            match rx.try_recv() {
                Ok(Command::Stop) | Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
                Ok(Command::Unplug(ack)) => {
                    self.unplug();
                    let _ = ack.send(());
                }
                Ok(Command::Replug(ack)) => {
                    if let Ok(pty) = Pty::open(self.opts.link.as_deref()) {
                        let _ = ack.send(pty.path.clone());
                        self.pty = Some(pty);
                        self.model = model(self.fw, self.opts.quirks);
                        self.boot = Instant::now();
                    }
                }
                Ok(Command::Reset) => {
                    let mut out = vec![];
                    self.model.reset(&mut out);
                    self.boot = Instant::now();
                    self.write(&out);
                }
                Err(_) => {}
            }
            if self.pty.is_some() {
                self.step();
            } else {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    /// Waits until the host has read everything, then closes the terminal.
    fn unplug(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.pty.as_ref().is_some_and(|p| p.unread() > 0) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.pty = None;
    }

    /// The host set the device's rate (or the device has none).
    fn rate_matches(&self) -> bool {
        match (self.baud, &self.pty) {
            (Some(b), Some(p)) => p.slave.baud_rate().map_or(true, |r| r == b),
            _ => true,
        }
    }

    fn step(&mut self) {
        let mut buf = [0u8; 512];
        let n = match self.pty.as_mut().map(|p| p.master.read(&mut buf)) {
            Some(Ok(n)) => n,
            _ => 0,
        };
        let mut out = vec![];
        self.host_spoke |= n > 0;
        if n > 0 && !self.opts.garbage && self.rate_matches() {
            self.model.input(&buf[..n], &mut out);
        }
        if self.opts.garbage {
            if Instant::now() >= self.next_frame {
                self.next_frame = Instant::now() + self.opts.pace;
                out.extend(self.noise(40));
            }
        } else if let Some(ch) = self.model.capturing().filter(|_| self.host_spoke) {
            self.air_step(ch, &mut out);
        }
        self.write(&out);
    }

    /// Sends the next frame on the air when its time has come, if it is on `ch`.
    fn air_step(&mut self, ch: u16, out: &mut Vec<u8>) {
        if Instant::now() < self.next_frame || self.air.frames.is_empty() {
            return;
        }
        if self.cursor >= self.air.frames.len() {
            if !self.opts.repeat {
                return;
            }
            self.cursor = 0;
        }
        self.next_frame = Instant::now() + self.opts.pace;
        let f = self.air.frames[self.cursor].clone();
        self.cursor += 1;
        if f.channel.is_some_and(|c| c != ch) || (f.bad_fcs && !self.model.passes_bad_fcs()) {
            return;
        }
        let t = self.boot.elapsed().as_micros() as u64;
        self.model.frame(&f, t, self.sent, out);
        self.sent += 1;
        self.delivered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Delivered {
                mpdu: f.mpdu.clone(),
                channel: ch,
                bad_fcs: f.bad_fcs,
            });
    }

    fn write(&mut self, out: &[u8]) {
        if out.is_empty() {
            return;
        }
        let data = if self.rate_matches() {
            out.to_vec()
        } else {
            self.noise(out.len())
        };
        if let Some(p) = self.pty.as_mut() {
            let _ = p.master.write_all(&data);
        }
    }

    /// Deterministic noise (xorshift), what a UART at the wrong rate makes of the bytes.
    fn noise(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.noise ^= self.noise << 13;
                self.noise ^= self.noise >> 17;
                self.noise ^= self.noise << 5;
                self.noise as u8
            })
            .collect()
    }
}
