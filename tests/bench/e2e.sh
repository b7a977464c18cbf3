#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end benchmark (`make bench` runs it after the micro-benchmarks): a private
# lighttpd on loopback serving one small file plainly, behind the guard (with a
# valid cookie: allow; the same with a different token on every request, so
# that none is a repeat the guard's token cache knows; without a cookie: 307; an
# API path without: 401), behind a trivial always-allow authorizer (the
# ceiling), behind the same authorizer doing one AES-256-GCM decryption per
# request (the floor of any OpenSSL-based check), and the session endpoint. wrk
# drives each case for BENCH_SECONDS (default 4) with 2 threads and 32
# connections, bounded by timeout. The ceiling, the floor and the two guard
# allow cases run in BENCH_ROUNDS rounds (default 5; see below), so that a slow
# spell of the machine hits them alike; their line gives the median round and
# the ratios are medians of the per-round ratios. Prints one line per case:
#   e2e <case> <req/s> p50=<ms> p99=<ms> non2xx=<n>
# then the ratios and the guard processes' RSS before and after.
#
# Then database sessions (BENCH_DB=0 leaves them out), on a second private
# lighttpd (tests/bench/e2e.db.lighttpd.conf) over tests/bench/db.sh's
# databases (10 000 sessions; a SQLite file, a private PostgreSQL on its Unix
# socket): every request carries the next session's cookie (rotate.lua over
# all of them), so that no lookup repeats one a process has just made. The
# trivial authorizer and the guard on SQLite and on PostgreSQL in rounds as
# above, and the guard with database.cacheSeconds 1 on each (one session's
# cookie on every request, as in guard-allow); the session endpoint on PostgreSQL against next-auth 4's own session
# route (tests/bench/node-session.mjs: @auth/pg-adapter on the same database,
# NEXTAUTH_BENCH_NODE_WORKERS processes, default one per core) and the trivial
# authorizer's program as a responder (the ceiling), all with the same Cookie
# headers, in rounds; then a soak of the SQLite guard with its RSS
# after 10 000 requests and at the end. The Node packages (next-auth 4.24.15,
# @auth/pg-adapter 1.11.3, pg 8.23.1) are installed with npm into
# NEXTAUTH_INTEROP_CACHE when set (the interop suites' folder), else into the
# run's temp folder; never into the repository. Without node or npm, or when
# npm fails, that comparison is one "skipped" line with the reason; without
# PostgreSQL, so are its rows.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
secs=${BENCH_SECONDS:-4}
procs=${BENCH_PROCS:-4}
rounds=${BENCH_ROUNDS:-5}
. tests/lib/lighttpd.sh
. tests/bench/db.sh

