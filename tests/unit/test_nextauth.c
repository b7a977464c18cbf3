/* SPDX-License-Identifier: MIT */
/* test_nextauth.c — the public page API (include/nextauth.h, lib/nextauth.c)
 * without a server:
 * each request goes through serve_one, the function the FastCGI loop calls
 * with a request's environment and its answer, and the answer is written as
 * the loop writes it. The clock is fixed: nextauth.c reads it once per request
 * through na_timefmt_now_ms, which this file renames to its own clock before
 * including nextauth.c (no other module is affected).
 *
 * Checked: the session, its claims and reason; the session JSON compact and
 * indented as JSON.stringify(session, null, n); every answer function and the
 * rule that each replaces the last; redirects (same-origin paths only, CR/LF
 * refused); the headers a page may add and the ones it may not; the cookie
 * refresh; the session endpoint's answer; one request never leaking into the
 * next. */
#define na_timefmt_now_ms test_clock_ms
#include "nextauth.c"
#undef na_timefmt_now_ms

#include <sqlite3.h>

#include "unit.h"

#define NOW 1700000000LL           /* Tue, 14 Nov 2023 22:13:20 GMT */
#define NOW_MS (NOW * 1000 + 123)
#define EXPIRES_ISO "2023-12-14T22:13:20.123Z" /* NOW_MS + 30 days */
#define EXPIRES_HTTP "Thu, 14 Dec 2023 22:13:20 GMT"
#define SECRET "\"secret\":\"page-unit-test-secret-0123456789abcdefgh\""
#define N "next-auth.session-token"

#define FALLBACK                                                                               \
    "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n"                  \
    "Cache-Control: no-store\r\n\r\n{\"message\":\"Internal Server Error\"}"
#define NO_CACHE "Cache-Control: private, no-cache, no-store\r\nPragma: no-cache\r\nExpires: 0\r\n"
#define CLEAR(n) "Set-Cookie: " n "=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax\r\n"

long long test_clock_ms(void)
{
    return NOW_MS;
}

/* ---- an app, a request, its answer and the log ---- */

static nextauth_app *load(const char *json)
{
    char path[] = "/tmp/test_page_XXXXXX", why[256] = "";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    int wrote = write(fd, json, strlen(json)) == (ssize_t)strlen(json);
    close(fd);
    nextauth_app *a = wrote ? nextauth_app_load(path, why, sizeof why) : NULL;
    unlink(path);
    if (a == NULL)
        printf("    load: %s\n", why);
    return a;
}

static char logged[8][512];
static int log_count;

static void log_sink(void *ctx, const char *line)
{
    (void)ctx;
    if (log_count < 8)
        snprintf(logged[log_count], sizeof logged[0], "%s", line);
    log_count++;
}

static unit_out o;              /* the last answer */
static const char *extra_env;    /* one more "NAME=value" for the next requests */

/* One request: method, REQUEST_URI and Cookie header (NULL: not set),
 * answered by h(req, user) through serve_one, written into o. */
static void request(nextauth_app *a, const char *method, const char *uri, const char *cookie,
                    nextauth_handler h, void *user)
{
    static char m[64], u[4096], c[NA_COOKIE_HEADER_MAX + 32];
    char *env[6];
    size_t n = 0;
    if (method) {
        snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
        env[n++] = m;
    }
    if (uri) {
        snprintf(u, sizeof u, "REQUEST_URI=%s", uri);
        env[n++] = u;
    }
    if (cookie) {
        snprintf(c, sizeof c, "HTTP_COOKIE=%s", cookie);
        env[n++] = c;
    }
    env[n++] = "QUERY_STRING=a=1";
    if (extra_env)
        env[n++] = (char *)extra_env;
    env[n] = NULL;
    struct serve_ctx s = {a, h, user};
    na_resp r;
    na_resp_init(&r);
    log_count = 0;
    serve_one(&s, env, &r);
    o.n = 0;
    o.b[0] = '\0';
    if (na_resp_write(&r, unit_collect, &o) < 0)
        o.n = 0;
    na_resp_free(&r);
}

/* A cookie header with a token for claims_json, minted at `at` for max_age. */
static char *cookie_for(nextauth_app *a, const char *claims_json, long max_age, long long at)
{
    na_err err;
    json_t *c = json_loads(claims_json, 0, NULL);
    char *tok = c ? na_token_encode(&a->app.src.v, c, max_age, at, &err) : NULL;
    json_decref(c);
    if (tok == NULL)
        return NULL;
    char *h = malloc(strlen(tok) + sizeof N + 1);
    sprintf(h, N "=%s", tok);
    free(tok);
    return h;
}

/* The value of the cookie line for name in o (a copy), or NULL. */
static char *set_cookie(const char *name)
{
    char pre[256];
    snprintf(pre, sizeof pre, "Set-Cookie: %s=", name);
    const char *p = strstr(o.b, pre);
    if (p == NULL)
        return NULL;
    p += strlen(pre);
    return strndup(p, strcspn(p, ";\r"));
}

static const char ADA[] = "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
                          "\"picture\":\"https://example.com/a.png\",\"sub\":\"42\"}";
static const char ADA_BODY[] = "{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
                               "\"image\":\"https://example.com/a.png\"},"
                               "\"expires\":\"" EXPIRES_ISO "\"}";

/* ---- handlers: each does one thing the test names, and notes what it saw ---- */

struct seen {
    int before_session;      /* nextauth_claims/reason before nextauth_session */
    int session, again;      /* nextauth_session, twice */
    char claims[1024];       /* nextauth_claims, dumped */
    char reason[256];        /* nextauth_reason, or "(null)" */
    char json[8][2048];      /* nextauth_session_json for the indents of `indents` */
    const char *ptr[2];      /* the same indent asked twice gives the same text */
    int rc;                  /* what the handler's last call returned */
    char param[3][256];
};

