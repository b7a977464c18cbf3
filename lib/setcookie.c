/* setcookie.c — session Set-Cookie lines (see setcookie.h). */
#include "setcookie.h"

#include <stdio.h>
#include <string.h>

#include "text.h"
#include "timefmt.h"

/* A line: name (≤ NA_COOKIE_NAME_MAX) + ".15" + "=" + a chunk (≤ 3936 characters;
 * each may grow to 3 under percent-encoding, which JWE characters never need)
 * + attributes (< 100). */
#define LINE_MAX_LEN (256 + 3 * NA_CHUNK_MAX + 128)

/* encodeURIComponent keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ) and escapes the rest
 * (B5.3). Base64url tokens and '.' pass unchanged. */
static size_t uri_encode(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-_.!~*'()", c) != NULL) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = na_text_hexdigit(c >> 4);
            out[o++] = na_text_hexdigit(c);
        }
    }
    return o;
}

static void chunk_name(char *out, size_t cap, const char *name, int idx)
{
    if (idx < 0)
        snprintf(out, cap, "%s", name);
    else
        snprintf(out, cap, "%s.%d", name, idx);
}

static int put_write(na_resp *r, const char *name, int idx, const char *v, size_t n,
                     const char *expires, int secure)
{
    char line[LINE_MAX_LEN];
    char nm[NA_COOKIE_NAME_MAX + 64];
    chunk_name(nm, sizeof nm, name, idx);
    size_t o = (size_t)snprintf(line, sizeof line, "%s=", nm);
    o += uri_encode(v, n, line + o);
    snprintf(line + o, sizeof line - o, "; Path=/; Expires=%s; HttpOnly%s; SameSite=Lax",
             expires, secure ? "; Secure" : "");
    return na_resp_header(r, "Set-Cookie", line);
}

static int put_clear(na_resp *r, const char *name, int idx, int secure)
{
    char line[NA_COOKIE_NAME_MAX + 128];
    char nm[NA_COOKIE_NAME_MAX + 64];
    chunk_name(nm, sizeof nm, name, idx);
    snprintf(line, sizeof line, "%s=; Max-Age=0; Path=/; HttpOnly%s; SameSite=Lax", nm,
             secure ? "; Secure" : "");
    return na_resp_header(r, "Set-Cookie", line);
}

int na_setcookie_session(na_resp *r, const char *name, const char *tok, size_t len,
                         size_t chunk, const na_cookie_seen *seen, long long expires,
                         int secure)
{
    char date[30];
    na_timefmt_http_date(expires, date);
    if (chunk == 0 || chunk > NA_CHUNK_MAX || len == 0) {
        r->failed = 1;
        return -1;
    }
    /* B6.2: one cookie under the plain name when it fits, else .0 … .(n-1). */
    size_t count = (len + chunk - 1) / chunk;
    if (count > NA_MAX_CHUNKS) {
        r->failed = 1;
        return -1;
    }
    int chunked = count > 1;
    int written[NA_MAX_CHUNKS] = {0};

    /* B6.3: names seen first, in request order. */
    for (size_t i = 0; seen && i < seen->n; i++) {
        int idx = seen->names[i];
        int rewrite = chunked ? (idx >= 0 && (size_t)idx < count) : idx == -1;
        if (!rewrite) {
            if (put_clear(r, name, idx, secure) < 0)
                return -1;
            continue;
        }
        size_t k = chunked ? (size_t)idx : 0;
        size_t off = k * chunk, n = len - off < chunk ? len - off : chunk;
        if (put_write(r, name, chunked ? idx : -1, tok + off, n, date, secure) < 0)
            return -1;
        written[k] = 1;
    }
    for (size_t k = 0; k < count; k++) {
        if (written[k])
            continue;
        size_t off = k * chunk, n = len - off < chunk ? len - off : chunk;
        if (put_write(r, name, chunked ? (int)k : -1, tok + off, n, date, secure) < 0)
            return -1;
    }
    return 0;
}

int na_setcookie_clear(na_resp *r, const char *name, const na_cookie_seen *seen, int secure)
{
    for (size_t i = 0; seen && i < seen->n; i++)
        if (put_clear(r, name, seen->names[i], secure) < 0)
            return -1;
    return 0;
}
