#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The suites against the ASan+UBSan build (`make sanitize` builds it with
# mk/sanitize.mk, then runs this): the unit tests of SAN_DIR/tests/unit, the
# CGI-level bats suites (cli, vectors, session, guard, examples) pointed at the
# sanitized programs through NEXTAUTH_TOKEN_BIN / NEXTAUTH_SESSION_BIN /
# NEXTAUTH_GUARD_BIN / NEXTAUTH_EXAMPLES_DIR, and the bad-input corpus
# (tests/corpus/run.sh). Several at once (SAN_JOBS,
# default the number of CPUs).
#
# A sanitizer finding fails the run twice over: the program aborts (the test
# sees it), and every ASan/LSan report also lands in SAN_DIR/log (the build
# compiles that path in, see mk/sanitize.mk), where this script counts each one
# as a failure and prints it — so a finding in a process whose exit status no
# test checks is not lost. UBSan reports go to stderr ("runtime error:"), which
# is scanned in every suite's output.
#
#   tests/valgrind/sanitize.sh [SAN_DIR]      (default build/san)
#   SAN_SERVER_SUITES=1  also the server suites (session-fcgi, guard-lighttpd,
#                        guard-nginx, guard-apache, examples-lighttpd), less their
#                        RSS tests (ASan's quarantine grows RSS on purpose)
#   SAN_SKIP_CORPUS=1    leave the corpus out
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
san=${1:-build/san}
san=$(cd "$san" 2>/dev/null && pwd) || { echo "sanitize: no build in ${1:-build/san} (make sanitize-build)"; echo "0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export NEXTAUTH_TOKEN_BIN=$san/bin/nextauth-token
export NEXTAUTH_SESSION_BIN=$san/cgi-bin/nextauth-session
export NEXTAUTH_GUARD_BIN=$san/cgi-bin/nextauth-guard
export NEXTAUTH_EXAMPLES_DIR=$san/cgi-bin/examples
JOBS=${SAN_JOBS:-$(nproc 2>/dev/null || echo 2)}

for b in "$NEXTAUTH_TOKEN_BIN" "$NEXTAUTH_SESSION_BIN" "$NEXTAUTH_GUARD_BIN"; do
    [ -x "$b" ] || { echo "sanitize: $b is not built (make sanitize-build)"; echo "0 passed, 1 failed"; exit 1; }
done
mkdir -p "$san/log"
rm -f "$san"/log/asan.*

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$SECONDS

# --- the jobs (each writes $out/NAME.txt ending with "N passed, N failed") ---
job_unit() {
    local t name rc p=0 f=0 line
    # one binary per tests/unit/test_*.c; a missing one is a failure
    for t in tests/unit/test_*.c; do
        [ -e "$t" ] || continue
        name=$(basename "$t" .c)
        t=$san/tests/unit/$name
        if [ ! -f "$t" ] || [ ! -x "$t" ]; then
            echo "== san/unit/$name: not built or not executable ($t)"
            f=$((f + 1))
            continue
        fi
        rc=0
        "$t" >"$out/unit-$name.log" 2>&1 || rc=$?
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/unit-$name.log" | tail -n 1)
        if [ -z "$line" ]; then
            echo "== san/unit/$name: no result line (exit $rc)"
            tail -n 5 "$out/unit-$name.log" | sed 's/^/   /'
            f=$((f + 1))
            continue
        fi
        local tp=${line%% passed*} tf=${line#*, }
        tf=${tf%% failed*}
        if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then
            tf=1
            echo "== san/unit/$name: exit $rc with no failure reported"
        fi
        grep -E '^not ok' "$out/unit-$name.log" | head -n 10
        echo "== san/unit/$name: $tp passed, $tf failed"
        p=$((p + tp)) f=$((f + tf))
    done
    echo "$p passed, $f failed"
}

job_bats() { # FILE [LABEL FILTER]
    local rc=0 p f label=$(basename "$1")${2:+ ($2)}
    local tap=$out/bats-$(basename "$1")${2:+-$2}.tap
    local -a filter=()
    [ -n "${3-}" ] && filter=(--filter "$3")
    bats --tap "${filter[@]}" "$1" >"$tap" 2>&1 || rc=$?
    p=$(grep -cE '^ok ' "$tap")
    f=$(grep -cE '^not ok ' "$tap")
    grep -E '^not ok' -A 12 "$tap" | head -n 80
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "bats $label: exit $rc with no failure reported"
        tail -n 5 "$tap"
        f=1
    fi
    echo "== san/bats/$label: $p passed, $f failed"
    echo "$p passed, $f failed"
}

# guard.bats is the longest suite by far (its open-redirect sweep alone runs the
# guard 1 668 times): it runs as two jobs, the sweep and the rest, when the two
# filters below split it exactly.
SWEEP='^open r'
REST='^([^o]|o[^p]|op[^e]|ope[^n]|open[^ ]|open [^r])'
split_guard=0
if [ -f tests/guard.bats ] &&
    [ $(($(bats --count --filter "$SWEEP" tests/guard.bats 2>/dev/null || echo 0) +
        $(bats --count --filter "$REST" tests/guard.bats 2>/dev/null || echo 0))) -eq \
        "$(bats --count tests/guard.bats 2>/dev/null || echo -1)" ]; then
    split_guard=1
fi

job_corpus() {
    # mkjose too is built with the sanitizers, on the sanitized library
    CORPUS_LIB=$san/lib/libnextauth.a \
        CORPUS_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all $san/san-defaults.o" \
        tests/corpus/run.sh >"$out/corpus.log" 2>&1
    grep -E '^not ok|^corpus' "$out/corpus.log" | head -n 40
    tail -n 1 "$out/corpus.log"
}

if [ "$split_guard" = 1 ]; then
    jobs_list=(guard:sweep guard:rest)
else
    jobs_list=(bats:tests/guard.bats)
fi
jobs_list+=(bats:tests/session.bats unit bats:tests/cli.bats bats:tests/vectors.bats)
[ -f tests/examples.bats ] && jobs_list+=(bats:tests/examples.bats)
[ "${SAN_SKIP_CORPUS:-}" = 1 ] || jobs_list+=(corpus)
if [ "${SAN_SERVER_SUITES:-}" = 1 ]; then
    for f in tests/session-fcgi.bats tests/guard-lighttpd.bats tests/guard-nginx.bats \
        tests/guard-apache.bats tests/examples-lighttpd.bats; do
        [ -f "$f" ] && jobs_list+=("server:$f")
    done
fi
# The server suites without their "memory: … VmRSS grows by less than …" tests:
# ASan's quarantine holds freed memory back on purpose (256 MB), so RSS grows
# under it whatever the code does; LSan and valgrind judge leaks instead.
NOT_MEMORY='^([^m]|m[^e]|me[^m]|mem[^o]|memo[^r]|memor[^y])'

running=0
for j in "${jobs_list[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    name=${j//[:\/]/-}
    (
        t0=$SECONDS
        case $j in
        unit) job_unit ;;
        corpus) job_corpus ;;
        bats:*) job_bats "${j#bats:}" ;;
        guard:sweep) job_bats tests/guard.bats sweep "$SWEEP" ;;
        guard:rest) job_bats tests/guard.bats rest "$REST" ;;
        server:*) job_bats "${j#server:}" server "$NOT_MEMORY" ;;
        esac >"$out/$name.txt" 2>&1
        echo "$((SECONDS - t0))" >"$out/$name.secs"
    ) &
    running=$((running + 1))
