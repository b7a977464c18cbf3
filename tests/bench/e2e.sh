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
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
secs=${BENCH_SECONDS:-4}
procs=${BENCH_PROCS:-4}
rounds=${BENCH_ROUNDS:-5}
. tests/lib/lighttpd.sh

command -v wrk >/dev/null || { echo "e2e: wrk is not installed (apt-get install wrk)"; exit 1; }
dir=$(mktemp -d)
trap 'lt_stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
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
    out=$(BENCH_COOKIES="$dir/cookies.txt" timeout $((secs + 25)) wrk "${args[@]}" "$url/$path")
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
