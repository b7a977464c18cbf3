#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The recorded database-session cases (tests/dbsess/vectors.pl) on SQLite, and
# on a private PostgreSQL that this script starts and stops
# (tests/lib/postgres.sh). Prints TAP lines and one closing
# "N passed, N failed" for both.
set -u
cd "$(dirname "$0")/../.." || exit 2
export REPO_ROOT=$PWD
# shellcheck source=tests/lib/postgres.sh
. tests/lib/postgres.sh
tmp=$(mktemp -d)
trap 'pg_stop "$tmp/pg"; rm -rf "$tmp"' EXIT
passed=0
failed=0
add() { # FILE
    local line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "# no result line"
        failed=$((failed + 1))
        return
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
}
perl tests/dbsess/vectors.pl sqlite >"$tmp/sqlite" 2>&1
cat "$tmp/sqlite"
add "$tmp/sqlite"
# PostgreSQL: the server's TimeZone and the program's TZ both away from UTC
# (the recordings are in UTC); no PG* variable of the caller reaches psql.
if pg_start "$tmp/pg" timezone=Asia/Kolkata >"$tmp/pg.out" 2>&1; then
    env -u PGTZ -u PGOPTIONS -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGSERVICE \
        TZ=America/New_York perl tests/dbsess/vectors.pl pg \
        "host='$tmp/pg' port=$(pg_port "$tmp/pg") user='$(id -un)' dbname=" >"$tmp/pg.out" 2>&1
    cat "$tmp/pg.out"
    add "$tmp/pg.out"
else
    cat "$tmp/pg.out"
    echo "# the private PostgreSQL did not start"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
