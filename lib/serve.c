/* serve.c — FastCGI loop and CGI fallback (see serve.h). */
#include "serve.h"

#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

#include "log.h"
#include "memory.h"

extern char **environ;

/* The value of entry e when its name is name ("NAME=value"), else NULL. A byte
 * loop rather than strncmp/strchr: the request path calls it for every param,
 * and a guard runs with cold caches, where each libc routine is more code to
 * fetch (BENCHMARKS.md). */
static const char *value_of(const char *e, const char *name)
{
    size_t k = 0;
    while (name[k] != '\0' && e[k] == name[k])
        k++;
    return name[k] == '\0' && e[k] == '=' ? e + k + 1 : NULL;
}

const char *na_env(na_envp envp, const char *name)
{
    for (; envp && *envp; envp++) {
        const char *v = value_of(*envp, name);
        if (v != NULL)
            return v;
    }
    return NULL;
}

void na_env_pick(na_envp envp, const char *const *names, const char **vals, size_t n)
{
    if (n > NA_ENV_PICK_MAX)
        n = NA_ENV_PICK_MAX;
    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    for (; envp && *envp; envp++) {
        const char *e = *envp, *v;
        for (size_t i = 0; i < n; i++)
            if (vals[i] == NULL && e[0] == names[i][0] && (v = value_of(e, names[i])) != NULL) {
                vals[i] = v;
                break;
            }
    }
}

const char *na_env_cookie(na_envp envp, char *buf, size_t cap)
{
    const char *first = NULL;
    size_t n = 0, count = 0;
    for (na_envp e = envp; e && *e; e++) {
        const char *v = (*e)[0] == 'H' ? value_of(*e, "HTTP_COOKIE") : NULL;
        if (v == NULL)
            continue;
        if (count++ == 0) {
            first = v;
            continue;
        }
        if (count == 2) { /* start the join with the first value */
            n = strlen(first);
            if (n > cap - 1)
                n = cap - 1;
            memcpy(buf, first, n);
        }
        size_t vl = strlen(v);
        for (size_t i = 0; i < 2 + vl && n < cap - 1; i++)
            buf[n++] = i == 0 ? ';' : i == 1 ? ' ' : v[i - 2];
    }
    if (count <= 1)
        return first;
    buf[n] = '\0';
    return buf;
}

static int write_stdout(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static int write_fcgx(void *ctx, const char *p, size_t n)
{
    FCGX_Stream *out = ctx;
    while (n > 0) {
        int chunk = n > 65536 ? 65536 : (int)n;
        if (FCGX_PutStr(p, chunk, out) != chunk)
            return -1;
        p += chunk;
        n -= (size_t)chunk;
    }
    return 0;
}

static void log_fcgx(void *ctx, const char *line)
{
    FCGX_Stream *err = ctx;
    FCGX_PutS(line, err);
    FCGX_PutChar('\n', err);
}

int na_serve_n(na_handler h, void *ctx, unsigned long limit)
{
    na_resp r;
    na_resp_init(&r);

    if (FCGX_IsCGI()) {
        h(ctx, environ, &r);
        int rc = na_resp_write(&r, write_stdout, NULL);
        if (fflush(stdout) != 0)
            rc = -1;
        na_resp_free(&r);
        return rc < 0 ? 1 : 0;
    }

    if (FCGX_Init() != 0) {
        na_log("cannot initialise FastCGI");
        return 1;
    }
    FCGX_Request req;
    if (FCGX_InitRequest(&req, 0, 0) != 0) {
        na_log("cannot initialise a FastCGI request");
        return 1;
    }
    /* Start-up is over: let go of the pages only it needed (memory.h). */
    na_mem_trim();
    for (unsigned long served = 0; limit == 0 || served < limit; served++) {
        if (FCGX_Accept_r(&req) < 0)
            break;
        na_log_set_sink(log_fcgx, req.err);
        na_resp_reset(&r);
        h(ctx, req.envp, &r);
        na_resp_write(&r, write_fcgx, req.out);
        na_log_set_sink(NULL, NULL);
        FCGX_Finish_r(&req);
    }
    FCGX_Free(&req, 1);
    na_resp_free(&r);
    return 0;
}

int na_serve(na_handler h, void *ctx)
{
    return na_serve_n(h, ctx, 0);
}
