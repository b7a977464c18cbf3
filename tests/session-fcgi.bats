#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# cgi-bin/nextauth-session over FastCGI:
#   (a) under spawn-fcgi on loopback TCP, asked with `cgi-fcgi -bind -connect`;
#   (b) spawned by a private lighttpd (mod_fastcgi "bin-path", mounted at
#       /api/auth/session), asked with curl;
#   (c) memory: 10 000 requests through lighttpd to the spawn-fcgi process,
#       whose resident size must not grow by 64 KiB or more after warm-up;
#   (d) its twin for database sessions: the guard (read-only) on a SQLite file
#       of 10 000 sessions, under spawn-fcgi as lighttpd's authorizer, each
#       request a session of its own: at most 4 MiB resident, and no growth
#       of 64 KiB or more after the first 1 000 requests. The file is
#       tests/bench/db.sh's (sqlite3; 4.5 MB, more than SQLite's default page
#       cache of 2 MB, so that a cache grown past the budget would show).
# The servers run on free loopback ports with all their files in this file's
# temp folder; teardown_file stops them by pid. No clock can be faked for a
# server, so the tokens are minted now with `nextauth-token encode` and the
# times in the answers are checked against the clock read around the request.
# Tools: lighttpd, spawn-fcgi, cgi-fcgi (libfcgi-bin) and curl, all Debian
# packages already in INSTALL's test list; no load generator is needed (curl
# reads 1 000 URLs from a config file and keeps its connection open).

load helpers
load session_helpers
. "$BATS_TEST_DIRNAME/lib/lighttpd.sh"
. "$BATS_TEST_DIRNAME/lib/spawn-fcgi.sh"

SECRET='session-fcgi-secret-3e7a1c9d5b2f8046'
V4=next-auth.session-token
CLAIMS='{"name":"Ada Lovelace","email":"ada@example.com","picture":"https://example.com/ada.png","sub":"user-1"}'
SESSION_USER='{"name":"Ada Lovelace","email":"ada@example.com","image":"https://example.com/ada.png"}'

setup_file() {
    local tool
    for tool in lighttpd spawn-fcgi cgi-fcgi curl; do
        command -v "$tool" >/dev/null || { echo "$tool is not installed (sh tools/deps.sh)" >&2; return 1; }
    done
    [ -x "$SESSION_BIN" ] || { echo "$SESSION_BIN is not built (make)" >&2; return 1; }
    local dir=$BATS_FILE_TMPDIR
    # unix socket paths must stay short (sun_path holds 107 bytes)
    if [ "${#dir}" -gt 60 ]; then
        dir=$(mktemp -d /tmp/na-session-fcgi.XXXXXX)
        echo "$dir" >"$BATS_FILE_TMPDIR/short-dir"
    fi
    export SRV_ROOT=$dir

    sf_start "$SRV_ROOT/sf" "$SESSION_BIN" NEXTAUTH_SECRET="$SECRET" || return 1

    cat >"$SRV_ROOT/lighttpd.conf.in" <<'EOF'
server.document-root = "@DIR@/www"
server.bind = "127.0.0.1"
server.port = @PORT@
server.pid-file = "@DIR@/run/lighttpd.pid"
server.errorlog = "@DIR@/logs/error.log"
server.modules = ("mod_fastcgi")
# A 3-chunk session cookie is ~12 KB; lighttpd answers 431 past 8 KiB otherwise.
server.max-request-field-size = 65535
fastcgi.server = (
  "/api/auth/session" => ((
    "bin-path" => "@PROG@",
    "socket" => "@DIR@/run/session.sock",
    "check-local" => "disable",
    "max-procs" => 1,
    "bin-environment" => ( "NEXTAUTH_SECRET" => "@SECRET@" ),
    "bin-copy-environment" => ( "PATH" ),
  )),
  # the spawn-fcgi process of (a), for the load of (c)
  "/spawned/" => ((
    "host" => "127.0.0.1",
    "port" => @SF_PORT@,
    "check-local" => "disable",
  )),
)
EOF
    lt_start "$SRV_ROOT/lt" "$SRV_ROOT/lighttpd.conf.in" PROG="$SESSION_BIN" SECRET="$SECRET" \
        SF_PORT="$SF_PORT" || return 1
}

