//! ZigBee Encapsulation Protocol (ZEP), versions 1 and 2, on UDP port 17754: how Exegin/TI
//! sniffers and simulators (OpenWSN, Contiki's Cooja) forward captured 802.15.4 frames.
//! There is no formal standard; the layout is Wireshark's packet-zep.c.
//!
//! ```text
//! v1:      | "EX" | ver=1 | channel | device id(2) | CRC/LQI mode | LQI | reserved(7) | len | frame |
//! v2 data: | "EX" | ver=2 | type=1 | channel | device id(2) | CRC/LQI mode | LQI |
//!          | NTP timestamp(8) | sequence(4) | reserved(10) | len | frame |
//! v2 ack:  | "EX" | ver=2 | type=2 | sequence(4) |
//! ```
//! In CRC mode the frame ends with its FCS; in LQI mode the last two octets are TI CC24xx
//! metadata (RSSI, CRC-OK and correlation) instead.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

use crate::proto::ieee802154 as wpan;

pub const UDP_PORT: u16 = 17754;
const V1_HEADER_LEN: usize = 16;
const V2_HEADER_LEN: usize = 32;
const V2_ACK_LEN: usize = 8;
const TYPE_ACK: u8 = 2;

crate::fields! {
    PROTO = FieldDef::protocol("zep", "ZigBee Encapsulation Protocol");
    PROTOCOL_ID = FieldDef::new("zep.protocol_id", "Protocol ID String", T::String);
    VERSION = FieldDef::new("zep.version", "Protocol Version", T::U8);
    TYPE = FieldDef::new("zep.type", "Type", T::U8).vals(&[(1, "Data"), (2, "Ack")]);
    CHANNEL_ID = FieldDef::new("zep.channel_id", "Channel ID", T::U8);
    DEVICE_ID = FieldDef::new("zep.device_id", "Device ID", T::U16);
    LQI_MODE = FieldDef::new("zep.lqi_mode", "LQI/CRC Mode", T::Bool).tfs("CRC", "LQI");
    LQI = FieldDef::new("zep.lqi", "Link Quality Indication", T::U8);
    TIME = FieldDef::new("zep.time", "Timestamp", T::AbsTime);
    SEQNO = FieldDef::new("zep.seqno", "Sequence Number", T::U32);
    LENGTH = FieldDef::new("zep.length", "Length", T::U8).mask(0x7f);
    RESERVED_FIELD = FieldDef::new("zep.reserved_field", "Reserved Fields", T::Bytes);
}

crate::protocol!("zep", "ZEP", dissect, register);

fn register(r: &mut Registry) {
    r.add(tables::UDP_PORT, UDP_PORT as u64, &PROTOCOL);
}

