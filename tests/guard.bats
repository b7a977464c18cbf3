#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# cgi-bin/nextauth-guard as plain CGI: withAuth for web servers (docs/behaviour.md:
# Guard, withAuth answers compared, Exempt paths, Matcher syntax; docs/servers.md,
# Cross-server traps). Every answer is checked exactly: status line, each
# header line in order, body, stderr. Tokens are minted at a fixed NOW and the
# guard runs under faketime at the same NOW; nothing sleeps or uses the network.

# shellcheck disable=SC2154 # g_*: set by guard_run
# shellcheck disable=SC2016 # literal ${…} placeholders are the point
load helpers
load guard_helpers

setup() {
    clean_env
    SECRET='guard-test-secret-Zk3p9Qw7Lm2-4Vb8nR1x'
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    USER_CLAIMS='{"name":"Alice","email":"alice@example.com","picture":"https://x/y.png","sub":"user-1"}'
    ALICE_JSON='{"user":{"name":"Alice","email":"alice@example.com","image":"https://x/y.png"},"expires":"'"$NOW_EXPIRES"'"}'
    ALICE_X=(
        "X-Nextauth-User: alice@example.com"
        "X-Nextauth-Email: alice@example.com"
        "X-Nextauth-Name: Alice"
        "X-Nextauth-Sub: user-1"
        "X-Nextauth-Expires: $NOW_EXPIRES"
    )
}

# expect_alice — the responder's allow answer for a token of USER_CLAIMS.
expect_alice() {
    expect_allow_json "$ALICE_JSON" "${ALICE_X[@]}"
}

# --- withAuth's measured answers (docs/behaviour.md, withAuth answers compared) -

@test "withAuth: no cookie → 307 to sign-in with the form-encoded callbackUrl" {
    guard '/dashboard?a=1&b=2'
    expect_signin '%2Fdashboard%3Fa%3D1%26b%3D2'
    expect_no_stderr
}

@test "withAuth: a valid cookie passes (responder: identity JSON and X-Nextauth-* headers)" {
    mint tok "$USER_CLAIMS"
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_alice
    expect_no_stderr
}

@test "withAuth: a valid Authorization: Bearer token passes" {
    mint tok "$USER_CLAIMS"
    guard /dashboard "HTTP_AUTHORIZATION=Bearer $tok"
    expect_alice
    expect_no_stderr
}

@test "withAuth: garbage cookie → 307, one log line without the value" {
    guard /dashboard 'HTTP_COOKIE=next-auth.session-token=garbage-value-123'
    expect_signin '%2Fdashboard'
    [ "${#g_stderr_lines[@]}" -eq 1 ] || gfail "expected one stderr line"
    expect_stderr_has 'nextauth-guard: bad session token ('
    refute_guard_leak garbage-value-123 "$SECRET"
}

@test "withAuth: no secret, /dashboard → 307 to the error page with error=Configuration" {
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard /dashboard
    expect_redirect "$ORIGIN/api/auth/error?error=Configuration"
    expect_stderr_has 'NO_SECRET'
}

@test "withAuth: no secret, /api/auth/session passes (exempt before the secret check)" {
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard /api/auth/session
    expect_pass
}

@test "withAuth: pages.signIn /login, /x?y=%20z → …/login?callbackUrl=%2Fx%3Fy%3D%2520z" {
    guard_config '{"pages":{"signIn":"/login"}}'
    guard '/x?y=%20z'
    expect_redirect "$ORIGIN/login?callbackUrl=%2Fx%3Fy%3D%2520z"
    # the sign-in page itself is exempt, exactly (with or without a query)
    guard /login
    expect_pass
    guard '/login?callbackUrl=%2Fx'
    expect_pass
    guard /login/x
    expect_redirect "$ORIGIN/login?callbackUrl=%2Flogin%2Fx"
    guard /loginx
    expect_redirect "$ORIGIN/login?callbackUrl=%2Floginx"
}

@test "withAuth: basePath /app, /app/dashboard?q=1 → …/app/api/auth/signin?callbackUrl=%2Fapp%2Fdashboard%3Fq%3D1" {
    guard_config '{"basePath":"/app"}'
    guard '/app/dashboard?q=1'
    expect_redirect "$ORIGIN/app/api/auth/signin?callbackUrl=%2Fapp%2Fdashboard%3Fq%3D1"
}

@test "withAuth: basePath /app, /app/api/auth/session is guarded (authPath is /api/auth): 307, or 401 as an API path" {
    # withAuth knows no API paths: with an api list that leaves /api alone the
    # answer is the measured 307; with the default api list it is the 401.
    guard_config '{"basePath":"/app","api":["/rpc/:path*"]}'
    guard /app/api/auth/session 'HTTP_ACCEPT=text/html'
    expect_redirect "$ORIGIN/app/api/auth/signin?callbackUrl=%2Fapp%2Fapi%2Fauth%2Fsession"
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{"basePath":"/app"}'
    guard /app/api/auth/session
    expect_401
    # with NEXTAUTH_URL carrying the basePath the auth routes are exempt again
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN/app/api/auth" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{"basePath":"/app"}'
    guard /app/api/auth/session
    expect_pass
}

@test "withAuth: NEXTAUTH_URL https://ex.com/custom/auth: /custom/auth/x passes, /api/auth/x is guarded" {
    GUARD_ENV=("NEXTAUTH_URL=https://ex.com/custom/auth" "NEXTAUTH_SECRET=$SECRET")
    guard /custom/auth/x
    expect_pass
    guard /custom/auth
    expect_pass
    guard /api/auth/x
    expect_401
    guard /dashboard
    expect_redirect 'https://ex.com/api/auth/signin?callbackUrl=%2Fdashboard'
    guard_config '{"api":["/rpc/:path*"]}'
    guard /api/auth/x
    expect_redirect 'https://ex.com/api/auth/signin?callbackUrl=%2Fapi%2Fauth%2Fx'
}

@test "withAuth: https NEXTAUTH_URL + plain cookie name → 307 (the guard reads __Secure-…)" {
    GUARD_ENV=("NEXTAUTH_URL=https://ex.com" "NEXTAUTH_SECRET=$SECRET")
    mint tok "$USER_CLAIMS"
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_redirect 'https://ex.com/api/auth/signin?callbackUrl=%2Fdashboard'
    expect_no_stderr
    guard /dashboard "HTTP_COOKIE=__Secure-next-auth.session-token=$tok"
    expect_alice
}

@test "withAuth: authorized {role: admin} with a user token → 307 to sign-in (no 403 on pages)" {
    guard_config '{"authorized":{"role":"admin"}}'
    mint tok '{"sub":"u1","role":"user"}'
    guard '/dashboard?x=1' "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_signin '%2Fdashboard%3Fx%3D1'
    expect_stderr 'nextauth-guard: not authorized for /dashboard'
    mint tok '{"sub":"u2","role":"admin"}'
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_allow_json '{"user":{},"expires":"'"$NOW_EXPIRES"'"}' \
        "X-Nextauth-User: u2" "X-Nextauth-Sub: u2" "X-Nextauth-Expires: $NOW_EXPIRES"
}

