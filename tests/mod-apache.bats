#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mod_nextauth (apache/mod_nextauth.c), the guard inside Apache 2.4, end to
# end: a private Apache (event MPM, mod_cgid) on a free loopback port loads
# the module built by `make apache-module` (tests/fixtures-apache/
# mod-nextauth.conf: everything guarded but /public/, Require nextauth-claim
# and Require user under /claims/ and /api/claims/, ErrorDocuments for 401
# and 403 that must never be seen); the env-printing CGI (tests/fixtures)
# and, under /service/, a proxied echo of the request headers stand behind it. Every answer is checked with curl, exactly: the same
# answers as nextauth-guard's (tests/guard-apache.bats).

load helpers
# shellcheck source=tests/lib/guard-checks.sh
. "$BATS_TEST_DIRNAME/lib/guard-checks.sh"
# shellcheck source=tests/lib/apache.sh
. "$BATS_TEST_DIRNAME/lib/apache.sh"
# shellcheck source=tests/lib/spawn-fcgi.sh
. "$BATS_TEST_DIRNAME/lib/spawn-fcgi.sh"

MA_CONF="$BATS_TEST_DIRNAME/fixtures-apache/mod-nextauth.conf"
MA_MODULE="$REPO_ROOT/apache/mod_nextauth.so"

setup_file() {
    gc_need_tools mod-apache apache2 apxs curl spawn-fcgi perl || return 1
    gc_need_module mod-apache apache-module "$MA_MODULE" "$GC_TOKEN_BIN" || return 1
    # Not under BATS_FILE_TMPDIR: as root, Apache serves as www-data, which must
    # be able to walk to the docroot and run the CGI.
    MA_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mod-apache.XXXXXX") || return 1
    export MA_ROOT
    chmod 0755 "$MA_ROOT"
    gc_setup_root "$MA_ROOT" || return 1
    for d in claims claims/groups claims/level claims/all claims/user api/claims api/auth/claims; do
        mkdir -p "$MA_ROOT/www/$d" && cp -p "$MA_ROOT/www/app/env.cgi" "$MA_ROOT/www/$d/" || return 1
    done
    chmod -R a+rX "$MA_ROOT/www"
    # the guard's test configuration, with the secret in the file
    gc_write_config "$MA_ROOT/nextauth.json" "$GC_ORIGIN" "$GC_SECRET"
    cp "$GC_FIXTURES/echo-app.pl" "$MA_ROOT/echo-app.pl" &&
        sf_start "$MA_ROOT/echo-app" "$MA_ROOT/echo-app.pl" || return 1
    export MA_APP_PORT=$SF_PORT
    ap_start "$MA_ROOT" "$MA_CONF" NEXTAUTH_CONF="$MA_ROOT/nextauth.json" \
        APP_PORT="$MA_APP_PORT" || return 1
    export BASE=$AP_URL
    gc_mint_tokens
    # claims beyond the identity: an array, a number, a boolean
    gc_mint TOK_CY '{"name":"Cy","email":"cy@example.com","sub":"3","role":"user","groups":["dev","staff"],"level":3,"verified":true}' &&
        gc_mint TOK_DEE '{"name":"Dee","email":"dee@example.com","sub":"4","role":"user","groups":"staff","level":3.5,"verified":false}' ||
        return 1
    export TOK_CY TOK_DEE
}

teardown_file() {
    [ -n "${MA_ROOT-}" ] || return 0
    ap_stop "$MA_ROOT"
    ap_stop "$MA_ROOT/nosecret"
    sf_stop "$MA_ROOT/echo-app"
    rm -rf "$MA_ROOT"
}

