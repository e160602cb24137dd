//! NTP (RFC 5905 §7.3) on UDP port 123: the 48-byte packet header, then extension fields
//! (RFC 7822) and a key identifier with message digest (RFC 5905 §7.3, RFC 8573).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
//! |                         Root Delay                            |
//! |                         Root Dispersion                       |
//! |                          Reference ID                         |
//! |                     Reference Timestamp (64)                  |
//! |                      Origin Timestamp (64)                    |
//! |                      Receive Timestamp (64)                   |
//! |                      Transmit Timestamp (64)                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Timestamps are seconds since 1900 (era 0) and a 32-bit fraction; an all-zero timestamp is
//! shown as `NULL` (field base `NtpUtc`), as tshark does. Root delay, dispersion, poll and precision are shown raw, as
//! tshark's field values are. Control (mode 6) and private (mode 7) messages are shown as data.

use crate::engine::field::{Base, FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

static LEAP: &[(u64, &str)] = &[
    (0, "no warning"),
    (1, "last minute of the day has 61 seconds"),
    (2, "last minute of the day has 59 seconds"),
    (3, "unknown (clock unsynchronized)"),
];

static MODES: &[(u64, &str)] = &[
    (0, "reserved"),
    (1, "symmetric active"),
    (2, "symmetric passive"),
    (3, "client"),
    (4, "server"),
    (5, "broadcast"),
    (6, "reserved for NTP control message"),
    (7, "reserved for private use"),
];

/// Mode names as the Info column shows them.
static INFO_MODES: [&str; 8] = [
    "reserved",
    "symmetric active",
    "symmetric passive",
    "client",
    "server",
    "broadcast",
    "control",
    "private",
];

crate::fields! {
    PROTO = FieldDef::protocol("ntp", "Network Time Protocol");
    FLAGS = FieldDef::new("ntp.flags", "Flags", T::U8).hex();
    FLAGS_LI = FieldDef::new("ntp.flags.li", "Leap Indicator", T::U8).mask(0xc0).vals(LEAP);
    FLAGS_VN = FieldDef::new("ntp.flags.vn", "Version number", T::U8).mask(0x38);
    FLAGS_MODE = FieldDef::new("ntp.flags.mode", "Mode", T::U8).mask(0x07).vals(MODES);
    STRATUM = FieldDef::new("ntp.stratum", "Peer Clock Stratum", T::U8);
    PPOLL = FieldDef::new("ntp.ppoll", "Peer Polling Interval", T::U8);
    PRECISION = FieldDef::new("ntp.precision", "Peer Clock Precision", T::U8);
    ROOTDELAY = FieldDef::new("ntp.rootdelay", "Root Delay", T::U32);
    ROOTDISPERSION = FieldDef::new("ntp.rootdispersion", "Root Dispersion", T::U32);
    REFID = FieldDef::new("ntp.refid", "Reference ID", T::Bytes);
    REFTIME = FieldDef::new("ntp.reftime", "Reference Timestamp", T::AbsTime).base(Base::NtpUtc);
    ORG = FieldDef::new("ntp.org", "Origin Timestamp", T::AbsTime).base(Base::NtpUtc);
    REC = FieldDef::new("ntp.rec", "Receive Timestamp", T::AbsTime).base(Base::NtpUtc);
    XMT = FieldDef::new("ntp.xmt", "Transmit Timestamp", T::AbsTime).base(Base::NtpUtc);
    EXT = FieldDef::new("ntp.ext", "Extension", T::None);
    EXT_TYPE = FieldDef::new("ntp.ext.type", "Field Type", T::U16).hex();
    EXT_LENGTH = FieldDef::new("ntp.ext.length", "Length", T::U16);
    EXT_VALUE = FieldDef::new("ntp.ext.value", "Value", T::Bytes);
    KEYID = FieldDef::new("ntp.keyid", "Key ID", T::Bytes);
    MAC = FieldDef::new("ntp.mac", "Message Authentication Code", T::Bytes);
}

crate::protocol!("ntp", "NTP", dissect, register);

fn register(r: &mut Registry) {
    r.add(tables::UDP_PORT, 123, &PROTOCOL);
}

/// Seconds from 1900-01-01 (the NTP epoch) to 1970-01-01.
const NTP_TO_UNIX: u32 = 2_208_988_800;

/// An NTP timestamp as tshark 4.0 converts it: era 0 only, so seconds before 1970 wrap as
/// unsigned 32-bit arithmetic does; the fraction is scaled in floating point and truncated. The
/// all-zero timestamp is the epoch (the fields show it as `NULL`).
pub fn timestamp(secs: u32, frac: u32) -> Value {
    if secs == 0 && frac == 0 {
        return Value::AbsTime(0);
    }
    let unix = secs.wrapping_sub(NTP_TO_UNIX) as i64;
    let nanos = (1_000_000_000.0 * (frac as f64 / 4_294_967_296.0)) as i64;
    Value::AbsTime(unix * 1_000_000_000 + nanos)
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let flags = tvb.u8(0)?;
    let (vn, mode) = ((flags >> 3) & 7, flags & 7);
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.set_info(format!("NTP Version {vn}, {}", INFO_MODES[mode as usize]));
    cx.add_bitmask8(node, &FLAGS, &[&FLAGS_LI, &FLAGS_VN, &FLAGS_MODE], tvb, 0)?;
    if mode >= 6 {
        // Control and private messages have their own formats (RFC 1305 Appendix B).
        cx.call_data(&tvb.sub_from(1)?, parent);
        return Ok(());
    }
    header(cx, node, tvb)?;
    trailer(cx, node, tvb, 48)
}

/// The fixed 48 bytes after the flags.
fn header(cx: &mut Cx, node: NodeId, tvb: &Tvb) -> Result<()> {
    cx.add_u8(node, &STRATUM, tvb, 1)?;
    cx.add_u8(node, &PPOLL, tvb, 2)?;
    cx.add_u8(node, &PRECISION, tvb, 3)?;
    cx.add_be_u32(node, &ROOTDELAY, tvb, 4)?;
    cx.add_be_u32(node, &ROOTDISPERSION, tvb, 8)?;
    cx.add_bytes(node, &REFID, tvb, 12, 4)?;
    for (i, f) in [&REFTIME, &ORG, &REC, &XMT].into_iter().enumerate() {
        let off = 16 + 8 * i;
        let v = timestamp(tvb.be_u32(off)?, tvb.be_u32(off + 4)?);
        cx.add(node, f, tvb.range(off, 8), v);
    }
    Ok(())
}

/// Extension fields, then a key ID and MAC (4 + 16 or 4 + 20 bytes) if that is what is left.
fn trailer(cx: &mut Cx, node: NodeId, tvb: &Tvb, mut off: usize) -> Result<()> {
    loop {
        let left = tvb.remaining(off);
        if left == 0 {
            return Ok(());
        }
        if left == 20 || left == 24 {
            cx.add_bytes(node, &KEYID, tvb, off, 4)?;
            cx.add_bytes(node, &MAC, tvb, off + 4, left - 4)?;
            return Ok(());
        }
        let len = tvb.be_u16(off + 2)? as usize;
        if len < 4 {
            return Err(crate::engine::tvb::Error::Malformed(
                "NTP extension field shorter than its header".into(),
            ));
        }
        let ext = cx.add(node, &EXT, tvb.range(off, len), Value::None);
        let t = cx.add_be_u16(ext, &EXT_TYPE, tvb, off)?;
        cx.set_text(ext, format!("Extension: 0x{t:04x}"));
        cx.add_be_u16(ext, &EXT_LENGTH, tvb, off + 2)?;
        cx.add_bytes(ext, &EXT_VALUE, tvb, off + 4, len - 4)?;
        off += len;
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    /// A client request as chrony sends it (RFC 5905 §7.3 layout): mode 3, version 4, only the
    /// transmit timestamp set.
    const CLIENT: [u8; 48] = [
        0x23, 0, 6, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x95, 0xd2, 0x6b, 0x44, 0xa7, 0x16, 0x51, 0x84,
    ];

    fn udp(payload: &[u8]) -> Vec<u8> {
        let mut f = vec![
            0, 0, 0x5e, 0, 0x53, 0x0a, 0, 0, 0x5e, 0, 0x53, 0x01, 0x08, 0x00,
        ];
        let ulen = (8 + payload.len()) as u16;
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 101, 192, 0, 2, 10,
        ];
        ip[2..4].copy_from_slice(&(20 + ulen).to_be_bytes());
        let sum = crate::engine::checksum::internet_checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        f.extend_from_slice(&ip);
        f.extend_from_slice(&[0x9c, 0x40, 0, 123]);
        f.extend_from_slice(&ulen.to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn client_request() {
        let p = dissect_one(1, &udp(&CLIENT));
        assert_eq!(p.info(), "NTP Version 4, client");
        assert_eq!(p.show("ntp.flags"), ["0x23"]);
        assert_eq!(p.show("ntp.flags.vn"), ["4"]);
        assert_eq!(p.show("ntp.flags.mode"), ["3"]);
        assert_eq!(p.show("ntp.precision"), ["32"]);
        assert_eq!(p.show("ntp.refid"), ["00:00:00:00"]);
        assert_eq!(p.show("ntp.reftime"), ["NULL"]);
        assert_eq!(p.show("ntp.xmt"), ["Aug 27, 1979 12:53:24.652684302 UTC"]);
    }

    #[test]
    fn mac_and_truncation() {
        let mut m = CLIENT.to_vec();
        m.extend_from_slice(&[0, 0, 0, 1]);
        m.extend_from_slice(&[0xab; 16]);
        let p = dissect_one(1, &udp(&m));
        assert_eq!(p.show("ntp.keyid"), ["00:00:00:01"]);
        assert_eq!(p.show("ntp.mac").len(), 1);
        let full = udp(&CLIENT);
        crate::testutil::assert_truncations_are_malformed(1, &full, full.len());
    }
}
