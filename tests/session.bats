#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# cgi-bin/nextauth-session as a plain CGI program (one request from its
# environment, the answer on stdout): GET /api/auth/session as next-auth does it
# (docs/behaviour.md: Session endpoint, Session body, Rolling refresh, Writing
# cookies).
#
# The clock is frozen with faketime at the case's `now` (FAKETIME_FMT=%s
# faketime -f N: N.000000000, so the body's `expires` ends in .000Z), so every
# byte of the answer but the fresh token is known: status line, header lines and
# their order, body, the Set-Cookie names, attributes and Expires date. The
# re-issued token is read back with `nextauth-token get` and must carry the old
# claims with iat = now, exp = now + maxAge and a new UUID v4 jti.
#
# Part 1: one test per vector case that has a Cookie or an Authorization header
# (hand-listed; the first test checks the list against the JSON). Verdict:
# expect_session_route when present (Bearer: the endpoint reads cookies only),
# else strict_expect, else expect; `either` takes both answers, each of which
# must then be whole and consistent. Cookies: session_route_cookies (what
# next-auth's endpoint did); for v5 cases, which have none recorded, the token's
# own name is written, or every session cookie name seen is cleared. Where the
# project refuses what next-auth accepted (strict_expect invalid) every session
# cookie name seen is cleared instead (docs/behaviour.md, Session endpoint).
# Part 2: methods, missing secret, session.expose, session.maxAge, chunk growth
# and shrinking at the exact chunk boundaries, key rotation, bad config files.

load helpers
load session_helpers

NOW=1767225600 # 2026-01-01T00:00:00Z
SECRET='session-bats-secret-4c1f8e2a9b7d6035'
V4=next-auth.session-token
V5=authjs.session-token

setup_file() {
    command -v faketime >/dev/null || { echo "faketime is not installed (sh tools/deps.sh)" >&2; return 1; }
    [ -x "$SESSION_BIN" ] || { echo "$SESSION_BIN is not built (make)" >&2; return 1; }
    vector_cache_build
}

setup() {
    clean_env
    MINT_ENV=(NEXTAUTH_SECRET="$SECRET")
}

# config JSON — write a config file for this test (mode 600, as a file that may
# hold the secret should be); prints its path.
config() {
    local f="$BATS_TEST_TMPDIR/config.$RANDOM.json"
    (umask 077 && printf '%s\n' "$1" >"$f")
    printf '%s' "$f"
}

# --- part 1: the vectors ------------------------------------------------------

# check_session_case NAME — run vector case NAME through the program and judge
# the whole answer. In a subshell without bats' DEBUG trap (which costs ~0.5 ms
# per shell command of the helpers); a failure still fails the test.
check_session_case() {
    (
        trap - DEBUG
        _check_session_case "$@"
    )
}

