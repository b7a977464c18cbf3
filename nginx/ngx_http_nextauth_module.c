/* SPDX-License-Identifier: MIT */
/* ngx_http_nextauth_module.c — the guard (lib/guard.h) inside nginx: the same
 * decision and the same answers as nextauth-guard, without the FastCGI hop
 * and without auth_request.
 *
 *   load_module modules/ngx_http_nextauth_module.so;
 *   http {
 *       nextauth_config /etc/nextauth-fcgi/config.json;
 *       server { location /legacy/ { nextauth on; } }
 *   }
 *
 * Configuration: nextauth_config (http level) names the JSON file
 * (nextauth-fcgi.json(5)); the secret and url may also come from nginx's
 * environment (NEXTAUTH_SECRET, NEXTAUTH_SECRET_FILE, NEXTAUTH_URL), as for
 * the programs. The file is read while nginx reads its own configuration — at
 * start, `nginx -t` and every reload — and a file that cannot be read or
 * parsed, or a url the guard cannot use, fails that with one line: nginx does
 * not start, and a reload keeps the configuration it runs. Never a server that
 * runs unguarded. A missing secret does not stop it (every guarded request is
 * refused, as the programs do). `nextauth on` without nextauth_config is a
 * configuration error too. `nextauth on|off` (http, server, location;
 * inherited, default off) says where requests are checked.
 *
 * One request, where nextauth is on, in the access phase (main requests only:
 * nginx runs no access check for subrequests):
 *   first every request header whose name, folded as CGI folds it (letters
 *   upper-cased, every other byte but digits made '_'), is X_NEXTAUTH_<…> or
 *   REMOTE_USER is removed — "X-Nextauth-User", "Remote-User" and, with
 *   underscores_in_headers on, "X_Nextauth_User" alike — so no proxied or
 *   FastCGI backend, and no $http_x_nextauth_* variable, sees a client's value
 *   under an identity name. Then the guard is asked in its FastCGI authorizer
 *   role, whose answers fit a server that goes on with the request itself:
 *   allow  (200 with Variable-NAME lines): NGX_OK; the values are the
 *          request's $nextauth_* variables (below). An allow without
 *          REMOTE_USER (a session with neither email nor sub) is a 500: fail
 *          closed.
 *   pass   (not guarded here: the auth path, the sign-in and error pages, a
 *          path outside the matcher): NGX_DECLINED, without an identity.
 *   deny   the guard's answer as it wrote it — status, Content-Type,
 *          Location, Cache-Control, Retry-After and body (none for HEAD) —
 *          sent from here, past any error_page, and the request finalized.
 * The decision is kept for the request: an internal redirect (index,
 * try_files, error_page) keeps the identity and does not ask again.
 * A worker whose guard could not be made answers 500 where nextauth is on.
 *
 * Variables (empty, "not found", unless the guard allowed the request):
 *   $nextauth_user        REMOTE_USER: the e-mail, else the subject
 *   $nextauth_email, $nextauth_name, $nextauth_sub, $nextauth_expires
 *   $nextauth_<name>      each NEXTAUTH_<NAME> of the configuration's
 *                         "identity" ($nextauth_role for NEXTAUTH_ROLE)
 *   $nextauth_claim_<c>   the session's claim c (nginx lower-cases variable
 *                         names: a claim of that name, else the first whose
 *                         name is c in another case): a string as it is, other
 *                         JSON compact, control bytes made '?', at most 4096
 *                         bytes. Only when some $nextauth_claim_ variable
 *                         appears in the configuration does the guard hand the
 *                         claims over (and skip its token cache) for allowed
 *                         requests.
 * They are values for proxy_set_header and fastcgi_param (anything evaluated
 * from the access phase on: in the rewrite phase — set, if, return — they are
 * still empty); a backend takes its identity from them only. Locations where
 * nextauth is off strip nothing: give a proxied backend its identity headers
 * at server level (proxy_set_header X-Nextauth-User $nextauth_user; an empty
 * value sends no header at all, so the client's is dropped there too).
 *
 * Processes: nginx workers are single-threaded; each worker makes its own
 * session source and guard (keys derived, database opened) when it starts,
 * from the configuration the master read, and frees them when it exits.
 * A database session's lookup is a blocking query (libpq or SQLite, bounded by
 * database.timeoutMs): while it waits, the worker's other connections wait
 * too. nginx has no blocking-free path into either library without a thread
 * pool, which would cost every request a hand-off; the bound, and the kept
 * sessions of database.cacheSeconds, are what limit the stall. */
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "guard.h"
#include "json.h"
#include "log.h"
#include "resp.h"
#include "source.h"
#include "timefmt.h"

