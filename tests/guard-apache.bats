#!/usr/bin/env bats
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
# shellcheck source=tests/lib/guard-common.sh
. "$BATS_TEST_DIRNAME/lib/guard-common.sh"
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
    grep -v -e '^LimitRequestFieldSize' -e 'Header always set Content-Type' -e 'CGIPassAuth' \
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

    gc_mint ADA "$GC_ADMIN_CLAIMS" &&
        gc_mint BOB "$GC_USER_CLAIMS" &&
        gc_mint SUBONLY '{"name":"Nobody","sub":"42"}' &&
        gc_mint EXPIRED '{"email":"ada@example.com","sub":"1"}' \
            --now $(($(date +%s) - 86400)) --max-age 3600 || return 1
    # a 3-chunk session (SPEC B6.2's 8216 characters: 3933 + 3933 + 350) and
    # the largest 2-chunk one (7866 = 2 × 3933)
    ag_mint_len BIG3 8216 && ag_mint_len BIG2 7866 || return 1
    export ADA BOB SUBONLY EXPIRED BIG3 BIG2
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

# --- requests ----------------------------------------------------------------

# get PATH [CURL-OPTION...] — one request to the main Apache (path sent as is).
get() {
    local path=$1
    shift
    gc_get "$AP_URL$path" --path-as-is "$@"
}

# The sign-in redirect for a form-encoded callbackUrl, exactly.
assert_signin() {
    assert_http 307 && assert_header Location "$GC_SIGNIN$1" &&
        assert_header Cache-Control no-store
}

assert_json_401() {
    assert_http 401 && assert_header Content-Type application/json &&
        assert_header Cache-Control no-store && body_is "$GC_JSON_401"
}

# body_is TEXT — the last body is exactly TEXT, byte for byte.
body_is() {
    local got=''
    IFS= read -r -d '' got <"$gc_body_file" || true
    [ "$got" = "$1" ] || _gc_show "expected the body (exactly, ${#1} bytes): $1"
}

# body_has_line TEXT — one line of the last body is exactly TEXT.
body_has_line() {
    grep -qxF -- "$1" "$gc_body_file" || _gc_show "expected the line: $1"
}

# No Variable-* header of the guard reaches the client.
refute_variable_headers() {
    ! grep -qi '^Variable-' "$gc_hdr_file" || _gc_show "a Variable-* header reached the client"
}

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

# --- allow / deny --------------------------------------------------------------

@test "apache: no cookie on a page: 307 to the configured origin's sign-in page, raw path and query as callbackUrl" {
    get '/docs/page.txt?a=1&b=x%20y'
    assert_signin '%2Fdocs%2Fpage.txt%3Fa%3D1%26b%3Dx%2520y'
    refute_body_has 'guarded page'
    get /
    assert_signin '%2F'
    get /app/env.cgi
    assert_signin '%2Fapp%2Fenv.cgi'
    refute_body_has 'REMOTE_ADDR='
}

@test "apache: no cookie on an API path: 401 JSON byte-exact with Content-Type application/json" {
    get /api/data.json
    assert_json_401
    assert_header Content-Length 36
    get /api/nothing-here
    assert_json_401
    get /api/env.cgi
    assert_json_401
}

@test "apache: no cookie, a client that does not accept HTML: 401 JSON on a page too" {
    get /docs/page.txt -H 'Accept: application/json'
    assert_json_401
    get /docs/page.txt -H 'X-Requested-With: XMLHttpRequest'
    assert_json_401
}

@test "apache: valid cookie: the file, and the CGI sees REMOTE_USER, AUTH_TYPE=NextAuth and the NEXTAUTH_* identity" {
    local exp iso
    get /docs/page.txt -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    body_is $'guarded page\n'
    refute_variable_headers
    refute_header Set-Cookie

    get /app/env.cgi -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    exp=$("$GC_TOKEN_BIN" decode --secret "$GC_SECRET" "$ADA" | jq -r .exp)
    iso=$(date -u -d "@$exp" +%Y-%m-%dT%H:%M:%S.000Z)
    assert_env REMOTE_USER ada@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL ada@example.com
    assert_env NEXTAUTH_NAME Ada
    assert_env NEXTAUTH_SUB 1
    assert_env NEXTAUTH_ROLE admin
    assert_env NEXTAUTH_EXPIRES "$iso"
    refute_variable_headers
}

@test "apache: a token without email: REMOTE_USER is the subject, no NEXTAUTH_EMAIL" {
    get /app/env.cgi -H "Cookie: $(gc_cookie "$SUBONLY")"
    assert_http 200
    assert_env REMOTE_USER 42
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_NAME Nobody
    refute_env NEXTAUTH_EMAIL
    refute_env NEXTAUTH_ROLE
}

