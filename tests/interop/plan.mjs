// SPDX-License-Identifier: MIT
// Phase 1 of the interop suite: make tokens with the REAL libraries and write
// the list of bin/nextauth-token invocations to run, each with what the real
// library says the answer must be.
//
//   node tests/interop/plan.mjs WORKDIR
//
// Environment: NEXTAUTH_INTEROP_MODULES (see libs.mjs), NEXTAUTH_INTEROP_SECRET
// (the run's random secret).  Writes, for run.sh and verify.mjs:
//   WORKDIR/plan.json          { secret, other, cases: [{ id, desc, check }] }
//   WORKDIR/cases/ID.argv      the CLI arguments, NUL-separated
//   WORKDIR/cases/ID.stdin     standard input for the CLI (when the case has one)
//
// A case's `check.type` tells verify.mjs how to judge the CLI's answer:
//   v4-token / v5-token / jws-token   the CLI encoded; the real library must accept it
//   claims                            the CLI decoded; output must equal `check.expect`
//   reject                            the CLI must refuse (exit 1, one stderr line)

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { v4, v4Cookie, v5, v5Cookie, jsonwebtoken, cookie, jose, hkdf } from "./libs.mjs";

const workdir = process.argv[2];
const S = process.env.NEXTAUTH_INTEROP_SECRET;
if (!workdir || !S) {
  console.error("usage: NEXTAUTH_INTEROP_SECRET=... node plan.mjs WORKDIR");
  process.exit(2);
}
// A second random secret, for "wrong secret" and rotation cases.
const OTHER = randomBytes(32).toString("base64");
// A secret that is not ASCII: the key is derived from its UTF-8 bytes (docs/behaviour.md, Secrets).
const UNICODE_SECRET = "sécret-ünïcødé-🔑-" + randomBytes(8).toString("hex");

const V4_COOKIE = "next-auth.session-token";
const V4_SECURE_COOKIE = "__Secure-next-auth.session-token";
const V5_COOKIE = "authjs.session-token";
const V5_SECURE_COOKIE = "__Secure-authjs.session-token";
const nowSec = () => Math.floor(Date.now() / 1000);

// ---- claim sets -------------------------------------------------------------

const BASIC = {
  name: "Alice",
  email: "alice@example.com",
  picture: null,
  sub: "user-1",
  role: "admin",
};

// Non-ASCII text (2-, 3- and 4-byte UTF-8), escapes, nesting and number forms.
const UNICODE = {
  name: "Zoë Ünïcødé 😀",
  email: "zoë@exämple.com",
  picture: "https://example.com/a/b.png?x=1&y=</script>",
  sub: "użytkownik-2",
  groups: ["管理者", "éditeurs", "🔐"],
  note: 'quote" backslash\\ slash/ newline\n tab\t ctrl\u0001 sep\u2028 end',
  nested: { deep: { list: [1, -2, 3.5, 0.1, true, false, null, ""] }, empty: {}, none: [] },
  big: 9007199254740991,
};

// Big enough that the token needs several cookies (4 of 3933 characters in v4).
const LARGE = { ...BASIC, blob: "0123456789abcdefghij".repeat(450) };

// ---- writing cases ----------------------------------------------------------

const cases = [];
mkdirSync(join(workdir, "cases"), { recursive: true });

// One CLI invocation: argv after the program name, optional stdin, and the check.
function cli(slug, desc, argv, check, stdin) {
  const id = String(cases.length + 1).padStart(3, "0") + "-" + slug;
  writeFileSync(join(workdir, "cases", id + ".argv"), argv.map((a) => a + "\0").join(""));
  if (stdin !== undefined) writeFileSync(join(workdir, "cases", id + ".stdin"), stdin);
  cases.push({ id, desc, check });
}

// What the real v4 getToken returns for this Cookie / Authorization header,
// given a fake Pages-router request (v4 reads the parsed req.cookies object).
async function realV4GetToken({ cookieHeader = "", authorization, secure = false, cookieName }) {
  const headers = { cookie: cookieHeader };
  if (authorization !== undefined) headers.authorization = authorization;
  const req = { headers, cookies: cookie.parse(cookieHeader) };
  return v4.getToken({ req, secret: S, secureCookie: secure, cookieName, logger: quietLogger });
}

