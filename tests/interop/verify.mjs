// SPDX-License-Identifier: MIT
// Phase 3 of the interop suite: judge what bin/nextauth-token did for each
// case of plan.json, using the REAL libraries for every token the CLI made.
//
//   node tests/interop/verify.mjs WORKDIR
//
// Reads WORKDIR/plan.json and, per case, the files run.sh left:
//   cases/ID.out, ID.err, ID.rc   the CLI's stdout, stderr and exit status
//   cases/ID.t0, ID.t1            the clock (unix seconds) before and after it ran
// and WORKDIR/secret.{1,2}.{out,err,rc} from two runs of `nextauth-token secret`.
//
// Prints one line per check, "ok - DESC" or "not ok - DESC", each failure
// followed by "#   ..." diagnostic lines; run.sh numbers and counts them.
// Exits 0 whenever it got through all cases (failures are in the output).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { v4, v4Cookie, v5, jsonwebtoken, cookie, versions, EXPECTED_VERSIONS } from "./libs.mjs";

const workdir = process.argv[2];
const plan = JSON.parse(readFileSync(join(workdir, "plan.json"), "utf8"));
const S = plan.secret;
const OTHER = plan.other;
const quietLogger = { debug() {}, warn() {}, error() {} };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISSUED = ["iat", "exp", "jti"]; // claims encode adds (docs/behaviour.md, Encoding a token)

// ---- reporting --------------------------------------------------------------

function report(pass, desc, details = []) {
  console.log(`${pass ? "ok" : "not ok"} - ${desc}`);
  if (!pass) for (const d of details) for (const l of String(d).split("\n")) console.log(`#   ${l}`);
}

// Runs `fn` (which returns a list of problems, empty when fine) and reports it.
async function check(desc, result, fn) {
  let problems;
  try {
    problems = await fn();
  } catch (e) {
    problems = [`threw: ${e && e.message ? e.message : e}`];
  }
  report(problems.length === 0, desc, problems.length ? [...problems, ...describe(result)] : []);
}

// ---- what the CLI did -------------------------------------------------------

const read = (f) => (existsSync(f) ? readFileSync(f, "utf8") : null);

function cliResult(id) {
  const base = join(workdir, "cases", id);
  const argv = readFileSync(base + ".argv", "utf8").split("\0").slice(0, -1);
  const rc = read(base + ".rc");
  return {
    argv,
    stdin: read(base + ".stdin"),
    rc: rc === null ? null : Number(rc),
    out: read(base + ".out") ?? "",
    err: read(base + ".err") ?? "",
    t0: Number(read(base + ".t0")),
    t1: Number(read(base + ".t1")),
  };
}

// A short, secret-free rendering of an argument (tokens and headers are long).
function shorten(s) {
  s = s.split(S).join("$SECRET").split(OTHER).join("$OTHER");
  return s.length > 72 ? `${s.slice(0, 40)}...(${s.length} chars)` : s;
}

function describe(r) {
  if (!r) return [];
  const lines = [`command: nextauth-token ${r.argv.map((a) => JSON.stringify(shorten(a))).join(" ")}`];
  if (r.stdin !== null) lines.push(`stdin: ${JSON.stringify(shorten(r.stdin))}`);
  lines.push(`exit: ${r.rc === null ? "(not run)" : r.rc}`);
  lines.push(`stdout: ${JSON.stringify(shorten(r.out))}`);
  lines.push(`stderr: ${JSON.stringify(shorten(r.err))}`);
  return lines;
}

// The token the CLI printed (one line), or a problem.
function tokenOf(r, segments) {
  if (r.rc !== 0) return { problem: `expected exit 0, got ${r.rc}` };
  const lines = r.out.split("\n");
  if (lines.length !== 2 || lines[1] !== "") return { problem: "stdout is not exactly one line" };
  const tok = lines[0];
  if (tok.split(".").length !== segments) return { problem: `token does not have ${segments} segments` };
  return { tok };
}

// True when `s` has a whitespace character outside JSON string literals.
function spacedJson(s) {
  let inString = false;
  let escaped = false;
  for (const ch of s) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (/\s/.test(ch)) return true;
  }
  return false;
}

// ---- claim checks -----------------------------------------------------------

const show = (v) => JSON.stringify(v);

