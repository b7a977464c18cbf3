/* test_jose.c — JWE (v4 A256GCM, v5 A256CBC-HS512/A256GCM): known answers
 * (SPEC B3.5, B4.3, RFC 7518 B.3), round trips, tampering, and every refusal of
 * SPEC A1 with its na_code. Crafted tokens are built here with the library's
 * b64url and OpenSSL directly. Tokens are handed to the library against a guard
 * page. Includes jwe.c to reach its statics. JWS (HS*) is in test_jws.c. */
#include "../../lib/jwe.c"

#include "b64url.h"
#include "unit.h"

static const char CLAIMS[] =
    "{\"name\":\"Alice\",\"email\":\"alice@example.com\",\"picture\":null,\"sub\":\"user-1\","
    "\"iat\":1700000000,\"exp\":4102444800,\"jti\":\"00000000-0000-4000-8000-000000000000\"}";
static const char V4_KAT[] =
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAECAwQFBgcICQoL.mWGZN0spOpy6YzgLmPJdw_atzbh9B3d"
    "byQN_7b1mYyE4nopMR9sux3W2WwpCWNW7Q810nZ1MZDTgRau4X_Ttozy6N0AdfuIvWWKJEiIl0NrCm83HG59OdQO1S"
    "1BzlAt0-l21bwro_abHx1CL9Jo9efURAT44Y8kwfVk30QgbGCxI7uSAc0GKjO3FCa7fSnowfHCdHHohj6Xk.G2FkM9"
    "iuM3PfKct1YihW2g";
static const char V5_KAT[] =
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiTFJrYUx2dmR5TWZyd3lPWGwtM3pIVDdILV"
    "E2ZnZYZWYyQzVhR0VDOFRWNk0xaG4ybGM0TXFPMzFCTzFjdWJNUUVnVnRQNHJEZV81aXFROTI4dHRDN3cifQ..AAEC"
    "AwQFBgcICQoLDA0ODw.V5IMH6Osf7A3bGQIRZHeyot8a6rL1F07Ov8JbGTAB6tMeyPGGqLmzfRUDjCA6the2_fZgmE"
    "FpaBsYG3VuJqWA-q7YLOKDl0MwnrQgl8tpDgiXCfYzk1sR5MpHAiVkNpmP7EiDOhZYPfKKpj5Y54A73pwfkyV_iVw5N"
    "Z4Gq_I8RFdu2Tfva3szk8YvEAZfLso9VLkI3oG_tESe-INle6H8Q.aMPeBpfK_lOWbKbHhZ-ljrIkKC6fYUSA_cJJk"
    "gU_a5c";
static const char V5_SALT[] = "authjs.session-token";

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

/* Decrypt tok (guarded); the na_code, and the plaintext in *pt and *ptlen on success. */
static int dec(const na_keyring *kr, const char *tok, unsigned char **pt, size_t *ptlen)
{
    unsigned char *p = NULL;
    size_t n = 0;
    na_err err;
    na_err_clear(&err);
    size_t len = strlen(tok);
    int rc = na_jwe_decrypt(kr, unit_guarded(tok, len), len, scratch, sizeof scratch, &p, &n,
                            NULL, &err);
    if (pt) {
        *pt = p;
        *ptlen = n;
    }
    if (rc == 0)
        return NA_OK;
    return err.code == NA_OK ? -1 : (int)err.code;
}

static void expect_dec(const na_keyring *kr, const char *tok, int want, int line)
{
    if (!unit_eq_int(dec(kr, tok, NULL, NULL), want, __FILE__, line, "decrypt verdict"))
        printf("    token %s\n", tok);
}
#define EXPECT_DEC(kr, tok, want) expect_dec((kr), (tok), (want), __LINE__)

/* A crafted JWE: header JSON, encrypted-key text, IV 00 01 02 … of ivlen bytes,
 * tag cut or zero-extended to taglen bytes. cbc: A256CBC-HS512 with a 64-byte key
 * (tag by EVP_Q_mac, not by the library), else AES-256-GCM with a 32-byte key. */
typedef struct {
    const char *hdr, *ekey;
    int cbc;
    const unsigned char *key;
    size_t ivlen;
    const char *pt;
    size_t taglen;
} spec;

