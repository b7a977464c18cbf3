/* fastjson.c — single-pass strict JSON objects (see fastjson.h).
 *
 * Recursive descent over [p, end): every read is preceded by a length test, so
 * the buffer needs no terminator. Strings without escapes (nearly all of them
 * in a token) go from the buffer straight into json_stringn_nocheck, which makes
 * the one copy the tree needs; escaped strings are decoded first. Each rule below
 * is the one json_loadb(…, JSON_REJECT_DUPLICATES) applies (jansson 2.14,
 * src/load.c), so both accept the same texts and build the same trees. */
#include "fastjson.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

/* jansson's JSON_PARSER_MAX_DEPTH: json_loadb refuses any value, scalars too,
 * deeper than 2048 levels (the top value is level 1). Only matters when a caller
 * passes a max_depth above it. */
#define FJ_JANSSON_MAX_DEPTH 2048

/* Escaped string values up to this many raw bytes are decoded on the stack (a
 * leaf call, so the buffer is never live across the recursion). */
#define FJ_STACK_STRING 256

/* Reals up to this many characters are copied to the stack for strtod; a double
 * needs at most 17 significant digits, longer texts are rare and go to the heap. */
#define FJ_STACK_NUMBER 64

typedef struct {
    const unsigned char *p;     /* next byte to read */
    const unsigned char *end;   /* one past the last byte */
    const unsigned char *start; /* for the offset in error messages */
    size_t max_depth;
    na_err *err;
} fj_parser;

/* Bytes that stand for themselves inside a string: 0x20–0x7F but '"' and '\\'.
 * Control characters (RFC 8259 §7: U+0000–U+001F must be escaped) and every byte
 * of a multi-byte UTF-8 sequence take the slow path. */
static const unsigned char fj_plain[256] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20 */ 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    /* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x80–0xFF: zero */
};

#define FJ_DIGIT(c) ((unsigned)(c) - '0' < 10u)

/* Fill err with code and the offset of ps->p; returns NULL for `return fj_fail(…)`. */
static json_t *fj_fail(fj_parser *ps, na_code code, const char *why)
{
    if (code == NA_E_NOMEM)
        na_err_set(ps->err, code, "out of memory");
    else
        na_err_set(ps->err, code, "JSON %s at byte %zu", why, (size_t)(ps->p - ps->start));
    return NULL;
}

static json_t *fj_too_deep(fj_parser *ps, size_t limit)
{
    na_err_set(ps->err, NA_E_TOO_BIG, "JSON nested deeper than %zu levels at byte %zu", limit,
               (size_t)(ps->p - ps->start));
    return NULL;
}

/* RFC 8259 §2: insignificant whitespace is space, tab, LF and CR, nothing else. */
static void fj_skip_ws(fj_parser *ps)
{
    const unsigned char *p = ps->p, *end = ps->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->p = p;
}

/* After a member or an element: skip space, then a ',' (returns 1, with the space
 * after it skipped too), the closing byte (returns 0, consumed) or anything else
 * (returns -1, ps->p at it). */
static int fj_after_item(fj_parser *ps, unsigned char close)
{
    fj_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        fj_skip_ws(ps);
        return 1;
    }
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    return -1;
}

/* Allocation through jansson's functions, so json_set_alloc_funcs covers it. */
static void *fj_malloc(size_t n)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    return m(n);
}

static void fj_free(void *ptr)
{
    if (ptr == NULL)
        return;
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(ptr);
}

/* Scan the string whose opening quote was just consumed: check escapes (RFC 8259
 * §7), control characters and UTF-8 (RFC 3629 §4: no overlongs, no surrogates,
 * nothing above U+10FFFF, no truncated sequence). On success *raw, *rawlen is the
 * text between the quotes, *escaped tells whether it holds a backslash, and ps->p
 * is past the closing quote. Returns 0, or -1 with err filled. */
