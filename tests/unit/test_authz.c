/* SPDX-License-Identifier: MIT */
/* test_authz.c — `authorized` conditions over token claims (lib/authz.c;
 * docs/behaviour.md, Authorized rules):
 * every operator against a table of claims, any/all and nesting, the depth
 * limit, and the compile errors with the name of the offending member. */
#include "authz.c"

#include "unit.h"

/* Parse JSON text or stop the test (a typo in the test itself). */
static json_t *js(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (v == NULL) {
        fprintf(stderr, "test_authz: bad JSON in the test: %s (%s)\n", text, e.text);
        exit(2);
    }
    return v;
}

/* Evaluate condition text on claims text: 1, 0, or -1 when it did not compile. */
static int eval(const char *cond, const char *claims)
{
    json_t *c = js(cond), *cl = js(claims);
    na_err err;
    na_cond *k = na_authz_compile(c, "authorized", &err);
    int r = -1;
    if (k == NULL)
        printf("    compile %s: %s\n", cond, err.msg);
    else
        r = na_authz_eval(k, cl);
    na_authz_free(k);
    json_decref(c);
    json_decref(cl);
    return r;
}

#define E(cond, claims, want)                                                          \
    do {                                                                               \
        if (!CHECK_EQ_INT(eval((cond), (claims)), (want)))                             \
            printf("    condition %s, claims %s\n", (cond), (claims));                 \
    } while (0)

static void test_equals(void)
{
    E("{\"role\":\"admin\"}", "{\"role\":\"admin\"}", 1);
    E("{\"role\":\"admin\"}", "{\"role\":\"Admin\"}", 0);
    E("{\"role\":\"admin\"}", "{\"role\":\"admin \"}", 0);
    E("{\"role\":\"admin\"}", "{}", 0);
    E("{\"role\":\"admin\"}", "{\"role\":null}", 0);
    E("{\"role\":\"admin\"}", "{\"role\":[\"user\",\"admin\"]}", 1); /* array contains */
    E("{\"role\":\"admin\"}", "{\"role\":[\"user\"]}", 0);
    E("{\"role\":\"admin\"}", "{\"role\":[[\"admin\"]]}", 0); /* one level only */
    E("{\"role\":\"admin\"}", "{\"role\":{\"admin\":true}}", 0);
    E("{\"level\":3}", "{\"level\":3}", 1);
    E("{\"level\":3}", "{\"level\":\"3\"}", 0);
    E("{\"level\":3}", "{\"level\":[1,3]}", 1);
    E("{\"ok\":true}", "{\"ok\":true}", 1);
    E("{\"ok\":true}", "{\"ok\":1}", 0);
    E("{\"ok\":true}", "{\"ok\":[false,true]}", 1);
    E("{\"z\":null}", "{\"z\":null}", 1);
    E("{\"z\":null}", "{}", 0);
    /* an array value is compared whole (order matters), not as "one of" */
    E("{\"r\":[\"a\",\"b\"]}", "{\"r\":[\"a\",\"b\"]}", 1);
    E("{\"r\":[\"a\",\"b\"]}", "{\"r\":[\"b\",\"a\"]}", 0);
    E("{\"r\":[\"a\",\"b\"]}", "{\"r\":\"a\"}", 0);
    /* several members: all must hold */
    E("{\"role\":\"admin\",\"org\":\"x\"}", "{\"role\":\"admin\",\"org\":\"x\"}", 1);
    E("{\"role\":\"admin\",\"org\":\"x\"}", "{\"role\":\"admin\",\"org\":\"y\"}", 0);
    /* explicit equals: objects and arrays */
    E("{\"m\":{\"equals\":{\"a\":1}}}", "{\"m\":{\"a\":1}}", 1);
    E("{\"m\":{\"equals\":{\"a\":1}}}", "{\"m\":{\"a\":2}}", 0);
    E("{\"m\":{\"equals\":[1,2]}}", "{\"m\":[1,2]}", 1);
    E("{\"m\":{\"equals\":\"x\"}}", "{\"m\":\"x\"}", 1);
    E("{\"m\":{\"equals\":\"x\"}}", "{\"m\":[\"x\"]}", 1);
    /* UTF-8 compared as bytes */
    E("{\"n\":\"caf\\u00e9\"}", "{\"n\":\"caf\\u00e9\"}", 1);
    E("{\"n\":\"caf\\u00e9\"}", "{\"n\":\"cafe\"}", 0);
}

/* JSON has one number type: 3 and 3.0 are the same value (3 === 3.0 in the
 * withAuth callback this replaces). */
