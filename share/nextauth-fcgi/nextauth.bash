# SPDX-License-Identifier: MIT
# nextauth.bash — bats helpers for testing a site guarded by nextauth-fcgi (or
# any site that checks NextAuth.js session cookies): mint session cookies with
# the site's secret (or session rows in its database), and assert what each
# URL answers with and without them. Pure bash; needs curl, jq and
# nextauth-token, and for database sessions the sqlite3 or psql client.
#
# Load it from a .bats file (bats' `load` adds the .bash):
#
#     load /usr/local/share/nextauth-fcgi/nextauth
#
#     setup() {
#         export NEXTAUTH_SECRET=…            # the site's secret
#         export NEXTAUTH_URL=http://127.0.0.1:8080
#     }
#     @test "the dashboard is guarded" { assert_guarded /dashboard; }
#     @test "admins get in" { assert_allows /admin '{"email":"g@x.org","role":"admin"}'; }
#     @test "users do not" { assert_refuses /admin '{"email":"a@x.org","role":"user"}'; }
#
# Configuration: environment variables, read at every call.
#   NEXTAUTH_SECRET        the site's secret (or AUTH_SECRET, or a config file
#                          named by NEXTAUTH_CONFIG: nextauth-token reads them)
#   NEXTAUTH_URL           the site's URL, as the app's NEXTAUTH_URL: a URL given
#                          as a path (/dashboard) is requested there; https://
#                          means __Secure- cookie names; the sign-in Location
#                          may carry its origin
#   NEXTAUTH_TEST_URL      send the requests here instead (e.g. http://127.0.0.1:
#                          8080 behind a TLS proxy); NEXTAUTH_URL still decides
#                          the cookie names
#   NEXTAUTH_FORMAT        next-auth-v4 (default), authjs-v5 or jws
#   NEXTAUTH_COOKIE_NAME   the session cookie name (default: by format and URL:
#                          next-auth.session-token, authjs.session-token, with
#                          __Secure- in front for https)
#   NEXTAUTH_SECURE_COOKIE 1 or 0: force the __Secure- name on or off
#   NEXTAUTH_SIGNIN_PATH   basePath + pages.signIn (default /api/auth/signin)
#   NEXTAUTH_TOKEN_BIN     nextauth-token (default: on PATH, else next to this
#                          file's ../../bin/, as installed and in the repository)
#   NEXTAUTH_CURL_OPTS     extra curl options, split on spaces (e.g. "-k")
#   NEXTAUTH_CURL_TIMEOUT  seconds a request may take (default 10)
#
# Cookies (each prints a Cookie header value: "name=token", or for a chunked
# session "name.0=…; name.1=…"). OPTIONS: --secure / --plain (force the
# __Secure- name on / off), --name NAME, --format F, --max-age SECONDS (token
# lifetime, default the tool's: 30 days), --chunks N (split into exactly N
# chunks; by default a token longer than 3933 characters, 3936 for authjs-v5,
# is chunked as NextAuth does).
#   nextauth_cookie [OPTIONS] CLAIMS         a valid session for the CLAIMS
#                                            (JSON object; iat, exp, jti added)
#   nextauth_expired_cookie [OPTIONS] CLAIMS one that expired an hour ago
#   nextauth_tampered_cookie [OPTIONS] CLAIMS a valid one with one character of
#                                            its tag (or signature) changed
#   nextauth_token [OPTIONS] CLAIMS          the token alone
#   nextauth_cookie_name [--secure|--plain] [--format F]
#                                            the session cookie name in use
#
# Requests (no redirect is followed):
#   nextauth_request [--cookie COOKIE] URL [CURL-OPTION...]
#       Request URL (a path is put after NEXTAUTH_TEST_URL / NEXTAUTH_URL; GET
#       unless a CURL-OPTION such as -d says otherwise) and set nextauth_url,
#       nextauth_status (e.g. 200), nextauth_headers (the last header block, CR
#       removed), nextauth_body, nextauth_location, nextauth_content_type.
#       Returns 0 whatever the status; 1 when there is no answer
#       (nextauth_status is then 000 and nextauth_curl_error says why).
#   nextauth_header NAME   the value of header NAME in the last answer
#
# Assertions (each returns 0, or prints what it expected and what it got —
# status, headers with cookie values masked, the start of the body — to
# stderr and returns 1, which fails a bats test). CLAIMS|COOKIE: an argument
# starting with "{" is a claims object, minted with nextauth_cookie; anything
# else is sent as the Cookie header as is. Trailing CURL-OPTIONs go to curl.
#   assert_guarded [--page|--api] URL [COOKIE [CURL-OPTION...]]
#       Without a session (or with COOKIE: an expired or tampered one) URL is
#       refused as withAuth refuses: a page with 307 to the sign-in page whose
#       callbackUrl is URL's path and query; an API with 401 application/json
#       {"message":"You must be logged in."}. --page / --api demand one of them.
#   assert_allows [--status N] URL CLAIMS|COOKIE [CURL-OPTION...]
#       With a session for CLAIMS, URL answers 200 (or N).
#   assert_refuses [--page|--api] URL CLAIMS|COOKIE [CURL-OPTION...]
#       With a valid session for CLAIMS, URL is still refused: 403
#       application/json {"message":"Forbidden"} (APIs), or the 307 to sign-in
#       (pages: withAuth answers an unauthorized page like a missing session,
#       so pair this with an assert_allows that proves the cookie is good).
#   assert_session URL CLAIMS|COOKIE [USER-JSON]
#       The session endpoint (e.g. /api/auth/session) answers 200 JSON
#       {"user":{…},"expires":"<ISO date>"} whose user has every member of
#       USER-JSON (default: name, email and image=picture, those the CLAIMS have).
#   assert_no_session URL [COOKIE]
#       The session endpoint answers 200 {} (no cookie, or a bad COOKIE).
#
# Database sessions (session.strategy "database": the cookie holds an opaque
# token, the session is a row of the Node app's adapter tables). These write
# those rows straight into the site's database, with the sqlite3 client
# (SQLite) or psql (PostgreSQL); every value and name is quoted (SQLite:
# '…'/"…" with the quote doubled; psql: its :'var' / :"var" variables), none
# is pasted into the SQL as it is. The assertions above take the cookies they
# print like any other.
#   NEXTAUTH_DATABASE_URL     the database, as the site's database.url:
#                             sqlite:/absolute/path.db, or a libpq URL or
#                             conninfo (postgresql://app:pw@db.internal/app);
#                             default: database.url of the NEXTAUTH_CONFIG file
#   NEXTAUTH_DATABASE_ADAPTER prisma, drizzle, pg (@auth/pg-adapter) or kysely;
#                             default: database.adapter of that file, else
#                             prisma. It fixes the table and column names as
#                             the guard has them ("Session"/"User",
#                             "session"/"user", sessions/users,
#                             "Session"/"User"; sessionToken, userId, expires,
#                             id, name, email, image); database.tables,
#                             database.columns, database.claims and
#                             session.maxAge of NEXTAUTH_CONFIG apply too.
#   NEXTAUTH_SQLITE3, NEXTAUTH_PSQL   the clients (default: on PATH)
#
#   nextauth_db_cookie [OPTIONS] CLAIMS
#       Add the user row of CLAIMS (a JSON object, as for nextauth_cookie; it
#       is updated when its id is there already): sub is the id (without sub:
#       a new UUID, or the database's own number for a SERIAL id), name and
#       email, picture goes to image, and any other member to the column that
#       database.claims maps it to, else to the column of its own name (e.g.
#       role). Then add a session row for that user with a new random token (a
#       UUID v4, as next-auth makes) expiring in session.maxAge seconds (30
#       days), and print its cookie "name=token". Prisma's createdAt and
#       updatedAt, and a session id column the database does not fill, are
#       set where the schema has them. OPTIONS: --secure, --plain, --name NAME,
#       --format F (the cookie name, as above), --max-age SECONDS, --token
#       TOKEN (this token instead of a new one), --form F (see below).
#   nextauth_db_expire COOKIE|TOKEN   set the session's expires an hour ago
#   nextauth_db_revoke COOKIE|TOKEN   delete the session row (as sign-out does)
#   nextauth_db_exists COOKIE|TOKEN   0: the session row is there; 1: it is
#                                     not; 2: the database could not be read
#   COOKIE is what nextauth_db_cookie printed. Each prints the reason on
#   stderr and returns 1 when the database refuses or no row has the token.
#   How expires (and Prisma's createdAt / updatedAt) is written: PostgreSQL
#   columns are typed, and get ISO 8601 UTC text (a timestamp without time
#   zone then holds UTC, as the adapters keep it). On SQLite, by adapter:
#   prisma 2026-01-31T00:00:00.000+00:00 (Prisma 7), kysely
#   2026-01-31T00:00:00.000Z, drizzle integer milliseconds; --form ms (Prisma
#   6 and older), iso (…Z), iso-offset (…+00:00) or space (2026-01-31
#   00:00:00.000) chooses one. nextauth_db_expire keeps the row's form.

