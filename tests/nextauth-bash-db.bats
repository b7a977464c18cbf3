#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The database-session helpers of share/nextauth-fcgi/nextauth.bash
# (nextauth_db_cookie, nextauth_db_expire, nextauth_db_revoke,
# nextauth_db_exists) on their own: every row they write is read back by
# `nextauth-token get` in database mode, on SQLite in the Prisma, Drizzle and
# Kysely schemas and on a private PostgreSQL (tests/lib/postgres.sh, started
# once for the file) in the Prisma and @auth/pg-adapter schemas
# (tests/vectors/dbsess-schema/); values that try to break out of their SQL
# quotes are stored as they are; each failure says what is wrong.
#
# The helpers write the real time (they stand in for the Node app), so the
# checks on expiry allow a few seconds; nothing sleeps.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run

load helpers
load lib/postgres.sh
load ../share/nextauth-fcgi/nextauth

ADA='{"sub":"u-1","name":"Ada Lovelace","email":"ada@example.test","picture":"https://example.test/ada.png","role":"admin"}'
UUID4='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
# The forms of expires the adapters write.
PRISMA7='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+00:00$'
ISO_Z='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
MS='^[0-9]{13}$'

setup_file() {
    export PGD="$BATS_FILE_TMPDIR/pg"
    pg_start "$PGD"
}

teardown_file() {
    pg_stop "$PGD"
}

setup() {
    clean_env
    unset NEXTAUTH_DATABASE_URL NEXTAUTH_DATABASE_ADAPTER NEXTAUTH_SQLITE3 NEXTAUTH_PSQL \
        NEXTAUTH_COOKIE_NAME PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGTZ
    [ -f "$PGD/pg.pid" ] || pg_start "$PGD" >&2
    RESET_TZ=''
}

teardown() {
    if [ -n "$RESET_TZ" ] && [ -f "$PGD/pg.pid" ]; then
        pg_set "$PGD" timezone=UTC
    fi
}

# config URL ADAPTER [DATABASE-EXTRA] — NEXTAUTH_CONFIG: database sessions on
# URL, the role column as a claim, plus DATABASE-EXTRA (JSON members).
config() {
    export NEXTAUTH_CONFIG="$BATS_TEST_TMPDIR/config.json"
    jq -n --arg u "$1" --arg a "$2" --argjson x "{${3-}}" \
        '{url: "http://localhost:3000", session: {strategy: "database"},
          database: ({url: $u, adapter: $a, claims: {role: "role"}} + $x)}' >"$NEXTAUTH_CONFIG"
}

# sqlite_db ADAPTER — a new SQLite file in ADAPTER's schema with a role
# column on its user table, and the config for it.
sqlite_db() {
    local user=User
    [ "$1" = drizzle ] && user=user
    DB="$BATS_TEST_TMPDIR/$1.db"
    rm -f "$DB"
    sqlite3 "$DB" <"$REPO_ROOT/tests/vectors/dbsess-schema/$1-sqlite.sql"
    sqlite3 "$DB" "ALTER TABLE \"$user\" ADD COLUMN \"role\" TEXT"
    config "sqlite:$DB" "$1"
}

# pg_db ADAPTER — a new PostgreSQL database in ADAPTER's schema (prisma or
# pg) with a role column on its user table, and the config for it.
pg_db() {
    local file=prisma-pg user='"User"'
    [ "$1" = pg ] && file=pg-adapter user=users
    DBN="h${BATS_SUITE_TEST_NUMBER}_$1"
    pg_createdb "$PGD" "$DBN"
    pg_sql_file "$PGD" "$DBN" "$REPO_ROOT/tests/vectors/dbsess-schema/$file.sql" >/dev/null
    pg_sql "$PGD" "$DBN" "ALTER TABLE $user ADD COLUMN role text"
    config "$(pg_url "$PGD" "$DBN")" "$1"
}

# q SQL — run SQL on the test's database (SQLite or PostgreSQL).
q() {
    if [ -n "${DBN-}" ]; then
        pg_sql "$PGD" "$DBN" "$1"
    else
        sqlite3 "$DB" "$1"
    fi
}

# get COOKIE [OPTION...] — nextauth-token get on the config: the row's claims.
get() {
    run --separate-stderr "$NEXTAUTH_TOKEN_BIN" get --cookie "$@"
}

