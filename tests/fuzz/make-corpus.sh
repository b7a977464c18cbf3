#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-corpus.sh — (re)write the seed corpora of tests/fuzz/corpus/<target>/ from
# real inputs: the tokens, Cookie and Authorization headers and claims of
# tests/vectors/nextauth-vectors.json (made by the real next-auth, @auth/core and
# jose), a sample of tests/vectors/open-redirect-payloads.txt, real browser
# Cookie and Accept headers, and configuration files like the README's and the
# guard tests'. A development tool, not a test: run it after changing it, review
# the diff, commit the corpora. Needs bash and jq. Inputs libFuzzer found that add
# coverage are kept as corpus/<target>/found-<sha1> (this script leaves them), e.g.
#   mkdir /tmp/m && cp tests/fuzz/corpus/T/* /tmp/m &&
#   build/fuzz/fuzz_T -merge=1 -use_counters=0 /tmp/m build/fuzz/corpus-T
# then copy the new files of /tmp/m in as found-<their name>.
#
#   tests/fuzz/make-corpus.sh        rewrite every seed this script makes
set -euo pipefail
cd "$(dirname "$0")/../.."
V=tests/vectors/nextauth-vectors.json
R=tests/vectors/open-redirect-payloads.txt
C=tests/fuzz/corpus
SECRET=$(jq -r '.[0].secret' "$V")

# seed TARGET NAME: standard input becomes corpus/TARGET/NAME.
seed() {
    mkdir -p "$C/$1"
    cat >"$C/$1/$2"
}

# Every vector field F of the cases that have one, as name<TAB>value lines.
field() {
    jq -r --arg f "$1" '.[] | select(.[$f] != null) | "\(.name)\t\(.[$f])"' "$V"
}

# The open-redirect sample: every 17th payload (about 50 of 834).
redirects() {
    awk 'NR % 17 == 1' "$R"
}

# Real Cookie headers of a NextAuth site (names and shapes as browsers send them;
# the values are made up).
browser_cookies=(
    "_ga=GA1.1.1234567890.1767225000; _ga_X1Y2Z3=GS1.1.1767225000.1.1.1767225100.0.0.0"
    "next-auth.csrf-token=1f3870be274f6c49b3e31a0c6728957f%7C8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92; next-auth.callback-url=http%3A%2F%2Flocalhost%3A3000%2Fdashboard"
    "__Host-next-auth.csrf-token=1f3870be274f6c49b3e31a0c6728957f%7C8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92; __Secure-next-auth.callback-url=https%3A%2F%2Fexample.com%2F"
    "authjs.csrf-token=1f3870be274f6c49b3e31a0c6728957f%7C8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92; authjs.callback-url=http%3A%2F%2Flocalhost%3A3000"
    "cf_clearance=Qw3.ErTyUiOp-1767225000-1.2.1.1-AbCdEfGhIjKlMnOpQrStUvWxYz; __cf_bm=abc123.def456-1767225000-1.0.1.1-XyZ"
    "theme=dark; lang=en-US; sidebar:state=true; NEXT_LOCALE=en"
    "next-auth.session-token=; next-auth.session-token.0=; next-auth.session-token.1="
    "a=1;b=2;;;c=3; =; ;=;d"
    'quoted="a b"; next-auth.session-token="eyJ"; x=%E2%82%AC; bad=%ZZ; half=%E2%82'
)

# Real Accept headers: Chrome, Firefox and Safari navigations, fetch(), axios,
# an image, a React Server Components request, JSON.
accepts=(
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    "*/*"
    "application/json, text/plain, */*"
    "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
    "text/x-component"
    "application/json"
)

# Regenerate the seeds; keep the inputs libFuzzer found (found-*, merged by hand).
mkdir -p "$C"
find "$C" -type f ! -name 'found-*' -delete

# ---- b64url: token segments, keys, kids, edge cases --------------------------
field token | while IFS=$'\t' read -r name tok; do
    IFS=. read -r -a segs <<<"$tok"
    for i in "${!segs[@]}"; do
        [ -n "${segs[$i]}" ] && printf '%s' "${segs[$i]}" | seed b64url "$name.seg$i"
    done
done
for s in "" A AA AAA AAAA QQ QR QUI QUJ QUJD _- -_-_ "QQ==" "a+b/" "YQ" "YWI" "YWJj" \
    "4pyTIMOgIGxhIG1vZGU" "AAAAAAAAAAAAAAAA" "////" "____" " QUJD" "QUJD\n"; do
    printf -- "$s" | seed b64url "edge-$(printf '%s' "$s" | od -An -tx1 | tr -d ' \n' | head -c 24)"
