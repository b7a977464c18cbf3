/* test_text.c — the shared byte classes (lib/text.h) and the growable buffer
 * (lib/buf.c): every byte against a second, plainly written definition; UTF-8
 * against the decoding oracle over all one- and two-byte inputs and every
 * lead byte with every second byte; the buffer's growth, NUL room and limit. */
#include "buf.c"
#include "text.h"

#include <string.h>

#include "unit.h"
#include "utf8_oracle.h"

static void test_hexval(void)
{
    for (unsigned c = 0; c < 256; c++) {
        int want = -1;
        if (c >= '0' && c <= '9')
            want = (int)(c - '0');
        else if (c >= 'a' && c <= 'f')
            want = (int)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            want = (int)(c - 'A' + 10);
        CHECK_EQ_INT(na_text_hexval(c), want);
    }
    for (unsigned v = 0; v < 16; v++)
        CHECK_EQ_INT(na_text_hexdigit(v), "0123456789ABCDEF"[v]);
    CHECK_EQ_INT(na_text_hexdigit(0x1f), 'F'); /* low four bits only */
}

static void test_tchar(void)
{
    /* RFC 9110 §5.6.2, written out */
    const char *tchars = "!#$%&'*+-.^_`|~0123456789"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    int n = 0;
    for (unsigned c = 0; c < 256; c++) {
        int want = c != 0 && strchr(tchars, (int)c) != NULL;
        CHECK_EQ_INT(na_text_is_tchar(c), want);
        n += want;
    }
    CHECK_EQ_INT(n, 77);
}

static void test_utf8(void)
{
    unsigned char s[4];
    /* every single byte */
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        size_t k = na_text_utf8_seq(s, 1);
        CHECK_EQ_INT(k, oracle_utf8(s, 1) ? 1 : 0);
    }
    /* every pair; as a whole sequence or a lone ASCII byte and the rest */
    long agree = 0, total = 0;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            s[0] = (unsigned char)a;
            s[1] = (unsigned char)b;
            size_t k = na_text_utf8_seq(s, 2);
            int want = a < 0x80 ? 1 : (oracle_utf8(s, 2) ? 2 : 0);
            total++;
            agree += (long)k == want;
        }
    CHECK_EQ_INT(agree, total);
    /* three- and four-byte forms: every lead and second byte, good and bad tails */
    agree = total = 0;
    for (unsigned a = 0xe0; a < 0x100; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned t = 0; t < 4; t++) {
                static const unsigned char tails[] = {0x80, 0xbf, 0x7f, 0xc0};
                s[0] = (unsigned char)a;
                s[1] = (unsigned char)b;
                s[2] = s[3] = tails[t];
                size_t len = a >= 0xf0 ? 4 : 3;
                size_t k = na_text_utf8_seq(s, len);
                int want = oracle_utf8(s, len) ? (int)len : 0;
                total++;
                agree += (long)k == want;
            }
    CHECK_EQ_INT(agree, total);
    /* a sequence cut short by the end of the input */
    const unsigned char euro[] = {0xe2, 0x82, 0xac};
    CHECK_EQ_INT(na_text_utf8_seq(euro, 3), 3);
    CHECK_EQ_INT(na_text_utf8_seq(euro, 2), 0);
    CHECK_EQ_INT(na_text_utf8_seq(euro, 1), 0);
}

static void test_buf(void)
{
    na_buf b = {0};
    CHECK_EQ_INT(na_buf_append(&b, "", 0), 0); /* allocates: p[len] is writable */
    CHECK(b.p != NULL);
    CHECK_EQ_INT(b.len, 0);
    CHECK_EQ_INT(b.cap, BUF_FIRST);
    char chunk[700];
    memset(chunk, 'x', sizeof chunk);
    size_t want = 0;
    for (int i = 0; i < 10; i++) {
        CHECK_EQ_INT(na_buf_append(&b, chunk, sizeof chunk), 0);
        want += sizeof chunk;
        CHECK_EQ_INT(b.len, want);
        CHECK(b.cap > b.len); /* room for a NUL */
    }
    CHECK_EQ_INT(b.cap, 8192);
    /* exactly filling to cap - 1 keeps the buffer; one more byte doubles it */
    size_t room = b.cap - b.len - 1;
    char *big = malloc(room + 1);
    memset(big, 'y', room + 1);
    CHECK_EQ_INT(na_buf_append(&b, big, room), 0);
    CHECK_EQ_INT(b.cap, 8192);
    CHECK_EQ_INT(na_buf_append(&b, big, 1), 0);
    CHECK_EQ_INT(b.cap, 16384);
    CHECK(b.p[0] == 'x' && b.p[want] == 'y' && b.p[b.len - 1] == 'y');
    free(big);
    /* past the limit: refused, buffer unchanged */
    size_t len = b.len, cap = b.cap;
    char *p = b.p;
    CHECK_EQ_INT(na_buf_append(&b, chunk, BUF_LIMIT), -1);
    CHECK_EQ_INT(na_buf_append(&b, chunk, (size_t)-1), -1);
    CHECK(b.len == len && b.cap == cap && b.p == p);
    na_buf_free(&b);
    CHECK(b.p == NULL && b.len == 0 && b.cap == 0);
    na_buf_free(&b); /* twice is fine */
}

int main(void)
{
    RUN(test_hexval);
    RUN(test_tchar);
    RUN(test_utf8);
    RUN(test_buf);
    return unit_done();
}
