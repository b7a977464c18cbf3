# SPDX-License-Identifier: MIT
# tests/bench/db.sh — the session databases of the benchmarks (tests/bench/bench's
# verify-db-* cases, tests/bench/e2e.sh's database rows). Source it; it defines
# functions only.
#
#   bench_db_start DIR
#       In DIR (which must exist, outside the repository):
#         app.db        a SQLite file in the Prisma schema
#                       (tests/vectors/dbsess-schema/prisma-sqlite.sql), with
#                       BENCH_DB_SESSIONS (default 10 000) users and one session
#                       each, expiring in 30 days, written as Prisma 7 writes
#                       ("…sss+00:00" text); in SQLite's default journal mode
#                       (delete), as the schema leaves it;
#         app-wal.db    the same in WAL mode;
#         pg/           a private PostgreSQL (tests/lib/postgres.sh: Unix socket
#                       only) with two databases holding the same users and
#                       tokens: `prisma` (tests/vectors/dbsess-schema/prisma-pg.sql)
#                       and `pgadapter` (@auth/pg-adapter's pg-adapter.sql, plus an
#                       index on "sessionToken": the adapter's DDL has none, and
#                       without one every lookup reads the whole table);
#         tokens.txt    the session tokens, one a line (random UUIDs, as
#                       next-auth's crypto.randomUUID()), in an order that is
#                       not the order the rows are stored in;
#         cookies.txt   the same as Cookie headers, one a line (rotate.lua's file);
#         sqlite.json, pg.json, pgadapter.json
#                       the programs' configuration for each database
#                       (NEXTAUTH_CONFIG), url http://127.0.0.1;
#         sqlite-cached.json, pg-cached.json
#                       the same with database.cacheSeconds 1;
#         sqlite-wal.json       app-wal.db's;
#         pg.url, pgadapter.url   the libpq URIs.
#       Takes a few seconds. Returns 1, with a reason on stderr, when a step
#       fails; when PostgreSQL does not start (no server programs), the SQLite
#       half is kept, DIR/pg.skip says why and pg.json and pgadapter.json name
#       a server that is not there.
#   bench_db_sqlite DIR
#       The SQLite half alone: app.db, app-wal.db, tokens.txt, cookies.txt,
#       sqlite.json, sqlite-cached.json, sqlite-wal.json (BENCH_DB_SESSIONS
#       sessions; about a second for 10 000).
#   bench_db_stop DIR   stop the PostgreSQL server (by its pid).

# shellcheck source=tests/lib/postgres.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/postgres.sh"

_bench_db_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
_bench_db_picture='https://lh3.googleusercontent.com/a/ACg8ocJ4kLm2Qz7Xv9pT3sR8wYbN1cD6eF0gH5iJ2kL7mN9o=s96-c'

bench_db_start() {
    local dir=$1
    dir=$(cd "$dir" && pwd -P) || return 1
    rm -f "$dir/pg.skip"
    bench_db_sqlite "$dir" || return 1
    _bench_db_pg "$dir"
}

bench_db_sqlite() {
    local dir=$1 n=${BENCH_DB_SESSIONS:-10000} schema=$_bench_db_repo/tests/vectors/dbsess-schema
    dir=$(cd "$dir" && pwd -P) || return 1
    rm -f "$dir/app.db"
    # users, then one session each; the token a random UUID (v4 form)
    sqlite3 "$dir/app.db" <"$schema/prisma-sqlite.sql" || return 1
    sqlite3 "$dir/app.db" <<EOF || return 1
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
INSERT INTO "User" ("id", "name", "email", "image", "createdAt", "updatedAt")
  SELECT 'user-' || i, 'User ' || i, 'user' || i || '@example.com', '$_bench_db_picture',
         strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
  FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n),
     h(i, x) AS (SELECT i, lower(hex(randomblob(16))) FROM n)
INSERT INTO "Session" ("id", "sessionToken", "userId", "expires", "createdAt", "updatedAt")
  SELECT 'session-' || i,
         substr(x, 1, 8) || '-' || substr(x, 9, 4) || '-4' || substr(x, 14, 3) || '-a' ||
           substr(x, 18, 3) || '-' || substr(x, 21, 12),
         'user-' || i, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '+30 days'),
         strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
  FROM h;
COMMIT;
EOF
    # in random order: taken in turn, sessions stored side by side would share
    # pages, which real traffic does not
    sqlite3 "$dir/app.db" 'SELECT "sessionToken" FROM "Session" ORDER BY random()' >"$dir/tokens.txt" ||
        return 1
    sed 's/^/next-auth.session-token=/' "$dir/tokens.txt" >"$dir/cookies.txt" || return 1
    # the same file in WAL mode, its -wal and -shm kept (as while the app has
    # it open): a read-only connection cannot make them
    rm -f "$dir/app-wal.db" "$dir/app-wal.db-wal" "$dir/app-wal.db-shm"
    cp "$dir/app.db" "$dir/app-wal.db" &&
        sqlite3 "$dir/app-wal.db" '.filectrl persist_wal 1' 'PRAGMA journal_mode = WAL' >/dev/null ||
        return 1
    _bench_db_config "$dir/sqlite.json" "sqlite:$dir/app.db" prisma &&
        _bench_db_config "$dir/sqlite-cached.json" "sqlite:$dir/app.db" prisma 1 &&
        _bench_db_config "$dir/sqlite-wal.json" "sqlite:$dir/app-wal.db" prisma
}

