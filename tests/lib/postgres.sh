# SPDX-License-Identifier: MIT
# tests/lib/postgres.sh — a private PostgreSQL server for tests. Source it (it
# sources server.sh next to it); it defines functions only. Used by bats files
# and by C tests (through `bash -c '. tests/lib/postgres.sh; pg_start DIR'`).
#
# Each server lives in one folder DIR the caller owns: the cluster in DIR/data
# (initdb --auth=trust --locale=C --encoding=UTF8), its log in DIR/postgres.log,
# its pid in DIR/pg.pid, its port in DIR/port, and its Unix socket
# DIR/.s.PGSQL.<port>. It listens on no TCP address at all (listen_addresses
# = ''), so the port only names the socket; it is still one that is free on
# 127.0.0.1 (server.sh), never 5432. Nothing here touches the system's cluster,
# its port or /run/postgresql. Several servers can run at once, one per DIR.
#
#   pg_start DIR [NAME=VALUE...]
#       Create the cluster when DIR/data does not hold one yet (else start the
#       existing one again, on the same port), append each NAME=VALUE to its
#       postgresql.conf (`timezone=Asia/Kolkata` sets the server's TimeZone,
#       which sessions start with; the default is UTC), run `postgres` in the
#       background and wait with pg_isready until it accepts connections (polls
#       every 0.1 s, at most 30 s; stops at once if the server exits). Sets
#       PG_DIR, PG_PORT, PG_PID (exported). Returns 1, after printing the log,
#       when it does not come up.
#   pg_stop DIR        fast shutdown (SIGINT to the pid of DIR/pg.pid), waits
#                      until the process is gone (SIGQUIT, then SIGKILL, after
#                      30 s); the server removes its socket and pid file.
#   pg_set DIR NAME=VALUE...
#                      append settings to postgresql.conf and reload (SIGHUP);
#                      waits until a new session sees each value (every 0.1 s,
#                      at most 10 s). For settings a reload can change, e.g.
#                      timezone.
#   pg_sql DIR DB SQL  run SQL with psql (-X -v ON_ERROR_STOP=1 -qAt), output
#                      on stdout, status non-zero on an error.
#   pg_sql_file DIR DB FILE   the same for an SQL file (read on stdin).
#   pg_createdb DIR DB a new database (createdb, template0).
#   pg_url DIR DB      the libpq URI of database DB on that socket:
#                      postgresql:///DB?host=DIR&port=N&user=U (percent-encoded).
#   pg_port DIR / pg_pid DIR   the port, the postmaster's pid.
#   pg_dump_log DIR    the server's log to stderr (for a failing test).
#
# The cluster's superuser is named after the user running the tests
# (`id -un`); pg_url names it, so any client can connect (trust, socket only).
#
# As root: PostgreSQL refuses to run as root, so every PostgreSQL program
# (initdb, postgres, pg_isready, psql, createdb) runs as the unprivileged
# `postgres` account (PG_RUN_AS) through setpriv. DIR is then owned by that
# account, and every folder above DIR that others cannot enter (a bats temp
# folder is mode 0700) gets the search bit for others (o+x): never read or
# write permission. The programs run with a clean environment (no PG*
# variables of the caller, HOME=DIR, LC_ALL=C), so a developer's PGHOST or
# PGTZ cannot change a test.
#
# PG_BINDIR: where initdb and postgres are (default `pg_config --bindir`, else
# the newest /usr/lib/postgresql/*/bin).
#
# bats: the background server must not hold bats' fd 3 open, or bats waits for
# it at the end of the file; pg_start closes fds 3–9 for it.

# shellcheck source=tests/lib/server.sh
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

PG_RUN_AS=${PG_RUN_AS:-postgres}

_pg_bindir() {
    local d
    if [ -n "${PG_BINDIR:-}" ]; then
        _PG_BIN=$PG_BINDIR
        return 0
    fi
    [ -n "${_PG_BIN:-}" ] && return 0
    d=$(pg_config --bindir 2>/dev/null)
    if [ -z "$d" ] || [ ! -x "$d/postgres" ]; then
        d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    if [ -z "$d" ] || [ ! -x "$d/postgres" ]; then
        echo "postgres.sh: no PostgreSQL server programs found (set PG_BINDIR)" >&2
        return 1
    fi
    _PG_BIN=$d
}

