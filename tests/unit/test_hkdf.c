/* SPDX-License-Identifier: MIT */
/* test_hkdf.c — HKDF-SHA256: RFC 5869 Appendix A.1–A.3 and the NextAuth keys
 * (docs/behaviour.md, Key derivation and Known-answer values). */
#include "hkdf.h"

#include "unit.h"

static void rfc5869_case(const char *ikm_hex, const char *salt_hex, const char *info_hex,
                         size_t L, const char *okm_hex)
{
    unsigned char ikm[128], salt[128], info[128], want[128], got[128];
    size_t il = unit_hex(ikm_hex, ikm, sizeof ikm);
    size_t sl = unit_hex(salt_hex, salt, sizeof salt);
    size_t nl = unit_hex(info_hex, info, sizeof info);
    size_t wl = unit_hex(okm_hex, want, sizeof want);
    na_err err;
    na_err_clear(&err);
    CHECK_EQ_INT(wl, L);
    CHECK_EQ_INT(na_hkdf_sha256(ikm, il, sl ? salt : NULL, sl, nl ? info : NULL, nl, got, L,
                                &err),
                 0);
    CHECK_EQ_MEM(got, L, want, wl);
}

static void test_rfc5869_a1(void)
{
    rfc5869_case("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
                 "f0f1f2f3f4f5f6f7f8f9", 42,
                 "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                 "34007208d5b887185865");
}

static void test_rfc5869_a2(void)
{
    rfc5869_case("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                 "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                 "404142434445464748494a4b4c4d4e4f",
                 "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                 "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
                 "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
                 "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
                 "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                 82,
                 "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                 "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                 "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

/* A.3: zero-length salt and info. */
static void test_rfc5869_a3(void)
{
    static const char okm[] = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                              "9d201395faa4b61a96c8";
    rfc5869_case("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42, okm);

    /* RFC 5869 §2.2: an absent salt is HashLen zero bytes — same output. */
    unsigned char ikm[22], zeros[32] = {0}, got[42], want[42];
    memset(ikm, 0x0b, sizeof ikm);
    unit_hex(okm, want, sizeof want);
    CHECK_EQ_INT(na_hkdf_sha256(ikm, sizeof ikm, zeros, sizeof zeros, (const unsigned char *)"",
                                0, got, sizeof got, NULL),
                 0);
    CHECK_EQ_MEM(got, sizeof got, want, sizeof want);
    /* A non-NULL empty salt pointer is the same as NULL. */
    CHECK_EQ_INT(na_hkdf_sha256(ikm, sizeof ikm, (const unsigned char *)"", 0,
                                (const unsigned char *)"", 0, got, sizeof got, NULL),
                 0);
    CHECK_EQ_MEM(got, sizeof got, want, sizeof want);
}

/* The next-auth v4 session key for secret "test-secret". */
static void test_nextauth_v4_key(void)
{
    static const char info[] = "NextAuth.js Generated Encryption Key";
    unsigned char got[32], want[32];
    unit_hex("233a0d9c3e93817c2a383a4235b78cc7820ed294cbf0a88d52650b90af59115a", want,
             sizeof want);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"test-secret", 11,
                                (const unsigned char *)"", 0, (const unsigned char *)info,
                                strlen(info), got, sizeof got, NULL),
                 0);
    CHECK_EQ_MEM(got, sizeof got, want, sizeof want);
}

/* The @auth/core key is 64 bytes, and its A256GCM key is the prefix. */
static void test_authjs_v5_key(void)
{
    static const char salt[] = "authjs.session-token";
    static const char info[] = "Auth.js Generated Encryption Key (authjs.session-token)";
    unsigned char got[64], want[64], k32[32];
    unit_hex("6d5bdbc76176d481ebca315e456c6c942c864e4346d78c6e49db4d8eca7aaefd"
             "d68fd9a47eea1cb70c322d6664192987fc893c0524834d6aabd6252bebde01c6",
             want, sizeof want);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"test-secret", 11,
                                (const unsigned char *)salt, strlen(salt),
                                (const unsigned char *)info, strlen(info), got, sizeof got,
                                NULL),
                 0);
    CHECK_EQ_MEM(got, sizeof got, want, sizeof want);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"test-secret", 11,
                                (const unsigned char *)salt, strlen(salt),
                                (const unsigned char *)info, strlen(info), k32, sizeof k32,
                                NULL),
                 0);
    CHECK_EQ_MEM(k32, sizeof k32, want, 32);
}

static void test_refusals(void)
{
    unsigned char out[64];
    na_err err;

    /* @panva/hkdf: "ikm must be at least one byte". */
    na_err_clear(&err);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"", 0, NULL, 0, NULL, 0, out, 32, &err),
                 -1);
    CHECK_EQ_INT(err.code, NA_E_NO_SECRET);
    CHECK(err.msg[0] != '\0');
    /* And with err NULL it still fails without crashing. */
    CHECK_EQ_INT(na_hkdf_sha256(NULL, 0, NULL, 0, NULL, 0, out, 32, NULL), -1);

    /* info is capped at 1024 bytes, as @panva/hkdf does. */
    static unsigned char info[1025];
    memset(info, 'i', sizeof info);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"k", 1, NULL, 0, info, 1024, out, 32,
                                &err),
                 0);
    na_err_clear(&err);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"k", 1, NULL, 0, info, 1025, out, 32,
                                &err),
                 -1);
    CHECK_EQ_INT(err.code, NA_E_USAGE);

    /* RFC 5869 §2.3: 0 < L <= 255 * HashLen. */
    static unsigned char big[255 * 32 + 1];
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"k", 1, NULL, 0, NULL, 0, out, 0, &err),
                 -1);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"k", 1, NULL, 0, NULL, 0, big,
                                sizeof big, &err),
                 -1);
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"k", 1, NULL, 0, NULL, 0, big,
                                sizeof big - 1, &err),
                 0);
}

int main(void)
{
    RUN(test_rfc5869_a1);
    RUN(test_rfc5869_a2);
    RUN(test_rfc5869_a3);
    RUN(test_nextauth_v4_key);
    RUN(test_authjs_v5_key);
    RUN(test_refusals);
    return unit_done();
}
