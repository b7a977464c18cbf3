/* SPDX-License-Identifier: MIT */
/* test_config.c — the configuration file and the environment (lib/config.h;
 * docs/behaviour.md: Configuration, Secrets, Cookie names): every key, errors
 * that name the key (and never quote a value), secretFile, placeholders, env
 * fallbacks, cookie names, and README.md's table of keys and the man page's
 * list (man/nextauth-fcgi.json.5) against the loader's (config.c is included
 * for its static table). */
#include "config.c"

#include <sys/stat.h>

#include "jws.h"
#include "log.h"
#include "unit.h"

static char paths[256][32];
static size_t npaths;

/* Write text to a new temporary file; returns its path (removed at exit). */
static const char *tmpfile_with(const char *text, size_t n)
{
    if (npaths == sizeof paths / sizeof paths[0]) {
        fprintf(stderr, "too many temporary files\n");
        exit(2);
    }
    char *p = paths[npaths++];
    strcpy(p, "/tmp/na-unit-cfg-XXXXXX");
    int fd = mkstemp(p);
    if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
        perror("mkstemp/write");
        exit(2);
    }
    close(fd);
    return p;
}
#define TMP(text) tmpfile_with((text), strlen(text))

static void clear_env(void)
{
    unsetenv("NEXTAUTH_SECRET");
    unsetenv("AUTH_SECRET");
    unsetenv("NEXTAUTH_SECRET_FILE");
    unsetenv("NEXTAUTH_URL");
    unsetenv("NEXTAUTH_CONFIG");
}

/* Load text as a config file into a fresh cfg; returns the na_code. */
static int load(const char *text, na_config *cfg, na_err *err, const char **path)
{
    const char *p = TMP(text);
    if (path)
        *path = p;
    na_config_init(cfg);
    na_err_clear(err);
    int rc = na_config_load_file(cfg, p, err);
    if (rc == 0)
        return NA_OK;
    return err->code == NA_OK ? -1 : (int)err->code;
}

static void test_defaults(void)
{
    na_config c;
    na_config_init(&c);
    CHECK_EQ_INT(c.format, NA_FMT_V4);
    CHECK_EQ_INT(c.nsecrets, 0);
    CHECK_EQ_INT(c.use_secure_cookies, -1);
    CHECK_EQ_INT(c.algorithms, NA_ALG_HS256);
    CHECK_EQ_INT(c.clock_tolerance, 15);
    CHECK_EQ_INT(c.require_exp, 1);
    CHECK_EQ_INT(c.session_max_age, 2592000);
    CHECK_EQ_INT(c.token_cache, 32);
    CHECK_EQ_INT(na_config_token_max_age(&c), 2592000);
    CHECK(c.url == NULL && c.cookie_name == NULL && c.path == NULL);
    CHECK_EQ_STR(na_config_cookie_name(&c), "next-auth.session-token");
    na_config_free(&c);
    na_config_free(&c); /* safe twice */
}

static void test_token_cache_key(void)
{
    static const struct {
        const char *text;
        long want;
    } ok[] = {{"{\"tokenCache\":0}", 0}, {"{\"tokenCache\":1}", 1}, {"{\"tokenCache\":1024}", 1024}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        na_config c;
        na_err e;
        const char *path;
        CHECK_EQ_INT(load(ok[i].text, &c, &e, &path), 0);
        CHECK_EQ_INT(c.token_cache, ok[i].want);
        na_config_free(&c);
    }
}

static void test_every_key(void)
{
    na_config c;
    na_err e;
    const char *path;
    CHECK_EQ_INT(load("{\"secret\":[\"first-secret\",\"second-secret\"],"
                      "\"url\":\"https://example.com\",\"useSecureCookies\":false,"
                      "\"cookies\":{\"sessionToken\":{\"name\":\"my.session\"}},"
                      "\"jwt\":{\"format\":\"jws\",\"algorithms\":[\"HS256\",\"HS512\"],"
                      "\"clockTolerance\":30,\"requireExp\":false,\"maxAge\":3600},"
                      "\"session\":{\"maxAge\":86400}}",
                      &c, &e, &path),
                 NA_OK);
    CHECK_EQ_STR(c.path, path);
    CHECK_EQ_INT(c.nsecrets, 2);
    CHECK_EQ_STR(c.secrets[0], "first-secret");
    CHECK_EQ_INT(c.secret_lens[0], 12);
    CHECK_EQ_STR(c.secrets[1], "second-secret");
    CHECK_EQ_STR(c.secret_source, "config secret");
    CHECK_EQ_STR(c.url, "https://example.com");
    CHECK_EQ_INT(c.use_secure_cookies, 0);
    CHECK_EQ_INT(na_config_secure(&c), 0); /* explicit false beats the https url */
    CHECK_EQ_STR(c.cookie_name, "my.session");
    CHECK_EQ_STR(na_config_cookie_name(&c), "my.session");
    CHECK_EQ_INT(c.format, NA_FMT_JWS);
    CHECK_EQ_INT(c.algorithms, NA_ALG_HS256 | NA_ALG_HS512);
    CHECK_EQ_INT(c.clock_tolerance, 30);
    CHECK_EQ_INT(c.require_exp, 0);
    CHECK_EQ_INT(c.jwt_max_age, 3600);
    CHECK_EQ_INT(c.session_max_age, 86400);
    CHECK_EQ_INT(na_config_token_max_age(&c), 3600);
    na_config_free(&c);

    CHECK_EQ_INT(load("{\"secret\":\"only\",\"jwt\":{\"format\":\"authjs-v5\","
                      "\"clockTolerance\":0,\"requireExp\":true},\"session\":{\"maxAge\":60},"
                      "\"useSecureCookies\":true}",
                      &c, &e, NULL),
                 NA_OK);
    CHECK_EQ_INT(c.nsecrets, 1);
    CHECK_EQ_INT(c.format, NA_FMT_V5);
    CHECK_EQ_INT(c.clock_tolerance, 0);
    CHECK_EQ_INT(c.require_exp, 1);
    CHECK_EQ_INT(na_config_token_max_age(&c), 60); /* session.maxAge when jwt.maxAge unset */
    CHECK_EQ_STR(na_config_cookie_name(&c), "__Secure-authjs.session-token");
    na_config_free(&c);
    CHECK_EQ_INT(load("{}", &c, &e, NULL), NA_OK);
    CHECK_EQ_INT(c.nsecrets, 0);
    na_config_free(&c);
}

/* Each bad file gives NA_E_CONFIG (or want) with the key in the message, and
 * never the value. */
static void check_error(const char *text, const char *key, int want, int line)
{
    na_config c;
    na_err e;
    const char *path;
    int got = load(text, &c, &e, &path);
    int ok = unit_eq_int(got, want, __FILE__, line, "config error code");
    ok &= unit_report(strstr(e.msg, key) != NULL, __FILE__, line, "message names the key");
    ok &= unit_report(strstr(e.msg, path) != NULL, __FILE__, line, "message names the file");
    ok &= unit_report(strstr(e.msg, "hunter2") == NULL, __FILE__, line, "no value quoted");
    if (!ok)
        printf("    file %s\n    message: %s\n", text, e.msg);
    na_config_free(&c);
}
#define ERR(text, key) check_error((text), (key), NA_E_CONFIG, __LINE__)

static void test_unknown_keys(void)
{
    ERR("{\"jwt\":{\"fromat\":\"jws\"}}", "\"jwt.fromat\"");
    ERR("{\"secrets\":\"hunter2\"}", "\"secrets\"");
    ERR("{\"Secret\":\"hunter2\"}", "\"Secret\"");
    ERR("{\"session\":{\"updatAge\":1}}", "\"session.updatAge\"");
    ERR("{\"database\":{\"columns\":{\"token\":\"t\"}}}", "\"database.columns.token\"");
    ERR("{\"cookies\":{\"csrfToken\":{\"name\":\"hunter2\"}}}", "\"cookies.csrfToken\"");
    ERR("{\"cookies\":{\"sessionToken\":{\"nam\":\"hunter2\"}}}",
        "\"cookies.sessionToken.nam\"");
    ERR("{\"cookies\":{\"sessionToken\":{\"name\":\"x\",\"options\":{}}}}",
        "\"cookies.sessionToken.options\"");
}

