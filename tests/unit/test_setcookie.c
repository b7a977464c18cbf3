/* SPDX-License-Identifier: MIT */
/* test_setcookie.c — lib/setcookie.c: the Set-Cookie lines of a session as
 * next-auth writes them. One cookie or chunks .0 … .15 at the exact size
 * boundaries, the stale names of the request cleared in request order, the
 * Secure attribute, the Expires date, encodeURIComponent of the value, and the
 * clearing lines. Each answer is compared byte for byte. */
#include "setcookie.c" /* uri_encode */

#include "unit.h"

#define N "next-auth.session-token"
#define NOW 1700000000LL /* Tue, 14 Nov 2023 22:13:20 GMT */
#define NOW_DATE "Tue, 14 Nov 2023 22:13:20 GMT"

/* One expected line: the chunk idx (-1 the plain name) cleared, or written
 * with n bytes of the token from off. */
typedef struct {
    int idx;
    int clear;
    size_t off, n;
} line;

#define W(i, o, len) {(i), 0, (o), (len)}
#define C(i) {(i), 1, 0, 0}

/* The exact header block the lines make (the token's bytes need no encoding). */
static char *expect(const char *name, const char *tok, const line *l, size_t nl,
                    const char *date, int secure, size_t *len)
{
    size_t cap = 1024;
    for (size_t i = 0; i < nl; i++)
        cap += 300 + strlen(name) + l[i].n;
    char *s = malloc(cap), *p = s;
    for (size_t i = 0; i < nl; i++) {
        p += sprintf(p, "Set-Cookie: %s", name);
        if (l[i].idx >= 0)
            p += sprintf(p, ".%d", l[i].idx);
        if (l[i].clear) {
            p += sprintf(p, "=; Max-Age=0; Path=/; HttpOnly%s; SameSite=Lax\r\n",
                         secure ? "; Secure" : "");
        } else {
            *p++ = '=';
            memcpy(p, tok + l[i].off, l[i].n);
            p += l[i].n;
            p += sprintf(p, "; Path=/; Expires=%s; HttpOnly%s; SameSite=Lax\r\n", date,
                         secure ? "; Secure" : "");
        }
    }
    *len = (size_t)(p - s);
    return s;
}

static int check_head(const na_resp *r, const char *name, const char *tok, const line *l,
                      size_t nl, const char *date, int secure, int at)
{
    size_t len;
    char *want = expect(name, tok, l, nl, date, secure, &len);
    int ok = unit_eq_int(r->failed, 0, __FILE__, at, "response not failed");
    ok &= unit_eq_mem(r->head.p ? r->head.p : "", r->head.len, want, len, __FILE__, at,
                      "Set-Cookie lines");
    free(want);
    return ok;
}

static na_cookie_seen seen_of(const int *names, size_t n)
{
    na_cookie_seen s;
    memset(&s, 0x5a, sizeof s);
    for (size_t i = 0; i < n; i++)
        s.names[i] = names[i];
    s.n = n;
    return s;
}

static void test_one_cookie(void)
{
    na_resp r;
    na_resp_init(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, N, "eyJ.a-b_c", 9, NA_CHUNK_SIZE_V4, NULL, NOW, 0),
                 0);
    CHECK_EQ_MEM(r.head.p, r.head.len,
                 "Set-Cookie: next-auth.session-token=eyJ.a-b_c; Path=/; "
                 "Expires=Tue, 14 Nov 2023 22:13:20 GMT; HttpOnly; SameSite=Lax\r\n",
                 strlen("Set-Cookie: next-auth.session-token=eyJ.a-b_c; Path=/; "
                        "Expires=Tue, 14 Nov 2023 22:13:20 GMT; HttpOnly; SameSite=Lax\r\n"));

    /* secure: the __Secure- name is the caller's; the attribute comes after HttpOnly */
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, "__Secure-" N, "tok", 3, NA_CHUNK_SIZE_V4, NULL,
                                      NOW + 2592000, 1),
                 0);
    static const char secure[] = "Set-Cookie: __Secure-next-auth.session-token=tok; Path=/; "
                                 "Expires=Thu, 14 Dec 2023 22:13:20 GMT; HttpOnly; Secure; "
                                 "SameSite=Lax\r\n";
    CHECK_EQ_MEM(r.head.p, r.head.len, secure, sizeof secure - 1);

    /* and as the whole answer writes it */
    na_resp_status(&r, 200);
    unit_out o = {.n = 0};
    CHECK_EQ_INT(na_resp_write(&r, unit_collect, &o), 0);
    static const char whole[] = "Status: 200 OK\r\n"
                                "Set-Cookie: __Secure-next-auth.session-token=tok; Path=/; "
                                "Expires=Thu, 14 Dec 2023 22:13:20 GMT; HttpOnly; Secure; "
                                "SameSite=Lax\r\n\r\n";
    CHECK_EQ_MEM(o.b, o.n, whole, sizeof whole - 1);
    na_resp_free(&r);
}

