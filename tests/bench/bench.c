/* SPDX-License-Identifier: MIT */
/* bench — what one check costs, case by case (`make bench`).
 *
 * Prints one line per case: `bench <case> <ops/s> <ns/op>`, the median of ROUNDS
 * timed rounds after a warm-up, single thread, CLOCK_MONOTONIC. Then the ratio
 * the performance target is about (verify-v4-cookie / floor-aes256gcm).
 * Tokens are minted here with a fixed secret and claims shaped like a real
 * Google sign-in (the 465-byte cookie of the vectors).
 *
 * The floor is the cheapest EVP sequence for one AES-256-GCM decryption (the
 * one lib/jwe.c uses: one init with IV and tag, then EVP_Cipher). verify-*
 * check a Cookie header the way the guard does (na_token_find, then
 * na_token_decode_view: claims read in place where the view takes them);
 * verify-v4-cookie-tree the way the session endpoint and the page API do
 * (na_token_get: a jansson tree).
 *
 * verify-db-* look a database session up the guard's way (na_source_find on
 * a source opened read-only): the cookie's opaque token, the row and its user
 * in one query, the claims. The databases are tests/bench/db.sh's, 10 000
 * sessions in the Prisma schema: a SQLite file in SQLite's default journal
 * mode, a copy in WAL mode (verify-db-sqlite-wal), and a private PostgreSQL
 * on its Unix socket; made in a temp folder and removed at the end, or the
 * ones of BENCH_DB_DIR when set (left alone). Each call takes the next
 * session's cookie, round robin over all of them, so that no answer is a
 * repeat. A
 * line "cpu CASE user=… sys=… [server=…]" after each says where the time
 * went: this process's user and system CPU per call, and the PostgreSQL
 * server's. Two floors to read them by: floor-syscall (one system call that
 * does nothing: what each of a lookup's system calls costs at least here)
 * and floor-pg-select1 (a prepared SELECT 1 through libpq on the same
 * socket: the round trip any PostgreSQL query costs).
 *
 * `bench CASE...` runs only those cases (and the floor), e.g. under perf. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "config.h"
#include "guard.h"
#include "memory.h"
#include "resp.h"
#include "session.h"
#include "timefmt.h"
#include "source.h"
#include "token.h"

#define ROUNDS 7

static const char claims_json[] =
    "{\"name\":\"Ada Lovelace\",\"email\":\"ada.lovelace@example.com\","
    "\"picture\":\"https://lh3.googleusercontent.com/a/ACg8ocJ4kLm2Qz7Xv9pT3sR8wYbN1cD6eF0gH5iJ2kL7mN9o=s96-c\","
    "\"sub\":\"112233445566778899001\"}";
static const char secret[] = "hY7y7aL0ZrS1o4Vt6+3Qb9cJxW2mN5pK8dF1gE4uT0s=";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef void (*bench_fn)(void *ctx);

/* Run fn in rounds of n calls, n chosen so that a round takes ~0.2 s; report
 * the median round. Returns ns/op. */
static char **only; /* argv: run just these cases (all when empty) */
static int nonly;

static int selected(const char *name)
{
    if (nonly == 0 || strcmp(name, "floor-aes256gcm") == 0) /* the floor always runs */
        return 1;
    for (int i = 0; i < nonly; i++)
        if (strcmp(only[i], name) == 0)
            return 1;
    return 0;
}

static double run(const char *name, bench_fn fn, void *ctx)
{
    if (!selected(name))
        return 0;
    long n = 1;
    for (;;) { /* warm-up and calibration */
        double t0 = now_s();
        for (long i = 0; i < n; i++)
            fn(ctx);
        double dt = now_s() - t0;
        if (dt > 0.05) {
            n = (long)((double)n * 0.2 / dt) + 1;
            break;
        }
        n *= 4;
    }
    double per[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_s();
        for (long i = 0; i < n; i++)
            fn(ctx);
        per[r] = (now_s() - t0) / (double)n;
    }
    qsort(per, ROUNDS, sizeof per[0], cmp_double);
    double ns = per[ROUNDS / 2] * 1e9;
    printf("bench %s %.0f %.0f\n", name, 1e9 / ns, ns);
    fflush(stdout);
    return ns;
}

static void die(const char *what, const na_err *e)
{
    fprintf(stderr, "bench: %s: %s\n", what, e ? e->msg : "failed");
    exit(1);
}