#define NA_PROG "ngx_http_nextauth_module"
/* A claim variable's longest value, as the guard's identity values. */
#define NA_CLAIM_VALUE_MAX 4096

typedef struct {
    na_config *cfg;         /* NULL: no nextauth_config */
    ngx_str_t path;
    ngx_flag_t want_claims; /* some $nextauth_claim_ variable is used */
} ngx_http_nextauth_main_conf_t;

typedef struct {
    ngx_flag_t enable;
} ngx_http_nextauth_loc_conf_t;

/* One request's decision, kept in a cleanup of its pool (see get_ctx). */
typedef struct {
    ngx_uint_t allowed;     /* 0: passed without an identity */
    ngx_array_t vars;       /* ngx_keyval_t: "REMOTE_USER" → value, … */
    json_t *claims;         /* allowed, and claims wanted: the session's */
} ngx_http_nextauth_ctx_t;

/* The worker's guard (see the top of the file). */
static struct {
    int ready;
    na_source src;
    na_guard g;
    na_resp resp;
    na_buf out; /* the answer as na_resp_write writes it */
} worker;

static ngx_int_t ngx_http_nextauth_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_nextauth_init(ngx_conf_t *cf);
static void *ngx_http_nextauth_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_nextauth_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_nextauth_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static char *ngx_http_nextauth_config(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_nextauth_init_process(ngx_cycle_t *cycle);
static void ngx_http_nextauth_exit_process(ngx_cycle_t *cycle);

static ngx_command_t ngx_http_nextauth_commands[] = {
    {ngx_string("nextauth_config"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     ngx_http_nextauth_config, NGX_HTTP_MAIN_CONF_OFFSET, 0, NULL},
    {ngx_string("nextauth"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_nextauth_loc_conf_t, enable), NULL},
    ngx_null_command};

static ngx_http_module_t ngx_http_nextauth_module_ctx = {
    ngx_http_nextauth_add_variables,    /* preconfiguration */
    ngx_http_nextauth_init,             /* postconfiguration */
    ngx_http_nextauth_create_main_conf, /* create main configuration */
    NULL,                               /* init main configuration */
    NULL,                               /* create server configuration */
    NULL,                               /* merge server configuration */
    ngx_http_nextauth_create_loc_conf,  /* create location configuration */
    ngx_http_nextauth_merge_loc_conf    /* merge location configuration */
};

ngx_module_t ngx_http_nextauth_module = {
    NGX_MODULE_V1,
    &ngx_http_nextauth_module_ctx,  /* module context */
    ngx_http_nextauth_commands,     /* module directives */
    NGX_HTTP_MODULE,                /* module type */
    NULL,                           /* init master */
    NULL,                           /* init module */
    ngx_http_nextauth_init_process, /* init process */
    NULL,                           /* init thread */
    NULL,                           /* exit thread */
    ngx_http_nextauth_exit_process, /* exit process */
    NULL,                           /* exit master */
    NGX_MODULE_V1_PADDING};

/* ---- the library's log lines ---- */

/* na_log lines to an nginx log: the configuration's while it is read, the
 * request's while it is answered. */
static void log_to_conf(void *ctx, const char *line)
{
    ngx_conf_log_error(NGX_LOG_WARN, ctx, 0, "%s", line);
}

static void log_to_request(void *ctx, const char *line)
{
    ngx_log_error(NGX_LOG_ERR, (ngx_log_t *)ctx, 0, "%s", line);
}

/* ---- configuration ---- */

static void *ngx_http_nextauth_create_main_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_nextauth_main_conf_t));
}

