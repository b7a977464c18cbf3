/* mac.h — HMAC-SHA2 over several pieces, and a constant-time compare, for the
 * JWS signatures (RFC 7518 §3.2) and the A256CBC-HS512 tag (RFC 7518 §5.2.2.1). */
#ifndef NA_MAC_H
#define NA_MAC_H

#include <stddef.h>

#include <openssl/types.h>

#include "err.h"

typedef struct {
    const void *p;
    size_t n;
} na_piece;

/* HMAC with the digest named by bits (256, 384 or 512 for SHA-256/384/512) over the
 * concatenation of the n pieces. out must hold 64 bytes; *outlen gets the MAC
 * length. Returns 0, or -1 with err filled. */
int na_mac_sha2(int bits, const unsigned char *key, size_t keylen, const na_piece *pieces,
                 size_t n, unsigned char *out, size_t *outlen, na_err *err);

/* An HMAC context keyed once (bits 256/384/512), for na_mac_run. Returns NULL
 * when OpenSSL cannot make one. Free with EVP_MAC_CTX_free (it wipes the key). */
EVP_MAC_CTX *na_mac_new(int bits, const unsigned char *key, size_t keylen);

/* HMAC over the n pieces with the keyed ctx (restarted, key kept). out must hold
 * 64 bytes. Returns 0, or -1 with err filled. */
int na_mac_run(EVP_MAC_CTX *ctx, const na_piece *pieces, size_t n, unsigned char *out,
                size_t *outlen, na_err *err);

/* 1 when the n bytes of a and b are equal, 0 otherwise, in time that depends
 * on n only: no branch and no early exit on their bytes. The one constant-time
 * comparison of the project (MAC tags, cached tokens). */
int na_mac_equal(const void *a, const void *b, size_t n);

#endif
