/* SPDX-License-Identifier: MIT */
/* test_matcher.c — Next.js `matcher` patterns (lib/matcher.c;
 * docs/behaviour.md, Matcher syntax): the table measured with Next.js, the
 * groups people write, Next's wrapping (.json / .rsc / .segments suffixes, one
 * trailing '/'), compile errors with their reasons, and the step budget that
 * bounds the work of a pathological path. Paths are placed
 * against a guard page (with their NUL) so that an over-read crashes. */
#include "matcher.c"

#include <time.h>

#include "unit.h"

/* 1 match, 0 no match, -1 the pattern did not compile. */
static int match(const char *pat, const char *path)
{
    na_err err;
    na_pattern *p = na_matcher_compile(pat, &err);
    if (p == NULL) {
        printf("    compile \"%s\": %s\n", pat, err.msg);
        return -1;
    }
    int r = na_matcher_match(p, unit_guarded(path, strlen(path) + 1));
    na_matcher_free(p);
    return r;
}

#define M(pat, path, want)                                                             \
    do {                                                                               \
        if (!CHECK_EQ_INT(match((pat), (path)), (want)))                               \
            printf("    pattern \"%s\", path \"%s\"\n", (pat), (path));                \
    } while (0)

/* The table measured with Next.js (docs/behaviour.md, Matcher syntax). */
static void test_b12_table(void)
{
    static const struct {
        const char *path;
        int star, plain, one, plus; /* /dashboard/:path*, /dashboard, /:path, /:path+ */
    } t[] = {
        {"/dashboard", 1, 1, 0, 0},
        {"/dashboard/", 1, 1, 0, 0},
        {"/dashboard/a", 1, 0, 1, 1},
        {"/dashboard/a/b", 1, 0, 0, 1},
        {"/dashboardx", 0, 0, 0, 0},
        {"/DASHBOARD", 0, 0, 0, 0},
        {"/dashboard.json", 1, 1, 0, 0},
        {"/dashboard.rsc", 1, 1, 0, 0},
        {"/_next/data/ID/dashboard.json", 1, 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        M("/dashboard/:path*", t[i].path, t[i].star);
        M("/dashboard", t[i].path, t[i].plain);
        M("/dashboard/:path", t[i].path, t[i].one);
        M("/dashboard/:path+", t[i].path, t[i].plus);
    }
}

static void test_groups(void)
{
    /* /admin/(.*) matches /admin/ and /admin/x but not /admin */
    M("/admin/(.*)", "/admin/", 1);
    M("/admin/(.*)", "/admin/x", 1);
    M("/admin/(.*)", "/admin/x/y", 1);
    M("/admin/(.*)", "/admin", 0);
    M("/admin/(.*)", "/adminx", 0);
    M("/admin/(.+)", "/admin/x", 1);
    M("/admin/(.+)", "/admin/", 0); /* \/admin(?:\/(.+)): the '/' is not the tail's */
    M("/admin/(.+)", "/admin/x/y", 1);
    M("/admin(.*)", "/administrator", 1);
    M("/(.*)", "/", 1);
    M("/(.*)", "/anything/at/all", 1);
    /* the common negative-lookahead matcher */
    const char *nl = "/((?!api|_next/static|_next/image|favicon.ico).*)";
    M(nl, "/", 1);
    M(nl, "/dashboard", 1);
    M(nl, "/x/api", 1);
    M(nl, "/_next/data/x", 1);
    M(nl, "/api", 0);
    M(nl, "/api/x", 0);
    M(nl, "/apix", 0);
    M(nl, "/_next/static/chunk.js", 0);
    M(nl, "/_next/image", 0);
    M(nl, "/favicon.ico", 0);
    M(nl, "/favicon.icox", 0);
    M("/((?!api).*)", "/ap", 1);
    M("/x/((?!a|b).*)", "/x/c", 1);
    M("/x/((?!a|b).*)", "/x/b", 0);
    M("/x/((?!a|b).*)", "/y/c", 0);
}

static void test_params(void)
{
    M("/:id/edit", "/5/edit", 1);
    M("/:id/edit", "//edit", 0);
    M("/:id/edit", "/5/6/edit", 0);
    M("/:id", "/", 0);
    M("/:id", "/x", 1);
    M("/:id", "/x/", 1);
    M("/a/:b/c/:d", "/a/1/c/2", 1);
    M("/a/:b/c/:d", "/a/1/c", 0);
    M("/dashboard/:path?", "/dashboard", 1);
    M("/dashboard/:path?", "/dashboard/", 1);
    M("/dashboard/:path?", "/dashboard/a", 1);
    M("/dashboard/:path?", "/dashboard/a/b", 0);
    M("/:a*", "/", 1);
    M("/:a*", "/x/y/z", 1);
    M("/:a+", "/", 0);
    M("/:a+", "/x", 1);
    M("/a/:p*/z", "/a/z", 1);
    M("/a/:p*/z", "/a/b/z", 1);
    M("/a/:p*/z", "/a/b/c/z", 1);
    M("/a/:p*/z", "/a/b/c", 0);
    M("/a/:p+/z", "/a/z", 0);
    M("/a/:p+/z", "/a/b/c/z", 1);
    M("/a/:under_score9", "/a/x", 1);
    /* segments end at '/', '#' or '?' (Next.js: [^/#?]+) */
    M("/a/:p", "/a/x?", 1); /* '?' as the optional last byte */
    M("/a/:p", "/a/x?y", 0);
    M("/a/:p", "/a/x#", 1);
    M("/a/:p/b", "/a/x?y/b", 0);
    /* case-sensitive; literals in the paths' canonical form (path.h): escapes
     * decoded but %25 %23 %3F, so a literal matches however it was written */
    M("/Admin", "/admin", 0);
    M("/caf%C3%A9", "/caf\xc3\xa9", 1);
    M("/caf%c3%a9", "/caf\xc3\xa9", 1);
    M("/caf\xc3\xa9/:p*", "/caf\xc3\xa9/x", 1);
    M("/caf%C3%A9", "/caf%C3%A9", 0); /* not a canonical path */
    M("/%40admin/:p*", "/@admin/s.txt", 1);
    M("/@admin/:p*", "/@admin/s.txt", 1);
    M("/%61dmin", "/admin", 1);
    M("/100%25/:p", "/100%25/x", 1);
    M("/a%3fb", "/a%3Fb", 1);
    M("/a%23b", "/a%23b", 1);
    M("/((?!%40admin|caf%C3%A9).*)", "/@admin/x", 0);
    M("/((?!%40admin|caf%C3%A9).*)", "/caf\xc3\xa9", 0);
    M("/((?!%40admin|caf%C3%A9).*)", "/docs", 1);
}

static void test_wrapping(void)
{
    /* one optional trailing '/', '#' or '?' */
    M("/a", "/a/", 1);
    M("/a", "/a#", 1);
    M("/a", "/a?", 1);
    M("/a", "/a//", 0);
    M("/a", "/ab", 0);
    /* .json / .rsc / .segments/….segment.rsc suffixes */
    M("/a", "/a.json", 1);
    M("/a", "/a.rsc", 1);
    M("/a", "/a.json/", 1);
    M("/a", "/a.jsonx", 0);
    M("/a", "/a.JSON", 0);
    M("/a", "/a.html", 0);
    M("/a", "/a.segments/x.segment.rsc", 1);
    M("/a", "/a.segments/x/y.segment.rsc", 1);
    M("/a", "/a.segments/.segment.rsc", 0);
    M("/a", "/a.segments/x.rsc", 0);
    M("/a/:p*", "/a/b.json", 1);
    M("/a/:p", "/a/b.rsc", 1);
}

/* Objects of a list: the first that matches. */
static void test_lists(void)
{
    na_patterns l = {NULL, 0};
    na_err err;
    const char *src[] = {"/a/:p*", "/b", "/(.*)"};
    for (size_t i = 0; i < 3; i++)
        CHECK_EQ_INT(na_matcher_list_add(&l, na_matcher_compile(src[i], &err)), 0);
    CHECK_EQ_INT(l.n, 3);
    /* each keeps its text as written, for a configuration test to show */
    for (size_t i = 0; i < l.n; i++)
        CHECK_EQ_STR(na_matcher_source(l.items[i]), src[i]);
    CHECK_EQ_INT(na_matcher_list_first(&l, unit_guarded("/a/x", 5)), 0);
    CHECK_EQ_INT(na_matcher_list_first(&l, unit_guarded("/b", 3)), 1);
    CHECK_EQ_INT(na_matcher_list_first(&l, unit_guarded("/c", 3)), 2);
    na_matcher_list_free(&l);
    CHECK(l.items == NULL && l.n == 0);
    na_matcher_list_free(&l); /* twice is harmless */
    CHECK_EQ_INT(na_matcher_list_first(&l, "/a"), -1);
}

/* Patterns refused at configuration time, with the reason in the message. */
static void test_compile_errors(void)
{
    static const struct {
        const char *src, *msg; /* a substring of err.msg */
    } t[] = {
        {"dashboard", "must start with '/'"},
        /* literal text the canonical form cannot hold, or that no normalized
         * path can have */
        {"/a%2Fb", "its literal text cannot be compared"},
        {"/a%5c", "its literal text cannot be compared"},
        {"/a%00", "its literal text cannot be compared"},
        {"/a%0a/:p", "its literal text cannot be compared"},
        {"/a%zz", "its literal text cannot be compared"},
        {"/a%4", "its literal text cannot be compared"},
        {"/a#b", "its literal text cannot be compared"},
        {"/%C0%AE", "its literal text cannot be compared"},
        {"/caf%C3", "its literal text cannot be compared"},
        {"/a//b", "its literal text cannot be compared"},
        {"/a/./b", "its literal text cannot be compared"},
        {"/a/../b/:p*", "its literal text cannot be compared"},
        {"/a/%2e%2e/b", "its literal text cannot be compared"},
        {"/((?!api|a%2Fb).*)", "its literal text cannot be compared"},
        {"", "must start with '/'"},
        {"(.*)", "must start with '/'"},
        {"/:", "':' without a name"},
        {"/a/:", "':' without a name"},
        {"/:*", "':' without a name"},
        {"/:slug.json", "a parameter must end its segment"},
        {"/:a-b", "a parameter must end its segment"},
        {"/:a*b", "a parameter must end its segment"},
        {"/a/(foo|bar)", "unsupported group"},
        {"/a/(\\d+)", "unsupported group"},
        {"/a/(.*", "unsupported group"},
        {"/a/(", "unsupported group"},
        {"/((?!api", "unsupported group"},
        {"/((?!a(b)).*)", "unsupported group"},
        {"/((?!a*).*)", "unsupported group"},
        {"/((?![ab]).*)", "unsupported group"},
        {"/a/*", "unsupported character '*'"},
        {"/a+", "unsupported character '+'"},
        {"/a?", "unsupported character '?'"},
        {"/a{b}", "unsupported character '{'"},
        {"/a}", "unsupported character '}'"},
        {"/[a]", "unsupported character '['"},
        {"/a]", "unsupported character ']'"},
        {"/a\\b", "unsupported character '\\'"},
        {"/a|b", "unsupported character '|'"},
        {"/^a", "unsupported character '^'"},
        {"/a$", "unsupported character '$'"},
        {"/a:b", "unsupported character ':'"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        na_err err;
        na_err_clear(&err);
        na_pattern *p = na_matcher_compile(t[i].src, &err);
        if (!CHECK(p == NULL)) {
            printf("    \"%s\" compiled\n", t[i].src);
            na_matcher_free(p);
            continue;
        }
        if (!CHECK_EQ_INT(err.code, NA_E_CONFIG) | !CHECK(strstr(err.msg, t[i].msg) != NULL))
            printf("    \"%s\": %s\n", t[i].src, err.msg);
        /* the message names the pattern */
        CHECK(strstr(err.msg, "matcher \"") != NULL);
    }
    /* a long pattern is quoted cut short, not in full */
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[0] = '/';
    big[sizeof big - 2] = '*';
    big[sizeof big - 1] = '\0';
    na_err err;
    CHECK(na_matcher_compile(big, &err) == NULL);
    CHECK(strlen(err.msg) < sizeof err.msg);
    /* the negative-lookahead group is limited to 511 bytes of alternatives */
    char nl[700];
    int n = snprintf(nl, sizeof nl, "/((?!");
    memset(nl + n, 'x', 520);
    snprintf(nl + n + 520, sizeof nl - (size_t)n - 520, ").*)");
    CHECK(na_matcher_compile(nl, &err) == NULL);
    CHECK(strstr(err.msg, "group too long") != NULL);
    /* what does compile */
    const char *good[] = {"/", "/a", "/a/:b", "/a/:b?", "/a/:b*", "/a/:b+", "/a/(.*)",
                          "/a/(.+)", "/((?!api|_next/static|_next/image|favicon.ico).*)",
                          "/a.b/c-d_e~f", "/a/:b/c/:d*"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        na_pattern *p = na_matcher_compile(good[i], &err);
        if (!CHECK(p != NULL))
            printf("    \"%s\": %s\n", good[i], err.msg);
        na_matcher_free(p);
    }
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A path of n "/a" segments (plus tail) into buf. */
static size_t segments(char *buf, size_t n, const char *tail)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        buf[o++] = '/';
        buf[o++] = 'a';
    }
    o += (size_t)sprintf(buf + o, "%s", tail);
    return o;
}

/* The budget: a pattern with two "zero or more" parameters against 4000
 * segments would take ~n² steps; it must return at once. Running out of budget
 * answers "match" (matcher.c: the stricter reading for the matcher list). */
static void test_budget(void)
{
    static char path[9000];
    na_err err;
    na_pattern *p = na_matcher_compile("/:a*/:b*/x", &err);
    CHECK(p != NULL);
    if (p == NULL)
        return;
    size_t n = segments(path, 4000, "");
    double t0 = seconds();
    int r = na_matcher_match(p, unit_guarded(path, n + 1));
    double dt = seconds() - t0;
    if (!CHECK(dt < 0.5))
        printf("    4000 segments took %.3f s\n", dt);
    CHECK_EQ_INT(r, -1); /* cannot tell: the caller takes the stricter side */
    /* within the budget the answer is exact */
    n = segments(path, 20, "");
    CHECK_EQ_INT(na_matcher_match(p, unit_guarded(path, n + 1)), 0);
    n = segments(path, 20, "/x");
    CHECK_EQ_INT(na_matcher_match(p, unit_guarded(path, n + 1)), 1);
    n = segments(path, 4000, "/x");
    t0 = seconds();
    CHECK_EQ_INT(na_matcher_match(p, unit_guarded(path, n + 1)), 1);
    CHECK(seconds() - t0 < 0.5);
    na_matcher_free(p);

    /* other shapes that backtrack: groups in a row, many parameters */
    const char *pats[] = {"/(.*)(.*)(.*)(.*)/x", "/:a*/:b*/:c*/:d*/x", "/:a+/:b+/:c+/x",
                          "/((?!z).*)(.*)(.*)/x", "/(.*)/:a*/(.*)/x"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        p = na_matcher_compile(pats[i], &err);
        if (!CHECK(p != NULL))
            continue;
        n = segments(path, 4000, "");
        t0 = seconds();
        na_matcher_match(p, unit_guarded(path, n + 1));
        dt = seconds() - t0;
        if (!CHECK(dt < 0.5))
            printf("    \"%s\" against 4000 segments took %.3f s\n", pats[i], dt);
        na_matcher_free(p);
    }
    /* a path of 8192 '/' and of 8192 'a' bytes (the guard's NA_PATH_MAX) */
    memset(path, '/', 8192);
    path[8192] = '\0';
    p = na_matcher_compile("/:a*/:b*/x", &err);
    t0 = seconds();
    na_matcher_match(p, unit_guarded(path, 8193));
    memset(path + 1, 'a', 8191);
    na_matcher_match(p, unit_guarded(path, 8193));
    CHECK(seconds() - t0 < 0.5);
    na_matcher_free(p);
}

int main(void)
{
    RUN(test_b12_table);
    RUN(test_groups);
    RUN(test_params);
    RUN(test_wrapping);
    RUN(test_lists);
    RUN(test_compile_errors);
    RUN(test_budget);
    return unit_done();
}
