#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Database sessions on PostgreSQL (docs/behaviour.md, Database sessions): the
# session endpoint as CGI against a private server (tests/lib/postgres.sh,
# started once for the file, stopped by its pid in teardown_file) in the Prisma
# schema (tests/vectors/dbsess-schema/prisma-pg.sql), with the clock frozen;
# the faults the recorded cases (tests/dbsess/run.sh) cannot stage: the server
# going away and coming back, an update the database refuses, the server's
# TimeZone and the program's TZ away from UTC, a password in the url that must
# never reach the log, a dead host before the live one; and the guard on a
# role that may only SELECT the columns it reads.

# shellcheck disable=SC2154 # session_rc, session_stderr: set by session_cgi

load helpers
load session_helpers
load lib/postgres.sh

NOW=1767225600                   # 2026-01-01T00:00:00Z
TOK=6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f
BODY='{"user":{"name":"Ada Lovelace","email":"ada@example.test","image":"https://example.test/ada.png"},"expires":"2026-01-21T00:00:00.000Z"}'
SET_COOKIE="Set-Cookie: next-auth.session-token=$TOK; Path=/; Expires=Sat, 31 Jan 2026 00:00:00 GMT; HttpOnly; SameSite=Lax"
TIMEOUT_MS=1000

setup_file() {
    export PGD="$BATS_FILE_TMPDIR/pg"
    pg_start "$PGD"
}

teardown_file() {
    pg_stop "$PGD"
}

setup() {
    # a server a failed test left stopped is started again (same data, port)
    [ -f "$PGD/pg.pid" ] || pg_start "$PGD" >&2
    DBN="t$BATS_SUITE_TEST_NUMBER"
    pg_createdb "$PGD" "$DBN"
    pg_sql_file "$PGD" "$DBN" "$REPO_ROOT/tests/vectors/dbsess-schema/prisma-pg.sql"
    pg_sql "$PGD" "$DBN" "
INSERT INTO \"User\" (\"id\",\"name\",\"email\",\"image\",\"createdAt\",\"updatedAt\")
  VALUES ('user-1','Ada Lovelace','ada@example.test','https://example.test/ada.png',
          '2025-12-31 00:00:00','2025-12-31 00:00:00');
INSERT INTO \"Session\" (\"sessionToken\",\"userId\",\"expires\",\"createdAt\",\"updatedAt\")
  VALUES ('$TOK','user-1','2026-01-21 00:00:00','2025-12-31 00:00:00','2025-12-31 00:00:00');"
    URL=$(pg_url "$PGD" "$DBN")
    CFG="$BATS_TEST_TMPDIR/config.json"
    write_config "$URL"
    RESET_TZ='' STOPPED=''
}

teardown() {
    [ -z "$STOPPED" ] || kill -CONT "$STOPPED"
    if [ -n "$RESET_TZ" ] && [ -f "$PGD/pg.pid" ]; then
        pg_set "$PGD" timezone=UTC
    fi
}

# write_config URL — the deployment: this database url, the Prisma adapter.
write_config() {
    jq -cn --arg u "$1" --argjson t "$TIMEOUT_MS" \
        '{url:"http://localhost:3000",database:{url:$u,adapter:"prisma",timeoutMs:$t}}' >"$CFG"
}

# dbs [VAR=VALUE...] — one GET with the session cookie as CGI at NOW.
dbs() {
    session_cgi "$NOW" NEXTAUTH_CONFIG="$CFG" REQUEST_METHOD=GET \
        HTTP_COOKIE="next-auth.session-token=$TOK" "$@"
}

# row — the session row's "expires" and "updatedAt" as PostgreSQL prints them
# (the server's TimeZone does not change a timestamp without time zone).
row() {
    pg_sql "$PGD" "$DBN" 'SELECT "expires" || '"' | '"' || "updatedAt" FROM "Session"'
}

