#!/usr/bin/env python3
"""Writes a large pcapng for throughput benchmarks by repeating the frames of the project's
captures with increasing timestamps.

usage: benches/make_capture.py N OUT.pcapng [--mix eth|wpan|all]

Mixes (what long sensor-network runs look like on each side of a border router):
  eth   the Ethernet uplink: IPv4/IPv6, UDP, TCP, CoAP, MQTT, XMPP, ARP, DNS
        (the Ethernet frames of captures/demo.pcapng and captures/ip-basics.pcap)
  wpan  the radio side: IEEE 802.15.4 with 6LoWPAN, RPL, CoAP, fragments, acks
        (the 802.15.4 frames of captures/demo.pcapng)
  all   both, interleaved as in the demo capture (the default)

Only the frames' timestamps change, so TCP streams repeat their sequence numbers: dissectors
see retransmissions after the first round, as they would in a capture that loops.
"""
import argparse
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKTYPE_ETHERNET = 1


def read_pcap(data):
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link_type = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append((link_type, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return frames


def read_pcapng(data):
    off, ifaces, frames = 0, [], []
    while off + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        if btype == 1:
            ifaces.append(struct.unpack("<H", data[off + 8:off + 10])[0])
        elif btype == 6:
            iface, _, _, caplen, _ = struct.unpack("<IIIII", data[off + 8:off + 28])
            frames.append((ifaces[iface], data[off + 28:off + 28 + caplen]))
        off += blen
    return frames


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def frames_of(mix):
    frames = read_pcapng((ROOT / "captures/demo.pcapng").read_bytes())
    frames += read_pcap((ROOT / "captures/ip-basics.pcap").read_bytes())
    if mix == "eth":
        return [f for f in frames if f[0] == LINKTYPE_ETHERNET]
    if mix == "wpan":
        return [f for f in frames if f[0] != LINKTYPE_ETHERNET]
    return frames


def main():
    p = argparse.ArgumentParser(description="Repeat the project's frames into a large pcapng.")
    p.add_argument("count", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--mix", choices=["eth", "wpan", "all"], default="all")
    a = p.parse_args()
    count, out, mix = a.count, a.out, a.mix
    frames = frames_of(mix)
    link_types = sorted({lt for lt, _ in frames})
    iface_of = {lt: i for i, lt in enumerate(link_types)}
    with out.open("wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for lt in link_types:
            # if_tsresol = 9 (nanoseconds), then end of options.
            f.write(block(1, struct.pack("<HHI", lt, 0, 262144) + struct.pack("<HHB3x", 9, 1, 9) + b"\0\0\0\0"))
        ts = 1_768_471_200_000_000_000
        for i in range(count):
            lt, data = frames[i % len(frames)]
            ts += 1_000_000
            body = struct.pack("<IIIII", iface_of[lt], ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data
            f.write(block(6, body))


if __name__ == "__main__":
    main()