/// NTP timestamp (seconds since 1900 and a binary fraction) as ns since 1970; seconds with the
/// top bit clear belong to NTP era 1 (from 2036), as RFC 5905 §6 and Wireshark read them.
fn ntp_to_ns(secs: u32, frac: u32) -> i64 {
    const NTP_TO_UNIX: i64 = 2_208_988_800;
    let mut s = secs as i64;
    if secs & 0x8000_0000 == 0 {
        s += 1 << 32;
    }
    let ns = ((frac as u64 * 1_000_000_000) >> 32) as i64;
    (s - NTP_TO_UNIX) * 1_000_000_000 + ns
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    if tvb.bytes(0, 2)? != b"EX" {
        // Not ZEP after all.
        cx.call_data(tvb, parent);
        return Ok(());
    }
    let version = tvb.u8(2)?;
    let ty = if version == 1 { 1 } else { tvb.u8(3)? };
    let hdr_len = match (version, ty) {
        (1, _) => V1_HEADER_LEN,
        (_, TYPE_ACK) => V2_ACK_LEN,
        _ => V2_HEADER_LEN,
    };
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, hdr_len));
    cx.columns.protocol = if version == 1 { "ZEP" } else { "ZEPv2" }.into();
    cx.add_string(node, &PROTOCOL_ID, tvb, 0, 2)?;
    cx.add_u8(node, &VERSION, tvb, 2)?;
    if version != 1 && ty == TYPE_ACK {
        cx.add_u8(node, &TYPE, tvb, 3)?;
        let seq = cx.add_be_u32(node, &SEQNO, tvb, 4)?;
        cx.set_text(node, "ZigBee Encapsulation Protocol, Ack");
        cx.set_info(format_args!("Ack, Sequence Number: {seq}"));
        return Ok(());
    }
    // Offsets of the fields after the version (v2 has the type octet in between).
    let b = if version == 1 { 3 } else { 4 };
    if version != 1 {
        cx.add_u8(node, &TYPE, tvb, 3)?;
    }
    let channel = cx.add_u8(node, &CHANNEL_ID, tvb, b)?;
    cx.add_be_u16(node, &DEVICE_ID, tvb, b + 1)?;
    let crc_mode = tvb.u8(b + 3)? != 0;
    cx.add(node, &LQI_MODE, tvb.range(b + 3, 1), Value::Bool(crc_mode));
    if version == 1 {
        // tshark 4.0 shows v1's LQI octet in CRC mode and counts it among the reserved octets
        // otherwise; its reserved range runs to the end of the header (length octet included).
        // Shown the same way so filters on these fields match tshark's.
        if crc_mode {
            cx.add_u8(node, &LQI, tvb, b + 4)?;
        }
        let off = if crc_mode { 8 } else { 7 };
        cx.add_bytes(node, &RESERVED_FIELD, tvb, off, V1_HEADER_LEN - off)?;
    } else {
        if !crc_mode {
            cx.add_u8(node, &LQI, tvb, b + 4)?;
        }
        let secs = tvb.be_u32(9)?;
        let frac = tvb.be_u32(13)?;
        cx.add(
            node,
            &TIME,
            tvb.range(9, 8),
            Value::AbsTime(ntp_to_ns(secs, frac)),
        );
        cx.add_be_u32(node, &SEQNO, tvb, 17)?;
    }
    let len_byte = tvb.u8(hdr_len - 1)?;
    cx.add_uint(node, &LENGTH, tvb.range(hdr_len - 1, 1), len_byte as u64);
    let len = (len_byte & 0x7f) as usize;
    cx.set_text(
        node,
        format_args!("ZigBee Encapsulation Protocol, Channel: {channel}, Length: {len}"),
    );
    cx.set_info(format_args!(
        "Encapsulated ZigBee Packet [Channel]={channel} [Length]={len}"
    ));
    let frame = tvb.sub_clamped(hdr_len, len);
    if crc_mode {
        cx.call(&wpan::FCS16, &frame, parent);
    } else {
        cx.call(&wpan::CC24XX, &frame, parent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    /// IPv6/UDP 17754 carrying a ZEP v2 data packet with an 802.15.4 ack (from
    /// ttproto_openwsn_802_15_4_ACKS.pcap, frame 2).
    pub const ZEP_ACK_FRAME: &[u8] = &[
        0x60, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x11, 0x08, 0xbb, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0x01, 0xbb, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x45,
        0x5a, 0x00, 0x2d, 0x25, 0xc2, b'E', b'X', 0x02, 0x01, 0x1a, 0x00, 0x01, 0x01, 0xff, 0x01,
        0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x02, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0x05, 0x02, 0x00, 0x14, 0x1d, 0xe3,
    ];

    #[test]
    fn zep_v2_data_with_ack_inside() {
        let p = dissect_one(101, ZEP_ACK_FRAME);
        assert_eq!(p.show("zep.protocol_id"), ["EX"]);
        assert_eq!(p.show("zep.version"), ["2"]);
        assert_eq!(p.show("zep.type"), ["1"]);
        assert_eq!(p.show("zep.channel_id"), ["26"]);
        assert_eq!(p.show("zep.device_id"), ["1"]);
        assert_eq!(p.show("zep.lqi_mode"), ["1"]);
        assert_eq!(p.show("zep.time"), ["Aug 20, 2036 05:05:05.003921568 UTC"]);
        assert_eq!(p.show("zep.seqno"), ["33686018"]);
        assert_eq!(p.show("zep.length"), ["5"]);
        assert_eq!(p.show("wpan.frame_type"), ["0x0002"]);
        assert_eq!(p.show("wpan.seq_no"), ["20"]);
        assert_eq!(p.show("wpan.fcs"), ["0xe31d"]);
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
        assert_eq!(p.info(), "Ack");
    }

    /// IPv6 + UDP to 17754 around `zep` (checksum not set; not verified by default).
    fn in_udp(zep: &[u8]) -> Vec<u8> {
        let ulen = (8 + zep.len()) as u16;
        let mut v = vec![0x60, 0, 0, 0];
        v.extend(ulen.to_be_bytes());
        v.extend([0x11, 0x40]);
        v.extend([0xfe, 0x80]);
        v.extend([0; 13]);
        v.push(1);
        v.extend([0xfe, 0x80]);
        v.extend([0; 13]);
        v.push(2);
        v.extend([0xd4, 0x31, 0x45, 0x5a]);
        v.extend(ulen.to_be_bytes());
        v.extend([0, 0]);
        v.extend(zep);
        v
    }

    /// ZEP v1 in CRC mode and in LQI mode (CC24xx metadata instead of the FCS); the values as
    /// tshark 4.0 shows these frames (see tests/wpan.rs, constructed frames).
    #[test]
    fn zep_v1_crc_and_lqi_modes() {
        let mut v1 = vec![b'E', b'X', 1, 11, 0x01, 0x02, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5];
        let mac = [0x02, 0x00, 0x21];
        v1.extend(mac);
        v1.extend(crate::proto::ieee802154::crc16(&mac).to_le_bytes());
        let p = dissect_one(101, &in_udp(&v1));
        assert_eq!(p.show("zep.version"), ["1"]);
        assert_eq!(p.show("zep.channel_id"), ["11"]);
        assert_eq!(p.show("zep.device_id"), ["258"]);
        assert_eq!(p.show("zep.lqi_mode"), ["1"]);
        assert_eq!(p.show("zep.lqi"), ["0"]);
        assert_eq!(p.show("zep.reserved_field"), ["00:00:00:00:00:00:00:05"]);
        assert_eq!(p.show("wpan.seq_no"), ["33"]);
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
        assert!(!p.has("zep.type"));

        let mut lqi = vec![
            b'E', b'X', 1, 11, 0x01, 0x02, 0, 200, 0, 0, 0, 0, 0, 0, 0, 5,
        ];
        lqi.extend([0x02, 0x00, 0x22, 0xe0, 0xd5]);
        let p = dissect_one(101, &in_udp(&lqi));
        assert_eq!(p.show("zep.lqi_mode"), ["0"]);
        assert!(!p.has("zep.lqi"));
        assert_eq!(p.show("zep.reserved_field"), ["c8:00:00:00:00:00:00:00:05"]);
        assert_eq!(p.show("wpan.rssi"), ["-32"]);
        assert_eq!(p.show("wpan.correlation"), ["85"]);
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
        assert!(!p.has("wpan.fcs"));
    }

    #[test]
    fn zep_v2_ack() {
        let p = dissect_one(101, &in_udp(&[b'E', b'X', 2, 2, 0, 0, 0, 7]));
        assert_eq!(p.show("zep.type"), ["2"]);
        assert_eq!(p.show("zep.seqno"), ["7"]);
        assert_eq!(p.info(), "Ack, Sequence Number: 7");
        assert!(!p.has("wpan"));
    }

    #[test]
    fn zep_truncations_do_not_panic() {
        crate::testutil::assert_truncations_are_malformed(101, ZEP_ACK_FRAME, 0);
    }
}