# The backend saw the session's identity, exactly.
# shellcheck disable=SC2015 # any failed check ends in _gc_show, which fails
assert_identity() { # EMAIL NAME SUB ROLE
    assert_http 200 && assert_env REMOTE_USER "$1" && assert_env AUTH_TYPE NextAuth &&
        assert_env NEXTAUTH_EMAIL "$1" && assert_env NEXTAUTH_NAME "$2" &&
        assert_env NEXTAUTH_SUB "$3" && assert_env NEXTAUTH_ROLE "$4" &&
        grep -qE '^NEXTAUTH_EXPIRES=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.000Z$' "$gc_body_file" ||
        _gc_show "expected the backend's identity of $1"
}

@test "mod_nextauth: the module needs no FastCGI library and exports only its module record" {
    gc_check_module_links "$MA_MODULE" TDB "nextauth_module "
}

@test "mod_nextauth: a page without a session is redirected to sign-in with its callbackUrl" {
    gc_req '/app/env.cgi?x=1&y=%2F'
    assert_signin '%2Fapp%2Fenv.cgi%3Fx%3D1%26y%3D%252F'
    assert_body ''
    refute_header Content-Type
}

@test "mod_nextauth: an API path without a session is 401 JSON, not Apache's ErrorDocument" {
    gc_req /api/env.cgi
    assert_json_401
    gc_req /app/env.cgi -H 'Accept: application/json'
    assert_json_401
    gc_req /app/env.cgi -H 'X-Requested-With: XMLHttpRequest'
    assert_json_401
}

@test "mod_nextauth: HEAD on an API path is 401 with the same headers and no body" {
    gc_req /api/env.cgi -I
    assert_http 401
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    # curl -I writes the header block as the output: nothing after it
    cmp -s "$gc_hdr_file" "$gc_body_file" || _gc_show "expected no body after the headers"
}

@test "mod_nextauth: a valid session reaches the CGI backend with REMOTE_USER, AUTH_TYPE and the identity" {
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_identity ada@example.com Ada 1 admin
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_identity bob@example.com Bob 2 user
    gc_req /app/env.cgi -H "Cookie: $(gc_chunked_cookie "$TOK_BIG")"
    assert_identity ada@example.com Ada 1 admin
}

@test "mod_nextauth: a Bearer token is a session too" {
    gc_req /api/env.cgi -H "Authorization: Bearer $TOK_USER"
    assert_identity bob@example.com Bob 2 user
}

@test "mod_nextauth: client-sent identity headers never reach the backend, in any spelling" {
    local -a forged=(-H 'X-Nextauth-User: evil' -H 'x-nextauth-email: evil@x' -H 'X.Nextauth.Role: evil'
        -H 'X_Nextauth_Name: evil' -H 'Remote-User: evil' -H 'Remote_User: evil' -H 'REMOTE.USER: evil')
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" "${forged[@]}"
    assert_identity bob@example.com Bob 2 user
    ! grep -q evil "$gc_body_file" || _gc_show "a client-sent identity value reached the backend"
    ! grep -qE '^HTTP_(X_NEXTAUTH_|REMOTE_USER)' "$gc_body_file" ||
        _gc_show "a client-sent identity header reached the backend"
    # a proxied application gets the request's headers as they came, less these
    gc_req /service/x -H "Cookie: $(gc_cookie "$TOK_USER")" "${forged[@]}"
    assert_http 200
    gc_refute_client_headers
    ! grep -qiE '^(x.nextauth.|remote.user:)' "$gc_body_file" || _gc_show "a client-sent identity header reached the application"
    grep -qix 'host: 127.0.0.1:.*' "$gc_body_file" || _gc_show "expected the proxied request's headers"
    # on a path the guard lets pass too
    gc_req /api/auth/env.cgi "${forged[@]}"
    assert_http 200
    ! grep -q evil "$gc_body_file" || _gc_show "a client-sent identity value reached the backend"
    refute_env REMOTE_USER
}

@test "mod_nextauth: a rule refuses the wrong role: 403 JSON on an API, the sign-in redirect on a page" {
    gc_req /api/admin/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 403
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_body "$GC_JSON_403"
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_signin '%2Fadmin%2Fenv.cgi'
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_identity ada@example.com Ada 1 admin
}

