#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bad-input corpus: hostile inputs, each with its exact
# expected answer, run through the CLI (nextauth-token decode/get) or the guard
# and the session endpoint as CGI, at a fixed clock.
#
#   tests/corpus/tokens.tsv  the tokens the cases use, made first by mkjose (a
#                            helper linked against the library that encrypts or
#                            signs any header and plaintext), by the real CLI,
#                            or spelled out byte by byte
#   tests/corpus/cases.tsv   the cases (format at its top)
#
# Prints one "not ok" line per case that did not get exactly its answer, then
#   corpus: tried N / rejected as expected N / accepted as expected N /
#           crashes N / fail-open N / wrong answers N
#   N passed, N failed
# and exits non-zero when anything failed. A crash is a death by signal or a
# sanitizer or valgrind report; fail-open is a refusal expected but not given
# (the CLI printed claims, the guard said 200, the session endpoint returned a
# user). Both must be 0.
#
# Environment:
#   NEXTAUTH_TOKEN_BIN, NEXTAUTH_GUARD_BIN, NEXTAUTH_SESSION_BIN  the programs
#       (default: the build in the source tree)
#   CORPUS_MINT_BIN the CLI that mints the "cli" tokens (default: the CLI tested)
#   CORPUS_LIB      the library mkjose links (default lib/libnextauth.a)
#   CORPUS_CFLAGS   extra flags for building mkjose (e.g. the sanitizers, when
#                   CORPUS_LIB is a sanitized build)
#   CORPUS_WRAP     a command put in front of every program run (e.g.
#                   "valgrind -q --error-exitcode=99")
#   CORPUS_ONLY     run only the cases whose id matches this extended regex
#   CORPUS_VERBOSE=1  show every case's verdict
set -u
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
here=$root/tests/corpus

TOKEN_BIN=${NEXTAUTH_TOKEN_BIN:-$root/bin/nextauth-token}
GUARD_BIN=${NEXTAUTH_GUARD_BIN:-$root/cgi-bin/nextauth-guard}
SESSION_BIN=${NEXTAUTH_SESSION_BIN:-$root/cgi-bin/nextauth-session}
MINT_BIN=${CORPUS_MINT_BIN:-$TOKEN_BIN}
LIB=${CORPUS_LIB:-$root/lib/libnextauth.a}
read -r -a WRAP <<<"${CORPUS_WRAP:-}"

# The corpus's fixed world.
NOW=1700000000
SECRET=corpus-secret-0123456789-abcdefgh
ORIGIN=http://localhost:3000
SIGNIN="$ORIGIN/api/auth/signin?callbackUrl="
BODY_401='{"message":"You must be logged in."}'
BODY_403='{"message":"Forbidden"}'
BODY_500='{"message":"There is a problem with the server configuration. Check the server logs for more information."}'
NO_CACHE=$'Content-Type: application/json\nCache-Control: private, no-cache, no-store\nPragma: no-cache\nExpires: 0'
export CORPUS_SECRET=$SECRET CORPUS_NOW=$NOW

for b in "$TOKEN_BIN" "$GUARD_BIN" "$SESSION_BIN"; do
    [ -x "$b" ] || { echo "corpus: $b is not built (make)"; echo "0 passed, 1 failed"; exit 1; }
done
[ -f "$LIB" ] || { echo "corpus: $LIB is not built (make)"; echo "0 passed, 1 failed"; exit 1; }
for t in faketime; do
    command -v "$t" >/dev/null || { echo "corpus: $t is missing (tools/deps.sh)"; echo "0 passed, 1 failed"; exit 1; }
done

# The frozen clock: the variables the faketime wrapper sets, set directly, so
# that a death by signal reaches us (the wrapper turns it into exit 1).
CLOCK=()
while IFS= read -r v; do
    case $v in LD_PRELOAD=* | FAKETIME=* | FAKETIME_FMT=*) CLOCK+=("$v") ;; esac
done < <(env -i FAKETIME_FMT=%s faketime -f "$NOW" /usr/bin/env)
if [ "${#CLOCK[@]}" -ne 3 ]; then
    echo "corpus: cannot tell how faketime freezes the clock"
    echo "0 passed, 1 failed"
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tok" "$work/x" "$work/out"
export CORPUS_TOKDIR=$work/tok