/* ---- floor: bare AES-256-GCM decrypt of the same ciphertext, the cheapest
 * EVP way (lib/jwe.c gcm_decrypt) ---- */
struct floor_ctx {
    EVP_CIPHER_CTX *c;
    unsigned char iv[12], tag[16], ct[1024], pt[1024];
    size_t ctlen;
    const char *aad;
    size_t aadlen;
};

static void floor_fn(void *p)
{
    struct floor_ctx *f = p;
    OSSL_PARAM tagp[] = {OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, f->tag, 16),
                      OSSL_PARAM_END};
    if (EVP_DecryptInit_ex2(f->c, NULL, NULL, f->iv, tagp) != 1 ||
        EVP_Cipher(f->c, NULL, (const unsigned char *)f->aad, (unsigned)f->aadlen) != (int)f->aadlen ||
        EVP_Cipher(f->c, f->pt, f->ct, (unsigned)f->ctlen) != (int)f->ctlen ||
        EVP_Cipher(f->c, NULL, NULL, 0) != 0)
        die("floor decrypt", NULL);
}

/* ---- getToken from a Cookie header ---- */
struct get_ctx {
    na_source *src;
    const char *cookie;
    long long now;
};

static void get_with(struct get_ctx *g, unsigned flags)
{
    na_source_req rq = {.cookie = g->cookie, .cookie_len = strlen(g->cookie)};
    na_source_result ss;
    if (na_source_find(g->src, &rq, g->now * 1000, flags, &ss) != NA_SOURCE_FOUND)
        die("verify", &ss.err);
    na_source_done(g->src, &ss);
}

static void get_fn(void *p) /* the guard's way: a view of the claims */
{
    get_with(p, NA_SOURCE_VIEW);
}

static void get_tree_fn(void *p) /* the session endpoint's: a tree */
{
    get_with(p, 0);
}

/* ---- session refresh ---- */
struct session_ctx {
    na_source *src;
    na_config *cfg;
    const char *cookie;
    na_resp r;
};

static void session_fn(void *p)
{
    struct session_ctx *s = p;
    na_resp_reset(&s->r);
    na_session_respond(s->src, s->cfg, "GET", s->cookie, na_timefmt_now_ms(), &s->r);
    if (s->r.status != 200 || s->r.failed)
        die("session", NULL);
}

/* ---- guard decision ---- */
struct guard_ctx {
    na_guard *g;
    na_guard_req rq;
    long long now;
    int want;
    na_resp r;
};

static void guard_fn(void *p)
{
    struct guard_ctx *g = p;
    na_resp_reset(&g->r);
    if ((int)na_guard_respond(g->g, &g->rq, g->now * 1000, &g->r) != g->want)
        die("guard decision", NULL);
}

/* ---- database sessions (tests/bench/db.sh) ---- */
static char dbdir[4096];         /* the databases' folder */
static int dbdir_ours;           /* made here: stop and remove it at the end */
static volatile pid_t postmaster; /* the private PostgreSQL, while it runs */

/* Run `. db.sh && SCRIPT` in bash (db.sh: the one next to this program) with
 * $D = dbdir, stdout to stderr. Returns the exit status, or -1. */
static int db_sh(const char *script)
{
    char cmd[512], self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash != NULL)
        *slash = '\0';
    setenv("BENCH_HERE", self, 1);
    snprintf(cmd, sizeof cmd, ". \"$BENCH_HERE/db.sh\" && %s >&2", script);
    fflush(stdout);
    pid_t p = fork();
    if (p < 0)
        return -1;
    if (p == 0) {
        setenv("D", dbdir, 1);
        execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(p, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line of dbdir/name into out (empty when there is none). */
static void db_file_line(const char *name, char *out, size_t cap)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dbdir, name);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)cap, f) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static void db_stop(void)
{
    if (!dbdir_ours || dbdir[0] == '\0')
        return;
    db_sh("bench_db_stop \"$D\"");
    postmaster = 0;
    db_sh("rm -rf -- \"$D\"");
    dbdir[0] = '\0';
}