_check_session_case() {
    local v_has_cookie_header='' v_has_authorization='' v_has_strict_expect=''
    local v_has_expect_session_route='' v_has_claims='' v_has_session='' v_has_token=''
    local v_secure=false v_session_route_cookies=null v_token='' v_claims='' v_session=''
    vector_load "$1" || sfail "no vector named '$1'" || return 1

    local verdict=$v_expect
    [ -n "$v_has_strict_expect" ] && verdict=$v_strict_expect
    [ -n "$v_has_expect_session_route" ] && verdict=$v_expect_session_route

    local fmt base=$V4 chunk=$CHUNK_V4 empty='{}'
    local -a req_env=(NEXTAUTH_SECRET="$v_secret") cli_env
    case $v_kind in
    jwe-v4 | cookie) fmt=next-auth-v4 ;;
    jwe-v5) fmt=authjs-v5 base=$V5 chunk=$CHUNK_V5 empty=null ;;
    jws-hs256) fmt=jws ;;
    *) sfail "unknown kind '$v_kind'" || return 1 ;;
    esac
    [ "$fmt" = next-auth-v4 ] || req_env+=(NEXTAUTH_CONFIG="$(config "{\"jwt\":{\"format\":\"$fmt\"}}")")
    if [ "$v_secure" = true ]; then
        base="__Secure-$base"
        req_env+=(NEXTAUTH_URL=https://example.com)
    fi
    cli_env=("${req_env[@]}")
    req_env+=(REQUEST_METHOD=GET)
    [ -n "$v_has_cookie_header" ] && req_env+=(HTTP_COOKIE="$v_cookie_header")
    [ -n "$v_has_authorization" ] && req_env+=(HTTP_AUTHORIZATION="$v_authorization")

    # Values no output may carry: the secret, the token, the cookie values and
    # the Authorization words (12 characters or more).
    local -a seen=() sensitive=("$v_secret") words
    local s
    [ -n "$v_has_token" ] && sensitive+=("$v_token")
    if [ -n "$v_has_cookie_header" ]; then
        mapfile -t seen < <(session_cookie_names "$v_cookie_header" "$base")
        IFS=';' read -r -a words <<<"$v_cookie_header"
        for s in "${words[@]}"; do
            case $s in *=*) s=${s#*=} ;; *) continue ;; esac
            s=${s#\"} s=${s%\"}
            [ "${#s}" -ge 12 ] && sensitive+=("$s")
        done
    fi
    if [ -n "$v_has_authorization" ]; then
        read -r -a words <<<"$v_authorization"
        for s in "${words[@]}"; do
            [ "${#s}" -ge 12 ] && sensitive+=("$s")
        done
    fi

    session_cgi "$v_now" "${req_env[@]}" || return 1
    assert_session_status "Status: 200 OK" || return 1
    local i
    for i in 0 1 2 3; do
        [ "${session_headers[$i]-}" = "${SESSION_NO_CACHE[$i]}" ] ||
            sfail "header line $i: expected: ${SESSION_NO_CACHE[$i]}" || return 1
    done
    # A JWS payload is not encrypted: a re-issued chunk may repeat the start of
    # an old one, so for jws only the secret and whole token are looked for in
    # the answer; stderr is checked for everything.
    if [ "$fmt" = jws ]; then
        refute_session_leak "$v_secret" "${v_token-}" || return 1
        local session_raw_saved=$session_raw
        session_raw=''
        refute_session_leak "${sensitive[@]}" || return 1
        session_raw=$session_raw_saved
    else
        refute_session_leak "${sensitive[@]}" || return 1
    fi

    local outcome=valid
    [ "$session_body" = "$empty" ] && outcome=invalid
    case $verdict in
    valid | invalid)
        [ "$outcome" = "$verdict" ] ||
            sfail "expected the answer for an $verdict session (body $empty or a session)" || return 1
        ;;
    either) ;;
    *) sfail "unknown verdict '$verdict'" || return 1 ;;
    esac

    local -a want=() set_names=() rec_clear=()
    local n
    if [ "$outcome" = invalid ]; then
        # Every session cookie name seen is cleared, in request order (docs/behaviour.md,
        # Writing cookies).
        for n in "${seen[@]}"; do want+=("clear $n"); done
        # Where next-auth itself refused the token, it cleared the same names.
        if [ "$v_session_route_cookies" != null ] &&
            [ "$(jq '.set | length' <<<"$v_session_route_cookies")" -eq 0 ]; then
            mapfile -t rec_clear < <(jq -r '.clear[]' <<<"$v_session_route_cookies")
            [ "${rec_clear[*]}" = "${seen[*]}" ] ||
                sfail "next-auth cleared '${rec_clear[*]}', the names seen are '${seen[*]}'" || return 1
        fi
        check_set_cookies "$base" "$v_secure" 0 "$chunk" "${want[@]}" || return 1
        if [ "${#seen[@]}" -gt 0 ]; then
            assert_one_log_line "JWT_SESSION_ERROR: " || return 1
        else
            assert_no_stderr_output || return 1
        fi
        return 0
    fi

    # A session: body, rolled cookies, re-issued token.
    [ -n "$v_has_session" ] && [ -n "$v_has_claims" ] ||
        sfail "a session was answered, but the case has no session/claims" || return 1
    local exp=$((v_now + SESSION_MAX_AGE)) user
    user=$(jq -c '.user' <<<"$v_session")
    assert_body "{\"user\":$user,\"expires\":\"$(iso_ms $((exp * 1000)))\"}" || return 1
    if [ "$v_session_route_cookies" != null ]; then
        mapfile -t set_names < <(jq -r '.set[]' <<<"$v_session_route_cookies")
        mapfile -t rec_clear < <(jq -r '.clear[]' <<<"$v_session_route_cookies")
    else
        set_names=("$base")
    fi
    local -A is_set=() was_seen=()
    for n in "${set_names[@]}"; do is_set[$n]=1; done
    local -a cleared=()
    for n in "${seen[@]}"; do
        was_seen[$n]=1
        if [ -n "${is_set[$n]-}" ]; then
            want+=("set $n")
        else
            want+=("clear $n")
            cleared+=("$n")
        fi
    done
    for n in "${set_names[@]}"; do
        [ -n "${was_seen[$n]-}" ] || want+=("set $n")
    done
    if [ "$v_session_route_cookies" != null ]; then
        [ "${rec_clear[*]}" = "${cleared[*]}" ] ||
            sfail "next-auth cleared '${rec_clear[*]}', expected here: '${cleared[*]}'" || return 1
    fi
    check_set_cookies "$base" "$v_secure" "$exp" "$chunk" "${want[@]}" || return 1
    decode_issued "$fmt" "$v_now" "${cli_env[@]}" || return 1
    check_fresh_claims "$v_claims" "$v_now" "$SESSION_MAX_AGE" || return 1
    assert_no_stderr_output
}

@test "session: the vector tests below are exactly the cases with a Cookie or Authorization header" {
    local in_json in_bats bad
    in_json=$(jq -r '.[] | select(has("cookie_header") or has("authorization")) | .name' "$VECTORS_JSON" | sort)
    in_bats=$(sed -n 's/^@test "session: \([^"]*\)" { check_session_case \([^;]*\); }$/\1 \2/p' "$BATS_TEST_FILENAME")
    bad=$(awk '$1 != $2' <<<"$in_bats")
    [ -z "$bad" ] || sfail "test names that differ from their case: $bad" || return 1
    in_bats=$(awk '{ print $1 }' <<<"$in_bats" | sort)
    [ "$(wc -l <<<"$in_json")" -ge 60 ] || sfail "too few cases in $VECTORS_JSON" || return 1
    [ "$in_bats" = "$in_json" ] ||
        sfail "names differ (< JSON, > this file):" "$(diff <(echo "$in_json") <(echo "$in_bats"))"
}

