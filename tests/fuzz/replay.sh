#!/bin/sh
# SPDX-License-Identifier: MIT
# replay.sh — every seed corpus file (tests/fuzz/corpus/*/) and every regression
# input (tests/fuzz/regressions/*/) through every fuzz target, as plain tests: no
# libFuzzer, no clang, each file in its own process (tests/fuzz/replay.c).
#
#   tests/fuzz/replay.sh              build with `make fuzz-replay-build`, then run
#   tests/fuzz/replay.sh --no-build   run what build/fuzz/replay-* holds
#
# FUZZ_REPLAY_DIR names another build directory (default build/fuzz), e.g. for
# drivers built with sanitizers:
#   make fuzz-replay-build FUZZ_DIR=build/san-fuzz CFLAGS='-g -fsanitize=address,undefined'
#   FUZZ_REPLAY_DIR=build/san-fuzz tests/fuzz/replay.sh --no-build
#
# Prints one TAP line per target (with a "# crashed: FILE (signal)" line per
# failing file, and the target's own report on standard error), then a closing
# "N passed, N failed" counting (target, file) runs. Exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2

targets=
for f in tests/fuzz/fuzz_*.c; do
    t=${f#tests/fuzz/fuzz_}
    targets="$targets ${t%.c}"
done

dir=${FUZZ_REPLAY_DIR:-build/fuzz}
if [ "${1:-}" != --no-build ]; then
    log=$(mktemp)
    if ! "${MAKE:-make}" -s fuzz-replay-build FUZZ_DIR="$dir" >"$log" 2>&1; then
        tail -n 40 "$log"
        rm -f "$log"
        echo "not ok - fuzz replay: build failed"
        echo "0 passed, 1 failed"
        exit 1
    fi
    rm -f "$log"
fi

dirs=
for d in tests/fuzz/corpus/*/ tests/fuzz/regressions/*/; do
    [ -d "$d" ] && dirs="$dirs ${d%/}"
done

passed=0
failed=0
for t in $targets; do
    bin=$dir/replay-$t
    if [ ! -x "$bin" ]; then
        echo "not ok - fuzz/$t: $bin not built"
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2086 # $dirs is a list of paths without spaces
    out=$("$bin" "fuzz/$t" $dirs)
    rc=$?
    printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then
        echo "not ok - fuzz/$t: the replay driver died (exit $rc)"
        failed=$((failed + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#* passed, }
    f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - fuzz/$t: exit $rc without a failed file"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
