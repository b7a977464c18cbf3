/* jwe.c — dir + A256GCM / A256CBC-HS512 compact JWE (see jwe.h). */
#include "jwe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "compact.h"
#include "mac.h"

typedef enum { ENC_A256GCM, ENC_A256CBC_HS512 } enc_t;

/* The encryptions this project knows, with RFC 7518's sizes. Anything else —
 * A128GCM, A192GCM, A128CBC-HS256 (which next-auth v4 accepts under its 32-byte
 * key) — is refused before any key is touched. */
static const struct {
    const char *name;
    enc_t enc;
    size_t iv_len;  /* RFC 7518 §5.3: 96-bit IV; §5.2.5: 128-bit IV */
    size_t tag_len; /* §5.3: 128-bit tag; §5.2.5: T_LEN 32 bytes */
} encs[] = {
    {"A256GCM", ENC_A256GCM, 12, 16},
    {"A256CBC-HS512", ENC_A256CBC_HS512, 16, 32},
};

/* v4 header bytes are exactly {"alg":"dir","enc":"A256GCM"} (B3.1). */
static const char v4_header_b64[] = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0";

/* Decrypt with a context already keyed (keys.h): only the IV is new. */
static int gcm_decrypt(EVP_CIPHER_CTX *c, const unsigned char *iv, const unsigned char *aad,
                       size_t aadlen, const unsigned char *ct, size_t ctlen,
                       const unsigned char *tag, unsigned char *out)
{
    /* The IV (12 bytes, GCM's default length) and the expected tag go in with
     * one init; then EVP_Cipher, which calls the provider's GCM directly: for an
     * AEAD cipher it returns the bytes taken (AAD, ciphertext) and, for the
     * final call, 0 when the tag matches and -1 when not (EVP_EncryptInit(3)).
     * The same checks as Update/ctrl/Final with a third of libcrypto's code
     * between them, which a guard that runs with cold caches pays for. */
    OSSL_PARAM p[] = {OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, 16),
                      OSSL_PARAM_END};
    if (EVP_DecryptInit_ex2(c, NULL, NULL, iv, p) == 1 &&
        EVP_Cipher(c, NULL, aad, (unsigned)aadlen) == (int)aadlen &&
        EVP_Cipher(c, out, ct, (unsigned)ctlen) == (int)ctlen &&
        EVP_Cipher(c, NULL, NULL, 0) == 0)
        return 0;
    return -1;
}

/* RFC 7518 §5.2.2.1: MAC over AAD || IV || ciphertext || AL, AL the 64-bit
 * big-endian bit length of AAD; the tag is the first 32 bytes of HMAC-SHA-512
 * keyed with the first half of the key (mac is that keyed HMAC). */
static int cbc_hs512_tag(EVP_MAC_CTX *mac, const unsigned char *aad, size_t aadlen,
                         const unsigned char *iv, const unsigned char *ct, size_t ctlen,
                         unsigned char tag[64], na_err *err)
{
    unsigned char al[8];
    uint64_t bits = (uint64_t)aadlen * 8;
    for (int i = 7; i >= 0; i--, bits >>= 8)
        al[i] = (unsigned char)bits;
    na_piece pieces[] = {{aad, aadlen}, {iv, 16}, {ct, ctlen}, {al, 8}};
    size_t taglen;
    return na_mac_run(mac, pieces, 4, tag, &taglen, err);
}

static int cbc_decrypt(const na_key *key, const unsigned char *iv, const unsigned char *aad,
                       size_t aadlen, const unsigned char *ct, size_t ctlen,
                       const unsigned char *tag, unsigned char *out, size_t *outlen)
{
    unsigned char mac[64];
    if (cbc_hs512_tag(key->mac, aad, aadlen, iv, ct, ctlen, mac, NULL) < 0)
        return -2;
    /* RFC 7518 §5.2.2.2 step 2: authenticate before decrypting, constant time. */
    if (!na_mac_equal(mac, tag, 32))
        return -1;
    int n = 0, m = 0;
    EVP_CIPHER_CTX *c = key->cbc;
    if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
        EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen) != 1 ||
        EVP_DecryptFinal_ex(c, out + n, &m) != 1)
        return -1;
    *outlen = (size_t)n + (size_t)m;
    return 0;
}

/* The general path: parse and vet the protected header, choose the encryption
 * (per-format allow-list) and the keys to try (v4: all, in order; v5, B4.3: the
 * key whose thumbprint is the kid, or only the first secret without a kid). */
