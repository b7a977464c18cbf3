/* SPDX-License-Identifier: MIT */
/* store_pg.c — the session store on PostgreSQL, through libpq (see store_pg.h).
 *
 * Connecting. The url goes to libpq as it is (a URI or a conninfo string, with
 * multi-host lists, target_session_attrs, passfile and every other libpq
 * parameter), plus client_encoding=UTF8. PQconnectStartParams/PQconnectPoll
 * are driven with poll() against our own deadline, timeout_ms (libpq's
 * connect_timeout counts whole seconds, at least 2, and only for its blocking
 * calls). Host names are resolved by libpq itself, blocking: give an address
 * (hostaddr=) where a slow DNS must not eat the deadline. Each connection then
 * runs, within the same deadline: SET statement_timeout (and, for a read-only
 * store, default_transaction_read_only), the catalog check, and PQprepare of
 * its three statements. A message names host and user as libpq does but never
 * the password (it is cut out of every message, the url is never printed).
 *
 * The catalog check (at open, and again on every reconnect, which may reach
 * another host of the list): both tables are looked up by name in the
 * connection's search_path (to_regclass of the quoted name, PostgreSQL 9.6
 * and later: names are case-sensitive, as the adapters create them), and
 * every configured column must exist; the message names the first one
 * missing. expires must be a timestamp or timestamptz (any precision); the
 * token column text or varchar, so that = compares bytes; anything else is
 * NA_E_CONFIG naming the column and its type. Prisma's "updatedAt" is
 * written only when that column exists.
 *
 * User columns become JSON by their type: NULL is null, bool true/false,
 * int2/int4/int8 an integer, float4/float8 a number, anything else (text,
 * numeric, uuid, dates, arrays) its text; the id is always its text.
 *
 * Reading a time. Never through the session's TimeZone (the server's default,
 * PGTZ, or a SET by someone else): the lookup selects
 * round(date_part('epoch', date_trunc('milliseconds', expires)) * 1000). For a
 * timestamp (without time zone) the epoch is that of the nominal wall time,
 * which the adapters write in UTC; for a timestamptz that of the instant.
 * date_trunc drops the sub-millisecond part toward the past, as node-postgres
 * reads it (…59.9995 is …59.999, not the next second); the value is then a
 * whole number of milliseconds, which round() gives exactly from date_part's
 * double. infinity and NULL (isfinite) come back as NULL: an unreadable
 * expiry, NA_E_STORE.
 *
 * Writing a time: a binary parameter of the column's own type, the int64
 * microseconds since 2000-01-01 of the PostgreSQL wire format (integer
 * datetimes: every server since 10). For a timestamp that is the UTC wall
 * time, as Prisma and Drizzle write it; for a timestamptz the instant. No text
 * is parsed, no TimeZone consulted, and timestamp(3) receives whole
 * milliseconds, so nothing is rounded.
 *
 * Tokens. Always the first parameter, binary text with its explicit length
 * (the bytes as they are, never cut at a NUL). PostgreSQL text can hold
 * neither a NUL byte nor, in a UTF8 database, a byte sequence that is not
 * UTF-8 (the server would refuse the parameter): no row can have such a
 * token, so get and delete answer "no such row" and touch changes nothing,
 * without asking the server. The lookup is one statement, the session LEFT
 * JOIN its user, LIMIT 1: @auth/pg-adapter's schema has no UNIQUE on the
 * token, and when two rows share one, the row is whichever PostgreSQL returns
 * first, as the adapter's rows[0] is.
 *
 * Statement timeouts: the server cancels a statement after timeout_ms
 * (statement_timeout, set on connect: lock waits included), which leaves the
 * connection usable; the client stops waiting NA_PG_GRACE_MS later, for a
 * server or network that does not answer at all, and closes the connection.
 * Any failure that leaves the connection unusable closes it, and the next call
 * connects again (within its own timeout_ms); a connection that the server
 * closed while idle (a restart, idle_session_timeout) is noticed before it is
 * used, and replaced at once. */
#include "store_pg.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pqdl.h"
#include "text.h"

/* Type OIDs, fixed in PostgreSQL's catalog (pg_type.dat) since 7.x. */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_VARCHAR 1043
#define OID_TIMESTAMP 1114
#define OID_TIMESTAMPTZ 1184

/* How long the client waits past the server's statement_timeout before it
 * gives up on a connection that does not answer. */
#define NA_PG_GRACE_MS 200
/* timeout_ms is clamped to a day (statement_timeout holds at most INT_MAX ms). */
#define NA_PG_TIMEOUT_MAX 86400000L
/* NAMEDATALEN - 1: PostgreSQL silently cuts longer identifiers, which could
 * then name another table or column. */