@test "mod_nextauth: an expired or tampered token is no session: 401 on an API" {
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie "$TOK_EXPIRED")"
    assert_json_401
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie "$TOK_TAMPERED")"
    assert_json_401
    grep -qF 'mod_nextauth: bad session token (token expired) for /api/env.cgi' "$AP_DIR/logs/error.log" ||
        _gc_show "expected the guard's log line in the error log"
}

# A session that a Require line refuses: the guard's answer for a refused
# session, never Apache's 401 (no challenge, no ErrorDocument).
assert_refused_api() {
    assert_http 403 && assert_header Content-Type application/json &&
        assert_header Cache-Control no-store && assert_body "$GC_JSON_403" &&
        refute_header WWW-Authenticate
}
assert_refused_page() { # CALLBACK
    assert_signin "$1" && refute_header Content-Type && assert_body '' &&
        refute_header WWW-Authenticate
}

@test "mod_nextauth: Require nextauth-claim role admin: admin allowed; a user gets 403 JSON on an API, the sign-in redirect on a page" {
    gc_req /claims/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_identity ada@example.com Ada 1 admin
    gc_req /api/claims/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_identity ada@example.com Ada 1 admin
    gc_req /api/claims/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_refused_api
    gc_req '/claims/env.cgi?a=1' -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_refused_page '%2Fclaims%2Fenv.cgi%3Fa%3D1'
    # a client that does not take HTML gets the JSON on a page too
    gc_req /claims/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" -H 'Accept: application/json'
    assert_refused_api
    # HEAD: the same status and headers, no body
    gc_req /api/claims/env.cgi -I -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 403
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_header Content-Length "${#GC_JSON_403}"
    cmp -s "$gc_hdr_file" "$gc_body_file" || _gc_show "expected no body after the headers"
    # the connection stays open for the next request (one connect for both)
    run curl -s -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' \
        -H "Cookie: $(gc_cookie "$TOK_USER")" "$BASE/api/claims/env.cgi" "$BASE/api/env.cgi"
    [ "$output" = $'403 1\n200 0' ] || _fail "keep-alive after a refusal: $output"
}

@test "mod_nextauth: Require nextauth-claim without a session: the guard's 401 JSON and 307, unchanged" {
    gc_req /api/claims/env.cgi
    assert_json_401
    gc_req /claims/env.cgi
    assert_signin '%2Fclaims%2Fenv.cgi'
    gc_req /claims/groups/env.cgi -H "Cookie: $(gc_cookie "$TOK_EXPIRED")"
    assert_signin '%2Fclaims%2Fgroups%2Fenv.cgi'
}

@test "mod_nextauth: Require nextauth-claim on an array claim (any element) and on a number (its JSON text)" {
    gc_req /claims/groups/env.cgi -H "Cookie: $(gc_cookie "$TOK_CY")"
    assert_http 200
    assert_env REMOTE_USER cy@example.com
    # a string claim equal to one of the values
    gc_req /claims/groups/env.cgi -H "Cookie: $(gc_cookie "$TOK_DEE")"
    assert_http 200
    assert_env REMOTE_USER dee@example.com
    # no such claim
    gc_req /claims/groups/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_refused_page '%2Fclaims%2Fgroups%2Fenv.cgi'
    gc_req /claims/level/env.cgi -H "Cookie: $(gc_cookie "$TOK_CY")"
    assert_http 200
    assert_env REMOTE_USER cy@example.com
    gc_req /claims/level/env.cgi -H "Cookie: $(gc_cookie "$TOK_DEE")" -H 'Accept: application/json'
    assert_refused_api
}

@test "mod_nextauth: Require nextauth-claim on a path the guard lets pass: refused, as no session is read there" {
    gc_req /api/auth/claims/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_refused_api
    gc_req /api/auth/claims/env.cgi
    assert_refused_api
}

