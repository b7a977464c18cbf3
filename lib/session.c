/* SPDX-License-Identifier: MIT */
/* session.c — the session endpoint (see session.h). */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "setcookie.h"
#include "timefmt.h"

char *na_session_body(const json_t *claims, const na_config *cfg, long long expires_ms)
{
    /* docs/behaviour.md, Session body: user fields come from the token as name,
     * email and picture → image. */
    static const char *const fields[][2] = {
        {"name", "name"}, {"email", "email"}, {"image", "picture"}};
    char iso[25];
    char *out = NULL;
    json_t *body = json_object(), *user = json_object();

    if (body == NULL || user == NULL)
        goto out;
    for (size_t i = 0; i < 3; i++) {
        json_t *val = json_object_get(claims, fields[i][1]);
        if (val != NULL && json_object_set(user, fields[i][0], val) < 0)
            goto out;
    }
    for (size_t i = 0; i < cfg->nexpose; i++) {
        json_t *val = json_object_get(claims, cfg->expose_claim[i]);
        if (val != NULL && json_object_set(user, cfg->expose_key[i], val) < 0)
            goto out;
    }
    na_timefmt_iso_ms(expires_ms, iso);
    if (json_object_set(body, "user", user) < 0 ||
        json_object_set_new(body, "expires", json_string(iso)) < 0)
        goto out;
    out = na_json_dumps_js(body);
out:
    json_decref(user);
    json_decref(body);
    return out;
}

int na_session_refresh(na_verifier *v, const na_config *cfg, json_t *claims,
                       const na_cookie_seen *seen, long long now_ms, long long expires_ms,
                       na_resp *r, na_err *err)
{
    char *tok = na_token_encode(v, claims, cfg->session_max_age, now_ms / 1000, err);
    if (tok == NULL)
        return -1;
    size_t chunk = cfg->format == NA_FMT_V5 ? NA_CHUNK_SIZE_V5 : NA_CHUNK_SIZE_V4;
    int rc = na_setcookie_session(r, v->cookie_name, tok, strlen(tok), chunk, seen,
                                  expires_ms / 1000, na_config_secure(cfg));
    free(tok);
    if (rc < 0)
        return na_err_set(err, NA_E_TOO_BIG, "the refreshed token does not fit in %d chunks",
                          NA_MAX_CHUNKS);
    return 0;
}

int na_session_extend(na_source *src, const na_config *cfg, const na_source_result *ss,
                      long long now_ms, na_resp *r, na_err *err)
{
    long long max_ms = (long long)cfg->session_max_age * 1000;
    long long new_expires = now_ms + max_ms;
    /* due once the row is updateAge old: expires - maxAge + updateAge <= now */
    if (ss->expires_ms - max_ms + (long long)cfg->session_update_age * 1000 <= now_ms &&
        na_store_touch(src->store, ss->cred, ss->cred_len, new_expires, now_ms, err) < 0)
        return -1;
    /* one cookie, never chunks, and stale chunks are left as they are */
    if (na_setcookie_session(r, src->cookie_name, ss->cred, ss->cred_len, NA_OPAQUE_TOKEN_MAX,
                             NULL, new_expires / 1000, na_config_secure(cfg)) < 0)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    return 0;
}

/* A database session (docs/behaviour.md, Database sessions): next-auth's
 * database branch. Any database error answers the empty session and leaves
 * the cookies as they are. */
static void respond_database(na_source *src, const na_config *cfg, const char *cookie,
                             long long now_ms, const char *empty, na_resp *r)
{
    size_t clen = cookie ? strlen(cookie) : 0;
    na_source_req sr = {.cookie = cookie, .cookie_len = clen};
    na_source_result ss;
    na_err err;
    switch (na_source_find(src, &sr, now_ms, 0, &ss)) {
    case NA_SOURCE_NONE:
        if (ss.err.code == NA_E_TOO_BIG)
            na_log("SESSION_ERROR: %s (cookie %s)", ss.err.msg, src->cookie_name);
        break;
    case NA_SOURCE_ERROR:
        if (ss.err.code == NA_E_NOMEM) {
            na_log("cannot read the session: %s", ss.err.msg);
            r->failed = 1;
            return;
        }
        na_log("SESSION_ERROR: %s", ss.err.msg);
        break;
    case NA_SOURCE_INVALID:
        /* an expired row is deleted, as next-auth does; then, as for an unknown
         * token or a row without its user, every session cookie is cleared */
        if (ss.err.code == NA_E_EXPIRED &&
            na_store_delete(src->store, ss.cred, ss.cred_len, &err) < 0) {
            na_log("SESSION_ERROR: cannot delete the expired session: %s", err.msg);
            break;
        }
        na_resp_json(r, 200, empty);
        na_resp_no_cache(r);
        na_setcookie_clear(r, src->cookie_name, &ss.seen, na_config_secure(cfg));
        return;
    case NA_SOURCE_FOUND: {
        /* the body shows the row's expiry as read, before any extension */
        char *body = na_session_body(ss.claims, cfg, ss.expires_ms);
        na_resp_status(r, 200);
        na_resp_header(r, "Content-Type", "application/json");
        na_resp_no_cache(r);
        if (body == NULL || na_session_extend(src, cfg, &ss, now_ms, r, &err) < 0) {
            na_log("SESSION_ERROR: cannot extend the session: %s",
                   body ? err.msg : "out of memory");
            free(body);
            na_source_done(src, &ss);
            na_resp_restart(r);
            break;
        }
        na_source_done(src, &ss);
        na_resp_body(r, body, strlen(body));
        free(body);
        return;
    }
    }
    na_resp_json(r, 200, empty);
    na_resp_no_cache(r);
}

