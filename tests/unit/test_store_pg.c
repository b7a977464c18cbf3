/* SPDX-License-Identifier: MIT */
/* test_store_pg.c — lib/store_pg.c, the session store on PostgreSQL, against a
 * private server that the test starts itself (tests/lib/postgres.sh: a temp
 * folder, a Unix socket only; stopped at the end, and by a signal handler if
 * the test crashes). Run from the repository root, as tests/run-all.sh does.
 *
 *  - every PostgreSQL case of tests/vectors/dbsess-vectors.json on the real
 *    adapters' DDL (tests/vectors/dbsess-schema/prisma-pg.sql, pg-adapter.sql):
 *    rows_before inserted; each adapter call replayed (the lookup must read the
 *    expiry and user the adapter returned, updateSession is a touch,
 *    deleteSession a delete); then both tables must hold rows_after exactly as
 *    PostgreSQL prints them. Under the server TimeZone UTC, America/New_York
 *    and Asia/Kolkata, with the process TZ (and once PGTZ, libpq's session
 *    TimeZone) set likewise.
 *  - Drizzle's timestamp (microseconds): truncation to ms, before 1970, the
 *    year 9999, infinity; writes of UTC wall time; Prisma's timestamp(3).
 *  - open: a missing table or column is named; wrong types refused; a bad url;
 *    a password never in a message.
 *  - hostile tokens (NUL inside, not UTF-8, SQL and LIKE metacharacters, case,
 *    long), claims of every type, a read-only store, duplicate tokens.
 *  - failures: a stopped server (NA_E_STORE, then recovery without reopening;
 *    a restart or a terminated backend between two calls costs no call),
 *    a table locked by another session (NA_E_STORE after timeout_ms, the
 *    connection kept), a backend that stops answering (the client's deadline,
 *    a new connection), a postmaster that does not answer (open times out),
 *    a multi-host url whose first hosts are dead. */
#include "store_pg.c"

/* The store calls libpq through lib/pqdl.c's table, loaded at its first open
 * (dlopen). The test's own admin connections call the libpq linked into the
 * test (-lpq): the same library, which dlopen finds already loaded. */
#undef PQclear
#undef PQerrorMessage
#undef PQfinish
#undef PQgetisnull
#undef PQgetvalue
#undef PQntuples
#undef PQresultErrorMessage
#undef PQresultStatus
#undef PQstatus

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "unit.h"

#define NOW_MS 1767225600000LL /* the vectors' frozen clock, 2026-01-01T00:00:00.000Z */
#define TSHORT 500L            /* the short timeout of the timing tests */

static char pgdir[4096];   /* the server's folder */
static char base_url[512]; /* pg_url of database "postgres" */
static volatile pid_t postmaster = 0;

/* --- the server, through tests/lib/postgres.sh ----------------------------- */

/* Run `. tests/lib/postgres.sh && SCRIPT` in bash with $D = the server's
 * folder and $1 = arg; its stdout into out (when out is non-NULL). Returns the
 * exit status (-1: could not run). */
