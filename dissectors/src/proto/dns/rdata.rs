//! Resource record data, one function per type (RFC 1035 §3.3-3.4 for the classic types, RFC
//! 3596 AAAA, RFC 2782 SRV, RFC 4034 DNSSEC, RFC 6672 DNAME, RFC 8659 CAA, RFC 9460 SVCB/HTTPS).
//! Each adds its fields under the record's subtree and says what the Info column and the
//! record's title get; types without a decoder are shown as `dns.data` with an expert note.

use super::fields::*;
use super::name::{self, Name};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use std::fmt::Write;

/// One record's data being dissected.
pub struct Rdata<'a, 't> {
    /// The whole DNS message (names point into it).
    pub msg: &'a Tvb<'t>,
    pub node: NodeId,
    /// Where the data starts in `msg`, and its length (RDLENGTH).
    pub off: usize,
    pub len: usize,
    pub class: u16,
    pub is_mdns: bool,
    /// Appended to the record's subtree title (`, addr 192.0.2.1`).
    pub title: String,
    /// Appended to the Info column (` 192.0.2.1`).
    pub info: String,
}

impl Rdata<'_, '_> {
    /// Reads a name at `off` and adds it as `field`; returns it.
    fn name(
        &mut self,
        cx: &mut Cx,
        field: &'static crate::engine::field::FieldDef,
        off: usize,
    ) -> Result<Name> {
        let n = name::read(self.msg, off)?;
        cx.add(
            self.node,
            field,
            self.msg.range(off, n.used),
            Value::str(n.text.clone()),
        );
        Ok(n)
    }

    fn u16(
        &self,
        cx: &mut Cx,
        field: &'static crate::engine::field::FieldDef,
        off: usize,
    ) -> Result<u16> {
        cx.add_be_u16(self.node, field, self.msg, off)
    }

    fn u32(
        &self,
        cx: &mut Cx,
        field: &'static crate::engine::field::FieldDef,
        off: usize,
    ) -> Result<u32> {
        cx.add_be_u32(self.node, field, self.msg, off)
    }

    pub fn end(&self) -> usize {
        self.off + self.len
    }
}

/// Dissects the data of a record of type `rtype`.
pub fn dissect(cx: &mut Cx, r: &mut Rdata, rtype: u16) -> Result<()> {
    match rtype {
        1 => a(cx, r),
        2 => name_rr(cx, r, &NS, "ns"),
        5 => name_rr(cx, r, &CNAME, "cname"),
        6 => soa(cx, r),
        12 => ptr(cx, r),
        13 => hinfo(cx, r),
        15 => mx(cx, r),
        16 => strings(cx, r, &TXT_LENGTH, &TXT),
        99 => strings(cx, r, &SPF_LENGTH, &SPF),
        28 => aaaa(cx, r),
        33 => srv(cx, r),
        39 => name_rr(cx, r, &DNAME, "dname"),
        41 => super::edns::options(cx, r),
        43 | 59 | 32769 => ds(cx, r),
        46 | 24 => rrsig(cx, r),
        47 => nsec(cx, r),
        48 | 60 => dnskey(cx, r),
        50 => nsec3(cx, r),
        64 | 65 => svcb(cx, r),
        257 => caa(cx, r),
        _ => unknown(cx, r, rtype),
    }
}

fn a(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    if r.class != 1 {
        // Only the IN class has a 4-byte address (RFC 1034 §3.6); tshark shows others as data.
        cx.add_bytes(r.node, &DATA, r.msg, r.off, r.len)?;
        return Ok(());
    }
    let ip: [u8; 4] = r.msg.array(r.off)?;
    let s = std::net::Ipv4Addr::from(ip).to_string();
    cx.add(r.node, &A, r.msg.range(r.off, 4), Value::Ipv4(ip));
    let _ = write!(r.title, ", addr {s}");
    let _ = write!(r.info, " {s}");
    Ok(())
}

fn aaaa(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let ip = cx.add_ipv6(r.node, &AAAA, r.msg, r.off)?;
    let s = std::net::Ipv6Addr::from(ip).to_string();
    let _ = write!(r.title, ", addr {s}");
    let _ = write!(r.info, " {s}");
    Ok(())
}

