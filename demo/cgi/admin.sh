#!/bin/bash
# SPDX-License-Identifier: MIT
# demo/cgi/admin.sh — /admin: for role admin only. The rule lives in the guard's
# config ("rules": /admin/:path* needs {"role":"admin"}), not here: a signed-in
# user without the role never reaches this script (the guard sends the browser
# to the sign-in page, as withAuth does).
# shellcheck source=demo/cgi/lib.sh
. "${0%/*}/lib.sh"
require_guard

page_start '200 OK' 'Admin area'
cat <<EOF
<p id="welcome">Welcome, <strong>$(html "${NEXTAUTH_NAME:-$REMOTE_USER}")</strong>: your role
<code>$(html "${NEXTAUTH_ROLE-}")</code> lets you in.</p>
<p>The guard checked the rule <code>{"role":"admin"}</code> for <code>/admin/:path*</code>
before lighttpd ran this script.</p>
EOF
identity_table
page_end