# assert_claims JSON MAX_AGE — the last get printed exactly these claims, with
# exp MAX_AGE seconds from now (within a few seconds).
assert_claims() {
    [ "$status" -eq 0 ] || _fail "get failed" || return 1
    jq -e --argjson want "$1" 'del(.exp) == $want' <<<"$output" >/dev/null ||
        _fail "claims: $output" "expected: $1 and exp" || return 1
    local exp now
    exp=$(jq -r .exp <<<"$output")
    now=$(date +%s)
    ((exp - now - $2 <= 2 && now + $2 - exp <= 30)) || _fail "exp $exp is not now + $2"
}

# expires_of COOKIE — the stored expires of the cookie's row, as stored.
expires_of() {
    local t=${1#*=} table='"Session"' col='"sessionToken"'
    [ "$(jq -r .database.adapter "$NEXTAUTH_CONFIG")" = drizzle ] && table='"session"'
    [ "$(jq -r .database.adapter "$NEXTAUTH_CONFIG")" = pg ] && table=sessions
    q "SELECT expires FROM $table WHERE $col = '$t'"
}

# roundtrip FORM_RE [SUB] — the life of a helper-made session on the test's
# database: made for Ada (user id SUB, default u-1), read back, expired (the
# form kept), made again for the same user (one user row, updated), revoked.
roundtrip() {
    local c c2 want form_re=$1 ada
    ada=$(jq -c --arg s "${2:-u-1}" '.sub = $s' <<<"$ADA")
    c=$(nextauth_db_cookie "$ada")
    [[ $c =~ ^next-auth\.session-token=$UUID4$ ]] || _fail "cookie: $c" || return 1
    want=$ada
    get "$c"
    assert_claims "$want" 2592000 || return 1
    if [ -n "$form_re" ]; then
        [[ $(expires_of "$c") =~ $form_re ]] || _fail "stored expires: $(expires_of "$c")" || return 1
    fi
    nextauth_db_exists "$c" || _fail "exists says no"
    nextauth_db_expire "$c" || return 1
    get "$c"
    [ "$status" -eq 1 ] && [ "$stderr" = "nextauth-token: session row expired" ] ||
        _fail "an expired row accepted" || return 1
    if [ -n "$form_re" ]; then
        [[ $(expires_of "$c") =~ $form_re ]] || _fail "expired: $(expires_of "$c")" || return 1
    fi
    # the same user again, renamed: the user row is updated, not doubled
    c2=$(nextauth_db_cookie --max-age 600 "$(jq -c '.name = "Ada King" | .role = "user"' <<<"$ada")")
    get "$c2"
    assert_claims "$(jq -c '.name = "Ada King" | .role = "user"' <<<"$want")" 600 || return 1
    nextauth_db_revoke "$c2" || return 1
    get "$c2"
    [ "$status" -eq 1 ] || _fail "a revoked row accepted" || return 1
    run nextauth_db_exists "$c2"
    [ "$status" -eq 1 ] || _fail "exists: $status"
    run --separate-stderr nextauth_db_revoke "$c2"
    [ "$status" -eq 1 ] && [ "$stderr" = "nextauth_db_revoke: no session row has that token" ] ||
        _fail "revoke twice"
    run --separate-stderr nextauth_db_expire "$c2"
    [ "$status" -eq 1 ] && [[ $stderr == *"no session row has that token" ]] || _fail "expire of no row"
}

# --- SQLite ---------------------------------------------------------------------

@test "SQLite, Prisma schema: read back by nextauth-token get; expires in Prisma 7's form; expire, revoke" {
    sqlite_db prisma
    roundtrip "$PRISMA7"
    [ "$(q 'SELECT count(*) FROM "User"')" = 1 ] || _fail "user rows"
    # Prisma Client's own columns: the session id, createdAt, updatedAt
    q 'SELECT id, "createdAt", "updatedAt" FROM "Session"' | {
        IFS='|' read -r id created updated
        [[ $id =~ ^$UUID4$ ]] && [[ $created =~ $PRISMA7 ]] && [[ $updated =~ $PRISMA7 ]]
    } || _fail "Session row: $(q 'SELECT * FROM "Session"')"
    [[ $(q 'SELECT "updatedAt" FROM "User"') =~ $PRISMA7 ]] || _fail "User.updatedAt"
}

@test "SQLite, Drizzle schema: expires in integer milliseconds" {
    sqlite_db drizzle
    roundtrip "$MS"
    [ "$(q 'SELECT typeof(expires) FROM "session"')" = integer ] || _fail "not an integer"
}

@test "SQLite, Kysely schema: expires as ISO text with Z" {
    sqlite_db kysely
    roundtrip "$ISO_Z"
}

@test "SQLite: --form chooses how expires is stored, and nextauth_db_expire keeps it" {
    sqlite_db prisma
    local c f
    for f in ms iso iso-offset space; do
        c=$(nextauth_db_cookie --form "$f" "$ADA")
        case $f in
        ms) [[ $(expires_of "$c") =~ $MS ]] ;;
        iso) [[ $(expires_of "$c") =~ $ISO_Z ]] ;;
        iso-offset) [[ $(expires_of "$c") =~ $PRISMA7 ]] ;;
        space) [[ $(expires_of "$c") =~ ^[0-9-]{10}\ [0-9:]{8}\.[0-9]{3}$ ]] ;;
        esac || _fail "--form $f: $(expires_of "$c")" || return 1
        get "$c"
        assert_claims "$ADA" 2592000 || return 1
        nextauth_db_expire "$c"
        case $f in
        ms) [[ $(expires_of "$c") =~ $MS ]] ;;
        iso) [[ $(expires_of "$c") =~ $ISO_Z ]] ;;
        iso-offset) [[ $(expires_of "$c") =~ $PRISMA7 ]] ;;
        space) [[ $(expires_of "$c") =~ ^[0-9-]{10}\ [0-9:]{8}\.[0-9]{3}$ ]] ;;
        esac || _fail "expired --form $f: $(expires_of "$c")" || return 1
        get "$c"
        [ "$status" -eq 1 ] || _fail "--form $f: the expired row is accepted" || return 1
    done
}

