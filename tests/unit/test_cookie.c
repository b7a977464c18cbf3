/* SPDX-License-Identifier: MIT */
/* test_cookie.c — the session token of a request (docs/behaviour.md,
 * Reading the session from a request):
 * Cookie header parsed as cookie 0.7.2 does, chunks joined, Bearer fallback,
 * decodeURIComponent. Every header sits against a guard page. */
#include "cookie.h"

#include "unit.h"

#define N "next-auth.session-token"

static char tok[NA_TOKEN_MAX + 16];

typedef struct {
    int rc;
    size_t len;
    na_code code;
    na_cookie_seen seen;
} result;

static result session(const char *hdr, size_t len, const char *name, size_t cap)
{
    result r;
    na_err err;
    na_err_clear(&err);
    memset(&r.seen, 0x5a, sizeof r.seen);
    r.rc = na_cookie_session(unit_guarded(hdr, len), len, name, tok, cap, &r.len, &r.seen, &err);
    r.code = err.code;
    return r;
}

static void test_session_table(void)
{
    static const struct {
        const char *hdr;
        int rc;          /* 1 token, 0 none, -1 refused */
        const char *tok; /* rc 1: the token; rc -1: NULL */
        na_code code;    /* rc -1 */
    } t[] = {
        {N "=abc", 1, "abc", 0},
        /* spacing: spaces and tabs around names and values are trimmed */
        {"  " N "  =  abc  ", 1, "abc", 0},
        {"\t" N "\t=\tabc\t", 1, "abc", 0},
        {"a=1; " N "=abc; b=2", 1, "abc", 0},
        {"a=1;" N "=abc;b=2", 1, "abc", 0},
        {"a=1 ;  " N "=abc ;", 1, "abc", 0},
        {N "=a b", 1, "a b", 0},
        {N "=abc=def", 1, "abc=def", 0},
        {";;;" N "=abc;;;", 1, "abc", 0},
        /* pairs without '=' are skipped */
        {"foo; " N "=abc", 1, "abc", 0},
        {N "; " N "=abc", 1, "abc", 0},
        {N, 0, "", 0},
        /* the first occurrence of a name wins */
        {N "=first; " N "=second", 1, "first", 0},
        {N "=; " N "=second", 0, "", 0},
        {N ".0=a; " N ".0=b; " N ".1=c", 1, "ac", 0},
        /* quotes: a value starting and ending with '"' loses both */
        {N "=\"abc\"", 1, "abc", 0},
        {N "= \"abc\" ", 1, "abc", 0},
        {N "=\"abc", 1, "\"abc", 0},
        {N "=abc\"", 1, "abc\"", 0},
        {N "=\"a\"b\"", 1, "a\"b", 0},
        {N "=\"\"", 0, "", 0},
        {N "=\"", 0, "", 0},
        {N "=\"a%20b\"", 1, "a b", 0},
        /* decodeURIComponent; a value that fails to decode is kept raw */
        {N "=a%20b", 1, "a b", 0},
        {N "=%41%42", 1, "AB", 0},
        {N "=%c3%A9", 1, "\xc3\xa9", 0},
        {N "=a+b", 1, "a+b", 0},
        {N "=a%zzb", 1, "a%zzb", 0},
        {N "=a%", 1, "a%", 0},
        {N "=a%4", 1, "a%4", 0},
        {N "=%E9", 1, "%E9", 0},
        {N "=%ED%A0%80", 1, "%ED%A0%80", 0},
        {N ".0=%41; " N ".1=%zz", 1, "A%zz", 0},
        /* names are matched exactly, never decoded or case-folded */
        {"next-auth%2Esession-token=abc", 0, "", 0},
        {"Next-Auth.Session-Token=abc", 0, "", 0},
        {N "X=abc", 0, "", 0},
        {"x" N "=abc", 0, "", 0},
        /* chunks: numeric order whatever the header order, gaps allowed */
        {N ".0=abc; " N ".1=def", 1, "abcdef", 0},
        {N ".1=def; " N ".0=abc", 1, "abcdef", 0},
        {N ".2=ghi; " N ".0=abc; " N ".1=def", 1, "abcdefghi", 0},
        {N ".0=abc; " N ".2=ghi", 1, "abcghi", 0},
        {N ".3=d", 1, "d", 0},
        {N ".10=k; " N ".9=j; " N ".2=c", 1, "cjk", 0},
        {N ".15=p; " N ".0=a", 1, "ap", 0},
        {" " N ".1 = b ; " N ".0 = a ", 1, "ab", 0},
        /* unrelated names that share the prefix are ignored */
        {N ".0=abc; " N ".01=zzz", 1, "abc", 0},
        {N "-legacy=zzz; " N ".0=abc", 1, "abc", 0},
        {N ".x=zzz; " N ".0=abc", 1, "abc", 0},
        {N ".=zzz; " N ".0=abc", 1, "abc", 0},
        {N ".1a=zzz; " N ".-1=z; " N ".+1=z; " N ". 1=z; " N ".0=abc", 1, "abc", 0},
        {N ".bak=zzz; " N "=abc", 1, "abc", 0},
        {N "..0=zzz; " N "=abc", 1, "abc", 0},
        /* too many chunks */
        {N ".16=x; " N ".0=abc", -1, NULL, NA_E_TOO_BIG},
        {N ".0=abc; " N ".100=x", -1, NULL, NA_E_TOO_BIG},
        {N ".99999999999999999999999=x", -1, NULL, NA_E_TOO_BIG},
        /* plain and chunks: both with values refused; an empty one is ignored */
        {N "=abc; " N ".0=def", -1, NULL, NA_E_MALFORMED},
        {N ".0=def; " N "=abc", -1, NULL, NA_E_MALFORMED},
        {N "=; " N ".0=abc; " N ".1=def", 1, "abcdef", 0},
        {N "=abc; " N ".0=", 1, "abc", 0},
        /* ... and "empty" is the value after unquoting: cookie 0.7.2 gives "" for
         * a quoted empty value, which next-auth concatenates to nothing. */
        {N "=\"\"; " N ".0=abc", 1, "abc", 0},
        {N "=abc; " N ".0=\"\"", 1, "abc", 0},
        /* empty values and no session at all */
        {N "=", 0, "", 0},
        {N "=   ", 0, "", 0},
        {N ".0=; " N ".1=", 0, "", 0},
        {"a=1; b=2", 0, "", 0},
        {"", 0, "", 0},
        {";", 0, "", 0},
        {"=abc", 0, "", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        result r = session(t[i].hdr, strlen(t[i].hdr), N, sizeof tok);
        int ok = unit_eq_int(r.rc, t[i].rc, __FILE__, __LINE__, "session rc");
        if (t[i].rc >= 0)
            ok &= unit_eq_mem(tok, r.len, t[i].tok, strlen(t[i].tok), __FILE__, __LINE__,
                              "session token");
        else
            ok &= unit_eq_int(r.code, t[i].code, __FILE__, __LINE__, "session error code");
        if (!ok)
            printf("    case %zu: Cookie: %s\n", i, t[i].hdr);
    }
}

static void test_seen(void)
{
    const char *h = N ".2=c; x=1; " N "=; " N ".0=a; " N ".2=dup; " N ".7=";
    result r = session(h, strlen(h), N, sizeof tok);
    CHECK_EQ_INT(r.rc, 1);
    CHECK_EQ_MEM(tok, r.len, "ac", 2);
    CHECK_EQ_INT(r.seen.n, 4); /* each name once, in request order */
    CHECK_EQ_INT(r.seen.names[0], 2);
    CHECK_EQ_INT(r.seen.names[1], -1);
    CHECK_EQ_INT(r.seen.names[2], 0);
    CHECK_EQ_INT(r.seen.names[3], 7);

    r = session("a=1", 3, N, sizeof tok);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_EQ_INT(r.seen.n, 0);

    /* All seventeen names at once fit the record. */
    char all[1024];
    size_t n = (size_t)sprintf(all, N "=");
    for (int i = NA_MAX_CHUNKS - 1; i >= 0; i--)
        n += (size_t)sprintf(all + n, "; " N ".%d=%c", i, 'a' + i);
    r = session(all, n, N, sizeof tok);
    CHECK_EQ_INT(r.rc, 1);
    CHECK_EQ_MEM(tok, r.len, "abcdefghijklmnop", 16);
    CHECK_EQ_INT(r.seen.n, NA_MAX_CHUNKS + 1);
    CHECK_EQ_INT(r.seen.names[0], -1);
    CHECK_EQ_INT(r.seen.names[1], 15);
    CHECK_EQ_INT(r.seen.names[16], 0);

    /* seen may be NULL. */
    size_t len = 0;
    CHECK_EQ_INT(na_cookie_session(unit_guarded(N "=x", strlen(N) + 2), strlen(N) + 2, N, tok,
                                   sizeof tok, &len, NULL, NULL),
                 1);
    CHECK_EQ_INT(len, 1);
}

static void test_other_names(void)
{
    /* The v5 and secure names, and a custom one, work the same way. */
    static const char *const names[] = {"authjs.session-token", "__Secure-authjs.session-token",
                                        "__Secure-next-auth.session-token", "sid"};
    for (size_t i = 0; i < 4; i++) {
        char h[256];
        int n = snprintf(h, sizeof h, "%s.1=b; " N "=zzz; %s.0=a", names[i], names[i]);
        result r = session(h, (size_t)n, names[i], sizeof tok);
        CHECK_EQ_INT(r.rc, 1);
        CHECK_EQ_MEM(tok, r.len, "ab", 2);
    }
    /* The secure name is not the plain one (docs/behaviour.md, Cookie names). */
    result r = session(N "=abc", strlen(N "=abc"), "__Secure-" N, sizeof tok);
    CHECK_EQ_INT(r.rc, 0);
}

static void test_caps(void)
{
    static char h[NA_COOKIE_HEADER_MAX + 64];
    /* A header of exactly 64 KiB is read; one byte more is refused. */
    size_t n = (size_t)sprintf(h, N "=abc; pad=");
    memset(h + n, 'p', NA_COOKIE_HEADER_MAX - n);
    result r = session(h, NA_COOKIE_HEADER_MAX, N, sizeof tok);
    CHECK_EQ_INT(r.rc, 1);
    CHECK_EQ_MEM(tok, r.len, "abc", 3);
    h[NA_COOKIE_HEADER_MAX] = 'p';
    r = session(h, NA_COOKIE_HEADER_MAX + 1, N, sizeof tok);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_EQ_INT(r.code, NA_E_TOO_BIG);

    /* A value of 4096 bytes is read; 4097 is refused (plain and chunk). */
    n = (size_t)sprintf(h, N "=");
    memset(h + n, 'v', NA_CHUNK_MAX);
    r = session(h, n + NA_CHUNK_MAX, N, sizeof tok);
    CHECK_EQ_INT(r.rc, 1);
    CHECK_EQ_INT(r.len, NA_CHUNK_MAX);
    memset(h + n, 'v', NA_CHUNK_MAX + 1);
    r = session(h, n + NA_CHUNK_MAX + 1, N, sizeof tok);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_EQ_INT(r.code, NA_E_TOO_BIG);
    n = (size_t)sprintf(h, N ".3=");
    memset(h + n, 'v', NA_CHUNK_MAX + 1);
    r = session(h, n + NA_CHUNK_MAX + 1, N, sizeof tok);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_EQ_INT(r.code, NA_E_TOO_BIG);
    /* Unrelated cookies may be larger. */
    n = (size_t)sprintf(h, "big=");
    memset(h + n, 'v', 8000);
    n += 8000;
    n += (size_t)sprintf(h + n, "; " N "=abc");
    r = session(h, n, N, sizeof tok);
    CHECK_EQ_INT(r.rc, 1);

    /* Sixteen full chunks: the largest token there is. */
    n = 0;
    for (int i = 0; i < NA_MAX_CHUNKS; i++) {
        n += (size_t)sprintf(h + n, "%s" N ".%d=", i ? ";" : "", i);
        memset(h + n, 'A' + i, NA_CHUNK_MAX - 30);
        n += NA_CHUNK_MAX - 30;
    }
    r = session(h, n, N, sizeof tok);
    CHECK_EQ_INT(r.rc, 1);
    CHECK_EQ_INT(r.len, NA_MAX_CHUNKS * (NA_CHUNK_MAX - 30));
    CHECK(tok[0] == 'A' && tok[r.len - 1] == 'A' + NA_MAX_CHUNKS - 1);

    /* The caller's buffer is a cap too. */
    r = session(N "=abcdef", strlen(N "=abcdef"), N, 5);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_EQ_INT(r.code, NA_E_TOO_BIG);
    r = session(N "=abcdef", strlen(N "=abcdef"), N, 6);
    CHECK_EQ_INT(r.rc, 1);
    r = session(N "=%41%42", strlen(N "=%41%42"), N, 2);
    CHECK_EQ_INT(r.rc, 1);
    CHECK_EQ_MEM(tok, r.len, "AB", 2);
}

static int bearer(const char *h, size_t cap, size_t *len, na_code *code)
{
    na_err err;
    na_err_clear(&err);
    int rc = na_cookie_bearer(unit_guarded(h, strlen(h)), strlen(h), tok, cap, len, &err);
    *code = err.code;
    return rc;
}

static void test_bearer(void)
{
    static const struct {
        const char *h;
        int rc;
        const char *tok; /* rc 1 */
    } t[] = {
        {"Bearer abc", 1, "abc"},
        {"Bearer a.b.c", 1, "a.b.c"},
        {"Bearer abc def", 1, "abc"},
        {"Bearer abc ", 1, "abc"},
        {"Bearer a%20b", 1, "a b"},
        {"Bearer a%2Eb", 1, "a.b"},
        {"Bearer a+b", 1, "a+b"},
        {"Bearer abc\t", 1, "abc\t"}, /* split(" ") splits on spaces only */
        {"Bearer %00", 1, ""},       /* one NUL byte, checked by length below */
        {"bearer abc", 0, NULL},
        {"BEARER abc", 0, NULL},
        {"Bearer  abc", 0, NULL},
        {"Bearer\tabc", 0, NULL},
        {"Bearerabc", 0, NULL},
        {"Basic YWJj", 0, NULL},
        {" Bearer abc", 0, NULL},
        {"Bearer", 0, NULL},
        {"Bearer ", 0, NULL},
        {"", 0, NULL},
        {"Bearer a%zz", -1, NULL},
        {"Bearer a%2", -1, NULL},
        {"Bearer %", -1, NULL},
        {"Bearer %E9", -1, NULL},
        {"Bearer %C0%AF", -1, NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t len = 99;
        na_code code;
        int rc = bearer(t[i].h, sizeof tok, &len, &code);
        int ok = unit_eq_int(rc, t[i].rc, __FILE__, __LINE__, "bearer rc");
        if (t[i].rc == 1 && t[i].tok[0])
            ok &= unit_eq_mem(tok, len, t[i].tok, strlen(t[i].tok), __FILE__, __LINE__,
                              "bearer token");
        if (t[i].rc == 0)
            ok &= unit_eq_int(len, 0, __FILE__, __LINE__, "bearer length");
        if (t[i].rc == -1)
            ok &= unit_eq_int(code, NA_E_MALFORMED, __FILE__, __LINE__, "bearer code");
        if (!ok)
            printf("    case %zu: Authorization: %s\n", i, t[i].h);
    }
    size_t len;
    na_code code;
    CHECK_EQ_INT(bearer("Bearer %00", sizeof tok, &len, &code), 1);
    CHECK_EQ_INT(len, 1);
    CHECK_EQ_INT(tok[0], 0);

    /* Too long for the cap, or for NA_TOKEN_MAX. */
    CHECK_EQ_INT(bearer("Bearer abcdef", 3, &len, &code), -1);
    static char big[NA_TOKEN_MAX + 16];
    memcpy(big, "Bearer ", 7);
    memset(big + 7, 'A', NA_TOKEN_MAX + 1);
    big[7 + NA_TOKEN_MAX + 1] = '\0';
    CHECK_EQ_INT(bearer(big, sizeof tok, &len, &code), -1);
    CHECK_EQ_INT(code, NA_E_TOO_BIG);
    big[7 + NA_TOKEN_MAX] = '\0';
    CHECK_EQ_INT(bearer(big, sizeof tok, &len, &code), 1);
    CHECK_EQ_INT(len, NA_TOKEN_MAX);
}

/* ---- decodeURIComponent ---- */

/* Independent UTF-8 check (RFC 3629 §3-4): decode the code point, then reject
 * overlongs, surrogates and values above U+10FFFF. */
static int ref_utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], cp, len;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            len = 2, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            len = 3, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            len = 4, cp = c & 0x07;
        else
            return 0;
        if (i + len > n)
            return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        unsigned min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* %XX-encode b (n bytes) and check na_cookie_uri_decode against the reference. */
static int uri_agrees(const unsigned char *b, size_t n)
{
    char enc[32], out[8];
    for (size_t i = 0; i < n; i++)
        sprintf(enc + 3 * i, "%%%02X", b[i]);
    long d = na_cookie_uri_decode(unit_guarded(enc, 3 * n), 3 * n, out, sizeof out);
    int want = ref_utf8_ok(b, n);
    if (want)
        return d == (long)n && memcmp(out, b, n) == 0;
    return d == -1;
}

static void test_uri_decode_utf8_exhaustive(void)
{
    unsigned char b[4];
    long bad = 0, n = 0;
    static const unsigned char edge[] = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
                                         0xff};
    for (unsigned x = 0; x < 65536; x++) { /* every 1- and 2-byte sequence */
        b[0] = (unsigned char)(x >> 8);
        b[1] = (unsigned char)x;
        if (x < 256 && !uri_agrees(b + 1, 1))
            bad++;
        bad += !uri_agrees(b, 2);
        n++;
    }
    for (unsigned a = 0xe0; a <= 0xff; a++) /* 3- and 4-byte leads, all second bytes */
        for (unsigned c = 0; c < 256; c++)
            for (size_t i = 0; i < sizeof edge; i++) {
                b[0] = (unsigned char)a, b[1] = (unsigned char)c, b[2] = edge[i];
                bad += !uri_agrees(b, 3);
                for (size_t j = 0; j < sizeof edge; j++) {
                    b[3] = edge[j];
                    bad += !uri_agrees(b, 4);
                }
            }
    CHECK_EQ_INT(n, 65536);
    CHECK_EQ_INT(bad, 0);
}

