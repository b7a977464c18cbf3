/* SPDX-License-Identifier: MIT */
/* resp.c — responses built in memory, written in one go (see resp.h). */
#include "resp.h"

#include <stdlib.h>
#include <string.h>

void na_resp_init(na_resp *r)
{
    memset(r, 0, sizeof *r);
}

void na_resp_reset(na_resp *r)
{
    r->status = 0;
    r->head_only = 0;
    r->failed = 0;
    r->head.len = 0;
    r->body.len = 0;
    r->whole = NULL;
    r->whole_len = 0;
}

void na_resp_restart(na_resp *r)
{
    int head_only = r->head_only;
    na_resp_reset(r);
    r->head_only = head_only;
}

void na_resp_whole(na_resp *r, int status, const char *p, size_t n)
{
    na_resp_status(r, status);
    r->whole = p;
    r->whole_len = n;
}

void na_resp_free(na_resp *r)
{
    na_buf_free(&r->head);
    na_buf_free(&r->body);
    na_resp_init(r);
}

void na_resp_status(na_resp *r, int status)
{
    if (status < 100 || status > 599)
        r->failed = 1;
    r->status = status;
}

int na_resp_header(na_resp *r, const char *name, const char *value)
{
    /* RFC 9110 §5.5: field values carry no CR, LF or NUL; we refuse every
     * control byte but HT, so nothing a client sent can split a header. */
    for (const unsigned char *s = (const unsigned char *)value; *s; s++)
        if ((*s < 0x20 && *s != '\t') || *s == 0x7f) {
            r->failed = 1;
            return -1;
        }
    na_buf *h = &r->head;
    if (na_buf_append(h, name, strlen(name)) < 0 || na_buf_append(h, ": ", 2) < 0 ||
        na_buf_append(h, value, strlen(value)) < 0 || na_buf_append(h, "\r\n", 2) < 0) {
        r->failed = 1;
        return -1;
    }
    return 0;
}

int na_resp_body(na_resp *r, const char *p, size_t n)
{
    if (na_buf_append(&r->body, p, n) < 0) {
        r->failed = 1;
        return -1;
    }
    return 0;
}

const char *na_resp_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

int na_resp_write(const na_resp *r, na_write_fn w, void *ctx)
{
    static const char fallback[] =
        "Status: 500 Internal Server Error\r\n"
        "Content-Type: application/json\r\n"
        "Cache-Control: no-store\r\n"
        "\r\n"
        "{\"message\":\"Internal Server Error\"}";
    if (!r->failed && r->whole != NULL)
        return w(ctx, r->whole, r->whole_len);
    if (r->failed || r->status == 0)
        return w(ctx, fallback, r->head_only ? (size_t)(strstr(fallback, "\r\n\r\n") + 4 - fallback)
                                             : sizeof fallback - 1);
    /* "Status: NNN Reason\r\n" by hand: stdio's formatter is the largest code
     * an answer would otherwise touch (the status is 100–599, na_resp_status). */
    char line[64] = "Status: ";
    const char *reason = na_resp_reason(r->status);
    size_t n = 8, rl = strlen(reason);
    line[n++] = (char)('0' + r->status / 100);
    line[n++] = (char)('0' + r->status / 10 % 10);
    line[n++] = (char)('0' + r->status % 10);
    line[n++] = ' ';
    memcpy(line + n, reason, rl);
    n += rl;
    line[n++] = '\r';
    line[n++] = '\n';
    if (w(ctx, line, n) < 0 || (r->head.len && w(ctx, r->head.p, r->head.len) < 0) ||
        w(ctx, "\r\n", 2) < 0)
        return -1;
    if (!r->head_only && r->body.len && w(ctx, r->body.p, r->body.len) < 0)
        return -1;
    return 0;
}

void na_resp_json(na_resp *r, int status, const char *json)
{
    na_resp_status(r, status);
    na_resp_header(r, "Content-Type", "application/json");
    na_resp_body(r, json, strlen(json));
}

void na_resp_no_cache(na_resp *r)
{
    na_resp_header(r, "Cache-Control", "private, no-cache, no-store");
    na_resp_header(r, "Pragma", "no-cache");
    na_resp_header(r, "Expires", "0");
}

void na_resp_500_config(na_resp *r, int v5_wording)
{
    na_resp_json(r, 500,
                    v5_wording ? "{\"message\":\"There was a problem with the server "
                                 "configuration. Check the server logs for more "
                                 "information.\"}"
                               : "{\"message\":\"There is a problem with the server "
                                 "configuration. Check the server logs for more "
                                 "information.\"}");
    na_resp_no_cache(r);
}

void na_resp_405(na_resp *r, const char *allow)
{
    na_resp_json(r, 405, "{\"message\":\"Method Not Allowed\"}");
    na_resp_header(r, "Allow", allow);
}

void na_resp_401_json(na_resp *r)
{
    na_resp_json(r, 401, "{\"message\":\"You must be logged in.\"}");
    na_resp_header(r, "Cache-Control", "no-store");
}

void na_resp_403_json(na_resp *r)
{
    na_resp_json(r, 403, "{\"message\":\"Forbidden\"}");
    na_resp_header(r, "Cache-Control", "no-store");
}

void na_resp_500_json(na_resp *r)
{
    na_resp_json(r, 500, "{\"message\":\"There is a problem with the server configuration. "
                            "Check the server logs for more information.\"}");
    na_resp_header(r, "Cache-Control", "no-store");
}

void na_resp_redirect(na_resp *r, int status, const char *location)
{
    na_resp_status(r, status);
    na_resp_header(r, "Location", location);
    na_resp_header(r, "Cache-Control", "no-store");
}

int na_resp_text_status(const char *text, size_t len, size_t *pos)
{
    if (len < 13 || memcmp(text, "Status: ", 8) != 0)
        return -1;
    int st = 0;
    for (size_t i = 8; i < 11; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        st = st * 10 + (text[i] - '0');
    }
    if (st < 100 || st > 599 || (text[11] != ' ' && text[11] != '\r'))
        return -1;
    const char *eol = memchr(text, '\n', len);
    if (eol == NULL)
        return -1;
    *pos = (size_t)(eol - text) + 1;
    return st;
}

int na_resp_text_header(char *text, size_t len, size_t *pos, char **name, char **value)
{
    size_t i = *pos;
    char *eol = i < len ? memchr(text + i, '\r', len - i) : NULL;
    if (eol == NULL || eol == text + i) {
        *pos = eol != NULL && (size_t)(eol - text) + 2 <= len ? (size_t)(eol - text) + 2 : len;
        return 0;
    }
    *eol = '\0';
    char *colon = memchr(text + i, ':', (size_t)(eol - (text + i)));
    *name = text + i;
    *value = colon ? colon + 1 : eol;
    if (colon)
        *colon = '\0';
    while (**value == ' ' || **value == '\t')
        (*value)++;
    *pos = (size_t)(eol - text) + 2 <= len ? (size_t)(eol - text) + 2 : len;
    return 1;
}