void na_session_respond(na_source *src, const na_config *cfg, const char *method,
                        const char *cookie, long long now_ms, na_resp *r)
{
    int v5 = cfg->format == NA_FMT_V5;
    /* Auth.js answers null where next-auth answers {}. */
    const char *empty = v5 ? "null" : "{}";

    if (method == NULL)
        method = "GET";
    if (strcmp(method, "HEAD") == 0)
        r->head_only = 1;
    else if (strcmp(method, "GET") != 0) {
        na_resp_405(r, "GET, HEAD");
        return;
    }

    if (src->database) {
        respond_database(src, cfg, cookie, now_ms, empty, r);
        return;
    }

    /* The session route reads cookies only: no Bearer token. */
    size_t clen = cookie ? strlen(cookie) : 0;
    na_source_req sr = {.cookie = cookie, .cookie_len = clen};
    na_source_result ss;
    switch (na_source_find(src, &sr, now_ms, 0, &ss)) {
    case NA_SOURCE_ERROR:
        if (ss.err.code == NA_E_NO_SECRET) {
            na_log("NO_SECRET: %s", ss.err.msg);
            na_resp_500_config(r, v5);
        } else {
            na_log("cannot read the session: %s", ss.err.msg);
            r->failed = 1; /* a bare 500: neither a session nor a sign-out */
        }
        return;
    case NA_SOURCE_NONE:
        /* no token, no cookie changes (empty chunks are left alone) */
        na_resp_json(r, 200, empty);
        na_resp_no_cache(r);
        return;
    case NA_SOURCE_INVALID:
        /* a bad token: log JWT_SESSION_ERROR and clear every chunk seen */
        na_log("JWT_SESSION_ERROR: %s (cookie %s, %zu name(s), header %zu bytes)", ss.err.msg,
               src->cookie_name, ss.seen.n, clen);
        na_resp_json(r, 200, empty);
        na_resp_no_cache(r);
        na_setcookie_clear(r, src->cookie_name, &ss.seen, na_config_secure(cfg));
        return;
    case NA_SOURCE_FOUND:
        break;
    }

    /* docs/behaviour.md, Rolling refresh: body from the decoded claims, then the
     * token re-encoded with session.maxAge (fresh iat/exp/jti), the cookie's
     * Expires = the body's. */
    long long expires_ms = now_ms + (long long)cfg->session_max_age * 1000;
    char *body = na_session_body(ss.claims, cfg, expires_ms);
    na_err err;
    na_resp_status(r, 200);
    na_resp_header(r, "Content-Type", "application/json");
    na_resp_no_cache(r);
    if (body == NULL || na_session_refresh(&src->v, cfg, ss.claims, &ss.seen, now_ms,
                                           expires_ms, r, &err) < 0) {
        /* as next-auth when its refresh throws: the empty session, the cookies
         * cleared — on an answer started afresh, since a failed Set-Cookie
         * marked this one failed */
        na_log("JWT_SESSION_ERROR: cannot refresh the session: %s",
               body ? err.msg : "out of memory");
        free(body);
        na_source_done(src, &ss);
        na_resp_restart(r);
        na_resp_json(r, 200, empty);
        na_resp_no_cache(r);
        na_setcookie_clear(r, src->cookie_name, &ss.seen, na_config_secure(cfg));
        return;
    }
    na_source_done(src, &ss);
    na_resp_body(r, body, strlen(body));
    free(body);
}