static int fj_scan_string(fj_parser *ps, const unsigned char **raw, size_t *rawlen,
                          int *escaped)
{
    const unsigned char *p = ps->p, *end = ps->end;
    const char *why;
    int esc = 0;
    for (;;) {
        /* Eight bytes at a time while none of them is special: a byte below 0x20,
         * '"', '\\' or one with the high bit set (SWAR; each test is exact about
         * whether such a byte exists). Then byte by byte up to the special one. */
        while (end - p >= 8) {
            uint64_t x, q, b;
            memcpy(&x, p, 8);
            q = x ^ 0x2222222222222222ULL;
            b = x ^ 0x5C5C5C5C5C5C5C5CULL;
            uint64_t m = (x | ((x - 0x2020202020202020ULL) & ~x) |
                          ((q - 0x0101010101010101ULL) & ~q) | ((b - 0x0101010101010101ULL) & ~b)) &
                         0x8080808080808080ULL;
            if (m != 0) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* The lowest flagged byte is the first special one (a borrow only
                 * ever flags bytes above a true one): go straight to it. */
                p += (unsigned)__builtin_ctzll(m) >> 3;
#endif
                break;
            }
            p += 8;
        }
        while (p < end && fj_plain[*p])
            p++;
        if (p == end) {
            why = "string not closed";
            goto fail;
        }
        unsigned c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            esc = 1;
            if (end - p < 2) {
                why = "string not closed";
                goto fail;
            }
            switch (p[1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                p += 2;
                continue;
            case 'u':
                if (end - p < 6 || na_text_hexval(p[2]) < 0 || na_text_hexval(p[3]) < 0 ||
                    na_text_hexval(p[4]) < 0 || na_text_hexval(p[5]) < 0) {
                    why = "invalid \\u escape";
                    goto fail;
                }
                p += 6;
                continue;
            default:
                why = "invalid escape";
                goto fail;
            }
        }
        if (c < 0x20) {
            why = "control character in string";
            goto fail;
        }
        size_t n = na_text_utf8_seq(p, (size_t)(end - p));
        if (n == 0) {
            why = "invalid UTF-8";
            goto fail;
        }
        p += n;
    }
    *raw = ps->p;
    *rawlen = (size_t)(p - ps->p);
    *escaped = esc;
    ps->p = p + 1;
    return 0;

fail:
    ps->p = p;
    fj_fail(ps, NA_E_MALFORMED, why);
    return -1;
}

static unsigned fj_hex4(const unsigned char *h)
{
    return (unsigned)(na_text_hexval(h[0]) << 12 | na_text_hexval(h[1]) << 8 | na_text_hexval(h[2]) << 4 |
                      na_text_hexval(h[3]));
}

/* Decode a string fj_scan_string accepted into out, which has room for n bytes
 * (no escape is shorter than what it stands for: \uXXXX → at most 3 bytes, a
 * 12-byte surrogate pair → 4). Returns 0 with *outlen set, or -1 with err filled:
 * a lone or reversed surrogate, or \u0000 (jansson without JSON_ALLOW_NUL refuses
 * NUL in values and keys alike). */
static int fj_unescape(fj_parser *ps, const unsigned char *raw, size_t n, char *out,
                       size_t *outlen)
{
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned char c = raw[i];
        if (c != '\\') {
            out[o++] = (char)c;
            i++;
            continue;
        }
        c = raw[i + 1]; /* scanned: a backslash is never the last byte */
        if (c != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            out[o++] = to[strchr(from, c) - from];
            i += 2;
            continue;
        }
        unsigned cp = fj_hex4(raw + i + 2);
        const unsigned char *at = raw + i;
        i += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            goto bad_surrogate; /* a low half first */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* RFC 8259 §7: a high half must be followed by an escaped low half */
            if (n - i < 6 || raw[i] != '\\' || raw[i + 1] != 'u')
                goto bad_surrogate;
            unsigned lo = fj_hex4(raw + i + 2);
            if (lo < 0xDC00 || lo > 0xDFFF)
                goto bad_surrogate;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        }
        if (cp == 0) {
            ps->p = at;
            fj_fail(ps, NA_E_MALFORMED, "\\u0000 in string");
            return -1;
        }
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | cp >> 6);
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (char)(0xE0 | cp >> 12);
            out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | cp >> 18);
            out[o++] = (char)(0x80 | (cp >> 12 & 0x3F));
            out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
        continue;
    bad_surrogate:
        ps->p = at;
        fj_fail(ps, NA_E_MALFORMED, "lone surrogate escape");
        return -1;
    }
    *outlen = o;
    return 0;
}