/* Database sessions: session.strategy, session.updateAge and database.*. */
static void test_database_keys(void)
{
    na_config c;
    na_err e;
    /* the defaults */
    CHECK_EQ_INT(na_config_load(&c, TMP("{}"), &e), 0);
    CHECK_EQ_INT(c.strategy, NA_STRATEGY_JWT);
    CHECK_EQ_INT(c.session_update_age, 86400);
    CHECK_EQ_INT(c.db_adapter, NA_ADAPTER_PRISMA);
    CHECK_EQ_INT(c.db_timeout_ms, 2000);
    CHECK(c.db_url == NULL && c.db_session_table == NULL && c.ndb_claims == 0);
    na_config_free(&c);
    /* each adapter's name, both ways */
    static const char *const adapters[] = {"prisma", "drizzle", "pg", "kysely"};
    for (size_t i = 0; i < sizeof adapters / sizeof adapters[0]; i++) {
        na_adapter a;
        CHECK_EQ_INT(na_store_adapter_parse(adapters[i], &a), 0);
        CHECK_EQ_STR(na_store_adapter_name(a), adapters[i]);
    }
    /* a database.url makes the strategy database, as an adapter does in next-auth */
    CHECK_EQ_INT(na_config_load(&c, TMP("{\"database\":{\"url\":\"sqlite:/srv/app.db\"}}"), &e), 0);
    CHECK_EQ_INT(c.strategy, NA_STRATEGY_DATABASE);
    CHECK_EQ_STR(c.db_url, "sqlite:/srv/app.db");
    na_config_free(&c);
    /* unless it says jwt */
    CHECK_EQ_INT(na_config_load(&c, TMP("{\"session\":{\"strategy\":\"jwt\"},"
                                        "\"database\":{\"url\":\"sqlite:/srv/app.db\"}}"), &e), 0);
    CHECK_EQ_INT(c.strategy, NA_STRATEGY_JWT);
    na_config_free(&c);
    /* every key */
    CHECK_EQ_INT(na_config_load(&c, TMP("{\"session\":{\"strategy\":\"database\",\"updateAge\":0},"
        "\"database\":{\"url\":\"postgresql:///app?host=/run/postgresql\",\"adapter\":\"pg\","
        "\"tables\":{\"session\":\"sessions_v2\",\"user\":\"people\"},"
        "\"columns\":{\"sessionToken\":\"session_token\",\"userId\":\"user_id\","
        "\"expires\":\"expires_at\",\"updatedAt\":\"updated_at\",\"id\":\"uid\","
        "\"name\":\"full name\",\"email\":\"mail\",\"image\":\"avatar\"},"
        "\"claims\":{\"role\":\"role\",\"org\":\"org_id\"},\"timeoutMs\":500}}"), &e), 0);
    CHECK_EQ_INT(c.strategy, NA_STRATEGY_DATABASE);
    CHECK_EQ_INT(c.session_update_age, 0);
    CHECK_EQ_INT(c.db_adapter, NA_ADAPTER_PG);
    CHECK_EQ_INT(c.db_timeout_ms, 500);
    CHECK_EQ_STR(c.db_session_table, "sessions_v2");
    CHECK_EQ_STR(c.db_user_table, "people");
    CHECK_EQ_STR(c.db_token, "session_token");
    CHECK_EQ_STR(c.db_user_id, "user_id");
    CHECK_EQ_STR(c.db_expires, "expires_at");
    CHECK_EQ_STR(c.db_updated_at, "updated_at");
    CHECK_EQ_STR(c.db_id, "uid");
    CHECK_EQ_STR(c.db_name, "full name");
    CHECK_EQ_STR(c.db_email, "mail");
    CHECK_EQ_STR(c.db_image, "avatar");
    CHECK_EQ_INT(c.ndb_claims, 2);
    CHECK_EQ_STR(c.db_claim_name[1], "org");
    CHECK_EQ_STR(c.db_claim_column[1], "org_id");
    na_config_free(&c);
    /* refused, naming the key */
    CHECK_EQ_INT(na_config_load(&c, TMP("{\"session\":{\"strategy\":\"database\"}}"), &e), -1);
    CHECK_EQ_STR(e.msg, "session.strategy is \"database\" but database.url is not set");
    ERR("{\"session\":{\"strategy\":\"db\"}}", "\"session.strategy\"");
    ERR("{\"session\":{\"updateAge\":-1}}", "\"session.updateAge\"");
    ERR("{\"database\":{\"adapter\":\"typeorm\"}}", "\"database.adapter\"");
    ERR("{\"database\":{\"url\":\"\"}}", "\"database.url\"");
    ERR("{\"database\":{\"timeoutMs\":0}}", "\"database.timeoutMs\"");
    ERR("{\"database\":{\"timeoutMs\":60001}}", "\"database.timeoutMs\"");
    ERR("{\"database\":{\"tables\":{\"session\":\"a\\\"b\"}}}", "\"database.tables.session\"");
    ERR("{\"database\":{\"columns\":{\"expires\":\"e\\nx\"}}}", "\"database.columns.expires\"");
    ERR("{\"database\":{\"columns\":{\"id\":\"a234567890123456789012345678901234567890"
        "123456789012345678901234\"}}}", "\"database.columns.id\"");
    ERR("{\"database\":{\"claims\":{\"role\":1}}}", "\"database.claims\"");
    ERR("{\"database\":{\"claims\":[\"role\"]}}", "\"database.claims\"");
    ERR("{\"database\":{\"claims\":{\"\":\"role\"}}}", "\"database.claims\"");
}

static void test_wrong_types(void)
{
    ERR("{\"secret\":1}", "\"secret\"");
    ERR("{\"secret\":[]}", "\"secret\"");
    ERR("{\"secret\":[\"hunter2\",1]}", "\"secret\"");
    ERR("{\"secretFile\":[\"hunter2\"]}", "\"secretFile\"");
    ERR("{\"url\":\"\"}", "\"url\"");
    ERR("{\"url\":1}", "\"url\"");
    ERR("{\"useSecureCookies\":\"hunter2\"}", "\"useSecureCookies\"");
    ERR("{\"useSecureCookies\":1}", "\"useSecureCookies\"");
    ERR("{\"jwt\":[]}", "\"jwt\"");
    ERR("{\"jwt\":{\"format\":\"hunter2\"}}", "\"jwt.format\"");
    ERR("{\"jwt\":{\"format\":4}}", "\"jwt.format\"");
    ERR("{\"jwt\":{\"algorithms\":[\"RS256\"]}}", "\"jwt.algorithms\"");
    ERR("{\"jwt\":{\"algorithms\":[\"none\"]}}", "\"jwt.algorithms\"");
    ERR("{\"jwt\":{\"algorithms\":[]}}", "\"jwt.algorithms\"");
    ERR("{\"jwt\":{\"algorithms\":\"HS256\"}}", "\"jwt.algorithms\"");
    ERR("{\"tokenCache\":-1}", "\"tokenCache\"");
    ERR("{\"tokenCache\":1025}", "\"tokenCache\"");
    ERR("{\"tokenCache\":1.5}", "\"tokenCache\"");
    ERR("{\"tokenCache\":\"32\"}", "\"tokenCache\"");
    ERR("{\"tokenCache\":true}", "\"tokenCache\"");
    ERR("{\"jwt\":{\"clockTolerance\":\"15\"}}", "\"jwt.clockTolerance\"");
    ERR("{\"jwt\":{\"clockTolerance\":1.5}}", "\"jwt.clockTolerance\"");
    ERR("{\"jwt\":{\"clockTolerance\":-1}}", "\"jwt.clockTolerance\"");
    ERR("{\"jwt\":{\"clockTolerance\":3601}}", "\"jwt.clockTolerance\"");
    ERR("{\"jwt\":{\"requireExp\":1}}", "\"jwt.requireExp\"");
    ERR("{\"jwt\":{\"maxAge\":0}}", "\"jwt.maxAge\"");
    ERR("{\"session\":{\"maxAge\":-1}}", "\"session.maxAge\"");
    ERR("{\"session\":{\"maxAge\":99999999999}}", "\"session.maxAge\"");
    ERR("{\"session\":1}", "\"session\"");
    ERR("{\"cookies\":[]}", "\"cookies\"");
    ERR("{\"cookies\":{\"sessionToken\":\"x\"}}", "\"cookies.sessionToken\"");
    ERR("{\"cookies\":{\"sessionToken\":{\"name\":\"\"}}}", "\"cookies.sessionToken.name\"");
    ERR("{\"cookies\":{\"sessionToken\":{\"name\":\"a;b\"}}}", "\"cookies.sessionToken.name\"");
    ERR("{\"cookies\":{\"sessionToken\":{\"name\":\"a b\"}}}", "\"cookies.sessionToken.name\"");
    ERR("{\"cookies\":{\"sessionToken\":{\"name\":\"a\\r\\nSet-Cookie: x\"}}}",
        "\"cookies.sessionToken.name\"");
    ERR("[\"hunter2\"]", "top level");
    ERR("{\"secret\":\"a\",\"secretFile\":\"/etc/hunter2\"}", "\"secretFile\"");
    ERR("{\"secret\":\"a\",\"secretFile\":\"/etc/hunter2\"}", "\"secret\"");
}

/* The guard and session keys (docs/behaviour.md, Configuration keys): parsed
 * into the config; errors name them. */
static void test_guard_keys(void)
{
    na_config c;
    na_err e;
    na_config_init(&c);
    CHECK_EQ_STR(c.sign_in, "/api/auth/signin");
    CHECK_EQ_STR(c.error_page, "/api/auth/error");
    CHECK_EQ_STR(c.base_path, "");
    CHECK_EQ_INT(c.has_matcher, 0);
    na_config_free(&c);

    CHECK_EQ_INT(load("{\"basePath\":\"/app\",\"pages\":{\"signIn\":\"/login\","
                      "\"error\":\"/oops\"},\"matcher\":[\"/dashboard/:path*\","
                      "{\"source\":\"/admin/:path*\"}],\"api\":\"/api/:path*\","
                      "\"authorized\":{\"role\":\"admin\"},\"rules\":[{\"matcher\":"
                      "\"/admin/:path*\",\"authorized\":{\"role\":{\"in\":[\"admin\"]}}}],"
                      "\"identity\":{\"NEXTAUTH_ROLE\":\"role\"},"
                      "\"session\":{\"expose\":{\"id\":\"sub\",\"role\":\"role\"}}}",
                      &c, &e, NULL),
                 NA_OK);
    CHECK_EQ_STR(c.base_path, "/app");
    CHECK_EQ_STR(c.sign_in, "/login");
    CHECK_EQ_STR(c.error_page, "/oops");
    CHECK_EQ_INT(c.has_matcher, 1);
    CHECK_EQ_INT(c.matcher.n, 2);
    CHECK_EQ_INT(c.api.n, 1);
    CHECK(c.authorized != NULL);
    CHECK_EQ_INT(c.nrules, 1);
    CHECK_EQ_INT(c.nrules ? c.rules[0].matcher.n : 0, 1);
    CHECK_EQ_INT(c.nidentity, 1);
    CHECK_EQ_STR(c.nidentity ? c.identity_var[0] : NULL, "NEXTAUTH_ROLE");
    CHECK_EQ_STR(c.nidentity ? c.identity_claim[0] : NULL, "role");
    CHECK_EQ_INT(c.nexpose, 2);
    CHECK_EQ_STR(c.nexpose ? c.expose_key[0] : NULL, "id");
    CHECK_EQ_STR(c.nexpose ? c.expose_claim[0] : NULL, "sub");
    na_config_free(&c);
    CHECK_EQ_INT(load("{\"basePath\":\"/\",\"session\":{\"expose\":[\"role\"]}}", &c, &e,
                      NULL),
                 NA_OK);
    CHECK_EQ_STR(c.base_path, "");
    CHECK_EQ_STR(c.nexpose ? c.expose_claim[0] : NULL, "role");
    CHECK_EQ_STR(c.nexpose ? c.expose_key[0] : NULL, "role");
    na_config_free(&c);
    /* na_config_load supplies the default api patterns. */
    clear_env();
    CHECK_EQ_INT(na_config_load(&c, TMP("{}"), &e), 0);
    CHECK_EQ_INT(c.api.n, 1);
    na_config_free(&c);

    ERR("{\"pages\":{\"signin\":\"/x\"}}", "\"pages.signin\"");
    ERR("{\"pages\":{\"signIn\":\"//evil.example\"}}", "\"pages.signIn\"");
    ERR("{\"pages\":{\"error\":\"https://evil.example/\"}}", "\"pages.error\"");
    ERR("{\"pages\":{\"error\":\"/a?b\"}}", "\"pages.error\"");
    ERR("{\"pages\":[]}", "\"pages\"");
    ERR("{\"basePath\":\"app\"}", "\"basePath\"");
    ERR("{\"basePath\":\"/app/\"}", "\"basePath\"");
    ERR("{\"matcher\":[]}", "\"matcher\"");
    ERR("{\"matcher\":1}", "\"matcher\"");
    ERR("{\"matcher\":[{\"source\":\"/x\",\"has\":[]}]}", "\"matcher\"");
    ERR("{\"api\":[2]}", "\"api\"");
    ERR("{\"rules\":[]}", "\"rules\"");
    ERR("{\"rules\":[{\"matcher\":\"/x\"}]}", "rules[0]");
    ERR("{\"rules\":[{\"matcher\":\"/x\",\"authorized\":{\"a\":1},\"extra\":1}]}",
        "\"rules[0].extra\"");
    ERR("{\"identity\":{\"NEXTAUTH_X\":\"\"}}", "\"identity.NEXTAUTH_X\"");
    ERR("{\"identity\":[]}", "\"identity\"");
    ERR("{\"session\":{\"expose\":{\"id\":1}}}", "\"session.expose\"");
    ERR("{\"session\":{\"expose\":[\"a\",\"a\"]}}", "\"session.expose\"");
    ERR("{\"session\":{\"expose\":\"role\"}}", "\"session.expose\"");
}

