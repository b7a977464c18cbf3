/* SPDX-License-Identifier: MIT */
/* guard.c — the guard's decision and answer (see guard.h). */
#include "guard.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "json.h"
#include "log.h"
#include "mac.h"
#include "text.h"
#include "timefmt.h"

/* callbackUrl is cut back to the path alone past this many bytes, and to "/"
 * past it again, so a Location stays well under the servers' 8 KiB limits. */
#define CALLBACK_MAX 2048
/* Identity values longer than this are left out (and logged), never cut. */
#define IDENTITY_VALUE_MAX 4096

/* The answer when the session store does not answer: try again in a few
 * seconds (RFC 9110, 10.2.3), a reason for APIs, a short page for people. */
#define UNAVAILABLE_RETRY "5"
#define UNAVAILABLE_PAGE_TYPE "text/html; charset=utf-8"
#define UNAVAILABLE_JSON "{\"message\":\"Session store unavailable.\"}"
#define UNAVAILABLE_PAGE                                                             \
    "<!DOCTYPE html>\n<title>Service Unavailable</title>\n<p>The session store does " \
    "not answer. Try again in a few seconds.</p>\n"

typedef enum { ROLE_AUTHORIZER, ROLE_AUTH_REQUEST, ROLE_RESPONDER } role_t;

/* ---- the token cache (guard.h) ---- */

#define CACHE_TOKEN_MAX 2048
#define CACHE_ANSWER_MAX 2048

typedef struct {
    int used;
    role_t role;
    int has_exp, has_nbf;
    double exp, nbf;
    size_t toklen, anslen;
    char tok[CACHE_TOKEN_MAX];
    char ans[CACHE_ANSWER_MAX];
} cache_slot;

struct na_guard_cache {
    size_t n;
    cache_slot slot[];
};

/* A token's slot, from its last 8 bytes: the base64url of its MAC tag (a JWE's
 * GCM or HMAC tag, a JWS's signature), which an attacker cannot aim without
 * the secret. Which slot a token lands in tells nothing about another's bytes. */
static cache_slot *cache_slot_of(na_guard_cache *c, const char *tok, size_t n)
{
    size_t from = n > 8 ? n - 8 : 0;
    return &c->slot[na_text_fnv1a(NA_TEXT_FNV_BASIS, tok + from, n - from) % c->n];
}

static void cache_wipe(cache_slot *s)
{
    OPENSSL_cleanse(s, sizeof *s);
}

void na_guard_free(na_guard *g)
{
    if (g->cache == NULL)
        return;
    OPENSSL_cleanse(g->cache->slot, g->cache->n * sizeof(cache_slot));
    free(g->cache);
    g->cache = NULL;
}

/* The kept answer for this token and role, when there is one and the token is
 * still within its time (claims.c's rules over the kept exp and nbf): written
 * to r, returns 1. Else 0, r untouched. */
static int cache_answer(na_guard *g, role_t role, const char *tok, size_t n, long long now,
                        na_resp *r)
{
    if (g->cache == NULL || n > CACHE_TOKEN_MAX)
        return 0;
    cache_slot *s = cache_slot_of(g->cache, tok, n);
    if (!s->used || s->role != role || s->toklen != n || !na_mac_equal(s->tok, tok, n))
        return 0;
    double dn = (double)now, tol = (double)g->src->v.tolerance;
    if ((s->has_exp && !(s->exp > dn - tol)) || (s->has_nbf && !(s->nbf <= dn + tol))) {
        cache_wipe(s); /* expired: the full check says so, and logs it */
        return 0;
    }
    na_resp_whole(r, 200, s->ans, s->anslen);
    return 1;
}

/* Collects an answer into a cache slot (na_resp_write's writer). */
static int slot_write(void *ctx, const char *p, size_t n)
{
    cache_slot *s = ctx;
    if (n > CACHE_ANSWER_MAX - s->anslen)
        return -1;
    memcpy(s->ans + s->anslen, p, n);
    s->anslen += n;
    return 0;
}

/* Keep r's allow answer for this token (read through view). */
static void cache_store(na_guard *g, role_t role, const char *tok, size_t n,
                        const na_jview *view, const na_resp *r)
{
    size_t slots = (size_t)g->cfg->token_cache;
    if (slots == 0 || n > CACHE_TOKEN_MAX || r->failed || r->status != 200 || r->body.len != 0)
        return;
    if (g->cache == NULL) {
        g->cache = calloc(1, sizeof *g->cache + slots * sizeof(cache_slot));
        if (g->cache == NULL)
            return; /* no cache: every request is checked in full */
        g->cache->n = slots;
    }
    cache_slot *s = cache_slot_of(g->cache, tok, n);
    const na_jv_member *exp = na_fastjson_get(view, "exp"), *nbf = na_fastjson_get(view, "nbf");
    cache_wipe(s);
    s->role = role;
    s->has_exp = exp != NULL; /* the view took the token: exp and nbf are integers */
    s->exp = exp ? (double)exp->i : 0;
    s->has_nbf = nbf != NULL;
    s->nbf = nbf ? (double)nbf->i : 0;
    s->toklen = n;
    memcpy(s->tok, tok, n);
    /* the answer's bytes exactly as na_resp_write writes them */
    if (na_resp_write(r, slot_write, s) < 0) {
        cache_wipe(s); /* longer than a slot keeps */
        return;
    }
    s->used = 1;
}

