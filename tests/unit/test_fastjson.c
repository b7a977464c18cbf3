/* test_fastjson.c — the single-pass parser against jansson, its reference.
 *
 * Every input is parsed twice, both times from a copy flush against a PROT_NONE
 * guard page (an over-read crashes): by na_fastjson_parse_object and by what the
 * product did before it (json_loadb with JSON_REJECT_DUPLICATES, must be an
 * object, no deeper than max_depth). They must agree on acceptance, and for an
 * accepted text json_equal must hold and json_dumps(JSON_COMPACT) must be the
 * same bytes (which also compares key order and integer against real).
 *
 * (1) a table of texts for every rule, each with the verdict it must get;
 * (2) exhaustive small domains: every byte at every position of a small text,
 *     every two bytes inside a string, three- and four-byte sequence heads;
 * (3) a deterministic differential fuzz loop of mutations of ~20 seed texts;
 * (4) every allocation failing in turn: NA_E_NOMEM and nothing leaked.
 *
 * The one expected disagreement: jansson 2.14 drops a single NUL byte that comes
 * right after a number or true/false/null (its stream pushes the byte back and
 * then takes the NUL for "nothing buffered"), so it loads `{"a":1<NUL>}` as
 * {"a":1}. fastjson refuses every NUL. Such a case counts as the quirk only when
 * the same text without its NUL bytes gives jansson's tree from fastjson. */
#include "fastjson.h"

#include <limits.h>
#include "json.h"

#include <stdint.h>
#include <time.h>

#include "json_depth_oracle.h"
#include "unit.h"

/* ---- the two parsers and their verdicts ---------------------------------- */

/* Nesting depth of a tree: containers count 1 each, the top object is level 1. */
static size_t tree_depth(const json_t *v)
{
    size_t deepest = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            size_t d = tree_depth(m);
            if (d > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t d = tree_depth(json_array_get(v, i));
            if (d > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    return 0;
}

/* The reference: NA_OK with *tree, NA_E_TOO_BIG (deeper than max_depth, or
 * jansson's own 2048 levels) or NA_E_MALFORMED. */
static int ref_parse(const char *s, size_t n, size_t max_depth, json_t **tree)
{
    json_error_t jerr;
    *tree = NULL;
    json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL)
        return json_error_code(&jerr) == json_error_stack_overflow ? NA_E_TOO_BIG
                                                                   : NA_E_MALFORMED;
    if (!json_is_object(v)) {
        json_decref(v);
        return NA_E_MALFORMED;
    }
    if (tree_depth(v) > max_depth) {
        json_decref(v);
        return NA_E_TOO_BIG;
    }
    *tree = v;
    return NA_OK;
}

static int fast_parse(const char *s, size_t n, size_t max_depth, json_t **tree)
{
    na_err err;
    na_err_clear(&err);
    *tree = na_fastjson_parse_object(s, n, max_depth, &err);
    if (*tree != NULL)
        return NA_OK;
    return err.code == NA_OK ? -1 : (int)err.code; /* -1: NULL without a reason */
}

/* Same tree: json_equal, and the same compact text. */
static int same_tree(const json_t *a, const json_t *b)
{
    if (!json_equal(a, b))
        return 0;
    char *da = json_dumps(a, JSON_COMPACT), *db = json_dumps(b, JSON_COMPACT);
    int same = da != NULL && db != NULL && strcmp(da, db) == 0;
    free(da);
    free(db);
    return same;
}

enum outcome { BOTH_ACCEPT, BOTH_REJECT, NUL_QUIRK, MISMATCH };

/* Texts the view took and declined, over every text of this file. */
static long view_took, view_declined;

/* The view's promise (fastjson.h): when it takes a text, the tree parser
 * accepts it too, and the view's members are the tree's top level, in order,
 * with the same types and values. Returns 1 when that holds (or it declined). */
static int view_agrees(const char *g, size_t n, size_t max_depth, const json_t *tree)
{
    na_jview v;
    if (na_fastjson_view_object(g, n, max_depth, &v) < 0) {
        view_declined++;
        return v.n == 0;
    }
    view_took++;
    if (tree == NULL || v.n != json_object_size(tree)) {
        printf("    the view took a text the tree parser refused (or sized it wrong)\n");
        return 0;
    }
    size_t i = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)tree, key, val) {
        const na_jv_member *m = &v.m[i++];
        char buf[4096];
        int same = m->klen == strlen(key) && memcmp(m->key, key, m->klen) == 0 &&
                   na_fastjson_get(&v, key) == m;
        switch (json_typeof(val)) {
        case JSON_STRING:
            same &= m->type == NA_JV_STRING && m->slen <= sizeof buf;
            if (same) {
                size_t len = na_fastjson_string(m, buf);
                same &= len == json_string_length(val) &&
                        memcmp(buf, json_string_value(val), len) == 0;
            }
            break;
        case JSON_INTEGER:
            same &= m->type == NA_JV_INT && m->i == json_integer_value(val);
            break;
        case JSON_OBJECT: same &= m->type == NA_JV_OBJECT; break;
        case JSON_ARRAY: same &= m->type == NA_JV_ARRAY; break;
        case JSON_TRUE: same &= m->type == NA_JV_TRUE; break;
        case JSON_FALSE: same &= m->type == NA_JV_FALSE; break;
        case JSON_NULL: same &= m->type == NA_JV_NULL; break;
        default: same = 0; /* a real: the view always declines those */
        }
        if (!same) {
            printf("    view member %zu (%s) differs from the tree\n", i - 1, key);
            return 0;
        }
    }
    return 1;
}

/* Parse s with both; *fast_code gets fastjson's verdict, *why what went wrong. */
static enum outcome agree(const char *s, size_t n, size_t max_depth, int *fast_code,
                          const char **why)
{
    json_t *ft, *rt;
    const char *g = unit_guarded(s, n);
    int fc = fast_parse(g, n, max_depth, &ft);
    int rc = ref_parse(g, n, max_depth, &rt);
    enum outcome out = MISMATCH;
    *fast_code = fc;
    *why = "";
    if (rc == NA_OK && fc == NA_OK) {
        out = same_tree(ft, rt) ? BOTH_ACCEPT : MISMATCH;
        *why = "accepted by both, different trees";
    } else if (fc == rc || (rc == NA_E_MALFORMED && fc == NA_E_TOO_BIG &&
                            json_depth_oracle(g, n, max_depth) > max_depth)) {
        /* Both refused. A single pass meets a too-deep bracket before a later
         * syntax error, so TOO_BIG stands for "malformed" when the text does nest
         * deeper than allowed before it goes wrong. */
        out = BOTH_REJECT;
    } else if (fc == NA_E_MALFORMED && rc != NA_E_MALFORMED && memchr(s, '\0', n) != NULL) {
        /* jansson took (or found too deep) a text with NUL bytes: it must have
         * dropped them, so the text without them must give the same verdict. */
        char *stripped = malloc(n);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] != '\0')
                stripped[m++] = s[i];
        json_t *st;
        int sc = fast_parse(unit_guarded(stripped, m), m, max_depth, &st);
        out = sc == rc && (rc != NA_OK || same_tree(st, rt)) ? NUL_QUIRK : MISMATCH;
        *why = "jansson accepted a NUL byte it does not drop";
        json_decref(st);
        free(stripped);
    } else if (rc != NA_OK && fc != NA_OK) {
        *why = "refused by both with different codes";
    } else {
        *why = fc == NA_OK ? "fastjson accepted what jansson refused"
                           : "fastjson refused what jansson accepted";
    }
    if (out == MISMATCH)
        printf("    fastjson %d, jansson %d: %s\n", fc, rc, *why);
    if (!view_agrees(g, n, max_depth, ft)) {
        out = MISMATCH;
        *why = "the view disagrees with the tree";
    }
    json_decref(ft);
    json_decref(rt);
    return out;
}

