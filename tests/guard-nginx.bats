#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# nextauth-guard behind a real nginx 1.22 with auth_request (docs/behaviour.md,
# Guard; docs/servers.md, nginx): one private nginx per file on a free loopback port, whose
# site is examples/nginx-guard.conf itself with its @PLACEHOLDERS@ filled in
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
# Extra servers, each inside its own test: an nginx on the example without its
# buffer settings, and one whose guard has no secret.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/guard-common.sh
. "$BATS_TEST_DIRNAME/lib/guard-common.sh"
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
    export BASE

    local pad
    gc_mint TOK_ADMIN "$GC_ADMIN_CLAIMS" || return 1
    gc_mint TOK_USER "$GC_USER_CLAIMS" || return 1
    gc_mint TOK_EXPIRED "$GC_ADMIN_CLAIMS" --now 1600000000 || return 1
    TOK_TAMPERED="${TOK_ADMIN:0:150}$([ "${TOK_ADMIN:150:1}" = A ] && echo B || echo A)${TOK_ADMIN:151}"
    pad=$(printf 'x%.0s' $(seq 6000))
    gc_mint TOK_BIG "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"sub\":\"1\",\"role\":\"admin\",\"pad\":\"$pad\"}" ||
        return 1
    gc_mint TOK_CRLF '{"name":"Ada\r\nX-Evil: 1","email":"ada@example.com\r\nSet-Cookie: evil=1","sub":"1"}' ||
        return 1
    export TOK_ADMIN TOK_USER TOK_EXPIRED TOK_TAMPERED TOK_BIG TOK_CRLF
}