#define NA_PG_NAME_MAX 63
/* A token is at most 4096 bytes by the caller's rule; anything past this is a
 * caller's bug, not a lookup. */
#define NA_PG_TOKEN_MAX (1024 * 1024)
/* ms from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define NA_PG_EPOCH_SHIFT_MS 946684800000LL

/* The user columns in the lookup's result, after expires and has_user. */
enum { COL_EXPIRES, COL_HAS_USER, COL_ID, COL_NAME, COL_EMAIL, COL_IMAGE, COL_CLAIMS };

typedef struct {
    na_store base;
    char *url;
    char *password;       /* the url's password, cut out of messages; NULL: none */
    /* owned copies of the names */
    char *session_table, *user_table, *token, *user_id, *expires, *updated_at;
    char *id, *name, *email, *image;
    char **claim_names, **claim_columns;
    size_t nclaims;
    int updated_at_optional; /* Prisma's default: written only when it exists */
    long timeout_ms;
    int read_only;
    /* per connection */
    PGconn *conn;
    Oid expires_type, updated_at_type; /* updated_at_type 0: not written */
} pg_store;

/* --- time ------------------------------------------------------------------ */

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- messages -------------------------------------------------------------- */

/* Replace every occurrence of the password in msg (cap bytes, cap <= 512) by
 * "***". */
static void scrub(const pg_store *s, char *msg, size_t cap)
{
    if (s->password == NULL || s->password[0] == '\0' || strstr(msg, s->password) == NULL)
        return;
    size_t pl = strlen(s->password), o = 0;
    char out[512];
    for (const char *p = msg; *p != '\0' && o + 4 < sizeof out;) {
        if (strncmp(p, s->password, pl) == 0) {
            memcpy(out + o, "***", 3);
            o += 3;
            p += pl;
        } else {
            out[o++] = *p++;
        }
    }
    if (o > cap - 1)
        o = cap - 1;
    memcpy(msg, out, o);
    msg[o] = '\0';
}

/* libpq's message on one line: the lines joined with "; ", the indented hint
 * lines ("\tIs the server running…") and trailing white space left out. */
static void one_line(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    int first = 1;
    while (*in != '\0' && o + 1 < cap) {
        const char *nl = strchr(in, '\n');
        size_t n = nl ? (size_t)(nl - in) : strlen(in);
        while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\r'))
            n--;
        if (n > 0 && in[0] != '\t') {
            if (!first && o + 2 < cap) {
                memcpy(out + o, "; ", 2);
                o += 2;
            }
            if (n > cap - 1 - o)
                n = cap - 1 - o;
            memcpy(out + o, in, n);
            o += n;
            first = 0;
        }
        in += nl ? (size_t)(nl - in) + 1 : strlen(in);
    }
    out[o] = '\0';
}

/* Fill err with code, a prefix and libpq's message, scrubbed. */
static int fail_pq(const pg_store *s, na_err *err, na_code code, const char *what,
                   const char *pqmsg)
{
    char line[400];
    one_line(pqmsg != NULL ? pqmsg : "", line, sizeof line);
    scrub(s, line, sizeof line);
    if (line[0] == '\0')
        snprintf(line, sizeof line, "no message from libpq");
    if (err != NULL) {
        na_err_set(err, code, "database: %s: %s", what, line);
        scrub(s, err->msg, sizeof err->msg);
    }
    return -1;
}

/* A failed statement: the server's primary message and SQLSTATE. Classes 22
 * (data exception) and 23 (integrity) may quote the values of the row or the
 * parameters, the token among them: only the SQLSTATE is given for those. */
static int fail_result(const pg_store *s, na_err *err, const char *what, const PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *prim = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (state != NULL && strcmp(state, "57014") == 0)
        return na_err_set(err, NA_E_STORE, "database: %s: no answer within %ld ms (canceled)",
                          what, s->timeout_ms);
    if (state == NULL || prim == NULL)
        return fail_pq(s, err, NA_E_STORE, what, PQresultErrorMessage(r));
    if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
        return na_err_set(err, NA_E_STORE, "database: %s: SQLSTATE %s", what, state);
    char line[300];
    one_line(prim, line, sizeof line);
    scrub(s, line, sizeof line);
    na_err_set(err, NA_E_STORE, "database: %s: %s (SQLSTATE %s)", what, line, state);
    if (err != NULL)
        scrub(s, err->msg, sizeof err->msg);
    return -1;
}

/* --- the connection -------------------------------------------------------- */

static void drop(pg_store *s)
{
    PQfinish(s->conn);
    s->conn = NULL;
}

/* Wait until fd is ready for events or the deadline passes. Returns the
 * revents (> 0), 0 on timeout, -1 on a poll error. poll()'s own timeout ends
 * the wait, whatever the clock says (a frozen test clock cannot stretch it). */