/* Every token length around the chunk boundaries, for next-auth's chunk size,
 * @auth/core's, the largest allowed and two small ones: one plain cookie up to
 * one chunk, then .0 … .(n-1) of `chunk` bytes each (the last one the rest),
 * and a refusal past sixteen chunks, with nothing written. */
static void test_chunk_boundaries(void)
{
    static char tok[NA_MAX_CHUNKS * NA_CHUNK_MAX + 1];
    for (size_t i = 0; i < sizeof tok; i++)
        tok[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."[i * 7 % 65];
    static const size_t chunks[] = {NA_CHUNK_SIZE_V4, NA_CHUNK_SIZE_V5, NA_CHUNK_MAX, 100, 1};
    na_resp r;
    na_resp_init(&r);
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t ch = chunks[c];
        size_t lens[] = {1,          2,          ch - 1,      ch,          ch + 1,
                         2 * ch - 1, 2 * ch,     2 * ch + 1,  15 * ch,     15 * ch + 1,
                         16 * ch - 1, 16 * ch,   16 * ch + 1};
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            size_t len = lens[k];
            if (len == 0)
                continue;
            na_resp_reset(&r);
            int rc = na_setcookie_session(&r, N, tok, len, ch, NULL, NOW, 0);
            size_t count = (len + ch - 1) / ch;
            int ok;
            if (count > NA_MAX_CHUNKS) {
                ok = unit_eq_int(rc, -1, __FILE__, __LINE__, "refused past 16 chunks");
                ok &= unit_eq_int(r.failed, 1, __FILE__, __LINE__, "response failed");
                ok &= unit_eq_int(r.head.len, 0, __FILE__, __LINE__, "nothing written");
            } else {
                line l[NA_MAX_CHUNKS];
                for (size_t i = 0; i < count; i++)
                    l[i] = (line)W(count == 1 ? -1 : (int)i, i * ch,
                                   i + 1 < count ? ch : len - i * ch);
                ok = unit_eq_int(rc, 0, __FILE__, __LINE__, "written");
                ok &= check_head(&r, N, tok, l, count, NOW_DATE, 0, __LINE__);
            }
            if (!ok)
                printf("    chunk %zu, token of %zu bytes\n", ch, len);
        }
    }
    /* the sizes next-auth and @auth/core write, and the last token each accepts */
    CHECK_EQ_INT(NA_CHUNK_SIZE_V4, 3933);
    CHECK_EQ_INT(NA_CHUNK_SIZE_V5, 3936);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, N, tok, 16 * 3933, 3933, NULL, NOW, 0), 0);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, N, tok, 16 * 3933 + 1, 3933, NULL, NOW, 0), -1);

    /* a chunk size of 0 or past NA_CHUNK_MAX, an empty token: refused */
    static const struct {
        size_t len, chunk;
    } bad[] = {{10, 0}, {10, NA_CHUNK_MAX + 1}, {0, 3933}, {0, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        na_resp_reset(&r);
        CHECK_EQ_INT(na_setcookie_session(&r, N, tok, bad[i].len, bad[i].chunk, NULL, NOW, 0),
                     -1);
        CHECK_EQ_INT(r.failed, 1);
        CHECK_EQ_INT(r.head.len, 0);
    }
    na_resp_free(&r);
}

/* The names of the request first, in its order: a name the new token uses is
 * written there, every other one cleared; then the new names not yet written. */