@test "session: the frozen clock (libfaketime preloaded, helpers.bash) stops at a whole second, as the faketime wrapper does" {
    frozen_clock "$NOW"
    run env -i "${FROZEN_CLOCK[@]}" /bin/date +%s.%N
    [ "$status" -eq 0 ] && [ "$output" = "$NOW.000000000" ] || sfail "got: $output"
    run env -i FAKETIME_FMT=%s faketime -f "$NOW" /bin/date +%s.%N
    [ "$status" -eq 0 ] && [ "$output" = "$NOW.000000000" ] || sfail "the wrapper: $output"
}

# One test per vector case with a Cookie or Authorization header (docs/behaviour.md,
# Session endpoint).
@test "session: v4-valid-unicode-claims" { check_session_case v4-valid-unicode-claims; }
@test "session: v4-valid-minimal-claims" { check_session_case v4-valid-minimal-claims; }
@test "session: v4-valid-null-claims" { check_session_case v4-valid-null-claims; }
@test "session: v4-valid-extra-claims" { check_session_case v4-valid-extra-claims; }
@test "session: v4-valid-json-escapes" { check_session_case v4-valid-json-escapes; }
@test "session: v4-valid-exp-in-10s-past" { check_session_case v4-valid-exp-in-10s-past; }
@test "session: v4-valid-exp-boundary-14s" { check_session_case v4-valid-exp-boundary-14s; }
@test "session: v4-valid-exp-equals-now" { check_session_case v4-valid-exp-equals-now; }
@test "session: v4-valid-exp-fractional" { check_session_case v4-valid-exp-fractional; }
@test "session: v4-invalid-expired-1-day" { check_session_case v4-invalid-expired-1-day; }
@test "session: v4-valid-nbf-boundary-15s" { check_session_case v4-valid-nbf-boundary-15s; }
@test "session: v4-invalid-nbf-boundary-16s" { check_session_case v4-invalid-nbf-boundary-16s; }
@test "session: v4-valid-typical-at-day-29" { check_session_case v4-valid-typical-at-day-29; }
@test "session: v4-invalid-iat-not-number" { check_session_case v4-invalid-iat-not-number; }
@test "session: v4-valid-no-exp" { check_session_case v4-valid-no-exp; }
@test "session: v4-invalid-flip-encrypted-key" { check_session_case v4-invalid-flip-encrypted-key; }
@test "session: v4-invalid-flip-ciphertext" { check_session_case v4-invalid-flip-ciphertext; }
@test "session: v4-invalid-flip-tag" { check_session_case v4-invalid-flip-tag; }
@test "session: v4-invalid-six-segments" { check_session_case v4-invalid-six-segments; }
@test "session: v4-invalid-alg-none-header" { check_session_case v4-invalid-alg-none-header; }
@test "session: v4-invalid-header-missing-enc" { check_session_case v4-invalid-header-missing-enc; }
@test "session: v4-invalid-enc-A128GCM" { check_session_case v4-invalid-enc-A128GCM; }
@test "session: v4-quirk-enc-A128CBC-HS256-accepted" { check_session_case v4-quirk-enc-A128CBC-HS256-accepted; }
@test "session: v4-valid-header-extra-members" { check_session_case v4-valid-header-extra-members; }
@test "session: v4-invalid-payload-array" { check_session_case v4-invalid-payload-array; }
@test "session: v4-invalid-payload-not-json" { check_session_case v4-invalid-payload-not-json; }
@test "session: v4-quirk-b64-standard-alphabet" { check_session_case v4-quirk-b64-standard-alphabet; }
@test "session: v4-quirk-b64-noncanonical-tag" { check_session_case v4-quirk-b64-noncanonical-tag; }
@test "session: v4-quirk-b64-junk-char" { check_session_case v4-quirk-b64-junk-char; }
@test "session: v4-invalid-v5-token" { check_session_case v4-invalid-v5-token; }
@test "session: v4-invalid-hs256-jws" { check_session_case v4-invalid-hs256-jws; }
@test "session: cookie-among-others-odd-spacing" { check_session_case cookie-among-others-odd-spacing; }
@test "session: cookie-quoted-session-value" { check_session_case cookie-quoted-session-value; }
@test "session: cookie-url-encoded-value" { check_session_case cookie-url-encoded-value; }
@test "session: cookie-duplicate-name-first-valid" { check_session_case cookie-duplicate-name-first-valid; }
@test "session: cookie-single-chunk-dot-0" { check_session_case cookie-single-chunk-dot-0; }
@test "session: cookie-chunked-3" { check_session_case cookie-chunked-3; }
@test "session: cookie-chunked-3-out-of-order" { check_session_case cookie-chunked-3-out-of-order; }
@test "session: cookie-chunked-missing-middle" { check_session_case cookie-chunked-missing-middle; }
@test "session: cookie-quirk-chunks-plus-unchunked" { check_session_case cookie-quirk-chunks-plus-unchunked; }
@test "session: bearer-valid" { check_session_case bearer-valid; }
@test "session: bearer-url-encoded" { check_session_case bearer-url-encoded; }
@test "session: bearer-lowercase-scheme" { check_session_case bearer-lowercase-scheme; }
@test "session: bearer-quirk-double-space" { check_session_case bearer-quirk-double-space; }
@test "session: bearer-quirk-trailing-words" { check_session_case bearer-quirk-trailing-words; }
@test "session: bearer-scheme-only" { check_session_case bearer-scheme-only; }
@test "session: bearer-basic-scheme" { check_session_case bearer-basic-scheme; }
@test "session: bearer-ignored-when-cookie-present" { check_session_case bearer-ignored-when-cookie-present; }
@test "session: bearer-expired" { check_session_case bearer-expired; }
@test "session: v5-valid" { check_session_case v5-valid; }
@test "session: v5-valid-secure" { check_session_case v5-valid-secure; }
@test "session: v5-invalid-wrong-secret" { check_session_case v5-invalid-wrong-secret; }
@test "session: v5-invalid-v4-token" { check_session_case v5-invalid-v4-token; }
@test "session: v5-invalid-wrong-kid" { check_session_case v5-invalid-wrong-kid; }
@test "session: hs256-valid" { check_session_case hs256-valid; }
@test "session: hs256-valid-unicode-claims" { check_session_case hs256-valid-unicode-claims; }
@test "session: hs256-invalid-tampered-payload" { check_session_case hs256-invalid-tampered-payload; }
@test "session: hs256-invalid-wrong-secret" { check_session_case hs256-invalid-wrong-secret; }
@test "session: hs256-invalid-alg-none-with-hmac" { check_session_case hs256-invalid-alg-none-with-hmac; }
@test "session: hs256-invalid-alg-HS512" { check_session_case hs256-invalid-alg-HS512; }
@test "session: hs256-invalid-v4-jwe" { check_session_case hs256-invalid-v4-jwe; }
@test "session: hs256-valid-chunked" { check_session_case hs256-valid-chunked; }

