#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The page API (include/nextauth.h) and its two examples, run as plain CGI programs
# (one request from the environment, the answer on stdout):
#   cgi-bin/examples/hello-api       the NextAuth docs' API route:
#       no session → 401 {"message":"You must be logged in."}; session → 200
#       {"message":"Success"}, with getServerSession's cookie changes;
#   cgi-bin/examples/protected-page  the docs' getServerSideProps page:
#       no session → 307 to /; session → an HTML page with the session as
#       JSON.stringify(session, null, 2), HTML-escaped, in a <pre>.
# Both again, unchanged, on database sessions (a SQLite file in the Prisma
# schema): the row extended, an expired row deleted, a locked database.
# Then the rest of the API through a small test page compiled here against the
# header alone (redirect refusals, headers, answers replacing answers, …), and
# `make install` + pkg-config: hello-api.c built from the installed files.
#
# NEXTAUTH_EXAMPLES_DIR runs other builds of the two examples (e.g. the
# sanitized ones of build/san/cgi-bin/examples).
#
# The clock is frozen with faketime (FAKETIME_FMT=%s faketime -f NOW), so every
# byte of an answer but the fresh token is known; re-issued tokens are read
# back with `nextauth-token` and must carry fresh iat/exp/jti.

# shellcheck disable=SC2154 # session_rc, session_status, session_body…: set by session_cgi
# shellcheck disable=SC2034 # MINT_ENV, SESSION_BIN…: read by the session_helpers functions
load helpers
load session_helpers

NOW=1767225600 # 2026-01-01T00:00:00Z
EXPIRES_ISO=2026-01-31T00:00:00.000Z # NOW + 30 days
SECRET='examples-bats-secret-7d2e9a41c6b85f03'
V4=next-auth.session-token
HELLO="${NEXTAUTH_EXAMPLES_DIR:-$REPO_ROOT/cgi-bin/examples}/hello-api"
PAGE="${NEXTAUTH_EXAMPLES_DIR:-$REPO_ROOT/cgi-bin/examples}/protected-page"
CLAIMS='{"name":"Ada Lovelace","email":"ada@example.com","picture":"https://example.com/ada.png","sub":"user-1"}'

# The page protected-page sends around the session JSON.
PAGE_HEAD=$'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Protected page</title></head>\n<body>\n<pre>'
PAGE_TAIL=$'</pre>\n</body>\n</html>\n'

HELLO_401='{"message":"You must be logged in."}'
HELLO_200='{"message":"Success"}'

setup_file() {
    local tool
    for tool in faketime cc jq; do
        command -v "$tool" >/dev/null || { echo "$tool is not installed (sh tools/deps.sh)" >&2; return 1; }
    done
    for tool in "$HELLO" "$PAGE" "$TOKEN_BIN"; do
        [ -x "$tool" ] || { echo "$tool is not built (make)" >&2; return 1; }
    done
    build_api_page
}

setup() {
    clean_env
    MINT_ENV=(NEXTAUTH_SECRET="$SECRET")
}

# run_page PROG [VAR=VALUE...] — PROG once as CGI at NOW with exactly these
# variables (session_cgi's $session_status, $session_headers, $session_body,
# $session_stderr, $session_rc).
run_page() {
    local SESSION_BIN=$1 # read by session_cgi
    shift
    session_cgi "$NOW" "$@"
}

# get PROG COOKIE [VAR=VALUE...] — a GET of /page with this Cookie header (empty:
# none) and the secret.
get() {
    local prog=$1 cookie=$2
    shift 2
    local -a c=()
    [ -n "$cookie" ] && c=(HTTP_COOKIE="$cookie")
    run_page "$prog" REQUEST_METHOD=GET REQUEST_URI=/page "${c[@]}" NEXTAUTH_SECRET="$SECRET" "$@"
}

# head_lines N LINE... — the first N header lines are exactly these.
head_lines() {
    local n=$1 i
    shift
    local -a want=("$@")
    for ((i = 0; i < n; i++)); do
        [ "${session_headers[$i]-}" = "${want[$i]}" ] ||
            sfail "header line $i: expected: ${want[$i]}" || return 1
    done
}

# cookies_after N BASE SECURE EXPECT... — from header line N on, exactly the
# Set-Cookie lines EXPECT names ("set NAME" / "clear NAME", as check_set_cookies,
# with Expires = NOW + 30 days and v4 chunks); sets $issued_cookie.
cookies_after() {
    local n=$1 base=$2 secure=$3
    shift 3
    local -a saved=("${session_headers[@]}")
    # check_set_cookies reads the lines after the session route's four headers.
    session_headers=(- - - - "${saved[@]:n}")
    check_set_cookies "$base" "$secure" $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "$@"
    local rc=$?
    session_headers=("${saved[@]}")
    return "$rc"
}

