/* SPDX-License-Identifier: MIT */
/* guard.h — withAuth for web servers (docs/behaviour.md, Guard): one request's
 * decision and its answer in the role the server called the guard in.
 *
 * Roles:
 *   authorizer    FastCGI AUTHORIZER (lighttpd "mode" => "authorizer", Apache
 *                 mod_authnz_fcgi): allow = Status 200 with Variable-* identity;
 *                 deny = the whole response, which the server passes on.
 *   auth_request  nginx auth_request (param NEXTAUTH_GUARD_MODE=auth_request): allow
 *                 = 200 with X-Nextauth-* headers; deny = 401 (with the redirect
 *                 target in Location for pages) or 403, since nginx refuses a 3xx.
 *   responder     anything else: a "who am I / may I" endpoint answering for its
 *                 own URL: allow = 200 JSON with the identity.
 *
 * Decision, in order (docs/behaviour.md, Guard decision), in four phases of
 * guard.c:
 *   route    1. normalize the path (path.h); when that fails, the path is
 *               guarded and must satisfy every rule;
 *            2. never guarded: the auth path (NEXTAUTH_URL's path, default
 *               /api/auth) and what lies below it, the sign-in and error pages,
 *               /_next/…, /favicon.ico;
 *            3. with a matcher list, paths outside it pass;
 *            4. a client-sent identity header (below): 400 JSON;
 *   find the session (source.h)
 *            5. no usable secret: 307 to the error page with error=Configuration
 *               (pages), 500 JSON (APIs); database sessions: the database did
 *               not answer (down, timed out, an unreadable row): 503 with
 *               Retry-After, JSON on API paths, a short HTML page otherwise —
 *               in every role, never an allow and never the sign-in redirect;
 *            6. no valid token: 401 JSON on API paths and for clients that do
 *               not accept HTML; 307 to the sign-in page with callbackUrl for
 *               pages;
 *   decide   7. token valid, `authorized` says no: 403 JSON on API paths, the
 *               sign-in redirect on pages (as withAuth);
 *   answer   8. allow, with the identity.
 * Out of memory in any phase: a bare 500 (outcome NA_GUARD_500, logged), never
 * an allow and never a redirect.
 * Every denial carries Cache-Control: no-store.
 *
 * Client-sent identity: a server that runs the guard as a FastCGI authorizer
 * and is not Apache (lighttpd) hands the request's headers on to CGI and
 * FastCGI backends as HTTP_* variables, folding every byte but letters and
 * digits to '_': "X.Nextauth.User: evil" arrives as HTTP_X_NEXTAUTH_USER, and
 * no list of header names in the server's configuration removes every such
 * spelling. The guard sees the same variables; on a guarded request that
 * carries one (HTTP_X_NEXTAUTH_* or HTTP_REMOTE_USER) it answers 400 JSON
 * {"message":"Identity headers are set by the server, not by the client."}
 * instead of an allow. (The examples remove the usual spellings before the
 * guard sees them; Apache leaves such names out of the environment, and nginx
 * drops them.)
 *
 * The token cache (config tokenCache, default 32 slots per process): an allow
 * answer read through a view of the claims (no rules, not the responder) is
 * kept with the token's exact bytes, the role and the token's exp and nbf. A
 * later request of the same role whose token is the same — compared in
 * constant time over its whole length — gets that answer after the same time
 * rules, instead of decrypting and reading the claims again: the answer is
 * what they would give, byte for byte. Kept only: tokens and answers of at
 * most 2048 bytes, answers built without a log line. One slot per token (by
 * its last bytes, its MAC tag), overwritten by the next token there; the kept
 * bytes are wiped when overwritten, expired, or by na_guard_free. The process
 * already holds the secret that makes every token, so keeping tokens adds no
 * exposure; tokenCache 0 turns it off. */
#ifndef NA_GUARD_H
#define NA_GUARD_H

#include "config.h"
#include "path.h"
#include "resp.h"
#include "source.h"
#include "url.h"

typedef struct na_guard_cache na_guard_cache;

/* A guard serves one thread at a time, like its verifier (token.h). */
typedef struct {
    const na_config *cfg;
    na_source *src; /* where sessions come from (a missing secret: every lookup fails) */
    na_url url;     /* origin (may be empty: relative Locations) and auth path */
    /* basePath, pages.signIn and pages.error in canonical form (path.h), as
     * request paths are compared with them */
    char base_path[NA_PAGE_MAX], sign_in[NA_PAGE_MAX], error_page[NA_PAGE_MAX];
    long long exp_ms;  /* the last expiry date written, and its text */
    char exp_iso[25];
    na_guard_cache *cache; /* the token cache, allocated at its first use */
} na_guard;

