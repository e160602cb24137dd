//! Addresses as the Source/Destination columns, conversations and endpoints see them.

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
            Address::Ipv4(a) => t.push(Ipv4Text::new(a).bytes()),
            Address::Ipv6(a) => t.push(Ipv6Text::new(a).bytes()),
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

    /// Lowercase hex digits of `bytes`, with colons between bytes when `colons`.
    fn colon_hex_run(&mut self, bytes: &[u8], colons: bool) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, b) in bytes.iter().take(8).enumerate() {
            if i > 0 && colons {
                self.push(b":");
            }
            self.push(&[HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
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
        let mut i = 0;
        while i < 8 {
            if zero_len >= 2 && i == zero_at {
                t.push(b"::");
                i += zero_len;
                continue;
            }
            if i > 0 && !(zero_len >= 2 && i == zero_at + zero_len) {
                t.push(b":");
            }
            t.push_hex(groups[i]);
            i += 1;
        }
        t
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    /// The text's bytes (ASCII), for copying into other text without checking them again.
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn push(&mut self, s: &[u8]) {
        self.buf[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    fn push_hex(&mut self, g: u16) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digits = (16 - g.leading_zeros()).div_ceil(4).max(1);
        for d in (0..digits).rev() {
            self.buf[self.len] = HEX[((g >> (4 * d)) & 15) as usize];
            self.len += 1;
        }
    }

    fn push_decimal(&mut self, b: u8) {
        if b >= 100 {
            self.push(&[b'0' + b / 100]);
        }
        if b >= 10 {
            self.push(&[b'0' + (b / 10) % 10]);
        }
        self.push(&[b'0' + b % 10]);
    }
}

/// An IPv4 address as dotted decimal, formatted into a stack buffer.
pub struct Ipv4Text {
    buf: [u8; 15],
    len: usize,
}

impl Ipv4Text {
    pub fn new(a: &[u8; 4]) -> Ipv4Text {
        let mut t = Ipv4Text {
            buf: [0; 15],
            len: 0,
        };
        for (i, b) in a.iter().enumerate() {
            if i > 0 {
                t.buf[t.len] = b'.';
                t.len += 1;
            }
            let mut digits = itoa::Buffer::new();
            let digits = digits.format(*b).as_bytes();
            t.buf[t.len..t.len + digits.len()].copy_from_slice(digits);
            t.len += digits.len();
        }
        t
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    /// The text's bytes (ASCII), for copying into other text without checking them again.
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
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