# shellcheck disable=SC2086 # CORPUS_CFLAGS is a list of flags
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Ilib -O1 -g \
    ${CORPUS_CFLAGS:-} -o "$work/mkjose" "$here/mkjose.c" "$LIB" -ljansson -lcrypto; then
    echo "corpus: cannot build tests/corpus/mkjose.c"
    echo "0 passed, 1 failed"
    exit 1
fi
MK=$work/mkjose

# _slurp VAR FILE — the whole file into VAR (up to a NUL byte).
_slurp() { IFS= read -r -d '' "$1" <"$2" || true; }

# --- tokens -----------------------------------------------------------------
# "=NAME<TAB>SPEC" defines @{m:NAME}; "NAME<TAB>KIND<TAB>ARG…" makes a token:
# KIND jwe/jws (mkjose), cli (nextauth-token with NEXTAUTH_SECRET=$SECRET; the
# trailing newline dropped), spec (the expanded ARG).
# (tabs become \037 first: a tab in IFS is whitespace, and runs of it would
# merge empty columns)
ntok=0
while IFS=$'\037' read -r -a f || [ "${#f[@]}" -gt 0 ]; do
    [ "${#f[@]}" -eq 0 ] && continue
    case ${f[0]} in '#'* | '') continue ;; esac
    if [ "${f[0]:0:1}" = = ]; then
        export "CORPUS_M_${f[0]:1}=${f[1]}"
        continue
    fi
    name=${f[0]} kind=${f[1]}
    out=$work/tok/$name
    case $kind in
    jwe | jws) "$MK" "$kind" "${f[@]:2}" >"$out" ;;
    spec) printf '%s\n' "${f[2]}" | "$MK" expand "$work/x" && mv "$work/x/1" "$out" ;;
    cli)
        env -i PATH="$PATH" NEXTAUTH_SECRET="$SECRET" "$MINT_BIN" "${f[@]:2}" >"$out.nl" &&
            _slurp t "$out.nl" && printf '%s' "${t%$'\n'}" >"$out"
        ;;
    *) false ;;
    esac || { echo "corpus: cannot make token $name"; echo "0 passed, 1 failed"; exit 1; }
    ntok=$((ntok + 1))
done < <(tr '\t' '\037' <"$here/tokens.tsv")

# --- cases ------------------------------------------------------------------
# Read every case, queue every input spec for one `mkjose expand`.
ids=() vias=() logs=() firsts=() counts=()
specs=$work/specs
: >"$specs"
declare -A seen_id=()
fields=()
while IFS=$'\037' read -r -a f || [ "${#f[@]}" -gt 0 ]; do
    [ "${#f[@]}" -eq 0 ] && continue
    case ${f[0]} in '#'* | '') continue ;; esac
    if [ "${#f[@]}" -lt 4 ]; then
        echo "corpus: bad line (fewer than 4 columns): ${f[*]:0:3}"
        echo "0 passed, 1 failed"
        exit 1
    fi
    if [ -n "${seen_id[${f[0]}]-}" ]; then
        echo "corpus: duplicate case id ${f[0]}"
        echo "0 passed, 1 failed"
        exit 1
    fi
    seen_id[${f[0]}]=1
    if [ -n "${CORPUS_ONLY:-}" ] && ! [[ ${f[0]} =~ $CORPUS_ONLY ]]; then
        continue
    fi
    ids+=("${f[0]}") vias+=("${f[1]}") logs+=("${f[3]}")
    firsts+=("${#fields[@]}") counts+=($((${#f[@]} - 4)))
    # the answer first (it may use macros too), then the inputs
    fields+=("${f[2]}")
    printf '%s\n' "${f[2]}" >>"$specs"
    for x in "${f[@]:4}"; do
        fields+=("$x")
        # a field is NAME=SPEC, <SPEC, arg=SPEC, config=SPEC, --opt… or !NAME;
        # the SPEC part goes to the expander
        case $x in
        '<'*) printf '%s\n' "${x:1}" >>"$specs" ;;
        [A-Za-z_]*=* | --*=*) printf '%s\n' "${x#*=}" >>"$specs" ;;
        *) printf '\n' >>"$specs" ;;
        esac
    done
done < <(tr '\t' '\037' <"$here/cases.tsv")

if ! "$MK" expand "$work/x" <"$specs"; then
    echo "corpus: cannot expand the case inputs"
    echo "0 passed, 1 failed"
    exit 1
fi

tried=0 rejected=0 accepted=0 crashes=0 failopen=0 wrong=0

# note VERDICT DETAIL — record the verdict of case $i.
note() {
    local v=$1 d=${2-}
    case $v in
    rejected) rejected=$((rejected + 1)) ;;
    accepted) accepted=$((accepted + 1)) ;;
    crash) crashes=$((crashes + 1)) ;;
    fail-open) failopen=$((failopen + 1)) ;;
    *) wrong=$((wrong + 1)) ;;
    esac
    case $v in
    rejected | accepted) [ "${CORPUS_VERBOSE:-}" = 1 ] && echo "ok ${ids[$i]} ($v)" ;;
    *) echo "not ok ${ids[$i]}: $v: ${d:0:600}" ;;
    esac
    return 0
}