static void *ngx_http_nextauth_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_nextauth_loc_conf_t *lcf = ngx_pcalloc(cf->pool, sizeof *lcf);
    if (lcf == NULL)
        return NULL;
    lcf->enable = NGX_CONF_UNSET;
    return lcf;
}

static char *ngx_http_nextauth_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_nextauth_loc_conf_t *prev = parent, *conf = child;
    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    if (conf->enable) {
        ngx_http_nextauth_main_conf_t *mcf =
            ngx_http_conf_get_module_main_conf(cf, ngx_http_nextauth_module);
        if (mcf->cfg == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"nextauth on\" needs nextauth_config");
            return NGX_CONF_ERROR;
        }
    }
    return NGX_CONF_OK;
}

static void config_cleanup(void *data)
{
    na_config_free(data);
}

/* nextauth_config FILE: read it now, and try a source and guard on it once, so
 * that what would fail every request fails the configuration instead. */
static char *ngx_http_nextauth_config(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_nextauth_main_conf_t *mcf = conf;
    ngx_str_t *value = cf->args->elts;
    ngx_pool_cleanup_t *cln;
    na_source src;
    na_guard g;
    na_err err;
    char *rv = NGX_CONF_ERROR;
    (void)cmd;

    if (mcf->cfg != NULL)
        return "is duplicate";
    mcf->path = value[1];
    if (ngx_conf_full_name(cf->cycle, &mcf->path, 1) != NGX_OK)
        return NGX_CONF_ERROR;
    /* NUL-terminated: ngx_conf_full_name allocates len + 1 and copies the NUL */
    na_log_set_prog(NA_PROG);
    na_log_set_sink(log_to_conf, cf);

    mcf->cfg = ngx_pcalloc(cf->pool, sizeof(na_config));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (mcf->cfg == NULL || cln == NULL)
        goto done;
    if (na_config_load(mcf->cfg, (const char *)mcf->path.data, &err) < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "nextauth_config %V: %s", &mcf->path,
                           err.msg);
        mcf->cfg = NULL;
        goto done;
    }
    cln->handler = config_cleanup;
    cln->data = mcf->cfg;
    na_config_warn(mcf->cfg);

    if (na_source_init(&src, mcf->cfg, NA_SOURCE_READ_ONLY, &err) < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "nextauth_config %V: %s", &mcf->path,
                           err.msg);
        goto done;
    }
    if (src.database && src.store == NULL)
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "nextauth_config %V: %s; sessions are refused until it answers",
                           &mcf->path, src.unavailable.msg);
    else if (!src.database && !src.have_v)
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "nextauth_config %V: NO_SECRET: %s; every guarded request will "
                           "be refused until it is set",
                           &mcf->path, src.no_secret);
    int rc = na_guard_init(&g, mcf->cfg, &src, &err);
    if (rc == 0)
        na_guard_free(&g);
    na_source_free(&src);
    if (rc < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "nextauth_config %V: %s", &mcf->path,
                           err.msg);
        goto done;
    }
    rv = NGX_CONF_OK;
done:
    na_log_set_sink(NULL, NULL);
    return rv;
}

/* ---- the worker's guard ---- */

