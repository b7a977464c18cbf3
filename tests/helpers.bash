# SPDX-License-Identifier: MIT
# Shared helpers for the bats suites (`load helpers`). bats-core 1.8 has no
# bats-assert, so the few assertions we need live here. Every assertion prints
# what it expected and what it got, then fails.

# shellcheck disable=SC2154 # status, output, lines, stderr, stderr_lines: set by bats' run

# `run --separate-stderr` (bats >= 1.5) keeps stdout in $output and stderr in
# $stderr; declaring the minimum version silences bats' warning about the flag.
bats_require_minimum_version 1.5.0

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
NEXTAUTH_TOKEN_BIN="${NEXTAUTH_TOKEN_BIN:-$BATS_TEST_DIRNAME/../bin/nextauth-token}"
VECTORS_DIR="$REPO_ROOT/tests/vectors"
VECTORS_JSON="$VECTORS_DIR/nextauth-vectors.json"

# frozen_clock NOW — set the array FROZEN_CLOCK to the environment that freezes
# a program's clock at unix second NOW (NOW.000000000): libfaketime preloaded
# with the variables the `faketime -f NOW` wrapper would set (FAKETIME_FMT=%s;
# a plain `faketime @N` only shifts the clock, keeping the real fraction of a
# second), without the wrapper itself. The wrapper creates a named semaphore
# and shared memory per pid (/dev/shm/sem.faketime_sem_<pid>); one killed
# before its clean-up leaves them behind, and a later wrapper that gets the same
# pid then refuses to start ("sem_open: File exists"). Run as
# `env … "${FROZEN_CLOCK[@]}" PROGRAM`. $LIB is the dynamic loader's own
# (lib/x86_64-linux-gnu on Debian amd64), as the wrapper writes it.
frozen_clock() {
    # shellcheck disable=SC2016 # $LIB is expanded by the dynamic loader
    FROZEN_CLOCK=('LD_PRELOAD=/usr/$LIB/faketime/libfaketime.so.1' "FAKETIME=$1" FAKETIME_FMT=%s)
}

# The environment variables the CLI reads. Tests start without any of them so a
# developer's shell cannot change a verdict.
clean_env() {
    unset NEXTAUTH_SECRET AUTH_SECRET NEXTAUTH_SECRET_FILE NEXTAUTH_CONFIG NEXTAUTH_URL
}

# --- running the CLI --------------------------------------------------------

# _slurp VAR FILE — the whole of FILE, trailing newlines included, into VAR
# (without a subprocess: the suites run hundreds of these).
_slurp() {
    IFS= read -r -d '' "$1" <"$2" || true
}

# _capture CMD... — run CMD keeping raw copies of its streams in
# $BATS_TEST_TMPDIR/cli.stdout and cli.stderr (bats strips trailing newlines
# from $output/$stderr; these let an assertion check the bytes exactly), and
# pass them on.
_capture() {
    "$@" >"$BATS_TEST_TMPDIR/cli.stdout" 2>"$BATS_TEST_TMPDIR/cli.stderr"
    local rc=$? text
    _slurp text "$BATS_TEST_TMPDIR/cli.stdout"
    printf '%s' "$text"
    _slurp text "$BATS_TEST_TMPDIR/cli.stderr"
    printf '%s' "$text" >&2
    return "$rc"
}

# from_shell BIN ARGS... — a FastCGI program with these arguments, standard
# input /dev/null (not a socket), no GATEWAY_INTERFACE: a command line.
from_shell() {
    local bin=$1
    shift
    _capture env -i PATH="$PATH" "$bin" "$@" </dev/null
}

# check_command_line BIN USAGE HELP... -- BAD... — the program started from a
# shell: --version prints "<its name> <the Makefile's VERSION>" and each HELP
# argument USAGE, on stdout with exit 0 and nothing on stderr; each BAD (one
# word, or several separated by spaces) USAGE on stderr with exit 2 and
# nothing on stdout.
check_command_line() {
    local bin=$1 usage=$2 version arg
    shift 2
    version=$(sed -n 's/^VERSION *:= *//p' "$REPO_ROOT/Makefile")
    [ -n "$version" ]
    run --separate-stderr from_shell "$bin" --version
    assert_status 0
    assert_output "${bin##*/} $version"
    assert_no_stderr
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        run --separate-stderr from_shell "$bin" "$1"
        assert_status 0
        assert_output "$usage"
        assert_no_stderr
        shift
    done
    shift
    for arg in "$@"; do
        # shellcheck disable=SC2086 # a BAD of several words is several arguments
        run --separate-stderr from_shell "$bin" $arg
        assert_status 2
        assert_no_output
        assert_stderr "$usage"
    done
}