/* A signal must not leave the server running: immediate shutdown, then die. */
static void on_fatal(int sig)
{
    if (postmaster > 0)
        kill(postmaster, SIGQUIT);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The databases: BENCH_DB_DIR's, or made now. 0, or -1 (said on stderr). */
static int db_ready(void)
{
    const char *given = getenv("BENCH_DB_DIR");
    if (given != NULL && given[0] != '\0') {
        snprintf(dbdir, sizeof dbdir, "%s", given);
        return 0;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dbdir, sizeof dbdir, "%s/nextauth-bench-db.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(dbdir) == NULL) {
        perror("bench: mkdtemp");
        return -1;
    }
    dbdir_ours = 1;
    atexit(db_stop);
    signal(SIGINT, on_fatal);
    signal(SIGTERM, on_fatal);
    signal(SIGSEGV, on_fatal);
    signal(SIGABRT, on_fatal);
    int rc = db_sh("bench_db_start \"$D\"");
    char pid[32];
    db_file_line("pg/pg.pid", pid, sizeof pid);
    postmaster = (pid_t)atol(pid);
    if (rc != 0) {
        fprintf(stderr, "bench: tests/bench/db.sh could not make the databases\n");
        return -1;
    }
    return 0;
}

struct db_ctx {
    na_config cfg;
    na_source src;
    char **cookies; /* Cookie headers, one per session */
    size_t *lens;
    size_t n, i;
    long long now_ms;
    long calls;
};

/* The cookies of dbdir/cookies.txt into d. 0, or -1. */
static int db_cookies(struct db_ctx *d)
{
    char path[4200], line[256];
    snprintf(path, sizeof path, "%s/cookies.txt", dbdir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t cap = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (d->n == cap) {
            cap = cap ? 2 * cap : 1024;
            d->cookies = realloc(d->cookies, cap * sizeof *d->cookies);
            d->lens = realloc(d->lens, cap * sizeof *d->lens);
            if (d->cookies == NULL || d->lens == NULL)
                die("cookies", NULL);
        }
        d->lens[d->n] = strlen(line);
        d->cookies[d->n++] = strdup(line);
    }
    fclose(f);
    return d->n > 0 ? 0 : -1;
}

/* The guard's source on dbdir/config (read-only). 0, or -1 with why filled. */
static int db_open(struct db_ctx *d, const char *config, char *why, size_t cap)
{
    char path[4200];
    na_err err;
    snprintf(path, sizeof path, "%s/%s", dbdir, config);
    if (na_config_load(&d->cfg, path, &err) < 0 ||
        na_source_init(&d->src, &d->cfg, NA_SOURCE_READ_ONLY, &err) < 0) {
        snprintf(why, cap, "%s", err.msg);
        return -1;
    }
    if (d->src.store == NULL) {
        snprintf(why, cap, "%s", d->src.unavailable.msg);
        na_source_free(&d->src);
        na_config_free(&d->cfg);
        return -1;
    }
    if (db_cookies(d) < 0) {
        snprintf(why, cap, "no cookies in the folder's cookies.txt");
        na_source_free(&d->src);
        na_config_free(&d->cfg);
        return -1;
    }
    d->now_ms = na_timefmt_now_ms();
    return 0;
}

static void db_close(struct db_ctx *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->cookies[i]);
    free(d->cookies);
    free(d->lens);
    na_source_free(&d->src);
    na_config_free(&d->cfg);
}

static void db_fn(void *p) /* the guard's lookup, the next session's cookie */
{
    struct db_ctx *d = p;
    na_source_req rq = {.cookie = d->cookies[d->i], .cookie_len = d->lens[d->i]};
    na_source_result ss;
    if (++d->i == d->n)
        d->i = 0;
    d->calls++;
    if (na_source_find(&d->src, &rq, d->now_ms, NA_SOURCE_VIEW, &ss) != NA_SOURCE_FOUND)
        die("database session", &ss.err);
    na_source_done(&d->src, &ss);
}

static double tv_us(const struct timeval *b, const struct timeval *a)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e6 + (double)(b->tv_usec - a->tv_usec);
}

/* CPU time (user + system, µs) of the PostgreSQL server's processes so far:
 * the postmaster's children (the backends among them), or -1. */
