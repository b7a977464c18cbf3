#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# nextauth-guard with database sessions on SQLite (docs/behaviour.md, Database
# sessions) behind a private lighttpd, Apache 2.4 and nginx, each on its
# example file (tests/lib/dbsess-servers.sh), all started once for the file.
# lighttpd and Apache read a database in the Prisma schema
# (tests/vectors/dbsess-schema/prisma-sqlite.sql, times as Prisma 7 writes
# them), nginx one in Drizzle's (drizzle-sqlite.sql, integer milliseconds);
# each user table has a column "role", which database.claims makes a claim.
# Both files keep SQLite's default rollback journal, as Prisma and Drizzle
# leave it: a writer holding the database locks the guard out, so the guard
# answers 503 once database.timeoutMs (300 here) has passed, and serves again
# once the writer commits. The last test moves nginx's guard to a WAL copy,
# where the same writer does not hold it up.
# Every answer is checked as the client gets it: status, headers, body.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/dbsess-servers.sh
. "$BATS_TEST_DIRNAME/lib/dbsess-servers.sh"

SCHEMA="$REPO_ROOT/tests/vectors/dbsess-schema"
TIMEOUT_MS=300

# The database of each server's guard.
db_of() {
    case $1 in
    nginx) echo "$DS_ROOT/drizzle.db" ;;
    *) echo "$DS_ROOT/prisma.db" ;;
    esac
}

# A Drizzle database: the same users as ds_prisma_db's (integer milliseconds).
make_drizzle_db() { # FILE
    sqlite3 "$1" <"$SCHEMA/drizzle-sqlite.sql" && sqlite3 "$1" <<'EOF'
ALTER TABLE `user` ADD COLUMN `role` text;
INSERT INTO `user` (`id`,`name`,`email`,`image`,`role`) VALUES
  ('user-ada','Ada','ada@example.com','https://example.test/ada.png','admin'),
  ('user-bob','Bob','bob@example.com',NULL,'user');
EOF
}

# session_sql SERVER TOKEN USER-ID — the INSERT of a session row in that
# server's database, valid until 2099-01-01.
session_sql() {
    case $1 in
    nginx)
        echo "INSERT INTO \`session\` (\`sessionToken\`,\`userId\`,\`expires\`)
            VALUES ('$2','$3',4070908800000);"
        ;;
    *) ds_prisma_session_sql "$2" "$3" ;;
    esac
}

# The rows the tests use, per server: ada-SERVER and bob-SERVER, and for the
# revocation test rv-del-, rv-cli- and rv-exp-SERVER (Ada's).
add_sessions() { # SERVER
    local s=$1 t
    {
        session_sql "$s" "ada-$s" user-ada
        session_sql "$s" "bob-$s" user-bob
        for t in del cli exp; do
            session_sql "$s" "rv-$t-$s" user-ada
        done
    } | sqlite3 "$(db_of "$s")"
}

# session_table SERVER — the session table of that server's database, quoted.
# shellcheck disable=SC2016 # backquotes are SQLite's quotes here
session_table() {
    case $1 in
    nginx) echo '`session`' ;;
    *) echo '"Session"' ;;
    esac
}

