/* SPDX-License-Identifier: MIT */
/* err.h — the error record every library function can fill.
 *
 * Functions return 0 (or a pointer) on success and -1 (or NULL) on failure; when
 * the caller passes a non-NULL na_err, the failure is described there: a code the
 * caller can branch on and a short human reason that never carries a token, a
 * cookie value or a secret (at most lengths and names). */
#ifndef NA_ERR_H
#define NA_ERR_H

#include <stddef.h>

typedef enum {
    NA_OK = 0,
    NA_E_NOMEM,       /* allocation failed */
    NA_E_USAGE,       /* caller passed something impossible */
    NA_E_MALFORMED,   /* syntax: segments, base64url, JSON, header */
    NA_E_UNSUPPORTED, /* well-formed but refused: alg/enc/zip/crit */
    NA_E_CRYPTO,      /* authentication tag or signature mismatch */
    NA_E_KEY,         /* no configured secret matches (kid) */
    NA_E_EXPIRED,     /* exp <= now - tolerance */
    NA_E_NOT_YET,     /* nbf > now + tolerance */
    NA_E_CLAIMS,      /* claims present but of the wrong type */
    NA_E_NO_TOKEN,    /* the request carries no session */
    NA_E_TOO_BIG,     /* a cap was reached */
    NA_E_CONFIG,      /* configuration file or value */
    NA_E_NO_SECRET,   /* no usable secret configured */
    NA_E_IO,          /* reading a file */
    NA_E_STORE        /* the session store failed or did not answer in time */
} na_code;

typedef struct {
    na_code code;
    char msg[200];
} na_err;

/* Fill *err (if err is non-NULL) with code and a printf-style reason; returns -1
 * so that callers can write `return na_err_set(err, ...);`. */
int na_err_set(na_err *err, na_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset *err to NA_OK and an empty message (err may be NULL). */
void na_err_clear(na_err *err);

#endif
