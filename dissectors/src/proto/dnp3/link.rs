//! The DNP3 data link layer (IEEE 1815-2012 §9): the 10-byte header with its CRC, then user
//! data in blocks of up to 16 bytes, each followed by its own CRC.
//!
//! ```text
//!  0      1      2      3      4     5     6     7     8     9
//! +------+------+------+------+-----------+-----------+-----------+
//! | 0x05 | 0x64 | LEN  | CTRL | DEST (LE) | SRC (LE)  | CRC (LE)  |
//! +------+------+------+------+-----------+-----------+-----------+
//! then LEN-5 user data bytes, cut into 16-byte blocks: | data (≤16) | CRC (LE) | …
//! CTRL: DIR(7) PRM(6) FCB/reserved(5) FCV/DFC(4) function code(3..0)
//! ```
//! The CRC is CRC-16/DNP: polynomial 0x3D65 (reflected 0xA6BC), initial value 0, result
//! complemented (§9.2.4.1.4 and Annex E).

use super::fields::*;
use crate::engine::field::FieldDef;
use crate::engine::registry::PduLen;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

/// Length of the link header including its CRC.
pub const HDR_LEN: usize = 10;
/// User data bytes per CRC-protected block.
pub const BLOCK: usize = 16;

/// CRC-16/DNP of `data`, as it is sent (little-endian on the wire).
pub fn crc(data: &[u8]) -> u16 {
    static DNP: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_DNP);
    DNP.checksum(data)
}

/// Total frame length on the wire for a LEN field value: header, user data and block CRCs.
/// A LEN below 5 (less than the header fields it counts) has no user data.
pub fn frame_len(len: u8) -> usize {
    let len = len as usize;
    let data = len.saturating_sub(5);
    len + 5 + 2 * data.div_ceil(BLOCK)
}

/// Whether `b` can start a DNP3 frame: 0x05 0x64 and, once the header is complete, a good
/// header CRC (tshark's check for a frame on the DNP3 port).
pub fn plausible(b: &[u8]) -> bool {
    if b.first() != Some(&0x05) || b.get(1).is_some_and(|x| *x != 0x64) {
        return false;
    }
    b.len() < HDR_LEN || crc(&b[..8]) == u16::from_le_bytes([b[8], b[9]])
}

/// How TCP cuts the stream into link frames.
pub fn pdu_len(b: &[u8]) -> PduLen {
    if !plausible(b) {
        return PduLen::NotMine;
    }
    if b.len() < HDR_LEN {
        return PduLen::NeedMore;
    }
    match frame_len(b[2]) {
        // Shorter than its own header: hand over what is here, the dissector reports it.
        n if n < HDR_LEN => PduLen::Complete(b.len()),
        n => PduLen::Complete(n),
    }
}

/// What the link header said.
pub struct Header {
    pub len: u8,
    pub ctl: u8,
    pub dst: u16,
    pub src: u16,
}

impl Header {
    pub fn read(tvb: &Tvb) -> Result<Header> {
        Ok(Header {
            len: tvb.u8(2)?,
            ctl: tvb.u8(3)?,
            dst: tvb.le_u16(4)?,
            src: tvb.le_u16(6)?,
        })
    }

    pub fn prm(&self) -> bool {
        self.ctl & 0x40 != 0
    }

    pub fn func(&self) -> u8 {
        self.ctl & 0x0f
    }

    pub fn func_name(&self) -> Option<&'static str> {
        let table = if self.prm() {
            DL_PRI_FUNCS
        } else {
            DL_SEC_FUNCS
        };
        crate::engine::field::val_to_str(table, self.func() as u64)
    }

    /// Whether frames with this function carry transport and application data (tshark
    /// treats every function except link status, reset and ACK as such).
    pub fn has_user_data(&self) -> bool {
        !matches!(self.func(), 0x09 | 0x0b | 0x00)
    }
}

/// Writes "DIR, PRM, FCB, FCV, " (or the secondary flags) for a control byte.
pub struct CtlFlags(pub u8);

impl std::fmt::Display for CtlFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.0;
        let names: [(u8, &str); 4] = if c & 0x40 != 0 {
            [(0x80, "DIR"), (0x40, "PRM"), (0x20, "FCB"), (0x10, "FCV")]
        } else {
            [(0x80, "DIR"), (0x40, "PRM"), (0x20, "RES"), (0x10, "DFC")]
        };
        for (bit, name) in names {
            if c & bit != 0 {
                write!(f, "{name}, ")?;
            }
        }
        Ok(())
    }
}

/// Function name or tshark's fallback text.
pub struct FuncName<'a>(pub &'a Header);

impl std::fmt::Display for FuncName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.func_name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Unknown function (0x{:02x})", self.0.func()),
        }
    }
}

static PRI_BITS: [&FieldDef; 5] = [&CTL_DIR, &CTL_PRM, &CTL_FCB, &CTL_FCV, &CTL_PRIFUNC];
static SEC_BITS: [&FieldDef; 4] = [&CTL_DIR, &CTL_PRM, &CTL_DFC, &CTL_SECFUNC];

