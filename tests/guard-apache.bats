#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# nextauth-guard as Apache 2.4's FastCGI authorizer (mod_authnz_fcgi), end to
# end: a private Apache (event MPM, mod_cgid) on a free loopback port includes
# examples/apache-guard.conf unchanged (tests/fixtures-apache/httpd.conf); the
# guard runs under spawn-fcgi -F 2 on another free port; a static docroot, an
# env-printing CGI (tests/fixtures) and, under /service/ and /public/service/,
# a proxied echo of the request headers stand behind them. Everything is
# checked with curl, exactly.
#
# A second Apache ("defaults") includes the same snippet less the three lines
# it adds for the guard's sake (LimitRequestFieldSize, the Content-Type fix,
# CGIPassAuth): it measures what Apache does without them, which INSTALL states.
#
# Every test starts with the normal guard (both processes alive, with the
# secret); tests that stop, kill or replace it leave setup() to restore it.

load helpers
# shellcheck source=tests/lib/guard-checks.sh
. "$BATS_TEST_DIRNAME/lib/guard-checks.sh"
# shellcheck source=tests/lib/apache.sh
. "$BATS_TEST_DIRNAME/lib/apache.sh"
# shellcheck source=tests/lib/spawn-fcgi.sh
. "$BATS_TEST_DIRNAME/lib/spawn-fcgi.sh"

AG_CONF="$BATS_TEST_DIRNAME/fixtures-apache/httpd.conf"
AG_SNIPPET="$REPO_ROOT/examples/apache-guard.conf"
AG_UNIT="$REPO_ROOT/examples/nextauth-guard.service"
AG_ENV_EXAMPLE="$REPO_ROOT/examples/nextauth-guard.env.example"
AG_UNIT_GUARD=/usr/local/lib/nextauth-fcgi/nextauth-guard
COOKIE=next-auth.session-token

# --- the guard under spawn-fcgi ----------------------------------------------

# ag_guard normal|nosecret — (re)start the guard: 2 processes on
# AG_GUARD_PORT, the test config, with or without NEXTAUTH_SECRET.
ag_guard() {
    local -a env=(NEXTAUTH_CONFIG="$AG_ROOT/guard.json")
    ag_guard_down
    [ "$1" = normal ] && env+=(NEXTAUTH_SECRET="$GC_SECRET")
    ap_guard_start "$AG_ROOT" "$AG_GUARD_PORT" 2 "$GC_GUARD_BIN" "${env[@]}" || return 1
    echo "$1" >"$AG_ROOT/run/guard.mode"
}

# Stop whatever serves AG_GUARD_PORT: the spawn-fcgi guards, and the unit's
# process tree (multiwatch and its children) when a test started it.
ag_guard_down() {
    local pid
    ap_guard_stop "$AG_ROOT"
    if [ -f "$AG_ROOT/run/unit.pid" ]; then
        pid=$(<"$AG_ROOT/run/unit.pid")
        srv_stop_pid "$pid" 5
        while read -r pid; do
            srv_stop_pid "$pid" 5
        done < <(sort -u "$AG_ROOT/run/unit.children" 2>/dev/null)
        rm -f "$AG_ROOT/run/unit.pid" "$AG_ROOT/run/unit.children"
    fi
    rm -f "$AG_ROOT/run/guard.mode"
}

# ag_poll SECONDS COMMAND... — srv_poll, failing the test with a message on a
# timeout. (srv_poll must run in a condition: under bats' errexit a bare call
# stops at the first probe that fails.)
ag_poll() {
    srv_poll "$@" || {
        echo "timed out after $1 s: ${*:2}" >&2
        return 1
    }
}

ag_guard_alive_count() {
    local pid n=0
    for pid in $(ap_guard_pids "$AG_ROOT"); do
        srv_alive "$pid" && n=$((n + 1))
    done
    echo "$n"
}

