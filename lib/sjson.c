/* sjson.c — strict JSON objects (see sjson.h). */
#include "sjson.h"

char *na_json_dumps_js(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL)
        return NULL;
    for (char *p = s; *p; p++) {
        if (*p != '\\')
            continue;
        p++; /* the escaped character: never the end, jansson always writes one */
        if (*p == 'u')
            for (int i = 1; i <= 4 && p[i]; i++)
                if (p[i] >= 'A' && p[i] <= 'F')
                    p[i] = (char)(p[i] - 'A' + 'a');
    }
    return s;
}

size_t na_json_depth(const char *buf, size_t len, size_t max)
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

static const char *json_problem(enum json_error_code code)
{
    switch (code) {
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    case json_error_duplicate_key:
        return "duplicate key";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "NUL character";
    case json_error_end_of_input_expected:
        return "data after the end";
    case json_error_premature_end_of_input:
        return "truncated";
    case json_error_numeric_overflow:
        return "number out of range";
    case json_error_wrong_type:
        return "not an object or array";
    default:
        return "syntax error";
    }
}

json_t *na_json_parse_object(const char *buf, size_t len, const char *what, na_err *err)
{
    if (na_json_depth(buf, len, NA_JSON_MAX_DEPTH) > NA_JSON_MAX_DEPTH) {
        na_err_set(err, NA_E_TOO_BIG, "%s: JSON nested deeper than %d levels", what,
                   NA_JSON_MAX_DEPTH);
        return NULL;
    }
    json_error_t jerr;
    /* JSON_REJECT_DUPLICATES: {"sub":"a","sub":"b"} must not mean either. Without
     * JSON_DECODE_ANY only an object or an array is accepted; without
     * JSON_ALLOW_NUL a \u0000 inside a string is refused. */
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL) {
        /* jansson's text quotes the input near the error; a payload is private,
         * so only the kind of error and the byte offset are reported. */
        enum json_error_code code = json_error_code(&jerr);
        if (code == json_error_out_of_memory)
            na_err_set(err, NA_E_NOMEM, "out of memory");
        else
            na_err_set(err, NA_E_MALFORMED, "%s is not valid JSON (%s at byte %d)", what,
                       json_problem(code), jerr.position);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        na_err_set(err, NA_E_MALFORMED, "%s is not a JSON object", what);
        return NULL;
    }
    return v;
}
