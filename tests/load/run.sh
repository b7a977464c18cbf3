#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load and faults. A private lighttpd on loopback with
# nextauth-guard as its FastCGI authorizer (tests/load/lighttpd.conf.in, several
# guard processes spawned and respawned by lighttpd) is driven by wrk for
# LOAD_SECONDS with a mix of valid, expired, tampered, wrong-secret and garbage
# cookies and no cookie, on pages and on APIs, plus a public path.
# tests/load/check.lua checks every answer against what its request deserves,
# an allowed one down to the identity the guard handed over.
# Meanwhile:
#   - every LOAD_KILL_EVERY seconds one guard process gets SIGKILL; lighttpd
#     must respawn it;
#   - once, the secret file (the guard's config has "secretFile") is removed and
#     every guard process restarted: they must refuse to start, lighttpd then
#     answers 5xx and nobody gets in; then the file is put back, the guards are
#     restarted and valid sessions get in again;
#   - the guard processes' VmRSS and RssAnon are sampled twice a second.
# 5xx answers and lost requests are only allowed inside a fault window: from a
# kill (or the secret's removal) until lighttpd has every guard process back,
# plus LOAD_GRACE_MS. The witness, the first guard process after the secret
# came back, is never killed: its RSS must stay flat to the end.
#
# LOAD_DB=sqlite or LOAD_DB=pg (`make load DB=…`): database sessions instead
# (tests/load/db.sh): the guard reads the sessions of a Prisma database, a
# SQLite file or a private PostgreSQL server, with users of role user and
# admin (database.claims), valid sessions, expired rows, unknown tokens and no
# cookie. No secret, so no secret fault; instead, once, the database goes away
# (PostgreSQL stopped, SQLite locked) for LOAD_DB_HOLD seconds: every request
# that reaches the store while it is down must get the guard's 503, and once it
# is back the same guard processes must let valid sessions in again; and once,
# three sessions are revoked (rows deleted): from then on they must never get
# in. The witness is the oldest guard process at the start.
#
# LOAD_SERVER=apache-module: the guard inside Apache instead (mod_nextauth,
# `make apache-module`; tests/load/apache-module.conf, which includes
# examples/apache-module.conf unchanged): no guard process, LOAD_PROCS Apache
# children of 25 threads, the identity written into the pages by mod_include.
# The same requests and checks, token or database sessions; the faults are
# Apache's: every LOAD_KILL_EVERY seconds one child gets SIGKILL and Apache
# must respawn it; no secret fault; once (LOAD_RELOAD_AT) the guard's config
# changes (the admin-only rule gains /dash/team/… and /api/team/…) and Apache
# gets a graceful restart (SIGUSR1): a user's session there must be answered
# by one config or the other, never neither: allowed before, refused once no
# child of the old generation is left. With database sessions the outage and
# the revocation as above, before it. RSS is not judged (a graceful restart
# replaces every child).
#
# LOAD_SERVER=nginx-module: the guard inside nginx (ngx_http_nextauth_module,
# `make nginx-module`; tests/load/nginx-module.conf, with
# examples/nginx-module.conf rendered unchanged as its site): LOAD_PROCS worker
# processes, the identity written into the pages by nginx's ssi. The same
# requests, checks and faults as apache-module's, nginx's way: every
# LOAD_KILL_EVERY seconds one worker gets SIGKILL and the master must start
# another; the config change is followed by a SIGHUP to the master (what
# `nginx -s reload` sends), after which the old workers finish their requests
# and exit.
#
# Prints a report, one "ok N - …" / "not ok N - …" line per check, and ends with
# "N passed, N failed"; exits non-zero when anything failed. tests/load/README.md
# explains the report. Everything lives in a mktemp folder; lighttpd (and with
# it every guard process) is stopped by pid at exit, also on error or Ctrl-C.
#
# Environment (defaults in brackets):
#   LOAD_SECONDS [20]       length of the wrk run (`make soak`: 600)
#   LOAD_CONNECTIONS [4]    wrk threads, one connection each (see check.lua)
#   LOAD_SERVER [lighttpd]  lighttpd (the FastCGI guard), apache-module or
#                           nginx-module
#   LOAD_PROCS [4; the modules 2]  guard processes (lighttpd max-procs), at
#                           least 3; or Apache children, or nginx workers
#   LOAD_KILL_EVERY [3]     seconds between two SIGKILLs
#   LOAD_SECRET_AT          when the secret file goes [LOAD_SECONDS/4, 4..60 s]
#   LOAD_SECRET_HOLD [2]    seconds it stays away
#   LOAD_GRACE_MS [1000]    a fault window ends this long after recovery
#   LOAD_MIN_RPS [100]      minimum answers (other than 5xx) per second, on average
#   LOAD_RSS_WARMUP [3]     seconds of the witness's life not judged for RSS
#   LOAD_RSS_SLACK_KB [256] allowed growth of the witness's VmRSS and RssAnon
#   LOAD_MUTATE=CASE        give the case CASE a wrong expectation (to see the
#                           checker fail; the run must then fail)
#   LOAD_DB [jwt]           jwt (token sessions), sqlite or pg (database sessions)
#   LOAD_DB_AT              database sessions: when the database goes away
#                           [LOAD_SECONDS/4, at most 60 s, after the first kill]
#   LOAD_DB_HOLD [2]        seconds it stays away
#   LOAD_REVOKE_AT          when the sessions are revoked [LOAD_SECONDS*3/5, after
#                           LOAD_DB_AT], and not before the database is back
#   LOAD_DB_TIMEOUT_MS      the guard's database.timeoutMs [sqlite 500: the busy
#                           timeout a request waits on the lock before its 503
#                           (nginx-module 100: its worker waits in its event
#                           loop); pg 2000]
#   LOAD_DB_CACHE_SECONDS [0] the guard's database.cacheSeconds: kept sessions
#                           outlive their revocation and the outage, so any
#                           value but 0 must fail the run (its trade-off, seen)
#   LOAD_RELOAD_AT          the modules: when the config changes and Apache
#                           restarts gracefully (nginx reloads) [LOAD_SECONDS/2+1; with a
#                           database LOAD_REVOKE_AT+1]
#   LOAD_KEEP=1             keep the temp folder (its path is printed)
#   NEXTAUTH_GUARD_BIN, NEXTAUTH_TOKEN_BIN   the programs (default: this tree)
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
here=$root/tests/load
# shellcheck source=tests/lib/lighttpd.sh
. "$root/tests/lib/lighttpd.sh"
# shellcheck source=tests/lib/apache.sh
. "$root/tests/lib/apache.sh"
# shellcheck source=tests/lib/nginx.sh
. "$root/tests/lib/nginx.sh"

GUARD_BIN=${NEXTAUTH_GUARD_BIN:-$root/cgi-bin/nextauth-guard}
TOKEN_BIN=${NEXTAUTH_TOKEN_BIN:-$root/bin/nextauth-token}
SECS=${LOAD_SECONDS:-20}
CONNS=${LOAD_CONNECTIONS:-4}
SERVER=${LOAD_SERVER:-lighttpd}
case $SERVER in
lighttpd) PROCS=${LOAD_PROCS:-4} ;;
apache-module | nginx-module) PROCS=${LOAD_PROCS:-2} ;;
*)
    echo "load: LOAD_SERVER=$SERVER: lighttpd, apache-module or nginx-module"
    echo "0 passed, 1 failed"
    exit 1
    ;;
esac
AP_MODULE=$root/apache/mod_nextauth.so
NG_PROG=ngx_http_nextauth_module # the module's log lines begin so
# the modules' words for their processes and their restart, in the report
case $SERVER in
nginx-module) SERVER_LABEL=nginx CHILD=worker CHILDREN=workers RESTART=reload ;;
*) SERVER_LABEL=Apache CHILD=child CHILDREN=children RESTART='graceful restart' ;;
esac
NG_MODULE=$root/nginx/ngx_http_nextauth_module.so
KILL_EVERY=${LOAD_KILL_EVERY:-3}
SECRET_AT=${LOAD_SECRET_AT:-$((SECS / 4 < 4 ? 4 : SECS / 4 > 60 ? 60 : SECS / 4))}
SECRET_HOLD=${LOAD_SECRET_HOLD:-2}
GRACE_MS=${LOAD_GRACE_MS:-1000}
MIN_RPS=${LOAD_MIN_RPS:-100}
RSS_WARMUP=${LOAD_RSS_WARMUP:-3}
RSS_SLACK=${LOAD_RSS_SLACK_KB:-256}
MUTATE=${LOAD_MUTATE:-}
WRK_EXTRA=30 # seconds wrk may run past LOAD_SECONDS while the faults are late
DB=${LOAD_DB:-jwt}
case $DB in
jwt) DB='' ;;
sqlite | pg) ;;
*)
    echo "load: LOAD_DB=$DB: jwt, sqlite or pg"
    echo "0 passed, 1 failed"
    exit 1
    ;;
esac
DB_AT=${LOAD_DB_AT:-$((SECS / 4 <= KILL_EVERY ? KILL_EVERY + 1 : SECS / 4 > 60 ? 60 : SECS / 4))}
DB_HOLD=${LOAD_DB_HOLD:-2}
REVOKE_AT=${LOAD_REVOKE_AT:-$((SECS * 3 / 5 > DB_AT ? SECS * 3 / 5 : DB_AT + 1))}
RELOAD_AT=${LOAD_RELOAD_AT:-$([ -z "$DB" ] && echo $((SECS / 2 + 1)) || echo $((REVOKE_AT + 1)))}

die() { # a set-up failure: it still ends with the result line
    echo "load: $*"
    echo "0 passed, 1 failed"
    exit 1
}

