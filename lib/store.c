/* SPDX-License-Identifier: MIT */
/* store.c — adapter presets and the backend dispatch of the session store
 * (see store.h). */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "store_pg.h"
#include "store_sqlite.h"

static const char *const adapter_names[] = {"prisma", "drizzle", "pg", "kysely"};

int na_store_adapter_parse(const char *s, na_adapter *out)
{
    for (size_t i = 0; i < sizeof adapter_names / sizeof adapter_names[0]; i++)
        if (strcmp(s, adapter_names[i]) == 0) {
            *out = (na_adapter)i;
            return 0;
        }
    return -1;
}

const char *na_store_adapter_name(na_adapter a)
{
    return (size_t)a < sizeof adapter_names / sizeof adapter_names[0] ? adapter_names[a] : "?";
}

/* The adapters' schemas (docs/behaviour.md, Database sessions): Prisma's and
 * Kysely's models are "Session"/"User", Drizzle's default tables "session"/
 * "user", @auth/pg-adapter's schema.sql sessions/users; every one names the
 * columns sessionToken, userId, expires and id, name, email, image. Only
 * Prisma Client writes an updatedAt (its @updatedAt has no database default). */
void na_store_default_names(na_adapter a, na_store_names *n)
{
    static const char *const session_table[] = {"Session", "session", "sessions", "Session"};
    static const char *const user_table[] = {"User", "user", "users", "User"};
    if (n->session_table == NULL)
        n->session_table = session_table[a];
    if (n->user_table == NULL)
        n->user_table = user_table[a];
    if (n->token == NULL)
        n->token = "sessionToken";
    if (n->user_id == NULL)
        n->user_id = "userId";
    if (n->expires == NULL)
        n->expires = "expires";
    if (n->updated_at == NULL && a == NA_ADAPTER_PRISMA)
        n->updated_at = "updatedAt";
    if (n->id == NULL)
        n->id = "id";
    if (n->name == NULL)
        n->name = "name";
    if (n->email == NULL)
        n->email = "email";
    if (n->image == NULL)
        n->image = "image";
}

na_store *na_store_open(const na_store_opts *o, na_err *err)
{
    na_store_opts r = *o;
    na_store_default_names(o->adapter, &r.names);
    if (o->url == NULL || o->url[0] == '\0') {
        na_err_set(err, NA_E_CONFIG, "database.url is not set");
        return NULL;
    }
    if (o->timeout_ms <= 0) {
        na_err_set(err, NA_E_USAGE, "database.timeoutMs must be positive");
        return NULL;
    }
    if (strncmp(o->url, "sqlite:", 7) == 0)
        return na_store_sqlite_open(&r, err);
    return na_store_pg_open(&r, err);
}

void na_store_close(na_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

int na_store_get(na_store *s, const char *tok, size_t len, na_store_row *row, na_err *err)
{
    row->expires_ms = 0;
    row->has_user = 0;
    row->user = NULL;
    return s->ops->get(s, tok, len, row, err);
}

int na_store_touch(na_store *s, const char *tok, size_t len, long long expires_ms,
                   long long now_ms, na_err *err)
{
    return s->ops->touch(s, tok, len, expires_ms, now_ms, err);
}

int na_store_delete(na_store *s, const char *tok, size_t len, na_err *err)
{
    return s->ops->del(s, tok, len, err);
}

void na_store_free_list(char **list, size_t n)
{
    for (size_t i = 0; list != NULL && i < n; i++)
        free(list[i]);
    free(list);
}

void na_store_row_free(na_store_row *row)
{
    json_decref(row->user);
    row->user = NULL;
    row->has_user = 0;
}
