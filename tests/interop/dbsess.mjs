// SPDX-License-Identifier: MIT
// Database sessions against the real Node adapters: rows written by the real
// @auth/pg-adapter (PostgreSQL) and @auth/drizzle-adapter (SQLite through
// better-sqlite3) are read, extended and deleted by cgi-bin/nextauth-session
// (as CGI, clock frozen with faketime); the real next-auth 4 session route
// (next-auth/core AuthHandler with the same adapter, same frozen clock)
// answers a twin session of the same user, and both answers must be the same
// bytes; what our program wrote is read back with the adapter's own
// getSessionAndUser.
//
//   node tests/interop/dbsess.mjs WORKDIR pg|drizzle
//
// Prints one "ok - DESC" / "not ok - DESC" line per check ("#   …" details
// after a failure); dbsess.sh numbers them.
// Environment: NEXTAUTH_INTEROP_MODULES (the npm install folder's
// node_modules), NEXTAUTH_SESSION_BIN (the CGI program), for pg:
// NEXTAUTH_DBSESS_PG_HOST (socket folder), NEXTAUTH_DBSESS_PG_PORT,
// NEXTAUTH_DBSESS_PG_USER, NEXTAUTH_DBSESS_PG_DB, NEXTAUTH_DBSESS_PG_URL (the
// libpq URI the program is given); NEXTAUTH_DBSESS_CGI_TZ (TZ of the program).

import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [workdir, which] = process.argv.slice(2);
if (!workdir || !["pg", "drizzle"].includes(which)) {
  console.error("usage: node dbsess.mjs WORKDIR pg|drizzle");
  process.exit(2);
}
const env = process.env;
const modules = env.NEXTAUTH_INTEROP_MODULES;
const bin = env.NEXTAUTH_SESSION_BIN;
if (!modules || !bin) {
  console.error("NEXTAUTH_INTEROP_MODULES and NEXTAUTH_SESSION_BIN must be set (run dbsess.sh)");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = join(here, "..", "vectors", "dbsess-schema");

// Packages resolved from the install folder (ESM ignores NODE_PATH).
const requireThere = createRequire(join(modules, "..", "interop-resolver.js"));
// ESM entry points: by require's resolution, or for an import-only package
// (@auth/pg-adapter) the "import" file of its exports map.
const importThere = async (name) => {
  let file;
  try {
    file = requireThere.resolve(name);
  } catch {
    const pkg = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
    file = join(modules, name, pkg.exports["."].import);
  }
  return import(pathToFileURL(file).href);
};
// next-auth/core is not in the package's "exports" map: loaded by file path.
const coreFile = join(modules, "next-auth", "core", "index.js");
const { AuthHandler } = requireThere(coreFile);
// the cookie serializer next-auth's own Next.js glue uses (next-auth/next/utils.js)
const cookie = createRequire(coreFile)("cookie");

// next-auth v4 defaults (core/init.js): session.maxAge 30 days, updateAge 1 day.
const MAX_AGE = 2592000;
const UPDATE_AGE = 86400;
const DAY_MS = 86400000;
// The frozen clock: 2026-01-01T03:30:45Z, a whole second (faketime -f N
// freezes at N.000000000).
const NOW_S = 1767238245;
const NOW_MS = NOW_S * 1000;
const ORIGIN = "http://localhost:3000";
const COOKIE_NAME = "next-auth.session-token";
const USER = {
  name: "Ada Lovelace",
  email: `ada.${which}@example.test`,
  emailVerified: null,
  image: "https://example.test/ada.png",
};

// ---- output -----------------------------------------------------------------

let failures = 0;
function check(desc, ok, ...details) {
  console.log(`${ok ? "ok" : "not ok"} - ${which}: ${desc}`);
  if (!ok) {
    failures++;
    for (const d of details) console.log(`#   ${String(d).replace(/\n/g, "\n#   ")}`);
  }
}
const same = (desc, got, want) =>
  check(desc, got === want, `got  ${JSON.stringify(got)}`, `want ${JSON.stringify(want)}`);

// ---- the real next-auth 4 session route, clock frozen -----------------------

// Date.now() and new Date() give NOW_MS while fn runs (fromDate(maxAge) and the
// due/expired tests in next-auth/core/routes/session.js read them).
async function frozen(fn) {
  const RealDate = globalThis.Date;
  class FrozenDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(NOW_MS);
      else super(...args);
    }
    static now() {
      return NOW_MS;
    }
  }
  globalThis.Date = FrozenDate;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

// GET /api/auth/session as next-auth's Next.js route would answer it: the body
// JSON.stringify'd, cookies through cookie.serialize.
async function nextAuthSession(adapter, token) {
  process.env.NEXTAUTH_URL = ORIGIN; // read per request (utils/detect-origin.js)
  const logged = [];
  const res = await frozen(() =>
    AuthHandler({
      req: new Request(`${ORIGIN}/api/auth/session`, {
        headers: { cookie: `${COOKIE_NAME}=${token}` },
      }),
      options: {
        adapter,
        providers: [],
        secret: "dbsess-interop-secret",
        session: { strategy: "database" },
        logger: {
          debug() {},
          warn(code) {
            logged.push(`warn ${code}`);
          },
          error(code, e) {
            logged.push(`error ${code} ${e?.message ?? ""}`);
          },
        },
      },
    }),
  );
  const setCookie = (res.cookies ?? []).map((c) => cookie.serialize(c.name, c.value, c.options));
  return {
    status: res.status ?? 200,
    body: JSON.stringify(res.body),
    sessionCookies: setCookie.filter((c) => c.startsWith(`${COOKIE_NAME}=`)),
    logged,
  };
}

