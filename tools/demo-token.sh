#!/bin/sh
# SPDX-License-Identifier: MIT
# The token demo: mint a NextAuth session cookie with nextauth-token and verify it,
# as the Next.js app and the C guard would. Run by `make demo`.
set -eu
cd "$(dirname "$0")/.."
t=bin/nextauth-token

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

NEXTAUTH_SECRET=$($t secret)
export NEXTAUTH_SECRET
echo "A fresh secret is in NEXTAUTH_SECRET (not printed; the same value goes into the"
echo "Next.js app's environment and into this project's config)."

step "nextauth-token encode '{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"sub\":\"1\"}'"
tok=$($t encode '{"name":"Ada","email":"ada@example.com","sub":"1"}')
echo "${tok%"${tok#????????????????????????????????????????????????}"}… (${#tok} characters: a next-auth v4 JWE)"

step "nextauth-token get --cookie 'next-auth.session-token=<token>'"
$t get --cookie "next-auth.session-token=$tok"

step "nextauth-token get --authorization 'Bearer <token>'"
$t get --authorization "Bearer $tok"

step "nextauth-token get --cookie 'next-auth.session-token=<token with one character changed>'"
bad=$(printf '%s' "$tok" | sed 's/.$/A/;t;s/.$/B/')
[ "$bad" = "$tok" ] && bad=$(printf '%s' "$tok" | sed 's/.$/B/')
$t get --cookie "next-auth.session-token=$bad" || echo "(exit $?: refused)"

step "nextauth-token encode --max-age -60 '{\"sub\":\"1\"}' | nextauth-token decode -"
$t encode --max-age -60 '{"sub":"1"}' | $t decode - || echo "(exit $?: refused)"

echo
echo "Next: see README.md for the session endpoint and the guard."
