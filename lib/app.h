/* SPDX-License-Identifier: MIT */
/* app.h — what every program of the project does around its requests, written
 * once: read the configuration, build the token verifier from it (a missing
 * secret is tolerated: every session is then refused, and the program says so
 * once), prepare the guard when the program needs it, and run the FastCGI loop
 * for at most NEXTAUTH_MAX_REQUESTS requests. nextauth-guard, nextauth-session
 * and the page API (nextauth.h) are thin callers: each gives its handler, the
 * line that tells what a missing secret means for it, and its memory policy. */
#ifndef NA_APP_H
#define NA_APP_H

#include "config.h"
#include "err.h"
#include "guard.h"
#include "serve.h"
#include "source.h"

typedef struct {
    na_config cfg;
    na_source src; /* where sessions come from; src.have_v 0: no usable secret */
    na_guard g;
    int have_g; /* the guard was asked for (NA_APP_GUARD) and is ready */
} na_app;

/* na_app_load flags */
#define NA_APP_GUARD 1     /* also prepare the guard (na_guard_init) */
#define NA_APP_READ_ONLY 2 /* never write to the session store (the guard program) */

/* Load a (every field set here): the configuration from config_path (NULL: as
 * na_config_load reads it, NEXTAUTH_CONFIG and the environment) with
 * na_config_warn's lines logged, the session source, and with NA_APP_GUARD the
 * guard. Without a usable secret, src.have_v is 0 and one line
 * "NO_SECRET: <reason>; <no_secret_effect>" is logged. Returns 0, or -1
 * with err filled and nothing left to free. */
int na_app_load(na_app *a, const char *config_path, int flags, const char *no_secret_effect,
                na_err *err);

/* The command line of a FastCGI program, written once for every program. It
 * is one only when the program has arguments and no server started it: no
 * GATEWAY_INTERFACE in the environment (every CGI request has one; Apache's
 * mod_cgi even turns an ISINDEX query into arguments) and standard input is
 * not a socket (FastCGI's listener, or a connection handed over). Then
 * "--help" (or "-h") prints the usage — "Usage: <prog> [--help | --version]",
 * about (what the program is, a few lines ending in '\n'), where it reads its
 * configuration — on stdout, "--version" prints "<prog> <version>", and
 * anything else prints the usage on stderr. Returns the exit status then (0,
 * or 2 for anything else), or -1 when it is no command line: the program
 * serves as it always does. */
int na_app_command_line(int argc, char **argv, const char *prog, const char *about);

/* na_serve (serve.h) with h and ctx, at most $NEXTAUTH_MAX_REQUESTS requests
 * (unset: no limit), ready called before the first FastCGI request. Returns the
 * process exit status. */
int na_app_serve(na_handler h, void *ctx, void (*ready)(void));

/* Free what na_app_load made (the guard's cache wiped). Safe on an app whose
 * load failed. */
void na_app_free(na_app *a);

#endif
