/* SPDX-License-Identifier: MIT */
/* mod_nextauth.c — the guard (lib/guard.h) inside Apache 2.4: the same
 * decision and the same answers as nextauth-guard, without the FastCGI hop.
 *
 *   LoadModule nextauth_module …/mod_nextauth.so
 *   NextAuthConfig /etc/nextauth-fcgi/config.json
 *   <Location "/legacy/">
 *       AuthType NextAuth
 *       Require valid-user
 *   </Location>
 *
 * Configuration: NextAuthConfig names the JSON file (nextauth-fcgi.json(5));
 * the secret and url may also come from Apache's environment (NEXTAUTH_SECRET,
 * NEXTAUTH_SECRET_FILE, NEXTAUTH_URL), as for the programs. The file is read
 * once per (re)start, in the parent after the configuration is parsed, and a
 * file that cannot be read or parsed, or a url the guard cannot use, stops
 * Apache with one line in the error log: never a server that runs unguarded.
 * A missing secret does not stop it (every guarded request is refused, as the
 * programs do).
 *
 * One request: for AuthType NextAuth only, the check_authn hook first removes
 * every request header whose name, folded as CGI folds it (letters upper-cased,
 * every other byte but digits made '_'), is X_NEXTAUTH_<something> or
 * REMOTE_USER — "X-Nextauth-User", "x.nextauth.user", "Remote-User" alike — so
 * no backend (CGI, mod_proxy) sees a client's value under an identity name.
 * Then it asks the guard in its FastCGI authorizer role, whose answers fit a
 * server that goes on with the request itself:
 *   allow  (200 with Variable-NAME lines): r->user from REMOTE_USER,
 *          AUTH_TYPE NextAuth, every other variable (NEXTAUTH_EMAIL, …, the
 *          configured identity) into the subprocess environment; then the
 *          Require lines decide as usual. An allow without REMOTE_USER (a
 *          session with neither email nor sub) is a 500, as with the program
 *          under mod_authnz_fcgi: fail closed.
 *   pass   (not guarded here: the auth path, the sign-in and error pages, a
 *          path outside the matcher): the request goes on without an
 *          identity. Require valid-user wants a user, so r->user is "" until
 *          the fixups, where it is taken away again: backends see no
 *          REMOTE_USER and no AUTH_TYPE.
 *   deny   the guard's answer as it wrote it — status, Content-Type,
 *          Location, Cache-Control, Retry-After and body — written here and
 *          DONE returned, so no ErrorDocument replaces it. In a subrequest
 *          only the status is returned.
 *
 * Threads: a guard and its session source hold per-thread state (the token
 * verifier's buffers, the token cache, a database connection), so each
 * thread that serves a request gets its own, made at its first request from
 * the one configuration the child shares read-only, kept under an APR thread
 * key and freed when the thread ends. Nothing is shared between threads but
 * the configuration; no lock is taken on a request. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "guard.h"
#include "log.h"
#include "resp.h"
#include "source.h"
#include "timefmt.h"

#define AUTH_TYPE_NAME "NextAuth"
/* r->notes key: the guard let this request pass without an identity */
#define NOTE_PASS "nextauth-pass"

module AP_MODULE_DECLARE_DATA nextauth_module;

/* The configuration: one per Apache (NextAuthConfig is global), read in
 * post_config, shared read-only by every thread of a child. */
static const char *config_path;
static na_config cfg;
static int cfg_loaded;

/* One thread's guard (see the top of the file). */
typedef struct {
    na_source src;
    na_guard g;
    na_resp resp;
    na_buf out; /* the answer as na_resp_write writes it */
} thread_state;

static apr_threadkey_t *state_key;

/* ---- configuration ---- */

static const char *set_config(cmd_parms *cmd, void *dconf, const char *arg)
{
    (void)dconf;
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    if (err != NULL)
        return err;
    config_path = ap_server_root_relative(cmd->pool, arg);
    return config_path ? NULL : apr_pstrcat(cmd->pool, "NextAuthConfig: bad path ", arg, NULL);
}

static const command_rec nextauth_cmds[] = {
    AP_INIT_TAKE1("NextAuthConfig", set_config, NULL, RSRC_CONF,
                  "the nextauth-fcgi JSON configuration file"),
    {NULL}};

static apr_status_t config_cleanup(void *unused)
{
    (void)unused;
    if (cfg_loaded)
        na_config_free(&cfg);
    cfg_loaded = 0;
    return APR_SUCCESS;
}

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)pconf, (void)plog, (void)ptemp;
    config_path = NULL; /* a restart reads the directives again */
    return OK;
}

/* Read the configuration, and try a source and guard on it once, so that what
 * would fail every request fails the start instead. */