/// NS, CNAME, DNAME: a single name.
fn name_rr(
    cx: &mut Cx,
    r: &mut Rdata,
    field: &'static crate::engine::field::FieldDef,
    what: &str,
) -> Result<()> {
    let n = r.name(cx, field, r.off)?;
    let _ = write!(r.title, ", {what} {}", n.text);
    let _ = write!(r.info, " {}", n.text);
    Ok(())
}

fn ptr(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let n = r.name(cx, &PTR_DOMAIN_NAME, r.off)?;
    let _ = write!(r.title, ", {}", n.text);
    let _ = write!(r.info, " {}", n.text);
    Ok(())
}

fn soa(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let mname = r.name(cx, &SOA_MNAME, r.off)?;
    let _ = write!(r.title, ", mname {}", mname.text);
    let _ = write!(r.info, " {}", mname.text);
    let mut off = r.off + mname.used;
    off += r.name(cx, &SOA_RNAME, off)?.used;
    for f in [
        &SOA_SERIAL,
        &SOA_REFRESH,
        &SOA_RETRY,
        &SOA_EXPIRE,
        &SOA_MINIMUM,
    ] {
        r.u32(cx, f, off)?;
        off += 4;
    }
    Ok(())
}

/// A length-prefixed character string (RFC 1035 §3.3); returns its text and the bytes used.
fn char_string(
    cx: &mut Cx,
    r: &Rdata,
    off: usize,
    lf: &'static crate::engine::field::FieldDef,
    sf: &'static crate::engine::field::FieldDef,
) -> Result<(String, usize)> {
    let n = cx.add_u8(r.node, lf, r.msg, off)? as usize;
    let b = r.msg.bytes(off + 1, n)?;
    let s = if r.is_mdns {
        String::from_utf8_lossy(b).into_owned()
    } else {
        ascii(b)
    };
    cx.add(r.node, sf, r.msg.range(off + 1, n), Value::str(s.clone()));
    Ok((s, 1 + n))
}

/// Bytes decoded as tshark's ENC_ASCII does: bytes above 0x7f become U+FFFD.
fn ascii(b: &[u8]) -> String {
    b.iter()
        .map(|&c| if c < 0x80 { c as char } else { '\u{fffd}' })
        .collect()
}

fn hinfo(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let (cpu, used) = char_string(cx, r, r.off, &HINFO_CPU_LENGTH, &HINFO_CPU)?;
    let (os, _) = char_string(cx, r, r.off + used, &HINFO_OS_LENGTH, &HINFO_OS)?;
    let _ = write!(r.title, ", CPU {cpu}, OS {os}");
    let _ = write!(r.info, " {cpu} {os}");
    Ok(())
}

fn mx(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let pref = r.msg.be_u16(r.off)?;
    let n = name::read(r.msg, r.off + 2)?;
    let _ = write!(r.title, ", preference {pref}, mx {}", n.text);
    let _ = write!(r.info, " {pref} {}", n.text);
    r.u16(cx, &MX_PREFERENCE, r.off)?;
    cx.add(
        r.node,
        &MX_MAIL_EXCHANGE,
        r.msg.range(r.off + 2, n.used),
        Value::str(n.text),
    );
    Ok(())
}

/// TXT and SPF: character strings filling the data.
fn strings(
    cx: &mut Cx,
    r: &mut Rdata,
    lf: &'static crate::engine::field::FieldDef,
    sf: &'static crate::engine::field::FieldDef,
) -> Result<()> {
    let mut off = r.off;
    while off < r.end() {
        off += char_string(cx, r, off, lf, sf)?.1;
    }
    Ok(())
}

fn srv(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let prio = r.u16(cx, &SRV_PRIORITY, r.off)?;
    let weight = r.u16(cx, &SRV_WEIGHT, r.off + 2)?;
    let port = r.u16(cx, &SRV_PORT, r.off + 4)?;
    let t = r.name(cx, &SRV_TARGET, r.off + 6)?;
    let _ = write!(r.info, " {prio} {weight} {port} {}", t.text);
    let _ = write!(
        r.title,
        ", priority {prio}, weight {weight}, port {port}, target {}",
        t.text
    );
    Ok(())
}

