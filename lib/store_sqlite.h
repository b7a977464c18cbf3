/* SPDX-License-Identifier: MIT */
/* store_sqlite.h — the session store on SQLite (libsqlite3) (store.h). */
#ifndef NA_STORE_SQLITE_H
#define NA_STORE_SQLITE_H

#include "store.h"

/* na_store_open for a "sqlite:/absolute/path" url: o has every name resolved
 * (na_store_default_names). Returns the store, or NULL with err filled. */
na_store *na_store_sqlite_open(const na_store_opts *o, na_err *err);

#endif
