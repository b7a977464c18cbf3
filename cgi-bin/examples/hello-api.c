/* SPDX-License-Identifier: MIT */
/* hello-api — the NextAuth docs' API route (getServerSession in pages/api) as a
 * FastCGI program:
 *
 *   export default async function handler(req, res) {
 *     const session = await getServerSession(req, res, authOptions)
 *     if (!session) {
 *       res.status(401).json({ message: "You must be logged in." })
 *       return
 *     }
 *     return res.json({ message: "Success" })
 *   }
 *
 * getServerSession(req, res, …) also rolls the session cookie (or clears a bad
 * one) on res: nextauth_refresh. */
#include <stdio.h>
#include <string.h>

#include <nextauth.h>

static void handle(nextauth_req *req, void *user)
{
    static const char success[] = "{\"message\":\"Success\"}";
    (void)user;

    nextauth_refresh(req);                 /* getServerSession(req, res, …) */
    if (!nextauth_session(req)) {          /* if (!session) */
        nextauth_respond_401(req);         /* res.status(401).json(…) */
        return;
    }
    nextauth_respond(req, 200, "application/json", success, strlen(success));
}

int main(void)
{
    char why[256];
    nextauth_app *app = nextauth_app_load(NULL, why, sizeof why);
    if (app == NULL) {
        fprintf(stderr, "hello-api: %s\n", why);
        return 2;
    }
    int rc = nextauth_serve(app, handle, NULL);
    nextauth_app_free(app);
    return rc;
}
