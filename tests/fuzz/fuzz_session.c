/* SPDX-License-Identifier: MIT */
/* fuzz_session.c — the session endpoint (lib/session.c, lib/setcookie.c, and
 * below them cookie, token, JOSE, claims): GET /api/auth/session from a random
 * request.
 *
 * The input is a request environment like fuzz_guard's ("NAME=value" entries
 * separated by NUL): HTTP_COOKIE, REQUEST_METHOD, and for the harness
 * FUZZ_CONFIG (a digit, configurations below) and FUZZ_CLAIMS (a payload sealed
 * with the configuration's key; every "{TOKEN}" in HTTP_COOKIE becomes it).
 *
 * Invariants (abort() when one fails), judged against an independent verifier:
 *   - the status is 200 (405 for a method other than GET/HEAD), the answer is not
 *     marked failed, no header line carries a control byte;
 *   - no token: body {} (v5: null), no Set-Cookie;
 *   - a bad token: the empty body, and every session cookie name the request
 *     carried is cleared (Max-Age=0), nothing else is set;
 *   - a valid token: the body is {"user":{…},"expires":"…"}; the Set-Cookie lines
 *     that set a value, sent back as a Cookie header, give a token the verifier
 *     accepts, with the same claims but a fresh iat = now, exp = now + maxAge and
 *     a new jti; every name the request carried is rewritten or cleared; every
 *     line has Path=/, HttpOnly, SameSite=Lax, and Secure exactly when the
 *     deployment is secure ("we never write what we would refuse to read").
 * FUZZ_VERBOSE=1 in the environment prints each input's verdict (corpus work). */
#include "json.h"
#include "jwe.h"
#include "jws.h"
#include "session.h"

#include "fuzz.h"

#define SECRET_LIST "\"secret\":[\"" FUZZ_SECRET "\",\"a-previous-secret-still-accepted\"]"

static const char *const config_text[] = {
    /* 0: v4 (the vectors' cookies), session.expose */
    "{" SECRET_LIST ",\"session\":{\"expose\":{\"id\":\"sub\",\"role\":\"role\"}}}",
    /* 1: v5, https: __Secure- names */
    "{\"secret\":\"" FUZZ_SECRET "\",\"url\":\"https://example.com\","
    "\"jwt\":{\"format\":\"authjs-v5\"},\"session\":{\"maxAge\":86400}}",
    /* 2: jws with HS512 first in line, a custom cookie name */
    "{\"secret\":\"" FUZZ_SECRET "\",\"jwt\":{\"format\":\"jws\",\"algorithms\":[\"HS512\"]},"
    "\"cookies\":{\"sessionToken\":{\"name\":\"my.session\"}},\"session\":{\"expose\":[\"groups\"]}}",
};
#define NCONF (sizeof config_text / sizeof config_text[0])
#define NOW_MS (FUZZ_NOW * 1000 + 123)

typedef struct {
    na_config cfg;
    na_source src;     /* the endpoint's */
    na_verifier check; /* an independent one */
} deployment;

static deployment dep[NCONF];
static fuzz_logbuf logs;

static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    fuzz_quiet_logs(&logs);
    for (size_t i = 0; i < NCONF; i++) {
        na_err err;
        fuzz_config(&dep[i].cfg, config_text[i]);
        if (na_source_init(&dep[i].src, &dep[i].cfg, 0, &err) < 0 || !dep[i].src.have_v ||
            na_source_token_init(&dep[i].check, &dep[i].cfg, NULL, &err) < 0)
            fuzz_die("verifier", err.msg);
    }
}

enum { E_COOKIE, E_METHOD, E_CONF, E_CLAIMS, E_N };
static const char *const env_names[E_N] = {"HTTP_COOKIE", "REQUEST_METHOD", "FUZZ_CONFIG",
                                           "FUZZ_CLAIMS"};

/* ---- the Set-Cookie lines --------------------------------------------------- */

typedef struct {
    const deployment *d;
    int secure;
    char *back;          /* the values set, as a Cookie header */
    size_t backlen, backcap;
    int cleared[1001];   /* by chunk index + 1 (0: the plain name) */
    int set[1001];
    size_t nset, ncleared;
} cookies;

static void back_append(cookies *c, const char *p, size_t n)
{
    if (c->backlen + n + 1 > c->backcap) {
        c->backcap = (c->backlen + n + 1) * 2;
        if ((c->back = realloc(c->back, c->backcap)) == NULL)
            fuzz_die("realloc", "out of memory");
    }
    memcpy(c->back + c->backlen, p, n);
    c->backlen += n;
    c->back[c->backlen] = '\0';
}

