// SPDX-License-Identifier: MIT
// The session endpoint against the real libraries: cookies made by the real
// next-auth / @auth/core / jsonwebtoken go through cgi-bin/nextauth-session
// (as CGI), and the tokens it re-issues must be accepted by the real libraries
// with the same claims and a fresh iat/exp/jti.
//
//   node tests/interop/session.mjs plan WORKDIR
//       writes WORKDIR/plan.json and, per case, WORKDIR/cases/ID.env (the CGI
//       environment, NUL-separated VAR=VALUE) for session.sh to run;
//   node tests/interop/session.mjs verify WORKDIR
//       reads WORKDIR/cases/ID.{out,err,rc,t0,t1} (the program's answer, its
//       stderr, exit status, and the clock in ms before/after) and prints one
//       "ok - DESC" / "not ok - DESC" line per check ("#   …" details after a
//       failure); session.sh numbers them.
// Environment: NEXTAUTH_INTEROP_MODULES (see libs.mjs), NEXTAUTH_INTEROP_SECRET.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { v4, v5, jsonwebtoken } from "./libs.mjs";

const [mode, workdir] = process.argv.slice(2);
const S = process.env.NEXTAUTH_INTEROP_SECRET;
if (!["plan", "verify"].includes(mode) || !workdir || !S) {
  console.error("usage: NEXTAUTH_INTEROP_SECRET=... node session.mjs plan|verify WORKDIR");
  process.exit(2);
}

const MAX_AGE = 2592000; // session.maxAge default (docs/behaviour.md, Constants)
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const quietLogger = { debug() {}, warn() {}, error() {} };
const nowSec = () => Math.floor(Date.now() / 1000);

const BASIC = {
  name: "Ada Lovelace",
  email: "ada@example.com",
  picture: "https://example.com/ada.png",
  sub: "user-1",
  role: "admin",
};
const UNICODE = {
  name: "Zoë Ünïcødé 😀",
  email: "zoë@exämple.com",
  picture: null,
  sub: "użytkownik-2",
  note: 'quote" backslash\\ newline\n ctrl\u0001 sep\u2028 end',
  nested: { list: [1, -2, 3.5, true, null, ""], empty: {} },
};
// Three cookies of 3933 characters in v4.
const LARGE = { ...BASIC, access_token: "0123456789abcdefghij".repeat(380) };

// ---- plan ---------------------------------------------------------------------

async function plan() {
  const cases = [];
  mkdirSync(join(workdir, "cases"), { recursive: true });
  const add = (c) => {
    c.id = String(cases.length + 1).padStart(2, "0") + "-" + c.slug;
    const env = {
      NEXTAUTH_SECRET: S,
      REQUEST_METHOD: "GET",
      HTTP_COOKIE: c.cookieHeader,
      ...(c.format !== "next-auth-v4" ? { NEXTAUTH_CONFIG: join(workdir, c.format + ".json") } : {}),
      ...(c.secure ? { NEXTAUTH_URL: "https://example.com" } : {}),
    };
    writeFileSync(
      join(workdir, "cases", c.id + ".env"),
      Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join(""),
    );
    cases.push(c);
  };
  for (const f of ["authjs-v5", "jws"]) {
    writeFileSync(join(workdir, f + ".json"), JSON.stringify({ jwt: { format: f } }) + "\n");
  }
  const split = (name, tok, size) => {
    if (tok.length <= size) return `${name}=${tok}`;
    const parts = [];
    for (let i = 0; i * size < tok.length; i++) parts.push(`${name}.${i}=${tok.slice(i * size, (i + 1) * size)}`);
    return parts.join("; ");
  };
  const iat = nowSec() - 3600; // jws only: encode() of v4/v5 sets iat itself

  // v4: next-auth encode() → the cookie the browser holds.
  for (const [slug, claims, secure] of [
    ["v4-basic", BASIC, false],
    ["v4-unicode", UNICODE, false],
    ["v4-secure", BASIC, true],
    ["v4-chunked", LARGE, false],
  ]) {
    const name = (secure ? "__Secure-" : "") + "next-auth.session-token";
    const tok = await v4.encode({ token: claims, secret: S });
    const old = await v4.decode({ token: tok, secret: S });
    add({ slug, format: "next-auth-v4", secure, name, old, oldToken: tok,
          cookieHeader: `theme=dark; ${split(name, tok, 3933)}` });
  }
  // v5: @auth/core encode() with salt = the cookie name.
  for (const [slug, claims, secure] of [
    ["v5-basic", BASIC, false],
    ["v5-unicode", UNICODE, false],
    ["v5-secure", BASIC, true],
    ["v5-chunked", LARGE, false],
  ]) {
    const name = (secure ? "__Secure-" : "") + "authjs.session-token";
    const tok = await v5.encode({ token: claims, secret: S, salt: name });
    const old = await v5.decode({ token: tok, secret: S, salt: name });
    add({ slug, format: "authjs-v5", secure, name, old, oldToken: tok,
          cookieHeader: split(name, tok, 3936) });
  }
  // jws: jsonwebtoken.sign(), the NextAuth docs' custom encode.
  {
    const name = "next-auth.session-token";
    const tok = jsonwebtoken.sign({ ...BASIC, iat, exp: iat + MAX_AGE, jti: "0a1b2c3d-0000-4000-8000-000000000000" }, S);
    const old = jsonwebtoken.verify(tok, S, { algorithms: ["HS256"] });
    add({ slug: "jws-basic", format: "jws", secure: false, name, old, oldToken: tok,
          cookieHeader: `${name}=${tok}` });
  }
  writeFileSync(join(workdir, "plan.json"), JSON.stringify({ cases }, null, 1));
}

