/* json_depth_oracle.h — a second, deliberately simple count of a JSON text's
 * nesting depth (brackets outside strings), for tests that check the parsers'
 * depth bound against it. Stops early and returns max + 1 once max is
 * exceeded. Not a validator: it counts brackets in any text. */
#ifndef JSON_DEPTH_ORACLE_H
#define JSON_DEPTH_ORACLE_H

#include <stddef.h>

static size_t json_depth_oracle(const char *buf, size_t len, size_t max)
{
    size_t depth = 0, deepest = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\')
                i++; /* skip the escaped character (a quote or a backslash) */
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > max)
                    return max + 1;
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

#endif