done
printf '%s' "$SECRET" | seed b64url secret-standard-alphabet

# ---- cookie: every Cookie and Authorization header of the vectors ------------
field cookie_header | while IFS=$'\t' read -r name h; do printf '%s' "$h" | seed cookie "$name"; done
field authorization | while IFS=$'\t' read -r name h; do printf '%s' "$h" | seed cookie "authz-$name"; done
for i in "${!browser_cookies[@]}"; do printf '%s' "${browser_cookies[$i]}" | seed cookie "browser-$i"; done
tok=$(jq -r '.[] | select(.name=="v4-valid-minimal-claims") | .token' "$V")
printf '%s' "_ga=GA1.1.1.1; ${browser_cookies[1]}; next-auth.session-token=$tok; theme=dark" |
    seed cookie browser-with-session
printf 'next-auth.session-token.16=x; next-auth.session-token.0=%s' "$tok" | seed cookie chunk-16
printf 'next-auth.session-token.1000=x; next-auth.session-token.01=y; next-auth.session-token.x=z' |
    seed cookie chunk-names-odd
printf 'next-auth.session-token=%s; next-auth.session-token.0=%s' "$tok" "$tok" | seed cookie plain-and-chunk
{ printf 'next-auth.session-token=%s' "$tok"; head -c 66000 /dev/zero | tr '\0' 'a'; } |
    seed cookie over-64k
{ for i in $(seq 0 15); do printf 'next-auth.session-token.%d=%s; ' "$i" "$(head -c 300 /dev/zero | tr '\0' 'A')"; done; } |
    seed cookie sixteen-chunks

# ---- jose: every token, and the claims as payloads -----------------------------
field token | while IFS=$'\t' read -r name tok; do printf '%s' "$tok" | seed jose "$name"; done
jq -c '.[] | select(.claims != null) | .claims' "$V" | sort -u | head -n 12 | nl -ba |
    while read -r n claims; do printf '%s' "$claims" | seed jose "payload-vector-$n"; done
for p in '{"sub":"1","exp":1767225586}' '{"sub":"1","exp":1767225585}' \
    '{"sub":"1","exp":1767225585.000001}' '{"sub":"1","exp":1e308}' '{"sub":"1","exp":-1}' \
    '{"sub":"1","exp":"1769814000"}' '{"sub":"1","exp":null}' '{"sub":"1"}' \
    '{"exp":1769814000,"nbf":1767225615}' '{"exp":1769814000,"nbf":1767225616}' \
    '{"exp":1769814000,"iat":"now"}' '{"exp":1769814000,"exp":1769814000}' \
    '{"exp":1769814000,"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}' \
    '{"exp":1769814000,"s":"\ud800"}' '{"exp":1769814000,"s":"\u0000"}' \
    '{"exp":9223372036854775807}' '{"exp":9223372036854775808}' '[1769814000]' ' {"exp":1769814000} '; do
    printf '%s' "$p" | seed jose "payload-$(printf '%s' "$p" | cksum | cut -d' ' -f1)"
done

# ---- json: headers and claims of the vectors, and the strict rules ------------
jq -r '.[] | select(.token != null) | "\(.name)\t\(.token | split(".")[0] | gsub("-";"+") | gsub("_";"/") | @base64d)"' "$V" |
    while IFS=$'\t' read -r name h; do printf '%s' "$h" | seed json "header-$name"; done
jq -c '.[] | select(.claims != null) | .claims' "$V" | sort -u | nl -ba |
    while read -r n claims; do printf '%s' "$claims" | seed json "claims-$n"; done
for p in '{}' '{"a":1,"a":2}' '{"a":"\ud83d\ude80"}' '{"a":"\ude80\ud83d"}' '{"a":"\u0000"}' \
    '{"a":1.5e308}' '{"a":1e309}' '{"a":-0}' '{"a":-0.0}' '{"a":01}' '{"a":1.}' '{"a":.5}' \
    '{"a":9223372036854775807}' '{"a":-9223372036854775808}' '{"a":9223372036854775808}' \
    '{"a":true,"b":false,"c":null}' '{"a":[1,2,{"b":[]}]}' '{"a":"\/\b\f\n\r\t\"\\"}' \
    '{"a":1} x' '{"a":1}   ' '{"a":"é"}' '{"k\u00e9":1,"ké":2}' '[]' '"x"' 'nul' \
    '{"a":tru}' '{"a":"'$'\x01''"}' '{"a":"'$'\xc3\x28''"}' '{"a":"'$'\xed\xa0\x80''"}'; do
    printf '%s' "$p" | seed json "rule-$(printf '%s' "$p" | cksum | cut -d' ' -f1)"
