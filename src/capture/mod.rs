//! Capture-file layer: streaming readers for pcap and pcapng files and writers
//! for both formats.
//!
//! Everything above this module works on [`CapturedFrame`]s: the bytes of one
//! frame plus the metadata the file kept about it (time, lengths, link type,
//! interface, comments). [`CaptureReader`] turns a file (or stdin) into a
//! stream of frames; [`PcapNgWriter`] and [`PcapWriter`] turn frames back into
//! files.
//!
//! # Formats
//!
//! * pcap — the classic libpcap format, described in the `pcap-savefile(5)`
//!   man page and in draft-ietf-opsawg-pcap. See `pcap.rs` for the record
//!   layout.
//! * pcapng — draft-ietf-opsawg-pcapng ("PCAP Now Generic"). See `pcapng.rs`
//!   for the block layouts.
//!
//! A file is a pcap file when its first four bytes are one of the pcap magic
//! numbers and a pcapng file when they are the Section Header Block type
//! `0A 0D 0D 0A`:
//!
//! ```text
//!   pcap                                pcapng
//!  +----------------------+            +-------------------------------+
//!  | file header (24 B)   |            | Section Header Block          |
//!  |  magic a1b2c3d4 (us) |            |   Interface Description Block |
//!  |     or a1b23c4d (ns) |            |   Interface Description Block |
//!  +----------------------+            |   Enhanced Packet Block       |
//!  | record header (16 B) |            |   Simple / Name Res. / ...    |
//!  | packet bytes         |            +-------------------------------+
//!  +----------------------+            | Section Header Block (new     |
//!  | record header        |            |   section: interfaces reset)  |
//!  | packet bytes         |            |   ...                         |
//!  +----------------------+            +-------------------------------+
//! ```
//!
//! # Why the formats are parsed by hand
//!
//! The `pcap-parser` crate was evaluated first. Its streaming readers hand
//! out blocks borrowed from a fixed-size circular buffer, so a block larger
//! than the buffer surfaces as `BufferTooSmall`/`Incomplete` and the caller has
//! to grow the buffer, refill and retry; the byte offset of a problem and the
//! difference between "the file ends here" and "this length is nonsense" are
//! not reported in a form that fits the error messages required here. Its
//! timestamp helpers also truncate seconds to `u32` (wrong after 2106), reject
//! every power-of-two `if_tsresol`, and read `if_tsoffset` as little endian
//! in big-endian sections. Both formats are simple length-prefixed records, so
//! this module reads them itself with explicit bounds checks: every length
//! field is validated before it is used, no length taken from the file is
//! used to index a slice without a check, and no allocation is sized by an
//! unchecked length (see [`MAX_RECORD_BYTES`] and the incremental reads in
//! `Input::read_vec`).
//!
//! # Compared with tshark (Wireshark 4.0)
//!
//! The tests check frame for frame against `tshark -r`. Deliberate
//! differences:
//!
//! * An empty file is `NotACapture` here; tshark silently shows no packets.
//! * pcapng custom blocks are skipped; tshark lists them as records.
//! * A Simple Packet Block has no time stamp: `ts_ns` is 0 (tshark shows none).
//! * In the second and later sections of a file tshark 4.0 shows the name of
//!   the *first* section's interface with the same number; here interface
//!   ids, names and link types are those of the packet's own section, as the
//!   pcapng draft says.
//! * Where tshark stops with an error, this reader yields the same frames and
//!   then one `Truncated` or `Corrupt` error (the message may name a
//!   different first problem when a block has several).
//!
//! # Memory
//!
//! The reader streams through a [`BufReader`]: memory use is the read buffer,
//! the current record or block, and the per-section interface table (capped
//! at [`MAX_INTERFACES`] entries). Files larger than memory and endless pipes
//! are fine.

use dissectors::engine::FrameMeta;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

pub mod dongle;
pub mod emulate;
#[cfg(feature = "live")]
pub mod live;
pub mod merge;
mod pcap;
mod pcapng;
pub mod ring;
pub mod source;
pub mod status;
mod writer;
pub mod zep;

pub use writer::{PcapNgWriter, PcapWriter, SaveFile, SaveFormat};

/// Largest packet record (pcap) or block (pcapng) the reader accepts.
///
/// Real captures stay far below this (Wireshark's own limit for most link
/// types is 256 KiB); the cap exists so a corrupted length field cannot make
/// the reader try to buffer gigabytes.
pub const MAX_RECORD_BYTES: u32 = 256 * 1024 * 1024;

/// Most interfaces one pcapng section may describe. Each costs a table entry
/// for as long as the section lasts, so a hostile file must not be able to
/// create an unbounded number of them.
pub const MAX_INTERFACES: usize = 65_536;

/// Interface names and descriptions longer than this are cut (on a character
/// boundary). They are copied into every frame, so a huge one would multiply.
pub const MAX_INTERFACE_STRING_BYTES: usize = 4096;

/// Largest time stamp (ns since the epoch, ~2116-02-20) a reader yields; the
/// smallest is its negative. pcapng time stamps beyond are saturated (pcap
/// ones cannot get there). Keeping them in half the `i64` range means the
/// difference of any two frames' times fits an `i64`: a hostile file with
/// `if_tsoffset` ±2^63 s made `frame.time_relative`, the delta columns and the
/// conversation timestamps overflow (found by the hostile-input tests).
pub const MAX_TIMESTAMP_NS: i64 = dissectors::engine::MAX_TS_NS;

/// Size of the buffered reader: records are parsed in its buffer or copied out of it.
const READ_CHUNK: usize = 64 * 1024;