/* identity names: NEXTAUTH_ then A-Z, 0-9, '_', and none the guard writes itself.
 * Each refused name stops the load with this exact message. */
static void test_identity_names(void)
{
    static const struct {
        const char *name; /* as written in the JSON file */
        const char *msg;  /* after "config PATH: " */
    } bad[] = {
        /* CGI meta-variables (RFC 3875 §4.1) a backend trusts from the server */
        {"REMOTE_ADDR", "key \"identity.REMOTE_ADDR\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"QUERY_STRING", "key \"identity.QUERY_STRING\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"SCRIPT_NAME", "key \"identity.SCRIPT_NAME\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"PATH_INFO", "key \"identity.PATH_INFO\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"CONTENT_LENGTH",
         "key \"identity.CONTENT_LENGTH\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"AUTH_TYPE", "key \"identity.AUTH_TYPE\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"REMOTE_USER", "key \"identity.REMOTE_USER\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"HTTP_X", "key \"identity.HTTP_X\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        /* what the dynamic loader and the shell read */
        {"LD_PRELOAD", "key \"identity.LD_PRELOAD\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"LD_LIBRARY_PATH",
         "key \"identity.LD_LIBRARY_PATH\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"PATH", "key \"identity.PATH\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        /* names that were fine before the prefix rule */
        {"DEPT", "key \"identity.DEPT\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"lower", "key \"identity.lower\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"nextauth_role",
         "key \"identity.nextauth_role\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"NEXTAUTH_", "key \"identity.NEXTAUTH_\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"NEXTAUTH", "key \"identity.NEXTAUTH\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"NEXTAUTH_Role",
         "key \"identity.NEXTAUTH_Role\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"NEXTAUTH_ROLE-X",
         "key \"identity.NEXTAUTH_ROLE-X\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"NEXTAUTH_A B", "key \"identity.NEXTAUTH_A?B\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"NEXTAUTH_A\\nX",
         "key \"identity.NEXTAUTH_A?X\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        {"", "key \"identity.\": names must be NEXTAUTH_ then A-Z, 0-9, _"},
        /* the guard's own */
        {"NEXTAUTH_EMAIL", "key \"identity.NEXTAUTH_EMAIL\": set by the guard itself"},
        {"NEXTAUTH_NAME", "key \"identity.NEXTAUTH_NAME\": set by the guard itself"},
        {"NEXTAUTH_SUB", "key \"identity.NEXTAUTH_SUB\": set by the guard itself"},
        {"NEXTAUTH_EXPIRES", "key \"identity.NEXTAUTH_EXPIRES\": set by the guard itself"},
        {"NEXTAUTH_USER", "key \"identity.NEXTAUTH_USER\": set by the guard itself"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256], want[512];
        na_config c;
        na_err e;
        const char *path;
        snprintf(text, sizeof text, "{\"identity\":{\"%s\":\"role\"}}", bad[i].name);
        int got = load(text, &c, &e, &path);
        snprintf(want, sizeof want, "config %s: %s", path, bad[i].msg);
        if (!CHECK_EQ_INT(got, NA_E_CONFIG) | !CHECK_EQ_STR(e.msg, want))
            printf("    case %zu: %s\n", i, text);
        CHECK_EQ_INT(c.nidentity, 0);
        na_config_free(&c);
    }
    /* the length cap: 64 characters pass, 65 do not */
    {
        char name[80], text[160], want[256];
        na_config c;
        na_err e;
        const char *path;
        memset(name, 'A', sizeof name);
        memcpy(name, "NEXTAUTH_", 9);
        name[64] = '\0';
        snprintf(text, sizeof text, "{\"identity\":{\"%s\":\"role\"}}", name);
        CHECK_EQ_INT(load(text, &c, &e, NULL), NA_OK);
        CHECK_EQ_STR(c.nidentity ? c.identity_var[0] : NULL, name);
        na_config_free(&c);
        name[64] = 'A';
        name[65] = '\0';
        snprintf(text, sizeof text, "{\"identity\":{\"%s\":\"role\"}}", name);
        CHECK_EQ_INT(load(text, &c, &e, &path), NA_E_CONFIG);
        snprintf(want, sizeof want,
                 "config %s: key \"identity\": a name of 65 characters (at most 64)", path);
        CHECK_EQ_STR(e.msg, want);
        na_config_free(&c);
    }
    /* accepted: the prefix with upper-case letters, digits and '_' */
    na_config c;
    na_err e;
    CHECK_EQ_INT(load("{\"identity\":{\"NEXTAUTH_ROLE\":\"role\",\"NEXTAUTH_DEPT_CODE\":"
                      "\"dept\",\"NEXTAUTH_2FA\":\"mfa\",\"NEXTAUTH__X\":\"x\","
                      "\"NEXTAUTH_GROUPS_\":\"groups\"}}",
                      &c, &e, NULL),
                 NA_OK);
    CHECK_EQ_INT(c.nidentity, 5);
    static const char *const want_var[] = {"NEXTAUTH_ROLE", "NEXTAUTH_DEPT_CODE", "NEXTAUTH_2FA",
                                           "NEXTAUTH__X", "NEXTAUTH_GROUPS_"};
    static const char *const want_claim[] = {"role", "dept", "mfa", "x", "groups"};
    for (size_t i = 0; i < c.nidentity && i < 5; i++) {
        CHECK_EQ_STR(c.identity_var[i], want_var[i]);
        CHECK_EQ_STR(c.identity_claim[i], want_claim[i]);
    }
    na_config_free(&c);
}

/* na_config_warn's lines, caught by a log sink. */
static char logged[16][512];
static size_t nlogged;

static void catch_line(void *ctx, const char *line)
{
    (void)ctx;
    if (nlogged < sizeof logged / sizeof logged[0])
        snprintf(logged[nlogged++], sizeof logged[0], "%s", line);
}

/* Load text (a file of the given mode) with na_config_load, then na_config_warn,
 * with the environment secret env (NULL: none); *path is the file. Returns the
 * lines logged. */
static size_t load_warn(const char *text, unsigned mode, const char *env, const char **path)
{
    na_config c;
    na_err e;
    clear_env();
    if (env != NULL)
        setenv("NEXTAUTH_SECRET", env, 1);
    *path = TMP(text);
    chmod(*path, mode);
    nlogged = 0;
    na_log_set_prog("nextauth-test");
    na_log_set_sink(catch_line, NULL);
    int rc = na_config_load(&c, *path, &e);
    if (rc == 0)
        na_config_warn(&c);
    na_log_set_sink(NULL, NULL);
    if (!CHECK_EQ_INT(rc, 0))
        printf("    %s\n", e.msg);
    else
        na_config_free(&c);
    clear_env();
    return nlogged;
}

/* want: the lines expected, in order, with %s standing for the file's path. */
static void check_warn(const char *text, unsigned mode, const char *env, const char *want1,
                       const char *want2, int line)
{
    const char *path;
    size_t n = load_warn(text, mode, env, &path);
    const char *want[2] = {want1, want2};
    size_t nwant = want2 ? 2 : want1 ? 1 : 0;
    int ok = unit_eq_int((long long)n, (long long)nwant, __FILE__, line, "lines logged");
    for (size_t i = 0; i < n && i < nwant; i++) {
        char w[512];
        const char *at = strstr(want[i], "%s");
        if (at != NULL)
            snprintf(w, sizeof w, "%.*s%s%s", (int)(at - want[i]), want[i], path, at + 2);
        else
            snprintf(w, sizeof w, "%s", want[i]);
        ok &= unit_eq_str(logged[i], w, __FILE__, line, "logged line");
    }
    for (size_t i = 0; i < n; i++)
        ok &= unit_report(strstr(logged[i], "hunter2") == NULL, __FILE__, line,
                          "no secret in a line");
    if (!ok) {
        printf("    config %s (mode %04o)\n", text, mode);
        for (size_t i = 0; i < n; i++)
            printf("    logged: %s\n", logged[i]);
    }
}
#define WARN(text, mode, env, w1, w2) check_warn((text), (mode), (env), (w1), (w2), __LINE__)

/* Start-up warnings: short secrets, loose file modes; never the secret. */
static void test_warnings(void)
{
    static const char s31[] = "hunter2-hunter2-hunter2-hunter2";
    static const char s32[] = "hunter2-hunter2-hunter2-hunter2!";
    _Static_assert(sizeof s31 - 1 == 31 && sizeof s32 - 1 == 32, "secret lengths");
    char text[256];
    /* secret lengths, from the environment */
    WARN("{}", 0600, s31,
         "nextauth-test: warning: the secret (NEXTAUTH_SECRET) is 31 bytes; use at least 32 "
         "random bytes (openssl rand -base64 32)", NULL);
    WARN("{}", 0600, s32, NULL, NULL);
    WARN("{}", 0600, NULL, NULL, NULL); /* no secret: the programs say NO_SECRET */
    /* from the file: one line per short secret of a rotation list */
    snprintf(text, sizeof text, "{\"secret\":[\"%s\",\"hunter2\"]}", s32);
    WARN(text, 0600, NULL,
         "nextauth-test: warning: secret 2 of 2 (config secret) is 7 bytes; use at least 32 "
         "random bytes (openssl rand -base64 32)", NULL);
    /* a config that holds the secret: owner only */
    snprintf(text, sizeof text, "{\"secret\":\"%s\"}", s32);
    WARN(text, 0600, NULL, NULL, NULL);
    WARN(text, 0400, NULL, NULL, NULL);
    WARN(text, 0640, NULL,
         "nextauth-test: warning: config %s has mode 0640 and holds the secret; make it "
         "readable by its owner only (chmod 600)", NULL);
    WARN(text, 0604, NULL,
         "nextauth-test: warning: config %s has mode 0604 and holds the secret; make it "
         "readable by its owner only (chmod 600)", NULL);
    /* a config without a secret: others may read it, not write it */
    WARN("{\"url\":\"https://example.com\"}", 0644, s32, NULL, NULL);
    WARN("{\"url\":\"https://example.com\"}", 0664, s32,
         "nextauth-test: warning: config %s has mode 0664; make it writable by its owner only "
         "(chmod go-w)", NULL);
    WARN("{}", 0646, s31,
         "nextauth-test: warning: the secret (NEXTAUTH_SECRET) is 31 bytes; use at least 32 "
         "random bytes (openssl rand -base64 32)",
         "nextauth-test: warning: config %s has mode 0646; make it writable by its owner only "
         "(chmod go-w)");
    /* secretFile: owner only; the config naming it may be read by others */
    const char *sf = TMP("hunter2-hunter2-hunter2-hunter2!\n");
    snprintf(text, sizeof text, "{\"secretFile\":\"%s\"}", sf);
    chmod(sf, 0600);
    WARN(text, 0644, NULL, NULL, NULL);
    chmod(sf, 0640);
    char want[256];
    snprintf(want, sizeof want, "nextauth-test: warning: secretFile %s has mode 0640; make it "
                                "readable by its owner only (chmod 600)", sf);
    WARN(text, 0644, NULL, want, NULL);
}

/* Start-up notices: a matcher entry that is a plain path is that page only. */
static void test_matcher_notices(void)
{
    static const char s32[] = "{\"secret\":\"hunter2-hunter2-hunter2-hunter2!\",";
    char text[512];
    snprintf(text, sizeof text, "%s\"matcher\":[\"/admin\",\"/admin/:path*\",\"/\","
             "\"/((?!api).*)\",{\"source\":\"/settings/\"}],\"api\":\"/graphql\"}", s32);
    WARN(text, 0600, NULL,
         "nextauth-test: notice: matcher \"/admin\" matches /admin only, not the paths below "
         "it; write \"/admin/:path*\" for those",
         "nextauth-test: notice: matcher \"/settings/\" matches /settings/ only, not the paths "
         "below it; write \"/settings/:path*\" for those");
    snprintf(text, sizeof text, "%s\"rules\":[{\"matcher\":\"/a/:id\",\"authorized\":"
             "{\"role\":\"x\"}},{\"matcher\":[\"/b/(.*)\",\"/reports.json\"],"
             "\"authorized\":{\"role\":\"x\"}}]}", s32);
    WARN(text, 0600, NULL,
         "nextauth-test: notice: rules[1].matcher \"/reports.json\" matches /reports.json only, "
         "not the paths below it; write \"/reports.json/:path*\" for those", NULL);
    snprintf(text, sizeof text, "%s\"matcher\":\"/\"}", s32);
    WARN(text, 0600, NULL, NULL, NULL);
    /* loading alone logs nothing */
    na_config c;
    na_err e;
    const char *p = TMP("{\"matcher\":\"/admin\"}");
    chmod(p, 0666);
    setenv("NEXTAUTH_SECRET", "hunter2", 1);
    nlogged = 0;
    na_log_set_sink(catch_line, NULL);
    CHECK_EQ_INT(na_config_load(&c, p, &e), 0);
    na_log_set_sink(NULL, NULL);
    CHECK_EQ_INT(nlogged, 0);
    CHECK_EQ_INT(c.nnotes, 1);
    na_config_free(&c);
    CHECK_EQ_INT(c.nnotes, 0);
    clear_env();
}

static void test_bad_json(void)
{
    na_config c;
    na_err e;
    const char *path;
    char want[96];
    CHECK_EQ_INT(load("{\"secret\": \"hunter2-very-secret", &c, &e, &path), NA_E_CONFIG);
    snprintf(want, sizeof want, "%s:1:", path);
    CHECK(strstr(e.msg, want) != NULL);
    CHECK(strstr(e.msg, "hunter2") == NULL);
    na_config_free(&c);

    CHECK_EQ_INT(load("{\n  \"url\": \"https://x\",\n  \"secret\": hunter2\n}", &c, &e, &path),
                 NA_E_CONFIG);
    snprintf(want, sizeof want, "%s:3:", path);
    if (!CHECK(strstr(e.msg, want) != NULL))
        printf("    message: %s\n", e.msg);
    CHECK(strstr(e.msg, "hunter2") == NULL);
    na_config_free(&c);

    /* A duplicate key is an error, and neither value is quoted. */
    CHECK_EQ_INT(load("{\"secret\":\"hunter2-a\",\"secret\":\"hunter2-b\"}", &c, &e, &path),
                 NA_E_CONFIG);
    CHECK(strstr(e.msg, "hunter2") == NULL);
    CHECK(strstr(e.msg, "duplicate") != NULL);
    na_config_free(&c);
    CHECK_EQ_INT(load("{\"secret\":\"hunter2\\u0000x\"}", &c, &e, NULL), NA_E_CONFIG);
    CHECK(strstr(e.msg, "hunter2") == NULL);
    na_config_free(&c);
    CHECK_EQ_INT(load("", &c, &e, NULL), NA_E_CONFIG);
    na_config_free(&c);
    CHECK_EQ_INT(load("{} {}", &c, &e, NULL), NA_E_CONFIG);
    na_config_free(&c);
}

static void test_secret_file(void)
{
    na_config c;
    na_err e;
    char text[128];
    const char *sf = TMP("first-secret\r\nsecond-secret\n");
    snprintf(text, sizeof text, "{\"secretFile\":\"%s\"}", sf);
    CHECK_EQ_INT(load(text, &c, &e, NULL), NA_OK);
    CHECK_EQ_INT(c.nsecrets, 2);
    CHECK_EQ_STR(c.secrets[0], "first-secret");
    CHECK_EQ_INT(c.secret_lens[0], 12);
    CHECK_EQ_STR(c.secrets[1], "second-secret");
    CHECK_EQ_STR(c.secret_source, "config secretFile");
    na_config_free(&c);

    /* Blank lines skipped; no final newline needed. */
    sf = TMP("\n\r\nonly-secret");
    snprintf(text, sizeof text, "{\"secretFile\":\"%s\"}", sf);
    CHECK_EQ_INT(load(text, &c, &e, NULL), NA_OK);
    CHECK_EQ_INT(c.nsecrets, 1);
    CHECK_EQ_STR(c.secrets[0], "only-secret");
    na_config_free(&c);

    /* Empty file, placeholder line, missing file. */
    sf = TMP("\n\n");
    snprintf(text, sizeof text, "{\"secretFile\":\"%s\"}", sf);
    CHECK_EQ_INT(load(text, &c, &e, NULL), NA_E_NO_SECRET);
    na_config_free(&c);
    sf = TMP("good-secret\n${NEXTAUTH_SECRET}\n");
    snprintf(text, sizeof text, "{\"secretFile\":\"%s\"}", sf);
    CHECK_EQ_INT(load(text, &c, &e, NULL), NA_E_CONFIG);
    CHECK(strstr(e.msg, "line 2") != NULL);
    na_config_free(&c);
    CHECK_EQ_INT(load("{\"secretFile\":\"/nonexistent/na-unit/secret\"}", &c, &e, NULL),
                 NA_E_IO);
    na_config_free(&c);
}

static void test_placeholders_and_caps(void)
{
    static const char *const refused[] = {"${NEXTAUTH_SECRET}", "$AUTH_SECRET",
                                          "$NEXTAUTH_SECRET", "${auth_secret_2}", "$_X1"};
    static const char *const accepted[] = {"$", "${}", "${A", "$1abc", "a$B", "$A B", "$A}",
                                           "${A}x"};
    char text[128];
    na_config c;
    na_err e;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(text, sizeof text, "{\"secret\":\"%s\"}", refused[i]);
        if (!CHECK_EQ_INT(load(text, &c, &e, NULL), NA_E_CONFIG))
            printf("    secret %s\n", refused[i]);
        na_config_free(&c);
        snprintf(text, sizeof text, "{\"secret\":[\"ok-secret\",\"%s\"]}", refused[i]);
        CHECK_EQ_INT(load(text, &c, &e, NULL), NA_E_CONFIG);
        na_config_free(&c);
        na_config_init(&c);
        CHECK_EQ_INT(na_config_set_secret(&c, refused[i], "--secret", &e), -1);
        CHECK_EQ_INT(c.nsecrets, 0);
        na_config_free(&c);
    }
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        snprintf(text, sizeof text, "{\"secret\":\"%s\"}", accepted[i]);
        if (!CHECK_EQ_INT(load(text, &c, &e, NULL), NA_OK))
            printf("    secret %s: %s\n", accepted[i], e.msg);
        na_config_free(&c);
    }
    CHECK_EQ_INT(load("{\"secret\":\"\"}", &c, &e, NULL), NA_E_NO_SECRET);
    na_config_free(&c);
    CHECK_EQ_INT(load("{\"secret\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}", &c,
                      &e, NULL),
                 NA_E_CONFIG);
    na_config_free(&c);
    static char big[NA_MAX_SECRET_LEN + 64];
    int n = sprintf(big, "{\"secret\":\"");
    memset(big + n, 'a', NA_MAX_SECRET_LEN + 1);
    strcpy(big + n + NA_MAX_SECRET_LEN + 1, "\"}");
    CHECK_EQ_INT(load(big, &c, &e, NULL), NA_E_CONFIG);
    na_config_free(&c);

    /* --secret replaces what the file gave. */
    CHECK_EQ_INT(load("{\"secret\":[\"a1\",\"b2\"]}", &c, &e, NULL), NA_OK);
    CHECK_EQ_INT(na_config_set_secret(&c, "cli-secret", "--secret", &e), 0);
    CHECK_EQ_INT(c.nsecrets, 1);
    CHECK_EQ_STR(c.secrets[0], "cli-secret");
    CHECK_EQ_STR(c.secret_source, "--secret");
    CHECK_EQ_INT(na_config_set_secret(&c, "", "--secret", &e), -1);
    CHECK_EQ_INT(c.nsecrets, 0);
    CHECK(c.no_secret[0] != '\0');
    na_config_free(&c);
}

