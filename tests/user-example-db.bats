#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# An example test of a site with database sessions, as a user writes one
# (README, "Testing your site"): the same assertions as tests/user-example.bats,
# with the session rows written into the site's database by the helpers. Copy
# it, point setup_file at your own site and its database, keep the @test blocks
# you need. Here the site is `make demo STRATEGY=database`, started on a free
# port; its database is a SQLite file in the Prisma schema, with a role column.

# Installed: load /usr/local/share/nextauth-fcgi/nextauth
load ../share/nextauth-fcgi/nextauth

ADA='{"name":"Ada Lovelace","email":"ada@example.com","sub":"1","role":"user"}'
GRACE='{"name":"Grace Hopper","email":"grace@example.com","sub":"2","role":"admin"}'

setup_file() {
    # The site under test and its database. For your own site this is just:
    #   export NEXTAUTH_URL=https://www.example.com
    #   export NEXTAUTH_DATABASE_URL=postgresql://app:…@db.internal/app NEXTAUTH_DATABASE_ADAPTER=prisma
    local demo=$BATS_TEST_DIRNAME/../demo/run.sh log=$BATS_FILE_TMPDIR/demo.log port try t
    for try in 1 2 3; do
        port=$((20000 + RANDOM % 10000))
        "$demo" "$port" database </dev/null >"$log" 2>&1 3>&- &
        echo $! >"$BATS_FILE_TMPDIR/demo.pid"
        for ((t = 0; t < 200; t++)); do # at most 20 s
            grep -q '^Press Ctrl-C' "$log" && break 2
            kill -0 $! 2>/dev/null || continue 2 # port taken: another one
            sleep 0.1
        done
    done
    grep -q '^Press Ctrl-C' "$log" || { cat "$log" >&2; return 1; }
    export NEXTAUTH_URL=http://127.0.0.1:$port
    NEXTAUTH_DATABASE_URL=sqlite:$(sed -n 's/^everything lives in \([^ ]*\) .*/\1/p' "$log")/demo.db
    export NEXTAUTH_DATABASE_URL
}

teardown_file() {
    kill -TERM "$(cat "$BATS_FILE_TMPDIR/demo.pid")" # the demo cleans up after itself
}

@test "/dashboard is guarded: 307 to the sign-in page" {
    assert_guarded --page /dashboard
}

@test "/api/hello: 401 without a session, 200 with one" {
    assert_guarded --api /api/hello
    assert_allows /api/hello "$(nextauth_db_cookie "$ADA")"
    [ "$nextauth_body" = '{"message":"Success"}' ]
}

@test "an expired session row is refused" {
    local c
    c=$(nextauth_db_cookie "$ADA")
    assert_allows /dashboard "$c"
    nextauth_db_expire "$c"
    assert_guarded --page /dashboard "$c"
    assert_guarded --api /api/hello "$c"
}

@test "a deleted session row (signed out elsewhere) is refused on the next request" {
    local c
    c=$(nextauth_db_cookie "$ADA")
    assert_allows /api/hello "$c"
    nextauth_db_revoke "$c"
    run nextauth_db_exists "$c"
    [ "$status" -eq 1 ]
    assert_guarded --api /api/hello "$c"
    assert_no_session /api/auth/session "$c"
}

@test "a token that is no row is refused" {
    assert_guarded /dashboard 'next-auth.session-token=4f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'
}

@test "/admin refuses role user and lets role admin in (the role column)" {
    assert_refuses /admin "$(nextauth_db_cookie "$ADA")"
    assert_allows /admin "$(nextauth_db_cookie "$GRACE")"
    assert_refuses --api /api/admin/stats.json "$(nextauth_db_cookie "$ADA")"
    assert_allows /api/admin/stats.json "$(nextauth_db_cookie "$GRACE")"
}

@test "the session endpoint returns the user of the row" {
    assert_session /api/auth/session "$(nextauth_db_cookie "$ADA")" \
        '{"name":"Ada Lovelace","email":"ada@example.com","role":"user"}'
    assert_no_session /api/auth/session
}