// The same for @auth/core, which parses the Cookie header itself.
async function realV5GetToken({ cookieHeader = "", secure = false }) {
  return v5.getToken({ req: { headers: { cookie: cookieHeader } }, secret: S, secureCookie: secure, logger: quietLogger });
}

const quietLogger = { debug() {}, warn() {}, error() {} };

// A Cookie header holding `token` under `name`, split exactly as the real
// library writes it (SessionStore.chunk), between two unrelated cookies.
function chunkedHeader(Store, name, token, { reverse = false } = {}) {
  const store = new Store.SessionStore({ name, options: {} }, {}, quietLogger);
  const pieces = store.chunk(token, {}).map((c) => `${c.name}=${c.value}`);
  if (reverse) pieces.reverse();
  return { header: ["theme=dark", ...pieces, "csrf=abc%20def"].join("; "), count: pieces.length };
}

// Expectation for a CLI decode/get: the real library's answer (null = refuse).
const expectFrom = (claims) => (claims === null ? { type: "reject" } : { type: "claims", expect: claims });

// ---- a. CLI -> next-auth v4 (judged in verify.mjs) --------------------------

const v4enc = ["encode", "--format", "next-auth-v4", "--secret", S];
cli("cli-v4-basic", "CLI v4 token (basic claims) is accepted by next-auth decode",
  [...v4enc, JSON.stringify(BASIC)],
  { type: "v4-token", claims: BASIC, maxAge: 2592000, getToken: true, tamper: true });
cli("cli-v4-unicode", "CLI v4 token (unicode claims) is accepted by next-auth decode",
  [...v4enc, JSON.stringify(UNICODE)],
  { type: "v4-token", claims: UNICODE, maxAge: 2592000, getToken: true });
cli("cli-v4-maxage", "CLI v4 token with --max-age 60 is accepted by next-auth decode",
  [...v4enc, "--max-age", "60", JSON.stringify(BASIC)],
  { type: "v4-token", claims: BASIC, maxAge: 60 });
cli("cli-v4-now", "CLI v4 token with --now 2000000000 --max-age 100 has iat/exp from --now",
  [...v4enc, "--now", "2000000000", "--max-age", "100", JSON.stringify(BASIC)],
  { type: "v4-token", claims: BASIC, maxAge: 100, iat: 2000000000 });
cli("cli-v4-default-stdin", "CLI token with default format, claims on stdin, is a next-auth v4 token",
  ["encode", "--secret", S, "-"],
  { type: "v4-token", claims: UNICODE, maxAge: 2592000 }, JSON.stringify(UNICODE));
cli("cli-v4-unicode-secret", "CLI v4 token made with a non-ASCII secret is accepted by next-auth decode",
  ["encode", "--format", "next-auth-v4", "--secret", UNICODE_SECRET, JSON.stringify(BASIC)],
  { type: "v4-token", claims: BASIC, maxAge: 2592000, secret: UNICODE_SECRET });
cli("cli-v4-large", "CLI v4 token with a 9000-char claim, chunked by next-auth, is read by getToken",
  [...v4enc, "-"],
  { type: "v4-token", claims: LARGE, maxAge: 2592000, getToken: true, chunked: true }, JSON.stringify(LARGE));

// ---- b. next-auth v4 -> CLI -------------------------------------------------

const v4dec = ["decode", "--format", "next-auth-v4", "--secret", S];
for (const [slug, claims] of [["basic", BASIC], ["unicode", UNICODE]]) {
  const tok = await v4.encode({ token: claims, secret: S });
  cli(`v4-cli-${slug}`, `next-auth v4 token (${slug} claims) is decoded by the CLI`,
    [...v4dec, tok], expectFrom(await v4.decode({ token: tok, secret: S })));
}
{
  const tok = await v4.encode({ token: UNICODE, secret: S });
  cli("v4-cli-stdin-default", "next-auth v4 token on stdin, default format, is decoded by the CLI",
    ["decode", "--secret", S, "-"], expectFrom(await v4.decode({ token: tok, secret: S })), tok + "\n");
}
{
  const tok = await v4.encode({ token: BASIC, secret: UNICODE_SECRET, maxAge: 60 });
  cli("v4-cli-unicode-secret", "next-auth v4 token (non-ASCII secret, maxAge 60) is decoded by the CLI",
    ["decode", "--format", "next-auth-v4", "--secret", UNICODE_SECRET, tok],
    expectFrom(await v4.decode({ token: tok, secret: UNICODE_SECRET })));
}

