/* SPDX-License-Identifier: MIT */
/* nextauth.h — guarded pages in C: getServerSession for a page or an API route
 * written as a FastCGI program (or a plain CGI one), on libnextauth.
 *
 *     static void handle(nextauth_req *req, void *user)
 *     {
 *         nextauth_refresh(req);              // getServerSession(req, res, …)
 *         if (!nextauth_session(req)) {
 *             nextauth_respond_401(req);      // {"message":"You must be logged in."}
 *             return;
 *         }
 *         nextauth_respond(req, 200, "application/json", "{\"message\":\"Success\"}", 21);
 *     }
 *     int main(void)
 *     {
 *         char why[256];
 *         nextauth_app *app = nextauth_app_load(NULL, why, sizeof why);
 *         if (app == NULL) { fprintf(stderr, "hello: %s\n", why); return 2; }
 *         int rc = nextauth_serve(app, handle, NULL);
 *         nextauth_app_free(app);
 *         return rc;
 *     }
 *
 * Build: cc page.c $(pkg-config --cflags --libs nextauth)
 *        (-lnextauth -lfcgi -lcrypto, and jansson's flags).
 *
 * Configuration is the deployment's (README): a JSON file, NEXTAUTH_SECRET,
 * NEXTAUTH_URL; keys are derived once, at load. A session is read from the
 * Cookie header only, as getServerSession does (no Bearer fallback).
 *
 * One answer per request. Each answer function (nextauth_respond*,
 * nextauth_redirect*) replaces whatever answer was set before; the headers of
 * nextauth_add_header and the cookie lines of nextauth_refresh are kept across
 * answers and sent after the answer's own headers. A handler that sets no
 * answer, or a header refused on the way, sends a bare 500 — never a
 * half-built answer. For HEAD requests the body is left out.
 *
 * Memory: everything a request function returns is borrowed from the request
 * and valid until the handler returns; the caller frees nothing. Not
 * thread-safe: one app per process, one request at a time. */
#ifndef NEXTAUTH_H
#define NEXTAUTH_H

#include <stddef.h>

#include <jansson.h>

/* A loaded deployment (config, derived keys). Opaque. */
typedef struct nextauth_app nextauth_app;

/* One request being answered. Opaque; lives only while the handler runs. */
typedef struct nextauth_req nextauth_req;

/* Answers one request: read it, then call one answer function. */
typedef void (*nextauth_handler)(nextauth_req *req, void *user);

/* --- the app --------------------------------------------------------------- */

/* Load the config (config_path, else $NEXTAUTH_CONFIG, else none; then
 * NEXTAUTH_SECRET/AUTH_SECRET/NEXTAUTH_SECRET_FILE and NEXTAUTH_URL) and derive
 * the keys once. A missing secret is no failure: it is logged (NO_SECRET) and
 * every session is then refused. Returns an app the caller frees with nextauth_app_free, or NULL
 * with the reason in errbuf (errlen bytes, may be NULL/0) when the config cannot
 * be read or is invalid, or memory runs out. */
nextauth_app *nextauth_app_load(const char *config_path, char *errbuf, size_t errlen);

/* Free app and wipe its keys. NULL is allowed. */
void nextauth_app_free(nextauth_app *app);

/* Answer requests with handler(req, user): in a loop until the FastCGI listener
 * closes (or after $NEXTAUTH_MAX_REQUESTS requests, when set), or once when
 * started as plain CGI. Log lines go to the server's error log. Before the first
 * FastCGI request the pages that only start-up used are let go (read-only code
 * and constants; see memory.h); nothing of the program's data is touched.
 * A FastCGI connection must deliver its whole request (FCGI_BEGIN_REQUEST and
 * the parameters) within $NEXTAUTH_READ_TIMEOUT seconds of its accept (or of
 * the previous answer on a kept connection), however slowly it sends (default
 * 5, 1 to 600); else it is closed with one line on stderr, so an idle or
 * dripping peer cannot hold the process. An answer the server takes nothing
 * of for as long is abandoned (the socket's send timeout). The deadline uses
 * SIGALRM and ITIMER_REAL: a handler must not use them (it runs with the timer
 * disarmed, for as long as it needs). Returns the process exit status (0; 1 when FastCGI
 * cannot start or CGI output fails; 2, with one line on stderr, when
 * $NEXTAUTH_READ_TIMEOUT is not a whole number of seconds in range). */
int nextauth_serve(nextauth_app *app, nextauth_handler handler, void *user);

/* --- reading the request ----------------------------------------------------- */

/* The request variable name (REQUEST_METHOD, REQUEST_URI, QUERY_STRING,
 * HTTP_ACCEPT, …). Returns a borrowed string, or NULL when it is not set. */
