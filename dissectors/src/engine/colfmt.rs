//! Column text without `core::fmt`: appends strings, integers and addresses to a `String` (the
//! Info column, a label) directly.
//!
//! Every packet's Info column is built from a handful of numbers (ports, sequence numbers,
//! message ids). Through `write!` each number costs a `Formatter`, `pad_integral` and a dynamic
//! `write_str` call; with `itoa` it is a table lookup per two digits and one copy. Dissectors on
//! the hot path write their columns with [`ColWrite`]:
//!
//! ```
//! use dissectors::engine::colfmt::ColWrite;
//! let mut info = String::new();
//! info.s("Seq=").u(42u32).s(" Len=").u(0u8);
//! assert_eq!(info, "Seq=42 Len=0");
//! ```

use crate::engine::address::{Address, Ipv4Text, Ipv6Text};
use crate::engine::value::write_hex_padded;

/// The plural ending of a count's noun in a label (`1 item`, `2 items`).
pub fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) {
        ""
    } else {
        "s"
    }
}

/// Appending to column text; each method returns the text so calls chain.
pub trait ColWrite {
    /// Empties the text (a column a layer replaces), keeping its allocation.
    fn reset(&mut self) -> &mut Self;
    /// Appends a string.
    fn s(&mut self, text: &str) -> &mut Self;
    /// Appends an unsigned integer in decimal.
    fn u(&mut self, v: impl Into<u64>) -> &mut Self;
    /// Appends a signed integer in decimal.
    fn i(&mut self, v: impl Into<i64>) -> &mut Self;
    /// Appends `v` as `0x` and `width` lowercase hex digits at least (`{:#0w$x}` minus the
    /// prefix's width, the way tshark writes message ids and tokens).
    fn hex(&mut self, v: u64, width: usize) -> &mut Self;
    /// Appends an address as the Source/Destination columns show it.
    fn addr(&mut self, a: &Address) -> &mut Self;
    /// Appends an IPv4 address in dotted decimal.
    fn ipv4(&mut self, a: &[u8; 4]) -> &mut Self;
    /// Appends an IPv6 address (RFC 5952).
    fn ipv6(&mut self, a: &[u8; 16]) -> &mut Self;
}

impl ColWrite for String {
    #[inline]
    fn reset(&mut self) -> &mut Self {
        self.clear();
        self
    }

    #[inline]
    fn s(&mut self, text: &str) -> &mut Self {
        self.push_str(text);
        self
    }

    #[inline]
    fn u(&mut self, v: impl Into<u64>) -> &mut Self {
        let mut b = itoa::Buffer::new();
        self.push_str(b.format(v.into()));
        self
    }

    #[inline]
    fn i(&mut self, v: impl Into<i64>) -> &mut Self {
        let mut b = itoa::Buffer::new();
        self.push_str(b.format(v.into()));
        self
    }

    fn hex(&mut self, v: u64, width: usize) -> &mut Self {
        self.push_str("0x");
        write_hex_padded(self, v, width);
        self
    }

    fn addr(&mut self, a: &Address) -> &mut Self {
        self.push_str(a.text().as_str());
        self
    }

    fn ipv4(&mut self, a: &[u8; 4]) -> &mut Self {
        self.push_str(Ipv4Text::new(a).as_str());
        self
    }

    fn ipv6(&mut self, a: &[u8; 16]) -> &mut Self {
        self.push_str(Ipv6Text::new(a).as_str());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::ColWrite;
    use crate::engine::address::Address;

    #[test]
    fn writes_as_display_does() {
        let mut s = String::new();
        s.u(0u8)
            .s(" ")
            .u(u32::MAX)
            .s(" ")
            .i(-5i32)
            .s(" ")
            .u(u64::MAX);
        assert_eq!(s, format!("0 {} -5 {}", u32::MAX, u64::MAX));
        s.clear();
        s.hex(0x1a, 4).s(" ").hex(0, 1).s(" ").hex(0x12345, 4);
        assert_eq!(s, format!("{:#06x} {:#03x} {:#06x}", 0x1a, 0, 0x12345));
        s.clear();
        s.ipv4(&[10, 0, 0, 1])
            .s(" ")
            .ipv6(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(s, "10.0.0.1 fe80::1");
        s.clear();
        for a in [
            Address::Ether([0, 1, 2, 3, 4, 0xff]),
            Address::Eui64([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 0xa3]),
            Address::Wpan16 { pan: 1, addr: 0xab },
            Address::Ipv4([192, 168, 0, 1]),
        ] {
            s.clear();
            s.addr(&a);
            assert_eq!(s, a.to_string());
        }
    }
}
