/* SPDX-License-Identifier: MIT */
/* test_session.c — lib/session.c: the session endpoint (GET /api/auth/session)
 * for tokens minted here at a fixed clock. The body byte for byte (key order,
 * nulls, missing claims, session.expose, strings as JSON.stringify writes
 * them), the rolling refresh (a new token, chunked, stale names cleared), and
 * every answer of na_session_respond: 405, no cookie, a bad token (its cookies
 * cleared), a valid one (re-issued), no secret (500), Auth.js v5's wording. */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "unit.h"

#define NOW 1700000000LL               /* Tue, 14 Nov 2023 22:13:20 GMT */
#define NOW_MS (NOW * 1000 + 123)      /* the request's clock, with milliseconds */
#define MAX_AGE 2592000LL              /* session.maxAge's default, 30 days */
#define EXPIRES_ISO "2023-12-14T22:13:20.123Z"   /* NOW_MS + MAX_AGE */
#define EXPIRES_HTTP "Thu, 14 Dec 2023 22:13:20 GMT"
#define SECRET "\"secret\":\"session-unit-test-secret-0123456789abcdef\""

#define NO_CACHE "Cache-Control: private, no-cache, no-store\r\nPragma: no-cache\r\nExpires: 0\r\n"
#define JSON_200 "Status: 200 OK\r\nContent-Type: application/json\r\n"
#define CLEAR(n) "Set-Cookie: " n "=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax\r\n"

/* ---- a deployment, its answers and its log ---- */

struct deployment {
    na_config cfg;
    na_source src;
};

/* A deployment from the JSON text of a config file (the file only: the
 * environment's NEXTAUTH_SECRET never leaks in). */
static int deploy(struct deployment *d, const char *json)
{
    char path[] = "/tmp/test_session_XXXXXX";
    na_err err;
    na_config_init(&d->cfg);
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    int wrote = write(fd, json, strlen(json)) == (ssize_t)strlen(json);
    close(fd);
    int rc = wrote ? na_config_load_file(&d->cfg, path, &err) : -1;
    unlink(path);
    if (rc < 0 || na_source_init(&d->src, &d->cfg, 0, &err) < 0) {
        printf("    deploy: %s\n", err.msg);
        na_config_free(&d->cfg);
        return -1;
    }
    return 0;
}

static void undeploy(struct deployment *d)
{
    na_source_free(&d->src);
    na_config_free(&d->cfg);
}

/* A token minted at `at` with the given claims and lifetime. */
static char *mint(struct deployment *d, const char *claims_json, long max_age, long long at)
{
    na_err err;
    json_t *c = json_loads(claims_json, 0, NULL);
    char *tok = c ? na_token_encode(&d->src.v, c, max_age, at, &err) : NULL;
    json_decref(c);
    return tok;
}

static char logged[4096];
static int log_count;

static void log_sink(void *ctx, const char *line)
{
    (void)ctx;
    log_count++;
    snprintf(logged, sizeof logged, "%s", line);
}

/* The whole answer to one request, as the program writes it. */
static void ask(struct deployment *d, const char *method, const char *cookie, unit_out *o)
{
    na_resp r;
    na_resp_init(&r);
    log_count = 0;
    logged[0] = '\0';
    na_session_respond(&d->src, &d->cfg, method, cookie, NOW_MS, &r);
    o->n = 0;
    o->b[0] = '\0';
    if (na_resp_write(&r, unit_collect, o) < 0)
        o->n = 0;
    na_resp_free(&r);
}

/* ---- na_session_body ---- */