@test "guard: API path without a token → 401 JSON" {
    guard /api/data
    expect_401
    expect_no_stderr
    guard '/api/data?x=1' 'HTTP_ACCEPT=text/html'
    expect_401
    guard /api
    expect_401
}

@test "guard: API path with a token that is not authorized → 403 JSON" {
    guard_config '{"authorized":{"role":"admin"}}'
    mint tok '{"sub":"u1","role":"user"}'
    guard /api/data "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_403
    expect_stderr 'nextauth-guard: not authorized for /api/data'
}

@test "guard: API path without a secret → 500 JSON" {
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard /api/data
    expect_500
    expect_stderr_has 'NO_SECRET'
}

@test "guard: a configured api list replaces the default" {
    guard_config '{"api":["/rpc/:path*"]}'
    guard /rpc/call
    expect_401
    guard /api/data
    expect_signin '%2Fapi%2Fdata'
}

@test "guard.h: no NEXTAUTH_URL → relative Locations" {
    GUARD_ENV=("NEXTAUTH_SECRET=$SECRET")
    guard '/dashboard?a=1'
    expect_redirect '/api/auth/signin?callbackUrl=%2Fdashboard%3Fa%3D1'
}

# --- exemptions (docs/behaviour.md, Exempt paths) ---------------------------

@test "exempt: /api/auth and below, sign-in and error pages, /_next/…, /favicon.ico" {
    local p
    for p in /api/auth /api/auth/ /api/auth/x /api/auth/session '/api/auth/callback/github?code=1' \
        /api/auth/signin /api/auth/error '/api/auth/error?error=Configuration' \
        /_next /_next/x /_next/static/chunks/a.js /favicon.ico; do
        guard "$p"
        expect_pass || return 1
        expect_no_stderr || return 1
    done
}

@test "exempt: without a secret too (exempt paths come before the secret check)" {
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    local p
    for p in /api/auth/session /_next/x /favicon.ico /api/auth/signin; do
        guard "$p"
        expect_pass || return 1
    done
}

@test "exempt: /api/authx, /_nextfoo, /favicon.icox are guarded (stricter than next-auth's plain prefix)" {
    guard /api/authx
    expect_401
    guard /_nextfoo
    expect_signin '%2F_nextfoo'
    guard /favicon.icox
    expect_signin '%2Ffavicon.icox'
    guard /favicon.ico/x
    expect_signin '%2Ffavicon.ico%2Fx'
    guard /api/auth-x/y
    expect_401
}

@test "exempt paths are judged after normalization: a dot-segment out of them is guarded" {
    guard /api/auth/../../dashboard
    expect_signin '%2Fdashboard'
    guard /_next/../dashboard
    expect_signin '%2Fdashboard'
    guard /favicon.ico/../dashboard
    expect_signin '%2Fdashboard'
    guard '/api/auth/%2e%2e/%2e%2e/dashboard'
    expect_signin '%2Fdashboard'
    guard '/_next/..%2fdashboard'
    expect_signin '%2F'
    guard '/api/auth/..%2f..%2fdashboard' # unnormalizable, and /api/… raw: JSON
    expect_401
}

# --- client kind -----------------------------------------------------------

@test "client kind: JSON clients get 401 JSON on a page path" {
    guard /dashboard 'HTTP_ACCEPT=application/json'
    expect_401
    guard /dashboard 'HTTP_X_REQUESTED_WITH=XMLHttpRequest'
    expect_401
    guard /dashboard 'HTTP_SEC_FETCH_MODE=cors'
    expect_401
    guard /dashboard 'HTTP_SEC_FETCH_MODE=cors' 'HTTP_ACCEPT=*/*'
    expect_401
    guard /dashboard 'HTTP_ACCEPT=application/json, text/plain, */*' 'HTTP_X_REQUESTED_WITH=XMLHttpRequest'
    expect_401
}

