#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# `make demo` (demo/run.sh): the private lighttpd it starts answers every URL
# and every curl line it prints as the printout says; the demo-only sign-in
# stays on its site and only runs inside the demo; Ctrl-C (SIGINT to the
# process group, as a terminal sends it) and SIGTERM leave no process and no
# temp dir; and headless Chromium walks it as a person would
# (tests/browser/walk-demo.sh; skipped, saying why, where Chromium cannot run).
# The same for `make demo STRATEGY=database` (sessions as rows of a SQLite
# file): its sign-in adds the rows, sign-out deletes them, the guard reads
# them (read-only) and decides by the role column.
#
# Two demos for the file (demo/run.sh on free ports, one per strategy, stopped
# in teardown_file); the tests of starting and stopping run their own.
# Requests, cookies and session rows go through the users' helper file,
# share/nextauth-fcgi/nextauth.bash.

# shellcheck disable=SC2154 # nextauth_status, nextauth_body, …: set by nextauth.bash
load helpers
load ../share/nextauth-fcgi/nextauth
# shellcheck source=tests/lib/server.sh
. "$BATS_TEST_DIRNAME/lib/server.sh"

ADA='{"name":"Ada Lovelace","email":"ada@example.com","sub":"1","role":"user"}'
GRACE='{"name":"Grace Hopper","email":"grace@example.com","sub":"2","role":"admin"}'

# --- starting and stopping a demo ------------------------------------------------

_demo_ready() { # PID OUT: the banner is out (0), the script ended (2)
    grep -q '^Press Ctrl-C to stop' "$2" 2>/dev/null && return 0
    srv_alive "$1" || return 2
    return 1
}

# demo_start OUT [make|run [STRATEGY]] — start the demo on a free port, output
# to OUT, and wait (at most 20 s) until it prints its banner. With "make": as
# `make demo PORT=N`, in a new session and process group whose leader is
# make, with SIGINT at its default (as in a terminal). STRATEGY (jwt when
# not given): as `make demo STRATEGY=…`. Sets D_PID (the started process,
# also the process group with "make"), D_PORT, D_URL, D_TMP (its temp dir),
# D_LT (lighttpd's pid). Retries on another port when the one chosen was
# taken meanwhile (other suites start servers too).
demo_start() {
    local out=$1 how=${2-} attempt
    local -a strategy=()
    [ -n "${3-}" ] && strategy=("$3")
    for attempt in 1 2 3; do
        D_PORT=$(srv_free_port) || return 1
        if [ "$how" = make ]; then
            [ -n "${3-}" ] && strategy=(STRATEGY="$3")
            perl -MPOSIX -e 'POSIX::setsid() or setpgrp(0, 0);
                $SIG{INT} = $SIG{QUIT} = "DEFAULT"; exec @ARGV or die "exec: $!\n"' \
                make -C "$REPO_ROOT" --no-print-directory demo PORT="$D_PORT" "${strategy[@]}" \
                </dev/null >"$out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
        else
            "$REPO_ROOT/demo/run.sh" "$D_PORT" "${strategy[@]}" \
                </dev/null >"$out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
        fi
        D_PID=$!
        if srv_poll 20 _demo_ready "$D_PID" "$out"; then
            D_URL="http://127.0.0.1:$D_PORT"
            D_TMP=$(sed -nE 's/^everything lives in (\/[^ ]*) and goes away.*/\1/p' "$out")
            D_LT=$(sed -nE 's/^nextauth-fcgi demo: lighttpd on .* \(pid ([0-9]+)\).*/\1/p' "$out")
            [ -n "$D_TMP" ] && [ -n "$D_LT" ] && return 0
            echo "demo_start: no temp dir or pid in the banner" >&2
            srv_dump "$out"
            return 1
        fi
        srv_stop_pid "$D_PID" 5
        grep -q 'already in use' "$out" && continue
        break
    done
    echo "demo_start: the demo did not start" >&2
    srv_dump "$out"
    return 1
}

# demo_gone PID LT TMP KIDS... — after a stop: the demo process, lighttpd and
# the programs lighttpd had spawned (KIDS) have exited, the temp dir is gone.
demo_gone() {
    local pid=$1 lt=$2 tmp=$3 k
    shift 3
    srv_poll 15 _gone "$pid" || { echo "the demo process $pid is still running" >&2; return 1; }
    wait "$pid" 2>/dev/null || true
    ! srv_alive "$lt" || { echo "lighttpd ($lt) is still running" >&2; return 1; }
    for k in "$@"; do
        ! srv_alive "$k" || { echo "lighttpd's child $k ($(tr '\0' ' ' <"/proc/$k/cmdline")) is still running" >&2; return 1; }
    done
    [ ! -e "$tmp" ] || { echo "the temp dir $tmp is still there" >&2; return 1; }
}

_gone() { ! srv_alive "$1"; }

# kids PID — the child processes of PID.
kids() {
    cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
}

setup_file() {
    local t
    for t in lighttpd curl jq perl sqlite3; do
        command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin command -v "$t" >/dev/null ||
            { echo "$t is not installed (sh tools/deps.sh)" >&2; return 1; }
    done
    for t in bin/nextauth-token cgi-bin/nextauth-guard cgi-bin/nextauth-session \
        cgi-bin/examples/hello-api cgi-bin/examples/protected-page; do
        [ -x "$REPO_ROOT/$t" ] || { echo "$t is not built (make)" >&2; return 1; }
    done
    demo_start "$BATS_FILE_TMPDIR/demo.out" || return 1
    export DEMO_OUT=$BATS_FILE_TMPDIR/demo.out DEMO_PID=$D_PID DEMO_URL=$D_URL \
        DEMO_TMP=$D_TMP DEMO_LT=$D_LT
    demo_start "$BATS_FILE_TMPDIR/demo-db.out" run database || return 1
    export DBDEMO_OUT=$BATS_FILE_TMPDIR/demo-db.out DBDEMO_PID=$D_PID DBDEMO_URL=$D_URL \
        DBDEMO_TMP=$D_TMP DBDEMO_LT=$D_LT DBDEMO_DB=$D_TMP/demo.db
}

teardown_file() {
    [ -n "${DEMO_PID-}" ] && srv_stop_pid "$DEMO_PID" 15
    [ -n "${DBDEMO_PID-}" ] && srv_stop_pid "$DBDEMO_PID" 15
    return 0
}

