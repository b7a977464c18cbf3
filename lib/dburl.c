/* SPDX-License-Identifier: MIT */
/* dburl.c — database.url without its passwords (see dburl.h). The parsing
 * follows libpq's own (src/interfaces/libpq/fe-connect.c: conninfo_parse,
 * conninfo_uri_parse_options), so that what libpq would take as a password is
 * what is left out. */
#include "dburl.h"

#include <string.h>

#include "text.h"

#define HIDDEN "***"

typedef struct {
    char *p;
    size_t cap, n;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && o->n + 1 < o->cap; i++)
        o->p[o->n++] = s[i];
    o->p[o->n] = '\0';
}

/* 1 when the parameter name k (n bytes, percent-decoded as libpq decodes URI
 * parameters) names a password: "password", "sslpassword", or any other
 * holding the word (kept out too, should libpq grow one). */
static int secret_name(const char *k, size_t n)
{
    char name[64];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (c == '%' && i + 2 < n && na_text_hexval((unsigned char)k[i + 1]) >= 0 &&
            na_text_hexval((unsigned char)k[i + 2]) >= 0) {
            c = (char)(na_text_hexval((unsigned char)k[i + 1]) * 16 +
                       na_text_hexval((unsigned char)k[i + 2]));
            i += 2;
        }
        if (m + 1 >= sizeof name)
            return 1; /* a name this long is no keyword: keep its value out */
        name[m++] = c;
    }
    name[m] = '\0';
    return strstr(name, "password") != NULL;
}

/* The query of a URI (after '?'): name=value pairs joined by '&'. */
static void uri_query(out_buf *o, const char *q)
{
    while (*q != '\0') {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        if (eq != NULL && secret_name(q, (size_t)(eq - q))) {
            put(o, q, (size_t)(eq - q) + 1);
            put(o, HIDDEN, strlen(HIDDEN));
        } else {
            put(o, q, len);
        }
        q += len;
        if (*q == '&')
            put(o, q++, 1);
    }
}

/* A URI: libpq takes the user info from what runs to the first '@' before any
 * '/', and "user:password" in it. Kept out here is everything from the user
 * name's end to the last '@' before the query, so that a password holding an
 * unencoded '@', '/' or ':' is hidden whole too. */
static void uri(out_buf *o, const char *url, size_t prefix)
{
    const char *rest = url + prefix, *at = NULL;
    size_t head = strcspn(rest, "?");
    put(o, url, prefix);
    for (size_t i = 0; i < head; i++)
        if (rest[i] == '@')
            at = rest + i;
    if (at != NULL) {
        size_t ulen = strcspn(rest, ":@/");
        put(o, rest, ulen);
        if (rest + ulen != at)
            put(o, ":" HIDDEN, strlen(":" HIDDEN));
        rest = at;
        head = strcspn(rest, "?");
    }
    put(o, rest, head);
    if (rest[head] == '?') {
        put(o, "?", 1);
        uri_query(o, rest + head + 1);
    }
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* keyword = value pairs; a value is a word (backslash escapes) or '…' (with
 * backslash escapes). */
static int conninfo(out_buf *o, const char *s)
{
    while (*s != '\0') {
        const char *w = s;
        while (is_space(*s))
            s++;
        if (*s == '\0') {
            put(o, w, (size_t)(s - w));
            break;
        }
        const char *k = s;
        while (*s != '\0' && *s != '=' && !is_space(*s))
            s++;
        size_t klen = (size_t)(s - k);
        while (is_space(*s))
            s++;
        if (*s != '=' || klen == 0)
            return -1;
        s++;
        while (is_space(*s))
            s++;
        const char *v = s;
        if (*s == '\'') {
            for (s++; *s != '\'' && *s != '\0'; s++)
                if (*s == '\\' && s[1] != '\0')
                    s++;
            if (*s != '\'')
                return -1;
            s++;
        } else {
            for (; *s != '\0' && !is_space(*s); s++)
                if (*s == '\\' && s[1] != '\0')
                    s++;
        }
        put(o, w, (size_t)(v - w));
        if (secret_name(k, klen))
            put(o, HIDDEN, strlen(HIDDEN));
        else
            put(o, v, (size_t)(s - v));
    }
    return 0;
}

int na_dburl_shown(const char *url, char *out, size_t cap)
{
    out_buf o = {out, cap, 0};
    if (cap == 0)
        return -1;
    out[0] = '\0';
    if (strncmp(url, "sqlite:", 7) == 0) {
        put(&o, url, strlen(url));
        return 0;
    }
    if (strncmp(url, "postgresql://", 13) == 0) {
        uri(&o, url, 13);
        return 0;
    }
    if (strncmp(url, "postgres://", 11) == 0) {
        uri(&o, url, 11);
        return 0;
    }
    if (conninfo(&o, url) < 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}
