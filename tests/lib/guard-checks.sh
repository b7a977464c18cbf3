# SPDX-License-Identifier: MIT
# tests/lib/guard-checks.sh — the checks the three guard server suites share
# (tests/guard-lighttpd.bats, guard-apache.bats, guard-nginx.bats). Each
# gc_check_* function is the body of one @test, made against the server under
# test; a suite that knows more about its server adds lines after the call
# (the last answer is still in gc_status, gc_hdr_file, gc_body_file). Source it
# after bats' `load helpers`; it sources guard-common.sh.
#
# What a suite provides (exported by its setup_file, or defined in the file):
#   BASE               the server's URL (http://127.0.0.1:PORT)
#   GC_ERROR_LOG       the server's error log, where the guard's stderr lands
#   gc_guard_logged MSG   a function: the error log has the guard's stderr
#                      line MSG ("nextauth-guard: …"), in the server's form
#   GC_PUBLIC_CGI      an unguarded path that runs env.cgi
#   TOK_*              the tokens of gc_mint_tokens
# The few answers that differ by server are parameters of the functions.
#
# Requests and assertions (besides guard-common.sh's):
#   gc_req PATH [CURL-OPTION...]   gc_get on BASE, the path sent as is
#   assert_signin CALLBACK   307 to GC_SIGNIN with this form-encoded callbackUrl,
#                            Cache-Control: no-store
#   assert_json_401          401, application/json, no-store, GC_JSON_401 exactly
#   body_has_line TEXT       one line of the body is exactly TEXT
#   refute_variable_headers  no Variable-* header (an authorizer's) reached the client
#   refute_forged_identity   the forged values (GC_FORGED) reached env.cgi only as
#                            HTTP_* copies of request headers
#   refute_client_values     no value a client sent (evil, admin) in the body, and
#                            no FastCGI parameter sent twice
#   refute_client_identity   that, and no HTTP_* copy of an identity header
#                            (gc_refute_client_env)

# shellcheck disable=SC2034,SC2154 # TOK_* for the suites; gc_* set by gc_get
# shellcheck source=tests/lib/guard-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/guard-common.sh"

# The tokens every suite uses: an admin and a user, an expired and a tampered
# one, a 3-chunk one and one with CR/LF in its claims.
gc_mint_tokens() {
    local pad
    gc_mint TOK_ADMIN "$GC_ADMIN_CLAIMS" && gc_mint TOK_USER "$GC_USER_CLAIMS" &&
        gc_mint TOK_EXPIRED "$GC_ADMIN_CLAIMS" --now 1600000000 || return 1
    # one byte of the ciphertext changed: the GCM tag no longer matches
    TOK_TAMPERED="${TOK_ADMIN:0:150}$([ "${TOK_ADMIN:150:1}" = A ] && echo B || echo A)${TOK_ADMIN:151}"
    # ~8.3 KB: three chunks of 3933 bytes
    pad=$(printf 'x%.0s' $(seq 6000))
    gc_mint TOK_BIG "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"sub\":\"1\",\"role\":\"admin\",\"pad\":\"$pad\"}" &&
        gc_mint TOK_CRLF '{"name":"Ada\r\nX-Evil: 1","email":"ada@example.com\r\nSet-Cookie: evil=1","sub":"1"}' ||
        return 1
    export TOK_ADMIN TOK_USER TOK_EXPIRED TOK_TAMPERED TOK_BIG TOK_CRLF
}

# --- requests and assertions -------------------------------------------------

gc_req() {
    local path=$1
    shift
    gc_get "$BASE$path" --path-as-is "$@"
}

assert_signin() {
    assert_http 307 && assert_header Location "$GC_SIGNIN$1" &&
        assert_header Cache-Control no-store
}

assert_json_401() {
    assert_http 401 && assert_header Content-Type application/json &&
        assert_header Cache-Control no-store && assert_body "$GC_JSON_401"
}

body_has_line() {
    grep -qxF -- "$1" "$gc_body_file" || _gc_show "expected the line: $1"
}

