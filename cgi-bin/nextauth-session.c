/* nextauth-session — getServerSession as a FastCGI (or CGI) program: answers
 * GET /api/auth/session as next-auth does, with the rolling cookie refresh.
 *
 * Configuration is read once at start (NEXTAUTH_CONFIG, NEXTAUTH_SECRET,
 * NEXTAUTH_URL, see README). A configuration file that cannot be read or parsed
 * stops the program with one line on stderr. A missing secret does not: every
 * request then gets NextAuth's 500 configuration error and a log line. */
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "memory.h"
#include "serve.h"
#include "session.h"
#include "timefmt.h"
#include "token.h"

struct app {
    na_config cfg;
    na_verifier v;
    int have_verifier;
};

static void handle(void *ctx, na_envp envp, na_resp *r)
{
    struct app *a = ctx;
    static char cookies[NA_COOKIE_HEADER_MAX + 2];
    na_session_respond(a->have_verifier ? &a->v : NULL, &a->cfg,
                       na_env(envp, "REQUEST_METHOD"), na_env_cookie(envp, cookies, sizeof cookies),
                       na_now_ms(), r);
}

int main(void)
{
    static struct app a;
    na_err err;

    na_mem_fast_json(); /* first: no jansson value may exist before it */
    na_log_set_prog("nextauth-session");
    if (na_config_load(&a.cfg, NULL, &err) < 0) {
        na_log("%s", err.msg);
        return 2;
    }
    if (na_verifier_init(&a.v, &a.cfg, NULL, &err) == 0)
        a.have_verifier = 1;
    else if (err.code == NA_E_NO_SECRET)
        na_log("NO_SECRET: %s; every request will get a 500 until it is set", err.msg);
    else {
        na_log("%s", err.msg);
        na_config_free(&a.cfg);
        return 2;
    }
    const char *limit = getenv("NEXTAUTH_MAX_REQUESTS");
    int rc = na_serve_n(handle, &a, limit ? strtoul(limit, NULL, 10) : 0);
    na_verifier_free(&a.v);
    na_config_free(&a.cfg);
    return rc;
}