# --- part 2: the rest of the contract ---------------------------------------

CLAIMS='{"name":"Ada Lovelace","email":"ada@example.com","picture":"https://example.com/ada.png","sub":"user-1","role":"admin","org":{"id":7,"name":"Acme"}}'
SESSION_USER='{"name":"Ada Lovelace","email":"ada@example.com","image":"https://example.com/ada.png"}'

# claims_of TOKEN [FORMAT] — the claims of a token minted with $SECRET.
claims_of() {
    env -i PATH="$PATH" "${MINT_ENV[@]}" "$TOKEN_BIN" decode --format "${2:-next-auth-v4}" --now "$NOW" "$1"
}

# expires_body USER_JSON [MAX_AGE] — the session body at $NOW.
expires_body() {
    printf '{"user":%s,"expires":"%s"}' "$1" "$(iso_ms $(((NOW + ${2:-$SESSION_MAX_AGE}) * 1000)))"
}

# assert_no_cache_first — the four no-cache header lines come first.
assert_no_cache_first() {
    local i
    for i in 0 1 2 3; do
        [ "${session_headers[$i]-}" = "${SESSION_NO_CACHE[$i]}" ] ||
            sfail "header line $i: expected: ${SESSION_NO_CACHE[$i]}" || return 1
    done
}

# mint_pad FORMAT NOW N [ENCODE-OPTION...] — a token whose claims carry a
# padding claim of N characters.
mint_pad() {
    local fmt=$1 at=$2 n=$3 pad
    shift 3
    printf -v pad '%*s' "$n" ''
    mint "$fmt" "$at" "{\"name\":\"Ada\",\"sub\":\"user-1\",\"pad\":\"${pad// /x}\"}" "$@"
}

# mint_around FORMAT TARGET NOW [ENCODE-OPTION...] — binary search on the padding:
# sets $tok_le, the longest token of at most TARGET characters, and $tok_gt, the
# shortest longer one (token length grows with the padding, never shrinks).
mint_around() {
    local fmt=$1 target=$2 at=$3 lo=0 hi=6000 mid t
    shift 3
    while [ $((hi - lo)) -gt 1 ]; do
        mid=$(((lo + hi) / 2))
        t=$(mint_pad "$fmt" "$at" "$mid" "$@") || return 1
        if [ "${#t}" -le "$target" ]; then lo=$mid; else hi=$mid; fi
    done
    tok_le=$(mint_pad "$fmt" "$at" "$lo" "$@") && tok_gt=$(mint_pad "$fmt" "$at" "$hi" "$@")
}

@test "session: no Cookie header: 200 {} with the four no-cache headers, no Set-Cookie, no log" {
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_no_stderr_output
}

@test "session: start-up warnings (short secret, loose secretFile), one line each, never the secret; the answer is unchanged" {
    local short='short-MARKER-secret-01234567890' sf="$BATS_TEST_TMPDIR/secret.txt" cfg
    session_cgi "$NOW" NEXTAUTH_SECRET="$short" REQUEST_METHOD=GET
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    [ "$session_stderr" = "nextauth-session: warning: the secret (NEXTAUTH_SECRET) is 31 bytes; use at least 32 random bytes (openssl rand -base64 32)"$'\n' ] ||
        sfail "expected exactly the short-secret warning" || return 1
    refute_session_leak "$short" MARKER || return 1
    printf '%s\n' "${short}X" >"$sf"
    chmod 640 "$sf"
    cfg=$(config "{\"secretFile\":\"$sf\"}")
    session_cgi "$NOW" NEXTAUTH_CONFIG="$cfg" REQUEST_METHOD=GET
    assert_session_status "Status: 200 OK"
    assert_body '{}'
    [ "$session_stderr" = "nextauth-session: warning: secretFile $sf has mode 0640; make it readable by its owner only (chmod 600)"$'\n' ] ||
        sfail "expected exactly the secretFile warning" || return 1
    refute_session_leak "$short" MARKER || return 1
    chmod 600 "$sf"
    session_cgi "$NOW" NEXTAUTH_CONFIG="$cfg" REQUEST_METHOD=GET
    assert_session_status "Status: 200 OK"
    assert_body '{}'
    assert_no_stderr_output
}

