#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The differential test: the guard must judge the very path the web server
# serves, on real lighttpd, Apache and nginx in front of the FastCGI guard,
# and on Apache and nginx with the guard inside them (mod_nextauth,
# ngx_http_nextauth_module), each configured by the repository's example file
# (examples/*-guard.conf, examples/apache-module.conf and
# examples/nginx-module.conf, included or rendered unchanged). README.md in
# this folder explains the set-up and the verdicts.
#
# One private server per kind on loopback (SERVER_KINDS below: lighttpd,
# apache, nginx with the FastCGI guard, apache-module and nginx-module with
# the modules), two
# deployments of the guard per server:
#   a   "matcher": /dashboard/…, /api/…, /@admin/…, /café/… guarded, the rest not
#   b   no matcher: everything guarded but the guard's exempt paths and the
#       server's public carve-outs (/public/, /api/auth/, …)
# both with rules: /admin/…, /@admin/…, /café/…, /api/admin/… only for role
# admin, and so /r%c3%a9sum%c3%a9/… and /%40team/… (the names percent-encoded
# in the config, in lower-case hex). Every guarded folder of the docroot holds canaries (static files and a
# CGI): GUARDED-CANARY-… must never reach a client without a valid session,
# ADMIN-CANARY-… never without an admin session.
#
# Every request target (targets.pl: hand-made classes and a seeded generator)
# is sent raw (client.pl), without a cookie and with a role=user cookie, to
# every server and deployment; an answer carrying a canary that cookie does not
# open is a failure. Then the sanity checks: the plain canary URLs give their
# canary to an admin, the right refusal to nobody and to a user.
#
# Prints one "not ok …" line per failed check, per-server status counts, the
# elapsed seconds, and ends with "N passed, N failed"; exits non-zero when
# anything failed.
#
# Environment:
#   DIFF_SEED      the generator's seed (default 20261206; printed)
#   DIFF_RANDOM    how many generated targets (default 300)
#   DIFF_ONLY      run only these kinds, space-separated (lighttpd apache nginx
#                  apache-module nginx-module)
#   DIFF_TIMEOUT   seconds a server's client may take (default 70)
#   DIFF_KEEP=1    keep the temp folder (its path is printed)
#   NEXTAUTH_GUARD_BIN, NEXTAUTH_TOKEN_BIN   the programs (default: this tree)
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 2
REPO_ROOT=$PWD
here=$REPO_ROOT/tests/differential
t0=$SECONDS

# shellcheck source=tests/lib/guard-common.sh
. "$REPO_ROOT/tests/lib/guard-common.sh"
# shellcheck source=tests/lib/lighttpd.sh
. "$REPO_ROOT/tests/lib/lighttpd.sh"
# shellcheck source=tests/lib/apache.sh
. "$REPO_ROOT/tests/lib/apache.sh"
# shellcheck source=tests/lib/nginx.sh
. "$REPO_ROOT/tests/lib/nginx.sh"

SEED=${DIFF_SEED:-20261206}
NRANDOM=${DIFF_RANDOM:-300}
# Each kind K has start_K DIR (leaves DIR/url) and stop_K DIR ("-" in K is "_"
# in the names); a new kind is one more word here and those two functions.
SERVER_KINDS='lighttpd apache nginx apache-module nginx-module'
SERVERS=${DIFF_ONLY:-$SERVER_KINDS}
TIMEOUT=${DIFF_TIMEOUT:-70}
DEPLOYS='a b'

die() { # a set-up failure: it still ends with the result line
    echo "differential: $*"
    echo "0 passed, 1 failed"
    exit 1
}

for s in $SERVERS; do
    case " $SERVER_KINDS " in *" $s "*) ;; *) die "unknown server $s (DIFF_ONLY: $SERVER_KINDS)" ;; esac
done
tools='perl curl timeout'
for s in $SERVERS; do
    case $s in
    lighttpd) tools+=' lighttpd' ;;
    apache) tools+=' apache2 spawn-fcgi' ;;
    nginx) tools+=' nginx spawn-fcgi' ;;
    apache-module) tools+=' apache2' ;;
    nginx-module) tools+=' nginx spawn-fcgi' ;;
    esac
done
for t in $tools; do
    command -v "$t" >/dev/null || die "$t is missing (tools/deps.sh)"
