/* SPDX-License-Identifier: MIT */
/* store_sqlite.c — the session store on SQLite (see store_sqlite.h). Not written yet:
 * every open fails, so a database deployment cannot start. */
#include "store_sqlite.h"

na_store *na_store_sqlite_open(const na_store_opts *o, na_err *err)
{
    (void)o;
    na_err_set(err, NA_E_CONFIG, "SQLite session stores are not supported yet");
    return NULL;
}
