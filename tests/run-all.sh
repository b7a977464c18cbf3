#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every test suite and print one closing line "N passed, N failed" (all suites
# summed). Exits non-zero when anything failed, or when a suite died before
# reporting. Run from anywhere; `make check` builds first and then runs this.
#
# Suites:
#   unit     tests/unit/test_* (C; each ends with "N passed, N failed"), one
#            binary per tests/unit/test_*.c: a missing one counts as a failure
#   bats     tests/*.bats (TAP: "ok" / "not ok" lines)
#   interop  tests/interop/run.sh, session.sh and dbsess.sh (the real next-auth
#            and @auth/core, and for database sessions the real pg and Drizzle
#            adapters, installed with npm in a scratch folder)
#   corpus, fuzz, valgrind, sanitize   (the reliability suites, described at their loop below)
# NEXTAUTH_SKIP_INTEROP=1 leaves out the interop suite (it needs the npm registry);
# the closing line then says so. CI never sets it.
set -u
cd "$(dirname "$0")/.." || exit 2
root=$PWD
export NEXTAUTH_TOKEN_BIN="$root/bin/nextauth-token"

passed=0
failed=0
skipped=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# Add the counts of a suite's closing "N passed, N failed" line; a suite that
# exited non-zero without reporting a failure counts as one failure.
tally() { # name rc file
    local name=$1 rc=$2 out=$3 line p f
    line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "== $name: no result line (exit $rc)"
        failed=$((failed + 1))
        return
    fi
    p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "== $name: exit $rc with no failure reported"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    echo "== $name: $p passed, $f failed"
}

# One binary per tests/unit/test_*.c: a source without its built, executable
# binary is one failure (a test that did not run must not pass unseen).
for src in tests/unit/test_*.c; do
    [ -e "$src" ] || continue
    t=${src%.c}
    name=unit/$(basename "$t")
    if [ ! -f "$t" ] || [ ! -x "$t" ]; then
        echo "== $name: not built or not executable ($t; make unit): 0 passed, 1 failed"
        failed=$((failed + 1))
        continue
    fi
    "$t" >"$log/out" 2>&1
    rc=$?
    grep -E '^not ok|FAIL' "$log/out" | head -n 20
    tally "$name" "$rc" "$log/out"
done

