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
 *   <Location "/legacy/admin/">
 *       Require nextauth-claim role admin owner
 *   </Location>
 *
 * Configuration: NextAuthConfig names the JSON file (nextauth-fcgi.json(5));
 * the secret and url may also come from Apache's environment (NEXTAUTH_SECRET,
 * NEXTAUTH_SECRET_FILE, NEXTAUTH_URL), as for the programs. The file is read
 * once per (re)start, in the parent after the configuration is parsed
 * (check_config, which `apache2 -t` runs too), and a file that cannot be read
 * or parsed, or a url the guard cannot use, stops Apache — and fails
 * `apache2 -t` — with one line on stderr: never a server that runs unguarded.
 * A missing secret does not stop it (every guarded request is refused, as the
 * programs do; a warning in the error log).
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
 * Require nextauth-claim NAME VALUE...: granted when the session's claim NAME
 * (a top-level claim) matches one of the VALUEs: a string claim equal to it;
 * a number claim whose JSON text it is (level 3 and "3"; 1.5 and "1.5"); a
 * boolean claim "true" or "false"; an array claim when any element matches.
 * Denied otherwise, also for a request without claims (a path the guard lets
 * pass, another AuthType); before check_authn it asks for a user. The claims
 * come with the guard's allow (guard.h, claims_out) only when some such line
 * exists, and are released with the request.
 *
 * A valid session that the Require lines refuse — nextauth-claim, `Require
 * user`, any other — gets the guard's own answer for a session its rules
 * refuse (na_guard_forbidden): 403 JSON on API paths, the sign-in redirect on
 * pages; never Apache's 401 with its error page (see note_auth_failure).
 *
 * Threads: a guard and its session source hold per-thread state (the token
 * verifier's buffers, the token cache, a database connection), so each
 * thread that serves a request gets its own, made at its first request from
 * the one configuration the child shares read-only, kept under an APR thread
 * key and freed when the thread ends — with database sessions, its
 * connection is closed then, so a child that goes (a graceful restart,
 * MaxConnectionsPerChild, a stop) leaves no backend behind, and Apache's
 * parent keeps none. A database must allow a connection for each thread
 * that serves: up to ServerLimit × ThreadsPerChild. Nothing is shared between
 * threads but the configuration (and, read only, a request's claims); no lock
 * is taken on a request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_auth.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <util_filter.h>

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
/* The output filter that turns Apache's error response for a refused user
 * into the guard's answer (see forbid_filter). */
#define FORBID_FILTER "NEXTAUTH_FORBIDDEN"

module AP_MODULE_DECLARE_DATA nextauth_module;

/* The configuration: one per Apache (NextAuthConfig is global), read in
 * post_config, shared read-only by every thread of a child. */
static const char *config_path;
static na_config cfg;
static int cfg_loaded;
/* What check_config found worth a warning, for post_config to log once the
 * error log is open (or NULL). */
static const char *start_warning;

/* Some `Require nextauth-claim` line exists somewhere in the configuration:
 * then an allow hands over the session's claims (guard.h, claims_out), which
 * costs the token cache. One flag for the whole server, set while the lines
 * are parsed: which Require lines apply to a request is known only to
 * mod_authz_core, after check_authn has asked the guard, so a per-location
 * flag would have to be a second, hand-kept copy of the <Location> layout.
 * Reset before every read of the configuration (pre_config); a line in an
 * .htaccess file sets it when the file is read, before that request's
 * check_authn. Without it set, every such line denies: fail closed. */
static int claims_wanted;

/* One request's state (r->request_config): the session's claims when an allow
 * handed them over, released with the request's pool. */
typedef struct {
    json_t *claims;
} request_state;

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
    claims_wanted = 0;
    start_warning = NULL;
    return OK;
}

/* A fatal configuration problem: one line, on stderr (check_config runs before
 * the error log is open, at start, at a restart and under `apache2 -t`). */
static int config_fails(server_rec *s, const char *what, const char *msg)
{
    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, "mod_nextauth: %s: %s", what,
                 msg);
    return HTTP_INTERNAL_SERVER_ERROR;
}

