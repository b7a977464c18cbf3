#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Valgrind memcheck over the programs as they ship (the normal build):
#   cli/*    nextauth-token decode/get on cases of tests/vectors (every kind, both
#            verdicts), encode in the three formats, and a few hostile inputs
#   cgi/*    nextauth-session and nextauth-guard as plain CGI: a valid token, an
#            invalid one, none, no secret
#   fcgi/*   each FastCGI program under spawn-fcgi answering VALGRIND_FCGI_REQUESTS
#            (default 500) requests sent by cgi-fcgi, a mix of valid, invalid,
#            expired, chunked, missing and oversized sessions; the program stops
#            after the last one (NEXTAUTH_MAX_REQUESTS) so valgrind sees its exit
# Each run passes when the program answers what it should and valgrind reports
# 0 errors and 0 bytes definitely or indirectly lost:
#   valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect
# Ends with "N passed, N failed"; the valgrind log of every failed run is printed.
#
# Environment: NEXTAUTH_TOKEN_BIN, NEXTAUTH_SESSION_BIN, NEXTAUTH_GUARD_BIN (the
# programs, default the source tree's build); VALGRIND_FCGI_REQUESTS;
# VALGRIND_ALL_VECTORS=1 runs every case of the vectors file instead of a sample;
# VALGRIND_JOBS (default: the number of CPUs) runs that many at once;
# VALGRIND_KEEP=DIR keeps every valgrind log there.
set -u
cd "$(dirname "$0")/../.." || exit 2
root=$PWD

TOKEN_BIN=${NEXTAUTH_TOKEN_BIN:-$root/bin/nextauth-token}
SESSION_BIN=${NEXTAUTH_SESSION_BIN:-$root/cgi-bin/nextauth-session}
GUARD_BIN=${NEXTAUTH_GUARD_BIN:-$root/cgi-bin/nextauth-guard}
VECTORS=$root/tests/vectors/nextauth-vectors.json
NREQ=${VALGRIND_FCGI_REQUESTS:-500}
JOBS=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}
SECRET=valgrind-secret-0123456789

for t in valgrind jq spawn-fcgi cgi-fcgi; do
    command -v "$t" >/dev/null || { echo "valgrind suite: $t is missing (tools/deps.sh)"; echo "0 passed, 1 failed"; exit 1; }
done
for b in "$TOKEN_BIN" "$SESSION_BIN" "$GUARD_BIN"; do
    [ -x "$b" ] || { echo "valgrind suite: $b is not built (make)"; echo "0 passed, 1 failed"; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/log" "$work/res" "$work/out"

VG=("$(command -v valgrind)" --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --num-callers=40)

# vg_verdict NAME LOG RC WANT — write the verdict of one valgrind run to
# res/NAME: WANT is the exit status the program must give ("0|1": either).
vg_verdict() {
    local name=$1 log=$2 rc=$3 want=$4 errors def ind why=''
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tail -n 1)
    def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1)
    ind=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1)
    errors=${errors//,/} def=${def//,/} ind=${ind//,/}
    if [ -z "$errors" ]; then
        why="no valgrind summary (exit $rc)"
    elif [ "$rc" -eq 9 ] || [ "$errors" != 0 ] || [ "${def:-0}" != 0 ] || [ "${ind:-0}" != 0 ]; then
        why="valgrind: $errors error(s), ${def:-0} bytes definitely and ${ind:-0} indirectly lost"
    elif ! [[ "|$want|" == *"|$rc|"* ]]; then
        why="exit $rc, expected $want"
    fi
    if [ -n "$why" ]; then
        printf 'not ok %s: %s\n' "$name" "$why" >"$work/res/$name"
        cp "$log" "$work/res/$name.log"
    else
        printf 'ok %s\n' "$name" >"$work/res/$name"
    fi
}

# fail NAME WHY — a run that went wrong before valgrind could judge it.
fail() {
    printf 'not ok %s: %s\n' "$1" "$2" >"$work/res/$1"
}

# The job pool: at most JOBS runs at once.
running=0
spawn() {
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    "$@" &
    running=$((running + 1))
}

# --- tokens (minted now, by the CLI under test, outside valgrind) -----------
mint() { env -i PATH="$PATH" NEXTAUTH_SECRET="$SECRET" "$TOKEN_BIN" encode "$@"; }
GOOD=$(mint '{"name":"Ada","email":"ada@example.com","sub":"u1"}') || exit 1
EXPIRED=$(mint --max-age -100 '{"name":"Ada","sub":"u1"}') || exit 1
BIG=$(mint "{\"name\":\"Ada\",\"sub\":\"u1\",\"pad\":\"$(printf '%*s' 6000 '' | tr ' ' p)\"}") || exit 1
# one ciphertext character changed (to another one)
c=A
[ "${GOOD:100:1}" = A ] && c=B
TAMPERED=${GOOD:0:100}$c${GOOD:101}
CHUNKED="next-auth.session-token.0=${BIG:0:3933}; next-auth.session-token.1=${BIG:3933:3933}; next-auth.session-token.2=${BIG:7866}"
HUGE_COOKIE="p=$(printf '%*s' 65600 '' | tr ' ' x); next-auth.session-token=$GOOD"

