/* SPDX-License-Identifier: MIT */
/* test_mac.c — lib/mac.c: HMAC-SHA-256/384/512 against the test vectors of
 * RFC 4231 §4, the same MAC whatever the split into pieces, a keyed context
 * reused for many messages, and the constant-time compare at every length and
 * position. */
#include "mac.h"

#include <openssl/evp.h>

#include "unit.h"

/* RFC 4231 §4.2–§4.8. Test case 5 gives only the first 128 bits of each MAC. */
static const struct {
    const char *key;  /* hex */
    const char *data; /* hex, or NULL: text */
    const char *text;
    const char *mac[3]; /* SHA-256, SHA-384, SHA-512, hex */
} rfc4231[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL, "Hi There",
     {"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
      "faea9ea9076ede7f4af152e8b2fa9cb6",
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
      "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"}},
    {"4a656665", NULL, "what do ya want for nothing?",
     {"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
      "8e2240ca5e69e2c78b3239ecfab21649",
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
      "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"}},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
     "dddddddddddddd",
     NULL,
     {"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
      "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
      "2a5ab39dc13814b94e3ab6e101a34f27",
      "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
      "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"}},
    {"0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
     "cdcdcdcdcdcdcd",
     NULL,
     {"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
      "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
      "6801dd23c4a7d679ccf8a386c674cffb",
      "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
      "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"}},
    {"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL, "Test With Truncation",
     {"a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
      "415fad6271580a531d4179bc891d87a6"}},
    {NULL /* 131 × 0xaa */, NULL, "Test Using Larger Than Block-Size Key - Hash Key First",
     {"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
      "0c2ef6ab4030fe8296248df163f44952",
      "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
      "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"}},
    {NULL /* 131 × 0xaa */, NULL,
     "This is a test using a larger than block-size key and a larger than block-size data. "
     "The key needs to be hashed before being used by the HMAC algorithm.",
     {"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
      "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
      "a678cc31e799176d3860e6110c46523e",
      "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
      "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"}},
};

static const int bits[3] = {256, 384, 512};

typedef struct {
    unsigned char key[131], data[256], mac[64];
    size_t keylen, datalen, maclen;
} vector;

static void load(size_t i, int d, vector *v)
{
    if (rfc4231[i].key) {
        v->keylen = unit_hex(rfc4231[i].key, v->key, sizeof v->key);
    } else {
        memset(v->key, 0xaa, 131);
        v->keylen = 131;
    }
    if (rfc4231[i].data) {
        v->datalen = unit_hex(rfc4231[i].data, v->data, sizeof v->data);
    } else {
        v->datalen = strlen(rfc4231[i].text);
        memcpy(v->data, rfc4231[i].text, v->datalen);
    }
    v->maclen = unit_hex(rfc4231[i].mac[d], v->mac, sizeof v->mac);
}

/* The MAC of the vector's data in pieces of the given sizes (summing to datalen). */
static int mac_pieces(int b, const vector *v, const size_t *sizes, size_t n,
                      unsigned char out[64], size_t *outlen)
{
    na_piece p[300];
    size_t off = 0;
    for (size_t k = 0; k < n; k++) {
        p[k] = (na_piece){v->data + off, sizes[k]};
        off += sizes[k];
    }
    na_err err;
    return na_mac_sha2(b, v->key, v->keylen, p, n, out, outlen, &err);
}

static void test_rfc4231(void)
{
    for (size_t i = 0; i < sizeof rfc4231 / sizeof rfc4231[0]; i++)
        for (int d = 0; d < 3; d++) {
            vector v;
            load(i, d, &v);
            unsigned char out[64];
            size_t outlen = 0;
            na_piece one = {v.data, v.datalen};
            na_err err;
            int ok = unit_eq_int(na_mac_sha2(bits[d], v.key, v.keylen, &one, 1, out, &outlen,
                                             &err),
                                 0, __FILE__, __LINE__, "na_mac_sha2 rc");
            ok &= unit_eq_int(outlen, bits[d] / 8, __FILE__, __LINE__, "MAC length");
            /* test case 5: the RFC gives the leading 128 bits */
            ok &= unit_eq_mem(out, v.maclen, v.mac, v.maclen, __FILE__, __LINE__, "MAC");
            if (!ok)
                printf("    RFC 4231 test case %zu, HMAC-SHA-%d\n", i + 1, bits[d]);
        }
}

