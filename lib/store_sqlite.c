/* SPDX-License-Identifier: MIT */
/* store_sqlite.c — the session store on SQLite (see store.h, store_sqlite.h).
 *
 * The file is opened, never created: "sqlite:/absolute/path". Read-only
 * stores open it SQLITE_OPEN_READONLY and prepare no write statement. At open
 * the catalog (pragma_table_info) must show every table and column named; the
 * token column must compare bytes exactly (text or no affinity: a numeric
 * affinity would turn "1e3" into 1000), and the database must be UTF-8 (a
 * UTF-16 database converts a bound token, and two different invalid UTF-8
 * tokens could become one).
 * Every comparison of the token is COLLATE BINARY whatever the column says,
 * and the token is bound as text of its exact length (any bytes, NUL too): a
 * row whose token was stored as a blob never matches.
 *
 * How expires is stored decides how it is read and written back, row by row
 * (the Node adapters differ on one SQLite column):
 *   INTEGER  ms since the epoch (Drizzle's timestamp_ms; Prisma up to 6);
 *            within ECMAScript's time range (ECMA-262 §21.4.1.1, ±8.64e15 ms)
 *   TEXT     "YYYY-MM-DDTHH:MM:SS[.f]Z" (Kysely: Date.toISOString), written
 *            back "YYYY-MM-DDTHH:MM:SS.sssZ";
 *            "YYYY-MM-DDTHH:MM:SS[.f]±hh:mm" (Prisma 7's driver adapters),
 *            written back with "+00:00" as Prisma 7 writes;
 *            "YYYY-MM-DD HH:MM:SS[.f]" (SQLite's CURRENT_TIMESTAMP form, UTC),
 *            written back in that form with milliseconds.
 *            f is 1 to 9 digits, truncated to milliseconds. Nothing else: no
 *            locale, no local time, no leap second, fields in range.
 *   REAL     refused: no adapter writes one, and its unit (julianday()?
 *            seconds? ms?) cannot be told from the value.
 *   other    refused (NULL, BLOB, any other text).
 * A refused value is NA_E_STORE, never a guess. A touched row keeps its form,
 * and updated_at (Prisma's "updatedAt", present only when the column exists)
 * is written in the same form. An INTEGER row stays INTEGER even under a
 * Prisma 7 app, which would rewrite it as text: both Prisma generations read
 * integers, and only Prisma 7 reads text.
 *
 * Time bounds: the busy timeout (a lock held by another connection) and a
 * progress handler (a statement that runs) both end at timeout_ms; our
 * statements meet a lock at their start, so either ends the call about then.
 * After an error other than a lock, a timeout, a read-only refusal or a
 * constraint, the connection is closed and the next call opens it again. */
#include "store_sqlite.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "text.h"
#include "timefmt.h"

typedef enum {
    FORM_NONE = 0, /* not known */
    FORM_INT_MS,   /* INTEGER milliseconds */
    FORM_ISO_Z,    /* "…T…Z" */
    FORM_ISO_OFF,  /* "…T…±hh:mm", written "+00:00" */
    FORM_SPACE     /* "… …", UTC */
} expires_form;

/* ECMA-262 §21.4.1.1: a Date holds at most 8.64e15 ms either side of the epoch. */
#define JS_TIME_MAX 8640000000000000LL
/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: what four year digits hold. */
#define TEXT_MS_MIN (-62167219200000LL)
#define TEXT_MS_MAX 253402300799999LL
/* Progress handler period, in virtual machine instructions (a few µs). */
#define PROGRESS_OPS 1000
/* A read-only store's page cache, in KiB (SQLite's default is 2 000): the
 * guard runs one process per FastCGI worker, each with its own cache of the
 * same file, and its budget is 4 MiB resident in all. A lookup reads four
 * leaf pages (session token index, session, user id index, user); with
 * thousands of sessions those miss a cache of either size most of the time,
 * and the interior pages stay in the small one. */
#define READ_ONLY_CACHE_KIB 256

/* The configured names, copied: a reopen checks them again. */
enum {
    N_SESSION, N_USER, N_TOKEN, N_USER_ID, N_EXPIRES, N_UPDATED_AT,
    N_ID, N_NAME, N_EMAIL, N_IMAGE, N_COUNT
};

