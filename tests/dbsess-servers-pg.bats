#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# nextauth-guard with database sessions on PostgreSQL (docs/behaviour.md,
# Database sessions) behind a private lighttpd, Apache 2.4 and nginx, each on
# its example file (tests/lib/dbsess-servers.sh), with one private PostgreSQL
# for the file (tests/lib/postgres.sh: a Unix socket, and here 127.0.0.1 too).
# lighttpd and Apache read the database "app" in the Prisma schema
# (tests/vectors/dbsess-schema/prisma-pg.sql), nginx the database "pgad" in
# @auth/pg-adapter's (pg-adapter.sql: integer user ids); each user table has a
# column "role", which database.claims makes a claim.
# Besides the answers for a session, none and a role rule, and revocation: the
# server stopped and started under the running guards (503 meanwhile, never an
# allow or a sign-in redirect; served again without a restart), a libpq host
# list with a dead entry first, and target_session_attrs=prefer-standby
# against a real streaming standby (pg_basebackup -R), which keeps serving the
# guard once the primary is stopped. Every answer is checked as the client
# gets it: status, headers, body.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/dbsess-servers.sh
. "$BATS_TEST_DIRNAME/lib/dbsess-servers.sh"
load lib/postgres.sh

SCHEMA="$REPO_ROOT/tests/vectors/dbsess-schema"
TIMEOUT_MS=1000

# The database of each server's guard, and the user ids of Ada and Bob there.
db_of() {
    case $1 in
    nginx) echo pgad ;;
    *) echo app ;;
    esac
}
ada_id() {
    case $1 in
    nginx) echo 1 ;;
    *) echo user-ada ;;
    esac
}
bob_id() {
    case $1 in
    nginx) echo 2 ;;
    *) echo user-bob ;;
    esac
}
session_table() {
    case $1 in
    nginx) echo sessions ;;
    *) echo '"Session"' ;;
    esac
}

# add_session SERVER TOKEN USER-ID — a session row in that server's database,
# valid until 2099-01-01.
add_session() {
    pg_sql "$PGD" "$(db_of "$1")" "$(session_sql "$@")"
}

session_sql() { # SERVER TOKEN USER-ID
    case $1 in
    nginx)
        echo "INSERT INTO sessions (\"userId\",expires,\"sessionToken\")
            VALUES ($3,'2099-01-01 00:00:00+00','$2');"
        ;;
    *)
        echo "INSERT INTO \"Session\" (\"sessionToken\",\"userId\",\"expires\",\"updatedAt\")
            VALUES ('$2','$3','2099-01-01 00:00:00','2025-12-31 00:00:00');"
        ;;
    esac
}

# The rows the tests use, made at once (every psql costs): per server
# ada-SERVER and bob-SERVER, and for the revocation test rv-del-, rv-cli- and
# rv-exp-SERVER (Ada's).
all_sessions_sql() { # SERVER...
    local s t
    for s in "$@"; do
        session_sql "$s" "ada-$s" "$(ada_id "$s")"
        session_sql "$s" "bob-$s" "$(bob_id "$s")"
        for t in del cli exp; do
            session_sql "$s" "rv-$t-$s" "$(ada_id "$s")"
        done
    done
}