command -v wrk >/dev/null || { echo "e2e: wrk is not installed (apt-get install wrk)"; exit 1; }
dir=$(mktemp -d)
node_pid=''
cleanup() {
    [ -z "$node_pid" ] || kill "$node_pid" 2>/dev/null || true
    lt_stop "$dir" >/dev/null 2>&1 || true
    lt_stop "$dir/dbl" >/dev/null 2>&1 || true
    bench_db_stop "$dir/db"
    rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir/www/plain" "$dir/www/guarded" "$dir/www/trivial" "$dir/www/aesfloor" "$dir/www/api"
for d in plain guarded trivial aesfloor api; do printf 'hello wrk\n' >"$dir/www/$d/file.txt"; done

export NEXTAUTH_SECRET=$(bin/nextauth-token secret)
export NEXTAUTH_URL=http://127.0.0.1
tok=$(bin/nextauth-token encode '{"name":"Ada Lovelace","email":"ada.lovelace@example.com","picture":"https://lh3.googleusercontent.com/a/ACg8ocJ4kLm2Qz7Xv9pT3sR8wYbN1cD6eF0gH5iJ2kL7mN9o=s96-c","sub":"112233445566778899001"}')
cookie="next-auth.session-token=$tok"
# 256 different sessions of the same shape (8 times the default tokenCache)
for i in $(seq 256); do
    printf 'next-auth.session-token=%s\n' "$(bin/nextauth-token encode "{\"name\":\"User $i\",\"email\":\"user$i@example.com\",\"picture\":\"https://lh3.googleusercontent.com/a/ACg8ocJ4kLm2Qz7Xv9pT3sR8wYbN1cD6eF0gH5iJ2kL7mN9o=s96-c\",\"sub\":\"1122334455667788990$i\"}")"
done >"$dir/cookies.txt"

lt_start "$dir" tests/bench/e2e.lighttpd.conf GUARD="$root/cgi-bin/nextauth-guard" \
    TRIVIAL="$root/tests/bench/allow-authorizer" SESSION="$root/cgi-bin/nextauth-session" \
    PROCS="$procs" >/dev/null
url=$LT_URL

guard_pids() {
    local p
    for p in $(lt_children "$dir"); do
        if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q nextauth-guard; then echo "$p"; fi
    done
}
rss() {
    local p out=""
    for p in $(guard_pids); do out+="$(awk '/VmRSS/ {print $2}' "/proc/$p/status")kB "; done
    echo "${out% }"
}

# Touch every path once so that lighttpd has spawned every backend.
for p in plain/file.txt guarded/file.txt trivial/file.txt aesfloor/file.txt api/x auth/session; do
    curl -s -o /dev/null -H "Cookie: $cookie" "$url/$p"
done
echo "e2e: lighttpd $(lighttpd -v 2>&1 | head -1 | cut -d' ' -f1), $procs process(es) per backend, $(nproc) cores, wrk -t2 -c32 -d${secs}s"
echo "e2e: guard RSS before: $(rss)"

# measure NAME PATH [HEADER|@rotate] — run wrk once; sets rps, p50, p99, non
measure() {
    local name=$1 path=$2 hdr=${3:-} out
    local args=(-t2 -c32 -d"${secs}s" --latency)
    if [ "$hdr" = @rotate ]; then
        args+=(-s tests/bench/rotate.lua)
    elif [ -n "$hdr" ]; then
        args+=(-H "$hdr")
    fi
    out=$(BENCH_COOKIES="${cookies_file:-$dir/cookies.txt}" timeout $((secs + 25)) wrk "${args[@]}" "$url/$path")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    non=${non:-0}
}
line() { printf 'e2e %s %.0f p50=%s p99=%s non2xx=%s%s\n' "$1" "$rps" "$p50" "$p99" "$non" "${2:-}"; }
# wrk_case NAME PATH [HEADER] — one run, one line
wrk_case() { measure "$@"; line "$1"; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

wrk_case static-unguarded plain/file.txt

# The ratios: ceiling, floor and guard, BENCH_ROUNDS rounds. A round runs the
# four cases forth and back (T A G D D G A T, BENCH_RATIO_SECONDS each, default
# 3) and takes each case's mean of its two runs: every case then sits at the
# same mean time in the round, so a machine that speeds up or slows down during
# the round (a VM's neighbours) shifts them all alike and not the ratios.
rsecs=${BENCH_RATIO_SECONDS:-3}
declare -A runs=() lines=()
ratios_guard="" ratios_distinct="" ratios_aes=""
cases=("authorizer-trivial-allow trivial/file.txt" "authorizer-aes-floor-allow aesfloor/file.txt"
    "guard-allow guarded/file.txt" "guard-allow-distinct guarded/file.txt")
for ((r = 1; r <= rounds; r++)); do
    declare -A this=()
    for i in 0 1 2 3 3 2 1 0; do
        set -- ${cases[$i]}
        if [ "$1" = guard-allow-distinct ]; then
            secs=$rsecs measure "$1" "$2" @rotate
        else
            secs=$rsecs measure "$1" "$2" "Cookie: $cookie"
        fi
        if [ -z "${this[$1]:-}" ]; then
            this[$1]=$rps
            continue
        fi
        rps=$(awk -v a="${this[$1]}" -v b="$rps" 'BEGIN {printf "%.0f", (a + b) / 2}')
        this[$1]=$rps
        runs[$1]+="$rps "
        lines[$1,$rps]="$p50 $p99 $non"
    done
    ratios_guard+="$(awk -v a="${this[guard-allow]}" -v b="${this[authorizer-trivial-allow]}" 'BEGIN {printf "%.3f", a / b}') "
    ratios_distinct+="$(awk -v a="${this[guard-allow-distinct]}" -v b="${this[authorizer-trivial-allow]}" 'BEGIN {printf "%.3f", a / b}') "
    ratios_aes+="$(awk -v a="${this[authorizer-aes-floor-allow]}" -v b="${this[authorizer-trivial-allow]}" 'BEGIN {printf "%.3f", a / b}') "
done
for c in authorizer-trivial-allow authorizer-aes-floor-allow guard-allow guard-allow-distinct; do
    rps=$(tr ' ' '\n' <<<"${runs[$c]}" | grep . | median)
    read -r p50 p99 non <<<"${lines[$c,$rps]}"
    line "$c" " (median of $rounds: ${runs[$c]% })"
done
wrk_case guard-307 guarded/file.txt
wrk_case guard-api-401 api/x
wrk_case session-valid auth/session "Cookie: $cookie"

echo "e2e: guard RSS after: $(rss)"

# RSS over a long run: allowed requests until BENCH_SOAK_REQUESTS (default 1 000 000)
# have been answered, in wrk runs of 10 s, at most 110 s in all; the 256 sessions
# in turn, so that the token cache is full and every slot is overwritten again
# and again.
soak=${BENCH_SOAK_REQUESTS:-1000000}
if [ "$soak" -gt 0 ]; then
    total=0
    start=$SECONDS
    before=$(rss)
    while [ "$total" -lt "$soak" ] && [ $((SECONDS - start)) -lt 110 ]; do
        out=$(BENCH_COOKIES="$dir/cookies.txt" timeout 35 wrk -t2 -c32 -d10s \
            -s tests/bench/rotate.lua "$url/guarded/file.txt")
        total=$((total + $(awk '/requests in/ {print $1}' <<<"$out")))
    done
    echo "e2e soak: $total allowed requests in $((SECONDS - start)) s; guard RSS before: $before; after: $(rss)"
fi
m() { tr ' ' '\n' <<<"$1" | grep . | median; }
printf 'ratio authorizer-aes-floor-allow/authorizer-trivial-allow %.2f (what one AES-GCM costs; rounds: %s)\n' \
    "$(m "$ratios_aes")" "${ratios_aes% }"
printf 'ratio guard-allow-distinct/authorizer-trivial-allow %.2f (a new token every request; rounds: %s)\n' \
    "$(m "$ratios_distinct")" "${ratios_distinct% }"
printf 'ratio guard-allow/authorizer-trivial-allow %.2f (target >= 0.90; rounds: %s)\n' \
    "$(m "$ratios_guard")" "${ratios_guard% }"

# ---- database sessions -------------------------------------------------------
[ "${BENCH_DB:-1}" != 0 ] || exit 0
db=$dir/db
for d in trivial sqlite pg sqlite-cached pg-cached; do
    mkdir -p "$dir/dbl/www/$d"
    printf 'hello wrk\n' >"$dir/dbl/www/$d/file.txt"
done
mkdir -p "$db"
if ! bench_db_start "$db" >"$dir/db.log" 2>&1; then
    echo "e2e db: skipped: tests/bench/db.sh failed: $(tail -n 3 "$dir/db.log" | tr '\n' ' ')"
    exit 1
fi
pg_skip=$(cat "$db/pg.skip" 2>/dev/null || true)
lt_start "$dir/dbl" tests/bench/e2e.db.lighttpd.conf GUARD="$root/cgi-bin/nextauth-guard" \
    TRIVIAL="$root/tests/bench/allow-authorizer" SESSION="$root/cgi-bin/nextauth-session" \
    PROCS="$procs" DB="$db" >/dev/null
dburl=$LT_URL
first=$(head -n 1 "$db/cookies.txt")
for p in trivial/file.txt sqlite/file.txt pg/file.txt sqlite-cached/file.txt pg-cached/file.txt \
    api/auth/session responder/x; do
    curl -s -o /dev/null -H "Cookie: $first" "$dburl/$p"
done
# the pids of the guard processes on database config NAME (sqlite, pg)
db_guard_pids() {
    local p
    for p in $(lt_children "$dir/dbl"); do
        if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "NEXTAUTH_CONFIG=$db/$1.json" &&
            tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q nextauth-guard; then
            echo "$p"
        fi
    done
}
db_rss() {
    local p out=""
    for p in $(db_guard_pids "$1"); do out+="$(awk '/VmRSS/ {print $2}' "/proc/$p/status")kB "; done
    echo "${out% }"
}
echo "e2e db: $(wc -l <"$db/tokens.txt") sessions; SQLite $(sqlite3 --version | cut -d' ' -f1)" \
    "(journal_mode $(sqlite3 "$db/app.db" 'PRAGMA journal_mode')), $([ -n "$pg_skip" ] &&
        echo "no PostgreSQL ($pg_skip)" ||
        echo "PostgreSQL $(pg_sql "$db/pg" prisma 'SHOW server_version' | cut -d' ' -f1) on a Unix socket");" \
    "every request the next session's cookie"
echo "e2e db: guard RSS before: sqlite $(db_rss sqlite); pg $(db_rss pg)"

# ratio_rounds REF CASE... — BENCH_ROUNDS rounds of the cases forth and back
# (as above), each "NAME BASE_URL PATH [same]" measured with rotate.lua over
# $cookies_file, or with "same" the first session's cookie on every request;
# REF (one of them) is the reference. Sets runs[NAME], lines[NAME,RPS] and
# ratios[NAME] (the per-round ratios to REF).
declare -A ratios=()
ratio_rounds() {
    local ref=$1 r i n c name base path mode
    shift
    local cs=("$@")
    n=${#cs[@]}
    for ((r = 1; r <= rounds; r++)); do
        declare -A this=()
        for ((i = 0; i < 2 * n; i++)); do
            read -r name base path mode <<<"${cs[$((i < n ? i : 2 * n - 1 - i))]}"
            if [ "$mode" = same ]; then
                url=$base secs=$rsecs measure "$name" "$path" "Cookie: $first"
            else
                url=$base secs=$rsecs measure "$name" "$path" @rotate
            fi
            if [ -z "${this[$name]:-}" ]; then
                this[$name]=$rps
                continue
            fi
            rps=$(awk -v a="${this[$name]}" -v b="$rps" 'BEGIN {printf "%.0f", (a + b) / 2}')
            this[$name]=$rps
            runs[$name]+="$rps "
            lines[$name,$rps]="$p50 $p99 $non"
        done
        for c in "${cs[@]}"; do
            name=${c%% *}
            [ "$name" = "$ref" ] && continue
            ratios[$name]+="$(awk -v a="${this[$name]}" -v b="${this[$ref]}" 'BEGIN {printf "%.3f", a / b}') "
        done
    done
}
# db_line NAME — the median round's line of NAME
db_line() {
    rps=$(tr ' ' '\n' <<<"${runs[$1]}" | grep . | median)
    read -r p50 p99 non <<<"${lines[$1,$rps]}"
    line "$1" " (median of $rounds: ${runs[$1]% })"
}

cookies_file=$db/cookies.txt
# the cached cases: one session's cookie on every request, as a browser sends
# it with a page's requests (each process reads the row once a second)
db_cases=("authorizer-trivial-allow-db $dburl trivial/file.txt" "guard-db-sqlite $dburl sqlite/file.txt"
    "guard-db-sqlite-cached $dburl sqlite-cached/file.txt same")
[ -n "$pg_skip" ] || db_cases+=("guard-db-pg $dburl pg/file.txt" "guard-db-pg-cached $dburl pg-cached/file.txt same")
ratio_rounds authorizer-trivial-allow-db "${db_cases[@]}"
for c in "${db_cases[@]}"; do db_line "${c%% *}"; done
[ -z "$pg_skip" ] || echo "e2e guard-db-pg, guard-db-pg-cached skipped: $pg_skip"
echo "e2e db: guard RSS after: sqlite $(db_rss sqlite); pg $(db_rss pg)"

# The session endpoint against next-auth's own route, with the same cookies:
# each session's, plus the CSRF and callback-url cookies a browser holds after
# its first visit (without them next-auth would mint new ones every request).
node_skip=$pg_skip
if [ -z "$node_skip" ]; then
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        node_skip="node and npm are needed"
    fi
fi
if [ -z "$node_skip" ]; then
    install=${NEXTAUTH_INTEROP_CACHE:-$dir/npm}
    install=$(realpath -m -- "$install")
    case "$install/" in "$root/"*) node_skip="$install is inside the repository" ;; esac
fi
node_pkgs=(next-auth@4.24.15 @auth/pg-adapter@1.11.3 pg@8.23.1)
node_installed() {
    node -e '
        const [dir, ...want] = process.argv.slice(1);
        const v = (n) => { try { return require(dir + "/" + n + "/package.json").version; } catch { return ""; } };
        process.exit(want.every((p) => { const i = p.lastIndexOf("@");
          return v(p.slice(0, i)) === p.slice(i + 1); }) ? 0 : 1);
    ' "$install/node_modules" "${node_pkgs[@]}"
}
if [ -z "$node_skip" ] && ! node_installed 2>/dev/null; then
    mkdir -p "$install"
    [ -f "$install/package.json" ] || echo '{ "private": true }' >"$install/package.json"
    if ! (cd "$install" && NPM_CONFIG_UPDATE_NOTIFIER=false timeout 600 npm install --no-audit \
        --no-fund --legacy-peer-deps "${node_pkgs[@]}") >"$dir/npm.log" 2>&1 || ! node_installed; then
        node_skip="npm install ${node_pkgs[*]} failed: $(grep -m1 -i 'err' "$dir/npm.log" || tail -n 1 "$dir/npm.log")"
    fi
fi
if [ -z "$node_skip" ]; then
    node_port=$(srv_free_port)
    workers=${NEXTAUTH_BENCH_NODE_WORKERS:-$(nproc)}
    (
        NEXTAUTH_BENCH_MODULES=$install/node_modules NEXTAUTH_BENCH_PG_HOST=$db/pg \
            NEXTAUTH_BENCH_PG_PORT=$(pg_port "$db/pg") NEXTAUTH_BENCH_PG_USER=$(id -un) \
            NEXTAUTH_BENCH_PG_DB=pgadapter NEXTAUTH_BENCH_PORT=$node_port \
            NEXTAUTH_BENCH_WORKERS=$workers NEXTAUTH_URL=http://127.0.0.1:$node_port \
            exec node tests/bench/node-session.mjs </dev/null >"$dir/node.out" 2>&1 &
        echo $! >"$dir/node.pid"
    )
    node_pid=$(<"$dir/node.pid")
    node_up() { srv_alive "$node_pid" || return 2; grep -qs '^listening' "$dir/node.out" || return 1; }
    if ! srv_poll 30 node_up; then
        node_skip="tests/bench/node-session.mjs did not start: $(tail -n 2 "$dir/node.out" | tr '\n' ' ')"
    fi
fi
if [ -z "$node_skip" ]; then
    extra=$(curl -si "http://127.0.0.1:$node_port/api/auth/session" |
        awk -F'[:;] *' 'tolower($1) == "set-cookie" {printf "; %s", $2}')
    sed "s|\$|$extra|" "$db/cookies.txt" >"$db/cookies-browser.txt"
    cookies_file=$db/cookies-browser.txt
    # the same answer from both (but the dates), and Node's JIT warmed up
    ours=$(curl -s -H "Cookie: $(head -n 1 "$cookies_file")" "$dburl/api/auth/session")
    theirs=$(curl -s -H "Cookie: $(head -n 1 "$cookies_file")" "http://127.0.0.1:$node_port/api/auth/session")
    [ "$ours" = "$theirs" ] || echo "e2e db: the two session answers differ: $ours / $theirs"
    # Node's JIT needs its time: a cold server answers a third as fast, and
    # it takes about 20 s of load to settle
    for i in 1 2; do url=http://127.0.0.1:$node_port secs=10 measure warm-up api/auth/session @rotate; done
    ratio_rounds nextauth-node-session-db-pg "session-db-pg $dburl api/auth/session" \
        "nextauth-node-session-db-pg http://127.0.0.1:$node_port api/auth/session" \
        "responder-trivial $dburl responder/api/auth/session"
    db_line session-db-pg
    db_line nextauth-node-session-db-pg
    db_line responder-trivial
    # Where the CPU goes. On this machine wrk, the HTTP server, the program and
    # PostgreSQL share the cores, so the ratio of requests per second is
    # bounded by what both sides pay alike (PostgreSQL's backend, the client);
    # the CPU each process spends per request is what the two programs cost.
    # One run of each, BENCH_CPU_SECONDS (default 6), with the rotating cookies.
    csecs=${BENCH_CPU_SECONDS:-6}
    pg_procs() { # the postmaster and its children (backends, workers)
        local pm
        pm=$(pg_pid "$db/pg")
        echo "$pm"
        cat /proc/"$pm"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
    }
    session_pids() {
        local p
        for p in $(lt_children "$dir/dbl"); do
            tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q nextauth-session && echo "$p"
        done
        return 0
    }
    trivial_pids() { # the trivial program's processes (only its responder ones work here)
        local p
        for p in $(lt_children "$dir/dbl"); do
            tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q allow-authorizer && echo "$p"
        done
        return 0
    }
    node_pids() { echo "$node_pid"; cat /proc/"$node_pid"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'; }
    # ticks PID... — CPU ticks (user + system, and of waited-for children) summed
    ticks() {
        local p t=0 v
        for p in "$@"; do
            v=$(awk '{sub(/^.*\) /, ""); print $12 + $13 + $14 + $15}' "/proc/$p/stat" 2>/dev/null) || continue
            t=$((t + ${v:-0}))
        done
        echo "$t"
    }
    hz=$(getconf CLK_TCK)
    # cpu_case NAME URL GROUP:PIDS-FUNCTION... — one wrk run; prints each
    # group's CPU microseconds per request; sets cpu[NAME,GROUP]
    declare -A cpu=()
    cpu_case() {
        local name=$1 base=$2 g out n desc=""
        shift 2
        declare -A t0=()
        for g in "$@"; do t0[$g]=$(ticks $(${g#*:})); done
        out=$(BENCH_COOKIES=$cookies_file timeout $((csecs + 25)) wrk -t2 -c32 -d"${csecs}s" \
            -s tests/bench/rotate.lua "$base/api/auth/session")
        n=$(awk '/requests in/ {print $1}' <<<"$out")
        for g in "$@"; do
            cpu[$name,${g%%:*}]=$(awk -v a="${t0[$g]}" -v b="$(ticks $(${g#*:}))" -v hz="$hz" -v n="$n" \
                'BEGIN {printf "%.1f", (b - a) * 1e6 / hz / n}')
            desc+="${g%%:*} ${cpu[$name,${g%%:*}]} us, "
        done
        echo "e2e db cpu $name: $n requests in ${csecs} s; CPU per request: ${desc%, }"
    }
    cpu_case session-db-pg "$dburl" nextauth-session:session_pids lighttpd:"echo $(<"$dir/dbl/run/lt.pid")" \
        PostgreSQL:pg_procs
    cpu_case nextauth-node-session-db-pg "http://127.0.0.1:$node_port" node:node_pids PostgreSQL:pg_procs
    cpu_case responder-trivial "$dburl/responder" responder-trivial:trivial_pids \
        lighttpd:"echo $(<"$dir/dbl/run/lt.pid")"
    # an answer {} from an error counts for wrk as a 200: the logs must be clean
    n=$(grep -c ERROR "$dir/node.out" || true)
    [ "$n" = 0 ] || echo "e2e db: next-auth logged $n errors (its rows are void): $(grep -m1 ERROR "$dir/node.out")"
    n=$(cat "$dir/dbl/logs/error.log" "$dir/dbl/logs/lighttpd.out" 2>/dev/null | grep -c SESSION_ERROR || true)
    [ "$n" = 0 ] || echo "e2e db: the session endpoint logged $n errors (its rows are void)"
fi
[ -z "$node_skip" ] || echo "e2e session-db-pg skipped: $node_skip"

# RSS of the SQLite guard over a long run (BENCH_SOAK_REQUESTS, as above; at
# most 150 s, as it answers fewer requests a second): its RSS after the first
# 10 000 requests and at the end.
cookies_file=$db/cookies.txt
if [ "$soak" -gt 0 ]; then
    total=0 bad=0 n10k=0
    start=$SECONDS
    before=$(db_rss sqlite)
    soak_run() { # SECONDS — one wrk run on the SQLite guard; adds to total and bad
        local out
        out=$(BENCH_COOKIES=$cookies_file timeout $(($1 + 25)) wrk -t2 -c32 -d"$1"s \
            -s tests/bench/rotate.lua "$dburl/sqlite/file.txt")
        total=$((total + $(awk '/requests in/ {print $1}' <<<"$out")))
        bad=$((bad + $(awk '/Non-2xx/ {n = $NF} END {print n + 0}' <<<"$out")))
    }
    while [ "$total" -lt 10000 ] && [ $((SECONDS - start)) -lt 30 ]; do soak_run 1; done
    n10k=$total at10k=$(db_rss sqlite)
    while [ "$total" -lt "$soak" ] && [ $((SECONDS - start)) -lt 150 ]; do soak_run 10; done
    after=$(db_rss sqlite)
    max=$(tr ' ' '\n' <<<"$at10k $after" | tr -d kB | sort -n | tail -n 1)
    echo "e2e db soak: $total requests ($bad non-2xx) in $((SECONDS - start)) s on the SQLite guard;" \
        "guard RSS before: $before; after $n10k: $at10k; after $total: $after" \
        "(largest ${max} kB; target <= 4096 kB and flat)"
fi
for c in guard-db-sqlite:0.70 guard-db-pg:0.40 guard-db-sqlite-cached:0.90 guard-db-pg-cached:0.90; do
    [ -n "${ratios[${c%:*}]:-}" ] || continue
    printf 'ratio %s/authorizer-trivial-allow-db %.2f (target >= %s; rounds: %s)\n' "${c%:*}" \
        "$(m "${ratios[${c%:*}]}")" "${c#*:}" "${ratios[${c%:*}]% }"
done
if [ -n "${ratios[session-db-pg]:-}" ]; then
    printf 'ratio session-db-pg/nextauth-node-session-db-pg %.2f (target >= 20; rounds: %s)\n' \
        "$(m "${ratios[session-db-pg]}")" "${ratios[session-db-pg]% }"
    printf 'ratio responder-trivial/nextauth-node-session-db-pg %.2f (the most any FastCGI session endpoint could reach here; rounds: %s)\n' \
        "$(m "${ratios[responder-trivial]}")" "${ratios[responder-trivial]% }"
    awk -v ours="${cpu[session-db-pg,nextauth-session]}" -v node="${cpu[nextauth-node-session-db-pg,node]}" \
        -v lt="${cpu[session-db-pg,lighttpd]}" -v pga="${cpu[session-db-pg,PostgreSQL]}" \
        -v pgb="${cpu[nextauth-node-session-db-pg,PostgreSQL]}" 'BEGIN {
        printf "ratio cpu node/nextauth-session %.1f (CPU per request of the program itself: %s vs %s us; target >= 20)\n", node / ours, node, ours
        printf "ratio cpu server-side %.1f (the program, its HTTP server and PostgreSQL: node + PostgreSQL %.1f us vs lighttpd + nextauth-session + PostgreSQL %.1f us)\n", (node + pgb) / (ours + lt + pga), node + pgb, ours + lt + pga
    }'
fi
