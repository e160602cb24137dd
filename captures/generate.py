#!/usr/bin/env python3
"""Deterministic generator for lowshark's capture fixtures.

Writes, next to this script:

  demo.pcapng          end-to-end fixture: an IEEE 802.15.4 / 6LoWPAN / RPL /
                       CoAP mesh on interface 0 ("wpan0", link type 195) and the
                       border router's MQTT 5.0 + XMPP uplink on interface 1
                       ("eth0", Ethernet), interleaved in time order.
  sixlowpan-frag.pcap  focused 6LoWPAN fragmentation cases (link type 195).
  ip-basics.pcap       focused Ethernet/IPv4/IPv6/TCP/UDP/ICMP cases.

Reproducibility rules followed throughout:
  * every timestamp is computed from a fixed epoch (2026-01-15 10:00:00 UTC)
    plus simulated delays; nothing reads the clock;
  * every "random" value (jitter, MAC sequence numbers, tokens, ISNs, firmware
    bytes) comes from random.Random instances with fixed seeds, and only
    random()/getrandbits() are used, whose output is stable across Python 3
    versions;
  * the pcap/pcapng containers are written here with struct.pack, so no
    library version or host name leaks into the files;
  * Scapy is used only to build packet bytes (raw(pkt)), so that it computes
    IPv4/IPv6/TCP/UDP/ICMP/ICMPv6 checksums and the 802.15.4 FCS.  Protocol
    pieces Scapy does not have are built by hand with struct and say so.

Regenerate with:  python3 -m pip install scapy==2.6.1 && python3 captures/generate.py
"""

import base64
import calendar
import ipaddress
import os
import random
import struct
import sys

from scapy.config import conf

conf.verb = 0
from scapy.compat import raw  # noqa: E402
from scapy.contrib.coap import CoAP  # noqa: E402
from scapy.layers.dot15d4 import (Dot15d4Ack, Dot15d4Beacon, Dot15d4Cmd,  # noqa: E402
                                  Dot15d4Data, Dot15d4FCS)
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_RR, IPOption_Router_Alert, fragment  # noqa: E402
from scapy.layers.inet6 import (ICMPv6EchoReply, ICMPv6EchoRequest,  # noqa: E402
                                ICMPv6MLReport2, ICMPv6MLDMultAddrRec,
                                ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA,
                                ICMPv6ND_RS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
                                ICMPv6RPL, IPv6, IPv6ExtHdrHopByHop,
                                RouterAlert, RplOption)
from scapy.layers.l2 import ARP, Dot1Q, Ether  # noqa: E402
from scapy.packet import Padding, Raw  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# 2026-01-15 10:00:00 UTC in nanoseconds since the Unix epoch.
T0_NS = calendar.timegm((2026, 1, 15, 10, 0, 0)) * 1_000_000_000


def ns(t):
    """Simulated seconds since T0 -> absolute pcapng timestamp (ns)."""
    return T0_NS + int(round(t * 1e9))


def ip6(text):
    """IPv6 text -> 16 bytes."""
    return ipaddress.IPv6Address(text).packed


def ip6str(b):
    """16 bytes -> IPv6 text (what Scapy's IPv6() fields take)."""
    return str(ipaddress.IPv6Address(bytes(b)))


# --------------------------------------------------------------------------
# Capture containers (hand-written so the bytes are fully under our control)
# --------------------------------------------------------------------------

LINKTYPE_ETHERNET = 1
LINKTYPE_IEEE802_15_4_WITHFCS = 195


class Capture:
    """Collects (timestamp, interface, bytes, comment) and sorts by time.

    `data` may also be a zero-argument callable.  The scenario code is not
    written in strict time order (e.g. periodic DIOs are scheduled apart from
    the CoAP flows), so per-node counters that must increase on air, such as
    the 802.15.4 sequence number, are bound lazily: callables are evaluated
    in timestamp order when the file is written (see Ticket)."""

    def __init__(self):
        self.frames = []
        self._resolved = None

    def add(self, t, iface, data, comment=None):
        if not callable(data):
            data = bytes(data)
        self.frames.append((ns(t), len(self.frames), iface, data, comment))
        self._resolved = None

    def sorted(self):
        if self._resolved is None:
            out = []
            # Ties are broken by insertion order, which keeps causality.
            for ts, i, iface, data, comment in sorted(self.frames, key=lambda f: (f[0], f[1])):
                if callable(data):
                    data = bytes(data())
                if iface == 0:
                    assert len(data) <= 127, "802.15.4 frame longer than aMaxPHYPacketSize"
                out.append((ts, i, iface, data, comment))
            self._resolved = out
        return self._resolved


class Ticket:
    """A sequence number drawn from a node's counter at the moment the first
    frame using it goes on air (retries and the ACK reuse it)."""

    def __init__(self, node, counter="dsn"):
        self.node, self.counter, self.value = node, counter, None

    def get(self):
        if self.value is None:
            self.value = self.node.next_seq(self.counter)
        return self.value


def _pad4(b):
    return b + b"\0" * (-len(b) % 4)


def _opt(code, value):
    """One pcapng option (code, length, value padded to 32 bits)."""
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def _opts(pairs):
    if not pairs:
        return b""
    return b"".join(_opt(c, v) for c, v in pairs) + _opt(0, b"")  # opt_endofopt


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def pcapng_shb(comment):
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)  # BOM, v1.0, unknown length
    body += _opts([(1, comment.encode()),                      # opt_comment
                   (4, b"lowshark captures/generate.py")])     # shb_userappl
    return _block(0x0A0D0D0A, body)


def pcapng_idb(linktype, name, description):
    body = struct.pack("<HHI", linktype, 0, 262144)
    body += _opts([(2, name.encode()),             # if_name
                   (3, description.encode()),      # if_description
                   (9, bytes([9]))])               # if_tsresol = 10^-9 s
    return _block(0x00000001, body)


def pcapng_epb(iface, ts_ns, data, comment=None):
    body = struct.pack("<IIIII", iface, ts_ns >> 32, ts_ns & 0xFFFFFFFF,
                       len(data), len(data)) + _pad4(data)
    if comment:
        body += _opts([(1, comment.encode())])
    return _block(0x00000006, body)


def write_pcapng(path, cap, interfaces, shb_comment):
    with open(path, "wb") as f:
        f.write(pcapng_shb(shb_comment))
        for linktype, name, descr in interfaces:
            f.write(pcapng_idb(linktype, name, descr))
        for ts, _, iface, data, comment in cap.sorted():
            f.write(pcapng_epb(iface, ts, data, comment))


def write_pcap(path, linktype, cap):
    """Classic libpcap file, microsecond resolution (magic a1b2c3d4)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for ts, _, _, data, _ in cap.sorted():
            sec, rem = divmod(ts, 1_000_000_000)
            f.write(struct.pack("<IIII", sec, rem // 1000, len(data), len(data)))
            f.write(data)


# --------------------------------------------------------------------------
# IEEE 802.15.4 MAC
# --------------------------------------------------------------------------

PAN_ID = 0xABCD
CHANNEL = 26
BROADCAST = 0xFFFF
SYMBOL_US = 16            # 2.4 GHz O-QPSK: 62.5 ksymbol/s
TURNAROUND = 12 * SYMBOL_US * 1e-6   # aTurnaroundTime before an ACK
ACK_WAIT = 54 * SYMBOL_US * 1e-6     # macAckWaitDuration


def crc16_kermit(data):
    """802.15.4 FCS: CRC-16/KERMIT (ITU-T poly 0x1021 reflected, init 0)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def airtime(frame):
    """PPDU duration: 4 B preamble + SFD + PHR + PSDU, 32 us per byte."""
    return (len(frame) + 6) * 32e-6


def check_fcs(frame):
    # Cross-check Scapy's FCS against our own CRC implementation.
    assert struct.unpack("<H", frame[-2:])[0] == crc16_kermit(frame[:-2])
    return frame


def corrupt(frame, where=None):
    """Flip one payload bit but keep the old FCS, like a bit error on air."""
    b = bytearray(frame)
    pos = where if where is not None else len(b) - 6
    b[pos] ^= 0x10
    assert struct.unpack("<H", b[-2:])[0] != crc16_kermit(bytes(b[:-2]))
    return bytes(b)


def mac_addr_len(mode):
    return {0: 0, 2: 2, 3: 8}[mode]


def mac_header_len(dst_mode, src_mode, panid_comp):
    n = 3
    if dst_mode:
        n += 2 + mac_addr_len(dst_mode)
    if src_mode:
        n += (0 if panid_comp else 2) + mac_addr_len(src_mode)
    return n


def mac_data(seq, src, dst, payload, ext=False):
    """Data frame with PAN ID compression.  src/dst are Nodes (dst None =
    broadcast).  ext=True uses extended (EUI-64) addresses, else short."""
    dst_mode = 2 if dst is None or not ext else 3
    src_mode = 3 if ext else 2
    dst_addr = BROADCAST if dst is None else (dst.eui64_int if ext else dst.short)
    src_addr = src.eui64_int if ext else src.short
    pkt = Dot15d4FCS(fcf_frametype=1, fcf_ackreq=int(dst is not None),
                     fcf_panidcompress=1, fcf_destaddrmode=dst_mode,
                     fcf_srcaddrmode=src_mode, fcf_framever=0, seqnum=seq) / \
        Dot15d4Data(dest_panid=PAN_ID, dest_addr=dst_addr, src_addr=src_addr) / Raw(payload)
    return check_fcs(raw(pkt))


def mac_broadcast_ext(seq, src, payload):
    """Broadcast data frame: short dst 0xffff, extended src (so IPHC can
    elide the link-local source entirely)."""
    pkt = Dot15d4FCS(fcf_frametype=1, fcf_ackreq=0, fcf_panidcompress=1,
                     fcf_destaddrmode=2, fcf_srcaddrmode=3, seqnum=seq) / \
        Dot15d4Data(dest_panid=PAN_ID, dest_addr=BROADCAST, src_addr=src.eui64_int) / Raw(payload)
    return check_fcs(raw(pkt))


def mac_ack(seq):
    return check_fcs(raw(Dot15d4FCS(fcf_frametype=2, fcf_destaddrmode=0,
                                    fcf_srcaddrmode=0, seqnum=seq) / Dot15d4Ack()))