@test "SQLite: without sub the user gets a new id; claims beyond the user row go to their columns" {
    sqlite_db prisma
    local c
    c=$(nextauth_db_cookie '{"name":"Grace Hopper","email":"grace@example.test","role":"admin"}')
    get "$c"
    [ "$status" -eq 0 ] || _fail "get" || return 1
    jq -e '(.sub | test("^[0-9a-f-]{36}$")) and .name == "Grace Hopper" and .role == "admin"
        and .picture == null' <<<"$output" >/dev/null || _fail "claims: $output"
}

@test "SQLite: the config's table and column names (Prisma @@map / @map) and database.claims" {
    DB="$BATS_TEST_TMPDIR/mapped.db"
    sqlite3 "$DB" <"$REPO_ROOT/tests/vectors/dbsess-schema/prisma-sqlite.sql"
    sqlite3 "$DB" 'ALTER TABLE "Session" RENAME TO "auth_sessions";
        ALTER TABLE "auth_sessions" RENAME COLUMN "sessionToken" TO "session_token";
        ALTER TABLE "auth_sessions" RENAME COLUMN "updatedAt" TO "updated_at";
        ALTER TABLE "User" RENAME TO "people";
        ALTER TABLE "people" RENAME COLUMN "image" TO "avatar";
        ALTER TABLE "people" ADD COLUMN "user_role" TEXT'
    config "sqlite:$DB" prisma '"tables":{"session":"auth_sessions","user":"people"},
        "columns":{"sessionToken":"session_token","updatedAt":"updated_at","image":"avatar"},
        "claims":{"role":"user_role"}'
    local c
    c=$(nextauth_db_cookie "$ADA")
    get "$c"
    assert_claims "$ADA" 2592000 || return 1
    [ "$(sqlite3 "$DB" 'SELECT avatar, user_role FROM people')" = 'https://example.test/ada.png|admin' ] ||
        _fail "people row"
    [[ $(sqlite3 "$DB" 'SELECT updated_at FROM auth_sessions') =~ $PRISMA7 ]] || _fail "updated_at"
    nextauth_db_expire "$c"
    get "$c"
    [ "$status" -eq 1 ] || _fail "expired row accepted"
    nextauth_db_revoke "$c"
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM auth_sessions')" = 0 ] || _fail "not deleted"
}

