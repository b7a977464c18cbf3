/* SPDX-License-Identifier: MIT */
/* config.c — the JSON configuration file and the environment (see config.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "jws.h"
#include "log.h"
#include "store.h"
#include "text.h"

void na_config_init(na_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->format = NA_FMT_V4;
    cfg->use_secure_cookies = -1;
    cfg->algorithms = NA_ALG_HS256;
    cfg->clock_tolerance = 15;       /* jose clockTolerance in next-auth and @auth/core */
    cfg->require_exp = 1;
    cfg->session_max_age = 2592000;  /* 30 days, next-auth's default */
    cfg->jwt_max_age = -1;
    cfg->token_cache = NA_TOKEN_CACHE_DEFAULT;
    cfg->strategy = NA_STRATEGY_UNSET;
    cfg->session_update_age = 86400; /* next-auth's updateAge: a day */
    cfg->db_adapter = NA_ADAPTER_PRISMA;
    cfg->db_timeout_ms = NA_DB_TIMEOUT_DEFAULT;
    /* withAuth's hard-coded defaults, even when NEXTAUTH_URL has another path
     * (docs/behaviour.md, Exempt paths). */
    snprintf(cfg->sign_in, sizeof cfg->sign_in, "/api/auth/signin");
    snprintf(cfg->error_page, sizeof cfg->error_page, "/api/auth/error");
}

static void drop_secrets(na_config *cfg)
{
    for (size_t i = 0; i < cfg->nsecrets; i++) {
        OPENSSL_cleanse(cfg->secrets[i], cfg->secret_lens[i]);
        free(cfg->secrets[i]);
        cfg->secrets[i] = NULL;
        cfg->secret_lens[i] = 0;
    }
    cfg->nsecrets = 0;
}

void na_config_free(na_config *cfg)
{
    drop_secrets(cfg);
    for (size_t i = 0; i < cfg->nexpose; i++) {
        free(cfg->expose_key[i]);
        free(cfg->expose_claim[i]);
    }
    for (size_t i = 0; i < cfg->nidentity; i++) {
        free(cfg->identity_var[i]);
        free(cfg->identity_claim[i]);
    }
    for (size_t i = 0; i < cfg->nrules; i++) {
        na_matcher_list_free(&cfg->rules[i].matcher);
        na_authz_free(cfg->rules[i].authorized);
    }
    free(cfg->rules);
    na_matcher_list_free(&cfg->matcher);
    na_matcher_list_free(&cfg->api);
    na_authz_free(cfg->authorized);
    for (size_t i = 0; i < cfg->nnotes; i++)
        free(cfg->notes[i]);
    free(cfg->notes);
    free(cfg->path);
    free(cfg->secret_file);
    free(cfg->url);
    free(cfg->cookie_name);
    if (cfg->db_url != NULL)
        OPENSSL_cleanse(cfg->db_url, strlen(cfg->db_url)); /* it may hold a password */
    free(cfg->db_url);
    char **names[] = {&cfg->db_session_table, &cfg->db_user_table, &cfg->db_token,
                      &cfg->db_user_id, &cfg->db_expires, &cfg->db_updated_at,
                      &cfg->db_id, &cfg->db_name, &cfg->db_email, &cfg->db_image};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        free(*names[i]);
    for (size_t i = 0; i < cfg->ndb_claims; i++) {
        free(cfg->db_claim_name[i]);
        free(cfg->db_claim_column[i]);
    }
    na_config_init(cfg);
}

/* An unexpanded "${NEXTAUTH_SECRET}" or "$AUTH_SECRET" copied from a template is
 * a secret anybody can guess: refuse it rather than sign with it. */
static int looks_like_placeholder(const char *s)
{
    if (*s++ != '$')
        return 0;
    int brace = *s == '{';
    if (brace)
        s++;
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
           (*s >= '0' && *s <= '9'))
        s++;
    if (brace && *s++ != '}')
        return 0;
    return *s == '\0';
}

static int add_secret(na_config *cfg, const char *s, size_t n, const char *where, na_err *err)
{
    if (n == 0)
        return na_err_set(err, NA_E_NO_SECRET, "%s: empty secret", where);
    if (memchr(s, '\0', n) != NULL)
        return na_err_set(err, NA_E_CONFIG, "%s: secret contains a NUL byte", where);
    if (looks_like_placeholder(s))
        return na_err_set(err, NA_E_CONFIG,
                          "%s: secret looks like an unexpanded variable (%zu bytes starting "
                          "with '$')", where, n);
    if (n > NA_MAX_SECRET_LEN)
        return na_err_set(err, NA_E_CONFIG, "%s: secret longer than %d bytes", where,
                          NA_MAX_SECRET_LEN);
    if (cfg->nsecrets == NA_MAX_SECRETS)
        return na_err_set(err, NA_E_CONFIG, "%s: more than %d secrets", where, NA_MAX_SECRETS);
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    memcpy(copy, s, n);
    copy[n] = '\0';
    cfg->secrets[cfg->nsecrets] = copy;
    cfg->secret_lens[cfg->nsecrets++] = n;
    return 0;
}

int na_config_set_secret(na_config *cfg, const char *s, const char *source, na_err *err)
{
    drop_secrets(cfg);
    if (add_secret(cfg, s, strlen(s), source, err) < 0) {
        snprintf(cfg->no_secret, sizeof cfg->no_secret, "%s is empty or unusable", source);
        return -1;
    }
    cfg->secret_source = source;
    return 0;
}

/* Read a whole small file into a new NUL-terminated buffer (caller frees), and
 * its permission bits into *mode. */
