/* fuzz_jose.c — JWE/JWS compact decoding and the claim checks (lib/jwe.c,
 * lib/jws.c, lib/compact.c, lib/token.c, lib/claims.c, lib/json.c).
 *
 * Verifiers for every format are built once from the secret of tests/vectors/
 * (plus a second, rotated-out secret) at the vectors' fixed clock:
 *   v4 (next-auth.session-token), v5 (authjs.session-token), v5 secure
 *   (__Secure-authjs.session-token: another key), jws (HS256, HS384, HS512).
 * Each input is used twice:
 *   1. as a token: na_token_decode under every verifier;
 *   2. as a payload: sealed with the verifier's own key (JWE encrypt, JWS sign),
 *      then decoded — so the strict JSON parser and the claim rules see
 *      arbitrary payloads behind a valid tag. The verdict must equal
 *      "na_json_parse_object accepts it and na_claims_check passes", with the
 *      same claims; and flipping any one byte of the sealed token must make it
 *      fail.
 * Invariant on every success: the claims are a JSON object with a numeric exp
 * > now − 15, a numeric nbf (if any) <= now + 15 and a numeric iat (if any). */
#include "claims.h"
#include "json.h"
#include "jwe.h"
#include "jws.h"
#include "source.h"
#include "token.h"

#include "fuzz.h"

typedef struct {
    const char *name;
    const char *json;
    na_config cfg;
    na_verifier v;
} fmt;

#define SECRETS "\"secret\":[\"" FUZZ_SECRET "\",\"a-previous-secret-still-accepted\"]"
static fmt fmts[] = {
    {.name = "v4", .json = "{" SECRETS ",\"jwt\":{\"format\":\"next-auth-v4\"}}"},
    {.name = "v5", .json = "{" SECRETS ",\"jwt\":{\"format\":\"authjs-v5\"}}"},
    {.name = "v5-secure",
     .json = "{" SECRETS ",\"useSecureCookies\":true,\"jwt\":{\"format\":\"authjs-v5\"}}"},
    {.name = "jws",
     .json = "{" SECRETS ",\"jwt\":{\"format\":\"jws\",\"algorithms\":[\"HS256\",\"HS384\","
             "\"HS512\"]}}"},
};
#define NFMT (sizeof fmts / sizeof fmts[0])

static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    static fuzz_logbuf logs;
    fuzz_quiet_logs(&logs);
    for (size_t i = 0; i < NFMT; i++) {
        na_err err;
        fuzz_config(&fmts[i].cfg, fmts[i].json);
        if (na_source_token_init(&fmts[i].v, &fmts[i].cfg, NULL, &err) < 0)
            fuzz_die(fmts[i].name, err.msg);
    }
}

static void check_claims(const fmt *f, const json_t *claims)
{
    FUZZ_CHECK(json_is_object(claims), "%s: claims are not an object", f->name);
    const json_t *exp = json_object_get(claims, "exp");
    FUZZ_CHECK(json_is_number(exp), "%s: accepted without a numeric exp", f->name);
    FUZZ_CHECK(json_number_value(exp) > (double)(FUZZ_NOW - FUZZ_TOLERANCE),
               "%s: accepted exp %.17g at now %lld", f->name, json_number_value(exp), FUZZ_NOW);
    const json_t *nbf = json_object_get(claims, "nbf");
    if (nbf != NULL)
        FUZZ_CHECK(json_is_number(nbf) &&
                       json_number_value(nbf) <= (double)(FUZZ_NOW + FUZZ_TOLERANCE),
                   "%s: accepted nbf", f->name);
    const json_t *iat = json_object_get(claims, "iat");
    if (iat != NULL)
        FUZZ_CHECK(json_is_number(iat), "%s: accepted a non-numeric iat", f->name);
}

static void as_token(fmt *f, const char *tok, size_t len)
{
    json_t *claims = (json_t *)1;
    na_err err;
    na_err_clear(&err);
    int rc = na_token_decode(&f->v, tok, len, FUZZ_NOW, &claims, &err);
    if (rc == 0) {
        check_claims(f, claims);
        json_decref(claims);
    } else {
        FUZZ_CHECK(rc == -1 && claims == NULL && err.code != NA_OK && err.msg[0],
                   "%s: rc %d, claims %p, code %d", f->name, rc, (void *)claims,
                   (int)err.code);
    }
}

/* Seal payload with the verifier's first key, as encode() does. */
static char *seal(fmt *f, const uint8_t *payload, size_t n)
{
    na_err err;
    char *tok = f->v.kr.format == NA_FMT_JWS
                    ? na_jws_sign(&f->v.kr, NA_ALG_HS256 << (n % 3), payload, n, &err)
                    : na_jwe_encrypt(&f->v.kr, payload, n, &err);
    if (tok == NULL)
        fuzz_die("seal", err.msg);
    return tok;
}

static void as_payload(fmt *f, const uint8_t *data, size_t size)
{
    char *tok = seal(f, data, size);
    size_t len = strlen(tok);
    if (len > NA_TOKEN_MAX) {
        free(tok);
        return;
    }
    /* what the verdict must be */
    na_err e1;
    json_t *want = na_json_parse_object((const char *)data, size, "payload", &e1);
    na_claims_opts o = {.now = FUZZ_NOW, .tolerance = FUZZ_TOLERANCE, .require_exp = 1};
    int want_ok = want != NULL && na_claims_check(want, &o, NULL) == 0;

    json_t *claims = NULL;
    na_err err;
    int rc = na_token_decode(&f->v, tok, len, FUZZ_NOW, &claims, &err);
    FUZZ_CHECK((rc == 0) == want_ok, "%s: sealed payload of %zu bytes: decode rc %d (%s), "
               "parse+claims say %d", f->name, size, rc, rc ? err.msg : "", want_ok);
    if (rc == 0) {
        check_claims(f, claims);
        FUZZ_CHECK(json_equal(claims, want), "%s: claims differ from the parsed payload",
                   f->name);
        json_decref(claims);

        /* one flipped byte anywhere must break it */
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < size; i++)
            h = (h ^ data[i]) * 16777619u;
        size_t at = h % len;
        tok[at] ^= (char)(1u << (h >> 29));
        rc = na_token_decode(&f->v, tok, len, FUZZ_NOW, &claims, &err);
        FUZZ_CHECK(rc == -1 && claims == NULL, "%s: token with byte %zu flipped accepted",
                   f->name, at);
    }
    json_decref(want);
    free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    /* an exact-size copy: the token is read without a terminator */
    char *tok = malloc(size ? size : 1);
    if (tok == NULL)
        fuzz_die("malloc", "out of memory");
    if (size)
        memcpy(tok, data, size);
    for (size_t i = 0; i < NFMT; i++)
        as_token(&fmts[i], tok, size);
    free(tok);
    for (size_t i = 0; i < NFMT; i++)
        as_payload(&fmts[i], data, size);
    return 0;
}
