/* test_path.c — request paths and URLs for the guard (lib/path.c, lib/url.c; SPEC A4, B7.1,
 * B11.1; RFC 3986 §2.3, §5.2.4, §5.4): path normalization (tables, every escaped
 * and raw byte, every malformed escape, a reference implementation over random
 * paths), the form-urlencoding of callbackUrl (every byte), and na_url_parse.
 * Every input sits against a guard page, and so does every output buffer, so an
 * over-read or an over-write crashes at once. */
#include "path.c"
#include "url.h"

#include <ctype.h>

#include "unit.h"
#include "utf8_oracle.h"

/* --- an output region flush against its own PROT_NONE page ------------------ */

#define OUT_BYTES (64 * 1024)
static unsigned char *out_base;

/* n writable bytes that end where a PROT_NONE page begins. */
static char *guarded_out(size_t n)
{
    static size_t len, page;
    if (out_base == NULL) {
        long pg = sysconf(_SC_PAGESIZE);
        page = pg > 0 ? (size_t)pg : 4096;
        len = (OUT_BYTES + page - 1) / page * page;
        void *m = mmap(NULL, len + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (m == MAP_FAILED || mprotect((unsigned char *)m + len, page, PROT_NONE) != 0) {
            perror("test_path: guard page");
            exit(2);
        }
        out_base = m;
    }
    if (n > len) {
        fprintf(stderr, "test_path: %zu bytes do not fit the output region\n", n);
        exit(2);
    }
    memset(out_base + len - n, 0x5a, n);
    return (char *)(out_base + len - n);
}

/* Normalize s (its bytes only, no NUL) into a guarded buffer; NULL when refused. */
static const char *norm_n(const char *s, size_t n, long *len)
{
    char *out = guarded_out(NA_PATH_MAX + 1);
    long r = na_path_normalize(unit_guarded(s, n), n, out);
    if (len)
        *len = r;
    if (r < 0)
        return NULL;
    if ((size_t)r > NA_PATH_MAX || out[r] != '\0' || strlen(out) != (size_t)r)
        return "<bad length or terminator>";
    return out;
}

static const char *norm(const char *s)
{
    return norm_n(s, strlen(s), NULL);
}

/* --- normalization tables ------------------------------------------------------ */

static void test_normalize_table(void)
{
    static const struct {
        const char *in, *out; /* out NULL: refused */
    } t[] = {
        /* RFC 3986 §5.4.1 normal examples, base http://a/b/c/d;p?q, each reference
         * merged with the base path ("/b/c/" + ref) before dot-segment removal */
        {"/b/c/g", "/b/c/g"},
        {"/b/c/./g", "/b/c/g"},
        {"/b/c/g/", "/b/c/g/"},
        {"/g", "/g"},
        {"/b/c/d;p", "/b/c/d;p"},
        {"/b/c/g;x", "/b/c/g;x"},
        {"/b/c/", "/b/c/"},
        {"/b/c/.", "/b/c/"},
        {"/b/c/./", "/b/c/"},
        {"/b/c/..", "/b/"},
        {"/b/c/../", "/b/"},
        {"/b/c/../g", "/b/g"},
        {"/b/c/../..", "/"},
        {"/b/c/../../", "/"},
        {"/b/c/../../g", "/g"},
        /* §5.4.2 abnormal examples: RFC resolution clamps ".." at the root
         * ("../../../g" → "/g"); the guard refuses instead */
        {"/b/c/../../../g", NULL},
        {"/b/c/../../../../g", NULL},
        {"/./g", "/g"},
        {"/../g", NULL},
        {"/b/c/g.", "/b/c/g."},
        {"/b/c/.g", "/b/c/.g"},
        {"/b/c/g..", "/b/c/g.."},
        {"/b/c/..g", "/b/c/..g"},
        {"/b/c/./../g", "/b/g"},
        {"/b/c/./g/.", "/b/c/g/"},
        {"/b/c/g/./h", "/b/c/g/h"},
        {"/b/c/g/../h", "/b/c/h"},
        {"/b/c/g;x=1/./y", "/b/c/g;x=1/y"},
        {"/b/c/g;x=1/../y", "/b/c/y"},
        /* §5.2.4 worked examples */
        {"/a/b/c/./../../g", "/a/g"},
        {"/mid/content=5/../6", "/mid/6"},
        /* root, slashes, trailing slash */
        {"/", "/"},
        {"//", "/"},
        {"///", "/"},
        {"/.", "/"},
        {"/./", "/"},
        {"/./.", "/"},
        {"/a", "/a"},
        {"/a/", "/a/"},
        {"/a//", "/a/"},
        {"//a", "/a"},
        {"//a//b//", "/a/b/"},
        {"/a/.", "/a/"},
        {"/a/..", "/"},
        {"/a/../", "/"},
        {"/a/./..", "/"},
        {"/a/b/..", "/a/"},
        {"/a/b/../..", "/"},
        {"/a/.../b", "/a/.../b"},
        {"/a/..../b", "/a/..../b"},
        {"/a/.b./c", "/a/.b./c"},
        {"/a;x", "/a;x"},
        {"/a/..;/b", "/a/..;/b"},
        {"/public/../admin", "/admin"},
        {"/public/./../admin/", "/admin/"},
        /* above the root */
        {"/..", NULL},
        {"/../", NULL},
        {"/a/../..", NULL},
        {"/a/../../b", NULL},
        {"//..", NULL},
        {"/%2e%2e", NULL},
        {"/%2e%2e/admin", NULL},
        {"/.%2e/admin", NULL},
        {"/x/%2e%2e/%2e%2e/admin", NULL},
        /* every escape is decoded but %25 %23 %3F: the bytes a server looks up */
        {"/%41%5a%61%7a%30%39%2d%2e%5f%7e", "/AZaz09-._~"},
        {"/%61dmin", "/admin"},
        {"/adm%69n/x", "/admin/x"},
        {"/%2e", "/"},
        {"/%2E/admin", "/admin"},
        {"/public/%2e%2e/admin", "/admin"},
        {"/public/%2E%2E/admin", "/admin"},
        {"/public/.%2e/admin", "/admin"},
        {"/admin/%2e", "/admin/"},
        {"/%2e%2e%2e", "/..."},
        {"/%3a%3A%40%25%20", "/::@%25 "},
        {"/%40admin/s.txt", "/@admin/s.txt"},
        {"/caf%c3%a9", "/caf\xc3\xa9"},
        {"/caf%C3%A9/x", "/caf\xc3\xa9/x"},
        {"/%3B/a%3bb", "/;/a;b"},
        {"/%e2%82%ac%F0%9F%98%80", "/\xe2\x82\xac\xf0\x9f\x98\x80"},
        /* '%', '#' and '?' stay escaped (upper-case hex): decoded they would end
         * the path or start an escape */
        {"/%25", "/%25"},
        {"/%252e%252e", "/%252e%252e"},
        {"/%2541", "/%2541"},
        {"/a%3fb", "/a%3Fb"},
        {"/a%23b", "/a%23b"},
        {"/a%23/../b", "/b"},
        /* raw bytes that are not controls stay */
        {"/caf\xc3\xa9", "/caf\xc3\xa9"},
        {"/a b", "/a b"},
        {"/~user", "/~user"},
        {"/a;x=1", "/a;x=1"},
        /* a raw '#': lighttpd and nginx serve the part before it, so the guard
         * cannot say which path is served; a raw '?' never reaches here */
        {"/a#b", NULL},
        {"/a#", NULL},
        {"/#", NULL},
        {"/dashboard/secret.txt#x", NULL},
        {"/docs/page.txt#/../../api/auth/x", NULL},
        {"/a?b", NULL},
        /* escaped controls, and bytes that are not UTF-8 once decoded */
        {"/x%0d%0a", NULL},
        {"/x%09", NULL},
        {"/x%7f", NULL},
        {"/x%1F", NULL},
        {"/%C0%AE%C0%AE/admin", NULL},
        {"/%c0%af", NULL},
        {"/%E0%80%AE", NULL},
        {"/%F0%80%80%AE", NULL},
        {"/%ED%A0%80", NULL},
        {"/%F4%90%80%80", NULL},
        {"/%F5%80%80%80", NULL},
        {"/%C3", NULL},
        {"/%C3/", NULL},
        {"/%C3%28", NULL},
        {"/caf\xc3", NULL},
        {"/\xff", NULL},
        {"/\xc3\xa9%A9", NULL},
        {"/%80", NULL},
        /* refused: encoded '/', '\\', NUL; raw '\\' and controls; bad escapes;
         * no leading '/'; empty */
        {"/admin%2Fx", NULL},
        {"/admin%2fx", NULL},
        {"/%2F", NULL},
        {"/a%5Cb", NULL},
        {"/a%5cb", NULL},
        {"/a%00", NULL},
        {"/a%00b", NULL},
        {"/a\\b", NULL},
        {"\\a", NULL},
        {"/a\tb", NULL},
        {"/a\rb", NULL},
        {"/a\nb", NULL},
        {"/a\x7f", NULL},
        {"/a\x01", NULL},
        {"/%", NULL},
        {"/%4", NULL},
        {"/%zz", NULL},
        {"/%4g", NULL},
        {"/%g4", NULL},
        {"/%%41", NULL},
        {"/a%", NULL},
        {"/a%2", NULL},
        {"/% 41", NULL},
        {"/%+4", NULL},
        {"/%-4", NULL},
        {"a", NULL},
        {"a/b", NULL},
        {".", NULL},
        {"*", NULL},
        {"%2F", NULL},
        {"http://evil/", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *got = norm(t[i].in);
        if (!CHECK_EQ_STR(got, t[i].out))
            printf("    input \"%s\"\n", t[i].in);
    }
}

/* The embedded NUL case: "/a\0b" as three bytes is refused (a control byte). */
static void test_normalize_nul(void)
{
    CHECK(norm_n("/a\0b", 4, NULL) == NULL);
    CHECK(norm_n("/\0", 2, NULL) == NULL);
    CHECK(norm_n("\0", 1, NULL) == NULL);
    long len = 99;
    CHECK(norm_n("/", 0, &len) == NULL && len == -1);
}

/* Every byte as %hh (lower and upper hex) and as itself. */
static void test_normalize_every_byte(void)
{
    static const char hx[] = "0123456789abcdef", HX[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; b++) {
        for (int up = 0; up < 2; up++) {
            const char *h = up ? HX : hx;
            char in[16], want[16];
            snprintf(in, sizeof in, "/x%%%c%cy", h[b >> 4], h[b & 15]);
            const char *got = norm(in);
            if (b < 0x20 || b == 0x7f || b == '/' || b == '\\' || b >= 0x80) {
                if (!CHECK(got == NULL))
                    printf("    byte 0x%02x (%s) should be refused\n", b, in);
            } else if (b == '%' || b == '#' || b == '?') {
                snprintf(want, sizeof want, "/x%%%c%cy", HX[b >> 4], HX[b & 15]);
                if (!CHECK_EQ_STR(got, want))
                    printf("    byte 0x%02x (%s)\n", b, in);
            } else {
                snprintf(want, sizeof want, "/x%cy", b);
                if (!CHECK_EQ_STR(got, want))
                    printf("    byte 0x%02x (%s)\n", b, in);
            }
        }
        /* raw */
        char in[4] = {'/', 'x', (char)b, 'y'};
        const char *got = norm_n(in, 4, NULL);
        if (b < 0x20 || b == 0x7f || b == '\\' || b == '%' || b == '#' || b == '?' || b >= 0x80) {
            if (!CHECK(got == NULL))
                printf("    raw byte 0x%02x should be refused\n", b);
        } else {
            char want[5] = {'/', 'x', (char)b, 'y', 0};
            if (!CHECK_EQ_STR(got, want))
                printf("    raw byte 0x%02x\n", b);
        }
    }
}

/* Every two bytes after '%' that are not two hex digits: refused (also at the end). */
static void test_normalize_bad_escapes(void)
{
    int bad = 0;
    long n = 0;
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            if (na_text_hexval((unsigned char)a) >= 0 && na_text_hexval((unsigned char)b) >= 0)
                continue;
            char in[6] = {'/', '%', (char)a, (char)b, 'z', 'z'};
            n++;
            if (norm_n(in, 6, NULL) != NULL || norm_n(in, 4, NULL) != NULL) {
                if (bad++ < 5)
                    printf("    escape %%%02x%02x accepted\n", a, b);
            }
        }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(n, 65536 - 22 * 22);
    /* a truncated escape at the very end of the input, whatever precedes it */
    for (int a = 0; a < 256; a++) {
        char in[3] = {'/', '%', (char)a};
        CHECK(norm_n(in, 3, NULL) == NULL);
    }
}

/* --- a reference implementation over random paths --------------------------- */

/* RFC 3986 §5.2.4 with a stack of segments, refusing ".." above the root; escapes
 * as path.h says. Returns the length or -1. */
static long ref_normalize(const char *p, size_t n, char *out)
{
    static const char HX[] = "0123456789ABCDEF";
    char dec[3 * 4096 + 1];
    size_t d = 0;
    if (n == 0 || n > NA_PATH_MAX || p[0] != '/' || n > 4096)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '#' || c == '?')
            return -1;
        if (c != '%') {
            dec[d++] = (char)c;
            continue;
        }
        if (i + 2 >= n || !isxdigit((unsigned char)p[i + 1]) || !isxdigit((unsigned char)p[i + 2]))
            return -1;
        char hx[3] = {p[i + 1], p[i + 2], 0};
        unsigned v = (unsigned)strtoul(hx, NULL, 16);
        if (v < 0x20 || v == 0x7f || v == '/' || v == '\\')
            return -1;
        if (v == '%' || v == '#' || v == '?') {
            dec[d++] = '%';
            dec[d++] = HX[v >> 4];
            dec[d++] = HX[v & 15];
        } else {
            dec[d++] = (char)v;
        }
        i += 2;
    }
    dec[d] = '\0';
    if (!oracle_utf8((const unsigned char *)dec, d))
        return -1;
    /* segments */
    const char *seg[4096];
    size_t segl[4096], ns = 0;
    int trailing = 0;
    size_t i = 0;
    while (i < d) {
        while (i < d && dec[i] == '/')
            i++;
        size_t s = i;
        while (i < d && dec[i] != '/')
            i++;
        size_t l = i - s;
        int last = i >= d;
        trailing = 0;
        if (l == 0) {
            trailing = last;
        } else if (l == 1 && dec[s] == '.') {
            trailing = last;
        } else if (l == 2 && dec[s] == '.' && dec[s + 1] == '.') {
            if (ns == 0)
                return -1;
            ns--;
            trailing = last;
        } else {
            seg[ns] = dec + s;
            segl[ns++] = l;
        }
    }
    size_t o = 0;
    for (size_t k = 0; k < ns; k++) {
        out[o++] = '/';
        memcpy(out + o, seg[k], segl[k]);
        o += segl[k];
    }
    if (trailing || o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return (long)o;
}

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static void test_normalize_random(void)
{
    static const char *const piece[] = {
        "/", "/", "/", "a", "b", "c", ".", "..", "%2e", "%2E", "%2e%2e", "%41", "%3f",
        "%3F", "%7e", "~", "%25", "%2f", "%5C", "%00", "%", "%z", "\\", ";", "=", "\xc3",
        "//", "/./", "/../", "/%2e/", "/%2e%2e/", ".a", "a.", "-", "_", "?", "#", "%c3%a9",
        "\xa9", "%C3", "%A9", "%40", "@", "%C0%AE", "%e0%80%ae", "%23", "%ED%A0%80",
        "\xf0\x9f\x98\x80", "%F0", "%9F", "%20",
    };
    const size_t np = sizeof piece / sizeof piece[0];
    char in[512], want[NA_PATH_MAX + 1];
    int bad = 0, accepted = 0;
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = 0;
        in[n++] = '/';
        unsigned k = rnd(24);
        for (unsigned j = 0; j < k; j++) {
            const char *s = piece[rnd((unsigned)np)];
            size_t l = strlen(s);
            memcpy(in + n, s, l);
            n += l;
        }
        long wl = ref_normalize(in, n, want);
        long gl;
        const char *got = norm_n(in, n, &gl);
        int ok = wl < 0 ? got == NULL && gl == -1
                        : got != NULL && gl == wl && strcmp(got, want) == 0;
        if (ok && got != NULL) {
            accepted++;
            /* idempotent, and the output never carries "//" or a dot segment */
            char again[NA_PATH_MAX + 1];
            snprintf(again, sizeof again, "%s", got);
            const char *twice = norm(again);
            ok = twice != NULL && strcmp(twice, again) == 0 && strstr(again, "//") == NULL &&
                 strstr(again, "/./") == NULL && strstr(again, "/../") == NULL;
        }
        if (!ok && bad++ < 5) {
            unit_print_bytes("input", in, n);
            printf("    want %s\n", wl < 0 ? "refusal" : want);
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(accepted > 10000); /* the generator exercises both outcomes */
}

/* NA_PATH_MAX bytes are normalized, one more is refused. */
static void test_normalize_length(void)
{
    static char big[NA_PATH_MAX + 2];
    long len;
    big[0] = '/';
    memset(big + 1, 'a', NA_PATH_MAX);
    const char *got = norm_n(big, NA_PATH_MAX, &len);
    CHECK(got != NULL);
    CHECK_EQ_INT(len, NA_PATH_MAX);
    CHECK(got != NULL && got[0] == '/' && got[NA_PATH_MAX - 1] == 'a');
    CHECK(norm_n(big, NA_PATH_MAX + 1, &len) == NULL);
    CHECK_EQ_INT(len, -1);
    /* the longest output of every shape fits: "/a/" repeated, "/." runs, escapes */
    for (size_t i = 0; i < NA_PATH_MAX; i++)
        big[i] = i % 2 ? '.' : '/';
    got = norm_n(big, NA_PATH_MAX, &len);
    CHECK_EQ_STR(got, "/");
    for (size_t i = 0; i < NA_PATH_MAX; i++)
        big[i] = "/a/"[i % 3];
    got = norm_n(big, NA_PATH_MAX, &len);
    CHECK(got != NULL && len > 0 && len <= NA_PATH_MAX);
    /* escapes that stay escaped: "/" then "%3f" as often as it fits */
    size_t n = 1;
    big[0] = '/';
    while (n + 3 <= NA_PATH_MAX) {
        memcpy(big + n, "%3f", 3);
        n += 3;
    }
    got = norm_n(big, n, &len);
    CHECK(got != NULL && (size_t)len == n && strncmp(got, "/%3F%3F", 7) == 0 &&
          got[n - 1] == 'F');
    /* deep nesting then back to the root */
    size_t o = 0;
    for (int i = 0; i < 1600; i++) {
        big[o++] = '/';
        big[o++] = 'x';
    }
    for (int i = 0; i < 1600; i++) {
        memcpy(big + o, "/..", 3);
        o += 3;
    }
    got = norm_n(big, o, &len);
    CHECK_EQ_STR(got, "/");
    memcpy(big + o, "/..", 3);
    CHECK(norm_n(big, o + 3, &len) == NULL);
}

/* --- form-urlencoding ------------------------------------------------------------ */

static void test_form_every_byte(void)
{
    static const char HX[] = "0123456789ABCDEF";
    char all_in[256], all_want[3 * 256 + 1];
    size_t wl = 0;
    for (int b = 0; b < 256; b++) {
        char want[4];
        if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
            b == '*' || b == '-' || b == '.' || b == '_')
            snprintf(want, sizeof want, "%c", b);
        else if (b == ' ')
            snprintf(want, sizeof want, "+");
        else
            snprintf(want, sizeof want, "%%%c%c", HX[b >> 4], HX[b & 15]);
        char in = (char)b;
        char *out = guarded_out(3 * 1 + 1);
        size_t n = na_url_form_encode(unit_guarded(&in, 1), 1, out);
        if (!CHECK_EQ_STR(out, want) | !CHECK_EQ_INT(n, strlen(want)))
            printf("    byte 0x%02x\n", b);
        all_in[b] = (char)b;
        memcpy(all_want + wl, want, strlen(want));
        wl += strlen(want);
    }
    all_want[wl] = '\0';
    /* all 256 at once into exactly 3 × 256 + 1 bytes */
    char *out = guarded_out(3 * 256 + 1);
    size_t n = na_url_form_encode(unit_guarded(all_in, 256), 256, out);
    CHECK_EQ_INT(n, wl);
    CHECK_EQ_STR(out, all_want);
    CHECK_EQ_INT(wl, 66 + 1 + 189 * 3); /* 66 literal, space, the rest escaped */
    /* the worst case fills the buffer: 3 × n + 1 */
    char worst[300];
    memset(worst, '/', sizeof worst);
    out = guarded_out(3 * sizeof worst + 1);
    n = na_url_form_encode(unit_guarded(worst, sizeof worst), sizeof worst, out);
    CHECK_EQ_INT(n, 3 * sizeof worst);
    CHECK(out[n] == '\0');
    /* empty */
    out = guarded_out(1);
    CHECK_EQ_INT(na_url_form_encode(unit_guarded("", 0), 0, out), 0);
    CHECK_EQ_STR(out, "");
}

