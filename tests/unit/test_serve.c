/* SPDX-License-Identifier: MIT */
/* test_serve.c — lib/serve.c: the request environment helpers, the answer
 * writer, NEXTAUTH_READ_TIMEOUT, the FCGI_WEB_SERVER_ADDRS rule, and the FastCGI
 * loop itself in a child process on a unix socket (an idle connection is cut at
 * the deadline and does not count as a request; a real one is answered). */
#include "serve.c" /* first: it asks for _GNU_SOURCE */

#include <string.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "resp.h"
#include "unit.h"

/* na_resp_write's output collected in one buffer. */
struct out {
    char b[512];
    size_t n;
    int calls;
};

static int collect(void *ctx, const char *p, size_t n)
{
    struct out *o = ctx;
    o->calls++;
    if (n > sizeof o->b - o->n)
        return -1;
    memcpy(o->b + o->n, p, n);
    o->n += n;
    return 0;
}

static int writes_fail(void *ctx, const char *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
    return -1;
}

#define CHECK_ANSWER(r, want)                                                                  \
    do {                                                                                       \
        struct out o_ = {.n = 0};                                                              \
        CHECK_EQ_INT(na_resp_write(r, collect, &o_), 0);                                       \
        CHECK_EQ_MEM(o_.b, o_.n, want, sizeof(want) - 1);                                      \
    } while (0)

static void test_resp_write(void)
{
    na_resp r;
    na_resp_init(&r);
    na_resp_status(&r, 200);
    CHECK_ANSWER(&r, "Status: 200 OK\r\n\r\n");
    na_resp_header(&r, "Variable-REMOTE_USER", "ada@example.com");
    na_resp_body(&r, "{}", 2);
    CHECK_ANSWER(&r, "Status: 200 OK\r\nVariable-REMOTE_USER: ada@example.com\r\n\r\n{}");
    r.head_only = 1; /* HEAD: the same head, no body */
    CHECK_ANSWER(&r, "Status: 200 OK\r\nVariable-REMOTE_USER: ada@example.com\r\n\r\n");

    na_resp_reset(&r);
    na_resp_redirect(&r, 307, "http://127.0.0.1/api/auth/signin?callbackUrl=%2F");
    CHECK_ANSWER(&r, "Status: 307 Temporary Redirect\r\n"
                     "Location: http://127.0.0.1/api/auth/signin?callbackUrl=%2F\r\n"
                     "Cache-Control: no-store\r\n\r\n");
    na_resp_reset(&r);
    na_resp_401_json(&r);
    CHECK_ANSWER(&r, "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
                     "Cache-Control: no-store\r\n\r\n{\"message\":\"You must be logged in.\"}");

    /* every status from 100 to 599 is written with its three digits */
    static const int st[] = {100, 109, 199, 204, 404, 418, 503, 599};
    static const char *const line[] = {
        "Status: 100 Unknown\r\n\r\n", "Status: 109 Unknown\r\n\r\n",
        "Status: 199 Unknown\r\n\r\n", "Status: 204 No Content\r\n\r\n",
        "Status: 404 Not Found\r\n\r\n", "Status: 418 Unknown\r\n\r\n",
        "Status: 503 Service Unavailable\r\n\r\n", "Status: 599 Unknown\r\n\r\n"};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        struct out o = {.n = 0};
        na_resp_reset(&r);
        na_resp_status(&r, st[i]);
        CHECK_EQ_INT(na_resp_write(&r, collect, &o), 0);
        CHECK_EQ_MEM(o.b, o.n, line[i], strlen(line[i]));
    }

    /* out of range, a refused header, or nothing set: the fixed 500, never a half answer */
    static const char fallback[] = "Status: 500 Internal Server Error\r\n"
                                   "Content-Type: application/json\r\n"
                                   "Cache-Control: no-store\r\n\r\n"
                                   "{\"message\":\"Internal Server Error\"}";
    na_resp_reset(&r);
    na_resp_status(&r, 600);
    CHECK_ANSWER(&r, fallback);
    na_resp_reset(&r);
    na_resp_status(&r, 200);
    CHECK_EQ_INT(na_resp_header(&r, "X", "a\r\nSet-Cookie: x=1"), -1);
    CHECK_ANSWER(&r, fallback);
    na_resp_reset(&r);
    CHECK_ANSWER(&r, fallback);

    /* a whole answer written before goes out as it is, once; reset forgets it */
    static const char kept[] = "Status: 200 OK\r\nVariable-REMOTE_USER: a@example.com\r\n\r\n";
    na_resp_reset(&r);
    na_resp_whole(&r, 200, kept, sizeof kept - 1);
    CHECK_EQ_INT(r.status, 200);
    struct out ow = {.n = 0};
    CHECK_EQ_INT(na_resp_write(&r, collect, &ow), 0);
    CHECK_EQ_MEM(ow.b, ow.n, kept, sizeof kept - 1);
    CHECK_EQ_INT(ow.calls, 1);
    r.failed = 1; /* a failure still wins: the fixed 500 */
    CHECK_ANSWER(&r, fallback);
    na_resp_reset(&r);
    CHECK(r.whole == NULL);
    na_resp_status(&r, 204);
    CHECK_ANSWER(&r, "Status: 204 No Content\r\n\r\n");

    /* a failing writer is reported */
    na_resp_reset(&r);
    na_resp_status(&r, 200);
    CHECK_EQ_INT(na_resp_write(&r, writes_fail, NULL), -1);
    na_resp_free(&r);
}