@test "session: authjs-v5 format, no Cookie header: 200 null" {
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET \
        NEXTAUTH_CONFIG="$(config '{"jwt":{"format":"authjs-v5"}}')"
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body 'null'
    assert_no_stderr_output
}

@test "session: unrelated cookies, look-alike names and an empty session cookie change nothing" {
    local tok5
    tok5=$(MINT_ENV+=(NEXTAUTH_CONFIG="$(config '{"jwt":{"format":"authjs-v5"}}')") && mint authjs-v5 "$NOW" "$CLAIMS")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET \
        HTTP_COOKIE="theme=dark; $V4=; $V4-legacy=abcdefabcdefabcdef; $V4.x=abcdefabcdefabcdef; $V4.01=abcdefabcdefabcdef; $V5=$tok5"
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_no_stderr_output
}

@test "session: a cookie under the other name is invisible (https deployment, plain name; and the reverse)" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET NEXTAUTH_URL=https://example.com \
        HTTP_COOKIE="$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_no_stderr_output
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET NEXTAUTH_URL=http://example.com \
        HTTP_COOKIE="__Secure-$V4=$tok"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_no_stderr_output
}

@test "session: https deployment: __Secure- name read and re-issued with ; Secure" {
    local tok old
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    old=$(claims_of "$tok")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET NEXTAUTH_URL=https://example.com \
        HTTP_COOKIE="__Secure-$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_no_cache_first
    check_set_cookies "__Secure-$V4" true $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set __Secure-$V4"
    assert_body "$(expires_body "$SESSION_USER")"
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_URL=https://example.com
    check_fresh_claims "$old" "$NOW" "$SESSION_MAX_AGE"
    assert_no_stderr_output
}

@test "session: HEAD with a valid cookie: the GET headers and the rolled cookie, no body" {
    local tok old
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    old=$(claims_of "$tok")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=HEAD HTTP_COOKIE="$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_no_cache_first
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set $V4"
    assert_body ''
    [ "${session_raw: -4}" = $'\r\n\r\n' ] || sfail "the answer does not end right after the headers"
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$old" "$NOW" "$SESSION_MAX_AGE"
    assert_no_stderr_output
}

@test "session: HEAD with a bad cookie: clearing line and log, no body; HEAD without cookie: headers only" {
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=HEAD HTTP_COOKIE="$V4=not-a-token-at-all"
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}" "$(clear_line "$V4" false)"
    assert_body ''
    assert_one_log_line "JWT_SESSION_ERROR: "
    refute_session_leak not-a-token-at-all "$SECRET"
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=HEAD
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body ''
    assert_no_stderr_output
}

@test "session: POST, PUT, DELETE, PATCH, OPTIONS and lower-case get: 405, Allow: GET, HEAD, no cookie change" {
    local tok m
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    for m in POST PUT DELETE PATCH OPTIONS get; do
        session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD="$m" HTTP_COOKIE="$V4=$tok"
        assert_session_status "Status: 405 Method Not Allowed"
        assert_headers "Content-Type: application/json" "Allow: GET, HEAD"
        assert_body '{"message":"Method Not Allowed"}'
        assert_no_stderr_output
    done
}

# assert_no_secret_log — every stderr line is a NO_SECRET one, and there is one.
assert_no_secret_log() {
    [ -n "$session_stderr" ] || sfail "expected a NO_SECRET line on stderr" || return 1
    local line want="nextauth-session: NO_SECRET: "
    while IFS= read -r line; do
        [ "${line:0:${#want}}" = "$want" ] ||
            sfail "stderr line does not start with 'nextauth-session: NO_SECRET: ': $line" || return 1
    done <<<"${session_stderr%$'\n'}"
}

V4_CONFIG_ERROR='{"message":"There is a problem with the server configuration. Check the server logs for more information."}'
V5_CONFIG_ERROR='{"message":"There was a problem with the server configuration. Check the server logs for more information."}'

@test "session: no secret: 500 with next-auth's message, NO_SECRET log, the cookie left alone" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    session_cgi "$NOW" REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok"
    assert_session_status "Status: 500 Internal Server Error"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body "$V4_CONFIG_ERROR"
    assert_no_secret_log
    refute_session_leak "$tok"
}

@test "session: no secret, authjs-v5 format: 500 with Auth.js's message (There was …)" {
    session_cgi "$NOW" REQUEST_METHOD=GET HTTP_COOKIE="$V5=abc" \
        NEXTAUTH_CONFIG="$(config '{"jwt":{"format":"authjs-v5"}}')"
    assert_session_status "Status: 500 Internal Server Error"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body "$V5_CONFIG_ERROR"
    assert_no_secret_log
}

@test "session: an empty NEXTAUTH_SECRET counts as none: 500 (also for HEAD, without a body)" {
    session_cgi "$NOW" NEXTAUTH_SECRET= AUTH_SECRET="$SECRET" REQUEST_METHOD=GET
    assert_session_status "Status: 500 Internal Server Error"
    assert_body "$V4_CONFIG_ERROR"
    assert_no_secret_log
    refute_session_leak "$SECRET"
    session_cgi "$NOW" NEXTAUTH_SECRET= REQUEST_METHOD=HEAD
    assert_session_status "Status: 500 Internal Server Error"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body ''
}