done
wait

# --- tally ------------------------------------------------------------------
passed=0 failed=0
for j in "${jobs_list[@]}"; do
    name=${j//[:\/]/-}
    txt=$out/$name.txt
    sed '$d' "$txt"
    line=$(tail -n 1 "$txt")
    if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        case $j in unit | bats:* | guard:* | server:*) ;; *) echo "== san/$j: ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed" ;; esac
        echo "   ($j: $(cat "$out/$name.secs" 2>/dev/null) s)"
    else
        echo "== san/$j: no result line"
        failed=$((failed + 1))
    fi
done

# UBSan reports (stderr) anywhere in the suites' output
ub=$(cat "$out"/*.log "$out"/*.tap "$out"/*.txt 2>/dev/null | grep -c 'runtime error:')
if [ "$ub" -gt 0 ]; then
    echo "== san/ubsan: $ub 'runtime error:' report(s):"
    cat "$out"/*.log "$out"/*.tap 2>/dev/null | grep -A 12 'runtime error:' | head -n 60
    failed=$((failed + ub))
fi
# ASan/LSan reports (files), one failure each
nrep=0
for r in "$san"/log/asan.*; do
    [ -f "$r" ] || continue
    nrep=$((nrep + 1))
    echo "== san/report $(basename "$r"):"
    grep -v '^$' "$r" | head -n 40 | sed 's/^/   /'
done
echo "== san/reports: $nrep ASan/LSan report(s) in $san/log"
failed=$((failed + nrep))

echo "sanitize: $((SECONDS - start)) s (suites against $san)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