static int sh(const char *script, const char *arg, char *out, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, ". tests/lib/postgres.sh && %s", script);
    int fds[2];
    if (out != NULL && pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t p = fork();
    if (p < 0)
        return -1;
    if (p == 0) {
        if (out != NULL) {
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
        }
        setenv("D", pgdir, 1);
        execl("/bin/bash", "bash", "-c", cmd, "bash", arg != NULL ? arg : "", (char *)NULL);
        _exit(127);
    }
    if (out != NULL) {
        close(fds[1]);
        size_t n = 0;
        ssize_t r;
        while (n + 1 < cap && (r = read(fds[0], out + n, cap - 1 - n)) > 0)
            n += (size_t)r;
        out[n] = '\0';
        while (n > 0 && out[n - 1] == '\n')
            out[--n] = '\0';
        close(fds[0]);
    }
    int st;
    while (waitpid(p, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static pid_t read_pid(void)
{
    char buf[32];
    if (sh("pg_pid \"$D\"", NULL, buf, sizeof buf) != 0)
        return 0;
    return (pid_t)atol(buf);
}

static int server_start(void)
{
    if (sh("pg_start \"$D\" >&2", NULL, NULL, 0) != 0)
        return -1;
    postmaster = read_pid();
    return postmaster > 0 ? 0 : -1;
}

static void server_stop(void)
{
    sh("pg_stop \"$D\"", NULL, NULL, 0);
    postmaster = 0;
}

/* A crash must not leave the server running: immediate shutdown, then die. */
static void on_fatal(int sig)
{
    if (postmaster > 0)
        kill(postmaster, SIGQUIT);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The url of database db: base_url with its path replaced. */
static void url_of(const char *db, char *out, size_t cap)
{
    const char *q = strchr(base_url, '?');
    snprintf(out, cap, "postgresql:///%s%s", db, q != NULL ? q : "");
}

/* --- SQL as the test's own client (session TimeZone UTC) -------------------- */

static PGconn *admin_conn[8];
static char admin_db[8][32];

static void admin_close_all(void)
{
    for (int i = 0; i < 8; i++) {
        PQfinish(admin_conn[i]);
        admin_conn[i] = NULL;
        admin_db[i][0] = '\0';
    }
}

static PGconn *admin(const char *db)
{
    int free_slot = -1;
    for (int i = 0; i < 8; i++) {
        if (admin_conn[i] != NULL && strcmp(admin_db[i], db) == 0)
            return admin_conn[i];
        if (admin_conn[i] == NULL && free_slot < 0)
            free_slot = i;
    }
    char url[700];
    url_of(db, url, sizeof url);
    strcat(url, "&options=-c%20TimeZone%3DUTC%20-c%20client_min_messages%3Dwarning");
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        printf("    admin connect %s: %s", db, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    if (free_slot < 0) {
        printf("    admin: too many databases\n");
        PQfinish(c);
        return NULL;
    }
    /* rows_before may break a foreign key on purpose (a missing user) */
    PQclear(PQexec(c, "SET session_replication_role = replica"));
    admin_conn[free_slot] = c;
    snprintf(admin_db[free_slot], sizeof admin_db[free_slot], "%s", db);
    return c;
}

/* Run SQL (any number of statements); 0, or -1 after printing the error. */
static int sqlx_at(const char *db, const char *sql, int line)
{
    PGconn *c = admin(db);
    if (c == NULL)
        return -1;
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        printf("    line %d: %s: %s", line, sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}
#define SQLX(db, sql) CHECK_EQ_INT(sqlx_at((db), (sql), __LINE__), 0)

/* The first value of the first row, into out ("<null>", "<none>", "<error>"). */
static const char *sql1(const char *db, const char *sql, char *out, size_t cap)
{
    PGconn *c = admin(db);
    if (c == NULL)
        return snprintf(out, cap, "<error>"), out;
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        snprintf(out, cap, "<error> %s", PQresultErrorMessage(r));
    else if (PQntuples(r) == 0)
        snprintf(out, cap, "<none>");
    else if (PQgetisnull(r, 0, 0))
        snprintf(out, cap, "<null>");
    else
        snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return out;
}

/* The whole of a file, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (nb == NULL)
                break;
            buf = nb;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    return buf;
}

/* --- stores ---------------------------------------------------------------- */

static long long mono(void)
{
    return mono_ms();
}

static na_store *open_store(const char *db, na_adapter a, const na_store_names *names,
                            long timeout_ms, int read_only, na_err *err)
{
    char url[600];
    url_of(db, url, sizeof url);
    na_store_opts o = {.url = url, .adapter = a, .timeout_ms = timeout_ms,
                       .read_only = read_only};
    if (names != NULL)
        o.names = *names;
    return na_store_open(&o, err);
}

/* open_store for the timing tests: their subject is the statement, so an
 * open that a loaded machine makes miss the short timeout is tried again. */
static na_store *open_short(const char *db, na_err *err)
{
    na_store *st = NULL;
    for (int i = 0; i < 5 && st == NULL; i++)
        st = open_store(db, NA_ADAPTER_PRISMA, NULL, TSHORT, 0, err);
    return st;
}

/* The store's own session setting (its connection; "" without one). */
static void store_show(na_store *st, const char *setting, char *out, size_t cap)
{
    pg_store *s = (pg_store *)st;
    out[0] = '\0';
    if (s->conn == NULL)
        return;
    char q[100];
    snprintf(q, sizeof q, "SHOW %s", setting);
    PGresult *r = PQexec(s->conn, q);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

static int backend_pid(na_store *st)
{
    pg_store *s = (pg_store *)st;
    return s->conn != NULL ? PQbackendPID(s->conn) : 0;
}

/* --- the databases --------------------------------------------------------- */

/* The Drizzle PostgreSQL schema (drizzle-orm pg-core, @auth/drizzle-adapter's
 * default tables): timestamp without time zone, default precision (µs). */
static const char DRIZZLE_DDL[] =
    "CREATE TABLE \"user\" (id text PRIMARY KEY, name text, email text,"
    " \"emailVerified\" timestamp, image text);"
    "CREATE TABLE \"session\" (\"sessionToken\" text PRIMARY KEY,"
    " \"userId\" text NOT NULL REFERENCES \"user\"(id) ON DELETE cascade,"
    " expires timestamp NOT NULL);";

/* next-auth v4's Prisma schema: "Session" with an id, no createdAt/updatedAt. */
static const char PRISMA_V4_DDL[] =
    "CREATE TABLE \"User\" (id text PRIMARY KEY, name text, email text,"
    " \"emailVerified\" timestamp(3), image text);"
    "CREATE TABLE \"Session\" (id text PRIMARY KEY, \"sessionToken\" text NOT NULL UNIQUE,"
    " \"userId\" text NOT NULL REFERENCES \"User\"(id), expires timestamp(3) NOT NULL);";

static int create_db(const char *db, const char *ddl_file, const char *ddl)
{
    char sql[100];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0", db);
    if (sqlx_at("postgres", sql, __LINE__) != 0)
        return -1;
    if (ddl_file != NULL) {
        char *text = slurp(ddl_file);
        if (text == NULL) {
            printf("    cannot read %s\n", ddl_file);
            return -1;
        }
        int rc = sqlx_at(db, text, __LINE__);
        free(text);
        return rc;
    }
    return sqlx_at(db, ddl, __LINE__);
}

/* --- the vectors ----------------------------------------------------------- */

/* "2026-01-21T00:00:00.000Z" → ms. */
static long long iso_ms(const char *s)
{
    struct tm tm = {0};
    int ms = 0;
    if (s == NULL || sscanf(s, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
        return LLONG_MIN;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) * 1000 + ms;
}

/* Insert rows (a JSON array of objects of text/null) into table. */
static int insert_rows(const char *db, const char *table, json_t *rows)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        na_buf b = {0};
        const char *vals[16];
        int n = 0;
        const char *k;
        json_t *v;
        add(&b, "INSERT INTO ");
        add_ident(&b, table);
        add(&b, " (");
        json_object_foreach(row, k, v) {
            if (strcmp(k, "expires_epoch_ms") == 0 || n == 16)
                continue;
            if (n > 0)
                add(&b, ", ");
            add_ident(&b, k);
            vals[n++] = json_is_null(v) ? NULL : json_string_value(v);
        }
        add(&b, ") VALUES (");
        for (int j = 0; j < n; j++) {
            char p[24];
            snprintf(p, sizeof p, "%s$%d", j ? ", " : "", j + 1);
            add(&b, p);
        }
        na_buf_append(&b, ")", 2); /* with its NUL */
        PGresult *r = PQexecParams(admin(db), b.p, n, NULL, vals, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            printf("    insert into %s: %s", table, PQresultErrorMessage(r));
        PQclear(r);
        na_buf_free(&b);
        if (!ok)
            return -1;
    }
    return 0;
}

/* The table holds exactly rows (each column as PostgreSQL prints it in a UTC
 * session; expires_epoch_ms = extract(epoch FROM expires) * 1000). */
static int table_is(const char *db, const char *table, json_t *rows, const char *name)
{
    char q[200], got[32];
    na_buf qb = {0};
    add(&qb, "SELECT count(*) FROM ");
    add_ident(&qb, table);
    snprintf(q, sizeof q, "%.*s", (int)qb.len, qb.p);
    na_buf_free(&qb);
    sql1(db, q, got, sizeof got);
    if (atoi(got) != (int)json_array_size(rows)) {
        printf("    %s: %s has %s rows, want %zu\n", name, table, got, json_array_size(rows));
        return 0;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        /* SELECT count(*) FROM t WHERE "c1"::text IS NOT DISTINCT FROM $1 AND … */
        na_buf b = {0};
        const char *vals[16];
        int n = 0;
        const char *k;
        json_t *v;
        add(&b, "SELECT count(*) FROM ");
        add_ident(&b, table);
        add(&b, " WHERE true");
        json_object_foreach(row, k, v) {
            if (n == 16)
                break;
            char p[48];
            if (strcmp(k, "expires_epoch_ms") == 0) {
                add(&b, " AND (extract(epoch FROM expires) * 1000)::text");
            } else {
                add(&b, " AND ");
                add_ident(&b, k);
                add(&b, "::text");
            }
            snprintf(p, sizeof p, " IS NOT DISTINCT FROM $%d", n + 1);
            add(&b, p);
            vals[n++] = json_is_null(v) ? NULL : json_string_value(v);
        }
        na_buf_append(&b, "", 1);
        PGresult *r = PQexecParams(admin(db), b.p, n, NULL, vals, NULL, NULL, 0);
        int found = PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0)) == 1;
        if (!found) {
            char *want = json_dumps(row, JSON_COMPACT);
            printf("    %s: %s lacks the row %s %s\n", name, table, want,
                   PQresultErrorMessage(r));
            free(want);
        }
        PQclear(r);
        na_buf_free(&b);
        if (!found)
            return 0;
    }
    return 1;
}

static int json_eq_field(json_t *user, const char *key, json_t *want)
{
    json_t *got = json_object_get(user, key);
    if (want == NULL || json_is_null(want))
        return got != NULL && json_is_null(got);
    if (json_is_integer(want)) { /* pg-adapter ids are numbers; the store gives text */
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(want));
        return json_is_string(got) && strcmp(json_string_value(got), buf) == 0;
    }
    return json_is_string(got) && json_is_string(want) &&
           strcmp(json_string_value(got), json_string_value(want)) == 0;
}

/* One adapter call replayed on the store. Returns 1 when it matched. */
static int replay_call(na_store *st, json_t *call, json_t *rows_before, const char *name)
{
    const char *fn = json_string_value(json_object_get(call, "call"));
    json_t *arg = json_array_get(json_object_get(call, "args"), 0);
    na_err err = {0};
    if (strcmp(fn, "getSessionAndUser") == 0) {
        const char *tok = json_string_value(arg);
        json_t *ret = json_object_get(call, "returned");
        na_store_row row;
        int rc = na_store_get(st, tok, strlen(tok), &row, &err);
        int ok;
        if (ret == NULL || json_is_null(ret)) {
            /* no row, or (pg-adapter's second query) no user */
            ok = rc == 0 || (rc == 1 && !row.has_user);
        } else {
            json_t *sess = json_object_get(ret, "session");
            json_t *user = json_object_get(ret, "user");
            long long want = iso_ms(json_string_value(json_object_get(sess, "expires")));
            ok = rc == 1 && row.expires_ms == want;
            if (ok && (user == NULL || json_is_null(user))) {
                ok = !row.has_user;
            } else if (ok) {
                ok = row.has_user && json_eq_field(row.user, "id", json_object_get(user, "id")) &&
                     json_eq_field(row.user, "name", json_object_get(user, "name")) &&
                     json_eq_field(row.user, "email", json_object_get(user, "email")) &&
                     json_eq_field(row.user, "image", json_object_get(user, "image"));
            }
            if (!ok)
                printf("    %s: get rc %d expires %lld (want %lld) %s\n", name, rc,
                       rc == 1 ? row.expires_ms : 0, want, rc < 0 ? err.msg : "");
        }
        if (rc == 1)
            na_store_row_free(&row);
        return ok;
    }
    if (strcmp(fn, "updateSession") == 0) {
        const char *tok = json_string_value(json_object_get(arg, "sessionToken"));
        long long exp = iso_ms(json_string_value(json_object_get(arg, "expires")));
        int rc = na_store_touch(st, tok, strlen(tok), exp, NOW_MS, &err);
        if (rc != 0)
            printf("    %s: touch %d %s\n", name, rc, err.msg);
        return rc == 0;
    }
    if (strcmp(fn, "deleteSession") == 0) {
        const char *tok = json_string_value(arg);
        int had = 0;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(rows_before, "sessions"), i, r) {
            const char *t = json_string_value(json_object_get(r, "sessionToken"));
            had |= t != NULL && strcmp(t, tok) == 0;
        }
        int rc = na_store_delete(st, tok, strlen(tok), &err);
        if (rc != had)
            printf("    %s: delete %d (want %d) %s\n", name, rc, had, err.msg);
        return rc == had;
    }
    printf("    %s: unknown call %s\n", name, fn);
    return 0;
}

/* Every PostgreSQL vector, on stores opened now (the current TimeZones).
 * Returns how many were replayed. */
static int run_vectors(const char *label)
{
    json_error_t jerr;
    json_t *all = json_load_file("tests/vectors/dbsess-vectors.json", 0, &jerr);
    if (!CHECK(all != NULL)) {
        printf("    cannot read tests/vectors/dbsess-vectors.json: %s\n", jerr.text);
        return 0;
    }
    na_err err = {0};
    na_store *prisma = open_store("prisma", NA_ADAPTER_PRISMA, NULL, 5000, 0, &err);
    CHECK(prisma != NULL);
    na_store *pgad = open_store("pgad", NA_ADAPTER_PG, NULL, 5000, 0, &err);
    CHECK(pgad != NULL);
    int replayed = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(all, "vectors"), i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));
        if (strstr(name, "@postgresql/") == NULL || prisma == NULL || pgad == NULL)
            continue;
        json_t *calls = json_object_get(v, "adapter_calls");
        int threw = 0;
        size_t j;
        json_t *c;
        json_array_foreach(calls, j, c) threw |= json_object_get(c, "threw") != NULL;
        if (json_array_size(calls) == 0 || threw)
            continue; /* no call, or the database failed on purpose */
        int is_pg = strncmp(json_string_value(json_object_get(v, "adapter")),
                            "@auth/pg-adapter", 16) == 0;
        const char *db = is_pg ? "pgad" : "prisma";
        const char *stab = is_pg ? "sessions" : "Session", *utab = is_pg ? "users" : "User";
        na_store *st = is_pg ? pgad : prisma;
        char trunc[80];
        snprintf(trunc, sizeof trunc, "TRUNCATE \"%s\", \"%s\" CASCADE", stab, utab);
        json_t *before = json_object_get(v, "rows_before");
        json_t *after = json_object_get(v, "rows_after");
        char what[200];
        snprintf(what, sizeof what, "%s [%s]", name, label);
        int ok = sqlx_at(db, trunc, __LINE__) == 0 &&
                 insert_rows(db, utab, json_object_get(before, "users")) == 0 &&
                 insert_rows(db, stab, json_object_get(before, "sessions")) == 0;
        json_array_foreach(calls, j, c) ok = ok && replay_call(st, c, before, what);
        ok = ok && table_is(db, stab, json_object_get(after, "sessions"), what) &&
             table_is(db, utab, json_object_get(after, "users"), what);
        if (!unit_report(ok, __FILE__, __LINE__, what))
            continue;
        replayed++;
    }
    na_store_close(prisma);
    na_store_close(pgad);
    json_decref(all);
    return replayed;
}