static int wait_fd(int fd, short events, long long deadline)
{
    if (fd < 0)
        return -1;
    for (;;) {
        long long left = deadline - mono_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (r > 0)
            return p.revents != 0 ? p.revents : events;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* After a PQsend*: flush, then collect every result until libpq says the
 * command is complete. Returns the first failed result if any failed, else the
 * first; the caller PQclears it. NULL with err filled when the deadline passed
 * or the connection broke: the connection is closed then. */
static PGresult *await(pg_store *s, const char *what, long long deadline, na_err *err)
{
    PGconn *c = s->conn;
    PGresult *keep = NULL;
    for (;;) {
        int f = PQflush(c);
        if (f == 0)
            break;
        if (f < 0)
            goto broken;
        int ev = wait_fd(PQsocket(c), POLLIN | POLLOUT, deadline);
        if (ev == 0)
            goto late;
        if (ev < 0)
            goto broken;
        if ((ev & POLLIN) && !PQconsumeInput(c))
            goto broken;
    }
    for (;;) {
        while (PQisBusy(c)) {
            int ev = wait_fd(PQsocket(c), POLLIN, deadline);
            if (ev == 0) {
                PQclear(keep);
                goto late;
            }
            if (ev < 0 || !PQconsumeInput(c)) {
                PQclear(keep);
                goto broken;
            }
        }
        PGresult *r = PQgetResult(c);
        if (r == NULL)
            break;
        ExecStatusType st = PQresultStatus(r);
        int bad = st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE;
        if (keep == NULL) {
            keep = r;
        } else if (bad && PQresultStatus(keep) != PGRES_FATAL_ERROR) {
            PQclear(keep);
            keep = r;
        } else {
            PQclear(r);
        }
    }
    if (keep == NULL)
        goto broken;
    return keep;
late:
    na_err_set(err, NA_E_STORE, "database: %s: no answer within %ld ms", what, s->timeout_ms);
    drop(s);
    return NULL;
broken:
    fail_pq(s, err, NA_E_STORE, what, PQerrorMessage(c));
    drop(s);
    return NULL;
}

/* A finished result: 0 when it has the expected status, else -1 with err
 * filled (and the connection closed when it broke). Clears r on failure. */
static int check(pg_store *s, PGresult *r, ExecStatusType want, const char *what, na_err *err)
{
    if (PQresultStatus(r) == want)
        return 0;
    fail_result(s, err, what, r);
    PQclear(r);
    if (s->conn != NULL && PQstatus(s->conn) != CONNECTION_OK)
        drop(s);
    return -1;
}

/* Append a quoted identifier (embedded quotes doubled). */
static int add_ident(na_buf *b, const char *name)
{
    if (na_buf_append(b, "\"", 1) != 0)
        return -1;
    for (const char *p = name; *p != '\0'; p++)
        if (na_buf_append(b, p, 1) != 0 || (*p == '"' && na_buf_append(b, "\"", 1) != 0))
            return -1;
    return na_buf_append(b, "\"", 1);
}

static int add(na_buf *b, const char *text)
{
    return na_buf_append(b, text, strlen(text));
}

/* "u."name"" etc.: an alias, a dot and a quoted column. */
static int add_col(na_buf *b, const char *alias, const char *col)
{
    return add(b, alias) || add(b, ".") || add_ident(b, col);
}

/* The catalog: every column of both tables, by (table number, name). */
static const char CATALOG_SQL[] =
    "SELECT c.n, c.rel IS NULL, a.attname, a.atttypid::pg_catalog.int8,"
    " pg_catalog.format_type(a.atttypid, a.atttypmod),"
    " pg_catalog.array_to_string(pg_catalog.current_schemas(false), ', ')"
    " FROM (VALUES (1, pg_catalog.to_regclass(pg_catalog.quote_ident($1))),"
    " (2, pg_catalog.to_regclass(pg_catalog.quote_ident($2)))) AS c(n, rel)"
    " LEFT JOIN pg_catalog.pg_attribute a"
    " ON a.attrelid = c.rel AND a.attnum > 0 AND NOT a.attisdropped";

/* The row of column name of table n (1 session, 2 user), or -1. */
static int find_col(const PGresult *r, const char *n, const char *name)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), n) == 0 && !PQgetisnull(r, i, 2) &&
            strcmp(PQgetvalue(r, i, 2), name) == 0)
            return i;
    return -1;
}

static Oid col_type(const PGresult *r, int row)
{
    return (Oid)strtoul(PQgetvalue(r, row, 3), NULL, 10);
}

/* Check the catalog result against the names; learn the column types. code:
 * what a mismatch is (NA_E_CONFIG at open, NA_E_STORE on a reconnect). */
