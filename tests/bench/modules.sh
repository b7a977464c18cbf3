#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The native modules against the in-process checks their servers already have
# (`make bench` runs it after e2e.sh). Every case is a private server on
# loopback serving one small static file, driven by wrk (2 threads, 32
# connections, BENCH_SECONDS each, default 2):
#
#   Apache 2.4, event MPM (tests/bench/modules.apache.conf; one instance per
#   case, 2 processes of 32 threads, the same settings for all):
#     static                  no check
#     openidc-hs256           mod_auth_openidc as an OAuth 2.0 resource server
#                             (AuthType oauth20): an HS256 bearer token checked
#                             locally with the shared key, no introspection
#     nextauth-hs256          mod_nextauth, the same token as a Bearer token
#                             (jwt.format "jws"), tokenCache 0: a full check
#                             every request, as the peer makes
#     nextauth-jwe-nocache    mod_nextauth, a next-auth v4 JWE session cookie,
#                             tokenCache 0
#     nextauth-jwe            the same with the token cache on (the default)
#   nginx (tests/bench/modules.nginx.conf; one instance per case, one worker
#   per core):
#     static                  no check
#     njs-hs256               njs (tests/bench/njs-hs256.js): js_set and an if,
#                             the same HS256 bearer token
#     nextauth-hs256, nextauth-jwe-nocache, nextauth-jwe
#                             the nginx module (nginx/ngx_http_nextauth_module.so),
#                             as for Apache; only when it has been built
#                             (BENCH_NGINX_MODULE: another .so to load instead)
#
# Every guard's configuration answers 401 to anything but a valid token on
# every path (nextauth: "api" covers every path), and each case is checked with
# curl before it is measured: the good token 200; a tampered one, an expired
# one and none 401.
# A peer that does not check is no comparison: it is skipped then; a module
# that answers wrongly fails the script. One line per case:
#   check <server> <case> valid=200 tampered=401 expired=401 none=401
#
# The cases run in BENCH_ROUNDS rounds (default 3). A round runs them all
# forth and back (A B C … C B A) and takes each case's mean of its two runs, so
# that every case sits at the same mean time in the round and a machine that
# speeds up or slows down meanwhile shifts them alike, as e2e.sh does; each line
# gives the median round (p50 and p99 of its second run, non2xx of both), the
# ratios are medians of the per-round ratios:
#   mod <server> <case> <req/s> p50=<ms> p99=<ms> non2xx=<n> (median of N: …)
#   cpu <server> <case> <µs/request> added=<µs>
#   ratio <server> <case>/<reference> <x> (rounds: …)
# cpu: the server's processes' CPU time (utime + stime from /proc/PID/stat of
# the parent and its children, and what it reaped) over each wrk run, per
# request answered; added: the same minus the server's static case, per round.
# A server, peer or module that is not installed or not built is one
# "mod <server> <case> skipped (reason)" line per case, never a failure; a
# module that does not build (Apache), load or answer as it should is a
# skipped line too, and the script then exits 1 at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
secs=${BENCH_SECONDS:-2}
rounds=${BENCH_ROUNDS:-3}
warm=${BENCH_WARMUP_SECONDS:-1}
# shellcheck source=tests/lib/apache.sh
. tests/lib/apache.sh
# shellcheck source=tests/lib/nginx.sh
. tests/lib/nginx.sh

command -v wrk >/dev/null || { echo "mod: wrk is not installed (apt-get install wrk)"; exit 1; }
[ -x bin/nextauth-token ] || { echo "mod: build first (make)"; exit 1; }
dir=$(mktemp -d)
chmod 0755 "$dir" # as root Apache serves as www-data, which must reach www/
started=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    local s
    for s in "${started[@]}"; do
        case $s in
        ap:*) ap_stop "${s#ap:}" >/dev/null 2>&1 || true ;;
        ng:*) ng_stop "${s#ng:}" >/dev/null 2>&1 || true ;;
        esac
    done
    rm -rf "$dir"
}
trap cleanup EXIT
tick=$(getconf CLK_TCK)
failed=0

