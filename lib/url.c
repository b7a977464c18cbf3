/* url.c — NEXTAUTH_URL parts and form-urlencoding (see url.h). */
#include "url.h"

#include <stdio.h>
#include <string.h>

#include "path.h"
#include "text.h"

size_t na_url_form_encode(const char *in, size_t n, char *out)
{
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
            out[o++] = na_text_hexdigit(c >> 4);
            out[o++] = na_text_hexdigit(c);
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
    /* parseUrl: no "http" in front means https (case-sensitive test, B7.1). */
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
    /* B7.1: one trailing '/' is removed; "/" or nothing becomes /api/auth. The
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
