/* source.h — where a request's session comes from: the one question the
 * guard, the session endpoint and the page API ask ("what session does this
 * request carry?"), and the only place they ask it.
 *
 * The answer is one of four states. NONE and INVALID are "no session" (the
 * caller answers as for a visitor who is not signed in); ERROR is "could not
 * tell", which a caller must never turn into an allow: no usable secret
 * (err NA_E_NO_SECRET), out of memory (NA_E_NOMEM).
 *
 * Two steps, so that a reader may look at the credential in between (the
 * guard's answer cache keys on it): na_source_locate finds the credential in
 * the request, na_source_resolve turns it into claims. na_source_find does
 * both. The claims come as a tree, or — when the caller accepts one
 * (NA_SOURCE_VIEW) and the source can give one — as a view over bytes the
 * source holds (fastjson.h), which needs no allocation; na_source_tree turns
 * a view into a tree when the caller needs more.
 *
 * Today's source is the session token (token.h): the JWE or JWS of the session
 * cookie, chunked or not, else a Bearer token where the caller accepts one. A
 * source holds per-process state (the verifier's keys and buffers): one per
 * thread. */
#ifndef NA_SOURCE_H
#define NA_SOURCE_H

#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "cookie.h"
#include "err.h"
#include "fastjson.h"
#include "token.h"

typedef struct {
    na_verifier v;
    int have_v; /* 0: no usable secret (no_secret says why) */
    char no_secret[200];
} na_source;

typedef enum {
    NA_SOURCE_NONE,    /* the request carries no credential */
    NA_SOURCE_INVALID, /* a credential that holds no session: forged, expired, malformed */
    NA_SOURCE_FOUND,   /* a session: its claims */
    NA_SOURCE_ERROR    /* could not tell: fail closed */
} na_source_state;

/* What the source reads of a request. */
typedef struct {
    const char *cookie;        /* the Cookie header, or NULL */
    size_t cookie_len;
    const char *authorization; /* the Authorization header, or NULL: no Bearer token */
    size_t authorization_len;
} na_source_req;

/* One lookup's answer. Filled by na_source_locate/find; released by
 * na_source_done. */
typedef struct {
    na_source_state state;
    const char *cred;    /* the credential (joined cookie chunks or Bearer token), */
    size_t cred_len;     /* valid until the next lookup on the source */
    json_t *claims;      /* FOUND: a tree (owned by this struct), or NULL: see view */
    na_jview view;       /* FOUND, claims NULL: the claims in place */
    na_cookie_seen seen; /* the session cookie names the request carries */
    na_err err;          /* INVALID, ERROR: why */
} na_session;

/* na_source_resolve flags */
#define NA_SOURCE_VIEW 1u /* the claims may come as a view */

/* The token options of cfg (salt NULL: a session's), pointing into cfg. */
void na_source_token_opts(const na_config *cfg, const char *salt, na_token_opts *o);

/* na_token_init with cfg's token options (salt as there): a verifier for
 * cfg's tokens, for callers that make or check tokens themselves (the CLI). */
int na_source_token_init(na_verifier *v, const na_config *cfg, const char *salt,
                         na_err *err);

/* Build s from cfg: the verifier, keys derived once. No usable secret is not a
 * failure: have_v is 0, no_secret says why, and every lookup is ERROR with
 * NA_E_NO_SECRET. Returns 0, or -1 with err filled (out of memory, a bad
 * key); s then owns nothing. */
int na_source_init(na_source *s, const na_config *cfg, na_err *err);

/* Wipe the keys and free the buffers. Safe twice. */
void na_source_free(na_source *s);

/* Step 1: find rq's credential. Returns 1 with ss->cred set, or 0 with
 * ss->state NONE, INVALID or ERROR (ss->err says why). */
int na_source_locate(na_source *s, const na_source_req *rq, na_session *ss);

/* Step 2: the located credential's claims at time now (unix seconds).
 * Returns ss->state: FOUND, INVALID or ERROR. */
na_source_state na_source_resolve(na_source *s, long long now, unsigned flags,
                                  na_session *ss);

/* Both steps. Returns ss->state. */
na_source_state na_source_find(na_source *s, const na_source_req *rq, long long now,
                               unsigned flags, na_session *ss);

/* FOUND: the claims as a tree (made from the view when there is one, and kept
 * in ss). NULL when out of memory (ss->err filled). */
json_t *na_source_tree(na_source *s, na_session *ss);

/* Release what ss holds (the tree; the bytes a view pointed into are wiped).
 * Safe to repeat; ss->seen and ss->cred stay readable. */
void na_source_done(na_source *s, na_session *ss);

#endif