done
printf '{"a":1\0}' | seed json nul-after-number
{ printf '{"a":'; for _ in $(seq 31); do printf '['; done; for _ in $(seq 31); do printf ']'; done; printf '}'; } | seed json depth-32
{ printf '{"a":'; for _ in $(seq 32); do printf '['; done; for _ in $(seq 32); do printf ']'; done; printf '}'; } | seed json depth-33

# ---- config: the README's, the guard tests', and broken ones -----------------
readme_config='{
  "secret": ["current-secret", "previous-secret"],
  "url": "https://example.com",
  "jwt": { "format": "next-auth-v4", "clockTolerance": 15, "requireExp": true },
  "session": { "maxAge": 2592000 },
  "cookies": { "sessionToken": { "name": "next-auth.session-token" } }
}'
printf '%s\n' "$readme_config" | seed config readme
printf '{"secretFile":"tests/fuzz/data/secrets.txt","url":"http://localhost:3000"}' | seed config secret-file
printf '{"secret":"%s","jwt":{"format":"authjs-v5"},"useSecureCookies":true}' "$SECRET" | seed config v5
printf '{"secret":"%s","jwt":{"format":"jws","algorithms":["HS256","HS512"],"maxAge":3600}}' "$SECRET" | seed config jws
printf '{"secret":"s","session":{"maxAge":86400,"expose":{"id":"sub","role":"role"}}}' | seed config expose-object
printf '{"secret":"s","session":{"expose":["role","groups"]}}' | seed config expose-array
grep -o "guard_config '[^']*'" tests/guard.bats | sed "s/^guard_config '//; s/'\$//" | sort -u | nl -ba |
    while read -r n c; do printf '%s' "$c" | seed config "guard-test-$n"; done
printf '%s' '{"secret":"s","url":"https://example.com/app/api/auth","basePath":"/app","pages":{"signIn":"/login","error":"/oops"},"matcher":["/dashboard/:path*",{"source":"/admin/:path*"}],"api":["/api/:path*"],"authorized":{"any":[{"email":{"suffix":"@example.com"}},{"role":{"in":["admin","editor"]}}]},"rules":[{"matcher":"/admin/:p*","authorized":{"all":[{"role":"admin"},{"email_verified":{"exists":true}}]}}],"identity":{"NEXTAUTH_ROLE":"role","NEXTAUTH_DEPT":"org"}}' |
    seed config guard-full
for c in '' '{' '[]' '{"secret":123}' '{"secret":[]}' '{"secret":"$X"}' '{"secret":"a","secret":"b"}' \
    '{"url":"ftp://x"}' '{"url":"https://user@host"}' '{"basePath":"app/"}' '{"pages":{"signIn":"//evil"}}' \
    '{"cookies":{"sessionToken":{"name":"a;b"}}}' '{"jwt":{"clockTolerance":-1}}' '{"jwt":{"format":"v6"}}' \
    '{"matcher":"/((?!api|_next/static|_next/image|favicon.ico).*)"}' '{"identity":{"REMOTE_USER":"sub"}}' \
    '{"authorized":{"any":[{"all":[{"any":[{"all":[{"any":[{"all":[{"any":[{"all":[{"a":1}]}]}]}]}]}]}]}]}}'; do
    printf '%s' "$c" | seed config "edge-$(printf '%s' "$c" | cksum | cut -d' ' -f1)"
done

# ---- matcher: "pattern\npath", and bare paths for the normalizer ------------
patterns=("/dashboard/:path*" "/((?!api|_next/static|_next/image|favicon.ico).*)" "/about/:path+"
    "/blog/:slug?" "/(.*)" "/api/(.+)" "/shop/:category/:item" "/:locale/docs/:path*" "/a/:b*/c/:d*/e")
paths=("/dashboard" "/dashboard/a/b" "/api/x" "/_next/static/chunk.js" "/about" "/about/us/team"
    "/blog" "/blog/post-1.json" "/shop/x/y/" "/en/docs/a/b.rsc" "/_next/data/build-1/dashboard.json"
    "/a/1/2/c/3/e" "/a/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/c/e/f")