static ngx_int_t ngx_http_nextauth_init_process(ngx_cycle_t *cycle)
{
    ngx_http_nextauth_main_conf_t *mcf;
    na_err err;

    if (ngx_process != NGX_PROCESS_WORKER && ngx_process != NGX_PROCESS_SINGLE)
        return NGX_OK; /* the cache manager and loader serve no request */
    mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_nextauth_module);
    if (mcf == NULL || mcf->cfg == NULL)
        return NGX_OK;
    json_object_seed(0); /* a no-op when the configuration's parse seeded it */
    na_log_set_prog(NA_PROG);
    na_log_set_sink(log_to_request, cycle->log);
    if (na_source_init(&worker.src, mcf->cfg, NA_SOURCE_READ_ONLY, &err) < 0) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, NA_PROG ": %s", err.msg);
        goto done;
    }
    if (na_guard_init(&worker.g, mcf->cfg, &worker.src, &err) < 0) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, NA_PROG ": %s", err.msg);
        na_source_free(&worker.src);
        goto done;
    }
    na_resp_init(&worker.resp);
    worker.ready = 1;
done:
    na_log_set_sink(NULL, NULL);
    return NGX_OK; /* a worker without a guard answers 500 where nextauth is on */
}

static void ngx_http_nextauth_exit_process(ngx_cycle_t *cycle)
{
    (void)cycle;
    if (!worker.ready)
        return;
    na_guard_free(&worker.g);
    na_source_free(&worker.src);
    na_resp_free(&worker.resp);
    na_buf_free(&worker.out);
    worker.ready = 0;
}

/* ---- a request's decision ---- */

static void ctx_cleanup(void *data)
{
    ngx_http_nextauth_ctx_t *ctx = data;
    if (ctx->claims != NULL)
        json_decref(ctx->claims);
    ctx->claims = NULL;
}

/* The main request's decision, or NULL when none was made. An internal
 * redirect empties the module contexts; the pool cleanup holding the decision
 * stays, so it is looked up there again. */
static ngx_http_nextauth_ctx_t *get_ctx(ngx_http_request_t *r)
{
    ngx_http_request_t *m = r->main;
    ngx_http_nextauth_ctx_t *ctx = ngx_http_get_module_ctx(m, ngx_http_nextauth_module);
    if (ctx != NULL)
        return ctx;
    for (ngx_pool_cleanup_t *c = m->pool->cleanup; c != NULL; c = c->next) {
        if (c->handler == ctx_cleanup) {
            ctx = c->data;
            ngx_http_set_ctx(m, ctx, ngx_http_nextauth_module);
            return ctx;
        }
    }
    return NULL;
}

static ngx_http_nextauth_ctx_t *new_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t *c = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_nextauth_ctx_t));
    if (c == NULL)
        return NULL;
    ngx_http_nextauth_ctx_t *ctx = c->data;
    ngx_memzero(ctx, sizeof *ctx);
    if (ngx_array_init(&ctx->vars, r->pool, 8, sizeof(ngx_keyval_t)) != NGX_OK)
        return NULL; /* the cleanup has nothing to release yet */
    c->handler = ctx_cleanup;
    ngx_http_set_ctx(r, ctx, ngx_http_nextauth_module);
    return ctx;
}

/* What the guard reads of the request's headers, NUL-terminated copies in the
 * request's pool: the Cookie headers joined with "; " (RFC 6265 §5.4: one line
 * in HTTP/1.1; HTTP/2 sends one per cookie), the first of each other one. The
 * client's identity headers are taken out of the request on the way (a new
 * list without them: nginx's list cannot drop an element). Returns NGX_OK or
 * NGX_ERROR (out of memory). */
typedef struct {
    const char *cookie, *authorization, *accept, *x_requested_with, *sec_fetch_mode;
} req_headers_t;

static const char *pool_str(ngx_pool_t *p, ngx_str_t *s)
{
    u_char *d = ngx_pnalloc(p, s->len + 1);
    if (d == NULL)
        return NULL;
    ngx_memcpy(d, s->data, s->len);
    d[s->len] = '\0';
    return (const char *)d;
}

/* The next element of a list of headers from *part and *i (start with the
 * list's first part and 0), or NULL at its end. */
static ngx_table_elt_t *next_elt(ngx_list_part_t **part, ngx_uint_t *i)
{
    while (*i >= (*part)->nelts) {
        if ((*part)->next == NULL)
            return NULL;
        *part = (*part)->next;
        *i = 0;
    }
    return (ngx_table_elt_t *)(*part)->elts + (*i)++;
}