# is_refusal ANSWER — 0 when the answer expected is a refusal.
is_refusal() {
    case $1 in ok | ok:* | okp:* | pass | allow:* | authz:* | areq:* | session:*) return 1 ;; esac
    return 0
}

# expected_cgi ANSWER — the exact CGI answer ANSWER stands for, into $want_head
# (status line and header lines, LF-separated) and $want_body; returns 1 for
# the answers checked by parts (allow, authz, areq, session).
expected_cgi() {
    local a=$1 loc
    want_body=''
    case $a in
    pass) want_head=$'Status: 200 OK\nContent-Type: application/json\nCache-Control: private, no-store' want_body='{}' ;;
    401) want_head=$'Status: 401 Unauthorized\nContent-Type: application/json\nCache-Control: no-store' want_body=$BODY_401 ;;
    401loc:*)
        loc=${a#401loc:}
        [ "${loc:0:1}" = / ] && loc=$ORIGIN$loc
        want_head=$'Status: 401 Unauthorized\nContent-Type: application/json\nCache-Control: no-store\nLocation: '$loc
        want_body=$BODY_401
        ;;
    400id) want_head=$'Status: 400 Bad Request\nContent-Type: application/json\nCache-Control: no-store' want_body='{"message":"Identity headers are set by the server, not by the client."}' ;;
    403) want_head=$'Status: 403 Forbidden\nContent-Type: application/json\nCache-Control: no-store' want_body=$BODY_403 ;;
    500) want_head=$'Status: 500 Internal Server Error\nContent-Type: application/json\nCache-Control: no-store' want_body=$BODY_500 ;;
    500cfg) want_head=$'Status: 500 Internal Server Error\n'"$NO_CACHE" want_body=$BODY_500 ;;
    405) want_head=$'Status: 405 Method Not Allowed\nContent-Type: application/json\nAllow: GET, HEAD' want_body='{"message":"Method Not Allowed"}' ;;
    signin:*) want_head=$'Status: 307 Temporary Redirect\nLocation: '"$SIGNIN${a#signin:}"$'\nCache-Control: no-store' ;;
    307:*)
        loc=${a#307:}
        [ "${loc:0:1}" = / ] && loc=$ORIGIN$loc
        want_head=$'Status: 307 Temporary Redirect\nLocation: '"$loc"$'\nCache-Control: no-store'
        ;;
    cfgpage) want_head=$'Status: 307 Temporary Redirect\nLocation: '"$ORIGIN"$'/api/auth/error?error=Configuration\nCache-Control: no-store' ;;
    empty) want_head=$'Status: 200 OK\n'"$NO_CACHE" want_body='{}' ;;
    clear:*)
        local IFS=, n
        want_head=$'Status: 200 OK\n'"$NO_CACHE" want_body='{}'
        for n in ${a#clear:}; do
            want_head+=$'\nSet-Cookie: '"$n=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
        done
        ;;
    exit2) want_head='' ;;
    *) return 1 ;;
    esac
    return 0
}

