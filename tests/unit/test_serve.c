/* test_serve.c — request environment helpers of lib/serve.c. */
#include <string.h>

#include "serve.h"
#include "unit.h"

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
    return unit_done();
}