# --- 1. the CLI -------------------------------------------------------------
# cli_run NAME WANT_RC STDIN_FILE ARG... (environment: CLI_ENV array)
cli_run() {
    local name=$1 want=$2 in=$3 rc=0
    shift 3
    "${VG[@]}" --log-file="$work/log/$name.log" "$TOKEN_BIN" "$@" <"$in" \
        >"$work/out/$name" 2>"$work/out/$name.err" || rc=$?
    vg_verdict "$name" "$work/log/$name.log" "$rc" "$want"
}

# the vector cases: a sample of every kind and verdict, or all of them
if [ "${VALGRIND_ALL_VECTORS:-}" = 1 ]; then
    sel='.[]'
else
    sel='.[] | select(.name | test("^(v4-valid-unicode-claims|v4-valid-exp-fractional|v4-invalid-expired-1-day|v4-invalid-flip-tag|v4-invalid-alg-none-header|v4-invalid-payload-not-json|v4-quirk-b64-noncanonical-tag|cookie-chunked-3-out-of-order|cookie-quirk-chunks-plus-unchunked|cookie-url-encoded-value|bearer-url-encoded|bearer-ignored-when-cookie-present|v5-valid-secure|v5-invalid-wrong-kid|hs256-valid-chunked|hs256-invalid-alg-none-with-hmac)$"))'
fi
n=0
while IFS= read -r c; do
    n=$((n + 1))
    name=cli/vector-$(jq -r .name <<<"$c")
    kind=$(jq -r .kind <<<"$c")
    fmt=next-auth-v4
    case $kind in jwe-v5) fmt=authjs-v5 ;; jws-hs256) fmt=jws ;; esac
    verdict=$(jq -r '.strict_expect // .expect' <<<"$c")
    want=1
    case $verdict in valid) want=0 ;; either) want='0|1' ;; esac
    in=$work/in.$n
    args=(--format "$fmt" --now "$(jq -r .now <<<"$c")")
    [ "$(jq -r '.secure // false' <<<"$c")" = true ] && args+=(--secure)
    if jq -e 'has("cookie_header") or has("authorization")' <<<"$c" >/dev/null; then
        args=(get "${args[@]}")
        if jq -e 'has("cookie_header")' <<<"$c" >/dev/null; then
            jq -j .cookie_header <<<"$c" >"$in"
            args+=(--cookie -)
            jq -e 'has("authorization")' <<<"$c" >/dev/null &&
                args+=(--authorization "$(jq -r .authorization <<<"$c")")
        else
            jq -j .authorization <<<"$c" >"$in"
            args+=(--authorization -)
        fi
    else
        jq -j .token <<<"$c" >"$in"
        args=(decode "${args[@]}" -)
    fi
    export NEXTAUTH_SECRET
    NEXTAUTH_SECRET=$(jq -r .secret <<<"$c")
    spawn cli_run "${name//\//-}" "$want" "$in" "${args[@]}"
done < <(jq -c "$sel" "$VECTORS")
export NEXTAUTH_SECRET=$SECRET
printf '%s' "$GOOD" >"$work/in.good"
printf 'next-auth.session-token=%s' "$TAMPERED" >"$work/in.tampered"
printf '%s' "$CHUNKED" >"$work/in.chunked"
printf '%s' "$HUGE_COOKIE" >"$work/in.huge"
printf '{"name":"Ada","a":%s1%s}' "$(printf '%*s' 30000 '' | tr ' ' '[')" "$(printf '%*s' 30000 '' | tr ' ' ']')" >"$work/in.deep"
: >"$work/in.empty"
spawn cli_run cli-encode-v4 0 /dev/null encode '{"name":"Ada","sub":"u1"}'
spawn cli_run cli-encode-v5 0 /dev/null encode --format authjs-v5 '{"name":"Ada","sub":"u1"}'
spawn cli_run cli-encode-jws 0 /dev/null encode --format jws '{"name":"Ada","sub":"u1"}'
spawn cli_run cli-encode-deep 2 "$work/in.deep" encode -
spawn cli_run cli-decode-good 0 "$work/in.good" decode -
spawn cli_run cli-get-tampered 1 "$work/in.tampered" get --cookie -
spawn cli_run cli-get-chunked 0 "$work/in.chunked" get --cookie -
spawn cli_run cli-get-huge 1 "$work/in.huge" get --cookie -
spawn cli_run cli-get-none 1 "$work/in.empty" get --cookie -
spawn cli_run cli-secret 0 /dev/null secret
spawn cli_run cli-usage 2 /dev/null decode --bogus x

