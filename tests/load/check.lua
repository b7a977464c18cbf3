-- SPDX-License-Identifier: MIT
-- tests/load/check.lua — the wrk script of tests/load/run.sh: sends a mix of
-- requests and checks every answer against what its request deserves.
--
-- Input (environment, set by run.sh):
--   LOAD_CASES   a TSV file, one request kind a line (no header line):
--                name, path, Accept, Cookie ("" = none), expect, arg, valid,
--                canary, weight
--                expect: allow   200 and the guarded marker in the body
--                        signin  307, Location exactly arg, no marker
--                        401/403 that status, body exactly arg
--                        public  200 and the public marker in the body
--                valid:  1 when the request carries a token that is valid for
--                        that path (only then may the marker appear)
--                canary: 1 for a deliberately wrong expectation (below)
--                weight: how many times the kind appears in the mix
--   LOAD_MARKER, LOAD_PUBLIC_MARKER   the marker strings of guarded and public
--                files (random per run)
--
-- Pairing requests with answers. wrk calls request() each time a connection is
-- about to send, and response() each time a connection has read a whole
-- answer; with several connections in one thread these interleave, so a queue
-- of "what was sent" would pair answers with the wrong requests. run.sh
-- therefore runs wrk with exactly one connection per thread (-tN -cN) and the
-- script never pipelines (request() returns one request): per thread it is
-- strictly request(), response(), request(), response()… and the answer always
-- belongs to the last request generated (`cur`). When wrk loses a connection
-- (closed or reset before the answer) it reconnects and calls request() again
-- without a response(): that request is counted as lost (with its time).
-- One quirk: wrk calls request() once more in thread 1 before the run starts,
-- to check that the script returns a valid request (script_verify_request);
-- that call is not a lost request.
--
-- Canaries prove that the checker can fail, in every run: "canary-wrong" is
-- sent with a valid cookie but expects the sign-in redirect (so the right
-- answer, 200, is "wrong" for it), and "canary-leak" fetches a public file that carries the
-- guarded marker with no cookie (a "leak" to the detector). Their catches are
-- counted apart from the real wrong answers; run.sh requires every canary to
-- be caught and every real counter to be 0.
--
-- Output: done() prints lines starting with "LOAD " that run.sh reads:
--   LOAD total <requests> <lost> <timeouts> <connect/read/write errors>
--   LOAD case <name> <answered> <wrong> <leaks> <5xx> <lost>
--   LOAD canary <sent-non-5xx> <caught> <leak-sent> <leak-caught>
--   LOAD ev5xx <ms> <count>      5xx answers, per 10 ms (ms = bucket start)
--   LOAD evlost <ms> <count>     lost requests, per 10 ms
--   LOAD evok <ms> <count>       allowed requests answered 200, per 100 ms
--   LOAD sample <text>           the first wrong answers / leaks, for the report
--   LOAD latency <p50 ms> <p99 ms> <max ms>

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } load_timeval;
int gettimeofday(load_timeval *tv, void *tz);
]]
local tvbuf = ffi.new("load_timeval")
local floor = math.floor

local function now_ms()
    ffi.C.gettimeofday(tvbuf, nil)
    return tonumber(tvbuf.tv_sec) * 1000 + floor(tonumber(tvbuf.tv_usec) / 1000)
end

-- ---- setup and done run in wrk's main Lua state ----------------------------

local threads = {}

