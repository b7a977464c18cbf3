#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The systemd units of systemd/ (socket activation of nextauth-guard and
# nextauth-session), without systemd running:
#   - systemd-analyze checks the four units, and the drop-ins their comments
#     show, offline (it needs no systemd as PID 1), and rates each service's
#     exposure;
#   - each service is started the way systemd starts it, from the unit files
#     themselves: the socket unit's ListenStream= address (port 0 instead of
#     the fixed port, so the kernel picks a free one) bound and listening on
#     fd 0 (tests/lib/socket-activate.pl), the service's ExecStart= exec'd in
#     that process's place with exactly the service's Environment= (the
#     specifier %d expanded to the credentials directory), its LoadCredential=
#     files copied into that directory (CREDENTIALS_DIRECTORY), standard output
#     and error in a file (the journal's stand-in). Only the paths move: the
#     programs from the build tree instead of /usr/lib/nextauth-fcgi/, and
#     /etc/nextauth-fcgi/ in this file's temp folder;
#   - FastCGI requests go through the socket with `cgi-fcgi -bind -connect`
#     (libfcgi-bin) and the answers are compared byte for byte; processes are
#     stopped by pid.
# The clock of the programs is frozen at NOW (libfaketime) so that the answers,
# expiry dates included, are exact.

# shellcheck disable=SC2154 # answer, answer_err: set by ask (through _slurp)

load helpers
# shellcheck source=tests/lib/server.sh
. "$BATS_TEST_DIRNAME/lib/server.sh"

UNITS="$REPO_ROOT/systemd"
ACTIVATE="$BATS_TEST_DIRNAME/lib/socket-activate.pl"
NOW=1700000000
NOW_EXPIRES='2023-12-14T22:13:20.000Z'
COOKIE=next-auth.session-token
CLAIMS='{"name":"Ada Lovelace","email":"ada@example.com","sub":"user-1"}'
CRLF=$'\r\n'

# unit_values FILE KEY — every value of KEY= in FILE, one a line.
unit_values() {
    sed -n "s/^$2=//p" "$1"
}

# su_path VALUE — VALUE with /etc/nextauth-fcgi/ moved into the temp folder.
su_path() {
    printf '%s\n' "${1//\/etc\/nextauth-fcgi\//$SU_ROOT/etc/}"
}