# --- 2. the FastCGI programs as plain CGI -------------------------------------
# cgi_run NAME BIN WANT_STATUS VAR=VALUE...
cgi_run() {
    local name=$1 bin=$2 want=$3 rc=0 status
    shift 3
    env -i PATH="$PATH" NEXTAUTH_URL=http://localhost:3000 REQUEST_METHOD=GET "$@" \
        "${VG[@]}" --log-file="$work/log/$name.log" "$bin" </dev/null \
        >"$work/out/$name" 2>"$work/out/$name.err" || rc=$?
    vg_verdict "$name" "$work/log/$name.log" "$rc" 0
    status=$(head -n 1 "$work/out/$name" | tr -d '\r')
    if [ "$status" != "Status: $want" ] && [[ $(<"$work/res/$name") == ok* ]]; then
        fail "$name" "answered '$status', expected 'Status: $want'"
    fi
}
S=NEXTAUTH_SECRET=$SECRET
spawn cgi_run cgi-session-valid "$SESSION_BIN" "200 OK" "$S" "HTTP_COOKIE=next-auth.session-token=$GOOD"
spawn cgi_run cgi-session-chunked "$SESSION_BIN" "200 OK" "$S" "HTTP_COOKIE=$CHUNKED"
spawn cgi_run cgi-session-invalid "$SESSION_BIN" "200 OK" "$S" "HTTP_COOKIE=next-auth.session-token=$TAMPERED"
spawn cgi_run cgi-session-none "$SESSION_BIN" "200 OK" "$S"
spawn cgi_run cgi-session-no-secret "$SESSION_BIN" "500 Internal Server Error" NEXTAUTH_SECRET= "HTTP_COOKIE=next-auth.session-token=$GOOD"
spawn cgi_run cgi-guard-valid "$GUARD_BIN" "200 OK" "$S" REQUEST_URI=/dashboard "HTTP_COOKIE=next-auth.session-token=$GOOD"
spawn cgi_run cgi-guard-authorizer "$GUARD_BIN" "200 OK" "$S" REQUEST_URI=/dashboard FCGI_ROLE=AUTHORIZER "HTTP_COOKIE=next-auth.session-token=$GOOD"
spawn cgi_run cgi-guard-invalid "$GUARD_BIN" "307 Temporary Redirect" "$S" REQUEST_URI=/dashboard "HTTP_COOKIE=next-auth.session-token=$TAMPERED"
spawn cgi_run cgi-guard-none-api "$GUARD_BIN" "401 Unauthorized" "$S" REQUEST_URI=/api/data
spawn cgi_run cgi-guard-no-secret "$GUARD_BIN" "307 Temporary Redirect" NEXTAUTH_SECRET= REQUEST_URI=/dashboard

# --- 3. the FastCGI loop ------------------------------------------------------
# The request mix, one line each: expected status, then VAR=VALUE words
# (REQUEST_METHOD GET and the request's REQUEST_URI when none is given).
# The status may be followed by ~TEXT (the answer contains TEXT) or !TEXT (not).
mix_session=(
    "200 OK~\"user\"|HTTP_COOKIE=next-auth.session-token=$GOOD"
    "200 OK!\"user\"|HTTP_COOKIE=next-auth.session-token=$TAMPERED"
    "200 OK!\"user\"|HTTP_COOKIE=next-auth.session-token=$EXPIRED"
    "200 OK~\"user\"|HTTP_COOKIE=$CHUNKED"
    "200 OK!Set-Cookie|"
    "200 OK!\"user\"|HTTP_COOKIE=$HUGE_COOKIE"
    "405 Method Not Allowed|REQUEST_METHOD=POST"
    "200 OK~Max-Age=0|HTTP_COOKIE=next-auth.session-token.0=x; next-auth.session-token.17=y"
)
mix_guard=(
    "200 OK~X-Nextauth-User: ada@example.com|REQUEST_URI=/dashboard|HTTP_COOKIE=next-auth.session-token=$GOOD"
    "307 Temporary Redirect|REQUEST_URI=/dashboard|HTTP_COOKIE=next-auth.session-token=$TAMPERED"
    "307 Temporary Redirect|REQUEST_URI=/dashboard?next=%0d%0ax|HTTP_COOKIE=next-auth.session-token=$EXPIRED"
    "401 Unauthorized|REQUEST_URI=/api/data"
    "200 OK~X-Nextauth-User: ada@example.com|REQUEST_URI=/api/data|HTTP_AUTHORIZATION=Bearer $GOOD"
    "200 OK~X-Nextauth-User: u1|REQUEST_URI=/dashboard|HTTP_COOKIE=$CHUNKED"
    "401 Unauthorized|REQUEST_URI=/api/auth/%2e%2e/admin"
    "401 Unauthorized|REQUEST_URI=/dashboard|NEXTAUTH_GUARD_MODE=auth_request"
    "200 OK!X-Nextauth|REQUEST_URI=/api/auth/session"
    "307 Temporary Redirect|REQUEST_URI=//evil.example/%2e%2e|HTTP_COOKIE=$HUGE_COOKIE"
)

