/* SPDX-License-Identifier: MIT */
/* test_compact.c — lib/compact.c: the compact serialization of JWE (RFC 7516
 * §7.1) and JWS (RFC 7515 §7.1) split into its '.'-separated segments, and the
 * protected header decoded and vetted. Every token sits against a guard page. */
#include "compact.h"

#include "b64url.h"
#include "unit.h"

/* One row: a token split into `want` segments. */
static void test_split_table(void)
{
    static const struct {
        const char *tok;
        size_t want;
        int rc;
        const char *segs[6]; /* rc 0: the segments; rc -1: segs[0] is the message */
    } t[] = {
        {"a.b.c", 3, 0, {"a", "b", "c"}},
        {"hdr.key.iv.ct.tag", 5, 0, {"hdr", "key", "iv", "ct", "tag"}},
        {"eyJ..iv.ct.tag", 5, 0, {"eyJ", "", "iv", "ct", "tag"}}, /* dir: no key */
        {"....", 5, 0, {"", "", "", "", ""}},
        {"..", 3, 0, {"", "", ""}},
        {".b.c", 3, 0, {"", "b", "c"}},
        {"a.b.", 3, 0, {"a", "b", ""}},
        {"abc", 1, 0, {"abc"}},
        {"", 1, 0, {""}},
        {"a.b", 2, 0, {"a", "b"}},
        /* too few */
        {"", 3, -1, {"token has 1 segment(s), expected 3"}},
        {"abc", 3, -1, {"token has 1 segment(s), expected 3"}},
        {"a.b", 3, -1, {"token has 2 segment(s), expected 3"}},
        {"a.b.c.d", 5, -1, {"token has 4 segment(s), expected 5"}},
        {"...", 5, -1, {"token has 4 segment(s), expected 5"}},
        /* too many: refused as soon as one segment more starts */
        {"a.b.c.d", 3, -1, {"token has more than 3 segments"}},
        {"a.b.c.", 3, -1, {"token has more than 3 segments"}},
        {"a.b.c.d.e.f", 5, -1, {"token has more than 5 segments"}},
        {"......", 5, -1, {"token has more than 5 segments"}},
        {"a.b", 1, -1, {"token has more than 1 segments"}},
        {"", 0, -1, {"token has more than 0 segments"}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = strlen(t[i].tok);
        const char *tok = unit_guarded(t[i].tok, n);
        na_seg segs[7];
        for (size_t k = 0; k < 7; k++)
            segs[k] = (na_seg){(const char *)&segs, 12345};
        na_err err;
        na_err_clear(&err);
        int rc = na_compact_split(tok, n, segs, t[i].want, &err);
        int ok = unit_eq_int(rc, t[i].rc, __FILE__, __LINE__, "split rc");
        if (t[i].rc == 0) {
            size_t off = 0;
            for (size_t k = 0; k < t[i].want; k++) {
                size_t sl = strlen(t[i].segs[k]);
                /* a view into the token, not a copy */
                ok &= unit_report(segs[k].p == tok + off, __FILE__, __LINE__,
                                  "segment points into the token");
                ok &= unit_eq_mem(segs[k].p, segs[k].n, t[i].segs[k], sl, __FILE__, __LINE__,
                                  "segment");
                off += sl + 1;
            }
            ok &= unit_eq_int(err.code, NA_OK, __FILE__, __LINE__, "no error");
        } else {
            ok &= unit_eq_int(err.code, NA_E_MALFORMED, __FILE__, __LINE__, "split error code");
            ok &= unit_eq_str(err.msg, t[i].segs[0], __FILE__, __LINE__, "split message");
        }
        /* never a segment written past want */
        ok &= unit_report(segs[t[i].want].n == 12345, __FILE__, __LINE__,
                          "nothing written past want");
        if (!ok)
            printf("    case %zu: \"%s\" into %zu\n", i, t[i].tok, t[i].want);
    }
}

static void test_split_bytes(void)
{
    /* The length is the token: bytes past it are never looked at, NUL is data. */
    na_seg s[3];
    CHECK_EQ_INT(na_compact_split("a.b.c.d.e", 5, s, 3, NULL), 0);
    CHECK_EQ_MEM(s[2].p, s[2].n, "c", 1);
    CHECK_EQ_INT(na_compact_split("a\0.b.c", 6, s, 3, NULL), 0);
    CHECK_EQ_MEM(s[0].p, s[0].n, "a\0", 2);
    CHECK_EQ_INT(na_compact_split("a.b.c", 0, s, 1, NULL), 0);
    CHECK_EQ_INT(s[0].n, 0);

    /* A long token: the segments are as long as they come (caps are the caller's). */
    static char big[100000];
    memset(big, 'A', sizeof big);
    big[10] = '.';
    big[sizeof big - 2] = '.';
    const char *g = unit_guarded(big, sizeof big);
    CHECK_EQ_INT(na_compact_split(g, sizeof big, s, 3, NULL), 0);
    CHECK_EQ_INT(s[0].n, 10);
    CHECK_EQ_INT(s[1].n, sizeof big - 13);
    CHECK_EQ_INT(s[2].n, 1);
    CHECK(s[2].p == g + sizeof big - 1);
}

/* The base64url of a JSON text. */
static const char *b64(const char *json, char *out)
{
    na_b64url_encode((const unsigned char *)json, strlen(json), out);
    return out;
}

static json_t *header(const char *enc, na_err *err)
{
    size_t n = strlen(enc);
    na_err_clear(err);
    return na_compact_header((na_seg){unit_guarded(enc, n), n}, err);
}

static void test_header(void)
{
    static const struct {
        const char *json;    /* the header's JSON, encoded here */
        na_code code;        /* NA_OK: accepted */
        const char *msg;     /* the error message, or the compact dump when accepted */
    } t[] = {
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\"}", NA_OK, "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}"},
        {"{\"alg\":\"HS256\",\"typ\":\"JWT\"}", NA_OK, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"},
        {" { \"alg\" : \"none\" } ", NA_OK, "{\"alg\":\"none\"}"}, /* alg is vetted elsewhere */
        {"{\"alg\":\"\"}", NA_OK, "{\"alg\":\"\"}"},
        {"{\"enc\":\"A256GCM\",\"alg\":\"dir\",\"kid\":\"k\",\"x\":[1,{}]}", NA_OK,
         "{\"enc\":\"A256GCM\",\"alg\":\"dir\",\"kid\":\"k\",\"x\":[1,{}]}"},
        /* alg missing or not a string */
        {"{}", NA_E_MALFORMED, "protected header has no alg"},
        {"{\"enc\":\"A256GCM\"}", NA_E_MALFORMED, "protected header has no alg"},
        {"{\"alg\":null}", NA_E_MALFORMED, "protected header has no alg"},
        {"{\"alg\":256}", NA_E_MALFORMED, "protected header has no alg"},
        {"{\"alg\":[\"dir\"]}", NA_E_MALFORMED, "protected header has no alg"},
        {"{\"ALG\":\"dir\"}", NA_E_MALFORMED, "protected header has no alg"},
        /* zip and crit, whatever their value */
        {"{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"zip\":\"DEF\"}", NA_E_UNSUPPORTED,
         "compressed token (zip) refused"},
        {"{\"alg\":\"dir\",\"zip\":null}", NA_E_UNSUPPORTED, "compressed token (zip) refused"},
        {"{\"zip\":\"DEF\"}", NA_E_UNSUPPORTED, "compressed token (zip) refused"},
        {"{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", NA_E_UNSUPPORTED,
         "unsupported critical header (crit)"},
        {"{\"alg\":\"HS256\",\"crit\":[]}", NA_E_UNSUPPORTED,
         "unsupported critical header (crit)"},
        {"{\"alg\":\"HS256\",\"crit\":false}", NA_E_UNSUPPORTED,
         "unsupported critical header (crit)"},
        /* zip is named before crit, both before alg */
        {"{\"crit\":[],\"zip\":\"DEF\"}", NA_E_UNSUPPORTED, "compressed token (zip) refused"},
        {"{\"crit\":[]}", NA_E_UNSUPPORTED, "unsupported critical header (crit)"},
        /* strict JSON: one object, no duplicates, nothing after it */
        {"[\"alg\",\"dir\"]", NA_E_MALFORMED, NULL},
        {"\"alg\"", NA_E_MALFORMED, NULL},
        {"{\"alg\":\"dir\",\"alg\":\"A256GCM\"}", NA_E_MALFORMED, NULL},
        {"{\"alg\":\"dir\"}x", NA_E_MALFORMED, NULL},
        {"{\"alg\":\"dir\"}{}", NA_E_MALFORMED, NULL},
        {"{\"alg\":\"dir\"", NA_E_MALFORMED, NULL},
        {"{\"alg\":\"d\\u0000r\"}", NA_E_MALFORMED, NULL},
        {"{\"alg\":\"\\ud800\"}", NA_E_MALFORMED, NULL},
        {"{\"alg\":\"\xff\"}", NA_E_MALFORMED, NULL},
        {"{'alg':'dir'}", NA_E_MALFORMED, NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char enc[256];
        na_err err;
        json_t *h = header(b64(t[i].json, enc), &err);
        int ok;
        if (t[i].code == NA_OK) {
            char *dump = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            ok = unit_eq_str(dump, t[i].msg, __FILE__, __LINE__, "header accepted");
            ok &= unit_eq_int(h ? (long long)h->refcount : -1, 1, __FILE__, __LINE__,
                              "a new reference");
            free(dump);
            json_decref(h);
        } else {
            ok = unit_report(h == NULL, __FILE__, __LINE__, "header refused");
            ok &= unit_eq_int(err.code, t[i].code, __FILE__, __LINE__, "header error code");
            if (t[i].msg)
                ok &= unit_eq_str(err.msg, t[i].msg, __FILE__, __LINE__, "header message");
            else
                ok &= unit_report(strncmp(err.msg, "protected header is not valid JSON (", 36) ==
                                      0,
                                  __FILE__, __LINE__, "header message names the part");
            json_decref(h);
        }
        if (!ok)
            printf("    case %zu: %s\n", i, t[i].json);
    }
}

static void test_header_encoding(void)
{
    na_err err;
    /* the real v4 header as next-auth writes it */
    json_t *h = header("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0", &err);
    CHECK_EQ_STR(na_compact_str(h, "alg"), "dir");
    CHECK_EQ_STR(na_compact_str(h, "enc"), "A256GCM");
    json_decref(h);

    /* not strict base64url: padding, the standard alphabet, a 4k+1 length,
     * non-zero unused bits, a space */
    static const char *const bad[] = {
        "eyJhbGciOiJkaXIifQ==",      /* {"alg":"dir"} padded */
        "eyJhbGciOiJkaXIifR",        /* unused bits set */
        "eyJhbGciOiJkaXIif",         /* 17 characters: 4k+1 */
        "eyJhbGciOiJkaXIi+Q",        /* '+' */
        "eyJhbGciOiJkaXIi/Q",        /* '/' */
        "eyJhbGciOiJ kaXIifQ",       /* a space */
        "eyJhbGciOiJkaXIifQ\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = header(bad[i], &err);
        CHECK(h == NULL);
        CHECK_EQ_INT(err.code, NA_E_MALFORMED);
        if (!CHECK_EQ_STR(err.msg, "protected header is not base64url"))
            printf("    case %zu: %s\n", i, bad[i]);
    }
    h = header("eyJhbGciOiJkaXIifQ", &err);
    CHECK_EQ_STR(na_compact_str(h, "alg"), "dir");
    json_decref(h);

    /* the empty segment */
    h = header("", &err);
    CHECK(h == NULL);
    CHECK_EQ_INT(err.code, NA_E_MALFORMED);
    CHECK_EQ_STR(err.msg, "empty protected header");
    /* err may be NULL */
    CHECK(na_compact_header((na_seg){"", 0}, NULL) == NULL);
    CHECK(na_compact_header((na_seg){"e30", 3}, NULL) == NULL); /* {} */
}

/* A header of exactly NA_HEADER_MAX decoded bytes (1366 characters) is read;
 * one byte more (1367) is refused before decoding, whatever it holds. */
static void test_header_size(void)
{
    static char json[NA_HEADER_MAX + 2], enc[NA_B64URL_ENCODED_LEN(NA_HEADER_MAX + 1) + 1];
    static const char head[] = "{\"alg\":\"dir\",\"p\":\"";
    na_err err;
    for (size_t len = NA_HEADER_MAX - 2; len <= NA_HEADER_MAX + 1; len++) {
        memcpy(json, head, sizeof head - 1);
        memset(json + sizeof head - 1, 'x', len - (sizeof head - 1) - 2);
        memcpy(json + len - 2, "\"}", 3);
        CHECK_EQ_INT(strlen(json), len);
        size_t n = na_b64url_encode((const unsigned char *)json, len, enc);
        json_t *h = header(enc, &err);
        if (len <= NA_HEADER_MAX) {
            const char *p = na_compact_str(h, "p");
            CHECK(p != NULL);
            CHECK_EQ_INT(p ? strlen(p) : 0, len - (sizeof head - 1) - 2);
        } else {
            CHECK_EQ_INT(n, 1367);
            CHECK(h == NULL);
            CHECK_EQ_INT(err.code, NA_E_TOO_BIG);
            CHECK_EQ_STR(err.msg, "protected header longer than 1024 bytes");
        }
        json_decref(h);
    }
    CHECK_EQ_INT(NA_B64URL_ENCODED_LEN(NA_HEADER_MAX), 1366);

    /* The size is judged on the characters: 1367 of them are refused even when
     * they are not base64url at all. */
    memset(enc, '!', 1367);
    enc[1367] = '\0';
    json_t *h = header(enc, &err);
    CHECK(h == NULL);
    CHECK_EQ_INT(err.code, NA_E_TOO_BIG);
    enc[1366] = '\0';
    h = header(enc, &err);
    CHECK_EQ_INT(err.code, NA_E_MALFORMED);

    /* nesting past NA_JSON_MAX_DEPTH inside the size cap */
    char deep[512] = "{\"alg\":\"dir\",\"x\":";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    char denc[700];
    h = header(b64(deep, denc), &err);
    CHECK(h == NULL);
    CHECK_EQ_INT(err.code, NA_E_TOO_BIG);
    CHECK_EQ_STR(err.msg, "protected header: JSON nested deeper than 32 levels");
}

static void test_str(void)
{
    json_t *o = json_loads("{\"alg\":\"dir\",\"empty\":\"\",\"n\":1,\"z\":null,\"o\":{\"alg\":\"x\"},"
                           "\"a\":[\"dir\"],\"t\":true,\"u\":\"caf\\u00e9\"}",
                           0, NULL);
    CHECK(o != NULL);
    CHECK_EQ_STR(na_compact_str(o, "alg"), "dir");
    CHECK_EQ_STR(na_compact_str(o, "empty"), "");
    CHECK_EQ_STR(na_compact_str(o, "u"), "caf\xc3\xa9");
    CHECK_EQ_STR(na_compact_str(o, "n"), NULL);
    CHECK_EQ_STR(na_compact_str(o, "z"), NULL);
    CHECK_EQ_STR(na_compact_str(o, "o"), NULL);
    CHECK_EQ_STR(na_compact_str(o, "a"), NULL);
    CHECK_EQ_STR(na_compact_str(o, "t"), NULL);
    CHECK_EQ_STR(na_compact_str(o, "missing"), NULL);
    CHECK_EQ_STR(na_compact_str(o, "ALG"), NULL);
    CHECK_EQ_STR(na_compact_str(NULL, "alg"), NULL);
    json_t *a = json_loads("[\"alg\"]", 0, NULL);
    CHECK_EQ_STR(na_compact_str(a, "alg"), NULL); /* not an object */
    json_decref(a);
    json_decref(o);
}

int main(void)
{
    RUN(test_split_table);
    RUN(test_split_bytes);
    RUN(test_header);
    RUN(test_header_encoding);
    RUN(test_header_size);
    RUN(test_str);
    return unit_done();
}
