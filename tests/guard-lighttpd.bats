#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# nextauth-guard behind a real lighttpd 1.4 (docs/behaviour.md, Guard;
# docs/servers.md, lighttpd): one
# private lighttpd per file, on a free loopback port, configured by including
# examples/lighttpd-guard.conf itself (the guard as a FastCGI authorizer, its
# "max-procs" processes spawned by lighttpd). It guards a static docroot
# (tests/fixtures/www), a CGI backend (tests/fixtures/env.cgi, which prints
# its environment) and a proxied echo of the request headers (/echo/). The
# guard's configuration (tests/lib/guard-common.sh): origin
# http://app.example.test, sign-in page /login, /admin/… and /api/admin/… for
# role admin only, NEXTAUTH_ROLE from the role claim.
# Extra servers, each started and stopped inside its own test: a lighttpd with
# the default header limit (431) and one whose guard has no secret.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/guard-common.sh
. "$BATS_TEST_DIRNAME/lib/guard-common.sh"
# shellcheck source=tests/lib/lighttpd.sh
. "$BATS_TEST_DIRNAME/lib/lighttpd.sh"
# shellcheck source=tests/lib/spawn-fcgi.sh
. "$BATS_TEST_DIRNAME/lib/spawn-fcgi.sh"

EXAMPLE="$REPO_ROOT/examples/lighttpd-guard.conf"

# The site around the example: what INSTALL tells a user to write before the
# include (the three var.nextauth_* lines).
_write_template() {
    cat >"$1" <<'EOF'
server.document-root = "@DIR@/www"
server.bind = "127.0.0.1"
server.port = @PORT@
server.pid-file = "@DIR@/run/lighttpd.pid"
server.errorlog = "@DIR@/logs/error.log"
# mod_proxy listed before mod_fastcgi on purpose (the example must still put
# the authorizer first); /service/… is proxied to this server's /public/…,
# /echo/… (guarded) and /public/echo/… (not) to the header echo (below).
server.modules = ( "mod_access", "mod_proxy", "mod_cgi" )
proxy.server = ( "/service/" => (( "host" => "127.0.0.1", "port" => @PORT@ )),
                 "/echo/" => (( "host" => "127.0.0.1", "port" => @ECHO_PORT@ )),
                 "/public/echo/" => (( "host" => "127.0.0.1", "port" => @ECHO_PORT@ )) )
proxy.header = ( "map-urlpath" => ( "/service/" => "/public/" ) )
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain", ".json" => "application/json" )
cgi.assign = ( ".cgi" => "" )

var.nextauth_guard_bin = "@GUARD@"
var.nextauth_socket    = "@DIR@/run/guard.sock"
var.nextauth_public    = "^/(api/auth(/|$)|_next/|favicon\.ico$|public/)"
include "@EXAMPLE@"
EOF
}

# start_lighttpd DIR [VAR=VALUE...] — a lighttpd on the example, whose
# environment has exactly NEXTAUTH_CONFIG=DIR/guard.json and the VAR=VALUEs
# (e.g. NEXTAUTH_SECRET) besides the test runner's own, NEXTAUTH_* removed.
start_lighttpd() {
    local dir=$1
    shift
    gc_setup_root "$dir" || return 1
    _write_template "$BATS_FILE_TMPDIR/lighttpd.conf.in"
    (
        clean_env
        export NEXTAUTH_CONFIG="$dir/guard.json"
        for kv in "$@"; do export "${kv?}"; done
        lt_start "$dir" "$BATS_FILE_TMPDIR/lighttpd.conf.in" GUARD="$GC_GUARD_BIN" \
            EXAMPLE="$EXAMPLE" ECHO_PORT="$ECHO_PORT" && echo "$LT_URL" >"$dir/url"
    )
}