const char *nextauth_param(const nextauth_req *req, const char *name);

/* getServerSession: verify the request's session cookie (the Cookie header only,
 * no Bearer fallback). Checked once per request, then cached; logs one line for
 * a bad token or a missing secret, never the token. Returns 1 when the request
 * has a valid session, 0 when not (see nextauth_reason). */
int nextauth_session(nextauth_req *req);

/* The verified token claims. Returns a borrowed object (valid until the handler
 * returns; do not modify or decref it), or NULL when there is no valid session
 * or nextauth_session was not called. */
const json_t *nextauth_claims(const nextauth_req *req);

/* The session object, {"user":{"name",…},"expires":"<ISO ms>"}:
 * indent 0 gives the compact text the session endpoint sends; 1–10 give
 * JSON.stringify(session, null, indent). Checks the session if need be.
 * Returns a borrowed string, or NULL when there is no valid session or memory
 * runs out. */
const char *nextauth_session_json(nextauth_req *req, int indent);

/* Why there is no session: "no session token (…)", "token expired", why the
 * deployment has no secret, …; never a token or secret. Returns a borrowed
 * string, or NULL when the session is valid or nextauth_session was not called. */
const char *nextauth_reason(const nextauth_req *req);

/* --- answers (each replaces the answer set before) ---------------------------- */

/* 401 application/json {"message":"You must be logged in."}, Cache-Control:
 * no-store (the NextAuth docs' API route). */
void nextauth_respond_401(nextauth_req *req);

/* 403 application/json {"message":"Forbidden"}, Cache-Control: no-store. */
void nextauth_respond_403(nextauth_req *req);

/* 307 to the sign-in page (origin + basePath + pages.signIn) with
 * ?callbackUrl=<this request's path and query>, as withAuth sends. Returns 0, or
 * -1 (the answer is then a 500) when memory runs out. */
int nextauth_redirect_signin(nextauth_req *req);

/* A redirect to basePath + path on this site, as getServerSideProps' redirect
 * does (permanent: false is 307, true is 308). path must start with '/', not
 * with "//", and hold only printable ASCII other than '\\' (no spaces, no control
 * bytes); status must be 301, 302, 303, 307 or 308. Returns 0, or -1 (the answer
 * is then a 500 and a line is logged) when either is refused or memory runs out. */
int nextauth_redirect(nextauth_req *req, const char *path, int status);

/* Exactly what cgi-bin/nextauth-session answers for this request: the
 * session JSON with no-cache headers and its own cookie refresh or clearing, or
 * the empty session, 405, or the 500 configuration error. Includes the cookie
 * lines: any of nextauth_refresh are dropped. */
void nextauth_respond_session(nextauth_req *req);

/* status (100–599) with Content-Type: content_type (NULL: none) and the body
 * (len bytes; body may be NULL when len is 0). Returns 0, or -1 (the answer is
 * then a 500) for a bad status, a control byte in content_type, or no memory. */
int nextauth_respond(nextauth_req *req, int status, const char *content_type,
                     const char *body, size_t len);

/* Append len bytes of s to the body of the current answer. Returns 0, or -1
 * (the answer is then a 500) when memory runs out. */
int nextauth_append(nextauth_req *req, const char *s, size_t len);

/* Append the NUL-terminated text s to the body, HTML-escaped as React escapes
 * text (& < > " ' become &amp; &lt; &gt; &quot; &#x27;). Returns 0, or -1 (the
 * answer is then a 500) when s is NULL (a failed nextauth_session_json) or
 * memory runs out. */
int nextauth_append_html(nextauth_req *req, const char *s);

/* --- headers and cookies (kept across answers) -------------------------------- */

/* Add the header "name: value" to the answer. name must be an RFC 9110 token and
 * not one the answer or the server owns (Status, Location, Content-Type,
 * Content-Length, Transfer-Encoding, Connection); value must hold no control
 * byte but HT. Returns 0, or -1 (the answer is then a 500, a line is logged)
 * when refused or out of memory. */
int nextauth_add_header(nextauth_req *req, const char *name, const char *value);

/* The cookie changes getServerSession(req, res) makes: for a
 * valid session the token re-issued with fresh iat/exp/jti as Set-Cookie lines
 * (chunked, stale chunks cleared; Expires = the session's expires); for a bad
 * token Max-Age=0 lines for every session cookie name seen; nothing without a
 * token. Checks the session if need be; a second call adds nothing. Returns 0,
 * or -1 when the token cannot be re-issued (the cookies are then cleared and a
 * line is logged; the session stays valid for this request). */
int nextauth_refresh(nextauth_req *req);

#endif