static const int indents[8] = {0, 2, 4, -1, 10, 11, 1, 2};

static void h_inspect(nextauth_req *req, void *user)
{
    struct seen *s = user;
    s->before_session = nextauth_claims(req) == NULL && nextauth_reason(req) == NULL;
    s->session = nextauth_session(req);
    s->again = nextauth_session(req);
    const json_t *c = nextauth_claims(req);
    char *d = c ? json_dumps(c, JSON_COMPACT) : NULL;
    snprintf(s->claims, sizeof s->claims, "%s", d ? d : "(null)");
    free(d);
    const char *why = nextauth_reason(req);
    snprintf(s->reason, sizeof s->reason, "%s", why ? why : "(null)");
    for (int i = 0; i < 8; i++) {
        const char *j = nextauth_session_json(req, indents[i]);
        snprintf(s->json[i], sizeof s->json[i], "%s", j ? j : "(null)");
        if (i == 1)
            s->ptr[0] = j;
        if (i == 7)
            s->ptr[1] = j;
    }
    const char *names[3] = {"REQUEST_URI", "QUERY_STRING", "HTTP_ACCEPT"};
    for (int i = 0; i < 3; i++) {
        const char *v = nextauth_param(req, names[i]);
        snprintf(s->param[i], sizeof s->param[i], "%s", v ? v : "(null)");
    }
    s->rc = nextauth_param(req, NULL) == NULL;
    nextauth_respond(req, 204, NULL, NULL, 0);
}

static void test_session(void)
{
    nextauth_app *a = load("{" SECRET ",\"url\":\"http://127.0.0.1\"}");
    if (a == NULL) {
        CHECK(0);
        return;
    }
    static struct seen s;
    char *ada = cookie_for(a, ADA, 3600, NOW);

    memset(&s, 0, sizeof s);
    request(a, "GET", "/dashboard", ada, h_inspect, &s);
    CHECK_EQ_INT(s.before_session, 1);
    CHECK_EQ_INT(s.session, 1);
    CHECK_EQ_INT(s.again, 1);
    char want[1024];
    snprintf(want, sizeof want, "%.*s,\"iat\":%lld,\"exp\":%lld,", (int)strlen(ADA) - 1, ADA, NOW,
             NOW + 3600);
    CHECK(strncmp(s.claims, want, strlen(want)) == 0); /* then the jti */
    CHECK_EQ_STR(s.reason, "(null)");
    CHECK_EQ_STR(s.json[0], ADA_BODY);
    CHECK_EQ_STR(s.json[3], ADA_BODY); /* a negative indent is 0 */
    /* JSON.stringify(session, null, 2): one member a line, ": " after keys */
    CHECK_EQ_STR(s.json[1], "{\n"
                            "  \"user\": {\n"
                            "    \"name\": \"Ada Lovelace\",\n"
                            "    \"email\": \"ada@example.com\",\n"
                            "    \"image\": \"https://example.com/a.png\"\n"
                            "  },\n"
                            "  \"expires\": \"" EXPIRES_ISO "\"\n"
                            "}");
    CHECK_EQ_STR(s.json[2], "{\n"
                            "    \"user\": {\n"
                            "        \"name\": \"Ada Lovelace\",\n"
                            "        \"email\": \"ada@example.com\",\n"
                            "        \"image\": \"https://example.com/a.png\"\n"
                            "    },\n"
                            "    \"expires\": \"" EXPIRES_ISO "\"\n"
                            "}");
    CHECK_EQ_STR(s.json[6], "{\n \"user\": {\n  \"name\": \"Ada Lovelace\",\n"
                            "  \"email\": \"ada@example.com\",\n"
                            "  \"image\": \"https://example.com/a.png\"\n },\n"
                            " \"expires\": \"" EXPIRES_ISO "\"\n}");
    /* JSON.stringify clamps the indent to 10 */
    CHECK(strncmp(s.json[4], "{\n          \"user\": {\n                    \"name\"", 48) == 0);
    CHECK_EQ_STR(s.json[5], s.json[4]);
    CHECK(s.ptr[0] != NULL && s.ptr[0] == s.ptr[1]); /* made once a request */
    CHECK_EQ_STR(s.param[0], "/dashboard");
    CHECK_EQ_STR(s.param[1], "a=1");
    CHECK_EQ_STR(s.param[2], "(null)");
    CHECK_EQ_INT(s.rc, 1);
    CHECK_EQ_STR(o.b, "Status: 204 No Content\r\n\r\n"); /* no refresh asked: no cookie */

    /* no cookie: no session, the reason, nothing logged */
    na_log_set_sink(log_sink, NULL);
    memset(&s, 0, sizeof s);
    request(a, "GET", "/", NULL, h_inspect, &s);
    CHECK_EQ_INT(s.session, 0);
    CHECK_EQ_STR(s.claims, "(null)");
    CHECK_EQ_STR(s.reason, "no session token (cookie next-auth.session-token, no bearer)");
    CHECK_EQ_STR(s.json[0], "(null)");
    CHECK_EQ_STR(s.json[1], "(null)");
    CHECK_EQ_INT(log_count, 0);
    CHECK_EQ_STR(o.b, "Status: 204 No Content\r\n\r\n");
    /* a Bearer token is not read: getServerSession reads cookies only */
    static char bearer[4096];
    snprintf(bearer, sizeof bearer, "HTTP_AUTHORIZATION=Bearer %s", strchr(ada, '=') + 1);
    extra_env = bearer;
    memset(&s, 0, sizeof s);
    request(a, "GET", "/", NULL, h_inspect, &s);
    extra_env = NULL;
    CHECK_EQ_INT(s.session, 0);
    CHECK_EQ_STR(s.reason, "no session token (cookie next-auth.session-token, no bearer)");

    /* a bad token: the reason, one log line however often asked */
    memset(&s, 0, sizeof s);
    request(a, "GET", "/", N "=x.y.z", h_inspect, &s);
    CHECK_EQ_INT(s.session, 0);
    CHECK_EQ_STR(s.reason, "token has 3 segment(s), expected 5");
    CHECK_EQ_INT(log_count, 1);
    CHECK_EQ_STR(logged[0], "nextauth: JWT_SESSION_ERROR: token has 3 segment(s), expected 5 "
                            "(cookie next-auth.session-token, 1 name(s), header 29 bytes)");
    /* an expired one */
    char *old = cookie_for(a, ADA, 60, NOW - 3600);
    memset(&s, 0, sizeof s);
    request(a, "GET", "/", old, h_inspect, &s);
    CHECK_EQ_STR(s.reason, "token expired");
    CHECK(strstr(logged[0], strchr(old, '=') + 1) == NULL); /* never the token */
    free(old);
    na_log_set_sink(NULL, NULL);

    /* strings in the indented form are written as in the compact one */
    char *odd = cookie_for(a, "{\"name\":\"caf\\u00e9 \\u001f \\\"q\\\" \\ud83d\\ude00\"}", 3600,
                           NOW);
    memset(&s, 0, sizeof s);
    request(a, "GET", "/", odd, h_inspect, &s);
    CHECK_EQ_STR(s.json[0], "{\"user\":{\"name\":\"caf\xc3\xa9 \\u001f \\\"q\\\" \xf0\x9f\x98\x80\"},"
                            "\"expires\":\"" EXPIRES_ISO "\"}");
    CHECK_EQ_STR(s.json[1], "{\n  \"user\": {\n    \"name\": \"caf\xc3\xa9 \\u001f \\\"q\\\" "
                            "\xf0\x9f\x98\x80\"\n  },\n  \"expires\": \"" EXPIRES_ISO "\"\n}");
    free(odd);
    /* an empty user object: "{}" in both forms */
    odd = cookie_for(a, "{\"sub\":\"1\"}", 3600, NOW);
    memset(&s, 0, sizeof s);
    request(a, "GET", "/", odd, h_inspect, &s);
    CHECK_EQ_STR(s.json[1], "{\n  \"user\": {},\n  \"expires\": \"" EXPIRES_ISO "\"\n}");
    free(odd);
    free(ada);
    nextauth_app_free(a);
}