static char *slurp(const char *path, size_t *len, unsigned *mode, const char *what,
                   na_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        na_err_set(err, NA_E_IO, "%s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    *mode = fstat(fileno(f), &st) == 0 ? (unsigned)st.st_mode & 07777 : 0;
    char *buf = malloc(NA_CONFIG_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, NA_CONFIG_MAX_BYTES + 1, f) : 0;
    int bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        na_err_set(err, buf ? NA_E_IO : NA_E_NOMEM, "%s %s: cannot read", what, path);
        return NULL;
    }
    if (n > NA_CONFIG_MAX_BYTES) {
        OPENSSL_cleanse(buf, n);
        free(buf);
        na_err_set(err, NA_E_CONFIG, "%s %s: larger than %d bytes", what, path,
                   NA_CONFIG_MAX_BYTES);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* secretFile (and NEXTAUTH_SECRET_FILE, which what names in messages): one
 * secret per line, blank lines skipped, CR/LF stripped. */
static int load_secret_file(na_config *cfg, const char *path, const char *what, na_err *err)
{
    size_t len;
    char *buf = slurp(path, &len, &cfg->secret_file_mode, what, err);
    if (buf == NULL)
        return -1;
    free(cfg->secret_file);
    if ((cfg->secret_file = strdup(path)) == NULL) {
        OPENSSL_cleanse(buf, len);
        free(buf);
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    }
    int rc = 0;
    char where[64];
    size_t line = 0;
    char *p = buf, *end = buf + len;
    while (p < end && rc == 0) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        size_t n = (size_t)(eol - p);
        line++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > 0) {
            p[n] = '\0'; /* buf has a spare byte past the end */
            snprintf(where, sizeof where, "%s line %zu", what, line);
            rc = add_secret(cfg, p, n, where, err);
        }
        p = eol + 1;
    }
    if (rc == 0 && cfg->nsecrets == 0)
        rc = na_err_set(err, NA_E_NO_SECRET, "%s %s has no secret", what, path);
    OPENSSL_cleanse(buf, len);
    free(buf);
    return rc;
}

/* RFC 6265 §4.1.1 cookie-name = token (RFC 9110 §5.6.2): no CTLs, spaces or
 * separators, so a name can never inject into a header. */
static int valid_cookie_name(const char *s)
{
    if (*s == '\0' || strlen(s) > NA_COOKIE_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!na_text_is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

static int bad_type(na_err *err, const char *key, const char *want)
{
    return na_err_set(err, NA_E_CONFIG, "key \"%s\" must be %s", key, want);
}

static int unknown_key(na_err *err, const char *prefix, const char *key)
{
    return na_err_set(err, NA_E_CONFIG, "unknown key \"%s%s\"", prefix, key);
}

/* The file names the secret (secret_source set first: should a value be refused,
 * a configuration test does not go on to the environment's). */
static int parse_secret(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    cfg->secret_source = "config secret";
    if (json_is_string(v)) {
        if (add_secret(cfg, json_string_value(v), json_string_length(v), key, err) < 0)
            return -1;
    } else if (json_is_array(v) && json_array_size(v) > 0) {
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s) {
            if (!json_is_string(s))
                return bad_type(err, key, "a string or an array of strings");
            if (add_secret(cfg, json_string_value(s), json_string_length(s), key, err) < 0)
                return -1;
        }
    } else {
        return bad_type(err, key, "a string or a non-empty array of strings");
    }
    return 0;
}

static int parse_secret_file(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    cfg->secret_source = "config secretFile";
    if (!json_is_string(v))
        return bad_type(err, key, "a string (a path)");
    return load_secret_file(cfg, json_string_value(v), key, err);
}

static int parse_format(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    if (!json_is_string(v) || na_keys_format_parse(json_string_value(v), &cfg->format) < 0)
        return bad_type(err, key, "one of \"next-auth-v4\", \"authjs-v5\", \"jws\"");
    return 0;
}

static int parse_algorithms(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    size_t i;
    json_t *a;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return bad_type(err, key, "a non-empty array");
    cfg->algorithms = 0;
    json_array_foreach(v, i, a) {
        unsigned bit = json_is_string(a) ? na_jws_alg_parse(json_string_value(a)) : 0;
        if (bit == 0)
            return bad_type(err, key, "an array of \"HS256\", \"HS384\", \"HS512\"");
        cfg->algorithms |= bit;
    }
    return 0;
}

/* One session.expose entry (path: the config key, for errors). */
static int add_expose(na_config *cfg, const char *path, const char *key, const char *claim,
                      na_err *err)
{
    if (*key == '\0' || *claim == '\0')
        return bad_type(err, path, "non-empty names");
    if (cfg->nexpose == NA_MAX_EXPOSE)
        return na_err_set(err, NA_E_CONFIG, "key \"%s\" lists more than %d claims", path,
                          NA_MAX_EXPOSE);
    for (size_t i = 0; i < cfg->nexpose; i++)
        if (strcmp(cfg->expose_key[i], key) == 0)
            return na_err_set(err, NA_E_CONFIG, "key \"%s\" names \"%s\" twice", path, key);
    char *k = strdup(key), *c = strdup(claim);
    if (k == NULL || c == NULL) {
        free(k);
        free(c);
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    }
    cfg->expose_key[cfg->nexpose] = k;
    cfg->expose_claim[cfg->nexpose++] = c;
    return 0;
}

static int parse_strategy(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    const char *s = json_string_value(v);
    if (s != NULL && strcmp(s, "jwt") == 0)
        cfg->strategy = NA_STRATEGY_JWT;
    else if (s != NULL && strcmp(s, "database") == 0)
        cfg->strategy = NA_STRATEGY_DATABASE;
    else
        return bad_type(err, key, "\"jwt\" or \"database\"");
    return 0;
}

static int parse_adapter(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    na_adapter a;
    if (!json_is_string(v) || na_store_adapter_parse(json_string_value(v), &a) < 0)
        return bad_type(err, key, "\"prisma\", \"drizzle\", \"pg\" or \"kysely\"");
    cfg->db_adapter = (int)a;
    return 0;
}

/* A table or column name: printable ASCII without '"' (the store quotes
 * identifiers; the database's catalog decides whether they exist). */
static int valid_identifier(const char *s)
{
    if (*s == '\0' || strlen(s) > 63) /* PostgreSQL's NAMEDATALEN - 1 */
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '"')
            return 0;
    return 1;
}