static char *build(const spec *s)
{
    char h[1500];
    unsigned char iv[32], ct[1024], tag[64] = {0}, mac_in[2048];
    int n = 0, f = 0;
    size_t hl = na_b64url_encode((const unsigned char *)s->hdr, strlen(s->hdr), h);
    for (size_t i = 0; i < sizeof iv; i++)
        iv[i] = (unsigned char)i;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    const unsigned char *pt = (const unsigned char *)s->pt;
    int ptl = (int)strlen(s->pt);
    if (!s->cbc) {
        EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL);
        if (s->ivlen > 0)
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)s->ivlen, NULL);
        EVP_EncryptInit_ex(c, NULL, NULL, s->key, iv);
        EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)h, (int)hl);
        EVP_EncryptUpdate(c, ct, &n, pt, ptl);
        EVP_EncryptFinal_ex(c, ct + n, &f);
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    } else {
        EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, s->key + 32, iv);
        EVP_EncryptUpdate(c, ct, &n, pt, ptl);
        EVP_EncryptFinal_ex(c, ct + n, &f);
        /* RFC 7518 §5.2.2.1: HMAC-SHA-512(MAC_KEY, A || IV || E || AL), first 32 bytes. */
        size_t m = 0, ml = 0;
        memcpy(mac_in + m, h, hl), m += hl;
        memcpy(mac_in + m, iv, 16), m += 16;
        memcpy(mac_in + m, ct, (size_t)(n + f)), m += (size_t)(n + f);
        for (int i = 7; i >= 0; i--)
            mac_in[m++] = (unsigned char)(((unsigned long long)hl * 8) >> (8 * i));
        EVP_Q_mac(NULL, "HMAC", NULL, "SHA512", NULL, s->key, 32, mac_in, m, tag, sizeof tag,
                  &ml);
    }
    EVP_CIPHER_CTX_free(c);
    char *out = malloc(8192);
    char *p = out + sprintf(out, "%s.%s.", h, s->ekey);
    p += na_b64url_encode(iv, s->ivlen, p);
    *p++ = '.';
    p += na_b64url_encode(ct, (size_t)(n + f), p);
    *p++ = '.';
    na_b64url_encode(tag, s->taglen, p);
    return out;
}

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

static void test_v4_kat(void)
{
    na_keyring kr = ring(NA_FMT_V4, "test-secret", NULL, NULL);
    unsigned char *pt;
    size_t n;
    CHECK_EQ_INT(dec(&kr, V4_KAT, &pt, &n), NA_OK);
    CHECK_EQ_MEM(pt, n, CLAIMS, strlen(CLAIMS));
    /* jwe.h: the exact header NextAuth writes takes the fast path and is not
     * parsed, so no header object comes back (there is nothing in it to check). */
    json_t sentinel_obj, *h = &sentinel_obj; /* any non-NULL value, never freed */
    CHECK_EQ_INT(na_jwe_decrypt(&kr, V4_KAT, strlen(V4_KAT), scratch, sizeof scratch, &pt, &n,
                                &h, NULL),
                 0);
    CHECK(h == NULL);
    /* Rotation: v4 tries every secret in order. */
    na_keys_clear(&kr);
    kr = ring(NA_FMT_V4, "other", "test-secret", NULL);
    CHECK_EQ_INT(dec(&kr, V4_KAT, &pt, &n), NA_OK);
    CHECK_EQ_MEM(pt, n, CLAIMS, strlen(CLAIMS));
    na_keys_clear(&kr);
    kr = ring(NA_FMT_V4, "other", NULL, NULL);
    EXPECT_DEC(&kr, V4_KAT, NA_E_CRYPTO);
    /* A scratch buffer too small for the ciphertext is refused, not overrun. */
    CHECK_EQ_INT(na_jwe_decrypt(&kr, V4_KAT, strlen(V4_KAT), scratch, 64, &pt, &n, NULL, NULL),
                 -1);
    na_keys_clear(&kr);
}