/* ---- answers ---- */

enum act {
    RESPOND_TEXT,     /* 200 text/plain "hi" */
    RESPOND_NO_TYPE,  /* 201 without Content-Type or body */
    RESPOND_BAD_STATUS,
    RESPOND_BAD_TYPE,
    RESPOND_401,
    RESPOND_403,
    RESPOND_HTML,     /* 200 text/html, "<p>", append_html, append "</p>" */
    APPEND_NULL_HTML,
    NOTHING,
    REPLACED,         /* 401, then 403, then 200 "ok" */
    REPLACED_BAD,     /* a bad status, then 401: the failed answer is dropped */
    SESSION,          /* nextauth_respond_session */
    REFRESH_SESSION,  /* nextauth_refresh, then nextauth_respond_session */
    SESSION_REFRESH,  /* nextauth_respond_session, then nextauth_refresh */
    PAGE,             /* the protected-page example */
};

struct act_ctx {
    enum act act;
    const char *html;
    int rc[3];
    long long iat; /* PAGE: the iat of nextauth_claims after the refresh */
};

/* rc starts at 9: "not returned yet" */
#define ACT(a, h) ((struct act_ctx){.act = (a), .html = (h), .rc = {9, 9, 9}})

static void h_act(nextauth_req *req, void *user)
{
    struct act_ctx *c = user;
    switch (c->act) {
    case RESPOND_TEXT:
        c->rc[0] = nextauth_respond(req, 200, "text/plain", "hi", 2);
        break;
    case RESPOND_NO_TYPE:
        c->rc[0] = nextauth_respond(req, 201, NULL, NULL, 0);
        break;
    case RESPOND_BAD_STATUS:
        c->rc[0] = nextauth_respond(req, 99, "text/plain", "x", 1);
        break;
    case RESPOND_BAD_TYPE:
        c->rc[0] = nextauth_respond(req, 200, "text/plain\r\nSet-Cookie: a=1", "x", 1);
        break;
    case RESPOND_401:
        nextauth_respond_401(req);
        break;
    case RESPOND_403:
        nextauth_respond_403(req);
        break;
    case RESPOND_HTML:
        c->rc[0] = nextauth_respond(req, 200, "text/html", "<p>", 3);
        c->rc[1] = nextauth_append_html(req, c->html);
        c->rc[2] = nextauth_append(req, "</p>", 4);
        break;
    case APPEND_NULL_HTML:
        nextauth_respond(req, 200, "text/html", "<p>", 3);
        c->rc[0] = nextauth_append_html(req, NULL);
        break;
    case NOTHING:
        break;
    case REPLACED:
        nextauth_respond_401(req);
        nextauth_respond_403(req);
        c->rc[0] = nextauth_respond(req, 200, "text/plain", "ok", 2);
        break;
    case REPLACED_BAD:
        c->rc[0] = nextauth_respond(req, 600, NULL, NULL, 0);
        nextauth_respond_401(req);
        break;
    case SESSION:
        nextauth_respond_session(req);
        break;
    case REFRESH_SESSION:
        c->rc[0] = nextauth_refresh(req);
        nextauth_respond_session(req);
        break;
    case SESSION_REFRESH:
        nextauth_respond_session(req);
        c->rc[0] = nextauth_refresh(req);
        break;
    case PAGE:
        c->rc[0] = nextauth_refresh(req);
        if (!nextauth_session(req)) {
            c->rc[1] = nextauth_redirect(req, "/", 307);
            return;
        }
        c->iat = json_integer_value(json_object_get(nextauth_claims(req), "iat"));
        nextauth_respond(req, 200, "text/html; charset=utf-8", "<pre>", 5);
        c->rc[1] = nextauth_append_html(req, nextauth_session_json(req, 2));
        nextauth_append(req, "</pre>", 6);
        break;
    }
}

