#!/bin/bash
# SPDX-License-Identifier: MIT
# demo/cgi/dashboard.sh — /dashboard: a guarded page written the old way, as a
# CGI script. It never sees a token: nextauth-guard (the FastCGI authorizer in
# front of it) has checked the session cookie and put the user into its
# environment. In the browser the page also asks the session endpoint, as
# NextAuth's useSession() does.
# shellcheck source=demo/cgi/lib.sh
. "${0%/*}/lib.sh"
require_guard

page_start '200 OK' 'Dashboard'
cat <<EOF
<p id="welcome">Signed in as <strong>$(html "${NEXTAUTH_NAME:-$REMOTE_USER}")</strong>
(role <code>$(html "${NEXTAUTH_ROLE:-none}")</code>).</p>
<h2>What the guard told this CGI script</h2>
EOF
identity_table
cat <<'EOF'
<h2>The session, from <code>/api/auth/session</code></h2>
<pre id="session">loading…</pre>
<p><a href="/admin">Admin area</a> (role admin only) ·
<a id="signout" href="/api/auth/signout">Sign out</a></p>
<script>
fetch("/api/auth/session", { credentials: "include" })
  .then(function (r) { return r.json(); })
  .then(function (s) { document.getElementById("session").textContent = JSON.stringify(s, null, 2); })
  .catch(function (e) { document.getElementById("session").textContent = "error: " + e; });
</script>
EOF
page_end
