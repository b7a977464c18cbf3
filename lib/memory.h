/* memory.h — memory of the long-running programs (the guard and the session
 * endpoint): jansson's small blocks, and the resident set after start-up.
 *
 * A verified token becomes a jansson tree of some twenty small blocks that live
 * for one request; glibc's malloc/free pair costs about a fifth of a whole v4
 * check. na_memory_fast_json() gives jansson per-thread free lists of fixed-size
 * blocks instead (bounded: at most NA_MEM_KEEP blocks per size are kept, larger
 * blocks go straight to malloc). A block may be freed by another thread than the
 * one that took it (it joins that thread's lists); what a thread's lists hold when
 * it exits stays allocated (at most 16 × 256 blocks of ≤ 272 bytes: the programs
 * are single-threaded). Built with AddressSanitizer it does nothing, so the
 * sanitizer and fuzz builds still see every block.
 *
 * na_memory_trim() is called once, after start-up: it unmaps the pages of the
 * read-only parts of the program and its libraries (code and constants that only
 * start-up needed: config parsing, key derivation, OpenSSL's provider set-up).
 * They stay in the page cache, shared, and are mapped again on first use, so the
 * resident set becomes what the request path really touches. Writable and
 * modified mappings are never touched. */
#ifndef NA_MEMORY_H
#define NA_MEMORY_H

#define NA_MEM_KEEP 256

/* Make jansson allocate through the free lists. Call it first thing in main(),
 * before any jansson value exists: a value allocated before it must not be freed
 * after it (and the other way round). Process-wide; the library's page API
 * (nextauth.h) never calls it, a host program decides. Returns 0, or -1 when
 * compiled out (sanitizers). */
int na_memory_fast_json(void);

/* Drop the resident pages of clean read-only file mappings (see above), from
 * /proc/self/smaps. Returns the kB released, or -1 when /proc cannot be read
 * (nothing is changed then). Never fails a request: call it after start-up. */
long na_memory_trim(void);

/* na_memory_trim for a hook that returns nothing: what the FastCGI programs give
 * the serve loop to run once start-up is over (serve.h, app.h). */
void na_memory_trim_hook(void);

#endif
