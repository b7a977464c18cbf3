#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ngx_http_nextauth_module (nginx/ngx_http_nextauth_module.c), the guard inside
# nginx, end to end: a private nginx 1.22 (tests/lib/nginx.sh) on a free
# loopback port loads the module built by `make nginx-module`
# (tests/fixtures-nginx/nginx.conf and site.conf: everything guarded but
# /public/, error_page lines for 401, 403, 500 and 503 that must never be
# seen). Behind it: the env-printing CGI (tests/fixtures/env.cgi run by
# tests/fixtures/fcgi-cgi.pl, a FastCGI runner under spawn-fcgi) with the
# $nextauth_* variables as fastcgi_param, and under /service/ a proxied echo of
# the request headers (tests/fixtures/echo-app.pl) with them as
# proxy_set_header. The same answers as nextauth-guard's behind nginx
# (tests/guard-nginx.bats), checked with curl, exactly; the shared checks are
# tests/lib/guard-checks.sh's.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/guard-checks.sh
. "$BATS_TEST_DIRNAME/lib/guard-checks.sh"
# shellcheck source=tests/lib/mod-nginx.sh
. "$BATS_TEST_DIRNAME/lib/mod-nginx.sh"
# shellcheck source=tests/lib/spawn-fcgi.sh
. "$BATS_TEST_DIRNAME/lib/spawn-fcgi.sh"

setup_file() {
    gc_need_tools mod-nginx nginx curl spawn-fcgi perl jq || return 1
    gc_need_module mod-nginx nginx-module "$MN_MODULE" "$GC_TOKEN_BIN" || return 1
    clean_env
    export MN_ROOT="$BATS_FILE_TMPDIR/ng"
    gc_setup_root "$MN_ROOT" || return 1
    # the guard's test configuration, with the secret in the file
    gc_write_config "$MN_ROOT/nextauth.json" "$GC_ORIGIN" "$GC_SECRET"
    cp "$GC_FIXTURES/echo-app.pl" "$BATS_FILE_TMPDIR/echo-app.pl" &&
        sf_start "$BATS_FILE_TMPDIR/echo-app" "$BATS_FILE_TMPDIR/echo-app.pl" || return 1
    export MN_APP_PORT=$SF_PORT
    mn_start "$MN_ROOT" "$MN_ROOT/nextauth.json" "$MN_APP_PORT" || return 1
    export BASE=$NG_URL MN_PID=$NG_PID GC_ERROR_LOG="$MN_ROOT/logs/error.log"
    export GC_PUBLIC_CGI=/api/auth/env.cgi
    gc_mint_tokens
}

teardown_file() {
    gc_stop_each mn_stop
    sf_stop "$BATS_FILE_TMPDIR/echo-app"
    return 0
}

teardown() {
    gc_dump_failed "$MN_ROOT/logs/error.log" "$MN_ROOT/logs/nginx.out"
}

# The module logs the guard's lines as "ngx_http_nextauth_module: …" where the
# program says "nextauth-guard: …".
gc_guard_logged() { # MSG
    gc_log_has "$MN_PROG: ${1#nextauth-guard: }"
}

# The proxied echo saw exactly this identity (the headers of site.conf), and
# nothing a client sent under an identity name.
assert_proxied_identity() { # USER ROLE
    assert_http 200 && body_has_line "X-Nextauth-User: $1" && body_has_line "X-Nextauth-Email: $1" &&
        body_has_line "Remote-User: $1" && body_has_line "X-Nextauth-Role: $2" &&
        body_has_line "X-Nextauth-Claim-Role: $2" || return 1
    local bad
    bad=$(grep -icE '^(x[-_]nextauth[-_]user|remote[-_]user):' "$gc_body_file")
    [ "$bad" -eq 2 ] || _gc_show "one X-Nextauth-User and one Remote-User only"
    bad=$(grep -iE ': (evil|admin)$' "$gc_body_file" | grep -vE '^X-Nextauth-(Role|Claim-Role): admin$' || true)
    [ -z "$bad" ] || _gc_show "a client's value reached the application:" "$bad"
}

# --- the module itself ----------------------------------------------------------

@test "nginx module: it needs no FastCGI library nor libpq, and exports only nginx's module records" {
    gc_check_module_links "$MN_MODULE" TDBR \
        "ngx_http_nextauth_module ngx_module_names ngx_module_order ngx_modules "
}

# --- the checks every server gets (tests/lib/guard-checks.sh) -----------------

@test "nginx module: no session on a page: 307 to the sign-in page as the guard wrote it (no body)" {
    gc_check_no_session_page empty
    refute_header Content-Type
}

@test "nginx module: no session on /api/: the 401 JSON byte for byte, not the error_page" {
    gc_check_no_session_api
}