@test "client kind: browsers and curl get the 307" {
    local a
    for a in 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7' \
        'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' \
        'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' \
        '*/*'; do
        guard /dashboard "HTTP_ACCEPT=$a" 'HTTP_SEC_FETCH_MODE=navigate'
        expect_signin '%2Fdashboard' || return 1
        guard /dashboard "HTTP_ACCEPT=$a"
        expect_signin '%2Fdashboard' || return 1
    done
    guard /dashboard
    expect_signin '%2Fdashboard'
}

@test "client kind: a JSON client without a secret gets the 500 JSON" {
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard /dashboard 'HTTP_ACCEPT=application/json'
    expect_500
}

# --- matcher table (docs/behaviour.md, Matcher syntax), through the guard ----

# matcher_case PATTERN_JSON PATH yes|no — with this matcher, PATH is guarded
# (307 to sign-in, callbackUrl = PATH) or passes.
matcher_case() {
    local cb
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config "{\"matcher\":$1}"
    guard "$2" 'HTTP_ACCEPT=text/html'
    if [ "$3" = yes ]; then
        cb=${2//\//%2F}
        expect_signin "$cb" || gfail "matcher $1, $2: expected guarded" || return 1
    else
        expect_pass || gfail "matcher $1, $2: expected to pass" || return 1
    fi
}

@test "matcher: /dashboard/:path*, /dashboard, /dashboard/:path, /dashboard/:path+" {
    local rows=(
        # path                 :path*  plain  :path  :path+
        "/dashboard             yes    yes    no     no"
        "/dashboard/            yes    yes    no     no"
        "/dashboard/a           yes    no     yes    yes"
        "/dashboard/a/b         yes    no     no     yes"
        "/dashboardx            no     no     no     no"
        "/DASHBOARD             no     no     no     no"
        "/dashboard.json        yes    yes    no     no"
        "/dashboard.rsc         yes    yes    no     no"
        "/dashboard/a.json      yes    no     yes    yes"
        "/other                 no     no     no     no"
    )
    local pats=('"/dashboard/:path*"' '"/dashboard"' '"/dashboard/:path"' '"/dashboard/:path+"')
    local row path i
    local -a want
    for row in "${rows[@]}"; do
        read -r path "want[0]" "want[1]" "want[2]" "want[3]" <<<"$row"
        for i in 0 1 2 3; do
            matcher_case "${pats[$i]}" "$path" "${want[$i]}" || return 1
        done
    done
}

@test "matcher: /_next/data/<buildId>/dashboard.json is matched by /dashboard/:path* and /dashboard" {
    # Next.js strips the data-route prefix before middleware runs, so withAuth
    # guards the page's data exactly as the page; the /_next exemption must not
    # hand out getServerSideProps data of a guarded page.
    matcher_case '"/dashboard/:path*"' /_next/data/ID/dashboard.json yes
    matcher_case '"/dashboard"' /_next/data/ID/dashboard.json yes
    matcher_case '"/dashboard/:path"' /_next/data/ID/dashboard.json no
}

@test "matcher: :name? is optional" {
    matcher_case '"/dashboard/:path?"' /dashboard yes
    matcher_case '"/dashboard/:path?"' /dashboard/a yes
    matcher_case '"/dashboard/:path?"' /dashboard/a/b no
}

@test "matcher: /admin/(.*) matches /admin/ and /admin/x but not /admin" {
    matcher_case '"/admin/(.*)"' /admin/ yes
    matcher_case '"/admin/(.*)"' /admin/x yes
    matcher_case '"/admin/(.*)"' /admin/x/y yes
    matcher_case '"/admin/(.*)"' /admin no
    matcher_case '"/admin/(.*)"' /adminx no
}

@test "matcher: the negative-lookahead matcher skips api, _next/static, _next/image, favicon.ico" {
    local m='"/((?!api|_next/static|_next/image|favicon.ico).*)"'
    matcher_case "$m" / yes
    matcher_case "$m" /dashboard yes
    matcher_case "$m" /x/api yes
    matcher_case "$m" /api/x no
    matcher_case "$m" /apix no
    matcher_case "$m" /favicon.ico no
    # /_next/static and /_next/image are exempt anyway; /_nextfoo is matched
    matcher_case "$m" /_nextfoo yes
}

@test "matcher: basePath /app is prepended: /dashboard/:path* matches /app/dashboard/x only" {
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{"basePath":"/app","matcher":["/dashboard/:path*"]}'
    guard /app/dashboard/x
    expect_redirect "$ORIGIN/app/api/auth/signin?callbackUrl=%2Fapp%2Fdashboard%2Fx"
    guard /app/dashboard
    expect_redirect "$ORIGIN/app/api/auth/signin?callbackUrl=%2Fapp%2Fdashboard"
    guard /dashboard/x
    expect_pass
    guard /app/x
    expect_pass
    guard /appdashboard/x
    expect_pass
}

@test "matcher: a list of matchers, and {source: …} objects" {
    guard_config '{"matcher":["/a/:p*",{"source":"/b/:p*"}]}'
    guard /a/1
    expect_signin '%2Fa%2F1'
    guard /b/1
    expect_signin '%2Fb%2F1'
    guard /c/1
    expect_pass
}

# --- rules -----------------------------------------------------------------

RULES='{
  "authorized": {"role": {"in": ["user", "admin", "staff"]}},
  "rules": [
    {"matcher": ["/admin/:path*"], "authorized": {"role": "admin"}},
    {"matcher": ["/admin/:path*", "/staff/:path*"], "authorized": {"role": {"in": ["admin", "staff"]}}},
    {"matcher": "/mail/:path*", "authorized": {"email": {"suffix": "@Example.COM"}}},
    {"matcher": "/verified/:path*", "authorized": {"email_verified": {"exists": true}}},
    {"matcher": "/guest/:path*", "authorized": {"banned": {"exists": false}}},
    {"matcher": "/any/:path*", "authorized": {"any": [{"role": "admin"}, {"dept": "ops"}]}},
    {"matcher": "/all/:path*", "authorized": {"all": [{"role": "staff"}, {"dept": "ops"}]}},
    {"matcher": "/groups/:path*", "authorized": {"groups": "beta"}},
    {"matcher": "/api/admin/:path*", "authorized": {"role": "admin"}}
  ]
}'

@test "rules: first match wins, per-matcher rules over the top-level authorized, every operator" {
    guard_config "$RULES"
    local admin staff user norole
    mint admin '{"sub":"a","email":"a@example.com","role":"admin"}'
    mint staff '{"sub":"s","email":"s@EXAMPLE.com","role":"staff","dept":"ops","email_verified":true}'
    mint user '{"sub":"u","email":"u@other.org","role":"user","groups":["alpha","beta"],"banned":false}'
    mint norole '{"sub":"n","email":"n@example.com.evil"}'
    local rows=(
        # path           admin staff user norole
        "/admin/x          200   307   307  307"
        "/staff/x          200   200   307  307"
        "/mail/x           200   200   307  307"
        "/verified/x       307   200   307  307"
        "/guest/x          200   200   307  200"
        "/any/x            200   200   307  307"
        "/all/x            307   200   307  307"
        "/groups/x         307   307   200  307"
        "/other            200   200   200  307"
    )
    local row path i who want
    local -a w toks=("$admin" "$staff" "$user" "$norole") names=(admin staff user norole)
    for row in "${rows[@]}"; do
        read -r path "w[0]" "w[1]" "w[2]" "w[3]" <<<"$row"
        for i in 0 1 2 3; do
            who=${names[$i]} want=${w[$i]}
            guard "$path" "HTTP_COOKIE=next-auth.session-token=${toks[$i]}"
            if [ "$want" = 200 ]; then
                [ "$g_rc" -eq 0 ] && [ "$g_status" = "Status: 200 OK" ] &&
                    [ "${g_body:0:8}" = '{"user":' ] ||
                    gfail "$path as $who: expected 200 with identity" || return 1
            else
                expect_signin "${path//\//%2F}" || gfail "$path as $who: expected 307" || return 1
                expect_stderr "nextauth-guard: not authorized for $path" || return 1
            fi
        done
    done
}

@test "rules: on API paths a failed rule is 403, no token 401" {
    guard_config "$RULES"
    local admin user
    mint admin '{"sub":"a","role":"admin"}'
    mint user '{"sub":"u","role":"user"}'
    guard /api/admin/x "HTTP_COOKIE=next-auth.session-token=$user"
    expect_403
    guard /api/admin/x "HTTP_COOKIE=next-auth.session-token=$admin"
    expect_allow_json '{"user":{},"expires":"'"$NOW_EXPIRES"'"}' \
        "X-Nextauth-User: a" "X-Nextauth-Sub: a" "X-Nextauth-Expires: $NOW_EXPIRES"
    guard /api/admin/x
    expect_401
    guard /api/other "HTTP_COOKIE=next-auth.session-token=$user"
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected 200"
}

@test "rules: an array claim holds when it contains the value; in with an array claim" {
    guard_config '{"authorized":{"roles":{"in":["editor","admin"]}},"rules":[{"matcher":"/beta/:p*","authorized":{"groups":"beta"}}]}'
    local t1 t2
    mint t1 '{"sub":"u","roles":["viewer","editor"],"groups":["alpha","beta"]}'
    mint t2 '{"sub":"u","roles":["viewer"],"groups":"betax"}'
    guard /x "HTTP_COOKIE=next-auth.session-token=$t1"
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected 200"
    guard /beta/x "HTTP_COOKIE=next-auth.session-token=$t1"
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected 200"
    guard /x "HTTP_COOKIE=next-auth.session-token=$t2"
    expect_signin '%2Fx'
    guard /beta/x "HTTP_COOKIE=next-auth.session-token=$t2"
    expect_signin '%2Fbeta%2Fx'
}

# --- identity --------------------------------------------------------------

@test "identity: authorizer role sends every Variable-* line for a full token" {
    mint tok "$USER_CLAIMS"
    guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: alice@example.com" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_EMAIL: alice@example.com" \
        "Variable-NEXTAUTH_NAME: Alice" \
        "Variable-NEXTAUTH_SUB: user-1" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES"
    expect_no_stderr
}

@test "identity: the identity map, non-string claims as compact JSON, control bytes as '?', missing claims left out" {
    guard_config '{"identity":{"NEXTAUTH_ROLE":"role","NEXTAUTH_GROUPS":"groups","NEXTAUTH_LEVEL":"level","NEXTAUTH_META":"meta","NEXTAUTH_RATIO":"ratio","NEXTAUTH_ADMIN":"admin","NEXTAUTH_GONE":"nope","NEXTAUTH_NULLED":"z","NEXTAUTH_DEPT_CODE":"dept","NEXTAUTH_NOTE":"note"}}'
    mint tok '{"sub":"u1","email":"u@example.com","name":"Al\r\nice\u0001\u007f!","role":"admin","groups":["a","b"],"level":42,"meta":{"a":1,"b":[true,null]},"ratio":1.5,"admin":true,"z":null,"dept":"R&D","note":"tab\there"}'
    guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: u@example.com" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_EMAIL: u@example.com" \
        "Variable-NEXTAUTH_NAME: Al??ice??!" \
        "Variable-NEXTAUTH_SUB: u1" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES" \
        "Variable-NEXTAUTH_ROLE: admin" \
        'Variable-NEXTAUTH_GROUPS: ["a","b"]' \
        "Variable-NEXTAUTH_LEVEL: 42" \
        'Variable-NEXTAUTH_META: {"a":1,"b":[true,null]}' \
        "Variable-NEXTAUTH_RATIO: 1.5" \
        "Variable-NEXTAUTH_ADMIN: true" \
        "Variable-NEXTAUTH_DEPT_CODE: R&D" \
        "Variable-NEXTAUTH_NOTE: tab?here"
    expect_no_stderr
}

@test "identity: REMOTE_USER falls back to sub when there is no e-mail string" {
    mint tok '{"sub":"user-7","name":"Bob"}'
    guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: user-7" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_NAME: Bob" \
        "Variable-NEXTAUTH_SUB: user-7" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES"
    mint tok '{"sub":"user-8","email":42}'
    guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: user-8" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_EMAIL: 42" \
        "Variable-NEXTAUTH_SUB: user-8" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES"
}

@test "identity: values longer than 4096 bytes are left out (and logged), never cut" {
    local n4096 n4097
    printf -v n4096 '%*s' 4096 ''
    n4096=${n4096// /n}
    n4097="${n4096}n"
    mint tok "{\"sub\":\"u1\",\"name\":\"$n4096\"}"
    guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=Bearer $tok"
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: u1" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_NAME: $n4096" \
        "Variable-NEXTAUTH_SUB: u1" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES"
    expect_no_stderr
    mint tok "{\"sub\":\"u1\",\"name\":\"$n4097\"}"
    guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=Bearer $tok"
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: u1" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_SUB: u1" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES"
    expect_stderr 'nextauth-guard: identity NEXTAUTH_NAME left out: claim name is 4097 bytes (at most 4096)'
}

# has_remote_user — the last answer carries "Variable-REMOTE_USER: <non-empty>".
has_remote_user() {
    local h
    for h in "${g_headers[@]}"; do
        case $h in "Variable-REMOTE_USER: "?*) return 0 ;; esac
    done
    return 1
}

@test "authorizer: paths it does not guard get a bare 200; under Apache the log says to carve them out" {
    # Decided behaviour (INSTALL, Apache): the guard never invents a user. A 200
    # without Variable-REMOTE_USER is a 500 under mod_authnz_fcgi (AH02520, fail
    # closed), so Apache configs exempt these paths with their own <Location>;
    # the guard's log line names the path when Apache asked (FCGI_APACHE_ROLE).
    local p
    for p in /api/auth/session /api/auth/signin /_next/static/a.js /favicon.ico; do
        guard "$p" FCGI_ROLE=AUTHORIZER
        [ "$g_status" = "Status: 200 OK" ] || gfail "$p: expected 200" || return 1
        ! has_remote_user || gfail "$p: a user was invented" || return 1
        guard "$p" FCGI_ROLE=AUTHORIZER FCGI_APACHE_ROLE=AUTHENTICATOR
        [[ "$g_stderr" == *"is not guarded by the configuration; Apache will refuse it"* ]] ||
            gfail "$p: no carve-out hint in the log" || return 1
    done
    guard_config '{"matcher":"/admin/:p*"}'
    guard /public FCGI_ROLE=AUTHORIZER
    [ "$g_status" = "Status: 200 OK" ] || gfail "/public: expected 200" || return 1
    ! has_remote_user || gfail "/public (outside the matcher): a user was invented"
}

@test "authorizer: REMOTE_USER is a non-empty e-mail, else a non-empty sub, else absent and logged" {
    local claims want
    for claims in '{"name":"x","email":"a@b.c","sub":"u1"}=a@b.c' '{"email":"","sub":"u1"}=u1' \
        '{"name":"x","sub":"u2"}=u2' '{"name":"x","sub":7}=7' '{"name":"x"}=' \
        '{"name":"x","sub":""}=' '{"name":"x","email":""}='; do
        want=${claims##*=}
        claims=${claims%=*}
        mint tok "$claims"
        guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=Bearer $tok"
        [ "$g_status" = "Status: 200 OK" ] || gfail "claims $claims: expected 200" || return 1
        if [ -n "$want" ]; then
            has_remote_user || gfail "claims $claims: no REMOTE_USER" || return 1
            printf '%s\n' "${g_headers[@]}" | grep -qxF "Variable-REMOTE_USER: $want" ||
                gfail "claims $claims: REMOTE_USER is not $want" || return 1
        else
            ! has_remote_user || gfail "claims $claims: an empty or invented REMOTE_USER" || return 1
            [[ "$g_stderr" == *"without email or sub: no REMOTE_USER"* ]] ||
                gfail "claims $claims: not logged" || return 1
        fi
    done
}

@test "identity: auth_request (nginx) and responder header names" {
    guard_config '{"identity":{"NEXTAUTH_ROLE":"role","NEXTAUTH_DEPT_CODE":"dept"}}'
    mint tok '{"name":"Alice","email":"alice@example.com","picture":"https://x/y.png","sub":"user-1","role":"admin","dept":"ops"}'
    local x=("${ALICE_X[@]}" "X-Nextauth-Role: admin" "X-Nextauth-Dept-Code: ops")
    guard /dashboard NEXTAUTH_GUARD_MODE=auth_request "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_answer "Status: 200 OK" "${x[@]}"
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_allow_json "$ALICE_JSON" "${x[@]}"
    # auth_request wins over an AUTHORIZER role
    guard /dashboard NEXTAUTH_GUARD_MODE=auth_request FCGI_ROLE=AUTHORIZER "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_answer "Status: 200 OK" "${x[@]}"
}

# dup_names PREFIX — the header names starting with PREFIX that the last answer
# carries more than once (empty: none).
dup_names() {
    local h
    local -A seen=()
    dups=''
    for h in "${g_headers[@]}"; do
        case $h in "$1"*) ;; *) continue ;; esac
        h=${h%%:*}
        [ -z "${seen[$h]-}" ] || dups+="$h "
        seen[$h]=1
    done
}

@test "identity: a configured variable never duplicates a built-in one (refused at load)" {
    # NEXTAUTH_SUB, NEXTAUTH_EMAIL, … are the guard's own; a second line with
    # another value would leave it to the server which one the backend sees.
    # NEXTAUTH_USER would give X-Nextauth-User, the header of REMOTE_USER.
    local id cfg="$BATS_TEST_TMPDIR/guard-config.json"
    for id in NEXTAUTH_SUB NEXTAUTH_EMAIL NEXTAUTH_NAME NEXTAUTH_EXPIRES NEXTAUTH_USER; do
        GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
        guard_config "{\"identity\":{\"$id\":\"role\"}}"
        guard /dashboard FCGI_ROLE=AUTHORIZER
        expect_config_error '' || return 1
        expect_stderr "nextauth-guard: config $cfg: key \"identity.$id\": set by the guard itself" ||
            return 1
    done
}

@test "identity: only NEXTAUTH_[A-Z0-9_]+ names; CGI, loader and shell variables stop the program" {
    # REMOTE_ADDR, QUERY_STRING, SCRIPT_NAME, … are what a CGI backend trusts from
    # the server; LD_* and PATH reach the backend's loader and shell; HTTP_* is
    # the client's; REMOTE_USER and AUTH_TYPE are the guard's.
    local id cfg="$BATS_TEST_TMPDIR/guard-config.json"
    for id in REMOTE_ADDR QUERY_STRING SCRIPT_NAME PATH_INFO CONTENT_LENGTH HTTP_X LD_PRELOAD \
        LD_LIBRARY_PATH PATH REMOTE_USER AUTH_TYPE DEPT lower NEXTAUTH_ NEXTAUTH_Role NEXTAUTH_A-B; do
        GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
        guard_config "{\"identity\":{\"$id\":\"role\"}}"
        guard /dashboard FCGI_ROLE=AUTHORIZER
        expect_config_error '' || gfail "identity $id" || return 1
        expect_stderr "nextauth-guard: config $cfg: key \"identity.$id\": names must be NEXTAUTH_ then A-Z, 0-9, _" ||
            return 1
    done
    # the accepted form reaches the backend under its own name
    mint tok '{"sub":"u1","role":"admin","dept":"ops"}'
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{"identity":{"NEXTAUTH_ROLE":"role","NEXTAUTH_2FA_DEPT":"dept"}}'
    guard /dashboard FCGI_ROLE=AUTHORIZER "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: u1" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_SUB: u1" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES" \
        "Variable-NEXTAUTH_ROLE: admin" \
        "Variable-NEXTAUTH_2FA_DEPT: ops"
    expect_no_stderr
}

@test "start-up warnings: a short secret and loose file modes, one line each, never the secret; the guard still answers" {
    local short='short-MARKER-secret-01234567890' cfg="$BATS_TEST_TMPDIR/guard-config.json"
    local sf="$BATS_TEST_TMPDIR/secret.txt"
    # 31 bytes from the environment
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$short")
    guard /dashboard
    expect_signin '%2Fdashboard'
    expect_stderr "nextauth-guard: warning: the secret (NEXTAUTH_SECRET) is 31 bytes; use at least 32 random bytes (openssl rand -base64 32)"
    refute_guard_leak "$short" MARKER
    # 32 bytes: nothing
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=${short}X")
    guard /dashboard
    expect_signin '%2Fdashboard'
    expect_no_stderr
    # a config that holds the secret: 0600 quiet, 0640 named with its mode
    GUARD_ENV=()
    guard_config "{\"url\":\"$ORIGIN\",\"secret\":\"${short}X\"}"
    chmod 600 "$cfg"
    guard /dashboard
    expect_signin '%2Fdashboard'
    expect_no_stderr
    chmod 640 "$cfg"
    guard /dashboard
    expect_signin '%2Fdashboard'
    expect_stderr "nextauth-guard: warning: config $cfg has mode 0640 and holds the secret; make it readable by its owner only (chmod 600)"
    refute_guard_leak "$short" MARKER
    # any config others may write
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{}'
    chmod 666 "$cfg"
    guard /dashboard
    expect_signin '%2Fdashboard'
    expect_stderr "nextauth-guard: warning: config $cfg has mode 0666; make it writable by its owner only (chmod go-w)"
    # secretFile: owner only, and a short one gives both lines
    printf '%s\n' "$short" >"$sf"
    chmod 604 "$sf"
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard_config "{\"secretFile\":\"$sf\"}"
    chmod 644 "$cfg" # others may read a config without the secret
    guard /dashboard
    expect_signin '%2Fdashboard'
    expect_stderr "nextauth-guard: warning: the secret (config secretFile) is 31 bytes; use at least 32 random bytes (openssl rand -base64 32)"$'\n'"nextauth-guard: warning: secretFile $sf has mode 0604; make it readable by its owner only (chmod 600)"
    refute_guard_leak "$short" MARKER
    printf '%s\n' "${short}X" >"$sf"
    chmod 600 "$sf"
    guard /dashboard
    expect_signin '%2Fdashboard'
    expect_no_stderr
}

@test "start-up notice: a matcher that is a plain path covers that page only (Next.js), one line each" {
    guard_config '{"matcher":["/admin","/dashboard/:path*","/"],"rules":[{"matcher":["/reports/"],"authorized":{"role":"admin"}}],"api":"/graphql"}'
    guard /admin/users
    expect_pass
    expect_stderr 'nextauth-guard: notice: matcher "/admin" matches /admin only, not the paths below it; write "/admin/:path*" for those'$'\n''nextauth-guard: notice: rules[0].matcher "/reports/" matches /reports/ only, not the paths below it; write "/reports/:path*" for those'
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{"matcher":["/admin/:path*","/","/((?!public).*)","/u/:id"]}'
    guard /admin/users
    expect_signin '%2Fadmin%2Fusers'
    expect_no_stderr
}

@test "deny answers in the other roles: authorizer 307, auth_request 401 with Location" {
    guard '/dashboard?a=1' FCGI_ROLE=AUTHORIZER
    expect_signin '%2Fdashboard%3Fa%3D1'
    guard '/dashboard?a=1' NEXTAUTH_GUARD_MODE=auth_request
    expect_answer "Status: 401 Unauthorized" "Content-Type: application/json" \
        "Cache-Control: no-store" "Location: ${SIGNIN}%2Fdashboard%3Fa%3D1" -- "$BODY_401"
    guard /api/x NEXTAUTH_GUARD_MODE=auth_request
    expect_401
    guard /api/x FCGI_ROLE=AUTHORIZER
    expect_401
    guard_config '{"authorized":{"role":"admin"}}'
    mint tok '{"sub":"u1"}'
    guard /api/x NEXTAUTH_GUARD_MODE=auth_request "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_403
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard /dashboard NEXTAUTH_GUARD_MODE=auth_request
    expect_answer "Status: 401 Unauthorized" "Content-Type: application/json" \
        "Cache-Control: no-store" "Location: $ORIGIN/api/auth/error?error=Configuration" -- "$BODY_401"
    guard /dashboard FCGI_ROLE=AUTHORIZER
    expect_redirect "$ORIGIN/api/auth/error?error=Configuration"
}

@test "pass answers in auth_request: 200 without identity" {
    guard /api/auth/session NEXTAUTH_GUARD_MODE=auth_request
    expect_answer "Status: 200 OK"
    expect_no_stderr
}

# --- path tricks (matcher ["/admin/:path*"]) --------------------------------

@test "path tricks: every way to /admin is guarded, unnormalizable paths are guarded" {
    guard_config '{"matcher":["/admin/:path*"]}'
    local rows=(
        # request                 callbackUrl
        "/admin                   %2Fadmin"
        "/admin/x                 %2Fadmin%2Fx"
        "/public/../admin         %2Fadmin"
        "/public/../admin/x       %2Fadmin%2Fx"
        "/public/%2e%2e/admin     %2Fadmin"
        "/public/%2E%2E/admin     %2Fadmin"
        "/public/.%2e/admin       %2Fadmin"
        "/admin/%2e               %2Fadmin%2F"
        "/admin/.                 %2Fadmin%2F"
        "//admin                  %2Fadmin"
        "///admin//x              %2Fadmin%2Fx"
        "/./admin                 %2Fadmin"
        "/%2e/admin               %2Fadmin"
        "/%61dmin                 %2Fadmin"
        "/adm%69n/x               %2Fadmin%2Fx"
        "/admin/x/..              %2Fadmin%2F"
        "/%2e%2e/admin            %2F"
        "/../admin                %2F"
        "/a/../../admin           %2F"
        "/admin%2Fx               %2F"
        "/admin%2fx               %2F"
        "/public%2F..%2Fadmin     %2F"
        "/admin%5Cx               %2F"
        "/public%5c..%5cadmin     %2F"
        "/admin%00                %2F"
        "/admin/%zz               %2F"
        "/admin/%4                %2F"
        "/admin/%                 %2F"
        "/public/%zz              %2F"
        "/x/%2e%2e/%2e%2e/admin   %2F"
    )
    local row uri cb
    for row in "${rows[@]}"; do
        read -r uri cb <<<"$row"
        guard "$uri"
        expect_signin "$cb" || gfail "$uri: expected guarded" || return 1
    done
    # raw backslash, control bytes, no leading '/': unnormalizable, guarded
    for uri in '/admin\x' '/public\..\admin' $'/admin\tx' $'/pub\x7flic' 'admin' '*'; do
        guard "$uri"
        expect_signin '%2F' || gfail "$uri: expected guarded" || return 1
    done
    # a query of an unnormalizable path is kept; its path becomes "/"
    guard '/admin/%zz?a=1'
    expect_signin '%2F%3Fa%3D1'
    # outside the matcher
    for uri in /public /public/x /administrator '/admin;x' /public/../x; do
        guard "$uri"
        expect_pass || gfail "$uri: expected to pass" || return 1
    done
}

@test "path tricks: unnormalizable API paths get the JSON answer" {
    guard '/api/%zz'
    expect_401
    guard '/api/x%2Fy'
    expect_401
}

@test "path tricks: length caps (8192-byte paths, 2048-byte callbackUrl)" {
    local long
    printf -v long '%*s' 8192 ''
    long="/${long// /a}" # 8193 bytes: above NA_PATH_MAX, unnormalizable
    guard "$long"
    expect_signin '%2F'
    guard_config '{"matcher":["/admin/:path*"]}'
    guard "$long"
    expect_signin '%2F'
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    printf -v long '%*s' 3000 ''
    long="/${long// /b}" # normal, but longer than the callbackUrl cap
    guard "$long?x=1"
    expect_signin '%2F'
    printf -v long '%*s' 2000 ''
    long="/${long// /c}"
    local q
    printf -v q '%*s' 100 ''
    guard "$long?${q// /q}" # path fits, path + query does not: the query goes
    expect_signin "%2F${long:1}"
}

@test "rules on an unnormalizable path: every rule must hold" {
    guard_config '{"rules":[{"matcher":"/admin/:p*","authorized":{"role":"admin"}},{"matcher":"/editor/:p*","authorized":{"role":"editor"}}]}'
    local admin both
    mint admin '{"sub":"a","role":"admin"}'
    mint both '{"sub":"b","role":["admin","editor"]}'
    guard /admin/x "HTTP_COOKIE=next-auth.session-token=$admin"
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected 200 for /admin/x"
    guard /editor/x "HTTP_COOKIE=next-auth.session-token=$admin"
    expect_signin '%2Feditor%2Fx'
    guard '/admin/%zz' "HTTP_COOKIE=next-auth.session-token=$admin"
    expect_signin '%2F'
    expect_stderr 'nextauth-guard: not authorized for (unnormalizable path)'
    guard '/admin%2Fx' "HTTP_COOKIE=next-auth.session-token=$admin"
    expect_signin '%2F'
    guard '/admin/%zz' "HTTP_COOKIE=next-auth.session-token=$both"
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected 200 when every rule holds"
    # the top-level authorized counts too
    guard_config '{"authorized":{"verified":true},"rules":[{"matcher":"/admin/:p*","authorized":{"role":"admin"}}]}'
    guard '/admin/%zz' "HTTP_COOKIE=next-auth.session-token=$both"
    expect_signin '%2F'
}

@test "rules: a matcher that runs out of its step budget must not pick a weaker rule" {
    # matcher.c answers "match" when the 100 000-step budget runs out, which is
    # the stricter reading for the matcher list, but for rules (first match
    # wins) it selects rule 0 here, whose condition is weaker than the /admin one.
    guard_config '{"rules":[{"matcher":"/:a*/:b*/x","authorized":{"role":"user"}},{"matcher":"/admin/:p*","authorized":{"role":"admin"}}]}'
    mint tok '{"sub":"u","role":"user"}'
    local p
    printf -v p '/a%.0s' {1..4000}
    guard /admin/a/a "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_signin '%2Fadmin%2Fa%2Fa'
    guard "/admin$p" "HTTP_COOKIE=next-auth.session-token=$tok"
    [ "$g_status" != "Status: 200 OK" ] || gfail "a user token passed the /admin rule (budget exhausted on rule 0)"
}

