#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# One domain, the Next.js app on / and a legacy part on /legacy/ guarded by the
# native modules: examples/apache-module-same-origin.conf (included unchanged,
# its Defines given on the command line: tests/fixtures-apache/same-origin.conf)
# and examples/nginx-module-same-origin.conf (its @…@ placeholders filled by
# tests/lib/nginx.sh ng_render: tests/fixtures-nginx/same-origin.conf), each
# on a private server on a free loopback port, with the modules built by
# `make apache-module nginx-module`. The Node app is a stand-in: the echo of
# the request headers (tests/fixtures/echo-app.pl under spawn-fcgi) answers
# every path, NextAuth's /api/auth/session and /api/auth/signin included; the
# same echo, under /old/, is the old application of /legacy/app/. The legacy
# CGI is the env-printing tests/fixtures/env.cgi (Apache: mod_cgid; nginx:
# tests/fixtures/fcgi-cgi.pl). The configuration is the one both examples
# show in their comments (checked to be the same), with the tests' origin as
# url and the secret's file in the test folder.
#
# A server that is not installed skips its tests; an installed one without
# its module built fails, as tests/mod-apache.bats and mod-nginx.bats do.

# shellcheck disable=SC2154 # gc_status, gc_body_file…: set by gc_get
load helpers
# shellcheck source=tests/lib/guard-checks.sh
. "$BATS_TEST_DIRNAME/lib/guard-checks.sh"
# shellcheck source=tests/lib/apache.sh
. "$BATS_TEST_DIRNAME/lib/apache.sh"
# shellcheck source=tests/lib/nginx.sh
. "$BATS_TEST_DIRNAME/lib/nginx.sh"
# shellcheck source=tests/lib/spawn-fcgi.sh
. "$BATS_TEST_DIRNAME/lib/spawn-fcgi.sh"

