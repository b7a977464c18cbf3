#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ngx_http_nextauth_module (nginx/ngx_http_nextauth_module.c) with database
# sessions on SQLite, in the Prisma schema (tests/vectors/dbsess-schema/
# prisma-sqlite.sql, a "role" column made a claim by database.claims), behind a
# private nginx on tests/fixtures-nginx/nginx.conf: the same answers as
# nextauth-guard gives behind nginx (tests/dbsess-servers-sqlite.bats), checked
# as the client gets them. Each of the two workers has its own connection. The
# database keeps SQLite's rollback journal, so a writer holding it locks the
# module's readers out: 503 once database.timeoutMs (300 here) has passed,
# served again once the writer commits.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/mod-dbsess.sh
. "$BATS_TEST_DIRNAME/lib/mod-dbsess.sh"
# shellcheck source=tests/lib/mod-nginx.sh
. "$BATS_TEST_DIRNAME/lib/mod-nginx.sh"

setup_file() {
    gc_need_tools mod-nginx-sqlite nginx sqlite3 jq curl spawn-fcgi perl || return 1
    gc_need_module mod-nginx-sqlite nginx-module "$MN_MODULE" || return 1
    clean_env
    export MS_ROOT="$BATS_FILE_TMPDIR/ng"
    mkdir -p "$MS_ROOT"
    md_sqlite_db "$MS_ROOT/prisma.db" || return 1
    gc_setup_root "$MS_ROOT" || return 1
    ds_config "$MS_ROOT/prisma.json" "sqlite:$MS_ROOT/prisma.db" prisma 300 || return 1
    # no application behind /service/ here: nothing listens on port 1
    mn_start "$MS_ROOT" "$MS_ROOT/prisma.json" 1 || return 1
    export BASE=$NG_URL
}

teardown_file() {
    [ -n "${MS_ROOT-}" ] || return 0
    release_lock
    mn_stop "$MS_ROOT"
}

setup() {
    LOCK_PID=''
}

teardown() {
    release_lock
}

@test "nginx module, sqlite: a session row lets the request through with the row's identity and role" {
    md_check_row_allows nginx
}

@test "nginx module, sqlite: no row for the token, or a rule against the role: refused" {
    md_check_refused
}

@test "nginx module, sqlite: a deleted row is refused on the very next request, by either worker" {
    md_check_deleted_row "$MS_ROOT/prisma.db" 4
}

@test "nginx module, sqlite: a writer holding the database: 503 JSON on an API, the 503 page elsewhere; served again after its commit" {
    md_check_writer_lock "$MS_ROOT/prisma.db" "$MS_ROOT/logs/error.log" "$MN_PROG" head
}