/* Every split of the data into two pieces, one byte a piece, and empty pieces
 * around and between: the MAC of the concatenation each time. */
static void test_pieces(void)
{
    long bad = 0, runs = 0;
    for (size_t i = 0; i < sizeof rfc4231 / sizeof rfc4231[0]; i++)
        for (int d = 0; d < 3; d++) {
            vector v;
            load(i, d, &v);
            unsigned char out[64];
            size_t outlen;
            for (size_t cut = 0; cut <= v.datalen; cut++) {
                size_t sizes[2] = {cut, v.datalen - cut};
                bad += mac_pieces(bits[d], &v, sizes, 2, out, &outlen) != 0 ||
                       memcmp(out, v.mac, v.maclen) != 0;
                runs++;
            }
            size_t ones[256];
            for (size_t k = 0; k < v.datalen; k++)
                ones[k] = 1;
            bad += mac_pieces(bits[d], &v, ones, v.datalen, out, &outlen) != 0 ||
                   memcmp(out, v.mac, v.maclen) != 0;
            size_t gaps[5] = {0, 3, 0, v.datalen - 3, 0};
            bad += mac_pieces(bits[d], &v, gaps, 5, out, &outlen) != 0 ||
                   memcmp(out, v.mac, v.maclen) != 0;
            runs += 2;
        }
    /* per digest: datalen + 1 cuts and 2 more for each case; 362 data bytes in all */
    CHECK_EQ_INT(runs, 3 * (362 + 7 * 3));
    CHECK_EQ_INT(bad, 0);

    /* no pieces at all: the MAC of the empty message (a changed key changes it) */
    unsigned char e1[64], e2[64];
    size_t l1, l2;
    na_err err;
    CHECK_EQ_INT(na_mac_sha2(256, (const unsigned char *)"k", 1, NULL, 0, e1, &l1, &err), 0);
    na_piece empty = {"", 0};
    CHECK_EQ_INT(na_mac_sha2(256, (const unsigned char *)"k", 1, &empty, 1, e2, &l2, &err), 0);
    CHECK_EQ_MEM(e1, l1, e2, l2);
    CHECK_EQ_INT(na_mac_sha2(256, (const unsigned char *)"K", 1, NULL, 0, e2, &l2, &err), 0);
    CHECK(memcmp(e1, e2, 32) != 0);
}

/* One keyed context for many messages: each answer is the one-shot MAC, in any
 * order, and the key survives every restart. */
static void test_reuse(void)
{
    for (int d = 0; d < 3; d++) {
        vector v[7];
        for (size_t i = 0; i < 7; i++)
            load(i, d, &v[i]);
        /* cases 6 and 7 share their key: one context answers both, many times */
        EVP_MAC_CTX *ctx = na_mac_new(bits[d], v[5].key, v[5].keylen);
        CHECK(ctx != NULL);
        if (ctx == NULL)
            continue;
        static const size_t order[] = {5, 6, 6, 5, 6, 5, 5};
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            const vector *w = &v[order[k]];
            unsigned char out[64];
            size_t outlen = 0;
            na_err err;
            na_piece p[3] = {{w->data, 1}, {w->data + 1, 0}, {w->data + 1, w->datalen - 1}};
            CHECK_EQ_INT(na_mac_run(ctx, p, 3, out, &outlen, &err), 0);
            CHECK_EQ_INT(outlen, bits[d] / 8);
            CHECK_EQ_MEM(out, outlen, w->mac, w->maclen);
        }
        EVP_MAC_CTX_free(ctx);

        /* a context per key, interleaved: none disturbs another */
        EVP_MAC_CTX *c[5];
        for (size_t i = 0; i < 5; i++)
            c[i] = na_mac_new(bits[d], v[i].key, v[i].keylen);
        for (int round = 0; round < 2; round++)
            for (size_t i = 0; i < 5; i++) {
                unsigned char out[64];
                size_t outlen = 0;
                na_err err;
                na_piece p = {v[i].data, v[i].datalen};
                CHECK(c[i] != NULL && na_mac_run(c[i], &p, 1, out, &outlen, &err) == 0 &&
                      memcmp(out, v[i].mac, v[i].maclen) == 0);
            }
        for (size_t i = 0; i < 5; i++)
            EVP_MAC_CTX_free(c[i]);
    }
}