static void test_body(void)
{
    struct deployment d;
    if (deploy(&d, "{" SECRET "}") < 0) {
        CHECK(0);
        return;
    }
#define E ",\"expires\":\"" EXPIRES_ISO "\"}"
    static const struct {
        const char *claims;
        const char *body;
    } t[] = {
        {"{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"picture\":\"https://e.x/a.png\","
         "\"sub\":\"42\",\"iat\":1,\"exp\":2,\"jti\":\"j\"}",
         "{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
         "\"image\":\"https://e.x/a.png\"}" E},
        /* the body's order, whatever the token's */
        {"{\"picture\":\"p\",\"sub\":\"1\",\"email\":\"e\",\"name\":\"n\"}",
         "{\"user\":{\"name\":\"n\",\"email\":\"e\",\"image\":\"p\"}" E},
        /* nulls are kept, missing claims left out */
        {"{\"name\":null,\"email\":null,\"picture\":null}",
         "{\"user\":{\"name\":null,\"email\":null,\"image\":null}" E},
        {"{\"email\":\"only@example.com\"}", "{\"user\":{\"email\":\"only@example.com\"}" E},
        {"{\"name\":\"n\",\"picture\":null}", "{\"user\":{\"name\":\"n\",\"image\":null}" E},
        {"{}", "{\"user\":{}" E},
        {"{\"sub\":\"1\",\"role\":\"admin\"}", "{\"user\":{}" E},
        /* an "image" claim is not the picture */
        {"{\"image\":\"i\"}", "{\"user\":{}" E},
        {"{\"image\":\"i\",\"picture\":\"p\"}", "{\"user\":{\"image\":\"p\"}" E},
        /* any JSON value, as it is */
        {"{\"name\":42,\"email\":true,\"picture\":[1,\"a\",{}]}",
         "{\"user\":{\"name\":42,\"email\":true,\"image\":[1,\"a\",{}]}" E},
        {"{\"name\":{\"first\":\"Ada\",\"last\":null},\"email\":-9007199254740991}",
         "{\"user\":{\"name\":{\"first\":\"Ada\",\"last\":null},\"email\":-9007199254740991}" E},
        {"{\"name\":\"\",\"email\":false,\"picture\":0}",
         "{\"user\":{\"name\":\"\",\"email\":false,\"image\":0}" E},
        /* strings as JSON.stringify writes them: UTF-8 as it is (U+2028 and
         * astral characters too), '/' and DEL unescaped, the five short
         * escapes, \u00xx with lower-case hex for the other controls */
        {"{\"name\":\"caf\\u00e9 \\ud83d\\ude00 \\u2028\\u2029 \\u4e2d\"}",
         "{\"user\":{\"name\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8\xe2\x80\xa9 "
         "\xe4\xb8\xad\"}" E},
        {"{\"name\":\"a/b\\\\c\\\"d\\u007f\"}",
         "{\"user\":{\"name\":\"a/b\\\\c\\\"d\x7f\"}" E},
        {"{\"name\":\"\\b\\f\\n\\r\\t\"}", "{\"user\":{\"name\":\"\\b\\f\\n\\r\\t\"}" E},
        {"{\"name\":\"\\u0000x\\u0001\\u001f\\u001F\\u000b\\u001a\"}",
         "{\"user\":{\"name\":\"\\u0000x\\u0001\\u001f\\u001f\\u000b\\u001a\"}" E},
        {"{\"email\":\"<script>&'\"}", "{\"user\":{\"email\":\"<script>&'\"}" E},
    };
#undef E
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_error_t je;
        json_t *c = json_loads(t[i].claims, JSON_ALLOW_NUL, &je);
        char *b = c ? na_session_body(c, &d.cfg, NOW_MS + MAX_AGE * 1000) : NULL;
        if (!CHECK_EQ_STR(b, t[i].body))
            printf("    case %zu: %s\n", i, t[i].claims);
        free(b);
        json_decref(c);
    }

    /* expires: any instant, to the millisecond */
    static const struct {
        long long ms;
        const char *iso;
    } when[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {1, "1970-01-01T00:00:00.001Z"},
        {NOW_MS, "2023-11-14T22:13:20.123Z"},
        {1709251199999LL, "2024-02-29T23:59:59.999Z"},
    };
    json_t *c = json_object();
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
        char want[80];
        snprintf(want, sizeof want, "{\"user\":{},\"expires\":\"%s\"}", when[i].iso);
        char *b = na_session_body(c, &d.cfg, when[i].ms);
        CHECK_EQ_STR(b, want);
        free(b);
    }
    json_decref(c);
    undeploy(&d);
}

