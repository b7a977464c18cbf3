/* SPDX-License-Identifier: MIT */
/* test_guard_db.c — the guard on database sessions (lib/guard.c over
 * lib/source.c and lib/store_sqlite.c), one process answering request after
 * request as under a server: the exact answers in each role (allow with the
 * row's claims, the 503 of a database that does not answer), revocation on
 * the next request, recovery when the database answers again, and the kept
 * sessions of database.cacheSeconds (kept that long and no longer, never past
 * the row's expiry, never a miss or an error). A SQLite file in a temp folder
 * in the Prisma schema (tests/vectors/dbsess-schema/prisma-sqlite.sql); run
 * from the repository's root. */
#include "guard.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "unit.h"

#define NOW_MS 1700000000000LL /* 2023-11-14T22:13:20Z */
#define DAY_MS 86400000LL
#define TOK_ADA "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
#define TOK_GRACE "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char tmpdir[64];
static char dbpath[128];

static void die(const char *what)
{
    fprintf(stderr, "test_guard_db: %s\n", what);
    exit(2);
}

static void exec_sql(const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;
    if (sqlite3_open(dbpath, &db) != SQLITE_OK || sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "test_guard_db: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
        exit(2);
    }
    sqlite3_close(db);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die("cannot read the schema (run from the repository root)");
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A fresh database: Ada (role user) and Grace (role admin), each with a
 * session that expires 30 days after NOW. */
static void mk_db(void)
{
    unlink(dbpath);
    exec_sql(slurp("tests/vectors/dbsess-schema/prisma-sqlite.sql"));
    exec_sql("ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT;"
             "INSERT INTO \"User\" (id,name,email,image,role,\"createdAt\",\"updatedAt\") VALUES"
             " ('u1','Ada Lovelace','ada@example.com','https://example.com/a.png','user',0,0),"
             " ('u2','Grace Hopper','grace@example.com',NULL,'admin',0,0);"
             "INSERT INTO \"Session\" (id,\"sessionToken\",\"userId\",expires,\"createdAt\",\"updatedAt\")"
             " VALUES ('s1','" TOK_ADA "','u1',1702592000000,0,0),"
             " ('s2','" TOK_GRACE "','u2',1702592000000,0,0);");
}

/* Another connection holding the write lock, until release_lock. */
static sqlite3 *hold_lock(void)
{
    sqlite3 *w;
    if (sqlite3_open(dbpath, &w) != SQLITE_OK ||
        sqlite3_exec(w, "BEGIN EXCLUSIVE; UPDATE \"Session\" SET \"userId\" = \"userId\";", NULL,
                     NULL, NULL) != SQLITE_OK)
        die("cannot lock the database");
    return w;
}

static void release_lock(sqlite3 *w)
{
    sqlite3_exec(w, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(w);
}

struct deployment {
    na_config cfg;
    na_source src;
    na_guard g;
};

static int deploy(struct deployment *d, const char *extra_db, const char *extra)
{
    char path[] = "/tmp/test_guard_db_XXXXXX", json[1024];
    na_err err;
    int n = snprintf(json, sizeof json,
                     "{\"url\":\"http://localhost:3000\",\"database\":{\"url\":\"sqlite:%s\","
                     "\"claims\":{\"role\":\"role\"},\"timeoutMs\":100%s},"
                     "\"rules\":[{\"matcher\":[\"/admin/:path*\",\"/api/admin/:path*\"],"
                     "\"authorized\":{\"role\":\"admin\"}}],"
                     "\"identity\":{\"NEXTAUTH_ROLE\":\"role\"}%s}",
                     dbpath, extra_db, extra);
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, json, (size_t)n) != n)
        die("cannot write the config");
    close(fd);
    int rc = na_config_load(&d->cfg, path, &err);
    unlink(path);
    if (rc < 0 || na_source_init(&d->src, &d->cfg, NA_SOURCE_READ_ONLY, &err) < 0 ||
        na_guard_init(&d->g, &d->cfg, &d->src, &err) < 0) {
        printf("    deploy: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* A fresh database (mk_db) and a deployment on it; 0 (a failed check) when
 * the deployment cannot be made. */
static int start(struct deployment *d, const char *extra_db, const char *extra)
{
    mk_db();
    return CHECK(deploy(d, extra_db, extra) == 0);
}

static void undeploy(struct deployment *d)
{
    na_guard_free(&d->g);
    na_source_free(&d->src);
    na_config_free(&d->cfg);
}

/* The whole answer for uri with the session cookie tok (NULL: none), in role
 * ("authorizer", "apache": the authorizer as Apache's mod_authnz_fcgi asks,
 * "auth_request", else the responder) at now_ms. */
static na_guard_outcome ask(struct deployment *d, const char *uri, const char *tok,
                            const char *role, long long now_ms, unit_out *o)
{
    char cookie[256];
    na_resp r;
    na_guard_req rq = {.request_uri = uri, .accept = "text/html"};
    if (tok != NULL) {
        snprintf(cookie, sizeof cookie, "next-auth.session-token=%s", tok);
        rq.cookie = cookie;
    }
    if (strcmp(role, "authorizer") == 0)
        rq.fcgi_role = "AUTHORIZER";
    else if (strcmp(role, "apache") == 0)
        rq.fcgi_role = "AUTHORIZER", rq.apache_role = "AUTHORIZER";
    else if (strcmp(role, "auth_request") == 0)
        rq.mode = "auth_request";
    na_resp_init(&r);
    na_guard_outcome out = na_guard_respond(&d->g, &rq, now_ms, &r);
    o->n = 0;
    o->b[0] = '\0';
    if (na_resp_write(&r, unit_collect, o) < 0)
        o->n = 0;
    na_resp_free(&r);
    return out;
}

static const char SIGNIN_DASH[] =
    "Status: 307 Temporary Redirect\r\n"
    "Location: http://localhost:3000/api/auth/signin?callbackUrl=%2Fdashboard\r\n"
    "Cache-Control: no-store\r\n\r\n";
static const char API_401[] = "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
                              "Cache-Control: no-store\r\n\r\n"
                              "{\"message\":\"You must be logged in.\"}";
static const char PAGE_503[] =
    "Status: 503 Service Unavailable\r\nContent-Type: text/html; charset=utf-8\r\n"
    "Retry-After: 5\r\nCache-Control: no-store\r\n\r\n"
    "<!DOCTYPE html>\n<title>Service Unavailable</title>\n<p>The session store does not "
    "answer. Try again in a few seconds.</p>\n";
static const char API_503[] = "Status: 503 Service Unavailable\r\n"
                              "Content-Type: application/json\r\nRetry-After: 5\r\n"
                              "Cache-Control: no-store\r\n\r\n"
                              "{\"message\":\"Session store unavailable.\"}";
/* Under Apache, which relabels every authorizer denial as text/html, the
 * type also travels in a header its configuration puts back. */
static const char APACHE_PAGE_503[] =
    "Status: 503 Service Unavailable\r\nContent-Type: text/html; charset=utf-8\r\n"
    "X-Nextauth-Content-Type: text/html; charset=utf-8\r\n"
    "Retry-After: 5\r\nCache-Control: no-store\r\n\r\n"
    "<!DOCTYPE html>\n<title>Service Unavailable</title>\n<p>The session store does not "
    "answer. Try again in a few seconds.</p>\n";
static const char APACHE_API_503[] = "Status: 503 Service Unavailable\r\n"
                                     "Content-Type: application/json\r\n"
                                     "X-Nextauth-Content-Type: application/json\r\n"
                                     "Retry-After: 5\r\nCache-Control: no-store\r\n\r\n"
                                     "{\"message\":\"Session store unavailable.\"}";
static const char ADA_AUTHORIZER[] = "Status: 200 OK\r\n"
                                     "Variable-REMOTE_USER: ada@example.com\r\n"
                                     "Variable-AUTH_TYPE: NextAuth\r\n"
                                     "Variable-NEXTAUTH_EMAIL: ada@example.com\r\n"
                                     "Variable-NEXTAUTH_NAME: Ada Lovelace\r\n"
                                     "Variable-NEXTAUTH_SUB: u1\r\n"
                                     "Variable-NEXTAUTH_EXPIRES: 2023-12-14T22:13:20.000Z\r\n"
                                     "Variable-NEXTAUTH_ROLE: user\r\n\r\n";

static void test_answers(void)
{
    struct deployment d;
    unit_out o;
    if (!start(&d, "", ""))
        return;
    /* allow, in each role, with the row's claims and the role column */
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, ADA_AUTHORIZER);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "auth_request", NOW_MS, &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\n"
                      "X-Nextauth-User: ada@example.com\r\n"
                      "X-Nextauth-Email: ada@example.com\r\n"
                      "X-Nextauth-Name: Ada Lovelace\r\n"
                      "X-Nextauth-Sub: u1\r\n"
                      "X-Nextauth-Expires: 2023-12-14T22:13:20.000Z\r\n"
                      "X-Nextauth-Role: user\r\n\r\n");
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "responder", NOW_MS, &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, "Status: 200 OK\r\n"
                      "X-Nextauth-User: ada@example.com\r\n"
                      "X-Nextauth-Email: ada@example.com\r\n"
                      "X-Nextauth-Name: Ada Lovelace\r\n"
                      "X-Nextauth-Sub: u1\r\n"
                      "X-Nextauth-Expires: 2023-12-14T22:13:20.000Z\r\n"
                      "X-Nextauth-Role: user\r\n"
                      "Content-Type: application/json\r\n"
                      "Cache-Control: private, no-store\r\n\r\n"
                      "{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
                      "\"image\":\"https://example.com/a.png\"},"
                      "\"expires\":\"2023-12-14T22:13:20.000Z\"}");
    /* the rule on the role column: 403 for the API, sign-in for the page */
    CHECK_EQ_INT(ask(&d, "/api/admin/x", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_403);
    CHECK_EQ_INT(ask(&d, "/admin/", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_SIGNIN);
    CHECK_EQ_INT(ask(&d, "/api/admin/x", TOK_GRACE, "authorizer", NOW_MS, &o), NA_GUARD_ALLOW);
    /* no session: the same answers as for tokens */
    CHECK_EQ_INT(ask(&d, "/dashboard", NULL, "authorizer", NOW_MS, &o), NA_GUARD_SIGNIN);
    CHECK_EQ_STR(o.b, SIGNIN_DASH);
    CHECK_EQ_INT(ask(&d, "/dashboard", "no-such-token", "authorizer", NOW_MS, &o),
                 NA_GUARD_SIGNIN);
    CHECK_EQ_STR(o.b, SIGNIN_DASH);
    CHECK_EQ_INT(ask(&d, "/api/x", "no-such-token", "auth_request", NOW_MS, &o), NA_GUARD_401);
    CHECK_EQ_STR(o.b, API_401);
    /* the row's expiry, to the millisecond: expires == now is valid */
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", 1702592000000LL, &o),
                 NA_GUARD_ALLOW);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", 1702592000001LL, &o),
                 NA_GUARD_SIGNIN);
    /* revocation: the very next request */
    exec_sql("DELETE FROM \"Session\" WHERE \"sessionToken\" = '" TOK_ADA "'");
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_SIGNIN);
    CHECK_EQ_STR(o.b, SIGNIN_DASH);
    exec_sql("UPDATE \"Session\" SET expires = 1699999999999");
    CHECK_EQ_INT(ask(&d, "/api/admin/x", TOK_GRACE, "authorizer", NOW_MS, &o), NA_GUARD_401);
    CHECK_EQ_STR(o.b, API_401);
    undeploy(&d);
}

