/* SPDX-License-Identifier: MIT */
/* nextauth-guard — withAuth for Apache, lighttpd and nginx: checks the NextAuth
 * session cookie of every request it is asked about (FastCGI AUTHORIZER, nginx
 * auth_request, or a plain RESPONDER / CGI "may I" endpoint); see lib/guard.h.
 *
 * Configuration is read once at start. A configuration that cannot be read or
 * parsed stops the program with one line on stderr (lighttpd then refuses to
 * start: loud, never half-configured). A missing secret does not stop it: every
 * guarded request is then refused (307 to the error page, 500 on APIs). */
#include "app.h"
#include "guard.h"
#include "log.h"
#include "memory.h"
#include "serve.h"
#include "timefmt.h"

static void handle(void *ctx, na_envp envp, na_resp *r)
{
    na_app *a = ctx;
    static char cookies[NA_COOKIE_HEADER_MAX + 2];
    static const char *const names[] = {"REQUEST_URI",        "HTTP_AUTHORIZATION",
                                        "HTTP_ACCEPT",        "HTTP_X_REQUESTED_WITH",
                                        "HTTP_SEC_FETCH_MODE", "FCGI_ROLE",
                                        "NEXTAUTH_GUARD_MODE", "FCGI_APACHE_ROLE"};
    const char *v[sizeof names / sizeof names[0]];
    na_serve_env_pick(envp, names, v, sizeof names / sizeof names[0]);
    na_guard_req rq = {
        .request_uri = v[0],
        .cookie = na_serve_env_cookie(envp, cookies, sizeof cookies),
        .authorization = v[1],
        .accept = v[2],
        .x_requested_with = v[3],
        .sec_fetch_mode = v[4],
        .fcgi_role = v[5],
        .mode = v[6],
        .apache_role = v[7],
        .params = envp,
    };
    na_guard_respond(&a->g, &rq, na_timefmt_now_ms(), r);
}

static const char about[] =
    "withAuth for web servers: checks the NextAuth session of each request it\n"
    "is asked about, as a FastCGI authorizer (Apache, lighttpd), for nginx's\n"
    "auth_request, or as a responder that tells who is signed in.\n";

int main(int argc, char **argv)
{
    static na_app a;
    na_err err;

    na_memory_fast_json(); /* first: no jansson value may exist before it */
    na_log_set_prog("nextauth-guard");
    int cli = na_app_command_line(argc, argv, "nextauth-guard", about);
    if (cli >= 0)
        return cli;
    if (na_app_load(&a, NULL, NA_APP_GUARD | NA_APP_READ_ONLY,
                    "every guarded request will be refused until it is set", &err) < 0) {
        na_log("%s", err.msg);
        return 2;
    }
    int rc = na_app_serve(handle, &a, na_memory_trim_hook); /* start-up is over: memory.h */
    na_app_free(&a);
    return rc;
}