static void test_body_expose(void)
{
    struct deployment d;
    if (deploy(&d, "{" SECRET ",\"session\":{\"expose\":{\"id\":\"sub\",\"role\":\"role\","
                   "\"groups\":\"groups\",\"name\":\"nickname\"}}}") < 0) {
        CHECK(0);
        return;
    }
#define E ",\"expires\":\"" EXPIRES_ISO "\"}"
    static const struct {
        const char *claims;
        const char *body;
    } t[] = {
        /* after the three fields, in the config's order */
        {"{\"role\":\"admin\",\"sub\":\"42\",\"email\":\"a@e.x\",\"groups\":[\"a\",\"b\"]}",
         "{\"user\":{\"email\":\"a@e.x\",\"id\":\"42\",\"role\":\"admin\",\"groups\":[\"a\",\"b\"]}" E},
        /* missing: left out; null: kept */
        {"{\"sub\":\"42\",\"role\":null}", "{\"user\":{\"id\":\"42\",\"role\":null}" E},
        {"{}", "{\"user\":{}" E},
        /* a user key that is one of the three replaces its value in place, as
         * callbacks.session's `session.user.name = token.nickname` does */
        {"{\"name\":\"Ada\",\"email\":\"a@e.x\",\"nickname\":\"ada\"}",
         "{\"user\":{\"name\":\"ada\",\"email\":\"a@e.x\"}" E},
        {"{\"name\":\"Ada\",\"email\":\"a@e.x\"}", "{\"user\":{\"name\":\"Ada\",\"email\":\"a@e.x\"}" E},
        {"{\"nickname\":\"ada\"}", "{\"user\":{\"name\":\"ada\"}" E},
        {"{\"sub\":7,\"role\":{\"k\":[true,null]}}",
         "{\"user\":{\"id\":7,\"role\":{\"k\":[true,null]}}" E},
    };
#undef E
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_t *c = json_loads(t[i].claims, 0, NULL);
        char *b = c ? na_session_body(c, &d.cfg, NOW_MS + MAX_AGE * 1000) : NULL;
        if (!CHECK_EQ_STR(b, t[i].body))
            printf("    case %zu: %s\n", i, t[i].claims);
        free(b);
        json_decref(c);
    }
    undeploy(&d);

    /* the array form: same names */
    if (deploy(&d, "{" SECRET ",\"session\":{\"expose\":[\"role\",\"sub\"]}}") < 0) {
        CHECK(0);
        return;
    }
    json_t *c = json_loads("{\"sub\":\"1\",\"role\":\"r\",\"name\":\"n\"}", 0, NULL);
    char *b = na_session_body(c, &d.cfg, 0);
    CHECK_EQ_STR(b, "{\"user\":{\"name\":\"n\",\"role\":\"r\",\"sub\":\"1\"},"
                    "\"expires\":\"1970-01-01T00:00:00.000Z\"}");
    free(b);
    json_decref(c);
    undeploy(&d);
}

/* ---- the re-issued token ---- */

/* The value of the cookie line "Set-Cookie: <name>=" in the answer (a copy), or NULL. */
static char *cookie_value(const char *answer, const char *name)
{
    char pre[256];
    snprintf(pre, sizeof pre, "Set-Cookie: %s=", name);
    const char *p = strstr(answer, pre);
    if (p == NULL)
        return NULL;
    p += strlen(pre);
    return strndup(p, strcspn(p, ";\r"));
}

/* tok decodes at NOW to claims_json plus fresh iat, exp and a new UUID v4 jti. */
static int reissued(struct deployment *d, const char *tok, const char *claims_json,
                    const char *old_jti, int line)
{
    na_err err;
    json_t *c = NULL;
    int ok = unit_eq_int(tok ? na_token_decode(&d->src.v, tok, strlen(tok), NOW, &c, &err) : -1,
                         0, __FILE__, line, "the new token decodes");
    if (c == NULL)
        return 0;
    ok &= unit_eq_int(json_integer_value(json_object_get(c, "iat")), NOW, __FILE__, line,
                      "iat is now");
    ok &= unit_eq_int(json_integer_value(json_object_get(c, "exp")), NOW + MAX_AGE, __FILE__,
                      line, "exp is now + session.maxAge");
    const char *jti = json_string_value(json_object_get(c, "jti"));
    ok &= unit_report(jti && strlen(jti) == 36 && jti[14] == '4' &&
                          strchr("89ab", jti[19]) != NULL &&
                          (old_jti == NULL || strcmp(jti, old_jti) != 0),
                      __FILE__, line, "jti is a new UUID v4");
    json_object_del(c, "iat");
    json_object_del(c, "exp");
    json_object_del(c, "jti");
    json_t *want = json_loads(claims_json, 0, NULL);
    ok &= unit_report(json_equal(c, want), __FILE__, line, "the other claims are kept");
    json_decref(want);
    json_decref(c);
    return ok;
}