/* What the guard reads of a request (any may be NULL). */
typedef struct {
    const char *request_uri;   /* REQUEST_URI, raw */
    const char *cookie;        /* HTTP_COOKIE */
    const char *authorization; /* HTTP_AUTHORIZATION */
    const char *accept;        /* HTTP_ACCEPT */
    const char *x_requested_with;
    const char *sec_fetch_mode;
    const char *fcgi_role;     /* FCGI_ROLE */
    const char *mode;          /* NEXTAUTH_GUARD_MODE */
    const char *apache_role;   /* FCGI_APACHE_ROLE (set by mod_authnz_fcgi) */
    /* All the request's params (NULL-terminated "NAME=value"), looked through
     * for a client-sent identity header (na_guard_client_identity) only where
     * that matters: a guarded request to a non-Apache authorizer. May be NULL. */
    char **params;
    /* When non-NULL, an ALLOW also hands over the session's claims: *claims_out
     * is set to a new reference to their tree, which the caller releases with
     * json_decref (NULL on every other outcome). For callers that decide more
     * on the claims (a server module's own claim rules, claims as server
     * variables). Such a request is read in full, never answered from the token
     * cache: leave it NULL where the claims are not needed. */
    json_t **claims_out;
} na_guard_req;

/* The outcome of the decision, for tests and logs. */
typedef enum {
    NA_GUARD_PASS,        /* not guarded here */
    NA_GUARD_ALLOW,       /* valid token, authorized */
    NA_GUARD_401,         /* API, no valid token */
    NA_GUARD_403,         /* API, token not authorized */
    NA_GUARD_SIGNIN,      /* page, no valid token or not authorized */
    NA_GUARD_CONFIG_PAGE, /* page, no secret */
    NA_GUARD_CONFIG_API,  /* API, no secret */
    NA_GUARD_400,         /* authorizer: a client-sent identity header (below) */
    NA_GUARD_503,         /* database sessions: the session store did not answer */
    NA_GUARD_500          /* the answer could not be built (out of memory): a bare 500 */
} na_guard_outcome;

/* Prepare g from cfg and src (both must outlive g). Fails (-1, err filled) when
 * the configured url is unusable: every Location is built from it. */
int na_guard_init(na_guard *g, const na_config *cfg, na_source *src, na_err *err);

/* Wipe and free the token cache. Safe twice; g can be used again (with an
 * empty cache). */
void na_guard_free(na_guard *g);

/* Decide and answer one request into r at time now_ms (unix milliseconds:
 * tokens are judged in whole seconds, database rows to the millisecond, as
 * source.h says). Logs a line
 * for a bad token or a configuration problem. Returns the outcome. A kept
 * answer (the token cache) is not copied: r then points into g's cache, so
 * write r before the next na_guard_respond or na_guard_free on g. */
na_guard_outcome na_guard_respond(na_guard *g, const na_guard_req *rq, long long now_ms,
                                  na_resp *r);

/* The answer the guard gives a session that a rule refuses (step 7 above),
 * for a request whose session a server's own rules refused after the guard
 * allowed it (a server module's Require lines): 403 JSON on API paths and for
 * clients that do not accept HTML, the sign-in redirect on pages, with
 * Cache-Control: no-store, in rq's role. A path the guard lets pass is judged
 * the same way. Reads no session and logs nothing. Returns NA_GUARD_403,
 * NA_GUARD_SIGNIN, or NA_GUARD_500 when out of memory (r then a bare 500). */
na_guard_outcome na_guard_forbidden(const na_guard *g, const na_guard_req *rq, na_resp *r);

/* The first param of envp (NULL-terminated "NAME=value" strings) named
 * HTTP_X_NEXTAUTH_<anything> or HTTP_REMOTE_USER, as a pointer to its name in
 * envp (ended by '='), or NULL. */
const char *na_guard_client_identity(char **envp);

/* Whether a request header's name (len bytes, not NUL-terminated), folded as
 * CGI folds header names into HTTP_* variables (letters upper-cased, every
 * other byte but digits made '_'), is X_NEXTAUTH_<one or more> or REMOTE_USER:
 * a name under which a client could pass an identity on to a backend
 * ("X-Nextauth-User", "x.nextauth.user", "Remote-User" alike). For server
 * modules that remove such headers before the check. */
int na_guard_identity_header(const char *name, size_t len);

/* The sign-in redirect target for a raw request URI: origin + basePath +
 * pages.signIn + ?callbackUrl=<the path and query, form-encoded; the normalized
 * path when the raw one is not normal, "/" when it cannot be normalized; the
 * query dropped when it carries a control byte>. A string the caller frees with
 * free(), or NULL when out of memory. */
char *na_guard_signin_location(const na_guard *g, const char *request_uri);

#endif
