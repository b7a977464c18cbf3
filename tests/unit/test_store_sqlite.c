/* SPDX-License-Identifier: MIT */
/* test_store_sqlite.c — lib/store_sqlite.c on real SQLite files in a temp
 * folder: the text time forms (exact values, every day of years 0..9999 in a
 * stride, refusals), the adapters' recorded cases replayed on their own DDL
 * (tests/vectors/dbsess-*: get, touch, delete, then the stored rows compared
 * with what the real adapter left), each stored form of expires read and
 * written back, the catalog check's messages, read-only stores, a locked
 * database and a runaway statement stopped at the timeout, hostile tokens,
 * claims by storage class, and a reopen after the file broke. The time checks
 * run under TZ=UTC, America/New_York and Asia/Kolkata. Run from the
 * repository's root (the vectors are read from tests/vectors). */
#include "store_sqlite.c"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define VEC_DIR "tests/vectors/"

static char tmpdir[64];
static int dbseq;

static long long mono_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
    fprintf(stderr, "test_store_sqlite: %s\n", what);
    exit(2);
}

/* A fresh file name in the temp folder. */
static void db_name(char out[128])
{
    snprintf(out, 128, "%s/db%d.sqlite", tmpdir, ++dbseq);
}

static void db_remove(const char *path)
{
    static const char *const suffix[] = {"", "-journal", "-wal", "-shm"};
    char p[160];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "test_store_sqlite: %s\n  in: %.200s\n", msg ? msg : "?", sql);
        exit(2);
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "test_store_sqlite: cannot read %s (run from the repository root)\n",
                path);
        exit(2);
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t got;
    while (b != NULL && (got = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0 && (b = realloc(b, cap *= 2)) == NULL)
            break;
    }
    fclose(f);
    if (b == NULL)
        die("out of memory");
    b[n] = '\0';
    return b;
}

/* A new database file at path: schema (a file of tests/vectors, or NULL) and
 * then sql (or NULL). Returns the test's own connection to it. */
static sqlite3 *mk_db(const char *path, const char *schema, const char *sql)
{
    sqlite3 *db;
    db_remove(path);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        die("cannot create a database");
    exec(db, "PRAGMA synchronous = OFF"); /* the test's writes need no fsync */
    if (schema != NULL) {
        char file[256];
        snprintf(file, sizeof file, VEC_DIR "%s", schema);
        char *ddl = slurp(file);
        exec(db, ddl);
        free(ddl);
    }
    if (sql != NULL)
        exec(db, sql);
    return db;
}

static na_store *open_store(const char *path, na_adapter a, int ro, long timeout, na_err *err)
{
    char url[192];
    snprintf(url, sizeof url, "sqlite:%s", path);
    na_store_opts o = {.url = url, .adapter = a, .timeout_ms = timeout, .read_only = ro};
    return na_store_open(&o, err);
}

/* One value of a stored row as JSON: integer, text or null (as the vectors
 * record them). */
static json_t *cell(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_TEXT:
        return json_stringn((const char *)sqlite3_column_text(st, i),
                            (size_t)sqlite3_column_bytes(st, i));
    case SQLITE_NULL:
        return json_null();
    default:
        return json_string("<other>");
    }
}

/* Every row of table, in rowid order, as the vectors' rows_after show them
 * (with "typeof(expires)" for the session table). */
static json_t *dump(sqlite3 *db, const char *table, int with_typeof)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT *%s FROM \"%s\" ORDER BY rowid",
             with_typeof ? ", typeof(expires) AS \"typeof(expires)\"" : "", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("dump");
    json_t *rows = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *r = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++)
            json_object_set_new(r, sqlite3_column_name(st, i), cell(st, i));
        json_array_append_new(rows, r);
    }
    sqlite3_finalize(st);
    return rows;
}

/* INSERT a vector's row (a JSON object; "typeof(expires)" left out). */
static void insert_row(sqlite3 *db, const char *table, json_t *row)
{
    char sql[1024];
    int n = snprintf(sql, sizeof sql, "INSERT INTO \"%s\" (", table), k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(row, key, v) {
        if (strcmp(key, "typeof(expires)") != 0)
            n += snprintf(sql + n, sizeof sql - (size_t)n, "%s\"%s\"", k++ ? ", " : "", key);
    }
    n += snprintf(sql + n, sizeof sql - (size_t)n, ") VALUES (");
    for (int i = 0; i < k; i++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, "%s?", i ? ", " : "");
    snprintf(sql + n, sizeof sql - (size_t)n, ")");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sqlite3_errmsg(db));
    int i = 1;
    json_object_foreach(row, key, v) {
        if (strcmp(key, "typeof(expires)") == 0)
            continue;
        if (json_is_integer(v))
            sqlite3_bind_int64(st, i, json_integer_value(v));
        else if (json_is_string(v))
            sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v),
                              SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, i);
        i++;
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        die(sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

/* The oracle for the vectors' Date.toISOString() strings: libc's timegm. */
static long long iso_oracle(const char *s)
{
    int y, mo, d, h, mi, se, ms;
    char z;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &se, &ms, &z) != 8 ||
        z != 'Z')
        die("a vector time that is not toISOString()");
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = se};
    return (long long)timegm(&tm) * 1000 + ms;
}

/* ---- the text forms ---- */

