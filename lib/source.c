/* SPDX-License-Identifier: MIT */
/* source.c — a request's session from its token or from the session store
 * (see source.h). */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mac.h"
#include "text.h"

void na_source_token_opts(const na_config *cfg, const char *salt, na_token_opts *o)
{
    *o = (na_token_opts){
        .format = cfg->format,
        .secrets = (const char *const *)cfg->secrets,
        .secret_lens = cfg->secret_lens,
        .nsecrets = cfg->nsecrets,
        .no_secret = cfg->no_secret,
        .cookie_name = na_config_cookie_name(cfg),
        .salt = salt,
        .algorithms = cfg->algorithms,
        .tolerance = cfg->clock_tolerance,
        .require_exp = cfg->require_exp,
        .max_age = na_config_token_max_age(cfg),
    };
}

int na_source_token_init(na_verifier *v, const na_config *cfg, const char *salt,
                         na_err *err)
{
    na_token_opts o;
    na_source_token_opts(cfg, salt, &o);
    return na_token_init(v, &o, err);
}

/* The store's options from cfg's database keys (pointing into cfg). */
static void store_opts(na_source *s, const na_config *cfg, unsigned flags)
{
    na_store_opts *o = &s->sopts;
    *o = (na_store_opts){
        .url = cfg->db_url,
        .adapter = (na_adapter)cfg->db_adapter,
        .names = {
            .session_table = cfg->db_session_table, .user_table = cfg->db_user_table,
            .token = cfg->db_token, .user_id = cfg->db_user_id, .expires = cfg->db_expires,
            .updated_at = cfg->db_updated_at, .id = cfg->db_id, .name = cfg->db_name,
            .email = cfg->db_email, .image = cfg->db_image,
        },
        .claim_names = (const char *const *)cfg->db_claim_name,
        .claim_columns = (const char *const *)cfg->db_claim_column,
        .nclaims = cfg->ndb_claims,
        .timeout_ms = cfg->db_timeout_ms,
        .read_only = (flags & NA_SOURCE_READ_ONLY) != 0,
    };
}

/* Open the store when it is not open: 0, or -1 with err filled. */
static int store_ready(na_source *s, na_err *err)
{
    if (s->store != NULL)
        return 0;
    s->store = na_store_open(&s->sopts, err);
    if (s->store == NULL) {
        s->unavailable = *err;
        return -1;
    }
    na_err_clear(&s->unavailable);
    return 0;
}

/* ---- kept sessions (source.h) ---- */

#define KEPT_TOKEN_MAX 128

struct na_source_kept {
    size_t toklen; /* 0: an empty slot */
    char tok[KEPT_TOKEN_MAX];
    json_t *claims;
    long long expires_ms; /* the row's expiry as read */
    long long until_ms;   /* kept until then */
};

static void kept_wipe(na_source_kept *k)
{
    json_decref(k->claims);
    OPENSSL_cleanse(k, sizeof *k);
}

static void kept_free(na_source *s)
{
    if (s->kept == NULL)
        return;
    for (size_t i = 0; i < s->nkept; i++)
        kept_wipe(&s->kept[i]);
    free(s->kept);
    s->kept = NULL;
}

/* A token's slot: FNV-1a over its bytes from a random start, so where a token
 * lands cannot be aimed from outside the process. */
static na_source_kept *kept_slot(na_source *s, const char *tok, size_t n)
{
    return &s->kept[na_text_fnv1a(s->keep_seed, tok, n) % s->nkept];
}

/* The kept claims of tok at now_ms: 1 with ss filled (a reference of its own),
 * else 0. A slot past its time, or past the row's expiry, is emptied. */
static int kept_find(na_source *s, const char *tok, size_t n, long long now_ms,
                     na_source_result *ss)
{
    if (s->kept == NULL || n > KEPT_TOKEN_MAX)
        return 0;
    na_source_kept *k = kept_slot(s, tok, n);
    if (k->toklen != n || !na_mac_equal(k->tok, tok, n))
        return 0;
    if (now_ms >= k->until_ms || k->expires_ms < now_ms) {
        kept_wipe(k);
        return 0;
    }
    ss->claims = json_incref(k->claims);
    ss->expires_ms = k->expires_ms;
    ss->state = NA_SOURCE_FOUND;
    return 1;
}

/* Keep the found session of ss (token tok) from now_ms on. Best effort: out of
 * memory keeps nothing. */
