/* SPDX-License-Identifier: MIT */
/* test_resp.c — lib/resp.c: one answer built in memory and written in one go.
 * The exact bytes of the status line for every status with a reason, of
 * headers and body, of HEAD; every control byte refused in a header value and
 * the bare 500 that follows any failure; an answer written before
 * (na_resp_whole); reset and reuse; the named answers; a failing writer. */
#include "resp.h"

#include "unit.h"

/* What na_resp_write wrote, and how: the number of calls; fail_at > 0 makes
 * that call (1-based) fail. */
struct out {
    char b[4096];
    size_t n;
    int calls, fail_at;
};

static int collect(void *ctx, const char *p, size_t n)
{
    struct out *o = ctx;
    o->calls++;
    if (o->calls == o->fail_at || n > sizeof o->b - o->n)
        return -1;
    memcpy(o->b + o->n, p, n);
    o->n += n;
    return 0;
}

/* Write r; its bytes in o (rc checked to be 0). */
static int written(const na_resp *r, struct out *o)
{
    memset(o, 0, sizeof *o);
    return unit_eq_int(na_resp_write(r, collect, o), 0, __FILE__, __LINE__, "na_resp_write");
}

#define CHECK_ANSWER(r, want)                                                                  \
    do {                                                                                       \
        struct out o_;                                                                         \
        written(r, &o_);                                                                       \
        CHECK_EQ_MEM(o_.b, o_.n, want, sizeof(want) - 1);                                      \
    } while (0)

#define FALLBACK_HEAD                                                                          \
    "Status: 500 Internal Server Error\r\n"                                                    \
    "Content-Type: application/json\r\n"                                                       \
    "Cache-Control: no-store\r\n"                                                              \
    "\r\n"
#define FALLBACK FALLBACK_HEAD "{\"message\":\"Internal Server Error\"}"

#define CONFIG_V4                                                                              \
    "{\"message\":\"There is a problem with the server configuration. Check the server logs " \
    "for more information.\"}"
#define CONFIG_V5                                                                              \
    "{\"message\":\"There was a problem with the server configuration. Check the server "     \
    "logs for more information.\"}"
#define NO_CACHE                                                                               \
    "Cache-Control: private, no-cache, no-store\r\nPragma: no-cache\r\nExpires: 0\r\n"

static void test_status_lines(void)
{
    static const struct {
        int status;
        const char *line;
    } t[] = {
        {200, "Status: 200 OK\r\n\r\n"},
        {201, "Status: 201 Created\r\n\r\n"},
        {204, "Status: 204 No Content\r\n\r\n"},
        {301, "Status: 301 Moved Permanently\r\n\r\n"},
        {302, "Status: 302 Found\r\n\r\n"},
        {303, "Status: 303 See Other\r\n\r\n"},
        {304, "Status: 304 Not Modified\r\n\r\n"},
        {307, "Status: 307 Temporary Redirect\r\n\r\n"},
        {308, "Status: 308 Permanent Redirect\r\n\r\n"},
        {400, "Status: 400 Bad Request\r\n\r\n"},
        {401, "Status: 401 Unauthorized\r\n\r\n"},
        {403, "Status: 403 Forbidden\r\n\r\n"},
        {404, "Status: 404 Not Found\r\n\r\n"},
        {405, "Status: 405 Method Not Allowed\r\n\r\n"},
        {410, "Status: 410 Gone\r\n\r\n"},
        {429, "Status: 429 Too Many Requests\r\n\r\n"},
        {500, "Status: 500 Internal Server Error\r\n\r\n"},
        {502, "Status: 502 Bad Gateway\r\n\r\n"},
        {503, "Status: 503 Service Unavailable\r\n\r\n"},
        /* a status without a phrase of ours: its three digits and "Unknown" */
        {100, "Status: 100 Unknown\r\n\r\n"},
        {199, "Status: 199 Unknown\r\n\r\n"},
        {202, "Status: 202 Unknown\r\n\r\n"},
        {418, "Status: 418 Unknown\r\n\r\n"},
        {501, "Status: 501 Unknown\r\n\r\n"},
        {599, "Status: 599 Unknown\r\n\r\n"},
    };
    na_resp r;
    na_resp_init(&r);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct out o;
        na_resp_reset(&r);
        na_resp_status(&r, t[i].status);
        CHECK_EQ_INT(r.failed, 0);
        written(&r, &o);
        if (!CHECK_EQ_MEM(o.b, o.n, t[i].line, strlen(t[i].line)))
            printf("    status %d\n", t[i].status);
        /* the phrase is the one na_resp_reason gives */
        const char *reason = na_resp_reason(t[i].status);
        CHECK_EQ_MEM(reason, strlen(reason), t[i].line + 12, strlen(t[i].line) - 16);
    }
    CHECK_EQ_STR(na_resp_reason(0), "Unknown");
    CHECK_EQ_STR(na_resp_reason(-200), "Unknown");
    CHECK_EQ_STR(na_resp_reason(2000), "Unknown");

    /* out of range, or never set: the bare 500 */
    static const int bad[] = {0, 1, 99, 600, 999, 1000, -1, -500};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        na_resp_reset(&r);
        na_resp_status(&r, bad[i]);
        CHECK_EQ_INT(r.failed, 1);
        CHECK_ANSWER(&r, FALLBACK);
        /* a valid status set after an invalid one does not mend it */
        na_resp_status(&r, 200);
        CHECK_ANSWER(&r, FALLBACK);
    }
    na_resp_reset(&r);
    CHECK_EQ_INT(r.status, 0);
    CHECK_ANSWER(&r, FALLBACK);
    na_resp_body(&r, "x", 1); /* a body without a status: still the bare 500 */
    CHECK_ANSWER(&r, FALLBACK);
    na_resp_free(&r);
}

