# SPDX-License-Identifier: MIT
# Helpers for the session-endpoint suites (tests/session.bats, tests/session-fcgi.bats).
# Load after helpers.bash: `load helpers` then `load session_helpers`.
#
# The program answers in CGI form on stdout (CGI mode) or in the FastCGI stdout
# stream (cgi-fcgi prints that in the same form):
#   Status: NNN Reason\r\n  Name: value\r\n …  \r\n  body
# session_parse splits such a response into $session_status, the array
# $session_headers (every header line, in order) and $session_body, and checks
# that every line ends in CRLF and that no lone CR or LF hides inside a line.

SESSION_BIN="${NEXTAUTH_SESSION_BIN:-$REPO_ROOT/cgi-bin/nextauth-session}"
# The program's arguments in session_cgi (a server may pass some: Apache's
# ISINDEX words).
SESSION_ARGS=()
TOKEN_BIN="${NEXTAUTH_TOKEN_BIN:-$REPO_ROOT/bin/nextauth-token}"

# Default session.maxAge and the chunk sizes (docs/behaviour.md, Constants).
SESSION_MAX_AGE=2592000
CHUNK_V4=3933
CHUNK_V5=3936

# The four headers every session answer starts with (docs/behaviour.md,
# Session endpoint).
SESSION_NO_CACHE=(
    "Content-Type: application/json"
    "Cache-Control: private, no-cache, no-store"
    "Pragma: no-cache"
    "Expires: 0"
)

# A jti as the uuid package / crypto.randomUUID make it: version 4, variant 10.
UUID_V4_RE='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

# sfail MESSAGE... — print the messages and the last response, then fail.
sfail() {
    {
        printf '%s\n' "$@"
        printf -- '-- exit: %s\n-- status: %s\n-- headers:\n' "${session_rc-}" "${session_status-}"
        local h
        for h in "${session_headers[@]}"; do
            if [ "${#h}" -gt 200 ]; then
                printf '   %s…(%d chars)\n' "${h:0:120}" "${#h}"
            else
                printf '   %s\n' "$h"
            fi
        done
        printf -- '-- body: %s\n-- stderr:\n%s\n--\n' "${session_body:0:400}" "${session_stderr-}"
    } >&2
    return 1
}

# http_date UNIX — the IMF-fixdate of Date.toUTCString(): "Sat, 31 Jan 2026 00:00:00 GMT".
http_date() {
    LC_ALL=C date -u -d "@$1" '+%a, %d %b %Y %H:%M:%S GMT'
}

# iso_ms UNIX_MS — Date.toISOString() of a millisecond instant.
iso_ms() {
    printf '%s.%03dZ' "$(date -u -d "@$(($1 / 1000))" '+%Y-%m-%dT%H:%M:%S')" $(($1 % 1000))
}

# session_parse FILE — split the CGI-form response in FILE (see the top).
session_parse() {
    local raw head
    session_status='' session_body='' session_headers=()
    _slurp raw "$1"
    session_raw=$raw
    case $raw in
    *$'\r\n\r\n'*) ;;
    *) sfail "the response has no CRLF CRLF between header and body" || return 1 ;;
    esac
    head=${raw%%$'\r\n\r\n'*}
    session_body=${raw#*$'\r\n\r\n'}
    case ${head//$'\r\n'/} in
    *$'\r'* | *$'\n'*) sfail "a header line holds a lone CR or LF" || return 1 ;;
    esac
    mapfile -t session_headers <<<"${head//$'\r\n'/$'\n'}"
    session_status=${session_headers[0]}
    session_headers=("${session_headers[@]:1}")
}

# session_cgi NOW [VAR=VALUE...] — run the program once as CGI with exactly
# these environment variables (plus PATH), standard input /dev/null, the clock
# frozen at unix second NOW by faketime (empty NOW: the real clock). Sets
# $session_rc, $session_stderr and what session_parse sets (when the program
# wrote anything).
session_cgi() {
    local now=$1
    shift
    local out="$BATS_TEST_TMPDIR/session.out" err="$BATS_TEST_TMPDIR/session.err"
    local -a clock=()
    if [ -n "$now" ]; then
        frozen_clock "$now"
        clock=("${FROZEN_CLOCK[@]}")
    fi
    session_rc=0
    env -i PATH="$PATH" "$@" "${clock[@]}" "$SESSION_BIN" "${SESSION_ARGS[@]}" </dev/null \
        >"$out" 2>"$err" || session_rc=$?
    _slurp session_stderr "$err"
    session_status='' session_body='' session_headers=() session_raw=''
    if [ -s "$out" ]; then
        session_parse "$out" || return 1
    fi
    return 0
}

