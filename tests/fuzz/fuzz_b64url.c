/* fuzz_b64url.c — strict base64url (lib/b64url.c).
 *
 * The input is taken two ways:
 *   as text:  na_b64url_decode into a buffer of exactly the promised size (and one
 *             byte short, which must be refused); when it decodes, encoding the
 *             bytes must give back the very same text (strict = canonical);
 *   as bytes: encode → decode gives the bytes back; the encoded length is
 *             NA_B64URL_ENCODED_LEN; standard padded base64 of the same bytes is
 *             the url-safe text with '+' '/' for '-' '_' and '=' padding. */
#include "b64url.h"

#include "fuzz.h"

static int in_url_alphabet(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static void as_text(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t cap = NA_B64URL_DECODED_LEN(size);
    unsigned char *out = malloc(cap ? cap : 1);
    if (out == NULL)
        fuzz_die("malloc", "out of memory");
    long n = na_b64url_decode(in, size, out, cap);
    FUZZ_CHECK(n >= -1 && (n < 0 || (size_t)n <= cap), "decode returned %ld for cap %zu", n,
               cap);
    if (n >= 0) {
        FUZZ_CHECK((size_t)n == cap, "decoded %ld bytes, NA_B64URL_DECODED_LEN says %zu", n,
                   cap);
        for (size_t i = 0; i < size; i++)
            FUZZ_CHECK(in_url_alphabet(in[i]), "accepted byte 0x%02x at %zu",
                       (unsigned char)in[i], i);
        /* round trip: decode → encode is the identity on what decodes */
        char *again = malloc(NA_B64URL_ENCODED_LEN((size_t)n) + 1);
        if (again == NULL)
            fuzz_die("malloc", "out of memory");
        size_t m = na_b64url_encode(out, (size_t)n, again);
        FUZZ_CHECK(m == size && memcmp(again, in, size) == 0 && again[m] == '\0',
                   "decode→encode changed the text (%zu → %ld bytes → %zu chars)", size, n, m);
        free(again);
        /* a buffer one byte short is refused, never overrun */
        if (n > 0) {
            unsigned char *shorter = malloc((size_t)n - 1 ? (size_t)n - 1 : 1);
            if (shorter == NULL)
                fuzz_die("malloc", "out of memory");
            long k = na_b64url_decode(in, size, shorter, (size_t)n - 1);
            FUZZ_CHECK(k == -1, "decode into %ld-byte buffer returned %ld", n - 1, k);
            free(shorter);
        }
    } else if (size % 4 != 1) {
        /* refused: some byte is outside the alphabet, or the last one has
         * non-zero unused bits */
        int all = 1;
        for (size_t i = 0; i < size && all; i++)
            all = in_url_alphabet(in[i]);
        if (all) {
            static const char a[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            unsigned v = (unsigned)(strchr(a, in[size - 1]) - a);
            FUZZ_CHECK((size % 4 == 2 && (v & 0x0f)) || (size % 4 == 3 && (v & 0x03)),
                       "refused an alphabet-only text of %zu chars", size);
        }
    }
    free(out);
}

static void as_bytes(const uint8_t *data, size_t size)
{
    size_t elen = NA_B64URL_ENCODED_LEN(size);
    char *enc = malloc(elen + 1);
    char *std = malloc(4 * ((size + 2) / 3) + 1);
    unsigned char *dec = malloc(size ? size : 1);
    if (enc == NULL || std == NULL || dec == NULL)
        fuzz_die("malloc", "out of memory");
    size_t m = na_b64url_encode(data, size, enc);
    FUZZ_CHECK(m == elen && strlen(enc) == m, "encoded %zu bytes to %zu chars, want %zu", size,
               m, elen);
    long n = na_b64url_decode(enc, m, dec, size);
    FUZZ_CHECK(n == (long)size && (size == 0 || memcmp(dec, data, size) == 0),
               "encode→decode of %zu bytes gave %ld", size, n);

    size_t s = na_b64url_encode_std(data, size, std);
    FUZZ_CHECK(s == 4 * ((size + 2) / 3) && strlen(std) == s, "b64 length %zu for %zu bytes",
               s, size);
    size_t pad = 0;
    while (pad < s && std[s - 1 - pad] == '=')
        pad++;
    FUZZ_CHECK(s - pad == m && pad == (3 - size % 3) % 3, "b64 padding %zu for %zu bytes", pad,
               size);
    for (size_t i = 0; i < m; i++) {
        char u = enc[i], c = std[i];
        char want = u == '-' ? '+' : u == '_' ? '/' : u;
        FUZZ_CHECK(c == want, "b64 and b64url differ at %zu: '%c' vs '%c'", i, c, u);
    }
    free(enc);
    free(std);
    free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_text(data, size);
    as_bytes(data, size);
    return 0;
}