/* A string value; the opening quote was just consumed. */
static json_t *fj_string(fj_parser *ps)
{
    const unsigned char *raw;
    size_t n;
    int escaped;
    if (fj_scan_string(ps, &raw, &n, &escaped) < 0)
        return NULL;
    if (!escaped) {
        json_t *v = json_stringn_nocheck((const char *)raw, n);
        return v != NULL ? v : fj_fail(ps, NA_E_NOMEM, NULL);
    }
    char stack[FJ_STACK_STRING];
    char *out = n <= sizeof stack ? stack : fj_malloc(n);
    if (out == NULL)
        return fj_fail(ps, NA_E_NOMEM, NULL);
    json_t *v = NULL;
    size_t len;
    if (fj_unescape(ps, raw, n, out, &len) == 0) {
        v = json_stringn_nocheck(out, len);
        if (v == NULL)
            fj_fail(ps, NA_E_NOMEM, NULL);
    }
    if (out != stack)
        fj_free(out);
    return v;
}

/* RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — no '+', no
 * leading zero, no bare '.', no hex, no NaN or Infinity. Without a fraction or an
 * exponent it is a json_integer and must fit long long (jansson: strtoll, "too
 * big integer"); otherwise a json_real from strtod that must not overflow to
 * ±inf (jansson: "real number overflow"), while underflow quietly gives 0 or a
 * subnormal, as in jansson. */
