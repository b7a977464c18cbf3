/* keys.c — per-secret key derivation, done once (see keys.h). */
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "hkdf.h"
#include "mac.h"

static const struct {
    const char *name;
    na_format format;
} formats[] = {
    {"next-auth-v4", NA_FMT_V4},
    {"authjs-v5", NA_FMT_V5},
    {"jws", NA_FMT_JWS},
};

int na_keys_format_parse(const char *name, na_format *out)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(name, formats[i].name) == 0) {
            *out = formats[i].format;
            return 0;
        }
    return -1;
}

const char *na_keys_format_name(na_format f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].format == f)
            return formats[i].name;
    return "?";
}

/* RFC 7638 §3.2: the thumbprint of a symmetric JWK hashes exactly
 * {"k":"<base64url key>","kty":"oct"} (members in lexicographic order, no spaces).
 * @auth/core hashes with SHA-512 for a 64-byte key and SHA-256 for a 32-byte one. */
static int thumbprint(const unsigned char *key, size_t keylen, const EVP_MD *md, char *out,
                      na_err *err)
{
    char k[NA_B64URL_ENCODED_LEN(64) + 1];
    char jwk[sizeof k + 32];
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;

    na_b64url_encode(key, keylen, k);
    int n = snprintf(jwk, sizeof jwk, "{\"k\":\"%s\",\"kty\":\"oct\"}", k);
    int ok = EVP_Digest(jwk, (size_t)n, digest, &dlen, md, NULL);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(jwk, sizeof jwk);
    if (!ok)
        return na_err_set(err, NA_E_CRYPTO, "thumbprint digest failed");
    na_b64url_encode(digest, dlen, out);
    return 0;
}

static int derive(na_key *k, na_format f, const char *salt, na_err *err)
{
    size_t saltlen = salt ? strlen(salt) : 0;
    char info[64 + NA_MAX_SALT_LEN];

    switch (f) {
    case NA_FMT_V4:
        /* B3.2: no suffix when the salt is empty (every session-token path). */
        if (saltlen == 0)
            snprintf(info, sizeof info, "NextAuth.js Generated Encryption Key");
        else
            snprintf(info, sizeof info, "NextAuth.js Generated Encryption Key (%s)", salt);
        return na_hkdf_sha256(k->secret, k->secret_len, (const unsigned char *)salt, saltlen,
                              (const unsigned char *)info, strlen(info), k->k4, sizeof k->k4,
                              err);
    case NA_FMT_V5:
        /* B4.2: always the parenthesised salt; the 32-byte A256GCM key is the prefix
         * of the 64-byte output (HKDF expansion is prefix-stable). */
        snprintf(info, sizeof info, "Auth.js Generated Encryption Key (%s)", salt ? salt : "");
        if (na_hkdf_sha256(k->secret, k->secret_len, (const unsigned char *)salt, saltlen,
                           (const unsigned char *)info, strlen(info), k->k5, sizeof k->k5,
                           err) < 0)
            return -1;
        if (thumbprint(k->k5, 64, EVP_sha512(), k->kid5, err) < 0 ||
            thumbprint(k->k5, 32, EVP_sha256(), k->kid5_gcm, err) < 0)
            return -1;
        return 0;
    case NA_FMT_JWS:
        return 0;
    }
    return na_err_set(err, NA_E_USAGE, "unknown token format");
}

/* The per-key contexts (see keys.h). */
static int setup(na_key *k, na_format f, na_err *err)
{
    if (f == NA_FMT_JWS) {
        static const int bits[3] = {256, 384, 512};
        for (int i = 0; i < 3; i++)
            if ((k->hs[i] = na_mac_new(bits[i], k->secret, k->secret_len)) == NULL)
                return na_err_set(err, NA_E_NOMEM, "cannot set up HMAC");
        return 0;
    }
    const unsigned char *gcm_key = f == NA_FMT_V4 ? k->k4 : k->k5;
    if ((k->gcm = EVP_CIPHER_CTX_new()) == NULL ||
        EVP_DecryptInit_ex(k->gcm, EVP_aes_256_gcm(), NULL, gcm_key, NULL) != 1)
        return na_err_set(err, NA_E_NOMEM, "cannot set up AES-256-GCM");
    if (f == NA_FMT_V5) {
        if ((k->cbc = EVP_CIPHER_CTX_new()) == NULL ||
            EVP_DecryptInit_ex(k->cbc, EVP_aes_256_cbc(), NULL, k->k5 + 32, NULL) != 1 ||
            (k->mac = na_mac_new(512, k->k5, 32)) == NULL)
            return na_err_set(err, NA_E_NOMEM, "cannot set up A256CBC-HS512");
        /* B4.1: {"alg":"dir","enc":"A256CBC-HS512","kid":"<kid>"} exactly. */
        char json[160];
        int n = snprintf(json, sizeof json, "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"%s\"}",
                         k->kid5);
        if (n < 0 || (size_t)n >= sizeof json ||
            NA_B64URL_ENCODED_LEN((size_t)n) >= sizeof k->hdr5)
            return na_err_set(err, NA_E_USAGE, "v5 header does not fit");
        na_b64url_encode((const unsigned char *)json, (size_t)n, k->hdr5);
    }
    return 0;
}

int na_keys_init(na_keyring *kr, na_format f, const char *const *secrets,
                    const size_t *lens, size_t n, const char *salt, na_err *err)
{
    memset(kr, 0, sizeof *kr);
    kr->format = f;
    if (n == 0)
        return na_err_set(err, NA_E_NO_SECRET, "no secret configured");
    if (n > NA_MAX_SECRETS)
        return na_err_set(err, NA_E_CONFIG, "too many secrets (at most %d)", NA_MAX_SECRETS);
    if (salt && strlen(salt) > NA_MAX_SALT_LEN)
        return na_err_set(err, NA_E_CONFIG, "salt/cookie name longer than %d bytes",
                          NA_MAX_SALT_LEN);
    for (size_t i = 0; i < n; i++) {
        if (lens[i] == 0) {
            na_err_set(err, NA_E_NO_SECRET, "secret #%zu is empty", i + 1);
            goto fail;
        }
        if (lens[i] > NA_MAX_SECRET_LEN) {
            na_err_set(err, NA_E_CONFIG, "secret #%zu is longer than %d bytes", i + 1,
                       NA_MAX_SECRET_LEN);
            goto fail;
        }
        na_key *k = &kr->keys[i];
        k->secret = malloc(lens[i]);
        if (k->secret == NULL) {
            na_err_set(err, NA_E_NOMEM, "out of memory");
            goto fail;
        }
        memcpy(k->secret, secrets[i], lens[i]);
        k->secret_len = lens[i];
        kr->n = i + 1;
        if (derive(k, f, salt, err) < 0 || setup(k, f, err) < 0)
            goto fail;
    }
    return 0;
fail:
    na_keys_clear(kr);
    return -1;
}

void na_keys_clear(na_keyring *kr)
{
    for (size_t i = 0; i < kr->n; i++) {
        na_key *k = &kr->keys[i];
        if (k->secret) {
            OPENSSL_cleanse(k->secret, k->secret_len);
            free(k->secret);
        }
        EVP_CIPHER_CTX_free(k->gcm);
        EVP_CIPHER_CTX_free(k->cbc);
        EVP_MAC_CTX_free(k->mac);
        for (int j = 0; j < 3; j++)
            EVP_MAC_CTX_free(k->hs[j]);
    }
    OPENSSL_cleanse(kr, sizeof *kr);
    kr->n = 0;
}
