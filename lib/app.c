/* SPDX-License-Identifier: MIT */
/* app.c — loading, serving and freeing a program (see app.h). */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

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
