/* SPDX-License-Identifier: MIT */
/* config.h — a deployment's configuration: a JSON file whose names follow
 * NextAuth's authOptions, plus the environment (docs/behaviour.md, Configuration).
 *
 * File keys (all optional; an unknown key or a wrong type is an error naming it;
 * config.c holds them in one table, and README.md's table of keys is checked
 * against it by tests/unit/test_config.c):
 *   secret            string, or array of strings (rotation: the first encodes)
 *   secretFile        path of a file with one secret per line (same rotation order)
 *   url               the site's NEXTAUTH_URL
 *   useSecureCookies  boolean (default: url starts with "https://")
 *   cookies.sessionToken.name   the session cookie name
 *   jwt.format        "next-auth-v4" (default) | "authjs-v5" | "jws"
 *   jwt.algorithms    jws only: allowed algorithms, default ["HS256"]
 *   jwt.clockTolerance seconds, default 15
 *   jwt.requireExp    default true
 *   jwt.maxAge        lifetime given to tokens minted by `encode` (default session.maxAge)
 *   session.maxAge    seconds, default 2592000 (30 days)
 *   session.expose    extra claims copied into the session's user object, the usual
 *                     callbacks.session: {"id":"sub","role":"role"} (user key → claim)
 *                     or ["role"] (same name); default none, so the session body
 *                     stays exactly next-auth's
 * Guard keys (withAuth, docs/behaviour.md, Guard):
 *   basePath          Next.js basePath ("" by default)
 *   pages.signIn      sign-in page path, default "/api/auth/signin"
 *   pages.error       error page path, default "/api/auth/error"
 *   matcher           pattern or list of patterns (Next.js syntax) of guarded paths;
 *                     absent: every path is guarded
 *   api               patterns answered with 401/403 JSON instead of a redirect,
 *                     default ["/api/:path*"]
 *   authorized        a condition on claims (authz.h); absent: any valid token
 *   rules             [{"matcher":[…],"authorized":{…}}, …]: first match wins over
 *                     the top-level authorized
 *   identity          {"NEXTAUTH_ROLE":"role", …}: extra variables for the backend;
 *                     names NEXTAUTH_[A-Z0-9_]+ (at most 64), none the guard writes
 *   tokenCache        how many verified tokens' allow answers a guard process keeps,
 *                     0 to 1024, default 32; 0 checks every request from scratch
 *                     (guard.h says what is kept and when it is used)
 * Environment: NEXTAUTH_SECRET, then AUTH_SECRET, then NEXTAUTH_SECRET_FILE (a
 * file in secretFile's format), when the file names no secret (an empty variable
 * counts as set, and so means "no secret": fail closed, as
 * `secret ?? NEXTAUTH_SECRET ?? AUTH_SECRET` does in next-auth; a
 * NEXTAUTH_SECRET_FILE that cannot be read is an error, as such a secretFile
 * is); NEXTAUTH_URL when the file has no url; NEXTAUTH_CONFIG names the file
 * when the program is not given one. */
#ifndef NA_CONFIG_H
#define NA_CONFIG_H

#include <stddef.h>

#include "authz.h"
#include "cookie.h"
#include "err.h"
#include "keys.h"
#include "matcher.h"

/* Config files are small; anything larger is a mistake (a wrong path). */
#define NA_CONFIG_MAX_BYTES (1024 * 1024)
#define NA_MAX_EXPOSE 32
#define NA_MAX_IDENTITY 32
#define NA_MAX_RULES 64
#define NA_PAGE_MAX 512
#define NA_TOKEN_CACHE_DEFAULT 32
#define NA_TOKEN_CACHE_MAX 1024
#define NA_MAX_DB_CLAIMS 32
#define NA_DB_TIMEOUT_DEFAULT 2000 /* ms */

/* session.strategy */
enum { NA_STRATEGY_UNSET = -1, NA_STRATEGY_JWT = 0, NA_STRATEGY_DATABASE = 1 };

typedef struct {
    na_patterns matcher;
    na_cond *authorized;
} na_rule;