/// One frame as read from a capture, before dissection: the engine's
/// [`FrameMeta`] (so dissection takes it as is) and the captured bytes.
/// Readers leave `meta.radio` empty (radio facts come from pseudo-headers);
/// `meta.ts_ns` is 0 when the file has no time stamp for the frame, as with
/// a pcapng Simple Packet Block, and `meta.interface_id` is `None` for pcap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CapturedFrame {
    pub meta: FrameMeta,
    /// The captured bytes (`data.len()` is the captured length). Shared, so that the
    /// dissected packet's first data source is this very buffer (no copy per frame), and a
    /// frame stays cheap to move between threads.
    pub data: Arc<[u8]>,
}

/// Why a capture could not be read (completely).
#[derive(Debug)]
pub enum CaptureError {
    /// The file could not be opened or read.
    Io { path: String, err: io::Error },
    /// The input is neither pcap nor pcapng. `detail` says what it starts with.
    NotACapture { path: String, detail: String },
    /// The input ends inside a header, record or block. `offset` is where the
    /// data ends; `detail` names what was cut ("a packet record").
    Truncated {
        path: String,
        frames_read: u64,
        offset: u64,
        detail: String,
    },
    /// A live source (a sniffer dongle) could not be opened or stopped working; `message`
    /// says why and what to do.
    Live { source: String, message: String },
    /// The input contains something impossible. `offset` is where the bad
    /// record or block starts; `detail` explains.
    Corrupt {
        path: String,
        frames_read: u64,
        offset: u64,
        detail: String,
    },
}

fn frames_phrase(n: u64) -> String {
    if n == 1 {
        "after 1 complete frame".to_string()
    } else {
        format!("after {n} complete frames")
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Io { path, err } => write!(f, "{path}: cannot read the file: {err}"),
            CaptureError::Live { source, message } => {
                // Dongle messages already start with the device's name.
                if message.contains(source.as_str()) {
                    f.write_str(message)
                } else {
                    write!(f, "{source}: {message}")
                }
            }
            CaptureError::NotACapture { path, detail } => {
                write!(f, "{path}: not a pcap or pcapng capture file: {detail}")
            }
            CaptureError::Truncated {
                path,
                frames_read,
                offset,
                detail,
            } => write!(
                f,
                "{path}: the file ends in the middle of {detail} at byte {offset} ({})",
                frames_phrase(*frames_read)
            ),
            CaptureError::Corrupt {
                path,
                frames_read,
                offset,
                detail,
            } => write!(
                f,
                "{path}: the file is damaged at byte {offset}: {detail} ({})",
                frames_phrase(*frames_read)
            ),
        }
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CaptureError::Io { err, .. } => Some(err),
            _ => None,
        }
    }
}

/// The kind of file a [`CaptureReader`] is reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Classic pcap. The "modified" (Kuznetzov) variant with magic `a1b2cd34`
    /// is reported as microsecond pcap.
    Pcap { nanosecond: bool, big_endian: bool },
    /// pcapng (the byte order may change from section to section).
    PcapNg,
}

/// The byte source of a reader: counts the bytes consumed so that every error
/// can say where it happened, and builds the errors.
pub(crate) struct Input {
    reader: BufReader<Box<dyn Read + Send>>,
    name: String,
    /// Bytes consumed so far; the offset of the next byte.
    offset: u64,
    /// Frames handed out so far.
    frames_read: u64,
}

impl Input {
    fn new(r: Box<dyn Read + Send>, name: &str) -> Input {
        Input {
            reader: BufReader::with_capacity(READ_CHUNK, r),
            name: name.to_string(),
            offset: 0,
            frames_read: 0,
        }
    }

    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// What the reader holds already, unread (possibly nothing): for parsing records in
    /// place; [`Input::consume`] then skips what was used.
    pub(crate) fn buffered(&self) -> &[u8] {
        self.reader.buffer()
    }

    /// Marks `n` bytes of [`Input::buffered`] as read.
    pub(crate) fn consume(&mut self, n: usize) {
        self.reader.consume(n);
        self.offset += n as u64;
    }

    /// Reads until `buf` is full or the input ends; returns how many bytes
    /// were read (fewer than `buf.len()` only at the end of the input).
    pub(crate) fn fill(&mut self, buf: &mut [u8]) -> Result<usize, CaptureError> {
        let mut got = 0;
        while got < buf.len() {
            match self.reader.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    self.offset += got as u64;
                    return Err(CaptureError::Io {
                        path: self.name.clone(),
                        err,
                    });
                }
            }
        }
        self.offset += got as u64;
        Ok(got)
    }

    /// Reads up to `len` bytes into a new vector (shorter only at the end of
    /// the input).
    ///
    /// The vector grows in steps as data actually arrives, at most doubling,
    /// instead of being allocated at `len` up front: a bogus length near the
    /// end of a small file then costs a few KiB, not `len` bytes.
    pub(crate) fn read_vec(&mut self, len: usize) -> Result<Vec<u8>, CaptureError> {
        let mut v: Vec<u8> = Vec::new();
        self.read_into(&mut v, len)?;
        Ok(v)
    }

    /// [`Input::read_vec`] into `v` (emptied first), keeping its allocation: how blocks are
    /// read one after the other into one buffer. Bytes are copied once, from the reader's
    /// buffer into `v` (nothing is zeroed first); `v` grows only as data arrives.
    pub(crate) fn read_into(&mut self, v: &mut Vec<u8>, len: usize) -> Result<(), CaptureError> {
        v.clear();
        while v.len() < len {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    return Err(CaptureError::Io {
                        path: self.name.clone(),
                        err,
                    })
                }
            };
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len().min(len - v.len());
            v.extend_from_slice(&chunk[..n]);
            self.consume(n);
        }
        Ok(())
    }

    /// Reads exactly `len` bytes into a shared buffer, straight from the reader's buffer
    /// when it holds them all (one copy); None when the input ends first.
    pub(crate) fn read_shared(&mut self, len: usize) -> Result<Option<Arc<[u8]>>, CaptureError> {
        let buffered = self.reader.buffer();
        if buffered.len() >= len {
            let data = Arc::from(&buffered[..len]);
            self.consume(len);
            return Ok(Some(data));
        }
        let v = self.read_vec(len)?;
        Ok((v.len() == len).then(|| v.into()))
    }

    /// The input ended inside `what` ("a packet record").
    pub(crate) fn truncated(&self, what: &str) -> CaptureError {
        CaptureError::Truncated {
            path: self.name.clone(),
            frames_read: self.frames_read,
            offset: self.offset,
            detail: what.to_string(),
        }
    }

    /// The record or block starting at `at` is invalid.
    pub(crate) fn corrupt(&self, at: u64, detail: String) -> CaptureError {
        CaptureError::Corrupt {
            path: self.name.clone(),
            frames_read: self.frames_read,
            offset: at,
            detail,
        }
    }

    pub(crate) fn not_a_capture(&self, detail: String) -> CaptureError {
        CaptureError::NotACapture {
            path: self.name.clone(),
            detail,
        }
    }
}

