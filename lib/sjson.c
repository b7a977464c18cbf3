/* SPDX-License-Identifier: MIT */
/* sjson.c — strict JSON objects (see sjson.h). */
#include "sjson.h"

#include <stdlib.h>
#include <string.h>

#include "fastjson.h"

char *na_json_dumps_js(const json_t *v)
{
    return na_json_dumps_js_flags(v, JSON_COMPACT);
}

/* json_dump_callback into a buffer of our own: the text is plain malloc memory
 * whatever allocator jansson was given (memory.h), so callers free() it. */
struct dumpbuf {
    char *p;
    size_t n, cap;
};

static int dump_to(const char *buf, size_t size, void *data)
{
    struct dumpbuf *d = data;
    if (size >= d->cap - d->n) {
        size_t cap = d->cap;
        while (size >= cap - d->n) {
            if (cap > ((size_t)-1) / 2)
                return -1;
            cap *= 2;
        }
        char *p = realloc(d->p, cap);
        if (p == NULL)
            return -1;
        d->p = p;
        d->cap = cap;
    }
    memcpy(d->p + d->n, buf, size);
    d->n += size;
    return 0;
}

char *na_json_dumps_js_flags(const json_t *v, size_t flags)
{
    struct dumpbuf d = {malloc(512), 0, 512};
    if (d.p == NULL)
        return NULL;
    if (json_dump_callback(v, dump_to, &d, flags | JSON_ENCODE_ANY) != 0) {
        free(d.p);
        return NULL;
    }
    d.p[d.n] = '\0'; /* dump_to always leaves room for it */
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

size_t na_json_depth(const char *buf, size_t len, size_t max)
{
    size_t depth = 0, deepest = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\')
                i++; /* skip the escaped character (a quote or a backslash) */
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > max)
                    return max + 1;
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return deepest;
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
