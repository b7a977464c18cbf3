#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo/run.sh [PORT [STRATEGY]] — the demo behind `make demo` (`make demo
# PORT=9090`, `make demo STRATEGY=database`).
#
# Starts a private lighttpd on 127.0.0.1:PORT (default 8080) serving demo/www
# with the real guard (examples/lighttpd-guard.conf), the session endpoint, the
# two examples of cgi-bin/examples and a demo-only sign-in page, prints the
# URLs and curl lines to try, and runs until Ctrl-C. Run it after `make`.
#
# STRATEGY (default jwt) is NextAuth's session.strategy:
#   jwt       the session is a token in the cookie, sealed with a secret
#             (demo/config.json.in)
#   database  the session is a row of a SQLite database in the Prisma adapter's
#             schema (tests/vectors/dbsess-schema/prisma-sqlite.sql, plus a
#             `role String @default("user")` field on User), the cookie holds
#             the row's random token (demo/config-database.json.in); the
#             sign-in page adds the rows, sign-out deletes the session row.
#
# Everything it makes lives in one temp dir (mode 700): the secret (jwt; a new
# one each run, mode 600, never printed) or the database (database; mode 600),
# the rendered configs (the config and demo/lighttpd.conf.in), sockets, logs,
# the curl cookie jar. On Ctrl-C,
# SIGTERM or SIGHUP it stops lighttpd (by pid; lighttpd ends the FastCGI
# programs it spawned) and removes that dir: nothing is left running.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
demo=$root/demo
port=${1:-${PORT:-8080}}
strategy=${2:-jwt}
export PATH="$PATH:/usr/sbin:/sbin"

die() {
    echo "demo: $*" >&2
    exit 1
}

[[ $port =~ ^[0-9]{1,5}$ ]] && ((port >= 1 && port <= 65535)) ||
    die "PORT must be a TCP port number (1-65535), not '$port'"
case $strategy in
jwt | database) ;;
*) die "STRATEGY must be jwt or database, not '$strategy'" ;;
esac
command -v lighttpd >/dev/null || die "lighttpd is not installed (sh tools/deps.sh)"
if [ "$strategy" = database ]; then
    command -v sqlite3 >/dev/null || die "sqlite3 is not installed (sh tools/deps.sh)"
fi
for f in bin/nextauth-token cgi-bin/nextauth-guard cgi-bin/nextauth-session \
    cgi-bin/examples/hello-api cgi-bin/examples/protected-page; do
    [ -x "$root/$f" ] || die "$f is not built: run make (make demo builds everything first)"
done
# A refused connection means a free port (loopback answers at once).
if timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
    die "127.0.0.1:$port is already in use; pick another port: make demo PORT=9090"
fi

# Unix socket paths hold at most 107 bytes: keep the dir short.
tmpbase=${TMPDIR:-/tmp}
[ "${#tmpbase}" -le 40 ] || tmpbase=/tmp
umask 077
tmp=$(mktemp -d "$tmpbase/nextauth-demo.XXXXXX")
lt_pid=''

# stop_lighttpd — SIGTERM lighttpd, wait (at most 10 s, polling) until it is
# gone, SIGKILL it otherwise; then end any child of it that outlived it (only
# the pids it had, and only programs of this repository).
stop_lighttpd() {
    local pid=$lt_pid kids='' k i
    [ -n "$pid" ] || return 0
    kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for k in $kids; do
        grep -qF "$root/" "/proc/$k/cmdline" 2>/dev/null && kill -TERM "$k" 2>/dev/null
    done
    lt_pid=''
}

stopped=''
cleanup() {
    trap '' INT TERM HUP
    stop_lighttpd
    rm -rf "$tmp"
    [ -n "$stopped" ] && echo "demo: stopped; lighttpd has exited and $tmp is removed"
    return 0
}
trap cleanup EXIT
# Ctrl-C is the way to stop the demo: a normal end (exit 0), not an error.
trap 'echo; stopped=1; exit 0' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

db=''
[ "$strategy" = database ] && db=$tmp/demo.db

