//! Classic pcap ("libpcap savefile") reading.
//!
//! References: the `pcap-savefile(5)` man page and draft-ietf-opsawg-pcap
//! ("PCAP Capture File Format").
//!
//! A file is a 24-byte header followed by packet records. Every field is in
//! the byte order of the writer, which the reader learns from how the magic
//! number reads:
//!
//! ```text
//!   File header
//!    0                   1                   2                   3
//!    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//!   +---------------------------------------------------------------+
//!  0|    Magic: a1b2c3d4 (us time stamps) or a1b23c4d (ns)          |
//!   +-------------------------------+-------------------------------+
//!  4|        Major version (2)      |       Minor version (4)       |
//!   +-------------------------------+-------------------------------+
//!  8|              Reserved1 (historically "thiszone")              |
//! 12|              Reserved2 (historically "sigfigs")               |
//! 16|                            SnapLen                            |
//!   +-------+-+-+-------------------+-------------------------------+
//! 20|FCS len|R|P|     Reserved3     |        Link-layer type        |
//!   +-------+-+-+-------------------+-------------------------------+
//!
//!   Packet record
//!   +---------------------------------------------------------------+
//!  0|                    Time stamp (seconds)                       |
//!  4|          Time stamp (microseconds or nanoseconds)             |
//!  8|                  Captured packet length                       |
//! 12|                  Original packet length                       |
//!   +---------------------------------------------------------------+
//! 16/           Packet data (captured length bytes, no padding)     /
//!   +---------------------------------------------------------------+
//! ```
//!
//! Only the low 16 bits of the link-type word are the `LINKTYPE_*` value;
//! the upper bits may carry the FCS length (see the draft) and are ignored.
//!
//! The "modified" pcap of Alexey Kuznetzov's patched libpcap (magic
//! `a1b2cd34`) is also read, because tshark reads it: its records carry 8
//! more header bytes (interface index, protocol, packet type, padding)
//! which are skipped.

use super::{CaptureError, CapturedFrame, FileFormat, Input, MAX_RECORD_BYTES};
use dissectors::engine::FrameMeta;

const FILE_HEADER_LEN: usize = 24;
const RECORD_HEADER_LEN: usize = 16;
const MODIFIED_RECORD_HEADER_LEN: usize = 24;

/// What the magic number says about the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PcapKind {
    big_endian: bool,
    nanosecond: bool,
    /// Kuznetzov's modified format (longer record headers).
    modified: bool,
}

impl PcapKind {
    /// Recognises the first four bytes of a file.
    pub(super) fn from_magic(magic: [u8; 4]) -> Option<PcapKind> {
        let (nanosecond, modified) = match u32::from_be_bytes(magic) {
            0xa1b2_c3d4 | 0xd4c3_b2a1 => (false, false),
            0xa1b2_3c4d | 0x4d3c_b2a1 => (true, false),
            0xa1b2_cd34 | 0x34cd_b2a1 => (false, true),
            _ => return None,
        };
        Some(PcapKind {
            // Written big endian, the magic's first byte is a1.
            big_endian: magic[0] == 0xa1,
            nanosecond,
            modified,
        })
    }
}

/// Reading state of a pcap file: just what the header said.
pub(super) struct PcapState {
    kind: PcapKind,
    snaplen: u32,
    link_type: u32,
}

impl PcapState {
    /// Reads the rest of the file header (the magic has been consumed).
    pub(super) fn start(input: &mut Input, kind: PcapKind) -> Result<PcapState, CaptureError> {
        let mut rest = [0u8; FILE_HEADER_LEN - 4];
        if input.fill(&mut rest)? < rest.len() {
            return Err(input.truncated("the pcap file header"));
        }
        let mut state = PcapState {
            kind,
            snaplen: 0,
            link_type: 0,
        };
        let major = state.u16(&rest[0..2]);
        let minor = state.u16(&rest[2..4]);
        // tshark also refuses version 1 files ("major version unsupported");
        // everything since 1998 writes 2.4.
        if major < 2 {
            return Err(input.corrupt(
                4,
                format!("pcap version {major}.{minor} is not supported (only 2.x is)"),
            ));
        }
        state.snaplen = state.u32(&rest[12..16]);
        state.link_type = state.u32(&rest[16..20]) & 0xffff;
        Ok(state)
    }

    pub(super) fn format(&self) -> FileFormat {
        FileFormat::Pcap {
            nanosecond: self.kind.nanosecond,
            big_endian: self.kind.big_endian,
        }
    }

    pub(super) fn link_type(&self) -> u32 {
        self.link_type
    }