@test "nginx module: no session, a client that does not accept HTML: 401 JSON on a page too" {
    gc_check_no_session_not_html
}

@test "nginx module: HEAD gets the same status and headers, and no body" {
    gc_req /api/env.cgi -I
    assert_http 401
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_header Content-Length 36
    # curl -I writes the header block as the output: nothing after it
    cmp -s "$gc_hdr_file" "$gc_body_file" || _gc_show "expected no body after the headers"
    gc_req /docs/page.txt -I
    assert_signin '%2Fdocs%2Fpage.txt'
    cmp -s "$gc_hdr_file" "$gc_body_file" || _gc_show "expected no body after the headers"
}

@test "nginx module: valid session: the static files (index too), and nothing of the check in the answer" {
    gc_check_static_files
}

@test "nginx module: valid session: the FastCGI backend gets REMOTE_USER, AUTH_TYPE and the NEXTAUTH_* identity from the variables" {
    gc_check_backend_identity
    assert_env NEXTAUTH_CLAIM_ROLE admin
}

@test "nginx module: \$nextauth_claim_<name>: a string as it is, other JSON compact, control bytes made '?', any case, at most 4096 bytes; none without a session" {
    local t
    gc_mint t '{"email":"c@example.com","sub":"7","role":"ops","groups":["a","b"],"note":"x\r\ny","Dept":"R&D"}'
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    assert_env NEXTAUTH_CLAIM_ROLE ops
    assert_env NEXTAUTH_CLAIM_GROUPS '["a","b"]'
    assert_env NEXTAUTH_CLAIM_NOTE 'x??y'
    # nginx lower-cases the variable's name: the claim is found in any case
    assert_env NEXTAUTH_CLAIM_DEPT 'R&D'
    # past 4096 bytes: left out, with a line in the error log
    gc_mint t "{\"email\":\"c@example.com\",\"pad\":\"$(printf 'p%.0s' $(seq 4097))\"}"
    gc_req /app/env.cgi -H "Cookie: $(gc_chunked_cookie "$t")"
    assert_http 200
    refute_env NEXTAUTH_CLAIM_PAD
    assert_env REMOTE_USER c@example.com
    grep -qF "$MN_PROG: \$nextauth_claim_pad left empty: claim pad is 4097 bytes (at most 4096)" \
        "$GC_ERROR_LOG" || _fail "expected the log line of the left-out claim"
    # a claim the token does not have is not sent (if_not_empty)
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_env NEXTAUTH_CLAIM_ROLE user
    refute_env NEXTAUTH_CLAIM_GROUPS
    # a path the guard lets pass has no claims
    gc_req /api/auth/env.cgi -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    refute_env NEXTAUTH_CLAIM_ROLE
    refute_env REMOTE_USER
}

@test "nginx module: a token without an e-mail (none or empty): \$nextauth_user is the subject" {
    gc_check_identity_without_email
}

@test "nginx module: request variants: a Bearer token, two Cookie headers (joined), UTF-8 claims, a foreign Host" {
    gc_check_request_variants joined
}

@test "nginx module: HTTP/2: the Cookie fields joined, the same answers" {
    local h2=(--http2-prior-knowledge --unix-socket "$MN_ROOT/run/h2.sock")
    gc_req /app/env.cgi "${h2[@]}" -H 'Cookie: a=1' -H "Cookie: $(gc_cookie "$TOK_ADMIN")" \
        -H 'Cookie: b=2'
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    assert_env SERVER_PROTOCOL HTTP/2.0
    gc_req /app/env.cgi "${h2[@]}" -H "Cookie: $(gc_chunked_cookie "$TOK_BIG")"
    assert_http 200
    assert_env NEXTAUTH_ROLE admin
    gc_req /api/data.json "${h2[@]}"
    assert_json_401
    gc_req /docs/page.txt "${h2[@]}" -H 'X-Nextauth-User: evil'
    assert_signin '%2Fdocs%2Fpage.txt'
    gc_req /app/env.cgi "${h2[@]}" -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    refute_client_identity
    assert_env REMOTE_USER bob@example.com
}

@test "nginx module: forged identity headers without a session: guarded paths deny, a passed path gets no identity" {
    gc_check_forged_without_session
}

@test "nginx module: forged identity headers with a session: the backend's identity is the token's" {
    gc_check_forged_with_session
}

@test "nginx module: client-sent identity headers never reach a FastCGI backend, underscores_in_headers on too" {
    gc_check_client_identity_cgi
    # where nginx lets X_Nextauth_User in, the module takes it out
    gc_req /app/env.cgi --unix-socket "$MN_ROOT/run/underscores.sock" \
        -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}" -H 'X.Nextauth.Role: admin'
    assert_http 200
    refute_client_identity
    assert_env REMOTE_USER bob@example.com
    assert_env NEXTAUTH_ROLE user
    gc_req /api/auth/env.cgi --unix-socket "$MN_ROOT/run/underscores.sock" "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    refute_client_identity
    refute_env REMOTE_USER
}