@test "apache: a token whose email is empty: REMOTE_USER falls back to the subject (else Apache answers 500)" {
    local tok
    gc_mint tok '{"name":"Empty","email":"","sub":"9"}'
    # The guard sends Variable-REMOTE_USER with an empty value (the email
    # claim is a string), so UserExpr yields nothing: AH02520, 500 for a valid
    # session. guard.h promises "the e-mail, else the subject".
    get /app/env.cgi -H "Cookie: $(gc_cookie "$tok")"
    assert_http 200
    assert_env REMOTE_USER 9
}

@test "apache: Authorization: Bearer <token> is accepted (CGIPassAuth On in the snippet; without it Apache withholds the header)" {
    get /app/env.cgi -H "Authorization: Bearer $ADA"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    get /api/data.json -H 'Authorization: Bearer not-a-token'
    assert_json_401
    # Apache's default (CGIPassAuth off): the guard never sees the header
    gc_get "$AG_DEFAULTS_URL/app/env.cgi" -H "Authorization: Bearer $ADA"
    assert_signin '%2Fapp%2Fenv.cgi'
}

@test "apache: forged identity headers never change REMOTE_USER or AUTH_TYPE, with or without a session" {
    local -a forged=(
        -H 'Remote-User: evil1' -H 'Remote_User: evil2' -H 'REMOTE-USER: evil3'
        -H 'X-Remote-User: evil4' -H 'Variable-REMOTE_USER: evil5' -H 'Auth-Type: evil6'
        -H 'Variable-AUTH_TYPE: evil7' -H 'Variable-NEXTAUTH_EMAIL: evil8'
        -H 'Variable-NEXTAUTH_ROLE: admin' -H 'Nextauth-Role: admin'
    )
    get /app/env.cgi "${forged[@]}" -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL ada@example.com
    # the forged values only ever appear as HTTP_* copies of request headers
    run grep -n 'evil' "$gc_body_file"
    [ "$status" -eq 0 ]
    if grep 'evil' "$gc_body_file" | grep -v '^HTTP_'; then
        _gc_show "a forged value left the HTTP_* namespace"
    fi
    # a user's session with forged role headers stays a user
    get /app/env.cgi "${forged[@]}" -H "Cookie: $(gc_cookie "$BOB")"
    assert_http 200
    assert_env REMOTE_USER bob@example.com
    assert_env NEXTAUTH_ROLE user
    get /admin/a.txt "${forged[@]}" -H "Cookie: $(gc_cookie "$BOB")"
    assert_signin '%2Fadmin%2Fa.txt'
    # without a session the backend never runs
    get /app/env.cgi "${forged[@]}"
    assert_signin '%2Fapp%2Fenv.cgi'
    refute_body_has evil
    get /api/env.cgi "${forged[@]}" -u evil9:pw
    assert_json_401
    # in the public area the CGI runs without any identity
    get /public/env.cgi "${forged[@]}"
    assert_http 200
    refute_env REMOTE_USER
    refute_env AUTH_TYPE
    refute_env NEXTAUTH_EMAIL
    refute_env NEXTAUTH_ROLE
}

@test "apache: client-sent identity headers never reach the CGI: no HTTP_X_NEXTAUTH_* or HTTP_REMOTE_USER" {
    get /app/env.cgi -H "Cookie: $(gc_cookie "$BOB")" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    gc_refute_client_env
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_ROLE user
    assert_env NEXTAUTH_EMAIL bob@example.com
    # unguarded: no identity at all
    get /public/env.cgi "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    gc_refute_client_env
    refute_env REMOTE_USER
    refute_env NEXTAUTH_ROLE
}

@test "apache: client-sent identity headers never reach a proxied application, guarded or not" {
    get /service/x -H "Cookie: $(gc_cookie "$BOB")" "${GC_CLIENT_IDENTITY[@]}" -H 'X-Probe: kept'
    assert_http 200
    body_has_line 'GET /x HTTP/1.1'
    body_has_line 'X-Probe: kept'
    gc_refute_client_headers
    get /service/x "${GC_CLIENT_IDENTITY[@]}"
    assert_signin '%2Fservice%2Fx'
    get /public/service/x "${GC_CLIENT_IDENTITY[@]}" -H 'X-Probe: kept'
    assert_http 200
    body_has_line 'X-Probe: kept'
    gc_refute_client_headers
}