/// Adds the link header fields under `node` ("Data Link Layer" subtree).
pub fn add_header(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &Header) -> Result<()> {
    let dl = cx.add_text(node, tvb.range(0, HDR_LEN), "");
    cx.set_text(
        dl,
        format_args!(
            "Data Link Layer, Len: {}, From: {}, To: {}, {}{}",
            h.len,
            h.src,
            h.dst,
            CtlFlags(h.ctl),
            FuncName(h)
        ),
    );
    cx.add_be_u16(dl, &START, tvb, 0)?;
    cx.add_u8(dl, &LEN, tvb, 2)?;
    let ctl = cx.add_uint(dl, &CTL, tvb.range(3, 1), h.ctl as u64);
    cx.set_text(
        ctl,
        format_args!(
            "Control: 0x{:02x} ({}{})",
            h.ctl,
            CtlFlags(h.ctl),
            FuncName(h)
        ),
    );
    let bits: &[&FieldDef] = if h.prm() { &PRI_BITS } else { &SEC_BITS };
    cx.add_bits(ctl, bits, tvb.range(3, 1), h.ctl as u64);
    cx.add_uint(dl, &DST, tvb.range(4, 2), h.dst as u64);
    cx.add_hidden(dl, &ADDR, tvb.range(4, 2), Value::UInt(h.dst as u64));
    cx.add_uint(dl, &SRC, tvb.range(6, 2), h.src as u64);
    cx.add_hidden(dl, &ADDR, tvb.range(6, 2), Value::UInt(h.src as u64));
    let hdr = tvb.bytes(0, 8)?;
    add_checksum(cx, dl, tvb, 8, crc(hdr), ChecksumKind::Header)?;
    Ok(())
}

/// Which CRC a checksum item is for.
#[derive(Copy, Clone)]
pub enum ChecksumKind {
    Header,
    Chunk,
}

/// Adds a CRC and its status (tshark's `proto_tree_add_checksum` with verification): true
/// when it is good.
pub fn add_checksum(
    cx: &mut Cx,
    parent: NodeId,
    tvb: &Tvb,
    off: usize,
    computed: u16,
    kind: ChecksumKind,
) -> Result<bool> {
    let (field, status, expert) = match kind {
        ChecksumKind::Header => (&HDR_CRC, &HDR_CRC_STATUS, &HDR_CRC_INCORRECT),
        ChecksumKind::Chunk => (
            &DATA_CHUNK_CRC,
            &DATA_CHUNK_CRC_STATUS,
            &CHUNK_CRC_INCORRECT,
        ),
    };
    let got = tvb.le_u16(off)?;
    let node = cx.add_uint(parent, field, tvb.range(off, 2), got as u64);
    let ok = got == computed;
    if ok {
        cx.set_text(node, format_args!("{}: 0x{got:04x} [correct]", field.name));
        cx.add_generated(parent, status, Value::UInt(1));
    } else {
        cx.set_text(
            node,
            format_args!(
                "{}: 0x{got:04x} incorrect, should be 0x{computed:04x}",
                field.name
            ),
        );
        cx.expert(node, expert, None);
        cx.add_generated(parent, status, Value::UInt(0));
    }
    Ok(ok)
}

/// The user data of a frame whose header says `len`, with the CRC blocks checked and shown
/// under a "Data Chunks" subtree. Returns the transport segment (the CRCs removed), or None
/// when a block's CRC is bad (tshark then trusts nothing after it).
pub fn user_data(cx: &mut Cx, node: NodeId, tvb: &Tvb, len: u8) -> Result<Option<Vec<u8>>> {
    // A LEN below 5 wraps around in tshark's 8-bit arithmetic and then runs off the frame.
    let mut left = (len as usize).wrapping_sub(5) & 0xff;
    let chunks = cx.add_text(
        node,
        tvb.range(HDR_LEN, tvb.remaining(HDR_LEN)),
        "Data Chunks",
    );
    let mut out = Vec::with_capacity(left);
    let mut off = HDR_LEN;
    let mut i = 0u32;
    while left > 0 {
        let n = left.min(BLOCK);
        let block = tvb.bytes(off, n)?;
        let chunk = cx.add_text(chunks, tvb.range(off, n + 2), "");
        cx.set_text(chunk, format_args!("Data Chunk: {i}"));
        cx.add_bytes(chunk, &DATA_CHUNK, tvb, off, n)?;
        cx.add_generated(chunk, &DATA_CHUNK_LEN, Value::UInt(n as u64));
        out.extend_from_slice(block);
        if !add_checksum(cx, chunk, tvb, off + n, crc(block), ChecksumKind::Chunk)? {
            return Ok(None);
        }
        off += n + 2;
        left -= n;
        i += 1;
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_standard_and_real_frames() {
        // CRC-16/DNP check value ("123456789"), as catalogued for this polynomial.
        assert_eq!(crc(b"123456789"), 0xea82);
        // IEEE 1815 Annex E style header: 05 64 05 C0 01 00 00 04 → E9 21.
        assert_eq!(
            crc(&[0x05, 0x64, 0x05, 0xc0, 0x01, 0x00, 0x00, 0x04]),
            0x21e9
        );
        // A Request Link Status from the Zeek UDP capture: CRC bytes 7e 5f.
        assert_eq!(
            crc(&[0x05, 0x64, 0x05, 0x49, 0x64, 0x00, 0x01, 0x00]),
            0x5f7e
        );
    }

    #[test]
    fn frame_lengths_count_block_crcs() {
        assert_eq!(frame_len(5), 10);
        assert_eq!(frame_len(6), 13);
        assert_eq!(frame_len(21), 28);
        assert_eq!(frame_len(22), 31);
        assert_eq!(frame_len(255), 292);
        assert_eq!(frame_len(2), 7);
    }

    #[test]
    fn stream_cutting() {
        assert!(matches!(pdu_len(&[0x05]), PduLen::NeedMore));
        assert!(matches!(pdu_len(&[0x06, 0x64]), PduLen::NotMine));
        let hdr = [0x05, 0x64, 0x05, 0x49, 0x64, 0x00, 0x01, 0x00, 0x7e, 0x5f];
        assert!(matches!(pdu_len(&hdr), PduLen::Complete(10)));
        let mut bad = hdr;
        bad[9] ^= 1;
        assert!(matches!(pdu_len(&bad), PduLen::NotMine));
    }
}
