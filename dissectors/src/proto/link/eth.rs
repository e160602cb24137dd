//! Ethernet II (IEEE 802.3 framing with an EtherType) and IEEE 802.1Q VLAN tags.
//!
//! ```text
//!  0                   6                  12      14
//! +-------------------+------------------+-------+---------
//! | destination MAC   | source MAC       | type  | payload
//! +-------------------+------------------+-------+---------
//! 802.1Q tag, when type is 0x8100:  | PCP(3) DEI(1) VID(12) | inner type |
//! ```

use crate::engine::address::Address;
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Protocol, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

/// Well-known EtherTypes, for labels.
pub static ETHERTYPES: &[(u64, &str)] = &[
    (0x0800, "IPv4"),
    (0x0806, "ARP"),
    (0x8100, "802.1Q Virtual LAN"),
    (0x86dd, "IPv6"),
    (0x88a8, "802.1ad Provider Bridge (Q-in-Q)"),
    (0x809b, "AppleTalk"),
    (0x88cc, "LLDP"),
    (0x809a, "ZigBee Encapsulation Protocol"),
];

crate::fields! {
    PROTO = FieldDef::protocol("eth", "Ethernet");
    DST = FieldDef::new("eth.dst", "Destination", T::Ether);
    DST_OUI = FieldDef::new("eth.dst.oui", "Destination OUI", T::U24);
    DST_LG = FieldDef::flag("eth.dst.lg", "LG bit", 24, 0x020000).tfs("Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)");
    DST_IG = FieldDef::flag("eth.dst.ig", "IG bit", 24, 0x010000).tfs("Group address (multicast/broadcast)", "Individual address (unicast)");
    SRC = FieldDef::new("eth.src", "Source", T::Ether);
    SRC_OUI = FieldDef::new("eth.src.oui", "Source OUI", T::U24);
    SRC_LG = FieldDef::flag("eth.src.lg", "LG bit", 24, 0x020000).tfs("Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)");
    SRC_IG = FieldDef::flag("eth.src.ig", "IG bit", 24, 0x010000).tfs("Group address (multicast/broadcast)", "Individual address (unicast)");
    ADDR = FieldDef::new("eth.addr", "Address", T::Ether);
    ADDR_OUI = FieldDef::new("eth.addr.oui", "Address OUI", T::U24);
    LG = FieldDef::flag("eth.lg", "LG bit", 24, 0x020000).tfs("Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)");
    IG = FieldDef::flag("eth.ig", "IG bit", 24, 0x010000).tfs("Group address (multicast/broadcast)", "Individual address (unicast)");
    TYPE = FieldDef::new("eth.type", "Type", T::U16).hex().vals(ETHERTYPES);
    LEN = FieldDef::new("eth.len", "Length", T::U16);
    VLAN_PROTO = FieldDef::protocol("vlan", "802.1Q Virtual LAN");
    VLAN_PRIORITY = FieldDef::new("vlan.priority", "Priority", T::U16).mask(0xe000).vals(&[
        (0, "Best Effort (default)"), (1, "Background"), (2, "Excellent Effort"), (3, "Critical Applications"),
        (4, "Video, < 100ms latency and jitter"), (5, "Voice, < 10ms latency and jitter"),
        (6, "Internetwork Control"), (7, "Network Control"),
    ]);
    VLAN_DEI = FieldDef::flag("vlan.dei", "DEI", 16, 0x1000).tfs("Eligible", "Ineligible");
    VLAN_ID = FieldDef::new("vlan.id", "ID", T::U16).mask(0x0fff);
    VLAN_ETYPE = FieldDef::new("vlan.etype", "Type", T::U16).hex().vals(ETHERTYPES);
    VLAN_LEN = FieldDef::new("vlan.len", "Length", T::U16);
}

crate::protocol!("eth", "Ethernet", dissect, register);

pub static VLAN: Protocol = Protocol {
    name: "vlan",
    short_name: "VLAN",
    field: &VLAN_PROTO,
    fields: &[],
    experts: &[],
    prefs: &[],
    dissect: dissect_vlan,
    register: |_: &mut Registry| {},
};

fn register(r: &mut Registry) {
    r.add(tables::LINK_TYPE, 1, &PROTOCOL);
    r.add(tables::ETHERTYPE, 0x8100, &VLAN);
    r.add(tables::ETHERTYPE, 0x88a8, &VLAN);
}

