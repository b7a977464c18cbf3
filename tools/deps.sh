#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what nextauth-fcgi needs to build, test and run its demo, from Debian's
# packages. As root it runs apt-get for the missing packages only; otherwise it
# prints the exact apt-get line to run and exits 1 if anything is missing.
#
#   build:  gcc make libc6-dev libssl-dev (OpenSSL 3) libjansson-dev libfcgi-dev
#           libsqlite3-dev (the session store on SQLite)
#           libpq-dev (the session store on PostgreSQL)
#   tests:  bats faketime jq curl libfcgi-bin (cgi-fcgi) valgrind
#           postgresql (private servers for the session-store tests)
#           sqlite3 (the SQLite client: make demo STRATEGY=database, the
#           database-session tests and the bats helpers for them)
#           wrk (the load-and-fault run, and make bench)
#           nodejs npm (only the interoperability suite: it installs the real
#           next-auth in a scratch folder outside the repository)
#           g++ python3 (npm builds better-sqlite3 from source there, with node-gyp)
#           mandoc man-db (the man pages: mandoc -T lint, groff -ww (groff-base,
#           which man-db brings) and man -l render each without a warning)
#   browser test of the demo: chromium chromium-driver (headless)
#   servers used by tests and the demo: lighttpd apache2 nginx-light spawn-fcgi
#           multiwatch (keeps several guard processes on one socket: for Apache,
#           and in the systemd units)
#   Debian package (make deb, tests/deb.bats): build-essential debhelper
#           (dh, dpkg-buildpackage) lintian; devscripts (debuild, dch: the
#           usual tools for whoever edits debian/; make deb does not need it)
#   the Apache module (make apache-module, tests/mod-apache.bats): apache2-dev
#           (apxs and Apache's and APR's headers)
#   the nginx module (make nginx-module, tests/mod-nginx.bats): nginx-dev
#           (nginx's configure, headers and the packaged nginx's build flags)
#   systemd units (tests/systemd.bats): systemd (systemd-analyze verify and
#           security work offline; nothing needs systemd running)
#   make bench only (tests/bench/modules.sh, the peers of the server modules):
#           libapache2-mod-auth-openidc libnginx-mod-http-js
set -eu

pkgs="gcc make libc6-dev libssl-dev libjansson-dev libfcgi-dev libsqlite3-dev libpq-dev libfcgi-bin
postgresql sqlite3
bats faketime jq curl valgrind wrk pkgconf lighttpd spawn-fcgi multiwatch apache2 nginx-light
g++ python3 mandoc man-db
chromium chromium-driver"
# the Debian package and the systemd units (see the top)
pkgs="$pkgs build-essential debhelper devscripts lintian systemd"
# the Apache module (see the top)
pkgs="$pkgs apache2-dev"
# the nginx module (see the top)
pkgs="$pkgs nginx-dev"
# make bench only (see the top)
pkgs="$pkgs libapache2-mod-auth-openidc libnginx-mod-http-js"

# Node.js may come from elsewhere than Debian (a newer nodejs package); any
# node >= 18 with npm will do, so only ask for Debian's when there is none.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    pkgs="$pkgs nodejs npm"
fi

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing:$missing"
    echo "deps: run as root:  apt-get update && apt-get install -y --no-install-recommends$missing"
    exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# The Debian packages of servers start a system instance; tests run private
# instances on their own ports and never use the system's, so leave them be.
