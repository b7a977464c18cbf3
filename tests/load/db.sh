# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # sourced by run.sh: it sets root, dir, DB…, uses the tok_*
# tests/load/db.sh — database sessions for tests/load/run.sh (LOAD_DB=sqlite or
# LOAD_DB=pg). Sourced by run.sh, after its helpers (now, die, probe,
# guard_pids, wait_back…); defines functions and the session tokens only.
#
# The database is the Node app's, in the Prisma schema
# (tests/vectors/dbsess-schema/prisma-sqlite.sql or prisma-pg.sql) plus a
# "role" column on "User", which the guard reads through database.claims: a
# SQLite file in the run's folder, or a private PostgreSQL server
# (tests/lib/postgres.sh, Unix socket only) in DIR/pg. Rows:
#   users    u-ann, u-bob (role user), u-cat, u-dan (role admin), u-eve (no
#            role: NULL), and 200 filler users
#   sessions valid ones for each named user, three that run.sh revokes mid-run
#            (bob's page and API sessions, dan's admin session), one it never
#            revokes (the revocation canary's), two expired rows, and 2000
#            filler rows (half of them expired) so that a lookup is a lookup
#            in a real index. SQLite: ann's rows hold integer milliseconds (the
#            form of Prisma 6 and earlier), the others Prisma 7's ISO text
#            with +00:00; PostgreSQL: timestamp(3), UTC wall time.
#
#   db_init           create it all; sets DB_URL, DB_NAME and the tok_* tokens
#   db_sql SQL        run SQL on it (stdout: the rows, one a line)
#   db_fault          the outage, once: PostgreSQL stopped (fast shutdown) and
#                     started again; SQLite locked (an exclusive transaction of
#                     the sqlite3 shell) past the guard's busy timeout and
#                     released. Never restarts a guard.
#   db_revoke         delete the revocable rows: one with `nextauth-token
#                     revoke`, as sign-out does, the others with one DELETE
#   db_cleanup        release the lock, stop the server (pid files only)
# The flag files of check.lua (LOAD_FLAGS, FLAGS here) mark each step;
# windows.txt and faults.txt get the times, as for run.sh's own faults.

# shellcheck source=tests/lib/postgres.sh
. "$root/tests/lib/postgres.sh"

# SQLite: the busy timeout each lookup waits on the lock (short: the lock's
# requests are few); PostgreSQL: connecting and each statement (refused at once
# while it is down; the default, so that a busy machine's reconnect fits)
DB_TIMEOUT_MS=${LOAD_DB_TIMEOUT_MS:-$([ "$DB" = pg ] && echo 2000 || echo 500)}
FLAGS=$dir/flags
PGD=$dir/pg
SQLITE_DB=$dir/db/app.db
lock_pid=''

uuid() { cat /proc/sys/kernel/random/uuid; }
tok_ann=$(uuid)
tok_ann2=$(uuid)
tok_bob=$(uuid)
tok_cat=$(uuid)
tok_eve=$(uuid)
tok_rev_page=$(uuid)
tok_rev_api=$(uuid)
tok_rev_admin=$(uuid)
tok_canary_rev=$(uuid)
tok_expired=$(uuid)
tok_expired_admin=$(uuid)
tok_unknown=$(uuid)                 # in no row
tok_unknown_hex=$(rand_hex 32)      # next-auth's other form, 64 hex characters; in no row

# An expiry MS (unix milliseconds) as a literal in the column's form.
db_time() { # MS [int]
    local ms=$1 s
    s=$(date -u -d "@$((ms / 1000))" '+%Y-%m-%d %H:%M:%S') || return 1
    if [ "$DB" = pg ]; then
        printf "TIMESTAMP '%s.%03d'" "$s" $((ms % 1000))
    elif [ "${2:-}" = int ]; then
        printf '%s' "$ms"
    else
        printf "'%sT%s.%03d+00:00'" "${s% *}" "${s#* }" $((ms % 1000))
    fi
}

db_sql() {
    if [ "$DB" = pg ]; then
        pg_sql "$PGD" app "$1"
    else
        sqlite3 -cmd '.timeout 5000' "$SQLITE_DB" "$1"
    fi
}

