/* keys.h — the keys of a deployment, derived once per secret for the life of the
 * process (SPEC A1, B3.2, B4.2).
 *
 * A keyring holds up to NA_MAX_SECRETS secrets in rotation order: the first one
 * encodes, each one is tried to decode. What is derived depends on the format:
 *   next-auth-v4  HKDF-SHA256(secret, salt, "NextAuth.js Generated Encryption Key"
 *                 [+ " (<salt>)" when the salt is not empty], 32 bytes)
 *   authjs-v5     HKDF-SHA256(secret, salt = cookie name,
 *                 "Auth.js Generated Encryption Key (<salt>)", 64 bytes), plus the
 *                 RFC 7638 thumbprints (kid) of the 64-byte key and of its 32-byte
 *                 prefix (the A256GCM key)
 *   jws           the secret's bytes are the HMAC key; nothing is derived. */
#ifndef NA_KEYS_H
#define NA_KEYS_H

#include <stddef.h>

#include <openssl/types.h>

#include "err.h"

#define NA_MAX_SECRETS 8
/* A secret longer than this is refused: HMAC hashes long keys anyway, and a
 * bound keeps a misconfigured file (a binary, a log) out of memory. */
#define NA_MAX_SECRET_LEN 4096
/* The salt is a cookie name; RFC 6265 names are short and @panva/hkdf caps info
 * at 1024 bytes, of which "Auth.js Generated Encryption Key ()" takes 35. */
#define NA_MAX_SALT_LEN 256

typedef enum { NA_FMT_V4 = 0, NA_FMT_V5, NA_FMT_JWS } na_format;

typedef struct {
    unsigned char *secret; /* owned; wiped and freed by na_keys_clear */
    size_t secret_len;
    unsigned char k4[32];  /* v4 A256GCM key */
    unsigned char k5[64];  /* v5 A256CBC-HS512 key; its first 32 bytes are the A256GCM key */
    char kid5[87];         /* base64url SHA-512 thumbprint of k5 (86 chars + NUL) */
    char kid5_gcm[44];     /* base64url SHA-256 thumbprint of k5[0..32) (43 chars + NUL) */
    /* Set up once with the key, so a request only supplies its IV (the key
     * schedule and OpenSSL's algorithm fetch are not repeated per token): */
    EVP_CIPHER_CTX *gcm;   /* AES-256-GCM decrypt: v4 k4, v5 k5[0..32) */
    EVP_CIPHER_CTX *cbc;   /* v5: AES-256-CBC decrypt with k5[32..64) */
    EVP_MAC_CTX *mac;      /* v5: HMAC-SHA-512 with k5[0..32) */
    EVP_MAC_CTX *hs[3];    /* jws: HMAC-SHA-256/384/512 with the secret */
    char hdr5[200];        /* v5: the base64url header encode() writes for this key */
} na_key;

/* A keyring's cipher and MAC contexts are reused by every call: a keyring (and
 * the verifier that holds it) belongs to one thread. */
typedef struct {
    na_format format;
    size_t n;
    na_key keys[NA_MAX_SECRETS];
} na_keyring;

/* Parse a format name ("next-auth-v4", "authjs-v5", "jws"); -1 when unknown. */
int na_keys_format_parse(const char *name, na_format *out);
/* The canonical name of a format (static string). */
const char *na_keys_format_name(na_format f);

/* Fill *kr for format f from n secrets (each secrets[i] of lens[i] bytes, at least
 * one byte) and the salt (may be NULL/empty; v5 uses it as the cookie name). The
 * secrets are copied. Returns 0, or -1 with err filled and *kr left empty. */
int na_keys_init(na_keyring *kr, na_format f, const char *const *secrets,
                    const size_t *lens, size_t n, const char *salt, na_err *err);

/* Wipe every key and secret (OPENSSL_cleanse) and free the copies. Safe twice. */
void na_keys_clear(na_keyring *kr);

#endif
