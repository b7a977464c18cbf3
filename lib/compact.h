/* compact.h — what JWE (RFC 7516 §7.1) and JWS (RFC 7515 §7.1) compact
 * serializations share: splitting into '.'-separated segments, and decoding and
 * vetting the protected header. Segments are views into the caller's token. */
#ifndef NA_COMPACT_H
#define NA_COMPACT_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

/* A protected header decodes to at most this many bytes. Real ones are 29 bytes
 * (v4), 133 (v5 with a 86-character kid) and 36 (HS256 with typ). */
#define NA_HEADER_MAX 1024

typedef struct {
    const char *p;
    size_t n;
} na_seg;

/* Split tok (len bytes) into exactly want segments. Returns 0, or -1 with err
 * filled (NA_E_MALFORMED) when the number of segments differs. */
int na_compact_split(const char *tok, size_t len, na_seg *segs, size_t want, na_err *err);

/* Decode the base64url header segment into a strict JSON object and refuse what
 * this project never accepts (SPEC A1): a "zip" member (RFC 7516 §4.1.3; NextAuth
 * never compresses) and any "crit" member (RFC 7515 §4.1.11: we implement no
 * extension, so every listed name is unknown). Returns a new reference (caller
 * json_decrefs) or NULL with err filled. */
json_t *na_compact_header(na_seg seg, na_err *err);

/* The string value of member name in obj, or NULL when absent or not a string. */
const char *na_compact_str(const json_t *obj, const char *name);

#endif