static void test_numbers(void)
{
    E("{\"level\":3.0}", "{\"level\":3}", 1);
    E("{\"level\":3}", "{\"level\":3.0}", 1);
    E("{\"level\":{\"in\":[1.0,3.0]}}", "{\"level\":3}", 1);
}

static void test_in(void)
{
    const char *c = "{\"role\":{\"in\":[\"admin\",\"editor\"]}}";
    E(c, "{\"role\":\"admin\"}", 1);
    E(c, "{\"role\":\"editor\"}", 1);
    E(c, "{\"role\":\"user\"}", 0);
    E(c, "{}", 0);
    E(c, "{\"role\":null}", 0);
    E(c, "{\"role\":[\"user\",\"editor\"]}", 1); /* array claim containing one */
    E(c, "{\"role\":[\"user\"]}", 0);
    E(c, "{\"role\":[]}", 0);
    E("{\"n\":{\"in\":[1,2,null]}}", "{\"n\":2}", 1);
    E("{\"n\":{\"in\":[1,2,null]}}", "{\"n\":null}", 1);
    E("{\"n\":{\"in\":[1,2]}}", "{\"n\":\"1\"}", 0);
    E("{\"n\":{\"in\":[[1,2]]}}", "{\"n\":[1,2]}", 1);
}

static void test_suffix(void)
{
    const char *c = "{\"email\":{\"suffix\":\"@Example.COM\"}}";
    E(c, "{\"email\":\"a@example.com\"}", 1);
    E(c, "{\"email\":\"A@EXAMPLE.COM\"}", 1);
    E(c, "{\"email\":\"a@eXaMpLe.CoM\"}", 1);
    E(c, "{\"email\":\"@example.com\"}", 1);
    E(c, "{\"email\":\"a@example.com.evil\"}", 0);
    E(c, "{\"email\":\"a@evilexample.com\"}", 0);
    E(c, "{\"email\":\"example.com\"}", 0);
    E(c, "{\"email\":\"\"}", 0);
    E(c, "{}", 0);
    E(c, "{\"email\":null}", 0);
    E(c, "{\"email\":42}", 0);
    E(c, "{\"email\":[\"a@example.com\"]}", 0); /* string claims only */
    /* non-ASCII bytes compared exactly */
    E("{\"n\":{\"suffix\":\"\\u00e9\"}}", "{\"n\":\"caf\\u00e9\"}", 1);
    E("{\"n\":{\"suffix\":\"\\u00e9\"}}", "{\"n\":\"caf\\u00c9\"}", 0);
}

static void test_exists(void)
{
    const char *yes = "{\"email_verified\":{\"exists\":true}}";
    const char *no = "{\"banned\":{\"exists\":false}}";
    E(yes, "{\"email_verified\":true}", 1);
    E(yes, "{\"email_verified\":false}", 1);
    E(yes, "{\"email_verified\":null}", 1); /* present, even if null */
    E(yes, "{}", 0);
    E(no, "{}", 1);
    E(no, "{\"banned\":false}", 0);
    E(no, "{\"banned\":null}", 0);
    E(no, "{\"other\":1}", 1);
}

static void test_any_all(void)
{
    const char *any = "{\"any\":[{\"role\":\"admin\"},{\"dept\":\"ops\"}]}";
    E(any, "{\"role\":\"admin\"}", 1);
    E(any, "{\"dept\":\"ops\"}", 1);
    E(any, "{\"role\":\"user\",\"dept\":\"dev\"}", 0);
    E(any, "{}", 0);
    const char *all = "{\"all\":[{\"role\":\"staff\"},{\"dept\":\"ops\"}]}";
    E(all, "{\"role\":\"staff\",\"dept\":\"ops\"}", 1);
    E(all, "{\"role\":\"staff\"}", 0);
    E(all, "{\"dept\":\"ops\"}", 0);
    /* nested, and next to plain members */
    const char *mix = "{\"org\":\"x\",\"any\":[{\"role\":\"admin\"},"
                      "{\"all\":[{\"role\":\"staff\"},{\"email\":{\"suffix\":\"@x.org\"}}]}]}";
    E(mix, "{\"org\":\"x\",\"role\":\"admin\"}", 1);
    E(mix, "{\"org\":\"x\",\"role\":\"staff\",\"email\":\"s@X.org\"}", 1);
    E(mix, "{\"org\":\"x\",\"role\":\"staff\",\"email\":\"s@y.org\"}", 0);
    E(mix, "{\"org\":\"y\",\"role\":\"admin\"}", 0);
    /* a one-element any/all is that element */
    E("{\"any\":[{\"a\":1}]}", "{\"a\":1}", 1);
    E("{\"all\":[{\"a\":1}]}", "{\"a\":2}", 0);
}

