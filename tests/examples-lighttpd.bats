#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The two examples of cgi-bin/examples/ behind a private lighttpd (mod_fastcgi
# "bin-path": lighttpd spawns each program and keeps it serving), asked with
# curl: the same answers as tests/examples.bats gets in CGI mode, now through
# the server and over FastCGI, with several requests answered by one process.
#
# Mounts: /api/hello → hello-api, /protected → protected-page (both with the
# secret), and /nosecret-api/hello, /nosecret-page → the same programs without
# one. No clock can be faked for a server: tokens are minted now and the times
# in the answers are checked against the clock read around each request.
# NEXTAUTH_EXAMPLES_DIR runs other builds of the two examples.

# shellcheck disable=SC2154 # session_status, session_headers…: set by session_parse
# shellcheck disable=SC2034 # MINT_ENV, session_rc, issued_cookie…: read by the session_helpers functions
load helpers
load session_helpers
# shellcheck source=tests/lib/lighttpd.sh
. "$BATS_TEST_DIRNAME/lib/lighttpd.sh"

SECRET='examples-lighttpd-secret-5b8e1d7c3a9f2046'
V4=next-auth.session-token
HELLO="${NEXTAUTH_EXAMPLES_DIR:-$REPO_ROOT/cgi-bin/examples}/hello-api"
PAGE="${NEXTAUTH_EXAMPLES_DIR:-$REPO_ROOT/cgi-bin/examples}/protected-page"
CLAIMS='{"name":"Ada Lovelace","email":"ada@example.com","picture":"https://example.com/ada.png","sub":"user-1"}'
HELLO_401='{"message":"You must be logged in."}'
HELLO_200='{"message":"Success"}'
PAGE_HEAD=$'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Protected page</title></head>\n<body>\n<pre>'
PAGE_TAIL=$'</pre>\n</body>\n</html>\n'

setup_file() {
    local tool
    for tool in lighttpd curl jq; do
        command -v "$tool" >/dev/null || { echo "$tool is not installed (sh tools/deps.sh)" >&2; return 1; }
    done
    for tool in "$HELLO" "$PAGE" "$TOKEN_BIN"; do
        [ -x "$tool" ] || { echo "$tool is not built (make)" >&2; return 1; }
    done
    local dir=$BATS_FILE_TMPDIR
    # unix socket paths must stay short (sun_path holds 107 bytes)
    if [ "${#dir}" -gt 60 ]; then
        dir=$(mktemp -d /tmp/na-examples-lt.XXXXXX)
        echo "$dir" >"$BATS_FILE_TMPDIR/short-dir"
    fi
    export SRV_ROOT=$dir

    cat >"$SRV_ROOT/lighttpd.conf.in" <<'EOF'
server.document-root = "@DIR@/www"
server.bind = "127.0.0.1"
server.port = @PORT@
server.pid-file = "@DIR@/run/lighttpd.pid"
server.errorlog = "@DIR@/logs/error.log"
server.modules = ("mod_fastcgi")
fastcgi.server = (
  "/api/hello" => ((
    "bin-path" => "@HELLO@",
    "socket" => "@DIR@/run/hello.sock",
    "check-local" => "disable",
    "max-procs" => 1,
    "bin-environment" => ( "NEXTAUTH_SECRET" => "@SECRET@" ),
    "bin-copy-environment" => ( "PATH" ),
  )),
  "/protected" => ((
    "bin-path" => "@PAGE@",
    "socket" => "@DIR@/run/page.sock",
    "check-local" => "disable",
    "max-procs" => 1,
    "bin-environment" => ( "NEXTAUTH_SECRET" => "@SECRET@" ),
    "bin-copy-environment" => ( "PATH" ),
  )),
  "/nosecret-api/hello" => ((
    "bin-path" => "@HELLO@",
    "socket" => "@DIR@/run/hello-ns.sock",
    "check-local" => "disable",
    "max-procs" => 1,
    "bin-copy-environment" => ( "PATH" ),
  )),
  "/nosecret-page" => ((
    "bin-path" => "@PAGE@",
    "socket" => "@DIR@/run/page-ns.sock",
    "check-local" => "disable",
    "max-procs" => 1,
    "bin-copy-environment" => ( "PATH" ),
  )),
)
EOF
    lt_start "$SRV_ROOT/lt" "$SRV_ROOT/lighttpd.conf.in" HELLO="$HELLO" PAGE="$PAGE" \
        SECRET="$SECRET" || return 1
}

