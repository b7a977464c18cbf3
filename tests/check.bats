#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# `nextauth-token check`: the configuration nextauth-guard and nextauth-session
# would read (--config, else NEXTAUTH_CONFIG, else none; and the environment),
# printed as "name: value" lines in a fixed order, then the start-up
# "warning: "/"notice: " lines, then one "error: KEY: reason" line per problem,
# all on stdout; exit 0 when the programs would start and serve, 2 otherwise.
# Every output is compared line by line; no secret or database password may
# appear anywhere. The programs themselves are run on the same configurations,
# so that check and the start-up they describe cannot drift apart.

# shellcheck disable=SC2154 # status, output, lines, stderr: set by bats' run
load helpers

SECRET='check-test-secret-9f3Kq2Lm7Xw4Zp8Rt6Yv1Bn5'
GUARD_BIN="$REPO_ROOT/cgi-bin/nextauth-guard"
SESSION_BIN="$REPO_ROOT/cgi-bin/nextauth-session"

setup() {
    clean_env
    cd "$BATS_TEST_TMPDIR" || return 1
    SENSITIVE=("$SECRET")
    PGD=''
}

teardown() {
    if [ -n "$PGD" ] && [ -f "$PGD/pg.pid" ]; then
        pg_stop "$PGD"
    fi
}

# check ARGS... — run `nextauth-token check ARGS...` (see run_cli).
check() {
    run_cli check "$@"
}

# expect_report STATUS — exit STATUS, nothing on stderr, stdout exactly the
# lines on standard input, and no secret anywhere.
expect_report() {
    local want
    want=$(cat)
    assert_status "$1" || return 1
    assert_no_stderr || return 1
    if [ "$output" != "$want" ]; then
        diff <(printf '%s\n' "$want") <(printf '%s\n' "$output") >&2
        _fail "the report differs (- expected, + got)" || return 1
    fi
    _raw_is "$BATS_TEST_TMPDIR/cli.stdout" "$want" || _fail "stdout is not those lines" || return 1
    refute_leak "${SENSITIVE[@]}"
}

# expect_line LINE... — each LINE is one whole line of stdout.
expect_line() {
    local l
    for l in "$@"; do
        grep -qxF -- "$l" <<<"$output" || _fail "no line: $l" || return 1
    done
}

# The settings of an empty configuration, from session.strategy to tokenCache.
DEFAULTS='session.strategy: jwt
session.maxAge: 2592000
session.updateAge: 86400
session.expose: none
jwt.format: next-auth-v4
jwt.clockTolerance: 15
jwt.requireExp: true
jwt.maxAge: 2592000
url: none
url.origin: none
url.authPath: /api/auth
useSecureCookies: false
cookies.sessionToken: next-auth.session-token
cookies.callbackUrl: next-auth.callback-url
cookies.csrfToken: next-auth.csrf-token
basePath: none
pages.signIn: /api/auth/signin
pages.error: /api/auth/error
matcher: every path
api: ["/api/:path*"]
authorized: any session
rules: 0
identity: none
tokenCache: 32'

# defaults_with 'KEY: VALUE'... — DEFAULTS with these keys' lines replaced.
defaults_with() {
    local text=$DEFAULTS kv
    for kv in "$@"; do
        text=$(sed "s|^${kv%%: *}: .*|$kv|" <<<"$text")
    done
    printf '%s\n' "$text"
}

# prisma_db FILE — a SQLite file in the Prisma schema.
prisma_db() {
    sqlite3 "$1" <"$REPO_ROOT/tests/vectors/dbsess-schema/prisma-sqlite.sql"
}

# cgi PROGRAM [VAR=VALUE...] — run a FastCGI program as CGI for GET /dashboard
# with exactly this environment; sets cgi_rc, cgi_out, cgi_err.
cgi() {
    local prog=$1
    shift
    cgi_rc=0
    env -i PATH="$PATH" REQUEST_METHOD=GET REQUEST_URI=/dashboard "$@" "$prog" </dev/null \
        >"$BATS_TEST_TMPDIR/cgi.out" 2>"$BATS_TEST_TMPDIR/cgi.err" || cgi_rc=$?
    _slurp cgi_out "$BATS_TEST_TMPDIR/cgi.out"
    _slurp cgi_err "$BATS_TEST_TMPDIR/cgi.err"
}

