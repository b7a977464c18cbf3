#!/bin/bash
# SPDX-License-Identifier: MIT
# demo/cgi/auth.sh — DEMO ONLY. A stand-in for the Next.js app's NextAuth routes
# /api/auth/signin and /api/auth/signout, so that `make demo` can be clicked
# through without a Next.js app. It signs ANYONE in as a demo user, without a
# password: it must never serve a real site.
#
# It cannot be enabled by accident: it refuses to run unless NEXTAUTH_DEMO=1 is
# in its environment, which only demo/lighttpd.conf.in sets (for these two
# paths); it lives under demo/ and `make install` never installs it.
#
#   GET  /api/auth/signin?callbackUrl=/x   the demo users, one button each
#   POST /api/auth/signin                  user=ada|grace&callbackUrl=/x: mints a
#                                          session cookie with nextauth-token, as
#                                          NextAuth would, then 302 to callbackUrl
#   GET  /api/auth/signout                 "Are you sure?" with a button
#   POST /api/auth/signout                 clears the session cookie, 302 to
#                                          callbackUrl (default /)
# With database sessions (NEXTAUTH_DEMO_DB names the SQLite file, in the Prisma
# adapter's schema) it does what NextAuth and its adapter do instead: sign-in
# adds the User row when there is none (createUser) and a Session row with a
# new random token (createSession: a UUID v4, expires = now + maxAge in Prisma
# 7's SQLite form), and sets that token as the cookie; sign-out deletes the
# row of the cookie's token (deleteSession, here nextauth-token revoke).
# callbackUrl is followed only on this site (NextAuth's default redirect
# callback): a path, or an absolute URL of this origin; anything else goes to /.
# A POST from another origin (Origin or Sec-Fetch-Site says so) is refused.

if [ "${NEXTAUTH_DEMO-}" != 1 ] || [ -z "${REQUEST_METHOD-}" ]; then
    echo "auth.sh: refusing to run: the demo sign-in signs anyone in without a password;" \
        "it only runs inside 'make demo' (NEXTAUTH_DEMO=1 set by demo/lighttpd.conf.in)" >&2
    if [ -n "${REQUEST_METHOD-}" ]; then
        printf 'Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nNot Found\n'
        exit 0
    fi
    exit 1
fi

# shellcheck source=demo/cgi/lib.sh
. "${0%/*}/lib.sh"
# shellcheck source=demo/cgi/callback.sh
. "${0%/*}/callback.sh"

