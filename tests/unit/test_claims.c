/* SPDX-License-Identifier: MIT */
/* test_claims.c — the time rules (docs/behaviour.md, Time rules): valid while
 * exp > now − tolerance, nbf ≤ now + tolerance, iat a number; a fixed clock. */
#include "claims.h"

#include "unit.h"

#define NOW 1700000000LL

static int view_compared;

/* na_claims_check on the JSON text; returns the na_code (NA_OK on success). When
 * the view takes the text, na_claims_check_view must say the same, word for word
 * (-400 when not). */
static int verdict(const char *json, long tolerance, int require_exp)
{
    json_error_t jerr;
    json_t *c = json_loads(json, 0, &jerr);
    if (c == NULL) {
        printf("    bad test JSON: %s\n", json);
        return -100;
    }
    na_claims_opts o = {.now = NOW, .tolerance = tolerance, .require_exp = require_exp};
    na_err err;
    na_err_clear(&err);
    int rc = na_claims_check(c, &o, &err);
    json_decref(c);
    na_jview view;
    if (na_fastjson_view_object(json, strlen(json), 32, &view) == 0) {
        na_err verr;
        na_err_clear(&verr);
        int vrc = na_claims_check_view(&view, &o, &verr);
        view_compared++;
        if (vrc != rc || verr.code != err.code || strcmp(verr.msg, err.msg) != 0) {
            printf("    the view's verdict differs: %d (%s) against %d (%s)\n", vrc, verr.msg,
                   rc, err.msg);
            return -400;
        }
    }
    if (rc == 0)
        return err.code == NA_OK ? NA_OK : -200; /* success leaves err alone */
    return err.code == NA_OK ? -300 : (int)err.code;
}

static void expect(const char *json, long tol, int req, int want, int line)
{
    int got = verdict(json, tol, req);
    if (!unit_eq_int(got, want, __FILE__, line, "claims verdict"))
        printf("    claims %s (tolerance %ld, require_exp %d)\n", json, tol, req);
}
#define EXPECT(json, tol, req, want) expect((json), (tol), (req), (want), __LINE__)

static char *fmt(char *buf, size_t n, const char *name, double v)
{
    snprintf(buf, n, "{\"%s\":%.17g}", name, v);
    return buf;
}

static void test_exp_boundaries(void)
{
    char b[96];
    /* next-auth measured: exp = now−14 accepted, now−16 rejected; now−15 is the edge
     * (exp ≤ now − 15 is expired). */
    EXPECT(fmt(b, sizeof b, "exp", NOW - 14), 15, 1, NA_OK);
    EXPECT(fmt(b, sizeof b, "exp", NOW - 15), 15, 1, NA_E_EXPIRED);
    EXPECT(fmt(b, sizeof b, "exp", NOW - 16), 15, 1, NA_E_EXPIRED);
    EXPECT(fmt(b, sizeof b, "exp", NOW - 3600), 15, 1, NA_E_EXPIRED);
    EXPECT(fmt(b, sizeof b, "exp", 0), 15, 1, NA_E_EXPIRED);
    EXPECT(fmt(b, sizeof b, "exp", NOW), 15, 1, NA_OK);
    /* A fractional exp is compared as a number, never floored. */
    EXPECT(fmt(b, sizeof b, "exp", NOW - 14.5), 15, 1, NA_OK);
    EXPECT(fmt(b, sizeof b, "exp", NOW - 14.999), 15, 1, NA_OK);
    EXPECT(fmt(b, sizeof b, "exp", NOW - 15.5), 15, 1, NA_E_EXPIRED);
    EXPECT("{\"exp\":1699999985.0}", 15, 1, NA_E_EXPIRED);
    EXPECT("{\"exp\":1699999985.25}", 15, 1, NA_OK);
    /* Far future, as integer and as real. */
    EXPECT("{\"exp\":4102444800}", 15, 1, NA_OK);
    EXPECT("{\"exp\":9223372036854775807}", 15, 1, NA_OK);
    EXPECT("{\"exp\":1e300}", 15, 1, NA_OK);
    EXPECT("{\"exp\":-1}", 15, 1, NA_E_EXPIRED);
}