# assert_log PREFIX... — stderr is exactly these lines, each starting with
# "nextauth: PREFIX".
assert_log() {
    local -a got=()
    mapfile -t got <<<"$session_stderr"
    [ -n "$session_stderr" ] && [ "${session_stderr: -1}" = $'\n' ] ||
        sfail "expected log lines ending in a newline" || return 1
    # mapfile sees the final newline as an empty last line
    [ "${#got[@]}" -eq $(($# + 1)) ] || sfail "expected $# log line(s)" || return 1
    local i=0 p
    for p in "$@"; do
        [ "${got[$i]:0:$((10 + ${#p}))}" = "nextauth: $p" ] ||
            sfail "log line $i: expected a line starting with: nextauth: $p" || return 1
        i=$((i + 1))
    done
}

# token_claims TOKEN — the claims of TOKEN at NOW (secret $SECRET).
token_claims() {
    env -i PATH="$PATH" NEXTAUTH_SECRET="$SECRET" "$TOKEN_BIN" decode --now "$NOW" "$1"
}

# check_reissued OLD_TOKEN — $issued_cookie carries OLD_TOKEN's claims with
# iat = NOW, exp = NOW + 30 days and a new jti.
check_reissued() {
    local old
    old=$(token_claims "$1") || sfail "the minted token does not decode" || return 1
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET" || return 1
    check_fresh_claims "$old" "$NOW" "$SESSION_MAX_AGE"
}

# assert_page JSON_LINES... — the body is protected-page's page around these
# lines of the pretty session JSON (already HTML-escaped), joined by newlines.
assert_page() {
    local IFS=$'\n'
    assert_body "$PAGE_HEAD$*$PAGE_TAIL"
}

# --- hello-api ---------------------------------------------------------------

@test "hello-api: no session cookie → 401 You must be logged in., no cookie change, no log" {
    get "$HELLO" ''
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store"
    assert_body "$HELLO_401"
    assert_no_stderr_output
}

@test "hello-api: a session → 200 Success and the rolled session cookie" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 3600)) "$CLAIMS")
    get "$HELLO" "$V4=$tok"
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: application/json"
    cookies_after 1 "$V4" false "set $V4"
    assert_body "$HELLO_200"
    assert_no_stderr_output
    check_reissued "$tok"
    refute_session_leak "$SECRET"
}

@test "hello-api: an expired cookie → 401, the cookie cleared, one JWT_SESSION_ERROR line" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 100)) "$CLAIMS" --max-age 60)
    get "$HELLO" "$V4=$tok"
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_body "$HELLO_401"
    assert_log "JWT_SESSION_ERROR: token expired"
    refute_session_leak "$tok" "$SECRET"
}

@test "hello-api: a tampered cookie (one ciphertext byte changed) → 401 and cleared" {
    local tok bad c
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    # flip one base64url character inside the ciphertext (4th segment)
    IFS=. read -r h k iv ct tag <<<"$tok"
    c=${ct:5:1}
    [ "$c" = A ] && c=B || c=A
    bad="$h.$k.$iv.${ct:0:5}$c${ct:6}.$tag"
    get "$HELLO" "$V4=$bad"
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_body "$HELLO_401"
    assert_log "JWT_SESSION_ERROR: "
    refute_session_leak "$bad" "$SECRET"
}

@test "hello-api: a token made with another secret → 401 and cleared" {
    local tok
    MINT_ENV=(NEXTAUTH_SECRET=another-secret-0123456789abcdef0123)
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    get "$HELLO" "other=1; $V4=$tok; more=2"
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_body "$HELLO_401"
    assert_log "JWT_SESSION_ERROR: "
}

@test "hello-api: HEAD → the same status and headers, no body" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    run_page "$HELLO" REQUEST_METHOD=HEAD REQUEST_URI=/page HTTP_COOKIE="$V4=$tok" NEXTAUTH_SECRET="$SECRET"
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: application/json"
    cookies_after 1 "$V4" false "set $V4"
    assert_body ""
    run_page "$HELLO" REQUEST_METHOD=HEAD REQUEST_URI=/page NEXTAUTH_SECRET="$SECRET"
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store"
    assert_body ""
}

@test "hello-api: no secret (unset or empty) → never 200: 401, logged NO_SECRET" {
    local tok env
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    for env in "" "NEXTAUTH_SECRET="; do
        local -a e=()
        [ -n "$env" ] && e=("$env")
        run_page "$HELLO" REQUEST_METHOD=GET REQUEST_URI=/page HTTP_COOKIE="$V4=$tok" "${e[@]}"
        assert_session_status "Status: 401 Unauthorized"
        assert_headers "Content-Type: application/json" "Cache-Control: no-store"
        assert_body "$HELLO_401"
        assert_log "NO_SECRET: " "NO_SECRET: "
        refute_session_leak "$tok"
    done
}