# _pg_argv DIR PROGRAM ARGS... — into _PG_ARGV, the command line that runs a
# PostgreSQL program with a clean environment, as PG_RUN_AS when root.
_pg_argv() {
    local dir=$1 prog=$2
    shift 2
    _pg_bindir || return 1
    _PG_ARGV=(env -i "PATH=$_PG_BIN:/usr/bin:/bin" "HOME=$dir" LC_ALL=C TZ=UTC)
    if [ "$(id -u)" -eq 0 ]; then
        _PG_ARGV+=(setpriv --reuid="$PG_RUN_AS" --regid="$PG_RUN_AS" --init-groups --)
    fi
    _PG_ARGV+=("$_PG_BIN/$prog" "$@")
}

# _pg_run DIR PROGRAM ARGS... — run it (see _pg_argv), from DIR: the caller's
# working directory may be one PG_RUN_AS cannot enter (a mktemp -d clone), and
# psql says so on stderr.
_pg_run() {
    _pg_argv "$@" || return 1
    (cd "$1" && "${_PG_ARGV[@]}")
}

# _pg_open_path DIR — as root, let PG_RUN_AS own DIR and enter every folder
# above it (search bit only).
_pg_open_path() {
    local dir=$1 d mode
    [ "$(id -u)" -eq 0 ] || return 0
    chown "$PG_RUN_AS:" "$dir" || return 1
    chmod 0700 "$dir" || return 1
    d=$(dirname "$dir")
    while [ "$d" != / ]; do
        mode=$(stat -c %a "$d") || return 1
        if [ $((8#$mode & 1)) -eq 0 ]; then
            chmod o+x "$d" || return 1
        fi
        d=$(dirname "$d")
    done
}

# _pg_conf_line NAME=VALUE — the postgresql.conf line, the value quoted.
_pg_conf_line() {
    local name=${1%%=*} value=${1#*=}
    if [ "$name" = "$1" ] || [ -z "$name" ]; then
        echo "postgres.sh: '$1' is not NAME=VALUE" >&2
        return 1
    fi
    printf "%s = '%s'\n" "$name" "${value//\'/\'\'}"
}

# _pg_ready PID DIR PORT — 0: accepting connections; 2: the server is gone
# (srv_poll stops); 1: not yet (pg_isready's own 2, "no response", included).
_pg_ready() {
    srv_alive "$1" || return 2
    _pg_run "$2" pg_isready -q -h "$2" -p "$3" -t 1 && return 0
    return 1
}

pg_start() {
    local dir=$1 kv port pid line
    shift
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd -P) || return 1
    if [ -f "$dir/pg.pid" ] && srv_alive "$(<"$dir/pg.pid")"; then
        echo "pg_start: a server already runs in $dir" >&2
        return 1
    fi
    if [ -f "$dir/data/PG_VERSION" ]; then
        port=$(<"$dir/port") || return 1
    else
        port=$(srv_free_port) || return 1
        # A Unix socket path holds at most 107 bytes (sun_path).
        line="$dir/.s.PGSQL.$port"
        if [ "${#line}" -gt 107 ]; then
            echo "pg_start: the socket path $line is longer than 107 bytes" >&2
            return 1
        fi
        _pg_open_path "$dir" || return 1
        if ! _pg_run "$dir" initdb -D "$dir/data" --auth=trust --locale=C --encoding=UTF8 \
            --username="$(id -un)" --no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
            echo "pg_start: initdb failed" >&2
            srv_dump "$dir/initdb.log"
            return 1
        fi
        {
            echo "# tests/lib/postgres.sh: a private server, Unix socket only"
            echo "listen_addresses = ''"
            _pg_conf_line "unix_socket_directories=$dir"
            echo "port = $port"
            echo "timezone = 'UTC'"
            echo "log_timezone = 'UTC'"
            # A throwaway cluster: durability buys nothing here.
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
            echo "max_connections = 20"
            echo "shared_buffers = '16MB'"
        } >>"$dir/data/postgresql.conf" || return 1
        printf '%s\n' "$port" >"$dir/port"
    fi
    for kv in "$@"; do
        _pg_conf_line "$kv" >>"$dir/data/postgresql.conf" || return 1
    done
    _pg_argv "$dir" postgres -D "$dir/data" || return 1
    # exec: the background process becomes the postmaster, so $! is its pid
    (
        (cd "$dir" && exec "${_PG_ARGV[@]}") </dev/null >>"$dir/postgres.log" 2>&1 \
            3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
        echo $! >"$dir/pg.pid"
    )
    pid=$(<"$dir/pg.pid")
    export PG_DIR=$dir PG_PORT=$port PG_PID=$pid
    local rc=0
    srv_poll 30 _pg_ready "$pid" "$dir" "$port" || rc=$? # (bats runs with set -e)
    case $rc in
    0) return 0 ;;
    2) echo "pg_start: the server in $dir exited" >&2 ;;
    *) echo "pg_start: the server in $dir did not accept connections within 30 s" >&2 ;;
    esac
    pg_dump_log "$dir"
    pg_stop "$dir"
    return 1
}