/* A writer that holds the database: every session request is a 503 after the
 * busy timeout, in each role, pages and APIs alike; a request without a
 * cookie needs no database (the sign-in redirect). The writer gone, the same
 * guard allows again. */
static void test_unavailable(void)
{
    struct deployment d;
    unit_out o;
    if (!start(&d, "", ""))
        return;
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_ALLOW);
    sqlite3 *w = hold_lock();
    static const char *const roles[] = {"authorizer", "auth_request", "responder"};
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, roles[i], NOW_MS, &o), NA_GUARD_503);
        CHECK_EQ_STR(o.b, PAGE_503);
        CHECK_EQ_INT(ask(&d, "/api/x", TOK_ADA, roles[i], NOW_MS, &o), NA_GUARD_503);
        CHECK_EQ_STR(o.b, API_503);
        CHECK_EQ_INT(ask(&d, "/admin/", TOK_GRACE, roles[i], NOW_MS, &o), NA_GUARD_503);
        CHECK_EQ_STR(o.b, PAGE_503);
    }
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "apache", NOW_MS, &o), NA_GUARD_503);
    CHECK_EQ_STR(o.b, APACHE_PAGE_503);
    CHECK_EQ_INT(ask(&d, "/api/x", TOK_ADA, "apache", NOW_MS, &o), NA_GUARD_503);
    CHECK_EQ_STR(o.b, APACHE_API_503);
    CHECK_EQ_INT(ask(&d, "/dashboard", NULL, "authorizer", NOW_MS, &o), NA_GUARD_SIGNIN);
    release_lock(w);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, ADA_AUTHORIZER);
    /* an expires the store cannot read is the database's fault: 503 */
    exec_sql("UPDATE \"Session\" SET expires = 'soon'");
    CHECK_EQ_INT(ask(&d, "/api/x", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_503);
    CHECK_EQ_STR(o.b, API_503);
    undeploy(&d);
}

