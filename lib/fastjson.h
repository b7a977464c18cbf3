/* fastjson.h — a single-pass strict JSON object parser for token payloads.
 *
 * The same acceptance and the same tree as sjson.c's path (a depth limit, then
 * json_loadb(buf, len, JSON_REJECT_DUPLICATES) and "must be an object"), for a
 * tenth of the instructions: jansson reads its input one byte at a time through
 * a function pointer, copies every token into a side buffer and rescans it,
 * where this walks the caller's buffer once and only calls jansson's
 * constructors. RFC 8259 strictly: one object, nothing but space, tab, CR or LF
 * around it, valid UTF-8, no duplicate keys, no lone surrogate escapes, no NUL
 * (raw or \u0000), integers within long long, reals that do not overflow.
 *
 * One deliberate difference, on invalid input only: jansson 2.14 silently drops
 * a single NUL byte that directly follows a number or true/false/null
 * (`{"a":1<NUL>}` loads as {"a":1}); here every NUL byte is an error. */
#ifndef NA_FASTJSON_H
#define NA_FASTJSON_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

/* Parse len bytes of buf (not NUL-terminated; never read past buf + len) as one
 * strict JSON object nested at most max_depth levels (the object itself is level
 * 1, like na_json_depth). Returns a new reference the caller must json_decref, or
 * NULL with err filled: NA_E_MALFORMED (syntax, UTF-8, duplicate key, number out
 * of range), NA_E_TOO_BIG (nesting), NA_E_NOMEM. The message gives a byte offset,
 * never input text. */
json_t *na_fastjson_parse_object(const char *buf, size_t len, size_t max_depth, na_err *err);

#endif
