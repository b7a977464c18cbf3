# SPDX-License-Identifier: MIT
# tests/load/errorlog.awk — lighttpd's error log filter for tests/load/run.sh
# (server.errorlog = "|awk -f errorlog.awk >>error.log"). The guard logs one
# line per refused session ("bad session token (REASON) for PATH", "not
# authorized for PATH"): at thousands a second they would fill the disk in a
# soak, so they are only counted, by reason; every other line (lighttpd's own:
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