refute_variable_headers() {
    ! grep -qi '^Variable-' "$gc_hdr_file" || _gc_show "a Variable-* header reached the client"
}

# Identity headers a client may forge, in the spellings the servers map onto
# REMOTE_USER, AUTH_TYPE or NEXTAUTH_* (an authorizer's Variable-*, dashes or
# underscores), and a Basic Authorization.
GC_FORGED=(
    -H 'Remote-User: evil' -H 'Remote_User: evil' -H 'REMOTE-USER: evil'
    -H 'X-Remote-User: evil'
    -H 'X-Nextauth-User: evil' -H 'X_Nextauth_User: evil' -H 'X-Nextauth-Email: evil'
    -H 'X-Nextauth-Role: evil'
    -H 'Variable-REMOTE_USER: evil' -H 'Variable-AUTH_TYPE: evil'
    -H 'Variable-NEXTAUTH_EMAIL: evil' -H 'Variable-NEXTAUTH_ROLE: admin'
    -H 'Auth-Type: evil' -H 'Nextauth-Email: evil' -H 'Nextauth-Role: admin'
    -H 'Nextauth_Role: evil' -H 'Nextauth-Guard-Mode: evil'
    -H 'Authorization: Basic ZXZpbDpldmls'
)

refute_forged_identity() {
    local bad
    grep -q evil "$gc_body_file" || _gc_show "the forged headers did not reach the backend at all" ||
        return 1
    bad=$(grep -v '^HTTP_' "$gc_body_file" | grep evil || true)
    [ -z "$bad" ] || _gc_show "forged identity reached the backend:" "$bad"
}

refute_client_values() {
    local bad
    bad=$(grep -E '=(evil|admin)$|^FCGI_DUPLICATE_PARAMS=' "$gc_body_file" || true)
    [ -z "$bad" ] || _gc_show "client-sent identity reached the backend:" "$bad"
}

refute_client_identity() {
    refute_client_values && gc_refute_client_env
}

# --- no session ----------------------------------------------------------------

# REDIRECT_BODY: "empty" where the server hands on the guard's 307 as it is
# (Content-Length: 0, no body), "server" where it writes a page of its own.
gc_check_no_session_page() { # REDIRECT_BODY
    gc_req '/docs/page.txt?a=1&b=x%20y'
    assert_signin '%2Fdocs%2Fpage.txt%3Fa%3D1%26b%3Dx%2520y'
    assert_clean_headers
    refute_body_has 'guarded page'
    if [ "$1" = empty ]; then
        assert_header Content-Length 0
        assert_body ''
    fi
    gc_req /
    assert_signin '%2F'
    gc_req /app/env.cgi
    assert_signin '%2Fapp%2Fenv.cgi'
    refute_body_has 'REMOTE_ADDR='
    gc_req '/service/x?y=1'
    assert_signin '%2Fservice%2Fx%3Fy%3D1'
}

gc_check_no_session_api() {
    local p
    for p in /api/data.json /api/nothing-here /api/env.cgi; do
        gc_req "$p"
        assert_json_401
        assert_header Content-Length 36
        refute_header Location
    done
}

gc_check_no_session_not_html() {
    gc_req /docs/page.txt -H 'Accept: application/json'
    assert_json_401
    refute_header Location
    gc_req /docs/page.txt -H 'X-Requested-With: XMLHttpRequest'
    assert_json_401
    gc_req /docs/page.txt -H 'Sec-Fetch-Mode: cors'
    assert_json_401
    gc_req /index.html -H 'X-Requested-With: XMLHttpRequest'
    assert_json_401
    gc_req /docs/page.txt -H 'Accept: text/html,application/xhtml+xml'
    assert_signin '%2Fdocs%2Fpage.txt'
}

# --- valid session ---------------------------------------------------------------