static int has_attr(const char *v, size_t n, const char *attr)
{
    size_t al = strlen(attr);
    for (size_t i = 0; i + al + 2 <= n; i++)
        if (memcmp(v + i, "; ", 2) == 0 && memcmp(v + i + 2, attr, al) == 0 &&
            (i + 2 + al == n || v[i + 2 + al] == ';'))
            return 1;
    return 0;
}

/* One response header line; Set-Cookie lines are checked and recorded. */
static void header_line(void *ctx, const char *name, size_t nl, const char *v, size_t vl)
{
    cookies *c = ctx;
    if (!(nl == 10 && memcmp(name, "Set-Cookie", 10) == 0))
        return;
    const char *base = c->d->src.v.cookie_name;
    size_t bl = strlen(base);
    const char *eq = memchr(v, '=', vl), *semi = memchr(v, ';', vl);
    FUZZ_CHECK(eq != NULL && semi != NULL && eq < semi, "Set-Cookie without name=value;");
    size_t cl = (size_t)(eq - v);
    FUZZ_CHECK(cl >= bl && memcmp(v, base, bl) == 0, "Set-Cookie for another name: %.*s",
               (int)cl, v);
    int idx = -1;
    if (cl > bl) {
        FUZZ_CHECK(v[bl] == '.' && cl - bl >= 2 && cl - bl <= 4, "odd chunk name %.*s", (int)cl,
                   v);
        idx = 0;
        for (size_t i = bl + 1; i < cl; i++) {
            FUZZ_CHECK(v[i] >= '0' && v[i] <= '9', "odd chunk name %.*s", (int)cl, v);
            idx = idx * 10 + (v[i] - '0');
        }
    }
    FUZZ_CHECK(has_attr(v, vl, "Path=/") && has_attr(v, vl, "HttpOnly") &&
                   has_attr(v, vl, "SameSite=Lax"),
               "Set-Cookie without Path=/, HttpOnly, SameSite=Lax");
    FUZZ_CHECK(has_attr(v, vl, "Secure") == c->secure, "Secure is %d on a %s deployment",
               has_attr(v, vl, "Secure"), c->secure ? "secure" : "plain");
    if (has_attr(v, vl, "Max-Age=0")) {
        FUZZ_CHECK(semi == eq + 1, "a cleared cookie with a value");
        FUZZ_CHECK(!c->cleared[idx + 1] && !c->set[idx + 1], "name %d twice", idx);
        c->cleared[idx + 1] = 1;
        c->ncleared++;
        return;
    }
    FUZZ_CHECK(has_attr(v, vl, "Expires=Sat, 31 Jan 2026 00:00:00 GMT") ||
                   has_attr(v, vl, "Expires=Fri, 02 Jan 2026 00:00:00 GMT"),
               "Expires is not now + maxAge: %.*s", (int)vl, v);
    FUZZ_CHECK(!c->cleared[idx + 1] && !c->set[idx + 1], "name %d twice", idx);
    c->set[idx + 1] = 1;
    c->nset++;
    if (c->backlen)
        back_append(c, "; ", 2);
    back_append(c, v, (size_t)(semi - v));
}

/* ---- the claims ------------------------------------------------------------- */

/* The refreshed claims are the old ones with iat, exp, jti replaced. */
static void check_refreshed(const deployment *d, const json_t *old, const json_t *fresh)
{
    const json_t *iat = json_object_get(fresh, "iat"), *exp = json_object_get(fresh, "exp");
    const json_t *jti = json_object_get(fresh, "jti");
    FUZZ_CHECK(json_is_integer(iat) && json_integer_value(iat) == FUZZ_NOW, "fresh iat");
    FUZZ_CHECK(json_is_integer(exp) &&
                   json_integer_value(exp) == FUZZ_NOW + d->cfg.session_max_age,
               "fresh exp");
    FUZZ_CHECK(json_is_string(jti) && json_string_length(jti) == 36 &&
                   !json_equal((json_t *)jti, json_object_get(old, "jti")),
               "fresh jti");
    json_t *a = json_deep_copy(old), *b = json_deep_copy(fresh);
    if (a == NULL || b == NULL)
        fuzz_die("json_deep_copy", "out of memory");
    static const char *const renewed[] = {"iat", "exp", "jti"};
    for (size_t i = 0; i < 3; i++) {
        json_object_del(a, renewed[i]);
        json_object_del(b, renewed[i]);
    }
    FUZZ_CHECK(json_equal(a, b), "refreshed claims differ from the old ones");
    json_decref(a);
    json_decref(b);
}