static void test_headers_and_body(void)
{
    na_resp r;
    na_resp_init(&r);
    na_resp_status(&r, 200);
    CHECK_EQ_INT(na_resp_header(&r, "Content-Type", "text/plain; charset=utf-8"), 0);
    CHECK_EQ_INT(na_resp_header(&r, "X-Empty", ""), 0);
    CHECK_EQ_INT(na_resp_header(&r, "X-Tab", "a\tb\t"), 0);
    CHECK_EQ_INT(na_resp_header(&r, "X-Utf8", "caf\xc3\xa9 \xe2\x82\xac \xff\x80"), 0);
    CHECK_EQ_INT(na_resp_header(&r, "Set-Cookie", "a=1"), 0);
    CHECK_EQ_INT(na_resp_header(&r, "Set-Cookie", "a=2"), 0); /* repeated, in order */
    CHECK_EQ_INT(na_resp_body(&r, "hello, ", 7), 0);
    CHECK_EQ_INT(na_resp_body(&r, "", 0), 0);
    CHECK_EQ_INT(na_resp_body(&r, "w\0rld", 5), 0); /* bytes, NUL included */
    static const char want[] = "Status: 200 OK\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\n"
                               "X-Empty: \r\n"
                               "X-Tab: a\tb\t\r\n"
                               "X-Utf8: caf\xc3\xa9 \xe2\x82\xac \xff\x80\r\n"
                               "Set-Cookie: a=1\r\n"
                               "Set-Cookie: a=2\r\n"
                               "\r\n"
                               "hello, w\0rld";
    struct out o;
    written(&r, &o);
    CHECK_EQ_MEM(o.b, o.n, want, sizeof want - 1);
    CHECK_EQ_INT(o.calls, 4); /* status line, headers, blank line, body */

    /* HEAD: the same head, no body, one call less */
    r.head_only = 1;
    written(&r, &o);
    CHECK_EQ_MEM(o.b, o.n, want, sizeof want - 1 - 12);
    CHECK_EQ_INT(o.calls, 3);

    /* no headers and no body: two calls */
    na_resp_reset(&r);
    na_resp_status(&r, 204);
    written(&r, &o);
    CHECK_EQ_INT(o.calls, 2);
    CHECK_EQ_MEM(o.b, o.n, "Status: 204 No Content\r\n\r\n", 26);

    /* a large body goes out whole */
    na_resp_reset(&r);
    na_resp_status(&r, 200);
    static char big[1 << 20];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    for (size_t off = 0; off < sizeof big; off += 1000)
        na_resp_body(&r, big + off, sizeof big - off < 1000 ? sizeof big - off : 1000);
    CHECK_EQ_INT(r.failed, 0);
    CHECK_EQ_MEM(r.body.p, r.body.len, big, sizeof big);
    na_resp_free(&r);
}

