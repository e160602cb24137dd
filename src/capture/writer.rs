//! Capture writers: pcapng (the default, keeps everything a
//! [`CapturedFrame`] holds) and classic pcap (for tools that want it).
//!
//! References: draft-ietf-opsawg-pcapng and draft-ietf-opsawg-pcap /
//! `pcap-savefile(5)`; see `pcapng.rs` and `pcap.rs` for the layouts.
//!
//! The pcapng writer produces one little-endian section:
//!
//! ```text
//!   SHB (version 1.0, section length -1, shb_userappl "lowshark")
//!   IDB 0  (first distinct (link type, interface id), if_tsresol = 9)
//!   EPB    (interface 0, time stamp in ns, opt_comment...)
//!   EPB
//!   IDB 1  (written just before the first frame that needs it)
//!   EPB    (interface 1)
//!   ...
//! ```
//!
//! Interfaces are numbered in order of first appearance, so frames keep
//! their interface separation but not necessarily their original ids.

use std::collections::HashMap;
use std::io::{self, Write};

use super::CapturedFrame;

const OPT_ENDOFOPT: u16 = 0;
const OPT_COMMENT: u16 = 1;
const SHB_USERAPPL: u16 = 4;
const IF_NAME: u16 = 2;
const IF_DESCRIPTION: u16 = 3;
const IF_TSRESOL: u16 = 9;

/// Largest option value: the length field is 16 bits. Longer strings are
/// cut (on a character boundary) rather than making the file invalid.
const MAX_OPTION_LEN: usize = 0xfffc;

fn invalid_input(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Appends one option (code, length, value, padding) to a block body.
fn push_option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    let value = if value.len() > MAX_OPTION_LEN {
        let mut cut = MAX_OPTION_LEN;
        // Only text is ever written here: keep the UTF-8 valid.
        while cut > 0 && (value[cut] & 0xc0) == 0x80 {
            cut -= 1;
        }
        &value[..cut]
    } else {
        value
    };
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&(value.len() as u16).to_le_bytes());
    body.extend_from_slice(value);
    pad4(body);
}

fn pad4(body: &mut Vec<u8>) {
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
}

/// Writes one block: type, total length, body (already padded), length.
fn write_block<W: Write>(w: &mut W, kind: u32, body: &[u8]) -> io::Result<()> {
    let total = u32::try_from(body.len() + 12)
        .map_err(|_| invalid_input(format!("a block of {} bytes is too large", body.len())))?;
    w.write_all(&kind.to_le_bytes())?;
    w.write_all(&total.to_le_bytes())?;
    w.write_all(body)?;
    w.write_all(&total.to_le_bytes())
}

/// Writes frames as a pcapng file (little endian, nanosecond time stamps).
pub struct PcapNgWriter<W: Write> {
    w: W,
    /// (link type, original interface id) -> id in the written file.
    interfaces: HashMap<(u32, Option<u32>), u32>,
}