@test "nginx module: a proxied application gets the identity headers of proxy_set_header only, never a client's" {
    local s
    for s in '' "$MN_ROOT/run/underscores.sock"; do
        gc_req /service/x ${s:+--unix-socket "$s"} -H "Cookie: $(gc_cookie "$TOK_USER")" \
            "${GC_CLIENT_IDENTITY[@]}" -H 'X-Probe: kept'
        assert_proxied_identity bob@example.com user
        body_has_line 'GET /x HTTP/1.0'
        body_has_line 'X-Probe: kept'
        gc_req /service/x ${s:+--unix-socket "$s"} -H "Cookie: $(gc_cookie "$TOK_ADMIN")" \
            "${GC_CLIENT_IDENTITY[@]}"
        assert_proxied_identity ada@example.com admin
        body_has_line 'X-Nextauth-Name: Ada'
        body_has_line 'X-Nextauth-Sub: 1'
        # nextauth off: the empty variables send no identity header, and the
        # client's of those names are dropped
        gc_req /public/service/x ${s:+--unix-socket "$s"} -H "Cookie: $(gc_cookie "$TOK_USER")" \
            -H 'X-Nextauth-User: evil' -H 'Remote-User: evil' -H 'X-Nextauth-Role: admin' -H 'X-Probe: kept'
        assert_http 200
        body_has_line 'X-Probe: kept'
        gc_refute_client_headers
    done
}

@test "nginx module: expired and tampered sessions count as none; the error log has the guard's reason" {
    gc_check_bad_sessions
}

@test "nginx module: role rule /admin/:path*: a user gets 307 (page) and 403 (API), an admin 200" {
    gc_check_role_rule
}

@test "nginx module: the role rule holds through path encodings" {
    gc_check_role_rule_encodings
}

@test "nginx module: /public/ (nextauth off) and the guard's exemptions pass, without an identity" {
    gc_check_exemptions_404
    gc_req /api/auth/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    refute_env REMOTE_USER
    refute_env AUTH_TYPE
    refute_env NEXTAUTH_EMAIL
}

@test "nginx module: path tricks stay guarded" {
    gc_check_path_tricks 307
}

@test "nginx module: a 3-chunk session cookie works (large_client_header_buffers 4 64k)" {
    gc_check_big_session
}

@test "nginx module: long paths: a 6 KB Location goes out whole" {
    gc_check_long_paths
}

@test "nginx module: the open-redirect payloads as paths and as callbackUrl: every Location stays on the origin" {
    gc_check_payloads "$BASE"
}

@test "nginx module: CR/LF injection never reaches a header" {
    gc_check_crlf
    gc_req /service/x -H "Cookie: $(gc_cookie "$TOK_CRLF")"
    assert_http 200
    body_has_line 'X-Nextauth-Name: Ada??X-Evil: 1'
    ! grep -qi '^x-evil\|^set-cookie' "$gc_body_file" || _gc_show "a claim split a header"
}

@test "nginx module: an internal redirect (try_files) keeps the decision and the identity" {
    gc_req /fallback/x -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    assert_env NEXTAUTH_CLAIM_ROLE admin
    assert_env REQUEST_URI /fallback/x
    gc_req /fallback/x
    assert_signin '%2Ffallback%2Fx'
}

@test "nginx module: a POST with a body is refused the same way, and the connection goes on" {
    local out
    out=$(curl -s --max-time 10 -d 'a=1&b=2' "$BASE/api/data.json" -o /dev/null -w '%{http_code} ' \
        --next -s "$BASE/api/data.json" -H 'Accept: application/json' -o /dev/null -w '%{http_code} %{num_connects}')
    [ "$out" = "401 401 0" ] || _fail "expected two 401s on one connection, got: $out"
    gc_req /api/data.json -d 'a=1&b=2'
    assert_json_401
}

@test "nginx module: a worker killed: the master starts another, whose guard answers at once" {
    local victim
    victim=$(pgrep -P "$MN_PID" | head -n 1)
    [ -n "$victim" ] || _fail "no worker of $MN_PID"
    kill -9 "$victim"
    srv_poll 10 _mn_workers 2 || _fail "the master did not start another worker"
    local i
    for i in 1 2 3 4; do
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
        assert_http 200
        assert_env REMOTE_USER bob@example.com
        gc_req /api/data.json
        assert_json_401
    done
}

_mn_workers() { # N — the master has N live workers
    [ "$(pgrep -P "$MN_PID" | wc -l)" -eq "$1" ]
}

# --- configuration -----------------------------------------------------------

