/* test_json.c — strict JSON objects for token parts (SPEC A1): duplicates, lone
 * surrogates, bad UTF-8, NUL, trailing data, non-objects, nesting depth. Every
 * input sits against a guard page. */
#include "json.h"

#include "json_depth_oracle.h"
#include "unit.h"

/* Parse n bytes of s (guarded); returns the na_code (NA_OK when an object came back). */
static int parse_code(const char *s, size_t n, na_err *err)
{
    na_err_clear(err);
    json_t *v = na_json_parse_object(unit_guarded(s, n), n, "payload", err);
    if (v == NULL)
        return err->code == NA_OK ? -1 : (int)err->code;
    int ok = json_is_object(v);
    json_decref(v);
    return ok ? NA_OK : -2;
}

static void expect(const char *s, size_t n, int want, int line)
{
    na_err err;
    int got = parse_code(s, n, &err);
    if (!unit_eq_int(got, want, __FILE__, line, "parse verdict"))
        unit_print_bytes("input", s, n);
}
#define EXPECT(s, want) expect((s), strlen(s), (want), __LINE__)
#define EXPECT_N(s, n, want) expect((s), (n), (want), __LINE__)

static void test_plain_objects(void)
{
    EXPECT("{}", NA_OK);
    EXPECT(" {\"a\":1} ", NA_OK);
    EXPECT("{\"name\":\"Alice\",\"picture\":null,\"roles\":[\"a\",\"b\"],\"n\":1.5}", NA_OK);
    EXPECT("{\"s\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", NA_OK);
    EXPECT("{\"s\":\"\\ud83d\\ude00\"}", NA_OK); /* a proper surrogate pair */
    EXPECT("{\"s\":\"\\u00e9\\n\\t\\\"\\\\\\/\"}", NA_OK);
}

static void test_duplicates(void)
{
    EXPECT("{\"sub\":\"a\",\"sub\":\"b\"}", NA_E_MALFORMED);
    EXPECT("{\"sub\":\"a\",\"sub\":\"a\"}", NA_E_MALFORMED);
    EXPECT("{\"u\":{\"id\":1,\"id\":2}}", NA_E_MALFORMED);
    EXPECT("{\"a\":[{\"k\":1,\"k\":1}]}", NA_E_MALFORMED);
    /* Same key after an escape is the same key. */
    EXPECT("{\"sub\":1,\"s\\u0075b\":2}", NA_E_MALFORMED);
    /* Different objects may reuse a key. */
    EXPECT("{\"a\":{\"k\":1},\"b\":{\"k\":1}}", NA_OK);
}

static void test_surrogates_and_nul(void)
{
    EXPECT("{\"s\":\"\\ud800\"}", NA_E_MALFORMED);
    EXPECT("{\"s\":\"\\udc00\"}", NA_E_MALFORMED);
    EXPECT("{\"s\":\"\\ud800x\"}", NA_E_MALFORMED);
    EXPECT("{\"s\":\"\\ud800\\u0041\"}", NA_E_MALFORMED);
    EXPECT("{\"s\":\"\\udc00\\ud800\"}", NA_E_MALFORMED);
    EXPECT("{\"\\ud800\":1}", NA_E_MALFORMED);
    /* \u0000 in a value or a key; a raw NUL byte anywhere. */
    EXPECT("{\"s\":\"a\\u0000b\"}", NA_E_MALFORMED);
    EXPECT("{\"a\\u0000\":1}", NA_E_MALFORMED);
    EXPECT_N("{\"s\":\"a\0b\"}", 10, NA_E_MALFORMED);
    EXPECT_N("{}\0", 3, NA_E_MALFORMED);
}