@test "apache: expired and tampered tokens count as none; the guard's reason is in Apache's error log (AH02507)" {
    local tampered tag=$RANDOM$RANDOM c
    c=${ADA:100:1}
    [ "$c" = A ] && c=B || c=A
    tampered=${ADA:0:100}$c${ADA:101}

    get "/docs/expired-$tag.txt" -H "Cookie: $(gc_cookie "$EXPIRED")"
    assert_signin "%2Fdocs%2Fexpired-$tag.txt"
    assert_log AH02507 "fcgi://127.0.0.1:$AG_GUARD_PORT/" \
        "nextauth-guard: bad session token (token expired) for /docs/expired-$tag.txt"
    get "/api/expired-$tag" -H "Cookie: $(gc_cookie "$EXPIRED")"
    assert_json_401
    assert_log AH02507 "bad session token (token expired) for /api/expired-$tag"

    get "/docs/tampered-$tag.txt" -H "Cookie: $(gc_cookie "$tampered")"
    assert_signin "%2Fdocs%2Ftampered-$tag.txt"
    assert_log AH02507 "nextauth-guard: bad session token (" "for /docs/tampered-$tag.txt"
    get "/api/tampered-$tag" -H "Cookie: $(gc_cookie "$tampered")"
    assert_json_401
    assert_log AH02507 "nextauth-guard: bad session token (" "for /api/tampered-$tag"
    # the log never quotes the token
    if grep -qF "${ADA:0:40}" "$AP_DIR/logs/error.log"; then
        echo "the error log quotes a token" >&2
        return 1
    fi
}

@test "apache: role rule (/admin/:path* needs role admin): user 307 on pages, 403 JSON on APIs; admin 200" {
    get /admin/a.txt -H "Cookie: $(gc_cookie "$BOB")"
    assert_signin '%2Fadmin%2Fa.txt'
    get /api/admin/x.json -H "Cookie: $(gc_cookie "$BOB")"
    assert_http 403
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    body_is "$GC_JSON_403"
    assert_log AH02507 "nextauth-guard: not authorized for /api/admin/x.json"

    get /admin/a.txt -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    body_is $'admin only\n'
    get /api/admin/x.json -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    body_is $'{"data":"admin api"}\n'
    get /admin/env.cgi -H "Cookie: $(gc_cookie "$ADA")"
    assert_env NEXTAUTH_ROLE admin
    # a user elsewhere is fine
    get /docs/page.txt -H "Cookie: $(gc_cookie "$BOB")"
    assert_http 200
}

# --- carve-outs and paths --------------------------------------------------------

@test "apache: carve-outs (/public/, /api/auth/, /_next/, /favicon.ico) are served without a session; look-alikes are guarded" {
    get /public/p.txt
    assert_http 200
    body_is $'public file\n'
    get /api/auth/providers.json
    assert_http 200
    body_is $'{"credentials":{"id":"credentials"}}\n'
    get /_next/static/app.js
    assert_http 200
    body_is $'next asset\n'
    get /favicon.ico
    assert_http 404 # carved out: Apache's own answer (no such file)
    # a prefix that only looks like a carve-out is guarded
    get /publicity/x.txt
    assert_signin '%2Fpublicity%2Fx.txt'
    get /api/authx
    assert_json_401
    get /favicon.icox
    assert_signin '%2Ffavicon.icox'
    get /_nextx/app.js
    assert_signin '%2F_nextx%2Fapp.js'
}

@test "apache: a path the guard passes but Apache does not carve out is a 500 (fail closed, AH02520)" {
    # /login is the configured pages.signIn: the guard answers 200 without a
    # user, UserExpr finds none. Carve such pages out (see the snippet).
    get /login
    assert_http 500
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    refute_header Cache-Control
    assert_log AH02520 'user expression yielded empty string'
    get /login -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 500
    get /api/auth/error
    assert_http 404 # carved out: Apache's own answer (no such file)
}

@test "apache: path tricks are still guarded: /public/../, /public/%2e%2e/, //, ./" {
    local p
    for p in /public/../docs/page.txt /public/%2e%2e/docs/page.txt /public/%2E%2E/docs/page.txt \
        //docs/page.txt /public/./../docs/page.txt /./docs/page.txt /_next/../docs/page.txt \
        /api/auth/../../docs/page.txt; do
        get "$p"
        assert_signin '%2Fdocs%2Fpage.txt'
        refute_body_has 'guarded page'
    done
    get /public/../api/data.json
    assert_json_401
    get '/public/..%2fdocs/page.txt'
    assert_http 404 # AllowEncodedSlashes Off: refused before any handler
    refute_body_has 'guarded page'
}

