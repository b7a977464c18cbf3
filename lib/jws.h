/* SPDX-License-Identifier: MIT */
/* jws.h — JWS compact HMAC signatures (RFC 7515, RFC 7518 §3.2): the "custom JWT
 * decode" of the NextAuth docs, tokens made by jsonwebtoken.sign(token, secret).
 * The HMAC key is the secret's UTF-8 bytes. Only HS256/HS384/HS512, and of those
 * only the ones the deployment allows (default HS256). */
#ifndef NA_JWS_H
#define NA_JWS_H

#include <stddef.h>

#include "err.h"
#include "keys.h"

/* Bits of an allow-list of algorithms. */
#define NA_ALG_HS256 1u
#define NA_ALG_HS384 2u
#define NA_ALG_HS512 4u

/* Parse "HS256"/"HS384"/"HS512" into its NA_ALG_* bit; 0 when unknown. */
unsigned na_jws_alg_parse(const char *name);

/* Verify the compact JWS tok (len bytes) against every secret of kr in order,
 * accepting only the algorithms in the allowed mask. On success the decoded
 * payload lands in buf (cap bytes, at least 3/4 of len) at *payload with
 * *payloadlen bytes (not NUL-terminated). Returns 0, or -1 with err filled. */
int na_jws_verify(const na_keyring *kr, unsigned allowed, const char *tok, size_t len,
                  unsigned char *buf, size_t cap, unsigned char **payload,
                  size_t *payloadlen, na_err *err);

/* Sign payload (n bytes) with the first secret of kr using alg (one NA_ALG_* bit),
 * header {"alg":"HS256","typ":"JWT"} as jsonwebtoken writes it. Returns a
 * NUL-terminated token the caller frees with free(), or NULL with err filled. */
char *na_jws_sign(const na_keyring *kr, unsigned alg, const unsigned char *payload, size_t n,
                  na_err *err);

#endif