static void test_form_examples(void)
{
    static const struct {
        const char *in, *out;
    } t[] = {
        /* B11.1: callbackUrl = basePath + pathname + search, URLSearchParams-encoded */
        {"/dashboard?a=1&b=2", "%2Fdashboard%3Fa%3D1%26b%3D2"},
        {"/x?y=%20z", "%2Fx%3Fy%3D%2520z"},
        {"/app/dashboard?q=1", "%2Fapp%2Fdashboard%3Fq%3D1"},
        {"/caf%C3%A9", "%2Fcaf%25C3%25A9"},
        {"/ ? = & % ~ !", "%2F+%3F+%3D+%26+%25+%7E+%21"},
        {"AZaz09*-._", "AZaz09*-._"},
        {"a+b", "a%2Bb"},
        {"\r\n", "%0D%0A"},
        {"\xc3\xa9", "%C3%A9"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = strlen(t[i].in);
        char *out = guarded_out(3 * n + 1);
        na_url_form_encode(unit_guarded(t[i].in, n), n, out);
        CHECK_EQ_STR(out, t[i].out);
    }
}

/* --- na_url_parse (B7.1) -------------------------------------------------------- */

static int url(const char *s, na_url *u)
{
    memset(u, 0x5a, sizeof *u);
    return na_url_parse(s ? unit_guarded(s, strlen(s) + 1) : NULL, u);
}

static void test_url_parse(void)
{
    static const struct {
        const char *in, *origin, *path; /* origin NULL: refused */
    } t[] = {
        /* B7.1 */
        {"https://ex.com", "https://ex.com", "/api/auth"},
        {"https://ex.com/", "https://ex.com", "/api/auth"},
        {"https://ex.com/app/api/auth/", "https://ex.com", "/app/api/auth"},
        {"https://ex.com/app/api/auth", "https://ex.com", "/app/api/auth"},
        {"http://localhost:3000", "http://localhost:3000", "/api/auth"},
        {"http://localhost:3000/api/auth", "http://localhost:3000", "/api/auth"},
        {"https://ex.com/custom/auth", "https://ex.com", "/custom/auth"},
        {"https://ex.com:8443/x/", "https://ex.com:8443", "/x"},
        /* no "http" in front: https:// is put there */
        {"ex.com", "https://ex.com", "/api/auth"},
        {"ex.com/custom/auth/", "https://ex.com", "/custom/auth"},
        {"localhost:3000", "https://localhost:3000", "/api/auth"},
        /* query and fragment are not part of the path */
        {"https://ex.com?x=1", "https://ex.com", "/api/auth"},
        {"https://ex.com/a?x=1", "https://ex.com", "/a"},
        {"https://ex.com/a/#f", "https://ex.com", "/a"},
        {"https://ex.com#f", "https://ex.com", "/api/auth"},
        /* IPv6 literals */
        {"http://[::1]:3000/api/auth", "http://[::1]:3000", "/api/auth"},
        /* refused: userinfo, controls, spaces, empty host, odd host bytes,
         * non-ASCII, other schemes once https:// is put in front */
        {"https://user@ex.com", NULL, NULL},
        {"https://user:pw@ex.com/", NULL, NULL},
        {"https://ex.com\r\n", NULL, NULL},
        {"https://ex.com/\nx", NULL, NULL},
        {"https://ex.com/a b", NULL, NULL},
        {"https:// ex.com", NULL, NULL},
        {"https://", NULL, NULL},
        {"http://", NULL, NULL},
        {"https:///x", NULL, NULL},
        {"https://?x", NULL, NULL},
        {"https://ex_com", NULL, NULL},
        {"https://ex.com\\@evil.com", NULL, NULL},
        {"https://ex.com\x7f", NULL, NULL},
        {"https://caf\xc3\xa9.com", NULL, NULL},
        {"javascript:alert(1)", NULL, NULL},
        {"//evil.com", NULL, NULL},
        {"httpx://ex.com", NULL, NULL},
    };
    na_url u;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc = url(t[i].in, &u);
        if (t[i].origin == NULL) {
            if (!CHECK_EQ_INT(rc, -1))
                printf("    url \"%s\" should be refused\n", t[i].in);
        } else if (!CHECK_EQ_INT(rc, 0) | !CHECK_EQ_STR(u.origin, t[i].origin) |
                   !CHECK_EQ_STR(u.path, t[i].path)) {
            printf("    url \"%s\"\n", t[i].in);
        }
    }
    /* none configured: empty origin (relative Locations), default auth path */
    CHECK_EQ_INT(url(NULL, &u), 0);
    CHECK_EQ_STR(u.origin, "");
    CHECK_EQ_STR(u.path, "/api/auth");
    CHECK_EQ_INT(url("", &u), 0);
    CHECK_EQ_STR(u.origin, "");
    CHECK_EQ_STR(u.path, "/api/auth");
}