static void test_parse_text_time(void)
{
    static const struct {
        int line;
        const char *text;
        long long ms;
        expires_form form;
    } ok[] = {
        {__LINE__, "2026-01-31T00:00:00.000Z", 1769817600000LL, FORM_ISO_Z},
        {__LINE__, "2026-01-31T00:00:00.000+00:00", 1769817600000LL, FORM_ISO_OFF},
        {__LINE__, "2026-01-31T00:00:00.000-00:00", 1769817600000LL, FORM_ISO_OFF},
        {__LINE__, "2026-01-31T05:30:00.000+05:30", 1769817600000LL, FORM_ISO_OFF},
        {__LINE__, "2026-01-30T19:00:00-05:00", 1769817600000LL, FORM_ISO_OFF},
        {__LINE__, "2026-01-31T23:59:59+23:59", 1769817600000LL - 86340000LL + 86399000LL,
         FORM_ISO_OFF},
        {__LINE__, "2026-01-31 00:00:00", 1769817600000LL, FORM_SPACE},
        {__LINE__, "2026-01-31 00:00:00.1", 1769817600100LL, FORM_SPACE},
        {__LINE__, "2026-01-31 00:00:00.123", 1769817600123LL, FORM_SPACE},
        {__LINE__, "2026-01-31T00:00:00Z", 1769817600000LL, FORM_ISO_Z},
        {__LINE__, "2026-01-31T00:00:00.5Z", 1769817600500LL, FORM_ISO_Z},
        {__LINE__, "2026-01-31T00:00:00.05Z", 1769817600050LL, FORM_ISO_Z},
        {__LINE__, "2025-12-31T23:59:59.9999Z", 1767225599999LL, FORM_ISO_Z},
        {__LINE__, "2025-12-31T23:59:59.999999999Z", 1767225599999LL, FORM_ISO_Z},
        {__LINE__, "1970-01-01T00:00:00.000Z", 0, FORM_ISO_Z},
        {__LINE__, "1969-12-31T23:59:59.999Z", -1, FORM_ISO_Z},
        {__LINE__, "0000-01-01T00:00:00.000Z", -62167219200000LL, FORM_ISO_Z},
        {__LINE__, "9999-12-31T23:59:59.999Z", 253402300799999LL, FORM_ISO_Z},
        {__LINE__, "2000-02-29T12:00:00Z", 951825600000LL, FORM_ISO_Z},
        {__LINE__, "2024-02-29T00:00:00Z", 1709164800000LL, FORM_ISO_Z},
        {__LINE__, "2100-03-01T00:00:00Z", 4107542400000LL, FORM_ISO_Z},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        long long ms = 0;
        expires_form f = FORM_NONE;
        const char *g = unit_guarded(ok[i].text, strlen(ok[i].text));
        int rc = parse_text_time((const unsigned char *)g, strlen(ok[i].text), &ms, &f);
        if (!CHECK_EQ_INT(rc, 0) || !CHECK_EQ_INT(ms, ok[i].ms) || !CHECK_EQ_INT(f, ok[i].form))
            printf("    row of line %d: %s\n", ok[i].line, ok[i].text);
    }
    static const char *const bad[] = {
        "", "2026", "2026-01-31", "2026-01-31T00:00:00", "2026-01-31T00:00:00.000",
        "2026-01-31t00:00:00Z", "2026-01-31T00:00:00z", "2026-01-31T00:00:00.Z",
        "2026-01-31T00:00:00.0000000000Z", "2026-01-31T00:00:00+0000", "2026-01-31T00:00:00+00",
        "2026-01-31T00:00:00+05:60", "2026-01-31T00:00:00+24:00", "2026-01-31T00:00:00 +00:00",
        "2026-01-31 00:00:00Z", "2026-01-31 00:00:00+00:00", "2026-01-31 00:00:00.",
        " 2026-01-31T00:00:00Z", "2026-01-31T00:00:00Z ", "2026-01-31T00:00:00ZZ",
        "2026-01-31T24:00:00Z", "2026-01-31T23:60:00Z", "2026-01-31T23:59:60Z",
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z", "2026-04-31T00:00:00Z", "2025-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2026-1-31T00:00:00Z", "+02026-01-31T00:00:00Z",
        "-2026-01-31T00:00:00Z", "2026/01/31T00:00:00Z", "2026-01-31T00-00-00Z",
        "2026-01-31T00:00:00,000Z", "2026-01-31T0a:00:00Z", "2026-01-31T00:00:00+0a:00",
        "1769817600000", "Sat, 31 Jan 2026 00:00:00 GMT", "2026-01-31T00:00:00.000+00:00x",
        "\xef\xbc\x92" "026-01-31T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long ms = 0;
        expires_form f = FORM_NONE;
        const char *g = unit_guarded(bad[i], strlen(bad[i]));
        if (!CHECK_EQ_INT(parse_text_time((const unsigned char *)g, strlen(bad[i]), &ms, &f), -1))
            printf("    accepted: \"%s\"\n", bad[i]);
    }
    /* a NUL inside, or after, the text */
    static const char nul1[] = "2026-01-31T00:00:00.000Z\0", nul2[] = "2026-01-31T00:00\0:00Z";
    long long ms;
    expires_form f;
    CHECK_EQ_INT(parse_text_time((const unsigned char *)nul1, sizeof nul1 - 1, &ms, &f), -1);
    CHECK_EQ_INT(parse_text_time((const unsigned char *)nul2, sizeof nul2 - 1, &ms, &f), -1);
}

/* Every 97th day of years 0..9999 and every day of 1968..1972 and 1999..2001,
 * at a moving time of day: written in each form, read back the same. */