typedef struct {
    char *path;                          /* the file named (owned), or NULL */
    na_format format;
    char *secrets[NA_MAX_SECRETS];       /* owned, NUL-terminated, wiped on free */
    size_t secret_lens[NA_MAX_SECRETS];
    size_t nsecrets;
    const char *secret_source;           /* static: "config secret", "config secretFile",
                                          * "NEXTAUTH_SECRET", "AUTH_SECRET",
                                          * "NEXTAUTH_SECRET_FILE" (or a caller's) */
    char no_secret[200];                 /* why there is no secret, when nsecrets == 0 */
    char *url;                           /* owned, or NULL when unset */
    int use_secure_cookies;              /* -1: decided by url */
    char *cookie_name;                   /* owned, or NULL for the default name */
    unsigned algorithms;                 /* NA_ALG_* mask (jws) */
    long clock_tolerance;
    int require_exp;
    long session_max_age;
    long jwt_max_age;                    /* -1: same as session_max_age */
    char *expose_key[NA_MAX_EXPOSE];     /* session.expose: user key (owned) … */
    char *expose_claim[NA_MAX_EXPOSE];   /* … and the claim it comes from (owned) */
    size_t nexpose;
    /* guard */
    char base_path[NA_PAGE_MAX];         /* "" or "/app" */
    char sign_in[NA_PAGE_MAX];           /* pages.signIn */
    char error_page[NA_PAGE_MAX];        /* pages.error */
    na_patterns matcher;                 /* empty and !has_matcher: guard everything */
    int has_matcher;
    na_patterns api;                     /* compiled; the default when "api" is absent */
    na_cond *authorized;                 /* NULL: any valid token */
    na_rule *rules;
    size_t nrules;
    char *identity_var[NA_MAX_IDENTITY]; /* identity: variable (owned) … */
    char *identity_claim[NA_MAX_IDENTITY]; /* … and its claim (owned) */
    size_t nidentity;
    long token_cache;                    /* tokenCache: answers kept (guard.h), 0: none */
    /* database sessions (store.h) */
    int strategy;                        /* NA_STRATEGY_*; NA_STRATEGY_UNSET until decided */
    long session_update_age;             /* session.updateAge, seconds */
    char *db_url;                        /* database.url (owned; may hold a password) */
    int db_adapter;                      /* na_adapter */
    long db_timeout_ms;                  /* database.timeoutMs */
    long db_cache_seconds;               /* database.cacheSeconds: the guard's claims cache, 0: none */
    /* database.tables.* and database.columns.* (owned), NULL: the adapter's name */
    char *db_session_table, *db_user_table;
    char *db_token, *db_user_id, *db_expires, *db_updated_at;
    char *db_id, *db_name, *db_email, *db_image;
    char *db_claim_name[NA_MAX_DB_CLAIMS];   /* database.claims: claim (owned) … */
    char *db_claim_column[NA_MAX_DB_CLAIMS]; /* … ← user column (owned) */
    size_t ndb_claims;
    /* for na_config_warn */
    unsigned config_mode;                /* permission bits of the file at path */
    char *secret_file;                   /* secretFile's or NEXTAUTH_SECRET_FILE's path
                                          * (owned), or NULL */
    unsigned secret_file_mode;           /* its permission bits */
    char **notes;                        /* notice lines about the file (owned) */
    size_t nnotes;
} na_config;

/* Fill *cfg with the defaults (no file, no secret). Never fails. */
void na_config_init(na_config *cfg);

/* Read the JSON file at path into *cfg (initialised by na_config_init). Errors name
 * the file and the key, or the line and column of bad JSON; they never quote a
 * value. Returns 0, or -1 with err filled (NA_E_IO, NA_E_CONFIG). */
int na_config_load_file(na_config *cfg, const char *path, na_err *err);

/* Take the environment's fallbacks (NEXTAUTH_SECRET, AUTH_SECRET,
 * NEXTAUTH_SECRET_FILE, NEXTAUTH_URL) for what the file left unset. Returns 0,
 * or -1 with err filled (a NEXTAUTH_SECRET_FILE that cannot be read or holds
 * no secret: NA_E_IO, NA_E_NO_SECRET, NA_E_CONFIG). */
int na_config_apply_env(na_config *cfg, na_err *err);