# dbdemo — the requests and session rows of the tests that follow go to the
# database demo.
dbdemo() {
    export NEXTAUTH_CONFIG=$DBDEMO_TMP/config.json NEXTAUTH_URL=$DBDEMO_URL
    unset NEXTAUTH_DATABASE_URL NEXTAUTH_DATABASE_ADAPTER # the helpers read the config
}

# rows SQL — run SQL on the database demo's SQLite file.
rows() {
    sqlite3 -init /dev/null -batch -cmd '.timeout 5000' "$DBDEMO_DB" "$1"
}

# signin USER [COOKIE] — the demo's sign-in POST for USER (ada, grace); sets
# TOK to the token of the session cookie it sets.
signin() {
    nextauth_request ${2:+--cookie "$2"} /api/auth/signin -d "user=$1" -d callbackUrl=/dashboard
    [ "$nextauth_status" = 302 ] || { _nextauth_fail "sign-in as $1" 302; return 1; }
    [[ $(nextauth_header Set-Cookie) =~ ^next-auth\.session-token=([^\;]+)\; ]] ||
        { _nextauth_fail "sign-in as $1" "a session cookie"; return 1; }
    TOK=${BASH_REMATCH[1]}
}

setup() {
    D_PID='' D_LT='' D_TMP=''
    clean_env
    export NEXTAUTH_CONFIG=$DEMO_TMP/config.json NEXTAUTH_URL=$DEMO_URL
    export NEXTAUTH_TOKEN_BIN=$REPO_ROOT/bin/nextauth-token
}

# A test that started its own demo and failed midway: stop what it started
# (by pid: the process or its process group, then lighttpd) and remove its dir.
teardown() {
    if [ -n "$D_PID" ] && srv_alive "$D_PID"; then
        kill -TERM -- "-$D_PID" 2>/dev/null || kill -TERM "$D_PID" 2>/dev/null
        srv_poll 10 _gone "$D_PID"
    fi
    [ -n "$D_LT" ] && srv_stop_pid "$D_LT" 5
    case $D_TMP in /tmp/nextauth-demo.* | "${TMPDIR:-/tmp}"/nextauth-demo.*) rm -rf "$D_TMP" ;; esac
    return 0
}

# --- the printout ----------------------------------------------------------------------

@test "make demo runs demo/run.sh on PORT (8080 by default), STRATEGY jwt unless the command line says database; make demo-token keeps the CLI tour" {
    run make -n -C "$REPO_ROOT" --no-print-directory demo
    [[ $output == *"demo/run.sh 8080 jwt"* ]] || _fail "make -n demo"
    run make -n -C "$REPO_ROOT" --no-print-directory demo PORT=9090
    [[ $output == *"demo/run.sh 9090 jwt"* ]] || _fail "make -n demo PORT=9090"
    run make -n -C "$REPO_ROOT" --no-print-directory demo STRATEGY=database
    [[ $output == *"demo/run.sh 8080 database"* ]] || _fail "make -n demo STRATEGY=database"
    STRATEGY=database run make -n -C "$REPO_ROOT" --no-print-directory demo
    [[ $output == *"demo/run.sh 8080 jwt"* ]] || _fail "STRATEGY from the environment"
    run make -n -C "$REPO_ROOT" --no-print-directory demo-token
    [[ $output == *"tools/demo-token.sh"* ]] || _fail "make -n demo-token"
}

# check_urls OUT URL — every URL the demo printed in OUT (its base URL: URL)
# answers as described, without a session.
check_urls() {
    local out=$1 base=$2 u seen=''
    local -a urls
    mapfile -t urls < <(sed -nE "s#^  ($base/[^ ]*) .*#\1#p" "$out")
    [ "${#urls[@]}" -eq 10 ] || _fail "expected 10 URLs in the printout, got ${#urls[@]}: ${urls[*]}"
    for u in "${urls[@]}"; do
        seen+=" ${u#"$base"}"
        case ${u#"$base"} in
        /)
            nextauth_request "$u"
            [ "$nextauth_status" = 200 ] && [[ $nextauth_body == *'nextauth-fcgi demo'* ]] ||
                _nextauth_fail "home" "200, the home page"
            ;;
        /public/)
            nextauth_request "$u"
            [ "$nextauth_status" = 200 ] && [[ $nextauth_body == *'A public page'* ]] ||
                _nextauth_fail "public" "200, the public page"
            ;;
        /dashboard | /admin | /protected) assert_guarded --page "$u" ;;
        /api/hello | /api/admin/stats.json) assert_guarded --api "$u" ;;
        /api/auth/session) assert_no_session "$u" ;;
        /api/auth/signin)
            nextauth_request "$u"
            [ "$nextauth_status" = 200 ] && [[ $nextauth_body == *'DEMO ONLY.'* ]] ||
                _nextauth_fail "sign-in" "200, the demo sign-in page"
            ;;
        /api/auth/signout)
            nextauth_request "$u"
            [ "$nextauth_status" = 200 ] && [[ $nextauth_body == *'Are you sure you want to sign out?'* ]] ||
                _nextauth_fail "sign-out" "200, the sign-out page"
            ;;
        *) _fail "a URL this test does not know: $u" ;;
        esac
    done
    [ "$seen" = " / /public/ /dashboard /admin /protected /api/hello /api/admin/stats.json /api/auth/session /api/auth/signin /api/auth/signout" ] ||
        _fail "unexpected URL list:$seen"
}

