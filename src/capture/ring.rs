//! `-w FILE -b …`: a ring buffer of capture files, named and rotated as tshark (dumpcap) does.
//!
//! ```text
//!  -w cap.pcapng -b filesize:100 -b files:3
//!    cap_00001_20261207201500.pcapng   (deleted when the 4th is opened)
//!    cap_00002_20261207201507.pcapng
//!    cap_00003_20261207201519.pcapng
//!    cap_00004_20261207201530.pcapng   (being written)
//! ```
//!
//! A file is switched after the frame that brings it to `filesize` kB (1 kB = 1000 bytes, as
//! dumpcap counts), or once it is `duration` seconds old; the time in the name is local time
//! when the file was opened.

use super::{CapturedFrame, SaveFile, SaveFormat};
use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// When to switch files and how many to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RingOptions {
    pub filesize_kb: Option<u64>,
    pub duration: Option<Duration>,
    /// Files kept (older ones are deleted); all when None.
    pub files: Option<usize>,
}

impl RingOptions {
    /// Adds one `-b NAME:VALUE`.
    pub fn add(&mut self, s: &str) -> Result<(), String> {
        let bad = || format!("-b {s}: expected filesize:KB, files:N or duration:SECONDS");
        let (name, value) = s.split_once(':').ok_or_else(bad)?;
        let n: u64 = value.parse().ok().filter(|&n| n > 0).ok_or_else(bad)?;
        match name {
            "filesize" => self.filesize_kb = Some(n),
            "files" => self.files = Some(n as usize),
            "duration" => self.duration = Some(Duration::from_secs(n)),
            _ => return Err(bad()),
        }
        Ok(())
    }

    /// Whether anything makes files switch (`files:N` alone does not).
    pub fn switches(&self) -> bool {
        self.filesize_kb.is_some() || self.duration.is_some()
    }
}

/// The files being written.
pub struct Ring {
    opts: RingOptions,
    /// The `-w` name split around its extension: `cap` and `.pcapng`.
    stem: PathBuf,
    ext: String,
    format: SaveFormat,
    link_type: u32,
    snaplen: u32,
    current: SaveFile,
    opened: Instant,
    number: u32,
    /// Files written, oldest first (the current one last).
    names: VecDeque<PathBuf>,
}

impl Ring {
    pub fn create(
        path: &Path,
        opts: RingOptions,
        format: SaveFormat,
        link_type: u32,
        snaplen: u32,
    ) -> io::Result<Ring> {
        let ext = path
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let stem = path.with_extension("");
        let name = file_name(&stem, &ext, 1);
        let current = SaveFile::create(&name, format, link_type, snaplen)?;
        Ok(Ring {
            opts,
            stem,
            ext,
            format,
            link_type,
            snaplen,
            current,
            opened: Instant::now(),
            number: 1,
            names: VecDeque::from([name]),
        })
    }

    /// Writes one frame, then switches files if this one is full.
    pub fn write(&mut self, f: &CapturedFrame) -> io::Result<()> {
        if self
            .opts
            .duration
            .is_some_and(|d| self.opened.elapsed() >= d)
        {
            self.next_file()?;
        }
        self.current.write(f)?;
        if let Some(kb) = self.opts.filesize_kb {
            if self.current.bytes_written()? >= kb * 1000 {
                self.next_file()?;
            }
        }
        Ok(())
    }

    fn next_file(&mut self) -> io::Result<()> {
        self.number += 1;
        let name = file_name(&self.stem, &self.ext, self.number);
        let next = SaveFile::create(&name, self.format, self.link_type, self.snaplen)?;
        std::mem::replace(&mut self.current, next).finish()?;
        self.opened = Instant::now();
        self.names.push_back(name);
        while self.opts.files.is_some_and(|n| self.names.len() > n) {
            if let Some(old) = self.names.pop_front() {
                let _ = std::fs::remove_file(old);
            }
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.current.flush()
    }

    pub fn finish(self) -> io::Result<()> {
        self.current.finish()
    }
}

/// What `-w` writes to: one file, or a ring of them with `-b`.
pub enum Output {
    One(SaveFile),
    Ring(Ring),
}

impl Output {
    pub fn write(&mut self, f: &CapturedFrame) -> io::Result<()> {
        match self {
            Output::One(w) => w.write(f),
            Output::Ring(r) => r.write(f),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::One(w) => w.flush(),
            Output::Ring(r) => r.flush(),
        }
    }

    /// Bytes in the file being written (`-a filesize`).
    pub fn bytes_written(&mut self) -> io::Result<u64> {
        match self {
            Output::One(w) => w.bytes_written(),
            Output::Ring(r) => r.current.bytes_written(),
        }
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            Output::One(w) => w.finish(),
            Output::Ring(r) => r.finish(),
        }
    }
}

/// `STEM_NNNNN_YYYYMMDDHHMMSS.EXT`.
fn file_name(stem: &Path, ext: &str, number: u32) -> PathBuf {
    let mut s = stem.as_os_str().to_os_string();
    s.push(format!("_{number:05}_{}{ext}", local_stamp()));
    PathBuf::from(s)
}

/// The local time now as YYYYMMDDHHMMSS.
fn local_stamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as libc::time_t;
    // SAFETY: localtime_r only writes the tm it is given; an all-zero tm is a valid value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals.
    if unsafe { libc::localtime_r(&now, &mut tm) }.is_null() {
        return "00000000000000".into();
    }
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use dissectors::engine::FrameMeta;

    #[test]
    fn options() {
        let mut o = RingOptions::default();
        o.add("filesize:10").unwrap();
        o.add("files:3").unwrap();
        assert_eq!(o.filesize_kb, Some(10));
        assert_eq!(o.files, Some(3));
        assert!(o.switches());
        assert!(o.add("files:0").is_err());
        assert!(o.add("size:1").is_err());
        assert!(o.add("filesize").is_err());
    }

    #[test]
    fn rotates_and_keeps_the_last_files() {
        let dir = std::env::temp_dir().join(format!("lowshark-ring-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let opts = RingOptions {
            filesize_kb: Some(1),
            files: Some(2),
            duration: None,
        };
        let mut r = Ring::create(&dir.join("cap.pcap"), opts, SaveFormat::Pcap, 1, 65535).unwrap();
        let meta = FrameMeta {
            orig_len: 300,
            link_type: 1,
            ..Default::default()
        };
        let f = CapturedFrame {
            meta,
            data: vec![0; 300].into(),
        };
        for _ in 0..10 {
            r.write(&f).unwrap();
        }
        r.finish().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        // 24 + 4 × 316 bytes passes 1000: four frames a file, the third file open at the end.
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names[0].starts_with("cap_00002_") && names[0].ends_with(".pcap"));
        assert!(names[1].starts_with("cap_00003_"));
        assert_eq!(names[1].len(), "cap_00003_20261207201500.pcap".len());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
