# SPDX-License-Identifier: MIT
# Helpers for the guard suite (tests/guard.bats). Load after helpers.bash:
# `load helpers` then `load guard_helpers`.
#
# cgi-bin/nextauth-guard started outside a FastCGI server answers the one CGI
# request its environment describes, on stdout:
#   Status: NNN Reason\r\n  Name: value\r\n …  \r\n  body
# guard_run runs it with exactly the variables given (plus PATH and the ones a
# test put in GUARD_ENV), the clock frozen at $NOW by faketime, and splits the
# answer into $g_status, the array $g_headers (every header line, in order),
# $g_body and $g_stderr; it checks that every header line ends in CRLF and that
# no lone CR or LF hides inside one.

# shellcheck disable=SC2154 # set by the caller or by guard_run
# shellcheck disable=SC2034,SC2153 # NOW_EXPIRES and friends are for guard.bats; SECRET comes from it

GUARD_BIN="${NEXTAUTH_GUARD_BIN:-$REPO_ROOT/cgi-bin/nextauth-guard}"
TOKEN_BIN="${NEXTAUTH_TOKEN_BIN:-$REPO_ROOT/bin/nextauth-token}"

# The fixed clock of every request, and the ISO expiry of a token minted at NOW
# with the default 30-day lifetime (1700000000 + 2592000 = 1702592000).
NOW=1700000000
NOW_EXPIRES='2023-12-14T22:13:20.000Z'
ORIGIN='http://localhost:3000'
SIGNIN="$ORIGIN/api/auth/signin?callbackUrl="

# The three fixed bodies (docs/behaviour.md, Fixed answers).
BODY_401='{"message":"You must be logged in."}'
BODY_403='{"message":"Forbidden"}'
BODY_500='{"message":"There is a problem with the server configuration. Check the server logs for more information."}'

# gfail MESSAGE... — print the messages and the last answer, then fail.
gfail() {
    {
        printf '%s\n' "$@"
        local rq=${g_request-}
        [ "${#rq}" -le 300 ] || rq="${rq:0:200}…(${#rq} chars)"
        printf -- '-- request: %s\n' "$rq"
        printf -- '-- exit: %s\n-- status: %s\n-- headers:\n' "${g_rc-}" "${g_status-}"
        local h
        for h in "${g_headers[@]}"; do
            if [ "${#h}" -gt 300 ]; then
                printf '   %s…(%d chars)\n' "${h:0:200}" "${#h}"
            else
                printf '   %s\n' "$h"
            fi
        done
        printf -- '-- body: %s\n-- stderr:\n%s\n--\n' "${g_body:0:400}" "${g_stderr-}"
    } >&2
    return 1
}

# guard_parse FILE — split the CGI answer in FILE (see the top).
guard_parse() {
    local raw head
    g_status='' g_body='' g_headers=()
    _slurp raw "$1"
    g_raw=$raw
    case $raw in
    *$'\r\n\r\n'*) ;;
    *) gfail "the answer has no CRLF CRLF between header and body" || return 1 ;;
    esac
    head=${raw%%$'\r\n\r\n'*}
    g_body=${raw#*$'\r\n\r\n'}
    case ${head//$'\r\n'/} in
    *$'\r'* | *$'\n'*) gfail "a header line holds a lone CR or LF" || return 1 ;;
    esac
    mapfile -t g_headers <<<"${head//$'\r\n'/$'\n'}"
    g_status=${g_headers[0]}
    g_headers=("${g_headers[@]:1}")
}

# GUARD_ENV: VAR=VALUE words every guard_run of the test adds (set in setup or
# in the test: the secret, NEXTAUTH_URL, NEXTAUTH_CONFIG). GUARD_ARGS: the
# program's arguments (a server may pass some: Apache's ISINDEX words).
GUARD_ENV=()
GUARD_ARGS=()

# guard_run [VAR=VALUE...] — run the guard once as CGI (see the top). Sets
# $g_rc, $g_stderr, $g_stderr_lines and what guard_parse sets.
guard_run() {
    local out="$BATS_TEST_TMPDIR/guard.out" err="$BATS_TEST_TMPDIR/guard.err"
    g_request="$*"
    g_rc=0
    frozen_clock "$NOW"
    env -i PATH="$PATH" "${GUARD_ENV[@]}" "$@" "${FROZEN_CLOCK[@]}" \
        "$GUARD_BIN" "${GUARD_ARGS[@]}" </dev/null >"$out" 2>"$err" || g_rc=$?
    _slurp g_stderr "$err"
    g_stderr_lines=()
    [ -z "$g_stderr" ] || mapfile -t g_stderr_lines <<<"${g_stderr%$'\n'}"
    g_status='' g_body='' g_headers=() g_raw=''
    if [ -s "$out" ]; then
        guard_parse "$out" || return 1
    fi
    return 0
}

# guard URI [VAR=VALUE...] — guard_run with REQUEST_URI=URI.
guard() {
    local uri=$1
    shift
    guard_run REQUEST_URI="$uri" "$@"
}

