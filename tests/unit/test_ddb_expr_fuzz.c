/* test_ddb_expr_fuzz.c - the bugs libFuzzer found in the expression code (make fuzz,
 * tests/fuzz/fuzz_ddb_expr.c), one test each; their inputs are also in
 * tests/fuzz/corpus/expr/crash-*, replayed by `make unit`.
 * Sources: DynamoDB developer guide, Constraints ("DynamoDB supports nested attributes up to
 * 32 levels deep"); the message DynamoDB gives for a deeper value, "Nesting Levels have
 * exceeded supported limits", as recorded by extenddb's and dynoxide's suites; RFC 8259 (JSON
 * text is UTF-8), for the messages of a JSON reply. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"
#include "storage/ddb_expr.h"

/* Is s valid UTF-8 (structure only: lead and continuation bytes)? */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        int k = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : -1;
        if (k < 0)
            return 0;
        p++;
        for (; k > 0; k--, p++) {
            if ((*p & 0xC0) != 0x80)
                return 0;
        }
    }
    return 1;
}

/* n copies of "é" (2 bytes each). Caller frees. */
static char *e_acute(int n)
{
    char *s = malloc((size_t)n * 2 + 1);
    cr_assert_not_null(s);
    for (int i = 0; i < n; i++)
        memcpy(s + 2 * i, "\xc3\xa9", 2);
    s[2 * n] = '\0';
    return s;
}

/* Messages are cut to their buffer, never inside a UTF-8 sequence (fuzzer input
 * crash-utf8-overlap: two overlapping paths named by a 600-byte #name). */
Test(ddb_expr_fuzz, cut_messages_stay_utf8)
{
    char *name = e_acute(300), err[1024] = "";
    cJSON *names = cJSON_CreateObject(), *values = cJSON_Parse("{\":s\":{\"S\":\"x\"}}");
    ddb_expr_env env;
    ddb_update *u = NULL;
    cr_assert_not_null(cJSON_AddStringToObject(names, "#x", name));
    cr_assert_eq(ddb_expr_env_init(&env, names, values), 0);
    cr_assert_eq(ddb_update_parse("SET #x = :s, #x = :s", &env, &u, err, sizeof err),
                 -SIM_EINVAL);
    cr_assert(strncmp(err, "Invalid UpdateExpression: Two document paths overlap", 52) == 0, "%s",
              err);
    cr_assert(utf8_ok(err), "%s", err);
    ddb_expr_env_release(&env);
    cJSON_Delete(names);
    cJSON_Delete(values);

    /* crash-utf8-between: a BETWEEN bound of 400 "é" rendered in the message */
    char *json = malloc(1000);
    cr_assert_not_null(json);
    snprintf(json, 1000, "{\":hi\":{\"S\":\"%s\"},\":lo\":{\"S\":\"a\"}}", name);
    values = cJSON_Parse(json);
    cr_assert_not_null(values);
    ddb_cond *c = NULL;
    cr_assert_eq(ddb_expr_env_init(&env, NULL, values), 0);
    cr_assert_eq(ddb_cond_parse("a BETWEEN :hi AND :lo", "ConditionExpression", &env, &c, err,
                                sizeof err),
                 -SIM_EINVAL);
    cr_assert(strstr(err, "The BETWEEN operator requires upper bound to be greater") != NULL);
    cr_assert(utf8_ok(err), "%s", err);
    ddb_expr_env_release(&env);
    cJSON_Delete(values);
    free(json);

    /* the helper itself: only an incomplete last sequence goes */
    char buf[16];
    strcpy(buf, "ab\xc3\xa9");
    cr_assert_eq(ddb_utf8_trim(buf), 4);
    strcpy(buf, "ab\xc3");
    cr_assert_eq(ddb_utf8_trim(buf), 2);
    strcpy(buf, "ab\xf0\x9d\x84");
    cr_assert_eq(ddb_utf8_trim(buf), 2);
    cr_assert_str_eq(buf, "ab");
    strcpy(buf, "\xf0\x9d\x84\x9e");
    cr_assert_eq(ddb_utf8_trim(buf), 4);
    free(name);
}

/* {"M":{"k": ...}} levels deep around {"S":"x"}, as JSON. Caller frees. */
static char *deep_map(int levels)
{
    size_t cap = (size_t)levels * 16 + 32, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    for (int i = 0; i < levels; i++)
        len += (size_t)snprintf(s + len, cap - len, "{\"M\":{\"k\":");
    len += (size_t)snprintf(s + len, cap - len, "{\"S\":\"x\"}");
    for (int i = 0; i < levels; i++)
        len += (size_t)snprintf(s + len, cap - len, "}}");
    return s;
}

/* SET a value deep into a map: run on an item whose m is a map; rc and message. */
static int set_deep(const char *path_expr, int levels, char *err, size_t cap)
{
    char *v = deep_map(levels), *json = malloc(strlen(v) + 16);
    cJSON *values, *item = cJSON_Parse("{\"m\":{\"M\":{\"b\":{\"M\":{}}}}}");
    ddb_expr_env env;
    ddb_update *u = NULL;
    int rc;
    cr_assert_not_null(json);
    sprintf(json, "{\":v\":%s}", v);
    values = cJSON_Parse(json);
    cr_assert_not_null(values);
    cr_assert_eq(ddb_expr_env_init(&env, NULL, values), 0);
    cr_assert_eq(ddb_update_parse(path_expr, &env, &u, err, cap), 0, "%s", err);
    rc = ddb_update_apply(u, item, err, cap);
    if (rc == 0)
        cr_assert_eq(ddb_item_validate(item, err, cap), 0, "%s", err);
    ddb_update_free(u);
    ddb_expr_env_release(&env);
    cJSON_Delete(values);
    cJSON_Delete(item);
    free(v);
    free(json);
    return rc;
}

/* A SET that nests an attribute past 32 levels is refused; the stored item used to become one
 * that PutItem would refuse (fuzzer input crash-update-nesting). */
Test(ddb_expr_fuzz, set_cannot_nest_past_32_levels)
{
    char err[1024] = "";
    /* m (1) . b (2) . d: a value of 30 maps makes 32 levels of maps, the limit */
    cr_assert_eq(set_deep("SET m.b.d = :v", 30, err, sizeof err), 0, "%s", err);
    cr_assert_eq(set_deep("SET m.b.d = :v", 31, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Nesting Levels have exceeded supported limits");
    /* a value of 32 maps is valid at the top level, one level too deep inside m */
    cr_assert_eq(set_deep("SET n = :v", 32, err, sizeof err), 0, "%s", err);
    cr_assert_eq(set_deep("SET m.d = :v", 32, err, sizeof err), -SIM_EINVAL);
    cr_assert_eq(set_deep("SET m.d = :v", 31, err, sizeof err), 0, "%s", err);
}
