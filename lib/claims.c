/* claims.c — exp/nbf/iat rules (see claims.h). */
#include "claims.h"

/* A JSON number as a double; 0 when the member is absent, -1 when not a number. */
static int number(const json_t *claims, const char *name, double *out)
{
    const json_t *v = json_object_get(claims, name);
    if (v == NULL)
        return 0;
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return 1;
}

int na_claims_check(const json_t *claims, const na_claims_opts *o, na_err *err)
{
    double exp = 0, nbf = 0, iat = 0;
    double now = (double)o->now, tol = (double)o->tolerance;

    /* RFC 7519 §4.1.4 and jose: a present exp must be a NumericDate; the token is
     * expired when exp <= now - tolerance (B15.2). */
    int has = number(claims, "exp", &exp);
    if (has < 0)
        return na_err_set(err, NA_E_CLAIMS, "exp is not a number");
    if (has == 0 && o->require_exp)
        return na_err_set(err, NA_E_CLAIMS, "token has no exp");
    if (has > 0 && !(exp > now - tol))
        return na_err_set(err, NA_E_EXPIRED, "token expired");

    /* RFC 7519 §4.1.5: not before, with the same tolerance. */
    has = number(claims, "nbf", &nbf);
    if (has < 0)
        return na_err_set(err, NA_E_CLAIMS, "nbf is not a number");
    if (has > 0 && !(nbf <= now + tol))
        return na_err_set(err, NA_E_NOT_YET, "token not yet valid (nbf)");

    /* jose checks only the type of iat (a future iat is accepted, B3.4). */
    if (number(claims, "iat", &iat) < 0)
        return na_err_set(err, NA_E_CLAIMS, "iat is not a number");
    return 0;
}
