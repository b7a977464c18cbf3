#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The FastCGI loop's read deadline (lib/serve.c, NEXTAUTH_READ_TIMEOUT): a
# libfcgi process serves one connection at a time, so connections that are
# opened and left idle, or fed a byte now and then, or kept by the server
# (FCGI_KEEP_CONN) and then left idle, must not hold the guard past the
# deadline. The guard runs under spawn-fcgi with 2 processes (as in
# examples/apache-guard.conf) and a 2 s deadline, its stderr kept in a file;
# tests/serve-deadline.pl plays the stalled peers. Real requests (cgi-fcgi, and
# curl through a private Apache with the example snippet) must keep being
# answered, exactly and within the deadline + 2 s; every stalled connection is
# closed at the deadline with one log line; the processes live on. Every wait
# is bounded.

load helpers
# shellcheck source=tests/lib/guard-common.sh
. "$BATS_TEST_DIRNAME/lib/guard-common.sh"
# shellcheck source=tests/lib/apache.sh
. "$BATS_TEST_DIRNAME/lib/apache.sh"

SD_PEER="$BATS_TEST_DIRNAME/serve-deadline.pl"
SD_T=2 # NEXTAUTH_READ_TIMEOUT of the guard under test
SD_CUT="nextauth-guard: closed a connection that sent no complete request within $SD_T s"
# The guard's answer to a RESPONDER request for /docs/page.txt without a session.
SD_307=$'Status: 307 Temporary Redirect\r\nLocation: http://app.example.test/login?callbackUrl=%2Fdocs%2Fpage.txt\r\nCache-Control: no-store\r\n\r\n'