case $SERVER in
lighttpd) tools="lighttpd wrk curl awk" ;;
apache-module) tools="apache2 wrk curl awk" ;;
nginx-module) tools="nginx wrk curl awk" ;;
esac
[ "$DB" = sqlite ] && tools+=" sqlite3" # PostgreSQL's: tests/lib/postgres.sh says
for t in $tools; do
    command -v "$t" >/dev/null || die "$t is missing (tools/deps.sh)"
done
for b in "$GUARD_BIN" "$TOKEN_BIN"; do
    [ -x "$b" ] || die "$b is not built (make)"
done
[ "$SERVER" = apache-module ] && { [ -f "$AP_MODULE" ] || die "$AP_MODULE is not built (make apache-module)"; }
[ "$SERVER" = nginx-module ] && { [ -f "$NG_MODULE" ] || die "$NG_MODULE is not built (make nginx-module)"; }
if [ "$SERVER" != lighttpd ]; then
    [ "$PROCS" -ge 2 ] || die "LOAD_PROCS must be at least 2 (one to kill, one to serve)"
    if [ -n "$DB" ] && { [ "$RELOAD_AT" -le "$REVOKE_AT" ] || [ "$RELOAD_AT" -ge "$SECS" ]; }; then
        die "LOAD_SECONDS=$SECS is too short for the graceful restart at ${RELOAD_AT} s after the revocation at ${REVOKE_AT} s"
    fi
    if [ "$RELOAD_AT" -lt 1 ] || [ "$RELOAD_AT" -ge "$SECS" ]; then
        die "LOAD_RELOAD_AT=$RELOAD_AT is not within LOAD_SECONDS=$SECS"
    fi
fi
if [ "$SERVER" = lighttpd ] && [ "$PROCS" -lt 3 ]; then
    die "LOAD_PROCS must be at least 3 (a witness and two to kill)"
fi
if [ -z "$DB" ] && [ "$SERVER" = lighttpd ]; then
    # the secret fault, the recovery (~2 s), the witness's warm-up, then RSS samples
    [ "$SECS" -ge $((SECRET_AT + SECRET_HOLD + RSS_WARMUP + 8)) ] ||
        die "LOAD_SECONDS=$SECS is too short for the secret fault at ${SECRET_AT} s and the RSS samples after it"
elif [ -n "$DB" ]; then
    # the outage, then the revocation (each fault is followed by 2 s of requests
    # at least: the run goes on for them)
    if [ "$DB_AT" -ge "$SECS" ] || [ "$REVOKE_AT" -le "$DB_AT" ] || [ "$REVOKE_AT" -ge "$SECS" ]; then
        die "LOAD_SECONDS=$SECS is too short for the database away at ${DB_AT} s for ${DB_HOLD} s, then the revocation at ${REVOKE_AT} s"
    fi
fi

# ---- the temp folder and cleaning up -----------------------------------------

dir=$(mktemp -d "${TMPDIR:-/tmp}/nextauth-load.XXXXXX") || die "mktemp failed"
wrk_pid=''
sampler_pid=''
cleanup() {
    local p
    for p in $wrk_pid $sampler_pid; do
        kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    server_stop >/dev/null 2>&1
    [ -n "$DB" ] && db_cleanup >/dev/null 2>&1
    if [ "${LOAD_KEEP:-}" = 1 ]; then
        echo "load: kept $dir"
    else
        rm -rf "$dir"
    fi
}
trap cleanup EXIT
trap 'echo "load: interrupted"; exit 130' INT TERM HUP

mkdir -p "$dir/www/dash/admin" "$dir/www/api/admin" "$dir/www/dash/team" "$dir/www/api/team" \
    "$dir/www/public" "$dir/run" "$dir/logs" "$dir/bin"
# server_stop, server_dump: the server's own (tests/lib/lighttpd.sh, apache.sh,
# nginx.sh: lt_*, ap_*, ng_*) on the run's folder.
server_do() { # stop|dump
    case $SERVER in
    lighttpd) "lt_$1" "$dir" ;;
    apache-module) "ap_$1" "$dir" ;;
    nginx-module) "ng_$1" "$dir" ;;
    esac
}
server_stop() { server_do stop; }
server_dump() { server_do dump; }
# As root, Apache serves as www-data: it must reach the docroot (and the
# SQLite file, db.sh); the secret file and the config stay the parent's.
[ "$SERVER" = apache-module ] && chmod 0755 "$dir"

# The programs are copied: a rebuild of the tree during the run (make replaces
# the file) must neither change the guard under test halfway nor hide the
# running processes (guard_pids knows them by their executable).
GUARD_ID="$GUARD_BIN ($(stat -c %y "$GUARD_BIN" | cut -c 1-19), sha256 $(sha256sum "$GUARD_BIN" | cut -c 1-12))"
cp "$GUARD_BIN" "$TOKEN_BIN" "$dir/bin/" || die "cannot copy the programs"
GUARD_BIN=$dir/bin/$(basename "$GUARD_BIN")
TOKEN_BIN=$dir/bin/$(basename "$TOKEN_BIN")
GUARD_REAL=$(readlink -f "$GUARD_BIN")
if [ "$SERVER" = apache-module ]; then
    # a graceful restart loads the module again: a copy, for the same reason
    GUARD_ID="$AP_MODULE ($(stat -c %y "$AP_MODULE" | cut -c 1-19), sha256 $(sha256sum "$AP_MODULE" | cut -c 1-12))"
    cp "$AP_MODULE" "$dir/bin/" || die "cannot copy the module"
    chmod a+r "$dir/bin/mod_nextauth.so"
    AP_MODULE=$dir/bin/mod_nextauth.so
    # the module's secret or database comes from its config file only
    unset NEXTAUTH_SECRET AUTH_SECRET NEXTAUTH_SECRET_FILE NEXTAUTH_URL NEXTAUTH_CONFIG
elif [ "$SERVER" = nginx-module ]; then
    # a reload loads the module again: a copy, for the same reason
    GUARD_ID="$NG_MODULE ($(stat -c %y "$NG_MODULE" | cut -c 1-19), sha256 $(sha256sum "$NG_MODULE" | cut -c 1-12))"
    cp "$NG_MODULE" "$dir/bin/" || die "cannot copy the module"
    NG_MODULE=$dir/bin/ngx_http_nextauth_module.so
    unset NEXTAUTH_SECRET AUTH_SECRET NEXTAUTH_SECRET_FILE NEXTAUTH_URL NEXTAUTH_CONFIG
fi