# --- the report ---------------------------------------------------------------

@test "check: a good configuration: every setting, exit 0" {
    cat >good.json <<'EOF'
{
  "secret": ["check-test-secret-9f3Kq2Lm7Xw4Zp8Rt6Yv1Bn5", "previous-secret-0123456789abcdefXYZ"],
  "url": "https://example.com/app/api/auth",
  "basePath": "/app",
  "pages": { "signIn": "/login" },
  "jwt": { "format": "authjs-v5", "clockTolerance": 5, "maxAge": 3600 },
  "session": { "maxAge": 86400, "expose": { "id": "sub" } },
  "matcher": ["/dashboard/:path*", { "source": "/admin" }],
  "api": ["/api/:path*", "/graphql"],
  "authorized": { "email": { "suffix": "@example.com" } },
  "rules": [{ "matcher": "/admin/:path*", "authorized": { "any": [{ "role": "admin" }, { "role": { "in": ["root"] } }] } }],
  "identity": { "NEXTAUTH_ROLE": "role" },
  "tokenCache": 0
}
EOF
    chmod 600 good.json
    SENSITIVE+=(previous-secret-0123456789abcdefXYZ)
    check --config good.json
    expect_report 0 <<'EOF'
config: good.json
secret.source: config secret
secret.count: 2
secret.lengths: 42 35
session.strategy: jwt
session.maxAge: 86400
session.updateAge: 86400
session.expose: {"id":"sub"}
jwt.format: authjs-v5
jwt.clockTolerance: 5
jwt.requireExp: true
jwt.maxAge: 3600
url: https://example.com/app/api/auth
url.origin: https://example.com
url.authPath: /app/api/auth
useSecureCookies: true
cookies.sessionToken: __Secure-authjs.session-token
cookies.callbackUrl: __Secure-authjs.callback-url
cookies.csrfToken: __Host-authjs.csrf-token
basePath: /app
pages.signIn: /login
pages.error: /api/auth/error
matcher: ["/dashboard/:path*","/admin"]
api: ["/api/:path*","/graphql"]
authorized: {"email":{"suffix":"@example.com"}}
rules: 1
rules[0].matcher: ["/admin/:path*"]
rules[0].authorized: {"any":[{"role":"admin"},{"role":{"in":["root"]}}]}
identity: {"NEXTAUTH_ROLE":"role"}
tokenCache: 0
notice: matcher "/admin" matches /admin only, not the paths below it; write "/admin/:path*" for those
EOF
}

@test "check: no configuration and no secret: the defaults, and 'error: secret: no secret …', exit 2" {
    check
    expect_report 2 <<EOF
config: built-in defaults
secret.source: none
secret.count: 0
$DEFAULTS
error: secret: no secret: set "secret" or "secretFile" in the config, or NEXTAUTH_SECRET, AUTH_SECRET or NEXTAUTH_SECRET_FILE
EOF
    # the guard starts all the same, and refuses: check names that as a problem
    cgi "$GUARD_BIN"
    [ "$cgi_rc" -eq 0 ] || _fail "the guard exited $cgi_rc"
    [[ $cgi_out == "Status: 307 Temporary Redirect"$'\r\n'"Location: /api/auth/error?error=Configuration"* ]] ||
        _fail "the guard did not refuse: $cgi_out"
}

