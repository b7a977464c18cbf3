#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mod_nextauth (apache/mod_nextauth.c) with database sessions on PostgreSQL,
# on Apache's worker MPM (tests/fixtures-apache/mod-nextauth.conf with
# MPM_WORKER: threads in each child, each thread with its own connection),
# against a private PostgreSQL (tests/lib/postgres.sh) in the Prisma schema
# (tests/vectors/dbsess-schema/prisma-pg.sql, a "role" column made a claim by
# database.claims). Apache's children run as www-data when the tests run as
# root, and the cluster's socket folder is PostgreSQL's own: the module
# reaches it over TCP on 127.0.0.1 (trust, as the cluster is made). The same
# answers as nextauth-guard gives behind Apache (tests/dbsess-servers-pg.bats),
# checked as the client gets them; and the connections: made by the threads
# that serve, none kept by Apache's parent, all gone when the children go.

# shellcheck disable=SC2154 # gc_status, gc_body…: set by gc_get
load helpers
# shellcheck source=tests/lib/mod-dbsess.sh
. "$BATS_TEST_DIRNAME/lib/mod-dbsess.sh"
load lib/postgres.sh

MP_CONF="$BATS_TEST_DIRNAME/fixtures-apache/mod-nextauth.conf"
MP_MODULE="$REPO_ROOT/apache/mod_nextauth.so"

# ds_check_revocation's view of this suite: one server, "apache", in
# DS_ROOT/apache (its url file and guard.json), on the database "app".
DS_SERVERS=(apache)
session_table() { echo '"Session"'; }
run_sql() { pg_sql "$PGD" app "$2"; }
past() { echo "now() AT TIME ZONE 'UTC' - interval '1 second'"; }

# The module's connections to the cluster.
backends() {
    pg_sql "$PGD" postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'nextauth-fcgi'"
}
_backends_are() { [ "$(backends)" = "$1" ]; }
# The module's backends' pids, in one line; _gone PIDS: none of them is left.
backend_pids() {
    pg_sql "$PGD" postgres "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
        WHERE application_name = 'nextauth-fcgi'"
}
_gone() {
    [ -z "$(pg_sql "$PGD" postgres "SELECT pid FROM pg_stat_activity
        WHERE pid IN (${1// /,})")" ]
}

# Apache's pid and its children's, one a line.
apache_pids() {
    echo "$AP_PID"
    pgrep -P "$AP_PID" | sort
}

session_sql() { # TOKEN USER-ID
    echo "INSERT INTO \"Session\" (\"sessionToken\",\"userId\",\"expires\",\"updatedAt\")
        VALUES ('$1','$2','2099-01-01 00:00:00','2025-12-31 00:00:00');"
}

setup_file() {
    gc_need_tools mod-apache-pg apache2 apxs jq curl pgrep ss || return 1
    gc_need_module mod-apache-pg apache-module "$MP_MODULE" "$GC_TOKEN_BIN" || return 1
    export PGD="$BATS_FILE_TMPDIR/pg"
    # a connection per thread that serves: up to ServerLimit x ThreadsPerChild (50)
    pg_start "$PGD" listen_addresses=127.0.0.1 max_connections=80 || return 1
    md_pg_db "$PGD" "$(session_sql ada user-ada) $(session_sql bob user-bob)
$(session_sql rv-del-apache user-ada) $(session_sql rv-cli-apache user-ada)
$(session_sql rv-exp-apache user-ada)" || return 1
    ds_root DS_ROOT || return 1
    export DS_ROOT MP_DIR="$DS_ROOT/apache"
    gc_setup_root "$MP_DIR" || return 1
    chmod 0755 "$MP_DIR"
    chmod -R a+rX "$MP_DIR/www"
    ds_config "$MP_DIR/guard.json" \
        "postgresql://$(id -un)@127.0.0.1:$(pg_port "$PGD")/app" prisma 1000 || return 1
    ap_start "$MP_DIR" "$MP_CONF" NEXTAUTH_CONF="$MP_DIR/guard.json" MPM_WORKER=1 || return 1
    echo "$AP_URL" >"$MP_DIR/url"
}

teardown_file() {
    if [ -n "${DS_ROOT-}" ]; then
        ap_stop "$DS_ROOT/apache"
        rm -rf "$DS_ROOT"
    fi
    pg_stop "$PGD"
}

setup() {
    ap_start_vars
    BASE=$(<"$MP_DIR/url")
}

# AP_PID and AP_DIR of the suite's Apache (each test runs in its own shell).
ap_start_vars() {
    AP_DIR=$MP_DIR
    AP_PID=$(<"$MP_DIR/run/apache-fg.pid")
}

teardown() {
    # a test that stopped the cluster leaves it running for the next
    [ -f "$PGD/pg.pid" ] || pg_start "$PGD" >&2
    if [ -n "${BATS_TEST_COMPLETED-}" ]; then return 0; fi
    srv_dump "$MP_DIR/logs/error.log"
    pg_dump_log "$PGD"
}

# pid_connections PID — how many TCP connections to the cluster's port PID holds.
pid_connections() {
    ss -Htnp state established "( dport = :$(pg_port "$PGD") )" | grep -c "pid=$1," || true
}

@test "mod_nextauth, postgresql, worker MPM: the worker MPM runs; the children connect, Apache's parent keeps no connection" {
    local c n=0
    grep -q 'mpm_worker:notice' "$MP_DIR/logs/error.log" ||
        _fail "not the worker MPM:" "$(head -n 5 "$MP_DIR/logs/error.log")"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
    [ "$(pid_connections "$AP_PID")" -eq 0 ] || _fail "Apache's parent holds a connection"
    for c in $(pgrep -P "$AP_PID"); do
        n=$((n + $(pid_connections "$c")))
    done
    [ "$n" -ge 1 ] && [ "$n" -eq "$(backends)" ] ||
        _fail "the children hold $n connections, the cluster counts $(backends)"
}

@test "mod_nextauth, postgresql, worker MPM: a session row lets the request through with the row's identity and role" {
    md_check_row_allows apache
    [ "$(backends)" -ge 1 ] || _fail "no connection of the module's"
}

@test "mod_nextauth, postgresql, worker MPM: no row for the token, or a rule against the role: refused" {
    md_check_refused
}

@test "mod_nextauth, postgresql, worker MPM: a deleted row, nextauth-token revoke, an expiry in the past: the very next request is refused" {
    ds_check_revocation run_sql past
}

@test "mod_nextauth, postgresql, worker MPM: PostgreSQL stopped: 503 JSON on an API, the 503 page elsewhere; started again: served, Apache not restarted" {
    local pids
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
    pids=$(apache_pids)
    pg_stop "$PGD"
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_503 module api
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_503 module page
    refute_body_has REMOTE_USER
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)" -H 'Accept: application/json'
    assert_503 module api
    # no session cookie: the database is not asked
    gc_req /api/env.cgi
    assert_json_401
    pg_start "$PGD"
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
    gc_req /api/env.cgi -H "Cookie: $(gc_cookie bob)"
    assert_user_allowed || return 1
    [ "$(apache_pids)" = "$pids" ] || _fail "Apache or a child was restarted"
    grep -qF 'mod_nextauth: session store unavailable for /api/env.cgi: database: ' "$MP_DIR/logs/error.log" ||
        _fail "expected the guard's line in the error log"
    ! grep -qE "Cookie|ada['\" ]" "$MP_DIR/logs/error.log" || _fail "a token reached the error log"
}

@test "mod_nextauth, postgresql, worker MPM: concurrent requests on several threads each get their own session's identity" {
    local i out
    # shellcheck disable=SC2016 # $1 is the inner sh's
    out=$(for i in $(seq 1 90); do
        case $((i % 3)) in
        0) echo "-H Cookie:$(gc_cookie ada)" ;;
        1) echo "-H Cookie:$(gc_cookie bob)" ;;
        2) echo "-H Cookie:$(gc_cookie nobody) -H Accept:application/json" ;;
        esac
    done | xargs -P 12 -I{} sh -c 'r=$(curl -s --max-time 10 {} "$1/app/env.cgi" |
        grep -E "^(REMOTE_USER|NEXTAUTH_ROLE)=|message" | sort | tr "\n" " "); echo "$r"' _ "$BASE" |
        sort | uniq -c | sed 's/^ *//')
    [ "$out" = "30 NEXTAUTH_ROLE=admin REMOTE_USER=ada@example.com 
30 NEXTAUTH_ROLE=user REMOTE_USER=bob@example.com 
30 {\"message\":\"You must be logged in.\"} " ] || _fail "got: $out"
    [ "$(backends)" -ge 2 ] || _fail "one connection for all threads: $(backends)"
}