@test "hello-api: __Secure- cookie under an https NEXTAUTH_URL; the plain name is ignored there" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    get "$HELLO" "__Secure-$V4=$tok" NEXTAUTH_URL=https://example.com
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: application/json"
    cookies_after 1 "__Secure-$V4" true "set __Secure-$V4"
    assert_body "$HELLO_200"
    get "$HELLO" "$V4=$tok" NEXTAUTH_URL=https://example.com
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store"
    assert_no_stderr_output
}

@test "hello-api: a chunked session is read and rolled as chunks; a stale chunk is cleared" {
    local blob tok claims
    blob=$(head -c 3000 /dev/zero | tr '\0' x)
    claims=$(jq -c --arg b "$blob" '.blob = $b' <<<"$CLAIMS")
    tok=$(mint next-auth-v4 "$NOW" "$claims")
    [ "${#tok}" -gt "$CHUNK_V4" ] && [ "${#tok}" -le $((2 * CHUNK_V4)) ]
    get "$HELLO" "$V4.0=${tok:0:CHUNK_V4}; $V4.1=${tok:CHUNK_V4}; $V4.2="
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: application/json"
    cookies_after 1 "$V4" false "set $V4.0" "set $V4.1" "clear $V4.2"
    assert_body "$HELLO_200"
    check_reissued "$tok"
}

@test "hello-api: an unreadable config stops the program: exit 2, one line, no answer" {
    run_page "$HELLO" NEXTAUTH_CONFIG="$BATS_TEST_TMPDIR/missing.json" REQUEST_METHOD=GET
    [ "$session_rc" -eq 2 ] || sfail "expected exit 2, got $session_rc"
    [ -z "$session_raw" ] || sfail "expected no answer"
    [[ $session_stderr == "hello-api: "*missing.json*$'\n' ]] || sfail "expected one line naming the file"
    [[ $session_stderr != *$'\n'*$'\n'* ]] || sfail "expected one line"
}

# --- protected-page ----------------------------------------------------------

@test "protected-page: no session → 307 to / (redirect, permanent: false), empty body" {
    get "$PAGE" ''
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store"
    assert_body ""
    assert_no_stderr_output
}

@test "protected-page: a session → the page with JSON.stringify(session, null, 2), and the rolled cookie" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    get "$PAGE" "$V4=$tok"
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: text/html; charset=utf-8"
    cookies_after 1 "$V4" false "set $V4"
    assert_page \
        '{' \
        '  &quot;user&quot;: {' \
        '    &quot;name&quot;: &quot;Ada Lovelace&quot;,' \
        '    &quot;email&quot;: &quot;ada@example.com&quot;,' \
        '    &quot;image&quot;: &quot;https://example.com/ada.png&quot;' \
        '  },' \
        "  &quot;expires&quot;: &quot;$EXPIRES_ISO&quot;" \
        '}'
    assert_no_stderr_output
    check_reissued "$tok"
}

@test "protected-page: the session JSON is HTML-escaped (<script>&\"' and </pre> in claims)" {
    local tok claims
    claims='{"name":"<script>&\"'\''","email":"x</pre><script>alert(1)</script>@e.com","picture":null,"sub":"2"}'
    tok=$(mint next-auth-v4 "$NOW" "$claims")
    get "$PAGE" "$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_page \
        '{' \
        '  &quot;user&quot;: {' \
        '    &quot;name&quot;: &quot;&lt;script&gt;&amp;\&quot;&#x27;&quot;,' \
        '    &quot;email&quot;: &quot;x&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;@e.com&quot;,' \
        '    &quot;image&quot;: null' \
        '  },' \
        "  &quot;expires&quot;: &quot;$EXPIRES_ISO&quot;" \
        '}'
    case $session_body in *"<script>"* | *"</pre><"*) sfail "an unescaped tag reached the page" ;; esac
}

@test "protected-page: the JSON is JSON.stringify's: \\u escapes in lower case, UTF-8 kept, {} user" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" '{"name":"Zoë\u001f","sub":"3"}')
    get "$PAGE" "$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_page \
        '{' \
        '  &quot;user&quot;: {' \
        '    &quot;name&quot;: &quot;Zoë\u001f&quot;' \
        '  },' \
        "  &quot;expires&quot;: &quot;$EXPIRES_ISO&quot;" \
        '}'
    tok=$(mint next-auth-v4 "$NOW" '{"sub":"4"}')
    get "$PAGE" "$V4=$tok"
    assert_page '{' '  &quot;user&quot;: {},' "  &quot;expires&quot;: &quot;$EXPIRES_ISO&quot;" '}'
}