/* ---- (1) the table -------------------------------------------------------- */

#define OK NA_OK
#define BAD NA_E_MALFORMED
#define DEEP NA_E_TOO_BIG

/* One text: fastjson's verdict is want, jansson agrees; with the product's depth
 * limit the old path (json.c, jansson behind a bracket count) agrees too. */
static void expect_depth(const char *s, size_t n, size_t max_depth, int want, int line)
{
    int fc;
    const char *why;
    enum outcome o = agree(s, n, max_depth, &fc, &why);
    int ok = unit_report(o != MISMATCH, __FILE__, line, "fastjson agrees with jansson");
    ok &= unit_eq_int(fc, want, __FILE__, line, "fastjson verdict");
    if (max_depth == NA_JSON_MAX_DEPTH) {
        na_err err;
        json_t *old = na_json_parse_object(unit_guarded(s, n), n, "payload", &err);
        ok &= unit_report((old != NULL) == (fc == NA_OK) || o == NUL_QUIRK, __FILE__, line,
                          "fastjson accepts what na_json_parse_object accepts");
        json_decref(old);
    }
    if (!ok)
        unit_print_bytes("input", s, n);
}
#define EXPECT(lit, want) expect_depth((lit), sizeof(lit) - 1, NA_JSON_MAX_DEPTH, (want), __LINE__)
#define EXPECT_D(lit, max_depth, want) expect_depth((lit), sizeof(lit) - 1, (max_depth), (want), __LINE__)

static void test_structure(void)
{
    EXPECT("{}", OK);
    EXPECT(" \t\r\n{ \t\r\n} \t\r\n", OK);
    EXPECT("{\"a\":1}", OK);
    EXPECT("{ \"a\" : 1 , \"b\" : [ 1 , 2 ] , \"c\" : { } }", OK);
    EXPECT("{\"a\":[],\"b\":{},\"c\":[[]],\"d\":[{}],\"e\":[\"\"]}", OK);
    EXPECT("{\"\":\"\"}", OK);
    EXPECT("{\"a\":[1,\"x\",true,false,null,1.5,{\"b\":[]}]}", OK);
    /* order of keys is kept (the dumps comparison sees it) */
    EXPECT("{\"z\":1,\"a\":2,\"m\":3,\"b\":{\"y\":1,\"x\":2}}", OK);

    EXPECT("", BAD);
    EXPECT(" \t\r\n", BAD);
    EXPECT("{", BAD);
    EXPECT("}", BAD);
    EXPECT("{{}}", BAD);
    EXPECT("{\"a\"}", BAD);
    EXPECT("{\"a\":}", BAD);
    EXPECT("{\"a\" 1}", BAD);
    EXPECT("{\"a\"::1}", BAD);
    EXPECT("{,}", BAD);
    EXPECT("{,\"a\":1}", BAD);
    EXPECT("{\"a\":1,}", BAD);
    EXPECT("{\"a\":1,,\"b\":2}", BAD);
    EXPECT("{\"a\":1 \"b\":2}", BAD);
    EXPECT("{\"a\":1;\"b\":2}", BAD);
    EXPECT("{\"a\":[1,]}", BAD);
    EXPECT("{\"a\":[,1]}", BAD);
    EXPECT("{\"a\":[1 2]}", BAD);
    EXPECT("{\"a\":[1}", BAD);
    EXPECT("{\"a\":{]}", BAD);
    EXPECT("{\"a\":[}", BAD);
    EXPECT("{\"a\":1]", BAD);
    EXPECT("{1:2}", BAD);
    EXPECT("{a:1}", BAD);
    EXPECT("{'a':1}", BAD);
    EXPECT("{\"a\":'x'}", BAD);
    EXPECT("{\"a\":1}//", BAD);
    EXPECT("{/*c*/}", BAD);
    /* the top level must be one object */
    EXPECT("[]", BAD);
    EXPECT("[{\"a\":1}]", BAD);
    EXPECT("\"x\"", BAD);
    EXPECT("1", BAD);
    EXPECT("true", BAD);
    EXPECT("null", BAD);
    EXPECT("{}x", BAD);
    EXPECT("{} {}", BAD);
    EXPECT("{},", BAD);
    EXPECT("{}]", BAD);
    EXPECT("{}}", BAD);
    /* RFC 8259 §2: only space, tab, LF, CR are whitespace */
    EXPECT("\f{}", BAD);
    EXPECT("{}\v", BAD);
    EXPECT("{\"a\":\f1}", BAD);
    EXPECT("\xc2\xa0{}", BAD);     /* NBSP */
    EXPECT("\xef\xbb\xbf{}", BAD); /* a byte-order mark */
    EXPECT("{}\xc3\xa9", BAD);
    EXPECT("{}\xff", BAD);
}

static void test_duplicates(void)
{
    EXPECT("{\"sub\":\"a\",\"sub\":\"b\"}", BAD);
    EXPECT("{\"sub\":\"a\",\"sub\":\"a\"}", BAD);
    EXPECT("{\"a\":1,\"b\":2,\"a\":3}", BAD);
    EXPECT("{\"\":1,\"\":2}", BAD);
    EXPECT("{\"u\":{\"id\":1,\"id\":2}}", BAD);
    EXPECT("{\"a\":[{\"k\":1,\"k\":1}]}", BAD);
    EXPECT("{\"sub\":1,\"s\\u0075b\":2}", BAD);       /* the same key once decoded */
    EXPECT("{\"\\u00e9\":1,\"\xc3\xa9\":2}", BAD);     /* escaped and raw é */
    EXPECT("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", BAD);
    EXPECT("{\"a\":{\"k\":1},\"b\":{\"k\":1}}", OK); /* different objects */
    EXPECT("{\"a\":1,\"A\":2,\"a \":3,\" a\":4}", OK);
    EXPECT("{\"e\\u0301\":1,\"\xc3\xa9\":2}", OK); /* no Unicode normalisation */
}

