/* SPDX-License-Identifier: MIT */
/* app.c — loading, serving and freeing a program (see app.h). */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#ifndef NA_VERSION
#define NA_VERSION "unknown"
#endif

int na_app_load(na_app *a, const char *config_path, int flags, const char *no_secret_effect,
                na_err *err)
{
    memset(a, 0, sizeof *a);
    if (na_config_load(&a->cfg, config_path, err) < 0)
        goto fail;
    na_config_warn(&a->cfg);
    /* the guard program only reads sessions; the session endpoint and pages
     * extend and expire them */
    if (na_source_init(&a->src, &a->cfg, (flags & NA_APP_READ_ONLY) ? NA_SOURCE_READ_ONLY : 0,
                       err) < 0)
        goto fail;
    if (a->src.database && a->src.store == NULL)
        na_log("%s; sessions are refused until it answers", a->src.unavailable.msg);
    else if (!a->src.database && !a->src.have_v)
        na_log("NO_SECRET: %s; %s", a->src.no_secret, no_secret_effect);
    if ((flags & NA_APP_GUARD) && na_guard_init(&a->g, &a->cfg, &a->src, err) < 0)
        goto fail;
    a->have_g = (flags & NA_APP_GUARD) != 0;
    return 0;
fail:
    na_source_free(&a->src);
    na_config_free(&a->cfg);
    memset(a, 0, sizeof *a);
    return -1;
}

static void usage(FILE *f, const char *prog, const char *about)
{
    fprintf(f,
            "Usage: %s [--help | --version]\n"
            "\n"
            "%s"
            "\n"
            "A web server runs it: FastCGI with the listening socket as standard input\n"
            "(a systemd socket unit, spawn-fcgi, lighttpd's bin-path), or CGI. Started\n"
            "from a shell without arguments, it answers the one CGI request its\n"
            "environment describes.\n"
            "\n"
            "Configuration: NEXTAUTH_CONFIG (the JSON file), NEXTAUTH_SECRET, AUTH_SECRET,\n"
            "NEXTAUTH_SECRET_FILE, NEXTAUTH_URL; NEXTAUTH_READ_TIMEOUT,\n"
            "NEXTAUTH_MAX_REQUESTS. Test a configuration with: nextauth-token check\n",
            prog, about);
}

int na_app_command_line(int argc, char **argv, const char *prog, const char *about)
{
    struct stat st;
    if (argc < 2 || getenv("GATEWAY_INTERFACE") != NULL ||
        (fstat(0, &st) == 0 && S_ISSOCK(st.st_mode)))
        return -1;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout, prog, about);
        return fflush(stdout) == 0 ? 0 : 2;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s %s\n", prog, NA_VERSION);
        return fflush(stdout) == 0 ? 0 : 2;
    }
    usage(stderr, prog, about);
    return 2;
}

int na_app_serve(na_handler h, void *ctx, void (*ready)(void))
{
    const char *limit = getenv("NEXTAUTH_MAX_REQUESTS");
    return na_serve(h, ctx, limit ? strtoul(limit, NULL, 10) : 0, ready);
}

void na_app_free(na_app *a)
{
    if (a->have_g)
        na_guard_free(&a->g);
    a->have_g = 0;
    na_source_free(&a->src);
    na_config_free(&a->cfg);
}