@test "check: several problems at once: each on its own line with its key path, exit 2" {
    cat >bad.json <<'EOF'
{
  "url": "https://example.com",
  "jwt": { "maxAge": 0, "format": "jwe" },
  "colour": "blue",
  "authorized": { "role": { "oneOf": ["a"] } },
  "rules": [{ "matcher": "/a/:p*" }],
  "identity": { "ROLE": "role" },
  "secret": ""
}
EOF
    chmod 600 bad.json
    check --config bad.json
    expect_report 2 <<'EOF'
config: bad.json
secret.source: config secret
secret.count: 0
session.strategy: jwt
session.maxAge: 2592000
session.updateAge: 86400
session.expose: none
jwt.format: next-auth-v4
jwt.clockTolerance: 15
jwt.requireExp: true
jwt.maxAge: 2592000
url: https://example.com
url.origin: https://example.com
url.authPath: /api/auth
useSecureCookies: true
cookies.sessionToken: __Secure-next-auth.session-token
cookies.callbackUrl: __Secure-next-auth.callback-url
cookies.csrfToken: __Host-next-auth.csrf-token
basePath: none
pages.signIn: /api/auth/signin
pages.error: /api/auth/error
matcher: every path
api: ["/api/:path*"]
authorized: any session
rules: 1
rules[0].matcher: ["/a/:p*"]
rules[0].authorized: none
identity: none
tokenCache: 32
error: jwt.maxAge: must be an integer from 1 to 316224000
error: jwt.format: must be one of "next-auth-v4", "authjs-v5", "jws"
error: colour: unknown key
error: authorized.role: unknown operator "oneOf" (in, suffix, exists, equals)
error: rules[0]: needs both matcher and authorized
error: identity.ROLE: names must be NEXTAUTH_ then A-Z, 0-9, _
error: secret: empty secret
EOF
    # the programs stop at the first
    cgi "$GUARD_BIN" NEXTAUTH_CONFIG=bad.json
    [ "$cgi_rc" -eq 2 ] && [ -z "$cgi_out" ] || _fail "guard: exit $cgi_rc"
    [ "$cgi_err" = 'nextauth-guard: config bad.json: key "jwt.maxAge" must be an integer from 1 to 316224000'$'\n' ] ||
        _fail "guard said: $cgi_err"
}

@test "check: a control byte in what a line names (a key, a file name) cannot split the line" {
    printf '{"bogus\\nKey\\u001b[31m":1,"pages":{"error":"/err"}}' >"$BATS_TEST_TMPDIR/c"$'\n'".json"
    NEXTAUTH_SECRET=$SECRET check --config "$BATS_TEST_TMPDIR/c"$'\n'".json"
    assert_status 2
    assert_no_stderr
    [ "${lines[0]}" = "config: $BATS_TEST_TMPDIR/c?.json" ] || _fail "first line"
    [ "${lines[-1]}" = 'error: bogus?Key?[31m: unknown key' ] || _fail "last line"
    expect_line 'pages.error: /err'
    # a key named like the file's own problems is a key like any other
    printf '{"config":1}\n' >c.json
    NEXTAUTH_SECRET=$SECRET check --config c.json
    assert_status 2
    expect_line 'config: c.json' 'tokenCache: 32'
    [ "${lines[-1]}" = 'error: config: unknown key' ] || _fail "last line"
}

@test "check: a config file that cannot be read or parsed: only that, exit 2" {
    check --config missing.json
    expect_report 2 <<'EOF'
config: missing.json
error: config: missing.json: No such file or directory
EOF
    printf '{"url": }\n' >syntax.json
    NEXTAUTH_CONFIG=syntax.json check
    expect_report 2 <<'EOF'
config: syntax.json
error: config: syntax.json:1:9: syntax error
EOF
    # --config wins over NEXTAUTH_CONFIG
    printf '{}\n' >empty.json
    NEXTAUTH_SECRET=$SECRET NEXTAUTH_CONFIG=syntax.json check --config empty.json
    assert_status 0
    expect_line 'config: empty.json'
}

