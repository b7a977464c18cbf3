#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# nextauth-guard behind a real nginx 1.22 with auth_request: one private
# nginx per file on a free loopback port, whose site is
# examples/nginx-guard.conf itself with its @PLACEHOLDERS@ filled in
# (tests/lib/nginx.sh ng_render). The guard runs under spawn-fcgi, two
# processes on a unix socket. Backends:
#   *.cgi         FastCGI: tests/fixtures/fcgi-cgi.pl (a tiny FastCGI-to-CGI
#                 runner under spawn-fcgi; fcgiwrap is not installed) runs
#                 tests/fixtures/env.cgi, which prints its environment;
#   /service/…    proxied (with the X-Nextauth-* / Remote-User headers) to a
#   /api/auth/…   second, unguarded server block of the same nginx on a unix
#                 socket, which runs env.cgi the same way.
# Guard configuration: tests/lib/guard-common.sh (origin http://app.example.test,
# sign-in page /login, /admin/… and /api/admin/… for role admin).
# The checks all three server suites make are in tests/lib/guard-checks.sh;
# the nginx-only ones (the proxied identity headers, buffer settings, a guard
# that is not respawned) follow them.
# Extra servers, each inside its own test: an nginx on the example without its
# buffer settings, and one whose guard has no secret.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/guard-checks.sh
. "$BATS_TEST_DIRNAME/lib/guard-checks.sh"
# shellcheck source=tests/lib/nginx.sh
. "$BATS_TEST_DIRNAME/lib/nginx.sh"

EXAMPLE="$REPO_ROOT/examples/nginx-guard.conf"
FCGI_CGI="$REPO_ROOT/tests/fixtures/fcgi-cgi.pl"

# The top-level nginx.conf around the example: everything under @DIR@, and
# the proxied application (a server block without auth_request).
_write_template() {
    cat >"$1" <<'EOF'
user @USER@;
worker_processes 2;
pid @DIR@/run/nginx.pid;
error_log @DIR@/logs/error.log;
events { worker_connections 256; }
http {
    access_log @DIR@/logs/access.log;
    @TEMP_PATHS@
    types { text/html html; text/plain txt; application/json json; }
    default_type application/octet-stream;

    include @DIR@/site.conf;

    # the applications behind proxy_pass: not guarded themselves
    server {
        listen unix:@DIR@/run/app.sock;
        root @DIR@/www;
        large_client_header_buffers 4 64k;
        location /service/ {
            fastcgi_pass unix:@DIR@/run/cgi.sock;
            fastcgi_param SCRIPT_FILENAME @DIR@/www/app/env.cgi;
            fastcgi_param REQUEST_URI $request_uri;
        }
        location ~ \.cgi$ {
            fastcgi_pass unix:@DIR@/run/cgi.sock;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param REQUEST_URI $request_uri;
        }
    }
}
EOF
}

# start_nginx DIR SED-SCRIPT [VAR=VALUE...] — guard (spawn-fcgi, 2 processes,
# environment NEXTAUTH_CONFIG=DIR/guard.json plus the VAR=VALUEs), the CGI
# runner, and nginx on the example (edited by SED-SCRIPT, "" for none).
start_nginx() {
    local dir=$1 edit=$2
    shift 2
    gc_setup_root "$dir" || return 1
    GC_SPAWN_ENV=(NEXTAUTH_CONFIG="$dir/guard.json" "$@")
    gc_spawn "$dir" guard "$dir/run/guard.sock" 2 "$GC_GUARD_BIN" || return 1
    GC_SPAWN_ENV=()
    gc_spawn "$dir" cgi "$dir/run/cgi.sock" 1 /usr/bin/perl "$FCGI_CGI" || return 1
    sed -e "$edit" "$EXAMPLE" >"$dir/run/example.in"
    ng_render "$dir/run/example.in" "$dir/site.conf.in" LISTEN='127.0.0.1:@PORT@' \
        DOCROOT='@DIR@/www' GUARD='unix:@DIR@/run/guard.sock' CGI='unix:@DIR@/run/cgi.sock' \
        APP='http://unix:@DIR@/run/app.sock:' NEXTAUTH_APP='http://unix:@DIR@/run/app.sock:' ||
        return 1
    _write_template "$BATS_FILE_TMPDIR/nginx.conf.in"
    ng_start "$dir" "$BATS_FILE_TMPDIR/nginx.conf.in" USER="$(ng_user)" \
        TEMP_PATHS="$(ng_temp_paths "$dir")" || return 1
    echo "$NG_URL" >"$dir/url"
}