@test "session: AUTH_SECRET is the fallback secret" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    session_cgi "$NOW" AUTH_SECRET="$SECRET" REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok"
    assert_session_status "Status: 200 OK"
    assert_body "$(expires_body "$SESSION_USER")"
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set $V4"
}

@test "session: config secret and cookies.sessionToken.name: only that cookie is read and re-issued" {
    local tok old cfg
    cfg=$(config "{\"secret\":\"$SECRET\",\"cookies\":{\"sessionToken\":{\"name\":\"my.session\"}}}")
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    old=$(claims_of "$tok")
    session_cgi "$NOW" NEXTAUTH_CONFIG="$cfg" REQUEST_METHOD=GET \
        HTTP_COOKIE="$V4=stale-garbage-value; my.session=$tok"
    assert_session_status "Status: 200 OK"
    assert_no_cache_first
    check_set_cookies my.session false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set my.session"
    assert_body "$(expires_body "$SESSION_USER")"
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_CONFIG="$cfg"
    check_fresh_claims "$old" "$NOW" "$SESSION_MAX_AGE"
    refute_session_leak "$SECRET" "$tok"
    assert_no_stderr_output
}

@test "session: session.expose {\"id\":\"sub\"} adds user.id after name, email, image" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok" \
        NEXTAUTH_CONFIG="$(config '{"session":{"expose":{"id":"sub"}}}')"
    assert_session_status "Status: 200 OK"
    assert_body "$(expires_body '{"name":"Ada Lovelace","email":"ada@example.com","image":"https://example.com/ada.png","id":"user-1"}')"
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set $V4"
    assert_no_stderr_output
}

@test "session: session.expose [\"role\",\"org\",\"missing\"] copies claims as they are, a missing one is left out" {
    local tok old
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    old=$(claims_of "$tok")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok" \
        NEXTAUTH_CONFIG="$(config '{"session":{"expose":["role","org","missing"]}}')"
    assert_session_status "Status: 200 OK"
    assert_body "$(expires_body '{"name":"Ada Lovelace","email":"ada@example.com","image":"https://example.com/ada.png","role":"admin","org":{"id":7,"name":"Acme"}}')"
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set $V4"
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$old" "$NOW" "$SESSION_MAX_AGE"
}

@test "session: session.maxAge 3600 sets exp, the cookie's Expires and the body's expires to now + 1 h" {
    local tok old
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    old=$(claims_of "$tok")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok" \
        NEXTAUTH_CONFIG="$(config '{"session":{"maxAge":3600}}')"
    assert_session_status "Status: 200 OK"
    assert_no_cache_first
    assert_body "$(expires_body "$SESSION_USER" 3600)"
    [ "$(expires_body '{}' 3600)" = '{"user":{},"expires":"2026-01-01T01:00:00.000Z"}' ]
    check_set_cookies "$V4" false $((NOW + 3600)) "$CHUNK_V4" "set $V4"
    [ "$(http_date $((NOW + 3600)))" = "Thu, 01 Jan 2026 01:00:00 GMT" ]
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$old" "$NOW" 3600
}

@test "session: a plain token of exactly 3933 characters is re-issued unchunked (3933 again)" {
    mint_around next-auth-v4 3933 $((NOW - 60))
    [ "${#tok_le}" -eq 3933 ] || sfail "could not make a 3933-character token (got ${#tok_le})"
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok_le"
    assert_session_status "Status: 200 OK"
    assert_no_cache_first
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" "set $V4"
    [ "${#issued_values[0]}" -eq 3933 ]
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$(claims_of "$tok_le")" "$NOW" "$SESSION_MAX_AGE"
}

@test "session: unchunked → chunked: a 3933-character token re-issued at 3935 clears the plain cookie, then .0 (3933) .1 (2)" {
    # iat 999999999 has 9 digits; the fresh iat has 10, so the payload grows by
    # one byte and the base64url text by two characters.
    mint_around next-auth-v4 3933 999999999 --max-age 800000000
    [ "${#tok_le}" -eq 3933 ] || sfail "could not make a 3933-character token (got ${#tok_le})"
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok_le"
    assert_session_status "Status: 200 OK"
    assert_no_cache_first
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" \
        "clear $V4" "set $V4.0" "set $V4.1"
    [ "${#issued_values[0]}" -eq 3933 ] && [ "${#issued_values[1]}" -eq 2 ]
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$(claims_of "$tok_le")" "$NOW" "$SESSION_MAX_AGE"
    assert_no_stderr_output
}