fn ds(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    r.u16(cx, &DS_KEY_ID, r.off)?;
    cx.add_u8(r.node, &DS_ALGORITHM, r.msg, r.off + 2)?;
    cx.add_u8(r.node, &DS_DIGEST_TYPE, r.msg, r.off + 3)?;
    cx.add_bytes(
        r.node,
        &DS_DIGEST,
        r.msg,
        r.off + 4,
        r.len.saturating_sub(4),
    )?;
    Ok(())
}

fn rrsig(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    r.u16(cx, &RRSIG_TYPE_COVERED, r.off)?;
    cx.add_u8(r.node, &RRSIG_ALGORITHM, r.msg, r.off + 2)?;
    cx.add_u8(r.node, &RRSIG_LABELS, r.msg, r.off + 3)?;
    r.u32(cx, &RRSIG_ORIGINAL_TTL, r.off + 4)?;
    for (f, o) in [(&RRSIG_EXPIRATION, 8), (&RRSIG_INCEPTION, 12)] {
        let secs = r.msg.be_u32(r.off + o)? as i64;
        cx.add(
            r.node,
            f,
            r.msg.range(r.off + o, 4),
            Value::AbsTime(secs * 1_000_000_000),
        );
    }
    r.u16(cx, &RRSIG_KEY_TAG, r.off + 16)?;
    let signer = r.name(cx, &RRSIG_SIGNERS_NAME, r.off + 18)?;
    let sig = r.off + 18 + signer.used;
    if sig < r.end() {
        cx.add_bytes(r.node, &RRSIG_SIGNATURE, r.msg, sig, r.end() - sig)?;
    }
    Ok(())
}

/// The key tag of RFC 4034 Appendix B over the whole DNSKEY data (RSA/MD5 keys use the
/// 16 bits before the last byte of the key instead).
fn key_tag(data: &[u8], algo: u8) -> u16 {
    if algo == 1 {
        let n = data.len();
        return u16::from_be_bytes([data[n - 3], data[n - 2]]);
    }
    let mut ac: u32 = 0;
    for (i, b) in data.iter().enumerate() {
        ac = ac.wrapping_add(if i % 2 == 0 {
            (*b as u32) << 8
        } else {
            *b as u32
        });
    }
    ac = ac.wrapping_add((ac >> 16) & 0xffff);
    (ac & 0xffff) as u16
}

fn dnskey(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let bits = [
        &DNSKEY_FLAGS_ZONE_KEY,
        &DNSKEY_FLAGS_KEY_REVOKED,
        &DNSKEY_FLAGS_SEP,
        &DNSKEY_FLAGS_RESERVED,
    ];
    cx.add_bitmask(r.node, &DNSKEY_FLAGS, &bits, r.msg, r.off, 2)?;
    cx.add_u8(r.node, &DNSKEY_PROTOCOL, r.msg, r.off + 2)?;
    let algo = cx.add_u8(r.node, &DNSKEY_ALGORITHM, r.msg, r.off + 3)?;
    let data = r.msg.bytes(r.off, r.len)?;
    if data.len() >= 4 {
        cx.add_generated(
            r.node,
            &DNSKEY_KEY_ID,
            Value::UInt(key_tag(data, algo) as u64),
        );
    }
    cx.add_bytes(
        r.node,
        &DNSKEY_PUBLIC_KEY,
        r.msg,
        r.off + 4,
        r.len.saturating_sub(4),
    )?;
    Ok(())
}