static ngx_int_t read_headers(ngx_http_request_t *r, req_headers_t *h)
{
    static const struct {
        ngx_str_t name;
        size_t off;
    } wanted[] = {
        {ngx_string("authorization"), offsetof(req_headers_t, authorization)},
        {ngx_string("accept"), offsetof(req_headers_t, accept)},
        {ngx_string("x-requested-with"), offsetof(req_headers_t, x_requested_with)},
        {ngx_string("sec-fetch-mode"), offsetof(req_headers_t, sec_fetch_mode)},
    };
    ngx_list_part_t *part = &r->headers_in.headers.part;
    ngx_uint_t i = 0, removed = 0;
    ngx_table_elt_t *e;
    size_t cookie_len = 0;

    ngx_memzero(h, sizeof *h);
    while ((e = next_elt(&part, &i)) != NULL) {
        if (na_guard_identity_header((const char *)e->key.data, e->key.len)) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          NA_PROG ": client-sent identity header \"%*s\" removed",
                          ngx_min(e->key.len, (size_t)64), e->key.data);
            removed++;
            continue;
        }
        if (e->key.len == 6 && ngx_strncasecmp(e->key.data, (u_char *)"cookie", 6) == 0) {
            cookie_len += (cookie_len ? 2 : 0) + e->value.len;
            continue;
        }
        for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++) {
            const char **slot = (const char **)((char *)h + wanted[w].off);
            if (*slot == NULL && e->key.len == wanted[w].name.len &&
                ngx_strncasecmp(e->key.data, wanted[w].name.data, e->key.len) == 0 &&
                (*slot = pool_str(r->pool, &e->value)) == NULL)
                return NGX_ERROR;
        }
    }

    /* A client's identity headers: the request goes on with a new list
     * without them (only then: nginx's list cannot drop an element). */
    if (removed) {
        ngx_list_t kept;
        if (ngx_list_init(&kept, r->pool, 20, sizeof(ngx_table_elt_t)) != NGX_OK)
            return NGX_ERROR;
        part = &r->headers_in.headers.part;
        i = 0;
        while ((e = next_elt(&part, &i)) != NULL) {
            if (na_guard_identity_header((const char *)e->key.data, e->key.len))
                continue;
            ngx_table_elt_t *k = ngx_list_push(&kept);
            if (k == NULL)
                return NGX_ERROR;
            *k = *e;
        }
        r->headers_in.headers = kept;
    }

    if (cookie_len > 0) {
        u_char *c = ngx_pnalloc(r->pool, cookie_len + 1), *p = c;
        if (c == NULL)
            return NGX_ERROR;
        part = &r->headers_in.headers.part;
        i = 0;
        while ((e = next_elt(&part, &i)) != NULL)
            if (e->key.len == 6 && ngx_strncasecmp(e->key.data, (u_char *)"cookie", 6) == 0) {
                if (p != c)
                    p = ngx_cpymem(p, "; ", 2);
                p = ngx_cpymem(p, e->value.data, e->value.len);
            }
        *p = '\0';
        h->cookie = (const char *)c;
    }
    return NGX_OK;
}

static ngx_int_t set_str(ngx_pool_t *p, ngx_str_t *dst, const char *src)
{
    dst->len = ngx_strlen(src);
    dst->data = ngx_pnalloc(p, dst->len ? dst->len : 1);
    if (dst->data == NULL)
        return NGX_ERROR;
    ngx_memcpy(dst->data, src, dst->len);
    return NGX_OK;
}

/* Send the guard's denial: its status, its headers as they are (Location
 * included: nginx does not make it absolute, as it is not headers_out.location),
 * its body unless HEAD. Returns what the caller finalizes the request with. */