teardown_file() {
    local d
    for d in "$BATS_FILE_TMPDIR"/*/; do
        [ -d "$d/run" ] && stop_nginx "${d%/}"
    done
    return 0
}

teardown() {
    if [ -n "${BATS_TEST_COMPLETED-}" ]; then return 0; fi
    srv_dump "$NGDIR/logs/error.log" "$NGDIR/logs/nginx.out"
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

# --- no session -------------------------------------------------------------

@test "nginx: no session on a page: 307 to the sign-in page (error_page 401 + if in the named location)" {
    gc_get "$BASE/docs/page.txt?a=1&b=x%20y"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt%3Fa%3D1%26b%3Dx%2520y"
    assert_header Cache-Control no-store
    assert_clean_headers

    gc_get "$BASE/"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2F"

    gc_get "$BASE/app/env.cgi"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fapp%2Fenv.cgi"
    gc_get "$BASE/service/x?y=1"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fservice%2Fx%3Fy%3D1"
}

@test "nginx: no session on /api/: the 401 JSON byte for byte" {
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

@test "nginx: no session, a client that does not accept HTML: 401 JSON on a page too" {
    gc_get "$BASE/docs/page.txt" -H 'Accept: application/json'
    assert_http 401
    assert_header Content-Type application/json
    refute_header Location
    assert_body "$GC_JSON_401"
    gc_get "$BASE/docs/page.txt" -H 'Sec-Fetch-Mode: cors'
    assert_http 401
    assert_header Content-Type application/json
    assert_body "$GC_JSON_401"
    gc_get "$BASE/index.html" -H 'X-Requested-With: XMLHttpRequest'
    assert_http 401
    assert_header Content-Type application/json
}

# --- valid session ----------------------------------------------------------

@test "nginx: valid session: the static files" {
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
    # the check's headers stay inside nginx
    refute_header X-Nextauth-User
}

@test "nginx: valid session: the FastCGI backend gets REMOTE_USER, AUTH_TYPE and the NEXTAUTH_* identity" {
    local exp iso
    exp=$("$GC_TOKEN_BIN" decode --secret "$GC_SECRET" "$TOK_ADMIN" | jq -r .exp)
    iso=$(date -u -d "@$exp" '+%Y-%m-%dT%H:%M:%S.000Z')
    gc_get "$BASE/app/env.cgi?q=1" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL ada@example.com
    assert_env NEXTAUTH_NAME Ada
    assert_env NEXTAUTH_SUB 1
    assert_env NEXTAUTH_ROLE admin
    assert_env NEXTAUTH_EXPIRES "$iso"
    assert_env REQUEST_URI '/app/env.cgi?q=1'
    refute_env FCGI_DUPLICATE_PARAMS
    refute_env NEXTAUTH_SECRET
}

@test "nginx: valid session: the proxied backend gets X-Nextauth-* and Remote-User headers" {
    gc_get "$BASE/service/x" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env REQUEST_URI /service/x
    assert_env HTTP_X_NEXTAUTH_USER ada@example.com
    assert_env HTTP_X_NEXTAUTH_EMAIL ada@example.com
    assert_env HTTP_X_NEXTAUTH_NAME Ada
    assert_env HTTP_X_NEXTAUTH_SUB 1
    assert_env HTTP_X_NEXTAUTH_ROLE admin
    assert_env HTTP_REMOTE_USER ada@example.com
}

@test "nginx: request variants: a Bearer token, two Cookie headers, UTF-8 claims, a foreign Host" {
    gc_get "$BASE/app/env.cgi" -H "Authorization: Bearer $TOK_ADMIN"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    # a session cookie wins over a Bearer token
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" -H "Authorization: Bearer $TOK_ADMIN"
    assert_http 200
    assert_env REMOTE_USER bob@example.com
    # two Cookie headers: nginx 1.22 would pass them as two HTTP_COOKIE
    # parameters (the guard reads the first); the example joins them
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
    # the proxied backend gets UTF-8 as is
    gc_get "$BASE/service/x" -H "Cookie: $(gc_cookie "$t")"
    assert_env HTTP_X_NEXTAUTH_NAME 'Zoë 😀'
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
    -H 'X_Nextauth_User: evil'
    -H 'X-Nextauth-Email: evil'
    -H 'X-Nextauth-Role: evil'
    -H 'Variable-REMOTE_USER: evil'
    -H 'Auth-Type: evil'
    -H 'Nextauth-Email: evil'
    -H 'Nextauth-Guard-Mode: evil'
    -H 'Authorization: Basic ZXZpbDpldmls'
)

refute_forged_identity() {
    local bad
    bad=$(grep -v '^HTTP_' "$gc_body_file" | grep -E '=evil$' || true)
    [ -z "$bad" ] || _gc_show "forged identity reached the backend:" "$bad"
}

@test "nginx: forged identity headers without a session: guarded paths deny, unguarded backends get no identity" {
    gc_get "$BASE/app/env.cgi" "${FORGED[@]}"
    assert_http 307
    gc_get "$BASE/service/x" "${FORGED[@]}"
    assert_http 307
    gc_get "$BASE/api/env.cgi" "${FORGED[@]}"
    assert_http 401
    assert_body "$GC_JSON_401"

    # /api/auth/ is proxied without a check: the identity headers named by
    # proxy_set_header are dropped (their values are empty there)
    gc_get "$BASE/api/auth/env.cgi" "${FORGED[@]}"
    assert_http 200
    refute_forged_identity
    refute_env HTTP_X_NEXTAUTH_USER
    refute_env HTTP_X_NEXTAUTH_EMAIL
    refute_env HTTP_X_NEXTAUTH_ROLE
    refute_env HTTP_REMOTE_USER
    refute_env REMOTE_USER
    # what is not named passes as is
    assert_env HTTP_AUTH_TYPE evil
}

@test "nginx: forged identity headers with a session: the backends' identity is the token's" {
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${FORGED[@]}"
    assert_http 200
    refute_forged_identity
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_ROLE user
    # Remote-User and REMOTE-USER are not passed (the example's empty
    # HTTP_REMOTE_USER parameter); no parameter is sent twice
    refute_env HTTP_REMOTE_USER
    refute_env FCGI_DUPLICATE_PARAMS

    gc_get "$BASE/service/x" -H "Cookie: $(gc_cookie "$TOK_USER")" "${FORGED[@]}"
    assert_http 200
    refute_forged_identity
    assert_env HTTP_X_NEXTAUTH_USER bob@example.com
    assert_env HTTP_X_NEXTAUTH_EMAIL bob@example.com
    assert_env HTTP_X_NEXTAUTH_ROLE user
    assert_env HTTP_REMOTE_USER bob@example.com
    [ "$(grep -c '^HTTP_X_NEXTAUTH_USER=' "$gc_body_file")" -eq 1 ] || _gc_show "one X-Nextauth-User only"

    gc_get "$BASE/admin/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${FORGED[@]}" \
        -H 'X-Nextauth-Role: admin'
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fadmin%2Fenv.cgi"
}

# --- client-sent identity headers ---------------------------------------------

# A client's own identity headers: every spelling the examples remove, and other
# separators (tests/lib/guard-common.sh). nginx drops the underscore
# spellings and other separators itself (underscores_in_headers off and
# ignore_invalid_headers on, the defaults).
CLIENT_IDENTITY=(
    -H 'X.Nextauth.Role: admin' -H 'X_Nextauth-User: evil' "${GC_CLIENT_IDENTITY[@]}"
)

# No value the client sent reached the backend, and no parameter came twice.
refute_client_values() {
    local bad
    bad=$(grep -E '=(evil|admin)$|^FCGI_DUPLICATE_PARAMS=' "$gc_body_file" || true)
    [ -z "$bad" ] || _gc_show "client-sent identity reached the backend:" "$bad"
}

# ... and no HTTP_* copy of an identity header at all.
refute_client_identity() {
    refute_client_values && gc_refute_client_env
}

@test "nginx: client-sent identity headers never reach a backend: FastCGI gets no HTTP_X_NEXTAUTH_*, a proxied one the guard's values only" {
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_USER")" "${CLIENT_IDENTITY[@]}"
    assert_http 200
    refute_client_identity
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_ROLE user
    assert_env NEXTAUTH_EMAIL bob@example.com

    gc_get "$BASE/service/x" -H "Cookie: $(gc_cookie "$TOK_USER")" "${CLIENT_IDENTITY[@]}"
    assert_http 200
    refute_client_values
    assert_env HTTP_X_NEXTAUTH_ROLE user
    assert_env HTTP_X_NEXTAUTH_USER bob@example.com
    assert_env HTTP_X_NEXTAUTH_EMAIL bob@example.com
    assert_env HTTP_REMOTE_USER bob@example.com

    # /api/auth/ is proxied without a check: no identity header at all
    gc_get "$BASE/api/auth/env.cgi" "${CLIENT_IDENTITY[@]}"
    assert_http 200
    refute_client_identity
    refute_env REMOTE_USER
}

# --- bad sessions -------------------------------------------------------------

@test "nginx: expired and tampered sessions count as none; the error log has the guard's reason" {
    local t
    for t in "$TOK_EXPIRED" "$TOK_TAMPERED"; do
        gc_get "$BASE/docs/page.txt" -H "Cookie: $(gc_cookie "$t")"
        assert_http 307
        assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
        gc_get "$BASE/api/data.json" -H "Cookie: $(gc_cookie "$t")"
        assert_http 401
        assert_body "$GC_JSON_401"
    done
    grep -qF 'FastCGI sent in stderr: "nextauth-guard: bad session token (token expired) for /docs/page.txt"' \
        "$NGDIR/logs/error.log" || _fail "no 'bad session token (token expired)' line in the error log"
    grep -qF 'FastCGI sent in stderr: "nextauth-guard: bad session token (decryption failed' \
        "$NGDIR/logs/error.log" || _fail "no 'bad session token (decryption failed…' line in the error log"
    ! grep -qF "${TOK_TAMPERED:40:60}" "$NGDIR/logs/error.log" || _fail "the error log carries the token"
}

# --- authorized rules -----------------------------------------------------------

@test "nginx: role rule /admin/:path*: a user gets 307 (page) and 403 (API), an admin 200" {
    gc_get "$BASE/admin/a.txt" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fadmin%2Fa.txt"

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
    gc_get "$BASE/docs/page.txt" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 200
}

@test "nginx: the role rule holds through path encodings (no admin file for a user)" {
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

@test "nginx: public paths and /api/auth are not guarded; the guard's own exemptions pass" {
    gc_get "$BASE/public/p.txt"
    assert_http 200
    assert_body "public file"$'\n'
    gc_get "$BASE/api/auth/providers.json"
    assert_http 200
    assert_body '{"credentials":{"id":"credentials"}}'$'\n'
    gc_get "$BASE/public/p.txt" -H "Cookie: $(gc_cookie "$TOK_TAMPERED")"
    assert_http 200
    local p
    for p in /login /favicon.ico /_next/static/x.js; do
        gc_get "$BASE$p"
        assert_http 404
    done
    gc_get "$BASE/publicity.txt"
    assert_http 307
    gc_get "$BASE/api/authx"
    assert_http 401
    # the check location is internal
    gc_get "$BASE/_nextauth/check"
    assert_http 404
}

@test "nginx: path tricks through the server stay guarded" {
    local p
    for p in /public/../docs/page.txt /public/%2e%2e/docs/page.txt /public/%2E%2E/docs/page.txt \
        //docs/page.txt /public/./../docs/page.txt /public//../docs/page.txt \
        /api/auth/../../docs/page.txt; do
        gc_get "$BASE$p" --path-as-is
        assert_http 307
        assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
        refute_body_has "guarded page"
    done
    for p in /public%2f..%2fdocs/page.txt /public%2F..%2Fdocs/page.txt; do
        gc_get "$BASE$p" --path-as-is
        assert_http 307
        assert_header Location "${GC_SIGNIN}%2F"
    done
    gc_get "$BASE/api/auth/../data.json" --path-as-is
    assert_http 401
    gc_get "$BASE/PUBLIC/p.txt"
    assert_http 307
    gc_get "$BASE/public/%2e%2e/docs/page.txt" --path-as-is -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body "guarded page"$'\n'
}

# --- big sessions and long Locations ----------------------------------------------

@test "nginx: a 3-chunk session cookie works (large_client_header_buffers 4 64k)" {
    local c
    c=$(gc_chunked_cookie "$TOK_BIG")
    [[ "$c" == *"next-auth.session-token.2="* ]] && [[ "$c" != *"next-auth.session-token.3="* ]] ||
        _fail "expected exactly 3 chunks"
    gc_get "$BASE/app/env.cgi" -H "Cookie: $c"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    gc_get "$BASE/service/x" -H "Cookie: $c"
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_USER ada@example.com
}

@test "nginx: long paths: a 6 KB Location passes the check (fastcgi_buffer_size 16k)" {
    local t
    t=$(printf '~%.0s' $(seq 2030))
    gc_get "$BASE/d/$t"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fd%2F$(printf '%%7E%.0s' $(seq 2030))"
    gc_get "$BASE/d/$t$t?q=1"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2F"
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

# --- hostile paths --------------------------------------------------------------

@test "nginx: the open-redirect payloads as paths and as callbackUrl: every Location stays on the origin" {
    gc_check_payloads "$BASE"
}

@test "nginx: CR/LF injection never reaches a header" {
    # nginx passes encoded CR/LF in the path on; an escaped control byte has no
    # canonical form, so the path is guarded and callbackUrl is "/"
    gc_get "$BASE/docs/page.txt%0d%0aSet-Cookie:%20evil=1"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2F"
    refute_header Set-Cookie
    assert_clean_headers
    # in the query they are dropped from callbackUrl
    gc_get "$BASE/docs/page.txt?x=%0d%0aSet-Cookie:%20evil=1"
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
    refute_header Set-Cookie
    gc_get "$BASE/api/x%0d%0aLocation:%20http://evil.example/"
    assert_http 401
    refute_header Location
    assert_body "$GC_JSON_401"
    # a raw CR inside a request header
    gc_get "$BASE/docs/page.txt" -H $'Cookie: a=b\rSet-Cookie: evil=1'
    assert_http 400
    refute_header Set-Cookie
    # control bytes inside the token's claims: replaced in the identity values
    gc_get "$BASE/app/env.cgi" -H "Cookie: $(gc_cookie "$TOK_CRLF")"
    assert_http 200
    assert_env NEXTAUTH_NAME 'Ada??X-Evil: 1'
    assert_env REMOTE_USER 'ada@example.com??Set-Cookie: evil=1'
    gc_get "$BASE/service/x" -H "Cookie: $(gc_cookie "$TOK_CRLF")"
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_NAME 'Ada??X-Evil: 1'
    refute_env HTTP_X_EVIL
    refute_env HTTP_SET_COOKIE
}

# --- no secret ------------------------------------------------------------------

@test "nginx: a guard without a secret: pages 307 to the error page, APIs 500, never the file" {
    local dir=$BATS_FILE_TMPDIR/nosecret url c
    start_nginx "$dir" "" || _fail "the no-secret nginx did not start"
    url=$(<"$dir/url")
    c=$(gc_cookie "$TOK_ADMIN")
    gc_get "$url/docs/page.txt"
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    gc_get "$url/docs/page.txt" -H "Cookie: $c"
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    gc_get "$url/app/env.cgi" -H "Cookie: $c"
    assert_http 307
    refute_body_has REMOTE_USER
    # auth_request takes the guard's 500 as an error: nginx's own 500 page
    gc_get "$url/api/data.json" -H "Cookie: $c"
    assert_http 500
    refute_body_has "guarded api"
    gc_get "$url/api/auth/providers.json"
    assert_http 200
    grep -q 'FastCGI sent in stderr: "nextauth-guard: NO_SECRET' "$dir/logs/error.log" ||
        _fail "no NO_SECRET line in the error log"
    grep -q 'auth request unexpected status: 500' "$dir/logs/error.log" ||
        _fail "no 'auth request unexpected status: 500' in the error log"
    stop_nginx "$dir"
}

# --- crash ----------------------------------------------------------------------

traffic() { # OUT N [CURL-OPTION...] — see guard-lighttpd.bats
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

@test "nginx: kill -9 of one guard process under traffic: never an unauthorized 200, the other one keeps answering; none left: 500" {
    local c victim bad
    c=$(gc_cookie "$TOK_ADMIN")
    traffic "$BATS_TEST_TMPDIR/none.out" 1200
    local p1=$!
    traffic "$BATS_TEST_TMPDIR/valid.out" 1200 -H "Cookie: $c"
    local p2=$!
    sleep 1
    victim=$(guard_pids "$NGDIR" | head -n 1)
    [ -n "$victim" ] || _fail "no guard process found"
    kill -9 "$victim"
    wait "$p1" "$p2"
    bad=$(grep -vE '^(307 [0-9]+|401 36|50[0-9] [0-9]+)$' "$BATS_TEST_TMPDIR/none.out" | sort | uniq -c)
    [ -z "$bad" ] || _fail "unexpected answers without a session:" "$bad"
    bad=$(grep -vE '^(200 (13|23)|50[0-9] [0-9]+)$' "$BATS_TEST_TMPDIR/valid.out" | sort | uniq -c)
    [ -z "$bad" ] || _fail "unexpected answers with a session:" "$bad"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/none.out")" -eq 1200 ] || _fail "the no-session loop did not finish"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/valid.out")" -eq 1200 ] || _fail "the session loop did not finish"
    echo "# no session: $(sort "$BATS_TEST_TMPDIR/none.out" | uniq -c | tr '\n' ' ')" >&3
    echo "# session:    $(sort "$BATS_TEST_TMPDIR/valid.out" | uniq -c | tr '\n' ' ')" >&3
    # spawn-fcgi does not respawn: one process is left, and it answers
    [ "$(guard_pids "$NGDIR" | wc -l)" -eq 1 ] || _fail "expected one guard process left"
    gc_get "$BASE/docs/page.txt" -H "Cookie: $c"
    assert_http 200
    gc_get "$BASE/docs/page.txt"
    assert_http 307
    # no guard at all: nginx fails closed (the check's 502 becomes 500)
    gc_spawn_stop "$NGDIR" guard
    gc_get "$BASE/docs/page.txt" -H "Cookie: $c"
    assert_http 500
    refute_body_has "guarded page"
    gc_get "$BASE/api/data.json"
    assert_http 500
}
