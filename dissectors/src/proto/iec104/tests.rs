//! Unit tests from IEC 60870-5-104 §5 (APCI formats) and IEC 60870-5-101 §7.3 (ASDU types),
//! carried over a TCP connection to port 2404.

use crate::proto::tcp::reassembly::testconn::Conn;

fn apdu(ctrl: [u8; 4], asdu: &[u8]) -> Vec<u8> {
    let mut v = vec![0x68, (4 + asdu.len()) as u8];
    v.extend_from_slice(&ctrl);
    v.extend_from_slice(asdu);
    v
}

#[test]
fn u_frames() {
    let mut c = Conn::new(2404);
    let p = c.c2s(&apdu([0x07, 0, 0, 0], &[]));
    assert_eq!(p.show("iec60870_104.utype"), ["0x00000001"]);
    assert_eq!(p.info(), "<- U (STARTDT act) ");
    let p = c.s2c(&apdu([0x0b, 0, 0, 0], &[]));
    assert_eq!(p.info(), "-> U (STARTDT con) ");
}

#[test]
fn s_frame_and_sequence_numbers() {
    let mut c = Conn::new(2404);
    let p = c.c2s(&apdu([0x01, 0, 0x0a, 0], &[]));
    assert_eq!(p.show("iec60870_104.rx"), ["5"]);
    assert_eq!(p.info(), "<- S (5) ");
}

#[test]
fn interrogation_command() {
    // C_IC_NA_1, 1 object, cause Act, OA 0, common address 10, IOA 0, QOI 20.
    let mut c = Conn::new(2404);
    let asdu = [100, 1, 6, 0, 10, 0, 0, 0, 0, 20];
    let p = c.c2s(&apdu([0x02, 0, 0x04, 0], &asdu));
    assert_eq!(p.show("iec60870_104.tx"), ["1"]);
    assert_eq!(p.show("iec60870_104.rx"), ["2"]);
    assert_eq!(p.show("iec60870_asdu.qoi"), ["20"]);
    assert_eq!(p.info(), "<- I (1,2) ASDU=10 C_IC_NA_1 Act     IOA=0");
}

#[test]
fn sequence_of_single_points() {
    // M_SP_NA_1, SQ=1, 3 elements from IOA 100.
    let mut c = Conn::new(2404);
    let asdu = [1, 0x83, 20, 0, 1, 0, 100, 0, 0, 0x01, 0x00, 0x80];
    let p = c.s2c(&apdu([0, 0, 0, 0], &asdu));
    assert_eq!(p.show("iec60870_asdu.ioa"), ["100", "101", "102"]);
    assert_eq!(p.show("iec60870_asdu.siq.spi"), ["1", "0", "0"]);
    assert_eq!(p.show("iec60870_asdu.siq.iv"), ["0", "0", "1"]);
}

#[test]
fn float_with_cp56time() {
    // M_ME_TF_1: 1.5, QDS 0, 2009-08-13 19:23:00.008.
    let mut c = Conn::new(2404);
    let mut asdu = vec![36, 1, 3, 0, 1, 0, 5, 0, 0];
    asdu.extend_from_slice(&1.5f32.to_le_bytes());
    asdu.extend_from_slice(&[0, 8, 0, 23, 19, 13, 8, 9]);
    let p = c.s2c(&apdu([0, 0, 0, 0], &asdu));
    assert_eq!(p.show("iec60870_asdu.float"), ["1.5"]);
    assert_eq!(p.show("iec60870_asdu.cp56time.year"), ["9"]);
    assert_eq!(
        super::elements::cp56_ns(&[8, 0, 23, 19, 13, 8, 9]),
        1_250_191_380_008_000_000
    );
}

#[test]
fn short_and_bad_apdus_do_not_panic() {
    let mut c = Conn::new(2404);
    let p = c.c2s(&[0x68, 0x02, 0, 0, 0, 0]);
    assert!(p.has("_ws.expert"));
    for t in 0..=255u8 {
        let mut c = Conn::new(2404);
        c.s2c(&apdu([0, 0, 0, 0], &[t, 0x85, 3, 0, 1, 0, 1, 0]));
        c.s2c(&apdu(
            [0, 0, 0, 0],
            &[t, 0x05, 3, 0, 1, 0, 1, 0, 0, 0xff, 0xff],
        ));
    }
}