typedef struct {
    na_store base;
    sqlite3 *db;           /* NULL after a failure: the next call opens again */
    char *path;
    int read_only;
    long timeout_ms;
    na_adapter adapter;
    char *name[N_COUNT];   /* name[N_UPDATED_AT] may be NULL */
    size_t nclaims;
    char **claim_names, **claim_columns;
    int has_updated_at;    /* the column exists and is written */
    sqlite3_stmt *get, *touch, *del;
    struct timespec deadline;
    int armed;
    /* the form of expires last read, and the token it was read for (wiped);
     * writable stores only: it saves touch a read */
    unsigned char *last_tok;
    size_t last_len;
    expires_form last_form;
} sq_store;

/* ---- time ---- */

static void arm(sq_store *s)
{
    clock_gettime(CLOCK_MONOTONIC, &s->deadline);
    s->deadline.tv_sec += s->timeout_ms / 1000;
    s->deadline.tv_nsec += (s->timeout_ms % 1000) * 1000000L;
    if (s->deadline.tv_nsec >= 1000000000L) {
        s->deadline.tv_sec++;
        s->deadline.tv_nsec -= 1000000000L;
    }
    s->armed = 1;
}

/* sqlite3_progress_handler: non-zero interrupts the statement (SQLITE_INTERRUPT). */
static int progress(void *p)
{
    sq_store *s = p;
    if (!s->armed)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > s->deadline.tv_sec ||
           (now.tv_sec == s->deadline.tv_sec && now.tv_nsec >= s->deadline.tv_nsec);
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian: the inverse of
 * timefmt.c's civil-from-days, by 400-year eras; exact, no libc time zones. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;                                 /* [0, 399] */
    long long doy = (153LL * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

/* n ASCII digits at p as a number, or -1. */
static int digits(const unsigned char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* One of the text forms above (n bytes at p, any bytes) → ms and its form.
 * Returns 0, or -1 when it is none of them. */
static int parse_text_time(const unsigned char *p, size_t n, long long *ms, expires_form *form)
{
    if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') ||
        p[13] != ':' || p[16] != ':')
        return -1;
    int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2);
    int h = digits(p + 11, 2), mi = digits(p + 14, 2), sec = digits(p + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return -1;
    size_t i = 19;
    int frac = 0;
    if (i < n && p[i] == '.') {
        size_t start = ++i;
        while (i < n && i - start < 9 && p[i] >= '0' && p[i] <= '9') {
            if (i - start < 3)
                frac = frac * 10 + (p[i] - '0');
            i++;
        }
        if (i == start)
            return -1;
        for (size_t k = i - start; k < 3; k++)
            frac *= 10;
    }
    long long off_min = 0;
    if (p[10] == ' ') {
        if (i != n)
            return -1;
        *form = FORM_SPACE;
    } else if (i + 1 == n && p[i] == 'Z') {
        *form = FORM_ISO_Z;
    } else if (i + 6 == n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':') {
        int oh = digits(p + i + 1, 2), om = digits(p + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return -1;
        off_min = (p[i] == '-' ? -1 : 1) * (oh * 60LL + om);
        *form = FORM_ISO_OFF;
    } else {
        return -1;
    }
    long long secs = days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + sec -
                     off_min * 60;
    *ms = secs * 1000 + frac;
    return 0;
}

/* expires_ms in a text form (out: up to 29 characters and a NUL). Returns 0,
 * or -1 when the year would not fit four digits. */
static int format_text_time(long long ms, expires_form form, char out[32])
{
    if (ms < TEXT_MS_MIN || ms > TEXT_MS_MAX)
        return -1;
    char iso[25];
    na_timefmt_iso_ms(ms, iso); /* "YYYY-MM-DDTHH:MM:SS.sssZ" */
    memcpy(out, iso, 23);
    if (form == FORM_ISO_Z) {
        memcpy(out + 23, "Z", 2);
    } else if (form == FORM_ISO_OFF) {
        memcpy(out + 23, "+00:00", 7);
    } else {
        out[10] = ' ';
        out[23] = '\0';
    }
    return 0;
}

/* Column col of the current row as an expiry. Returns 0, or -1. */
static int read_expires(sqlite3_stmt *st, int col, long long *ms, expires_form *form)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER: {
        sqlite3_int64 v = sqlite3_column_int64(st, col);
        if (v < -JS_TIME_MAX || v > JS_TIME_MAX)
            return -1;
        *ms = v;
        *form = FORM_INT_MS;
        return 0;
    }
    case SQLITE_TEXT: {
        const unsigned char *t = sqlite3_column_text(st, col);
        int n = sqlite3_column_bytes(st, col);
        return t == NULL ? -1 : parse_text_time(t, (size_t)n, ms, form);
    }
    default: /* REAL, NULL, BLOB: see the top of the file */
        return -1;
    }
}

/* ---- errors and the connection ---- */

static void forget_token(sq_store *s)
{
    if (s->last_tok != NULL) {
        OPENSSL_cleanse(s->last_tok, s->last_len);
        free(s->last_tok);
    }
    s->last_tok = NULL;
    s->last_len = 0;
    s->last_form = FORM_NONE;
}

static void remember(sq_store *s, const char *tok, size_t len, expires_form form)
{
    forget_token(s);
    s->last_tok = malloc(len > 0 ? len : 1);
    if (s->last_tok == NULL)
        return; /* touch reads the row again */
    memcpy(s->last_tok, tok, len);
    s->last_len = len;
    s->last_form = form;
}

static void finalize_all(sq_store *s)
{
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->touch);
    sqlite3_finalize(s->del);
    s->get = s->touch = s->del = NULL;
}

