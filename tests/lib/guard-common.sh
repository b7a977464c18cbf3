# SPDX-License-Identifier: MIT
# tests/lib/guard-common.sh — what the guard's server suites share: fixtures,
# processes, cookies, requests and assertions (the checks themselves are in
# tests/lib/guard-checks.sh). Source it after bats' `load helpers` (it uses
# REPO_ROOT and _fail); it sources server.sh.
#
# Suites:
#   gc_need_tools SUITE COMMAND...   fails, naming the first one missing, when
#       a COMMAND is not installed (for setup_file).
#   gc_need_module SUITE MAKE-TARGET MODULE [PROGRAM]   fails, saying what to
#       build, when the server module MODULE (`make MAKE-TARGET`) or the
#       program PROGRAM (`make`) is not there (for setup_file).
#   gc_stop_each FN     FN DIR for each DIR under BATS_FILE_TMPDIR with a run/
#       (for teardown_file: every server a file started).
#   gc_dump_failed FILE...   in teardown: the FILEs (srv_dump) when the test
#       failed.
# Fixtures:
#   gc_setup_root DIR   DIR/www from tests/fixtures/www, with the env-printing
#                       CGI tests/fixtures/env.cgi copied to www/app/env.cgi,
#                       www/admin/, www/api/, www/api/auth/ and www/public/;
#                       DIR/run, DIR/logs; DIR/guard.json (gc_write_config).
#   gc_write_config FILE [URL [SECRET]]   the guard's test configuration (below).
# Processes:
#   gc_free_port        a free loopback TCP port (srv_free_port).
#   gc_spawn DIR NAME SOCKET N PROGRAM [ARG...] — run PROGRAM under spawn-fcgi
#       on the unix socket SOCKET with N processes, with exactly the
#       environment in the array GC_SPAWN_ENV (VAR=VALUE words) plus PATH; pid
#       file DIR/run/NAME.pid (one pid a line). Fails when not all N are alive.
#   gc_spawn_stop DIR NAME — stop every pid of that pid file (SIGTERM, wait).
# Cookies:
#   gc_mint VAR CLAIMS [ENCODE-OPTION...]   VAR=a v4 token for CLAIMS minted
#       with GC_SECRET by bin/nextauth-token encode.
#   gc_cookie TOKEN           the Cookie header value for a one-cookie session.
#   gc_chunked_cookie TOKEN   the Cookie header value with TOKEN cut into
#       next-auth's 3933-byte chunks (.0, .1, …; docs/behaviour.md, Writing cookies).
# HTTP (curl; every request bounded by --max-time):
#   gc_get URL [CURL-OPTION...]  one request; sets gc_status, gc_body (exact
#       bytes but for trailing newlines: use gc_body_is), gc_hdr_file (the
#       header block as received, CRLF kept).
#   gc_header NAME       the value of the last response's header NAME (first
#       one, case-insensitive name, CR stripped); fails when absent.
#   assert_http STATUS   assert_header NAME VALUE   refute_header NAME
#   assert_body TEXT     the body is exactly TEXT (byte for byte, via the file)
#   assert_env VAR VALUE / refute_env_value VAR VALUE / refute_env VAR
#       on the body printed by env.cgi: the line VAR=VALUE is / is not there.
#   assert_clean_headers the header block has no control byte but the CRLFs.
#   gc_log_has TEXT      a line of GC_ERROR_LOG holds TEXT.
# Client-sent identity:
#   GC_CLIENT_IDENTITY   curl -H options: every spelling of the identity
#       headers the examples remove, with values a token never has.
#   gc_refute_client_env   env.cgi's body has none of them.
#   gc_refute_client_headers   a proxied echo (tests/fixtures/echo-app.pl) got none.
# Hostile paths:
#   gc_check_payloads BASE   every line of tests/vectors/open-redirect-payloads.txt
#       as a request path and as a callbackUrl parameter, in one curl process:
#       only 307/400/401/404, every Location starts with GC_SIGNIN and carries
#       a relative callbackUrl, no control byte in any header.

# shellcheck disable=SC2034 # constants and results for the suites that source it
# shellcheck source=tests/lib/server.sh
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

GC_GUARD_BIN="${NEXTAUTH_GUARD_BIN:-$REPO_ROOT/cgi-bin/nextauth-guard}"
GC_TOKEN_BIN="${NEXTAUTH_TOKEN_BIN:-$REPO_ROOT/bin/nextauth-token}"
GC_FIXTURES="$REPO_ROOT/tests/fixtures"
GC_SECRET='guard-server-test-secret-4kQ9zV2m'
GC_CHUNK=3933