# ---- tokens and configurations ------------------------------------------------
secret=$(bin/nextauth-token secret)
export NEXTAUTH_SECRET=$secret NEXTAUTH_URL=http://127.0.0.1
claims='{"name":"Ada Lovelace","email":"ada.lovelace@example.com","picture":"https://lh3.googleusercontent.com/a/ACg8ocJ4kLm2Qz7Xv9pT3sR8wYbN1cD6eF0gH5iJ2kL7mN9o=s96-c","sub":"112233445566778899001"}'
hs256=$(bin/nextauth-token encode --format jws "$claims")
jwe=$(bin/nextauth-token encode "$claims")
# the token with one character of its signature (tag) changed; not the last,
# whose low bits a lenient base64url decoder may ignore
tamper() {
    local t=$1 i=$((${#1} - 10)) c
    c=${t:i:1}
    [ "$c" = A ] && c=B || c=A
    printf '%s%s%s' "${t:0:i}" "$c" "${t:i+1}"
}
# the request header that carries each token, the same with it tampered, and
# with a token that expired in 2001
declare -A good=() bad=() old=()
good[hs256]="Authorization: Bearer $hs256"
bad[hs256]="Authorization: Bearer $(tamper "$hs256")"
old[hs256]="Authorization: Bearer $(bin/nextauth-token encode --format jws --now 1000000000 "$claims")"
good[jwe]="Cookie: next-auth.session-token=$jwe"
bad[jwe]="Cookie: next-auth.session-token=$(tamper "$jwe")"
old[jwe]="Cookie: next-auth.session-token=$(bin/nextauth-token encode --now 1000000000 "$claims")"
# guard configuration: NAME FORMAT TOKENCACHE
write_config() {
    local cache=''
    [ "$3" = default ] || cache=", \"tokenCache\": $3"
    cat >"$dir/$1.json" <<JSON
{
  "url": "http://127.0.0.1",
  "secret": "$secret",
  "jwt": { "format": "$2" },
  "api": ["/:path*"]$cache
}
JSON
    chmod 0600 "$dir/$1.json"
}
write_config hs256 jws 0
write_config jwe-nocache next-auth-v4 0
write_config jwe next-auth-v4 default

# ---- cases --------------------------------------------------------------------
# Each case KEY ("server case"): its URL, its token (hs256, jwe; empty for
# static), the pid whose tree is the server, or a skip reason.
cases=()
declare -A c_url=() c_tok=() c_pid=() c_skip=()
add_case() { # KEY TOKEN
    cases+=("$1")
    c_tok[$1]=$2
}
skip_case() { c_skip[$1]=$2; }

ap_versions=''
ap_case() { # CASE TOKEN SKIP [NAME=VALUE...]
    local key="apache $1" d=$dir/ap-$1
    add_case "$key" "$2"
    [ -z "$3" ] || { skip_case "$key" "$3"; return 0; }
    shift 3
    mkdir -p "$d/www"
    printf 'hello wrk\n' >"$d/www/file.txt"
    [ ! -f "$dir/openidc-key.conf" ] || cp "$dir/openidc-key.conf" "$d/"
    if ap_start "$d" tests/bench/modules.apache.conf "$@" 2>"$d/start.err"; then
        started+=("ap:$d")
        c_url[$key]=$AP_URL
        c_pid[$key]=$AP_PID
    else
        skip_case "$key" "Apache did not start: $(grep -v '^# ----' "$d/start.err" | sed 's/^# //' |
            grep -m1 -iE 'error|emerg|syntax|refused' || head -n1 "$d/start.err")"
        case $1 in nextauth-*) failed=1 ;; esac
    fi
}

ng_case() { # CASE TOKEN SKIP MAIN HTTP CHECK
    local key="nginx $1" d=$dir/ng-$1
    add_case "$key" "$2"
    [ -z "$3" ] || { skip_case "$key" "$3"; return 0; }
    mkdir -p "$d/www" "$d/run" "$d/logs"
    d=$(cd "$d" && pwd -P)
    printf 'hello wrk\n' >"$d/www/file.txt"
    if ng_start "$d" tests/bench/modules.nginx.conf USER="$(ng_user)" WORKERS="$workers" \
        TEMP_PATHS="$(ng_temp_paths "$d")" MAIN="$4" HTTP="$5" CHECK="$6" 2>"$d/start.err"; then
        started+=("ng:$d")
        c_url[$key]=$NG_URL
        c_pid[$key]=$NG_PID
    else
        skip_case "$key" "nginx did not start: $(grep -m1 -E 'emerg|error' "$d/start.err" |
            sed 's/^# //' || head -n1 "$d/start.err")"
        case $1 in nextauth-*) failed=1 ;; esac
    fi
}

