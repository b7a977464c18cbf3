-- SPDX-License-Identifier: MIT
-- tests/bench/rotate.lua — a wrk script for tests/bench/e2e.sh: every request
-- carries the next Cookie header of the file named by BENCH_COOKIES (one a
-- line), round robin, each thread from its own starting point. With more
-- cookies than the guard keeps answers for (tokenCache), every request is a
-- full check: what the guard costs when sessions do not repeat.
local cookies = {}
local i = 0

function init(args)
    for line in io.lines(os.getenv("BENCH_COOKIES")) do
        cookies[#cookies + 1] = line
    end
    i = math.random(#cookies)
end

function request()
    i = i % #cookies + 1
    return wrk.format("GET", nil, {["Cookie"] = cookies[i]})
end
