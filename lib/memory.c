/* memory.c — jansson's free lists and the start-up trim (see memory.h). */
#include "memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <jansson.h>

#if defined(__SANITIZE_ADDRESS__)
#define NA_MEM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NA_MEM_SANITIZED 1
#endif
#endif

#ifndef NA_MEM_SANITIZED
/* Blocks of 16, 32, … 256 bytes behind a 16-byte header (keeps malloc's
 * alignment) that holds the size class; LARGE marks a block from plain malloc. */
#define HDR 16
#define CLASSES 16
#define LARGE 0xffffu

typedef union block {
    union block *next; /* while on a free list */
    unsigned char hdr[HDR];
} block;

static _Thread_local struct {
    block *head[CLASSES];
    unsigned count[CLASSES];
} lists;

static void set_class(block *b, unsigned k)
{
    memcpy(b->hdr + HDR - sizeof k, &k, sizeof k);
}

static unsigned get_class(const block *b)
{
    unsigned k;
    memcpy(&k, b->hdr + HDR - sizeof k, sizeof k);
    return k;
}

static void *fast_malloc(size_t n)
{
    unsigned k = n <= 16 ? 0 : (unsigned)((n - 1) >> 4);
    block *b;
    if (k < CLASSES && (b = lists.head[k]) != NULL) {
        lists.head[k] = b->next;
        lists.count[k]--;
    } else {
        if (k >= CLASSES) {
            if (n > SIZE_MAX - HDR)
                return NULL;
            k = LARGE;
        }
        b = malloc(HDR + (k == LARGE ? n : ((size_t)k + 1) * 16));
        if (b == NULL)
            return NULL;
    }
    set_class(b, k); /* the free list's link overwrote the first bytes only */
    return (unsigned char *)b + HDR;
}

static void fast_free(void *p)
{
    if (p == NULL)
        return;
    block *b = (block *)(void *)((unsigned char *)p - HDR);
    unsigned k = get_class(b);
    if (k < CLASSES && lists.count[k] < NA_MEM_KEEP) {
        b->next = lists.head[k];
        lists.head[k] = b;
        lists.count[k]++;
        return;
    }
    free(b);
}

#endif /* !NA_MEM_SANITIZED */

int na_memory_fast_json(void)
{
#ifdef NA_MEM_SANITIZED
    return -1;
#else
    const char *plain = getenv("NEXTAUTH_PLAIN_MALLOC");
    if (plain != NULL && strcmp(plain, "1") == 0)
        return -1;
    json_set_alloc_funcs(fast_malloc, fast_free);
    return 0;
#endif
}

/* One smaps entry: its range and whether it may be dropped. */
struct range {
    uintptr_t lo, hi;
    long rss;
};

#define MAX_RANGES 512

long na_memory_trim(void)
{
    FILE *f = fopen("/proc/self/smaps", "re");
    if (f == NULL)
        return -1;
    static struct range r[MAX_RANGES];
    size_t n = 0;
    char line[512];
    int cand = 0; /* the current mapping is clean, read-only, private, file-backed */
    long rss = 0, dirty = 0, anon = 0;
    uintptr_t lo = 0, hi = 0;
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        unsigned long a, b, ino;
        char perms[8];
        int header = got != NULL &&
                     sscanf(line, "%lx-%lx %7s %*s %*s %lu", &a, &b, perms, &ino) == 4;
        if (got == NULL || header) {
            if (cand && dirty == 0 && anon == 0 && rss > 0 && n < MAX_RANGES)
                r[n++] = (struct range){lo, hi, rss};
            if (got == NULL)
                break;
            lo = a, hi = b;
            cand = perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p' && ino != 0;
            rss = dirty = anon = 0;
            continue;
        }
        long v;
        if (sscanf(line, "Rss: %ld kB", &v) == 1)
            rss = v;
        else if (sscanf(line, "Private_Dirty: %ld kB", &v) == 1)
            dirty = v;
        else if (sscanf(line, "Anonymous: %ld kB", &v) == 1)
            anon = v;
    }
    fclose(f);
    long freed = 0;
    for (size_t i = 0; i < n; i++)
        if (madvise((void *)r[i].lo, r[i].hi - r[i].lo, MADV_DONTNEED) == 0)
            freed += r[i].rss;
    return freed;
}

void na_memory_trim_hook(void)
{
    na_memory_trim();
}
