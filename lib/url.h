/* url.h — the configured NEXTAUTH_URL and the URLs the guard writes (SPEC B7.1,
 * B11.1): the origin and auth path of NEXTAUTH_URL, and the form-urlencoding of
 * callbackUrl. */
#ifndef NA_URL_H
#define NA_URL_H

#include <stddef.h>

/* application/x-www-form-urlencoded, as URLSearchParams writes it (B11.1): A-Z
 * a-z 0-9 * - . _ stay, space becomes '+', every other byte %XX (upper case).
 * out needs 3 × n + 1 bytes; NUL-terminated. Returns the length written. */
size_t na_url_form_encode(const char *in, size_t n, char *out);

/* The parts of a NEXTAUTH_URL, as next-auth's parseUrl (B7.1) reads it. */
typedef struct {
    char origin[512]; /* "https://example.com[:port]", "" when no URL is configured */
    char path[512];   /* the auth path: URL path without trailing '/', "/api/auth" for "/" */
} na_url;

/* Parse url (NULL: none configured → empty origin, path "/api/auth"). A URL
 * without "http" in front gets "https://" (as parseUrl does). Only http and
 * https, a host of letters, digits, '.', '-', ':' and '[' ']', no userinfo, no
 * control bytes. Returns 0, or -1 when url is unusable (it then must be fixed:
 * every Location is built from it). */
int na_url_parse(const char *url, na_url *out);

#endif
