/* SPDX-License-Identifier: MIT */
/* store_pg.c — the session store on PostgreSQL (see store_pg.h). Not written yet:
 * every open fails, so a database deployment cannot start. */
#include "store_pg.h"

na_store *na_store_pg_open(const na_store_opts *o, na_err *err)
{
    (void)o;
    na_err_set(err, NA_E_CONFIG, "PostgreSQL session stores are not supported yet");
    return NULL;
}