static ngx_int_t send_deny(ngx_http_request_t *r, ngx_uint_t status, char *buf, size_t len,
                           size_t pos)
{
    char *name, *value;
    ngx_chain_t out;
    ngx_buf_t *b;
    ngx_int_t rc;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK)
        return rc;
    r->headers_out.status = status;
    while (na_resp_text_header(buf, len, &pos, &name, &value)) {
        if (ngx_strcasecmp((u_char *)name, (u_char *)"Content-Type") == 0) {
            if (set_str(r->pool, &r->headers_out.content_type, value) != NGX_OK)
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            r->headers_out.content_type_len = r->headers_out.content_type.len;
            r->headers_out.content_type_lowcase = NULL;
            continue;
        }
        ngx_table_elt_t *h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL || set_str(r->pool, &h->key, name) != NGX_OK ||
            set_str(r->pool, &h->value, value) != NGX_OK)
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        h->hash = 1;
        h->lowcase_key = NULL;
    }
    size_t body = len > pos ? len - pos : 0;
    r->headers_out.content_length_n = (off_t)body;
    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only)
        return rc;
    if (body == 0)
        return ngx_http_send_special(r, NGX_HTTP_LAST);
    b = ngx_create_temp_buf(r->pool, body);
    if (b == NULL)
        return NGX_ERROR;
    b->last = ngx_cpymem(b->last, buf + pos, body);
    b->last_buf = 1;
    b->last_in_chain = 1;
    out.buf = b;
    out.next = NULL;
    return ngx_http_output_filter(r, &out);
}

/* Keep the allow's Variable-NAME lines as the request's variables. Returns
 * NGX_OK, or an HTTP status (no user: fail closed; no memory). */
static ngx_int_t keep_identity(ngx_http_request_t *r, ngx_http_nextauth_ctx_t *ctx, char *buf,
                               size_t len, size_t pos)
{
    char *name, *value;
    int user = 0;
    while (na_resp_text_header(buf, len, &pos, &name, &value)) {
        if (ngx_strncmp(name, "Variable-", 9) != 0)
            continue;
        name += 9;
        ngx_keyval_t *kv = ngx_array_push(&ctx->vars);
        if (kv == NULL || set_str(r->pool, &kv->key, name) != NGX_OK ||
            set_str(r->pool, &kv->value, value) != NGX_OK)
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        if (ngx_strcmp(name, "REMOTE_USER") == 0 && *value != '\0')
            user = 1;
    }
    if (!user) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      NA_PROG ": a session without email or sub: no user, refused");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ctx->allowed = 1;
    return NGX_OK;
}

static int buf_write(void *ctx, const char *p, size_t n)
{
    return na_buf_append(ctx, p, n);
}

static ngx_int_t ngx_http_nextauth_handler(ngx_http_request_t *r)
{
    ngx_http_nextauth_loc_conf_t *lcf = ngx_http_get_module_loc_conf(r, ngx_http_nextauth_module);
    ngx_http_nextauth_main_conf_t *mcf;
    ngx_http_nextauth_ctx_t *ctx;
    req_headers_t h;
    json_t *claims = NULL;

    if (!lcf->enable)
        return NGX_DECLINED;
    ctx = get_ctx(r);
    if (ctx != NULL) /* decided before an internal redirect */
        return ctx->allowed ? NGX_OK : NGX_DECLINED;
    if (!worker.ready) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      NA_PROG ": no guard in this worker (see its start-up line)");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    mcf = ngx_http_get_module_main_conf(r, ngx_http_nextauth_module);
    if (read_headers(r, &h) != NGX_OK)
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    const char *uri = pool_str(r->pool, &r->unparsed_uri);
    if (uri == NULL)
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    na_guard_req rq = {
        .request_uri = uri,
        .cookie = h.cookie,
        .authorization = h.authorization,
        .accept = h.accept,
        .x_requested_with = h.x_requested_with,
        .sec_fetch_mode = h.sec_fetch_mode,
        .fcgi_role = "AUTHORIZER", /* allow: Variable-* lines; deny: the whole answer */
        .claims_out = mcf->want_claims ? &claims : NULL,
    };
    na_resp_reset(&worker.resp);
    worker.out.len = 0;
    na_log_set_sink(log_to_request, r->connection->log);
    na_guard_outcome o = na_guard_respond(&worker.g, &rq, na_timefmt_now_ms(), &worker.resp);
    na_log_set_sink(NULL, NULL);
    int wrote = na_resp_write(&worker.resp, buf_write, &worker.out);
    ctx = new_ctx(r);
    if (ctx == NULL) {
        if (claims != NULL)
            json_decref(claims);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ctx->claims = claims; /* released with the request */
    char *buf = worker.out.p;
    size_t len = worker.out.len, pos = 0;
    int status = wrote < 0 ? -1 : na_resp_text_status(buf, len, &pos);
    if (status < 200)
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    if (status != 200) {
        ngx_http_finalize_request(r, send_deny(r, (ngx_uint_t)status, buf, len, pos));
        return NGX_DONE;
    }
    if (o == NA_GUARD_PASS)
        return NGX_DECLINED;
    return keep_identity(r, ctx, buf, len, pos);
}