# --- open redirects --------------------------------------------------------

@test "open redirects: every payload (as path and as callbackUrl query) → 307 on the origin, relative callbackUrl, no control byte" {
    local t="$BATS_TEST_TMPDIR/redirects" list="$VECTORS_DIR/open-redirect-payloads.txt"
    # A clean bash for the loops: bats' DEBUG trap would triple their time.
    local prog
    prog="$(declare -f _slurp form_decode redirect_sweep); redirect_sweep \"\$@\""
    env -i PATH="$PATH" bash -c "$prog" sweep path "$t-path" "$GUARD_BIN" "$list" "$ORIGIN" "$SECRET" &
    local p1=$!
    env -i PATH="$PATH" bash -c "$prog" sweep query "$t-query" "$GUARD_BIN" "$list" "$ORIGIN" "$SECRET" &
    local p2=$!
    wait "$p1" || gfail "path sweep died" || return 1
    wait "$p2" || gfail "query sweep died" || return 1
    local np nq nf
    np=$(cat "$t-path.count") nq=$(cat "$t-query.count")
    nf=$(cat "$t-path.fail" "$t-query.fail" | wc -l)
    echo "# payloads: $np as path, $nq as query; failures: $nf" >&3
    [ "$np" -ge 834 ] && [ "$np" -eq "$nq" ] || gfail "expected at least 834 payloads, read $np/$nq" || return 1
    [ "$(wc -l <"$t-path.headers")" -eq $((np * 3)) ] || gfail "path: header line count" || return 1
    [ "$(wc -l <"$t-query.headers")" -eq $((nq * 3)) ] || gfail "query: header line count" || return 1
    if [ "$nf" -ne 0 ]; then
        echo "$nf failures, first ones:" >&2
        cat "$t-path.fail" "$t-query.fail" | head -20 >&2
        return 1
    fi
}

