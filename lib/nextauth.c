/* SPDX-License-Identifier: MIT */
/* nextauth.c — the public page API (see nextauth.h) on the library's modules:
 * config + verifier + guard loaded once, the FastCGI loop of serve.h, the
 * session of token.h/session.h, the answers of resp.h.
 *
 * A request's answer is built in the na_resp the loop hands us; headers that
 * must survive a change of answer (nextauth_add_header, nextauth_refresh) are
 * built in two side responses of the app, reused by every request, and
 * appended to the answer when the handler returns. */
#include "nextauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "json.h"
#include "log.h"
#include "memory.h"
#include "resp.h"
#include "serve.h"
#include "session.h"
#include "setcookie.h"
#include "text.h"
#include "timefmt.h"
#include "token.h"

/* JSON.stringify clamps its `space` argument to 10. */
#define INDENT_MAX 10

struct nextauth_app {
    na_app app;      /* configuration and session source (no usable secret:
                      * every session refused) */
    na_resp cookies; /* nextauth_refresh's Set-Cookie lines, this request */
    na_resp extra;   /* nextauth_add_header's lines, this request */
    char cookie_buf[NA_COOKIE_HEADER_MAX + 2]; /* several HTTP_COOKIE params, joined */
};

struct nextauth_req {
    nextauth_app *app;
    na_envp envp;
    na_resp *r;        /* the answer */
    int head;          /* HEAD: no body */
    long long now_ms;  /* the clock, read once per request */
    int state;         /* -1 not checked, 0 no session, 1 valid session */
    int bad;           /* a token was there but refused: clear its cookies */
    int refreshed;     /* nextauth_refresh or nextauth_respond_session ran */
    const char *cookie; /* the Cookie header (NULL: none) */
    json_t *claims;    /* owned, when state == 1 */
    na_cookie_seen seen;
    /* database sessions */
    const char *cred;  /* the session token (in the source's buffer), state 1 or bad */
    size_t cred_len;
    long long row_expires_ms; /* state 1: the row's expiry as read */
    int expired;       /* bad: the row has expired (nextauth_refresh deletes it) */
    na_err why;        /* the reason, when state == 0 */
    char *json[INDENT_MAX + 1]; /* session texts by indent, owned */
};

static void set_errbuf(char *buf, size_t len, const char *msg)
{
    if (buf != NULL && len > 0)
        snprintf(buf, len, "%s", msg);
}

nextauth_app *nextauth_app_load(const char *config_path, char *errbuf, size_t errlen)
{
    na_err err;
    nextauth_app *a = calloc(1, sizeof *a);
    if (a == NULL) {
        set_errbuf(errbuf, errlen, "out of memory");
        return NULL;
    }
    if (na_app_load(&a->app, config_path, NA_APP_GUARD,
                    "every session will be refused until it is set", &err) < 0) {
        set_errbuf(errbuf, errlen, err.msg);
        free(a);
        return NULL;
    }
    na_resp_init(&a->cookies);
    na_resp_init(&a->extra);
    return a;
}

void nextauth_app_free(nextauth_app *a)
{
    if (a == NULL)
        return;
    na_app_free(&a->app);
    na_resp_free(&a->cookies);
    na_resp_free(&a->extra);
    free(a);
}

/* Append the header lines of src to dst. src's lines are "Name: value\r\n", each
 * checked when it was added (names: a token or ours; values: no control byte),
 * so the first ": " and the CRLF split them. Returns 0 or -1 (dst failed). */
static int append_lines(na_resp *dst, const na_resp *src)
{
    if (src->failed) {
        dst->failed = 1;
        return -1;
    }
    if (src->head.len == 0)
        return 0;
    char *copy = malloc(src->head.len + 1);
    if (copy == NULL) {
        dst->failed = 1;
        return -1;
    }
    memcpy(copy, src->head.p, src->head.len);
    copy[src->head.len] = '\0';
    int rc = 0;
    for (char *line = copy; *line != '\0';) {
        char *eol = strstr(line, "\r\n");
        char *sep = strstr(line, ": ");
        if (eol == NULL || sep == NULL || sep > eol) {
            dst->failed = 1;
            rc = -1;
            break;
        }
        *eol = *sep = '\0';
        if (na_resp_header(dst, line, sep + 2) < 0)
            rc = -1;
        line = eol + 2;
    }
    free(copy);
    return rc;
}