# Milliseconds since the epoch, into NOW (no subshell).
now() {
    local t=$EPOCHREALTIME
    NOW=$((${t%.*} * 1000 + 10#${t#*.} / 1000))
}
now
T0=$NOW

# ---- the site ---------------------------------------------------------------

rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
MARKER=GUARDED-CONTENT-$(rand_hex 8)
PUBLIC_MARKER=PUBLIC-CONTENT-$(rand_hex 8)
# lighttpd's mod_ssi writes the identity the guard handed over (Variable-*
# headers of its allow: REMOTE_USER, NEXTAUTH_SUB, and NEXTAUTH_ROLE from the
# "identity" setting) next to the marker; an unset one is "(none)"
IDENTITY='user=<!--#echo var="REMOTE_USER" --> role=<!--#echo var="NEXTAUTH_ROLE" --> sub=<!--#echo var="NEXTAUTH_SUB" -->'
# (nginx's ssi: the module's variables, "(none)" when not found as well)
[ "$SERVER" = nginx-module ] &&
    IDENTITY='user=<!--#echo var="nextauth_user" --> role=<!--#echo var="nextauth_role" --> sub=<!--#echo var="nextauth_sub" -->'
for f in dash/p1.html dash/p2.html dash/admin/panel.html dash/team/t.html; do
    printf '<!doctype html><title>%s</title><p>%s %s</p>\n' "$f" "$MARKER" "$IDENTITY" >"$dir/www/$f"
done
for f in api/data.json api/admin/stats.json api/team/t.json; do
    printf '{"page":"%s","secret":"%s %s"}\n' "$f" "$MARKER" "$IDENTITY" >"$dir/www/$f"
done
printf '<!doctype html><p>%s</p>\n' "$PUBLIC_MARKER" >"$dir/www/public/index.html"
# the leak canary: a public file that carries the guarded marker (check.lua)
printf '<!doctype html><p>%s %s</p>\n' "$PUBLIC_MARKER" "$MARKER" >"$dir/www/public/canary.html"

ORIGIN=http://app.example.test
SIGNIN="$ORIGIN/login?callbackUrl="
JSON_401='{"message":"You must be logged in."}'
JSON_403='{"message":"Forbidden"}'

# The guard's answer while the session store is down: 503, Retry-After: 5,
# Cache-Control: no-store, and one of these bodies (JSON on API routes)
STORE_503_JSON='{"message":"Session store unavailable."}'
STORE_503_HTML=$'<!DOCTYPE html>\n<title>Service Unavailable</title>\n<p>The session store does not answer. Try again in a few seconds.</p>\n'

if [ -z "$DB" ]; then
    # The secret lives in a file (mode 600) that the guard's config names; a copy
    # outside the docroot puts it back after the fault.
    (umask 077 && "$TOKEN_BIN" secret >"$dir/secret" && cp "$dir/secret" "$dir/secret.keep") ||
        die "cannot make a secret"
    SECRET=$(head -n 1 "$dir/secret")
    SESSIONS="\"secretFile\": \"$dir/secret\""
else
    # An nginx worker is one thread: while it waits out SQLite's busy timeout
    # on the lock, every connection it holds waits with it. A short timeout
    # keeps it answering (503s) during the outage, as Apache's threads do.
    [ "$SERVER" = nginx-module ] && [ "$DB" = sqlite ] && LOAD_DB_TIMEOUT_MS=${LOAD_DB_TIMEOUT_MS:-100}
    # shellcheck source=tests/load/db.sh
    . "$here/db.sh"
    db_init || die "cannot set up the $DB database"
    SESSIONS="\"database\": { \"url\": \"$DB_URL\", \"adapter\": \"prisma\", \"claims\": { \"role\": \"role\" },"
    SESSIONS+=" \"timeoutMs\": $DB_TIMEOUT_MS, \"cacheSeconds\": ${LOAD_DB_CACHE_SECONDS:-0} }"
fi
# guard_json [EXTRA-ADMIN-PATTERNS] — the guard's config; apache-module's
# graceful restart puts in the one with /dash/team/… and /api/team/… admin-only
guard_json() {
    cat <<EOF
{
  "url": "$ORIGIN",
  $SESSIONS,
  "pages": { "signIn": "/login" },
  "matcher": ["/dash/:path*", "/api/:path*"],
  "identity": { "NEXTAUTH_ROLE": "role" },
  "rules": [
    { "matcher": ["/dash/admin/:path*", "/api/admin/:path*"${1:-}], "authorized": { "role": "admin" } }
  ]
}
EOF
}
guard_json >"$dir/guard.json"
guard_json ', "/dash/team/:path*", "/api/team/:path*"' >"$dir/guard.json.next"

# ---- the cookies ------------------------------------------------------------

mint() { # CLAIMS [ENCODE-OPTION...] — a next-auth v4 token made with SECRET
    local claims=$1
    shift
    NEXTAUTH_SECRET=$SECRET "$TOKEN_BIN" encode "$@" "$claims"
}
# one base64url character of TOKEN's segment SEG (1-5) at its middle, changed
flip() { # TOKEN SEG
    local tok=$1 seg=$2 parts i c
    IFS=. read -r -a parts <<<"$tok"
    i=$((${#parts[seg - 1]} / 2))
    c=${parts[seg - 1]:i:1}
    [ "$c" = A ] && c=B || c=A
    parts[seg - 1]=${parts[seg - 1]:0:i}$c${parts[seg - 1]:i+1}
    (IFS=. && printf '%s' "${parts[*]}")
}
cookie() { printf 'next-auth.session-token=%s' "$1"; }
chunked() { chunked_at "$1" 3933; } # TOKEN — next-auth's 3933-byte chunks .0, .1, …
chunked_at() { # TOKEN SIZE — chunks .0, .1, … of SIZE bytes
    local t=$1 n=$2 i=0 out=''
    while [ -n "$t" ]; do
        out+="${out:+; }next-auth.session-token.$i=${t:0:n}"
        t=${t:n}
        i=$((i + 1))
    done
    printf '%s' "$out"
}
# application/x-www-form-urlencoded, as the guard writes callbackUrl
form_encode() {
    local s=$1 out='' c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9*._-]) out+=$c ;;
        ' ') out+='+' ;;
        *) printf -v c '%%%02X' "'$c" && out+=$c ;;
        esac
    done
    printf '%s' "$out"
}

junk=$(printf 'A%.0s' $(seq 1 4000))
if [ -z "$DB" ]; then
    USER_CLAIMS='{"name":"Load User","email":"load@example.com","sub":"42","role":"user"}'
    ADMIN_CLAIMS='{"name":"Load Admin","email":"admin@example.com","sub":"1","role":"admin"}'
    pad=$(printf 'x%.0s' $(seq 1 5000))
    big_claims='{"name":"Big","email":"big@example.com","sub":"7","role":"user","pad":"'$pad'"}'
    now_s=$((T0 / 1000))
    {
        tok_user=$(mint "$USER_CLAIMS") &&
            tok_admin=$(mint "$ADMIN_CLAIMS") &&
            tok_big=$(mint "$big_claims") &&
            tok_expired=$(mint "$USER_CLAIMS" --now $((now_s - 7200)) --max-age 3600) &&
            tok_other=$(NEXTAUTH_SECRET=another-secret-entirely-0123456789 "$TOKEN_BIN" encode "$USER_CLAIMS")
    } || die "nextauth-token encode failed"
    c_user=$(cookie "$tok_user")
    c_admin=$(cookie "$tok_admin")
    c_expired=$(cookie "$tok_expired")
    c_tampered_ct=$(cookie "$(flip "$tok_user" 4)") # ciphertext
    c_tampered_tag=$(cookie "$(flip "$tok_user" 5)") # authentication tag
    c_tampered_iv=$(cookie "$(flip "$tok_user" 3)") # IV
    c_other=$(cookie "$tok_other")
    c_chunked=$(chunked "$tok_big")
    c_chunked_bad=$(chunked "$(flip "$tok_big" 4)")
    # the identities (REMOTE_USER is the e-mail)
    id_user=load@example.com,user,42
    id_admin=admin@example.com,admin,1
    id_big=big@example.com,user,7
else
    c_user=$(cookie "$tok_ann")
    id_user=ann@example.test,user,u-ann
fi

# ---- the cases: what each request deserves (format: check.lua) ------------------

HTML='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
JSON='application/json'
: >"$dir/cases.tsv"
ncases=0
# case NAME PATH ACCEPT COOKIE EXPECT VALID WEIGHT [CANARY [STORE [THEN [PHASE]]]]
#   EXPECT: allow=EMAIL,ROLE,SUB (the identity the page must show; ROLE
#   "(none)": no role) | signin | 401 | 403 | public. signin's Location is
#   computed here from the path (callbackUrl = the normalized path and query,
#   form-encoded).
#   CANARY: wrong | leak | revoke | down (check.lua), or empty.
#   STORE: 1 when the request reaches the session store (database sessions: a
#   token on a guarded path): it then gets the store's 503 while the database
#   is down, JSON on /api/ and for JSON clients, else the HTML page.
#   THEN: signin | 401 | 403, what a session revoked mid-run deserves
#   afterwards, or (PHASE reload) what the request deserves under the config
#   of apache-module's graceful restart.
#   PHASE: revoke (the default) or reload: which change THEN follows.
case_() {
    local name=$1 path=$2 accept=$3 cookie=$4 expect=$5 valid=$6 weight=$7 canary=${8:-}
    local store=${9:-0} then=${10:-} phase=${11:-} arg='' then_arg='' cb id email role sub
    if [ "$name" = "$MUTATE" ]; then # LOAD_MUTATE: a deliberately wrong expectation
        case $expect in
        allow*) expect=signin ;;
        public) expect=401 ;;
        *) expect=allow=nobody,none,0 ;;
        esac
        mutated=1
    fi
    cb=${path/#\/public\/..\//\/} # lighttpd and the guard normalize /public/../x to /x
    case $expect in
    allow=*)
        id=${expect#allow=}
        IFS=, read -r email role sub <<<"$id"
        expect=allow
        arg="$MARKER user=$email role=$role sub=$sub"
        ;;
    signin) arg=$SIGNIN$(form_encode "$cb") ;;
    401) arg=$JSON_401 ;;
    403) arg=$JSON_403 ;;
    esac
    case $then in
    signin) then_arg=$SIGNIN$(form_encode "$cb") ;;
    401) then_arg=$JSON_401 ;;
    403) then_arg=$JSON_403 ;;
    esac
    if [ "$store" = 1 ]; then
        case $path:$accept in
        /api/*:* | *:"$JSON") store=json ;;
        *) store=html ;;
        esac
    else
        store=''
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$path" "$accept" "$cookie" \
        "$expect" "$arg" "$valid" "$canary" "$weight" "$store" "$then" "$then_arg" "$phase" >>"$dir/cases.tsv"
    ncases=$((ncases + 1))
}
mutated=0
Q='?tab=2&q=a%20b'
if [ -z "$DB" ]; then
    # pages (Accept: text/html): a valid session gets the page, anything else the sign-in redirect
    case_ page-valid /dash/p1.html "$HTML" "$c_user" "allow=$id_user" 1 8
    case_ page-valid-query "/dash/p1.html$Q" "$HTML" "$c_user" "allow=$id_user" 1 2
    case_ page-valid-chunked /dash/p2.html "$HTML" "$c_chunked" "allow=$id_big" 1 1
    case_ page-admin /dash/admin/panel.html "$HTML" "$c_admin" "allow=$id_admin" 1 2
    case_ page-user-on-admin /dash/admin/panel.html "$HTML" "$c_user" signin 0 2
    case_ page-expired /dash/p1.html "$HTML" "$c_expired" signin 0 3
    case_ page-tampered-ciphertext /dash/p1.html "$HTML" "$c_tampered_ct" signin 0 2
    case_ page-tampered-tag /dash/p2.html "$HTML" "$c_tampered_tag" signin 0 2
    case_ page-tampered-iv /dash/p2.html "$HTML" "$c_tampered_iv" signin 0 1
    case_ page-tampered-chunked /dash/p2.html "$HTML" "$c_chunked_bad" signin 0 1
    case_ page-wrong-secret /dash/p1.html "$HTML" "$c_other" signin 0 2
    case_ page-garbage-word /dash/p1.html "$HTML" "next-auth.session-token=garbage" signin 0 1
    case_ page-garbage-jwe /dash/p1.html "$HTML" \
        "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.BBBB.CCCCCCCCCCCCCCCCCCCCCC" signin 0 1
    case_ page-garbage-alg-none /dash/p1.html "$HTML" \
        "next-auth.session-token=eyJhbGciOiJub25lIn0.eyJzdWIiOiI0MiIsImV4cCI6OTk5OTk5OTk5OX0." signin 0 1
    case_ page-garbage-empty /dash/p2.html "$HTML" "next-auth.session-token=" signin 0 1
    case_ page-garbage-4k /dash/p2.html "$HTML" "next-auth.session-token=$junk" signin 0 1
    case_ page-garbage-cookies /dash/p1.html "$HTML" "a=b; next-auth.session-token.0=x; ;;=; c" signin 0 1
    case_ page-no-cookie /dash/p1.html "$HTML" "" signin 0 3
    case_ page-no-cookie-query "/dash/p1.html$Q" "$HTML" "" signin 0 1
    case_ page-dotdot-no-cookie /public/../dash/p1.html "$HTML" "" signin 0 1
    case_ page-json-no-cookie /dash/p1.html "$JSON" "" 401 0 1
    # APIs: a valid session gets the JSON, anything else 401 (403 for the wrong role)
    case_ api-valid /api/data.json "$JSON" "$c_user" "allow=$id_user" 1 6
    case_ api-valid-chunked /api/data.json "$JSON" "$c_chunked" "allow=$id_big" 1 1
    case_ api-admin /api/admin/stats.json "$JSON" "$c_admin" "allow=$id_admin" 1 1
    case_ api-user-on-admin /api/admin/stats.json "$JSON" "$c_user" 403 0 2
    case_ api-expired /api/data.json "$JSON" "$c_expired" 401 0 2
    case_ api-tampered /api/data.json "$JSON" "$c_tampered_ct" 401 0 2
    case_ api-wrong-secret /api/data.json "$JSON" "$c_other" 401 0 1
    case_ api-garbage /api/data.json "$JSON" "next-auth.session-token=garbage" 401 0 1
    case_ api-garbage-4k /api/admin/stats.json "$JSON" "next-auth.session-token=$junk" 401 0 1
    case_ api-no-cookie /api/data.json "$JSON" "" 401 0 3
    case_ api-no-cookie-html /api/data.json "$HTML" "" 401 0 1
    # the public path never reaches the guard
    case_ public-no-cookie /public/index.html "$HTML" "" public 0 2
    case_ public-valid /public/index.html "$HTML" "$c_user" public 0 1
    # canaries (check.lua): a wrong expectation and a planted marker, both must be caught
    case_ canary-wrong /dash/p1.html "$HTML" "$c_user" signin 1 1 wrong
    case_ canary-leak /public/canary.html "$HTML" "" public 0 1 leak
else
    # database sessions: the users and their sessions are db.sh's
    id_ann=ann@example.test,user,u-ann
    id_bob=bob@example.test,user,u-bob
    id_cat=cat@example.test,admin,u-cat
    id_dan=dan@example.test,admin,u-dan
    id_eve='eve@example.test,(none),u-eve'
    c_ann=$(cookie "$tok_ann")
    c_ann2=$(cookie "$tok_ann2")
    c_bob=$(cookie "$tok_bob")
    c_cat=$(cookie "$tok_cat")
    c_eve=$(cookie "$tok_eve")
    c_expired=$(cookie "$tok_expired")
    c_expired_admin=$(cookie "$tok_expired_admin")
    c_unknown=$(cookie "$tok_unknown")
    # pages: a valid session gets the page with its user's identity, anything
    # else the sign-in redirect
    case_ page-valid /dash/p1.html "$HTML" "$c_ann" "allow=$id_ann" 1 8 '' 1
    case_ page-valid-query "/dash/p1.html$Q" "$HTML" "$c_ann2" "allow=$id_ann" 1 2 '' 1
    case_ page-valid-norole /dash/p2.html "$HTML" "$c_eve" "allow=$id_eve" 1 2 '' 1
    case_ page-valid-chunks /dash/p2.html "$HTML" "$(chunked_at "$tok_bob" 20)" "allow=$id_bob" 1 1 '' 1
    case_ page-valid-stale-chunk /dash/p1.html "$HTML" "$c_bob; next-auth.session-token.0=stale" \
        "allow=$id_bob" 1 1 '' 1
    case_ page-admin /dash/admin/panel.html "$HTML" "$c_cat" "allow=$id_cat" 1 2 '' 1
    case_ page-user-on-admin /dash/admin/panel.html "$HTML" "$c_ann" signin 0 2 '' 1
    case_ page-norole-on-admin /dash/admin/panel.html "$HTML" "$c_eve" signin 0 1 '' 1
    case_ page-expired /dash/p1.html "$HTML" "$c_expired" signin 0 3 '' 1
    case_ page-expired-admin /dash/admin/panel.html "$HTML" "$c_expired_admin" signin 0 1 '' 1
    case_ page-unknown /dash/p1.html "$HTML" "$c_unknown" signin 0 2 '' 1
    case_ page-unknown-hex /dash/p2.html "$HTML" "$(cookie "$tok_unknown_hex")" signin 0 1 '' 1
    case_ page-garbage-word /dash/p1.html "$HTML" "next-auth.session-token=garbage" signin 0 1 '' 1
    case_ page-garbage-sql /dash/p1.html "$HTML" "next-auth.session-token=%27%20OR%20%271%27%3D%271" \
        signin 0 1 '' 1
    case_ page-garbage-jwe /dash/p2.html "$HTML" \
        "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.BBBB.CCCCCCCCCCCCCCCCCCCCCC" \
        signin 0 1 '' 1
    case_ page-garbage-4k /dash/p2.html "$HTML" "next-auth.session-token=$junk" signin 0 1 '' 1
    case_ page-garbage-cookies /dash/p1.html "$HTML" "a=b; next-auth.session-token.0=x; ;;=; c" \
        signin 0 1 '' 1
    # never reach the store: an empty value, a token past 4096 bytes, no cookie
    case_ page-garbage-empty /dash/p2.html "$HTML" "next-auth.session-token=" signin 0 1
    case_ page-too-long /dash/p1.html "$HTML" "next-auth.session-token=A$junk$junk" signin 0 1
    case_ page-no-cookie /dash/p1.html "$HTML" "" signin 0 3
    case_ page-no-cookie-query "/dash/p1.html$Q" "$HTML" "" signin 0 1
    case_ page-dotdot-no-cookie /public/../dash/p1.html "$HTML" "" signin 0 1
    case_ page-json-no-cookie /dash/p1.html "$JSON" "" 401 0 1
    case_ page-json-unknown /dash/p1.html "$JSON" "$c_unknown" 401 0 1 '' 1
    # revoked mid-run (db.sh, db_revoke): allowed until then, refused after
    case_ page-revoked /dash/p2.html "$HTML" "$(cookie "$tok_rev_page")" "allow=$id_bob" 1 2 '' 1 signin
    case_ page-admin-revoked /dash/admin/panel.html "$HTML" "$(cookie "$tok_rev_admin")" \
        "allow=$id_dan" 1 1 '' 1 signin
    # APIs: a valid session gets the JSON, anything else 401 (403 for the wrong role)
    case_ api-valid /api/data.json "$JSON" "$c_ann" "allow=$id_ann" 1 6 '' 1
    case_ api-valid-other /api/data.json "$JSON" "$c_bob" "allow=$id_bob" 1 2 '' 1
    case_ api-admin /api/admin/stats.json "$JSON" "$c_cat" "allow=$id_cat" 1 1 '' 1
    case_ api-user-on-admin /api/admin/stats.json "$JSON" "$c_ann" 403 0 2 '' 1
    case_ api-norole-on-admin /api/admin/stats.json "$JSON" "$c_eve" 403 0 1 '' 1
    case_ api-expired /api/data.json "$JSON" "$c_expired" 401 0 2 '' 1
    case_ api-unknown /api/data.json "$JSON" "$c_unknown" 401 0 2 '' 1
    case_ api-garbage /api/data.json "$JSON" "next-auth.session-token=garbage" 401 0 1 '' 1
    case_ api-garbage-4k /api/admin/stats.json "$JSON" "next-auth.session-token=$junk" 401 0 1 '' 1
    case_ api-no-cookie /api/data.json "$JSON" "" 401 0 3
    case_ api-no-cookie-html /api/data.json "$HTML" "" 401 0 1
    case_ api-revoked /api/data.json "$JSON" "$(cookie "$tok_rev_api")" "allow=$id_bob" 1 2 '' 1 401
    # the public path never reaches the guard
    case_ public-no-cookie /public/index.html "$HTML" "" public 0 2
    case_ public-valid /public/index.html "$HTML" "$c_ann" public 0 1
    # canaries (check.lua): a wrong expectation, a planted marker, a session
    # treated as revoked whose row stays, a public page treated as reaching the
    # store: each must be caught
    case_ canary-wrong /dash/p1.html "$HTML" "$c_ann" signin 1 1 wrong 1
    case_ canary-leak /public/canary.html "$HTML" "" public 0 1 leak
    case_ canary-revoke /dash/p1.html "$HTML" "$(cookie "$tok_canary_rev")" "allow=$id_ann" 1 1 revoke 1 signin
    case_ canary-down /public/index.html "$HTML" "$c_ann" public 0 1 down 1
fi
if [ "$SERVER" != lighttpd ]; then
    # the graceful restart's (nginx: the reload's) config change (reload_fault): a user is let into
    # /dash/team/ and /api/team/ before it, refused once no old child is left;
    # an admin throughout. The canary is a user's session treated as refused
    # by the new config on a path it does not change: its allows after the
    # restart must be caught.
    if [ -z "$DB" ]; then
        r_user=$c_user r_id_user=$id_user r_admin=$c_admin r_id_admin=$id_admin r_store=0
    else
        r_user=$c_ann r_id_user=$id_ann r_admin=$c_cat r_id_admin=$id_cat r_store=1
    fi
    case_ page-team-user /dash/team/t.html "$HTML" "$r_user" "allow=$r_id_user" 1 2 '' $r_store signin reload
    case_ api-team-user /api/team/t.json "$JSON" "$r_user" "allow=$r_id_user" 1 2 '' $r_store 403 reload
    case_ page-team-admin /dash/team/t.html "$HTML" "$r_admin" "allow=$r_id_admin" 1 1 '' $r_store
    case_ canary-reload /dash/p1.html "$HTML" "$r_user" "allow=$r_id_user" 1 1 reload $r_store signin reload
fi
[ -z "$MUTATE" ] || [ "$mutated" = 1 ] || die "LOAD_MUTATE=$MUTATE: no such case"

# ---- lighttpd and the guard processes ---------------------------------------

if [ "$SERVER" = lighttpd ]; then
    lt_start "$dir" "$here/lighttpd.conf.in" GUARD="$GUARD_BIN" PROCS="$PROCS" HERE="$here" >/dev/null ||
        die "lighttpd did not start (logs above)"
    URL=$LT_URL
    SERVER_NAME="lighttpd $(lighttpd -v 2>&1 | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p'), $PROCS guard processes"
elif [ "$SERVER" = apache-module ]; then
    chmod -R a+rX "$dir/www"
    [ "$DB" = sqlite ] && chmod -R a+rX "$dir/db"
    # SLOTS: room for the old generation's children during a graceful restart
    ap_start "$dir" "$here/apache-module.conf" NEXTAUTH_MODULE="$AP_MODULE" \
        NEXTAUTH_CONFIG="$dir/guard.json" PROCS="$PROCS" SLOTS=$((PROCS * 2 + 2)) \
        WORKERS=$((PROCS * 25)) MINSPARE=$((PROCS * 25 - 24)) >/dev/null || die "Apache did not start (logs above)"
    URL=$AP_URL
    SERVER_NAME="Apache $(apache2 -v | sed -n 's/^Server version: Apache\/\([^ ]*\).*/\1/p') with mod_nextauth, $PROCS children x 25 threads"
