/* test_jws.c — JWS compact HMAC (RFC 7515, RFC 7518 §3.2), the "custom JWT
 * decode" format: the RFC 7515 A.1 example, HS256/384/512 against the allowed
 * mask, rotation, an independently made HS256 token, and the refusals. Tokens
 * are handed to the library against a guard page. */
#include "jws.h"

#include <openssl/evp.h>

#include "b64url.h"
#include "unit.h"

static na_keyring ring(na_format f, const char *s0, const char *s1, const char *salt)
{
    na_keyring kr;
    const char *s[2] = {s0, s1};
    size_t l[2] = {strlen(s0), s1 ? strlen(s1) : 0};
    na_err err;
    if (na_keys_init(&kr, f, s, l, s1 ? 2 : 1, salt, &err) < 0)
        printf("    keyring: %s\n", err.msg);
    return kr;
}

static unsigned char scratch[1 << 17];

/* A copy of tok with one character of segment seg changed ('A' <-> 'B'); the
 * middle character, or the first one when first is set. */
static char *flip(const char *tok, int seg, int first)
{
    char *t = strdup(tok);
    char *p = t;
    for (int i = 0; i < seg; i++)
        p = strchr(p, '.') + 1;
    size_t n = strcspn(p, ".");
    size_t k = first || n < 2 ? 0 : n / 2;
    p[k] = p[k] == 'A' ? 'B' : 'A';
    return t;
}

static int ver(const na_keyring *kr, unsigned allowed, const char *tok, unsigned char **pl,
               size_t *pll)
{
    unsigned char *p = NULL;
    size_t n = 0;
    na_err err;
    na_err_clear(&err);
    size_t len = strlen(tok);
    int rc = na_jws_verify(kr, allowed, unit_guarded(tok, len), len, scratch, sizeof scratch,
                           &p, &n, &err);
    if (pl) {
        *pl = p;
        *pll = n;
    }
    return rc == 0 ? NA_OK : err.code == NA_OK ? -1 : (int)err.code;
}

static void test_rfc7515_a1(void)
{
    static const char tok[] =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQ"
        "ogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFO"
        "EjXk";
    static const char jwk_k[] =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    static const char payload[] =
        "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
    unsigned char key[64];
    CHECK_EQ_INT(na_b64url_decode(jwk_k, strlen(jwk_k), key, sizeof key), 64);
    const char *s[1] = {(const char *)key};
    size_t l[1] = {64};
    na_keyring kr;
    CHECK_EQ_INT(na_keys_init(&kr, NA_FMT_JWS, s, l, 1, NULL, NULL), 0);
    unsigned char *p;
    size_t n;
    CHECK_EQ_INT(ver(&kr, NA_ALG_HS256, tok, &p, &n), NA_OK);
    CHECK_EQ_MEM(p, n, payload, strlen(payload));
    /* One signature character changed: refused. */
    char *t = flip(tok, 2, 0);
    CHECK_EQ_INT(ver(&kr, NA_ALG_HS256, t, NULL, NULL), NA_E_CRYPTO);
    free(t);
    t = flip(tok, 1, 0);
    CHECK_EQ_INT(ver(&kr, NA_ALG_HS256, t, NULL, NULL), NA_E_CRYPTO);
    free(t);
    /* HS256 not allowed: refused before any MAC. */
    CHECK_EQ_INT(ver(&kr, NA_ALG_HS384 | NA_ALG_HS512, tok, NULL, NULL), NA_E_UNSUPPORTED);
    na_keys_clear(&kr);
}

