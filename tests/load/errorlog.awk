# SPDX-License-Identifier: MIT
# tests/load/errorlog.awk — lighttpd's error log filter for tests/load/run.sh
# (server.errorlog = "|awk -f errorlog.awk >>error.log"). The guard logs one
# line per refused session ("bad session token (REASON) for PATH", "not
# authorized for PATH"): at thousands a second they would fill the disk in a
# soak, so they are only counted, by reason (so are the lines of a session
# store that does not answer); every other line (lighttpd's own:
# children that died or exited, backends down, NO_SECRET…) is kept. At the end
# (lighttpd closes the pipe when it stops) one line per reason:
#   guard-refusals COUNT REASON
/FastCGI-stderr:nextauth-guard: bad session token \(/ {
    r = $0
    sub(/.*bad session token \(/, "", r)
    sub(/\) for .*/, "", r)
    n[r]++
    next
}
# database sessions: one line per request the session store could not answer
# ("session store unavailable for PATH: CAUSE"), counted by cause (the first
# 100 characters, the run's folder -v dir=… written DIR: a handful of distinct
# ones, however many lines)
/FastCGI-stderr:nextauth-guard: (session store unavailable|cannot read the session) for / {
    r = $0
    sub(/.*FastCGI-stderr:nextauth-guard: /, "", r)
    w = (r ~ /^session store unavailable/) ? "store unavailable" : "cannot read the session"
    sub(/^[^:]*: /, "", r)
    if (dir != "" && (i = index(r, dir)) > 0) # the run's folder, shortened
        r = substr(r, 1, i - 1) "DIR" substr(r, i + length(dir))
    n[w ": " substr(r, 1, 100)]++
    next
}
/FastCGI-stderr:nextauth-guard: not authorized for / {
    n["not authorized"]++
    next
}
{
    print
    fflush()
}
END {
    for (r in n)
        print "guard-refusals", n[r], r
}