/* Close the connection (and forget the form remembered: the file may change). */
static void disconnect(sq_store *s)
{
    forget_token(s);
    finalize_all(s);
    if (s->db != NULL)
        sqlite3_close_v2(s->db);
    s->db = NULL;
}

/* Whether the connection is still good after rc: a lock, our own timeout, a
 * read-only or constraint refusal leave it so; anything else (I/O, a file
 * moved or replaced, corruption, a schema gone) closes it for a fresh open. */
static int keeps_connection(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_INTERRUPT:
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
        return 1;
    case SQLITE_READONLY: /* the plain code; READONLY_DBMOVED & co: the file changed */
        return rc == SQLITE_READONLY;
    default:
        return 0;
    }
}

/* A failed statement: NA_E_STORE with a short reason (SQLite's generic text,
 * never a value), and the connection closed when it looks broken. */
static int fail(sq_store *s, int rc, const char *what, na_err *err)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        na_err_set(err, NA_E_STORE, "database: %s: the database stayed locked for %ld ms", what,
                   s->timeout_ms);
        break;
    case SQLITE_INTERRUPT:
        na_err_set(err, NA_E_STORE, "database: %s: no answer within %ld ms", what,
                   s->timeout_ms);
        break;
    default:
        na_err_set(err, NA_E_STORE, "database: %s: %s", what, sqlite3_errstr(rc));
    }
    if (!keeps_connection(rc))
        disconnect(s);
    return -1;
}

/* SQLite's column affinity of a declared type (https://sqlite.org/datatype3.html
 * §3.1: the first rule that matches). Returns 'i', 't', 'b', 'r' or 'n'. */
static int affinity(const char *decl)
{
    static const char *const rules[][2] = {
        {"INT", "i"}, {"CHAR", "t"}, {"CLOB", "t"}, {"TEXT", "t"},
        {"BLOB", "b"}, {"REAL", "r"}, {"FLOA", "r"}, {"DOUB", "r"},
    };
    if (decl == NULL || decl[0] == '\0')
        return 'b';
    char up[128];
    size_t n = 0;
    for (; decl[n] != '\0' && n < sizeof up - 1; n++)
        up[n] = decl[n] >= 'a' && decl[n] <= 'z' ? (char)(decl[n] - 32) : decl[n];
    up[n] = '\0';
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strstr(up, rules[i][0]) != NULL)
            return rules[i][1][0];
    return 'n';
}

/* Check that table has every column of want[0..n) (NULL entries skipped),
 * as SQLite matches names (ASCII case-insensitive). found[i] tells which
 * exist; *token_aff gets the affinity of want[0]. Returns 0 (missing columns
 * are the caller's to judge), or -1 with err filled (no such table, or the
 * query failed: rc in *rc). */
