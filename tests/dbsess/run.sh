#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The recorded database-session cases (tests/dbsess/vectors.pl) on SQLite, and
# on a private PostgreSQL that this script starts and stops
# (tests/lib/postgres.sh). Prints TAP lines and one closing
# "N passed, N failed" for both.
set -u
cd "$(dirname "$0")/../.." || exit 2
export REPO_ROOT=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
add() { # FILE
    local line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "# no result line"
        failed=$((failed + 1))
        return
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
}
perl tests/dbsess/vectors.pl sqlite >"$tmp/sqlite" 2>&1
cat "$tmp/sqlite"
add "$tmp/sqlite"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