# match_prefix TEXT PREFIX — TEXT starts with PREFIX, where a '*' in PREFIX
# matches any run of characters (everything else is literal).
match_prefix() {
    local s=$1 part
    local -a parts
    IFS='*' read -r -a parts <<<"$2"
    [ "${s:0:${#parts[0]}}" = "${parts[0]}" ] || return 1
    s=${s:${#parts[0]}}
    for part in "${parts[@]:1}"; do
        [[ $s == *"$part"* ]] || return 1
        s=${s#*"$part"}
    done
    return 0
}

# check_log PROG EXPECT — stderr ($err) against the log column: "-" nothing,
# "*" anything, else "|"-separated prefixes, one per line, after "PROG: " (a
# '*' inside a prefix matches anything: a temporary file name).
check_log() {
    local prog=$1 want=$2 line k=0
    local -a lines=() prefixes=()
    [ "$want" = '*' ] && return 0
    if [ "$want" = - ]; then
        [ -z "$err" ] && return 0
        why="expected nothing on stderr, got: ${err:0:300}"
        return 1
    fi
    IFS='|' read -r -a prefixes <<<"$want"
    [ -n "$err" ] && mapfile -t lines <<<"${err%$'\n'}"
    if [ "${#lines[@]}" -ne "${#prefixes[@]}" ] || [ "${err: -1}" != $'\n' ]; then
        why="expected ${#prefixes[@]} stderr line(s) '$prog: ${prefixes[0]}…', got ${#lines[@]}: ${err:0:300}"
        return 1
    fi
    for line in "${lines[@]}"; do
        if ! match_prefix "$line" "$prog: ${prefixes[$k]}"; then
            why="stderr line $((k + 1)): expected '$prog: ${prefixes[$k]}…', got: ${line:0:300}"
            return 1
        fi
        k=$((k + 1))
    done
    return 0
}

crash_text() {
    case $err in
    *AddressSanitizer* | *LeakSanitizer* | *'runtime error:'* | *'==ERROR'* | *'Invalid read'* | \
        *'Invalid write'* | *'definitely lost'*[1-9]* | *'Conditional jump'* | *'Caught '*' fault'* | \
        *'Caught '*'Abort'*) return 0 ;;
    esac
    return 1
}

for i in "${!ids[@]}"; do
    tried=$((tried + 1))
    id=${ids[$i]} via=${vias[$i]} logw=${logs[$i]}
    envs=() unset_=() args=() arg='' stdin=/dev/null why='' cfg=''
    harness=''
    first=${firsts[$i]}
    _slurp answer "$work/x/$((first + 1))"
    for ((k = 1; k <= counts[i]; k++)); do
        x=${fields[$((first + k))]}
        file=$work/x/$((first + k + 1))
        case $x in
        '<'*) stdin=$file ;;
        !*) unset_+=("${x:1}") ;;
        --*=*)
            _slurp val "$file"
            args+=("${x%%=*}=$val")
            ;;
        --*) args+=("$x") ;;
        arg=* | config=* | [A-Za-z_]*=*)
            if LC_ALL=C grep -q -P '\x00' "$file"; then
                harness="a NUL byte cannot go into ${x%%=*}"
            fi
            _slurp val "$file"
            case $x in
            arg=*) arg=$val ;;
            config=*)
                cfg=$work/config.json
                printf '%s' "$val" >"$cfg"
                envs+=("NEXTAUTH_CONFIG=$cfg")
                ;;
            *) envs+=("${x%%=*}=$val") ;;
            esac
            ;;
        *) harness="unknown field: $x" ;;
        esac
    done
    if [ -n "$harness" ]; then
        note harness "$harness"
        continue
    fi

    base=(PATH="$PATH" NEXTAUTH_SECRET="$SECRET")
    case $via in
    guard | session) base+=(NEXTAUTH_URL="$ORIGIN" REQUEST_METHOD=GET) ;;
    esac
    # "!NAME" drops a default variable
    if [ "${#unset_[@]}" -gt 0 ]; then
        keep=()
        for e in "${base[@]}"; do
            drop=0
            for u in "${unset_[@]}"; do [ "${e%%=*}" = "$u" ] && drop=1; done
            [ "$drop" = 0 ] && keep+=("$e")
        done
        base=("${keep[@]}")
    fi
    out=$work/out/$i
    errf=$work/out/$i.err
    rc=0
    case $via in
    decode)
        [ -n "$arg" ] || arg=-
        env -i "${base[@]}" "${envs[@]}" "${WRAP[@]}" "$TOKEN_BIN" decode --now "$NOW" "${args[@]}" \
            "$arg" <"$stdin" >"$out" 2>"$errf" || rc=$?
        prog=nextauth-token
        ;;
    get | get-auth)
        opt=--cookie
        [ "$via" = get-auth ] && opt=--authorization
        stdarg=(); [ "$stdin" != /dev/null ] && stdarg=("$opt" -)
        env -i "${base[@]}" "${envs[@]}" "${WRAP[@]}" "$TOKEN_BIN" get --now "$NOW" "${args[@]}" \
            "${stdarg[@]}" <"$stdin" >"$out" 2>"$errf" || rc=$?
        prog=nextauth-token
        ;;
    guard | session)
        bin=$GUARD_BIN prog=nextauth-guard
        [ "$via" = session ] && bin=$SESSION_BIN prog=nextauth-session
        env -i "${base[@]}" "${envs[@]}" "${CLOCK[@]}" "${WRAP[@]}" "$bin" \
            <"$stdin" >"$out" 2>"$errf" || rc=$?
        ;;
    *)
        note harness "unknown via $via"
        continue
        ;;
    esac
    _slurp err "$errf"
    _slurp raw "$out"
    # the shell's reads stop at a NUL byte: look for one in the file itself
    if [ -s "$out" ] && LC_ALL=C grep -qaP '\x00' "$out"; then
        if [ "$rc" -ge 128 ] || crash_text; then
            note crash "exit $rc; stderr: ${err:0:400}"
        else
            note wrong "a NUL byte in the output"
        fi
        continue
    fi

    # 1. crashes
    if [ "$rc" -ge 128 ] || crash_text; then
        note crash "exit $rc; stderr: ${err:0:400}"
        continue
    fi

    # 2. the CLI
    if [ "$prog" = nextauth-token ]; then
        if [ "${answer:0:2}" = ok ]; then
            if [ "$rc" -ne 0 ]; then
                note wrong "expected claims, got exit $rc: ${err:0:300}"
            elif [ -n "$err" ]; then
                note wrong "stderr not empty: ${err:0:300}"
            elif [ "${answer:0:3}" = ok: ] && [ "$raw" != "${answer#ok:}"$'\n' ]; then
                note wrong "expected stdout ${answer#ok:}, got: ${raw:0:300}"
            elif [ "${answer:0:4}" = okp: ] && [ "${raw:0:$((${#answer} - 4))}" != "${answer#okp:}" ]; then
                note wrong "expected stdout starting ${answer#okp:}, got: ${raw:0:300}"
            elif [[ $raw != '{'*$'}\n' ]] || [[ ${raw%$'\n'} == *$'\n'* ]]; then
                note wrong "expected one line of JSON claims, got: ${raw:0:300}"
            else
                note accepted
            fi
        else
            want_rc=${answer#exit=}
            if [ "$rc" -eq 0 ]; then
                note fail-open "expected exit $want_rc, got claims: ${raw:0:300}"
            elif [ "$rc" -ne "$want_rc" ]; then
                note wrong "expected exit $want_rc, got $rc: ${err:0:300}"
            elif [ -n "$raw" ]; then
                note wrong "stdout not empty: ${raw:0:200}"
            elif ! check_log "$prog" "$logw"; then
                note wrong "$why"
            else
                note rejected
            fi
        fi
        continue
    fi

    # 3. the CGI programs: split the answer, check its form
    head='' body='' form=''
    if [ -n "$raw" ]; then
        if [[ $raw != *$'\r\n\r\n'* ]]; then
            form="no CRLF CRLF between header and body"
        else
            head=${raw%%$'\r\n\r\n'*}
            body=${raw#*$'\r\n\r\n'}
            flat=${head//$'\r\n'/}
            if [[ $flat == *[$'\x01'-$'\x08\x0a'-$'\x1f\x7f']* ]]; then
                form="a control byte (CR/LF…) inside a header line"
            fi
            head=${head//$'\r\n'/$'\n'}
        fi
    fi
    status=${head%%$'\n'*}
    refusal=0
    is_refusal "$answer" && refusal=1
    # fail-open: a refusal expected, and the guard said 200 (or nothing at all,
    # which a FastCGI authorizer means as "allow"), or the session endpoint
    # returned a user
    if [ "$refusal" = 1 ]; then
        if [ "$prog" = nextauth-guard ] && { [ "$status" = "Status: 200 OK" ] || { [ "$rc" -eq 0 ] && [ -z "$raw" ]; }; }; then
            note fail-open "expected $answer, got: ${status:-no answer} ${body:0:200}"
            continue
        fi
        if [ "$prog" = nextauth-session ] && [[ $body == *'"user"'* ]]; then
            note fail-open "expected $answer, got a session: ${body:0:200}"
            continue
        fi
    fi
    if [ -n "$form" ]; then
        note wrong "$form"
        continue
    fi
    if [ "$answer" = exit2 ]; then
        # an unusable configuration: exit 2, nothing on stdout (a CGI server
        # then answers 500; an authorizer that says nothing would mean allow,
        # which is why lighttpd refuses to start it)
        if [ "$rc" -ne 2 ] || [ -n "$raw" ]; then
            note wrong "expected exit 2 and no answer, got exit $rc: ${raw:0:200}"
        elif ! check_log "$prog" "$logw"; then
            note wrong "$why"
        else
            note rejected
        fi
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        note wrong "exit $rc (expected 0): ${err:0:300}"
        continue
    fi
    if expected_cgi "$answer"; then
        if [ "$head" != "$want_head" ]; then
            note wrong "expected: ${want_head//$'\n'/ | } -- got: ${head//$'\n'/ | }"
        elif [ "$body" != "$want_body" ]; then
            note wrong "expected body $want_body, got: ${body:0:300}"
        elif ! check_log "$prog" "$logw"; then
            note wrong "$why"
        else
            note rejected
        fi
        continue
    fi
    # the answers checked by parts
    mapfile -t hl <<<"$head"
    case $answer in
    allow:*)
        # responder allow: 200, X-Nextauth-User (when USER is not empty), the
        # JSON headers last, exactly BODY
        rest=${answer#allow:} user=${rest%%:*} wbody=${rest#*:}
        n=${#hl[@]}
        if [ "$status" != "Status: 200 OK" ]; then
            note wrong "expected 200, got: $status"
        elif [ -n "$user" ] && [ "${hl[1]-}" != "X-Nextauth-User: $user" ]; then
            note wrong "expected X-Nextauth-User: $user, got: ${hl[1]-}"
        elif [ -z "$user" ] && [[ $head == *X-Nextauth-User:* ]]; then
            note wrong "expected no X-Nextauth-User, got: ${head//$'\n'/ | }"
        elif [ "${hl[$((n - 2))]}" != "Content-Type: application/json" ] ||
            [ "${hl[$((n - 1))]}" != "Cache-Control: private, no-store" ]; then
            note wrong "JSON headers missing: ${head//$'\n'/ | }"
        elif [ "$body" != "$wbody" ]; then
            note wrong "expected body $wbody, got: ${body:0:300}"
        elif ! check_log "$prog" "$logw"; then
            note wrong "$why"
        else
            note accepted
        fi
        ;;
    authz:* | areq:*)
        user=${answer#*:}
        want="Variable-REMOTE_USER: $user"
        [ "${answer%%:*}" = areq ] && want="X-Nextauth-User: $user"
        if [ "$status" != "Status: 200 OK" ] || [ "${hl[1]-}" != "$want" ] || [ -n "$body" ]; then
            note wrong "expected 200 with $want and no body, got: ${head//$'\n'/ | } ${body:0:100}"
        elif ! check_log "$prog" "$logw"; then
            note wrong "$why"
        else
            note accepted
        fi
        ;;
    session:*)
        # 200, the no-cache headers, then only Set-Cookie lines writing the
        # session cookie (at least one), and exactly BODY
        wbody=${answer#session:}
        nc=$'Status: 200 OK\n'"$NO_CACHE"
        rest=${head#"$nc"}
        if [ "${head:0:${#nc}}" != "$nc" ] || ! [[ $rest =~ ^($'\n'Set-Cookie:\ [^$'\n']+)+$ ]] ||
            [[ $rest != *$'\n'"Set-Cookie: next-auth.session-token"*=ey* ]]; then
            note wrong "expected the session headers and a refreshed cookie, got: ${head//$'\n'/ | }"
        elif [ "$body" != "$wbody" ]; then
            note wrong "expected body $wbody, got: ${body:0:300}"
        elif ! check_log "$prog" "$logw"; then
            note wrong "$why"
        else
            note accepted
        fi
        ;;
    *) note harness "unknown answer $answer" ;;
    esac
done

passed=$((rejected + accepted))
echo "corpus: tried $tried / rejected as expected $rejected / accepted as expected $accepted / crashes $crashes / fail-open $failopen / wrong answers $wrong ($ntok tokens)"
echo "$passed passed, $((tried - passed)) failed"
[ "$passed" -eq "$tried" ] && [ "$crashes" -eq 0 ] && [ "$failopen" -eq 0 ] && [ "$wrong" -eq 0 ]