static void test_strings(void)
{
    EXPECT("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", OK);
    EXPECT("{\"s\":\"\\u0041\\u00e9\\u00E9\\u20ac\\uFFFF\\u0080\\u07ff\\u0800\"}", OK);
    EXPECT("{\"s\":\"\\u0001\\u001f\\u007f\"}", OK);
    EXPECT("{\"s\":\"\\ud83d\\ude00\",\"t\":\"\\uD83D\\uDE00\",\"u\":\"\\udbff\\udfff\"}", OK);
    EXPECT("{\"s\":\"\\ud800\\udc00x\"}", OK);
    EXPECT("{\"s\":\"\x7f\"}", OK); /* DEL is not a control character in JSON */
    EXPECT("{\"\\n\\u00e9\":\"k\"}", OK);
    EXPECT("{\"s\":\"[{]}:,\"}", OK);

    EXPECT("{\"s\":\"\\x41\"}", BAD);
    EXPECT("{\"s\":\"\\U0041\"}", BAD);
    EXPECT("{\"s\":\"\\'\"}", BAD);
    EXPECT("{\"s\":\"\\a\"}", BAD);
    EXPECT("{\"s\":\"\\0\"}", BAD);
    EXPECT("{\"s\":\"\\u12\"}", BAD);
    EXPECT("{\"s\":\"\\u12G4\"}", BAD);
    EXPECT("{\"s\":\"\\u 123\"}", BAD);
    EXPECT("{\"s\":\"\\", BAD);
    EXPECT("{\"s\":\"\\u00", BAD);
    EXPECT("{\"s\":\"abc", BAD);
    EXPECT("{\"s\":\"abc\\\"}", BAD);
    /* raw control characters */
    EXPECT("{\"s\":\"\x01\"}", BAD);
    EXPECT("{\"s\":\"\x1f\"}", BAD);
    EXPECT("{\"s\":\"a\nb\"}", BAD);
    EXPECT("{\"s\":\"a\tb\"}", BAD);
    EXPECT("{\"s\":\"a\rb\"}", BAD);
    EXPECT("{\"a\x01\":1}", BAD);
    /* NUL: escaped (no JSON_ALLOW_NUL), raw */
    EXPECT("{\"s\":\"a\\u0000b\"}", BAD);
    EXPECT("{\"a\\u0000\":1}", BAD);
    EXPECT("{\"\\u0000\":1}", BAD);
    EXPECT("{\"s\":\"a\0b\"}", BAD);
    /* surrogates: lone, reversed, broken pairs (RFC 8259 §7, §8.2) */
    EXPECT("{\"s\":\"\\ud800\"}", BAD);
    EXPECT("{\"s\":\"\\udbff\"}", BAD);
    EXPECT("{\"s\":\"\\udc00\"}", BAD);
    EXPECT("{\"s\":\"\\udfff\"}", BAD);
    EXPECT("{\"s\":\"\\ud800x\"}", BAD);
    EXPECT("{\"s\":\"\\ud800\\n\"}", BAD);
    EXPECT("{\"s\":\"\\ud800\\\\udc00\"}", BAD);
    EXPECT("{\"s\":\"\\ud800\\u0041\"}", BAD);
    EXPECT("{\"s\":\"\\ud800\\ud800\"}", BAD);
    EXPECT("{\"s\":\"\\udc00\\ud800\"}", BAD);
    EXPECT("{\"s\":\"\\ud800\\ue000\"}", BAD);
    EXPECT("{\"s\":\"\\ud800\\u\"}", BAD);
    EXPECT("{\"\\ud800\":1}", BAD);
}

static void test_utf8(void)
{
    /* the edges of each length class */
    EXPECT("{\"s\":\"\xc2\x80\xdf\xbf\"}", OK);
    EXPECT("{\"s\":\"\xe0\xa0\x80\xef\xbf\xbf\"}", OK);
    EXPECT("{\"s\":\"\xed\x9f\xbf\xee\x80\x80\"}", OK); /* U+D7FF, U+E000 */
    EXPECT("{\"s\":\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"}", OK);
    EXPECT("{\"caf\xc3\xa9\":\"Zo\xc3\xab \xe6\xbc\xa2 \xf0\x9f\x98\x80\"}", OK);

    EXPECT("{\"s\":\"\x80\"}", BAD);             /* a lone continuation byte */
    EXPECT("{\"s\":\"\xbf\"}", BAD);
    EXPECT("{\"s\":\"\xc0\x80\"}", BAD);         /* overlong NUL */
    EXPECT("{\"s\":\"\xc1\xbf\"}", BAD);         /* overlong, 2 bytes */
    EXPECT("{\"s\":\"\xe0\x9f\xbf\"}", BAD);     /* overlong, 3 bytes */
    EXPECT("{\"s\":\"\xf0\x8f\xbf\xbf\"}", BAD); /* overlong, 4 bytes */
    EXPECT("{\"s\":\"\xed\xa0\x80\"}", BAD);     /* U+D800 in UTF-8 */
    EXPECT("{\"s\":\"\xed\xbf\xbf\"}", BAD);     /* U+DFFF in UTF-8 */
    EXPECT("{\"s\":\"\xf4\x90\x80\x80\"}", BAD); /* U+110000 */
    EXPECT("{\"s\":\"\xf5\x80\x80\x80\"}", BAD);
    EXPECT("{\"s\":\"\xf8\x88\x80\x80\x80\"}", BAD); /* 5 bytes */
    EXPECT("{\"s\":\"\xfe\"}", BAD);
    EXPECT("{\"s\":\"\xff\"}", BAD);
    EXPECT("{\"s\":\"\xc2\"}", BAD);             /* truncated by the quote */
    EXPECT("{\"s\":\"\xe2\x82\"}", BAD);
    EXPECT("{\"s\":\"\xf0\x9f\x98\"}", BAD);
    EXPECT("{\"s\":\"\xc2" "A\"}", BAD);          /* not a continuation byte */
    EXPECT("{\"s\":\"\xe2(\xa1\"}", BAD);
    EXPECT("{\"s\":\"\xe2\x82\xc0\"}", BAD);
    EXPECT("{\"s\":\"\xc3", BAD);                /* truncated by the end of input */
    EXPECT("{\"s\":\"\xf0\x9f\x98", BAD);
    EXPECT("{\"\xc3\":1}", BAD);
    EXPECT("{\"a\":\xc3\xa9}", BAD);             /* outside a string */
}

