/* test_ddb_expr_sets.c - UpdateExpression ADD and DELETE on sets (storage/ddb_update.c):
 * union and difference with members equal by value (NS "1" = "1.0"), and sets as large as a
 * 400 KB item allows handled in O(n log n) (the test's timeout fails a quadratic pass).
 * Source: DynamoDB developer guide, Expressions.UpdateExpressions ("ADD—Adds a new attribute
 * and its values to an item ... If the existing data type is a set and if Value is also a
 * set, then Value is added to the existing set"; "DELETE—Deletes an element from a set"),
 * Constraints (item size 400 KB). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"
#include "storage/ddb_expr.h"

/* Parse update text with values (JSON) and apply it to item (JSON); returns the new item
 * (cJSON_Delete) and asserts success. */
static cJSON *apply(const char *text, cJSON *values, const char *item_json)
{
    ddb_expr_env env;
    ddb_update *u = NULL;
    char err[1024] = "";
    cJSON *item = cJSON_Parse(item_json);
    cr_assert_not_null(item);
    cr_assert_eq(ddb_expr_env_init(&env, NULL, values), 0);
    cr_assert_eq(ddb_update_parse(text, &env, &u, err, sizeof err), 0, "%s", err);
    cr_assert_eq(ddb_update_apply(u, item, err, sizeof err), 0, "%s", err);
    ddb_update_free(u);
    ddb_expr_env_release(&env);
    return item;
}

/* The body of set attribute name of item. */
static const cJSON *set_body(const cJSON *item, const char *name, const char *type)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(item, name);
    cr_assert_not_null(a, "%s missing", name);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(a, type);
    cr_assert(cJSON_IsArray(b), "%s is not a %s", name, type);
    return b;
}

static int has_member(const cJSON *body, const char *m)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, body)
    {
        if (strcmp(e->valuestring, m) == 0)
            return 1;
    }
    return 0;
}

Test(ddb_expr_sets, add_and_delete_by_value)
{
    cJSON *v = cJSON_Parse("{\":ns\":{\"NS\":[\"1.0\",\"3\",\"02\"]},\":ss\":{\"SS\":[\"b\",\"c\"]},"
                           "\":bs\":{\"BS\":[\"AAE=\",\"Ag==\"]},\":dn\":{\"NS\":[\"2.00\",\"9\"]}}");
    cr_assert_not_null(v);
    cJSON *it = apply("ADD ns :ns, ss :ss, bs :bs", v,
                      "{\"ns\":{\"NS\":[\"1\",\"2\"]},\"ss\":{\"SS\":[\"a\",\"b\"]},"
                      "\"bs\":{\"BS\":[\"AAE=\"]}}");
    const cJSON *ns = set_body(it, "ns", "NS"), *ss = set_body(it, "ss", "SS");
    /* 1.0 and 02 equal members already there: only 3 is new */
    cr_assert_eq(cJSON_GetArraySize(ns), 3);
    cr_assert(has_member(ns, "3"));
    cr_assert_eq(cJSON_GetArraySize(ss), 3);
    cr_assert(has_member(ss, "c"));
    cr_assert_eq(cJSON_GetArraySize(set_body(it, "bs", "BS")), 2);
    cJSON_Delete(it);

    it = apply("DELETE ns :dn", v, "{\"ns\":{\"NS\":[\"1\",\"2\"]}}");
    ns = set_body(it, "ns", "NS");
    cr_assert_eq(cJSON_GetArraySize(ns), 1);
    cr_assert(has_member(ns, "1"));
    cJSON_Delete(it);
    /* a set emptied by DELETE is removed */
    it = apply("DELETE ss :ss", v, "{\"ss\":{\"SS\":[\"c\",\"b\"]}}");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(it, "ss"));
    cJSON_Delete(it);
    cJSON_Delete(v);
}

/* {"<type>":[...]} with n members "<prefix><i>" (numbers when type is NS). */
static cJSON *big_set(const char *type, const char *prefix, int from, int n)
{
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, type);
    char buf[64];
    cr_assert_not_null(a);
    for (int i = from; i < from + n; i++) {
        snprintf(buf, sizeof buf, "%s%d", prefix, i);
        cr_assert(cJSON_AddItemToArray(a, cJSON_CreateString(buf)));
    }
    return o;
}

/* Two sets of 100,000 members (about what a 400 KB item holds): a member-by-member search is
 * 10^10 comparisons, far past the timeout; sorted, it is milliseconds. */
Test(ddb_expr_sets, large_sets_are_not_quadratic, .timeout = 20)
{
    const int n = 100000;
    cJSON *item = cJSON_CreateObject(), *v = cJSON_CreateObject();
    char err[256];
    cr_assert(cJSON_AddItemToObject(item, "ss", big_set("SS", "m", 0, n)));
    cr_assert(cJSON_AddItemToObject(item, "ns", big_set("NS", "", 0, n)));
    /* half overlapping */
    cr_assert(cJSON_AddItemToObject(v, ":ss", big_set("SS", "m", n / 2, n)));
    cr_assert(cJSON_AddItemToObject(v, ":ns", big_set("NS", "", n / 2, n)));
    cr_assert_eq(ddb_attr_validate(cJSON_GetObjectItem(v, ":ns"), err, sizeof err), 0, "%s", err);
    char *item_json = cJSON_PrintUnformatted(item);
    cr_assert_not_null(item_json);

    cJSON *it = apply("ADD ss :ss, ns :ns", v, item_json);
    cr_assert_eq(cJSON_GetArraySize(set_body(it, "ss", "SS")), n + n / 2);
    cr_assert_eq(cJSON_GetArraySize(set_body(it, "ns", "NS")), n + n / 2);
    cr_assert_eq(ddb_item_validate(it, err, sizeof err), 0, "%s", err); /* no duplicates */
    cJSON_Delete(it);

    it = apply("DELETE ss :ss, ns :ns", v, item_json);
    cr_assert_eq(cJSON_GetArraySize(set_body(it, "ss", "SS")), n / 2);
    cr_assert_eq(cJSON_GetArraySize(set_body(it, "ns", "NS")), n / 2);
    cr_assert(has_member(set_body(it, "ns", "NS"), "0"));
    cr_assert(!has_member(set_body(it, "ns", "NS"), "50000"));
    cJSON_Delete(it);
    cJSON_free(item_json);
    cJSON_Delete(item);
    cJSON_Delete(v);
}
