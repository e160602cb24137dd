#!/usr/bin/env bash
# CI smoke run of the fuzz targets: builds them and runs each for a short time
# (SMOKE_SECONDS, default 20) from the seed corpora. Exits non-zero when a target
# crashes (the crashing input is left in fuzz/artifacts/<target>/) or fails to build.
#
#   fuzz/smoke.sh                   # every target listed by `cargo fuzz list`
#   fuzz/smoke.sh dissect_link      # only these
#   SMOKE_SECONDS=60 fuzz/smoke.sh
#
# Needs cargo-fuzz; installs it when missing and skips (exit 0, with the reason
# printed) when that is impossible (offline, no C++ compiler for libFuzzer).
# Only the stable toolchain is assumed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass
# the nightly-only flags (-Zsanitizer=address, -Cpasses=sancov-module) to stable rustc.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
secs="${SMOKE_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1

skip() { echo "fuzz smoke: SKIPPED: $*"; exit 0; }

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz smoke: cargo-fuzz missing, installing it (cargo install cargo-fuzz)"
    cargo install --locked cargo-fuzz >/tmp/cargo-fuzz-install.log 2>&1 \
        || skip "cargo-fuzz cannot be installed (see /tmp/cargo-fuzz-install.log)"
fi
command -v c++ >/dev/null 2>&1 || command -v clang++ >/dev/null 2>&1 \
    || skip "no C++ compiler to build libFuzzer"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz smoke: no targets"; exit 1; }

# Seeds: generated from the captures (fast; missing captures just mean fewer seeds).
./seed.sh >/dev/null || echo "fuzz smoke: seed.sh failed, fuzzing from empty corpora"

# -a: debug assertions and overflow checks, so arithmetic overflow is a crash.
echo "fuzz smoke: building ${#targets[@]} targets"
build_log="$(mktemp)"
if ! cargo fuzz build -a >"$build_log" 2>&1; then
    tail -30 "$build_log"
    echo "fuzz smoke: FAILED: the fuzz targets do not build"
    exit 1
fi

failed=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log="$(mktemp)"
    # The corpus dir is a copy so a smoke run never grows the seed set.
    work="$(mktemp -d)"
    cp -r "corpus/$t/." "$work/" 2>/dev/null || true
    if cargo fuzz run -a "$t" "$work" -- -max_total_time="$secs" -rss_limit_mb=1024 \
        -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')"
        echo "fuzz smoke: $t ok (${execs:-?} executions in ${secs}s)"
    else
        echo "fuzz smoke: $t CRASHED:"
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -20
        failed+=("$t")
    fi
    rm -rf "$work" "$log"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz smoke: FAILED: ${failed[*]} (inputs in fuzz/artifacts/; reproduce with"
    echo "  RUSTC_BOOTSTRAP=1 cargo fuzz run -a TARGET fuzz/artifacts/TARGET/crash-...)"
    exit 1
fi
echo "fuzz smoke: all ${#targets[@]} targets ok"
