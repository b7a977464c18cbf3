/* SPDX-License-Identifier: MIT */
/* matcher.h — Next.js middleware `matcher` patterns (docs/behaviour.md,
 * Matcher syntax), matched against a
 * normalized request path.
 *
 * Supported: literal text; `/:name` (one segment), `/:name?` (optional),
 * `/:name*` (zero or more segments), `/:name+` (one or more); the groups people
 * write: `(.*)`, `(.+)`, and the negative-lookahead form
 * `((?!a|b|c).*)` (any path not starting with one of the alternatives, each a
 * literal). Next.js wraps each pattern: an optional `.json`, `.rsc` or
 * `.segments/….segment.rsc` suffix and one optional trailing '/' match too, and
 * basePath is prepended. Matching is case-sensitive. Other regular-expression
 * syntax is refused when the configuration is loaded, with the reason.
 *
 * Literal text is brought to the canonical form of request paths (path.h) when
 * it is compiled, so "/%40admin", "/@admin" and "/caf%c3%a9", "/café" name the
 * paths a server serves for them. Literal text that form cannot hold (an
 * escaped '/', '\', NUL or control byte, a raw '#', a malformed escape, bytes
 * that are not UTF-8), or that no normalized path has ("//", "/./", "/../"),
 * is refused with the pattern named. */
#ifndef NA_MATCHER_H
#define NA_MATCHER_H

#include <stddef.h>

#include "err.h"

typedef struct na_pattern na_pattern;

/* A list of compiled patterns (owned). */
typedef struct {
    na_pattern **items;
    size_t n;
} na_patterns;

/* Compile one pattern. Returns a pattern the caller frees with na_matcher_free,
 * or NULL with err filled (NA_E_CONFIG, naming the problem). */
na_pattern *na_matcher_compile(const char *src, na_err *err);
void na_matcher_free(na_pattern *p);

/* The pattern as it was written (owned by p; never NULL). */
const char *na_matcher_source(const na_pattern *p);

/* 1 when path (NUL-terminated, normalized, basePath already removed) matches, 0
 * when it does not, -1 when the work budget ran out before an answer (an
 * attacker-shaped path): callers treat that as "cannot tell" and take the
 * stricter side. Like Next.js, a `/_next/data/<buildId>` prefix is allowed in
 * front of the path (with the `.json` suffix). */
int na_matcher_match(const na_pattern *p, const char *path);

/* Append a compiled pattern to the list (takes ownership). Returns 0 or -1. */
int na_matcher_list_add(na_patterns *l, na_pattern *p);
/* Index of the first pattern of l that matches path, -1 when none does, or
 * NA_MATCH_UNKNOWN when a pattern before any match could not be decided. */
#define NA_MATCH_UNKNOWN (-2)
long na_matcher_list_first(const na_patterns *l, const char *path);
/* Free every pattern of l and the list itself (l is left empty). */
void na_matcher_list_free(na_patterns *l);

#endif
