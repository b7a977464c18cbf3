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
    RUN(test_cookie_join);
    return unit_done();
}
