/* SPDX-License-Identifier: MIT */
/* test_dburl.c — database.url without its passwords (lib/dburl.c): every form
 * libpq reads a password from (URI user info, URI parameters, keyword/value
 * pairs, quoted or escaped), the forms left as they are, and the ones refused. */
#include "dburl.c"

#include "unit.h"

static void test_shown(void)
{
    static const struct {
        int line;
        const char *url, *shown; /* shown NULL: refused */
    } t[] = {
        {__LINE__, "sqlite:/var/lib/app/dev.db", "sqlite:/var/lib/app/dev.db"},
        {__LINE__, "postgresql://app@/db?host=/run/postgresql",
         "postgresql://app@/db?host=/run/postgresql"},
        {__LINE__, "postgresql://app:hunter2@db.example:5432/app",
         "postgresql://app:***@db.example:5432/app"},
        {__LINE__, "postgres://app:hunter2@db/app", "postgres://app:***@db/app"},
        {__LINE__, "postgresql://:hunter2@db/app", "postgresql://:***@db/app"},
        {__LINE__, "postgresql://app:hun@ter2@db/app", "postgresql://app:***@db/app"},
        {__LINE__, "postgresql://app:hun/ter2@db/app", "postgresql://app:***@db/app"},
        {__LINE__, "postgresql://app:hunter2@[::1]:5432/app?sslmode=require",
         "postgresql://app:***@[::1]:5432/app?sslmode=require"},
        {__LINE__, "postgresql://db/app?user=app&password=hunter2&sslmode=disable",
         "postgresql://db/app?user=app&password=***&sslmode=disable"},
        {__LINE__, "postgresql://db/app?pass%77ord=hunter2", "postgresql://db/app?pass%77ord=***"},
        {__LINE__, "postgresql://db/app?sslpassword=hunter2&password=hunter2",
         "postgresql://db/app?sslpassword=***&password=***"},
        {__LINE__, "postgresql://db/app?password=hun@ter2", "postgresql://db/app?password=***"},
        {__LINE__, "postgresql://h1:5432,h2:5433/app?target_session_attrs=any",
         "postgresql://h1:5432,h2:5433/app?target_session_attrs=any"},
        {__LINE__, "host=/run/postgresql dbname=app", "host=/run/postgresql dbname=app"},
        {__LINE__, "host=db password=hunter2 dbname=app", "host=db password=*** dbname=app"},
        {__LINE__, "host=db password = hunter2", "host=db password = ***"},
        {__LINE__, "password='hun ter2' host=db", "password=*** host=db"},
        {__LINE__, "password='hun\\'ter2' host=db", "password=*** host=db"},
        {__LINE__, "password=hun\\ ter2 host=db", "password=*** host=db"},
        {__LINE__, "  sslpassword=hunter2\tuser=app ", "  sslpassword=***\tuser=app "},
        {__LINE__, "", ""},
        {__LINE__, "host=db password", NULL},
        {__LINE__, "host=db password='hunter2", NULL},
        {__LINE__, "hunter2", NULL},
        {__LINE__, "=hunter2", NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[256];
        int rc = na_dburl_shown(t[i].url, out, sizeof out);
        int ok = unit_eq_int(rc, t[i].shown ? 0 : -1, __FILE__, t[i].line, "result");
        ok &= unit_eq_str(out, t[i].shown ? t[i].shown : "", __FILE__, t[i].line, "shown");
        ok &= unit_report(strstr(out, "hunter2") == NULL && strstr(out, "ter2") == NULL,
                          __FILE__, t[i].line, "no password");
        if (!ok)
            printf("    url %s\n", t[i].url);
    }
    /* a short buffer cuts, and still hides */
    char small[20];
    CHECK_EQ_INT(na_dburl_shown("postgresql://app:hunter2@db/app", small, sizeof small), 0);
    CHECK_EQ_STR(small, "postgresql://app:**");
    CHECK_EQ_INT(na_dburl_shown("x", small, 0), -1);
}

int main(void)
{
    RUN(test_shown);
    return unit_done();
}