# su_start UNIT INSTANCE [ADDRESS [MODE]] — start UNIT (nextauth-guard or
# nextauth-session) as described at the top, with its files in
# $SU_ROOT/INSTANCE: pid (the main pid: multiwatch), bound (the address
# listened on), journal, cred/. ADDRESS replaces the socket unit's
# ListenStream= (default: its address with port 0), MODE is a unix socket's
# SocketMode=.
su_start() {
    local unit=$1 dir=$SU_ROOT/$2 addr=${3-} v id path
    local socket=$UNITS/$1.socket service=$UNITS/$1.service
    local -a listen=() envs=() cmd=() opts=()
    [ -z "${4-}" ] || opts=(-m "$4")
    mkdir -p "$dir/cred" || return 1
    mapfile -t listen < <(unit_values "$socket" ListenStream)
    [ "${#listen[@]}" -eq 1 ] || {
        echo "$socket: ${#listen[@]} ListenStream= lines, StandardInput=socket takes one" >&2
        return 1
    }
    [ -n "$addr" ] || addr=${listen[0]%:*}:0
    # LoadCredential=ID:PATH: systemd reads PATH as root and gives the service
    # a copy named ID in $CREDENTIALS_DIRECTORY, readable by its user only
    while IFS=: read -r id path; do
        install -m 0400 "$(su_path "$path")" "$dir/cred/$id" || return 1
    done < <(unit_values "$service" LoadCredential)
    while IFS= read -r v; do
        v=${v//%d/$dir/cred}
        [[ $v != *%* ]] || {
            echo "$service: a specifier this test does not expand: Environment=$v" >&2
            return 1
        }
        envs+=("$(su_path "$v")")
    done < <(unit_values "$service" Environment)
    read -r -a cmd <<<"$(unit_values "$service" ExecStart)"
    cmd=("${cmd[@]/#\/usr\/lib\/nextauth-fcgi\//$REPO_ROOT/cgi-bin/}")
    frozen_clock "$NOW"
    rm -f "$dir/bound"
    (
        env -i PATH="$PATH" CREDENTIALS_DIRECTORY="$dir/cred" "${envs[@]}" \
            "${FROZEN_CLOCK[@]}" perl "$ACTIVATE" "${opts[@]}" "$addr" "$dir/bound" "${cmd[@]}" \
            </dev/null >"$dir/journal" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
        echo $! >"$dir/pid"
    )
    srv_poll 5 test -s "$dir/bound" || {
        echo "su_start $unit: no socket after 5 s" >&2
        srv_dump "$dir/journal"
        return 1
    }
}

# su_addr INSTANCE — the address INSTANCE listens on (for cgi-fcgi -connect).
su_addr() {
    head -n 1 "$SU_ROOT/$1/bound"
}

# su_children INSTANCE — the main process's children, one a line (also kept
# in INSTANCE/children for su_stop).
su_children() {
    local pid
    pid=$(<"$SU_ROOT/$1/pid")
    cat /proc/"$pid"/task/*/children 2>/dev/null | tr -s ' ' '\n' | sed '/^$/d' |
        tee -a "$SU_ROOT/$1/children"
}
_su_n_children() { [ "$(su_children "$1" | wc -l)" -eq "$2" ]; }

# su_poll SECONDS COMMAND... — srv_poll, failing with a message on a timeout
# (srv_poll must run in a condition: under bats' errexit a bare call stops at
# the first probe that fails).
su_poll() {
    srv_poll "$@" || {
        echo "timed out after $1 s: ${*:2}" >&2
        return 1
    }
}

# su_stop INSTANCE — SIGTERM the main pid (as systemctl stop does first), wait;
# then any child that is left, by pid.
su_stop() {
    local dir=$SU_ROOT/$1 pid
    [ -f "$dir/pid" ] || return 0
    srv_stop_pid "$(<"$dir/pid")" 5
    if [ -f "$dir/children" ]; then
        while read -r pid; do
            srv_stop_pid "$pid" 5
        done < <(sort -u "$dir/children")
    fi
    rm -f "$dir/pid" "$dir/children"
}

# ask INSTANCE URI [VAR=VALUE...] — one FastCGI request (RESPONDER, GET URI)
# with exactly these parameters; the answer's bytes in $answer (trailing
# newlines kept), cgi-fcgi's stderr (the FastCGI stderr stream) in $answer_err.
ask() {
    local addr out=$BATS_TEST_TMPDIR/answer err=$BATS_TEST_TMPDIR/answer.err
    addr=$(su_addr "$1") || return 1
    env -i REQUEST_METHOD=GET REQUEST_URI="$2" "${@:3}" timeout 10 \
        cgi-fcgi -bind -connect "$addr" </dev/null >"$out" 2>"$err" || {
        echo "cgi-fcgi -connect $addr failed" >&2
        cat "$err" >&2
        return 1
    }
    _slurp answer "$out"
    _slurp answer_err "$err"
}

# assert_answer TEXT [STDERR] — $answer is exactly TEXT, and the FastCGI
# stderr stream exactly STDERR (default: nothing).
assert_answer() {
    [ "$answer" = "$1" ] && [ "$answer_err" = "${2-}" ] || {
        printf -- '-- expected:\n%s\n-- got:\n%s\n-- stderr:\n%s\n' "$(cat -A <<<"$1")" \
            "$(cat -A <<<"$answer")" "$answer_err" >&2
        return 1
    }
}

# mint — a v4 session token for CLAIMS, made at NOW with the units' secret.
mint() {
    env -i NEXTAUTH_SECRET="$(head -n 1 "$SU_ROOT/etc/secret")" \
        "$NEXTAUTH_TOKEN_BIN" encode --now "$NOW" "$CLAIMS"
}

setup_file() {
    local tool
    for tool in perl multiwatch cgi-fcgi faketime; do
        command -v "$tool" >/dev/null || {
            echo "$tool is not installed (sh tools/deps.sh)" >&2
            return 1
        }
    done
    [ -x "$REPO_ROOT/cgi-bin/nextauth-guard" ] && [ -x "$REPO_ROOT/cgi-bin/nextauth-session" ] || {
        echo "the programs are not built (make)" >&2
        return 1
    }
    # a short folder: a unix socket's path holds at most 107 bytes
    SU_ROOT=$(mktemp -d /tmp/na-systemd.XXXXXX) || return 1
    echo "$SU_ROOT" >"$BATS_FILE_TMPDIR/root"
    export SU_ROOT
    mkdir -m 0755 "$SU_ROOT/etc"
    printf '%s\n' '{"url":"http://localhost:3000"}' >"$SU_ROOT/etc/config.json"
    (umask 077 && "$NEXTAUTH_TOKEN_BIN" secret >"$SU_ROOT/etc/secret") || return 1
    su_start nextauth-guard guard || return 1
    su_start nextauth-session session || return 1
}

teardown_file() {
    local d
    [ -f "$BATS_FILE_TMPDIR/root" ] || return 0
    SU_ROOT=$(<"$BATS_FILE_TMPDIR/root")
    for d in "$SU_ROOT"/*/; do
        [ -f "$d/pid" ] && su_stop "$(basename "$d")"
    done
    rm -rf "$SU_ROOT"
}

# --- the unit files -----------------------------------------------------------

@test "systemd: the four units and the drop-ins in their comments pass systemd-analyze verify; exposure below 2.0" {
    command -v systemd-analyze >/dev/null || {
        echo "systemd-analyze is not installed (Debian package systemd; sh tools/deps.sh)" >&2
        return 1
    }
    local dir=$BATS_TEST_TMPDIR/units unit f
    mkdir -p "$dir"
    cp "$UNITS"/*.socket "$UNITS"/*.service "$dir/"
    # --man=no: the man pages named in Documentation= are not installed here
    run systemd-analyze verify --man=no "$dir"/*.socket "$dir"/*.service
    [ "$status" -eq 0 ] && [ -z "$output" ] || {
        echo "systemd-analyze verify: $output" >&2
        return 1
    }
    # each comment's drop-in ("#     [Section]" and the indented lines under it)
    for f in "$UNITS"/*.socket "$UNITS"/*.service; do
        unit=$(basename "$f")
        mkdir -p "$dir/$unit.d"
        awk '/^#     \[/ { on = 1 } on && !/^#     / { on = 0 } on { sub(/^#     /, ""); print }' \
            "$f" >"$dir/$unit.d/comment.conf"
        grep -q '^\[' "$dir/$unit.d/comment.conf" || {
            echo "$unit: no drop-in in its comments" >&2
            return 1
        }
    done
    run systemd-analyze verify --man=no "$dir"/*.socket "$dir"/*.service
    [ "$status" -eq 0 ] && [ -z "$output" ] || {
        echo "systemd-analyze verify with the drop-ins: $output" >&2
        return 1
    }
    for unit in nextauth-guard nextauth-session; do
        run systemd-analyze security --offline=yes "$UNITS/$unit.service"
        [ "$status" -eq 0 ]
        [[ $output =~ Overall\ exposure\ level\ for\ $unit.service:\ ([0-9.]+) ]]
        echo "# $unit.service exposure ${BASH_REMATCH[1]}" >&3
        awk -v x="${BASH_REMATCH[1]}" 'BEGIN { exit !(x < 2.0) }'
    done
}

@test "systemd: one loopback socket each (guard :9001, session :9002) on fd 0, Accept=no; the programs under multiwatch; output to the journal" {
    local unit port forks
    for unit in nextauth-guard:9001:4 nextauth-session:9002:2; do
        IFS=: read -r unit port forks <<<"$unit"
        [ "$(unit_values "$UNITS/$unit.socket" ListenStream)" = "127.0.0.1:$port" ]
        [ "$(unit_values "$UNITS/$unit.socket" Accept)" = no ]
        [ "$(unit_values "$UNITS/$unit.socket" WantedBy)" = sockets.target ]
        [ "$(unit_values "$UNITS/$unit.service" ExecStart)" = \
            "/usr/bin/multiwatch -f $forks -- /usr/lib/nextauth-fcgi/$unit" ]
        [ "$(unit_values "$UNITS/$unit.service" Requires)" = "$unit.socket" ]
        [ "$(unit_values "$UNITS/$unit.service" Also)" = "$unit.socket" ]
        [ "$(unit_values "$UNITS/$unit.service" StandardInput)" = socket ]
        # the default with StandardInput=socket would be the socket itself
        [ "$(unit_values "$UNITS/$unit.service" StandardOutput)" = journal ]
        [ "$(unit_values "$UNITS/$unit.service" StandardError)" = journal ]
        [ "$(unit_values "$UNITS/$unit.service" Environment)" = \
            "NEXTAUTH_CONFIG=/etc/nextauth-fcgi/config.json
NEXTAUTH_SECRET_FILE=%d/nextauth-secret" ]
        [ "$(unit_values "$UNITS/$unit.service" LoadCredential)" = \
            nextauth-secret:/etc/nextauth-fcgi/secret ]
        [ "$(unit_values "$UNITS/$unit.service" EnvironmentFile)" = -/etc/default/nextauth-fcgi ]
        [ "$(unit_values "$UNITS/$unit.service" DynamicUser)" = yes ]
        [ "$(unit_values "$UNITS/$unit.service" ProtectSystem)" = strict ]
        [ "$(unit_values "$UNITS/$unit.service" NoNewPrivileges)" = yes ]
    done
}

# --- the guard ----------------------------------------------------------------

@test "systemd: the guard as the unit starts it answers an API path without a cookie 401 JSON" {
    ask guard /api/data
    assert_answer "Status: 401 Unauthorized${CRLF}Content-Type: application/json${CRLF}Cache-Control: no-store${CRLF}${CRLF}{\"message\":\"You must be logged in.\"}"
}

@test "systemd: the guard as the unit starts it lets a good cookie through, with the identity" {
    local tok
    tok=$(mint)
    ask guard /api/data HTTP_COOKIE="$COOKIE=$tok"
    assert_answer "Status: 200 OK${CRLF}X-Nextauth-User: ada@example.com${CRLF}X-Nextauth-Email: ada@example.com${CRLF}X-Nextauth-Name: Ada Lovelace${CRLF}X-Nextauth-Sub: user-1${CRLF}X-Nextauth-Expires: $NOW_EXPIRES${CRLF}Content-Type: application/json${CRLF}Cache-Control: private, no-store${CRLF}${CRLF}{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"},\"expires\":\"$NOW_EXPIRES\"}"
    # and a cookie made with another secret is refused
    tok=$(env -i NEXTAUTH_SECRET=another-secret-of-32-bytes-or-more-0123 \
        "$NEXTAUTH_TOKEN_BIN" encode --now "$NOW" "$CLAIMS")
    ask guard /api/data HTTP_COOKIE="$COOKIE=$tok"
    assert_answer "Status: 401 Unauthorized${CRLF}Content-Type: application/json${CRLF}Cache-Control: no-store${CRLF}${CRLF}{\"message\":\"You must be logged in.\"}" \
        $'nextauth-guard: bad session token (decryption failed (wrong secret or tampered token)) for /api/data\n'
}

@test "systemd: multiwatch runs 4 guards on the one socket of fd 0; SIGTERM to the main pid (systemctl stop) ends them all" {
    local main pid sock
    su_start nextauth-guard stop-test
    main=$(<"$SU_ROOT/stop-test/pid")
    su_poll 5 _su_n_children stop-test 4
    [ "$(cat "/proc/$main/comm")" = multiwatch ] # exec'd in the activator's place
    sock=$(readlink "/proc/$main/fd/0")
    [[ $sock == socket:* ]]
    for pid in $(su_children stop-test); do
        [ "$(cat "/proc/$pid/comm")" = nextauth-guard ]
        [ "$(readlink "/proc/$pid/fd/0")" = "$sock" ]
    done
    ask stop-test /api/data
    [[ $answer == "Status: 401 Unauthorized$CRLF"* ]]
    kill -TERM "$main"
    su_poll 5 _srv_gone "$main"
    for pid in $(sort -u "$SU_ROOT/stop-test/children"); do
        su_poll 5 _srv_gone "$pid"
    done
    # nothing in the journal: no start-up warning, no error
    [ ! -s "$SU_ROOT/stop-test/journal" ] || {
        srv_dump "$SU_ROOT/stop-test/journal"
        return 1
    }
}

@test "systemd: the unix socket of the socket unit's drop-in (SocketMode=0660) serves the guard" {
    local path mode
    path=$(sed -n 's/^#     ListenStream=\(\/.*\)/\1/p' "$UNITS/nextauth-guard.socket")
    mode=$(sed -n 's/^#     SocketMode=//p' "$UNITS/nextauth-guard.socket")
    [ "$path" = /run/nextauth-fcgi/guard.sock ] && [ "$mode" = 0660 ]
    mkdir -p "$SU_ROOT/run"
    su_start nextauth-guard unix "$SU_ROOT/run/${path##*/}" "$mode"
    [ "$(stat -c %A "$SU_ROOT/run/guard.sock")" = srw-rw---- ]
    ask unix /api/data
    assert_answer "Status: 401 Unauthorized${CRLF}Content-Type: application/json${CRLF}Cache-Control: no-store${CRLF}${CRLF}{\"message\":\"You must be logged in.\"}"
    su_stop unix
}