static int parse_db_claims(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    const char *k;
    json_t *x;
    if (!json_is_object(v))
        return bad_type(err, key, "an object of claim name → user column");
    json_object_foreach(v, k, x) {
        if (!json_is_string(x) || !valid_identifier(json_string_value(x)) || *k == '\0')
            return bad_type(err, key, "an object of claim name → user column");
        if (cfg->ndb_claims == NA_MAX_DB_CLAIMS)
            return na_err_set(err, NA_E_CONFIG, "key \"%s\" has more than %d entries", key,
                              NA_MAX_DB_CLAIMS);
        size_t i = cfg->ndb_claims;
        cfg->db_claim_name[i] = strdup(k);
        cfg->db_claim_column[i] = strdup(json_string_value(x));
        cfg->ndb_claims++;
        if (cfg->db_claim_name[i] == NULL || cfg->db_claim_column[i] == NULL)
            return na_err_set(err, NA_E_NOMEM, "out of memory");
    }
    return 0;
}

static int parse_expose(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            if (!json_is_string(x))
                return bad_type(err, key, "an array of claim names or an object");
            if (add_expose(cfg, key, json_string_value(x), json_string_value(x), err) < 0)
                return -1;
        }
        return 0;
    }
    if (!json_is_object(v))
        return bad_type(err, key, "an array of claim names or an object");
    json_object_foreach(v, k, x) {
        if (!json_is_string(x))
            return bad_type(err, key, "an object of user key → claim name");
        if (add_expose(cfg, key, k, json_string_value(x), err) < 0)
            return -1;
    }
    return 0;
}

/* A site path for pages.* and basePath: '/' first (not "//"), no '?', '#', '\\',
 * space or control byte, so that a Location built from it stays on the origin. */
static int valid_site_path(const char *s, int allow_empty)
{
    if (*s == '\0')
        return allow_empty;
    if (s[0] != '/' || s[1] == '/' || strlen(s) >= NA_PAGE_MAX)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == '\\')
            return 0;
    }
    return 1;
}

static int valid_page(const char *s)
{
    return valid_site_path(s, 0);
}

/* basePath: "" or a site path without a trailing '/'; "/" is the same as "". */
static int parse_base_path(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    if (!json_is_string(v) || !valid_site_path(json_string_value(v), 1) ||
        (json_string_length(v) > 1 && json_string_value(v)[json_string_length(v) - 1] == '/'))
        return bad_type(err, key, "\"\" or a path like \"/app\"");
    snprintf(cfg->base_path, sizeof cfg->base_path, "%s",
             strcmp(json_string_value(v), "/") == 0 ? "" : json_string_value(v));
    return 0;
}