static void test_text_roundtrip(void)
{
    long long first = days_from_civil(0, 1, 1), last = days_from_civil(9999, 12, 31);
    CHECK_EQ_INT(first, -719528);
    CHECK_EQ_INT(last, 2932896);
    CHECK_EQ_INT(days_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(days_from_civil(2026, 1, 31), 20484);
    int bad = 0, n = 0;
    for (long long day = first; day <= last; day++) {
        int dense = (day >= days_from_civil(1968, 1, 1) && day < days_from_civil(1973, 1, 1)) ||
                    (day >= days_from_civil(1999, 1, 1) && day < days_from_civil(2002, 1, 1));
        if (!dense && (day - first) % 97 != 0 && day != last)
            continue;
        long long ms = day * 86400000 + (day * 7919 % 86400000 + 86400000) % 86400000;
        static const expires_form forms[3] = {FORM_ISO_Z, FORM_ISO_OFF, FORM_SPACE};
        for (int i = 0; i < 3; i++) {
            char t[32];
            long long back = 0;
            expires_form f = FORM_NONE;
            if (format_text_time(ms, forms[i], t) != 0 ||
                parse_text_time((const unsigned char *)t, strlen(t), &back, &f) != 0 ||
                back != ms || f != forms[i]) {
                if (bad++ < 5)
                    printf("# %lld ms: \"%s\" read back as %lld\n", ms, t, back);
            }
            n++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(n > 100000);
    char t[32];
    CHECK_EQ_INT(format_text_time(1769817600123LL, FORM_ISO_Z, t), 0);
    CHECK_EQ_STR(t, "2026-01-31T00:00:00.123Z");
    CHECK_EQ_INT(format_text_time(1769817600123LL, FORM_ISO_OFF, t), 0);
    CHECK_EQ_STR(t, "2026-01-31T00:00:00.123+00:00");
    CHECK_EQ_INT(format_text_time(1769817600123LL, FORM_SPACE, t), 0);
    CHECK_EQ_STR(t, "2026-01-31 00:00:00.123");
    CHECK_EQ_INT(format_text_time(TEXT_MS_MAX, FORM_ISO_Z, t), 0);
    CHECK_EQ_STR(t, "9999-12-31T23:59:59.999Z");
    CHECK_EQ_INT(format_text_time(TEXT_MS_MIN, FORM_ISO_OFF, t), 0);
    CHECK_EQ_STR(t, "0000-01-01T00:00:00.000+00:00");
    CHECK_EQ_INT(format_text_time(TEXT_MS_MAX + 1, FORM_ISO_Z, t), -1);
    CHECK_EQ_INT(format_text_time(TEXT_MS_MIN - 1, FORM_SPACE, t), -1);
}

static void test_affinity(void)
{
    static const struct {
        const char *decl;
        int aff;
    } rows[] = {
        {"TEXT", 't'}, {"text", 't'}, {"VARCHAR(255)", 't'}, {"NVARCHAR", 't'}, {"CLOB", 't'},
        {"", 'b'}, {"BLOB", 'b'}, {"INTEGER", 'i'}, {"int", 'i'}, {"BIGINT", 'i'},
        {"CHARINT", 'i'}, {"POINT", 'i'}, {"REAL", 'r'}, {"DOUBLE", 'r'}, {"FLOAT", 'r'},
        {"DATETIME", 'n'}, {"NUMERIC", 'n'}, {"BOOLEAN", 'n'}, {"STRING", 'n'}, {"uuid", 'n'},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!CHECK_EQ_INT(affinity(rows[i].decl), rows[i].aff))
            printf("    declared \"%s\"\n", rows[i].decl);
    CHECK_EQ_INT(affinity(NULL), 'b');
}

/* ---- the recorded cases ---- */

static json_t *vectors;

static json_t *find_session(json_t *sessions, const char *tok, size_t len)
{
    size_t i;
    json_t *r;
    json_array_foreach(sessions, i, r) {
        json_t *t = json_object_get(r, "sessionToken");
        if (json_string_length(t) == len && memcmp(json_string_value(t), tok, len) == 0)
            return r;
    }
    return NULL;
}

/* Replay one case's adapter calls on our store and compare the rows after.
 * Returns 1 when replayed, 0 when the case has nothing to replay here. */
static int replay(json_t *v)
{
    const char *name = json_string_value(json_object_get(v, "name"));
    json_t *calls = json_object_get(v, "adapter_calls");
    size_t i;
    json_t *c;
    if (strstr(name, "@sqlite/") == NULL || json_array_size(calls) == 0)
        return 0;
    int ro = 0;
    json_array_foreach(calls, i, c) {
        const char *call = json_string_value(json_object_get(c, "call"));
        if (json_object_get(c, "threw") != NULL) {
            if (strcmp(call, "getSessionAndUser") == 0)
                return 0; /* the handle closed under the adapter: test_reopen */
            ro = 1;      /* updateSession on a read-only database */
        }
    }
    const char *schema = json_string_value(json_object_get(v, "schema"));
    int prisma = strstr(name, "/prisma-adapter@") != NULL;
    const char *st = prisma ? "Session" : "session", *ut = prisma ? "User" : "user";
    long long now = json_integer_value(json_object_get(v, "now_ms"));
    json_t *before = json_object_get(v, "rows_before"), *after = json_object_get(v, "rows_after");
    char path[128];
    db_name(path);
    sqlite3 *db = mk_db(path, schema, NULL);
    json_array_foreach(json_object_get(before, "users"), i, c) insert_row(db, ut, c);
    json_array_foreach(json_object_get(before, "sessions"), i, c) insert_row(db, st, c);

    na_err err = {0};
    na_store *s = open_store(path, prisma ? NA_ADAPTER_PRISMA : NA_ADAPTER_DRIZZLE, ro, 2000, &err);
    int fails = unit_failed;
    if (!CHECK(s != NULL)) {
        printf("    %s\n", err.msg);
        goto out;
    }
    json_array_foreach(calls, i, c) {
        const char *call = json_string_value(json_object_get(c, "call"));
        json_t *arg = json_array_get(json_object_get(c, "args"), 0);
        json_t *ret = json_object_get(c, "returned");
        if (strcmp(call, "getSessionAndUser") == 0) {
            const char *tok = json_string_value(arg);
            size_t len = json_string_length(arg);
            na_store_row row;
            int rc = na_store_get(s, unit_guarded(tok, len), len, &row, &err);
            json_t *stored = find_session(json_object_get(before, "sessions"), tok, len);
            if (json_is_null(ret) && stored == NULL) {
                CHECK_EQ_INT(rc, 0);
            } else if (json_is_null(ret)) { /* Drizzle's inner join: no user row */
                CHECK_EQ_INT(rc, 1);
                CHECK_EQ_INT(row.has_user, 0);
                CHECK_EQ_INT(row.expires_ms, json_integer_value(json_object_get(stored,
                                                                                "expires")));
            } else {
                json_t *u = json_object_get(ret, "user");
                CHECK_EQ_INT(rc, 1);
                CHECK_EQ_INT(row.expires_ms, iso_oracle(json_string_value(
                                                 json_object_get(json_object_get(ret, "session"),
                                                                 "expires"))));
                CHECK_EQ_INT(row.has_user, !json_is_null(u));
                if (!json_is_null(u)) {
                    json_t *want = json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(u, "id"),
                                             "name", json_object_get(u, "name"), "email",
                                             json_object_get(u, "email"), "image",
                                             json_object_get(u, "image"));
                    CHECK(json_equal(row.user, want));
                    json_decref(want);
                }
            }
            na_store_row_free(&row);
        } else if (strcmp(call, "updateSession") == 0) {
            json_t *tok = json_object_get(arg, "sessionToken");
            long long exp = iso_oracle(json_string_value(json_object_get(arg, "expires")));
            int rc = na_store_touch(s, json_string_value(tok), json_string_length(tok), exp, now,
                                    &err);
            CHECK_EQ_INT(rc, ro ? -1 : 0);
            if (ro) {
                CHECK_EQ_INT(err.code, NA_E_USAGE);
                CHECK_EQ_STR(err.msg, "database: the store is read-only");
            }
        } else if (strcmp(call, "deleteSession") == 0) {
            CHECK_EQ_INT(na_store_delete(s, json_string_value(arg), json_string_length(arg), &err),
                         1);
        } else {
            CHECK(!"an adapter call the store does not have");
        }
    }
    json_t *want_s = json_deep_copy(json_object_get(after, "sessions"));
    if (strstr(name, "/prisma-sqlite-legacy-integer-ms") != NULL) {
        /* Deliberate: Prisma 7 rewrote the INTEGER row as text; the store keeps
         * the row's form (INTEGER ms, updatedAt too), which every Prisma reads. */
        json_t *r = json_array_get(want_s, 0);
        json_object_set_new(r, "expires", json_integer(1769817600000LL));
        json_object_set_new(r, "updatedAt", json_integer(now));
        json_object_set_new(r, "typeof(expires)", json_string("integer"));
    }
    json_t *got_s = dump(db, st, 1), *got_u = dump(db, ut, 0);
    CHECK(json_equal(got_s, want_s));
    CHECK(json_equal(got_u, json_object_get(after, "users")));
    if (!json_equal(got_s, want_s)) {
        char *a = json_dumps(got_s, JSON_COMPACT), *b = json_dumps(want_s, JSON_COMPACT);
        printf("    got  %s\n    want %s\n", a, b);
        free(a), free(b);
    }
    json_decref(want_s);
    json_decref(got_s);
    json_decref(got_u);
out:
    if (unit_failed != fails)
        printf("# case %s\n", name);
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);
    return 1;
}

static void test_vectors(void)
{
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(json_object_get(vectors, "vectors"), i, v) n += (size_t)replay(v);
    CHECK_EQ_INT(n, 106); /* every SQLite case with adapter calls, less the 4 closed-handle ones */
}

/* ---- each stored form, on each adapter's DDL ---- */

static const struct {
    const char *schema, *session, *user;
    na_adapter adapter;
    const char *user_sql;
    int updated_at;
} ddl[] = {
    {"dbsess-schema/prisma-sqlite.sql", "Session", "User", NA_ADAPTER_PRISMA,
     "INSERT INTO \"User\"(id, name, email, image, \"updatedAt\") VALUES "
     "('user-1', 'Ada', 'ada@example.test', NULL, '2025-12-31T00:00:00.000+00:00')",
     1},
    {"dbsess-schema/drizzle-sqlite.sql", "session", "user", NA_ADAPTER_DRIZZLE,
     "INSERT INTO \"user\"(id, name, email, image) VALUES ('user-1', 'Ada', "
     "'ada@example.test', NULL)",
     0},
    {"dbsess-schema/kysely-sqlite.sql", "Session", "User", NA_ADAPTER_KYSELY,
     "INSERT INTO \"User\"(id, name, email, image) VALUES ('user-1', 'Ada', "
     "'ada@example.test', NULL)",
     0},
};

/* The INSERT of one session row of ddl[d] (stored: an SQL literal). */
static void session_sql(size_t d, const char *tok, const char *stored, char *out, size_t cap)
{
    if (ddl[d].adapter == NA_ADAPTER_PRISMA)
        snprintf(out, cap, "INSERT INTO \"Session\"(id, \"sessionToken\", \"userId\", expires, "
                 "\"updatedAt\") VALUES ('id-%s', '%s', 'user-1', %s, 'before')", tok, tok,
                 stored);
    else if (ddl[d].adapter == NA_ADAPTER_DRIZZLE)
        snprintf(out, cap, "INSERT INTO \"session\"(\"sessionToken\", \"userId\", expires) "
                 "VALUES ('%s', 'user-1', %s)", tok, stored);
    else
        snprintf(out, cap, "INSERT INTO \"Session\"(id, \"sessionToken\", \"userId\", expires) "
                 "VALUES ('id-%s', '%s', 'user-1', %s)", tok, tok, stored);
}

static const struct {
    const char *tok, *stored;  /* stored: an SQL literal */
    long long ms;              /* as read */
    const char *type_after;    /* typeof(expires) after a touch */
    const char *exp_after, *upd_after; /* as text (INTEGER: its digits) */
} forms[] = {
    {"t-int", "1768953600000", 1768953600000LL, "integer", "1769817600123", "1767225600456"},
    {"t-z", "'2026-01-21T00:00:00.000Z'", 1768953600000LL, "text", "2026-01-31T00:00:00.123Z",
     "2026-01-01T00:00:00.456Z"},
    {"t-off", "'2026-01-21T00:00:00.000+00:00'", 1768953600000LL, "text",
     "2026-01-31T00:00:00.123+00:00", "2026-01-01T00:00:00.456+00:00"},
    {"t-ist", "'2026-01-21T05:30:00+05:30'", 1768953600000LL, "text",
     "2026-01-31T00:00:00.123+00:00", "2026-01-01T00:00:00.456+00:00"},
    {"t-space", "'2026-01-21 00:00:00'", 1768953600000LL, "text", "2026-01-31 00:00:00.123",
     "2026-01-01 00:00:00.456"},
    {"t-frac", "'2026-01-20T23:59:59.9999999Z'", 1768953599999LL, "text",
     "2026-01-31T00:00:00.123Z", "2026-01-01T00:00:00.456Z"},
};

static void test_forms(void)
{
    for (size_t d = 0; d < sizeof ddl / sizeof ddl[0]; d++) {
        char path[128], sql[512];
        db_name(path);
        sqlite3 *db = mk_db(path, ddl[d].schema, ddl[d].user_sql);
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            session_sql(d, forms[f].tok, forms[f].stored, sql, sizeof sql);
            exec(db, sql);
        }
        na_err err = {0};
        na_store *s = open_store(path, ddl[d].adapter, 0, 2000, &err);
        if (!CHECK(s != NULL)) {
            printf("    %s: %s\n", ddl[d].schema, err.msg);
            continue;
        }
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            const char *tok = forms[f].tok;
            na_store_row row;
            int rc = na_store_get(s, tok, strlen(tok), &row, &err);
            int fails = unit_failed;
            if (ddl[d].adapter == NA_ADAPTER_KYSELY && f == 0) {
                /* a TEXT column keeps the digits as text: not a time form */
                CHECK_EQ_INT(rc, -1);
                CHECK_EQ_INT(err.code, NA_E_STORE);
                CHECK_EQ_STR(err.msg, "database: expires of the session row cannot be read");
                continue;
            }
            CHECK_EQ_INT(rc, 1);
            CHECK_EQ_INT(row.expires_ms, forms[f].ms);
            CHECK_EQ_INT(row.has_user, 1);
            json_t *want = json_pack("{s:s,s:s,s:s,s:n}", "id", "user-1", "name", "Ada", "email",
                                     "ada@example.test", "image");
            CHECK(json_equal(row.user, want));
            json_decref(want);
            na_store_row_free(&row);
            CHECK_EQ_INT(na_store_touch(s, tok, strlen(tok), 1769817600123LL, 1767225600456LL,
                                        &err), 0);
            snprintf(sql, sizeof sql,
                     "SELECT typeof(expires), CAST(expires AS TEXT), %s FROM \"%s\" "
                     "WHERE \"sessionToken\" = ?",
                     ddl[d].updated_at ? "CAST(\"updatedAt\" AS TEXT)" : "NULL", ddl[d].session);
            sqlite3_stmt *st;
            sqlite3_prepare_v2(db, sql, -1, &st, NULL);
            sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
            CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
            CHECK_EQ_STR((const char *)sqlite3_column_text(st, 0), forms[f].type_after);
            CHECK_EQ_STR((const char *)sqlite3_column_text(st, 1), forms[f].exp_after);
            CHECK_EQ_STR((const char *)sqlite3_column_text(st, 2),
                         ddl[d].updated_at ? forms[f].upd_after : NULL);
            sqlite3_finalize(st);
            /* read back: the new expiry */
            CHECK_EQ_INT(na_store_get(s, tok, strlen(tok), &row, &err), 1);
            CHECK_EQ_INT(row.expires_ms, 1769817600123LL);
            na_store_row_free(&row);
            if (unit_failed != fails)
                printf("# %s, row %s\n", ddl[d].schema, tok);
        }
        na_store_row row;
        /* touch of a row not read last: its form is read first */
        CHECK_EQ_INT(na_store_touch(s, "t-z", 3, 1769817600999LL, 1767225600999LL, &err), 0);
        json_t *rows = dump(db, ddl[d].session, 1);
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r) {
            if (strcmp(json_string_value(json_object_get(r, "sessionToken")), "t-z") == 0)
                CHECK_EQ_STR(json_string_value(json_object_get(r, "expires")),
                             "2026-01-31T00:00:00.999Z");
        }
        json_decref(rows);
        /* past what four year digits hold: text rows refuse it, integer rows take it */
        CHECK_EQ_INT(na_store_touch(s, "t-z", 3, TEXT_MS_MAX + 1, 0, &err), -1);
        CHECK_EQ_INT(err.code, NA_E_USAGE);
        CHECK_EQ_STR(err.msg, "database: a time outside the years 0000-9999");
        if (ddl[d].adapter != NA_ADAPTER_KYSELY) {
            CHECK_EQ_INT(na_store_touch(s, "t-int", 5, TEXT_MS_MAX + 1, 0, &err), 0);
            CHECK_EQ_INT(na_store_get(s, "t-int", 5, &row, &err), 1);
            CHECK_EQ_INT(row.expires_ms, TEXT_MS_MAX + 1);
            na_store_row_free(&row);
        }
        /* unknown token: nothing written, no error */
        json_t *rows_before = dump(db, ddl[d].session, 1);
        CHECK_EQ_INT(na_store_touch(s, "t-none", 6, 1769817600999LL, 1767225600999LL, &err), 0);
        json_t *rows_after = dump(db, ddl[d].session, 1);
        CHECK(json_equal(rows_before, rows_after));
        json_decref(rows_before);
        json_decref(rows_after);
        /* delete: 1, then 0 */
        CHECK_EQ_INT(na_store_delete(s, "t-off", 5, &err), 1);
        CHECK_EQ_INT(na_store_delete(s, "t-off", 5, &err), 0);
        CHECK_EQ_INT(na_store_get(s, "t-off", 5, &row, &err), 0);
        na_store_close(s);
        sqlite3_close(db);
        db_remove(path);
    }
}

