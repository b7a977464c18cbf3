/* timefmt.c — clock and date formats (see timefmt.h). */
#include "timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

long long na_timefmt_now_ms(void)
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

/* Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras (the
 * well-known civil-from-days method; exact for every day, no tables, no libc
 * time zone machinery). Only called for days of years 0..9999. */
static void civil(long long days, int *y, int *m, int *d)
{
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;                                   /* [0, 146096] */
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
    long long mp = (5 * doy + 2) / 153;                                 /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* -62167219200 is 0000-01-01T00:00:00Z and 253402300799 is 9999-12-31T23:59:59Z:
 * inside that range the fast path below writes the date itself; outside, gmtime_r
 * and snprintf keep the old (wrapped) form. */
#define FAST_MIN (-62167219200LL)
#define FAST_MAX 253402300799LL

static void split_day(long long secs, long long *days, int *sod)
{
    long long d = secs / 86400, r = secs % 86400;
    if (r < 0) {
        d--;
        r += 86400;
    }
    *days = d;
    *sod = (int)r;
}

void na_timefmt_iso_ms(long long ms, char out[25])
{
    time_t s;
    int milli;
    split_ms(ms, &s, &milli);
    if ((long long)s >= FAST_MIN && (long long)s <= FAST_MAX) {
        long long days;
        int sod, y, m, d;
        split_day((long long)s, &days, &sod);
        civil(days, &y, &m, &d);
        char *p = digits(out, y, 4);
        *p++ = '-';
        p = digits(p, m, 2);
        *p++ = '-';
        p = digits(p, d, 2);
        *p++ = 'T';
        p = digits(p, sod / 3600, 2);
        *p++ = ':';
        p = digits(p, sod / 60 % 60, 2);
        *p++ = ':';
        p = digits(p, sod % 60, 2);
        *p++ = '.';
        p = digits(p, milli, 3);
        *p++ = 'Z';
        *p = '\0';
        return;
    }
    struct tm tm;
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

void na_timefmt_http_date(long long secs, char out[30])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (secs >= FAST_MIN && secs <= FAST_MAX) {
        long long dn;
        int sod, y, m, d;
        split_day(secs, &dn, &sod);
        civil(dn, &y, &m, &d);
        int wd = (int)(((dn + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        char *p = out;
        memcpy(p, days[wd], 3), p += 3;
        *p++ = ',', *p++ = ' ';
        p = digits(p, d, 2);
        *p++ = ' ';
        memcpy(p, months[m - 1], 3), p += 3;
        *p++ = ' ';
        p = digits(p, y, 4);
        *p++ = ' ';
        p = digits(p, sod / 3600, 2);
        *p++ = ':';
        p = digits(p, sod / 60 % 60, 2);
        *p++ = ':';
        p = digits(p, sod % 60, 2);
        memcpy(p, " GMT", 5);
        return;
    }
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
