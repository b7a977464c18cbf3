/* SPDX-License-Identifier: MIT */
/* store.h — the session store of a deployment with database sessions
 * (docs/behaviour.md, Database sessions): the session and user rows that the
 * Node app's adapter (Prisma, Drizzle, @auth/pg-adapter, Kysely) keeps in
 * PostgreSQL (libpq) or SQLite, read and written the way the adapter does.
 *
 * The session token is opaque: compared exactly, always bound as a statement
 * parameter, never put into SQL text. Times are milliseconds since the epoch;
 * a stored expiry is read as the adapter's reader reads it (a timestamp
 * without time zone is UTC wall time; sub-millisecond parts are truncated) and
 * written in the form the adapter writes (store_sqlite.c, store_pg.c say how
 * each form is told apart). No time is ever compared in SQL.
 *
 * One connection per store, opened by na_store_open, re-opened by the next
 * call after a failure; statements prepared once per connection; every
 * connect and every statement bounded by timeout_ms. A store is not
 * thread-safe: one per thread. */
#ifndef NA_STORE_H
#define NA_STORE_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

/* The adapter whose schema the database holds: it fixes the default table
 * and column names. */
typedef enum {
    NA_ADAPTER_PRISMA = 0, /* "Session"/"User", "sessionToken", "userId", "expires", "updatedAt" */
    NA_ADAPTER_DRIZZLE,    /* "session"/"user", same column names, no updatedAt */
    NA_ADAPTER_PG,         /* sessions/users (@auth/pg-adapter), no updatedAt */
    NA_ADAPTER_KYSELY      /* "Session"/"User", no updatedAt */
} na_adapter;

/* The names the store uses: the adapter's, with any the configuration
 * overrides (Prisma @map/@@map). Every name is an SQL identifier, quoted by
 * the store. */
typedef struct {
    const char *session_table, *user_table;
    const char *token, *user_id, *expires; /* session columns */
    const char *updated_at;                /* session column; NULL: none (not written) */
    const char *id, *name, *email, *image; /* user columns */
} na_store_names;

#define NA_STORE_MAX_CLAIMS 32

typedef struct {
    const char *url;          /* libpq URI or conninfo, or "sqlite:/absolute/path.db" */
    na_adapter adapter;
    na_store_names names;     /* any NULL member: the adapter's name (updated_at:
                               * Prisma's "updatedAt" when that column exists) */
    /* extra user columns read as claims: claim_names[i] ← user column claim_columns[i] */
    const char *const *claim_names;
    const char *const *claim_columns;
    size_t nclaims;
    long timeout_ms;          /* connect and each statement; > 0 */
    int read_only;            /* never write (the guard); SQLite opened read-only */
} na_store_opts;

typedef struct na_store na_store;
typedef struct na_store_row na_store_row;

/* What a backend (store_sqlite.c, store_pg.c) provides. Its store begins
 * with a struct na_store whose ops point at its functions; na_store_get and
 * the others call them. */
typedef struct {
    int (*get)(na_store *s, const char *tok, size_t len, na_store_row *row,
               na_err *err);
    int (*touch)(na_store *s, const char *tok, size_t len, long long expires_ms,
                 long long now_ms, na_err *err);
    int (*del)(na_store *s, const char *tok, size_t len, na_err *err);
    void (*close)(na_store *s);
} na_store_ops;

struct na_store {
    const na_store_ops *ops;
};

/* One session row and its user, as read. */
struct na_store_row {
    long long expires_ms;  /* the session's expiry */
    int has_user;          /* 0: the session row has no user row */
    json_t *user;          /* has_user: {"id":…,"name":…,"email":…,"image":…, then the claims
                            * columns by claim name}, each a JSON string, number, boolean or
                            * null as stored (SQL NULL → null; the id as a string); owned */
};

/* The adapter named s ("prisma", "drizzle", "pg", "kysely"). Returns 0, or -1. */
int na_store_adapter_parse(const char *s, na_adapter *out);

/* The name of adapter a, as na_store_adapter_parse reads it (static). */
const char *na_store_adapter_name(na_adapter a);

/* The adapter's name for each member of names that is NULL (updated_at
 * stays NULL unless the adapter is Prisma). */
void na_store_default_names(na_adapter a, na_store_names *names);

/* Open the store: the backend by o->url ("sqlite:" → SQLite, anything else →
 * libpq), with every NULL name given the adapter's. Connect, then check once, against the database's catalog,
 * that every table and column named exists (the error names the one missing),
 * and learn how expires is stored. Returns a store the caller closes with
 * na_store_close, or NULL with err filled: NA_E_CONFIG (a bad url, a missing
 * table or column, an unreadable SQLite file), NA_E_STORE (the database did
 * not answer: connect failed or timed out). A message never carries the
 * password of the url. */
na_store *na_store_open(const na_store_opts *o, na_err *err);

/* Close the connection and free s. NULL is fine. */
void na_store_close(na_store *s);

/* The session row whose token is tok (len bytes, any bytes) and its user.
 * Returns 1 with *row filled (free with na_store_row_free), 0 when there is no
 * such row, -1 with err filled (NA_E_STORE: the database failed or timed out,
 * or an expires value could not be read). */
int na_store_get(na_store *s, const char *tok, size_t len, na_store_row *row, na_err *err);

/* Set the row's expires to expires_ms in the stored form (and updated_at to
 * now_ms where there is one). Returns 0, or -1 with err filled (NA_E_STORE;
 * NA_E_USAGE on a read-only store). */
int na_store_touch(na_store *s, const char *tok, size_t len, long long expires_ms,
                   long long now_ms, na_err *err);

/* Delete the row whose token is tok. Returns 1 when a row was deleted, 0 when
 * there was none, -1 with err filled. */
int na_store_delete(na_store *s, const char *tok, size_t len, na_err *err);

/* For the backends: free the n strings of list (NULL entries, or a NULL list,
 * are fine) and list itself. */
void na_store_free_list(char **list, size_t n);

/* Free what row holds. Safe twice. */
void na_store_row_free(na_store_row *row);

#endif