@test "mod_nextauth: <RequireAll> of valid-user and two nextauth-claim lines (one a boolean)" {
    gc_req /claims/all/env.cgi -H "Cookie: $(gc_cookie "$TOK_CY")"
    assert_http 200
    assert_env REMOTE_USER cy@example.com
    assert_env NEXTAUTH_ROLE user
    # verified false, or no verified claim at all
    gc_req /claims/all/env.cgi -H "Cookie: $(gc_cookie "$TOK_DEE")"
    assert_refused_page '%2Fclaims%2Fall%2Fenv.cgi'
    gc_req /claims/all/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")" -H 'X-Requested-With: XMLHttpRequest'
    assert_refused_api
    gc_req /claims/all/env.cgi
    assert_signin '%2Fclaims%2Fall%2Fenv.cgi'
}

@test "mod_nextauth: Require user refuses another valid user with the guard's answer, not Apache's 401" {
    gc_req /claims/user/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_identity ada@example.com Ada 1 admin
    gc_req /claims/user/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_refused_page '%2Fclaims%2Fuser%2Fenv.cgi'
    refute_body_has ErrorDocument
    gc_req /claims/user/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" -H 'Accept: application/json'
    assert_refused_api
    grep -qF 'user bob@example.com: authorization failure for "/claims/user/env.cgi"' "$AP_DIR/logs/error.log" ||
        _gc_show "expected Apache's line for the refusal"
}

@test "mod_nextauth: NextAuth's own paths and the sign-in page pass, without an identity" {
    gc_req /api/auth/env.cgi
    assert_http 200
    refute_env REMOTE_USER
    refute_env AUTH_TYPE
    gc_req /login
    assert_http 404
    gc_req /api/authx/env.cgi
    assert_json_401
}

@test "mod_nextauth: /public/ (AuthType None) is not asked about" {
    gc_req /public/env.cgi
    assert_http 200
    refute_env REMOTE_USER
}

@test "mod_nextauth: the open-redirect payloads as paths and as callbackUrl: every Location stays on the origin" {
    gc_check_payloads "$BASE"
}

@test "mod_nextauth: concurrent requests on the event MPM's threads each get their own identity" {
    local i out
    # shellcheck disable=SC2016 # $1 is the inner sh's
    out=$(for i in $(seq 1 60); do
        if [ $((i % 3)) = 0 ]; then echo "-H Cookie:$(gc_cookie "$TOK_ADMIN")"; \
        elif [ $((i % 3)) = 1 ]; then echo "-H Cookie:$(gc_cookie "$TOK_USER")"; \
        else echo "-H Accept:application/json"; fi
    done | xargs -P 12 -I{} sh -c 'curl -s --max-time 10 {} "$1/app/env.cgi" | grep -E "^REMOTE_USER=|message" || echo none' _ "$BASE" |
        sort | uniq -c | sed 's/^ *//')
    [ "$out" = "20 REMOTE_USER=ada@example.com
20 REMOTE_USER=bob@example.com
20 {\"message\":\"You must be logged in.\"}" ] || {
        echo "got: $out" >&2
        return 1
    }
}

# _ma_bad_run CONFIG ARG... — apache2 on the fixture with NextAuthConfig
# CONFIG, in MA_ROOT/bad (`run`: status, lines).
_ma_bad_run() {
    local bad=$MA_ROOT/bad conf=$1
    shift
    local -a defs=(-d "$bad" -f "$MA_CONF" -C "Define ROOT $bad" -C "Define REPO $REPO_ROOT"
        -C "Define AP_PORT $(srv_free_port)" -C "Define APP_PORT $MA_APP_PORT"
        -C "Define NEXTAUTH_CONF $conf")
    [ "$(id -u)" -eq 0 ] || defs+=(-DNOT_ROOT)
    run timeout 20 "$AP_BIN" "${defs[@]}" "$@"
}

@test "mod_nextauth: apache2 -t, and the start, fail on a configuration that cannot be read or used: its one line, exit 1" {
    local bad=$MA_ROOT/bad
    mkdir -p "$bad/www" "$bad/run" "$bad/logs"
    _ma_bad_run "$bad/missing.json" -t
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "mod_nextauth: NextAuthConfig $bad/missing.json: config $bad/missing.json: No such file or directory" ]
    [ "${lines[1]}" = "AH00014: Configuration check failed" ]
    [ "${#lines[@]}" -eq 2 ]
    printf '{"url": "not a url", "secret": "%s"}' "$GC_SECRET" >"$bad/broken.json"
    chmod 0600 "$bad/broken.json"
    _ma_bad_run "$bad/broken.json" -t
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "mod_nextauth: $bad/broken.json: url/NEXTAUTH_URL is not a usable http(s) URL" ]
    [ "${#lines[@]}" -eq 2 ]
    printf '{"url": "%s", "secret": "%s", "tokenCache": "many"}' "$GC_ORIGIN" "$GC_SECRET" >"$bad/typo.json"
    _ma_bad_run "$bad/typo.json" -t
    [ "$status" -eq 1 ]
    [[ ${lines[0]} == "mod_nextauth: NextAuthConfig $bad/typo.json: "*tokenCache* ]]
    # a start without the check stops at the same line, before it listens
    _ma_bad_run "$bad/broken.json" -DFOREGROUND
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "mod_nextauth: $bad/broken.json: url/NEXTAUTH_URL is not a usable http(s) URL" ]
    # a Require nextauth-claim line without a value
    printf '<Location "/x/">\n  AuthType NextAuth\n  Require nextauth-claim role\n</Location>\n' >"$bad/extra.conf"
    _ma_bad_run "$MA_ROOT/nextauth.json" -c "Include $bad/extra.conf" -t
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "AH00526: Syntax error on line 3 of $bad/extra.conf:" ]
    [ "${lines[1]}" = "Require nextauth-claim: a claim's name and at least one value" ]
    # and a good one passes the check
    _ma_bad_run "$MA_ROOT/nextauth.json" -t
    [ "$status" -eq 0 ]
    [ "$output" = "Syntax OK" ]
}