static void test_bad_digest(void)
{
    static const int no[] = {0, 1, 160, 224, 255, 257, 1024, -256};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        unsigned char out[64];
        size_t outlen = 77;
        na_err err;
        na_err_clear(&err);
        na_piece p = {"x", 1};
        CHECK_EQ_INT(na_mac_sha2(no[i], (const unsigned char *)"k", 1, &p, 1, out, &outlen,
                                 &err),
                     -1);
        CHECK_EQ_INT(err.code, NA_E_USAGE);
        CHECK_EQ_INT(outlen, 77);
        CHECK(na_mac_new(no[i], (const unsigned char *)"k", 1) == NULL);
    }
    na_err err;
    na_err_clear(&err);
    na_piece p = {"x", 1};
    unsigned char out[64];
    size_t outlen;
    CHECK_EQ_INT(na_mac_sha2(128, (const unsigned char *)"k", 1, &p, 1, out, &outlen, &err), -1);
    CHECK_EQ_STR(err.msg, "hmac: unsupported digest size 128");
}

/* na_mac_equal: every length 0..70 at every alignment, equal buffers and a
 * difference at each single position (low bit, high bit, every bit). */
static void test_equal(void)
{
    unsigned char a[80 + 8], b[80 + 8];
    long wrong = 0, cases = 0;
    for (size_t n = 0; n <= 70; n++)
        for (size_t al = 0; al < 8; al++) {
            unsigned char *x = a + al, *y = b + (7 - al);
            for (size_t i = 0; i < n; i++)
                x[i] = y[i] = (unsigned char)(i * 37 + n);
            wrong += na_mac_equal(x, y, n) != 1;
            cases++;
            for (size_t i = 0; i < n; i++) {
                static const unsigned char flips[] = {0x01, 0x80, 0xff, 0x10};
                for (size_t f = 0; f < sizeof flips; f++) {
                    y[i] ^= flips[f];
                    wrong += na_mac_equal(x, y, n) != 0;
                    wrong += na_mac_equal(y, x, n) != 0;
                    y[i] ^= flips[f];
                    cases += 2;
                }
            }
            /* bytes past n never count */
            x[n] = 1, y[n] = 2;
            wrong += na_mac_equal(x, y, n) != 1;
            cases++;
        }
    CHECK_EQ_INT(cases, 71 * 8 * 2 + 8 * 8 * (70 * 71 / 2));
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(na_mac_equal("a", "b", 0), 1);
    CHECK_EQ_INT(na_mac_equal("abcdefgh12345678", "abcdefgh12345679", 16), 0);
    CHECK_EQ_INT(na_mac_equal("abcdefgh12345678", "abcdefgh12345678", 16), 1);
    CHECK_EQ_INT(na_mac_equal("Xbcdefgh", "abcdefgh", 8), 0);
}

int main(void)
{
    RUN(test_rfc4231);
    RUN(test_pieces);
    RUN(test_reuse);
    RUN(test_bad_digest);
    RUN(test_equal);
    return unit_done();
}
