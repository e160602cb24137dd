//! DNP3 (IEEE 1815-2012) over TCP and UDP port 20000: the data link layer with its header and
//! block CRCs ([`link`]), the transport function that reassembles segments into application
//! fragments ([`transport`]), and the application layer with its function codes, internal
//! indications, object headers ([`app`]) and point values ([`objects`], [`file`]).
//!
//! ```text
//! TCP/UDP payload: one or more link frames
//! +-----------------+--------------------------------------------------------+
//! | link header (10)| user data in ≤16-byte blocks, each followed by a CRC    |
//! +-----------------+--------------------------------------------------------+
//!                   | TH | application fragment segment (≤249 bytes)          |
//!                        segments with FIR…FIN make one application fragment:
//!                        | AC | FC | [IIN] | object header | points | …      |
//! ```
//! Over TCP the stream is cut into link frames (one frame over several segments, several in
//! one segment) by the TCP layer from [`link::pdu_len`]; over UDP a datagram may hold several
//! frames. Field names, tree layout and summary lines follow tshark 4.0.

pub mod app;
pub mod fields;
pub mod file;
pub mod link;
pub mod names;
pub mod objects;
pub mod transport;

pub use fields::{EXPERTS, FIELDS, PROTO};

use crate::engine::registry::{tables, Registry, StreamPdus};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use fields::*;
use link::{Header, HDR_LEN};
use transport::{Added, Reassembly};

/// The registered port (IANA "dnp") for TCP and UDP.
pub const PORT: u16 = 20000;

crate::protocol!("dnp3", "DNP 3.0", dissect, register, EXPERTS);

/// How DNP3 cuts a TCP stream into link frames.
static STREAM_PDUS: StreamPdus = crate::proto::tcp_pdus(link::pdu_len, false);

fn register(r: &mut Registry) {
    r.add(tables::TCP_PORT, PORT as u64, &PROTOCOL);
    r.add(tables::UDP_PORT, PORT as u64, &PROTOCOL);
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
}

const UDP: u8 = 17;

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    if cx.info.transport != UDP {
        // TCP hands over one link frame at a time.
        return frame(tvb, cx, parent);
    }
    // A datagram that does not start like a DNP3 frame is not one (tshark checks only the
    // start of the datagram).
    if !link::plausible(tvb.data()) {
        cx.reject();
        return Ok(());
    }
    let mut off = 0;
    while off < tvb.len() {
        let rest = tvb.sub_from(off)?;
        if rest.len() < HDR_LEN {
            cx.note_layer(PROTOCOL.name);
            return Err(Error::Short);
        }
        let n = link::frame_len(rest.u8(2)?);
        if n < HDR_LEN {
            cx.note_layer(PROTOCOL.name);
            return Err(Error::Short);
        }
        frame(&rest.sub_clamped(0, n), cx, parent)?;
        off += n;
    }
    Ok(())
}

/// Whether DNP3 already has a layer in this frame (a second link frame in one segment or
/// datagram): tshark then lists it once in `frame.protocols`.
fn again(cx: &Cx) -> bool {
    cx.layers()
        .iter()
        .rev()
        .take_while(|l| **l != "tcp" && **l != "udp")
        .any(|l| *l == PROTOCOL.name)
}

/// One link frame.
fn frame(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let len = tvb.u8(2).unwrap_or(0);
    if link::frame_len(len) < HDR_LEN || tvb.len() < HDR_LEN {
        // A frame shorter than its own header: tshark reports the bytes without a tree.
        if !again(cx) {
            cx.note_layer(PROTOCOL.name);
        }
        return Err(Error::Short);
    }
    let node = if again(cx) {
        cx.columns.protocol = PROTOCOL.short_name.into();
        cx.add(parent, &PROTO, tvb.whole(), Value::None)
    } else {
        cx.add_proto(parent, &PROTOCOL, tvb.whole())
    };
    let h = Header::read(tvb)?;
    cx.set_info(format_args!(
        "from {} to {}, len={}, {}",
        h.src,
        h.dst,
        h.len,
        link::FuncName(&h)
    ));
    link::add_header(cx, node, tvb, &h)?;
    if !h.has_user_data() {
        return Ok(());
    }
    let th = tvb.u8(HDR_LEN)?;
    let tc = cx.add_bitmask_item(node, &TR_CTL, &TR_BITS, tvb, HDR_LEN, 1)?;
    cx.set_text(
        tc.node,
        format_args!(
            "Transport Control: 0x{th:02x} ({}{}Sequence {})",
            if th & 0x40 != 0 { "FIR, " } else { "" },
            if th & 0x80 != 0 { "FIN, " } else { "" },
            th & 0x3f
        ),
    );
    let Some(segment) = link::user_data(cx, node, tvb, h.len)? else {
        return Ok(());
    };
    let Some(payload) = segment.get(1..) else {
        return Ok(());
    };
    application(cx, node, tvb, th, payload)
}