// Claims in a token the CLI encoded: exactly the input claims plus fresh
// iat/exp/jti (docs/behaviour.md, Encoding a token): iat = now (or --now),
// exp = iat + maxAge (+1 at a second boundary), jti a lowercase UUID v4.
function issuedProblems(decoded, c, r) {
  if (decoded === null || typeof decoded !== "object") return [`the library returned ${show(decoded)}`];
  const p = [];
  for (const [k, v] of Object.entries(c.claims)) {
    if (!isDeepStrictEqual(decoded[k], v)) p.push(`claim ${k}: got ${show(decoded[k])}, want ${show(v)}`);
  }
  for (const k of Object.keys(decoded)) {
    if (!(k in c.claims) && !ISSUED.includes(k)) p.push(`unexpected claim ${k}: ${show(decoded[k])}`);
  }
  const { iat, exp, jti } = decoded;
  if (!Number.isInteger(iat)) p.push(`iat is not an integer: ${show(iat)}`);
  else if (c.iat !== undefined && iat !== c.iat) p.push(`iat ${iat}, want ${c.iat} (from --now)`);
  else if (c.iat === undefined && (iat < r.t0 - 2 || iat > r.t1 + 2)) {
    p.push(`iat ${iat} is not the time of the run (${r.t0}..${r.t1}, +-2 s)`);
  }
  if (!Number.isInteger(exp) || (exp - iat !== c.maxAge && exp - iat !== c.maxAge + 1)) {
    p.push(`exp ${show(exp)} is not iat + ${c.maxAge} (allowing +1)`);
  }
  if (typeof jti !== "string" || !UUID_V4.test(jti)) p.push(`jti ${show(jti)} is not a lowercase UUID v4`);
  return p;
}

// Claims of a CLI jws token: the input claims, plus at most iat/exp/jti/nbf.
function jwsProblems(decoded, c, r) {
  const p = [];
  for (const [k, v] of Object.entries(c.claims)) {
    if (!isDeepStrictEqual(decoded[k], v)) p.push(`claim ${k}: got ${show(decoded[k])}, want ${show(v)}`);
  }
  for (const k of Object.keys(decoded)) {
    if (!(k in c.claims) && ![...ISSUED, "nbf"].includes(k)) p.push(`unexpected claim ${k}: ${show(decoded[k])}`);
  }
  if ("iat" in decoded && !(Number.isInteger(decoded.iat) && decoded.iat >= r.t0 - 2 && decoded.iat <= r.t1 + 2)) {
    p.push(`iat ${show(decoded.iat)} is not the time of the run`);
  }
  if ("exp" in decoded && !(typeof decoded.exp === "number" && decoded.exp > r.t1)) {
    p.push(`exp ${show(decoded.exp)} is not in the future`);
  }
  return p;
}

// One changed base64url character in a segment (the middle one, whose 6 bits
// are all significant), so the bytes certainly differ.
function tamper(tok, segment) {
  const parts = tok.split(".");
  const s = parts[segment];
  const i = s.length >> 1;
  parts[segment] = s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  return parts.join(".");
}

// The header segment the real library writes for these inputs.
async function realV4Header(secret) {
  return (await v4.encode({ token: {}, secret })).split(".")[0];
}
async function realV5Header(secret, salt) {
  return (await v5.encode({ token: {}, secret, salt })).split(".")[0];
}

// ---- judges, one per check type ---------------------------------------------

async function judgeV4Token(c, r, desc) {
  const secret = c.secret ?? S;
  const { tok, problem } = tokenOf(r, 5);
  await check(desc, r, async () => {
    if (problem) return [problem];
    return issuedProblems(await v4.decode({ token: tok, secret }), c, r);
  });
  await check(`${desc}: header bytes equal next-auth's`, r, async () => {
    if (problem) return [problem];
    const want = await realV4Header(secret);
    const got = tok.split(".")[0];
    return got === want ? [] : [`header ${got}`, `want   ${want}`];
  });
  if (c.getToken) {
    const how = c.chunked ? "as next-auth chunk cookies" : "in a next-auth.session-token cookie";
    await check(`${desc}: next-auth getToken reads it ${how}`, r, async () => {
      if (problem) return [problem];
      let header = `next-auth.session-token=${tok}`;
      if (c.chunked) {
        const store = new v4Cookie.SessionStore({ name: "next-auth.session-token", options: {} }, {}, quietLogger);
        const chunks = store.chunk(tok, {});
        if (chunks.length < 2) return [`token of ${tok.length} chars was not chunked`];
        header = chunks.map((ch) => `${ch.name}=${ch.value}`).join("; ");
      }
      // A Pages-router-like request: v4 getToken reads the parsed req.cookies.
      const req = { headers: { cookie: header }, cookies: cookie.parse(header) };
      const got = await v4.getToken({ req, secret, logger: quietLogger });
      return got === null ? ["getToken returned null"] : issuedProblems(got, c, r);
    });
  }
  if (c.tamper) {
    await check(`${desc}: next-auth decode rejects it with one char changed (iv, ciphertext, tag)`, r, async () => {
      if (problem) return [problem];
      const p = [];
      for (const [seg, name] of [[2, "iv"], [3, "ciphertext"], [4, "tag"]]) {
        const bad = tamper(tok, seg);
        const got = await v4.decode({ token: bad, secret }).then((x) => x, () => "threw");
        if (got !== "threw") p.push(`tampered ${name}: decode returned ${show(got)}`);
      }
      return p;
    });
  }
}

