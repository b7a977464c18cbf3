#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every case of tests/vectors/nextauth-vectors.json (tokens made by the real
# next-auth 4.24.15, @auth/core 0.41.3 and jose) through the CLI, judged at the
# case's `now`. One test per case, written out by hand: bats 1.8 cannot register
# tests at run time, so the first test checks that this file names exactly the
# cases of the JSON — a new vector cannot be skipped silently.
#
# Verdict: `strict_expect` when present (docs/behaviour.md, Decode rules;
# `either` accepts both), else
# `expect`. Format by kind: jwe-v4 and cookie → next-auth-v4, jwe-v5 → authjs-v5,
# jws-hs256 → jws. The request's headers go to `get`; a case about a token
# (any kind but `cookie`) is also checked with `decode` on the token alone.
# `enc_key_hex` is not checked here: the CLI does not print keys (unit tests do).

# shellcheck disable=SC2154 # v_* are set by vector_load (eval); stderr etc. by run
load helpers

setup_file() {
    vector_cache_build
}

setup() {
    clean_env
}

# _vector_sensitive — the values no output of a failure may carry: the secret,
# the token, session-like cookie values and Authorization words, and each of
# their dot-separated segments of 16 characters or more. One a line.
_vector_sensitive() {
    local s piece seg
    local -a pieces=()
    printf '%s\n' "$v_secret"
    [ -n "${v_has_token-}" ] && pieces+=("$v_token")
    if [ -n "${v_has_cookie_header-}" ]; then
        local IFS=';'
        for s in $v_cookie_header; do
            s=${s#*=}
            s=${s#"${s%%[! ]*}"}
            s=${s%"${s##*[! ]}"}
            s=${s#\"}
            s=${s%\"}
            [ "${#s}" -ge 12 ] && pieces+=("$s")
        done
        unset IFS
    fi
    if [ -n "${v_has_authorization-}" ]; then
        for s in $v_authorization; do
            [ "${#s}" -ge 12 ] && pieces+=("$s")
        done
    fi
    for piece in "${pieces[@]}"; do
        printf '%s\n' "$piece"
        local IFS='.'
        for seg in $piece; do
            [ "${#seg}" -ge 16 ] && printf '%s\n' "$seg"
        done
        unset IFS
    done
    return 0
}

# _judge VERDICT — check the last run against valid / invalid / either.
_judge() {
    local -a sensitive
    mapfile -t sensitive < <(_vector_sensitive)
    case $1 in
    valid)
        assert_valid_json "$v_claims"
        ;;
    invalid)
        assert_failure 1
        refute_leak "${sensitive[@]}"
        ;;
    either)
        if [ "$status" -eq 0 ]; then
            if [ -n "${v_has_claims-}" ]; then
                assert_valid_json "$v_claims"
            else
                assert_no_stderr
                [ "${#lines[@]}" -eq 1 ] && jq -e 'type == "object"' <<<"$output" >/dev/null ||
                    _fail "expected one JSON object on stdout"
            fi
        else
            assert_failure 1
            refute_leak "${sensitive[@]}"
        fi
        ;;
    *)
        _fail "unknown verdict '$1'"
        ;;
    esac
}

# check_vector NAME — run case NAME through the CLI and judge it. It runs in a
# subshell without bats' DEBUG trap, which otherwise costs ~0.5 ms for each
# shell command of the helpers (a failure still fails the test, with the
# helpers' own message).
check_vector() {
    (
        trap - DEBUG
        _check_vector "$@"
    )
}