# bats: one TAP stream for all files; count ok / not ok ourselves.
if compgen -G "tests/*.bats" >/dev/null; then
    bats --tap tests/*.bats >"$log/bats" 2>&1
    rc=$?
    grep -E '^not ok' -A 12 "$log/bats" | head -n 150
    # "ok N … # skip" lines are skips, not passes
    s=$(grep -cE '^ok .*# [Ss][Kk][Ii][Pp]' "$log/bats")
    p=$(($(grep -cE '^ok ' "$log/bats") - s))
    f=$(grep -cE '^not ok ' "$log/bats")
    skipped=$((skipped + s))
    [ "$s" -gt 0 ] && grep -E '^ok .*# [Ss][Kk][Ii][Pp]' "$log/bats"
    echo "$p passed, $f failed" >>"$log/bats"
    tally bats "$rc" "$log/bats"
fi

# The interop suites share one npm install in the runner's temp folder (outside
# the repository, removed at exit) unless NEXTAUTH_INTEROP_CACHE names another.
export NEXTAUTH_INTEROP_CACHE=${NEXTAUTH_INTEROP_CACHE:-$log/npm}
for suite in run session dbsess; do
    name=interop-$suite
    [ "$suite" = run ] && name=interop
    if [ "${NEXTAUTH_SKIP_INTEROP:-}" = 1 ]; then
        echo "== $name: skipped (NEXTAUTH_SKIP_INTEROP=1)"
        skipped=$((skipped + 1))
    elif [ -x "tests/interop/$suite.sh" ]; then
        "tests/interop/$suite.sh" >"$log/$name" 2>&1
        rc=$?
        grep -E '^not ok' "$log/$name" | head -n 20
        [ "$rc" -ne 0 ] && tail -n 5 "$log/$name"
        tally "$name" "$rc" "$log/$name"
    fi
done

# --- reliability suites: bad-input corpus, fuzz corpora, valgrind,
# sanitizers ------
#   corpus    tests/corpus/run.sh: 700+ hostile inputs with their exact answers
#             through the CLI and the guard/session programs as CGI
#   fuzz      tests/fuzz/replay.sh: every seed corpus and regression file of
#             every fuzz target, replayed by a plain driver (no libFuzzer)
#   dbsess    tests/dbsess/run.sh: the database-session cases recorded from the
#             real next-auth and @auth/core with real adapters, replayed against
#             nextauth-session on SQLite and on a private PostgreSQL
#   differential  tests/differential/run.sh: lighttpd, Apache and nginx on the
#             example configs, and Apache with mod_nextauth (examples/
#             apache-module.conf) and nginx with its module (examples/
#             nginx-module.conf), two guard deployments each; thousands of raw
#             request targets without and with a role=user cookie: no guarded
#             or admin-only canary may come back (30–80 s)
#   load      tests/load/run.sh: lighttpd + guard under wrk for 20 s with
#             SIGKILLs and a missing secret file; 0 wrong answers, 0 guarded
#             content without a valid token, 5xx only in fault windows, flat RSS
#   load-sqlite, load-pg   the same with database sessions (LOAD_DB), about
#             8 s each: SIGKILLs, the database away for 1 s (SQLite locked,
#             PostgreSQL stopped: 503 for every session), sessions revoked
#   load-apache-module, load-apache-module-sqlite   the same against the guard
#             inside Apache (mod_nextauth), 8 s each: SIGKILLed children, a
#             graceful restart with a changed rule (never an answer of neither
#             config), with SQLite the lock and the revocation too
#   load-nginx-module, load-nginx-module-sqlite   the same against the guard
#             inside nginx (ngx_http_nextauth_module), 8 s each: SIGKILLed
#             workers, a reload (SIGHUP) with a changed rule
#   valgrind  tests/valgrind/run.sh: memcheck of the CLI, the programs as CGI
#             and a 500-request FastCGI loop each (0 errors, 0 bytes lost)
#   sanitize  make sanitize-build (ASan+UBSan into build/san), then
#             tests/valgrind/sanitize.sh: unit tests, the CGI-level bats suites
#             and the corpus against that build
# NEXTAUTH_SKIP_VALGRIND=1 / NEXTAUTH_SKIP_SANITIZE=1 / NEXTAUTH_SKIP_LOAD=1 (all
# load suites) / NEXTAUTH_SKIP_DIFFERENTIAL=1 leave those out (each takes
# from 20 s to a few minutes); CI sets none.
for suite in corpus fuzz dbsess differential load load-sqlite load-pg load-apache-module \
    load-apache-module-sqlite load-nginx-module load-nginx-module-sqlite valgrind sanitize; do
    case $suite in
    valgrind) skip=${NEXTAUTH_SKIP_VALGRIND:-} var=NEXTAUTH_SKIP_VALGRIND ;;
    sanitize) skip=${NEXTAUTH_SKIP_SANITIZE:-} var=NEXTAUTH_SKIP_SANITIZE ;;
    load*) skip=${NEXTAUTH_SKIP_LOAD:-} var=NEXTAUTH_SKIP_LOAD ;;
    differential) skip=${NEXTAUTH_SKIP_DIFFERENTIAL:-} var=NEXTAUTH_SKIP_DIFFERENTIAL ;;
    *) skip='' var='' ;;
    esac
    if [ "$skip" = 1 ]; then
        echo "== $suite: skipped ($var=1)"
        skipped=$((skipped + 1))
        continue
    fi
    t0=$SECONDS
    case $suite in
    corpus) tests/corpus/run.sh >"$log/$suite" 2>&1 ;;
    fuzz) tests/fuzz/replay.sh >"$log/$suite" 2>&1 ;;
    dbsess) tests/dbsess/run.sh >"$log/$suite" 2>&1 ;;
    differential) tests/differential/run.sh >"$log/$suite" 2>&1 ;;
    load) LOAD_DB=jwt tests/load/run.sh >"$log/$suite" 2>&1 ;;
    load-sqlite | load-pg)
        LOAD_DB=${suite#load-} LOAD_SECONDS=6 LOAD_KILL_EVERY=2 LOAD_DB_HOLD=1 \
            tests/load/run.sh >"$log/$suite" 2>&1
        ;;
    load-apache-module*)
        LOAD_SERVER=apache-module LOAD_DB=$([ "$suite" = load-apache-module ] && echo jwt || echo sqlite) \
            LOAD_SECONDS=8 LOAD_KILL_EVERY=2 LOAD_DB_HOLD=1 tests/load/run.sh >"$log/$suite" 2>&1
        ;;
    load-nginx-module*)
        LOAD_SERVER=nginx-module LOAD_DB=$([ "$suite" = load-nginx-module ] && echo jwt || echo sqlite) \
            LOAD_SECONDS=8 LOAD_KILL_EVERY=2 LOAD_DB_HOLD=1 tests/load/run.sh >"$log/$suite" 2>&1
        ;;
    valgrind) tests/valgrind/run.sh >"$log/$suite" 2>&1 ;;
    sanitize)
        { "${MAKE:-make}" --no-print-directory -s -j"$(nproc 2>/dev/null || echo 2)" \
            sanitize-build && tests/valgrind/sanitize.sh build/san; } >"$log/$suite" 2>&1
        ;;
    esac
    rc=$?
    grep -E '^not ok|^# crashed|^== san/.* [1-9][0-9]* failed|^== san/report |^corpus: |^load: [0-9]|^differential: seed' "$log/$suite" | head -n 40
    [ "$rc" -ne 0 ] && tail -n 5 "$log/$suite"
    tally "$suite" "$rc" "$log/$suite"
    echo "   ($suite: $((SECONDS - t0)) s)"
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