# --- CR/LF ------------------------------------------------------------------

@test "CR/LF in the path or query never reaches a header" {
    guard $'/x\r\nSet-Cookie: a=b'
    expect_signin '%2F'
    guard $'/x\nLocation: http://evil/'
    expect_signin '%2F'
    # an escaped control byte has no canonical form: guarded, callbackUrl "/"
    guard '/x%0d%0aSet-Cookie:%20a=b'
    expect_signin '%2F'
    guard '/x?a=%0d%0aLocation:%20http://evil/'
    expect_signin '%2Fx'
    guard $'/x?a=\r\nSet-Cookie: a=b'
    expect_signin '%2Fx'
    guard '/x?a=%0A'
    expect_signin '%2Fx'
    guard '/x?a=%7f&b=1'
    expect_signin '%2Fx'
    guard '/x?a=%20ok'
    expect_signin '%2Fx%3Fa%3D%2520ok'
    guard $'/x\r\nSet-Cookie: a=b' NEXTAUTH_GUARD_MODE=auth_request
    expect_answer "Status: 401 Unauthorized" "Content-Type: application/json" \
        "Cache-Control: no-store" "Location: ${SIGNIN}%2F" -- "$BODY_401"
    guard $'/x\r\nSet-Cookie: a=b' FCGI_ROLE=AUTHORIZER
    expect_signin '%2F'
}

