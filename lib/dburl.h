/* SPDX-License-Identifier: MIT */
/* dburl.h — database.url as it may be shown to an operator: the same text with
 * every password taken out, so that a configuration test can print where the
 * sessions are read without printing what opens the database. */
#ifndef NA_DBURL_H
#define NA_DBURL_H

#include <stddef.h>

/* url with each password replaced by "***", into out (cap bytes,
 * NUL-terminated; a longer result is cut). The forms are libpq's (the
 * PostgreSQL documentation, "Connection Strings"): a URI postgresql:// or
 * postgres:// whose user info "user:password@" loses the password (all from
 * the user name to the last '@' before the query, however the password is
 * written), and whose query parameters named *password* (password,
 * sslpassword; names percent-decoded) lose their values; a keyword/value connection string whose
 * *password* keywords lose their values, quoted or not. "sqlite:" URLs hold no
 * password and are copied. Returns 0, or -1 (out holds "") when url is not
 * one of these forms as libpq would read it (a keyword without '=', an
 * unterminated quote): nothing of it may then be shown. */
int na_dburl_shown(const char *url, char *out, size_t cap);

#endif