# check_lines OUT CURLS SQLITES — every curl line (and sqlite3 line) the demo
# printed in OUT works as described, in order; there are CURLS and SQLITES
# of them.
check_lines() {
    local out=$1 i line want desc status body loc got n=0 nsql=0 t
    local -a lines
    mapfile -t lines < <(sed -n '/^Try with curl/,/^Press Ctrl-C/p' "$out")
    for ((i = 0; i < ${#lines[@]}; i++)); do
        line=${lines[$i]}
        desc=${lines[$((i + 1))]-}
        if [[ $line == "  sqlite3 "* ]]; then
            nsql=$((nsql + 1))
            got=$(cd "$REPO_ROOT" && bash -c "$line" 2>&1) ||
                _fail "sqlite3 line $nsql failed: $line" "$got" || return 1
            case $desc in
            *"# Ada's row: 1|<now + 30 days>")
                # Prisma 7's SQLite form, 30 days from the sign-in a moment ago
                [[ $got =~ ^1\|([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3})\+00:00$ ]] ||
                    _fail "sqlite3 line $nsql: not Ada's row: $got" || return 1
                t=$(date -u -d "${BASH_REMATCH[1]}Z" +%s)
                ((t - $(date +%s) - 2592000 <= 5 && $(date +%s) + 2592000 - t <= 300)) ||
                    _fail "sqlite3 line $nsql: expires is not 30 days from now: $got" || return 1
                ;;
            *"# revokes every session"*)
                [ -z "$got" ] && [ "$(rows 'SELECT count(*) FROM "Session"')" = 0 ] ||
                    _fail "sqlite3 line $nsql: rows are left" || return 1
                ;;
            *) _fail "no known description after: $line" || return 1 ;;
            esac
            continue
        fi
        [[ $line == "  curl "* ]] || continue
        [[ $desc =~ ^\ +#\ ([0-9]{3})\ (.*)$ ]] || _fail "no '# STATUS' line after: $line" || return 1
        want=${BASH_REMATCH[1]}
        desc=${BASH_REMATCH[2]}
        n=$((n + 1))
        # Run the line as a user would paste it, from the repository.
        got=$(cd "$REPO_ROOT" && bash -c "$line" 2>/dev/null | tr -d "\r")
        status=$(sed -nE '1s/^HTTP\/[0-9.]+ ([0-9]{3}).*/\1/p' <<<"$got")
        body=$(sed '1,/^$/d' <<<"$got")
        loc=$(sed -nE 's/^Location: (.*)/\1/Ip' <<<"$got" | head -n 1)
        [ "$status" = "$want" ] ||
            _fail "line $n: $line" "expected $want ($desc), got:" "$got" || return 1
        # "to URL": the Location; a literal JSON body: the body.
        if [[ $desc =~ ^to\ (http://[^ ,]+) ]]; then
            [ "$loc" = "${BASH_REMATCH[1]}" ] ||
                _fail "line $n: $line" "expected Location ${BASH_REMATCH[1]}, got: $loc" || return 1
        fi
        if [[ $desc =~ ^(\{.*\})$ ]]; then
            [ "$body" = "${BASH_REMATCH[1]}" ] ||
                _fail "line $n: $line" "expected body ${BASH_REMATCH[1]}, got: $body" || return 1
        fi
        case $desc in
        "Ada's session"*)
            # a database session's user is the User row: its image is null
            jq -e '.user | del(.image | nulls) == {"name":"Ada Lovelace","email":"ada@example.com","role":"user"}' \
                <<<"$body" >/dev/null || _fail "line $n: not Ada's session: $body" || return 1
            ;;
        "the admin page"*)
            [[ $body == *'Grace Hopper'* ]] || _fail "line $n: not Grace's admin page: $body" || return 1
            ;;
        esac
    done
    [ "$n" -eq "$2" ] || _fail "expected $2 curl lines, ran $n"
    [ "$nsql" -eq "$3" ] || _fail "expected $3 sqlite3 lines, ran $nsql"
}

@test "demo: every URL it prints answers as described (no session)" {
    check_urls "$DEMO_OUT" "$DEMO_URL"
}

@test "demo: every curl line it prints works as described, in order" {
    check_lines "$DEMO_OUT" 10 0
}

@test "demo: the secret is new each run, mode 600 in a mode 700 dir, and never printed" {
    [ "$(stat -c %a "$DEMO_TMP")" = 700 ] || _fail "temp dir mode $(stat -c %a "$DEMO_TMP")"
    [ "$(stat -c %a "$DEMO_TMP/secret")" = 600 ] || _fail "secret mode $(stat -c %a "$DEMO_TMP/secret")"
    local secret
    secret=$(head -n 1 "$DEMO_TMP/secret")
    [ "${#secret}" -ge 40 ] || _fail "a short secret (${#secret} characters)"
    ! grep -qF -- "$secret" "$DEMO_OUT" || _fail "the secret is in the printout"
    grep -q '"secretFile"' "$DEMO_TMP/config.json" || _fail "the config does not use secretFile"
    ! grep -qF -- "$secret" "$DEMO_TMP/config.json" || _fail "the secret is in the config"
}

# --- the site ----------------------------------------------------------------------------

@test "demo: Ada (role user) and Grace (role admin) on every page, cookies minted with the helper" {
    assert_allows /dashboard "$ADA"
    [[ $nextauth_body == *'<td id="REMOTE_USER">ada@example.com</td>'* ]] || _fail "no REMOTE_USER"
    [[ $nextauth_body == *'<td id="NEXTAUTH_ROLE">user</td>'* ]] || _fail "no NEXTAUTH_ROLE"
    assert_refuses --page /admin "$ADA"
    assert_allows /admin "$GRACE"
    [[ $nextauth_body == *'Grace Hopper'* ]] || _fail "not Grace's admin page"
    assert_allows /protected "$ADA"
    [[ $nextauth_body == *'&quot;email&quot;: &quot;ada@example.com&quot;'* ]] ||
        _fail "the protected page does not show Ada's session"
    assert_allows /api/hello "$ADA"
    [ "$nextauth_body" = '{"message":"Success"}' ] || _fail "hello: $nextauth_body"
    assert_refuses --api /api/admin/stats.json "$ADA"
    assert_allows /api/admin/stats.json "$GRACE"
    assert_session /api/auth/session "$GRACE" \
        '{"name":"Grace Hopper","email":"grace@example.com","role":"admin"}'
}

@test "demo: expired, tampered, chunked and __Secure- cookies" {
    assert_guarded --page /dashboard "$(nextauth_expired_cookie "$ADA")"
    assert_guarded --api /api/hello "$(nextauth_tampered_cookie "$ADA")"
    assert_no_session /api/auth/session "$(nextauth_tampered_cookie "$ADA")"
    # A session in 3 chunks (the guard example raises lighttpd's header limit).
    assert_allows /api/hello "$(nextauth_cookie --chunks 3 "$ADA")"
    local big
    big=$(jq -c --arg pad "$(printf '%09000d' 0)" '. + {pad: $pad}' <<<"$GRACE")
    [[ $(nextauth_cookie "$big") == *'next-auth.session-token.2='* ]] || _fail "not chunked"
    assert_allows /admin "$big"
    # The demo is http: a __Secure- cookie is not its session cookie.
    assert_guarded --page /dashboard "$(nextauth_cookie --secure "$ADA")"
}

@test "demo: lighttpd normalizes the path before the public list: /public/../dashboard is guarded" {
    nextauth_request /public/../dashboard --path-as-is
    [ "$nextauth_status" = 307 ] || _nextauth_fail "/public/../dashboard" "307"
    nextauth_request /public/%2e%2e/admin --path-as-is
    [ "$nextauth_status" = 307 ] || _nextauth_fail "/public/%2e%2e/admin" "307"
}

# --- the users' helper file on its own (no server) ----------------------------------------

@test "nextauth.bash: cookie names by format, URL and option; tokens that nextauth-token accepts" {
    unset NEXTAUTH_CONFIG NEXTAUTH_URL
    export NEXTAUTH_SECRET=helper-test-secret-0123456789abcdef
    local t=$NEXTAUTH_TOKEN_BIN c
    [ "$(nextauth_cookie_name)" = next-auth.session-token ] || _fail "default name"
    [ "$(NEXTAUTH_URL=https://a.example nextauth_cookie_name)" = __Secure-next-auth.session-token ] ||
        _fail "https name"
    [ "$(NEXTAUTH_URL=https://a.example nextauth_cookie_name --plain)" = next-auth.session-token ] ||
        _fail "--plain"
    [ "$(NEXTAUTH_FORMAT=authjs-v5 nextauth_cookie_name --secure)" = __Secure-authjs.session-token ] ||
        _fail "v5 --secure"
    [ "$(NEXTAUTH_COOKIE_NAME=my.sess nextauth_cookie_name)" = my.sess ] || _fail "NEXTAUTH_COOKIE_NAME"
    c=$(nextauth_cookie '{"sub":"1"}')
    [[ $c == next-auth.session-token=* ]] && "$t" get --cookie "$c" >/dev/null || _fail "v4: $c"
    c=$(NEXTAUTH_URL=https://a.example nextauth_cookie '{"sub":"1"}')
    [[ $c == __Secure-next-auth.session-token=* ]] && "$t" get --secure --cookie "$c" >/dev/null ||
        _fail "v4 secure"
    # Auth.js v5 keys depend on the cookie name (the salt).
    c=$(nextauth_cookie --format authjs-v5 --secure '{"sub":"1"}')
    "$t" get --format authjs-v5 --secure --cookie "$c" >/dev/null || _fail "v5 secure"
    c=$(nextauth_cookie --format jws '{"sub":"1"}')
    "$t" get --format jws --cookie "$c" >/dev/null || _fail "jws"
    c=$(nextauth_cookie --chunks 4 '{"sub":"1"}')
    [[ $c =~ ^next-auth\.session-token\.0=[^\;]+\;\ next-auth\.session-token\.1=.*\.3=[^\;]+$ ]] &&
        "$t" get --cookie "$c" >/dev/null || _fail "--chunks 4: $c"
    run "$t" get --cookie "$(nextauth_expired_cookie '{"sub":"1"}')"
    [ "$status" -eq 1 ] || _fail "expired accepted"
    run "$t" get --cookie "$(nextauth_tampered_cookie '{"sub":"1"}')"
    [ "$status" -eq 1 ] || _fail "tampered accepted"
    run "$t" get --format jws --cookie "$(nextauth_tampered_cookie --format jws '{"sub":"1"}')"
    [ "$status" -eq 1 ] || _fail "tampered jws accepted"
}

@test "nextauth.bash: chunks exactly as NextAuth (3933 characters; 3936 for Auth.js v5)" {
    local a3933 a3934 c
    a3933=$(printf 'a%.0s' {1..3933})
    a3934=${a3933}b
    _nextauth_opts --format next-auth-v4
    [ "$(_nextauth_jar n "$a3933")" = "n=$a3933" ] || _fail "3933: chunked"
    [ "$(_nextauth_jar n "$a3934")" = "n.0=$a3933; n.1=b" ] || _fail "3934: not .0 + .1"
    c=$(_nextauth_jar n "$(printf 'x%.0s' {1..8216})")
    [[ $c =~ ^n\.0=x{3933}\;\ n\.1=x{3933}\;\ n\.2=x{350}$ ]] || _fail "8216: not 3933+3933+350"
    _nextauth_opts --format authjs-v5
    [ "$(_nextauth_jar n "${a3933}bcd")" = "n=${a3933}bcd" ] || _fail "v5 3936: chunked"
    [[ $(_nextauth_jar n "${a3933}bcde") == "n.0=${a3933}bcd; n.1=e" ]] || _fail "v5 3937"
}

@test "nextauth.bash: failures say what is wrong" {
    export NEXTAUTH_SECRET=helper-test-secret-0123456789abcdef
    run --separate-stderr nextauth_cookie 'not json'
    [ "$status" -eq 1 ] && [[ $stderr == *'must be a JSON object'* ]] || _fail "bad claims"
    NEXTAUTH_TOKEN_BIN=/nonexistent run --separate-stderr nextauth_cookie '{}'
    [ "$status" -eq 1 ] && [[ $stderr == *'NEXTAUTH_TOKEN_BIN=/nonexistent is not an executable'* ]] ||
        _fail "missing tool"
    unset NEXTAUTH_URL
    run --separate-stderr assert_guarded /dashboard
    [ "$status" -eq 1 ] && [[ $stderr == *"is a path: set NEXTAUTH_URL"* ]] || _fail "no URL"
    # A failed assertion shows the request, the expectation and the answer, with
    # cookie values masked.
    export NEXTAUTH_URL=$DEMO_URL
    run --separate-stderr assert_allows /admin "$ADA"
    [ "$status" -eq 1 ] || _fail "Ada allowed on /admin"
    [[ $stderr == *"assert_allows: GET $DEMO_URL/admin"*"cookie sent: next-auth.session-token ("*" bytes)"*"expected: status 200"*"got: status 307"*"Location: $DEMO_URL/api/auth/signin?callbackUrl=%2Fadmin"* ]] ||
        _fail "report"
    run --separate-stderr assert_session /api/auth/session "$ADA"
    [ "$status" -eq 0 ] || _fail "assert_session"
    run --separate-stderr assert_guarded /public/
    [[ $stderr == *"got: status 200"* ]] || _fail "report for /public/"
    nextauth_request --cookie "$(nextauth_cookie "$ADA")" /api/auth/session
    run --separate-stderr _nextauth_fail x y
    [[ $stderr == *"Set-Cookie: next-auth.session-token=<"*" bytes>; Path=/"* ]] || _fail "cookie not masked"
    [[ $stderr != *"eyJ"* ]] || _fail "a token in the report"
}

# --- the demo-only sign-in -------------------------------------------------------------------

@test "sign-in page: marked demo-only, lists Ada and Grace, carries callbackUrl" {
    nextauth_request "/api/auth/signin?callbackUrl=%2Fadmin%3Fa%3D1"
    [ "$nextauth_status" = 200 ] || _nextauth_fail sign-in 200
    [[ $nextauth_body == *'DEMO ONLY.'*'stands in for your Next.js app'* ]] || _fail "no demo banner"
    [[ $nextauth_body == *'id="signin-ada"'*'Ada Lovelace (role: user)'* ]] || _fail "no Ada"
    [[ $nextauth_body == *'id="signin-grace"'*'Grace Hopper (role: admin)'* ]] || _fail "no Grace"
    [[ $nextauth_body == *"name=\"callbackUrl\" value=\"$DEMO_URL/admin?a=1\""* ]] ||
        _fail "no hidden callbackUrl"
    [ "$(nextauth_header Cache-Control)" = no-store ] || _fail "cacheable"
    # Signed in but refused (withAuth sends such users to sign-in): it says so.
    nextauth_request --cookie "$(nextauth_cookie "$ADA")" "/api/auth/signin?callbackUrl=%2Fadmin"
    [[ $nextauth_body == *'You are signed in as Ada Lovelace (role: user), who may not open <code>/admin</code>'* ]] ||
        _fail "no 'signed in as' line"
}

@test "sign-in POST: mints a valid session cookie as NextAuth sets it, 302 to the callback" {
    nextauth_request /api/auth/signin -d user=grace -d callbackUrl=/admin
    [ "$nextauth_status" = 302 ] || _nextauth_fail sign-in 302 || return 1
    [ "$nextauth_location" = "$DEMO_URL/admin" ] || _nextauth_fail sign-in "Location $DEMO_URL/admin"
    local sc tok
    sc=$(nextauth_header Set-Cookie)
    [[ $sc =~ ^next-auth\.session-token=([^\;]+)\;\ Path=/\;\ Expires=[A-Z][a-z]{2},\ [0-9]{2}\ [A-Z][a-z]{2}\ [0-9]{4}\ [0-9:]{8}\ GMT\;\ HttpOnly\;\ SameSite=Lax$ ]] ||
        _fail "Set-Cookie: $sc" || return 1
    tok=${BASH_REMATCH[1]}
    run "$NEXTAUTH_TOKEN_BIN" decode "$tok"
    [ "$status" -eq 0 ] || _fail "the minted token does not decode"
    jq -e '.name == "Grace Hopper" and .role == "admin" and .exp - .iat == 2592000' <<<"$output" \
        >/dev/null || _fail "claims: $output"
    assert_allows /admin "next-auth.session-token=$tok"
}

@test "sign-in and sign-out follow callbackUrl on this site only (open-redirect payload list)" {
    # The rule itself (demo/cgi/callback.sh) over every payload, raw and
    # form-decoded, in one bash (bats' per-command trap would make it slow).
    local p
    run --separate-stderr bash -c '
        . "$1"
        BASE=$2 HOST_ORIGIN=$2 n=0 bad=0
        re="^/[A-Za-z0-9._~!\$&'"'"'()*+,;=:@/?%#-]*\$"
        while IFS= read -r p || [ -n "$p" ]; do
            urldecode "$p" d
            for v in "$p" "$d"; do
                n=$((n + 1))
                callback "$v" loc
                [[ $loc == "$2"/* ]] && [[ ${loc#"$2"} =~ $re ]] || { bad=$((bad + 1)); printf "payload %q -> %q\n" "$p" "$loc" >&2; }
            done
        done
        echo "$n $bad"' _ "$REPO_ROOT/demo/cgi/callback.sh" "$DEMO_URL" \
        <"$REPO_ROOT/tests/vectors/open-redirect-payloads.txt"
    [ "$status" -eq 0 ] || _fail "the payload loop failed"
    [ "${output% *}" -gt 1600 ] || _fail "only ${output% *} payloads"
    [ "${output#* }" -eq 0 ] || _fail "${output#* } payloads left the site"
    # Over HTTP, a few: off-site, scheme-relative, CRLF, backslash, look-alike host.
    for p in 'https://evil.example/' '//evil.example/x' '/\evil.example' 'javascript:alert(1)' \
        "$DEMO_URL.evil.example/" "$DEMO_URL@evil.example/" $'/x\r\nSet-Cookie: a=b' '/ok?q=1'; do
        nextauth_request /api/auth/signin --data-urlencode "callbackUrl=$p" -d user=ada
        [ "$nextauth_status" = 302 ] || _nextauth_fail "callbackUrl=$p" 302 || return 1
        case $p in
        '//evil.example/x') [ "$nextauth_location" = "$DEMO_URL//evil.example/x" ] ;;
        /ok*) [ "$nextauth_location" = "$DEMO_URL/ok?q=1" ] ;;
        *) [ "$nextauth_location" = "$DEMO_URL/" ] ;;
        esac || _nextauth_fail "callbackUrl=$p" "a Location on $DEMO_URL" || return 1
        [ "$(grep -ci '^set-cookie: a=' <<<"$nextauth_headers")" -eq 0 ] || _fail "header injected"
    done
    nextauth_request /api/auth/signout --data-urlencode 'callbackUrl=https://evil.example/'
    [ "$nextauth_location" = "$DEMO_URL/" ] || _nextauth_fail signout "Location $DEMO_URL/"
}

@test "sign-in: a POST from another site, or for an unknown user, gets no cookie" {
    nextauth_request /api/auth/signin -d user=ada -H 'Origin: http://evil.example'
    [ "$nextauth_status" = 403 ] && ! nextauth_header Set-Cookie >/dev/null ||
        _nextauth_fail "cross-origin POST" "403 without Set-Cookie"
    nextauth_request /api/auth/signin -d user=ada -H 'Sec-Fetch-Site: cross-site'
    [ "$nextauth_status" = 403 ] && ! nextauth_header Set-Cookie >/dev/null ||
        _nextauth_fail "cross-site POST" "403 without Set-Cookie"
    nextauth_request /api/auth/signin -d user=ada -H "Origin: $DEMO_URL"
    [ "$nextauth_status" = 302 ] || _nextauth_fail "same-origin POST" 302
    nextauth_request /api/auth/signin -d user=mallory
    [ "$nextauth_status" = 400 ] && ! nextauth_header Set-Cookie >/dev/null ||
        _nextauth_fail "unknown user" "400 without Set-Cookie"
    nextauth_request /api/auth/signin -X PUT
    [ "$nextauth_status" = 405 ] || _nextauth_fail "PUT" 405
}

@test "sign-out: clears the session cookie and every chunk of it" {
    local c
    c=$(nextauth_cookie --chunks 3 "$ADA")
    nextauth_request --cookie "$c" /api/auth/signout -d ''
    [ "$nextauth_status" = 302 ] && [ "$nextauth_location" = "$DEMO_URL/" ] ||
        _nextauth_fail signout "302 to $DEMO_URL/" || return 1
    local name
    for name in next-auth.session-token next-auth.session-token.0 next-auth.session-token.1 \
        next-auth.session-token.2; do
        grep -qx "Set-Cookie: $name=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax" \
            <<<"$nextauth_headers" || _nextauth_fail signout "a clearing Set-Cookie for $name" || return 1
    done
}

@test "sign-in script: refuses to run without NEXTAUTH_DEMO=1 (outside the demo's lighttpd)" {
    local script=$REPO_ROOT/demo/cgi/auth.sh
    # As a CGI under another server: 404, no cookie, a line in its error log.
    run --separate-stderr env -i PATH=/usr/bin:/bin REQUEST_METHOD=POST REQUEST_URI=/api/auth/signin \
        CONTENT_LENGTH=8 NEXTAUTH_CONFIG="$NEXTAUTH_CONFIG" NEXTAUTH_TOKEN_BIN="$NEXTAUTH_TOKEN_BIN" \
        bash "$script" <<<"user=ada"
    [ "$status" -eq 0 ] && [[ $output == 'Status: 404 Not Found'* ]] && [[ $output != *Set-Cookie* ]] ||
        _fail "as CGI without NEXTAUTH_DEMO"
    [[ $stderr == *'refusing to run'* ]] || _fail "no log line"
    run --separate-stderr env -i PATH=/usr/bin:/bin NEXTAUTH_DEMO=0 REQUEST_METHOD=GET \
        REQUEST_URI=/api/auth/signin bash "$script"
    [[ $output == 'Status: 404 Not Found'* ]] || _fail "with NEXTAUTH_DEMO=0"
    # Not as a CGI: exit 1 and the reason.
    run --separate-stderr env -i PATH=/usr/bin:/bin NEXTAUTH_DEMO=1 bash "$script"
    [ "$status" -eq 1 ] && [ -z "$output" ] && [[ $stderr == *'only runs inside'* ]] ||
        _fail "outside a CGI request"
}

@test "make install: installs the bats helpers, nothing of demo/" {
    local stage=$BATS_TEST_TMPDIR/stage
    run make -s -C "$REPO_ROOT" --no-print-directory install DESTDIR="$stage" PREFIX=/usr/local
    [ "$status" -eq 0 ] || _fail "make install failed"
    [ -f "$stage/usr/local/share/nextauth-fcgi/nextauth.bash" ] || _fail "no helper installed"
    [ "$(stat -c %a "$stage/usr/local/share/nextauth-fcgi/nextauth.bash")" = 644 ] || _fail "mode"
    run bash -c "cd '$stage' && find . -type f | xargs -r grep -lE 'NEXTAUTH_DEMO|auth\.sh|demo/cgi'"
    [ -z "$output" ] || _fail "demo files installed: $output"
    run bash -c "find '$stage' -path '*demo*'"
    [ -z "$output" ] || _fail "demo files installed: $output"
}

# --- make demo STRATEGY=database ---------------------------------------------------------

UUID4='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

@test "database demo: every URL it prints answers as described (no session)" {
    dbdemo
    check_urls "$DBDEMO_OUT" "$DBDEMO_URL"
}

@test "database demo: every curl and sqlite3 line it prints works as described, in order" {
    dbdemo
    check_lines "$DBDEMO_OUT" 12 2
}

@test "database demo: no secret; a config of database sessions on the SQLite file (mode 600)" {
    [ ! -e "$DBDEMO_TMP/secret" ] || _fail "a secret file"
    grep -q '^Sessions are rows of the SQLite database '"$DBDEMO_DB"" (Prisma's schema);$" "$DBDEMO_OUT" ||
        _fail "the banner does not name the database"
    jq -e --arg db "sqlite:$DBDEMO_DB" '.session.strategy == "database" and .database.url == $db
        and .database.adapter == "prisma" and .database.claims == {"role": "role"}
        and (has("secret") or has("secretFile") | not)' "$DBDEMO_TMP/config.json" >/dev/null ||
        _fail "config: $(cat "$DBDEMO_TMP/config.json")"
    [ "$(stat -c %a "$DBDEMO_DB")" = 600 ] || _fail "database mode $(stat -c %a "$DBDEMO_DB")"
    # Prisma's tables, and the role column with its default
    [ "$(rows "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" | paste -sd ' ')" = \
        "Account Authenticator Session User VerificationToken" ] || _fail "tables"
    [ "$(rows "SELECT type || ' ' || \"notnull\" || ' ' || dflt_value FROM pragma_table_info('User') WHERE name = 'role'")" = \
        "TEXT 1 'user'" ] || _fail "no role column"
}

@test "database demo: sign in adds the rows and sets their token; pages allowed, /admin by role; sign out deletes the row; the cookie is then refused" {
    dbdemo
    signin ada || return 1
    [[ $TOK =~ $UUID4 ]] || _fail "the token is not a UUID v4: $TOK"
    [[ $(nextauth_header Set-Cookie) =~ ^next-auth\.session-token=$TOK\;\ Path=/\;\ Expires=[A-Z][a-z]{2},\ [0-9]{2}\ [A-Z][a-z]{2}\ [0-9]{4}\ [0-9:]{8}\ GMT\;\ HttpOnly\;\ SameSite=Lax$ ]] ||
        _fail "Set-Cookie: $(nextauth_header Set-Cookie)"
    local ada="next-auth.session-token=$TOK" row
    # the rows, as Prisma 7 writes them: text times with +00:00, 30 days ahead
    row=$(rows "SELECT \"userId\", expires, \"updatedAt\" FROM \"Session\" WHERE \"sessionToken\" = '$TOK'")
    [[ $row =~ ^1\|([0-9-]{10}T[0-9:]{8})\.[0-9]{3}\+00:00\|([0-9-]{10}T[0-9:]{8})\.[0-9]{3}\+00:00$ ]] ||
        _fail "Session row: $row" || return 1
    [ $(($(date -u -d "${BASH_REMATCH[1]}Z" +%s) - $(date -u -d "${BASH_REMATCH[2]}Z" +%s))) -eq 2592000 ] ||
        _fail "expires is not updatedAt + 30 days: $row"
    [ "$(rows 'SELECT id, name, email, role FROM "User" WHERE id = '"'1'")" = \
        '1|Ada Lovelace|ada@example.com|user' ] || _fail "User row"
    # every page, with the row's claims
    assert_allows /dashboard "$ada"
    [[ $nextauth_body == *'<td id="REMOTE_USER">ada@example.com</td>'* ]] || _fail "no REMOTE_USER"
    [[ $nextauth_body == *'<td id="NEXTAUTH_SUB">1</td>'* ]] || _fail "no NEXTAUTH_SUB"
    [[ $nextauth_body == *'<td id="NEXTAUTH_ROLE">user</td>'* ]] || _fail "no NEXTAUTH_ROLE"
    assert_allows /protected "$ada"
    [[ $nextauth_body == *'&quot;email&quot;: &quot;ada@example.com&quot;'* ]] ||
        _fail "the protected page does not show Ada's session"
    assert_allows /api/hello "$ada"
    [ "$nextauth_body" = '{"message":"Success"}' ] || _fail "hello: $nextauth_body"
    assert_session /api/auth/session "$ada" \
        '{"name":"Ada Lovelace","email":"ada@example.com","image":null,"role":"user"}'
    assert_refuses --page /admin "$ada"
    assert_refuses --api /api/admin/stats.json "$ada"
    # Grace: role admin
    signin grace || return 1
    local grace="next-auth.session-token=$TOK"
    assert_allows /admin "$grace"
    [[ $nextauth_body == *'Grace Hopper'* ]] || _fail "not Grace's admin page"
    assert_allows /api/admin/stats.json "$grace"
    # Ada signs out: her row goes, Grace's stays
    nextauth_request --cookie "$ada" /api/auth/signout -d ''
    [ "$nextauth_status" = 302 ] && [ "$nextauth_location" = "$DBDEMO_URL/" ] ||
        _nextauth_fail signout "302 to $DBDEMO_URL/" || return 1
    grep -qx "Set-Cookie: next-auth.session-token=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax" \
        <<<"$nextauth_headers" || _nextauth_fail signout "the cookie cleared"
    [ "$(rows "SELECT count(*) FROM \"Session\" WHERE \"sessionToken\" = '${ada#*=}'")" = 0 ] ||
        _fail "Ada's row is still there"
    run nextauth_db_exists "$grace"
    [ "$status" -eq 0 ] || _fail "Grace's row is gone"
    # the same cookie, replayed: refused everywhere
    assert_guarded --page /dashboard "$ada"
    assert_guarded --api /api/hello "$ada"
    assert_guarded --page /protected "$ada"
    assert_no_session /api/auth/session "$ada"
    assert_allows /admin "$grace"
}

@test "database demo: one User row per user; the guard reads the role from the row at every request" {
    dbdemo
    signin ada || return 1
    local first="next-auth.session-token=$TOK"
    signin ada || return 1
    local second="next-auth.session-token=$TOK"
    [ "$(rows "SELECT count(*) FROM \"User\" WHERE id = '1'")" = 1 ] || _fail "User rows for Ada"
    [ "${first#*=}" != "${second#*=}" ] || _fail "the same token twice"
    assert_allows /api/hello "$first"
    assert_allows /api/hello "$second"
    assert_refuses --api /api/admin/stats.json "$first"
    rows "UPDATE \"User\" SET role = 'admin' WHERE id = '1'"
    assert_allows /api/admin/stats.json "$first"
    assert_allows /admin "$second"
    [[ $nextauth_body == *'<td id="NEXTAUTH_ROLE">admin</td>'* ]] || _fail "role not from the row"
    rows "UPDATE \"User\" SET role = 'user' WHERE id = '1'"
    assert_refuses --api /api/admin/stats.json "$first"
    nextauth_db_revoke "$first"
    nextauth_db_revoke "$second"
}

@test "database demo: a row expired or deleted behind its back is refused on the next request" {
    dbdemo
    signin grace || return 1
    local c="next-auth.session-token=$TOK"
    assert_allows /admin "$c"
    nextauth_db_expire "$c"
    [[ $(rows "SELECT expires FROM \"Session\" WHERE \"sessionToken\" = '$TOK'") == *+00:00 ]] ||
        _fail "the expiry lost Prisma's form"
    assert_guarded --page /admin "$c"
    assert_guarded --api /api/hello "$c"
    # rows made by the helpers, as the Node app would make them
    c=$(nextauth_db_cookie '{"sub":"3","name":"Katherine Johnson","email":"kj@example.com","role":"admin"}')
    assert_allows /admin "$c"
    [[ $nextauth_body == *'Katherine Johnson'* ]] || _fail "not Katherine's admin page"
    nextauth_db_revoke "$c"
    assert_guarded --page /admin "$c"
}

@test "database demo: sign-out with a foreign or hostile cookie deletes nothing" {
    dbdemo
    signin ada || return 1
    local n v
    n=$(rows 'SELECT count(*) FROM "Session"')
    for v in "' OR 1=1 --" 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..x.y.z' \
        "${TOK^^}" "${TOK}x" 00000000-0000-4000-8000-000000000000 '%27%20OR%201%3D1'; do
        nextauth_request --cookie "next-auth.session-token=$v" /api/auth/signout -d ''
        [ "$nextauth_status" = 302 ] || _nextauth_fail "signout with $v" 302 || return 1
        [ "$(rows 'SELECT count(*) FROM "Session"')" = "$n" ] || _fail "rows changed for $v" || return 1
    done
    nextauth_request /api/auth/signout -d ''
    [ "$nextauth_status" = 302 ] && [ "$(rows 'SELECT count(*) FROM "Session"')" = "$n" ] ||
        _fail "signout without a cookie"
    nextauth_db_revoke "$TOK"
}

@test "database demo: the guard holds the database read-only, the session endpoint read-write" {
    dbdemo
    signin ada || return 1
    assert_allows /dashboard "next-auth.session-token=$TOK"
    assert_session /api/auth/session "next-auth.session-token=$TOK"
    local k fd flags ro=0 rw=0 name
    for k in $(kids "$DBDEMO_LT"); do
        name=$(tr '\0' ' ' <"/proc/$k/cmdline")
        for fd in /proc/"$k"/fd/*; do
            [ "$(readlink "$fd")" = "$DBDEMO_DB" ] || continue
            flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$k/fdinfo/${fd##*/}")
            case $name in
            *nextauth-guard*)
                [ $((8#$flags & 3)) -eq 0 ] || _fail "the guard ($k) opened it for writing: $flags" || return 1
                ro=$((ro + 1))
                ;;
            *nextauth-session*)
                [ $((8#$flags & 3)) -eq 2 ] || _fail "the session endpoint opened it read-only: $flags" || return 1
                rw=$((rw + 1))
                ;;
            esac
        done
    done
    [ "$ro" -ge 1 ] && [ "$rw" -ge 1 ] || _fail "guard fds $ro, session endpoint fds $rw"
    nextauth_db_revoke "$TOK"
}

# --- starting and stopping ------------------------------------------------------------------------

@test "make demo PORT=N: Ctrl-C (SIGINT to its process group) leaves no process and no temp dir" {
    demo_start "$BATS_TEST_TMPDIR/make.out" make || return 1
    local pid=$D_PID lt=$D_LT tmp=$D_TMP
    [ -d "$tmp" ] || _fail "no temp dir $tmp"
    nextauth_request "$D_URL/api/hello"
    [ "$nextauth_status" = 401 ] || _nextauth_fail "PORT=$D_PORT" 401
    local -a children
    mapfile -t children < <(kids "$lt")
    [ "${#children[@]}" -ge 4 ] || _fail "lighttpd has ${#children[@]} children"
    kill -INT -- "-$pid"
    demo_gone "$pid" "$lt" "$tmp" "${children[@]}" || { srv_dump "$BATS_TEST_TMPDIR/make.out"; return 1; }
    grep -q '^demo: stopped; lighttpd has exited' "$BATS_TEST_TMPDIR/make.out" || _fail "no 'demo: stopped'"
    [ "$(srv_http_code "$D_URL/")" = 000 ] || _fail "still answering on $D_PORT"
}

@test "make demo STRATEGY=database: Ctrl-C leaves no process and no temp dir (nor its database)" {
    demo_start "$BATS_TEST_TMPDIR/make-db.out" make database || return 1
    local pid=$D_PID lt=$D_LT tmp=$D_TMP
    grep -q "^Sessions are rows of the SQLite database $tmp/demo.db" "$BATS_TEST_TMPDIR/make-db.out" ||
        _fail "not the database demo"
    [ -f "$tmp/demo.db" ] || _fail "no database"
    local -a children
    mapfile -t children < <(kids "$lt")
    kill -INT -- "-$pid"
    demo_gone "$pid" "$lt" "$tmp" "${children[@]}" || { srv_dump "$BATS_TEST_TMPDIR/make-db.out"; return 1; }
}

@test "demo/run.sh: SIGTERM leaves no process and no temp dir" {
    demo_start "$BATS_TEST_TMPDIR/run.out" || return 1
    local -a children
    mapfile -t children < <(kids "$D_LT")
    kill -TERM "$D_PID"
    demo_gone "$D_PID" "$D_LT" "$D_TMP" "${children[@]}" || { srv_dump "$BATS_TEST_TMPDIR/run.out"; return 1; }
}

@test "demo/run.sh: a port in use, a bad PORT or STRATEGY is refused with the reason, nothing left" {
    local before after
    before=$(find /tmp -maxdepth 1 -name 'nextauth-demo.*' | sort)
    run --separate-stderr "$REPO_ROOT/demo/run.sh" "${DEMO_URL##*:}"
    [ "$status" -eq 1 ] || _fail "a port in use"
    [[ $stderr == *"127.0.0.1:${DEMO_URL##*:} is already in use"*"make demo PORT="* ]] || _fail "message"
    run --separate-stderr "$REPO_ROOT/demo/run.sh" 80x
    [ "$status" -eq 1 ] && [[ $stderr == *"PORT must be a TCP port number"* ]] || _fail "PORT=80x"
    run --separate-stderr "$REPO_ROOT/demo/run.sh" "${DEMO_URL##*:}" sessions
    [ "$status" -eq 1 ] && [[ $stderr == *"STRATEGY must be jwt or database, not 'sessions'"* ]] ||
        _fail "STRATEGY=sessions"
    after=$(find /tmp -maxdepth 1 -name 'nextauth-demo.*' | sort)
    [ "$before" = "$after" ] || _fail "a temp dir was left: $after"
}

# --- the browser --------------------------------------------------------------------------------------

@test "browser: headless Chromium walks both demos (sign in, refused, admin, sign out; the rows); screenshots" {
    local shots=$BATS_FILE_TMPDIR/screenshots
    # One browser for both walks; WALK_BUDGET bounds the whole run.
    WALK_BUDGET=240 run "$BATS_TEST_DIRNAME/browser/walk-demo.sh" "$DEMO_URL" "$shots" \
        "$DBDEMO_URL" "$DBDEMO_DB"
    if [ "$status" -eq 77 ]; then
        skip "headless Chromium unavailable: ${output##*browser: }"
    fi
    printf "%s\n" "${lines[-1]}" >&3
    [ "$status" -eq 0 ] || _fail "the walk failed" || return 1
    [[ ${lines[-1]} == "# 42 steps, 0 failed, "* ]] || _fail "not 42 steps"
    local n
    n=$(find "$shots" -name '*.png' -size +1k | wc -l)
    [ "$n" -eq 14 ] || _fail "expected 14 screenshots, found $n"
}