@test "nginx module: without a secret nginx starts, and every guarded request is refused (307 to the error page, 500 JSON)" {
    local dir=$BATS_FILE_TMPDIR/nosecret
    gc_setup_root "$dir"
    mn_start "$dir" "$dir/guard.json" "$MN_APP_PORT" || _fail "the no-secret nginx did not start"
    grep -qF "nextauth_config $dir/guard.json: NO_SECRET:" "$dir/logs/config-check.out" ||
        _fail "expected the NO_SECRET warning of nginx -t:" "$(cat "$dir/logs/config-check.out")"
    gc_check_no_secret "$NG_URL" json
    mn_stop "$dir"
}

@test "nginx module: a configuration that cannot be read fails nginx -t with one line, and nginx does not start" {
    local dir=$BATS_FILE_TMPDIR/bad
    gc_setup_root "$dir"
    cp "$MN_SITE" "$dir/site.conf.in"
    _ng_render_all "$dir" "$MN_TEMPLATE" PORT=1 DIR="$dir" USER="$(ng_user)" \
        TEMP_PATHS="$(ng_temp_paths "$dir")" MODULE="$MN_MODULE" \
        NEXTAUTH_CONF="$dir/missing.json" APP_PORT=1
    run nginx -p "$dir/" -c nginx.conf -e logs/error.log -t
    [ "$status" -eq 1 ]
    [[ "$output" == *"[emerg] nextauth_config $dir/missing.json: config $dir/missing.json: No such file or directory in $dir/nginx.conf:"* ]] ||
        _fail "nginx -t said:" "$output"
    [ "$(grep -c emerg <<<"$output")" -eq 1 ] || _fail "one line:" "$output"
    run timeout 10 nginx -p "$dir/" -c nginx.conf -e logs/error.log -g 'daemon off;'
    [ "$status" -eq 1 ]
    # a url the guard cannot use
    printf '{"url": "not a url", "secret": "%s"}' "$GC_SECRET" >"$dir/missing.json"
    run nginx -p "$dir/" -c nginx.conf -e logs/error.log -t
    [ "$status" -eq 1 ]
    [[ "$output" == *"[emerg] nextauth_config $dir/missing.json: "*"url"* ]] || _fail "nginx -t said:" "$output"
    # "nextauth on" needs nextauth_config
    sed -i '/nextauth_config/d' "$dir/nginx.conf"
    run nginx -p "$dir/" -c nginx.conf -e logs/error.log -t
    [ "$status" -eq 1 ]
    [[ "$output" == *'[emerg] "nextauth on" needs nextauth_config in '* ]] || _fail "nginx -t said:" "$output"
}

# The sign-in redirect's Location for /app/env.cgi names SIGNIN_PATH.
_mn_signin_is() {
    gc_req /app/env.cgi
    [ "$(gc_header Location 2>/dev/null)" = "$GC_ORIGIN$1?callbackUrl=%2Fapp%2Fenv.cgi" ]
}

_mn_emerg_after() { # N CONF — more than N error lines about CONF
    [ "$(grep -c "\[emerg\].*nextauth_config $2: " "$GC_ERROR_LOG")" -gt "$1" ]
}

@test "nginx module: nginx -s reload reads a changed configuration; a broken one keeps the old" {
    local conf=$MN_ROOT/nextauth.json
    sed -i 's|"signIn": "/login"|"signIn": "/signin"|' "$conf"
    nginx -p "$MN_ROOT/" -c nginx.conf -e logs/error.log -s reload
    srv_poll 10 _mn_signin_is /signin || _gc_show "expected the new sign-in page after the reload"
    # broken: `nginx -s reload` refuses with the line and signals nothing; a
    # SIGHUP all the same: the master logs it and its workers go on
    printf '{"url": ' >"$conf"
    run nginx -p "$MN_ROOT/" -c nginx.conf -e logs/error.log -s reload
    [ "$status" -eq 1 ]
    [[ "$output" == *"[emerg] nextauth_config $conf: "* ]] || _fail "nginx -s reload said:" "$output"
    local n
    n=$(grep -c "\[emerg\].*nextauth_config $conf: " "$GC_ERROR_LOG")
    kill -HUP "$MN_PID"
    srv_poll 10 _mn_emerg_after "$n" "$conf" || _fail "expected the reload's error line"
    srv_alive "$MN_PID" || _fail "nginx is gone"
    _mn_signin_is /signin || _gc_show "expected the running configuration"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    # fixed again
    gc_write_config "$conf" "$GC_ORIGIN" "$GC_SECRET"
    nginx -p "$MN_ROOT/" -c nginx.conf -e logs/error.log -s reload
    srv_poll 10 _mn_signin_is /login || _gc_show "expected the old sign-in page back"
}
