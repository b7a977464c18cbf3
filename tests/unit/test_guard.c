/* SPDX-License-Identifier: MIT */
/* test_guard.c — the guard's whole answers (lib/guard.c) for tokens minted here:
 * the exact bytes of an allowed request in each role, and that what a guard
 * keeps between requests (the expiry date it last wrote) never leaks from one
 * token into the next. The decision table itself is tested end to end in
 * tests/guard*.bats. */
#include "guard.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "unit.h"

#define NOW 1700000000LL /* 2023-11-14T22:13:20Z */

struct deployment {
    na_config cfg;
    na_source src;
    na_guard g;
};

/* A deployment from the JSON text of a config file. */
static int deploy(struct deployment *d, const char *json)
{
    char path[] = "/tmp/test_guard_XXXXXX";
    na_err err;
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    int rc = na_config_load(&d->cfg, path, &err); /* as the programs: file, env, defaults */
    unlink(path);
    if (rc < 0 || na_source_init(&d->src, &d->cfg, 0, &err) < 0 || !d->src.have_v ||
        na_guard_init(&d->g, &d->cfg, &d->src, &err) < 0) {
        printf("    deploy: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static void undeploy(struct deployment *d)
{
    na_guard_free(&d->g);
    na_source_free(&d->src);
    na_config_free(&d->cfg);
}

/* A cookie header carrying a token minted at NOW with the given claims and lifetime. */
static char *cookie_for(struct deployment *d, const char *claims_json, long max_age)
{
    na_err err;
    json_t *c = json_loads(claims_json, 0, NULL);
    char *tok = c ? na_token_encode(&d->src.v, c, max_age, NOW, &err) : NULL;
    json_decref(c);
    if (tok == NULL)
        return NULL;
    const char *name = na_config_cookie_name(&d->cfg);
    char *h = malloc(strlen(name) + strlen(tok) + 2);
    if (h)
        sprintf(h, "%s=%s", name, tok);
    free(tok);
    return h;
}

static long long clock_now = NOW;

/* The guard's whole answer for a request as the given role at clock_now; a
 * cookie argument that starts with "Bearer " goes in the Authorization header
 * instead. */
static na_guard_outcome ask(struct deployment *d, const char *uri, const char *cookie,
                            const char *role, unit_out *o)
{
    na_resp r;
    na_guard_req rq = {.request_uri = uri, .cookie = cookie, .accept = "text/html"};
    if (cookie && strncmp(cookie, "Bearer ", 7) == 0) {
        rq.authorization = cookie;
        rq.cookie = NULL;
    }
    if (strcmp(role, "authorizer") == 0)
        rq.fcgi_role = "AUTHORIZER";
    else if (strcmp(role, "auth_request") == 0)
        rq.mode = "auth_request";
    na_resp_init(&r);
    na_guard_outcome out = na_guard_respond(&d->g, &rq, clock_now * 1000, &r);
    o->n = 0;
    o->b[0] = '\0';
    if (na_resp_write(&r, unit_collect, o) < 0)
        o->n = 0;
    na_resp_free(&r);
    return out;
}

static const char ADA[] = "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
                          "\"picture\":\"https://example.com/a.png\",\"sub\":\"42\"}";

static void test_allow_answers(void)
{
    struct deployment d;
    unit_out o;
    if (deploy(&d, "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                   "\"url\":\"http://127.0.0.1\"}") < 0) {
        CHECK(0);
        return;
    }
    char *c1 = cookie_for(&d, ADA, 3600);
    CHECK(c1 != NULL);

    CHECK_EQ_INT(ask(&d, "/dashboard", c1, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\n"
                      "Variable-REMOTE_USER: ada@example.com\r\n"
                      "Variable-AUTH_TYPE: NextAuth\r\n"
                      "Variable-NEXTAUTH_EMAIL: ada@example.com\r\n"
                      "Variable-NEXTAUTH_NAME: Ada Lovelace\r\n"
                      "Variable-NEXTAUTH_SUB: 42\r\n"
                      "Variable-NEXTAUTH_EXPIRES: 2023-11-14T23:13:20.000Z\r\n"
                      "\r\n");
    /* the same identity as headers, for nginx and for the responder */
#define ADA_HEADERS                                                                            \
    "Status: 200 OK\r\n"                                                                       \
    "X-Nextauth-User: ada@example.com\r\n"                                                     \
    "X-Nextauth-Email: ada@example.com\r\n"                                                    \
    "X-Nextauth-Name: Ada Lovelace\r\n"                                                        \
    "X-Nextauth-Sub: 42\r\n"                                                                   \
    "X-Nextauth-Expires: 2023-11-14T23:13:20.000Z\r\n"
    CHECK_EQ_INT(ask(&d, "/dashboard", c1, "auth_request", &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, ADA_HEADERS "\r\n");
    CHECK_EQ_INT(ask(&d, "/dashboard", c1, "responder", &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, ADA_HEADERS
                      "Content-Type: application/json\r\n"
                      "Cache-Control: private, no-store\r\n"
                      "\r\n"
                      "{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
                      "\"image\":\"https://example.com/a.png\"},"
                      "\"expires\":\"2023-11-14T23:13:20.000Z\"}");

    /* The expiry date is kept from one request to the next: a token with another
     * exp gets its own, and the first one's comes back with it. */
    char *c2 = cookie_for(&d, "{\"email\":\"bob@example.com\",\"sub\":\"7\"}", 7200);
    CHECK_EQ_INT(ask(&d, "/dashboard", c2, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\n"
                      "Variable-REMOTE_USER: bob@example.com\r\n"
                      "Variable-AUTH_TYPE: NextAuth\r\n"
                      "Variable-NEXTAUTH_EMAIL: bob@example.com\r\n"
                      "Variable-NEXTAUTH_SUB: 7\r\n"
                      "Variable-NEXTAUTH_EXPIRES: 2023-11-15T00:13:20.000Z\r\n"
                      "\r\n");
    CHECK_EQ_INT(ask(&d, "/dashboard", c1, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK(strstr(o.b, "Variable-NEXTAUTH_EXPIRES: 2023-11-14T23:13:20.000Z\r\n") != NULL);
    CHECK(strstr(o.b, "bob") == NULL);

    /* no cookie, then a bad one, between two good ones: nothing of the good ones
     * is left in the answer */
    CHECK_EQ_INT(ask(&d, "/dashboard?x=1", NULL, "authorizer", &o), NA_GUARD_SIGNIN);
    CHECK_EQ_STR(o.b, "Status: 307 Temporary Redirect\r\n"
                      "Location: http://127.0.0.1/api/auth/signin?callbackUrl=%2Fdashboard%3Fx%3D1\r\n"
                      "Cache-Control: no-store\r\n"
                      "\r\n");
    CHECK_EQ_INT(ask(&d, "/api/data", "next-auth.session-token=x.y.z", "authorizer", &o),
                 NA_GUARD_401);
    CHECK_EQ_STR(o.b, "Status: 401 Unauthorized\r\n"
                      "Content-Type: application/json\r\n"
                      "Cache-Control: no-store\r\n"
                      "\r\n"
                      "{\"message\":\"You must be logged in.\"}");
    CHECK_EQ_INT(ask(&d, "/dashboard", c2, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK(strstr(o.b, "Variable-NEXTAUTH_EXPIRES: 2023-11-15T00:13:20.000Z\r\n") != NULL);
    free(c1);
    free(c2);
    undeploy(&d);
}

/* The guard reads the claims through a view when it has no rules (allow_view)
 * and through a tree when it has some: with a rule that always holds, the two
 * must give the same bytes for every token, whatever its claims. */
static void test_view_and_tree_agree(void)
{
    static const char secret[] = "\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                                 "\"url\":\"http://127.0.0.1\",";
    static const char identity[] =
        "\"identity\":{\"NEXTAUTH_ROLE\":\"role\",\"NEXTAUTH_DEPT\":\"dept\"}";
    char a_json[512], b_json[512];
    snprintf(a_json, sizeof a_json, "{%s%s}", secret, identity);
    snprintf(b_json, sizeof b_json,
             "{%s%s,\"authorized\":{\"any\":[{\"zz\":{\"exists\":true}},"
             "{\"zz\":{\"exists\":false}}]}}",
             secret, identity);
    struct deployment a, b;
    if (deploy(&a, a_json) < 0 || deploy(&b, b_json) < 0) {
        CHECK(0);
        return;
    }
    char longname[5200] = "\"";
    memset(longname + 1, 'n', 4096);
    strcpy(longname + 4097, "\"");
    char longesc[6100] = "\"";
    for (int i = 0; i < 1000; i++)
        strcat(longesc, "\\u00e9"); /* 6 000 raw bytes, 2 000 decoded */
    strcat(longesc, "\"");
    char many[2048] = "{\"email\":\"m@example.com\"";
    for (int i = 0; i < 40; i++)
        sprintf(many + strlen(many), ",\"c%d\":%d", i, i);
    strcat(many, "}");
    char c_name[6000], c_name2[6000], c_esc[7000];
    snprintf(c_name, sizeof c_name, "{\"email\":\"l@example.com\",\"name\":%s}", longname);
    longname[4097] = 'n'; /* 4 097 bytes: left out */
    strcpy(longname + 4098, "\"");
    snprintf(c_name2, sizeof c_name2, "{\"email\":\"l@example.com\",\"name\":%s}", longname);
    snprintf(c_esc, sizeof c_esc, "{\"email\":\"e@example.com\",\"name\":%s}", longesc);
    const char *claims[] = {
        ADA,
        "{\"email\":\"bob@example.com\",\"sub\":\"7\",\"role\":\"admin\",\"dept\":\"R&D\"}",
        "{\"email\":\"\",\"sub\":\"only-sub\"}",
        "{\"sub\":\"s\",\"name\":null,\"email\":null}",
        "{\"sub\":12345}",                        /* a number: the tree writes it */
        "{\"email\":\"x@example.com\",\"role\":[\"a\",\"b\"]}",
        "{\"email\":\"x@example.com\",\"dept\":{\"id\":1}}",
        "{\"email\":\"x@example.com\",\"role\":true}",
        "{\"email\":\"x@example.com\",\"role\":1.5}", /* a real: the view declines */
        "{\"name\":\"Tab\\there\\nnew\\u0007bell\\u007f\",\"email\":\"t@example.com\"}",
        "{\"name\":\"caf\\u00e9 \\ud83d\\ude00\",\"email\":\"u@example.com\"}",
        "{\"n\\u0061me\":\"escaped key\",\"email\":\"k@example.com\"}",
        "{\"email\":\"d@example.com\",\"raw\":\"del\x7f\"}",
        "{\"name\":\"no user at all\"}",
        c_name,  /* 4 096 bytes: the longest identity value */
        c_name2, /* one more: left out (and logged) */
        c_esc,  /* escapes longer than the view keeps */
        many,   /* more members than the view keeps */
        "{\"email\":\"z@example.com\",\"exp\":99999999999999}", /* exp past 9999 */
    };
    static const char *const roles[] = {"authorizer", "auth_request"};
    for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
        char *ca = cookie_for(&a, claims[i], 3600); /* same secret: b reads a's tokens */
        CHECK(ca != NULL);
        if (ca && strlen(ca) > 4000) { /* one cookie that long is refused: as a bearer */
            char *eq = strchr(ca, '=');
            memcpy(eq - 6, "Bearer ", 7);
            memmove(ca, eq - 6, strlen(eq - 6) + 1);
        }
        for (size_t j = 0; ca && j < 2; j++) {
            unit_out oa, ob;
            na_guard_outcome ra = ask(&a, "/dashboard", ca, roles[j], &oa);
            na_guard_outcome rb = ask(&b, "/dashboard", ca, roles[j], &ob);
            int same = ra == rb && ra == NA_GUARD_ALLOW && oa.n > 0 &&
                       unit_eq_int(oa.n, ob.n, __FILE__, __LINE__, "answer length") &&
                       memcmp(oa.b, ob.b, oa.n) == 0;
            if (!unit_report(same, __FILE__, __LINE__, "view and tree give the same answer")) {
                printf("    claims %zu as %s\n", i, roles[j]);
                unit_print_bytes("view", oa.b, oa.n);
                unit_print_bytes("tree", ob.b, ob.n);
            }
        }
        free(ca);
    }
    /* the view really is used where it can be: the claims it takes give the same
     * answer in a fraction of the time is not testable here, but its output is */
    char *ca = cookie_for(&a, claims[1], 3600);
    unit_out o;
    CHECK_EQ_INT(ask(&a, "/dashboard", ca, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK(strstr(o.b, "Variable-NEXTAUTH_ROLE: admin\r\nVariable-NEXTAUTH_DEPT: R&D\r\n\r\n") !=
          NULL);
    CHECK(a.src.v.held == NULL); /* the payload was wiped after the view */
    free(ca);
    undeploy(&a);
    undeploy(&b);
}

static int log_lines;
static void count_log(void *ctx, const char *line)
{
    (void)ctx, (void)line;
    log_lines++;
}

/* The token cache (guard.h): a kept answer is the answer, and is used only for
 * the same token, role and time rules. */
static void test_token_cache(void)
{
    static const char cfg[] = "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                              "\"url\":\"http://127.0.0.1\"%s}";
    char json[256];
    struct deployment d, other;
    snprintf(json, sizeof json, cfg, "");
    if (deploy(&d, json) < 0) {
        CHECK(0);
        return;
    }
    snprintf(json, sizeof json, "{\"secret\":\"another-secret-0123456789abcdefghij\","
                                "\"url\":\"http://127.0.0.1\"}");
    CHECK(deploy(&other, json) == 0);
    unit_out first, o;
    char *c1 = cookie_for(&d, ADA, 100); /* exp = NOW + 100 */
    CHECK_EQ_INT(ask(&d, "/a", c1, "authorizer", &first), NA_GUARD_ALLOW);

    /* Kept: with the guard's verifier swapped for one with another secret, a
     * full check would fail; the kept answer is given, byte for byte. */
    na_source *mine = d.g.src;
    d.g.src = &other.src;
    CHECK_EQ_INT(ask(&d, "/b", c1, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, first.b);
    /* not for another role: that one is checked, and fails with the other secret */
    CHECK_EQ_INT(ask(&d, "/b", c1, "auth_request", &o), NA_GUARD_SIGNIN);
    /* not for the same token with one byte changed anywhere — first, middle,
     * in the last 8 that pick the slot, last — nor one byte shorter */
    size_t at0 = (size_t)(strchr(c1, '=') + 1 - c1), n1 = strlen(c1);
    size_t where[] = {at0, at0 + 7, (at0 + n1) / 2, n1 - 8, n1 - 1};
    char *t;
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        t = strdup(c1);
        t[where[i]] = t[where[i]] == 'A' ? 'B' : 'A';
        CHECK_EQ_INT(ask(&d, "/b", t, "authorizer", &o), NA_GUARD_SIGNIN);
        free(t);
    }
    t = strdup(c1);
    t[n1 - 1] = '\0';
    CHECK_EQ_INT(ask(&d, "/b", t, "authorizer", &o), NA_GUARD_SIGNIN);
    free(t);
    t = malloc(n1 + 2); /* nor a longer one that starts with it */
    memcpy(t, c1, n1);
    memcpy(t + n1, "A", 2);
    CHECK_EQ_INT(ask(&d, "/b", t, "authorizer", &o), NA_GUARD_SIGNIN);
    free(t);
    d.g.src = mine;

    /* the time rules hold for a kept answer: valid until exp + 15 s of tolerance */
    clock_now = NOW + 114;
    CHECK_EQ_INT(ask(&d, "/c", c1, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, first.b);
    clock_now = NOW + 115;
    d.g.src = &other.src; /* the kept answer must not be used now, whatever the secret */
    CHECK_EQ_INT(ask(&d, "/c", c1, "authorizer", &o), NA_GUARD_SIGNIN);
    d.g.src = mine;
    CHECK_EQ_INT(ask(&d, "/c", c1, "authorizer", &o), NA_GUARD_SIGNIN); /* expired */
    clock_now = NOW;

    /* an answer that logged a line is not kept: the line comes every time */
    char *nouser = cookie_for(&d, "{\"name\":\"nobody\"}", 3600);
    na_log_set_sink(count_log, NULL);
    log_lines = 0;
    CHECK_EQ_INT(ask(&d, "/d", nouser, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK_EQ_INT(ask(&d, "/d", nouser, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK_EQ_INT(log_lines, 2);
    na_log_set_sink(NULL, NULL);

    /* one slot for every token: they take turns, each answer stays its own */
    undeploy(&d);
    snprintf(json, sizeof json, cfg, ",\"tokenCache\":1");
    CHECK(deploy(&d, json) == 0);
    free(c1);
    c1 = cookie_for(&d, ADA, 3600);
    char *c2 = cookie_for(&d, "{\"email\":\"bob@example.com\"}", 3600);
    unit_out a1, a2;
    CHECK_EQ_INT(ask(&d, "/e", c1, "authorizer", &a1), NA_GUARD_ALLOW);
    CHECK_EQ_INT(ask(&d, "/e", c2, "authorizer", &a2), NA_GUARD_ALLOW);
    CHECK(strstr(a1.b, "ada@example.com") && strstr(a2.b, "bob@example.com"));
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(ask(&d, "/e", c1, "authorizer", &o), NA_GUARD_ALLOW);
        CHECK_EQ_STR(o.b, a1.b);
        CHECK_EQ_INT(ask(&d, "/e", c2, "authorizer", &o), NA_GUARD_ALLOW);
        CHECK_EQ_STR(o.b, a2.b);
    }

    /* tokenCache 0: nothing kept, every request checked */
    undeploy(&d);
    snprintf(json, sizeof json, cfg, ",\"tokenCache\":0");
    CHECK(deploy(&d, json) == 0);
    CHECK_EQ_INT(ask(&d, "/f", c1, "authorizer", &o), NA_GUARD_ALLOW);
    mine = d.g.src;
    d.g.src = &other.src;
    CHECK_EQ_INT(ask(&d, "/f", c1, "authorizer", &o), NA_GUARD_SIGNIN);
    d.g.src = mine;
    CHECK(d.g.cache == NULL);
    free(c1);
    free(c2);
    free(nouser);
    undeploy(&d);
    undeploy(&other);
}

/* The path the guard judges is the path the server serves: a raw '#' (lighttpd
 * and nginx serve the part before it) guards the request under every rule;
 * configured literals and request paths meet in one canonical form, so
 * "/%40admin", "/caf%C3%A9" and "/caf%c3%a9" are the paths the rules name; an
 * absolute-form target is judged by its path. */
static void test_paths(void)
{
    struct deployment m, w;
    unit_out o;
    static const char rules[] =
        "\"rules\":[{\"matcher\":[\"/admin/:path*\",\"/@admin/:path*\",\"/caf%C3%A9/:path*\","
        "\"/api/admin/:path*\"],\"authorized\":{\"role\":\"admin\"}}],"
        "\"pages\":{\"signIn\":\"/log%69n\"}";
    char json[1024];
    snprintf(json, sizeof json,
             "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\",\"url\":\"http://h.test\","
             "\"matcher\":[\"/dashboard/:path*\",\"/api/:path*\",\"/%%40admin/:path*\","
             "\"/caf\xc3\xa9/:path*\",\"/admin/:path*\"],%s}",
             rules);
    if (deploy(&m, json) < 0) {
        CHECK(0);
        return;
    }
    snprintf(json, sizeof json,
             "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\",\"url\":\"http://h.test\",%s}",
             rules);
    if (deploy(&w, json) < 0) {
        CHECK(0);
        undeploy(&m);
        return;
    }
    char *user = cookie_for(&m, "{\"email\":\"u@x.test\",\"role\":\"user\"}", 3600);
    char *admin = cookie_for(&m, "{\"email\":\"a@x.test\",\"role\":\"admin\"}", 3600);
    static const struct {
        const char *uri;
        int who; /* 0 no cookie, 1 role user, 2 role admin */
        int matcher; /* 1: the deployment with a matcher, 0: the whole site */
        na_guard_outcome want;
    } t[] = {
        /* a raw '#' in the path: guarded, under every rule */
        {"/dashboard/secret.txt#x", 0, 1, NA_GUARD_SIGNIN},
        {"/dashboard/secret.txt#x", 1, 1, NA_GUARD_SIGNIN},
        {"/dashboard/secret.txt#x", 2, 1, NA_GUARD_ALLOW},
        {"/api/data.json#x", 0, 1, NA_GUARD_401},
        {"/api/data.json#x", 1, 1, NA_GUARD_403},
        {"/docs/page.txt#/../../api/auth/x", 0, 0, NA_GUARD_SIGNIN},
        {"/api/auth/x#/../../../docs/page.txt", 0, 0, NA_GUARD_401},
        {"/other#/../dashboard/x", 0, 1, NA_GUARD_SIGNIN},
        {"/admin/a.txt#x", 1, 0, NA_GUARD_SIGNIN},
        {"/admin/a.txt#x", 2, 0, NA_GUARD_ALLOW},
        {"/public/#/../admin/a.txt", 1, 1, NA_GUARD_SIGNIN},
        /* outside the matcher, and the query may hold a '#' */
        {"/other", 0, 1, NA_GUARD_PASS},
        {"/other?q=#/../dashboard", 0, 1, NA_GUARD_PASS},
        /* one canonical form: escapes and raw UTF-8 are the same path */
        {"/%40admin/s.txt", 0, 1, NA_GUARD_SIGNIN},
        {"/%40admin/s.txt", 1, 1, NA_GUARD_SIGNIN},
        {"/@admin/s.txt", 1, 1, NA_GUARD_SIGNIN},
        {"/%40admin/s.txt", 2, 1, NA_GUARD_ALLOW},
        {"/%40admin/s.txt", 1, 0, NA_GUARD_SIGNIN},
        {"/caf%C3%A9/x", 0, 1, NA_GUARD_SIGNIN},
        {"/caf%C3%A9/x", 1, 0, NA_GUARD_SIGNIN},
        {"/caf%c3%a9/x", 1, 0, NA_GUARD_SIGNIN},
        {"/caf\xc3\xa9/x", 1, 0, NA_GUARD_SIGNIN},
        {"/caf\xc3\xa9/x", 2, 0, NA_GUARD_ALLOW},
        {"/%61dmin/a.txt", 1, 1, NA_GUARD_SIGNIN},
        {"/api/%61dmin/x", 1, 1, NA_GUARD_403},
        /* overlong UTF-8 and other unreadable paths: guarded, every rule */
        {"/%C0%AE%C0%AE/admin/a.txt", 1, 1, NA_GUARD_SIGNIN},
        {"/public/%C0%AE%C0%AE/dashboard/x", 0, 1, NA_GUARD_SIGNIN},
        {"/public/..%2Fadmin/a.txt", 1, 1, NA_GUARD_SIGNIN},
        /* an unreadable API path still gets the API's answer */
        {"/api/x%0d%0aLocation:%20http://evil.example/", 0, 0, NA_GUARD_401},
        {"//api//x#y", 0, 0, NA_GUARD_401},
        /* the sign-in page, written "/log%69n" in the configuration */
        {"/login", 0, 0, NA_GUARD_PASS},
        {"/log%69n", 0, 0, NA_GUARD_PASS},
        {"/login#x", 0, 0, NA_GUARD_SIGNIN},
        /* absolute-form (Apache passes it on as REQUEST_URI): judged by its path */
        {"http://h.test/api/data", 0, 0, NA_GUARD_401},
        {"HTTP://h.test:80/api/admin/x", 1, 0, NA_GUARD_403},
        {"https://h.test/api/admin/x", 2, 0, NA_GUARD_ALLOW},
        {"http://h.test/other", 0, 1, NA_GUARD_PASS},
        {"http://h.test/login?x=1", 0, 0, NA_GUARD_PASS},
        {"http://h.test", 0, 1, NA_GUARD_SIGNIN},
        {"http://h.test#/other", 0, 1, NA_GUARD_SIGNIN},
        {"http:/other", 0, 1, NA_GUARD_SIGNIN},
        {"httpx://h.test/other", 0, 1, NA_GUARD_SIGNIN},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *cookie = t[i].who == 0 ? NULL : t[i].who == 1 ? user : admin;
        na_guard_outcome got = ask(t[i].matcher ? &m : &w, t[i].uri, cookie, "authorizer", &o);
        if (!CHECK_EQ_INT(got, t[i].want))
            printf("    %s, cookie %d, %s\n", t[i].uri, t[i].who,
                   t[i].matcher ? "matcher" : "whole site");
    }
    /* the callbackUrl of an unreadable path is "/"; of an absolute-form one, its path */
    CHECK_EQ_INT(ask(&m, "/dashboard/secret.txt#x", NULL, "authorizer", &o), NA_GUARD_SIGNIN);
    CHECK(strstr(o.b, "Location: http://h.test/log%69n?callbackUrl=%2F\r\n") != NULL);
    CHECK_EQ_INT(ask(&w, "http://h.test/docs/a?b=1", NULL, "authorizer", &o), NA_GUARD_SIGNIN);
    CHECK(strstr(o.b, "Location: http://h.test/log%69n?callbackUrl=%2Fdocs%2Fa%3Fb%3D1\r\n") !=
          NULL);
    free(user);
    free(admin);
    undeploy(&m);
    undeploy(&w);

    /* what cannot be compared safely is refused at load, naming the key */
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"\"pages\":{\"signIn\":\"/%C0%AElogin\"}", "key \"pages.signIn\" cannot be compared"},
        {"\"pages\":{\"error\":\"/e%FF\"}", "key \"pages.error\" cannot be compared"},
        {"\"basePath\":\"/a%00\"", "key \"basePath\" cannot be compared"},
        {"\"matcher\":\"/a%2Fb/:p*\"", "key \"matcher\": matcher \"/a%2Fb/:p*\": its literal"},
        {"\"matcher\":\"/a#b\"", "key \"matcher\": matcher \"/a#b\": its literal"},
        {"\"matcher\":\"/%zz\"", "key \"matcher\": matcher \"/%zz\": its literal"},
        {"\"matcher\":\"/a//b\"", "key \"matcher\": matcher \"/a//b\": its literal"},
        {"\"matcher\":\"/a/%2e%2e/b\"", "key \"matcher\": matcher \"/a/%2e%2e/b\": its literal"},
        {"\"matcher\":\"/((?!api|%C0%AE).*)\"", "its literal text cannot be compared"},
        {"\"api\":\"/caf%C3/:p\"", "key \"api\": matcher \"/caf%C3/:p\": its literal"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[] = "/tmp/test_guard_XXXXXX";
        na_config cfg;
        na_source src;
        na_guard g;
        na_err err;
        err.msg[0] = '\0';
        snprintf(json, sizeof json,
                 "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\",%s}", bad[i].json);
        int fd = mkstemp(path);
        if (!CHECK(fd >= 0 && write(fd, json, strlen(json)) == (ssize_t)strlen(json)))
            return;
        close(fd);
        int rc = na_config_load(&cfg, path, &err);
        unlink(path);
        if (rc == 0) {
            if (na_source_init(&src, &cfg, 0, &err) == 0) {
                rc = na_guard_init(&g, &cfg, &src, &err);
                if (rc == 0)
                    na_guard_free(&g);
                na_source_free(&src);
            }
            na_config_free(&cfg);
        }
        if (!CHECK(rc < 0 && strstr(err.msg, bad[i].msg) != NULL))
            printf("    %s: got \"%s\"\n", bad[i].json, err.msg);
    }
}

/* A client-sent identity header, as a non-Apache authorizer server (lighttpd)
 * hands it on: found in the params whatever its value, refused (400) on a
 * guarded path in that role only. */
static void test_client_identity(void)
{
    char *none[] = {"HTTP_COOKIE=a=b", "HTTP_X_NEXTAUTH=1", "HTTP_X_NEXTAUTH_=1",
                    "X_NEXTAUTH_USER=1", "HTTP_REMOTE_USERS=1", "HTTP_X_NEXTAUTHX_USER=1", NULL};
    CHECK(na_guard_client_identity(none) == NULL);
    CHECK(na_guard_client_identity(NULL) == NULL);
    char *one[] = {"HTTP_ACCEPT=*/*", "HTTP_X_NEXTAUTH_ROLE=admin", "HTTP_REMOTE_USER=x", NULL};
    CHECK_EQ_STR(na_guard_client_identity(one), "HTTP_X_NEXTAUTH_ROLE=admin");
    char *ru[] = {"HTTP_REMOTE_USER=", NULL};
    CHECK_EQ_STR(na_guard_client_identity(ru), "HTTP_REMOTE_USER=");

    struct deployment d;
    unit_out o;
    if (deploy(&d, "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                   "\"url\":\"http://127.0.0.1\",\"matcher\":\"/app/:p*\"}") < 0) {
        CHECK(0);
        return;
    }
    char *c = cookie_for(&d, ADA, 3600);
    char *forged[] = {"HTTP_ACCEPT=*/*", "HTTP_X_NEXTAUTH_USER=evil", NULL};
    na_resp r;
    static const struct {
        const char *role, *apache, *uri;
        na_guard_outcome want;
    } t[] = {
        {"AUTHORIZER", NULL, "/app/x", NA_GUARD_400},
        {"AUTHORIZER", NULL, "/other", NA_GUARD_PASS},      /* not guarded here */
        {"AUTHORIZER", NULL, "/api/auth/x", NA_GUARD_PASS}, /* exempt */
        {"AUTHORIZER", "AUTHORIZER", "/app/x", NA_GUARD_ALLOW}, /* Apache */
        {"RESPONDER", NULL, "/app/x", NA_GUARD_ALLOW},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        na_guard_req rq = {.request_uri = t[i].uri, .cookie = c, .fcgi_role = t[i].role,
                           .apache_role = t[i].apache,
                           .params = forged};
        na_resp_init(&r);
        na_guard_outcome got = na_guard_respond(&d.g, &rq, NOW * 1000, &r);
        o.n = 0;
        o.b[0] = '\0';
        na_resp_write(&r, unit_collect, &o);
        na_resp_free(&r);
        if (!CHECK_EQ_INT(got, t[i].want))
            printf("    %s %s %s\n", t[i].role, t[i].apache ? "apache" : "-", t[i].uri);
        if (t[i].want == NA_GUARD_400)
            CHECK_EQ_STR(o.b, "Status: 400 Bad Request\r\n"
                              "Content-Type: application/json\r\n"
                              "Cache-Control: no-store\r\n"
                              "\r\n"
                              "{\"message\":\"Identity headers are set by the server, not by "
                              "the client.\"}");
    }
    /* the auth_request role (nginx drops such headers itself) */
    na_guard_req rq = {.request_uri = "/app/x", .cookie = c, .mode = "auth_request",
                       .params = forged};
    na_resp_init(&r);
    CHECK_EQ_INT(na_guard_respond(&d.g, &rq, NOW * 1000, &r), NA_GUARD_ALLOW);
    na_resp_free(&r);
    free(c);
    undeploy(&d);
}

/* jansson's allocations fail while failing_alloc is set: out of memory in the
 * middle of a request. */
static int failing_alloc;
static void *maybe_malloc(size_t n)
{
    return failing_alloc ? NULL : malloc(n);
}

static const char BARE_500[] = "Status: 500 Internal Server Error\r\n"
                               "Content-Type: application/json\r\n"
                               "Cache-Control: no-store\r\n"
                               "\r\n"
                               "{\"message\":\"Internal Server Error\"}";

/* Out of memory while reading the claims is its own outcome: a 500 with one
 * log line, never an allow and never the sign-in redirect. */
static void test_out_of_memory(void)
{
    struct deployment d, rules;
    unit_out o;
    json_set_alloc_funcs(maybe_malloc, free);
    CHECK(deploy(&d, "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                     "\"url\":\"http://127.0.0.1\"}") == 0);
    CHECK(deploy(&rules, "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                         "\"url\":\"http://127.0.0.1\","
                         "\"authorized\":{\"email\":\"ada@example.com\"}}") == 0);
    char *ada = cookie_for(&d, ADA, 3600);
    /* a numeric sub: the view cannot write it, the tree must be built */
    char *num = cookie_for(&d, "{\"sub\":42}", 3600);
    char *ada_r = cookie_for(&rules, ADA, 3600);
    CHECK(ada && num && ada_r);

    na_log_set_sink(count_log, NULL);
    failing_alloc = 1;
    log_lines = 0;
    /* with rules the claims are a tree: none can be built */
    CHECK_EQ_INT(ask(&rules, "/dashboard", ada_r, "authorizer", &o), NA_GUARD_500);
    CHECK_EQ_STR(o.b, BARE_500);
    CHECK_EQ_INT(ask(&rules, "/dashboard", ada_r, "auth_request", &o), NA_GUARD_500);
    CHECK_EQ_STR(o.b, BARE_500);
    /* the view's fallback to a tree */
    CHECK_EQ_INT(ask(&d, "/dashboard", num, "authorizer", &o), NA_GUARD_500);
    CHECK_EQ_STR(o.b, BARE_500);
    /* the responder's body is a tree */
    CHECK_EQ_INT(ask(&d, "/dashboard", ada, "responder", &o), NA_GUARD_500);
    CHECK_EQ_STR(o.b, BARE_500);
    CHECK_EQ_INT(log_lines, 4);
    /* a view needs no allocation: still answered */
    CHECK_EQ_INT(ask(&d, "/dashboard", ada, "authorizer", &o), NA_GUARD_ALLOW);
    failing_alloc = 0;
    na_log_set_sink(NULL, NULL);

    /* memory back: the same requests are answered as usual */
    CHECK_EQ_INT(ask(&rules, "/dashboard", ada_r, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK_EQ_INT(ask(&d, "/dashboard", num, "authorizer", &o), NA_GUARD_ALLOW);
    CHECK(strstr(o.b, "Variable-REMOTE_USER: 42\r\n") != NULL);
    CHECK_EQ_INT(ask(&d, "/dashboard", ada, "responder", &o), NA_GUARD_ALLOW);
    free(ada);
    free(num);
    free(ada_r);
    undeploy(&d);
    undeploy(&rules);
    json_set_alloc_funcs(malloc, free);
}

/* claims_out: an allow hands over the claims' tree (also when the token cache
 * holds the answer: that request is read in full), and every other outcome
 * leaves it NULL. */
static void test_claims_out(void)
{
    struct deployment d;
    if (deploy(&d, "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                   "\"url\":\"http://127.0.0.1\"}") < 0) {
        CHECK(0);
        return;
    }
    clock_now = NOW;
    char *c1 = cookie_for(&d, ADA, 100);
    unit_out plain, o;
    CHECK_EQ_INT(ask(&d, "/a", c1, "authorizer", &plain), NA_GUARD_ALLOW); /* now kept */

    na_resp r;
    json_t *claims = (json_t *)&r; /* any non-NULL value: it must be overwritten */
    na_guard_req rq = {.request_uri = "/a", .cookie = c1, .accept = "text/html",
                       .fcgi_role = "AUTHORIZER", .claims_out = &claims};
    na_resp_init(&r);
    CHECK_EQ_INT(na_guard_respond(&d.g, &rq, NOW * 1000, &r), NA_GUARD_ALLOW);
    o.n = 0;
    CHECK(na_resp_write(&r, unit_collect, &o) == 0);
    CHECK_EQ_STR(o.b, plain.b); /* the same answer */
    CHECK(json_is_object(claims));
    CHECK_EQ_STR(json_string_value(json_object_get(claims, "email")), "ada@example.com");
    CHECK_EQ_STR(json_string_value(json_object_get(claims, "sub")), "42");
    CHECK(json_integer_value(json_object_get(claims, "exp")) == NOW + 100);
    json_decref(claims);
    na_resp_free(&r);

    /* no session, a path that passes: NULL */
    const char *uris[] = {"/a", "/api/auth/session"};
    const char *cookies[] = {NULL, c1};
    for (int i = 0; i < 2; i++) {
        claims = (json_t *)&r;
        rq.request_uri = uris[i];
        rq.cookie = cookies[i];
        na_resp_init(&r);
        na_guard_outcome out = na_guard_respond(&d.g, &rq, NOW * 1000, &r);
        CHECK(out == (i == 0 ? NA_GUARD_SIGNIN : NA_GUARD_PASS));
        CHECK(claims == NULL);
        na_resp_free(&r);
    }
    free(c1);
    undeploy(&d);
}

/* na_guard_forbidden: the very bytes the guard writes when a rule refuses the
 * session, on an API path and on a page, in each role; a path that passes is
 * answered the same way. */
static void test_forbidden(void)
{
    struct deployment d;
    if (deploy(&d, "{\"secret\":\"guard-unit-test-secret-0123456789abcdef\","
                   "\"url\":\"http://127.0.0.1\",\"rules\":[{\"matcher\":[\"/admin/:path*\","
                   "\"/api/admin/:path*\"],\"authorized\":{\"role\":\"admin\"}}]}") < 0) {
        CHECK(0);
        return;
    }
    clock_now = NOW;
    char *bob = cookie_for(&d, "{\"email\":\"bob@example.com\",\"role\":\"user\"}", 100);
    const char *roles[] = {"authorizer", "auth_request", "responder"};
    const char *uris[] = {"/api/admin/x?a=1", "/admin/x?a=1"};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) {
            unit_out want, got;
            na_guard_outcome o = ask(&d, uris[k], bob, roles[i], &want);
            CHECK_EQ_INT(o, k == 0 ? NA_GUARD_403 : NA_GUARD_SIGNIN);
            na_resp r;
            na_guard_req rq = {.request_uri = uris[k], .accept = "text/html"};
            if (i == 0)
                rq.fcgi_role = "AUTHORIZER";
            else if (i == 1)
                rq.mode = "auth_request";
            na_resp_init(&r);
            CHECK_EQ_INT(na_guard_forbidden(&d.g, &rq, &r), o);
            got.n = 0;
            CHECK(na_resp_write(&r, unit_collect, &got) == 0);
            CHECK_EQ_STR(got.b, want.b);
            na_resp_free(&r);
        }
    /* not guarded here: a page is redirected, JSON for a client that asks for it */
    na_resp r;
    na_guard_req rq = {.request_uri = "/favicon.ico", .accept = "text/html",
                       .fcgi_role = "AUTHORIZER"};
    na_resp_init(&r);
    CHECK_EQ_INT(na_guard_forbidden(&d.g, &rq, &r), NA_GUARD_SIGNIN);
    na_resp_free(&r);
    rq.accept = "application/json";
    na_resp_init(&r);
    CHECK_EQ_INT(na_guard_forbidden(&d.g, &rq, &r), NA_GUARD_403);
    na_resp_free(&r);
    free(bob);
    undeploy(&d);
}

/* The header names a server module removes: every spelling CGI folds into
 * HTTP_X_NEXTAUTH_<something> or HTTP_REMOTE_USER, and nothing else. */
static void test_identity_header(void)
{
    const char *yes[] = {"X-Nextauth-User", "x-nextauth-user", "X_NEXTAUTH_ROLE", "x.nextauth.u",
                         "X-Nextauth-Claim-Role", "Remote-User", "remote_user", "REMOTE.USER"};
    const char *no[] = {"X-Nextauth-", "X-Nextauth", "Remote-User-X", "Remote-Use", "X-Next-Auth-User",
                        "Authorization", "Cookie", "", "XNextauthUser", "Remote-Users"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(na_guard_identity_header(yes[i], strlen(yes[i])) == 1);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(na_guard_identity_header(no[i], strlen(no[i])) == 0);
    /* the length is the name's, not up to a NUL */
    CHECK(na_guard_identity_header("Remote-User: x", 11) == 1);
    CHECK(na_guard_identity_header("X-Nextauth-User", 11) == 0);
}

int main(void)
{
    RUN(test_allow_answers);
    RUN(test_view_and_tree_agree);
    RUN(test_token_cache);
    RUN(test_paths);
    RUN(test_client_identity);
    RUN(test_out_of_memory);
    RUN(test_claims_out);
    RUN(test_identity_header);
    RUN(test_forbidden);
    return unit_done();
}
