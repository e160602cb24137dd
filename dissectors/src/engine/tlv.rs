//! One walker for type-length-value lists, configured by the shape of the list's format
//! rather than written again in every dissector.
//!
//! ```text
//!  +--------+--------+----------------------------+------------+
//!  |  type  | length |  value (length octets, or  |  padding   |
//!  |        |        |  length*unit - header)     | (to align) |
//!  +--------+--------+----------------------------+------------+
//!  |<-- header_len -->|
//! ```
//!
//! Formats covered: IPv4 options (RFC 791 §3.1) and TCP options (RFC 9293 §3.1): EOL, NOP,
//! kind-length counting the header; IPv6 Hop-by-Hop/Destination options (RFC 8200 §4.2) and
//! RPL options (RFC 6550 §6.7.1): Pad1, type-length after the header; ND options (RFC 4861
//! §4.6): length in 8-octet units counting the header; TAP TLVs (IEEE 802.15.4 TAP spec):
//! 16-bit little-endian type and length, values padded to 4 octets; 802.15.4 header and
//! payload IEs (IEEE 802.15.4-2020 §7.4.2.1, §7.4.3.1): type and length packed in one 16-bit
//! little-endian word.
//!
//! The walker only finds boundaries; what a malformed element means (an expert item, an error,
//! or the end of the list) stays with the dissector, which gets the element as
//! [`TlvKind::Truncated`], [`TlvKind::BadLength`] or [`TlvKind::Overrun`] and then no more.

use crate::engine::tvb::Tvb;

/// The shape of one TLV format.
#[derive(Clone, Copy, Debug)]
pub struct TlvFormat {
    /// Octets of the type and length header (1 to 8).
    pub header_len: usize,
    /// The header word is read little-endian (else big-endian).
    pub little_endian: bool,
    /// The type is `(word >> type_shift) & type_mask`.
    pub type_shift: u32,
    pub type_mask: u64,
    /// The length is `(word >> len_shift) & len_mask`, in units of `len_unit` octets.
    pub len_shift: u32,
    pub len_mask: u64,
    pub len_unit: usize,
    /// The length counts the header (IPv4/TCP options, ND options).
    pub len_counts_header: bool,
    /// Values are padded so that the next element starts at a multiple of this (1: none).
    pub align: usize,
    /// First octets that are one-octet elements with no length (NOP, Pad1; TCP's EOL when
    /// the walk goes on after it, as tshark shows it).
    pub pads: [Option<u8>; 2],
    /// A first octet that ends the list (EOL).
    pub end: Option<u8>,
}

impl TlvFormat {
    /// IPv4 and TCP options: EOL and NOP are one octet, the others kind-length with the
    /// length counting both.
    pub const IP_OPTIONS: TlvFormat = TlvFormat::type_len8().counting_header().pad1(1).end(0);

    /// IPv6 Hop-by-Hop/Destination and RPL options: Pad1 is one octet, the others
    /// type-length with the length counting the value only.
    pub const IPV6_OPTIONS: TlvFormat = TlvFormat::type_len8().pad1(0);

    /// ND options: type-length, the length in 8-octet units counting the header.
    pub const ND_OPTIONS: TlvFormat = TlvFormat::type_len8().unit(8).counting_header();

    /// One type octet, then one length octet.
    pub const fn type_len8() -> TlvFormat {
        TlvFormat {
            header_len: 2,
            little_endian: false,
            type_shift: 8,
            type_mask: 0xff,
            len_shift: 0,
            len_mask: 0xff,
            len_unit: 1,
            len_counts_header: false,
            align: 1,
            pads: [None, None],
            end: None,
        }
    }

    /// A 16-bit little-endian type, then a 16-bit little-endian length.
    pub const fn type_len16_le() -> TlvFormat {
        TlvFormat {
            header_len: 4,
            little_endian: true,
            type_shift: 0,
            type_mask: 0xffff,
            len_shift: 16,
            len_mask: 0xffff,
            ..TlvFormat::type_len8()
        }
    }

