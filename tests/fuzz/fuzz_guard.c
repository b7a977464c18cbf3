/* SPDX-License-Identifier: MIT */
/* fuzz_guard.c — the whole guard decision (lib/guard.c and everything below it:
 * path, matcher, cookie, token, JOSE, claims, authz, respond).
 *
 * The input is a request environment, "NAME=value" entries separated by NUL
 * bytes (the first of a name wins, unknown names are ignored):
 *   REQUEST_URI HTTP_COOKIE HTTP_AUTHORIZATION HTTP_ACCEPT HTTP_X_REQUESTED_WITH
 *   HTTP_SEC_FETCH_MODE FCGI_ROLE NEXTAUTH_GUARD_MODE FCGI_APACHE_ROLE
 * and two for the harness:
 *   FUZZ_CONFIG  a digit choosing one of the configurations below (default 0);
 *   FUZZ_CLAIMS  a payload the harness seals with the configuration's own key
 *                (so the fuzzer reaches "allow" with claims of its choosing);
 *                every "{TOKEN}" in HTTP_COOKIE and HTTP_AUTHORIZATION becomes
 *                that token.
 *
 * Invariants (abort() when one fails):
 *   - allowed ⇒ a separate verifier built from the same configuration accepts
 *     the request's token (na_token_get) — also for 403 (valid, not authorized);
 *     a token it accepts is never answered 401; no secret ⇒ never allowed;
 *   - passed (not guarded) ⇒ the path normalizes and is exempt (auth path,
 *     sign-in/error page, /_next but /_next/data, /favicon.ico) or outside the
 *     configured matcher;
 *   - the status fits the outcome, and no answer is marked failed;
 *   - no header line carries a control byte; the CGI output has one header
 *     block; every Location (and na_guard_signin_location) starts with the
 *     configured origin + '/' (no origin: '/' but not "//" or "/\"), and its
 *     callbackUrl decodes to a path starting with one '/';
 *   - an allowed responder answer has a JSON object body;
 *   - the log never carries the token (its last 24 characters, when they look
 *     like the end of a real token).
 * FUZZ_VERBOSE=1 in the environment prints each input's outcome (corpus work). */
#include "guard.h"
#include "json.h"
#include "jwe.h"
#include "jws.h"

#include "fuzz.h"

#define SECRET_LIST "\"secret\":[\"" FUZZ_SECRET "\",\"a-previous-secret-still-accepted\"]"

static const char *const config_text[] = {
    /* 0: v4, https origin, a matcher, api patterns, rules and identity */
    "{" SECRET_LIST ",\"url\":\"https://example.com\",\"useSecureCookies\":false,"
    "\"matcher\":[\"/dashboard/:path*\",\"/admin/:path*\",\"/api/:path*\",\"/reports/(.*)\","
    "\"/u/:user/settings/:tab?\"],"
    "\"api\":[\"/api/:path*\",\"/rpc/(.+)\"],"
    "\"authorized\":{\"any\":[{\"email\":{\"suffix\":\"@example.com\"}},{\"sub\":{\"exists\":true}}]},"
    "\"rules\":[{\"matcher\":[\"/admin/:path*\"],\"authorized\":{\"role\":\"admin\"}},"
    "{\"matcher\":\"/reports/:id\",\"authorized\":{\"groups\":{\"in\":[\"eng\",\"ops\"]}}}],"
    "\"identity\":{\"NEXTAUTH_ROLE\":\"role\",\"NEXTAUTH_DEPT\":\"org\","
    "\"NEXTAUTH_GROUPS\":\"groups\",\"NEXTAUTH_PICTURE\":\"picture\"}}",
    /* 1: v4, no url (relative Locations), basePath, own pages, no matcher */
    "{\"secret\":\"" FUZZ_SECRET "\",\"basePath\":\"/app\","
    "\"pages\":{\"signIn\":\"/login\",\"error\":\"/oops\"},"
    "\"api\":[\"/api/:path*\",\"/graphql\"],"
    "\"rules\":[{\"matcher\":[\"/admin/:path*\",\"/settings/:section?\"],"
    "\"authorized\":{\"all\":[{\"role\":\"admin\"},{\"email_verified\":{\"exists\":false}}]}}],"
    "\"identity\":{\"NEXTAUTH_REMOTE_GROUPS\":\"groups\",\"NEXTAUTH_X_ORG\":\"org\"}}",
    /* 2: jws HS256, http origin with an auth path, negative-lookahead matcher */
    "{\"secret\":\"" FUZZ_SECRET "\",\"url\":\"http://localhost:3000/custom/auth\","
    "\"jwt\":{\"format\":\"jws\"},"
    "\"matcher\":[\"/((?!public|_next/static|favicon.ico).*)\"],"
    "\"authorized\":{\"email\":{\"suffix\":\"@example.com\"}}}",
    /* 3: v5, https, secure cookie names */
    "{" SECRET_LIST ",\"url\":\"https://auth.example.org:8443/api/auth\","
    "\"jwt\":{\"format\":\"authjs-v5\"},\"matcher\":\"/:path*\","
    "\"identity\":{\"NEXTAUTH_ROLE\":\"role\"}}",
    /* 4: no secret at all: configuration errors, never an allow */
    "{\"url\":\"https://example.com\",\"matcher\":[\"/dashboard/:path*\",\"/api/:path*\"]}",
};
#define NCONF (sizeof config_text / sizeof config_text[0])

