/* fuzz_cookie.c — the Cookie header, chunk joining and the Bearer fallback
 * (lib/cookie.c).
 *
 * The input is a whole Cookie header (and, the same bytes, an Authorization
 * header). Invariants:
 *   - results are in range: 1 with 0 < toklen <= cap, 0 with toklen 0, -1 with
 *     NA_E_TOO_BIG or NA_E_MALFORMED and a reason;
 *   - the names recorded in `seen` are distinct, -1 (plain) or a chunk 0..999, at
 *     most NA_SEEN_MAX; a header that never mentions the name finds nothing;
 *   - the output buffer is exact: a token of toklen bytes comes out the same in a
 *     buffer of exactly toklen bytes (heap-allocated, so ASan sees one byte too
 *     many), and a buffer one byte short is refused with NA_E_TOO_BIG;
 *   - na_cookie_uri_decode: output no longer than the input, valid UTF-8, and decoding
 *     the fully percent-encoded output gives it back. */
#include "cookie.h"

#include "fuzz.h"

static const char *const names[] = {"next-auth.session-token",
                                    "__Secure-next-auth.session-token"};

static char *big; /* NA_TOKEN_MAX bytes, allocated once */

static char *xmalloc(size_t n)
{
    char *p = malloc(n ? n : 1);
    if (p == NULL)
        fuzz_die("malloc", "out of memory");
    return p;
}

/* RFC 3629 well-formedness, written independently of the library's. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static void check_seen(const na_cookie_seen *seen)
{
    FUZZ_CHECK(seen->n <= NA_SEEN_MAX, "seen.n = %zu", seen->n);
    for (size_t i = 0; i < seen->n; i++) {
        FUZZ_CHECK(seen->names[i] >= -1 && seen->names[i] < 1000, "seen name %d",
                   seen->names[i]);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(seen->names[i] != seen->names[j], "name %d seen twice", seen->names[i]);
    }
}

static void session(const char *hdr, size_t len, const char *name)
{
    size_t toklen = 12345;
    na_cookie_seen seen;
    na_err err;
    na_err_clear(&err);
    int rc = na_cookie_session(hdr, len, name, big, NA_TOKEN_MAX, &toklen, &seen, &err);
    check_seen(&seen);
    if (rc == 1) {
        FUZZ_CHECK(toklen > 0 && toklen <= NA_TOKEN_MAX, "rc 1 with toklen %zu", toklen);
        FUZZ_CHECK(seen.n > 0, "a token but no session cookie name seen");
    } else if (rc == 0) {
        FUZZ_CHECK(toklen == 0, "rc 0 with toklen %zu", toklen);
    } else {
        FUZZ_CHECK(rc == -1, "rc %d", rc);
        FUZZ_CHECK((err.code == NA_E_TOO_BIG || err.code == NA_E_MALFORMED) && err.msg[0],
                   "rc -1 with code %d", (int)err.code);
    }
    if (len <= NA_COOKIE_HEADER_MAX && fuzz_memmem(hdr, len, name, strlen(name)) == NULL)
        FUZZ_CHECK(rc == 0 && seen.n == 0, "found a session in a header without its name");
    if (rc != 1)
        return;

    /* the same header into an exact buffer, then into one a byte short */
    char *exact = xmalloc(toklen);
    size_t t2 = 0;
    na_cookie_seen seen2;
    int rc2 = na_cookie_session(hdr, len, name, exact, toklen, &t2, &seen2, NULL);
    FUZZ_CHECK(rc2 == 1 && t2 == toklen && memcmp(exact, big, toklen) == 0,
               "exact buffer of %zu bytes: rc %d, toklen %zu", toklen, rc2, t2);
    FUZZ_CHECK(seen2.n == seen.n &&
                   memcmp(seen2.names, seen.names, seen.n * sizeof seen.names[0]) == 0,
               "seen differs between runs");
    free(exact);
    char *shorter = xmalloc(toklen - 1);
    na_err_clear(&err);
    rc2 = na_cookie_session(hdr, len, name, shorter, toklen - 1, &t2, NULL, &err);
    FUZZ_CHECK(rc2 == -1 && err.code == NA_E_TOO_BIG,
               "buffer of %zu bytes for a %zu-byte token: rc %d code %d", toklen - 1, toklen,
               rc2, (int)err.code);
    free(shorter);
}