static void test_v5_kat(void)
{
    na_keyring kr = ring(NA_FMT_V5, "test-secret", NULL, V5_SALT);
    unsigned char *pt;
    size_t n;
    CHECK_EQ_INT(dec(&kr, V5_KAT, &pt, &n), NA_OK);
    CHECK_EQ_MEM(pt, n, CLAIMS, strlen(CLAIMS));
    /* The KAT header is exactly the key's own header: fast path, no header object. */
    json_t sentinel_obj, *h = &sentinel_obj; /* any non-NULL value, never freed */
    CHECK_EQ_INT(na_jwe_decrypt(&kr, V5_KAT, strlen(V5_KAT), scratch, sizeof scratch, &pt, &n,
                                &h, NULL),
                 0);
    CHECK(h == NULL);
    na_keys_clear(&kr);
    /* The kid picks the second secret. */
    kr = ring(NA_FMT_V5, "other", "test-secret", V5_SALT);
    CHECK_EQ_INT(dec(&kr, V5_KAT, &pt, &n), NA_OK);
    CHECK_EQ_MEM(pt, n, CLAIMS, strlen(CLAIMS));
    na_keys_clear(&kr);
    /* No secret has that thumbprint: "no matching decryption secret". */
    kr = ring(NA_FMT_V5, "other", NULL, V5_SALT);
    EXPECT_DEC(&kr, V5_KAT, NA_E_KEY);
    na_keys_clear(&kr);
    /* Same secret, other salt (the __Secure- cookie name): other key, other kid. */
    kr = ring(NA_FMT_V5, "test-secret", NULL, "__Secure-authjs.session-token");
    EXPECT_DEC(&kr, V5_KAT, NA_E_KEY);
    na_keys_clear(&kr);
}

/* RFC 7518 Appendix B.3, through the statics of jwe.c. */
static void test_rfc7518_b3(void)
{
    unsigned char k[64], p[128], iv[16], a[64], e[160], t[32], tag[64], out[160];
    size_t kl = unit_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                         "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
                         k, sizeof k);
    size_t pl = unit_hex("41206369706865722073797374656d206d757374206e6f742062652072657175"
                         "6972656420746f206265207365637265742c20616e64206974206d7573742062"
                         "652061626c6520746f2066616c6c20696e746f207468652068616e6473206f66"
                         "2074686520656e656d7920776974686f757420696e636f6e76656e69656e6365",
                         p, sizeof p);
    unit_hex("1af38c2dc2b96ffdd86694092341bc04", iv, sizeof iv);
    size_t al = unit_hex("546865207365636f6e64207072696e6369706c65206f662041756775737465"
                         "204b6572636b686f666673",
                         a, sizeof a);
    size_t el = unit_hex("4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd"
                         "822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b"
                         "36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3"
                         "a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b"
                         "be2638d09dd7a4930930806d0703b1f6",
                         e, sizeof e);
    unit_hex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5", t, sizeof t);
    CHECK_EQ_INT(kl, 64);
    CHECK_EQ_INT(al, 42); /* AL = 0x150 = 336 bits */
    CHECK_EQ_INT(el, 144);

    /* The key's contexts as keys.c sets them up: HMAC-SHA-512 keyed with MAC_KEY =
     * K[0..32), AES-256-CBC decryption keyed with ENC_KEY = K[32..64). */
    na_key key;
    memset(&key, 0, sizeof key);
    key.mac = na_mac_new(512, k, 32);
    key.cbc = EVP_CIPHER_CTX_new();
    CHECK(key.mac != NULL && key.cbc != NULL &&
          EVP_DecryptInit_ex(key.cbc, EVP_aes_256_cbc(), NULL, k + 32, NULL) == 1);

    CHECK_EQ_INT(cbc_hs512_tag(key.mac, a, al, iv, e, el, tag, NULL), 0);
    CHECK_EQ_MEM(tag, 32, t, 32);
    size_t ol = 0;
    CHECK_EQ_INT(cbc_decrypt(&key, iv, a, al, e, el, t, out, &ol), 0);
    CHECK_EQ_MEM(out, ol, p, pl);
    /* The context is reusable: the same answer a second time. */
    CHECK_EQ_INT(cbc_hs512_tag(key.mac, a, al, iv, e, el, tag, NULL), 0);
    CHECK_EQ_MEM(tag, 32, t, 32);
    t[31] ^= 1;
    CHECK_EQ_INT(cbc_decrypt(&key, iv, a, al, e, el, t, out, &ol), -1);
    t[31] ^= 1;
    a[0] ^= 1; /* the AAD is authenticated */
    CHECK_EQ_INT(cbc_decrypt(&key, iv, a, al, e, el, t, out, &ol), -1);
    a[0] ^= 1;
    CHECK_EQ_INT(cbc_decrypt(&key, iv, a, al, e, el, t, out, &ol), 0);
    CHECK_EQ_MEM(out, ol, p, pl);
    EVP_MAC_CTX_free(key.mac);
    EVP_CIPHER_CTX_free(key.cbc);
}

