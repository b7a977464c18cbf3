/* SPDX-License-Identifier: MIT */
/* replay.c — run a libFuzzer target's LLVMFuzzerTestOneInput without libFuzzer,
 * on every file named (directories: every regular file in them, sorted, not
 * recursively), each in a forked child so that one crash is one failed file.
 *
 *   replay-<target> [-t SECONDS] NAME FILE|DIR…
 *
 * Prints one TAP line for the target ("ok - NAME: N files" or "not ok - NAME: K
 * of N files crashed", with a "# " line per crashed file and its signal or exit
 * status) and then "N passed, N failed" counting files. Exit status: 0 when every
 * file passed, 1 when one failed, 2 on a usage or read error. A file runs at most
 * SECONDS (default 10) before it counts as a hang. What a crashing target prints
 * (the failed invariant, a sanitizer report) goes to standard error as it is.
 * Built with sanitizers, a child that leaks exits non-zero (LeakSanitizer runs at
 * its exit) and counts as failed too. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    char **v;
    size_t n, cap;
} list;

static void add(list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (l->v == NULL) {
            perror("replay: realloc");
            exit(2);
        }
    }
    if ((l->v[l->n++] = strdup(s)) == NULL) {
        perror("replay: strdup");
        exit(2);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(list *files, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        add(files, path);
        return 0;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    list here = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *full = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (full == NULL) {
            perror("replay: malloc");
            exit(2);
        }
        sprintf(full, "%s/%s", path, e->d_name);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
            add(&here, full);
        free(full);
    }
    closedir(d);
    qsort(here.v, here.n, sizeof *here.v, by_name);
    for (size_t i = 0; i < here.n; i++) {
        add(files, here.v[i]);
        free(here.v[i]);
    }
    free(here.v);
    return 0;
}

/* The whole file in an exact-size heap buffer (ASan, if built with it, then
 * sees an over-read). Returns NULL on a read error. */
static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (b == NULL)
                free(buf);
            buf = b;
        }
    }
    int bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    uint8_t *exact = malloc(len ? len : 1);
    if (exact && len)
        memcpy(exact, buf, len);
    free(buf);
    *n = len;
    return exact;
}

int main(int argc, char **argv)
{
    unsigned timeout = 10;
    int opt;
    while ((opt = getopt(argc, argv, "t:")) != -1) {
        if (opt == 't') {
            timeout = (unsigned)strtoul(optarg, NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [-t SECONDS] NAME FILE|DIR...\n", argv[0]);
            return 2;
        }
    }
    if (argc - optind < 1) {
        fprintf(stderr, "usage: %s [-t SECONDS] NAME FILE|DIR...\n", argv[0]);
        return 2;
    }
    const char *name = argv[optind++];
    list files = {0};
    for (int i = optind; i < argc; i++)
        if (collect(&files, argv[i]) < 0)
            return 2;

    /* One empty input first, in this process: the target's one-time setup
     * (keys, configurations) is then inherited by every child. */
    static const uint8_t none[1];
    LLVMFuzzerTestOneInput(none, 0);
    fflush(NULL);

    size_t passed = 0, failed = 0;
    char **why = calloc(files.n + 1, sizeof *why);
    for (size_t i = 0; i < files.n; i++) {
        size_t n = 0;
        uint8_t *data = slurp(files.v[i], &n);
        if (data == NULL) {
            fprintf(stderr, "replay: %s: cannot read\n", files.v[i]);
            return 2;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("replay: fork");
            return 2;
        }
        if (pid == 0) {
            alarm(timeout);
            LLVMFuzzerTestOneInput(data, n);
            free(data);
            /* exit, not _exit: in a sanitizer build LeakSanitizer then checks
             * this one input (stdio buffers are empty: flushed before fork). */
            exit(0);
        }
        free(data);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            passed++;
            continue;
        }
        failed++;
        char msg[64];
        if (WIFSIGNALED(st))
            snprintf(msg, sizeof msg, "%s", WTERMSIG(st) == SIGALRM ? "timeout" : strsignal(WTERMSIG(st)));
        else
            snprintf(msg, sizeof msg, "exit status %d", WEXITSTATUS(st));
        size_t need = strlen(files.v[i]) + strlen(msg) + 8;
        if ((why[i] = malloc(need)) != NULL)
            snprintf(why[i], need, "%s (%s)", files.v[i], msg);
    }
    if (failed == 0) {
        printf("ok - %s: %zu files\n", name, passed);
    } else {
        printf("not ok - %s: %zu of %zu files crashed\n", name, failed, passed + failed);
        for (size_t i = 0; i < files.n; i++)
            if (why[i])
                printf("# crashed: %s\n", why[i]);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    fflush(stdout);
    for (size_t i = 0; i < files.n; i++) {
        free(files.v[i]);
        free(why[i]);
    }
    free(files.v);
    free(why);
    return failed ? 1 : 0;
}
