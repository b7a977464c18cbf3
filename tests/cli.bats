#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The nextauth-token CLI contract: usage, exit codes (0 ok, 1 invalid or missing
# token, 2 usage or configuration), the one-line "nextauth-token: <reason>" on
# failure that never carries a secret or a token, secret resolution (docs/behaviour.md, Secrets),
# encode/decode round trips, clock rules, the config file, and getToken's
# request reading (docs/behaviour.md, Reading the session from a request: cookie
# names, chunks, Bearer, caps).
# Every token is minted with a fixed --now; nothing sleeps or uses the network.

# shellcheck disable=SC2154 # status, output, lines, stderr: set by bats' run
load helpers

SECRET='cli-test-secret-7Qz4w9Xk2mPa'
NOW=1700000000
UUID4_RE='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

setup() {
    clean_env
    export NEXTAUTH_SECRET="$SECRET"
    # Values no failure may print: the secrets and every token minted (mint).
    SENSITIVE=("$SECRET")
}

# mint VAR ARGS... — VAR=$(nextauth-token encode ARGS...), failing the test when
# encode fails; the token joins SENSITIVE.
mint() {
    local __mint_var=$1 __mint_tok
    shift
    __mint_tok=$(cli encode "$@") || _fail "setup: encode $* failed"
    [ -n "$__mint_tok" ] || _fail "setup: encode $* printed nothing"
    printf -v "$__mint_var" '%s' "$__mint_tok"
    SENSITIVE+=("$__mint_tok")
}

# fails CODE [PREFIX] — the failure shape (exit CODE, no stdout, one
# "nextauth-token: PREFIX…" line) and no secret or token in the output.
fails() {
    assert_failure "$@"
    refute_leak "${SENSITIVE[@]}"
}