fi
if [ "$SERVER" = nginx-module ]; then
    # the site: the example, its backends never asked (nothing listens there)
    ng_render "$root/examples/nginx-module.conf" "$dir/site.conf.in" \
        NEXTAUTH_CONFIG='@DIR@/guard.json' LISTEN='127.0.0.1:@PORT@' DOCROOT='@DIR@/www' \
        CGI='unix:@DIR@/run/none.sock' APP='http://unix:@DIR@/run/none.sock:' \
        NEXTAUTH_APP='http://unix:@DIR@/run/none.sock:' || die "cannot render the example"
    ng_start "$dir" "$here/nginx-module.conf" MODULE="$NG_MODULE" PROCS="$PROCS" USER="$(ng_user)" \
        TEMP_PATHS="$(ng_temp_paths "$dir")" >/dev/null || die "nginx did not start (logs above)"
    URL=$NG_URL
    SERVER_NAME="nginx $(nginx -v 2>&1 | sed -n 's/^nginx version: nginx\/\([^ ]*\).*/\1/p') with ngx_http_nextauth_module, $PROCS workers"
fi

guard_pids() { # the live guard processes of our lighttpd (Apache's children, nginx's workers), one a line
    local p
    if [ "$SERVER" != lighttpd ]; then
        p=$dir/run/apache-fg.pid
        [ "$SERVER" = nginx-module ] && p=$dir/run/ng.pid
        cat /proc/"$(<"$p")"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
        return
    fi
    for p in $(lt_children "$dir"); do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$GUARD_REAL" ] && echo "$p"
    done
}
nguards() { guard_pids | grep -c .; }
probe() { # the status a valid session gets on a guarded page
    curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "Accept: $HTML" \
        -H "Cookie: $c_user" "$URL/dash/p1.html"
}
all_guards_up() { [ "$(nguards)" -eq "$PROCS" ]; }
srv_poll 10 all_guards_up || die "$SERVER did not start $PROCS guards or children"
[ "$(probe)" = 200 ] || { server_dump; die "a valid session does not get in before the load"; }