static void test_env(void)
{
    na_config c;
    na_err e;
    clear_env();
    na_config_init(&c);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK_EQ_INT(c.nsecrets, 0);
    CHECK(c.no_secret[0] != '\0');
    CHECK(c.url == NULL);
    na_config_free(&c);

    setenv("NEXTAUTH_SECRET", "env-secret", 1);
    setenv("AUTH_SECRET", "auth-secret", 1);
    setenv("NEXTAUTH_URL", "https://env.example", 1);
    na_config_init(&c);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK_EQ_INT(c.nsecrets, 1);
    CHECK_EQ_STR(c.secrets[0], "env-secret");
    CHECK_EQ_STR(c.secret_source, "NEXTAUTH_SECRET");
    CHECK_EQ_STR(c.url, "https://env.example");
    CHECK_EQ_INT(na_config_secure(&c), 1);
    na_config_free(&c);

    unsetenv("NEXTAUTH_SECRET");
    na_config_init(&c);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK_EQ_STR(c.nsecrets ? c.secrets[0] : NULL, "auth-secret");
    CHECK_EQ_STR(c.secret_source, "AUTH_SECRET");
    na_config_free(&c);

    /* An empty NEXTAUTH_SECRET counts as set: no secret, AUTH_SECRET not read. */
    setenv("NEXTAUTH_SECRET", "", 1);
    na_config_init(&c);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK_EQ_INT(c.nsecrets, 0);
    CHECK(c.no_secret[0] != '\0');
    na_config_free(&c);
    setenv("NEXTAUTH_SECRET", "${NEXTAUTH_SECRET}", 1);
    na_config_init(&c);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK_EQ_INT(c.nsecrets, 0);
    CHECK(strstr(c.no_secret, "NEXTAUTH_SECRET") != NULL);
    na_config_free(&c);

    /* The file wins over the environment; an empty NEXTAUTH_URL is no url. */
    setenv("NEXTAUTH_SECRET", "env-secret", 1);
    CHECK_EQ_INT(load("{\"secret\":\"file-secret\",\"url\":\"http://file\"}", &c, &e, NULL),
                 NA_OK);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK_EQ_INT(c.nsecrets, 1);
    CHECK_EQ_STR(c.secrets[0], "file-secret");
    CHECK_EQ_STR(c.url, "http://file");
    na_config_free(&c);
    setenv("NEXTAUTH_URL", "", 1);
    na_config_init(&c);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK(c.url == NULL);
    na_config_free(&c);

    /* na_config_load: the file from NEXTAUTH_CONFIG, then the environment. */
    const char *p = TMP("{\"jwt\":{\"format\":\"authjs-v5\"}}");
    setenv("NEXTAUTH_CONFIG", p, 1);
    CHECK_EQ_INT(na_config_load(&c, NULL, &e), 0);
    CHECK_EQ_INT(c.format, NA_FMT_V5);
    CHECK_EQ_STR(c.path, p);
    CHECK_EQ_STR(c.nsecrets ? c.secrets[0] : NULL, "env-secret");
    na_config_free(&c);
    CHECK_EQ_INT(na_config_load(&c, TMP("{\"bad\":1}"), &e), -1);
    CHECK_EQ_INT(e.code, NA_E_CONFIG);
    CHECK_EQ_INT(c.nsecrets, 0); /* freed */
    setenv("NEXTAUTH_CONFIG", "", 1);
    CHECK_EQ_INT(na_config_load(&c, NULL, &e), 0);
    CHECK(c.path == NULL);
    na_config_free(&c);
    clear_env();
}