@test "check: the secret from each source: name, file, count and byte lengths, never the secret" {
    local sf="$BATS_TEST_TMPDIR/secret"
    printf '%s\n\n%s\n' "$SECRET" 'rotated-out-secret-abcdefghijklmnopq' >"$sf"
    chmod 600 "$sf"
    SENSITIVE+=(rotated-out-secret-abcdefghijklmnopq)
    # the programs' order: config secret/secretFile, NEXTAUTH_SECRET, AUTH_SECRET, NEXTAUTH_SECRET_FILE
    printf '{"secretFile":"%s"}\n' "$sf" >sf.json
    NEXTAUTH_SECRET=other-secret-zzzzzzzzzzzzzzzzzzzzzzzzz check --config sf.json
    assert_status 0
    assert_no_stderr
    [ "$(sed -n 2,5p <<<"$output")" = "secret.source: config secretFile
secret.file: $sf
secret.count: 2
secret.lengths: 42 36" ] || _fail "secretFile"
    refute_leak "${SENSITIVE[@]}" other-secret-zzzzzzzzzzzzzzzzzzzzzzzzz

    NEXTAUTH_SECRET=$SECRET AUTH_SECRET=other-secret-zzzzzzzzzzzzzzzzzzzzzzzzz check
    assert_status 0
    [ "$(sed -n 2,4p <<<"$output")" = "secret.source: NEXTAUTH_SECRET
secret.count: 1
secret.lengths: 42" ] || _fail "NEXTAUTH_SECRET"
    refute_leak "${SENSITIVE[@]}" other-secret-zzzzzzzzzzzzzzzzzzzzzzzzz

    AUTH_SECRET=$SECRET NEXTAUTH_SECRET_FILE=$sf check
    assert_status 0
    [ "$(sed -n 2,4p <<<"$output")" = "secret.source: AUTH_SECRET
secret.count: 1
secret.lengths: 42" ] || _fail "AUTH_SECRET"
    expect_line 'notice: NEXTAUTH_SECRET_FILE is not read: AUTH_SECRET comes first'
    refute_leak "${SENSITIVE[@]}"

    NEXTAUTH_SECRET_FILE=$sf check
    expect_report 0 <<EOF
config: built-in defaults
secret.source: NEXTAUTH_SECRET_FILE
secret.file: $sf
secret.count: 2
secret.lengths: 42 36
$DEFAULTS
EOF
}

@test "check: NEXTAUTH_SECRET_FILE unreadable is an error as for the programs; set but empty: no secret, named" {
    NEXTAUTH_SECRET_FILE="$BATS_TEST_TMPDIR/nope" check
    assert_status 2
    assert_no_stderr
    [ "${lines[1]}" = 'secret.source: NEXTAUTH_SECRET_FILE' ] && [ "${lines[2]}" = 'secret.count: 0' ] ||
        _fail "secret lines"
    [ "${lines[-1]}" = "error: NEXTAUTH_SECRET_FILE: $BATS_TEST_TMPDIR/nope: No such file or directory" ] ||
        _fail "last line"
    [ "$(grep -c '^error: ' <<<"$output")" -eq 1 ] || _fail "one error, not a second 'no secret'"
    cgi "$GUARD_BIN" NEXTAUTH_SECRET_FILE="$BATS_TEST_TMPDIR/nope"
    [ "$cgi_rc" -eq 2 ] && [ -z "$cgi_out" ] || _fail "guard: exit $cgi_rc"
    [ "$cgi_err" = "nextauth-guard: NEXTAUTH_SECRET_FILE $BATS_TEST_TMPDIR/nope: No such file or directory"$'\n' ] ||
        _fail "guard said: $cgi_err"

    NEXTAUTH_SECRET_FILE='' check
    assert_status 2
    [ "${lines[-1]}" = 'error: secret: NEXTAUTH_SECRET_FILE is set but empty: no file to read the secret from' ] ||
        _fail "last line"
    cgi "$SESSION_BIN" NEXTAUTH_SECRET_FILE=
    [ "$cgi_rc" -eq 0 ] || _fail "session: exit $cgi_rc"
    [[ $cgi_out == "Status: 500 Internal Server Error"$'\r\n'* ]] || _fail "session: $cgi_out"
    [ "$cgi_err" = "nextauth-session: NO_SECRET: NEXTAUTH_SECRET_FILE is set but empty: no file to read the secret from; every request will get a 500 until it is set"$'\n'"nextauth-session: NO_SECRET: NEXTAUTH_SECRET_FILE is set but empty: no file to read the secret from"$'\n' ] ||
        _fail "session said: $cgi_err"
}

@test "check: the programs' start-up warnings: a short secret, loose modes" {
    local sf="$BATS_TEST_TMPDIR/secret"
    printf 'short-secret\n' >"$sf"
    chmod 640 "$sf"
    SENSITIVE=(short-secret)
    NEXTAUTH_SECRET_FILE=$sf check
    assert_status 0
    [ "$(grep -vE '^[][a-zA-Z0-9.]+: ' <<<"$output")" = '' ] || _fail "only name: value lines"
    [ "$(tail -n 2 <<<"$output")" = "warning: the secret (NEXTAUTH_SECRET_FILE) is 12 bytes; use at least 32 random bytes (openssl rand -base64 32)
warning: NEXTAUTH_SECRET_FILE $sf has mode 0640; make it readable by its owner only (chmod 600)" ] ||
        _fail "the warnings"
    refute_leak "${SENSITIVE[@]}"
    # the guard logs the same lines at start
    cgi "$GUARD_BIN" NEXTAUTH_SECRET_FILE="$sf"
    [ "$cgi_err" = "nextauth-guard: warning: the secret (NEXTAUTH_SECRET_FILE) is 12 bytes; use at least 32 random bytes (openssl rand -base64 32)
nextauth-guard: warning: NEXTAUTH_SECRET_FILE $sf has mode 0640; make it readable by its owner only (chmod 600)"$'\n' ] ||
        _fail "guard said: $cgi_err"

    printf '{"secret":"%s"}\n' "$SECRET" >loose.json
    chmod 644 loose.json
    SENSITIVE=("$SECRET")
    check --config loose.json
    assert_status 0
    [ "${lines[-1]}" = 'warning: config loose.json has mode 0644 and holds the secret; make it readable by its owner only (chmod 600)' ] ||
        _fail "last line"
    refute_leak "${SENSITIVE[@]}"
}

@test "check: url and useSecureCookies that disagree are warned about (exit 0)" {
    printf '{"url":"https://example.com","useSecureCookies":false}\n' >c1.json
    NEXTAUTH_SECRET=$SECRET check --config c1.json
    assert_status 0
    expect_line 'useSecureCookies: false' 'cookies.sessionToken: next-auth.session-token'
    [ "${lines[-1]}" = 'warning: useSecureCookies is false but url is https://: the guard reads next-auth.session-token, while next-auth writes the __Secure- name unless the Next.js app sets useSecureCookies false too' ] ||
        _fail "last line"
    printf '{"useSecureCookies":true}\n' >c2.json
    NEXTAUTH_URL=http://localhost:3000 NEXTAUTH_SECRET=$SECRET check --config c2.json
    assert_status 0
    expect_line 'url: http://localhost:3000' 'useSecureCookies: true'
    [ "${lines[-1]}" = 'warning: useSecureCookies is true but url is not https://: a browser keeps the __Secure- session cookie (__Secure-next-auth.session-token) from https:// pages only' ] ||
        _fail "last line"
}

@test "check: an unusable url is an error (the guard would not start)" {
    NEXTAUTH_URL='ftp://example.com' NEXTAUTH_SECRET=$SECRET check
    assert_status 2
    expect_line 'url: ftp://example.com'
    grep -q '^url.origin' <<<"$output" && _fail "url.origin shown for an unusable url"
    [ "${lines[-1]}" = 'error: url: url/NEXTAUTH_URL is not a usable http(s) URL' ] || _fail "last line"
    cgi "$GUARD_BIN" NEXTAUTH_URL='ftp://example.com' NEXTAUTH_SECRET="$SECRET"
    [ "$cgi_rc" -eq 2 ] || _fail "guard: exit $cgi_rc"
}

@test "check: jws: the allowed algorithms" {
    printf '{"jwt":{"format":"jws","algorithms":["HS512","HS256"]}}\n' >jws.json
    NEXTAUTH_SECRET=$SECRET check --config jws.json
    assert_status 0
    expect_line 'jwt.format: jws' 'jwt.algorithms: HS256 HS512' 'cookies.sessionToken: next-auth.session-token'
}

# --- database sessions ----------------------------------------------------------

@test "check: database sessions on SQLite: the tables and columns, the database answers, no secret needed" {
    prisma_db app.db
    printf '{"url":"http://localhost:3000","database":{"url":"sqlite:%s","claims":{"role":"role"},"cacheSeconds":5}}\n' \
        "$BATS_TEST_TMPDIR/app.db" >db.json
    sqlite3 app.db 'ALTER TABLE "User" ADD COLUMN "role" TEXT'
    check --config db.json
    expect_report 0 <<EOF
config: db.json
secret.source: none
secret.count: 0
$(defaults_with 'session.strategy: database' 'url: http://localhost:3000' \
        'url.origin: http://localhost:3000')
database.adapter: prisma
database.url: sqlite:$BATS_TEST_TMPDIR/app.db
database.tables.session: Session
database.tables.user: User
database.columns.sessionToken: sessionToken
database.columns.userId: userId
database.columns.expires: expires
database.columns.updatedAt: updatedAt
database.columns.id: id
database.columns.name: name
database.columns.email: email
database.columns.image: image
database.claims: {"role":"role"}
database.timeoutMs: 2000
database.cacheSeconds: 5
database.status: ok
EOF
    # check opens it read-only: nothing written
    [ -z "$(find . -name 'app.db-*')" ] || _fail "check left a journal behind"
}

@test "check: database sessions on SQLite: a missing file, a missing column: error: database.url, exit 2" {
    printf '{"database":{"url":"sqlite:%s","adapter":"drizzle"}}\n' "$BATS_TEST_TMPDIR/none.db" >db.json
    check --config db.json
    assert_status 2
    expect_line 'database.adapter: drizzle' 'database.tables.session: session' \
        'database.columns.updatedAt: none' 'database.status: failed'
    [ "${lines[-1]}" = "error: database.url: cannot open \"$BATS_TEST_TMPDIR/none.db\": unable to open database file" ] ||
        _fail "last line"
    cgi "$SESSION_BIN" NEXTAUTH_CONFIG=db.json
    [ "$cgi_rc" -eq 2 ] || _fail "session: exit $cgi_rc"

    prisma_db app.db
    printf '{"database":{"url":"sqlite:%s","columns":{"expires":"expiresAt"}}}\n' "$BATS_TEST_TMPDIR/app.db" >db.json
    check --config db.json
    assert_status 2
    expect_line 'database.columns.expires: expiresAt' 'database.status: failed'
    [ "${lines[-1]}" = 'error: database.url: table "Session" has no column "expiresAt"' ] || _fail "last line"
}

@test "check: database problems with config errors: the database is not tried; every problem listed" {
    printf '{"bogus":1,"database":{"url":"sqlite:/nonexistent/x.db","timeoutMs":0}}\n' >db.json
    check --config db.json
    assert_status 2
    expect_line 'database.status: not tried'
    [ "$(grep '^error: ' <<<"$output")" = 'error: bogus: unknown key
error: database.timeoutMs: must be an integer from 1 to 60000' ] || _fail "errors"
    printf '{"session":{"strategy":"database"}}\n' >db.json
    check --config db.json
    assert_status 2
    [ "$(grep '^error: ' <<<"$output")" = 'error: session.strategy: is "database" but database.url is not set' ] ||
        _fail "errors"
}

@test "check: a PostgreSQL URL with a password: shown without it; not answering and answering" {
    local pw='Pg-S3cret-pass-word' port
    SENSITIVE+=("$pw")
    # a port nothing listens on: the programs would start and answer 503; check says so
    port=$(. "$REPO_ROOT/tests/lib/server.sh" && srv_free_port)
    printf '{"database":{"url":"postgresql://app:%s@127.0.0.1:%s/app?sslmode=disable&password=%s","timeoutMs":500}}\n' \
        "$pw" "$port" "$pw" >pg.json
    chmod 600 pg.json
    check --config pg.json
    assert_status 2
    assert_no_stderr
    expect_line "database.url: postgresql://app:***@127.0.0.1:$port/app?sslmode=disable&password=***" \
        'database.status: failed'
    [[ ${lines[-1]} == "error: database.url: connect: "*"port $port failed"* ]] || _fail "last line"
    refute_leak "${SENSITIVE[@]}"

    # a private server (tests/lib/postgres.sh), trust authentication: the
    # password is sent and ignored, and must not show
    . "$REPO_ROOT/tests/lib/postgres.sh"
    local url
    PGD="$BATS_TEST_TMPDIR/pg"
    pg_start "$PGD" >&2 || return 1
    pg_createdb "$PGD" app || return 1
    pg_sql_file "$PGD" app "$REPO_ROOT/tests/vectors/dbsess-schema/prisma-pg.sql" || return 1
    url=$(pg_url "$PGD" app)
    url="postgresql://$(id -un):$pw@${url#postgresql://}"
    printf '{"database":{"url":"%s&password=%s"}}\n' "$url" "$pw" >pg.json
    check --config pg.json
    assert_status 0
    assert_no_stderr
    expect_line 'database.status: ok'
    refute_leak "${SENSITIVE[@]}"
}

# --- usage --------------------------------------------------------------------

@test "check: usage errors (an argument, another command's option) exit 2 on stderr" {
    run_cli check extra
    assert_failure 2 "check takes no argument (see --help)"
    run_cli check --secret "$SECRET"
    assert_failure 2 "check takes --config only: it reads what the programs read"
    refute_leak "$SECRET"
    run_cli check --config
    assert_failure 2 "unknown option or missing value: '--config'"
    run_cli --help
    [[ $output == *"  check [--config FILE]"* ]] || _fail "--help does not describe check"
}

@test "check: INSTALL's example configuration passes, and the guard answers it as INSTALL's step 7 says" {
    # the JSON block after "/etc/nextauth-fcgi/config.json, mode 0644" in INSTALL
    awk '/^\/etc\/nextauth-fcgi\/config.json, mode 0644/ {f = 1; next}
         f && /^    [{]/ {p = 1}
         p && /^    [}]/ {print; exit}
         p {print}' "$REPO_ROOT/INSTALL" >install.json
    jq -e . install.json >/dev/null || _fail "no JSON block found: $(cat install.json)"
    printf '%s\n' "$SECRET" >secret
    chmod 600 secret
    run env -i PATH="$PATH" NEXTAUTH_SECRET_FILE="$PWD/secret" "$NEXTAUTH_TOKEN_BIN" check --config install.json
    [ "$status" -eq 0 ] || _fail "exit $status: $output"
    [[ $output == *$'\nsecret.source: NEXTAUTH_SECRET_FILE\n'* ]] || _fail "$output"
    [[ $output != *"$SECRET"* ]] || _fail "the secret is in the output"
    run env -i NEXTAUTH_SECRET_FILE="$PWD/secret" NEXTAUTH_CONFIG=install.json REQUEST_URI=/dashboard/ \
        HTTP_ACCEPT=text/html "$GUARD_BIN" </dev/null
    [ "$output" = $'Status: 307 Temporary Redirect\r\nLocation: https://www.example.com/login?callbackUrl=%2Fdashboard%2F\r\nCache-Control: no-store\r\n\r' ] ||
        _fail "$output"
    grep -qF '# 307, Location: https://www.example.com/login?callbackUrl=%2Fdashboard%2F' "$REPO_ROOT/INSTALL" ||
        _fail "INSTALL's step 7 no longer says so"
    run env -i NEXTAUTH_SECRET_FILE="$PWD/secret" NEXTAUTH_CONFIG=install.json REQUEST_URI=/api/data \
        "$GUARD_BIN" </dev/null
    [ "$output" = $'Status: 401 Unauthorized\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n{"message":"You must be logged in."}' ] ||
        _fail "$output"
}
