/* SPDX-License-Identifier: MIT */
/* cookie.c — Cookie header, chunks and Bearer (see cookie.h). */
#include "cookie.h"

#include <string.h>

#include "text.h"

long na_cookie_uri_decode(const char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o == cap)
            return -1;
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            int h, l;
            if (i + 2 >= n || (h = na_text_hexval((unsigned char)in[i + 1])) < 0 ||
                (l = na_text_hexval((unsigned char)in[i + 2])) < 0)
                return -1;
            out[o++] = (char)(h << 4 | l);
            i += 2;
        } else {
            out[o++] = (char)c;
        }
    }
    for (size_t i = 0; i < o;) {
        size_t k = na_text_utf8_seq((const unsigned char *)out + i, o - i);
        if (k == 0)
            return -1;
        i += k;
    }
    return (long)o;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* Trim spaces and tabs from both ends of [*p, *p + *n). */
static void trim(const char **p, size_t *n)
{
    while (*n > 0 && is_ws(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && is_ws((*p)[*n - 1]))
        (*n)--;
}

/* The chunk number of cookie name nm (nl bytes) for session name base (bl bytes):
 * -1 for the plain name, n >= 0 for `base.<n>` (decimal, no leading zero),
 * CHUNK_HUGE when n has more than 3 digits, -2 for an unrelated name
 * (`base-legacy`, `base.x`, `base.01`). */
#define CHUNK_HUGE 100000
static int chunk_index(const char *nm, size_t nl, const char *base, size_t bl)
{
    if (nl < bl || memcmp(nm, base, bl) != 0)
        return -2;
    if (nl == bl)
        return -1;
    if (nm[bl] != '.' || nl == bl + 1)
        return -2;
    const char *d = nm + bl + 1;
    size_t dl = nl - bl - 1;
    if (dl > 1 && d[0] == '0')
        return -2;
    int v = 0;
    for (size_t i = 0; i < dl; i++) {
        if (d[i] < '0' || d[i] > '9')
            return -2;
        if (v < CHUNK_HUGE)
            v = v * 10 + (d[i] - '0');
    }
    return dl > 3 ? CHUNK_HUGE : v;
}

/* Record idx in seen unless it is there already; 1 when it is new. */
static int see(na_cookie_seen *seen, int idx)
{
    for (size_t i = 0; i < seen->n; i++)
        if (seen->names[i] == idx)
            return 0;
    if (seen->n < NA_SEEN_MAX)
        seen->names[seen->n++] = idx;
    return 1;
}

typedef struct {
    const char *p;
    size_t n;
    int present;
} slot;

/* cookie 0.7.2: a value starting and ending with '"' loses both quotes (a lone
 * '"' is both ends, and leaves nothing). */
static void unquote(const char **v, size_t *n)
{
    if (*n >= 2 && (*v)[0] == '"' && (*v)[*n - 1] == '"') {
        (*v)++;
        *n -= 2;
    } else if (*n == 1 && (*v)[0] == '"') {
        *n = 0;
    }
}

/* Append the (unquoted) value v (n bytes) to buf at *at, percent-decoded as the
 * cookie package does (a value that fails to decode is kept raw). */
static int append_value(const char *v, size_t n, char *buf, size_t cap, size_t *at)
{
    if (memchr(v, '%', n) != NULL) {
        long d = na_cookie_uri_decode(v, n, buf + *at, cap - *at);
        if (d >= 0) {
            *at += (size_t)d;
            return 0;
        }
        /* decoding failed: fall through and keep the raw value, if it fits */
    }
    if (n > cap - *at)
        return -1;
    memcpy(buf + *at, v, n);
    *at += n;
    return 0;
}

/* The session cookies of the header: the plain name's value into *plain,
 * chunk n's into chunks[n] (the first occurrence of each name), every name
 * seen into seen. *any_chunk: a chunk has a value. Returns 0, or -1 with err
 * filled when a cap is broken (the scan still records every name). */
static int scan(const char *hdr, size_t len, const char *name, slot *plain, slot *chunks,
                int *any_chunk, na_cookie_seen *seen, na_err *err)
{
    size_t bl = strlen(name);
    int bad = 0;

    memset(plain, 0, sizeof *plain);
    memset(chunks, 0, NA_MAX_CHUNKS * sizeof *chunks);
    *any_chunk = 0;
    seen->n = 0;
    if (len > NA_COOKIE_HEADER_MAX)
        return na_err_set(err, NA_E_TOO_BIG, "Cookie header longer than %d bytes",
                          NA_COOKIE_HEADER_MAX);

    /* cookie 0.7.2: pairs are separated by ';'; a pair without '=' is skipped.
     * A cap broken by one session cookie makes the session invalid, but the scan
     * goes on so that every session cookie name is recorded (and can be cleared). */
    size_t i = 0;
    while (i < len) {
        const char *semi = memchr(hdr + i, ';', len - i);
        size_t end = semi ? (size_t)(semi - hdr) : len;
        const char *eq = memchr(hdr + i, '=', end - i);
        if (eq != NULL) {
            const char *nm = hdr + i, *v = eq + 1;
            size_t nl = (size_t)(eq - nm), vl = end - (size_t)(v - hdr);
            trim(&nm, &nl);
            trim(&v, &vl);
            unquote(&v, &vl);
            int idx = chunk_index(nm, nl, name, bl);
            if (idx == CHUNK_HUGE && !bad++)
                na_err_set(err, NA_E_TOO_BIG, "session cookie has more than %d chunks",
                           NA_MAX_CHUNKS);
            /* the first occurrence of a name wins */
            if (idx >= -1 && idx != CHUNK_HUGE && see(seen, idx)) {
                if (idx >= NA_MAX_CHUNKS) {
                    if (!bad++)
                        na_err_set(err, NA_E_TOO_BIG,
                                   "session cookie has more than %d chunks", NA_MAX_CHUNKS);
                } else if (vl > NA_CHUNK_MAX) {
                    if (!bad++)
                        na_err_set(err, NA_E_TOO_BIG,
                                   "session cookie value longer than %d bytes", NA_CHUNK_MAX);
                } else {
                    slot *s = idx == -1 ? plain : &chunks[idx];
                    s->p = v;
                    s->n = vl;
                    s->present = 1;
                    if (idx >= 0 && vl > 0)
                        *any_chunk = 1;
                }
            }
        }
        i = end + 1;
    }
    return bad ? -1 : 0;
}

int na_cookie_session(const char *hdr, size_t len, const char *name, char *buf, size_t cap,
                      size_t *toklen, na_cookie_seen *seen, na_err *err)
{
    slot plain, chunks[NA_MAX_CHUNKS];
    int any_chunk;
    na_cookie_seen local;

    *toklen = 0;
    if (scan(hdr, len, name, &plain, chunks, &any_chunk, seen ? seen : &local, err) < 0)
        return -1;
    if (plain.present && plain.n > 0 && any_chunk)
        return na_err_set(err, NA_E_MALFORMED,
                          "session cookie sent both whole and in chunks (stale cookie)");
    size_t at = 0;
    if (plain.present && append_value(plain.p, plain.n, buf, cap, &at) < 0)
        return na_err_set(err, NA_E_TOO_BIG, "session token too large");
    for (int k = 0; k < NA_MAX_CHUNKS; k++)
        if (chunks[k].present && append_value(chunks[k].p, chunks[k].n, buf, cap, &at) < 0)
            return na_err_set(err, NA_E_TOO_BIG, "session token too large");
    *toklen = at;
    return at > 0 ? 1 : 0;
}

int na_cookie_session_opaque(const char *hdr, size_t len, const char *name, char *buf,
                             size_t cap, size_t *toklen, na_cookie_seen *seen, na_err *err)
{
    slot plain, chunks[NA_MAX_CHUNKS];
    int any_chunk;
    na_cookie_seen local;

    *toklen = 0;
    if (scan(hdr, len, name, &plain, chunks, &any_chunk, seen ? seen : &local, err) < 0)
        return -1;
    size_t at = 0;
    if (plain.present) {
        /* the exact name alone: stale chunks beside it never spoil it */
        if (append_value(plain.p, plain.n, buf, cap, &at) < 0)
            return na_err_set(err, NA_E_TOO_BIG, "session token longer than %zu bytes", cap);
    } else {
        for (int k = 0; k < NA_MAX_CHUNKS; k++)
            if (chunks[k].present && append_value(chunks[k].p, chunks[k].n, buf, cap, &at) < 0)
                return na_err_set(err, NA_E_TOO_BIG, "session token longer than %zu bytes",
                                  cap);
    }
    *toklen = at;
    return at > 0 ? 1 : 0;
}

int na_cookie_bearer(const char *authz, size_t len, char *buf, size_t cap, size_t *toklen,
                     na_err *err)
{
    static const char scheme[] = "Bearer ";
    const size_t sl = sizeof scheme - 1;

    *toklen = 0;
    /* getToken: header.split(" ")[0] === "Bearer", token = split(" ")[1]. */
    if (len < sl || memcmp(authz, scheme, sl) != 0)
        return 0;
    const char *t = authz + sl;
    const char *sp = memchr(t, ' ', len - sl);
    size_t n = sp ? (size_t)(sp - t) : len - sl;
    if (n == 0)
        return 0;
    if (n > NA_TOKEN_MAX)
        return na_err_set(err, NA_E_TOO_BIG, "bearer token longer than %d bytes", NA_TOKEN_MAX);
    long d = na_cookie_uri_decode(t, n, buf, cap);
    if (d < 0)
        return na_err_set(err, NA_E_MALFORMED, "bearer token has a bad percent escape");
    *toklen = (size_t)d;
    return d > 0 ? 1 : 0;
}
