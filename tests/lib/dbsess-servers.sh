# SPDX-License-Identifier: MIT
# tests/lib/dbsess-servers.sh — nextauth-guard with database sessions
# (docs/behaviour.md, Database sessions) behind a private lighttpd, Apache 2.4
# and nginx, for tests/dbsess-servers-pg.bats and dbsess-servers-sqlite.bats.
# Source it after bats' `load helpers`; it sources guard-checks.sh and the
# server helpers.
#
# Each server runs on its example file unchanged, as the guard suites do
# (guard-lighttpd.bats, guard-apache.bats, guard-nginx.bats):
#   lighttpd  examples/lighttpd-guard.conf included by a small site config; the
#             guard is lighttpd's authorizer, spawned by lighttpd (max-procs);
#   apache    tests/fixtures-apache/httpd.conf, which includes
#             examples/apache-guard.conf; the guard under spawn-fcgi -F 2 on a
#             loopback TCP port;
#   nginx     examples/nginx-guard.conf with its @PLACEHOLDERS@ filled in
#             (nginx.sh ng_render); the guard under spawn-fcgi -F 2 on a unix
#             socket, tests/fixtures/fcgi-cgi.pl running *.cgi, and /service/
#             proxied (with the X-Nextauth-* headers) to a second server block.
# The backend everywhere is tests/fixtures/env.cgi (prints its environment) in
# tests/fixtures/www (gc_setup_root).
#
#   ds_config FILE URL ADAPTER [TIMEOUT_MS]
#       The guard's configuration: origin GC_ORIGIN, sign-in page /login,
#       /admin/… and /api/admin/… for role admin only (a rule on the claim
#       "role", which database.claims takes from the user column "role"),
#       NEXTAUTH_ROLE (X-Nextauth-Role) from that claim, no secret; the
#       session database URL with ADAPTER, database.timeoutMs TIMEOUT_MS
#       (default 2000).
#   ds_start SERVER DIR CONFIG
#       DIR gets the docroot (gc_setup_root), CONFIG copied to DIR/guard.json,
#       the guard and the server started; DIR/url is the server's URL.
#       SERVER: lighttpd, apache or nginx. DIR must be one Apache's User can
#       walk to (as root: www-data; see ds_root).
#   ds_start_all ROOT LIGHTTPD-CONFIG APACHE-CONFIG NGINX-CONFIG
#       ds_start of the three at once (in parallel), into ROOT/lighttpd,
#       ROOT/apache and ROOT/nginx; fails when one of them did.
#   ds_restart_guard SERVER DIR   the guard again, reading DIR/guard.json anew
#       (lighttpd: the whole lighttpd, on a new port: DIR/url changes).
#   ds_stop SERVER DIR            the server and its guard, each by its pid.
#   ds_stop_all ROOT              ds_stop of the three (in parallel).
#   ds_root VAR                   VAR = a new folder under TMPDIR, mode 0755.
#   ds_base SERVER DIR            BASE = the server's URL (for gc_req).
#   ds_guard_logged SERVER DIR MSG   the server's error log has the guard's
#       stderr line MSG ("nextauth-guard: …") in that server's form (polled
#       for up to 2 s: Apache writes it while it answers). SERVER may also be
#       nginx-module: ngx_http_nextauth_module's line in nginx's error log.
# SQLite:
#   ds_prisma_db FILE   a new database in the Prisma schema with Ada (admin)
#       and Bob (user) in "User", which has a column "role"; times in Prisma
#       7's text form.
#   ds_prisma_session_sql TOKEN USER-ID   the INSERT of a "Session" row of
#       that database, valid until 2099-01-01.
#   hold_lock DB / commit_lock / release_lock   another connection holds DB's
#       write lock until it commits or goes (LOCK_PID; release_lock in the
#       suite's teardown)
# Checks on every server:
#   ds_check_no_session, ds_check_revocation SQL_FN PAST_FN (see each)
# Answers:
#   DS_JSON_503 / DS_PAGE_503   the guard's 503 bodies
#   assert_503 SERVER api|page  503 with Retry-After: 5, Cache-Control:
#       no-store, the body for that kind and its Content-Type (ds_503_type)
#       on every server; X-Nextauth-Content-Type on Apache only
#   assert_admin_allowed / assert_user_allowed   200 from env.cgi with that
#       user's identity (the last answer)

