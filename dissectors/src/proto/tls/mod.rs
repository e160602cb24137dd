//! Transport Layer Security: DTLS records (RFC 6347) as CoAP over DTLS carries them.

pub mod dtls;