/* The type of session column name (row idx of the catalog result r): a
 * timestamp with or without time zone, else 0 with err filled. */
static Oid time_col_type(const pg_store *s, const PGresult *r, int idx, const char *name,
                         na_code code, na_err *err)
{
    Oid t = col_type(r, idx);
    if (t == OID_TIMESTAMP || t == OID_TIMESTAMPTZ)
        return t;
    na_err_set(err, code,
               "database: column \"%s\" of table \"%s\" has type %s; expected timestamp or "
               "timestamp with time zone",
               name, s->session_table, PQgetvalue(r, idx, 4));
    return 0;
}

static int check_catalog(pg_store *s, const PGresult *r, na_code code, na_err *err)
{
    const char *path = PQntuples(r) > 0 ? PQgetvalue(r, 0, 5) : "";
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 1), "t") == 0)
            return na_err_set(err, code,
                              "database: table \"%s\" not found (schemas searched: %s)",
                              strcmp(PQgetvalue(r, i, 0), "1") == 0 ? s->session_table
                                                                     : s->user_table,
                              path);
    const char *scols[] = {s->token, s->user_id, s->expires};
    for (size_t i = 0; i < sizeof scols / sizeof scols[0]; i++)
        if (find_col(r, "1", scols[i]) < 0)
            return na_err_set(err, code, "database: table \"%s\" has no column \"%s\"",
                              s->session_table, scols[i]);
    const char *ucols[] = {s->id, s->name, s->email, s->image};
    for (size_t i = 0; i < sizeof ucols / sizeof ucols[0]; i++)
        if (find_col(r, "2", ucols[i]) < 0)
            return na_err_set(err, code, "database: table \"%s\" has no column \"%s\"",
                              s->user_table, ucols[i]);
    for (size_t i = 0; i < s->nclaims; i++)
        if (find_col(r, "2", s->claim_columns[i]) < 0)
            return na_err_set(err, code,
                              "database: table \"%s\" has no column \"%s\" (claim \"%s\")",
                              s->user_table, s->claim_columns[i], s->claim_names[i]);

    int tok = find_col(r, "1", s->token);
    if (col_type(r, tok) != OID_TEXT && col_type(r, tok) != OID_VARCHAR)
        return na_err_set(err, code,
                          "database: column \"%s\" of table \"%s\" has type %s; a session "
                          "token column must be text or varchar",
                          s->token, s->session_table, PQgetvalue(r, tok, 4));
    int exp = find_col(r, "1", s->expires);
    if ((s->expires_type = time_col_type(s, r, exp, s->expires, code, err)) == 0)
        return -1;
    s->updated_at_type = 0;
    if (s->updated_at != NULL) {
        int upd = find_col(r, "1", s->updated_at);
        if (upd < 0) {
            if (!s->updated_at_optional)
                return na_err_set(err, code, "database: table \"%s\" has no column \"%s\"",
                                  s->session_table, s->updated_at);
        } else {
            s->updated_at_type = time_col_type(s, r, upd, s->updated_at, code, err);
            if (s->updated_at_type == 0)
                return -1;
        }
    }
    return 0;
}

/* The three statements' text, for this connection's column types. */
static int build_get(const pg_store *s, na_buf *b)
{
    int e = add(b, "SELECT CASE WHEN pg_catalog.isfinite(s.") || add_ident(b, s->expires) ||
            add(b, ") THEN pg_catalog.round(pg_catalog.date_part('epoch', "
                   "pg_catalog.date_trunc('milliseconds', s.") ||
            add_ident(b, s->expires) || add(b, ")) * 1000)::pg_catalog.int8 END, u.") ||
            add_ident(b, s->id) || add(b, " IS NOT NULL");
    const char *ucols[] = {s->id, s->name, s->email, s->image};
    for (size_t i = 0; i < 4; i++)
        e = e || add(b, ", ") || add_col(b, "u", ucols[i]);
    for (size_t i = 0; i < s->nclaims; i++)
        e = e || add(b, ", ") || add_col(b, "u", s->claim_columns[i]);
    e = e || add(b, " FROM ") || add_ident(b, s->session_table) || add(b, " s LEFT JOIN ") ||
        add_ident(b, s->user_table) || add(b, " u ON ") || add_col(b, "u", s->id) ||
        add(b, " = ") || add_col(b, "s", s->user_id) || add(b, " WHERE ") ||
        add_col(b, "s", s->token) || add(b, " = $1 LIMIT 1");
    return e ? -1 : 0;
}

static int build_touch(const pg_store *s, na_buf *b)
{
    int e = add(b, "UPDATE ") || add_ident(b, s->session_table) || add(b, " SET ") ||
            add_ident(b, s->expires) || add(b, " = $2");
    if (s->updated_at_type != 0)
        e = e || add(b, ", ") || add_ident(b, s->updated_at) || add(b, " = $3");
    e = e || add(b, " WHERE ") || add_ident(b, s->token) || add(b, " = $1");
    return e ? -1 : 0;
}

