/* test_keys.c — the keyring: v4/v5 derivation and thumbprints (SPEC B3.2, B4.2),
 * rotation, refusals, format names. Includes keys.c to reach thumbprint(). */
#include "../../lib/keys.c"

#include <openssl/evp.h>

#include "unit.h"

static const char V4_KEY[] = "233a0d9c3e93817c2a383a4235b78cc7820ed294cbf0a88d52650b90af59115a";
static const char V5_K[] = "6d5bdbc76176d481ebca315e456c6c942c864e4346d78c6e49db4d8eca7aaefd"
                           "d68fd9a47eea1cb70c322d6664192987fc893c0524834d6aabd6252bebde01c6";
static const char V5_KID[] =
    "LRkaLvvdyMfrwyOXl-3zHT7H-Q6fvXef2C5aGEC8TV6M1hn2lc4MqO31BO1cubMQEgVtP4rDe_5iqQ928ttC7w";
static const char V5S_K[] = "c0bb790e555bd56227c0c2ccf35b54b0d3d0623b253a51ba8986e59a24d4fb91"
                            "7d9bc73158054af9d30525d93e22fdde6f80962025b32ffba72927af7ecec1ce";
static const char V5S_KID[] =
    "LyatFJaXETIrsw-5ojWy1V0zJKiulV4iFL7eVceCmpCN3X4U30ibGQhNUjKxPgKC1420w-jI18r13S7VPisvNQ";

static int init1(na_keyring *kr, na_format f, const char *secret, const char *salt, na_err *err)
{
    const char *s[1] = {secret};
    size_t l[1] = {strlen(secret)};
    return na_keys_init(kr, f, s, l, 1, salt, err);
}

/* RFC 7638 thumbprint computed here, independently of keys.c. */
static void ref_thumbprint(const unsigned char *key, size_t n, const EVP_MD *md, char *out)
{
    char k[100], jwk[160];
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    int kl = EVP_EncodeBlock((unsigned char *)k, key, (int)n);
    int j = 0;
    j += snprintf(jwk + j, sizeof jwk - (size_t)j, "{\"k\":\"");
    for (int i = 0; i < kl && k[i] != '='; i++)
        jwk[j++] = k[i] == '+' ? '-' : k[i] == '/' ? '_' : k[i];
    j += snprintf(jwk + j, sizeof jwk - (size_t)j, "\",\"kty\":\"oct\"}");
    EVP_Digest(jwk, (size_t)j, d, &dl, md, NULL);
    int ol = EVP_EncodeBlock((unsigned char *)k, d, (int)dl);
    int o = 0;
    for (int i = 0; i < ol && k[i] != '='; i++)
        out[o++] = k[i] == '+' ? '-' : k[i] == '/' ? '_' : k[i];
    out[o] = '\0';
}

static void test_v4_key(void)
{
    na_keyring kr;
    na_err err;
    unsigned char want[32];
    unit_hex(V4_KEY, want, sizeof want);

    CHECK_EQ_INT(init1(&kr, NA_FMT_V4, "test-secret", NULL, &err), 0);
    CHECK_EQ_INT(kr.format, NA_FMT_V4);
    CHECK_EQ_INT(kr.n, 1);
    CHECK_EQ_MEM(kr.keys[0].k4, 32, want, 32);
    CHECK_EQ_MEM(kr.keys[0].secret, kr.keys[0].secret_len, "test-secret", 11);
    na_keys_clear(&kr);

    /* An empty salt is the same as none (every session path, B3.2). */
    CHECK_EQ_INT(init1(&kr, NA_FMT_V4, "test-secret", "", &err), 0);
    CHECK_EQ_MEM(kr.keys[0].k4, 32, want, 32);
    na_keys_clear(&kr);

    /* Salted (state/PKCE tokens): info gets " (<salt>)". */
    static const char info[] = "NextAuth.js Generated Encryption Key (abc)";
    unsigned char salted[32];
    CHECK_EQ_INT(na_hkdf_sha256((const unsigned char *)"test-secret", 11,
                                (const unsigned char *)"abc", 3, (const unsigned char *)info,
                                strlen(info), salted, sizeof salted, NULL),
                 0);
    CHECK_EQ_INT(init1(&kr, NA_FMT_V4, "test-secret", "abc", &err), 0);
    CHECK_EQ_MEM(kr.keys[0].k4, 32, salted, 32);
    CHECK(memcmp(salted, want, 32) != 0);
    na_keys_clear(&kr);
}

