#!/usr/bin/env bash
# Generates the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (not committed).
#
#   fuzz/seed.sh                 # from captures/*.pcap* and /work/shared/captures/public
#   CAPTURE_DIRS="a b" fuzz/seed.sh
#
# dissect_link   real frames in the frame encoding of fuzz/src/lib.rs: one seed per run of up to
#                4 consecutive frames of a capture whose link type the target knows
# pcap_reader    small pcap files whole, bigger ones cut at 4 KiB (cut files are seeds too)
# pcapng_reader  the same for pcapng
# reassembly     a few hand-made add sequences (complete, overlapping, conflicting, flooding)
# decode_as      valid and nearly valid decode-as rules
#
# A new target gets seeds by adding a function below, or none (libFuzzer starts from empty).
# Needs python3 (standard library only). Seeds are capped (MAX_SEEDS per target) so the
# corpora stay small.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${CORPUS_DIR:-$here/corpus}"
dirs="${CAPTURE_DIRS:-$root/captures /work/shared/captures/public}"
command -v python3 >/dev/null || { echo "seed.sh: python3 not found, no seeds generated"; exit 0; }
mkdir -p "$out"
python3 - "$out" $dirs <<'PY'
import hashlib, os, struct, sys

out, dirs = sys.argv[1], sys.argv[2:]
LINK_TYPES = [0, 1, 101, 113, 195, 228, 229, 230, 276, 283]  # = LINK_TYPES in fuzz/src/lib.rs
MAX_SEEDS = int(os.environ.get("MAX_SEEDS", "600"))
RUN = 4
counts = {}

def put(target, data):
    if counts.get(target, 0) >= MAX_SEEDS:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    p = os.path.join(d, name)
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1

def pcap_frames(b):
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"): e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"): e = ">"
    else: return None
    lt = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
    off, frames = 24, []
    while off + 16 <= len(b):
        incl = struct.unpack(e + "I", b[off + 8:off + 12])[0]
        frames.append((lt, b[off + 16:off + 16 + incl]))
        off += 16 + incl
    return frames

def pcapng_frames(b):
    if b[:4] != b"\x0a\x0d\x0d\x0a" or len(b) < 12: return None
    off, e, ifaces, frames = 0, "<", [], []
    while off + 12 <= len(b):
        if b[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            e = "<" if b[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        kind, blen = struct.unpack(e + "II", b[off:off + 8])
        if blen < 12 or off + blen > len(b): break
        body = b[off + 8:off + blen - 4]
        if kind == 1 and len(body) >= 8: ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif kind == 6 and len(body) >= 20:
            iid, _, _, cap = struct.unpack(e + "IIII", body[:16])
            if iid < len(ifaces): frames.append((ifaces[iid], body[20:20 + cap]))
        elif kind == 3 and len(body) >= 4 and ifaces:
            frames.append((ifaces[0], body[4:]))
        off += blen
    return frames

def encode(lt, frames):
    v = bytes([LINK_TYPES.index(lt)])
    for f in frames:
        f = f[:0xFFFF]
        v += struct.pack("<HB", len(f), 1) + f
    return v

files = []
for d in dirs:
    if not os.path.isdir(d): continue
    for dp, _, fs in os.walk(d):
        files += [os.path.join(dp, f) for f in fs if ".pcap" in f]
files.sort()
# Interleave the capture files so the per-target cap keeps variety.
per_file = []
for path in files:
    b = open(path, "rb").read()
    ng = b[:4] == b"\x0a\x0d\x0d\x0a"
    target = "pcapng_reader" if ng else "pcap_reader"
    put(target, b if len(b) <= 64 * 1024 else b[:4096])
    if len(b) > 64:
        put(target, b[:len(b) // 2])
    frames = (pcapng_frames if ng else pcap_frames)(b) or []
    runs, cur = [], []
    for lt, f in frames:
        if lt not in LINK_TYPES: continue
        if cur and (cur[0][0] != lt or len(cur) == RUN):
            runs.append(cur); cur = []
        cur.append((lt, f))
    if cur: runs.append(cur)
    per_file.append(runs)
i = 0
while any(i < len(r) for r in per_file):
    for runs in per_file:
        if i < len(runs):
            put("dissect_link", encode(runs[i][0][0], [f for _, f in runs[i]]))
    i += 1

# gateway: payloads of the uplink protocols found in Ethernet frames, behind the selector byte
# fuzz_targets/gateway.rs reads (UDP ports 53, 5353, 67/68, 546/547, 123, and ARP bodies).
GATEWAY_PORTS = {53: 0, 5353: 2, 67: 3, 68: 3, 546: 4, 547: 4, 123: 5}
def udp_of(f):
    if len(f) < 14: return None
    et = struct.unpack(">H", f[12:14])[0]
    if et == 0x0806: return (6, f[14:])
    if et == 0x0800 and len(f) >= 34 and f[23] == 17:
        ihl = (f[14] & 15) * 4; u = f[14 + ihl:]
    elif et == 0x86DD and len(f) >= 62 and f[20] == 17:
        u = f[54:]
    else: return None
    if len(u) < 8: return None
    sp, dp = struct.unpack(">HH", u[:4])
    sel = GATEWAY_PORTS.get(min(sp, dp), GATEWAY_PORTS.get(max(sp, dp)))
    return None if sel is None else (sel, u[8:])
for runs in per_file:
    for run in runs:
        for lt, f in run:
            if lt != 1: continue
            g = udp_of(f)
            if g: put("gateway", bytes([g[0]]) + g[1])

def op(key, step, offset, data, last):
    flags = 2 | (1 if last else 0)
    return struct.pack("<BBHBB", key, step, offset, len(data), flags) + data
lim = bytes([3, 63, 100, 127])  # 4 datagrams, 256 bytes, 100 ticks, 1024-byte datagrams
put("reassembly", lim + op(1, 0, 8, b"B" * 8, True) + op(1, 1, 0, b"A" * 8, False))
put("reassembly", lim + op(1, 0, 0, b"A" * 8, False) + op(1, 0, 4, b"XXXX", False))
put("reassembly", lim + b"".join(op(k, 1, 0, b"Z" * 200, False) for k in range(8)))
put("reassembly", lim + op(2, 0, 1000, b"Q" * 30, True) + op(2, 200, 0, b"q", False))

for rule in ["udp.port==5683,data", "tcp.port==1883-1890,data", "udp.port==0x1633,udp",
             "ip.proto==17,udp", "ethertype==0x86dd,ipv6", "link_type==195,wpan",
             "udp.port==1,nosuch", "udp.port==9-8,data", "udp.port==0-65535,data",
             "udp.port==5683,data\ntcp.port==80,tcp"]:
    put("decode_as", rule.encode())
for t in sorted(counts): print(f"seed.sh: {counts[t]:4d} new seeds for {t}")
PY
du -sh "$out"
