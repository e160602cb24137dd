//! pcapng reading.
//!
//! Reference: draft-ietf-opsawg-pcapng ("PCAP Now Generic (PCAPNG) Capture
//! File Format").
//!
//! A pcapng file is a sequence of blocks. Every block has the same frame,
//! which is what lets a reader skip blocks it does not know:
//!
//! ```text
//!    0                   1                   2                   3
//!    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//!   +---------------------------------------------------------------+
//!  0|                          Block Type                           |
//!   +---------------------------------------------------------------+
//!  4|                      Block Total Length                       |
//!   +---------------------------------------------------------------+
//!  8/                          Block Body                           /
//!   /          (variable length, padded to 32 bits)                 /
//!   +---------------------------------------------------------------+
//!   |                      Block Total Length                       |
//!   +---------------------------------------------------------------+
//! ```
//!
//! The total length counts the whole block (so it is at least 12 and a
//! multiple of 4) and is repeated at the end as a consistency check.
//!
//! A file is one or more *sections*. Each starts with a Section Header Block
//! (SHB) whose byte-order magic fixes the byte order of every block of the
//! section; a new SHB forgets all interfaces. Interface Description Blocks
//! (IDB) are numbered from 0 within the section, and packet blocks refer to
//! them by that number:
//!
//! ```text
//!   SHB  body: byte-order magic 1a2b3c4d | major 1 | minor 0 |
//!              section length (i64, -1 = unknown) | options
//!   IDB  body: LinkType (u16) | reserved (u16) | SnapLen (u32) | options
//!              (if_name 2, if_description 3, if_tsresol 9, if_tsoffset 14)
//!   EPB  body: interface id (u32) | time stamp high (u32) | low (u32) |
//!              captured len (u32) | original len (u32) | data, padded | options
//!   SPB  body: original len (u32) | data, padded          (interface 0, no time)
//!   OPB  body: interface id (u16) | drops (u16) | time stamp high | low |
//!              captured len | original len | data, padded | options
//!   options:   code (u16) | length (u16) | value, padded to 32 bits ...
//!              ended by opt_endofopt (code 0) or by the end of the body
//! ```
//!
//! Time stamps count units of `if_tsresol` (10^-6 s unless the IDB says
//! otherwise; 10^-n or, with the top bit set, 2^-n) since the Unix epoch plus
//! `if_tsoffset` seconds. They are converted to nanoseconds with integer math.
//!
//! Name Resolution, Interface Statistics, Decryption Secrets, custom and
//! unknown blocks carry nothing a frame needs and are skipped (after the same
//! length checks as every block).

use super::{
    interface_text, option_text, CaptureError, CapturedFrame, Input, MAX_INTERFACES,
    MAX_RECORD_BYTES, MAX_TIMESTAMP_NS,
};
use dissectors::engine::FrameMeta;
use std::sync::Arc;

/// The SHB block type as it appears in the file (the same in both orders).
pub(super) const SHB_TYPE_BYTES: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

const BT_SHB: u32 = 0x0a0d_0d0a;
const BT_IDB: u32 = 0x0000_0001;
const BT_OPB: u32 = 0x0000_0002;
const BT_SPB: u32 = 0x0000_0003;
const BT_NRB: u32 = 0x0000_0004;
const BT_ISB: u32 = 0x0000_0005;
const BT_EPB: u32 = 0x0000_0006;
const BT_DSB: u32 = 0x0000_000a;
const BT_CB_COPY: u32 = 0x0000_0bad;
const BT_CB_NO_COPY: u32 = 0x4000_0bad;

const OPT_ENDOFOPT: u16 = 0;
const OPT_COMMENT: u16 = 1;
const IF_NAME: u16 = 2;
const IF_DESCRIPTION: u16 = 3;
const IF_TSRESOL: u16 = 9;
const IF_TSOFFSET: u16 = 14;

/// Smallest SHB: type, length, magic, versions, section length, length.
const MIN_SHB_LEN: u32 = 28;

/// What a packet block needs to know about its interface.
#[derive(Debug)]
struct Interface {
    link_type: u32,
    snaplen: u32,
    name: Option<Arc<str>>,
    description: Option<Arc<str>>,
    /// Time stamp units per second (10^n or 2^n; saturated at u128::MAX).
    units_per_sec: u128,
    /// `if_tsoffset`: seconds added to every time stamp.
    offset_s: i64,
}

impl Interface {
    /// Converts a raw 64-bit time stamp to nanoseconds since the epoch.
    ///
    /// Done in 128-bit integers so that neither fine resolutions (2^-n,
    /// 10^-12) nor large values (past 2106) lose precision; the result is
    /// exact (rounded down to whole nanoseconds) and only saturates outside
    /// [`MAX_TIMESTAMP_NS`] (~146 years) either side of 1970, so that the
    /// difference of any two time stamps (relative times, deltas) fits an `i64`.
    fn timestamp_ns(&self, ticks: u64) -> i64 {
        let (secs, frac_ns) = match u64::try_from(self.units_per_sec) {
            // The usual resolutions (µs, ns): 64-bit divisions, not 128-bit library calls
            // per frame; the fraction times 10^9 stays below 10^18.
            Ok(units) if units <= 1_000_000_000 => {
                let frac_ns = (ticks % units) * 1_000_000_000 / units;
                (u128::from(ticks / units), u128::from(frac_ns))
            }
            _ => {
                let (ticks, units) = (u128::from(ticks), self.units_per_sec);
                // (ticks % units) < 2^64, so multiplying by 10^9 stays below 2^94.
                (ticks / units, (ticks % units) * 1_000_000_000 / units)
            }
        };
        // secs < 2^64: every term fits comfortably in an i128.
        let ns = secs as i128 * 1_000_000_000
            + frac_ns as i128
            + i128::from(self.offset_s) * 1_000_000_000;
        ns.clamp(-i128::from(MAX_TIMESTAMP_NS), i128::from(MAX_TIMESTAMP_NS)) as i64
    }
}