@test "protected-page: expired or tampered cookie → 307 to / with the cookie cleared" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 100)) "$CLAIMS" --max-age 60)
    get "$PAGE" "$V4=$tok"
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_body ""
    assert_log "JWT_SESSION_ERROR: token expired"
    get "$PAGE" "$V4=not-a-token"
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store" "$(clear_line "$V4" false)"
    assert_log "JWT_SESSION_ERROR: "
}

@test "protected-page: HEAD → the page's status and headers, no body" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    run_page "$PAGE" REQUEST_METHOD=HEAD REQUEST_URI=/page HTTP_COOKIE="$V4=$tok" NEXTAUTH_SECRET="$SECRET"
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: text/html; charset=utf-8"
    cookies_after 1 "$V4" false "set $V4"
    assert_body ""
    run_page "$PAGE" REQUEST_METHOD=HEAD REQUEST_URI=/page NEXTAUTH_SECRET="$SECRET"
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store"
}

@test "protected-page: no secret → never 200: 307 to /, logged NO_SECRET" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    run_page "$PAGE" REQUEST_METHOD=GET REQUEST_URI=/page HTTP_COOKIE="$V4=$tok"
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store"
    assert_log "NO_SECRET: " "NO_SECRET: "
}

@test "protected-page: with a basePath the redirect goes to basePath + /, as Next.js does" {
    local cfg="$BATS_TEST_TMPDIR/config.json"
    printf '{"basePath":"/app"}\n' >"$cfg"
    get "$PAGE" '' NEXTAUTH_CONFIG="$cfg"
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /app/" "Cache-Control: no-store"
}

# --- both examples, unchanged, on database sessions ---------------------------

# db_deploy — a SQLite database in the Prisma schema with Ada's session (the
# token $DBTOK, expiring 20 days after NOW, last extended 10 days ago: due),
# and a config naming it ($DBCFG). No secret: database sessions need none.
db_deploy() {
    DB="$BATS_TEST_TMPDIR/app.db"
    DBTOK=6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f
    sqlite3 "$DB" <"$REPO_ROOT/tests/vectors/dbsess-schema/prisma-sqlite.sql"
    sqlite3 "$DB" "INSERT INTO \"User\" (id,name,email,image,\"createdAt\",\"updatedAt\")
        VALUES ('user-1','Ada Lovelace','ada@example.com','https://example.com/ada.png',0,0);
      INSERT INTO \"Session\" (id,\"sessionToken\",\"userId\",expires,\"createdAt\",\"updatedAt\")
        VALUES ('s1','$DBTOK','user-1',$(((NOW + 20 * 86400) * 1000)),0,0);"
    DBCFG="$BATS_TEST_TMPDIR/config.json"
    printf '{"url":"http://localhost:3000","database":{"url":"sqlite:%s","timeoutMs":100}}\n' "$DB" >"$DBCFG"
}

# dbget PROG COOKIE — a GET of /page at NOW on the database deployment.
dbget() {
    local -a c=()
    [ -n "$2" ] && c=(HTTP_COOKIE="$2")
    run_page "$1" REQUEST_METHOD=GET REQUEST_URI=/page "${c[@]}" NEXTAUTH_CONFIG="$DBCFG"
}

DB_SET="Set-Cookie: $V4=6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f; Path=/; Expires=Sat, 31 Jan 2026 00:00:00 GMT; HttpOnly; SameSite=Lax"
DB_CLEAR="Set-Cookie: $V4=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"

@test "database sessions: hello-api → 200 Success, the row extended and the cookie re-set; 401 without a session" {
    db_deploy
    dbget "$HELLO" "$V4=$DBTOK"
    assert_session_status "Status: 200 OK"
    assert_headers "Content-Type: application/json" "$DB_SET"
    assert_body "$HELLO_200"
    assert_no_stderr_output
    [ "$(sqlite3 "$DB" 'SELECT expires FROM "Session"')" = $(((NOW + 30 * 86400) * 1000)) ] ||
        sfail "the row was not extended in its own form"
    dbget "$HELLO" ''
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store"
    dbget "$HELLO" "$V4=unknown"
    assert_session_status "Status: 401 Unauthorized"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store" "$DB_CLEAR"
    assert_body "$HELLO_401"
}

@test "database sessions: protected-page → the page with the row's expiry; an expired row → 307 to /, deleted and cleared" {
    db_deploy
    dbget "$PAGE" "$V4=$DBTOK"
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: text/html; charset=utf-8"
    # the body shows the expiry read before the row was extended, as next-auth
    assert_page \
        '{' \
        '  &quot;user&quot;: {' \
        '    &quot;name&quot;: &quot;Ada Lovelace&quot;,' \
        '    &quot;email&quot;: &quot;ada@example.com&quot;,' \
        '    &quot;image&quot;: &quot;https://example.com/ada.png&quot;' \
        '  },' \
        '  &quot;expires&quot;: &quot;2026-01-21T00:00:00.000Z&quot;' \
        '}'
    assert_no_stderr_output
    sqlite3 "$DB" "UPDATE \"Session\" SET expires = $((NOW * 1000 - 1))"
    dbget "$PAGE" "$V4=$DBTOK"
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store" "$DB_CLEAR"
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM "Session"')" = 0 ] || sfail "the expired row is still there"
}