# --- configuration -----------------------------------------------------------

_NEXTAUTH_HELPER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# _nextauth_bin — the nextauth-token program.
_nextauth_bin() {
    if [ -n "${NEXTAUTH_TOKEN_BIN-}" ]; then
        if [ ! -x "$NEXTAUTH_TOKEN_BIN" ]; then
            echo "nextauth.bash: NEXTAUTH_TOKEN_BIN=$NEXTAUTH_TOKEN_BIN is not an executable file" >&2
            return 1
        fi
        printf '%s' "$NEXTAUTH_TOKEN_BIN"
    elif command -v nextauth-token >/dev/null 2>&1; then
        command -v nextauth-token
    elif [ -x "$_NEXTAUTH_HELPER_DIR/../../bin/nextauth-token" ]; then
        printf '%s' "$_NEXTAUTH_HELPER_DIR/../../bin/nextauth-token"
    else
        echo "nextauth.bash: nextauth-token not found: put it on PATH or set NEXTAUTH_TOKEN_BIN" >&2
        return 1
    fi
}

_nextauth_format() {
    printf '%s' "${NEXTAUTH_FORMAT:-next-auth-v4}"
}

# _nextauth_secure [FORCE] — 0 (true) when __Secure- names are in use.
_nextauth_secure() {
    case ${1:-${NEXTAUTH_SECURE_COOKIE-}} in
    1 | true | yes) return 0 ;;
    0 | false | no) return 1 ;;
    esac
    case ${NEXTAUTH_URL-} in https://*) return 0 ;; esac
    return 1
}

# _nextauth_base — where requests go.
_nextauth_base() {
    local b=${NEXTAUTH_TEST_URL:-${NEXTAUTH_URL-}}
    printf '%s' "${b%/}"
}