teardown_file() {
    sf_stop "$SRV_ROOT/sfargs"
    lt_stop "$SRV_ROOT/dbmem/lt"
    sf_stop "$SRV_ROOT/dbmem/sf"
    lt_stop "$SRV_ROOT/lt"
    sf_stop "$SRV_ROOT/sf"
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

# --- (a) spawn-fcgi + cgi-fcgi -------------------------------------------------

# fcgi_request [VAR=VALUE...] — one request to the spawn-fcgi process with
# exactly these FastCGI parameters; sets what session_cgi sets (stderr: the
# FastCGI stderr stream) and $t0/$t1, the clock (ms) around the request.
fcgi_request() {
    local out="$BATS_TEST_TMPDIR/fcgi.out" err="$BATS_TEST_TMPDIR/fcgi.err"
    t0=$(date +%s%3N)
    session_rc=0
    env -i "$@" "$(command -v cgi-fcgi)" -bind -connect "127.0.0.1:$SF_PORT" </dev/null >"$out" 2>"$err" ||
        session_rc=$?
    t1=$(date +%s%3N)
    _slurp session_stderr "$err"
    session_status='' session_body='' session_headers=() session_raw=''
    if [ -s "$out" ]; then
        session_parse "$out" || return 1
    fi
}

# the four no-cache lines first
assert_no_cache_first_fcgi() {
    local i
    for i in 0 1 2 3; do
        [ "${session_headers[$i]-}" = "${SESSION_NO_CACHE[$i]}" ] ||
            sfail "header line $i: expected: ${SESSION_NO_CACHE[$i]}" || return 1
    done
}

# check_live_session OLD_CLAIMS T0_MS T1_MS — the answer is a session whose
# expires lies in [T0, T1] + 30 days (to the ms), with the rolled cookie for
# exactly that second and a token re-issued at it (iat, exp, new jti).
check_live_session() {
    local old=$1 t0=$2 t1=$3 re exp_ms secs
    re='^\{"user":(.*),"expires":"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\.([0-9]{3})Z"\}$'
    [[ $session_body =~ $re ]] || sfail "not a session body" || return 1
    [ "${BASH_REMATCH[1]}" = "$SESSION_USER" ] || sfail "expected user $SESSION_USER" || return 1
    secs=$(date -u -d "${BASH_REMATCH[2]}Z" +%s)
    exp_ms=$((secs * 1000 + 10#${BASH_REMATCH[3]}))
    [ "$exp_ms" -ge $((t0 + SESSION_MAX_AGE * 1000)) ] && [ "$exp_ms" -le $((t1 + SESSION_MAX_AGE * 1000)) ] ||
        sfail "expires is not now + 30 days (request between $t0 and $t1 ms)" || return 1
    check_set_cookies "$V4" false "$secs" "$CHUNK_V4" "${want_cookies[@]:-set $V4}" || return 1
    decode_issued next-auth-v4 "" NEXTAUTH_SECRET="$SECRET" || return 1
    check_fresh_claims "$old" $((secs - SESSION_MAX_AGE)) "$SESSION_MAX_AGE"
}

@test "fcgi: spawn-fcgi + cgi-fcgi: a valid cookie gets 200, the session, a rolled cookie; no log" {
    local tok old
    tok=$(fresh_token)
    old=$(env -i NEXTAUTH_SECRET="$SECRET" "$TOKEN_BIN" decode "$tok")
    fcgi_request REQUEST_METHOD=GET HTTP_COOKIE="theme=dark; $V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_no_cache_first_fcgi
    check_live_session "$old" "$t0" "$t1"
    assert_no_stderr_output
    refute_session_leak "$SECRET" "$tok"
}

@test "fcgi: spawn-fcgi + cgi-fcgi: no cookie gets 200 {} and the no-cache headers only" {
    fcgi_request REQUEST_METHOD=GET
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_no_stderr_output
}

@test "fcgi: spawn-fcgi + cgi-fcgi: a garbage cookie is cleared, JWT_SESSION_ERROR on the FastCGI stderr stream" {
    fcgi_request REQUEST_METHOD=GET HTTP_COOKIE="$V4=garbage-token-value-123456"
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}" "$(clear_line "$V4" false)"
    assert_body '{}'
    assert_one_log_line "JWT_SESSION_ERROR: "
    refute_session_leak garbage-token-value-123456 "$SECRET"
    # the process goes on serving
    fcgi_request REQUEST_METHOD=HEAD
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body ''
}

@test "fcgi: spawn-fcgi + cgi-fcgi: POST gets 405 with Allow: GET, HEAD" {
    fcgi_request REQUEST_METHOD=POST CONTENT_LENGTH=0 HTTP_COOKIE="$V4=$(fresh_token)"
    assert_session_status "Status: 405 Method Not Allowed"
    assert_headers "Content-Type: application/json" "Allow: GET, HEAD"
    assert_body '{"message":"Method Not Allowed"}'
    assert_no_stderr_output
}

@test "fcgi: arguments (--help --version) do not make a command line when standard input is the FastCGI socket" {
    # spawn-fcgi hands the socket on to a script that runs the program with arguments
    printf '#!/bin/sh\nexec "%s" --help --version\n' "$SESSION_BIN" >"$SRV_ROOT/with-args.sh"
    chmod +x "$SRV_ROOT/with-args.sh"
    local port=$SF_PORT dir=$SF_DIR pid=$SF_PID
    sf_start "$SRV_ROOT/sfargs" "$SRV_ROOT/with-args.sh" NEXTAUTH_SECRET="$SECRET" || return 1
    fcgi_request REQUEST_METHOD=GET
    sf_stop "$SRV_ROOT/sfargs"
    export SF_PORT=$port SF_DIR=$dir SF_PID=$pid
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_no_stderr_output
}

# --- (b) lighttpd, bin-path ------------------------------------------------------

# http [CURL-OPTION...] — a request to lighttpd's /api/auth/session; the
# answer (status line, headers, body) is split like a CGI answer: $session_status
# ("HTTP/1.1 200 OK"), $session_headers, $session_body; $t0/$t1 as above.
http() {
    local out="$BATS_TEST_TMPDIR/http.out"
    t0=$(date +%s%3N)
    session_rc=0
    curl -s -i --max-time 10 "$@" "$LT_URL/api/auth/session" >"$out" || session_rc=$?
    t1=$(date +%s%3N)
    session_stderr=''
    session_parse "$out"
}

# assert_lighttpd_tail — after the program's header lines (the first N), only
# the ones lighttpd adds; Content-Length, when sent, is the body's length.
assert_lighttpd_tail() {
    local n=$1 i line
    for ((i = n; i < ${#session_headers[@]}; i++)); do
        line=${session_headers[$i]}
        case $line in
        "Content-Length: "*)
            [ "${line#Content-Length: }" -eq "$(printf '%s' "$session_body" | wc -c)" ] ||
                sfail "Content-Length is not the body's length" || return 1
            ;;
        "Accept-Ranges: bytes" | "Date: "* | "Server: lighttpd/"*) ;;
        *) sfail "unexpected header line $i from lighttpd: $line" || return 1 ;;
        esac
    done
}

# error_log_has TEXT — lighttpd's error log contains TEXT.
error_log_has() {
    grep -qF -- "$1" "$LT_DIR/logs/error.log"
}

@test "lighttpd: a valid cookie gets 200, the session and the rolled cookie" {
    local tok old
    tok=$(fresh_token)
    old=$(env -i NEXTAUTH_SECRET="$SECRET" "$TOKEN_BIN" decode "$tok")
    http -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 200 OK"
    assert_no_cache_first_fcgi
    [[ ${session_headers[4]} == "Set-Cookie: $V4="* ]] || sfail "expected the Set-Cookie line fifth"
    local -a ours=("${session_headers[@]:0:5}") all=("${session_headers[@]}")
    session_headers=("${ours[@]}")
    check_live_session "$old" "$t0" "$t1"
    session_headers=("${all[@]}")
    assert_lighttpd_tail 5
    ! error_log_has "$tok" && ! error_log_has "$SECRET" || sfail "the error log carries the token or the secret"
}

@test "lighttpd: no cookie gets 200 {}" {
    http
    assert_session_status "HTTP/1.1 200 OK"
    local -a all=("${session_headers[@]}")
    session_headers=("${all[@]:0:4}")
    assert_headers "${SESSION_NO_CACHE[@]}"
    session_headers=("${all[@]}")
    assert_lighttpd_tail 4
    assert_body '{}'
}

@test "lighttpd: a garbage cookie is cleared and JWT_SESSION_ERROR reaches the error log (FastCGI-stderr)" {
    local marker=garbage-lighttpd-$RANDOM$RANDOM
    http -H "Cookie: $V4=$marker"
    assert_session_status "HTTP/1.1 200 OK"
    local -a all=("${session_headers[@]}")
    session_headers=("${all[@]:0:5}")
    assert_headers "${SESSION_NO_CACHE[@]}" "$(clear_line "$V4" false)"
    session_headers=("${all[@]}")
    assert_lighttpd_tail 5
    assert_body '{}'
    # The line carries the cookie's byte count (${#marker} + name): find it by that.
    local want="FastCGI-stderr:nextauth-session: JWT_SESSION_ERROR: "
    srv_poll 5 error_log_has "$want" || { lt_dump; sfail "no '$want' line in the error log"; }
    error_log_has "header $((${#V4} + 1 + ${#marker})) bytes" ||
        { lt_dump; sfail "no JWT_SESSION_ERROR line for this request"; }
    ! error_log_has "$marker" && ! error_log_has "$SECRET" ||
        sfail "the error log carries the cookie value or the secret"
}

@test "lighttpd: a 3-chunk session cookie (over 8 KiB of header) works and comes back as .0 .1 .2" {
    local pad tok old now
    printf -v pad '%*s' 7000 ''
    now=$(date +%s)
    tok=$(mint next-auth-v4 "$now" "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"picture\":\"https://example.com/ada.png\",\"sub\":\"user-1\",\"access_token\":\"${pad// /a}\"}")
    [ "${#tok}" -gt $((2 * CHUNK_V4)) ] && [ "${#tok}" -le $((3 * CHUNK_V4)) ]
    old=$(env -i NEXTAUTH_SECRET="$SECRET" "$TOKEN_BIN" decode "$tok")
    local cookie="$V4.0=${tok:0:3933}; $V4.1=${tok:3933:3933}; $V4.2=${tok:7866}"
    [ "${#cookie}" -gt 8192 ]
    http -H "Cookie: $cookie"
    assert_session_status "HTTP/1.1 200 OK"
    local -a all=("${session_headers[@]}")
    session_headers=("${all[@]:0:7}")
    want_cookies=("set $V4.0" "set $V4.1" "set $V4.2")
    check_live_session "$old" "$t0" "$t1"
    session_headers=("${all[@]}")
    assert_lighttpd_tail 7
}

@test "lighttpd: HEAD gets the headers and the rolled cookie, no body" {
    local tok
    tok=$(fresh_token)
    http -I -H "Cookie: $V4=$tok"
    assert_session_status "HTTP/1.1 200 OK"
    assert_no_cache_first_fcgi
    local re="^Set-Cookie: $V4=[A-Za-z0-9_.-]+; Path=/; Expires=[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT; HttpOnly; SameSite=Lax\$"
    [[ ${session_headers[4]} =~ $re ]] || sfail "expected the rolled cookie fifth"
    assert_lighttpd_tail 5
    assert_body ''
}

@test "lighttpd: POST gets 405 with Allow: GET, HEAD" {
    http -d '' -H "Cookie: $V4=$(fresh_token)"
    assert_session_status "HTTP/1.1 405 Method Not Allowed"
    local -a all=("${session_headers[@]}")
    session_headers=("${all[@]:0:2}")
    assert_headers "Content-Type: application/json" "Allow: GET, HEAD"
    session_headers=("${all[@]}")
    assert_lighttpd_tail 2
    assert_body '{"message":"Method Not Allowed"}'
}

# --- (c) memory -------------------------------------------------------------------

# load_1000 CONFIG COOKIE — 1 000 GETs by one curl (URLs from CONFIG, one kept
# connection); every one must answer 200.
load_1000() {
    local codes="$BATS_TEST_TMPDIR/codes"
    curl -s --max-time 60 -K "$1" -H "Cookie: $2" -w '%{http_code}\n' >"$codes" ||
        sfail "curl failed ($?)" || return 1
    [ "$(grep -c '^200$' "$codes")" -eq 1000 ] ||
        sfail "not 1000 answers 200: $(sort "$codes" | uniq -c | tr '\n' ' ')"
}

rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

@test "memory: 10 000 valid requests to the spawn-fcgi process: VmRSS grows by less than 64 KiB after the first 1 000" {
    local cfg="$BATS_TEST_TMPDIR/urls.curl" tok i rss1 rss2 url="$LT_URL/spawned/api/auth/session"
    tok=$(fresh_token)
    for ((i = 0; i < 1000; i++)); do
        printf 'url = "%s"\noutput = "/dev/null"\n' "$url"
    done >"$cfg"
    srv_alive "$SF_PID" || sfail "the spawn-fcgi process is gone"
    # the load takes the valid-session path (decrypt, re-encrypt, Set-Cookie)
    [[ $(curl -s --max-time 10 -H "Cookie: $V4=$tok" "$url") == '{"user":'"$SESSION_USER"',"expires":"'* ]] ||
        sfail "$url does not answer the session"
    load_1000 "$cfg" "$V4=$tok"
    rss1=$(rss_kb "$SF_PID")
    for ((i = 1; i < 10; i++)); do
        load_1000 "$cfg" "$V4=$tok"
    done
    rss2=$(rss_kb "$SF_PID")
    echo "# rss of nextauth-session (pid $SF_PID): ${rss1} kB after 1 000 requests, ${rss2} kB after 10 000 (growth $((rss2 - rss1)) kB)" >&3
    [ $((rss2 - rss1)) -lt 64 ] || sfail "VmRSS grew from $rss1 kB to $rss2 kB"
}

# --- (d) memory, database sessions -------------------------------------------------

# urls_of FROM URL — a curl config of 1 000 requests to URL on one connection,
# each with the Cookie header of the next line of cookies.txt from line FROM.
urls_of() {
    sed -n "$1,$(($1 + 999))p" "$SRV_ROOT/dbmem/cookies.txt" | awk -v u="$2" '
        NR > 1 { print "next" }
        { printf "url = \"%s\"\nheader = \"Cookie: %s\"\noutput = \"/dev/null\"\n", u, $0
          print "write-out = \"%{http_code}\\n\"" }'
}

@test "memory (database sessions): the guard on SQLite, 10 000 requests over 10 000 sessions: VmRSS at most 4 MiB, growth under 64 KiB after the first 1 000" {
    local mem=$SRV_ROOT/dbmem codes=$BATS_TEST_TMPDIR/codes k rss1='' rss2
    command -v sqlite3 >/dev/null || sfail "sqlite3 is not installed (sh tools/deps.sh)"
    mkdir -p "$mem"
    (. "$REPO_ROOT/tests/bench/db.sh" && BENCH_DB_SESSIONS=10000 bench_db_sqlite "$mem") ||
        sfail "tests/bench/db.sh could not make the database"
    sf_start "$mem/sf" "$REPO_ROOT/cgi-bin/nextauth-guard" NEXTAUTH_CONFIG="$mem/sqlite.json" ||
        sfail "the guard did not start"
    printf '%s\n' 'server.document-root = "@DIR@/www"' 'server.bind = "127.0.0.1"' \
        'server.port = @PORT@' 'server.pid-file = "@DIR@/run/lighttpd.pid"' \
        'server.errorlog = "@DIR@/logs/error.log"' 'server.modules = ("mod_fastcgi")' \
        'fastcgi.server = ( "/g/" => (( "host" => "127.0.0.1", "port" => @SF_PORT@,' \
        '                               "mode" => "authorizer", "check-local" => "disable" )) )' \
        >"$mem/lighttpd.conf.in"
    mkdir -p "$mem/lt/www/g"
    printf 'hello\n' >"$mem/lt/www/g/f.txt"
    lt_start "$mem/lt" "$mem/lighttpd.conf.in" SF_PORT="$SF_PORT" || sfail "lighttpd did not start"
    for ((k = 0; k < 10; k++)); do
        urls_of $((k * 1000 + 1)) "$LT_URL/g/f.txt" >"$mem/urls.curl"
        curl -s --max-time 60 -K "$mem/urls.curl" >"$codes" || sfail "curl failed ($?)"
        [ "$(grep -c '^200$' "$codes")" -eq 1000 ] ||
            sfail "not 1000 answers 200: $(sort "$codes" | uniq -c | tr '\n' ' ')"
        [ -n "$rss1" ] || rss1=$(rss_kb "$SF_PID")
    done
    rss2=$(rss_kb "$SF_PID")
    echo "# rss of nextauth-guard on SQLite (pid $SF_PID): ${rss1} kB after 1 000 requests, ${rss2} kB after 10 000 (growth $((rss2 - rss1)) kB)" >&3
    lt_stop "$mem/lt"
    sf_stop "$mem/sf"
    [ "$rss2" -le 4096 ] || sfail "VmRSS is $rss2 kB, more than 4 MiB"
    [ $((rss2 - rss1)) -lt 64 ] || sfail "VmRSS grew from $rss1 kB to $rss2 kB"
}
