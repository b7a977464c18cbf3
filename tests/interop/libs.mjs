// SPDX-License-Identifier: MIT
// Loads the real JavaScript libraries that the interop suite compares the
// CLI against.  They are installed by tests/interop/run.sh into a scratch
// folder outside the repository, whose node_modules path is passed in the
// environment variable NEXTAUTH_INTEROP_MODULES.
//
// ESM ignores NODE_PATH, so every package is resolved explicitly from that
// folder: next-auth v4 is CommonJS (plain require), @auth/core is ESM-only
// (resolved to a file, then imported by URL).

import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.env.NEXTAUTH_INTEROP_MODULES;
if (!modules) {
  throw new Error("NEXTAUTH_INTEROP_MODULES is not set (run tests/interop/run.sh)");
}

// A require() that resolves as if called from a file inside the install folder.
const requireThere = createRequire(join(modules, "..", "interop-resolver.js"));

// Versions the suite is written against (docs/behaviour.md, Reference versions).
export const EXPECTED_VERSIONS = {
  "next-auth": "4.24.15",
  "@auth/core": "0.41.3",
};

function versionOf(name) {
  return requireThere(join(modules, name, "package.json")).version;
}

export const versions = {
  "next-auth": versionOf("next-auth"),
  "@auth/core": versionOf("@auth/core"),
  jsonwebtoken: versionOf("jsonwebtoken"),
};

// next-auth v4: encode / decode / getToken (CommonJS).
export const v4 = requireThere("next-auth/jwt");

// next-auth v4's cookie chunker.  Not in the package's "exports" map, so it is
// loaded by file path; it is what the real /api/auth routes use to split a
// large session token into <name>.0, <name>.1, ... cookies (docs/behaviour.md, Writing cookies).
export const v4Cookie = requireThere(join(modules, "next-auth", "core", "lib", "cookie.js"));

// @auth/core (Auth.js v5): encode / decode / getToken (ESM only).
export const v5 = await import(pathToFileURL(requireThere.resolve("@auth/core/jwt")).href);

// @auth/core's chunker (same idea, 3936 characters per chunk), by file path too.
export const v5Cookie = await import(
  pathToFileURL(join(modules, "@auth", "core", "lib", "utils", "cookie.js")).href
);

// jsonwebtoken: the HS256 "custom jwt encode/decode" of the NextAuth docs.
export const jsonwebtoken = requireThere("jsonwebtoken");

// The cookie parser next-auth v4 itself depends on, used to turn a Cookie
// header into the req.cookies object that v4 getToken reads.
export const cookie = requireThere("cookie");

// jose (the copy @auth/core uses) and @panva/hkdf, used only to build the one
// token shape that @auth/core decodes but never encodes (kid-less A256GCM).
export const jose = await import(pathToFileURL(requireThere.resolve("jose")).href);
export const hkdf = requireThere("@panva/hkdf").hkdf;