static void test_refresh(void)
{
    static const char ada[] = "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"sub\":\"42\"}";
    struct deployment d;
    if (deploy(&d, "{" SECRET "}") < 0) {
        CHECK(0);
        return;
    }
    na_resp r;
    na_resp_init(&r);
    na_err err;
    json_t *c = json_loads(ada, 0, NULL);
    na_cookie_seen seen = {.names = {-1}, .n = 1};
    CHECK_EQ_INT(na_session_refresh(&d.src.v, &d.cfg, c, &seen, NOW_MS, NOW_MS + MAX_AGE * 1000,
                                    &r, &err),
                 0);
    /* claims is modified: fresh iat, exp, jti appended */
    CHECK_EQ_INT(json_integer_value(json_object_get(c, "iat")), NOW);
    CHECK_EQ_INT(json_integer_value(json_object_get(c, "exp")), NOW + MAX_AGE);
    json_decref(c);
    na_resp_status(&r, 200);
    unit_out *o = malloc(sizeof *o);
    o->n = 0;
    na_resp_write(&r, unit_collect, o);
    char *tok = cookie_value(o->b, "next-auth.session-token");
    CHECK(tok != NULL);
    char want[4096];
    snprintf(want, sizeof want,
             "Status: 200 OK\r\nSet-Cookie: next-auth.session-token=%s; Path=/; Expires=" EXPIRES_HTTP
             "; HttpOnly; SameSite=Lax\r\n\r\n",
             tok ? tok : "");
    CHECK_EQ_STR(o->b, want);
    reissued(&d, tok, ada, NULL, __LINE__);
    free(tok);

    /* a token longer than a chunk: .0 of 3933 characters, the rest in .1; the
     * plain name the request had is cleared first */
    char big[6000];
    snprintf(big, sizeof big, "{\"email\":\"ada@example.com\",\"pad\":\"%04000d\"}", 0);
    c = json_loads(big, 0, NULL);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_session_refresh(&d.src.v, &d.cfg, c, &seen, NOW_MS, NOW_MS + MAX_AGE * 1000,
                                    &r, &err),
                 0);
    json_decref(c);
    na_resp_status(&r, 200);
    o->n = 0;
    na_resp_write(&r, unit_collect, o);
    char *c0 = cookie_value(o->b, "next-auth.session-token.0");
    char *c1 = cookie_value(o->b, "next-auth.session-token.1");
    CHECK(c0 != NULL && c1 != NULL);
    if (c0 && c1) {
        CHECK_EQ_INT(strlen(c0), NA_CHUNK_SIZE_V4);
        CHECK(strlen(c1) > 0 && strlen(c1) <= NA_CHUNK_SIZE_V4);
        char *w = malloc(20000);
        snprintf(w, 20000,
                 "Status: 200 OK\r\n" CLEAR("next-auth.session-token")
                 "Set-Cookie: next-auth.session-token.0=%s; Path=/; Expires=" EXPIRES_HTTP
                 "; HttpOnly; SameSite=Lax\r\n"
                 "Set-Cookie: next-auth.session-token.1=%s; Path=/; Expires=" EXPIRES_HTTP
                 "; HttpOnly; SameSite=Lax\r\n\r\n",
                 c0, c1);
        CHECK_EQ_STR(o->b, w);
        free(w);
        char *joined = malloc(strlen(c0) + strlen(c1) + 1);
        strcpy(joined, c0);
        strcat(joined, c1);
        snprintf(big, sizeof big, "{\"email\":\"ada@example.com\",\"pad\":\"%04000d\"}", 0);
        reissued(&d, joined, big, NULL, __LINE__);
        free(joined);
    }
    free(c0);
    free(c1);

    /* a token of 63 533 characters needs 17 chunks of 3933 (we read it, in 16
     * chunks of up to 4096, but never write what a reader like us would refuse):
     * refused, the answer failed */
    static char huge[70000];
    snprintf(huge, sizeof huge, "{\"pad\":\"%047500d\"}", 0);
    c = json_loads(huge, 0, NULL);
    na_resp_reset(&r);
    na_err_clear(&err);
    CHECK_EQ_INT(na_session_refresh(&d.src.v, &d.cfg, c, NULL, NOW_MS, NOW_MS, &r, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_TOO_BIG);
    CHECK_EQ_STR(err.msg, "the refreshed token does not fit in 16 chunks");
    CHECK_EQ_INT(r.failed, 1);
    CHECK_EQ_INT(r.head.len, 0);
    json_decref(c);
    /* longer than any token: the encoder refuses, nothing is added */
    snprintf(huge, sizeof huge, "{\"pad\":\"%060000d\"}", 0);
    c = json_loads(huge, 0, NULL);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_session_refresh(&d.src.v, &d.cfg, c, NULL, NOW_MS, NOW_MS, &r, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_TOO_BIG);
    CHECK_EQ_INT(r.failed, 0);
    CHECK_EQ_INT(r.head.len, 0);
    json_decref(c);
    free(o);
    na_resp_free(&r);
    undeploy(&d);

    /* v5 writes chunks of 3936 under authjs.session-token; secure: __Secure- and Secure */
    if (deploy(&d, "{" SECRET ",\"url\":\"https://example.com\",\"jwt\":{\"format\":\"authjs-v5\"}}") <
        0) {
        CHECK(0);
        return;
    }
    snprintf(big, sizeof big, "{\"pad\":\"%04000d\"}", 0);
    c = json_loads(big, 0, NULL);
    na_resp_init(&r);
    CHECK_EQ_INT(na_session_refresh(&d.src.v, &d.cfg, c, NULL, NOW_MS, NOW_MS + MAX_AGE * 1000,
                                    &r, &err),
                 0);
    json_decref(c);
    CHECK(r.head.len > 0);
    if (r.head.len > 0) {
        static const char pre[] = "Set-Cookie: __Secure-authjs.session-token.0=";
        CHECK_EQ_MEM(r.head.p, sizeof pre - 1, pre, sizeof pre - 1);
        static const char attrs[] = "; Path=/; Expires=" EXPIRES_HTTP
                                    "; HttpOnly; Secure; SameSite=Lax\r\n";
        CHECK_EQ_MEM(r.head.p + sizeof pre - 1 + NA_CHUNK_SIZE_V5, sizeof attrs - 1, attrs,
                     sizeof attrs - 1);
    }
    na_resp_free(&r);
    undeploy(&d);
}