_pg_gone() { ! srv_alive "$1"; }

pg_stop() {
    local dir=$1 pid
    [ -f "$dir/pg.pid" ] || return 0
    pid=$(<"$dir/pg.pid")
    if srv_alive "$pid"; then
        kill -INT "$pid" 2>/dev/null
        if ! srv_poll 30 _pg_gone "$pid"; then
            echo "pg_stop: no fast shutdown within 30 s; SIGQUIT" >&2
            kill -QUIT "$pid" 2>/dev/null
            srv_poll 5 _pg_gone "$pid" || kill -KILL "$pid" 2>/dev/null
            srv_poll 5 _pg_gone "$pid"
        fi
    fi
    rm -f "$dir/pg.pid"
}

pg_port() { cat "$1/port"; }
pg_pid() { cat "$1/pg.pid"; }

_pg_setting_is() { # DIR NAME VALUE
    [ "$(pg_sql "$1" postgres "SELECT current_setting('${2//\'/\'\'}')" 2>/dev/null)" = "$3" ]
}

pg_set() {
    local dir=$1 kv
    shift
    for kv in "$@"; do
        _pg_conf_line "$kv" >>"$dir/data/postgresql.conf" || return 1
    done
    kill -HUP "$(pg_pid "$dir")" || return 1
    for kv in "$@"; do
        if ! srv_poll 10 _pg_setting_is "$dir" "${kv%%=*}" "${kv#*=}"; then
            echo "pg_set: ${kv%%=*} did not become '${kv#*=}' within 10 s" >&2
            pg_dump_log "$dir"
            return 1
        fi
    done
}

# _pg_enc TEXT SAFE — percent-encode every byte of TEXT that is not unreserved
# (RFC 3986 §2.3) nor in SAFE.
_pg_enc() {
    local s=$1 safe=$2 out='' c i LC_ALL=C
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9._~-]) out+=$c ;;
        *)
            if [[ -n $safe && $safe == *"$c"* ]]; then
                out+=$c
            else
                out+=$(printf '%%%02X' "'$c")
            fi
            ;;
        esac
    done
    printf '%s' "$out"
}

pg_url() {
    local dir db=$2
    dir=$(cd "$1" && pwd -P) || return 1
    printf 'postgresql:///%s?host=%s&port=%s&user=%s\n' "$(_pg_enc "$db" '')" \
        "$(_pg_enc "$dir" /)" "$(pg_port "$dir")" "$(_pg_enc "$(id -un)" '')"
}

pg_sql() {
    local dir=$1 db=$2 sql=$3 url
    url=$(pg_url "$dir" "$db") || return 1
    _pg_run "$dir" psql -X -v ON_ERROR_STOP=1 -qAt -d "$url" -c "$sql"
}

pg_sql_file() {
    local dir=$1 db=$2 file=$3 url
    url=$(pg_url "$dir" "$db") || return 1
    _pg_run "$dir" psql -X -v ON_ERROR_STOP=1 -qAt -d "$url" -f - <"$file"
}

pg_createdb() {
    local dir=$1
    _pg_run "$dir" createdb -h "$dir" -p "$(pg_port "$dir")" -U "$(id -un)" -T template0 -- "$2"
}

pg_dump_log() {
    srv_dump "$1/postgres.log"
}