/* Read the configuration, and try a source and guard on it once, so that what
 * would fail every request fails the start instead — and `apache2 -t`, which
 * runs this hook but never post_config. */
static int check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)plog, (void)ptemp;
    na_err err;
    config_cleanup(NULL);
    na_log_set_prog("mod_nextauth"); /* the library's lines go to the error log (stderr) */
    if (config_path == NULL)
        return OK; /* loaded, unused: an AuthType NextAuth request is a 500 */
    if (na_config_load(&cfg, config_path, &err) < 0)
        return config_fails(s, apr_pstrcat(ptemp, "NextAuthConfig ", config_path, NULL),
                            err.msg);
    cfg_loaded = 1;
    apr_pool_cleanup_register(pconf, NULL, config_cleanup, apr_pool_cleanup_null);

    na_source src;
    na_guard g;
    if (na_source_init(&src, &cfg, NA_SOURCE_READ_ONLY, &err) < 0)
        return config_fails(s, config_path, err.msg);
    if (src.database && src.store == NULL)
        start_warning = apr_pstrcat(pconf, src.unavailable.msg,
                                    "; sessions are refused until it answers", NULL);
    else if (!src.database && !src.have_v)
        start_warning = apr_pstrcat(pconf, "NO_SECRET: ", src.no_secret,
                                    "; every guarded request will be refused until it is set",
                                    NULL);
    int rc = na_guard_init(&g, &cfg, &src, &err);
    if (rc == 0)
        na_guard_free(&g);
    na_source_free(&src);
    return rc < 0 ? config_fails(s, config_path, err.msg) : OK;
}

/* The warnings, now that they reach the error log. */
static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf, (void)plog, (void)ptemp;
    if (cfg_loaded)
        na_config_warn(&cfg);
    if (start_warning != NULL)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "mod_nextauth: %s", start_warning);
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