static void act(nextauth_app *a, const char *method, const char *cookie, struct act_ctx *c)
{
    request(a, method, "/page?x=1", cookie, h_act, c);
}

static void test_answers(void)
{
    nextauth_app *a = load("{" SECRET ",\"url\":\"http://127.0.0.1\"}");
    if (a == NULL) {
        CHECK(0);
        return;
    }
    struct act_ctx c = ACT(RESPOND_TEXT, NULL);
    act(a, "GET", NULL, &c);
    CHECK_EQ_INT(c.rc[0], 0);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhi");
    act(a, "HEAD", NULL, &c); /* HEAD: the body is left out */
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    c.act = RESPOND_NO_TYPE;
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 201 Created\r\n\r\n");

    c = ACT(RESPOND_BAD_STATUS, NULL);
    act(a, "GET", NULL, &c);
    CHECK_EQ_INT(c.rc[0], -1);
    CHECK_EQ_STR(o.b, FALLBACK);
    c = ACT(RESPOND_BAD_TYPE, NULL);
    act(a, "GET", NULL, &c);
    CHECK_EQ_INT(c.rc[0], -1);
    CHECK_EQ_STR(o.b, FALLBACK);

    c.act = RESPOND_401;
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
                      "Cache-Control: no-store\r\n\r\n{\"message\":\"You must be logged in.\"}");
    c.act = RESPOND_403;
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 403 Forbidden\r\nContent-Type: application/json\r\n"
                      "Cache-Control: no-store\r\n\r\n{\"message\":\"Forbidden\"}");
    act(a, "HEAD", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 403 Forbidden\r\nContent-Type: application/json\r\n"
                      "Cache-Control: no-store\r\n\r\n");

    /* React's text escaping: & < > " ' and nothing else */
    c = ACT(RESPOND_HTML, "a&b<c>d\"e'f/g`h=i\xc3\xa9 &amp;");
    act(a, "GET", NULL, &c);
    CHECK(c.rc[0] == 0 && c.rc[1] == 0 && c.rc[2] == 0);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/html\r\n\r\n"
                      "<p>a&amp;b&lt;c&gt;d&quot;e&#x27;f/g`h=i\xc3\xa9 &amp;amp;</p>");
    c = ACT(RESPOND_HTML, "");
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/html\r\n\r\n<p></p>");
    c = ACT(RESPOND_HTML, "<<>>''");
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/html\r\n\r\n"
                      "<p>&lt;&lt;&gt;&gt;&#x27;&#x27;</p>");
    /* NULL (a failed nextauth_session_json): the answer is a 500 */
    c = ACT(APPEND_NULL_HTML, NULL);
    act(a, "GET", NULL, &c);
    CHECK_EQ_INT(c.rc[0], -1);
    CHECK_EQ_STR(o.b, FALLBACK);

    /* no answer at all: a bare 500 */
    c.act = NOTHING;
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, FALLBACK);
    /* each answer replaces the one before, a failed one too */
    c.act = REPLACED;
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok");
    c.act = REPLACED_BAD;
    act(a, "GET", NULL, &c);
    CHECK_EQ_INT(c.rc[0], -1);
    CHECK(strncmp(o.b, "Status: 401 Unauthorized\r\n", 26) == 0);
    nextauth_app_free(a);
}

/* ---- redirects ---- */

struct redir_ctx {
    const char *path;
    int status;
    int rc;
};

static void h_redirect(nextauth_req *req, void *user)
{
    struct redir_ctx *c = user;
    c->rc = c->path == (const char *)1 ? nextauth_redirect_signin(req)
                                       : nextauth_redirect(req, c->path, c->status);
}