@test "SQLite: NEXTAUTH_DATABASE_URL and NEXTAUTH_DATABASE_ADAPTER without a config; cookie names by option" {
    sqlite_db drizzle
    unset NEXTAUTH_CONFIG
    export NEXTAUTH_DATABASE_URL="sqlite:$DB" NEXTAUTH_DATABASE_ADAPTER=drizzle
    local c
    c=$(nextauth_db_cookie --max-age 120 '{"sub":"9","role":"user"}')
    [[ $c =~ ^next-auth\.session-token=$UUID4$ ]] || _fail "cookie: $c"
    [ "$(sqlite3 "$DB" 'SELECT "userId", role FROM "session" JOIN "user" ON "user".id = "userId"')" = 9\|user ] ||
        _fail "rows"
    config "sqlite:$DB" drizzle
    get "$c"
    assert_claims '{"sub":"9","name":null,"email":null,"picture":null,"role":"user"}' 120 || return 1
    c=$(nextauth_db_cookie --secure '{"sub":"9"}')
    [[ $c =~ ^__Secure-next-auth\.session-token=$UUID4$ ]] || _fail "--secure: $c"
    get "$c" --secure
    [ "$status" -eq 0 ] || _fail "get --secure"
    nextauth_db_revoke "$c" || return 1
    c=$(nextauth_db_cookie --format authjs-v5 '{"sub":"9"}')
    [[ $c =~ ^authjs\.session-token=$UUID4$ ]] || _fail "authjs-v5: $c"
    nextauth_db_revoke "$c" || return 1
    c=$(NEXTAUTH_COOKIE_NAME=my.sid nextauth_db_cookie '{"sub":"9"}')
    [[ $c =~ ^my\.sid=$UUID4$ ]] || _fail "NEXTAUTH_COOKIE_NAME: $c"
    NEXTAUTH_COOKIE_NAME=my.sid nextauth_db_revoke "$c" || return 1
    # the token alone does too
    c=$(nextauth_db_cookie --token 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef '{"sub":"9"}')
    [ "$c" = next-auth.session-token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ] ||
        _fail "--token: $c"
    nextauth_db_exists 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef || _fail "exists"
    nextauth_db_revoke 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM "session"')" = 1 ] || _fail "rows left"
}

# hostile — values that end an SQL string or identifier, start a client
# command, or look like psql variables; each must come back as it went in.
HOSTILE_NAME=$'Robert\'); DROP TABLE "Session"; --\n.shell touch /tmp/nextauth-pwned\n\\! touch /tmp/nextauth-pwned\n:\'v1\' :"i1" $$ \\\\ \' "'
HOSTILE_TOKEN=$'tok\'en" :\'v2\' \\x'

hostile() {
    local claims c tables
    tables=$(q "$1")
    claims=$(jq -nc --arg n "$HOSTILE_NAME" '{sub: "u'"'"'1", name: $n, email: "e@x.test", role: "r\"; --"}')
    c=$(nextauth_db_cookie --token "$HOSTILE_TOKEN" "$claims") || return 1
    [ "$c" = "next-auth.session-token=$HOSTILE_TOKEN" ] || _fail "cookie: $c" || return 1
    get "$c"
    [ "$status" -eq 0 ] || _fail "get" || return 1
    jq -e --arg n "$HOSTILE_NAME" '.sub == "u'"'"'1" and .name == $n and .role == "r\"; --"' \
        <<<"$output" >/dev/null || _fail "claims: $output" || return 1
    nextauth_db_exists "$HOSTILE_TOKEN" || _fail "exists" || return 1
    nextauth_db_expire "$HOSTILE_TOKEN" || return 1
    get "$c"
    [ "$status" -eq 1 ] || _fail "expired accepted" || return 1
    nextauth_db_revoke "$c" || return 1
    [ "$(q "$1")" = "$tables" ] || _fail "the tables changed" || return 1
    [ ! -e /tmp/nextauth-pwned ] || _fail "a client command ran"
}

@test "SQLite: quotes, newlines, client commands in names and tokens are stored as they are" {
    sqlite_db prisma
    hostile "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
}

# --- PostgreSQL ---------------------------------------------------------------------

@test "PostgreSQL, Prisma schema (timestamp(3) holding UTC): read back by nextauth-token get; expire, revoke" {
    pg_db prisma
    roundtrip ''
    [ "$(q 'SELECT count(*) FROM "User"')" = 1 ] || _fail "user rows"
    # the row holds the UTC wall time of the expiry nextauth-token reads
    local c exp
    c=$(nextauth_db_cookie "$ADA")
    get "$c"
    exp=$(jq .exp <<<"$output")
    [ "$(q "SELECT floor(extract(epoch FROM expires AT TIME ZONE 'UTC')) FROM \"Session\" WHERE \"sessionToken\" = '${c#*=}'")" = "$exp" ] ||
        _fail "stored: $(q 'SELECT expires FROM "Session"')"
    [ "$(q "SELECT \"updatedAt\" IS NOT NULL AND \"createdAt\" IS NOT NULL FROM \"Session\" WHERE \"sessionToken\" = '${c#*=}'")" = t ] ||
        _fail "createdAt, updatedAt"
}

@test "PostgreSQL, @auth/pg-adapter schema (timestamptz, SERIAL ids): read back; without sub the database numbers the user" {
    pg_db pg
    local c
    c=$(nextauth_db_cookie '{"name":"Grace Hopper","email":"grace@example.test"}')
    get "$c"
    [ "$status" -eq 0 ] && jq -e '.sub == "1" and .name == "Grace Hopper"' <<<"$output" >/dev/null ||
        _fail "claims: $output" || return 1
    roundtrip '' 70
    [ "$(q 'SELECT count(*) FROM users')" = 2 ] || _fail "user rows"
}