/* na_config_init, then the file (path, else $NEXTAUTH_CONFIG, else none), then the
 * environment. Logs nothing: a program that wants na_config_warn's lines asks
 * for them (the FastCGI programs do, app.h; nextauth-token does not). Returns 0,
 * or -1 with err filled; *cfg is then freed. */
int na_config_load(na_config *cfg, const char *path, na_err *err);

/* What na_config_check does with a problem: key is the key path it concerns
 * ("jwt.maxAge", "rules[1].authorized", "config" for the file as a whole, or an
 * environment variable's name), msg the reason without the key (never a
 * value). */
typedef void (*na_config_report)(void *ctx, const char *key, const char *msg);

/* na_config_load for a configuration test: the same file, environment and
 * defaults, but a key that is wrong does not end the load: each problem goes to
 * fn (with ctx) and loading goes on with the next key, so that one run names
 * them all. A file that cannot be read or parsed ends it (reported as "config").
 * *cfg holds every setting that loaded, and is the caller's to free in every
 * case. Returns the number of problems (0: the programs would take this
 * configuration), or -1 with err filled when out of memory. */
int na_config_check(na_config *cfg, const char *path, na_config_report fn, void *ctx,
                    na_err *err);

/* A problem's message (the loader's, or of a module it feeds: guard.h's
 * `key "pages.signIn" cannot …`) split in two: the key path it leads with —
 * `key "jwt.maxAge" must …`, `unknown key "jwt.x"`, or fallback followed by
 * more of its path, `authorized.role: …`, `NEXTAUTH_SECRET_FILE /run/s: …` —
 * into key (cap bytes; fallback when it leads with none), and the rest, which
 * is returned (a pointer into msg, or to a static string). */
const char *na_config_split_problem(const char *msg, const char *fallback, char *key,
                                    size_t cap);

/* Log (na_log) one line for each thing a deployment should fix, none of which
 * stops it: a secret shorter than 32 bytes ("warning: the secret (NEXTAUTH_SECRET)
 * is 10 bytes; …", never the secret itself); a config file holding the secret,
 * or a secretFile or NEXTAUTH_SECRET_FILE, that group or others may read or
 * write (mode & 077), or any config file they may write (mode & 022), naming
 * the file and its mode; a matcher or rules[i].matcher entry that is a plain
 * path ("notice: matcher \"/admin\" matches /admin only, …"); a
 * NEXTAUTH_SECRET_FILE that is set but not read ("notice: …"). */
void na_config_warn(const na_config *cfg);

/* Replace the secrets by the single secret s (e.g. a --secret option). An empty or
 * placeholder-looking s is refused. Returns 0, or -1 with err filled. */
int na_config_set_secret(na_config *cfg, const char *s, const char *source, na_err *err);

/* 1 when the deployment uses __Secure- cookie names: useSecureCookies, else a url
 * that starts with "https://" (the getToken/withAuth rule: docs/behaviour.md,
 * Cookie names). */
int na_config_secure(const na_config *cfg);

/* The session cookie name: the configured one, else by format and secure mode
 * (next-auth.session-token, authjs.session-token, with __Secure- when secure).
 * Returns a pointer into cfg or to a static string; never NULL. */
const char *na_config_cookie_name(const na_config *cfg);

/* The names of the Node app's own cookies that the programs neither read nor
 * write, as next-auth (authjs-v5: @auth/core) names them by default: the
 * callback URL (__Secure- when secure) and the CSRF token (__Host- when
 * secure). Static strings, for a configuration test to show. */
const char *na_config_callback_cookie_name(const na_config *cfg);
const char *na_config_csrf_cookie_name(const na_config *cfg);

/* The name of the secret file's setting, for messages: "NEXTAUTH_SECRET_FILE"
 * when the secret came from that variable, else "secretFile". Static. */
const char *na_config_secret_file_key(const na_config *cfg);

/* Lifetime for newly minted tokens: jwt.maxAge if set, else session.maxAge. */
long na_config_token_max_age(const na_config *cfg);

/* The kind of a jansson parse error (json_error_code()), as a short static text
 * ("syntax error", "duplicate key", …): jansson's own text quotes the input near
 * the error, which may be a secret or a token. Never NULL. */
const char *na_config_json_problem(int code);

/* Free what *cfg owns and wipe the secrets. Safe twice. */
void na_config_free(na_config *cfg);

#endif