@test "database sessions: a locked database → no session (401, 307), no cookie change, a SESSION_ERROR line" {
    db_deploy
    mkfifo "$BATS_TEST_TMPDIR/hold"
    sqlite3 "$DB" <"$BATS_TEST_TMPDIR/hold" &
    local holder=$! i
    exec 9>"$BATS_TEST_TMPDIR/hold"
    echo 'BEGIN EXCLUSIVE; UPDATE "Session" SET "userId" = "userId";' >&9
    for i in $(seq 100); do
        sqlite3 "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null || break
        sleep 0.05
    done
    dbget "$HELLO" "$V4=$DBTOK"
    local st1=$session_status h1=("${session_headers[@]}") e1=$session_stderr
    dbget "$PAGE" "$V4=$DBTOK"
    exec 9>&-
    wait "$holder" || true
    [ "$st1" = "Status: 401 Unauthorized" ] || sfail "hello-api: $st1"
    [ "${h1[*]}" = "Content-Type: application/json Cache-Control: no-store" ] || sfail "hello-api headers: ${h1[*]}"
    [[ $e1 == *"SESSION_ERROR: database: "* ]] || sfail "hello-api log: $e1"
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store"
}

# --- the rest of the API, through a test page ---------------------------------

# build_api_page — compile the test page below against include/nextauth.h alone
# (include/ holds the public header only: it must need nothing of lib/).
build_api_page() {
    local dir=$BATS_FILE_TMPDIR/api
    mkdir -p "$dir"
    cat >"$dir/api-page.c" <<'EOF'
/* A page that calls the API as TEST_ACTION says (a CGI variable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nextauth.h>

static const char *param(nextauth_req *req, const char *name)
{
    const char *v = nextauth_param(req, name);
    return v ? v : "";
}

static void handle(nextauth_req *req, void *user)
{
    const char *act = param(req, "TEST_ACTION");
    char buf[1024];
    (void)user;

    if (strcmp(act, "redirect") == 0) {
        int rc = nextauth_redirect(req, nextauth_param(req, "TEST_PATH"),
                                   atoi(param(req, "TEST_STATUS")));
        fprintf(stderr, "rc=%d\n", rc);
    } else if (strcmp(act, "signin") == 0) {
        nextauth_redirect_signin(req);
    } else if (strcmp(act, "session") == 0) {
        nextauth_respond_session(req);
    } else if (strcmp(act, "refresh+session") == 0) {
        nextauth_refresh(req);
        nextauth_respond_session(req);
    } else if (strcmp(act, "403") == 0) {
        nextauth_respond_403(req);
    } else if (strcmp(act, "info") == 0) {
        const char *before = nextauth_reason(req);
        int s = nextauth_session(req);
        int again = nextauth_session(req);
        const json_t *c = nextauth_claims(req);
        const char *sub = c ? json_string_value(json_object_get(c, "sub")) : NULL;
        const char *why = nextauth_reason(req);
        nextauth_refresh(req);
        c = nextauth_claims(req);
        json_int_t iat = c ? json_integer_value(json_object_get(c, "iat")) : -1;
        snprintf(buf, sizeof buf, "before=%s session=%d again=%d sub=%s iat=%lld reason=%s\n",
                 before ? before : "-", s, again, sub ? sub : "-", (long long)iat,
                 why ? why : "-");
        nextauth_respond(req, 200, "text/plain", buf, strlen(buf));
    } else if (strcmp(act, "json") == 0) {
        const char *j = nextauth_session_json(req, atoi(param(req, "TEST_INDENT")));
        if (j != NULL)
            nextauth_respond(req, 200, "application/json", j, strlen(j));
        else
            nextauth_respond_401(req);
    } else if (strcmp(act, "header") == 0) {
        nextauth_respond(req, 204, NULL, NULL, 0);
        int rc = nextauth_add_header(req, nextauth_param(req, "TEST_NAME"),
                                     nextauth_param(req, "TEST_VALUE"));
        fprintf(stderr, "rc=%d\n", rc);
    } else if (strcmp(act, "replace") == 0) {
        nextauth_add_header(req, "X-Kept", "yes");
        nextauth_refresh(req);
        nextauth_refresh(req);
        nextauth_respond_401(req);
        nextauth_redirect(req, "/elsewhere", 302);
        nextauth_respond(req, 200, "text/plain", "first\n", 6);
        nextauth_append(req, "second\n", 7);
        nextauth_append_html(req, "<&>\n");
    } else if (strcmp(act, "status") == 0) {
        int rc = nextauth_respond(req, atoi(param(req, "TEST_STATUS")), "text/plain", "x", 1);
        fprintf(stderr, "rc=%d\n", rc);
    } else if (strcmp(act, "ctype") == 0) {
        nextauth_respond(req, 200, "text/plain\r\nX-Injected: 1", "x", 1);
    } else if (strcmp(act, "html-null") == 0) {
        nextauth_respond(req, 200, "text/html", "<pre>", 5);
        nextauth_append_html(req, NULL);
    }
    /* anything else: no answer */
}

