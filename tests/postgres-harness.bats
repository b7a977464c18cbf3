#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The private PostgreSQL of tests/lib/postgres.sh, which the session-store tests
# run on: it starts and answers on its own Unix socket only (no TCP address,
# never port 5432, a pid recorded), the server's TimeZone is what the test
# asks for, a stop leaves neither process nor socket behind, a stopped server
# starts again with its data and port, two servers run side by side, and the
# caller's PG* environment cannot reach it. As root, the server runs as the
# unprivileged postgres account.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run

load helpers
load lib/postgres.sh

setup_file() {
    export A="$BATS_FILE_TMPDIR/a"
    pg_start "$A" timezone=Asia/Kolkata
}

teardown_file() {
    pg_stop "$A"
}

_fail() {
    printf '%s\n' "$1" >&2
    return 1
}

@test "start: the server answers on DIR's socket, TCP off, a free port, the pid recorded" {
    local port pid
    port=$(pg_port "$A")
    pid=$(pg_pid "$A")
    [ "$(pg_sql "$A" postgres 'SELECT 6 * 7')" = 42 ] || _fail "no answer"
    [ "$port" != 5432 ] || _fail "the system's port"
    [ -S "$A/.s.PGSQL.$port" ] || _fail "no socket $A/.s.PGSQL.$port"
    [ "$(pg_sql "$A" postgres 'SHOW listen_addresses')" = "" ] || _fail "listens on TCP"
    [ "$(pg_sql "$A" postgres 'SHOW port')" = "$port" ] || _fail "another port"
    [ "$(pg_sql "$A" postgres 'SELECT pg_postmaster_start_time() IS NOT NULL')" = t ]
    [ "$(head -n 1 "$A/data/postmaster.pid")" = "$pid" ] || _fail "pg.pid is not the postmaster"
    if [ "$(id -u)" -eq 0 ]; then
        [ "$(ps -o user= -p "$pid")" = postgres ] || _fail "runs as $(ps -o user= -p "$pid")"
    fi
    [ "$(pg_url "$A" postgres)" = "postgresql:///postgres?host=$A&port=$port&user=$(id -un)" ] ||
        _fail "url $(pg_url "$A" postgres)"
}

@test "TimeZone: the server's setting is what pg_start and pg_set were given" {
    [ "$(pg_sql "$A" postgres 'SHOW TimeZone')" = Asia/Kolkata ]
    [ "$(pg_sql "$A" postgres "SELECT timestamptz '2026-01-01 00:00:00+00'")" = \
        "2026-01-01 05:30:00+05:30" ]
    pg_set "$A" timezone=America/New_York
    [ "$(pg_sql "$A" postgres "SELECT timestamptz '2026-01-01 00:00:00+00'")" = \
        "2025-12-31 19:00:00-05" ]
    pg_set "$A" timezone=Asia/Kolkata
    [ "$(pg_sql "$A" postgres 'SHOW TimeZone')" = Asia/Kolkata ]
}

@test "the caller's PGHOST, PGPORT, PGTZ, PGOPTIONS and PGDATABASE do not reach the server" {
    PGHOST=/nonexistent PGPORT=5432 PGTZ=America/New_York PGOPTIONS='-c timezone=UTC' \
        PGDATABASE=nope run pg_sql "$A" postgres "SELECT current_setting('TimeZone')"
    [ "$status" -eq 0 ] && [ "$output" = Asia/Kolkata ] || _fail "status $status: $output"
}

@test "pg_createdb and pg_url: a database name that needs percent-encoding" {
    pg_createdb "$A" 'odd name/ü'
    [ "$(pg_sql "$A" 'odd name/ü' 'SELECT current_database()')" = 'odd name/ü' ]
    [[ $(pg_url "$A" 'odd name/ü') == "postgresql:///odd%20name%2F%C3%BC?host="* ]] ||
        _fail "url $(pg_url "$A" 'odd name/ü')"
}

@test "pg_sql: an SQL error is a non-zero status with PostgreSQL's message" {
    run --separate-stderr pg_sql "$A" postgres 'SELECT * FROM no_such_table'
    [ "$status" -ne 0 ] || _fail "status 0"
    [[ $stderr == *'relation "no_such_table" does not exist'* ]] || _fail "stderr: $stderr"
}

@test "stop: the process and its socket are gone; a start again keeps data and port" {
    local d=$BATS_TEST_TMPDIR/s port pid
    pg_start "$d"
    port=$(pg_port "$d")
    pid=$(pg_pid "$d")
    pg_sql "$d" postgres "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('here')"
    pg_stop "$d"
    ! srv_alive "$pid" || _fail "pid $pid still runs"
    [ ! -e "$d/.s.PGSQL.$port" ] || _fail "the socket is left"
    [ ! -e "$d/pg.pid" ] || _fail "pg.pid is left"
    [ ! -e "$d/data/postmaster.pid" ] || _fail "postmaster.pid is left"
    run pg_sql "$d" postgres 'SELECT 1'
    [ "$status" -ne 0 ] || _fail "a stopped server answered"
    pg_start "$d"
    [ "$(pg_port "$d")" = "$port" ] || _fail "the port moved"
    [ "$(pg_sql "$d" postgres 'SELECT v FROM kept')" = here ] || _fail "the data is lost"
    [ "$(pg_pid "$d")" != "$pid" ]
    pg_stop "$d"
    pg_stop "$d" # a second stop is a no-op
}

@test "two servers run at once, each on its own socket with its own data" {
    local b=$BATS_TEST_TMPDIR/b
    pg_start "$b" timezone=America/New_York
    [ "$(pg_port "$b")" != "$(pg_port "$A")" ] || _fail "same port"
    pg_sql "$b" postgres 'CREATE TABLE only_in_b (v int)'
    [ "$(pg_sql "$b" postgres 'SHOW TimeZone')" = America/New_York ]
    [ "$(pg_sql "$A" postgres 'SHOW TimeZone')" = Asia/Kolkata ]
    [ "$(pg_sql "$A" postgres "SELECT to_regclass('only_in_b') IS NULL")" = t ] ||
        _fail "A sees B's table"
    srv_alive "$(pg_pid "$A")" && srv_alive "$(pg_pid "$b")"
    pg_stop "$b"
    [ "$(pg_sql "$A" postgres 'SELECT 1')" = 1 ] || _fail "A stopped with B"
}