static void roundtrip(na_format f, const char *salt, const char *prefix, size_t ivchars,
                      size_t tagchars)
{
    na_keyring kr = ring(f, "test-secret", NULL, salt);
    static char pt[5001];
    size_t lens[] = {1, 2, 15, 16, 17, 31, 32, 33, 100, 5000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (size_t j = 0; j < lens[i]; j++)
            pt[j] = (char)('a' + (i + j) % 26);
        pt[lens[i]] = '\0';
        na_err err;
        char *t1 = na_jwe_encrypt(&kr, (const unsigned char *)pt, lens[i], &err);
        char *t2 = na_jwe_encrypt(&kr, (const unsigned char *)pt, lens[i], &err);
        CHECK(t1 != NULL && t2 != NULL);
        if (t1 == NULL || t2 == NULL) {
            free(t1);
            free(t2);
            continue;
        }
        CHECK(strncmp(t1, prefix, strlen(prefix)) == 0);
        CHECK(strcmp(t1, t2) != 0); /* a fresh random IV each time */
        na_seg s[5];
        CHECK_EQ_INT(na_compact_split(t1, strlen(t1), s, 5, NULL), 0);
        CHECK_EQ_INT(s[1].n, 0);
        CHECK_EQ_INT(s[2].n, ivchars);
        CHECK_EQ_INT(s[4].n, tagchars);
        unsigned char *out;
        size_t n;
        CHECK_EQ_INT(dec(&kr, t1, &out, &n), NA_OK);
        CHECK_EQ_MEM(out, n, pt, lens[i]);
        free(t1);
        free(t2);
    }
    na_keys_clear(&kr);
}