static int build_del(const pg_store *s, na_buf *b)
{
    int e = add(b, "DELETE FROM ") || add_ident(b, s->session_table) || add(b, " WHERE ") ||
            add_ident(b, s->token) || add(b, " = $1");
    return e ? -1 : 0;
}

/* Prepare one statement on the connection. */
static int prepare(pg_store *s, const char *name, int (*build)(const pg_store *, na_buf *),
                   int nparams, const Oid *types, na_code code, long long deadline,
                   na_err *err)
{
    na_buf b = {0};
    if (build(s, &b) != 0 || na_buf_append(&b, "", 1) != 0) { /* with its NUL */
        na_buf_free(&b);
        return na_err_set(err, NA_E_NOMEM, "database: out of memory");
    }
    int sent = PQsendPrepare(s->conn, name, b.p, nparams, types);
    na_buf_free(&b);
    if (!sent)
        return fail_pq(s, err, NA_E_STORE, "prepare", PQerrorMessage(s->conn));
    PGresult *r = await(s, "prepare", deadline, err);
    if (r == NULL)
        return -1;
    if (check(s, r, PGRES_COMMAND_OK, "prepare", err) != 0) {
        if (err != NULL && s->conn != NULL)
            err->code = code; /* the server answered: the schema does not fit */
        return -1;
    }
    PQclear(r);
    return 0;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connect and set the connection up (see the top of the file). code is what a
 * schema mismatch is. Returns 0, or -1 with err filled and no connection. */
static int connect_db(pg_store *s, na_code code, na_err *err)
{
    long long deadline = mono_ms() + s->timeout_ms;
    const char *const kw[] = {"dbname", "client_encoding", "fallback_application_name", NULL};
    const char *const val[] = {s->url, "UTF8", "nextauth-fcgi", NULL};
    PGconn *c = PQconnectStartParams(kw, val, 1);
    if (c == NULL)
        return na_err_set(err, NA_E_NOMEM, "database: out of memory");
    s->conn = c;
    if (PQstatus(c) == CONNECTION_BAD)
        goto failed;
    /* Before the first PQconnectPoll, wait as if it had said "writing". */
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED)
            goto failed;
        int ev = wait_fd(PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
        if (ev == 0) {
            na_err_set(err, NA_E_STORE, "database: connect: no answer within %ld ms",
                       s->timeout_ms);
            drop(s);
            return -1;
        }
        if (ev < 0)
            goto failed;
        st = PQconnectPoll(c);
    }
    if (PQsetnonblocking(c, 1) != 0)
        goto failed;
    /* libpq's default prints server notices to stderr: not ours to log */
    PQsetNoticeProcessor(c, ignore_notice, NULL);

    char set[160];
    snprintf(set, sizeof set, "SET statement_timeout = %ld%s", s->timeout_ms,
             s->read_only ? "; SET default_transaction_read_only = on" : "");
    if (!PQsendQuery(c, set))
        goto failed;
    PGresult *r = await(s, "connect", deadline, err);
    if (r == NULL || check(s, r, PGRES_COMMAND_OK, "connect", err) != 0)
        goto out;
    PQclear(r);

    const char *const cat[] = {s->session_table, s->user_table};
    if (!PQsendQueryParams(c, CATALOG_SQL, 2, NULL, cat, NULL, NULL, 0))
        goto failed;
    r = await(s, "catalog", deadline, err);
    if (r == NULL || check(s, r, PGRES_TUPLES_OK, "catalog", err) != 0)
        goto out;
    int bad = check_catalog(s, r, code, err);
    PQclear(r);
    if (bad)
        goto out;

    const Oid get_types[] = {OID_TEXT};
    const Oid touch_types[] = {OID_TEXT, s->expires_type,
                               s->updated_at_type != 0 ? s->updated_at_type : OID_TIMESTAMP};
    if (prepare(s, "na_get", build_get, 1, get_types, code, deadline, err) != 0)
        goto out;
    if (!s->read_only &&
        (prepare(s, "na_touch", build_touch, s->updated_at_type != 0 ? 3 : 2, touch_types,
                 code, deadline, err) != 0 ||
         prepare(s, "na_del", build_del, 1, get_types, code, deadline, err) != 0))
        goto out;
    return 0;
failed:
    fail_pq(s, err, NA_E_STORE, "connect", PQerrorMessage(c));
out:
    drop(s);
    return -1;
}

/* An idle connection has nothing to read, unless the server sent a notice or
 * closed it (saying why first: a restart, idle_session_timeout, a terminated
 * backend). Read what is there: 1 when the connection turns out closed. */