# shellcheck disable=SC2034,SC2154 # constants for the suites; gc_* set by gc_get
# shellcheck source=tests/lib/guard-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/guard-checks.sh"
# shellcheck source=tests/lib/lighttpd.sh
. "$(dirname "${BASH_SOURCE[0]}")/lighttpd.sh"
# shellcheck source=tests/lib/apache.sh
. "$(dirname "${BASH_SOURCE[0]}")/apache.sh"
# shellcheck source=tests/lib/nginx.sh
. "$(dirname "${BASH_SOURCE[0]}")/nginx.sh"

DS_SERVERS=(lighttpd apache nginx)
DS_JSON_503='{"message":"Session store unavailable."}'
DS_PAGE_503='<!DOCTYPE html>
<title>Service Unavailable</title>
<p>The session store does not answer. Try again in a few seconds.</p>
'
DS_FCGI_CGI="$REPO_ROOT/tests/fixtures/fcgi-cgi.pl"

ds_config() {
    local file=$1 url=$2 adapter=$3 ms=${4:-2000}
    jq -n --arg origin "$GC_ORIGIN" --arg u "$url" --arg a "$adapter" --argjson ms "$ms" '{
        url: $origin,
        pages: {signIn: "/login"},
        rules: [{matcher: ["/admin/:path*", "/api/admin/:path*"], authorized: {role: "admin"}}],
        identity: {NEXTAUTH_ROLE: "role"},
        database: {url: $u, adapter: $a, claims: {role: "role"}, timeoutMs: $ms}
    }' >"$file"
}

ds_root() {
    local __d
    __d=$(mktemp -d "${TMPDIR:-/tmp}/dbsess-servers.XXXXXX") || return 1
    chmod 0755 "$__d" || return 1
    printf -v "$1" '%s' "$__d"
}

ds_base() {
    BASE=$(<"$2/url")
}

# --- lighttpd -------------------------------------------------------------------

# The site around the example: what INSTALL tells a user to write before the
# include (the three var.nextauth_* lines).
_ds_lighttpd_template() {
    cat >"$1" <<'EOF'
server.document-root = "@DIR@/www"
server.bind = "127.0.0.1"
server.port = @PORT@
server.pid-file = "@DIR@/run/lighttpd.pid"
server.errorlog = "@DIR@/logs/error.log"
server.modules = ( "mod_access", "mod_cgi" )
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain", ".json" => "application/json" )
cgi.assign = ( ".cgi" => "" )

var.nextauth_guard_bin = "@GUARD@"
var.nextauth_socket    = "@DIR@/run/guard.sock"
var.nextauth_public    = "^/(api/auth(/|$)|_next/|favicon\.ico$|public/)"
include "@EXAMPLE@"
EOF
}

_ds_lighttpd_start() { # DIR — lighttpd's environment: NEXTAUTH_CONFIG only (of NEXTAUTH_*)
    local dir=$1
    _ds_lighttpd_template "$dir/run/lighttpd.conf.in"
    (
        clean_env
        export NEXTAUTH_CONFIG="$dir/guard.json"
        lt_start "$dir" "$dir/run/lighttpd.conf.in" GUARD="$GC_GUARD_BIN" \
            EXAMPLE="$REPO_ROOT/examples/lighttpd-guard.conf" && echo "$LT_URL" >"$dir/url"
    )
}

# --- Apache ---------------------------------------------------------------------

_ds_apache_guard() { # DIR
    local dir=$1 port
    ap_guard_stop "$dir"
    port=$(<"$dir/run/guard.port")
    ap_guard_start "$dir" "$port" 2 "$GC_GUARD_BIN" NEXTAUTH_CONFIG="$dir/guard.json"
}