static void test_env(void)
{
    char *env[] = {"REQUEST_URI=/x", "HTTP_COOKIE_X=no", "HTTP_COOKIE=a=1", "EMPTY=", NULL};
    CHECK_EQ_STR(na_serve_env(env, "REQUEST_URI"), "/x");
    CHECK_EQ_STR(na_serve_env(env, "HTTP_COOKIE"), "a=1");
    CHECK_EQ_STR(na_serve_env(env, "EMPTY"), "");
    CHECK(na_serve_env(env, "REQUEST") == NULL);
    CHECK(na_serve_env(env, "MISSING") == NULL);
    CHECK(na_serve_env(NULL, "X") == NULL);
}

static void test_env_pick(void)
{
    char *env[] = {"REQUEST_URI=/x", "HTTP_COOKIE_X=no", "HTTP_COOKIE=a=1", "EMPTY=",
                   "NOEQUALS", "REQUEST_URI=/second", "A==b", NULL};
    static const char *const names[] = {"HTTP_COOKIE", "REQUEST_URI", "MISSING", "EMPTY",
                                        "REQUEST", "A", "NOEQUALS"};
    const char *v[7];
    na_serve_env_pick(env, names, v, 7);
    CHECK_EQ_STR(v[0], "a=1");
    CHECK_EQ_STR(v[1], "/x"); /* the first occurrence, as na_serve_env */
    CHECK(v[2] == NULL);
    CHECK_EQ_STR(v[3], "");
    CHECK(v[4] == NULL); /* a prefix of a name is not the name */
    CHECK_EQ_STR(v[5], "=b");
    CHECK(v[6] == NULL); /* an entry without '=' has no value */
    for (size_t i = 0; i < 7; i++) /* the same answers as na_serve_env, one by one */
        CHECK(v[i] == na_serve_env(env, names[i]));
    na_serve_env_pick(NULL, names, v, 2);
    CHECK(v[0] == NULL && v[1] == NULL);
}

static void test_cookie_join(void)
{
    char buf[64];
    char *none[] = {"HTTP_COOKIE_2=x", NULL};
    CHECK(na_serve_env_cookie(none, buf, sizeof buf) == NULL);

    /* one param: returned in place, not copied */
    char *one[] = {"HTTP_COOKIE=a=1; b=2", NULL};
    CHECK(na_serve_env_cookie(one, buf, sizeof buf) == one[0] + 12);

    /* several (nginx with several Cookie fields, HTTP/2 crumbs): joined with "; " */
    char *three[] = {"HTTP_COOKIE=a=1", "X=y", "HTTP_COOKIE=b=2", "HTTP_COOKIE=c=3", NULL};
    CHECK_EQ_STR(na_serve_env_cookie(three, buf, sizeof buf), "a=1; b=2; c=3");

    /* too long: cut at cap - 1, which the cookie parser refuses as too long */
    char small[8];
    const char *j = na_serve_env_cookie(three, small, sizeof small);
    CHECK_EQ_STR(j, "a=1; b=");
    CHECK_EQ_INT(strlen(j), sizeof small - 1);
}

/* --- NEXTAUTH_READ_TIMEOUT ---------------------------------------------------- */