static int closed_meanwhile(PGconn *c)
{
    struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
    for (int i = 0; i < 8 && poll(&p, 1, 0) > 0; i++)
        if (!PQconsumeInput(c))
            return 1;
    return PQstatus(c) != CONNECTION_OK;
}

/* A usable connection: the one there is, or a new one. A connection the
 * server closed while it was idle is replaced at once, so that a restart
 * between two calls costs no failed call. */
static int ready(pg_store *s, na_err *err)
{
    if (s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK && !closed_meanwhile(s->conn))
        return 0;
    drop(s);
    return connect_db(s, NA_E_STORE, err);
}

/* --- the operations -------------------------------------------------------- */

/* 1: the token can be a stored one; 0: it cannot (a NUL byte, not UTF-8);
 * -1: longer than any caller may pass. */
static int storable(const char *tok, size_t len, na_err *err)
{
    if (len > NA_PG_TOKEN_MAX)
        return na_err_set(err, NA_E_USAGE, "database: a session token of %zu bytes", len);
    const unsigned char *p = (const unsigned char *)tok;
    for (size_t i = 0; i < len;) {
        if (p[i] == 0)
            return 0;
        size_t n = na_text_utf8_seq(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* Run a prepared statement with the token as $1 and up to two times (µs since
 * 2000-01-01, big-endian int64) as $2, $3. Returns the result or NULL. */
static PGresult *run(pg_store *s, const char *stmt, const char *what, const char *tok,
                     size_t len, const long long *times, int ntimes, ExecStatusType want,
                     na_err *err)
{
    if (ready(s, err) != 0)
        return NULL;
    unsigned char be[2][8];
    const char *values[3] = {len > 0 ? tok : "", (const char *)be[0], (const char *)be[1]};
    int lengths[3] = {(int)len, 8, 8};
    const int formats[3] = {1, 1, 1};
    for (int t = 0; t < ntimes; t++)
        for (int i = 0; i < 8; i++)
            be[t][i] = (unsigned char)((unsigned long long)times[t] >> (56 - 8 * i));
    if (!PQsendQueryPrepared(s->conn, stmt, 1 + ntimes, values, lengths, formats, 0)) {
        fail_pq(s, err, NA_E_STORE, what, PQerrorMessage(s->conn));
        drop(s);
        return NULL;
    }
    PGresult *r = await(s, what, mono_ms() + s->timeout_ms + NA_PG_GRACE_MS, err);
    if (r == NULL || check(s, r, want, what, err) != 0)
        return NULL;
    return r;
}

/* One user column as JSON: NULL → null; bool → true/false; int2/4/8 → an
 * integer; float4/8 → a number (NaN and ±Infinity, which JSON cannot hold, as
 * their text); everything else (text, varchar, numeric, uuid, dates…) → its
 * text. as_text: always the text (the user id). NULL when the text is not
 * UTF-8 or memory ran out. */
static json_t *json_col(const PGresult *r, int col, int as_text)
{
    if (PQgetisnull(r, 0, col))
        return json_null();
    const char *v = PQgetvalue(r, 0, col);
    size_t n = (size_t)PQgetlength(r, 0, col);
    if (!as_text) {
        Oid t = PQftype(r, col);
        char *end;
        if (t == OID_BOOL)
            return json_boolean(v[0] == 't');
        if (t == OID_INT2 || t == OID_INT4 || t == OID_INT8) {
            errno = 0;
            long long x = strtoll(v, &end, 10);
            if (errno == 0 && end != v && *end == '\0')
                return json_integer(x);
        }
        if (t == OID_FLOAT4 || t == OID_FLOAT8) {
            double x = strtod(v, &end);
            if (end != v && *end == '\0' && isfinite(x))
                return json_real(x);
        }
    }
    return json_stringn(v, n);
}

static int pg_get(na_store *st, const char *tok, size_t len, na_store_row *row, na_err *err)
{
    pg_store *s = (pg_store *)st;
    int ok = storable(tok, len, err);
    if (ok <= 0)
        return ok;
    PGresult *r = run(s, "na_get", "get", tok, len, NULL, 0, PGRES_TUPLES_OK, err);
    if (r == NULL)
        return -1;
    int rc = -1;
    if (PQntuples(r) == 0) {
        rc = 0;
        goto out;
    }
    if (PQnfields(r) != COL_CLAIMS + (int)s->nclaims) {
        na_err_set(err, NA_E_STORE, "database: get: unexpected result shape");
        goto out;
    }
    const char *ev = PQgetvalue(r, 0, COL_EXPIRES);
    char *end;
    errno = 0;
    long long ms = strtoll(ev, &end, 10);
    if (PQgetisnull(r, 0, COL_EXPIRES) || errno != 0 || end == ev || *end != '\0') {
        na_err_set(err, NA_E_STORE, "database: get: the session's \"%s\" is NULL or infinite",
                   s->expires);
        goto out;
    }
    row->expires_ms = ms;
    row->has_user = strcmp(PQgetvalue(r, 0, COL_HAS_USER), "t") == 0;
    row->user = NULL;
    if (row->has_user) {
        static const char *const keys[] = {"id", "name", "email", "image"};
        const char *const cols[] = {s->id, s->name, s->email, s->image};
        json_t *u = json_object();
        if (u == NULL) {
            na_err_set(err, NA_E_NOMEM, "database: out of memory");
            goto out;
        }
        for (int i = 0; i < COL_CLAIMS - COL_ID + (int)s->nclaims; i++) {
            const char *key = i < 4 ? keys[i] : s->claim_names[i - 4];
            json_t *v = json_col(r, COL_ID + i, i == 0);
            if (v == NULL || json_object_set_new(u, key, v) != 0) {
                json_decref(u);
                na_err_set(err, NA_E_STORE,
                           "database: get: user column \"%s\" is not UTF-8 text",
                           i < 4 ? cols[i] : s->claim_columns[i - 4]);
                row->has_user = 0;
                goto out;
            }
        }
        row->user = u;
    }
    rc = 1;
out:
    PQclear(r);
    return rc;
}

/* ms since 1970 → µs since 2000, refusing what int64 µs cannot hold. */
static int pg_time(long long ms, long long *us)
{
    if (ms < LLONG_MIN / 1000 + NA_PG_EPOCH_SHIFT_MS || ms > LLONG_MAX / 1000)
        return -1;
    *us = (ms - NA_PG_EPOCH_SHIFT_MS) * 1000;
    return 0;
}

static int pg_touch(na_store *st, const char *tok, size_t len, long long expires_ms,
                    long long now_ms, na_err *err)
{
    pg_store *s = (pg_store *)st;
    if (s->read_only)
        return na_err_set(err, NA_E_USAGE, "database: the store is read-only");
    int ok = storable(tok, len, err);
    if (ok <= 0)
        return ok;
    long long t[2];
    if (pg_time(expires_ms, &t[0]) != 0 || pg_time(now_ms, &t[1]) != 0)
        return na_err_set(err, NA_E_USAGE, "database: a time out of range");
    /* updated_at_type is known once connected: connect first, so that the
     * count of parameters matches the statement this connection prepared. */
    if (ready(s, err) != 0)
        return -1;
    PGresult *r = run(s, "na_touch", "touch", tok, len, t, s->updated_at_type != 0 ? 2 : 1,
                      PGRES_COMMAND_OK, err);
    if (r == NULL)
        return -1;
    PQclear(r);
    return 0;
}

static int pg_del(na_store *st, const char *tok, size_t len, na_err *err)
{
    pg_store *s = (pg_store *)st;
    if (s->read_only)
        return na_err_set(err, NA_E_USAGE, "database: the store is read-only");
    int ok = storable(tok, len, err);
    if (ok <= 0)
        return ok;
    PGresult *r = run(s, "na_del", "delete", tok, len, NULL, 0, PGRES_COMMAND_OK, err);
    if (r == NULL)
        return -1;
    const char *n = PQcmdTuples(r);
    int rc = n[0] != '\0' && strcmp(n, "0") != 0;
    PQclear(r);
    return rc;
}

static void pg_close(na_store *st)
{
    pg_store *s = (pg_store *)st;
    drop(s);
    free(s->url);
    free(s->password);
    free(s->session_table);
    free(s->user_table);
    free(s->token);
    free(s->user_id);
    free(s->expires);
    free(s->updated_at);
    free(s->id);
    free(s->name);
    free(s->email);
    free(s->image);
    na_store_free_list(s->claim_names, s->nclaims);
    na_store_free_list(s->claim_columns, s->nclaims);
    free(s);
}

static const na_store_ops pg_ops = {pg_get, pg_touch, pg_del, pg_close};

/* --- open ------------------------------------------------------------------ */

/* A copy of a configured name, checked: not empty, at most NA_PG_NAME_MAX
 * bytes. NULL with err filled otherwise. */
static char *name_dup(const char *name, const char *what, na_err *err)
{
    if (name == NULL || name[0] == '\0') {
        na_err_set(err, NA_E_CONFIG, "database: the %s name is empty", what);
        return NULL;
    }
    if (strlen(name) > NA_PG_NAME_MAX) {
        na_err_set(err, NA_E_CONFIG,
                   "database: the %s name \"%.40s…\" is longer than %d bytes", what, name,
                   NA_PG_NAME_MAX);
        return NULL;
    }
    char *p = strdup(name);
    if (p == NULL)
        na_err_set(err, NA_E_NOMEM, "database: out of memory");
    return p;
}

/* libpq's parse error, with every quoted part (which may be a piece of the
 * url, the password included) replaced by "…". */
static void redact_quoted(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    int inside = 0;
    for (; *in != '\0' && o + 4 < cap; in++) {
        if (*in == '"') {
            out[o++] = '"';
            inside = !inside;
            if (inside) {
                memcpy(out + o, "…", 3);
                o += 3;
            }
        } else if (!inside) {
            out[o++] = *in;
        }
    }
    out[o] = '\0';
}

/* The url's password (libpq's own parse), or NULL; -1 when the url does not
 * parse (err filled, NA_E_CONFIG). */
static int url_password(const char *url, char **pw, na_err *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &msg);
    *pw = NULL;
    if (opts == NULL) {
        char clean[160];
        if (msg == NULL)
            return na_err_set(err, NA_E_NOMEM, "database: out of memory");
        one_line(msg, clean, sizeof clean);
        PQfreemem(msg);
        char red[170];
        redact_quoted(clean, red, sizeof red);
        return na_err_set(err, NA_E_CONFIG, "database.url is not a libpq connection string: %s",
                          red);
    }
    int rc = 0;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0') {
            *pw = strdup(o->val);
            if (*pw == NULL)
                rc = na_err_set(err, NA_E_NOMEM, "database: out of memory");
        }
    PQconninfoFree(opts);
    return rc;
}

na_store *na_store_pg_open(const na_store_opts *o, na_err *err)
{
    pg_store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        na_err_set(err, NA_E_NOMEM, "database: out of memory");
        return NULL;
    }
    s->base.ops = &pg_ops;
    if (na_pqdl_load(err) != 0) {
        free(s);
        return NULL;
    }
    s->timeout_ms = o->timeout_ms > NA_PG_TIMEOUT_MAX ? NA_PG_TIMEOUT_MAX : o->timeout_ms;
    s->read_only = o->read_only;
    if (url_password(o->url, &s->password, err) != 0)
        goto fail;
    s->url = strdup(o->url);
    if (s->url == NULL) {
        na_err_set(err, NA_E_NOMEM, "database: out of memory");
        goto fail;
    }
    const na_store_names *n = &o->names;
    if ((s->session_table = name_dup(n->session_table, "session table", err)) == NULL ||
        (s->user_table = name_dup(n->user_table, "user table", err)) == NULL ||
        (s->token = name_dup(n->token, "session token column", err)) == NULL ||
        (s->user_id = name_dup(n->user_id, "session userId column", err)) == NULL ||
        (s->expires = name_dup(n->expires, "session expires column", err)) == NULL ||
        (s->id = name_dup(n->id, "user id column", err)) == NULL ||
        (s->name = name_dup(n->name, "user name column", err)) == NULL ||
        (s->email = name_dup(n->email, "user email column", err)) == NULL ||
        (s->image = name_dup(n->image, "user image column", err)) == NULL)
        goto fail;
    if (n->updated_at != NULL) {
        if ((s->updated_at = name_dup(n->updated_at, "session updatedAt column", err)) == NULL)
            goto fail;
        /* store.h: Prisma's "updatedAt" is written only where it exists */
        s->updated_at_optional =
            o->adapter == NA_ADAPTER_PRISMA && strcmp(n->updated_at, "updatedAt") == 0;
    }
    if (o->nclaims > NA_STORE_MAX_CLAIMS) {
        na_err_set(err, NA_E_CONFIG, "database: more than %d claims columns",
                   NA_STORE_MAX_CLAIMS);
        goto fail;
    }
    if (o->nclaims > 0) {
        s->claim_names = calloc(o->nclaims, sizeof *s->claim_names);
        s->claim_columns = calloc(o->nclaims, sizeof *s->claim_columns);
        if (s->claim_names == NULL || s->claim_columns == NULL) {
            na_err_set(err, NA_E_NOMEM, "database: out of memory");
            goto fail;
        }
        s->nclaims = o->nclaims;
        for (size_t i = 0; i < o->nclaims; i++) {
            s->claim_names[i] = strdup(o->claim_names[i] != NULL ? o->claim_names[i] : "");
            if (s->claim_names[i] == NULL) {
                na_err_set(err, NA_E_NOMEM, "database: out of memory");
                goto fail;
            }
            if ((s->claim_columns[i] = name_dup(o->claim_columns[i], "claim column", err)) ==
                NULL)
                goto fail;
        }
    }
    if (connect_db(s, NA_E_CONFIG, err) != 0)
        goto fail;
    return &s->base;
fail:
    pg_close(&s->base);
    return NULL;
}