/* ---- unreadable values ---- */

static void test_unreadable_expires(void)
{
    static const char *const stored[] = {
        "1768953600000.5", "2459580.5", "NULL", "X'31373638393533363030303030'",
        "'1768953600000'", "'2026-01-21T00:00:00'", "'tomorrow'", "8640000000000001",
        "-8640000000000001", "'2026-02-30T00:00:00Z'",
    };
    char path[128], sql[256];
    db_name(path);
    sqlite3 *db = mk_db(path, NULL,
                        "CREATE TABLE \"user\"(id TEXT PRIMARY KEY, name TEXT, email TEXT, image "
                        "TEXT); CREATE TABLE \"session\"(\"sessionToken\" TEXT PRIMARY KEY, "
                        "\"userId\" TEXT, expires); INSERT INTO \"user\" VALUES('u', NULL, NULL, "
                        "NULL); INSERT INTO \"session\" VALUES('max', 'u', 8640000000000000), "
                        "('min', 'u', -8640000000000000)");
    for (size_t i = 0; i < sizeof stored / sizeof stored[0]; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO \"session\" VALUES('bad%zu', 'u', %s)", i,
                 stored[i]);
        exec(db, sql);
    }
    na_err err = {0};
    na_store *s = open_store(path, NA_ADAPTER_DRIZZLE, 1, 2000, &err);
    CHECK(s != NULL);
    na_store_row row;
    CHECK_EQ_INT(na_store_get(s, "max", 3, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 8640000000000000LL);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_get(s, "min", 3, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, -8640000000000000LL);
    na_store_row_free(&row);
    for (size_t i = 0; i < sizeof stored / sizeof stored[0]; i++) {
        char tok[16];
        snprintf(tok, sizeof tok, "bad%zu", i);
        err = (na_err){0};
        int rc = na_store_get(s, tok, strlen(tok), &row, &err);
        if (!CHECK_EQ_INT(rc, -1) || !CHECK_EQ_INT(err.code, NA_E_STORE) ||
            !CHECK_EQ_STR(err.msg, "database: expires of the session row cannot be read"))
            printf("    stored %s\n", stored[i]);
        CHECK(row.user == NULL);
        na_store_row_free(&row);
    }
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);
}

