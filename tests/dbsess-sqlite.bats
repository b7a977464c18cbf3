#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Database sessions on SQLite (docs/behaviour.md, Database sessions): the
# session endpoint as CGI and nextauth-token get/revoke on a temp database in
# the Prisma 7 schema (tests/vectors/dbsess-schema/prisma-sqlite.sql), with the
# clock frozen; the faults the recorded cases cannot stage (a locked database,
# an update the database refuses), start-up errors, hostile tokens.

load helpers
load session_helpers

NOW=1767225600                   # 2026-01-01T00:00:00Z
TOK=6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f
BODY='{"user":{"name":"Ada Lovelace","email":"ada@example.test","image":"https://example.test/ada.png"},"expires":"2026-01-21T00:00:00.000Z"}'
SET_COOKIE="Set-Cookie: next-auth.session-token=$TOK; Path=/; Expires=Sat, 31 Jan 2026 00:00:00 GMT; HttpOnly; SameSite=Lax"
CLEAR="Set-Cookie: next-auth.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"

setup() {
    DB="$BATS_TEST_TMPDIR/app.db"
    sqlite3 "$DB" <"$REPO_ROOT/tests/vectors/dbsess-schema/prisma-sqlite.sql"
    sqlite3 "$DB" <<'EOF'
INSERT INTO "User" ("id","name","email","image","createdAt","updatedAt")
  VALUES ('user-1','Ada Lovelace','ada@example.test','https://example.test/ada.png',
          '2025-12-31T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00');
INSERT INTO "Session" ("id","sessionToken","userId","expires","createdAt","updatedAt")
  VALUES ('session-1','6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f','user-1','2026-01-21T00:00:00.000+00:00',
          '2025-12-31T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00');
EOF
    CFG="$BATS_TEST_TMPDIR/config.json"
    write_config ''
}

# write_config EXTRA — the deployment: the database, plus EXTRA (",\"key\":…").
write_config() {
    printf '{"url":"http://localhost:3000","database":{"url":"sqlite:%s","adapter":"prisma","timeoutMs":200%s}%s}\n' \
        "$DB" "${2-}" "$1" >"$CFG"
}

# dbs METHOD [COOKIE] — one session request as CGI at NOW.
dbs() {
    local -a env=(NEXTAUTH_CONFIG="$CFG" REQUEST_METHOD="$1")
    [ $# -ge 2 ] && env+=(HTTP_COOKIE="$2")
    session_cgi "$NOW" "${env[@]}"
}

expires_of() {
    sqlite3 "$DB" "SELECT expires FROM \"Session\" WHERE \"sessionToken\" = '$1'"
}

@test "database session: a valid, due row answers its session, is extended in Prisma's form, and the cookie re-set" {
    dbs GET "next-auth.session-token=$TOK"
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}" "$SET_COOKIE"
    assert_body "$BODY"
    assert_no_stderr_output
    [ "$(expires_of "$TOK")" = "2026-01-31T00:00:00.000+00:00" ] || sfail "row: $(expires_of "$TOK")"
    [ "$(sqlite3 "$DB" 'SELECT "updatedAt" FROM "Session"')" = "2026-01-01T00:00:00.000+00:00" ]
}

@test "database session: no cookie, or an empty value: {} and no cookie change" {
    dbs GET
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    dbs GET 'next-auth.session-token='
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
}

@test "database session: an expired row is deleted and the cookie cleared; an unknown token is cleared" {
    sqlite3 "$DB" "UPDATE \"Session\" SET expires = '2025-12-31T23:59:59.999+00:00'"
    dbs GET "next-auth.session-token=$TOK"
    assert_headers "${SESSION_NO_CACHE[@]}" "$CLEAR"
    assert_body '{}'
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM "Session"')" = 0 ]
    dbs GET "next-auth.session-token=$TOK"
    assert_headers "${SESSION_NO_CACHE[@]}" "$CLEAR"
    assert_body '{}'
}

@test "database session: a locked database answers {} and changes no cookie, and says so in the log" {
    write_config '' ''
    # another connection holds the write lock for the whole request
    mkfifo "$BATS_TEST_TMPDIR/hold"
    sqlite3 "$DB" <"$BATS_TEST_TMPDIR/hold" &
    local holder=$!
    exec 9>"$BATS_TEST_TMPDIR/hold"
    echo 'BEGIN EXCLUSIVE; UPDATE "Session" SET "userId" = "userId";' >&9
    # wait until the lock is held (bounded)
    local i
    for i in $(seq 100); do
        sqlite3 "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null || break
        sleep 0.05
    done
    dbs GET "next-auth.session-token=$TOK"
    exec 9>&-
    wait "$holder" || true
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    # the database did not answer at start (one line), nor for the request (one line)
    local want="nextauth-session: database: opening: the database stayed locked for 200 ms"
    [ "$session_stderr" = "$want; sessions are refused until it answers"$'\n'"${want/database: opening/SESSION_ERROR: database: opening}"$'\n' ] ||
        sfail "log lines"
    [ "$(expires_of "$TOK")" = "2026-01-21T00:00:00.000+00:00" ]
}