setup_file() {
    local s
    for s in lighttpd apache2 nginx spawn-fcgi sqlite3 jq curl; do
        command -v "$s" >/dev/null || {
            echo "dbsess-servers-sqlite: $s is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
    if [ ! -x "$GC_GUARD_BIN" ] || [ ! -x "$GC_TOKEN_BIN" ]; then
        echo "build first (make): $GC_GUARD_BIN, $GC_TOKEN_BIN" >&2
        return 1
    fi
    ds_root DS_ROOT || return 1
    export DS_ROOT
    ds_prisma_db "$DS_ROOT/prisma.db" && make_drizzle_db "$DS_ROOT/drizzle.db" || return 1
    for s in "${DS_SERVERS[@]}"; do
        add_sessions "$s" || return 1
    done
    ds_config "$DS_ROOT/prisma.json" "sqlite:$DS_ROOT/prisma.db" prisma "$TIMEOUT_MS" &&
        ds_config "$DS_ROOT/drizzle.json" "sqlite:$DS_ROOT/drizzle.db" drizzle "$TIMEOUT_MS" ||
        return 1
    ds_start_all "$DS_ROOT" "$DS_ROOT/prisma.json" "$DS_ROOT/prisma.json" "$DS_ROOT/drizzle.json"
}

teardown_file() {
    [ -n "${DS_ROOT-}" ] || return 0
    release_lock
    ds_stop_all "$DS_ROOT"
    rm -rf "$DS_ROOT"
}

setup() {
    LOCK_PID=''
}

teardown() {
    local s
    release_lock
    # a test that moved nginx's guard to another database puts it back
    if [ -f "$DS_ROOT/nginx/guard.changed" ]; then
        cp "$DS_ROOT/drizzle.json" "$DS_ROOT/nginx/guard.json"
        ds_restart_guard nginx "$DS_ROOT/nginx"
        rm -f "$DS_ROOT/nginx/guard.changed"
    fi
    if [ -n "${BATS_TEST_COMPLETED-}" ]; then return 0; fi
    for s in "${DS_SERVERS[@]}"; do
        srv_dump "$DS_ROOT/$s/logs/error.log"
    done
}

# --- the tests ----------------------------------------------------------------------

@test "sqlite: both databases keep the rollback journal (Prisma's and Drizzle's default), not WAL" {
    [ "$(sqlite3 "$DS_ROOT/prisma.db" 'PRAGMA journal_mode')" = delete ]
    [ "$(sqlite3 "$DS_ROOT/drizzle.db" 'PRAGMA journal_mode')" = delete ]
}

@test "sqlite: lighttpd, Apache, nginx: a session row lets the request through with the row's identity and role" {
    local s
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "ada-$s")"
        assert_admin_allowed
        assert_env AUTH_TYPE NextAuth
        assert_env NEXTAUTH_NAME Ada
        assert_env NEXTAUTH_SUB user-ada
        assert_env NEXTAUTH_EXPIRES 2099-01-01T00:00:00.000Z
        refute_variable_headers
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "bob-$s")"
        assert_user_allowed
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
        assert_body $'guarded page\n'
        refute_header X-Nextauth-User
    done
    # nginx hands the identity to a proxied application as headers
    gc_req /service/x -H "Cookie: $(gc_cookie ada-nginx)"
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_USER ada@example.com
    assert_env HTTP_X_NEXTAUTH_SUB user-ada
    assert_env HTTP_X_NEXTAUTH_ROLE admin
    assert_env HTTP_REMOTE_USER ada@example.com
}

@test "sqlite: lighttpd, Apache, nginx: no cookie or an unknown token: 401 JSON on /api/, 307 to sign-in on a page" {
    ds_check_no_session
    # the example's 503 locations are internal
    gc_req /_nextauth/unavailable/json
    assert_http 404
    gc_req /_nextauth/unavailable/page -H "Cookie: $(gc_cookie ada-nginx)"
    assert_http 404
}

@test "sqlite: lighttpd, Apache, nginx: the admin-only rule on the role column: a user gets 307 / 403, an admin the file" {
    local s
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        gc_req /admin/a.txt -H "Cookie: $(gc_cookie "bob-$s")"
        assert_signin '%2Fadmin%2Fa.txt'
        gc_req /api/admin/x.json -H "Cookie: $(gc_cookie "bob-$s")"
        assert_http 403
        assert_header Content-Type application/json
        assert_header Cache-Control no-store
        assert_body "$GC_JSON_403"
        gc_req /admin/a.txt -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
        assert_body $'admin only\n'
        gc_req /api/admin/x.json -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
        assert_body $'{"data":"admin api"}\n'
        ds_guard_logged "$s" "$DS_ROOT/$s" 'nextauth-guard: not authorized for /api/admin/x.json'
    done
}

