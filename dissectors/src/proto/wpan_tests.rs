//! Unit tests of the 802.15.4 MAC dissector.

use crate::testutil::{assert_truncations_are_malformed, dissect_one};

#[test]
fn placeholder() {
    let p = dissect_one(230, &[0x02, 0x00, 0x05]);
    assert_eq!(p.show("wpan.frame_type"), ["0x0002"]);
    assert_truncations_are_malformed(230, &[0x02, 0x00, 0x05], 3);
}
