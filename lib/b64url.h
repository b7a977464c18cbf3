/* b64url.h — strict, canonical, unpadded base64url (RFC 4648 §5, RFC 7515 §2),
 * and standard padded base64 for printing secrets.
 *
 * Strict means: only the 64 characters of the url-safe alphabet, no '=' padding,
 * no whitespace, no length of the form 4k+1, and the unused low bits of the last
 * character must be zero (so every byte string has exactly one encoding). */
#ifndef NA_B64URL_H
#define NA_B64URL_H

#include <stddef.h>

/* Bytes produced by decoding n characters (an upper bound when n is invalid). */
#define NA_B64URL_DECODED_LEN(n) (((n) / 4) * 3 + ((n) % 4 ? (n) % 4 - 1 : 0))
/* Characters produced by encoding n bytes, without padding or terminator. */
#define NA_B64URL_ENCODED_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))

/* Decode n characters of in into out (capacity cap). Returns the number of bytes
 * written, or -1 when the input is not strict canonical base64url or does not fit. */
long na_b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap);

/* Encode n bytes into out, which must hold NA_B64URL_ENCODED_LEN(n) + 1 bytes; the
 * result is NUL-terminated. Returns the number of characters (without the NUL). */
size_t na_b64url_encode(const unsigned char *in, size_t n, char *out);

/* Standard base64 with '=' padding into out, which must hold 4*((n+2)/3) + 1 bytes;
 * NUL-terminated. Returns the number of characters. */
size_t na_b64url_encode_std(const unsigned char *in, size_t n, char *out);

#endif