static void test_numbers(void)
{
    EXPECT("{\"a\":[0,-0,1,-1,10,123456789,-987654321]}", OK);
    EXPECT("{\"a\":9223372036854775807,\"b\":-9223372036854775808}", OK);
    EXPECT("{\"a\":[1.5,-1.5,0.0,-0.0,1e5,1E5,1e+5,1e-5,1.5e3,0e0,0E-0,-0e+10]}", OK);
    EXPECT("{\"a\":[1e308,1.7976931348623157e308,-1.7976931348623157e308]}", OK);
    EXPECT("{\"a\":[4.9e-324,2.5e-324,2.4e-324,1e-400,-1e-400,1e-99999]}", OK); /* underflow: 0 */
    EXPECT("{\"a\":3.14159265358979323846264338327950288419716939937510582097494459230781640"
           "628620899862803482534211706798214808651}", OK); /* > 64 characters */
    EXPECT("{\"a\":0.000000000000000000000000000000000000000000000000000000000000000000000000"
           "0000000000001e100}", OK);
    EXPECT("{\"a\":1.0,\"b\":100,\"c\":1e2}", OK); /* real and integer stay apart */

    EXPECT("{\"a\":9223372036854775808}", BAD);   /* too big integer */
    EXPECT("{\"a\":-9223372036854775809}", BAD);
    EXPECT("{\"a\":18446744073709551616}", BAD);
    EXPECT("{\"a\":99999999999999999999}", BAD);   /* 20 digits */
    EXPECT("{\"a\":123456789012345678901234567890}", BAD);
    EXPECT("{\"a\":1e309}", BAD);                  /* real number overflow */
    EXPECT("{\"a\":-1e309}", BAD);
    EXPECT("{\"a\":1.7976931348623159e308}", BAD);
    EXPECT("{\"a\":1e99999}", BAD);
    EXPECT("{\"a\":01}", BAD);
    EXPECT("{\"a\":-01}", BAD);
    EXPECT("{\"a\":00}", BAD);
    EXPECT("{\"a\":00.5}", BAD);
    EXPECT("{\"a\":+1}", BAD);
    EXPECT("{\"a\":.5}", BAD);
    EXPECT("{\"a\":-.5}", BAD);
    EXPECT("{\"a\":1.}", BAD);
    EXPECT("{\"a\":1.e5}", BAD);
    EXPECT("{\"a\":1e}", BAD);
    EXPECT("{\"a\":1e+}", BAD);
    EXPECT("{\"a\":1e-}", BAD);
    EXPECT("{\"a\":1E+-1}", BAD);
    EXPECT("{\"a\":-}", BAD);
    EXPECT("{\"a\":--1}", BAD);
    EXPECT("{\"a\":-a}", BAD);
    EXPECT("{\"a\":1.5.5}", BAD);
    EXPECT("{\"a\":1e5e5}", BAD);
    EXPECT("{\"a\":0x1F}", BAD);
    EXPECT("{\"a\":1_000}", BAD);
    EXPECT("{\"a\":NaN}", BAD);
    EXPECT("{\"a\":Infinity}", BAD);
    EXPECT("{\"a\":-Infinity}", BAD);
    EXPECT("{\"a\":1", BAD);
    EXPECT("{\"a\":-", BAD);
    EXPECT("{\"a\":1.", BAD);
    EXPECT("{\"a\":1e", BAD);
}

static void test_literals(void)
{
    EXPECT("{\"a\":true,\"b\":false,\"c\":null}", OK);
    EXPECT("{\"a\":True}", BAD);
    EXPECT("{\"a\":NULL}", BAD);
    EXPECT("{\"a\":tru}", BAD);
    EXPECT("{\"a\":truex}", BAD);
    EXPECT("{\"a\":true1}", BAD);
    EXPECT("{\"a\":nulll}", BAD);
    EXPECT("{\"a\":fals}", BAD);
    EXPECT("{\"a\":undefined}", BAD);
    EXPECT("{\"a\":t", BAD);
    EXPECT("{\"a\":nul", BAD);
}

static void test_nul_bytes(void)
{
    EXPECT("\0{}", BAD);
    EXPECT("{\0}", BAD);
    EXPECT("{}\0", BAD);
    EXPECT("{\"a\"\0:1}", BAD);
    EXPECT("{\"a\":\0 1}", BAD);
    EXPECT("{\"a\":\"x\"\0}", BAD);
    EXPECT("{\"a\":[]\0}", BAD);
    EXPECT("{\"a\":1\0\0}", BAD);
    /* jansson's quirk: it drops these NUL bytes and accepts; fastjson refuses */
    EXPECT("{\"a\":1\0}", BAD);
    EXPECT("{\"a\":-0.5e3\0}", BAD);
    EXPECT("{\"a\":[true\0,false\0,null\0]}", BAD);
    EXPECT("{\"a\":0\0 }", BAD);
}

/* {"a": + (depth - 1) '[' + (inner) + (depth - 1) ']' + } : nesting depth `depth`
 * (plus the scalar inner, if any, one level further down). */
static size_t nested(char *buf, size_t depth, const char *inner)
{
    size_t n = (size_t)sprintf(buf, "{\"a\":");
    for (size_t i = 1; i < depth; i++)
        buf[n++] = '[';
    n += (size_t)sprintf(buf + n, "%s", inner);
    for (size_t i = 1; i < depth; i++)
        buf[n++] = ']';
    buf[n++] = '}';
    return n;
}

static void test_depth(void)
{
    static char buf[8192];
    size_t n;
    n = nested(buf, NA_JSON_MAX_DEPTH, "1");
    expect_depth(buf, n, NA_JSON_MAX_DEPTH, OK, __LINE__);
    n = nested(buf, NA_JSON_MAX_DEPTH + 1, "");
    expect_depth(buf, n, NA_JSON_MAX_DEPTH, DEEP, __LINE__);
    n = nested(buf, 200, "");
    expect_depth(buf, n, NA_JSON_MAX_DEPTH, DEEP, __LINE__);
    n = nested(buf, 1000, ""); /* unclosed is too deep before it is truncated */
    expect_depth(buf, n - 500, NA_JSON_MAX_DEPTH, DEEP, __LINE__);
    /* objects count like arrays */
    EXPECT_D("{\"a\":{\"b\":{}}}", 3, OK);
    EXPECT_D("{\"a\":{\"b\":{\"c\":{}}}}", 3, DEEP);
    EXPECT_D("{\"a\":[{\"b\":[1]}]}", 4, OK);
    EXPECT_D("{\"a\":[{\"b\":[1]}]}", 3, DEEP);
    /* siblings do not add up; brackets in strings are not nesting */
    EXPECT_D("{\"a\":[[]],\"b\":[[]],\"c\":{\"d\":{}}}", 3, OK);
    EXPECT_D("{\"[[[[\":\"{{{{]]\"}", 1, OK);
    EXPECT_D("{}", 1, OK);
    EXPECT_D("{\"a\":1}", 1, OK);
    EXPECT_D("{\"a\":[]}", 1, DEEP);
    EXPECT_D("{}", 0, DEEP);
    /* a syntax error before the deep part is reported as such */
    EXPECT_D("{\"a\":1,,\"b\":[[[[]]]]}", 2, BAD);

    /* jansson's own limit: no value deeper than 2048 levels, scalars included. A
     * caller allowing more gets jansson's limit, not a deeper parse. */
    n = nested(buf, 2047, "1"); /* the 1 is at level 2048 */
    expect_depth(buf, n, 5000, OK, __LINE__);
    n = nested(buf, 2048, ""); /* an empty array at level 2048 */
    expect_depth(buf, n, 5000, OK, __LINE__);
    n = nested(buf, 2048, "1");
    expect_depth(buf, n, 5000, DEEP, __LINE__);
    n = nested(buf, 2049, "");
    expect_depth(buf, n, 5000, DEEP, __LINE__);
    n = nested(buf, 3000, "");
    expect_depth(buf, n, 5000, DEEP, __LINE__);
}