/* ---- variables ---- */

/* $nextauth_user, $nextauth_email, …: data is the guard's variable name. */
static ngx_int_t get_identity(ngx_http_request_t *r, ngx_http_variable_value_t *v,
                              uintptr_t data)
{
    const char *want = (const char *)data;
    ngx_http_nextauth_ctx_t *ctx = get_ctx(r);
    v->not_found = 1;
    if (ctx == NULL || !ctx->allowed)
        return NGX_OK;
    ngx_keyval_t *kv = ctx->vars.elts;
    for (ngx_uint_t i = 0; i < ctx->vars.nelts; i++) {
        if (kv[i].key.len == ngx_strlen(want) &&
            ngx_strncmp(kv[i].key.data, want, kv[i].key.len) == 0) {
            v->data = kv[i].value.data;
            v->len = kv[i].value.len;
            v->valid = 1;
            v->no_cacheable = 1;
            v->not_found = 0;
            return NGX_OK;
        }
    }
    return NGX_OK;
}

/* $nextauth_claim_<name>: data is the variable's whole name. The claim whose
 * name is <name>, else the first whose name is <name> in another case. */
static ngx_int_t get_claim(ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data)
{
    static const size_t prefix = sizeof "nextauth_claim_" - 1;
    ngx_str_t *var = (ngx_str_t *)data;
    ngx_http_nextauth_ctx_t *ctx = get_ctx(r);
    const char *key, *s;
    json_t *c = NULL, *x;
    char *dumped = NULL, *name;
    size_t n;

    v->not_found = 1;
    if (ctx == NULL || !ctx->allowed || ctx->claims == NULL || var->len <= prefix)
        return NGX_OK;
    name = ngx_pnalloc(r->pool, var->len - prefix + 1);
    if (name == NULL)
        return NGX_ERROR;
    ngx_memcpy(name, var->data + prefix, var->len - prefix);
    name[var->len - prefix] = '\0';
    c = json_object_get(ctx->claims, name);
    if (c == NULL) {
        json_object_foreach(ctx->claims, key, x) {
            if (ngx_strcasecmp((u_char *)key, (u_char *)name) == 0) {
                c = x;
                break;
            }
        }
    }
    if (c == NULL || json_is_null(c))
        return NGX_OK;
    if ((s = json_string_value(c)) != NULL) {
        n = json_string_length(c);
    } else {
        if ((dumped = na_json_dumps_js(c)) == NULL)
            return NGX_ERROR;
        s = dumped;
        n = strlen(s);
    }
    if (n > NA_CLAIM_VALUE_MAX) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      NA_PROG ": $%V left empty: claim %s is %uz bytes (at most %d)", var, name,
                      n, NA_CLAIM_VALUE_MAX);
        free(dumped);
        return NGX_OK;
    }
    u_char *d = ngx_pnalloc(r->pool, n ? n : 1);
    if (d == NULL) {
        free(dumped);
        return NGX_ERROR;
    }
    /* a header value: control bytes (a NUL among them) become '?' */
    for (size_t i = 0; i < n; i++) {
        u_char ch = (u_char)s[i];
        d[i] = ch < 0x20 || ch == 0x7f ? '?' : ch;
    }
    free(dumped);
    v->data = d;
    v->len = n;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    return NGX_OK;
}

