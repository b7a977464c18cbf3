#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/browser/walk-demo.sh BASE_URL OUTDIR [DB_BASE_URL DB_FILE] — walk the
# running `make demo` in headless Chromium as a person would, and save a
# screenshot of every step in OUTDIR. With DB_BASE_URL and DB_FILE, walk a
# running `make demo STRATEGY=database` too (its SQLite file: DB_FILE), in the
# same browser, after the first. Run by tests/demo.bats; runs alone too:
#
#     make demo PORT=9090 &   tests/browser/walk-demo.sh http://127.0.0.1:9090 /tmp/shots
#
# The walk: /dashboard → the sign-in page with callbackUrl=/dashboard → sign in
# as Ada → back on /dashboard, her session shown → /admin refused (sent back to
# sign-in) → sign out → sign in as Grace from /admin → /admin shown → sign out
# → /dashboard guarded again. On the database demo the same walk also checks
# the rows: after each sign-in a Session row holds the cookie's token, for the
# user signed in; after each sign-out that row is gone. Its screenshots are
# named db-01-signin.png, ….
#
# Bounded: each step waits at most 10 s for what it expects, and the whole
# walk has WALK_BUDGET seconds (default 240); once they are spent every step
# left fails at once, without asking the browser.
#
# Driver: chromedriver (Debian's chromium-driver, built with chromium from the
# same source) over W3C WebDriver, i.e. plain HTTP + JSON, with curl and jq.
# Why: no WebSocket client is needed (the DevTools protocol needs one; Debian
# 12's Node.js 18 has none built in and npm packages would be a second
# toolchain), every step blocks until the page has loaded, clicks are real
# input events, and screenshots are one GET.
#
# Prints one line per step ("ok N - …" / "not ok N - …" with what was seen).
# Exit: 0 all steps passed; 1 a step failed; 77 the browser cannot be used
# here (not installed, or Chromium does not start): the message says why.
# Nothing is left running: the WebDriver session is closed, then chromedriver
# and Chromium are stopped by pid, and any process still using this run's
# profile dir is ended (by pid).
set -u

usage='usage: walk-demo.sh BASE_URL OUTDIR [DB_BASE_URL DB_FILE]'
base=${1:?$usage}
out=${2:?$usage}
db_base=${3-}
db_file=${4-}
if [ -n "$db_base" ] && [ -z "$db_file" ]; then
    echo "$usage" >&2
    exit 2