stop_nginx() { # DIR
    ng_stop "$1"
    gc_spawn_stop "$1" guard
    gc_spawn_stop "$1" cgi
}

setup_file() {
    if [ ! -x "$GC_GUARD_BIN" ] || [ ! -x "$GC_TOKEN_BIN" ]; then
        echo "build first (make): $GC_GUARD_BIN, $GC_TOKEN_BIN" >&2
        return 1
    fi
    export NGDIR="$BATS_FILE_TMPDIR/ng"
    start_nginx "$NGDIR" "" NEXTAUTH_SECRET="$GC_SECRET" || return 1
    BASE=$(<"$NGDIR/url")
    export BASE GC_ERROR_LOG="$NGDIR/logs/error.log" GC_PUBLIC_CGI=/api/auth/env.cgi
    gc_mint_tokens
}

teardown_file() {
    gc_stop_each stop_nginx
}

teardown() {
    gc_dump_failed "$NGDIR/logs/error.log" "$NGDIR/logs/nginx.out"
}

# nginx logs a FastCGI program's stderr line as 'FastCGI sent in stderr: "LINE'.
gc_guard_logged() { # MSG
    gc_log_has "FastCGI sent in stderr: \"$1"
}

guard_pids() { # DIR — the live guard processes of that pid file
    local p
    while read -r p || [ -n "$p" ]; do  # spawn-fcgi: no final newline
        srv_alive "$p" && echo "$p"
    done <"$1/run/guard.pid"
}

# --- the example as deployed ------------------------------------------------

@test "nginx: the example runs with two guard processes (spawn-fcgi), each with a clean environment" {
    local pids p env
    mapfile -t pids < <(guard_pids "$NGDIR")
    [ "${#pids[@]}" -eq 2 ] || _fail "expected 2 guard processes, got: ${pids[*]}"
    for p in "${pids[@]}"; do
        env=$(tr '\0' '\n' <"/proc/$p/environ" | grep -v '^PATH=' | LC_ALL=C sort)
        [ "$env" = "NEXTAUTH_CONFIG=$NGDIR/guard.json
NEXTAUTH_SECRET=$GC_SECRET" ] || _fail "guard $p environment:" "$env"
    done
}

# --- the checks every server gets (tests/lib/guard-checks.sh) -----------------

@test "nginx: no session on a page: 307 to the sign-in page (error_page 401 + if in the named location)" {
    gc_check_no_session_page server
}

@test "nginx: no session on /api/: the 401 JSON byte for byte" {
    gc_check_no_session_api
}

@test "nginx: no session, a client that does not accept HTML: 401 JSON on a page too" {
    gc_check_no_session_not_html
}

@test "nginx: valid session: the static files, and nothing of the check in the answer" {
    gc_check_static_files
}

@test "nginx: valid session: the FastCGI backend gets REMOTE_USER, AUTH_TYPE and the NEXTAUTH_* identity" {
    gc_check_backend_identity
}

@test "nginx: a token without an e-mail (none or empty): REMOTE_USER is the subject" {
    gc_check_identity_without_email
}

@test "nginx: request variants: a Bearer token, two Cookie headers (the example joins them), UTF-8 claims, a foreign Host" {
    # nginx 1.22 would pass two Cookie headers as two HTTP_COOKIE parameters
    # (the guard reads the first); the example joins them
    gc_check_request_variants joined
    # the proxied backend gets UTF-8 as is
    local t
    gc_mint t '{"name":"Zoë 😀","email":"zoe@example.com","sub":"3"}'
    gc_req /service/x -H "Cookie: $(gc_cookie "$t")"
    assert_env HTTP_X_NEXTAUTH_NAME 'Zoë 😀'
}

@test "nginx: forged identity headers without a session: guarded paths deny, unguarded backends get no identity" {
    gc_check_forged_without_session
    # /api/auth/ is proxied without a check: the identity headers named by
    # proxy_set_header are dropped (their values are empty there)
    refute_env HTTP_X_NEXTAUTH_USER
    refute_env HTTP_X_NEXTAUTH_EMAIL
    refute_env HTTP_X_NEXTAUTH_ROLE
    refute_env HTTP_REMOTE_USER
}

@test "nginx: forged identity headers with a session: the backends' identity is the token's" {
    # Remote-User and REMOTE-USER are not passed to FastCGI (the example's
    # empty HTTP_REMOTE_USER parameter); no parameter is sent twice
    gc_check_forged_with_session
    gc_req /service/x -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_FORGED[@]}"
    assert_http 200
    refute_forged_identity
    assert_env HTTP_X_NEXTAUTH_USER bob@example.com
    assert_env HTTP_X_NEXTAUTH_EMAIL bob@example.com
    assert_env HTTP_X_NEXTAUTH_ROLE user
    assert_env HTTP_REMOTE_USER bob@example.com
    [ "$(grep -c '^HTTP_X_NEXTAUTH_USER=' "$gc_body_file")" -eq 1 ] || _gc_show "one X-Nextauth-User only"
}