static void test_uri_decode_cases(void)
{
    static const struct {
        const char *in;
        long rc;
        const char *out;
    } t[] = {
        {"", 0, ""},
        {"abc", 3, "abc"},
        {"%41", 1, "A"},
        {"%4a%4A", 2, "JJ"},
        {"a%20b", 3, "a b"},
        {"%25", 1, "%"},
        {"%2541", 3, "%41"}, /* decoded once */
        {"+", 1, "+"},
        {"\xc3\xa9", 2, "\xc3\xa9"}, /* raw UTF-8 passes */
        {"%C2%80", 2, "\xc2\x80"},
        {"%E0%A0%80", 3, "\xe0\xa0\x80"},
        {"%ED%9F%BF", 3, "\xed\x9f\xbf"},
        {"%EE%80%80", 3, "\xee\x80\x80"},
        {"%F0%90%80%80", 4, "\xf0\x90\x80\x80"},
        {"%F4%8F%BF%BF", 4, "\xf4\x8f\xbf\xbf"},
        {"%", -1, NULL},
        {"%4", -1, NULL},
        {"a%", -1, NULL},
        {"%%41", -1, NULL},
        {"%g1", -1, NULL},
        {"%4g", -1, NULL},
        {"% 41", -1, NULL},
        {"%C0%AF", -1, NULL},       /* overlong '/' */
        {"%C1%BF", -1, NULL},       /* overlong */
        {"%E0%80%AF", -1, NULL},    /* overlong, 3 bytes */
        {"%F0%8F%BF%BF", -1, NULL}, /* overlong, 4 bytes */
        {"%ED%A0%80", -1, NULL},    /* U+D800 */
        {"%ED%BF%BF", -1, NULL},    /* U+DFFF */
        {"%F4%90%80%80", -1, NULL}, /* U+110000 */
        {"%F5%80%80%80", -1, NULL},
        {"%FF", -1, NULL},
        {"%80", -1, NULL},
        {"%C3", -1, NULL},
        {"%C3A", -1, NULL},
        {"%E2%82", -1, NULL},
        {"\xff", -1, NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[16];
        size_t n = strlen(t[i].in);
        long d = na_cookie_uri_decode(unit_guarded(t[i].in, n), n, out, sizeof out);
        int ok = unit_eq_int(d, t[i].rc, __FILE__, __LINE__, "uri_decode rc");
        if (t[i].rc >= 0)
            ok &= unit_eq_mem(out, (size_t)d, t[i].out, strlen(t[i].out), __FILE__, __LINE__,
                              "uri_decode output");
        if (!ok)
            printf("    case %zu: %s\n", i, t[i].in);
    }
    char out[8];
    CHECK_EQ_INT(na_cookie_uri_decode("%00", 3, out, sizeof out), 1);
    CHECK_EQ_INT(out[0], 0);
    /* Capacity: refused when it does not fit, never written past. */
    memset(out, 'x', sizeof out);
    CHECK_EQ_INT(na_cookie_uri_decode("abcd", 4, out, 3), -1);
    CHECK_EQ_INT(out[3], 'x');
    CHECK_EQ_INT(na_cookie_uri_decode("abc", 3, out, 3), 3);
    CHECK_EQ_INT(na_cookie_uri_decode("%41%42", 6, out, 2), 2);
    CHECK_EQ_INT(na_cookie_uri_decode("%41%42", 6, out, 1), -1);
}

/* A database session's opaque token: the plain name alone when present, else
 * the chunks; the caller's cap. */
static void test_opaque(void)
{
    static const struct {
        const char *hdr;
        int rc;
        const char *tok;
    } t[] = {
        {N "=6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", 1, "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"},
        /* a stale chunk beside a freshly set plain cookie never spoils it */
        {N ".0=old; " N ".1=er; " N "=fresh", 1, "fresh"},
        {N "=fresh; " N ".0=old", 1, "fresh"},
        /* only without the plain name are chunks joined */
        {N ".1=def; " N ".0=abc", 1, "abcdef"},
        /* a present but empty plain name: no session, chunks or not */
        {N "=; " N ".0=abc", 0, ""},
        /* other names sharing the prefix are ignored */
        {N "-old=zzz; " N "=abc", 1, "abc"},
        {N "x=zzz", 0, ""},
        /* decoded as the cookie parser does; quotes dropped */
        {N "=tok%20en%3B%C3%BC%2F%E2%9C%93", 1, "tok en;\xc3\xbc/\xe2\x9c\x93"},
        {N "=\"abc\"", 1, "abc"},
        {N "='; DROP TABLE \"Session\"; --", 1, "'"},
        {"", 0, ""},
    };
    char buf[4096];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = 99;
        na_err e;
        int rc = na_cookie_session_opaque(t[i].hdr, strlen(t[i].hdr), N, buf, sizeof buf, &n,
                                          NULL, &e);
        if (!CHECK_EQ_INT(rc, t[i].rc))
            printf("    %s\n", t[i].hdr);
        CHECK_EQ_MEM(buf, rc == 1 ? n : 0, t[i].tok, strlen(t[i].tok));
    }
    /* the cap: 4096 bytes fit, 4097 do not (no session, the caller logs) */
    static char hdr[8200];
    size_t n;
    na_err e;
    int k = snprintf(hdr, sizeof hdr, N "=");
    memset(hdr + k, 'a', 4096);
    CHECK_EQ_INT(na_cookie_session_opaque(hdr, (size_t)k + 4096, N, buf, 4096, &n, NULL, &e), 1);
    CHECK_EQ_INT(n, 4096);
    k = snprintf(hdr, sizeof hdr, N ".0=");
    memset(hdr + k, 'a', 3000);
    k += 3000;
    k += snprintf(hdr + k, sizeof hdr - (size_t)k, "; " N ".1=");
    memset(hdr + k, 'b', 1097);
    k += 1097;
    CHECK_EQ_INT(na_cookie_session_opaque(hdr, (size_t)k, N, buf, 4096, &n, NULL, &e), -1);
    CHECK_EQ_INT(e.code, NA_E_TOO_BIG);
    /* seen records every session name, for clearing */
    na_cookie_seen seen;
    const char *h = N ".1=b; " N "=a; " N ".0=c";
    CHECK_EQ_INT(na_cookie_session_opaque(h, strlen(h), N, buf, sizeof buf, &n, &seen, &e), 1);
    CHECK_EQ_INT(seen.n, 3);
    CHECK(seen.names[0] == 1 && seen.names[1] == -1 && seen.names[2] == 0);
}

int main(void)
{
    RUN(test_session_table);
    RUN(test_opaque);
    RUN(test_seen);
    RUN(test_other_names);
    RUN(test_caps);
    RUN(test_bearer);
    RUN(test_uri_decode_utf8_exhaustive);
    RUN(test_uri_decode_cases);
    return unit_done();
}