_ds_apache_start() { # DIR
    local dir=$1
    gc_free_port >"$dir/run/guard.port" || return 1
    _ds_apache_guard "$dir" || return 1
    chmod -R a+rX "$dir/www"
    (
        ap_start "$dir" "$REPO_ROOT/tests/fixtures-apache/httpd.conf" \
            GUARD_PORT="$(<"$dir/run/guard.port")" && echo "$AP_URL" >"$dir/url"
    )
}

# --- nginx ----------------------------------------------------------------------

# The top-level nginx.conf around the example: everything under @DIR@, and the
# proxied application (a server block without auth_request).
_ds_nginx_template() {
    cat >"$1" <<'EOF'
user @USER@;
worker_processes 2;
pid @DIR@/run/nginx.pid;
error_log @DIR@/logs/error.log;
events { worker_connections 256; }
http {
    access_log @DIR@/logs/access.log;
    @TEMP_PATHS@
    types { text/html html; text/plain txt; application/json json; }
    default_type application/octet-stream;

    include @DIR@/site.conf;

    server {
        listen unix:@DIR@/run/app.sock;
        root @DIR@/www;
        location /service/ {
            fastcgi_pass unix:@DIR@/run/cgi.sock;
            fastcgi_param SCRIPT_FILENAME @DIR@/www/app/env.cgi;
            fastcgi_param REQUEST_URI $request_uri;
        }
    }
}
EOF
}

_ds_nginx_guard() { # DIR
    local dir=$1
    gc_spawn_stop "$dir" guard
    GC_SPAWN_ENV=(NEXTAUTH_CONFIG="$dir/guard.json")
    gc_spawn "$dir" guard "$dir/run/guard.sock" 2 "$GC_GUARD_BIN"
}

_ds_nginx_start() { # DIR
    local dir=$1
    _ds_nginx_guard "$dir" || return 1
    GC_SPAWN_ENV=()
    gc_spawn "$dir" cgi "$dir/run/cgi.sock" 1 /usr/bin/perl "$DS_FCGI_CGI" || return 1
    ng_render "$REPO_ROOT/examples/nginx-guard.conf" "$dir/site.conf.in" \
        LISTEN='127.0.0.1:@PORT@' DOCROOT='@DIR@/www' GUARD='unix:@DIR@/run/guard.sock' \
        CGI='unix:@DIR@/run/cgi.sock' APP='http://unix:@DIR@/run/app.sock:' \
        NEXTAUTH_APP='http://unix:@DIR@/run/app.sock:' || return 1
    _ds_nginx_template "$dir/run/nginx.conf.in"
    (
        ng_start "$dir" "$dir/run/nginx.conf.in" USER="$(ng_user)" \
            TEMP_PATHS="$(ng_temp_paths "$dir")" && echo "$NG_URL" >"$dir/url"
    )
}

# --- all three --------------------------------------------------------------------

ds_start() {
    local srv=$1 dir=$2 cfg=$3
    mkdir -p "$dir" && gc_setup_root "$dir" && cp "$cfg" "$dir/guard.json" || return 1
    case $srv in
    lighttpd) _ds_lighttpd_start "$dir" ;;
    apache) _ds_apache_start "$dir" ;;
    nginx) _ds_nginx_start "$dir" ;;
    *) echo "ds_start: no server $srv" >&2 && return 1 ;;
    esac
}

ds_start_all() {
    local root=$1 i rc=0
    local -a pids=()
    shift
    for i in 0 1 2; do
        ds_start "${DS_SERVERS[i]}" "$root/${DS_SERVERS[i]}" "${@:i+1:1}" &
        pids+=($!)
    done
    for i in 0 1 2; do
        wait "${pids[i]}" || rc=1
    done
    return "$rc"
}

ds_restart_guard() {
    local srv=$1 dir=$2
    case $srv in
    lighttpd) lt_stop "$dir" && _ds_lighttpd_start "$dir" ;;
    apache) _ds_apache_guard "$dir" ;;
    nginx) _ds_nginx_guard "$dir" ;;
    esac
}