// ---- our program, as CGI ----------------------------------------------------

const configFile = join(workdir, `${which}.config.json`);
function ourSession(token) {
  const r = spawnSync(
    "env",
    [
      "-i",
      `PATH=${env.PATH}`,
      `TZ=${env.NEXTAUTH_DBSESS_CGI_TZ ?? "UTC"}`,
      `NEXTAUTH_CONFIG=${configFile}`,
      "REQUEST_METHOD=GET",
      `HTTP_COOKIE=${COOKIE_NAME}=${token}`,
      // libfaketime preloaded as the faketime wrapper would, without the
      // wrapper's per-pid semaphore (a stale one stops a later wrapper)
      "LD_PRELOAD=/usr/$LIB/faketime/libfaketime.so.1",
      `FAKETIME=${NOW_S}`,
      "FAKETIME_FMT=%s",
      bin,
    ],
    { stdio: ["ignore", "pipe", "pipe"], timeout: 20000 },
  );
  const out = r.stdout.toString("latin1");
  const cut = out.search(/\r?\n\r?\n/);
  const head = cut < 0 ? out : out.slice(0, cut);
  const body = cut < 0 ? "" : Buffer.from(out.slice(cut).replace(/^\r?\n\r?\n/, ""), "latin1").toString("utf8");
  const lines = head.split(/\r?\n/);
  const status = Number((lines.find((l) => /^Status: /i.test(l)) ?? "Status: 200").slice(8, 11));
  const setCookie = lines.filter((l) => /^Set-Cookie: /i.test(l)).map((l) => l.slice(12));
  return {
    rc: r.status,
    stderr: (r.stderr ?? Buffer.alloc(0)).toString(),
    status,
    body,
    sessionCookies: setCookie.filter((c) => c.startsWith(`${COOKIE_NAME}=`)),
  };
}

// ---- the adapters -------------------------------------------------------------

async function openPg() {
  const pg = requireThere("pg");
  const { default: PostgresAdapter } = await importThere("@auth/pg-adapter");
  const pool = new pg.Pool({
    host: env.NEXTAUTH_DBSESS_PG_HOST,
    port: Number(env.NEXTAUTH_DBSESS_PG_PORT),
    user: env.NEXTAUTH_DBSESS_PG_USER,
    database: env.NEXTAUTH_DBSESS_PG_DB,
    max: 2,
  });
  const client = await pool.connect();
  try {
    await client.query("SET client_min_messages = warning");
    await client.query(readFileSync(join(schemaDir, "pg-adapter.sql"), "utf8"));
  } finally {
    client.release();
  }
  return {
    adapter: PostgresAdapter(pool),
    url: env.NEXTAUTH_DBSESS_PG_URL,
    // the stored value as the database prints it (one session TimeZone)
    stored: async (token) =>
      (await pool.query(`SELECT expires::text AS e FROM sessions WHERE "sessionToken" = $1`, [token]))
        .rows.map((r) => r.e).join(","),
    close: () => pool.end(),
  };
}

async function openDrizzle() {
  const Database = requireThere("better-sqlite3");
  const { drizzle } = await importThere("drizzle-orm/better-sqlite3");
  const { DrizzleAdapter } = await importThere("@auth/drizzle-adapter");
  const file = join(workdir, "drizzle.db");
  const sqlite = new Database(file);
  sqlite.pragma("foreign_keys = ON");
  sqlite.exec(readFileSync(join(schemaDir, "drizzle-sqlite.sql"), "utf8"));
  const storedStmt = sqlite.prepare(
    "SELECT typeof(expires) || ':' || expires AS e FROM session WHERE sessionToken = ?",
  );
  return {
    adapter: DrizzleAdapter(drizzle(sqlite)),
    url: `sqlite:${file}`,
    // the stored value and its SQLite type
    stored: async (token) => storedStmt.all(token).map((r) => r.e).join(","),
    close: () => sqlite.close(),
  };
}

// ---- the round trip -------------------------------------------------------------

const iso = (ms) => new Date(ms).toISOString();
const httpDate = (ms) => new Date(ms).toUTCString();
const expiresOf = async (adapter, token) => {
  const r = await adapter.getSessionAndUser(token);
  return r ? r.session.expires.getTime() : null;
};
const withToken = (cookies, token, other) => cookies.map((c) => c.split(other).join(token));