/* The canonical form of configured path src ("" stays "") into dst
 * (NA_PAGE_MAX bytes). Returns 0, or -1 with err naming key. */
static int canon_page(const char *key, const char *src, char *dst, na_err *err)
{
    char canon[NA_PATH_MAX + 1];
    long n = *src ? na_path_normalize(src, strlen(src), canon) : 0;
    if (n < 0 || (size_t)n >= NA_PAGE_MAX)
        return na_err_set(err, NA_E_CONFIG,
                          "key \"%s\" cannot be compared with request paths safely (a "
                          "malformed or unsafe escape, a '..' above the root, or bytes that "
                          "are not UTF-8)",
                          key);
    memcpy(dst, canon, (size_t)n);
    dst[n] = '\0';
    return 0;
}

int na_guard_init(na_guard *g, const na_config *cfg, na_source *src, na_err *err)
{
    memset(g, 0, sizeof *g);
    g->cfg = cfg;
    g->src = src;
    g->exp_ms = -1;
    if (na_url_parse(cfg->url, &g->url) < 0)
        return na_err_set(err, NA_E_CONFIG, "url/NEXTAUTH_URL is not a usable http(s) URL");
    /* Request paths are compared in their canonical form (path.h): so are these. */
    if (canon_page("basePath", cfg->base_path, g->base_path, err) < 0 ||
        canon_page("pages.signIn", cfg->sign_in, g->sign_in, err) < 0 ||
        canon_page("pages.error", cfg->error_page, g->error_page, err) < 0)
        return -1;
    return 0;
}

/* Byte loops for the comparisons every request makes: on the guard's path the
 * libc routines would be more code to fetch with cold caches than the loops
 * (BENCHMARKS.md, "Where the time goes"). */
static int str_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b)
        a++, b++;
    return *a == *b;
}

/* needle occurs in hay (needle not empty) */
static int contains(const char *hay, const char *needle)
{
    for (; *hay; hay++) {
        size_t k = 0;
        while (needle[k] != '\0' && hay[k] == needle[k])
            k++;
        if (needle[k] == '\0')
            return 1;
    }
    return 0;
}

/* path is prefix itself or lies below it (segment boundary: /api/authx is not
 * under /api/auth; next-auth's plain prefix test would let it through). */
static int under(const char *path, const char *prefix)
{
    size_t n = 0;
    while (prefix[n] != '\0' && prefix[n] == path[n])
        n++;
    if (prefix[n] != '\0') /* a mismatch, unless only prefix's trailing '/' is left */
        return prefix[n] == '/' && prefix[n + 1] == '\0' && path[n] == '\0';
    if (n > 0 && prefix[n - 1] == '/')
        n--;
    return path[n] == '\0' || path[n] == '/';
}

/* The path without basePath, or NULL when the path is not under basePath. */
static const char *strip_base(const na_guard *g, const char *full)
{
    size_t n = strlen(g->base_path);
    if (n == 0)
        return full;
    if (!under(full, g->base_path))
        return NULL;
    return full[n] ? full + n : "/";
}

/* Never guarded (docs/behaviour.md, Exempt paths), with segment boundaries. */
static int exempt(const na_guard *g, const char *full, const char *rel)
{
    if (under(full, g->url.path))
        return 1;
    if (rel == NULL)
        return 0;
    /* /_next/data/… is a page's data (Next.js runs middleware on it as on the
     * page itself): not exempt. */
    return str_eq(rel, g->sign_in) || str_eq(rel, g->error_page) ||
           (under(rel, "/_next") && !under(rel, "/_next/data")) ||
           str_eq(rel, "/favicon.ico");
}

/* Clients that will not render a sign-in page get JSON: XHR, fetch() other than
 * a navigation, and an Accept header that names neither text/html nor * / *. */