/// The type bit maps of NSEC and NSEC3 (RFC 4034 §4.1.2): each type present is shown as a
/// `dns.resp.type`, as tshark does.
fn type_bitmap(cx: &mut Cx, r: &Rdata, mut off: usize) -> Result<()> {
    while off < r.end() {
        let window = r.msg.u8(off)? as u16;
        let n = r.msg.u8(off + 1)? as usize;
        off += 2;
        for i in 0..n {
            let bits = r.msg.u8(off)?;
            for bit in 0..8u16 {
                if bits & (0x80 >> bit) != 0 {
                    let t = window * 256 + (i as u16) * 8 + bit;
                    let node = cx.add(
                        r.node,
                        &RESP_TYPE,
                        r.msg.range(off, 1),
                        Value::UInt(t as u64),
                    );
                    let desc =
                        crate::engine::field::val_to_str(TYPES, t as u64).unwrap_or("Unknown");
                    cx.set_text(node, format!("RR type in bit map: {} {desc}", type_name(t)));
                }
            }
            off += 1;
        }
    }
    Ok(())
}

fn nsec(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    let n = r.name(cx, &NSEC_NEXT_DOMAIN_NAME, r.off)?;
    let _ = write!(r.title, ", next domain name {}", n.text);
    let _ = write!(r.info, " {}", n.text);
    type_bitmap(cx, r, r.off + n.used)
}

fn nsec3(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    cx.add_u8(r.node, &NSEC3_ALGO, r.msg, r.off)?;
    cx.add_bitmask8(
        r.node,
        &NSEC3_FLAGS,
        &[&NSEC3_FLAG_OPTOUT],
        r.msg,
        r.off + 1,
    )?;
    r.u16(cx, &NSEC3_ITERATIONS, r.off + 2)?;
    let salt = cx.add_u8(r.node, &NSEC3_SALT_LENGTH, r.msg, r.off + 4)? as usize;
    cx.add_bytes(r.node, &NSEC3_SALT_VALUE, r.msg, r.off + 5, salt)?;
    let mut off = r.off + 5 + salt;
    let hash_len = cx.add_u8(r.node, &NSEC3_HASH_LENGTH, r.msg, off)? as usize;
    off += 1;
    if hash_len > 0 {
        let hash = r.msg.bytes(off, hash_len)?;
        let n = cx.add(
            r.node,
            &NSEC3_HASH_VALUE,
            r.msg.range(off, hash_len),
            Value::str(base32hex(hash)),
        );
        cx.tree.node_mut(n).flags.generated = true;
        off += hash_len;
    }
    type_bitmap(cx, r, off)
}

/// Base 32 with the extended hex alphabet, no padding (RFC 4648 §7, as NSEC3 uses it).
fn base32hex(b: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut out = String::new();
    let bits = b.len() * 8;
    let mut i = 0;
    while i < bits {
        let mut v = 0u8;
        for k in 0..5 {
            let bit = i + k;
            let set = bit < bits && b[bit / 8] & (0x80 >> (bit % 8)) != 0;
            v = (v << 1) | set as u8;
        }
        out.push(ALPHABET[v as usize] as char);
        i += 5;
    }
    out
}

fn caa(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    cx.add_bitmask8(
        r.node,
        &CAA_FLAGS,
        &[&CAA_FLAG_ISSUER_CRITICAL],
        r.msg,
        r.off,
    )?;
    let tag_len = r.msg.u8(r.off + 1)? as usize;
    let tag = r.msg.bytes(r.off + 2, tag_len)?;
    let value_len = r.len.saturating_sub(tag_len + 2);
    let value = name::format_text(r.msg.bytes(r.off + 2 + tag_len, value_len)?);
    // tshark compares only the tag's own length of the known names ("iss" matches "issue").
    let field = [
        (&CAA_ISSUE, "issue"),
        (&CAA_ISSUEWILD, "issuewild"),
        (&CAA_IODEF, "iodef"),
    ]
    .into_iter()
    .find(|(_, t)| t.as_bytes().starts_with(tag))
    .map_or(&CAA_UNKNOWN, |(f, _)| f);
    let range = r.msg.range(r.off + 1, 1 + tag_len + value_len);
    let item = cx.add(r.node, field, range, Value::str(value.clone()));
    cx.add(
        item,
        &CAA_TAG_LENGTH,
        r.msg.range(r.off + 1, 1),
        Value::UInt(tag_len as u64),
    );
    cx.add(
        item,
        &CAA_TAG,
        r.msg.range(r.off + 2, tag_len),
        Value::str(ascii(tag)),
    );
    cx.add(
        item,
        &CAA_VALUE,
        r.msg.range(r.off + 2 + tag_len, value_len),
        Value::str(value),
    );
    Ok(())
}