/* ---- claims and user columns ---- */

static void test_claims(void)
{
    char path[128];
    db_name(path);
    sqlite3 *db = mk_db(
        path, "dbsess-schema/drizzle-sqlite.sql",
        "ALTER TABLE \"user\" ADD COLUMN role TEXT; ALTER TABLE \"user\" ADD COLUMN level INTEGER;"
        "ALTER TABLE \"user\" ADD COLUMN score REAL; ALTER TABLE \"user\" ADD COLUMN \"nothing\";"
        "ALTER TABLE \"user\" ADD COLUMN avatar BLOB;"
        "INSERT INTO \"user\" VALUES('user-1', 'Ada \"L\"', NULL, NULL, 'https://x.test/a.png',"
        " 'admin', 3, 1.5, NULL, X'00ff');"
        "INSERT INTO \"user\" VALUES('user-2', X'616263', 'b@x.test', NULL, NULL, 'r\xc3\xa9', "
        "-9223372036854775808, -0.25, 7, NULL);"
        "INSERT INTO \"user\"(id, name) VALUES('user-3', CAST(X'61ff62' AS TEXT));"
        "INSERT INTO \"user\"(id, name, \"nothing\") VALUES('user-4', 12, 12);"
        "INSERT INTO \"user\"(id, \"nothing\") VALUES('user-5', 9e999);"
        "INSERT INTO \"session\" VALUES('t1', 'user-1', 1), ('t2', 'user-2', 2), "
        "('t3', 'user-3', 3), ('t4', 'user-4', 4), ('t5', 'user-5', 5)");
    static const char *const names[] = {"role", "level", "score", "nothing"};
    static const char *const cols[] = {"ROLE", "level", "score", "nothing"};
    char url[192];
    snprintf(url, sizeof url, "sqlite:%s", path);
    na_store_opts o = {.url = url, .adapter = NA_ADAPTER_DRIZZLE, .timeout_ms = 2000,
                       .claim_names = names, .claim_columns = cols, .nclaims = 4};
    na_err err = {0};
    na_store *s = na_store_open(&o, &err);
    if (!CHECK(s != NULL))
        printf("    %s\n", err.msg);
    na_store_row row;
    CHECK_EQ_INT(na_store_get(s, "t1", 2, &row, &err), 1);
    char *j = json_dumps(row.user, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CHECK_EQ_STR(j, "{\"id\":\"user-1\",\"name\":\"Ada \\\"L\\\"\",\"email\":null,\"image\":"
                    "\"https://x.test/a.png\",\"role\":\"admin\",\"level\":3,\"score\":1.5,"
                    "\"nothing\":null}");
    free(j);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_get(s, "t2", 2, &row, &err), -1); /* a blob name */
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: column \"name\" of the user row is a blob");
    CHECK_EQ_INT(na_store_get(s, "t3", 2, &row, &err), -1);
    CHECK_EQ_STR(err.msg, "database: column \"name\" of the user row is not UTF-8 text");
    CHECK_EQ_INT(na_store_get(s, "t4", 2, &row, &err), 1); /* as stored: the column's affinity */
    j = json_dumps(row.user, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CHECK_EQ_STR(j, "{\"id\":\"user-4\",\"name\":\"12\",\"email\":null,\"image\":null,"
                    "\"role\":null,\"level\":null,\"score\":null,\"nothing\":12}");
    free(j);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_get(s, "t5", 2, &row, &err), -1); /* infinity */
    CHECK_EQ_STR(err.msg, "database: column \"nothing\" of the user row is not a finite number");
    na_store_close(s);

    /* a blob claim; claims named like a user field or twice; too many */
    static const char *const n2[] = {"avatar"}, *const n3[] = {"email"},
                             *const n4[] = {"r", "r"}, *const c4[] = {"role", "level"};
    exec(db, "UPDATE \"user\" SET name = 'B' WHERE id = 'user-2'");
    o.claim_names = n2, o.claim_columns = n2, o.nclaims = 1;
    s = na_store_open(&o, &err);
    CHECK(s != NULL);
    CHECK_EQ_INT(na_store_get(s, "t1", 2, &row, &err), -1);
    CHECK_EQ_STR(err.msg, "database: column \"avatar\" of the user row is a blob");
    CHECK_EQ_INT(na_store_get(s, "t2", 2, &row, &err), 1); /* NULL avatar */
    j = json_dumps(row.user, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CHECK_EQ_STR(j, "{\"id\":\"user-2\",\"name\":\"B\",\"email\":\"b@x.test\",\"image\":null,"
                    "\"avatar\":null}");
    free(j);
    na_store_row_free(&row);
    na_store_close(s);
    o.claim_names = n3, o.claim_columns = n2;
    CHECK(na_store_open(&o, &err) == NULL);
    CHECK_EQ_INT(err.code, NA_E_CONFIG);
    CHECK_EQ_STR(err.msg, "database: claim \"email\" is a user field already");
    o.claim_names = n4, o.claim_columns = c4, o.nclaims = 2;
    CHECK(na_store_open(&o, &err) == NULL);
    CHECK_EQ_STR(err.msg, "database: claim \"r\" is named twice");
    o.nclaims = NA_STORE_MAX_CLAIMS + 1;
    CHECK(na_store_open(&o, &err) == NULL);
    CHECK_EQ_STR(err.msg, "database: more than 32 claims columns");

    /* a user id that is a blob */
    exec(db, "INSERT INTO \"user\"(id) VALUES(X'75'); INSERT INTO \"session\" VALUES('t6', "
             "X'75', 6)");
    o.nclaims = 0;
    s = na_store_open(&o, &err);
    CHECK_EQ_INT(na_store_get(s, "t6", 2, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: the user id is neither text nor an integer");
    na_store_close(s);

    /* an INTEGER user id is its decimal string */
    sqlite3_close(db);
    db_remove(path);
    db = mk_db(path, NULL,
               "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, email TEXT, image TEXT);"
               "CREATE TABLE sessions(\"sessionToken\" VARCHAR(255), \"userId\" INTEGER, expires "
               "INTEGER); INSERT INTO users VALUES(42, 'n', 'e', 'i'); INSERT INTO users "
               "VALUES(-9223372036854775808, 'n', 'e', 'i'); INSERT INTO sessions VALUES('a', "
               "42, 1), ('b', -9223372036854775808, 2), ('c', '42', 3), ('d', 42.0, 4)");
    o.nclaims = 0;
    o.adapter = NA_ADAPTER_PG;
    s = na_store_open(&o, &err);
    CHECK(s != NULL);
    static const char *const ids[] = {"42", "-9223372036854775808", "42", "42"};
    for (int i = 0; i < 4; i++) {
        char tok[2] = {(char)('a' + i), 0};
        CHECK_EQ_INT(na_store_get(s, tok, 1, &row, &err), 1);
        CHECK_EQ_STR(json_string_value(json_object_get(row.user, "id")), ids[i]);
        na_store_row_free(&row);
    }
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);
}

/* ---- hostile tokens ---- */

static void test_hostile_tokens(void)
{
    static const char nul_tok[] = "abc\0def", ff[] = "\xff\xfe", e9[] = "caf\xc3\xa9";
    char path[128];
    db_name(path);
    sqlite3 *db = mk_db(path, "dbsess-schema/drizzle-sqlite.sql",
                        "INSERT INTO \"user\"(id) VALUES('u');"
                        "INSERT INTO \"session\" VALUES('abc', 'u', 1), ('ABC', 'u', 2), "
                        "('x'' OR ''1''=''1', 'u', 3), ('a;DROP TABLE \"session\";--', 'u', 4),"
                        "(X'616263646566', 'u', 7)");
    size_t big_len = 65536;
    char *big = malloc(big_len + 1);
    memset(big, 'A', big_len + 1);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO \"session\" VALUES(?1, 'u', ?2)", -1, &st, NULL);
    const struct {
        const char *p;
        size_t n;
        long long exp;
    } rows[] = {{nul_tok, 7, 5}, {ff, 2, 6}, {e9, 5, 8}, {big, big_len, 9}};
    for (size_t i = 0; i < 4; i++) {
        sqlite3_bind_text(st, 1, rows[i].p, (int)rows[i].n, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rows[i].exp);
        CHECK_EQ_INT(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    na_err err = {0};
    na_store *s = open_store(path, NA_ADAPTER_DRIZZLE, 0, 2000, &err);
    CHECK(s != NULL);
    static const char q[] = "x' OR '1'='1", drop[] = "a;DROP TABLE \"session\";--";
    const struct {
        int line;
        const char *p;
        size_t n;
        long long want; /* expires of the row found, 0: none */
    } probes[] = {
        {__LINE__, "abc", 3, 1},
        {__LINE__, "ABC", 3, 2},
        {__LINE__, "Abc", 3, 0},
        {__LINE__, q, sizeof q - 1, 3},
        {__LINE__, "x' OR '1'='1' --", 16, 0},
        {__LINE__, "' OR 1=1 --", 11, 0},
        {__LINE__, drop, sizeof drop - 1, 4},
        {__LINE__, nul_tok, 7, 5},
        {__LINE__, nul_tok, 3, 1}, /* "abc" */
        {__LINE__, nul_tok, 4, 0}, /* "abc\0" */
        {__LINE__, "abcdef", 6, 0}, /* only a BLOB holds these bytes: never equal to text */
        {__LINE__, ff, 2, 6},
        {__LINE__, "\xff\xff", 2, 0},
        {__LINE__, "\xff", 1, 0},
        {__LINE__, "\xef\xbf\xbd\xef\xbf\xbd", 6, 0}, /* U+FFFD twice: no conversion */
        {__LINE__, e9, 5, 8},
        {__LINE__, "cafe\xcc\x81", 6, 0}, /* the same word, decomposed */
        {__LINE__, big, big_len, 9},
        {__LINE__, big, big_len - 1, 0},
        {__LINE__, big, big_len + 1, 0},
        {__LINE__, "", 0, 0},
        {__LINE__, "%", 1, 0},
        {__LINE__, "_bc", 3, 0},
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        na_store_row row;
        const char *g = unit_guarded(probes[i].p, probes[i].n);
        int rc = na_store_get(s, g, probes[i].n, &row, &err);
        int fails = unit_failed;
        CHECK_EQ_INT(rc, probes[i].want ? 1 : 0);
        if (rc == 1)
            CHECK_EQ_INT(row.expires_ms, probes[i].want);
        na_store_row_free(&row);
        /* delete of a hostile token that matches nothing deletes nothing */
        if (probes[i].want == 0)
            CHECK_EQ_INT(na_store_delete(s, g, probes[i].n, &err), 0);
        if (unit_failed != fails)
            printf("    probe of line %d\n", probes[i].line);
    }
    /* every row is still there; then the NUL token's row goes, and only it */
    sqlite3_prepare_v2(db, "SELECT count(*) FROM \"session\"", -1, &st, NULL);
    sqlite3_step(st);
    CHECK_EQ_INT(sqlite3_column_int(st, 0), 9);
    sqlite3_reset(st);
    CHECK_EQ_INT(na_store_delete(s, nul_tok, 7, &err), 1);
    sqlite3_step(st);
    CHECK_EQ_INT(sqlite3_column_int(st, 0), 8);
    sqlite3_finalize(st);
    na_store_row row;
    CHECK_EQ_INT(na_store_get(s, "abc", 3, &row, &err), 1);
    na_store_row_free(&row);
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);

    /* a NOCASE token column: the store still compares bytes */
    db = mk_db(path, NULL,
               "CREATE TABLE \"user\"(id TEXT PRIMARY KEY, name TEXT, email TEXT, image TEXT);"
               "CREATE TABLE \"session\"(\"sessionToken\" TEXT COLLATE NOCASE UNIQUE, \"userId\" "
               "TEXT, expires INTEGER); INSERT INTO \"session\" VALUES('abc', 'u', 1)");
    s = open_store(path, NA_ADAPTER_DRIZZLE, 0, 2000, &err);
    CHECK(s != NULL);
    CHECK_EQ_INT(na_store_get(s, "ABC", 3, &row, &err), 0);
    CHECK_EQ_INT(na_store_delete(s, "ABC", 3, &err), 0);
    CHECK_EQ_INT(na_store_get(s, "abc", 3, &row, &err), 1);
    CHECK_EQ_INT(row.has_user, 0);
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);
    free(big);
}

