/* serve.c — FastCGI loop and CGI fallback (see serve.h). */
#define _GNU_SOURCE /* accept4 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"

extern char **environ;

/* The value of entry e when its name is name ("NAME=value"), else NULL. A byte
 * loop rather than strncmp/strchr: the request path calls it for every param,
 * and a guard runs with cold caches, where each libc routine is more code to
 * fetch (BENCHMARKS.md). */
static const char *value_of(const char *e, const char *name)
{
    size_t k = 0;
    while (name[k] != '\0' && e[k] == name[k])
        k++;
    return name[k] == '\0' && e[k] == '=' ? e + k + 1 : NULL;
}

const char *na_serve_env(na_envp envp, const char *name)
{
    for (; envp && *envp; envp++) {
        const char *v = value_of(*envp, name);
        if (v != NULL)
            return v;
    }
    return NULL;
}

void na_serve_env_pick(na_envp envp, const char *const *names, const char **vals, size_t n)
{
    if (n > NA_ENV_PICK_MAX)
        n = NA_ENV_PICK_MAX;
    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    for (; envp && *envp; envp++) {
        const char *e = *envp, *v;
        for (size_t i = 0; i < n; i++)
            if (vals[i] == NULL && e[0] == names[i][0] && (v = value_of(e, names[i])) != NULL) {
                vals[i] = v;
                break;
            }
    }
}

const char *na_serve_env_cookie(na_envp envp, char *buf, size_t cap)
{
    const char *first = NULL;
    size_t n = 0, count = 0;
    for (na_envp e = envp; e && *e; e++) {
        const char *v = (*e)[0] == 'H' ? value_of(*e, "HTTP_COOKIE") : NULL;
        if (v == NULL)
            continue;
        if (count++ == 0) {
            first = v;
            continue;
        }
        if (count == 2) { /* start the join with the first value */
            n = strlen(first);
            if (n > cap - 1)
                n = cap - 1;
            memcpy(buf, first, n);
        }
        size_t vl = strlen(v);
        for (size_t i = 0; i < 2 + vl && n < cap - 1; i++)
            buf[n++] = i == 0 ? ';' : i == 1 ? ' ' : v[i - 2];
    }
    if (count <= 1)
        return first;
    buf[n] = '\0';
    return buf;
}

