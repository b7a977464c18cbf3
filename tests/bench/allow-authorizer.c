/* allow-authorizer — the cheapest possible FastCGI authorizer: every request is
 * allowed with a fixed REMOTE_USER. The end-to-end benchmark puts it in front of
 * the same file as the guard to measure the ceiling any authorizer can reach on
 * the server; the guard's target is 90 % of it. Never use it anywhere else. */
#include <fcgiapp.h>

int main(void)
{
    FCGX_Request req;
    static const char allow[] = "Status: 200 OK\r\nVariable-REMOTE_USER: bench\r\n\r\n";
    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        FCGX_PutStr(allow, sizeof allow - 1, req.out);
        FCGX_Finish_r(&req);
    }
    return 0;
}