# Nothing of the check reaches the client: no Variable-* (an authorizer's), no
# X-Nextauth-User (auth_request's), no Set-Cookie.
gc_check_static_files() {
    local c
    c=$(gc_cookie "$TOK_ADMIN")
    gc_req /docs/page.txt -H "Cookie: $c"
    assert_http 200
    assert_header Content-Type text/plain
    assert_body $'guarded page\n'
    refute_variable_headers
    refute_header Set-Cookie
    gc_req /api/data.json -H "Cookie: $c"
    assert_http 200
    assert_body $'{"data":"guarded api"}\n'
    gc_req / -H "Cookie: other=1; $c"
    assert_http 200
    assert_body_has "guarded home page"
    refute_variable_headers
    refute_header X-Nextauth-User
}

gc_check_backend_identity() {
    local exp iso
    exp=$("$GC_TOKEN_BIN" decode --secret "$GC_SECRET" "$TOK_ADMIN" | jq -r .exp)
    iso=$(date -u -d "@$exp" '+%Y-%m-%dT%H:%M:%S.000Z')
    gc_req '/app/env.cgi?q=1' -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
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
    refute_variable_headers
    # the guard's secret and config stay with the guard; no parameter twice
    refute_env NEXTAUTH_SECRET
    refute_env NEXTAUTH_CONFIG
    refute_env FCGI_DUPLICATE_PARAMS
}

# REMOTE_USER is "the e-mail, else the subject" (guard.h), also for an empty
# e-mail: Apache's UserExpr would otherwise yield nothing (AH02520, a 500 for a
# valid session).
gc_check_identity_without_email() {
    local t
    gc_mint t '{"name":"Sub Only","sub":"u-42","role":"user"}'
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    assert_env REMOTE_USER u-42
    assert_env NEXTAUTH_SUB u-42
    refute_env NEXTAUTH_EMAIL
    gc_mint t '{"name":"Nobody","sub":"42"}'
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    assert_env REMOTE_USER 42
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_NAME Nobody
    refute_env NEXTAUTH_EMAIL
    refute_env NEXTAUTH_ROLE
    gc_mint t '{"name":"Empty","email":"","sub":"9"}'
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    assert_env REMOTE_USER 9
}

# TWO_COOKIES: what two Cookie headers give. "joined" where the server (or the
# example) joins them with "; ": the session in either one counts; "comma"
# where the server joins them with ", " as for other list headers, which no
# cookie parser splits on: no session either way (a browser sends one Cookie
# header over HTTP/1.1).
gc_check_request_variants() { # TWO_COOKIES
    local t
    gc_req /app/env.cgi -H "Authorization: Bearer $TOK_ADMIN"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    gc_req /api/data.json -H 'Authorization: Bearer not-a-token'
    assert_json_401
    # a session cookie wins over a Bearer token
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" -H "Authorization: Bearer $TOK_ADMIN"
    assert_http 200
    assert_env REMOTE_USER bob@example.com
    # two Cookie headers, the session in either
    gc_req /app/env.cgi -H 'Cookie: a=1' -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    if [ "$1" = joined ]; then
        assert_http 200
        assert_env REMOTE_USER ada@example.com
    else
        assert_signin '%2Fapp%2Fenv.cgi'
    fi
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")" -H 'Cookie: a=1'
    if [ "$1" = joined ]; then
        assert_http 200
    else
        assert_signin '%2Fapp%2Fenv.cgi'
    fi
    gc_mint t '{"name":"Zoë 😀","email":"zoe@example.com","sub":"3"}'
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$t")"
    assert_http 200
    assert_env NEXTAUTH_NAME 'Zoë 😀'
    # the Location comes from the configured url, never from the request
    gc_req /docs/page.txt -H 'Host: evil.example' -H 'X-Forwarded-Host: evil.example' \
        -H 'X-Forwarded-Proto: https'
    assert_http 307
    assert_header Location "${GC_SIGNIN}%2Fdocs%2Fpage.txt"
}

# --- forged and client-sent identity ------------------------------------------------