@test "PostgreSQL: the server's TimeZone away from UTC changes nothing" {
    pg_db prisma
    RESET_TZ=1
    pg_set "$PGD" timezone=Asia/Kolkata
    local c
    c=$(nextauth_db_cookie "$ADA")
    get "$c"
    assert_claims "$ADA" 2592000 || return 1
    nextauth_db_expire "$c"
    get "$c"
    [ "$status" -eq 1 ] || _fail "expired accepted"
    # an hour ago, not five and a half hours off
    [ "$(q "SELECT round(extract(epoch FROM (now() AT TIME ZONE 'UTC') - expires) / 60) FROM \"Session\"")" = 60 ] ||
        _fail "expired at $(q 'SELECT expires FROM "Session"')"
}

@test "PostgreSQL: quotes, newlines, psql commands and variables in names and tokens are stored as they are" {
    pg_db prisma
    hostile "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"
}

# --- failures -------------------------------------------------------------------------

@test "nextauth_db_*: failures say what is wrong, and leave no row behind" {
    run --separate-stderr nextauth_db_cookie '{"sub":"1"}'
    [ "$status" -eq 1 ] && [[ $stderr == *'no database: set NEXTAUTH_DATABASE_URL'* ]] || _fail "no database"
    sqlite_db kysely
    NEXTAUTH_DATABASE_ADAPTER=mongodb run --separate-stderr nextauth_db_cookie '{"sub":"1"}'
    [ "$status" -eq 1 ] && [[ $stderr == *"unknown database adapter 'mongodb'"* ]] || _fail "adapter"
    NEXTAUTH_SQLITE3=/nonexistent/sqlite3 run --separate-stderr nextauth_db_cookie '{"sub":"1"}'
    [ "$status" -eq 1 ] && [[ $stderr == *'/nonexistent/sqlite3 is not installed'* ]] || _fail "client"
    for bad in 'not json' '[1]' '{"name":"a\u0000b"}' ''; do
        run --separate-stderr nextauth_db_cookie "$bad"
        [ "$status" -eq 1 ] && [[ $stderr == *'the claims must be a JSON object'* ]] ||
            _fail "claims '$bad'" || return 1
    done
    run --separate-stderr nextauth_db_cookie --chunks 2 '{"sub":"1"}'
    [ "$status" -eq 1 ] && [[ $stderr == *'never chunked'* ]] || _fail "--chunks"
    run --separate-stderr nextauth_db_cookie --form julian '{"sub":"1"}'
    [ "$status" -eq 1 ] && [[ $stderr == *"--form is ms, iso, iso-offset or space, not 'julian'"* ]] ||
        _fail "--form"
    # @auth/pg-adapter's names on a Kysely database: no such tables
    NEXTAUTH_DATABASE_ADAPTER=pg run --separate-stderr nextauth_db_cookie '{"sub":"1"}'
    [ "$status" -eq 1 ] && [[ $stderr == *'has no table "users" or "sessions" (adapter pg)'* ]] ||
        _fail "tables"
    # Kysely's User.email is NOT NULL: the database refuses, nothing is left
    run --separate-stderr nextauth_db_cookie '{"sub":"1","name":"No Mail"}'
    [ "$status" -eq 1 ] && [[ $stderr == *'NOT NULL constraint failed: User.email'* ]] &&
        [[ $stderr == *'the database refused the statement'* ]] || _fail "NOT NULL"
    [ "$(q 'SELECT (SELECT count(*) FROM "User") + (SELECT count(*) FROM "Session")')" = 0 ] ||
        _fail "rows left behind"
    run --separate-stderr nextauth_db_expire 'next-auth.session-token=nope'
    [ "$status" -eq 1 ] && [ "$stderr" = 'nextauth_db_expire: no session row has that token' ] ||
        _fail "expire"
    pg_db prisma
    run --separate-stderr nextauth_db_cookie --form ms '{"sub":"1"}'
    [ "$status" -eq 1 ] && [[ $stderr == *"--form is for SQLite"* ]] || _fail "--form on PostgreSQL"
    NEXTAUTH_DATABASE_URL="postgresql:///nodb?host=$PGD&port=$(pg_port "$PGD")&user=$(id -un)" \
        run --separate-stderr nextauth_db_exists x
    [ "$status" -eq 2 ] && [[ $stderr == *'database "nodb" does not exist'* ]] || _fail "no database"
}
