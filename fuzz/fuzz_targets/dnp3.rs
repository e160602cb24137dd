//! DNP3 (TCP and UDP 20000): the first byte picks the transport; over TCP the rest is
//! consecutive segments of one stream (link frames cut and joined by TCP reassembly), over UDP
//! separate datagrams. One engine sees them all, so transport reassembly state carries over.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if which & 1 == 0 {
        lowshark_fuzz::run_tcp_payloads(20000, rest);
    } else {
        lowshark_fuzz::run_udp_payloads(20000, rest);
    }
});
