/* timefmt.c — clock and date formats (see timefmt.h). */
#include "timefmt.h"

#include <stdio.h>
#include <time.h>

long long na_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Floor division, so that instants before 1970 still split into a second and a
 * non-negative millisecond. */
static void split_ms(long long ms, time_t *secs, int *milli)
{
    long long s = ms / 1000, r = ms % 1000;
    if (r < 0) {
        s--;
        r += 1000;
    }
    *secs = (time_t)s;
    *milli = (int)r;
}

void na_fmt_iso_ms(long long ms, char out[25])
{
    time_t s;
    int milli;
    struct tm tm;
    split_ms(ms, &s, &milli);
    if (gmtime_r(&s, &tm) == NULL) {
        snprintf(out, 25, "1970-01-01T00:00:00.000Z");
        return;
    }
    char tmp[96]; /* room for what the compiler thinks an int can print */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, milli);
    snprintf(out, 25, "%.24s", tmp);
}

void na_fmt_http_date(long long secs, char out[30])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t s = (time_t)secs;
    struct tm tm;
    if (gmtime_r(&s, &tm) == NULL) {
        snprintf(out, 30, "Thu, 01 Jan 1970 00:00:00 GMT");
        return;
    }
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], (tm.tm_year + 1900) % 10000, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    snprintf(out, 30, "%.29s", tmp);
}