# assert_session_status LINE — exit 0 and this exact status line.
assert_session_status() {
    [ "$session_rc" -eq 0 ] || sfail "expected exit status 0, got $session_rc" || return 1
    [ "$session_status" = "$1" ] || sfail "expected status line: $1"
}

# assert_headers LINE... — the header lines are exactly these, in this order.
assert_headers() {
    local -a want=("$@")
    local i
    [ "${#session_headers[@]}" -eq "${#want[@]}" ] ||
        sfail "expected ${#want[@]} header lines, got ${#session_headers[@]}:" "${want[@]}" ||
        return 1
    for i in "${!want[@]}"; do
        [ "${session_headers[$i]}" = "${want[$i]}" ] ||
            sfail "header line $i: expected: ${want[$i]}" || return 1
    done
}

# assert_body TEXT — the body is exactly TEXT (no newline after it).
assert_body() {
    [ "$session_body" = "$1" ] || sfail "expected body: $1"
}

# assert_no_stderr_output — the program wrote nothing on stderr.
assert_no_stderr_output() {
    [ -z "$session_stderr" ] || sfail "expected nothing on stderr"
}

# assert_one_log_line PREFIX — stderr is exactly one line starting with
# "nextauth-session: PREFIX".
assert_one_log_line() {
    local want="nextauth-session: $1"
    case $session_stderr in
    *$'\n'*$'\n'* | *[!$'\n']) sfail "expected exactly one stderr line (ending in a newline)" || return 1 ;;
    esac
    [ "${session_stderr:0:${#want}}" = "$want" ] ||
        sfail "expected a stderr line starting with: $want"
}

# refute_session_leak STRING... — none of the (non-empty) strings appears in
# the response or on stderr.
refute_session_leak() {
    local s
    for s in "$@"; do
        [ -n "$s" ] || continue
        case $session_stderr in *"$s"*) sfail "stderr carries a secret value (${#s} bytes: ${s:0:6}…)" || return 1 ;; esac
        case $session_raw in *"$s"*) sfail "the response carries a secret value (${#s} bytes: ${s:0:6}…)" || return 1 ;; esac
    done
    return 0
}

# clear_line NAME SECURE — the deletion Set-Cookie line for NAME (docs/behaviour.md,
# Writing cookies).
clear_line() {
    local sec=''
    [ "$2" = true ] && sec='; Secure'
    printf 'Set-Cookie: %s=; Max-Age=0; Path=/; HttpOnly%s; SameSite=Lax' "$1" "$sec"
}

# session_cookie_names HEADER BASE — the session cookie names of a Cookie
# header, as the program's parser sees them: split on ';', a pair without '='
# skipped, names trimmed of spaces and tabs, kept when equal to BASE or
# BASE.<n> (decimal, no leading zero, n < 16), the first occurrence of a name
# only; one a line, in request order.
session_cookie_names() {
    local hdr=$1 base=$2 pair nm
    local -A seen=()
    local IFS=';'
    for pair in $hdr; do
        case $pair in *=*) ;; *) continue ;; esac
        nm=${pair%%=*}
        nm=${nm#"${nm%%[!$' \t']*}"}
        nm=${nm%"${nm##*[!$' \t']}"}
        if [ "$nm" = "$base" ] || [[ $nm =~ ^(.*)\.(0|[1-9][0-9]?)$ && ${BASH_REMATCH[1]} = "$base" && ${BASH_REMATCH[2]} -lt 16 ]]; then
            [ -n "${seen[$nm]-}" ] && continue
            seen[$nm]=1
            printf '%s\n' "$nm"
        fi
    done
}

