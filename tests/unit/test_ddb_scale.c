/* test_ddb_scale.c - request validation stays linear (n log n at worst) in the size of the
 * request: items and keys with 100,000 attributes, sets with 50,000 members, large maps
 * compared in conditions and GSI maintenance. Each test has a timeout far above what the
 * linear code needs under ASan and far below what the old quadratic code took (59 s for one
 * 100,000-attribute PutItem in a release build).
 * Sources: DynamoDB developer guide, Constraints ("The maximum item size in DynamoDB is 400
 * KB"); API_PutItem / API_BatchWriteItem ("Item size has exceeded the maximum allowed
 * size"); set duplicate messages as dynalite's test/batchWriteItem.js records them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

static void mk_table(tenv *e, int with_gsi)
{
    if (with_gsi)
        ok(call(e, "CreateTable",
                "{'TableName':'tt1','AttributeDefinitions':[{'AttributeName':'pk',"
                "'AttributeType':'S'},{'AttributeName':'g','AttributeType':'S'}],'KeySchema':"
                "[{'AttributeName':'pk','KeyType':'HASH'}],'GlobalSecondaryIndexes':"
                "[{'IndexName':'by-g','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],"
                "'Projection':{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'}"));
    else
        ok(call(e, "CreateTable",
                "{'TableName':'tt1','AttributeDefinitions':[{'AttributeName':'pk',"
                "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
                "'BillingMode':'PAY_PER_REQUEST'}"));
}

/* {"pk":{"S":pk}, "a0":{"S":"v"}, ...} with n more attributes. Caller frees. */
static cJSON *wide_item(const char *pk, int n)
{
    cJSON *o = cJSON_CreateObject(), *v;
    char name[24];
    cr_assert_not_null(o);
    v = cJSON_AddObjectToObject(o, "pk");
    cr_assert_not_null(cJSON_AddStringToObject(v, "S", pk));
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "a%d", i);
        v = cJSON_AddObjectToObject(o, name);
        cr_assert_not_null(v);
        cr_assert_not_null(cJSON_AddStringToObject(v, "S", "v"));
    }
    return o;
}

/* Run op with q (taken). */
static sim_reply *call_doc(tenv *e, const char *op, cJSON *q)
{
    sim_reply_clear(&e->r);
    cr_assert_eq(ddb_call(e->svc, op, q, &e->r), 0);
    cJSON_Delete(q);
    return &e->r;
}

/* {"TableName":"tt1", member: doc} */
static cJSON *req_with(const char *member, cJSON *doc)
{
    cJSON *q = cJSON_CreateObject();
    cr_assert_not_null(q);
    cJSON_AddStringToObject(q, "TableName", "tt1");
    cJSON_AddItemToObject(q, member, doc);
    return q;
}

/* The tester's case: 100,000 attributes (over 400 KB) answer at once. */
Test(ddb_scale, put_item_100000_attributes, .timeout = 30)
{
    tenv e;
    t_init(&e);
    mk_table(&e, 0);
    sim_reply *r = call_doc(&e, "PutItem", req_with("Item", wide_item("k", 100000)));
    fails(r, "ValidationException", "Item size has exceeded the maximum allowed size");
    /* 40,000 attributes (about 280 KB) are stored and read back */
    r = call_doc(&e, "PutItem", req_with("Item", wide_item("k", 40000)));
    ok(r);
    r = call(&e, "GetItem", "{'TableName':'tt1','Key':{'pk':{'S':'k'}}}");
    ok(r);
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "Item")), 40001);
    t_fini(&e);
}

/* Keys of 100,000 attributes: the schema message, answered at once. */
Test(ddb_scale, key_maps_100000_attributes, .timeout = 30)
{
    tenv e;
    t_init(&e);
    mk_table(&e, 0);
    sim_reply *r = call_doc(&e, "GetItem", req_with("Key", wide_item("k", 100000)));
    fails(r, "ValidationException", "The provided key element does not match the schema");
    r = call_doc(&e, "DeleteItem", req_with("Key", wide_item("k", 100000)));
    fails(r, "ValidationException", "The provided key element does not match the schema");
    cJSON *q = req_with("ExclusiveStartKey", wide_item("k", 100000));
    r = call_doc(&e, "Scan", q);
    cr_assert_eq(r->status, 400);
    t_fini(&e);
}

