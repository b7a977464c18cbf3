/* SPDX-License-Identifier: MIT */
/* matcher.c — a small backtracking matcher for Next.js matcher patterns (see
 * matcher.h). Patterns are compiled once, at configuration time, into a list of
 * tokens; matching walks the path with no allocation. */
#include "matcher.h"

#include <stdlib.h>
#include <string.h>

#include "path.h"

typedef enum {
    T_LIT,      /* exact text */
    T_SEG,      /* "/" + one segment ([^/#?]+) */
    T_SEG_OPT,  /* optional "/" + segment */
    T_SEGS_ANY, /* zero or more "/" + segment */
    T_SEGS_ONE, /* one or more "/" + segment */
    T_ANY,      /* (.*) */
    T_ANY1,     /* (.+) */
    T_NOT_ANY   /* ((?!a|b).*): the rest must not start with an alternative */
} tok_kind;

typedef struct {
    tok_kind kind;
    char *text;    /* T_LIT: the text; T_NOT_ANY: alternatives joined by '\0' */
    size_t len;    /* T_LIT: text length; T_NOT_ANY: number of alternatives */
} tok;

struct na_pattern {
    tok *toks;
    size_t n;
    char *src; /* the pattern as written */
};

void na_matcher_free(na_pattern *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->toks[i].text);
    free(p->toks);
    free(p->src);
    free(p);
}

const char *na_matcher_source(const na_pattern *p)
{
    return p->src;
}

static int push(na_pattern *p, tok_kind k, const char *text, size_t len, size_t count)
{
    tok *t = realloc(p->toks, (p->n + 1) * sizeof *t);
    if (t == NULL)
        return -1;
    p->toks = t;
    t[p->n].kind = k;
    t[p->n].text = NULL;
    t[p->n].len = count ? count : len;
    if (text != NULL) {
        if ((t[p->n].text = malloc(len + 1)) == NULL)
            return -1;
        memcpy(t[p->n].text, text, len);
        t[p->n].text[len] = '\0';
    }
    p->n++;
    return 0;
}

/* Bring literal text to the canonical form request paths are compared in
 * (path.h: escapes decoded but %25 %23 %3F, UTF-8 checked), in place; len is
 * updated. Returns 0, or -1 when the text cannot be compared safely, or could
 * never match a normalized path ("//", "/./", "/../"). */
static int canon_lit(char *text, size_t *len)
{
    char tmp[NA_PATH_MAX + 1];
    long n = na_path_canon_text(text, *len, tmp, sizeof tmp);
    if (n < 0 || strstr(tmp, "//") || strstr(tmp, "/./") || strstr(tmp, "/../"))
        return -1;
    memcpy(text, tmp, (size_t)n + 1);
    *len = (size_t)n;
    return 0;
}

/* Add literal text, merging with a preceding literal. */
static int push_lit(na_pattern *p, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (p->n > 0 && p->toks[p->n - 1].kind == T_LIT) {
        tok *t = &p->toks[p->n - 1];
        char *m = realloc(t->text, t->len + len + 1);
        if (m == NULL)
            return -1;
        memcpy(m + t->len, s, len);
        t->len += len;
        m[t->len] = '\0';
        t->text = m;
        return 0;
    }
    return push(p, T_LIT, s, len, 0);
}

static int name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* A group starting at s[0] == '(' : returns its length or 0 when unsupported,
 * and sets the token to push. */
static size_t parse_group(const char *s, tok_kind *kind, const char **alts, size_t *altlen)
{
    if (strncmp(s, "(.*)", 4) == 0) {
        *kind = T_ANY;
        return 4;
    }
    if (strncmp(s, "(.+)", 4) == 0) {
        *kind = T_ANY1;
        return 4;
    }
    if (strncmp(s, "((?!", 4) == 0) {
        const char *end = strstr(s, ").*)");
        if (end == NULL)
            return 0;
        for (const char *c = s + 4; c < end; c++)
            if (strchr("()[]{}*+?^$\\", *c))
                return 0; /* alternatives must be literals ('.' is taken literally) */
        *kind = T_NOT_ANY;
        *alts = s + 4;
        *altlen = (size_t)(end - (s + 4));
        return (size_t)(end + 4 - s);
    }
    return 0;
}

