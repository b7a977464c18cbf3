/* fuzz_json.c — the strict JSON parser of token headers and payloads
 * (lib/fastjson.c through lib/sjson.c), against jansson, its reference.
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
 *   - na_json_depth agrees with the depth of an accepted tree. */
#include "sjson.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    na_err err;
    na_err_clear(&err);
    json_t *got = na_json_parse_object(buf, size, "payload", &err);
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
        size_t d2 = na_json_depth(buf, size, NA_JSON_MAX_DEPTH);
        FUZZ_CHECK(d2 == depth, "na_json_depth %zu, tree depth %zu", d2, depth);

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