static int wants_json(const na_guard_req *rq)
{
    if (rq->x_requested_with && strcasecmp(rq->x_requested_with, "XMLHttpRequest") == 0)
        return 1;
    if (rq->sec_fetch_mode && *rq->sec_fetch_mode &&
        strcasecmp(rq->sec_fetch_mode, "navigate") != 0)
        return 1;
    if (rq->accept && *rq->accept && !contains(rq->accept, "text/html") &&
        !contains(rq->accept, "*/*"))
        return 1;
    return 0;
}

static role_t role_of(const na_guard_req *rq)
{
    if (rq->mode && str_eq(rq->mode, "auth_request"))
        return ROLE_AUTH_REQUEST;
    if (rq->fcgi_role && str_eq(rq->fcgi_role, "AUTHORIZER"))
        return ROLE_AUTHORIZER;
    return ROLE_RESPONDER;
}

/* A query that carries a control byte, raw or percent-encoded, is dropped from
 * callbackUrl: the sign-in page would decode it into a redirect target. */
static int query_is_clean(const char *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)q[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c == '%' && i + 2 < n) {
            char a = q[i + 1], b = q[i + 2];
            if ((a == '0' || a == '1') && na_text_hexval((unsigned char)b) >= 0)
                return 0;
            if (a == '7' && (b == 'f' || b == 'F'))
                return 0;
        }
    }
    return 1;
}

/* Location of the sign-in page: origin + basePath + pages.signIn +
 * ?callbackUrl=<form-encoded relative path and query>, as withAuth writes it
 * (docs/behaviour.md, Location and callbackUrl). The
 * callback is the raw request path when it is already normal (so escapes are
 * encoded again, as withAuth does), else the normalized one; never "//…". */
static char *signin_location(const na_guard *g, const char *raw, size_t pathlen,
                             const char *norm)
{
    const char *path = norm ? norm : "/";
    size_t plen = strlen(path);
    if (norm && pathlen == plen && memcmp(raw, norm, plen) == 0)
        path = raw;
    const char *q = raw[pathlen] == '?' ? raw + pathlen : "";
    size_t qlen = strlen(q);
    if (!query_is_clean(q, qlen) || plen + qlen > CALLBACK_MAX)
        qlen = 0;
    if (plen > CALLBACK_MAX)
        path = "/", plen = 1;

    char cb[CALLBACK_MAX * 2 + 2];
    memcpy(cb, path, plen);
    memcpy(cb + plen, q, qlen);
    size_t cblen = plen + qlen;

    const na_config *c = g->cfg;
    size_t cap = strlen(g->url.origin) + strlen(c->base_path) + strlen(c->sign_in) + 16 +
                 3 * cblen;
    char *loc = malloc(cap);
    if (loc == NULL)
        return NULL;
    int n = snprintf(loc, cap, "%s%s%s?callbackUrl=", g->url.origin, c->base_path, c->sign_in);
    na_url_form_encode(cb, cblen, loc + n);
    return loc;
}

/* Copy v with control bytes replaced by '?' (values become header-safe). */
static void header_safe(char *dst, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    dst[n] = '\0';
}

/* X-Nextauth-* name for a variable: REMOTE_USER → X-Nextauth-User,
 * NEXTAUTH_EMAIL → X-Nextauth-Email, DEPT → X-Nextauth-Dept. */
static void header_name(const char *var, char *out, size_t cap)
{
    if (strcmp(var, "REMOTE_USER") == 0)
        var = "USER";
    else if (strncmp(var, "NEXTAUTH_", 9) == 0)
        var += 9;
    int n = snprintf(out, cap, "X-Nextauth-");
    int up = 1;
    for (const char *s = var; *s && (size_t)n + 1 < cap; s++) {
        char ch = *s == '_' ? '-' : *s;
        if (ch >= 'A' && ch <= 'Z' && !up)
            ch = (char)(ch - 'A' + 'a');
        out[n++] = ch;
        up = ch == '-';
    }
    out[n] = '\0';
}

typedef struct {
    role_t role;
    na_resp *r;
    json_t *user; /* responder: the JSON body's user object */
} emit_t;

static void emit(emit_t *e, const char *var, const char *value)
{
    char name[96];
    if (e->role == ROLE_AUTHORIZER) {
        size_t n = strlen(var);
        if (n > sizeof name - 10)
            n = sizeof name - 10; /* never: config.c allows 64 characters */
        memcpy(name, "Variable-", 9);
        memcpy(name + 9, var, n);
        name[9 + n] = '\0';
        na_resp_header(e->r, name, value);
        return;
    }
    if (strcmp(var, "AUTH_TYPE") == 0)
        return;
    header_name(var, name, sizeof name);
    na_resp_header(e->r, name, value);
}

/* Emit var = the claim's value: strings as they are (made header-safe), other
 * JSON as compact JSON; absent claims and null are left out. */
