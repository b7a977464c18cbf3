#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# An example test of a site guarded by nextauth-fcgi, as a user writes one
# (README, "Testing your site"): copy it, point setup_file at your own site,
# keep the @test blocks you need. Here the site is `make demo`, started on a
# free port.

# Installed: load /usr/local/share/nextauth-fcgi/nextauth
load ../share/nextauth-fcgi/nextauth

ADA='{"name":"Ada Lovelace","email":"ada@example.com","sub":"1","role":"user"}'
GRACE='{"name":"Grace Hopper","email":"grace@example.com","sub":"2","role":"admin"}'

setup_file() {
    # The site under test and its secret. For your own site this is just:
    #   export NEXTAUTH_URL=https://www.example.com NEXTAUTH_SECRET=…
    local demo=$BATS_TEST_DIRNAME/../demo/run.sh log=$BATS_FILE_TMPDIR/demo.log port try t
    for try in 1 2 3; do
        port=$((20000 + RANDOM % 10000))
        "$demo" "$port" </dev/null >"$log" 2>&1 3>&- &
        echo $! >"$BATS_FILE_TMPDIR/demo.pid"
        for ((t = 0; t < 200; t++)); do # at most 20 s
            grep -q '^Press Ctrl-C' "$log" && break 2
            kill -0 $! 2>/dev/null || continue 2 # port taken: another one
            sleep 0.1
        done
    done
    grep -q '^Press Ctrl-C' "$log" || { cat "$log" >&2; return 1; }
    export NEXTAUTH_URL=http://127.0.0.1:$port
    NEXTAUTH_SECRET=$(head -n 1 "$(sed -n 's/^everything lives in \([^ ]*\) .*/\1/p' "$log")/secret")
    export NEXTAUTH_SECRET
}

teardown_file() {
    kill -TERM "$(cat "$BATS_FILE_TMPDIR/demo.pid")" # the demo cleans up after itself
}

@test "/dashboard is guarded: 307 to the sign-in page" {
    assert_guarded --page /dashboard
}

@test "/api/hello: 401 without a session, 200 with one" {
    assert_guarded --api /api/hello
    assert_allows /api/hello "$ADA"
    [ "$nextauth_body" = '{"message":"Success"}' ]
}

@test "expired and tampered cookies are refused" {
    assert_guarded /dashboard "$(nextauth_expired_cookie "$ADA")"
    assert_guarded /api/hello "$(nextauth_tampered_cookie "$ADA")"
}

@test "a session split into chunked cookies gets in" {
    assert_allows /dashboard "$(nextauth_cookie --chunks 3 "$ADA")"
}

@test "/admin refuses role user and lets role admin in" {
    assert_refuses /admin "$ADA"
    assert_allows /admin "$GRACE"
    assert_refuses --api /api/admin/stats.json "$ADA"
    assert_allows /api/admin/stats.json "$GRACE"
}

@test "the session endpoint returns the user" {
    assert_session /api/auth/session "$ADA" '{"name":"Ada Lovelace","email":"ada@example.com","role":"user"}'
    assert_no_session /api/auth/session
}