static void test_url_caps(void)
{
    char s[2048];
    na_url u;
    /* host: 255 bytes fit, 256 do not */
    snprintf(s, sizeof s, "https://");
    memset(s + 8, 'h', 255);
    s[8 + 255] = '\0';
    CHECK_EQ_INT(url(s, &u), 0);
    CHECK_EQ_INT(strlen(u.origin), 8 + 255);
    memset(s + 8, 'h', 256);
    s[8 + 256] = '\0';
    CHECK_EQ_INT(url(s, &u), -1);
    /* path: 511 bytes fit, 512 do not */
    snprintf(s, sizeof s, "https://ex.com/");
    memset(s + 15, 'p', 510);
    s[15 + 510] = '\0';
    CHECK_EQ_INT(url(s, &u), 0);
    CHECK_EQ_INT(strlen(u.path), 511);
    memset(s + 15, 'p', 511);
    s[15 + 511] = '\0';
    CHECK_EQ_INT(url(s, &u), -1);
    /* a trailing '/' does not count against the path cap */
    memset(s + 15, 'p', 510);
    s[15 + 510] = '/';
    s[15 + 511] = '\0';
    CHECK_EQ_INT(url(s, &u), 0);
    CHECK_EQ_INT(strlen(u.path), 511);
    /* whole URL: longer than the 1 KiB work buffer is refused */
    snprintf(s, sizeof s, "https://ex.com/?");
    memset(s + 16, 'q', 1500);
    s[16 + 1500] = '\0';
    CHECK_EQ_INT(url(s, &u), -1);
}