_check_vector() {
    local v_has_token='' v_has_cookie_header='' v_has_authorization='' v_has_claims=''
    local v_has_strict_expect='' v_secure=false
    vector_load "$1" || _fail "no vector named '$1'"
    local verdict=$v_expect fmt
    [ -n "$v_has_strict_expect" ] && [ "$v_strict_expect" != null ] && verdict=$v_strict_expect
    case $v_kind in
    jwe-v4 | cookie) fmt=next-auth-v4 ;;
    jwe-v5) fmt=authjs-v5 ;;
    jws-hs256) fmt=jws ;;
    *) _fail "unknown kind '$v_kind'" ;;
    esac
    export NEXTAUTH_SECRET="$v_secret"

    local -a args=(--format "$fmt" --now "$v_now")
    if [ -n "$v_has_cookie_header" ] || [ -n "$v_has_authorization" ]; then
        [ "$v_secure" = true ] && args+=(--secure)
        [ -n "$v_has_cookie_header" ] && args+=(--cookie "$v_cookie_header")
        [ -n "$v_has_authorization" ] && args+=(--authorization "$v_authorization")
        run_cli get "${args[@]}"
        _judge "$verdict"
    else
        [ -n "$v_has_token" ] || _fail "case has no token and no header"
    fi

    # The token alone: the verdict is the token's for every kind but `cookie`
    # (whose verdict is about the header around a good token).
    if [ -n "$v_has_token" ] && [ "$v_kind" != cookie ]; then
        args=(--format "$fmt" --now "$v_now")
        if [ "$v_kind" = jwe-v5 ] && [ "$v_secure" = true ]; then
            args+=(--salt __Secure-authjs.session-token)
        fi
        run_cli decode "${args[@]}" "$v_token"
        _judge "$verdict"
    fi
}

@test "vectors: vector_get and vector_load read a case's fields" {
    [ "$(vector_get v5-valid-secure kind)" = jwe-v5 ]
    [ "$(vector_get v5-valid-secure secure)" = true ]
    [ "$(vector_get v5-valid-secure claims)" = "$(jq -c '.[] | select(.name == "v5-valid-secure") | .claims' "$VECTORS_JSON")" ]
    run vector_get no-such-case kind
    [ "$status" -ne 0 ]
    local v_has_quirk='' v_has_claims=''
    vector_load cookie-quirk-chunks-plus-unchunked
    [ "$v_kind" = cookie ] && [ "$v_strict_expect" = either ] && [ "$v_now" = 1767225600 ]
    [ -n "$v_has_quirk" ] && [ -z "$v_has_claims" ]
    [ "$v_cookie_header" = "$(vector_get cookie-quirk-chunks-plus-unchunked cookie_header)" ]
}

@test "vectors: this file has one test per case of nextauth-vectors.json" {
    local in_json in_bats
    in_json=$(vector_names | sort)
    in_bats=$(sed -n 's/^@test "vector \([^"]*\)" {.*/\1/p' "$BATS_TEST_FILENAME" | sort)
    [ -n "$in_json" ] || _fail "no case names in $VECTORS_JSON"
    [ "$(sort -u <<<"$in_json" | wc -l)" -eq "$(wc -l <<<"$in_json")" ] ||
        _fail "duplicate case names in the JSON"
    [ "$in_bats" = "$in_json" ] ||
        _fail "names differ (< JSON, > this file):" "$(diff <(echo "$in_json") <(echo "$in_bats"))"
}

