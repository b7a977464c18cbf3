/* fuzz_matcher.c — Next.js matcher patterns and request paths (lib/matcher.c,
 * lib/path.c, lib/url.c).
 *
 * The input is split at its first NUL or newline into a pattern and a path:
 * na_matcher_compile(pattern), then na_matcher_match against the raw path and
 * against its normalized form (and through a na_patterns list): 1, 0 or -1 (the
 * work budget ran out), the same answer twice, a literal pattern matches itself
 * (also with a trailing '/' and as .json). The whole input
 * also goes through:
 *   na_path_normalize — a result starts with '/', has no "//", no "." or ".."
 *     segment, no '\', '#', '?' or control byte, no escape but %25, %23 and %3F
 *     (upper case), and is UTF-8; normalizing it again changes nothing; a path
 *     that is already normal comes back unchanged;
 *   na_url_form_encode — only A-Z a-z 0-9 * - . _ + and %XX, and decoding gives
 *     the input back;
 *   na_url_parse (up to the first NUL) — an accepted URL has an http(s) origin
 *     without userinfo, path or control byte, and an auth path starting with '/'. */
#include "matcher.h"
#include "path.h"
#include "url.h"

#include "../unit/utf8_oracle.h"
#include "fuzz.h"

static void check_normal(const char *out, long n, const char *what)
{
    FUZZ_CHECK(n >= 1 && n <= NA_PATH_MAX && strlen(out) == (size_t)n,
               "%s: length %ld, strlen %zu", what, n, strlen(out));
    FUZZ_CHECK(out[0] == '/', "%s: does not start with '/'", what);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7f && c != '\\' && c != '#' && c != '?',
                   "%s: byte 0x%02x at %ld", what, c, i);
        if (c == '/') {
            FUZZ_CHECK(out[i + 1] != '/', "%s: \"//\" at %ld", what, i);
            const char *seg = out + i + 1;
            size_t sl = strcspn(seg, "/");
            FUZZ_CHECK(!(sl == 1 && seg[0] == '.') && !(sl == 2 && seg[0] == '.' && seg[1] == '.'),
                       "%s: a dot segment at %ld", what, i);
        }
        if (c == '%') {
            FUZZ_CHECK(i + 2 < n, "%s: '%%' at the end", what);
            int h = fuzz_hexval(out[i + 1]), l = fuzz_hexval(out[i + 2]);
            FUZZ_CHECK(h >= 0 && l >= 0, "%s: bad escape at %ld", what, i);
            FUZZ_CHECK(!(out[i + 1] >= 'a' && out[i + 1] <= 'f') &&
                           !(out[i + 2] >= 'a' && out[i + 2] <= 'f'),
                       "%s: lower-case escape at %ld", what, i);
            int d = h << 4 | l;
            FUZZ_CHECK(d == '%' || d == '#' || d == '?', "%s: %%%02X survived", what, d);
        }
    }
    FUZZ_CHECK(oracle_utf8((const unsigned char *)out, (size_t)n), "%s: not UTF-8", what);
}

/* Already normal: '/' first, no "//", no dot segment, printable ASCII but '%',
 * '\', '#' and '?'. */
static int is_normal(const char *p, size_t n)
{
    if (n == 0 || n > NA_PATH_MAX || p[0] != '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c >= 0x7f || c == '\\' || c == '%' || c == '#' || c == '?')
            return 0;
        if (c == '/') {
            size_t sl = 0;
            while (i + 1 + sl < n && p[i + 1 + sl] != '/')
                sl++;
            if (i + 1 < n && p[i + 1] == '/')
                return 0;
            if ((sl == 1 && p[i + 1] == '.') || (sl == 2 && p[i + 1] == '.' && p[i + 2] == '.'))
                return 0;
        }
    }
    return 1;
}

static void normalize(const char *p, size_t n)
{
    char *out = malloc(NA_PATH_MAX + 1), *again = malloc(NA_PATH_MAX + 1);
    if (out == NULL || again == NULL)
        fuzz_die("malloc", "out of memory");
    long r = na_path_normalize(p, n, out);
    if (r >= 0) {
        check_normal(out, r, "normalized");
        long r2 = na_path_normalize(out, (size_t)r, again);
        FUZZ_CHECK(r2 == r && memcmp(again, out, (size_t)r + 1) == 0,
                   "normalizing twice changed \"%s\" (%ld → %ld)", out, r, r2);
    } else {
        FUZZ_CHECK(r == -1, "normalize returned %ld", r);
    }
    if (is_normal(p, n))
        FUZZ_CHECK(r == (long)n && memcmp(out, p, n) == 0,
                   "an already normal path of %zu bytes was changed (rc %ld)", n, r);
    free(out);
    free(again);
}