static int table_columns(sq_store *s, const char *table, const char *const *want, size_t n,
                         int *found, int *token_aff, int *rc, na_err *err)
{
    sqlite3_stmt *st = NULL;
    *rc = sqlite3_prepare_v2(s->db, "SELECT name, type FROM pragma_table_info(?1)", -1, &st,
                             NULL);
    if (*rc != SQLITE_OK)
        return na_err_set(err, NA_E_STORE, "database: reading the catalog of \"%s\": %s",
                          s->path, sqlite3_errstr(*rc));
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    memset(found, 0, n * sizeof *found);
    int rows = 0;
    while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        rows++;
        for (size_t i = 0; col != NULL && i < n; i++)
            if (want[i] != NULL && sqlite3_stricmp(col, want[i]) == 0) {
                found[i] = 1;
                if (i == 0 && token_aff != NULL)
                    *token_aff = affinity((const char *)sqlite3_column_text(st, 1));
            }
    }
    sqlite3_finalize(st);
    if (*rc != SQLITE_DONE)
        return na_err_set(err, NA_E_STORE, "database: reading the catalog of \"%s\": %s",
                          s->path, sqlite3_errstr(*rc));
    *rc = SQLITE_OK;
    if (rows == 0)
        return na_err_set(err, NA_E_CONFIG, "database: no table \"%s\" in \"%s\"", table,
                          s->path);
    return 0;
}

static int missing_column(const char *table, const char *col, na_err *err)
{
    return na_err_set(err, NA_E_CONFIG, "database: table \"%s\" has no column \"%s\"", table,
                      col);
}

/* The catalog check of the top of the file. Returns 0, or -1 (*rc: the SQLite
 * code when the database failed, SQLITE_OK when the schema is wrong). */
