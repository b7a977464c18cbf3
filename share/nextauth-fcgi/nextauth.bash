# SPDX-License-Identifier: MIT
# nextauth.bash — bats helpers for testing a site guarded by nextauth-fcgi (or
# any site that checks NextAuth.js session cookies): mint session cookies with
# the site's secret, and assert what each URL answers with and without them.
# Pure bash; needs curl, jq and nextauth-token.
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