@test "vector v4-valid-unicode-claims" { check_vector v4-valid-unicode-claims; }
@test "vector v4-valid-minimal-claims" { check_vector v4-valid-minimal-claims; }
@test "vector v4-valid-null-claims" { check_vector v4-valid-null-claims; }
@test "vector v4-valid-extra-claims" { check_vector v4-valid-extra-claims; }
@test "vector v4-valid-json-escapes" { check_vector v4-valid-json-escapes; }
@test "vector v4-valid-exp-in-10s-past" { check_vector v4-valid-exp-in-10s-past; }
@test "vector v4-valid-exp-boundary-14s" { check_vector v4-valid-exp-boundary-14s; }
@test "vector v4-valid-exp-equals-now" { check_vector v4-valid-exp-equals-now; }
@test "vector v4-valid-exp-fractional" { check_vector v4-valid-exp-fractional; }
@test "vector v4-invalid-expired-1-day" { check_vector v4-invalid-expired-1-day; }
@test "vector v4-valid-nbf-boundary-15s" { check_vector v4-valid-nbf-boundary-15s; }
@test "vector v4-invalid-nbf-boundary-16s" { check_vector v4-invalid-nbf-boundary-16s; }
@test "vector v4-valid-typical-at-day-29" { check_vector v4-valid-typical-at-day-29; }
@test "vector v4-invalid-iat-not-number" { check_vector v4-invalid-iat-not-number; }
@test "vector v4-valid-no-exp" { check_vector v4-valid-no-exp; }
@test "vector v4-invalid-flip-encrypted-key" { check_vector v4-invalid-flip-encrypted-key; }
@test "vector v4-invalid-flip-ciphertext" { check_vector v4-invalid-flip-ciphertext; }
@test "vector v4-invalid-flip-tag" { check_vector v4-invalid-flip-tag; }
@test "vector v4-invalid-six-segments" { check_vector v4-invalid-six-segments; }
@test "vector v4-invalid-alg-none-header" { check_vector v4-invalid-alg-none-header; }
@test "vector v4-invalid-header-missing-enc" { check_vector v4-invalid-header-missing-enc; }
@test "vector v4-invalid-enc-A128GCM" { check_vector v4-invalid-enc-A128GCM; }
@test "vector v4-quirk-enc-A128CBC-HS256-accepted" { check_vector v4-quirk-enc-A128CBC-HS256-accepted; }
@test "vector v4-valid-header-extra-members" { check_vector v4-valid-header-extra-members; }
@test "vector v4-invalid-payload-array" { check_vector v4-invalid-payload-array; }
@test "vector v4-invalid-payload-not-json" { check_vector v4-invalid-payload-not-json; }
@test "vector v4-quirk-b64-standard-alphabet" { check_vector v4-quirk-b64-standard-alphabet; }
@test "vector v4-quirk-b64-noncanonical-tag" { check_vector v4-quirk-b64-noncanonical-tag; }
@test "vector v4-quirk-b64-junk-char" { check_vector v4-quirk-b64-junk-char; }
@test "vector v4-invalid-v5-token" { check_vector v4-invalid-v5-token; }
@test "vector v4-invalid-hs256-jws" { check_vector v4-invalid-hs256-jws; }
@test "vector cookie-among-others-odd-spacing" { check_vector cookie-among-others-odd-spacing; }
@test "vector cookie-quoted-session-value" { check_vector cookie-quoted-session-value; }
@test "vector cookie-url-encoded-value" { check_vector cookie-url-encoded-value; }
@test "vector cookie-duplicate-name-first-valid" { check_vector cookie-duplicate-name-first-valid; }
@test "vector cookie-single-chunk-dot-0" { check_vector cookie-single-chunk-dot-0; }
@test "vector cookie-chunked-3" { check_vector cookie-chunked-3; }
@test "vector cookie-chunked-3-out-of-order" { check_vector cookie-chunked-3-out-of-order; }
@test "vector cookie-chunked-missing-middle" { check_vector cookie-chunked-missing-middle; }
@test "vector cookie-quirk-chunks-plus-unchunked" { check_vector cookie-quirk-chunks-plus-unchunked; }
@test "vector bearer-valid" { check_vector bearer-valid; }
@test "vector bearer-url-encoded" { check_vector bearer-url-encoded; }
@test "vector bearer-lowercase-scheme" { check_vector bearer-lowercase-scheme; }
@test "vector bearer-quirk-double-space" { check_vector bearer-quirk-double-space; }
@test "vector bearer-quirk-trailing-words" { check_vector bearer-quirk-trailing-words; }
@test "vector bearer-scheme-only" { check_vector bearer-scheme-only; }
@test "vector bearer-basic-scheme" { check_vector bearer-basic-scheme; }
@test "vector bearer-ignored-when-cookie-present" { check_vector bearer-ignored-when-cookie-present; }
@test "vector bearer-expired" { check_vector bearer-expired; }
@test "vector v5-valid" { check_vector v5-valid; }
@test "vector v5-valid-secure" { check_vector v5-valid-secure; }
@test "vector v5-invalid-wrong-secret" { check_vector v5-invalid-wrong-secret; }
@test "vector v5-invalid-v4-token" { check_vector v5-invalid-v4-token; }
@test "vector v5-invalid-wrong-kid" { check_vector v5-invalid-wrong-kid; }
@test "vector hs256-valid" { check_vector hs256-valid; }
@test "vector hs256-valid-unicode-claims" { check_vector hs256-valid-unicode-claims; }
@test "vector hs256-invalid-tampered-payload" { check_vector hs256-invalid-tampered-payload; }
@test "vector hs256-invalid-wrong-secret" { check_vector hs256-invalid-wrong-secret; }
@test "vector hs256-invalid-alg-none-with-hmac" { check_vector hs256-invalid-alg-none-with-hmac; }
@test "vector hs256-invalid-alg-HS512" { check_vector hs256-invalid-alg-HS512; }
@test "vector hs256-invalid-v4-jwe" { check_vector hs256-invalid-v4-jwe; }
@test "vector hs256-valid-chunked" { check_vector hs256-valid-chunked; }