static void kept_put(na_source *s, const char *tok, size_t n, long long now_ms,
                     const na_source_result *ss)
{
    if (s->keep_ms == 0 || n == 0 || n > KEPT_TOKEN_MAX)
        return;
    if (s->kept == NULL && (s->kept = calloc(s->nkept, sizeof *s->kept)) == NULL)
        return;
    na_source_kept *k = kept_slot(s, tok, n);
    kept_wipe(k);
    memcpy(k->tok, tok, n);
    k->toklen = n;
    k->claims = json_incref(ss->claims);
    k->expires_ms = ss->expires_ms;
    k->until_ms = now_ms + s->keep_ms;
}

int na_source_init(na_source *s, const na_config *cfg, unsigned flags, na_err *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->cookie_name, sizeof s->cookie_name, "%s", na_config_cookie_name(cfg));
    if (cfg->strategy == NA_STRATEGY_DATABASE) {
        s->database = 1;
        store_opts(s, cfg, flags);
        if ((flags & NA_SOURCE_READ_ONLY) && cfg->db_cache_seconds > 0 && cfg->token_cache > 0) {
            /* without random bytes the seed stays 0: a slot aimed from
             * outside only pushes a kept session out */
            if (RAND_bytes((unsigned char *)&s->keep_seed, sizeof s->keep_seed) != 1)
                s->keep_seed = 0;
            s->keep_ms = cfg->db_cache_seconds * 1000LL;
            s->nkept = (size_t)cfg->token_cache;
        }
        /* a schema that does not match is the operator's to fix: stop; a
         * database that does not answer yet may come up later */
        if (store_ready(s, err) < 0 && err->code != NA_E_STORE)
            return -1;
        na_err_clear(err);
        return 0;
    }
    if (na_source_token_init(&s->v, cfg, NULL, err) == 0) {
        s->have_v = 1;
        return 0;
    }
    if (err->code != NA_E_NO_SECRET)
        return -1;
    snprintf(s->no_secret, sizeof s->no_secret, "%s", err->msg);
    na_err_clear(err);
    return 0;
}

void na_source_free(na_source *s)
{
    na_token_free(&s->v);
    s->have_v = 0;
    na_store_close(s->store);
    s->store = NULL;
    kept_free(s);
}

static void session_clear(na_source_result *ss)
{
    ss->state = NA_SOURCE_NONE;
    ss->cred = NULL;
    ss->cred_len = 0;
    ss->claims = NULL;
    ss->seen.n = 0;
    ss->expires_ms = 0;
    na_err_clear(&ss->err);
}

/* A database session's cookie: the opaque token into s->tokbuf. No Bearer
 * token: next-auth reads a database session from its cookie only. */
static int locate_opaque(na_source *s, const na_source_req *rq, na_source_result *ss)
{
    size_t n = 0;
    int got = rq->cookie == NULL ? 0
                                 : na_cookie_session_opaque(rq->cookie, rq->cookie_len,
                                                            s->cookie_name, s->tokbuf,
                                                            sizeof s->tokbuf, &n, &ss->seen,
                                                            &ss->err);
    if (got > 0) {
        ss->cred = s->tokbuf;
        ss->cred_len = n;
        return 1;
    }
    /* none, or past a cap: no session, and the cookies are left alone */
    if (got == 0)
        na_err_set(&ss->err, NA_E_NO_TOKEN, "no session token (cookie %s)", s->cookie_name);
    ss->state = NA_SOURCE_NONE;
    return 0;
}

/* The claims of a database session: sub (the user id), name, email, picture
 * (the image), exp (the row's expiry, whole seconds), then database.claims. */
static json_t *row_claims(const na_store_row *row, long long expires_ms)
{
    static const char *const from[][2] = {
        {"sub", "id"}, {"name", "name"}, {"email", "email"}, {"picture", "image"}};
    json_t *c = json_object();
    if (c == NULL)
        return NULL;
    for (size_t i = 0; i < 4; i++) {
        json_t *v = json_object_get(row->user, from[i][1]);
        if (v != NULL && json_object_set(c, from[i][0], v) < 0)
            goto fail;
    }
    long long exp = expires_ms >= 0 ? expires_ms / 1000 : -((-expires_ms + 999) / 1000);
    if (json_object_set_new(c, "exp", json_integer(exp)) < 0)
        goto fail;
    const char *k;
    json_t *v;
    json_object_foreach(row->user, k, v) {
        if (strcmp(k, "id") == 0 || strcmp(k, "name") == 0 || strcmp(k, "email") == 0 ||
            strcmp(k, "image") == 0)
            continue;
        if (json_object_set(c, k, v) < 0)
            goto fail;
    }
    return c;
fail:
    json_decref(c);
    return NULL;
}

