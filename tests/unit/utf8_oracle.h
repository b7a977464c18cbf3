/* utf8_oracle.h — a test oracle for UTF-8 (RFC 3629), shared by the unit tests
 * and the fuzz targets: each code point decoded and checked (shortest form, no
 * surrogate, at most U+10FFFF), rather than lib/text.h's table of lead and
 * continuation byte ranges. Header-only: include it in one test file. */
#ifndef NA_TEST_UTF8_ORACLE_H
#define NA_TEST_UTF8_ORACLE_H

#include <stddef.h>

/* 1 when s[0..n) is UTF-8, else 0. */
static int oracle_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned len = 0;
        while (len < 8 && (s[i] & (0x80u >> len)))
            len++;
        if (len == 0) {
            i++;
            continue;
        }
        if (len == 1 || len > 4 || n - i < len)
            return 0;
        unsigned long cp = s[i] & (0x7fu >> len);
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

#endif
