//! The gateway uplink dissectors. The first byte picks what the rest (payloads separated by
//! `ff 00 ff`) is: DNS over UDP or TCP 53, mDNS (UDP 5353), DHCP (UDP 67), DHCPv6 (UDP 547),
//! NTP (UDP 123), or ARP bodies behind an Ethernet header; one engine sees them all, so DNS
//! transaction tracking and ARP's duplicate-address table are exercised across packets.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 7 {
        0 => lowshark_fuzz::run_udp_payloads(53, rest),
        1 => lowshark_fuzz::run_tcp_payloads(53, rest),
        2 => lowshark_fuzz::run_udp_payloads(5353, rest),
        3 => lowshark_fuzz::run_udp_payloads(67, rest),
        4 => lowshark_fuzz::run_udp_payloads(547, rest),
        5 => lowshark_fuzz::run_udp_payloads(123, rest),
        _ => {
            let frames: Vec<Vec<u8>> = rest
                .split(|&b| b == 0xfe)
                .take(lowshark_fuzz::MAX_FRAMES)
                .map(|body| {
                    let mut f = vec![0xff; 6];
                    f.extend_from_slice(&[0, 0, 0x5e, 0, 0x53, 1, 0x08, 0x06]);
                    f.extend_from_slice(body);
                    f
                })
                .collect();
            lowshark_fuzz::run_owned(1, &frames);
        }
    }
});