@test "mod_nextauth: without a secret Apache starts, and every guarded request is refused (307 to the error page, 500 JSON)" {
    local dir=$MA_ROOT/nosecret
    unset NEXTAUTH_SECRET AUTH_SECRET NEXTAUTH_SECRET_FILE
    gc_setup_root "$dir"
    chmod 0755 "$dir"
    chmod -R a+rX "$dir/www"
    ap_start "$dir" "$MA_CONF" NEXTAUTH_CONF="$dir/guard.json" APP_PORT="$MA_APP_PORT"
    gc_get "$AP_URL/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    assert_header Cache-Control no-store
    gc_get "$AP_URL/api/env.cgi" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 500
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_body "$GC_JSON_500"
    gc_get "$AP_URL/api/auth/env.cgi"
    assert_http 200
    ap_stop "$dir"
    grep -qF 'mod_nextauth: NO_SECRET:' "$dir/logs/error.log" || { cat "$dir/logs/error.log" >&2; return 1; }
}

# The sign-in redirect's Location for /app/env.cgi names SIGNIN_PATH.
_ma_signin_is() {
    gc_req /app/env.cgi
    [ "$(gc_header Location 2>/dev/null)" = "$GC_ORIGIN$1?callbackUrl=%2Fapp%2Fenv.cgi" ]
}

@test "mod_nextauth: a graceful restart (SIGUSR1) reads a changed configuration" {
    local conf=$MA_ROOT/nextauth.json
    sed -i 's|"signIn": "/login"|"signIn": "/signin"|' "$conf"
    kill -USR1 "$AP_PID"
    srv_poll 10 _ma_signin_is /signin || _gc_show "expected the new sign-in page after the restart"
    sed -i 's|"signIn": "/signin"|"signIn": "/login"|' "$conf"
    kill -USR1 "$AP_PID"
    srv_poll 10 _ma_signin_is /login || _gc_show "expected the old sign-in page back"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_identity ada@example.com Ada 1 admin
}