/* BatchWriteItem with a 100,000-attribute put, then one of 40,000 attributes. */
Test(ddb_scale, batch_write_100000_attributes, .timeout = 30)
{
    tenv e;
    t_init(&e);
    mk_table(&e, 0);
    for (int k = 0; k < 2; k++) {
        cJSON *q = cJSON_CreateObject(), *ri = cJSON_AddObjectToObject(q, "RequestItems");
        cJSON *list = cJSON_AddArrayToObject(ri, "tt1"), *w = cJSON_CreateObject();
        cr_assert(q != NULL && ri != NULL && list != NULL && w != NULL);
        cJSON *put = cJSON_AddObjectToObject(w, "PutRequest");
        cJSON_AddItemToObject(put, "Item", wide_item("k", k == 0 ? 100000 : 40000));
        cJSON_AddItemToArray(list, w);
        sim_reply *r = call_doc(&e, "BatchWriteItem", q);
        if (k == 0) {
            fails(r, "ValidationException", "Item size has exceeded the maximum allowed size");
        } else {
            ok(r);
            json_eq(r->body, "{'UnprocessedItems':{}}");
        }
    }
    t_fini(&e);
}

/* {"pk":{"S":pk},"s":{type:[members]}} with n members "<prefix><i>" (or i for NS), the
 * last one repeating the first when dup. */
static cJSON *set_item(const char *pk, const char *type, int n, int dup)
{
    cJSON *o = cJSON_CreateObject(), *s, *arr;
    char m[32];
    cr_assert_not_null(o);
    s = cJSON_AddObjectToObject(o, "pk");
    cJSON_AddStringToObject(s, "S", pk);
    s = cJSON_AddObjectToObject(o, "s");
    arr = cJSON_AddArrayToObject(s, type);
    cr_assert_not_null(arr);
    for (int i = 0; i < n; i++) {
        int v = dup && i == n - 1 ? 0 : i;
        if (strcmp(type, "NS") == 0)
            snprintf(m, sizeof m, dup && i == n - 1 ? "%d.000" : "%d", v);
        else if (strcmp(type, "BS") == 0)
            snprintf(m, sizeof m, "%08d", v); /* 8 base64 characters: 6 bytes */
        else
            snprintf(m, sizeof m, "x%d", v);
        cJSON_AddItemToArray(arr, cJSON_CreateString(m));
    }
    return o;
}