int main(void)
{
    char why[256];
    nextauth_app *app = nextauth_app_load(getenv("TEST_CONFIG"), why, sizeof why);
    if (app == NULL) {
        fprintf(stderr, "api-page: %s\n", why);
        return 2;
    }
    int rc = nextauth_serve(app, handle, NULL);
    nextauth_app_free(app);
    return rc;
}
EOF
    cc -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -D_POSIX_C_SOURCE=200809L \
        -I"$REPO_ROOT/include" -o "$dir/api-page" "$dir/api-page.c" "$REPO_ROOT/lib/libnextauth.a" \
        -lfcgi -ljansson -lcrypto -lsqlite3
}

API="$BATS_FILE_TMPDIR/api/api-page"

# api ACTION [VAR=VALUE...] — a GET of /page?x=1 through the test page.
api() {
    local act=$1
    shift
    run_page "$API" REQUEST_METHOD=GET REQUEST_URI='/page?x=1' NEXTAUTH_SECRET="$SECRET" \
        TEST_ACTION="$act" "$@"
}

@test "api: nextauth_redirect to same-origin paths, with each redirect status" {
    local st
    for st in 301 302 303 307 308; do
        api redirect TEST_PATH='/a/b?c=d&e=%2F#f' TEST_STATUS=$st
        [ "$session_rc" -eq 0 ] || sfail "exit $session_rc"
        [[ $session_status == "Status: $st "* ]] || sfail "expected status $st"
        assert_headers 'Location: /a/b?c=d&e=%2F#f' "Cache-Control: no-store"
        [ "$session_stderr" = $'rc=0\n' ] || sfail "expected rc=0"
    done
    api redirect TEST_PATH=/ TEST_STATUS=307
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /" "Cache-Control: no-store"
}

@test "api: nextauth_redirect refuses open-redirect payloads and bad statuses (500, rc=-1, a log line)" {
    local p
    local -a payloads=(
        '' 'evil.com' 'https://evil.com/' '//evil.com' '///evil.com' '/\evil.com' '\/evil.com'
        '/\/evil.com' $'/\t/evil.com' $'/\n/evil.com' $'/x\r\nSet-Cookie: a=b' '/ /evil.com'
        '/x y' 'javascript:alert(1)' '/é' $'/\x7f' '/a\b'
    )
    for p in "${payloads[@]}"; do
        api redirect TEST_PATH="$p" TEST_STATUS=307
        assert_session_status "Status: 500 Internal Server Error"
        assert_headers "Content-Type: application/json" "Cache-Control: no-store"
        assert_body '{"message":"Internal Server Error"}'
        [[ $session_stderr == "nextauth: nextauth_redirect: refused a path"*$'\n'"rc=-1"$'\n' ]] ||
            sfail "expected the refusal line and rc=-1 for: $(printf '%q' "$p")"
    done
    api redirect TEST_STATUS=307 # TEST_PATH unset: NULL
    assert_session_status "Status: 500 Internal Server Error"
    for p in 0 200 300 304 305 306 309 400 -307; do
        api redirect TEST_PATH=/ TEST_STATUS="$p"
        assert_session_status "Status: 500 Internal Server Error"
        [[ $session_stderr == "nextauth: nextauth_redirect: refused a status"*"rc=-1"$'\n' ]] ||
            sfail "expected the refusal for status $p"
    done
}

@test "api: nextauth_redirect_signin → 307 to the sign-in page with callbackUrl, as the guard" {
    api signin
    assert_session_status "Status: 307 Temporary Redirect"
    assert_headers "Location: /api/auth/signin?callbackUrl=%2Fpage%3Fx%3D1" "Cache-Control: no-store"
    api signin NEXTAUTH_URL=https://example.com/api/auth
    assert_headers "Location: https://example.com/api/auth/signin?callbackUrl=%2Fpage%3Fx%3D1" \
        "Cache-Control: no-store"
}