/* ---- open: urls, files, catalog ---- */

static void expect_open_fails(const na_store_opts *o, na_code code, const char *msg, int line)
{
    na_err err = {0};
    na_store *s = na_store_open(o, &err);
    int fails = unit_failed;
    CHECK(s == NULL);
    CHECK_EQ_INT(err.code, code);
    CHECK_EQ_STR(err.msg, msg);
    if (unit_failed != fails)
        printf("    open of line %d\n", line);
    na_store_close(s);
}

static void test_open_errors(void)
{
    char path[128], url[192], msg[400];
    na_store_opts o = {.url = url, .adapter = NA_ADAPTER_PRISMA, .timeout_ms = 2000};
    snprintf(url, sizeof url, "sqlite:");
    expect_open_fails(&o, NA_E_CONFIG, "database.url: \"sqlite:\" names no file", __LINE__);
    snprintf(url, sizeof url, "sqlite:dev.db");
    expect_open_fails(&o, NA_E_CONFIG,
                      "database.url: the SQLite file \"dev.db\" is not an absolute path",
                      __LINE__);
    snprintf(url, sizeof url, "sqlite:./dev.db");
    expect_open_fails(&o, NA_E_CONFIG,
                      "database.url: the SQLite file \"./dev.db\" is not an absolute path",
                      __LINE__);

    /* a missing file is refused and not created */
    db_name(path);
    snprintf(url, sizeof url, "sqlite:%s", path);
    snprintf(msg, sizeof msg, "database: cannot open \"%s\": unable to open database file", path);
    expect_open_fails(&o, NA_E_CONFIG, msg, __LINE__);
    CHECK(access(path, F_OK) != 0 && errno == ENOENT);
    o.read_only = 1;
    expect_open_fails(&o, NA_E_CONFIG, msg, __LINE__);
    CHECK(access(path, F_OK) != 0 && errno == ENOENT);
    o.read_only = 0;

    /* a folder, a text file, an empty file */
    snprintf(url, sizeof url, "sqlite:%s", tmpdir);
    snprintf(msg, sizeof msg, "database: cannot open \"%s\": unable to open database file",
             tmpdir);
    expect_open_fails(&o, NA_E_CONFIG, msg, __LINE__);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    CHECK(write(fd, "not a database, just some text that is long enough to be read\n", 63) ==
          63);
    close(fd);
    snprintf(url, sizeof url, "sqlite:%s", path);
    snprintf(msg, sizeof msg, "database: cannot read \"%s\": file is not a database", path);
    expect_open_fails(&o, NA_E_CONFIG, msg, __LINE__);
    fd = open(path, O_WRONLY | O_TRUNC);
    close(fd);
    snprintf(msg, sizeof msg, "database: no table \"Session\" in \"%s\"", path);
    expect_open_fails(&o, NA_E_CONFIG, msg, __LINE__); /* empty: a database with no tables */
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && sb.st_size == 0);    /* and still empty */
    db_remove(path);

    /* the catalog: each missing table and column is named */
    static const struct {
        int line;
        const char *sql, *msg; /* msg ending in " in": the file's name follows */
    } cat[] = {
        {__LINE__, "CREATE TABLE \"User\"(id, name, email, image)",
         "database: no table \"Session\" in"},
        {__LINE__, "CREATE TABLE \"Session\"(\"sessionToken\" TEXT, \"userId\", expires)",
         "database: no table \"User\" in"},
        {__LINE__, "CREATE TABLE \"Session\"(\"sessionToken\" TEXT, \"userId\", expiry);"
                   "CREATE TABLE \"User\"(id, name, email, image)",
         "database: table \"Session\" has no column \"expires\""},
        {__LINE__, "CREATE TABLE \"Session\"(token TEXT, \"userId\", expires);"
                   "CREATE TABLE \"User\"(id, name, email, image)",
         "database: table \"Session\" has no column \"sessionToken\""},
        {__LINE__, "CREATE TABLE \"Session\"(\"sessionToken\" TEXT, user_id, expires);"
                   "CREATE TABLE \"User\"(id, name, email, image)",
         "database: table \"Session\" has no column \"userId\""},
        {__LINE__, "CREATE TABLE \"Session\"(\"sessionToken\" TEXT, \"userId\", expires);"
                   "CREATE TABLE \"User\"(id, name, mail, image)",
         "database: table \"User\" has no column \"email\""},
        {__LINE__, "CREATE TABLE \"Session\"(\"sessionToken\" TEXT, \"userId\", expires);"
                   "CREATE TABLE \"User\"(uid, name, email, image)",
         "database: table \"User\" has no column \"id\""},
        {__LINE__, "CREATE TABLE \"Session\"(\"sessionToken\" INTEGER, \"userId\", expires);"
                   "CREATE TABLE \"User\"(id, name, email, image)",
         "database: column \"sessionToken\" of table \"Session\" does not hold text; tokens "
         "would not compare exactly"},
        {__LINE__, "CREATE TABLE \"Session\"(\"sessionToken\" DATETIME, \"userId\", expires);"
                   "CREATE TABLE \"User\"(id, name, email, image)",
         "database: column \"sessionToken\" of table \"Session\" does not hold text; tokens "
         "would not compare exactly"},
    };
    for (size_t i = 0; i < sizeof cat / sizeof cat[0]; i++) {
        sqlite3 *db = mk_db(path, NULL, cat[i].sql);
        sqlite3_close(db);
        size_t ml = strlen(cat[i].msg);
        if (ml > 3 && strcmp(cat[i].msg + ml - 3, " in") == 0)
            snprintf(msg, sizeof msg, "%s \"%s\"", cat[i].msg, path);
        else
            snprintf(msg, sizeof msg, "%s", cat[i].msg);
        expect_open_fails(&o, NA_E_CONFIG, msg, cat[i].line);
        db_remove(path);
    }

    /* names are matched as SQLite does (case-insensitively) and quoted */
    sqlite3 *db = mk_db(path, NULL,
                        "CREATE TABLE \"my \"\"sessions\"\"\"(\"tok;en\" TEXT, \"USERID\", "
                        "\"Expires\"); CREATE TABLE \"user\"\"s\"(id, name, email, image, "
                        "\"ro le\"); INSERT INTO \"user\"\"s\" VALUES('u', 'n', NULL, NULL, "
                        "'x'); INSERT INTO \"my \"\"sessions\"\"\" VALUES('t', 'u', 5)");
    static const char *const cn[] = {"role"}, *const cc[] = {"ro le"};
    o.names = (na_store_names){.session_table = "my \"sessions\"", .user_table = "user\"s",
                               .token = "tok;en"};
    o.claim_names = cn, o.claim_columns = cc, o.nclaims = 1;
    na_err err = {0};
    na_store *s = na_store_open(&o, &err);
    if (!CHECK(s != NULL))
        printf("    %s\n", err.msg);
    na_store_row row;
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 5);
    CHECK_EQ_STR(json_string_value(json_object_get(row.user, "role")), "x");
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 7, 6, &err), 0); /* no updatedAt: not written */
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 7);
    na_store_row_free(&row);
    na_store_close(s);
    o.claim_columns = (const char *const[]){"role"};
    expect_open_fails(&o, NA_E_CONFIG, "database: table \"user\"s\" has no column \"role\"",
                      __LINE__);
    o.nclaims = 0;
    /* updated_at: Prisma's default only where it exists; a configured one must */
    o.adapter = NA_ADAPTER_DRIZZLE;
    o.names.updated_at = "updatedAt";
    expect_open_fails(&o, NA_E_CONFIG,
                      "database: table \"my \"sessions\"\" has no column \"updatedAt\"", __LINE__);
    o.adapter = NA_ADAPTER_PRISMA;
    o.names.updated_at = "updated_at";
    expect_open_fails(&o, NA_E_CONFIG,
                      "database: table \"my \"sessions\"\" has no column \"updated_at\"",
                      __LINE__);
    o.names.token = "";
    expect_open_fails(&o, NA_E_CONFIG, "database: an empty table or column name", __LINE__);
    o.names = (na_store_names){0};
    sqlite3_close(db);
    db_remove(path);

    /* a UTF-16 database */
    db = mk_db(path, NULL,
               "PRAGMA encoding = 'UTF-16le'; CREATE TABLE \"Session\"(\"sessionToken\" TEXT, "
               "\"userId\", expires); CREATE TABLE \"User\"(id, name, email, image)");
    sqlite3_close(db);
    snprintf(msg, sizeof msg, "database: \"%s\" is UTF-16le; tokens are compared as UTF-8 "
             "bytes only in a UTF-8 database", path);
    expect_open_fails(&o, NA_E_CONFIG, msg, __LINE__);
    db_remove(path);
}