/* Every byte value in a header value: the control bytes but HT are refused,
 * the response is failed, and nothing of the refused line is kept. */
static void test_control_bytes(void)
{
    long refused = 0, kept = 0;
    for (int c = 1; c < 256; c++) {
        int wrong = 0;
        na_resp r;
        na_resp_init(&r);
        na_resp_status(&r, 200);
        na_resp_header(&r, "X-Before", "ok");
        char v[8] = {'a', (char)c, 'b', '\0'};
        int rc = na_resp_header(&r, "X-Value", v);
        int control = (c < 0x20 && c != '\t') || c == 0x7f;
        struct out o;
        if (control) {
            refused++;
            wrong += rc != -1 || r.failed != 1 || r.head.len != strlen("X-Before: ok\r\n");
            written(&r, &o);
            wrong += o.n != sizeof FALLBACK - 1 || memcmp(o.b, FALLBACK, o.n) != 0;
            /* headers added after it do not mend it */
            na_resp_header(&r, "X-After", "ok");
            written(&r, &o);
            wrong += o.n != sizeof FALLBACK - 1;
            /* HEAD: the fallback's head only */
            r.head_only = 1;
            written(&r, &o);
            wrong += o.n != sizeof FALLBACK_HEAD - 1 || memcmp(o.b, FALLBACK_HEAD, o.n) != 0;
        } else {
            kept++;
            char want[64];
            int n = snprintf(want, sizeof want,
                             "Status: 200 OK\r\nX-Before: ok\r\nX-Value: a%cb\r\n\r\n", c);
            written(&r, &o);
            wrong += rc != 0 || r.failed != 0 || o.n != (size_t)n || memcmp(o.b, want, o.n);
        }
        if (!unit_report(wrong == 0, __FILE__, __LINE__, "header value with one byte"))
            printf("    byte 0x%02x\n", c);
        na_resp_free(&r);
    }
    CHECK_EQ_INT(refused, 31); /* 0x01–0x1f but 0x09 (30), and 0x7f */
    CHECK_EQ_INT(kept, 255 - 31);

    /* the byte 0x00 cannot be inside a C string: it ends the value, and the
     * bytes after it are never written */
    na_resp r;
    na_resp_init(&r);
    na_resp_status(&r, 200);
    CHECK_EQ_INT(na_resp_header(&r, "X", "a\0\r\nSet-Cookie: evil=1"), 0);
    CHECK_ANSWER(&r, "Status: 200 OK\r\nX: a\r\n\r\n");
    /* CR, LF, CRLF at the start, the middle and the end */
    static const char *const split[] = {"\r\nSet-Cookie: x=1", "a\r\nb", "a\n", "\rb",
                                        "a\r", "\x1b[31m", "a\x7f"};
    for (size_t i = 0; i < sizeof split / sizeof split[0]; i++) {
        na_resp_reset(&r);
        na_resp_status(&r, 200);
        CHECK_EQ_INT(na_resp_header(&r, "X", split[i]), -1);
        CHECK_ANSWER(&r, FALLBACK);
    }
    na_resp_free(&r);
}

