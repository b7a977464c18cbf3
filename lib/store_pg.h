/* SPDX-License-Identifier: MIT */
/* store_pg.h — the session store on PostgreSQL (libpq) (store.h). */
#ifndef NA_STORE_PG_H
#define NA_STORE_PG_H

#include "store.h"

/* na_store_open for a libpq URI or conninfo: o has every name resolved
 * (na_store_default_names). Returns the store, or NULL with err filled. */
na_store *na_store_pg_open(const na_store_opts *o, na_err *err);

#endif
