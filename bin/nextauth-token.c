/* SPDX-License-Identifier: MIT */
/* nextauth-token — decode, check, mint and inspect NextAuth session tokens from the
 * command line, and test the configuration the FastCGI programs read (check). A
 * thin program: every rule lives in lib/. Exit codes: 0 success, 1 invalid or
 * missing token, 2 usage or configuration error. */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "authz.h"
#include "b64url.h"
#include "config.h"
#include "cookie.h"
#include "dburl.h"
#include "guard.h"
#include "json.h"
#include "jws.h"
#include "log.h"
#include "matcher.h"
#include "source.h"
#include "store.h"
#include "timefmt.h"
#include "token.h"

#ifndef NA_VERSION
#define NA_VERSION "unknown"
#endif

static const char usage[] =
    "Usage: nextauth-token COMMAND [OPTIONS] [ARG]\n"
    "\n"
    "Commands:\n"
    "  decode [--format F] [--secret S] [--salt NAME] [--now UNIX] TOKEN\n"
    "      Verify TOKEN ('-': read it from standard input) and print its claims as\n"
    "      compact JSON.\n"
    "  get [--format F] [--cookie HEADER] [--authorization HEADER] [--secure]\n"
    "      [--cookie-name NAME] [--now UNIX]\n"
    "      What getToken() finds in a request with these headers: the session cookie\n"
    "      (chunks joined), else an 'Authorization: Bearer' token; prints the claims.\n"
    "      HEADER '-' reads that header from standard input.\n"
    "  encode [--format F] [--max-age SECONDS] [--now UNIX] [--salt NAME] CLAIMS_JSON\n"
    "      Mint a token for the claims object ('-': read it from standard input),\n"
    "      with iat, exp and a fresh jti, as NextAuth's encode() does.\n"
    "  revoke TOKEN\n"
    "      Database sessions: delete the session row of TOKEN ('-': read it from\n"
    "      standard input), as sign-out does; its next request has no session.\n"
    "  secret\n"
    "      Print a new random secret (32 random bytes, base64).\n"
    "  check [--config FILE]\n"
    "      Test the configuration nextauth-guard and nextauth-session would read\n"
    "      (the file and the environment): print the effective settings, one\n"
    "      'name: value' line each (never a secret or a database password),\n"
    "      then 'warning: ' and 'notice: ' lines, then one 'error: KEY: reason'\n"
    "      line per problem, all on standard output. Exit 0 when the programs\n"
    "      would start and serve with it, 2 otherwise. With database sessions\n"
    "      it connects and checks the tables, as they do at start.\n"
    "\n"
    "With database sessions (session.strategy \"database\" in the configuration),\n"
    "get reads the session cookie's row and prints the claims the guard sees:\n"
    "sub, name, email, picture, exp and the configured database.claims.\n"
    "\n"
    "Options:\n"
    "  --config FILE     configuration file (default: $NEXTAUTH_CONFIG, else none)\n"
    "  --format F        next-auth-v4 (default), authjs-v5 or jws\n"
    "  --secret S        the secret (default: the config's, else $NEXTAUTH_SECRET,\n"
    "                    else $AUTH_SECRET, else the file $NEXTAUTH_SECRET_FILE);\n"
    "                    prefer the environment: arguments are visible to other\n"
    "                    users in the process list\n"
    "  --salt NAME       key-derivation salt (v5: the cookie name by default)\n"
    "  --now UNIX        judge expiry at this time instead of the clock\n"
    "  --max-age SECONDS lifetime of an encoded token (default: the config's\n"
    "                    session.maxAge, 2592000 = 30 days)\n"
    "  --secure          use the __Secure- cookie name\n"
    "  --cookie-name N   session cookie name\n"
    "  -h, --help        this text\n"
    "  --version         print the version\n"
    "\n"
    "Exit status: 0 success, 1 invalid or missing token, 2 usage or configuration\n"
    "error. A failure prints one line 'nextauth-token: <reason>' on standard error;\n"
    "tokens and secrets are never printed there.\n";

