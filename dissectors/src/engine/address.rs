//! Addresses as the Source/Destination columns, conversations and endpoints see them.

use crate::engine::value::HEX2;
use std::fmt;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Address {
    #[default]
    None,
    Ether([u8; 6]),
    Ipv4([u8; 4]),
    Ipv6([u8; 16]),
    /// 802.15.4 short address (the PAN is kept beside it for conversations).
    Wpan16 {
        pan: u16,
        addr: u16,
    },
    /// 802.15.4 extended address / EUI-64.
    Eui64([u8; 8]),
}

impl Address {
    pub fn is_none(&self) -> bool {
        matches!(self, Address::None)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl Address {
    /// The address as [`Display`](fmt::Display) writes it, in a stack buffer: for writers that
    /// put it straight into their output, without a formatter (addresses are printed on every
    /// summary line).
    pub fn text(&self) -> AddressText {
        let mut t = AddressText {
            buf: [0; 48],
            len: 0,
        };
        match self {
            Address::None => {}
            Address::Ether(a) => t.colon_hex(a),
            // Whole buffers moved (fixed-size copies), not their texts copied byte-counted.
            Address::Ipv4(a) => {
                let v4 = Ipv4Text::new(a);
                t.buf[..v4.buf.len()].copy_from_slice(&v4.buf);
                t.len = v4.len;
            }
            Address::Ipv6(a) => {
                let v6 = Ipv6Text::new(a);
                (t.buf, t.len) = (v6.buf, v6.len);
            }
            Address::Wpan16 { addr, .. } => {
                t.push(b"0x");
                t.colon_hex_run(&addr.to_be_bytes(), false);
            }
            Address::Eui64(a) => t.colon_hex(a),
        }
        t
    }
}

/// An [`Address`] as text ([`Address::text`]).
pub struct AddressText {
    buf: [u8; 48],
    len: usize,
}

impl AddressText {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    fn push(&mut self, b: &[u8]) {
        let n = b.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
    }

    /// `aa:bb:cc…`.
    fn colon_hex(&mut self, bytes: &[u8]) {
        self.colon_hex_run(bytes, true);
    }

    /// Lowercase hex digits of `bytes` (at most 8), with colons between bytes when `colons`:
    /// each byte stored as its two digits and a colon at once, the last colon dropped.
    fn colon_hex_run(&mut self, bytes: &[u8], colons: bool) {
        let step = if colons { 3 } else { 2 };
        let mut at = self.len;
        for b in bytes.iter().take(8) {
            let [h, l] = HEX2[*b as usize];
            // At most 2 + 8 * 3 bytes: within the buffer.
            self.buf[at..at + 3].copy_from_slice(&[h, l, b':']);
            at += step;
        }
        if colons && at > self.len {
            at -= 1;
        }
        self.len = at;
    }
}

/// An IPv6 address as text, the way the standard library writes it (RFC 5952: lowercase hex,
/// the longest run of two or more zero groups as `::`, IPv4-mapped addresses as
/// `::ffff:a.b.c.d`), formatted into a stack buffer: about a tenth of `Ipv6Addr`'s cost.
pub struct Ipv6Text {
    buf: [u8; 48],
    len: usize,
}

impl Ipv6Text {
    pub fn new(a: &[u8; 16]) -> Ipv6Text {
        let mut t = Ipv6Text {
            buf: [0; 48],
            len: 0,
        };
        if a[..10].iter().all(|b| *b == 0) && a[10] == 0xff && a[11] == 0xff {
            t.push(b"::ffff:");
            for (i, b) in a[12..].iter().enumerate() {
                if i > 0 {
                    t.push(b".");
                }
                t.push_decimal(*b);
            }
            return t;
        }
        let groups: [u16; 8] =
            std::array::from_fn(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]));
        let (zero_at, zero_len) = longest_zero_run(&groups);
        // Only a run of two or more groups becomes `::`.
        let (zero_at, zero_end) = if zero_len >= 2 {
            (zero_at, zero_at + zero_len)
        } else {
            (8, 8)
        };
        for (i, g) in groups.iter().enumerate() {
            if i == zero_at {
                t.push(b"::");
            } else if i < zero_at || i >= zero_end {
                if i > 0 && i != zero_end {
                    t.push(b":");
                }
                t.push_hex(*g);
            }
        }
        t
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    fn push(&mut self, s: &[u8]) {
        self.buf[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    /// `g` in lowercase hex without leading zeros: its four digits from a table, of which the
    /// significant ones are kept (addresses are formatted on every summary line and export).
    fn push_hex(&mut self, g: u16) {
        let [hi, lo] = g.to_be_bytes();
        let (h, l) = (HEX2[hi as usize], HEX2[lo as usize]);
        let digits = ((16 - g.leading_zeros()).div_ceil(4)).max(1);
        // The significant digits moved to the front, so that all four bytes can be stored.
        let four = u32::from_be_bytes([h[0], h[1], l[0], l[1]]) << (8 * (4 - digits));
        self.put4(four.to_be_bytes(), digits as usize);
    }

    fn push_decimal(&mut self, b: u8) {
        let d = DEC[b as usize];
        self.put4(d, d[3] as usize);
    }

    /// Stores four bytes and keeps the first `n`: a fixed-size store instead of a
    /// variable-length copy (the buffer has room past the longest text).
    fn put4(&mut self, four: [u8; 4], n: usize) {
        self.buf[self.len..self.len + 4].copy_from_slice(&four);
        self.len += n;
    }
}

/// The decimal digits of every byte value, left-aligned, with their count in the last byte.
static DEC: [[u8; 4]; 256] = {
    let mut t = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b >= 100 {
            [b'0' + b / 100, b'0' + b / 10 % 10, b'0' + b % 10, 3]
        } else if b >= 10 {
            [b'0' + b / 10, b'0' + b % 10, 0, 2]
        } else {
            [b'0' + b, 0, 0, 1]
        };
        i += 1;
    }
    t
};

/// An IPv4 address as dotted decimal, formatted into a stack buffer.
pub struct Ipv4Text {
    /// 15 bytes of text at most, and room to store 4 bytes at once after 12.
    buf: [u8; 16],
    len: usize,
}

impl Ipv4Text {
    pub fn new(a: &[u8; 4]) -> Ipv4Text {
        let mut t = Ipv4Text {
            buf: [0; 16],
            len: 0,
        };
        for (i, b) in a.iter().enumerate() {
            if i > 0 {
                t.buf[t.len] = b'.';
                t.len += 1;
            }
            // All four bytes stored, the digits kept (a fixed-size store).
            let d = DEC[*b as usize];
            t.buf[t.len..t.len + 4].copy_from_slice(&d);
            t.len += d[3] as usize;
        }
        t
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// Start and length of the first longest run of zero groups.
fn longest_zero_run(groups: &[u16; 8]) -> (usize, usize) {
    let (mut best, mut best_len, mut run_start, mut run_len) = (0, 0, 0, 0);
    for (i, g) in groups.iter().enumerate() {
        if *g == 0 {
            if run_len == 0 {
                run_start = i;
            }
            run_len += 1;
            if run_len > best_len {
                best = run_start;
                best_len = run_len;
            }
        } else {
            run_len = 0;
        }
    }
    (best, best_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv6Addr;

    #[test]
    fn ipv4_text_is_dotted_decimal() {
        for a in [
            [0, 0, 0, 0],
            [127, 0, 0, 1],
            [255, 255, 255, 255],
            [10, 20, 100, 9],
        ] {
            assert_eq!(
                Ipv4Text::new(&a).as_str(),
                std::net::Ipv4Addr::from(a).to_string()
            );
        }
    }

    #[test]
    fn link_addresses_are_colon_hex() {
        let text = |a: Address| a.text().as_str().to_string();
        assert_eq!(
            text(Address::Ether([0, 0x1b, 0xc5, 0x09, 0xa0, 0xff])),
            "00:1b:c5:09:a0:ff"
        );
        assert_eq!(
            text(Address::Eui64([0, 0x12, 0x4b, 0, 1, 2, 3, 0xfe])),
            "00:12:4b:00:01:02:03:fe"
        );
        assert_eq!(
            text(Address::Wpan16 {
                pan: 1,
                addr: 0x0a1f
            }),
            "0x0a1f"
        );
        assert_eq!(
            text(Address::Wpan16 {
                pan: 1,
                addr: 0xffff
            }),
            "0xffff"
        );
        assert_eq!(text(Address::None), "");
        assert_eq!(text(Address::Ipv4([192, 0, 2, 255])), "192.0.2.255");
    }

    fn std_text(a: [u8; 16]) -> String {
        Ipv6Addr::from(a).to_string()
    }

    #[test]
    fn ipv6_text_matches_the_standard_library_on_the_usual_shapes() {
        for a in [
            "::",
            "::1",
            "fe80::1",
            "fd00::212:4b00:0:1",
            "2001:db8::1:0:0:1",
            "1::",
            "::ffff:192.0.2.1",
            "::192.0.2.1",
            "1:0:0:1:0:0:0:1",
            "ff02::1:ff0d:97f5",
            "2001:db8:85a3:8d3:1319:8a2e:370:7348",
        ] {
            let ip: Ipv6Addr = a.parse().unwrap();
            assert_eq!(
                Ipv6Text::new(&ip.octets()).as_str(),
                std_text(ip.octets()),
                "{a}"
            );
        }
    }

    proptest! {
        #[test]
        fn ipv6_text_matches_the_standard_library(groups in proptest::array::uniform8(prop_oneof![Just(0u16), Just(1u16), any::<u16>()])) {
            let mut a = [0u8; 16];
            for (i, g) in groups.iter().enumerate() {
                a[2 * i..2 * i + 2].copy_from_slice(&g.to_be_bytes());
            }
            let ours = Ipv6Text::new(&a);
            prop_assert_eq!(ours.as_str(), std_text(a));
        }
    }
}