// ---- verify -------------------------------------------------------------------

function report(pass, desc, details = []) {
  console.log(`${pass ? "ok" : "not ok"} - ${desc}`);
  if (!pass) for (const d of details) for (const l of String(d).split("\n")) console.log(`#   ${l}`);
}

const read = (f) => (existsSync(f) ? readFileSync(f, "utf8") : null);

// The CGI answer: status line, header lines, body.
function parseCgi(text) {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = text.slice(0, end).split("\r\n");
  return { status: lines[0], headers: lines.slice(1), body: text.slice(end + 4) };
}

// Real-library decode of a token for a case's format.
async function realDecode(c, token) {
  if (c.format === "next-auth-v4") return v4.decode({ token, secret: S });
  if (c.format === "authjs-v5") return v5.decode({ token, secret: S, salt: c.name });
  return jsonwebtoken.verify(token, S, { algorithms: ["HS256"] });
}

// Real-library getToken over a Cookie header (joins the chunks itself).
async function realGetToken(c, cookieHeader) {
  if (c.format === "next-auth-v4") {
    const cookies = Object.fromEntries(
      cookieHeader.split("; ").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
    );
    return v4.getToken({ req: { cookies, headers: { cookie: cookieHeader } }, secret: S,
                         secureCookie: c.secure, logger: quietLogger });
  }
  if (c.format === "authjs-v5") {
    return v5.getToken({ req: { headers: { cookie: cookieHeader } }, secret: S,
                         secureCookie: c.secure, logger: quietLogger });
  }
  return null; // jws: getToken needs the custom decode; checked with verify above
}

