#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interoperability suite: tokens made by bin/nextauth-token must be accepted by
# the real JavaScript libraries (next-auth 4.24.15, @auth/core 0.41.3,
# jsonwebtoken 9), and tokens made by those libraries must be read by the CLI.
#
# Usage (from anywhere, normally the repo root after `make`):
#   tests/interop/run.sh
# Environment:
#   NEXTAUTH_INTEROP_CACHE=DIR  reuse DIR as the npm install folder (installed
#                               there only when missing or of another version);
#                               must be outside the repository.
#   NEXTAUTH_TOKEN_BIN=PATH     the CLI to test (default: bin/nextauth-token; the
#                               name tests/run-all.sh exports for every suite).
#
# How it works (three phases, two node processes in all):
#   1. plan.mjs   makes tokens with the real libraries and writes the list of
#                 CLI invocations, each with the answer the library expects;
#   2. this file  runs the CLI once per invocation, keeping stdout, stderr,
#                 exit status and the clock before/after;
#   3. verify.mjs judges every answer, feeding the tokens the CLI printed to
#                 the real libraries; this file numbers its lines as TAP.
# Ends with the line "N passed, N failed"; exits 1 if any check failed. A
# missing node/npm or a failed npm install is one "Bail out!" line and exit 1.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
cli=${NEXTAUTH_TOKEN_BIN:-$repo/bin/nextauth-token}
packages=(next-auth@4.24.15 @auth/core@0.41.3 jsonwebtoken@9)

# Environment that would change what the libraries or the CLI do by default
# (secure cookie names, fallback secrets): every case states what it means.
unset NEXTAUTH_URL NEXTAUTH_SECRET AUTH_SECRET AUTH_URL VERCEL

bail() {
  echo "Bail out! interop: $*"
  exit 1
}

# Refuses a folder inside the repository (the suite never writes there,
# except tests/interop itself, which it does not write either).
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
[[ -x $cli ]] || bail "$cli is not built (run make first)"

# ---- scratch folder and the real libraries ----------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/nextauth-interop.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT # so that the EXIT trap also runs on ^C and kill
trap 'exit 143' TERM
must_be_outside_repo "$work"

if [[ -n ${NEXTAUTH_INTEROP_CACHE:-} ]]; then
  # Resolved (symlinks, ..) before anything is created there.
  install=$(realpath -m -- "$NEXTAUTH_INTEROP_CACHE")
else
  install=$work/npm
fi
must_be_outside_repo "$install"
mkdir -p "$install"

# True when the install folder already holds the versions the suite expects.
installed() {
  node -e '
    const dir = process.argv[1];
    const v = (n) => { try { return require(dir + "/" + n + "/package.json").version; } catch { return ""; } };
    process.exit(v("next-auth") === "4.24.15" && v("@auth/core") === "0.41.3" &&
                 v("jsonwebtoken").startsWith("9.") ? 0 : 1);
  ' "$install/node_modules"
}

if ! installed; then
  # A package.json of its own keeps npm from looking for a project above it.
  [[ -f $install/package.json ]] || echo '{ "private": true }' >"$install/package.json"
  # --legacy-peer-deps: next-auth's peers (next, react) are not needed here.
  if ! (cd "$install" &&
    NPM_CONFIG_UPDATE_NOTIFIER=false timeout 600 npm install --no-audit --no-fund \
      --legacy-peer-deps "${packages[@]}") >"$work/npm.log" 2>&1; then
    bail "npm install ${packages[*]} failed (is the npm registry reachable?): $(grep -m1 -i 'err' "$work/npm.log" || tail -n1 "$work/npm.log")"
  fi
  installed || bail "npm install finished but ${packages[*]} are not all in $install/node_modules"
fi
export NEXTAUTH_INTEROP_MODULES=$install/node_modules
echo "# real libraries: ${packages[*]} in $install"

# ---- the run's secret -------------------------------------------------------

# `nextauth-token secret` twice (verify.mjs checks both); the first is the
# secret of the run unless it looks wrong, then openssl makes one.
for n in 1 2; do
  rc=0
  timeout 20 "$cli" secret </dev/null >"$work/secret.$n.out" 2>"$work/secret.$n.err" || rc=$?
  echo "$rc" >"$work/secret.$n.rc"
done
secret=$(head -n1 "$work/secret.1.out")
if [[ ! $secret =~ ^[A-Za-z0-9+/]{40,}=*$ ]]; then
  secret=$(openssl rand -base64 32)
fi
export NEXTAUTH_INTEROP_SECRET=$secret

# ---- 1. plan: tokens from the real libraries --------------------------------

node "$here/plan.mjs" "$work" || bail "plan.mjs failed to make tokens with the real libraries"

# ---- 2. run the CLI once per case -------------------------------------------

shopt -s nullglob
for argv_file in "$work"/cases/*.argv; do
  base=${argv_file%.argv}
  mapfile -d '' -t args <"$argv_file"
  input=/dev/null
  [[ -f $base.stdin ]] && input=$base.stdin
  printf '%(%s)T\n' -1 >"$base.t0"
  rc=0
  timeout 20 "$cli" "${args[@]}" <"$input" >"$base.out" 2>"$base.err" || rc=$?
  printf '%(%s)T\n' -1 >"$base.t1"
  echo "$rc" >"$base.rc"
done

# ---- 3. verify with the real libraries, print TAP ---------------------------

vrc=0
node "$here/verify.mjs" "$work" >"$work/verify.out" || vrc=$?

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
  echo "not ok $n - verify.mjs went through every case (it exited $vrc, see stderr)"
fi

echo "1..$n"
echo "$passed passed, $failed failed"
((failed == 0))