done
for b in "$GC_GUARD_BIN" "$GC_TOKEN_BIN"; do
    [ -x "$b" ] || die "$b is not built (make)"
done
AP_MODULE=$REPO_ROOT/apache/mod_nextauth.so
case " $SERVERS " in
*" apache-module "*) [ -f "$AP_MODULE" ] || die "$AP_MODULE is not built (make apache-module)" ;;
esac
NG_MODULE=$REPO_ROOT/nginx/ngx_http_nextauth_module.so
case " $SERVERS " in
*" nginx-module "*) [ -f "$NG_MODULE" ] || die "$NG_MODULE is not built (make nginx-module)" ;;
esac

# Not under a 0700 folder: as root, Apache runs its CGI as www-data.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/differential.XXXXXX") || die "mktemp failed"
chmod 0755 "$tmp"

pids=() # the clients still running (each under timeout, which passes a SIGTERM on)
cleanup() {
    local d p s
    for p in "${pids[@]}"; do
        # only that process: still ours (its command line names our folder)
        grep -qF "$tmp/" "/proc/$p/cmdline" 2>/dev/null && kill -TERM "$p"
    done
    for s in $SERVER_KINDS; do
        for d in a b; do
            [ -d "$tmp/$s-$d" ] && "stop_${s//-/_}" "$tmp/$s-$d"
        done
    done
    if [ "${DIFF_KEEP:-}" = 1 ]; then
        echo "differential: kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

E=$'\xc3\xa9' # é, UTF-8

# --- the guard's two deployments ----------------------------------------------

write_config() { # FILE a|b
    local matcher=''
    [ "$2" = a ] && matcher="\"matcher\": [\"/dashboard/:path*\", \"/api/:path*\", \"/@admin/:path*\", \"/caf$E/:path*\"],"
    cat >"$1" <<JSON
{
  "url": "$GC_ORIGIN",
  "pages": { "signIn": "/login" },
  $matcher
  "rules": [
    { "matcher": ["/admin/:path*", "/@admin/:path*", "/caf$E/:path*", "/api/admin/:path*"],
      "authorized": { "role": "admin" } },
    { "matcher": ["/r%c3%a9sum%c3%a9/:path*", "/%40team/:path*"],
      "authorized": { "role": "admin" } }
  ],
  "identity": { "NEXTAUTH_ROLE": "role" }
}
JSON
}

# --- the docroot ----------------------------------------------------------------

# The docroot folders, and what each holds in each deployment: GUARDED (a
# valid session opens it), ADMIN (only role admin), PUBLIC (may be served to
# anyone; in deployment a the guard is not asked outside its matcher).
# /résumé/ and /@team/ are named by their rule in percent-encoded form (with
# lower-case hex): the rule must hold for every spelling of those names.
FOLDERS=(root docs dashboard api api/admin admin @admin "caf$E" "r${E}sum$E" @team public
    api/auth _next)

# class_of DEPLOY FOLDER sets CLASS (no subshell: it runs for every file).
class_of() {
    case $2 in
    public | api/auth | _next) CLASS=PUBLIC ;;
    api/admin | @admin | "caf$E") CLASS=ADMIN ;;
    admin | "r${E}sum$E" | @team) [ "$1" = b ] && CLASS=ADMIN || CLASS=PUBLIC ;;
    dashboard | api) CLASS=GUARDED ;;
    root | docs) [ "$1" = b ] && CLASS=GUARDED || CLASS=PUBLIC ;;
    esac
}

# The marker a file holds: CLASS-CANARY-DEPLOY-FOLDER-FILE (PUBLIC-MARKER-… in
# public folders). The folder's label is ASCII (café → cafe, '/' → '-').
# marker DEPLOY FOLDER FILE sets MARK (and CLASS).
marker() {
    local label=$2
    class_of "$1" "$2"
    label=${label//\//-}
    label=${label//$E/e}
    if [ "$CLASS" = PUBLIC ]; then
        MARK="PUBLIC-MARKER-$1-$label-$3"
    else
        MARK="$CLASS-CANARY-$1-$label-$3"
    fi
}

# The files of each folder besides canary.txt, canary.cgi, semi;colon.txt and
# index.html (the names the known reproductions use).
extra_file() {
    case $1 in
    dashboard) echo secret.txt ;; api) echo data.json ;; api/admin) echo x.json ;;
    admin) echo a.txt ;; @admin | "caf$E" | "r${E}sum$E" | @team) echo s.txt ;;
    docs) echo page.txt ;;
    public) echo p.txt ;; api/auth) echo providers.json ;; root) echo favicon.ico ;;
    esac
}

