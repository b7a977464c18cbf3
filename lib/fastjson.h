/* fastjson.h — a single-pass strict JSON object parser for token payloads.
 *
 * The same acceptance and the same tree as json.c's path (a depth limit, then
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
 * 1). Returns a new reference the caller must json_decref, or
 * NULL with err filled: NA_E_MALFORMED (syntax, UTF-8, duplicate key, number out
 * of range), NA_E_TOO_BIG (nesting), NA_E_NOMEM. The message gives a byte offset,
 * never input text. */
json_t *na_fastjson_parse_object(const char *buf, size_t len, size_t max_depth, na_err *err);

/* A view of an object's top-level members, read in place: for a caller that
 * only wants a few top-level strings and integers (the guard's claims) and no
 * tree. Every pointer is into the parsed buffer, which must outlive the view. */
#define NA_JVIEW_MAX 32

typedef enum {
    NA_JV_NULL,
    NA_JV_FALSE,
    NA_JV_TRUE,
    NA_JV_INT,
    NA_JV_STRING,
    NA_JV_OBJECT,
    NA_JV_ARRAY
} na_jv_type;

typedef struct {
    const char *key;  /* the key's bytes (a viewed key never has escapes) */
    size_t klen;
    na_jv_type type;
    const char *s;    /* NA_JV_STRING: the text between the quotes, as written */
    size_t slen;
    int escaped;      /* NA_JV_STRING: s holds escapes (na_fastjson_string decodes) */
    json_int_t i;     /* NA_JV_INT */
} na_jv_member;

typedef struct {
    na_jv_member m[NA_JVIEW_MAX];
    size_t n;
} na_jview;

/* View len bytes of buf as na_fastjson_parse_object would parse them. Returns 0
 * when the text is an object that na_fastjson_parse_object accepts, with
 * view->n members in their order. Returns -1 (view->n 0) when the text is
 * refused OR when the view declines a valid text it cannot represent exactly:
 * an escaped key anywhere, a real number anywhere, an escaped string longer
 * than 256 bytes, more than NA_JVIEW_MAX members in one object. So -1 is never a
 * verdict: the caller then parses with na_fastjson_parse_object, which decides
 * and says why. Allocates nothing. */
int na_fastjson_view_object(const char *buf, size_t len, size_t max_depth, na_jview *view);

/* The member named key, or NULL. */
const na_jv_member *na_fastjson_get(const na_jview *view, const char *key);

/* Write a NA_JV_STRING member's value, decoded, into out (room for m->slen
 * bytes: decoding never lengthens) and return its length; no terminator. */
size_t na_fastjson_string(const na_jv_member *m, char *out);

#endif