# run_sql SERVER STATEMENT / past SERVER — for ds_check_revocation: 1 s ago
# as integer milliseconds (Drizzle's form, nginx's database) or as ISO text
# (Prisma's, the others')
run_sql() { sqlite3 "$(db_of "$1")" "$2"; }
past() {
    if [ "$1" = nginx ]; then
        echo "$(($(date +%s) - 1))000"
    else
        echo "'$(date -u -d '1 second ago' '+%Y-%m-%dT%H:%M:%S.000+00:00')'"
    fi
}

@test "sqlite: lighttpd, Apache, nginx: a deleted row, nextauth-token revoke, an expiry in the past: the very next request is refused" {
    ds_check_revocation run_sql past
}

@test "sqlite: lighttpd, Apache, nginx: a writer holding the lock: 503 after database.timeoutMs (API JSON, page HTML); committed: allowed again" {
    local s ms
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        gc_req /api/data.json -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
        hold_lock "$(db_of "$s")"
        # the time curl measures, from connecting to the last byte
        ms=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}' \
            -H "Cookie: $(gc_cookie "ada-$s")" "$BASE/api/data.json")
        [ "${ms%% *}" = 503 ] || _fail "$s: $ms"
        ms=$(LC_ALL=C awk -v t="${ms#* }" 'BEGIN { printf "%d", t * 1000 }')
        [ "$ms" -ge "$TIMEOUT_MS" ] || _fail "$s: answered after $ms ms, before the busy timeout"
        # a bound for a loaded machine: the point is the wait ends
        [ "$ms" -lt $((TIMEOUT_MS + 2000)) ] || _fail "$s: answered after $ms ms"
        gc_req /api/data.json -H "Cookie: $(gc_cookie "ada-$s")"
        assert_503 "$s" api
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "ada-$s")"
        assert_503 "$s" page
        refute_body_has 'guarded page'
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 503
        refute_body_has REMOTE_USER
        # without a cookie the database is not asked: the usual answers, at once
        gc_req /api/data.json
        assert_json_401
        gc_req /docs/page.txt
        assert_signin '%2Fdocs%2Fpage.txt'
        ds_guard_logged "$s" "$DS_ROOT/$s" \
            "nextauth-guard: session store unavailable for /api/data.json: "
        commit_lock
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "ada-$s")"
        assert_admin_allowed
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
    done
    # the log names the path and the cause, never the token
    ! grep -qE 'ada-(lighttpd|apache|nginx)' "$DS_ROOT"/*/logs/error.log || _fail "a token reached an error log"
}

@test "sqlite: in WAL mode a writer holding the lock does not hold the guard up (nginx)" {
    local db=$DS_ROOT/wal.db ms
    cp "$DS_ROOT/drizzle.db" "$db"
    [ "$(sqlite3 "$db" 'PRAGMA journal_mode = WAL')" = wal ]
    touch "$DS_ROOT/nginx/guard.changed"
    ds_config "$DS_ROOT/nginx/guard.json" "sqlite:$db" drizzle "$TIMEOUT_MS"
    ds_restart_guard nginx "$DS_ROOT/nginx"
    ds_base nginx "$DS_ROOT/nginx"
    hold_lock "$db"
    ms=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}' \
        -H "Cookie: $(gc_cookie ada-nginx)" "$BASE/api/data.json")
    [ "${ms%% *}" = 200 ] || _fail "got $ms"
    ms=$(LC_ALL=C awk -v t="${ms#* }" 'BEGIN { printf "%d", t * 1000 }')
    [ "$ms" -lt "$TIMEOUT_MS" ] || _fail "answered after $ms ms: it waited for the lock"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada-nginx)"
    assert_admin_allowed
    # a row the writer deletes is still there for readers until it commits
    echo "DELETE FROM \`session\` WHERE \`sessionToken\` = 'bob-nginx';" >&8
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie bob-nginx)"
    assert_user_allowed
    commit_lock
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie bob-nginx)"
    assert_signin '%2Fapp%2Fenv.cgi'
}
