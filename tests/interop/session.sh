#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interoperability of the session endpoint: cookies made by the real next-auth
# 4.24.15 encode(), @auth/core 0.41.3 encode() and jsonwebtoken 9 sign() are
# sent to cgi-bin/nextauth-session (as CGI, GET /api/auth/session); the token
# it re-issues in Set-Cookie (chunked or not) must be accepted by the real
# decode() / jsonwebtoken.verify() and getToken(), with the same claims, iat
# at the request time, exp = iat + 30 days and a new UUID v4 jti.
#
# Usage (from anywhere, after `make`):
#   tests/interop/session.sh
# Environment (the same conventions as tests/interop/run.sh):
#   NEXTAUTH_INTEROP_CACHE=DIR   reuse DIR as the npm install folder (installed
#                                there only when missing or of another version;
#                                the same folder run.sh uses); outside the repo.
#   NEXTAUTH_SESSION_BIN=PATH    the program to test (default
#                                cgi-bin/nextauth-session).
#
# Phases: session.mjs plan (tokens from the real libraries, one CGI
# environment per case) → this file runs the program once per case → session.mjs
# verify (the real libraries judge the answers). Prints TAP and ends with
# "N passed, N failed"; exits 1 if a check failed. A missing node/npm or a
# failed npm install is one "Bail out!" line and exit 1.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
bin=${NEXTAUTH_SESSION_BIN:-$repo/cgi-bin/nextauth-session}
packages=(next-auth@4.24.15 @auth/core@0.41.3 jsonwebtoken@9)

unset NEXTAUTH_URL NEXTAUTH_SECRET AUTH_SECRET AUTH_URL VERCEL NEXTAUTH_CONFIG

bail() {
  echo "Bail out! interop-session: $*"
  exit 1
}

must_be_outside_repo() {
  case "$1/" in
    "$repo/"*) bail "$1 is inside the repository; use a folder outside $repo" ;;
  esac
}

# ---- tools ------------------------------------------------------------------

command -v node >/dev/null || bail "node is not installed (needed to run the real next-auth)"
command -v npm >/dev/null || bail "npm is not installed (needed to install next-auth)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  bail "node $(node --version) is too old: 18 or newer is needed"
[[ -x $bin ]] || bail "$bin is not built (run make first)"

# ---- scratch folder and the real libraries (as run.sh) ----------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/nextauth-interop-session.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
must_be_outside_repo "$work"

if [[ -n ${NEXTAUTH_INTEROP_CACHE:-} ]]; then
  install=$(realpath -m -- "$NEXTAUTH_INTEROP_CACHE")
else
  install=$work/npm
fi
must_be_outside_repo "$install"
mkdir -p "$install"

installed() {
  node -e '
    const dir = process.argv[1];
    const v = (n) => { try { return require(dir + "/" + n + "/package.json").version; } catch { return ""; } };
    process.exit(v("next-auth") === "4.24.15" && v("@auth/core") === "0.41.3" &&
                 v("jsonwebtoken").startsWith("9.") ? 0 : 1);
  ' "$install/node_modules"
}

if ! installed; then
  [[ -f $install/package.json ]] || echo '{ "private": true }' >"$install/package.json"
  if ! (cd "$install" &&
    NPM_CONFIG_UPDATE_NOTIFIER=false timeout 600 npm install --no-audit --no-fund \
      --legacy-peer-deps "${packages[@]}") >"$work/npm.log" 2>&1; then
    bail "npm install ${packages[*]} failed (is the npm registry reachable?): $(grep -m1 -i 'err' "$work/npm.log" || tail -n1 "$work/npm.log")"
  fi
  installed || bail "npm install finished but ${packages[*]} are not all in $install/node_modules"
fi
export NEXTAUTH_INTEROP_MODULES=$install/node_modules
echo "# real libraries: ${packages[*]} in $install"
echo "# program: $bin"

NEXTAUTH_INTEROP_SECRET=$(openssl rand -base64 32)
export NEXTAUTH_INTEROP_SECRET

# ---- 1. plan: cookies from the real libraries ---------------------------------

node "$here/session.mjs" plan "$work" || bail "session.mjs plan failed to make cookies with the real libraries"

# ---- 2. the program answers each case as CGI ----------------------------------

shopt -s nullglob
for env_file in "$work"/cases/*.env; do
  base=${env_file%.env}
  mapfile -d '' -t vars <"$env_file"
  date +%s%3N >"$base.t0"
  rc=0
  env -i PATH="$PATH" "${vars[@]}" timeout 20 "$bin" </dev/null >"$base.out" 2>"$base.err" || rc=$?
  date +%s%3N >"$base.t1"
  echo "$rc" >"$base.rc"
done

# ---- 3. the real libraries judge, TAP -----------------------------------------

vrc=0
node "$here/session.mjs" verify "$work" >"$work/verify.out" || vrc=$?

n=0 passed=0 failed=0
while IFS= read -r line; do
  case $line in
    "ok - "*)
      n=$((n + 1)) passed=$((passed + 1))
      echo "ok $n - ${line#ok - }"
      ;;
    "not ok - "*)
      n=$((n + 1)) failed=$((failed + 1))
      echo "not ok $n - ${line#not ok - }"
      ;;
    *) echo "$line" ;;
  esac
done <"$work/verify.out"

if ((vrc != 0)); then
  n=$((n + 1)) failed=$((failed + 1))
  echo "not ok $n - session.mjs verify went through every case (it exited $vrc)"
fi
if ((n == 0)); then
  n=1 failed=1
  echo "not ok 1 - session.mjs verify reported no check"
fi

echo "1..$n"
echo "$passed passed, $failed failed"
((failed == 0))