# ---- RSS sampler: every 0.5 s, each guard's VmRSS and RssAnon (kB) -------------

# (lighttpd only: a graceful restart of Apache replaces every child, so there
# is no long-lived process to judge)
: >"$dir/rss.txt"
if [ "$SERVER" = lighttpd ]; then
    (
        end=$((SECONDS + SECS + 60)) # bounded even if nobody stops it
        while [ ! -e "$dir/run/sampler.stop" ] && [ "$SECONDS" -lt "$end" ]; do
            now
            for p in $(guard_pids); do
                awk -v t="$NOW" -v p="$p" '/^VmRSS:/ {v = $2} /^RssAnon:/ {a = $2}
                    END { if (v != "") print t, p, v, a }' "/proc/$p/status" 2>/dev/null
            done
            sleep 0.5
        done
    ) >"$dir/rss.txt" 2>/dev/null &
    sampler_pid=$!
fi

# ---- wrk ------------------------------------------------------------------------

if [ -z "$DB" ] && [ "$SERVER" = lighttpd ]; then
    what="secret file away at ${SECRET_AT} s for ${SECRET_HOLD} s"
elif [ -z "$DB" ] && [ "$SERVER" = nginx-module ]; then
    what="config changed and reload at ${RELOAD_AT} s"
elif [ -z "$DB" ]; then
    what="config changed and graceful restart at ${RELOAD_AT} s"
else
    what="database $([ "$DB" = pg ] && echo stopped || echo locked) at ${DB_AT} s for ${DB_HOLD} s, sessions revoked at ${REVOKE_AT} s"
    [ "$SERVER" = apache-module ] && what+=", config changed and graceful restart at ${RELOAD_AT} s"
    [ "$SERVER" = nginx-module ] && what+=", config changed and reload at ${RELOAD_AT} s"
fi
echo "load: $SERVER_NAME," \
    "wrk $CONNS threads x 1 connection, ${SECS} s; SIGKILL every ${KILL_EVERY} s;" \
    "$what; $ncases kinds of request"
echo "load: guard $GUARD_ID"
[ -n "$DB" ] && echo "load: database sessions on $DB_NAME, database.timeoutMs $DB_TIMEOUT_MS"
[ -n "$MUTATE" ] && echo "load: LOAD_MUTATE=$MUTATE: that case expects a wrong answer, the run must fail"
now
T0=$NOW
if [ "$SERVER" != lighttpd ] && [ -z "$DB" ]; then
    FLAGS=$dir/flags # the graceful restart's (reload_fault); no database
    mkdir -p "$FLAGS"
fi
if [ -n "$DB" ] || [ "$SERVER" != lighttpd ]; then
    export LOAD_FLAGS=$FLAGS LOAD_503_JSON=$STORE_503_JSON LOAD_503_HTML=$STORE_503_HTML
fi
LOAD_CASES=$dir/cases.tsv LOAD_MARKER=$MARKER LOAD_PUBLIC_MARKER=$PUBLIC_MARKER \
    timeout $((SECS + 60)) wrk -t"$CONNS" -c"$CONNS" -d"$((SECS + WRK_EXTRA))s" --timeout 5s \
    -s "$here/check.lua" "$URL/" >"$dir/wrk.out" 2>"$dir/wrk.err" &
wrk_pid=$!

# ---- the faults -------------------------------------------------------------
# windows.txt: "kill|secret|db START_MS END_MS" (END: all guards back, a valid
# session in), "out A B" (the secret was away and every guard stopped, or the
# database down: nobody may get in), "back MS", "revoke A B" (db.sh).

: >"$dir/windows.txt"
: >"$dir/faults.txt"
fail_notes=()
rel() { secs $(($1 - T0)); } # a time, in seconds since the start of wrk
secs() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1000 }'; } # a duration in ms, in seconds

# wait_back [PID] — until lighttpd has PROCS guards again (PID not among them)
# and a valid session gets in; at most 10 s. Sets NOW to that moment.
wait_back() {
    local gone=${1:-} i
    for ((i = 0; i < 200; i++)); do
        if [ "$(nguards)" -eq "$PROCS" ] && ! guard_pids | grep -qx "${gone:-x}" &&
            [ "$(probe)" = 200 ]; then
            now
            return 0
        fi
        sleep 0.05
    done
    now
    return 1
}

# oldest_guard — the guard process that started first, the witness excepted (by
# start time: pids wrap around in a long run)
oldest_guard() {
    local p st
    for p in $(guard_pids); do
        [ "$p" = "$witness" ] && continue
        st=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $20 }')
        [ -n "$st" ] && echo "$st $p"
    done | sort -n | head -n 1 | cut -d ' ' -f 2
}

kill_one() {
    local victim t1
    victim=$(oldest_guard)
    [ -n "$victim" ] || return
    now
    t1=$NOW
    kill -KILL "$victim" 2>/dev/null || return
    if wait_back "$victim"; then
        printf 'kill %s %s\n' "$t1" "$NOW" >>"$dir/windows.txt"
        printf 'kill at %s s: pid %s, all %s %s back after %s s\n' "$(rel "$t1")" "$victim" \
            "$PROCS" "$([ "$SERVER" = lighttpd ] && echo guards || echo "$CHILDREN")" \
            "$(secs $((NOW - t1)))" >>"$dir/faults.txt"
    else
        printf 'kill %s %s\n' "$t1" "$NOW" >>"$dir/windows.txt"
        fail_notes+=("kill at $(rel "$t1") s: guards not back within 10 s")
        printf 'kill at %s s: pid %s, NOT back within 10 s\n' "$(rel "$t1")" "$victim" >>"$dir/faults.txt"
    fi
}

# guards that refused to start: their one stderr line (lighttpd.out; docs/servers.md,
# lighttpd: spawned or external process)
refused_starts() { grep -c 'secretFile .*: No such file' "$dir/logs/lighttpd.out"; }