SO_NG_EXAMPLE="$REPO_ROOT/examples/nginx-module-same-origin.conf"
SO_AP_CONF="$BATS_TEST_DIRNAME/fixtures-apache/same-origin.conf"
SO_NG_TEMPLATE="$BATS_TEST_DIRNAME/fixtures-nginx/same-origin.conf"
SO_AP_MODULE="$REPO_ROOT/apache/mod_nextauth.so"
SO_NG_MODULE="$REPO_ROOT/nginx/ngx_http_nextauth_module.so"
# The app's sign-in page on the same origin (the configuration's url).
SO_SIGNIN="$GC_ORIGIN/api/auth/signin?callbackUrl="
SO_HOST=${GC_ORIGIN#http://}
SO_PAGE='<!DOCTYPE html><title>legacy</title><p>the legacy page</p>'

# so_example_json FILE — the configuration an example shows in its comments.
so_example_json() {
    awk '/^#   [{]$/ {p = 1}
         p {line = $0; sub(/^#   /, "", line); print line}
         p && /^#   [}]$/ {exit}' "$1"
}

# DIR/nextauth.json: the configuration the examples show, with the tests'
# origin, and the secret in DIR/secret (both readable by their owner only).
so_write_config() { # DIR
    local dir=$1
    printf '%s\n' "$GC_SECRET" >"$dir/secret" && chmod 0600 "$dir/secret" &&
        so_example_json "$SO_NG_EXAMPLE" |
        sed -e "s|\"https://app.example.com\"|\"$GC_ORIGIN\"|" \
            -e "s|\"/etc/nextauth-fcgi/secret\"|\"$dir/secret\"|" >"$dir/nextauth.json" &&
        chmod 0600 "$dir/nextauth.json"
}

# DIR/www/legacy: a page, the env-printing CGI, the same under api/; DIR/run
# and DIR/logs.
so_setup_root() { # DIR
    local dir=$1
    mkdir -p "$dir/run" "$dir/logs" "$dir/www/legacy/api" || return 1
    printf "%s" "$SO_PAGE" >"$dir/www/legacy/page.html" &&
        cp "$GC_FIXTURES/env.cgi" "$dir/www/legacy/env.cgi" &&
        cp "$GC_FIXTURES/env.cgi" "$dir/www/legacy/api/env.cgi" &&
        chmod 0755 "$dir/www/legacy/env.cgi" "$dir/www/legacy/api/env.cgi" &&
        chmod -R a+rX "$dir/www"
}

so_start_apache() {
    local dir=$SO_ROOT/apache
    so_setup_root "$dir" || return 1
    ap_start "$dir" "$SO_AP_CONF" NEXTAUTH_MODULE="$SO_AP_MODULE" \
        NEXTAUTH_CONFIG="$SO_ROOT/nextauth.json" NEXTAUTH_SITE_NAME="$SO_HOST" \
        NEXTAUTH_APP="http://127.0.0.1:$SO_APP_PORT" \
        NEXTAUTH_LEGACY_APP="http://127.0.0.1:$SO_APP_PORT/old" \
        NEXTAUTH_DOCROOT="$dir/www" || return 1
    echo "$AP_URL" >"$SO_ROOT/apache.url"
}

so_start_nginx() {
    local dir=$SO_ROOT/nginx
    so_setup_root "$dir" || return 1
    GC_SPAWN_ENV=()
    gc_spawn "$dir" cgi "$dir/run/cgi.sock" 1 /usr/bin/perl "$GC_FIXTURES/fcgi-cgi.pl" || return 1
    ng_render "$SO_NG_EXAMPLE" "$dir/site.conf.in" LISTEN='127.0.0.1:@PORT@' \
        SERVER_NAME="$SO_HOST" NEXTAUTH_CONFIG="$SO_ROOT/nextauth.json" DOCROOT="$dir/www" \
        NEXTAUTH_APP="http://127.0.0.1:$SO_APP_PORT" CGI="unix:$dir/run/cgi.sock" \
        LEGACY_APP="http://127.0.0.1:$SO_APP_PORT/old/" || return 1
    ng_start "$dir" "$SO_NG_TEMPLATE" USER="$(ng_user)" TEMP_PATHS="$(ng_temp_paths "$dir")" \
        MODULE="$SO_NG_MODULE" || return 1
    echo "$NG_URL" >"$SO_ROOT/nginx.url"
}

setup_file() {
    local t
    for t in curl spawn-fcgi perl jq; do
        command -v "$t" >/dev/null || {
            echo "same-origin: $t is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
    [ -x "$GC_TOKEN_BIN" ] || {
        echo "same-origin: build first (make): $GC_TOKEN_BIN" >&2
        return 1
    }
    if command -v apache2 >/dev/null && [ ! -f "$SO_AP_MODULE" ]; then
        echo "same-origin: build first (make apache-module): $SO_AP_MODULE" >&2
        return 1
    fi
    if command -v nginx >/dev/null && [ ! -f "$SO_NG_MODULE" ]; then
        echo "same-origin: build first (make nginx-module): $SO_NG_MODULE" >&2
        return 1
    fi
    clean_env
    # Not under BATS_FILE_TMPDIR: as root, Apache serves as www-data, which
    # must be able to walk to the docroot and run the CGI.
    SO_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/same-origin.XXXXXX") || return 1
    export SO_ROOT
    chmod 0755 "$SO_ROOT"
    so_write_config "$SO_ROOT" || return 1
    cp "$GC_FIXTURES/echo-app.pl" "$SO_ROOT/echo-app.pl" &&
        sf_start "$SO_ROOT/app" "$SO_ROOT/echo-app.pl" || return 1
    export SO_APP_PORT=$SF_PORT
    if command -v apache2 >/dev/null; then so_start_apache || return 1; fi
    if command -v nginx >/dev/null; then so_start_nginx || return 1; fi
    gc_mint_tokens
}

teardown_file() {
    [ -n "${SO_ROOT-}" ] || return 0
    ap_stop "$SO_ROOT/apache"
    ng_stop "$SO_ROOT/nginx"
    gc_spawn_stop "$SO_ROOT/nginx" cgi
    sf_stop "$SO_ROOT/app"
    rm -rf "$SO_ROOT"
}

teardown() {
    if [ -n "${BATS_TEST_COMPLETED-}" ] || [ -z "${SO_DIR-}" ]; then return 0; fi
    srv_dump "$SO_DIR/logs/error.log"
}

# so_server apache|nginx — BASE for that server's tests, or skip when the
# server is not installed.
so_server() {
    local bin=$1
    [ "$bin" = apache ] && bin=apache2
    command -v "$bin" >/dev/null || skip "$bin is not installed"
    SO_DIR=$SO_ROOT/$1
    BASE=$(<"$SO_ROOT/$1.url")
}

# The echo app (Node's stand-in) answered: the request line it got, the
# public Host, the scheme, and no identity header at all.
assert_app_got() { # REQUEST_LINE
    assert_http 200 && body_has_line "$1" && body_has_line "Host: $SO_HOST" &&
        body_has_line 'X-Forwarded-Proto: http' || return 1
    ! grep -qiE '^(x[-_.]nextauth[-_.][a-z_.-]*|remote[-_.]user):' "$gc_body_file" ||
        _gc_show "an identity header reached the Node app"
}

# The client's identity headers, in the spellings a Node app would read.
SO_FORGED=(-H 'X-Nextauth-User: evil' -H 'x-nextauth-email: evil' -H 'X-NEXTAUTH-NAME: evil'
    -H 'X-Nextauth-Sub: evil' -H 'X-Nextauth-Expires: evil' -H 'Remote-User: evil')

@test "same-origin: both examples show the same configuration, and it passes nextauth-token check" {
    local json
    json=$(so_example_json "$SO_NG_EXAMPLE")
    [ "$json" = "$(so_example_json "$REPO_ROOT/examples/apache-module-same-origin.conf")" ] ||
        _fail "the two examples show different configurations"
    printf '%s\n' "$json" >"$BATS_TEST_TMPDIR/shown.json"
    jq -e '.url == "https://app.example.com" and .api == ["/legacy/api/:path*"]' \
        "$BATS_TEST_TMPDIR/shown.json" >/dev/null || _fail "not the configuration expected:" "$json"
    # as written but for the secret's file
    printf '%s\n' "$GC_SECRET" >"$BATS_TEST_TMPDIR/secret"
    chmod 0600 "$BATS_TEST_TMPDIR/secret"
    sed -i "s|\"/etc/nextauth-fcgi/secret\"|\"$BATS_TEST_TMPDIR/secret\"|" "$BATS_TEST_TMPDIR/shown.json"
    run env -i PATH="$PATH" "$GC_TOKEN_BIN" check --config "$BATS_TEST_TMPDIR/shown.json"
    [ "$status" -eq 0 ] || _fail "exit $status: $output"
    # what the servers run: the same, with the tests' origin
    [ "$(jq -S 'del(.url, .secretFile)' "$SO_ROOT/nextauth.json")" = \
        "$(jq -S 'del(.url, .secretFile)' "$BATS_TEST_TMPDIR/shown.json")" ] || _fail "the servers run another configuration"
}

# --- the Node app: everything but /legacy/, unchecked ---------------------------

check_app_unchecked() {
    local cookie
    cookie=$(gc_cookie "$TOK_USER")
    gc_req / -H "Host: $SO_HOST"
    assert_app_got 'GET / HTTP/1.1'
    ! grep -qi '^Cookie:' "$gc_body_file" || _gc_show "no cookie was sent"
    gc_req /api/auth/session -H "Host: $SO_HOST" -H "Cookie: $cookie"
    assert_app_got 'GET /api/auth/session HTTP/1.1'
    body_has_line "Cookie: $cookie"
    gc_req '/api/auth/signin?callbackUrl=%2Flegacy%2Fpage.html' -H "Host: $SO_HOST"
    assert_app_got 'GET /api/auth/signin?callbackUrl=%2Flegacy%2Fpage.html HTTP/1.1'
    gc_req /api/auth/callback/github -H "Host: $SO_HOST" -H "Cookie: $cookie"
    assert_app_got 'GET /api/auth/callback/github HTTP/1.1'
    body_has_line "Cookie: $cookie"
    # not the module's business: an expired session and a page still reach the app
    gc_req /dashboard -H "Host: $SO_HOST" -H "Cookie: $(gc_cookie "$TOK_EXPIRED")"
    assert_app_got 'GET /dashboard HTTP/1.1'
    gc_req /api/data -H "Host: $SO_HOST"
    assert_app_got 'GET /api/data HTTP/1.1'
    # a 3-chunk session (~12 KB of Cookie) passes the front server intact
    cookie=$(gc_chunked_cookie "$TOK_BIG")
    gc_req /api/auth/session -H "Host: $SO_HOST" -H "Cookie: $cookie"
    assert_app_got 'GET /api/auth/session HTTP/1.1'
    body_has_line "Cookie: $cookie"
}

@test "same-origin, Apache: /, /api/auth/session and /api/auth/signin reach the Node app unchecked, the Cookie intact" {
    so_server apache
    check_app_unchecked
}

@test "same-origin, nginx: /, /api/auth/session and /api/auth/signin reach the Node app unchecked, the Cookie intact" {
    so_server nginx
    check_app_unchecked
}

check_app_no_client_identity() {
    gc_req / -H "Host: $SO_HOST" "${SO_FORGED[@]}"
    assert_app_got 'GET / HTTP/1.1'
    gc_req /api/auth/session -H "Host: $SO_HOST" -H "Cookie: $(gc_cookie "$TOK_USER")" "${SO_FORGED[@]}"
    assert_app_got 'GET /api/auth/session HTTP/1.1'
    ! grep -q evil "$gc_body_file" || _gc_show "a client's identity value reached the Node app"
}

@test "same-origin, Apache: a client's X-Nextauth-* and Remote-User never reach the Node app" {
    so_server apache
    check_app_no_client_identity
}

@test "same-origin, nginx: a client's X-Nextauth-* and Remote-User never reach the Node app" {
    so_server nginx
    check_app_no_client_identity
}

# --- /legacy/: checked by the module -------------------------------------------

check_legacy_no_session() {
    gc_req /legacy/page.html -H "Host: $SO_HOST"
    assert_http 307
    assert_header Location "${SO_SIGNIN}%2Flegacy%2Fpage.html"
    assert_header Cache-Control no-store
    assert_body ''
    gc_req '/legacy/env.cgi?x=1' -H "Host: $SO_HOST"
    assert_http 307
    assert_header Location "${SO_SIGNIN}%2Flegacy%2Fenv.cgi%3Fx%3D1"
    gc_req /legacy/app/report -H "Host: $SO_HOST"
    assert_http 307
    assert_header Location "${SO_SIGNIN}%2Flegacy%2Fapp%2Freport"
    # an expired session is none
    gc_req /legacy/page.html -H "Cookie: $(gc_cookie "$TOK_EXPIRED")"
    assert_http 307
    assert_header Location "${SO_SIGNIN}%2Flegacy%2Fpage.html"
}

@test "same-origin, Apache: /legacy/ without a session is a 307 to the app's sign-in page on the same origin" {
    so_server apache
    check_legacy_no_session
}

@test "same-origin, nginx: /legacy/ without a session is a 307 to the app's sign-in page on the same origin" {
    so_server nginx
    check_legacy_no_session
}

check_legacy_api() {
    gc_req /legacy/api/env.cgi
    assert_json_401
    gc_req /legacy/api/none.json -H "Cookie: $(gc_cookie "$TOK_TAMPERED")"
    assert_json_401
    # a page asked for by a script is answered as an API ("api" aside)
    gc_req /legacy/page.html -H 'Accept: application/json'
    assert_json_401
}

@test "same-origin, Apache: /legacy/api/ without a session is 401 JSON (the configuration's \"api\")" {
    so_server apache
    check_legacy_api
}

@test "same-origin, nginx: /legacy/api/ without a session is 401 JSON (the configuration's \"api\")" {
    so_server nginx
    check_legacy_api
}

check_legacy_session() {
    gc_req /legacy/page.html -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 200
    assert_body "$SO_PAGE"
    gc_req /legacy/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 200
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL bob@example.com
    assert_env NEXTAUTH_NAME Bob
    assert_env NEXTAUTH_SUB 2
    grep -qE '^NEXTAUTH_EXPIRES=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.000Z$' "$gc_body_file" ||
        _gc_show "expected NEXTAUTH_EXPIRES"
    gc_req /legacy/api/env.cgi -H "Cookie: $(gc_chunked_cookie "$TOK_BIG")"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    assert_env NEXTAUTH_EMAIL ada@example.com
}

@test "same-origin, Apache: /legacy/ with a session: the file, and the CGI sees REMOTE_USER and NEXTAUTH_EMAIL" {
    so_server apache
    check_legacy_session
}

@test "same-origin, nginx: /legacy/ with a session: the file, and the CGI sees REMOTE_USER and NEXTAUTH_EMAIL" {
    so_server nginx
    check_legacy_session
}

check_legacy_forged() {
    local -a forged=("${SO_FORGED[@]}" -H 'X_Nextauth_User: evil' -H 'Remote_User: evil'
        -H 'X-Nextauth-Role: evil')
    gc_req /legacy/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" "${forged[@]}"
    assert_http 200
    assert_env REMOTE_USER bob@example.com
    assert_env NEXTAUTH_EMAIL bob@example.com
    ! grep -q evil "$gc_body_file" || _gc_show "a client's identity value reached the CGI"
    # the old application: the session's identity as headers, once each
    gc_req /legacy/app/report -H "Host: $SO_HOST" -H "Cookie: $(gc_cookie "$TOK_USER")" "${forged[@]}"
    assert_http 200
    body_has_line 'GET /old/report HTTP/1.1'
    body_has_line 'X-Nextauth-User: bob@example.com'
    body_has_line 'X-Nextauth-Email: bob@example.com'
    body_has_line 'Remote-User: bob@example.com'
    [ "$(grep -icE '^(x[-_.]nextauth[-_.]user|remote[-_.]user):' "$gc_body_file")" -eq 2 ] ||
        _gc_show "one X-Nextauth-User and one Remote-User only"
    ! grep -q evil "$gc_body_file" || _gc_show "a client's identity value reached the old application"
}

@test "same-origin, Apache: a forged identity with a valid session never reaches the legacy backends" {
    so_server apache
    check_legacy_forged
}

@test "same-origin, nginx: a forged identity with a valid session never reaches the legacy backends" {
    so_server nginx
    check_legacy_forged
}

check_legacy_encoded() {
    # the front server decodes the path before it picks the Node app or
    # /legacy/: an escaped letter is still /legacy/, and still checked
    gc_req /%6cegacy/page.html -H "Host: $SO_HOST"
    assert_http 307
    assert_header Location "${SO_SIGNIN}%2Flegacy%2Fpage.html"
    gc_req /x/../legacy/page.html -H "Host: $SO_HOST"
    assert_http 307
}

@test "same-origin, Apache: an escaped or dotted path to /legacy/ is still checked, not the Node app's" {
    so_server apache
    check_legacy_encoded
}

@test "same-origin, nginx: an escaped or dotted path to /legacy/ is still checked, not the Node app's" {
    so_server nginx
    check_legacy_encoded
}