folder_files() {
    printf '%s\n' canary.txt canary.cgi 'semi;colon.txt' index.html
    extra_file "$1"
}

make_docroot() { # DIR DEPLOY
    local www=$1/www f d path m
    mkdir -p "$www"
    for d in "${FOLDERS[@]}"; do
        path=$www
        [ "$d" = root ] || path=$www/$d
        mkdir -p "$path"
        while read -r f; do
            marker "$2" "$d" "$f"
            m=$MARK
            [ "$d" = root ] && [ "$f" = favicon.ico ] && m="PUBLIC-MARKER-$2-root-favicon.ico"
            case $f in
            *.cgi)
                printf '#!/bin/sh\nprintf '"'"'Content-Type: text/plain\\r\\n\\r\\n%s\\n'"'"'\n' "$m" \
                    >"$path/$f"
                chmod 0755 "$path/$f"
                ;;
            *) printf '%s\n' "$m" >"$path/$f" ;;
            esac
        done < <(folder_files "$d")
    done
    chmod -R a+rX "$www"
}

# --- the servers ----------------------------------------------------------------

lighttpd_template() {
    cat <<'EOF2'
server.document-root = "@DIR@/www"
server.bind = "127.0.0.1"
server.port = @PORT@
server.pid-file = "@DIR@/run/lighttpd.pid"
server.errorlog = "@DIR@/logs/error.log"
server.modules = ( "mod_cgi" )
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain", ".json" => "application/json" )
cgi.assign = ( ".cgi" => "" )

var.nextauth_guard_bin = "@GUARD@"
var.nextauth_socket    = "@DIR@/run/guard.sock"
var.nextauth_public    = "^/(api/auth(/|$)|_next/|favicon\.ico$|public/)"
include "@EXAMPLE@"
EOF2
}

nginx_template() { # as tests/guard-nginx.bats: the example as a site, an unguarded app
    [ "${1:-}" = module ] && echo 'load_module @MODULE@;'
    cat <<'EOF2'
user @USER@;
worker_processes 2;
pid @DIR@/run/nginx.pid;
error_log @DIR@/logs/error.log;
events { worker_connections 256; }
http {
    access_log off;
    @TEMP_PATHS@
    types { text/html html; text/plain txt; application/json json; }
    default_type application/octet-stream;

    include @DIR@/site.conf;

    server {
        listen unix:@DIR@/run/app.sock;
        root @DIR@/www;
        large_client_header_buffers 4 64k;
        location ~ \.cgi$ {
            fastcgi_pass unix:@DIR@/run/cgi.sock;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param REQUEST_URI $request_uri;
        }
    }
}
EOF2
}

# Each start_* runs in a subshell (the helpers export their variables) and
# leaves DIR/url; each stop_* stops what its start_* started, by pid.
start_lighttpd() { # DIR
    local dir=$1
    lighttpd_template >"$dir/lighttpd.conf.in"
    (
        unset NEXTAUTH_SECRET AUTH_SECRET NEXTAUTH_URL
        export NEXTAUTH_CONFIG="$dir/guard.json" NEXTAUTH_SECRET="$GC_SECRET"
        lt_start "$dir" "$dir/lighttpd.conf.in" GUARD="$GC_GUARD_BIN" \
            EXAMPLE="$REPO_ROOT/examples/lighttpd-guard.conf" && echo "$LT_URL" >"$dir/url"
    )
}

start_apache() { # DIR
    local dir=$1 port
    (
        port=$(gc_free_port) || exit 1
        ap_guard_start "$dir" "$port" 2 "$GC_GUARD_BIN" NEXTAUTH_CONFIG="$dir/guard.json" \
            NEXTAUTH_SECRET="$GC_SECRET" || exit 1
        ap_start "$dir" "$REPO_ROOT/tests/fixtures-apache/httpd.conf" GUARD_PORT="$port" &&
            echo "$AP_URL" >"$dir/url"
    )
}

