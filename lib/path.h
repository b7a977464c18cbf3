/* path.h — request paths and URLs for the guard (SPEC A4, B7.1, B11.1):
 * normalization before any rule is matched, the form-urlencoding of callbackUrl,
 * and the parts of the configured NEXTAUTH_URL.
 *
 * Normalization decodes only percent-escapes of unreserved bytes (RFC 3986 §2.3:
 * ALPHA DIGIT - . _ ~, so %2e%2e becomes ..), upper-cases the hex of the others,
 * collapses runs of '/', and resolves '.' and '..' segments (RFC 3986 §5.2.4).
 * It fails — and the guard then guards — on anything a server might read
 * differently than we do: a malformed escape, an encoded '/' or '\' or NUL, a raw
 * '\' or control byte, '..' above the root, a path not starting with '/', or a
 * path longer than NA_PATH_MAX. */
#ifndef NA_PATH_H
#define NA_PATH_H

#include <stddef.h>

/* Request paths longer than this are not normalized (the guard guards them).
 * Servers cap the request line well below it (lighttpd and Apache: 8 KiB). */
#define NA_PATH_MAX 8192

/* Normalize the path p (n bytes, the part of REQUEST_URI before '?') into out
 * (NA_PATH_MAX + 1 bytes, NUL-terminated). Returns the length, or -1 when the
 * path cannot be normalized safely. */
long na_path_normalize(const char *p, size_t n, char *out);

/* application/x-www-form-urlencoded, as URLSearchParams writes it (B11.1): A-Z
 * a-z 0-9 * - . _ stay, space becomes '+', every other byte %XX (upper case).
 * out needs 3 × n + 1 bytes; NUL-terminated. Returns the length written. */
size_t na_form_urlencode(const char *in, size_t n, char *out);

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