static void check_v5(const char *salt, const char *khex, const char *kid)
{
    na_keyring kr;
    na_err err;
    unsigned char want[64];
    char gcm_kid[64];
    unit_hex(khex, want, sizeof want);
    ref_thumbprint(want, 32, EVP_sha256(), gcm_kid);

    CHECK_EQ_INT(init1(&kr, NA_FMT_V5, "test-secret", salt, &err), 0);
    CHECK_EQ_MEM(kr.keys[0].k5, 64, want, 64);
    CHECK_EQ_STR(kr.keys[0].kid5, kid);
    CHECK_EQ_INT(strlen(kr.keys[0].kid5), 86);
    CHECK_EQ_STR(kr.keys[0].kid5_gcm, gcm_kid);
    CHECK_EQ_INT(strlen(kr.keys[0].kid5_gcm), 43);
    na_keys_clear(&kr);
}

static void test_v5_keys(void)
{
    check_v5("authjs.session-token", V5_K, V5_KID);
    check_v5("__Secure-authjs.session-token", V5S_K, V5S_KID);
}

/* thumbprint() itself, against the independent construction, for both sizes. */
static void test_thumbprint(void)
{
    unsigned char k[64];
    char got[100], want[100];
    na_err err;
    unit_hex(V5_K, k, sizeof k);
    CHECK_EQ_INT(thumbprint(k, 64, EVP_sha512(), got, &err), 0);
    CHECK_EQ_STR(got, V5_KID);
    ref_thumbprint(k, 64, EVP_sha512(), want);
    CHECK_EQ_STR(got, want);
    CHECK_EQ_INT(thumbprint(k, 32, EVP_sha256(), got, &err), 0);
    ref_thumbprint(k, 32, EVP_sha256(), want);
    CHECK_EQ_STR(got, want);
}

static void test_rotation(void)
{
    na_keyring kr;
    na_err err;
    const char *s[2] = {"other", "test-secret"};
    size_t l[2] = {5, 11};
    unsigned char v4[32], v5[64];
    unit_hex(V4_KEY, v4, sizeof v4);
    unit_hex(V5_K, v5, sizeof v5);

    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_V4, s, l, 2, NULL, &err), 0);
    CHECK_EQ_INT(kr.n, 2);
    CHECK_EQ_MEM(kr.keys[1].k4, 32, v4, 32);
    CHECK(memcmp(kr.keys[0].k4, v4, 32) != 0);
    CHECK_EQ_MEM(kr.keys[0].secret, kr.keys[0].secret_len, "other", 5);
    na_keys_clear(&kr);

    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_V5, s, l, 2, "authjs.session-token", &err), 0);
    CHECK_EQ_INT(kr.n, 2);
    CHECK_EQ_MEM(kr.keys[1].k5, 64, v5, 64);
    CHECK_EQ_STR(kr.keys[1].kid5, V5_KID);
    CHECK(strcmp(kr.keys[0].kid5, V5_KID) != 0);
    CHECK(kr.keys[0].kid5[0] != '\0');
    na_keys_clear(&kr);

    /* The secrets are copied: changing the caller's buffer changes nothing. */
    char buf[] = "test-secret";
    const char *sb[1] = {buf};
    size_t lb[1] = {11};
    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_JWS, sb, lb, 1, NULL, &err), 0);
    buf[0] = 'X';
    CHECK_EQ_MEM(kr.keys[0].secret, kr.keys[0].secret_len, "test-secret", 11);
    na_keys_clear(&kr);
    na_keys_clear(&kr); /* safe twice */
    CHECK_EQ_INT(kr.n, 0);
}