static void test_stale_names(void)
{
    static const char tok[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    static const struct {
        size_t len, chunk;
        int seen[8];
        size_t nseen;
        line want[13];
        size_t nwant;
    } t[] = {
        /* one cookie */
        {10, 3933, {0}, 0, {W(-1, 0, 10)}, 1},
        {10, 3933, {-1}, 1, {W(-1, 0, 10)}, 1},
        {10, 3933, {0, 1, -1}, 3, {C(0), C(1), W(-1, 0, 10)}, 3},
        {10, 3933, {5}, 1, {C(5), W(-1, 0, 10)}, 2},
        {10, 10, {1, 0}, 2, {C(1), C(0), W(-1, 0, 10)}, 3},
        /* chunks */
        {11, 10, {-1}, 1, {C(-1), W(0, 0, 10), W(1, 10, 1)}, 3},
        {11, 10, {1, -1}, 2, {W(1, 10, 1), C(-1), W(0, 0, 10)}, 3},
        {25, 10, {2, -1, 0, 7}, 4, {W(2, 20, 5), C(-1), W(0, 0, 10), C(7), W(1, 10, 10)}, 5},
        {25, 10, {0, 1, 2}, 3, {W(0, 0, 10), W(1, 10, 10), W(2, 20, 5)}, 3},
        {25, 10, {2, 1, 0}, 3, {W(2, 20, 5), W(1, 10, 10), W(0, 0, 10)}, 3},
        {20, 10, {0, 1, 2, 3}, 4, {W(0, 0, 10), W(1, 10, 10), C(2), C(3)}, 4},
        {20, 10, {3, 2}, 2, {C(3), C(2), W(0, 0, 10), W(1, 10, 10)}, 4},
        /* names past the caps a request may still carry: cleared */
        {20, 10, {16, 999, 15}, 3, {C(16), C(999), C(15), W(0, 0, 10), W(1, 10, 10)}, 5},
        {5, 10, {16, -1}, 2, {C(16), W(-1, 0, 5)}, 2},
        {36, 3, {11, 12, 0}, 3,
         {W(11, 33, 3), C(12), W(0, 0, 3), W(1, 3, 3), W(2, 6, 3), W(3, 9, 3), W(4, 12, 3),
          W(5, 15, 3), W(6, 18, 3), W(7, 21, 3), W(8, 24, 3), W(9, 27, 3), W(10, 30, 3)}, 13},
    };
    na_resp r;
    na_resp_init(&r);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        for (int secure = 0; secure <= 1; secure++) {
            na_cookie_seen seen = seen_of(t[i].seen, t[i].nseen);
            na_resp_reset(&r);
            int ok = unit_eq_int(na_setcookie_session(&r, N, tok, t[i].len, t[i].chunk, &seen,
                                                      NOW, secure),
                                 0, __FILE__, __LINE__, "rc");
            ok &= check_head(&r, N, tok, t[i].want, t[i].nwant, NOW_DATE, secure, __LINE__);
            if (!ok)
                printf("    case %zu, secure %d\n", i, secure);
        }
    na_resp_free(&r);
}

/* encodeURIComponent: A–Z a–z 0–9 and - _ . ! ~ * ' ( ) as they are, every
 * other byte as %XX with upper-case hex. */
static void test_encoding(void)
{
    int kept = 0;
    for (int c = 0; c < 256; c++) {
        char in = (char)c, out[4];
        size_t n = uri_encode(&in, 1, out);
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   (c != 0 && strchr("-_.!~*'()", c) != NULL);
        char want[4];
        size_t wl = keep ? 1 : (size_t)snprintf(want, sizeof want, "%%%02X", c);
        if (keep)
            want[0] = (char)c; /* 0x00 is not kept: %00 */
        if (!unit_report(n == wl && memcmp(out, want, wl) == 0, __FILE__, __LINE__,
                         "encodeURIComponent of one byte"))
            printf("    byte 0x%02x\n", c);
        kept += n == 1;
    }
    CHECK_EQ_INT(kept, 26 + 26 + 10 + 9);

    /* in a line; chunks split the token's bytes, before encoding */
    na_resp r;
    na_resp_init(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, "s", "a b;c=d,\xc3\xa9%", 11, 3933, NULL, 0, 0), 0);
    static const char one[] = "Set-Cookie: s=a%20b%3Bc%3Dd%2C%C3%A9%25; Path=/; "
                              "Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax\r\n";
    CHECK_EQ_MEM(r.head.p, r.head.len, one, sizeof one - 1);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, "s", "a\0b", 3, 3933, NULL, 0, 0), 0);
    static const char nul[] = "Set-Cookie: s=a%00b; Path=/; "
                              "Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax\r\n";
    CHECK_EQ_MEM(r.head.p, r.head.len, nul, sizeof nul - 1);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, "s", "a b c", 5, 2, NULL, 0, 0), 0);
    static const char two[] =
        "Set-Cookie: s.0=a%20; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax\r\n"
        "Set-Cookie: s.1=b%20; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax\r\n"
        "Set-Cookie: s.2=c; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax\r\n";
    CHECK_EQ_MEM(r.head.p, r.head.len, two, sizeof two - 1);

    /* the longest line: a name of NA_COOKIE_NAME_MAX, chunk .15, 4096 bytes that
     * all need encoding */
    char name[NA_COOKIE_NAME_MAX + 1];
    memset(name, 'n', NA_COOKIE_NAME_MAX);
    name[NA_COOKIE_NAME_MAX] = '\0';
    static char spaces[16 * NA_CHUNK_MAX];
    memset(spaces, ' ', sizeof spaces);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, name, spaces, sizeof spaces, NA_CHUNK_MAX, NULL,
                                      NOW, 1),
                 0);
    /* the last line: after the last CRLF but the closing one */
    CHECK_EQ_INT(r.failed, 0);
    size_t start = r.head.len >= 2 ? r.head.len - 2 : 0;
    while (start > 0 && r.head.p[start - 1] != '\n')
        start--;
    char *want = malloc(13 * NA_CHUNK_MAX);
    size_t w = (size_t)sprintf(want, "Set-Cookie: %s.15=", name);
    for (size_t i = 0; i < NA_CHUNK_MAX; i++)
        memcpy(want + w + 3 * i, "%20", 3);
    w += 3 * NA_CHUNK_MAX;
    w += (size_t)sprintf(want + w, "; Path=/; Expires=" NOW_DATE "; HttpOnly; Secure; SameSite=Lax\r\n");
    CHECK_EQ_MEM(r.head.p + start, r.head.len - start, want, w);
    free(want);
    na_resp_free(&r);
}