static char *mint(deployment *d, const char *payload, size_t n)
{
    na_err err;
    char *tok = d->src.v.kr.format == NA_FMT_JWS
                    ? na_jws_sign(&d->src.v.kr, NA_ALG_HS512, (const unsigned char *)payload, n, &err)
                    : na_jwe_encrypt(&d->src.v.kr, (const unsigned char *)payload, n, &err);
    if (tok == NULL)
        fuzz_die("mint", err.msg);
    return tok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    fuzz_env e;
    fuzz_env_parse(&e, env_names, E_N, data, size);
    size_t which = fuzz_pick(e.v[E_CONF], NCONF);
    deployment *d = &dep[which];
    if (e.v[E_CLAIMS]) {
        char *tok = mint(d, e.v[E_CLAIMS], e.len[E_CLAIMS]);
        fuzz_put_token(&e.v[E_COOKIE], tok);
        free(tok);
    }
    const char *cookie = e.v[E_COOKIE], *method = e.v[E_METHOD];
    int v5 = d->cfg.format == NA_FMT_V5;

    na_resp r;
    na_resp_init(&r);
    logs.len = 0;
    na_session_respond(&d->src, &d->cfg, method, cookie, NOW_MS, &r);

    /* the independent verdict */
    json_t *old = NULL;
    na_cookie_seen seen;
    na_err err;
    int got = na_token_get(&d->check, cookie, cookie ? strlen(cookie) : 0, NULL, 0, FUZZ_NOW,
                           &old, &seen, &err);

    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "session: config %zu, token %d, status %d, %zu header bytes\n", which,
                got, r.status, r.head.len);
    FUZZ_CHECK(!r.failed, "the answer is marked failed (token %d: %s)", got, err.msg);
    int other = method && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
    if (other) {
        FUZZ_CHECK(r.status == 405, "method %.40s: status %d", method, r.status);
        json_decref(old);
        na_resp_free(&r);
        fuzz_env_free(&e);
        return 0;
    }
    FUZZ_CHECK(r.status == 200, "status %d", r.status);
    cookies c;
    memset(&c, 0, sizeof c);
    c.d = d;
    c.secure = na_config_secure(&d->cfg);
    fuzz_check_head(r.head.p, r.head.len, header_line, &c);

    const char *empty = v5 ? "null" : "{}";
    int body_empty = r.body.len == strlen(empty) && memcmp(r.body.p, empty, r.body.len) == 0;
    if (got == 0) {
        FUZZ_CHECK(body_empty && c.nset == 0 && c.ncleared == 0,
                   "no token, yet a session or cookie changes");
    } else if (got < 0) {
        FUZZ_CHECK(body_empty && c.nset == 0, "bad token (%s), yet a session", err.msg);
        for (size_t i = 0; i < seen.n; i++)
            FUZZ_CHECK(c.cleared[seen.names[i] + 1], "bad token: name %d not cleared",
                       seen.names[i]);
        FUZZ_CHECK(c.ncleared == seen.n, "bad token: %zu cleared, %zu seen", c.ncleared, seen.n);
    } else {
        json_t *body = na_json_parse_object(r.body.p, r.body.len, "body", NULL);
        FUZZ_CHECK(body != NULL && json_is_object(json_object_get(body, "user")) &&
                       json_is_string(json_object_get(body, "expires")),
                   "valid token, body %.*s", (int)(r.body.len > 200 ? 200 : r.body.len),
                   r.body.p ? r.body.p : "");
        json_decref(body);
        for (size_t i = 0; i < seen.n; i++)
            FUZZ_CHECK(c.cleared[seen.names[i] + 1] || c.set[seen.names[i] + 1],
                       "valid token: name %d neither rewritten nor cleared", seen.names[i]);
        FUZZ_CHECK(c.nset > 0 && c.back != NULL, "valid token, no cookie set");
        json_t *fresh = NULL;
        int again = na_token_get(&d->check, c.back, c.backlen, NULL, 0, FUZZ_NOW, &fresh, NULL,
                                 &err);
        FUZZ_CHECK(again == 1, "the cookies written are refused when read back: %s", err.msg);
        check_refreshed(d, old, fresh);
        json_decref(fresh);
    }
    free(c.back);
    json_decref(old);
    na_resp_free(&r);
    fuzz_env_free(&e);
    return 0;
}
