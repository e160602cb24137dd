//! File control objects (IEEE 1815-2012 §A.42, group 70): file commands, command status,
//! file transport and transport status. Each point has a 2-byte size prefix in practice; the
//! size tells how much optional data follows the fixed part.
//!
//! ```text
//! g70v3 command:  | name offset | name size | created (48-bit ms) | permissions | auth key |
//!                 | file size | operational mode | max block size | request id | name… |
//! g70v4 status:   | handle | file size | max block size | request id | status | text… |
//! g70v5 transport:| handle | block number (bit 31: last block) | data… |
//! g70v6 status:   | handle | block number (bit 31: last block) | status | text… |
//! ```

use super::fields::*;
use super::objects::{add_time, Point};
use crate::engine::context::Endian;
use crate::engine::field::FieldDef;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::Cx;

const MODE_WRITE: u16 = 2;
const MODE_APPEND: u16 = 3;

static PERMS: [&FieldDef; 9] = [
    &PERM_READ_OWNER,
    &PERM_WRITE_OWNER,
    &PERM_EXEC_OWNER,
    &PERM_READ_GROUP,
    &PERM_WRITE_GROUP,
    &PERM_EXEC_GROUP,
    &PERM_READ_WORLD,
    &PERM_WRITE_WORLD,
    &PERM_EXEC_WORLD,
];

/// One group 70 point; `pos` is where the point (its size prefix) starts, `data` where its
/// object starts. Returns where the next point starts.
pub fn object(
    cx: &mut Cx,
    pnode: NodeId,
    tvb: &Tvb,
    pos: usize,
    data: usize,
    p: &Point,
) -> Result<usize> {
    let le = Endian::Little;
    let mut d = data;
    match p.obj {
        0x4603 => return command(cx, pnode, tvb, pos, data),
        0x4604 => {
            cx.add_int(pnode, &FILE_HANDLE, tvb, d, 4, le)?;
            cx.add_int(pnode, &FILE_SIZE, tvb, d + 4, 4, le)?;
            cx.add_int(pnode, &FILE_MAXBLOCK, tvb, d + 8, 2, le)?;
            cx.add_int(pnode, &FILE_REQID, tvb, d + 10, 2, le)?;
            cx.add_u8(pnode, &FILE_STATUS_F, tvb, d + 12)?;
            d += 13;
        }
        _ => {
            cx.add_int(pnode, &FILE_HANDLE, tvb, d, 4, le)?;
            cx.add_int(pnode, &FILE_BLOCKNUM, tvb, d + 4, 4, le)?;
            cx.add_int(pnode, &FILE_LASTBLOCK, tvb, d + 4, 4, le)?;
            d += 8;
            if p.obj == 0x4606 {
                cx.add_u8(pnode, &FILE_STATUS_F, tvb, d)?;
                d += 1;
            }
        }
    }
    // What the size prefix counts beyond the fixed part is the optional data.
    let fixed = (d - data) as u32;
    let extra = p.index.wrapping_sub(fixed) as usize;
    if extra > 0 {
        cx.add_bytes(pnode, &FILE_DATA, tvb, d, extra)?;
        d += extra;
    }
    Ok(d)
}

/// A file command (g70v3); creation time, permissions and size count only for the modes
/// that use them, as tshark shows them.
fn command(cx: &mut Cx, pnode: NodeId, tvb: &Tvb, pos: usize, data: usize) -> Result<usize> {
    let le = Endian::Little;
    let mut d = data;
    cx.add_int(pnode, &FILE_STRING_OFFSET, tvb, d, 2, le)?;
    let name_len = cx
        .add_int(pnode, &FILE_STRING_LENGTH, tvb, d + 2, 2, le)?
        .value as usize;
    d += 4;
    let mode = tvb.le_u16(d + 16)?;
    if mode == MODE_WRITE {
        add_time(cx, pnode, &TIMESTAMP, tvb, d)?;
    }
    d += 6;
    if mode == MODE_WRITE {
        // tshark reads the permissions at the point's start (a quirk kept for agreement).
        let perms = cx.add_int(pnode, &FILE_PERMS, tvb, pos, 2, le)?;
        cx.add_bits(perms.node, &PERMS, tvb.range(pos, 2), perms.value);
    }
    d += 2;
    cx.add_int(pnode, &FILE_AUTH, tvb, d, 4, le)?;
    d += 4;
    if mode == MODE_WRITE || mode == MODE_APPEND {
        cx.add_int(pnode, &FILE_SIZE, tvb, d, 4, le)?;
    }
    d += 4;
    cx.add_int(pnode, &FILE_MODE, tvb, d, 2, le)?;
    cx.add_int(pnode, &FILE_MAXBLOCK, tvb, d + 2, 2, le)?;
    cx.add_int(pnode, &FILE_REQID, tvb, d + 4, 2, le)?;
    d += 6;
    if name_len > 0 {
        cx.add_string(pnode, &FILE_NAME, tvb, d, name_len)?;
    }
    Ok(d + name_len)
}
