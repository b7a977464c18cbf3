/* test_timefmt — the two date forms (session `expires`, cookie `Expires`) against
 * libc's gmtime_r/strftime, over fixed instants (epoch, leap days, century rules,
 * the ends of the 4-digit years) and 200 000 pseudo-random ones; plus the
 * wrapped form of years outside 0..9999, which the fast path leaves to libc. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"
#include "unit.h"

/* The reference: what libc says, in the same shapes. */
static void ref_iso(long long ms, char out[64])
{
    long long s = ms / 1000, r = ms % 1000;
    if (r < 0)
        s--, r += 1000;
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)r);
}

static void ref_http(long long secs, char out[64])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int same(long long ms)
{
    char got[25], want[64], hgot[30], hwant[64];
    na_timefmt_iso_ms(ms, got);
    ref_iso(ms, want);
    long long secs = ms / 1000 - (ms % 1000 < 0);
    na_timefmt_http_date(secs, hgot);
    ref_http(secs, hwant);
    if (strcmp(got, want) != 0 || strcmp(hgot, hwant) != 0) {
        printf("# %lld ms: %s / %s, want %s / %s\n", ms, got, hgot, want, hwant);
        return 0;
    }
    return 1;
}

static void test_fixed(void)
{
    char b[30];
    na_timefmt_iso_ms(0, b);
    CHECK_EQ_STR(b, "1970-01-01T00:00:00.000Z");
    na_timefmt_iso_ms(-1, b);
    CHECK_EQ_STR(b, "1969-12-31T23:59:59.999Z");
    na_timefmt_iso_ms(1798916635123LL, b);
    CHECK_EQ_STR(b, "2027-01-02T19:03:55.123Z");
    na_timefmt_iso_ms(951782400000LL, b); /* 2000 is a leap year */
    CHECK_EQ_STR(b, "2000-02-29T00:00:00.000Z");
    na_timefmt_iso_ms(4107542400000LL, b); /* 2100 is not */
    CHECK_EQ_STR(b, "2100-03-01T00:00:00.000Z");
    na_timefmt_iso_ms(253402300799999LL, b);
    CHECK_EQ_STR(b, "9999-12-31T23:59:59.999Z");
    na_timefmt_iso_ms(-62167219200000LL, b);
    CHECK_EQ_STR(b, "0000-01-01T00:00:00.000Z");
    na_timefmt_http_date(0, b);
    CHECK_EQ_STR(b, "Thu, 01 Jan 1970 00:00:00 GMT");
    na_timefmt_http_date(1798916635, b);
    CHECK_EQ_STR(b, "Sat, 02 Jan 2027 19:03:55 GMT");
    na_timefmt_http_date(-1, b);
    CHECK_EQ_STR(b, "Wed, 31 Dec 1969 23:59:59 GMT");
    na_timefmt_http_date(253402300799LL, b);
    CHECK_EQ_STR(b, "Fri, 31 Dec 9999 23:59:59 GMT");
    /* Year 10000 is outside the fast path: libc's date, the year wrapped to 4 digits. */
    na_timefmt_iso_ms(253402300800000LL, b);
    CHECK_EQ_STR(b, "0000-01-01T00:00:00.000Z");
    na_timefmt_http_date(253402300800LL, b);
    CHECK_EQ_STR(b, "Sat, 01 Jan 0000 00:00:00 GMT");
}

static void test_against_libc(void)
{
    /* every day boundary of four centuries around 2000 (leap rules of all kinds) */
    int bad = 0;
    for (long long d = -200 * 366; d < 200 * 366 && bad < 5; d++) {
        long long s = (946684800LL + d * 86400) * 1000;
        bad += !same(s) + !same(s - 1) + !same(s + 86399999);
    }
    CHECK_EQ_INT(bad, 0);
    /* 200 000 pseudo-random instants over years 0..9999 (xorshift64, fixed seed) */
    unsigned long long x = 0x9E3779B97F4A7C15ULL;
    long long span = 253402300799999LL + 62167219200000LL + 1;
    bad = 0;
    for (int i = 0; i < 200000 && bad < 5; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        long long ms = (long long)(x % (unsigned long long)span) - 62167219200000LL;
        bad += !same(ms);
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    RUN(test_fixed);
    RUN(test_against_libc);
    return unit_done();
}
