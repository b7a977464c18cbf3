/* mac.c — HMAC-SHA2 through EVP_MAC (see mac.h). */
#include "mac.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

/* EVP_MAC_fetch walks the provider tables: do it once per process. */
static EVP_MAC *hmac_impl;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void fetch_hmac(void)
{
    hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

int na_mac_sha2(int bits, const unsigned char *key, size_t keylen, const na_piece *pieces,
                 size_t n, unsigned char *out, size_t *outlen, na_err *err)
{
    const char *digest = bits == 256 ? "SHA256" : bits == 384 ? "SHA384"
                       : bits == 512 ? "SHA512" : NULL;
    if (digest == NULL)
        return na_err_set(err, NA_E_USAGE, "hmac: unsupported digest size %d", bits);
    pthread_once(&hmac_once, fetch_hmac);
    if (hmac_impl == NULL)
        return na_err_set(err, NA_E_NOMEM, "hmac: cannot fetch HMAC from OpenSSL");

    int rc = -1;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_impl);
    if (ctx == NULL)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(ctx, key, keylen, params) != 1)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (EVP_MAC_update(ctx, pieces[i].p, pieces[i].n) != 1)
            goto out;
    if (EVP_MAC_final(ctx, out, outlen, 64) != 1)
        goto out;
    rc = 0;
out:
    EVP_MAC_CTX_free(ctx);
    if (rc < 0)
        na_err_set(err, NA_E_CRYPTO, "hmac computation failed");
    return rc;
}

EVP_MAC_CTX *na_mac_new(int bits, const unsigned char *key, size_t keylen)
{
    const char *digest = bits == 256 ? "SHA256" : bits == 384 ? "SHA384"
                       : bits == 512 ? "SHA512" : NULL;
    pthread_once(&hmac_once, fetch_hmac);
    if (digest == NULL || hmac_impl == NULL)
        return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_impl);
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (ctx == NULL || EVP_MAC_init(ctx, key, keylen, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int na_mac_run(EVP_MAC_CTX *ctx, const na_piece *pieces, size_t n, unsigned char *out,
                size_t *outlen, na_err *err)
{
    /* A NULL key restarts HMAC with the key already set (OpenSSL 3 HMAC provider). */
    if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1)
        return na_err_set(err, NA_E_CRYPTO, "hmac restart failed");
    for (size_t i = 0; i < n; i++)
        if (EVP_MAC_update(ctx, pieces[i].p, pieces[i].n) != 1)
            return na_err_set(err, NA_E_CRYPTO, "hmac computation failed");
    if (EVP_MAC_final(ctx, out, outlen, 64) != 1)
        return na_err_set(err, NA_E_CRYPTO, "hmac computation failed");
    return 0;
}

/* Eight bytes a step: CRYPTO_memcmp goes one byte at a time, which was 3 100
 * of the 5 100 instructions of the guard's cached answer (it compares whole
 * tokens). The empty asm keeps the compiler from reasoning about d and leaving
 * the loop early. */
int na_mac_equal(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    uint64_t d = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t u, v;
        memcpy(&u, x + i, 8);
        memcpy(&v, y + i, 8);
        d |= u ^ v;
        __asm__("" : "+r"(d));
    }
    for (; i < n; i++) {
        d |= (unsigned)(x[i] ^ y[i]);
        __asm__("" : "+r"(d));
    }
    return d == 0;
}
