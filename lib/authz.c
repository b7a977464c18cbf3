/* SPDX-License-Identifier: MIT */
/* authz.c — conditions over claims (see authz.h). */
#include "authz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { C_ALL, C_ANY, C_EQUALS, C_IN, C_SUFFIX, C_EXISTS } cond_kind;

struct na_cond {
    cond_kind kind;
    char *claim;       /* the claim name (C_EQUALS … C_EXISTS) */
    json_t *value;     /* C_EQUALS: the value; C_IN: the array; C_SUFFIX: the string */
    int exists;        /* C_EXISTS */
    na_cond **kids;    /* C_ALL / C_ANY */
    size_t nkids;
};

void na_authz_free(na_cond *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nkids; i++)
        na_authz_free(c->kids[i]);
    free(c->kids);
    free(c->claim);
    json_decref(c->value);
    free(c);
}

static na_cond *new_cond(cond_kind k)
{
    na_cond *c = calloc(1, sizeof *c);
    if (c)
        c->kind = k;
    return c;
}

static int add_kid(na_cond *c, na_cond *kid)
{
    na_cond **k = realloc(c->kids, (c->nkids + 1) * sizeof *k);
    if (k == NULL)
        return -1;
    c->kids = k;
    c->kids[c->nkids++] = kid;
    return 0;
}

static na_cond *compile(const json_t *v, const char *what, int depth, na_err *err);

/* One member "claim": spec of a condition object. */
static na_cond *compile_member(const char *claim, const json_t *spec, const char *what,
                               int depth, na_err *err)
{
    char where[160];
    snprintf(where, sizeof where, "%s.%s", what, claim);
    if (strcmp(claim, "any") == 0 || strcmp(claim, "all") == 0) {
        size_t i;
        json_t *x;
        if (!json_is_array(spec) || json_array_size(spec) == 0) {
            na_err_set(err, NA_E_CONFIG, "%s must be a non-empty array of conditions", where);
            return NULL;
        }
        na_cond *c = new_cond(claim[1] == 'n' ? C_ANY : C_ALL);
        if (c == NULL)
            goto nomem;
        json_array_foreach(spec, i, x) {
            char w[200];
            snprintf(w, sizeof w, "%s[%zu]", where, i);
            na_cond *kid = compile(x, w, depth + 1, err);
            if (kid == NULL || add_kid(c, kid) < 0) {
                if (kid == NULL) {
                    na_authz_free(c);
                    return NULL;
                }
                na_authz_free(kid);
                na_authz_free(c);
                goto nomem;
            }
        }
        return c;
    }
    na_cond *c = NULL;
    if (json_is_object(spec)) {
        if (json_object_size(spec) != 1) {
            na_err_set(err, NA_E_CONFIG, "%s: an operator object has exactly one of in, "
                                         "suffix, exists, equals", where);
            return NULL;
        }
        const char *op = json_object_iter_key(json_object_iter((json_t *)spec));
        json_t *arg = json_object_iter_value(json_object_iter((json_t *)spec));
        if (strcmp(op, "in") == 0) {
            if (!json_is_array(arg) || json_array_size(arg) == 0) {
                na_err_set(err, NA_E_CONFIG, "%s.in must be a non-empty array", where);
                return NULL;
            }
            c = new_cond(C_IN);
        } else if (strcmp(op, "suffix") == 0) {
            if (!json_is_string(arg) || json_string_length(arg) == 0) {
                na_err_set(err, NA_E_CONFIG, "%s.suffix must be a non-empty string", where);
                return NULL;
            }
            c = new_cond(C_SUFFIX);
        } else if (strcmp(op, "exists") == 0) {
            if (!json_is_boolean(arg)) {
                na_err_set(err, NA_E_CONFIG, "%s.exists must be true or false", where);
                return NULL;
            }
            if ((c = new_cond(C_EXISTS)) != NULL)
                c->exists = json_is_true(arg);
        } else if (strcmp(op, "equals") == 0) {
            c = new_cond(C_EQUALS);
        } else {
            na_err_set(err, NA_E_CONFIG, "%s: unknown operator \"%.40s\" (in, suffix, exists, "
                                         "equals)", where, op);
            return NULL;
        }
        if (c == NULL)
            goto nomem;
        if (c->kind != C_EXISTS)
            c->value = json_incref(arg);
    } else {
        if ((c = new_cond(C_EQUALS)) == NULL)
            goto nomem;
        c->value = json_incref((json_t *)spec);
    }
    if ((c->claim = strdup(claim)) == NULL) {
        na_authz_free(c);
        goto nomem;
    }
    return c;
nomem:
    na_err_set(err, NA_E_NOMEM, "out of memory");
    return NULL;
}