/* ---- read-only ---- */

static void test_read_only(void)
{
    char path[128];
    db_name(path);
    sqlite3 *db = mk_db(path, "dbsess-schema/prisma-sqlite.sql",
                        "INSERT INTO \"User\"(id, \"updatedAt\") VALUES('u', 'x');"
                        "INSERT INTO \"Session\" VALUES('s', 't', 'u', 1768953600000, "
                        "'2025-12-31T00:00:00.000+00:00', 'x')");
    na_err err = {0};
    na_store *s = open_store(path, NA_ADAPTER_PRISMA, 1, 2000, &err);
    CHECK(s != NULL);
    na_store_row row;
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1768953600000LL);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 1769817600000LL, 1767225600000LL, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_USAGE);
    CHECK_EQ_STR(err.msg, "database: the store is read-only");
    CHECK_EQ_INT(na_store_delete(s, "t", 1, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_USAGE);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT expires, \"updatedAt\" FROM \"Session\"", -1, &st, NULL);
    CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int64(st, 0), 1768953600000LL);
    CHECK_EQ_STR((const char *)sqlite3_column_text(st, 1), "x");
    sqlite3_finalize(st);
    /* the handle itself cannot write either: a statement that tries fails */
    sq_store *q = (sq_store *)s;
    CHECK(sqlite3_db_readonly(q->db, "main") == 1);
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);
}

/* ---- time bounds ---- */

static void check_elapsed(long long t0, long timeout, int line)
{
    long long el = mono_now_ms() - t0;
    if (!CHECK(el >= timeout && el < timeout + 1000))
        printf("    line %d: %lld ms for a %ld ms timeout\n", line, el, timeout);
}