ds_stop() {
    local srv=$1 dir=$2
    case $srv in
    lighttpd) lt_stop "$dir" ;;
    apache)
        ap_stop "$dir"
        ap_guard_stop "$dir"
        ;;
    nginx)
        ng_stop "$dir"
        gc_spawn_stop "$dir" guard
        gc_spawn_stop "$dir" cgi
        ;;
    esac
}

ds_stop_all() {
    local root=$1 s
    local -a pids=()
    for s in "${DS_SERVERS[@]}"; do
        ds_stop "$s" "$root/$s" &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# The guard's stderr line as each server logs it: lighttpd "FastCGI-stderr:LINE",
# Apache "AH02507: … Logged from fcgi://HOST:PORT/: 'LINE'", nginx
# 'FastCGI sent in stderr: "LINE'.
_ds_logged() { # SERVER DIR MSG
    case $1 in
    lighttpd) grep -qF "FastCGI-stderr:$3" "$2/logs/error.log" ;;
    apache) grep -F 'AH02507' "$2/logs/error.log" | grep -qF "$3" ;;
    nginx) grep -qF "FastCGI sent in stderr: \"$3" "$2/logs/error.log" ;;
    nginx-module) grep -qF "ngx_http_nextauth_module: ${3#nextauth-guard: }" "$2/logs/error.log" ;;
    esac
}

ds_guard_logged() {
    srv_poll 2 _ds_logged "$@" && return 0
    _fail "$1: no guard line '$3' in its error log:" "$(tail -n 5 "$2/logs/error.log" | cut -c 1-300)"
}

# --- answers ----------------------------------------------------------------------

# The Content-Type of the guard's 503 as each server hands it on: the guard's
# own. Apache sends an authorizer's non-200 body as a custom error response
# labelled "text/html; charset=iso-8859-1"; the example puts the guard's type
# back from X-Nextauth-Content-Type, which the guard writes for Apache only
# (and which Apache cannot remove).
ds_503_type() { # api|page
    case $1 in
    api) echo application/json ;;
    page) echo 'text/html; charset=utf-8' ;;
    esac
}

assert_503() { # SERVER api|page
    assert_http 503 || return 1
    assert_header Content-Type "$(ds_503_type "$2")" || return 1
    if [ "$1" = apache ]; then
        assert_header X-Nextauth-Content-Type "$(ds_503_type "$2")" || return 1
    else
        refute_header X-Nextauth-Content-Type || return 1
    fi
    assert_header Retry-After 5 || return 1
    assert_header Cache-Control no-store || return 1
    if [ "$2" = api ]; then
        assert_body "$DS_JSON_503"
    else
        assert_body "$DS_PAGE_503"
    fi
}

# ds_check_no_session — on every server: no cookie, or a token that names no
# row: 401 JSON on an API path, 307 to sign-in on a page, one log line.
ds_check_no_session() {
    local s c
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        for c in 'X-None: 1' "Cookie: $(gc_cookie no-such-token)"; do
            gc_req /api/data.json -H "$c"
            assert_json_401
            refute_header Location
            gc_req '/docs/page.txt?a=1' -H "$c"
            assert_signin '%2Fdocs%2Fpage.txt%3Fa%3D1'
            refute_body_has 'guarded page'
        done
        ds_guard_logged "$s" "$DS_ROOT/$s" \
            'nextauth-guard: bad session token (no session row for the token) for /api/data.json'
    done
}