@test "nginx: client-sent identity headers never reach a backend: FastCGI gets no HTTP_X_NEXTAUTH_*, a proxied one the guard's values only" {
    # and other separators: nginx drops the underscore spellings and those
    # itself (underscores_in_headers off, ignore_invalid_headers on: the defaults)
    gc_check_client_identity_cgi -H 'X.Nextauth.Role: admin' -H 'X_Nextauth-User: evil'
    gc_req /service/x -H "Cookie: $(gc_cookie "$TOK_USER")" -H 'X.Nextauth.Role: admin' \
        -H 'X_Nextauth-User: evil' "${GC_CLIENT_IDENTITY[@]}"
    assert_http 200
    refute_client_values
    assert_env HTTP_X_NEXTAUTH_ROLE user
    assert_env HTTP_X_NEXTAUTH_USER bob@example.com
    assert_env HTTP_X_NEXTAUTH_EMAIL bob@example.com
    assert_env HTTP_REMOTE_USER bob@example.com
}

@test "nginx: expired and tampered sessions count as none; the error log has the guard's reason" {
    gc_check_bad_sessions
}

@test "nginx: role rule /admin/:path*: a user gets 307 (page) and 403 (API), an admin 200" {
    gc_check_role_rule
}

@test "nginx: the role rule holds through path encodings (no admin file for a user)" {
    gc_check_role_rule_encodings
}

@test "nginx: public paths and /api/auth are not guarded; the guard's own exemptions pass" {
    gc_check_exemptions_404
    # the check location is internal
    gc_req /_nextauth/check
    assert_http 404
}

@test "nginx: path tricks through the server stay guarded" {
    gc_check_path_tricks 307
}

@test "nginx: a 3-chunk session cookie works (large_client_header_buffers 4 64k)" {
    gc_check_big_session
    gc_req /service/x -H "Cookie: $(gc_chunked_cookie "$TOK_BIG")"
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_USER ada@example.com
}

@test "nginx: long paths: a 6 KB Location passes the check (fastcgi_buffer_size 16k)" {
    gc_check_long_paths
}

@test "nginx: the open-redirect payloads as paths and as callbackUrl: every Location stays on the origin" {
    gc_check_payloads "$BASE"
}