/* The guard's fixed identity variables, and the names nginx gives them. */
static const struct {
    ngx_str_t name;
    const char *var;
} builtin_vars[] = {
    {ngx_string("nextauth_user"), "REMOTE_USER"},
    {ngx_string("nextauth_email"), "NEXTAUTH_EMAIL"},
    {ngx_string("nextauth_name"), "NEXTAUTH_NAME"},
    {ngx_string("nextauth_sub"), "NEXTAUTH_SUB"},
    {ngx_string("nextauth_expires"), "NEXTAUTH_EXPIRES"},
};

static ngx_int_t add_identity_var(ngx_conf_t *cf, ngx_str_t *name, const char *var)
{
    ngx_http_variable_t *v = ngx_http_add_variable(cf, name, NGX_HTTP_VAR_NOCACHEABLE);
    if (v == NULL)
        return NGX_ERROR;
    v->get_handler = get_identity;
    v->data = (uintptr_t)var;
    return NGX_OK;
}

static ngx_int_t ngx_http_nextauth_add_variables(ngx_conf_t *cf)
{
    static ngx_str_t claim = ngx_string("nextauth_claim_");
    for (size_t i = 0; i < sizeof builtin_vars / sizeof builtin_vars[0]; i++) {
        ngx_str_t name = builtin_vars[i].name;
        if (add_identity_var(cf, &name, builtin_vars[i].var) != NGX_OK)
            return NGX_ERROR;
    }
    ngx_http_variable_t *v =
        ngx_http_add_variable(cf, &claim, NGX_HTTP_VAR_PREFIX | NGX_HTTP_VAR_NOCACHEABLE);
    if (v == NULL)
        return NGX_ERROR;
    v->get_handler = get_claim;
    return NGX_OK;
}

/* After the configuration: $nextauth_<name> for each identity name of the
 * configuration, whether claims are wanted, and the access handler. */
static ngx_int_t ngx_http_nextauth_init(ngx_conf_t *cf)
{
    static const char claim[] = "nextauth_claim_";
    ngx_http_core_main_conf_t *cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    ngx_http_nextauth_main_conf_t *mcf =
        ngx_http_conf_get_module_main_conf(cf, ngx_http_nextauth_module);

    if (mcf->cfg != NULL) {
        for (size_t i = 0; i < mcf->cfg->nidentity; i++) {
            /* NEXTAUTH_ROLE → nextauth_role (config.c: NEXTAUTH_[A-Z0-9_]+) */
            const char *var = mcf->cfg->identity_var[i];
            ngx_str_t name;
            name.len = ngx_strlen(var);
            name.data = ngx_pnalloc(cf->pool, name.len);
            if (name.data == NULL)
                return NGX_ERROR;
            ngx_strlow(name.data, (u_char *)var, name.len);
            if (add_identity_var(cf, &name, var) != NGX_OK)
                return NGX_ERROR;
        }
    }
    /* The variables the configuration uses are indexed by now; the prefix
     * variables are bound to them after this. */
    ngx_http_variable_t *v = cmcf->variables.elts;
    for (ngx_uint_t i = 0; i < cmcf->variables.nelts; i++)
        if (v[i].name.len > sizeof claim - 1 &&
            ngx_strncmp(v[i].name.data, claim, sizeof claim - 1) == 0)
            mcf->want_claims = 1;

    ngx_http_handler_pt *h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL)
        return NGX_ERROR;
    *h = ngx_http_nextauth_handler;
    return NGX_OK;
}