setup_file() {
    if [ ! -x "$GC_GUARD_BIN" ] || [ ! -x "$GC_TOKEN_BIN" ]; then
        echo "build first (make): $GC_GUARD_BIN, $GC_TOKEN_BIN" >&2
        return 1
    fi
    cp "$GC_FIXTURES/echo-app.pl" "$BATS_FILE_TMPDIR/echo-app.pl" &&
        sf_start "$BATS_FILE_TMPDIR/echo-app" "$BATS_FILE_TMPDIR/echo-app.pl" || return 1
    export ECHO_PORT=$SF_PORT
    export LTDIR="$BATS_FILE_TMPDIR/lt"
    start_lighttpd "$LTDIR" NEXTAUTH_SECRET="$GC_SECRET" || return 1
    BASE=$(<"$LTDIR/url")
    export BASE

    local pad
    gc_mint TOK_ADMIN "$GC_ADMIN_CLAIMS" || return 1
    gc_mint TOK_USER "$GC_USER_CLAIMS" || return 1
    gc_mint TOK_EXPIRED "$GC_ADMIN_CLAIMS" --now 1600000000 || return 1
    # one byte of the ciphertext changed: the GCM tag no longer matches
    TOK_TAMPERED="${TOK_ADMIN:0:150}$([ "${TOK_ADMIN:150:1}" = A ] && echo B || echo A)${TOK_ADMIN:151}"
    # ~8.3 KB: three chunks of 3933 bytes
    pad=$(printf 'x%.0s' $(seq 6000))
    gc_mint TOK_BIG "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"sub\":\"1\",\"role\":\"admin\",\"pad\":\"$pad\"}" ||
        return 1
    gc_mint TOK_CRLF '{"name":"Ada\r\nX-Evil: 1","email":"ada@example.com\r\nSet-Cookie: evil=1","sub":"1"}' ||
        return 1
    export TOK_ADMIN TOK_USER TOK_EXPIRED TOK_TAMPERED TOK_BIG TOK_CRLF
}

teardown_file() {
    local d
    sf_stop "$BATS_FILE_TMPDIR/echo-app"
    for d in "$BATS_FILE_TMPDIR"/*/; do
        [ -f "$d/run/lt.pid" ] && lt_stop "$d"
    done
    return 0
}

# Print the logs when a test failed.
teardown() {
    if [ -n "${BATS_TEST_COMPLETED-}" ]; then return 0; fi
    srv_dump "$LTDIR/logs/error.log" "$LTDIR/logs/lighttpd.out"
}

guard_pids() { # DIR — lighttpd's children that are the guard
    local p
    for p in $(lt_children "$1"); do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$GC_GUARD_BIN")" ] && echo "$p"
    done
}

# --- the example as deployed ------------------------------------------------

# The number of guard processes the example asks lighttpd for.
example_procs() {
    sed -n 's/^ *"max-procs" *=> *\([0-9][0-9]*\),.*/\1/p' "$EXAMPLE"
}

