/* json.c — strict JSON objects (see json.h). */
#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fastjson.h"

char *na_json_dumps_js(const json_t *v)
{
    return na_json_dumps_js_flags(v, JSON_COMPACT);
}

/* json_dump_callback into a buffer of our own: the text is plain malloc memory
 * whatever allocator jansson was given (memory.h), so callers free() it. */
static int dump_to(const char *buf, size_t size, void *data)
{
    return na_buf_append(data, buf, size);
}

char *na_json_dumps_js_flags(const json_t *v, size_t flags)
{
    na_buf d = {0};
    if (json_dump_callback(v, dump_to, &d, flags | JSON_ENCODE_ANY) != 0 ||
        na_buf_append(&d, "", 1) < 0) {
        na_buf_free(&d);
        return NULL;
    }
    char *s = d.p;
    for (char *p = s; *p; p++) {
        if (*p != '\\')
            continue;
        p++; /* the escaped character: never the end, jansson always writes one */
        if (*p == 'u')
            for (int i = 1; i <= 4 && p[i]; i++)
                if (p[i] >= 'A' && p[i] <= 'F')
                    p[i] = (char)(p[i] - 'A' + 'a');
    }
    return s;
}

json_t *na_json_parse_object(const char *buf, size_t len, const char *what, na_err *err)
{
    /* One pass that builds the same tree jansson's json_loadb would, with the
     * same strictness (fastjson.h); the depth is counted on the way. */
    na_err e;
    json_t *v = na_fastjson_parse_object(buf, len, NA_JSON_MAX_DEPTH, &e);
    if (v == NULL) {
        if (e.code == NA_E_TOO_BIG)
            na_err_set(err, NA_E_TOO_BIG, "%s: JSON nested deeper than %d levels", what,
                       NA_JSON_MAX_DEPTH);
        else
            na_err_set(err, e.code, "%s is not valid JSON (%s)", what, e.msg);
    }
    return v;
}