static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)plog, (void)ptemp;
    na_err err;
    config_cleanup(NULL);
    na_log_set_prog("mod_nextauth"); /* the library's lines go to the error log (stderr) */
    if (config_path == NULL)
        return OK; /* loaded, unused: an AuthType NextAuth request is a 500 */
    if (na_config_load(&cfg, config_path, &err) < 0) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "mod_nextauth: NextAuthConfig %s: %s",
                     config_path, err.msg);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    cfg_loaded = 1;
    apr_pool_cleanup_register(pconf, NULL, config_cleanup, apr_pool_cleanup_null);
    na_config_warn(&cfg);

    na_source src;
    na_guard g;
    if (na_source_init(&src, &cfg, NA_SOURCE_READ_ONLY, &err) < 0) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "mod_nextauth: %s: %s", config_path,
                     err.msg);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (src.database && src.store == NULL)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "mod_nextauth: %s; sessions are refused until it answers",
                     src.unavailable.msg);
    else if (!src.database && !src.have_v)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "mod_nextauth: NO_SECRET: %s; every guarded request will be refused "
                     "until it is set",
                     src.no_secret);
    int rc = na_guard_init(&g, &cfg, &src, &err);
    if (rc == 0)
        na_guard_free(&g);
    na_source_free(&src);
    if (rc < 0) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "mod_nextauth: %s: %s", config_path,
                     err.msg);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* ---- per-thread state ---- */

static void state_free(void *p)
{
    thread_state *t = p;
    if (t == NULL)
        return;
    na_guard_free(&t->g);
    na_source_free(&t->src);
    na_resp_free(&t->resp);
    na_buf_free(&t->out);
    free(t);
}

static void child_init(apr_pool_t *pchild, server_rec *s)
{
    json_object_seed(0); /* before the threads (a no-op when the parent's config load seeded it) */
    if (apr_threadkey_private_create(&state_key, state_free, pchild) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "mod_nextauth: no thread key");
        state_key = NULL;
    }
}

/* This thread's guard, made at its first request; NULL (logged) when it
 * cannot be made. */
static thread_state *state_get(request_rec *r)
{
    void *p = NULL;
    if (state_key == NULL || apr_threadkey_private_get(&p, state_key) != APR_SUCCESS)
        return NULL;
    if (p != NULL)
        return p;
    thread_state *t = calloc(1, sizeof *t);
    na_err err;
    if (t == NULL)
        return NULL;
    if (na_source_init(&t->src, &cfg, NA_SOURCE_READ_ONLY, &err) < 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_nextauth: %s", err.msg);
        free(t);
        return NULL;
    }
    if (na_guard_init(&t->g, &cfg, &t->src, &err) < 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_nextauth: %s", err.msg);
        na_source_free(&t->src);
        free(t);
        return NULL;
    }
    na_resp_init(&t->resp);
    if (apr_threadkey_private_set(t, state_key) != APR_SUCCESS) {
        state_free(t);
        return NULL;
    }
    return t;
}

/* ---- the request ---- */

/* name, folded as CGI folds header names, is X_NEXTAUTH_<one or more> or
 * REMOTE_USER. */
static int identity_name(const char *name)
{
    static const char pre[] = "X_NEXTAUTH_", ru[] = "REMOTE_USER"; /* both 11 bytes */
    char f[sizeof ru];
    size_t n = 0;
    for (; name[n] != '\0' && n < sizeof f - 1; n++) {
        unsigned char c = (unsigned char)name[n];
        f[n] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A'
                      : (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c
                                                                         : '_');
    }
    if (n < sizeof f - 1)
        return 0;
    if (memcmp(f, pre, n) == 0)
        return name[n] != '\0';
    return memcmp(f, ru, n) == 0 && name[n] == '\0';
}

static void strip_identity_headers(request_rec *r)
{
    const apr_array_header_t *a = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    for (int i = 0; i < a->nelts; i++) {
        if (e[i].key == NULL || !identity_name(e[i].key))
            continue;
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "mod_nextauth: client-sent identity header %.64s removed", e[i].key);
        apr_table_unset(r->headers_in, e[i].key); /* every header of that name */
        a = apr_table_elts(r->headers_in);
        e = (const apr_table_entry_t *)a->elts;
        i = -1; /* the table changed: from the start again */
    }
}

/* The Cookie header lines joined with "; " (RFC 6265 §5.4: one line in
 * HTTP/1.1; HTTP/2 may split it), or NULL. */
typedef struct {
    apr_pool_t *p;
    const char *joined;
} cookies_t;

static int join_cookie(void *ctx, const char *key, const char *value)
{
    cookies_t *c = ctx;
    (void)key;
    c->joined = c->joined ? apr_pstrcat(c->p, c->joined, "; ", value, NULL) : value;
    return 1;
}

static int buf_write(void *ctx, const char *p, size_t n)
{
    return na_buf_append(ctx, p, n);
}