    /// Type and length packed in one 16-bit little-endian word.
    pub const fn packed16_le(type_shift: u32, type_mask: u64, len_mask: u64) -> TlvFormat {
        TlvFormat {
            header_len: 2,
            little_endian: true,
            type_shift,
            type_mask,
            len_shift: 0,
            len_mask,
            ..TlvFormat::type_len8()
        }
    }

    pub const fn counting_header(mut self) -> TlvFormat {
        self.len_counts_header = true;
        self
    }

    pub const fn unit(mut self, octets: usize) -> TlvFormat {
        self.len_unit = octets;
        self
    }

    pub const fn aligned(mut self, octets: usize) -> TlvFormat {
        self.align = octets;
        self
    }

    /// Adds a one-octet padding code (at most two).
    pub const fn pad1(mut self, code: u8) -> TlvFormat {
        if self.pads[0].is_none() {
            self.pads[0] = Some(code);
        } else {
            self.pads[1] = Some(code);
        }
        self
    }

    /// `Some(code)`: that first octet ends the list; None: nothing does.
    pub const fn end_code(mut self, code: Option<u8>) -> TlvFormat {
        self.end = code;
        self
    }

    pub const fn end(self, code: u8) -> TlvFormat {
        self.end_code(Some(code))
    }

    /// A walker over the list from `start` to `end`. `end` is where the list says it ends and
    /// may lie past the data: an element whose header is not there comes as
    /// [`TlvKind::Truncated`], one whose value is not there as an [`TlvKind::Item`] whose
    /// reads fail as the dissector's own would.
    pub fn walk<'t, 'a>(&self, tvb: &'t Tvb<'a>, start: usize, end: usize) -> TlvWalker<'t, 'a> {
        TlvWalker {
            fmt: *self,
            tvb,
            off: start,
            end,
            done: false,
        }
    }
}

/// What one element of a list is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlvKind {
    /// A well-formed element: header, then `value_len` octets of value.
    Item,
    /// A one-octet padding element (NOP, Pad1).
    Pad,
    /// The end-of-list octet; the walk stops after it.
    End,
    /// The list ends inside the header; the walk stops.
    Truncated,
    /// The length cannot be right (shorter than the header it counts, or zero units when
    /// the unit counts the header); the walk stops.
    BadLength,
    /// The value runs past the end of the list; the walk stops.
    Overrun,
}

/// One element: where it is and what its header says. Offsets are into the walked buffer.
#[derive(Clone, Copy, Debug)]
pub struct Tlv {
    pub kind: TlvKind,
    pub ty: u64,
    /// The length field as carried (before units and header are applied).
    pub len_field: u64,
    /// First octet of the element.
    pub off: usize,
    /// Octets of header (1 for Pad/End, the format's header otherwise; fewer when Truncated).
    pub header_len: usize,
    /// First octet of the value, and how many the header promises.
    pub value_off: usize,
    pub value_len: usize,
}

impl Tlv {
    /// Octets the element takes, header included, without alignment padding.
    pub fn total_len(&self) -> usize {
        self.header_len + self.value_len
    }

    /// Offset just after the value.
    pub fn value_end(&self) -> usize {
        self.value_off + self.value_len
    }
}

/// Yields the elements of one list in order; see [`TlvFormat::walk`].
pub struct TlvWalker<'t, 'a> {
    fmt: TlvFormat,
    tvb: &'t Tvb<'a>,
    off: usize,
    end: usize,
    done: bool,
}

impl TlvWalker<'_, '_> {
    /// Where the next element would start (after the walk: where it stopped).
    pub fn offset(&self) -> usize {
        self.off
    }

    fn header_word(&self, off: usize) -> Option<u64> {
        let f = &self.fmt;
        let b = self.tvb.bytes(off, f.header_len).ok()?;
        let mut w = 0u64;
        for (i, x) in b.iter().enumerate() {
            if f.little_endian {
                w |= (*x as u64) << (8 * i);
            } else {
                w = (w << 8) | *x as u64;
            }
        }
        Some(w)
    }