secret_fault() {
    local ta tb tg pids codes='' c i
    now
    ta=$NOW
    rm -f "$dir/secret"
    pids=$(guard_pids)
    # shellcheck disable=SC2086 # one pid a word
    [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
    for ((i = 0; i < 100; i++)); do # until every old guard is gone (5 s at most)
        guard_pids | grep -qxF "$pids" || break
        sleep 0.05
    done
    # nobody may get in from here on: a guard still serving when it got SIGTERM
    # (a busy machine) takes its time to finish
    now
    tg=$NOW
    # hold SECRET_HOLD s, and on until lighttpd has tried to start a guard and
    # it refused (its stderr line lands in lighttpd.out), at most 10 s more:
    # lighttpd respawns on its own schedule (a backend that failed is disabled
    # for a while), and the point is a guard that starts without its secret
    now
    while [ $((NOW - ta)) -lt $((SECRET_HOLD * 1000)) ] ||
        { [ "$(refused_starts)" -eq 0 ] && [ $((NOW - ta)) -lt $((SECRET_HOLD * 1000 + 10000)) ]; }; do
        c=$(probe)
        codes+="$c "
        sleep 0.2
        now
    done
    tb=$NOW
    cp "$dir/secret.keep" "$dir/secret"
    chmod 600 "$dir/secret"
    pids=$(guard_pids) # restart whatever runs now
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
    if wait_back; then
        printf 'secret %s %s\nout %s %s\nback %s\n' "$ta" "$NOW" "$tg" "$tb" "$NOW" >>"$dir/windows.txt"
    else
        printf 'secret %s %s\nout %s %s\n' "$ta" "$NOW" "$tg" "$tb" >>"$dir/windows.txt"
        fail_notes+=("secret fault: guards not back within 10 s of the secret's return")
    fi
    printf 'secret away at %s s for %s s (%s guard starts refused; probes with a valid session got: %s); back, all guards up and a valid session in after %s s\n' \
        "$(rel "$ta")" "$(secs $((tb - ta)))" "$(refused_starts)" "$(echo "$codes" | tr ' ' '\n' | grep . | sort | uniq -c |
            awk '{printf "%s%s x %s", (NR > 1 ? ", " : ""), $1, $2}')" "$(secs $((NOW - tb)))" >>"$dir/faults.txt"
    for c in $codes; do
        [ "$c" -ge 500 ] 2>/dev/null || { fail_notes+=("secret fault: a probe got $c"); break; }
    done
    witness=$(oldest_guard)
    printf '%s %s\n' "$witness" "$NOW" >"$dir/witness.txt"
    RSS_FROM=$((NOW + RSS_WARMUP * 1000))
}

# reload_fault — the modules, once: the guard's config changes
# (guard.json.next: /dash/team/… and /api/team/… admin-only) and Apache
# restarts gracefully (SIGUSR1, what `apachectl -k graceful` sends), nginx
# reloads (SIGHUP, what `nginx -s reload` sends); the old children (workers)
# finish their requests with the old config. The flag "reloading" is
# there from before the file changes, "reloaded" from when no old child is
# left and a user is refused on /dash/team/ (check.lua: answered before the
# one, the old config; sent after the other, the new one; in between, either).
team_probe() {
    curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "Accept: $HTML" \
        -H "Cookie: $r_user" "$URL/dash/team/t.html"
}
reload_fault() {
    local ta old p i left='' code=''
    old=$(guard_pids)
    now
    ta=$NOW
    : >"$FLAGS/reloading"
    cp "$dir/guard.json.next" "$dir/guard.json.new" && mv -f "$dir/guard.json.new" "$dir/guard.json"
    if [ "$SERVER" = nginx-module ]; then
        kill -HUP "$(<"$dir/run/ng.pid")" # nginx -s reload
    else
        kill -USR1 "$(<"$dir/run/apache-fg.pid")"
    fi
    for ((i = 0; i < 200; i++)); do # 10 s at most
        left=''
        for p in $old; do srv_alive "$p" && left+="$p "; done
        if [ -z "$left" ] && [ "$(nguards)" -ge 1 ]; then
            code=$(team_probe)
            [ "$code" = 307 ] && break
        fi
        sleep 0.05
    done
    now
    printf 'reload %s %s\n' "$ta" "$NOW" >>"$dir/windows.txt"
    if [ -z "$left" ] && [ "$code" = 307 ]; then
        : >"$FLAGS/reloaded"
        printf '%s at %s s with the changed rule: the old %s (%s) gone and the new rule in force after %s s; %s %s now\n' "$RESTART" \
            "$(rel "$ta")" "$CHILDREN" "${old//$'\n'/ }" "$(secs $((NOW - ta)))" "$(nguards)" "$CHILDREN" >>"$dir/faults.txt"
    else
        fail_notes+=("reload: not done within 10 s (old children left: ${left:-none}; a user on /dash/team/ got ${code:-nothing})")
        printf '%s at %s s: NOT done within 10 s\n' "$RESTART" "$(rel "$ta")" >>"$dir/faults.txt"
    fi
}

witness=''
RSS_FROM='' # from when the witness's RSS is judged (VmRSS; set by the faults)
if [ -n "$DB" ] && [ "$SERVER" = lighttpd ]; then
    # no guard is restarted in this mode: the witness is the oldest one at the start
    witness=$(oldest_guard)
    printf '%s %s\n' "$witness" "$T0" >"$dir/witness.txt"
fi
next_kill=$((T0 + KILL_EVERY * 1000))
if [ -z "$DB" ]; then
    secret_time=$((T0 + SECRET_AT * 1000))
    revoke_time=''
else
    secret_time=$((T0 + DB_AT * 1000)) # the database fault takes its turn
    revoke_time=$((T0 + REVOKE_AT * 1000))
fi
reload_time='' # the modules' graceful restart or reload, after the other one-time faults
[ "$SERVER" != lighttpd ] && reload_time=$((T0 + RELOAD_AT * 1000))
faults_end=$((T0 + SECS * 1000 - 2000)) # no fault in the last 2 s
# the RSS samples of the witness since RSS_FROM (see the report)
witness_samples() {
    if [ -z "$witness" ] || [ -z "$RSS_FROM" ]; then
        echo 0
        return
    fi
    awk -v p="$witness" -v t="$RSS_FROM" '$2 == p && $1 >= t { n++ } END { print n + 0 }' "$dir/rss.txt"
}
secret_done=0
[ "$SERVER" != lighttpd ] && [ -z "$DB" ] && secret_done=1 # no secret fault there
settled=0 # when the last one-time fault was over
end_at=$((T0 + SECS * 1000))
while kill -0 "$wrk_pid" 2>/dev/null; do
    now
    # The end: LOAD_SECONDS are over, the one-time faults have had 2 s of
    # requests after them and the witness 4 RSS samples to judge (on a busy
    # machine all of them come late), or at most WRK_EXTRA s more. wrk stops
    # on SIGINT (through timeout) and reports.
    if { [ "$NOW" -ge "$end_at" ] && [ "$secret_done" = 1 ] && [ -z "$revoke_time" ] &&
        [ -z "$reload_time" ] && [ "$NOW" -ge $((settled + 2000)) ] &&
        { [ "$SERVER" != lighttpd ] || [ "$(witness_samples)" -ge 4 ]; }; } ||
        [ "$NOW" -ge $((end_at + (WRK_EXTRA - 5) * 1000)) ]; then
        kill -INT "$wrk_pid"
        break
    fi
    if [ "$secret_done" = 0 ] && [ "$NOW" -ge "$secret_time" ]; then
        if [ -z "$DB" ]; then secret_fault; else db_fault; fi
        secret_done=1
        now
        settled=$NOW
        next_kill=$((NOW + KILL_EVERY * 1000))
    elif [ -n "$revoke_time" ] && [ "$secret_done" = 1 ] && [ "$NOW" -ge "$revoke_time" ]; then
        db_revoke
        revoke_time=''
        now
        settled=$NOW
    elif [ -n "$reload_time" ] && [ "$secret_done" = 1 ] && [ -z "$revoke_time" ] &&
        [ "$NOW" -ge "$reload_time" ]; then
        reload_fault
        reload_time=''
        now
        settled=$NOW
        next_kill=$((NOW + KILL_EVERY * 1000))
    elif [ "$NOW" -ge "$next_kill" ] && [ "$NOW" -lt "$faults_end" ]; then
        kill_one
        next_kill=$((next_kill + KILL_EVERY * 1000))
        now
        [ "$next_kill" -gt "$NOW" ] || next_kill=$((NOW + KILL_EVERY * 1000)) # a slow recovery
    fi
    sleep 0.1
done
wait "$wrk_pid"
wrk_rc=$?
wrk_pid=''
touch "$dir/run/sampler.stop"
wait "$sampler_pid" 2>/dev/null
sampler_pid=''
last_guards=$(guard_pids)
# lighttpd's other child is the error log filter (errorlog.awk); it writes its
# counts when lighttpd closes the pipe, so wait for it too
loggers=''
[ "$SERVER" = lighttpd ] && loggers=$(lt_children "$dir" | grep -vxF "$last_guards")
server_stop >/dev/null 2>&1
gone() { ! srv_alive "$1"; }
for p in $loggers; do srv_poll 5 gone "$p"; done
left=''
for p in $last_guards; do srv_alive "$p" && left+="$p "; done
if [ "$DB" = pg ]; then
    p=$(pg_pid "$PGD" 2>/dev/null)
    pg_stop "$PGD" >/dev/null 2>&1
    [ -n "$p" ] && srv_alive "$p" && left+="postgres:$p "
fi

# ---- the report -------------------------------------------------------------

grep '^LOAD ' "$dir/wrk.out" >"$dir/results.txt"
n_checks=0
n_failed=0
check() { # DESCRIPTION CONDITION...
    local what=$1
    shift
    n_checks=$((n_checks + 1))
    if "$@"; then
        echo "ok $n_checks - $what"
    else
        echo "not ok $n_checks - $what"
        n_failed=$((n_failed + 1))
    fi
}
field() { awk -v k="$1" -v n="$2" '$1 == "LOAD" && $2 == k { print $n; exit }' "$dir/results.txt"; }

if ! grep -q '^LOAD total ' "$dir/results.txt"; then
    echo "load: wrk did not report (exit $wrk_rc):"
    sed 's/^/    /' "$dir/wrk.err" "$dir/wrk.out" | head -n 30
    server_dump 2>&1 | tail -n 30
    echo "0 passed, 1 failed"
    exit 1
