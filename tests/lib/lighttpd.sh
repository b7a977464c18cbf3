# SPDX-License-Identifier: MIT
# tests/lib/lighttpd.sh — a private lighttpd for tests (docs/servers.md, lighttpd).
# Source it (it sources server.sh next to it); it defines functions only.
#
#   lt_start DIR TEMPLATE [KEY=VALUE...]
#       Render the config TEMPLATE (a file) into DIR/lighttpd.conf, replacing
#       @PORT@ by a free loopback port, @DIR@ by DIR and @KEY@ by VALUE for each
#       KEY=VALUE given; check it with `lighttpd -tt`; run `lighttpd -D` in the
#       background (stdout/stderr to DIR/logs/lighttpd.out, which is also where a
#       bin-path child's plain stderr goes); wait until it answers HTTP (polls
#       every 0.1 s, at most 10 s). DIR gets www/, run/ and logs/; the template
#       should use @DIR@/run/lighttpd.pid as server.pid-file and
#       @DIR@/logs/error.log as server.errorlog (lt_dump prints both logs).
#       Retries with another port when the chosen one was taken meanwhile.
#       Sets LT_DIR, LT_PORT, LT_PID, LT_URL (exported). Returns 1 (after
#       printing the logs) when it does not come up.
#   lt_stop [DIR]      SIGTERM lighttpd (pid from DIR/run/lt.pid, default
#                      $LT_DIR) and wait until it is gone; lighttpd ends its
#                      bin-path children itself.
#   lt_dump [DIR]      print the config, the error log and lighttpd's
#                      stdout/stderr to stderr.
#   lt_children [DIR]  the pids of lighttpd's child processes (bin-path
#                      backends), one a line.
#
# A minimal template:
#   server.document-root = "@DIR@/www"
#   server.bind = "127.0.0.1"
#   server.port = @PORT@
#   server.pid-file = "@DIR@/run/lighttpd.pid"
#   server.errorlog = "@DIR@/logs/error.log"
#   server.modules = ("mod_fastcgi")
#
# bats: the background lighttpd must not hold bats' file descriptor 3 open, or
# bats waits for it at the end of the file; lt_start closes fds 3–9 for it.

# shellcheck source=tests/lib/server.sh
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

lt_start() {
    local dir=$1 template=$2
    shift 2
    local text kv attempt port pid conf
    mkdir -p "$dir/www" "$dir/run" "$dir/logs" || return 1
    dir=$(cd "$dir" && pwd -P)
    conf=$dir/lighttpd.conf
    for ((attempt = 1; attempt <= 3; attempt++)); do
        port=$(srv_free_port) || return 1
        text=$(<"$template") || return 1
        text=${text//@PORT@/"$port"}
        text=${text//@DIR@/"$dir"}
        for kv in "$@"; do
            text=${text//"@${kv%%=*}@"/"${kv#*=}"}
        done
        printf '%s\n' "$text" >"$conf"
        if ! lighttpd -tt -f "$conf" >"$dir/logs/config-check.out" 2>&1; then
            echo "lt_start: lighttpd -tt refused $conf" >&2
            srv_dump "$dir/logs/config-check.out" "$conf"
            return 1
        fi
        : >"$dir/logs/lighttpd.out"
        (
            lighttpd -D -f "$conf" </dev/null >"$dir/logs/lighttpd.out" 2>&1 \
                3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
            echo $! >"$dir/run/lt.pid"
        )
        pid=$(<"$dir/run/lt.pid")
        export LT_DIR=$dir LT_PORT=$port LT_PID=$pid LT_URL="http://127.0.0.1:$port"
        if srv_poll 10 _lt_ready "$pid" "$LT_URL/"; then
            return 0
        fi
        if ! srv_alive "$pid" && grep -qi 'address already in use' "$dir/logs/error.log" \
            "$dir/logs/lighttpd.out" 2>/dev/null; then
            continue # the port was taken between the probe and the bind
        fi
        break
    done
    echo "lt_start: lighttpd did not answer on $LT_URL within 10 s" >&2
    lt_dump "$dir"
    srv_stop_pid "$pid"
    return 1
}

# Ready: any HTTP answer; gives up at once when lighttpd has exited.
_lt_ready() {
    srv_alive "$1" || return 2
    [ "$(srv_http_code "$2")" != 000 ]
}

lt_stop() {
    local dir=${1:-${LT_DIR-}} pid
    [ -n "$dir" ] && [ -f "$dir/run/lt.pid" ] || return 0
    pid=$(<"$dir/run/lt.pid")
    srv_stop_pid "$pid" 10
}

lt_dump() {
    local dir=${1:-${LT_DIR-}}
    srv_dump "$dir/lighttpd.conf" "$dir/logs/error.log" "$dir/logs/lighttpd.out"
}

lt_children() {
    local dir=${1:-${LT_DIR-}} pid
    pid=$(<"$dir/run/lt.pid") || return 1
    cat /proc/"$pid"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
}