@test "database session: an update the database refuses answers {} and changes no cookie" {
    sqlite3 "$DB" "CREATE TRIGGER ro BEFORE UPDATE ON \"Session\" BEGIN SELECT RAISE(ABORT, 'read-only'); END;"
    dbs GET "next-auth.session-token=$TOK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_one_log_line "SESSION_ERROR: cannot extend the session: "
}

@test "database session: hostile tokens never match, never crash, never reach the log" {
    local t
    for t in "'" "' OR 1=1 --" '%00' 'a%00b' '%ff%fe' "$TOK%00" '"' '\' '%27%3B%20DROP%20TABLE%20%22Session%22'; do
        dbs GET "next-auth.session-token=$t"
        assert_session_status "Status: 200 OK"
        assert_body '{}'
        [ "$(sqlite3 "$DB" 'SELECT count(*) FROM "Session"')" = 1 ] || sfail "rows changed for $t"
    done
    # longer than 4096 bytes: no session, no cookie change, one log line
    dbs GET "next-auth.session-token=$(head -c 5000 /dev/zero | tr '\0' a)"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_one_log_line "SESSION_ERROR: session cookie value longer than 4096 bytes (cookie next-auth.session-token)"
}

@test "database session: start-up errors name what is wrong" {
    printf '{"session":{"strategy":"database"}}\n' >"$CFG"
    dbs GET "next-auth.session-token=$TOK"
    [ "$session_rc" -eq 2 ] || sfail "exit $session_rc"
    [[ $session_stderr == *'session.strategy is "database" but database.url is not set'* ]] || sfail
    write_config '' ',"columns":{"expires":"expiresAt"}'
    dbs GET "next-auth.session-token=$TOK"
    [ "$session_rc" -eq 2 ] || sfail "exit $session_rc"
    [[ $session_stderr == *'"expiresAt"'* ]] || sfail "the missing column is not named"
    DB="$BATS_TEST_TMPDIR/missing.db" write_config ''
    dbs GET "next-auth.session-token=$TOK"
    [ "$session_rc" -eq 2 ] || sfail "exit $session_rc"
    [[ $session_stderr == *missing.db* ]] || sfail "the file is not named"
}

@test "nextauth-token get prints a row's claims; revoke deletes the row; the next request has no session" {
    run "$TOKEN_BIN" get --config "$CFG" --now "$NOW" --cookie "next-auth.session-token=$TOK"
    [ "$status" -eq 0 ] || sfail "$output"
    [ "$output" = '{"sub":"user-1","name":"Ada Lovelace","email":"ada@example.test","picture":"https://example.test/ada.png","exp":1768953600}' ] ||
        sfail "got $output"
    run "$TOKEN_BIN" get --config "$CFG" --now "$NOW" --cookie 'next-auth.session-token=nope'
    [ "$status" -eq 1 ] && [[ $output == *"no session row"* ]] || sfail "$output"
    run "$TOKEN_BIN" revoke --config "$CFG" "$TOK"
    [ "$status" -eq 0 ] || sfail "$output"
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM "Session"')" = 0 ]
    run "$TOKEN_BIN" revoke --config "$CFG" "$TOK"
    [ "$status" -eq 1 ] && [[ $output == *"no session has that token"* ]] || sfail "$output"
    dbs GET "next-auth.session-token=$TOK"
    assert_headers "${SESSION_NO_CACHE[@]}" "$CLEAR"
    assert_body '{}'
    # revoke is for database sessions only
    printf '{"secret":"a-secret-of-at-least-32-bytes-0123456789"}\n' >"$CFG"
    run "$TOKEN_BIN" revoke --config "$CFG" "$TOK"
    [ "$status" -eq 2 ] && [[ $output == *"revoke needs database sessions"* ]] || sfail "$output"
}

@test "database session: the claims of database.claims come from the user row" {
    sqlite3 "$DB" 'ALTER TABLE "User" ADD COLUMN "role" TEXT; UPDATE "User" SET "role" = '"'admin'"
    write_config '' ',"claims":{"role":"role"}'
    run "$TOKEN_BIN" get --config "$CFG" --now "$NOW" --cookie "next-auth.session-token=$TOK"
    [ "$status" -eq 0 ] || sfail "$output"
    [[ $output == *'"exp":1768953600,"role":"admin"}' ]] || sfail "got $output"
}
