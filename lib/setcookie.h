/* setcookie.h — the Set-Cookie lines of a session, exactly as next-auth writes
 * them (B5.3, B6.2, B6.3):
 *   write:  <name>=<value>; Path=/; Expires=<IMF-fixdate>; HttpOnly[; Secure]; SameSite=Lax
 *   clear:  <name>=; Max-Age=0; Path=/; HttpOnly[; Secure]; SameSite=Lax
 * A token longer than one chunk is written as <name>.0, <name>.1, … of `chunk`
 * characters each (3933 for next-auth v4, 3936 for @auth/core). */
#ifndef NA_SETCOOKIE_H
#define NA_SETCOOKIE_H

#include <stddef.h>

#include "cookie.h"
#include "resp.h"

/* Append the Set-Cookie lines that store token tok (len bytes) under name and
 * clear every stale name of seen: names seen in the request first, in request
 * order (a name that is rewritten carries its new value there), then the new
 * names. expires is unix seconds. Returns 0, or -1 (r marked failed) when the
 * token would need more than NA_MAX_CHUNKS chunks — we never write what we
 * would refuse to read — or a header could not be added. */
int na_setcookie_session(na_resp *r, const char *name, const char *tok, size_t len,
                         size_t chunk, const na_cookie_seen *seen, long long expires,
                         int secure);

/* Append one clearing line (Max-Age=0) per name of seen. Returns 0 or -1. */
int na_setcookie_clear(na_resp *r, const char *name, const na_cookie_seen *seen, int secure);

#endif
