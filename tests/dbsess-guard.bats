#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The guard program on database sessions, run as CGI (one request per run) on
# a SQLite file in the Prisma schema, with the clock frozen at NOW: the row's
# claims and a user column reach the identity and the rules, no secret is
# needed, a revoked or expired row is refused, a database that does not answer
# gets the 503 (never an allow, never the sign-in redirect) with one log line,
# and the database opened read-only. What one process does from request to
# request (recovery, database.cacheSeconds) is tests/unit/test_guard_db.c and
# the server suites.

load helpers
load guard_helpers

TOK=6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f
PAGE_503=$'<!DOCTYPE html>\n<title>Service Unavailable</title>\n<p>The session store does not answer. Try again in a few seconds.</p>\n'
JSON_503='{"message":"Session store unavailable."}'

setup() {
    clean_env
    DB="$BATS_TEST_TMPDIR/app.db"
    sqlite3 "$DB" <"$REPO_ROOT/tests/vectors/dbsess-schema/prisma-sqlite.sql"
    # expires = NOW + 30 days, in Prisma's SQLite form (integer milliseconds)
    sqlite3 "$DB" <<EOF
ALTER TABLE "User" ADD COLUMN "role" TEXT;
INSERT INTO "User" ("id","name","email","image","role","createdAt","updatedAt")
  VALUES ('user-1','Alice','alice@example.com','https://x/y.png','user',0,0);
INSERT INTO "Session" ("id","sessionToken","userId","expires","createdAt","updatedAt")
  VALUES ('s1','$TOK','user-1',1702592000000,0,0);
EOF
    printf '{"database":{"url":"sqlite:%s","claims":{"role":"role"},"timeoutMs":100},"rules":[{"matcher":["/api/admin/:path*"],"authorized":{"role":"admin"}}],"identity":{"NEXTAUTH_ROLE":"role"}}\n' \
        "$DB" >"$BATS_TEST_TMPDIR/guard-config.json"
    # no secret: database sessions need none
    GUARD_ENV=("NEXTAUTH_URL=$ORIGIN" "NEXTAUTH_CONFIG=$BATS_TEST_TMPDIR/guard-config.json")
    COOKIE="HTTP_COOKIE=next-auth.session-token=$TOK"
}

# hold_lock — another connection holds the write lock until release_lock.
hold_lock() {
    mkfifo "$BATS_TEST_TMPDIR/hold"
    sqlite3 "$DB" <"$BATS_TEST_TMPDIR/hold" &
    holder=$!
    exec 9>"$BATS_TEST_TMPDIR/hold"
    echo 'BEGIN EXCLUSIVE; UPDATE "Session" SET "userId" = "userId";' >&9
    local i
    for i in $(seq 100); do # until the lock is held (bounded)
        sqlite3 "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null || return 0
        sleep 0.05
    done
    return 1
}

release_lock() {
    exec 9>&-
    wait "$holder" || true
    holder=
}

teardown() {
    [ -z "${holder-}" ] || release_lock
}

@test "database guard: the row's claims and its user column in every role, no secret needed" {
    guard /dashboard "$COOKIE" FCGI_ROLE=AUTHORIZER
    expect_answer "Status: 200 OK" \
        "Variable-REMOTE_USER: alice@example.com" \
        "Variable-AUTH_TYPE: NextAuth" \
        "Variable-NEXTAUTH_EMAIL: alice@example.com" \
        "Variable-NEXTAUTH_NAME: Alice" \
        "Variable-NEXTAUTH_SUB: user-1" \
        "Variable-NEXTAUTH_EXPIRES: $NOW_EXPIRES" \
        "Variable-NEXTAUTH_ROLE: user"
    expect_no_stderr
    guard /dashboard "$COOKIE"
    expect_allow_json '{"user":{"name":"Alice","email":"alice@example.com","image":"https://x/y.png"},"expires":"'"$NOW_EXPIRES"'"}' \
        "X-Nextauth-User: alice@example.com" "X-Nextauth-Email: alice@example.com" \
        "X-Nextauth-Name: Alice" "X-Nextauth-Sub: user-1" "X-Nextauth-Expires: $NOW_EXPIRES" \
        "X-Nextauth-Role: user"
    guard /api/admin/stats "$COOKIE" NEXTAUTH_GUARD_MODE=auth_request
    expect_403
}

@test "database guard: no cookie, an unknown token, an expired row, a revoked row: 401 / 307 as for tokens" {
    guard /api/x
    expect_401
    guard /dashboard HTTP_COOKIE=next-auth.session-token=unknown-token
    expect_signin '%2Fdashboard'
    expect_stderr 'nextauth-guard: bad session token (no session row for the token) for /dashboard'
    # expires one millisecond before NOW
    sqlite3 "$DB" 'UPDATE "Session" SET expires = 1699999999999'
    guard /api/x "$COOKIE" NEXTAUTH_GUARD_MODE=auth_request
    expect_401
    expect_stderr 'nextauth-guard: bad session token (session row expired) for /api/x'
    # exactly NOW is still valid
    sqlite3 "$DB" 'UPDATE "Session" SET expires = 1700000000000'
    guard /api/x "$COOKIE" FCGI_ROLE=AUTHORIZER
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected an allow"
    # revoked from a shell, as an operator does
    run "$TOKEN_BIN" revoke --config "$BATS_TEST_TMPDIR/guard-config.json" "$TOK"
    [ "$status" -eq 0 ] || gfail "revoke: $output"
    guard /dashboard "$COOKIE" FCGI_ROLE=AUTHORIZER
    expect_signin '%2Fdashboard'
    refute_guard_leak "$TOK"
}