static int check_schema(sq_store *s, int *rc, na_err *err)
{
    sqlite3_stmt *st = NULL;
    *rc = sqlite3_prepare_v2(s->db, "PRAGMA encoding", -1, &st, NULL);
    if (*rc == SQLITE_OK && (*rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *enc = (const char *)sqlite3_column_text(st, 0);
        int utf8 = enc != NULL && strcmp(enc, "UTF-8") == 0;
        char shown[16];
        snprintf(shown, sizeof shown, "%s", enc != NULL ? enc : "?");
        sqlite3_finalize(st);
        *rc = SQLITE_OK;
        if (!utf8)
            return na_err_set(err, NA_E_CONFIG,
                              "database: \"%s\" is %s; tokens are compared as UTF-8 bytes "
                              "only in a UTF-8 database", s->path, shown);
    } else {
        sqlite3_finalize(st);
        return na_err_set(err, NA_E_STORE, "database: reading \"%s\": %s", s->path,
                          sqlite3_errstr(*rc));
    }

    const char *sess[4] = {s->name[N_TOKEN], s->name[N_USER_ID], s->name[N_EXPIRES],
                           s->name[N_UPDATED_AT]};
    int found[4 + NA_STORE_MAX_CLAIMS], aff = 'b';
    if (table_columns(s, s->name[N_SESSION], sess, 4, found, &aff, rc, err) != 0)
        return -1;
    for (size_t i = 0; i < 3; i++)
        if (!found[i])
            return missing_column(s->name[N_SESSION], sess[i], err);
    /* Prisma's updatedAt is in the current docs' schema, not in older ones:
     * by default it is written only where it exists. A name configured for
     * another adapter must exist. */
    s->has_updated_at = sess[3] != NULL && found[3];
    if (sess[3] != NULL && !found[3] &&
        !(s->adapter == NA_ADAPTER_PRISMA && strcmp(sess[3], "updatedAt") == 0))
        return missing_column(s->name[N_SESSION], sess[3], err);
    if (aff != 't' && aff != 'b')
        return na_err_set(err, NA_E_CONFIG,
                          "database: column \"%s\" of table \"%s\" does not hold text; "
                          "tokens would not compare exactly", sess[0], s->name[N_SESSION]);

    const char *user[4 + NA_STORE_MAX_CLAIMS] = {s->name[N_ID], s->name[N_NAME],
                                                 s->name[N_EMAIL], s->name[N_IMAGE]};
    for (size_t i = 0; i < s->nclaims; i++)
        user[4 + i] = s->claim_columns[i];
    if (table_columns(s, s->name[N_USER], user, 4 + s->nclaims, found, NULL, rc, err) != 0)
        return -1;
    for (size_t i = 0; i < 4 + s->nclaims; i++)
        if (!found[i])
            return missing_column(s->name[N_USER], user[i], err);
    return 0;
}

/* Build and prepare one statement (sqlite3_str: %w doubles '"'). */
static int prepare(sq_store *s, sqlite3_str *q, sqlite3_stmt **out, int *rc)
{
    char *sql = sqlite3_str_finish(q);
    if (sql == NULL) {
        *rc = SQLITE_NOMEM;
        return -1;
    }
    *rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    sqlite3_free(sql);
    return *rc == SQLITE_OK ? 0 : -1;
}

static int prepare_all(sq_store *s, int *rc)
{
    char **n = s->name;
    /* get: the row and its user in one query; LEFT JOIN, so that a session
     * without its user row is told apart (has_user 0) from no session. */
    sqlite3_str *q = sqlite3_str_new(s->db);
    sqlite3_str_appendf(q, "SELECT s.\"%w\", u.\"%w\", u.\"%w\", u.\"%w\", u.\"%w\"",
                        n[N_EXPIRES], n[N_ID], n[N_NAME], n[N_EMAIL], n[N_IMAGE]);
    for (size_t i = 0; i < s->nclaims; i++)
        sqlite3_str_appendf(q, ", u.\"%w\"", s->claim_columns[i]);
    sqlite3_str_appendf(q, " FROM \"%w\" AS s LEFT JOIN \"%w\" AS u ON u.\"%w\" = s.\"%w\""
                           " WHERE s.\"%w\" = ?1 COLLATE BINARY LIMIT 1",
                        n[N_SESSION], n[N_USER], n[N_ID], n[N_USER_ID], n[N_TOKEN]);
    if (prepare(s, q, &s->get, rc) != 0)
        return -1;
    if (s->read_only)
        return 0; /* never writes: no write statements (a view would refuse them) */
    q = sqlite3_str_new(s->db);
    sqlite3_str_appendf(q, "UPDATE \"%w\" SET \"%w\" = ?1", n[N_SESSION], n[N_EXPIRES]);
    if (s->has_updated_at)
        sqlite3_str_appendf(q, ", \"%w\" = ?2", n[N_UPDATED_AT]);
    sqlite3_str_appendf(q, " WHERE \"%w\" = ?3 COLLATE BINARY", n[N_TOKEN]);
    if (prepare(s, q, &s->touch, rc) != 0)
        return -1;
    q = sqlite3_str_new(s->db);
    sqlite3_str_appendf(q, "DELETE FROM \"%w\" WHERE \"%w\" = ?1 COLLATE BINARY",
                        n[N_SESSION], n[N_TOKEN]);
    return prepare(s, q, &s->del, rc);
}

/* Open the file, set the time bounds, check the catalog, prepare the
 * statements. Returns 0, or -1 with err filled: NA_E_CONFIG for what the
 * configuration or the file gets wrong, NA_E_STORE when the database did not
 * answer (locked, timed out, out of memory). On a reopen (again) every failure
 * is NA_E_STORE: the store was good at start. */
static int connect_db(sq_store *s, int again, na_err *err)
{
    int flags = (s->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    int rc = sqlite3_open_v2(s->path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        disconnect(s);
        return na_err_set(err, again ? NA_E_STORE : NA_E_CONFIG,
                          "database: cannot open \"%s\": %s", s->path, sqlite3_errstr(rc));
    }
    sqlite3_busy_timeout(s->db, s->timeout_ms > INT_MAX ? INT_MAX : (int)s->timeout_ms);
    sqlite3_progress_handler(s->db, PROGRESS_OPS, progress, s);
    /* Views and triggers of the file may not call functions with side effects. */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    if (check_schema(s, &rc, err) != 0) {
        int prim = rc & 0xff;
        if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED || prim == SQLITE_INTERRUPT ||
            prim == SQLITE_NOMEM) {
            fail(s, rc, "opening", err);
        } else if (rc != SQLITE_OK) { /* not a database, unreadable */
            na_err_set(err, NA_E_CONFIG, "database: cannot read \"%s\": %s", s->path,
                       sqlite3_errstr(rc));
        }
        if (again && err != NULL)
            err->code = NA_E_STORE;
        disconnect(s);
        return -1;
    }
    if (s->read_only) {
        /* best effort: a cache of the default size only costs memory */
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", READ_ONLY_CACHE_KIB);
        sqlite3_exec(s->db, pragma, NULL, NULL, NULL);
    }
    if (prepare_all(s, &rc) != 0) {
        na_err_set(err, NA_E_STORE, "database: preparing the statements: %s",
                   sqlite3_errstr(rc));
        disconnect(s);
        return -1;
    }
    return 0;
}

/* ---- the operations ---- */

/* Start a call: the connection (reopened after a failure) and the deadline. */
static int begin(sq_store *s, na_err *err)
{
    arm(s);
    if (s->db == NULL && connect_db(s, 1, err) != 0) {
        s->armed = 0;
        return -1;
    }
    return 0;
}

static void end(sq_store *s, sqlite3_stmt *st)
{
    if (st != NULL) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st); /* the token was bound SQLITE_STATIC */
    }
    s->armed = 0;
}