static void test_nbf(void)
{
    char b[96];
    EXPECT("{\"exp\":4102444800,\"nbf\":1700000015}", 15, 1, NA_OK);
    EXPECT("{\"exp\":4102444800,\"nbf\":1700000016}", 15, 1, NA_E_NOT_YET);
    EXPECT("{\"exp\":4102444800,\"nbf\":1700000015.5}", 15, 1, NA_E_NOT_YET);
    EXPECT("{\"exp\":4102444800,\"nbf\":1600000000}", 15, 1, NA_OK);
    EXPECT("{\"exp\":4102444800,\"nbf\":\"1600000000\"}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"exp\":4102444800,\"nbf\":null}", 15, 1, NA_E_CLAIMS);
    /* nbf alone (no exp, not required). */
    EXPECT(fmt(b, sizeof b, "nbf", NOW + 16), 15, 0, NA_E_NOT_YET);
    EXPECT(fmt(b, sizeof b, "nbf", NOW + 15), 15, 0, NA_OK);
}

static void test_types(void)
{
    /* iat: only its type is checked; a future iat is fine (as in jose). */
    EXPECT("{\"exp\":4102444800,\"iat\":\"1700000000\"}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"exp\":4102444800,\"iat\":null}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"exp\":4102444800,\"iat\":[1]}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"exp\":4102444800,\"iat\":4102444800}", 15, 1, NA_OK);
    EXPECT("{\"exp\":4102444800,\"iat\":1.5}", 15, 1, NA_OK);
    /* exp of the wrong type is refused even when exp is not required. */
    EXPECT("{\"exp\":\"4102444800\"}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"exp\":\"4102444800\"}", 15, 0, NA_E_CLAIMS);
    EXPECT("{\"exp\":null}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"exp\":true}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"exp\":{}}", 15, 1, NA_E_CLAIMS);
}

static void test_missing_exp(void)
{
    EXPECT("{}", 15, 1, NA_E_CLAIMS);
    EXPECT("{\"sub\":\"user-1\",\"iat\":1700000000}", 15, 1, NA_E_CLAIMS);
    EXPECT("{}", 15, 0, NA_OK);
    EXPECT("{\"sub\":\"user-1\",\"iat\":1700000000}", 15, 0, NA_OK);
    /* Case matters: "EXP" is not exp. */
    EXPECT("{\"EXP\":4102444800}", 15, 1, NA_E_CLAIMS);
}

static void test_tolerance_zero(void)
{
    char b[96];
    EXPECT(fmt(b, sizeof b, "exp", NOW), 0, 1, NA_E_EXPIRED);
    EXPECT(fmt(b, sizeof b, "exp", NOW + 1), 0, 1, NA_OK);
    EXPECT(fmt(b, sizeof b, "exp", NOW + 0.001), 0, 1, NA_OK);
    EXPECT(fmt(b, sizeof b, "exp", NOW - 1), 0, 1, NA_E_EXPIRED);
    EXPECT("{\"exp\":4102444800,\"nbf\":1700000000}", 0, 1, NA_OK);
    EXPECT("{\"exp\":4102444800,\"nbf\":1700000001}", 0, 1, NA_E_NOT_YET);
    /* A wider tolerance moves both edges. */
    EXPECT(fmt(b, sizeof b, "exp", NOW - 59), 60, 1, NA_OK);
    EXPECT(fmt(b, sizeof b, "exp", NOW - 60), 60, 1, NA_E_EXPIRED);
}

int main(void)
{
    RUN(test_exp_boundaries);
    RUN(test_nbf);
    RUN(test_types);
    RUN(test_missing_exp);
    RUN(test_tolerance_zero);
    printf("# the view was compared on %d texts\n", view_compared);
    CHECK(view_compared > 20);
    return unit_done();
}