/* database.cacheSeconds: a found session is kept that long (a revoked row is
 * still found meanwhile: the operator's trade-off), never past the row's
 * expiry; no session and errors are never kept; one slot shared by two
 * tokens keeps answering each right. */
static void test_kept(void)
{
    struct deployment d;
    unit_out o;
    if (!start(&d, ",\"cacheSeconds\":2", ""))
        return;
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_ALLOW);
    exec_sql("DELETE FROM \"Session\" WHERE \"sessionToken\" = '" TOK_ADA "'");
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS + 1999, &o),
                 NA_GUARD_ALLOW);
    CHECK_EQ_STR(o.b, ADA_AUTHORIZER);
    /* the rules still judge each request's path on the kept claims */
    CHECK_EQ_INT(ask(&d, "/api/admin/x", TOK_ADA, "authorizer", NOW_MS + 1999, &o),
                 NA_GUARD_403);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS + 2000, &o),
                 NA_GUARD_SIGNIN);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS + 2001, &o),
                 NA_GUARD_SIGNIN);
    /* a miss is not kept: the row inserted now is found at once */
    exec_sql("INSERT INTO \"Session\" (id,\"sessionToken\",\"userId\",expires,\"createdAt\","
             "\"updatedAt\") VALUES ('s3','" TOK_ADA "','u1',1702592000000,0,0)");
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS + 2002, &o),
                 NA_GUARD_ALLOW);
    /* never past the row's expiry: kept at T, the row ends at T + 500 ms */
    long long t = 1702592000000LL - 500;
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_GRACE, "authorizer", t, &o), NA_GUARD_ALLOW);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_GRACE, "authorizer", t + 500, &o), NA_GUARD_ALLOW);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_GRACE, "authorizer", t + 501, &o), NA_GUARD_SIGNIN);
    /* an error is not kept either */
    sqlite3 *w = hold_lock();
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_GRACE, "authorizer", NOW_MS + 5000, &o), NA_GUARD_503);
    release_lock(w);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_GRACE, "authorizer", NOW_MS + 5001, &o),
                 NA_GUARD_ALLOW);
    undeploy(&d);

    /* one slot for both tokens: each keeps getting its own claims */
    if (!start(&d, ",\"cacheSeconds\":60", ",\"tokenCache\":1"))
        return;
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(ask(&d, "/api/admin/x", TOK_ADA, "authorizer", NOW_MS + i, &o),
                     NA_GUARD_403);
        CHECK_EQ_INT(ask(&d, "/api/admin/x", TOK_GRACE, "authorizer", NOW_MS + i, &o),
                     NA_GUARD_ALLOW);
    }
    /* a token that is a prefix of a kept one is not that one */
    CHECK_EQ_INT(ask(&d, "/api/x", "0123456789abcdef", "authorizer", NOW_MS, &o), NA_GUARD_401);
    undeploy(&d);

    /* cacheSeconds 0 (the default): every request reads the row */
    if (!start(&d, "", ""))
        return;
    CHECK(d.src.keep_ms == 0);
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS, &o), NA_GUARD_ALLOW);
    exec_sql("DELETE FROM \"Session\"");
    CHECK_EQ_INT(ask(&d, "/dashboard", TOK_ADA, "authorizer", NOW_MS + 1, &o), NA_GUARD_SIGNIN);
    undeploy(&d);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/dev/shm/test_guard_db.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/test_guard_db.XXXXXX");
        if (mkdtemp(tmpdir) == NULL)
            die("mkdtemp");
    }
    snprintf(dbpath, sizeof dbpath, "%s/app.db", tmpdir);
    RUN(test_answers);
    RUN(test_unavailable);
    RUN(test_kept);
    unlink(dbpath);
    rmdir(tmpdir);
    return unit_done();
}
