/* SPDX-License-Identifier: MIT */
/* path.c — path normalization, form-urlencoding, URL parts (see path.h). */
#include "path.h"

#include <stdio.h>
#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* In the canonical form these three stay escaped (upper-case hex): decoded,
 * they would end a path ('?', '#') or start an escape ('%') where none was. */
static int kept_escaped(unsigned char d)
{
    return d == '%' || d == '#' || d == '?';
}

/* s[0..n) is well-formed UTF-8 (RFC 3629): no overlong form, no surrogate,
 * nothing above U+10FFFF. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        else
            return 0;
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                return 0;
        i += len;
    }
    return 1;
}

/* The escapes of p[0..n) decoded into out (at most n bytes: an escape stays 3
 * bytes or becomes 1). Returns the length, or -1 for what the canonical form
 * cannot hold: a raw control byte, '\', '#' or '?', a malformed escape, an escaped
 * NUL, control byte, '/' or '\', or bytes that are not UTF-8 once decoded. */
static long decode(const char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
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
        if (i + 2 >= n || (h = hexval((unsigned char)p[i + 1])) < 0 ||
            (l = hexval((unsigned char)p[i + 2])) < 0)
            return -1;
        unsigned char d = (unsigned char)(h << 4 | l);
        /* %2F, %5C and %00 mean different paths to different servers. */
        if (d < 0x20 || d == 0x7f || d == '/' || d == '\\')
            return -1;
        high |= d;
        if (kept_escaped(d)) {
            out[t++] = '%';
            out[t++] = hex[d >> 4];
            out[t++] = hex[d & 15];
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

size_t na_form_urlencode(const char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '*' || c == '-' || c == '.' || c == '_') {
            out[o++] = (char)c;
        } else if (c == ' ') {
            out[o++] = '+';
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return o;
}

int na_url_parse(const char *url, na_url *out)
{
    out->origin[0] = '\0';
    snprintf(out->path, sizeof out->path, "/api/auth");
    if (url == NULL || *url == '\0')
        return 0;
    char buf[1024];
    /* parseUrl: no "http" in front means https (case-sensitive test). */
    if (snprintf(buf, sizeof buf, "%s%s", strncmp(url, "http", 4) == 0 ? "" : "https://",
                 url) >= (int)sizeof buf)
        return -1;
    for (const unsigned char *s = (const unsigned char *)buf; *s; s++)
        if (*s <= 0x20 || *s >= 0x7f)
            return -1;
    const char *rest;
    if (strncmp(buf, "https://", 8) == 0)
        rest = buf + 8;
    else if (strncmp(buf, "http://", 7) == 0)
        rest = buf + 7;
    else
        return -1;
    /* host: a DNS name or IPv4 address, or [IPv6]; then an optional :port. */
    size_t hl = strcspn(rest, "/?#");
    if (hl == 0 || hl >= 256)
        return -1;
    size_t i = 0;
    if (rest[0] == '[') {
        while (i < hl && rest[i] != ']')
            i++;
        if (i == hl)
            return -1;
        for (size_t j = 1; j < i; j++)
            if (!((rest[j] >= '0' && rest[j] <= '9') || (rest[j] >= 'a' && rest[j] <= 'f') ||
                  (rest[j] >= 'A' && rest[j] <= 'F') || rest[j] == ':' || rest[j] == '.'))
                return -1;
        i++;
    } else {
        while (i < hl && ((rest[i] >= 'A' && rest[i] <= 'Z') || (rest[i] >= 'a' && rest[i] <= 'z') ||
                          (rest[i] >= '0' && rest[i] <= '9') || rest[i] == '.' || rest[i] == '-'))
            i++;
        if (i == 0)
            return -1;
    }
    if (i < hl) {
        /* only ":<digits>" may follow ('@' userinfo, "ftp://…" and the like fail) */
        if (rest[i] != ':' || i + 1 == hl || hl - i > 6)
            return -1;
        for (size_t j = i + 1; j < hl; j++)
            if (rest[j] < '0' || rest[j] > '9')
                return -1;
    }
    snprintf(out->origin, sizeof out->origin, "%.*s", (int)(rest - buf + (long)hl), buf);
    const char *path = rest + hl;
    size_t pl = strcspn(path, "?#");
    /* parseUrl: one trailing '/' is removed; "/" or nothing becomes /api/auth. The
     * auth path must be normal already (it is compared with normalized paths). */
    if (pl > 0 && path[pl - 1] == '/')
        pl--;
    if (pl > 0) {
        char norm[NA_PATH_MAX + 1];
        if (pl >= sizeof out->path || na_path_normalize(path, pl, norm) != (long)pl ||
            memcmp(norm, path, pl) != 0 || strcmp(norm, "/") == 0)
            return -1;
        snprintf(out->path, sizeof out->path, "%.*s", (int)pl, path);
    }
    return 0;
}
