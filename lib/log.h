/* SPDX-License-Identifier: MIT */
/* log.h — one line per event to the server's error log. In a FastCGI request the
 * line goes to the FCGI_STDERR stream (lighttpd and Apache write it to their
 * error logs; docs/servers.md, Where log lines go); otherwise to stderr (a CGI
 * program's stderr is the server's error log). Lines never carry a token, a
 * cookie value or a secret: callers pass reasons, names and lengths only. */
#ifndef NA_LOG_H
#define NA_LOG_H

/* Where lines go: a function writing one complete line (without newline). NULL
 * restores stderr. The FastCGI loop sets this per request. */
typedef void (*na_log_sink)(void *ctx, const char *line);
void na_log_set_sink(na_log_sink sink, void *ctx);

/* The program name that starts every line ("nextauth-session"). */
void na_log_set_prog(const char *prog);

/* Write "<prog>: <formatted text>" as one line. Control bytes in the result are
 * replaced by '?', so a line can never be split by what it quotes. */
void na_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