// getToken: the expectation is whatever the real getToken returns for the same headers.
const v4get = ["get", "--format", "next-auth-v4", "--secret", S];
{
  const tok = await v4.encode({ token: BASIC, secret: S });
  const header = `a=1; ${V4_COOKIE}=${tok}; b=2`;
  cli("v4-get-cookie", "CLI get reads a next-auth v4 session cookie as getToken does",
    [...v4get, "--cookie", header], expectFrom(await realV4GetToken({ cookieHeader: header })));

  const bearer = `Bearer ${tok}`;
  cli("v4-get-bearer", "CLI get reads an Authorization: Bearer next-auth v4 token as getToken does",
    [...v4get, "--authorization", bearer], expectFrom(await realV4GetToken({ authorization: bearer })));

  const custom = `my.session=${tok}`;
  cli("v4-get-cookie-name", "CLI get --cookie-name reads a custom cookie name as getToken does",
    [...v4get, "--cookie-name", "my.session", "--cookie", custom],
    expectFrom(await realV4GetToken({ cookieHeader: custom, cookieName: "my.session" })));

  // A present (stray) chunk is joined to the plain cookie by the real library,
  // which makes the token invalid (docs/behaviour.md, Chunks): both must refuse.
  const stray = `${V4_COOKIE}=${tok}; ${V4_COOKIE}.1=abc`;
  cli("v4-get-stray-chunk", "CLI get refuses a plain cookie plus a stray .1 chunk, as getToken does",
    [...v4get, "--cookie", stray], expectFrom(await realV4GetToken({ cookieHeader: stray })));
}
{
  const tok = await v4.encode({ token: UNICODE, secret: S });
  const header = `${V4_SECURE_COOKIE}=${tok}`;
  cli("v4-get-secure", "CLI get --secure reads __Secure-next-auth.session-token as getToken does",
    [...v4get, "--secure", "--cookie", header],
    expectFrom(await realV4GetToken({ cookieHeader: header, secure: true })));
}
{
  const tok = await v4.encode({ token: LARGE, secret: S });
  const { header, count } = chunkedHeader(v4Cookie, V4_COOKIE, tok);
  const expect = expectFrom(await realV4GetToken({ cookieHeader: header }));
  cli("v4-get-chunked", `CLI get joins ${count} next-auth v4 chunk cookies (9000-char claim)`,
    [...v4get, "--cookie", header], expect);
  cli("v4-get-chunked-stdin", `CLI get --cookie - joins ${count} chunk cookies read from stdin`,
    [...v4get, "--cookie", "-"], expect, header + "\n");
  const rev = chunkedHeader(v4Cookie, V4_COOKIE, tok, { reverse: true });
  cli("v4-get-chunked-reversed", "CLI get joins chunk cookies sent in reverse order, as getToken does",
    [...v4get, "--cookie", rev.header], expectFrom(await realV4GetToken({ cookieHeader: rev.header })));
}
{
  // Expiry with a fixed clock: valid while exp > now - 15 (docs/behaviour.md, Time rules).
  const tok = await v4.encode({ token: BASIC, secret: S, maxAge: 0 });
  const claims = await v4.decode({ token: tok, secret: S });
  cli("v4-cli-now-inside", "CLI decode --now exp+14 accepts a next-auth v4 token (15 s tolerance)",
    [...v4dec, "--now", String(claims.exp + 14), tok], expectFrom(claims));
  cli("v4-cli-now-outside", "CLI decode --now exp+15 refuses a next-auth v4 token (15 s tolerance)",
    [...v4dec, "--now", String(claims.exp + 15), tok], { type: "reject" });
}

// ---- c. CLI -> @auth/core (judged in verify.mjs) ----------------------------

const v5enc = ["encode", "--format", "authjs-v5", "--secret", S];
cli("cli-v5-basic", "CLI v5 token (basic claims) is accepted by @auth/core decode",
  [...v5enc, JSON.stringify(BASIC)],
  { type: "v5-token", claims: BASIC, maxAge: 2592000, salt: V5_COOKIE, getToken: true });
cli("cli-v5-unicode", "CLI v5 token (unicode claims, --max-age 60) is accepted by @auth/core decode",
  [...v5enc, "--max-age", "60", JSON.stringify(UNICODE)],
  { type: "v5-token", claims: UNICODE, maxAge: 60, salt: V5_COOKIE });