static void test_redirect(void)
{
    nextauth_app *a = load("{" SECRET ",\"url\":\"http://127.0.0.1\"}");
    nextauth_app *b = load("{" SECRET ",\"url\":\"https://example.com/app\",\"basePath\":\"/app\"}");
    if (a == NULL || b == NULL) {
        CHECK(0);
        return;
    }
    /* same-origin paths, each status */
    static const struct {
        const char *path;
        int status;
        const char *line;
    } ok[] = {
        {"/", 307, "Status: 307 Temporary Redirect\r\n"},
        {"/dashboard", 308, "Status: 308 Permanent Redirect\r\n"},
        {"/a?b=c&d=%2F#frag", 301, "Status: 301 Moved Permanently\r\n"},
        {"/a/b//c", 302, "Status: 302 Found\r\n"},
        {"/~u/a:b@c;d!$'()*+,=", 303, "Status: 303 See Other\r\n"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct redir_ctx c = {ok[i].path, ok[i].status, 9};
        char want[512];
        request(a, "GET", "/x", NULL, h_redirect, &c);
        CHECK_EQ_INT(c.rc, 0);
        snprintf(want, sizeof want, "%sLocation: %s\r\nCache-Control: no-store\r\n\r\n",
                 ok[i].line, ok[i].path);
        if (!CHECK_EQ_STR(o.b, want))
            printf("    path %s\n", ok[i].path);
        /* basePath goes in front, as Next.js does */
        request(b, "GET", "/x", NULL, h_redirect, &c);
        snprintf(want, sizeof want, "%sLocation: /app%s\r\nCache-Control: no-store\r\n\r\n",
                 ok[i].line, ok[i].path);
        CHECK_EQ_STR(o.b, want);
    }

    /* paths that could leave the site, or split the header: refused, a 500, a line logged */
    static const char *const bad[] = {
        "",          "dashboard",        "https://evil.example/",  "//evil.example",
        "//",        "/\\evil.example",  "/a\\b",                  "/a b",
        "/a\r\nSet-Cookie: x=1",          "/a\n",                   "/\r",
        "/a\t",      "/\tb",             "/\x01",                  "/\x7f",
        "/caf\xc3\xa9", " /a",            "\t//evil.example",
    };
    na_log_set_sink(log_sink, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct redir_ctx c = {bad[i], 307, 9};
        request(a, "GET", "/x", NULL, h_redirect, &c);
        int fine = unit_eq_int(c.rc, -1, __FILE__, __LINE__, "refused");
        fine &= unit_eq_str(o.b, FALLBACK, __FILE__, __LINE__, "a 500");
        char line[256];
        snprintf(line, sizeof line,
                 "nextauth: nextauth_redirect: refused a path that is not a same-origin /path "
                 "(status 307, path of %zu bytes)",
                 strlen(bad[i]));
        fine &= unit_eq_int(log_count, 1, __FILE__, __LINE__, "one line");
        fine &= unit_eq_str(logged[0], line, __FILE__, __LINE__, "the line");
        if (!fine)
            printf("    case %zu\n", i);
    }
    struct redir_ctx c = {NULL, 307, 9};
    request(a, "GET", "/x", NULL, h_redirect, &c);
    CHECK_EQ_INT(c.rc, -1);
    CHECK_EQ_STR(o.b, FALLBACK);
    /* statuses other than the five redirects */
    static const int bad_status[] = {200, 300, 304, 305, 306, 309, 399, 0, -307};
    for (size_t i = 0; i < sizeof bad_status / sizeof bad_status[0]; i++) {
        c = (struct redir_ctx){"/", bad_status[i], 9};
        request(a, "GET", "/x", NULL, h_redirect, &c);
        CHECK_EQ_INT(c.rc, -1);
        CHECK_EQ_STR(o.b, FALLBACK);
        char line[128];
        snprintf(line, sizeof line,
                 "nextauth: nextauth_redirect: refused a status (status %d, path of 1 bytes)",
                 bad_status[i]);
        CHECK_EQ_STR(logged[0], line);
    }
    na_log_set_sink(NULL, NULL);

    /* the sign-in page, with this request's path and query as callbackUrl */
    c = (struct redir_ctx){(const char *)1, 0, 9};
    request(a, "GET", "/dashboard?x=1", NULL, h_redirect, &c);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\n"
                      "Location: http://127.0.0.1/api/auth/signin?callbackUrl=%2Fdashboard%3Fx%3D1\r\n"
                      "Cache-Control: no-store\r\n\r\n");
    request(a, "HEAD", "/dashboard?x=1", NULL, h_redirect, &c);
    CHECK(strncmp(o.b, "Status: 307 ", 12) == 0);
    request(b, "GET", "/app/d", NULL, h_redirect, &c);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\n"
                      "Location: https://example.com/app/api/auth/signin?callbackUrl=%2Fapp%2Fd\r\n"
                      "Cache-Control: no-store\r\n\r\n");
    nextauth_app_free(a);
    nextauth_app_free(b);
}

/* ---- headers a page adds ---- */

struct hdr_ctx {
    const char *name, *value;
    int then_401; /* answer 401 after adding */
    int rc;
};

static void h_header(nextauth_req *req, void *user)
{
    struct hdr_ctx *c = user;
    if (!c->then_401)
        nextauth_respond(req, 200, "text/plain", "ok", 2);
    c->rc = nextauth_add_header(req, c->name, c->value);
    if (c->then_401) {
        nextauth_add_header(req, "X-Second", "2");
        nextauth_respond_401(req);
    }
}