# _nextauth_full URL — URL, or a path put after the base URL.
_nextauth_full() {
    case $1 in
    http://* | https://*) printf '%s' "$1" ;;
    /*)
        if [ -z "$(_nextauth_base)" ]; then
            echo "nextauth.bash: '$1' is a path: set NEXTAUTH_URL (or NEXTAUTH_TEST_URL)" >&2
            return 1
        fi
        printf '%s%s' "$(_nextauth_base)" "$1"
        ;;
    *)
        echo "nextauth.bash: '$1' is neither a URL nor a path" >&2
        return 1
        ;;
    esac
}

# --- cookies -------------------------------------------------------------------

# _nextauth_opts ARGS... — parse the cookie OPTIONS into _na_* variables; the
# rest (the CLAIMS) is left in _na_args.
_nextauth_opts() {
    _na_secure='' _na_name='' _na_format=$(_nextauth_format) _na_max_age='' _na_chunks=''
    _na_args=()
    while [ $# -gt 0 ]; do
        case $1 in
        --secure) _na_secure=1 ;;
        --plain) _na_secure=0 ;;
        --name | --format | --max-age | --chunks)
            if [ $# -lt 2 ]; then
                echo "nextauth.bash: $1 needs a value" >&2
                return 1
            fi
            case $1 in
            --name) _na_name=$2 ;;
            --format) _na_format=$2 ;;
            --max-age) _na_max_age=$2 ;;
            --chunks) _na_chunks=$2 ;;
            esac
            shift
            ;;
        --) shift; _na_args+=("$@"); break ;;
        *) _na_args+=("$1") ;;
        esac
        shift
    done
    if [ -n "$_na_chunks" ] && ! [[ $_na_chunks =~ ^[1-9][0-9]?$ ]]; then
        echo "nextauth.bash: --chunks wants a count from 1 to 99, not '$_na_chunks'" >&2
        return 1
    fi
    return 0
}

# _nextauth_name_now — the cookie name for the parsed options.
_nextauth_name_now() {
    if [ -n "$_na_name" ]; then
        printf '%s' "$_na_name"
    elif [ -n "${NEXTAUTH_COOKIE_NAME-}" ] && [ -z "$_na_secure" ]; then
        printf '%s' "$NEXTAUTH_COOKIE_NAME"
    else
        local base=next-auth.session-token
        [ "$_na_format" = authjs-v5 ] && base=authjs.session-token
        if _nextauth_secure "$_na_secure"; then
            printf '__Secure-%s' "$base"
        else
            printf '%s' "$base"
        fi
    fi
}

nextauth_cookie_name() {
    _nextauth_opts "$@" || return 1
    _nextauth_name_now
    echo
}

# _nextauth_mint MAX_AGE CLAIMS — the token for the parsed options.
_nextauth_mint() {
    local bin claims=$2
    local -a args=(encode --format "$_na_format")
    bin=$(_nextauth_bin) || return 1
    if [ -z "$claims" ] || [ "${claims:0:1}" != "{" ]; then
        echo "nextauth.bash: the claims must be a JSON object, e.g. '{\"email\":\"a@b.c\"}'" >&2
        return 1
    fi
    [ -n "$1" ] && args+=(--max-age "$1")
    # Auth.js v5 derives its key from the cookie name (the salt).
    [ "$_na_format" = authjs-v5 ] && args+=(--salt "$(_nextauth_name_now)")
    "$bin" "${args[@]}" "$claims"
}

# _nextauth_jar NAME TOKEN — the Cookie header value: NAME=TOKEN, or chunks.
_nextauth_jar() {
    local name=$1 tok=$2 size n i out=''
    size=3933
    [ "$_na_format" = authjs-v5 ] && size=3936
    if [ -n "$_na_chunks" ]; then
        n=$_na_chunks
        if [ "$n" -eq 1 ]; then
            printf '%s.0=%s\n' "$name" "$tok"
            return 0
        fi
        size=$(((${#tok} + n - 1) / n))
    elif [ "${#tok}" -le "$size" ]; then
        printf '%s=%s\n' "$name" "$tok"
        return 0
    else
        n=$(((${#tok} + size - 1) / size))
    fi
    for ((i = 0; i < n; i++)); do
        [ -n "$out" ] && out+='; '
        out+="$name.$i=${tok:i*size:size}"
    done
    printf '%s\n' "$out"
}

nextauth_token() {
    _nextauth_opts "$@" || return 1
    _nextauth_mint "$_na_max_age" "${_na_args[0]-}"
}

nextauth_cookie() {
    local tok
    _nextauth_opts "$@" || return 1
    tok=$(_nextauth_mint "$_na_max_age" "${_na_args[0]-}") || return 1
    _nextauth_jar "$(_nextauth_name_now)" "$tok"
}

nextauth_expired_cookie() {
    local tok
    _nextauth_opts "$@" || return 1
    tok=$(_nextauth_mint -3600 "${_na_args[0]-}") || return 1
    _nextauth_jar "$(_nextauth_name_now)" "$tok"
}

nextauth_tampered_cookie() {
    local tok last head c
    _nextauth_opts "$@" || return 1
    tok=$(_nextauth_mint "$_na_max_age" "${_na_args[0]-}") || return 1
    # The first character of the last segment (JWE tag, JWS signature) carries
    # six full bits: any other letter is still canonical base64url.
    last=${tok##*.}
    head=${tok%.*}
    c=A
    [ "${last:0:1}" = A ] && c=B
    _nextauth_jar "$(_nextauth_name_now)" "$head.$c${last:1}"
}

# --- requests ------------------------------------------------------------------

nextauth_request() {
    local cookie='' url tmp rc=0
    local -a opts=()
    if [ "${1-}" = --cookie ]; then
        cookie=$2
        shift 2
    fi
    nextauth_url=${1-}
    nextauth_cookie_sent=$cookie
    nextauth_status=000
    nextauth_headers=''
    nextauth_body=''
    nextauth_location=''
    nextauth_content_type=''
    nextauth_curl_error=''
    if ! url=$(_nextauth_full "${1-}" 2>&1); then
        nextauth_curl_error=$url
        return 1
    fi
    shift
    # shellcheck disable=SC2206 # split on purpose
    [ -n "${NEXTAUTH_CURL_OPTS-}" ] && opts=($NEXTAUTH_CURL_OPTS)
    [ -n "$cookie" ] && opts+=(-H "Cookie: $cookie")
    tmp=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/nextauth-req.XXXXXX") || return 1
    curl -sS --max-time "${NEXTAUTH_CURL_TIMEOUT:-10}" -D "$tmp/h" -o "$tmp/b" \
        "${opts[@]}" "$@" "$url" 2>"$tmp/e" || rc=$?
    nextauth_url=$url
    if [ "$rc" -ne 0 ]; then
        nextauth_curl_error=$(<"$tmp/e")
        rm -rf "$tmp"
        return 1
    fi
    # The last header block (a 100 Continue may come first).
    nextauth_headers=$(tr -d '\r' <"$tmp/h" | awk '/^HTTP\//{b=""} {b=b $0 "\n"} END{printf "%s", b}')
    nextauth_body=$(<"$tmp/b")
    rm -rf "$tmp"
    nextauth_status=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' <<<"$nextauth_headers")
    nextauth_location=$(nextauth_header Location) || nextauth_location=""
    nextauth_content_type=$(nextauth_header Content-Type) || nextauth_content_type=""
    return 0
}

nextauth_header() {
    local name=${1,,} line key
    while IFS= read -r line; do
        key=${line%%:*}
        if [ "$key" != "$line" ] && [ "${key,,}" = "$name" ]; then
            line=${line#*:}
            line=${line# }
            printf '%s\n' "$line"
            return 0
        fi
    done <<<"$nextauth_headers"
    return 1
}

# --- assertions ------------------------------------------------------------------

# _nextauth_fail WHAT EXPECTED — the failure report of the last request.
_nextauth_fail() {
    local sent=none body
    if [ -n "${nextauth_cookie_sent-}" ]; then
        sent=$(tr ';' '\n' <<<"$nextauth_cookie_sent" | sed -E 's/^ *([^=]*)=(.*)/\1/' | paste -sd ' ')
        sent="$sent (${#nextauth_cookie_sent} bytes)"
    fi
    body=${nextauth_body:0:600}
    [ "${#nextauth_body}" -gt 600 ] && body+="… (${#nextauth_body} bytes)"
    {
        printf '%s: GET %s\n' "$1" "${nextauth_url-}"
        printf '  cookie sent: %s\n' "$sent"
        printf '  expected: %s\n' "$2"
        if [ "${nextauth_status-000}" = 000 ]; then
            printf '  got: no answer (%s)\n' "${nextauth_curl_error:-?}"
        else
            printf '  got: status %s\n' "$nextauth_status"
            printf -- '-- headers:\n'
            # Cookie values are tokens: show their length only.
            awk '{
                if (tolower(substr($0, 1, 11)) == "set-cookie:" && (i = index($0, "=")) > 0) {
                    rest = substr($0, i + 1); j = index(rest, ";")
                    v = j ? substr(rest, 1, j - 1) : rest; tail = j ? substr(rest, j) : ""
                    $0 = substr($0, 1, i) "<" length(v) " bytes>" tail
                }
                print "   " $0
            }' <<<"$nextauth_headers"
            printf -- '-- body:\n%s\n--\n' "$body"
        fi
    } >&2
    return 1
}

# _nextauth_cookie_arg ARG — ARG as a Cookie header value (claims are minted).
_nextauth_cookie_arg() {
    case $1 in
    '{'*) nextauth_cookie "$1" ;;
    *) printf '%s\n' "$1" ;;
    esac
}

# _nextauth_json_is TEXT JSON — TEXT is JSON equal to JSON.
_nextauth_json_is() {
    jq -e --argjson want "$2" '. == $want' <<<"$1" >/dev/null 2>&1
}

_nextauth_is_json_type() {
    case $nextauth_content_type in application/json | application/json\;*) return 0 ;; esac
    return 1
}

# _nextauth_urldecode TEXT — form decoding (+ is a space).
_nextauth_urldecode() {
    local s=${1//+/ }
    s=${s//\\/\\\\}
    printf '%b' "${s//%/\\x}"
}

# _nextauth_signin_ok URL — the last answer is the 307 to the sign-in page for
# URL: Location = [origin]<sign-in path>?callbackUrl=<URL's path and query>.
_nextauth_signin_ok() {
    local signin=${NEXTAUTH_SIGNIN_PATH:-/api/auth/signin} loc=$nextauth_location
    local origin want q cb
    [ "$nextauth_status" = 307 ] || return 1
    origin=$(sed -E 's#^(https?://[^/]*).*#\1#' <<<"${NEXTAUTH_URL-}")
    case $loc in
    "$origin$signin?"*) q=${loc#"$origin$signin?"} ;;
    "$signin?"*) q=${loc#"$signin?"} ;;
    *) return 1 ;;
    esac
    want=$(sed -E 's#^https?://[^/]*##' <<<"$1")
    want=${want%%#*}
    [ -n "$want" ] || want=/
    cb=$(tr '&' '\n' <<<"$q" | sed -n 's/^callbackUrl=//p' | head -n 1)
    [ "$(_nextauth_urldecode "$cb")" = "$want" ]
}

_nextauth_401_ok() {
    [ "$nextauth_status" = 401 ] && _nextauth_is_json_type &&
        _nextauth_json_is "$nextauth_body" '{"message":"You must be logged in."}'
}

_nextauth_403_ok() {
    [ "$nextauth_status" = 403 ] && _nextauth_is_json_type &&
        _nextauth_json_is "$nextauth_body" '{"message":"Forbidden"}'
}

assert_guarded() {
    local kind='' url cookie='' want
    case ${1-} in --page | --api) kind=$1; shift ;; esac
    url=${1-}
    [ $# -ge 2 ] && cookie=$2
    shift 2 2>/dev/null || shift $#
    nextauth_request --cookie "$cookie" "$url" "$@" ||
        { _nextauth_fail assert_guarded "an answer"; return 1; }
    local signin="307 to ${NEXTAUTH_SIGNIN_PATH:-/api/auth/signin}?callbackUrl=<path and query of $url>"
    local api='401 application/json {"message":"You must be logged in."}'
    case $kind in
    --page) want=$signin; _nextauth_signin_ok "$nextauth_url" && return 0 ;;
    --api) want=$api; _nextauth_401_ok && return 0 ;;
    *)
        want="$signin, or $api"
        _nextauth_signin_ok "$nextauth_url" && return 0
        _nextauth_401_ok && return 0
        ;;
    esac
    _nextauth_fail assert_guarded "$want"
}

assert_allows() {
    local want=200 url cookie
    if [ "${1-}" = --status ]; then
        want=$2
        shift 2
    fi
    url=${1-}
    cookie=$(_nextauth_cookie_arg "${2-}") || return 1
    shift 2 2>/dev/null || shift $#
    nextauth_request --cookie "$cookie" "$url" "$@" ||
        { _nextauth_fail assert_allows "status $want"; return 1; }
    [ "$nextauth_status" = "$want" ] && return 0
    _nextauth_fail assert_allows "status $want"
}

assert_refuses() {
    local kind='' url cookie want
    case ${1-} in --page | --api) kind=$1; shift ;; esac
    url=${1-}
    cookie=$(_nextauth_cookie_arg "${2-}") || return 1
    shift 2 2>/dev/null || shift $#
    nextauth_request --cookie "$cookie" "$url" "$@" ||
        { _nextauth_fail assert_refuses "an answer"; return 1; }
    local signin="307 to ${NEXTAUTH_SIGNIN_PATH:-/api/auth/signin}?callbackUrl=<path and query of $url>"
    local api='403 application/json {"message":"Forbidden"}'
    case $kind in
    --page) want=$signin; _nextauth_signin_ok "$nextauth_url" && return 0 ;;
    --api) want=$api; _nextauth_403_ok && return 0 ;;
    *)
        want="$api, or $signin"
        _nextauth_403_ok && return 0
        _nextauth_signin_ok "$nextauth_url" && return 0
        ;;
    esac
    _nextauth_fail assert_refuses "$want"
}

assert_session() {
    local url=${1-} arg=${2-} user=${3-} cookie want
    cookie=$(_nextauth_cookie_arg "$arg") || return 1
    if [ -z "$user" ]; then
        if [ "${arg:0:1}" = "{" ]; then
            user=$(jq -c '{name, email, image: .picture} | with_entries(select(.value != null))' \
                <<<"$arg") || return 1
        else
            user='{}'
        fi
    fi
    want="200 application/json {\"user\":<with $user>,\"expires\":\"<ISO date>\"}"
    nextauth_request --cookie "$cookie" "$url" || { _nextauth_fail assert_session "$want"; return 1; }
    if [ "$nextauth_status" = 200 ] && _nextauth_is_json_type &&
        jq -e --argjson u "$user" '
            . as $s
            | ($s.user | type) == "object"
              and ($s.expires | type) == "string"
              and ($s.expires | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$"))
              and ($u | to_entries | all(.value == $s.user[.key]))
        ' <<<"$nextauth_body" >/dev/null 2>&1; then
        return 0
    fi
    _nextauth_fail assert_session "$want"
}

assert_no_session() {
    local url=${1-} cookie=${2-}
    nextauth_request --cookie "$cookie" "$url" ||
        { _nextauth_fail assert_no_session '200 application/json {}'; return 1; }
    if [ "$nextauth_status" = 200 ] && _nextauth_is_json_type &&
        _nextauth_json_is "$nextauth_body" '{}'; then
        return 0
    fi
    _nextauth_fail assert_no_session '200 application/json {}'
}

# --- database sessions -----------------------------------------------------------

# _nextauth_db_conf — the database and its names, into _na_db_*: kind (sqlite
# or pg), url (libpq) or path (SQLite), adapter, the table and column names
# (store.c's presets, with the config file's database.tables / .columns over
# them), claims (database.claims, JSON) and max_age (session.maxAge).
_nextauth_db_conf() {
    local cfg='{}'
    local -a n
    if [ -n "${NEXTAUTH_CONFIG-}" ]; then
        if ! cfg=$(jq -ce '{database: (.database // {}), maxAge: .session.maxAge}' \
            "$NEXTAUTH_CONFIG" 2>/dev/null); then
            echo "nextauth.bash: NEXTAUTH_CONFIG=$NEXTAUTH_CONFIG is not a readable JSON config" >&2
            return 1
        fi
    fi
    # url, adapter, maxAge, claims, then the names: session table, user table,
    # token, userId, expires, updatedAt, id, name, email, image (NUL after each)
    mapfile -d '' n < <(jq -j --arg url "${NEXTAUTH_DATABASE_URL-}" \
        --arg adapter "${NEXTAUTH_DATABASE_ADAPTER-}" '
        .database as $d
        | (if $adapter != "" then $adapter else ($d.adapter // "prisma") end) as $a
        | ({prisma: ["Session", "User"], drizzle: ["session", "user"],
            pg: ["sessions", "users"], kysely: ["Session", "User"]}[$a] // ["", ""]) as $t
        | [(if $url != "" then $url else ($d.url // "") end), $a, (.maxAge // 2592000 | tostring),
           ($d.claims // {} | tojson),
           ($d.tables.session // $t[0]), ($d.tables.user // $t[1]),
           ($d.columns.sessionToken // "sessionToken"), ($d.columns.userId // "userId"),
           ($d.columns.expires // "expires"),
           ($d.columns.updatedAt // (if $a == "prisma" then "updatedAt" else "" end)),
           ($d.columns.id // "id"), ($d.columns.name // "name"),
           ($d.columns.email // "email"), ($d.columns.image // "image")]
        | .[] | (tostring, "\u0000")' <<<"$cfg")
    if [ "${#n[@]}" -ne 14 ]; then
        echo "nextauth.bash: database.tables / database.columns / database.claims of NEXTAUTH_CONFIG are not what they should be" >&2
        return 1
    fi
    _na_db_url=${n[0]} _na_db_adapter=${n[1]} _na_db_max_age=${n[2]} _na_db_claims=${n[3]}
    _na_db_t_session=${n[4]} _na_db_t_user=${n[5]} _na_db_c_token=${n[6]} _na_db_c_user=${n[7]}
    _na_db_c_expires=${n[8]} _na_db_c_updated=${n[9]} _na_db_c_id=${n[10]} _na_db_c_name=${n[11]}
    _na_db_c_email=${n[12]} _na_db_c_image=${n[13]}
    if [ -z "$_na_db_url" ]; then
        echo "nextauth.bash: no database: set NEXTAUTH_DATABASE_URL (sqlite:/path.db or a PostgreSQL URL), or database.url in NEXTAUTH_CONFIG" >&2
        return 1
    fi
    case $_na_db_adapter in
    prisma | drizzle | pg | kysely) ;;
    *)
        echo "nextauth.bash: unknown database adapter '$_na_db_adapter' (prisma, drizzle, pg or kysely)" >&2
        return 1
        ;;
    esac
    case $_na_db_url in
    sqlite:*)
        _na_db_kind=sqlite _na_db_path=${_na_db_url#sqlite:}
        _na_db_client=${NEXTAUTH_SQLITE3:-sqlite3}
        ;;
    *) _na_db_kind=pg _na_db_path='' _na_db_client=${NEXTAUTH_PSQL:-psql} ;;
    esac
    if ! command -v "$_na_db_client" >/dev/null 2>&1; then
        echo "nextauth.bash: $_na_db_client is not installed (needed for $_na_db_kind database sessions)" >&2
        return 1
    fi
    _na_db_sql='' _na_db_vars=() _na_db_n=0
}

# _nextauth_db_i NAME — append NAME to _na_db_sql as a quoted identifier.
# _nextauth_db_v VALUE — append VALUE as a quoted string literal.
# SQLite: "…" and '…' with the quote doubled. PostgreSQL: psql variables
# (:"iN", :'vN'), which psql quotes with libpq's escaping for the connection's
# encoding.
_nextauth_db_i() {
    if [ "$_na_db_kind" = sqlite ]; then
        _na_db_sql+="\"${1//\"/\"\"}\""
    else
        _na_db_n=$((_na_db_n + 1))
        _na_db_vars+=(-v "i$_na_db_n=$1")
        _na_db_sql+=":\"i$_na_db_n\""
    fi
}

_nextauth_db_v() {
    if [ "$_na_db_kind" = sqlite ]; then
        _na_db_sql+="'${1//\'/\'\'}'"
    else
        _na_db_n=$((_na_db_n + 1))
        _na_db_vars+=(-v "v$_na_db_n=$1")
        _na_db_sql+=":'v$_na_db_n'"
    fi
}

_nextauth_db_raw() { _na_db_sql+=$1; }

# _nextauth_db_run — run _na_db_sql (then empty it): one transaction, output
# on stdout (tab-separated, no headers), the client's error on stderr.
_nextauth_db_run() {
    local sql=$_na_db_sql rc=0
    local -a vars=("${_na_db_vars[@]}")
    _na_db_sql='' _na_db_vars=() _na_db_n=0
    if [ "$_na_db_kind" = sqlite ]; then
        "$_na_db_client" -init /dev/null -batch -bail -noheader -list -separator $'\t' \
            -cmd '.timeout 5000' "$_na_db_path" <<<"$sql" || rc=$?
    else
        "$_na_db_client" -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 "${vars[@]}" \
            -d "$_na_db_url" <<<"$sql" || rc=$?
    fi
    [ "$rc" -eq 0 ] && return 0
    echo "nextauth.bash: the database refused the statement ($_na_db_client exited $rc)" >&2
    return 1
}

# _nextauth_db_columns — the columns of the user and the session tables, one
# a line: "user" or "session", a tab, the name, a tab, then its state:
# "required" (NOT NULL, no default), "default" (the database fills it: a
# default, SERIAL, identity, SQLite's INTEGER PRIMARY KEY) or "optional"
# (nullable). No line for a table that is not there.
_nextauth_db_columns() {
    local t which
    for which in user session; do
        [ "$which" = user ] && t=$_na_db_t_user || t=$_na_db_t_session
        [ "$which" = session ] && _nextauth_db_raw ' UNION ALL '
        if [ "$_na_db_kind" = sqlite ]; then
            _nextauth_db_raw "SELECT '$which', name, CASE WHEN dflt_value IS NOT NULL OR (pk = 1 AND upper(type) = 'INTEGER') THEN 'default' WHEN \"notnull\" THEN 'required' ELSE 'optional' END FROM pragma_table_info("
            _nextauth_db_v "$t"
            _nextauth_db_raw ')'
        else
            _nextauth_db_raw "SELECT '$which', attname, CASE WHEN atthasdef OR attidentity <> '' THEN 'default' WHEN attnotnull THEN 'required' ELSE 'optional' END FROM pg_attribute WHERE attrelid = to_regclass(quote_ident("
            _nextauth_db_v "$t"
            _nextauth_db_raw ')) AND attnum > 0 AND NOT attisdropped'
        fi
    done
    _nextauth_db_raw ';'
    _nextauth_db_run
}

# _nextauth_db_state TABLE NAME — the state of column NAME of TABLE (user or
# session) in _na_db_cols (_nextauth_db_columns), into _na_db_st; 1: no such
# column.
_nextauth_db_state() {
    local line
    _na_db_st=''
    [ -n "$2" ] || return 1
    while IFS= read -r line; do
        if [ "${line%$'\t'*}" = "$1"$'\t'"$2" ]; then
            _na_db_st=${line##*$'\t'}
            return 0
        fi
    done <<<"$_na_db_cols"
    return 1
}

# _nextauth_db_uuid — a random UUID v4 (next-auth's crypto.randomUUID()),
# into _na_db_uuid.
_nextauth_db_uuid() {
    local h=''
    if [ -r /proc/sys/kernel/random/uuid ]; then
        read -r _na_db_uuid </proc/sys/kernel/random/uuid && return 0
    fi
    h=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    [ "${#h}" -eq 32 ] || { echo "nextauth.bash: /dev/urandom gave no bytes" >&2; return 1; }
    printf -v _na_db_uuid '%s-%s-4%s-%x%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" \
        $(((16#${h:16:1} & 3) | 8)) "${h:17:3}" "${h:20:12}"
}

# _nextauth_db_now — the time in ms since the epoch, into _na_db_now.
_nextauth_db_now() {
    if [ -n "${EPOCHREALTIME-}" ]; then
        _na_db_now=${EPOCHREALTIME/[.,]/}
        _na_db_now=$((10#$_na_db_now / 1000))
    else
        _na_db_now=$(date +%s%3N)
    fi
}

# _nextauth_db_time MS FORM — MS (ms since the epoch) as FORM stores it, into
# _na_db_time.
_nextauth_db_time() {
    local s=$(($1 / 1000)) ms=$(($1 % 1000)) d
    if [ "$ms" -lt 0 ]; then
        s=$((s - 1)) ms=$((ms + 1000))
    fi
    case $2 in
    ms) _na_db_time=$1; return 0 ;;
    space) TZ=UTC0 printf -v d '%(%Y-%m-%d %H:%M:%S)T' "$s" ;;
    *) TZ=UTC0 printf -v d '%(%Y-%m-%dT%H:%M:%S)T' "$s" ;;
    esac
    case $2 in
    iso) printf -v _na_db_time '%s.%03dZ' "$d" "$ms" ;;
    iso-offset) printf -v _na_db_time '%s.%03d+00:00' "$d" "$ms" ;;
    *) printf -v _na_db_time '%s.%03d' "$d" "$ms" ;;
    esac
}

# _nextauth_db_put MS FORM — append a time as a value (an integer for ms).
_nextauth_db_put() {
    _nextauth_db_time "$1" "$2"
    if [ "$2" = ms ]; then
        _nextauth_db_raw "$_na_db_time"
    else
        _nextauth_db_v "$_na_db_time"
    fi
}

# _nextauth_db_token ARG — the token of a cookie ("name=token", as
# nextauth_db_cookie prints it) or the token itself.
_nextauth_db_token() {
    local name=${1%%=*}
    if [ "$name" != "$1" ] &&
        { [[ $name =~ ^(__Secure-|__Host-)?(next-auth|authjs)\.session-token$ ]] ||
            [ "$name" = "${NEXTAUTH_COOKIE_NAME-}" ]; }; then
        printf '%s' "${1#*=}"
    else
        printf '%s' "$1"
    fi
}

# _nextauth_db_where TOKEN — append "WHERE <token column> = <TOKEN>".
_nextauth_db_where() {
    _nextauth_db_raw ' WHERE '
    _nextauth_db_i "$_na_db_c_token"
    _nextauth_db_raw ' = '
    _nextauth_db_v "$1"
}

nextauth_db_cookie() {
    local form='' tok='' now exp uid='' k v sets='' id_default='' claims
    local -a rest=() parts=() ucols=() ukinds=() uvals=() extra=()
    while [ $# -gt 0 ]; do
        case $1 in
        --token | --form)
            if [ $# -lt 2 ]; then
                echo "nextauth.bash: $1 needs a value" >&2
                return 1
            fi
            [ "$1" = --token ] && tok=$2 || form=$2
            shift 2
            ;;
        *) rest+=("$1"); shift ;;
        esac
    done
    _nextauth_opts "${rest[@]}" || return 1
    _nextauth_db_conf || return 1
    claims=${_na_args[0]-}
    if [ -n "$_na_chunks" ]; then
        echo "nextauth.bash: a database session cookie is never chunked (no --chunks)" >&2
        return 1
    fi
    if [ -n "$_na_max_age" ] && ! [[ $_na_max_age =~ ^-?[0-9]{1,10}$ ]]; then
        echo "nextauth.bash: --max-age wants a number of seconds, not '$_na_max_age'" >&2
        return 1
    fi
    if [ -z "$form" ]; then
        form=iso
        if [ "$_na_db_kind" = sqlite ]; then
            case $_na_db_adapter in
            prisma) form=iso-offset ;;
            drizzle) form=ms ;;
            esac
        fi
    fi
    case $form in
    ms | iso | iso-offset | space) ;;
    *)
        echo "nextauth.bash: --form is ms, iso, iso-offset or space, not '$form'" >&2
        return 1
        ;;
    esac
    if [ "$_na_db_kind" = pg ] && [ "$form" != iso ]; then
        echo "nextauth.bash: --form is for SQLite: PostgreSQL's columns are typed" >&2
        return 1
    fi
    if [ -z "$tok" ]; then
        _nextauth_db_uuid || return 1
        tok=$_na_db_uuid
    fi
    _nextauth_db_now
    now=$_na_db_now
    exp=$((now + ${_na_max_age:-$_na_db_max_age} * 1000))

    # The user's columns and values: sub → id, name, email, picture → image,
    # any other claim → the column database.claims maps it to, or its own
    # name. After "ok": column, kind (s text, n number, b true/false, z
    # null), value; a NUL after each.
    mapfile -d '' parts < <(jq -j \
        --arg id "$_na_db_c_id" --arg name "$_na_db_c_name" --arg email "$_na_db_c_email" \
        --arg image "$_na_db_c_image" --argjson map "$_na_db_claims" '
        if type != "object" or ([.. | strings, (objects | keys[]) | test("\u0000")] | any)
        then empty else
          "ok", (to_entries[]
          | (if .key == "sub" then $id elif .key == "name" then $name
             elif .key == "email" then $email elif .key == "picture" then $image
             else ($map[.key] // .key) end) as $col
          | .value as $v
          | ($v | type) as $t
          | if $t == "string" then [$col, "s", $v]
            elif $t == "number" then [$col, "n", ($v | tostring)]
            elif $t == "boolean" then [$col, "b", ($v | tostring)]
            elif $t == "null" then [$col, "z", ""]
            else [$col, "s", ($v | tojson)] end
          | .[])
        end
        | (., "\u0000")' <<<"$claims" 2>/dev/null)
    if [ "${parts[0]-}" != ok ]; then
        echo "nextauth.bash: the claims must be a JSON object (no NUL characters), e.g. '{\"sub\":\"1\",\"email\":\"a@b.c\"}'" >&2
        return 1
    fi
    _na_db_cols=$(_nextauth_db_columns) || return 1
    if ! grep -q '^user' <<<"$_na_db_cols" || ! grep -q '^session' <<<"$_na_db_cols"; then
        echo "nextauth.bash: the $_na_db_kind database has no table \"$_na_db_t_user\" or \"$_na_db_t_session\" (adapter $_na_db_adapter)" >&2
        return 1
    fi

    # The user row: inserted, or updated when its id is there already.
    for ((k = 1; k + 2 < ${#parts[@]}; k += 3)); do
        ucols+=("${parts[k]}") ukinds+=("${parts[k + 1]}") uvals+=("${parts[k + 2]}")
        [ "${parts[k]}" = "$_na_db_c_id" ] && uid=${parts[k + 2]}
    done
    if [ -z "$uid" ]; then
        _nextauth_db_state user "$_na_db_c_id"
        if [ "$_na_db_st" = default ]; then
            id_default=1 # the database numbers it (SERIAL, INTEGER PRIMARY KEY)
        else
            _nextauth_db_uuid || return 1
            uid=$_na_db_uuid
            ucols+=("$_na_db_c_id") ukinds+=(s) uvals+=("$uid")
        fi
    fi
    # Prisma's createdAt / updatedAt: Prisma Client sets them, not the database.
    for k in createdAt updatedAt; do
        if _nextauth_db_state user "$k" && ! printf '%s\n' "${ucols[@]}" | grep -qxF -- "$k"; then
            ucols+=("$k") ukinds+=(t) uvals+=("$now")
        fi
    done

    if [ "$_na_db_kind" = sqlite ]; then
        _nextauth_db_raw $'BEGIN IMMEDIATE;\nINSERT INTO '
    else
        _nextauth_db_raw $'BEGIN;\nINSERT INTO '
    fi
    _nextauth_db_i "$_na_db_t_user"
    _nextauth_db_raw ' ('
    for ((k = 0; k < ${#ucols[@]}; k++)); do
        [ "$k" -gt 0 ] && _nextauth_db_raw ', '
        _nextauth_db_i "${ucols[k]}"
    done
    _nextauth_db_raw ') VALUES ('
    for ((k = 0; k < ${#ucols[@]}; k++)); do
        [ "$k" -gt 0 ] && _nextauth_db_raw ', '
        v=${uvals[k]}
        case ${ukinds[k]}/$_na_db_kind in
        s/* | n/pg | b/pg) _nextauth_db_v "$v" ;;
        n/sqlite) _nextauth_db_raw "$v" ;; # jq printed it: a JSON number
        b/sqlite) [ "$v" = true ] && _nextauth_db_raw 1 || _nextauth_db_raw 0 ;;
        z/*) _nextauth_db_raw NULL ;;
        t/*) _nextauth_db_put "$v" "$form" ;;
        esac
    done
    _nextauth_db_raw ')'
    if [ -z "$id_default" ]; then
        _nextauth_db_raw ' ON CONFLICT ('
        _nextauth_db_i "$_na_db_c_id"
        _nextauth_db_raw ') DO '
        for ((k = 0; k < ${#ucols[@]}; k++)); do
            [ "${ucols[k]}" = "$_na_db_c_id" ] || [ "${ucols[k]}" = createdAt ] && continue
            if [ -z "$sets" ]; then
                _nextauth_db_raw 'UPDATE SET '
                sets=1
            else
                _nextauth_db_raw ', '
            fi
            _nextauth_db_i "${ucols[k]}"
            _nextauth_db_raw ' = excluded.'
            _nextauth_db_i "${ucols[k]}"
        done
        [ -z "$sets" ] && _nextauth_db_raw 'NOTHING'
        _nextauth_db_raw $';\n'
    elif [ "$_na_db_kind" = pg ]; then
        _nextauth_db_raw ' RETURNING '
        _nextauth_db_i "$_na_db_c_id"
        _nextauth_db_raw $' AS na_uid \\gset\n'
    else
        _nextauth_db_raw $';\n'
    fi

    # The session row, with Prisma's id, createdAt and updatedAt where the
    # schema has them.
    _nextauth_db_state session id && [ "$_na_db_st" = required ] && extra+=(id)
    for k in createdAt "$_na_db_c_updated"; do
        _nextauth_db_state session "$k" && extra+=("$k")
    done
    _nextauth_db_raw 'INSERT INTO '
    _nextauth_db_i "$_na_db_t_session"
    _nextauth_db_raw ' ('
    for k in "$_na_db_c_token" "$_na_db_c_user" "$_na_db_c_expires" "${extra[@]}"; do
        [ "$k" != "$_na_db_c_token" ] && _nextauth_db_raw ', '
        _nextauth_db_i "$k"
    done
    _nextauth_db_raw ') VALUES ('
    _nextauth_db_v "$tok"
    _nextauth_db_raw ', '
    if [ -z "$id_default" ]; then
        _nextauth_db_v "$uid"
    elif [ "$_na_db_kind" = pg ]; then
        _nextauth_db_raw ":'na_uid'"
    else
        _nextauth_db_raw '(SELECT '
        _nextauth_db_i "$_na_db_c_id"
        _nextauth_db_raw ' FROM '
        _nextauth_db_i "$_na_db_t_user"
        _nextauth_db_raw ' WHERE rowid = last_insert_rowid())'
    fi
    _nextauth_db_raw ', '
    _nextauth_db_put "$exp" "$form"
    for k in "${extra[@]}"; do
        _nextauth_db_raw ', '
        if [ "$k" = id ]; then
            _nextauth_db_uuid || return 1
            _nextauth_db_v "$_na_db_uuid"
        else
            _nextauth_db_put "$now" "$form"
        fi
    done
    _nextauth_db_raw $');\nCOMMIT;\n'
    _nextauth_db_run >/dev/null || return 1
    printf '%s=%s\n' "$(_nextauth_name_now)" "$tok"
}

# _nextauth_db_touch TOKEN WHAT — append the WHERE clause for TOKEN to the
# UPDATE or DELETE in _na_db_sql, run it; 0 when it touched a row, else 1 (with
# "WHAT: no session row has that token" on stderr when WHAT is given).
_nextauth_db_touch() {
    local n
    if [ "$_na_db_kind" = pg ]; then
        _na_db_sql="WITH touched AS ($_na_db_sql"
        _nextauth_db_where "$1"
        _nextauth_db_raw ' RETURNING 1) SELECT count(*) FROM touched;'
    else
        _nextauth_db_where "$1"
        _nextauth_db_raw '; SELECT changes();'
    fi
    n=$(_nextauth_db_run) || return 1
    n=$(tail -n 1 <<<"$n")
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] && return 0
    [ -n "$2" ] && echo "$2: no session row has that token" >&2
    return 1
}

nextauth_db_expire() {
    local tok v form=iso when
    _nextauth_db_conf || return 1
    tok=$(_nextauth_db_token "${1-}")
    _nextauth_db_now
    when=$((_na_db_now - 3600000))
    if [ "$_na_db_kind" = sqlite ]; then
        # Keep the row's form (as the session store does when it writes).
        _nextauth_db_raw 'SELECT typeof('
        _nextauth_db_i "$_na_db_c_expires"
        _nextauth_db_raw '), '
        _nextauth_db_i "$_na_db_c_expires"
        _nextauth_db_raw ' FROM '
        _nextauth_db_i "$_na_db_t_session"
        _nextauth_db_where "$tok"
        _nextauth_db_raw ';'
        v=$(_nextauth_db_run) || return 1
        case $v in
        '') echo "nextauth_db_expire: no session row has that token" >&2; return 1 ;;
        integer$'\t'*) form=ms ;;
        *Z) form=iso ;;
        *[+-][0-9][0-9]:[0-9][0-9]) form=iso-offset ;;
        text$'\t'*' '*) form=space ;;
        esac
    fi
    _nextauth_db_raw 'UPDATE '
    _nextauth_db_i "$_na_db_t_session"
    _nextauth_db_raw ' SET '
    _nextauth_db_i "$_na_db_c_expires"
    _nextauth_db_raw ' = '
    _nextauth_db_put "$when" "$form"
    _nextauth_db_touch "$tok" nextauth_db_expire
}

nextauth_db_revoke() {
    local tok
    _nextauth_db_conf || return 1
    tok=$(_nextauth_db_token "${1-}")
    _nextauth_db_raw 'DELETE FROM '
    _nextauth_db_i "$_na_db_t_session"
    _nextauth_db_touch "$tok" nextauth_db_revoke
}

nextauth_db_exists() {
    local tok v
    _nextauth_db_conf || return 2
    tok=$(_nextauth_db_token "${1-}")
    _nextauth_db_raw 'SELECT count(*) FROM '
    _nextauth_db_i "$_na_db_t_session"
    _nextauth_db_where "$tok"
    _nextauth_db_raw ';'
    v=$(_nextauth_db_run) || return 2
    [ "$v" != 0 ]
}
