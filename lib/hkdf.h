/* SPDX-License-Identifier: MIT */
/* hkdf.h — HKDF-SHA256 (RFC 5869) through OpenSSL 3's EVP_KDF. */
#ifndef NA_HKDF_H
#define NA_HKDF_H

#include <stddef.h>

#include "err.h"

/* Derive outlen bytes into out from ikm (at least one byte, as @panva/hkdf requires),
 * salt (may be empty: RFC 5869 §2.2 then uses HashLen zero bytes) and info.
 * Returns 0, or -1 with err filled. */
int na_hkdf_sha256(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
                   size_t saltlen, const unsigned char *info, size_t infolen,
                   unsigned char *out, size_t outlen, na_err *err);

#endif
