/* SPDX-License-Identifier: MIT */
/* protected-page — the NextAuth docs' getServerSideProps page as a FastCGI
 * program:
 *
 *   export async function getServerSideProps(context) {
 *     const session = await getServerSession(context.req, context.res, authOptions)
 *     if (!session) {
 *       return { redirect: { destination: '/', permanent: false } }
 *     }
 *     return { props: { session } }
 *   }
 *
 * and, as the App Router example renders it, <pre>{JSON.stringify(session, null, 2)}</pre>.
 * No session: 307 to / (what Next.js sends for permanent: false). A session: the
 * page, with the rolled session cookie that getServerSession sets on res. */
#include <stdio.h>
#include <string.h>

#include <nextauth.h>

static const char head[] = "<!DOCTYPE html>\n"
                           "<html lang=\"en\">\n"
                           "<head><meta charset=\"utf-8\"><title>Protected page</title></head>\n"
                           "<body>\n"
                           "<pre>";
static const char tail[] = "</pre>\n"
                           "</body>\n"
                           "</html>\n";

static void handle(nextauth_req *req, void *user)
{
    (void)user;

    nextauth_refresh(req);                 /* getServerSession(context.req, context.res, …) */
    if (!nextauth_session(req)) {          /* if (!session) */
        nextauth_redirect(req, "/", 307);  /* permanent: false */
        return;
    }
    nextauth_respond(req, 200, "text/html; charset=utf-8", head, strlen(head));
    nextauth_append_html(req, nextauth_session_json(req, 2)); /* JSON.stringify(session, null, 2) */
    nextauth_append(req, tail, strlen(tail));
}

int main(void)
{
    char why[256];
    nextauth_app *app = nextauth_app_load(NULL, why, sizeof why);
    if (app == NULL) {
        fprintf(stderr, "protected-page: %s\n", why);
        return 2;
    }
    int rc = nextauth_serve(app, handle, NULL);
    nextauth_app_free(app);
    return rc;
}