static int pick_enc(const na_keyring *kr, na_seg hseg, json_t **hout, size_t *e,
                    size_t *first, size_t *last, na_err *err)
{
    json_t *h = na_compact_header(hseg, err);
    if ((*hout = h) == NULL)
        return -1;
    const char *alg = na_compact_str(h, "alg");
    const char *encname = na_compact_str(h, "enc");
    if (strcmp(alg, "dir") != 0)
        return na_err_set(err, NA_E_UNSUPPORTED, "unsupported alg (only dir)");
    if (encname == NULL)
        return na_err_set(err, NA_E_MALFORMED, "protected header has no enc");
    size_t i = 0;
    while (i < sizeof encs / sizeof encs[0] && strcmp(encname, encs[i].name) != 0)
        i++;
    /* Per-format allow-list: v4 only ever issues A256GCM. */
    if (i == sizeof encs / sizeof encs[0] ||
        (kr->format == NA_FMT_V4 && encs[i].enc != ENC_A256GCM))
        return na_err_set(err, NA_E_UNSUPPORTED, "unsupported enc for format %s",
                          na_keys_format_name(kr->format));
    *e = i;
    *first = 0;
    *last = kr->n;
    if (kr->format != NA_FMT_V5)
        return 0;
    json_t *k = json_object_get(h, "kid");
    const char *kid = NULL;
    if (k != NULL && (kid = json_string_value(k)) == NULL)
        return na_err_set(err, NA_E_MALFORMED, "kid is not a string");
    if (kid == NULL) {
        *last = 1;
        return 0;
    }
    for (size_t j = 0; j < kr->n; j++) {
        const na_key *key = &kr->keys[j];
        const char *want = encs[i].enc == ENC_A256GCM ? key->kid5_gcm : key->kid5;
        if (strcmp(kid, want) == 0) {
            *first = j;
            *last = j + 1;
            return 0;
        }
    }
    return na_err_set(err, NA_E_KEY, "no matching decryption secret (kid)");
}

int na_jwe_decrypt(const na_keyring *kr, const char *tok, size_t len, unsigned char *buf,
                   size_t cap, unsigned char **plain, size_t *plainlen, json_t **header,
                   na_err *err)
{
    na_seg s[5];
    json_t *h = NULL;
    int rc = -1;

    if (header)
        *header = NULL;
    if (kr->format != NA_FMT_V4 && kr->format != NA_FMT_V5)
        return na_err_set(err, NA_E_USAGE, "keyring is not for JWE");
    if (kr->n == 0)
        return na_err_set(err, NA_E_NO_SECRET, "no secret configured");
    /* RFC 7516 §7.1: header . encrypted key . IV . ciphertext . tag */
    if (na_compact_split(tok, len, s, 5, err) < 0)
        return -1;

    /* Fast path: the exact header bytes NextAuth writes need no JSON parse (v4:
     * one constant; v5: one per key, kid included, which also picks the key). */
    size_t e = 0, first = 0, last = kr->n;
    int known = 0;
    if (kr->format == NA_FMT_V4 && s[0].n == sizeof v4_header_b64 - 1 &&
        memcmp(s[0].p, v4_header_b64, s[0].n) == 0) {
        e = 0; /* A256GCM */
        known = 1;
    } else if (kr->format == NA_FMT_V5) {
        for (size_t i = 0; i < kr->n && !known; i++)
            if (s[0].n == strlen(kr->keys[i].hdr5) &&
                memcmp(s[0].p, kr->keys[i].hdr5, s[0].n) == 0) {
                e = 1; /* A256CBC-HS512 */
                first = i;
                last = i + 1;
                known = 1;
            }
    }
    if (!known && pick_enc(kr, s[0], &h, &e, &first, &last, err) < 0)
        goto out;
    /* RFC 7518 §4.5: with direct encryption the JWE Encrypted Key is empty. */
    if (s[1].n != 0) {
        na_err_set(err, NA_E_MALFORMED, "encrypted key must be empty for alg dir");
        goto out;
    }

    unsigned char iv[16], tag[32];
    if (s[2].n != NA_B64URL_ENCODED_LEN(encs[e].iv_len) ||
        na_b64url_decode(s[2].p, s[2].n, iv, sizeof iv) != (long)encs[e].iv_len) {
        na_err_set(err, NA_E_MALFORMED, "IV must be %zu bytes of base64url", encs[e].iv_len);
        goto out;
    }
    if (s[4].n != NA_B64URL_ENCODED_LEN(encs[e].tag_len) ||
        na_b64url_decode(s[4].p, s[4].n, tag, sizeof tag) != (long)encs[e].tag_len) {
        na_err_set(err, NA_E_MALFORMED, "authentication tag must be %zu bytes of base64url",
                   encs[e].tag_len);
        goto out;
    }
    size_t ctmax = NA_B64URL_DECODED_LEN(s[3].n);
    if (ctmax == 0) {
        na_err_set(err, NA_E_MALFORMED, "empty ciphertext");
        goto out;
    }
    /* The ciphertext goes to buf[0, ctmax), the plaintext after it, so that a
     * failed key leaves the ciphertext intact for the next one. */
    if (ctmax > cap / 2) {
        na_err_set(err, NA_E_TOO_BIG, "token too large");
        goto out;
    }
    long ctlen = na_b64url_decode(s[3].p, s[3].n, buf, ctmax);
    if (ctlen <= 0) {
        na_err_set(err, NA_E_MALFORMED, "ciphertext is not base64url");
        goto out;
    }
    unsigned char *pt = buf + ctmax;
    const unsigned char *aad = (const unsigned char *)s[0].p; /* B3.1: the header text */

    if (encs[e].enc == ENC_A256CBC_HS512 && ctlen % 16 != 0) {
        na_err_set(err, NA_E_MALFORMED, "CBC ciphertext is not a whole number of blocks");
        goto out;
    }

    for (size_t i = first; i < last; i++) {
        const na_key *key = &kr->keys[i];
        size_t outlen = (size_t)ctlen;
        int r = encs[e].enc == ENC_A256GCM
                    ? gcm_decrypt(key->gcm, iv, aad, s[0].n, buf, (size_t)ctlen, tag, pt)
                    : cbc_decrypt(key, iv, aad, s[0].n, buf, (size_t)ctlen, tag, pt, &outlen);
        if (r == -2) {
            na_err_set(err, NA_E_NOMEM, "cipher setup failed");
            goto out;
        }
        if (r == 0) {
            *plain = pt;
            *plainlen = outlen;
            rc = 0;
            goto out;
        }
    }
    na_err_set(err, NA_E_CRYPTO, "decryption failed (wrong secret or tampered token)");
out:
    if (rc == 0 && header)
        *header = h;
    else
        json_decref(h);
    return rc;
}