static void test_expires(void)
{
    static const struct {
        long long t;
        const char *date;
    } t[] = {
        {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
        {NOW, NOW_DATE},
        {1709251199, "Thu, 29 Feb 2024 23:59:59 GMT"},
        {4102444800LL, "Fri, 01 Jan 2100 00:00:00 GMT"},
    };
    na_resp r;
    na_resp_init(&r);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        line l = W(-1, 0, 1);
        na_resp_reset(&r);
        CHECK_EQ_INT(na_setcookie_session(&r, N, "x", 1, 3933, NULL, t[i].t, 0), 0);
        check_head(&r, N, "x", &l, 1, t[i].date, 0, __LINE__);
    }
    na_resp_free(&r);
}

static void test_clear(void)
{
    static const int names[] = {-1, 0, 3, 15, 16, 999};
    na_cookie_seen seen = seen_of(names, 6);
    na_resp r;
    na_resp_init(&r);
    for (int secure = 0; secure <= 1; secure++) {
        line l[6] = {C(-1), C(0), C(3), C(15), C(16), C(999)};
        na_resp_reset(&r);
        CHECK_EQ_INT(na_setcookie_clear(&r, N, &seen, secure), 0);
        check_head(&r, N, "", l, 6, NOW_DATE, secure, __LINE__);
    }
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_clear(&r, "__Secure-authjs.session-token", &seen, 1), 0);
    static const char first[] = "Set-Cookie: __Secure-authjs.session-token=; Max-Age=0; Path=/; "
                                "HttpOnly; Secure; SameSite=Lax\r\n"
                                "Set-Cookie: __Secure-authjs.session-token.0=; Max-Age=0; "
                                "Path=/; HttpOnly; Secure; SameSite=Lax\r\n";
    CHECK(r.head.len > sizeof first - 1);
    CHECK_EQ_MEM(r.head.p, sizeof first - 1, first, sizeof first - 1);

    /* nothing seen, or no record at all: nothing */
    na_cookie_seen none = seen_of(NULL, 0);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_clear(&r, N, &none, 0), 0);
    CHECK_EQ_INT(na_setcookie_clear(&r, N, NULL, 1), 0);
    CHECK_EQ_INT(r.head.len, 0);
    CHECK_EQ_INT(r.failed, 0);
    na_resp_free(&r);
}

/* A name the response refuses (a control byte) fails the whole answer. */
static void test_refused_name(void)
{
    static const int names[] = {1, -1};
    na_cookie_seen seen = seen_of(names, 2);
    na_resp r;
    na_resp_init(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, "a\r\nb", "tok", 3, 3933, NULL, NOW, 0), -1);
    CHECK_EQ_INT(r.failed, 1);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, "a\nb", "tok", 3, 3933, &seen, NOW, 0), -1);
    CHECK_EQ_INT(r.failed, 1);
    CHECK_EQ_INT(r.head.len, 0); /* the first line (clearing .1) was already refused */
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_session(&r, "a\tb", "t\x7f", 2, 3933, NULL, NOW, 0), 0);
    CHECK_EQ_INT(r.failed, 0); /* HT is allowed; 0x7f in the value is encoded */
    static const char tab[] = "Set-Cookie: a\tb=t%7F; Path=/; Expires=" NOW_DATE
                              "; HttpOnly; SameSite=Lax\r\n";
    CHECK_EQ_MEM(r.head.p, r.head.len, tab, sizeof tab - 1);
    na_resp_reset(&r);
    CHECK_EQ_INT(na_setcookie_clear(&r, "a\x01", &seen, 0), -1);
    CHECK_EQ_INT(r.failed, 1);
    na_resp_free(&r);
}

int main(void)
{
    RUN(test_one_cookie);
    RUN(test_chunk_boundaries);
    RUN(test_stale_names);
    RUN(test_encoding);
    RUN(test_expires);
    RUN(test_clear);
    RUN(test_refused_name);
    return unit_done();
}
