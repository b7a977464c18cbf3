/* SPDX-License-Identifier: MIT */
/* pqdl.c — libpq loaded on first use (see pqdl.h). */
#define NA_PQDL_TABLE_ONLY
#include "pqdl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

na_pqdl_table na_pqdl;

/* The soname, not "libpq.so": that name belongs to the -dev package. */
#define NA_PQDL_SONAME "libpq.so.5"

/* dlerror() text, on one line and bounded (it names a file, never a secret). */
static const char *why(void)
{
    const char *e = dlerror();
    return e != NULL ? e : "unknown error";
}

/* The one load, run once per process (pthread_once). */
static int loaded;   /* 1 loaded, -1 failed (the reason in failed) */
static na_err failed;

static void load_once(void)
{
    /* RTLD_LOCAL: libpq's symbols resolve our table only, never another
     * library's references; RTLD_NOW: a missing symbol of libpq's own
     * dependencies shows here, not in the middle of a request. */
    void *h = dlopen(NA_PQDL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        na_err_set(&failed, NA_E_CONFIG,
                   "database: PostgreSQL support needs %s (Debian package libpq5): %s",
                   NA_PQDL_SONAME, why());
        loaded = -1;
        return;
    }
    na_pqdl_table t;
#define NA_PQDL_RESOLVE(f)                                                                       \
    dlerror();                                                                                   \
    *(void **)&t.f = dlsym(h, #f);                                                               \
    if (t.f == NULL) {                                                                           \
        na_err_set(&failed, NA_E_CONFIG, "database: %s has no %s: %s", NA_PQDL_SONAME, #f,      \
                   why());                                                                       \
        dlclose(h);                                                                              \
        loaded = -1;                                                                             \
        return;                                                                                  \
    }
    NA_PQDL_FUNCTIONS(NA_PQDL_RESOLVE)
#undef NA_PQDL_RESOLVE
    memcpy(&na_pqdl, &t, sizeof t);
    loaded = 1;
}

int na_pqdl_load(na_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (pthread_once(&once, load_once) != 0 || loaded != 1) {
        if (err != NULL) {
            if (loaded == -1)
                *err = failed;
            else
                na_err_set(err, NA_E_CONFIG, "database: loading %s failed", NA_PQDL_SONAME);
        }
        return -1;
    }
    return 0;
}
