-- SPDX-License-Identifier: MIT
-- tests/load/check.lua — the wrk script of tests/load/run.sh: sends a mix of
-- requests and checks every answer against what its request deserves.
--
-- Input (environment, set by run.sh):
--   LOAD_CASES   a TSV file, one request kind a line (no header line):
--                name, path, Accept, Cookie ("" = none), expect, arg, valid,
--                canary, weight, store, then, then_arg[, phase]
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
--                        (below): wrong, leak, revoke, down, reload
--                weight: how many times the kind appears in the mix
--                store:  database sessions: which answer the request gets
--                        while the session store is down, "json" or "html"
--                        (the exact 503 of LOAD_503_JSON / LOAD_503_HTML); ""
--                        for a request that never reaches the store (no
--                        cookie, an empty or over-long token, a public path)
--                then:   "" or, for a session that run.sh revokes mid-run,
--                        what it deserves once its row is deleted (signin,
--                        401 or 403, with then_arg as arg); with phase
--                        "reload", what the request deserves under the config
--                        a graceful restart puts in (the modules)
--                phase:  "" or "revoke" (then follows the revocation's
--                        files) or "reload" (the graceful restart's)
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
--                  reloading from just before the config changes (the modules)
--                  reloaded  from when no child of the old config is left
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
-- must be refused; in between, either. The graceful restart's change is
-- judged the same way with `reloading` and `reloaded`: the old config's
-- answer, the new one's, in between either (never neither).
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
-- With the modules' graceful restart (reload) "canary-reload", a user's session
-- treated as refused by the new config on a path it does not change (each
-- allow after `reloaded` must be caught).
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
--   LOAD reload <before> <window-old> <window-new> <after> <canary-reload> <caught>
--                                the answers of the cases the graceful
--                                restart changes, by phase, and its canary
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

-- What done() reads of each thread (thread:get) must be numbers and strings:
-- wrk 4.1.0 pops one value too many off the thread's Lua stack after copying
-- a table (script_copy_value pops the table it copied, then script_thread_get
-- pops again), so the stack drops below its base and what is copied next is
-- written outside it: a heap corruption that now and then crashed wrk at the
-- end of a run (exit 139), and at once for a table of tables. So each counter
-- of each case is a global of its own ("n_<counter>_<case>"), and the event
-- buckets and the samples are strings.
COUNTERS = { "answered", "wrong", "leaks", "s5", "lostc" }
EV_SCALE = { ev5xx = 10, evlost = 10, evok = 100 } -- bucket size, ms
SAMPLE_SEP = "\30"
key, evkey = {}, {}

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
            if #f ~= 12 and #f ~= 13 then
                error("bad case line (" .. #f .. " fields): " .. line)
            end
            list[#list + 1] = {
                name = f[1], path = f[2], accept = f[3], cookie = f[4],
                expect = f[5], arg = f[6], valid = f[7] == "1",
                canary = f[8] ~= "" and f[8] or nil, weight = tonumber(f[9]),
                store = f[10], after = f[11] ~= "" and f[11] or nil, after_arg = f[12],
                reload = f[13] == "reload",
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
        f_reloading, f_reloaded = flags .. "/reloading", flags .. "/reloaded"
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

    for _, counter in ipairs(COUNTERS) do
        key[counter] = {}
        for i = 1, #cases do
            key[counter][i] = "n_" .. counter .. "_" .. i
            _G[key[counter][i]] = 0
        end
    end
    for kind in pairs(EV_SCALE) do
        evkey[kind] = { b = "evb_" .. kind, n = "evn_" .. kind, log = "evlog_" .. kind }
        _G["evb_" .. kind], _G["evn_" .. kind], _G["evlog_" .. kind] = 0, 0, ""
    end
    samples, samples_n = "", 0
    canary_n, canary_caught, canary_leak_n, canary_leak_caught = 0, 0, 0, 0
    -- database sessions (LOAD db line)
    down_n, down_503, down_other, up_503 = 0, 0, 0, 0
    rev_allowed, rev_win_allowed, rev_win_refused, rev_refused = 0, 0, 0, 0
    canary_rev_n, canary_rev_caught, canary_down_n, canary_down_caught = 0, 0, 0, 0
    canary_down_i, down_seq = nil, 0
    -- the graceful restart (LOAD reload line)
    rel_before, rel_win_old, rel_win_new, rel_after, canary_rel_n, canary_rel_caught = 0, 0, 0, 0, 0, 0
    for i, c in ipairs(cases) do
        if c.canary == "down" then canary_down_i = i end
    end
    pending = false
    verify_call = (tid == 1)
end

local function count(counter, i)
    local k = key[counter][i]
    _G[k] = _G[k] + 1
end

-- One event of KIND (ev5xx, evlost, evok) now: counted in its time bucket;
-- a finished bucket goes to the kind's log string as "bucket count\n".
local function event(kind)
    local k = evkey[kind]
    local b = floor(now_ms() / EV_SCALE[kind])
    if _G[k.b] == b then
        _G[k.n] = _G[k.n] + 1
        return
    end
    if _G[k.n] > 0 then _G[k.log] = _G[k.log] .. _G[k.b] .. " " .. _G[k.n] .. "\n" end
    _G[k.b], _G[k.n] = b, 1
end

local function sample(text)
    if samples_n < 5 then
        samples_n = samples_n + 1
        samples = samples .. text .. SAMPLE_SEP
    end
end

local function exists(path)
    return ffi.C.access(path, 0) == 0
end

function request()
    if pending then
        if verify_call then
            verify_call = false -- wrk's own check call, never sent
        else
            count("lostc", cur)
            event("evlost")
        end
    end
    pos = pos % #seq + 1
    cur = seq[pos]
    if flags then
        -- what the request is sent into (see the top)
        sent_down, sent_back, sent_revoked = exists(f_down), exists(f_back), exists(f_revoked)
        sent_reloaded = exists(f_reloaded)
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
    count("wrong", i)
    sample(string.format("WRONG %s%s: %d Location=%q body=%q", c.name, why, status,
        tostring(header(headers, "Location")), body:sub(1, 80)))
end

function response(status, headers, body)
    if not pending then return end -- cannot happen with one connection a thread
    pending = false
    local i = cur
    local c = cases[i]
    count("answered", i)
    local recv_down, recv_revoking, recv_fault_seen = false, false, false
    if flags then
        recv_down, recv_revoking = exists(f_down), exists(f_revoking)
        recv_fault_seen = exists(f_fault) or exists(f_back)
        if c.reload then -- the graceful restart's files stand for the revocation's
            recv_revoking = exists(f_reloading)
        end
    end
    -- its row was gone (its path under the new config) before it was sent
    local revoked = c.after ~= nil and (c.reload and sent_reloaded or not c.reload and sent_revoked)

    -- the most important check: guarded content without a valid token
    local has_marker = body:find(marker, 1, true) ~= nil
    if c.canary == "leak" then
        canary_leak_n = canary_leak_n + 1
        if has_marker and not c.valid then canary_leak_caught = canary_leak_caught + 1 end
    elseif has_marker and (not c.valid or (revoked and c.canary ~= "revoke" and c.canary ~= "reload")) then
        count("leaks", i)
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
                count("s5", i)
                event("ev5xx")
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
        count("s5", i)
        event("ev5xx")
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
        if c.canary == "revoke" or c.canary == "reload" then
            -- its row is still there (its path unchanged): every allow must be caught
            if c.canary == "revoke" then
                canary_rev_n = canary_rev_n + 1
                if not ok then canary_rev_caught = canary_rev_caught + 1 end
            else
                canary_rel_n = canary_rel_n + 1
                if not ok then canary_rel_caught = canary_rel_caught + 1 end
            end
            return
        end
        if ok and c.reload then rel_after = rel_after + 1
        elseif ok then rev_refused = rev_refused + 1 end
    elseif not recv_revoking then -- the row was there throughout: allowed
        ok = meets(e, arg, status, headers, body, has_marker)
        if ok and c.reload then rel_before = rel_before + 1
        elseif ok then rev_allowed = rev_allowed + 1 end
    else -- during the DELETE (the restart): either, each exactly
        if meets(e, arg, status, headers, body, has_marker) then
            ok = true
            if c.reload then rel_win_old = rel_win_old + 1 else rev_win_allowed = rev_win_allowed + 1 end
        elseif meets(c.after, c.after_arg, status, headers, body, has_marker) then
            ok = true
            e = c.after
            if c.reload then rel_win_new = rel_win_new + 1 else rev_win_refused = rev_win_refused + 1 end
        else
            ok = false
        end
    end
    if ok and e == "allow" then event("evok") end

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
    local rel_names = { "rel_before", "rel_win_old", "rel_win_new", "rel_after", "canary_rel_n",
        "canary_rel_caught" }
    local rel = {}
    for k = 1, #rel_names do rel[k] = 0 end
    local out = {}
    -- only numbers and strings cross (see the top): the case names come from
    -- the file again, each counter by its own name
    for i, c in ipairs(load_cases(os.getenv("LOAD_CASES"))) do
        names[i] = c.name
        tot[i] = { 0, 0, 0, 0, 0 }
    end
    local function add_event(kind, b, n)
        local ms = b * EV_SCALE[kind]
        ev[kind][ms] = (ev[kind][ms] or 0) + n
    end
    for _, t in ipairs(threads) do
        for i = 1, #names do
            for k, counter in ipairs(COUNTERS) do
                tot[i][k] = tot[i][k] + t:get("n_" .. counter .. "_" .. i)
            end
        end
        for kind in pairs(EV_SCALE) do
            for b, n in t:get("evlog_" .. kind):gmatch("(%d+) (%d+)\n") do
                add_event(kind, tonumber(b), tonumber(n))
            end
            local n = t:get("evn_" .. kind)
            if n > 0 then add_event(kind, t:get("evb_" .. kind), n) end
        end
        can[1] = can[1] + t:get("canary_n")
        can[2] = can[2] + t:get("canary_caught")
        can[3] = can[3] + t:get("canary_leak_n")
        can[4] = can[4] + t:get("canary_leak_caught")
        for k, name in ipairs(db_names) do db[k] = db[k] + t:get(name) end
        for k, name in ipairs(rel_names) do rel[k] = rel[k] + t:get(name) end
        for s in t:get("samples"):gmatch("([^" .. SAMPLE_SEP .. "]+)" .. SAMPLE_SEP) do
            out[#out + 1] = "LOAD sample " .. s
        end
    end
    for i = 1, #names do lost_total = lost_total + tot[i][5] end
    local e = summary.errors
    print(string.format("LOAD total %d %d %d %d %d", summary.requests, lost_total, e.timeout,
        e.connect + e.read + e.write, summary.duration))
    for i = 1, #names do
        print(string.format("LOAD case %s %d %d %d %d %d", names[i], tot[i][1], tot[i][2],
            tot[i][3], tot[i][4], tot[i][5]))
    end
    print(string.format("LOAD canary %d %d %d %d", can[1], can[2], can[3], can[4]))
    print("LOAD db " .. table.concat(db, " "))
    print("LOAD reload " .. table.concat(rel, " "))
    for key, t in pairs(ev) do
        for ms, n in pairs(t) do
            print(string.format("LOAD %s %.0f %d", key, ms, n))
        end
    end
    for _, s in ipairs(out) do print(s) end
    print(string.format("LOAD latency %.1f %.1f %.1f", latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000))
end