/// The fixed fields of a packet block (EPB, SPB or OPB).
struct PacketFields {
    /// Interface id.
    id: u32,
    /// Raw time stamp; `None` for an SPB, which has none.
    ticks: Option<u64>,
    caplen: u32,
    orig_len: u32,
    /// Where the packet data starts in the block body.
    data_at: usize,
    /// Whether options follow the (padded) data.
    has_options: bool,
}

/// One block as read from the file: its body either in the reader's buffer (an EPB read
/// in place) or in [`PcapNgState::spare`].
struct Block<'a> {
    kind: u32,
    /// File offset of the block's first byte.
    start: u64,
    /// File offset of `body[0]`.
    body_start: u64,
    /// What lies between the length field and the trailing length (for an
    /// SHB, after the byte-order magic).
    body: &'a [u8],
}

/// Where a block read by [`PcapNgState::read_block_after_type`] is: its body is in
/// [`PcapNgState::spare`].
#[derive(Clone, Copy)]
struct BlockAt {
    kind: u32,
    start: u64,
    body_start: u64,
}

/// Reading state of a pcapng file.
pub(super) struct PcapNgState {
    /// Byte order of the current section.
    big_endian: bool,
    /// Interfaces of the current section, by id.
    interfaces: Vec<Interface>,
    /// Link type of every IDB read, across sections (capped).
    link_types: Vec<u32>,
    max_snaplen: u32,
    /// The body buffer of the last block read, kept so that reading the next one allocates
    /// nothing (a frame's bytes are then copied out once, at their exact size).
    spare: Vec<u8>,
}

impl PcapNgState {
    /// Reads the first Section Header Block (its type has been consumed).
    pub(super) fn start(input: &mut Input) -> Result<PcapNgState, CaptureError> {
        let mut state = PcapNgState {
            big_endian: false,
            interfaces: Vec::new(),
            link_types: Vec::new(),
            max_snaplen: 0,
            spare: Vec::new(),
        };
        let at = state.read_block_after_type(input, SHB_TYPE_BYTES)?;
        let body = std::mem::take(&mut state.spare);
        state.section_header(input, &at.with(&body))?;
        state.spare = body;
        Ok(state)
    }

    pub(super) fn link_types(&self) -> &[u32] {
        &self.link_types
    }

    pub(super) fn snaplen(&self) -> u32 {
        self.max_snaplen
    }

    /// Reads blocks up to and including the next packet block; `None` at a
    /// clean end of file (the end of a block).
    pub(super) fn next_frame(
        &mut self,
        input: &mut Input,
    ) -> Result<Option<CapturedFrame>, CaptureError> {
        loop {
            if let Some(frame) = self.buffered_packet(input) {
                return frame.map(Some);
            }
            let mut block_type = [0u8; 4];
            let got = input.fill(&mut block_type)?;
            if got == 0 {
                return Ok(None);
            }
            if got < block_type.len() {
                return Err(input.truncated("the header of a pcapng block"));
            }
            let at = self.read_block_after_type(input, block_type)?;
            let body = std::mem::take(&mut self.spare);
            let block = at.with(&body);
            let frame = match block.kind {
                BT_SHB => self.section_header(input, &block).map(|()| None),
                BT_IDB => self.interface_description(input, &block).map(|()| None),
                BT_EPB | BT_OPB => self.timed_packet(input, &block).map(Some),
                BT_SPB => self.simple_packet(input, &block).map(Some),
                // NRB, ISB, DSB, custom and unknown blocks: nothing for a frame.
                _ => Ok(None),
            };
            self.spare = body;
            if let Some(frame) = frame? {
                return Ok(Some(frame));
            }
        }
    }

    /// The next block when it is an Enhanced Packet Block that lies whole in the reader's
    /// buffer (nearly every block of a capture): parsed in place, its bytes copied once, into
    /// the frame. None for anything else, which the block-by-block path reads (and reports).
    fn buffered_packet(&self, input: &mut Input) -> Option<Result<CapturedFrame, CaptureError>> {
        let buf = input.buffered();
        if buf.len() < 12 || self.u32(&buf[0..4]) != BT_EPB {
            return None;
        }
        let total = self.u32(&buf[4..8]);
        let len = total as usize;
        if total < 12 || !total.is_multiple_of(4) || total > MAX_RECORD_BYTES || buf.len() < len {
            return None;
        }
        if self.u32(&buf[len - 4..len]) != total {
            return None;
        }
        let start = input.offset();
        let block = Block {
            kind: BT_EPB,
            start,
            body_start: start + 8,
            body: &buf[8..len - 4],
        };
        let frame = self.timed_packet(input, &block);
        input.consume(len);
        Some(frame)
    }