typedef struct {
    na_config cfg;
    na_source src;      /* the guard's */
    na_verifier check;  /* an independent one */
    int has_v;
    na_guard g;
} deployment;

static deployment dep[NCONF];
static fuzz_logbuf logs;
static int verbose; /* FUZZ_VERBOSE set: one line per input on stderr (corpus work) */

static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    fuzz_quiet_logs(&logs);
    for (size_t i = 0; i < NCONF; i++) {
        deployment *d = &dep[i];
        na_err err;
        fuzz_config(&d->cfg, config_text[i]);
        if (na_source_init(&d->src, &d->cfg, 0, &err) < 0)
            fuzz_die("source", err.msg);
        d->has_v = d->src.have_v;
        if (d->has_v != (d->cfg.nsecrets > 0) ||
            (d->has_v && na_source_token_init(&d->check, &d->cfg, NULL, &err) < 0))
            fuzz_die("verifier", err.msg);
        if (na_guard_init(&d->g, &d->cfg, &d->src, &err) < 0)
            fuzz_die("guard", err.msg);
    }
}

/* ---- the request environment ---------------------------------------------- */

enum { E_URI, E_COOKIE, E_AUTHZ, E_ACCEPT, E_XRW, E_SFM, E_ROLE, E_MODE, E_APACHE, E_CONF,
       E_CLAIMS, E_N };
static const char *const env_names[E_N] = {
    "REQUEST_URI", "HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_ACCEPT",
    "HTTP_X_REQUESTED_WITH", "HTTP_SEC_FETCH_MODE", "FCGI_ROLE", "NEXTAUTH_GUARD_MODE",
    "FCGI_APACHE_ROLE", "FUZZ_CONFIG", "FUZZ_CLAIMS",
};

/* Seal the claims payload with the deployment's first key (configuration 4 has
 * none: configuration 0's key then). */
static char *mint(const deployment *d, const char *payload, size_t n)
{
    const na_verifier *v = d->has_v ? &d->src.v : &dep[0].src.v;
    na_err err;
    char *tok = v->kr.format == NA_FMT_JWS
                    ? na_jws_sign(&v->kr, NA_ALG_HS256, (const unsigned char *)payload, n, &err)
                    : na_jwe_encrypt(&v->kr, (const unsigned char *)payload, n, &err);
    if (tok == NULL)
        fuzz_die("mint", err.msg);
    return tok;
}

/* ---- the reference decisions ---------------------------------------------- */

