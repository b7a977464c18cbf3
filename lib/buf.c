/* buf.c — a growable byte buffer (see buf.h). */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#define BUF_FIRST 512
#define BUF_LIMIT ((size_t)1 << 30)

int na_buf_append(na_buf *b, const void *src, size_t n)
{
    /* keep one byte past len free, for a caller's NUL */
    if (n >= b->cap - b->len) {
        if (n >= BUF_LIMIT - b->len)
            return -1;
        size_t cap = b->cap ? b->cap : BUF_FIRST;
        while (n >= cap - b->len)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (q == NULL)
            return -1;
        b->p = q;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

void na_buf_free(na_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