static void test_add_header(void)
{
    nextauth_app *a = load("{" SECRET ",\"url\":\"http://127.0.0.1\"}");
    if (a == NULL) {
        CHECK(0);
        return;
    }
    struct hdr_ctx c = {"X-Frame-Options", "DENY", 0, 9};
    request(a, "GET", "/", NULL, h_header, &c);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/plain\r\nX-Frame-Options: DENY\r\n"
                      "\r\nok");
    /* kept across answers, after the answer's own headers */
    c = (struct hdr_ctx){"Vary", "Cookie", 1, 9};
    request(a, "GET", "/", NULL, h_header, &c);
    CHECK_EQ_STR(o.b, "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
                      "Cache-Control: no-store\r\nVary: Cookie\r\nX-Second: 2\r\n\r\n"
                      "{\"message\":\"You must be logged in.\"}");
    /* a value with HT and 8-bit bytes; an empty one; every tchar in a name */
    static const struct {
        const char *name, *value;
    } fine[] = {
        {"X-A", "a\tb \xc3\xa9"},
        {"X-Empty", ""},
        {"!#$%&'*+-.^_`|~09azAZ", "v"},
        {"Set-Cookie", "theme=dark; Path=/"},
        {"Cache-Control", "no-store"},
        {"Locations", "x"},
    };
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        char want[256];
        c = (struct hdr_ctx){fine[i].name, fine[i].value, 0, 9};
        request(a, "GET", "/", NULL, h_header, &c);
        CHECK_EQ_INT(c.rc, 0);
        snprintf(want, sizeof want, "Status: 200 OK\r\nContent-Type: text/plain\r\n%s: %s\r\n\r\nok",
                 fine[i].name, fine[i].value);
        if (!CHECK_EQ_STR(o.b, want))
            printf("    header %s\n", fine[i].name);
    }

    /* names the answer or the server owns, in any case; names that are not
     * tokens; values with control bytes: refused, the answer is a 500 */
    static const struct {
        const char *name, *value;
        const char *log;
    } bad[] = {
        {"Status", "200", "nextauth_add_header: refused the header name Status"},
        {"status", "200", "nextauth_add_header: refused the header name status"},
        {"Location", "/", "nextauth_add_header: refused the header name Location"},
        {"LOCATION", "/", "nextauth_add_header: refused the header name LOCATION"},
        {"Content-Type", "text/html", "nextauth_add_header: refused the header name Content-Type"},
        {"content-length", "1", "nextauth_add_header: refused the header name content-length"},
        {"Transfer-Encoding", "chunked",
         "nextauth_add_header: refused the header name Transfer-Encoding"},
        {"Connection", "close", "nextauth_add_header: refused the header name Connection"},
        {"", "v", "nextauth_add_header: refused the header name "},
        {NULL, "v", "nextauth_add_header: refused the header name (null)"},
        {"X Y", "v", "nextauth_add_header: refused the header name X Y"},
        {"X:Y", "v", "nextauth_add_header: refused the header name X:Y"},
        {"X-A\r\nX-B", "v", "nextauth_add_header: refused the header name X-A??X-B"},
        {"X\"", "v", "nextauth_add_header: refused the header name X\""},
        {"caf\xc3\xa9", "v", "nextauth_add_header: refused the header name caf\xc3\xa9"},
        {"X-A", NULL, "nextauth_add_header: refused the header name X-A"},
        {"X-A", "a\r\nSet-Cookie: x=1", "nextauth_add_header: refused the value of X-A (18 bytes)"},
        {"X-A", "\n", "nextauth_add_header: refused the value of X-A (1 bytes)"},
        {"X-A", "a\x01", "nextauth_add_header: refused the value of X-A (2 bytes)"},
        {"X-A", "\x7f", "nextauth_add_header: refused the value of X-A (1 bytes)"},
    };
    na_log_set_sink(log_sink, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int then_401 = 0; then_401 <= 1; then_401++) {
            c = (struct hdr_ctx){bad[i].name, bad[i].value, then_401, 9};
            request(a, "GET", "/", NULL, h_header, &c);
            char line[256];
            snprintf(line, sizeof line, "nextauth: %s", bad[i].log);
            int ok = unit_eq_int(c.rc, -1, __FILE__, __LINE__, "refused");
            ok &= unit_eq_str(o.b, FALLBACK, __FILE__, __LINE__, "a 500");
            ok &= unit_eq_str(logged[0], line, __FILE__, __LINE__, "the line");
            if (!ok)
                printf("    case %zu, then_401 %d\n", i, then_401);
        }
    }
    na_log_set_sink(NULL, NULL);

    /* the next request starts clean: nothing of the last one's headers */
    c = (struct hdr_ctx){"X-New", "1", 0, 9};
    request(a, "GET", "/", NULL, h_header, &c);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/plain\r\nX-New: 1\r\n\r\nok");
    nextauth_app_free(a);
}

/* ---- the cookie refresh and the session endpoint ---- */

static void test_refresh(void)
{
    nextauth_app *a = load("{" SECRET ",\"url\":\"http://127.0.0.1\"}");
    if (a == NULL) {
        CHECK(0);
        return;
    }
    char *ada = cookie_for(a, ADA, 3600, NOW - 60);
    static char want[20000];

    /* the protected-page example: the rolled cookie, then the page */
    struct act_ctx c = ACT(PAGE, NULL);
    act(a, "GET", ada, &c);
    CHECK(c.rc[0] == 0 && c.rc[1] == 0);
    CHECK_EQ_INT(c.iat, NOW - 60); /* the page still reads the verified claims */
    char *tok = set_cookie(N);
    CHECK(tok != NULL && strcmp(tok, strchr(ada, '=') + 1) != 0);
    snprintf(want, sizeof want,
             "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
             "Set-Cookie: " N "=%s; Path=/; Expires=" EXPIRES_HTTP "; HttpOnly; SameSite=Lax\r\n"
             "\r\n<pre>{\n  &quot;user&quot;: {\n    &quot;name&quot;: &quot;Ada Lovelace&quot;,\n"
             "    &quot;email&quot;: &quot;ada@example.com&quot;,\n"
             "    &quot;image&quot;: &quot;https://example.com/a.png&quot;\n  },\n"
             "  &quot;expires&quot;: &quot;" EXPIRES_ISO "&quot;\n}</pre>",
             tok ? tok : "");
    CHECK_EQ_STR(o.b, want);
    /* the new token: fresh iat and exp, the claims kept */
    na_err err;
    json_t *claims = NULL;
    CHECK_EQ_INT(tok ? na_token_decode(&a->app.src.v, tok, strlen(tok), NOW, &claims, &err) : -1,
                 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(claims, "iat")), NOW);
    CHECK_EQ_INT(json_integer_value(json_object_get(claims, "exp")), NOW + 2592000);
    CHECK_EQ_STR(json_string_value(json_object_get(claims, "email")), "ada@example.com");
    json_decref(claims);
    free(tok);
    /* HEAD: the same cookie, no body */
    act(a, "HEAD", ada, &c);
    CHECK(strstr(o.b, "Set-Cookie: " N "=") != NULL);
    CHECK(strstr(o.b, "<pre>") == NULL);

    /* no cookie: the redirect, no cookie change */
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\nLocation: /\r\nCache-Control: no-store\r\n\r\n");
    /* a bad token: its names cleared, after the answer's headers */
    na_log_set_sink(log_sink, NULL);
    act(a, "GET", N ".1=b; " N ".0=a", &c);
    CHECK_EQ_INT(c.rc[0], 0);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\nLocation: /\r\nCache-Control: no-store\r\n"
                      CLEAR(N ".1") CLEAR(N ".0") "\r\n");
    CHECK_EQ_INT(log_count, 1);

    /* the session endpoint's own answer; a refresh before it is dropped, one
     * after it adds nothing */
    static const enum act order[] = {SESSION, REFRESH_SESSION, SESSION_REFRESH};
    for (size_t i = 0; i < 3; i++) {
        c = ACT(order[i], NULL);
        act(a, "GET", ada, &c);
        tok = set_cookie(N);
        snprintf(want, sizeof want,
                 "Status: 200 OK\r\nContent-Type: application/json\r\n" NO_CACHE
                 "Set-Cookie: " N "=%s; Path=/; Expires=" EXPIRES_HTTP "; HttpOnly; SameSite=Lax\r\n"
                 "\r\n%s",
                 tok ? tok : "", ADA_BODY);
        if (!CHECK_EQ_STR(o.b, want))
            printf("    order %zu\n", i);
        int lines = 0;
        for (const char *p = o.b; (p = strstr(p, "Set-Cookie:")) != NULL; p++)
            lines++;
        CHECK_EQ_INT(lines, 1);
        free(tok);
        if (order[i] != SESSION)
            CHECK_EQ_INT(c.rc[0], 0);
    }
    c = ACT(SESSION, NULL);
    act(a, "POST", ada, &c);
    CHECK_EQ_STR(o.b, "Status: 405 Method Not Allowed\r\nContent-Type: application/json\r\n"
                      "Allow: GET, HEAD\r\n\r\n{\"message\":\"Method Not Allowed\"}");
    act(a, "GET", NULL, &c);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: application/json\r\n" NO_CACHE "\r\n{}");
    act(a, "GET", N "=x.y.z", &c);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: application/json\r\n" NO_CACHE CLEAR(N)
                      "\r\n{}");
    c = ACT(REFRESH_SESSION, NULL);
    act(a, "GET", N "=x.y.z", &c); /* the refresh's clearing line is not doubled */
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: application/json\r\n" NO_CACHE CLEAR(N)
                      "\r\n{}");
    na_log_set_sink(NULL, NULL);
    free(ada);
    nextauth_app_free(a);
}