setup_file() {
    local s
    for s in lighttpd apache2 nginx spawn-fcgi jq curl; do
        command -v "$s" >/dev/null || {
            echo "dbsess-servers-pg: $s is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
    if [ ! -x "$GC_GUARD_BIN" ] || [ ! -x "$GC_TOKEN_BIN" ]; then
        echo "build first (make): $GC_GUARD_BIN, $GC_TOKEN_BIN" >&2
        return 1
    fi
    export PGD="$BATS_FILE_TMPDIR/pg" SBD="$BATS_FILE_TMPDIR/standby"
    # TCP on 127.0.0.1 as well, for the host list of conninfo form
    pg_start "$PGD" listen_addresses=127.0.0.1 || return 1
    pg_createdb "$PGD" app && pg_sql_file "$PGD" app "$SCHEMA/prisma-pg.sql" &&
        pg_sql "$PGD" app "ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT;
INSERT INTO \"User\" (\"id\",\"name\",\"email\",\"image\",\"updatedAt\",\"role\") VALUES
  ('user-ada','Ada','ada@example.com','https://example.test/ada.png','2025-12-31 00:00:00','admin'),
  ('user-bob','Bob','bob@example.com',NULL,'2025-12-31 00:00:00','user');
$(all_sessions_sql lighttpd apache)" || return 1
    pg_createdb "$PGD" pgad && pg_sql_file "$PGD" pgad "$SCHEMA/pg-adapter.sql" &&
        pg_sql "$PGD" pgad "ALTER TABLE users ADD COLUMN role TEXT;
INSERT INTO users (name,email,image,role) VALUES
  ('Ada','ada@example.com','https://example.test/ada.png','admin'),
  ('Bob','bob@example.com',NULL,'user');
$(all_sessions_sql nginx)" || return 1
    ds_root DS_ROOT || return 1
    export DS_ROOT
    ds_config "$DS_ROOT/prisma.json" "$(pg_url "$PGD" app)" prisma "$TIMEOUT_MS" &&
        ds_config "$DS_ROOT/pgad.json" "$(pg_url "$PGD" pgad)" pg "$TIMEOUT_MS" || return 1
    ds_start_all "$DS_ROOT" "$DS_ROOT/prisma.json" "$DS_ROOT/prisma.json" "$DS_ROOT/pgad.json"
}

teardown_file() {
    if [ -n "${DS_ROOT-}" ]; then
        ds_stop_all "$DS_ROOT"
        rm -rf "$DS_ROOT"
    fi
    pg_stop "$SBD"
    pg_stop "$PGD"
}

setup() {
    TRAFFIC=()
}

teardown() {
    local s
    stop_traffic
    # a test that stopped the server or changed a guard's database leaves it
    # as the others expect it
    [ -f "$PGD/pg.pid" ] || pg_start "$PGD" >&2
    for s in apache nginx; do
        if [ -f "$DS_ROOT/$s/guard.changed" ]; then
            cp "$DS_ROOT/$([ "$s" = nginx ] && echo pgad || echo prisma).json" "$DS_ROOT/$s/guard.json"
            ds_restart_guard "$s" "$DS_ROOT/$s"
            rm -f "$DS_ROOT/$s/guard.changed"
        fi
    done
    if [ -n "${BATS_TEST_COMPLETED-}" ]; then return 0; fi
    for s in "${DS_SERVERS[@]}"; do
        srv_dump "$DS_ROOT/$s/logs/error.log"
    done
    pg_dump_log "$PGD"
}

# use_database SERVER URL — restart that server's guard (apache or nginx) on
# another database url; teardown puts the usual one back.
use_database() {
    local s=$1 adapter
    adapter=$([ "$s" = nginx ] && echo pg || echo prisma)
    touch "$DS_ROOT/$s/guard.changed"
    ds_config "$DS_ROOT/$s/guard.json" "$2" "$adapter" "$TIMEOUT_MS"
    ds_restart_guard "$s" "$DS_ROOT/$s"
}

# The pids of each server's processes (the server's, and its guards'): a
# restart would change them.
server_pids() {
    local s
    for s in "${DS_SERVERS[@]}"; do
        cat "$DS_ROOT/$s"/run/*.pid 2>/dev/null
        echo
    done
    lt_children "$DS_ROOT/lighttpd" | sort
}

# --- the answers ------------------------------------------------------------------

@test "postgresql: lighttpd, Apache, nginx: a session row lets the request through with the row's identity and role; one connection per guard process" {
    local s
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "ada-$s")"
        assert_admin_allowed
        assert_env AUTH_TYPE NextAuth
        assert_env NEXTAUTH_NAME Ada
        assert_env NEXTAUTH_SUB "$(ada_id "$s")"
        assert_env NEXTAUTH_EXPIRES 2099-01-01T00:00:00.000Z
        refute_variable_headers
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "bob-$s")"
        assert_user_allowed
        assert_env NEXTAUTH_SUB "$(bob_id "$s")"
        gc_req /api/data.json -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
        assert_body $'{"data":"guarded api"}\n'
        refute_header X-Nextauth-User
    done
    # one connection per guard process, made at start: lighttpd's 4 and
    # Apache's 2 on "app", nginx's 2 on "pgad"
    [ "$(pg_sql "$PGD" postgres "SELECT string_agg(datname || '=' || n, ' ' ORDER BY datname)
        FROM (SELECT datname, count(*) AS n FROM pg_stat_activity
              WHERE application_name = 'nextauth-fcgi' GROUP BY datname) c")" = 'app=6 pgad=2' ] ||
        _fail "guard connections: $(pg_sql "$PGD" postgres "SELECT datname, application_name FROM pg_stat_activity")"
    # nginx hands the identity to a proxied application as headers
    gc_req /service/x -H "Cookie: $(gc_cookie bob-nginx)"
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_USER bob@example.com
    assert_env HTTP_X_NEXTAUTH_SUB 2
    assert_env HTTP_X_NEXTAUTH_ROLE user
    assert_env HTTP_REMOTE_USER bob@example.com
}

@test "postgresql: lighttpd, Apache, nginx: no cookie or an unknown token: 401 JSON on /api/, 307 to sign-in on a page" {
    ds_check_no_session
}

@test "postgresql: lighttpd, Apache, nginx: the admin-only rule on the role column: a user gets 307 / 403, an admin the file" {
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
        gc_req /admin/env.cgi -H "Cookie: $(gc_cookie "ada-$s")"
        assert_admin_allowed
        gc_req /api/admin/x.json -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
        assert_body $'{"data":"admin api"}\n'
        ds_guard_logged "$s" "$DS_ROOT/$s" 'nextauth-guard: not authorized for /api/admin/x.json'
    done
}

# run_sql SERVER STATEMENT / past SERVER — for ds_check_revocation: 1 s ago
# by the server's clock, a timestamptz for nginx's (pg adapter) database, UTC
# wall time for Prisma's timestamp
run_sql() { pg_sql "$PGD" "$(db_of "$1")" "$2"; }
past() {
    if [ "$1" = nginx ]; then
        echo "now() - interval '1 second'"
    else
        echo "now() AT TIME ZONE 'UTC' - interval '1 second'"
    fi
}

@test "postgresql: lighttpd, Apache, nginx: a deleted row, nextauth-token revoke, an expiry in the past: the very next request is refused" {
    ds_check_revocation run_sql past
}

# --- the server going away ---------------------------------------------------------

@test "postgresql: lighttpd, Apache, nginx: the server stopped: 503 with Retry-After and no-store for every session, the usual answers without one; started again: allowed, nothing restarted" {
    local s pids
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        gc_req /api/data.json -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
    done
    pids=$(server_pids)
    pg_stop "$PGD"
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        gc_req /api/data.json -H "Cookie: $(gc_cookie "ada-$s")"
        assert_503 "$s" api
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "ada-$s")"
        assert_503 "$s" page
        refute_body_has 'guarded page'
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 503
        refute_body_has REMOTE_USER
        # a client that does not take HTML gets the JSON on a page too
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "ada-$s")" -H 'Accept: application/json'
        assert_503 "$s" api
        # a token the database never had: the same 503 (it cannot be told)
        gc_req /admin/a.txt -H "Cookie: $(gc_cookie no-such-token)"
        assert_503 "$s" page
        # no session cookie: the database is not asked
        gc_req /api/data.json
        assert_json_401
        gc_req /docs/page.txt
        assert_signin '%2Fdocs%2Fpage.txt'
        ds_guard_logged "$s" "$DS_ROOT/$s" \
            "nextauth-guard: session store unavailable for /api/data.json: database: "
    done
    pg_start "$PGD"
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "ada-$s")"
        assert_admin_allowed
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "ada-$s")"
        assert_http 200
        assert_body $'guarded page\n'
    done
    [ "$(server_pids)" = "$pids" ] || _fail "a server or guard process was restarted"
    # nginx made the check's 503 a 500 first, and the example the 503 again
    grep -q 'auth request unexpected status: 503' "$DS_ROOT/nginx/logs/error.log" ||
        _fail "no 'auth request unexpected status: 503' in nginx's error log"
    ! grep -qE 'ada-(lighttpd|apache|nginx)' "$DS_ROOT"/*/logs/error.log || _fail "a token reached an error log"
}

# traffic SERVER OUT N COOKIE — N requests through that server in the
# background (one curl, ~40 a second), alternating an API and a page path;
# OUT gets "status bytes retry-after cache-control" a request, a line as soon as it is
# answered (stdbuf: curl's stdout to a file is block-buffered otherwise).
# stop_traffic ends them all.
traffic() {
    local s=$1 out=$2 n=$3 i base cfg=$2.curl
    base=$(<"$DS_ROOT/$s/url")
    for ((i = 0; i < n; i++)); do
        if ((i % 2)); then
            printf 'url = "%s/docs/page.txt?i=%d"\noutput = "/dev/null"\n' "$base" "$i"
        else
            printf 'url = "%s/api/data.json?i=%d"\noutput = "/dev/null"\n' "$base" "$i"
        fi
    done >"$cfg"
    timeout 60 stdbuf -oL curl -s --max-time 5 --rate 40/s -H "Cookie: $4" -K "$cfg" \
        -w '%{http_code} %{size_download} %header{retry-after} %header{cache-control}\n' >"$out" 2>/dev/null 3>&- &
    TRAFFIC+=($!)
}

stop_traffic() {
    local p
    for p in "${TRAFFIC[@]}"; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    TRAFFIC=()
}

# _seen OUT PATTERN [N] — OUT has N (default 1) lines matching PATTERN.
_seen() {
    [ "$(grep -cE "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ]
}

# _back OUT — a 200 after the last 503, 10 times over.
_back() {
    awk '/^503 /{n=0} /^200 /{n++} END{exit !(n >= 10)}' "$1"
}

@test "postgresql: lighttpd, Apache, nginx: stopped and started under traffic with a session: only 200 (the files) and 503 (Retry-After, no-store), never a sign-in, never a 500" {
    local s out bad
    for s in "${DS_SERVERS[@]}"; do
        traffic "$s" "$BATS_TEST_TMPDIR/$s.out" 2400 "$(gc_cookie "ada-$s")"
    done
    for s in "${DS_SERVERS[@]}"; do
        srv_poll 20 _seen "$BATS_TEST_TMPDIR/$s.out" '^200 ' 10 || _fail "$s: no traffic"
    done
    pg_stop "$PGD"
    for s in "${DS_SERVERS[@]}"; do
        srv_poll 20 _seen "$BATS_TEST_TMPDIR/$s.out" '^503 ' 4 || _fail "$s: no 503 while down"
    done
    pg_start "$PGD"
    for s in "${DS_SERVERS[@]}"; do
        srv_poll 20 _back "$BATS_TEST_TMPDIR/$s.out" || _fail "$s: not served again"
    done
    stop_traffic
    for s in "${DS_SERVERS[@]}"; do
        out=$BATS_TEST_TMPDIR/$s.out
        # a line cut short by the kill does not count
        perl -0777 -i -pe 's/[^\n]+\z//' "$out"
        # the files (13 and 23 bytes) or the guard's 503 (the JSON, 40 bytes; the page,
        # 121) with Retry-After: 5 and Cache-Control: no-store
        bad=$(grep -vE '^(200 (13|23)  |503 (40|121) 5 no-store)$' "$out" | sort | uniq -c)
        [ -z "$bad" ] || _fail "$s: unexpected answers:" "$bad"
        # in that order: served, refused while down (no 200 in between), served again
        [ "$(cut -d' ' -f1 "$out" | uniq | tr '\n' ' ')" = '200 503 200 ' ] ||
            _fail "$s: answers out of order:" "$(cut -d' ' -f1 "$out" | uniq -c)"
        echo "# $s: $(cut -d' ' -f1 "$out" | uniq -c | tr -s ' \n' ' ')" >&3
    done
}

# --- libpq host lists ---------------------------------------------------------------

@test "postgresql: a host list with a dead entry first reaches the live one (conninfo over TCP through Apache, a URI of sockets through nginx)" {
    local dead live
    live=$(pg_port "$PGD")
    dead=$(srv_free_port)
    use_database apache "host=127.0.0.1,127.0.0.1 port=$dead,$live dbname=app user=$(id -un)"
    use_database nginx "postgresql:///pgad?host=$BATS_TEST_TMPDIR,$PGD&port=$dead,$live&user=$(id -un)"
    ds_base apache "$DS_ROOT/apache"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada-apache)"
    assert_admin_allowed
    ds_base nginx "$DS_ROOT/nginx"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada-nginx)"
    assert_admin_allowed
    # every entry dead: 503
    use_database nginx "postgresql:///pgad?host=$BATS_TEST_TMPDIR,$BATS_TEST_TMPDIR&port=$dead,$live&user=$(id -un)"
    gc_req /api/data.json -H "Cookie: $(gc_cookie ada-nginx)"
    assert_503 nginx api
}