static int fj_scan_number(fj_parser *ps, int *real_out, json_int_t *ival)
{
    const unsigned char *s = ps->p, *p = s, *end = ps->end;
    int neg = 0, real = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    const unsigned char *digits = p;
    if (p == end || !FJ_DIGIT(*p))
        goto bad;
    if (*p == '0') {
        p++;
        if (p < end && FJ_DIGIT(*p))
            goto bad; /* a leading zero */
    } else {
        while (p < end && FJ_DIGIT(*p))
            p++;
    }
    size_t ndigits = (size_t)(p - digits);
    if (p < end && *p == '.') {
        real = 1;
        p++;
        if (p == end || !FJ_DIGIT(*p))
            goto bad;
        while (p < end && FJ_DIGIT(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !FJ_DIGIT(*p))
            goto bad;
        while (p < end && FJ_DIGIT(*p))
            p++;
    }

    *real_out = real;
    if (!real) {
        /* 19 digits always fit unsigned long long (10^19 - 1 < 2^64); more are
         * above 2^63 since no leading zero is allowed. */
        unsigned long long u = 0;
        if (ndigits > 19)
            goto too_big;
        for (const unsigned char *d = digits; d < p; d++)
            u = u * 10 + (unsigned)(*d - '0');
        if (u > (unsigned long long)LLONG_MAX + (unsigned)neg)
            goto too_big;
        /* -(u - 1) - 1 reaches LLONG_MIN without overflowing */
        *ival = neg ? (u == 0 ? 0 : -(json_int_t)(u - 1) - 1) : (json_int_t)u;
    }
    ps->p = p; /* a real's text is [s, p): the caller reads it */
    return 0;

too_big:
    ps->p = s;
    fj_fail(ps, NA_E_MALFORMED, "number out of range");
    return -1;
bad:
    ps->p = p;
    fj_fail(ps, NA_E_MALFORMED, "invalid number");
    return -1;
}

static json_t *fj_number(fj_parser *ps)
{
    const unsigned char *s = ps->p;
    int real;
    json_int_t i = 0;
    if (fj_scan_number(ps, &real, &i) < 0)
        return NULL;
    const unsigned char *p = ps->p;
    json_t *v;
    if (!real) {
        v = json_integer(i);
    } else {
        size_t n = (size_t)(p - s);
        char stack[FJ_STACK_NUMBER];
        char *text = n < sizeof stack ? stack : fj_malloc(n + 1);
        if (text == NULL)
            return fj_fail(ps, NA_E_NOMEM, NULL);
        memcpy(text, s, n);
        text[n] = '\0';
        /* jansson's to_locale: strtod reads the locale's decimal point */
        char point = localeconv()->decimal_point[0];
        if (point != '.') {
            char *dot = strchr(text, '.');
            if (dot != NULL)
                *dot = point;
        }
        errno = 0;
        double d = strtod(text, NULL);
        int overflow = (d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE;
        if (text != stack)
            fj_free(text);
        if (overflow) {
            ps->p = s;
            return fj_fail(ps, NA_E_MALFORMED, "number out of range");
        }
        v = json_real(d);
    }
    return v != NULL ? v : fj_fail(ps, NA_E_NOMEM, NULL);
}

static json_t *fj_value(fj_parser *ps, size_t depth);

/* The members of an object at nesting level depth; '{' was just consumed. */
static json_t *fj_object(fj_parser *ps, size_t depth)
{
    if (depth > ps->max_depth) {
        ps->p--;
        return fj_too_deep(ps, ps->max_depth);
    }
    json_t *obj = json_object();
    if (obj == NULL)
        return fj_fail(ps, NA_E_NOMEM, NULL);
    fj_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return obj;
    }
    for (;;) {
        if (ps->p == ps->end || *ps->p != '"') {
            fj_fail(ps, NA_E_MALFORMED, "expected a key");
            goto fail;
        }
        const unsigned char *key_at = ps->p++;
        const unsigned char *raw;
        size_t klen;
        int escaped;
        if (fj_scan_string(ps, &raw, &klen, &escaped) < 0)
            goto fail;
        const char *key = (const char *)raw;
        char *decoded = NULL; /* an escaped key lives on the heap: the value's
                               * recursion comes before the insertion */
        if (escaped) {
            decoded = fj_malloc(klen);
            if (decoded == NULL) {
                fj_fail(ps, NA_E_NOMEM, NULL);
                goto fail;
            }
            if (fj_unescape(ps, raw, klen, decoded, &klen) < 0) {
                fj_free(decoded);
                goto fail;
            }
            key = decoded;
        }
        fj_skip_ws(ps);
        if (ps->p == ps->end || *ps->p != ':') {
            fj_free(decoded);
            fj_fail(ps, NA_E_MALFORMED, "expected ':'");
            goto fail;
        }
        ps->p++;
        fj_skip_ws(ps);
        json_t *v = fj_value(ps, depth + 1);
        if (v == NULL) {
            fj_free(decoded);
            goto fail;
        }
        /* JSON_REJECT_DUPLICATES. Inserting a key that is already there replaces
         * its value and leaves the size alone: one hash lookup instead of a
         * json_object_getn before the insertion. The object is thrown away on
         * that error, so the replaced value does not matter. */
        size_t before = json_object_size(obj);
        int rc = json_object_setn_new_nocheck(obj, key, klen, v); /* v is taken */
        fj_free(decoded);
        if (rc != 0) {
            fj_fail(ps, NA_E_NOMEM, NULL);
            goto fail;
        }
        if (json_object_size(obj) == before) {
            ps->p = key_at;
            fj_fail(ps, NA_E_MALFORMED, "duplicate key");
            goto fail;
        }
        int next = fj_after_item(ps, '}');
        if (next > 0)
            continue;
        if (next == 0)
            return obj;
        fj_fail(ps, NA_E_MALFORMED, "expected ',' or '}'");
        goto fail;
    }

fail:
    json_decref(obj);
    return NULL;
}

/* The elements of an array at nesting level depth; '[' was just consumed. */
static json_t *fj_array(fj_parser *ps, size_t depth)
{
    if (depth > ps->max_depth) {
        ps->p--;
        return fj_too_deep(ps, ps->max_depth);
    }
    json_t *arr = json_array();
    if (arr == NULL)
        return fj_fail(ps, NA_E_NOMEM, NULL);
    fj_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return arr;
    }
    for (;;) {
        json_t *v = fj_value(ps, depth + 1);
        if (v == NULL)
            goto fail;
        if (json_array_append_new(arr, v) != 0) { /* v is taken */
            fj_fail(ps, NA_E_NOMEM, NULL);
            goto fail;
        }
        int next = fj_after_item(ps, ']');
        if (next > 0)
            continue;
        if (next == 0)
            return arr;
        fj_fail(ps, NA_E_MALFORMED, "expected ',' or ']'");
        goto fail;
    }

fail:
    json_decref(arr);
    return NULL;
}