/* NEXTAUTH_SECRET_FILE: read only when neither the file nor NEXTAUTH_SECRET nor
 * AUTH_SECRET names a secret; secretFile's format; an unreadable file is an
 * error, a set-but-empty variable is "no secret" with its reason. */
static void test_env_secret_file(void)
{
    na_config c;
    na_err e;
    char want[256];
    clear_env();
    const char *sf = TMP("first-file-secret\r\n\nsecond-file-secret\n");
    chmod(sf, 0600);
    setenv("NEXTAUTH_SECRET_FILE", sf, 1);
    na_config_init(&c);
    CHECK_EQ_INT(na_config_apply_env(&c, &e), 0);
    CHECK_EQ_INT(c.nsecrets, 2);
    CHECK_EQ_STR(c.nsecrets ? c.secrets[0] : NULL, "first-file-secret");
    CHECK_EQ_STR(c.nsecrets > 1 ? c.secrets[1] : NULL, "second-file-secret");
    CHECK_EQ_STR(c.secret_source, "NEXTAUTH_SECRET_FILE");
    CHECK_EQ_STR(c.secret_file, sf);
    CHECK_EQ_INT(c.secret_file_mode, 0600);
    CHECK_EQ_STR(na_config_secret_file_key(&c), "NEXTAUTH_SECRET_FILE");
    CHECK_EQ_INT(c.nnotes, 0);
    na_config_free(&c);

    /* What comes first wins, and the unread file is noted (never read). */
    static const struct {
        const char *nextauth_secret, *auth_secret, *config, *source, *first;
    } first[] = {
        {"env-secret", NULL, NULL, "NEXTAUTH_SECRET", "NEXTAUTH_SECRET"},
        {NULL, "auth-secret", NULL, "AUTH_SECRET", "AUTH_SECRET"},
        {"", "auth-secret", NULL, NULL, "NEXTAUTH_SECRET"}, /* empty: set, no secret */
        {"env-secret", NULL, "{\"secret\":\"file-secret\"}", "config secret", "config secret"},
    };
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
        clear_env();
        setenv("NEXTAUTH_SECRET_FILE", "/nonexistent/na-unit/secret", 1);
        if (first[i].nextauth_secret)
            setenv("NEXTAUTH_SECRET", first[i].nextauth_secret, 1);
        if (first[i].auth_secret)
            setenv("AUTH_SECRET", first[i].auth_secret, 1);
        int rc = na_config_load(&c, first[i].config ? TMP(first[i].config) : NULL, &e);
        if (!CHECK_EQ_INT(rc, 0)) {
            printf("    row %zu: %s\n", i, e.msg);
            continue;
        }
        CHECK_EQ_STR(c.secret_source, first[i].source);
        CHECK_EQ_INT(c.nsecrets, first[i].source ? 1 : 0);
        CHECK(c.secret_file == NULL);
        snprintf(want, sizeof want, "notice: NEXTAUTH_SECRET_FILE is not read: %s comes first",
                 first[i].first);
        CHECK_EQ_INT(c.nnotes, 1);
        CHECK_EQ_STR(c.nnotes ? c.notes[0] : NULL, want);
        na_config_free(&c);
    }

    /* Set but empty: no secret, and the reason names the variable. */
    clear_env();
    setenv("NEXTAUTH_SECRET_FILE", "", 1);
    CHECK_EQ_INT(na_config_load(&c, NULL, &e), 0);
    CHECK_EQ_INT(c.nsecrets, 0);
    CHECK_EQ_STR(c.no_secret,
                 "NEXTAUTH_SECRET_FILE is set but empty: no file to read the secret from");
    na_config_free(&c);
    /* Unset, as every other source: the reason lists them all. */
    unsetenv("NEXTAUTH_SECRET_FILE");
    CHECK_EQ_INT(na_config_load(&c, NULL, &e), 0);
    CHECK_EQ_STR(c.no_secret, "no secret: set \"secret\" or \"secretFile\" in the config, or "
                              "NEXTAUTH_SECRET, AUTH_SECRET or NEXTAUTH_SECRET_FILE");
    na_config_free(&c);

    /* A file that cannot be read or holds no usable secret stops the load, as
     * such a secretFile does; the messages name the variable, never a value. */
    static const struct {
        const char *text; /* NULL: no such file */
        int code;
        const char *msg;  /* %s: the path */
    } bad[] = {
        {NULL, NA_E_IO, "NEXTAUTH_SECRET_FILE %s: No such file or directory"},
        {"\n\r\n", NA_E_NO_SECRET, "NEXTAUTH_SECRET_FILE %s has no secret"},
        {"hunter2-ok\n${NEXTAUTH_SECRET}\n", NA_E_CONFIG,
         "NEXTAUTH_SECRET_FILE line 2: secret looks like an unexpanded variable (18 bytes "
         "starting with '$')"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clear_env();
        const char *p = bad[i].text ? TMP(bad[i].text) : "/nonexistent/na-unit/secret";
        setenv("NEXTAUTH_SECRET_FILE", p, 1);
        CHECK_EQ_INT(na_config_load(&c, NULL, &e), -1);
        CHECK_EQ_INT(e.code, bad[i].code);
        const char *at = strstr(bad[i].msg, "%s");
        if (at != NULL)
            snprintf(want, sizeof want, "%.*s%s%s", (int)(at - bad[i].msg), bad[i].msg, p, at + 2);
        else
            snprintf(want, sizeof want, "%s", bad[i].msg);
        CHECK_EQ_STR(e.msg, want);
        CHECK_EQ_INT(c.nsecrets, 0); /* freed */
    }

    /* Start-up lines: its permissions and a short secret, named by the variable. */
    clear_env();
    sf = TMP("hunter2\n");
    chmod(sf, 0644);
    setenv("NEXTAUTH_SECRET_FILE", sf, 1);
    CHECK_EQ_INT(na_config_load(&c, NULL, &e), 0);
    nlogged = 0;
    na_log_set_prog("nextauth-test");
    na_log_set_sink(catch_line, NULL);
    na_config_warn(&c);
    na_log_set_sink(NULL, NULL);
    CHECK_EQ_INT(nlogged, 2);
    CHECK_EQ_STR(nlogged > 0 ? logged[0] : NULL,
                 "nextauth-test: warning: the secret (NEXTAUTH_SECRET_FILE) is 7 bytes; use at "
                 "least 32 random bytes (openssl rand -base64 32)");
    snprintf(want, sizeof want, "nextauth-test: warning: NEXTAUTH_SECRET_FILE %s has mode 0644; "
                                "make it readable by its owner only (chmod 600)", sf);
    CHECK_EQ_STR(nlogged > 1 ? logged[1] : NULL, want);
    na_config_free(&c);
    clear_env();
}