# Apache
ap_skip='' openidc_skip='' apmod_skip=''
if ! command -v apache2 >/dev/null; then
    ap_skip="apache2 is not installed"
else
    [ -f /usr/lib/apache2/modules/mod_auth_openidc.so ] ||
        openidc_skip="libapache2-mod-auth-openidc is not installed"
    if command -v apxs >/dev/null; then
        make -s apache-module >/dev/null 2>"$dir/apmod.err" ||
            { apmod_skip="make apache-module failed: $(tail -n1 "$dir/apmod.err")"; failed=1; }
    elif [ ! -f apache/mod_nextauth.so ]; then
        apmod_skip="apache/mod_nextauth.so is not built and apxs is missing (apache2-dev)"
    fi
    ap_versions="Apache $(apache2 -v | sed -n 's|^Server version: Apache/\([^ ]*\).*|\1|p') event MPM, 2 processes x 32 threads"
    [ -n "$openidc_skip" ] || ap_versions+=", mod_auth_openidc $(dpkg-query -W -f '${Version}' \
        libapache2-mod-auth-openidc 2>/dev/null || echo '?')"
fi
printf 'OIDCOAuthVerifySharedKeys "plain##%s"\n' "$secret" >"$dir/openidc-key.conf"
chmod 0600 "$dir/openidc-key.conf"
ap_case static '' "$ap_skip"
ap_case openidc-hs256 hs256 "${ap_skip:-$openidc_skip}" OPENIDC=1
for c in hs256 jwe-nocache jwe; do
    ap_case "nextauth-$c" "${c%-nocache}" "${ap_skip:-$apmod_skip}" NEXTAUTH=1 \
        NEXTAUTH_CONF="$dir/$c.json"
done

# nginx
workers=$(nproc)
ng_skip='' njs_skip='' ngmod_skip='' ng_versions=''
njs_so=/usr/lib/nginx/modules/ngx_http_js_module.so
ngmod_so=${BENCH_NGINX_MODULE:-$root/nginx/ngx_http_nextauth_module.so}
if ! command -v nginx >/dev/null; then
    ng_skip="nginx is not installed"
else
    [ -f "$njs_so" ] || njs_skip="libnginx-mod-http-js is not installed"
    if make -n nginx-module >/dev/null 2>&1; then
        # skipped, not failed: it may want headers this machine lacks
        make -s nginx-module >/dev/null 2>"$dir/ngmod.err" ||
            ngmod_skip="make nginx-module failed: $(tail -n1 "$dir/ngmod.err")"
    fi
    [ -n "$ngmod_skip" ] || [ -f "$ngmod_so" ] ||
        ngmod_skip="${ngmod_so#"$root"/} is not built (make nginx-module)"
    ng_versions="nginx $(nginx -v 2>&1 | sed 's|.*nginx/||'), $workers worker(s)"
    [ -n "$njs_skip" ] || ng_versions+=", njs $(dpkg-query -W -f '${Version}' \
        libnginx-mod-http-js 2>/dev/null || echo '?')"
fi
export BENCH_HS256_SECRET=$secret
ng_case static '' "$ng_skip" '' '' ''
ng_case njs-hs256 hs256 "${ng_skip:-$njs_skip}" \
    "load_module $njs_so; env BENCH_HS256_SECRET;" \
    "js_import hs256 from $root/tests/bench/njs-hs256.js; js_set \$bench_auth hs256.check;" \
    "if (\$bench_auth != 1) { return 401; }"
