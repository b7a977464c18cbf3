#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ngx_http_nextauth_module (nginx/ngx_http_nextauth_module.c) with database
# sessions on PostgreSQL: a private server for the file (tests/lib/postgres.sh:
# initdb in the file's temp folder, run as the postgres account when the tests
# run as root, a Unix socket in that folder only, stopped by its pid), the
# database "app" in the Prisma schema (tests/vectors/dbsess-schema/
# prisma-pg.sql) with a "role" column made a claim by database.claims, behind
# a private nginx on tests/fixtures-nginx/nginx.conf (two workers, each with
# its own connection). The same answers as nextauth-guard gives behind nginx
# (tests/dbsess-servers-pg.bats), checked as the client gets them: a row lets
# the request in with its identity, no row or a deleted one is refused, the
# server stopped gives the guard's 503 (JSON on an API, its page elsewhere),
# and once it is started again the same workers serve again, nginx not
# reloaded.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/dbsess-servers.sh
. "$BATS_TEST_DIRNAME/lib/dbsess-servers.sh"
load lib/postgres.sh

MP_TEMPLATE="$BATS_TEST_DIRNAME/fixtures-nginx/nginx.conf"
MP_MODULE="$REPO_ROOT/nginx/ngx_http_nextauth_module.so"
MP_PROG=ngx_http_nextauth_module
SCHEMA="$REPO_ROOT/tests/vectors/dbsess-schema"
TIMEOUT_MS=1000
# ds_check_revocation's names: one server, in DS_ROOT/nginx-module
DS_SERVERS=(nginx-module)

# For ds_check_revocation: the session table, a statement on the database, and
# 1 s ago as Prisma's timestamp holds it (UTC wall time).
session_table() { echo '"Session"'; }
run_sql() { pg_sql "$PGD" app "$2"; }
past() { echo "now() AT TIME ZONE 'UTC' - interval '1 second'"; }

# session_sql TOKEN USER-ID — a session row valid until 2099-01-01.
session_sql() {
    echo "INSERT INTO \"Session\" (\"sessionToken\",\"userId\",\"expires\",\"updatedAt\")
        VALUES ('$1','$2','2099-01-01 00:00:00','2025-12-31 00:00:00');"
}

setup_file() {
    local t s
    for t in nginx jq curl spawn-fcgi perl; do
        command -v "$t" >/dev/null || {
            echo "mod-nginx-pg: $t is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
    if [ ! -f "$MP_MODULE" ] || [ ! -x "$GC_TOKEN_BIN" ]; then
        echo "mod-nginx-pg: build first (make && make nginx-module): $MP_MODULE, $GC_TOKEN_BIN" >&2
        return 1
    fi
    clean_env
    export PGD="$BATS_FILE_TMPDIR/pg"
    pg_start "$PGD" || return 1
    s=$(session_sql ada user-ada; session_sql bob user-bob)
    for t in del cli exp; do s+=$(session_sql "rv-$t-nginx-module" user-ada); done
    pg_createdb "$PGD" app && pg_sql_file "$PGD" app "$SCHEMA/prisma-pg.sql" &&
        pg_sql "$PGD" app "ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT;
INSERT INTO \"User\" (\"id\",\"name\",\"email\",\"image\",\"updatedAt\",\"role\") VALUES
  ('user-ada','Ada','ada@example.com','https://example.test/ada.png','2025-12-31 00:00:00','admin'),
  ('user-bob','Bob','bob@example.com',NULL,'2025-12-31 00:00:00','user');
$s" || return 1
    export DS_ROOT="$BATS_FILE_TMPDIR/ds" MP_ROOT="$BATS_FILE_TMPDIR/ds/nginx-module"
    gc_setup_root "$MP_ROOT" || return 1
    # the guard's config where ds_check_revocation looks for it (revoke --config)
    ds_config "$MP_ROOT/guard.json" "$(pg_url "$PGD" app)" prisma "$TIMEOUT_MS" || return 1
    GC_SPAWN_ENV=()
    gc_spawn "$MP_ROOT" cgi "$MP_ROOT/run/cgi.sock" 1 /usr/bin/perl "$GC_FIXTURES/fcgi-cgi.pl" ||
        return 1
    cp "$BATS_TEST_DIRNAME/fixtures-nginx/site.conf" "$MP_ROOT/site.conf.in"
    # no application behind /service/ here: nothing listens on port 1
    ng_start "$MP_ROOT" "$MP_TEMPLATE" USER="$(ng_user)" TEMP_PATHS="$(ng_temp_paths "$MP_ROOT")" \
        MODULE="$MP_MODULE" NEXTAUTH_CONF="$MP_ROOT/guard.json" APP_PORT=1 || return 1
    echo "$NG_URL" >"$MP_ROOT/url"
    export BASE=$NG_URL MP_PID=$NG_PID
}

teardown_file() {
    [ -n "${MP_ROOT-}" ] && ng_stop "$MP_ROOT" && gc_spawn_stop "$MP_ROOT" cgi
    [ -n "${PGD-}" ] && pg_stop "$PGD"
    return 0
}

teardown() {
    # a test that stopped the server leaves it running for the others
    [ -f "$PGD/pg.pid" ] || pg_start "$PGD" >&2
    if [ -n "${BATS_TEST_COMPLETED-}" ]; then return 0; fi
    srv_dump "$MP_ROOT/logs/error.log"
    pg_dump_log "$PGD"
}

# The module logs the guard's lines as "ngx_http_nextauth_module: …".
mp_logged() { # MSG
    srv_poll 2 grep -qF "$MP_PROG: $1" "$MP_ROOT/logs/error.log" ||
        _fail "no '$MP_PROG: $1' line in the error log:" "$(tail -n 5 "$MP_ROOT/logs/error.log" | cut -c 1-300)"
}

# The master and its workers, one a line: a reload or a respawn changes them.
mp_pids() {
    echo "$MP_PID"
    pgrep -P "$MP_PID" | sort
}

# The module's connections to "app" (application_name nextauth-fcgi).
mp_connections() {
    pg_sql "$PGD" postgres "SELECT count(*) FROM pg_stat_activity
        WHERE datname = 'app' AND application_name = 'nextauth-fcgi'"
}

@test "nginx module, postgresql: a session row lets the request through with the row's identity and role; one connection per worker" {
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_NAME Ada
    assert_env NEXTAUTH_SUB user-ada
    assert_env NEXTAUTH_EXPIRES 2099-01-01T00:00:00.000Z
    assert_env NEXTAUTH_CLAIM_ROLE admin
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_user_allowed
    assert_env NEXTAUTH_SUB user-bob
    assert_env NEXTAUTH_CLAIM_ROLE user
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie bob)"
    assert_http 200
    assert_body $'guarded page\n'
    # a second request on each worker, then: one connection each, no more
    local i
    for i in 1 2 3 4; do
        gc_req /api/data.json -H "Cookie: $(gc_cookie ada)"
        assert_http 200
        assert_body $'{"data":"guarded api"}\n'
    done
    [ "$(mp_connections)" = 2 ] ||
        _fail "expected 2 connections (one per worker):" "$(pg_sql "$PGD" postgres "SELECT datname, application_name, state FROM pg_stat_activity")"
}