struct serve_ctx {
    nextauth_app *app;
    nextauth_handler handler;
    void *user;
};

static void serve_one(void *ctx, na_envp envp, na_resp *r)
{
    struct serve_ctx *s = ctx;
    nextauth_app *a = s->app;
    nextauth_req req;

    memset(&req, 0, sizeof req);
    req.app = a;
    req.envp = envp;
    req.r = r;
    req.now_ms = na_timefmt_now_ms();
    req.state = -1;
    const char *method = na_serve_env(envp, "REQUEST_METHOD");
    req.head = method != NULL && strcmp(method, "HEAD") == 0;
    req.cookie = na_serve_env_cookie(envp, a->cookie_buf, sizeof a->cookie_buf);
    r->head_only = req.head;
    na_resp_reset(&a->cookies);
    na_resp_reset(&a->extra);

    s->handler(&req, s->user);

    append_lines(r, &a->cookies);
    append_lines(r, &a->extra);
    json_decref(req.claims);
    for (size_t i = 0; i <= INDENT_MAX; i++)
        free(req.json[i]);
}

int nextauth_serve(nextauth_app *app, nextauth_handler handler, void *user)
{
    struct serve_ctx s = {app, handler, user};
    return na_app_serve(serve_one, &s, na_memory_trim_hook); /* start-up is over: memory.h */
}

const char *nextauth_param(const nextauth_req *req, const char *name)
{
    return name ? na_serve_env(req->envp, name) : NULL;
}

int nextauth_session(nextauth_req *req)
{
    nextauth_app *a = req->app;
    if (req->state >= 0)
        return req->state;
    req->state = 0;
    /* getServerSession runs the /session pipeline, which reads cookies only
     * (docs/behaviour.md, Page API). */
    size_t clen = req->cookie ? strlen(req->cookie) : 0;
    na_source_req sr = {.cookie = req->cookie, .cookie_len = clen};
    na_source_result ss;
    na_source_state st = na_source_find(&a->app.src, &sr, req->now_ms, 0, &ss);
    req->cred = ss.cred;
    req->cred_len = ss.cred_len;
    switch (st) {
    case NA_SOURCE_FOUND:
        req->claims = ss.claims; /* ours now: freed with the request */
        req->seen = ss.seen;
        req->row_expires_ms = ss.expires_ms;
        req->state = 1;
        return 1;
    case NA_SOURCE_INVALID:
        req->bad = 1;
        req->expired = ss.err.code == NA_E_EXPIRED;
        /* the same line as the session endpoint's (docs/behaviour.md, Log lines);
         * an unknown database token is no error to next-auth */
        if (!a->app.src.database)
            na_log("JWT_SESSION_ERROR: %s (cookie %s, %zu name(s), header %zu bytes)",
                   ss.err.msg, a->app.src.cookie_name, ss.seen.n, clen);
        break;
    case NA_SOURCE_ERROR:
        /* could not tell (no usable secret, out of memory, the database): no
         * session, and the cookies are left as they are */
        na_log("%s: %s",
               ss.err.code == NA_E_NO_SECRET ? "NO_SECRET"
               : ss.err.code == NA_E_STORE   ? "SESSION_ERROR"
                                             : "cannot read the session",
               ss.err.msg);
        break;
    case NA_SOURCE_NONE:
        if (ss.err.code == NA_E_TOO_BIG)
            na_log("SESSION_ERROR: %s (cookie %s)", ss.err.msg, a->app.src.cookie_name);
        break;
    }
    req->seen = ss.seen;
    req->why = ss.err;
    return 0;
}

const json_t *nextauth_claims(const nextauth_req *req)
{
    return req->state == 1 ? req->claims : NULL;
}

/* expires = now + session.maxAge, in the body and the cookie alike
 * (docs/behaviour.md, Session body); a database session's body shows its
 * row's expiry as read. */
static long long expires_ms(const nextauth_req *req)
{
    if (req->app->app.src.database)
        return req->row_expires_ms;
    return req->now_ms + (long long)req->app->app.cfg.session_max_age * 1000;
}

/* JSON.stringify(v, null, indent): jansson's indented form is the same layout
 * ("key": value, one member a line, "{}" for an empty object); only its \u
 * escapes need lower-case hex, as na_json_dumps_js does for the compact form. */
