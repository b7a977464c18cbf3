#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# nextauth-guard behind a real lighttpd 1.4 (docs/servers.md, lighttpd): one
# private lighttpd per file, on a free loopback port, configured by including
# examples/lighttpd-guard.conf itself (the guard as a FastCGI authorizer, its
# "max-procs" processes spawned by lighttpd). It guards a static docroot
# (tests/fixtures/www), a CGI backend (tests/fixtures/env.cgi, which prints
# its environment) and a proxied echo of the request headers (/echo/). The
# guard's configuration (tests/lib/guard-common.sh): origin
# http://app.example.test, sign-in page /login, /admin/… and /api/admin/… for
# role admin only, NEXTAUTH_ROLE from the role claim.
# The checks all three server suites make are in tests/lib/guard-checks.sh;
# the lighttpd-only ones (mod_proxy, other separators, the 400 for identity
# headers the example cannot remove, header limits, respawn) are below them.
# Extra servers, each started and stopped inside its own test: a lighttpd with
# the default header limit (431) and one whose guard has no secret.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/guard-checks.sh
. "$BATS_TEST_DIRNAME/lib/guard-checks.sh"
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
    export BASE GC_ERROR_LOG="$LTDIR/logs/error.log" GC_PUBLIC_CGI=/public/env.cgi
    gc_mint_tokens
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
    gc_dump_failed "$LTDIR/logs/error.log" "$LTDIR/logs/lighttpd.out"
}

# lighttpd logs a FastCGI program's stderr line as "FastCGI-stderr:LINE".
gc_guard_logged() { # MSG
    gc_log_has "FastCGI-stderr:$1"
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

# --- the checks every server gets (tests/lib/guard-checks.sh) -----------------

@test "lighttpd: no session on a page: 307 to the sign-in page with the callbackUrl" {
    gc_check_no_session_page empty
}

@test "lighttpd: no session on /api/: the 401 JSON byte for byte" {
    gc_check_no_session_api
}

@test "lighttpd: no session, a client that does not accept HTML: 401 JSON on a page too" {
    gc_check_no_session_not_html
}

@test "lighttpd: valid session: the static files, and nothing of the check in the answer" {
    gc_check_static_files
}

@test "lighttpd: valid session: the CGI backend gets REMOTE_USER, AUTH_TYPE and the NEXTAUTH_* identity" {
    gc_check_backend_identity
}

@test "lighttpd: a token without an e-mail (none or empty): REMOTE_USER is the subject" {
    gc_check_identity_without_email
}

@test "lighttpd: request variants: a Bearer token, two Cookie headers (lighttpd joins them), UTF-8 claims, a foreign Host" {
    gc_check_request_variants joined
}

@test "lighttpd: forged identity headers without a session: guarded paths deny, a public CGI gets no identity" {
    gc_check_forged_without_session
    # what the example does not remove arrives, as HTTP_* (and only there)
    assert_env HTTP_VARIABLE_REMOTE_USER evil
}

@test "lighttpd: forged identity headers with a session: the backend's identity is the token's" {
    gc_check_forged_with_session
}

@test "lighttpd: client-sent identity headers, dashes or underscores, never reach the CGI backend" {
    gc_check_client_identity_cgi
}

@test "lighttpd: client-sent identity headers, dashes or underscores, never reach a proxied application" {
    gc_check_client_identity_proxied /echo/x '%2Fecho%2Fx' /public/echo/x 'GET /echo/x HTTP/1.1'
    # through this server's own CGI (/service/ → /public/env.cgi)
    gc_req /service/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    assert_env REQUEST_URI /public/env.cgi
    gc_refute_client_env
}

@test "lighttpd: expired and tampered sessions count as none; the error log has the guard's reason" {
    gc_check_bad_sessions
}

@test "lighttpd: role rule /admin/:path*: a user gets 307 (page) and 403 (API), an admin 200" {
    gc_check_role_rule
}

@test "lighttpd: the role rule holds through path encodings (no admin file for a user)" {
    gc_check_role_rule_encodings
}

@test "lighttpd: public paths and /api/auth are not guarded; the guard's own exemptions pass" {
    # guarded by lighttpd, let through by the guard: lighttpd's 404
    gc_check_exemptions_404
}

@test "lighttpd: path tricks through the server stay guarded" {
    gc_check_path_tricks 307
}

@test "lighttpd: a 3-chunk session cookie works (server.max-request-field-size 65535)" {
    gc_check_big_session
}

@test "lighttpd: the open-redirect payloads as paths and as callbackUrl: every Location stays on the origin" {
    gc_check_payloads "$BASE"
}

@test "lighttpd: CR/LF injection never reaches a header" {
    # lighttpd refuses encoded control bytes in the path and the query (400)
    local p
    for p in '/docs/page.txt%0d%0aSet-Cookie:%20evil=1' '/docs/page.txt?x=%0d%0aSet-Cookie:%20evil=1' \
        '/docs/%0aLocation:%20http://evil.example/' '/api/x%0d%0a' '/docs/page.txt%00'; do
        gc_req "$p"
        assert_http 400
        refute_header Set-Cookie
        refute_header Location
        assert_clean_headers
    done
    gc_check_crlf
}

@test "lighttpd: long paths: callbackUrl is cut back, the Location stays same-origin and under 8 KiB" {
    gc_check_long_paths
}

# --- lighttpd only ------------------------------------------------------------

@test "lighttpd: a mod_proxy backend is guarded too, and never sees client-sent identity headers" {
    gc_req /service/env.cgi "${GC_FORGED[@]}"
    assert_signin '%2Fservice%2Fenv.cgi'
    gc_req /service/p.txt
    assert_http 307
    gc_req /service/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_FORGED[@]}"
    assert_http 200
    assert_env REQUEST_URI /public/env.cgi
    assert_env HTTP_X_FORWARDED_FOR 127.0.0.1
    refute_forged_identity
    # the example's setenv.set-request-header removes these names
    gc_req /service/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" \
        -H 'X-Nextauth-User: evil' -H 'X-Nextauth-Email: evil' -H 'X-Nextauth-Role: evil' \
        -H 'Remote-User: evil' -H 'REMOTE-USER: evil'
    assert_http 200
    refute_env HTTP_X_NEXTAUTH_USER
    refute_env HTTP_X_NEXTAUTH_EMAIL
    refute_env HTTP_X_NEXTAUTH_ROLE
    refute_env HTTP_REMOTE_USER
    # from every request: the CGI backends do not see them either
    gc_req /public/env.cgi -H 'X-Nextauth-User: evil' -H 'Remote-User: evil'
    refute_env HTTP_X_NEXTAUTH_USER
    refute_env HTTP_REMOTE_USER
}