# b64url_decode TEXT — the bytes of an unpadded base64url segment.
b64url_decode() {
    local s=${1//-/+}
    s=${s//_//}
    while ((${#s} % 4)); do s+='='; done
    printf '%s' "$s" | base64 -d
}

# segments TOKEN — the number of dot-separated segments.
segments() {
    local dots=${1//[^.]/}
    echo $((${#dots} + 1))
}

# chunk_cookies NAME TOKEN N [ORDER...] — a Cookie header carrying TOKEN as N
# chunks NAME.0 … NAME.(N-1) of equal size (the last shorter), in ORDER (a list
# of chunk numbers; default 0..N-1), each followed by "; ".
chunk_cookies() {
    local name=$1 tok=$2 n=$3 size i out=''
    shift 3
    size=$(((${#tok} + n - 1) / n))
    local -a order=("$@")
    [ "${#order[@]}" -gt 0 ] || mapfile -t order < <(seq 0 $((n - 1)))
    for i in "${order[@]}"; do
        out+="$name.$i=${tok:i*size:size}; "
    done
    printf '%s' "$out"
}

# --- usage ------------------------------------------------------------------

@test "--help: exit 0, usage on stdout naming every command, nothing on stderr" {
    local flag
    for flag in --help -h help; do
        run_cli "$flag"
        assert_status 0
        assert_no_stderr
        [[ ${lines[0]} == "Usage: nextauth-token COMMAND"* ]] || _fail "first line is not the usage line"
        local cmd
        for cmd in decode get encode secret; do
            grep -qE "^  $cmd( |$)" <<<"$output" || _fail "--help does not describe '$cmd'"
        done
        [[ $output == *"Exit status: 0 success, 1 invalid or missing token, 2 usage or configuration"* ]] ||
            _fail "--help does not state the exit codes"
    done
}

@test "--version: 'nextauth-token <Makefile VERSION>'" {
    local version
    version=$(sed -n 's/^VERSION *:= *//p' "$REPO_ROOT/Makefile")
    [ -n "$version" ]
    run_cli --version
    assert_status 0
    assert_output "nextauth-token $version"
    assert_no_stderr
}

@test "usage errors exit 2 with one 'nextauth-token: ' line" {
    run_cli
    fails 2 "no command"
    run_cli frobnicate
    fails 2 "unknown command 'frobnicate'"
    run_cli decode --bogus x
    fails 2 "unknown option or missing value: '--bogus'"
    run_cli decode -x tok
    fails 2 "unknown option or missing value: '-x'"
    run_cli decode --format
    fails 2 "unknown option or missing value: '--format'"
    run_cli decode
    fails 2 "decode takes exactly one argument"
    run_cli decode a b
    fails 2 "decode takes exactly one argument"
    run_cli get extra
    fails 2 "get takes no argument"
    run_cli decode --format jwt x
    fails 2 "unknown format 'jwt'"
    run_cli decode --now soon x
    fails 2 "--now takes unix seconds"
    run_cli decode --now -1 x
    fails 2 "--now takes unix seconds"
    run_cli encode --max-age forever '{}'
    fails 2 "--max-age takes a number of seconds"
    run_cli decode --cookie 'a=b' x
    fails 2 "--cookie, --authorization, --secure and --cookie-name go with get"
    run_cli decode --secure x
    fails 2 "--cookie, --authorization, --secure and --cookie-name go with get"
    run_cli decode --max-age 5 x
    fails 2 "--max-age goes with encode"
    run_cli secret extra
    fails 2 "secret takes no argument"
}

# --- secret -------------------------------------------------------------------

@test "secret: 44 base64 characters decoding to 32 bytes; two calls differ" {
    run_cli secret
    assert_status 0
    assert_no_stderr
    [[ $output =~ ^[A-Za-z0-9+/]{43}=$ ]] || _fail "not 44 characters of padded base64"
    _raw_is "$BATS_TEST_TMPDIR/cli.stdout" "$output" || _fail "not exactly one line"
    [ "$(printf '%s' "$output" | base64 -d | wc -c)" -eq 32 ] || _fail "does not decode to 32 bytes"
    local first=$output
    run_cli secret
    assert_status 0
    [[ $output =~ ^[A-Za-z0-9+/]{43}=$ ]] || _fail "not 44 characters of padded base64"
    [ "$output" != "$first" ] || _fail "two calls gave the same secret"
}

@test "secret needs no configured secret" {
    unset NEXTAUTH_SECRET
    run_cli secret
    assert_status 0
    assert_no_stderr
}

# --- where the secret comes from (docs/behaviour.md, Secrets) ---------------------

@test "no secret anywhere: exit 2, 'no secret' (decode, get and encode)" {
    unset NEXTAUTH_SECRET AUTH_SECRET
    run_cli decode --now "$NOW" abc.def.ghi
    fails 2 "no secret"
    run_cli get --now "$NOW" --cookie "next-auth.session-token=abc"
    fails 2 "no secret"
    run_cli encode --now "$NOW" '{"sub":"x"}'
    fails 2 "no secret"
}

@test "an empty --secret is refused: exit 2" {
    run_cli decode --secret '' --now "$NOW" abc
    fails 2 "--secret: empty secret"
    run_cli encode --secret '' '{}'
    fails 2 "--secret: empty secret"
}

@test "NEXTAUTH_SECRET decodes a token made with that secret" {
    local tok
    mint tok --secret "$SECRET" --now "$NOW" '{"sub":"env"}'
    export NEXTAUTH_SECRET="$SECRET"
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = env ]
    export NEXTAUTH_SECRET=another-secret-entirely
    run_cli decode --now "$NOW" "$tok"
    fails 1 "decryption failed"
}

@test "AUTH_SECRET is used when NEXTAUTH_SECRET is unset" {
    local tok
    mint tok --secret auth-secret-value-1234 --now "$NOW" '{"sub":"auth"}'
    SENSITIVE+=(auth-secret-value-1234)
    unset NEXTAUTH_SECRET
    export AUTH_SECRET=auth-secret-value-1234
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = auth ]
}

@test "NEXTAUTH_SECRET wins over AUTH_SECRET" {
    local tok
    mint tok --secret "$SECRET" --now "$NOW" '{"sub":"first"}'
    export NEXTAUTH_SECRET="$SECRET" AUTH_SECRET=auth-secret-value-1234
    SENSITIVE+=(auth-secret-value-1234)
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = first ]
}

@test "NEXTAUTH_SECRET='' fails closed (exit 2) even with AUTH_SECRET set" {
    export NEXTAUTH_SECRET='' AUTH_SECRET=auth-secret-value-1234
    SENSITIVE+=(auth-secret-value-1234)
    run_cli decode --now "$NOW" abc
    fails 2 "NEXTAUTH_SECRET: empty secret"
}

@test "--secret wins over NEXTAUTH_SECRET" {
    local tok
    mint tok --secret option-secret-5678 --now "$NOW" '{"sub":"opt"}'
    SENSITIVE+=(option-secret-5678)
    run_cli decode --secret option-secret-5678 --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = opt ]
}

@test "an unexpanded '\${NEXTAUTH_SECRET}' or '\$AUTH_SECRET' secret is refused: exit 2" {
    run_cli decode --secret '${NEXTAUTH_SECRET}' --now "$NOW" abc
    fails 2 "--secret: "
    run_cli encode --secret '$AUTH_SECRET' '{}'
    fails 2 "--secret: "
    export NEXTAUTH_SECRET='${NEXTAUTH_SECRET}'
    run_cli decode --now "$NOW" abc
    fails 2 "NEXTAUTH_SECRET: "
}

# --- standard input -----------------------------------------------------------

@test "decode - reads the token from stdin, with or without a trailing newline" {
    local tok
    mint tok --now "$NOW" '{"sub":"stdin"}'
    printf '%s\n' "$tok" >"$BATS_TEST_TMPDIR/nl"
    printf '%s' "$tok" >"$BATS_TEST_TMPDIR/nonl"
    printf '%s\r\n' "$tok" >"$BATS_TEST_TMPDIR/crlf"
    local f
    for f in nl nonl crlf; do
        run_cli decode --now "$NOW" - <"$BATS_TEST_TMPDIR/$f"
        assert_status 0
        assert_no_stderr
        [ "$(jq -r .sub <<<"$output")" = stdin ] || _fail "($f) wrong claims"
    done
}

@test "decode - with empty stdin: exit 1 'empty token'" {
    run_cli decode --now "$NOW" - </dev/null
    fails 1 "empty token"
}

@test "encode - reads the claims from stdin" {
    run_cli encode --now "$NOW" - <<<'{"sub":"from-stdin"}'
    assert_status 0
    assert_no_stderr
    local tok=$output
    SENSITIVE+=("$tok")
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = from-stdin ]
}

@test "get --cookie - reads the Cookie header from stdin" {
    local tok
    mint tok --now "$NOW" '{"sub":"hdr"}'
    run_cli get --now "$NOW" --cookie - <<<"theme=dark; next-auth.session-token=$tok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = hdr ]
}

@test "get --authorization - reads the Authorization header from stdin" {
    local tok
    mint tok --now "$NOW" '{"sub":"bearer-stdin"}'
    run_cli get --now "$NOW" --authorization - <<<"Bearer $tok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = bearer-stdin ]
}

@test "get --cookie - --authorization -: exit 2 (only one can read stdin)" {
    run_cli get --now "$NOW" --cookie - --authorization - </dev/null
    fails 2 "only one argument can be read from standard input"
}

# --- encode / decode round trips ------------------------------------------------

# roundtrip FORMAT — mint with --format FORMAT at $NOW and decode it back: the
# claims plus iat = NOW, exp = NOW + 30 days, a fresh UUID v4 jti, exactly.
roundtrip() {
    local fmt=$1 tok jti
    mint tok --format "$fmt" --now "$NOW" '{"sub":"user-1","name":"Ada","roles":["a","b"],"n":null}'
    run_cli decode --format "$fmt" --now "$NOW" "$tok"
    assert_status 0
    assert_no_stderr
    jti=$(jq -r .jti <<<"$output")
    [[ $jti =~ $UUID4_RE ]] || _fail "jti '$jti' is not a lowercase UUID v4"
    assert_output '{"sub":"user-1","name":"Ada","roles":["a","b"],"n":null,"iat":1700000000,"exp":1702592000,"jti":"'"$jti"'"}'
    TOKEN=$tok
}

@test "encode/decode round trip: next-auth-v4 (JWE dir/A256GCM, exact header)" {
    roundtrip next-auth-v4
    [ "$(segments "$TOKEN")" -eq 5 ] || _fail "not 5 segments"
    # the v4 protected header, byte for byte (docs/behaviour.md, Constants)
    [ "${TOKEN%%.*}" = eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0 ] || _fail "v4 header differs"
    local rest=${TOKEN#*.}
    [ "${rest%%.*}" = "" ] || _fail "encrypted key segment not empty"
    # the default format is next-auth-v4
    run_cli decode --now "$NOW" "$TOKEN"
    assert_status 0
}

@test "encode/decode round trip: authjs-v5 (JWE dir/A256CBC-HS512 with kid)" {
    roundtrip authjs-v5
    [ "$(segments "$TOKEN")" -eq 5 ] || _fail "not 5 segments"
    local header
    header=$(b64url_decode "${TOKEN%%.*}")
    [ "$(jq -c 'del(.kid)' <<<"$header")" = '{"alg":"dir","enc":"A256CBC-HS512"}' ] ||
        _fail "v5 header: $header"
    [ "$(jq -r '.kid | type' <<<"$header")" = string ] || _fail "v5 header has no kid"
    [ "$(jq -c 'keys_unsorted' <<<"$header")" = '["alg","enc","kid"]' ] || _fail "v5 header order"
    # a v5 token is not a v4 one
    run_cli decode --format next-auth-v4 --now "$NOW" "$TOKEN"
    fails 1
}

@test "encode/decode round trip: jws (HS256 JWT)" {
    roundtrip jws
    [ "$(segments "$TOKEN")" -eq 3 ] || _fail "not 3 segments"
    local header
    header=$(b64url_decode "${TOKEN%%.*}")
    [ "$(jq -r .alg <<<"$header")" = HS256 ] || _fail "jws header: $header"
    run_cli decode --format next-auth-v4 --now "$NOW" "$TOKEN"
    fails 1
}

@test "encode: two tokens of the same claims differ (fresh IV and jti)" {
    local a b
    mint a --now "$NOW" '{"sub":"same"}'
    mint b --now "$NOW" '{"sub":"same"}'
    [ "$a" != "$b" ]
    run_cli decode --now "$NOW" "$a"
    local ja
    ja=$(jq -r .jti <<<"$output")
    run_cli decode --now "$NOW" "$b"
    [ "$ja" != "$(jq -r .jti <<<"$output")" ] || _fail "same jti twice"
}

@test "encode: exp - iat is 2592000 by default, 60 with --max-age 60; --now sets iat" {
    local tok
    mint tok --now "$NOW" '{}'
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -c '[.iat, .exp - .iat]' <<<"$output")" = "[$NOW,2592000]" ] || _fail "default max-age"
    mint tok --now "$NOW" --max-age 60 '{}'
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -c '[.iat, .exp - .iat]' <<<"$output")" = "[$NOW,60]" ] || _fail "--max-age 60"
}

@test "encode without --now uses the clock" {
    local before after tok
    before=$(date +%s)
    mint tok '{}'
    after=$(date +%s)
    run_cli decode "$tok"
    assert_status 0
    local iat
    iat=$(jq .iat <<<"$output")
    [ "$iat" -ge "$before" ] && [ "$iat" -le "$after" ] || _fail "iat $iat not in [$before, $after]"
    [ "$(jq '.exp - .iat' <<<"$output")" -eq 2592000 ] || _fail "exp - iat"
}

@test "encode: config session.maxAge sets the default lifetime" {
    unset NEXTAUTH_SECRET
    printf '{"secret":"%s","session":{"maxAge":3600}}' "$SECRET" >"$BATS_TEST_TMPDIR/c.json"
    local tok
    mint tok --config "$BATS_TEST_TMPDIR/c.json" --now "$NOW" '{}'
    run_cli decode --config "$BATS_TEST_TMPDIR/c.json" --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq '.exp - .iat' <<<"$output")" -eq 3600 ] || _fail "session.maxAge not used"
}

@test "encode: an existing exp keeps its position (keys a, exp, b, iat, jti)" {
    local tok jti
    mint tok --now "$NOW" '{"a":1,"exp":5,"b":2}'
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -c keys_unsorted <<<"$output")" = '["a","exp","b","iat","jti"]' ] || _fail "key order"
    jti=$(jq -r .jti <<<"$output")
    assert_output '{"a":1,"exp":1702592000,"b":2,"iat":1700000000,"jti":"'"$jti"'"}'
}

@test "encode: existing iat and jti get new values in place (as next-auth's encode)" {
    local tok
    mint tok --now "$NOW" '{"iat":5,"jti":"mine","x":1}'
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -c keys_unsorted <<<"$output")" = '["iat","jti","x","exp"]' ] || _fail "key order"
    [ "$(jq .iat <<<"$output")" -eq "$NOW" ] || _fail "iat not replaced"
    [[ $(jq -r .jti <<<"$output") =~ $UUID4_RE ]] || _fail "jti not replaced by a UUID v4"
}

@test "encode: claims that are not a JSON object: exit 2" {
    local bad
    for bad in '{"a":' '[1,2]' '"sub"' 'null' '' '{"a":1,"a":2}'; do
        run_cli encode --now "$NOW" "$bad"
        fails 2 "CLAIMS_JSON must be a JSON object"
    done
}

@test "encode: bad claims JSON: the kind and place of the error, never the text" {
    local -a cases=(
        '{"sub":"MARKER-7f3a'$'\t''unexpected end of file at line 1, column 19 (byte 19)'
        '{"sub" MARKER-7f3a}'$'\t''syntax error at line 1, column 13 (byte 13)'
        'MARKER-7f3a'$'\t''syntax error at line 1, column 6 (byte 6)'
        '{"MARKER-7f3a":1,"MARKER-7f3a":2}'$'\t''duplicate key at line 1, column 30 (byte 30)'
        '{"a":1} MARKER-7f3a'$'\t''text after the closing brace at line 1, column 14 (byte 14)'
        $'{"a":\n  MARKER-7f3a}\t''syntax error at line 2, column 8 (byte 14)'
        '{"a":"MARKER-7f3a\u0000"}'$'\t''NUL character at line 1, column 24 (byte 24)'
    )
    local c json want
    for c in "${cases[@]}"; do
        json=${c%%$'\t'*} want=${c#*$'\t'}
        run_cli encode --now "$NOW" "$json"
        assert_failure 2
        assert_stderr "nextauth-token: CLAIMS_JSON must be a JSON object: $want"
        refute_leak MARKER
        # the same from standard input
        printf '%s' "$json" >"$BATS_TEST_TMPDIR/claims"
        run_cli encode --now "$NOW" - <"$BATS_TEST_TMPDIR/claims"
        assert_stderr "nextauth-token: CLAIMS_JSON must be a JSON object: $want"
        refute_leak MARKER
    done
    run_cli encode --now "$NOW" '["MARKER-7f3a"]'
    assert_failure 2
    assert_stderr "nextauth-token: CLAIMS_JSON must be a JSON object"
    refute_leak MARKER
}

@test "usage errors never quote a value: option values, and commands or formats that are not words" {
    run_cli decode --secrt=MARKER-7f3a tok
    assert_failure 2
    assert_stderr "nextauth-token: unknown option or missing value: '--secrt' (see --help)"
    refute_leak MARKER
    run_cli decode -xMARKER tok
    assert_failure 2
    assert_stderr "nextauth-token: unknown option or missing value (see --help)"
    refute_leak MARKER
    # a token-shaped command: a JWE protected header, then MARKER
    run_cli "$(printf '%s' '{"alg":"dir","enc":"A256GCM"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')..MARKER"
    assert_failure 2
    assert_stderr "nextauth-token: unknown command (decode, get, encode, revoke, secret, check; see --help)"
    refute_leak MARKER eyJ
    run_cli decode --format 'MARKER.7f3a' x
    assert_failure 2
    assert_stderr "nextauth-token: unknown format (next-auth-v4, authjs-v5 or jws)"
    refute_leak MARKER
    # a control byte in what a message names (here a config key) cannot split the line
    local cfg="$BATS_TEST_TMPDIR/c.json"
    printf '{"bogus\\nKey\\u001b[31m":1}' >"$cfg"
    run_cli decode --config "$cfg" x
    assert_failure 2
    assert_stderr "nextauth-token: config $cfg: unknown key \"bogus?Key?[31m\""
}

@test "decode: the v4 known-answer token (docs/behaviour.md) gives its claims byte for byte" {
    export NEXTAUTH_SECRET=test-secret
    SENSITIVE+=(test-secret)
    run_cli decode --now "$NOW" 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAECAwQFBgcICQoL.mWGZN0spOpy6YzgLmPJdw_atzbh9B3dbyQN_7b1mYyE4nopMR9sux3W2WwpCWNW7Q810nZ1MZDTgRau4X_Ttozy6N0AdfuIvWWKJEiIl0NrCm83HG59OdQO1S1BzlAt0-l21bwro_abHx1CL9Jo9efURAT44Y8kwfVk30QgbGCxI7uSAc0GKjO3FCa7fSnowfHCdHHohj6Xk.G2FkM9iuM3PfKct1YihW2g'
    assert_status 0
    assert_no_stderr
    assert_output '{"name":"Alice","email":"alice@example.com","picture":null,"sub":"user-1","iat":1700000000,"exp":4102444800,"jti":"00000000-0000-4000-8000-000000000000"}'
}

# --- time -----------------------------------------------------------------------

@test "expired token (encode --max-age -100): exit 1 'token expired'" {
    local tok
    mint tok --now "$NOW" --max-age -100 '{"sub":"old"}'
    run_cli decode --now "$NOW" "$tok"
    fails 1 "token expired"
    # and on the real clock
    mint tok --max-age -100 '{"sub":"old"}'
    run_cli decode "$tok"
    fails 1 "token expired"
}

@test "--now boundaries: exp = now-14 valid, exp = now-15 expired" {
    local tok
    mint tok --now "$NOW" --max-age 60 '{"sub":"b"}' # exp = NOW + 60
    run_cli decode --now $((NOW + 60 + 14)) "$tok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = b ]
    run_cli decode --now $((NOW + 60 + 15)) "$tok"
    fails 1 "token expired"
    run_cli get --now $((NOW + 60 + 14)) --cookie "next-auth.session-token=$tok"
    assert_status 0
    run_cli get --now $((NOW + 60 + 15)) --cookie "next-auth.session-token=$tok"
    fails 1 "token expired"
}

# --- config file ------------------------------------------------------------------

@test "--config FILE: its secret and jwt.format are used" {
    unset NEXTAUTH_SECRET
    local cfg=$BATS_TEST_TMPDIR/jws.json tok
    printf '{"secret":"%s","jwt":{"format":"jws"}}\n' "$SECRET" >"$cfg"
    mint tok --config "$cfg" --now "$NOW" '{"sub":"cfg"}'
    [ "$(segments "$tok")" -eq 3 ] || _fail "config format jws not used for encode"
    run_cli decode --config "$cfg" --now "$NOW" "$tok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = cfg ]
    run_cli decode --format jws --secret "$SECRET" --now "$NOW" "$tok"
    assert_status 0
}

@test "NEXTAUTH_CONFIG names the config file; --config wins over it" {
    unset NEXTAUTH_SECRET
    local cfg=$BATS_TEST_TMPDIR/jws.json tok
    printf '{"secret":"%s","jwt":{"format":"jws"}}\n' "$SECRET" >"$cfg"
    export NEXTAUTH_CONFIG=$cfg
    mint tok --now "$NOW" '{"sub":"envcfg"}'
    [ "$(segments "$tok")" -eq 3 ] || _fail "NEXTAUTH_CONFIG not read"
    run_cli decode --now "$NOW" "$tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = envcfg ]
    export NEXTAUTH_CONFIG=$BATS_TEST_TMPDIR/does-not-exist.json
    run_cli decode --config "$cfg" --now "$NOW" "$tok"
    assert_status 0
    run_cli decode --now "$NOW" "$tok"
    fails 2 "config $BATS_TEST_TMPDIR/does-not-exist.json"
}

@test "config secret wins over NEXTAUTH_SECRET" {
    local cfg=$BATS_TEST_TMPDIR/c.json tok
    printf '{"secret":"config-secret-9876"}' >"$cfg"
    SENSITIVE+=(config-secret-9876)
    export NEXTAUTH_SECRET="$SECRET"
    mint tok --config "$cfg" --now "$NOW" '{"sub":"c"}'
    run_cli decode --secret config-secret-9876 --now "$NOW" "$tok"
    assert_status 0
    run_cli decode --now "$NOW" "$tok"
    fails 1
}

@test "config: an unknown key is exit 2 and the message names it" {
    local cfg=$BATS_TEST_TMPDIR/c.json
    printf '{"secret":"%s","bogusKey":1}' "$SECRET" >"$cfg"
    run_cli decode --config "$cfg" --now "$NOW" abc
    fails 2 "config $cfg"
    [[ $stderr == *bogusKey* ]] || _fail "the key is not named"
    printf '{"secret":"%s","jwt":{"formatt":"jws"}}' "$SECRET" >"$cfg"
    run_cli decode --config "$cfg" --now "$NOW" abc
    fails 2 "config $cfg"
    [[ $stderr == *jwt.formatt* ]] || _fail "the nested key is not named"
}

@test "config: bad JSON is exit 2 with line:col, without the secret's text" {
    local cfg=$BATS_TEST_TMPDIR/c.json
    printf '{"secret": "%s",\n  "jwt": {"format": "jws",}}\n' "$SECRET" >"$cfg"
    run_cli decode --config "$cfg" --now "$NOW" abc
    fails 2 "config $cfg:2:"
    [[ $stderr =~ ^nextauth-token:\ config\ .*:2:[0-9]+:\  ]] || _fail "no line:col"
    # an unterminated string: the parser stops inside the secret
    printf '{"secret": "%s}\n' "$SECRET" >"$cfg"
    run_cli decode --config "$cfg" --now "$NOW" abc
    fails 2 "config $cfg:1:"
    [[ $stderr != *"${SECRET:0:8}"* ]] || _fail "message quotes the secret"
    printf '{"secret": "%s" "%s"}\n' "$SECRET" "$SECRET" >"$cfg"
    run_cli decode --config "$cfg" --now "$NOW" abc
    fails 2 "config $cfg:1:"
    [[ $stderr != *"${SECRET:0:8}"* ]] || _fail "message quotes the secret"
}

@test "config: a missing file is exit 2" {
    run_cli decode --config "$BATS_TEST_TMPDIR/nope.json" --now "$NOW" abc
    fails 2 "config $BATS_TEST_TMPDIR/nope.json"
}

@test "config secretFile with two secrets: both decode, the first encodes" {
    unset NEXTAUTH_SECRET
    local cfg=$BATS_TEST_TMPDIR/c.json first=rotation-first-secret-1111 second=rotation-second-secret-2222
    SENSITIVE+=("$first" "$second")
    printf '%s\n%s\n' "$first" "$second" >"$BATS_TEST_TMPDIR/secrets"
    printf '{"secretFile":"%s"}' "$BATS_TEST_TMPDIR/secrets" >"$cfg"
    local t2 t1
    mint t2 --secret "$second" --now "$NOW" '{"sub":"old-secret"}'
    run_cli decode --config "$cfg" --now "$NOW" "$t2"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = old-secret ]
    mint t1 --config "$cfg" --now "$NOW" '{"sub":"new"}'
    run_cli decode --secret "$first" --now "$NOW" "$t1"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = new ]
    run_cli decode --secret "$second" --now "$NOW" "$t1"
    fails 1
}

@test "config secret array: rotation as with secretFile" {
    unset NEXTAUTH_SECRET
    local cfg=$BATS_TEST_TMPDIR/c.json first=rotation-first-secret-1111 second=rotation-second-secret-2222
    SENSITIVE+=("$first" "$second")
    printf '{"secret":["%s","%s"],"jwt":{"format":"authjs-v5"}}' "$first" "$second" >"$cfg"
    local t2 t1
    mint t2 --format authjs-v5 --secret "$second" --now "$NOW" '{"sub":"old-secret"}'
    run_cli decode --config "$cfg" --now "$NOW" "$t2"
    assert_status 0
    mint t1 --config "$cfg" --now "$NOW" '{"sub":"new"}'
    run_cli decode --format authjs-v5 --secret "$first" --now "$NOW" "$t1"
    assert_status 0
    run_cli decode --format authjs-v5 --secret "$second" --now "$NOW" "$t1"
    fails 1
}

@test "config: secret and secretFile together are refused (exit 2)" {
    printf '%s\n' "$SECRET" >"$BATS_TEST_TMPDIR/secrets"
    printf '{"secret":"%s","secretFile":"%s"}' "$SECRET" "$BATS_TEST_TMPDIR/secrets" >"$BATS_TEST_TMPDIR/c.json"
    run_cli decode --config "$BATS_TEST_TMPDIR/c.json" --now "$NOW" abc
    fails 2 "config "
}

# --- get: cookies, chunks, Bearer (docs/behaviour.md, Reading the session from a request) ------

@test "get: a chunked cookie (.0/.1/.2 of 3933 chars, shuffled, among others) is joined" {
    local blob claims tok
    blob=$(printf 'x%.0s' $(seq 1 8000))
    claims="{\"sub\":\"big\",\"blob\":\"$blob\"}"
    [ "${#claims}" -gt 8000 ]
    mint tok --now "$NOW" "$claims"
    [ "${#tok}" -gt $((2 * 3933)) ] && [ "${#tok}" -le $((3 * 3933)) ] || _fail "token of ${#tok} chars is not 3 chunks"
    local n=next-auth.session-token
    local c0=${tok:0:3933} c1=${tok:3933:3933} c2=${tok:7866}
    run_cli get --now "$NOW" --cookie "a=1; $n.2=$c2; theme=dark; $n.0=$c0;$n.1=$c1"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r '.sub + (.blob | length | tostring)' <<<"$output")" = big8000 ] || _fail "wrong claims"
    # the same from stdin
    run_cli get --now "$NOW" --cookie - <<<"$n.1=$c1; $n.0=$c0; $n.2=$c2"
    assert_status 0
}

@test "get: an unchunked cookie next to chunks: exit 1" {
    local tok
    mint tok --now "$NOW" '{"sub":"x"}'
    local n=next-auth.session-token
    run_cli get --now "$NOW" --cookie "$n=$tok; $(chunk_cookies "$n" "$tok" 2)"
    fails 1
}

@test "get: 16 chunks are joined, 17 are refused ('more than 16 chunks')" {
    local tok
    mint tok --now "$NOW" '{"sub":"many"}'
    run_cli get --now "$NOW" --cookie "$(chunk_cookies next-auth.session-token "$tok" 16 15 3 0 1 2 4 5 6 7 8 9 10 11 12 13 14)"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = many ]
    run_cli get --now "$NOW" --cookie "$(chunk_cookies next-auth.session-token "$tok" 17)"
    fails 1 "session cookie has more than 16 chunks"
}

@test "get --cookie-name custom reads that cookie and not the default one" {
    local tok
    mint tok --now "$NOW" '{"sub":"custom"}'
    run_cli get --now "$NOW" --cookie-name custom --cookie "next-auth.session-token=junk; custom=$tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = custom ]
    run_cli get --now "$NOW" --cookie-name custom --cookie "next-auth.session-token=$tok"
    fails 1 "no session token"
    run_cli get --now "$NOW" --cookie-name custom --cookie "$(chunk_cookies custom "$tok" 2 1 0)"
    assert_status 0
}

@test "config cookies.sessionToken.name sets the cookie name" {
    unset NEXTAUTH_SECRET
    printf '{"secret":"%s","cookies":{"sessionToken":{"name":"my-session"}}}' "$SECRET" >"$BATS_TEST_TMPDIR/c.json"
    local tok
    mint tok --config "$BATS_TEST_TMPDIR/c.json" --now "$NOW" '{"sub":"named"}'
    run_cli get --config "$BATS_TEST_TMPDIR/c.json" --now "$NOW" --cookie "my-session=$tok"
    assert_status 0
    run_cli get --config "$BATS_TEST_TMPDIR/c.json" --now "$NOW" --cookie "next-auth.session-token=$tok"
    fails 1 "no session token"
}

@test "get --secure reads __Secure-next-auth.session-token and not the plain name" {
    local tok
    mint tok --now "$NOW" '{"sub":"sec"}'
    run_cli get --now "$NOW" --secure --cookie "__Secure-next-auth.session-token=$tok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = sec ]
    run_cli get --now "$NOW" --secure --cookie "next-auth.session-token=$tok"
    fails 1 "no session token"
    run_cli get --now "$NOW" --secure --cookie "next-auth.session-token=junk; __Secure-next-auth.session-token=$tok"
    assert_status 0
    # and without --secure the __Secure- cookie is not read
    run_cli get --now "$NOW" --cookie "__Secure-next-auth.session-token=$tok"
    fails 1 "no session token"
}

@test "secure cookie names follow NEXTAUTH_URL=https://…" {
    local tok
    mint tok --now "$NOW" '{"sub":"https"}'
    export NEXTAUTH_URL=https://app.example.com
    run_cli get --now "$NOW" --cookie "__Secure-next-auth.session-token=$tok"
    assert_status 0
    run_cli get --now "$NOW" --cookie "next-auth.session-token=$tok"
    fails 1 "no session token"
    export NEXTAUTH_URL=http://localhost:3000
    run_cli get --now "$NOW" --cookie "next-auth.session-token=$tok"
    assert_status 0
}

@test "authjs-v5: the cookie name is the salt (plain and __Secure-)" {
    local tok stok
    mint tok --format authjs-v5 --now "$NOW" '{"sub":"v5"}'
    run_cli get --format authjs-v5 --now "$NOW" --cookie "authjs.session-token=$tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = v5 ]
    mint stok --format authjs-v5 --salt __Secure-authjs.session-token --now "$NOW" '{"sub":"v5s"}'
    run_cli get --format authjs-v5 --secure --now "$NOW" --cookie "__Secure-authjs.session-token=$stok"
    assert_status 0
    assert_no_stderr
    [ "$(jq -r .sub <<<"$output")" = v5s ]
    # a token salted with the plain name does not open under the __Secure- name
    run_cli get --format authjs-v5 --secure --now "$NOW" --cookie "__Secure-authjs.session-token=$tok"
    fails 1
    run_cli decode --format authjs-v5 --salt __Secure-authjs.session-token --now "$NOW" "$stok"
    assert_status 0
}

@test "get: Bearer is read only when there is no session cookie" {
    local tok
    mint tok --now "$NOW" '{"sub":"bearer"}'
    run_cli get --now "$NOW" --authorization "Bearer $tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = bearer ]
    run_cli get --now "$NOW" --cookie "theme=dark; other=1" --authorization "Bearer $tok"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = bearer ]
    run_cli get --now "$NOW" --cookie "next-auth.session-token=stale-garbage" --authorization "Bearer $tok"
    fails 1
    local ctok
    mint ctok --now "$NOW" '{"sub":"cookie"}'
    run_cli get --now "$NOW" --cookie "next-auth.session-token=$ctok" --authorization "Bearer not-a-token"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = cookie ]
}