# render TEMPLATE OUT — the template with @PORT@, @TMP@, @ROOT@, @DEMO@ and
# @DB@ (the database file; empty with jwt) filled in.
render() {
    local text
    text=$(<"$1")
    text=${text//@PORT@/"$port"}
    text=${text//@TMP@/"$tmp"}
    text=${text//@ROOT@/"$root"}
    text=${text//@DEMO@/"$demo"}
    text=${text//@DB@/"$db"}
    printf '%s\n' "$text" >"$2"
}

if [ "$strategy" = database ]; then
    # The tables `prisma migrate` makes for the Auth.js Prisma schema, and the
    # column a `role String @default("user")` field on User adds. No rows: the
    # sign-in page adds them.
    {
        cat "$root/tests/vectors/dbsess-schema/prisma-sqlite.sql"
        echo "ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT NOT NULL DEFAULT 'user';"
    } | sqlite3 -bail -batch "$db" >"$tmp/sqlite.out" 2>&1 ||
        die "sqlite3 could not create $db: $(cat "$tmp/sqlite.out")"
    render "$demo/config-database.json.in" "$tmp/config.json"
else
    "$root/bin/nextauth-token" secret >"$tmp/secret"
    render "$demo/config.json.in" "$tmp/config.json"
fi
render "$demo/lighttpd.conf.in" "$tmp/lighttpd.conf"

if ! lighttpd -tt -f "$tmp/lighttpd.conf" >"$tmp/check.out" 2>&1; then
    cat "$tmp/check.out" >&2
    die "lighttpd refused the demo config"
fi

# A clean environment: the user's own NEXTAUTH_SECRET, NEXTAUTH_URL, … must not
# change the demo. setsid: Ctrl-C reaches this script only, which then stops
# lighttpd in order.
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NEXTAUTH_CONFIG="$tmp/config.json" \
    setsid lighttpd -D -f "$tmp/lighttpd.conf" </dev/null >"$tmp/lighttpd.out" 2>&1 &
lt_pid=$!

url="http://127.0.0.1:$port"
ready=''
for ((i = 0; i < 100; i++)); do
    kill -0 "$lt_pid" 2>/dev/null || break
    if [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$url/public/")" = 200 ]; then
        ready=1
        break
    fi
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "demo: lighttpd did not come up on $url; its logs:" >&2
    cat "$tmp/lighttpd.out" "$tmp/error.log" >&2 2>/dev/null || true
    exit 1
fi

jar=$tmp/cookies.txt
tok="$root/bin/nextauth-token"
grace='{"name":"Grace Hopper","email":"grace@example.com","sub":"2","role":"admin"}'
if [ "$strategy" = database ]; then
    where="Sessions are rows of the SQLite database $db (Prisma's schema);"
    signin_what="DEMO-ONLY sign-in page: pick Ada (role user) or Grace (role admin); adds a Session row"
    signout_what="sign out (deletes the Session row, clears the session cookie)"
else
    where="A new secret is in $tmp/secret (mode 600, not printed);"
    signin_what="DEMO-ONLY sign-in page: pick Ada (role user) or Grace (role admin)"
    signout_what="sign out (clears the session cookie)"
fi
cat <<EOF

nextauth-fcgi demo: lighttpd on $url (pid $lt_pid), behind nextauth-guard.
$where
everything lives in $tmp and goes away on Ctrl-C.

Open in a browser:
  $url/                        public home page (says who is signed in)
  $url/public/                 public page, never guarded
  $url/dashboard               guarded page (CGI script): 307 to the sign-in page without a session
  $url/admin                   guarded, role admin only: Ada is sent to sign-in, Grace gets in
  $url/protected               guarded: the protected-page example (include/nextauth.h), the session as JSON
  $url/api/hello               the hello-api example: 401 JSON without a session, 200 with one
  $url/api/admin/stats.json    API for role admin only: 401 JSON, 403 JSON for Ada, 200 for Grace
  $url/api/auth/session        the session endpoint (nextauth-session): {} or the session
  $url/api/auth/signin         $signin_what
  $url/api/auth/signout        $signout_what

Try with curl (in this order; the cookie jar is $jar):
  curl -i $url/dashboard
      # 307 to $url/api/auth/signin?callbackUrl=%2Fdashboard
  curl -i $url/api/hello
      # 401 {"message":"You must be logged in."}
EOF
if [ "$strategy" = database ]; then
    cat <<EOF
  curl -i -c $jar -d user=ada -d callbackUrl=/dashboard $url/api/auth/signin
      # 302 to $url/dashboard, with Ada's session cookie: the token of her new Session row
  sqlite3 $db 'SELECT "userId", "expires" FROM "Session"'
      # Ada's row: 1|<now + 30 days>
EOF
else
    cat <<EOF
  curl -i -c $jar -d user=ada -d callbackUrl=/dashboard $url/api/auth/signin
      # 302 to $url/dashboard, with Ada's session cookie
EOF
fi
cat <<EOF
  curl -i -b $jar $url/api/hello
      # 200 {"message":"Success"}
  curl -i -b $jar $url/api/auth/session
      # 200 Ada's session: {"user":{"name":"Ada Lovelace",…,"role":"user"},"expires":…}
  curl -i -b $jar $url/admin
      # 307 to the sign-in page: Ada's role is user
  curl -i -b $jar $url/api/admin/stats.json
      # 403 {"message":"Forbidden"}
EOF
if [ "$strategy" = database ]; then
    cat <<EOF
  curl -i -b $jar -c $jar -d '' $url/api/auth/signout
      # 302 to $url/, her Session row deleted, the cookie cleared
  curl -i -b $jar $url/api/hello
      # 401 {"message":"You must be logged in."}
  curl -i -c $jar -d user=grace -d callbackUrl=/admin $url/api/auth/signin
      # 302 to $url/admin, with Grace's session cookie
  curl -i -b $jar $url/admin
      # 200 the admin page: Grace's User row has role admin
  sqlite3 $db 'DELETE FROM "Session"'
      # revokes every session (sign-out deletes one row)
  curl -i -b $jar $url/admin
      # 307 to $url/api/auth/signin?callbackUrl=%2Fadmin
EOF
else
    cat <<EOF
  curl -i -b $jar -c $jar -d '' $url/api/auth/signout
      # 302 to $url/, the cookie cleared
  curl -i -b $jar $url/api/hello
      # 401 {"message":"You must be logged in."}
  curl -i -b "next-auth.session-token=\$(NEXTAUTH_CONFIG=$tmp/config.json $tok encode '$grace')" $url/admin
      # 200 the admin page: a cookie minted by hand for Grace (role admin)
EOF
fi
cat <<EOF

Press Ctrl-C to stop.
EOF

rc=0
wait "$lt_pid" || rc=$?
lt_pid=''
echo "demo: lighttpd exited on its own (status $rc); its logs:" >&2
cat "$tmp/lighttpd.out" "$tmp/error.log" >&2 2>/dev/null || true
exit 1