/* --- the tests ------------------------------------------------------------- */

/* The vectors under every combination of TimeZones asked for; the store's
 * session really runs in the zone the case names. */
static void test_vectors_timezones(void)
{
    static const struct {
        const char *server, *process, *pgtz;
    } zones[] = {
        {"UTC", "UTC", NULL},
        {"America/New_York", "America/New_York", NULL},
        {"Asia/Kolkata", "Asia/Kolkata", NULL},
        {"America/New_York", "Asia/Kolkata", NULL},
        {"UTC", "America/New_York", "Asia/Kolkata"},
    };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        char label[160], got[64];
        snprintf(label, sizeof label, "server %s, TZ %s, PGTZ %s", zones[i].server,
                 zones[i].process, zones[i].pgtz ? zones[i].pgtz : "-");
        CHECK_EQ_INT(sh("pg_set \"$D\" \"timezone=$1\"", zones[i].server, NULL, 0), 0);
        setenv("TZ", zones[i].process, 1);
        tzset();
        if (zones[i].pgtz != NULL)
            setenv("PGTZ", zones[i].pgtz, 1);
        else
            unsetenv("PGTZ");
        na_err err = {0};
        na_store *st = open_store("prisma", NA_ADAPTER_PRISMA, NULL, 5000, 0, &err);
        if (CHECK(st != NULL)) {
            store_show(st, "TimeZone", got, sizeof got);
            CHECK_EQ_STR(got, zones[i].pgtz ? zones[i].pgtz : zones[i].server);
            na_store_close(st);
        }
        int n = run_vectors(label);
        /* 96 PostgreSQL cases, less 18 without a call (no cookie …) or failing on purpose */
        if (!CHECK_EQ_INT(n, 78))
            printf("    %s\n", label);
    }
    sh("pg_set \"$D\" timezone=UTC", NULL, NULL, 0);
    setenv("TZ", "UTC", 1);
    tzset();
    unsetenv("PGTZ");
}

/* Reading and writing times on Drizzle's µs timestamp, pg-adapter's timestamptz
 * and Prisma's timestamp(3), in a non-UTC server and process zone. */