@test "apache: absolute-form targets are judged by their path (Apache passes them on whole): API 401/403 JSON, pages 307 with the path, admin 200; a raw '#' is Apache's 400" {
    get / --request-target "http://127.0.0.1/api/data.json"
    assert_json_401
    get / --request-target "HTTP://app.example.test/api/admin/x.json" -H "Cookie: $(gc_cookie "$BOB")"
    assert_http 403
    assert_header Content-Type application/json
    body_is "$GC_JSON_403"
    get / --request-target "http://127.0.0.1/docs/page.txt?a=1"
    assert_signin '%2Fdocs%2Fpage.txt%3Fa%3D1'
    refute_body_has 'guarded page'
    get / --request-target "http://127.0.0.1/public/../admin/a.txt" -H "Cookie: $(gc_cookie "$BOB")"
    assert_signin '%2Fadmin%2Fa.txt'
    refute_body_has 'admin only'
    get / --request-target "http://127.0.0.1/api/admin/x.json" -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    body_is $'{"data":"admin api"}\n'
    get / --request-target '/docs/page.txt#x'
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

    get /app/env.cgi -H "Cookie: $three"
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
    get /public/p.txt -H "Cookie: x=$(printf '%*s' 16375 '' | tr ' ' a)"
    assert_http 200
    get /public/p.txt -H "Cookie: x=$(printf '%*s' 16376 '' | tr ' ' a)"
    assert_http 400
}

@test "apache: the guard's 401/403/500 are application/json only thanks to the snippet's Header line; Apache's 500 and a backend's 403 keep theirs" {
    # without the line (Apache's default)
    gc_get "$AG_DEFAULTS_URL/api/data.json"
    assert_http 401
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    body_is "$GC_JSON_401"
    gc_get "$AG_DEFAULTS_URL/api/admin/x.json" -H "Cookie: $(gc_cookie "$BOB")"
    assert_http 403
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    body_is "$GC_JSON_403"
    # with it (the guard's 500 is in the no-secret test)
    get /api/data.json
    assert_json_401
    get /api/admin/x.json -H "Cookie: $(gc_cookie "$BOB")"
    assert_http 403
    assert_header Content-Type application/json
    # a backend's own 403 with Cache-Control: no-store keeps its type (there is a user)
    get /app/deny.cgi -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 403
    assert_header Content-Type text/html
    assert_header Cache-Control no-store
    body_is $'<p>the app says no</p>\n'
    # an Apache 500 (no user, but no no-store either) keeps its HTML type
    get /login
    assert_http 500
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    assert_body_has '<title>500 Internal Server Error</title>'
}

# --- configuration problems and crashes ------------------------------------------

@test "apache: guard without a secret: pages 307 to the error page, APIs 500 JSON, never the file" {
    ag_guard nosecret
    get /docs/page.txt
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    assert_header Cache-Control no-store
    get /docs/page.txt -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    refute_body_has 'guarded page'
    get /api/data.json -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 500
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    body_is "$GC_JSON_500"
    get /api/data.json
    assert_http 500
    body_is "$GC_JSON_500"
    get /app/env.cgi -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 307
    refute_body_has REMOTE_USER
    assert_log AH02507 'nextauth-guard: NO_SECRET'
    # NextAuth's own routes and the public area are not the guard's business
    get /api/auth/providers.json
    assert_http 200
    get /public/p.txt
    assert_http 200
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
    get /docs/page.txt -H "Cookie: $(gc_cookie "$ADA")"
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
    get /api/data.json
    assert_http 500
    assert_header Content-Type 'text/html; charset=iso-8859-1'
    get /docs/page.txt
    assert_http 500
    get /docs/page.txt -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 500
    refute_body_has 'guarded page'
    assert_log AH02495 "attempt to connect to 127.0.0.1:$AG_GUARD_PORT"
    # carve-outs do not need the guard
    get /public/p.txt
    assert_http 200

    ag_guard normal
    ag_poll 5 _is_307
    get /docs/page.txt -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200
    body_is $'guarded page\n'
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
    get /api/data.json -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 500
    body_is "$GC_JSON_500"
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
    get /docs/page.txt -H "Cookie: $(gc_cookie "$ADA")"
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
    get /docs/page.txt -H "Cookie: $(gc_cookie "$ADA")"
    assert_http 200

    # SIGTERM (systemctl stop): multiwatch and both guards go; Apache fails closed
    srv_stop_pid "$main" 5
    for pid in $new; do
        ag_poll 5 _srv_gone "$pid"
    done
    ag_poll 5 _is_500
    rm -f "$AG_ROOT/run/unit.pid" "$AG_ROOT/run/unit.children"
}