teardown_file() {
    lt_stop "$SRV_ROOT/lt"
    if [ -f "$BATS_FILE_TMPDIR/short-dir" ]; then
        rm -rf "$(<"$BATS_FILE_TMPDIR/short-dir")"
    fi
}

setup() {
    clean_env
    MINT_ENV=(NEXTAUTH_SECRET="$SECRET")
}

# fresh_token [CLAIMS] — a token minted now (30 days).
fresh_token() {
    mint next-auth-v4 "$(date +%s)" "${1:-$CLAIMS}"
}

# http PATH [CURL-OPTION...] — one request to lighttpd; the answer split like a
# CGI answer: $session_status ("HTTP/1.1 200 OK"), $session_headers,
# $session_body; $t0/$t1 the clock (ms) around the request.
http() {
    local path=$1 out="$BATS_TEST_TMPDIR/http.out"
    shift
    t0=$(date +%s%3N)
    session_rc=0
    curl -s -i --max-time 10 "$@" "$LT_URL$path" >"$out" || session_rc=$?
    t1=$(date +%s%3N)
    session_stderr=''
    session_parse "$out"
}

# ours [-c TOKEN] LINE... — the header lines start with exactly the program's
# LINEs (then, with -c, the rolled session cookie for TOKEN, see rolled); after
# them come only the lines lighttpd adds (Content-Length, when sent, is the
# body's length, except for HEAD).
ours() {
    local tok='' i line
    if [ "$1" = -c ]; then
        tok=$2
        shift 2
    fi
    local -a want=("$@")
    local n=${#want[@]}
    for ((i = 0; i < n; i++)); do
        [ "${session_headers[$i]-}" = "${want[$i]}" ] ||
            sfail "header line $i: expected: ${want[$i]}" || return 1
    done
    if [ -n "$tok" ]; then
        rolled "$n" "$tok" || return 1
        n=$((n + 1))
    fi
    for ((i = n; i < ${#session_headers[@]}; i++)); do
        line=${session_headers[$i]}
        case $line in
        "Content-Length: "*)
            [ -n "${HEAD_REQUEST-}" ] ||
                [ "${line#Content-Length: }" -eq "$(printf '%s' "$session_body" | wc -c)" ] ||
                sfail "Content-Length is not the body's length" || return 1
            ;;
        "Accept-Ranges: bytes" | "Date: "* | "Server: lighttpd/"*) ;;
        *) sfail "unexpected header line $i: $line" || return 1 ;;
        esac
    done
}

# rolled N OLD_TOKEN — header line N is the rolled session cookie, Expires in
# [t0, t1] + 30 days, carrying OLD_TOKEN's claims re-issued at that second.
# Sets $rolled_secs (the cookie's Expires, unix seconds).
rolled() {
    local n=$1 tok=$2 line re old
    line=${session_headers[$n]-}
    re="^Set-Cookie: ${V4//./\\.}=([A-Za-z0-9_.-]+); Path=/; Expires=([^;]+); HttpOnly; SameSite=Lax\$"
    [[ $line =~ $re ]] || sfail "header line $n: expected the rolled cookie $V4=…" || return 1
    rolled_secs=$(date -u -d "${BASH_REMATCH[2]}" +%s)
    [ "$rolled_secs" -ge $((t0 / 1000 + SESSION_MAX_AGE)) ] &&
        [ "$rolled_secs" -le $((t1 / 1000 + SESSION_MAX_AGE)) ] ||
        sfail "Expires is not now + 30 days" || return 1
    issued_cookie="$V4=${BASH_REMATCH[1]}"
    old=$(env -i NEXTAUTH_SECRET="$SECRET" "$TOKEN_BIN" decode "$tok") || return 1
    decode_issued next-auth-v4 "" NEXTAUTH_SECRET="$SECRET" || return 1
    check_fresh_claims "$old" $((rolled_secs - SESSION_MAX_AGE)) "$SESSION_MAX_AGE"
}

# error_log_has TEXT — lighttpd's error log contains TEXT.
error_log_has() {
    grep -qF -- "$1" "$LT_DIR/logs/error.log"
}

# --- hello-api -------------------------------------------------------------------

@test "lighttpd hello-api: no session → 401 You must be logged in." {
    http /api/hello
    assert_session_status "HTTP/1.1 401 Unauthorized"
    ours "Content-Type: application/json" "Cache-Control: no-store"
    assert_body "$HELLO_401"
}

@test "lighttpd hello-api: a session → 200 Success with the rolled cookie" {
    local tok
    tok=$(fresh_token)
    http /api/hello -H "Cookie: theme=dark; $V4=$tok"
    assert_session_status "HTTP/1.1 200 OK"
    ours -c "$tok" "Content-Type: application/json"
    assert_body "$HELLO_200"
    ! error_log_has "$tok" && ! error_log_has "$SECRET" || sfail "the error log carries the token or the secret"
}

@test "lighttpd hello-api: an expired cookie → 401, cleared, JWT_SESSION_ERROR in the error log" {
    local tok marker
    tok=$(mint next-auth-v4 $(($(date +%s) - 100)) '{"sub":"expired-'$RANDOM$RANDOM'"}' --max-age 60)
    http /api/hello -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 401 Unauthorized"
    ours "Content-Type: application/json" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_body "$HELLO_401"
    marker="header $((${#V4} + 1 + ${#tok})) bytes"
    srv_poll 5 error_log_has "FastCGI-stderr:nextauth: JWT_SESSION_ERROR: token expired" ||
        { lt_dump; sfail "no JWT_SESSION_ERROR line in the error log"; }
    error_log_has "$marker" || { lt_dump; sfail "no line for this request ($marker)"; }
    ! error_log_has "$tok" || sfail "the error log carries the token"
}

@test "lighttpd hello-api: a tampered cookie → 401 and cleared" {
    local tok c
    tok=$(fresh_token)
    c=${tok:60:1} # inside the ciphertext (header 38, "..", IV 16, ".")
    [ "$c" = A ] && c=B || c=A
    http /api/hello -H "Cookie: $V4=${tok:0:60}$c${tok:61}"
    assert_session_status "HTTP/1.1 401 Unauthorized"
    ours "Content-Type: application/json" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_body "$HELLO_401"
}

@test "lighttpd hello-api: HEAD → the same status and headers, no body" {
    local tok HEAD_REQUEST=1
    tok=$(fresh_token)
    http /api/hello -I -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 200 OK"
    ours -c "$tok" "Content-Type: application/json"
    assert_body ""
    http /api/hello -I
    assert_session_status "HTTP/1.1 401 Unauthorized"
    ours "Content-Type: application/json" "Cache-Control: no-store"
    assert_body ""
}

@test "lighttpd hello-api: no secret → never 200 (401), NO_SECRET in the error log" {
    local tok
    tok=$(fresh_token)
    http /nosecret-api/hello -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 401 Unauthorized"
    ours "Content-Type: application/json" "Cache-Control: no-store"
    assert_body "$HELLO_401"
    srv_poll 5 error_log_has "FastCGI-stderr:nextauth: NO_SECRET: " ||
        { lt_dump; sfail "no NO_SECRET line in the error log"; }
}

# --- protected-page ---------------------------------------------------------------

@test "lighttpd protected-page: no session → 307 to /" {
    http /protected
    assert_session_status "HTTP/1.1 307 Temporary Redirect"
    ours "Location: /" "Cache-Control: no-store"
    assert_body ""
}

@test "lighttpd protected-page: a session → the HTML page (escaped JSON) with the rolled cookie" {
    local tok claims iso
    claims='{"name":"<script>&\"'\''","email":"ada@example.com","picture":null,"sub":"user-1"}'
    tok=$(fresh_token "$claims")
    http /protected/dashboard?tab=1 -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 200 OK"
    ours -c "$tok" "Content-Type: text/html; charset=utf-8"
    # the body's expires is the cookie's Expires, to the millisecond
    [[ $session_body =~ \&quot\;expires\&quot\;:\ \&quot\;([0-9T:.-]+Z)\&quot\; ]] ||
        sfail "no expires in the page" || return 1
    iso=${BASH_REMATCH[1]}
    [ "$(date -u -d "$iso" +%s)" = "$rolled_secs" ] || sfail "expires $iso is not the cookie's"
    local IFS=$'\n'
    local -a json=(
        '{'
        '  &quot;user&quot;: {'
        '    &quot;name&quot;: &quot;&lt;script&gt;&amp;\&quot;&#x27;&quot;,'
        '    &quot;email&quot;: &quot;ada@example.com&quot;,'
        '    &quot;image&quot;: null'
        '  },'
        "  &quot;expires&quot;: &quot;$iso&quot;"
        '}'
    )
    assert_body "$PAGE_HEAD${json[*]}$PAGE_TAIL"
}

@test "lighttpd protected-page: expired cookie → 307 to / with the cookie cleared" {
    local tok
    tok=$(mint next-auth-v4 $(($(date +%s) - 100)) "$CLAIMS" --max-age 60)
    http /protected -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 307 Temporary Redirect"
    ours "Location: /" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_body ""
}

@test "lighttpd protected-page: HEAD → the page's status and headers, no body" {
    local tok HEAD_REQUEST=1
    tok=$(fresh_token)
    http /protected -I -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 200 OK"
    ours -c "$tok" "Content-Type: text/html; charset=utf-8"
    assert_body ""
}

@test "lighttpd protected-page: no secret → never 200 (307 to /)" {
    http /nosecret-page -H "Cookie: $V4=$(fresh_token)"
    assert_session_status "HTTP/1.1 307 Temporary Redirect"
    ours "Location: /" "Cache-Control: no-store"
}

# --- one process, many requests ------------------------------------------------------

@test "lighttpd: one process answers mixed requests; nothing of one request leaks into the next" {
    local tok i pids_before pids_after
    tok=$(fresh_token)
    pids_before=$(lt_children "$LT_DIR" | sort | tr '\n' ' ')
    for i in 1 2 3 4 5 6 7 8 9 10; do
        http /api/hello -H "Cookie: $V4=$tok"
        assert_session_status "HTTP/1.1 200 OK"
        ours -c "$tok" "Content-Type: application/json"
        assert_body "$HELLO_200"
        http /api/hello
        assert_session_status "HTTP/1.1 401 Unauthorized"
        ours "Content-Type: application/json" "Cache-Control: no-store"
        http /api/hello -H "Cookie: $V4=garbage-$i"
        assert_session_status "HTTP/1.1 401 Unauthorized"
        ours "Content-Type: application/json" "Cache-Control: no-store" "$(clear_line "$V4" false)"
        http /protected -H "Cookie: $V4=$tok"
        assert_session_status "HTTP/1.1 200 OK"
        ours -c "$tok" "Content-Type: text/html; charset=utf-8"
        http /protected
        assert_session_status "HTTP/1.1 307 Temporary Redirect"
        ours "Location: /" "Cache-Control: no-store"
    done
    pids_after=$(lt_children "$LT_DIR" | sort | tr '\n' ' ')
    [ "$pids_before" = "$pids_after" ] || sfail "the FastCGI processes changed: $pids_before → $pids_after"
}