static int under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n > 0 && prefix[n - 1] == '/')
        n--;
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* May this request pass unguarded? (docs/behaviour.md, Guard decision,
 * steps 1–3; written from guard.h.) */
static int may_pass(const deployment *d, const char *uri)
{
    const na_config *c = &d->cfg;
    size_t pathlen;
    char norm[NA_PATH_MAX + 1];
    const char *p = na_path_of_target(uri, &pathlen); /* absolute-form: its path */
    if (p == NULL || na_path_normalize(p, pathlen, norm) < 0)
        return 0; /* a path that cannot be normalized is guarded */
    const char *rel = norm;
    /* the configured paths in canonical form, as the guard compares them */
    size_t bl = strlen(d->g.base_path);
    if (bl > 0)
        rel = under(norm, d->g.base_path) ? (norm[bl] ? norm + bl : "/") : NULL;
    if (under(norm, d->g.url.path))
        return 1;
    if (rel != NULL && (strcmp(rel, d->g.sign_in) == 0 || strcmp(rel, d->g.error_page) == 0 ||
                        (under(rel, "/_next") && !under(rel, "/_next/data")) ||
                        strcmp(rel, "/favicon.ico") == 0))
        return 1;
    return c->has_matcher && (rel == NULL || na_matcher_list_first(&c->matcher, rel) == -1);
}

/* ---- the answer ------------------------------------------------------------ */

/* A redirect target: on the origin, and a callbackUrl that stays on the site. */
static void check_location(void *ctx, const char *loc, size_t n)
{
    const deployment *d = ctx;
    const char *origin = d->g.url.origin;
    size_t ol = strlen(origin);
    if (ol > 0)
        FUZZ_CHECK(n > ol && memcmp(loc, origin, ol) == 0 && loc[ol] == '/',
                   "Location \"%.*s\" is not on %s", (int)(n > 200 ? 200 : n), loc, origin);
    else
        FUZZ_CHECK(n > 0 && loc[0] == '/' && !(n > 1 && (loc[1] == '/' || loc[1] == '\\')),
                   "relative Location \"%.*s\"", (int)(n > 200 ? 200 : n), loc);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)loc[i] > 0x20 && (unsigned char)loc[i] < 0x7f,
                   "Location has byte 0x%02x at %zu", (unsigned char)loc[i], i);
    static const char key[] = "?callbackUrl=";
    const char *cb = NULL;
    for (size_t i = 0; i + sizeof key - 1 <= n && cb == NULL; i++)
        if (memcmp(loc + i, key, sizeof key - 1) == 0)
            cb = loc + i + sizeof key - 1;
    if (cb == NULL)
        return;
    /* form-decode the first two characters */
    char first[2];
    const char *p = cb, *end = loc + n;
    for (int k = 0; k < 2; k++) {
        if (p >= end) {
            first[k] = '\0';
        } else if (*p == '%' && end - p >= 3 && fuzz_hexval(p[1]) >= 0 && fuzz_hexval(p[2]) >= 0) {
            first[k] = (char)(fuzz_hexval(p[1]) << 4 | fuzz_hexval(p[2]));
            p += 3;
        } else {
            first[k] = *p == '+' ? ' ' : *p;
            p++;
        }
    }
    FUZZ_CHECK(first[0] == '/' && first[1] != '/' && first[1] != '\\',
               "callbackUrl does not decode to a local path: \"%.*s\"",
               (int)(end - cb > 200 ? 200 : end - cb), cb);
}

static void location_line(void *ctx, const char *name, size_t nl, const char *value,
                          size_t vl)
{
    if (nl == 8 && memcmp(name, "Location", 8) == 0)
        check_location(ctx, value, vl);
}

typedef struct {
    char *p;
    size_t len, cap;
} membuf;