@test "lighttpd: the example runs its max-procs guard processes, each with a clean environment" {
    local pids p env want
    want=$(example_procs)
    [ "$want" -ge 2 ] || _fail "the example should run several guard processes, has: '$want'"
    mapfile -t pids < <(guard_pids "$LTDIR")
    [ "${#pids[@]}" -eq "$want" ] || _fail "expected $want guard processes, got: ${pids[*]}"
    for p in "${pids[@]}"; do
        env=$(tr '\0' '\n' <"/proc/$p/environ" | LC_ALL=C sort)
        [ "$env" = "NEXTAUTH_CONFIG=$LTDIR/guard.json
NEXTAUTH_SECRET=$GC_SECRET
PHP_FCGI_CHILDREN=1" ] || _fail "guard $p environment:" "$env"
    done
}

# --- no session -------------------------------------------------------------

@test "lighttpd: no session on a page: 307 to the sign-in page with the callbackUrl" {
    gc_get "$BASE/docs/page.txt?a=1&b=x%20y"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt%3Fa%3D1%26b%3Dx%2520y"
    assert_header Cache-Control no-store
    assert_header Content-Length 0
    assert_body ''
    assert_clean_headers

    gc_get "$BASE/"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2F"

    gc_get "$BASE/app/env.cgi"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fapp%2Fenv.cgi"
}

@test "lighttpd: no session on /api/: the 401 JSON byte for byte" {
    local p
    for p in /api/data.json /api/nothing-here /api/env.cgi; do
        gc_get "$BASE$p"
        assert_http 401
        assert_header Content-Type application/json
        assert_header Cache-Control no-store
        assert_header Content-Length 36
        refute_header Location
        assert_body "$GC_JSON_401"
    done
}

@test "lighttpd: no session, a client that does not accept HTML: 401 JSON on a page too" {
    gc_get "$BASE/docs/page.txt" -H 'Accept: application/json'
    assert_http 401
    assert_header Content-Type application/json
    assert_body "$GC_JSON_401"

    gc_get "$BASE/docs/page.txt" -H 'X-Requested-With: XMLHttpRequest'
    assert_http 401
    assert_body "$GC_JSON_401"

    gc_get "$BASE/docs/page.txt" -H 'Accept: text/html,application/xhtml+xml'
    assert_http 307
}

# --- valid session ----------------------------------------------------------

@test "lighttpd: valid session: the static files" {
    local c
    c=$(gc_cookie "$TOK_ADMIN")
    gc_get "$BASE/docs/page.txt" -H "Cookie: $c"
    assert_http 200
    assert_header Content-Type text/plain
    assert_body "guarded page"$'\n'
    gc_get "$BASE/api/data.json" -H "Cookie: $c"
    assert_http 200
    assert_body '{"data":"guarded api"}'$'\n'
    gc_get "$BASE/" -H "Cookie: other=1; $c"
    assert_http 200
    assert_body_has "guarded home page"
    # the authorizer's 200 adds nothing to the answer
    refute_header Variable-REMOTE_USER
}

@test "lighttpd: valid session: the CGI backend gets REMOTE_USER, AUTH_TYPE and the NEXTAUTH_* identity" {
    local exp iso
    exp=$("$GC_TOKEN_BIN" decode --secret "$GC_SECRET" "$TOK_ADMIN" | jq -r .exp)
    iso=$(date -u -d "@$exp" '+%Y-%m-%dT%H:%M:%S.000Z')
    gc_get "$BASE/app/env.cgi?q=1" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_header Content-Type text/plain
    assert_env REMOTE_USER ada@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL ada@example.com
    assert_env NEXTAUTH_NAME Ada
    assert_env NEXTAUTH_SUB 1
    assert_env NEXTAUTH_ROLE admin
    assert_env NEXTAUTH_EXPIRES "$iso"
    assert_env REQUEST_URI '/app/env.cgi?q=1'
    # the guard's secret and config stay with the guard
    refute_env NEXTAUTH_SECRET
    refute_env NEXTAUTH_CONFIG

    # a user without an e-mail: REMOTE_USER is the subject
    local t
    gc_mint t '{"name":"Sub Only","sub":"u-42","role":"user"}'
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    assert_env REMOTE_USER u-42
    assert_env NEXTAUTH_SUB u-42
    refute_env NEXTAUTH_EMAIL
}

@test "lighttpd: request variants: a Bearer token, two Cookie headers, UTF-8 claims, a foreign Host" {
    gc_get "$BASE/app/env.cgi" -H "Authorization: Bearer $TOK_ADMIN"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    # a session cookie wins over a Bearer token
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" -H "Authorization: Bearer $TOK_ADMIN"
    assert_http 200
    assert_env REMOTE_USER bob@example.com
    # two Cookie headers: lighttpd joins them ("; ")
    gc_get "$BASE/app/env.cgi" -H 'Cookie: a=1' -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_ADMIN")" -H 'Cookie: a=1'
    assert_http 200
    local t
    gc_mint t '{"name":"Zoë 😀","email":"zoe@example.com","sub":"3"}'
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    assert_env NEXTAUTH_NAME 'Zoë 😀'
    # the Location comes from the configured url, never from the request
    gc_get "$BASE/docs/page.txt" -H 'Host: evil.example' -H 'X-Forwarded-Host: evil.example' \
        -H 'X-Forwarded-Proto: https'
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
}

# --- forged identity ----------------------------------------------------------

FORGED=(
    -H 'Remote-User: evil'
    -H 'Remote_User: evil'
    -H 'REMOTE-USER: evil'
    -H 'X-Nextauth-User: evil'
    -H 'X-Nextauth-Email: evil'
    -H 'X-Nextauth-Role: evil'
    -H 'Variable-REMOTE_USER: evil'
    -H 'Variable-NEXTAUTH_ROLE: evil'
    -H 'Variable-AUTH_TYPE: evil'
    -H 'Auth-Type: evil'
    -H 'Nextauth-Email: evil'
    -H 'Nextauth_Role: evil'
    -H 'Authorization: Basic ZXZpbDpldmls'
)

# No variable but the HTTP_* copies of request headers has the value "evil".
refute_forged_identity() {
    local bad
    bad=$(grep -v '^HTTP_' "$gc_body_file" | grep -E '=evil$' || true)
    [ -z "$bad" ] || _gc_show "forged identity reached the backend:" "$bad"
}

@test "lighttpd: forged identity headers without a session: guarded paths redirect, a public CGI gets no identity" {
    gc_get "$BASE/app/env.cgi" "${FORGED[@]}"
    assert_http 307
    gc_get "$BASE/api/env.cgi" "${FORGED[@]}"
    assert_http 401
    assert_body "$GC_JSON_401"

    gc_get "$BASE/public/env.cgi" "${FORGED[@]}"
    assert_http 200
    refute_forged_identity
    refute_env REMOTE_USER
    refute_env AUTH_TYPE
    refute_env NEXTAUTH_EMAIL
    refute_env NEXTAUTH_ROLE
    # what the example does not remove arrives, as HTTP_* (and only there)
    assert_env HTTP_AUTH_TYPE evil
    assert_env HTTP_VARIABLE_REMOTE_USER evil
}

@test "lighttpd: forged identity headers with a session: the backend's identity is the token's" {
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${FORGED[@]}"
    assert_http 200
    refute_forged_identity
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL bob@example.com
    assert_env NEXTAUTH_ROLE user

    # nor can a forged role open an admin page
    gc_get "$BASE/admin/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${FORGED[@]}" \
        -H 'Variable-NEXTAUTH_ROLE: admin' -H 'X-Nextauth-Role: admin'
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fadmin%2Fenv.cgi"
}

@test "lighttpd: a mod_proxy backend is guarded too, and never sees client-sent identity headers" {
    gc_get "$BASE/service/env.cgi" "${FORGED[@]}"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fservice%2Fenv.cgi"
    gc_get "$BASE/service/p.txt"
    assert_http 307
    gc_get "$BASE/service/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${FORGED[@]}"
    assert_http 200
    assert_env REQUEST_URI /public/env.cgi
    assert_env HTTP_X_FORWARDED_FOR 127.0.0.1
    refute_forged_identity
    # the example's setenv.set-request-header removes these names
    gc_get "$BASE/service/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" \
        -H 'X-Nextauth-User: evil' -H 'X-Nextauth-Email: evil' -H 'X-Nextauth-Role: evil' \
        -H 'Remote-User: evil' -H 'REMOTE-USER: evil'
    assert_http 200
    refute_env HTTP_X_NEXTAUTH_USER
    refute_env HTTP_X_NEXTAUTH_EMAIL
    refute_env HTTP_X_NEXTAUTH_ROLE
    refute_env HTTP_REMOTE_USER
    # from every request: the CGI backends do not see them either
    gc_get "$BASE/public/env.cgi" -H 'X-Nextauth-User: evil' -H 'Remote-User: evil'
    refute_env HTTP_X_NEXTAUTH_USER
    refute_env HTTP_REMOTE_USER
}

# --- client-sent identity headers ---------------------------------------------

@test "lighttpd: client-sent identity headers, dashes or underscores, never reach the CGI backend" {
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    gc_refute_client_env
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_ROLE user
    assert_env NEXTAUTH_EMAIL bob@example.com

    # unguarded: no identity at all
    gc_get "$BASE/public/env.cgi" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    gc_refute_client_env
    refute_env REMOTE_USER
    refute_env AUTH_TYPE
    refute_env NEXTAUTH_ROLE
}

# body_has_line TEXT — one line of the last body is exactly TEXT.
body_has_line() {
    grep -qxF -- "$1" "$gc_body_file" || _gc_show "expected the line: $1"
}

@test "lighttpd: client-sent identity headers, dashes or underscores, never reach a proxied application" {
    gc_get "$BASE/echo/x" -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}" -H 'X-Probe: kept'
    assert_http 200
    body_has_line 'GET /echo/x HTTP/1.1'
    body_has_line 'X-Probe: kept'
    gc_refute_client_headers
    gc_get "$BASE/echo/x" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 307
    gc_get "$BASE/public/echo/x" "${GC_CLIENT_IDENTITY[@]}" -H 'X-Probe: kept'
    assert_http 200
    body_has_line 'X-Probe: kept'
    gc_refute_client_headers
    # through this server's own CGI (/service/ → /public/env.cgi)
    gc_get "$BASE/service/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    assert_env REQUEST_URI /public/env.cgi
    gc_refute_client_env
}

