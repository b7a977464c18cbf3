/* SPDX-License-Identifier: MIT */
/* authz.h — declarative `authorized` rules over token claims (withAuth's
 * callbacks.authorized; docs/behaviour.md, Authorized rules), compiled once
 * from the configuration.
 *
 * A condition is a JSON object; all of its members must hold:
 *   {"role":"admin"}                       the claim equals the value (a claim that
 *                                          is an array holds when it contains it)
 *   {"role":{"in":["admin","editor"]}}     equals one of the list
 *   {"email":{"suffix":"@example.com"}}    a string claim ending with the text
 *                                          (ASCII case-insensitive: e-mail domains)
 *   {"email_verified":{"exists":true}}     the claim is present (false: absent)
 *   {"role":{"equals":{"a":1}}}            explicit equality (objects, arrays)
 *   {"any":[cond, …]} / {"all":[cond, …]}  one of / every one of the conditions
 * Unknown operators, empty lists and deeper nesting than NA_AUTHZ_MAX_DEPTH are
 * configuration errors. */
#ifndef NA_AUTHZ_H
#define NA_AUTHZ_H

#include <jansson.h>

#include "err.h"

#define NA_AUTHZ_MAX_DEPTH 8

typedef struct na_cond na_cond;

/* Compile the condition v; what names it in errors ("authorized", "rules[2]…").
 * Returns a condition the caller frees with na_authz_free, or NULL with err filled. */
na_cond *na_authz_compile(const json_t *v, const char *what, na_err *err);
void na_authz_free(na_cond *c);

/* c written back as a condition object in its canonical form (a plain value for
 * equality, {"equals": …} only for an object; the members in their order), as
 * a configuration test shows what was compiled. A new reference the caller
 * json_decrefs, or NULL when out of memory. */
json_t *na_authz_json(const na_cond *c);

/* 1 when claims satisfy c, else 0. */
int na_authz_eval(const na_cond *c, const json_t *claims);

#endif
