/* b64url.c — strict canonical base64url (see b64url.h). */
#include "b64url.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for the url-safe alphabet, 0xff for everything else ('=', '+', '/',
 * whitespace, NUL and bytes >= 0x80 included). */
static const uint8_t url_value[256] = {
#define X 0xff
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, /* 0x00 */
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, /* 0x10 */
    X, X, X, X, X, X, X, X, X, X, X, X, X, 62, X, X, /* 0x20: '-' */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X, /* '0'-'9' */
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,      /* 'A'-'O' */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63, /* 'P'-'Z', '_' */
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 'a'-'o' */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,     /* 'p'-'z' */
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, /* 0x80 - 0xff */
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
#undef X
};

/* The four positions of a group, pre-shifted: one load and one OR per
 * character. An invalid character sets bit 31, which survives the ORs. */
static uint32_t dec_table[4][256];
static pthread_once_t dec_once = PTHREAD_ONCE_INIT;

static void dec_init(void)
{
    for (int c = 0; c < 256; c++) {
        uint32_t v = url_value[c];
        for (int pos = 0; pos < 4; pos++)
            dec_table[pos][c] = v == 0xff ? 0x80000000u : v << (18 - 6 * pos);
    }
}

long na_b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    /* RFC 4648 §5 without padding: a final group of 1 character cannot encode a byte. */
    if (n % 4 == 1)
        return -1;
    size_t need = NA_B64URL_DECODED_LEN(n);
    if (need > cap)
        return -1;
    pthread_once(&dec_once, dec_init);
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    uint32_t bad = 0;
    /* Two groups (8 characters, 6 bytes) at a time, stored as one 8-byte word
     * while at least 8 bytes of room remain (the 2 extra bytes are overwritten
     * by what follows; need counts every byte written in the end). */
    for (; i + 8 <= n && o + 8 <= need; i += 8) {
        uint32_t a = dec_table[0][s[i]] | dec_table[1][s[i + 1]] | dec_table[2][s[i + 2]] |
                     dec_table[3][s[i + 3]];
        uint32_t b = dec_table[0][s[i + 4]] | dec_table[1][s[i + 5]] |
                     dec_table[2][s[i + 6]] | dec_table[3][s[i + 7]];
        bad |= a | b;
        uint64_t w = (uint64_t)(a & 0xffffffu) << 40 | (uint64_t)(b & 0xffffffu) << 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        w = __builtin_bswap64(w); /* the first byte lowest in memory */
#endif
        memcpy(out + o, &w, 8);
        o += 6;
    }
    for (; i + 4 <= n; i += 4) {
        uint32_t v = dec_table[0][s[i]] | dec_table[1][s[i + 1]] | dec_table[2][s[i + 2]] |
                     dec_table[3][s[i + 3]];
        bad |= v;
        out[o] = (unsigned char)(v >> 16);
        out[o + 1] = (unsigned char)(v >> 8);
        out[o + 2] = (unsigned char)v;
        o += 3;
    }
    if (bad & 0x80000000u)
        return -1;
    size_t rest = n - i;
    if (rest == 2) {
        uint32_t a = url_value[s[i]], b = url_value[s[i + 1]];
        /* RFC 4648 §3.5: canonical encodings have the 4 unused bits zero. */
        if (((a | b) & 0x80) || (b & 0x0f))
            return -1;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
    } else if (rest == 3) {
        uint32_t a = url_value[s[i]], b = url_value[s[i + 1]], c = url_value[s[i + 2]];
        if (((a | b | c) & 0x80) || (c & 0x03))
            return -1;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
        out[o++] = (unsigned char)(b << 4 | c >> 2);
    }
    return (long)o;
}

static size_t encode_with(const char *alpha, int pad, const unsigned char *in, size_t n,
                          char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

size_t na_b64url_encode(const unsigned char *in, size_t n, char *out)
{
    return encode_with(url_alphabet, 0, in, n, out);
}

size_t na_b64url_encode_std(const unsigned char *in, size_t n, char *out)
{
    return encode_with(std_alphabet, 1, in, n, out);
}