# assert_answered — the session of the row, extended, the cookie re-set.
assert_answered() {
    assert_session_status "Status: 200 OK" || return 1
    assert_headers "${SESSION_NO_CACHE[@]}" "$SET_COOKIE" || return 1
    assert_body "$BODY" || return 1
    assert_no_stderr_output || return 1
    [ "$(row)" = "2026-01-31 00:00:00 | 2026-01-01 00:00:00" ] || sfail "row: $(row)"
}

# assert_no_session — 200 {} with the no-cache headers and no Set-Cookie.
assert_no_session() {
    assert_session_status "Status: 200 OK" || return 1
    assert_headers "${SESSION_NO_CACHE[@]}" || return 1
    assert_body '{}'
}

# assert_down_lines WHY — stderr is exactly the two lines of a database that
# does not answer: at start-up (the program still serves, refusing sessions)
# and for the request.
assert_down_lines() {
    [ "$session_stderr" = "nextauth-session: $1; sessions are refused until it answers"$'\n'"nextauth-session: SESSION_ERROR: $1"$'\n' ] ||
        sfail "expected the two log lines of: $1"
}

@test "postgresql: a valid, due row answers its session, is extended in Prisma's form, and the cookie re-set" {
    dbs
    assert_answered
}

@test "postgresql: the server stopped answers {} fast with no cookie change and says why; started again, the session answers" {
    local t0 t1 sock
    sock="$PGD/.s.PGSQL.$(pg_port "$PGD")"
    pg_stop "$PGD"
    t0=$(date +%s%N)
    dbs
    t1=$(date +%s%N)
    assert_no_session
    # one line at start-up (the database did not answer), one for the request
    local why="database: connect: connection to server on socket \"$sock\" failed: No such file or directory"
    assert_down_lines "$why"
    [ "$(((t1 - t0) / 1000000))" -lt $((TIMEOUT_MS + 2000)) ] || sfail "took $(((t1 - t0) / 1000000)) ms"
    pg_start "$PGD"
    dbs
    assert_answered
}

@test "postgresql: a server that accepts but never answers: {} within database.timeoutMs, and it answers again" {
    local t0 t1
    STOPPED=$(pg_pid "$PGD")
    kill -STOP "$STOPPED"
    t0=$(date +%s%N)
    dbs
    t1=$(date +%s%N)
    kill -CONT "$STOPPED"
    STOPPED=
    assert_no_session
    local why="database: connect: no answer within $TIMEOUT_MS ms"
    assert_down_lines "$why"
    [ "$(((t1 - t0) / 1000000))" -ge "$TIMEOUT_MS" ] || sfail "gave up after $(((t1 - t0) / 1000000)) ms"
    [ "$(((t1 - t0) / 1000000))" -lt $((TIMEOUT_MS + 2000)) ] || sfail "took $(((t1 - t0) / 1000000)) ms"
    dbs
    assert_answered
}

@test "postgresql: an update the database refuses answers {} and changes no cookie" {
    pg_sql "$PGD" "$DBN" "CREATE ROLE ro$DBN LOGIN;
GRANT SELECT, UPDATE, DELETE ON \"Session\", \"User\" TO ro$DBN;
ALTER ROLE ro$DBN SET default_transaction_read_only = on;"
    write_config "${URL%&user=*}&user=ro$DBN"
    dbs
    assert_no_session
    [ "$session_stderr" = "nextauth-session: SESSION_ERROR: cannot extend the session: database: touch: cannot execute UPDATE in a read-only transaction (SQLSTATE 25006)"$'\n' ] ||
        sfail "log line"
    [ "$(row)" = "2026-01-21 00:00:00 | 2025-12-31 00:00:00" ] || sfail "row: $(row)"
    # a role that may read the tables but not update "Session"
    pg_sql "$PGD" "$DBN" "CREATE ROLE rd$DBN LOGIN;
GRANT SELECT, UPDATE, DELETE ON \"Session\", \"User\" TO rd$DBN;
REVOKE UPDATE ON \"Session\" FROM rd$DBN;"
    write_config "${URL%&user=*}&user=rd$DBN"
    dbs
    assert_no_session
    [ "$session_stderr" = "nextauth-session: SESSION_ERROR: cannot extend the session: database: touch: permission denied for table Session (SQLSTATE 42501)"$'\n' ] ||
        sfail "log line"
    [ "$(row)" = "2026-01-21 00:00:00 | 2025-12-31 00:00:00" ] || sfail "row: $(row)"
}

