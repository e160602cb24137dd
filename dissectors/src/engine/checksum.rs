//! The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers that UDP, TCP and ICMPv6
//! include in theirs (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1).

use crate::engine::address::Address;

/// One's-complement sum of 16-bit big-endian words, not yet folded or inverted; chain calls by
/// passing the previous result as `sum`.
pub fn sum_words(mut sum: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u16::from_be_bytes([c[0], c[1]]) as u64;
    }
    if let [last] = chunks.remainder() {
        sum += (*last as u64) << 8;
    }
    sum
}

/// Folds a running sum into the final 16-bit checksum (inverted).
pub fn finish(mut sum: u64) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The checksum of one buffer.
pub fn internet_checksum(data: &[u8]) -> u16 {
    finish(sum_words(0, data))
}

/// The pseudo-header sum for an upper-layer protocol over IPv4 or IPv6; None when the network
/// addresses are unknown (then the checksum cannot be verified).
pub fn pseudo_header_sum(src: &Address, dst: &Address, proto: u8, len: u32) -> Option<u64> {
    let sum = match (src, dst) {
        (Address::Ipv4(s), Address::Ipv4(d)) => {
            let s = sum_words(0, s);
            sum_words(s, d) + proto as u64 + (len & 0xffff) as u64
        }
        (Address::Ipv6(s), Address::Ipv6(d)) => {
            let s = sum_words(0, s);
            sum_words(s, d) + (len >> 16) as u64 + (len & 0xffff) as u64 + proto as u64
        }
        _ => return None,
    };
    Some(sum)
}

/// Verifies an upper-layer checksum over `segment` (checksum field included): true when it adds
/// up to zero.
pub fn verify_with_pseudo(src: &Address, dst: &Address, proto: u8, segment: &[u8]) -> Option<bool> {
    let sum = pseudo_header_sum(src, dst, proto, segment.len() as u32)?;
    Some(finish(sum_words(sum, segment)) == 0)
}

/// The checksum value that `segment` should carry (its checksum field treated as zero, at
/// `csum_off`).
pub fn compute_with_pseudo(
    src: &Address,
    dst: &Address,
    proto: u8,
    segment: &[u8],
    csum_off: usize,
) -> Option<u16> {
    let sum = pseudo_header_sum(src, dst, proto, segment.len() as u32)?;
    let mut s = sum_words(sum, segment);
    if let Some(b) = segment.get(csum_off..csum_off + 2) {
        // Remove the checksum field's contribution (one's complement arithmetic allows it).
        s += 0xffff - u16::from_be_bytes([b[0], b[1]]) as u64;
    }
    Some(finish(s))
}

/// `*.checksum.status` values.
pub mod status {
    pub const BAD: u64 = 0;
    pub const GOOD: u64 = 1;
    pub const UNVERIFIED: u64 = 2;
    pub const NAMES: &[(u64, &str)] = &[
        (0, "Bad"),
        (1, "Good"),
        (2, "Unverified"),
        (3, "Not present"),
        (4, "Illegal"),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3 example words 0001 f203 f4f5 f6f7 sum to 0xddf2 before inversion.
        let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&d), !0xddf2);
    }

    #[test]
    fn udp_over_ipv4_verifies() {
        // UDP 54833 -> 5683 from 127.0.0.1 to 127.0.0.1 (a real CoAP GET whose capture carries
        // a wrong checksum; tshark calculates 0x35d6, which is what this datagram carries here).
        let seg = [
            0xd6, 0x31, 0x16, 0x33, 0x00, 0x15, 0x35, 0xd6, 0x42, 0x01, 0xaa, 0x01, 0x62, 0xda,
            0xb4, 0x74, 0x65, 0x73, 0x74, 0xc1, 0x02,
        ];
        let lo = Address::Ipv4([127, 0, 0, 1]);
        assert_eq!(verify_with_pseudo(&lo, &lo, 17, &seg), Some(true));
        assert_eq!(compute_with_pseudo(&lo, &lo, 17, &seg, 6), Some(0x35d6));
    }
}
