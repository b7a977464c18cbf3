// SPDX-License-Identifier: MIT
// tests/bench/node-session.mjs — for tests/bench/e2e.sh only: next-auth 4's own
// session route with database sessions, the comparison for
// cgi-bin/nextauth-session. A bare Node http server (no Next.js in front, so
// Node's side is measured at its cheapest) hands each request to next-auth's
// API-route handler (`NextAuth(options)` of next-auth/next, what
// pages/api/auth/[...nextauth].js exports) with @auth/pg-adapter over a pg
// Pool, session.strategy "database". The request and response get the few
// members Next.js's API routes add (req.query.nextauth, req.cookies,
// res.status, res.send, res.json), as Next.js's apiResolver does.
//
//   node tests/bench/node-session.mjs
//
// Environment: NEXTAUTH_BENCH_MODULES (node_modules of a folder holding
// next-auth 4.24.x, @auth/pg-adapter and pg), NEXTAUTH_BENCH_PG_HOST (the
// socket folder), NEXTAUTH_BENCH_PG_PORT, NEXTAUTH_BENCH_PG_USER,
// NEXTAUTH_BENCH_PG_DB, NEXTAUTH_BENCH_PORT (the port to listen on, 127.0.0.1),
// NEXTAUTH_BENCH_WORKERS (processes, node:cluster; default 1). Prints
// "listening" once every worker listens.

import cluster from "node:cluster";
import http from "node:http";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const env = process.env;
const workers = Number(env.NEXTAUTH_BENCH_WORKERS || 1);

if (cluster.isPrimary && workers > 1) {
  let up = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on("message", (m) => {
      if (m === "listening" && ++up === workers) console.log("listening");
    });
  }
  cluster.on("exit", (w, code) => {
    console.error(`node-session: worker ${w.process.pid} exited (${code})`);
    process.exit(1);
  });
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers)) w.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const modules = env.NEXTAUTH_BENCH_MODULES;
  const requireThere = createRequire(join(modules, "..", "bench-resolver.js"));
  const NextAuth = requireThere("next-auth/next").default;
  const cookie = requireThere("cookie");
  const { Pool } = requireThere("pg");
  // @auth/pg-adapter is import-only: its exports map's "import" file
  const pkg = JSON.parse(readFileSync(join(modules, "@auth/pg-adapter/package.json"), "utf8"));
  const { default: PostgresAdapter } = await import(
    pathToFileURL(join(modules, "@auth/pg-adapter", pkg.exports["."].import)).href
  );

  const pool = new Pool({
    host: env.NEXTAUTH_BENCH_PG_HOST,
    port: Number(env.NEXTAUTH_BENCH_PG_PORT),
    user: env.NEXTAUTH_BENCH_PG_USER,
    database: env.NEXTAUTH_BENCH_PG_DB,
    max: 10,
  });
  const handler = NextAuth({
    adapter: PostgresAdapter(pool),
    providers: [],
    secret: "bench-node-session-secret",
    session: { strategy: "database" },
    logger: { debug() {}, warn() {}, error(code, e) { console.error(code, e?.message ?? ""); } },
  });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const m = /^\/api\/auth\/(.+)$/.exec(url.pathname);
    if (!m) {
      res.statusCode = 404;
      res.end();
      return;
    }
    req.query = { ...Object.fromEntries(url.searchParams), nextauth: m[1].split("/") };
    req.cookies = cookie.parse(req.headers.cookie ?? "");
    req.body = undefined; // GET only here
    res.status = (code) => {
      res.statusCode = code;
      return res;
    };
    res.json = (obj) => {
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end(JSON.stringify(obj));
    };
    res.send = (body) => {
      if (body !== null && typeof body === "object" && !Buffer.isBuffer(body)) return res.json(body);
      res.end(body ?? "");
    };
    try {
      await handler(req, res);
    } catch (e) {
      console.error("node-session:", e?.message ?? e);
      res.statusCode = 500;
      res.end();
    }
  });
  server.keepAliveTimeout = 60000;
  server.listen(Number(env.NEXTAUTH_BENCH_PORT), "127.0.0.1", () => {
    if (cluster.isWorker) process.send("listening");
    else console.log("listening");
  });
}
