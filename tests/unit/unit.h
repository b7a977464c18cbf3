/* SPDX-License-Identifier: MIT */
/* unit.h — a tiny header-only harness for the C unit tests.
 *
 *   CHECK(cond)                    one check: cond is true
 *   CHECK_EQ_INT(got, want)        integers (compared as long long)
 *   CHECK_EQ_STR(got, want)        NUL-terminated strings (NULL allowed on either side)
 *   CHECK_EQ_MEM(got, gl, want, wl) byte strings with their lengths
 *   RUN(test_fn)                   run one `static void test_fn(void)`
 *   return unit_done();            print the closing line, give the exit status
 *
 * Each check counts once. A failing check prints `not ok - <file>:<line> <what>`
 * (and what it got); a passing one prints nothing. The LAST line a test binary
 * prints is `N passed, N failed` (tests/run-all.sh reads it), and the exit status
 * is non-zero when any check failed. A crash (e.g. an over-read into a guard
 * page) leaves no closing line, which the runner counts as a failure.
 *
 * unit_guarded(p, n) copies n bytes to the very end of a readable mapping that is
 * followed by a PROT_NONE page, and returns the copy: a parser that reads one
 * byte past its input crashes at once (picohttpparser's test.c does the same).
 * unit_hex() turns "00 01 0a…" (spaces allowed) into bytes. unit_collect is a
 * writer (na_write_fn) that gathers an answer into a unit_out, NUL-terminated. */
#ifndef UNIT_H
#define UNIT_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int unit_passed, unit_failed;

static void unit_print_bytes(const char *label, const void *p, size_t n)
{
    const unsigned char *s = p;
    printf("    %s (%zu bytes): \"", label, n);
    for (size_t i = 0; i < n && i < 160; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
            putchar(s[i]);
        else
            printf("\\x%02x", s[i]);
    }
    printf("%s\"\n", n > 160 ? "…" : "");
}

static int unit_report(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        unit_passed++;
    } else {
        unit_failed++;
        printf("not ok - %s:%d %s\n", file, line, what);
    }
    return ok;
}

static int unit_eq_int(long long got, long long want, const char *file, int line,
                       const char *what)
{
    if (!unit_report(got == want, file, line, what))
        printf("    got %lld, want %lld\n", got, want);
    return got == want;
}

static int unit_eq_mem(const void *got, size_t gl, const void *want, size_t wl, const char *file,
                       int line, const char *what)
{
    int ok = got != NULL && want != NULL && gl == wl && memcmp(got, want, gl) == 0;
    if (!unit_report(ok, file, line, what)) {
        if (got == NULL)
            printf("    got NULL\n");
        else
            unit_print_bytes("got ", got, gl);
        if (want == NULL)
            printf("    want NULL\n");
        else
            unit_print_bytes("want", want, wl);
    }
    return ok;
}

static int unit_eq_str(const char *got, const char *want, const char *file, int line,
                       const char *what)
{
    if (got == NULL || want == NULL) {
        int ok = got == want;
        if (!unit_report(ok, file, line, what))
            printf("    got %s%s%s, want %s%s%s\n", got ? "\"" : "", got ? got : "NULL",
                   got ? "\"" : "", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
        return ok;
    }
    return unit_eq_mem(got, strlen(got), want, strlen(want), file, line, what);
}

#define CHECK(cond) unit_report((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
#define CHECK_EQ_INT(got, want)                                                        \
    unit_eq_int((long long)(got), (long long)(want), __FILE__, __LINE__,               \
                #got " == " #want)
#define CHECK_EQ_STR(got, want) unit_eq_str((got), (want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_EQ_MEM(got, gl, want, wl)                                                \
    unit_eq_mem((got), (gl), (want), (wl), __FILE__, __LINE__, #got " == " #want)

/* Run one test function; a function that failed some check gets one summary line. */
#define RUN(fn)                                                                        \
    do {                                                                               \
        int unit_before_ = unit_failed;                                                \
        fn();                                                                          \
        if (unit_failed != unit_before_)                                               \
            printf("# %s: %d check(s) failed\n", #fn, unit_failed - unit_before_);     \
        fflush(stdout);                                                                \
    } while (0)

/* The guard region: UNIT_GUARD_BYTES readable bytes, then one PROT_NONE page. */
#define UNIT_GUARD_BYTES (160 * 1024)
static unsigned char *unit_guard_base;
static size_t unit_guard_len, unit_guard_page;

static unsigned char *unit_guard_end(void)
{
    if (unit_guard_base == NULL) {
        long pg = sysconf(_SC_PAGESIZE);
        unit_guard_page = pg > 0 ? (size_t)pg : 4096;
        unit_guard_len = (UNIT_GUARD_BYTES + unit_guard_page - 1) / unit_guard_page *
                         unit_guard_page;
        void *m = mmap(NULL, unit_guard_len + unit_guard_page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED || mprotect((unsigned char *)m + unit_guard_len, unit_guard_page,
                                        PROT_NONE) != 0) {
            perror("unit.h: guard page");
            exit(2);
        }
        unit_guard_base = m;
    }
    return unit_guard_base + unit_guard_len;
}

/* Copy n bytes flush against the guard page; the copy is valid until the next call. */
static const char *unit_guarded(const void *p, size_t n)
{
    unsigned char *end = unit_guard_end();
    if (n > unit_guard_len) {
        fprintf(stderr, "unit.h: %zu bytes do not fit the guard region\n", n);
        exit(2);
    }
    if (n > 0)
        memcpy(end - n, p, n);
    return (const char *)(end - n);
}

/* Hex digits (spaces, newlines and colons ignored) into out; returns the byte count.
 * An odd number of digits or more than cap bytes stops the test (exit 2). */
static size_t unit_hex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v;
        char c = *hex;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            if (n == cap) {
                fprintf(stderr, "unit.h: hex string longer than %zu bytes\n", cap);
                exit(2);
            }
            out[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) { /* an odd number of digits is a typo in the test */
        fprintf(stderr, "unit.h: odd number of hex digits\n");
        exit(2);
    }
    return n;
}

/* Print the closing line; the exit status for main. */
static int unit_done(void)
{
    if (unit_guard_base != NULL) {
        munmap(unit_guard_base, unit_guard_len + unit_guard_page);
        unit_guard_base = NULL;
    }
    printf("%d passed, %d failed\n", unit_passed, unit_failed);
    fflush(stdout);
    return unit_failed ? 1 : 0;
}

/* An answer as na_resp_write writes it, NUL-terminated in b. */
typedef struct {
    char b[200000];
    size_t n;
} unit_out;

static int unit_collect(void *ctx, const char *p, size_t n)
{
    unit_out *o = ctx;
    if (n > sizeof o->b - 1 - o->n)
        return -1;
    memcpy(o->b + o->n, p, n);
    o->n += n;
    o->b[o->n] = '\0';
    return 0;
}

#endif