static TR_BITS: [&crate::engine::field::FieldDef; 3] = [&TR_FIN, &TR_FIR, &TR_SEQ];

/// Hands a transport segment's payload to reassembly, and a completed fragment to the
/// application layer.
fn application(cx: &mut Cx, node: NodeId, tvb: &Tvb, th: u8, payload: &[u8]) -> Result<()> {
    let frame = cx.meta.number;
    let (src, dst) = (cx.info.net_src, cx.info.net_dst);
    let added = cx
        .session
        .get::<Reassembly>()
        .add(&src, &dst, frame, th, payload);
    let (parts, bytes) = match added {
        Added::Complete(frames, bytes) => (frames, bytes),
        Added::Incomplete => {
            cx.columns
                .info
                .push_str(" (Application Layer Unreassembled fragment ");
            cx.columns
                .info
                .push_str(itoa::Buffer::new().format(th & 0x3f));
            cx.columns.info.push(')');
            let range = tvb.range(HDR_LEN + 1, tvb.remaining(HDR_LEN + 1));
            cx.add_with(node, &FRAG_DATA, range, || Value::bytes(payload));
            return Ok(());
        }
    };
    let total = bytes.len();
    let src = cx.add_source("Reassembled DNP 3.0 Application Layer message", bytes);
    let al = src.tvb();
    let frags = cx.add(node, &FRAGMENTS, al.whole(), Value::None);
    if frags.is_built() {
        let list: Vec<String> = parts
            .iter()
            .map(|p| format!("#{}({})", p.frame, p.len))
            .collect();
        cx.set_text(
            frags,
            format_args!(
                "{} DNP 3.0 AL Fragments ({total} bytes): {}",
                parts.len(),
                list.join(", ")
            ),
        );
    }
    let mut at = 0usize;
    for p in &parts {
        let field = if p.conflict {
            &FRAGMENT_ERROR
        } else {
            &FRAGMENT
        };
        let item = cx.add(frags, field, al.range(at, p.len), Value::UInt(p.frame));
        cx.set_text(
            item,
            format_args!(
                "Frame: {}, payload: {at}-{} ({} bytes)",
                p.frame,
                (at + p.len).saturating_sub(1),
                p.len
            ),
        );
        if p.conflict {
            cx.add(item, &FRAGMENT_OVERLAP, al.range(at, 0), Value::Bool(true));
            cx.add(
                item,
                &FRAGMENT_OVERLAP_CONFLICT,
                al.range(at, 0),
                Value::Bool(true),
            );
        } else {
            at += p.len;
        }
    }
    cx.add_generated(frags, &FRAGMENT_COUNT, Value::UInt(parts.len() as u64));
    cx.add_generated(frags, &FRAGMENT_LENGTH, Value::UInt(total as u64));
    app::dissect(cx, node, &al)
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    /// A raw IPv4 (link type 101) UDP datagram to port 20000.
    fn udp(payload: &[u8]) -> Vec<u8> {
        let total = (28 + payload.len()) as u16;
        let mut f = vec![
            0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        f[2..4].copy_from_slice(&total.to_be_bytes());
        f.extend_from_slice(&20001u16.to_be_bytes());
        f.extend_from_slice(&super::PORT.to_be_bytes());
        f.extend_from_slice(&(total - 20).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        f
    }

    /// A link frame with good CRCs around `user` (at most 250 bytes).
    fn frame(ctl: u8, user: &[u8]) -> Vec<u8> {
        let user = &user[..user.len().min(250)];
        let mut f = vec![0x05, 0x64, (user.len() + 5) as u8, ctl, 10, 0, 1, 0];
        f.extend_from_slice(&super::link::crc(&f).to_le_bytes());
        for block in user.chunks(16) {
            f.extend_from_slice(block);
            f.extend_from_slice(&super::link::crc(block).to_le_bytes());
        }
        f
    }

    #[test]
    fn a_response_decodes_to_points() {
        // FIR|FIN segment; response with IIN, g30v2 (16-bit analog with flags) 0-1.
        let user = [
            0xc0, 0xc5, 0x81, 0x00, 0x00, 0x1e, 0x02, 0x00, 0x00, 0x01, 0x01, 0x2c, 0x01, 0x01,
            0xff, 0xff,
        ];
        let p = dissect_one(101, &udp(&frame(0x44, &user)));
        assert_eq!(p.show("dnp3.al.func"), ["129"]);
        assert_eq!(p.show("dnp3.al.ana.int"), ["300", "-1"]);
        assert_eq!(p.show("dnp3.al.point_index"), ["0", "1"]);
        assert_eq!(p.info(), "Response");
        assert!(!p.packet.is_malformed());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_application_data_never_panics(
            th in proptest::num::u8::ANY,
            user in proptest::collection::vec(proptest::num::u8::ANY, 0..250),
        ) {
            let mut data = vec![th | 0xc0];
            data.extend_from_slice(&user);
            let _ = dissect_one(101, &udp(&frame(0x44, &data)));
            let _ = dissect_one(101, &udp(&user));
        }
    }
}