# Without a session the guarded backends never run; an unguarded one
# (GC_PUBLIC_CGI) runs without any identity.
gc_check_forged_without_session() {
    gc_req /app/env.cgi "${GC_FORGED[@]}"
    assert_signin '%2Fapp%2Fenv.cgi'
    refute_body_has evil
    gc_req /service/x "${GC_FORGED[@]}"
    assert_signin '%2Fservice%2Fx'
    gc_req /api/env.cgi "${GC_FORGED[@]}" -u evil9:pw
    assert_json_401
    gc_req "$GC_PUBLIC_CGI" "${GC_FORGED[@]}"
    assert_http 200
    refute_forged_identity
    refute_env REMOTE_USER
    refute_env AUTH_TYPE
    refute_env NEXTAUTH_EMAIL
    refute_env NEXTAUTH_ROLE
    # what is not an identity name passes as is
    assert_env HTTP_AUTH_TYPE evil
}

gc_check_forged_with_session() {
    gc_req /app/env.cgi "${GC_FORGED[@]}" -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    refute_forged_identity
    assert_env REMOTE_USER ada@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL ada@example.com
    # a user's session with forged role headers stays a user
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_FORGED[@]}"
    assert_http 200
    refute_forged_identity
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_EMAIL bob@example.com
    assert_env NEXTAUTH_ROLE user
    refute_env HTTP_REMOTE_USER
    refute_env FCGI_DUPLICATE_PARAMS
    # nor can a forged role open an admin page
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_FORGED[@]}" \
        -H 'Variable-NEXTAUTH_ROLE: admin' -H 'X-Nextauth-Role: admin'
    assert_signin '%2Fadmin%2Fenv.cgi'
    gc_req /admin/a.txt "${GC_FORGED[@]}" -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_signin '%2Fadmin%2Fa.txt'
}

# GC_CLIENT_IDENTITY (and the more headers given) with a session on a
# guarded CGI, and without one on GC_PUBLIC_CGI: no value the client sent.
gc_check_client_identity_cgi() { # [CURL-OPTION...]
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}" "$@"
    assert_http 200
    refute_client_identity
    assert_env REMOTE_USER bob@example.com
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_ROLE user
    assert_env NEXTAUTH_EMAIL bob@example.com
    # unguarded: no identity at all
    gc_req "$GC_PUBLIC_CGI" "${GC_CLIENT_IDENTITY[@]}" "$@"
    assert_http 200
    refute_client_identity
    refute_env REMOTE_USER
    refute_env AUTH_TYPE
    refute_env NEXTAUTH_ROLE
}

# The header echo (tests/fixtures/echo-app.pl) proxied at GUARDED (its
# sign-in callbackUrl CALLBACK) and at PUBLIC; REQUEST_LINE is the request
# line the echo gets for GUARDED.
gc_check_client_identity_proxied() { # GUARDED CALLBACK PUBLIC REQUEST_LINE
    gc_req "$1" -H "Cookie: $(gc_cookie "$TOK_USER")" "${GC_CLIENT_IDENTITY[@]}" -H 'X-Probe: kept'
    assert_http 200
    body_has_line "$4"
    body_has_line 'X-Probe: kept'
    gc_refute_client_headers
    gc_req "$1" "${GC_CLIENT_IDENTITY[@]}"
    assert_signin "$2"
    gc_req "$3" "${GC_CLIENT_IDENTITY[@]}" -H 'X-Probe: kept'
    assert_http 200
    body_has_line 'X-Probe: kept'
    gc_refute_client_headers
}

# --- bad sessions and rules ----------------------------------------------------------