/* Writes variable var from a claim of claims (a tree or a view). */
typedef void (*claim_writer)(emit_t *e, const char *var, const void *claims, const char *claim);

/* The date of exp (ms) as written; one session's requests share their exp, so
 * the text is made once per exp and kept in g. */
static const char *expires_text(na_guard *g, long long ms)
{
    if (ms != g->exp_ms) {
        na_timefmt_iso_ms(ms, g->exp_iso);
        g->exp_ms = ms;
    }
    return g->exp_iso;
}

/* The identity, in its order, for allow() and allow_view(): REMOTE_USER from
 * user_claim (NULL: none, and a log line; Apache's UserExpr then answers 500:
 * fail closed), AUTH_TYPE, e-mail, name, subject, the expiry (exp_ms -1: none),
 * the configured extra variables. Returns 1 when it logged a line, else 0. */
static int write_identity(na_guard *g, emit_t *e, const void *claims, claim_writer w,
                          const char *user_claim, long long exp_ms)
{
    const na_config *c = g->cfg;
    int logged = 0;
    if (user_claim != NULL) {
        w(e, "REMOTE_USER", claims, user_claim);
    } else {
        na_log("valid session without email or sub: no REMOTE_USER for the backend");
        logged = 1;
    }
    emit(e, "AUTH_TYPE", "NextAuth");
    w(e, "NEXTAUTH_EMAIL", claims, "email");
    w(e, "NEXTAUTH_NAME", claims, "name");
    w(e, "NEXTAUTH_SUB", claims, "sub");
    if (exp_ms >= 0)
        emit(e, "NEXTAUTH_EXPIRES", expires_text(g, exp_ms));
    for (size_t i = 0; i < c->nidentity; i++)
        w(e, c->identity_var[i], claims, c->identity_claim[i]);
    return logged;
}

static void emit_claim(emit_t *e, const char *var, const void *claims, const char *claim)
{
    const json_t *v = json_object_get(claims, claim);
    char buf[IDENTITY_VALUE_MAX + 1];
    if (v == NULL || json_is_null(v))
        return;
    const char *s = json_string_value(v);
    char *dumped = NULL;
    size_t n;
    if (s != NULL) {
        n = json_string_length(v);
    } else {
        if ((dumped = na_json_dumps_js(v)) == NULL)
            return;
        s = dumped;
        n = strlen(s);
    }
    if (n > IDENTITY_VALUE_MAX || memchr(s, '\0', n) != NULL) {
        na_log("identity %s left out: claim %s is %zu bytes (at most %d)", var, claim, n,
               IDENTITY_VALUE_MAX);
    } else {
        header_safe(buf, s, n);
        emit(e, var, buf);
    }
    free(dumped);
}

static void allow(na_guard *g, role_t role, const json_t *claims, na_resp *r)
{
    emit_t e = {role, r, NULL};

    na_resp_status(r, 200);
    /* REMOTE_USER: the e-mail, else the subject (a string or a number). */
    const json_t *email = json_object_get(claims, "email");
    const char *user_claim =
        json_is_string(email) && json_string_length(email) > 0 ? "email" : "sub";
    const json_t *sub = json_object_get(claims, user_claim);
    if (!(json_is_string(sub) ? json_string_length(sub) > 0 : json_is_number(sub)))
        user_claim = NULL;
    /* exp is any JSON number in a valid token (1e300 included): only a date
     * between 1970 and 9999 is written, and the conversion never overflows. */
    const json_t *exp = json_object_get(claims, "exp");
    double expv = json_is_number(exp) ? json_number_value(exp) : -1;
    int has_exp = expv >= 0 && expv <= 253402300799.0;
    long long exp_ms = has_exp ? (long long)(expv * 1000.0) : -1;
    write_identity(g, &e, claims, emit_claim, user_claim, exp_ms);
    const char *iso = has_exp ? expires_text(g, exp_ms) : NULL;

    if (role == ROLE_RESPONDER) {
        /* The "who am I" answer: the session's user object and the token's expiry. */
        json_t *body = json_object(), *user = json_object();
        static const char *const f[][2] = {{"name", "name"}, {"email", "email"},
                                           {"image", "picture"}};
        for (size_t i = 0; body && user && i < 3; i++) {
            json_t *v = json_object_get(claims, f[i][1]);
            if (v)
                json_object_set(user, f[i][0], v);
        }
        if (body && user) {
            json_object_set(body, "user", user);
            if (has_exp)
                json_object_set_new(body, "expires", json_string(iso));
        }
        char *text = body ? na_json_dumps_js(body) : NULL;
        json_decref(user);
        json_decref(body);
        if (text == NULL) {
            r->failed = 1;
            return;
        }
        na_resp_header(r, "Content-Type", "application/json");
        na_resp_header(r, "Cache-Control", "private, no-store");
        na_resp_body(r, text, strlen(text));
        free(text);
    }
}

