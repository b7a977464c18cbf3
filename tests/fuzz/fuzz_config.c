/* SPDX-License-Identifier: MIT */
/* fuzz_config.c — the configuration loader (lib/config.c, and through it
 * lib/matcher.c, lib/authz.c, lib/keys.c, lib/path.c).
 *
 * The input is written to an unlinked temporary file and loaded with
 * na_config_load_file, then the environment's fallbacks (cleared) and, when the
 * file was accepted, what a program builds from it: the verifier (keys derived
 * from the secrets) and the guard (the url parsed), which then decides one fixed
 * request. Everything is freed: the leak checker sees what a reload would leak.
 *
 * Invariants on an accepted file: the cookie name is an RFC 6265 token; basePath
 * is "" or "/x…" without a trailing '/'; pages are paths starting with one '/';
 * the clock tolerance and lifetimes are in their documented ranges; every secret
 * is non-empty, NUL-free and at most NA_MAX_SECRET_LEN bytes.
 *
 * "secretFile" names a file the loader reads: inputs naming anything but a
 * regular file outside /proc, /sys and /dev are skipped (a FIFO, a terminal or
 * /proc/kmsg would block the run). Seeds use
 * tests/fuzz/data/secrets.txt, relative to the repository root (where make runs). */
#include <sys/stat.h>

#include <jansson.h>

#include "guard.h"
#include "source.h"
#include "token.h"

#include "fuzz.h"

static int fd = -1;
static const char *path;
static fuzz_logbuf logs;

static void setup(void)
{
    if (path != NULL)
        return;
    fuzz_quiet_logs(&logs);
    path = fuzz_tmpfile(&fd);
    unsetenv("NEXTAUTH_SECRET");
    unsetenv("AUTH_SECRET");
    unsetenv("NEXTAUTH_URL");
    unsetenv("NEXTAUTH_CONFIG");
}

/* 0 when the input names a secretFile that is not a regular file. */
static int secret_file_is_safe(const uint8_t *data, size_t size)
{
    if (fuzz_memmem((const char *)data, size, "secretFile", 10) == NULL &&
        fuzz_memmem((const char *)data, size, "\\u", 2) == NULL)
        return 1;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    const char *p = json_string_value(json_object_get(root, "secretFile"));
    struct stat st;
    int ok = 1;
    if (p != NULL) {
        char *real = realpath(p, NULL);
        ok = real != NULL && strncmp(real, "/proc/", 6) != 0 && strncmp(real, "/sys/", 5) != 0 &&
             strncmp(real, "/dev/", 5) != 0 && stat(real, &st) == 0 && S_ISREG(st.st_mode);
        free(real);
    }
    json_decref(root);
    return ok;
}

static int token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static void check_site_path(const char *what, const char *s, int allow_empty)
{
    if (*s == '\0') {
        FUZZ_CHECK(allow_empty, "%s is empty", what);
        return;
    }
    FUZZ_CHECK(s[0] == '/' && s[1] != '/' && s[1] != '\\', "%s does not start with one '/'",
               what);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        FUZZ_CHECK(*c > 0x20 && *c < 0x7f && *c != '?' && *c != '#' && *c != '\\',
                   "%s has byte 0x%02x", what, *c);
}

static void check_accepted(const na_config *cfg)
{
    const char *name = na_config_cookie_name(cfg);
    FUZZ_CHECK(name != NULL && *name && strlen(name) <= NA_COOKIE_NAME_MAX,
               "cookie name length");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        FUZZ_CHECK(token_char(*c), "cookie name has byte 0x%02x", *c);
    check_site_path("basePath", cfg->base_path, 1);
    size_t bl = strlen(cfg->base_path);
    FUZZ_CHECK(bl == 0 || cfg->base_path[bl - 1] != '/', "basePath ends with '/'");
    check_site_path("pages.signIn", cfg->sign_in, 0);
    check_site_path("pages.error", cfg->error_page, 0);
    FUZZ_CHECK(cfg->clock_tolerance >= 0 && cfg->clock_tolerance <= 3600, "clockTolerance %ld",
               cfg->clock_tolerance);
    FUZZ_CHECK(cfg->session_max_age >= 1, "session.maxAge %ld", cfg->session_max_age);
    FUZZ_CHECK(na_config_token_max_age(cfg) >= 1, "token max age");
    FUZZ_CHECK(cfg->nsecrets <= NA_MAX_SECRETS, "%zu secrets", cfg->nsecrets);
    for (size_t i = 0; i < cfg->nsecrets; i++)
        FUZZ_CHECK(cfg->secret_lens[i] > 0 && cfg->secret_lens[i] <= NA_MAX_SECRET_LEN &&
                       memchr(cfg->secrets[i], '\0', cfg->secret_lens[i]) == NULL &&
                       cfg->secrets[i][cfg->secret_lens[i]] == '\0',
                   "secret %zu of %zu bytes", i, cfg->secret_lens[i]);
    FUZZ_CHECK(cfg->algorithms != 0 && (cfg->algorithms & ~7u) == 0, "algorithms %#x",
               cfg->algorithms);
    FUZZ_CHECK(cfg->nidentity <= NA_MAX_IDENTITY && cfg->nexpose <= NA_MAX_EXPOSE &&
                   cfg->nrules <= NA_MAX_RULES,
               "list sizes");
}

/* What a program builds from an accepted file, and one request through it. */
static void use(na_config *cfg)
{
    na_source src;
    na_err err;
    if (na_source_init(&src, cfg, 0, &err) < 0)
        return;
    FUZZ_CHECK(src.have_v || cfg->nsecrets == 0, "secrets but no verifier: %s", src.no_secret);
    na_guard g;
    if (na_guard_init(&g, cfg, &src, &err) == 0) {
        na_resp r;
        na_resp_init(&r);
        na_guard_req rq = {.request_uri = "/dashboard/a/../b?x=1", .accept = "text/html"};
        na_guard_outcome o = na_guard_respond(&g, &rq, FUZZ_NOW * 1000LL, &r);
        FUZZ_CHECK(o != NA_GUARD_ALLOW, "a request without a token was allowed");
        na_resp_free(&r);
        na_guard_free(&g);
    }
    na_source_free(&src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (!secret_file_is_safe(data, size))
        return 0;
    fuzz_rewrite(fd, data, size);
    na_config cfg;
    na_err err;
    na_err_clear(&err);
    na_config_init(&cfg);
    int rc = na_config_load_file(&cfg, path, &err);
    if (rc == 0) {
        FUZZ_CHECK(na_config_apply_env(&cfg, &err) == 0, "apply_env: %s", err.msg);
        check_accepted(&cfg);
        use(&cfg);
    } else {
        FUZZ_CHECK(rc == -1 && err.msg[0] && (err.code == NA_E_CONFIG || err.code == NA_E_IO ||
                                              err.code == NA_E_NO_SECRET ||
                                              err.code == NA_E_NOMEM),
                   "rc %d code %d", rc, (int)err.code);
    }
    na_config_free(&cfg);
    na_config_free(&cfg); /* documented: safe twice */
    return 0;
}