setup_file() {
    local t
    for t in spawn-fcgi cgi-fcgi perl apache2 curl; do
        command -v "$t" >/dev/null || {
            echo "serve-deadline: $t is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
    [ -x "$GC_GUARD_BIN" ] || {
        echo "serve-deadline: build first (make): $GC_GUARD_BIN" >&2
        return 1
    }
    # As root, Apache serves as www-data, which must reach the docroot.
    SD_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/serve-deadline.XXXXXX") || return 1
    chmod 0755 "$SD_ROOT"
    gc_setup_root "$SD_ROOT" || return 1
    chmod -R a+rX "$SD_ROOT/www"
    export SD_ROOT
}

teardown_file() {
    [ -n "${SD_ROOT-}" ] && rm -rf "$SD_ROOT"
}

teardown() {
    local pid
    [ -n "${SD_PEERS-}" ] && for pid in $SD_PEERS; do kill "$pid" 2>/dev/null; done
    ap_stop "$SD_ROOT"
    for pid in $(sd_pids); do srv_stop_pid "$pid" 5; done
    rm -f "$SD_ROOT/run/guard.pid"
}

# --- the guard ---------------------------------------------------------------

# sd_guard LISTEN N [VAR=VALUE...] — N guard processes under spawn-fcgi on LISTEN
# (a TCP port on 127.0.0.1, or a unix socket path), deadline SD_T, the test
# config and secret, plus VAR=VALUE...; stderr appended to logs/guard.err
# (spawn-fcgi itself points it at /dev/null). Fails unless all N are alive.
sd_guard() {
    local listen=$1 n=$2 pid count=0
    shift 2
    local -a where=(-a 127.0.0.1 -p "$listen")
    [[ $listen == /* ]] && where=(-s "$listen" -M 0600)
    : >"$SD_ROOT/logs/guard.err"
    rm -f "$SD_ROOT/run/guard.pid"
    if ! env -i PATH="$PATH" NEXTAUTH_CONFIG="$SD_ROOT/guard.json" NEXTAUTH_SECRET="$GC_SECRET" \
        NEXTAUTH_READ_TIMEOUT="$SD_T" "$@" \
        spawn-fcgi "${where[@]}" -F "$n" -P "$SD_ROOT/run/guard.pid" -- \
        /bin/sh -c 'exec "$0" 2>>"$1"' "$GC_GUARD_BIN" "$SD_ROOT/logs/guard.err" \
        </dev/null >"$SD_ROOT/logs/guard.spawn.out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; then
        srv_dump "$SD_ROOT/logs/guard.spawn.out"
        return 1
    fi
    for pid in $(sd_pids); do srv_alive "$pid" && count=$((count + 1)); done
    [ "$count" -eq "$n" ] || {
        echo "sd_guard: $count of $n guard processes alive" >&2
        return 1
    }
}

sd_pids() {
    [ -f "$SD_ROOT/run/guard.pid" ] && tr ' ' '\n' <"$SD_ROOT/run/guard.pid" | sed '/^$/d'
}

sd_all_alive() {
    local pid n=0
    for pid in $(sd_pids); do srv_alive "$pid" && n=$((n + 1)); done
    [ "$n" -eq "$1" ] || {
        echo "expected $1 live guard processes, found $n" >&2
        return 1
    }
}

# --- peers -------------------------------------------------------------------

# sd_stall NAME ADDR MODE N — start serve-deadline.pl in the background (output
# in NAME.out, bound SD_T + 6 s) and wait until its N connections are open.
sd_stall() {
    local out="$BATS_TEST_TMPDIR/$1.out"
    perl "$SD_PEER" "$2" "$3" "$4" $((SD_T + 6)) >"$out" 2>&1 3>&- &
    SD_PEERS+=" $!"
    # a bound, not a wait: on a loaded machine perl alone can take seconds to start
    srv_poll 20 grep -q "^connected $4\$" "$out" || {
        echo "sd_stall: $1 did not connect" >&2
        cat "$out" >&2
        return 1
    }
}

# sd_closed NAME N — the peer NAME ends (bounded by its own BOUND) and reports
# its N connections closed between SD_T - 0.3 and SD_T + 1.5 seconds.
sd_closed() {
    local out="$BATS_TEST_TMPDIR/$1.out" line secs k=0
    srv_poll $((SD_T + 8)) grep -qE '^(closed|open)' "$out" || true
    srv_poll 3 test "$(grep -cE '^(closed [0-9.]+|open)$' "$out")" -eq "$2" || {
        echo "sd_closed: $1 did not report $2 connections" >&2
        cat "$out" >&2
        return 1
    }
    while read -r line; do
        k=$((k + 1))
        [[ $line == closed\ * ]] || {
            echo "connection $k of $1 was not closed by the guard: $line" >&2
            return 1
        }
        secs=${line#closed }
        awk -v s="$secs" -v t="$SD_T" 'BEGIN { exit !(s >= t - 0.3 && s <= t + 1.5) }' || {
            echo "connection $k of $1 closed after $secs s, not at the $SD_T s deadline" >&2
            return 1
        }
    done < <(grep -E '^(closed|open)' "$out")
    [ "$k" -eq "$2" ]
}

# sd_ask ADDR — one RESPONDER request for /docs/page.txt with cgi-fcgi, killed
# after SD_T + 2 s; its stdout in ask.out, stderr in ask.err; sets sd_ms (elapsed).
sd_ask() {
    local t0=${EPOCHREALTIME/./} rc
    env -i REQUEST_METHOD=GET REQUEST_URI=/docs/page.txt timeout $((SD_T + 2)) \
        cgi-fcgi -bind -connect "$1" </dev/null >"$BATS_TEST_TMPDIR/ask.out" 2>"$BATS_TEST_TMPDIR/ask.err"
    rc=$?
    sd_ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
    return "$rc"
}

# sd_answered ADDR — sd_ask gets exactly SD_307 (and nothing on stderr), within
# SD_T + 2 s.
sd_answered() {
    sd_ask "$1" || {
        echo "no answer within $((SD_T + 2)) s (${sd_ms} ms)" >&2
        cat "$BATS_TEST_TMPDIR/ask.err" >&2
        return 1
    }
    printf %s "$SD_307" | cmp -s - "$BATS_TEST_TMPDIR/ask.out" && [ ! -s "$BATS_TEST_TMPDIR/ask.err" ] || {
        echo "unexpected answer:" >&2
        cat -A "$BATS_TEST_TMPDIR/ask.out" "$BATS_TEST_TMPDIR/ask.err" >&2
        return 1
    }
    [ "$sd_ms" -le $(((SD_T + 2) * 1000)) ]
}

# sd_log_is N — the guards' stderr holds exactly N lines, each SD_CUT.
sd_log_is() {
    local got
    srv_poll 2 test "$(grep -c '' "$SD_ROOT/logs/guard.err")" -ge "$1" || true
    got=$(grep -cxF "$SD_CUT" "$SD_ROOT/logs/guard.err")
    [ "$got" -eq "$1" ] && [ "$(grep -c '' "$SD_ROOT/logs/guard.err")" -eq "$1" ] || {
        echo "expected exactly $1 lines '$SD_CUT' on the guard's stderr:" >&2
        cat "$SD_ROOT/logs/guard.err" >&2
        return 1
    }
}

# --- TCP, cgi-fcgi ---------------------------------------------------------------

@test "deadline: two idle connections (one per process) are cut at the deadline; requests are answered meanwhile" {
    local port
    port=$(gc_free_port)
    sd_guard "$port" 2
    sd_answered "127.0.0.1:$port"
    sd_stall idle "127.0.0.1:$port" idle 2
    sd_answered "127.0.0.1:$port"
    sd_answered "127.0.0.1:$port"
    sd_closed idle 2
    sd_log_is 2
    sd_all_alive 2
}

@test "deadline: a slow drip (a byte every 0.5 s of a real FCGI_BEGIN_REQUEST) is cut at the deadline too" {
    local port
    port=$(gc_free_port)
    sd_guard "$port" 2
    sd_stall drip "127.0.0.1:$port" drip 2
    sd_answered "127.0.0.1:$port"
    sd_closed drip 2
    sd_log_is 2
    sd_all_alive 2
}

@test "deadline: a kept connection (FCGI_KEEP_CONN) gets its answers, then is cut when idle for the deadline" {
    local port
    port=$(gc_free_port)
    sd_guard "$port" 2
    sd_stall keep "127.0.0.1:$port" keep 2
    sd_answered "127.0.0.1:$port"
    sd_closed keep 2
    # two requests on each connection
    [ "$(grep -c '^answered Status: 307 Temporary Redirect$' "$BATS_TEST_TMPDIR/keep.out")" -eq 4 ] || {
        cat "$BATS_TEST_TMPDIR/keep.out" >&2
        false
    }
    sd_log_is 2
    sd_all_alive 2
}

@test "deadline: unix socket listener: idle and dripping connections are cut, requests answered" {
    local sock="$SD_ROOT/run/guard.sock"
    sd_guard "$sock" 2
    sd_stall idle "$sock" idle 1
    sd_stall drip "$sock" drip 1
    sd_answered "$sock"
    sd_closed idle 1
    sd_closed drip 1
    sd_log_is 2
    sd_all_alive 2
}

@test "deadline: SIGTERM still ends the loop at once, also while a connection is held" {
    local port pid
    port=$(gc_free_port)
    sd_guard "$port" 2
    sd_stall idle "127.0.0.1:$port" idle 1
    for pid in $(sd_pids); do kill -TERM "$pid"; done
    for pid in $(sd_pids); do
        srv_poll 1 _srv_gone "$pid" || {
            echo "guard $pid still alive 1 s after SIGTERM" >&2
            return 1
        }
    done
}

@test "deadline: NEXTAUTH_MAX_REQUESTS still ends a process after that many requests (a cut connection is none)" {
    local port pid
    port=$(gc_free_port)
    sd_guard "$port" 1 NEXTAUTH_MAX_REQUESTS=2
    pid=$(sd_pids)
    sd_stall idle "127.0.0.1:$port" idle 1
    sd_closed idle 1
    srv_alive "$pid"
    sd_answered "127.0.0.1:$port"
    srv_alive "$pid"
    sd_answered "127.0.0.1:$port"
    # (bounded generously: a sanitizer build checks for leaks as it exits)
    srv_poll 10 _srv_gone "$pid" || {
        echo "guard $pid still running after its last request:" >&2
        cat "/proc/$pid/stat" "$SD_ROOT/logs/guard.err" >&2
        return 1
    }
}

@test "deadline: FCGI_WEB_SERVER_ADDRS still refuses a TCP peer it does not list" {
    local port
    port=$(gc_free_port)
    sd_guard "$port" 1 FCGI_WEB_SERVER_ADDRS=10.9.8.7,127.0.0.2
    sd_ask "127.0.0.1:$port" || true
    ! grep -q Status "$BATS_TEST_TMPDIR/ask.out" || {
        echo "a peer not in FCGI_WEB_SERVER_ADDRS was answered" >&2
        cat "$BATS_TEST_TMPDIR/ask.out" >&2
        return 1
    }
    [ "$sd_ms" -lt 1000 ] # closed at once, not held
    sd_all_alive 1
    teardown
    port=$(gc_free_port)
    sd_guard "$port" 1 FCGI_WEB_SERVER_ADDRS=10.9.8.7,127.0.0.1
    sd_answered "127.0.0.1:$port"
}

# --- Apache (examples/apache-guard.conf) --------------------------------------------

@test "deadline: Apache with the example snippet keeps answering while both guard processes are held" {
    local port
    port=$(gc_free_port)
    sd_guard "$port" 2
    ap_start "$SD_ROOT" "$BATS_TEST_DIRNAME/fixtures-apache/httpd.conf" GUARD_PORT="$port"
    gc_mint ADA "$GC_ADMIN_CLAIMS"
    sd_stall idle "127.0.0.1:$port" idle 1
    sd_stall drip "127.0.0.1:$port" drip 1
    local t0=${EPOCHREALTIME/./}
    gc_get "$AP_URL/docs/page.txt" --max-time $((SD_T + 2)) -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    assert_body $'guarded page\n'
    gc_get "$AP_URL/docs/page.txt" --max-time $((SD_T + 2))
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
    [ $(((${EPOCHREALTIME/./} - t0) / 1000)) -le $(((SD_T + 2) * 1000)) ]
    sd_closed idle 1
    sd_closed drip 1
    sd_log_is 2
    sd_all_alive 2
}

# --- a bad value ------------------------------------------------------------------

# sd_refused PROGRAM VALUE [PREFIX] — PROGRAM as CGI with NEXTAUTH_READ_TIMEOUT=VALUE
# exits 2, writes nothing on stdout and exactly one line on stderr, which starts
# with PREFIX (default: the program's name; control bytes are shown as ?).
sd_refused() {
    local name=${3:-${1##*/}} shown=${2//$'\n'/?}
    run --separate-stderr env -i PATH="$PATH" NEXTAUTH_SECRET="$GC_SECRET" \
        NEXTAUTH_CONFIG="$SD_ROOT/guard.json" NEXTAUTH_READ_TIMEOUT="$2" \
        REQUEST_METHOD=GET REQUEST_URI=/docs/page.txt "$1" </dev/null
    [ "$status" -eq 2 ] && [ -z "$output" ] &&
        [ "$stderr" = "$name: NEXTAUTH_READ_TIMEOUT=\"$shown\" is not a whole number of seconds from 1 to 600" ] || {
        printf 'NEXTAUTH_READ_TIMEOUT=%q: status %s, stdout %q, stderr %q\n' "$2" "$status" "$output" "$stderr" >&2
        return 1
    }
}

@test "deadline: a bad NEXTAUTH_READ_TIMEOUT stops the programs at start with one line (exit 2)" {
    local v
    for v in '' 0 00 -1 +5 abc 5s ' 5' '5 ' 1.5 601 99999999999999999999 $'5\n'; do
        sd_refused "$GC_GUARD_BIN" "$v"
    done
    sd_refused "$REPO_ROOT/cgi-bin/nextauth-session" x
    sd_refused "$REPO_ROOT/cgi-bin/examples/hello-api" 0 nextauth # the page API
    # the bounds themselves are fine
    for v in 1 600 007; do
        run env -i PATH="$PATH" NEXTAUTH_SECRET="$GC_SECRET" NEXTAUTH_CONFIG="$SD_ROOT/guard.json" \
            NEXTAUTH_READ_TIMEOUT="$v" REQUEST_METHOD=GET REQUEST_URI=/docs/page.txt \
            "$GC_GUARD_BIN" </dev/null
        [ "$status" -eq 0 ] && [[ $output == "Status: 307 Temporary Redirect"* ]]
    done
}

@test "deadline: a bad NEXTAUTH_READ_TIMEOUT stops a FastCGI guard before it serves (spawn-fcgi -n)" {
    local sock="$SD_ROOT/run/bad.sock"
    run --separate-stderr timeout 5 env -i PATH="$PATH" NEXTAUTH_SECRET="$GC_SECRET" \
        NEXTAUTH_CONFIG="$SD_ROOT/guard.json" NEXTAUTH_READ_TIMEOUT=0 \
        spawn-fcgi -n -s "$sock" -- "$GC_GUARD_BIN" </dev/null
    [ "$status" -eq 2 ]
    [ "$stderr" = 'nextauth-guard: NEXTAUTH_READ_TIMEOUT="0" is not a whole number of seconds from 1 to 600' ]
}