/* true, false, null: consume the word if it is there whole (returns 1). What
 * follows is the caller's business (a ',' or a closing bracket), so "truex"
 * fails there. */
static int fj_word(fj_parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

/* One value at nesting level depth (whitespace before it already skipped). */
static json_t *fj_value(fj_parser *ps, size_t depth)
{
    if (depth > FJ_JANSSON_MAX_DEPTH)
        return fj_too_deep(ps, FJ_JANSSON_MAX_DEPTH);
    if (ps->p == ps->end)
        return fj_fail(ps, NA_E_MALFORMED, "truncated");
    switch (*ps->p) {
    case '{':
        ps->p++;
        return fj_object(ps, depth);
    case '[':
        ps->p++;
        return fj_array(ps, depth);
    case '"':
        ps->p++;
        return fj_string(ps);
    case 't':
        return fj_word(ps, "true", 4) ? json_true() : fj_fail(ps, NA_E_MALFORMED, "bad word");
    case 'f':
        return fj_word(ps, "false", 5) ? json_false() : fj_fail(ps, NA_E_MALFORMED, "bad word");
    case 'n':
        return fj_word(ps, "null", 4) ? json_null() : fj_fail(ps, NA_E_MALFORMED, "bad word");
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return fj_number(ps);
    default:
        return fj_fail(ps, NA_E_MALFORMED, "unexpected character");
    }
}

json_t *na_fastjson_parse_object(const char *buf, size_t len, size_t max_depth, na_err *err)
{
    fj_parser ps = {(const unsigned char *)buf, (const unsigned char *)buf + len,
                    (const unsigned char *)buf, max_depth, err};
    if (buf == NULL) {
        na_err_set(err, NA_E_MALFORMED, "no JSON text"); /* as json_loadb(NULL) */
        return NULL;
    }
    fj_skip_ws(&ps);
    /* Token parts are objects (RFC 7519 §7.2 step 10: the claims set is a JSON
     * object); arrays, which json_loadb takes too, are refused here. */
    if (ps.p == ps.end || *ps.p != '{')
        return fj_fail(&ps, NA_E_MALFORMED, "expected an object");
    ps.p++;
    json_t *obj = fj_object(&ps, 1);
    if (obj == NULL)
        return NULL;
    fj_skip_ws(&ps);
    if (ps.p != ps.end) {
        json_decref(obj);
        return fj_fail(&ps, NA_E_MALFORMED, "data after the object");
    }
    return obj;
}

/* ---- the view (fastjson.h): the same rules, no tree ----
 *
 * Each function below applies the check its tree-building twin applies, or
 * declines (-1) where that check needs more than a view keeps: an escaped key
 * (duplicates are compared on the raw bytes, which equal the decoded ones only
 * without escapes), a real number (strtod and its locale), an escaped string
 * longer than FJ_STACK_STRING, more than NA_JVIEW_MAX members in one object.
 * Declining is never an answer: the caller then asks the tree parser, which
 * gives the verdict and the error message. */

typedef struct {
    const unsigned char *k;
    size_t n;
} fjv_key;

static int fjv_value(fj_parser *ps, size_t depth, na_jv_member *m);

static int fjv_object(fj_parser *ps, size_t depth, na_jview *top)
{
    fjv_key keys[NA_JVIEW_MAX];
    size_t nk = 0;
    if (depth > ps->max_depth)
        return -1;
    fj_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (ps->p == ps->end || *ps->p != '"' || nk == NA_JVIEW_MAX)
            return -1;
        ps->p++;
        const unsigned char *raw;
        size_t klen;
        int escaped;
        if (fj_scan_string(ps, &raw, &klen, &escaped) < 0 || escaped)
            return -1;
        for (size_t i = 0; i < nk; i++)
            if (keys[i].n == klen && memcmp(keys[i].k, raw, klen) == 0)
                return -1; /* a duplicate key */
        keys[nk].k = raw;
        keys[nk++].n = klen;
        fj_skip_ws(ps);
        if (ps->p == ps->end || *ps->p != ':')
            return -1;
        ps->p++;
        fj_skip_ws(ps);
        na_jv_member *m = top ? &top->m[top->n] : NULL;
        if (fjv_value(ps, depth + 1, m) < 0)
            return -1;
        if (top) {
            m->key = (const char *)raw;
            m->klen = klen;
            top->n++;
        }
        int next = fj_after_item(ps, '}');
        if (next <= 0)
            return next;
    }
}

