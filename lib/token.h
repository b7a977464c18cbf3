/* token.h — getToken and encode for one deployment (SPEC A1, A2, B3.3, B10).
 *
 * A verifier is built once per process from the configuration: the keys are
 * derived then, and the two scratch buffers every request reuses are allocated
 * then, so that checking a request allocates nothing but the claims object.
 * A verifier is not thread-safe: one per thread. */
#ifndef NA_TOKEN_H
#define NA_TOKEN_H

#include <stddef.h>

#include <jansson.h>

#include "claims.h"
#include "cookie.h"
#include "err.h"
#include "fastjson.h"
#include "keys.h"

typedef struct {
    na_keyring kr;
    unsigned algorithms;        /* jws allow-list */
    long tolerance;
    int require_exp;
    long max_age;               /* lifetime of minted tokens */
    char cookie_name[NA_COOKIE_NAME_MAX + 1];
    char *tokbuf;               /* NA_TOKEN_MAX bytes: the joined cookie or bearer token */
    unsigned char *scratch;     /* 2 × NA_TOKEN_MAX bytes: decoded ciphertext + plaintext */
    unsigned char *held;        /* the payload a view points into (in scratch), or NULL */
    size_t held_len;
} na_verifier;

/* What a verifier is built from: the part of a deployment's configuration that
 * makes and checks tokens (source.h fills it from a na_config). */
typedef struct {
    na_format format;
    const char *const *secrets; /* nsecrets secrets (secret_lens bytes each); the first encodes */
    const size_t *secret_lens;
    size_t nsecrets;
    const char *no_secret;      /* why there is none, when nsecrets is 0 (may be NULL) */
    const char *cookie_name;    /* the session cookie name */
    const char *salt;           /* key-derivation salt, NULL: the format's (below) */
    unsigned algorithms;        /* jws allow-list, NA_ALG_* */
    long tolerance;             /* clock tolerance, seconds */
    int require_exp;
    long max_age;               /* lifetime of minted tokens, seconds */
} na_token_opts;

/* Build *v from o: keys derived here, once; buffers allocated. The salt, when
 * o->salt is NULL, is next-auth's for a session: "" for v4 (the session path
 * derives with an empty salt), the cookie name for v5. A non-NULL salt gives a
 * key as for next-auth's state/PKCE tokens — never a session's. Returns 0, or
 * -1 with err filled (NA_E_NO_SECRET when o has no secret). */
int na_token_init(na_verifier *v, const na_token_opts *o, na_err *err);

/* Wipe the keys and free the buffers. Safe twice. */
void na_token_free(na_verifier *v);

/* Decode and verify one token (len bytes) at time now (unix seconds): the format's
 * JOSE checks, then a strict JSON object payload, then the claim rules. On
 * success *claims is a new reference the caller json_decrefs. Returns 0, or -1
 * with err filled and *claims NULL. */
int na_token_decode(na_verifier *v, const char *tok, size_t len, long long now,
                    json_t **claims, na_err *err);

/* getToken: the session cookie of the Cookie header (cookie, clen bytes; may be
 * NULL), else the Bearer token of authz (alen bytes; may be NULL), then
 * na_token_decode. seen (may be NULL) gets the session cookie names found.
 * Returns 1 with *claims (a new reference), 0 when the request has no token
 * (err: NA_E_NO_TOKEN), -1 with err filled when the token is bad. */
int na_token_get(na_verifier *v, const char *cookie, size_t clen, const char *authz,
                 size_t alen, long long now, json_t **claims, na_cookie_seen *seen,
                 na_err *err);

/* getToken in two steps, for a reader of a few top-level claims (the guard),
 * which may look at the token in between (its cache) and wants no tree when it
 * can do without.
 * na_token_find puts the request's token (the session cookie, else the Bearer
 * token, as na_token_get) in v's buffer and points *tok at it (*toklen bytes,
 * valid until the next call); seen (may be NULL) as for na_token_get; returns 1,
 * 0 (no token: err NA_E_NO_TOKEN) or -1 (err filled).
 * na_token_decode_view decodes and checks it as na_token_decode; on 0 either
 * *claims is a tree as there, or (view non-NULL) *claims is NULL and *view (fastjson.h)
 * describes the claims in place, over the decrypted payload that v then holds.
 * The same tokens are valid with the same errors either way (the view takes
 * only payloads whose tree it represents exactly, and checks them by the same
 * rules). Call na_token_release(v) when done with the view: it wipes the
 * payload. Returns -1 with err filled for a bad token. */
int na_token_find(na_verifier *v, const char *cookie, size_t clen, const char *authz,
                  size_t alen, const char **tok, size_t *toklen, na_cookie_seen *seen,
                  na_err *err);
int na_token_decode_view(na_verifier *v, const char *tok, size_t len, long long now,
                         na_jview *view, json_t **claims, na_err *err);

/* The held payload (after na_token_decode_view gave a view) as a tree, for a reader
 * that needs more than the view: a new reference, or NULL with err filled. */
json_t *na_token_held_claims(na_verifier *v, na_err *err);

/* Wipe the payload held for a view; the view is then invalid. Safe to repeat. */
void na_token_release(na_verifier *v);

/* encode: set iat = now, exp = now + max_age and a fresh UUID v4 jti in claims (an
 * existing key keeps its position, missing ones are appended in that order, as
 * next-auth does), then encrypt (v4/v5) or sign (jws, with the first allowed
 * algorithm) with the first secret. claims is modified. Returns a NUL-terminated
 * token the caller frees with free(), or NULL with err filled. */
char *na_token_encode(na_verifier *v, json_t *claims, long max_age, long long now,
                      na_err *err);

/* Write a new random UUID v4 (36 characters + NUL) into out. Returns 0, or -1
 * when the random generator fails. */
int na_token_uuid_v4(char out[37]);

#endif