# The module: tests/fixtures-apache/httpd.conf (as for the FastCGI guard) with
# examples/apache-module.conf included in place of examples/apache-guard.conf.
# The secret comes from Apache's environment, as the example allows.
start_apache_module() { # DIR
    local dir=$1
    (
        unset AUTH_SECRET NEXTAUTH_URL NEXTAUTH_SECRET_FILE
        NEXTAUTH_SECRET="$GC_SECRET" ap_start "$dir" "$REPO_ROOT/tests/fixtures-apache/httpd.conf" GUARD_PORT=0 \
            GUARD_CONF="$REPO_ROOT/examples/apache-module.conf" NEXTAUTH_MODULE="$AP_MODULE" \
            NEXTAUTH_CONFIG="$dir/guard.json" && echo "$AP_URL" >"$dir/url"
    )
}

stop_lighttpd() { lt_stop "$1"; }
stop_apache() {
    ap_stop "$1"
    ap_guard_stop "$1"
}
stop_nginx() {
    ng_stop "$1"
    gc_spawn_stop "$1" guard
    gc_spawn_stop "$1" cgi
}
stop_apache_module() { ap_stop "$1"; }
stop_nginx_module() {
    ng_stop "$1"
    gc_spawn_stop "$1" cgi
}

start_nginx() { # DIR
    local dir=$1
    (
        GC_SPAWN_ENV=(NEXTAUTH_CONFIG="$dir/guard.json" NEXTAUTH_SECRET="$GC_SECRET")
        gc_spawn "$dir" guard "$dir/run/guard.sock" 2 "$GC_GUARD_BIN" || exit 1
        GC_SPAWN_ENV=()
        gc_spawn "$dir" cgi "$dir/run/cgi.sock" 2 /usr/bin/perl \
            "$REPO_ROOT/tests/fixtures/fcgi-cgi.pl" || exit 1
        ng_render "$REPO_ROOT/examples/nginx-guard.conf" "$dir/site.conf.in" \
            LISTEN='127.0.0.1:@PORT@' DOCROOT='@DIR@/www' GUARD='unix:@DIR@/run/guard.sock' \
            CGI='unix:@DIR@/run/cgi.sock' APP='http://unix:@DIR@/run/app.sock:' \
            NEXTAUTH_APP='http://unix:@DIR@/run/app.sock:' || exit 1
        nginx_template >"$dir/nginx.conf.in"
        ng_start "$dir" "$dir/nginx.conf.in" USER="$(ng_user)" \
            TEMP_PATHS="$(ng_temp_paths "$dir")" && echo "$NG_URL" >"$dir/url"
    )
}

# The module: the same nginx.conf with load_module, and
# examples/nginx-module.conf rendered in place of examples/nginx-guard.conf.
# The secret comes from nginx's environment, as the example allows.
start_nginx_module() { # DIR
    local dir=$1
    (
        unset AUTH_SECRET NEXTAUTH_URL NEXTAUTH_SECRET_FILE NEXTAUTH_CONFIG
        GC_SPAWN_ENV=()
        gc_spawn "$dir" cgi "$dir/run/cgi.sock" 2 /usr/bin/perl \
            "$REPO_ROOT/tests/fixtures/fcgi-cgi.pl" || exit 1
        ng_render "$REPO_ROOT/examples/nginx-module.conf" "$dir/site.conf.in" \
            NEXTAUTH_CONFIG='@DIR@/guard.json' LISTEN='127.0.0.1:@PORT@' DOCROOT='@DIR@/www' \
            CGI='unix:@DIR@/run/cgi.sock' APP='http://unix:@DIR@/run/app.sock:' \
            NEXTAUTH_APP='http://unix:@DIR@/run/app.sock:' || exit 1
        nginx_template module >"$dir/nginx.conf.in"
        NEXTAUTH_SECRET="$GC_SECRET" ng_start "$dir" "$dir/nginx.conf.in" USER="$(ng_user)" \
            TEMP_PATHS="$(ng_temp_paths "$dir")" MODULE="$NG_MODULE" && echo "$NG_URL" >"$dir/url"
    )
}

# --- the checks -----------------------------------------------------------------