# fcgi_run NAME BIN MIX_ARRAY_NAME
fcgi_run() {
    local name=$1 bin=$2 mixname=$3[@]
    local -a mix=("${!mixname}")
    local sock=$work/$name.sock rc=0 i k want has hasnt answer line status bad=0 first=''
    local -a vars
    env -i PATH="$PATH" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_URL=http://localhost:3000 \
        NEXTAUTH_MAX_REQUESTS="$NREQ" spawn-fcgi -n -s "$sock" -- \
        "${VG[@]}" --log-file="$work/log/$name.log" "$bin" \
        >"$work/out/$name.spawn" 2>&1 &
    local pid=$!
    for ((i = 0; i < 300; i++)); do
        [ -S "$sock" ] && break
        sleep 0.1
    done
    if [ ! -S "$sock" ]; then
        kill "$pid" 2>/dev/null
        fail "$name" "the program did not start ($(head -c 300 "$work/out/$name.spawn"))"
        return
    fi
    for ((i = 0; i < NREQ; i++)); do
        k=$((i % ${#mix[@]}))
        IFS='|' read -r -a vars <<<"${mix[$k]}"
        want=${vars[0]} has='' hasnt=''
        case $want in
        *'~'*) has=${want#*'~'} want=${want%%'~'*} ;;
        *'!'*) hasnt=${want#*'!'} want=${want%%'!'*} ;;
        esac
        answer=$(env -i PATH="$PATH" REQUEST_METHOD=GET REQUEST_URI=/api/auth/session \
            "${vars[@]:1}" timeout 60 cgi-fcgi -bind -connect "$sock" </dev/null 2>/dev/null)
        line=${answer%%$'\n'*}
        status=${line%$'\r'}
        if [ -n "$has" ] && [[ $answer != *"$has"* ]]; then
            status="$status (without $has)"
        elif [ -n "$hasnt" ] && [[ $answer == *"$hasnt"* ]]; then
            status="$status (with $hasnt)"
        fi
        if [ "$status" != "Status: $want" ]; then
            bad=$((bad + 1))
            [ -n "$first" ] || first="request $i (mix $k): '$status', expected 'Status: $want'"
        fi
    done
    # the program exits after its last request: valgrind then writes its summary
    for ((i = 0; i < 600; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        fail "$name" "still running 60 s after its last request"
        return
    fi
    wait "$pid" || rc=$?
    vg_verdict "$name" "$work/log/$name.log" "$rc" 0
    if [ "$bad" -gt 0 ] && [[ $(<"$work/res/$name") == ok* ]]; then
        fail "$name" "$bad of $NREQ answers wrong; first: $first"
    fi
}
wait
running=0
fcgi_run fcgi-session-$NREQ "$SESSION_BIN" mix_session &
pids+=($!)
fcgi_run fcgi-guard-$NREQ "$GUARD_BIN" mix_guard &
pids+=($!)
wait
pids=()

# --- report -------------------------------------------------------------------
passed=0 failed=0
for r in "$work"/res/*; do
    case $r in *.log) continue ;; esac
    line=$(<"$r")
    case $line in
    ok*) passed=$((passed + 1)) ;;
    *)
        failed=$((failed + 1))
        echo "$line"
        if [ -f "$r.log" ]; then
            grep -v '^==[0-9]*== *$' "$r.log" | grep -E -A 25 'Invalid|uninitialised|definitely lost in|indirectly lost in|Mismatched|overlap|Syscall' | head -n 80
        fi
        ;;
    esac
done
[ "${VALGRIND_VERBOSE:-}" = 1 ] && cat "$work"/res/* 2>/dev/null | grep '^ok'
if [ -n "${VALGRIND_KEEP:-}" ]; then
    mkdir -p "$VALGRIND_KEEP" && cp "$work"/log/*.log "$VALGRIND_KEEP"/
fi
echo "valgrind: $((passed + failed)) runs ($NREQ FastCGI requests per program)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