function setup(thread)
    threads[#threads + 1] = thread
    thread:set("tid", #threads)
end

-- ---- the running phase: one Lua state per thread ---------------------------

local function split_tabs(line)
    local f = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do
        f[#f + 1] = field
    end
    return f
end

local function load_cases(file)
    local list = {}
    for line in io.lines(file) do
        if line ~= "" then
            local f = split_tabs(line)
            if #f ~= 9 then
                error("bad case line (" .. #f .. " fields): " .. line)
            end
            list[#list + 1] = {
                name = f[1], path = f[2], accept = f[3], cookie = f[4],
                expect = f[5], arg = f[6], valid = f[7] == "1",
                canary = f[8] == "1", weight = tonumber(f[9]),
            }
        end
    end
    return list
end

function init(args)
    cases = load_cases(assert(os.getenv("LOAD_CASES"), "LOAD_CASES not set"))
    marker = assert(os.getenv("LOAD_MARKER"), "LOAD_MARKER not set")
    public_marker = assert(os.getenv("LOAD_PUBLIC_MARKER"), "LOAD_PUBLIC_MARKER not set")

    -- the requests, built once; the mix: each kind `weight` times, shuffled
    -- (a fixed seed per thread: runs are comparable)
    reqs, seq = {}, {}
    for i, c in ipairs(cases) do
        local h = { Accept = c.accept ~= "" and c.accept or nil }
        if c.cookie ~= "" then h["Cookie"] = c.cookie end
        reqs[i] = wrk.format("GET", c.path, h)
        for _ = 1, c.weight do seq[#seq + 1] = i end
    end
    math.randomseed(7919 * tid)
    for i = #seq, 2, -1 do
        local j = math.random(i)
        seq[i], seq[j] = seq[j], seq[i]
    end
    pos = tid % #seq

    answered, wrong, leaks, s5, lostc = {}, {}, {}, {}, {}
    for i = 1, #cases do
        answered[i], wrong[i], leaks[i], s5[i], lostc[i] = 0, 0, 0, 0, 0
    end
    ev5xx, evlost, evok = {}, {}, {}
    samples = {}
    canary_n, canary_caught, canary_leak_n, canary_leak_caught = 0, 0, 0, 0
    pending = false
    verify_call = (tid == 1)
end

local function bump(t, k)
    t[k] = (t[k] or 0) + 1
end

local function sample(text)
    if #samples < 5 then samples[#samples + 1] = text end
end

function request()
    if pending then
        if verify_call then
            verify_call = false -- wrk's own check call, never sent
        else
            lostc[cur] = lostc[cur] + 1
            bump(evlost, floor(now_ms() / 10))
        end
    end
    pos = pos % #seq + 1
    cur = seq[pos]
    pending = true
    return reqs[cur]
end

local function header(headers, name)
    local v = headers[name]
    if v == nil then
        local lname = name:lower()
        for k, val in pairs(headers) do
            if k:lower() == lname then return val end
        end
    end
    return v
end

function response(status, headers, body)
    if not pending then return end -- cannot happen with one connection a thread
    pending = false
    local i = cur
    local c = cases[i]
    answered[i] = answered[i] + 1

    -- the most important check: guarded content without a valid token
    local has_marker = body:find(marker, 1, true) ~= nil
    if c.canary and c.expect == "public" then
        canary_leak_n = canary_leak_n + 1
        if has_marker and not c.valid then canary_leak_caught = canary_leak_caught + 1 end
    elseif has_marker and not c.valid then
        leaks[i] = leaks[i] + 1
        sample(string.format("LEAK %s %d %q", c.name, status, body:sub(1, 80)))
    end

    -- 5xx: judged by run.sh against the fault windows (by time). The public
    -- path never reaches the guard: a 5xx there is a wrong answer.
    if status >= 500 and c.expect ~= "public" then
        s5[i] = s5[i] + 1
        bump(ev5xx, floor(now_ms() / 10))
        return
    end

    local ok
    local e = c.expect
    if e == "allow" then
        ok = status == 200 and has_marker
    elseif e == "signin" then
        ok = status == 307 and header(headers, "Location") == c.arg and not has_marker
    elseif e == "401" or e == "403" then
        ok = status == tonumber(e) and body == c.arg
    elseif e == "public" then
        ok = status == 200 and body:find(public_marker, 1, true) ~= nil
    else
        ok = false
    end
    if ok and e == "allow" then bump(evok, floor(now_ms() / 100)) end

    if c.canary then
        if e ~= "public" then
            canary_n = canary_n + 1
            if not ok then canary_caught = canary_caught + 1 end
        end
    elseif not ok then
        wrong[i] = wrong[i] + 1
        sample(string.format("WRONG %s: %d Location=%q body=%q", c.name, status,
            tostring(header(headers, "Location")), body:sub(1, 80)))
    end
end

-- ---- done: main state; gather every thread's counters ----------------------

function done(summary, latency, requests)
    local names, tot = {}, {}
    local ev = { ev5xx = {}, evlost = {}, evok = {} }
    local lost_total = 0
    local can = { 0, 0, 0, 0 }
    local out = {}
    -- thread:get copies flat tables only: wrk 4.1.0 crashes copying a table
    -- of tables, so the case names come from the file again
    for i, c in ipairs(load_cases(os.getenv("LOAD_CASES"))) do
        names[i] = c.name
        tot[i] = { 0, 0, 0, 0, 0 }
    end
    for _, t in ipairs(threads) do
        local cols = { t:get("answered"), t:get("wrong"), t:get("leaks"), t:get("s5"),
            t:get("lostc") }
        for i = 1, #names do
            for k = 1, 5 do tot[i][k] = tot[i][k] + cols[k][i] end
            lost_total = lost_total + cols[5][i]
        end
        for key, scale in pairs({ ev5xx = 10, evlost = 10, evok = 100 }) do
            for b, n in pairs(t:get(key)) do
                local ms = b * scale
                ev[key][ms] = (ev[key][ms] or 0) + n
            end
        end
        can[1] = can[1] + t:get("canary_n")
        can[2] = can[2] + t:get("canary_caught")
        can[3] = can[3] + t:get("canary_leak_n")
        can[4] = can[4] + t:get("canary_leak_caught")
        for _, s in ipairs(t:get("samples")) do out[#out + 1] = "LOAD sample " .. s end
    end
    local e = summary.errors
    print(string.format("LOAD total %d %d %d %d", summary.requests, lost_total, e.timeout,
        e.connect + e.read + e.write))
    for i = 1, #names do
        print(string.format("LOAD case %s %d %d %d %d %d", names[i], tot[i][1], tot[i][2],
            tot[i][3], tot[i][4], tot[i][5]))
    end
    print(string.format("LOAD canary %d %d %d %d", can[1], can[2], can[3], can[4]))
    for key, t in pairs(ev) do
        for ms, n in pairs(t) do
            print(string.format("LOAD %s %.0f %d", key, ms, n))
        end
    end
    for _, s in ipairs(out) do print(s) end
    print(string.format("LOAD latency %.1f %.1f %.1f", latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000))
end