/* The identity from a view of the claims (token.h: na_token_decode_view), written
 * exactly as allow() writes it from the tree. Returns 0, 1 when it also logged
 * a line, or -1 before writing anything when a claim to write is neither
 * absent, null nor a string of at most IDENTITY_VALUE_MAX raw bytes: allow()
 * then writes it from the tree. */
static int view_claim_ok(const na_jview *v, const char *claim)
{
    const na_jv_member *m = na_fastjson_get(v, claim);
    return m == NULL || m->type == NA_JV_NULL ||
           (m->type == NA_JV_STRING && m->slen <= IDENTITY_VALUE_MAX);
}

static void emit_view_claim(emit_t *e, const char *var, const void *v, const char *claim)
{
    const na_jv_member *m = na_fastjson_get(v, claim);
    char buf[IDENTITY_VALUE_MAX + 1];
    if (m == NULL || m->type != NA_JV_STRING)
        return;
    size_t n = na_fastjson_string(m, buf); /* a view's string never holds a NUL */
    header_safe(buf, buf, n);
    emit(e, var, buf);
}

static int allow_view(na_guard *g, role_t role, const na_jview *claims, na_resp *r)
{
    const na_config *c = g->cfg;
    emit_t e = {role, r, NULL};
    if (!view_claim_ok(claims, "email") || !view_claim_ok(claims, "name") ||
        !view_claim_ok(claims, "sub"))
        return -1;
    for (size_t i = 0; i < c->nidentity; i++)
        if (!view_claim_ok(claims, c->identity_claim[i]))
            return -1;

    na_resp_status(r, 200);
    const na_jv_member *email = na_fastjson_get(claims, "email");
    const char *user_claim =
        email && email->type == NA_JV_STRING && email->slen > 0 ? "email" : "sub";
    const na_jv_member *user = na_fastjson_get(claims, user_claim);
    if (!(user && user->type == NA_JV_STRING && user->slen > 0))
        user_claim = NULL; /* a number would be a tree's to write: declined above */
    const na_jv_member *exp = na_fastjson_get(claims, "exp");
    long long exp_ms = exp && exp->type == NA_JV_INT && exp->i >= 0 && exp->i <= 253402300799LL
                           ? (long long)exp->i * 1000
                           : -1;
    return write_identity(g, &e, claims, emit_view_claim, user_claim, exp_ms);
}

/* Is the token authorized for this path? When the path could not be normalized
 * (rel_ok 0), or a rule's matcher could not decide, every rule must hold: we
 * cannot tell which one applies. */
static int authorized(const na_config *c, const char *rel, int rel_ok, const json_t *claims)
{
    long first = -1;
    size_t i;
    for (i = 0; rel_ok && rel && i < c->nrules; i++)
        if ((first = na_matcher_list_first(&c->rules[i].matcher, rel)) != -1)
            break;
    if (!rel_ok || first == NA_MATCH_UNKNOWN) {
        if (c->authorized && !na_authz_eval(c->authorized, claims))
            return 0;
        for (size_t j = 0; j < c->nrules; j++)
            if (!na_authz_eval(c->rules[j].authorized, claims))
                return 0;
        return 1;
    }
    if (first >= 0)
        return na_authz_eval(c->rules[i].authorized, claims);
    return c->authorized ? na_authz_eval(c->authorized, claims) : 1;
}

/* The request's path: raw gets the target from its path on (absolute-form:
 * after the authority), *pathlen the path's length; the canonical path goes to
 * norm. Returns 1, or 0 when the path cannot be read with certainty (path.h):
 * the request is then guarded under every rule. */
static int request_path(const char *request_uri, const char **raw, size_t *pathlen,
                        char *norm)
{
    const char *uri = request_uri ? request_uri : "";
    const char *p = na_path_of_target(uri, pathlen);
    if (p == NULL) {
        *raw = uri;
        *pathlen = 0;
        while (uri[*pathlen] != '\0' && uri[*pathlen] != '?')
            (*pathlen)++;
        return 0;
    }
    *raw = p;
    return na_path_normalize(p, *pathlen, norm) >= 0;
}

const char *na_guard_client_identity(char **envp)
{
    static const char pre[] = "HTTP_X_NEXTAUTH_", ru[] = "HTTP_REMOTE_USER=";
    for (; envp && *envp; envp++) {
        const char *e = *envp;
        if (e[0] != 'H')
            continue;
        size_t k = 0;
        while (pre[k] != '\0' && e[k] == pre[k])
            k++;
        if (pre[k] == '\0' && e[k] != '=' && e[k] != '\0')
            return e;
        k = 0;
        while (ru[k] != '\0' && e[k] == ru[k])
            k++;
        if (ru[k] == '\0')
            return e;
    }
    return NULL;
}