static na_cond *compile(const json_t *v, const char *what, int depth, na_err *err)
{
    if (depth > NA_AUTHZ_MAX_DEPTH) {
        na_err_set(err, NA_E_CONFIG, "%s: conditions nested deeper than %d", what,
                   NA_AUTHZ_MAX_DEPTH);
        return NULL;
    }
    if (!json_is_object(v) || json_object_size(v) == 0) {
        na_err_set(err, NA_E_CONFIG, "%s must be a non-empty object", what);
        return NULL;
    }
    na_cond *all = new_cond(C_ALL);
    if (all == NULL) {
        na_err_set(err, NA_E_NOMEM, "out of memory");
        return NULL;
    }
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x) {
        na_cond *kid = compile_member(k, x, what, depth, err);
        if (kid == NULL || add_kid(all, kid) < 0) {
            if (kid != NULL) {
                na_authz_free(kid);
                na_err_set(err, NA_E_NOMEM, "out of memory");
            }
            na_authz_free(all);
            return NULL;
        }
    }
    return all;
}

na_cond *na_authz_compile(const json_t *v, const char *what, na_err *err)
{
    return compile(v, what, 0, err);
}

/* A condition object (a C_ALL node as compile makes one for every object) as
 * JSON: each member in its canonical form. */
static json_t *object_json(const na_cond *c)
{
    json_t *o = json_object();
    for (size_t i = 0; o != NULL && i < c->nkids; i++) {
        const na_cond *m = c->kids[i];
        json_t *v = NULL;
        switch (m->kind) {
        case C_ALL:
        case C_ANY:
            v = json_array();
            for (size_t j = 0; v != NULL && j < m->nkids; j++)
                if (json_array_append_new(v, object_json(m->kids[j])) < 0) {
                    json_decref(v);
                    v = NULL;
                }
            break;
        case C_EQUALS: /* a bare value, unless it would read as an operator object */
            v = json_is_object(m->value) ? json_pack("{sO}", "equals", m->value)
                                         : json_incref(m->value);
            break;
        case C_IN:
            v = json_pack("{sO}", "in", m->value);
            break;
        case C_SUFFIX:
            v = json_pack("{sO}", "suffix", m->value);
            break;
        case C_EXISTS:
            v = json_pack("{sb}", "exists", m->exists);
            break;
        }
        const char *name = m->kind == C_ALL ? "all" : m->kind == C_ANY ? "any" : m->claim;
        if (json_object_set_new(o, name, v) < 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

json_t *na_authz_json(const na_cond *c)
{
    return object_json(c);
}

/* A claim equals v; an array claim "equals" a scalar it contains. */
static int equals(const json_t *claim, const json_t *v)
{
    /* JSON has one number type: 3 and 3.0 are the same value. */
    if (json_is_number(claim) && json_is_number(v))
        return json_number_value(claim) == json_number_value(v);
    if (json_equal((json_t *)claim, (json_t *)v))
        return 1;
    if (json_is_array(claim) && !json_is_array(v) && !json_is_object(v)) {
        size_t i;
        json_t *x;
        json_array_foreach((json_t *)claim, i, x)
            if (json_is_number(x) && json_is_number(v)
                    ? json_number_value(x) == json_number_value(v)
                    : json_equal(x, (json_t *)v))
                return 1;
    }
    return 0;
}

int na_authz_eval(const na_cond *c, const json_t *claims)
{
    switch (c->kind) {
    case C_ALL:
        for (size_t i = 0; i < c->nkids; i++)
            if (!na_authz_eval(c->kids[i], claims))
                return 0;
        return 1;
    case C_ANY:
        for (size_t i = 0; i < c->nkids; i++)
            if (na_authz_eval(c->kids[i], claims))
                return 1;
        return 0;
    default:
        break;
    }
    const json_t *claim = json_object_get(claims, c->claim);
    switch (c->kind) {
    case C_EXISTS:
        return (claim != NULL) == c->exists;
    case C_EQUALS:
        return claim != NULL && equals(claim, c->value);
    case C_IN: {
        size_t i;
        json_t *x;
        if (claim == NULL)
            return 0;
        json_array_foreach(c->value, i, x)
            if (equals(claim, x))
                return 1;
        return 0;
    }
    case C_SUFFIX: {
        const char *s = json_string_value(claim), *suf = json_string_value(c->value);
        if (s == NULL)
            return 0;
        size_t n = strlen(s), m = strlen(suf);
        return n >= m && strcasecmp(s + n - m, suf) == 0;
    }
    default:
        return 0;
    }
}