static long long server_cpu_us(void)
{
    char pid[32], path[128], buf[4096];
    db_file_line("pg/pg.pid", pid, sizeof pid);
    if (pid[0] == '\0')
        return -1;
    snprintf(path, sizeof path, "/proc/%s/task/%s/children", pid, pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long long ticks = 0;
    long child;
    while (fscanf(f, "%ld", &child) == 1) {
        snprintf(path, sizeof path, "/proc/%ld/stat", child);
        FILE *st = fopen(path, "r");
        if (st == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, st);
        fclose(st);
        buf[n] = '\0';
        char *p = strrchr(buf, ')'); /* the fields after the command name */
        unsigned long long ut, stt;
        if (p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                                &ut, &stt) == 2)
            ticks += (long long)(ut + stt);
    }
    fclose(f);
    return ticks * 1000000 / sysconf(_SC_CLK_TCK);
}

/* run(), then a line "cpu NAME user=… sys=… [server=…] per call": this
 * process's user and system time per call over all its calls (calibration
 * included: *calls counts them), and with server the PostgreSQL server's. */
static double run_cpu(const char *name, bench_fn fn, void *ctx, const long *calls, int server)
{
    struct rusage r0, r1;
    long long srv0 = server ? server_cpu_us() : -1;
    long c0 = *calls;
    getrusage(RUSAGE_SELF, &r0);
    double ns = run(name, fn, ctx);
    getrusage(RUSAGE_SELF, &r1);
    long long srv1 = server ? server_cpu_us() : -1;
    if (ns == 0)
        return 0;
    double n = (double)(*calls - c0);
    printf("cpu %s user=%.1fus sys=%.1fus", name, tv_us(&r1.ru_utime, &r0.ru_utime) / n,
           tv_us(&r1.ru_stime, &r0.ru_stime) / n);
    if (srv0 >= 0 && srv1 >= 0)
        printf(" server=%.1fus", (double)(srv1 - srv0) / n);
    printf(" per call (%ld calls)\n", *calls - c0);
    fflush(stdout);
    return ns;
}

/* ---- floors of a database lookup on this machine ---- */
static void syscall_fn(void *p) /* one system call that does nothing */
{
    (void)p;
    syscall(SYS_getppid);
}

struct select1_ctx {
    PGconn *c;
    long calls;
};

static void select1_fn(void *p) /* one round trip: a prepared SELECT 1 */
{
    struct select1_ctx *x = p;
    PGresult *r = PQexecPrepared(x->c, "one", 0, NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die("SELECT 1", NULL);
    PQclear(r);
    x->calls++;
}

/* floor-pg-select1 on the server of dbdir/pg.url, or say why it is skipped. */
static double run_select1(const char *skip)
{
    const char *name = "floor-pg-select1";
    if (!selected(name))
        return 0;
    char url[4096], why[300];
    struct select1_ctx x = {0};
    db_file_line("pg.url", url, sizeof url);
    if (skip != NULL && skip[0] != '\0') {
        snprintf(why, sizeof why, "%s", skip);
    } else if ((x.c = PQconnectdb(url)) == NULL || PQstatus(x.c) != CONNECTION_OK) {
        snprintf(why, sizeof why, "cannot connect to the benchmark's PostgreSQL");
    } else {
        PGresult *r = PQprepare(x.c, "one", "SELECT 1", 0, NULL);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok) {
            double ns = run_cpu(name, select1_fn, &x, &x.calls, 1);
            PQfinish(x.c);
            return ns;
        }
        snprintf(why, sizeof why, "PQprepare failed");
    }
    PQfinish(x.c);
    printf("bench %s skipped: %s\n", name, why);
    return 0;
}

/* Run case name on dbdir/config, or say why it is skipped. Returns ns/op, or 0.
 * The cpu line of run_cpu follows (for PostgreSQL with the server's). */
static double run_db(const char *name, const char *config, const char *skip)
{
    if (!selected(name))
        return 0;
    char why[300] = "";
    struct db_ctx d = {0};
    if (skip != NULL && skip[0] != '\0') {
        snprintf(why, sizeof why, "%s", skip);
    } else if (db_open(&d, config, why, sizeof why) == 0) {
        double ns = run_cpu(name, db_fn, &d, &d.calls, strstr(config, "pg") != NULL);
        db_close(&d);
        return ns;
    }
    printf("bench %s skipped: %s\n", name, why);
    fflush(stdout);
    return 0;
}

static char *mint(na_config *cfg, na_format f, const char *claims, long long now, na_err *err)
{
    na_verifier v;
    cfg->format = f;
    if (na_source_token_init(&v, cfg, NULL, err) < 0)
        die("verifier", err);
    json_t *c = json_loads(claims, 0, NULL);
    char *tok = na_token_encode(&v, c, 2592000, now, err);
    json_decref(c);
    na_token_free(&v);
    if (tok == NULL)
        die("encode", err);
    return tok;
}

