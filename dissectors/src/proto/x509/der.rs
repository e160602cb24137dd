//! Reading DER (ITU-T X.690 §10, the distinguished encoding of BER) one TLV at a time, with
//! positions, for the certificate tree: each element is shown where it is in the packet.
//!
//! ```text
//! +-----------+-----------------------------+-------------------+
//! | identifier| length: short (<128) or     | contents (length) |
//! | class|c|tag| 0x80|n then n bytes big-endian|                 |
//! +-----------+-----------------------------+-------------------+
//! ```
//! Only what certificates use is supported: low tag numbers and definite lengths (DER forbids
//! the indefinite form).

use crate::engine::tvb::{Error, Result, Tvb};

/// One element: its identifier octet, where it starts, where its contents start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv {
    pub tag: u8,
    pub start: usize,
    pub body: usize,
    pub end: usize,
}

impl Tlv {
    pub fn len(&self) -> usize {
        self.end - self.body
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.body
    }

    /// The tag number of a context-specific tag (`[n]`).
    pub fn context(&self) -> Option<u8> {
        (self.tag & 0xc0 == 0x80).then_some(self.tag & 0x1f)
    }
}

pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const UTF8_STRING: u8 = 0x0c;
pub const PRINTABLE_STRING: u8 = 0x13;
pub const TELETEX_STRING: u8 = 0x14;
pub const IA5_STRING: u8 = 0x16;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const UNIVERSAL_STRING: u8 = 0x1c;
pub const BMP_STRING: u8 = 0x1e;
pub const BOOLEAN: u8 = 0x01;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;

/// The element at `off` of `tvb`, within `limit`.
pub fn read(tvb: &Tvb, off: usize, limit: usize) -> Result<Tlv> {
    let tag = tvb.u8(off)?;
    if tag & 0x1f == 0x1f {
        return Err(Error::Malformed(
            "DER: high tag numbers are not supported".into(),
        ));
    }
    let first = tvb.u8(off + 1)?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return Err(Error::Malformed(
                "DER: indefinite or oversized length".into(),
            ));
        }
        let b = tvb.bytes(off + 2, n)?;
        (b.iter().fold(0usize, |a, &x| (a << 8) | x as usize), 2 + n)
    };
    let body = off + hdr;
    let end = body.checked_add(len).ok_or(Error::Short)?;
    if end > limit || end > tvb.len() {
        return Err(Error::Short);
    }
    Ok(Tlv {
        tag,
        start: off,
        body,
        end,
    })
}

/// The elements inside a constructed element.
pub fn children(tvb: &Tvb, parent: &Tlv) -> Result<Vec<Tlv>> {
    let mut out = vec![];
    let mut at = parent.body;
    while at < parent.end {
        let t = read(tvb, at, parent.end)?;
        at = t.end;
        out.push(t);
    }
    Ok(out)
}

/// An OBJECT IDENTIFIER's contents in dotted form (X.690 §8.19).
pub fn oid(b: &[u8]) -> String {
    let mut parts: Vec<u64> = vec![];
    let mut v: u64 = 0;
    for (i, &x) in b.iter().enumerate() {
        v = (v << 7) | (x & 0x7f) as u64;
        if x & 0x80 == 0 {
            if parts.is_empty() {
                let first = (v / 40).min(2);
                parts.push(first);
                parts.push(v - 40 * first);
            } else {
                parts.push(v);
            }
            v = 0;
        } else if i == b.len() - 1 || v > u64::MAX >> 7 {
            break;
        }
    }
    parts
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// A UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5) as tshark shows it:
/// `2013-10-17 20:50:19 (UTC)`.
pub fn time(tag: u8, b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let (year, rest) = if tag == UTC_TIME {
        let yy: u32 = s.get(0..2).and_then(|y| y.parse().ok()).unwrap_or(0);
        (
            if yy >= 50 { 1900 + yy } else { 2000 + yy },
            s.get(2..).unwrap_or(""),
        )
    } else {
        (
            s.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(0),
            s.get(4..).unwrap_or(""),
        )
    };
    let d = |i: usize| rest.get(i..i + 2).unwrap_or("00");
    format!(
        "{year:04}-{}-{} {}:{}:{} (UTC)",
        d(0),
        d(2),
        d(4),
        d(6),
        d(8)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_and_times() {
        // X.690 §8.19.5 example: {2 999 3} is 88 37 03.
        assert_eq!(oid(&[0x88, 0x37, 0x03]), "2.999.3");
        assert_eq!(
            oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05]),
            "1.2.840.113549.1.1.5"
        );
        assert_eq!(
            time(UTC_TIME, b"131017205019Z"),
            "2013-10-17 20:50:19 (UTC)"
        );
        assert_eq!(
            time(GENERALIZED_TIME, b"20500101000000Z"),
            "2050-01-01 00:00:00 (UTC)"
        );
    }

    #[test]
    fn lengths() {
        let data = [0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x05];
        let t = Tvb::new(&data, 0);
        let s = read(&t, 0, data.len()).unwrap();
        assert_eq!((s.body, s.end), (4, 7));
        assert_eq!(children(&t, &s).unwrap()[0].tag, INTEGER);
        assert!(read(&t, 0, 5).is_err());
        assert!(read(&Tvb::new(&[0x30, 0x80], 0), 0, 2).is_err());
    }
}