# The sanity checks of one deployment (client.pl's format): every canary file
# by its plain URL gives its marker to an admin and the exact refusal to
# nobody (307 for pages, 401 under /api/) and to a user when it is an ADMIN
# one (307 / 403); a user gets the GUARDED ones; /public/ and /api/auth/ give
# their marker to anyone.
sanity_checks() { # DEPLOY
    local dep=$1 d f url m class api
    for d in "${FOLDERS[@]}"; do
        class_of "$dep" "$d"
        class=$CLASS
        while read -r f; do
            [ "$d" = root ] && [ "$f" = favicon.ico ] && continue
            url=/$d/$f
            [ "$d" = root ] && url=/$f
            [ "$f" = index.html ] && url=${url%index.html}
            marker "$dep" "$d" "$f"
            m=$MARK
            case $d in api | api/*) api=1 ;; *) api=0 ;; esac
            case $class in
            PUBLIC)
                case $d in public | api/auth) printf 'none\t200\t%s\t%s\n' "$m" "$url" ;; esac
                ;;
            GUARDED | ADMIN)
                printf 'admin\t200\t%s\t%s\n' "$m" "$url"
                if [ $api = 1 ]; then
                    printf 'none\t401\t-\t%s\n' "$url"
                else
                    printf 'none\t307\t-\t%s\n' "$url"
                fi
                if [ "$class" = GUARDED ]; then
                    printf 'user\t200\t%s\t%s\n' "$m" "$url"
                elif [ $api = 1 ]; then
                    printf 'user\t403\t-\t%s\n' "$url"
                else
                    printf 'user\t307\t-\t%s\n' "$url"
                fi
                ;;
            esac
        done < <(folder_files "$d")
    done
}

# --- run --------------------------------------------------------------------------

tok_user='' tok_admin=''
if ! gc_mint tok_user "$GC_USER_CLAIMS" || ! gc_mint tok_admin "$GC_ADMIN_CLAIMS"; then
    die "minting the test tokens failed"
fi
export DIFF_COOKIE_USER DIFF_COOKIE_ADMIN
DIFF_COOKIE_USER=$(gc_cookie "$tok_user")
DIFF_COOKIE_ADMIN=$(gc_cookie "$tok_admin")

perl "$here/targets.pl" "$SEED" "$NRANDOM" >"$tmp/targets" || die "targets.pl failed"
ntargets=$(wc -l <"$tmp/targets")
echo "differential: seed $SEED (DIFF_SEED), $ntargets targets, servers: $SERVERS"
perl -ne 'chomp; print "none\t*\t-\t$_\nuser\t*\t-\t$_\n"' "$tmp/targets" >"$tmp/corpus"

# one docroot, config and list of checks per deployment, copied for each server
for d in $DEPLOYS; do
    make_docroot "$tmp/site-$d" "$d"
    write_config "$tmp/site-$d/guard.json" "$d"
    { cat "$tmp/corpus"; sanity_checks "$d"; } >"$tmp/site-$d/checks"
done

names=()
for s in $SERVERS; do
    for d in $DEPLOYS; do
        dir=$tmp/$s-$d
        mkdir -p "$dir/run" "$dir/logs"
        cp -R "$tmp/site-$d/." "$dir/"
        "start_${s//-/_}" "$dir" || die "$s ($d) did not start"
        echo "differential: $s ($d) up at $((SECONDS - t0)) s"
        names+=("$s-$d")
    done
done
echo "differential: servers up after $((SECONDS - t0)) s; $(wc -l <"$tmp/corpus") corpus checks per server and deployment"

for n in "${names[@]}"; do
    dir=$tmp/$n
    port=$(sed 's/.*://' "$dir/url")
    timeout "$TIMEOUT" perl "$here/client.pl" "$n" "$port" "$dir/checks" >"$dir/out" 2>&1 &
    pids+=($!)
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    unset "pids[$i]"
done

passed=0
failed=0
for n in "${names[@]}"; do
    out=$tmp/$n/out
    grep '^not ok ' "$out"
    line=$(grep '^result ' "$out")
    if [ -z "$line" ]; then
        echo "not ok $n: the client gave no result (over ${TIMEOUT} s, or it died):"
        grep -v '^not ok ' "$out" | tail -n 3
        failed=$((failed + 1))
        continue
    fi
    p=${line#*passed=}
    p=${p%% *}
    f=${line#*failed=}
    passed=$((passed + p))
    failed=$((failed + f))
done
for n in "${names[@]}"; do
    printf '%-17s %s\n' "$n:" "$(grep '^result ' "$tmp/$n/out" | cut -d' ' -f3-) $(grep '^counts ' "$tmp/$n/out" | cut -d' ' -f3-)"
done
echo "differential: seed $SEED, elapsed $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