# _graceful — a graceful restart (SIGUSR1); Apache answers again.
_graceful() {
    kill -USR1 "$AP_PID"
    srv_poll 10 _ap_ready "$AP_PID" "$BASE/" || _fail "Apache gone after the graceful restart"
}

@test "mod_nextauth, postgresql, worker MPM: a graceful restart and a stop leave no connection behind, each one closed" {
    local n old log_from
    # a client that goes without closing its connection (its process ended
    # first) is logged at debug1 as "unexpected EOF on client connection"; a
    # backend reads the setting when it starts, so the connections checked are
    # the ones made from here on
    pg_set "$PGD" log_min_messages=debug1
    log_from=$(($(wc -l <"$PGD/postgres.log") + 1))
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
    # graceful: the old children finish and go, each thread closing its
    # connection; the new ones connect at their threads' first request
    for n in 1 2; do
        old=$(backend_pids)
        [ -n "$old" ] || _fail "no connection before the restart"
        _graceful
        srv_poll 20 _gone "$old" || _fail "connections of the old children left: $(backend_pids) (were $old)"
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie bob)"
        assert_user_allowed || return 1
    done
    gc_req /app/env.cgi -H "Cookie: $(gc_cookie ada)"
    assert_admin_allowed || return 1
    ap_stop "$MP_DIR"
    srv_poll 10 _backends_are 0 || _fail "connections left after the stop: $(backends)"
    ! tail -n +"$log_from" "$PGD/postgres.log" | grep -F 'unexpected EOF on client connection' ||
        _fail "a connection was dropped, not closed"
    pg_set "$PGD" log_min_messages=warning
    # the others run after this one: Apache again
    ap_start "$MP_DIR" "$MP_CONF" NEXTAUTH_CONF="$MP_DIR/guard.json" MPM_WORKER=1
    echo "$AP_URL" >"$MP_DIR/url"
}