static void strip_identity_headers(request_rec *r)
{
    const apr_array_header_t *a = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    for (int i = 0; i < a->nelts; i++) {
        if (e[i].key == NULL || !na_guard_identity_header(e[i].key, strlen(e[i].key)))
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

static int deny(request_rec *r, int status, char *buf, size_t len, size_t pos)
{
    char *name, *value;
    if (r->main != NULL)
        return status;
    r->status = status;
    while (na_resp_text_header(buf, len, &pos, &name, &value)) {
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
    while (na_resp_text_header(buf, len, &pos, &name, &value)) {
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

/* What the guard reads of r (the Cookie lines joined in r's pool). */
static void guard_req_of(request_rec *r, na_guard_req *rq)
{
    cookies_t ck = {r->pool, NULL};
    apr_table_do(join_cookie, &ck, r->headers_in, "Cookie", NULL);
    *rq = (na_guard_req){
        .request_uri = r->unparsed_uri,
        .cookie = ck.joined,
        .authorization = apr_table_get(r->headers_in, "Authorization"),
        .accept = apr_table_get(r->headers_in, "Accept"),
        .x_requested_with = apr_table_get(r->headers_in, "X-Requested-With"),
        .sec_fetch_mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode"),
        .fcgi_role = "AUTHORIZER", /* allow: Variable-* lines; deny: the whole answer */
    };
}

/* The answer in t->resp written into t->out; its status, and *pos at the
 * line after the status line. Returns the status, or -1 when it cannot be
 * written or read. */
static int written(thread_state *t, size_t *pos)
{
    t->out.len = 0;
    if (na_resp_write(&t->resp, buf_write, &t->out) < 0)
        return -1;
    return na_resp_text_status(t->out.p, t->out.len, pos);
}

static apr_status_t claims_release(void *p)
{
    request_state *rs = p;
    json_decref(rs->claims); /* atomic (jansson ≥ 2.11): the pool may go on another thread */
    rs->claims = NULL;
    return APR_SUCCESS;
}

/* Keep an allow's claims for the Require lines; NULL: nothing to keep. */
static void claims_keep(request_rec *r, json_t *claims)
{
    if (claims == NULL)
        return;
    request_state *rs = apr_pcalloc(r->pool, sizeof *rs);
    rs->claims = claims;
    apr_pool_cleanup_register(r->pool, rs, claims_release, apr_pool_cleanup_null);
    ap_set_module_config(r->request_config, &nextauth_module, rs);
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

    na_guard_req rq;
    json_t *claims = NULL;
    guard_req_of(r, &rq);
    if (claims_wanted)
        rq.claims_out = &claims;
    na_resp_reset(&t->resp);
    na_guard_outcome o = na_guard_respond(&t->g, &rq, na_timefmt_now_ms(), &t->resp);
    size_t pos;
    int status = written(t, &pos);
    if (status != 200) {
        json_decref(claims);
        return status < 0 ? HTTP_INTERNAL_SERVER_ERROR
                          : deny(r, status, t->out.p, t->out.len, pos);
    }
    if (o == NA_GUARD_PASS) {
        r->user = "";
        apr_table_setn(r->notes, NOTE_PASS, "1");
        return OK;
    }
    int rc = allow(r, t->out.p, t->out.len, pos);
    if (rc == OK)
        claims_keep(r, claims);
    else
        json_decref(claims);
    return rc;
}

/* A request that passed without an identity keeps none for its handler. */
static int fixups(request_rec *r)
{
    if (apr_table_get(r->notes, NOTE_PASS) != NULL && r->user != NULL && *r->user == '\0')
        r->user = NULL;
    return DECLINED;
}

/* ---- Require nextauth-claim NAME VALUE... ---- */

/* The parsed line: the claim's name, then its values; NULL-terminated. */
static const char *claim_parse(cmd_parms *cmd, const char *line, const void **parsed)
{
    apr_array_header_t *w = apr_array_make(cmd->pool, 4, sizeof(const char *));
    const char *word;
    while (*(word = ap_getword_conf(cmd->pool, &line)) != '\0')
        *(const char **)apr_array_push(w) = word;
    if (w->nelts < 2)
        return "Require nextauth-claim: a claim's name and at least one value";
    *(const char **)apr_array_push(w) = NULL;
    *parsed = w->elts;
    claims_wanted = 1;
    return NULL;
}

/* One claim value v (not an array) is the text of a VALUE: a string equal to
 * it; an integer whose JSON text it is (42: "42"); another number that it
 * spells in JSON's number syntax (1.5: "1.5" or "1.50"); true and false as
 * "true" and "false". null and objects match nothing. */
static int claim_value_is(const json_t *v, const char *text)
{
    char num[32], *end;
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strlen(text) == json_string_length(v) && strcmp(json_string_value(v), text) == 0;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strcmp(num, text) == 0;
    case JSON_REAL:
        if (!(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')))
            return 0; /* strtod would take " 1.5", "+1.5", "inf", "0x1p0" */
        return strtod(text, &end) == json_real_value(v) && end != text && *end == '\0';
    case JSON_TRUE:
        return strcmp(text, "true") == 0;
    case JSON_FALSE:
        return strcmp(text, "false") == 0;
    default:
        return 0;
    }
}

static int claim_matches(const json_t *v, const char *text)
{
    if (!json_is_array(v))
        return claim_value_is(v, text);
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
        if (claim_value_is(e, text))
            return 1;
    return 0;
}

/* Granted when the session's claim NAME matches one of the VALUEs (an array
 * claim: any of its elements). No user yet: mod_authz_core asks again after
 * check_authn. A user without claims here (a path the guard lets pass, or
 * another AuthType) is denied: fail closed. */
static authz_status claim_check(request_rec *r, const char *line, const void *parsed)
{
    (void)line;
    if (r->user == NULL)
        return AUTHZ_DENIED_NO_USER;
    const request_state *rs = ap_get_module_config(r->request_config, &nextauth_module);
    const char *const *w = parsed;
    json_t *v = rs && rs->claims ? json_object_get(rs->claims, w[0]) : NULL;
    if (v != NULL)
        for (const char *const *value = w + 1; *value != NULL; value++)
            if (claim_matches(v, *value))
                return AUTHZ_GRANTED;
    return AUTHZ_DENIED;
}

static const authz_provider claim_provider = {claim_check, claim_parse};

/* ---- a valid session refused by a Require line ----
 * mod_authz_core answers a user that the Require lines refuse with a 401 and
 * a call of note_auth_failure for the AuthType (it would add a challenge
 * there, as Basic does). For AuthType NextAuth the answer is instead the
 * guard's own for a session that `rules` refuse (na_guard_forbidden): 403
 * JSON on API paths, the sign-in redirect on pages. It is made here, and put
 * in place of Apache's error response by an output filter that the error
 * response inserts (insert_error_filter); the error text is made an empty
 * string for this request, so no ErrorDocument (a URL one would redirect)
 * comes first. AuthzSendForbiddenOnFailure On skips note_auth_failure: Apache's
 * own 403 then, as that directive asks. */

typedef struct {
    int status;
    char *buf; /* the guard's answer as na_resp_write wrote it, in r's pool */
    size_t len, pos;
    int sent;
} forbid_ctx;

static int note_auth_failure(request_rec *r, const char *auth_type)
{
    if (strcasecmp(auth_type, AUTH_TYPE_NAME) != 0)
        return DECLINED;
    if (r->main != NULL || !cfg_loaded)
        return OK; /* a subrequest's status is all its caller sees */
    thread_state *t = state_get(r);
    forbid_ctx *fc = apr_pcalloc(r->pool, sizeof *fc);
    na_guard_req rq;
    size_t pos = 0;
    if (t != NULL) {
        guard_req_of(r, &rq);
        na_resp_reset(&t->resp);
        na_guard_forbidden(&t->g, &rq, &t->resp);
        fc->status = written(t, &pos);
    }
    if (t == NULL || fc->status < 0) {
        fc->status = HTTP_INTERNAL_SERVER_ERROR;
        fc->buf = "";
    } else {
        fc->buf = apr_pmemdup(r->pool, t->out.p, t->out.len);
        fc->len = t->out.len;
        fc->pos = pos;
    }
    ap_custom_response(r, HTTP_UNAUTHORIZED, "");
    ap_set_module_config(r->request_config, &nextauth_module, NULL); /* claims are done */
    apr_table_setn(r->notes, FORBID_FILTER, (const char *)fc);
    return OK;
}

static void insert_error_filter(request_rec *r)
{
    const char *fc = apr_table_get(r->notes, FORBID_FILTER);
    if (fc != NULL && r->status == HTTP_UNAUTHORIZED)
        ap_add_output_filter(FORBID_FILTER, (void *)fc, r, r->connection);
}

/* Apache's error response goes nowhere; the guard's answer goes instead: its
 * status, headers (Content-Type, Location, Cache-Control) and body, then the
 * end of the response. Whatever Apache writes after that is dropped. */
static apr_status_t forbid_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    forbid_ctx *fc = f->ctx;
    apr_brigade_cleanup(bb);
    if (fc->sent)
        return APR_SUCCESS;
    fc->sent = 1;
    char *name, *value;
    size_t pos = fc->pos;
    r->status = fc->status;
    r->status_line = NULL;
    apr_table_clear(r->headers_out);
    apr_table_clear(r->err_headers_out);
    ap_set_content_type(r, NULL);
    while (na_resp_text_header(fc->buf, fc->len, &pos, &name, &value)) {
        if (strcasecmp(name, "Content-Type") == 0)
            ap_set_content_type(r, value);
        else
            apr_table_add(r->headers_out, name, value);
    }
    size_t n = fc->len > pos ? fc->len - pos : 0;
    ap_set_content_length(r, (apr_off_t)n);
    if (n > 0) /* for HEAD, the HTTP header filter drops it */
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(fc->buf + pos, n, r->pool,
                                                           f->c->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(f->c->bucket_alloc));
    return ap_pass_brigade(f->next, bb); /* the filter stays, to drop the rest */
}

static void register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_MIDDLE, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_fixups(fixups, NULL, NULL, APR_HOOK_FIRST);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "nextauth-claim", AUTHZ_PROVIDER_VERSION,
                              &claim_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_note_auth_failure(note_auth_failure, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_register_output_filter(FORBID_FILTER, forbid_filter, NULL, AP_FTYPE_CONTENT_SET);
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
