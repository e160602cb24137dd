//! Unit tests from the Modbus Application Protocol v1.1b3 examples (§6.1-6.21), framed in MBAP
//! headers and carried over a TCP connection to port 502.

use crate::proto::tcp::reassembly::testconn::Conn;

fn mbap(trans: u16, unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut v = trans.to_be_bytes().to_vec();
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(&((pdu.len() + 1) as u16).to_be_bytes());
    v.push(unit);
    v.extend_from_slice(pdu);
    v
}

#[test]
fn read_coils_request_and_response_are_matched() {
    // §6.1: read coils 20-38 (0x13 = 19 coils); response CD 6B 05.
    let mut c = Conn::new(502);
    let q = c.c2s(&mbap(1, 1, &[0x01, 0x00, 0x13, 0x00, 0x13]));
    assert_eq!(q.show("modbus.reference_num"), ["19"]);
    assert_eq!(q.show("modbus.bit_cnt"), ["19"]);
    assert!(q
        .info()
        .contains("Query: Trans:     1; Unit:   1, Func:   1: Read Coils"));
    let r = c.s2c(&mbap(1, 1, &[0x01, 0x03, 0xcd, 0x6b, 0x05]));
    assert_eq!(r.show("modbus.request_frame").len(), 1);
    assert_eq!(r.show("modbus.bitnum").len(), 19);
    assert_eq!(r.show("modbus.bitval")[0..2], ["1", "0"]);
}

#[test]
fn holding_registers_are_numbered_from_the_request() {
    // §6.3: read registers 108-110; response 02 2B 00 00 00 64.
    let mut c = Conn::new(502);
    c.c2s(&mbap(7, 1, &[0x03, 0x00, 0x6b, 0x00, 0x03]));
    let r = c.s2c(&mbap(
        7,
        1,
        &[0x03, 0x06, 0x02, 0x2b, 0x00, 0x00, 0x00, 0x64],
    ));
    assert_eq!(r.show("modbus.regnum16"), ["107", "108", "109"]);
    assert_eq!(r.show("modbus.regval_uint16"), ["555", "0", "100"]);
}

#[test]
fn exception_response() {
    // §7: exception 02 (illegal data address) to a read input registers.
    let mut c = Conn::new(502);
    let r = c.s2c(&mbap(3, 1, &[0x84, 0x02]));
    assert_eq!(r.show("modbus.func_code"), ["4"]);
    assert_eq!(r.show("modbus.exception_code"), ["2"]);
    assert!(r
        .info()
        .ends_with("Read Input Registers. Exception returned "));
}

#[test]
fn device_identification_objects() {
    // §6.21: read device identification, basic, one object.
    let mut c = Conn::new(502);
    let pdu = [
        0x2b, 0x0e, 0x01, 0x81, 0x00, 0x00, 0x01, 0x00, 0x03, b'A', b'B', b'C',
    ];
    let r = c.s2c(&mbap(9, 1, &pdu));
    assert_eq!(r.show("modbus.object_str_value"), ["ABC"]);
    assert_eq!(r.show("modbus.num_objects"), ["1"]);
}

#[test]
fn adu_split_across_segments_and_two_in_one() {
    let mut c = Conn::new(502);
    let a = mbap(1, 1, &[0x06, 0x00, 0x01, 0x00, 0x03]);
    c.c2s(&a[..4]);
    let p = c.c2s(&a[4..]);
    assert_eq!(p.show("mbtcp.trans_id"), ["1"]);
    let mut two = mbap(2, 1, &[0x06, 0x00, 0x01, 0x00, 0x03]);
    two.extend(mbap(3, 1, &[0x06, 0x00, 0x02, 0x00, 0x04]));
    let p = c.c2s(&two);
    assert_eq!(p.show("mbtcp.trans_id"), ["2", "3"]);
}

#[test]
fn truncated_and_bogus_pdus_do_not_panic() {
    let mut c = Conn::new(502);
    // A byte count that disagrees with the data: the rest is raw data, as tshark shows it.
    let p = c.s2c(&mbap(1, 1, &[0x03, 0x05, 0x00]));
    assert_eq!(p.show("modbus.data"), ["00"]);
    // A Write Single Coil response cut after its function code.
    let p = c.s2c(&mbap(2, 1, &[0x05, 0x00]));
    assert!(p.has("_ws.malformed"));
    let mut c = Conn::new(502);
    let p = c.c2s(&mbap(1, 1, &[0x15, 0x09, 0x06, 0x00, 0x01]));
    assert!(p.has("_ws.malformed"));
    for fc in 0..=255u8 {
        let mut c = Conn::new(502);
        c.c2s(&mbap(1, 1, &[fc, 0xff, 0xff, 0xff]));
        c.s2c(&mbap(1, 1, &[fc, 0xff, 0xff]));
    }
}

#[test]
fn rtu_crc() {
    // 01 03 00 00 00 0A: CRC C5 CD (low byte first).
    assert_eq!(
        super::rtu::crc16(&[1, 3, 0, 0, 0, 0x0a]).to_le_bytes(),
        [0xc5, 0xcd]
    );
}
