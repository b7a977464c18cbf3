/* buf.h — a growable byte buffer: responses are built in them, and JSON is
 * dumped into one. */
#ifndef NA_BUF_H
#define NA_BUF_H

#include <stddef.h>

/* Zero-initialized it is empty and owns nothing. len bytes of p are in use;
 * after a successful append p[len] is always writable (room for a NUL). */
typedef struct {
    char *p;
    size_t len, cap;
} na_buf;

/* Append n bytes of src, growing p (doubling, from 512 bytes, up to 1 GiB).
 * Returns 0, or -1 when out of memory or past 1 GiB: b is then unchanged. */
int na_buf_append(na_buf *b, const void *src, size_t n);

/* Release p; b is empty again. */
void na_buf_free(na_buf *b);

#endif