async function verifyCase(c) {
  const base = join(workdir, "cases", c.id);
  const out = read(base + ".out") ?? "";
  const err = read(base + ".err") ?? "";
  const rc = Number(read(base + ".rc"));
  const t0 = Math.floor(Number(read(base + ".t0")) / 1000);
  const t1 = Math.floor(Number(read(base + ".t1")) / 1000);
  const tag = `${c.id}:`;
  const r = parseCgi(out);
  const shown = [`exit ${rc}`, `stdout: ${JSON.stringify(out.slice(0, 300))}`, `stderr: ${JSON.stringify(err)}`];

  report(rc === 0 && r !== null && r.status === "Status: 200 OK" && err === "",
         `${tag} the program answers 200 and logs nothing`, shown);
  if (!r) return;

  // Body: the session of the real library's default callbacks (docs/behaviour.md, Session body).
  const user = {};
  for (const [k, claim] of [["name", "name"], ["email", "email"], ["image", "picture"]]) {
    if (claim in c.old) user[k] = c.old[claim];
  }
  let body = null;
  try { body = JSON.parse(r.body); } catch { /* reported below */ }
  report(body !== null && isDeepStrictEqual(body.user, user) && typeof body.expires === "string",
         `${tag} body is the session of the old token`, [`body: ${r.body}`, `expected user: ${JSON.stringify(user)}`]);

  // The rolled cookies, joined as a browser then sends them.
  const setLines = r.headers.filter((h) => h.startsWith("Set-Cookie: ")).map((h) => h.slice(12));
  const written = setLines.filter((l) => !l.includes("; Max-Age=0"))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1, l.indexOf(";"))]);
  const order = (n) => (n === c.name ? -1 : Number(n.slice(c.name.length + 1)));
  written.sort((a, b) => order(a[0]) - order(b[0]));
  const token = written.map(([, v]) => v).join("");
  const cookieHeader = written.map(([n, v]) => `${n}=${v}`).join("; ");
  report(written.length > 0 && written.every(([n]) => n === c.name || n.startsWith(c.name + ".")),
         `${tag} the program re-issued the ${c.name} cookie (${written.length} chunk(s))`, setLines);
  if (!written.length) return;

  // The real library decodes the re-issued token: same claims, fresh iat/exp/jti.
  let claims = null;
  let why = "";
  try { claims = await realDecode(c, token); } catch (e) { why = e.message; }
  const lib = c.format === "next-auth-v4" ? "next-auth decode()" : c.format === "authjs-v5" ? "@auth/core decode()" : "jsonwebtoken.verify()";
  report(claims !== null && typeof claims === "object", `${tag} ${lib} accepts the re-issued token`, [why]);
  if (!claims) return;
  const strip = ({ iat, exp, jti, ...rest }) => rest;
  report(isDeepStrictEqual(strip(claims), strip(c.old)), `${tag} the re-issued claims are the old ones`,
         [`got:      ${JSON.stringify(claims)}`, `expected: ${JSON.stringify(c.old)}`]);
  report(Number.isInteger(claims.iat) && claims.iat >= t0 && claims.iat <= t1 &&
         claims.exp === claims.iat + MAX_AGE,
         `${tag} iat is the time of the request, exp = iat + ${MAX_AGE}`,
         [`iat ${claims.iat} exp ${claims.exp}, request between ${t0} and ${t1}`]);
  report(typeof claims.jti === "string" && UUID_V4.test(claims.jti) && claims.jti !== c.old.jti,
         `${tag} jti is a new UUID v4`, [`jti ${claims.jti}, old ${c.old.jti}`]);
  // body.expires and the cookie's Expires are the same instant, now + maxAge.
  const expMs = Date.parse(body.expires);
  report(Math.floor(expMs / 1000) === claims.exp &&
         setLines.filter((l) => !l.includes("; Max-Age=0"))
           .every((l) => l.includes(`; Expires=${new Date(claims.exp * 1000).toUTCString()};`)),
         `${tag} body expires and cookie Expires match exp`, [`expires ${body.expires}`, ...setLines.map((l) => l.replace(/=[^;]*/, "=…"))]);
  // The real getToken reads the rolled cookies (it joins the chunks itself).
  if (c.format !== "jws") {
    let got = null;
    try { got = await realGetToken(c, cookieHeader); } catch (e) { why = e.message; }
    report(isDeepStrictEqual(got, claims), `${tag} real getToken() reads the rolled cookies`, [JSON.stringify(got)]);
  }
}

async function verify() {
  const { cases } = JSON.parse(readFileSync(join(workdir, "plan.json"), "utf8"));
  for (const c of cases) {
    try {
      await verifyCase(c);
    } catch (e) {
      report(false, `${c.id}: verification ran through`, [e && e.stack ? e.stack : String(e)]);
    }
  }
}

await (mode === "plan" ? plan() : verify());
