# SPDX-License-Identifier: MIT
# tests/lib/nginx.sh — a private nginx for tests (docs/servers.md, nginx). Source it
# (it sources server.sh next to it); it defines functions only.
#
#   ng_render SRC DST [KEY=VALUE...]
#       Copy the file SRC to DST with every @KEY@ replaced by VALUE (e.g. the
#       example snippet examples/nginx-guard.conf). Values may themselves hold
#       @PORT@ / @DIR@: ng_start fills those in.
#   ng_start DIR TEMPLATE [KEY=VALUE...]
#       Render TEMPLATE (the top-level nginx.conf) into DIR/nginx.conf, and
#       every DIR/*.conf.in into DIR/*.conf, with @PORT@ = a free loopback
#       port, @DIR@ = DIR and @KEY@ = VALUE; refuse a placeholder left over;
#       check with `nginx -t`; run
#         nginx -p DIR/ -c nginx.conf -e logs/error.log -g 'daemon off;'
#       in the background (its stdout/stderr to DIR/logs/nginx.out) and wait
#       until it answers HTTP (polls every 0.1 s, at most 10 s). -e keeps even
#       the start-up log out of /var/log/nginx. The template must keep every
#       path inside DIR: pid @DIR@/run/nginx.pid, error_log/access_log under
#       @DIR@/logs, and the five *_temp_path under @DIR@/run (ng_temp_paths
#       DIR prints those lines). Retries with another port when the one chosen
#       was taken meanwhile. Sets NG_DIR, NG_PORT, NG_PID, NG_URL (exported).
#   ng_stop [DIR]    SIGTERM the master (pid from DIR/run/ng.pid, default
#                    $NG_DIR) and wait until it is gone; workers exit with it.
#   ng_dump [DIR]    print the config(s) and the logs to stderr.
#
# As root, nginx's workers run as `user` (default nobody), who cannot enter a
# bats temp dir (mode 0700): templates should say `user @USER@;` and pass
# USER="$(ng_user)" (the current user and group).
#
# bats: nginx must not keep bats' fd 3 open, or bats waits for it at the end.

# shellcheck source=tests/lib/server.sh
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

ng_user() {
    printf '%s %s' "$(id -un)" "$(id -gn)"
}

ng_temp_paths() {
    local d=$1 t
    for t in client_body proxy fastcgi uwsgi scgi; do
        printf '%s_temp_path %s/run/%s_temp;\n' "$t" "$d" "$t"
    done
}

ng_render() {
    local src=$1 dst=$2 text kv
    shift 2
    text=$(<"$src") || return 1
    for kv in "$@"; do
        # quoted: bash 5.2 would read an "&" in an unquoted replacement
        text=${text//"@${kv%%=*}@"/"${kv#*=}"}
    done
    printf '%s\n' "$text" >"$dst"
}

# _ng_render_all DIR TEMPLATE KEY=VALUE... — nginx.conf and every *.conf.in.
_ng_render_all() {
    local dir=$1 template=$2 f left
    shift 2
    ng_render "$template" "$dir/nginx.conf" "$@" || return 1
    for f in "$dir"/*.conf.in; do
        [ -f "$f" ] || continue
        ng_render "$f" "${f%.in}" "$@" || return 1
    done
    left=$(cat "$dir/nginx.conf" "$dir"/*.conf 2>/dev/null | grep -oE '@[A-Z_]+@' | sort -u |
        tr '\n' ' ')
    if [ -n "$left" ]; then
        echo "ng_start: placeholders left in $dir: $left" >&2
        return 1
    fi
}

ng_start() {
    local dir=$1 template=$2
    shift 2
    local attempt port pid
    mkdir -p "$dir/run" "$dir/logs" || return 1
    dir=$(cd "$dir" && pwd -P)
    for ((attempt = 1; attempt <= 3; attempt++)); do
        port=$(srv_free_port) || return 1
        _ng_render_all "$dir" "$template" PORT="$port" DIR="$dir" "$@" || return 1
        if ! nginx -p "$dir/" -c nginx.conf -e logs/error.log -t \
            >"$dir/logs/config-check.out" 2>&1; then
            echo "ng_start: nginx -t refused $dir/nginx.conf" >&2
            srv_dump "$dir/logs/config-check.out" "$dir"/*.conf
            return 1
        fi
        : >"$dir/logs/nginx.out"
        (
            nginx -p "$dir/" -c nginx.conf -e logs/error.log -g 'daemon off;' \
                </dev/null >"$dir/logs/nginx.out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
            echo $! >"$dir/run/ng.pid"
        )
        pid=$(<"$dir/run/ng.pid")
        export NG_DIR=$dir NG_PORT=$port NG_PID=$pid NG_URL="http://127.0.0.1:$port"
        if srv_poll 10 _ng_ready "$pid" "$NG_URL/"; then
            return 0
        fi
        if ! srv_alive "$pid" && grep -qi 'address already in use' "$dir/logs/error.log" \
            "$dir/logs/nginx.out" 2>/dev/null; then
            continue
        fi
        break
    done
    echo "ng_start: nginx did not answer on $NG_URL within 10 s" >&2
    ng_dump "$dir"
    srv_stop_pid "$pid"
    return 1
}

_ng_ready() {
    srv_alive "$1" || return 2
    [ "$(srv_http_code "$2")" != 000 ]
}

ng_stop() {
    local dir=${1:-${NG_DIR-}} pid
    [ -n "$dir" ] && [ -f "$dir/run/ng.pid" ] || return 0
    pid=$(<"$dir/run/ng.pid")
    srv_stop_pid "$pid" 10
}

ng_dump() {
    local dir=${1:-${NG_DIR-}}
    srv_dump "$dir"/*.conf "$dir/logs/error.log" "$dir/logs/nginx.out"
}
