#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Database sessions on PostgreSQL, end to end: every PostgreSQL case recorded
# from the real next-auth and @auth/core with @auth/pg-adapter and
# @auth/prisma-adapter (tests/vectors/dbsess-vectors.json) replayed by
# tests/dbsess/vectors.pl against nextauth-session as a CGI program, on a
# private server (tests/lib/postgres.sh) whose TimeZone is Asia/Kolkata while
# the program runs with TZ=America/New_York: body, session cookies and the
# rows afterwards as the real library left them.

load helpers
load lib/postgres.sh

setup_file() {
    export PGD="$BATS_FILE_TMPDIR/pg"
    pg_start "$PGD" timezone=Asia/Kolkata
}

teardown_file() {
    pg_stop "$PGD"
}

@test "every recorded PostgreSQL case, through nextauth-session" {
    command -v faketime >/dev/null || skip "faketime is not installed (sh tools/deps.sh)"
    local prefix
    prefix="host='$PGD' port=$(pg_port "$PGD") user='$(id -un)' dbname="
    run env -u PGTZ -u PGOPTIONS -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
        TZ=America/New_York REPO_ROOT="$REPO_ROOT" perl "$REPO_ROOT/tests/dbsess/vectors.pl" pg "$prefix"
    if [ "$status" -ne 0 ] || [[ ${lines[-1]} != "96 passed, 0 failed" ]]; then
        printf '%s\n' "$output" | grep -A 12 '^not ok' | head -n 80 >&2
        printf 'exit %s; last line: %s\n' "$status" "${lines[-1]}" >&2
        return 1
    fi
}
