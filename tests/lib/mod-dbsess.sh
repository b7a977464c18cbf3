# SPDX-License-Identifier: MIT
# tests/lib/mod-dbsess.sh — what the native modules' database-session suites
# share (tests/mod-apache-sqlite.bats, mod-nginx-sqlite.bats, mod-apache-pg.bats,
# mod-nginx-pg.bats). Each md_check_* function is the body of one @test against
# BASE, or its start: a suite that knows more about its server adds lines after
# the call (the last answer is still in gc_status, gc_hdr_file, gc_body_file).
# The users are dbsess-servers.sh's Ada (admin) and Bob (user), with the
# session tokens "ada" and "bob"; the guarded paths are env.cgi's under /app/,
# /api/, /admin/ and /api/admin/ (gc_setup_root). Source it after bats'
# `load helpers`; it sources dbsess-servers.sh.
#
# Databases:
#   md_sqlite_db FILE    a Prisma SQLite database (ds_prisma_db) with the rows
#       of the tokens ada, bob (Bob's) and rv-del (Ada's).
#   md_pg_db PGD SQL     the database "app" of that cluster in the Prisma
#       schema, with Ada and Bob, then SQL (their session rows).
# Checks:
#   md_check_row_allows apache|nginx   a session row lets the request through
#       with the row's identity and role; nginx's site.conf hands the role
#       claim as NEXTAUTH_CLAIM_ROLE too.
#   md_check_refused     no row for the token: 401 JSON on an API, 307 to
#       sign-in on a page; then md_check_role_rule ''.
#   md_check_role_rule CACHE-CONTROL   a rule against Bob's role: 403 JSON on
#       an API (with that Cache-Control; '' leaves it unchecked), 307 on a
#       page; Ada passes.
#   md_check_deleted_row DB N   (SQLite) rv-del allowed N times in a row, its
#       row deleted, refused N times in a row (N > 1: by every worker).
#   md_check_writer_lock DB ERROR-LOG PROG [head]   (SQLite) a writer holding
#       DB: the 503 JSON on an API, the 503 page elsewhere (and with "head", a
#       HEAD request: md_check_head_503); served again once it commits; the
#       module (PROG) logged the store's failure in ERROR-LOG.
#   md_check_head_503    a HEAD request for Ada's page: 503 with Retry-After
#       and no body.

# shellcheck disable=SC2154 # gc_hdr_file, gc_body_file: set by gc_get
# shellcheck source=tests/lib/dbsess-servers.sh
. "$(dirname "${BASH_SOURCE[0]}")/dbsess-servers.sh"

md_sqlite_db() {
    ds_prisma_db "$1" && {
        ds_prisma_session_sql ada user-ada
        ds_prisma_session_sql bob user-bob
        ds_prisma_session_sql rv-del user-ada
    } | sqlite3 "$1"
}

md_pg_db() {
    pg_createdb "$1" app && pg_sql_file "$1" app "$REPO_ROOT/tests/vectors/dbsess-schema/prisma-pg.sql" &&
        pg_sql "$1" app "ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT;
INSERT INTO \"User\" (\"id\",\"name\",\"email\",\"image\",\"updatedAt\",\"role\") VALUES
  ('user-ada','Ada','ada@example.com','https://example.test/ada.png','2025-12-31 00:00:00','admin'),
  ('user-bob','Bob','bob@example.com',NULL,'2025-12-31 00:00:00','user');
$2"
}

md_check_row_allows() {
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed
    assert_env AUTH_TYPE NextAuth
    assert_env NEXTAUTH_NAME Ada
    assert_env NEXTAUTH_SUB user-ada
    assert_env NEXTAUTH_EXPIRES 2099-01-01T00:00:00.000Z
    if [ "$1" = nginx ]; then assert_env NEXTAUTH_CLAIM_ROLE admin; fi
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_user_allowed
    if [ "$1" = nginx ]; then assert_env NEXTAUTH_CLAIM_ROLE user; fi
}

md_check_refused() {
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie nobody)"
    assert_json_401
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie nobody)"
    assert_signin '%2Fapp%2Fenv.cgi'
    md_check_role_rule ''
}

md_check_role_rule() {
    gc_req /api/admin/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_http 403
    assert_header Content-Type application/json
    if [ -n "$1" ]; then assert_header Cache-Control "$1"; fi
    assert_body "$GC_JSON_403"
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_signin '%2Fadmin%2Fenv.cgi'
    gc_req /admin/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed
}

md_check_deleted_row() {
    local db=$1 n=$2 i
    for ((i = 0; i < n; i++)); do
        gc_req /api/env.cgi -H "Cookie: $(gc_cookie rv-del)"
        assert_admin_allowed
    done
    sqlite3 "$db" "DELETE FROM \"Session\" WHERE \"sessionToken\" = 'rv-del'"
    for ((i = 0; i < n; i++)); do
        gc_req /api/env.cgi -H "Cookie: $(gc_cookie rv-del)"
        assert_json_401
    done
}

md_check_writer_lock() {
    local db=$1 log=$2 prog=$3
    hold_lock "$db"
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_503 module api
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_503 module page
    if [ "${4-}" = head ]; then md_check_head_503; fi
    commit_lock
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed
    grep -qF "$prog: session store unavailable for /api/env.cgi" "$log" ||
        _fail "expected the guard's line in the error log"
}

md_check_head_503() {
    # the same status and headers as GET, no body
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)" -I
    assert_http 503
    assert_header Retry-After 5
    cmp -s "$gc_hdr_file" "$gc_body_file" || _gc_show "expected no body after the headers"
}