def mac_beacon_request(seq):
    # MAC command 0x07, dst PAN/addr broadcast, no source address.
    pkt = Dot15d4FCS(fcf_frametype=3, fcf_destaddrmode=2, fcf_srcaddrmode=0, seqnum=seq) / \
        Dot15d4Cmd(dest_panid=0xFFFF, dest_addr=BROADCAST, cmd_id=7)
    return check_fcs(raw(pkt))


def mac_beacon(bsn, node, pan_coord):
    # Non-beacon-enabled PAN (BO = SO = 15), association permitted, no GTS,
    # no pending addresses, empty beacon payload.
    ext = not pan_coord   # root beacons with its short address, motes with EUI-64
    pkt = Dot15d4FCS(fcf_frametype=0, fcf_destaddrmode=0, fcf_srcaddrmode=3 if ext else 2,
                     seqnum=bsn) / \
        Dot15d4Beacon(src_panid=PAN_ID, src_addr=node.eui64_int if ext else node.short,
                      sf_beaconorder=15, sf_sforder=15, sf_finalcapslot=15,
                      sf_assocpermit=1, sf_pancoord=int(pan_coord),
                      gts_spec_permit=0, gts_spec_desccount=0,
                      pa_num_short=0, pa_num_long=0)
    return check_fcs(raw(pkt))


# --------------------------------------------------------------------------
# 6LoWPAN (RFC 4944 / RFC 6282), written by hand: Scapy's LoWPAN_IPHC cannot
# compress extension headers with LOWPAN_NHC_EH in the way we need and we want
# exact control over every SAM/DAM mode and over fragment boundaries.
# --------------------------------------------------------------------------

CTX0_PREFIX = ip6("fd00::")[:8]   # context 0 = fd00::/64


def iid_from_mac(mac):
    """RFC 4944/6282 IID derivation.  mac is ('ext', 8 bytes) or ('short', int)."""
    kind, value = mac
    if kind == "ext":
        return bytes([value[0] ^ 0x02]) + value[1:]
    return bytes([0, 0, 0, 0xFF, 0xFE, 0, value >> 8, value & 0xFF])


def _compress_unicast(addr, mac):
    """Returns (context_flag, mode, inline bytes) for a unicast address."""
    prefix, iid = addr[:8], addr[8:]
    if addr == bytes(16):
        return 1, 0b00, b""                       # SAC=1 SAM=00: unspecified
    if prefix == ip6("fe80::")[:8]:
        ctx = 0
    elif prefix == CTX0_PREFIX:
        ctx = 1                                   # stateful, context 0
    else:
        return 0, 0b00, addr                      # full 128 bits inline
    if mac is not None and iid == iid_from_mac(mac):
        return ctx, 0b11, b""                     # derived from the MAC address
    if iid[:6] == bytes([0, 0, 0, 0xFF, 0xFE, 0]):
        return ctx, 0b10, iid[6:]                 # 16 bits inline
    return ctx, 0b01, iid                         # 64 bits inline


def _compress_multicast(addr):
    if addr[:2] == b"\xff\x02" and addr[2:15] == bytes(13):
        return 0b11, addr[15:]                    # ff02::00XX
    if addr[2:13] == bytes(11):
        return 0b10, addr[1:2] + addr[13:]        # ffXX::00XX:XXXX
    if addr[2:11] == bytes(9):
        return 0b01, addr[1:2] + addr[11:]        # ffXX::00XX:XXXX:XXXX
    return 0b00, addr


EH_EID = {0: 0, 43: 1, 60: 3}   # HBH, Routing, Destination Options


def lowpan_compress(pkt, mac_src, mac_dst):
    """IPv6 packet bytes -> (compressed header, uncompressed header length,
    rest).  Extension headers (HBH, routing) use LOWPAN_NHC_EH and a final
    UDP header uses LOWPAN_NHC_UDP with the checksum carried inline; ICMPv6
    stays uncompressed behind an in-line Next Header."""
    vtf, plen, nh, hlim = struct.unpack("!IHBB", pkt[:8])
    assert vtf == 0x60000000, "only TC = 0, FL = 0 is used here (TF = 11)"
    src, dst = pkt[8:24], pkt[24:40]
    assert plen == len(pkt) - 40

    # Walk the extension header chain to decide what NHC can cover.
    ext, off, cur = [], 40, nh
    while cur in EH_EID:
        hlen = (pkt[off + 1] + 1) * 8
        ext.append((cur, pkt[off:off + hlen]))
        cur = pkt[off]
        off += hlen
    udp = cur == 17
    use_nhc = bool(ext) or udp

    hlim_bits = {1: 0b01, 64: 0b10, 255: 0b11}.get(hlim, 0b00)
    sac, sam, s_inline = _compress_unicast(src, mac_src)
    if dst[0] == 0xFF:
        m, dac, (dam, d_inline) = 1, 0, _compress_multicast(dst)
    else:
        m, (dac, dam, d_inline) = 0, _compress_unicast(dst, mac_dst)

    out = bytearray([0x60 | (0b11 << 3) | (int(use_nhc) << 2) | hlim_bits,
                     (sac << 6) | (sam << 4) | (m << 3) | (dac << 2) | dam])
    if not use_nhc:
        out.append(nh)
    if hlim_bits == 0:
        out.append(hlim)
    out += s_inline + d_inline

    for i, (code, hdr) in enumerate(ext):
        nxt = ext[i + 1][0] if i + 1 < len(ext) else cur
        nh_bit = int(nxt in EH_EID or nxt == 17)
        out.append(0xE0 | (EH_EID[code] << 1) | nh_bit)
        if not nh_bit:
            out.append(nxt)                       # in-line Next Header
        out.append(len(hdr) - 2)                  # octets following Length
        out += hdr[2:]
    if udp:
        sport, dport, _, csum = struct.unpack("!HHHH", pkt[off:off + 8])
        if sport & 0xFFF0 == 0xF0B0 and dport & 0xFFF0 == 0xF0B0:
            out += bytes([0xF3, ((sport & 0xF) << 4) | (dport & 0xF)])
        elif dport & 0xFF00 == 0xF000:
            out += bytes([0xF1]) + struct.pack("!HB", sport, dport & 0xFF)
        elif sport & 0xFF00 == 0xF000:
            out += bytes([0xF2]) + struct.pack("!BH", sport & 0xFF, dport)
        else:
            out += bytes([0xF0]) + struct.pack("!HH", sport, dport)
        out += struct.pack("!H", csum)
        off += 8
    return bytes(out), off, pkt[off:]


def lowpan_uncompressed(pkt):
    """LOWPAN_IPV6 dispatch (0x41): the IPv6 header is carried as is."""
    return b"\x41", 0, pkt