static void form(const char *p, size_t n)
{
    char *out = malloc(3 * n + 1), *back = malloc(n + 1);
    if (out == NULL || back == NULL)
        fuzz_die("malloc", "out of memory");
    size_t m = na_url_form_encode(p, n, out);
    FUZZ_CHECK(m <= 3 * n && strlen(out) == m, "form length %zu of %zu", m, n);
    size_t o = 0;
    for (size_t i = 0; i < m; i++) {
        char c = out[i];
        if (c == '%') {
            FUZZ_CHECK(i + 2 < m, "form: '%%' at the end");
            int h = fuzz_hexval(out[i + 1]), l = fuzz_hexval(out[i + 2]);
            FUZZ_CHECK(h >= 0 && l >= 0 && out[i + 1] < 'a' && out[i + 2] < 'a',
                       "form: bad or lower-case escape at %zu", i);
            back[o++] = (char)(h << 4 | l);
            i += 2;
        } else {
            FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '*' || c == '-' || c == '.' ||
                           c == '_' || c == '+',
                       "form: raw byte 0x%02x", (unsigned char)c);
            back[o++] = c == '+' ? ' ' : c;
        }
    }
    FUZZ_CHECK(o == n && memcmp(back, p, n) == 0, "form-decoding does not give the input");
    free(out);
    free(back);
}

static void url(const char *s)
{
    na_url u;
    if (na_url_parse(s, &u) < 0)
        return;
    FUZZ_CHECK(u.path[0] == '/', "auth path \"%s\"", u.path);
    if (*s == '\0') {
        FUZZ_CHECK(u.origin[0] == '\0', "origin without a url");
        return;
    }
    const char *host = strncmp(u.origin, "https://", 8) == 0  ? u.origin + 8
                       : strncmp(u.origin, "http://", 7) == 0 ? u.origin + 7
                                                              : NULL;
    FUZZ_CHECK(host != NULL && *host, "origin \"%s\"", u.origin);
    for (const char *c = host; *c; c++)
        FUZZ_CHECK(*c != '@' && *c != '/' && *c != '\\' && *c != '?' && *c != '#' &&
                       (unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f,
                   "origin \"%s\" has '%c'", u.origin, *c);
    for (const char *c = u.path; *c; c++)
        FUZZ_CHECK((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f,
                   "auth path has byte 0x%02x", (unsigned char)*c);
}

/* Syntax, or text whose canonical form differs from it (an escape, a '#',
 * non-ASCII): such a pattern need not match its own text. */
static int has_special(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c >= 0x80)
            return 1;
    return strpbrk(s, "():*+?{}[]\\|^$%#") != NULL;
}

static void pattern(const char *pat, const char *path, size_t pathlen)
{
    na_err err;
    na_pattern *p = na_matcher_compile(pat, &err);
    if (p == NULL) {
        FUZZ_CHECK(err.code == NA_E_CONFIG || err.code == NA_E_NOMEM, "compile code %d",
                   (int)err.code);
        return;
    }
    FUZZ_CHECK(pat[0] == '/', "compiled a pattern not starting with '/'");
    int m1 = na_matcher_match(p, path);
    FUZZ_CHECK(m1 >= -1 && m1 <= 1, "match returned %d", m1);
    FUZZ_CHECK(na_matcher_match(p, path) == m1, "match is not deterministic");
    char *norm = malloc(NA_PATH_MAX + 1);
    if (norm == NULL)
        fuzz_die("malloc", "out of memory");
    if (na_path_normalize(path, pathlen, norm) >= 0)
        (void)na_matcher_match(p, norm);
    free(norm);
    /* a literal pattern matches itself, with a trailing '/', and as .json */
    if (!has_special(pat)) {
        size_t n = strlen(pat);
        char *s = malloc(n + 6);
        if (s == NULL)
            fuzz_die("malloc", "out of memory");
        memcpy(s, pat, n + 1);
        FUZZ_CHECK(na_matcher_match(p, s) == 1, "literal pattern does not match itself");
        memcpy(s + n, "/", 2);
        FUZZ_CHECK(na_matcher_match(p, s) == 1, "literal pattern does not match itself + '/'");
        memcpy(s + n, ".json", 6);
        FUZZ_CHECK(na_matcher_match(p, s) == 1, "literal pattern does not match itself.json");
        free(s);
    }
    na_patterns l = {0};
    if (na_matcher_list_add(&l, p) == 0) {
        long first = na_matcher_list_first(&l, path);
        FUZZ_CHECK(first == (m1 == 1 ? 0 : m1 == 0 ? -1 : NA_MATCH_UNKNOWN),
                   "patterns_first %ld, match %d", first, m1);
        na_matcher_list_free(&l);
        FUZZ_CHECK(l.n == 0 && l.items == NULL, "list not emptied");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    size_t cut = 0;
    while (cut < size && d[cut] != '\0' && d[cut] != '\n')
        cut++;
    char *pat = fuzz_strndup(data, cut);
    size_t pathlen = cut < size ? size - cut - 1 : 0;
    char *path = fuzz_strndup(data + (cut < size ? cut + 1 : size), pathlen);
    pattern(pat, path, strlen(path));
    free(pat);
    free(path);

    /* exact-size copy: the path is read with a length, no terminator */
    char *whole = malloc(size ? size : 1);
    if (whole == NULL)
        fuzz_die("malloc", "out of memory");
    if (size)
        memcpy(whole, data, size);
    normalize(whole, size);
    form(whole, size);
    free(whole);
    char *s = fuzz_strndup(data, size);
    url(s);
    free(s);
    return 0;
}