    pub(super) fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// Reads the next packet record; `None` at a clean end of file.
    pub(super) fn next_frame(
        &mut self,
        input: &mut Input,
    ) -> Result<Option<CapturedFrame>, CaptureError> {
        let start = input.offset();
        let header_len = if self.kind.modified {
            MODIFIED_RECORD_HEADER_LEN
        } else {
            RECORD_HEADER_LEN
        };
        let mut header = [0u8; MODIFIED_RECORD_HEADER_LEN];
        let got = input.fill(&mut header[..header_len])?;
        if got == 0 {
            return Ok(None);
        }
        if got < header_len {
            return Err(input.truncated("a packet record header"));
        }
        let ts_sec = self.u32(&header[0..4]);
        let ts_frac = self.u32(&header[4..8]);
        let caplen = self.u32(&header[8..12]);
        let orig_len = self.u32(&header[12..16]);
        // A captured length above the snapshot length is tolerated (tshark
        // reads such files), but not one that would make us buffer an
        // absurd amount of memory.
        if caplen > MAX_RECORD_BYTES {
            return Err(input.corrupt(
                start,
                format!(
                    "a packet record claims {caplen} captured bytes, more than the {} MiB \
                     allowed for one packet",
                    MAX_RECORD_BYTES >> 20
                ),
            ));
        }
        let Some(data) = input.read_shared(caplen as usize)? else {
            return Err(input.truncated("a packet record"));
        };
        // Seconds are unsigned in the format (good until 2106); the integer
        // math below cannot overflow: (2^32 - 1) * 10^9 + 2^32 * 1000 < 2^63.
        let frac_ns = if self.kind.nanosecond {
            i64::from(ts_frac)
        } else {
            i64::from(ts_frac) * 1_000
        };
        let meta = FrameMeta {
            ts_ns: i64::from(ts_sec) * 1_000_000_000 + frac_ns,
            orig_len,
            link_type: self.link_type,
            ..FrameMeta::default()
        };
        Ok(Some(CapturedFrame { meta, data }))
    }

    fn u16(&self, b: &[u8]) -> u16 {
        let b = [b[0], b[1]];
        if self.kind.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }

    fn u32(&self, b: &[u8]) -> u32 {
        let b = [b[0], b[1], b[2], b[3]];
        if self.kind.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{cut_in_header, pcap_bytes, read_bytes};
    use super::super::{CaptureError, FileFormat, MAX_RECORD_BYTES};

    const A: &[u8] = &[0xaa; 60];
    const B: &[u8] = &[0xbb; 1];
    const C: &[u8] = &[0xcc; 17];

    fn three_frames(big: bool, ns: bool) -> Vec<u8> {
        pcap_bytes(
            big,
            ns,
            1,
            &[
                (1000, 1, A, 60),
                (1001, 999_999, B, 1500),
                (4_294_967_295, 0, C, 17),
            ],
        )
    }

    #[test]
    fn reads_all_four_magics() {
        for big in [false, true] {
            for ns in [false, true] {
                let (frames, err) = read_bytes(&three_frames(big, ns)).expect("open");
                assert!(err.is_none(), "{err:?}");
                assert_eq!(frames.len(), 3);
                let unit = if ns { 1 } else { 1000 };
                assert_eq!(frames[0].meta.ts_ns, 1_000_000_000_000 + unit);
                assert_eq!(frames[1].meta.ts_ns, 1_001_000_000_000 + 999_999 * unit);
                // Seconds are unsigned: the last second before 2106 works.
                assert_eq!(frames[2].meta.ts_ns, 4_294_967_295 * 1_000_000_000);
                assert_eq!(*frames[0].data, *A);
                assert_eq!(*frames[1].data, *B);
                assert_eq!(frames[1].meta.orig_len, 1500);
                for (i, f) in frames.iter().enumerate() {
                    assert_eq!(f.meta.number, i as u64 + 1);
                    assert_eq!(f.meta.link_type, 1);
                    assert_eq!(f.meta.interface_id, None);
                    assert!(f.meta.comments.is_empty());
                }
                let r = super::super::CaptureReader::from_reader(
                    Box::new(std::io::Cursor::new(three_frames(big, ns))),
                    "x",
                )
                .unwrap();
                assert_eq!(
                    r.format(),
                    FileFormat::Pcap {
                        nanosecond: ns,
                        big_endian: big
                    }
                );
                assert_eq!(r.link_types(), vec![1]);
                assert_eq!(r.snaplen(), 65535);
            }
        }
    }

    #[test]
    fn truncated_at_every_offset() {
        let file = three_frames(false, false);
        // Frame k ends at these offsets.
        let ends = [24 + 16 + 60, 24 + 16 + 60 + 16 + 1, file.len()];
        for cut in 0..=file.len() {
            let result = read_bytes(&file[..cut]);
            if cut_in_header(cut, 24, &result) {
                continue;
            }
            let (frames, err) = result.expect("header complete");
            let complete = ends.iter().filter(|&&e| e <= cut).count();
            assert_eq!(frames.len(), complete, "cut {cut}");
            let at_boundary = cut == 24 || ends.contains(&cut);
            match err {
                None => assert!(at_boundary, "cut {cut}: missing error"),
                Some(CaptureError::Truncated {
                    offset,
                    frames_read,
                    ref detail,
                    ..
                }) => {
                    assert!(!at_boundary, "cut {cut}: spurious error");
                    assert_eq!(offset, cut as u64);
                    assert_eq!(frames_read, complete as u64);
                    assert!(detail.contains("packet record"), "{detail}");
                }
                Some(e) => panic!("cut {cut}: {e}"),
            }
        }
    }

    #[test]
    fn truncated_message_is_clear() {
        let file = three_frames(false, false);
        let err = read_bytes(&file[..140]).unwrap().1.unwrap();
        assert_eq!(
            err.to_string(),
            "test: the file ends in the middle of a packet record at byte 140 (after 2 complete frames)"
        );
    }

    #[test]
    fn huge_caplen_is_corrupt() {
        let mut file = pcap_bytes(false, false, 1, &[(1, 0, A, 60)]);
        let second = file.len() as u64;
        file.extend_from_slice(&pcap_bytes(false, false, 1, &[(2, 0, B, 1)])[24..]);
        // Second record claims 256 MiB + 1 bytes.
        let at = second as usize + 8;
        file[at..at + 4].copy_from_slice(&(MAX_RECORD_BYTES + 1).to_le_bytes());
        let (frames, err) = read_bytes(&file).unwrap();
        assert_eq!(frames.len(), 1);
        match err {
            Some(CaptureError::Corrupt {
                offset,
                frames_read: 1,
                ..
            }) => assert_eq!(offset, second),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn large_bogus_caplen_in_small_file_is_truncated_not_allocated() {
        // Just under the cap: accepted as a length, but the data is missing.
        let mut file = pcap_bytes(false, false, 1, &[(1, 0, B, 1)]);
        file[32..36].copy_from_slice(&MAX_RECORD_BYTES.to_le_bytes());
        let (frames, err) = read_bytes(&file).unwrap();
        assert!(frames.is_empty());
        assert!(
            matches!(err, Some(CaptureError::Truncated { offset: 41, .. })),
            "{err:?}"
        );
    }

    #[test]
    fn caplen_above_snaplen_is_accepted() {
        let big = vec![7u8; 70_000];
        let (frames, err) =
            read_bytes(&pcap_bytes(false, false, 1, &[(1, 0, &big, 70_000)])).unwrap();
        assert!(err.is_none());
        assert_eq!(frames[0].data.len(), 70_000);
    }

    #[test]
    fn link_type_ignores_fcs_bits() {
        // FCS length 3 with the P bit (0x3400_0000) on top of LINKTYPE 229.
        let (frames, _) =
            read_bytes(&pcap_bytes(true, false, 0x3400_00e5, &[(1, 0, B, 1)])).unwrap();
        assert_eq!(frames[0].meta.link_type, 229);
    }

    #[test]
    fn empty_capture_after_header() {
        let (frames, err) = read_bytes(&pcap_bytes(false, true, 1, &[])).unwrap();
        assert!(frames.is_empty() && err.is_none());
    }

    #[test]
    fn version_1_is_refused() {
        let mut file = pcap_bytes(false, false, 1, &[]);
        file[4] = 1;
        assert!(matches!(
            read_bytes(&file),
            Err(CaptureError::Corrupt { offset: 4, .. })
        ));
    }

    #[test]
    fn modified_format() {
        let mut file = pcap_bytes(false, false, 1, &[]);
        file[0..4].copy_from_slice(&0xa1b2_cd34_u32.to_le_bytes());
        for (s, data) in [(5u32, A), (6, B)] {
            file.extend_from_slice(&s.to_le_bytes());
            file.extend_from_slice(&250_000u32.to_le_bytes());
            file.extend_from_slice(&(data.len() as u32).to_le_bytes());
            file.extend_from_slice(&(data.len() as u32).to_le_bytes());
            file.extend_from_slice(&[9; 8]); // ifindex, protocol, pkt_type, pad
            file.extend_from_slice(data);
        }
        let (frames, err) = read_bytes(&file).unwrap();
        assert!(err.is_none(), "{err:?}");
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].meta.ts_ns, 5_250_000_000);
        assert_eq!(*frames[1].data, *B);
    }
}
