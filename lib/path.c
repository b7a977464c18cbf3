/* path.c — request-path normalization (see path.h). */
#include "path.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

/* In the canonical form these three stay escaped (upper-case hex): decoded,
 * they would end a path ('?', '#') or start an escape ('%') where none was. */
static int kept_escaped(unsigned char d)
{
    return d == '%' || d == '#' || d == '?';
}

/* The escapes of p[0..n) decoded into out (at most n bytes: an escape stays 3
 * bytes or becomes 1). Returns the length, or -1 for what the canonical form
 * cannot hold: a raw control byte, '\', '#' or '?', a malformed escape, an escaped
 * NUL, control byte, '/' or '\', or bytes that are not UTF-8 once decoded. */
/* s[0..n) is well-formed UTF-8 (text.h). */
static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if ((k = na_text_utf8_seq(s + i, n - i)) == 0)
            return 0;
    return 1;
}

static long decode(const char *p, size_t n, char *out)
{
    size_t t = 0;
    int high = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '#' || c == '?')
            return -1;
        high |= c;
        if (c != '%') {
            out[t++] = (char)c;
            continue;
        }
        int h, l;
        if (i + 2 >= n || (h = na_text_hexval((unsigned char)p[i + 1])) < 0 ||
            (l = na_text_hexval((unsigned char)p[i + 2])) < 0)
            return -1;
        unsigned char d = (unsigned char)(h << 4 | l);
        /* %2F, %5C and %00 mean different paths to different servers. */
        if (d < 0x20 || d == 0x7f || d == '/' || d == '\\')
            return -1;
        high |= d;
        if (kept_escaped(d)) {
            out[t++] = '%';
            out[t++] = na_text_hexdigit(d >> 4);
            out[t++] = na_text_hexdigit(d);
        } else {
            out[t++] = (char)d;
        }
        i += 2;
    }
    if ((high & 0x80) && !utf8_ok((const unsigned char *)out, t))
        return -1;
    return (long)t;
}

long na_path_canon_text(const char *p, size_t n, char *out, size_t cap)
{
    if (n >= cap || n > NA_PATH_MAX)
        return -1;
    long t = decode(p, n, out);
    if (t >= 0)
        out[t] = '\0';
    return t;
}

const char *na_path_of_target(const char *target, size_t *len)
{
    const char *p = target;
    static const char scheme[] = "http";
    size_t k = 0;
    while (k < 4 && (p[k] | 0x20) == scheme[k])
        k++;
    if (k == 4) {
        if ((p[k] | 0x20) == 's')
            k++;
        if (p[k] != ':' || p[k + 1] != '/' || p[k + 2] != '/')
            return NULL; /* neither origin- nor absolute-form */
        p += k + 3;
        while (*p != '\0' && *p != '/' && *p != '?') {
            if (*p == '#')
                return NULL;
            p++;
        }
        if (*p != '/')
            return NULL;
    }
    size_t n = 0;
    while (p[n] != '\0' && p[n] != '?')
        n++;
    *len = n;
    return p;
}

long na_path_normalize(const char *p, size_t n, char *out)
{
    char tmp[NA_PATH_MAX + 1];

    if (n == 0 || n > NA_PATH_MAX || p[0] != '/')
        return -1;
    long dl = decode(p, n, tmp);
    if (dl < 0)
        return -1;
    size_t t = (size_t)dl;
    /* Pass 2: segments. o is the output length; every segment starts after a '/'. */
    size_t o = 0, i = 0;
    while (i < t) {
        /* here tmp[i] == '/': skip the run of slashes */
        while (i < t && tmp[i] == '/')
            i++;
        size_t s = i;
        while (i < t && tmp[i] != '/')
            i++;
        size_t len = i - s;
        int last = i >= t;
        if (len == 1 && tmp[s] == '.') {
            if (last)
                out[o++] = '/';
        } else if (len == 2 && tmp[s] == '.' && tmp[s + 1] == '.') {
            if (o == 0)
                return -1; /* above the root */
            while (o > 0 && out[o - 1] != '/')
                o--;
            o--; /* drop the '/' too */
            if (last)
                out[o++] = '/';
        } else if (len > 0) {
            out[o++] = '/';
            memcpy(out + o, tmp + s, len);
            o += len;
        } else if (last) {
            out[o++] = '/'; /* a trailing slash */
        }
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return (long)o;
}
