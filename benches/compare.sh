#!/usr/bin/env bash
# End-to-end throughput of lowshark against tshark on the same capture, in one hyperfine run.
#   benches/compare.sh [PACKETS]      (default 1000000)
# Needs hyperfine and tshark (Debian packages). Prints hyperfine's table; the ratio of the two
# means is the number to report.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
cap="${TMPDIR:-/tmp}/lowshark-bench-$n.pcapng"
[ -f "$cap" ] || python3 benches/make_capture.py "$n" "$cap"
cargo build --release --quiet
export TZ=UTC
for fmt in json fields; do
    extra=""
    [ "$fmt" = fields ] && extra="-e frame.number -e ipv6.src -e udp.dstport"
    hyperfine --warmup 1 --runs "${RUNS:-3}" --export-markdown "${TMPDIR:-/tmp}/lowshark-bench-$fmt.md" \
        -n "lowshark -T $fmt" "target/release/lowshark -r $cap -T $fmt $extra > /dev/null" \
        -n "tshark -T $fmt" "tshark -r $cap -T $fmt $extra > /dev/null"
done
hyperfine --warmup 1 --runs "${RUNS:-3}" \
    -n "lowshark summary" "target/release/lowshark -r $cap > /dev/null" \
    -n "tshark summary" "tshark -r $cap > /dev/null"