na_pattern *na_matcher_compile(const char *src, na_err *err)
{
    if (src[0] != '/') {
        na_err_set(err, NA_E_CONFIG, "matcher \"%.80s\" must start with '/'", src);
        return NULL;
    }
    na_pattern *p = calloc(1, sizeof *p);
    if (p == NULL || (p->src = strdup(src)) == NULL) {
        free(p);
        na_err_set(err, NA_E_NOMEM, "out of memory");
        return NULL;
    }
    size_t i = 0, n = strlen(src);
    while (i < n) {
        char c = src[i];
        if (c == '/' && i + 1 < n && src[i + 1] == ':') {
            size_t s = i + 2, e = s;
            while (e < n && name_char(src[e]))
                e++;
            if (e == s) {
                na_err_set(err, NA_E_CONFIG, "matcher \"%.80s\": ':' without a name", src);
                goto fail;
            }
            tok_kind k = T_SEG;
            if (e < n && src[e] == '*')
                k = T_SEGS_ANY, e++;
            else if (e < n && src[e] == '+')
                k = T_SEGS_ONE, e++;
            else if (e < n && src[e] == '?')
                k = T_SEG_OPT, e++;
            if (e < n && src[e] != '/') {
                na_err_set(err, NA_E_CONFIG,
                           "matcher \"%.80s\": a parameter must end its segment", src);
                goto fail;
            }
            if (push(p, k, NULL, 0, 0) < 0)
                goto nomem;
            i = e;
        } else if (c == '(') {
            tok_kind k;
            const char *alts = NULL;
            size_t altlen = 0, used = parse_group(src + i, &k, &alts, &altlen);
            if (used == 0) {
                na_err_set(err, NA_E_CONFIG,
                           "matcher \"%.80s\": unsupported group (use :name, :name*, "
                           "(.*), (.+) or ((?!a|b).*))", src);
                goto fail;
            }
            if (k == T_NOT_ANY) {
                /* store the alternatives '\0'-separated, count them */
                size_t count = 1;
                char buf[512];
                if (altlen >= sizeof buf) {
                    na_err_set(err, NA_E_CONFIG, "matcher \"%.80s\": group too long", src);
                    goto fail;
                }
                memcpy(buf, alts, altlen);
                buf[altlen] = '\0';
                for (size_t j = 0; j < altlen; j++)
                    if (buf[j] == '|') {
                        buf[j] = '\0';
                        count++;
                    }
                if (push(p, k, buf, altlen, count) < 0)
                    goto nomem;
            } else if (push(p, k, NULL, 0, 0) < 0) {
                goto nomem;
            }
            i += used;
        } else if (strchr("*+?{}[]\\|^$", c) != NULL || c == ':') {
            na_err_set(err, NA_E_CONFIG,
                       "matcher \"%.80s\": unsupported character '%c' at %zu", src, c, i);
            goto fail;
        } else {
            size_t s = i;
            while (i < n && src[i] != '(' && !(src[i] == '/' && i + 1 < n && src[i + 1] == ':') &&
                   strchr("*+?{}[]\\|^$:", src[i]) == NULL)
                i++;
            if (push_lit(p, src + s, i - s) < 0)
                goto nomem;
        }
    }
    /* Literal text in the request paths' canonical form (matcher.h). */
    for (size_t k = 0; k < p->n; k++) {
        tok *t = &p->toks[k];
        int bad = 0;
        if (t->kind == T_LIT) {
            bad = canon_lit(t->text, &t->len) < 0;
        } else if (t->kind == T_NOT_ANY) {
            /* each '\0'-separated alternative, rewritten in place (never longer) */
            char *rd = t->text, *wr = t->text;
            for (size_t a = 0; a < t->len && !bad; a++) {
                size_t al = strlen(rd);
                char *next = rd + al + 1;
                bad = canon_lit(rd, &al) < 0;
                memmove(wr, rd, al + 1);
                wr += al + 1;
                rd = next;
            }
        }
        if (bad) {
            na_err_set(err, NA_E_CONFIG,
                       "matcher \"%.80s\": its literal text cannot be compared with request "
                       "paths safely (a malformed escape; an escaped '/', '\\', NUL or control "
                       "byte; a raw '#'; bytes that are not UTF-8; or '//', '/./', '/../')",
                       src);
            goto fail;
        }
    }
    return p;
nomem:
    na_err_set(err, NA_E_NOMEM, "out of memory");
fail:
    na_matcher_free(p);
    return NULL;
}

/* Length of the segment text at s: bytes up to '/', '#', '?' or the end. */
static size_t seg_len(const char *s)
{
    return strcspn(s, "/#?");
}

/* After the pattern, Next.js accepts an optional .json / .rsc /
 * .segments/….segment.rsc suffix, then one optional '/', '#' or '?'. */
static int tail_ok(const char *s)
{
    size_t n = strlen(s);
    if (n > 0 && (s[n - 1] == '/' || s[n - 1] == '#' || s[n - 1] == '?'))
        n--;
    if (n == 0)
        return 1;
    if ((n == 5 && strncmp(s, ".json", 5) == 0) || (n == 4 && strncmp(s, ".rsc", 4) == 0))
        return 1;
    static const char pre[] = ".segments/", suf[] = ".segment.rsc";
    size_t pl = sizeof pre - 1, sl = sizeof suf - 1;
    return n > pl + sl && strncmp(s, pre, pl) == 0 && strncmp(s + n - sl, suf, sl) == 0;
}