gc_check_bad_sessions() {
    local t
    for t in "$TOK_EXPIRED" "$TOK_TAMPERED"; do
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "$t")"
        assert_signin '%2Fdocs%2Fpage.txt'
        gc_req /api/data.json -H "Cookie: $(gc_cookie "$t")"
        assert_json_401
    done
    gc_req /docs/page.txt -H 'Cookie: next-auth.session-token=garbage'
    assert_signin '%2Fdocs%2Fpage.txt'
    gc_guard_logged 'nextauth-guard: bad session token (token expired) for /docs/page.txt'
    gc_guard_logged 'nextauth-guard: bad session token (token expired) for /api/data.json'
    t='nextauth-guard: bad session token (decryption failed (wrong secret or tampered token))'
    gc_guard_logged "$t for /docs/page.txt"
    gc_guard_logged "$t for /api/data.json"
    # the log never carries a token: not the tampered one's ciphertext, not
    # the protected header every token starts with
    ! grep -qF "${TOK_TAMPERED:40:60}" "$GC_ERROR_LOG" || _fail "the error log carries the token"
    ! grep -qF "${TOK_ADMIN:0:40}" "$GC_ERROR_LOG" || _fail "the error log quotes a token"
}

gc_check_role_rule() {
    gc_req /admin/a.txt -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_signin '%2Fadmin%2Fa.txt'
    gc_req /api/admin/x.json -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 403
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_body "$GC_JSON_403"
    gc_guard_logged 'nextauth-guard: not authorized for /api/admin/x.json'

    gc_req /admin/a.txt -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body $'admin only\n'
    gc_req /api/admin/x.json -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body $'{"data":"admin api"}\n'
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_env NEXTAUTH_ROLE admin
    # a user may still see what the rule does not cover
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie "$TOK_USER")"
    assert_http 200
}

# Where the server hands encoded slashes and dot segments to the guard.
gc_check_role_rule_encodings() {
    local p c
    c=$(gc_cookie "$TOK_USER")
    for p in /%61dmin/a.txt /admin%2fa.txt /admin%2Fa.txt //admin/a.txt /public/../admin/a.txt \
        /admin/./a.txt /admin//a.txt /%2e/admin/a.txt /api/../admin/a.txt '/admin/a.txt?x=1'; do
        gc_req "$p" -H "Cookie: $c"
        assert_http 307
        refute_body_has "admin only"
    done
    for p in /api/admin%2fx.json /api/%61dmin/x.json /api//admin/x.json /api/admin/./x.json; do
        gc_req "$p" -H "Cookie: $c"
        assert_http 403
        assert_body "$GC_JSON_403"
    done
}

# --- what is not guarded, and paths ------------------------------------------------------

# The public area and /api/auth are not guarded, and the guard's own
# exemptions (/_next, /favicon.ico and the sign-in page) pass: the server's 404 for the
# missing files. A prefix only looks like an exemption up to a segment end.
gc_check_exemptions() {
    local p
    gc_req /public/p.txt
    assert_http 200
    assert_body $'public file\n'
    gc_req /api/auth/providers.json
    assert_http 200
    assert_body $'{"credentials":{"id":"credentials"}}\n'
    # an invalid cookie does not matter there
    gc_req /public/p.txt -H "Cookie: $(gc_cookie "$TOK_TAMPERED")"
    assert_http 200
    for p in /favicon.ico /_next/static/x.js; do
        gc_req "$p"
        assert_http 404
    done
    gc_req /publicity.txt
    assert_signin '%2Fpublicity.txt'
    gc_req /publicity/x.txt
    assert_signin '%2Fpublicity%2Fx.txt'
    gc_req /api/authx
    assert_json_401
    gc_req /favicon.icox
    assert_signin '%2Ffavicon.icox'
    gc_req /_nextx/app.js
    assert_signin '%2F_nextx%2Fapp.js'
}

# gc_check_exemptions on a server that asks the guard about every path but the
# public area: what the guard lets through and the docroot lacks (the sign-in
# page, the rest of /api/auth/) is the server's 404.
gc_check_exemptions_404() {
    local p
    gc_check_exemptions
    for p in /login /api/auth/nothing; do
        gc_req "$p"
        assert_http 404
    done
}