# The configured origin and sign-in page: every sign-in redirect starts with
# GC_SIGNIN (docs/behaviour.md, Location and callbackUrl), every configuration redirect is GC_CONFIG_ERROR.
GC_ORIGIN='http://app.example.test'
GC_SIGNIN="$GC_ORIGIN/login?callbackUrl="
GC_CONFIG_ERROR="$GC_ORIGIN/api/auth/error?error=Configuration"
GC_JSON_401='{"message":"You must be logged in."}'
GC_JSON_403='{"message":"Forbidden"}'
GC_JSON_500='{"message":"There is a problem with the server configuration. Check the server logs for more information."}'

# Claims of the two test users.
GC_ADMIN_CLAIMS='{"name":"Ada","email":"ada@example.com","sub":"1","role":"admin"}'
GC_USER_CLAIMS='{"name":"Bob","email":"bob@example.com","sub":"2","role":"user"}'

gc_need_tools() {
    local suite=$1 t
    shift
    for t in "$@"; do
        command -v "$t" >/dev/null || {
            echo "$suite: $t is not installed (tools/deps.sh)" >&2
            return 1
        }
    done
}

gc_need_module() {
    local how="make $2" files=$3
    if [ $# -gt 3 ]; then
        how="make && $how" files+=", $4"
    fi
    if [ ! -f "$3" ] || { [ $# -gt 3 ] && [ ! -x "$4" ]; }; then
        echo "$1: build first ($how): $files" >&2
        return 1
    fi
}

gc_stop_each() {
    local d
    for d in "$BATS_FILE_TMPDIR"/*/; do
        [ -d "$d/run" ] && "$1" "${d%/}"
    done
    return 0
}

gc_dump_failed() {
    if [ -n "${BATS_TEST_COMPLETED-}" ]; then return 0; fi
    srv_dump "$@"
}

gc_free_port() {
    srv_free_port
}

# The test deployment: origin GC_ORIGIN, sign-in page /login, /admin/… and
# /api/admin/… only for role admin, NEXTAUTH_ROLE from the role claim. The
# secret comes from NEXTAUTH_SECRET (so a guard started without it has none),
# or with SECRET from the file, then readable by its owner only (as a module
# inside a server reads it).
gc_write_config() {
    local file=$1 url=${2:-$GC_ORIGIN} secret=''
    [ -z "${3-}" ] || secret=$'\n  "secret": "'"$3"'",'
    cat >"$file" <<EOF || return 1
{
  "url": "$url",$secret
  "pages": { "signIn": "/login" },
  "rules": [
    { "matcher": ["/admin/:path*", "/api/admin/:path*"], "authorized": { "role": "admin" } }
  ],
  "identity": { "NEXTAUTH_ROLE": "role" }
}
EOF
    [ -z "${3-}" ] || chmod 0600 "$file"
}

gc_log_has() {
    grep -qF "$1" "$GC_ERROR_LOG" || _fail "no '$1' line in the error log"
}

gc_setup_root() {
    local dir=$1 d
    mkdir -p "$dir/run" "$dir/logs" || return 1
    rm -rf "$dir/www"
    cp -R "$GC_FIXTURES/www" "$dir/www" || return 1
    for d in app admin api api/auth public; do
        mkdir -p "$dir/www/$d"
        cp "$GC_FIXTURES/env.cgi" "$dir/www/$d/env.cgi" || return 1
        chmod 0755 "$dir/www/$d/env.cgi"
    done
    gc_write_config "$dir/guard.json"
}

GC_SPAWN_ENV=()

gc_spawn() {
    local dir=$1 name=$2 sock=$3 n=$4 pid count=0
    shift 4
    mkdir -p "$dir/run" "$dir/logs" || return 1
    rm -f "$sock" "$dir/run/$name.pid"
    if ! env -i PATH="$PATH" "${GC_SPAWN_ENV[@]}" spawn-fcgi -s "$sock" -M 0600 -F "$n" \
        -P "$dir/run/$name.pid" -- "$@" </dev/null >"$dir/logs/$name.spawn.out" 2>&1 \
        3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; then
        echo "gc_spawn: spawn-fcgi failed for $name" >&2
        srv_dump "$dir/logs/$name.spawn.out"
        return 1
    fi
    while read -r pid || [ -n "$pid" ]; do  # spawn-fcgi: no final newline
        srv_alive "$pid" && count=$((count + 1))
    done <"$dir/run/$name.pid"
    if [ "$count" -ne "$n" ]; then
        echo "gc_spawn: $count of $n $name processes alive" >&2
        srv_dump "$dir/logs/$name.spawn.out"
        return 1
    fi
}

gc_spawn_stop() {
    local dir=$1 name=$2 pid
    [ -f "$dir/run/$name.pid" ] || return 0
    while read -r pid || [ -n "$pid" ]; do  # spawn-fcgi: no final newline
        srv_stop_pid "$pid" 5
    done <"$dir/run/$name.pid"
}

gc_mint() {
    local __var=$1 __claims=$2 __tok
    shift 2
    __tok=$("$GC_TOKEN_BIN" encode --secret "$GC_SECRET" "$@" "$__claims") || {
        echo "gc_mint: encode failed for $__claims" >&2
        return 1
    }
    printf -v "$__var" '%s' "$__tok"
}

gc_cookie() {
    printf 'next-auth.session-token=%s' "$1"
}

gc_chunked_cookie() {
    local t=$1 i=0 out=''
    while [ -n "$t" ]; do
        out+="${out:+; }next-auth.session-token.$i=${t:0:$GC_CHUNK}"
        t=${t:$GC_CHUNK}
        i=$((i + 1))
    done
    printf '%s' "$out"
}

# --- HTTP ------------------------------------------------------------------

gc_get() {
    local url=$1 dir=${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}
    shift
    gc_hdr_file=$dir/gc.headers
    gc_body_file=$dir/gc.body
    rm -f "$gc_hdr_file" "$gc_body_file"
    gc_status=$(curl -s --max-time 10 -D "$gc_hdr_file" -o "$gc_body_file" -w '%{http_code}' \
        "$@" "$url")
    gc_body=$(cat "$gc_body_file" 2>/dev/null)
}

_gc_show() {
    {
        printf '%s\n' "$@"
        printf -- '-- status: %s\n-- headers:\n' "${gc_status-}"
        tr -d '\r' <"$gc_hdr_file" 2>/dev/null | sed 's/^/   /' | cut -c 1-300
        printf -- '-- body (%s bytes):\n' "$(wc -c <"$gc_body_file" 2>/dev/null)"
        head -c 3000 "$gc_body_file" 2>/dev/null
        printf '\n--\n'
    } >&2
    return 1
}

gc_header() {
    local name=$1 line
    line=$(grep -i -m 1 "^$name:" "$gc_hdr_file" 2>/dev/null) || return 1
    line=${line%$'\r'}
    line=${line#*:}
    printf '%s' "${line# }"
}

assert_http() {
    [ "$gc_status" = "$1" ] || _gc_show "expected HTTP status $1, got $gc_status"
}

assert_header() {
    local v
    v=$(gc_header "$1") || _gc_show "expected header $1: $2 (absent)" || return 1
    [ "$v" = "$2" ] || _gc_show "expected header $1: $2" "got:             $v"
}

refute_header() {
    ! grep -qi "^$1:" "$gc_hdr_file" || _gc_show "expected no header $1"
}

assert_body() {
    local want=$1 got
    IFS= read -r -d '' got <"$gc_body_file" || true
    [ "$got" = "$want" ] || _gc_show "expected the body (exactly, ${#want} bytes): $want"
}

# The body starts with TEXT (for server pages).
assert_body_has() {
    case "$gc_body" in *"$1"*) return 0 ;; esac
    _gc_show "expected the body to contain: $1"
}

refute_body_has() {
    case "$gc_body" in *"$1"*) _gc_show "expected the body not to contain: $1" ;; esac
    return 0
}

assert_env() {
    grep -qxF -- "$1=$2" "$gc_body_file" || _gc_show "expected the backend's environment to have $1=$2"
}

refute_env_value() {
    ! grep -qxF -- "$1=$2" "$gc_body_file" ||
        _gc_show "the backend's environment must not have $1=$2"
}

refute_env() {
    ! grep -q -- "^$1=" "$gc_body_file" || _gc_show "the backend's environment must not have $1"
}

# No header value may carry a control byte: every line of the header block
# (the status line included) is printable text and HT, ended by CRLF.
assert_clean_headers() {
    if LC_ALL=C grep -naP '[\x00-\x08\x0a-\x1f\x7f](?!$)|[^\r]$' "$gc_hdr_file" >/dev/null 2>&1; then
        _gc_show "a header line carries a control byte (or a bare LF)"
        return 1
    fi
}

# --- the open-redirect payloads ---------------------------------------------

# Every 3xx Location starts with GC_SIGNIN; its callbackUrl, decoded, is a
# relative path ("/…" but not "//…" or "/\…"); no header line has a control
# byte. Uses one curl process for all requests (bounded to 60 s).
gc_check_payloads() { # BASE
    local base=$1 cfg=$BATS_TEST_TMPDIR/payloads.curl out=$BATS_TEST_TMPDIR/payloads.out
    local hdr=$BATS_TEST_TMPDIR/payloads.hdr n3xx nloc bad n
    # 835 lines (the last one has no newline: `wc -l` says 834)
    n=$(grep -c '' "$VECTORS_DIR/open-redirect-payloads.txt")
    [ "$n" -ge 834 ] || _fail "expected at least 834 payloads, got $n"
    n=$((2 * n))
    # as a path ("/" added when the payload has none) and as a callbackUrl
    # parameter; bytes curl will not put in a URL (controls, space, non-ASCII,
    # '#') are percent-encoded
    perl -ne '
        chomp;
        s/([^\x21-\x7e]|#)/sprintf("%%%02X", ord $1)/ge;
        my $p = m{^/} ? $_ : "/$_";
        for my $u ($p, "/docs/page.txt?callbackUrl=$_") {
            (my $q = "'"$base"'$u") =~ s/(["\\])/\\$1/g;
            print "url = \"$q\"\noutput = \"/dev/null\"\n";
        }' "$VECTORS_DIR/open-redirect-payloads.txt" >"$cfg"
    [ "$(grep -c '^url' "$cfg")" -eq "$n" ] || _fail "expected $n requests"
    timeout 60 curl -s --path-as-is --max-time 5 -K "$cfg" -D "$hdr" \
        -w '%{http_code}\n' >"$out" || _fail "curl failed or took over 60 s"
    [ "$(wc -l <"$out")" -eq "$n" ] || _fail "expected $n answers, got $(wc -l <"$out")"
    # no 2xx and no transfer failure (000): the guard answered every one
    bad=$(grep -vE '^(307|400|401|404)$' "$out" | sort | uniq -c)
    [ -z "$bad" ] || _fail "unexpected statuses:" "$bad"
    n3xx=$(grep -c '^3' "$out")
    nloc=$(grep -ci '^location:' "$hdr")
    [ "$n3xx" -eq "$nloc" ] || _fail "$n3xx redirects but $nloc Location headers"
    bad=$(grep -i '^location:' "$hdr" | tr -d '\r' | grep -vF "Location: $GC_SIGNIN" | head -5)
    [ -z "$bad" ] || _fail "a Location leaves the origin or the sign-in page:" "$bad"
    bad=$(grep -i '^location:' "$hdr" | tr -d '\r' | perl -ne '
        my ($v) = /[?&]callbackUrl=([^&]*)/ or do { print; next };
        $v =~ tr/+/ /; $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
        print "$v\n" unless $v =~ m{^/} && $v !~ m{^/[/\\]};' | head -5)
    [ -z "$bad" ] || _fail "a callbackUrl that is not a relative path:" "$bad"
    if LC_ALL=C grep -naP '[\x00-\x08\x0a-\x1f\x7f](?!$)|[^\r]$' "$hdr" | head -3 | grep .; then
        _fail "a header line carries a control byte"
    fi
    echo "# $(sort "$out" | uniq -c | tr '\n' ' ')" >&3
}

# --- client-sent identity headers ------------------------------------------------

# A client's own identity headers, in every spelling the examples remove: dashes
# or underscores, any case, the test config's "identity" name (X-Nextauth-Role)
# with a role the token lacks.
GC_CLIENT_IDENTITY=(
    -H 'X-Nextauth-Role: admin' -H 'X_Nextauth_Role: admin' -H 'x-NEXTAUTH-role: admin'
    -H 'x_NEXTAUTH_role: admin'
    -H 'X-NEXTAUTH-USER: evil' -H 'X_Nextauth_User: evil'
    -H 'X-Nextauth-Email: evil' -H 'X_NEXTAUTH_EMAIL: evil'
    -H 'X-Nextauth-Name: evil' -H 'x_nextauth_name: evil'
    -H 'X-Nextauth-Sub: evil' -H 'X_Nextauth_Sub: evil'
    -H 'X-Nextauth-Expires: evil' -H 'X_Nextauth_Expires: evil'
    -H 'Remote-User: evil' -H 'Remote_User: evil'
)

# gc_refute_client_env — the backend's environment (env.cgi's body) has no
# HTTP_* copy of an identity header and no value the client sent.
gc_refute_client_env() {
    local bad
    bad=$(grep -E '^HTTP_(X_NEXTAUTH_|REMOTE_USER=)|=(evil|admin)$' "$gc_body_file" || true)
    [ -z "$bad" ] || _gc_show "client-sent identity reached the backend:" "$bad"
}

# gc_refute_client_headers — a proxied application (echo-app.pl's body: the
# headers it received) got no identity header and no value the client sent.
gc_refute_client_headers() {
    local bad
    bad=$(grep -iE '^(x[-_]nextauth[-_]|remote[-_]user:)|: (evil|admin)$' "$gc_body_file" || true)
    [ -z "$bad" ] || _gc_show "client-sent identity reached the proxied application:" "$bad"
}
