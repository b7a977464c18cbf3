/* SPDX-License-Identifier: MIT */
/* resp.h — one HTTP answer, built completely in memory before a byte is
 * written (to an authorizer server a response without a Status line means
 * "allow": docs/servers.md, Always write a Status line), and the project's
 * named answers, each setting status, headers and body in one place.
 *
 * A response refuses any header value with a control byte (CR, LF, NUL, …): the
 * response is then marked failed, and na_resp_write sends a bare 500 instead of
 * anything that was built — never a half-written or injected header. */
#ifndef NA_RESPOND_H
#define NA_RESPOND_H

#include <stddef.h>

#include "buf.h"

typedef struct {
    int status;       /* 0 until set: written as 500 */
    int head_only;    /* HEAD: headers only */
    int failed;       /* a refused header or no memory: answer 500 */
    na_buf head;      /* "Name: value\r\n" lines */
    na_buf body;
    const char *whole; /* na_resp_whole: the answer's bytes as they are, or NULL */
    size_t whole_len;
} na_resp;

/* Writes n bytes somewhere (a FastCGI stream, stdout); returns 0 or -1. */
typedef int (*na_write_fn)(void *ctx, const char *p, size_t n);

/* An empty response (status 0). Buffers are allocated on first use and reused
 * by na_resp_reset; na_resp_free releases them. */
void na_resp_init(na_resp *r);
void na_resp_reset(na_resp *r);
/* Start the answer afresh after a part of it failed: na_resp_reset, except
 * that a HEAD request's answer stays headers-only. */
void na_resp_restart(na_resp *r);
void na_resp_free(na_resp *r);

/* Answer with n bytes that na_resp_write wrote for another response (status
 * line, headers, blank line, body): na_resp_write then writes them as they are,
 * unless r is marked failed. p is not copied: it must stay valid until then.
 * na_resp_reset forgets it. */
void na_resp_whole(na_resp *r, int status, const char *p, size_t n);

/* Set the status (100..599). */
void na_resp_status(na_resp *r, int status);

/* Append the header line "name: value". Returns 0, or -1 (and marks r failed)
 * when value has a control byte other than HT, or memory runs out. */
int na_resp_header(na_resp *r, const char *name, const char *value);

/* Append n bytes to the body. Returns 0, or -1 (r failed) when out of memory. */
int na_resp_body(na_resp *r, const char *p, size_t n);

/* The CGI/FastCGI form: "Status: <code> <reason>\r\n", the headers, "\r\n", the
 * body (not for HEAD). A failed or status-less response is written as
 * "Status: 500" with a JSON body instead. Returns 0 or -1 (write error). */
int na_resp_write(const na_resp *r, na_write_fn w, void *ctx);

/* Reading back the form na_resp_write writes, for a caller that hands the
 * answer's parts to a server of its own (the Apache and nginx modules: the
 * guard's answer, kept in that form by its token cache, is their input).
 *
 * The status of the answer text[0..len) — "Status: NNN …\r\n", NNN in
 * 100..599 — with *pos set past that line; -1 when text does not start so. */
int na_resp_text_status(const char *text, size_t len, size_t *pos);

/* The next "Name: value\r\n" line of the head at *pos: name and value
 * NUL-terminated in place (text is the caller's, and changed), the value
 * without its leading blanks; *pos moves past the line. Returns 1, or 0 at
 * the blank line that ends the head or at the end of text (*pos then at the
 * body, or len). A line without a colon is a name with an empty value. */
int na_resp_text_header(char *text, size_t len, size_t *pos, char **name, char **value);

/* Reason phrase of a status code ("OK", "Temporary Redirect", …). */
const char *na_resp_reason(int status);

/* status with Content-Type: application/json and the JSON text body. */
void na_resp_json(na_resp *r, int status, const char *json);

/* The three no-cache headers of NextAuth's session route (docs/behaviour.md,
 * Session endpoint):
 * Cache-Control: private, no-cache, no-store; Pragma: no-cache; Expires: 0. */
void na_resp_no_cache(na_resp *r);

/* 500 JSON {"message":"There is a problem with the server configuration. Check
 * the server logs for more information."} (v4; v5 says "There was"), with
 * the no-cache headers. */
void na_resp_500_config(na_resp *r, int v5_wording);

/* 405 JSON {"message":"Method Not Allowed"} with Allow: allow. */
void na_resp_405(na_resp *r, const char *allow);

/* The guard's denials, each with Cache-Control: no-store:
 * 401 JSON {"message":"You must be logged in."} (the NextAuth docs' API route). */
void na_resp_401_json(na_resp *r);
/* 403 JSON {"message":"Forbidden"}. */
void na_resp_403_json(na_resp *r);
/* 500 JSON with NextAuth's configuration message, no-store. */
void na_resp_500_json(na_resp *r);
/* A redirect (307 unless status says otherwise) to location, empty body. The
 * caller builds location from the configured origin only; a control byte in it
 * fails the response (500), never a split header. */
void na_resp_redirect(na_resp *r, int status, const char *location);

#endif