impl<W: Write> PcapNgWriter<W> {
    /// Starts the file (writes the Section Header Block).
    pub fn new(mut w: W) -> io::Result<Self> {
        let mut body = Vec::with_capacity(40);
        body.extend_from_slice(&0x1a2b_3c4d_u32.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        // Section length unknown: we stream and never seek back.
        body.extend_from_slice(&(-1i64).to_le_bytes());
        push_option(&mut body, SHB_USERAPPL, b"lowshark");
        push_option(&mut body, OPT_ENDOFOPT, &[]);
        write_block(&mut w, 0x0a0d_0d0a, &body)?;
        Ok(PcapNgWriter {
            w,
            interfaces: HashMap::new(),
        })
    }

    /// Appends one frame (and, before it, an IDB if its interface is new).
    pub fn write(&mut self, f: &CapturedFrame) -> io::Result<()> {
        if f.meta.ts_ns < 0 {
            return Err(invalid_input(format!(
                "frame {} has a time stamp before 1970, which pcapng cannot store",
                f.meta.number
            )));
        }
        let caplen = u32::try_from(f.data.len()).map_err(|_| {
            invalid_input(format!("frame {} is too large for pcapng", f.meta.number))
        })?;
        let key = (f.meta.link_type, f.meta.interface_id);
        let id = match self.interfaces.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.interfaces.len() as u32;
                self.write_idb(f)?;
                self.interfaces.insert(key, id);
                id
            }
        };
        let ts = f.meta.ts_ns as u64;
        let mut body = Vec::with_capacity(f.data.len() + 32);
        body.extend_from_slice(&id.to_le_bytes());
        body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ts as u32).to_le_bytes());
        body.extend_from_slice(&caplen.to_le_bytes());
        body.extend_from_slice(&f.meta.orig_len.to_le_bytes());
        body.extend_from_slice(&f.data);
        pad4(&mut body);
        if !f.meta.comments.is_empty() {
            for c in &f.meta.comments {
                push_option(&mut body, OPT_COMMENT, c.as_bytes());
            }
            push_option(&mut body, OPT_ENDOFOPT, &[]);
        }
        write_block(&mut self.w, 6, &body)
    }

    fn write_idb(&mut self, f: &CapturedFrame) -> io::Result<()> {
        let link_type = u16::try_from(f.meta.link_type).map_err(|_| {
            invalid_input(format!(
                "frame {} has link type {}, which does not fit pcapng's 16 bits",
                f.meta.number, f.meta.link_type
            ))
        })?;
        let mut body = Vec::with_capacity(64);
        body.extend_from_slice(&link_type.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        // SnapLen 0: no limit, so no frame is ever "longer than the snaplen".
        body.extend_from_slice(&0u32.to_le_bytes());
        if let Some(name) = &f.meta.interface_name {
            push_option(&mut body, IF_NAME, name.as_bytes());
        }
        if let Some(desc) = &f.meta.interface_description {
            push_option(&mut body, IF_DESCRIPTION, desc.as_bytes());
        }
        // Time stamps in units of 10^-9 s, i.e. nanoseconds.
        push_option(&mut body, IF_TSRESOL, &[9]);
        push_option(&mut body, OPT_ENDOFOPT, &[]);
        write_block(&mut self.w, 1, &body)
    }

    /// Flushes and returns the underlying writer.
    /// The underlying writer.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.w
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Writes frames as a classic pcap file: microsecond time stamps, little
/// endian, and a single link type for the whole file.
pub struct PcapWriter<W: Write> {
    w: W,
    link_type: u32,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header. A `snaplen` of 0 ("unknown") is written as
    /// 262144, the usual default, since some readers reject 0.
    pub fn new(mut w: W, link_type: u32, snaplen: u32) -> io::Result<Self> {
        let snaplen = if snaplen == 0 { 262_144 } else { snaplen };
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
        header.extend_from_slice(&2u16.to_le_bytes());
        header.extend_from_slice(&4u16.to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        header.extend_from_slice(&snaplen.to_le_bytes());
        header.extend_from_slice(&link_type.to_le_bytes());
        w.write_all(&header)?;
        Ok(PcapWriter { w, link_type })
    }

    /// Appends one frame. Fails (writing nothing) if the frame's link type
    /// differs from the file's or its time cannot be stored; the time stamp
    /// is cut to whole microseconds.
    pub fn write(&mut self, f: &CapturedFrame) -> io::Result<()> {
        if f.meta.link_type != self.link_type {
            return Err(invalid_input(format!(
                "frame {} has link type {} but the pcap file was started with link type {}; \
                 a pcap file holds one link type (write pcapng instead)",
                f.meta.number, f.meta.link_type, self.link_type
            )));
        }
        let secs = f.meta.ts_ns.div_euclid(1_000_000_000);
        let usecs = (f.meta.ts_ns.rem_euclid(1_000_000_000) / 1_000) as u32;
        let secs = u32::try_from(secs).map_err(|_| {
            invalid_input(format!(
                "frame {} has a time stamp outside 1970-2106, which pcap cannot store",
                f.meta.number
            ))
        })?;
        let caplen = u32::try_from(f.data.len())
            .map_err(|_| invalid_input(format!("frame {} is too large for pcap", f.meta.number)))?;
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&secs.to_le_bytes());
        header[4..8].copy_from_slice(&usecs.to_le_bytes());
        header[8..12].copy_from_slice(&caplen.to_le_bytes());
        header[12..16].copy_from_slice(&f.meta.orig_len.to_le_bytes());
        self.w.write_all(&header)?;
        self.w.write_all(&f.data)
    }

    /// Flushes and returns the underlying writer.
    /// The underlying writer.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.w
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// A capture file being written (`-w`, the TUI's save): pcapng by default, or pcap.
pub enum SaveFile {
    PcapNg(PcapNgWriter<io::BufWriter<std::fs::File>>),
    Pcap(PcapWriter<io::BufWriter<std::fs::File>>),
}

/// The file formats [`SaveFile`] writes, as `-F` names them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SaveFormat {
    PcapNg,
    Pcap,
}

impl SaveFormat {
    /// `-F pcapng|pcap|libpcap`.
    pub fn parse(s: &str) -> Result<SaveFormat, String> {
        match s {
            "pcapng" => Ok(SaveFormat::PcapNg),
            "pcap" | "libpcap" => Ok(SaveFormat::Pcap),
            other => Err(format!(
                "-F {other}: unknown file format; use pcapng or pcap"
            )),
        }
    }
}

impl SaveFile {
    /// Creates `path`; `link_type` and `snaplen` go into a pcap file's header (pcapng writes
    /// an interface block per interface as frames need them).
    pub fn create(
        path: &std::path::Path,
        format: SaveFormat,
        link_type: u32,
        snaplen: u32,
    ) -> io::Result<SaveFile> {
        let w = io::BufWriter::new(std::fs::File::create(path)?);
        Ok(match format {
            SaveFormat::PcapNg => SaveFile::PcapNg(PcapNgWriter::new(w)?),
            SaveFormat::Pcap => SaveFile::Pcap(PcapWriter::new(w, link_type, snaplen.max(65535))?),
        })
    }

    pub fn write(&mut self, f: &CapturedFrame) -> io::Result<()> {
        match self {
            SaveFile::PcapNg(w) => w.write(f),
            SaveFile::Pcap(w) => w.write(f),
        }
    }

    /// Flushes what is buffered, so a reader of the file sees every frame written so far.
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            SaveFile::PcapNg(w) => w.get_mut().flush(),
            SaveFile::Pcap(w) => w.get_mut().flush(),
        }
    }

    /// Bytes written so far, buffered ones included (for `-b filesize`, `-a filesize`).
    pub fn bytes_written(&mut self) -> io::Result<u64> {
        use std::io::Seek;
        let w = match self {
            SaveFile::PcapNg(w) => w.get_mut(),
            SaveFile::Pcap(w) => w.get_mut(),
        };
        let buffered = w.buffer().len() as u64;
        Ok(w.get_mut().stream_position()? + buffered)
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            SaveFile::PcapNg(w) => w.finish()?.flush(),
            SaveFile::Pcap(w) => w.finish()?.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{
        assert_same_as_tshark, corpus_file, have_tshark, read_bytes, temp_file, tshark, READABLE,
    };
    use super::super::{CaptureReader, CapturedFrame, FileFormat};
    use super::{PcapNgWriter, PcapWriter};
    use dissectors::engine::FrameMeta;

    fn write_pcapng(frames: &[CapturedFrame]) -> Vec<u8> {
        let mut w = PcapNgWriter::new(Vec::new()).unwrap();
        for f in frames {
            w.write(f).unwrap();
        }
        w.finish().unwrap()
    }

    fn read_ok(bytes: &[u8]) -> Vec<CapturedFrame> {
        let (frames, err) = read_bytes(bytes).expect("open");
        assert!(err.is_none(), "{}", err.unwrap());
        frames
    }

    /// Frames as they should come back from pcapng: interfaces renumbered
    /// in order of first appearance, everything else identical.
    fn renumbered(frames: &[CapturedFrame]) -> Vec<CapturedFrame> {
        let mut seen: Vec<(u32, Option<u32>)> = Vec::new();
        frames
            .iter()
            .map(|f| {
                let key = (f.meta.link_type, f.meta.interface_id);
                let id = seen.iter().position(|k| *k == key).unwrap_or_else(|| {
                    seen.push(key);
                    seen.len() - 1
                });
                let mut f = f.clone();
                f.meta.interface_id = Some(id as u32);
                f
            })
            .collect()
    }

    #[test]
    fn public_captures_round_trip() {
        let tshark_ok = have_tshark();
        for rel in READABLE {
            let Some(path) = corpus_file(rel) else {
                continue;
            };
            let mut reader = CaptureReader::open(&path).unwrap();
            let frames = reader.by_ref().collect::<Result<Vec<_>, _>>().unwrap();

            // pcapng keeps everything.
            let ng = write_pcapng(&frames);
            let back = read_ok(&ng);
            let expected = renumbered(&frames);
            assert_eq!(back.len(), frames.len(), "{rel}");
            for (b, e) in back.iter().zip(&expected) {
                // A pcap frame has no interface name; nothing else may change.
                assert_eq!(b, e, "{rel} frame {}", e.meta.number);
            }
            if tshark_ok {
                let file = temp_file("round-trip.pcapng", &ng);
                let theirs = tshark(&file.0);
                assert!(
                    theirs.success,
                    "{rel}: tshark on our pcapng: {}",
                    theirs.stderr
                );
                assert_same_as_tshark(rel, &back, &theirs.frames);
            }

            // pcap: one link type, microseconds, no interfaces or comments.
            let link_types: Vec<u32> = frames.iter().map(|f| f.meta.link_type).collect();
            let pcap_range = 0..(1i64 << 32) * 1_000_000_000;
            if frames.is_empty()
                || link_types.iter().any(|&l| l != link_types[0])
                || frames.iter().any(|f| !pcap_range.contains(&f.meta.ts_ns))
            {
                continue;
            }
            let mut w = PcapWriter::new(Vec::new(), link_types[0], reader.snaplen()).unwrap();
            for f in &frames {
                w.write(f).unwrap();
            }
            let pcap = w.finish().unwrap();
            let back = read_ok(&pcap);
            assert_eq!(back.len(), frames.len(), "{rel}");
            for (b, f) in back.iter().zip(&frames) {
                let mut expected = f.clone();
                expected.meta = FrameMeta {
                    ts_ns: f.meta.ts_ns - f.meta.ts_ns % 1000,
                    interface_id: None,
                    interface_name: None,
                    interface_description: None,
                    comments: Vec::new(),
                    ..f.meta.clone()
                };
                assert_eq!(b, &expected, "{rel} frame {}", f.meta.number);
            }
            if tshark_ok {
                let file = temp_file("round-trip.pcap", &pcap);
                let theirs = tshark(&file.0);
                assert!(
                    theirs.success,
                    "{rel}: tshark on our pcap: {}",
                    theirs.stderr
                );
                assert_eq!(theirs.frames.len(), frames.len(), "{rel}");
            }
        }
    }

    fn frame(
        link_type: u32,
        interface_id: Option<u32>,
        ts_ns: i64,
        comments: &[&str],
    ) -> CapturedFrame {
        let meta = FrameMeta {
            ts_ns,
            orig_len: 100,
            link_type,
            interface_id,
            interface_name: interface_id.map(|i| format!("if{i}").into()),
            comments: comments.iter().map(|c| c.to_string()).collect(),
            ..FrameMeta::default()
        };
        CapturedFrame {
            meta,
            data: vec![0x42; 14].into(),
        }
    }

    #[test]
    fn pcapng_interfaces_comments_and_times() {
        let frames = vec![
            frame(
                1,
                Some(0),
                1_700_000_000_123_456_789,
                &["first", "second comment"],
            ),
            frame(113, Some(0), 4_294_967_296_000_000_001, &[]),
            frame(1, Some(0), 0, &["\u{fc}ber"]),
            frame(1, None, 1, &[]),
            frame(1, Some(7), 2, &[]),
        ];
        let bytes = write_pcapng(&frames);
        let mut reader =
            CaptureReader::from_reader(Box::new(std::io::Cursor::new(bytes.clone())), "mem")
                .unwrap();
        assert_eq!(reader.format(), FileFormat::PcapNg);
        let back = reader.by_ref().collect::<Result<Vec<_>, _>>().unwrap();
        assert_eq!(reader.link_types(), vec![1, 113, 1, 1]);
        let ids: Vec<_> = back.iter().map(|f| f.meta.interface_id).collect();
        assert_eq!(ids, [Some(0), Some(1), Some(0), Some(2), Some(3)]);
        for (i, (b, f)) in back.iter().zip(&frames).enumerate() {
            assert_eq!(b.meta.number, i as u64 + 1);
            assert_eq!(
                (b.meta.ts_ns, b.meta.link_type, &b.meta.comments, &b.data),
                (f.meta.ts_ns, f.meta.link_type, &f.meta.comments, &f.data)
            );
            assert_eq!(b.meta.interface_name, f.meta.interface_name);
        }
        if have_tshark() {
            let file = temp_file("written.pcapng", &bytes);
            let theirs = tshark(&file.0);
            assert!(theirs.success, "{}", theirs.stderr);
            assert_same_as_tshark("written.pcapng", &back, &theirs.frames);
        }
    }

    #[test]
    fn pcap_writer_refuses_what_pcap_cannot_hold() {
        let mut w = PcapWriter::new(Vec::new(), 1, 0).unwrap();
        w.write(&frame(1, None, 5_000_001_999, &[])).unwrap();
        let err = w.write(&frame(113, Some(0), 1, &[])).unwrap_err();
        assert!(err.to_string().contains("link type 113"), "{err}");
        assert!(w.write(&frame(1, None, -1, &[])).is_err());
        assert!(w
            .write(&frame(1, None, 4_294_967_296_000_000_000, &[]))
            .is_err());
        let bytes = w.finish().unwrap();
        // Only the good frame was written, and snaplen 0 became 262144.
        let mut reader =
            CaptureReader::from_reader(Box::new(std::io::Cursor::new(bytes)), "mem").unwrap();
        assert_eq!(reader.snaplen(), 262_144);
        assert_eq!(
            reader.format(),
            FileFormat::Pcap {
                nanosecond: false,
                big_endian: false
            }
        );
        let back: Vec<_> = reader.by_ref().map(|f| f.unwrap()).collect();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].meta.ts_ns, 5_000_001_000);
    }

    #[test]
    fn pcapng_writer_refuses_negative_times_and_wide_link_types() {
        let mut w = PcapNgWriter::new(Vec::new()).unwrap();
        assert!(w.write(&frame(1, None, -1, &[])).is_err());
        assert!(w.write(&frame(70_000, None, 1, &[])).is_err());
        let bytes = w.finish().unwrap();
        assert!(read_ok(&bytes).is_empty());
    }
}