/* A valid token that cannot be re-issued (read in 16 chunks of up to 4096
 * characters, it would need 17 of 3933): nextauth_refresh says so and clears
 * the cookies, and the session stays valid for this request. */
static void test_refresh_fails(void)
{
    nextauth_app *a = load("{" SECRET ",\"url\":\"http://127.0.0.1\"}");
    if (a == NULL) {
        CHECK(0);
        return;
    }
    static char claims[48000], hdr[NA_COOKIE_HEADER_MAX];
    snprintf(claims, sizeof claims, "{\"email\":\"a@e.x\",\"pad\":\"%047400d\"}", 0);
    char *one = cookie_for(a, claims, 3600, NOW);
    CHECK(one != NULL && strlen(one) > sizeof N + 16 * NA_CHUNK_SIZE_V4);
    if (one == NULL)
        return;
    const char *tok = strchr(one, '=') + 1;
    size_t len = strlen(tok), per = (len + 15) / 16, n = 0;
    for (int i = 0; i < 16; i++)
        n += (size_t)snprintf(hdr + n, sizeof hdr - n, "%s" N ".%d=%.*s", i ? "; " : "", i,
                              (int)per, tok + i * per);
    na_log_set_sink(log_sink, NULL);
    struct act_ctx c = ACT(PAGE, NULL);
    act(a, "GET", hdr, &c);
    CHECK_EQ_INT(c.rc[0], -1);
    CHECK_EQ_INT(c.rc[1], 0);
    static const char head[] = "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        CLEAR(N ".0") CLEAR(N ".1") CLEAR(N ".2") CLEAR(N ".3") CLEAR(N ".4") CLEAR(N ".5")
        CLEAR(N ".6") CLEAR(N ".7") CLEAR(N ".8") CLEAR(N ".9") CLEAR(N ".10") CLEAR(N ".11")
        CLEAR(N ".12") CLEAR(N ".13") CLEAR(N ".14") CLEAR(N ".15") "\r\n<pre>{\n";
    CHECK_EQ_MEM(o.b, o.n < sizeof head - 1 ? o.n : sizeof head - 1, head, sizeof head - 1);
    CHECK_EQ_INT(log_count, 1);
    CHECK_EQ_STR(logged[0], "nextauth: JWT_SESSION_ERROR: cannot refresh the session: the "
                            "refreshed token does not fit in 16 chunks");
    na_log_set_sink(NULL, NULL);
    free(one);
    nextauth_app_free(a);
}

/* No usable secret: no session, the reason says why, the session endpoint
 * answers the configuration error; the cookies are left alone. */
static void test_no_secret(void)
{
    na_log_set_sink(log_sink, NULL);
    log_count = 0;
    nextauth_app *a = load("{\"url\":\"http://127.0.0.1\"}");
    if (a == NULL) {
        CHECK(0);
        return;
    }
    CHECK_EQ_INT(log_count, 1); /* at load: NO_SECRET and what it means */
#define WHY "no secret: set \"secret\" or \"secretFile\" in the config, or NEXTAUTH_SECRET, " \
            "AUTH_SECRET or NEXTAUTH_SECRET_FILE"
    CHECK_EQ_STR(logged[0], "nextauth: NO_SECRET: " WHY
                            "; every session will be refused until it is set");
    static struct seen s;
    memset(&s, 0, sizeof s);
    request(a, "GET", "/", N "=x.y.z", h_inspect, &s);
    CHECK_EQ_INT(s.session, 0);
    CHECK_EQ_STR(s.reason, WHY);
    CHECK_EQ_INT(log_count, 1); /* once a request, however often asked */
    CHECK_EQ_STR(logged[0], "nextauth: NO_SECRET: " WHY);
    CHECK_EQ_STR(o.b, "Status: 204 No Content\r\n\r\n");

    struct act_ctx c = ACT(PAGE, NULL);
    act(a, "GET", N "=x.y.z", &c);
    CHECK_EQ_INT(c.rc[0], 0);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\nLocation: /\r\nCache-Control: no-store\r\n\r\n");
    c.act = SESSION;
    act(a, "GET", N "=x.y.z", &c);
    CHECK_EQ_STR(o.b, "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n" NO_CACHE
                      "\r\n{\"message\":\"There is a problem with the server configuration. "
                      "Check the server logs for more information.\"}");
    na_log_set_sink(NULL, NULL);
    nextauth_app_free(a);
#undef WHY
}