static void test_bad_utf8(void)
{
    static const char *const bad[] = {
        "{\"s\":\"\xff\"}",             /* never valid */
        "{\"s\":\"\x80\"}",             /* lone continuation */
        "{\"s\":\"\xc0\xaf\"}",         /* overlong '/' */
        "{\"s\":\"\xe0\x80\xaf\"}",     /* overlong, 3 bytes */
        "{\"s\":\"\xed\xa0\x80\"}",     /* UTF-8-encoded surrogate U+D800 */
        "{\"s\":\"\xf4\x90\x80\x80\"}", /* above U+10FFFF */
        "{\"s\":\"\xe2\x82\"}",         /* truncated sequence */
        "{\"\xc3\":1}",                 /* in a key */
        "{\"s\":1}\xff",                /* after the object */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT(bad[i], NA_E_MALFORMED);
}

static void test_not_one_object(void)
{
    EXPECT("{} x", NA_E_MALFORMED);
    EXPECT("{}{}", NA_E_MALFORMED);
    EXPECT("{},", NA_E_MALFORMED);
    EXPECT("{\"a\":1,}", NA_E_MALFORMED);
    EXPECT("{\"a\":1", NA_E_MALFORMED);
    EXPECT("", NA_E_MALFORMED);
    EXPECT("   ", NA_E_MALFORMED);
    EXPECT("[]", NA_E_MALFORMED);
    EXPECT("[{\"exp\":1}]", NA_E_MALFORMED);
    EXPECT("\"x\"", NA_E_MALFORMED);
    EXPECT("1", NA_E_MALFORMED);
    EXPECT("null", NA_E_MALFORMED);
    EXPECT("{'a':1}", NA_E_MALFORMED);
    EXPECT("{\"a\":NaN}", NA_E_MALFORMED);
    EXPECT("\xef\xbb\xbf{}", NA_E_MALFORMED); /* a byte-order mark is not JSON */
}

/* {"a": + (depth−1) '[' + (depth−1) ']' + } : nesting depth exactly `depth`. */
static size_t nested(char *buf, size_t depth)
{
    size_t n = 0;
    n += (size_t)sprintf(buf + n, "{\"a\":");
    for (size_t i = 1; i < depth; i++)
        buf[n++] = '[';
    for (size_t i = 1; i < depth; i++)
        buf[n++] = ']';
    buf[n++] = '}';
    buf[n] = '\0';
    return n;
}

static void test_depth(void)
{
    char buf[512];
    na_err err;
    size_t n = nested(buf, NA_JSON_MAX_DEPTH);
    CHECK_EQ_INT(json_depth_oracle(buf, n, NA_JSON_MAX_DEPTH), NA_JSON_MAX_DEPTH);
    EXPECT_N(buf, n, NA_OK);
    n = nested(buf, NA_JSON_MAX_DEPTH + 1);
    CHECK_EQ_INT(json_depth_oracle(buf, n, NA_JSON_MAX_DEPTH), NA_JSON_MAX_DEPTH + 1);
    CHECK_EQ_INT(parse_code(buf, n, &err), NA_E_TOO_BIG);
    CHECK(strstr(err.msg, "payload") != NULL);
    n = nested(buf, 200);
    CHECK_EQ_INT(parse_code(buf, n, &err), NA_E_TOO_BIG);

    /* Depth of siblings does not add up. */
    EXPECT("{\"a\":[[]],\"b\":[[]],\"c\":{\"d\":{}}}", NA_OK);
    CHECK_EQ_INT(json_depth_oracle("{\"a\":[[]],\"b\":[[]]}", 19, 32), 3);
    CHECK_EQ_INT(json_depth_oracle("", 0, 32), 0);
    CHECK_EQ_INT(json_depth_oracle("]]]}}}[", 7, 32), 1);
    CHECK_EQ_INT(json_depth_oracle("[[[[[[", 6, 3), 4); /* stops at max + 1 */
}

static void test_depth_ignores_strings(void)
{
    char buf[512];
    size_t n;
    /* 40 brackets inside a string are not nesting. */
    n = (size_t)sprintf(buf, "{\"a\":\"%s\"}",
                        "[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{");
    CHECK_EQ_INT(json_depth_oracle(unit_guarded(buf, n), n, NA_JSON_MAX_DEPTH), 1);
    EXPECT_N(buf, n, NA_OK);
    /* ... nor after an escaped quote inside the string ... */
    n = (size_t)sprintf(buf, "{\"a\":\"\\\"%s\"}",
                        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    CHECK_EQ_INT(json_depth_oracle(unit_guarded(buf, n), n, NA_JSON_MAX_DEPTH), 1);
    EXPECT_N(buf, n, NA_OK);
    /* ... nor in a key. */
    n = (size_t)sprintf(buf, "{\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"{{\":1}");
    EXPECT_N(buf, n, NA_OK);
    /* An escaped backslash ends right before the closing quote: the brackets after
     * it are real and 33 deep. */
    n = (size_t)sprintf(buf, "{\"a\":\"\\\\\",\"b\":");
    for (int i = 0; i < NA_JSON_MAX_DEPTH; i++)
        buf[n++] = '[';
    for (int i = 0; i < NA_JSON_MAX_DEPTH; i++)
        buf[n++] = ']';
    buf[n++] = '}';
    CHECK_EQ_INT(json_depth_oracle(unit_guarded(buf, n), n, NA_JSON_MAX_DEPTH),
                 NA_JSON_MAX_DEPTH + 1);
    EXPECT_N(buf, n, NA_E_TOO_BIG);
    /* A text that ends inside an escape does not read past its end (guard page). */
    CHECK_EQ_INT(json_depth_oracle(unit_guarded("{\"a\":\"\\", 7), 7, NA_JSON_MAX_DEPTH), 1);
    CHECK_EQ_INT(json_depth_oracle(unit_guarded("[\"\\", 3), 3, NA_JSON_MAX_DEPTH), 1);
    EXPECT("{\"a\":\"\\", NA_E_MALFORMED);
}

static void test_errors_do_not_quote_input(void)
{
    static const char *const inputs[] = {
        "{\"secret\":\"hunter2-very-secret\",}",
        "{\"secret\":\"hunter2-very-secret\"",
        "{\"secret\":\"hunter2-very-secret\",\"secret\":\"hunter2-very-secret\"}",
        "{\"secret\":\"hunter2-very-secret\xff\"}",
        "[\"hunter2-very-secret\"]",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        na_err err;
        CHECK_EQ_INT(parse_code(inputs[i], strlen(inputs[i]), &err), NA_E_MALFORMED);
        CHECK(strstr(err.msg, "hunter2") == NULL);
        CHECK(strstr(err.msg, "payload") != NULL);
    }
}

/* na_json_dumps_js: JSON.stringify's lowercase \u escapes, nothing else changed. */
static void test_dumps_js(void)
{
    static const struct {
        const char *in, *out;
    } t[] = {
        {"\x01\x1f", "\"\\u0001\\u001f\""},
        {"a\"b\\c\n", "\"a\\\"b\\\\c\\n\""},
        {"\\uABCD", "\"\\\\uABCD\""}, /* a backslash then text: not an escape */
        {"caf\xc3\xa9 \xe2\x80\xa8", "\"caf\xc3\xa9 \xe2\x80\xa8\""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_t *v = json_string(t[i].in);
        char *s = na_json_dumps_js(v);
        CHECK_EQ_STR(s, t[i].out);
        free(s);
        json_decref(v);
    }
    json_t *o = json_pack("{s:s,s:[i,n]}", "k\x7f\x1b", "\x1b", "a", 1);
    char *s = na_json_dumps_js(o);
    CHECK_EQ_STR(s, "{\"k\x7f\\u001b\":\"\\u001b\",\"a\":[1,null]}");
    free(s);
    json_decref(o);
}

int main(void)
{
    RUN(test_plain_objects);
    RUN(test_duplicates);
    RUN(test_surrogates_and_nul);
    RUN(test_bad_utf8);
    RUN(test_not_one_object);
    RUN(test_depth);
    RUN(test_depth_ignores_strings);
    RUN(test_errors_do_not_quote_input);
    RUN(test_dumps_js);
    return unit_done();
}
