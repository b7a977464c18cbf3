/* SPDX-License-Identifier: MIT */
/* fuzz.h — what the libFuzzer targets of tests/fuzz/ share: the fixed secret and
 * clock of tests/vectors/, an invariant check that aborts (so libFuzzer and the
 * replay driver both see a crash), a config built from JSON text, and a log sink.
 *
 * Each target defines LLVMFuzzerTestOneInput and sets up its keys and config once,
 * on the first call (libFuzzer has no constructor hook we rely on; the replay
 * driver calls the target once with an empty input before forking, so the
 * children inherit what was set up). */
#ifndef NA_FUZZ_H
#define NA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "log.h"

/* Every case of tests/vectors/nextauth-vectors.json uses this secret and most
 * this clock, so the seed tokens decode. */
#define FUZZ_SECRET "hY7y7aL0ZrS1o4Vt6+3Qb9cJxW2mN5pK8dF1gE4uT0s="
#define FUZZ_NOW 1767225600LL
/* NextAuth's clock tolerance (config default). */
#define FUZZ_TOLERANCE 15

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant: when it does not hold, say which one and abort(). */
#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "FUZZ INVARIANT FAILED at %s:%d: %s\n  ", __FILE__, __LINE__, \
                    #cond);                                                              \
            fprintf(stderr, __VA_ARGS__);                                                \
            fputc('\n', stderr);                                                         \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* A failure of the harness itself (setup), not of the code under test. */
static inline void fuzz_die(const char *what, const char *why)
{
    fprintf(stderr, "fuzz setup failed: %s: %s\n", what, why ? why : "");
    abort();
}

/* The value of a hex digit, or -1. */
static inline int fuzz_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Which of n deployments an input picks: its first byte when that is a digit
 * (mod n), else the first. */
static inline size_t fuzz_pick(const char *s, size_t n)
{
    return s != NULL && s[0] >= '0' && s[0] <= '9' ? (size_t)(s[0] - '0') % n : 0;
}

/* A NUL-terminated heap copy of n bytes (exactly n + 1 bytes, so ASan sees an
 * over-read). Never NULL. */
static inline char *fuzz_strndup(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL)
        fuzz_die("malloc", "out of memory");
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* memmem (a GNU extension; the project builds with _DEFAULT_SOURCE only). */
static inline const char *fuzz_memmem(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0)
        return h;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == n[0] && memcmp(h + i, n, nn) == 0)
            return h + i;
    return NULL;
}

/* A new unlinked temporary file and a path that opens it (/proc/self/fd/N, so
 * nothing is left behind when the process dies). The file stays open for the
 * life of the process; *fd receives it. */
static inline const char *fuzz_tmpfile(int *fd)
{
    static char path[64];
    FILE *f = tmpfile();
    if (f == NULL)
        fuzz_die("tmpfile", "cannot create");
    *fd = fileno(f);
    snprintf(path, sizeof path, "/proc/self/fd/%d", *fd);
    return path;
}

/* Replace the contents of the file fd with n bytes. */
static inline void fuzz_rewrite(int fd, const void *p, size_t n)
{
    if (ftruncate(fd, 0) != 0)
        fuzz_die("ftruncate", "failed");
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, (const char *)p + done, n - done, (off_t)done);
        if (w <= 0)
            fuzz_die("pwrite", "failed");
        done += (size_t)w;
    }
}

/* Load the configuration text json into *cfg as the programs do (file, then the
 * environment's fallbacks), with the fuzz environment cleared first. Setup only:
 * aborts when the text is refused. */
static inline void fuzz_config(na_config *cfg, const char *json)
{
    FILE *f = tmpfile();
    char path[64];
    na_err err;
    if (f == NULL)
        fuzz_die("tmpfile", "cannot create");
    int fd = fileno(f);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    unsetenv("NEXTAUTH_SECRET");
    unsetenv("AUTH_SECRET");
    unsetenv("NEXTAUTH_URL");
    unsetenv("NEXTAUTH_CONFIG");
    fuzz_rewrite(fd, json, strlen(json));
    if (na_config_load(cfg, path, &err) < 0)
        fuzz_die("config", err.msg);
    fclose(f);
}

/* Log lines are kept (the last few KiB) instead of printed: a fuzzer run would
 * drown in them, and the guard target checks what they carry. */
typedef struct {
    char text[16384];
    size_t len;
} fuzz_logbuf;

