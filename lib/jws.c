/* jws.c — HS256/HS384/HS512 compact JWS (see jws.h). */
#include "jws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "compact.h"
#include "mac.h"

/* The only algorithms ever accepted, with their digest sizes. "none", RS*, ES*,
 * PS* and anything else is refused by not being here (no HS/RS confusion: no
 * public-key algorithm exists in this code). */
static const struct {
    const char *name;
    unsigned bit;
    int bits;
} algs[] = {
    {"HS256", NA_ALG_HS256, 256},
    {"HS384", NA_ALG_HS384, 384},
    {"HS512", NA_ALG_HS512, 512},
};

unsigned na_jws_alg_parse(const char *name)
{
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (strcmp(name, algs[i].name) == 0)
            return algs[i].bit;
    return 0;
}

int na_jws_verify(const na_keyring *kr, unsigned allowed, const char *tok, size_t len,
                  unsigned char *buf, size_t cap, unsigned char **payload,
                  size_t *payloadlen, na_err *err)
{
    na_seg s[3];
    if (kr->format != NA_FMT_JWS)
        return na_err_set(err, NA_E_USAGE, "keyring is not for JWS");
    if (kr->n == 0)
        return na_err_set(err, NA_E_NO_SECRET, "no secret configured");
    /* RFC 7515 §7.1: header . payload . signature */
    if (na_compact_split(tok, len, s, 3, err) < 0)
        return -1;
    /* Fast path: jsonwebtoken's header for HS256 needs no JSON parse. */
    static const char hs256_jwt[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
    size_t a = 0;
    if (!(s[0].n == sizeof hs256_jwt - 1 && memcmp(s[0].p, hs256_jwt, s[0].n) == 0)) {
        json_t *h = na_compact_header(s[0], err);
        if (h == NULL)
            return -1;
        const char *alg = na_compact_str(h, "alg");
        while (a < sizeof algs / sizeof algs[0] && strcmp(alg, algs[a].name) != 0)
            a++;
        json_decref(h);
    }
    if (a == sizeof algs / sizeof algs[0] || !(algs[a].bit & allowed))
        return na_err_set(err, NA_E_UNSUPPORTED, "unsupported or disallowed alg");

    /* RFC 7518 §3.2: the signature is the whole HMAC output (no truncation). */
    size_t siglen = (size_t)algs[a].bits / 8;
    unsigned char sig[64], mac[64];
    if (s[2].n != NA_B64URL_ENCODED_LEN(siglen) ||
        na_b64url_decode(s[2].p, s[2].n, sig, sizeof sig) != (long)siglen)
        return na_err_set(err, NA_E_MALFORMED, "signature must be %zu bytes of base64url",
                          siglen);

    /* The signing input is the ASCII of header "." payload (RFC 7515 §5.1 step 5). */
    na_piece input[] = {{tok, s[0].n + 1 + s[1].n}};
    int good = 0;
    for (size_t i = 0; i < kr->n && !good; i++) {
        size_t maclen;
        if (na_mac_run(kr->keys[i].hs[a], input, 1, mac, &maclen, err) < 0)
            return -1;
        good = na_mac_equal(mac, sig, siglen);
    }
    if (!good)
        return na_err_set(err, NA_E_CRYPTO, "bad signature (wrong secret or tampered token)");

    if (NA_B64URL_DECODED_LEN(s[1].n) > cap)
        return na_err_set(err, NA_E_TOO_BIG, "token too large");
    long n = na_b64url_decode(s[1].p, s[1].n, buf, cap);
    if (n <= 0)
        return na_err_set(err, NA_E_MALFORMED, "payload is not base64url");
    *payload = buf;
    *payloadlen = (size_t)n;
    return 0;
}

char *na_jws_sign(const na_keyring *kr, unsigned alg, const unsigned char *payload, size_t n,
                  na_err *err)
{
    size_t a = 0;
    while (a < sizeof algs / sizeof algs[0] && algs[a].bit != alg)
        a++;
    if (a == sizeof algs / sizeof algs[0]) {
        na_err_set(err, NA_E_USAGE, "unknown JWS algorithm");
        return NULL;
    }
    if (kr->format != NA_FMT_JWS || kr->n == 0) {
        na_err_set(err, NA_E_NO_SECRET, "no secret configured");
        return NULL;
    }
    char hjson[40];
    int hj = snprintf(hjson, sizeof hjson, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", algs[a].name);
    size_t hmax = NA_B64URL_ENCODED_LEN((size_t)hj), pmax = NA_B64URL_ENCODED_LEN(n);
    size_t smax = NA_B64URL_ENCODED_LEN(64);
    char *out = malloc(hmax + 1 + pmax + 1 + smax + 1);
    if (out == NULL) {
        na_err_set(err, NA_E_NOMEM, "out of memory");
        return NULL;
    }
    char *p = out;
    p += na_b64url_encode((const unsigned char *)hjson, (size_t)hj, p);
    *p++ = '.';
    p += na_b64url_encode(payload, n, p);
    unsigned char mac[64];
    size_t maclen;
    na_piece input[] = {{out, (size_t)(p - out)}};
    if (na_mac_sha2(algs[a].bits, kr->keys[0].secret, kr->keys[0].secret_len, input, 1, mac,
                     &maclen, err) < 0) {
        free(out);
        return NULL;
    }
    *p++ = '.';
    na_b64url_encode(mac, maclen, p);
    return out;
}