# check_set_cookies BASE SECURE EXPIRES_UNIX CHUNK EXPECT... — the header lines
# after the four no-cache ones are exactly the Set-Cookie lines EXPECT names,
# in order: "set NAME" (written: NAME=<token chunk>; Path=/; Expires=<date>;
# HttpOnly[; Secure]; SameSite=Lax) or "clear NAME" (the deletion line). The
# written chunks must be CHUNK characters each but the last (at most CHUNK).
# Sets $issued_cookie to a Cookie header holding the written cookies in chunk
# order (what a browser then sends), and $issued_values to the values.
check_set_cookies() {
    local base=$1 secure=$2 exp=$3 chunk=$4
    shift 4
    local -a want=("$@")
    local date sec='' i e line nm val
    date=$(http_date "$exp")
    [ "$secure" = true ] && sec='; Secure'
    [ "${#session_headers[@]}" -eq $((4 + ${#want[@]})) ] ||
        sfail "expected 4 + ${#want[@]} header lines (Set-Cookie: ${want[*]}), got ${#session_headers[@]}" ||
        return 1
    local -A written=()
    for i in "${!want[@]}"; do
        e=${want[$i]}
        nm=${e#* }
        line=${session_headers[$((4 + i))]}
        case $e in
        clear\ *)
            [ "$line" = "$(clear_line "$nm" "$secure")" ] ||
                sfail "Set-Cookie $i: expected the deletion of $nm: $(clear_line "$nm" "$secure")" ||
                return 1
            ;;
        set\ *)
            local re="^Set-Cookie: ${nm//./\\.}=([A-Za-z0-9_.-]+); Path=/; Expires=${date}; HttpOnly${sec}; SameSite=Lax\$"
            [[ $line =~ $re ]] ||
                sfail "Set-Cookie $i: expected $nm=<token>; Path=/; Expires=$date; HttpOnly$sec; SameSite=Lax" ||
                return 1
            written[$nm]=${BASH_REMATCH[1]}
            ;;
        *) sfail "bad expectation '$e'" || return 1 ;;
        esac
    done
    # Chunk order and sizes (docs/behaviour.md, Writing cookies).
    issued_cookie='' issued_values=()
    local n=${#written[@]} k
    if [ "$n" -eq 1 ] && [ -n "${written[$base]-}" ]; then
        issued_values=("${written[$base]}")
        issued_cookie="$base=${written[$base]}"
        [ "${#issued_values[0]}" -le "$chunk" ] ||
            sfail "unchunked cookie of ${#issued_values[0]} characters (chunk size $chunk)" || return 1
    elif [ "$n" -gt 0 ]; then
        for ((k = 0; k < n; k++)); do
            [ -n "${written[$base.$k]-}" ] || sfail "written chunks are not $base.0 … $base.$((n - 1))" || return 1
            val=${written[$base.$k]}
            issued_values+=("$val")
            issued_cookie+="${issued_cookie:+; }$base.$k=$val"
            if [ "$k" -lt $((n - 1)) ]; then
                [ "${#val}" -eq "$chunk" ] || sfail "chunk $k has ${#val} characters, expected $chunk" || return 1
            else
                [ "${#val}" -ge 1 ] && [ "${#val}" -le "$chunk" ] ||
                    sfail "last chunk has ${#val} characters (chunk size $chunk)" || return 1
            fi
        done
    fi
    return 0
}

# decode_issued FORMAT NOW [VAR=VALUE...] — the claims of the re-issued token
# ($issued_cookie) as `nextauth-token get` reads them at NOW (empty: the real
# clock), with these environment variables (the secret, NEXTAUTH_URL…). Sets
# $issued_claims; fails when the CLI refuses the cookie.
decode_issued() {
    local fmt=$1 now=$2
    shift 2
    local -a at=()
    [ -n "$now" ] && at=(--now "$now")
    local err="$BATS_TEST_TMPDIR/decode.err"
    issued_claims=$(env -i PATH="$PATH" "$@" "$TOKEN_BIN" get --format "$fmt" "${at[@]}" \
        --cookie "$issued_cookie" 2>"$err") ||
        sfail "nextauth-token get refused the re-issued cookie: $(cat "$err")"
}

# check_fresh_claims OLD_CLAIMS IAT MAX_AGE — $issued_claims are OLD_CLAIMS
# with iat = IAT, exp = IAT + MAX_AGE (keys kept in place, new ones appended,
# as json_object_set / {...token, iat, exp, jti} do) and a new UUID v4 jti.
check_fresh_claims() {
    local old=$1 iat=$2 max_age=$3 want got jti old_jti
    want=$(jq -c --argjson iat "$iat" --argjson exp $((iat + max_age)) \
        '.iat = $iat | .exp = $exp | .jti = "JTI"' <<<"$old")
    got=$(jq -c '.jti = "JTI"' <<<"$issued_claims")
    [ "$got" = "$want" ] ||
        sfail "re-issued claims differ" "expected: $want" "got:      $got" || return 1
    jti=$(jq -r '.jti' <<<"$issued_claims")
    old_jti=$(jq -r '.jti // ""' <<<"$old")
    [[ $jti =~ $UUID_V4_RE ]] || sfail "jti '$jti' is not a UUID v4" || return 1
    [ "$jti" != "$old_jti" ] || sfail "jti was not renewed" || return 1
}

# mint FORMAT NOW CLAIMS [ENCODE-OPTION...] — a token from `nextauth-token
# encode` made at NOW (lifetime: session.maxAge unless --max-age is given), with
# the environment variables of the array MINT_ENV (e.g. NEXTAUTH_SECRET=…).
mint() {
    local fmt=$1 now=$2 claims=$3
    shift 3
    env -i PATH="$PATH" "${MINT_ENV[@]}" "$TOKEN_BIN" encode --format "$fmt" --now "$now" "$@" "$claims"
}