def lowpan_fragments(hdr_c, hdr_u_len, rest, tag, max_payload):
    """Split one compressed datagram into FRAG1 + FRAGN (RFC 4944 §5.3).

    datagram_size and datagram_offset count bytes of the *uncompressed*
    IPv6 packet, so the first fragment must end on an 8-octet boundary of the
    uncompressed packet even though its headers are compressed."""
    size = hdr_u_len + len(rest)
    if hdr_c == b"\x41":   # uncompressed IPv6: dispatch byte is not counted
        size = len(rest)
    room = max_payload - 4 - len(hdr_c)
    k = room - (hdr_u_len + room) % 8
    assert k > 0
    frags = [struct.pack("!HH", 0xC000 | size, tag) + hdr_c + rest[:k]]
    done = k
    while done < len(rest):
        n = max_payload - 5
        n -= n % 8
        chunk = rest[done:done + n]
        offset = hdr_u_len + done
        assert offset % 8 == 0
        frags.append(struct.pack("!HHB", 0xE000 | size, tag, offset // 8) + chunk)
        done += len(chunk)
    return frags


# --------------------------------------------------------------------------
# The mesh: nodes, topology, hop-by-hop transmission
# --------------------------------------------------------------------------

RPL_INSTANCE = 0x1E
RPL_VERSION = 240
MIN_HOP_RANK_INC = 256


class Node:
    def __init__(self, idx, parent, rng):
        self.idx = idx
        self.short = 0x0000 if idx == 1 else idx
        self.eui64 = bytes([0x00, 0x12, 0x4B, 0, 0, 0, 0, idx])
        self.eui64_int = int.from_bytes(self.eui64, "big")
        iid = iid_from_mac(("ext", self.eui64))
        self.ll = ip6("fe80::")[:8] + iid
        # The root owns fd00::1 (DODAGID); motes use fd00::<EUI-64 IID>.
        self.gua = ip6("fd00::1") if idx == 1 else CTX0_PREFIX + iid
        self.parent = parent
        self.rank = MIN_HOP_RANK_INC if parent is None else parent.rank + MIN_HOP_RANK_INC
        self.dsn = rng.getrandbits(8)      # MAC data sequence number
        self.bsn = rng.getrandbits(8)      # beacon sequence number
        self.tag = rng.getrandbits(16)     # 6LoWPAN datagram tag
        self.mid = rng.getrandbits(16)     # CoAP message ID
        self.dtsn = 0x40 + idx
        self.dao_seq = rng.getrandbits(8)

    @property
    def name(self):
        return "0x%04x" % self.short

    def next_seq(self, counter):
        value = (getattr(self, counter) + 1) & 0xFF
        setattr(self, counter, value)
        return value

    def next_tag(self):
        self.tag = (self.tag + 1) & 0xFFFF
        return self.tag

    def next_mid(self):
        self.mid = (self.mid + 1) & 0xFFFF
        return self.mid

    def path_up(self):
        path, n = [self], self
        while n.parent is not None:
            n = n.parent
            path.append(n)
        return path


class Mesh:
    """Puts 802.15.4 frames for one IPv6 packet on the air, hop by hop."""

    def __init__(self, cap, rng):
        self.cap = cap
        self.rng = rng
        self.nodes = {}
        root = Node(1, None, rng)
        self.nodes[1] = root
        # Topology (parent of each mote):  ranks 256 / 512 / 768 / 1024.
        #   root -- 2 -- 5 -- 8
        #        |    `- 6
        #        |- 3 -- 7 -- 9   (9 joins during the capture)
        #        `- 4
        for idx, parent in [(2, 1), (3, 1), (4, 1), (5, 2), (6, 2), (7, 3), (8, 5), (9, 7)]:
            self.nodes[idx] = Node(idx, self.nodes[parent], rng)
        self.root = root

    def __getitem__(self, idx):
        return self.nodes[idx]

    def jitter(self, lo, hi):
        return lo + (hi - lo) * self.rng.random()

    def backoff(self):
        # CSMA-CA: 0..7 unit backoff periods of 320 us plus CCA.
        return (self.rng.getrandbits(3) * 20 + 8) * SYMBOL_US * 1e-6

    # -- single frames ----------------------------------------------------

    def frame(self, t, build, comment=None):
        """Queue one frame; build() makes its bytes once sequence numbers are
        bound.  Frame length never depends on them, so airtime is known now."""
        self.cap.add(t, 0, build, comment)
        return t + airtime(build(probe=True))

    def unicast_frame(self, t, src, payload_for_frame, build, comments=(),
                      corrupt_first=False, lost=False):
        """Send one acknowledged data frame; returns time after the ACK.

        corrupt_first: the first attempt is hit by a bit error (bad FCS, no
        ACK) and the MAC retransmits with the same DSN.
        lost: the receiver never answers; the MAC gives up after
        macMaxFrameRetries = 3 retransmissions."""
        ticket = Ticket(src)

        def data(probe=False):
            return build(0 if probe else ticket.get(), payload_for_frame)

        def bad(probe=False):
            return corrupt(data(probe))

        def ack(probe=False):
            return mac_ack(0 if probe else ticket.get())

        t += self.backoff()
        comment, retry_comment = (list(comments) + [None, None])[:2]
        if corrupt_first:
            t = self.frame(t, bad, "bit error on air: bad FCS, not acknowledged")
            t += ACK_WAIT + self.backoff()
            comment = retry_comment or "MAC retransmission (same DSN) after bad-FCS attempt"
        if lost:
            for attempt in range(4):
                t = self.frame(t, data, comment if attempt == 0 else
                               "MAC retry %d/3: receiver does not acknowledge" % attempt)
                t += ACK_WAIT + self.backoff()
            return t
        t = self.frame(t, data, comment)
        t += TURNAROUND
        t = self.frame(t, ack)
        return t

    def broadcast_frame(self, t, src, payload, comment=None, bad_fcs=False):
        ticket = Ticket(src)

        def data(probe=False):
            frame = mac_broadcast_ext(0 if probe else ticket.get(), src, payload)
            return corrupt(frame) if bad_fcs else frame
        t += self.backoff()
        return self.frame(t, data, comment)

    # -- one IPv6 packet over one link -------------------------------------

    def send_hop(self, t, tx, rx, pkt, ext=False, comment=None, reorder=False,
                 corrupt_frag=None, lost=False):
        """Transmit IPv6 packet `pkt` from tx to rx (rx None = broadcast).

        Fragments when the compressed datagram does not fit in one frame.
        reorder: send the fragments in reverse order (FRAGN first).
        corrupt_frag: index of the fragment whose first attempt has a bad FCS."""
        if rx is None:
            mac_src, mac_dst = ("ext", tx.eui64), None
            hdr = mac_header_len(2, 3, True)
        elif ext:
            mac_src, mac_dst = ("ext", tx.eui64), ("ext", rx.eui64)
            hdr = mac_header_len(3, 3, True)
        else:
            mac_src, mac_dst = ("short", tx.short), ("short", rx.short)
            hdr = mac_header_len(2, 2, True)
        max_payload = 127 - hdr - 2
        hdr_c, hdr_u, rest = lowpan_compress(pkt, mac_src, mac_dst)
        whole = hdr_c + rest
        self.last_fragments = 1
        if len(whole) <= max_payload:
            payloads = [whole]
        else:
            payloads = lowpan_fragments(hdr_c, hdr_u, rest, tx.next_tag(), max_payload)
            self.last_fragments = len(payloads)
        order = list(range(len(payloads)))
        if reorder:
            order.reverse()

        def build(seq, payload):
            if rx is None:
                return mac_broadcast_ext(seq, tx, payload)
            return mac_data(seq, tx, rx, payload, ext=ext)

        for n, i in enumerate(order):
            c = comment if n == 0 else None
            if reorder:
                c = ("fragment %d/%d sent out of order (%s)" %
                     (i + 1, len(payloads), "FRAGN before FRAG1" if i else "FRAG1 last"))
            if rx is None:
                t = self.broadcast_frame(t, tx, payloads[i], c)
            else:
                t = self.unicast_frame(t, tx, payloads[i], build, comments=(c,),
                                       corrupt_first=(corrupt_frag == i), lost=lost)
            t += 0.0004   # inter-frame spacing / driver latency
        return t

    def route(self, t, path, build_pkt, ext=False, comments=None, hop_opts=None):
        """Forward a packet along `path` (list of Nodes).  build_pkt(i) returns
        the IPv6 bytes as transmitted by path[i] (hop limit, SRH and RPL
        option change at each hop).  Returns arrival time at path[-1]."""
        for i in range(len(path) - 1):
            opts = (hop_opts or {}).get(i, {})
            comment = (comments or {}).get(i)
            t = self.send_hop(t, path[i], path[i + 1], build_pkt(i), ext=ext,
                              comment=comment, **opts)
            t += self.jitter(0.003, 0.009)   # forwarding latency in the next node
        return t

    def path_down(self, node):
        return list(reversed(node.path_up()))


# --------------------------------------------------------------------------
# IPv6 packet helpers (Scapy builds; RFC 6554 SRH is built by hand because
# Scapy has no type-3 routing header)
# --------------------------------------------------------------------------

def rh3(next_header, addresses, segments_left, ref_dst):
    """RFC 6554 Source Routing Header with CmprI/CmprE elision."""
    def common(a):
        n = 0
        while n < 15 and a[n] == ref_dst[n]:
            n += 1
        return n
    cmpr_i = min([common(a) for a in addresses[:-1]] or [15])
    cmpr_e = common(addresses[-1])
    body = b"".join(a[cmpr_i:] for a in addresses[:-1]) + addresses[-1][cmpr_e:]
    pad = -(8 + len(body)) % 8
    total = 8 + len(body) + pad
    return struct.pack("!BBBBBBH", next_header, total // 8 - 1, 3, segments_left,
                       (cmpr_i << 4) | cmpr_e, pad << 4, 0) + body + bytes(pad)


def ipv6_packet(src, dst, upper, hlim=64, rpl_rank=None, down=False):
    """Plain IPv6 (+ optional RFC 6553 RPL option in a Hop-by-Hop header)."""
    p = IPv6(src=ip6str(src), dst=ip6str(dst), hlim=hlim)
    if rpl_rank is not None:
        p = p / IPv6ExtHdrHopByHop(options=[RplOption(Down=int(down), RplInstanceId=RPL_INSTANCE,
                                                      SenderRank=rpl_rank)])
    return raw(p / upper)


def ipv6_source_routed(src, path_addrs, hop, upper, hlim):
    """Packet as transmitted at hop `hop` of a non-storing downward route.

    path_addrs = global addresses of [root, n1, n2, ..., final].  At hop h the
    IPv6 destination is path[h+1] and the SRH lists the other intermediate
    hops and the final destination (RFC 6554 §4.2 processing).  The upper
    layer checksum uses the final destination, so it is computed once by
    Scapy against the final address and then kept as is."""
    final = path_addrs[-1]
    full = raw(IPv6(src=ip6str(src), dst=ip6str(final), hlim=hlim) / upper)
    nh, upper_bytes = full[6], full[40:]
    inter = path_addrs[1:]                         # n1 .. final
    n = len(inter) - 1                             # addresses in the SRH
    dst = inter[hop]
    addresses = inter[:hop] + inter[hop + 1:]
    seg_left = n - hop
    rh = rh3(nh, addresses, seg_left, dst)
    return raw(IPv6(src=ip6str(src), dst=ip6str(dst), hlim=hlim - hop, nh=43) /
               Raw(rh + upper_bytes))


# --------------------------------------------------------------------------
# RPL (RFC 6550) and 6LoWPAN-ND (RFC 6775) bodies.  Scapy only knows the
# ICMPv6 type-155 header, not the message bodies or options, and has no
# ARO / 6CO / ABRO, so these are built by hand.
# --------------------------------------------------------------------------

def rpl_dis():
    return ICMPv6RPL(code=0) / Raw(b"\x00\x00")      # flags, reserved


def rpl_dodag_config():
    # type 4, len 14: flags/A/PCS, DIOIntDoubl 8, DIOIntMin 12, DIORedun 10,
    # MaxRankIncrease 1792, MinHopRankIncrease 256, OCP 1 (MRHOF),
    # reserved, default lifetime 30, lifetime unit 60 s.
    return struct.pack("!BBBBBBHHHBBH", 4, 14, 0x00, 8, 12, 10, 1792,
                       MIN_HOP_RANK_INC, 1, 0, 30, 60)


def rpl_prefix_info():
    # type 8, len 30: /64, flags A (autonomous), valid 86400 s, preferred 14400 s.
    return struct.pack("!BBBBII4x", 8, 30, 64, 0x40, 86400, 14400) + CTX0_PREFIX + bytes(8)


def rpl_dio(mesh, node):
    g_mop_prf = 0x80 | (1 << 3) | 0          # grounded, MOP 1 non-storing, Prf 0
    body = struct.pack("!BBHBBBB", RPL_INSTANCE, RPL_VERSION, node.rank, g_mop_prf,
                       node.dtsn, 0, 0) + mesh.root.gua
    return ICMPv6RPL(code=1) / Raw(body + rpl_dodag_config() + rpl_prefix_info())


def rpl_dao(mesh, node):
    node.dao_seq = (node.dao_seq + 1) & 0xFF
    body = struct.pack("!BBBB", RPL_INSTANCE, 0xC0, 0, node.dao_seq) + mesh.root.gua  # K, D
    target = struct.pack("!BBBB", 5, 18, 0, 128) + node.gua
    # Transit Information: E=0, path control 0, path sequence, lifetime 30
    # units, parent address (present in non-storing mode).
    transit = struct.pack("!BBBBBB", 6, 20, 0, 0, node.dao_seq, 30) + node.parent.gua
    return ICMPv6RPL(code=2) / Raw(body + target + transit), node.dao_seq


def rpl_dao_ack(mesh, seq):
    return ICMPv6RPL(code=3) / Raw(struct.pack("!BBBB", RPL_INSTANCE, 0x80, seq, 0) + mesh.root.gua)


def nd_sllao_eui64(eui64):
    # RFC 4944 §8: EUI-64 link-layer address option, length 2 (16 octets).
    return struct.pack("!BB", 1, 2) + eui64 + bytes(6)


def nd_aro(status, lifetime_min, eui64):
    # RFC 6775 §4.1 Address Registration Option, type 33, length 2.
    return struct.pack("!BBB3xH", 33, 2, status, lifetime_min) + eui64


def nd_6co(cid, prefix, plen, lifetime_min):
    # RFC 6775 §4.2 6LoWPAN Context Option, type 34; length 2 for a /64.
    return struct.pack("!BBBBHH", 34, 2, plen, 0x10 | cid, 0, lifetime_min) + prefix[:8]


def nd_abro(version, lifetime_min, lbr):
    # RFC 6775 §4.3 Authoritative Border Router Option, type 35, length 3.
    return struct.pack("!BBHHH", 35, 3, version & 0xFFFF, version >> 16, lifetime_min) + lbr


# --------------------------------------------------------------------------
# CoAP (RFC 7252) via Scapy; Observe (6), Block2 (23) and Size2 (28) are not
# in Scapy's option table, so they are passed by number with values encoded
# here.  CBOR is encoded by hand (tiny subset).
# --------------------------------------------------------------------------

CON, NON, ACK, RST = 0, 1, 2, 3
GET, POST = 1, 2
CREATED, CHANGED, CONTENT = 65, 68, 69
OPT_OBSERVE, OPT_BLOCK2, OPT_SIZE2 = 6, 23, 28
CF_TEXT, CF_LINK, CF_OCTET, CF_CBOR = 0, 40, 42, 60
COAP_PORT = 5683


def uint_opt(v):
    """CoAP uint option value: minimal big-endian, zero is empty."""
    out = b""
    while v:
        out = bytes([v & 0xFF]) + out
        v >>= 8
    return out


def block_opt(num, more, szx):
    return uint_opt((num << 4) | (int(more) << 3) | szx)


def uri_path(path):
    return [("Uri-Path", seg.encode()) for seg in path.strip("/").split("/")]


def coap(mtype, code, mid, token=b"", options=(), payload=b""):
    pkt = CoAP(type=mtype, code=code, msg_id=mid, token=token, options=list(options))
    if payload:
        pkt.paymark = b"\xff"
        pkt = pkt / Raw(payload)
    return pkt


def cbor(obj):
    """Minimal CBOR encoder: ints, text, lists, dicts, floats (shortest exact)."""
    def head(major, n):
        if n < 24:
            return bytes([(major << 5) | n])
        for ai, fmt in ((24, "!B"), (25, "!H"), (26, "!I"), (27, "!Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([(major << 5) | ai]) + struct.pack(fmt, n)
    if isinstance(obj, bool):
        return b"\xf5" if obj else b"\xf4"
    if isinstance(obj, int):
        return head(0, obj) if obj >= 0 else head(1, -1 - obj)
    if isinstance(obj, str):
        b = obj.encode()
        return head(3, len(b)) + b
    if isinstance(obj, (list, tuple)):
        return head(4, len(obj)) + b"".join(cbor(x) for x in obj)
    if isinstance(obj, dict):
        return head(5, len(obj)) + b"".join(cbor(k) + cbor(v) for k, v in obj.items())
    if isinstance(obj, float):
        for code, fmt in ((0xF9, ">e"), (0xFA, ">f")):
            try:
                packed = struct.pack(fmt, obj)
            except OverflowError:
                continue
            if struct.unpack(fmt, packed)[0] == obj:
                return bytes([code]) + packed
        return b"\xfb" + struct.pack(">d", obj)
    raise TypeError(obj)


def senml_temp(node, value):
    # RFC 8428 SenML in CBOR: bn = -2, n = 0, u = 1, v = 2.
    return cbor([{-2: "urn:dev:mac:%s:" % node.eui64.hex(), 0: "temp", 1: "Cel", 2: value}])


def udp(sport, dport, payload_pkt):
    return UDP(sport=sport, dport=dport) / payload_pkt


# --------------------------------------------------------------------------
# Ethernet side: TCP connection model with real seq/ack/timestamps
# --------------------------------------------------------------------------

class Host:
    def __init__(self, mac, ip4=None, ip6_=None, ipid=0):
        self.mac, self.ip4, self.ip6, self.ipid = mac, ip4, ip6_, ipid


class TcpConn:
    """Two endpoints 'c' (client) and 's' (server).  Each emitted segment
    acknowledges everything the peer has sent so far; TSval is a 1 kHz clock
    with a per-host offset; TSecr echoes the peer's latest TSval."""

    def __init__(self, cap, iface, client, server, cport, sport, isn_c, isn_s, v6,
                 ts_c, ts_s, flow_c=0, flow_s=0):
        self.cap, self.iface, self.v6 = cap, iface, v6
        self.ep = {
            "c": dict(host=client, port=cport, seq=isn_c, ts=ts_c, flow=flow_c,
                      win_syn=64240, win=502, last_ts=0),
            "s": dict(host=server, port=sport, seq=isn_s, ts=ts_s, flow=flow_s,
                      win_syn=65160, win=509, last_ts=0),
        }

    def _peer(self, side):
        return "s" if side == "c" else "c"

    def segment(self, t, side, flags, payload=b"", comment=None):
        me, peer = self.ep[side], self.ep[self._peer(side)]
        tsval = (me["ts"] + int(t * 1000)) & 0xFFFFFFFF
        syn = "S" in flags
        if syn:
            opts = [("MSS", 1460 if not self.v6 else 1440), ("SAckOK", b""),
                    ("Timestamp", (tsval, peer["last_ts"] if "A" in flags else 0)),
                    ("NOP", None), ("WScale", 7)]
            win = me["win_syn"]
        else:
            opts = [("NOP", None), ("NOP", None), ("Timestamp", (tsval, peer["last_ts"]))]
            win = me["win"]
        ack = peer["seq"] if "A" in flags else 0
        tcp = TCP(sport=me["port"], dport=peer["port"], seq=me["seq"], ack=ack,
                  flags=flags, window=win, options=opts)
        h, p = me["host"], peer["host"]
        if self.v6:
            l3 = IPv6(src=h.ip6, dst=p.ip6, hlim=64, fl=me["flow"])
        else:
            h.ipid = (h.ipid + 1) & 0xFFFF
            l3 = IP(src=h.ip4, dst=p.ip4, ttl=64, id=h.ipid, flags="DF")
        frame = Ether(src=h.mac, dst=p.mac) / l3 / tcp
        if payload:
            frame = frame / Raw(payload)
        self.cap.add(t, self.iface, raw(frame), comment)
        me["seq"] = (me["seq"] + len(payload) + int(syn) + int("F" in flags)) & 0xFFFFFFFF
        me["last_ts"] = tsval
        return t

    def handshake(self, t, rtt=0.0006):
        self.segment(t, "c", "S")
        self.segment(t + rtt / 2, "s", "SA")
        self.segment(t + rtt, "c", "A")
        return t + rtt

    def send(self, t, side, payload, comment=None, ack_delay=None):
        """PSH/ACK data segment; with ack_delay the peer answers with a pure ACK."""
        self.segment(t, side, "PA", payload, comment)
        if ack_delay is not None:
            self.segment(t + ack_delay, self._peer(side), "A")
            return t + ack_delay
        return t

    def close(self, t, side, rtt=0.0006):
        """side sends FIN; the peer ACKs and closes too; final ACK."""
        peer = self._peer(side)
        self.segment(t, side, "FA")
        self.segment(t + rtt / 2, peer, "FA")
        self.segment(t + rtt, side, "A")
        return t + rtt


# --------------------------------------------------------------------------
# MQTT 5.0 encoding, by hand: Scapy's contrib MQTT implements 3.1.1 only and
# has no v5 properties.
# --------------------------------------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("!H", len(b)) + b


def mqtt_props(props):
    """props: list of (identifier, encoded value)."""
    body = b"".join(bytes([pid]) + val for pid, val in props)
    return varint(len(body)) + body


def mqtt_packet(first_byte, body):
    return bytes([first_byte]) + varint(len(body)) + body


def mqtt_connect(client_id, keepalive, user, password):
    props = mqtt_props([(0x11, struct.pack("!I", 3600)),   # Session Expiry Interval
                        (0x21, struct.pack("!H", 20)),     # Receive Maximum
                        (0x22, struct.pack("!H", 8))])     # Topic Alias Maximum
    flags = 0x80 | 0x40 | 0x02                             # user, password, clean start
    vh = mqtt_str("MQTT") + bytes([5, flags]) + struct.pack("!H", keepalive) + props
    return mqtt_packet(0x10, vh + mqtt_str(client_id) + mqtt_str(user) + mqtt_str(password))


def mqtt_connack():
    props = mqtt_props([(0x22, struct.pack("!H", 10)),     # Topic Alias Maximum
                        (0x21, struct.pack("!H", 100)),    # Receive Maximum
                        (0x24, b"\x01")])                  # Maximum QoS 1
    return mqtt_packet(0x20, b"\x00\x00" + props)


def mqtt_publish(topic, payload, qos=0, pid=None, alias=None, json=True, dup=False):
    props = []
    if json:
        props += [(0x01, b"\x01"),                          # Payload Format: UTF-8
                  (0x03, mqtt_str("application/json"))]     # Content Type
    if alias is not None:
        props.append((0x23, struct.pack("!H", alias)))     # Topic Alias
    vh = mqtt_str(topic)
    if qos:
        vh += struct.pack("!H", pid)
    return mqtt_packet(0x30 | (int(dup) << 3) | (qos << 1), vh + mqtt_props(props) + payload)


def mqtt_puback(pid, with_reason=False):
    body = struct.pack("!H", pid)
    if with_reason:
        body += b"\x00" + mqtt_props([])                    # Success, no properties
    return mqtt_packet(0x40, body)


def mqtt_subscribe(pid, topic):
    props = mqtt_props([(0x0B, varint(1))])                # Subscription Identifier
    return mqtt_packet(0x82, struct.pack("!H", pid) + props + mqtt_str(topic) + b"\x05")  # QoS1, NL


def mqtt_suback(pid):
    return mqtt_packet(0x90, struct.pack("!H", pid) + mqtt_props([]) + b"\x01")


def reading_json(node, value, t, **extra):
    ms = int(round(t * 1000))
    stamp = "2026-01-15T10:%02d:%02d.%03dZ" % (ms // 60000, (ms // 1000) % 60, ms % 1000)
    fields = ['"mote":"%s"' % node.name, '"temp_c":%.1f' % value, '"ts":"%s"' % stamp]
    fields += ['"%s":%s' % (k, v) for k, v in extra.items()]
    return ("{" + ",".join(fields) + "}").encode()


# --------------------------------------------------------------------------
# demo.pcapng scenario
# --------------------------------------------------------------------------

class Demo:
    def __init__(self):
        self.rng = random.Random(0x10F5A4C)
        self.cap = Capture()
        self.mesh = Mesh(self.cap, self.rng)
        m = self.mesh
        self.root = m.root
        self.coap_client_port = 0xF0B2   # root's CoAP client port (NHC 8-bit form)
        # Ethernet side: documentation MACs (RFC 7042) and addresses.
        self.br = Host("00:00:5e:00:53:01", "192.0.2.1", "2001:db8::1", ipid=0x3c10)
        self.broker = Host("00:00:5e:00:53:0a", "192.0.2.10", None, ipid=0x7a00)
        self.xmpp_srv = Host("00:00:5e:00:53:05", None, "2001:db8::5")
        self.mqtt = None
        self.xmpp = None
        self.mqtt_pid = 0x0100
        self.temps = {5: 22.5, 6: 21.8, 8: 23.1}

    # -- helpers ---------------------------------------------------------------

    def up_coap(self, t, node, coap_pkt, sport=COAP_PORT, dport=None, comments=None,
                hop_opts=None):
        """Mote -> root CoAP, carrying the RFC 6553 RPL option (upward, non-storing)."""
        dport = dport or self.coap_client_port
        path = node.path_up()
        upper = udp(sport, dport, coap_pkt)

        def build(i):
            return ipv6_packet(node.gua, self.root.gua, upper, hlim=64 - i,
                               rpl_rank=path[i].rank)
        return self.mesh.route(t, path, build, comments=comments, hop_opts=hop_opts)

    def down(self, t, node, upper, comments=None, hop_opts=None, ext=False):
        """Root -> mote: direct for children, RFC 6554 source route otherwise."""
        path = self.mesh.path_down(node)
        addrs = [n.gua for n in path]

        def build(i):
            if len(path) == 2:
                return ipv6_packet(self.root.gua, node.gua, upper)
            return ipv6_source_routed(self.root.gua, addrs, i, upper, 64)
        return self.mesh.route(t, path, build, comments=comments, hop_opts=hop_opts, ext=ext)

    def down_coap(self, t, node, coap_pkt, sport=None, dport=COAP_PORT, **kw):
        sport = sport or self.coap_client_port
        return self.down(t, node, udp(sport, dport, coap_pkt), **kw)

    def up_icmp(self, t, node, icmp):
        path = node.path_up()

        def build(i):
            return raw(IPv6(src=ip6str(node.gua), dst=ip6str(self.root.gua), hlim=64 - i) / icmp)
        return self.mesh.route(t, path, build)

    def token(self, n=4):
        return self.rng.getrandbits(8 * n).to_bytes(n, "big")

    # -- 802.15.4 / RPL / ND steps ------------------------------------------------

    def dio(self, t, idx, comment=None, bad_fcs=False):
        node = self.mesh[idx]
        pkt = raw(IPv6(src=ip6str(node.ll), dst="ff02::1a", hlim=255) / rpl_dio(self.mesh, node))
        hdr_c, _, rest = lowpan_compress(pkt, ("ext", node.eui64), None)
        if bad_fcs:
            comment = "DIO hit by a bit error: bad FCS"
        return self.mesh.broadcast_frame(t, node, hdr_c + rest, comment, bad_fcs=bad_fcs)

    def initial_dios(self, t):
        """Trickle timers of the already formed DODAG firing after the sniffer
        starts.  One DIO is corrupted on air."""
        for idx, dt in [(1, 0.100), (2, 0.347), (3, 0.521), (4, 0.803), (5, 0.966),
                        (6, 1.405), (8, 1.730)]:
            self.dio(t + dt, idx, bad_fcs=(idx == 4))

    def beacon_scan(self, t):
        """Mote 9 boots and does an active scan on channel 26."""
        m9 = self.mesh[9]
        req = Ticket(m9)
        t = self.mesh.frame(t, lambda probe=False: mac_beacon_request(0 if probe else req.get()),
                            "mote 0x0009 active scan: beacon request")
        for idx, dt in [(1, 0.0021), (3, 0.0057), (7, 0.0093)]:
            node, bsn = self.mesh[idx], Ticket(self.mesh[idx], "bsn")
            self.mesh.frame(t + dt, lambda probe=False, node=node, bsn=bsn, idx=idx:
                            mac_beacon(0 if probe else bsn.get(), node, pan_coord=(idx == 1)))
        return t + 0.05

    def join_mote9(self, t):
        """DIS -> DIOs, then RFC 6775 registration with its preferred parent 7."""
        m = self.mesh
        m9, m7 = m[9], m[7]
        dis = raw(IPv6(src=ip6str(m9.ll), dst="ff02::1a", hlim=255) / rpl_dis())
        t = m.send_hop(t, m9, None, dis, comment="mote 0x0009 solicits DIOs (DIS)")
        # Neighbours reset their trickle timers and answer with multicast DIOs.
        self.dio(t + 0.031, 7)
        self.dio(t + 0.074, 3)
        t += 0.2
        rs = raw(IPv6(src=ip6str(m9.ll), dst="ff02::2", hlim=255) / ICMPv6ND_RS() /
                 Raw(nd_sllao_eui64(m9.eui64)))
        t = m.send_hop(t, m9, None, rs, comment="RS from mote 0x0009")
        t += 0.012
        ra = raw(IPv6(src=ip6str(m7.ll), dst=ip6str(m9.ll), hlim=255) /
                 ICMPv6ND_RA(chlim=64, M=0, O=0, prf=0, routerlifetime=1800) /
                 Raw(nd_sllao_eui64(m7.eui64)) /
                 ICMPv6NDOptPrefixInfo(prefixlen=64, L=0, A=1, validlifetime=86400,
                                       preferredlifetime=14400, prefix="fd00::") /
                 Raw(nd_6co(0, CTX0_PREFIX, 64, 1440) + nd_abro(0x00010000 | 7, 1440, m.root.gua)))
        t = m.send_hop(t, m7, m9, ra, ext=True, comment="RA with PIO, 6CO (context 0 = fd00::/64), ABRO")
        t += 0.05
        ns_ = raw(IPv6(src=ip6str(m9.gua), dst=ip6str(m7.ll), hlim=255) /
                  ICMPv6ND_NS(tgt=ip6str(m9.gua)) /
                  Raw(nd_sllao_eui64(m9.eui64) + nd_aro(0, 120, m9.eui64)))
        t = m.send_hop(t, m9, m7, ns_, ext=True, comment="NS with ARO: register fd00::212:4b00:0:9")
        t += 0.008
        na = raw(IPv6(src=ip6str(m7.ll), dst=ip6str(m9.gua), hlim=255) /
                 ICMPv6ND_NA(R=1, S=1, O=0, tgt=ip6str(m9.gua)) /
                 Raw(nd_aro(0, 120, m9.eui64)))
        t = m.send_hop(t, m7, m9, na, ext=True, comment="NA with ARO status 0 (success)")
        return t

    def dao_exchange(self, t, idx, comment=None):
        """Non-storing DAO to the root, DAO-ACK back over a source route."""
        node = self.mesh[idx]
        dao, seq = rpl_dao(self.mesh, node)
        first = {0: comment or ("DAO from mote %s, parent %s" % (node.name, node.parent.name))}
        path = node.path_up()

        def build_up(i):
            return raw(IPv6(src=ip6str(node.gua), dst=ip6str(self.root.gua), hlim=64 - i) / dao)
        t = self.mesh.route(t, path, build_up, comments=first)
        t += 0.004
        return self.down(t, node, rpl_dao_ack(self.mesh, seq))

    # -- CoAP steps -------------------------------------------------------------

    def well_known_core(self, t):
        node = self.mesh[2]
        tok = self.token(2)
        req = coap(CON, GET, self.root.next_mid(), tok, uri_path(".well-known/core"))
        t = self.down_coap(t, node, req, comments={0: "CoAP GET /.well-known/core"})
        links = (b'</sensors/temp>;rt="temperature-c";if="sensor";ct="0 60";obs,'
                 b'</sensors/hum>;rt="humidity-rh";if="sensor";ct=0,'
                 b'</actuators/led>;if="actuator";ct=0,</fw/update>;ct=0')
        resp = coap(ACK, CONTENT, self.root.mid, tok, [("Content-Format", uint_opt(CF_LINK))], links)
        return self.up_coap(t + 0.006, node, resp,
                            comments={0: "2.05 link-format, fragmented (FRAG1 + FRAGN)"})

    def get_temp(self, t, idx, accept_cbor=False):
        node = self.mesh[idx]
        tok = self.token(4)
        opts = uri_path("sensors/temp")
        if accept_cbor:
            opts.append(("Accept", uint_opt(CF_CBOR)))
        mid = self.root.next_mid()
        t = self.down_coap(t, node, coap(CON, GET, mid, tok, opts))
        value = self.temps[idx]
        if accept_cbor:
            body, cf = senml_temp(node, value), CF_CBOR
        else:
            body, cf = ("%.1f" % value).encode(), CF_TEXT
        resp = coap(ACK, CONTENT, mid, tok, [("Content-Format", uint_opt(cf))], body)
        return self.up_coap(t + 0.005, node, resp), value

    def observe(self, t):
        """Observe /sensors/temp on mote 6: registration, 5 notifications
        (CON/NON mix, one CON retransmitted because its ACK was lost), and an
        explicit deregistration.  Returns the list of (time, value) seen by
        the root, used to drive MQTT/XMPP publishing."""
        node = self.mesh[6]
        tok = self.token(3)
        seen = []
        obs = 0x1F40
        value = self.temps[6]
        mid = self.root.next_mid()
        reg = coap(CON, GET, mid, tok, [(OPT_OBSERVE, uint_opt(0))] + uri_path("sensors/temp"))
        t = self.down_coap(t, node, reg, comments={0: "Observe registration (Observe=0)"})
        resp = coap(ACK, CONTENT, mid, tok, [(OPT_OBSERVE, uint_opt(obs)),
                                             ("Content-Format", uint_opt(CF_TEXT)),
                                             ("Max-Age", uint_opt(60))], b"%.1f" % value)
        t = self.up_coap(t + 0.005, node, resp)
        seen.append((t, value, "CON-ACK"))

        plan = [(CON, 0.3), (NON, 0.4), (CON, -0.2), (CON, 0.5), (CON, -0.1)]
        t_next = t + 5.0
        for n, (mtype, delta) in enumerate(plan):
            t = t_next
            obs += 1
            value = round(value + delta, 1)
            nmid = node.next_mid()
            notif = coap(mtype, CONTENT, nmid, tok, [(OPT_OBSERVE, uint_opt(obs)),
                                                     ("Content-Format", uint_opt(CF_TEXT)),
                                                     ("Max-Age", uint_opt(60))], b"%.1f" % value)
            label = "notification %d (Observe=%d, %s)" % (n + 1, obs, "CON" if mtype == CON else "NON")
            hop_opts = None
            if n == 0:
                # Second hop (mote 2 -> root) suffers a bit error; MAC retries.
                hop_opts = {1: {"corrupt_frag": 0}}
            t = self.up_coap(t, node, notif, comments={0: label}, hop_opts=hop_opts)
            seen.append((t, value, label))
            if mtype == CON:
                ack = coap(ACK, 0, nmid)
                if n == 2:
                    # The empty ACK dies on the last hop (mote 6 asleep/out of
                    # range): the MAC gives up, so after ACK_TIMEOUT * random
                    # factor (~2.3 s) the mote retransmits the CON, same MID.
                    self.down_coap(t + 0.004, node, ack, sport=self.coap_client_port,
                                   comments={0: "empty ACK for notification 3",
                                             1: "empty ACK forwarded to mote 0x0006: never acknowledged"},
                                   hop_opts={1: {"lost": True}})
                    t = self.up_coap(t + 2.31, node, notif,
                                     comments={0: "CoAP retransmission of notification 3 (same MID %d)" % nmid})
                    t = self.down_coap(t + 0.004, node, ack,
                                       comments={0: "empty ACK for retransmitted notification 3"})
                else:
                    t = self.down_coap(t + 0.004, node, ack)
            t_next = t + 5.0 + self.mesh.jitter(-0.05, 0.05) - (2.3 if n == 2 else 0)
        t = t_next
        dereg = coap(CON, GET, self.root.next_mid(), tok,
                     [(OPT_OBSERVE, uint_opt(1))] + uri_path("sensors/temp"))
        t = self.down_coap(t, node, dereg, comments={0: "Observe deregistration (Observe=1)"})
        final = coap(ACK, CONTENT, self.root.mid, tok, [("Content-Format", uint_opt(CF_TEXT))],
                     b"%.1f" % value)
        t = self.up_coap(t + 0.005, node, final)
        self.temps[6] = value
        return t, seen

    def firmware(self, t):
        """Root tells mote 3 to update; mote 3 pulls /fw/image with Block2
        (SZX 2 = 64-byte blocks).  This exchange uses extended (EUI-64) MAC
        addressing, so each 2.05 response no longer fits into one frame and
        is sent as FRAG1 + FRAGN.  Block 9's fragments go out of order and
        the first attempt of block 17's FRAG1 has a bad FCS."""
        node = self.mesh[3]
        fw_rng = random.Random(0xF1)
        image = b"LSFW\x01\x02\x00\x00" + bytes(fw_rng.getrandbits(8) for _ in range(1528))
        assert len(image) == 1536
        etag = bytes.fromhex("6c5f01020a1be0c4")   # 8-byte image digest

        mid = self.root.next_mid()
        tok = self.token(2)
        cmd = coap(CON, POST, mid, tok, uri_path("fw/update") + [("Content-Format", uint_opt(CF_TEXT))],
                   b"coap://[fd00::1]/fw/image")
        t = self.down_coap(t, node, cmd, comments={0: "POST /fw/update to mote 0x0003"})
        t = self.up_coap(t + 0.006, node, coap(ACK, CHANGED, mid, tok))
        t += 0.25

        ftok = self.token(4)
        nblocks = len(image) // 64
        for num in range(nblocks):
            rmid = node.next_mid()
            req = coap(CON, GET, rmid, ftok, uri_path("fw/image") + [(OPT_BLOCK2, block_opt(num, 0, 2))])
            t = self.up_coap(t, node, req, sport=COAP_PORT, dport=COAP_PORT,
                             comments={0: "Block2 request %d/%d" % (num + 1, nblocks)} if num == 0 else None)
            chunk = image[num * 64:(num + 1) * 64]
            more = num < nblocks - 1
            resp = coap(ACK, CONTENT, rmid, ftok,
                        [(OPT_BLOCK2, block_opt(num, more, 2)), ("ETag", etag),
                         ("Content-Format", uint_opt(CF_OCTET)), (OPT_SIZE2, uint_opt(len(image)))],
                        chunk)
            opts = {}
            if num == 9:
                opts = {"reorder": True}
            if num == 17:
                opts = {"corrupt_frag": 0}
            t = self.down_coap(t + 0.003, node, resp, sport=COAP_PORT, dport=COAP_PORT, ext=True,
                               hop_opts={0: opts} if opts else None)
            assert self.mesh.last_fragments == 2, "each Block2 response must need FRAG1 + FRAGN"
            t += self.mesh.jitter(0.02, 0.06)
        return t, len(image)

    # -- Ethernet: MQTT ------------------------------------------------------------

    def mqtt_start(self, t):
        br, broker = self.br, self.broker
        # ARP for the broker (frames padded to the 60-byte Ethernet minimum).
        self.cap.add(t, 1, raw(Ether(src=br.mac, dst="ff:ff:ff:ff:ff:ff") /
                               ARP(op=1, hwsrc=br.mac, psrc=br.ip4, pdst=broker.ip4) / Padding(bytes(18))))
        self.cap.add(t + 0.0002, 1, raw(Ether(src=broker.mac, dst=br.mac) /
                                        ARP(op=2, hwsrc=broker.mac, psrc=broker.ip4,
                                            hwdst=br.mac, pdst=br.ip4) / Padding(bytes(18))))
        t += 0.0005
        c = self.mqtt = TcpConn(self.cap, 1, br, broker, 49822, 1883,
                                isn_c=self.rng.getrandbits(32), isn_s=self.rng.getrandbits(32),
                                v6=False, ts_c=0x1B2E3000, ts_s=0x77A10000)
        t = c.handshake(t)
        t = c.send(t + 0.0002, "c", mqtt_connect("lowpan-br-01", 10, "lowpan-br", "s3cr3t-demo"),
                   "MQTT 5.0 CONNECT")
        t = c.send(t + 0.0011, "s", mqtt_connack(), ack_delay=0.0004)
        t = c.send(t + 0.001, "c", mqtt_subscribe(1, "commands/lowpan-br-01/#"))
        t = c.send(t + 0.0009, "s", mqtt_suback(1), ack_delay=0.0004)
        return t

    def next_pid(self):
        self.mqtt_pid += 1
        return self.mqtt_pid

    def mqtt_pub_reading(self, t, node, value, qos, alias=None, alias_only=False, comment=None,
                         split=None, **extra):
        topic = "" if alias_only else "sensors/%04x/temp" % node.short
        pid = self.next_pid() if qos else None
        pkt = mqtt_publish(topic, reading_json(node, value, t, **extra), qos=qos, pid=pid, alias=alias)
        c = self.mqtt
        if split:
            c.send(t, "c", pkt[:split], comment or "MQTT PUBLISH split across two TCP segments (1/2)")
            t = c.send(t + 0.00004, "c", pkt[split:], "MQTT PUBLISH continued (2/2)")
        else:
            t = c.send(t, "c", pkt, comment)
        if qos:
            t = c.send(t + 0.0012, "s", mqtt_puback(pid), ack_delay=0.0004)
        else:
            c.segment(t + 0.04, "s", "A")     # delayed ACK from the broker
        return t

    def mqtt_coalesced(self, t, node, value):
        """Two PUBLISH packets in one TCP segment (Nagle / write coalescing)."""
        a = mqtt_publish("", reading_json(node, value, t), qos=0, alias=1)
        b = mqtt_publish("gateway/lowpan-br-01/status",
                         b'{"motes":8,"dodag":"fd00::1","rank":256,"uptime_s":3600}', qos=0)
        t = self.mqtt.send(t, "c", a + b, "two MQTT PUBLISH packets in one TCP segment",
                           ack_delay=0.04)
        return t

    def mqtt_ping(self, t):
        t = self.mqtt.send(t, "c", b"\xc0\x00", "MQTT PINGREQ (keep-alive 10 s idle)")
        return self.mqtt.send(t + 0.0009, "s", b"\xd0\x00", ack_delay=0.0004)

    def mqtt_command(self, t):
        """Broker forwards a command published by the operator."""
        pkt = mqtt_publish("commands/lowpan-br-01/fw",
                           b'{"mote":"0x0003","image":"coap://[fd00::1]/fw/image","size":1536}',
                           qos=1, pid=0x0007)
        t = self.mqtt.send(t, "s", pkt, "command PUBLISH from the broker (QoS 1)")
        return self.mqtt.send(t + 0.0008, "c", mqtt_puback(0x0007, with_reason=True), ack_delay=0.0004)

    def mqtt_end(self, t):
        t = self.mqtt.send(t, "c", b"\xe0\x00", "MQTT DISCONNECT (normal)")
        return self.mqtt.close(t + 0.0003, "c")

    # -- Ethernet: XMPP -------------------------------------------------------------

    XMLNS = ("xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
             "version='1.0'")

    def xmpp_start(self, t):
        br, srv = self.br, self.xmpp_srv
        # Neighbour discovery for the XMPP server (solicited-node multicast).
        ns_ = Ether(src=br.mac, dst="33:33:ff:00:00:05") / \
            IPv6(src="2001:db8::1", dst="ff02::1:ff00:5", hlim=255) / \
            ICMPv6ND_NS(tgt="2001:db8::5") / ICMPv6NDOptSrcLLAddr(lladdr=br.mac)
        na = Ether(src=srv.mac, dst=br.mac) / IPv6(src="2001:db8::5", dst="2001:db8::1", hlim=255) / \
            ICMPv6ND_NA(R=0, S=1, O=1, tgt="2001:db8::5") / ICMPv6NDOptDstLLAddr(lladdr=srv.mac)
        self.cap.add(t, 1, raw(ns_))
        self.cap.add(t + 0.0003, 1, raw(na))
        t += 0.0006
        x = self.xmpp = TcpConn(self.cap, 1, br, srv, 40312, 5222,
                                isn_c=self.rng.getrandbits(32), isn_s=self.rng.getrandbits(32),
                                v6=True, ts_c=0x1B2E3000, ts_s=0x0C0FFEE0,
                                flow_c=0x8A3F1, flow_s=0x2D77C)
        t = x.handshake(t)
        hdr = b"<?xml version='1.0'?>"
        open1 = hdr + ("<stream:stream to='example.org' %s>" % self.XMLNS).encode()
        t = x.send(t + 0.0002, "c", open1, "XMPP stream open")
        feats = hdr + ("<stream:stream from='example.org' id='c2s-4f1a9e' %s>" % self.XMLNS).encode() + \
            (b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
             b"<mechanism>PLAIN</mechanism></mechanisms></stream:features>")
        t = x.send(t + 0.0015, "s", feats)
        # SASL PLAIN: base64("\0gateway\0demo-only-password"). Plain TCP is a
        # lab setup so the stanzas stay readable; real deployments use TLS.
        cred = base64.b64encode(b"\0gateway\0demo-only-password")
        t = x.send(t + 0.0006, "c", b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" +
                   cred + b"</auth>", "SASL PLAIN auth")
        t = x.send(t + 0.0021, "s", b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        t = x.send(t + 0.0005, "c", ("<stream:stream to='example.org' %s>" % self.XMLNS).encode(),
                   "stream restart after SASL")
        t = x.send(t + 0.0012, "s",
                   ("<stream:stream from='example.org' id='c2s-4f1a9f' %s>" % self.XMLNS).encode() +
                   b"<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>")
        t = x.send(t + 0.0005, "c", b"<iq type='set' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                   b"<resource>lowpan-br</resource></bind></iq>")
        t = x.send(t + 0.0011, "s", b"<iq type='result' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                   b"<jid>gateway@example.org/lowpan-br</jid></bind></iq>")
        t = x.send(t + 0.0004, "c", b"<presence/>", ack_delay=0.04)
        return t

    def xmpp_message(self, t, text, n, split=None, comment=None):
        stanza = ("<message to='ops@example.org' from='gateway@example.org/lowpan-br' "
                  "type='chat' id='lsm-%d'><body>%s</body></message>" % (n, text)).encode()
        x = self.xmpp
        if split:
            x.send(t, "c", stanza[:split], comment or "XMPP <message> split across two TCP segments (1/2)")
            return x.send(t + 0.00005, "c", stanza[split:], "XMPP <message> continued (2/2)",
                          ack_delay=0.04)
        return x.send(t, "c", stanza, comment, ack_delay=0.04)

    def xmpp_ping(self, t):
        x = self.xmpp
        t = x.send(t, "s", b"<iq from='example.org' to='gateway@example.org/lowpan-br' id='ping-1' "
                   b"type='get'><ping xmlns='urn:xmpp:ping'/></iq>", "XMPP ping (XEP-0199)")
        return x.send(t + 0.0007, "c", b"<iq from='gateway@example.org/lowpan-br' to='example.org' "
                      b"id='ping-1' type='result'/>", ack_delay=0.04)

    def xmpp_end(self, t):
        x = self.xmpp
        t = x.send(t, "c", b"</stream:stream>", "XMPP stream close")
        t = x.send(t + 0.0009, "s", b"</stream:stream>")
        return x.close(t + 0.0004, "c")

    # -- the whole story ------------------------------------------------------

    def at(self, t, fn, *args, **kw):
        """Defer an Ethernet-side action.  TCP state (seq/ack/TSval) must
        advance in time order, so these run sorted by time after the mesh
        part of the story has fixed when each reading reaches the root."""
        self.actions.append((t, len(self.actions), fn, args, kw))

    def run(self):
        m = self.mesh
        self.actions = []
        self.initial_dios(0.0)
        self.at(0.512, self.mqtt_start)
        t = self.beacon_scan(2.000)
        t = self.join_mote9(t + 0.15)
        t = self.dao_exchange(t + 0.08, 9, "DAO from mote 0x0009 (new), parent 0x0007")
        self.dio(t + 0.35, 9, "first DIO of mote 0x0009 (rank 1024)")
        self.at(3.020, self.xmpp_start)
        t = self.dao_exchange(4.000, 4)
        t = self.dao_exchange(4.600, 8)
        # Trickle DIOs during the rest of the capture.
        for idx, dt in [(1, 9.8), (5, 14.2), (2, 19.7), (8, 21.3), (6, 28.9), (1, 31.1), (7, 34.4)]:
            self.dio(dt, idx)

        t = self.well_known_core(6.000)
        t, v = self.get_temp(7.000, 5)
        self.at(t + 0.012, self.mqtt_pub_reading, m[5], v, qos=0, comment="PUBLISH QoS 0")
        self.at(t + 0.020, self.xmpp_message, "mote 0x0005 temperature %.1f C" % v, 1)
        t, v = self.get_temp(7.500, 5, accept_cbor=True)

        t, seen = self.observe(8.500)
        for i, (ts, value, label) in enumerate(seen):
            tp = ts + 0.011
            if i == 0:
                self.at(tp, self.mqtt_pub_reading, m[6], value, qos=1, alias=1,
                        comment="PUBLISH QoS 1, sets Topic Alias 1")
            elif i == 1:
                self.at(tp, self.mqtt_pub_reading, m[6], value, qos=1, alias=1, alias_only=True,
                        split=22)
                self.at(tp + 0.006, self.xmpp_message, "mote 0x0006 temperature %.1f C" % value, 2)
            elif i == 2:
                self.at(tp, self.mqtt_pub_reading, m[6], value, qos=0, alias=1, alias_only=True,
                        comment="PUBLISH QoS 0 using Topic Alias only")
            elif i == 3:
                self.at(tp, self.mqtt_pub_reading, m[6], value, qos=1, alias=1, alias_only=True)
                self.at(tp + 0.006, self.xmpp_message, "mote 0x0006 temperature %.1f C" % value, 3,
                        split=61)
            elif i == 4:
                self.at(tp, self.mqtt_coalesced, m[6], value)
            else:
                self.at(tp, self.mqtt_pub_reading, m[6], value, qos=1, alias=1, alias_only=True)
        self.at(21.250, self.xmpp_ping)

        # MQTT keep-alive is 10 s: after the last publish the client goes idle
        # and has to ping; then the broker relays an operator command that
        # starts the firmware update of mote 3.
        last_pub = seen[-1][0] + 0.011
        self.at(last_pub + 10.0, self.mqtt_ping)
        t_cmd = last_pub + 11.2
        self.at(t_cmd, self.mqtt_command)
        t, size = self.firmware(t_cmd + 0.02)
        self.at(t + 0.01, self.mqtt_pub_reading, m[3], self.temps.get(3, 21.2), qos=1,
                comment="PUBLISH QoS 1 after the firmware update", fw='"1.2.0"')
        self.at(t + 0.02, self.xmpp_message,
                "mote 0x0003 firmware updated (%d bytes, %d blocks)" % (size, size // 64), 4)
        self.dio(t + 0.4, 3)
        self.at(t + 1.5, self.mqtt_end)
        self.at(t + 1.7, self.xmpp_end)

        for t_act, _, fn, args, kw in sorted(self.actions, key=lambda a: (a[0], a[1])):
            fn(t_act, *args, **kw)
        return self.cap


# --------------------------------------------------------------------------
# sixlowpan-frag.pcap
# --------------------------------------------------------------------------

def build_sixlowpan_frag():
    """Fragmentation corner cases, no MAC ACKs, 5 datagrams:
      A  in order, 3 fragments (FRAG1, FRAGN, FRAGN)
      B  out of order: FRAGN(2), FRAGN(3), FRAG1
      C  never completed: FRAG1 and the second FRAGN, the middle one missing
      D  two senders use the same datagram tag at the same time, interleaved
      E  uncompressed IPv6 (LOWPAN_IPV6 dispatch 0x41) in 2 fragments."""
    rng = random.Random(0x6F4A)
    cap = Capture()
    mesh = Mesh(cap, rng)
    root, m2, m4, m5 = mesh[1], mesh[2], mesh[4], mesh[5]
    t = 1.0

    def datagram(src, dst, size, mid):
        body = bytes((i * 7 + mid) & 0xFF for i in range(size))
        msg = coap(NON, POST, mid, b"\x5a", uri_path("log") + [("Content-Format", uint_opt(CF_OCTET))], body)
        return ipv6_packet(src.gua, dst.gua, udp(COAP_PORT, COAP_PORT, msg))

    def frags(tx, rx, pkt, tag, uncompressed=False):
        mac_src, mac_dst = ("short", tx.short), ("short", rx.short)
        if uncompressed:
            hc, hu, rest = lowpan_uncompressed(pkt)
        else:
            hc, hu, rest = lowpan_compress(pkt, mac_src, mac_dst)
        return lowpan_fragments(hc, hu, rest, tag, 127 - mac_header_len(2, 2, True) - 2)

    def send(tx, rx, payload, comment=None):
        nonlocal t
        t += 0.004 + rng.random() * 0.002
        cap.add(t, 0, mac_data(tx.next_seq("dsn"), tx, rx, payload), comment)

    a = frags(m2, root, datagram(m2, root, 180, 0x100), 0x0A01)
    assert len(a) == 3
    for i, f in enumerate(a):
        send(m2, root, f, "A: in order, fragment %d/3" % (i + 1))
    t += 0.5
    b = frags(m2, root, datagram(m2, root, 200, 0x101), 0x0A02)
    assert len(b) == 3
    for i in (1, 2, 0):
        send(m2, root, b[i], "B: out of order, fragment %d/3" % (i + 1))
    t += 0.5
    c = frags(m4, root, datagram(m4, root, 190, 0x102), 0x0B10)
    assert len(c) == 3
    send(m4, root, c[0], "C: fragment 1/3; fragment 2/3 is never sent")
    send(m4, root, c[2], "C: fragment 3/3; datagram never completes")
    t += 0.5
    d4 = frags(m4, root, datagram(m4, root, 120, 0x103), 0x0077)
    d5 = frags(m5, root, datagram(m5, root, 130, 0x104), 0x0077)
    send(m4, root, d4[0], "D: mote 0x0004, tag 0x0077, fragment 1/2")
    send(m5, root, d5[0], "D: mote 0x0005, same tag 0x0077, fragment 1/2")
    send(m5, root, d5[1], "D: mote 0x0005, fragment 2/2")
    send(m4, root, d4[1], "D: mote 0x0004, fragment 2/2")
    t += 0.5
    e = frags(m2, root, datagram(m2, root, 100, 0x105), 0x0A03, uncompressed=True)
    assert len(e) == 2
    for i, f in enumerate(e):
        send(m2, root, f, "E: uncompressed IPv6 (dispatch 0x41), fragment %d/2" % (i + 1))
    return cap


# --------------------------------------------------------------------------
# ip-basics.pcap
# --------------------------------------------------------------------------

def build_ip_basics():
    cap = Capture()
    A = ("02:00:00:00:00:0a", "198.51.100.10", "2001:db8:100::a")
    B = ("02:00:00:00:00:0b", "198.51.100.20", "2001:db8:100::b")
    t = [0.0]

    def add(frame, comment=None):
        t[0] += 0.010
        data = raw(frame)
        if len(data) < 60:
            data += bytes(60 - len(data))   # Ethernet minimum frame (no FCS captured)
        cap.add(t[0], 1, data, comment)

    def e(src, dst):
        return Ether(src=src[0], dst=dst[0])

    # ARP
    add(Ether(src=A[0], dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=A[0], psrc=A[1], pdst=B[1]))
    add(e(B, A) / ARP(op=2, hwsrc=B[0], psrc=B[1], hwdst=A[0], pdst=A[1]))
    # IPv4 with options: Record Route + Router Alert, carrying UDP.
    add(e(A, B) / IP(src=A[1], dst=B[1], id=0x1001, ttl=64,
                     options=[IPOption_RR(routers=["0.0.0.0"] * 3), IPOption_Router_Alert()]) /
        UDP(sport=40000, dport=9) / Raw(b"ipv4 options"), "IPv4 with Record Route + Router Alert options")
    # ICMP echo
    add(e(A, B) / IP(src=A[1], dst=B[1], id=0x1002, ttl=64) / ICMP(type=8, id=0x4c53, seq=1) /
        Raw(b"lowshark-ping-0001"))
    add(e(B, A) / IP(src=B[1], dst=A[1], id=0x2001, ttl=64) / ICMP(type=0, id=0x4c53, seq=1) /
        Raw(b"lowshark-ping-0001"))
    # IPv4 fragments: a 1800-byte ICMP echo split at 1480-byte MTU payload.
    big = IP(src=A[1], dst=B[1], id=0x1003, ttl=64) / ICMP(type=8, id=0x4c53, seq=2) / \
        Raw(bytes(range(256)) * 7 + bytes(8))
    for i, f in enumerate(fragment(big, fragsize=1480)):
        add(e(A, B) / f, "IPv4 fragment %d/2 (id 0x1003)" % (i + 1))
    # UDP: DNS query and answer.
    add(e(A, B) / IP(src=A[1], dst=B[1], id=0x1004, ttl=64) / UDP(sport=53535, dport=53) /
        DNS(id=0x1d2e, rd=1, qd=DNSQR(qname="broker.example.org", qtype="A")))
    add(e(B, A) / IP(src=B[1], dst=A[1], id=0x2002, ttl=64) / UDP(sport=53, dport=53535) /
        DNS(id=0x1d2e, qr=1, rd=1, ra=1, qd=DNSQR(qname="broker.example.org", qtype="A"),
            an=DNSRR(rrname="broker.example.org", type="A", ttl=300, rdata="192.0.2.10")))
    # TCP handshake with MSS/SACK/timestamps/window scale, 1 data segment, FIN.
    cs, ss = 0x1A2B3C4D, 0x5E6F7081

    def tcp(src, dst, sport, dport, seq, ack, flags, opts, payload=b"", ipid=0):
        p = e(src, dst) / IP(src=src[1], dst=dst[1], id=ipid, ttl=64, flags="DF") / \
            TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags,
                window={"S": 64240, "SA": 65160}.get(flags, 502 if sport != 80 else 128),
                options=opts)
        return p / Raw(payload) if payload else p
    syn_opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1000, 0)), ("NOP", None), ("WScale", 7)]
    add(tcp(A, B, 45000, 80, cs, 0, "S", syn_opts, ipid=0x1005), "TCP SYN: MSS, SACK_PERM, TS, WS=7")
    add(tcp(B, A, 80, 45000, ss, cs + 1, "SA",
            [("MSS", 1400), ("SAckOK", b""), ("Timestamp", (5000, 1000)), ("NOP", None), ("WScale", 9)],
            ipid=0), "TCP SYN/ACK: MSS 1400, WS=9")
    ts = lambda a, b: [("NOP", None), ("NOP", None), ("Timestamp", (a, b))]  # noqa: E731
    req = b"GET / HTTP/1.1\r\nHost: 198.51.100.20\r\n\r\n"
    add(tcp(A, B, 45000, 80, cs + 1, ss + 1, "A", ts(1001, 5000), ipid=0x1006))
    add(tcp(A, B, 45000, 80, cs + 1, ss + 1, "PA", ts(1002, 5000), req, ipid=0x1007))
    add(tcp(B, A, 80, 45000, ss + 1, cs + 1 + len(req), "A", ts(5001, 1002), ipid=0x2003))
    add(tcp(A, B, 45000, 80, cs + 1 + len(req), ss + 1, "FA", ts(1003, 5001), ipid=0x1008))
    add(tcp(B, A, 80, 45000, ss + 1, cs + 2 + len(req), "FA", ts(5002, 1003), ipid=0x2004))
    add(tcp(A, B, 45000, 80, cs + 2 + len(req), ss + 2, "A", ts(1004, 5002), ipid=0x1009))
    # IPv6 with a Hop-by-Hop header (Router Alert): MLDv2 report.
    add(Ether(src=A[0], dst="33:33:00:00:00:16") /
        IPv6(src="fe80::a", dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()]) /
        ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::fb")]),
        "IPv6 Hop-by-Hop (Router Alert) + MLDv2 report")
    # ICMPv6 echo
    add(e(A, B) / IPv6(src=A[2], dst=B[2], hlim=64) / ICMPv6EchoRequest(id=0x4c53, seq=1, data=b"lowshark6"))
    add(e(B, A) / IPv6(src=B[2], dst=A[2], hlim=64) / ICMPv6EchoReply(id=0x4c53, seq=1, data=b"lowshark6"))
    # VLAN-tagged UDP datagram (802.1Q VID 100, PCP 5).
    add(e(A, B) / Dot1Q(vlan=100, prio=5) / IP(src=A[1], dst=B[1], id=0x100A, ttl=64) /
        UDP(sport=5683, dport=5683) / Raw(b"\x50\x01\x12\x34"), "802.1Q VLAN 100, priority 5")
    # UDP datagram whose checksum is deliberately wrong.
    good = IP(raw(IP(src=A[1], dst=B[1], id=0x100B, ttl=64) / UDP(sport=40001, dport=7) / Raw(b"checksum")))
    good[UDP].chksum ^= 0x5A5A
    add(e(A, B) / good, "UDP checksum deliberately wrong")
    return cap


# --------------------------------------------------------------------------

def main():
    demo = Demo().run()
    write_pcapng(os.path.join(HERE, "demo.pcapng"), demo,
                 [(LINKTYPE_IEEE802_15_4_WITHFCS, "wpan0",
                   "IEEE 802.15.4 channel %d, PAN 0x%04x, 6LoWPAN/RPL mesh" % (CHANNEL, PAN_ID)),
                  (LINKTYPE_ETHERNET, "eth0", "border router uplink (MQTT 5.0 + XMPP)")],
                 "lowshark demo fixture: 6LoWPAN/RPL/CoAP mesh + MQTT/XMPP uplink; "
                 "6LoWPAN context 0 = fd00::/64")
    write_pcap(os.path.join(HERE, "sixlowpan-frag.pcap"), LINKTYPE_IEEE802_15_4_WITHFCS,
               build_sixlowpan_frag())
    write_pcap(os.path.join(HERE, "ip-basics.pcap"), LINKTYPE_ETHERNET, build_ip_basics())
    counts = {}
    for f in demo.frames:
        counts[f[2]] = counts.get(f[2], 0) + 1
    print("demo.pcapng: %d frames (wpan0 %d, eth0 %d)" %
          (len(demo.frames), counts.get(0, 0), counts.get(1, 0)), file=sys.stderr)


if __name__ == "__main__":
    main()