int na_guard_identity_header(const char *name, size_t len)
{
    static const char pre[] = "X_NEXTAUTH_", ru[] = "REMOTE_USER"; /* both 11 bytes */
    char f[sizeof ru - 1];
    if (len < sizeof f)
        return 0;
    for (size_t n = 0; n < sizeof f; n++) {
        unsigned char c = (unsigned char)name[n];
        f[n] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A'
                      : (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c
                                                                         : '_');
    }
    if (memcmp(f, pre, sizeof f) == 0)
        return len > sizeof f;
    return memcmp(f, ru, sizeof f) == 0 && len == sizeof f;
}

char *na_guard_signin_location(const na_guard *g, const char *request_uri)
{
    const char *raw;
    size_t pathlen;
    char norm[NA_PATH_MAX + 1];
    int ok = request_path(request_uri, &raw, &pathlen, norm);
    return signin_location(g, raw, pathlen, ok ? norm : NULL);
}

/* ---- one request, in four phases: route → find the session → decide →
 * answer ---- */

/* What routing found out about a request. */
typedef struct {
    role_t role;
    const char *raw;  /* the target from its path on */
    size_t pathlen;   /* the length of raw's path */
    int norm_ok;      /* the path could be read with certainty (path.h) */
    char norm[NA_PATH_MAX + 1];
    const char *rel;  /* norm below basePath, or NULL (also when !norm_ok) */
    int api;          /* deny with JSON, not with a redirect */
    int apache;       /* asked by Apache's mod_authnz_fcgi (FCGI_APACHE_ROLE) */
} route_t;

/* The path for log lines. */
static const char *log_path(const route_t *rt)
{
    return rt->norm_ok ? rt->norm : "(unnormalizable path)";
}

/* Phase 1, route: is the request guarded here, and how would it be denied?
 * Returns 1 for a guarded request, 0 for one that passes (docs/behaviour.md,
 * Guard decision, steps 1–3). */
static int route(const na_guard *g, const na_guard_req *rq, route_t *rt)
{
    const na_config *c = g->cfg;
    rt->role = role_of(rq);
    rt->apache = rt->role == ROLE_AUTHORIZER && rq->apache_role != NULL;
    rt->norm_ok = request_path(rq->request_uri, &rt->raw, &rt->pathlen, rt->norm);
    rt->rel = rt->norm_ok ? strip_base(g, rt->norm) : NULL;
    rt->api = 0;

    if (rt->norm_ok && exempt(g, rt->norm, rt->rel))
        return 0;
    /* outside the matcher list: pass (a matcher that cannot decide guards) */
    if (c->has_matcher && rt->norm_ok &&
        (rt->rel == NULL || na_matcher_list_first(&c->matcher, rt->rel) == -1))
        return 0;

    rt->api = wants_json(rq);
    if (!rt->api && rt->rel != NULL)
        rt->api = na_matcher_list_first(&c->api, rt->rel) != -1;
    if (!rt->api && !rt->norm_ok && rt->pathlen <= NA_PATH_MAX) {
        /* judge the raw path before any '#', runs of '/' collapsed, for the
         * JSON-or-redirect choice only (both deny) */
        char rawpath[NA_PATH_MAX + 1];
        size_t n = 0;
        for (size_t i = 0; i < rt->pathlen && rt->raw[i] != '#'; i++)
            if (rt->raw[i] != '/' || n == 0 || rawpath[n - 1] != '/')
                rawpath[n++] = rt->raw[i];
        rawpath[n] = '\0';
        rt->api = na_matcher_list_first(&c->api, rawpath) != -1;
    }
    return 1;
}

/* Why a guarded request is denied. */
typedef enum {
    DENY_NO_SESSION,      /* no credential, or one that holds no session */
    DENY_FORBIDDEN,       /* a session that `authorized` or a rule refuses */
    DENY_CONFIG,          /* no usable secret */
    DENY_UNAVAILABLE,     /* the session store did not answer */
    DENY_CLIENT_IDENTITY  /* an identity header the client sent (guard.h) */
} deny_t;

/* The one place a denial is written. Pages are redirected (the sign-in page,
 * or the error page with error=Configuration); APIs get JSON. nginx's
 * auth_request turns a 3xx from the check into a 500, so there the redirect
 * target travels in Location on a 401, for the server's error_page. */