for i in "${!patterns[@]}"; do
    for j in "${!paths[@]}"; do
        [ $(((i + j) % 3)) -eq 0 ] || continue
        printf '%s\n%s' "${patterns[$i]}" "${paths[$j]}" | seed matcher "pair-$i-$j"
    done
done
for p in "/a/%2e%2e/b" "/a/%2E./b" "/%2f%2f" "/a//b/./c/../d/" "/A%7eB%41" "/x%00" "/%5c" "/..;/admin" \
    "/admin;jsessionid=1" "/a%20b" "/caf%C3%A9" "/api/auth/../../dashboard" "/_next/../admin" "/."; do
    printf '%s' "$p" | seed matcher "path-$(printf '%s' "$p" | cksum | cut -d' ' -f1)"
done
n=0
redirects | while IFS= read -r p; do
    n=$((n + 1))
    printf '%s' "$p" | seed matcher "open-redirect-$n"
done
for u in "https://example.com" "http://localhost:3000/custom/auth/" "example.com/api/auth" \
    "https://[::1]:8443" "https://user@evil.com" "https://example.com:99999" "javascript:alert(1)"; do
    printf '%s' "$u" | seed matcher "url-$(printf '%s' "$u" | cksum | cut -d' ' -f1)"
done

# ---- guard: request environments ("NAME=value" entries separated by NUL) ----
# guard_env NAME ENTRY…: one seed.
guard_env() {
    local name=$1
    shift
    printf '%s\0' "$@" | seed guard "$name"
}
field cookie_header | while IFS=$'\t' read -r name h; do
    guard_env "cookie-$name" "REQUEST_URI=/dashboard/reports?tab=1" "HTTP_COOKIE=$h" "HTTP_ACCEPT=${accepts[0]}"
done
field authorization | while IFS=$'\t' read -r name h; do
    guard_env "bearer-$name" "REQUEST_URI=/api/data" "HTTP_AUTHORIZATION=$h" "HTTP_ACCEPT=application/json"
done
v4=$(jq -r '.[] | select(.name=="v4-valid-extra-claims") | .cookie_header' "$V")
v5=$(jq -r '.[] | select(.name=="v5-valid-secure") | .cookie_header' "$V")
hs=$(jq -r '.[] | select(.name=="hs256-valid") | .cookie_header' "$V")
for i in "${!accepts[@]}"; do
    guard_env "accept-$i" "REQUEST_URI=/admin/users" "HTTP_COOKIE=$v4" "HTTP_ACCEPT=${accepts[$i]}"
done
for role in "FCGI_ROLE=AUTHORIZER" "NEXTAUTH_GUARD_MODE=auth_request" "FCGI_ROLE=RESPONDER"; do
    for uri in /dashboard /admin/x /api/x /reports/7 /public/a /u/ada/settings "/app/admin?x=1"; do
        guard_env "role-${role%%=*}-${role#*=}-$(printf '%s' "$uri" | tr -c 'a-z0-9' _)" \
            "REQUEST_URI=$uri" "HTTP_COOKIE=$v4" "$role" "HTTP_ACCEPT=${accepts[1]}"
    done
done
min=$(jq -r '.[] | select(.name=="v4-valid-minimal-claims") | .cookie_header' "$V")
guard_env forbidden-api "REQUEST_URI=/admin/x" "HTTP_COOKIE=$min" "HTTP_ACCEPT=application/json"
guard_env forbidden-page "REQUEST_URI=/admin/x?tab=2" "HTTP_COOKIE=$min" "HTTP_ACCEPT=${accepts[0]}"
guard_env apache-role "REQUEST_URI=/public/x" "FCGI_ROLE=AUTHORIZER" "FCGI_APACHE_ROLE=AUTHORIZER"
guard_env fetch-cors "REQUEST_URI=/dashboard" "HTTP_COOKIE=$v4" "HTTP_SEC_FETCH_MODE=cors" "HTTP_X_REQUESTED_WITH=XMLHttpRequest"
guard_env config1-app "FUZZ_CONFIG=1" "REQUEST_URI=/app/admin/x" "HTTP_COOKIE=$v4"
guard_env config1-login "FUZZ_CONFIG=1" "REQUEST_URI=/app/login" "HTTP_ACCEPT=${accepts[2]}"
guard_env config2-jws "FUZZ_CONFIG=2" "REQUEST_URI=/private/x" "HTTP_COOKIE=$hs"
guard_env config2-public "FUZZ_CONFIG=2" "REQUEST_URI=/public/x"
guard_env config3-v5 "FUZZ_CONFIG=3" "REQUEST_URI=/anything?q=1" "HTTP_COOKIE=$v5"
guard_env config4-nosecret "FUZZ_CONFIG=4" "REQUEST_URI=/dashboard" "HTTP_ACCEPT=${accepts[0]}"
guard_env config4-nosecret-api "FUZZ_CONFIG=4" "REQUEST_URI=/api/x"
jq -c '.[] | select(.claims != null) | .claims' "$V" | sort -u | head -n 8 | nl -ba |
    while read -r n claims; do
        guard_env "claims-$n" "REQUEST_URI=/admin/x" "HTTP_COOKIE=theme=dark; next-auth.session-token={TOKEN}" \
            "FUZZ_CLAIMS=$claims" "FCGI_ROLE=AUTHORIZER"
    done