COOKIE=next-auth.session-token # the demo is plain http: no __Secure- prefix
MAX_AGE=2592000                  # session.maxAge: 30 days, as NextAuth
DEMO_DB=${NEXTAUTH_DEMO_DB-}     # database sessions: the SQLite file
BASE=${NEXTAUTH_DEMO_ORIGIN:-http://127.0.0.1}
HOST_ORIGIN="http://${HTTP_HOST-}"

# cross_site — the POST comes from another origin (a login CSRF).
cross_site() {
    [ "${HTTP_SEC_FETCH_SITE-}" = cross-site ] && return 0
    [ -z "${HTTP_ORIGIN-}" ] && return 1
    [ "$HTTP_ORIGIN" != "$BASE" ] && [ "$HTTP_ORIGIN" != "$HOST_ORIGIN" ]
}

# clear_cookies — Set-Cookie lines that delete the session cookie and every
# chunk of it the browser sent.
clear_cookies() {
    local c name
    local -a names=("$COOKIE") pairs
    IFS=';' read -r -a pairs <<<"${HTTP_COOKIE-}"
    for c in "${pairs[@]}"; do
        name=${c%%=*}
        name=${name# }
        [[ $name =~ ^"$COOKIE".[0-9]+$ ]] && names+=("$name")
    done
    for name in "${names[@]}"; do
        printf 'Set-Cookie: %s=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax\n' "$name"
    done
}

# current_user — the demo user id of a valid session cookie in this request.
current_user() {
    local claims u
    claims=$("$NEXTAUTH_TOKEN_BIN" get --cookie "${HTTP_COOKIE-}" 2>/dev/null) || return 1
    for u in "${DEMO_USERS[@]}"; do
        [[ $claims == *'"sub":"'"$(sub_of "$u")"'"'* ]] && { printf '%s' "$u"; return 0; }
    done
    return 1
}

sub_of() {
    claim_of "$1" sub
}

# claim_of USER NAME — a string claim of a demo user (their claims are plain).
claim_of() {
    [[ ${DEMO_CLAIMS[$1]} =~ \"$2\":\"([^\"]*)\" ]] && printf '%s' "${BASH_REMATCH[1]}"
}

# --- database sessions --------------------------------------------------------------

# new_token — a session token as next-auth v4 makes one: crypto.randomUUID()
# (a random UUID v4), else 32 random bytes in hex.
new_token() {
    local u=''
    u=$(cat /proc/sys/kernel/random/uuid 2>/dev/null) || u=''
    if [[ $u =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then
        printf '%s' "$u"
    else
        od -An -tx1 -N32 /dev/urandom | tr -d ' \n'
    fi
}

# prisma_time MS — a time as Prisma 7 stores a DateTime in SQLite:
# 2026-01-31T00:00:00.000+00:00.
prisma_time() {
    printf '%s.%03d+00:00' "$(date -u -d "@$(($1 / 1000))" +%Y-%m-%dT%H:%M:%S)" $(($1 % 1000))
}

# sql_text TEXT — TEXT as an SQL string literal.
sql_text() {
    printf "'%s'" "${1//\'/\'\'}"
}

# db_signin USER — add USER's User row when missing and a new Session row;
# print the session token.
db_signin() {
    local u=$1 tok sid now stamp
    tok=$(new_token)
    sid=$(new_token)
    now=$(date +%s%3N)
    stamp=$(sql_text "$(prisma_time "$now")")
    sqlite3 -bail -batch -cmd '.timeout 5000' "$DEMO_DB" >/dev/null <<EOF || return 1
BEGIN IMMEDIATE;
INSERT INTO "User" ("id", "name", "email", "role", "createdAt", "updatedAt")
  VALUES ($(sql_text "$(claim_of "$u" sub)"), $(sql_text "$(claim_of "$u" name)"),
          $(sql_text "$(claim_of "$u" email)"), $(sql_text "$(claim_of "$u" role)"), $stamp, $stamp)
  ON CONFLICT ("id") DO NOTHING;
INSERT INTO "Session" ("id", "sessionToken", "userId", "expires", "createdAt", "updatedAt")
  VALUES ($(sql_text "$sid"), $(sql_text "$tok"), $(sql_text "$(claim_of "$u" sub)"),
          $(sql_text "$(prisma_time $((now + MAX_AGE * 1000)))"), $stamp, $stamp);
COMMIT;
EOF
    printf '%s' "$tok"
}

# db_signout — delete the Session row of the request's session cookie. Only a
# value shaped like a token this page makes is looked up.
db_signout() {
    local c tok='' rc=0 err
    local -a pairs
    IFS=';' read -r -a pairs <<<"${HTTP_COOKIE-}"
    for c in "${pairs[@]}"; do
        c=${c# }
        [ "${c%%=*}" = "$COOKIE" ] && tok=${c#*=}
    done
    [[ $tok =~ ^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{64})$ ]] ||
        return 0
    # the token on standard input, not in the process list
    err=$(printf '%s' "$tok" | "$NEXTAUTH_TOKEN_BIN" revoke - 2>&1 >/dev/null) || rc=$?
    # 1: no such row (signed out already); anything else goes to the error log.
    [ "$rc" -le 1 ] || echo "auth.sh: sign-out could not delete the session: $err" >&2
}

demo_banner() {
    cat <<'EOF'
<div class="demo-banner" id="demo-banner" role="alert"><strong>DEMO ONLY.</strong>
This page stands in for your Next.js app's NextAuth sign-in (<code>/api/auth/*</code>).
It signs anyone in without a password. It runs only under <code>make demo</code>
(NEXTAUTH_DEMO=1) and is never installed.</div>
EOF
}

refuse() { # STATUS TITLE TEXT
    page_start "$1" "$2"
    demo_banner
    printf '<p id="error">%s</p>\n' "$(html "$3")"
    page_end
    exit 0
}

# redirect LOCATION [HEADER-LINES] — 302, as NextAuth's sign-in POST answers.
redirect() {
    printf 'Status: 302 Found\r\nLocation: %s\r\nCache-Control: no-store\r\n' "$1"
    [ -n "${2-}" ] && printf '%s' "${2//$'\n'/$'\r\n'}"
    printf 'Content-Type: text/plain\r\n\r\nRedirecting to %s\n' "$1"
    exit 0
}

signin_page() {
    local cb=$1 me='' u
    me=$(current_user) || me=''
    page_start '200 OK' 'Sign in'
    demo_banner
    if [ -n "$me" ]; then
        printf '<p id="current">You are signed in as %s, who may not open <code>%s</code>.\n' \
            "$(html "${DEMO_LABEL[$me]}")" "$(html "${cb#"$BASE"}")"
        printf 'Sign in as someone else, or <a href="/">go home</a>.</p>\n'
    fi
    printf '<p>After signing in you go to <code id="callback">%s</code>.</p>\n' "$(html "${cb#"$BASE"}")"
    printf '<form method="post" action="/api/auth/signin">\n'
    printf '<input type="hidden" name="callbackUrl" value="%s">\n' "$(html "$cb")"
    for u in "${DEMO_USERS[@]}"; do
        printf '<p><button type="submit" name="user" value="%s" id="signin-%s">Sign in as %s</button></p>\n' \
            "$u" "$u" "$(html "${DEMO_LABEL[$u]}")"
    done
    printf '</form>\n'
    page_end
}

signout_page() {
    page_start '200 OK' 'Sign out'
    demo_banner
    cat <<'EOF'
<p>Are you sure you want to sign out?</p>
<form method="post" action="/api/auth/signout">
<p><button type="submit" id="signout-button">Sign out</button></p>
</form>
EOF
    page_end
}

# The request: GET reads the query, POST a small form body.
path=${REQUEST_URI-}
path=${path%%\?*}
form=${QUERY_STRING-}
if [ "$REQUEST_METHOD" = POST ]; then
    len=${CONTENT_LENGTH:-0}
    [[ $len =~ ^[0-9]{1,4}$ ]] || refuse '413 Content Too Large' 'Sign in' 'The form is too large.'
    form=$(head -c "$len")
fi
cb=$(callback "$(field callbackUrl "$form" || printf /)")

case "$REQUEST_METHOD $path" in
"GET /api/auth/signin" | "HEAD /api/auth/signin")
    signin_page "$cb"
    ;;
"POST /api/auth/signin")
    cross_site && refuse '403 Forbidden' 'Sign in' 'Refused: the form was posted from another site.'
    user=$(field user "$form") || user=''
    [ -n "$user" ] && [ -n "${DEMO_CLAIMS[$user]+set}" ] ||
        refuse '400 Bad Request' 'Sign in' 'Unknown demo user: choose Ada or Grace.'
    if [ -n "$DEMO_DB" ]; then
        token=$(db_signin "$user") ||
            refuse '500 Internal Server Error' 'Sign in' 'The session row could not be added (see the error log).'
    else
        token=$("$NEXTAUTH_TOKEN_BIN" encode --max-age "$MAX_AGE" "${DEMO_CLAIMS[$user]}") ||
            refuse '500 Internal Server Error' 'Sign in' 'nextauth-token could not mint the cookie (see the error log).'
    fi
    expires=$(date -u -d "@$(($(date +%s) + MAX_AGE))" '+%a, %d %b %Y %H:%M:%S GMT')
    # Drop chunks of an earlier (larger) session first: a plain cookie next to
    # chunks is refused. The name alone is then set again below.
    cookies=$(clear_cookies | grep -v "^Set-Cookie: $COOKIE=;")
    [ -n "$cookies" ] && cookies+=$'\n'
    cookies+="Set-Cookie: $COOKIE=$token; Path=/; Expires=$expires; HttpOnly; SameSite=Lax"$'\n'
    redirect "$cb" "$cookies"
    ;;
"GET /api/auth/signout" | "HEAD /api/auth/signout")
    signout_page
    ;;
"POST /api/auth/signout")
    cross_site && refuse '403 Forbidden' 'Sign out' 'Refused: the form was posted from another site.'
    [ -n "$DEMO_DB" ] && db_signout
    redirect "$cb" "$(clear_cookies)"$'\n'
    ;;
*)
    refuse '405 Method Not Allowed' 'Demo sign-in' "$REQUEST_METHOD $path is not answered here."
    ;;
esac