static void test_refusals(void)
{
    na_keyring kr;
    na_err err;

    na_err_clear(&err);
    CHECK_EQ_INT(init1(&kr, NA_FMT_V4, "", NULL, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_NO_SECRET);
    CHECK_EQ_INT(kr.n, 0);
    CHECK_EQ_INT(init1(&kr, NA_FMT_V5, "", "authjs.session-token", &err), -1);
    CHECK_EQ_INT(init1(&kr, NA_FMT_JWS, "", NULL, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_NO_SECRET);

    /* An empty second secret: nothing is kept (the first copy is freed too). */
    const char *s[2] = {"good", ""};
    size_t l[2] = {4, 0};
    na_err_clear(&err);
    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_V4, s, l, 2, NULL, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_NO_SECRET);
    CHECK_EQ_INT(kr.n, 0);
    CHECK(kr.keys[0].secret == NULL);

    /* No secret at all, and too many. */
    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_V4, s, l, 0, NULL, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_NO_SECRET);
    const char *many[NA_MAX_SECRETS + 1];
    size_t ml[NA_MAX_SECRETS + 1];
    for (size_t i = 0; i <= NA_MAX_SECRETS; i++) {
        many[i] = "s";
        ml[i] = 1;
    }
    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_JWS, many, ml, NA_MAX_SECRETS + 1, NULL, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_CONFIG);
    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_JWS, many, ml, NA_MAX_SECRETS, NULL, &err), 0);
    CHECK_EQ_INT(kr.n, NA_MAX_SECRETS);
    na_keys_clear(&kr);

    /* Secret and salt length caps. */
    static char longs[NA_MAX_SECRET_LEN + 2];
    memset(longs, 'a', NA_MAX_SECRET_LEN + 1);
    CHECK_EQ_INT(init1(&kr, NA_FMT_V4, longs, NULL, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_CONFIG);
    longs[NA_MAX_SECRET_LEN] = '\0';
    CHECK_EQ_INT(init1(&kr, NA_FMT_V4, longs, NULL, &err), 0);
    na_keys_clear(&kr);
    static char salt[NA_MAX_SALT_LEN + 2];
    memset(salt, 'c', NA_MAX_SALT_LEN + 1);
    CHECK_EQ_INT(init1(&kr, NA_FMT_V5, "test-secret", salt, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_CONFIG);
    salt[NA_MAX_SALT_LEN] = '\0';
    CHECK_EQ_INT(init1(&kr, NA_FMT_V5, "test-secret", salt, &err), 0);
    na_keys_clear(&kr);
}

static void test_format_names(void)
{
    static const struct {
        const char *name;
        na_format f;
    } ok[] = {{"next-auth-v4", NA_FMT_V4}, {"authjs-v5", NA_FMT_V5}, {"jws", NA_FMT_JWS}};
    for (size_t i = 0; i < 3; i++) {
        na_format f = (na_format)99;
        CHECK_EQ_INT(na_keys_format_parse(ok[i].name, &f), 0);
        CHECK_EQ_INT(f, ok[i].f);
        CHECK_EQ_STR(na_keys_format_name(ok[i].f), ok[i].name);
    }
    static const char *const bad[] = {"", "v4", "v5", "JWS", "Next-Auth-V4", "next-auth-v4 ",
                                      "next-auth", "authjs", "jwe", "next-auth-v5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        na_format f = NA_FMT_JWS;
        CHECK_EQ_INT(na_keys_format_parse(bad[i], &f), -1);
        CHECK_EQ_INT(f, NA_FMT_JWS); /* untouched */
    }
    CHECK_EQ_STR(na_keys_format_name((na_format)42), "?");
}

int main(void)
{
    RUN(test_v4_key);
    RUN(test_v5_keys);
    RUN(test_thumbprint);
    RUN(test_rotation);
    RUN(test_refusals);
    RUN(test_format_names);
    return unit_done();
}