static void test_roundtrips(void)
{
    roundtrip(NA_FMT_V4, NULL, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..", 16, 22);
    roundtrip(NA_FMT_V5, V5_SALT,
              "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoi", 22, 43);
    /* The v5 header is exactly {"alg":"dir","enc":"A256CBC-HS512","kid":"<kid>"}. */
    na_keyring kr = ring(NA_FMT_V5, "test-secret", NULL, V5_SALT);
    char *t = na_jwe_encrypt(&kr, (const unsigned char *)"{}", 2, NULL);
    char want[256], got[256];
    snprintf(want, sizeof want, "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"%s\"}",
             kr.keys[0].kid5);
    long n = t ? na_b64url_decode(t, strcspn(t, "."), (unsigned char *)got, sizeof got) : -1;
    CHECK_EQ_MEM(got, n < 0 ? 0 : (size_t)n, want, strlen(want));
    free(t);
    /* A JWS keyring cannot encrypt. */
    na_keys_clear(&kr);
    kr = ring(NA_FMT_JWS, "test-secret", NULL, NULL);
    na_err err;
    na_err_clear(&err);
    CHECK(na_jwe_encrypt(&kr, (const unsigned char *)"{}", 2, &err) == NULL);
    CHECK_EQ_INT(err.code, NA_E_USAGE);
    CHECK_EQ_INT(dec(&kr, V4_KAT, NULL, NULL), NA_E_USAGE);
    na_keys_clear(&kr);
}

static void tamper(const na_keyring *kr, const char *tok)
{
    /* header: a changed character breaks the base64url, the JSON, the kid (v5)
     * or the AAD. */
    for (int first = 0; first <= 1; first++) {
        char *t = flip(tok, 0, first);
        int c = dec(kr, t, NULL, NULL);
        if (!CHECK(c == NA_E_MALFORMED || c == NA_E_CRYPTO || c == NA_E_UNSUPPORTED ||
                   c == NA_E_KEY))
            printf("    code %d for %s\n", c, t);
        free(t);
    }
    /* encrypted key: must stay empty. */
    char *t = malloc(strlen(tok) + 8);
    size_t h = strcspn(tok, ".");
    sprintf(t, "%.*s.AAAA%s", (int)h, tok, tok + h + 1);
    EXPECT_DEC(kr, t, NA_E_MALFORMED);
    free(t);
    /* IV, ciphertext and tag: the tag check fails. */
    for (int seg = 2; seg <= 4; seg++)
        for (int first = 0; first <= 1; first++) {
            t = flip(tok, seg, first);
            EXPECT_DEC(kr, t, NA_E_CRYPTO);
            free(t);
        }
}

static void test_tampering(void)
{
    na_keyring k4 = ring(NA_FMT_V4, "test-secret", NULL, NULL);
    na_keyring k5 = ring(NA_FMT_V5, "test-secret", NULL, V5_SALT);
    tamper(&k4, V4_KAT);
    tamper(&k5, V5_KAT);
    /* The AAD is the header text as sent: the same JSON re-encoded with a space
     * decrypts with nothing (tag mismatch). */
    spec s = {"{\"alg\":\"dir\",\"enc\":\"A256GCM\"}", "", 0, k4.keys[0].k4, 12, CLAIMS, 16};
    char *good = build(&s);
    EXPECT_DEC(&k4, good, NA_OK);
    char *bad = malloc(strlen(good) + 8);
    char h2[64];
    na_b64url_encode((const unsigned char *)"{\"alg\":\"dir\", \"enc\":\"A256GCM\"}", 30, h2);
    sprintf(bad, "%s%s", h2, strchr(good, '.'));
    EXPECT_DEC(&k4, bad, NA_E_CRYPTO);
    free(good);
    free(bad);
    /* Segment counts and padding. */
    EXPECT_DEC(&k4, "a.b.c.d", NA_E_MALFORMED);
    EXPECT_DEC(&k4, "", NA_E_MALFORMED);
    char *six = malloc(strlen(V4_KAT) + 8);
    sprintf(six, "%s.", V4_KAT);
    EXPECT_DEC(&k4, six, NA_E_MALFORMED);
    sprintf(six, "%s=", V4_KAT);
    EXPECT_DEC(&k4, six, NA_E_MALFORMED);
    free(six);
    na_keys_clear(&k4);
    na_keys_clear(&k5);
}

/* Crafted tokens: each one well made but for the one thing that is refused. */
static void test_refusals(void)
{
    na_keyring k4 = ring(NA_FMT_V4, "test-secret", NULL, NULL);
    na_keyring k5 = ring(NA_FMT_V5, "test-secret", NULL, V5_SALT);
    const unsigned char *key4 = k4.keys[0].k4, *key5 = k5.keys[0].k5;
    static const char GCM[] = "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}";
    char cbc[200];
    snprintf(cbc, sizeof cbc, "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"%s\"}",
             k5.keys[0].kid5);
    static const struct {
        const char *hdr, *ekey;
        int cbc; /* 0 GCM, 1 CBC with the v5 header above */
        size_t ivlen, taglen;
        const char *pt;
        int v4, v5; /* expected codes */
    } cases[] = {
        /* controls: well made */
        {GCM, "", 0, 12, 16, CLAIMS, NA_OK, NA_E_CRYPTO},
        {NULL, "", 1, 16, 32, CLAIMS, NA_E_UNSUPPORTED, NA_OK},
        {"{\"enc\":\"A256GCM\",\"alg\":\"dir\"}", "", 0, 12, 16, CLAIMS, NA_OK, NA_E_CRYPTO},
        /* IV and tag lengths (RFC 7518 §5.3, §5.2.5) */
        {GCM, "", 0, 16, 16, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {GCM, "", 0, 8, 16, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {GCM, "", 0, 0, 16, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {GCM, "", 0, 12, 12, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {GCM, "", 0, 12, 32, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {GCM, "", 0, 12, 0, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {NULL, "", 1, 12, 32, CLAIMS, NA_E_UNSUPPORTED, NA_E_MALFORMED},
        {NULL, "", 1, 16, 16, CLAIMS, NA_E_UNSUPPORTED, NA_E_MALFORMED},
        {NULL, "", 1, 16, 64, CLAIMS, NA_E_UNSUPPORTED, NA_E_MALFORMED},
        /* alg dir has no encrypted key (RFC 7518 §4.5) */
        {GCM, "AAAA", 0, 12, 16, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        /* zip, crit */
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"zip\":\"DEF\"}", "", 0, 12, 16, CLAIMS,
         NA_E_UNSUPPORTED, NA_E_UNSUPPORTED},
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"crit\":[\"exp\"],\"exp\":1}", "", 0, 12, 16,
         CLAIMS, NA_E_UNSUPPORTED, NA_E_UNSUPPORTED},
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"crit\":[]}", "", 0, 12, 16, CLAIMS,
         NA_E_UNSUPPORTED, NA_E_UNSUPPORTED},
        /* alg */
        {"{\"alg\":\"none\",\"enc\":\"A256GCM\"}", "", 0, 12, 16, CLAIMS, NA_E_UNSUPPORTED,
         NA_E_UNSUPPORTED},
        {"{\"alg\":\"A256KW\",\"enc\":\"A256GCM\"}", "", 0, 12, 16, CLAIMS, NA_E_UNSUPPORTED,
         NA_E_UNSUPPORTED},
        {"{\"alg\":\"DIR\",\"enc\":\"A256GCM\"}", "", 0, 12, 16, CLAIMS, NA_E_UNSUPPORTED,
         NA_E_UNSUPPORTED},
        {"{\"enc\":\"A256GCM\"}", "", 0, 12, 16, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {"{\"alg\":1,\"enc\":\"A256GCM\"}", "", 0, 12, 16, CLAIMS, NA_E_MALFORMED,
         NA_E_MALFORMED},
        /* enc */
        {"{\"alg\":\"dir\",\"enc\":\"A128GCM\"}", "", 0, 12, 16, CLAIMS, NA_E_UNSUPPORTED,
         NA_E_UNSUPPORTED},
        {"{\"alg\":\"dir\",\"enc\":\"A192GCM\"}", "", 0, 12, 16, CLAIMS, NA_E_UNSUPPORTED,
         NA_E_UNSUPPORTED},
        {"{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\"}", "", 0, 16, 16, CLAIMS,
         NA_E_UNSUPPORTED, NA_E_UNSUPPORTED},
        {"{\"alg\":\"dir\",\"enc\":\"a256gcm\"}", "", 0, 12, 16, CLAIMS, NA_E_UNSUPPORTED,
         NA_E_UNSUPPORTED},
        {"{\"alg\":\"dir\"}", "", 0, 12, 16, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {"{\"alg\":\"dir\",\"enc\":null}", "", 0, 12, 16, CLAIMS, NA_E_MALFORMED,
         NA_E_MALFORMED},
        /* the header must be one strict JSON object */
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"enc\":\"A256GCM\"}", "", 0, 12, 16, CLAIMS,
         NA_E_MALFORMED, NA_E_MALFORMED},
        {"[\"dir\"]", "", 0, 12, 16, CLAIMS, NA_E_MALFORMED, NA_E_MALFORMED},
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\"} ", "", 0, 12, 16, CLAIMS, NA_OK, NA_E_CRYPTO},
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\"}x", "", 0, 12, 16, CLAIMS, NA_E_MALFORMED,
         NA_E_MALFORMED},
        /* an empty ciphertext */
        {GCM, "", 0, 12, 16, "", NA_E_MALFORMED, NA_E_MALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        spec s = {cases[i].hdr ? cases[i].hdr : cbc, cases[i].ekey, cases[i].cbc,
                  cases[i].cbc ? key5 : key4, cases[i].ivlen, cases[i].pt, cases[i].taglen};
        char *t = build(&s);
        int c4 = dec(&k4, t, NULL, NULL);
        int ok = unit_eq_int(c4, cases[i].v4, __FILE__, __LINE__, "v4 keyring verdict");
        /* The v5 keyring: GCM cases keyed with the v5 GCM key instead. */
        if (!cases[i].cbc) {
            free(t);
            s.key = key5;
            t = build(&s);
            int want5 = cases[i].v5 == NA_E_CRYPTO ? NA_OK : cases[i].v5;
            ok &= unit_eq_int(dec(&k5, t, NULL, NULL), want5, __FILE__, __LINE__,
                              "v5 keyring verdict (v5 GCM key)");
            /* and the v4-keyed token, as v5 sees it */
            free(t);
            s.key = key4;
            t = build(&s);
        }
        ok &= unit_eq_int(dec(&k5, t, NULL, NULL), cases[i].v5, __FILE__, __LINE__,
                          "v5 keyring verdict");
        if (!ok)
            printf("    case %zu: header %s\n", i, s.hdr);
        free(t);
    }
    /* The protected header is capped at NA_HEADER_MAX decoded bytes. */
    static char big[NA_HEADER_MAX + 64];
    for (size_t extra = NA_HEADER_MAX; extra <= NA_HEADER_MAX + 1; extra++) {
        /* {"alg":"dir","enc":"A256GCM","x":"…"} of exactly `extra` bytes */
        int n = sprintf(big, "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"x\":\"");
        memset(big + n, 'x', extra - (size_t)n - 2);
        strcpy(big + extra - 2, "\"}");
        spec hs = {big, "", 0, key4, 12, CLAIMS, 16};
        char *ht = build(&hs);
        EXPECT_DEC(&k4, ht, extra == NA_HEADER_MAX ? NA_OK : NA_E_TOO_BIG);
        free(ht);
    }
    /* CBC ciphertext that is not whole blocks. */
    spec s = {cbc, "", 1, key5, 16, CLAIMS, 32};
    char *t = build(&s);
    char *dot = strchr(strchr(strchr(strchr(t, '.') + 1, '.') + 1, '.') + 1, '.');
    memmove(dot - 4, dot, strlen(dot) + 1); /* 4 characters less: 3 bytes less */
    EXPECT_DEC(&k5, t, NA_E_MALFORMED);
    free(t);
    /* v4 keyring given the v5 known answer and vice versa. */
    EXPECT_DEC(&k4, V5_KAT, NA_E_UNSUPPORTED);
    EXPECT_DEC(&k5, V4_KAT, NA_E_CRYPTO);
    na_keys_clear(&k4);
    na_keys_clear(&k5);
}

/* v5 A256GCM: kid-less tokens try the first secret only (B4.3); a kid is the
 * SHA-256 thumbprint of the 32-byte key. */
static void test_v5_gcm_kid(void)
{
    na_keyring mine = ring(NA_FMT_V5, "test-secret", NULL, V5_SALT);
    na_keyring first = ring(NA_FMT_V5, "test-secret", "other", V5_SALT);
    na_keyring second = ring(NA_FMT_V5, "other", "test-secret", V5_SALT);
    spec s = {"{\"alg\":\"dir\",\"enc\":\"A256GCM\"}", "", 0, mine.keys[0].k5, 12, CLAIMS, 16};
    char *t = build(&s);
    EXPECT_DEC(&first, t, NA_OK);
    EXPECT_DEC(&second, t, NA_E_CRYPTO);
    free(t);

    char hdr[200];
    snprintf(hdr, sizeof hdr, "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"%s\"}",
             mine.keys[0].kid5_gcm);
    s.hdr = hdr;
    t = build(&s);
    EXPECT_DEC(&second, t, NA_OK);
    free(t);
    /* The SHA-512 (CBC) thumbprint does not name a GCM key. */
    snprintf(hdr, sizeof hdr, "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"%s\"}",
             mine.keys[0].kid5);
    t = build(&s);
    EXPECT_DEC(&second, t, NA_E_KEY);
    free(t);
    /* A kid that is not a string. */
    s.hdr = "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":7}";
    t = build(&s);
    EXPECT_DEC(&first, t, NA_E_MALFORMED);
    free(t);
    /* A CBC token without kid: first secret only. */
    s = (spec){"{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\"}", "", 1, mine.keys[0].k5, 16,
               CLAIMS, 32};
    t = build(&s);
    EXPECT_DEC(&first, t, NA_OK);
    EXPECT_DEC(&second, t, NA_E_CRYPTO);
    free(t);
    na_keys_clear(&mine);
    na_keys_clear(&first);
    na_keys_clear(&second);
}

int main(void)
{
    RUN(test_v4_kat);
    RUN(test_v5_kat);
    RUN(test_rfc7518_b3);
    RUN(test_roundtrips);
    RUN(test_tampering);
    RUN(test_refusals);
    RUN(test_v5_gcm_kid);
    return unit_done();
}
