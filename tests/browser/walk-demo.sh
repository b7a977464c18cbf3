#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/browser/walk-demo.sh BASE_URL OUTDIR — walk the running `make demo` in
# headless Chromium as a person would, and save a screenshot of every step in
# OUTDIR. Run by tests/demo.bats; runs alone too:
#
#     make demo PORT=9090 &   tests/browser/walk-demo.sh http://127.0.0.1:9090 /tmp/shots
#
# The walk: /dashboard → the sign-in page with callbackUrl=/dashboard → sign in
# as Ada → back on /dashboard, her session shown → /admin refused (sent back to
# sign-in) → sign out → sign in as Grace from /admin → /admin shown → sign out
# → /dashboard guarded again.
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

base=${1:?usage: walk-demo.sh BASE_URL OUTDIR}
out=${2:?usage: walk-demo.sh BASE_URL OUTDIR}
base=${base%/}
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

# --- WebDriver ---------------------------------------------------------------

# wd METHOD PATH [JSON] — one WebDriver command; prints the response's JSON.
wd() {
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

# --- conditions (polled: at most 10 s, every 0.1 s) ----------------------------

_url_is() { [ "$(current_url)" = "$1" ]; }
_url_starts() { case $(current_url) in "$1"*) return 0 ;; esac; return 1; }
_text_has() { case $(text "$1" 2>/dev/null) in *"$2"*) return 0 ;; esac; return 1; }
_no_session_cookie() { ! cookie_names | grep -q '^next-auth\.session-token'; }
_has_session_cookie() { cookie_names | grep -q '^next-auth\.session-token'; }

# check DESCRIPTION COMMAND... — one step: poll COMMAND, print ok / not ok.
check() {
    local what=$1
    shift
    step=$((step + 1))
    if srv_poll 10 "$@"; then
        echo "ok $step - $what"
    else
        failed=$((failed + 1))
        echo "not ok $step - $what"
        echo "#   at: $(current_url)"
        echo "#   page text: $(text body 2>/dev/null | head -c 400 | tr '\n' ' ')"
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

signin="$base/api/auth/signin?callbackUrl="

navigate "$base/dashboard"
check "/dashboard without a session lands on the sign-in page with callbackUrl=/dashboard" \
    _url_is "${signin}%2Fdashboard"
check "the sign-in page says it is a demo-only stand-in" _text_has '#demo-banner' 'DEMO ONLY'
screenshot 01-signin

click '#signin-ada'
check "signing in as Ada goes back to /dashboard" _url_is "$base/dashboard"
check "the dashboard greets Ada (the guard's identity)" _text_has '#welcome' 'Ada Lovelace'
check "the dashboard shows Ada's session from /api/auth/session" _text_has '#session' '"email": "ada@example.com"'
check "the session says role user" _text_has '#session' '"role": "user"'
screenshot 02-dashboard-ada

navigate "$base/admin"
check "/admin refuses Ada: back on the sign-in page with callbackUrl=/admin" \
    _url_is "${signin}%2Fadmin"
check "the sign-in page says Ada may not open /admin" _text_has '#current' 'Ada Lovelace'
screenshot 03-admin-refused-ada

navigate "$base/api/auth/signout"
click '#signout-button'
check "signing out goes home" _url_is "$base/"
check "the session cookie is gone" _no_session_cookie
check "the home page says nobody is signed in" _text_has '#who' 'Not signed in'
screenshot 04-signed-out

navigate "$base/admin"
check "/admin without a session lands on the sign-in page" _url_is "${signin}%2Fadmin"
click '#signin-grace'
check "signing in as Grace goes to /admin" _url_is "$base/admin"
check "Grace sees the admin area" _text_has '#welcome' 'Grace Hopper'
check "the admin page shows role admin from the guard" _text_has '#NEXTAUTH_ROLE' 'admin'
check "the session cookie is set" _has_session_cookie
screenshot 05-admin-grace

navigate "$base/api/auth/signout"
click '#signout-button'
check "Grace signs out" _url_is "$base/"
check "the session cookie is gone again" _no_session_cookie
screenshot 06-signed-out

navigate "$base/dashboard"
check "/dashboard is guarded again" _url_is "${signin}%2Fdashboard"
screenshot 07-guarded-again

echo "# $step steps, $failed failed; screenshots: $(find "$out" -maxdepth 1 -name '*.png' -printf '%f\n' | sort | tr '\n' ' ')"
[ "$failed" -eq 0 ]