static char *cookie_of(const char *name, const char *tok)
{
    char *c = malloc(strlen(name) + strlen(tok) + 2);
    sprintf(c, "%s=%s", name, tok);
    return c;
}

int main(int argc, char **argv)
{
    only = argv + 1;
    nonly = argc - 1;
    /* Jansson's blocks come from the same free lists as in the guard and the
     * session programs (memory.h); NEXTAUTH_PLAIN_MALLOC=1 measures glibc's. */
    fprintf(stderr, "bench: jansson allocator: %s\n",
            na_memory_fast_json() == 0 ? "free lists (as the programs)" : "malloc");
    na_config cfg;
    na_err err;
    long long now = (long long)time(NULL);

    na_config_init(&cfg);
    if (na_config_set_secret(&cfg, secret, "bench", &err) < 0)
        die("secret", &err);
    cfg.url = strdup("http://localhost:3000");

    /* tokens of each format */
    char *v4 = mint(&cfg, NA_FMT_V4, claims_json, now, &err);
    char *v5 = mint(&cfg, NA_FMT_V5, claims_json, now, &err);
    char *jws = mint(&cfg, NA_FMT_JWS, claims_json, now, &err);
    /* a token of ~9 800 characters: three chunks */
    char big[8000];
    snprintf(big, sizeof big, "{\"sub\":\"1\",\"access_token\":\"%07000d\"}", 0);
    char *v4big = mint(&cfg, NA_FMT_V4, big, now, &err);

    char *c4 = cookie_of("next-auth.session-token", v4);
    char *c5 = cookie_of("authjs.session-token", v5);
    char *cj = cookie_of("next-auth.session-token", jws);
    size_t bl = strlen(v4big), third = bl / 3 + 1;
    char *cchunk = malloc(bl + 200);
    sprintf(cchunk, "next-auth.session-token.0=%.*s; next-auth.session-token.1=%.*s; "
                    "next-auth.session-token.2=%s",
            (int)third, v4big, (int)third, v4big + third, v4big + 2 * third);
    fprintf(stderr, "bench: v4 cookie %zu bytes, v5 %zu, jws %zu, chunked %zu\n", strlen(c4),
            strlen(c5), strlen(cj), strlen(cchunk));

    na_source v4s, v5s, jwss;
    cfg.format = NA_FMT_V4;
    if (na_source_init(&v4s, &cfg, 0, &err) < 0 || !v4s.have_v)
        die("source", &err);
    cfg.format = NA_FMT_V5;
    if (na_source_init(&v5s, &cfg, 0, &err) < 0 || !v5s.have_v)
        die("source", &err);
    cfg.format = NA_FMT_JWS;
    if (na_source_init(&jwss, &cfg, 0, &err) < 0 || !jwss.have_v)
        die("source", &err);
    cfg.format = NA_FMT_V4;

    /* floor: the v4 token's own IV, ciphertext and tag, key set up once */
    struct floor_ctx f = {0};
    {
        const char *p = v4, *d1 = strchr(p, '.'), *d2 = strchr(d1 + 1, '.');
        const char *d3 = strchr(d2 + 1, '.'), *d4 = strchr(d3 + 1, '.');
        f.aad = v4;
        f.aadlen = (size_t)(d1 - p);
        na_b64url_decode(d2 + 1, (size_t)(d3 - d2 - 1), f.iv, sizeof f.iv);
        f.ctlen = (size_t)na_b64url_decode(d3 + 1, (size_t)(d4 - d3 - 1), f.ct, sizeof f.ct);
        na_b64url_decode(d4 + 1, strlen(d4 + 1), f.tag, sizeof f.tag);
        f.c = EVP_CIPHER_CTX_new();
        if (EVP_DecryptInit_ex(f.c, EVP_aes_256_gcm(), NULL, v4s.v.kr.keys[0].k4, NULL) != 1)
            die("floor init", NULL);
    }

    double floor_ns = run("floor-aes256gcm", floor_fn, &f);
    struct get_ctx g4 = {&v4s, c4, now}, g5 = {&v5s, c5, now}, gj = {&jwss, cj, now},
                   gc = {&v4s, cchunk, now};
    double v4_ns = run("verify-v4-cookie", get_fn, &g4);
    run("verify-v4-cookie-tree", get_tree_fn, &g4);
    run("verify-v5-cookie", get_fn, &g5);
    run("verify-jws-hs256", get_fn, &gj);
    run("verify-v4-chunked", get_fn, &gc);

    struct session_ctx s = {&v4s, &cfg, c4, {0}};
    na_resp_init(&s.r);
    run("session-refresh", session_fn, &s);

    na_guard guard;
    if (na_config_load(&cfg, NULL, &err) == 0) { /* fills the default api patterns */
    }
    na_config gcfg;
    na_config_init(&gcfg);
    setenv("NEXTAUTH_SECRET", secret, 1);
    setenv("NEXTAUTH_URL", "http://localhost:3000", 1);
    unsetenv("NEXTAUTH_CONFIG");
    if (na_config_load(&gcfg, NULL, &err) < 0 || na_guard_init(&guard, &gcfg, &v4s, &err) < 0)
        die("guard", &err);
    struct guard_ctx ga = {&guard, {.request_uri = "/dashboard?tab=1", .cookie = c4,
                                    .accept = "text/html,application/xhtml+xml,*/*;q=0.8",
                                    .fcgi_role = "AUTHORIZER"}, now, NA_GUARD_ALLOW, {0}};
    /* the same deployment without the token cache: the full check every time,
     * what the first request of a session costs */
    na_guard guard_full;
    na_config gcfg_full = gcfg;
    gcfg_full.token_cache = 0;
    if (na_guard_init(&guard_full, &gcfg_full, &v4s, &err) < 0)
        die("guard", &err);
    struct guard_ctx gfull = ga;
    gfull.g = &guard_full;
    struct guard_ctx g401 = {&guard, {.request_uri = "/api/data", .accept = "application/json",
                                      .fcgi_role = "AUTHORIZER"}, now, NA_GUARD_401, {0}};
    struct guard_ctx g307 = {&guard, {.request_uri = "/dashboard?tab=1",
                                      .accept = "text/html,*/*;q=0.8",
                                      .fcgi_role = "AUTHORIZER"}, now, NA_GUARD_SIGNIN, {0}};
    run("guard-decision-allow", guard_fn, &ga);
    run("guard-decision-allow-full", guard_fn, &gfull);
    run("guard-decision-401", guard_fn, &g401);
    run("guard-decision-307", guard_fn, &g307);

    /* database sessions: after the token cases, so that their set-up (a few
     * seconds of SQLite and PostgreSQL work) is not in the way of those */
    double sq_ns = 0, pg_ns = 0;
    run("floor-syscall", syscall_fn, NULL);
    if (selected("verify-db-sqlite") || selected("verify-db-sqlite-wal") ||
        selected("verify-db-pg") || selected("floor-pg-select1")) {
        char skip[300] = "";
        if (db_ready() < 0)
            snprintf(skip, sizeof skip, "tests/bench/db.sh failed (see above)");
        sq_ns = run_db("verify-db-sqlite", "sqlite.json", skip);
        run_db("verify-db-sqlite-wal", "sqlite-wal.json", skip);
        if (skip[0] == '\0')
            db_file_line("pg.skip", skip, sizeof skip);
        run_select1(skip);
        pg_ns = run_db("verify-db-pg", "pg.json", skip);
    }

    if (v4_ns > 0)
        printf("ratio verify-v4-cookie/floor-aes256gcm %.2f (target <= 4)\n", v4_ns / floor_ns);
    if (sq_ns > 0)
        printf("ratio verify-db-sqlite/floor-aes256gcm %.2f (no target)\n", sq_ns / floor_ns);
    if (pg_ns > 0)
        printf("ratio verify-db-pg/floor-aes256gcm %.2f (no target)\n", pg_ns / floor_ns);

    EVP_CIPHER_CTX_free(f.c);
    na_resp_free(&s.r);
    na_resp_free(&ga.r);
    na_resp_free(&gfull.r);
    na_resp_free(&g401.r);
    na_resp_free(&g307.r);
    na_guard_free(&guard);
    na_guard_free(&guard_full);
    na_source_free(&v4s);
    na_source_free(&v5s);
    na_source_free(&jwss);
    na_config_free(&gcfg);
    na_config_free(&cfg);
    free(v4), free(v5), free(jws), free(v4big), free(c4), free(c5), free(cj), free(cchunk);
    return 0;
}