enum { EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* One line, whatever a config key or a file name holds: control bytes as '?'. */
static void one_line(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    one_line(line);
    fprintf(stderr, "nextauth-token: %s\n", line);
    return code;
}

/* Read all of standard input (at most cap bytes, not counting one trailing "\n"
 * or "\r\n", which is dropped) into a new NUL-terminated buffer. Returns NULL
 * (with *toolong set when that was why). */
static char *read_stdin(size_t cap, size_t *len, int *toolong)
{
    /* room for the cap, a CRLF, and one byte more to tell "too long" */
    size_t room = cap + 3;
    char *buf = malloc(room + 1);
    size_t n = 0;
    *toolong = 0;
    if (buf == NULL)
        return NULL;
    while (n < room) {
        size_t r = fread(buf + n, 1, room - n, stdin);
        if (r == 0)
            break;
        n += r;
    }
    if (ferror(stdin)) {
        free(buf);
        return NULL;
    }
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (n > cap) {
        free(buf);
        *toolong = 1;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* 1 when s is a short word (a-z, 0-9, '-') that may be quoted back: a
 * mistyped command or format, never a token or secret put in the wrong place. */
static int is_word(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++)
        if (n == 24 || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
                         s[n] == '-'))
            return 0;
    return n > 0;
}

static int parse_long(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

struct opts {
    const char *config, *format, *secret, *salt, *cookie, *authorization, *cookie_name;
    long long now, max_age;
    int have_now, have_max_age, secure;
};

static int print_claims(json_t *claims)
{
    char *s = na_json_dumps_js(claims);
    if (s == NULL)
        return fail(EXIT_INVALID, "out of memory");
    puts(s);
    free(s);
    return 0;
}

/* Fetch an argument that may be '-' for standard input. *stdin_used guards against
 * two arguments both wanting it. Returns the text (owned in *owned when read). */
static const char *arg_or_stdin(const char *arg, size_t cap, const char *what, size_t *len,
                                char **owned, int *stdin_used, int *rc)
{
    *owned = NULL;
    if (strcmp(arg, "-") != 0) {
        *len = strlen(arg);
        return arg;
    }
    if ((*stdin_used)++) {
        *rc = fail(EXIT_USAGE, "only one argument can be read from standard input");
        return NULL;
    }
    int toolong;
    *owned = read_stdin(cap, len, &toolong);
    if (*owned == NULL)
        *rc = toolong ? fail(EXIT_INVALID, "%s longer than %zu bytes", what, cap)
                      : fail(EXIT_USAGE, "cannot read %s from standard input", what);
    return *owned;
}

static int cmd_secret(void)
{
    unsigned char raw[32];
    char out[4 * ((sizeof raw + 2) / 3) + 1];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return fail(EXIT_USAGE, "random generator failed");
    na_b64url_encode_std(raw, sizeof raw, out);
    puts(out);
    OPENSSL_cleanse(raw, sizeof raw);
    OPENSSL_cleanse(out, sizeof out);
    return 0;
}

/* get and revoke on database sessions (store.h). */
static int run_database(const char *cmd, struct opts *o, char **argv, const na_config *cfg)
{
    na_source src;
    na_err err;
    char *owned = NULL;
    int rc = 0, stdin_used = 0;
    int revoke = strcmp(cmd, "revoke") == 0;

    if (cfg->strategy != NA_STRATEGY_DATABASE)
        return fail(EXIT_USAGE, "revoke needs database sessions (session.strategy "
                                "\"database\"): a JWT session lasts until its exp");
    if (o->authorization)
        return fail(EXIT_USAGE, "database sessions are read from the cookie only: no "
                                "--authorization");
    if (na_source_init(&src, cfg, revoke ? 0 : NA_SOURCE_READ_ONLY, &err) < 0)
        return fail(EXIT_USAGE, "%s", err.msg);
    if (src.store == NULL) {
        rc = fail(EXIT_USAGE, "%s", src.unavailable.msg);
        goto out;
    }
    if (revoke) {
        size_t len;
        const char *tok = arg_or_stdin(argv[0], NA_OPAQUE_TOKEN_MAX, "token", &len, &owned,
                                       &stdin_used, &rc);
        if (tok == NULL)
            goto out;
        int got = na_store_delete(src.store, tok, len, &err);
        if (got < 0)
            rc = fail(EXIT_USAGE, "%s", err.msg);
        else if (got == 0)
            rc = fail(EXIT_INVALID, "no session has that token");
        goto out;
    }
    size_t clen = 0;
    const char *cookie = NULL;
    if (o->cookie && (cookie = arg_or_stdin(o->cookie, NA_COOKIE_HEADER_MAX, "Cookie header",
                                            &clen, &owned, &stdin_used, &rc)) == NULL)
        goto out;
    long long now_ms = o->have_now ? o->now * 1000 : na_timefmt_now_ms();
    na_source_req rq = {.cookie = cookie, .cookie_len = clen};
    na_source_result ss;
    switch (na_source_find(&src, &rq, now_ms, 0, &ss)) {
    case NA_SOURCE_FOUND:
        rc = print_claims(ss.claims);
        break;
    case NA_SOURCE_ERROR:
        rc = fail(EXIT_USAGE, "%s", ss.err.msg);
        break;
    default:
        rc = fail(EXIT_INVALID, "%s", ss.err.msg);
        break;
    }
    na_source_done(&src, &ss);
out:
    free(owned);
    na_source_free(&src);
    return rc;
}

static int run(const char *cmd, struct opts *o, int argc, char **argv)
{
    na_config cfg;
    na_verifier v;
    na_err err;
    json_t *claims = NULL;
    char *owned1 = NULL, *owned2 = NULL;
    int rc = 0, stdin_used = 0;

    na_err_clear(&err);
    memset(&v, 0, sizeof v);
    int want_args = strcmp(cmd, "get") == 0 ? 0 : 1;
    if (argc != want_args)
        return fail(EXIT_USAGE, "%s takes %s (see --help)", cmd,
                    want_args ? "exactly one argument" : "no argument");
    if (strcmp(cmd, "get") != 0 && (o->cookie || o->authorization || o->secure ||
                                    o->cookie_name))
        return fail(EXIT_USAGE, "--cookie, --authorization, --secure and --cookie-name go "
                                "with get");
    if (strcmp(cmd, "encode") != 0 && o->have_max_age)
        return fail(EXIT_USAGE, "--max-age goes with encode");

    if (na_config_load(&cfg, o->config, &err) < 0)
        return fail(EXIT_USAGE, "%s", err.msg);
    if (o->format && na_keys_format_parse(o->format, &cfg.format) < 0) {
        rc = is_word(o->format)
                 ? fail(EXIT_USAGE, "unknown format '%s' (next-auth-v4, authjs-v5 or jws)",
                        o->format)
                 : fail(EXIT_USAGE, "unknown format (next-auth-v4, authjs-v5 or jws)");
        goto out;
    }
    if (o->secret && na_config_set_secret(&cfg, o->secret, "--secret", &err) < 0) {
        rc = fail(EXIT_USAGE, "%s", err.msg);
        goto out;
    }
    if (o->secure)
        cfg.use_secure_cookies = 1;
    if (o->cookie_name) {
        free(cfg.cookie_name);
        cfg.cookie_name = strdup(o->cookie_name);
    }
    if (strcmp(cmd, "revoke") == 0 || (strcmp(cmd, "get") == 0 &&
                                       cfg.strategy == NA_STRATEGY_DATABASE)) {
        rc = run_database(cmd, o, argv, &cfg);
        goto out;
    }
    if (na_source_token_init(&v, &cfg, o->salt, &err) < 0) {
        rc = fail(EXIT_USAGE, "%s", err.msg);
        goto out;
    }
    long long now = o->have_now ? o->now : (long long)time(NULL);

    if (strcmp(cmd, "decode") == 0) {
        size_t len;
        const char *tok = arg_or_stdin(argv[0], NA_TOKEN_MAX, "token", &len, &owned1,
                                       &stdin_used, &rc);
        if (tok == NULL)
            goto out;
        if (na_token_decode(&v, tok, len, now, &claims, &err) < 0) {
            rc = fail(EXIT_INVALID, "%s", err.msg);
            goto out;
        }
        rc = print_claims(claims);
    } else if (strcmp(cmd, "get") == 0) {
        size_t clen = 0, alen = 0;
        const char *cookie = NULL, *authz = NULL;
        if (o->cookie && (cookie = arg_or_stdin(o->cookie, NA_COOKIE_HEADER_MAX,
                                                "Cookie header", &clen, &owned1,
                                                &stdin_used, &rc)) == NULL)
            goto out;
        if (o->authorization &&
            (authz = arg_or_stdin(o->authorization, NA_TOKEN_MAX + 64,
                                  "Authorization header", &alen, &owned2, &stdin_used,
                                  &rc)) == NULL)
            goto out;
        int r = na_token_get(&v, cookie, clen, authz, alen, now, &claims, NULL, &err);
        if (r <= 0) {
            rc = fail(EXIT_INVALID, "%s", err.msg);
            goto out;
        }
        rc = print_claims(claims);
    } else { /* encode */
        size_t len;
        const char *text = arg_or_stdin(argv[0], NA_TOKEN_MAX, "claims", &len, &owned1,
                                        &stdin_used, &rc);
        if (text == NULL)
            goto out;
        json_error_t jerr;
        claims = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (claims == NULL) {
            /* where and what kind, never jerr.text: it quotes the claims */
            rc = fail(EXIT_USAGE, "CLAIMS_JSON must be a JSON object: %s at line %d, "
                                  "column %d (byte %d)",
                      na_config_json_problem(json_error_code(&jerr)), jerr.line, jerr.column,
                      jerr.position);
            goto out;
        }
        if (!json_is_object(claims)) {
            rc = fail(EXIT_USAGE, "CLAIMS_JSON must be a JSON object");
            goto out;
        }
        long max_age = o->have_max_age ? (long)o->max_age : v.max_age;
        char *tok = na_token_encode(&v, claims, max_age, now, &err);
        if (tok == NULL) {
            rc = fail(EXIT_USAGE, "%s", err.msg);
            goto out;
        }
        puts(tok);
        free(tok);
    }
out:
    json_decref(claims);
    free(owned1);
    free(owned2);
    na_token_free(&v);
    na_config_free(&cfg);
    return rc;
}

/* ---- check: the configuration the FastCGI programs would read ------------ */

/* What check gathers before it prints: the start-up lines the programs would
 * log, and the problems. */
struct check {
    char **warn, **err;
    size_t nwarn, nerr;
    int nomem;
    int file_failed; /* the config file could not be read or parsed */
    int secret_bad;  /* a problem of a secret key: "no secret" would only repeat it */
    int db_bad;      /* a problem of database.* or session.strategy: no connecting */
};

static void add_line(struct check *c, char ***list, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_line(struct check *c, char ***list, size_t *n, const char *fmt, ...)
{
    char line[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    one_line(line);
    char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    char *copy = strdup(line);
    if (grown != NULL)
        *list = grown;
    if (grown == NULL || copy == NULL) {
        free(copy);
        c->nomem = 1;
        return;
    }
    (*list)[(*n)++] = copy;
}

/* na_config_report: one problem of the configuration. */
static void check_problem(void *ctx, const char *key, const char *msg)
{
    struct check *c = ctx;
    if (strcmp(key, "config") == 0 && strcmp(msg, "unknown key") != 0) /* not {"config":…} */
        c->file_failed = 1;
    if (strncmp(key, "secret", 6) == 0 || strcmp(key, "NEXTAUTH_SECRET_FILE") == 0)
        c->secret_bad = 1;
    if (strncmp(key, "database", 8) == 0 || strcmp(key, "session.strategy") == 0)
        c->db_bad = 1;
    add_line(c, &c->err, &c->nerr, "error: %s: %s", key, msg);
}

/* A problem found past the loader, named by its message or else by fallback. */
static void check_later(struct check *c, const char *fallback, const char *msg)
{
    char key[128];
    const char *rest = na_config_split_problem(msg, fallback, key, sizeof key);
    check_problem(c, key, rest);
}

/* The session store's problem at start: named database.url, whatever it is
 * (the url, the connection, a table or column the message names). */
static void check_database(struct check *c, const na_err *err)
{
    char key[128];
    const char *rest = na_config_split_problem(err->msg, "database.url", key, sizeof key);
    if (strncmp(rest, "database: ", 10) == 0)
        rest += 10;
    check_problem(c, "database.url", rest);
}

/* na_log_sink: the start-up lines (warning: …, notice: …), without the
 * program's name. */
static void check_log(void *ctx, const char *line)
{
    static const char prog[] = "nextauth-token: ";
    struct check *c = ctx;
    if (strncmp(line, prog, sizeof prog - 1) == 0)
        line += sizeof prog - 1;
    add_line(c, &c->warn, &c->nwarn, "%s", line);
}

/* One "name: value" line. */
static void show(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void show(const char *name, const char *fmt, ...)
{
    char v[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    one_line(v);
    printf("%s: %s\n", name, v);
}

/* v (a reference, taken) as compact JSON, or none when v is NULL. */
static void show_json(const char *name, json_t *v, const char *none)
{
    char *text = v != NULL ? na_json_dumps_js(v) : NULL;
    show(name, "%s", text != NULL ? text : none);
    free(text);
    json_decref(v);
}

/* {k[0]: v[0], …} (n pairs), or NULL when n is 0. */
static json_t *pairs(char *const *k, char *const *v, size_t n)
{
    json_t *o = n > 0 ? json_object() : NULL;
    for (size_t i = 0; o != NULL && i < n; i++)
        json_object_set_new(o, k[i], json_string(v[i]));
    return o;
}

/* The patterns of l as written, a JSON array. */
static json_t *patterns(const na_patterns *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < l->n; i++)
        json_array_append_new(a, json_string(na_matcher_source(l->items[i])));
    return a;
}

static const char *yes_no(int b)
{
    return b ? "true" : "false";
}

static void show_settings(const na_config *cfg, const na_guard *g)
{
    char buf[NA_MAX_SECRETS * 12 + 1] = "";
    show("secret.source", "%s", cfg->secret_source ? cfg->secret_source : "none");
    if (cfg->secret_file != NULL)
        show("secret.file", "%s", cfg->secret_file);
    show("secret.count", "%zu", cfg->nsecrets);
    for (size_t i = 0, o = 0; i < cfg->nsecrets; i++) /* lengths only, never a byte of it */
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%zu", i ? " " : "", cfg->secret_lens[i]);
    if (cfg->nsecrets > 0)
        show("secret.lengths", "%s", buf);
    show("session.strategy", "%s", cfg->strategy == NA_STRATEGY_DATABASE ? "database" : "jwt");
    show("session.maxAge", "%ld", cfg->session_max_age);
    show("session.updateAge", "%ld", cfg->session_update_age);
    show_json("session.expose", pairs(cfg->expose_key, cfg->expose_claim, cfg->nexpose), "none");
    show("jwt.format", "%s", na_keys_format_name(cfg->format));
    if (cfg->format == NA_FMT_JWS) {
        static const struct {
            unsigned bit;
            const char *name;
        } algs[] = {{NA_ALG_HS256, "HS256"}, {NA_ALG_HS384, "HS384"}, {NA_ALG_HS512, "HS512"}};
        for (size_t i = 0, o = 0; i < sizeof algs / sizeof algs[0]; i++)
            if (cfg->algorithms & algs[i].bit)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? " " : "", algs[i].name);
        show("jwt.algorithms", "%s", buf);
    }
    show("jwt.clockTolerance", "%ld", cfg->clock_tolerance);
    show("jwt.requireExp", "%s", yes_no(cfg->require_exp));
    show("jwt.maxAge", "%ld", na_config_token_max_age(cfg));
    show("url", "%s", cfg->url ? cfg->url : "none");
    if (g != NULL) {
        show("url.origin", "%s", g->url.origin[0] ? g->url.origin : "none");
        show("url.authPath", "%s", g->url.path);
    }
    show("useSecureCookies", "%s", yes_no(na_config_secure(cfg)));
    show("cookies.sessionToken", "%s", na_config_cookie_name(cfg));
    show("cookies.callbackUrl", "%s", na_config_callback_cookie_name(cfg));
    show("cookies.csrfToken", "%s", na_config_csrf_cookie_name(cfg));
    show("basePath", "%s", cfg->base_path[0] ? cfg->base_path : "none");
    show("pages.signIn", "%s", cfg->sign_in);
    show("pages.error", "%s", cfg->error_page);
    show_json("matcher", cfg->has_matcher ? patterns(&cfg->matcher) : NULL, "every path");
    show_json("api", patterns(&cfg->api), "[]");
    show_json("authorized", cfg->authorized ? na_authz_json(cfg->authorized) : NULL,
              "any session");
    show("rules", "%zu", cfg->nrules);
    for (size_t i = 0; i < cfg->nrules; i++) {
        char name[48];
        snprintf(name, sizeof name, "rules[%zu].matcher", i);
        show_json(name, patterns(&cfg->rules[i].matcher), "[]");
        snprintf(name, sizeof name, "rules[%zu].authorized", i);
        show_json(name, cfg->rules[i].authorized ? na_authz_json(cfg->rules[i].authorized)
                                                 : NULL, "none");
    }
    show_json("identity", pairs(cfg->identity_var, cfg->identity_claim, cfg->nidentity), "none");
    show("tokenCache", "%ld", cfg->token_cache);
}

static void show_database(const na_config *cfg, const char *status)
{
    static char url[4096];
    na_store_names n = {
        .session_table = cfg->db_session_table, .user_table = cfg->db_user_table,
        .token = cfg->db_token, .user_id = cfg->db_user_id, .expires = cfg->db_expires,
        .updated_at = cfg->db_updated_at, .id = cfg->db_id, .name = cfg->db_name,
        .email = cfg->db_email, .image = cfg->db_image,
    };
    na_store_default_names((na_adapter)cfg->db_adapter, &n);
    show("database.adapter", "%s", na_store_adapter_name((na_adapter)cfg->db_adapter));
    if (cfg->db_url == NULL)
        show("database.url", "none");
    else if (na_dburl_shown(cfg->db_url, url, sizeof url) == 0)
        show("database.url", "%s", url);
    else
        show("database.url", "(not shown: not a connection string libpq reads)");
    show("database.tables.session", "%s", n.session_table);
    show("database.tables.user", "%s", n.user_table);
    show("database.columns.sessionToken", "%s", n.token);
    show("database.columns.userId", "%s", n.user_id);
    show("database.columns.expires", "%s", n.expires);
    show("database.columns.updatedAt", "%s", n.updated_at ? n.updated_at : "none");
    show("database.columns.id", "%s", n.id);
    show("database.columns.name", "%s", n.name);
    show("database.columns.email", "%s", n.email);
    show("database.columns.image", "%s", n.image);
    show_json("database.claims", pairs(cfg->db_claim_name, cfg->db_claim_column,
                                       cfg->ndb_claims), "none");
    show("database.timeoutMs", "%ld", cfg->db_timeout_ms);
    show("database.cacheSeconds", "%ld", cfg->db_cache_seconds);
    show("database.status", "%s", status);
    OPENSSL_cleanse(url, sizeof url);
}

/* The guard reads the cookie the browser keeps: a url and a useSecureCookies
 * that disagree leave it looking for a name the browser does not send. */
static void check_secure(struct check *c, const na_config *cfg)
{
    if (cfg->use_secure_cookies < 0 || cfg->url == NULL || cfg->cookie_name != NULL)
        return;
    int https = strncmp(cfg->url, "https://", 8) == 0;
    if (cfg->use_secure_cookies && !https)
        add_line(c, &c->warn, &c->nwarn, "warning: useSecureCookies is true but url is not "
                 "https://: a browser keeps the __Secure- session cookie (%s) from https:// "
                 "pages only", na_config_cookie_name(cfg));
    else if (!cfg->use_secure_cookies && https)
        add_line(c, &c->warn, &c->nwarn, "warning: useSecureCookies is false but url is "
                 "https://: the guard reads %s, while next-auth writes the __Secure- name "
                 "unless the Next.js app sets useSecureCookies false too",
                 na_config_cookie_name(cfg));
}

/* The steps of the programs' start (app.h: na_app_load) with every problem
 * listed instead of the first: the configuration, the session source (read
 * only, as the guard opens it: nothing is written), the guard. */
static int cmd_check(const struct opts *o, int argc)
{
    struct check c;
    na_config cfg;
    na_source src;
    na_guard g;
    na_err err;
    int have_g = 0, rc = 0;
    const char *status = "not tried";

    if (argc != 0)
        return fail(EXIT_USAGE, "check takes no argument (see --help)");
    if (o->format || o->secret || o->salt || o->cookie || o->authorization || o->cookie_name ||
        o->secure || o->have_now || o->have_max_age)
        return fail(EXIT_USAGE, "check takes --config only: it reads what the programs read");
    memset(&c, 0, sizeof c);
    memset(&src, 0, sizeof src);
    memset(&g, 0, sizeof g);
    na_log_set_prog("nextauth-token");
    na_log_set_sink(check_log, &c);
    if (na_config_check(&cfg, o->config, check_problem, &c, &err) < 0) {
        rc = fail(EXIT_USAGE, "%s", err.msg);
        goto out;
    }
    if (!c.file_failed) {
        na_config_warn(&cfg);
        check_secure(&c, &cfg);
        if (cfg.strategy == NA_STRATEGY_DATABASE && c.db_bad) {
            status = "not tried";
        } else if (na_source_init(&src, &cfg, NA_SOURCE_READ_ONLY, &err) < 0) {
            if (cfg.strategy == NA_STRATEGY_DATABASE)
                check_database(&c, &err); /* the programs stop: the url or the schema */
            else
                check_later(&c, "secret", err.msg);
            status = "failed";
        } else if (src.database) {
            status = src.store != NULL ? "ok" : "failed";
            if (src.store == NULL) /* the programs start, and refuse sessions until it answers */
                check_database(&c, &src.unavailable);
        } else if (!src.have_v && !c.secret_bad) {
            check_problem(&c, "secret", src.no_secret);
        }
        if (na_guard_init(&g, &cfg, &src, &err) == 0)
            have_g = 1;
        else
            check_later(&c, "url", err.msg);
    }
    na_log_set_sink(NULL, NULL);
    if (c.nomem) {
        rc = fail(EXIT_USAGE, "out of memory");
        goto out;
    }
    show("config", "%s", cfg.path ? cfg.path : "built-in defaults");
    if (!c.file_failed) {
        show_settings(&cfg, have_g ? &g : NULL);
        if (cfg.strategy == NA_STRATEGY_DATABASE)
            show_database(&cfg, status);
    }
    for (size_t i = 0; i < c.nwarn; i++)
        puts(c.warn[i]);
    for (size_t i = 0; i < c.nerr; i++)
        puts(c.err[i]);
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = fail(EXIT_USAGE, "cannot write the report");
    else
        rc = c.nerr > 0 ? EXIT_USAGE : 0;
out:
    na_log_set_sink(NULL, NULL);
    for (size_t i = 0; i < c.nwarn; i++)
        free(c.warn[i]);
    for (size_t i = 0; i < c.nerr; i++)
        free(c.err[i]);
    free(c.warn);
    free(c.err);
    if (have_g)
        na_guard_free(&g);
    na_source_free(&src);
    na_config_free(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"format", required_argument, NULL, 'f'},
        {"secret", required_argument, NULL, 's'},
        {"salt", required_argument, NULL, 'S'},
        {"now", required_argument, NULL, 'n'},
        {"max-age", required_argument, NULL, 'm'},
        {"cookie", required_argument, NULL, 'C'},
        {"authorization", required_argument, NULL, 'A'},
        {"cookie-name", required_argument, NULL, 'N'},
        {"secure", no_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct opts o;
    memset(&o, 0, sizeof o);
    if (argc < 2)
        return fail(EXIT_USAGE, "no command (decode, get, encode, revoke, secret, check; see "
                                "--help)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("nextauth-token %s\n", NA_VERSION);
        return 0;
    }
    if (strcmp(cmd, "decode") != 0 && strcmp(cmd, "get") != 0 && strcmp(cmd, "encode") != 0 &&
        strcmp(cmd, "revoke") != 0 && strcmp(cmd, "secret") != 0 && strcmp(cmd, "check") != 0)
        return is_word(cmd) ? fail(EXIT_USAGE, "unknown command '%s' (decode, get, encode, "
                                               "revoke, secret, check; see --help)", cmd)
                            : fail(EXIT_USAGE, "unknown command (decode, get, encode, revoke, "
                                               "secret, check; see --help)");
    /* Options may come before or after the argument (GNU permutation). */
    int c;
    opterr = 0;
    optind = 1;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config = optarg; break;
        case 'f': o.format = optarg; break;
        case 's': o.secret = optarg; break;
        case 'S': o.salt = optarg; break;
        case 'C': o.cookie = optarg; break;
        case 'A': o.authorization = optarg; break;
        case 'N': o.cookie_name = optarg; break;
        case 'x': o.secure = 1; break;
        case 'n':
            if (parse_long(optarg, 0, 253402300799LL, &o.now) < 0)
                return fail(EXIT_USAGE, "--now takes unix seconds");
            o.have_now = 1;
            break;
        case 'm':
            if (parse_long(optarg, -100LL * 366 * 86400, 100LL * 366 * 86400, &o.max_age) < 0)
                return fail(EXIT_USAGE, "--max-age takes a number of seconds");
            o.have_max_age = 1;
            break;
        case 'h': fputs(usage, stdout); return 0;
        case 'V': printf("nextauth-token %s\n", NA_VERSION); return 0;
        default: {
            /* the option's name only: "--secrt=VALUE" must not echo the value */
            const char *a = argv[optind - 1];
            char name[41];
            size_t n = a[0] == '-' && a[1] == '-' ? strcspn(a, "=") : 2;
            if (a[0] != '-' || n >= sizeof name || (n == 2 && a[1] != optopt))
                return fail(EXIT_USAGE, "unknown option or missing value (see --help)");
            memcpy(name, a, n);
            name[n] = '\0';
            if (!is_word(name + 1))
                return fail(EXIT_USAGE, "unknown option or missing value (see --help)");
            return fail(EXIT_USAGE, "unknown option or missing value: '%s' (see --help)", name);
        }
        }
    }
    if (strcmp(cmd, "secret") == 0) {
        if (optind != argc)
            return fail(EXIT_USAGE, "secret takes no argument");
        return cmd_secret();
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(&o, argc - optind);
    return run(cmd, &o, argc - optind, argv + optind);
}