@test "api: nextauth_respond_session answers as nextauth-session, cookie lines once" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    local act
    for act in session refresh+session; do
        api "$act" HTTP_COOKIE="$V4=$tok"
        assert_session_status "Status: 200 OK"
        check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set $V4"
        head_lines 4 "${SESSION_NO_CACHE[@]}"
        assert_body "{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"image\":\"https://example.com/ada.png\"},\"expires\":\"$EXPIRES_ISO\"}"
    done
    api session
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    api session HTTP_COOKIE="$V4=$tok" NEXTAUTH_SECRET=
    assert_session_status "Status: 500 Internal Server Error"
}

@test "api: nextauth_session / claims / reason: cached, borrowed claims untouched by the refresh" {
    local tok iat=$((NOW - 7200))
    tok=$(mint next-auth-v4 "$iat" "$CLAIMS")
    api info HTTP_COOKIE="$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_body "before=- session=1 again=1 sub=user-1 iat=$iat reason=-"$'\n'
    cookies_after 1 "$V4" false "set $V4"
    api info
    assert_body "before=- session=0 again=0 sub=- iat=-1 reason=no session token (cookie $V4, no bearer)"$'\n'
    tok=$(mint next-auth-v4 $((NOW - 100)) "$CLAIMS" --max-age 60)
    api info HTTP_COOKIE="$V4=$tok"
    assert_body "before=- session=0 again=0 sub=- iat=-1 reason=token expired"$'\n'
    assert_log "JWT_SESSION_ERROR: token expired"
    api info HTTP_AUTHORIZATION="Bearer $(mint next-auth-v4 "$NOW" "$CLAIMS")"
    assert_body "before=- session=0 again=0 sub=- iat=-1 reason=no session token (cookie $V4, no bearer)"$'\n'
}

@test "api: nextauth_session_json: compact (the session endpoint's body) and indented as JSON.stringify" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" '{"name":"A","email":null,"sub":"1","role":"admin"}')
    api json HTTP_COOKIE="$V4=$tok" TEST_INDENT=0
    assert_body "{\"user\":{\"name\":\"A\",\"email\":null},\"expires\":\"$EXPIRES_ISO\"}"
    api json HTTP_COOKIE="$V4=$tok" TEST_INDENT=4
    assert_body "{
    \"user\": {
        \"name\": \"A\",
        \"email\": null
    },
    \"expires\": \"$EXPIRES_ISO\"
}"
    local cfg="$BATS_TEST_TMPDIR/config.json"
    printf '{"session":{"expose":["role"]}}\n' >"$cfg"
    api json HTTP_COOKIE="$V4=$tok" TEST_INDENT=0 TEST_CONFIG="$cfg"
    assert_body "{\"user\":{\"name\":\"A\",\"email\":null,\"role\":\"admin\"},\"expires\":\"$EXPIRES_ISO\"}"
    api json TEST_INDENT=0
    assert_session_status "Status: 401 Unauthorized"
}

@test "api: answers replace answers; added headers and refresh cookies stay, once" {
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    api replace HTTP_COOKIE="$V4=$tok"
    assert_session_status "Status: 200 OK"
    head_lines 1 "Content-Type: text/plain"
    [ "${session_headers[2]}" = "X-Kept: yes" ] || sfail "expected X-Kept after the cookie"
    unset 'session_headers[2]'
    cookies_after 1 "$V4" false "set $V4"
    assert_body $'first\nsecond\n&lt;&amp;&gt;\n'
    api 403
    assert_session_status "Status: 403 Forbidden"
    assert_headers "Content-Type: application/json" "Cache-Control: no-store"
    assert_body '{"message":"Forbidden"}'
}

@test "api: nextauth_add_header adds a header; refuses bad names, owned names and control bytes (500)" {
    api header TEST_NAME=X-Frame-Options TEST_VALUE=DENY
    assert_session_status "Status: 204 No Content"
    assert_headers "X-Frame-Options: DENY"
    api header TEST_NAME=Set-Cookie TEST_VALUE='theme=dark; Path=/'
    assert_headers "Set-Cookie: theme=dark; Path=/"
    local n
    for n in Status location CONTENT-TYPE Content-Length Transfer-Encoding Connection \
        'X Bad' 'X:Bad' '' 'X-é'; do
        api header TEST_NAME="$n" TEST_VALUE=v
        assert_session_status "Status: 500 Internal Server Error"
        [[ $session_stderr == "nextauth: nextauth_add_header: refused the header name"*"rc=-1"$'\n' ]] ||
            sfail "expected a refusal of the name $(printf '%q' "$n")"
    done
    for n in $'a\r\nSet-Cookie: x=1' $'a\nb' $'a\x01'; do
        api header TEST_NAME=X-Test TEST_VALUE="$n"
        assert_session_status "Status: 500 Internal Server Error"
        assert_body '{"message":"Internal Server Error"}'
        case $session_raw in *X-Test* | *x=1*) sfail "the refused header reached the answer" ;; esac
    done
    api header TEST_NAME=X-Tab TEST_VALUE=$'a\tb'
    assert_session_status "Status: 204 No Content"
}