/* The reason names the problem and a byte offset, never the text. */
static void test_errors(void)
{
    static const struct {
        const char *s;
        const char *msg;
    } t[] = {
        {"{\"secret\":\"hunter2\",}", "JSON expected a key at byte 20"},
        {"{\"secret\":\"hunter2\",\"secret\":\"hunter2\"}", "JSON duplicate key at byte 20"},
        {"{\"secret\":\"hunter2\xff\"}", "JSON invalid UTF-8 at byte 18"},
        {"{\"secret\":\"hunter2\\u0000\"}", "JSON \\u0000 in string at byte 18"},
        {"{\"secret\":\"hunter2\\ud800\"}", "JSON lone surrogate escape at byte 18"},
        {"{\"secret\":hunter2}", "JSON unexpected character at byte 10"},
        {"{\"secret\":1e999}", "JSON number out of range at byte 10"},
        {"{\"secret\":[[[]]]}", "JSON nested deeper than 3 levels at byte 12"},
        {"[\"hunter2\"]", "JSON expected an object at byte 0"},
        {"{} hunter2", "JSON data after the object at byte 3"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        na_err err;
        size_t n = strlen(t[i].s);
        na_err_clear(&err);
        json_t *v = na_fastjson_parse_object(unit_guarded(t[i].s, n), n, 3, &err);
        CHECK(v == NULL);
        CHECK_EQ_STR(err.msg, t[i].msg);
        CHECK(strstr(err.msg, "hunter2") == NULL);
    }
    na_err err;
    CHECK(na_fastjson_parse_object(NULL, 0, 32, &err) == NULL);
    CHECK_EQ_INT(err.code, NA_E_MALFORMED);
    CHECK(na_fastjson_parse_object("x", 1, 32, NULL) == NULL); /* err is optional */
}

/* ---- (2) exhaustive small domains ---------------------------------------- */

struct tally {
    long accept, reject, quirk, mismatch;
};

static void count(struct tally *t, const unsigned char *s, size_t n, size_t max_depth)
{
    int fc;
    const char *why;
    switch (agree((const char *)s, n, max_depth, &fc, &why)) {
    case BOTH_ACCEPT: t->accept++; break;
    case BOTH_REJECT: t->reject++; break;
    case NUL_QUIRK: t->quirk++; break;
    case MISMATCH:
        if (t->mismatch++ < 10)
            unit_print_bytes("mismatch on", s, n);
        break;
    }
}

static void test_every_byte_everywhere(void)
{
    static const char doc[] = "{\"k\":[1,-2.5e3,\"\xc3\xa9\\n\\u0041\",true,null],\"o\":{}}";
    unsigned char buf[sizeof doc];
    struct tally t = {0, 0, 0, 0};
    for (size_t pos = 0; pos < sizeof doc - 1; pos++)
        for (int b = 0; b < 256; b++) {
            memcpy(buf, doc, sizeof doc - 1);
            buf[pos] = (unsigned char)b;
            count(&t, buf, sizeof doc - 1, NA_JSON_MAX_DEPTH);
        }
    /* every prefix (truncation) and every text with one byte deleted */
    for (size_t len = 0; len < sizeof doc - 1; len++) {
        count(&t, (const unsigned char *)doc, len, NA_JSON_MAX_DEPTH);
        memcpy(buf, doc, len);
        memcpy(buf + len, doc + len + 1, sizeof doc - 2 - len);
        count(&t, buf, sizeof doc - 2, NA_JSON_MAX_DEPTH);
    }
    CHECK_EQ_INT(t.mismatch, 0);
    CHECK(t.accept > 100); /* the domain really does hold valid texts */
}

/* {"s":"XY"} for every pair of bytes: all 1- and 2-byte UTF-8, every escape
 * letter, every control character, quotes and backslashes in every place. */
static void test_every_two_bytes_in_a_string(void)
{
    unsigned char buf[16] = "{\"s\":\"XY\"}";
    struct tally t = {0, 0, 0, 0};
    for (int x = 0; x < 256; x++)
        for (int y = 0; y < 256; y++) {
            buf[6] = (unsigned char)x;
            buf[7] = (unsigned char)y;
            count(&t, buf, 10, NA_JSON_MAX_DEPTH);
        }
    CHECK_EQ_INT(t.mismatch, 0);
    CHECK(t.accept > 10000);
}

/* A 27-byte string, every byte in every place: the word-at-a-time scan of plain
 * bytes (8 at a time) must stop on each special byte wherever it sits in a word,
 * and at the end of the buffer (the text is also tried cut short there). */
static void test_every_byte_in_a_long_string(void)
{
    static const char doc[] = "{\"s\":\"abcdefghijklmnopqrstuvwxyz0\"}";
    unsigned char buf[sizeof doc];
    struct tally t = {0, 0, 0, 0};
    for (size_t pos = 6; pos < 6 + 27; pos++)
        for (int b = 0; b < 256; b++) {
            memcpy(buf, doc, sizeof doc - 1);
            buf[pos] = (unsigned char)b;
            count(&t, buf, sizeof doc - 1, NA_JSON_MAX_DEPTH);
            count(&t, buf, pos + 1, NA_JSON_MAX_DEPTH);
        }
    CHECK_EQ_INT(t.mismatch, 0);
    CHECK(t.accept >= 27 * 94); /* the 94 printable ASCII bytes but " and \\ */
}

/* {"s":"XYZW"} for every 3- and 4-byte lead (and the invalid F5–F7), every second
 * byte, and third and fourth bytes on either side of the continuation range. */
static void test_long_sequences(void)
{
    static const unsigned char tails[] = {0x7f, 0x80, 0xbf, 0xc0, '"'};
    unsigned char buf[16] = "{\"s\":\"XYZW\"}";
    struct tally t = {0, 0, 0, 0};
    for (int x = 0xe0; x < 0xf8; x++)
        for (int y = 0; y < 256; y++)
            for (size_t z = 0; z < sizeof tails; z++)
                for (size_t w = 0; w < sizeof tails; w++) {
                    buf[6] = (unsigned char)x;
                    buf[7] = (unsigned char)y;
                    buf[8] = tails[z];
                    buf[9] = tails[w];
                    count(&t, buf, 12, NA_JSON_MAX_DEPTH);
                }
    CHECK_EQ_INT(t.mismatch, 0);
    CHECK(t.accept > 1000);
}

/* {"s":"\uXXXX\uYYYY"} for X, Y across the surrogate ranges and their edges. */
static void test_escape_pairs(void)
{
    static const unsigned cps[] = {0x0000, 0x0001, 0x001f, 0x0020, 0x007f, 0x0080, 0x07ff,
                                   0x0800, 0xd7ff, 0xd800, 0xd801, 0xdbff, 0xdc00, 0xdc01,
                                   0xdfff, 0xe000, 0xfffe, 0xffff};
    char buf[64];
    struct tally t = {0, 0, 0, 0};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++)
        for (size_t j = 0; j < sizeof cps / sizeof cps[0]; j++)
            for (int form = 0; form < 4; form++) {
                char a[8], b[8];
                int n;
                snprintf(a, sizeof a, form == 1 ? "%04X" : "%04x", cps[i]);
                snprintf(b, sizeof b, form == 1 ? "%04X" : "%04x", cps[j]);
                if (form == 2) /* in a key */
                    n = snprintf(buf, sizeof buf, "{\"\\u%s\\u%s\":0}", a, b);
                else if (form == 3) /* not adjacent */
                    n = snprintf(buf, sizeof buf, "{\"s\":\"\\u%s-\\u%s\"}", a, b);
                else
                    n = snprintf(buf, sizeof buf, "{\"s\":\"\\u%s\\u%s\"}", a, b);
                count(&t, (const unsigned char *)buf, (size_t)n, NA_JSON_MAX_DEPTH);
            }
    CHECK_EQ_INT(t.mismatch, 0);
    CHECK(t.accept > 100);
}