@test "postgresql: the server's TimeZone America/New_York and the program's TZ Asia/Kolkata change nothing" {
    RESET_TZ=1
    pg_set "$PGD" timezone=America/New_York
    [ "$(pg_sql "$PGD" "$DBN" 'SHOW TimeZone')" = America/New_York ]
    dbs TZ=Asia/Kolkata
    assert_answered
}

@test "postgresql: a password in the url never reaches the log" {
    local dead
    dead=$(srv_free_port)
    write_config "postgresql://u:s3cr3t-pw@/$DBN?host=$PGD&port=$dead"
    dbs
    assert_no_session
    local why="database: connect: connection to server on socket \"$PGD/.s.PGSQL.$dead\" failed: No such file or directory"
    assert_down_lines "$why"
    refute_session_leak s3cr3t-pw
    # the server refusing the role (its message names the user, not the password)
    write_config "postgresql://nosuchrole:s3cr3t-pw@/$DBN?host=$PGD&port=$(pg_port "$PGD")"
    dbs
    assert_no_session
    assert_down_lines "database: connect: connection to server on socket \"$PGD/.s.PGSQL.$(pg_port "$PGD")\" failed: FATAL:  role \"nosuchrole\" does not exist"
    refute_session_leak s3cr3t-pw
    # a url libpq cannot parse (its own message quotes the whole url)
    write_config "postgresql://u:s3cr3t-pw@[::1/$DBN"
    dbs
    [ "$session_rc" -eq 2 ] || sfail "exit $session_rc"
    [ "$session_stderr" = 'nextauth-session: database.url is not a libpq connection string: end of string reached when looking for matching "…" in IPv6 host address in URI: "…"'$'\n' ] ||
        sfail "log line"
    refute_session_leak s3cr3t-pw
}

@test "postgresql: a url listing a dead host before the live one connects to the live one" {
    local dead
    dead=$(srv_free_port)
    write_config "postgresql:///$DBN?host=$BATS_TEST_TMPDIR,$PGD&port=$dead,$(pg_port "$PGD")&user=$(id -un)"
    dbs
    assert_answered
}

@test "postgresql: the guard needs no more than SELECT on the columns it reads (SECURITY.md's grants)" {
    pg_sql "$PGD" "$DBN" 'ALTER TABLE "User" ADD COLUMN "role" text; UPDATE "User" SET "role" = '"'admin'"';
DROP ROLE IF EXISTS nextauth_guard; CREATE ROLE nextauth_guard LOGIN;
GRANT SELECT ("sessionToken", "userId", "expires") ON "Session" TO nextauth_guard;
GRANT SELECT ("id", "name", "email", "image", "role") ON "User" TO nextauth_guard;'
    local url="${URL%%&user=*}&user=nextauth_guard"
    jq -cn --arg u "$url" '{url:"http://localhost:3000",database:{url:$u,claims:{role:"role"},timeoutMs:2000},
        authorized:{role:"admin"}}' >"$CFG"
    run env -i PATH="$PATH" NEXTAUTH_CONFIG="$CFG" REQUEST_URI=/dashboard FCGI_ROLE=AUTHORIZER \
        HTTP_COOKIE="next-auth.session-token=$TOK" FAKETIME_FMT=%s faketime -f "$NOW" \
        "${NEXTAUTH_GUARD_BIN:-$REPO_ROOT/cgi-bin/nextauth-guard}"
    [ "$status" -eq 0 ] || sfail "exit $status: $output"
    [[ $output == "Status: 200 OK"$'\r'*"Variable-NEXTAUTH_SUB: user-1"$'\r'* ]] || sfail "expected an allow: $output"
    pg_sql "$PGD" "$DBN" 'DROP OWNED BY nextauth_guard; DROP ROLE nextauth_guard;'
}