/* --- request targets and configured text -------------------------------------- */

static void test_path_of_target(void)
{
    static const struct {
        const char *in, *path; /* path NULL: refused */
    } t[] = {
        {"/a/b?q=1", "/a/b"},
        {"/a#b?q", "/a#b"}, /* the '#' is normalization's to refuse */
        {"/", "/"},
        {"", ""},
        {"?x", ""},
        {"*", "*"},
        {"http://h.test/a/b?q", "/a/b"},
        {"https://h.test:8443/a", "/a"},
        {"HTTP://h.test/a", "/a"},
        {"HtTpS://u@h.test/a/", "/a/"},
        {"http://h.test/", "/"},
        {"http://h.test", NULL},
        {"http://h.test?x", NULL},
        {"http://h#/a", NULL},
        {"http:/a", NULL},
        {"http:a", NULL},
        {"httpx://h/a", NULL},
        {"https:///a", "/a"},
        {"http://h.test/a#/../b", "/a#/../b"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = 99;
        const char *in = unit_guarded(t[i].in, strlen(t[i].in) + 1);
        const char *p = na_path_of_target(in, &n);
        char got[256];
        if (p != NULL)
            snprintf(got, sizeof got, "%.*s", (int)n, p);
        if (!CHECK_EQ_STR(p ? got : NULL, t[i].path))
            printf("    target \"%s\"\n", t[i].in);
    }
}

static void test_canon_text(void)
{
    static const struct {
        const char *in, *out;
    } t[] = {
        {"/%40admin/", "/@admin/"},
        {"/caf%c3%a9", "/caf\xc3\xa9"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"%2e%2E", ".."},
        {"/100%25", "/100%25"},
        {"%23%3f", "%23%3F"},
        {"", ""},
        {"/a%2f", NULL},
        {"/a#", NULL},
        {"/a?", NULL},
        {"/a\\", NULL},
        {"/%c0%ae", NULL},
        {"/%e9", NULL},
        {"%", NULL},
        {"/a%0D", NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *out = guarded_out(64);
        size_t n = strlen(t[i].in);
        long r = na_path_canon_text(unit_guarded(t[i].in, n), n, out, 64);
        if (!CHECK_EQ_STR(r >= 0 ? out : NULL, t[i].out) ||
            !CHECK(r < 0 || (size_t)r == strlen(out)))
            printf("    text \"%s\"\n", t[i].in);
    }
    /* the output must fit: n bytes need n + 1 */
    char *out = guarded_out(4);
    CHECK(na_path_canon_text("abcd", 4, out, 4) == -1);
    CHECK(na_path_canon_text("abc", 3, out, 4) == 3);
}

int main(void)
{
    RUN(test_normalize_table);
    RUN(test_normalize_nul);
    RUN(test_normalize_every_byte);
    RUN(test_normalize_bad_escapes);
    RUN(test_normalize_random);
    RUN(test_normalize_length);
    RUN(test_path_of_target);
    RUN(test_canon_text);
    RUN(test_form_every_byte);
    RUN(test_form_examples);
    RUN(test_url_parse);
    RUN(test_url_caps);
    return unit_done();
}