/* Matching backtracks; a budget of steps bounds the work an attacker-chosen path
 * can cause with patterns like "/:a* then /:b*". When it runs out the answer is
 * "cannot tell" (-1), and the caller takes the stricter side. 100 000 steps is
 * far beyond any real path (a few dozen). */
#define MATCH_BUDGET 100000

typedef struct {
    long budget;
} mstate;

static int match_from(mstate *m, const tok *t, size_t nt, const char *s);

/* Zero (need = 0) or more, or one or more (need = 1), "/" + segment, then the
 * rest of the pattern. */
static int match_segs(mstate *m, const tok *t, size_t nt, const char *s, int need)
{
    if (!need && match_from(m, t + 1, nt - 1, s))
        return 1;
    if (s[0] != '/')
        return 0;
    size_t l = seg_len(s + 1);
    if (l == 0)
        return 0;
    /* [^/#?]+? : any non-empty prefix of the segment may end the token … */
    for (size_t k = 1; k <= l; k++)
        if (match_from(m, t + 1, nt - 1, s + 1 + k))
            return 1;
    /* … or the whole segment, followed by more segments */
    const char *r = s + 1 + l;
    return r[0] == '/' && match_segs(m, t, nt, r, 1);
}

static int match_from(mstate *m, const tok *t, size_t nt, const char *s)
{
    if (--m->budget < 0)
        return 1; /* unwinds quickly: the caller sees the spent budget */
    if (nt == 0)
        return tail_ok(s);
    switch (t->kind) {
    case T_LIT:
        return strncmp(s, t->text, t->len) == 0 && match_from(m, t + 1, nt - 1, s + t->len);
    case T_SEG_OPT:
        if (match_from(m, t + 1, nt - 1, s))
            return 1;
        /* fall through */
    case T_SEG: {
        if (s[0] != '/')
            return 0;
        size_t l = seg_len(s + 1);
        for (size_t k = 1; k <= l; k++)
            if (match_from(m, t + 1, nt - 1, s + 1 + k))
                return 1;
        return 0;
    }
    case T_SEGS_ANY:
        return match_segs(m, t, nt, s, 0);
    case T_SEGS_ONE:
        return match_segs(m, t, nt, s, 1);
    case T_ANY1:
        if (*s == '\0')
            return 0;
        /* fall through */
    case T_ANY:
    case T_NOT_ANY: {
        if (t->kind == T_NOT_ANY) {
            const char *alt = t->text;
            for (size_t k = 0; k < t->len; k++, alt += strlen(alt) + 1)
                if (strncmp(s, alt, strlen(alt)) == 0)
                    return 0;
        }
        const char *min = t->kind == T_ANY1 ? s + 1 : s;
        for (const char *r = s + strlen(s); r >= min; r--)
            if (match_from(m, t + 1, nt - 1, r))
                return 1;
        return 0;
    }
    }
    return 0;
}

static int match_one(const na_pattern *p, const char *path, mstate *m)
{
    int r = match_from(m, p->toks, p->n, path);
    return m->budget < 0 ? -1 : r;
}

int na_matcher_match(const na_pattern *p, const char *path)
{
    mstate m = {MATCH_BUDGET};
    int r = match_one(p, path, &m);
    if (r != 0)
        return r;
    /* Next.js also matches Pages data requests, /_next/data/<buildId>/x.json. */
    static const char data[] = "/_next/data/";
    if (strncmp(path, data, sizeof data - 1) == 0) {
        const char *id = path + sizeof data - 1, *rest = strchr(id, '/');
        size_t n = rest ? strlen(rest) : 0;
        if (rest != NULL && rest > id && n > 5 && strcmp(rest + n - 5, ".json") == 0)
            return match_one(p, rest, &m);
    }
    return 0;
}

int na_matcher_list_add(na_patterns *l, na_pattern *p)
{
    na_pattern **items = realloc(l->items, (l->n + 1) * sizeof *items);
    if (items == NULL) {
        na_matcher_free(p);
        return -1;
    }
    l->items = items;
    l->items[l->n++] = p;
    return 0;
}

long na_matcher_list_first(const na_patterns *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++) {
        int r = na_matcher_match(l->items[i], path);
        if (r < 0)
            return NA_MATCH_UNKNOWN;
        if (r > 0)
            return (long)i;
    }
    return -1;
}

void na_matcher_list_free(na_patterns *l)
{
    for (size_t i = 0; i < l->n; i++)
        na_matcher_free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
