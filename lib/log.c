/* SPDX-License-Identifier: MIT */
/* log.c — one-line log records (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static na_log_sink sink;
static void *sink_ctx;
static const char *prog = "nextauth";

void na_log_set_sink(na_log_sink s, void *ctx)
{
    sink = s;
    sink_ctx = ctx;
}

void na_log_set_prog(const char *p)
{
    prog = p;
}

void na_log(const char *fmt, ...)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s: ", prog);
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    for (unsigned char *p = (unsigned char *)line; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (sink)
        sink(sink_ctx, line);
    else
        fprintf(stderr, "%s\n", line);
}