    fn element(&self, off: usize, end: usize) -> Tlv {
        let f = &self.fmt;
        let first = self.tvb.u8(off).ok();
        let one = |kind, header_len| Tlv {
            kind,
            ty: first.unwrap_or(0) as u64,
            len_field: 0,
            off,
            header_len,
            value_off: off + header_len,
            value_len: 0,
        };
        let Some(first) = first else {
            return one(TlvKind::Truncated, 0);
        };
        if f.end == Some(first) {
            return one(TlvKind::End, 1);
        }
        if f.pads.contains(&Some(first)) {
            return one(TlvKind::Pad, 1);
        }
        let word = match self.header_word(off) {
            Some(w) if off + f.header_len <= end => w,
            _ => {
                let have = end.saturating_sub(off).min(self.tvb.remaining(off));
                return one(TlvKind::Truncated, have);
            }
        };
        let ty = (word >> f.type_shift) & f.type_mask;
        let len_field = (word >> f.len_shift) & f.len_mask;
        let octets = (len_field as usize).saturating_mul(f.len_unit);
        let (kind, value_len) = if f.len_counts_header && octets < f.header_len {
            (TlvKind::BadLength, 0)
        } else {
            let v = if f.len_counts_header {
                octets - f.header_len
            } else {
                octets
            };
            let fits = (off + f.header_len).saturating_add(v) <= end;
            (
                if fits {
                    TlvKind::Item
                } else {
                    TlvKind::Overrun
                },
                v,
            )
        };
        Tlv {
            kind,
            ty,
            len_field,
            off,
            header_len: f.header_len,
            value_off: off + f.header_len,
            value_len,
        }
    }
}

impl Iterator for TlvWalker<'_, '_> {
    type Item = Tlv;

    fn next(&mut self) -> Option<Tlv> {
        let end = self.end;
        if self.done || self.off >= end {
            return None;
        }
        let t = self.element(self.off, end);
        match t.kind {
            TlvKind::Item | TlvKind::Pad => {
                let next = t.value_end();
                let a = self.fmt.align;
                // Most formats are unaligned: no division per element for them.
                self.off = if a > 1 {
                    next + (a - (next - t.off) % a) % a
                } else {
                    next
                };
            }
            _ => {
                self.done = true;
                self.off = t.value_off;
            }
        }
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(fmt: TlvFormat, data: &[u8]) -> Vec<(TlvKind, u64, usize, usize)> {
        let tvb = Tvb::new(data, 0);
        fmt.walk(&tvb, 0, data.len())
            .map(|t| (t.kind, t.ty, t.off, t.value_len))
            .collect()
    }

    #[test]
    fn tcp_style_options() {
        let fmt = TlvFormat::IP_OPTIONS;
        let got = kinds(fmt, &[1, 2, 4, 0x05, 0xb4, 0, 0]);
        use TlvKind::*;
        assert_eq!(got, [(Pad, 1, 0, 0), (Item, 2, 1, 2), (End, 0, 5, 0)]);
        assert_eq!(kinds(fmt, &[2, 1, 0])[0].0, BadLength);
        assert_eq!(kinds(fmt, &[2, 9, 0])[0].0, Overrun);
        assert_eq!(kinds(fmt, &[1, 2])[1].0, Truncated);
    }

    #[test]
    fn nd_units_and_ie_packing() {
        let nd = TlvFormat::ND_OPTIONS;
        let got = kinds(nd, &[1, 1, 0, 0, 0, 0, 0, 0, 3, 0]);
        assert_eq!(got[0], (TlvKind::Item, 1, 0, 6));
        assert_eq!(got[1].0, TlvKind::BadLength);
        // Header IE: length 3, element id 0x1a (CSL), type 0.
        let hie = TlvFormat::packed16_le(7, 0xff, 0x7f);
        let w = (0x1au16 << 7) | 3;
        let d = [w as u8, (w >> 8) as u8, 1, 2, 3];
        assert_eq!(kinds(hie, &d), [(TlvKind::Item, 0x1a, 0, 3)]);
    }

    #[test]
    fn tap_alignment() {
        let tap = TlvFormat::type_len16_le().aligned(4);
        let d = [1, 0, 1, 0, 9, 0, 0, 0, 2, 0, 0, 0];
        let got = kinds(tap, &d);
        assert_eq!(got, [(TlvKind::Item, 1, 0, 1), (TlvKind::Item, 2, 8, 0)]);
    }
}
