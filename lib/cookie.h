/* SPDX-License-Identifier: MIT */
/* cookie.h — the session token of a request, as getToken finds it
 * (docs/behaviour.md, Reading the session from a request): the Cookie header
 * parsed as next-auth's own parser (cookie 0.7.2) does, chunks joined, and the
 * Authorization: Bearer fallback.
 *
 * Caps (past any of them the request has no session and the caller logs why):
 *   NA_COOKIE_HEADER_MAX  64 KiB for the whole Cookie header: 16 chunks of at
 *                         most 4096 bytes (name + value, the browsers' per-cookie
 *                         limit) need 64 KiB; servers default to 8 KiB and must be
 *                         raised for chunked sessions anyway (INSTALL).
 *   NA_MAX_CHUNKS         16 chunks, `.0` to `.15`: next-auth writes 3933 characters
 *                         a chunk, so 16 carry a 62 928-character token; a real
 *                         session with a few OAuth tokens needs 1 to 3.
 *   NA_TOKEN_MAX          the joined token: 16 × 4096 = 65 536 bytes. */
#ifndef NA_COOKIE_H
#define NA_COOKIE_H

#include <stddef.h>

#include "err.h"

#define NA_COOKIE_HEADER_MAX 65536
#define NA_MAX_CHUNKS 16
#define NA_CHUNK_MAX 4096
#define NA_TOKEN_MAX (NA_MAX_CHUNKS * NA_CHUNK_MAX)
/* A session cookie name (configurable) is at most this long. */
#define NA_COOKIE_NAME_MAX 200

/* next-auth v4 writes chunks of 3933 characters, @auth/core of 3936. */
#define NA_CHUNK_SIZE_V4 3933
#define NA_CHUNK_SIZE_V5 3936

/* The session cookie names a request carried, in request order, so that a
 * response can clear or overwrite each of them (docs/behaviour.md, Writing
 * cookies) — including the ones past
 * a cap (a chunk .16, an oversized value), which make the session invalid but
 * must still be cleared. -1 is the plain name, n >= 0 the chunk `<name>.<n>`
 * (n < 1000; the first NA_SEEN_MAX names are kept). */
#define NA_SEEN_MAX 64
typedef struct {
    int names[NA_SEEN_MAX];
    size_t n;
} na_cookie_seen;

/* Find the session cookie `name` (and its chunks `name.0` … `name.15`) in the Cookie
 * header hdr (len bytes, need not be NUL-terminated) and join the chunk values in
 * numeric order into buf (cap bytes). Names are matched exactly after trimming; the
 * first occurrence of a name wins; values are unquoted and percent-decoded as
 * decodeURIComponent (left raw when that would fail); gaps in the numbering are
 * not an error (the token's tag authenticates the result). A plain cookie and
 * chunks both with values is refused (next-auth would concatenate them into an
 * invalid token). seen (may be NULL) receives the names found.
 * Returns 1 with *toklen set, 0 when no session cookie has a value, or -1 with
 * err filled (NA_E_TOO_BIG, NA_E_MALFORMED). */
int na_cookie_session(const char *hdr, size_t len, const char *name, char *buf, size_t cap,
                      size_t *toklen, na_cookie_seen *seen, na_err *err);

/* The same for a database session's opaque token (docs/behaviour.md, Database
 * sessions): when the plain name is present its value alone is the token (stale
 * chunks beside it are ignored), else the chunks are joined in numeric order;
 * a token that does not fit in cap bytes fails with NA_E_TOO_BIG. The same
 * caps, parsing and seen otherwise. */
int na_cookie_session_opaque(const char *hdr, size_t len, const char *name, char *buf,
                             size_t cap, size_t *toklen, na_cookie_seen *seen, na_err *err);

/* The token of an `Authorization: Bearer <token>` header (len bytes): the scheme is
 * case-sensitive and followed by exactly one space; the token runs to the next
 * space and is percent-decoded into buf (cap bytes). Returns 1 with *toklen set, 0
 * when the header carries no bearer token, -1 with err filled when the token is
 * malformed (bad percent escape) or too long. */
int na_cookie_bearer(const char *authz, size_t len, char *buf, size_t cap, size_t *toklen,
                     na_err *err);

/* decodeURIComponent: percent-decode in (n bytes) into out (cap bytes). Fails (-1)
 * on a '%' not followed by two hex digits, on decoded bytes that are not valid
 * UTF-8, or when out is too small; else returns the decoded length. */
long na_cookie_uri_decode(const char *in, size_t n, char *out, size_t cap);

#endif