static void test_read_timeout(void)
{
    static const struct {
        int line;
        const char *v;
        int rc;
        unsigned secs;
    } t[] = {
        {__LINE__, NULL, 0, NA_READ_TIMEOUT_DEFAULT},
        {__LINE__, "1", 0, 1},
        {__LINE__, "5", 0, 5},
        {__LINE__, "007", 0, 7},
        {__LINE__, "600", 0, NA_READ_TIMEOUT_MAX},
        {__LINE__, "", -1, 0},
        {__LINE__, "0", -1, 0},
        {__LINE__, "000", -1, 0},
        {__LINE__, "601", -1, 0},
        {__LINE__, "-1", -1, 0},
        {__LINE__, "+1", -1, 0},
        {__LINE__, " 1", -1, 0},
        {__LINE__, "1 ", -1, 0},
        {__LINE__, "1\n", -1, 0},
        {__LINE__, "1.5", -1, 0},
        {__LINE__, "5s", -1, 0},
        {__LINE__, "0x10", -1, 0},
        {__LINE__, "4294967301", -1, 0}, /* 2^32 + 5 must not wrap round to 5 */
        {__LINE__, "99999999999999999999", -1, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        unsigned secs = 12345;
        int ok = CHECK_EQ_INT(read_timeout(t[i].v, &secs), t[i].rc);
        ok &= CHECK_EQ_INT(secs, t[i].rc == 0 ? t[i].secs : 12345); /* untouched on error */
        if (!ok)
            printf("    row at line %d\n", t[i].line);
    }
}

/* --- FCGI_WEB_SERVER_ADDRS -------------------------------------------------------- */

/* The peer address a (IPv4 or IPv6 text) as accept() fills it in. */
static struct sockaddr_storage peer(const char *a)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, a, &in->sin_addr) == 1)
        in->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, a, &in6->sin6_addr) == 1)
        in6->sin6_family = AF_INET6;
    return ss;
}

static void test_peer_allowed(void)
{
    struct sockaddr_storage lo = peer("127.0.0.1"), ten = peer("10.0.0.1");
    struct sockaddr_storage bc = peer("255.255.255.255");
    struct sockaddr_storage mapped = peer("::ffff:127.0.0.1"), six = peer("::1");
    struct sockaddr_storage un = {.ss_family = AF_UNIX};
    char longitem[200];
    memset(longitem, '1', sizeof longitem - 11);
    strcpy(longitem + sizeof longitem - 11, ",127.0.0.1");

    /* no list, or an empty one: everybody (libfcgi's ClientAddrOK) */
    CHECK(peer_allowed(NULL, &lo) && peer_allowed(NULL, &six) && peer_allowed("", &ten));
    CHECK(peer_allowed("127.0.0.1", &lo));
    CHECK(!peer_allowed("127.0.0.1", &ten));
    CHECK(peer_allowed("10.0.0.1,127.0.0.1", &lo) && peer_allowed("10.0.0.1,127.0.0.1", &ten));
    CHECK(!peer_allowed("10.0.0.2,127.0.0.2", &lo));
    CHECK(peer_allowed("bogus,,127.0.0.1", &lo)); /* a bad item matches nothing */
    CHECK(peer_allowed(longitem, &lo) && !peer_allowed(longitem, &ten));
    CHECK(!peer_allowed("127.0.0.1,", &ten));
    /* inet_addr's failure value never matches, not even the address it spells */
    CHECK(!peer_allowed("255.255.255.255", &bc) && !peer_allowed("junk", &bc));
    /* IPv6: an IPv4-mapped peer as its IPv4 address, any other refused */
    CHECK(peer_allowed("127.0.0.1", &mapped) && !peer_allowed("10.0.0.1", &mapped));
    CHECK(!peer_allowed("127.0.0.1", &six));
    CHECK(peer_allowed("127.0.0.1", &un)); /* a unix socket has no address to check */
}

/* --- the loop, in a child --------------------------------------------------------- */

