// SPDX-License-Identifier: MIT
// tests/bench/njs-hs256.js — the peer tests/bench/modules.sh measures the
// nginx module against: an HS256 bearer token checked in njs, as cheaply as njs
// can do it correctly. `js_set $bench_auth hs256.check;` and, in the location,
// `if ($bench_auth != 1) { return 401; }`: no subrequest, one HMAC per request.
// The key is the secret's bytes (RFC 7518 §3.2), from the environment
// (BENCH_HS256_SECRET, passed to the workers with `env`).
//
// Allowed: "Authorization: Bearer <header>.<payload>.<signature>" whose header
// says alg HS256, whose signature is HMAC-SHA-256 of "<header>.<payload>" in
// base64url, and whose payload is a JSON object with a numeric exp in the
// future. Anything else: "0".
const crypto = require('crypto');

// {"alg":"HS256","typ":"JWT"}, the header jsonwebtoken writes: no JSON parse
const HS256_JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';

function check(r) {
    const auth = r.headersIn.Authorization;
    if (!auth || auth.slice(0, 7) !== 'Bearer ') {
        return '0';
    }
    const t = auth.slice(7);
    const a = t.indexOf('.');
    const b = a < 0 ? -1 : t.indexOf('.', a + 1);
    if (b < 0 || t.indexOf('.', b + 1) >= 0) {
        return '0';
    }
    try {
        const head = t.slice(0, a);
        if (head !== HS256_JWT &&
            JSON.parse(Buffer.from(head, 'base64url').toString()).alg !== 'HS256') {
            return '0';
        }
        const mac = crypto.createHmac('sha256', process.env.BENCH_HS256_SECRET)
            .update(t.slice(0, b)).digest('base64url');
        if (mac !== t.slice(b + 1)) {
            return '0';
        }
        const claims = JSON.parse(Buffer.from(t.slice(a + 1, b), 'base64url').toString());
        if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
            return '0';
        }
    } catch (e) {
        return '0';
    }
    return '1';
}

export default { check };