# ag_mint_len VAR LENGTH — VAR = an admin token of LENGTH characters, give or
# take 3 (the claims carry a filler claim sized to get there).
ag_mint_len() {
    local __var=$1 want=$2 n=$(($2 * 3 / 4 - 300)) i tok filler
    for ((i = 0; i < 10; i++)); do
        printf -v filler '%*s' "$n" ''
        gc_mint tok "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"sub\":\"1\",\"role\":\"admin\",\"pad\":\"${filler// /p}\"}" || return 1
        if [ "${#tok}" -le "$want" ] && [ "${#tok}" -gt $((want - 4)) ]; then
            printf -v "$__var" '%s' "$tok"
            return 0
        fi
        # 3 more bytes of claims make 4 more characters
        if [ "${#tok}" -gt "$want" ]; then
            n=$((n - (${#tok} - want) * 3 / 4 - 1))
        else
            n=$((n + (want - ${#tok}) * 3 / 4))
        fi
    done
    echo "ag_mint_len: no token of $want characters (last: ${#tok})" >&2
    return 1
}

setup_file() {
    local t
    for t in apache2 spawn-fcgi curl jq; do
        command -v "$t" >/dev/null || {
            echo "guard-apache: $t is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
    if [ ! -x "$GC_GUARD_BIN" ] || [ ! -x "$GC_TOKEN_BIN" ]; then
        echo "guard-apache: build first (make): $GC_GUARD_BIN, $GC_TOKEN_BIN" >&2
        return 1
    fi
    # Not under BATS_FILE_TMPDIR: as root, Apache serves as www-data, which must
    # be able to walk to the docroot and run the CGI.
    AG_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/guard-apache.XXXXXX") || return 1
    export AG_ROOT
    chmod 0755 "$AG_ROOT"
    gc_setup_root "$AG_ROOT" || return 1
    mkdir -p "$AG_ROOT/www/_next/static"
    printf 'next asset\n' >"$AG_ROOT/www/_next/static/app.js"
    cp "$BATS_TEST_DIRNAME/fixtures-apache/deny.cgi" "$AG_ROOT/www/app/deny.cgi"
    chmod -R a+rX "$AG_ROOT/www"

    AG_GUARD_PORT=$(gc_free_port) || return 1
    export AG_GUARD_PORT
    ag_guard normal || return 1

    # Apache's defaults: the snippet without the three lines measured here.
    mkdir -p "$AG_ROOT/defaults"
    cp -R "$AG_ROOT/www" "$AG_ROOT/defaults/www"
    grep -v -e '^LimitRequestFieldSize' -e 'Header always set Content-Type "application/json"' -e 'CGIPassAuth' \
        "$AG_SNIPPET" \
        >"$AG_ROOT/defaults/apache-guard-defaults.conf"
    if [ $(($(wc -l <"$AG_SNIPPET") - $(wc -l <"$AG_ROOT/defaults/apache-guard-defaults.conf"))) -ne 3 ]; then
        echo "guard-apache: the snippet no longer has exactly the three lines to drop" >&2
        return 1
    fi
    ap_start "$AG_ROOT/defaults" "$AG_CONF" GUARD_PORT="$AG_GUARD_PORT" \
        GUARD_CONF="$AG_ROOT/defaults/apache-guard-defaults.conf" || return 1
    export AG_DEFAULTS_URL=$AP_URL

    cp "$GC_FIXTURES/echo-app.pl" "$AG_ROOT/echo-app.pl" &&
        sf_start "$AG_ROOT/echo-app" "$AG_ROOT/echo-app.pl" || return 1
    ap_start "$AG_ROOT" "$AG_CONF" GUARD_PORT="$AG_GUARD_PORT" APP_PORT="$SF_PORT" || return 1

    export BASE=$AP_URL GC_ERROR_LOG="$AG_ROOT/logs/error.log" GC_PUBLIC_CGI=/public/env.cgi

    gc_mint_tokens || return 1
    # a 3-chunk session (8216 characters: 3933 + 3933 + 350) and the largest
    # 2-chunk one (7866 = 2 × 3933)
    ag_mint_len BIG3 8216 && ag_mint_len BIG2 7866 || return 1
    export BIG3 BIG2
}

teardown_file() {
    [ -n "${AG_ROOT-}" ] || return 0
    ap_stop "$AG_ROOT"
    ap_stop "$AG_ROOT/defaults"
    sf_stop "$AG_ROOT/echo-app"
    ag_guard_down
    rm -rf "$AG_ROOT"
}

setup() {
    if [ "$(cat "$AG_ROOT/run/guard.mode" 2>/dev/null)" != normal ] ||
        [ "$(ag_guard_alive_count)" -ne 2 ]; then
        ag_guard normal
    fi
}

# --- the error log -------------------------------------------------------------

# assert_log TEXT... — one line of the main error log contains every TEXT
# (polled briefly: the line is written while the request is answered).
_log_line_has() {
    local line t
    while IFS= read -r line; do
        for t in "$@"; do
            [[ $line == *"$t"* ]] || continue 2
        done
        return 0
    done <"$AP_DIR/logs/error.log"
    return 1
}
assert_log() {
    srv_poll 2 _log_line_has "$@" && return 0
    echo "no error-log line with all of: $*" >&2
    tail -n 20 "$AP_DIR/logs/error.log" | cut -c 1-400 >&2
    return 1
}

# Apache logs an authorizer's stderr line as "AH02507: … fcgi://HOST:PORT/ … LINE".
gc_guard_logged() { # MSG
    assert_log AH02507 "fcgi://127.0.0.1:$AG_GUARD_PORT/" "$1"
}

# --- the checks every server gets (tests/lib/guard-checks.sh) -------------------

@test "apache: no cookie on a page: 307 to the configured origin's sign-in page, raw path and query as callbackUrl" {
    gc_check_no_session_page server
}

@test "apache: no cookie on an API path: 401 JSON byte-exact with Content-Type application/json" {
    gc_check_no_session_api
}

@test "apache: no cookie, a client that does not accept HTML: 401 JSON on a page too" {
    gc_check_no_session_not_html
}

@test "apache: valid cookie: the static files, and nothing of the check in the answer" {
    gc_check_static_files
}

@test "apache: valid cookie: the CGI sees REMOTE_USER, AUTH_TYPE=NextAuth and the NEXTAUTH_* identity" {
    gc_check_backend_identity
}

@test "apache: a token without an e-mail (none or empty): REMOTE_USER is the subject (else Apache answers 500)" {
    gc_check_identity_without_email
}

@test "apache: request variants: a Bearer token (CGIPassAuth On in the snippet; without it Apache withholds the header), two Cookie headers (Apache joins them with \", \": no session), UTF-8 claims, a foreign Host" {
    gc_check_request_variants comma
    # Apache's default (CGIPassAuth off): the guard never sees the header
    gc_get "$AG_DEFAULTS_URL/app/env.cgi" -H "Authorization: Bearer $TOK_ADMIN"
    assert_signin '%2Fapp%2Fenv.cgi'
}

@test "apache: forged identity headers without a session: guarded paths deny, the public CGI runs without any identity" {
    gc_check_forged_without_session
}

@test "apache: forged identity headers with a session never change REMOTE_USER or AUTH_TYPE" {
    gc_check_forged_with_session
}

@test "apache: client-sent identity headers never reach the CGI: no HTTP_X_NEXTAUTH_* or HTTP_REMOTE_USER" {
    gc_check_client_identity_cgi
}

@test "apache: client-sent identity headers never reach a proxied application, guarded or not" {
    gc_check_client_identity_proxied /service/x '%2Fservice%2Fx' /public/service/x 'GET /x HTTP/1.1'
}

@test "apache: expired and tampered tokens count as none; the guard's reason is in Apache's error log (AH02507)" {
    gc_check_bad_sessions
}

@test "apache: role rule (/admin/:path* needs role admin): user 307 on pages, 403 JSON on APIs; admin 200" {
    gc_check_role_rule
}

@test "apache: carve-outs (/public/, /api/auth/, /_next/, /favicon.ico) are served without a session; look-alikes are guarded" {
    gc_check_exemptions
    gc_req /_next/static/app.js
    assert_http 200
    assert_body $'next asset\n'
}

@test "apache: path tricks are still guarded: /public/../, /public/%2e%2e/, //, ./; an encoded slash is Apache's 404" {
    # AllowEncodedSlashes Off: refused before any handler
    gc_check_path_tricks 404
}

@test "apache: a 3-chunk session cookie works with the snippet's LimitRequestFieldSize 16384" {
    gc_check_big_session
}

@test "apache: the open-redirect payloads as paths and as callbackUrl: every Location stays on the origin" {
    gc_check_payloads "$BASE"
}

@test "apache: CR/LF in a request header or in the token's claims never reaches a header" {
    gc_check_crlf
}

@test "apache: long paths: callbackUrl is cut back, the Location stays same-origin" {
    gc_check_long_paths
}

# --- Apache only -------------------------------------------------------------------

@test "apache: a path the guard passes but Apache does not carve out is a 500 (fail closed, AH02520)" {
    # /login is the configured pages.signIn: the guard answers 200 without a
    # user, UserExpr finds none. Carve such pages out (see the snippet).
    gc_req /login
    assert_http 500
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    refute_header Cache-Control
    assert_log AH02520 'user expression yielded empty string'
    gc_req /login -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 500
    gc_req /api/auth/error
    assert_http 404 # carved out: Apache's own answer (no such file)
}

@test "apache: absolute-form targets are judged by their path (Apache passes them on whole): API 401/403 JSON, pages 307 with the path, admin 200; a raw '#' is Apache's 400" {
    gc_req / --request-target "http://127.0.0.1/api/data.json"
    assert_json_401
    gc_req / --request-target "HTTP://app.example.test/api/admin/x.json" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 403
    assert_header Content-Type application/json
    assert_body "$GC_JSON_403"
    gc_req / --request-target "http://127.0.0.1/docs/page.txt?a=1"
    assert_signin '%2Fdocs%2Fpage.txt%3Fa%3D1'
    refute_body_has 'guarded page'
    gc_req / --request-target "http://127.0.0.1/public/../admin/a.txt" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_signin '%2Fadmin%2Fa.txt'
    refute_body_has 'admin only'
    gc_req / --request-target "http://127.0.0.1/api/admin/x.json" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body $'{"data":"admin api"}\n'
    gc_req / --request-target '/docs/page.txt#x'
    assert_http 400
    refute_body_has 'guarded page'
}

# --- sizes ---------------------------------------------------------------------

@test "apache: a 3-chunk session cookie: 400 with Apache's default LimitRequestFieldSize, works with the snippet's 16384" {
    local three two
    three=$(gc_chunked_cookie "$BIG3")
    two=$(gc_chunked_cookie "$BIG2")
    [[ $three == *"$COOKIE.2="* ]]
    [[ $three != *"$COOKIE.3="* ]]
    [[ $two == *"$COOKIE.1="* ]]
    [[ $two != *"$COOKIE.2="* ]]

    gc_req /app/env.cgi -H "Cookie: $three"
    assert_http 200
    assert_env REMOTE_USER ada@example.com

    # Apache's default: the header line "Cookie: …" may be 8191 bytes at most
    gc_get "$AG_DEFAULTS_URL/app/env.cgi" -H "Cookie: $three"
    assert_http 400
    assert_body_has 'Size of a request header field exceeds server limit.'
    gc_get "$AG_DEFAULTS_URL/app/env.cgi" -H "Cookie: $two"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    gc_get "$AG_DEFAULTS_URL/public/p.txt" -H "Cookie: x=$(printf '%*s' 8181 '' | tr ' ' a)"
    assert_http 200 # 8 + 8183 = 8191 bytes
    gc_get "$AG_DEFAULTS_URL/public/p.txt" -H "Cookie: x=$(printf '%*s' 8182 '' | tr ' ' a)"
    assert_http 400 # 8192 bytes
    # with 16384: 16385 bytes pass, 16386 do not
    gc_req /public/p.txt -H "Cookie: x=$(printf '%*s' 16375 '' | tr ' ' a)"
    assert_http 200
    gc_req /public/p.txt -H "Cookie: x=$(printf '%*s' 16376 '' | tr ' ' a)"
    assert_http 400
}

@test "apache: the guard's 401/403/500 are application/json only thanks to the snippet's Header line; Apache's 500 and a backend's 403 keep theirs" {
    # without the line (Apache's default)
    gc_get "$AG_DEFAULTS_URL/api/data.json"
    assert_http 401
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    assert_body "$GC_JSON_401"
    gc_get "$AG_DEFAULTS_URL/api/admin/x.json" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 403
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    assert_body "$GC_JSON_403"
    # with it (the guard's 500 is in the no-secret test)
    gc_req /api/data.json
    assert_json_401
    gc_req /api/admin/x.json -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 403
    assert_header Content-Type application/json
    # a backend's own 403 with Cache-Control: no-store keeps its type (there is a user)
    gc_req /app/deny.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 403
    assert_header Content-Type text/html
    assert_header Cache-Control no-store
    assert_body $'<p>the app says no</p>\n'
    # an Apache 500 (no user, but no no-store either) keeps its HTML type
    gc_req /login
    assert_http 500
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    assert_body_has '<title>500 Internal Server Error</title>'
}

# --- configuration problems and crashes ------------------------------------------

@test "apache: guard without a secret: pages 307 to the error page, APIs 500 JSON, never the file" {
    ag_guard nosecret
    gc_check_no_secret "$BASE" json
    assert_log AH02507 'nextauth-guard: NO_SECRET'
}

# The status codes of a curl loop (page and API, no cookie) into FILE, until
# FILE.stop exists (at most 2000 pairs or 30 s): however slow the machine, the
# test decides how much comes before and after the kill.
_codes_loop() {
    local out=$1 end=$((SECONDS + 30)) i
    for ((i = 0; i < 2000 && SECONDS < end; i++)); do
        [ ! -e "$out.stop" ] || break
        curl -s -o /dev/null --max-time 2 -w '%{http_code}\n' "$AP_URL/docs/page.txt"
        curl -s -o /dev/null --max-time 2 -w '%{http_code}\n' "$AP_URL/api/data.json"
    done >"$out"
}
_has_lines() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }

@test "apache: kill -9 of one guard process under load: only 307/401/5xx, never 200; the other one keeps serving" {
    local -a pids
    local out=$BATS_TEST_TMPDIR/codes lp bad n
    mapfile -t pids < <(ap_guard_pids "$AG_ROOT")
    [ "${#pids[@]}" -eq 2 ]
    _codes_loop "$out" 3>&- &
    lp=$!
    ag_poll 10 _has_lines "$out" 40
    kill -9 "${pids[0]}"
    n=$(wc -l <"$out")
    ag_poll 10 _has_lines "$out" $((n + 40))
    touch "$out.stop"
    wait "$lp"
    bad=$(grep -vxE '307|401|5[0-9][0-9]' "$out" | sort | uniq -c)
    [ -z "$bad" ] || {
        echo "unexpected codes: $bad" >&2
        return 1
    }
    grep -qx 307 "$out"
    grep -qx 401 "$out"
    echo "# codes: $(sort "$out" | uniq -c | tr -s ' \n' ' ')" >&3
    _srv_gone "${pids[0]}"
    srv_alive "${pids[1]}"
    # after the kill the survivor answers, and lets a session through
    [ "$(tail -n 1 "$out")" = 401 ]
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
}

_is_500() { [ "$(srv_http_code "$AP_URL/api/data.json")" = 500 ]; }
_is_307() { [ "$(srv_http_code "$AP_URL/docs/page.txt")" = 307 ]; }

@test "apache: both guard processes killed: 500 (HTML, AH02495) on every request until restarted, then fine again" {
    local pid
    for pid in $(ap_guard_pids "$AG_ROOT"); do
        kill -9 "$pid"
    done
    ag_poll 5 _is_500
    gc_req /api/data.json
    assert_http 500
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    gc_req /docs/page.txt
    assert_http 500
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 500
    refute_body_has 'guarded page'
    assert_log AH02495 "attempt to connect to 127.0.0.1:$AG_GUARD_PORT"
    # carve-outs do not need the guard
    gc_req /public/p.txt
    assert_http 200

    ag_guard normal
    ag_poll 5 _is_307
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body $'guarded page\n'
}

# --- the systemd unit -------------------------------------------------------------

@test "apache: examples/nextauth-guard.service passes systemd-analyze verify, exposure below 2.0" {
    command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
    run systemd-analyze verify "$AG_UNIT"
    [ "$status" -eq 0 ] && [ -z "$output" ] || {
        echo "systemd-analyze verify: $output" >&2
        return 1
    }
    run systemd-analyze security --offline=yes "$AG_UNIT"
    [ "$status" -eq 0 ]
    [[ $output =~ Overall\ exposure\ level\ for\ nextauth-guard.service:\ ([0-9.]+) ]]
    echo "# exposure ${BASH_REMATCH[1]}" >&3
    awk -v x="${BASH_REMATCH[1]}" 'BEGIN { exit !(x < 2.0) }'
    grep -qx 'Restart=always' "$AG_UNIT"
    grep -qx 'EnvironmentFile=/etc/nextauth-fcgi/guard.env' "$AG_UNIT"
}

@test "apache: spawn-fcgi -n ignores -F (one process, the program in spawn-fcgi's place): why the unit uses multiwatch" {
    local port pid
    port=$(gc_free_port)
    (
        env -i PATH="$PATH" NEXTAUTH_SECRET="$GC_SECRET" spawn-fcgi -n -a 127.0.0.1 -p "$port" -F 2 \
            -P "$BATS_TEST_TMPDIR/ignored.pid" -- "$GC_GUARD_BIN" </dev/null >/dev/null 2>&1 \
            3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
        echo $! >"$BATS_TEST_TMPDIR/n.pid"
    )
    pid=$(<"$BATS_TEST_TMPDIR/n.pid")
    ag_poll 5 bash -c "exec 9<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
    [ "$(cat "/proc/$pid/comm")" = nextauth-guard ]
    [ -z "$(cat /proc/"$pid"/task/*/children)" ]
    [ ! -e "$BATS_TEST_TMPDIR/ignored.pid" ]
    srv_stop_pid "$pid" 5
}

# ag_unit_start PORT [VAR=VALUE...] — run the unit's ExecStart line (the port
# and the guard's path replaced) with the env example's variables, then the
# overrides; records the main pid in run/unit.pid.
ag_unit_start() {
    local port=$1 line
    shift
    local -a envs cmd
    line=$(sed -n 's/^ExecStart=//p' "$AG_UNIT")
    line=${line//-p 9001 /-p $port }
    line=${line//$AG_UNIT_GUARD/$GC_GUARD_BIN}
    read -r -a cmd <<<"$line"
    mapfile -t envs < <(grep -E '^[A-Z_]+=' "$AG_ENV_EXAMPLE")
    (
        env -i PATH="$PATH" "${envs[@]}" "$@" "${cmd[@]}" </dev/null \
            >"$AG_ROOT/logs/unit.out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
        echo $! >"$AG_ROOT/run/unit.pid"
    )
}

# The main process's children, one a line (also kept for the cleanup).
ag_unit_children() {
    local pid
    pid=$(<"$AG_ROOT/run/unit.pid")
    cat /proc/"$pid"/task/*/children 2>/dev/null | tr -s ' ' '\n' | sed '/^$/d' |
        tee -a "$AG_ROOT/run/unit.children"
}
_two_children() { [ "$(ag_unit_children | wc -l)" -eq 2 ]; }
_config_redirect() {
    [ "$(curl -s -o /dev/null --max-time 2 -w '%{redirect_url}' "$AP_URL/docs/page.txt")" = "$GC_CONFIG_ERROR" ]
}

@test "apache: the unit's ExecStart line (spawn-fcgi -n + multiwatch -f 2) with the env example serves Apache and replaces a killed guard" {
    command -v multiwatch >/dev/null || skip "multiwatch is not installed (Debian package multiwatch)"
    local main old new pid code i
    ag_guard_down

    # the env example as shipped: an empty secret, so every guarded request is refused
    ag_unit_start "$AG_GUARD_PORT" NEXTAUTH_CONFIG="$AG_ROOT/guard.json"
    ag_poll 5 _config_redirect
    gc_req /api/data.json -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 500
    assert_body "$GC_JSON_500"
    ag_guard_down

    # with the secret filled in
    ag_unit_start "$AG_GUARD_PORT" NEXTAUTH_CONFIG="$AG_ROOT/guard.json" NEXTAUTH_SECRET="$GC_SECRET"
    main=$(<"$AG_ROOT/run/unit.pid")
    ag_poll 5 _two_children
    [ "$(cat "/proc/$main/comm")" = multiwatch ] # spawn-fcgi exec'd it in its place
    for pid in $(ag_unit_children); do
        [ "$(cat "/proc/$pid/comm")" = nextauth-guard ]
    done
    ag_poll 5 _is_307
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200

    # a guard killed: multiwatch forks a new one; no request gets through meanwhile
    old=$(ag_unit_children | head -n 1)
    kill -9 "$old"
    for ((i = 0; i < 20; i++)); do
        code=$(srv_http_code "$AP_URL/docs/page.txt")
        [[ $code =~ ^(307|5[0-9][0-9])$ ]] || {
            echo "got $code without a session" >&2
            return 1
        }
    done
    ag_poll 5 _two_children
    new=$(ag_unit_children)
    [[ $'\n'$new$'\n' != *$'\n'$old$'\n'* ]]
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200

    # SIGTERM (systemctl stop): multiwatch and both guards go; Apache fails closed
    srv_stop_pid "$main" 5
    for pid in $new; do
        ag_poll 5 _srv_gone "$pid"
    done
    ag_poll 5 _is_500
    rm -f "$AG_ROOT/run/unit.pid" "$AG_ROOT/run/unit.children"
}