static na_guard_outcome deny(const na_guard *g, const route_t *rt, deny_t why, na_resp *r)
{
    const na_config *c = g->cfg;
    switch (why) {
    case DENY_CLIENT_IDENTITY:
        na_resp_json(r, 400, "{\"message\":\"Identity headers are set by the server, not "
                             "by the client.\"}");
        na_resp_header(r, "Cache-Control", "no-store");
        return NA_GUARD_400;
    case DENY_NO_SESSION:
        if (rt->api) {
            na_resp_401_json(r);
            return NA_GUARD_401;
        }
        break;
    case DENY_FORBIDDEN:
        if (rt->api) {
            na_resp_403_json(r);
            return NA_GUARD_403;
        }
        break;
    case DENY_CONFIG:
        if (rt->api) {
            na_resp_500_json(r);
            return NA_GUARD_CONFIG_API;
        }
        break;
    case DENY_UNAVAILABLE:
        /* the same answer in every role: nginx turns a 503 from its
         * auth_request check into a 500, which its configuration maps back
         * from Retry-After (examples/nginx-guard.conf) */
        if (rt->api) {
            na_resp_json(r, 503, UNAVAILABLE_JSON);
        } else {
            na_resp_status(r, 503);
            na_resp_header(r, "Content-Type", UNAVAILABLE_PAGE_TYPE);
            na_resp_body(r, UNAVAILABLE_PAGE, sizeof UNAVAILABLE_PAGE - 1);
        }
        /* Apache re-sends an authorizer's denial as its own error response,
         * labelled text/html; charset=iso-8859-1, keeping the other headers.
         * Its 401/403/500 are always JSON, but this 503 is JSON or a page, so
         * the type travels in a header Apache keeps, for its configuration to
         * put back and remove (examples/apache-guard.conf). */
        if (rt->apache)
            na_resp_header(r, "X-Nextauth-Content-Type",
                           rt->api ? "application/json" : UNAVAILABLE_PAGE_TYPE);
        na_resp_header(r, "Retry-After", UNAVAILABLE_RETRY);
        na_resp_header(r, "Cache-Control", "no-store");
        return NA_GUARD_503;
    }
    char *loc;
    if (why == DENY_CONFIG) {
        size_t n = strlen(g->url.origin) + strlen(c->base_path) + strlen(c->error_page) + 32;
        if ((loc = malloc(n)) != NULL)
            snprintf(loc, n, "%s%s%s?error=Configuration", g->url.origin, c->base_path,
                     c->error_page);
    } else {
        loc = signin_location(g, rt->raw, rt->pathlen, rt->norm_ok ? rt->norm : NULL);
    }
    if (loc == NULL) {
        r->failed = 1; /* na_guard_respond makes it a 500, and says so */
    } else if (rt->role == ROLE_AUTH_REQUEST) {
        na_resp_401_json(r);
        na_resp_header(r, "Location", loc);
    } else {
        na_resp_redirect(r, 307, loc);
    }
    free(loc);
    return why == DENY_CONFIG ? NA_GUARD_CONFIG_PAGE : NA_GUARD_SIGNIN;
}

/* The answer for a request that is not guarded here. */
static na_guard_outcome pass(const route_t *rt, const na_guard_req *rq, na_resp *r)
{
    na_resp_status(r, 200);
    if (rt->role == ROLE_AUTHORIZER && rq->apache_role != NULL)
        /* mod_authnz_fcgi needs a user on every 200 (UserExpr): this path must be
         * carved out of the guarded <Location> in Apache's configuration. */
        na_log("%.200s is not guarded by the configuration; Apache will refuse it (500) "
               "unless a <Location> exempts it (AuthnzFcgiCheckAuthnProvider None)",
               log_path(rt));
    if (rt->role == ROLE_RESPONDER) {
        na_resp_header(r, "Content-Type", "application/json");
        na_resp_header(r, "Cache-Control", "private, no-store");
        na_resp_body(r, "{}", 2);
    }
    return NA_GUARD_PASS;
}