static void bearer(const char *hdr, size_t len)
{
    size_t toklen = 12345;
    na_err err;
    na_err_clear(&err);
    int rc = na_cookie_bearer(hdr, len, big, NA_TOKEN_MAX, &toklen, &err);
    int scheme = len >= 7 && memcmp(hdr, "Bearer ", 7) == 0;
    if (!scheme)
        FUZZ_CHECK(rc == 0 && toklen == 0, "bearer without the scheme: rc %d", rc);
    if (rc == 1) {
        FUZZ_CHECK(toklen > 0 && toklen <= len - 7, "bearer toklen %zu of %zu", toklen, len);
        FUZZ_CHECK(memchr(big, ' ', toklen) == NULL || memchr(hdr + 7, '%', len - 7) != NULL,
                   "a space in a bearer token without escapes");
        char *exact = xmalloc(toklen);
        size_t t2 = 0;
        int rc2 = na_cookie_bearer(hdr, len, exact, toklen, &t2, NULL);
        FUZZ_CHECK(rc2 == 1 && t2 == toklen && memcmp(exact, big, toklen) == 0,
                   "bearer into an exact buffer: rc %d", rc2);
        free(exact);
        char *shorter = xmalloc(toklen - 1);
        rc2 = na_cookie_bearer(hdr, len, shorter, toklen - 1, &t2, NULL);
        FUZZ_CHECK(rc2 == -1, "bearer into a short buffer: rc %d", rc2);
        free(shorter);
    } else if (rc == 0) {
        FUZZ_CHECK(toklen == 0, "bearer rc 0 with toklen %zu", toklen);
    } else {
        FUZZ_CHECK(rc == -1 && (err.code == NA_E_MALFORMED || err.code == NA_E_TOO_BIG),
                   "bearer rc %d code %d", rc, (int)err.code);
    }
}

static void uri_decode(const char *in, size_t n)
{
    char *out = xmalloc(n);
    long d = na_cookie_uri_decode(in, n, out, n);
    if (d < 0) {
        free(out);
        return;
    }
    FUZZ_CHECK((size_t)d <= n, "decoded %ld bytes from %zu", d, n);
    FUZZ_CHECK(utf8_ok((const unsigned char *)out, (size_t)d), "decoded text is not UTF-8");
    if (memchr(in, '%', n) == NULL)
        FUZZ_CHECK((size_t)d == n && memcmp(out, in, n) == 0, "no escape, yet changed");
    /* encodeURIComponent-like (every byte escaped) and back */
    static const char hex[] = "0123456789abcdef";
    char *enc = xmalloc(3 * (size_t)d);
    for (long i = 0; i < d; i++) {
        unsigned char c = (unsigned char)out[i];
        enc[3 * i] = '%';
        enc[3 * i + 1] = hex[c >> 4];
        enc[3 * i + 2] = hex[c & 15];
    }
    char *back = xmalloc((size_t)d);
    long b = na_cookie_uri_decode(enc, 3 * (size_t)d, back, (size_t)d);
    FUZZ_CHECK(b == d && memcmp(back, out, (size_t)d) == 0, "re-decoding gave %ld of %ld", b,
               d);
    free(back);
    free(enc);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (big == NULL && (big = malloc(NA_TOKEN_MAX)) == NULL)
        fuzz_die("malloc", "out of memory");
    const char *hdr = (const char *)data;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        session(hdr, size, names[i]);
    bearer(hdr, size);
    uri_decode(hdr, size);
    return 0;
}