db_init() {
    local now_ms=$T0 day=86400000 later past ann_later ann_past updated rows='' out
    later=$(db_time $((now_ms + 30 * day))) && past=$(db_time $((now_ms - 3600000))) &&
        ann_later=$(db_time $((now_ms + 30 * day)) int) && ann_past=$(db_time $((now_ms - 3600000)) int) &&
        updated=$(db_time "$now_ms") || return 1
    mkdir -p "$FLAGS" "$dir/db" || return 1
    # the sessions: token, user, expiry (SQLite: Prisma's schema has an "id")
    local -a sess=(
        "$tok_ann u-ann $ann_later" "$tok_ann2 u-ann $ann_later" "$tok_canary_rev u-ann $ann_later"
        "$tok_bob u-bob $later" "$tok_cat u-cat $later" "$tok_eve u-eve $later"
        "$tok_rev_page u-bob $later" "$tok_rev_api u-bob $later" "$tok_rev_admin u-dan $later"
        "$tok_expired u-ann $ann_past" "$tok_expired_admin u-cat $past"
    )
    local x t u e n=0
    for x in "${sess[@]}"; do
        read -r t u e <<<"$x"
        n=$((n + 1))
        if [ "$DB" = pg ]; then
            rows+="${rows:+,}('$t','$u',$e,$updated)"
        else
            rows+="${rows:+,}('s-$n','$t','$u',$e,$updated)"
        fi
    done
    local cols='"sessionToken","userId","expires","updatedAt"' filler about
    if [ "$DB" = pg ]; then
        filler="INSERT INTO \"User\" (\"id\",\"name\",\"email\",\"updatedAt\",\"role\")
  SELECT 'u-f' || i, 'Filler ' || i, 'filler' || i || '@example.test', $updated, 'user'
  FROM generate_series(1, 200) AS i;
INSERT INTO \"Session\" ($cols)
  SELECT md5(random()::text || i), 'u-f' || (1 + i % 200),
         CASE WHEN i % 2 = 0 THEN $later ELSE $past END, $updated
  FROM generate_series(1, 2000) AS i;"
        about="SELECT 'PostgreSQL ' || split_part(current_setting('server_version'), ' ', 1);"
    else
        cols="\"id\",$cols"
        filler="INSERT INTO \"User\" (\"id\",\"name\",\"email\",\"updatedAt\",\"role\")
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
  SELECT 'u-f' || i, 'Filler ' || i, 'filler' || i || '@example.test', $updated, 'user' FROM n;
INSERT INTO \"Session\" ($cols)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
  SELECT 'f-' || i, lower(hex(randomblob(16))), 'u-f' || (1 + i % 200),
         CASE WHEN i % 2 = 0 THEN $later ELSE $past END, $updated FROM n;"
        about="SELECT 'SQLite ' || sqlite_version() || ', journal mode ' || journal_mode FROM pragma_journal_mode;"
    fi
    # one client run: the schema, the rows, then the row count and what the database is
    {
        cat "$root/tests/vectors/dbsess-schema/prisma-$([ "$DB" = pg ] && echo pg || echo sqlite).sql" &&
            printf '%s\n' "ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT;
INSERT INTO \"User\" (\"id\",\"name\",\"email\",\"updatedAt\",\"role\") VALUES
  ('u-ann','Ann User','ann@example.test',$updated,'user'),
  ('u-bob','Bob User','bob@example.test',$updated,'user'),
  ('u-cat','Cat Admin','cat@example.test',$updated,'admin'),
  ('u-dan','Dan Admin','dan@example.test',$updated,'admin'),
  ('u-eve','Eve Norole','eve@example.test',$updated,NULL);
INSERT INTO \"Session\" ($cols) VALUES $rows;
$filler
SELECT count(*) FROM \"Session\";
$about"
    } >"$dir/db/init.sql" || return 1
    if [ "$DB" = pg ]; then
        pg_start "$PGD" >"$dir/logs/pg_start.out" 2>&1 || { cat "$dir/logs/pg_start.out"; return 1; }
        pg_createdb "$PGD" app && out=$(pg_sql_file "$PGD" app "$dir/db/init.sql") || return 1
        DB_URL=$(pg_url "$PGD" app) || return 1
        DB_NAME="$(sed -n 2p <<<"$out") (private, socket in $PGD)"
    else
        out=$(sqlite3 -bail "$SQLITE_DB" <"$dir/db/init.sql") || return 1
        DB_URL=sqlite:$SQLITE_DB
        DB_NAME="$(sed -n 2p <<<"$out") ($SQLITE_DB)"
    fi
    [ "$(head -n 1 <<<"$out")" = $((2000 + ${#sess[@]})) ] || { echo "db_init: $out"; return 1; }
}

# The revocable rows still there (0 after db_revoke).
db_revocable_left() {
    db_sql "SELECT count(*) FROM \"Session\" WHERE \"sessionToken\" IN ('$tok_rev_page','$tok_rev_api','$tok_rev_admin')"
}

db_revoke() {
    local ta tb out rc=0 left
    now
    ta=$NOW
    : >"$FLAGS/revoking"
    # as sign-out does it: nextauth-token revoke, with the guard's own config
    out=$(NEXTAUTH_CONFIG=$dir/guard.json "$TOKEN_BIN" revoke "$tok_rev_admin" 2>&1) || rc=$?
    [ "$rc" -eq 0 ] || fail_notes+=("revocation: nextauth-token revoke exited $rc: $out")
    db_sql "DELETE FROM \"Session\" WHERE \"sessionToken\" IN ('$tok_rev_page','$tok_rev_api')" >/dev/null ||
        fail_notes+=("revocation: the DELETE failed")
    : >"$FLAGS/revoked"
    now
    tb=$NOW
    left=$(db_revocable_left)
    [ "$left" = 0 ] || fail_notes+=("revocation: $left revocable rows left")
    printf 'revoke %s %s\n' "$ta" "$tb" >>"$dir/windows.txt"
    printf 'revocation at %s s: 3 sessions (1 by nextauth-token revoke, 2 by one DELETE) gone after %s s; rows left: %s\n' \
        "$(rel "$ta")" "$(secs $((tb - ta)))" "$left" >>"$dir/faults.txt"
}

# The SQLite lock: a sqlite3 shell holding BEGIN EXCLUSIVE (rollback journal:
# no reader gets in). lock_pid is the shell's pid.
db_lock() {
    coproc LOCKER { exec sqlite3 "$SQLITE_DB" 2>&1; }
    lock_pid=$LOCKER_PID
    printf '.timeout 5000\nBEGIN EXCLUSIVE;\nSELECT %s;\n' "'locked'" >&"${LOCKER[1]}"
    local line=''
    read -r -t 10 line <&"${LOCKER[0]}"
    [ "$line" = locked ]
}
db_unlock() {
    local line='' wfd=${LOCKER[1]}
    printf 'COMMIT;\nSELECT %s;\n' "'unlocked'" >&"$wfd"
    read -r -t 10 line <&"${LOCKER[0]}"
    exec {wfd}>&- # end of input: the shell exits
    wait "$lock_pid" 2>/dev/null
    lock_pid=''
    [ "$line" = unlocked ]
}

db_fault() {
    local ta tb tc td codes='' c before after what
    before=$(guard_pids | sort | tr '\n' ' ')
    now
    ta=$NOW
    : >"$FLAGS/fault"
    if [ "$DB" = pg ]; then
        what='PostgreSQL stopped'
        pg_stop "$PGD" >>"$dir/logs/pg_stop.out" 2>&1
    else
        what='SQLite locked'
        db_lock || fail_notes+=("database fault: the sqlite3 shell did not get its exclusive lock")
    fi
    now
    tb=$NOW
    : >"$FLAGS/down"
    while [ $((NOW - tb)) -lt $((DB_HOLD * 1000)) ]; do
        c=$(probe)
        codes+="$c "
        sleep 0.2
        now
    done
    rm -f "$FLAGS/down"
    now
    tc=$NOW
    if [ "$DB" = pg ]; then
        pg_start "$PGD" >>"$dir/logs/pg_start.out" 2>&1 ||
            fail_notes+=("database fault: PostgreSQL did not start again")
    else
        db_unlock || fail_notes+=("database fault: the sqlite3 shell did not commit")
    fi
    now
    td=$NOW
    : >"$FLAGS/back"
    rm -f "$FLAGS/fault"
    if wait_back; then
        printf 'db %s %s\nout %s %s\nback %s\n' "$ta" "$NOW" "$tb" "$tc" "$NOW" >>"$dir/windows.txt"
    else
        printf 'db %s %s\nout %s %s\n' "$ta" "$NOW" "$tb" "$tc" >>"$dir/windows.txt"
        fail_notes+=("database fault: no valid session got in within 10 s of its return")
    fi
    RSS_FROM=$((NOW + 1000)) # VmRSS: from 1 s after the database was back (run.sh)
    after=$(guard_pids | sort | tr '\n' ' ')
    [ "$before" = "$after" ] ||
        fail_notes+=("database fault: the guard processes changed (before: $before; after: $after)")
    printf '%s at %s s (down after %s s) for %s s (probes with a valid session got: %s); answering again after %s s, a valid session in after %s s more; the same guard processes before and after: %s\n' \
        "$what" "$(rel "$ta")" "$(secs $((tb - ta)))" "$(secs $((tc - tb)))" \
        "$(echo "$codes" | tr ' ' '\n' | grep . | sort | uniq -c | awk '{printf "%s%s x %s", (NR > 1 ? ", " : ""), $1, $2}')" \
        "$(secs $((td - tc)))" "$(secs $((NOW - td)))" "$([ "$before" = "$after" ] && echo yes || echo NO)" >>"$dir/faults.txt"
    for c in $codes; do
        [ "$c" = 503 ] || { fail_notes+=("database fault: a probe got $c"); break; }
    done
}

db_cleanup() {
    if [ -n "$lock_pid" ]; then
        kill -TERM "$lock_pid" 2>/dev/null
        wait "$lock_pid" 2>/dev/null
    fi
    [ "$DB" = pg ] && pg_stop "$PGD"
    return 0
}
