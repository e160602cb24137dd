#!/usr/bin/env python3
"""lowshark against tshark, on the same files, in the same run.

usage: benches/bench.py [--sizes 100000,1000000] [--mixes eth,wpan] [--runs 3]
                        [--jobs json,summary,fields,filter] [--tshark-max 1000000]
                        [--memory-size 10000000] [--cpu] [--out BENCHMARKS-run.md]

For every mix and size it generates a capture (benches/make_capture.py, cached in $TMPDIR),
then times each job with lowshark and with tshark in turn (A B A B ..., so a drift of the
machine's speed hits both), and prints one Markdown table: median wall time of each tool,
packets per second, the ratio tshark/lowshark, and each tool's peak resident memory.
--cpu adds each tool's median CPU seconds (user + system) and their ratio: on a loaded machine
wall times stretch with the other jobs, CPU seconds much less. The load average is printed
with the table.
tshark runs only up to --tshark-max packets (its JSON of 10M packets takes about 15 minutes).

--memory-size N also runs every streaming output of lowshark once on an N-packet capture and
reports its peak memory next to the 100k one: flat means it does not grow with the capture.

Needs tshark (Debian package) and a release build (`cargo build --release`). Quote medians:
machines are noisy.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOWSHARK = ROOT / "target/release/lowshark"
TMP = Path(os.environ.get("TMPDIR", "/tmp"))

JOBS = {
    "json": ["-T", "json"],
    "summary": [],
    "fields": ["-T", "fields", "-e", "frame.number", "-e", "ipv6.src"],
    "filter": ["-Y", "udp.port == 5683 && ipv6", "-T", "fields", "-e", "frame.number", "-e", "coap.mid"],
    "ek": ["-T", "ek"],
    "detail": ["-V"],
}


def capture(mix, size):
    path = TMP / f"lowshark-bench-{mix}-{size}.pcapng"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "benches/make_capture.py"), str(size), str(path), "--mix", mix], check=True)
    return path


def run_once(cmd):
    """Wall seconds, peak resident memory (MiB) and CPU seconds (user + system) of one run,
    output discarded."""
    env = dict(os.environ, TZ="UTC")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with status {status}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def paired(ours, theirs, runs):
    a, b = [], []
    for _ in range(runs):
        a.append(run_once(ours))
        if theirs:
            b.append(run_once(theirs))
    return a, b


def median(xs, i):
    return statistics.median(x[i] for x in xs) if xs else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--mixes", default="eth,wpan")
    p.add_argument("--jobs", default="json,summary,fields,filter")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tshark-max", type=int, default=1_000_000)
    p.add_argument("--memory-size", type=int, default=0)
    p.add_argument("--cpu", action="store_true", help="also report CPU seconds and their ratio")
    p.add_argument("--out")
    a = p.parse_args()
    if not LOWSHARK.exists():
        raise SystemExit("build first: cargo build --release")
    cpu_head = " lowshark CPU s | tshark CPU s | CPU ratio |" if a.cpu else ""
    lines = [
        "| mix | packets | job | lowshark s | tshark s | lowshark pkt/s | ratio | lowshark MiB | tshark MiB |" + cpu_head,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|" + ("---:|" * 3 if a.cpu else ""),
    ]
    for mix in a.mixes.split(","):
        for size in map(int, a.sizes.split(",")):
            path = capture(mix, size)
            for job in a.jobs.split(","):
                ours = [str(LOWSHARK), "-r", str(path)] + JOBS[job]
                theirs = ["tshark", "-r", str(path)] + JOBS[job] if size <= a.tshark_max else None
                ra, rb = paired(ours, theirs, a.runs)
                la, lb = median(ra, 0), median(rb, 0)
                ratio = f"{lb / la:.1f}x" if lb else "-"
                tb = f"{lb:.2f}" if lb else "-"
                mb = f"{median(rb, 1):.0f}" if lb else "-"
                row = f"| {mix} | {size:,} | {job} | {la:.2f} | {tb} | {size / la:,.0f} | {ratio} | {median(ra, 1):.0f} | {mb} |"
                if a.cpu:
                    ca, cb = median(ra, 2), median(rb, 2)
                    row += f" {ca:.2f} | {cb:.2f} | {cb / ca:.1f}x |" if cb else f" {ca:.2f} | - | - |"
                lines.append(row)
                print(lines[-1], flush=True)
    if a.memory_size:
        lines += ["", "| streaming output | peak MiB, 100k | peak MiB, %s |" % f"{a.memory_size:,}", "|---|---:|---:|"]
        big, small = capture("all", a.memory_size), capture("all", 100_000)
        for job in ["summary", "json", "ek", "fields", "filter", "detail"]:
            s = run_once([str(LOWSHARK), "-r", str(small)] + JOBS[job])[1]
            b = run_once([str(LOWSHARK), "-r", str(big)] + JOBS[job])[1]
            lines.append(f"| {job} | {s:.1f} | {b:.1f} |")
            print(lines[-1], flush=True)
    lines += ["", "load average at the end: %.1f %.1f %.1f" % os.getloadavg()]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if a.out:
        Path(a.out).write_text(text)


if __name__ == "__main__":
    main()
