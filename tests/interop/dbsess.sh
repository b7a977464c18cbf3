#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interoperability of database sessions with the real Node adapters, the
# versions the recorded cases (tests/vectors/dbsess-vectors.json) were made
# with:
#   pg       @auth/pg-adapter 1.11.3 + pg 8.23.1 on a private PostgreSQL
#            (tests/lib/postgres.sh; server TimeZone America/New_York), tables
#            of tests/vectors/dbsess-schema/pg-adapter.sql;
#   drizzle  @auth/drizzle-adapter 1.11.3 + drizzle-orm 0.45.4 over
#            better-sqlite3 12.11.1 on a temp SQLite file, its default tables
#            (tests/vectors/dbsess-schema/drizzle-sqlite.sql).
# For each, dbsess.mjs makes the user and sessions with the adapter, runs
# cgi-bin/nextauth-session as CGI (clock frozen with faketime, TZ
# Asia/Kolkata) on a fresh, a due and an expired session, compares every
# answer byte for byte with next-auth 4.24.15's own session route on a twin
# session, and reads what the program wrote back with the adapter.
#
# Usage (from anywhere, after `make`):
#   tests/interop/dbsess.sh
# Environment (the conventions of tests/interop/run.sh):
#   NEXTAUTH_INTEROP_CACHE=DIR   the npm install folder (the one run.sh and
#                                session.sh use; the packages here are added
#                                to it when missing); outside the repo.
#   NEXTAUTH_SESSION_BIN=PATH    the program to test (default
#                                cgi-bin/nextauth-session).
# better-sqlite3 has no prebuilt binary here: npm builds it from source
# (node-gyp, about 2 minutes on 2 cores) with the headers of the running node
# (npm_config_nodedir, when that node ships them), never downloading any.
#
# Prints TAP and ends with "N passed, N failed"; exits 1 if a check failed. A
# missing tool or a failed npm install of the pg packages is one "Bail out!"
# line and exit 1; a failed better-sqlite3 build fails the drizzle half only.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
bin=${NEXTAUTH_SESSION_BIN:-$repo/cgi-bin/nextauth-session}
# run.sh's packages too, so one install serves all three suites.
packages=(next-auth@4.24.15 @auth/core@0.41.3 jsonwebtoken@9
  @auth/pg-adapter@1.11.3 pg@8.23.1 @auth/drizzle-adapter@1.11.3 drizzle-orm@0.45.4)
native=better-sqlite3@12.11.1

unset NEXTAUTH_URL NEXTAUTH_SECRET AUTH_SECRET AUTH_URL VERCEL AUTH_TRUST_HOST NEXTAUTH_CONFIG

bail() {
  echo "Bail out! interop-dbsess: $*"
  exit 1
}

must_be_outside_repo() {
  case "$1/" in
    "$repo/"*) bail "$1 is inside the repository; use a folder outside $repo" ;;
  esac
}

# ---- tools ------------------------------------------------------------------

command -v node >/dev/null || bail "node is not installed (needed to run the real adapters)"
command -v npm >/dev/null || bail "npm is not installed (needed to install the adapters)"
command -v faketime >/dev/null || bail "faketime is not installed (needed to freeze the program's clock)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  bail "node $(node --version) is too old: 18 or newer is needed"
[[ -x $bin ]] || bail "$bin is not built (run make first)"

# ---- scratch folder and the real libraries ----------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/nextauth-interop-dbsess.XXXXXX")
# shellcheck source=tests/lib/postgres.sh
. "$repo/tests/lib/postgres.sh"
trap '[[ -f $work/pg/pg.pid ]] && pg_stop "$work/pg" >/dev/null 2>&1; rm -rf "$work"' EXIT
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

# installed NAME VERSION... — true when each NAME@VERSION is in the folder.
installed() {
  node -e '
    const [dir, ...want] = process.argv.slice(1);
    const v = (n) => { try { return require(dir + "/" + n + "/package.json").version; } catch { return ""; } };
    process.exit(want.every((p) => { const i = p.lastIndexOf("@");
      return v(p.slice(0, i)).startsWith(p.slice(i + 1)); }) ? 0 : 1);
  ' "$install/node_modules" "$@"
}