for c in hs256 jwe-nocache jwe; do
    ng_case "nextauth-$c" "${c%-nocache}" "${ng_skip:-$ngmod_skip}" "load_module $ngmod_so;" \
        "nextauth_config $dir/$c.json;" "nextauth on;"
done

# ---- checks -------------------------------------------------------------------
code() { # URL [HEADER]
    local a=(-s -o /dev/null --max-time 5 -w '%{http_code}')
    [ -z "${2:-}" ] || a+=(-H "$2")
    curl "${a[@]}" "$1/file.txt" || true
}
checks=''
for k in "${cases[@]}"; do
    [ -z "${c_skip[$k]:-}" ] || continue
    t=${c_tok[$k]}
    hdr=''
    [ -z "$t" ] || hdr=${good[$t]}
    got=$(code "${c_url[$k]}" "$hdr")
    why=''
    if [ "$got" != 200 ]; then
        why="the valid token got $got, not 200"
    elif [ -n "$t" ]; then
        tampered=$(code "${c_url[$k]}" "${bad[$t]}")
        expired=$(code "${c_url[$k]}" "${old[$t]}")
        none=$(code "${c_url[$k]}")
        [ "$tampered" = 401 ] || why="a tampered token got $tampered, not 401"
        [ "$expired" = 401 ] || why="${why:+$why; }an expired token got $expired, not 401"
        [ "$none" = 401 ] || why="${why:+$why; }no token got $none, not 401"
        checks+="check $k valid=$got tampered=$tampered expired=$expired none=$none"$'\n'
    fi
    if [ -n "$why" ]; then
        skip_case "$k" "check failed: $why"
        case $k in *nextauth*) failed=1 ;; esac
    fi
done