# --- the session endpoint ------------------------------------------------------

@test "systemd: the session endpoint as the unit starts it answers the session and rolls the cookie" {
    local tok cookie
    tok=$(mint)
    ask session /api/auth/session HTTP_COOKIE="$COOKIE=$tok"
    [[ $answer =~ Set-Cookie:\ $COOKIE=([^;]+)\; ]]
    cookie=${BASH_REMATCH[1]}
    assert_answer "Status: 200 OK${CRLF}Content-Type: application/json${CRLF}Cache-Control: private, no-cache, no-store${CRLF}Pragma: no-cache${CRLF}Expires: 0${CRLF}Set-Cookie: $COOKIE=$cookie; Path=/; Expires=Thu, 14 Dec 2023 22:13:20 GMT; HttpOnly; SameSite=Lax${CRLF}${CRLF}{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"},\"expires\":\"$NOW_EXPIRES\"}"
    # the rolled cookie: the same claims, made with the secret of the credential
    run env -i NEXTAUTH_SECRET="$(head -n 1 "$SU_ROOT/etc/secret")" \
        "$NEXTAUTH_TOKEN_BIN" decode --now "$NOW" "$cookie"
    [ "$status" -eq 0 ]
    [ "$(jq -c 'del(.jti)' <<<"$output")" = \
        '{"name":"Ada Lovelace","email":"ada@example.com","sub":"user-1","iat":1700000000,"exp":1702592000}' ]
}