@test "lighttpd: other separators (or a mix) cannot all be listed: on public paths they still reach the backends" {
    # lighttpd maps every byte but letters and digits to "_" in variable names;
    # mod_setenv only matches whole names. The guard never sees public paths:
    # backends must read REMOTE_USER and NEXTAUTH_*, never HTTP_X_NEXTAUTH_*
    # (INSTALL says so).
    gc_get "$BASE/public/env.cgi" -H 'X.Nextauth.Role: dotted' -H 'X_Nextauth-User: mixed'
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_ROLE dotted
    assert_env HTTP_X_NEXTAUTH_USER mixed
    # and a proxied application gets them as they are
    gc_get "$BASE/public/echo/x" -H 'X.Nextauth.Role: dotted'
    body_has_line 'X.Nextauth.Role: dotted'
}

@test "lighttpd: on guarded paths the guard refuses what the list missed: 400 JSON, with or without a session, never the backend" {
    local h
    for h in 'X.Nextauth.Role: admin' 'X_Nextauth-User: evil' 'x~nextauth~email: evil' \
        'Remote.User: evil' "X'Nextauth'Sub: 1"; do
        for c in "" "$(gc_cookie "$TOK_USER")" "$(gc_cookie "$TOK_ADMIN")"; do
            gc_get "$BASE/app/env.cgi" ${c:+-H "Cookie: $c"} -H "$h"
            assert_http 400
            assert_header Content-Type application/json
            assert_header Cache-Control no-store
            [ "$gc_body" = '{"message":"Identity headers are set by the server, not by the client."}' ] ||
                _gc_show "the 400 JSON body"
            refute_env REMOTE_USER
            gc_get "$BASE/admin/a.txt" ${c:+-H "Cookie: $c"} -H "$h"
            assert_http 400
        done
    done
    grep -qF 'client-sent identity header (HTTP_X_NEXTAUTH_ROLE) on a guarded request: refused' \
        "$LTDIR/logs/error.log" || { srv_dump "$LTDIR/logs/error.log"; false; }
    # the spellings the example removes never reach the guard: the request goes on
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" -H 'X-Nextauth-Role: admin' \
        -H 'x_nextauth_role: admin'
    assert_http 200
    assert_env NEXTAUTH_ROLE user
}