# ---- measuring ----------------------------------------------------------------
# ticks PID — sets tk: the CPU clock ticks of PID (with the children it
# reaped) and of its live children. Shell builtins only, no process started,
# so that the reading costs the server's cores next to nothing.
ticks() {
    local pid=$1 f line kids='' k
    local -a v
    for f in /proc/"$pid"/task/*/children; do
        { read -r line <"$f"; } 2>/dev/null || true # one line, no newline
        kids+=" $line"
    done
    read -r line <"/proc/$pid/stat"
    read -ra v <<<"${line##*) }" # fields from the state on: utime is v[11]
    tk=$((v[11] + v[12] + v[13] + v[14]))
    for k in $kids; do
        { read -r line <"/proc/$k/stat"; } 2>/dev/null || continue
        read -ra v <<<"${line##*) }"
        tk=$((tk + v[11] + v[12]))
    done
}
# measure KEY SECONDS — one wrk run; sets rps, p50, p99, non, cpu (µs/request)
measure() {
    local k=$1 s=$2 out t0
    local args=(-t2 -c32 -d"${s}s" --latency)
    [ -z "${c_tok[$k]}" ] || args+=(-H "${good[${c_tok[$k]}]}")
    ticks "${c_pid[$k]}"
    t0=$tk
    out=$(timeout $((s + 25)) wrk "${args[@]}" "${c_url[$k]}/file.txt")
    ticks "${c_pid[$k]}"
    read -r rps p50 p99 non cpu < <(awk -v d=$((tk - t0)) -v hz="$tick" '
        /^Requests\/sec/ {rps = $2}
        $1 == "50%" {p50 = $2}
        $1 == "99%" {p99 = $2}
        /Non-2xx/ {non = $NF}
        /requests in/ {n = $1}
        END {printf "%s %s %s %d %.1f\n", rps, p50, p99, non, (n > 0 ? d / hz * 1e6 / n : 0)}' <<<"$out")
}
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
m() { tr ' ' '\n' <<<"$1" | grep . | median; }

live=()
for k in "${cases[@]}"; do [ -n "${c_skip[$k]:-}" ] || live+=("$k"); done
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "mod: ${ap_versions:-no Apache}; ${ng_versions:-no nginx}; $(nproc) cores;" \
    "wrk -t2 -c32 -d${secs}s, $rounds rounds forth and back; load average $load0"
printf '%s' "$checks"
for k in "${live[@]}"; do measure "$k" "$warm"; done # every thread's first request

declare -A runs=() cpus=() lines=() this=() thiscpu=() thisnon=() ratios=() added=()
# the ratios: "SERVER CASE REFERENCE [TARGET]"
pairs=("apache nextauth-hs256 openidc-hs256 1.1" "apache nextauth-jwe-nocache openidc-hs256 1.0"
    "nginx nextauth-hs256 njs-hs256 1.1")
for k in "${cases[@]}"; do
    read -r srv cs <<<"$k"
    [ "$cs" = static ] && continue
    case $cs in nextauth-*) pairs+=("$k static 0.6") ;; *) pairs+=("$k static") ;; esac
done
n=${#live[@]}
for ((r = 1; r <= rounds; r++)); do
    this=() thiscpu=() thisnon=()
    for ((i = 0; i < 2 * n; i++)); do
        k=${live[$((i < n ? i : 2 * n - 1 - i))]}
        measure "$k" "$secs"
        if [ -z "${this[$k]:-}" ]; then
            this[$k]=$rps thiscpu[$k]=$cpu thisnon[$k]=$non
            continue
        fi
        rps=$(awk -v a="${this[$k]}" -v b="$rps" 'BEGIN {printf "%.0f", (a + b) / 2}')
        cpu=$(awk -v a="${thiscpu[$k]}" -v b="$cpu" 'BEGIN {printf "%.1f", (a + b) / 2}')
        this[$k]=$rps thiscpu[$k]=$cpu
        runs[$k]+="$rps "
        cpus[$k]+="$cpu "
        lines[$k,$rps]="$p50 $p99 $((thisnon[$k] + non))"
    done
    for p in "${pairs[@]}"; do
        read -r srv cs ref _ <<<"$p"
        if [ -n "${this[$srv $cs]:-}" ] && [ -n "${this[$srv $ref]:-}" ]; then
            ratios[$p]+="$(awk -v a="${this[$srv $cs]}" -v b="${this[$srv $ref]}" \
                'BEGIN {printf "%.3f", a / b}') "
        fi
    done
    for k in "${live[@]}"; do
        srv=${k%% *}
        [ -n "${thiscpu[$srv static]:-}" ] || continue
        added[$k]+="$(awk -v a="${thiscpu[$k]}" -v b="${thiscpu[$srv static]}" \
            'BEGIN {printf "%.1f", a - b}') "
    done
done

# ---- report -------------------------------------------------------------------
for k in "${cases[@]}"; do
    if [ -n "${c_skip[$k]:-}" ]; then
        echo "mod $k skipped (${c_skip[$k]})"
        continue
    fi
    rps=$(m "${runs[$k]}")
    read -r p50 p99 non <<<"${lines[$k,$rps]}"
    printf 'mod %s %.0f p50=%s p99=%s non2xx=%s (median of %s: %s)\n' "$k" "$rps" "$p50" "$p99" \
        "$non" "$rounds" "${runs[$k]% }"
done
for k in "${live[@]}"; do
    printf 'cpu %s %s added=%s\n' "$k" "$(m "${cpus[$k]}")" "$(m "${added[$k]:-}")"
done
for p in "${pairs[@]}"; do
    read -r srv cs ref tgt <<<"$p"
    if [ -n "${c_skip[$srv $cs]:-}" ]; then
        echo "ratio $srv $cs/$ref skipped ($cs skipped)"
        continue
    elif [ -n "${c_skip[$srv $ref]:-}" ]; then
        echo "ratio $srv $cs/$ref skipped ($ref skipped)"
        continue
    fi
    x=$(m "${ratios[$p]}")
    verdict=''
    [ -z "$tgt" ] || verdict="target >= $tgt: $(awk -v x="$x" -v t="$tgt" \
        'BEGIN {print (x >= t ? "holds" : "missed")}'); "
    printf 'ratio %s %s/%s %.2f (%srounds: %s)\n' "$srv" "$cs" "$ref" "$x" "$verdict" "${ratios[$p]% }"
done
echo "mod: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$failed"