/* Nesting: NA_AUTHZ_MAX_DEPTH levels of any compile, one more does not. */
static void test_depth(void)
{
    for (int levels = 1; levels <= NA_AUTHZ_MAX_DEPTH + 1; levels++) {
        char text[1024];
        size_t o = 0;
        for (int i = 0; i < levels; i++)
            o += (size_t)snprintf(text + o, sizeof text - o, "{\"any\":[");
        o += (size_t)snprintf(text + o, sizeof text - o, "{\"r\":\"x\"}");
        for (int i = 0; i < levels; i++)
            o += (size_t)snprintf(text + o, sizeof text - o, "]}");
        json_t *v = js(text);
        na_err err;
        na_err_clear(&err);
        na_cond *c = na_authz_compile(v, "authorized", &err);
        if (levels <= NA_AUTHZ_MAX_DEPTH) {
            if (!CHECK(c != NULL))
                printf("    %d levels: %s\n", levels, err.msg);
            else {
                json_t *cl = js("{\"r\":\"x\"}");
                CHECK_EQ_INT(na_authz_eval(c, cl), 1);
                json_decref(cl);
            }
        } else {
            CHECK(c == NULL);
            CHECK_EQ_INT(err.code, NA_E_CONFIG);
            char want[256];
            size_t w = (size_t)snprintf(want, sizeof want, "authorized");
            for (int i = 0; i < levels; i++)
                w += (size_t)snprintf(want + w, sizeof want - w, ".any[0]");
            snprintf(want + w, sizeof want - w, ": conditions nested deeper than 8");
            CHECK_EQ_STR(err.msg, want);
        }
        na_authz_free(c);
        json_decref(v);
    }
    /* A condition far deeper than any file could hold (jansson's parser stops
     * at 2048 levels; test_config covers that path), built in memory: refused
     * at the first level past the bound, with the same message as 9 levels. */
    json_t *deep = json_pack("{s:i}", "r", 1);
    for (int i = 0; i < 10000 && deep != NULL; i++)
        deep = json_pack("{s:[o]}", "all", deep);
    if (!CHECK(deep != NULL))
        return;
    char want[256];
    size_t o = (size_t)snprintf(want, sizeof want, "authorized");
    for (int i = 0; i < NA_AUTHZ_MAX_DEPTH + 1; i++)
        o += (size_t)snprintf(want + o, sizeof want - o, ".all[0]");
    snprintf(want + o, sizeof want - o, ": conditions nested deeper than %d", NA_AUTHZ_MAX_DEPTH);
    na_err err;
    na_err_clear(&err);
    na_cond *c = na_authz_compile(deep, "authorized", &err);
    CHECK(c == NULL);
    CHECK_EQ_INT(err.code, NA_E_CONFIG);
    CHECK_EQ_STR(err.msg, want);
    na_authz_free(c);
    /* freed one level at a time: json_decref would recurse 20000 calls deep */
    while (deep != NULL) {
        json_t *inner = json_array_get(json_object_get(deep, "all"), 0);
        json_incref(inner);
        json_decref(deep);
        deep = inner;
    }
}