# --- target_session_attrs=prefer-standby -------------------------------------------------

# _replayed DB TOKEN — the standby has the session row.
_replayed() {
    [ "$(pg_sql "$SBD" "$1" "SELECT count(*) FROM sessions WHERE \"sessionToken\" = '$2'" 2>/dev/null)" = 1 ]
}

# guard_backends DIR — how many of the standby guard's connections the server
# in DIR has (application_name guard-standby).
guard_backends() {
    pg_sql "$1" postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'guard-standby'"
}

@test "postgresql: prefer-standby: with the primary alone it is used; with a streaming standby listed after it, the guard reads from the standby and keeps serving once the primary is stopped" {
    local me live sport
    me=$(id -un)
    live=$(pg_port "$PGD")
    ds_base nginx "$DS_ROOT/nginx"
    # no standby in the list: the primary serves
    use_database nginx "postgresql:///pgad?host=$PGD&port=$live&user=$me&target_session_attrs=prefer-standby"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada-nginx)"
    assert_admin_allowed

    # a streaming standby of the primary, on its own socket and port
    mkdir -p "$SBD"
    _pg_open_path "$SBD"
    _pg_run "$SBD" pg_basebackup -D "$SBD/data" -R -X stream -c fast --no-sync \
        -h "$PGD" -p "$live" -U "$me" >"$BATS_TEST_TMPDIR/basebackup.out" 2>&1 ||
        _fail "pg_basebackup failed:" "$(cat "$BATS_TEST_TMPDIR/basebackup.out")"
    srv_free_port >"$SBD/port"
    sport=$(<"$SBD/port")
    pg_start "$SBD" "port=$sport" "unix_socket_directories=$SBD" "listen_addresses=" ||
        _fail "the standby did not start"
    [ "$(pg_sql "$SBD" postgres 'SELECT pg_is_in_recovery()')" = t ] || _fail "not a standby"
    add_session nginx standby-bob 2
    srv_poll 20 _replayed pgad standby-bob || _fail "the standby did not replay the row"

    # the primary listed first: prefer-standby still picks the standby
    use_database nginx "postgresql:///pgad?host=$PGD,$SBD&port=$live,$sport&user=$me&target_session_attrs=prefer-standby&application_name=guard-standby"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie standby-bob)"
    assert_user_allowed
    gc_req /service/x -H "Cookie: $(gc_cookie ada-nginx)"
    assert_http 200
    assert_env HTTP_X_NEXTAUTH_ROLE admin
    [ "$(guard_backends "$SBD")" -ge 1 ] || _fail "the guard has no connection to the standby"
    [ "$(guard_backends "$PGD")" -eq 0 ] || _fail "the guard is connected to the primary"

    # the primary stopped: the standby goes on answering
    pg_stop "$PGD"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada-nginx)"
    assert_admin_allowed
    gc_req /api/admin/x.json -H "Cookie: $(gc_cookie standby-bob)"
    assert_http 403
    assert_body "$GC_JSON_403"
    pg_start "$PGD"
}
