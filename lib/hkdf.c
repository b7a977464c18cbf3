/* SPDX-License-Identifier: MIT */
/* hkdf.c — HKDF-SHA256 via EVP_KDF (see hkdf.h). */
#include "hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

int na_hkdf_sha256(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
                   size_t saltlen, const unsigned char *info, size_t infolen,
                   unsigned char *out, size_t outlen, na_err *err)
{
    int rc = -1;
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *ctx = NULL;

    /* @panva/hkdf (used by next-auth and @auth/core) refuses an empty key and
     * info longer than 1024 bytes; so do we. RFC 5869 §2.3: L <= 255 * HashLen. */
    if (ikmlen == 0)
        return na_err_set(err, NA_E_NO_SECRET, "empty secret");
    if (infolen > 1024 || outlen == 0 || outlen > 255 * 32)
        return na_err_set(err, NA_E_USAGE, "hkdf: bad info or output length");

    kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL || (ctx = EVP_KDF_CTX_new(kdf)) == NULL) {
        na_err_set(err, NA_E_NOMEM, "hkdf: cannot fetch HKDF from OpenSSL");
        goto out;
    }
    OSSL_PARAM params[5], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
    /* An absent salt is the same as HashLen zero bytes (RFC 5869 §2.2); HMAC pads
     * short keys with zeros, so an empty salt gives the same PRK either way. */
    if (saltlen > 0)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen);
    *p = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, outlen, params) != 1) {
        na_err_set(err, NA_E_CRYPTO, "hkdf: derivation failed");
        goto out;
    }
    rc = 0;
out:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}