static void test_compile_errors(void)
{
    static const struct {
        const char *cond, *what, *msg; /* msg: err.msg exactly */
    } t[] = {
        {"[]", "authorized", "authorized must be a non-empty object"},
        {"{}", "authorized", "authorized must be a non-empty object"},
        {"\"admin\"", "authorized", "authorized must be a non-empty object"},
        {"null", "rules[2].authorized", "rules[2].authorized must be a non-empty object"},
        {"{\"role\":{}}", "authorized",
         "authorized.role: an operator object has exactly one of in, suffix, exists, equals"},
        {"{\"role\":{\"in\":[\"a\"],\"suffix\":\"b\"}}", "authorized",
         "authorized.role: an operator object has exactly one of in, suffix, exists, equals"},
        {"{\"role\":{\"in\":[]}}", "authorized", "authorized.role.in must be a non-empty array"},
        {"{\"role\":{\"in\":\"admin\"}}", "authorized",
         "authorized.role.in must be a non-empty array"},
        {"{\"email\":{\"suffix\":\"\"}}", "authorized",
         "authorized.email.suffix must be a non-empty string"},
        {"{\"email\":{\"suffix\":5}}", "authorized",
         "authorized.email.suffix must be a non-empty string"},
        {"{\"x\":{\"exists\":1}}", "authorized", "authorized.x.exists must be true or false"},
        {"{\"x\":{\"exists\":\"yes\"}}", "authorized",
         "authorized.x.exists must be true or false"},
        {"{\"x\":{\"regex\":\"a\"}}", "authorized",
         "authorized.x: unknown operator \"regex\" (in, suffix, exists, equals)"},
        {"{\"x\":{\"In\":[1]}}", "authorized",
         "authorized.x: unknown operator \"In\" (in, suffix, exists, equals)"},
        {"{\"any\":[]}", "authorized", "authorized.any must be a non-empty array of conditions"},
        {"{\"all\":{}}", "authorized", "authorized.all must be a non-empty array of conditions"},
        {"{\"any\":\"x\"}", "authorized", "authorized.any must be a non-empty array of conditions"},
        {"{\"any\":[{}]}", "authorized", "authorized.any[0] must be a non-empty object"},
        {"{\"any\":[{\"a\":1},\"x\"]}", "authorized", "authorized.any[1] must be a non-empty object"},
        {"{\"all\":[{\"r\":{\"in\":[]}}]}", "authorized",
         "authorized.all[0].r.in must be a non-empty array"},
        {"{\"role\":\"a\",\"x\":{\"bad\":1}}", "rules[0].authorized",
         "rules[0].authorized.x: unknown operator \"bad\" (in, suffix, exists, equals)"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_t *v = js(t[i].cond);
        na_err err;
        na_err_clear(&err);
        na_cond *c = na_authz_compile(v, t[i].what, &err);
        if (!CHECK(c == NULL)) {
            printf("    %s compiled\n", t[i].cond);
            na_authz_free(c);
        } else if (!CHECK_EQ_INT(err.code, NA_E_CONFIG) | !CHECK_EQ_STR(err.msg, t[i].msg)) {
            printf("    condition %s\n", t[i].cond);
        }
        json_decref(v);
    }
    /* the condition keeps its own references: the source may go away */
    json_t *v = js("{\"role\":{\"in\":[\"admin\"]},\"m\":{\"equals\":{\"a\":1}},\"n\":2}");
    na_err err;
    na_cond *c = na_authz_compile(v, "authorized", &err);
    json_decref(v);
    json_t *cl = js("{\"role\":\"admin\",\"m\":{\"a\":1},\"n\":2}");
    CHECK(c != NULL && na_authz_eval(c, cl) == 1);
    json_decref(cl);
    na_authz_free(c);
    na_authz_free(NULL);
}

/* A compiled condition written back (na_authz_json): the canonical form, which
 * compiles to the same condition again. */
static void test_json(void)
{
    static const struct {
        const char *in, *out;
    } t[] = {
        {"{\"role\":\"admin\"}", "{\"role\":\"admin\"}"},
        {"{\"role\":{\"equals\":\"admin\"}}", "{\"role\":\"admin\"}"},
        {"{\"o\":{\"equals\":{\"a\":1}},\"n\":3,\"l\":[1,\"x\"],\"z\":null}",
         "{\"o\":{\"equals\":{\"a\":1}},\"n\":3,\"l\":[1,\"x\"],\"z\":null}"},
        {"{\"role\":{\"in\":[\"a\",\"b\"]},\"email\":{\"suffix\":\"@x.org\"},"
         "\"v\":{\"exists\":true},\"w\":{\"exists\":false}}",
         "{\"role\":{\"in\":[\"a\",\"b\"]},\"email\":{\"suffix\":\"@x.org\"},"
         "\"v\":{\"exists\":true},\"w\":{\"exists\":false}}"},
        {"{\"any\":[{\"role\":\"a\"},{\"all\":[{\"x\":1},{\"y\":{\"exists\":true}}]}],"
         "\"b\":true}",
         "{\"any\":[{\"role\":\"a\"},{\"all\":[{\"x\":1},{\"y\":{\"exists\":true}}]}],"
         "\"b\":true}"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_t *v = js(t[i].in);
        na_err err;
        na_cond *c = na_authz_compile(v, "authorized", &err);
        json_t *back = c ? na_authz_json(c) : NULL;
        char *text = back ? json_dumps(back, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (!CHECK_EQ_STR(text, t[i].out))
            printf("    condition %s\n", t[i].in);
        /* and it compiles again, to the same text */
        na_cond *again = back ? na_authz_compile(back, "authorized", &err) : NULL;
        json_t *back2 = again ? na_authz_json(again) : NULL;
        CHECK(back2 != NULL && json_equal(back, back2));
        free(text);
        json_decref(back2);
        na_authz_free(again);
        json_decref(back);
        na_authz_free(c);
        json_decref(v);
    }
}

int main(void)
{
    RUN(test_equals);
    RUN(test_numbers);
    RUN(test_in);
    RUN(test_suffix);
    RUN(test_exists);
    RUN(test_any_all);
    RUN(test_depth);
    RUN(test_compile_errors);
    RUN(test_json);
    return unit_done();
}
