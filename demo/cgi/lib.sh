# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# demo/cgi/lib.sh — what the demo's CGI pages share (sourced by dashboard.sh,
# admin.sh and auth.sh): HTML escaping, the page frame, the demo users.
# Pure bash: the pages run once per request under lighttpd's mod_cgi.
# shellcheck disable=SC2034 # used by the pages that source this file

# The demo users: id, then the claims the sign-in page mints for them. `sub`
# is what the pages look a user up by.
DEMO_USERS=(ada grace)
declare -A DEMO_CLAIMS=(
    [ada]='{"name":"Ada Lovelace","email":"ada@example.com","sub":"1","role":"user"}'
    [grace]='{"name":"Grace Hopper","email":"grace@example.com","sub":"2","role":"admin"}'
)
declare -A DEMO_LABEL=(
    [ada]='Ada Lovelace (role: user)'
    [grace]='Grace Hopper (role: admin)'
)

# html TEXT — TEXT escaped for an HTML text node or a quoted attribute.
html() {
    local s=$1
    s=${s//&/&amp;}
    s=${s//</&lt;}
    s=${s//>/&gt;}
    s=${s//\"/&quot;}
    s=${s//\'/&#x27;}
    printf '%s' "$s"
}

# page_start STATUS TITLE [HEADER...] — the CGI header block and the top of a
# page. Every page says no-store: they show who is signed in.
page_start() {
    local status=$1 title=$2 h
    shift 2
    printf 'Status: %s\r\n' "$status"
    printf 'Content-Type: text/html; charset=utf-8\r\n'
    printf 'Cache-Control: no-store\r\n'
    for h in "$@"; do printf '%s\r\n' "$h"; done
    printf '\r\n'
    cat <<EOF
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>$(html "$title") — nextauth-fcgi demo</title>
<link rel="stylesheet" href="/public/demo.css"></head>
<body>
<nav><a href="/">Home</a> <a href="/public/">Public</a> <a href="/dashboard">Dashboard</a>
<a href="/admin">Admin</a> <a href="/protected">Protected</a> <a href="/api/hello">/api/hello</a>
<a href="/api/auth/session">/api/auth/session</a> <a href="/api/auth/signout">Sign out</a></nav>
<main>
<h1>$(html "$title")</h1>
EOF
}

page_end() {
    printf '</main>\n</body>\n</html>\n'
}

# identity_table — the identity the guard handed this request (lighttpd puts
# the authorizer's Variable-* lines into the CGI environment).
identity_table() {
    local v
    printf '<table id="identity">\n'
    for v in REMOTE_USER AUTH_TYPE NEXTAUTH_NAME NEXTAUTH_EMAIL NEXTAUTH_SUB NEXTAUTH_ROLE \
        NEXTAUTH_EXPIRES; do
        printf '<tr><th>%s</th><td id="%s">%s</td></tr>\n' "$v" "$v" "$(html "${!v-}")"
    done
    printf '</table>\n'
}

# require_guard — the guarded pages are only reachable through the guard; a
# request without REMOTE_USER means the guard is not in front of them.
require_guard() {
    [ -n "${REMOTE_USER-}" ] && [ "${AUTH_TYPE-}" = NextAuth ] && return 0
    page_start '500 Internal Server Error' 'Not guarded'
    printf '<p>This page expects nextauth-guard in front of it (no REMOTE_USER).</p>\n'
    page_end
    exit 0
}