/* ---- (3) the differential fuzz loop -------------------------------------- */

#define FUZZ_ITERATIONS 200000
#define FUZZ_CAP 4096

static uint64_t rng_state = 0x9e3779b97f4a7c15u; /* fixed: every run is the same */

static uint64_t rng(void)
{
    /* xorshift64* (Vigna) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static size_t rnd(size_t n)
{
    return n == 0 ? 0 : (size_t)(rng() % n);
}

static const char *const seeds[] = {
    "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"picture\":\"https://avatars.gith"
    "ubusercontent.com/u/1122334?v=4\",\"sub\":\"112233445566778899001\",\"iat\":1767222000,"
    "\"exp\":1769814000,\"jti\":\"5be89693-5cf3-4c8e-9a3f-2d1b6f0c4e7a\"}",
    "{\"user\":{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"image\":null},\"expires\":\"2"
    "026-01-31T00:00:00.000Z\",\"roles\":[\"admin\",\"editor\"],\"iat\":1767222000}",
    "{\"s\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\",\"u\":\"\\u00e9\\u20AC\\ud83d\\ude00\\uFFFF\","
    "\"k\\u0041y\":1}",
    "{\"name\":\"Zo\xc3\xab \xc3\x91" "and\xc3\xba \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x98\x80\","
    "\"flag\":\"\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88\"}",
    "{\"i\":0,\"n\":-0,\"a\":123456789012345678,\"b\":-9223372036854775808,\"c\":9223372036854775"
    "807,\"r\":1.5,\"e\":-2.5e-3,\"E\":6.02E+23,\"z\":0.0,\"u\":1e-400,\"m\":1.7976931348623157e308}",
    "{\"t\":true,\"f\":false,\"n\":null,\"a\":[true,false,null]}",
    "{\"a\":[[1,[2,[3,[4,[]]]]],{}],\"b\":{\"c\":{\"d\":{\"e\":{}}}}}",
    "{\"d\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    "{\n  \"a\": 1,\r\n\t\"b\" : [ 1 , 2 ] ,\n  \"c\" : { \"d\" : \"e\" }\n}\n",
    "{}",
    "{\"caf\\u00e9\":1,\"caf\xc3\xa9" "2\":2,\"\\ud83d\\ude00\":3,\"\":4,\"\\n\":5}",
    "{\"items\":[{\"id\":1,\"tags\":[\"x\",\"y\"]},{\"id\":2,\"tags\":[]},{\"id\":3}]}",
    "{\"r\":3.14159265358979323846264338327950288419716939937510582097494459230781640628620899}",
    "{\"a\":\"\",\"b\":[],\"c\":{},\"d\":[\"\"],\"e\":[[]],\"f\":[{}]}",
    "{\"a\":1,\"b\":{\"a\":1,\"b\":2},\"c\":[{\"a\":1},{\"a\":2}]}",
    "{\"c\":\"\\u0001\\u001f\\u007f\\u0080\\u07ff\\u0800\\uffff\\ud7ff\\ue000\"}",
    "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"a1b2c3\"}",
    "{\"x\":[0,1,-1,10,99,100,1000000,2147483648,-2147483649,4294967296,999999999999999999]}",
    "{\"x\":[0.5,-0.5,1e0,1E-0,1e+0,123.456e-7,0e10,-0e-10,5e-324,1e308]}",
    "{\"long\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua.\\nUt enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.\\tDuis aute irure "
    "dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.\"}",
};

/* Bytes and snippets that move a parser across its branches. */
static const unsigned char fuzz_bytes[] = {
    '{', '}', '[', ']', ':', ',', '"', '\\', ' ', '\t', '\n', '\r', '\f', '\v', '0', '1', '9',
    '-', '+', '.', 'e', 'E', 'u', 'd', 'D', 'a', 'f', 't', 'n', 'x', '/', 0x00, 0x01, 0x1f,
    0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0,
    0xf4, 0xf5, 0xfe, 0xff,
};

static const char *const fuzz_snippets[] = {
    "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\uDBFF\\uDFFF", "\\u00e9", "\\u20ac",
    "\\n", "\\\"", "\\\\", "\\/", "\\x", "\\u12", "\\u", "\\", "\"", "\xc3\xa9", "\xe2\x82\xac",
    "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xc0\xaf", "\xed\xa0\x80",
    "\xf4\x90\x80\x80", "\xe0\x80\xaf", "\xf0\x8f\xbf\xbf", "\xf8\x88\x80\x80\x80", "\xc3",
    "\xe2\x82", "\xf0\x9f\x98", "\x80", "\xff", "1e400", "-1e400", "1e-400", "-0", "0.0", "-0.0",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "01", "1.", ".5", "+1", "0x1F", "1e", "1E+", "NaN", "Infinity",
    "true", "false", "null", "tru", "nul", ",\"a\":1", ",\"b\":[1,2]", ",\"sub\":\"x\"",
    "{\"a\":", "{}", "[]", "[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]", "{\"a\":{\"a\":{\"a\":{\"a\":",
    "}}}}", "\xef\xbb\xbf", "\xc2\xa0", "  \r\n\t",
};

static size_t insert(unsigned char *b, size_t n, size_t at, const void *what, size_t len)
{
    if (n + len > FUZZ_CAP)
        return n;
    memmove(b + at + len, b + at, n - at);
    memcpy(b + at, what, len);
    return n + len;
}

static size_t mutate(unsigned char *b, size_t n)
{
    size_t rounds = rnd(4) == 0 ? 2 + rnd(3) : 1;
    for (size_t r = 0; r < rounds; r++) {
        size_t at = rnd(n + 1);
        switch (rnd(10)) {
        case 0: /* flip a bit */
            if (n > 0)
                b[rnd(n)] ^= (unsigned char)(1u << rnd(8));
            break;
        case 1: /* overwrite a byte */
            if (n > 0)
                b[rnd(n)] = fuzz_bytes[rnd(sizeof fuzz_bytes)];
            break;
        case 2: /* insert a byte */
            n = insert(b, n, at, &fuzz_bytes[rnd(sizeof fuzz_bytes)], 1);
            break;
        case 3: { /* delete up to 4 bytes */
            size_t len = 1 + rnd(4);
            if (at + len <= n) {
                memmove(b + at, b + at + len, n - at - len);
                n -= len;
            }
            break;
        }
        case 4: /* truncate */
            if (rnd(2) == 0)
                n = at;
            break;
        case 5:
        case 6: { /* insert a snippet */
            const char *s = fuzz_snippets[rnd(sizeof fuzz_snippets / sizeof fuzz_snippets[0])];
            n = insert(b, n, at, s, strlen(s));
            break;
        }
        case 7: { /* overwrite with a snippet */
            const char *s = fuzz_snippets[rnd(sizeof fuzz_snippets / sizeof fuzz_snippets[0])];
            size_t len = strlen(s);
            if (at + len <= n)
                memcpy(b + at, s, len);
            break;
        }
        case 8: { /* copy a range elsewhere: duplicate keys, repeated members */
            unsigned char tmp[64];
            size_t from = rnd(n + 1), len = rnd(sizeof tmp);
            if (from + len > n)
                len = n - from;
            memcpy(tmp, b + from, len);
            n = insert(b, n, at, tmp, len);
            break;
        }
        case 9: { /* splice in a member of another seed, right after a '{' or ',' */
            size_t i = rnd(n + 1);
            while (i < n && b[i] != '{' && b[i] != ',')
                i++;
            if (i < n) {
                const char *s = seeds[rnd(sizeof seeds / sizeof seeds[0])];
                size_t sl = strlen(s), from = rnd(sl), len = 1 + rnd(40);
                if (from + len > sl)
                    len = sl - from;
                n = insert(b, n, i + 1, s + from, len);
            }
            break;
        }
        }
    }
    return n;
}

static void test_fuzz(void)
{
    static unsigned char buf[FUZZ_CAP];
    struct tally t = {0, 0, 0, 0};
    long deep = 0;
    for (long i = 0; i < FUZZ_ITERATIONS; i++) {
        const char *seed = seeds[i % (long)(sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(seed);
        memcpy(buf, seed, n);
        n = mutate(buf, n);
        /* one text in eight against a tight limit, so depth errors race syntax ones */
        size_t max_depth = i % 8 == 7 ? 1 + rnd(4) : NA_JSON_MAX_DEPTH;
        long before = t.reject;
        count(&t, buf, n, max_depth);
        if (t.reject > before && json_depth_oracle((const char *)buf, n, max_depth) > max_depth)
            deep++;
    }
    printf("# fuzz: %d texts: %ld accepted by both, %ld refused by both (%ld nested too deep), "
           "%ld NUL quirk, %ld mismatches\n",
           FUZZ_ITERATIONS, t.accept, t.reject, deep, t.quirk, t.mismatch);
    CHECK_EQ_INT(t.mismatch, 0);
    CHECK(t.accept > FUZZ_ITERATIONS / 10); /* enough valid texts to compare trees */
    CHECK(t.reject > FUZZ_ITERATIONS / 10);
    CHECK(deep > 100);
}

/* ---- (4) every allocation failing in turn --------------------------------- */

static long alloc_live, alloc_budget = -1; /* budget < 0: no limit */

static void *counting_malloc(size_t n)
{
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    void *p = malloc(n);
    if (p != NULL)
        alloc_live++;
    return p;
}

static void counting_free(void *p)
{
    if (p == NULL)
        return;
    alloc_live--;
    free(p);
}

static void test_out_of_memory(void)
{
    /* escaped keys and a > 256-byte escaped value and a > 64-character real take
     * the heap paths; 12 members make jansson grow its hash table */
    char doc[2048];
    int n = snprintf(doc, sizeof doc,
                     "{\"a\\u0041\":[1,2.5,{\"b\":[\"x\",true,null]},\"\\n%0300d\"],"
                     "\"r\":1.%070de5,\"c\":{},\"d\":[],\"e\":\"e\",\"f\":1,\"g\":2,\"h\":3,"
                     "\"i\":4,\"j\":5,\"k\":6,\"l\":{\"m\":[[[]]]}}",
                     0, 1);
    json_t *want = json_loadb(doc, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    CHECK(want != NULL);
    json_set_alloc_funcs(counting_malloc, counting_free);
    long budget;
    int done = 0;
    for (budget = 0; budget < 1000 && !done; budget++) {
        na_err err;
        na_err_clear(&err);
        alloc_live = 0;
        alloc_budget = budget;
        json_t *v = na_fastjson_parse_object(unit_guarded(doc, (size_t)n), (size_t)n, 32, &err);
        alloc_budget = -1;
        if (v == NULL) {
            if (!CHECK_EQ_INT(err.code, NA_E_NOMEM))
                printf("    budget %ld: %s\n", budget, err.msg);
        } else {
            /* json_dumps allocates through the counting functions too */
            char *got = json_dumps(v, JSON_COMPACT), *exp = json_dumps(want, JSON_COMPACT);
            CHECK(json_equal(v, want) && got != NULL && exp != NULL && strcmp(got, exp) == 0);
            counting_free(got);
            counting_free(exp);
            json_decref(v);
            done = 1;
        }
        if (!CHECK_EQ_INT(alloc_live, 0))
            printf("    budget %ld leaked\n", budget);
    }
    json_set_alloc_funcs(malloc, free);
    json_decref(want);
    CHECK(done);
    CHECK(budget > 30); /* every one of them failed once */
}

/* ---- the view: what it takes, what it declines ---------------------------- */

static int view_of(const char *s, na_jview *v)
{
    size_t n = strlen(s);
    return na_fastjson_view_object(unit_guarded(s, n), n, NA_JSON_MAX_DEPTH, v);
}

static void test_view(void)
{
    na_jview v;
    char buf[512];
    /* a next-auth session payload, as it comes out of the JWE */
    CHECK_EQ_INT(view_of("{\"name\":\"Ada \\u00e9\\n\",\"email\":\"ada@example.com\",\"picture\":null,"
                         "\"sub\":\"42\",\"iat\":1700000000,\"exp\":-9223372036854775808,"
                         "\"jti\":\"x\",\"o\":{\"a\":[1,{\"b\":true}]},\"f\":false,\"t\":true,\"e\":\"\"}",
                         &v),
                 0);
    CHECK_EQ_INT(v.n, 11);
    const na_jv_member *m = na_fastjson_get(&v, "name");
    CHECK(m == &v.m[0] && m->type == NA_JV_STRING && m->escaped);
    CHECK_EQ_MEM(buf, na_fastjson_string(m, buf), "Ada \xc3\xa9\n", 7);
    m = na_fastjson_get(&v, "email");
    CHECK(m && m->type == NA_JV_STRING && !m->escaped);
    CHECK_EQ_MEM(buf, na_fastjson_string(m, buf), "ada@example.com", 15);
    CHECK(na_fastjson_get(&v, "picture")->type == NA_JV_NULL);
    CHECK(na_fastjson_get(&v, "iat")->type == NA_JV_INT && na_fastjson_get(&v, "iat")->i == 1700000000);
    CHECK(na_fastjson_get(&v, "exp")->i == LLONG_MIN);
    CHECK(na_fastjson_get(&v, "o")->type == NA_JV_OBJECT);
    CHECK(na_fastjson_get(&v, "f")->type == NA_JV_FALSE && na_fastjson_get(&v, "t")->type == NA_JV_TRUE);
    CHECK(na_fastjson_get(&v, "e")->slen == 0);
    CHECK(na_fastjson_get(&v, "a") == NULL);  /* nested members are not top-level ones */
    CHECK(na_fastjson_get(&v, "nam") == NULL); /* a prefix is not the key */
    CHECK_EQ_INT(view_of(" {} ", &v), 0);
    CHECK_EQ_INT(v.n, 0);

    /* 32 members are taken, 33 declined (the tree parser takes both) */
    char big[1024];
    size_t o = 0;
    big[o++] = '{';
    for (int i = 0; i < 33; i++)
        o += (size_t)sprintf(big + o, "%s\"k%d\":%d", i ? "," : "", i, i);
    big[o++] = '}';
    big[o] = '\0';
    CHECK_EQ_INT(view_of(big, &v), -1);
    CHECK_EQ_INT(v.n, 0);
    char *cut = strstr(big, ",\"k32\"");
    strcpy(cut, "}");
    CHECK_EQ_INT(view_of(big, &v), 0);
    CHECK_EQ_INT(v.n, 32);
    CHECK(na_fastjson_get(&v, "k31")->i == 31);

    /* declined although valid: the tree parser decides these */
    static const char *const declined[] = {
        "{\"\\u0061\":1}",            /* an escaped key */
        "{\"o\":{\"k\\n\":1}}",        /* an escaped key, nested */
        "{\"exp\":1.5}",               /* a real */
        "{\"a\":[1e3]}",               /* a real, nested */
    };
    for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++) {
        CHECK_EQ_INT(view_of(declined[i], &v), -1);
        json_t *t = na_fastjson_parse_object(declined[i], strlen(declined[i]), 32, NULL);
        CHECK(t != NULL);
        json_decref(t);
    }
    char esc[600] = "{\"s\":\"";
    for (int i = 0; i < 129; i++)
        strcat(esc, "\\n"); /* 258 raw bytes of escapes */
    strcat(esc, "\"}");
    CHECK_EQ_INT(view_of(esc, &v), -1);
    strcpy(esc + strlen(esc) - 4, "\"}"); /* 256 raw bytes: taken */
    CHECK_EQ_INT(view_of(esc, &v), 0);
    CHECK_EQ_INT(na_fastjson_string(&v.m[0], buf), 128);

    /* refused by both: duplicates at any level, even spelled differently */
    static const char *const refused[] = {
        "{\"a\":1,\"a\":2}", "{\"o\":{\"b\":1,\"b\":1}}", "{\"a\":1,\"\\u0061\":1}",
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"a\":01}", "{\"a\":9223372036854775808}",
        "{\"a\":1} x", "[1]", "{\"a\":tru}", "{\"a\":1,}", "",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        CHECK_EQ_INT(view_of(refused[i], &v), -1);
        json_t *t = na_fastjson_parse_object(refused[i], strlen(refused[i]), 32, NULL);
        CHECK(t == NULL);
    }
    /* the depth limit is the tree parser's */
    static const char nest[] = "{\"a\":{\"b\":{}}}", arr[] = "{\"a\":[[1]]}";
    CHECK_EQ_INT(na_fastjson_view_object(nest, sizeof nest - 1, 3, &v), 0);
    CHECK_EQ_INT(na_fastjson_view_object(nest, sizeof nest - 1, 2, &v), -1);
    CHECK_EQ_INT(na_fastjson_view_object(arr, sizeof arr - 1, 3, &v), 0);
    CHECK_EQ_INT(na_fastjson_view_object(arr, sizeof arr - 1, 2, &v), -1);
    CHECK_EQ_INT(na_fastjson_view_object(NULL, 0, 32, &v), -1);
}

/* Run last: every text of the file went through view_agrees. */
static void test_view_coverage(void)
{
    printf("# the view took %ld texts and declined %ld\n", view_took, view_declined);
    CHECK(view_took > 1000); /* the comparison above was not vacuous */
    CHECK(view_declined > 1000);
}

int main(void)
{
    clock_t t0 = clock();
    RUN(test_structure);
    RUN(test_duplicates);
    RUN(test_strings);
    RUN(test_utf8);
    RUN(test_numbers);
    RUN(test_literals);
    RUN(test_nul_bytes);
    RUN(test_depth);
    RUN(test_errors);
    RUN(test_every_byte_everywhere);
    RUN(test_every_two_bytes_in_a_string);
    RUN(test_every_byte_in_a_long_string);
    RUN(test_long_sequences);
    RUN(test_escape_pairs);
    RUN(test_fuzz);
    RUN(test_out_of_memory);
    RUN(test_view);
    RUN(test_view_coverage);
    printf("# %.2f s of CPU\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
    return unit_done();
}