for c in '{"sub":"1","exp":1769814000,"role":"admin","name":"a\r\nSet-Cookie: x=1","email":"e@example.com"}' \
    '{"sub":"1","exp":1e15,"role":["admin"],"org":{"id":7},"groups":["eng"]}' \
    '{"exp":1769814000,"email":"","sub":""}' '{"exp":1769814000.5,"sub":42,"picture":"x\u0000y"}'; do
    for role in FCGI_ROLE=AUTHORIZER NEXTAUTH_GUARD_MODE=auth_request FCGI_ROLE=RESPONDER; do
        guard_env "claims-edge-$(printf '%s%s' "$c" "$role" | cksum | cut -d' ' -f1)" "REQUEST_URI=/admin/x" \
            "HTTP_AUTHORIZATION=Bearer {TOKEN}" "FUZZ_CLAIMS=$c" "$role"
    done
done
n=0
redirects | while IFS= read -r p; do
    n=$((n + 1))
    guard_env "open-redirect-$n" "REQUEST_URI=$p" "HTTP_ACCEPT=${accepts[0]}" "FUZZ_CONFIG=$((n % 4))"
done

# ---- session: request environments for the session endpoint ----------------
field cookie_header | while IFS=$'\t' read -r name h; do
    printf '%s\0' "HTTP_COOKIE=$h" | seed session "cookie-$name"
done
printf '%s\0' "HTTP_COOKIE=$v4" "REQUEST_METHOD=HEAD" | seed session head
printf '%s\0' "HTTP_COOKIE=$v4" "REQUEST_METHOD=POST" | seed session post
printf '%s\0' "FUZZ_CONFIG=1" "HTTP_COOKIE=$v5" | seed session v5-vector-secure
printf '%s\0' "FUZZ_CONFIG=2" "HTTP_COOKIE=my.session=$(jq -r '.[] | select(.name=="hs256-valid") | .token' "$V")" |
    seed session jws-vector-wrong-alg
jq -c '.[] | select(.claims != null) | .claims' "$V" | sort -u | head -n 6 | nl -ba |
    while read -r n claims; do
        for conf in 0 1 2; do
            name=next-auth.session-token
            [ "$conf" = 1 ] && name=__Secure-authjs.session-token
            [ "$conf" = 2 ] && name=my.session
            printf '%s\0' "FUZZ_CONFIG=$conf" "FUZZ_CLAIMS=$claims" \
                "HTTP_COOKIE=theme=dark; $name.0={TOKEN}; $name.3=" |
                seed session "claims-$n-config-$conf"
            printf '%s\0' "FUZZ_CONFIG=$conf" "FUZZ_CLAIMS=$claims" \
                "HTTP_COOKIE=$name.0={TOKEN}; $name.16=x" |
                seed session "claims-$n-config-$conf-chunk-16"
        done
    done
printf '%s\0' "FUZZ_CLAIMS={\"exp\":1769814000,\"sub\":\"1\"}" \
    "HTTP_COOKIE=next-auth.session-token={TOKEN}; next-auth.session-token.0=; next-auth.session-token.1=" |
    seed session plain-with-empty-chunks

# Identical seeds are kept once (the first name in sort order).
for t in "$C"/*/; do
    (cd "$t" && md5sum -- * | sort -k2 | awk 'seen[$1]++ { print $2 }' | xargs -r rm --)
done

for t in "$C"/*/; do
    printf '%-10s %4d files %8d bytes\n' "$(basename "$t")" "$(find "$t" -type f | wc -l)" \
        "$(cat "$t"/* | wc -c)"
done
du -sh "$C"