# _bench_db_pg DIR — PostgreSQL: the same users and tokens in both schemas
_bench_db_pg() {
    local dir=$1 schema=$_bench_db_repo/tests/vectors/dbsess-schema
    # connections: the guard's and the session endpoint's processes, and the
    # Node comparison's pools (tests/bench/node-session.mjs)
    if ! pg_start "$dir/pg" max_connections=60 >"$dir/pg.log" 2>&1; then
        echo "no private PostgreSQL: $(grep . "$dir/pg.log" | tail -n 1)" >"$dir/pg.skip"
        # the programs still start (a database that does not answer is not
        # fatal): their rows are skipped
        _bench_db_config "$dir/pg.json" "postgresql:///none?host=$dir/nopg" prisma &&
            _bench_db_config "$dir/pg-cached.json" "postgresql:///none?host=$dir/nopg" prisma 1 &&
            _bench_db_config "$dir/pgadapter.json" "postgresql:///none?host=$dir/nopg" pg
        return
    fi
    {
        pg_createdb "$dir/pg" prisma &&
            pg_createdb "$dir/pg" pgadapter &&
            pg_sql_file "$dir/pg" prisma "$schema/prisma-pg.sql" &&
            pg_sql_file "$dir/pg" pgadapter "$schema/pg-adapter.sql" &&
            _bench_db_pg_rows "$dir" prisma 'INSERT INTO "User" ("id", "name", "email", "image", "createdAt", "updatedAt")
  SELECT '"'user-'"' || i, '"'User '"' || i, '"'user'"' || i || '"'@example.com'"', '"'$_bench_db_picture'"',
         now() AT TIME ZONE '"'UTC'"', now() AT TIME ZONE '"'UTC'"'
  FROM generate_series(1, (SELECT count(*) FROM tok)) AS i ORDER BY random();
INSERT INTO "Session" ("sessionToken", "userId", "expires", "createdAt", "updatedAt")
  SELECT t, '"'user-'"' || i, date_trunc('"'milliseconds'"', now() AT TIME ZONE '"'UTC'"') + interval '"'30 days'"',
         now() AT TIME ZONE '"'UTC'"', now() AT TIME ZONE '"'UTC'"'
  FROM tok ORDER BY random();' &&
            _bench_db_pg_rows "$dir" pgadapter 'INSERT INTO users (name, email, image)
  SELECT '"'User '"' || i, '"'user'"' || i || '"'@example.com'"', '"'$_bench_db_picture'"'
  FROM generate_series(1, (SELECT count(*) FROM tok)) AS i;
INSERT INTO sessions ("userId", expires, "sessionToken")
  SELECT i, date_trunc('"'milliseconds'"', now()) + interval '"'30 days'"', t FROM tok ORDER BY random();
CREATE INDEX sessions_session_token ON sessions ("sessionToken");'
    } >>"$dir/pg.log" 2>&1 || {
        echo "bench_db_start: PostgreSQL set-up failed: $(tail -n 3 "$dir/pg.log")" >&2
        return 1
    }
    pg_url "$dir/pg" prisma >"$dir/pg.url" && pg_url "$dir/pg" pgadapter >"$dir/pgadapter.url" ||
        return 1
    _bench_db_config "$dir/pg.json" "$(<"$dir/pg.url")" prisma &&
        _bench_db_config "$dir/pg-cached.json" "$(<"$dir/pg.url")" prisma 1 &&
        _bench_db_config "$dir/pgadapter.json" "$(<"$dir/pgadapter.url")" pg
}

# _bench_db_pg_rows DIR DB SQL — the tokens of DIR/tokens.txt into a temp table
# tok (i: the line number, t: the token), then SQL, then ANALYZE.
_bench_db_pg_rows() {
    {
        echo 'BEGIN;'
        echo 'CREATE TEMP TABLE tok (i serial, t text NOT NULL);'
        echo 'COPY tok (t) FROM STDIN;'
        cat "$1/tokens.txt"
        printf '\\.\n'
        printf '%s\n' "$3"
        echo 'COMMIT;'
        echo 'ANALYZE;'
    } >"$1/rows-$2.sql"
    pg_sql_file "$1/pg" "$2" "$1/rows-$2.sql"
}

# _bench_db_config FILE DATABASE_URL ADAPTER [CACHE_SECONDS]
_bench_db_config() {
    jq -cn --arg u "$2" --arg a "$3" --argjson c "${4:-0}" \
        '{url: "http://127.0.0.1", database: ({url: $u, adapter: $a} +
          if $c > 0 then {cacheSeconds: $c} else {} end)}' >"$1"
}

bench_db_stop() {
    pg_stop "$1/pg" >/dev/null 2>&1 || true
}
