//! Hand-made captures and packets: pcap and pcapng files, Ethernet/IPv4/UDP/TCP frames.

/// Bytes of a classic little-endian microsecond pcap file; records are
/// `(ts_sec, caplen field, orig_len field, data)` so a test can lie in the lengths.
pub fn pcap(link_type: u32, snaplen: u32, records: &[(u32, u32, u32, &[u8])]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&4u16.to_le_bytes());
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&snaplen.to_le_bytes());
    v.extend_from_slice(&link_type.to_le_bytes());
    for (sec, caplen, orig, data) in records {
        v.extend_from_slice(&sec.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&caplen.to_le_bytes());
        v.extend_from_slice(&orig.to_le_bytes());
        v.extend_from_slice(data);
    }
    v
}

/// A well-formed pcap file of frames (1 s apart, caplen = orig_len = data length).
pub fn pcap_frames(link_type: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    let recs: Vec<(u32, u32, u32, &[u8])> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                1_700_000_000 + i as u32,
                f.len() as u32,
                f.len() as u32,
                f.as_slice(),
            )
        })
        .collect();
    pcap(link_type, 262_144, &recs)
}

/// Little-endian pcapng blocks.
pub struct Ng(pub Vec<u8>);

impl Ng {
    /// A file starting with a Section Header Block.
    pub fn new() -> Ng {
        let mut ng = Ng(Vec::new());
        let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&[0xff; 8]);
        ng.block(0x0a0d_0d0a, &shb);
        ng
    }

    /// A block with correct lengths around `body` (padded to 4).
    pub fn block(&mut self, kind: u32, body: &[u8]) -> &mut Ng {
        let mut body = body.to_vec();
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        let total = (body.len() as u32 + 12).to_le_bytes();
        self.raw_block(kind, total, &body, total)
    }

    /// A block with the given length fields, whatever the body is.
    pub fn raw_block(&mut self, kind: u32, len: [u8; 4], body: &[u8], trailer: [u8; 4]) -> &mut Ng {
        self.0.extend_from_slice(&kind.to_le_bytes());
        self.0.extend_from_slice(&len);
        self.0.extend_from_slice(body);
        self.0.extend_from_slice(&trailer);
        self
    }

    pub fn idb(&mut self, link_type: u16) -> &mut Ng {
        let mut b = link_type.to_le_bytes().to_vec();
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&262_144u32.to_le_bytes());
        self.block(1, &b)
    }

    pub fn epb_body(iface: u32, ticks: u64, data: &[u8], orig: u32) -> Vec<u8> {
        let mut b = iface.to_le_bytes().to_vec();
        b.extend_from_slice(&((ticks >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(ticks as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&orig.to_le_bytes());
        b.extend_from_slice(data);
        b
    }

    pub fn epb(&mut self, iface: u32, ticks: u64, data: &[u8]) -> &mut Ng {
        let b = Self::epb_body(iface, ticks, data, data.len() as u32);
        self.block(6, &b)
    }
}

/// Ethernet + IPv4 header (checksum filled in) for `proto` with `payload_len` bytes after it.
pub fn eth_ipv4(
    src: [u8; 4],
    dst: [u8; 4],
    proto: u8,
    id: u16,
    frag: u16,
    payload_len: usize,
) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&((20 + payload_len) as u16).to_be_bytes());
    ip.extend_from_slice(&id.to_be_bytes());
    ip.extend_from_slice(&frag.to_be_bytes());
    ip.extend_from_slice(&[64, proto, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let sum = dissectors::engine::checksum::internet_checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    f.extend_from_slice(&ip);
    f
}

/// An Ethernet/IPv4/UDP frame.
pub fn udp4(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = eth_ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 2],
        17,
        1,
        0x4000,
        8 + payload.len(),
    );
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// An Ethernet/IPv4/TCP segment (flags e.g. 0x18 PSH|ACK, 0x02 SYN).
pub fn tcp4(sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = eth_ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 2],
        6,
        1,
        0x4000,
        20 + payload.len(),
    );
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}
