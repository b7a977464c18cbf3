# SPDX-License-Identifier: MIT
# tests/lib/spawn-fcgi.sh — a FastCGI program under spawn-fcgi on loopback TCP
# (docs/servers.md, lighttpd: spawned or external process). Source it (it
# sources server.sh next to it).
#
#   sf_start DIR PROGRAM [VAR=VALUE...]
#       Run PROGRAM under `spawn-fcgi -a 127.0.0.1 -p <free port> -F 1`, with
#       exactly the environment VAR=VALUE... plus PATH (spawn-fcgi passes its
#       environment on). spawn-fcgi binds the socket before it forks, so the
#       program is ready when sf_start returns. Note that spawn-fcgi points
#       the program's stdout/stderr at /dev/null: its FastCGI stderr stream
#       (FCGX req.err) still reaches the client (cgi-fcgi prints it on stderr,
#       lighttpd logs it as "FastCGI-stderr:").
#       Sets SF_DIR, SF_PORT, SF_PID (exported); the pid file is
#       DIR/run/spawn-fcgi.pid. Returns 1 (after printing spawn-fcgi's
#       output) when the program did not start or exited at once.
#   sf_stop [DIR]   SIGTERM the program (pid from its pid file) and wait.

# shellcheck source=tests/lib/server.sh
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

sf_start() {
    local dir=$1 prog=$2 port pid attempt
    shift 2
    mkdir -p "$dir/run" "$dir/logs" || return 1
    dir=$(cd "$dir" && pwd -P)
    for ((attempt = 1; attempt <= 3; attempt++)); do
        port=$(srv_free_port) || return 1
        rm -f "$dir/run/spawn-fcgi.pid"
        if env -i PATH="$PATH" "$@" spawn-fcgi -a 127.0.0.1 -p "$port" -F 1 \
            -P "$dir/run/spawn-fcgi.pid" -- "$prog" </dev/null >"$dir/logs/spawn-fcgi.out" 2>&1 \
            3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; then
            break
        fi
        grep -qi 'address already in use' "$dir/logs/spawn-fcgi.out" || break
    done
    pid=$(tr -d ' \n' <"$dir/run/spawn-fcgi.pid" 2>/dev/null)
    if [ -z "$pid" ] || ! srv_alive "$pid"; then
        echo "sf_start: $prog did not start under spawn-fcgi" >&2
        srv_dump "$dir/logs/spawn-fcgi.out"
        return 1
    fi
    export SF_DIR=$dir SF_PORT=$port SF_PID=$pid
}

sf_stop() {
    local dir=${1:-${SF_DIR-}} pid
    [ -n "$dir" ] && [ -f "$dir/run/spawn-fcgi.pid" ] || return 0
    pid=$(tr -d ' \n' <"$dir/run/spawn-fcgi.pid")
    srv_stop_pid "$pid" 10
}
