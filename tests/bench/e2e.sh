#!/usr/bin/env bash
# End-to-end benchmark (`make bench` runs it after the micro-benchmarks): a private
# lighttpd on loopback serving one small file plainly, behind the guard (with a
# valid cookie: allow; without: 307; an API path without: 401), behind a trivial
# always-allow authorizer (the ceiling), behind the same authorizer doing one
# AES-256-GCM decryption per request (the floor of any OpenSSL-based check), and
# the session endpoint. wrk drives
# each case for BENCH_SECONDS (default 5) with 2 threads and 32 connections,
# bounded by timeout. Prints one line per case:
#   e2e <case> <req/s> p50=<ms> p99=<ms> non2xx=<n>
# then the guard/ceiling ratio and the guard processes' RSS before and after.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
secs=${BENCH_SECONDS:-5}
procs=${BENCH_PROCS:-4}
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

# wrk_case NAME PATH [HEADER] — run wrk, print the case line, keep req/s in $last
declare -A result
wrk_case() {
    local name=$1 path=$2 hdr=${3:-} out rps p50 p99 non
    local args=(-t2 -c32 -d"${secs}s" --latency)
    [ -n "$hdr" ] && args+=(-H "$hdr")
    out=$(timeout $((secs + 25)) wrk "${args[@]}" "$url/$path")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf 'e2e %s %.0f p50=%s p99=%s non2xx=%s\n' "$name" "$rps" "$p50" "$p99" "${non:-0}"
    result[$name]=$rps
}

wrk_case static-unguarded plain/file.txt
wrk_case authorizer-trivial-allow trivial/file.txt "Cookie: $cookie"
wrk_case authorizer-aes-floor-allow aesfloor/file.txt "Cookie: $cookie"
wrk_case guard-allow guarded/file.txt "Cookie: $cookie"
wrk_case guard-307 guarded/file.txt
wrk_case guard-api-401 api/x
wrk_case session-valid auth/session "Cookie: $cookie"

echo "e2e: guard RSS after: $(rss)"

# RSS over a long run: allowed requests until BENCH_SOAK_REQUESTS (default 1 000 000)
# have been answered, in wrk runs of 20 s, at most 240 s in all.
soak=${BENCH_SOAK_REQUESTS:-1000000}
if [ "$soak" -gt 0 ]; then
    total=0
    start=$SECONDS
    before=$(rss)
    while [ "$total" -lt "$soak" ] && [ $((SECONDS - start)) -lt 240 ]; do
        out=$(timeout 45 wrk -t2 -c32 -d20s -H "Cookie: $cookie" "$url/guarded/file.txt")
        total=$((total + $(awk '/requests in/ {print $1}' <<<"$out")))
    done
    echo "e2e soak: $total allowed requests in $((SECONDS - start)) s; guard RSS before: $before; after: $(rss)"
fi
awk -v g="${result[guard-allow]}" -v t="${result[authorizer-trivial-allow]}" \
    -v a="${result[authorizer-aes-floor-allow]}" 'BEGIN {
    printf "ratio authorizer-aes-floor-allow/authorizer-trivial-allow %.2f (what one AES-GCM costs)\n", a / t
    printf "ratio guard-allow/authorizer-aes-floor-allow %.2f\n", g / a
    printf "ratio guard-allow/authorizer-trivial-allow %.2f (target >= 0.90)\n", g / t }'