static void test_jws(void)
{
    na_keyring one = ring(NA_FMT_JWS, "test-secret", NULL, NULL);
    na_keyring rot = ring(NA_FMT_JWS, "other", "test-secret", NULL);
    na_keyring other = ring(NA_FMT_JWS, "other", NULL, NULL);
    static const char pl[] = "{\"sub\":\"user-1\",\"exp\":4102444800}";
    const unsigned all = NA_ALG_HS256 | NA_ALG_HS384 | NA_ALG_HS512;
    static const struct {
        unsigned alg;
        const char *hdr;
        size_t siglen;
    } algs[] = {{NA_ALG_HS256, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 43},
                {NA_ALG_HS384, "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.", 64},
                {NA_ALG_HS512, "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.", 86}};
    for (size_t i = 0; i < 3; i++) {
        char *t = na_jws_sign(&one, algs[i].alg, (const unsigned char *)pl, strlen(pl), NULL);
        CHECK(t != NULL && strncmp(t, algs[i].hdr, strlen(algs[i].hdr)) == 0);
        if (t == NULL)
            continue;
        CHECK_EQ_INT(strlen(strrchr(t, '.') + 1), algs[i].siglen);
        unsigned char *p;
        size_t n;
        CHECK_EQ_INT(ver(&one, algs[i].alg, t, &p, &n), NA_OK);
        CHECK_EQ_MEM(p, n, pl, strlen(pl));
        CHECK_EQ_INT(ver(&one, all & ~algs[i].alg, t, NULL, NULL), NA_E_UNSUPPORTED);
        CHECK_EQ_INT(ver(&rot, algs[i].alg, t, NULL, NULL), NA_OK); /* tries each secret */
        CHECK_EQ_INT(ver(&other, all, t, NULL, NULL), NA_E_CRYPTO);
        free(t);
    }
    /* An HS256 token made here with OpenSSL is exactly what na_jws_sign makes. */
    char mine[256];
    size_t m = (size_t)sprintf(mine, "%s", algs[0].hdr);
    m += na_b64url_encode((const unsigned char *)pl, strlen(pl), mine + m);
    unsigned char mac[32];
    size_t ml = 0;
    EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, "test-secret", 11, (unsigned char *)mine, m,
              mac, 32, &ml);
    mine[m++] = '.';
    na_b64url_encode(mac, 32, mine + m);
    char *t = na_jws_sign(&one, NA_ALG_HS256, (const unsigned char *)pl, strlen(pl), NULL);
    CHECK_EQ_STR(t, mine);
    free(t);
    CHECK_EQ_INT(ver(&one, NA_ALG_HS256, mine, NULL, NULL), NA_OK);

    /* Refusals. */
    static const struct {
        const char *tok;
        int want;
    } bad[] = {
        /* {"alg":"none"} with an empty signature */
        {"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", NA_E_UNSUPPORTED},
        /* {"alg":"RS256"} and {"alg":"hs256"} */
        {"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.AAAA", NA_E_UNSUPPORTED},
        {"eyJhbGciOiJoczI1NiJ9.eyJzdWIiOiIxIn0.AAAA", NA_E_UNSUPPORTED},
        /* {"typ":"JWT"}: no alg */
        {"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.AAAA", NA_E_MALFORMED},
        /* {"alg":"HS256","crit":["b64"],"b64":false} */
        {"eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiYjY0Il0sImI2NCI6ZmFsc2V9.eyJzdWIiOiIxIn0.AAAA",
         NA_E_UNSUPPORTED},
        /* {"alg":"HS256"} with a short signature, and with none */
        {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.AAAA", NA_E_MALFORMED},
        {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.", NA_E_MALFORMED},
        {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", NA_E_MALFORMED},
        {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.AAAA.AAAA", NA_E_MALFORMED},
        {"", NA_E_MALFORMED},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!CHECK_EQ_INT(ver(&one, all, bad[i].tok, NULL, NULL), bad[i].want))
            printf("    token %s\n", bad[i].tok);
    /* A JWE keyring cannot verify. */
    na_keyring k4 = ring(NA_FMT_V4, "test-secret", NULL, NULL);
    CHECK_EQ_INT(ver(&k4, all, mine, NULL, NULL), NA_E_USAGE);
    CHECK(na_jws_sign(&k4, NA_ALG_HS256, (const unsigned char *)pl, 2, NULL) == NULL);
    CHECK(na_jws_sign(&one, 8, (const unsigned char *)pl, 2, NULL) == NULL);
    na_keys_clear(&k4);

    CHECK_EQ_INT(na_jws_alg_parse("HS256"), NA_ALG_HS256);
    CHECK_EQ_INT(na_jws_alg_parse("HS384"), NA_ALG_HS384);
    CHECK_EQ_INT(na_jws_alg_parse("HS512"), NA_ALG_HS512);
    CHECK_EQ_INT(na_jws_alg_parse("hs256"), 0);
    CHECK_EQ_INT(na_jws_alg_parse("none"), 0);
    CHECK_EQ_INT(na_jws_alg_parse("RS256"), 0);
    CHECK_EQ_INT(na_jws_alg_parse(""), 0);
    na_keys_clear(&one);
    na_keys_clear(&rot);
    na_keys_clear(&other);
}

int main(void)
{
    RUN(test_rfc7515_a1);
    RUN(test_jws);
    return unit_done();
}
