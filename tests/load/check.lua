-- SPDX-License-Identifier: MIT
-- tests/load/check.lua — the wrk script of tests/load/run.sh: sends a mix of
-- requests and checks every answer against what its request deserves.
--
-- Input (environment, set by run.sh):
--   LOAD_CASES   a TSV file, one request kind a line (no header line):
--                name, path, Accept, Cookie ("" = none), expect, arg, valid,
--                canary, weight, store, then, then_arg
--                expect: allow   200, the guarded marker in the body and arg,
--                                the marker with the identity the guard handed
--                                over ("MARKER user=… role=… sub=…", echoed by
--                                the server into the page)
--                        signin  307, Location exactly arg, no marker
--                        401/403 that status, body exactly arg
--                        public  200 and the public marker in the body
--                valid:  1 when the request carries a token that is valid for
--                        that path (only then may the marker appear)
--                canary: "" or the kind of a deliberately wrong expectation
--                        (below): wrong, leak, revoke, down
--                weight: how many times the kind appears in the mix
--                store:  database sessions: which answer the request gets
--                        while the session store is down, "json" or "html"
--                        (the exact 503 of LOAD_503_JSON / LOAD_503_HTML); ""
--                        for a request that never reaches the store (no
--                        cookie, an empty or over-long token, a public path)
--                then:   "" or, for a session that run.sh revokes mid-run,
--                        what it deserves once its row is deleted (signin or
--                        401, with then_arg as arg)
--   LOAD_MARKER, LOAD_PUBLIC_MARKER   the marker strings of guarded and public
--                files (random per run)
--   LOAD_FLAGS   database sessions only: a folder where run.sh marks the
--                faults with files (created and removed around each step, so
--                that what the script sees is always on the safe side):
--                  fault     from just before the database is stopped (or
--                            locked) until it answers again
--                  down      from after it is gone (locked) until just before
--                            it is started (unlocked) again
--                  back      from when it answers again, for good
--                  revoking  from just before the first row is deleted
--                  revoked   from when every revoked row is gone
--   LOAD_503_JSON, LOAD_503_HTML   the store-unavailable bodies (run.sh)
--
-- The database faults are judged exactly, per request, with those files:
-- `down` there when the request is sent and still there when its answer has
-- been read: the store was down the whole time, so a request that reaches the
-- store must get the 503 (never an allow, never the sign-in redirect) and any
-- other its usual answer; a 503 of the store to a request sent once `back` is
-- there, or answered before `fault` ever existed, is wrong. A revoked session:
-- `revoking` absent when its answer has been read: the row was there, so it
-- must be allowed; `revoked` there when it is sent: the row is gone, so it
-- must be refused; in between, either.
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
-- guarded marker with no cookie (a "leak" to the detector). With database
-- sessions two more: "canary-revoke" is a session treated as revoked whose
-- row run.sh never deletes (each allow after `revoked` must be caught), and
-- "canary-down" a public request treated as one that reaches the store (its
-- 200 while `down` must be caught; while the store is down a thread's first
-- request and every 4th after it are this one, so every outage has some).
-- Their catches are counted apart from the real wrong answers; run.sh
-- requires every canary to be caught and every real counter to be 0.
--
-- Output: done() prints lines starting with "LOAD " that run.sh reads:
--   LOAD total <requests> <lost> <timeouts> <connect/read/write errors> <duration µs>
--   LOAD case <name> <answered> <wrong> <leaks> <5xx> <lost>
--   LOAD canary <sent-non-5xx> <caught> <leak-sent> <leak-caught>
--   LOAD db <down> <down-503> <down-other> <up-503> <rev-allowed> <rev-window-allowed>
--           <rev-window-refused> <rev-refused> <canary-revoke> <caught> <canary-down> <caught>
--                                database sessions: the answers sent and read
--                                while the store was down (all, the 503s among
--                                those reaching it, those not reaching it), the
--                                store's 503s while it answered, the revoked
--                                sessions' answers by phase, the two canaries
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
ffi.cdef [[ int access(const char *path, int mode); ]]
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
            if #f ~= 12 then
                error("bad case line (" .. #f .. " fields): " .. line)
            end
            list[#list + 1] = {
                name = f[1], path = f[2], accept = f[3], cookie = f[4],
                expect = f[5], arg = f[6], valid = f[7] == "1",
                canary = f[8] ~= "" and f[8] or nil, weight = tonumber(f[9]),
                store = f[10], after = f[11] ~= "" and f[11] or nil, after_arg = f[12],
            }
        end
    end
    return list
end

function init(args)
    cases = load_cases(assert(os.getenv("LOAD_CASES"), "LOAD_CASES not set"))
    marker = assert(os.getenv("LOAD_MARKER"), "LOAD_MARKER not set")
    public_marker = assert(os.getenv("LOAD_PUBLIC_MARKER"), "LOAD_PUBLIC_MARKER not set")
    flags = os.getenv("LOAD_FLAGS") -- nil: token sessions, no database faults
    if flags then
        f_fault, f_down, f_back = flags .. "/fault", flags .. "/down", flags .. "/back"
        f_revoking, f_revoked = flags .. "/revoking", flags .. "/revoked"
        body503 = {
            json = assert(os.getenv("LOAD_503_JSON"), "LOAD_503_JSON not set"),
            html = assert(os.getenv("LOAD_503_HTML"), "LOAD_503_HTML not set"),
        }
    end

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
    -- database sessions (LOAD db line)
    down_n, down_503, down_other, up_503 = 0, 0, 0, 0
    rev_allowed, rev_win_allowed, rev_win_refused, rev_refused = 0, 0, 0, 0
    canary_rev_n, canary_rev_caught, canary_down_n, canary_down_caught = 0, 0, 0, 0
    canary_down_i, down_seq = nil, 0
    for i, c in ipairs(cases) do
        if c.canary == "down" then canary_down_i = i end
    end
    pending = false
    verify_call = (tid == 1)
end

local function bump(t, k)
    t[k] = (t[k] or 0) + 1
end

local function sample(text)
    if #samples < 5 then samples[#samples + 1] = text end
end

local function exists(path)
    return ffi.C.access(path, 0) == 0
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
    if flags then
        -- what the request is sent into (see the top)
        sent_down, sent_back, sent_revoked = exists(f_down), exists(f_back), exists(f_revoked)
        if sent_down and canary_down_i then
            down_seq = down_seq + 1
            if down_seq % 4 == 1 then cur = canary_down_i end
        end
    end
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

-- The store-unavailable answer (kind "json" or "html"), exactly.
local function is_store_503(kind, status, headers, body)
    return status == 503 and body == body503[kind] and
        header(headers, "Content-Type") ==
        (kind == "json" and "application/json" or "text/html; charset=utf-8") and
        header(headers, "Retry-After") == "5" and header(headers, "Cache-Control") == "no-store"
end

-- Whether an answer (not 5xx) is the one expectation e/arg asks for.
local function meets(e, arg, status, headers, body, has_marker)
    if e == "allow" then
        return status == 200 and has_marker and body:find(arg, 1, true) ~= nil
    elseif e == "signin" then
        return status == 307 and header(headers, "Location") == arg and not has_marker
    elseif e == "401" or e == "403" then
        return status == tonumber(e) and body == arg
    elseif e == "public" then
        return status == 200 and body:find(public_marker, 1, true) ~= nil
    end
    return false
end

local function wrong_answer(i, c, why, status, headers, body)
    wrong[i] = wrong[i] + 1
    sample(string.format("WRONG %s%s: %d Location=%q body=%q", c.name, why, status,
        tostring(header(headers, "Location")), body:sub(1, 80)))
end

function response(status, headers, body)
    if not pending then return end -- cannot happen with one connection a thread
    pending = false
    local i = cur
    local c = cases[i]
    answered[i] = answered[i] + 1
    local recv_down, recv_revoking, recv_fault_seen = false, false, false
    if flags then
        recv_down, recv_revoking = exists(f_down), exists(f_revoking)
        recv_fault_seen = exists(f_fault) or exists(f_back)
    end
    local revoked = c.after ~= nil and sent_revoked -- its row was gone before it was sent

    -- the most important check: guarded content without a valid token
    local has_marker = body:find(marker, 1, true) ~= nil
    if c.canary == "leak" then
        canary_leak_n = canary_leak_n + 1
        if has_marker and not c.valid then canary_leak_caught = canary_leak_caught + 1 end
    elseif has_marker and (not c.valid or (revoked and c.canary ~= "revoke")) then
        leaks[i] = leaks[i] + 1
        sample(string.format("LEAK %s%s %d %q", c.name, revoked and " (revoked)" or "", status,
            body:sub(1, 80)))
    end

    -- the session store down from before the request until after its answer
    if flags and sent_down and recv_down then
        if c.store ~= "" then
            local ok = is_store_503(c.store, status, headers, body)
            if c.canary == "down" then
                canary_down_n = canary_down_n + 1
                if not ok then canary_down_caught = canary_down_caught + 1 end
                return
            end
            down_n = down_n + 1
            if ok then
                down_503 = down_503 + 1
            else
                wrong_answer(i, c, " (store down)", status, headers, body)
            end
            if status >= 500 then
                s5[i] = s5[i] + 1
                bump(ev5xx, floor(now_ms() / 10))
            end
            return
        end
        -- a request that never reaches the store: its usual answer (below)
        down_other = down_other + 1
    end

    -- 5xx: judged by run.sh against the fault windows (by time). The public
    -- path never reaches the guard: a 5xx there is a wrong answer. The store's
    -- 503 while the database answered is wrong here already.
    if status >= 500 and c.expect ~= "public" then
        s5[i] = s5[i] + 1
        bump(ev5xx, floor(now_ms() / 10))
        if flags and c.store ~= "" and is_store_503(c.store, status, headers, body) and
            (sent_back or not recv_fault_seen) then
            up_503 = up_503 + 1
            wrong_answer(i, c, " (store 503 while the database answered)", status, headers, body)
        elseif flags and sent_down and recv_down then
            wrong_answer(i, c, " (5xx without reaching the store)", status, headers, body)
        end
        return
    end

    local e, arg = c.expect, c.arg
    local ok
    if c.after == nil then
        ok = meets(e, arg, status, headers, body, has_marker)
    elseif revoked then -- the row was gone: refused
        e, arg = c.after, c.after_arg
        ok = meets(e, arg, status, headers, body, has_marker)
        if c.canary == "revoke" then
            -- its row is still there: every allow must be caught
            canary_rev_n = canary_rev_n + 1
            if not ok then canary_rev_caught = canary_rev_caught + 1 end
            return
        end
        if ok then rev_refused = rev_refused + 1 end
    elseif not recv_revoking then -- the row was there throughout: allowed
        ok = meets(e, arg, status, headers, body, has_marker)
        if ok then rev_allowed = rev_allowed + 1 end
    else -- during the DELETE: either, each exactly
        if meets(e, arg, status, headers, body, has_marker) then
            ok = true
            rev_win_allowed = rev_win_allowed + 1
        elseif meets(c.after, c.after_arg, status, headers, body, has_marker) then
            ok = true
            e = c.after
            rev_win_refused = rev_win_refused + 1
        else
            ok = false
        end
    end
    if ok and e == "allow" then bump(evok, floor(now_ms() / 100)) end

    if c.canary == "wrong" then
        canary_n = canary_n + 1
        if not ok then canary_caught = canary_caught + 1 end
    elseif not ok then
        wrong_answer(i, c, revoked and " (revoked)" or "", status, headers, body)
    end
end

-- ---- done: main state; gather every thread's counters ----------------------

function done(summary, latency, requests)
    local names, tot = {}, {}
    local ev = { ev5xx = {}, evlost = {}, evok = {} }
    local lost_total = 0
    local can = { 0, 0, 0, 0 }
    local db_names = { "down_n", "down_503", "down_other", "up_503", "rev_allowed",
        "rev_win_allowed", "rev_win_refused", "rev_refused", "canary_rev_n",
        "canary_rev_caught", "canary_down_n", "canary_down_caught" }
    local db = {}
    for k = 1, #db_names do db[k] = 0 end
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
        for k, name in ipairs(db_names) do db[k] = db[k] + t:get(name) end
        for _, s in ipairs(t:get("samples")) do out[#out + 1] = "LOAD sample " .. s end
    end
    local e = summary.errors
    print(string.format("LOAD total %d %d %d %d %d", summary.requests, lost_total, e.timeout,
        e.connect + e.read + e.write, summary.duration))
    for i = 1, #names do
        print(string.format("LOAD case %s %d %d %d %d %d", names[i], tot[i][1], tot[i][2],
            tot[i][3], tot[i][4], tot[i][5]))
    end
    print(string.format("LOAD canary %d %d %d %d", can[1], can[2], can[3], can[4]))
    print("LOAD db " .. table.concat(db, " "))
    for key, t in pairs(ev) do
        for ms, n in pairs(t) do
            print(string.format("LOAD %s %.0f %d", key, ms, n))
        end
    end
    for _, s in ipairs(out) do print(s) end
    print(string.format("LOAD latency %.1f %.1f %.1f", latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000))
end