    /// Reads the rest of a block whose 4 type bytes have been consumed,
    /// checking its length fields.
    fn read_block_after_type(
        &mut self,
        input: &mut Input,
        type_bytes: [u8; 4],
    ) -> Result<BlockAt, CaptureError> {
        let start = input.offset() - 4;
        let is_shb = type_bytes == SHB_TYPE_BYTES;
        let mut len_bytes = [0u8; 4];
        if input.fill(&mut len_bytes)? < 4 {
            return Err(input.truncated("the header of a pcapng block"));
        }
        let mut head_len = 8u32;
        if is_shb {
            // The byte order of the length field is only known after the
            // byte-order magic that follows it.
            let mut magic = [0u8; 4];
            if input.fill(&mut magic)? < 4 {
                return Err(input.truncated("a Section Header Block"));
            }
            self.big_endian = match magic {
                [0x1a, 0x2b, 0x3c, 0x4d] => true,
                [0x4d, 0x3c, 0x2b, 0x1a] => false,
                _ => {
                    let detail = format!(
                        "the Section Header Block has byte-order magic {:02x}{:02x}{:02x}{:02x}, \
                         not 1a2b3c4d in either byte order",
                        magic[0], magic[1], magic[2], magic[3]
                    );
                    // At the start of the input 0a0d0d0a may just be text
                    // ("\n\r\r\n"): then this is not a pcapng file at all.
                    return Err(if start == 0 {
                        input.not_a_capture(format!("it starts like pcapng, but {detail}"))
                    } else {
                        input.corrupt(start, detail)
                    });
                }
            };
            head_len = 12;
        }
        let kind = self.u32(&type_bytes);
        let total = self.u32(&len_bytes);
        let problem = if total < 12 {
            Some("less than the 12-byte minimum".to_string())
        } else if !total.is_multiple_of(4) {
            Some("not a multiple of 4".to_string())
        } else if is_shb && total < MIN_SHB_LEN {
            Some(format!(
                "less than the {MIN_SHB_LEN}-byte minimum of a Section Header Block"
            ))
        } else if total > MAX_RECORD_BYTES {
            Some(format!(
                "more than the {} MiB allowed for one block",
                MAX_RECORD_BYTES >> 20
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(input.corrupt(
                start,
                format!(
                    "{} has a total length of {total} bytes, which is {problem}",
                    block_name(kind)
                ),
            ));
        }
        let want = (total - head_len) as usize;
        let mut rest = std::mem::take(&mut self.spare);
        input.read_into(&mut rest, want)?;
        if rest.len() < want {
            return Err(input.truncated(&block_name(kind)));
        }
        let trailer = self.u32(&rest[want - 4..]);
        if trailer != total {
            return Err(input.corrupt(
                start,
                format!(
                    "{} starts with a total length of {total} bytes but ends with {trailer} \
                     (at byte {})",
                    block_name(kind),
                    input.offset() - 4
                ),
            ));
        }
        rest.truncate(want - 4);
        self.spare = rest;
        Ok(BlockAt {
            kind,
            start,
            body_start: start + u64::from(head_len),
        })
    }

    /// SHB: checks the version and options, and starts a new section.
    fn section_header(&mut self, input: &Input, block: &Block<'_>) -> Result<(), CaptureError> {
        // The minimum total length guarantees versions and section length.
        let major = self.u16(&block.body[0..2]);
        let minor = self.u16(&block.body[2..4]);
        // 1.0 is the only version defined; 1.2 was written by some old
        // tools and is read by libpcap and Wireshark alike.
        if major != 1 || (minor != 0 && minor != 2) {
            return Err(input.corrupt(
                block.start,
                format!("the Section Header Block has pcapng version {major}.{minor}, which is not supported (1.0 is the defined version)"),
            ));
        }
        self.walk_options(input, block, 12, |_, _| {})?;
        self.interfaces.clear();
        Ok(())
    }

    /// IDB: records a new interface of the current section.
    fn interface_description(
        &mut self,
        input: &Input,
        block: &Block<'_>,
    ) -> Result<(), CaptureError> {
        let body = &block.body;
        if body.len() < 8 {
            return Err(too_short(input, block, 8));
        }
        if self.interfaces.len() >= MAX_INTERFACES {
            return Err(input.corrupt(
                block.start,
                format!("the section describes more than {MAX_INTERFACES} interfaces"),
            ));
        }
        let mut iface = Interface {
            link_type: u32::from(self.u16(&body[0..2])),
            snaplen: self.u32(&body[4..8]),
            name: None,
            description: None,
            units_per_sec: 1_000_000,
            offset_s: 0,
        };
        let mut tsresol = None;
        let big_endian = self.big_endian;
        self.walk_options(input, block, 8, |code, value| match code {
            IF_NAME => iface.name = Some(interface_text(value).into()),
            IF_DESCRIPTION => iface.description = Some(interface_text(value).into()),
            IF_TSRESOL if !value.is_empty() => tsresol = Some(value[0]),
            IF_TSOFFSET if value.len() == 8 => {
                let b = [
                    value[0], value[1], value[2], value[3], value[4], value[5], value[6], value[7],
                ];
                iface.offset_s = if big_endian {
                    i64::from_be_bytes(b)
                } else {
                    i64::from_le_bytes(b)
                };
            }
            _ => {}
        })?;
        if let Some(resol) = tsresol {
            // Top bit set: 2^-n seconds, else 10^-n seconds. 2^127 fits a
            // u128; 10^n does not beyond n = 38, but from n = 29 on every
            // 64-bit time stamp is less than a nanosecond anyway, so using
            // u128::MAX instead gives the same, exact, result (as tshark).
            let exponent = u32::from(resol & 0x7f);
            iface.units_per_sec = if resol & 0x80 != 0 {
                1u128 << exponent
            } else {
                10u128.checked_pow(exponent).unwrap_or(u128::MAX)
            };
        }
        if self.link_types.len() < MAX_INTERFACES {
            self.link_types.push(iface.link_type);
        }
        self.max_snaplen = self.max_snaplen.max(iface.snaplen);
        self.interfaces.push(iface);
        Ok(())
    }

    /// EPB (the usual packet block) and OPB (the packet block of pcapng's
    /// early drafts, still found in old files). They differ only in the
    /// interface id: 4 bytes in an EPB, 2 in an OPB followed by a 2-byte
    /// drops count; time stamp, lengths, data and options follow alike.
    fn timed_packet(
        &self,
        input: &Input,
        block: &Block<'_>,
    ) -> Result<CapturedFrame, CaptureError> {
        if block.body.len() < 20 {
            return Err(too_short(input, block, 20));
        }
        let b = &block.body;
        let id = if block.kind == BT_OPB {
            u32::from(self.u16(&b[0..2]))
        } else {
            self.u32(&b[0..4])
        };
        let ticks = u64::from(self.u32(&b[4..8])) << 32 | u64::from(self.u32(&b[8..12]));
        let fields = PacketFields {
            id,
            ticks: Some(ticks),
            caplen: self.u32(&b[12..16]),
            orig_len: self.u32(&b[16..20]),
            data_at: 20,
            has_options: true,
        };
        self.packet(input, block, fields)
    }

    /// SPB: interface 0, no time stamp, no options. The captured length is
    /// not stored: it is the original length cut to interface 0's snaplen,
    /// and (leniently) to the data the block actually holds.
    fn simple_packet(
        &self,
        input: &Input,
        block: &Block<'_>,
    ) -> Result<CapturedFrame, CaptureError> {
        if block.body.len() < 4 {
            return Err(too_short(input, block, 4));
        }
        let orig_len = self.u32(&block.body[0..4]);
        let iface = self.interface(input, block, 0)?;
        let mut caplen = orig_len;
        if iface.snaplen != 0 {
            caplen = caplen.min(iface.snaplen);
        }
        // The body is at most MAX_RECORD_BYTES, so this fits a u32.
        caplen = caplen.min((block.body.len() - 4) as u32);
        let fields = PacketFields {
            id: 0,
            ticks: None,
            caplen,
            orig_len,
            data_at: 4,
            has_options: false,
        };
        self.packet(input, block, fields)
    }

    /// Builds a frame from a packet block and its decoded fixed fields.
    fn packet(
        &self,
        input: &Input,
        block: &Block<'_>,
        fields: PacketFields,
    ) -> Result<CapturedFrame, CaptureError> {
        let PacketFields {
            id,
            ticks,
            caplen,
            orig_len,
            data_at,
            has_options,
        } = fields;
        let room = block.body.len() - data_at;
        if caplen as usize > room {
            return Err(input.corrupt(
                block.start,
                format!(
                    "{} says it holds {caplen} captured bytes, but it has room for only {room}",
                    block_name(block.kind)
                ),
            ));
        }
        let iface = self.interface(input, block, id)?;
        let data_end = data_at + caplen as usize;
        // Options start after the data padded to 32 bits; a missing final
        // padding is tolerated.
        let options_at = data_end.next_multiple_of(4);
        let mut comments = Vec::new();
        if has_options && options_at < block.body.len() {
            self.walk_options(input, block, options_at, |code, value| {
                if code == OPT_COMMENT {
                    comments.push(option_text(value));
                }
            })?;
        }
        let data = Arc::from(&block.body[data_at..data_end]);
        let meta = FrameMeta {
            ts_ns: ticks.map_or(0, |t| iface.timestamp_ns(t)),
            orig_len,
            link_type: iface.link_type,
            interface_id: Some(id),
            interface_name: iface.name.clone(),
            interface_description: iface.description.clone(),
            comments,
            ..FrameMeta::default()
        };
        Ok(CapturedFrame { meta, data })
    }

    /// The interface a packet block refers to; Corrupt if it was never
    /// described in this section.
    fn interface(
        &self,
        input: &Input,
        block: &Block<'_>,
        id: u32,
    ) -> Result<&Interface, CaptureError> {
        self.interfaces.get(id as usize).ok_or_else(|| {
            input.corrupt(
                block.start,
                format!(
                    "{} refers to interface {id}, but the section has described only {} interface(s)",
                    block_name(block.kind),
                    self.interfaces.len()
                ),
            )
        })
    }

    /// Calls `f(code, value)` for every option in `block.body[from..]`.
    ///
    /// Options end at opt_endofopt or where the body ends; fewer than 4
    /// leftover bytes are ignored. An option longer than what is left of the
    /// body makes the block Corrupt (as in tshark).
    fn walk_options(
        &self,
        input: &Input,
        block: &Block<'_>,
        from: usize,
        mut f: impl FnMut(u16, &[u8]),
    ) -> Result<(), CaptureError> {
        let body = &block.body;
        let mut pos = from;
        while pos + 4 <= body.len() {
            let code = self.u16(&body[pos..pos + 2]);
            let len = usize::from(self.u16(&body[pos + 2..pos + 4]));
            if code == OPT_ENDOFOPT {
                break;
            }
            let value_at = pos + 4;
            let left = body.len() - value_at;
            if len > left {
                return Err(input.corrupt(
                    block.start,
                    format!(
                        "an option of {} (code {code}, at byte {}) claims {len} bytes, but only {left} are left in the block",
                        block_name(block.kind),
                        block.body_start + pos as u64
                    ),
                ));
            }
            f(code, &body[value_at..value_at + len]);
            pos = value_at + len.next_multiple_of(4);
        }
        Ok(())
    }

    fn u16(&self, b: &[u8]) -> u16 {
        let b = [b[0], b[1]];
        if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }

    fn u32(&self, b: &[u8]) -> u32 {
        let b = [b[0], b[1], b[2], b[3]];
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }
}

fn too_short(input: &Input, block: &Block<'_>, min_body: usize) -> CaptureError {
    input.corrupt(
        block.start,
        format!(
            "{} is {} bytes long, too short for its fixed fields ({} bytes)",
            block_name(block.kind),
            block.body.len() + 12,
            min_body + 12
        ),
    )
}

impl BlockAt {
    fn with(self, body: &[u8]) -> Block<'_> {
        Block {
            kind: self.kind,
            start: self.start,
            body_start: self.body_start,
            body,
        }
    }
}

/// A block type's name for messages ("an Enhanced Packet Block"); only built for a
/// message, never per block read.
fn block_name(kind: u32) -> String {
    let name = match kind {
        BT_SHB => "a Section Header Block",
        BT_IDB => "an Interface Description Block",
        BT_OPB => "an (obsolete) Packet Block",
        BT_SPB => "a Simple Packet Block",
        BT_NRB => "a Name Resolution Block",
        BT_ISB => "an Interface Statistics Block",
        BT_EPB => "an Enhanced Packet Block",
        BT_DSB => "a Decryption Secrets Block",
        BT_CB_COPY | BT_CB_NO_COPY => "a Custom Block",
        _ => return format!("a block of type 0x{kind:08x}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{
        assert_same_as_tshark, cut_in_header, have_tshark, read_bytes, temp_file, tshark, Ng,
    };
    use super::super::{CaptureError, CaptureReader, CapturedFrame, FileFormat, MAX_RECORD_BYTES};

    const DATA: &[u8] = &[
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ];
    const TSRESOL_NS: &[u8] = &[9];

    fn ok_frames(bytes: &[u8]) -> Vec<CapturedFrame> {
        let (frames, err) = read_bytes(bytes).expect("open");
        assert!(err.is_none(), "unexpected error: {}", err.unwrap());
        frames
    }

    fn corrupt_at(bytes: &[u8]) -> (usize, u64, String) {
        let (frames, err) = read_bytes(bytes).expect("open");
        match err {
            Some(CaptureError::Corrupt {
                offset,
                frames_read,
                detail,
                ..
            }) => {
                assert_eq!(frames_read, frames.len() as u64);
                (frames.len(), offset, detail)
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn enhanced_packets_in_both_byte_orders() {
        for big in [false, true] {
            let mut ng = Ng::new(big);
            ng.idb(1, 0, &[(2, b"eth0"), (3, b"the uplink\0"), (9, TSRESOL_NS)]);
            ng.epb(
                0,
                1_700_000_000_123_456_789,
                DATA,
                60,
                &[(1, b"hello"), (1, "w\u{f6}rld".as_bytes())],
            );
            ng.epb(0, 5, &DATA[..3], 3, &[]);
            let frames = ok_frames(&ng.bytes);
            assert_eq!(frames.len(), 2);
            let f = &frames[0];
            assert_eq!(f.meta.number, 1);
            assert_eq!(f.meta.ts_ns, 1_700_000_000_123_456_789);
            assert_eq!(*f.data, *DATA);
            assert_eq!(f.meta.orig_len, 60);
            assert_eq!(f.meta.link_type, 1);
            assert_eq!(f.meta.interface_id, Some(0));
            assert_eq!(f.meta.interface_name.as_deref(), Some("eth0"));
            assert_eq!(f.meta.interface_description.as_deref(), Some("the uplink"));
            assert_eq!(
                f.meta.comments,
                vec!["hello".to_string(), "w\u{f6}rld".to_string()]
            );
            assert_eq!(*frames[1].data, DATA[..3]);
            assert_eq!(frames[1].meta.ts_ns, 5);
            assert!(frames[1].meta.comments.is_empty());
            let r =
                CaptureReader::from_reader(Box::new(std::io::Cursor::new(ng.bytes.clone())), "x")
                    .unwrap();
            assert_eq!(r.format(), FileFormat::PcapNg);
            assert_eq!(r.link_types(), vec![1]);
        }
    }

    #[test]
    fn default_resolution_is_microseconds_and_tsoffset_applies() {
        for big in [false, true] {
            let mut ng = Ng::new(big);
            let offset = if big {
                1_000_000i64.to_be_bytes()
            } else {
                1_000_000i64.to_le_bytes()
            };
            ng.idb(1, 0, &[(14, &offset)]);
            ng.epb(0, 5, DATA, 20, &[]);
            assert_eq!(
                ok_frames(&ng.bytes)[0].meta.ts_ns,
                1_000_000_000_000_000 + 5_000
            );
        }
    }

    #[test]
    fn power_of_two_resolution() {
        // 2^-20 s units: 3 units = 2861.02 ns, rounded down.
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(9, &[0x80 | 20])]);
        ng.epb(0, (1_700_000_000u64 << 20) + 3, DATA, 20, &[]);
        ng.epb(0, (1_700_000_001u64 << 20) + (1 << 19), DATA, 20, &[]);
        let frames = ok_frames(&ng.bytes);
        assert_eq!(frames[0].meta.ts_ns, 1_700_000_000_000_002_861);
        assert_eq!(frames[1].meta.ts_ns, 1_700_000_001_500_000_000);
    }

    #[test]
    fn extreme_resolutions_do_not_overflow() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(9, &[0xff])]); // 2^-127 s
        ng.idb(1, 0, &[(9, &[0])]); // whole seconds
        ng.idb(1, 0, &[(9, &[38])]); // 10^-38 s
        ng.epb(0, u64::MAX, DATA, 20, &[]);
        ng.epb(1, u64::MAX, DATA, 20, &[]);
        ng.epb(2, u64::MAX, DATA, 20, &[]);
        let frames = ok_frames(&ng.bytes);
        assert_eq!(frames[0].meta.ts_ns, 0);
        assert_eq!(
            frames[1].meta.ts_ns,
            crate::capture::MAX_TIMESTAMP_NS,
            "saturates"
        );
        assert_eq!(frames[2].meta.ts_ns, 0);
        // 10^39 does not fit 128 bits; tshark reads such times as 0.
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(9, &[39])]).idb(1, 0, &[(9, &[127])]);
        ng.epb(0, u64::MAX, DATA, 20, &[])
            .epb(1, u64::MAX, DATA, 20, &[]);
        assert!(ok_frames(&ng.bytes).iter().all(|f| f.meta.ts_ns == 0));
    }

    #[test]
    fn simple_packet_block_uses_interface_0() {
        let mut ng = Ng::new(false);
        ng.idb(101, 8, &[(2, b"lo")]);
        ng.spb(20, &DATA[..8]); // holds only snaplen bytes
        ng.spb(3, &DATA[..3]);
        let frames = ok_frames(&ng.bytes);
        assert_eq!(*frames[0].data, DATA[..8]);
        assert_eq!(frames[0].meta.orig_len, 20);
        assert_eq!(frames[0].meta.ts_ns, 0);
        assert_eq!(frames[0].meta.interface_id, Some(0));
        assert_eq!(frames[0].meta.link_type, 101);
        assert_eq!(frames[0].meta.interface_name.as_deref(), Some("lo"));
        assert_eq!(*frames[1].data, DATA[..3]);
        // Snaplen 0 means no limit; the padding is not data.
        let mut ng = Ng::new(true);
        ng.idb(1, 0, &[]);
        ng.spb(18, &DATA[..18]);
        assert_eq!(*ok_frames(&ng.bytes)[0].data, DATA[..18]);
        // No interface 0: corrupt.
        let mut ng = Ng::new(false);
        ng.spb(4, &DATA[..4]);
        let (n, offset, _) = corrupt_at(&ng.bytes);
        assert_eq!((n, offset), (0, 28));
    }

    #[test]
    fn obsolete_packet_block() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]);
        ng.idb(113, 0, &[(9, TSRESOL_NS)]);
        ng.opb(1, 42, &DATA[..7], 99, &[(1, b"old")]);
        let f = &ok_frames(&ng.bytes)[0];
        assert_eq!(f.meta.interface_id, Some(1));
        assert_eq!(f.meta.link_type, 113);
        assert_eq!(f.meta.ts_ns, 42);
        assert_eq!(*f.data, DATA[..7]);
        assert_eq!(f.meta.orig_len, 99);
        assert_eq!(f.meta.comments, vec!["old".to_string()]);
    }

    #[test]
    fn other_blocks_are_skipped() {
        let mut ng = Ng::new(false);
        ng.block(0x1234_5678, b"unknown block body");
        ng.idb(1, 0, &[]);
        ng.block(
            4,
            &[1, 0, 8, 0, 10, 0, 0, 1, b'a', b'.', b'b', 0, 0, 0, 0, 0],
        ); // NRB
        ng.epb(0, 1, DATA, 20, &[]);
        ng.block(5, &[0; 12]); // ISB
        ng.block(0xa, &[0x4b, 0x53, 0x4c, 0x54, 0, 0, 0, 0]); // DSB, empty secrets
        ng.block(0xbad, &[0, 0, 0x7e, 0xd9, 1, 2, 3]); // custom
        ng.block(0x4000_0bad, &[0, 0, 0x7e, 0xd9]); // custom, not to be copied
        ng.block(0x8000_0001, &[]); // reserved / local use, empty body
        ng.epb(0, 2, DATA, 20, &[]);
        let frames = ok_frames(&ng.bytes);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].meta.number, 2);
        assert_eq!(frames[1].meta.ts_ns, 2_000);
    }

    #[test]
    fn bad_block_lengths_are_corrupt_with_offset() {
        let mut good = Ng::new(false);
        good.idb(1, 0, &[]).epb(0, 1, DATA, 20, &[]);
        let bad_at = good.bytes.len();
        let cases: Vec<(u32, Option<u32>, &str)> = vec![
            (13, None, "not a multiple of 4"),
            (8, None, "less than the 12-byte minimum"),
            (0, None, "less than the 12-byte minimum"),
            (48, Some(52), "ends with 52"),
            (MAX_RECORD_BYTES + 4, None, "MiB"),
        ];
        for (total, trailer, why) in cases {
            let mut ng = Ng {
                big: false,
                bytes: good.bytes.clone(),
            };
            ng.epb(0, 2, DATA, 20, &[]);
            ng.epb(0, 3, DATA, 20, &[]);
            let len_at = bad_at + 4;
            ng.bytes[len_at..len_at + 4].copy_from_slice(&total.to_le_bytes());
            if let Some(t) = trailer {
                let end = bad_at + 48;
                ng.bytes[end - 4..end].copy_from_slice(&t.to_le_bytes());
            }
            let (n, offset, detail) = corrupt_at(&ng.bytes);
            assert_eq!(n, 1, "{why}");
            assert_eq!(offset, bad_at as u64, "{why}");
            assert!(detail.contains(why), "{detail} should mention {why}");
        }
    }

    #[test]
    fn huge_block_length_in_small_file_is_truncated() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]);
        let at = ng.bytes.len();
        ng.epb(0, 2, DATA, 20, &[]);
        ng.bytes[at + 4..at + 8].copy_from_slice(&MAX_RECORD_BYTES.to_le_bytes());
        let (frames, err) = read_bytes(&ng.bytes).unwrap();
        assert!(frames.is_empty());
        match err {
            Some(CaptureError::Truncated { offset, .. }) => {
                assert_eq!(offset, ng.bytes.len() as u64)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_interface_is_corrupt() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]).epb(0, 1, DATA, 20, &[]);
        let at = ng.bytes.len();
        ng.epb(1, 1, DATA, 20, &[]);
        let (n, offset, detail) = corrupt_at(&ng.bytes);
        assert_eq!((n, offset), (1, at as u64));
        assert!(detail.contains("interface 1"), "{detail}");
    }

    #[test]
    fn captured_length_beyond_block_is_corrupt() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]);
        let at = ng.bytes.len();
        ng.epb(0, 1, DATA, 20, &[]);
        ng.bytes[at + 20..at + 24].copy_from_slice(&21u32.to_le_bytes());
        let (_, offset, detail) = corrupt_at(&ng.bytes);
        assert_eq!(offset, at as u64);
        assert!(detail.contains("room for only 20"), "{detail}");
    }

    #[test]
    fn overlong_option_is_corrupt() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(2, b"eth0")]);
        // The if_name option's length (at body offset 8) now exceeds the block.
        ng.bytes[28 + 8 + 8 + 2..28 + 8 + 8 + 4].copy_from_slice(&200u16.to_le_bytes());
        let (_, offset, detail) = corrupt_at(&ng.bytes);
        assert_eq!(offset, 28);
        assert!(detail.contains("claims 200 bytes"), "{detail}");
    }

    #[test]
    fn sections_reset_interfaces_and_may_change_byte_order() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(2, b"a")]).idb(113, 0, &[(2, b"b")]);
        ng.epb(1, 1, DATA, 20, &[]);
        ng.shb(true);
        ng.idb(195, 0, &[(2, b"c"), (9, TSRESOL_NS)]);
        ng.epb(0, 7, &DATA[..2], 2, &[]);
        let mut reader =
            CaptureReader::from_reader(Box::new(std::io::Cursor::new(ng.bytes.clone())), "x")
                .unwrap();
        let frames: Vec<CapturedFrame> = reader.by_ref().map(|f| f.unwrap()).collect();
        assert_eq!(reader.link_types(), vec![1, 113, 195]);
        assert_eq!(frames.len(), 2);
        assert_eq!(
            (frames[0].meta.link_type, frames[0].meta.interface_id),
            (113, Some(1))
        );
        assert_eq!(frames[0].meta.interface_name.as_deref(), Some("b"));
        assert_eq!(
            (frames[1].meta.link_type, frames[1].meta.interface_id),
            (195, Some(0))
        );
        assert_eq!(frames[1].meta.interface_name.as_deref(), Some("c"));
        assert_eq!(frames[1].meta.ts_ns, 7);
        // Interface 1 of the first section does not exist in the second.
        let at = ng.bytes.len();
        ng.epb(1, 8, DATA, 20, &[]);
        let (n, offset, _) = corrupt_at(&ng.bytes);
        assert_eq!((n, offset), (2, at as u64));
    }

    #[test]
    fn unsupported_versions_and_bad_byte_order_magic() {
        let mut ng = Ng::new(false);
        ng.bytes[14] = 1; // minor version 1
        match read_bytes(&ng.bytes) {
            Err(CaptureError::Corrupt {
                offset: 0, detail, ..
            }) => assert!(detail.contains("1.1"), "{detail}"),
            other => panic!("{:?}", other.map(|r| r.0.len())),
        }
        let mut ng = Ng::new(false);
        ng.bytes[8] = 0x99;
        assert!(matches!(
            read_bytes(&ng.bytes),
            Err(CaptureError::NotACapture { .. })
        ));
        // Mid-file, a bad second SHB is corruption.
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]).epb(0, 1, DATA, 20, &[]);
        let at = ng.bytes.len();
        ng.shb(false);
        ng.bytes[at + 8] = 0x99;
        assert_eq!(corrupt_at(&ng.bytes).1, at as u64);
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]).epb(0, 1, DATA, 20, &[]);
        let at = ng.bytes.len();
        ng.shb(true);
        ng.bytes[at + 12..at + 14].copy_from_slice(&2u16.to_be_bytes());
        let (n, offset, detail) = corrupt_at(&ng.bytes);
        assert_eq!((n, offset), (1, at as u64));
        assert!(detail.contains("2.0"), "{detail}");
    }

    #[test]
    fn interface_limits() {
        let mut ng = Ng::new(false);
        let long = vec![b'x'; 5000];
        ng.idb(1, 0, &[(2, &long)]).epb(0, 1, DATA, 20, &[]);
        let name = ok_frames(&ng.bytes)[0].meta.interface_name.clone().unwrap();
        assert_eq!(name.len(), super::super::MAX_INTERFACE_STRING_BYTES);
        let mut ng = Ng::new(false);
        for _ in 0..=super::super::MAX_INTERFACES {
            ng.idb(1, 0, &[]);
        }
        let (n, _, detail) = corrupt_at(&ng.bytes);
        assert_eq!(n, 0);
        assert!(detail.contains("more than 65536 interfaces"), "{detail}");
    }

    #[test]
    fn truncated_at_every_offset() {
        let mut ng = Ng::new(true);
        ng.idb(1, 0, &[(2, b"eth0")]);
        let mut boundaries = vec![28, ng.bytes.len()];
        let mut frame_ends = vec![];
        for i in 0..3u64 {
            ng.epb(0, i, &DATA[..5 + i as usize], 60, &[(1, b"c")]);
            boundaries.push(ng.bytes.len());
            frame_ends.push(ng.bytes.len());
            ng.block(5, &[0; 12]);
            boundaries.push(ng.bytes.len());
        }
        let file = ng.bytes;
        for cut in 0..=file.len() {
            let result = read_bytes(&file[..cut]);
            if cut_in_header(cut, 28, &result) {
                continue;
            }
            let (frames, err) = result.expect("SHB complete");
            let complete = frame_ends.iter().filter(|&&e| e <= cut).count();
            assert_eq!(frames.len(), complete, "cut {cut}");
            match err {
                None => assert!(boundaries.contains(&cut), "cut {cut}: missing error"),
                Some(CaptureError::Truncated {
                    offset,
                    frames_read,
                    ..
                }) => {
                    assert!(!boundaries.contains(&cut), "cut {cut}: spurious error");
                    assert_eq!(
                        (offset, frames_read),
                        (cut as u64, complete as u64),
                        "cut {cut}"
                    );
                }
                Some(e) => panic!("cut {cut}: {e}"),
            }
        }
    }

    /// Hand-made features checked against tshark's reading of the same bytes.
    #[test]
    fn hand_made_files_match_tshark() {
        if !have_tshark() {
            return;
        }
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(2, b"eth0"), (9, &[0x80 | 20])]);
        ng.idb(113, 0, &[(2, b"any"), (9, TSRESOL_NS)]);
        ng.epb(0, (1_700_000_000u64 << 20) + 3, DATA, 60, &[(1, b"first")]);
        ng.epb(0, (1_700_000_000u64 << 20) + 999_999, DATA, 20, &[]);
        ng.epb(1, 1_700_000_000_123_456_789, &DATA[..16], 16, &[]);
        ng.opb(
            1,
            1_700_000_001_000_000_001,
            &DATA[..16],
            16,
            &[(1, b"obsolete")],
        );
        ng.block(0xbad, &[0, 0, 0x7e, 0xd9, 1, 2, 3]);
        ng.spb(20, DATA);
        // tshark 4.0 shows the interface *name* of a later section's packets
        // by looking the section-local id up in its file-wide interface list
        // (so it would call this interface "eth0"), while using the right
        // interface for everything else; so this IDB has no name.
        ng.shb(true);
        ng.idb(1, 10, &[]);
        ng.epb(0, 1_600_000_000_000_001, DATA, 20, &[]);
        ng.spb(20, &DATA[..10]);
        let file = temp_file("hand-made.pcapng", &ng.bytes);
        let theirs = tshark(&file.0);
        assert!(theirs.success, "tshark failed: {}", theirs.stderr);
        let (ours, err) = read_bytes(&ng.bytes).unwrap();
        assert!(err.is_none());
        assert_same_as_tshark("hand-made.pcapng", &ours, &theirs.frames);
    }
}