# The last run_cli's streams, raw (_capture).
_cli_capture() {
    _capture "$NEXTAUTH_TOKEN_BIN" "$@"
}

# run_cli ARGS... — run the CLI under `run --separate-stderr`: sets $status,
# $output (stdout), $stderr, $lines, $stderr_lines. Standard input is passed on.
run_cli() {
    rm -f "$BATS_TEST_TMPDIR/cli.stdout" "$BATS_TEST_TMPDIR/cli.stderr"
    run --separate-stderr _cli_capture "$@"
}

# cli ARGS... — run the CLI outside `run`, to set a test up (e.g. tok=$(cli
# encode …)): stdout as is, its exit status returned.
cli() {
    "$NEXTAUTH_TOKEN_BIN" "$@"
}

# --- assertions -------------------------------------------------------------

_fail() {
    {
        printf '%s\n' "$@"
        printf -- '-- status: %s\n-- stdout:\n%s\n-- stderr:\n%s\n--\n' \
            "${status-}" "${output-}" "${stderr-}"
    } >&2
    return 1
}

# assert_status N — the exit status of the last run.
assert_status() {
    [ "$status" -eq "$1" ] || _fail "expected exit status $1, got $status"
}

# _raw_is FILE TEXT — FILE holds exactly TEXT followed by one newline (TEXT
# empty: FILE is empty).
_raw_is() {
    local raw
    _slurp raw "$1"
    if [ -z "$2" ]; then
        [ -z "$raw" ]
    else
        [ "$raw" = "$2"$'\n' ]
    fi
}

# assert_output TEXT — stdout is exactly TEXT and a newline (nothing for "").
assert_output() {
    [ "$output" = "$1" ] || _fail "expected stdout: $1"
    if [ -f "$BATS_TEST_TMPDIR/cli.stdout" ]; then
        _raw_is "$BATS_TEST_TMPDIR/cli.stdout" "$1" ||
            _fail "stdout is not exactly that text and one newline"
    fi
}

# assert_no_output — nothing at all on stdout.
assert_no_output() {
    assert_output ""
}

# assert_stderr TEXT — stderr is exactly TEXT and a newline (nothing for "").
assert_stderr() {
    [ "${stderr-}" = "$1" ] || _fail "expected stderr: $1"
    if [ -f "$BATS_TEST_TMPDIR/cli.stderr" ]; then
        _raw_is "$BATS_TEST_TMPDIR/cli.stderr" "$1" ||
            _fail "stderr is not exactly that text and one newline"
    fi
}

# assert_no_stderr — nothing at all on stderr.
assert_no_stderr() {
    assert_stderr ""
}

# assert_stderr_line PREFIX — stderr is exactly one line "nextauth-token: …"
# starting with "nextauth-token: PREFIX" (PREFIX may be empty).
assert_stderr_line() {
    local want="nextauth-token: $1"
    [ "${#stderr_lines[@]}" -eq 1 ] ||
        _fail "expected exactly one stderr line, got ${#stderr_lines[@]}"
    [ "${stderr:0:${#want}}" = "$want" ] ||
        _fail "expected a stderr line starting with: $want"
    if [ -f "$BATS_TEST_TMPDIR/cli.stderr" ]; then
        _raw_is "$BATS_TEST_TMPDIR/cli.stderr" "$stderr" ||
            _fail "stderr is not exactly one line and its newline"
    fi
}

# assert_failure CODE [PREFIX] — the usual shape of a failure: exit CODE,
# nothing on stdout, one "nextauth-token: PREFIX…" line on stderr.
assert_failure() {
    assert_status "$1" || return 1
    assert_no_output || return 1
    assert_stderr_line "${2-}"
}

