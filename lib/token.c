/* token.c — request → token → verified claims, and claims → token (see token.h). */
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "json.h"
#include "jwe.h"
#include "jws.h"

int na_token_init(na_verifier *v, const na_token_opts *o, na_err *err)
{
    memset(v, 0, sizeof *v);
    if (o->nsecrets == 0)
        return na_err_set(err, NA_E_NO_SECRET, "%s",
                          o->no_secret && o->no_secret[0] ? o->no_secret
                                                          : "no secret configured");
    if (strlen(o->cookie_name) >= sizeof v->cookie_name)
        return na_err_set(err, NA_E_USAGE, "cookie name longer than %d bytes",
                          NA_COOKIE_NAME_MAX);
    snprintf(v->cookie_name, sizeof v->cookie_name, "%s", o->cookie_name);
    v->algorithms = o->algorithms;
    v->tolerance = o->tolerance;
    v->require_exp = o->require_exp;
    v->max_age = o->max_age;
    const char *salt = o->salt;
    if (salt == NULL)
        salt = o->format == NA_FMT_V5 ? v->cookie_name : "";
    if (na_keys_init(&v->kr, o->format, o->secrets, o->secret_lens, o->nsecrets, salt, err) < 0)
        return -1;
    v->tokbuf = malloc(NA_TOKEN_MAX);
    v->scratch = malloc(2 * (size_t)NA_TOKEN_MAX);
    if (v->tokbuf == NULL || v->scratch == NULL) {
        na_token_free(v);
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    }
    return 0;
}

void na_token_free(na_verifier *v)
{
    if (v->scratch != NULL)
        na_token_release(v);
    na_keys_clear(&v->kr);
    free(v->tokbuf);
    free(v->scratch);
    v->tokbuf = NULL;
    v->scratch = NULL;
}

/* jose (JWE): claims replicated in the protected header must equal the payload's
 * (RFC 7519 §5.3). NextAuth never replicates any. */
static int check_replicated(const json_t *header, const json_t *claims, na_err *err)
{
    static const char *const names[] = {"iss", "sub", "aud"};
    for (size_t i = 0; i < 3; i++) {
        const json_t *h = json_object_get(header, names[i]);
        if (h != NULL && !json_equal((json_t *)h, json_object_get(claims, names[i])))
            return na_err_set(err, NA_E_CLAIMS, "header %s differs from the claims", names[i]);
    }
    return 0;
}

void na_token_release(na_verifier *v)
{
    if (v->held != NULL)
        OPENSSL_cleanse(v->held, v->held_len);
    v->held = NULL;
    v->held_len = 0;
}

/* na_token_decode; with view non-NULL, a payload the view takes is checked and
 * kept in v for it (na_token_decode_view). */
static int decode(na_verifier *v, const char *tok, size_t len, long long now, na_jview *view,
                  json_t **claims, na_err *err)
{
    unsigned char *plain = NULL;
    size_t plainlen = 0;
    json_t *header = NULL;

    *claims = NULL;
    na_token_release(v);
    if (len == 0)
        return na_err_set(err, NA_E_NO_TOKEN, "empty token");
    if (len > NA_TOKEN_MAX)
        return na_err_set(err, NA_E_TOO_BIG, "token longer than %d bytes", NA_TOKEN_MAX);
    int rc = v->kr.format == NA_FMT_JWS
                 ? na_jws_verify(&v->kr, v->algorithms, tok, len, v->scratch,
                                 2 * (size_t)NA_TOKEN_MAX, &plain, &plainlen, err)
                 : na_jwe_decrypt(&v->kr, tok, len, v->scratch, 2 * (size_t)NA_TOKEN_MAX,
                                  &plain, &plainlen, &header, err);
    if (rc < 0)
        return -1;
    na_claims_opts o = {.now = now, .tolerance = v->tolerance, .require_exp = v->require_exp};
    /* The view needs no replicated-claims check: it is only tried without a
     * parsed header (every header NextAuth writes is recognised unparsed). */
    if (view != NULL && header == NULL &&
        na_fastjson_view_object((const char *)plain, plainlen, NA_JSON_MAX_DEPTH, view) == 0) {
        v->held = plain;
        v->held_len = plainlen;
        if (na_claims_check_view(view, &o, err) < 0) {
            na_token_release(v);
            return -1;
        }
        return 0;
    }
    json_t *c = na_json_parse_object((const char *)plain, plainlen, "payload", err);
    OPENSSL_cleanse(plain, plainlen);
    if (c == NULL)
        goto fail;
    if (header != NULL && check_replicated(header, c, err) < 0)
        goto fail;
    if (na_claims_check(c, &o, err) < 0)
        goto fail;
    json_decref(header);
    *claims = c;
    return 0;
fail:
    json_decref(header);
    json_decref(c);
    return -1;
}

