#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mod_nextauth (apache/mod_nextauth.c) with database sessions on SQLite, in
# the Prisma schema (tests/vectors/dbsess-schema/prisma-sqlite.sql, a "role"
# column made a claim by database.claims), behind a private Apache on
# tests/fixtures-apache/mod-nextauth.conf: the same answers as nextauth-guard
# gives behind Apache (tests/dbsess-servers-sqlite.bats), checked as the client
# gets them. The database keeps SQLite's rollback journal, so a writer holding
# it locks the module's readers out: 503 once database.timeoutMs (300 here)
# has passed, served again once the writer commits.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/mod-dbsess.sh
. "$BATS_TEST_DIRNAME/lib/mod-dbsess.sh"

MS_CONF="$BATS_TEST_DIRNAME/fixtures-apache/mod-nextauth.conf"
MS_MODULE="$REPO_ROOT/apache/mod_nextauth.so"

setup_file() {
    gc_need_tools mod-apache-sqlite apache2 apxs sqlite3 jq curl || return 1
    gc_need_module mod-apache-sqlite apache-module "$MS_MODULE" || return 1
    ds_root MS_ROOT || return 1
    export MS_ROOT
    md_sqlite_db "$MS_ROOT/prisma.db" || return 1
    chmod 0644 "$MS_ROOT/prisma.db"
    gc_setup_root "$MS_ROOT" || return 1
    chmod -R a+rX "$MS_ROOT/www"
    ds_config "$MS_ROOT/prisma.json" "sqlite:$MS_ROOT/prisma.db" prisma 300 || return 1
    ap_start "$MS_ROOT" "$MS_CONF" NEXTAUTH_CONF="$MS_ROOT/prisma.json" || return 1
    export BASE=$AP_URL
}

teardown_file() {
    [ -n "${MS_ROOT-}" ] || return 0
    release_lock
    ap_stop "$MS_ROOT"
    rm -rf "$MS_ROOT"
}

setup() {
    LOCK_PID=''
}

teardown() {
    release_lock
}

@test "mod_nextauth, sqlite: a session row lets the request through with the row's identity and role" {
    md_check_row_allows apache
}

@test "mod_nextauth, sqlite: no row for the token, or a rule against the role: refused" {
    md_check_refused
}

@test "mod_nextauth, sqlite: a deleted row is refused on the very next request" {
    md_check_deleted_row "$MS_ROOT/prisma.db" 1
}

@test "mod_nextauth, sqlite: a writer holding the database: 503 JSON on an API, the 503 page elsewhere; served again after its commit" {
    md_check_writer_lock "$MS_ROOT/prisma.db" "$AP_DIR/logs/error.log" mod_nextauth
}