/* ---- na_session_respond ---- */

static void test_methods(void)
{
    struct deployment d;
    if (deploy(&d, "{" SECRET "}") < 0) {
        CHECK(0);
        return;
    }
    static unit_out o;
    static const char *const refused[] = {"POST", "PUT", "DELETE", "OPTIONS", "get", "head",
                                          "GET ", ""};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        ask(&d, refused[i], "next-auth.session-token=x", &o);
        if (!CHECK_EQ_STR(o.b, "Status: 405 Method Not Allowed\r\n"
                               "Content-Type: application/json\r\n"
                               "Allow: GET, HEAD\r\n"
                               "\r\n"
                               "{\"message\":\"Method Not Allowed\"}"))
            printf("    method \"%s\"\n", refused[i]);
        CHECK_EQ_INT(log_count, 0);
    }
    /* no cookie: the empty session, no cookie changes */
    ask(&d, "GET", NULL, &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\n{}");
    ask(&d, NULL, NULL, &o); /* no REQUEST_METHOD: GET */
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\n{}");
    ask(&d, "HEAD", NULL, &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\n");
    ask(&d, "GET", "theme=dark; other=1", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\n{}");
    /* empty session cookies are no token: nothing cleared */
    ask(&d, "GET", "next-auth.session-token=; next-auth.session-token.0=", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\n{}");
    CHECK_EQ_INT(log_count, 0);
    undeploy(&d);
}

static void test_bad_tokens(void)
{
    struct deployment d, other;
    if (deploy(&d, "{" SECRET "}") < 0 ||
        deploy(&other, "{\"secret\":\"another-secret-0123456789abcdefghijklmnop\"}") < 0) {
        CHECK(0);
        return;
    }
    static unit_out o;
    na_log_set_sink(log_sink, NULL);

    ask(&d, "GET", "next-auth.session-token=x.y.z", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE CLEAR("next-auth.session-token") "\r\n{}");
    CHECK_EQ_INT(log_count, 1);
    CHECK_EQ_STR(logged, "nextauth: JWT_SESSION_ERROR: token has 3 segment(s), expected 5 "
                         "(cookie next-auth.session-token, 1 name(s), header 29 bytes)");

    /* HEAD: the same cookies cleared, no body */
    ask(&d, "HEAD", "next-auth.session-token=x.y.z", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE CLEAR("next-auth.session-token") "\r\n");

    /* every name the request carried, in its order, and no other */
    ask(&d, "GET",
        "a=1; next-auth.session-token.1=def; next-auth.session-token.0=abc; "
        "next-auth.session-token.7=; b=2",
        &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE CLEAR("next-auth.session-token.1")
                          CLEAR("next-auth.session-token.0") CLEAR("next-auth.session-token.7")
                              "\r\n{}");

    /* a chunk past the cap makes the session invalid, and is cleared too */
    ask(&d, "GET", "next-auth.session-token.0=abc; next-auth.session-token.16=x", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE CLEAR("next-auth.session-token.0")
                          CLEAR("next-auth.session-token.16") "\r\n{}");

    /* a real token of another secret, and an expired one of ours */
    char *tok = mint(&other, "{\"email\":\"a@e.x\"}", 3600, NOW);
    char hdr[2048];
    snprintf(hdr, sizeof hdr, "next-auth.session-token=%s", tok ? tok : "");
    ask(&d, "GET", hdr, &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE CLEAR("next-auth.session-token") "\r\n{}");
    CHECK(tok != NULL && strstr(logged, tok) == NULL); /* the token is never logged */
    CHECK(strstr(logged, "JWT_SESSION_ERROR: decryption failed") != NULL);
    free(tok);
    tok = mint(&d, "{\"email\":\"a@e.x\"}", 60, NOW - 3600);
    snprintf(hdr, sizeof hdr, "next-auth.session-token=%s", tok ? tok : "");
    ask(&d, "GET", hdr, &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE CLEAR("next-auth.session-token") "\r\n{}");
    CHECK(strstr(logged, "JWT_SESSION_ERROR: token expired") != NULL);
    free(tok);
    /* the secure name is not ours here: not a session cookie, nothing cleared */
    ask(&d, "GET", "__Secure-next-auth.session-token=x.y.z", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\n{}");

    na_log_set_sink(NULL, NULL);
    undeploy(&d);
    undeploy(&other);
}

static void test_valid_token(void)
{
    static const char ada[] = "{\"name\":\"Ada\",\"email\":\"ada@example.com\","
                              "\"picture\":\"https://example.com/a.png\",\"sub\":\"42\"}";
    static const char body[] = "{\"user\":{\"name\":\"Ada\",\"email\":\"ada@example.com\","
                               "\"image\":\"https://example.com/a.png\"},"
                               "\"expires\":\"" EXPIRES_ISO "\"}";
    struct deployment d;
    if (deploy(&d, "{" SECRET "}") < 0) {
        CHECK(0);
        return;
    }
    static unit_out o;
    static char want[20000], hdr[20000];
    na_log_set_sink(log_sink, NULL);
    /* minted an hour ago with a day to live: valid, and re-issued for maxAge */
    char *tok = mint(&d, ada, 86400, NOW - 3600);
    json_t *orig = NULL;
    na_err err;
    na_token_decode(&d.src.v, tok, strlen(tok), NOW, &orig, &err);
    const char *old_jti = json_string_value(json_object_get(orig, "jti"));

    static const char *const methods[] = {"GET", "HEAD"};
    for (int m = 0; m < 2; m++) {
        snprintf(hdr, sizeof hdr, "theme=dark; next-auth.session-token=%s", tok);
        ask(&d, methods[m], hdr, &o);
        char *now = cookie_value(o.b, "next-auth.session-token");
        snprintf(want, sizeof want,
                 JSON_200 NO_CACHE "Set-Cookie: next-auth.session-token=%s; Path=/; "
                                   "Expires=" EXPIRES_HTTP "; HttpOnly; SameSite=Lax\r\n\r\n%s",
                 now ? now : "", m == 0 ? body : "");
        CHECK_EQ_STR(o.b, want);
        CHECK(now != NULL && strcmp(now, tok) != 0);
        reissued(&d, now, ada, old_jti, __LINE__);
        CHECK_EQ_INT(log_count, 0);
        free(now);
    }

    /* sent in chunks, it comes back in one: the chunks are cleared first */
    size_t half = strlen(tok) / 2;
    snprintf(hdr, sizeof hdr,
             "next-auth.session-token.1=%s; next-auth.session-token.0=%.*s", tok + half,
             (int)half, tok);
    ask(&d, "GET", hdr, &o);
    char *now = cookie_value(o.b, "next-auth.session-token");
    snprintf(want, sizeof want,
             JSON_200 NO_CACHE CLEAR("next-auth.session-token.1") CLEAR("next-auth.session-token.0")
                 "Set-Cookie: next-auth.session-token=%s; Path=/; Expires=" EXPIRES_HTTP
                 "; HttpOnly; SameSite=Lax\r\n\r\n%s",
             now ? now : "", body);
    CHECK_EQ_STR(o.b, want);
    free(now);
    json_decref(orig);
    free(tok);
    na_log_set_sink(NULL, NULL);
    undeploy(&d);

    /* session.maxAge sets both expiries; expose adds claims to the body */
    if (deploy(&d, "{" SECRET ",\"session\":{\"maxAge\":60,\"expose\":{\"id\":\"sub\"}}}") < 0) {
        CHECK(0);
        return;
    }
    tok = mint(&d, ada, 3600, NOW);
    snprintf(hdr, sizeof hdr, "next-auth.session-token=%s", tok);
    ask(&d, "GET", hdr, &o);
    now = cookie_value(o.b, "next-auth.session-token");
    snprintf(want, sizeof want,
             JSON_200 NO_CACHE "Set-Cookie: next-auth.session-token=%s; Path=/; "
                               "Expires=Tue, 14 Nov 2023 22:14:20 GMT; HttpOnly; SameSite=Lax\r\n\r\n"
                               "{\"user\":{\"name\":\"Ada\",\"email\":\"ada@example.com\","
                               "\"image\":\"https://example.com/a.png\",\"id\":\"42\"},"
                               "\"expires\":\"2023-11-14T22:14:20.123Z\"}",
             now ? now : "");
    CHECK_EQ_STR(o.b, want);
    free(now);
    free(tok);
    undeploy(&d);
}

/* A valid token that cannot be re-issued: it is read in 16 chunks of up to
 * 4096 characters, but would need 17 of 3933. next-auth answers the empty
 * session and clears the cookies when its refresh throws; so does the
 * endpoint, on an answer started afresh (the failed Set-Cookie had marked the
 * first one failed). */
static void test_refresh_fails(void)
{
    struct deployment d;
    if (deploy(&d, "{" SECRET "}") < 0) {
        CHECK(0);
        return;
    }
    static char claims[48000], hdr[NA_COOKIE_HEADER_MAX];
    static unit_out o;
    snprintf(claims, sizeof claims, "{\"email\":\"a@e.x\",\"pad\":\"%047400d\"}", 0);
    char *tok = mint(&d, claims, 3600, NOW);
    CHECK(tok != NULL && strlen(tok) > 16 * NA_CHUNK_SIZE_V4);
    if (tok == NULL)
        return;
    size_t len = strlen(tok), per = (len + 15) / 16, n = 0;
    for (int i = 0; i < 16; i++)
        n += (size_t)snprintf(hdr + n, sizeof hdr - n, "%snext-auth.session-token.%d=%.*s",
                              i ? "; " : "", i, (int)per, tok + i * per);
    na_log_set_sink(log_sink, NULL);
    ask(&d, "GET", hdr, &o);
#define C(i) CLEAR("next-auth.session-token." #i)
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE C(0) C(1) C(2) C(3) C(4) C(5) C(6) C(7) C(8) C(9)
                          C(10) C(11) C(12) C(13) C(14) C(15) "\r\n{}");
#undef C
    CHECK_EQ_INT(log_count, 1);
    CHECK_EQ_STR(logged, "nextauth: JWT_SESSION_ERROR: cannot refresh the session: the "
                         "refreshed token does not fit in 16 chunks");
    na_log_set_sink(NULL, NULL);
    free(tok);
    undeploy(&d);
}

/* Auth.js v5: "null" for no session, its cookie name, its 500 wording. */
static void test_v5(void)
{
    struct deployment d;
    if (deploy(&d, "{" SECRET ",\"jwt\":{\"format\":\"authjs-v5\"}}") < 0) {
        CHECK(0);
        return;
    }
    static unit_out o;
    na_log_set_sink(log_sink, NULL);
    ask(&d, "GET", NULL, &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\nnull");
    ask(&d, "GET", "authjs.session-token=x.y.z", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE CLEAR("authjs.session-token") "\r\nnull");
    /* v4's name is no session cookie in v5 */
    ask(&d, "GET", "next-auth.session-token=x.y.z", &o);
    CHECK_EQ_STR(o.b, JSON_200 NO_CACHE "\r\nnull");

    char *tok = mint(&d, "{\"email\":\"v5@example.com\"}", 3600, NOW);
    static char hdr[8192], want[16384];
    snprintf(hdr, sizeof hdr, "authjs.session-token=%s", tok ? tok : "");
    ask(&d, "GET", hdr, &o);
    char *now = cookie_value(o.b, "authjs.session-token");
    snprintf(want, sizeof want,
             JSON_200 NO_CACHE "Set-Cookie: authjs.session-token=%s; Path=/; Expires=" EXPIRES_HTTP
                               "; HttpOnly; SameSite=Lax\r\n\r\n"
                               "{\"user\":{\"email\":\"v5@example.com\"},\"expires\":\"" EXPIRES_ISO
                               "\"}",
             now ? now : "");
    CHECK_EQ_STR(o.b, want);
    reissued(&d, now, "{\"email\":\"v5@example.com\"}", NULL, __LINE__);
    free(now);
    free(tok);
    na_log_set_sink(NULL, NULL);
    undeploy(&d);
}

/* No usable secret: the configuration error, whatever the request carries;
 * the cookies are left alone. */
static void test_no_secret(void)
{
    static const struct {
        const char *config;
        const char *body;
    } t[] = {
        {"{}", "{\"message\":\"There is a problem with the server configuration. Check the "
               "server logs for more information.\"}"},
        {"{\"jwt\":{\"format\":\"authjs-v5\"}}",
         "{\"message\":\"There was a problem with the server configuration. Check the server "
         "logs for more information.\"}"},
    };
    static unit_out o;
    static char want[1024];
    na_log_set_sink(log_sink, NULL);
    for (size_t i = 0; i < 2; i++) {
        struct deployment d;
        if (deploy(&d, t[i].config) < 0) {
            CHECK(0);
            continue;
        }
        CHECK_EQ_INT(d.src.have_v, 0);
        static const char *const cookies[] = {NULL, "next-auth.session-token=x.y.z",
                                              "authjs.session-token=a.b.c.d.e"};
        for (size_t k = 0; k < 3; k++) {
            ask(&d, "GET", cookies[k], &o);
            snprintf(want, sizeof want,
                     "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n" NO_CACHE
                     "\r\n%s",
                     t[i].body);
            CHECK_EQ_STR(o.b, want);
            CHECK_EQ_INT(log_count, 1);
            CHECK(strncmp(logged, "nextauth: NO_SECRET: ", 21) == 0);
        }
        ask(&d, "HEAD", NULL, &o);
        snprintf(want, sizeof want,
                 "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n" NO_CACHE
                 "\r\n");
        CHECK_EQ_STR(o.b, want);
        /* a method is refused before the secret is looked at */
        ask(&d, "POST", NULL, &o);
        CHECK(strncmp(o.b, "Status: 405 ", 12) == 0);
        undeploy(&d);
    }
    na_log_set_sink(NULL, NULL);
}

int main(void)
{
    na_log_set_prog("nextauth"); /* the program name that starts each log line */
    RUN(test_body);
    RUN(test_body_expose);
    RUN(test_refresh);
    RUN(test_methods);
    RUN(test_bad_tokens);
    RUN(test_valid_token);
    RUN(test_refresh_fails);
    RUN(test_v5);
    RUN(test_no_secret);
    return unit_done();
}