cli("cli-v5-secure-salt", "CLI v5 token with --salt __Secure-authjs.session-token is accepted by @auth/core",
  [...v5enc, "--salt", V5_SECURE_COOKIE, JSON.stringify(BASIC)],
  { type: "v5-token", claims: BASIC, maxAge: 2592000, salt: V5_SECURE_COOKIE, getToken: true });

// ---- d. @auth/core -> CLI ---------------------------------------------------

const v5dec = ["decode", "--format", "authjs-v5", "--secret", S];
{
  const tok = await v5.encode({ token: BASIC, secret: S, salt: V5_COOKIE });
  cli("v5-cli-basic", "@auth/core token (basic claims) is decoded by the CLI (default salt)",
    [...v5dec, tok], expectFrom(await v5.decode({ token: tok, secret: S, salt: V5_COOKIE })));
}
{
  const tok = await v5.encode({ token: UNICODE, secret: S, salt: V5_COOKIE });
  cli("v5-cli-unicode", "@auth/core token (unicode claims) is decoded by the CLI (--salt authjs.session-token)",
    [...v5dec, "--salt", V5_COOKIE, tok], expectFrom(await v5.decode({ token: tok, secret: S, salt: V5_COOKIE })));
}
{
  const tok = await v5.encode({ token: BASIC, secret: S, salt: V5_SECURE_COOKIE });
  cli("v5-cli-secure-salt", "@auth/core token (salt __Secure-authjs.session-token) is decoded by the CLI",
    [...v5dec, "--salt", V5_SECURE_COOKIE, tok],
    expectFrom(await v5.decode({ token: tok, secret: S, salt: V5_SECURE_COOKIE })));
  cli("v5-cli-wrong-salt", "CLI refuses a __Secure-salted @auth/core token decoded with the default salt",
    [...v5dec, tok], { type: "reject" });
  const header = `${V5_SECURE_COOKIE}=${tok}`;
  cli("v5-get-secure", "CLI get --secure reads __Secure-authjs.session-token as @auth/core getToken does",
    ["get", "--format", "authjs-v5", "--secret", S, "--secure", "--cookie", header],
    expectFrom(await realV5GetToken({ cookieHeader: header, secure: true })));
}
{
  // Rotation: a token encoded under `secret: [S, OTHER]` uses S (kid of S).
  const tok = await v5.encode({ token: BASIC, secret: [S, OTHER], salt: V5_COOKIE });
  cli("v5-cli-rotation-first", "@auth/core token from secret list [S, other] is decoded by the CLI with S",
    [...v5dec, tok], expectFrom(await v5.decode({ token: tok, secret: S, salt: V5_COOKIE })));
  // ...and one encoded with [OTHER, S] carries OTHER's kid: S must not open it.
  const tok2 = await v5.encode({ token: BASIC, secret: [OTHER, S], salt: V5_COOKIE });
  cli("v5-cli-rotation-other", "CLI refuses an @auth/core token whose kid is another secret's",
    [...v5dec, tok2], { type: "reject" });
}
{
  // @auth/core decode also accepts kid-less A256GCM (32-byte key;
  // docs/behaviour.md, Auth.js v5 tokens), which it never encodes: build one
  // with jose and the same HKDF inputs.
  const key = await hkdf("sha256", S, V5_COOKIE, `Auth.js Generated Encryption Key (${V5_COOKIE})`, 32);
  const tok = await new jose.EncryptJWT({ ...BASIC })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(nowSec() + 3600)
    .setJti(crypto.randomUUID())
    .encrypt(key);
  cli("v5-cli-a256gcm", "kid-less A256GCM token that @auth/core accepts is decoded by the CLI",
    [...v5dec, tok], expectFrom(await v5.decode({ token: tok, secret: S, salt: V5_COOKIE })));
}
{
  const tok = await v5.encode({ token: UNICODE, secret: S, salt: V5_COOKIE });
  const header = `x=y; ${V5_COOKIE}=${tok}`;
  cli("v5-get-cookie", "CLI get reads an authjs.session-token cookie as @auth/core getToken does",
    ["get", "--format", "authjs-v5", "--secret", S, "--cookie", header],
    expectFrom(await realV5GetToken({ cookieHeader: header })));
}
{
  const tok = await v5.encode({ token: LARGE, secret: S, salt: V5_COOKIE });
  const { header, count } = chunkedHeader(v5Cookie, V5_COOKIE, tok, { reverse: true });
  cli("v5-get-chunked", `CLI get joins ${count} @auth/core chunk cookies (3936 chars, reverse order)`,
    ["get", "--format", "authjs-v5", "--secret", S, "--cookie", "-"],
    expectFrom(await realV5GetToken({ cookieHeader: header })), header);
}