@test "nginx: CR/LF injection never reaches a header" {
    # nginx passes encoded CR/LF in the path on; an escaped control byte has no
    # canonical form, so the path is guarded and callbackUrl is "/"
    gc_req '/docs/page.txt%0d%0aSet-Cookie:%20evil=1'
    assert_signin '%2F'
    refute_header Set-Cookie
    assert_clean_headers
    # in the query they are dropped from callbackUrl
    gc_req '/docs/page.txt?x=%0d%0aSet-Cookie:%20evil=1'
    assert_signin '%2Fdocs%2Fpage.txt'
    refute_header Set-Cookie
    gc_req '/api/x%0d%0aLocation:%20http://evil.example/'
    assert_json_401
    refute_header Location
    gc_check_crlf
    gc_req /service/x -H "Cookie: $(gc_cookie "$TOK_CRLF")"
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_NAME 'Ada??X-Evil: 1'
    refute_env HTTP_X_EVIL
    refute_env HTTP_SET_COOKIE
}

# --- nginx only ---------------------------------------------------------------

@test "nginx: valid session: the proxied backend gets X-Nextauth-* and Remote-User headers" {
    gc_req /service/x -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env REQUEST_URI /service/x
    assert_env HTTP_X_NEXTAUTH_USER ada@example.com
    assert_env HTTP_X_NEXTAUTH_EMAIL ada@example.com
    assert_env HTTP_X_NEXTAUTH_NAME Ada
    assert_env HTTP_X_NEXTAUTH_SUB 1
    assert_env HTTP_X_NEXTAUTH_ROLE admin
    assert_env HTTP_REMOTE_USER ada@example.com
}

@test "nginx: without the example's buffer settings: 400 for a 3-chunk session, 500 for a long Location" {
    local dir=$BATS_FILE_TMPDIR/defaults url t
    start_nginx "$dir" '/large_client_header_buffers\|fastcgi_buffer_size\|fastcgi_buffers/d' \
        NEXTAUTH_SECRET="$GC_SECRET" || _fail "the second nginx did not start"
    url=$(<"$dir/url")
    gc_get "$url/docs/page.txt" -H "Cookie: $(gc_chunked_cookie "$TOK_BIG")"
    assert_http 400
    assert_body_has "Request Header Or Cookie Too Large"
    t=$(printf '~%.0s' $(seq 2030))
    gc_get "$url/d/$t"
    assert_http 500
    grep -q 'upstream sent too big header' "$dir/logs/error.log" ||
        _fail "no 'upstream sent too big header' in the error log"
    # a one-cookie session and short paths are fine there
    gc_get "$url/docs/page.txt" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    stop_nginx "$dir"
}

@test "nginx: a guard without a secret: pages 307 to the error page, APIs 500 (nginx's own page), never the file" {
    local dir=$BATS_FILE_TMPDIR/nosecret
    start_nginx "$dir" "" || _fail "the no-secret nginx did not start"
    # auth_request takes the guard's 500 as an error: nginx's own 500 page
    gc_check_no_secret "$(<"$dir/url")" server
    grep -q 'FastCGI sent in stderr: "nextauth-guard: NO_SECRET' "$dir/logs/error.log" ||
        _fail "no NO_SECRET line in the error log"
    grep -q 'auth request unexpected status: 500' "$dir/logs/error.log" ||
        _fail "no 'auth request unexpected status: 500' in the error log"
    stop_nginx "$dir"
}

@test "nginx: kill -9 of one guard process under traffic: never an unauthorized 200, the other one keeps answering; none left: 500" {
    local c
    c=$(gc_cookie "$TOK_ADMIN")
    gc_check_kill_under_traffic '[0-9]+' guard_pids "$NGDIR"
    # spawn-fcgi does not respawn: one process is left, and it answers
    [ "$(guard_pids "$NGDIR" | wc -l)" -eq 1 ] || _fail "expected one guard process left"
    gc_req /docs/page.txt -H "Cookie: $c"
    assert_http 200
    gc_req /docs/page.txt
    assert_http 307
    # no guard at all: nginx fails closed (the check's 502 becomes 500)
    gc_spawn_stop "$NGDIR" guard
    gc_req /docs/page.txt -H "Cookie: $c"
    assert_http 500
    refute_body_has "guarded page"
    gc_req /api/data.json
    assert_http 500
}