# ds_check_revocation SQL_FN PAST_FN — on every server, three sessions, each
# allowed once and then refused on the very next request: its row deleted
# (SQL_FN SERVER STATEMENT runs a statement on that server's database),
# `nextauth-token revoke` with the guard's own configuration, and its expires
# set to 1 s ago (PAST_FN SERVER prints that time as an SQL value in the form
# that server's adapter stores). The suite defines session_table SERVER.
ds_check_revocation() {
    local sql_fn=$1 past_fn=$2 s t
    for s in "${DS_SERVERS[@]}"; do
        ds_base "$s" "$DS_ROOT/$s"
        t=$(session_table "$s")
        # DELETE
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "rv-del-$s")"
        assert_admin_allowed
        "$sql_fn" "$s" "DELETE FROM $t WHERE \"sessionToken\" = 'rv-del-$s'"
        gc_req /app/env.cgi -H "Cookie: $(gc_cookie "rv-del-$s")"
        assert_signin '%2Fapp%2Fenv.cgi'
        gc_req /api/data.json -H "Cookie: $(gc_cookie "rv-del-$s")"
        assert_json_401
        # nextauth-token revoke, with the guard's own configuration
        gc_req /api/data.json -H "Cookie: $(gc_cookie "rv-cli-$s")"
        assert_http 200
        run "$GC_TOKEN_BIN" revoke --config "$DS_ROOT/$s/guard.json" "rv-cli-$s"
        [ "$status" -eq 0 ] || _fail "$s: revoke: $output"
        gc_req /api/data.json -H "Cookie: $(gc_cookie "rv-cli-$s")"
        assert_json_401
        # the expiry moved into the past
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "rv-exp-$s")"
        assert_http 200
        "$sql_fn" "$s" "UPDATE $t SET expires = $("$past_fn" "$s") WHERE \"sessionToken\" = 'rv-exp-$s'"
        gc_req /docs/page.txt -H "Cookie: $(gc_cookie "rv-exp-$s")"
        assert_signin '%2Fdocs%2Fpage.txt'
        gc_req /api/data.json -H "Cookie: $(gc_cookie "rv-exp-$s")"
        assert_json_401
    done
}

assert_admin_allowed() {
    assert_http 200 && assert_env REMOTE_USER ada@example.com &&
        assert_env NEXTAUTH_EMAIL ada@example.com && assert_env NEXTAUTH_ROLE admin
}

assert_user_allowed() {
    assert_http 200 && assert_env REMOTE_USER bob@example.com &&
        assert_env NEXTAUTH_ROLE user
}

# --- SQLite --------------------------------------------------------------------

ds_prisma_db() {
    sqlite3 "$1" <"$REPO_ROOT/tests/vectors/dbsess-schema/prisma-sqlite.sql" && sqlite3 "$1" <<'EOF'
ALTER TABLE "User" ADD COLUMN "role" TEXT;
INSERT INTO "User" ("id","name","email","image","createdAt","updatedAt","role") VALUES
  ('user-ada','Ada','ada@example.com','https://example.test/ada.png',
   '2025-12-31T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00','admin'),
  ('user-bob','Bob','bob@example.com',NULL,
   '2025-12-31T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00','user');
EOF
}

ds_prisma_session_sql() {
    echo "INSERT INTO \"Session\" (\"id\",\"sessionToken\",\"userId\",\"expires\",\"updatedAt\")
        VALUES ('id-$1','$1','$2','2099-01-01T00:00:00.000+00:00','2025-12-31T00:00:00.000+00:00');"
}

# --- a writer holding the lock -------------------------------------------------

# hold_lock DB — another connection takes the write lock (BEGIN EXCLUSIVE)
# and keeps it, through a fifo, until release_lock or commit_lock. It says
# "locked" once it holds the lock (line-buffered, so the poll sees it at once);
# its busy timeout lets it wait for a reader that is still at work.
hold_lock() {
    local fifo=$BATS_TEST_TMPDIR/hold out=$BATS_TEST_TMPDIR/writer.out
    rm -f "$fifo" "$out"
    mkfifo "$fifo"
    stdbuf -oL sqlite3 "$1" <"$fifo" >"$out" 2>&1 3>&- &
    LOCK_PID=$!
    exec 8>"$fifo"
    # in rollback-journal mode an exclusive lock shuts readers out
    printf '%s\n' '.bail on' '.timeout 5000' 'BEGIN EXCLUSIVE;' "SELECT 'locked';" >&8
    srv_poll 10 grep -qx locked "$out" || _fail "the writer did not take the lock:" "$(cat "$out")"
}

# commit_lock — the writer commits and ends.
commit_lock() {
    echo 'COMMIT;' >&8
    release_lock
}

release_lock() {
    [ -n "${LOCK_PID-}" ] || return 0
    exec 8>&-
    wait "$LOCK_PID" || true
    LOCK_PID=''
}
