/* SPDX-License-Identifier: MIT */
/* nextauth-session — getServerSession as a FastCGI (or CGI) program: answers
 * GET /api/auth/session as next-auth does, with the rolling cookie refresh.
 *
 * Configuration is read once at start (NEXTAUTH_CONFIG, NEXTAUTH_SECRET,
 * NEXTAUTH_URL, see README). A configuration file that cannot be read or parsed
 * stops the program with one line on stderr. A missing secret does not: every
 * request then gets NextAuth's 500 configuration error and a log line. */
#include "app.h"
#include "log.h"
#include "memory.h"
#include "serve.h"
#include "session.h"
#include "timefmt.h"

static void handle(void *ctx, na_envp envp, na_resp *r)
{
    na_app *a = ctx;
    static char cookies[NA_COOKIE_HEADER_MAX + 2];
    na_session_respond(&a->src, &a->cfg, na_serve_env(envp, "REQUEST_METHOD"),
                       na_serve_env_cookie(envp, cookies, sizeof cookies), na_timefmt_now_ms(),
                       r);
}

static const char about[] =
    "getServerSession for web servers: answers GET /api/auth/session as\n"
    "next-auth does, with the rolling refresh of the session cookie.\n";

int main(int argc, char **argv)
{
    static na_app a;
    na_err err;

    na_memory_fast_json(); /* first: no jansson value may exist before it */
    na_log_set_prog("nextauth-session");
    int cli = na_app_command_line(argc, argv, "nextauth-session", about);
    if (cli >= 0)
        return cli;
    if (na_app_load(&a, NULL, 0, "every request will get a 500 until it is set", &err) < 0) {
        na_log("%s", err.msg);
        return 2;
    }
    int rc = na_app_serve(handle, &a, na_memory_trim_hook); /* start-up is over: memory.h */
    na_app_free(&a);
    return rc;
}