npm_add() { # LOG PACKAGE...
  local log=$1
  shift
  [[ -f $install/package.json ]] || echo '{ "private": true }' >"$install/package.json"
  # --legacy-peer-deps as run.sh: next-auth's peers (next, react) are not needed.
  (cd "$install" &&
    NPM_CONFIG_UPDATE_NOTIFIER=false timeout 900 npm install --no-audit --no-fund \
      --legacy-peer-deps "$@") >"$log" 2>&1
}

if ! installed "${packages[@]}"; then
  npm_add "$work/npm.log" "${packages[@]}" ||
    bail "npm install ${packages[*]} failed (is the npm registry reachable?): $(grep -m1 -i 'err' "$work/npm.log" || tail -n1 "$work/npm.log")"
  installed "${packages[@]}" || bail "npm install finished but ${packages[*]} are not all in $install/node_modules"
fi

# better-sqlite3 apart: its build may fail where the rest installs.
native_ok() {
  installed "$native" &&
    (cd "$install" && node -e 'new (require("better-sqlite3"))(":memory:").close()') >/dev/null 2>&1
}
native_error=''
if ! native_ok; then
  # node-gyp needs the running node's headers; a node installed in PREFIX/bin
  # may ship them in PREFIX/include/node (then nothing is downloaded).
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  if [[ -z ${npm_config_nodedir:-} && -f $prefix/include/node/node_api.h ]]; then
    export npm_config_nodedir=$prefix
  fi
  if ! npm_add "$work/npm-native.log" "$native" || ! native_ok; then
    native_error="npm install $native failed: $(grep -m1 -iE 'gyp ERR|npm error' "$work/npm-native.log" || tail -n1 "$work/npm-native.log")"
  fi
fi
export NEXTAUTH_INTEROP_MODULES=$install/node_modules
echo "# real libraries: ${packages[*]} $native in $install"
echo "# program: $bin"

# ---- the private PostgreSQL -------------------------------------------------

pg_ok=1
if pg_start "$work/pg" timezone=America/New_York >"$work/pg.log" 2>&1 &&
  pg_createdb "$work/pg" interop >>"$work/pg.log" 2>&1; then
  export NEXTAUTH_DBSESS_PG_HOST=$work/pg NEXTAUTH_DBSESS_PG_PORT=$PG_PORT
  NEXTAUTH_DBSESS_PG_USER=$(id -un)
  export NEXTAUTH_DBSESS_PG_USER NEXTAUTH_DBSESS_PG_DB=interop
  NEXTAUTH_DBSESS_PG_URL=$(pg_url "$work/pg" interop)
  export NEXTAUTH_DBSESS_PG_URL
else
  pg_ok=0
fi

# ---- the round trips --------------------------------------------------------

export NEXTAUTH_SESSION_BIN=$bin NEXTAUTH_DBSESS_CGI_TZ=Asia/Kolkata
: >"$work/out"
if ((pg_ok)); then
  # The node side in a third zone: nothing may depend on a process's TZ.
  TZ=Europe/Berlin node "$here/dbsess.mjs" "$work" pg >>"$work/out" 2>"$work/pg.err" ||
    echo "not ok - pg: dbsess.mjs exited non-zero: $(tail -n 3 "$work/pg.err" | tr '\n' ' ')" >>"$work/out"
else
  echo "not ok - pg: the private PostgreSQL started: $(tail -n 3 "$work/pg.log" | tr '\n' ' ')" >>"$work/out"
fi
if [[ -z $native_error ]]; then
  TZ=Europe/Berlin node "$here/dbsess.mjs" "$work" drizzle >>"$work/out" 2>"$work/drizzle.err" ||
    echo "not ok - drizzle: dbsess.mjs exited non-zero: $(tail -n 3 "$work/drizzle.err" | tr '\n' ' ')" >>"$work/out"
else
  echo "not ok - drizzle: $native_error" >>"$work/out"
fi

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
done <"$work/out"
if ((n == 0)); then
  n=1 failed=1
  echo "not ok 1 - dbsess.mjs reported no check"
fi

echo "1..$n"
echo "$passed passed, $failed failed"
((failed == 0))