# --- no secret --------------------------------------------------------------

@test "no secret, empty secret, \${NEXTAUTH_SECRET} placeholder: never 200 on a guarded path, NO_SECRET logged" {
    mint tok "$USER_CLAIMS"
    local -a envs=(
        ""
        "NEXTAUTH_SECRET="
        'NEXTAUTH_SECRET=${NEXTAUTH_SECRET}'
        'NEXTAUTH_SECRET=$NEXTAUTH_SECRET'
        'NEXTAUTH_SECRET=${AUTH_SECRET}'
        "AUTH_SECRET="
        'AUTH_SECRET=${AUTH_SECRET}'
    )
    local e role
    for e in "${envs[@]}"; do
        GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
        [ -z "$e" ] || GUARD_ENV+=("$e")
        for role in X=1 FCGI_ROLE=AUTHORIZER NEXTAUTH_GUARD_MODE=auth_request; do
            guard /dashboard "$role" "HTTP_COOKIE=next-auth.session-token=$tok" \
                "HTTP_AUTHORIZATION=Bearer $tok"
            [ "$g_status" != "Status: 200 OK" ] || gfail "[$e] $role: 200 without a secret" || return 1
            expect_stderr_has 'NO_SECRET' || return 1
            refute_guard_leak "$tok" || return 1
        done
        guard /dashboard "HTTP_COOKIE=next-auth.session-token=$tok"
        expect_redirect "$ORIGIN/api/auth/error?error=Configuration" || return 1
        guard /api/x "HTTP_COOKIE=next-auth.session-token=$tok"
        expect_500 || return 1
    done
}

