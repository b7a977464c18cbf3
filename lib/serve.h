/* serve.h — the FastCGI accept loop, and the plain-CGI fallback: the only code
 * that knows how a request arrives and where its answer goes.
 *
 * Started by a server with a FastCGI listener on standard input (lighttpd
 * bin-path, spawn-fcgi, cgi-fcgi), the program answers requests in a loop;
 * started any other way (a cgi-bin directory, a shell), it answers the one CGI
 * request described by its environment on standard output. */
#ifndef NA_SERVE_H
#define NA_SERVE_H

#include "resp.h"

/* The environment of one request (NULL-terminated "NAME=value" strings). */
typedef char **na_envp;

/* Handle one request: read envp, fill r (already reset). Must not write anywhere. */
typedef void (*na_handler)(void *ctx, na_envp envp, na_resp *r);

/* The value of name in envp, or NULL. */
const char *na_serve_env(na_envp envp, const char *name);

/* na_serve_env for n names (at most NA_ENV_PICK_MAX) in one pass over envp:
 * vals[i] gets the value of names[i] (its first occurrence) or NULL. The values
 * point into envp. */
#define NA_ENV_PICK_MAX 16
void na_serve_env_pick(na_envp envp, const char *const *names, const char **vals, size_t n);

/* The request's Cookie header. A server may pass several HTTP_COOKIE params
 * (nginx does for several Cookie header fields, as HTTP/2 clients send them);
 * they are joined with "; " into buf (cap bytes) as RFC 9113 §8.2.3 says. One
 * param is returned as it is, without copying. A join longer than cap - 1 is
 * cut at cap - 1 bytes, which the cookie parser then refuses as too long.
 * Returns NULL when there is none. */
const char *na_serve_env_cookie(na_envp envp, char *buf, size_t cap);

/* The read deadline of a FastCGI connection, in seconds: $NEXTAUTH_READ_TIMEOUT,
 * a whole number from 1 to NA_READ_TIMEOUT_MAX, NA_READ_TIMEOUT_DEFAULT when
 * unset. */
#define NA_READ_TIMEOUT_DEFAULT 5
#define NA_READ_TIMEOUT_MAX 600

/* Serve until the listener closes (FastCGI) or once (CGI); in FastCGI mode at
 * most max requests (0: no limit), then return. Per-request log lines (na_log)
 * go to the FastCGI error stream, or stderr in CGI mode. In FastCGI mode,
 * ready (unless NULL) is called once before the first request: the program's
 * memory policy (e.g. na_memory_trim of memory.h) is its own to choose.
 *
 * FastCGI connections are accepted on standard input (unix or TCP; a TCP peer
 * must be listed in $FCGI_WEB_SERVER_ADDRS when that is set, as libfcgi has it)
 * and served one at a time, so none may hold the process: from its accept (or,
 * on a connection the server keeps, FCGI_KEEP_CONN, from the end of the
 * previous answer) a connection has $NEXTAUTH_READ_TIMEOUT seconds in all to
 * deliver a complete request (FCGI_BEGIN_REQUEST and every FCGI_PARAMS record),
 * however slowly it sends bytes; then it is closed, one line logged on stderr,
 * and the loop goes on. A write of the answer that the peer does not take
 * fails after as long, and so does the wait for the server to close after an
 * answer. The deadline uses ITIMER_REAL and SIGALRM (the handler runs with it
 * disarmed: it must not use them); SIGTERM and SIGUSR1, when the program left
 * them alone, end the loop after the current request, as in libfcgi.
 *
 * Returns the process exit status: 0, 1 when FastCGI cannot start or CGI output
 * fails, 2 (after one line on stderr) when $NEXTAUTH_READ_TIMEOUT is set to
 * anything else than a whole number of seconds in range. */
int na_serve(na_handler h, void *ctx, unsigned long max, void (*ready)(void));

#endif
