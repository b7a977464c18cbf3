/* claims.c — exp/nbf/iat rules (see claims.h). */
#include "claims.h"

/* What a claim is: absent (0), a number (1, *out set), something else (-1). */
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

/* The same for a view: only integers are numbers there (the view declines reals,
 * fastjson.h), and an integer reads as jansson's json_number_value reads it. */
static int view_number(const na_jview *claims, const char *name, double *out)
{
    const na_jv_member *m = na_fastjson_get(claims, name);
    if (m == NULL)
        return 0;
    if (m->type != NA_JV_INT)
        return -1;
    *out = (double)m->i;
    return 1;
}

/* The rules, over what the three claims are (kind as number() returns). */
static int check(int has_exp, double exp, int has_nbf, double nbf, int has_iat,
                 const na_claims_opts *o, na_err *err)
{
    double now = (double)o->now, tol = (double)o->tolerance;

    /* RFC 7519 §4.1.4 and jose: a present exp must be a NumericDate; the token is
     * expired when exp <= now - tolerance (B15.2). */
    if (has_exp < 0)
        return na_err_set(err, NA_E_CLAIMS, "exp is not a number");
    if (has_exp == 0 && o->require_exp)
        return na_err_set(err, NA_E_CLAIMS, "token has no exp");
    if (has_exp > 0 && !(exp > now - tol))
        return na_err_set(err, NA_E_EXPIRED, "token expired");

    /* RFC 7519 §4.1.5: not before, with the same tolerance. */
    if (has_nbf < 0)
        return na_err_set(err, NA_E_CLAIMS, "nbf is not a number");
    if (has_nbf > 0 && !(nbf <= now + tol))
        return na_err_set(err, NA_E_NOT_YET, "token not yet valid (nbf)");

    /* jose checks only the type of iat (a future iat is accepted, B3.4). */
    if (has_iat < 0)
        return na_err_set(err, NA_E_CLAIMS, "iat is not a number");
    return 0;
}

int na_claims_check(const json_t *claims, const na_claims_opts *o, na_err *err)
{
    double exp = 0, nbf = 0, iat = 0;
    int e = number(claims, "exp", &exp), n = number(claims, "nbf", &nbf),
        i = number(claims, "iat", &iat);
    return check(e, exp, n, nbf, i, o, err);
}

int na_claims_check_view(const na_jview *claims, const na_claims_opts *o, na_err *err)
{
    double exp = 0, nbf = 0, iat = 0;
    int e = view_number(claims, "exp", &exp), n = view_number(claims, "nbf", &nbf),
        i = view_number(claims, "iat", &iat);
    return check(e, exp, n, nbf, i, o, err);
}