# --- bad sessions -------------------------------------------------------------

@test "lighttpd: expired and tampered sessions count as none; the error log has the guard's reason" {
    local t
    for t in "$TOK_EXPIRED" "$TOK_TAMPERED"; do
        gc_get "$BASE/docs/page.txt" -H "Cookie: $(gc_cookie "$t")"
        assert_http 307
        assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
        gc_get "$BASE/api/data.json" -H "Cookie: $(gc_cookie "$t")"
        assert_http 401
        assert_body "$GC_JSON_401"
    done
    gc_get "$BASE/docs/page.txt" -H 'Cookie: next-auth.session-token=garbage'
    assert_http 307
    grep -qF 'FastCGI-stderr:nextauth-guard: bad session token (token expired) for /docs/page.txt' \
        "$LTDIR/logs/error.log" || _fail "no 'bad session token (token expired)' line in the error log"
    grep -qF 'FastCGI-stderr:nextauth-guard: bad session token (decryption failed' \
        "$LTDIR/logs/error.log" || _fail "no 'bad session token (decryption failed…' line in the error log"
    # the log never carries the token
    ! grep -qF "${TOK_TAMPERED:40:60}" "$LTDIR/logs/error.log" || _fail "the error log carries the token"
}

# --- authorized rules -----------------------------------------------------------