/* One problem as na_config_check reported it. */
static struct {
    char key[128], msg[256];
} problems[16];
static size_t nproblems;

static void catch_problem(void *ctx, const char *key, const char *msg)
{
    (void)ctx;
    if (nproblems < sizeof problems / sizeof problems[0]) {
        snprintf(problems[nproblems].key, sizeof problems[0].key, "%s", key);
        snprintf(problems[nproblems].msg, sizeof problems[0].msg, "%s", msg);
    }
    nproblems++;
}

/* na_config_check on text (NULL: no file; "-": a file that does not exist):
 * every problem, as "key|msg" with %s for the file's path, in order. */
static void check_problems(const char *text, const char *const *want, size_t nwant, int line)
{
    na_config c;
    na_err e;
    const char *p = text == NULL ? NULL : strcmp(text, "-") == 0 ? "/nonexistent/na-unit.json"
                                                                 : TMP(text);
    nproblems = 0;
    int n = na_config_check(&c, p, catch_problem, NULL, &e);
    int ok = unit_eq_int(n, (long long)nwant, __FILE__, line, "problems reported");
    ok &= unit_eq_int((long long)nproblems, (long long)nwant, __FILE__, line, "reports");
    for (size_t i = 0; i < nproblems && i < nwant; i++) {
        char got[sizeof problems[0].key + sizeof problems[0].msg + 2];
        static char w[8192];
        snprintf(got, sizeof got, "%.127s|%.255s", problems[i].key, problems[i].msg);
        const char *at = strstr(want[i], "%s");
        if (at != NULL)
            snprintf(w, sizeof w, "%.*s%s%s", (int)(at - want[i]), want[i], p, at + 2);
        else
            snprintf(w, sizeof w, "%s", want[i]);
        ok &= unit_eq_str(got, w, __FILE__, line, "problem");
        ok &= unit_report(strstr(got, "hunter2") == NULL, __FILE__, line, "no value quoted");
    }
    if (!ok)
        for (size_t i = 0; i < nproblems && i < 16; i++)
            printf("    reported: %s|%s\n", problems[i].key, problems[i].msg);
    na_config_free(&c);
}
#define PROBLEMS(text, ...)                                                                     \
    do {                                                                                        \
        static const char *const want_[] = {__VA_ARGS__};                                       \
        check_problems((text), want_, sizeof want_ / sizeof want_[0], __LINE__);                \
    } while (0)

