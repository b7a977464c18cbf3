/* SPDX-License-Identifier: MIT */
/* jwe.h — JWE compact decryption and encryption for alg "dir" (RFC 7516, RFC 7518),
 * as next-auth v4 (A256GCM) and @auth/core (A256CBC-HS512, also A256GCM) use it.
 *
 * Allow-lists per format (docs/behaviour.md, Decode rules): next-auth-v4 accepts
 * only dir + A256GCM; authjs-v5 accepts dir + A256CBC-HS512 and dir + A256GCM.
 * Exactly five segments, an empty encrypted-key segment, IV 12 bytes (GCM) or 16
 * (CBC), tag 16 or 32, no zip, no crit. */
#ifndef NA_JWE_H
#define NA_JWE_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"
#include "keys.h"

/* Decrypt the compact JWE tok (len bytes) with the keyring kr (format v4 or v5).
 * The caller's scratch buffer buf (cap bytes) must hold twice the decoded
 * ciphertext (about 1.5 × len suffices); the plaintext lands at *plain (inside
 * buf, not NUL-terminated) with *plainlen bytes. v4 tries every secret in order;
 * v5 picks the secret by kid, or the first one when the header has no kid.
 * When header is non-NULL it receives the parsed protected header (a new
 * reference the caller json_decrefs) — or NULL when the header was byte for
 * byte one NextAuth writes (v4's constant, or a v5 key's own header), which is
 * recognised without parsing and carries nothing more to check. Returns 0, or
 * -1 with err filled. */
int na_jwe_decrypt(const na_keyring *kr, const char *tok, size_t len, unsigned char *buf,
                   size_t cap, unsigned char **plain, size_t *plainlen, json_t **header,
                   na_err *err);

/* Encrypt plaintext (n bytes) with the first key of kr: v4 dir + A256GCM with a
 * random 12-byte IV; v5 dir + A256CBC-HS512 with a random 16-byte IV and the kid
 * of the key. Returns a NUL-terminated compact JWE the caller frees with free(),
 * or NULL with err filled. */
char *na_jwe_encrypt(const na_keyring *kr, const unsigned char *plaintext, size_t n,
                     na_err *err);

#endif
