/* SPDX-License-Identifier: MIT */
/* text.h — byte classes shared by the parsers and writers: hex digits, HTTP
 * token characters, UTF-8 sequences; and the FNV-1a hash of the caches. Inline:
 * they sit in per-byte loops on the request path (cookie decoding, path
 * normalization, JSON strings). */
#ifndef NA_TEXT_H
#define NA_TEXT_H

#include <stddef.h>

/* The value of hex digit c (either case), or -1. */
/* FNV-1a (64-bit) of n bytes at p, continuing from h (start with
 * NA_TEXT_FNV_BASIS, or a random value where the result must not be aimed):
 * a slot for a cache, never a check of what the bytes are. */
#define NA_TEXT_FNV_BASIS 1469598103934665603ULL
static inline unsigned long long na_text_fnv1a(unsigned long long h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static inline int na_text_hexval(unsigned c)
{
    if (c - '0' < 10u)
        return (int)(c - '0');
    c |= 0x20; /* ASCII lower case; no other byte lands on a-f */
    if (c - 'a' < 6u)
        return (int)(c - 'a' + 10);
    return -1;
}

/* The upper-case hex digit of v's low four bits (percent-encoding writes
 * upper case: RFC 3986 §2.1). */
static inline char na_text_hexdigit(unsigned v)
{
    return "0123456789ABCDEF"[v & 15];
}

/* c is a tchar of RFC 9110 §5.6.2 (token = 1*tchar): a letter, a digit or one
 * of !#$%&'*+-.^_`|~. Header field names and cookie names (RFC 6265 §4.1.1)
 * are tokens. */
static inline int na_text_is_tchar(unsigned c)
{
    if ((c | 0x20) - 'a' < 26u || c - '0' < 10u)
        return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return 1;
    default:
        return 0;
    }
}

/* The length (1 to 4) of the well-formed UTF-8 sequence at s, with n >= 1
 * bytes left, or 0 when it is not one (RFC 3629 §4): no overlong form, no
 * surrogate, nothing above U+10FFFF. The second byte's range carries those
 * rules: E0 needs A0–BF, ED 80–9F, F0 90–BF, F4 80–8F. */
static inline size_t na_text_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

#endif