static int to_mem(void *ctx, const char *p, size_t n)
{
    membuf *b = ctx;
    if (n > b->cap - b->len) {
        size_t cap = (b->len + n) * 2;
        char *q = realloc(b->p, cap);
        if (q == NULL)
            return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

/* The bytes a server would read: one Status line, clean header lines, a blank
 * line. */
static void check_written(const na_resp *r)
{
    membuf b = {0};
    FUZZ_CHECK(na_resp_write(r, to_mem, &b) == 0, "na_resp_write failed");
    FUZZ_CHECK(b.len > 8 && memcmp(b.p, "Status: ", 8) == 0, "output does not start with Status");
    size_t end = 0;
    for (size_t i = 0; i + 3 < b.len; i++)
        if (memcmp(b.p + i, "\r\n\r\n", 4) == 0) {
            end = i;
            break;
        }
    FUZZ_CHECK(end > 0, "no end of headers");
    for (size_t i = 0; i < end; i++) {
        unsigned char c = (unsigned char)b.p[i];
        if (c == '\r' || c == '\n')
            FUZZ_CHECK(c == '\r' ? b.p[i + 1] == '\n' : b.p[i - 1] == '\r', "bare CR or LF");
        else
            FUZZ_CHECK(c >= 0x20 && c != 0x7f, "control byte 0x%02x in the output", c);
    }
    free(b.p);
}

/* The raw token the request carries (cookie first, then Bearer), into buf. */
static size_t request_token(deployment *d, const fuzz_env *e, char *buf)
{
    size_t n = 0;
    const na_verifier *v = d->has_v ? &d->src.v : &dep[0].src.v;
    if (e->v[E_COOKIE] &&
        na_cookie_session(e->v[E_COOKIE], strlen(e->v[E_COOKIE]), v->cookie_name, buf,
                          NA_TOKEN_MAX, &n, NULL, NULL) == 1)
        return n;
    if (e->v[E_AUTHZ] &&
        na_cookie_bearer(e->v[E_AUTHZ], strlen(e->v[E_AUTHZ]), buf, NA_TOKEN_MAX, &n, NULL) == 1)
        return n;
    return 0;
}

/* 24 base64url characters with a digit, an upper- and a lower-case letter: the
 * end of a real token, not text the fuzzer copied from a log message. */
static int looks_random(const char *s)
{
    int digit = 0, upper = 0, lower = 0;
    for (size_t i = 0; i < 24; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digit = 1;
        else if (c >= 'A' && c <= 'Z')
            upper = 1;
        else if (c >= 'a' && c <= 'z')
            lower = 1;
        else if (c != '-' && c != '_')
            return 0;
    }
    return digit && upper && lower;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    static char *tokbuf;
    if (tokbuf == NULL && (tokbuf = malloc(NA_TOKEN_MAX)) == NULL)
        fuzz_die("malloc", "out of memory");

    fuzz_env e;
    fuzz_env_parse(&e, env_names, E_N, data, size);
    size_t which = fuzz_pick(e.v[E_CONF], NCONF);
    deployment *d = &dep[which];
    if (e.v[E_CLAIMS]) {
        char *tok = mint(d, e.v[E_CLAIMS], e.len[E_CLAIMS]);
        fuzz_put_token(&e.v[E_COOKIE], tok);
        fuzz_put_token(&e.v[E_AUTHZ], tok);
        free(tok);
    }

    na_guard_req rq;
    memset(&rq, 0, sizeof rq);
    rq.request_uri = e.v[E_URI];
    rq.cookie = e.v[E_COOKIE];
    rq.authorization = e.v[E_AUTHZ];
    rq.accept = e.v[E_ACCEPT];
    rq.x_requested_with = e.v[E_XRW];
    rq.sec_fetch_mode = e.v[E_SFM];
    rq.fcgi_role = e.v[E_ROLE];
    rq.mode = e.v[E_MODE];
    rq.apache_role = e.v[E_APACHE];

    logs.len = 0;
    na_resp r;
    na_resp_init(&r);
    na_guard_outcome o = na_guard_respond(&d->g, &rq, FUZZ_NOW * 1000LL, &r);
    FUZZ_CHECK(o >= NA_GUARD_PASS && o <= NA_GUARD_CONFIG_API, "outcome %d", (int)o);
    if (verbose) {
        static const char *const names[] = {"pass", "allow", "401", "403", "signin",
                                            "config-page", "config-api"};
        fprintf(stderr, "guard: config %zu, outcome %s, status %d, %.80s\n", which, names[o],
                r.status, rq.request_uri ? rq.request_uri : "(no REQUEST_URI)");
    }

    /* the decision against an independent verifier */
    if (!d->has_v) {
        FUZZ_CHECK(o == NA_GUARD_PASS || o == NA_GUARD_CONFIG_PAGE || o == NA_GUARD_CONFIG_API,
                   "no secret, outcome %d", (int)o);
    } else {
        json_t *claims = NULL;
        na_err err;
        const char *ck = rq.cookie, *az = rq.authorization;
        int got = na_token_get(&d->check, ck, ck ? strlen(ck) : 0, az, az ? strlen(az) : 0,
                               FUZZ_NOW, &claims, NULL, &err);
        json_decref(claims);
        if (o == NA_GUARD_ALLOW || o == NA_GUARD_403)
            FUZZ_CHECK(got == 1, "outcome %d but the token is not valid (get %d: %s)", (int)o,
                       got, err.msg);
        if (got == 1)
            FUZZ_CHECK(o != NA_GUARD_401, "a valid token was answered 401");
        FUZZ_CHECK(o != NA_GUARD_CONFIG_PAGE && o != NA_GUARD_CONFIG_API,
                   "configuration error with a secret");
    }
    if (o == NA_GUARD_PASS)
        FUZZ_CHECK(may_pass(d, rq.request_uri ? rq.request_uri : ""),
                   "passed a guarded path \"%.200s\"", rq.request_uri ? rq.request_uri : "");

    /* the answer */
    FUZZ_CHECK(!r.failed, "outcome %d answered with a failed response", (int)o);
    int auth_request = rq.mode && strcmp(rq.mode, "auth_request") == 0;
    int want = o == NA_GUARD_PASS || o == NA_GUARD_ALLOW ? 200
               : o == NA_GUARD_401                        ? 401
               : o == NA_GUARD_403                        ? 403
               : o == NA_GUARD_CONFIG_API                 ? 500
               : auth_request                             ? 401
                                                          : 307;
    FUZZ_CHECK(r.status == want, "outcome %d with status %d", (int)o, r.status);
    fuzz_check_head(r.head.p, r.head.len, location_line, d);
    check_written(&r);
    if (o == NA_GUARD_ALLOW && !auth_request &&
        !(rq.fcgi_role && strcmp(rq.fcgi_role, "AUTHORIZER") == 0)) {
        json_t *body = na_json_parse_object(r.body.p, r.body.len, "body", NULL);
        FUZZ_CHECK(body != NULL, "allowed responder body is not a JSON object");
        json_decref(body);
    }
    char *loc = na_guard_signin_location(&d->g, rq.request_uri);
    FUZZ_CHECK(loc != NULL, "no sign-in location");
    check_location(d, loc, strlen(loc));
    free(loc);

    /* the log never carries the token */
    size_t tl = request_token(d, &e, tokbuf);
    if (tl >= 24 && logs.len > 0 && looks_random(tokbuf + tl - 24)) {
        /* unless the path itself (raw or normalized: it is logged) holds it */
        const char *tail = tokbuf + tl - 24;
        const char *uri = rq.request_uri ? rq.request_uri : "";
        char norm[NA_PATH_MAX + 1];
        size_t pl;
        const char *pp = na_path_of_target(uri, &pl);
        long nl = pp ? na_path_normalize(pp, pl, norm) : -1;
        if (fuzz_memmem(uri, strlen(uri), tail, 24) == NULL &&
            (nl < 0 || fuzz_memmem(norm, (size_t)nl, tail, 24) == NULL))
            FUZZ_CHECK(fuzz_memmem(logs.text, logs.len, tail, 24) == NULL,
                       "a log line carries the token");
    }

    na_resp_free(&r);
    fuzz_env_free(&e);
    return 0;
}
