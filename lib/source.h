/* SPDX-License-Identifier: MIT */
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
 * Two sources, by session.strategy: the session token (token.h: the JWE or JWS
 * of the session cookie, chunked or not, else a Bearer token where the caller
 * accepts one), or a database session (store.h: the cookie's opaque token
 * names a row of the adapter's session table, whose user row gives the claims
 * sub, name, email, picture, exp and the configured database.claims). A source
 * holds per-process state (keys, buffers, the database connection): one per
 * thread.
 *
 * Kept sessions: a read-only database source (the guard) with
 * database.cacheSeconds > 0 keeps the claims of a session it found, by its
 * token's exact bytes (tokens of at most 128 bytes; compared in constant time),
 * in tokenCache slots. For that many seconds the same token gets the same
 * claims without a query, unless the row's expiry (as read) has passed: a
 * session deleted or expired in the database meanwhile is still found until
 * then — the trade-off the operator chose. Only found sessions are kept: no
 * session, an expired row and a database error are asked again every time.
 * With cacheSeconds 0 (the default) every lookup reads the row. */
#ifndef NA_SOURCE_H
#define NA_SOURCE_H

#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "cookie.h"
#include "err.h"
#include "fastjson.h"
#include "store.h"
#include "token.h"

/* A database session's token is at most this long (next-auth's are 36 or 64
 * characters); a longer one is no session. */
#define NA_OPAQUE_TOKEN_MAX 4096

/* The kept sessions of a read-only database source (database.cacheSeconds):
 * source.c. */
typedef struct na_source_kept na_source_kept;

typedef struct {
    char cookie_name[NA_COOKIE_NAME_MAX + 1]; /* the session cookie's */
    na_verifier v;
    int have_v; /* 0: no usable secret (no_secret says why) */
    char no_secret[200];
    /* database sessions */
    int database;          /* the session is a row (store.h), not a token */
    na_store *store;       /* NULL until the database first answers */
    na_err unavailable;    /* store NULL: why */
    na_store_opts sopts;   /* what na_store_open is (re)called with; points into cfg */
    char tokbuf[NA_OPAQUE_TOKEN_MAX];
    /* kept sessions (read-only sources with database.cacheSeconds > 0) */
    long long keep_ms;     /* how long a row's claims are kept; 0: never */
    size_t nkept;          /* slots (tokenCache) */
    na_source_kept *kept;  /* allocated at the first session kept */
    unsigned long long keep_seed; /* random per source: a token's slot */
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
    long long expires_ms; /* database sessions, FOUND: the row's expiry as read */
    na_err err;          /* INVALID: why (NA_E_EXPIRED: a database row past its expiry;
                          * the session endpoint deletes it); ERROR: why (NA_E_NO_SECRET,
                          * NA_E_NOMEM, NA_E_STORE); NONE: NA_E_NO_TOKEN, or
                          * NA_E_TOO_BIG for an opaque token past its cap */
} na_source_result;

/* na_source_resolve flags */
#define NA_SOURCE_VIEW 1u /* the claims may come as a view */

/* The token options of cfg (salt NULL: a session's), pointing into cfg. */
void na_source_token_opts(const na_config *cfg, const char *salt, na_token_opts *o);

/* na_token_init with cfg's token options (salt as there): a verifier for
 * cfg's tokens, for callers that make or check tokens themselves (the CLI). */
int na_source_token_init(na_verifier *v, const na_config *cfg, const char *salt,
                         na_err *err);

/* na_source_init flags */
#define NA_SOURCE_READ_ONLY 1u /* never write to the session store (the guard) */

/* Build s from cfg (which must outlive s). Token sessions: the verifier, keys
 * derived once; no usable secret is not a failure: have_v is 0, no_secret says
 * why, and every lookup is ERROR with NA_E_NO_SECRET. Database sessions: the
 * store opened (no secret needed); a database that does not answer yet is not
 * a failure either (store stays NULL, unavailable says why, and lookups retry),
 * but a schema that does not match the configuration is. Returns 0, or -1
 * with err filled; s then owns nothing. */
int na_source_init(na_source *s, const na_config *cfg, unsigned flags, na_err *err);

/* Wipe the keys, free the buffers and the kept sessions. Safe twice. */
void na_source_free(na_source *s);

/* Step 1: find rq's credential. Returns 1 with ss->cred set, or 0 with
 * ss->state NONE, INVALID or ERROR (ss->err says why). */
int na_source_locate(na_source *s, const na_source_req *rq, na_source_result *ss);

/* Step 2: the located credential's claims at time now_ms (unix milliseconds;
 * tokens are judged in whole seconds, database rows in milliseconds).
 * Returns ss->state: FOUND, INVALID or ERROR. */
na_source_state na_source_resolve(na_source *s, long long now_ms, unsigned flags,
                                  na_source_result *ss);

/* Both steps. Returns ss->state. */
na_source_state na_source_find(na_source *s, const na_source_req *rq, long long now_ms,
                               unsigned flags, na_source_result *ss);

/* FOUND: the claims as a tree (made from the view when there is one, and kept
 * in ss). NULL when out of memory (ss->err filled). */
json_t *na_source_tree(na_source *s, na_source_result *ss);

/* Release what ss holds (the tree; the bytes a view pointed into are wiped).
 * Safe to repeat; ss->seen and ss->cred stay readable. */
void na_source_done(na_source *s, na_source_result *ss);

#endif
