/* test_memory — jansson on the free lists (every size class, large blocks, reuse
 * beyond NA_MEM_KEEP, a token parsed and dumped), and the start-up trim: the
 * resident set shrinks and everything still works after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fastjson.h"
#include "json.h"
#include "memory.h"
#include "unit.h"

/* memory.c compiles the free lists out under AddressSanitizer (make sanitize). */
#if defined(__SANITIZE_ADDRESS__)
#define FAST_EXPECTED (-1)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAST_EXPECTED (-1)
#endif
#endif
#ifndef FAST_EXPECTED
#define FAST_EXPECTED 0
#endif

static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    if (f != NULL)
        fclose(f);
    return v;
}

static void test_plain_switch(void)
{
    setenv("NEXTAUTH_PLAIN_MALLOC", "1", 1);
    CHECK_EQ_INT(na_memory_fast_json(), -1);
    unsetenv("NEXTAUTH_PLAIN_MALLOC");
}

static void test_free_lists(void)
{
    CHECK_EQ_INT(na_memory_fast_json(), FAST_EXPECTED);
    /* strings of every length up to 600 bytes: every class and large blocks */
    char text[601];
    memset(text, 'x', sizeof text);
    int bad = 0;
    for (int round = 0; round < 3; round++) {
        json_t *a = json_array();
        for (size_t n = 0; n <= 600; n++)
            json_array_append_new(a, json_stringn(text, n));
        for (size_t n = 0; n <= 600; n++)
            bad += json_string_length(json_array_get(a, n)) != n;
        json_decref(a);
    }
    CHECK_EQ_INT(bad, 0);
    /* more live blocks of one size than the lists keep, freed and taken again */
    json_t *many = json_array();
    for (int i = 0; i < 3 * NA_MEM_KEEP; i++)
        json_array_append_new(many, json_integer(i));
    json_decref(many);
    many = json_array();
    for (int i = 0; i < 3 * NA_MEM_KEEP; i++)
        json_array_append_new(many, json_integer(i));
    CHECK_EQ_INT(json_integer_value(json_array_get(many, 3 * NA_MEM_KEEP - 1)),
                 3 * NA_MEM_KEEP - 1);
    json_decref(many);
    /* a token payload through the parser and back to text (plain malloc memory) */
    static const char claims[] = "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"sub\":\"1\","
                                 "\"iat\":1700000000,\"exp\":1702592000,\"jti\":\"x\"}";
    json_t *t = na_fastjson_parse_object(claims, sizeof claims - 1, 32, NULL);
    CHECK(t != NULL);
    char *s = na_json_dumps_js(t);
    CHECK_EQ_STR(s, claims);
    free(s); /* plain free: json.h says so */
    json_decref(t);
}

static void test_trim(void)
{
    long before = status_kb("RssFile");
    long freed = na_memory_trim();
    long after = status_kb("RssFile");
    CHECK(freed > 0);
    CHECK(after < before);
    /* code and constants come back on use: the parser still works */
    json_t *t = na_fastjson_parse_object("{\"a\":[1,2,{\"b\":null}]}", 22, 32, NULL);
    CHECK(t != NULL);
    json_decref(t);
    printf("# trim: RssFile %ld kB -> %ld kB (%ld kB released)\n", before, after, freed);
}

int main(void)
{
    RUN(test_plain_switch);
    RUN(test_free_lists);
    RUN(test_trim);
    return unit_done();
}