static void test_whole(void)
{
    static const char kept[] = "Status: 200 OK\r\nVariable-REMOTE_USER: a@example.com\r\n\r\n";
    na_resp r;
    na_resp_init(&r);
    na_resp_whole(&r, 200, kept, sizeof kept - 1);
    CHECK_EQ_INT(r.status, 200);
    struct out o;
    written(&r, &o);
    CHECK_EQ_MEM(o.b, o.n, kept, sizeof kept - 1);
    CHECK_EQ_INT(o.calls, 1); /* one write, as they are */
    /* headers, body and HEAD are not added to an answer already written */
    na_resp_header(&r, "X", "y");
    na_resp_body(&r, "body", 4);
    r.head_only = 1;
    CHECK_ANSWER(&r, kept);
    /* but a failure wins over it */
    na_resp_header(&r, "X", "\n");
    CHECK_ANSWER(&r, "Status: 500 Internal Server Error\r\n"
                     "Content-Type: application/json\r\n"
                     "Cache-Control: no-store\r\n\r\n");
    /* a bad status, too */
    na_resp_reset(&r);
    na_resp_whole(&r, 42, kept, sizeof kept - 1);
    CHECK_ANSWER(&r, FALLBACK);
    /* reset forgets it */
    na_resp_reset(&r);
    CHECK(r.whole == NULL);
    CHECK_EQ_INT(r.whole_len, 0);
    CHECK_ANSWER(&r, FALLBACK);
    na_resp_status(&r, 401);
    CHECK_ANSWER(&r, "Status: 401 Unauthorized\r\n\r\n");
    /* zero bytes are zero bytes */
    na_resp_reset(&r);
    na_resp_whole(&r, 200, kept, 0);
    written(&r, &o);
    CHECK_EQ_INT(o.n, 0);
    na_resp_free(&r);
}

static void test_reset_reuse(void)
{
    na_resp r;
    na_resp_init(&r);
    CHECK(r.head.p == NULL && r.body.p == NULL); /* nothing allocated before use */
    CHECK_EQ_INT(r.status, 0);
    na_resp_status(&r, 302);
    na_resp_header(&r, "Location", "/a");
    na_resp_body(&r, "moved", 5);
    r.head_only = 1;
    na_resp_header(&r, "X", "\r"); /* failed */
    const char *hp = r.head.p, *bp = r.body.p;

    na_resp_reset(&r);
    CHECK_EQ_INT(r.status, 0);
    CHECK_EQ_INT(r.failed, 0);
    CHECK_EQ_INT(r.head_only, 0);
    CHECK_EQ_INT(r.head.len, 0);
    CHECK_EQ_INT(r.body.len, 0);
    /* the buffers stay for the next answer */
    CHECK(r.head.p == hp && r.body.p == bp);
    na_resp_status(&r, 200);
    na_resp_header(&r, "Y", "z");
    na_resp_body(&r, "{}", 2);
    CHECK(r.head.p == hp && r.body.p == bp);
    CHECK_ANSWER(&r, "Status: 200 OK\r\nY: z\r\n\r\n{}");

    /* restart: the same, except that a HEAD answer stays headers-only */
    r.head_only = 1;
    na_resp_header(&r, "X", "\n"); /* failed */
    na_resp_restart(&r);
    CHECK_EQ_INT(r.failed, 0);
    CHECK_EQ_INT(r.head_only, 1);
    CHECK_EQ_INT(r.status, 0);
    CHECK_EQ_INT(r.head.len, 0);
    na_resp_status(&r, 200);
    na_resp_header(&r, "Y", "z");
    na_resp_body(&r, "{}", 2);
    CHECK_ANSWER(&r, "Status: 200 OK\r\nY: z\r\n\r\n");
    r.head_only = 0;
    na_resp_restart(&r);
    CHECK_EQ_INT(r.head_only, 0);

    /* a thousand answers on one response: each is only itself */
    for (int i = 0; i < 1000; i++) {
        na_resp_reset(&r);
        na_resp_status(&r, i % 2 ? 403 : 200);
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        na_resp_header(&r, "N", v);
        na_resp_body(&r, v, strlen(v));
    }
    CHECK_ANSWER(&r, "Status: 403 Forbidden\r\nN: 999\r\n\r\n999");

    /* free leaves an empty response that can be used again, and freed again */
    na_resp_free(&r);
    CHECK(r.head.p == NULL && r.body.p == NULL);
    CHECK_EQ_INT(r.status, 0);
    CHECK_ANSWER(&r, FALLBACK);
    na_resp_status(&r, 204);
    CHECK_ANSWER(&r, "Status: 204 No Content\r\n\r\n");
    na_resp_free(&r);
    na_resp_free(&r);
}

