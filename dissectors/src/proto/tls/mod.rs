//! Transport Layer Security: DTLS records (RFC 6347) as CoAP over DTLS carries them, and the
//! TLS record framing (RFC 8446 §5.1) protocols that run over TLS on TCP are cut with.

use crate::engine::registry::PduLen;

pub mod dtls;

/// PDU length of a TLS record (RFC 8446 §5.1: type, version, 16-bit length); for protocols
/// whose traffic is TLS-encrypted and shown as such.
pub fn tls_record_len(b: &[u8]) -> PduLen {
    match b {
        [t, 3, _, hi, lo, ..] if (20..=24).contains(t) => {
            PduLen::Complete(5 + u16::from_be_bytes([*hi, *lo]) as usize)
        }
        [t, ..] if !(20..=24).contains(t) => PduLen::NotMine,
        [_, v, ..] if *v != 3 => PduLen::NotMine,
        _ => PduLen::NeedMore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_record_lengths() {
        assert_eq!(tls_record_len(&[0x16, 3, 1, 0, 5]), PduLen::Complete(10));
        assert_eq!(tls_record_len(&[0x16, 3]), PduLen::NeedMore);
        assert_eq!(tls_record_len(b"<a/>"), PduLen::NotMine);
    }
}