static json_t *refuse_column(const char *col, const char *why, na_err *err)
{
    na_err_set(err, NA_E_STORE, "database: column \"%s\" of the user row %s", col, why);
    return NULL;
}

/* Column i of the current row (named col) as JSON, by its storage class:
 * INTEGER → integer, REAL → real, TEXT → string (UTF-8 only), NULL → null; a
 * BLOB is refused. Returns the value, or NULL with err filled. */
static json_t *column_json(sqlite3_stmt *st, int i, const char *col, na_err *err)
{
    json_t *v;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        return json_null();
    case SQLITE_INTEGER:
        v = json_integer((json_int_t)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        v = json_real(sqlite3_column_double(st, i));
        if (v == NULL) /* jansson holds no infinity */
            return refuse_column(col, "is not a finite number", err);
        break;
    case SQLITE_TEXT: {
        const unsigned char *t = sqlite3_column_text(st, i);
        size_t n = (size_t)sqlite3_column_bytes(st, i);
        for (size_t k = 0, l; t != NULL && k < n; k += l)
            if ((l = na_text_utf8_seq(t + k, n - k)) == 0)
                return refuse_column(col, "is not UTF-8 text", err);
        /* checked above as strictly as jansson would check it again */
        v = t != NULL ? json_stringn_nocheck((const char *)t, n) : NULL;
        break;
    }
    default:
        return refuse_column(col, "is a blob", err);
    }
    if (v == NULL)
        na_err_set(err, NA_E_NOMEM, "database: out of memory");
    return v;
}

/* The user of the current row: {"id","name","email","image", claims…}. The id
 * is a string (an INTEGER id as its decimal digits). Returns it, or NULL with
 * err filled. */
static json_t *user_json(sq_store *s, sqlite3_stmt *st, na_err *err)
{
    static const char *const keys[4] = {"id", "name", "email", "image"};
    json_t *u = json_object(), *v = NULL;
    if (u == NULL) {
        na_err_set(err, NA_E_NOMEM, "database: out of memory");
        return NULL;
    }
    int idtype = sqlite3_column_type(st, 1);
    if (idtype == SQLITE_INTEGER) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(st, 1));
        if ((v = json_string(id)) == NULL)
            na_err_set(err, NA_E_NOMEM, "database: out of memory");
    } else if (idtype == SQLITE_TEXT) {
        v = column_json(st, 1, s->name[N_ID], err);
    } else {
        na_err_set(err, NA_E_STORE, "database: the user id is neither text nor an integer");
    }
    if (v == NULL || json_object_set_new(u, keys[0], v) != 0)
        goto bad;
    for (int i = 1; i < 4; i++)
        if ((v = column_json(st, 1 + i, s->name[N_ID + i], err)) == NULL ||
            json_object_set_new(u, keys[i], v) != 0)
            goto bad;
    for (size_t i = 0; i < s->nclaims; i++)
        if ((v = column_json(st, 5 + (int)i, s->claim_columns[i], err)) == NULL ||
            json_object_set_new(u, s->claim_names[i], v) != 0)
            goto bad;
    return u;