fi

requests=$(field total 3)
lost=$(field total 4)
timeouts=$(field total 5)
sockerr=$(field total 6)
read -r p50 p99 pmax < <(awk '$2 == "latency" { print $3, $4, $5 }' "$dir/results.txt")
dur_ms=$(($(field total 7) / 1000))
[ "$dur_ms" -gt 0 ] || dur_ms=1
dur=$(secs "$dur_ms")
rps=$((requests * 1000 / dur_ms))
echo "load: $requests requests in $dur s ($rps/s); lost $lost, timeouts $timeouts, socket errors $sockerr;" \
    "latency p50 $p50 ms, p99 $p99 ms, max $pmax ms"

# per case
awk '$2 == "case" { a += $4; w += $5; l += $6; f += $7; o += $8
        printf "    %-26s %8d %6d %6d %6d %5d\n", $3, $4, $5, $6, $7, $8 }
    BEGIN { printf "    %-26s %8s %6s %6s %6s %5s\n", "case", "answered", "wrong", "leaks", "5xx", "lost" }
    END { printf "    %-26s %8d %6d %6d %6d %5d\n", "all", a, w, l, f, o }' "$dir/results.txt"
wrong=$(awk '$2 == "case" { s += $5 } END { print s + 0 }' "$dir/results.txt")
leaks=$(awk '$2 == "case" { s += $6 } END { print s + 0 }' "$dir/results.txt")
unanswered=$(awk '$2 == "case" && $4 == 0 { printf "%s ", $3 }' "$dir/results.txt")
read -r can_n can_caught can_leak_n can_leak_caught < <(awk '$2 == "canary" { print $3, $4, $5, $6 }' "$dir/results.txt")
grep '^LOAD sample ' "$dir/results.txt" | head -n 5 | sed 's/^LOAD sample /    example: /'

# faults, and 5xx / lost requests in and out of the windows
echo "faults:"
sed 's/^/    /' "$dir/faults.txt"
for n in "${fail_notes[@]}"; do echo "    PROBLEM: $n"; done
awk -v grace="$GRACE_MS" '
    FNR == NR {
        # a database fault counts where the secret fault would
        if ($1 == "kill" || $1 == "secret" || $1 == "db" || $1 == "reload") {
            k[++nw] = $1 == "db" ? "secret" : $1; s[nw] = $2 - 100; e[nw] = $3 + grace
        }
        if ($1 == "out") { oa = $2 + 500; ob = $3 }
        if ($1 == "back") back = $2
        next
    }
    $1 != "LOAD" { next }
    $2 == "ev5xx" || $2 == "evlost" {
        kind = ($2 == "ev5xx") ? "5xx" : "lost"; where = "outside"
        for (i = 1; i <= nw; i++) if ($3 >= s[i] && $3 <= e[i]) { where = k[i]; break }
        n[kind, where] += $4
        if (where == "outside") printf "    %s outside any fault window at %.3f s: %d\n", kind, $3 / 1000, $4 > "/dev/stderr"
    }
    $2 == "evok" {
        if (oa && $3 >= oa && $3 + 100 <= ob) in_out += $4
        if (back && $3 >= back) after += $4
    }
    END {
        printf "5xx kill %d\n5xx secret %d\n5xx outside %d\nlost kill %d\nlost secret %d\nlost outside %d\nok while_out %d\nok after_back %d\n",
            n["5xx", "kill"], n["5xx", "secret"], n["5xx", "outside"],
            n["lost", "kill"], n["lost", "secret"], n["lost", "outside"], in_out, after
        printf "5xx reload %d\nlost reload %d\n", n["5xx", "reload"], n["lost", "reload"]
    }' "$dir/windows.txt" "$dir/results.txt" >"$dir/windows.sum" 2>"$dir/outside.txt"
declare -A wsums # read once: a fork costs much on a busy machine
while read -r a b n; do wsums[$a.$b]=$n; done <"$dir/windows.sum"
wsum() { echo "${wsums[$1.$2]:-0}"; }
nkills=$(grep -c '^kill ' "$dir/windows.txt")
if [ -z "$DB" ]; then fw='the secret' away='the secret was away'; else fw='the database' away='the database was down'; fi
if [ "$SERVER" = lighttpd ]; then
    echo "    5xx: $(wsum 5xx kill) in the $nkills kill windows, $(wsum 5xx secret) in $fw window," \
        "$(wsum 5xx outside) outside; lost requests: $(wsum lost kill) / $(wsum lost secret) / $(wsum lost outside)"
else
    echo "    5xx: $(wsum 5xx kill) in the $nkills kill windows,${DB:+ $(wsum 5xx secret) in $fw window,}" \
        "$(wsum 5xx reload) in the $RESTART's, $(wsum 5xx outside) outside;" \
        "lost requests: $(wsum lost kill) /${DB:+ $(wsum lost secret) /} $(wsum lost reload) / $(wsum lost outside)"
    read -r rel_before rel_win_old rel_win_new rel_after can_rel_n can_rel_caught < <(awk '$2 == "reload" { $1 = $2 = ""; print }' "$dir/results.txt")
    rel_wrong=$(awk '$2 == "case" && $3 ~ /^(page|api)-team-/ { s += $5 + $6 } END { print s + 0 }' "$dir/results.txt")
    echo "    the rule changed by the $RESTART (a user on /dash/team/, /api/team/): allowed before $rel_before," \
        "in between $rel_win_old by the old config and $rel_win_new by the new, refused after $rel_after;" \
        "wrong answers or leaks among them and the admin's: $rel_wrong"
fi
[ "$SERVER" = lighttpd ] || [ -n "$DB" ] && echo "    valid sessions let in while $away: $(wsum ok while_out),"\
    "after it came back: $(wsum ok after_back)"
if [ -n "$DB" ]; then
    read -r down_n down_503 down_other up_503 rev_allowed rev_win_allowed rev_win_refused rev_refused \
        can_rev_n can_rev_caught can_down_n can_down_caught < <(awk '$2 == "db" { $1 = $2 = ""; print }' "$dir/results.txt")
    rev_wrong=$(awk '$2 == "case" && $3 ~ /-revoked$/ { s += $5 + $6 } END { print s + 0 }' "$dir/results.txt")
    echo "    sent and answered while the database was down: $down_n reaching the store ($down_503 got its 503)," \
        "$down_other not reaching it (answered as usual); the store's 503 while the database answered: $up_503"
    echo "    revoked sessions: allowed before the DELETE began $rev_allowed, during it $rev_win_allowed allowed" \
        "and $rev_win_refused refused, refused after it $rev_refused; wrong answers or leaks among them: $rev_wrong"
fi
head -n 10 "$dir/outside.txt"
if [ "$SERVER" = lighttpd ]; then
# what lighttpd saw of its guard processes
signals=$(grep -o 'child signalled: [0-9]*' "$dir/logs/error.log" | sort | uniq -c | awk '{printf "%s%s x signal %s", (NR > 1 ? ", " : ""), $1, $4}')
exits=$(grep -o 'child exited: [0-9]*' "$dir/logs/error.log" | sort | uniq -c | awk '{printf "%s%s x status %s", (NR > 1 ? ", " : ""), $1, $4}')
crashes=$(grep -o 'child signalled: [0-9]*' "$dir/logs/error.log" | awk '$3 != 9 && $3 != 15' | grep -c .)
echo "    lighttpd's log: deaths ${signals:-none}; exits ${exits:-none}"
echo "    the guard's refusals (logged, counted by errorlog.awk):" \
    "$(awk '$1 == "guard-refusals" { $1 = ""; sub(/^ /, ""); printf "%s%s", (n++ ? "; " : ""), $0 }' "$dir/logs/error.log")"
elif [ "$SERVER" = nginx-module ]; then
    # what nginx's master saw of its workers ("worker process N exited on signal N")
    signals=$(grep -o 'exited on signal [0-9]*' "$dir/logs/error.log" | sort | uniq -c |
        awk '{ printf "%s%s x signal %s", (NR > 1 ? ", " : ""), $1, $5 }')
    crashes=$(grep -o 'exited on signal [0-9]*' "$dir/logs/error.log" | grep -vc 'signal 9$')
    echo "    nginx's log: workers' deaths by a signal: ${signals:-none}"
    echo "    the module's refusals (logged):" \
        "$(grep -o "$NG_PROG: bad session token ([^)]*)\\|$NG_PROG: not authorized\\|$NG_PROG: session store unavailable" "$dir/logs/error.log" |
            sed "s/^$NG_PROG: //" | sort | uniq -c | sort -rn | awk '{ n = $1; $1 = ""; printf "%s%s%s", (NR > 1 ? "; " : ""), n, $0 }')"
else
    # what Apache saw of its children ("AH00052: child pid N exit signal NAME (N)")
    signals=$(grep -o 'exit signal [^(]*([0-9]*)' "$dir/logs/error.log" | sort | uniq -c |
        awk '{ n = $1; $1 = ""; printf "%s%s x%s", (NR > 1 ? ", " : ""), n, $0 }')
    crashes=$(grep -o 'exit signal [^(]*([0-9]*)' "$dir/logs/error.log" | grep -vc '(9)$')
    echo "    Apache's log: children's deaths by a signal (our SIGKILLs are not logged): ${signals:-none}"
    echo "    the module's refusals (logged):" \
        "$(grep -o 'mod_nextauth: bad session token ([^)]*)\|mod_nextauth: not authorized\|mod_nextauth: session store unavailable' "$dir/logs/error.log" |
            sed 's/^mod_nextauth: //' | sort | uniq -c | sort -rn | awk '{ n = $1; $1 = ""; printf "%s%s%s", (NR > 1 ? "; " : ""), n, $0 }')"
fi