static void test_locked(void)
{
    char path[128];
    db_name(path);
    sqlite3 *db = mk_db(path, "dbsess-schema/drizzle-sqlite.sql",
                        "INSERT INTO \"user\"(id) VALUES('u');"
                        "INSERT INTO \"session\" VALUES('t', 'u', 1768953600000)");
    na_err err = {0};
    na_store *s = open_store(path, NA_ADAPTER_DRIZZLE, 0, 100, &err);
    CHECK(s != NULL);
    na_store_row row;
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    na_store_row_free(&row);

    /* another connection's write transaction: reads go on, writes wait and fail */
    exec(db, "BEGIN IMMEDIATE; UPDATE \"session\" SET expires = 1 WHERE 0");
    long long t0 = mono_now_ms();
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 1769817600000LL, 0, &err), -1);
    check_elapsed(t0, 100, __LINE__);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: updating the session: the database stayed locked for 100 ms");
    t0 = mono_now_ms();
    CHECK_EQ_INT(na_store_delete(s, "t", 1, &err), -1);
    check_elapsed(t0, 100, __LINE__);
    CHECK_EQ_STR(err.msg, "database: deleting the session: the database stayed locked for 100 ms");
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1768953600000LL);
    na_store_row_free(&row);
    exec(db, "COMMIT");

    /* an exclusive lock: reads wait and fail too */
    exec(db, "BEGIN EXCLUSIVE");
    t0 = mono_now_ms();
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), -1);
    check_elapsed(t0, 100, __LINE__);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: reading the session: the database stayed locked for 100 ms");
    /* a store opened while it is held does not answer either: NA_E_STORE */
    na_store *s2 = open_store(path, NA_ADAPTER_DRIZZLE, 1, 100, &err);
    CHECK(s2 == NULL);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: opening: the database stayed locked for 100 ms");
    exec(db, "ROLLBACK");

    /* the connection was kept: everything works again */
    CHECK(((sq_store *)s)->db != NULL);
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 1769817600000LL, 0, &err), 0);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1769817600000LL);
    na_store_row_free(&row);
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);
}

/* A statement that would run for minutes (a view over a billion generated
 * rows) is stopped at the timeout. */
static void test_runaway_statement(void)
{
    char path[128];
    db_name(path);
    sqlite3 *db = mk_db(path, NULL,
                        "CREATE TABLE \"User\"(id TEXT PRIMARY KEY, name, email, image);"
                        "CREATE VIEW \"Session\" AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                        "SELECT x + 1 FROM c WHERE x < 1000000000) SELECT 'tok' || x AS "
                        "\"sessionToken\", 'u' AS \"userId\", x AS expires FROM c");
    na_err err = {0};
    na_store *s = open_store(path, NA_ADAPTER_KYSELY, 1, 100, &err);
    if (!CHECK(s != NULL))
        printf("    %s\n", err.msg);
    na_store_row row;
    long long t0 = mono_now_ms();
    CHECK_EQ_INT(na_store_get(s, "tok0", 4, &row, &err), -1);
    check_elapsed(t0, 100, __LINE__);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: reading the session: no answer within 100 ms");
    /* the next statement has its own time: a row found early is found */
    CHECK_EQ_INT(na_store_get(s, "tok3", 4, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 3);
    CHECK_EQ_INT(row.has_user, 0);
    na_store_close(s);
    sqlite3_close(db);
    db_remove(path);
}

/* ---- a broken file: closed, then opened again by the next call ---- */

static void test_reopen(void)
{
    char path[128], other[128];
    db_name(path);
    db_name(other);
    sqlite3 *db = mk_db(path, "dbsess-schema/drizzle-sqlite.sql",
                        "INSERT INTO \"user\"(id) VALUES('u');"
                        "INSERT INTO \"session\" VALUES('t', 'u', 1)");
    sqlite3_close(db);
    na_err err = {0};
    na_store *s = open_store(path, NA_ADAPTER_DRIZZLE, 0, 2000, &err);
    CHECK(s != NULL);
    sq_store *q = (sq_store *)s;
    na_store_row row;
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    na_store_row_free(&row);

    /* the header overwritten: not a database any more */
    int fd = open(path, O_RDWR);
    unsigned char head[32], junk[32]; /* the magic string and the change counter */
    CHECK(pread(fd, head, 32, 0) == 32);
    memset(junk, 'J', sizeof junk);
    CHECK(pwrite(fd, junk, 32, 0) == 32);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: reading the session: file is not a database");
    CHECK(q->db == NULL);
    char msg[300];
    snprintf(msg, sizeof msg, "database: cannot read \"%s\": file is not a database", path);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE); /* the reopen failed: still the store's failure */
    CHECK_EQ_STR(err.msg, msg);
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 2, 0, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, NULL), -1); /* no error record: fine too */
    CHECK(pwrite(fd, head, 32, 0) == 32);
    close(fd);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 1);
    na_store_row_free(&row);
    CHECK(q->db != NULL);

    /* the file replaced under the store: a write fails, the next call opens the new one */
    db = mk_db(other, "dbsess-schema/drizzle-sqlite.sql",
               "INSERT INTO \"user\"(id) VALUES('u');"
               "INSERT INTO \"session\" VALUES('t', 'u', 2)");
    sqlite3_close(db);
    CHECK(rename(other, path) == 0);
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 3, 0, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, "database: updating the session: attempt to write a readonly database");
    CHECK(q->db == NULL);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 2);
    na_store_row_free(&row);
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 3, 0, &err), 0);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), 1);
    CHECK_EQ_INT(row.expires_ms, 3);
    na_store_row_free(&row);

    /* the file gone: a write fails, and the reopen fails with the store's code */
    unlink(path);
    CHECK_EQ_INT(na_store_touch(s, "t", 1, 4, 0, &err), -1);
    CHECK_EQ_STR(err.msg, "database: updating the session: attempt to write a readonly database");
    CHECK(q->db == NULL);
    snprintf(msg, sizeof msg, "database: cannot open \"%s\": unable to open database file", path);
    CHECK_EQ_INT(na_store_get(s, "t", 1, &row, &err), -1);
    CHECK_EQ_INT(err.code, NA_E_STORE);
    CHECK_EQ_STR(err.msg, msg);
    CHECK(access(path, F_OK) != 0); /* not created */
    na_store_close(s);
    db_remove(path);
    db_remove(other);
}

/* ---- under three time zones ---- */

static void test_time_zones(void)
{
    static const struct {
        const char *tz;
        int hour_at_epoch; /* local hour at 1970-01-01T00:00Z: proves the zone is in effect */
    } zones[] = {{"America/New_York", 19}, {"Asia/Kolkata", 5}, {"UTC", 0}};
    for (size_t i = 0; i < 3; i++) {
        setenv("TZ", zones[i].tz, 1);
        tzset();
        time_t zero = 0;
        struct tm tm;
        localtime_r(&zero, &tm);
        int before = unit_failed;
        CHECK_EQ_INT(tm.tm_hour, zones[i].hour_at_epoch);
        test_parse_text_time();
        test_forms();
        test_vectors();
        if (unit_failed != before)
            printf("# under TZ=%s\n", zones[i].tz);
    }
}

int main(void)
{
    /* tmpfs where there is one: the store's writes fsync, which costs seconds on a disk */
    snprintf(tmpdir, sizeof tmpdir, "/dev/shm/test_store_sqlite.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/test_store_sqlite.XXXXXX");
        if (mkdtemp(tmpdir) == NULL)
            die("mkdtemp");
    }
    json_error_t je;
    vectors = json_load_file(VEC_DIR "dbsess-vectors.json", 0, &je);
    if (vectors == NULL) {
        fprintf(stderr, "test_store_sqlite: %s: %s (run from the repository root)\n",
                VEC_DIR "dbsess-vectors.json", je.text);
        return 2;
    }
    RUN(test_parse_text_time);
    RUN(test_text_roundtrip);
    RUN(test_affinity);
    RUN(test_vectors);
    RUN(test_forms);
    RUN(test_unreadable_expires);
    RUN(test_claims);
    RUN(test_hostile_tokens);
    RUN(test_open_errors);
    RUN(test_read_only);
    RUN(test_locked);
    RUN(test_runaway_statement);
    RUN(test_reopen);
    RUN(test_time_zones);
    json_decref(vectors);
    rmdir(tmpdir);
    sqlite3_shutdown();
    return unit_done();
}