@test "lighttpd: role rule /admin/:path*: a user gets 307 (page) and 403 (API), an admin 200" {
    gc_get "$BASE/admin/a.txt" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fadmin%2Fa.txt"
    assert_header Cache-Control no-store

    gc_get "$BASE/api/admin/x.json" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 403
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_body "$GC_JSON_403"

    gc_get "$BASE/admin/a.txt" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body "admin only"$'\n'
    gc_get "$BASE/api/admin/x.json" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body '{"data":"admin api"}'$'\n'
    gc_get "$BASE/admin/env.cgi" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env NEXTAUTH_ROLE admin

    # a user may still see what the rule does not cover
    gc_get "$BASE/docs/page.txt" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 200
    grep -qF 'FastCGI-stderr:nextauth-guard: not authorized for /api/admin/x.json' "$LTDIR/logs/error.log" ||
        _fail "no 'not authorized' line in the error log"
}

@test "lighttpd: the role rule holds through path encodings (no admin file for a user)" {
    local p c
    c=$(gc_cookie "$TOK_USER")
    for p in /%61dmin/a.txt /admin%2fa.txt /admin%2Fa.txt //admin/a.txt /public/../admin/a.txt \
        /admin/./a.txt /admin//a.txt /%2e/admin/a.txt /api/../admin/a.txt '/admin/a.txt?x=1'; do
        gc_get "$BASE$p" --path-as-is -H "Cookie: $c"
        assert_http 307
        refute_body_has "admin only"
    done
    for p in /api/admin%2fx.json /api/%61dmin/x.json /api//admin/x.json /api/admin/./x.json; do
        gc_get "$BASE$p" --path-as-is -H "Cookie: $c"
        assert_http 403
        assert_body "$GC_JSON_403"
    done
}

# --- what is not guarded ------------------------------------------------------

@test "lighttpd: public paths and /api/auth are not guarded; the guard's own exemptions pass" {
    gc_get "$BASE/public/p.txt"
    assert_http 200
    assert_body "public file"$'\n'
    gc_get "$BASE/api/auth/providers.json"
    assert_http 200
    assert_body '{"credentials":{"id":"credentials"}}'$'\n'
    # an invalid cookie does not matter there
    gc_get "$BASE/public/p.txt" -H "Cookie: $(gc_cookie "$TOK_TAMPERED")"
    assert_http 200
    # guarded by lighttpd, let through by the guard (the sign-in page, /_next,
    # /favicon.ico: docs/behaviour.md, Exempt paths): lighttpd then answers 404
    # for the missing files
    local p
    for p in /login /favicon.ico /_next/static/x.js /api/auth/nothing; do
        gc_get "$BASE$p"
        assert_http 404
    done
    # prefixes end at a segment boundary
    gc_get "$BASE/publicity.txt"
    assert_http 307
    gc_get "$BASE/api/authx"
    assert_http 401
}

@test "lighttpd: path tricks through the server stay guarded" {
    local p
    for p in /public/../docs/page.txt /public/%2e%2e/docs/page.txt /public/%2E%2E/docs/page.txt \
        //docs/page.txt /public/./../docs/page.txt /public//../docs/page.txt \
        /api/auth/../../docs/page.txt; do
        gc_get "$BASE$p" --path-as-is
        assert_http 307
        assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
        refute_body_has "guarded page"
    done
    # an encoded slash: the guard cannot normalize it, so guards it, with "/" as callbackUrl
    for p in /public%2f..%2fdocs/page.txt /public%2F..%2Fdocs/page.txt; do
        gc_get "$BASE$p" --path-as-is
        assert_http 307
        assert_header Location "${GC_SIGNIN}%2F"
    done
    gc_get "$BASE/api/auth/../data.json" --path-as-is
    assert_http 401
    assert_body "$GC_JSON_401"
    gc_get "$BASE/PUBLIC/p.txt"
    assert_http 307
    # with a session the same paths reach the file
    gc_get "$BASE/public/%2e%2e/docs/page.txt" --path-as-is -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body "guarded page"$'\n'
}

# --- big sessions ---------------------------------------------------------------

@test "lighttpd: a 3-chunk session cookie works (server.max-request-field-size 65535)" {
    local c
    c=$(gc_chunked_cookie "$TOK_BIG")
    [[ "$c" == *"next-auth.session-token.2="* ]] && [[ "$c" != *"next-auth.session-token.3="* ]] ||
        _fail "expected exactly 3 chunks"
    [ "${#c}" -gt 8192 ] || _fail "the cookie should exceed 8 KiB"
    gc_get "$BASE/app/env.cgi" -H "Cookie: $c"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    assert_env NEXTAUTH_ROLE admin
    # one chunk missing: no session
    gc_get "$BASE/api/data.json" -H "Cookie: ${c%; next-auth.session-token.2=*}"
    assert_http 401
}

