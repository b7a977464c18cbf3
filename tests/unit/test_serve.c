/* test_serve.c — request environment helpers of lib/serve.c. */
#include <string.h>

#include "respond.h"
#include "serve.h"
#include "unit.h"

/* na_resp_write's output collected in one buffer. */
struct out {
    char b[512];
    size_t n;
    int calls;
};

static int collect(void *ctx, const char *p, size_t n)
{
    struct out *o = ctx;
    o->calls++;
    if (n > sizeof o->b - o->n)
        return -1;
    memcpy(o->b + o->n, p, n);
    o->n += n;
    return 0;
}

static int writes_fail(void *ctx, const char *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
    return -1;
}

#define CHECK_ANSWER(r, want)                                                                  \
    do {                                                                                       \
        struct out o_ = {.n = 0};                                                              \
        CHECK_EQ_INT(na_resp_write(r, collect, &o_), 0);                                       \
        CHECK_EQ_MEM(o_.b, o_.n, want, sizeof(want) - 1);                                      \
    } while (0)

static void test_resp_write(void)
{
    na_resp r;
    na_resp_init(&r);
    na_resp_status(&r, 200);
    CHECK_ANSWER(&r, "Status: 200 OK\r\n\r\n");
    na_resp_header(&r, "Variable-REMOTE_USER", "ada@example.com");
    na_resp_body(&r, "{}", 2);
    CHECK_ANSWER(&r, "Status: 200 OK\r\nVariable-REMOTE_USER: ada@example.com\r\n\r\n{}");
    r.head_only = 1; /* HEAD: the same head, no body */
    CHECK_ANSWER(&r, "Status: 200 OK\r\nVariable-REMOTE_USER: ada@example.com\r\n\r\n");

    na_resp_reset(&r);
    na_respond_redirect(&r, 307, "http://127.0.0.1/api/auth/signin?callbackUrl=%2F");
    CHECK_ANSWER(&r, "Status: 307 Temporary Redirect\r\n"
                     "Location: http://127.0.0.1/api/auth/signin?callbackUrl=%2F\r\n"
                     "Cache-Control: no-store\r\n\r\n");
    na_resp_reset(&r);
    na_respond_401_json(&r);
    CHECK_ANSWER(&r, "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
                     "Cache-Control: no-store\r\n\r\n{\"message\":\"You must be logged in.\"}");

    /* every status from 100 to 599 is written with its three digits */
    static const int st[] = {100, 109, 199, 204, 404, 418, 503, 599};
    static const char *const line[] = {
        "Status: 100 Unknown\r\n\r\n", "Status: 109 Unknown\r\n\r\n",
        "Status: 199 Unknown\r\n\r\n", "Status: 204 No Content\r\n\r\n",
        "Status: 404 Not Found\r\n\r\n", "Status: 418 Unknown\r\n\r\n",
        "Status: 503 Service Unavailable\r\n\r\n", "Status: 599 Unknown\r\n\r\n"};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        struct out o = {.n = 0};
        na_resp_reset(&r);
        na_resp_status(&r, st[i]);
        CHECK_EQ_INT(na_resp_write(&r, collect, &o), 0);
        CHECK_EQ_MEM(o.b, o.n, line[i], strlen(line[i]));
    }

    /* out of range, a refused header, or nothing set: the fixed 500, never a half answer */
    static const char fallback[] = "Status: 500 Internal Server Error\r\n"
                                   "Content-Type: application/json\r\n"
                                   "Cache-Control: no-store\r\n\r\n"
                                   "{\"message\":\"Internal Server Error\"}";
    na_resp_reset(&r);
    na_resp_status(&r, 600);
    CHECK_ANSWER(&r, fallback);
    na_resp_reset(&r);
    na_resp_status(&r, 200);
    CHECK_EQ_INT(na_resp_header(&r, "X", "a\r\nSet-Cookie: x=1"), -1);
    CHECK_ANSWER(&r, fallback);
    na_resp_reset(&r);
    CHECK_ANSWER(&r, fallback);

    /* a whole answer written before goes out as it is, once; reset forgets it */
    static const char kept[] = "Status: 200 OK\r\nVariable-REMOTE_USER: a@example.com\r\n\r\n";
    na_resp_reset(&r);
    na_resp_whole(&r, 200, kept, sizeof kept - 1);
    CHECK_EQ_INT(r.status, 200);
    struct out ow = {.n = 0};
    CHECK_EQ_INT(na_resp_write(&r, collect, &ow), 0);
    CHECK_EQ_MEM(ow.b, ow.n, kept, sizeof kept - 1);
    CHECK_EQ_INT(ow.calls, 1);
    r.failed = 1; /* a failure still wins: the fixed 500 */
    CHECK_ANSWER(&r, fallback);
    na_resp_reset(&r);
    CHECK(r.whole == NULL);
    na_resp_status(&r, 204);
    CHECK_ANSWER(&r, "Status: 204 No Content\r\n\r\n");

    /* a failing writer is reported */
    na_resp_reset(&r);
    na_resp_status(&r, 200);
    CHECK_EQ_INT(na_resp_write(&r, writes_fail, NULL), -1);
    na_resp_free(&r);
}