# guard_config JSON — write JSON as the config file and point GUARD_ENV at it.
guard_config() {
    printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/guard-config.json"
    GUARD_ENV+=("NEXTAUTH_CONFIG=$BATS_TEST_TMPDIR/guard-config.json")
}

# mint VAR CLAIMS [ARGS...] — VAR = a v4 token for CLAIMS minted at NOW with
# $SECRET (ARGS: more encode options, e.g. --max-age -100).
mint() {
    local __var=$1 __claims=$2 __tok
    shift 2
    __tok=$("$TOKEN_BIN" encode --secret "$SECRET" --now "$NOW" "$@" "$__claims") ||
        gfail "setup: encode $__claims failed" || return 1
    [ -n "$__tok" ] || gfail "setup: encode printed nothing" || return 1
    printf -v "$__var" '%s' "$__tok"
}

# --- assertions -------------------------------------------------------------

# expect_answer STATUS_LINE HEADER_LINE... -- BODY — exit 0, this status line,
# exactly these header lines in this order, exactly this body.
expect_answer() {
    local st=$1 i
    shift
    local -a want=()
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
        want+=("$1")
        shift
    done
    [ "${1-}" = -- ] && shift
    local body=${1-}
    [ "$g_rc" -eq 0 ] || gfail "expected exit status 0, got $g_rc" || return 1
    [ "$g_status" = "$st" ] || gfail "expected status line: $st" || return 1
    [ "${#g_headers[@]}" -eq "${#want[@]}" ] ||
        gfail "expected ${#want[@]} header lines, got ${#g_headers[@]}:" "${want[@]}" || return 1
    for i in "${!want[@]}"; do
        [ "${g_headers[$i]}" = "${want[$i]}" ] ||
            gfail "header line $i: expected: ${want[$i]}" || return 1
    done
    [ "$g_body" = "$body" ] || gfail "expected body: $body"
}

# expect_redirect LOCATION — the 307 of withAuth: Location, no-store, no body.
expect_redirect() {
    expect_answer "Status: 307 Temporary Redirect" "Location: $1" "Cache-Control: no-store"
}

# expect_signin CALLBACK — 307 to the default sign-in page on $ORIGIN with this
# (already form-encoded) callbackUrl.
expect_signin() {
    expect_redirect "$SIGNIN$1"
}

# expect_pass — responder answer for a path that is not guarded.
expect_pass() {
    expect_answer "Status: 200 OK" "Content-Type: application/json" \
        "Cache-Control: private, no-store" -- '{}'
}

expect_401() {
    expect_answer "Status: 401 Unauthorized" "Content-Type: application/json" \
        "Cache-Control: no-store" -- "$BODY_401"
}

expect_403() {
    expect_answer "Status: 403 Forbidden" "Content-Type: application/json" \
        "Cache-Control: no-store" -- "$BODY_403"
}

expect_500() {
    expect_answer "Status: 500 Internal Server Error" "Content-Type: application/json" \
        "Cache-Control: no-store" -- "$BODY_500"
}

# expect_allow_json BODY [HEADER_LINE...] — responder allow: the X-Nextauth-*
# lines given, then the JSON headers, and exactly BODY.
expect_allow_json() {
    local body=$1
    shift
    expect_answer "Status: 200 OK" "$@" "Content-Type: application/json" \
        "Cache-Control: private, no-store" -- "$body"
}

# expect_stderr TEXT — stderr is exactly TEXT plus a newline (nothing for "").
expect_stderr() {
    if [ -z "$1" ]; then
        [ -z "$g_stderr" ] || gfail "expected nothing on stderr"
    else
        [ "$g_stderr" = "$1"$'\n' ] || gfail "expected stderr exactly: $1"
    fi
}

# expect_no_stderr — nothing on stderr.
expect_no_stderr() {
    expect_stderr ""
}

# expect_stderr_has TEXT — some stderr line contains TEXT.
expect_stderr_has() {
    case $g_stderr in
    *"$1"*) ;;
    *) gfail "expected stderr to contain: $1" ;;
    esac
}

# refute_guard_leak STRING... — none of the strings appears in stdout or stderr.
refute_guard_leak() {
    local s
    for s in "$@"; do
        [ -n "$s" ] || continue
        case $g_stderr in *"$s"*) gfail "stderr carries a secret value (${#s} bytes: ${s:0:6}…)" || return 1 ;; esac
        case $g_raw in *"$s"*) gfail "stdout carries a secret value (${#s} bytes: ${s:0:6}…)" || return 1 ;; esac
    done
    return 0
}

# expect_config_error TEXT — exit 2, nothing on stdout, one stderr line
# "nextauth-guard: …" that contains TEXT.
expect_config_error() {
    [ "$g_rc" -eq 2 ] || gfail "expected exit status 2, got $g_rc" || return 1
    [ -z "$g_raw" ] && [ ! -s "$BATS_TEST_TMPDIR/guard.out" ] ||
        gfail "expected nothing on stdout (a stray line can mean \"allow\")" || return 1
    [ "${#g_stderr_lines[@]}" -eq 1 ] ||
        gfail "expected one stderr line, got ${#g_stderr_lines[@]}" || return 1
    case ${g_stderr_lines[0]} in
    "nextauth-guard: "*"$1"*) ;;
    *) gfail "expected a stderr line \"nextauth-guard: …$1…\"" ;;
    esac
}