/* Sets of 50,000 members: duplicates found by sorting, not by comparing every pair. */
Test(ddb_scale, large_sets_checked_for_duplicates, .timeout = 30)
{
    tenv e;
    t_init(&e);
    mk_table(&e, 0);
    ok(call_doc(&e, "PutItem", req_with("Item", set_item("ss", "SS", 50000, 0))));
    ok(call_doc(&e, "PutItem", req_with("Item", set_item("ns", "NS", 50000, 0))));
    ok(call_doc(&e, "PutItem", req_with("Item", set_item("bs", "BS", 50000, 0))));
    /* "0.000" repeats "0" by value */
    fails(call_doc(&e, "PutItem", req_with("Item", set_item("ns", "NS", 50000, 1))),
          "ValidationException", "Input collection contains duplicates");
    sim_reply *r = call_doc(&e, "PutItem", req_with("Item", set_item("ss", "SS", 50000, 1)));
    cr_assert_eq(r->status, 400);
    cr_assert_str_eq(r->code, "ValidationException");
    cr_assert(strncmp(r->message,
                      "One or more parameter values were invalid: Input collection [x0, x1, ",
                      66) == 0,
              "%s", r->message);
    r = call_doc(&e, "PutItem", req_with("Item", set_item("bs", "BS", 50000, 1)));
    cr_assert_eq(r->status, 400);
    cr_assert(strncmp(r->message,
                      "One or more parameter values were invalid: Input collection [00000000, ",
                      71) == 0,
              "%s", r->message);
    /* the exact messages of small sets are unchanged (dynalite test/batchWriteItem.js) */
    fails(call(&e, "PutItem", "{'TableName':'tt1','Item':{'pk':{'S':'a'},'s':{'SS':['a','a']}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Input collection [a, a] contains "
          "duplicates.");
    fails(call(&e, "PutItem", "{'TableName':'tt1','Item':{'pk':{'S':'a'},'s':{'NS':['1','1']}}}"),
          "ValidationException", "Input collection contains duplicates");
    fails(call(&e, "PutItem",
               "{'TableName':'tt1','Item':{'pk':{'S':'a'},'s':{'BS':['Yg==','Yg==']}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS "
          "contains duplicates.");
    t_fini(&e);
}

/* A map value: {"M":{"k0":{"N":"0"},...}} of n members, listed forwards or backwards, the
 * member `change` (if >= 0) holding another value. */
static cJSON *big_map(int n, int backwards, int change)
{
    cJSON *o = cJSON_CreateObject(), *m = cJSON_AddObjectToObject(o, "M"), *v;
    char name[24], num[24];
    cr_assert(o != NULL && m != NULL);
    for (int j = 0; j < n; j++) {
        int i = backwards ? n - 1 - j : j;
        snprintf(name, sizeof name, "k%d", i);
        snprintf(num, sizeof num, i == change ? "%d.5" : "%d", i);
        v = cJSON_AddObjectToObject(m, name);
        cJSON_AddStringToObject(v, "N", num);
    }
    return o;
}

/* Conditions comparing large maps and sets, and an overwrite maintaining an ALL GSI: equal
 * regardless of member order, compared sorted. */
Test(ddb_scale, large_values_compared_in_conditions_and_gsi, .timeout = 30)
{
    tenv e;
    t_init(&e);
    mk_table(&e, 1);
    cJSON *item = cJSON_CreateObject();
    cJSON_AddItemToObject(item, "pk", cJSON_CreateRaw("{\"S\":\"k\"}"));
    cJSON_AddItemToObject(item, "g", cJSON_CreateRaw("{\"S\":\"g1\"}"));
    cJSON_AddItemToObject(item, "m", big_map(20000, 0, -1));
    char *text = cJSON_PrintUnformatted(item);
    cJSON_Delete(item);
    ok(call_doc(&e, "PutItem", req_with("Item", cJSON_Parse(text))));
    /* same item again: the GSI sees equal items */
    ok(call_doc(&e, "PutItem", req_with("Item", cJSON_Parse(text))));
    cJSON_free(text);

    for (int k = 0; k < 3; k++) {
        cJSON *q = js("{'TableName':'tt1','Key':{'pk':{'S':'k'}},'UpdateExpression':"
                      "'SET cnt = :one','ConditionExpression':'m = :m'}");
        cJSON *vals = cJSON_AddObjectToObject(q, "ExpressionAttributeValues");
        cJSON_AddItemToObject(vals, ":one", cJSON_Parse("{\"N\":\"1\"}"));
        cJSON_AddItemToObject(vals, ":m", big_map(20000, 1, k == 0 ? -1 : k == 1 ? 19999 : 0));
        sim_reply *r = call_doc(&e, "UpdateItem", q);
        if (k == 0)
            ok(r); /* listed backwards, with "0" for 0: equal */
        else
            fails(r, "ConditionalCheckFailedException", "The conditional request failed");
    }
    /* sets: equal in another order, numbers by value */
    ok(call_doc(&e, "PutItem", req_with("Item", set_item("s", "NS", 20000, 0))));
    cJSON *q = js("{'TableName':'tt1','Key':{'pk':{'S':'s'}},'ConditionExpression':'s = :s'}");
    cJSON *vals = cJSON_AddObjectToObject(q, "ExpressionAttributeValues");
    cJSON *sv = cJSON_AddObjectToObject(vals, ":s"), *arr = cJSON_AddArrayToObject(sv, "NS");
    char m[32];
    for (int i = 19999; i >= 0; i--) {
        snprintf(m, sizeof m, "%d.0", i);
        cJSON_AddItemToArray(arr, cJSON_CreateString(m));
    }
    ok(call_doc(&e, "DeleteItem", q));
    t_fini(&e);
}
