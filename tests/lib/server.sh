# SPDX-License-Identifier: MIT
# tests/lib/server.sh — small helpers shared by the private-server helpers
# (lighttpd.sh, spawn-fcgi.sh). Source it; it defines functions only.
#
# Servers started by these helpers run on 127.0.0.1 only, on a port that was
# free when chosen, with every file (config, pid file, logs, sockets) in a
# folder the caller owns. Nothing here touches a system service or port 80.

# srv_free_port — print a TCP port of 127.0.0.1 on which nothing listens
# (random, 20000–31999, below the usual ephemeral range). Fails after 50 tries.
srv_free_port() {
    local i p
    for ((i = 0; i < 50; i++)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        # A refused connection means a free port (loopback answers at once).
        if ! timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    echo "srv_free_port: no free port found" >&2
    return 1
}

# srv_alive PID — the process exists and is not a zombie.
srv_alive() {
    local state
    [ -r "/proc/$1/stat" ] || return 1
    state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# srv_poll SECONDS COMMAND... — run COMMAND every 0.1 s until it succeeds;
# fails when it has not succeeded after SECONDS (bounded polling, no fixed
# sleeps). COMMAND exiting with 2 means "it never will": srv_poll returns 2 at
# once.
srv_poll() {
    local tries=$(($1 * 10)) i rc
    shift
    for ((i = 0; i <= tries; i++)); do
        "$@"
        rc=$?
        [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] && return "$rc"
        [ "$i" -lt "$tries" ] && sleep 0.1
    done
    return 1
}

# srv_stop_pid PID [SECONDS] — SIGTERM the process, wait (polling) until it is
# gone, SIGKILL it after SECONDS (default 10). Only that one process id.
srv_stop_pid() {
    local pid=$1 secs=${2:-10}
    [ -n "$pid" ] || return 0
    srv_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    if ! srv_poll "$secs" _srv_gone "$pid"; then
        kill -KILL "$pid" 2>/dev/null
        srv_poll 5 _srv_gone "$pid"
    fi
}

_srv_gone() {
    ! srv_alive "$1"
}

# srv_http_code URL — the HTTP status of a GET (000 when nothing answers).
srv_http_code() {
    curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$1" 2>/dev/null
}

# srv_dump FILE... — print files to stderr, each line prefixed "# " (for a
# failing test: bats shows stderr of a failed test).
srv_dump() {
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        echo "# ---- $f" >&2
        sed 's/^/# /' "$f" >&2
    done
}
