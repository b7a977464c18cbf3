# SPDX-License-Identifier: MIT
# tests/lib/apache.sh — a private Apache 2.4 (mod_authnz_fcgi) and the guard
# under spawn-fcgi on loopback TCP, for tests/guard-apache.bats (docs/servers.md, Apache).
# Source it (it sources server.sh next to it); it defines functions only.
# Everything runs on 127.0.0.1, on ports that were free when chosen, with every
# file under a folder the caller owns; every process is stopped by its own pid.
# No /etc/apache2 config, no Debian envvars, no port 80.
#
#   ap_start DIR CONF [NAME=VALUE...]
#       Run `apache2 -d DIR -f CONF -DFOREGROUND` with -C "Define NAME VALUE"
#       for each NAME=VALUE, plus ROOT=DIR, REPO=the repository and AP_PORT=a
#       free port; -DNOT_ROOT when not root (CONF then skips User/Group). The
#       config is checked first (apache2 -t). Waits until Apache answers HTTP
#       (polls every 0.1 s, at most 10 s). Apache's stdout/stderr go to
#       DIR/logs/apache.out, CONF should log to DIR/logs/error.log. Retries
#       with another port when the chosen one was taken meanwhile. Sets AP_DIR,
#       AP_PORT, AP_PID, AP_URL (exported). Returns 1 (after printing the logs)
#       when Apache does not come up.
#   ap_stop [DIR]      SIGTERM Apache (the pid ap_start started, default
#                      $AP_DIR) and wait until it is gone; its children exit
#                      with it.
#   ap_dump [DIR]      print the config check, the error log and Apache's
#                      stdout/stderr to stderr.
#   ap_log_has [DIR] TEXT   the error log has a line containing TEXT.
#
#   ap_guard_start DIR PORT N PROGRAM [VAR=VALUE...]
#       Run PROGRAM under `spawn-fcgi -a 127.0.0.1 -p PORT -F N -P
#       DIR/run/guard.pid`, with exactly the environment VAR=VALUE... plus PATH.
#       spawn-fcgi binds the socket before it forks, so the guard is ready when
#       this returns. Fails when not all N processes are alive.
#   ap_guard_pids [DIR]   the guard's pids (its pid file), one a line.
#   ap_guard_stop [DIR]   stop every pid of the pid file (SIGTERM, wait).
#
# The background processes must not hold bats' fd 3 open (bats would wait for
# them at the end of the file): fds 3-9 are closed for them.

# shellcheck source=tests/lib/server.sh
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

AP_BIN=${AP_BIN:-apache2}
AP_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

ap_start() {
    local dir=$1 conf=$2 kv attempt port pid
    shift 2
    local -a defs=()
    mkdir -p "$dir/www" "$dir/run" "$dir/logs" || return 1
    dir=$(cd "$dir" && pwd -P)
    case $conf in /*) ;; *) conf=$PWD/$conf ;; esac
    for kv in "$@"; do
        defs+=(-C "Define ${kv%%=*} ${kv#*=}")
    done
    defs+=(-C "Define ROOT $dir" -C "Define REPO $AP_REPO")
    [ "$(id -u)" -eq 0 ] || defs+=(-DNOT_ROOT)
    for ((attempt = 1; attempt <= 3; attempt++)); do
        port=$(srv_free_port) || return 1
        if ! "$AP_BIN" -d "$dir" -f "$conf" "${defs[@]}" -C "Define AP_PORT $port" -t \
            >"$dir/logs/config-check.out" 2>&1; then
            echo "ap_start: apache2 -t refused $conf" >&2
            ap_dump "$dir"
            return 1
        fi
        : >"$dir/logs/apache.out"
        (
            "$AP_BIN" -d "$dir" -f "$conf" "${defs[@]}" -C "Define AP_PORT $port" -DFOREGROUND \
                </dev/null >"$dir/logs/apache.out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
            echo $! >"$dir/run/apache-fg.pid"
        )
        pid=$(<"$dir/run/apache-fg.pid")
        export AP_DIR=$dir AP_PORT=$port AP_PID=$pid AP_URL="http://127.0.0.1:$port"
        if srv_poll 10 _ap_ready "$pid" "$AP_URL/"; then
            return 0
        fi
        if ! srv_alive "$pid" && grep -qi 'address already in use' "$dir/logs/apache.out" \
            "$dir/logs/error.log" 2>/dev/null; then
            continue # the port was taken between the probe and the bind
        fi
        break
    done
    echo "ap_start: Apache did not answer on $AP_URL within 10 s" >&2
    ap_dump "$dir"
    srv_stop_pid "$pid"
    return 1
}

# Ready: any HTTP answer; gives up at once when Apache has exited.
_ap_ready() {
    srv_alive "$1" || return 2
    [ "$(srv_http_code "$2")" != 000 ]
}

ap_stop() {
    local dir=${1:-${AP_DIR-}}
    [ -n "$dir" ] && [ -f "$dir/run/apache-fg.pid" ] || return 0
    srv_stop_pid "$(<"$dir/run/apache-fg.pid")" 10
}

ap_dump() {
    local dir=${1:-${AP_DIR-}}
    srv_dump "$dir/logs/config-check.out" "$dir/logs/error.log" "$dir/logs/apache.out"
}

ap_log_has() {
    local dir=$AP_DIR
    if [ $# -gt 1 ]; then
        dir=$1
        shift
    fi
    grep -qF -- "$1" "$dir/logs/error.log"
}

ap_guard_start() {
    local dir=$1 port=$2 n=$3 prog=$4 pid count=0
    shift 4
    mkdir -p "$dir/run" "$dir/logs" || return 1
    rm -f "$dir/run/guard.pid"
    if ! env -i PATH="$PATH" "$@" spawn-fcgi -a 127.0.0.1 -p "$port" -F "$n" \
        -P "$dir/run/guard.pid" -- "$prog" </dev/null >"$dir/logs/guard.spawn.out" 2>&1 \
        3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; then
        echo "ap_guard_start: spawn-fcgi failed on 127.0.0.1:$port" >&2
        srv_dump "$dir/logs/guard.spawn.out"
        return 1
    fi
    for pid in $(ap_guard_pids "$dir"); do
        srv_alive "$pid" && count=$((count + 1))
    done
    if [ "$count" -ne "$n" ]; then
        echo "ap_guard_start: $count of $n guard processes alive" >&2
        srv_dump "$dir/logs/guard.spawn.out"
        return 1
    fi
}

ap_guard_pids() {
    local dir=${1:-${AP_DIR-}}
    [ -f "$dir/run/guard.pid" ] || return 0
    tr ' ' '\n' <"$dir/run/guard.pid" | sed '/^$/d'
}

ap_guard_stop() {
    local dir=${1:-${AP_DIR-}} pid
    for pid in $(ap_guard_pids "$dir"); do
        srv_stop_pid "$pid" 5
    done
    rm -f "$dir/run/guard.pid"
}