async function judgeV5Token(c, r, desc) {
  const { tok, problem } = tokenOf(r, 5);
  await check(desc, r, async () => {
    if (problem) return [problem];
    return issuedProblems(await v5.decode({ token: tok, secret: S, salt: c.salt }), c, r);
  });
  await check(`${desc}: header bytes (with kid) equal @auth/core's`, r, async () => {
    if (problem) return [problem];
    const want = await realV5Header(S, c.salt);
    const got = tok.split(".")[0];
    const text = (b64) => show(Buffer.from(b64, "base64url").toString("latin1"));
    return got === want ? [] : [`header ${text(got)}`, `want   ${text(want)}`];
  });
  await check(`${desc}: @auth/core with secret [other, S] picks S by kid`, r, async () => {
    if (problem) return [problem];
    const got = await v5.decode({ token: tok, secret: [OTHER, S], salt: c.salt });
    return issuedProblems(got, c, r);
  });
  if (c.getToken) {
    await check(`${desc}: @auth/core getToken reads it from the ${c.salt} cookie`, r, async () => {
      if (problem) return [problem];
      const req = { headers: { cookie: `${c.salt}=${tok}` } };
      const secureCookie = c.salt.startsWith("__Secure-");
      const got = await v5.getToken({ req, secret: S, secureCookie, logger: quietLogger });
      return got === null ? ["getToken returned null"] : issuedProblems(got, c, r);
    });
  }
}

async function judgeJwsToken(c, r, desc) {
  const { tok, problem } = tokenOf(r, 3);
  await check(desc, r, async () => {
    if (problem) return [problem];
    const decoded = jsonwebtoken.verify(tok, S, { algorithms: ["HS256"] });
    return jwsProblems(decoded, c, r);
  });
}

// The CLI decoded: compact one-line JSON deep-equal to the real library's answer.
async function judgeClaims(c, r, desc) {
  await check(desc, r, async () => {
    if (r.rc !== 0) return [`expected exit 0, got ${r.rc}`];
    const lines = r.out.split("\n");
    if (lines.length !== 2 || lines[1] !== "") return ["stdout is not exactly one line"];
    let got;
    try {
      got = JSON.parse(lines[0]);
    } catch (e) {
      return [`stdout is not JSON: ${e.message}`];
    }
    const p = [];
    if (spacedJson(lines[0])) p.push("stdout JSON is not compact (whitespace outside strings)");
    if (!isDeepStrictEqual(got, c.expect)) p.push(`want ${shorten(show(c.expect))}`);
    return p;
  });
}

// The CLI refused: exit 1, nothing on stdout, one "nextauth-token: " stderr line.
async function judgeReject(c, r, desc) {
  await check(desc, r, async () => {
    const p = [];
    if (r.rc !== 1) p.push(`expected exit 1, got ${r.rc}`);
    if (r.out !== "") p.push("stdout is not empty");
    const lines = r.err.split("\n");
    if (!(lines.length === 2 && lines[1] === "" && lines[0].startsWith("nextauth-token: "))) {
      p.push('stderr is not one line starting "nextauth-token: "');
    }
    return p;
  });
}

// `nextauth-token secret`, run twice by run.sh: 32 random bytes, base64.
async function judgeSecret() {
  const runs = [1, 2].map((n) => ({
    argv: ["secret"],
    stdin: null,
    rc: read(join(workdir, `secret.${n}.rc`)) === null ? null : Number(read(join(workdir, `secret.${n}.rc`))),
    out: read(join(workdir, `secret.${n}.out`)) ?? "",
    err: read(join(workdir, `secret.${n}.err`)) ?? "",
  }));
  await check("CLI secret prints 32 random bytes in base64, different each run", runs[0], async () => {
    const p = [];
    const values = [];
    for (const [i, r] of runs.entries()) {
      const line = r.out.replace(/\n$/, "");
      const bytes = Buffer.from(line, "base64");
      if (r.rc !== 0) p.push(`run ${i + 1}: exit ${r.rc}`);
      else if (line.includes("\n") || bytes.length !== 32 || bytes.toString("base64") !== line) {
        p.push(`run ${i + 1}: ${show(r.out)} is not one line of base64 for 32 bytes`);
      }
      values.push(line);
    }
    if (values[0] === values[1]) p.push("both runs printed the same secret");
    return p;
  });
}

// ---- main -------------------------------------------------------------------

await check("real libraries are the versions the suite is written against", null, async () =>
  Object.entries(EXPECTED_VERSIONS)
    .filter(([name, v]) => versions[name] !== v)
    .map(([name, v]) => `${name} is ${versions[name]}, want ${v}`));

await judgeSecret();

const judges = {
  "v4-token": judgeV4Token,
  "v5-token": judgeV5Token,
  "jws-token": judgeJwsToken,
  claims: judgeClaims,
  reject: judgeReject,
};
for (const c of plan.cases) {
  const r = cliResult(c.id);
  if (r.rc === null) {
    report(false, c.desc, ["the CLI was not run for this case", ...describe(r)]);
    continue;
  }
  await judges[c.check.type](c.check, r, c.desc);
}