/* A message split into its key path and the rest. */
static void test_split_problem(void)
{
    static const struct {
        const char *msg, *fallback, *key, *rest;
    } t[] = {
        {"key \"jwt.maxAge\" must be an integer", "jwt.maxAge", "jwt.maxAge", "must be an integer"},
        {"key \"rules[1].matcher\": bad", "rules", "rules[1].matcher", "bad"},
        {"key \"pages.signIn\" cannot be compared", "url", "pages.signIn", "cannot be compared"},
        {"unknown key \"jwt.x\"", "", "jwt.x", "unknown key"},
        {"authorized.role: unknown operator", "authorized", "authorized.role", "unknown operator"},
        {"authorized must be a non-empty object", "authorized", "authorized",
         "must be a non-empty object"},
        {"rules[0] needs both", "rules", "rules[0]", "needs both"},
        {"NEXTAUTH_SECRET_FILE /x: gone", "NEXTAUTH_SECRET_FILE", "NEXTAUTH_SECRET_FILE", "/x: gone"},
        {"secret: empty secret", "secret", "secret", "empty secret"},
        {"secretFile line 2: bad", "secretFile", "secretFile", "line 2: bad"},
        {"secrets are bad", "secret", "secret", "secrets are bad"}, /* not the key's path */
        {"url/NEXTAUTH_URL is not usable", "url", "url", "url/NEXTAUTH_URL is not usable"},
        {"database: connect: refused", "database.url", "database.url", "database: connect: refused"},
        {"key \"unterminated", "x", "x", "key \"unterminated"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char key[128];
        const char *rest = na_config_split_problem(t[i].msg, t[i].fallback, key, sizeof key);
        int ok = CHECK_EQ_STR(key, t[i].key);
        ok &= CHECK_EQ_STR(rest, t[i].rest);
        if (!ok)
            printf("    message %s\n", t[i].msg);
    }
}

/* na_config_check: each problem once, with its key path, and the load goes on. */
static void test_check(void)
{
    clear_env();
    setenv("NEXTAUTH_SECRET", "hunter2-from-the-env", 1);
    na_config c;
    na_err e;
    nproblems = 0;
    CHECK_EQ_INT(na_config_check(&c, TMP("{\"url\":\"https://x\",\"jwt\":{\"maxAge\":60}}"),
                                 catch_problem, NULL, &e), 0);
    CHECK_EQ_INT(nproblems, 0);
    CHECK_EQ_STR(c.url, "https://x");
    CHECK_EQ_INT(c.jwt_max_age, 60);
    CHECK_EQ_STR(c.secret_source, "NEXTAUTH_SECRET");
    CHECK_EQ_INT(c.strategy, NA_STRATEGY_JWT);
    CHECK_EQ_INT(c.api.n, 1);
    na_config_free(&c);

    /* Several keys wrong: each reported, the good ones around them loaded. */
    PROBLEMS("{\"jwt\":{\"maxAge\":0,\"clockTolerance\":\"x\"},\"bogus\":1,"
             "\"session\":{\"strategy\":\"database\",\"bad\":true},"
             "\"authorized\":{\"role\":{\"nope\":1}},\"rules\":[{\"matcher\":\"/a/:p*\"}],"
             "\"identity\":{\"ROLE\":\"role\"},\"url\":\"https://ok\"}",
             "jwt.maxAge|must be an integer from 1 to 316224000",
             "jwt.clockTolerance|must be an integer from 0 to 3600",
             "bogus|unknown key",
             "session.bad|unknown key",
             "authorized.role|unknown operator \"nope\" (in, suffix, exists, equals)",
             "rules[0]|needs both matcher and authorized",
             "identity.ROLE|names must be NEXTAUTH_ then A-Z, 0-9, _",
             "session.strategy|is \"database\" but database.url is not set");
    /* the secret keys: a refused value is not replaced by the environment's */
    PROBLEMS("{\"secret\":\"\"}", "secret|empty secret");
    PROBLEMS("{\"secret\":\"a\",\"secretFile\":\"/nonexistent/na-unit/s\"}",
             "secret|keys \"secret\" and \"secretFile\" exclude each other",
             "secretFile|/nonexistent/na-unit/s: No such file or directory");
    CHECK_EQ_INT(na_config_check(&c, TMP("{\"secret\":[\"${X}\"]}"), catch_problem, NULL, &e),
                 1);
    CHECK_EQ_INT(c.nsecrets, 0);
    CHECK_EQ_STR(c.secret_source, "config secret");
    na_config_free(&c);
    /* the file as a whole: nothing past it */
    PROBLEMS("-", "config|%s: No such file or directory");
    PROBLEMS("{\"url\":", "config|%s:1:7: unexpected end of file");
    PROBLEMS("[]", "config|%s: the top level must be an object");
    /* the environment: its variable's name */
    unsetenv("NEXTAUTH_SECRET");
    setenv("NEXTAUTH_SECRET_FILE", "/nonexistent/na-unit/secret", 1);
    PROBLEMS("{\"tokenCache\":-1}", "tokenCache|must be an integer from 0 to 1024",
             "NEXTAUTH_SECRET_FILE|/nonexistent/na-unit/secret: No such file or directory");
    PROBLEMS(NULL, "NEXTAUTH_SECRET_FILE|/nonexistent/na-unit/secret: No such file or directory");
    clear_env();
}

static void test_cookie_names(void)
{
    static const struct {
        na_format f;
        int use;
        const char *url;
        int secure;
        const char *name;
    } t[] = {
        {NA_FMT_V4, -1, NULL, 0, "next-auth.session-token"},
        {NA_FMT_V4, -1, "http://x", 0, "next-auth.session-token"},
        {NA_FMT_V4, -1, "https://x", 1, "__Secure-next-auth.session-token"},
        {NA_FMT_V4, -1, "HTTPS://x", 0, "next-auth.session-token"}, /* case-sensitive test */
        {NA_FMT_V4, -1, "example.com", 0, "next-auth.session-token"},
        {NA_FMT_V4, -1, "https:/x", 0, "next-auth.session-token"},
        {NA_FMT_V4, 1, NULL, 1, "__Secure-next-auth.session-token"},
        {NA_FMT_V4, 0, "https://x", 0, "next-auth.session-token"},
        {NA_FMT_V5, -1, NULL, 0, "authjs.session-token"},
        {NA_FMT_V5, -1, "https://x", 1, "__Secure-authjs.session-token"},
        {NA_FMT_V5, 1, "http://x", 1, "__Secure-authjs.session-token"},
        {NA_FMT_V5, 0, "https://x", 0, "authjs.session-token"},
        {NA_FMT_JWS, -1, NULL, 0, "next-auth.session-token"},
        {NA_FMT_JWS, -1, "https://x", 1, "__Secure-next-auth.session-token"},
        {NA_FMT_JWS, 0, NULL, 0, "next-auth.session-token"},
        {NA_FMT_JWS, 1, NULL, 1, "__Secure-next-auth.session-token"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        na_config c;
        na_config_init(&c);
        c.format = t[i].f;
        c.use_secure_cookies = t[i].use;
        c.url = t[i].url ? strdup(t[i].url) : NULL;
        int ok = unit_eq_int(na_config_secure(&c), t[i].secure, __FILE__, __LINE__, "secure");
        ok &= unit_eq_str(na_config_cookie_name(&c), t[i].name, __FILE__, __LINE__, "name");
        /* A configured name always wins. */
        c.cookie_name = strdup("custom");
        ok &= unit_eq_str(na_config_cookie_name(&c), "custom", __FILE__, __LINE__, "custom");
        if (!ok)
            printf("    case %zu\n", i);
        na_config_free(&c);
    }
    /* The Node app's other cookies, by format and secure mode; a configured
     * session cookie name changes neither. */
    static const struct {
        na_format f;
        int use;
        const char *callback, *csrf;
    } o[] = {
        {NA_FMT_V4, 0, "next-auth.callback-url", "next-auth.csrf-token"},
        {NA_FMT_V4, 1, "__Secure-next-auth.callback-url", "__Host-next-auth.csrf-token"},
        {NA_FMT_JWS, 1, "__Secure-next-auth.callback-url", "__Host-next-auth.csrf-token"},
        {NA_FMT_V5, 0, "authjs.callback-url", "authjs.csrf-token"},
        {NA_FMT_V5, 1, "__Secure-authjs.callback-url", "__Host-authjs.csrf-token"},
    };
    for (size_t i = 0; i < sizeof o / sizeof o[0]; i++) {
        na_config c;
        na_config_init(&c);
        c.format = o[i].f;
        c.use_secure_cookies = o[i].use;
        c.cookie_name = strdup("custom");
        CHECK_EQ_STR(na_config_callback_cookie_name(&c), o[i].callback);
        CHECK_EQ_STR(na_config_csrf_cookie_name(&c), o[i].csrf);
        na_config_free(&c);
    }
}

/* prefix, then {"r":1} inside `levels` levels of {"any":[…]}, then suffix;
 * the caller frees it. */
static char *nested(const char *prefix, int levels, const char *suffix)
{
    size_t n = strlen(prefix) + (size_t)levels * 11 + 16 + strlen(suffix);
    char *s = malloc(n), *o = s;
    if (s == NULL)
        exit(2);
    o += sprintf(o, "%s", prefix);
    for (int i = 0; i < levels; i++)
        o += sprintf(o, "{\"any\":[");
    o += sprintf(o, "{\"r\":1}");
    for (int i = 0; i < levels; i++)
        o += sprintf(o, "]}");
    sprintf(o, "%s", suffix);
    return s;
}

/* The nesting bound of conditions, as a configuration file meets it: 8 levels
 * load, 9 are refused by name (top-level and in a rule), and a document far
 * deeper stops in the JSON parser (jansson's 2048 levels) before any of it is
 * compiled. */
static void test_authorized_depth(void)
{
    na_config c;
    na_err e;
    const char *path;
    char want[512];
    char *text = nested("{\"authorized\":", 8, "}");
    CHECK_EQ_INT(load(text, &c, &e, NULL), NA_OK);
    CHECK(c.authorized != NULL);
    na_config_free(&c);
    free(text);

    text = nested("{\"authorized\":", 9, "}");
    CHECK_EQ_INT(load(text, &c, &e, &path), NA_E_CONFIG);
    snprintf(want, sizeof want, "config %s: authorized%s: conditions nested deeper than 8",
             path, ".any[0].any[0].any[0].any[0].any[0].any[0].any[0].any[0].any[0]");
    CHECK_EQ_STR(e.msg, want);
    na_config_free(&c);
    free(text);

    text = nested("{\"rules\":[{\"matcher\":\"/admin/:path*\",\"authorized\":", 9, "}]}");
    CHECK_EQ_INT(load(text, &c, &e, &path), NA_E_CONFIG);
    snprintf(want, sizeof want,
             "config %s: rules[0].authorized%s: conditions nested deeper than 8", path,
             ".any[0].any[0].any[0].any[0].any[0].any[0].any[0].any[0].any[0]");
    CHECK_EQ_STR(e.msg, want);
    na_config_free(&c);
    free(text);

    /* jansson counts objects and arrays alike: the top-level object and 1024
     * levels of {"any":[ make 2049, and the parser stops at that '[' */
    text = nested("{\"authorized\":", 10000, "}");
    CHECK_EQ_INT(load(text, &c, &e, &path), NA_E_CONFIG);
    snprintf(want, sizeof want, "config %s:1:%zu: nested too deeply", path,
             strlen("{\"authorized\":") + 1024 * strlen("{\"any\":["));
    CHECK_EQ_STR(e.msg, want);
    CHECK(c.authorized == NULL);
    na_config_free(&c);
    free(text);
}

static void test_io_errors(void)
{
    na_config c;
    na_err e;
    na_config_init(&c);
    CHECK_EQ_INT(na_config_load_file(&c, "/nonexistent/na-unit.json", &e), -1);
    CHECK_EQ_INT(e.code, NA_E_IO);
    CHECK(strstr(e.msg, "/nonexistent/na-unit.json") != NULL);
    na_config_free(&c);
    na_config_init(&c);
    CHECK_EQ_INT(na_config_load_file(&c, "/tmp", &e), -1); /* a directory */
    CHECK_EQ_INT(e.code, NA_E_IO);
    na_config_free(&c);
    if (geteuid() != 0) { /* root reads anything */
        const char *p = TMP("{}");
        chmod(p, 0);
        na_config_init(&c);
        CHECK_EQ_INT(na_config_load_file(&c, p, &e), -1);
        CHECK_EQ_INT(e.code, NA_E_IO);
        na_config_free(&c);
    }
    /* Larger than NA_CONFIG_MAX_BYTES: refused as a mistake. */
    char *big = malloc(NA_CONFIG_MAX_BYTES + 2);
    memset(big, ' ', NA_CONFIG_MAX_BYTES + 1);
    big[0] = '{';
    big[NA_CONFIG_MAX_BYTES] = '}';
    const char *p = tmpfile_with(big, NA_CONFIG_MAX_BYTES + 1);
    free(big);
    na_config_init(&c);
    CHECK_EQ_INT(na_config_load_file(&c, p, &e), -1);
    CHECK_EQ_INT(e.code, NA_E_CONFIG);
    na_config_free(&c);
}

/* The documents that list the configuration keys: README.md's table (the one
 * headed "| Key | Default |") and the KEYS section of the man page
 * man/nextauth-fcgi.json.5. One entry per key, with the document's line, its
 * default and (the man page) its type, as written there. */
typedef struct {
    char key[64];
    char def[128];
    char type[128];
    int ndef, ntype; /* the man page: the entry's "Default:" and "Type:" lines */
    int line;
    int seen;
} doc_key;

typedef struct {
    const char *file;
    int typed; /* each entry has one "Type:" and one "Default:" line */
    doc_key keys[64];
    size_t n;
} doc_keys;

static doc_keys readme = {.file = "README.md"};
static doc_keys manpage = {.file = "man/nextauth-fcgi.json.5", .typed = 1};

/* Copy the n bytes at s into dst (size dsize) without backticks, trimmed. */
static void cell_text(char *dst, size_t dsize, const char *s, size_t n)
{
    size_t o = 0;
    while (n > 0 && *s == ' ')
        s++, n--;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n && o + 1 < dsize; i++)
        if (s[i] != '`')
            dst[o++] = s[i];
    dst[o] = '\0';
}

/* A new entry of d for key (n bytes), or NULL when d is full. */
static doc_key *doc_add(doc_keys *d, const char *key, size_t n, int line)
{
    if (!unit_report(d->n < sizeof d->keys / sizeof d->keys[0], __FILE__, __LINE__,
                     "the document lists at most 64 keys"))
        return NULL;
    doc_key *r = &d->keys[d->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%.*s", (int)n, key);
    r->line = line;
    return r;
}

/* One table row "| keys | default | meaning |" into readme. A row may name
 * several keys ("`pages.signIn`, `pages.error`"); its default cell then lists one
 * default per key, in order, joined by ", ". Defaults are kept without their
 * backticks. */
static void readme_row(const char *row, int line)
{
    const char *c1 = row + 1, *c2 = strchr(c1, '|'), *c3 = c2 ? strchr(c2 + 1, '|') : NULL;
    if (!unit_report(c3 != NULL, __FILE__, __LINE__, "README key row has three cells")) {
        printf("    README.md:%d: %s\n", line, row);
        return;
    }
    c2++;
    size_t first = readme.n;
    for (const char *p = c1; p < c2 && (p = memchr(p, '`', (size_t)(c2 - p))) != NULL;) {
        const char *end = memchr(p + 1, '`', (size_t)(c2 - p - 1));
        if (end == NULL || doc_add(&readme, p + 1, (size_t)(end - p - 1), line) == NULL)
            break;
        p = end + 1;
    }
    /* the default cell: the whole of it, or with several keys one part per key */
    const char *d = c2;
    for (size_t i = first; i < readme.n; i++) {
        const char *end = i + 1 < readme.n ? strstr(d, ", ") : NULL;
        if (end == NULL || end > c3)
            end = c3;
        cell_text(readme.keys[i].def, sizeof readme.keys[i].def, d, (size_t)(end - d));
        d = end < c3 ? end + 2 : c3;
    }
}

/* Read README.md (the tests run from the repository root). Returns the keys found. */
static size_t read_readme(void)
{
    FILE *f = fopen(readme.file, "r");
    if (!unit_report(f != NULL, __FILE__, __LINE__, "README.md opens (run from the repository root)"))
        return 0;
    char row[2048];
    int line = 0, in_table = 0;
    readme.n = 0;
    while (fgets(row, sizeof row, f) != NULL) {
        line++;
        row[strcspn(row, "\n")] = '\0';
        if (strncmp(row, "| Key | Default |", 17) == 0) {
            in_table = 1;
        } else if (in_table && strncmp(row, "|---", 4) == 0) {
            continue;
        } else if (in_table && row[0] == '|') {
            readme_row(row, line);
        } else if (in_table) {
            break;
        }
    }
    fclose(f);
    return readme.n;
}

/* The text after a "Type: " or "Default: " prefix into dst, without the final
 * '.', and one more such line counted in *count. */
static void man_field(char *dst, size_t dsize, const char *text, int *count)
{
    size_t n = strlen(text);
    if (n > 0 && text[n - 1] == '.')
        n--;
    snprintf(dst, dsize, "%.*s", (int)n, text);
    (*count)++;
}

/* Read the man page's KEYS section (mdoc): its outermost list (.Bl … .El) has
 * one entry per key, ".It Cm <full.dotted.path>", whose text has a line
 * "Type: <type>." and a line "Default: <default>." (lists nested in an entry
 * are its own: not keys). Returns the keys found. */
static size_t read_manpage(void)
{
    FILE *f = fopen(manpage.file, "r");
    if (!unit_report(f != NULL, __FILE__, __LINE__,
                     "man/nextauth-fcgi.json.5 opens (run from the repository root)"))
        return 0;
    char row[2048];
    int line = 0, in_keys = 0, depth = 0;
    doc_key *cur = NULL;
    manpage.n = 0;
    while (fgets(row, sizeof row, f) != NULL) {
        line++;
        row[strcspn(row, "\n")] = '\0';
        if (strncmp(row, ".Sh ", 4) == 0) {
            in_keys = strcmp(row + 4, "KEYS") == 0;
            cur = NULL;
        } else if (!in_keys) {
            continue;
        } else if (strncmp(row, ".Bl ", 4) == 0) {
            depth++;
        } else if (strcmp(row, ".El") == 0) {
            depth--;
            cur = NULL;
        } else if (depth == 1 && strncmp(row, ".It", 3) == 0) {
            const char *k = row + 7;
            size_t n = strcspn(k, " ");
            if (!unit_report(strncmp(row, ".It Cm ", 7) == 0 && n > 0 && k[n] == '\0',
                             __FILE__, __LINE__, "a key's entry is \".It Cm <path>\"")) {
                printf("    %s:%d: %s\n", manpage.file, line, row);
                cur = NULL;
                continue;
            }
            cur = doc_add(&manpage, k, n, line);
        } else if (depth == 1 && cur != NULL && strncmp(row, "Type: ", 6) == 0) {
            man_field(cur->type, sizeof cur->type, row + 6, &cur->ntype);
        } else if (depth == 1 && cur != NULL && strncmp(row, "Default: ", 9) == 0) {
            man_field(cur->def, sizeof cur->def, row + 9, &cur->ndef);
        }
    }
    fclose(f);
    CHECK_EQ_INT(depth, 0);
    return manpage.n;
}

static doc_key *doc_find(doc_keys *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->keys[i].key, key) == 0)
            return &d->keys[i];
    return NULL;
}

