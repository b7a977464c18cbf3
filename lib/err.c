/* SPDX-License-Identifier: MIT */
/* err.c — the error record (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int na_err_set(na_err *err, na_code code, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void na_err_clear(na_err *err)
{
    if (err == NULL)
        return;
    err->code = NA_OK;
    err->msg[0] = '\0';
}