# form_decode TEXT — application/x-www-form-urlencoded decoding into $decoded
# ('+' is a space, %XX a byte; bytes after a NUL are lost, which is fine for
# the prefix checks it serves).
form_decode() {
    local s=${1//+/ }
    s=${s//\\/\\\\}
    printf -v decoded '%b' "${s//%/\\x}"
}

# redirect_sweep MODE OUT GUARD_BIN PAYLOADS ORIGIN SECRET — run the guard once
# per line of PAYLOADS (MODE path: the line is REQUEST_URI; query: REQUEST_URI is
# /x?callbackUrl=<line>) with NEXTAUTH_URL=ORIGIN and no token, and check each
# answer: exit 0, nothing on stderr, exactly "Status: 307", "Location:
# ORIGIN/api/auth/signin?callbackUrl=<form-encoded>", "Cache-Control: no-store",
# no body, no lone CR/LF; the callbackUrl decodes to "/…" but not "//…" or "/\…"
# (query: "/x…"). Writes OUT.count (payloads read), OUT.fail (one line per
# failure) and OUT.headers ("<n>: <header line>"), then greps every answer for
# NUL and every header line for control bytes. Self-contained (runs in a clean
# bash started with `declare -f`), so it uses only _slurp and form_decode.
redirect_sweep() {
    local mode=$1 out=$2 bin=$3 list=$4 origin=$5 secret=$6
    local signin="$origin/api/auth/signin?callbackUrl="
    local dir="$out.d" n=0 p uri raw head body loc rest decoded flat why rc
    local re='^([A-Za-z0-9*._+-]|%[0-9A-F][0-9A-F])*$'
    local -a hl
    mkdir -p "$dir" || return 1
    : >"$out.fail"
    exec 3>"$out.headers" 4>>"$out.fail"
    export NEXTAUTH_URL=$origin NEXTAUTH_SECRET=$secret
    while IFS= read -r p || [ -n "$p" ]; do
        n=$((n + 1))
        if [ "$mode" = path ]; then uri=$p; else uri="/x?callbackUrl=$p"; fi
        REQUEST_URI=$uri "$bin" </dev/null >"$dir/$n.out" 2>"$dir/$n.err"
        rc=$? why=''
        _slurp raw "$dir/$n.out"
        if [ "$rc" -ne 0 ]; then
            why="exit $rc"
        elif [ -s "$dir/$n.err" ]; then
            why="stderr not empty"
        elif [[ $raw != *$'\r\n\r\n'* ]]; then
            why="no end of header"
        else
            head=${raw%%$'\r\n\r\n'*} body=${raw#*$'\r\n\r\n'}
            flat=${head//$'\r\n'/}
            IFS=$'\n' read -r -d '' -a hl <<<"${head//$'\r\n'/$'\n'}"
            printf "$n: %s\n" "${hl[@]}" >&3
            loc=${hl[1]#Location: }
            rest=${loc#"$signin"}
            if [[ $flat == *$'\r'* || $flat == *$'\n'* ]]; then
                why="lone CR or LF in the header"
            elif [ "${hl[0]}" != "Status: 307 Temporary Redirect" ] || [ "${#hl[@]}" -ne 3 ] ||
                [ "${hl[2]}" != "Cache-Control: no-store" ] || [ -n "$body" ]; then
                why="not the sign-in 307: ${hl[0]}"
            elif [ "${hl[1]:0:10}" != "Location: " ] || [ "${loc:0:${#signin}}" != "$signin" ]; then
                why="Location not on the sign-in page: ${loc:0:120}"
            elif ! [[ $rest =~ $re ]]; then
                why="callbackUrl not form-encoded: ${rest:0:120}"
            else
                form_decode "$rest"
                if [ "${decoded:0:1}" != / ] || [ "${decoded:0:2}" = // ] ||
                    [ "${decoded:0:2}" = "/\\" ]; then
                    why="callbackUrl decodes to ${decoded:0:80}"
                elif [ "$mode" = query ] && [ "${decoded:0:2}" != /x ]; then
                    why="callbackUrl lost its path: ${decoded:0:80}"
                fi
            fi
        fi
        [ -z "$why" ] || printf '%s payload %d (%q): %s\n' "$mode" "$n" "$p" "$why" >&4
    done <"$list"
    exec 3>&- 4>&-
    # NUL bytes (the shell's reads drop them) and control bytes in header lines
    LC_ALL=C grep -laP '\x00' "$dir"/*.out | sed "s|^|$mode: NUL byte in |" >>"$out.fail"
    LC_ALL=C grep -aP '[\x00-\x08\x0a-\x1f\x7f]' "$out.headers" |
        sed "s|^|$mode: control byte in header line |" >>"$out.fail"
    echo "$n" >"$out.count"
}