@test "lighttpd: the default header limit (no max-request-field-size) answers 431 to a 3-chunk session" {
    local dir=$BATS_FILE_TMPDIR/small url c
    mkdir -p "$dir/www"
    echo ok >"$dir/www/x.txt"
    cat >"$BATS_FILE_TMPDIR/small.conf.in" <<'EOF'
server.document-root = "@DIR@/www"
server.bind = "127.0.0.1"
server.port = @PORT@
server.pid-file = "@DIR@/run/lighttpd.pid"
server.errorlog = "@DIR@/logs/error.log"
EOF
    lt_start "$dir" "$BATS_FILE_TMPDIR/small.conf.in"
    url=$LT_URL
    c=$(gc_chunked_cookie "$TOK_BIG")
    gc_get "$url/x.txt" -H "Cookie: $c"
    local got=$gc_status
    gc_get "$url/x.txt" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    local small=$gc_status
    lt_stop "$dir"
    [ "$got" = 431 ] || _fail "expected 431 for an ${#c}-byte cookie, got $got"
    [ "$small" = 200 ] || _fail "expected 200 for a one-cookie session, got $small"
}

# --- hostile paths --------------------------------------------------------------

@test "lighttpd: the open-redirect payloads as paths and as callbackUrl: every Location stays on the origin" {
    gc_check_payloads "$BASE"
}

@test "lighttpd: CR/LF injection never reaches a header" {
    # lighttpd refuses encoded control bytes in the path and the query (400)
    local p
    for p in '/docs/page.txt%0d%0aSet-Cookie:%20evil=1' '/docs/page.txt?x=%0d%0aSet-Cookie:%20evil=1' \
        '/docs/%0aLocation:%20http://evil.example/' '/api/x%0d%0a' '/docs/page.txt%00'; do
        gc_get "$BASE$p"
        assert_http 400
        refute_header Set-Cookie
        refute_header Location
        assert_clean_headers
    done
    # a raw CR inside a request header
    gc_get "$BASE/docs/page.txt" -H $'Cookie: a=b\rSet-Cookie: evil=1'
    assert_http 400
    refute_header Set-Cookie
    # control bytes inside the token's claims: replaced in the identity values
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_CRLF")"
    assert_http 200
    assert_env NEXTAUTH_NAME 'Ada??X-Evil: 1'
    assert_env REMOTE_USER 'ada@example.com??Set-Cookie: evil=1'
    ! grep -q '^X-Evil\|^Set-Cookie' "$gc_body_file" || _gc_show "a claim split a header"
    refute_header Set-Cookie
}

@test "lighttpd: long paths: callbackUrl is cut back, the Location stays same-origin and under 8 KiB" {
    local t
    # 2030 x "~" (each becomes %7E): a 6.1 KB Location
    t=$(printf '~%.0s' $(seq 2030))
    gc_get "$BASE/d/$t"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fd%2F$(printf '%%7E%.0s' $(seq 2030))"
    # past 2048 bytes: the path alone, past that "/"
    gc_get "$BASE/d/$t$t?q=1"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2F"
    gc_get "$BASE/d/$t?$t"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fd%2F$(printf '%%7E%.0s' $(seq 2030))"
}

# --- no secret ------------------------------------------------------------------