@test "api: no answer, a bad status, a control byte in Content-Type, NULL html → a bare 500" {
    api nothing
    assert_session_status "Status: 500 Internal Server Error"
    assert_body '{"message":"Internal Server Error"}'
    local st
    for st in 0 99 600 -1; do
        api status TEST_STATUS=$st
        assert_session_status "Status: 500 Internal Server Error"
        [ "$session_stderr" = $'rc=-1\n' ] || sfail "expected rc=-1 for $st"
    done
    api ctype
    assert_session_status "Status: 500 Internal Server Error"
    case $session_raw in *X-Injected*) sfail "an injected header reached the answer" ;; esac
    api html-null
    assert_session_status "Status: 500 Internal Server Error"
}

# --- make install + pkg-config ----------------------------------------------------

@test "make install: header, library and nextauth.pc; hello-api.c builds from them with pkg-config" {
    command -v pkg-config >/dev/null || sfail "pkg-config is not installed (Debian: pkgconf)"
    local dest=$BATS_TEST_TMPDIR/root build=$BATS_TEST_TMPDIR/build
    make -s -C "$REPO_ROOT" install DESTDIR="$dest" PREFIX=/usr >"$BATS_TEST_TMPDIR/make.out" 2>&1 ||
        sfail "make install failed: $(cat "$BATS_TEST_TMPDIR/make.out")"
    [ -f "$dest/usr/include/nextauth.h" ] && [ -f "$dest/usr/lib/libnextauth.a" ] &&
        [ -f "$dest/usr/lib/pkgconfig/nextauth.pc" ] || sfail "missing installed files"
    # the public header only, as it is in include/ (the private ones stay in lib/)
    [ "$(ls "$dest/usr/include")" = nextauth.h ] || sfail "other headers installed"
    cmp -s "$REPO_ROOT/include/nextauth.h" "$dest/usr/include/nextauth.h" ||
        sfail "the installed header is not include/nextauth.h"
    local pc=$dest/usr/lib/pkgconfig/nextauth.pc
    grep -qx 'prefix=/usr' "$pc" || sfail "prefix is not /usr"
    # jansson is public (the API returns json_t), libcrypto and sqlite3
    # private; the archive is static, so libfcgi, libcrypto and libsqlite3 are
    # on every link. libpq is not: it is loaded when a PostgreSQL url is opened.
    grep -qx 'Requires: jansson' "$pc" || sfail "unexpected Requires line"
    grep -qx 'Requires.private: libcrypto sqlite3' "$pc" || sfail "unexpected Requires.private line"
    # shellcheck disable=SC2016 # the literal ${libdir} of the file
    grep -qx 'Libs: -L${libdir} -lnextauth -lfcgi -lcrypto -lsqlite3' "$pc" || sfail "unexpected Libs line"

    mkdir -p "$build"
    cp "$REPO_ROOT/cgi-bin/examples/hello-api.c" "$build/"
    # Only what pkg-config says, as a user of the installed tree would build it
    # (jansson.pc and libcrypto.pc come from the system's own pkg-config path).
    local flags static
    flags=$(PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" \
        pkg-config --cflags --libs nextauth) || sfail "pkg-config does not find nextauth"
    [[ $flags == *"-I$dest/usr/include"* && $flags == *"-L$dest/usr/lib "* &&
        $flags == *"-lnextauth -lfcgi -lcrypto -lsqlite3"* && $flags == *-ljansson* ]] ||
        sfail "unexpected pkg-config flags: $flags"
    static=$(PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" \
        pkg-config --static --libs nextauth) || sfail "pkg-config --static fails"
    [[ $static == *-ldl* ]] || sfail "--static lacks libcrypto's private libraries: $static"
    # shellcheck disable=SC2086 # flags are words
    (cd "$build" && cc -std=c11 -Wall -Wextra -Werror -o hello-api hello-api.c $flags) \
        >"$BATS_TEST_TMPDIR/cc.out" 2>&1 || sfail "cc failed: $(cat "$BATS_TEST_TMPDIR/cc.out")"

    get "$build/hello-api" ''
    assert_session_status "Status: 401 Unauthorized"
    assert_body "$HELLO_401"
    local tok
    tok=$(mint next-auth-v4 "$NOW" "$CLAIMS")
    get "$build/hello-api" "$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_body "$HELLO_200"

    make -s -C "$REPO_ROOT" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
    [ ! -e "$dest/usr/include/nextauth.h" ] && [ ! -e "$dest/usr/lib/libnextauth.a" ] &&
        [ ! -e "$dest/usr/lib/pkgconfig/nextauth.pc" ] || sfail "uninstall left files"
}