@test "session: unchunked → chunked: the shortest token over 3933 characters in one cookie comes back as .0 .1" {
    mint_around next-auth-v4 3933 $((NOW - 60))
    [ "${#tok_gt}" -gt 3933 ] && [ "${#tok_gt}" -le 3936 ]
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET HTTP_COOKIE="a=1; $V4=$tok_gt; b=2"
    assert_session_status "Status: 200 OK"
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" \
        "clear $V4" "set $V4.0" "set $V4.1"
    [ "${#issued_values[1]}" -eq $((${#tok_gt} - 3933)) ]
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$(claims_of "$tok_gt")" "$NOW" "$SESSION_MAX_AGE"
}

@test "session: chunked → fewer chunks: .0 .1 .2 in, a 2-chunk token out: .0 .1 rewritten in place, .2 cleared" {
    local tok
    tok=$(mint_pad next-auth-v4 $((NOW - 60)) 3500)
    [ "${#tok}" -gt 4000 ] && [ "${#tok}" -lt 7866 ]
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET \
        HTTP_COOKIE="$V4.0=${tok:0:2000}; $V4.1=${tok:2000:2000}; $V4.2=${tok:4000}"
    assert_session_status "Status: 200 OK"
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" \
        "set $V4.0" "set $V4.1" "clear $V4.2"
    [ "${#issued_values[0]}" -eq 3933 ] && [ "${#issued_values[1]}" -eq $((${#tok} - 3933)) ]
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$(claims_of "$tok")" "$NOW" "$SESSION_MAX_AGE"
    assert_no_stderr_output
}

@test "session: chunked → fewer chunks, chunks out of order (.2 .0 .1): .2 cleared first, then .0 .1" {
    local tok
    tok=$(mint_pad next-auth-v4 $((NOW - 60)) 3500)
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET \
        HTTP_COOKIE="$V4.2=${tok:4000}; theme=dark; $V4.0=${tok:0:2000}; $V4.1=${tok:2000:2000}"
    assert_session_status "Status: 200 OK"
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" \
        "clear $V4.2" "set $V4.0" "set $V4.1"
    decode_issued next-auth-v4 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$(claims_of "$tok")" "$NOW" "$SESSION_MAX_AGE"
}

@test "session: chunked → unchunked: .0 .1 of a short token are cleared, the plain cookie is written after them" {
    local tok
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET \
        HTTP_COOKIE="$V4.0=${tok:0:100}; $V4.1=${tok:100}"
    assert_session_status "Status: 200 OK"
    check_set_cookies "$V4" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V4" \
        "clear $V4.0" "clear $V4.1" "set $V4"
    assert_body "$(expires_body "$SESSION_USER")"
}

@test "session: authjs-v5 chunks at 3936: the longest token up to 3936 stays whole, a longer one is split 3936 + rest" {
    local cfg
    cfg=$(config '{"jwt":{"format":"authjs-v5"}}')
    MINT_ENV+=(NEXTAUTH_CONFIG="$cfg")
    mint_around authjs-v5 3936 $((NOW - 60))
    [ "${#tok_le}" -le 3936 ] && [ "${#tok_le}" -gt 3900 ] && [ "${#tok_gt}" -gt 3936 ]
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_CONFIG="$cfg" REQUEST_METHOD=GET HTTP_COOKIE="$V5=$tok_le"
    assert_session_status "Status: 200 OK"
    assert_body "$(expires_body '{"name":"Ada"}')"
    check_set_cookies "$V5" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V5" "set $V5"
    [ "${#issued_values[0]}" -eq "${#tok_le}" ]
    decode_issued authjs-v5 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$(claims_of "$tok_le" authjs-v5)" "$NOW" "$SESSION_MAX_AGE"

    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_CONFIG="$cfg" REQUEST_METHOD=GET HTTP_COOKIE="$V5=$tok_gt"
    assert_session_status "Status: 200 OK"
    check_set_cookies "$V5" false $((NOW + SESSION_MAX_AGE)) "$CHUNK_V5" "clear $V5" "set $V5.0" "set $V5.1"
    [ "${#issued_values[0]}" -eq 3936 ] && [ "${#issued_values[1]}" -eq $((${#tok_gt} - 3936)) ]
    decode_issued authjs-v5 "$NOW" NEXTAUTH_SECRET="$SECRET"
    check_fresh_claims "$(claims_of "$tok_gt" authjs-v5)" "$NOW" "$SESSION_MAX_AGE"
}

@test "session: rotation: a cookie made with the old secret is re-issued under the first (new) one (v4 and v5)" {
    local new='rotated-new-secret-0f9e8d7c6b5a-41' old='rotated-old-secret-a5b6c7d8e9f0-14' fmt name tok cfg
    for fmt in next-auth-v4 authjs-v5; do
        name=$V4
        [ "$fmt" = authjs-v5 ] && name=$V5
        cfg=$(config "{\"secret\":[\"$new\",\"$old\"],\"jwt\":{\"format\":\"$fmt\"}}")
        tok=$(MINT_ENV=(NEXTAUTH_SECRET="$old") && mint "$fmt" $((NOW - 60)) "$CLAIMS")
        session_cgi "$NOW" NEXTAUTH_CONFIG="$cfg" REQUEST_METHOD=GET HTTP_COOKIE="$name=$tok"
        assert_session_status "Status: 200 OK"
        assert_body "$(expires_body "$SESSION_USER")"
        check_set_cookies "$name" false $((NOW + SESSION_MAX_AGE)) 3936 "set $name"
        decode_issued "$fmt" "$NOW" NEXTAUTH_SECRET="$new"
        run env -i PATH="$PATH" NEXTAUTH_SECRET="$old" "$TOKEN_BIN" get --format "$fmt" --now "$NOW" --cookie "$issued_cookie"
        [ "$status" -eq 1 ] || sfail "the re-issued $fmt token still opens with the old secret"
        refute_session_leak "$new" "$old" "$tok"
        assert_no_stderr_output
    done
}

# assert_refuses_to_start — exit 2, nothing on stdout, one stderr line.
assert_refuses_to_start() {
    [ "$session_rc" -eq 2 ] || sfail "expected exit status 2, got $session_rc" || return 1
    [ -z "$session_raw" ] || sfail "expected no answer on stdout" || return 1
    assert_one_log_line ""
}

@test "session: a bad config file stops the program at start: exit 2, one stderr line, no answer" {
    local tok dir="$BATS_TEST_TMPDIR/conf-dir" cfgsecret='config-secret-never-logged-77'
    tok=$(mint next-auth-v4 $((NOW - 60)) "$CLAIMS")
    mkdir -p "$dir"
    local -a cases=(
        "{\"secret\":\"$cfgsecret\",\"bogus\":true}"
        "{\"secret\":\"$cfgsecret\",\"jwt\":{\"formatt\":\"jws\"}}"
        "{\"secret\":\"$cfgsecret\",\"jwt\":{\"format\":\"next-auth-v6\"}}"
        "{\"secret\":\"$cfgsecret\",\"session\":{\"maxAge\":\"30d\"}}"
        "{\"secret\":\"$cfgsecret\","
        "[\"$cfgsecret\"]"
    )
    local c
    for c in "${cases[@]}"; do
        session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_CONFIG="$(config "$c")" \
            REQUEST_METHOD=GET HTTP_COOKIE="$V4=$tok"
        assert_refuses_to_start || sfail "config: $c"
        refute_session_leak "$cfgsecret" "$SECRET" "$tok"
    done
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_CONFIG="$dir/missing.json" REQUEST_METHOD=GET
    assert_refuses_to_start
    [[ $session_stderr == *missing.json* ]] || sfail "the line does not name the file"
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_CONFIG="$dir" REQUEST_METHOD=GET
    assert_refuses_to_start
}

@test "session: the unknown-key line names the key" {
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" NEXTAUTH_CONFIG="$(config '{"jwt":{"formatt":"jws"}}')" REQUEST_METHOD=GET
    assert_refuses_to_start
    [[ $session_stderr == *'"jwt.formatt"'* ]] || sfail "expected the key jwt.formatt in the line"
}

@test "session: a chunk over the 4096-byte cap: every session cookie name of the request is still cleared (.0 .1 .2)" {
    # Past a cap the request has no session (docs/behaviour.md, Limits); a refused session
    # clears every chunk name seen — here also the .2 that comes after the
    # oversized .1.
    local big
    printf -v big '%*s' 5000 ''
    big=${big// /a}
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET \
        HTTP_COOKIE="$V4.0=abcdefghijkl; $V4.1=$big; $V4.2=mnopqrstuvwx"
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}" "$(clear_line "$V4.0" false)" \
        "$(clear_line "$V4.1" false)" "$(clear_line "$V4.2" false)"
    assert_body '{}'
    assert_one_log_line "JWT_SESSION_ERROR: "
}

@test "session: a chunk number past the cap (.16): the other session cookie names are still cleared" {
    # Accepted: .0 .16 .1 (every name, as next-auth does) or .0 .1 (the names
    # the program can represent); not .0 alone.
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET \
        HTTP_COOKIE="$V4.0=abcdefghijkl; $V4.16=mnopqrstuvwx; $V4.1=yzabcdefghij"
    assert_session_status "Status: 200 OK"
    assert_body '{}'
    assert_one_log_line "JWT_SESSION_ERROR: "
    if [ "${#session_headers[@]}" -eq 7 ]; then
        assert_headers "${SESSION_NO_CACHE[@]}" "$(clear_line "$V4.0" false)" \
            "$(clear_line "$V4.16" false)" "$(clear_line "$V4.1" false)"
    else
        assert_headers "${SESSION_NO_CACHE[@]}" "$(clear_line "$V4.0" false)" "$(clear_line "$V4.1" false)"
    fi
}

# --- the command line -----------------------------------------------------------

SESSION_USAGE='Usage: nextauth-session [--help | --version]

getServerSession for web servers: answers GET /api/auth/session as
next-auth does, with the rolling refresh of the session cookie.

A web server runs it: FastCGI with the listening socket as standard input
(a systemd socket unit, spawn-fcgi, lighttpd'"'"'s bin-path), or CGI. Started
from a shell without arguments, it answers the one CGI request its
environment describes.

Configuration: NEXTAUTH_CONFIG (the JSON file), NEXTAUTH_SECRET, AUTH_SECRET,
NEXTAUTH_SECRET_FILE, NEXTAUTH_URL; NEXTAUTH_READ_TIMEOUT,
NEXTAUTH_MAX_REQUESTS. Test a configuration with: nextauth-token check'

@test "session: from a shell: --version and --help on stdout (exit 0); anything else: the usage on stderr (exit 2)" {
    check_command_line "$SESSION_BIN" "$SESSION_USAGE" --help -- --bogus --version=1 'x y'
}

@test "session: under a CGI server the arguments are the request's (Apache's ISINDEX words): answered as ever" {
    SESSION_ARGS=(--help)
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
        QUERY_STRING=--help
    assert_session_status "Status: 200 OK"
    assert_headers "${SESSION_NO_CACHE[@]}"
    assert_body '{}'
    assert_no_stderr_output
    SESSION_ARGS=(--version)
    session_cgi "$NOW" NEXTAUTH_SECRET="$SECRET" REQUEST_METHOD=POST GATEWAY_INTERFACE=CGI/1.1
    assert_session_status "Status: 405 Method Not Allowed"
    assert_headers "Content-Type: application/json" "Allow: GET, HEAD"
    assert_body '{"message":"Method Not Allowed"}'
    assert_no_stderr_output
}