@test "lighttpd: a guard without a secret: pages 307 to the error page, APIs 500 JSON, never the file" {
    local dir=$BATS_FILE_TMPDIR/nosecret url
    start_lighttpd "$dir" || _fail "the no-secret lighttpd did not start"
    url=$(<"$dir/url")
    local c
    c=$(gc_cookie "$TOK_ADMIN")
    gc_get "$url/docs/page.txt"
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    assert_header Cache-Control no-store
    gc_get "$url/docs/page.txt" -H "Cookie: $c"
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    gc_get "$url/app/env.cgi" -H "Cookie: $c"
    assert_http 307
    refute_body_has REMOTE_USER
    gc_get "$url/api/data.json" -H "Cookie: $c"
    assert_http 500
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_body "$GC_JSON_500"
    # the exemptions still pass
    gc_get "$url/api/auth/providers.json"
    assert_http 200
    gc_get "$url/login"
    assert_http 404
    grep -q 'FastCGI-stderr:nextauth-guard: NO_SECRET' "$dir/logs/error.log" ||
        _fail "no NO_SECRET line in the error log"
    # at start-up, on the guard's plain stderr (lighttpd's own stderr)
    grep -q 'nextauth-guard: NO_SECRET' "$dir/logs/lighttpd.out" ||
        _fail "no NO_SECRET line on lighttpd's stderr"
    lt_stop "$dir"
}

# --- crash ----------------------------------------------------------------------

# traffic OUT N [CURL-OPTION...] — N requests alternating a page and an API
# path, ~400 a second, in the background (one curl process, bounded by 20 s);
# OUT gets "status bytes" per request.
traffic() {
    local out=$1 n=$2 i cfg=$1.curl
    shift 2
    for ((i = 0; i < n; i++)); do
        if ((i % 2)); then
            printf 'url = "%s/docs/page.txt?i=%d"\noutput = "/dev/null"\n' "$BASE" "$i"
        else
            printf 'url = "%s/api/data.json?i=%d"\noutput = "/dev/null"\n' "$BASE" "$i"
        fi
    done >"$cfg"
    timeout 20 curl -s --max-time 5 --rate 400/s "$@" -K "$cfg" \
        -w '%{http_code} %{size_download}\n' >"$out" 2>/dev/null 3>&- &
}

_served() { # URL COOKIE — a guarded file is served
    [ "$(curl -s --max-time 2 -H "Cookie: $2" "$1")" = "guarded page" ]
}

@test "lighttpd: kill -9 of a guard process under traffic: never an unauthorized 200, and lighttpd respawns it" {
    local c victim before after bad
    c=$(gc_cookie "$TOK_ADMIN")
    before=$(guard_pids "$LTDIR" | sort | tr '\n' ' ')
    traffic "$BATS_TEST_TMPDIR/none.out" 1200
    local p1=$!
    traffic "$BATS_TEST_TMPDIR/valid.out" 1200 -H "Cookie: $c"
    local p2=$!
    sleep 1
    victim=$(guard_pids "$LTDIR" | head -n 1)
    [ -n "$victim" ] || _fail "no guard process found"
    kill -9 "$victim"
    wait "$p1" "$p2"
    # without a session: only denials (or server errors), never a file
    bad=$(grep -vE '^(307 0|401 36|50[0-9] [0-9]+)$' "$BATS_TEST_TMPDIR/none.out" | sort | uniq -c)
    [ -z "$bad" ] || _fail "unexpected answers without a session:" "$bad"
    # with a session: the files (13 and 23 bytes) or server errors
    bad=$(grep -vE '^(200 (13|23)|50[0-9] [0-9]+)$' "$BATS_TEST_TMPDIR/valid.out" | sort | uniq -c)
    [ -z "$bad" ] || _fail "unexpected answers with a session:" "$bad"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/none.out")" -eq 1200 ] || _fail "the no-session loop did not finish"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/valid.out")" -eq 1200 ] || _fail "the session loop did not finish"
    echo "# no session: $(sort "$BATS_TEST_TMPDIR/none.out" | uniq -c | tr '\n' ' ')" >&3
    echo "# session:    $(sort "$BATS_TEST_TMPDIR/valid.out" | uniq -c | tr '\n' ' ')" >&3
    # respawned: as many guard processes as before, the killed one replaced
    srv_poll 5 _served "$BASE/docs/page.txt" "$c" || _fail "no 200 with a session after the kill"
    local want
    want=$(example_procs)
    _all_guards() { [ "$(guard_pids "$LTDIR" | grep -cvx "$victim")" -eq "$want" ]; }
    srv_poll 5 _all_guards || _fail "lighttpd did not respawn the guard (before: $before)"
    after=$(guard_pids "$LTDIR" | sort | tr '\n' ' ')
    echo "# guard pids before: $before after: $after" >&3
    gc_get "$BASE/docs/page.txt"
    assert_http 307
}
