//! EDNS(0) options carried in the OPT pseudo-record's data (RFC 6891 §6.1.2), one function per
//! option with a structure: client subnet (RFC 7871), cookies (RFC 7873), TCP keepalive (RFC
//! 7828), padding (RFC 7830), CHAIN (RFC 7901), extended errors (RFC 8914), and the DNSSEC
//! algorithm lists (RFC 6975).
//!
//! ```text
//! +--------------+--------------+------------------------+
//! | OPTION-CODE  | OPTION-LENGTH| OPTION-DATA (length)   |  repeated to the end of RDATA
//! +--------------+--------------+------------------------+
//! ```

use super::fields::*;
use super::rdata::Rdata;
use crate::engine::field::{val_to_str, FieldDef};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

/// Every option in the OPT record's data.
pub fn options(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let mut off = r.off;
    while off < r.end() {
        let code = r.msg.be_u16(off)?;
        let len = r.msg.be_u16(off + 2)? as usize;
        let item = cx.add(r.node, &OPT, r.msg.range(off, 4 + len), Value::None);
        let name = val_to_str(OPT_CODES, code as u64)
            .map_or_else(|| format!("Unknown ({code})"), str::to_string);
        cx.set_text(item, format!("Option: {name}"));
        cx.add_be_u16(item, &OPT_CODE, r.msg, off)?;
        cx.add_be_u16(item, &OPT_LEN, r.msg, off + 2)?;
        let data = r.msg.sub(off + 4, len)?;
        cx.add_bytes(item, &OPT_DATA, &data, 0, len)?;
        option(cx, item, code, &data)?;
        off += 4 + len;
    }
    Ok(())
}

fn option(cx: &mut Cx, item: NodeId, code: u16, data: &Tvb) -> Result<()> {
    match code {
        5 => list(cx, item, &OPT_DAU, data),
        6 => list(cx, item, &OPT_DHU, data),
        7 => list(cx, item, &OPT_N3U, data),
        8 | 0x50fa => client_subnet(cx, item, data),
        10 => cookie(cx, item, data),
        11 if data.len() == 2 => cx.add_be_u16(item, &OPT_TCP_KEEPALIVE, data, 0).map(drop),
        12 => cx
            .add_bytes(item, &OPT_PADDING, data, 0, data.len())
            .map(drop),
        13 if !data.is_empty() => cx
            .add_string(item, &OPT_CHAIN_FQDN, data, 0, data.len())
            .map(drop),
        15 if data.len() >= 2 => extended_error(cx, item, data),
        _ => Ok(()),
    }
}

/// DAU/DHU/N3U: one algorithm number per byte.
fn list(cx: &mut Cx, item: NodeId, field: &'static FieldDef, data: &Tvb) -> Result<()> {
    for i in 0..data.len() {
        cx.add_u8(item, field, data, i)?;
    }
    Ok(())
}

/// FAMILY, SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH, then the address cut to its prefix.
fn client_subnet(cx: &mut Cx, item: NodeId, data: &Tvb) -> Result<()> {
    let family = cx.add_be_u16(item, &OPT_CLIENT_FAMILY, data, 0)?;
    cx.add_u8(item, &OPT_CLIENT_NETMASK, data, 2)?;
    cx.add_u8(item, &OPT_CLIENT_SCOPE, data, 3)?;
    let addr_len = data.len().saturating_sub(4);
    let bytes = data.bytes(4, addr_len)?;
    if addr_len > 16 {
        let n = cx.add_text(item, data.range(0, 4), "Option Length");
        cx.expert(n, &OPT_BAD_LENGTH, None);
    }
    let r = data.range(4, addr_len);
    let keep = addr_len.min(16);
    match family {
        1 => {
            let mut a = [0u8; 4];
            let n = keep.min(4);
            a[..n].copy_from_slice(&bytes[..n]);
            cx.add(item, &OPT_CLIENT_ADDR4, r, Value::Ipv4(a));
        }
        2 => {
            let mut a = [0u8; 16];
            a[..keep].copy_from_slice(&bytes[..keep]);
            cx.add(item, &OPT_CLIENT_ADDR6, r, Value::Ipv6(a));
        }
        _ => {
            cx.add(item, &OPT_CLIENT_ADDR, r, Value::bytes(bytes));
        }
    }
    Ok(())
}

/// An 8-byte client cookie, then the server cookie (empty in a first query).
fn cookie(cx: &mut Cx, item: NodeId, data: &Tvb) -> Result<()> {
    cx.add_bytes(item, &OPT_COOKIE_CLIENT, data, 0, 8)?;
    cx.add_bytes(
        item,
        &OPT_COOKIE_SERVER,
        data,
        8,
        data.len().saturating_sub(8),
    )?;
    Ok(())
}

fn extended_error(cx: &mut Cx, item: NodeId, data: &Tvb) -> Result<()> {
    cx.add_be_u16(item, &OPT_EXT_ERROR_CODE, data, 0)?;
    if data.len() > 2 {
        cx.add_string(item, &OPT_EXT_ERROR_TEXT, data, 2, data.len() - 2)?;
    }
    Ok(())
}
