/* source.c — the session token as the source of a request's session (see
 * source.h). */
#include "source.h"

#include <stdio.h>
#include <string.h>

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

int na_source_init(na_source *s, const na_config *cfg, na_err *err)
{
    memset(s, 0, sizeof *s);
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
}

static void session_clear(na_session *ss)
{
    ss->state = NA_SOURCE_NONE;
    ss->cred = NULL;
    ss->cred_len = 0;
    ss->claims = NULL;
    ss->seen.n = 0;
    na_err_clear(&ss->err);
}

int na_source_locate(na_source *s, const na_source_req *rq, na_session *ss)
{
    session_clear(ss);
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

na_source_state na_source_resolve(na_source *s, long long now, unsigned flags,
                                  na_session *ss)
{
    int rc = na_token_decode_view(&s->v, ss->cred, ss->cred_len, now,
                                  (flags & NA_SOURCE_VIEW) ? &ss->view : NULL, &ss->claims,
                                  &ss->err);
    if (rc == 0)
        ss->state = NA_SOURCE_FOUND;
    else
        ss->state = ss->err.code == NA_E_NOMEM ? NA_SOURCE_ERROR : NA_SOURCE_INVALID;
    return ss->state;
}

na_source_state na_source_find(na_source *s, const na_source_req *rq, long long now,
                               unsigned flags, na_session *ss)
{
    if (!na_source_locate(s, rq, ss))
        return ss->state;
    return na_source_resolve(s, now, flags, ss);
}

json_t *na_source_tree(na_source *s, na_session *ss)
{
    if (ss->state != NA_SOURCE_FOUND)
        return NULL;
    if (ss->claims == NULL) {
        ss->claims = na_token_held_claims(&s->v, &ss->err);
        na_token_release(&s->v);
    }
    return ss->claims;
}

void na_source_done(na_source *s, na_session *ss)
{
    json_decref(ss->claims);
    ss->claims = NULL;
    if (s->have_v)
        na_token_release(&s->v);
}