/* Next "Name: value\r\n" line of the answer's head at *pos: name and value
 * NUL-terminated in place (the buffer is ours). Returns 1, or 0 at the blank
 * line that ends the head (*pos then at the body). */
static int next_header(char *buf, size_t len, size_t *pos, char **name, char **value)
{
    size_t i = *pos;
    char *eol = memchr(buf + i, '\r', len - i);
    if (eol == NULL || eol == buf + i) {
        *pos = eol ? (size_t)(eol - buf) + 2 : len;
        return 0;
    }
    *eol = '\0';
    char *colon = strchr(buf + i, ':');
    *name = buf + i;
    *value = colon ? colon + 1 : eol;
    if (colon)
        *colon = '\0';
    while (**value == ' ')
        (*value)++;
    *pos = (size_t)(eol - buf) + 2;
    return 1;
}

static int deny(request_rec *r, int status, char *buf, size_t len, size_t pos)
{
    char *name, *value;
    if (r->main != NULL)
        return status;
    r->status = status;
    while (next_header(buf, len, &pos, &name, &value)) {
        if (strcasecmp(name, "Content-Type") == 0)
            ap_set_content_type(r, apr_pstrdup(r->pool, value));
        else
            apr_table_add(r->err_headers_out, name, value);
    }
    if (len > pos)
        ap_rwrite(buf + pos, (int)(len - pos), r);
    return DONE;
}

static int allow(request_rec *r, char *buf, size_t len, size_t pos)
{
    char *name, *value;
    const char *user = NULL;
    while (next_header(buf, len, &pos, &name, &value)) {
        if (strncmp(name, "Variable-", 9) != 0)
            continue;
        name += 9;
        if (strcmp(name, "REMOTE_USER") == 0)
            user = apr_pstrdup(r->pool, value);
        else if (strcmp(name, "AUTH_TYPE") != 0)
            apr_table_set(r->subprocess_env, name, value);
    }
    if (user == NULL || *user == '\0') {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "mod_nextauth: a session without email or sub: no user, refused");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    r->user = (char *)user;
    r->ap_auth_type = AUTH_TYPE_NAME;
    return OK;
}

static int check_authn(request_rec *r)
{
    const char *type = ap_auth_type(r);
    if (type == NULL || strcasecmp(type, AUTH_TYPE_NAME) != 0)
        return DECLINED;
    strip_identity_headers(r);
    if (!cfg_loaded) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "mod_nextauth: AuthType NextAuth without NextAuthConfig");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    thread_state *t = state_get(r);
    if (t == NULL)
        return HTTP_INTERNAL_SERVER_ERROR;

    cookies_t ck = {r->pool, NULL};
    apr_table_do(join_cookie, &ck, r->headers_in, "Cookie", NULL);
    na_guard_req rq = {
        .request_uri = r->unparsed_uri,
        .cookie = ck.joined,
        .authorization = apr_table_get(r->headers_in, "Authorization"),
        .accept = apr_table_get(r->headers_in, "Accept"),
        .x_requested_with = apr_table_get(r->headers_in, "X-Requested-With"),
        .sec_fetch_mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode"),
        .fcgi_role = "AUTHORIZER", /* allow: Variable-* lines; deny: the whole answer */
    };
    na_resp_reset(&t->resp);
    t->out.len = 0;
    na_guard_outcome o = na_guard_respond(&t->g, &rq, na_timefmt_now_ms(), &t->resp);
    if (na_resp_write(&t->resp, buf_write, &t->out) < 0 || t->out.len < 12 ||
        memcmp(t->out.p, "Status: ", 8) != 0)
        return HTTP_INTERNAL_SERVER_ERROR;

    /* "Status: NNN Reason\r\n" */
    char *buf = t->out.p;
    size_t len = t->out.len;
    int status = atoi(buf + 8);
    char *eol = memchr(buf, '\n', len);
    size_t pos = eol ? (size_t)(eol - buf) + 1 : len;
    if (status != 200)
        return deny(r, status, buf, len, pos);
    if (o == NA_GUARD_PASS) {
        r->user = "";
        apr_table_setn(r->notes, NOTE_PASS, "1");
        return OK;
    }
    return allow(r, buf, len, pos);
}

/* A request that passed without an identity keeps none for its handler. */
static int fixups(request_rec *r)
{
    if (apr_table_get(r->notes, NOTE_PASS) != NULL && r->user != NULL && *r->user == '\0')
        r->user = NULL;
    return DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_MIDDLE, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_fixups(fixups, NULL, NULL, APR_HOOK_FIRST);
}

module AP_MODULE_DECLARE_DATA nextauth_module = {
    STANDARD20_MODULE_STUFF,
    NULL, /* per-directory config */
    NULL,
    NULL, /* per-server config: NextAuthConfig is global */
    NULL,
    nextauth_cmds,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_NONE,
#endif
};