static void answer_hello(void *ctx, na_envp envp, na_resp *r)
{
    (void)ctx;
    const char *uri = na_serve_env(envp, "REQUEST_URI");
    na_resp_status(r, 200);
    na_resp_body(r, uri ? uri : "-", uri ? strlen(uri) : 1);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_unix(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* One FastCGI record, type t, request id 1, content c (n < 256 bytes, no padding). */
static size_t record(unsigned char *out, int t, const void *c, size_t n)
{
    const unsigned char h[8] = {1, (unsigned char)t, 0, 1, 0, (unsigned char)n, 0, 0};
    memcpy(out, h, 8);
    memcpy(out + 8, c, n);
    return 8 + n;
}

/* Read until EOF or `ms` milliseconds; returns the bytes read, -1 on error. */
static ssize_t read_all(int fd, unsigned char *buf, size_t cap, int ms)
{
    size_t n = 0;
    long long end = now_ms() + ms;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < cap) {
        long long left = end - now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return -1;
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        n += (size_t)k;
    }
    return (ssize_t)n;
}

/* The loop in a child, as a FastCGI program: fd 0 a listening unix socket
 * (lp->sock), NEXTAUTH_READ_TIMEOUT=1, limit requests, at most nofile open
 * descriptors (0: no limit), stderr into a pipe (lp->err). */
struct loop_child {
    char dir[32];
    char sock[64];
    pid_t pid;
    int err;
};

static int start_loop(struct loop_child *lp, unsigned long limit, rlim_t nofile)
{
    strcpy(lp->dir, "/tmp/test_serve.XXXXXX");
    if (mkdtemp(lp->dir) == NULL)
        return -1;
    snprintf(lp->sock, sizeof lp->sock, "%s/s", lp->dir);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, lp->sock);
    int l = socket(AF_UNIX, SOCK_STREAM, 0), errp[2];
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 8) != 0 ||
        pipe(errp) != 0)
        return -1;
    fflush(stdout);
    lp->pid = fork();
    if (lp->pid == 0) {
        dup2(l, 0);
        dup2(errp[1], 2);
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        setenv("NEXTAUTH_READ_TIMEOUT", "1", 1);
        if (nofile > 0) {
            struct rlimit rl;
            getrlimit(RLIMIT_NOFILE, &rl);
            rl.rlim_cur = nofile;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        _exit(na_serve(answer_hello, NULL, limit, NULL));
    }
    close(l);
    close(errp[1]);
    lp->err = errp[0];
    return lp->pid > 0 ? 0 : -1;
}

/* Wait for the child; its exit status, or -1. Its stderr (up to cap - 1 bytes,
 * NUL-terminated) into log. */
static int end_loop(struct loop_child *lp, char *log, size_t cap)
{
    int status = -1;
    ssize_t n = read_all(lp->err, (unsigned char *)log, cap - 1, 3000);
    log[n < 0 ? 0 : n] = '\0';
    close(lp->err);
    /* at most 5 s, then the child is killed: a failed check never hangs the run */
    pid_t w = 0;
    for (int i = 0; i < 50 && (w = waitpid(lp->pid, &status, WNOHANG)) == 0; i++)
        nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
    if (w == 0) {
        kill(lp->pid, SIGKILL);
        waitpid(lp->pid, &status, 0);
        status = -1;
    } else if (w != lp->pid || !WIFEXITED(status)) {
        status = -1;
    } else {
        status = WEXITSTATUS(status);
    }
    unlink(lp->sock);
    rmdir(lp->dir);
    return status;
}

/* A whole RESPONDER request for /x; returns the answer's length in buf, or -1. */
static ssize_t ask(const char *sock, unsigned char *buf, size_t cap)
{
    unsigned char req[256];
    static const unsigned char params[] = "\x0b\x02REQUEST_URI/x";
    size_t n = record(req, 1, "\0\1\0\0\0\0\0\0", 8);
    n += record(req + n, 4, params, sizeof params - 1);
    n += record(req + n, 4, "", 0);
    n += record(req + n, 5, "", 0);
    int c = connect_unix(sock);
    ssize_t got = -1;
    if (c >= 0 && write(c, req, n) == (ssize_t)n)
        got = read_all(c, buf, cap, 4000);
    if (c >= 0)
        close(c);
    return got;
}

/* FCGI_STDOUT "Status: 200 OK\r\n\r\n/x" (20 bytes, 4 of padding), its end,
 * then FCGI_END_REQUEST. */
static int is_hello(const unsigned char *buf, ssize_t got)
{
    static const char want[] = "Status: 200 OK\r\n\r\n/x";
    return got == 32 + 8 + 16 && buf[1] == 6 && buf[5] == 20 &&
           memcmp(buf + 8, want, 20) == 0 && buf[33] == 6 && buf[37] == 0 && buf[41] == 3;
}