static void test_times(void)
{
    static const struct {
        const char *stored; /* the expires literal */
        long long ms;
    } reads[] = {
        {"2025-12-31 23:59:59.999999", 1767225599999LL}, /* truncated, not rounded */
        {"2025-12-31 23:59:59.9995", 1767225599999LL},
        {"2026-01-01 00:00:00.0005", 1767225600000LL},
        {"2026-01-01 00:00:00", 1767225600000LL},
        {"2026-01-01 00:00:00.001", 1767225600001LL},
        {"1970-01-01 00:00:00", 0},
        {"1969-12-31 23:59:59.9995", -1}, /* toward the past */
        {"1900-03-01 12:34:56.789", -2203845903211LL},
        {"9999-12-31 23:59:59.999999", 253402300799999LL},
    };
    CHECK_EQ_INT(sh("pg_set \"$D\" timezone=Asia/Kolkata", NULL, NULL, 0), 0);
    setenv("TZ", "America/New_York", 1);
    tzset();
    na_err err = {0};
    na_store *dz = open_store("drizzle", NA_ADAPTER_DRIZZLE, NULL, 5000, 0, &err);
    na_store *pg = open_store("pgad", NA_ADAPTER_PG, NULL, 5000, 0, &err);
    na_store *pr = open_store("prisma", NA_ADAPTER_PRISMA, NULL, 5000, 0, &err);
    if (!CHECK(dz != NULL && pg != NULL && pr != NULL))
        goto out;
    SQLX("drizzle", "TRUNCATE \"session\", \"user\";"
                    "INSERT INTO \"user\" VALUES ('u1', 'Ada', 'ada@example.test', NULL, NULL)");
    SQLX("pgad", "TRUNCATE sessions, users;"
                 "INSERT INTO users (id, name, email) VALUES (1, 'Ada', 'ada@example.test')");
    na_store_row row;
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        char sql[300];
        /* timestamp: the literal is UTC wall time */
        snprintf(sql, sizeof sql,
                 "DELETE FROM \"session\"; INSERT INTO \"session\" VALUES ('t', 'u1', '%s')",
                 reads[i].stored);
        SQLX("drizzle", sql);
        CHECK_EQ_INT(na_store_get(dz, "t", 1, &row, &err), 1);
        if (!CHECK_EQ_INT(row.expires_ms, reads[i].ms))
            printf("    timestamp %s\n", reads[i].stored);
        na_store_row_free(&row);
        /* timestamptz: the literal read as UTC, whatever the session's zone */
        snprintf(sql, sizeof sql,
                 "DELETE FROM sessions; INSERT INTO sessions (\"userId\", expires, "
                 "\"sessionToken\") VALUES (1, timestamptz '%s+00', 't')",
                 reads[i].stored);
        SQLX("pgad", sql);
        CHECK_EQ_INT(na_store_get(pg, "t", 1, &row, &err), 1);
        if (!CHECK_EQ_INT(row.expires_ms, reads[i].ms))
            printf("    timestamptz %s+00\n", reads[i].stored);
        na_store_row_free(&row);
    }
    /* the same instant written with an offset */
    SQLX("pgad", "DELETE FROM sessions; INSERT INTO sessions (\"userId\", expires, "
                 "\"sessionToken\") VALUES (1, '2026-01-01 05:30:00.0005+05:30', 't')");
    CHECK_EQ_INT(na_store_get(pg, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1767225600000LL);
    na_store_row_free(&row);

    /* infinity and -infinity cannot be read: a store error, never a session */
    SQLX("drizzle", "DELETE FROM \"session\"; INSERT INTO \"session\" VALUES ('t', 'u1', "
                    "'infinity'), ('n', 'u1', '-infinity')");
    CHECK_EQ_INT(na_store_get(dz, "t", 1, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK(strstr(err.msg, "\"expires\" is NULL or infinite") != NULL);
    CHECK_EQ_INT(na_store_get(dz, "n", 1, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);

    /* writes: UTC wall time into timestamp, the instant into timestamptz,
     * milliseconds kept exactly in timestamp(3) */
    char got[64];
    static const struct {
        long long ms;
        const char *wall;
    } writes[] = {
        {1769817600123LL, "2026-01-31 00:00:00.123"},
        {1769817600000LL, "2026-01-31 00:00:00"},
        {-1, "1969-12-31 23:59:59.999"},
        {253402300799999LL, "9999-12-31 23:59:59.999"},
        {951782400000LL, "2000-02-29 00:00:00"},
    };
    SQLX("drizzle", "DELETE FROM \"session\"; INSERT INTO \"session\" VALUES ('t', 'u1', "
                    "'2026-01-02 00:00:00')");
    SQLX("pgad", "DELETE FROM sessions; INSERT INTO sessions (\"userId\", expires, "
                 "\"sessionToken\") VALUES (1, '2026-01-02 00:00:00+00', 't')");
    SQLX("prisma", "TRUNCATE \"Session\", \"User\" CASCADE; INSERT INTO \"User\" (id, email, "
                   "\"updatedAt\") VALUES ('u1', 'a@example.test', '2025-01-01');"
                   "INSERT INTO \"Session\" VALUES ('t', 'u1', '2026-01-02', '2025-01-01', "
                   "'2025-01-01')");
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        char want[80];
        CHECK_EQ_INT(na_store_touch(dz, "t", 1, writes[i].ms, NOW_MS + 7, &err), 0);
        CHECK_EQ_STR(sql1("drizzle", "SELECT expires::text FROM \"session\"", got, sizeof got),
                     writes[i].wall);
        CHECK_EQ_INT(na_store_get(dz, "t", 1, &row, &err), 1);
        CHECK_EQ_INT(row.expires_ms, writes[i].ms);
        na_store_row_free(&row);

        CHECK_EQ_INT(na_store_touch(pg, "t", 1, writes[i].ms, NOW_MS, &err), 0);
        snprintf(want, sizeof want, "%s+00", writes[i].wall);
        CHECK_EQ_STR(sql1("pgad", "SELECT expires::text FROM sessions", got, sizeof got), want);
        CHECK_EQ_INT(na_store_get(pg, "t", 1, &row, &err), 1);
        CHECK_EQ_INT(row.expires_ms, writes[i].ms);
        na_store_row_free(&row);

        CHECK_EQ_INT(na_store_touch(pr, "t", 1, writes[i].ms, NOW_MS + 7, &err), 0);
        CHECK_EQ_STR(sql1("prisma", "SELECT expires::text FROM \"Session\"", got, sizeof got),
                     writes[i].wall);
        CHECK_EQ_STR(sql1("prisma", "SELECT \"updatedAt\"::text FROM \"Session\"", got,
                          sizeof got),
                     "2026-01-01 00:00:00.007");
    }
    /* a time PostgreSQL cannot hold: refused by the server, a store error */
    CHECK_EQ_INT(na_store_touch(dz, "t", 1, -300000000000000LL, NOW_MS, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK(strstr(err.msg, "SQLSTATE 22008") != NULL);
    CHECK_EQ_INT(na_store_touch(dz, "t", 1, LLONG_MAX, NOW_MS, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_USAGE);
out:
    na_store_close(dz);
    na_store_close(pg);
    na_store_close(pr);
    sh("pg_set \"$D\" timezone=UTC", NULL, NULL, 0);
    setenv("TZ", "UTC", 1);
    tzset();
}

static void expect_open_error(const char *db, na_adapter a, const na_store_names *names,
                              na_code code, const char *msg, int line)
{
    na_err err = {0};
    na_store *st = open_store(db, a, names, 5000, 0, &err);
    char what[300];
    snprintf(what, sizeof what, "open fails: %s", msg);
    int ok = st == NULL && err.code == code && strstr(err.msg, msg) != NULL;
    if (!unit_report(ok, __FILE__, line, what))
        printf("    got %s, code %d: %s\n", st ? "a store" : "NULL", err.code, err.msg);
    na_store_close(st);
}
#define OPEN_FAILS(db, a, names, code, msg) expect_open_error(db, a, names, code, msg, __LINE__)

/* What open checks in the catalog, and the messages. */
static void test_open_errors(void)
{
    na_store_names n = {.session_table = "session"}; /* names are case-sensitive */
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "table \"session\" not found (schemas searched: public)");
    n = (na_store_names){.user_table = "Users"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG, "table \"Users\" not found");
    n = (na_store_names){.expires = "expiry"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "table \"Session\" has no column \"expiry\"");
    n = (na_store_names){.token = "sessiontoken"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "table \"Session\" has no column \"sessiontoken\"");
    n = (na_store_names){.user_id = "user_id"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "table \"Session\" has no column \"user_id\"");
    n = (na_store_names){.image = "picture"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "table \"User\" has no column \"picture\"");
    n = (na_store_names){.updated_at = "modifiedAt"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "table \"Session\" has no column \"modifiedAt\"");
    /* pg-adapter has no updatedAt: named explicitly, it must exist */
    n = (na_store_names){.updated_at = "updatedAt"};
    OPEN_FAILS("pgad", NA_ADAPTER_PG, &n, NA_E_CONFIG,
               "table \"sessions\" has no column \"updatedAt\"");
    /* Drizzle's tables on a Prisma database, and the other way round */
    OPEN_FAILS("prisma", NA_ADAPTER_DRIZZLE, NULL, NA_E_CONFIG, "table \"session\" not found");
    OPEN_FAILS("drizzle", NA_ADAPTER_KYSELY, NULL, NA_E_CONFIG, "table \"Session\" not found");
    /* types */
    n = (na_store_names){.expires = "createdAt", .token = "userId"};
    na_err err = {0};
    na_store *st = open_store("prisma", NA_ADAPTER_PRISMA, &n, 5000, 0, &err);
    CHECK(st != NULL); /* any timestamp column, any text column */
    na_store_close(st);
    n = (na_store_names){.expires = "id"};
    OPEN_FAILS("pgad", NA_ADAPTER_PG, &n, NA_E_CONFIG,
               "column \"id\" of table \"sessions\" has type integer; expected timestamp or "
               "timestamp with time zone");
    n = (na_store_names){.token = "id"};
    OPEN_FAILS("pgad", NA_ADAPTER_PG, &n, NA_E_CONFIG,
               "column \"id\" of table \"sessions\" has type integer; a session token column "
               "must be text or varchar");
    n = (na_store_names){.updated_at = "userId"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "column \"userId\" of table \"Session\" has type text; expected timestamp");
    /* a join the server cannot plan: text = integer */
    n = (na_store_names){.user_table = "users", .id = "id", .user_id = "sessionToken"};
    OPEN_FAILS("pgad", NA_ADAPTER_PG, &n, NA_E_CONFIG, "operator does not exist");
    /* names PostgreSQL would cut, or cannot have */
    n = (na_store_names){.session_table =
                             "S234567890123456789012345678901234567890123456789012345678901234"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG, "is longer than 63 bytes");
    n = (na_store_names){.email = ""};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG, "the user email column name is empty");
    /* quotes in names are quoted, not SQL */
    n = (na_store_names){.session_table = "Session\"; DROP TABLE \"User"};
    OPEN_FAILS("prisma", NA_ADAPTER_PRISMA, &n, NA_E_CONFIG,
               "table \"Session\"; DROP TABLE \"User\" not found");
    char got[32];
    CHECK_EQ_STR(sql1("prisma", "SELECT to_regclass('\"User\"') IS NOT NULL", got, sizeof got),
                 "t");
    /* claims columns */
    const char *cn[] = {"role"}, *cc[] = {"role"};
    na_store_opts o = {.adapter = NA_ADAPTER_PRISMA, .claim_names = cn, .claim_columns = cc,
                       .nclaims = 1, .timeout_ms = 5000};
    char url[600];
    url_of("prisma", url, sizeof url);
    o.url = url;
    st = na_store_open(&o, &err);
    CHECK(st == NULL && err.code == NA_E_CONFIG &&
          strstr(err.msg, "table \"User\" has no column \"role\" (claim \"role\")") != NULL);
    na_store_close(st);
}

/* The url and connection failures: the password never in a message. */
static void test_url_errors(void)
{
    static const char *const bad[] = {
        "postgresql://ada:hunter2%zz@/db",             /* bad percent-encoding */
        "postgresql://ada:hunter2@/db?nosuchparam=1", /* unknown parameter */
        "host=/tmp password=hunter2 port",              /* conninfo without "=" */
        "password='hunter2",                            /* unterminated quote */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        na_store_opts o = {.url = bad[i], .adapter = NA_ADAPTER_PRISMA, .timeout_ms = TSHORT};
        na_err err = {0};
        na_store *st = na_store_open(&o, &err);
        CHECK(st == NULL);
        CHECK_EQ_INT(err.code, NA_E_CONFIG);
        CHECK(strncmp(err.msg, "database.url is not a libpq connection string: ", 47) == 0);
        if (!CHECK(strstr(err.msg, "hunter2") == NULL))
            printf("    %s\n", err.msg);
        na_store_close(st);
    }
    /* nothing listens there: NA_E_STORE with libpq's reason */
    static const char *const dead[] = {
        "postgresql://ada:hunter2@/db?host=/nonexistent-na-test&port=1",
        "host=/nonexistent-na-test port=1 user=hunter2 password=hunter2 dbname=x",
    };
    for (size_t i = 0; i < sizeof dead / sizeof dead[0]; i++) {
        na_store_opts o = {.url = dead[i], .adapter = NA_ADAPTER_PRISMA, .timeout_ms = TSHORT};
        na_err err = {0};
        na_store *st = na_store_open(&o, &err);
        CHECK(st == NULL);
        CHECK_EQ_INT(err.code, NA_E_STORE);
        CHECK(strstr(err.msg, "database: connect: connection to server on socket "
                              "\"/nonexistent-na-test/.s.PGSQL.1\" failed: No such file or "
                              "directory") != NULL);
        CHECK(strstr(err.msg, "Is the server running") == NULL); /* hint lines dropped */
        if (!CHECK(strstr(err.msg, "hunter2") == NULL || i == 1))
            printf("    %s\n", err.msg);
        na_store_close(st);
    }
    /* scrub, one_line, redact_quoted themselves */
    pg_store s = {.password = "hunter2"};
    char m[200] = "a hunter2 b hunter2hunter2 c";
    scrub(&s, m, sizeof m);
    CHECK_EQ_STR(m, "a *** b ****** c");
    s.password = "x";
    snprintf(m, sizeof m, "xxx");
    scrub(&s, m, sizeof m);
    CHECK_EQ_STR(m, "*********");
    char small[6] = "axbxc";
    scrub(&s, small, sizeof small);
    CHECK_EQ_STR(small, "a***b");
    one_line("first line\n\tIs the hint\nsecond  \n\n", m, sizeof m);
    CHECK_EQ_STR(m, "first line; second");
    one_line("abcdef", small, sizeof small);
    CHECK_EQ_STR(small, "abcde");
    redact_quoted("invalid percent-encoded token: \"hunter2%zz\"", m, sizeof m);
    CHECK_EQ_STR(m, "invalid percent-encoded token: \"…\"");
}

/* Tokens the server cannot hold, and tokens that look like SQL or patterns. */
static void test_hostile_tokens(void)
{
    SQLX("prisma", "TRUNCATE \"Session\", \"User\" CASCADE; INSERT INTO \"User\" (id, email, "
                   "\"updatedAt\") VALUES ('u1', 'a@example.test', '2025-01-01');"
                   "INSERT INTO \"Session\" (\"sessionToken\", \"userId\", expires, "
                   "\"updatedAt\") VALUES ('abc', 'u1', '2026-01-11', '2025-01-01'),"
                   " ('tok en;ü/✓', 'u1', '2026-01-11', '2025-01-01'),"
                   " (E'a\\nb', 'u1', '2026-01-11', '2025-01-01'),"
                   " (repeat('x', 4096), 'u1', '2026-01-11', '2025-01-01')");
    na_err err = {0};
    na_store *st = open_store("prisma", NA_ADAPTER_PRISMA, NULL, 5000, 0, &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    static const struct {
        const char *tok;
        size_t len;
        int found;
    } cases[] = {
        {"abc", 3, 1},
        {"tok en;\xc3\xbc/\xe2\x9c\x93", 13, 1},
        {"a\nb", 3, 1},
        {"abc\0def", 7, 0}, /* a NUL: never cut to "abc" */
        {"abc\0", 4, 0},
        {"\0abc", 4, 0},
        {"ABC", 3, 0},
        {"abc ", 4, 0},
        {" abc", 4, 0},
        {"ab", 2, 0},
        {"", 0, 0},
        {"%", 1, 0},
        {"a%", 2, 0},
        {"_bc", 3, 0},
        {"x' OR '1'='1", 12, 0},
        {"abc'; DELETE FROM \"Session\"; --", 31, 0},
        {"\xff", 1, 0},             /* not UTF-8: */
        {"abc\xc3", 4, 0},          /* cut sequence */
        {"\xc0\xaf", 2, 0},         /* overlong */
        {"\xed\xa0\x80", 3, 0},     /* surrogate */
        {"\xf4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
        {"tok en;\xfc/", 9, 0},     /* Latin-1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        na_store_row row;
        const char *tok = unit_guarded(cases[i].tok, cases[i].len);
        int rc = na_store_get(st, tok, cases[i].len, &row, &err);
        if (!CHECK_EQ_INT(rc, cases[i].found))
            printf("    case %zu: %s\n", i, rc < 0 ? err.msg : "");
        if (rc == 1)
            na_store_row_free(&row);
        if (!cases[i].found) {
            CHECK_EQ_INT(na_store_touch(st, tok, cases[i].len, NOW_MS, NOW_MS, &err), 0);
            CHECK_EQ_INT(na_store_delete(st, tok, cases[i].len, &err), 0);
        }
    }
    /* the long token, and one byte more */
    char *big = malloc(NA_PG_TOKEN_MAX + 1);
    memset(big, 'x', NA_PG_TOKEN_MAX + 1);
    na_store_row row;
    CHECK_EQ_INT(na_store_get(st, big, 4096, &row, &err), 1);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_get(st, big, 4097, &row, &err), 0);
    CHECK_EQ_INT(na_store_get(st, big, NA_PG_TOKEN_MAX, &row, &err), 0);
    CHECK_EQ_INT(na_store_get(st, big, NA_PG_TOKEN_MAX + 1, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_USAGE);
    free(big);
    /* nothing was changed by the misses */
    char got[64];
    CHECK_EQ_STR(sql1("prisma", "SELECT count(*) || ' ' || max(expires)::text FROM \"Session\"",
                      got, sizeof got),
                 "4 2026-01-11 00:00:00");
    /* delete: a row, then none */
    CHECK_EQ_INT(na_store_delete(st, "abc", 3, &err), 1);
    CHECK_EQ_INT(na_store_delete(st, "abc", 3, &err), 0);
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), 0);
    /* varchar(255) of pg-adapter: a longer token is simply not there */
    na_store *pg = open_store("pgad", NA_ADAPTER_PG, NULL, 5000, 0, &err);
    if (CHECK(pg != NULL)) {
        char t300[300];
        memset(t300, 'y', sizeof t300);
        CHECK_EQ_INT(na_store_get(pg, t300, sizeof t300, &row, &err), 0);
        na_store_close(pg);
    }
    na_store_close(st);
}

/* pg-adapter's schema allows two rows with one token and sessions without a
 * user: one of the rows is read, a delete removes both. */
static void test_duplicates_and_orphans(void)
{
    SQLX("pgad", "TRUNCATE sessions, users;"
                 "INSERT INTO users (id, name, email) VALUES (1, 'Ada', 'a@example.test'),"
                 " (2, 'Grace', 'g@example.test');"
                 "INSERT INTO sessions (\"userId\", expires, \"sessionToken\") VALUES"
                 " (1, '2026-01-11 00:00:00+00', 'dup'), (2, '2026-01-12 00:00:00+00', 'dup'),"
                 " (9, '2026-01-13 00:00:00+00', 'orphan')");
    na_err err = {0};
    na_store *st = open_store("pgad", NA_ADAPTER_PG, NULL, 5000, 0, &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    na_store_row row;
    CHECK_EQ_INT(na_store_get(st, "dup", 3, &row, &err), 1);
    CHECK(row.has_user);
    const char *id = json_string_value(json_object_get(row.user, "id"));
    CHECK((row.expires_ms == 1768089600000LL && id != NULL && strcmp(id, "1") == 0) ||
          (row.expires_ms == 1768176000000LL && id != NULL && strcmp(id, "2") == 0));
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_get(st, "orphan", 6, &row, &err), 1);
    CHECK_EQ_INT(row.has_user, 0);
    CHECK(row.user == NULL);
    CHECK_EQ_INT(row.expires_ms, 1768262400000LL);
    na_store_row_free(&row);
    na_store_row_free(&row); /* safe twice */
    CHECK_EQ_INT(na_store_touch(st, "dup", 3, 1769817600000LL, NOW_MS, &err), 0);
    char got[100];
    CHECK_EQ_STR(sql1("pgad", "SELECT string_agg(expires::text, ',') FROM sessions WHERE "
                              "\"sessionToken\" = 'dup'",
                      got, sizeof got),
                 "2026-01-31 00:00:00+00,2026-01-31 00:00:00+00");
    CHECK_EQ_INT(na_store_delete(st, "dup", 3, &err), 1);
    CHECK_EQ_STR(sql1("pgad", "SELECT count(*) FROM sessions", got, sizeof got), "1");
    na_store_close(st);
}

/* Extra user columns as claims, each in its JSON type; a column that is not
 * UTF-8 text cannot happen in a UTF8 database, so every type is exercised. */
static void test_claims(void)
{
    SQLX("drizzle", "ALTER TABLE \"user\" ADD role text, ADD level int4, ADD small int2,"
                    " ADD big int8, ADD admin bool, ADD score float8, ADD ratio float4,"
                    " ADD balance numeric(10,2), ADD tags text[], ADD nan float8,"
                    " ADD \"Mixed Case\" text, ADD born date, ADD uid uuid;"
                    "TRUNCATE \"session\", \"user\";"
                    "INSERT INTO \"user\" VALUES ('u1', 'Ada', 'ada@example.test', NULL, NULL,"
                    " 'admin', 3, -2, 9007199254740993, true, 1.5, 0.25, 12.50,"
                    " '{a,\"b c\"}', 'NaN', 'x\"y', '1815-12-10',"
                    " '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f');"
                    "INSERT INTO \"user\" (id, email) VALUES ('u2', 'b@example.test');"
                    "INSERT INTO \"session\" VALUES ('t1', 'u1', '2026-01-11'),"
                    " ('t2', 'u2', '2026-01-11')");
    static const char *const names[] = {"role", "level", "small", "big", "admin", "score",
                                        "ratio", "balance", "tags", "nan", "mixed", "born",
                                        "uid"};
    static const char *const cols[] = {"role", "level", "small", "big", "admin", "score",
                                       "ratio", "balance", "tags", "nan", "Mixed Case", "born",
                                       "uid"};
    char url[600];
    url_of("drizzle", url, sizeof url);
    na_store_opts o = {.url = url, .adapter = NA_ADAPTER_DRIZZLE, .claim_names = names,
                       .claim_columns = cols, .nclaims = 13, .timeout_ms = 5000};
    na_err err = {0};
    na_store *st = na_store_open(&o, &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    na_store_row row;
    CHECK_EQ_INT(na_store_get(st, "t1", 2, &row, &err), 1);
    char *dump = json_dumps(row.user, JSON_COMPACT);
    CHECK_EQ_STR(dump, "{\"id\":\"u1\",\"name\":\"Ada\",\"email\":\"ada@example.test\","
                       "\"image\":null,\"role\":\"admin\",\"level\":3,\"small\":-2,"
                       "\"big\":9007199254740993,\"admin\":true,\"score\":1.5,\"ratio\":0.25,"
                       "\"balance\":\"12.50\",\"tags\":\"{a,\\\"b c\\\"}\",\"nan\":\"NaN\","
                       "\"mixed\":\"x\\\"y\",\"born\":\"1815-12-10\","
                       "\"uid\":\"6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f\"}");
    free(dump);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_get(st, "t2", 2, &row, &err), 1);
    dump = json_dumps(row.user, JSON_COMPACT);
    CHECK_EQ_STR(dump, "{\"id\":\"u2\",\"name\":null,\"email\":\"b@example.test\","
                       "\"image\":null,\"role\":null,\"level\":null,\"small\":null,"
                       "\"big\":null,\"admin\":null,\"score\":null,\"ratio\":null,"
                       "\"balance\":null,\"tags\":null,\"nan\":null,\"mixed\":null,"
                       "\"born\":null,\"uid\":null}");
    free(dump);
    na_store_row_free(&row);
    na_store_close(st);
    /* more claims than the store takes */
    o.nclaims = NA_STORE_MAX_CLAIMS + 1;
    st = na_store_open(&o, &err);
    CHECK(st == NULL && err.code == NA_E_CONFIG);
    SQLX("drizzle", "ALTER TABLE \"user\" DROP role, DROP level, DROP small, DROP big,"
                    " DROP admin, DROP score, DROP ratio, DROP balance, DROP tags, DROP nan,"
                    " DROP \"Mixed Case\", DROP born, DROP uid");
}

/* A read-only store reads, refuses to write, and its session is read-only. */
static void test_read_only(void)
{
    SQLX("prisma", "TRUNCATE \"Session\", \"User\" CASCADE; INSERT INTO \"User\" (id, email, "
                   "\"updatedAt\") VALUES ('u1', 'a@example.test', '2025-01-01');"
                   "INSERT INTO \"Session\" (\"sessionToken\", \"userId\", expires, "
                   "\"updatedAt\") VALUES ('abc', 'u1', '2026-01-11', '2025-01-01')");
    na_err err = {0};
    na_store *st = open_store("prisma", NA_ADAPTER_PRISMA, NULL, 5000, 1, &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    na_store_row row;
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(row.user, "email")), "a@example.test");
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_touch(st, "abc", 3, NOW_MS, NOW_MS, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_USAGE);
    CHECK_EQ_INT(na_store_delete(st, "abc", 3, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_USAGE);
    char got[32];
    store_show(st, "default_transaction_read_only", got, sizeof got);
    CHECK_EQ_STR(got, "on");
    store_show(st, "statement_timeout", got, sizeof got);
    CHECK_EQ_STR(got, "5s");
    CHECK_EQ_STR(sql1("prisma", "SELECT count(*) FROM \"Session\"", got, sizeof got), "1");
    na_store_close(st);
}

/* next-auth v4's Prisma schema has no "updatedAt": the default name is then
 * simply not written. */
static void test_prisma_without_updated_at(void)
{
    SQLX("prisma4", "INSERT INTO \"User\" (id, email) VALUES ('u1', 'a@example.test');"
                    "INSERT INTO \"Session\" VALUES ('s1', 'tok', 'u1', '2026-01-11')");
    na_err err = {0};
    na_store *st = open_store("prisma4", NA_ADAPTER_PRISMA, NULL, 5000, 0, &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    CHECK_EQ_INT(((pg_store *)st)->updated_at_type, 0);
    CHECK_EQ_INT(na_store_touch(st, "tok", 3, 1769817600000LL, NOW_MS, &err), 0);
    char got[64];
    CHECK_EQ_STR(sql1("prisma4", "SELECT expires::text FROM \"Session\"", got, sizeof got),
                 "2026-01-31 00:00:00");
    na_store_close(st);
}

/* The server stops and comes back: errors meanwhile, then the same store
 * works again, connecting anew on its own. */
static void test_restart(void)
{
    SQLX("prisma", "TRUNCATE \"Session\", \"User\" CASCADE; INSERT INTO \"User\" (id, email, "
                   "\"updatedAt\") VALUES ('u1', 'a@example.test', '2025-01-01');"
                   "INSERT INTO \"Session\" (\"sessionToken\", \"userId\", expires, "
                   "\"updatedAt\") VALUES ('abc', 'u1', '2026-01-11', '2025-01-01')");
    na_err err = {0};
    na_store *st = open_store("prisma", NA_ADAPTER_PRISMA, NULL, 5000, 0, &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    na_store_row row;
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), 1);
    na_store_row_free(&row);
    admin_close_all();
    server_stop();
    /* the connection is gone, a new one cannot be made: NA_E_STORE, at once */
    long long t0 = mono();
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK(((pg_store *)st)->conn == NULL);
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK(strstr(err.msg, "database: connect: connection to server on socket") != NULL);
    CHECK(mono() - t0 < 2500); /* not after the timeout */
    CHECK_EQ_INT(na_store_touch(st, "abc", 3, NOW_MS, NOW_MS, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_INT(na_store_delete(st, "abc", 3, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_INT(server_start(), 0);
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1768089600000LL);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_touch(st, "abc", 3, 1769817600000LL, NOW_MS, &err), 0);
    /* a restart between two calls: the closed connection is noticed before
     * use, and the call succeeds on a new one */
    int pid = backend_pid(st);
    server_stop();
    CHECK_EQ_INT(server_start(), 0);
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1769817600000LL);
    na_store_row_free(&row);
    CHECK(backend_pid(st) != pid);
    /* the same for a backend terminated by an administrator (waited for) */
    pid = backend_pid(st);
    char q[100], got[16];
    snprintf(q, sizeof q, "SELECT pg_terminate_backend(%d, 5000)", pid);
    CHECK_EQ_STR(sql1("postgres", q, got, sizeof got), "t");
    CHECK_EQ_INT(na_store_delete(st, "abc", 3, &err), 1);
    CHECK(backend_pid(st) != pid);
    na_store_close(st);
}

/* A statement that waits on a lock: the server cancels it after timeout_ms,
 * NA_E_STORE, and the connection stays and works once the lock is gone. */
static void test_lock_timeout(void)
{
    SQLX("prisma", "TRUNCATE \"Session\", \"User\" CASCADE; INSERT INTO \"User\" (id, email, "
                   "\"updatedAt\") VALUES ('u1', 'a@example.test', '2025-01-01');"
                   "INSERT INTO \"Session\" (\"sessionToken\", \"userId\", expires, "
                   "\"updatedAt\") VALUES ('abc', 'u1', '2026-01-11', '2025-01-01')");
    na_err err = {0};
    na_store *st = open_short("prisma", &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    int pid = backend_pid(st);
    SQLX("prisma", "BEGIN; LOCK TABLE \"Session\" IN ACCESS EXCLUSIVE MODE");
    na_store_row row;
    long long t0 = mono();
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), -1);
    long long took = mono() - t0;
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: get: no answer within 500 ms (canceled)");
    if (!CHECK(took >= TSHORT - 20 && took < TSHORT + NA_PG_GRACE_MS))
        printf("    took %lld ms\n", took);
    t0 = mono();
    CHECK_EQ_INT(na_store_touch(st, "abc", 3, NOW_MS, NOW_MS, &err), -1);
    CHECK_EQ_STR(err.msg, "database: touch: no answer within 500 ms (canceled)");
    CHECK_EQ_INT(na_store_delete(st, "abc", 3, &err), -1);
    took = mono() - t0;
    CHECK(took >= 2 * (TSHORT - 20) && took < 2 * (TSHORT + NA_PG_GRACE_MS));
    SQLX("prisma", "ROLLBACK");
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), 1);
    na_store_row_free(&row);
    CHECK_EQ_INT(backend_pid(st), pid); /* the same connection */
    na_store_close(st);
}

/* A backend that stops answering (SIGSTOP): the client gives up after
 * timeout_ms + NA_PG_GRACE_MS, closes, and the next call connects anew. */
static void test_stalled_backend(void)
{
    na_err err = {0};
    na_store *st = open_short("prisma", &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    pid_t pid = backend_pid(st);
    if (!CHECK(pid > 0 && kill(pid, SIGSTOP) == 0)) {
        na_store_close(st);
        return;
    }
    na_store_row row;
    long long t0 = mono();
    int rc = na_store_get(st, "abc", 3, &row, &err);
    long long took = mono() - t0;
    kill(pid, SIGCONT);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: get: no answer within 500 ms");
    if (!CHECK(took >= TSHORT + NA_PG_GRACE_MS - 20 && took < TSHORT + NA_PG_GRACE_MS + 1000))
        printf("    took %lld ms\n", took);
    CHECK(((pg_store *)st)->conn == NULL);
    CHECK_EQ_INT(na_store_get(st, "abc", 3, &row, &err), 1);
    na_store_row_free(&row);
    CHECK(backend_pid(st) != pid);
    na_store_close(st);
}

/* A postmaster that accepts but does not answer: open gives up at timeout_ms. */
static void test_connect_timeout(void)
{
    na_err err = {0};
    if (!CHECK(postmaster > 0 && kill(postmaster, SIGSTOP) == 0))
        return;
    long long t0 = mono();
    na_store *st = open_store("prisma", NA_ADAPTER_PRISMA, NULL, TSHORT, 0, &err);
    long long took = mono() - t0;
    kill(postmaster, SIGCONT);
    CHECK(st == NULL);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: connect: no answer within 500 ms");
    if (!CHECK(took >= TSHORT - 20 && took < TSHORT + 1000))
        printf("    took %lld ms\n", took);
    na_store_close(st);
}

/* libpq's multi-host lists: dead entries first, then the live server. */
static void test_multi_host(void)
{
    char url[2048], rest[600];
    const char *host = strstr(base_url, "host=");
    const char *amp = host ? strchr(host, '&') : NULL;
    const char *port = strstr(base_url, "port=");
    const char *pamp = port ? strchr(port, '&') : NULL;
    if (!CHECK(host && amp && port && pamp))
        return;
    char h[400], p[16];
    snprintf(h, sizeof h, "%.*s", (int)(amp - host - 5), host + 5);
    snprintf(p, sizeof p, "%.*s", (int)(pamp - port - 5), port + 5);
    snprintf(rest, sizeof rest, "%s", strstr(base_url, "&user="));
    snprintf(url, sizeof url,
             "postgresql:///prisma?host=%%2Fnonexistent-na-test,%s,%s&port=%s,1,%s"
             "&target_session_attrs=read-write%s",
             h, h, p, p, rest);
    na_store_opts o = {.url = url, .adapter = NA_ADAPTER_PRISMA, .timeout_ms = 5000};
    na_err err = {0};
    na_store *st = na_store_open(&o, &err);
    if (CHECK(st != NULL)) {
        na_store_row row;
        int rc = na_store_get(st, "abc", 3, &row, &err);
        CHECK(rc >= 0);
        if (rc == 1)
            na_store_row_free(&row);
        if (((pg_store *)st)->conn != NULL)
            CHECK_EQ_STR(PQport(((pg_store *)st)->conn), p);
        na_store_close(st);
    } else {
        printf("    %s\n", err.msg);
    }
    /* the conninfo form, too */
    char user[600];
    snprintf(user, sizeof user, "%s", rest + 6);
    char dec[400];
    size_t o2 = 0;
    for (const char *c = h; *c && o2 + 1 < sizeof dec; c++) { /* %2F → / */
        if (c[0] == '%' && c[1] && c[2]) {
            dec[o2++] = (char)strtol((char[]){c[1], c[2], 0}, NULL, 16);
            c += 2;
        } else {
            dec[o2++] = *c;
        }
    }
    dec[o2] = '\0';
    snprintf(url, sizeof url, "host='%s' port=%s dbname=prisma user='%s'", dec, p, user);
    o.url = url;
    st = na_store_open(&o, &err);
    if (!CHECK(st != NULL))
        printf("    %s: %s\n", url, err.msg);
    na_store_close(st);
}

/* Tables in another schema, through the url's search_path. */
static void test_search_path(void)
{
    SQLX("prisma4", "CREATE SCHEMA auth; CREATE TABLE auth.\"Session\" (\"sessionToken\" text,"
                    " \"userId\" text, expires timestamptz);"
                    "CREATE TABLE auth.\"User\" (id text, name text, email text, image text);"
                    "INSERT INTO auth.\"User\" VALUES ('z', 'Zed', NULL, NULL);"
                    "INSERT INTO auth.\"Session\" VALUES ('zz', 'z', '2026-01-02 00:00:00+00')");
    char url[700];
    url_of("prisma4", url, sizeof url);
    strcat(url, "&options=-csearch_path%3Dauth");
    na_store_opts o = {.url = url, .adapter = NA_ADAPTER_KYSELY, .timeout_ms = 5000};
    na_err err = {0};
    na_store *st = na_store_open(&o, &err);
    if (!CHECK(st != NULL)) {
        printf("    %s\n", err.msg);
        return;
    }
    na_store_row row;
    CHECK_EQ_INT(na_store_get(st, "zz", 2, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1767312000000LL);
    CHECK_EQ_STR(json_string_value(json_object_get(row.user, "name")), "Zed");
    na_store_row_free(&row);
    CHECK_EQ_INT(((pg_store *)st)->expires_type, OID_TIMESTAMPTZ);
    na_store_close(st);
}

int main(void)
{
    if (access("tests/lib/postgres.sh", R_OK) != 0) {
        printf("not ok - run from the repository root (tests/lib/postgres.sh)\n");
        return unit_done() || 1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(pgdir, sizeof pgdir, "%s/na-store-pg-XXXXXX",
             tmp != NULL && tmp[0] == '/' && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(pgdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    strcat(pgdir, "/pg");
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTERM, SIGINT,
                                SIGHUP};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], on_fatal);
    setenv("TZ", "UTC", 1);
    tzset();
    unsetenv("PGTZ");
    unsetenv("PGOPTIONS");

    if (!CHECK_EQ_INT(server_start(), 0) ||
        !CHECK_EQ_INT(sh("pg_url \"$D\" postgres", NULL, base_url, sizeof base_url), 0))
        goto out;
    if (!CHECK(create_db("prisma", "tests/vectors/dbsess-schema/prisma-pg.sql", NULL) == 0) ||
        !CHECK(create_db("pgad", "tests/vectors/dbsess-schema/pg-adapter.sql", NULL) == 0) ||
        !CHECK(create_db("drizzle", NULL, DRIZZLE_DDL) == 0) ||
        !CHECK(create_db("prisma4", NULL, PRISMA_V4_DDL) == 0))
        goto out;

    RUN(test_vectors_timezones);
    RUN(test_times);
    RUN(test_open_errors);
    RUN(test_url_errors);
    RUN(test_hostile_tokens);
    RUN(test_duplicates_and_orphans);
    RUN(test_claims);
    RUN(test_read_only);
    RUN(test_prisma_without_updated_at);
    RUN(test_search_path);
    RUN(test_multi_host);
    RUN(test_lock_timeout);
    RUN(test_stalled_backend);
    RUN(test_connect_timeout);
    RUN(test_restart);
out:
    admin_close_all();
    server_stop();
    *strrchr(pgdir, '/') = '\0';
    sh("rm -rf -- \"$D\"", NULL, NULL, 0);
    return unit_done();
}