@test "lighttpd: other separators (or a mix) cannot all be listed: on public paths they still reach the backends" {
    # lighttpd maps every byte but letters and digits to "_" in variable names;
    # mod_setenv only matches whole names. The guard never sees public paths:
    # backends must read REMOTE_USER and NEXTAUTH_*, never HTTP_X_NEXTAUTH_*
    # (INSTALL says so).
    gc_req /public/env.cgi -H 'X.Nextauth.Role: dotted' -H 'X_Nextauth-User: mixed'
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_ROLE dotted
    assert_env HTTP_X_NEXTAUTH_USER mixed
    # and a proxied application gets them as they are
    gc_req /public/echo/x -H 'X.Nextauth.Role: dotted'
    body_has_line 'X.Nextauth.Role: dotted'
}

@test "lighttpd: on guarded paths the guard refuses what the list missed: 400 JSON, with or without a session, never the backend" {
    local h c
    for h in 'X.Nextauth.Role: admin' 'X_Nextauth-User: evil' 'x~nextauth~email: evil' \
        'Remote.User: evil' "X'Nextauth'Sub: 1"; do
        for c in "" "$(gc_cookie "$TOK_USER")" "$(gc_cookie "$TOK_ADMIN")"; do
            gc_req /app/env.cgi ${c:+-H "Cookie: $c"} -H "$h"
            assert_http 400
            assert_header Content-Type application/json
            assert_header Cache-Control no-store
            [ "$gc_body" = '{"message":"Identity headers are set by the server, not by the client."}' ] ||
                _gc_show "the 400 JSON body"
            refute_env REMOTE_USER
            gc_req /admin/a.txt ${c:+-H "Cookie: $c"} -H "$h"
            assert_http 400
        done
    done
    gc_guard_logged 'nextauth-guard: client-sent identity header (HTTP_X_NEXTAUTH_ROLE) on a guarded request: refused'
    # the spellings the example removes never reach the guard: the request goes on
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" -H 'X-Nextauth-Role: admin' \
        -H 'x_nextauth_role: admin'
    assert_http 200
    assert_env NEXTAUTH_ROLE user
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

@test "lighttpd: a guard without a secret: pages 307 to the error page, APIs 500 JSON, never the file" {
    local dir=$BATS_FILE_TMPDIR/nosecret
    start_lighttpd "$dir" || _fail "the no-secret lighttpd did not start"
    gc_check_no_secret "$(<"$dir/url")" json
    gc_get "$(<"$dir/url")/login"
    assert_http 404
    grep -q 'FastCGI-stderr:nextauth-guard: NO_SECRET' "$dir/logs/error.log" ||
        _fail "no NO_SECRET line in the error log"
    # at start-up, on the guard's plain stderr (lighttpd's own stderr)
    grep -q 'nextauth-guard: NO_SECRET' "$dir/logs/lighttpd.out" ||
        _fail "no NO_SECRET line on lighttpd's stderr"
    lt_stop "$dir"
}

_served() { # URL COOKIE — a guarded file is served
    [ "$(curl -s --max-time 2 -H "Cookie: $2" "$1")" = "guarded page" ]
}

@test "lighttpd: kill -9 of a guard process under traffic: never an unauthorized 200, and lighttpd respawns it" {
    local c before after want
    c=$(gc_cookie "$TOK_ADMIN")
    before=$(guard_pids "$LTDIR" | sort | tr '\n' ' ')
    gc_check_kill_under_traffic 0 guard_pids "$LTDIR"
    # respawned: as many guard processes as before, the killed one replaced
    srv_poll 5 _served "$BASE/docs/page.txt" "$c" || _fail "no 200 with a session after the kill"
    want=$(example_procs)
    _all_guards() { [ "$(guard_pids "$LTDIR" | grep -cvx "$GC_VICTIM")" -eq "$want" ]; }
    srv_poll 5 _all_guards || _fail "lighttpd did not respawn the guard (before: $before)"
    after=$(guard_pids "$LTDIR" | sort | tr '\n' ' ')
    echo "# guard pids before: $before after: $after" >&3
    gc_req /docs/page.txt
    assert_http 307
}