async function main() {
  const db = which === "pg" ? await openPg() : await openDrizzle();
  const { adapter } = db;
  writeFileSync(
    configFile,
    JSON.stringify({
      url: ORIGIN,
      session: { strategy: "database" },
      database: { url: db.url, adapter: which },
    }),
  );
  try {
    const user = await adapter.createUser({ ...USER });
    // Two sessions of the user, in the same state at every step: ours goes to
    // nextauth-session, twin to next-auth's own route.
    const ours = randomUUID();
    const twin = randomUUID();
    // Fresh (not due): 30 days less one hour ahead, with a millisecond part.
    const fresh = NOW_MS + MAX_AGE * 1000 - 3600000 + 123;
    for (const t of [ours, twin]) {
      await adapter.createSession({ sessionToken: t, userId: user.id, expires: new Date(fresh) });
    }
    same("createSession stored what getSessionAndUser reads back", await expiresOf(adapter, ours), fresh);

    // 1. fresh session: the body and the cookie, no write.
    let a = ourSession(ours);
    let b = await nextAuthSession(adapter, twin);
    same("fresh: program exit status", a.rc, 0);
    same("fresh: next-auth logged nothing", b.logged.join("; "), "");
    same("fresh: status as next-auth", a.status, b.status);
    same("fresh: body byte-identical to next-auth's", a.body, b.body);
    same(
      "fresh: body is the adapter user's fields and the row's expiry",
      a.body,
      JSON.stringify({ user: { name: user.name, email: user.email, image: user.image }, expires: iso(fresh) }),
    );
    same("fresh: session Set-Cookie as next-auth's", withToken(a.sessionCookies, "T", ours).join("\n"),
      withToken(b.sessionCookies, "T", twin).join("\n"));
    same(
      "fresh: Set-Cookie Expires is now + maxAge",
      a.sessionCookies.join("\n"),
      `${COOKIE_NAME}=${ours}; Path=/; Expires=${httpDate(NOW_MS + MAX_AGE * 1000)}; HttpOnly; SameSite=Lax`,
    );
    same("fresh: row not written (getSessionAndUser)", await expiresOf(adapter, ours), fresh);
    same("fresh: next-auth did not write its row either", await expiresOf(adapter, twin), fresh);

    // 2. due: the adapter moves both rows to 20 days ahead (past updateAge).
    const due = NOW_MS + 20 * DAY_MS + 456;
    for (const t of [ours, twin]) await adapter.updateSession({ sessionToken: t, expires: new Date(due) });
    same("due: updateSession stored the due expiry", await expiresOf(adapter, ours), due);
    check("due: the row is due by next-auth's rule", due - MAX_AGE * 1000 + UPDATE_AGE * 1000 <= NOW_MS);
    a = ourSession(ours);
    b = await nextAuthSession(adapter, twin);
    same("due: program exit status", a.rc, 0);
    same("due: next-auth logged nothing", b.logged.join("; "), "");
    same("due: status as next-auth", a.status, b.status);
    same("due: body byte-identical to next-auth's (the old expiry)", a.body, b.body);
    same(
      "due: body has the row's expiry before the update",
      JSON.parse(a.body || "{}").expires,
      iso(due),
    );
    same("due: session Set-Cookie as next-auth's", withToken(a.sessionCookies, "T", ours).join("\n"),
      withToken(b.sessionCookies, "T", twin).join("\n"));
    const m = /; Expires=([^;]+)/.exec(a.sessionCookies[0] ?? "");
    const cookieMs = m ? Date.parse(m[1]) : NaN;
    same("due: Set-Cookie Expires is now + maxAge", cookieMs, NOW_MS + MAX_AGE * 1000);
    const extended = await expiresOf(adapter, ours);
    same("due: getSessionAndUser reads the extended expiry = Set-Cookie Expires", extended, cookieMs);
    same("due: extended expiry as next-auth's own updateSession wrote it", extended, await expiresOf(adapter, twin));
    same("due: the row holds the same stored value as next-auth's (the adapter's own form)",
      await db.stored(ours), await db.stored(twin));
    const again = await adapter.getSessionAndUser(ours);
    same("due: the adapter still finds the user of the extended session", again?.user?.email, user.email);

    // 3. expired by 1 ms: the program deletes the row and clears the cookie.
    const expired = NOW_MS - 1;
    for (const t of [ours, twin]) await adapter.updateSession({ sessionToken: t, expires: new Date(expired) });
    a = ourSession(ours);
    b = await nextAuthSession(adapter, twin);
    same("expired: program exit status", a.rc, 0);
    same("expired: status as next-auth", a.status, b.status);
    same("expired: body byte-identical to next-auth's", a.body, b.body);
    same("expired: body is {}", a.body, "{}");
    same("expired: cleared cookie as next-auth's", a.sessionCookies.join("\n"), b.sessionCookies.join("\n"));
    same("expired: getSessionAndUser finds no session after the program", await adapter.getSessionAndUser(ours), null);
    same("expired: nor after next-auth", await adapter.getSessionAndUser(twin), null);
    same("expired: the user row stays", (await adapter.getUser(user.id))?.email, user.email);
    if (failures) console.log(`#   last program stderr: ${a.stderr.trim()}`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.log(`not ok - ${which}: the round trip ran to its end`);
  console.log(`#   ${String(e?.stack ?? e).replace(/\n/g, "\n#   ")}`);
});