static inline void fuzz_log_sink(void *ctx, const char *line)
{
    fuzz_logbuf *b = ctx;
    size_t n = strlen(line);
    if (n + 1 > sizeof b->text - b->len)
        b->len = 0; /* keep the newest lines */
    if (n + 1 > sizeof b->text)
        return;
    memcpy(b->text + b->len, line, n);
    b->len += n;
    b->text[b->len++] = '\n';
}

static inline void fuzz_quiet_logs(fuzz_logbuf *b)
{
    b->len = 0;
    na_log_set_sink(fuzz_log_sink, b);
}

/* A request environment: "NAME=value" entries separated by NUL bytes, as the
 * guard and session targets read their input. Only the names listed are kept
 * (the first entry of a name wins); values are NUL-terminated copies, NULL when
 * absent. */
#define FUZZ_ENV_MAX 16
typedef struct {
    char *v[FUZZ_ENV_MAX];
    size_t len[FUZZ_ENV_MAX];
} fuzz_env;

static inline void fuzz_env_parse(fuzz_env *e, const char *const *names, size_t count,
                                  const uint8_t *data, size_t size)
{
    memset(e, 0, sizeof *e);
    size_t i = 0;
    while (i < size) {
        const char *s = (const char *)data + i;
        size_t n = strnlen(s, size - i);
        const char *eq = memchr(s, '=', n);
        for (size_t k = 0; eq != NULL && k < count && k < FUZZ_ENV_MAX; k++) {
            size_t kl = strlen(names[k]);
            if (e->v[k] == NULL && (size_t)(eq - s) == kl && memcmp(s, names[k], kl) == 0) {
                e->len[k] = n - kl - 1;
                e->v[k] = fuzz_strndup((const uint8_t *)eq + 1, e->len[k]);
            }
        }
        i += n + 1;
    }
}

static inline void fuzz_env_free(fuzz_env *e)
{
    for (size_t k = 0; k < FUZZ_ENV_MAX; k++)
        free(e->v[k]);
}

/* Replace every "{TOKEN}" in *s (may be NULL) by tok. */
static inline void fuzz_put_token(char **s, const char *tok)
{
    static const char mark[] = "{TOKEN}";
    const size_t ml = sizeof mark - 1, tl = strlen(tok);
    if (*s == NULL || strstr(*s, mark) == NULL)
        return;
    size_t count = 0;
    for (const char *p = *s; (p = strstr(p, mark)) != NULL; p += ml)
        count++;
    char *out = malloc(strlen(*s) + count * tl + 1), *o = out;
    if (out == NULL)
        fuzz_die("malloc", "out of memory");
    const char *p = *s, *m;
    while ((m = strstr(p, mark)) != NULL) {
        memcpy(o, p, (size_t)(m - p));
        o += m - p;
        memcpy(o, tok, tl);
        o += tl;
        p = m + ml;
    }
    strcpy(o, p);
    free(*s);
    *s = out;
}

/* Check the header lines of a response ("Name: value\r\n" each): CRLF endings,
 * a token name, no control byte. Calls each(ctx, name, nlen, value, vlen) per line
 * when each is non-NULL. */
static inline void fuzz_check_head(const char *h, size_t n,
                                   void (*each)(void *, const char *, size_t, const char *,
                                                size_t),
                                   void *ctx)
{
    size_t i = 0;
    while (i < n) {
        const char *line = h + i;
        size_t l = 0;
        while (i + l < n && h[i + l] != '\r' && h[i + l] != '\n')
            l++;
        FUZZ_CHECK(i + l + 1 < n && h[i + l] == '\r' && h[i + l + 1] == '\n',
                   "header line without CRLF at byte %zu", i + l);
        for (size_t k = 0; k < l; k++)
            FUZZ_CHECK((unsigned char)line[k] >= 0x20 && (unsigned char)line[k] != 0x7f,
                       "header byte 0x%02x in \"%.*s\"", (unsigned char)line[k],
                       (int)(l > 120 ? 120 : l), line);
        const char *colon = memchr(line, ':', l);
        FUZZ_CHECK(colon != NULL && colon > line && (size_t)(colon - line) + 1 < l &&
                       colon[1] == ' ',
                   "not a \"Name: value\" line");
        for (const char *c = line; c < colon; c++)
            FUZZ_CHECK(*c > 0x20 && *c < 0x7f && strchr("()<>@,;:\\\"/[]?={}", *c) == NULL,
                       "bad header name byte 0x%02x", (unsigned char)*c);
        if (each)
            each(ctx, line, (size_t)(colon - line), colon + 2, l - (size_t)(colon - line) - 2);
        i += l + 2;
    }
}

#endif