static int fjv_array(fj_parser *ps, size_t depth)
{
    if (depth > ps->max_depth)
        return -1;
    fj_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (fjv_value(ps, depth + 1, NULL) < 0)
            return -1;
        int next = fj_after_item(ps, ']');
        if (next <= 0)
            return next;
    }
}

static int fjv_value(fj_parser *ps, size_t depth, na_jv_member *m)
{
    na_jv_member tmp;
    if (m == NULL)
        m = &tmp;
    if (depth > FJ_JANSSON_MAX_DEPTH || ps->p == ps->end)
        return -1;
    switch (*ps->p) {
    case '{':
        ps->p++;
        m->type = NA_JV_OBJECT;
        return fjv_object(ps, depth, NULL);
    case '[':
        ps->p++;
        m->type = NA_JV_ARRAY;
        return fjv_array(ps, depth);
    case '"': {
        const unsigned char *raw;
        size_t n, len;
        int escaped;
        ps->p++;
        if (fj_scan_string(ps, &raw, &n, &escaped) < 0)
            return -1;
        if (escaped) {
            /* what the tree's decoding refuses: lone surrogates, \u0000 */
            char out[FJ_STACK_STRING];
            if (n > sizeof out || fj_unescape(ps, raw, n, out, &len) < 0)
                return -1;
        }
        m->type = NA_JV_STRING;
        m->s = (const char *)raw;
        m->slen = n;
        m->escaped = escaped;
        return 0;
    }
    case 't':
        m->type = NA_JV_TRUE;
        return fj_word(ps, "true", 4) ? 0 : -1;
    case 'f':
        m->type = NA_JV_FALSE;
        return fj_word(ps, "false", 5) ? 0 : -1;
    case 'n':
        m->type = NA_JV_NULL;
        return fj_word(ps, "null", 4) ? 0 : -1;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        int real;
        json_int_t i = 0;
        if (fj_scan_number(ps, &real, &i) < 0 || real)
            return -1;
        m->type = NA_JV_INT;
        m->i = i;
        return 0;
    }
    default:
        return -1;
    }
}

int na_fastjson_view_object(const char *buf, size_t len, size_t max_depth, na_jview *view)
{
    na_err ignored; /* a declined text's message comes from the tree parser */
    fj_parser ps = {(const unsigned char *)buf, (const unsigned char *)buf + len,
                    (const unsigned char *)buf, max_depth, &ignored};
    view->n = 0;
    if (buf == NULL)
        return -1;
    fj_skip_ws(&ps);
    if (ps.p == ps.end || *ps.p != '{')
        return -1;
    ps.p++;
    if (fjv_object(&ps, 1, view) < 0) {
        view->n = 0;
        return -1;
    }
    fj_skip_ws(&ps);
    if (ps.p != ps.end) {
        view->n = 0;
        return -1;
    }
    return 0;
}

const na_jv_member *na_fastjson_get(const na_jview *view, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < view->n; i++)
        if (view->m[i].klen == n && memcmp(view->m[i].key, key, n) == 0)
            return &view->m[i];
    return NULL;
}

size_t na_fastjson_string(const na_jv_member *m, char *out)
{
    if (!m->escaped) {
        memcpy(out, m->s, m->slen);
        return m->slen;
    }
    /* the view checked this text with the same decoder: it cannot fail now */
    na_err ignored;
    fj_parser ps = {(const unsigned char *)m->s, (const unsigned char *)m->s + m->slen,
                    (const unsigned char *)m->s, 0, &ignored};
    size_t len = 0;
    if (fj_unescape(&ps, (const unsigned char *)m->s, m->slen, out, &len) < 0)
        return 0;
    return len;
}
