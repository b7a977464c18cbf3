/* SPDX-License-Identifier: MIT */
/* session.h — getServerSession / GET /api/auth/session (docs/behaviour.md,
 * Session endpoint).
 *
 * One call answers one request: the session body, the no-cache headers, and the
 * cookie changes — the rolling refresh of a valid token (re-encoded with fresh
 * iat/exp/jti, chunked, stale chunks cleared), or the clearing of a bad one. */
#ifndef NA_SESSION_H
#define NA_SESSION_H

#include <jansson.h>

#include "config.h"
#include "resp.h"
#include "source.h"
#include "token.h"

/* The session body {"user":{"name":…,"email":…,"image":…},"expires":"<ISO ms>"}:
 * compact, keys in that order, image from the picture claim, missing claims left
 * out, nulls kept; then the claims cfg->expose names, copied into user. expires_ms
 * is now + session.maxAge in milliseconds. Returns a string the caller frees with
 * free(), or NULL when out of memory. */
char *na_session_body(const json_t *claims, const na_config *cfg, long long expires_ms);

/* The rolling refresh (docs/behaviour.md, Rolling refresh): re-encode claims
 * (modified: fresh iat/exp/jti, lifetime session.maxAge) and add the Set-Cookie
 * lines that store the new token, chunked, clearing the stale names of seen;
 * Expires is expires_ms. Returns 0, or -1 with err filled (then nothing was added). */
int na_session_refresh(na_verifier *v, const na_config *cfg, json_t *claims,
                       const na_cookie_seen *seen, long long now_ms, long long expires_ms,
                       na_resp *r, na_err *err);

/* A database session's extension (docs/behaviour.md, Database sessions): the
 * row's expiry moved to now + session.maxAge when it is due (session.updateAge
 * old), and on every call the cookie re-set with that expiry. ss is a FOUND
 * result of src. Returns 0, or -1 with err filled (the database failed: then
 * no cookie line was added). */
int na_session_extend(na_source *src, const na_config *cfg, const na_source_result *ss,
                      long long now_ms, na_resp *r, na_err *err);

/* Answer one session request into r, with the session src finds in the
 * cookies (a source without a usable secret: 500 configuration error; one that
 * cannot tell, e.g. out of memory: a bare 500). method is REQUEST_METHOD (NULL
 * counts as GET), cookie the Cookie header (NULL when absent), now_ms the
 * clock. Logs one line (na_log) for a bad token or a configuration error, never
 * the token. */
void na_session_respond(na_source *src, const na_config *cfg, const char *method,
                        const char *cookie, long long now_ms, na_resp *r);

#endif