// ---- e. jws: jsonwebtoken <-> CLI ------------------------------------------

cli("cli-jws-basic", "CLI jws token (basic claims) is verified by jsonwebtoken (HS256)",
  ["encode", "--format", "jws", "--secret", S, JSON.stringify(BASIC)],
  { type: "jws-token", claims: BASIC });
cli("cli-jws-unicode", "CLI jws token (unicode claims) is verified by jsonwebtoken (HS256)",
  ["encode", "--format", "jws", "--secret", S, JSON.stringify(UNICODE)],
  { type: "jws-token", claims: UNICODE });

const jwsdec = ["decode", "--format", "jws", "--secret", S];
for (const [slug, claims] of [["basic", BASIC], ["unicode", UNICODE]]) {
  const tok = jsonwebtoken.sign({ ...claims, exp: nowSec() + 3600 }, S);
  cli(`jws-cli-${slug}`, `jsonwebtoken.sign token (${slug} claims) is decoded by the CLI`,
    [...jwsdec, tok], expectFrom(jsonwebtoken.verify(tok, S, { algorithms: ["HS256"] })));
}
{
  const other = jsonwebtoken.sign({ ...BASIC, exp: nowSec() + 3600 }, OTHER);
  cli("jws-cli-other-secret", "CLI refuses a jsonwebtoken token signed with another secret",
    [...jwsdec, other], { type: "reject" });
  const expired = jsonwebtoken.sign({ ...BASIC, exp: nowSec() - 3600 }, S);
  cli("jws-cli-expired", "CLI refuses an expired jsonwebtoken token",
    [...jwsdec, expired], { type: "reject" });
  // alg "none": header and payload of a real token, no signature.
  const [, payload] = jsonwebtoken.sign({ ...BASIC, exp: nowSec() + 3600 }, S).split(".");
  const none = Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url") + "." + payload + ".";
  cli("jws-cli-alg-none", "CLI refuses an unsigned (alg none) token",
    [...jwsdec, none], { type: "reject" });
}

// ---- f. negatives: next-auth v4 -> CLI --------------------------------------

{
  const tok = await v4.encode({ token: BASIC, secret: OTHER });
  cli("v4-cli-other-secret", "CLI refuses a next-auth v4 token made with another secret",
    [...v4dec, tok], { type: "reject" });

  const good = await v4.encode({ token: BASIC, secret: S });
  const parts = good.split(".");
  const ct = parts[3];
  const mid = ct.length >> 1;
  parts[3] = ct.slice(0, mid) + (ct[mid] === "A" ? "B" : "A") + ct.slice(mid + 1);
  cli("v4-cli-tampered", "CLI refuses a next-auth v4 token with one ciphertext char changed",
    [...v4dec, parts.join(".")], { type: "reject" });

  const expired = await v4.encode({ token: BASIC, secret: S, maxAge: -60 });
  cli("v4-cli-expired", "CLI refuses an expired next-auth v4 token (maxAge -60)",
    [...v4dec, expired], { type: "reject" });

  cli("v4-cli-as-v5", "CLI --format authjs-v5 refuses a next-auth v4 token (as @auth/core does)",
    [...v5dec, good], { type: "reject" });
  const v5tok = await v5.encode({ token: BASIC, secret: S, salt: V5_COOKIE });
  cli("v5-cli-as-v4", "CLI --format next-auth-v4 refuses an @auth/core token (as next-auth v4 does)",
    [...v4dec, v5tok], { type: "reject" });

  const noSession = "theme=dark; next-auth.csrf-token=abc";
  cli("v4-get-no-cookie", "CLI get with no session cookie refuses (getToken returns null)",
    [...v4get, "--cookie", noSession], expectFrom(await realV4GetToken({ cookieHeader: noSession })));
}

writeFileSync(join(workdir, "plan.json"), JSON.stringify({ secret: S, other: OTHER, cases }, null, 1));