/* Keep a line for na_config_warn (takes a copy). Returns 0, or -1 with err filled. */
static int add_note(na_config *cfg, na_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int add_note(na_config *cfg, na_err *err, const char *fmt, ...)
{
    char line[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char **grown = realloc(cfg->notes, (cfg->nnotes + 1) * sizeof *grown);
    if (grown == NULL)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    cfg->notes = grown;
    if ((cfg->notes[cfg->nnotes] = strdup(line)) == NULL)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    cfg->nnotes++;
    return 0;
}

/* In Next.js a matcher without a parameter or a group is one page: "/admin"
 * matches /admin (and /admin.json, /admin/), not /admin/users. People expect the
 * subtree, so say it once at start-up, with the pattern they probably meant. */
static int note_literal(na_config *cfg, const char *key, const char *src, na_err *err)
{
    if (strchr(src, ':') != NULL || strchr(src, '(') != NULL || strcmp(src, "/") == 0)
        return 0;
    int stem = (int)strlen(src);
    while (stem > 0 && src[stem - 1] == '/')
        stem--;
    return add_note(cfg, err, "notice: %s \"%.160s\" matches %.160s only, not the paths "
                              "below it; write \"%.*s/:path*\" for those", key, src, src,
                    stem > 160 ? 160 : stem, src);
}

/* A pattern or a list of patterns (strings, or {"source": …} as Next.js allows).
 * notes: where literal paths are noted (the guarded-path keys), or NULL. */
static int load_patterns(na_patterns *l, json_t *v, const char *key, na_config *notes,
                         na_err *err)
{
    json_t *one = v;
    size_t i = 0, n = json_is_array(v) ? json_array_size(v) : 1;
    if (json_is_array(v) && n == 0)
        return bad_type(err, key, "a pattern or a non-empty list of patterns");
    for (i = 0; i < n; i++) {
        if (json_is_array(v))
            one = json_array_get(v, i);
        if (json_is_object(one)) {
            json_t *src = json_object_get(one, "source");
            if (json_object_size(one) != 1 || !json_is_string(src))
                return na_err_set(err, NA_E_CONFIG, "key \"%s\": only {\"source\": …} objects "
                                                    "are supported (no has/missing)", key);
            one = src;
        }
        if (!json_is_string(one))
            return bad_type(err, key, "a pattern string or a list of them");
        na_err e;
        na_pattern *p = na_matcher_compile(json_string_value(one), &e);
        if (p == NULL)
            return na_err_set(err, e.code, "key \"%s\": %s", key, e.msg);
        if (na_matcher_list_add(l, p) < 0)
            return na_err_set(err, NA_E_NOMEM, "out of memory");
        if (notes != NULL && note_literal(notes, key, json_string_value(one), err) < 0)
            return -1;
    }
    return 0;
}

static int parse_matcher(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    if (load_patterns(&cfg->matcher, v, key, cfg, err) < 0)
        return -1;
    cfg->has_matcher = 1;
    return 0;
}

static int parse_api(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    return load_patterns(&cfg->api, v, key, NULL, err);
}

static int parse_authorized(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    return (cfg->authorized = na_authz_compile(v, key, err)) == NULL ? -1 : 0;
}

static int parse_rules(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    size_t i;
    json_t *r;
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > NA_MAX_RULES)
        return bad_type(err, key, "a non-empty list of at most 64 rules");
    if ((cfg->rules = calloc(json_array_size(v), sizeof *cfg->rules)) == NULL)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    json_array_foreach(v, i, r) {
        char where[64];
        const char *k;
        json_t *x;
        na_rule *rule = &cfg->rules[i];
        cfg->nrules = i + 1;
        snprintf(where, sizeof where, "%s[%zu]", key, i);
        if (!json_is_object(r))
            return bad_type(err, where, "an object with matcher and authorized");
        json_object_foreach(r, k, x) {
            char path[96];
            snprintf(path, sizeof path, "%s.%s", where, k);
            if (strcmp(k, "matcher") == 0) {
                if (load_patterns(&rule->matcher, x, path, cfg, err) < 0)
                    return -1;
            } else if (strcmp(k, "authorized") == 0) {
                if ((rule->authorized = na_authz_compile(x, path, err)) == NULL)
                    return -1;
            } else {
                return unknown_key(err, "", path);
            }
        }
        if (rule->matcher.n == 0 || rule->authorized == NULL)
            return na_err_set(err, NA_E_CONFIG, "%s needs both matcher and authorized", where);
    }
    return 0;
}

/* identity: the extra variables handed to the backend. Their names are a
 * namespace of their own, NEXTAUTH_ then A-Z, 0-9 and '_': anything else could
 * set what a CGI backend trusts from the server (REMOTE_ADDR, QUERY_STRING,
 * SCRIPT_NAME, PATH_INFO, CONTENT_LENGTH, AUTH_TYPE; RFC 3875 §4.1), what the
 * client sent (HTTP_*), or what the dynamic loader and the shell read
 * (LD_PRELOAD, LD_LIBRARY_PATH, PATH). REMOTE_USER and the NEXTAUTH_* names the
 * guard writes itself are refused too: a second value would leave it to the
 * server which one the backend sees. With the prefix, distinct names also give
 * distinct X-Nextauth-* headers (guard.c strips NEXTAUTH_, '_' becomes '-'). */
#define NA_IDENTITY_NAME_MAX 64
static const char *const identity_builtin[] = {"NEXTAUTH_USER", "NEXTAUTH_EMAIL",
                                               "NEXTAUTH_NAME", "NEXTAUTH_SUB",
                                               "NEXTAUTH_EXPIRES"};

static int identity_name_ok(const char *k)
{
    if (strncmp(k, "NEXTAUTH_", 9) != 0 || k[9] == '\0')
        return 0;
    for (const char *c = k + 9; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return 0;
    return 1;
}

static int parse_identity(na_config *cfg, json_t *v, const char *key, na_err *err)
{
    const char *k;
    json_t *x;
    if (!json_is_object(v))
        return bad_type(err, key, "an object of NEXTAUTH_NAME → claim");
    json_object_foreach(v, k, x) {
        if (strlen(k) > NA_IDENTITY_NAME_MAX)
            return na_err_set(err, NA_E_CONFIG, "key \"%s\": a name of %zu characters "
                                                "(at most %d)", key, strlen(k),
                              NA_IDENTITY_NAME_MAX);
        if (!identity_name_ok(k)) {
            /* the name as printable ASCII: it may hold any byte but NUL */
            char shown[NA_IDENTITY_NAME_MAX + 1];
            size_t n = 0;
            for (; k[n] != '\0'; n++)
                shown[n] = k[n] > 0x20 && k[n] < 0x7f ? k[n] : '?';
            shown[n] = '\0';
            return na_err_set(err, NA_E_CONFIG, "key \"%s.%s\": names must be NEXTAUTH_ "
                                                "then A-Z, 0-9, _", key, shown);
        }
        for (size_t b = 0; b < sizeof identity_builtin / sizeof identity_builtin[0]; b++)
            if (strcmp(k, identity_builtin[b]) == 0)
                return na_err_set(err, NA_E_CONFIG, "key \"%s.%s\": set by the guard itself",
                                  key, k);
        if (!json_is_string(x) || json_string_length(x) == 0)
            return na_err_set(err, NA_E_CONFIG, "key \"%s.%s\" must name a claim", key, k);
        if (cfg->nidentity == NA_MAX_IDENTITY)
            return na_err_set(err, NA_E_CONFIG, "key \"%s\": more than %d variables", key,
                              NA_MAX_IDENTITY);
        if ((cfg->identity_var[cfg->nidentity] = strdup(k)) == NULL ||
            (cfg->identity_claim[cfg->nidentity++] = strdup(json_string_value(x))) == NULL)
            return na_err_set(err, NA_E_NOMEM, "out of memory");
    }
    return 0;
}

/* The file's keys, one row each, in one table per JSON object; one walker,
 * load_object, takes an object's names in the file's order and stops at the
 * first that is unknown or wrong, with a message that names its full path
 * (na_config_check's walk reports it and goes on with the next).
 * README.md's table of keys lists the same paths (tests/unit/test_config.c
 * holds the two together). */
typedef enum {
    KEY_OBJECT, /* a JSON object: the keys of sub */
    KEY_BOOL,   /* true or false, into an int */
    KEY_LONG,   /* an integer from min to max, into a long */
    KEY_STRING, /* a non-empty string that passes ok (if set), copied into an owned char * */
    KEY_PAGE,   /* a string that passes ok, copied into a char[NA_PAGE_MAX] */
    KEY_PARSE,  /* anything else: parse checks it and stores it, in one or more fields */
} key_type;

typedef struct config_key config_key;
struct config_key {
    const char *path;          /* "jwt.maxAge"; the name in the file follows the last '.' */
    key_type type;
    size_t offset;             /* offsetof(na_config, …): KEY_BOOL, _LONG, _STRING, _PAGE */
    long min, max;             /* KEY_LONG */
    int (*ok)(const char *s);  /* KEY_STRING, KEY_PAGE: the value's check, or NULL */
    const char *want;          /* KEY_STRING, KEY_PAGE: what the error says it must be */
    const config_key *sub;     /* KEY_OBJECT: its rows, ended by a NULL path */
    int (*parse)(na_config *cfg, json_t *v, const char *key, na_err *err); /* KEY_PARSE */
};

#define NA_MAX_AGE_MAX (10L * 366 * 86400) /* ten years, for jwt.maxAge and session.maxAge */

/* One row of each kind. */
#define KEY_OBJECT_ROW(p, keys) {.path = (p), .type = KEY_OBJECT, .sub = (keys)}
#define KEY_BOOL_ROW(p, field)                                                                   \
    {.path = (p), .type = KEY_BOOL, .offset = offsetof(na_config, field)}
#define KEY_LONG_ROW(p, field, lo, hi)                                                           \
    {.path = (p), .type = KEY_LONG, .offset = offsetof(na_config, field), .min = (lo), .max = (hi)}
#define KEY_STRING_ROW(p, field, check, what)                                                    \
    {.path = (p), .type = KEY_STRING, .offset = offsetof(na_config, field), .ok = (check),      \
     .want = (what)}
#define KEY_PAGE_ROW(p, field)                                                                   \
    {.path = (p), .type = KEY_PAGE, .offset = offsetof(na_config, field), .ok = valid_page,     \
     .want = "a path starting with '/' (no '//', '?', '#', spaces)"}
#define KEY_PARSE_ROW(p, fn) {.path = (p), .type = KEY_PARSE, .parse = (fn)}
#define KEY_END {.path = NULL}

static const config_key jwt_keys[] = {
    KEY_PARSE_ROW("jwt.format", parse_format),
    KEY_PARSE_ROW("jwt.algorithms", parse_algorithms),
    KEY_LONG_ROW("jwt.clockTolerance", clock_tolerance, 0, 3600),
    KEY_BOOL_ROW("jwt.requireExp", require_exp),
    KEY_LONG_ROW("jwt.maxAge", jwt_max_age, 1, NA_MAX_AGE_MAX),
    KEY_END,
};

static const config_key session_keys[] = {
    KEY_PARSE_ROW("session.strategy", parse_strategy),
    KEY_LONG_ROW("session.maxAge", session_max_age, 1, NA_MAX_AGE_MAX),
    KEY_LONG_ROW("session.updateAge", session_update_age, 0, NA_MAX_AGE_MAX),
    KEY_PARSE_ROW("session.expose", parse_expose),
    KEY_END,
};

#define KEY_NAME_ROW(p, field)                                                                   \
    KEY_STRING_ROW(p, field, valid_identifier, "a table or column name (printable ASCII, no '\"')")

static const config_key db_table_keys[] = {
    KEY_NAME_ROW("database.tables.session", db_session_table),
    KEY_NAME_ROW("database.tables.user", db_user_table),
    KEY_END,
};

static const config_key db_column_keys[] = {
    KEY_NAME_ROW("database.columns.sessionToken", db_token),
    KEY_NAME_ROW("database.columns.userId", db_user_id),
    KEY_NAME_ROW("database.columns.expires", db_expires),
    KEY_NAME_ROW("database.columns.updatedAt", db_updated_at),
    KEY_NAME_ROW("database.columns.id", db_id),
    KEY_NAME_ROW("database.columns.name", db_name),
    KEY_NAME_ROW("database.columns.email", db_email),
    KEY_NAME_ROW("database.columns.image", db_image),
    KEY_END,
};

static const config_key database_keys[] = {
    KEY_STRING_ROW("database.url", db_url, NULL, "a non-empty string"),
    KEY_PARSE_ROW("database.adapter", parse_adapter),
    KEY_OBJECT_ROW("database.tables", db_table_keys),
    KEY_OBJECT_ROW("database.columns", db_column_keys),
    KEY_PARSE_ROW("database.claims", parse_db_claims),
    KEY_LONG_ROW("database.timeoutMs", db_timeout_ms, 1, 60000),
    KEY_LONG_ROW("database.cacheSeconds", db_cache_seconds, 0, 3600),
    KEY_END,
};

static const config_key session_token_keys[] = {
    KEY_STRING_ROW("cookies.sessionToken.name", cookie_name, valid_cookie_name,
                   "a cookie name (RFC 6265 token characters)"),
    KEY_END,
};

static const config_key cookies_keys[] = {
    KEY_OBJECT_ROW("cookies.sessionToken", session_token_keys),
    KEY_END,
};

static const config_key pages_keys[] = {
    KEY_PAGE_ROW("pages.signIn", sign_in),
    KEY_PAGE_ROW("pages.error", error_page),
    KEY_END,
};

static const config_key root_keys[] = {
    KEY_PARSE_ROW("secret", parse_secret),
    KEY_PARSE_ROW("secretFile", parse_secret_file),
    KEY_STRING_ROW("url", url, NULL, "a non-empty string"),
    KEY_BOOL_ROW("useSecureCookies", use_secure_cookies),
    KEY_OBJECT_ROW("jwt", jwt_keys),
    KEY_OBJECT_ROW("session", session_keys),
    KEY_OBJECT_ROW("cookies", cookies_keys),
    KEY_PARSE_ROW("basePath", parse_base_path),
    KEY_OBJECT_ROW("pages", pages_keys),
    KEY_PARSE_ROW("matcher", parse_matcher),
    KEY_PARSE_ROW("api", parse_api),
    KEY_PARSE_ROW("authorized", parse_authorized),
    KEY_PARSE_ROW("rules", parse_rules),
    KEY_PARSE_ROW("identity", parse_identity),
    KEY_LONG_ROW("tokenCache", token_cache, 0, NA_TOKEN_CACHE_MAX),
    KEY_OBJECT_ROW("database", database_keys),
    KEY_END,
};

/* The row of table whose name in the file is name, or NULL. */
static const config_key *find_key(const config_key *table, const char *name)
{
    for (const config_key *k = table; k->path != NULL; k++) {
        const char *dot = strrchr(k->path, '.');
        if (strcmp(dot ? dot + 1 : k->path, name) == 0)
            return k;
    }
    return NULL;
}

/* Where na_config_check's problems go; a NULL reporter: the first problem ends
 * the load. */
typedef struct {
    na_config_report fn;
    void *ctx;
    int n; /* problems reported */
} reporter;

const char *na_config_split_problem(const char *msg, const char *fallback, char *key,
                                    size_t cap)
{
    const char *rest = msg, *q;
    size_t n = strlen(fallback);
    snprintf(key, cap, "%s", fallback);
    if (strncmp(msg, "key \"", 5) == 0 && (q = strchr(msg + 5, '"')) != NULL) {
        snprintf(key, cap, "%.*s", (int)(q - msg - 5), msg + 5);
        rest = q + 1;
    } else if (strncmp(msg, "unknown key \"", 13) == 0 &&
               (q = strchr(msg + 13, '"')) != NULL) {
        snprintf(key, cap, "%.*s", (int)(q - msg - 13), msg + 13);
        rest = "unknown key";
    } else if (n > 0 && strncmp(msg, fallback, n) == 0 && strchr(" :.[", msg[n]) != NULL) {
        size_t m = n + strcspn(msg + n, " :");
        snprintf(key, cap, "%.*s", (int)m, msg);
        rest = msg + m;
    }
    while (*rest == ':' || *rest == ' ')
        rest++;
    return rest;
}

/* Report msg as a problem of key (the row's path, or "config", or a variable's
 * name), split as na_config_split_problem does. */
static void report(reporter *rep, const char *key, const char *msg)
{
    char k[128];
    const char *rest = na_config_split_problem(msg, key, k, sizeof k);
    rep->fn(rep->ctx, k, rest);
    rep->n++;
}

/* A failed step (rc < 0, err filled) of a load: without a reporter, or out of
 * memory, it ends the load (-1); else it is reported and the load goes on (0). */
static int problem(reporter *rep, int rc, const char *key, const na_err *err)
{
    if (rc >= 0)
        return 0;
    if (rep == NULL || err->code == NA_E_NOMEM)
        return -1;
    report(rep, key, err->msg);
    return 0;
}

static int load_object(na_config *cfg, json_t *obj, const config_key *table,
                       const char *prefix, reporter *rep, na_err *err);

/* The value v of the key k. */
static int load_value(na_config *cfg, const config_key *k, json_t *v, reporter *rep,
                      na_err *err)
{
    void *dst = (char *)cfg + k->offset;
    switch (k->type) {
    case KEY_OBJECT: {
        char prefix[64];
        if (!json_is_object(v))
            return bad_type(err, k->path, "an object");
        snprintf(prefix, sizeof prefix, "%s.", k->path);
        return load_object(cfg, v, k->sub, prefix, rep, err);
    }
    case KEY_BOOL:
        if (!json_is_boolean(v))
            return bad_type(err, k->path, "true or false");
        *(int *)dst = json_is_true(v);
        return 0;
    case KEY_LONG:
        if (!json_is_integer(v) || json_integer_value(v) < k->min ||
            json_integer_value(v) > k->max) {
            char want[80];
            snprintf(want, sizeof want, "an integer from %ld to %ld", k->min, k->max);
            return bad_type(err, k->path, want);
        }
        *(long *)dst = (long)json_integer_value(v);
        return 0;
    case KEY_STRING:
    case KEY_PAGE:
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            (k->ok != NULL && !k->ok(json_string_value(v))))
            return bad_type(err, k->path, k->want);
        if (k->type == KEY_PAGE) {
            snprintf(dst, NA_PAGE_MAX, "%s", json_string_value(v));
            return 0;
        }
        free(*(char **)dst);
        if ((*(char **)dst = strdup(json_string_value(v))) == NULL)
            return na_err_set(err, NA_E_NOMEM, "out of memory");
        return 0;
    case KEY_PARSE:
        break;
    }
    return k->parse(cfg, v, k->path, err);
}

/* Each key of obj by its row of table, in the file's order; prefix is obj's path
 * and a '.' ("" at the top), for the name of an unknown key. */
static int load_object(na_config *cfg, json_t *obj, const config_key *table,
                       const char *prefix, reporter *rep, na_err *err)
{
    const char *name;
    json_t *v;
    json_object_foreach(obj, name, v) {
        const config_key *k = find_key(table, name);
        int rc = k == NULL ? unknown_key(err, prefix, name) : load_value(cfg, k, v, rep, err);
        if (problem(rep, rc, k != NULL ? k->path : "", err) < 0)
            return -1;
    }
    return 0;
}

static int load_root(na_config *cfg, json_t *root, reporter *rep, na_err *err)
{
    if (json_object_get(root, "secret") && json_object_get(root, "secretFile") &&
        problem(rep, na_err_set(err, NA_E_CONFIG,
                                "keys \"secret\" and \"secretFile\" exclude each other"),
                "secret", err) < 0)
        return -1;
    return load_object(cfg, root, root_keys, "", rep, err);
}

const char *na_config_json_problem(int code)
{
    switch ((enum json_error_code)code) {
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    case json_error_duplicate_key:
        return "duplicate key";
    case json_error_premature_end_of_input:
        return "unexpected end of file";
    case json_error_end_of_input_expected:
        return "text after the closing brace";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "NUL character";
    case json_error_numeric_overflow:
        return "number out of range";
    case json_error_wrong_type:
        return "the top level is not an object";
    case json_error_stack_overflow:
        return "nested too deeply";
    default:
        return "syntax error";
    }
}

/* The file at path into cfg. A problem of the file as a whole (unreadable, not
 * JSON, not an object) ends it (-1, err names the file); a key's problem too
 * without a reporter, and with one it is reported. */
static int load_file(na_config *cfg, const char *path, reporter *rep, na_err *err)
{
    size_t len;
    na_err e;
    na_err_clear(&e);
    free(cfg->path);
    if ((cfg->path = strdup(path)) == NULL)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    char *text = slurp(path, &len, &cfg->config_mode, "config", err);
    if (text == NULL)
        return -1;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    OPENSSL_cleanse(text, len);
    free(text);
    if (root == NULL)
        /* jansson's own text quotes the input near the error, which may be a
         * secret: report the kind of error and where it is, never the text. */
        return na_err_set(err, NA_E_CONFIG, "config %s:%d:%d: %s", path, jerr.line,
                          jerr.column, na_config_json_problem(json_error_code(&jerr)));
    int rc = 0;
    if (!json_is_object(root))
        rc = na_err_set(&e, NA_E_CONFIG, "the top level must be an object");
    else
        rc = load_root(cfg, root, rep, &e);
    json_decref(root);
    if (rc < 0)
        return na_err_set(err, e.code, "config %s: %s", path, e.msg);
    return 0;
}

int na_config_load_file(na_config *cfg, const char *path, na_err *err)
{
    return load_file(cfg, path, NULL, err);
}

/* The secret when the file names none: `secret ?? NEXTAUTH_SECRET ??
 * AUTH_SECRET` as next-auth reads it, then NEXTAUTH_SECRET_FILE, a file in
 * secretFile's format (how a service manager hands a secret over: systemd's
 * LoadCredential). A variable set to "" counts as set and means no secret: the
 * programs refuse every session (fail closed) and say why, rather than look
 * further. A NEXTAUTH_SECRET_FILE that cannot be read, or holds no secret, is an
 * error, as such a secretFile is; one that is set but not read (something
 * comes first) is noted. */
static int env_secret(na_config *cfg, na_err *err)
{
    static const char *const vars[] = {"NEXTAUTH_SECRET", "AUTH_SECRET"};
    const char *file = getenv("NEXTAUTH_SECRET_FILE");
    const char *first = cfg->secret_source; /* the file's secret or secretFile */
    for (size_t i = 0; first == NULL && i < sizeof vars / sizeof vars[0]; i++) {
        const char *s = getenv(vars[i]);
        if (s == NULL)
            continue;
        first = vars[i];
        na_err e;
        if (add_secret(cfg, s, strlen(s), vars[i], &e) == 0)
            cfg->secret_source = vars[i];
        else if (e.code == NA_E_NOMEM)
            return na_err_set(err, e.code, "%s", e.msg);
        else
            snprintf(cfg->no_secret, sizeof cfg->no_secret, "%s", e.msg);
    }
    if (first != NULL)
        return file == NULL ? 0
                            : add_note(cfg, err, "notice: NEXTAUTH_SECRET_FILE is not read: "
                                                 "%s comes first", first);
    if (file == NULL) {
        snprintf(cfg->no_secret, sizeof cfg->no_secret,
                 "no secret: set \"secret\" or \"secretFile\" in the config, or "
                 "NEXTAUTH_SECRET, AUTH_SECRET or NEXTAUTH_SECRET_FILE");
        return 0;
    }
    if (*file == '\0') {
        snprintf(cfg->no_secret, sizeof cfg->no_secret,
                 "NEXTAUTH_SECRET_FILE is set but empty: no file to read the secret from");
        return 0;
    }
    cfg->secret_source = "NEXTAUTH_SECRET_FILE";
    return load_secret_file(cfg, file, "NEXTAUTH_SECRET_FILE", err);
}

/* The environment's part of a load (na_config_apply_env). */
static int apply_env(na_config *cfg, reporter *rep, na_err *err)
{
    if (problem(rep, env_secret(cfg, err), "NEXTAUTH_SECRET_FILE", err) < 0)
        return -1;
    if (cfg->url == NULL) {
        const char *u = getenv("NEXTAUTH_URL");
        if (u != NULL && *u != '\0' && (cfg->url = strdup(u)) == NULL)
            return na_err_set(err, NA_E_NOMEM, "out of memory");
    }
    return 0;
}

int na_config_apply_env(na_config *cfg, na_err *err)
{
    return apply_env(cfg, NULL, err);
}

/* The default API paths, when the file has no "api" (docs/behaviour.md, API or
 * page). */
static int default_api(na_config *cfg, na_err *err)
{
    if (cfg->api.n > 0)
        return 0;
    na_pattern *p = na_matcher_compile("/api/:path*", err);
    if (p == NULL || na_matcher_list_add(&cfg->api, p) < 0)
        return na_err_set(err, NA_E_NOMEM, "out of memory");
    return 0;
}

/* As next-auth: database sessions when the app has an adapter (here: a
 * database.url) and session.strategy does not say otherwise; jwt else. */
static int decide_strategy(na_config *cfg, na_err *err)
{
    if (cfg->strategy == NA_STRATEGY_UNSET)
        cfg->strategy = cfg->db_url != NULL ? NA_STRATEGY_DATABASE : NA_STRATEGY_JWT;
    if (cfg->strategy == NA_STRATEGY_DATABASE && cfg->db_url == NULL)
        return na_err_set(err, NA_E_CONFIG,
                          "session.strategy is \"database\" but database.url is not set");
    return 0;
}

/* na_config_load and na_config_check: the file (path, else $NEXTAUTH_CONFIG),
 * the environment, the defaults that depend on both. */
static int load_config(na_config *cfg, const char *path, reporter *rep, na_err *err)
{
    na_config_init(cfg);
    if (path == NULL) {
        path = getenv("NEXTAUTH_CONFIG");
        if (path != NULL && *path == '\0')
            path = NULL;
    }
    if (path != NULL && load_file(cfg, path, rep, err) < 0) {
        /* the file as a whole: nothing else can be told without it */
        if (rep != NULL && err->code != NA_E_NOMEM)
            report(rep, "config", err->msg);
        return -1;
    }
    if (apply_env(cfg, rep, err) < 0 || default_api(cfg, err) < 0 ||
        problem(rep, decide_strategy(cfg, err), "session.strategy", err) < 0)
        return -1;
    return 0;
}

int na_config_load(na_config *cfg, const char *path, na_err *err)
{
    if (load_config(cfg, path, NULL, err) < 0) {
        na_config_free(cfg);
        return -1;
    }
    return 0;
}

int na_config_check(na_config *cfg, const char *path, na_config_report fn, void *ctx,
                    na_err *err)
{
    reporter rep = {.fn = fn, .ctx = ctx, .n = 0};
    na_err_clear(err);
    if (load_config(cfg, path, &rep, err) < 0 && err->code == NA_E_NOMEM)
        return -1;
    return rep.n;
}

/* next-auth's docs ask for `openssl rand -base64 32`; the HKDF and HMAC keys
 * derived from a shorter secret are only as hard to guess as the secret. */
#define NA_SECRET_MIN 32

void na_config_warn(const na_config *cfg)
{
    static const char hint[] = "use at least 32 random bytes (openssl rand -base64 32)";
    for (size_t i = 0; i < cfg->nsecrets; i++) {
        if (cfg->secret_lens[i] >= NA_SECRET_MIN)
            continue;
        if (cfg->nsecrets == 1)
            na_log("warning: the secret (%s) is %zu bytes; %s", cfg->secret_source,
                   cfg->secret_lens[i], hint);
        else
            na_log("warning: secret %zu of %zu (%s) is %zu bytes; %s", i + 1, cfg->nsecrets,
                   cfg->secret_source, cfg->secret_lens[i], hint);
    }
    /* A file that holds a secret is for its owner alone; any other config file at
     * least must not be writable by others (it says who may pass the guard). */
    if (cfg->path != NULL) {
        int holds = cfg->secret_source != NULL &&
                    strcmp(cfg->secret_source, "config secret") == 0;
        if (holds && (cfg->config_mode & 077) != 0)
            na_log("warning: config %.200s has mode %04o and holds the secret; make it "
                   "readable by its owner only (chmod 600)", cfg->path, cfg->config_mode);
        else if (!holds && (cfg->config_mode & 022) != 0)
            na_log("warning: config %.200s has mode %04o; make it writable by its owner "
                   "only (chmod go-w)", cfg->path, cfg->config_mode);
    }
    if (cfg->secret_file != NULL && (cfg->secret_file_mode & 077) != 0)
        na_log("warning: %s %.200s has mode %04o; make it readable by its owner only "
               "(chmod 600)", na_config_secret_file_key(cfg), cfg->secret_file,
               cfg->secret_file_mode);
    for (size_t i = 0; i < cfg->nnotes; i++)
        na_log("%s", cfg->notes[i]);
}

const char *na_config_secret_file_key(const na_config *cfg)
{
    return cfg->secret_source != NULL && strcmp(cfg->secret_source, "NEXTAUTH_SECRET_FILE") == 0
               ? "NEXTAUTH_SECRET_FILE"
               : "secretFile";
}

int na_config_secure(const na_config *cfg)
{
    if (cfg->use_secure_cookies >= 0)
        return cfg->use_secure_cookies;
    return cfg->url != NULL && strncmp(cfg->url, "https://", 8) == 0;
}

const char *na_config_cookie_name(const na_config *cfg)
{
    if (cfg->cookie_name)
        return cfg->cookie_name;
    int secure = na_config_secure(cfg);
    if (cfg->format == NA_FMT_V5)
        return secure ? "__Secure-authjs.session-token" : "authjs.session-token";
    return secure ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

/* next-auth's defaultCookies (packages/next-auth/src/core/lib/cookie.ts) and
 * @auth/core's (packages/core/src/lib/utils/cookie.ts): __Secure- names when
 * secure, but __Host- for the CSRF token. */
const char *na_config_callback_cookie_name(const na_config *cfg)
{
    int secure = na_config_secure(cfg);
    if (cfg->format == NA_FMT_V5)
        return secure ? "__Secure-authjs.callback-url" : "authjs.callback-url";
    return secure ? "__Secure-next-auth.callback-url" : "next-auth.callback-url";
}

const char *na_config_csrf_cookie_name(const na_config *cfg)
{
    int secure = na_config_secure(cfg);
    if (cfg->format == NA_FMT_V5)
        return secure ? "__Host-authjs.csrf-token" : "authjs.csrf-token";
    return secure ? "__Host-next-auth.csrf-token" : "next-auth.csrf-token";
}

long na_config_token_max_age(const na_config *cfg)
{
    return cfg->jwt_max_age > 0 ? cfg->jwt_max_age : cfg->session_max_age;
}