# ENCODED_SLASH: the status of a path with an encoded slash, 307 (to "/" as
# callbackUrl: the guard cannot normalize it, so it guards it) where the server
# hands it to the guard, 404 where the server refuses it itself.
gc_check_path_tricks() { # ENCODED_SLASH
    local p
    for p in /public/../docs/page.txt /public/%2e%2e/docs/page.txt /public/%2E%2E/docs/page.txt \
        //docs/page.txt /public/./../docs/page.txt /public//../docs/page.txt /./docs/page.txt \
        /_next/../docs/page.txt /api/auth/../../docs/page.txt; do
        gc_req "$p"
        assert_signin '%2Fdocs%2Fpage.txt'
        refute_body_has 'guarded page'
    done
    for p in /public%2f..%2fdocs/page.txt /public%2F..%2Fdocs/page.txt /public/..%2fdocs/page.txt; do
        gc_req "$p"
        if [ "$1" = 307 ]; then
            assert_signin '%2F'
        else
            assert_http "$1"
        fi
        refute_body_has 'guarded page'
    done
    gc_req /public/../api/data.json
    assert_json_401
    gc_req /api/auth/../data.json
    assert_json_401
    gc_req /PUBLIC/p.txt
    assert_signin '%2FPUBLIC%2Fp.txt'
    # with a session the same paths reach the file
    gc_req /public/%2e%2e/docs/page.txt -H "Cookie: $(gc_cookie "$TOK_ADMIN")"
    assert_http 200
    assert_body $'guarded page\n'
}

# --- sizes and hostile input -------------------------------------------------------------

gc_check_big_session() {
    local c
    c=$(gc_chunked_cookie "$TOK_BIG")
    [[ "$c" == *"next-auth.session-token.2="* ]] && [[ "$c" != *"next-auth.session-token.3="* ]] ||
        _fail "expected exactly 3 chunks"
    [ "${#c}" -gt 8192 ] || _fail "the cookie should exceed 8 KiB"
    gc_req /app/env.cgi -H "Cookie: $c"
    assert_http 200
    assert_env REMOTE_USER ada@example.com
    assert_env NEXTAUTH_ROLE admin
    # one chunk missing: no session
    gc_req /api/data.json -H "Cookie: ${c%; next-auth.session-token.2=*}"
    assert_json_401
}

# A 6.1 KB Location (2030 × "~", each "%7E"); past 2048 bytes of path the
# callbackUrl is "/", and a long query is left out.
gc_check_long_paths() {
    local t
    t=$(printf '~%.0s' $(seq 2030))
    gc_req "/d/$t"
    assert_signin "%2Fd%2F$(printf '%%7E%.0s' $(seq 2030))"
    gc_req "/d/$t$t?q=1"
    assert_signin '%2F'
    gc_req "/d/$t?$t"
    assert_signin "%2Fd%2F$(printf '%%7E%.0s' $(seq 2030))"
}

# A raw CR inside a request header, and control bytes inside the token's
# claims (replaced in the identity values).
gc_check_crlf() {
    gc_req /docs/page.txt -H $'Cookie: a=b\rSet-Cookie: evil=1'
    assert_http 400
    refute_header Set-Cookie
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie "$TOK_CRLF")"
    assert_http 200
    assert_env NEXTAUTH_NAME 'Ada??X-Evil: 1'
    assert_env REMOTE_USER 'ada@example.com??Set-Cookie: evil=1'
    ! grep -q '^X-Evil\|^Set-Cookie' "$gc_body_file" || _gc_show "a claim split a header"
    refute_header Set-Cookie
}

# --- the modules inside a server ------------------------------------------------

# gc_check_module_links SO TYPES EXPORTS — the server module SO needs no
# FastCGI symbol and links neither libfcgi nor libpq; its defined dynamic
# symbols of the nm types TYPES (e.g. TDB) are EXPORTS, sorted, each followed
# by a space.
gc_check_module_links() {
    run nm -u "$1"
    [ "$status" -eq 0 ]
    ! grep -i fcgi <<<"$output" || _fail "the module needs a FastCGI symbol"
    run nm -D --defined-only "$1"
    [ "$status" -eq 0 ]
    [ "$(awk -v t="^[$2]\$" '$2 ~ t { print $3 }' <<<"$output" | sort | tr '\n' ' ')" = "$3" ] ||
        _fail "exported:" "$output"
    run ldd "$1"
    ! grep -i -e fcgi -e libpq <<<"$output" || _fail "the module links libfcgi or libpq"
}

