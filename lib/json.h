/* json.h — strict JSON for untrusted token parts (SPEC A1).
 *
 * Token headers and payloads must be one JSON object, in valid UTF-8, with no
 * duplicate keys, no lone surrogate escapes, no NUL in strings, nothing after the
 * closing brace, and no more than NA_JSON_MAX_DEPTH levels of nesting. The
 * parser is fastjson.c: jansson's tree, built in one pass. */
#ifndef NA_SJSON_H
#define NA_SJSON_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

/* Real NextAuth claims nest a few levels (user objects, arrays of roles); 32 is
 * far above that and keeps jansson's recursion shallow. */
#define NA_JSON_MAX_DEPTH 32

/* Parse len bytes of buf as a strict JSON object. Returns a new reference the
 * caller must json_decref, or NULL with err filled (NA_E_MALFORMED, NA_E_TOO_BIG
 * for depth, NA_E_NOMEM). what names the part in the error ("payload", "header"). */
json_t *na_json_parse_object(const char *buf, size_t len, const char *what, na_err *err);

/* json_dumps(v, JSON_COMPACT) with JavaScript's escapes: JSON.stringify writes
 * \u001f where jansson writes \u001F, so hex digits of \u escapes are lowered.
 * Returns a string the caller frees with free(), or NULL when out of memory. */
char *na_json_dumps_js(const json_t *v);

/* The same with jansson's dump flags (e.g. JSON_INDENT(2) for the layout of
 * JSON.stringify(v, null, 2)); JSON_ENCODE_ANY is added. */
char *na_json_dumps_js_flags(const json_t *v, size_t flags);

#endif