/* Assemble header . "" . iv . ciphertext . tag into a new string. */
static char *assemble(const char *hdr, size_t hlen, const unsigned char *iv, size_t ivlen,
                      const unsigned char *ct, size_t ctlen, const unsigned char *tag,
                      size_t taglen)
{
    size_t total = hlen + 4 + NA_B64URL_ENCODED_LEN(ivlen) + NA_B64URL_ENCODED_LEN(ctlen) +
                   NA_B64URL_ENCODED_LEN(taglen) + 1;
    char *out = malloc(total);
    if (out == NULL)
        return NULL;
    char *p = out;
    memcpy(p, hdr, hlen);
    p += hlen;
    *p++ = '.';
    *p++ = '.';
    p += na_b64url_encode(iv, ivlen, p);
    *p++ = '.';
    p += na_b64url_encode(ct, ctlen, p);
    *p++ = '.';
    na_b64url_encode(tag, taglen, p);
    return out;
}

char *na_jwe_encrypt(const na_keyring *kr, const unsigned char *pt, size_t n, na_err *err)
{
    unsigned char iv[16], tag[64];
    unsigned char *ct = NULL;
    char *out = NULL;
    EVP_CIPHER_CTX *c = NULL;
    int len = 0, fin = 0;

    if (kr->n == 0) {
        na_err_set(err, NA_E_NO_SECRET, "no secret configured");
        return NULL;
    }
    if (n > (size_t)INT32_MAX - 32) {
        na_err_set(err, NA_E_TOO_BIG, "plaintext too large");
        return NULL;
    }
    /* CBC adds up to one block of PKCS#7 padding; GCM adds nothing. */
    if ((ct = malloc(n + 16)) == NULL || (c = EVP_CIPHER_CTX_new()) == NULL) {
        na_err_set(err, NA_E_NOMEM, "out of memory");
        goto out;
    }
    const na_key *key = &kr->keys[0];
    if (kr->format == NA_FMT_V4) {
        /* B3.1: AES-256-GCM, random 96-bit IV, 128-bit tag, AAD = header text. */
        size_t hlen = sizeof v4_header_b64 - 1;
        if (RAND_bytes(iv, 12) != 1 ||
            EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key->k4, iv) != 1 ||
            EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)v4_header_b64,
                              (int)hlen) != 1 ||
            EVP_EncryptUpdate(c, ct, &len, pt, (int)n) != 1 ||
            EVP_EncryptFinal_ex(c, ct + len, &fin) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1) {
            na_err_set(err, NA_E_CRYPTO, "encryption failed");
            goto out;
        }
        out = assemble(v4_header_b64, hlen, iv, 12, ct, (size_t)(len + fin), tag, 16);
    } else if (kr->format == NA_FMT_V5) {
        /* B4.1: the key's own header, {"alg":"dir","enc":"A256CBC-HS512","kid":…}. */
        const char *hb64 = key->hdr5;
        size_t hlen = strlen(hb64);
        if (RAND_bytes(iv, 16) != 1 ||
            EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key->k5 + 32, iv) != 1 ||
            EVP_EncryptUpdate(c, ct, &len, pt, (int)n) != 1 ||
            EVP_EncryptFinal_ex(c, ct + len, &fin) != 1 ||
            cbc_hs512_tag(key->mac, (const unsigned char *)hb64, hlen, iv, ct,
                          (size_t)(len + fin), tag, err) < 0) {
            na_err_set(err, NA_E_CRYPTO, "encryption failed");
            goto out;
        }
        out = assemble(hb64, hlen, iv, 16, ct, (size_t)(len + fin), tag, 32);
    } else {
        na_err_set(err, NA_E_USAGE, "keyring is not for JWE");
        goto out;
    }
    if (out == NULL)
        na_err_set(err, NA_E_NOMEM, "out of memory");
out:
    EVP_CIPHER_CTX_free(c);
    if (ct) {
        OPENSSL_cleanse(ct, n + 16);
        free(ct);
    }
    return out;
}