static char *dumps_indented(const char *compact, int indent)
{
    json_t *v = json_loads(compact, JSON_DECODE_ANY, NULL);
    if (v == NULL)
        return NULL;
    char *s = na_json_dumps_js_flags(v, JSON_INDENT(indent));
    json_decref(v);
    return s;
}

const char *nextauth_session_json(nextauth_req *req, int indent)
{
    if (!nextauth_session(req))
        return NULL;
    if (indent < 0)
        indent = 0;
    if (indent > INDENT_MAX)
        indent = INDENT_MAX;
    if (req->json[0] == NULL)
        req->json[0] = na_session_body(req->claims, &req->app->app.cfg, expires_ms(req));
    if (indent > 0 && req->json[indent] == NULL && req->json[0] != NULL)
        req->json[indent] = dumps_indented(req->json[0], indent);
    return req->json[indent];
}

const char *nextauth_reason(const nextauth_req *req)
{
    return req->state == 0 ? req->why.msg : NULL;
}

/* Start a new answer in r: whatever was set before is dropped. */
static na_resp *answer(nextauth_req *req)
{
    na_resp_reset(req->r);
    req->r->head_only = req->head;
    return req->r;
}

void nextauth_respond_401(nextauth_req *req)
{
    na_resp_401_json(answer(req));
}

void nextauth_respond_403(nextauth_req *req)
{
    na_resp_403_json(answer(req));
}

int nextauth_redirect_signin(nextauth_req *req)
{
    na_resp *r = answer(req);
    char *loc = na_guard_signin_location(&req->app->app.g, na_serve_env(req->envp, "REQUEST_URI"));
    if (loc == NULL) {
        r->failed = 1;
        return -1;
    }
    na_resp_redirect(r, 307, loc);
    free(loc);
    return r->failed ? -1 : 0;
}

/* Redirect targets that would leave the site: a browser reads "//host" and
 * "/\host" as another origin (WHATWG URL: '\' is '/' in special URLs), and
 * strips tabs and newlines before it looks. The prefixes are refused here; '\'
 * and every control byte anywhere by the byte check below. */
static const char *const redirect_deny_prefix[] = {"//", "/\\"};

static int redirect_path_ok(const char *path)
{
    if (path == NULL || path[0] != '/')
        return 0;
    for (size_t i = 0; i < sizeof redirect_deny_prefix / sizeof *redirect_deny_prefix; i++)
        if (strncmp(path, redirect_deny_prefix[i], strlen(redirect_deny_prefix[i])) == 0)
            return 0;
    /* Printable ASCII without space or '\': what a Location may carry unescaped. */
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '\\')
            return 0;
    return 1;
}

int nextauth_redirect(nextauth_req *req, const char *path, int status)
{
    na_resp *r = answer(req);
    int status_ok = status == 301 || status == 302 || status == 303 || status == 307 ||
                    status == 308;
    if (!status_ok || !redirect_path_ok(path)) {
        na_log("nextauth_redirect: refused %s (status %d, path of %zu bytes)",
               status_ok ? "a path that is not a same-origin /path" : "a status", status,
               path ? strlen(path) : 0);
        r->failed = 1;
        return -1;
    }
    /* Next.js puts basePath in front of a redirect destination starting with '/'. */
    const char *base = req->app->app.cfg.base_path;
    size_t n = strlen(base) + strlen(path) + 1;
    char *loc = malloc(n);
    if (loc == NULL) {
        r->failed = 1;
        return -1;
    }
    snprintf(loc, n, "%s%s", base, path);
    na_resp_redirect(r, status, loc);
    free(loc);
    return r->failed ? -1 : 0;
}

void nextauth_respond_session(nextauth_req *req)
{
    nextauth_app *a = req->app;
    na_session_respond(&a->app.src, &a->app.cfg, na_serve_env(req->envp, "REQUEST_METHOD"),
                       req->cookie, req->now_ms, answer(req));
    /* The endpoint wrote its own cookie lines: drop nextauth_refresh's. */
    na_resp_reset(&a->cookies);
    req->refreshed = 1;
}

int nextauth_respond(nextauth_req *req, int status, const char *content_type,
                     const char *body, size_t len)
{
    na_resp *r = answer(req);
    na_resp_status(r, status);
    if (content_type != NULL)
        na_resp_header(r, "Content-Type", content_type);
    if (len > 0)
        na_resp_body(r, body, len);
    return r->failed ? -1 : 0;
}