fn svcb(cx: &mut Cx, r: &mut Rdata) -> Result<()> {
    r.u16(cx, &SVCB_PRIORITY, r.off)?;
    let target = r.name(cx, &SVCB_TARGET, r.off + 2)?;
    let mut off = r.off + 2 + target.used;
    while off < r.end() {
        off = svcb_param(cx, r, off)?;
    }
    Ok(())
}

/// One SvcParam (RFC 9460 §2.2); returns where the next starts.
fn svcb_param(cx: &mut Cx, r: &mut Rdata, off: usize) -> Result<usize> {
    let key = r.msg.be_u16(off)?;
    let len = r.msg.be_u16(off + 2)? as usize;
    let item = cx.add(r.node, &SVCB_PARAM, r.msg.range(off, 4 + len), Value::None);
    let key_name = crate::engine::field::val_to_str(SVCB_KEYS, key as u64)
        .map_or_else(|| format!("key{key}"), str::to_string);
    let mut text = format!("SvcParam: {key_name}");
    cx.add_be_u16(item, &SVCB_PARAM_KEY, r.msg, off)?;
    cx.add_be_u16(item, &SVCB_PARAM_LENGTH, r.msg, off + 2)?;
    let v = off + 4;
    let mut sep = '=';
    let mut each = |text: &mut String, s: String| {
        text.push(sep);
        text.push_str(&s);
        sep = ',';
    };
    match key {
        0 => {
            for k in (0..len / 2).map(|i| v + 2 * i) {
                let m = cx.add_be_u16(item, &SVCB_MANDATORY_KEY, r.msg, k)?;
                each(
                    &mut text,
                    crate::engine::field::val_to_str(SVCB_KEYS, m as u64)
                        .map_or_else(|| format!("key{m}"), str::to_string),
                );
            }
        }
        1 => {
            let mut p = v;
            while p < v + len {
                let n = cx.add_u8(item, &SVCB_ALPN_LENGTH, r.msg, p)? as usize;
                let s = ascii(r.msg.bytes(p + 1, n)?);
                cx.add(
                    item,
                    &SVCB_ALPN,
                    r.msg.range(p + 1, n),
                    Value::str(s.clone()),
                );
                each(&mut text, s);
                p += 1 + n;
            }
        }
        2 => {}
        3 => {
            let port = cx.add_be_u16(item, &SVCB_PORT, r.msg, v)?;
            each(&mut text, port.to_string());
        }
        4 => {
            for p in (0..len / 4).map(|i| v + 4 * i) {
                let ip: [u8; 4] = r.msg.array(p)?;
                cx.add(item, &SVCB_IPV4HINT, r.msg.range(p, 4), Value::Ipv4(ip));
                each(&mut text, std::net::Ipv4Addr::from(ip).to_string());
            }
        }
        5 => {
            cx.add_bytes(item, &SVCB_ECHCONFIG, r.msg, v, len)?;
        }
        6 => {
            for p in (0..len / 16).map(|i| v + 16 * i) {
                let ip = cx.add_ipv6(item, &SVCB_IPV6HINT, r.msg, p)?;
                each(&mut text, std::net::Ipv6Addr::from(ip).to_string());
            }
        }
        32769 => {
            cx.add_bytes(item, &SVCB_ODOHCONFIG, r.msg, v, len)?;
        }
        _ if len > 0 => {
            let b = cx.add_bytes(item, &SVCB_PARAM_VALUE, r.msg, v, len)?;
            each(&mut text, name::format_text(b));
        }
        _ => {}
    }
    cx.set_text(item, text);
    Ok(v + len)
}

fn unknown(cx: &mut Cx, r: &mut Rdata, rtype: u16) -> Result<()> {
    let msg = format!(
        "Dissector for DNS Type ({rtype}) code not implemented, Contact Wireshark developers if you want this supported"
    );
    cx.expert(r.node, &UNDECODED_TYPE, Some(msg));
    cx.add_bytes(r.node, &DATA, r.msg, r.off, r.len)?;
    Ok(())
}