static int write_stdout(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static int write_fcgx(void *ctx, const char *p, size_t n)
{
    FCGX_Stream *out = ctx;
    while (n > 0) {
        int chunk = n > 65536 ? 65536 : (int)n;
        if (FCGX_PutStr(p, chunk, out) != chunk)
            return -1;
        p += chunk;
        n -= (size_t)chunk;
    }
    return 0;
}

static void log_fcgx(void *ctx, const char *line)
{
    FCGX_Stream *err = ctx;
    FCGX_PutS(line, err);
    FCGX_PutChar('\n', err);
}

/* --- the read deadline ------------------------------------------------------
 *
 * libfcgi serves one connection at a time and blocks reading a request, so a
 * peer that connects and then sends nothing, or a byte now and then, would hold
 * the process for as long as it likes. The loop therefore accepts connections
 * itself and gives libfcgi each one with a deadline: from the accept (or, on a
 * kept connection, from the end of the previous answer) until FCGX_Accept_r
 * has read the whole FCGI_BEGIN_REQUEST and FCGI_PARAMS, at most `timeout`
 * seconds in all. A one-shot ITIMER_REAL raises SIGALRM at the deadline; its
 * handler (installed without SA_RESTART, so a blocked read returns EINTR) also
 * shuts the connection down, so a read that had not yet begun when the signal
 * came returns at once too. libfcgi then drops the request (or returns it with
 * its parameters cut short, which the loop drops) and FCGX_Accept_r returns;
 * its own accept is given no listener (-1), so it fails at once and hands
 * control back here instead of blocking in accept(2).
 *
 * Writes are bounded by SO_SNDTIMEO (a peer that stops reading), and the close
 * after an answer by close_lingering. Cost: per connection accept4 (instead of
 * libfcgi's accept, and without the 2 s poll it adds on unix sockets) and
 * setsockopt SO_SNDTIMEO; per request two setitimer calls. */

static volatile sig_atomic_t deadline_fd = -1; /* the connection being read, or -1 */
static volatile sig_atomic_t deadline_hit;     /* the deadline cut deadline_fd */
static volatile sig_atomic_t stopping;         /* SIGTERM or SIGUSR1: leave the loop */

static void on_alarm(int sig)
{
    (void)sig;
    int saved = errno;
    int fd = deadline_fd;
    if (fd >= 0) {
        deadline_hit = 1;
        shutdown(fd, SHUT_RDWR); /* async-signal-safe (POSIX.1-2008 §2.4.3) */
    }
    errno = saved;
}

/* libfcgi's own handler for these only sets a flag its accept looks at; ours is
 * the same for our accept. */
static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static int set_handler(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read or accept returns EINTR */
    return sigaction(sig, &sa, NULL);
}

static int is_default(const struct sigaction *sa)
{
    return !(sa->sa_flags & SA_SIGINFO) && (sa->sa_handler == SIG_DFL || sa->sa_handler == SIG_IGN);
}

static void deadline_arm(int fd, const struct itimerval *it)
{
    deadline_hit = 0;
    deadline_fd = fd; /* before the timer runs */
    setitimer(ITIMER_REAL, it, NULL);
}

static void deadline_disarm(void)
{
    static const struct itimerval off;
    setitimer(ITIMER_REAL, &off, NULL);
    deadline_fd = -1; /* after: a signal pending at the disarm still sees its fd */
}

/* NEXTAUTH_READ_TIMEOUT: v (NULL when unset) as whole seconds into *secs: digits
 * only, 1 to NA_READ_TIMEOUT_MAX; unset gives NA_READ_TIMEOUT_DEFAULT. Returns
 * -1 for anything else (empty, a sign, a fraction, spaces, out of range). */
static int read_timeout(const char *v, unsigned *secs)
{
    unsigned n = 0;
    if (v == NULL) {
        *secs = NA_READ_TIMEOUT_DEFAULT;
        return 0;
    }
    if (*v == '\0')
        return -1;
    for (; *v != '\0'; v++) {
        if (*v < '0' || *v > '9')
            return -1;
        n = n * 10 + (unsigned)(*v - '0');
        if (n > NA_READ_TIMEOUT_MAX)
            return -1;
    }
    if (n < 1)
        return -1;
    *secs = n;
    return 0;
}

/* libfcgi's FCGI_WEB_SERVER_ADDRS rule (os_unix.c ClientAddrOK): when list (IPv4
 * addresses separated by commas, each read by inet_addr) is set and not empty, a
 * TCP peer must be one of them. An IPv6 peer passes only as the IPv4-mapped form
 * of a listed address (libfcgi let every IPv6 peer through). Other families
 * (unix sockets) always pass. Returns 1 when allowed. */
static int peer_allowed(const char *list, const struct sockaddr_storage *ss)
{
    if (list == NULL || *list == '\0')
        return 1;
    in_addr_t a;
    if (ss->ss_family == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, ss, sizeof in);
        a = in.sin_addr.s_addr;
    } else if (ss->ss_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, ss, sizeof in6);
        if (!IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
            return 0;
        memcpy(&a, in6.sin6_addr.s6_addr + 12, sizeof a);
    } else {
        return 1;
    }
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[64]; /* a longer item is no address */
        if (n < sizeof item) {
            memcpy(item, p, n);
            item[n] = '\0';
            if (inet_addr(item) == a && a != INADDR_NONE)
                return 1;
        }
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

/* The next connection on the listener (fd 0), close-on-exec, TCP_NODELAY on
 * TCP, refused when FCGI_WEB_SERVER_ADDRS does not list its peer. Returns -1
 * when the loop must end: a stop signal, or an error accept cannot come back
 * from (logged). Running out of descriptors or memory is waited out (100 ms a
 * try, one log line per spell), never spun on. */
static int next_conn(const char *allow)
{
    static int short_of_fds;
    for (;;) {
        if (stopping)
            return -1;
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(STDIN_FILENO, /* FastCGI: the listener */ (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            switch (e) {
            case EINTR:
            case EAGAIN: /* accept(2): on Linux, pending network errors of the new
                          * connection come back from accept; try again */
            case ECONNABORTED:
            case EPROTO:
            case ENETDOWN:
            case ENOPROTOOPT:
            case EHOSTDOWN:
            case ENONET:
            case EHOSTUNREACH:
            case EOPNOTSUPP:
            case ENETUNREACH:
            case ECONNRESET:
            case ETIMEDOUT:
                continue;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                if (!short_of_fds)
                    na_log("cannot accept a connection (%s); trying again every 100 ms",
                           strerror(e));
                short_of_fds = 1;
                nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
                continue;
            default:
                na_log("cannot accept a connection: %s", strerror(e));
                return -1;
            }
        }
        short_of_fds = 0;
        if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
            int one = 1; /* no replies to wait for: no Nagle delay (as libfcgi) */
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (!peer_allowed(allow, &ss)) {
                close(fd);
                continue;
            }
        }
        return fd;
    }
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Close a connection whose answer is out the way libfcgi does (OS_Close: shut
 * our side for writing, then read and drop what the server still sends until
 * it closes, so that late bytes of its do not draw a reset that could make it
 * lose our answer), but for at most secs seconds in all: libfcgi waits up to
 * 2 s per read, which a peer sending a byte now and then stretches for ever. */
static void close_lingering(int fd, unsigned secs)
{
    if (shutdown(fd, SHUT_WR) == 0) {
        char trash[1024];
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long long end = mono_ms() + (long long)secs * 1000;
        for (;;) {
            long long left = end - mono_ms();
            if (left <= 0 || poll(&p, 1, (int)left) <= 0 || read(fd, trash, sizeof trash) <= 0)
                break;
        }
    }
    close(fd);
}

/* End the request: flush the answer and FCGI_END_REQUEST (libfcgi closes the
 * connection itself only when that fails; the connection is detached, so
 * plainly), then close it unless the server asked to keep it (FCGI_KEEP_CONN). */
static void finish(FCGX_Request *req, unsigned secs)
{
    int keep = req->keepConnection;
    req->keepConnection = 1;
    FCGX_Finish_r(req);
    if (req->ipcFd >= 0 && !keep) {
        close_lingering(req->ipcFd, secs);
        req->ipcFd = -1;
    }
}

int na_serve(na_handler h, void *ctx, unsigned long limit, void (*ready)(void))
{
    unsigned timeout;
    const char *tv = getenv("NEXTAUTH_READ_TIMEOUT");
    if (read_timeout(tv, &timeout) < 0) {
        na_log("NEXTAUTH_READ_TIMEOUT=\"%.40s\" is not a whole number of seconds from 1 to %d",
               tv, NA_READ_TIMEOUT_MAX);
        return 2;
    }
    /* The stop signals as the program found them: libfcgi (FCGX_IsCGI) puts its
     * own handler on them when they had none, and so does this loop then. */
    struct sigaction term0, usr10;
    sigaction(SIGTERM, NULL, &term0);
    sigaction(SIGUSR1, NULL, &usr10);

    na_resp r;
    na_resp_init(&r);

    if (FCGX_IsCGI()) {
        h(ctx, environ, &r);
        int rc = na_resp_write(&r, write_stdout, NULL);
        if (fflush(stdout) != 0)
            rc = -1;
        na_resp_free(&r);
        return rc < 0 ? 1 : 0;
    }

    if (FCGX_Init() != 0) {
        na_log("cannot initialise FastCGI");
        return 1;
    }
    FCGX_Request req;
    /* No listener for libfcgi (-1): when a request dies while being read,
     * FCGX_Accept_r's own accept fails at once and returns here. */
    if (FCGX_InitRequest(&req, -1, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        na_log("cannot initialise a FastCGI request");
        return 1;
    }
    if (set_handler(SIGALRM, on_alarm) != 0 ||
        (is_default(&term0) && set_handler(SIGTERM, on_stop) != 0) ||
        (is_default(&usr10) && set_handler(SIGUSR1, on_stop) != 0)) {
        na_log("cannot install the signal handlers: %s", strerror(errno));
        return 1;
    }
    const char *allow = getenv("FCGI_WEB_SERVER_ADDRS");
    const struct itimerval it = {.it_value = {.tv_sec = (time_t)timeout}};
    const struct timeval snd = {.tv_sec = (time_t)timeout};

    if (ready != NULL)
        ready(); /* start-up is over */
    unsigned long served = 0;
    while ((limit == 0 || served < limit) && !stopping) {
        if (req.ipcFd < 0) {
            int fd = next_conn(allow);
            if (fd < 0)
                break;
            /* a peer that stops reading holds a write at most this long */
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd);
            req.ipcFd = fd;
            req.keepConnection = 1; /* FCGX_Accept_r's FCGX_Finish_r must not close it */
            FCGX_Detach(&req);      /* libfcgi closes it plainly, without lingering */
        }
        deadline_arm(req.ipcFd, &it);
        int rc = FCGX_Accept_r(&req);
        deadline_disarm();
        /* libfcgi takes an FCGI_PARAMS stream that ends in a read error or EOF
         * for a complete one (ReadParams stops at the stream's end) and returns
         * the request: one cut by the deadline, or by the peer, is dropped here
         * unanswered, never served on part of its parameters. */
        if (rc == 0 && (deadline_hit || FCGX_GetError(req.in) != 0)) {
            FCGX_Free(&req, 1);
            rc = -1;
        }
        if (rc < 0) { /* the connection is closed (req.ipcFd is -1 again) */
            if (req.ipcFd >= 0) /* not so in libfcgi 2.4.2; never loop on it */
                FCGX_Free(&req, 1);
            if (deadline_hit)
                na_log("closed a connection that sent no complete request within %u s",
                       timeout);
            continue;
        }
        served++;
        na_log_set_sink(log_fcgx, req.err);
        na_resp_reset(&r);
        h(ctx, req.envp, &r);
        na_resp_write(&r, write_fcgx, req.out);
        na_log_set_sink(NULL, NULL);
        finish(&req, timeout);
    }
    FCGX_Free(&req, 1);
    na_resp_free(&r);
    return 0;
}
