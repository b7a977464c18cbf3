/* fuzz_json.c — the strict JSON parser of token headers and payloads
 * (lib/fastjson.c through lib/json.c), against jansson, its reference.
 *
 * fastjson.h promises the acceptance and the tree of "json_loadb(buf, len,
 * JSON_REJECT_DUPLICATES), must be an object, at most NA_JSON_MAX_DEPTH deep",
 * with one documented difference on invalid input: every NUL byte is an error
 * (jansson drops a NUL right after a scalar). So:
 *   - an input with a NUL byte is refused;
 *   - otherwise both accept or both refuse; when both accept, the trees are
 *     json_equal and dump to the same bytes (key order, integer vs real); when
 *     jansson accepts a tree deeper than the limit, the error is NA_E_TOO_BIG;
 *   - an accepted tree, written back by na_json_dumps_js, parses to an equal tree;
 *   - json_depth_oracle agrees with the depth of an accepted tree;
 *   - the view (na_fastjson_view_object) takes only texts the tree parser
 *     accepts, and then gives the tree's top-level members, in order, with the
 *     same types and values. */
#include "fastjson.h"
#include "json.h"

#include "../unit/json_depth_oracle.h"
#include "fuzz.h"

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

/* The view of buf against the tree got (NULL when the tree parser refused). */
static void check_view(const char *buf, size_t size, const json_t *got)
{
    na_jview v;
    if (na_fastjson_view_object(buf, size, NA_JSON_MAX_DEPTH, &v) < 0) {
        FUZZ_CHECK(v.n == 0, "a declined view kept %zu members", v.n);
        return;
    }
    FUZZ_CHECK(got != NULL, "the view took a text the tree parser refused");
    FUZZ_CHECK(v.n == json_object_size(got), "view %zu members, tree %zu", v.n,
               json_object_size(got));
    size_t i = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)got, key, val) {
        const na_jv_member *m = &v.m[i++];
        FUZZ_CHECK(m->klen == strlen(key) && memcmp(m->key, key, m->klen) == 0,
                   "member %zu: another key", i - 1);
        FUZZ_CHECK(na_fastjson_get(&v, key) == m, "member %zu: lookup finds another", i - 1);
        switch (json_typeof(val)) {
        case JSON_STRING: {
            FUZZ_CHECK(m->type == NA_JV_STRING, "member %zu: not a string", i - 1);
            char *out = malloc(m->slen + 1);
            size_t n = out ? na_fastjson_string(m, out) : 0;
            FUZZ_CHECK(out && n == json_string_length(val) &&
                           memcmp(out, json_string_value(val), n) == 0,
                       "member %zu: another string", i - 1);
            free(out);
            break;
        }
        case JSON_INTEGER:
            FUZZ_CHECK(m->type == NA_JV_INT && m->i == json_integer_value(val),
                       "member %zu: another integer", i - 1);
            break;
        case JSON_OBJECT: FUZZ_CHECK(m->type == NA_JV_OBJECT, "member %zu", i - 1); break;
        case JSON_ARRAY: FUZZ_CHECK(m->type == NA_JV_ARRAY, "member %zu", i - 1); break;
        case JSON_TRUE: FUZZ_CHECK(m->type == NA_JV_TRUE, "member %zu", i - 1); break;
        case JSON_FALSE: FUZZ_CHECK(m->type == NA_JV_FALSE, "member %zu", i - 1); break;
        case JSON_NULL: FUZZ_CHECK(m->type == NA_JV_NULL, "member %zu", i - 1); break;
        default: FUZZ_CHECK(0, "member %zu: the view took a real", i - 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    na_err err;
    na_err_clear(&err);
    json_t *got = na_json_parse_object(buf, size, "payload", &err);
    check_view(buf, size, got);
    if (got == NULL)
        FUZZ_CHECK(err.code == NA_E_MALFORMED || err.code == NA_E_TOO_BIG, "code %d",
                   (int)err.code);
    if (memchr(buf, '\0', size) != NULL) {
        FUZZ_CHECK(got == NULL, "accepted a text with a NUL byte");
        return 0;
    }

    json_t *ref = json_loadb(buf, size, JSON_REJECT_DUPLICATES, NULL);
    size_t depth = ref ? tree_depth(ref) : 0;
    int ref_ok = ref != NULL && json_is_object(ref) && depth <= NA_JSON_MAX_DEPTH;
    FUZZ_CHECK((got != NULL) == ref_ok, "fastjson %s (%s), jansson %s (object %d, depth %zu)",
               got ? "accepts" : "refuses", got ? "" : err.msg, ref ? "accepts" : "refuses",
               ref ? json_is_object(ref) : 0, depth);
    if (ref != NULL && json_is_object(ref) && depth > NA_JSON_MAX_DEPTH)
        FUZZ_CHECK(err.code == NA_E_TOO_BIG, "too deep, but code %d", (int)err.code);
    if (got != NULL) {
        FUZZ_CHECK(json_equal(got, ref), "trees differ");
        char *a = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        char *b = json_dumps(ref, JSON_COMPACT | JSON_ENCODE_ANY);
        FUZZ_CHECK(a && b && strcmp(a, b) == 0, "dumps differ: %.200s | %.200s", a ? a : "",
                   b ? b : "");
        free(a);
        free(b);
        size_t d2 = json_depth_oracle(buf, size, NA_JSON_MAX_DEPTH);
        FUZZ_CHECK(d2 == depth, "json_depth_oracle %zu, tree depth %zu", d2, depth);

        char *js = na_json_dumps_js(got);
        FUZZ_CHECK(js != NULL, "dumps_js failed");
        json_t *again = na_json_parse_object(js, strlen(js), "again", &err);
        FUZZ_CHECK(again != NULL && json_equal(again, got), "dumps_js output does not parse "
                   "back (%s): %.200s", again ? "differs" : err.msg, js);
        json_decref(again);
        free(js);
    }
    json_decref(ref);
    json_decref(got);
    return 0;
}