int nextauth_append(nextauth_req *req, const char *s, size_t len)
{
    return len > 0 ? na_resp_body(req->r, s, len) : 0;
}

int nextauth_append_html(nextauth_req *req, const char *s)
{
    /* React's escapeTextForBrowser: the five characters that end text or an
     * attribute value; everything else is copied in runs. */
    if (s == NULL) {
        req->r->failed = 1;
        return -1;
    }
    for (const char *run = s; *run;) {
        size_t n = strcspn(run, "&<>\"'");
        if (n > 0 && na_resp_body(req->r, run, n) < 0)
            return -1;
        run += n;
        if (*run == '\0')
            break;
        const char *e = *run == '&'   ? "&amp;"
                        : *run == '<' ? "&lt;"
                        : *run == '>' ? "&gt;"
                        : *run == '"' ? "&quot;"
                                      : "&#x27;";
        if (na_resp_body(req->r, e, strlen(e)) < 0)
            return -1;
        run++;
    }
    return 0;
}

/* Headers a page may not add: Status would change the status line (CGI),
 * Location would bypass nextauth_redirect's same-origin check (and is a server
 * redirect in CGI), Content-Type belongs to the answer, and the framing headers
 * to the server. Compared without case. */
static const char *const header_deny[] = {
    "Status", "Location", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection",
};

static int header_name_ok(const char *name)
{
    /* RFC 9110 §5.1: field-name = token = 1*tchar. */
    if (name == NULL || *name == '\0')
        return 0;
    for (const char *p = name; *p; p++)
        if (!na_text_is_tchar((unsigned char)*p))
            return 0;
    for (size_t i = 0; i < sizeof header_deny / sizeof *header_deny; i++)
        if (strcasecmp(name, header_deny[i]) == 0)
            return 0;
    return 1;
}

int nextauth_add_header(nextauth_req *req, const char *name, const char *value)
{
    na_resp *x = &req->app->extra;
    if (!header_name_ok(name) || value == NULL) {
        na_log("nextauth_add_header: refused the header name %.64s", name ? name : "(null)");
        x->failed = 1;
        return -1;
    }
    if (na_resp_header(x, name, value) < 0) {
        na_log("nextauth_add_header: refused the value of %s (%zu bytes)", name,
               strlen(value));
        return -1;
    }
    return 0;
}

int nextauth_refresh(nextauth_req *req)
{
    nextauth_app *a = req->app;
    na_err err;
    if (req->refreshed)
        return 0;
    req->refreshed = 1;
    int secure = na_config_secure(&a->app.cfg);
    na_source *src = &a->app.src;
    if (!nextauth_session(req)) {
        /* a refused token's cookies are cleared (an expired row deleted first, as
         * the session endpoint does); none: no change */
        if (req->bad && req->expired && src->database &&
            na_store_delete(src->store, req->cred, req->cred_len, &err) < 0) {
            na_log("SESSION_ERROR: cannot delete the expired session: %s", err.msg);
            return -1;
        }
        if (req->bad && na_setcookie_clear(&a->cookies, src->cookie_name, &req->seen, secure) < 0)
            return -1;
        return 0;
    }
    if (src->database) {
        na_source_result ss = {.state = NA_SOURCE_FOUND, .cred = req->cred,
                               .cred_len = req->cred_len, .expires_ms = req->row_expires_ms};
        if (na_session_extend(src, &a->app.cfg, &ss, req->now_ms, &a->cookies, &err) == 0)
            return 0;
        /* a database error changes no cookie */
        na_log("SESSION_ERROR: cannot extend the session: %s", err.msg);
        na_resp_reset(&a->cookies);
        return -1;
    }
    /* the rolling refresh on a copy, so that nextauth_claims keeps the verified
     * claims */
    json_t *copy = json_deep_copy(req->claims);
    if (copy != NULL && na_session_refresh(&src->v, &a->app.cfg, copy, &req->seen, req->now_ms,
                                           expires_ms(req), &a->cookies, &err) == 0) {
        json_decref(copy);
        return 0;
    }
    na_log("JWT_SESSION_ERROR: cannot refresh the session: %s",
           copy ? err.msg : "out of memory");
    json_decref(copy);
    na_resp_reset(&a->cookies);
    na_setcookie_clear(&a->cookies, src->cookie_name, &req->seen, secure);
    return -1;
}
