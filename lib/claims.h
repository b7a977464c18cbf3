/* SPDX-License-Identifier: MIT */
/* claims.h — the time rules over a token's claims (docs/behaviour.md,
 * Time rules). */
#ifndef NA_CLAIMS_H
#define NA_CLAIMS_H

#include <jansson.h>

#include "err.h"
#include "fastjson.h"

typedef struct {
    long long now;       /* unix seconds (already floored) */
    long tolerance;      /* clock tolerance in seconds (NextAuth: 15) */
    int require_exp;     /* refuse a token without exp (next-auth would accept it forever) */
} na_claims_opts;

/* Check claims: exp a number (required when o->require_exp) and exp > now − tolerance,
 * compared as numbers (a fractional exp is never floored); nbf, if present, a number
 * ≤ now + tolerance; iat, if present, a number. Returns 0, or -1 with err filled
 * (NA_E_EXPIRED, NA_E_NOT_YET or NA_E_CLAIMS). */
int na_claims_check(const json_t *claims, const na_claims_opts *o, na_err *err);

/* The same rules, answers and messages over a view of the claims (fastjson.h). */
int na_claims_check_view(const na_jview *claims, const na_claims_opts *o, na_err *err);

#endif