static void test_named_answers(void)
{
    na_resp r;
    na_resp_init(&r);

    na_resp_401_json(&r);
    CHECK_ANSWER(&r, "Status: 401 Unauthorized\r\n"
                     "Content-Type: application/json\r\n"
                     "Cache-Control: no-store\r\n"
                     "\r\n"
                     "{\"message\":\"You must be logged in.\"}");
    na_resp_reset(&r);
    na_resp_403_json(&r);
    CHECK_ANSWER(&r, "Status: 403 Forbidden\r\n"
                     "Content-Type: application/json\r\n"
                     "Cache-Control: no-store\r\n"
                     "\r\n"
                     "{\"message\":\"Forbidden\"}");
    na_resp_reset(&r);
    na_resp_405(&r, "GET, HEAD");
    CHECK_ANSWER(&r, "Status: 405 Method Not Allowed\r\n"
                     "Content-Type: application/json\r\n"
                     "Allow: GET, HEAD\r\n"
                     "\r\n"
                     "{\"message\":\"Method Not Allowed\"}");
    na_resp_reset(&r);
    na_resp_405(&r, "GET\r\nX: y"); /* an Allow value is a header value like any */
    CHECK_ANSWER(&r, FALLBACK);
    na_resp_reset(&r);
    na_resp_500_json(&r);
    CHECK_ANSWER(&r, "Status: 500 Internal Server Error\r\n"
                     "Content-Type: application/json\r\n"
                     "Cache-Control: no-store\r\n"
                     "\r\n" CONFIG_V4);
    na_resp_reset(&r);
    na_resp_500_config(&r, 0);
    CHECK_ANSWER(&r, "Status: 500 Internal Server Error\r\n"
                     "Content-Type: application/json\r\n" NO_CACHE "\r\n" CONFIG_V4);
    na_resp_reset(&r);
    na_resp_500_config(&r, 1);
    CHECK_ANSWER(&r, "Status: 500 Internal Server Error\r\n"
                     "Content-Type: application/json\r\n" NO_CACHE "\r\n" CONFIG_V5);
    na_resp_reset(&r);
    na_resp_json(&r, 200, "{}");
    na_resp_no_cache(&r);
    CHECK_ANSWER(&r, "Status: 200 OK\r\nContent-Type: application/json\r\n" NO_CACHE "\r\n{}");
    na_resp_reset(&r);
    na_resp_json(&r, 200, "null");
    r.head_only = 1;
    CHECK_ANSWER(&r, "Status: 200 OK\r\nContent-Type: application/json\r\n\r\n");

    /* redirects: the status given, Location as it is, no body */
    static const struct {
        int status;
        const char *line;
    } redir[] = {
        {307, "Status: 307 Temporary Redirect\r\n"}, {308, "Status: 308 Permanent Redirect\r\n"},
        {301, "Status: 301 Moved Permanently\r\n"},  {302, "Status: 302 Found\r\n"},
        {303, "Status: 303 See Other\r\n"},
    };
    for (size_t i = 0; i < sizeof redir / sizeof redir[0]; i++) {
        char want[256];
        na_resp_reset(&r);
        na_resp_redirect(&r, redir[i].status,
                         "https://example.com/api/auth/signin?callbackUrl=%2Fa%3Fb%3Dc");
        int n = snprintf(want, sizeof want,
                         "%sLocation: https://example.com/api/auth/signin?callbackUrl=%%2Fa%%3Fb%%3Dc\r\n"
                         "Cache-Control: no-store\r\n\r\n",
                         redir[i].line);
        struct out o;
        written(&r, &o);
        CHECK_EQ_MEM(o.b, o.n, want, (size_t)n);
    }
    /* a Location with CR or LF is never split into two headers */
    static const char *const evil[] = {"/a\r\nSet-Cookie: x=1", "/a\nb", "/a\rb", "/\t\x01"};
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        na_resp_reset(&r);
        na_resp_redirect(&r, 307, evil[i]);
        CHECK_EQ_INT(r.failed, 1);
        CHECK_ANSWER(&r, FALLBACK);
    }
    na_resp_reset(&r);
    na_resp_redirect(&r, 700, "/a");
    CHECK_ANSWER(&r, FALLBACK);
    na_resp_free(&r);
}