/* ---- database sessions: the page API on a SQLite database in Drizzle's
 * schema (tests/vectors/dbsess-schema, run from the repository root) ---- */

#define TOK "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
#define DAY_MS 86400000LL

static long long row_expires(sqlite3 *db)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(db, "SELECT expires FROM session", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_database(void)
{
    char path[] = "/tmp/test_page_db_XXXXXX", cfg[512], *ddl = NULL;
    int fd = mkstemp(path);
    sqlite3 *db = NULL;
    FILE *f = fopen("tests/vectors/dbsess-schema/drizzle-sqlite.sql", "r");
    if (!CHECK(fd >= 0 && f != NULL))
        return;
    close(fd);
    ddl = calloc(1, 65536);
    CHECK(fread(ddl, 1, 65535, f) > 0);
    fclose(f);
    char ins[512];
    snprintf(ins, sizeof ins,
             "INSERT INTO user (id, name, email, image) VALUES ('user-1', 'Ada', 'ada@example.test', NULL);"
             "INSERT INTO session (sessionToken, userId, expires) VALUES ('" TOK "', 'user-1', %lld);",
             NOW_MS + 20 * DAY_MS);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK && sqlite3_exec(db, ddl, NULL, NULL, NULL) == SQLITE_OK &&
          sqlite3_exec(db, ins, NULL, NULL, NULL) == SQLITE_OK);
    free(ddl);
    snprintf(cfg, sizeof cfg, "{\"url\":\"http://localhost:3000\",\"database\":{\"url\":"
                              "\"sqlite:%s\",\"adapter\":\"drizzle\"}}", path);
    nextauth_app *a = load(cfg);
    if (!CHECK(a != NULL))
        goto out;

    /* a due row: the page sees its session (expires = the row's, read before the
     * extension), nextauth_refresh extends the row and re-sets the cookie */
    struct act_ctx c = ACT(PAGE, NULL);
    act(a, "GET", N "=" TOK, &c);
    CHECK_EQ_INT(c.rc[0], 0);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Set-Cookie: " N "=" TOK "; Path=/; Expires=" EXPIRES_HTTP
                      "; HttpOnly; SameSite=Lax\r\n\r\n"
                      "<pre>{\n  &quot;user&quot;: {\n    &quot;name&quot;: &quot;Ada&quot;,\n"
                      "    &quot;email&quot;: &quot;ada@example.test&quot;,\n"
                      "    &quot;image&quot;: null\n  },\n"
                      "  &quot;expires&quot;: &quot;2023-12-04T22:13:20.123Z&quot;\n}</pre>");
    CHECK_EQ_INT(row_expires(db), NOW_MS + 30 * DAY_MS);
    /* the claims are the row's */
    struct seen s;
    memset(&s, 0, sizeof s);
    request(a, "GET", "/p", N "=" TOK, h_inspect, &s);
    CHECK_EQ_INT(s.session, 1);
    CHECK_EQ_STR(s.claims, "{\"sub\":\"user-1\",\"name\":\"Ada\",\"email\":"
                           "\"ada@example.test\",\"picture\":null,\"exp\":1702592000}");
    /* the endpoint form, not due now: the cookie is re-set, the row untouched */
    struct act_ctx e = ACT(SESSION, NULL);
    act(a, "GET", N "=" TOK, &e);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\nContent-Type: application/json\r\n" NO_CACHE
                      "Set-Cookie: " N "=" TOK "; Path=/; Expires=" EXPIRES_HTTP
                      "; HttpOnly; SameSite=Lax\r\n\r\n"
                      "{\"user\":{\"name\":\"Ada\",\"email\":\"ada@example.test\",\"image\":null},"
                      "\"expires\":\"2023-12-14T22:13:20.123Z\"}");
    CHECK_EQ_INT(row_expires(db), NOW_MS + 30 * DAY_MS);
    /* an unknown token: no session, its cookie cleared */
    c = ACT(PAGE, NULL);
    act(a, "GET", N "=unknown", &c);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\nLocation: /\r\n"
                      "Cache-Control: no-store\r\n" CLEAR(N) "\r\n");
    /* an expired row: deleted by nextauth_refresh, the cookie cleared */
    sqlite3_exec(db, "UPDATE session SET expires = 1700000000122", NULL, NULL, NULL);
    c = ACT(PAGE, NULL);
    act(a, "GET", N "=" TOK, &c);
    CHECK_EQ_INT(c.rc[0], 0);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\nLocation: /\r\n"
                      "Cache-Control: no-store\r\n" CLEAR(N) "\r\n");
    CHECK_EQ_INT(row_expires(db), -1);
    nextauth_app_free(a);
out:
    sqlite3_close(db);
    unlink(path);
}

int main(void)
{
    /* the deployments are their config files: nothing from the environment */
    unsetenv("NEXTAUTH_SECRET");
    unsetenv("AUTH_SECRET");
    unsetenv("NEXTAUTH_URL");
    unsetenv("NEXTAUTH_CONFIG");
    na_log_set_prog("nextauth");
    RUN(test_session);
    RUN(test_answers);
    RUN(test_redirect);
    RUN(test_add_header);
    RUN(test_refresh);
    RUN(test_refresh_fails);
    RUN(test_no_secret);
    RUN(test_database);
    return unit_done();
}
