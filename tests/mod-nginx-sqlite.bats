#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ngx_http_nextauth_module (nginx/ngx_http_nextauth_module.c) with database
# sessions on SQLite, in the Prisma schema (tests/vectors/dbsess-schema/
# prisma-sqlite.sql, a "role" column made a claim by database.claims), behind a
# private nginx on tests/fixtures-nginx/nginx.conf: the same answers as
# nextauth-guard gives behind nginx (tests/dbsess-servers-sqlite.bats), checked
# as the client gets them. Each of the two workers has its own connection. The
# database keeps SQLite's rollback journal, so a writer holding it locks the
# module's readers out: 503 once database.timeoutMs (300 here) has passed,
# served again once the writer commits.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/dbsess-servers.sh
. "$BATS_TEST_DIRNAME/lib/dbsess-servers.sh"

MS_TEMPLATE="$BATS_TEST_DIRNAME/fixtures-nginx/nginx.conf"
MS_MODULE="$REPO_ROOT/nginx/ngx_http_nextauth_module.so"
SCHEMA="$REPO_ROOT/tests/vectors/dbsess-schema"

# ms_session TOKEN USER-ID — a session row valid until 2099-01-01.
ms_session() {
    sqlite3 "$MS_ROOT/prisma.db" "INSERT INTO \"Session\" (\"id\",\"sessionToken\",\"userId\",\"expires\",\"updatedAt\")
        VALUES ('id-$1','$1','$2','2099-01-01T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00');"
}

setup_file() {
    local t
    for t in nginx sqlite3 jq curl spawn-fcgi perl; do
        command -v "$t" >/dev/null || {
            echo "mod-nginx-sqlite: $t is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
    if [ ! -f "$MS_MODULE" ]; then
        echo "mod-nginx-sqlite: build first (make nginx-module): $MS_MODULE" >&2
        return 1
    fi
    clean_env
    export MS_ROOT="$BATS_FILE_TMPDIR/ng"
    mkdir -p "$MS_ROOT"
    sqlite3 "$MS_ROOT/prisma.db" <"$SCHEMA/prisma-sqlite.sql" && sqlite3 "$MS_ROOT/prisma.db" <<'SQL' || return 1
ALTER TABLE "User" ADD COLUMN "role" TEXT;
INSERT INTO "User" ("id","name","email","image","createdAt","updatedAt","role") VALUES
  ('user-ada','Ada','ada@example.com','https://example.test/ada.png',
   '2025-12-31T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00','admin'),
  ('user-bob','Bob','bob@example.com',NULL,
   '2025-12-31T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00','user');
SQL
    ms_session ada user-ada && ms_session bob user-bob && ms_session rv-del user-ada || return 1
    gc_setup_root "$MS_ROOT" || return 1
    ds_config "$MS_ROOT/prisma.json" "sqlite:$MS_ROOT/prisma.db" prisma 300 || return 1
    GC_SPAWN_ENV=()
    gc_spawn "$MS_ROOT" cgi "$MS_ROOT/run/cgi.sock" 1 /usr/bin/perl "$GC_FIXTURES/fcgi-cgi.pl" ||
        return 1
    cp "$BATS_TEST_DIRNAME/fixtures-nginx/site.conf" "$MS_ROOT/site.conf.in"
    # no application behind /service/ here: nothing listens on port 1
    ng_start "$MS_ROOT" "$MS_TEMPLATE" USER="$(ng_user)" TEMP_PATHS="$(ng_temp_paths "$MS_ROOT")" \
        MODULE="$MS_MODULE" NEXTAUTH_CONF="$MS_ROOT/prisma.json" APP_PORT=1 || return 1
    export BASE=$NG_URL
}

teardown_file() {
    [ -n "${MS_ROOT-}" ] || return 0
    release_lock
    ng_stop "$MS_ROOT"
    gc_spawn_stop "$MS_ROOT" cgi
}

setup() {
    LOCK_PID=''
}

teardown() {
    release_lock
}

@test "nginx module, sqlite: a session row lets the request through with the row's identity and role" {
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_NAME Ada
    assert_env NEXTAUTH_SUB user-ada
    assert_env NEXTAUTH_EXPIRES 2099-01-01T00:00:00.000Z
    assert_env NEXTAUTH_CLAIM_ROLE admin
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_user_allowed || return 1
    assert_env NEXTAUTH_CLAIM_ROLE user
}

@test "nginx module, sqlite: no row for the token, or a rule against the role: refused" {
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie nobody)"
    assert_json_401
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie nobody)"
    assert_signin '%2Fapp%2Fenv.cgi'
    gc_req /api/admin/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_http 403
    assert_header Content-Type application/json
    assert_body "$GC_JSON_403"
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_signin '%2Fadmin%2Fenv.cgi'
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
}

@test "nginx module, sqlite: a deleted row is refused on the very next request, by either worker" {
    local i
    for i in 1 2 3 4; do
        gc_req /api/env.cgi -H "Cookie: $(gc_cookie rv-del)"
        assert_admin_allowed || return 1
    done
    sqlite3 "$MS_ROOT/prisma.db" "DELETE FROM \"Session\" WHERE \"sessionToken\" = 'rv-del'"
    for i in 1 2 3 4; do
        gc_req /api/env.cgi -H "Cookie: $(gc_cookie rv-del)"
        assert_json_401
    done
}

@test "nginx module, sqlite: a writer holding the database: 503 JSON on an API, the 503 page elsewhere; served again after its commit" {
    hold_lock "$MS_ROOT/prisma.db"
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_503 module api
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_503 module page
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)" -I
    assert_http 503
    assert_header Retry-After 5
    cmp -s "$gc_hdr_file" "$gc_body_file" || _gc_show "expected no body after the headers"
    commit_lock
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
    grep -qF 'ngx_http_nextauth_module: session store unavailable for /api/env.cgi' \
        "$MS_ROOT/logs/error.log" || _fail "expected the guard's line in the error log"
}