/* Phases 2–4 for a guarded request. */
static na_guard_outcome guarded(na_guard *g, const na_guard_req *rq, const route_t *rt,
                                long long now_ms, na_resp *r)
{
    long long now = now_ms / 1000; /* tokens are judged in whole seconds */
    const na_config *c = g->cfg;

    const char *forged = rt->role == ROLE_AUTHORIZER && rq->apache_role == NULL
                             ? na_guard_client_identity(rq->params)
                             : NULL;
    if (forged != NULL) {
        size_t n = 0;
        while (n < 64 && forged[n] != '\0' && forged[n] != '=')
            n++;
        na_log("client-sent identity header (%.*s) on a guarded request: refused, as the "
               "server would hand it on to the backend",
               (int)n, forged);
        return deny(g, rt, DENY_CLIENT_IDENTITY, r);
    }

    /* Phase 2, find the session. Without rules the claims are only read for the
     * identity: a view of them does (allow_view), with no tree to build. The
     * responder's body is a tree. A kept answer for the same credential
     * (the token cache) ends the request here. */
    int viewable = !g->src->database && rt->role != ROLE_RESPONDER && c->authorized == NULL &&
                   c->nrules == 0 && rq->claims_out == NULL;
    na_source_req sr = {
        .cookie = rq->cookie,
        .cookie_len = rq->cookie ? strlen(rq->cookie) : 0,
        .authorization = rq->authorization,
        .authorization_len = rq->authorization ? strlen(rq->authorization) : 0,
    };
    na_source_result ss;
    if (na_source_locate(g->src, &sr, &ss)) {
        if (viewable && cache_answer(g, rt->role, ss.cred, ss.cred_len, now, r))
            return NA_GUARD_ALLOW;
        na_source_resolve(g->src, now_ms, viewable ? NA_SOURCE_VIEW : 0, &ss);
    }
    switch (ss.state) {
    case NA_SOURCE_ERROR:
        if (ss.err.code == NA_E_NO_SECRET) {
            na_log("NO_SECRET: %s", ss.err.msg);
            return deny(g, rt, DENY_CONFIG, r);
        }
        if (ss.err.code == NA_E_STORE) {
            na_log("session store unavailable for %.200s: %s", log_path(rt), ss.err.msg);
            return deny(g, rt, DENY_UNAVAILABLE, r);
        }
        na_log("cannot read the session for %.200s: %s", log_path(rt), ss.err.msg);
        r->failed = 1;
        return NA_GUARD_500;
    case NA_SOURCE_INVALID:
        na_log("bad session token (%s) for %.200s", ss.err.msg, log_path(rt));
        return deny(g, rt, DENY_NO_SESSION, r);
    case NA_SOURCE_NONE:
        return deny(g, rt, DENY_NO_SESSION, r);
    case NA_SOURCE_FOUND:
        break;
    }

    /* Phases 3 and 4 over a view: no rules to decide on, the identity to write. */
    if (ss.claims == NULL) {
        int rc = allow_view(g, rt->role, &ss.view, r);
        if (rc == 0)
            cache_store(g, rt->role, ss.cred, ss.cred_len, &ss.view, r);
        if (rc >= 0) {
            na_source_done(g->src, &ss);
            return NA_GUARD_ALLOW;
        }
        /* a claim to write needs the tree (allow_view wrote nothing) */
        if (na_source_tree(g->src, &ss) == NULL) {
            na_log("cannot read the session for %.200s: %s", log_path(rt), ss.err.msg);
            na_source_done(g->src, &ss);
            r->failed = 1;
            return NA_GUARD_500;
        }
    }

    /* Phase 3, decide. */
    if (!authorized(c, rt->rel, rt->norm_ok, ss.claims)) {
        na_source_done(g->src, &ss);
        na_log("not authorized for %.200s", log_path(rt));
        return deny(g, rt, DENY_FORBIDDEN, r);
    }
    /* Phase 4, answer. */
    allow(g, rt->role, ss.claims, r);
    if (rq->claims_out != NULL)
        *rq->claims_out = json_incref(ss.claims);
    na_source_done(g->src, &ss);
    return NA_GUARD_ALLOW;
}

na_guard_outcome na_guard_forbidden(const na_guard *g, const na_guard_req *rq, na_resp *r)
{
    route_t rt;
    if (!route(g, rq, &rt)) /* not guarded: route stopped before the JSON-or-redirect choice */
        rt.api = wants_json(rq) ||
                 (rt.rel != NULL && na_matcher_list_first(&g->cfg->api, rt.rel) != -1);
    na_guard_outcome o = deny(g, &rt, DENY_FORBIDDEN, r);
    return r->failed ? NA_GUARD_500 : o;
}

na_guard_outcome na_guard_respond(na_guard *g, const na_guard_req *rq, long long now_ms,
                                  na_resp *r)
{
    route_t rt;
    if (rq->claims_out != NULL)
        *rq->claims_out = NULL;
    na_guard_outcome o = route(g, rq, &rt) ? guarded(g, rq, &rt, now_ms, r) : pass(&rt, rq, r);
    if (r->failed && o != NA_GUARD_500) {
        /* the answer could not be built (out of memory): it goes out as a bare 500,
         * so that is the outcome, never the one it was meant to be */
        na_log("cannot build the answer for %.200s (out of memory): 500", log_path(&rt));
        o = NA_GUARD_500;
    }
    if (o != NA_GUARD_ALLOW && rq->claims_out != NULL && *rq->claims_out != NULL) {
        json_decref(*rq->claims_out);
        *rq->claims_out = NULL;
    }
    return o;
}