@test "no secret: an empty NEXTAUTH_SECRET wins over AUTH_SECRET (fail closed)" {
    mint tok "$USER_CLAIMS"
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=" "AUTH_SECRET=$SECRET")
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_redirect "$ORIGIN/api/auth/error?error=Configuration"
    expect_stderr_has 'NO_SECRET'
    refute_guard_leak "$SECRET"
    # AUTH_SECRET alone is used
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "AUTH_SECRET=$SECRET")
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_alice
}

@test "no secret with basePath and pages.error: 307 to <basePath><pages.error>?error=Configuration" {
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard_config '{"basePath":"/app","pages":{"error":"/oops"}}'
    guard /app/dashboard
    expect_redirect "$ORIGIN/app/oops?error=Configuration"
    guard /app/oops
    expect_pass
}

@test "bad secret in the config file: exit 2, one line naming the key, nothing on stdout" {
    guard_config '{"secret":""}'
    guard /dashboard
    expect_config_error 'secret: empty secret'
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN")
    guard_config '{"secret":"${NEXTAUTH_SECRET}"}'
    guard /dashboard
    expect_config_error 'secret: secret looks like an unexpanded variable'
}

# --- bad configuration -------------------------------------------------------

@test "bad config: exit 2 with one stderr line naming the key" {
    guard_config '{"foo":1}'
    guard /dashboard
    expect_config_error 'unknown key "foo"'
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{"matcher":"/a/(foo|bar)"}'
    guard /dashboard
    expect_config_error 'key "matcher": matcher "/a/(foo|bar)": unsupported group'
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
    guard_config '{"identity":{"HTTP_X":"sub"}}'
    guard /dashboard
    expect_config_error 'key "identity.HTTP_X": names must be NEXTAUTH_ then A-Z, 0-9, _'
}