static void test_loop(void)
{
    struct loop_child lp;
    CHECK(start_loop(&lp, 1, 0) == 0);
    const char *sock = lp.sock;

    /* an idle connection is closed at the deadline (1 s), not before, not long after */
    long long t0 = now_ms();
    int idle = connect_unix(sock);
    CHECK(idle >= 0);
    unsigned char buf[1024];
    CHECK_EQ_INT(read_all(idle, buf, sizeof buf, 4000), 0);
    long long took = now_ms() - t0;
    if (!CHECK(took >= 900 && took <= 2500))
        printf("    the idle connection was closed after %lld ms\n", took);
    close(idle);

    /* half a request (a BEGIN_REQUEST, no PARAMS) is cut too */
    int half = connect_unix(sock);
    unsigned char req[256];
    size_t n = record(req, 1, "\0\1\0\0\0\0\0\0", 8); /* RESPONDER, no KEEP_CONN */
    CHECK(half >= 0 && write(half, req, n) == (ssize_t)n);
    CHECK_EQ_INT(read_all(half, buf, sizeof buf, 4000), 0);
    close(half);

    /* then a whole request is answered: neither cut connection counted */
    ssize_t got = ask(sock, buf, sizeof buf);
    if (!CHECK(is_hello(buf, got)))
        unit_print_bytes("answer", buf, got < 0 ? 0 : (size_t)got);

    /* the child served its one request and exited 0; on its stderr one line per
     * cut connection, nothing else */
    char log[512];
    CHECK_EQ_INT(end_loop(&lp, log, sizeof log), 0);
#define CUT "nextauth: closed a connection that sent no complete request within 1 s\n"
    CHECK_EQ_STR(log, CUT CUT);
#undef CUT
}

/* Out of descriptors, the loop waits (100 ms a try, one log line), does not
 * spin, and serves again once it can. */
static void test_loop_emfile(void)
{
    /* valgrind keeps its own count of the descriptor limit, which prlimit from
     * outside does not change: the child would never accept again */
    const char *pre = getenv("LD_PRELOAD");
    if (pre != NULL && strstr(pre, "vgpreload") != NULL) {
        printf("# test_loop_emfile: skipped under valgrind\n");
        return;
    }
    struct loop_child lp;
    CHECK(start_loop(&lp, 1, 3) == 0); /* 0, 1, 2 in use: accept4 fails, EMFILE */
    unsigned char req[8] = {1, 1, 0, 1, 0, 8, 0, 0};
    int c = connect_unix(lp.sock); /* waits in the listener's backlog */
    CHECK(c >= 0 && write(c, req, 8) == 8);
    struct timespec ms700 = {.tv_nsec = 700 * 1000 * 1000};
    nanosleep(&ms700, NULL);
    /* the child's CPU time meanwhile: a few ms at most, not 700 */
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)lp.pid);
    FILE *f = fopen(path, "r");
    unsigned long ut = 0, st = 0;
    /* without the file ut and st stay 0 and the CPU check below would pass */
    if (CHECK(f != NULL)) {
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        stat[n] = '\0';
        fclose(f);
        const char *p = strrchr(stat, ')');
        /* fields 14 and 15, utime and stime, in clock ticks */
        CHECK(p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                                  &ut, &st) == 2);
    }
    long tick_ms = 1000 / sysconf(_SC_CLK_TCK);
    if (!CHECK((ut + st) * (unsigned long)tick_ms <= 100))
        printf("    the loop used %lu ms of CPU in 700 ms without descriptors\n",
               (ut + st) * (unsigned long)tick_ms);
    close(c);

    /* descriptors again (the soft limit raised from here): the next request is served */
    struct rlimit rl;
    CHECK(prlimit(lp.pid, RLIMIT_NOFILE, NULL, &rl) == 0);
    rl.rlim_cur = rl.rlim_max < 64 ? rl.rlim_max : 64;
    CHECK(prlimit(lp.pid, RLIMIT_NOFILE, &rl, NULL) == 0);
    unsigned char buf[1024];
    ssize_t got = ask(lp.sock, buf, sizeof buf);
    CHECK(is_hello(buf, got));
    char log[512];
    CHECK_EQ_INT(end_loop(&lp, log, sizeof log), 0);
    CHECK_EQ_STR(log, "nextauth: cannot accept a connection (Too many open files); "
                      "trying again every 100 ms\n");
}


int main(void)
{
    RUN(test_env);
    RUN(test_env_pick);
    RUN(test_cookie_join);
    RUN(test_resp_write);
    RUN(test_read_timeout);
    RUN(test_peer_allowed);
    RUN(test_loop);
    RUN(test_loop_emfile);
    return unit_done();
}