static na_source_state resolve_row(na_source *s, long long now_ms, na_source_result *ss)
{
    na_store_row row;
    if (kept_find(s, ss->cred, ss->cred_len, now_ms, ss))
        return NA_SOURCE_FOUND;
    if (store_ready(s, &ss->err) < 0)
        return ss->state = NA_SOURCE_ERROR;
    int got = na_store_get(s->store, ss->cred, ss->cred_len, &row, &ss->err);
    if (got < 0)
        return ss->state = NA_SOURCE_ERROR;
    if (got == 0) {
        na_err_set(&ss->err, NA_E_KEY, "no session row for the token");
        return ss->state = NA_SOURCE_INVALID;
    }
    ss->expires_ms = row.expires_ms;
    if (!row.has_user) {
        na_store_row_free(&row);
        na_err_set(&ss->err, NA_E_CLAIMS, "the session row has no user row");
        return ss->state = NA_SOURCE_INVALID;
    }
    /* next-auth compares milliseconds, strictly: expires == now is valid */
    if (row.expires_ms < now_ms) {
        na_store_row_free(&row);
        na_err_set(&ss->err, NA_E_EXPIRED, "session row expired");
        return ss->state = NA_SOURCE_INVALID;
    }
    ss->claims = row_claims(&row, row.expires_ms);
    na_store_row_free(&row);
    if (ss->claims == NULL) {
        na_err_set(&ss->err, NA_E_NOMEM, "out of memory");
        return ss->state = NA_SOURCE_ERROR;
    }
    kept_put(s, ss->cred, ss->cred_len, now_ms, ss);
    return ss->state = NA_SOURCE_FOUND;
}

int na_source_locate(na_source *s, const na_source_req *rq, na_source_result *ss)
{
    session_clear(ss);
    if (s->database)
        return locate_opaque(s, rq, ss);
    if (!s->have_v) {
        ss->state = NA_SOURCE_ERROR;
        na_err_set(&ss->err, NA_E_NO_SECRET, "%s",
                   s->no_secret[0] ? s->no_secret : "no usable secret");
        return 0;
    }
    int got = na_token_find(&s->v, rq->cookie, rq->cookie_len, rq->authorization,
                            rq->authorization_len, &ss->cred, &ss->cred_len, &ss->seen,
                            &ss->err);
    if (got > 0)
        return 1;
    ss->state = got == 0 ? NA_SOURCE_NONE
                : ss->err.code == NA_E_NOMEM ? NA_SOURCE_ERROR
                                             : NA_SOURCE_INVALID;
    return 0;
}

na_source_state na_source_resolve(na_source *s, long long now_ms, unsigned flags,
                                  na_source_result *ss)
{
    if (s->database)
        return resolve_row(s, now_ms, ss);
    int rc = na_token_decode_view(&s->v, ss->cred, ss->cred_len, now_ms / 1000,
                                  (flags & NA_SOURCE_VIEW) ? &ss->view : NULL, &ss->claims,
                                  &ss->err);
    if (rc == 0)
        ss->state = NA_SOURCE_FOUND;
    else
        ss->state = ss->err.code == NA_E_NOMEM ? NA_SOURCE_ERROR : NA_SOURCE_INVALID;
    return ss->state;
}

na_source_state na_source_find(na_source *s, const na_source_req *rq, long long now_ms,
                               unsigned flags, na_source_result *ss)
{
    if (!na_source_locate(s, rq, ss))
        return ss->state;
    return na_source_resolve(s, now_ms, flags, ss);
}

json_t *na_source_tree(na_source *s, na_source_result *ss)
{
    if (ss->state != NA_SOURCE_FOUND)
        return NULL;
    if (ss->claims == NULL && !s->database) {
        ss->claims = na_token_held_claims(&s->v, &ss->err);
        na_token_release(&s->v);
    }
    return ss->claims;
}

void na_source_done(na_source *s, na_source_result *ss)
{
    json_decref(ss->claims);
    ss->claims = NULL;
    if (s->have_v)
        na_token_release(&s->v);
}