/* A writer that fails on call k: na_resp_write says so, and writes nothing more. */
static void test_write_fails(void)
{
    na_resp r;
    na_resp_init(&r);
    na_resp_json(&r, 200, "{\"a\":1}");
    /* four calls: status line, headers, blank line, body */
    for (int k = 1; k <= 4; k++) {
        struct out o = {.fail_at = k};
        CHECK_EQ_INT(na_resp_write(&r, collect, &o), -1);
        CHECK_EQ_INT(o.calls, k);
    }
    struct out o = {.fail_at = 5};
    CHECK_EQ_INT(na_resp_write(&r, collect, &o), 0);
    CHECK_EQ_INT(o.calls, 4);

    /* the fallback and a whole answer: one call each */
    r.failed = 1;
    o = (struct out){.fail_at = 1};
    CHECK_EQ_INT(na_resp_write(&r, collect, &o), -1);
    CHECK_EQ_INT(o.calls, 1);
    na_resp_reset(&r);
    na_resp_whole(&r, 200, "Status: 200 OK\r\n\r\n", 18);
    o = (struct out){.fail_at = 1};
    CHECK_EQ_INT(na_resp_write(&r, collect, &o), -1);
    CHECK_EQ_INT(o.calls, 1);
    na_resp_free(&r);
}

/* Reading back what na_resp_write wrote: the status line, each header in
 * order, the body's offset; malformed texts are refused, never overread. */
static void test_read_back(void)
{
    na_resp r;
    struct out o;
    na_resp_init(&r);
    na_resp_status(&r, 307);
    na_resp_header(&r, "Location", "/login?callbackUrl=%2Fa");
    na_resp_header(&r, "Cache-Control", "no-store");
    na_resp_body(&r, "moved", 5);
    written(&r, &o);
    size_t pos = 0;
    char *name, *value;
    CHECK_EQ_INT(na_resp_text_status(o.b, o.n, &pos), 307);
    CHECK_EQ_INT((int)pos, (int)strlen("Status: 307 Temporary Redirect\r\n"));
    CHECK_EQ_INT(na_resp_text_header(o.b, o.n, &pos, &name, &value), 1);
    CHECK_EQ_STR(name, "Location");
    CHECK_EQ_STR(value, "/login?callbackUrl=%2Fa");
    CHECK_EQ_INT(na_resp_text_header(o.b, o.n, &pos, &name, &value), 1);
    CHECK_EQ_STR(name, "Cache-Control");
    CHECK_EQ_STR(value, "no-store");
    CHECK_EQ_INT(na_resp_text_header(o.b, o.n, &pos, &name, &value), 0);
    CHECK_EQ_INT((int)(o.n - pos), 5);
    CHECK(memcmp(o.b + pos, "moved", 5) == 0);
    CHECK_EQ_INT(na_resp_text_header(o.b, o.n, &pos, &name, &value), 0); /* stays at the end */
    na_resp_free(&r);

    /* a head cut off before its blank line, a line without a colon */
    char cut[] = "Status: 200 OK\r\nVariable-REMOTE_USER: ada\r\nNoColon\r\nX: y";
    size_t n = strlen(cut);
    CHECK_EQ_INT(na_resp_text_status(cut, n, &pos), 200);
    CHECK_EQ_INT(na_resp_text_header(cut, n, &pos, &name, &value), 1);
    CHECK_EQ_STR(value, "ada");
    CHECK_EQ_INT(na_resp_text_header(cut, n, &pos, &name, &value), 1);
    CHECK_EQ_STR(name, "NoColon");
    CHECK_EQ_STR(value, "");
    CHECK_EQ_INT(na_resp_text_header(cut, n, &pos, &name, &value), 0);
    CHECK_EQ_INT((int)pos, (int)n);

    /* status lines refused */
    const char *bad[] = {"", "Status: 20", "Status: 2x0 OK\r\n", "Status: 099 X\r\n",
                         "Status: 600 X\r\n", "Status: 2000 OK\r\n", "Status: 200 OK",
                         "status: 200 OK\r\n", "HTTP/1.1 200 OK\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(na_resp_text_status(bad[i], strlen(bad[i]), &pos), -1);
}

int main(void)
{
    RUN(test_status_lines);
    RUN(test_headers_and_body);
    RUN(test_control_bytes);
    RUN(test_whole);
    RUN(test_reset_reuse);
    RUN(test_named_answers);
    RUN(test_write_fails);
    RUN(test_read_back);
    return unit_done();
}