@test "database guard: a locked database is a 503 in every role, pages and APIs, one log line, never an allow" {
    hold_lock || gfail "could not take the lock" || return 1
    local role
    for role in X=1 FCGI_ROLE=AUTHORIZER NEXTAUTH_GUARD_MODE=auth_request; do
        guard /dashboard "$COOKIE" "$role"
        expect_answer "Status: 503 Service Unavailable" "Content-Type: text/html; charset=utf-8" \
            "Retry-After: 5" "Cache-Control: no-store" -- "$PAGE_503" || return 1
        guard /api/x "$COOKIE" "$role"
        expect_answer "Status: 503 Service Unavailable" "Content-Type: application/json" \
            "Retry-After: 5" "Cache-Control: no-store" -- "$JSON_503" || return 1
    done
    # the guard started while the database was locked (not an error) and then
    # found it still locked for the request: that line ends the log
    local want='nextauth-guard: session store unavailable for /api/x: database: opening: the database stayed locked for 100 ms'
    case $g_stderr in *"$want"$'\n') ;; *) gfail "expected the last log line: $want" || return 1 ;; esac
    refute_guard_leak "$TOK" || return 1
    # no cookie: nothing to look up, the sign-in redirect
    guard /dashboard
    expect_signin '%2Fdashboard' || return 1
    release_lock
    guard /dashboard "$COOKIE" FCGI_ROLE=AUTHORIZER
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected an allow once the lock is gone"
}

@test "database guard: a database it cannot read a row of is a 503, not a sign-in" {
    sqlite3 "$DB" "UPDATE \"Session\" SET expires = 'tomorrow'"
    guard /dashboard "$COOKIE"
    expect_answer "Status: 503 Service Unavailable" "Content-Type: text/html; charset=utf-8" \
        "Retry-After: 5" "Cache-Control: no-store" -- "$PAGE_503"
    expect_stderr_has 'session store unavailable for /dashboard: '
}

@test "database guard: it never writes: the database file read-only to everyone is fine" {
    chmod 0444 "$DB"
    chmod 0555 "$BATS_TEST_TMPDIR"
    guard /dashboard "$COOKIE" FCGI_ROLE=AUTHORIZER
    chmod 0755 "$BATS_TEST_TMPDIR"
    [ "$g_status" = "Status: 200 OK" ] || gfail "expected an allow"
    [ "$(sqlite3 "$DB" 'SELECT expires FROM "Session"')" = 1702592000000 ]
}

@test "database guard: libpq is loaded only for a PostgreSQL url; a missing or broken one stops the start" {
    # The programs do not link libpq (token-only processes stay small) ...
    ! ldd "$GUARD_BIN" | grep -q libpq || sfail "nextauth-guard links libpq"
    ! ldd "$REPO_ROOT/cgi-bin/nextauth-session" | grep -q libpq || sfail "nextauth-session links libpq"
    ! ldd "$TOKEN_BIN" | grep -q libpq || sfail "nextauth-token links libpq"
    # ... and load it for a PostgreSQL url: a libpq.so.5 that is no library,
    # found first through LD_LIBRARY_PATH, stops the start with the cause.
    local fake="$BATS_TEST_TMPDIR/fakepq"
    mkdir "$fake"
    : >"$fake/libpq.so.5"
    local sqlite_config
    sqlite_config=$(cat "$BATS_TEST_TMPDIR/guard-config.json")
    printf '{"database":{"url":"postgresql://app:hunter2@127.0.0.1:1/app"}}\n' \
        >"$BATS_TEST_TMPDIR/guard-config.json"
    guard /dashboard "$COOKIE" LD_LIBRARY_PATH="$fake"
    [ "$g_rc" -eq 2 ] || sfail "exit $g_rc"
    [ -z "$g_raw" ] || sfail "answered: $g_raw"
    [ "${#g_stderr_lines[@]}" -eq 1 ] || sfail "stderr: $g_stderr"
    [[ ${g_stderr_lines[0]} == "nextauth-guard: database: PostgreSQL support needs libpq.so.5 (Debian package libpq5): $fake/libpq.so.5: "* ]] ||
        sfail "stderr: $g_stderr"
    [[ $g_stderr != *hunter2* ]] || sfail "the password is in the log"
    # a library of that name without libpq's functions
    printf 'int PQlibVersion(void) { return 0; }\n' >"$fake/pq.c"
    cc -shared -fPIC -o "$fake/libpq.so.5" "$fake/pq.c"
    guard /dashboard "$COOKIE" LD_LIBRARY_PATH="$fake"
    [ "$g_rc" -eq 2 ] || sfail "exit $g_rc"
    [[ ${g_stderr_lines[0]} == "nextauth-guard: database: libpq.so.5 has no PQclear: "* ]] ||
        sfail "stderr: $g_stderr"
    # The SQLite store never loads it: the same broken libpq in reach, the
    # session allowed.
    printf '%s\n' "$sqlite_config" >"$BATS_TEST_TMPDIR/guard-config.json"
    guard /dashboard "$COOKIE" FCGI_ROLE=AUTHORIZER LD_LIBRARY_PATH="$fake"
    [ "$g_status" = "Status: 200 OK" ] || sfail "$g_raw"
    expect_no_stderr
}