@test "nginx module, postgresql: no cookie or a token no row has: 401 JSON on /api/, 307 to sign-in on a page; a rule against the role: 403 / 307" {
    local c
    for c in 'X-None: 1' "Cookie: $(gc_cookie no-such-token)"; do
        gc_req /api/data.json -H "$c"
        assert_json_401
        refute_header Location
        gc_req '/docs/page.txt?a=1' -H "$c"
        assert_signin '%2Fdocs%2Fpage.txt%3Fa%3D1'
        refute_body_has 'guarded page'
    done
    mp_logged 'bad session token (no session row for the token) for /api/data.json'
    gc_req /api/admin/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_http 403
    assert_header Content-Type application/json
    assert_header Cache-Control no-store
    assert_body "$GC_JSON_403"
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_signin '%2Fadmin%2Fenv.cgi'
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed
}

@test "nginx module, postgresql: a deleted row, nextauth-token revoke, an expiry in the past: the very next request is refused" {
    ds_check_revocation run_sql past
}

@test "nginx module, postgresql: a deleted row is refused by either worker at once" {
    local i
    pg_sql "$PGD" app "$(session_sql rv-both user-bob)"
    for i in 1 2 3 4; do
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie rv-both)"
        assert_user_allowed
    done
    pg_sql "$PGD" app "DELETE FROM \"Session\" WHERE \"sessionToken\" = 'rv-both'"
    for i in 1 2 3 4; do
        gc_req /api/data.json -H "Cookie: $(gc_cookie rv-both)"
        assert_json_401
    done
}

@test "nginx module, postgresql: the server stopped: the guard's 503 (JSON on an API, its page elsewhere), the usual answers without a session; started again: served, nginx not reloaded" {
    local pids
    gc_req /api/data.json -H "Cookie: $(gc_cookie ada)"
    assert_http 200
    pids=$(mp_pids)
    pg_stop "$PGD"
    gc_req /api/data.json -H "Cookie: $(gc_cookie ada)"
    assert_503 module api
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie ada)"
    assert_503 module page
    refute_body_has 'guarded page'
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_503 module page
    refute_body_has REMOTE_USER
    # HEAD: the same status and headers, no body
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)" -I
    assert_http 503
    assert_header Retry-After 5
    cmp -s "$gc_hdr_file" "$gc_body_file" || _gc_show "expected no body after the headers"
    # a client that does not take HTML gets the JSON on a page too
    gc_req /docs/page.txt -H "Cookie: $(gc_cookie ada)" -H 'Accept: application/json'
    assert_503 module api
    # a token the database never had: the same 503 (it cannot be told)
    gc_req /admin/a.txt -H "Cookie: $(gc_cookie no-such-token)"
    assert_503 module page
    # no session cookie: the database is not asked
    gc_req /api/data.json
    assert_json_401
    gc_req /docs/page.txt
    assert_signin '%2Fdocs%2Fpage.txt'
    # /public/ is not checked
    gc_req /public/p.txt -H "Cookie: $(gc_cookie ada)"
    assert_http 200
    assert_body $'public file\n'
    mp_logged 'session store unavailable for /api/data.json: database: '
    pg_start "$PGD"
    local i
    for i in 1 2 3 4; do
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
        assert_admin_allowed
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie bob)"
        assert_http 200
        assert_body $'guarded page\n'
    done
    [ "$(mp_pids)" = "$pids" ] || _fail "nginx or a worker was restarted:" "$pids" "$(mp_pids)"
    ! grep -qE 'Cookie: .*(ada|bob)|token=(ada|bob)' "$MP_ROOT/logs/error.log" || _fail "a token reached the error log"
}
