#!/usr/bin/env bash
# The TUI at scale: opens an N-packet capture in the real TUI inside tmux and prints
#   first screen   launch -> the first row is on screen
#   End            launch -> End pressed at the first screen -> the last row is on screen
#   loaded         launch -> "loading…" gone (the first pass has dissected every frame)
#   filter         Enter on the filter -> the filtered list is on screen
#   RSS            VmHWM / VmRSS of the TUI at the end, and per packet
# next to tshark's time to print the same file's summaries.
#
# usage: benches/tui.sh [N ...]            (default: 1000000; e.g. `benches/tui.sh 1000000 10000000`)
#   FILTER='coap.mid == 12960' the display filter timed
#   MIX=all                    benches/make_capture.py mix
#   TSHARK=0                   skip tshark (its 10M run takes over a minute)
# Needs tmux, python3, a release build (cargo build --release) and, for the comparison, tshark.
# Captures are cached in $TMPDIR as lowshark-bench-MIX-N.pcapng (the same names as bench.py).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/target/release/lowshark"
TMP="${TMPDIR:-/tmp}"
MIX="${MIX:-all}"
FILTER="${FILTER:-coap.mid == 12960}"
SOCK="lowshark-tui-bench-$$"
[ -x "$BIN" ] || { echo "no release build: cargo build --release" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 1; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# CPU seconds (user + system) the TUI has used: on a busy machine wall times mislead.
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
screen() { tmux -L "$SOCK" capture-pane -p -t b 2>/dev/null || true; }
# wait_for REGEX [TIMEOUT_S]: polls the screen every 20 ms until it matches.
wait_for() {
    local deadline=$(( $(date +%s) + ${2:-600} ))
    until screen | grep -qE -- "$1"; do
        if [ "$(date +%s)" -gt "$deadline" ]; then
            echo "timed out waiting for /$1/; screen:" >&2; screen >&2; return 1
        fi
        sleep 0.02
    done
}
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; }
trap cleanup EXIT

bench() {
    local n=$1 cap="$TMP/lowshark-bench-$MIX-$1.pcapng"
    [ -f "$cap" ] || python3 "$ROOT/benches/make_capture.py" "$n" "$cap" --mix "$MIX"
    local tshark_s="-"
    if [ "${TSHARK:-1}" != 0 ] && command -v tshark >/dev/null; then
        local t0; t0=$(now)
        tshark -r "$cap" >/dev/null 2>&1
        tshark_s=$(since "$t0")
    fi
    local t0; t0=$(now)
    tmux -L "$SOCK" new-session -d -s b -x 200 -y 50 "$BIN $cap"
    local pid; pid=$(tmux -L "$SOCK" list-panes -t b -F '#{pane_pid}')
    wait_for '^[│┃] *1 +[0-9]'
    local first; first=$(since "$t0")
    tmux -L "$SOCK" send-keys -t b End
    wait_for "^[│┃] *$n +[0-9]"
    local end; end=$(since "$t0")
    until ! screen | grep -q 'loading…'; do sleep 0.05; done
    local loaded; loaded=$(since "$t0")
    local cpu_loaded; cpu_loaded=$(cpu "$pid")
    tmux -L "$SOCK" send-keys -t b / C-u "$FILTER"
    wait_for "Filter: $FILTER"
    local t1; t1=$(now)
    tmux -L "$SOCK" send-keys -t b Enter
    sleep 0.05
    until screen | grep -q 'Displayed' && ! screen | grep -q 'filtering…'; do sleep 0.02; done
    local filt; filt=$(since "$t1")
    local cpu_filt; cpu_filt=$(awk -v a="$cpu_loaded" -v b="$(cpu "$pid")" 'BEGIN { printf "%.2f", b - a }')
    local shown; shown=$(screen | grep -oE 'Displayed: [0-9]+' | head -1)
    local hwm rss
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    tmux -L "$SOCK" send-keys -t b q
    printf '| %9d | %8.3f s | %8.3f s | %8.3f s (CPU %s s) | %8.3f s (CPU %s s, %s) | %6d MiB / %6d MiB | %5d B | %s s |\n' \
        "$n" "$first" "$end" "$loaded" "$cpu_loaded" "$filt" "$cpu_filt" "$shown" $((hwm / 1024)) $((rss / 1024)) \
        $((hwm * 1024 / n)) "$tshark_s"
    cleanup
}

echo "| packets | first screen | End: last row | loaded (first pass) | filter \`$FILTER\` | RSS peak / end | peak per packet | tshark summaries |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${@:-1000000}"; do
    bench "$n"
done
