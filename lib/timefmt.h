/* timefmt.h — the clock and the two date forms NextAuth writes: the session body's
 * `expires` (JavaScript Date.toISOString, B13.2) and the cookie `Expires`
 * attribute (Date.toUTCString, the IMF-fixdate of RFC 7231 §7.1.1.1, B5.3). */
#ifndef NA_TIMEFMT_H
#define NA_TIMEFMT_H

#include <stddef.h>

/* Milliseconds since the epoch (CLOCK_REALTIME; faketime moves it in tests). */
long long na_timefmt_now_ms(void);

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 characters + NUL) for ms since the epoch. */
void na_timefmt_iso_ms(long long ms, char out[25]);

/* "Sat, 26 Dec 2026 19:03:55 GMT" (29 characters + NUL) for seconds since the
 * epoch, with English names whatever the locale. */
void na_timefmt_http_date(long long secs, char out[30]);

#endif