@test "systemd: the session endpoint as the unit starts it answers {} without a cookie; nothing in its journal" {
    ask session /api/auth/session
    assert_answer "Status: 200 OK${CRLF}Content-Type: application/json${CRLF}Cache-Control: private, no-cache, no-store${CRLF}Pragma: no-cache${CRLF}Expires: 0${CRLF}${CRLF}{}"
    [ ! -s "$SU_ROOT/session/journal" ] || {
        srv_dump "$SU_ROOT/session/journal"
        return 1
    }
}

@test "systemd: the socket units' check line passes on the files the service reads, and names the secret's source" {
    local line
    line=$(grep -A1 'NEXTAUTH_SECRET_FILE=/etc/nextauth-fcgi/secret' "$REPO_ROOT/systemd/nextauth-guard.socket" |
        tr -d '\\\n#' | tr -s ' ')
    [ "$line" = " NEXTAUTH_SECRET_FILE=/etc/nextauth-fcgi/secret nextauth-token check --config /etc/nextauth-fcgi/config.json" ] ||
        sfail "the check line changed: $line"
    run env -i PATH="$PATH" NEXTAUTH_SECRET_FILE="$SU_ROOT/etc/secret" \
        "$NEXTAUTH_TOKEN_BIN" check --config "$SU_ROOT/etc/config.json"
    [ "$status" -eq 0 ] || sfail "exit $status: $output"
    [[ $output == *$'\nsecret.source: NEXTAUTH_SECRET_FILE\nsecret.file: '"$SU_ROOT/etc/secret"$'\nsecret.count: 1\nsecret.lengths: 44\n'* ]] ||
        sfail "$output"
    [[ $output != *"$(head -n 1 "$SU_ROOT/etc/secret")"* ]] || sfail "the secret is in the output"
    # without the secret file: the service would not start (LoadCredential=);
    # check says why first
    run env -i PATH="$PATH" NEXTAUTH_SECRET_FILE="$SU_ROOT/etc/no-such-secret" \
        "$NEXTAUTH_TOKEN_BIN" check --config "$SU_ROOT/etc/config.json"
    [ "$status" -eq 2 ] || sfail "exit $status: $output"
    [[ $output == *$'\nerror: NEXTAUTH_SECRET_FILE: '* ]] || sfail "$output"
}