bad:
    json_decref(u);
    return NULL;
}

static int token_fits(size_t len)
{
    return len <= INT_MAX; /* longer than SQLite's longest value: matches nothing */
}

/* The row of tok (see na_store_get); *form gets how expires was stored. */
static int read_row(sq_store *s, const char *tok, size_t len, na_store_row *row,
                    expires_form *form, na_err *err)
{
    if (!token_fits(len))
        return 0;
    if (begin(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->get;
    int rc = sqlite3_bind_text(st, 1, len > 0 ? tok : "", (int)len, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        end(s, st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        end(s, st);
        return fail(s, rc, "reading the session", err);
    }
    int ret = -1;
    if (read_expires(st, 0, &row->expires_ms, form) != 0) {
        na_err_set(err, NA_E_STORE, "database: expires of the session row cannot be read");
    } else if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
        row->has_user = 0; /* the join found no user row (a matched id is never NULL) */
        ret = 1;
    } else if ((row->user = user_json(s, st, err)) != NULL) {
        row->has_user = 1;
        ret = 1;
    }
    end(s, st);
    if (ret == 1 && !s->read_only) /* a read-only store never touches */
        remember(s, tok, len, *form);
    return ret;
}

static int sq_get(na_store *base, const char *tok, size_t len, na_store_row *row, na_err *err)
{
    expires_form form;
    return read_row((sq_store *)base, tok, len, row, &form, err);
}

/* Bind ms in form to parameter i. Returns an SQLite code, or -1 (out of range). */
static int bind_time(sqlite3_stmt *st, int i, long long ms, expires_form form)
{
    if (form == FORM_INT_MS)
        return sqlite3_bind_int64(st, i, ms);
    char t[32];
    if (format_text_time(ms, form, t) != 0)
        return -1;
    return sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
}

static int sq_touch(na_store *base, const char *tok, size_t len, long long expires_ms,
                    long long now_ms, na_err *err)
{
    sq_store *s = (sq_store *)base;
    if (s->read_only)
        return na_err_set(err, NA_E_USAGE, "database: the store is read-only");
    if (!token_fits(len))
        return 0;
    expires_form form = FORM_NONE;
    if (s->last_tok != NULL && s->last_len == len && memcmp(s->last_tok, tok, len) == 0) {
        form = s->last_form;
    } else { /* not the row read last: read its form now */
        na_store_row row = {0};
        int r = read_row(s, tok, len, &row, &form, err);
        na_store_row_free(&row);
        if (r <= 0)
            return r; /* no such row: nothing to write */
    }
    if (begin(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->touch;
    int rc = bind_time(st, 1, expires_ms, form);
    if (rc == SQLITE_OK && s->has_updated_at)
        rc = bind_time(st, 2, now_ms, form);
    if (rc == -1) {
        end(s, st);
        return na_err_set(err, NA_E_USAGE, "database: a time outside the years 0000-9999");
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 3, len > 0 ? tok : "", (int)len, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    end(s, st);
    if (rc != SQLITE_DONE)
        return fail(s, rc, "updating the session", err);
    return 0;
}

static int sq_delete(na_store *base, const char *tok, size_t len, na_err *err)
{
    sq_store *s = (sq_store *)base;
    if (s->read_only)
        return na_err_set(err, NA_E_USAGE, "database: the store is read-only");
    if (!token_fits(len))
        return 0;
    if (begin(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->del;
    int rc = sqlite3_bind_text(st, 1, len > 0 ? tok : "", (int)len, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    end(s, st);
    if (rc != SQLITE_DONE)
        return fail(s, rc, "deleting the session", err);
    if (s->last_tok != NULL && s->last_len == len && memcmp(s->last_tok, tok, len) == 0)
        forget_token(s);
    return sqlite3_changes64(s->db) > 0 ? 1 : 0;
}

static void sq_close(na_store *base)
{
    sq_store *s = (sq_store *)base;
    disconnect(s);
    free(s->path);
    for (int i = 0; i < N_COUNT; i++)
        free(s->name[i]);
    na_store_free_list(s->claim_names, s->nclaims);
    na_store_free_list(s->claim_columns, s->nclaims);
    free(s);
}

static const na_store_ops sq_ops = {sq_get, sq_touch, sq_delete, sq_close};

/* ---- open ---- */

static char *dup_str(const char *p, int *bad)
{
    if (p == NULL)
        return NULL;
    char *d = strdup(p);
    if (d == NULL)
        *bad = 1;
    return d;
}

/* Copy the options into s. Returns 0, or -1 with err filled. */
static int copy_opts(sq_store *s, const na_store_opts *o, const char *path, na_err *err)
{
    const na_store_names *n = &o->names;
    const char *src[N_COUNT] = {n->session_table, n->user_table, n->token, n->user_id,
                                n->expires, n->updated_at, n->id, n->name, n->email,
                                n->image};
    static const char *const reserved[] = {"id", "name", "email", "image"};
    for (int i = 0; i < N_COUNT; i++)
        if ((src[i] == NULL && i != N_UPDATED_AT) || (src[i] != NULL && src[i][0] == '\0'))
            return na_err_set(err, NA_E_CONFIG, "database: an empty table or column name");
    if (o->nclaims > NA_STORE_MAX_CLAIMS)
        return na_err_set(err, NA_E_CONFIG, "database: more than %d claims columns",
                          NA_STORE_MAX_CLAIMS);
    for (size_t i = 0; i < o->nclaims; i++) {
        const char *cn = o->claim_names[i], *cc = o->claim_columns[i];
        if (cn == NULL || cc == NULL || cn[0] == '\0' || cc[0] == '\0')
            return na_err_set(err, NA_E_CONFIG, "database: an empty claim or column name");
        for (size_t k = 0; k < 4; k++)
            if (strcmp(cn, reserved[k]) == 0)
                return na_err_set(err, NA_E_CONFIG, "database: claim \"%s\" is a user field "
                                  "already", cn);
        for (size_t k = 0; k < i; k++)
            if (strcmp(cn, o->claim_names[k]) == 0)
                return na_err_set(err, NA_E_CONFIG, "database: claim \"%s\" is named twice",
                                  cn);
    }
    int bad = 0;
    s->path = dup_str(path, &bad);
    for (int i = 0; i < N_COUNT; i++)
        s->name[i] = dup_str(src[i], &bad);
    if (o->nclaims > 0) {
        s->claim_names = calloc(o->nclaims, sizeof *s->claim_names);
        s->claim_columns = calloc(o->nclaims, sizeof *s->claim_columns);
        bad |= s->claim_names == NULL || s->claim_columns == NULL;
        for (size_t i = 0; !bad && i < o->nclaims; i++) {
            s->claim_names[i] = dup_str(o->claim_names[i], &bad);
            s->claim_columns[i] = dup_str(o->claim_columns[i], &bad);
        }
    }
    s->nclaims = o->nclaims;
    if (bad)
        return na_err_set(err, NA_E_NOMEM, "database: out of memory");
    return 0;
}

na_store *na_store_sqlite_open(const na_store_opts *o, na_err *err)
{
    const char *path = o->url + strlen("sqlite:");
    if (path[0] == '\0')
        return na_err_set(err, NA_E_CONFIG, "database.url: \"sqlite:\" names no file"), NULL;
    if (path[0] != '/')
        return na_err_set(err, NA_E_CONFIG, "database.url: the SQLite file \"%s\" is not an "
                          "absolute path", path),
               NULL;
    if (o->timeout_ms <= 0)
        return na_err_set(err, NA_E_USAGE, "database.timeoutMs must be positive"), NULL;
    sq_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return na_err_set(err, NA_E_NOMEM, "database: out of memory"), NULL;
    s->base.ops = &sq_ops;
    s->read_only = o->read_only;
    s->timeout_ms = o->timeout_ms;
    s->adapter = o->adapter;
    if (copy_opts(s, o, path, err) != 0) {
        sq_close(&s->base);
        return NULL;
    }
    arm(s);
    int rc = connect_db(s, 0, err);
    s->armed = 0;
    if (rc != 0) {
        sq_close(&s->base);
        return NULL;
    }
    return &s->base;
}