int na_token_decode(na_verifier *v, const char *tok, size_t len, long long now,
                    json_t **claims, na_err *err)
{
    return decode(v, tok, len, now, NULL, claims, err);
}

json_t *na_token_held_claims(na_verifier *v, na_err *err)
{
    if (v->held == NULL) {
        na_err_set(err, NA_E_USAGE, "no payload held");
        return NULL;
    }
    return na_json_parse_object((const char *)v->held, v->held_len, "payload", err);
}

/* getToken's lookup (B10.1): the session cookie, else the Bearer token, into
 * v->tokbuf. Returns 1 found (*toklen bytes), 0 none (err NA_E_NO_TOKEN), -1 bad. */
static int find(na_verifier *v, const char *cookie, size_t clen, const char *authz,
                size_t alen, size_t *toklen, na_cookie_seen *seen, na_err *err)
{
    int found = 0;
    if (seen)
        seen->n = 0;
    if (cookie != NULL) {
        found = na_cookie_session(cookie, clen, v->cookie_name, v->tokbuf, NA_TOKEN_MAX,
                                  toklen, seen, err);
        if (found < 0)
            return -1;
    }
    /* B10.1 step 2: the Authorization header only when no cookie value was found. */
    if (!found && authz != NULL) {
        found = na_cookie_bearer(authz, alen, v->tokbuf, NA_TOKEN_MAX, toklen, err);
        if (found < 0)
            return -1;
    }
    if (!found) {
        na_err_set(err, NA_E_NO_TOKEN, "no session token (cookie %s, no bearer)",
                   v->cookie_name);
        return 0;
    }
    return 1;
}

int na_token_find(na_verifier *v, const char *cookie, size_t clen, const char *authz,
                  size_t alen, const char **tok, size_t *toklen, na_cookie_seen *seen,
                  na_err *err)
{
    *tok = v->tokbuf;
    *toklen = 0;
    return find(v, cookie, clen, authz, alen, toklen, seen, err);
}

int na_token_decode_view(na_verifier *v, const char *tok, size_t len, long long now,
                         na_jview *view, json_t **claims, na_err *err)
{
    return decode(v, tok, len, now, view, claims, err);
}

int na_token_get(na_verifier *v, const char *cookie, size_t clen, const char *authz,
                 size_t alen, long long now, json_t **claims, na_cookie_seen *seen,
                 na_err *err)
{
    size_t toklen = 0;
    *claims = NULL;
    int found = find(v, cookie, clen, authz, alen, &toklen, seen, err);
    if (found <= 0)
        return found;
    return decode(v, v->tokbuf, toklen, now, NULL, claims, err) < 0 ? -1 : 1;
}

int na_token_uuid_v4(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return -1;
    /* RFC 9562 §5.4: version 4 in the high nibble of byte 6, variant 10 in byte 8. */
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return 0;
}

char *na_token_encode(na_verifier *v, json_t *claims, long max_age, long long now,
                      na_err *err)
{
    char jti[37];
    if (!json_is_object(claims)) {
        na_err_set(err, NA_E_USAGE, "claims must be a JSON object");
        return NULL;
    }
    if (na_token_uuid_v4(jti) < 0) {
        na_err_set(err, NA_E_CRYPTO, "random generator failed");
        return NULL;
    }
    /* B3.3: json_object_set_new keeps the position of an existing key. */
    if (json_object_set_new(claims, "iat", json_integer(now)) < 0 ||
        json_object_set_new(claims, "exp", json_integer(now + max_age)) < 0 ||
        json_object_set_new(claims, "jti", json_string(jti)) < 0) {
        na_err_set(err, NA_E_NOMEM, "out of memory");
        return NULL;
    }
    char *payload = na_json_dumps_js(claims);
    if (payload == NULL) {
        na_err_set(err, NA_E_NOMEM, "out of memory");
        return NULL;
    }
    size_t n = strlen(payload);
    char *tok = NULL;
    if (v->kr.format == NA_FMT_JWS) {
        unsigned alg = v->algorithms & NA_ALG_HS256   ? NA_ALG_HS256
                       : v->algorithms & NA_ALG_HS384 ? NA_ALG_HS384
                                                      : NA_ALG_HS512;
        tok = na_jws_sign(&v->kr, alg, (const unsigned char *)payload, n, err);
    } else {
        tok = na_jwe_encrypt(&v->kr, (const unsigned char *)payload, n, err);
    }
    OPENSSL_cleanse(payload, n);
    free(payload);
    /* Refuse to write what the reader would refuse to read. */
    if (tok != NULL && strlen(tok) > NA_TOKEN_MAX) {
        free(tok);
        na_err_set(err, NA_E_TOO_BIG, "token would be longer than %d bytes", NA_TOKEN_MAX);
        return NULL;
    }
    return tok;
}
