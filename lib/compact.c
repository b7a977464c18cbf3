/* compact.c — segments and protected headers (see compact.h). */
#include "compact.h"

#include <string.h>

#include "b64url.h"
#include "json.h"

int na_compact_split(const char *tok, size_t len, na_seg *segs, size_t want, na_err *err)
{
    const char *p = tok, *end = tok + len;
    size_t k = 0;
    for (;;) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        if (k == want)
            return na_err_set(err, NA_E_MALFORMED, "token has more than %zu segments", want);
        segs[k].p = p;
        segs[k].n = (size_t)((dot ? dot : end) - p);
        k++;
        if (dot == NULL)
            break;
        p = dot + 1;
    }
    if (k != want)
        return na_err_set(err, NA_E_MALFORMED, "token has %zu segment(s), expected %zu", k,
                          want);
    return 0;
}

const char *na_compact_str(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

json_t *na_compact_header(na_seg seg, na_err *err)
{
    unsigned char raw[NA_HEADER_MAX];
    if (seg.n == 0) {
        na_err_set(err, NA_E_MALFORMED, "empty protected header");
        return NULL;
    }
    if (NA_B64URL_DECODED_LEN(seg.n) > sizeof raw) {
        na_err_set(err, NA_E_TOO_BIG, "protected header longer than %d bytes", NA_HEADER_MAX);
        return NULL;
    }
    long n = na_b64url_decode(seg.p, seg.n, raw, sizeof raw);
    if (n < 0) {
        na_err_set(err, NA_E_MALFORMED, "protected header is not base64url");
        return NULL;
    }
    json_t *h = na_json_parse_object((const char *)raw, (size_t)n, "protected header", err);
    if (h == NULL)
        return NULL;
    if (json_object_get(h, "zip") != NULL) {
        na_err_set(err, NA_E_UNSUPPORTED, "compressed token (zip) refused");
        goto bad;
    }
    if (json_object_get(h, "crit") != NULL) {
        na_err_set(err, NA_E_UNSUPPORTED, "unsupported critical header (crit)");
        goto bad;
    }
    if (na_compact_str(h, "alg") == NULL) {
        na_err_set(err, NA_E_MALFORMED, "protected header has no alg");
        goto bad;
    }
    return h;
bad:
    json_decref(h);
    return NULL;
}