@test "get with no headers at all: exit 1 'no session token'" {
    run_cli get --now "$NOW"
    fails 1 "no session token"
}

@test "get: a 70 000-byte Cookie header: exit 1 'longer than' (argument and stdin)" {
    local tok pad
    mint tok --now "$NOW" '{"sub":"x"}'
    pad=$(printf '%070000d' 0)
    run_cli get --now "$NOW" --cookie "next-auth.session-token=$tok; pad=$pad"
    fails 1 "Cookie header longer than"
    printf 'next-auth.session-token=%s; pad=%s\n' "$tok" "$pad" >"$BATS_TEST_TMPDIR/hdr"
    run_cli get --now "$NOW" --cookie - <"$BATS_TEST_TMPDIR/hdr"
    fails 1 "Cookie header longer than"
}

@test "get: a Cookie header of exactly 65536 bytes is read (argument, stdin with LF)" {
    local tok pre pad hdr
    mint tok --now "$NOW" '{"sub":"edge"}'
    pre="next-auth.session-token=$tok; pad="
    pad=$(printf "%0$((65536 - ${#pre}))d" 0)
    hdr=$pre$pad
    [ "${#hdr}" -eq 65536 ]
    run_cli get --now "$NOW" --cookie "$hdr"
    assert_status 0
    run_cli get --now "$NOW" --cookie "${hdr}0"
    fails 1 "Cookie header longer than"
    printf '%s\n' "$hdr" >"$BATS_TEST_TMPDIR/hdr"
    run_cli get --now "$NOW" --cookie - <"$BATS_TEST_TMPDIR/hdr"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = edge ]
}

@test "get: a Cookie header of exactly 65536 bytes is read from stdin with CRLF" {
    local tok pre pad hdr
    mint tok --now "$NOW" '{"sub":"edge"}'
    pre="next-auth.session-token=$tok; pad="
    pad=$(printf "%0$((65536 - ${#pre}))d" 0)
    hdr=$pre$pad
    printf '%s\r\n' "$hdr" >"$BATS_TEST_TMPDIR/hdr"
    run_cli get --now "$NOW" --cookie - <"$BATS_TEST_TMPDIR/hdr"
    assert_status 0
    [ "$(jq -r .sub <<<"$output")" = edge ]
}