/* A key's default as the documents write it, from a config fresh from
 * na_config_init: the value of a bool, a number in its bounds, a page, or the
 * format; NULL where the default is a rule rather than a value (useSecureCookies
 * "from url", jwt.maxAge "session.maxAge") or a list. */
static const char *default_text(const config_key *k, const na_config *c, char *buf, size_t n)
{
    const char *at = (const char *)c + k->offset;
    switch (k->type) {
    case KEY_BOOL:
        return *(const int *)at == 1 ? "true" : *(const int *)at == 0 ? "false" : NULL;
    case KEY_LONG:
        if (*(const long *)at < k->min || *(const long *)at > k->max)
            return NULL;
        snprintf(buf, n, "%ld", *(const long *)at);
        return buf;
    case KEY_PAGE:
        return at;
    case KEY_PARSE:
        if (k->parse == parse_format)
            return na_keys_format_name(c->format);
        if (k->parse == parse_base_path) {
            snprintf(buf, n, "\"%s\"", c->base_path);
            return buf;
        }
        return NULL;
    case KEY_OBJECT:
    case KEY_STRING:
        break;
    }
    return NULL;
}

/* A key's type as the man page writes it: "boolean", "integer, <min> to <max>",
 * "string"; NULL for the keys whose parser checks more (their text is free). */
static const char *type_text(const config_key *k, char *buf, size_t n)
{
    switch (k->type) {
    case KEY_BOOL:
        return "boolean";
    case KEY_LONG:
        snprintf(buf, n, "integer, %ld to %ld", k->min, k->max);
        return buf;
    case KEY_STRING:
    case KEY_PAGE:
        return "string";
    case KEY_OBJECT:
    case KEY_PARSE:
        break;
    }
    return NULL;
}

/* Every key of table (and its sub-tables) in the document d and the other way
 * round; a row's path is its object's path and one name. Returns the keys
 * checked. */
static size_t check_table(const config_key *table, const char *parent, const na_config *init,
                          doc_keys *d, size_t *defaults)
{
    size_t n = 0;
    for (const config_key *k = table; k->path != NULL; k++) {
        size_t pl = strlen(parent);
        int ok = unit_report(strncmp(k->path, parent, pl) == 0 &&
                                 (pl == 0 || k->path[pl] == '.') &&
                                 strchr(k->path + pl + (pl > 0), '.') == NULL,
                             __FILE__, __LINE__, "a row's path is its object's and one name");
        if (!ok)
            printf("    %s in %s\n", k->path, parent[0] ? parent : "the top level");
        if (k->type == KEY_OBJECT) {
            CHECK(k->sub != NULL);
            n += check_table(k->sub, k->path, init, d, defaults);
            continue;
        }
        n++;
        doc_key *r = doc_find(d, k->path);
        if (!unit_report(r != NULL && r->seen++ == 0, __FILE__, __LINE__,
                         "the loader's key is in the document, once"))
            printf("    %s: key %s%s\n", d->file, k->path, r ? " is there twice" : " is missing");
        if (r == NULL)
            continue;
        if (d->typed && !unit_report(r->ntype == 1 && r->ndef == 1, __FILE__, __LINE__,
                                     "the key's entry has one Type: and one Default: line"))
            printf("    %s:%d: %s\n", d->file, r->line, r->key);
        char buf[NA_PAGE_MAX + 2], tbuf[80];
        const char *want = default_text(k, init, buf, sizeof buf);
        if (want != NULL) {
            (*defaults)++;
            if (!unit_eq_str(r->def, want, __FILE__, __LINE__, "documented default"))
                printf("    %s:%d: %s\n", d->file, r->line, r->key);
        }
        const char *type = d->typed ? type_text(k, tbuf, sizeof tbuf) : NULL;
        if (type != NULL && !unit_eq_str(r->type, type, __FILE__, __LINE__, "documented type"))
            printf("    %s:%d: %s\n", d->file, r->line, r->key);
    }
    return n;
}

/* The document d (read into it) and the loader's table cannot drift apart: the
 * same key paths both ways, and the defaults that are plain values (and, in
 * the man page, the types and bounds). */
static void check_doc(doc_keys *d)
{
    na_config init;
    na_config_init(&init);
    size_t defaults = 0;
    size_t n = check_table(root_keys, "", &init, d, &defaults);
    for (size_t i = 0; i < d->n; i++)
        if (!unit_report(d->keys[i].seen == 1, __FILE__, __LINE__,
                         "the document's key is one the loader knows, once"))
            printf("    %s:%d: %s\n", d->file, d->keys[i].line, d->keys[i].key);
    CHECK_EQ_INT(d->n, n);
    CHECK(defaults >= 8); /* the plain values: format, numbers, booleans, pages, basePath */
    na_config_free(&init);
}

static void test_readme_keys(void)
{
    if (read_readme() > 0)
        check_doc(&readme);
}

/* man/nextauth-fcgi.json.5 lists every key with its type and default. */
static void test_manpage_keys(void)
{
    if (read_manpage() > 0)
        check_doc(&manpage);
}

int main(void)
{
    clear_env();
    RUN(test_defaults);
    RUN(test_every_key);
    RUN(test_token_cache_key);
    RUN(test_unknown_keys);
    RUN(test_database_keys);
    RUN(test_wrong_types);
    RUN(test_guard_keys);
    RUN(test_identity_names);
    RUN(test_warnings);
    RUN(test_matcher_notices);
    RUN(test_bad_json);
    RUN(test_secret_file);
    RUN(test_placeholders_and_caps);
    RUN(test_env);
    RUN(test_env_secret_file);
    RUN(test_split_problem);
    RUN(test_check);
    RUN(test_cookie_names);
    RUN(test_authorized_depth);
    RUN(test_io_errors);
    RUN(test_readme_keys);
    RUN(test_manpage_keys);
    for (size_t i = 0; i < npaths; i++)
        unlink(paths[i]);
    return unit_done();
}