@test "bad config: more keys that stop the program" {
    local c
    for c in '{"matcher":"dashboard"}' '{"matcher":[]}' '{"api":"/api/[a-z]+"}' \
        '{"authorized":{"role":{"regex":"a"}}}' '{"authorized":{}}' \
        '{"rules":[{"matcher":"/a"}]}' '{"rules":[{"matcher":"/a","authorized":{"r":1},"x":1}]}' \
        '{"identity":{"REMOTE_USER":"sub"}}' '{"identity":{"AUTH_TYPE":"sub"}}' \
        '{"identity":{"lower":"sub"}}' '{"identity":{"X":""}}' \
        '{"pages":{"signIn":"//evil.com"}}' '{"pages":{"signIn":"https://evil.com/"}}' \
        '{"pages":{"other":"/x"}}' '{"basePath":"app"}' '{"basePath":"/app/"}' \
        '{"matcher":{"source":"/a","has":[]}}' '{"url":"javascript:alert(1)"}' \
        '{"url":"http://user@evil.com"}' '[]' '{'; do
        GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_SECRET=$SECRET")
        guard_config "$c"
        guard /dashboard
        expect_config_error '' || gfail "config $c" || return 1
    done
}

@test "bad NEXTAUTH_URL: exit 2 (every Location is built from it)" {
    local u
    for u in 'http://a b/' $'http://ex.com\r\n/' 'http://user:pw@evil.com' 'http:///x'; do
        GUARD_ENV=("NEXTAUTH_URL=$u" "NEXTAUTH_SECRET=$SECRET")
        guard /dashboard
        expect_config_error '' || gfail "NEXTAUTH_URL=$u" || return 1
    done
}

@test "NEXTAUTH_URL whose path is \"//\" (auth path \"/\") must not exempt every path" {
    # parseUrl turns https://ex.com// into the auth path "/", under which every
    # request lies: next-auth then guards nothing. Fail closed instead (no
    # unusable config ever passes).
    local u
    for u in 'http://localhost:3000//' 'http://localhost:3000//?x'; do
        GUARD_ENV=("NEXTAUTH_URL=$u" "NEXTAUTH_SECRET=$SECRET")
        guard /dashboard
        [ "$g_rc" -ne 0 ] || [ "$g_status" != "Status: 200 OK" ] ||
            gfail "NEXTAUTH_URL=$u: /dashboard passed unguarded" || return 1
    done
}

# --- bad tokens --------------------------------------------------------------

@test "expired token → as none, one log line without token or secret" {
    mint tok "$USER_CLAIMS" --max-age -100
    guard '/dashboard?a=1' "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_signin '%2Fdashboard%3Fa%3D1'
    [ "${#g_stderr_lines[@]}" -eq 1 ] || gfail "expected one stderr line"
    expect_stderr 'nextauth-guard: bad session token (token expired) for /dashboard'
    refute_guard_leak "$tok" "$SECRET"
    guard /api/x "HTTP_AUTHORIZATION=Bearer $tok"
    expect_401
    [ "${#g_stderr_lines[@]}" -eq 1 ] || gfail "expected one stderr line"
    expect_stderr_has 'nextauth-guard: bad session token ('
    refute_guard_leak "$tok" "$SECRET"
}

@test "tampered token → as none, one log line without token or secret" {
    mint tok "$USER_CLAIMS"
    local -a seg
    IFS=. read -r -a seg <<<"$tok"
    local c=${seg[3]:0:1} r=A
    [ "$c" != A ] || r=B
    local forged="${seg[0]}.${seg[1]}.${seg[2]}.$r${seg[3]:1}.${seg[4]}"
    [ "$forged" != "$tok" ] || gfail "setup: token not changed"
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$forged"
    expect_signin '%2Fdashboard'
    [ "${#g_stderr_lines[@]}" -eq 1 ] || gfail "expected one stderr line"
    case ${g_stderr_lines[0]} in
    'nextauth-guard: bad session token ('*') for /dashboard') ;;
    *) gfail "unexpected log line" ;;
    esac
    refute_guard_leak "$forged" "$tok" "${seg[3]}" "$SECRET"
    guard /api/x "HTTP_COOKIE=next-auth.session-token=$forged"
    expect_401
    refute_guard_leak "$forged" "$SECRET"
    # a token made with another secret
    local other
    other=$("$TOKEN_BIN" encode --secret other-secret-123 --now "$NOW" "$USER_CLAIMS")
    guard /dashboard "HTTP_COOKIE=next-auth.session-token=$other"
    expect_signin '%2Fdashboard'
    expect_stderr_has 'nextauth-guard: bad session token ('
    refute_guard_leak "$other" "$SECRET" other-secret-123
}

# --- the command line -----------------------------------------------------------

GUARD_USAGE='Usage: nextauth-guard [--help | --version]

withAuth for web servers: checks the NextAuth session of each request it
is asked about, as a FastCGI authorizer (Apache, lighttpd), for nginx'"'"'s
auth_request, or as a responder that tells who is signed in.

A web server runs it: FastCGI with the listening socket as standard input
(a systemd socket unit, spawn-fcgi, lighttpd'"'"'s bin-path), or CGI. Started
from a shell without arguments, it answers the one CGI request its
environment describes.

Configuration: NEXTAUTH_CONFIG (the JSON file), NEXTAUTH_SECRET, AUTH_SECRET,
NEXTAUTH_SECRET_FILE, NEXTAUTH_URL; NEXTAUTH_READ_TIMEOUT,
NEXTAUTH_MAX_REQUESTS. Test a configuration with: nextauth-token check'

@test "from a shell: --version and --help on stdout (exit 0); anything else: the usage on stderr (exit 2)" {
    check_command_line "$GUARD_BIN" "$GUARD_USAGE" --help -h -- --bogus version '--help --version' -
}

@test "under a CGI server the arguments are the request's (Apache's ISINDEX words): answered as ever" {
    GUARD_ENV+=(GATEWAY_INTERFACE=CGI/1.1)
    GUARD_ARGS=(--help)
    guard '/dashboard?--help'
    expect_signin '%2Fdashboard%3F--help'
    expect_no_stderr
    GUARD_ARGS=(--version)
    mint tok "$USER_CLAIMS"
    guard '/dashboard?--version' "HTTP_COOKIE=next-auth.session-token=$tok"
    expect_alice
    expect_no_stderr
}