# assert_valid_json CLAIMS_JSON — success: exit 0, stdout one line of JSON equal
# (jq ==) to CLAIMS_JSON, stderr empty.
assert_valid_json() {
    assert_status 0 || return 1
    assert_no_stderr || return 1
    [ "${#lines[@]}" -eq 1 ] || _fail "expected one line of JSON on stdout" || return 1
    json_equal "$output" "$1" || _fail "expected claims (jq ==): $1"
}

# refute_leak STRING... — none of the strings (skipping empty ones) appears in
# stdout or stderr of the last run. For secrets, tokens and cookie values.
refute_leak() {
    local s
    for s in "$@"; do
        [ -n "$s" ] || continue
        case "${stderr-}" in *"$s"*) _fail "stderr carries a secret value (${#s} bytes: ${s:0:6}…)" || return 1 ;; esac
        case "$output" in *"$s"*) _fail "stdout carries a secret value (${#s} bytes: ${s:0:6}…)" || return 1 ;; esac
    done
    return 0
}

# refute_stderr_leak STRING... — like refute_leak, for stderr only (stdout may
# legitimately carry a token, e.g. after encode).
refute_stderr_leak() {
    local s
    for s in "$@"; do
        [ -n "$s" ] || continue
        case "${stderr-}" in *"$s"*) _fail "stderr carries a secret value (${#s} bytes: ${s:0:6}…)" || return 1 ;; esac
    done
    return 0
}

# json_equal A B — succeeds when the two JSON texts are equal values (jq ==).
json_equal() {
    local r
    r=$(jq -n --argjson a "$1" --argjson b "$2" '$a == $b' 2>/dev/null) || return 1
    [ "$r" = true ]
}

# --- vectors ----------------------------------------------------------------

# vector_names — the case names of the vectors file, one a line, in file order.
vector_names() {
    jq -r '.[].name' "$VECTORS_JSON"
}

# vector_has NAME FIELD — succeeds when case NAME has FIELD (even null/false).
vector_has() {
    [ "$(jq --arg n "$1" --arg f "$2" '[.[] | select(.name == $n) | has($f)] == [true]' "$VECTORS_JSON")" = true ]
}

# vector_get NAME FIELD — the field of case NAME: strings raw, anything else as
# compact JSON ("null" when absent). Fails when there is no such case.
vector_get() {
    jq -e -r --arg n "$1" --arg f "$2" '
        [.[] | select(.name == $n)] | if length == 1 then .[0][$f] else error("no case") end
        | if type == "string" then . else tojson end' "$VECTORS_JSON"
}

# _vector_assignments — jq filter: for one case object, the shell assignments
# v_<field>='…' (strings raw, the rest as compact JSON) and v_has_<field>=1.
_vector_assignments='to_entries | map("v_\(.key)=\(.value | if type == "string" then . else tojson end | @sh); v_has_\(.key)=1") | join("\n")'

# vector_cache_build — for setup_file: one jq run writes every case's
# assignments to $BATS_FILE_TMPDIR/vectors/NAME.sh (jq 1.6 takes ~40 ms to
# start; once per case per test adds up). vector_load reads the cache.
vector_cache_build() {
    local dir="$BATS_FILE_TMPDIR/vectors" name b64
    mkdir -p "$dir"
    jq -r ".[] | \"\(.name) \(${_vector_assignments} | @base64)\"" "$VECTORS_JSON" |
        while read -r name b64; do
            printf '%s' "$b64" | base64 -d >"$dir/$name.sh"
        done
    [ -n "$(ls "$dir")" ]
}

# vector_load NAME — set v_<field> shell variables for every field of case NAME
# (strings raw, the rest as compact JSON), plus v_has_<field>=1 for each field
# present. Uses the setup_file cache when there is one. Fails when the case does
# not exist.
vector_load() {
    local cache="${BATS_FILE_TMPDIR-}/vectors/$1.sh" assignments
    if [ -n "${BATS_FILE_TMPDIR-}" ] && [ -d "${cache%/*}" ]; then
        [ -f "$cache" ] || return 1
        assignments=$(cat "$cache")
    else
        assignments=$(jq -e -r --arg n "$1" "
            [.[] | select(.name == \$n)] | if length == 1 then .[0] else error(\"no case\") end
            | ${_vector_assignments}" "$VECTORS_JSON") || return 1
    fi
    eval "$assignments"
}