# --- no secret -----------------------------------------------------------------------------

# A guard without a secret, behind the server at URL: pages 307 to the error
# page, APIs 500, never the file; NextAuth's own routes and the public area
# still pass. API_500: "json" where the server hands on the guard's 500 JSON,
# "server" where it answers with its own 500 page.
gc_check_no_secret() { # URL API_500
    local BASE=$1 c
    c=$(gc_cookie "$TOK_ADMIN")
    gc_req /docs/page.txt
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    assert_header Cache-Control no-store
    gc_req /docs/page.txt -H "Cookie: $c"
    assert_http 307
    assert_header Location "$GC_CONFIG_ERROR"
    refute_body_has 'guarded page'
    gc_req /app/env.cgi -H "Cookie: $c"
    assert_http 307
    refute_body_has REMOTE_USER
    gc_req /api/data.json -H "Cookie: $c"
    assert_http 500
    refute_body_has 'guarded api'
    if [ "$2" = json ]; then
        assert_header Content-Type application/json
        assert_header Cache-Control no-store
        assert_body "$GC_JSON_500"
    fi
    gc_req /api/data.json
    assert_http 500
    if [ "$2" = json ]; then
        assert_body "$GC_JSON_500"
    fi
    gc_req /api/auth/providers.json
    assert_http 200
    gc_req /public/p.txt
    assert_http 200
}

# --- crash -----------------------------------------------------------------------------------

# gc_traffic OUT N [CURL-OPTION...] — N requests alternating a page and an API
# path, ~400 a second, in the background (one curl process, bounded by 20 s);
# OUT gets "status bytes" per request.
gc_traffic() {
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

# gc_check_kill_under_traffic REDIRECT_BYTES PIDS-COMMAND... — 1200 requests
# without and 1200 with a session; after a second, kill -9 of the first pid
# PIDS-COMMAND prints (GC_VICTIM). Without a session only denials (a 307 of
# REDIRECT_BYTES, a regex, or the 401 JSON) or server errors, never a file;
# with one the files (13 and 23 bytes) or server errors; every request answered.
gc_check_kill_under_traffic() {
    local redirect=$1 c bad p1 p2 none=$BATS_TEST_TMPDIR/none.out valid=$BATS_TEST_TMPDIR/valid.out
    shift
    c=$(gc_cookie "$TOK_ADMIN")
    gc_traffic "$none" 1200
    p1=$!
    gc_traffic "$valid" 1200 -H "Cookie: $c"
    p2=$!
    sleep 1
    GC_VICTIM=$("$@" | head -n 1)
    [ -n "$GC_VICTIM" ] || _fail "no guard process found"
    kill -9 "$GC_VICTIM"
    wait "$p1" "$p2"
    bad=$(grep -vE "^(307 $redirect|401 36|50[0-9] [0-9]+)\$" "$none" | sort | uniq -c)
    [ -z "$bad" ] || _fail "unexpected answers without a session:" "$bad"
    bad=$(grep -vE '^(200 (13|23)|50[0-9] [0-9]+)$' "$valid" | sort | uniq -c)
    [ -z "$bad" ] || _fail "unexpected answers with a session:" "$bad"
    [ "$(wc -l <"$none")" -eq 1200 ] || _fail "the no-session loop did not finish"
    [ "$(wc -l <"$valid")" -eq 1200 ] || _fail "the session loop did not finish"
    echo "# no session: $(sort "$none" | uniq -c | tr '\n' ' ')" >&3
    echo "# session:    $(sort "$valid" | uniq -c | tr '\n' ' ')" >&3
}