if [ "$SERVER" = lighttpd ]; then
# RSS: per guard process, and the witness
echo "guard RSS (kB; VmRSS first/last/max, RssAnon first/last/max, samples):"
awk '{ if (!($2 in f)) { f[$2] = $3; fa[$2] = $4; t1[$2] = $1; order[++n] = $2 }
       l[$2] = $3; la[$2] = $4; t2[$2] = $1; c[$2]++
       if ($3 > m[$2]) m[$2] = $3; if ($4 > ma[$2]) ma[$2] = $4 }
     END { for (i = 1; i <= n; i++) { p = order[i]
         printf "    pid %-8s %6.1f s  %6d %6d %6d   %6d %6d %6d  %d\n", p, (t2[p] - t1[p]) / 1000,
             f[p], l[p], m[p], fa[p], la[p], ma[p], c[p] } }' "$dir/rss.txt" | sort -k3,3nr >"$dir/rss.sum"
head -n 12 "$dir/rss.sum"
[ "$(wc -l <"$dir/rss.sum")" -gt 12 ] && echo "    (the 12 longest-lived of $(wc -l <"$dir/rss.sum") processes)"
read -r wpid wstart <"$dir/witness.txt" 2>/dev/null || { wpid=''; wstart=0; }
afrom=$((wstart + RSS_WARMUP * 1000))
vfrom=$afrom
vwhen="${RSS_WARMUP} s after it started"
if [ -n "$DB" ]; then
    # The database's outage makes every guard run code it had not run before
    # (errors, reconnecting): its pages count in VmRSS once, from then on. So
    # VmRSS is judged from 1 s after the database was back; RssAnon (the heap:
    # a leak per failed request would be there) over the whole run.
    back=$(awk '$1 == "back" { print $2 }' "$dir/windows.txt")
    [ -n "$back" ] && [ $((back + 1000)) -gt "$vfrom" ] && vfrom=$((back + 1000)) &&
        vwhen="VmRSS from 1 s after the database was back, RssAnon ${RSS_WARMUP} s after it started"
fi
read -r wn wvf wvl wvm waf wal wam wlife < <(awk -v p="$wpid" -v vfrom="$vfrom" -v afrom="$afrom" '
    $2 != p { next }
    $1 >= vfrom { if (!vn++) vf = $3; vl = $3; if ($3 > vm) vm = $3 }
    $1 >= afrom { if (!an++) { af = $4; t1 = $1 } al = $4; t2 = $1; if ($4 > am) am = $4 }
    END { printf "%d %d %d %d %d %d %d %.0f\n", (vn < an ? vn : an), vf, vl, vm, af, al, am, (t2 - t1) / 1000 }' "$dir/rss.txt")
echo "    witness pid ${wpid:-none} (never killed), $vwhen, over $wlife s ($wn samples):" \
    "VmRSS $wvf -> $wvl kB (max $wvm, growth $((wvl - wvf))), RssAnon $waf -> $wal kB (max $wam, growth $((wal - waf)))"
all_max=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$dir/rss.txt")
echo "    largest VmRSS of any guard process: $all_max kB"
else
    echo "RSS: not judged (a $RESTART replaces every $SERVER_LABEL $CHILD)"
fi

# ---- the checks ---------------------------------------------------------------

echo "checks:"
noted() { printf '%s\n' "${fail_notes[@]}" | grep -q "$1"; } # a problem noted during the faults
canaries_caught() {
    [ "$can_n" -gt 0 ] && [ "$can_caught" -eq "$can_n" ] &&
        [ "$can_leak_n" -gt 0 ] && [ "$can_leak_caught" -eq "$can_leak_n" ] &&
        { [ -z "$DB" ] || { [ "$can_rev_n" -gt 0 ] && [ "$can_rev_caught" -eq "$can_rev_n" ] &&
            [ "$can_down_n" -gt 0 ] && [ "$can_down_caught" -eq "$can_down_n" ]; }; } &&
        { [ "$SERVER" = lighttpd ] || { [ "$can_rel_n" -gt 0 ] && [ "$can_rel_caught" -eq "$can_rel_n" ]; }; }
}
kills_ok() { [ "$nkills" -ge 1 ] && ! noted '^kill'; }
secret_refused() {
    [ "$(refused_starts)" -gt 0 ] && [ "$(wsum 5xx secret)" -gt 0 ] && [ "$(wsum ok while_out)" -eq 0 ] && ! noted 'probe got'
}
secret_back() { [ "$(wsum ok after_back)" -gt 0 ] && ! noted '^secret fault: guards'; }
db_down_ok() {
    [ "$down_n" -gt 0 ] && [ "$down_503" -eq "$down_n" ] && [ "$(wsum ok while_out)" -eq 0 ] &&
        ! noted '^database fault: a probe got' && ! noted '^database fault: the sqlite3'
}
db_back_ok() {
    [ "$(wsum ok after_back)" -gt 0 ] && [ "$up_503" -eq 0 ] &&
        ! noted '^database fault: no valid' && ! noted '^database fault: the guard' &&
        ! noted '^database fault: PostgreSQL' && ! noted '^database fault: the sqlite3 shell did not commit'
}
revoked_ok() {
    [ "$rev_allowed" -gt 0 ] && [ "$rev_refused" -gt 0 ] && [ "$rev_wrong" -eq 0 ] && ! noted '^revocation'
}
rss_flat() {
    [ "$wn" -ge 3 ] && [ $((wvl - wvf)) -lt "$RSS_SLACK" ] && [ $((wal - waf)) -lt "$RSS_SLACK" ]
}
witness_alive() { [ -n "$wpid" ] && printf '%s\n' "$last_guards" | grep -qx "$wpid"; }
reload_ok() {
    [ "$rel_before" -gt 0 ] && [ "$rel_after" -gt 0 ] && [ "$rel_wrong" -eq 0 ] && ! noted '^reload'
}

check "wrk ran for $dur s (LOAD_SECONDS $SECS, and on until 2 s after the last fault) and reported (exit $wrk_rc)" \
    [ "$wrk_rc" -eq 0 ]
judged=$((requests - $(awk '$2 == "case" { s += $7 } END { print s + 0 }' "$dir/results.txt")))
min_judged=$((MIN_RPS * dur_ms / 1000))
check "answers judged (all but 5xx): $judged >= $min_judged ($MIN_RPS/s)" [ "$judged" -ge "$min_judged" ]
check "every kind of request was answered${unanswered:+ (not: $unanswered)}" [ -z "$unanswered" ]
check "wrong answers: $wrong (must be 0)" [ "$wrong" -eq 0 ]
check "guarded content without a valid token: $leaks (must be 0)" [ "$leaks" -eq 0 ]
can_more=''
[ "$SERVER" = lighttpd ] || can_more=", changed rule $can_rel_caught/$can_rel_n"
check "the checker caught every canary: wrong answer $can_caught/$can_n, leak $can_leak_caught/$can_leak_n${DB:+, revoked $can_rev_caught/$can_rev_n, store down $can_down_caught/$can_down_n}$can_more" \
    canaries_caught
check "5xx only inside fault windows: $(wsum 5xx outside) outside" [ "$(wsum 5xx outside)" -eq 0 ]
check "lost requests only inside fault windows: $(wsum lost outside) outside" [ "$(wsum lost outside)" -eq 0 ]
if [ "$SERVER" = lighttpd ]; then
    check "guards killed: $nkills, each respawned by lighttpd within 10 s" kills_ok
    check "no guard crashed (lighttpd saw no signal but our 9 and 15): $crashes" [ "$crashes" -eq 0 ]
elif [ "$SERVER" = nginx-module ]; then
    check "nginx workers killed: $nkills, each replaced by the master within 10 s" kills_ok
    check "no nginx worker crashed (the master saw no signal but our 9): $crashes" [ "$crashes" -eq 0 ]
else
    check "Apache children killed: $nkills, each respawned by Apache within 10 s" kills_ok
    check "no Apache child crashed (Apache saw no signal but our 9): $crashes" [ "$crashes" -eq 0 ]
fi
if [ "$SERVER" != lighttpd ] && [ -z "$DB" ]; then
    : # no secret fault; the graceful restart (reload) below
elif [ -z "$DB" ]; then
    check "secret away: $(refused_starts) guard starts refused, guarded requests got 5xx ($(wsum 5xx secret)), probes only 5xx, nobody got in ($(wsum ok while_out))" \
        secret_refused
    check "secret back: every guard up again and valid sessions got in ($(wsum ok after_back) answers)" secret_back
else
    check "database down: every request reaching the store got its 503 ($down_503/$down_n), probes only 503, nobody got in ($(wsum ok while_out))" \
        db_down_ok
    check "database back: valid sessions got in ($(wsum ok after_back) answers) with the same guard processes, no store 503 once it answered ($up_503)" \
        db_back_ok
    check "revoked sessions: allowed before ($rev_allowed), never after ($rev_refused refused, $rev_wrong wrong or leaked)" \
        revoked_ok
fi
if [ "$SERVER" = lighttpd ]; then
    check "witness RSS flat over $wlife s: VmRSS +$((wvl - wvf)) kB, RssAnon +$((wal - waf)) kB (< $RSS_SLACK kB)" rss_flat
    check "witness alive to the end" witness_alive
    check "lighttpd and every guard process${DB:+ and the database} stopped${left:+ (left: $left)}" [ -z "$left" ]
else
    check "$RESTART with a changed rule: a user allowed by the old config before ($rel_before), refused by the new one after ($rel_after), never neither ($rel_wrong wrong or leaked)" \
        reload_ok
    check "$SERVER_LABEL and its $CHILDREN${DB:+ and the database} stopped${left:+ (left: $left)}" [ -z "$left" ]
fi

echo "$((n_checks - n_failed)) passed, $n_failed failed"
[ "$n_failed" -eq 0 ]