fi
base=${base%/}
db_base=${db_base%/}
budget=${WALK_BUDGET:-240}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/server.sh
. "$here/../lib/server.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
if [ -z "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ]; then
    echo "browser: chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver)"
    exit 77
fi
for t in curl jq base64; do
    command -v "$t" >/dev/null || { echo "browser: $t is needed"; exit 77; }
done
if [ -n "$db_file" ] && ! command -v sqlite3 >/dev/null; then
    echo "browser: sqlite3 is needed for the database demo"
    exit 77
fi

mkdir -p "$out/profile" "$out/home" || exit 1
out=$(cd "$out" && pwd -P)
step=0
failed=0
cd_pid=''
browser_pid=''
sid=''
WD=''

# --- process handling ------------------------------------------------------

cleanup() {
    local p pids
    if [ -n "$sid" ]; then
        curl -s --max-time 10 -X DELETE "$WD/session/$sid" >/dev/null 2>&1
        sid=''
    fi
    [ -n "$browser_pid" ] && srv_stop_pid "$browser_pid" 5
    [ -n "$cd_pid" ] && srv_stop_pid "$cd_pid" 5
    # Helpers of this run's Chromium (renderers, zygotes, crashpad) that
    # outlived it: found by our own profile dir in their command line.
    pids=$(grep -lsF -- "--user-data-dir=$out/profile" /proc/[0-9]*/cmdline 2>/dev/null |
        cut -d/ -f3)
    for p in $pids; do
        [ "$p" != $$ ] && srv_stop_pid "$p" 2
    done
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- WebDriver ---------------------------------------------------------------

# spent — the walk's time budget is used up.
spent() { [ "$SECONDS" -ge "$budget" ]; }

# wd METHOD PATH [JSON] — one WebDriver command; prints the response's JSON.
# Once the budget is spent, only closing the session still goes out.
wd() {
    if spent && [ "$1" != DELETE ]; then
        echo '{}'
        return 1
    fi
    if [ $# -ge 3 ]; then
        curl -sS --max-time 30 -X "$1" -H 'Content-Type: application/json' --data "$3" "$WD$2"
    else
        curl -sS --max-time 30 -X "$1" "$WD$2"
    fi
}

# s METHOD PATH [JSON] — a command on the session.
s() {
    local m=$1 p=$2
    shift 2
    wd "$m" "/session/$sid$p" "$@"
}

navigate() { s POST /url "$(jq -nc --arg u "$1" '{url:$u}')" >/dev/null; }
current_url() { s GET /url | jq -r '.value // empty'; }

# element CSS — the element id of the first match (empty when none).
element() {
    s POST /element "$(jq -nc --arg v "$1" '{using:"css selector",value:$v}')" |
        jq -r '.value["element-6066-11e4-a52e-4f735466cecf"] // empty'
}

# text CSS — the rendered text of the first match.
text() {
    local id
    id=$(element "$1")
    [ -n "$id" ] || return 1
    s GET "/element/$id/text" | jq -r '.value // empty'
}

click() {
    local id
    id=$(element "$1")
    [ -n "$id" ] || return 1
    s POST "/element/$id/click" '{}' >/dev/null
}

screenshot() {
    s GET /screenshot | jq -r '.value // empty' | base64 -d >"$out/$1.png" 2>/dev/null
}

cookie_names() {
    s GET /cookie | jq -r '.value[]?.name'
}

# session_token — the session cookie's value (empty when there is none).
session_token() {
    s GET /cookie/next-auth.session-token | jq -r '.value.value? // empty'
}

# rows SQL — run SQL on the database demo's file (read only).
rows() {
    sqlite3 -init /dev/null -batch -readonly -cmd '.timeout 5000' "$db_file" "$1" 2>/dev/null
}

# --- conditions (polled: at most 10 s, every 0.1 s) ----------------------------

_url_is() { [ "$(current_url)" = "$1" ]; }
_url_starts() { case $(current_url) in "$1"*) return 0 ;; esac; return 1; }
_text_has() { case $(text "$1" 2>/dev/null) in *"$2"*) return 0 ;; esac; return 1; }
_no_session_cookie() { ! cookie_names | grep -q '^next-auth\.session-token'; }
_has_session_cookie() { cookie_names | grep -q '^next-auth\.session-token'; }
# _row_for USER — the session cookie is a token this demo makes (a UUID), and
# the Session row with that token is USER's; the token goes into $tok.
_row_for() {
    tok=$(session_token)
    [[ $tok =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] || return 1
    [ "$(rows "SELECT \"userId\" FROM \"Session\" WHERE \"sessionToken\" = '$tok'")" = "$1" ]
}
# _no_row TOKEN — no Session row has TOKEN (a UUID, checked by _row_for).
_no_row() {
    [[ $1 =~ ^[0-9a-f-]{36}$ ]] || return 1
    [ "$(rows "SELECT count(*) FROM \"Session\" WHERE \"sessionToken\" = '$1'")" = 0 ]
}

# check DESCRIPTION COMMAND... — one step: poll COMMAND (at most 10 s, less
# when the budget is nearly spent), print ok / not ok.
check() {
    local what=$prefix$1 wait=$((budget - SECONDS))
    shift
    step=$((step + 1))
    [ "$wait" -gt 10 ] && wait=10
    if [ "$wait" -gt 0 ] && srv_poll "$wait" "$@"; then
        echo "ok $step - $what"
    else
        failed=$((failed + 1))
        echo "not ok $step - $what"
        if spent; then
            echo "#   the walk's budget of $budget s is spent"
        else
            echo "#   at: $(current_url)"
            echo "#   page text: $(text body 2>/dev/null | head -c 400 | tr '\n' ' ')"
        fi
    fi
}

# --- start ------------------------------------------------------------------------

port=$(srv_free_port) || exit 1
HOME=$out/home "$CHROMEDRIVER" --port="$port" --log-path="$out/chromedriver.log" \
    </dev/null >"$out/chromedriver.out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
cd_pid=$!
WD="http://127.0.0.1:$port"
_wd_ready() {
    srv_alive "$cd_pid" || return 2
    [ "$(curl -s --max-time 2 "$WD/status" | jq -r '.value.ready // false' 2>/dev/null)" = true ]
}
if ! srv_poll 10 _wd_ready; then
    echo "browser: chromedriver did not start: $(head -c 300 "$out/chromedriver.out")"
    exit 77
fi

caps=$(jq -nc --arg bin "$CHROMIUM" --arg profile "$out/profile" '{capabilities: {alwaysMatch: {
    browserName: "chrome", pageLoadStrategy: "normal",
    timeouts: {pageLoad: 15000, script: 10000, implicit: 0},
    "goog:chromeOptions": {binary: $bin, args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1100,900", ("--user-data-dir=" + $profile)]}}}}')
resp=$(HOME=$out/home wd POST /session "$caps" 2>&1)
sid=$(jq -r '.value.sessionId // empty' <<<"$resp" 2>/dev/null)
browser_pid=$(jq -r '.value.capabilities["goog:processID"] // empty' <<<"$resp" 2>/dev/null)
if [ -z "$sid" ]; then
    msg=$(jq -r '.value.message // empty' <<<"$resp" 2>/dev/null | head -n 3)
    echo "browser: Chromium did not start: ${msg:-$resp}" | head -c 600
    echo
    exit 77
fi
echo "# Chromium $(jq -r '.value.capabilities.browserVersion' <<<"$resp") (pid $browser_pid), screenshots in $out"

# --- the walk ------------------------------------------------------------------------

# walk BASE [DB] — the walk on the demo at BASE; with DB, the row checks too.
walk() {
    local base=$1 db=${2-} signin="$1/api/auth/signin?callbackUrl=" tok='' ada_tok grace_tok

    navigate "$base/dashboard"
    check "/dashboard without a session lands on the sign-in page with callbackUrl=/dashboard" \
        _url_is "${signin}%2Fdashboard"
    check "the sign-in page says it is a demo-only stand-in" _text_has '#demo-banner' 'DEMO ONLY'
    screenshot "${shot}01-signin"

    click '#signin-ada'
    check "signing in as Ada goes back to /dashboard" _url_is "$base/dashboard"
    check "the dashboard greets Ada (the guard's identity)" _text_has '#welcome' 'Ada Lovelace'
    check "the dashboard shows Ada's session from /api/auth/session" _text_has '#session' '"email": "ada@example.com"'
    check "the session says role user" _text_has '#session' '"role": "user"'
    if [ -n "$db" ]; then
        check "the session cookie is the token of a new Session row of Ada (user 1)" _row_for 1
        ada_tok=$tok
    fi
    screenshot "${shot}02-dashboard-ada"

    navigate "$base/admin"
    check "/admin refuses Ada: back on the sign-in page with callbackUrl=/admin" \
        _url_is "${signin}%2Fadmin"
    check "the sign-in page says Ada may not open /admin" _text_has '#current' 'Ada Lovelace'
    screenshot "${shot}03-admin-refused-ada"

    navigate "$base/api/auth/signout"
    click '#signout-button'
    check "signing out goes home" _url_is "$base/"
    check "the session cookie is gone" _no_session_cookie
    [ -n "$db" ] && check "Ada's Session row is deleted" _no_row "$ada_tok"
    check "the home page says nobody is signed in" _text_has '#who' 'Not signed in'
    screenshot "${shot}04-signed-out"

    navigate "$base/admin"
    check "/admin without a session lands on the sign-in page" _url_is "${signin}%2Fadmin"
    click '#signin-grace'
    check "signing in as Grace goes to /admin" _url_is "$base/admin"
    check "Grace sees the admin area" _text_has '#welcome' 'Grace Hopper'
    check "the admin page shows role admin from the guard" _text_has '#NEXTAUTH_ROLE' 'admin'
    check "the session cookie is set" _has_session_cookie
    if [ -n "$db" ]; then
        check "the session cookie is the token of a Session row of Grace (user 2)" _row_for 2
        grace_tok=$tok
    fi
    screenshot "${shot}05-admin-grace"

    navigate "$base/api/auth/signout"
    click '#signout-button'
    check "Grace signs out" _url_is "$base/"
    check "the session cookie is gone again" _no_session_cookie
    [ -n "$db" ] && check "Grace's Session row is deleted" _no_row "$grace_tok"
    screenshot "${shot}06-signed-out"

    navigate "$base/dashboard"
    check "/dashboard is guarded again" _url_is "${signin}%2Fdashboard"
    screenshot "${shot}07-guarded-again"
}

prefix='' shot=''
walk "$base"
if [ -n "$db_base" ]; then
    # Cookies are not kept apart by port: start the second demo with none.
    s DELETE /cookie >/dev/null
    prefix='database: ' shot='db-'
    walk "$db_base" "$db_file"
fi

echo "# $step steps, $failed failed, $SECONDS s; screenshots: $(find "$out" -maxdepth 1 -name '*.png' -printf '%f\n' | sort | tr '\n' ' ')"
[ "$failed" -eq 0 ]
