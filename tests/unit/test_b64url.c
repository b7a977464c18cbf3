/* test_b64url.c — strict canonical base64url, exhaustively over small domains.
 *
 * The decoder is held to an independent reference rule: a string decodes iff
 * every character is in the url-safe alphabet, its length is not 4k+1, and the
 * unused low bits of the last character are zero (RFC 4648 §3.5, §5). Every
 * decoder input sits flush against a PROT_NONE page (unit_guarded), so reading
 * one byte too far crashes the test. The .c is included to reach its table. */
#include "../../lib/b64url.c"

#include <openssl/evp.h>

#include "unit.h"

static const char URL_ALPHA[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The index of c in URL_ALPHA, or -1 (memoised: the exhaustive loops call it
 * tens of millions of times). */
static int ref_value(unsigned char c)
{
    static signed char memo[256];
    static int ready;
    if (!ready) {
        for (int i = 0; i < 256; i++) {
            const char *p = i ? strchr(URL_ALPHA, i) : NULL;
            memo[i] = (signed char)(p ? p - URL_ALPHA : -1);
        }
        ready = 1;
    }
    return memo[c];
}

/* The reference decoder: bit accumulator, no tables shared with the library. */
static long ref_decode(const unsigned char *s, size_t n, unsigned char *out)
{
    unsigned acc = 0, bits = 0;
    size_t o = 0;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = ref_value(s[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return acc == 0 ? (long)o : -1; /* leftover bits must be zero (canonical) */
}

/* The reference encoder: OpenSSL's standard base64, translated to the url
 * alphabet with the padding removed. */
static size_t ref_encode(const unsigned char *in, size_t n, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    size_t k = 0;
    for (int i = 0; i < len; i++) {
        char c = out[i];
        if (c == '=')
            break;
        out[k++] = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    out[k] = '\0';
    return k;
}

/* Decode s (n bytes) placed against the guard page. */
static long guarded_decode(const void *s, size_t n, unsigned char *out, size_t cap)
{
    return na_b64url_decode(unit_guarded(s, n), n, out, cap);
}

static void test_table_matches_alphabet(void)
{
    int bad = 0;
    for (int c = 0; c < 256; c++) {
        int want = ref_value((unsigned char)c);
        int got = url_value[c] == 0xff ? -1 : url_value[c];
        if (got != want && bad++ < 5)
            printf("    url_value[0x%02x] = %d, want %d\n", c, got, want);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(strlen(url_alphabet), 64);
    CHECK_EQ_STR(url_alphabet, URL_ALPHA);
}

static void test_length_macros(void)
{
    int bad = 0;
    for (size_t n = 0; n < 1000; n++) {
        if (NA_B64URL_ENCODED_LEN(n) != (4 * n + 2) / 3)
            bad++;
        if (n % 4 != 1 && NA_B64URL_DECODED_LEN(n) != n * 6 / 8)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

/* Every byte string of length 0, 1 and 2 (1 + 256 + 65 536 of them). */
static void test_roundtrip_all_short(void)
{
    unsigned char in[2], out[8];
    char enc[8], ref[16];
    long bad = 0, count = 0;
    for (size_t len = 0; len <= 2; len++) {
        size_t total = len == 0 ? 1 : len == 1 ? 256 : 65536;
        for (size_t v = 0; v < total; v++) {
            in[0] = (unsigned char)(v & 0xff);
            in[1] = (unsigned char)(v >> 8);
            size_t n = na_b64url_encode(in, len, enc);
            size_t rn = ref_encode(in, len, ref);
            long d = guarded_decode(enc, n, out, sizeof out);
            count++;
            if (n != NA_B64URL_ENCODED_LEN(len) || enc[n] != '\0' || n != rn ||
                memcmp(enc, ref, n) != 0 || d != (long)len || memcmp(out, in, len) != 0) {
                if (bad++ < 5)
                    printf("    len %zu value %zu: \"%s\" (ref \"%s\") decoded %ld\n", len, v,
                           enc, ref, d);
            }
        }
    }
    CHECK_EQ_INT(count, 1 + 256 + 65536);
    CHECK_EQ_INT(bad, 0);
}

/* Longer inputs from a fixed pseudo-random sequence, against the reference. */
static void test_roundtrip_random(void)
{
    unsigned char in[300], out[300];
    char enc[404], ref[404];
    unsigned long long x = 0x9e3779b97f4a7c15ull;
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len = (size_t)(x % sizeof in);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            in[i] = (unsigned char)x;
        }
        size_t n = na_b64url_encode(in, len, enc);
        ref_encode(in, len, ref);
        long d = guarded_decode(enc, n, out, sizeof out);
        if (strcmp(enc, ref) != 0 || d != (long)len || memcmp(in, out, len) != 0)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

/* Decode agrees with the reference on s (n chars); returns 1 when it does. */
static int agrees(const unsigned char *s, size_t n)
{
    unsigned char got[8], want[8];
    long g = guarded_decode(s, n, got, sizeof got);
    long w = ref_decode(s, n, want);
    if (g != w)
        return 0;
    if (g > 0 && memcmp(got, want, (size_t)g) != 0)
        return 0;
    if (g >= 0) { /* canonical: re-encoding gives the same string back */
        char enc[8];
        size_t k = na_b64url_encode(got, (size_t)g, enc);
        if (k != n || memcmp(enc, s, n) != 0)
            return 0;
    }
    return 1;
}

static void report_disagreement(const unsigned char *s, size_t n, long *bad)
{
    if ((*bad)++ < 5) {
        unsigned char out[8];
        printf("    decode disagrees with the reference on");
        for (size_t i = 0; i < n; i++)
            printf(" %02x", s[i]);
        printf(": got %ld\n", guarded_decode(s, n, out, sizeof out));
    }
}

/* Every 1-, 2- and 3-character string over all 256 byte values (16.8 million). */
static void test_decode_all_short_strings(void)
{
    unsigned char s[3];
    long bad = 0, accepted[4] = {0};
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        if (!agrees(s, 1))
            report_disagreement(s, 1, &bad);
        accepted[1] += guarded_decode(s, 1, (unsigned char[8]){0}, 8) >= 0;
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            if (!agrees(s, 2))
                report_disagreement(s, 2, &bad);
            unsigned char o[8];
            accepted[2] += guarded_decode(s, 2, o, sizeof o) >= 0;
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                long g = guarded_decode(s, 3, o, sizeof o);
                long w = ref_decode(s, 3, o + 4);
                if (g != w || (g == 2 && memcmp(o, o + 4, 2) != 0))
                    report_disagreement(s, 3, &bad);
                accepted[3] += g >= 0;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
    /* Exactly one string per byte string: 0 of length 1, 256 of length 2, 65536 of 3. */
    CHECK_EQ_INT(accepted[1], 0);
    CHECK_EQ_INT(accepted[2], 256);
    CHECK_EQ_INT(accepted[3], 65536);
}

/* Every 4-character string over the alphabet plus '=', '+', '/', ' ' (68^4). */
static void test_decode_all_4char_near_alphabet(void)
{
    static const char set[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ";
    const size_t k = sizeof set - 1;
    unsigned char s[4], o[8];
    long bad = 0, accepted = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            for (size_t c = 0; c < k; c++)
                for (size_t d = 0; d < k; d++) {
                    s[0] = (unsigned char)set[a];
                    s[1] = (unsigned char)set[b];
                    s[2] = (unsigned char)set[c];
                    s[3] = (unsigned char)set[d];
                    long g = guarded_decode(s, 4, o, sizeof o);
                    /* all four in the alphabet <=> accepted */
                    int want = a < 64 && b < 64 && c < 64 && d < 64;
                    if ((g == 3) != want || (g != 3 && g != -1) ||
                        (want && ref_decode(s, 4, o + 4) == 3 && memcmp(o, o + 4, 3) != 0))
                        report_disagreement(s, 4, &bad);
                    accepted += g == 3;
                }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(accepted, 64L * 64 * 64 * 64);
}

static void test_rfc4648_vectors(void)
{
    /* RFC 4648 §10, in the url alphabet without padding (§5, RFC 7515 §2). */
    static const struct {
        const char *raw, *url;
    } v[] = {
        {"", ""},          {"f", "Zg"},         {"fo", "Zm8"},       {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char enc[16];
        unsigned char dec[16];
        size_t rl = strlen(v[i].raw), ul = strlen(v[i].url);
        CHECK_EQ_INT(na_b64url_encode((const unsigned char *)v[i].raw, rl, enc), ul);
        CHECK_EQ_STR(enc, v[i].url);
        long d = guarded_decode(v[i].url, ul, dec, sizeof dec);
        CHECK_EQ_INT(d, rl);
        if (d >= 0)
            CHECK_EQ_MEM(dec, (size_t)d, v[i].raw, rl);
    }
    /* The two characters where the url alphabet differs (62 '-', 63 '_'). */
    const unsigned char fb[] = {0xfb, 0xff, 0xbf};
    char enc[8];
    unsigned char dec[8];
    na_b64url_encode(fb, 3, enc);
    CHECK_EQ_STR(enc, "-_-_");
    na_b64url_encode(fb, 2, enc);
    CHECK_EQ_STR(enc, "-_8");
    CHECK_EQ_INT(guarded_decode("-_-_", 4, dec, sizeof dec), 3);
    CHECK_EQ_MEM(dec, 3, fb, 3);
    CHECK_EQ_INT(guarded_decode("+/+/", 4, dec, sizeof dec), -1);
}

static void test_padding_and_junk_refused(void)
{
    static const char *const bad[] = {
        "Zg==", "Zg=",  "Zm8=",     "Zm9vYg==", "Zm9vYmE=", "=",      "====",
        "Z",    "Zm9vY", "Zh",      "Zm9",      "Zm9vYmF",  "Zm9v\n", " Zm9v",
        "Zm 9v", "Zm9v ", "Zm9v\r\n", "Zm+v",    "Zm/v",     "Zm9v=",  "Zm9vYmFy=",
    };
    unsigned char out[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long d = guarded_decode(bad[i], strlen(bad[i]), out, sizeof out);
        if (!CHECK_EQ_INT(d, -1))
            printf("    input \"%s\"\n", bad[i]);
    }
    /* NUL and high bytes inside an otherwise valid group. */
    CHECK_EQ_INT(guarded_decode("Zm\0v", 4, out, sizeof out), -1);
    CHECK_EQ_INT(guarded_decode("Zm\xc3\xa9", 4, out, sizeof out), -1);
    /* Non-canonical: "Zh" and "Zm9" carry non-zero unused bits; "Zg" and "Zm8" do not. */
    CHECK_EQ_INT(guarded_decode("Zg", 2, out, sizeof out), 1);
    CHECK_EQ_INT(guarded_decode("Zm8", 3, out, sizeof out), 2);
}

static void test_capacity(void)
{
    unsigned char out[16];
    memset(out, 0xaa, sizeof out);
    /* "Zm9vYmFy" is 6 bytes: cap 5 refused without writing anything past it. */
    CHECK_EQ_INT(guarded_decode("Zm9vYmFy", 8, out, 5), -1);
    int untouched = 1;
    for (size_t i = 5; i < sizeof out; i++)
        untouched &= out[i] == 0xaa;
    CHECK(untouched);
    CHECK_EQ_INT(guarded_decode("Zm9vYmFy", 8, out, 6), 6);
    CHECK_EQ_MEM(out, 6, "foobar", 6);
    CHECK_EQ_INT(out[6], 0xaa);
    CHECK_EQ_INT(guarded_decode("", 0, out, 0), 0);
    CHECK_EQ_INT(guarded_decode("Zg", 2, out, 0), -1);
}

static void test_std_base64_vectors(void)
{
    static const struct {
        const char *raw, *b64;
    } v[] = {
        {"", ""},             {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
        {"\xfb\xff\xbf", "+/+/"}, {"\xfb\xff", "+/8="},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[16];
        memset(out, 'x', sizeof out);
        size_t rl = strlen(v[i].raw);
        CHECK_EQ_INT(na_b64url_encode_std((const unsigned char *)v[i].raw, rl, out), strlen(v[i].b64));
        CHECK_EQ_STR(out, v[i].b64);
        CHECK_EQ_INT(4 * ((rl + 2) / 3), strlen(v[i].b64));
    }
}

int main(void)
{
    RUN(test_table_matches_alphabet);
    RUN(test_length_macros);
    RUN(test_roundtrip_all_short);
    RUN(test_roundtrip_random);
    RUN(test_decode_all_short_strings);
    RUN(test_decode_all_4char_near_alphabet);
    RUN(test_rfc4648_vectors);
    RUN(test_padding_and_junk_refused);
    RUN(test_capacity);
    RUN(test_std_base64_vectors);
    return unit_done();
}
