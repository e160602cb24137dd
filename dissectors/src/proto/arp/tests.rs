//! ARP packets built from the RFC 826 layout (the RFC has no example bytes), with the
//! RFC 5227 probe and announcement forms.

use crate::testutil::{dissect_one, dissect_with};

const GW_MAC: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x01];
const SRV_MAC: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x0a];

/// Ethernet + ARP (Ethernet/IPv4), padded to the 60-byte minimum like a real frame.
fn arp(op: u16, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&sha);
    f.extend_from_slice(&[0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4]);
    f.extend_from_slice(&op.to_be_bytes());
    f.extend_from_slice(&sha);
    f.extend_from_slice(&spa);
    f.extend_from_slice(&tha);
    f.extend_from_slice(&tpa);
    f.resize(60, 0);
    f
}

#[test]
fn request_and_reply() {
    let p = dissect_one(
        1,
        &arp(1, SRV_MAC, [192, 0, 2, 10], [0; 6], [192, 0, 2, 101]),
    );
    assert_eq!(p.info(), "Who has 192.0.2.101? Tell 192.0.2.10");
    assert_eq!(p.packet.columns.protocol, "ARP");
    assert_eq!(p.show("arp.hw.type"), ["1"]);
    assert_eq!(p.show("arp.proto.type"), ["0x0800"]);
    assert_eq!(p.show("arp.opcode"), ["1"]);
    assert_eq!(p.show("arp.src.hw_mac"), ["00:00:5e:00:53:0a"]);
    assert_eq!(p.show("arp.dst.proto_ipv4"), ["192.0.2.101"]);
    assert!(!p.has("arp.isgratuitous"));
    assert_eq!(p.packet.protocol_path(), "eth:ethertype:arp");

    let p = dissect_one(
        1,
        &arp(2, GW_MAC, [192, 0, 2, 101], SRV_MAC, [192, 0, 2, 10]),
    );
    assert_eq!(p.info(), "192.0.2.101 is at 00:00:5e:00:53:01");
}

#[test]
fn rfc5227_probe_announcement_and_gratuitous_reply() {
    let p = dissect_one(1, &arp(1, GW_MAC, [0; 4], [0; 6], [192, 0, 2, 101]));
    assert_eq!(p.info(), "Who has 192.0.2.101? (ARP Probe)");
    assert_eq!(p.show("arp.isprobe"), ["1"]);
    let p = dissect_one(
        1,
        &arp(1, GW_MAC, [192, 0, 2, 101], [0; 6], [192, 0, 2, 101]),
    );
    assert_eq!(p.info(), "ARP Announcement for 192.0.2.101");
    assert_eq!(p.show("arp.isgratuitous"), ["1"]);
    assert_eq!(p.show("arp.isannouncement"), ["1"]);
    let p = dissect_one(
        1,
        &arp(1, GW_MAC, [192, 0, 2, 101], [0xff; 6], [192, 0, 2, 101]),
    );
    assert_eq!(p.info(), "Gratuitous ARP for 192.0.2.101 (Request)");
    let p = dissect_one(
        1,
        &arp(2, GW_MAC, [192, 0, 2, 101], [0xff; 6], [192, 0, 2, 101]),
    );
    assert_eq!(p.info(), "Gratuitous ARP for 192.0.2.101 (Reply)");
}

#[test]
fn duplicate_address_is_flagged_with_the_earlier_frame() {
    let mut e = crate::engine::Engine::with_defaults();
    let first = dissect_with(
        &mut e,
        1,
        &arp(2, GW_MAC, [192, 0, 2, 7], SRV_MAC, [192, 0, 2, 10]),
    );
    assert!(!first.has("arp.duplicate-address-frame"));
    let other = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x77];
    let dup = dissect_with(
        &mut e,
        1,
        &arp(1, other, [192, 0, 2, 7], [0; 6], [192, 0, 2, 10]),
    );
    assert_eq!(dup.show("arp.duplicate-address-frame"), ["1"]);
    assert!(dup.has("arp.duplicate-address-detected"));
    assert!(dup
        .info()
        .ends_with(" (duplicate use of 192.0.2.7 detected!)"));
}

#[test]
fn other_address_sizes_are_bytes_and_cuts_are_malformed() {
    // Hardware type 6 with 8-byte addresses (not a MAC) and a 16-byte protocol address.
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&GW_MAC);
    f.extend_from_slice(&[0x08, 0x06, 0x00, 0x06, 0x86, 0xdd, 8, 16, 0x00, 0x01]);
    f.extend((0..48u8).map(|i| i + 1));
    let p = dissect_one(1, &f);
    assert_eq!(p.show("arp.src.hw"), ["01:02:03:04:05:06:07:08"]);
    assert_eq!(p.show("arp.dst.proto").len(), 1);
    assert!(!p.packet.is_malformed());
    let full = arp(1, SRV_MAC, [192, 0, 2, 10], [0; 6], [192, 0, 2, 101]);
    crate::testutil::assert_truncations_are_malformed(1, &full[..42], 42);
}