/// Per-format reading state.
enum Format {
    Pcap(pcap::PcapState),
    PcapNg(pcapng::PcapNgState),
}

/// Streaming reader of a pcap or pcapng capture; an iterator of frames.
///
/// After the first error the iterator is finished (returns `None`).
/// [`CaptureReader::open`] already reads up to the first frame, so
/// [`link_types`](CaptureReader::link_types) and
/// [`snaplen`](CaptureReader::snaplen) describe the file right away (on a
/// pipe this means `open` waits for the first packet). A problem met while
/// reading ahead is not reported by `open` but as the first item.
pub struct CaptureReader {
    input: Input,
    format: Format,
    /// The frame (or error) read ahead by `from_reader`.
    lookahead: Option<Result<CapturedFrame, CaptureError>>,
    done: bool,
}

impl CaptureReader {
    /// Opens a capture file; `-` reads standard input.
    pub fn open(path: &Path) -> Result<CaptureReader, CaptureError> {
        if path == Path::new("-") {
            return CaptureReader::from_reader(Box::new(io::stdin()), "standard input");
        }
        let name = path.display().to_string();
        let file = File::open(path).map_err(|err| CaptureError::Io {
            path: name.clone(),
            err,
        })?;
        CaptureReader::from_reader(Box::new(file), &name)
    }

    /// Reads a capture from any byte stream; `name` is used in error messages.
    pub fn from_reader(r: Box<dyn Read + Send>, name: &str) -> Result<CaptureReader, CaptureError> {
        let mut input = Input::new(r, name);
        let mut magic = [0u8; 4];
        let got = input.fill(&mut magic)?;
        if got < magic.len() {
            return Err(input.not_a_capture(describe_start(&magic[..got], got)));
        }
        let format = if let Some(kind) = pcap::PcapKind::from_magic(magic) {
            Format::Pcap(pcap::PcapState::start(&mut input, kind)?)
        } else if magic == pcapng::SHB_TYPE_BYTES {
            Format::PcapNg(pcapng::PcapNgState::start(&mut input)?)
        } else {
            // Read a little more so the message can show what the file is.
            let mut more = [0u8; 12];
            let extra = input.fill(&mut more)?;
            let mut start = magic.to_vec();
            start.extend_from_slice(&more[..extra]);
            return Err(input.not_a_capture(describe_start(&start, got + extra)));
        };
        let mut reader = CaptureReader {
            input,
            format,
            lookahead: None,
            done: false,
        };
        match reader.read_frame() {
            Ok(Some(frame)) => reader.lookahead = Some(Ok(frame)),
            Ok(None) => reader.done = true,
            Err(e) => reader.lookahead = Some(Err(e)),
        }
        Ok(reader)
    }

    /// The file's format.
    pub fn format(&self) -> FileFormat {
        match &self.format {
            Format::Pcap(p) => p.format(),
            Format::PcapNg(_) => FileFormat::PcapNg,
        }
    }

    /// Link types of the interfaces seen so far: for pcap the one in the file
    /// header; for pcapng the link type of every Interface Description Block
    /// read so far, in file order, across all sections.
    pub fn link_types(&self) -> Vec<u32> {
        match &self.format {
            Format::Pcap(p) => vec![p.link_type()],
            Format::PcapNg(n) => n.link_types().to_vec(),
        }
    }

    /// Snapshot length: for pcap the one in the file header; for pcapng the
    /// largest `SnapLen` of the interfaces seen so far (0 = none or no limit).
    pub fn snaplen(&self) -> u32 {
        match &self.format {
            Format::Pcap(p) => p.snaplen(),
            Format::PcapNg(n) => n.snaplen(),
        }
    }

    fn read_frame(&mut self) -> Result<Option<CapturedFrame>, CaptureError> {
        let frame = match &mut self.format {
            Format::Pcap(p) => p.next_frame(&mut self.input)?,
            Format::PcapNg(n) => n.next_frame(&mut self.input)?,
        };
        Ok(frame.map(|mut f| {
            self.input.frames_read += 1;
            f.meta.number = self.input.frames_read;
            f
        }))
    }
}

