/* path.h — request paths for the guard (SPEC A4, B11.1): normalization before
 * any rule is matched.
 *
 * The guard compares configured paths with request paths in one canonical form,
 * the bytes a server's file and location lookup sees: every percent-escape
 * decoded (RFC 3986 §2.1), except %25, %23 and %3F, which stay escaped with
 * upper-case hex so that a decoded path never gains a '%', '#' or '?' it did
 * not have; runs of '/' collapsed; '.' and '..' segments resolved (§5.2.4).
 * Raw non-ASCII bytes and decoded ones are the same bytes, so "/café",
 * "/caf%C3%A9" and "/caf%c3%a9" are one path, and so are "/@a" and "/%40a".
 * Normalization fails — and the guard then guards the request under every
 * rule — on anything a server might read differently than we do: a raw '#'
 * (lighttpd and nginx route on the part before it, yet pass the whole target
 * on) or '?' (the caller cuts the query off first), a malformed escape, an escaped '/', '\', NUL or control byte, a raw
 * '\' or control byte, bytes that are not UTF-8 once decoded (overlong forms
 * included), '..' above the root, a path not starting with '/', or a path
 * longer than NA_PATH_MAX. Letter case is kept: the servers' lookups are
 * case-sensitive. */
#ifndef NA_PATH_H
#define NA_PATH_H

#include <stddef.h>

/* Request paths longer than this are not normalized (the guard guards them).
 * Servers cap the request line well below it (lighttpd and Apache: 8 KiB). */
#define NA_PATH_MAX 8192

/* The path of a request target (REQUEST_URI): origin-form ("/p?q") as it is;
 * absolute-form ("http://host/p?q", scheme in any case, as Apache passes it on)
 * from the '/' after the authority. *len gets the path's length (up to '?' or
 * the end). Returns a pointer into target, or NULL when target is absolute-form
 * with no path or a '#' in the authority, or starts with "http" and is neither
 * form (the guard then cannot tell which path the server serves). */
const char *na_path_of_target(const char *target, size_t *len);

/* Normalize the path p (n bytes, the part of REQUEST_URI before '?') into out
 * (NA_PATH_MAX + 1 bytes, NUL-terminated). Returns the length, or -1 when the
 * path cannot be normalized safely. */
long na_path_normalize(const char *p, size_t n, char *out);

/* The canonical form of n bytes of configured path text that is not a whole
 * path (a matcher's literal piece): escapes decoded as na_path_normalize does,
 * no segment rules. Refuses (-1) what normalization refuses. out
 * has cap bytes; the result is NUL-terminated. Returns the length or -1. */
long na_path_canon_text(const char *p, size_t n, char *out, size_t cap);

#endif