/// Adds a MAC address with its OUI and LG/IG bits, under the given field set.
fn add_mac(
    cx: &mut Cx,
    parent: NodeId,
    tvb: &Tvb,
    off: usize,
    which: [&'static FieldDef; 4],
) -> Result<[u8; 6]> {
    let [field, oui, lg, ig] = which;
    let mac: [u8; 6] = tvb.array(off)?;
    let range = tvb.range(off, 6);
    let n = cx.add(parent, field, range, Value::Ether(mac));
    // The parts of the address are only tree items: most outputs keep none of them.
    if !cx
        .tree
        .wants_any(&[oui, &ADDR, &ADDR_OUI, lg, &LG, ig, &IG])
    {
        return Ok(mac);
    }
    let first3 = u32::from_be_bytes([0, mac[0], mac[1], mac[2]]) as u64;
    cx.add(n, oui, tvb.range(off, 3), Value::UInt(first3));
    cx.add(n, &ADDR, range, Value::Ether(mac));
    cx.add(n, &ADDR_OUI, tvb.range(off, 3), Value::UInt(first3));
    cx.add_uint(n, lg, tvb.range(off, 3), first3);
    cx.add_uint(n, &LG, tvb.range(off, 3), first3);
    cx.add_uint(n, ig, tvb.range(off, 3), first3);
    cx.add_uint(n, &IG, tvb.range(off, 3), first3);
    Ok(mac)
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, 14));
    let dst = add_mac(cx, node, tvb, 0, [&DST, &DST_OUI, &DST_LG, &DST_IG])?;
    let src = add_mac(cx, node, tvb, 6, [&SRC, &SRC_OUI, &SRC_LG, &SRC_IG])?;
    cx.set_text(
        node,
        format_args!(
            "Ethernet II, Src: {}, Dst: {}",
            Address::Ether(src),
            Address::Ether(dst)
        ),
    );
    cx.info.dl_src = Address::Ether(src);
    cx.info.dl_dst = Address::Ether(dst);
    cx.set_addresses(Address::Ether(src), Address::Ether(dst));
    let etype = tvb.be_u16(12)?;
    if etype < 1536 {
        // IEEE 802.3 length field: an LLC frame lowshark shows as data.
        cx.add_be_u16(node, &LEN, tvb, 12)?;
        cx.call_data(&tvb.sub_clamped(14, etype as usize), parent);
        return Ok(());
    }
    cx.add_be_u16(node, &TYPE, tvb, 12)?;
    dispatch_ethertype(cx, etype, &tvb.sub_from(14)?, parent);
    Ok(())
}

/// Hands a payload to the protocol its EtherType names (or shows it as data).
pub fn dispatch_ethertype(cx: &mut Cx, etype: u16, payload: &Tvb, parent: NodeId) {
    cx.note_layer("ethertype");
    if !cx.call_table(tables::ETHERTYPE, etype as u64, payload, parent) {
        cx.call_data(payload, parent);
        // As tshark: with nothing to take the payload (or its protocol turned off), the
        // columns name the type.
        cx.columns.protocol = format!("0x{etype:04x}").into();
        if let Some(name) = crate::engine::field::val_to_str(ETHERTYPES, etype as u64) {
            cx.set_info(name);
        }
    }
}

fn dissect_vlan(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &VLAN, tvb.range(0, 4));
    let tci = tvb.be_u16(0)?;
    let r = tvb.range(0, 2);
    cx.add_bits(node, &[&VLAN_PRIORITY, &VLAN_DEI, &VLAN_ID], r, tci as u64);
    let etype = tvb.be_u16(2)?;
    cx.set_text(
        node,
        format_args!(
            "802.1Q Virtual LAN, PRI: {}, DEI: {}, ID: {}",
            tci >> 13,
            (tci >> 12) & 1,
            tci & 0xfff
        ),
    );
    if etype < 1536 {
        cx.add_be_u16(node, &VLAN_LEN, tvb, 2)?;
        cx.call_data(&tvb.sub_from(4)?, parent);
        return Ok(());
    }
    cx.add_be_u16(node, &VLAN_ETYPE, tvb, 2)?;
    dispatch_ethertype(cx, etype, &tvb.sub_from(4)?, parent);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    #[test]
    fn ethernet_with_vlan_and_unknown_type() {
        let mut f = vec![
            0x00, 0x03, 0xb2, 0x78, 0x04, 0x17, 0x02, 0x50, 0x56, 0x9f, 0x36, 0x9f, 0x81, 0x00,
        ];
        f.extend_from_slice(&[0x20, 0xa5, 0x88, 0xb5, 1, 2, 3]);
        let p = dissect_one(1, &f);
        assert_eq!(p.show("eth.type"), ["0x8100"]);
        assert_eq!(p.show("eth.src.lg"), ["1"]);
        assert_eq!(p.show("vlan.id"), ["165"]);
        assert_eq!(p.show("vlan.priority"), ["1"]);
        assert_eq!(p.show("vlan.etype"), ["0x88b5"]);
        assert_eq!(p.show("data.data"), ["01:02:03"]);
        assert_eq!(
            p.packet.protocol_path(),
            "eth:ethertype:vlan:ethertype:data"
        );
    }

    #[test]
    fn truncated_ethernet_is_malformed() {
        let p = dissect_one(1, &[0u8; 9]);
        assert!(p.packet.is_malformed());
    }
}