impl Iterator for CaptureReader {
    type Item = Result<CapturedFrame, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.lookahead.take() {
            self.done = item.is_err();
            return Some(item);
        }
        if self.done {
            return None;
        }
        match self.read_frame() {
            Ok(Some(frame)) => Some(Ok(frame)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Describes the first bytes of an unrecognised input for a NotACapture error.
fn describe_start(bytes: &[u8], total: usize) -> String {
    if total == 0 {
        return "the file is empty".to_string();
    }
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let text: String = bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    let what = if total < 4 {
        format!("it is only {total} byte(s) long (")
    } else {
        "it starts with bytes (".to_string()
    };
    format!(
        "{what}{} \"{text}\"), which is neither a pcap magic number \
         (a1b2c3d4 / a1b23c4d, either byte order) nor a pcapng section header (0a0d0d0a)",
        hex.join(" ")
    )
}

/// Text of a string option. Writers often include a terminating NUL; it is
/// not part of the text. Invalid UTF-8 is replaced rather than rejected.
pub(crate) fn option_text(bytes: &[u8]) -> String {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Text of an interface string option, cut to [`MAX_INTERFACE_STRING_BYTES`].
pub(crate) fn interface_text(bytes: &[u8]) -> String {
    let mut s = option_text(bytes);
    if s.len() > MAX_INTERFACE_STRING_BYTES {
        let mut cut = MAX_INTERFACE_STRING_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// Helpers shared by the tests of this module tree: byte-level builders for
/// hand-made captures, and access to the public corpus and tshark.
#[cfg(test)]
pub(crate) mod testutil {
    use super::{CaptureError, CaptureReader, CapturedFrame};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The public capture corpus: `$LOWSHARK_PUBLIC_CAPTURES`, else
    /// `shared/captures/public` beside the crate (as laid out for the
    /// project and for CI).
    pub fn corpus_root() -> PathBuf {
        match std::env::var_os("LOWSHARK_PUBLIC_CAPTURES") {
            Some(p) => PathBuf::from(p),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/public"),
        }
    }

    /// Readable corpus files named in the brief, plus a few more.
    pub const READABLE: &[&str] = &[
        "pcapng/pcapparser_test001-be.pcapng",
        "pcapng/pcapparser_test001-le.pcapng",
        "pcapng/pcapparser_test010-le.pcapng",
        "pcapng/pcapparser_test016-be.pcapng",
        "pcapng/pcapparser_test016-le.pcapng",
        "pcapng/pcapparser_test017-be.pcapng",
        "pcapng/pcapparser_test017-le.pcapng",
        "pcapng/zeek_pcapng-multi-interface.pcapng",
        "pcapng/tcpdump_time_2106_overflow.pcapng",
        "pcapng/tcpdump_empty.pcapng",
        "pcapng/tcpdump_icmpv6-length-zero.pcapng",
        "pcapng/libpcap_rarp_req_reply.pcapng",
        "pcapng/pcapparser_err-buffertoosmall.pcapng",
        "pcapng/pcapparser_modified-format.pcap",
        "pcapng/ttproto_test_mergecap_multi-linktype.pcap",
        "encapsulations/tcpdump_sll_tcp-handshake-nano.pcap",
    ];

    /// Path of a corpus file, or `None` (after printing why) if it is absent.
    pub fn corpus_file(rel: &str) -> Option<PathBuf> {
        let p = corpus_root().join(rel);
        if p.is_file() {
            Some(p)
        } else {
            eprintln!("skipping: capture {} is not available", p.display());
            None
        }
    }

    /// Whether tshark can be run (prints why not).
    pub fn have_tshark() -> bool {
        match Command::new("tshark").arg("--version").output() {
            Ok(o) if o.status.success() => true,
            _ => {
                eprintln!("skipping the tshark comparison: tshark is not installed");
                false
            }
        }
    }

    /// Reads a whole capture from memory: the frames, then the error that
    /// ended the iteration (if any). `Err` if opening failed.
    pub fn read_bytes(
        bytes: &[u8],
    ) -> Result<(Vec<CapturedFrame>, Option<CaptureError>), CaptureError> {
        let reader =
            CaptureReader::from_reader(Box::new(std::io::Cursor::new(bytes.to_vec())), "test")?;
        Ok(drain(reader))
    }

    /// Checks what reading a file cut at `cut` gives when the cut falls in
    /// its `header_len`-byte file header (pcap header or first SHB): not a
    /// capture before the 4-byte magic, then truncated at the cut with no
    /// frame read. Returns whether the cut was in the header.
    pub fn cut_in_header(
        cut: usize,
        header_len: usize,
        result: &Result<(Vec<CapturedFrame>, Option<CaptureError>), CaptureError>,
    ) -> bool {
        if cut < 4 {
            assert!(
                matches!(result, Err(CaptureError::NotACapture { .. })),
                "cut {cut}"
            );
        } else if cut < header_len {
            assert!(
                matches!(result, Err(CaptureError::Truncated { offset, frames_read: 0, .. }) if *offset == cut as u64),
                "cut {cut}: {:?}",
                result.as_ref().map(|r| r.0.len())
            );
        }
        cut < header_len
    }

    /// Collects frames until the end or the first error, and checks that
    /// the iterator stays finished after an error.
    pub fn drain(mut reader: CaptureReader) -> (Vec<CapturedFrame>, Option<CaptureError>) {
        let mut frames = Vec::new();
        let mut error = None;
        for item in reader.by_ref() {
            match item {
                Ok(f) => frames.push(f),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        assert!(reader.next().is_none(), "iterator must stay finished");
        (frames, error)
    }

    /// One frame as tshark reports it.
    #[derive(Debug)]
    pub struct TsharkFrame {
        pub number: u64,
        /// `None` when tshark shows no time (pcapng Simple Packet Block).
        pub ts_ns: Option<i64>,
        pub cap_len: u32,
        pub len: u32,
        pub interface_id: Option<u32>,
        /// Wireshark's WTAP_ENCAP number (not a LINKTYPE).
        pub encap: Option<u32>,
        pub interface_name: String,
        pub comment: String,
    }

    /// What tshark prints for a file: packet records (non-packet records
    /// such as pcapng custom blocks, which tshark also lists, are dropped),
    /// whether it succeeded, and its error output.
    pub struct TsharkRun {
        pub frames: Vec<TsharkFrame>,
        pub success: bool,
        pub stderr: String,
    }

    pub fn tshark(path: &Path) -> TsharkRun {
        let out = Command::new("tshark")
            .arg("-r")
            .arg(path)
            .args(["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a"])
            .args([
                "-e",
                "frame.number",
                "-e",
                "frame.time_epoch",
                "-e",
                "frame.cap_len",
            ])
            .args([
                "-e",
                "frame.len",
                "-e",
                "frame.interface_id",
                "-e",
                "frame.encap_type",
            ])
            .args(["-e", "frame.interface_name", "-e", "frame.comment"])
            .output()
            .expect("run tshark");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut frames = Vec::new();
        for line in stdout.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            assert!(f.len() >= 8, "unexpected tshark line {line:?}");
            let encap = f[5].parse().ok();
            if encap.is_none() {
                continue; // not a packet record
            }
            frames.push(TsharkFrame {
                number: f[0].parse().expect("frame.number"),
                ts_ns: parse_epoch(f[1]),
                cap_len: f[2].parse().expect("frame.cap_len"),
                len: f[3].parse().expect("frame.len"),
                interface_id: f[4].parse().ok(),
                encap,
                interface_name: f[6].to_string(),
                comment: f[7].to_string(),
            });
        }
        TsharkRun {
            frames,
            success: out.status.success(),
            stderr: String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| !l.starts_with("Running as user"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// "1418145369.924505488" -> ns, exactly (no floating point).
    pub fn parse_epoch(s: &str) -> Option<i64> {
        if s.is_empty() {
            return None;
        }
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
        let mut frac = frac.to_string();
        assert!(frac.len() <= 9, "tshark printed more than ns: {s}");
        while frac.len() < 9 {
            frac.push('0');
        }
        let ns = secs.parse::<i64>().ok()? * 1_000_000_000 + frac.parse::<i64>().ok()?;
        Some(if neg { -ns } else { ns })
    }

    /// Wireshark WTAP_ENCAP values -> the LINKTYPE values a file may use for
    /// them (only those occurring in the test corpus).
    pub fn linktype_of_encap(encap: u32) -> &'static [u32] {
        match encap {
            1 => &[1],           // Ethernet
            7 => &[101, 12, 14], // raw IP
            15 => &[0],          // BSD loopback / null
            25 => &[113],        // Linux cooked (SLL)
            104 => &[195],       // IEEE 802.15.4 with FCS
            127 => &[230],       // IEEE 802.15.4 without FCS
            130 => &[229],       // raw IPv6
            210 => &[276],       // Linux cooked v2 (SLL2)
            _ => panic!("WTAP_ENCAP {encap} is not in the test table; add its LINKTYPE"),
        }
    }

    /// Compares our frames with tshark's, field by field.
    pub fn assert_same_as_tshark(name: &str, ours: &[CapturedFrame], theirs: &[TsharkFrame]) {
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{name}: frame count differs from tshark"
        );
        for (i, (o, t)) in ours.iter().zip(theirs).enumerate() {
            let ctx = format!("{name} frame {} (tshark's {})", o.meta.number, t.number);
            // tshark's numbers also count non-packet records (dropped above),
            // so ours are checked against the position instead.
            assert_eq!(o.meta.number, i as u64 + 1, "{ctx}: number");
            assert_eq!(o.meta.ts_ns, t.ts_ns.unwrap_or(0), "{ctx}: time stamp");
            assert_eq!(o.data.len() as u32, t.cap_len, "{ctx}: captured length");
            assert_eq!(o.meta.orig_len, t.len, "{ctx}: original length");
            assert_eq!(o.meta.interface_id, t.interface_id, "{ctx}: interface id");
            let encap = t.encap.expect("packet record");
            assert!(
                linktype_of_encap(encap).contains(&o.meta.link_type),
                "{ctx}: link type {} vs tshark encapsulation {encap}",
                o.meta.link_type
            );
            if let Some(n) = &o.meta.interface_name {
                assert_eq!(&**n, t.interface_name.as_str(), "{ctx}: interface name");
            }
            assert_eq!(o.meta.comments.join(","), t.comment, "{ctx}: comments");
        }
    }

    /// A classic pcap file: (seconds, fraction, data, original length).
    pub fn pcap_bytes(
        big_endian: bool,
        nanosecond: bool,
        link_type: u32,
        frames: &[(u32, u32, &[u8], u32)],
    ) -> Vec<u8> {
        let w32 = |v: &mut Vec<u8>, x: u32| {
            v.extend_from_slice(&if big_endian {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            })
        };
        let w16 = |v: &mut Vec<u8>, x: u16| {
            v.extend_from_slice(&if big_endian {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            })
        };
        let mut v = Vec::new();
        w32(&mut v, if nanosecond { 0xa1b2_3c4d } else { 0xa1b2_c3d4 });
        w16(&mut v, 2);
        w16(&mut v, 4);
        w32(&mut v, 0);
        w32(&mut v, 0);
        w32(&mut v, 65535);
        w32(&mut v, link_type);
        for &(s, frac, data, orig) in frames {
            w32(&mut v, s);
            w32(&mut v, frac);
            w32(&mut v, data.len() as u32);
            w32(&mut v, orig);
            v.extend_from_slice(data);
        }
        v
    }

    /// Builds pcapng files block by block, in either byte order.
    pub struct Ng {
        pub big: bool,
        pub bytes: Vec<u8>,
    }

    impl Ng {
        pub fn new(big: bool) -> Ng {
            let mut ng = Ng {
                big,
                bytes: Vec::new(),
            };
            ng.shb(big);
            ng
        }
        pub fn u16(&self, x: u16) -> [u8; 2] {
            if self.big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }
        pub fn u32(&self, x: u32) -> [u8; 4] {
            if self.big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }
        /// Options (code, value) encoded with padding and opt_endofopt.
        pub fn options(&self, opts: &[(u16, &[u8])]) -> Vec<u8> {
            let mut v = Vec::new();
            for (code, value) in opts {
                v.extend_from_slice(&self.u16(*code));
                v.extend_from_slice(&self.u16(value.len() as u16));
                v.extend_from_slice(value);
                while v.len() % 4 != 0 {
                    v.push(0);
                }
            }
            if !opts.is_empty() {
                v.extend_from_slice(&[0, 0, 0, 0]);
            }
            v
        }
        /// Appends a block with a correct frame around `body` (padded).
        pub fn block(&mut self, kind: u32, body: &[u8]) -> &mut Ng {
            let mut body = body.to_vec();
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
            let total = self.u32(body.len() as u32 + 12);
            let kind = self.u32(kind);
            self.bytes.extend_from_slice(&kind);
            self.bytes.extend_from_slice(&total);
            self.bytes.extend_from_slice(&body);
            self.bytes.extend_from_slice(&total);
            self
        }
        /// Starts a new section in the given byte order.
        pub fn shb(&mut self, big: bool) -> &mut Ng {
            self.big = big;
            let mut body = self.u32(0x1a2b_3c4d).to_vec();
            body.extend_from_slice(&self.u16(1));
            body.extend_from_slice(&self.u16(0));
            body.extend_from_slice(&[0xff; 8]);
            self.block(0x0a0d_0d0a, &body)
        }
        pub fn idb(&mut self, link_type: u16, snaplen: u32, opts: &[(u16, &[u8])]) -> &mut Ng {
            let mut body = self.u16(link_type).to_vec();
            body.extend_from_slice(&[0, 0]);
            body.extend_from_slice(&self.u32(snaplen));
            body.extend_from_slice(&self.options(opts));
            self.block(1, &body)
        }
        pub fn epb(
            &mut self,
            iface: u32,
            ticks: u64,
            data: &[u8],
            orig: u32,
            opts: &[(u16, &[u8])],
        ) -> &mut Ng {
            let id = self.u32(iface);
            self.timed_packet(6, id, ticks, data, orig, opts)
        }
        pub fn spb(&mut self, orig: u32, data: &[u8]) -> &mut Ng {
            let mut body = self.u32(orig).to_vec();
            body.extend_from_slice(data);
            self.block(3, &body)
        }
        pub fn opb(
            &mut self,
            iface: u16,
            ticks: u64,
            data: &[u8],
            orig: u32,
            opts: &[(u16, &[u8])],
        ) -> &mut Ng {
            // A 16-bit interface id, then a drops count of 0.
            let mut id = [0; 4];
            id[..2].copy_from_slice(&self.u16(iface));
            self.timed_packet(2, id, ticks, data, orig, opts)
        }
        /// EPB or OPB: they differ only in the 4 bytes before the time stamp.
        fn timed_packet(
            &mut self,
            kind: u32,
            id: [u8; 4],
            ticks: u64,
            data: &[u8],
            orig: u32,
            opts: &[(u16, &[u8])],
        ) -> &mut Ng {
            let mut body = id.to_vec();
            body.extend_from_slice(&self.u32((ticks >> 32) as u32));
            body.extend_from_slice(&self.u32(ticks as u32));
            body.extend_from_slice(&self.u32(data.len() as u32));
            body.extend_from_slice(&self.u32(orig));
            body.extend_from_slice(data);
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
            body.extend_from_slice(&self.options(opts));
            self.block(kind, &body)
        }
    }

    /// A file in the system temp directory, removed when dropped.
    pub struct TempFile(pub PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// Writes bytes to a fresh temp file (named after the process and `name`).
    pub fn temp_file(name: &str, bytes: &[u8]) -> TempFile {
        let p =
            std::env::temp_dir().join(format!("lowshark-capture-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).expect("write temp file");
        TempFile(p)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{
        assert_same_as_tshark, corpus_file, corpus_root, drain, have_tshark, pcap_bytes,
        read_bytes, temp_file, tshark, Ng, READABLE,
    };
    use super::*;
    use proptest::prelude::*;
    use std::path::PathBuf;

    fn open_all(path: &Path) -> Result<(Vec<CapturedFrame>, Option<CaptureError>), CaptureError> {
        CaptureReader::open(path).map(drain)
    }

    #[test]
    fn public_captures_match_tshark() {
        let tshark_ok = have_tshark();
        for rel in READABLE {
            let Some(path) = corpus_file(rel) else {
                continue;
            };
            let (frames, err) = open_all(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(err.is_none(), "{rel}: {}", err.unwrap());
            if tshark_ok {
                let theirs = tshark(&path);
                assert!(theirs.success, "{rel}: tshark failed: {}", theirs.stderr);
                assert_same_as_tshark(rel, &frames, &theirs.frames);
            }
        }
    }

    #[test]
    fn public_captures_specifics() {
        let read = |rel: &str| -> Option<(CaptureReader, Vec<CapturedFrame>)> {
            let path = corpus_file(rel)?;
            let mut reader = CaptureReader::open(&path).expect("open");
            let frames = reader
                .by_ref()
                .collect::<Result<Vec<_>, _>>()
                .expect("read");
            Some((reader, frames))
        };
        if let (Some((_, be)), Some((_, le))) = (
            read("pcapng/pcapparser_test001-be.pcapng"),
            read("pcapng/pcapparser_test001-le.pcapng"),
        ) {
            assert_eq!(be.len(), 4);
            assert_eq!(be, le, "both byte orders hold the same frames");
            assert_eq!(
                be[0].meta.interface_name.as_deref(),
                Some("silly ethernet interface")
            );
        }
        if let Some((r, frames)) = read("pcapng/zeek_pcapng-multi-interface.pcapng") {
            assert_eq!(r.link_types(), vec![1, 1]);
            let ids: Vec<_> = frames.iter().map(|f| f.meta.interface_id).collect();
            assert_eq!(ids, [Some(0), Some(0), Some(1), Some(1), Some(1), Some(1)]);
            assert_eq!(
                frames[2].meta.interface_description.as_deref(),
                Some("Ethernet 2")
            );
            // Interface 0 has if_tsresol 10^-9, interface 1 the default 10^-6.
            assert_eq!(frames[0].meta.ts_ns, 1_767_663_089_500_330_493);
            assert_eq!(frames[2].meta.ts_ns, 1_767_663_437_111_897_000);
        }
        if let Some((_, frames)) = read("pcapng/tcpdump_time_2106_overflow.pcapng") {
            assert_eq!(frames[0].meta.ts_ns, 4_294_967_296 * 1_000_000_000);
        }
        if let Some((r, frames)) = read("pcapng/tcpdump_empty.pcapng") {
            assert!(frames.is_empty());
            assert_eq!(r.format(), FileFormat::PcapNg);
            assert_eq!(r.link_types(), vec![1]);
        }
        if let Some((r, frames)) = read("encapsulations/tcpdump_sll_tcp-handshake-nano.pcap") {
            assert_eq!(
                r.format(),
                FileFormat::Pcap {
                    nanosecond: true,
                    big_endian: false
                }
            );
            assert_eq!(r.link_types(), vec![113]);
            assert_eq!(frames.len(), 3);
            assert_eq!(
                frames[0].meta.ts_ns % 1000,
                488,
                "sub-microsecond digits kept"
            );
        }
        if let Some((_, frames)) = read("pcapng/pcapparser_test017-le.pcapng") {
            // Only custom blocks (which tshark lists as records) and no IDB.
            assert!(frames.is_empty());
        }
        if let Some((_, frames)) = read("pcapng/pcapparser_test010-le.pcapng") {
            // Simple Packet Blocks: interface 0, no time stamp.
            assert!(frames
                .iter()
                .all(|f| f.meta.ts_ns == 0 && f.meta.interface_id == Some(0)));
        }
        if let Some((r, frames)) = read("pcapng/pcapparser_modified-format.pcap") {
            assert_eq!(
                r.format(),
                FileFormat::Pcap {
                    nanosecond: false,
                    big_endian: false
                }
            );
            assert_eq!(frames.len(), 1);
        }
    }

    /// Files tshark refuses: we refuse them too, when opening, as Corrupt.
    #[test]
    fn broken_public_captures() {
        let tshark_ok = have_tshark();
        for (rel, expect) in [
            ("pcapng/libpcap_pcapng-invalid-vers-1.pcapng", "version 0.1"),
            ("pcapng/libpcap_pcapng-invalid-vers-2.pcapng", "version 1.1"),
            // Its SHB is "0000..." filler: the trailing length does not match
            // (found first here; tshark first trips on an option length).
            (
                "pcapng/libpcap_shb-option-too-long.pcapng",
                "total length of 52 bytes but ends with",
            ),
        ] {
            let Some(path) = corpus_file(rel) else {
                continue;
            };
            match CaptureReader::open(&path) {
                Err(
                    e @ CaptureError::Corrupt {
                        offset: 0,
                        frames_read: 0,
                        ..
                    },
                ) => {
                    let msg = e.to_string();
                    assert!(msg.contains(expect), "{msg}");
                    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
                }
                Err(e) => panic!("{rel}: unexpected error {e}"),
                Ok(_) => panic!("{rel}: should be refused"),
            }
            if tshark_ok {
                let theirs = tshark(&path);
                assert!(
                    !theirs.success && theirs.frames.is_empty(),
                    "{rel}: tshark read it"
                );
            }
        }
    }

    /// A capture cut short: every complete frame, then Truncated; tshark
    /// prints the same frames, then says the file was "cut short".
    #[test]
    fn truncated_public_capture() {
        for (rel, cut, frames_before) in [
            ("pcapng/pcapparser_test001-le.pcapng", 1000, 2),
            ("encapsulations/tcpdump_sll_tcp-handshake-nano.pcap", 250, 2),
            ("pcapng/pcapparser_err-buffertoosmall.pcapng", 9000, 17),
        ] {
            let Some(path) = corpus_file(rel) else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap();
            let (frames, err) = read_bytes(&bytes[..cut]).unwrap();
            assert_eq!(frames.len(), frames_before, "{rel}");
            match err {
                Some(CaptureError::Truncated {
                    offset,
                    frames_read,
                    ..
                }) => {
                    assert_eq!(
                        (offset, frames_read),
                        (cut as u64, frames_before as u64),
                        "{rel}"
                    )
                }
                other => panic!("{rel}: {other:?}"),
            }
            if have_tshark() {
                let file = temp_file("cut.bin", &bytes[..cut]);
                let theirs = tshark(&file.0);
                assert!(
                    !theirs.success && theirs.stderr.contains("cut short"),
                    "{}",
                    theirs.stderr
                );
                assert_same_as_tshark(rel, &frames, &theirs.frames);
            }
        }
    }

    /// Every file of the public corpus: same frames as tshark; where tshark
    /// fails, we fail too, after the same frames. About a minute of tshark
    /// runs, hence ignored by default: `cargo test -- --ignored`.
    #[test]
    #[ignore = "slow: runs tshark on every corpus file"]
    fn whole_corpus_matches_tshark() {
        let root = corpus_root();
        if !root.is_dir() {
            eprintln!("skipping: {} is not available", root.display());
            return;
        }
        if !have_tshark() {
            return;
        }
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|e| e == "pcap" || e == "pcapng") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&root, &mut files);
        files.sort();
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8);
        let chunk = files.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            for part in files.chunks(chunk) {
                s.spawn(move || {
                    for path in part {
                        let name = path.display().to_string();
                        let theirs = tshark(path);
                        match open_all(path) {
                            Ok((frames, err)) => {
                                assert_eq!(
                                    err.is_none(),
                                    theirs.success,
                                    "{name}: {err:?} / {}",
                                    theirs.stderr
                                );
                                assert_same_as_tshark(&name, &frames, &theirs.frames);
                            }
                            Err(e) => assert!(
                                !theirs.success,
                                "{name}: we refused it ({e}), tshark did not"
                            ),
                        }
                    }
                });
            }
        });
        eprintln!("compared {} corpus files with tshark", files.len());
    }

    #[test]
    fn not_a_capture_and_missing_files() {
        let err = CaptureReader::open(Path::new("/nonexistent/dir/x.pcap"))
            .err()
            .unwrap();
        assert!(matches!(err, CaptureError::Io { .. }));
        assert!(
            err.to_string()
                .starts_with("/nonexistent/dir/x.pcap: cannot read the file:"),
            "{err}"
        );

        let err = read_bytes(b"").err().unwrap();
        assert_eq!(
            err.to_string(),
            "test: not a pcap or pcapng capture file: the file is empty"
        );
        let err = read_bytes(b"GET / HTTP/1.1\r\nHost: x\r\n").err().unwrap();
        let msg = err.to_string();
        assert!(matches!(err, CaptureError::NotACapture { .. }));
        assert!(msg.contains("47 45 54 20 2f 20 48 54"), "{msg}");
        assert!(msg.contains("\"GET / HTTP/1.1..\""), "{msg}");
        let msg = read_bytes(&[0xd4, 0xc3]).err().unwrap().to_string();
        assert!(msg.contains("only 2 byte(s) long (d4 c3"), "{msg}");
    }

    #[test]
    fn corrupt_message_is_clear() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[])
            .epb(0, 1, &[0; 4], 4, &[])
            .epb(0, 1, &[0; 4], 4, &[]);
        let at = 28 + 20;
        ng.bytes[at + 4] = 13; // EPB length 13
        let err = read_bytes(&ng.bytes).unwrap().1.unwrap();
        assert_eq!(
            err.to_string(),
            "test: the file is damaged at byte 48: an Enhanced Packet Block has a total length \
             of 13 bytes, which is not a multiple of 4 (after 0 complete frames)"
        );
    }

    #[test]
    fn open_reads_ahead_to_the_first_frame() {
        let mut ng = Ng::new(false);
        ng.idb(1, 1500, &[])
            .idb(195, 127, &[])
            .epb(1, 1, &[1], 1, &[]);
        let mut r =
            CaptureReader::from_reader(Box::new(std::io::Cursor::new(ng.bytes)), "x").unwrap();
        assert_eq!(r.link_types(), vec![1, 195]);
        assert_eq!(r.snaplen(), 1500);
        assert_eq!(r.next().unwrap().unwrap().meta.link_type, 195);
        assert!(r.next().is_none());
    }

    /// A pcap stream generated on the fly: the reader never needs more than
    /// the current record, whatever the length of the stream.
    #[test]
    fn streams_long_inputs() {
        struct Gen {
            pending: Vec<u8>,
            made: u32,
            total: u32,
        }
        impl Read for Gen {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.pending.is_empty() && self.made < self.total {
                    self.made += 1;
                    let data = vec![self.made as u8; 100 + (self.made % 50) as usize];
                    self.pending =
                        pcap_bytes(false, false, 1, &[(self.made, 0, &data, 1500)])[24..].to_vec();
                }
                let n = buf.len().min(self.pending.len());
                buf[..n].copy_from_slice(&self.pending[..n]);
                self.pending.drain(..n);
                Ok(n)
            }
        }
        let total = 200_000;
        let gen = Gen {
            pending: pcap_bytes(false, false, 1, &[]),
            made: 0,
            total,
        };
        let mut count = 0u32;
        for f in CaptureReader::from_reader(Box::new(gen), "generated").unwrap() {
            let f = f.unwrap();
            count += 1;
            assert_eq!(f.meta.ts_ns, i64::from(count) * 1_000_000_000);
            assert_eq!(f.data.len(), 100 + (count % 50) as usize);
        }
        assert_eq!(count, total);
    }

    /// Reads everything, checking the invariants every input must keep.
    fn read_anything(bytes: &[u8]) {
        if let Ok((frames, err)) = read_bytes(bytes) {
            for (i, f) in frames.iter().enumerate() {
                assert_eq!(f.meta.number, i as u64 + 1);
                assert!(f.data.len() <= bytes.len());
            }
            if let Some(CaptureError::Truncated {
                offset,
                frames_read,
                ..
            }) = err
            {
                assert_eq!(offset, bytes.len() as u64);
                assert_eq!(frames_read, frames.len() as u64);
            }
        }
    }

    fn sample_pcapng() -> Vec<u8> {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(2, b"eth0"), (9, &[0x80 | 20])]);
        ng.epb(0, 123_456_789, &[1, 2, 3, 4, 5], 60, &[(1, b"comment")]);
        ng.spb(3, &[9, 9, 9]);
        ng.block(5, &[0; 12]);
        ng.shb(true);
        ng.idb(113, 64, &[]);
        ng.opb(0, 5, &[7; 9], 9, &[]);
        ng.bytes
    }

    fn sample_pcap() -> Vec<u8> {
        pcap_bytes(
            true,
            true,
            1,
            &[(1, 2, &[1, 2, 3], 3), (4, 5, &[6; 40], 40)],
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            read_anything(&bytes);
        }

        #[test]
        fn random_bytes_after_a_valid_start_never_panic(
            pcapng in any::<bool>(),
            tail in proptest::collection::vec(any::<u8>(), 0..600),
        ) {
            let mut bytes = if pcapng { Ng::new(false).bytes } else { pcap_bytes(false, false, 1, &[]) };
            bytes.extend_from_slice(&tail);
            read_anything(&bytes);
        }

        #[test]
        fn mutated_files_never_panic(
            pcapng in any::<bool>(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            do_cut in any::<bool>(),
        ) {
            let mut bytes = if pcapng { sample_pcapng() } else { sample_pcap() };
            for (at, value) in edits {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            if do_cut {
                let n = cut.index(bytes.len() + 1);
                bytes.truncate(n);
            }
            read_anything(&bytes);
        }
    }
}