static void test_env(void)
{
    char *env[] = {"REQUEST_URI=/x", "HTTP_COOKIE_X=no", "HTTP_COOKIE=a=1", "EMPTY=", NULL};
    CHECK_EQ_STR(na_env(env, "REQUEST_URI"), "/x");
    CHECK_EQ_STR(na_env(env, "HTTP_COOKIE"), "a=1");
    CHECK_EQ_STR(na_env(env, "EMPTY"), "");
    CHECK(na_env(env, "REQUEST") == NULL);
    CHECK(na_env(env, "MISSING") == NULL);
    CHECK(na_env(NULL, "X") == NULL);
}

static void test_env_pick(void)
{
    char *env[] = {"REQUEST_URI=/x", "HTTP_COOKIE_X=no", "HTTP_COOKIE=a=1", "EMPTY=",
                   "NOEQUALS", "REQUEST_URI=/second", "A==b", NULL};
    static const char *const names[] = {"HTTP_COOKIE", "REQUEST_URI", "MISSING", "EMPTY",
                                        "REQUEST", "A", "NOEQUALS"};
    const char *v[7];
    na_env_pick(env, names, v, 7);
    CHECK_EQ_STR(v[0], "a=1");
    CHECK_EQ_STR(v[1], "/x"); /* the first occurrence, as na_env */
    CHECK(v[2] == NULL);
    CHECK_EQ_STR(v[3], "");
    CHECK(v[4] == NULL); /* a prefix of a name is not the name */
    CHECK_EQ_STR(v[5], "=b");
    CHECK(v[6] == NULL); /* an entry without '=' has no value */
    for (size_t i = 0; i < 7; i++) /* the same answers as na_env, one by one */
        CHECK(v[i] == na_env(env, names[i]));
    na_env_pick(NULL, names, v, 2);
    CHECK(v[0] == NULL && v[1] == NULL);
}

static void test_cookie_join(void)
{
    char buf[64];
    char *none[] = {"HTTP_COOKIE_2=x", NULL};
    CHECK(na_env_cookie(none, buf, sizeof buf) == NULL);

    /* one param: returned in place, not copied */
    char *one[] = {"HTTP_COOKIE=a=1; b=2", NULL};
    CHECK(na_env_cookie(one, buf, sizeof buf) == one[0] + 12);

    /* several (nginx with several Cookie fields, HTTP/2 crumbs): joined with "; " */
    char *three[] = {"HTTP_COOKIE=a=1", "X=y", "HTTP_COOKIE=b=2", "HTTP_COOKIE=c=3", NULL};
    CHECK_EQ_STR(na_env_cookie(three, buf, sizeof buf), "a=1; b=2; c=3");

    /* too long: cut at cap - 1, which the cookie parser refuses as too long */
    char small[8];
    const char *j = na_env_cookie(three, small, sizeof small);
    CHECK_EQ_STR(j, "a=1; b=");
    CHECK_EQ_INT(strlen(j), sizeof small - 1);
}

int main(void)
{
    RUN(test_env);
    RUN(test_env_pick);
    RUN(test_cookie_join);
    RUN(test_resp_write);
    return unit_done();
}
