/* test_ddb_batch.c - BatchWriteItem and BatchGetItem: limits, duplicates, projections,
 * UnprocessedItems under throttling, UnprocessedKeys always present.
 * Sources: DynamoDB API reference API_BatchWriteItem ("up to 25 put or delete requests";
 * "UnprocessedItems"), API_BatchGetItem ("up to 100 items"; "UnprocessedKeys"); messages as
 * dynalite's validations/batchWriteItem.js and batchGetItem.js record them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

static void mk_feed(tenv *e, const char *throughput)
{
    char req[768];
    snprintf(req, sizeof req,
             "{'TableName':'feed','AttributeDefinitions':[{'AttributeName':'user',"
             "'AttributeType':'S'},{'AttributeName':'ts','AttributeType':'N'}],'KeySchema':"
             "[{'AttributeName':'user','KeyType':'HASH'},{'AttributeName':'ts','KeyType':"
             "'RANGE'}],%s}",
             throughput);
    ok(call(e, "CreateTable", req));
}

/* A BatchWriteItem request of n puts (ts first..first+n-1) for user. */
static char *batch_puts(const char *user, int first, int n)
{
    size_t cap = 256 + (size_t)n * 96;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    size_t len = (size_t)snprintf(s, cap, "{'RequestItems':{'feed':[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "%s{'PutRequest':{'Item':{'user':{'S':'%s'},'ts':{'N':'%d'}}}}",
                                i ? "," : "", user, first + i);
    snprintf(s + len, cap - len, "]}}");
    return s;
}

/* API_BatchWriteItem: 25 puts are accepted; UnprocessedItems is {} when all were written. */
Test(ddb_batch, write_25_puts)
{
    tenv e;
    t_init(&e);
    mk_feed(&e, "'BillingMode':'PAY_PER_REQUEST'");
    char *req = batch_puts("amy", 1, 25);
    sim_reply *r = call(&e, "BatchWriteItem", req);
    free(req);
    ok(r);
    json_eq(r->body, "{'UnprocessedItems':{}}");
    r = call(&e, "Query",
             "{'TableName':'feed','Select':'COUNT','KeyConditionExpression':"
             "'#u = :u','ExpressionAttributeNames':{'#u':'user'},"
             "'ExpressionAttributeValues':{':u':{'S':'amy'}}}");
    cr_assert_eq(num_at(r->body, "Count"), 25);
    r = call(&e, "BatchWriteItem",
             "{'RequestItems':{'feed':[{'DeleteRequest':{'Key':{'user':{'S':'amy'},'ts':"
             "{'N':'1'}}}},{'DeleteRequest':{'Key':{'user':{'S':'amy'},'ts':{'N':'2'}}}}]},"
             "'ReturnConsumedCapacity':'TOTAL'}");
    ok(r);
    json_eq(r->body, "{'UnprocessedItems':{},'ConsumedCapacity':[{'TableName':'feed',"
                     "'CapacityUnits':2}]}");
    t_fini(&e);
}

/* More than 25 requests: ValidationException naming requestItems. */
Test(ddb_batch, write_26_is_refused)
{
    tenv e;
    t_init(&e);
    mk_feed(&e, "'BillingMode':'PAY_PER_REQUEST'");
    char *req = batch_puts("amy", 1, 26);
    sim_reply *r = call(&e, "BatchWriteItem", req);
    free(req);
    cr_assert_str_eq(r->code, "ValidationException");
    const char *head = "1 validation error detected: Value '{feed=[com.amazonaws.dynamodb."
                       "v20120810.WriteRequest@";
    const char *tail = "]}' at 'requestItems' failed to satisfy constraint: Map value must "
                       "satisfy constraint: [Member must have length less than or equal to 25, "
                       "Member must have length greater than or equal to 1]";
    cr_assert_eq(strncmp(r->message, head, strlen(head)), 0, "%s", r->message);
    cr_assert_str_eq(r->message + strlen(r->message) - strlen(tail), tail);
    fails(call(&e, "BatchWriteItem", "{}"), "ValidationException",
          "1 validation error detected: Value null at 'requestItems' failed to satisfy "
          "constraint: Member must not be null");
    t_fini(&e);
}

/* Duplicate keys in one batch are refused; nothing is written. */
Test(ddb_batch, write_duplicates_are_refused)
{
    tenv e;
    t_init(&e);
    mk_feed(&e, "'BillingMode':'PAY_PER_REQUEST'");
    fails(call(&e, "BatchWriteItem",
               "{'RequestItems':{'feed':[{'PutRequest':{'Item':{'user':{'S':'a'},'ts':"
               "{'N':'1'}}}},{'DeleteRequest':{'Key':{'user':{'S':'a'},'ts':{'N':'1.0'}}}}]}}"),
          "ValidationException", "Provided list of item keys contains duplicates");
    fails(call(&e, "BatchWriteItem",
               "{'RequestItems':{'feed':[{'PutRequest':{'Item':{'user':{'S':'a'}}}}]}}"),
          "ValidationException", "The provided key element does not match the schema");
    fails(call(&e, "BatchWriteItem",
               "{'RequestItems':{'nope':[{'PutRequest':{'Item':{'user':{'S':'a'}}}}]}}"),
          "ResourceNotFoundException", "Requested resource not found");
    sim_reply *r = call(&e, "Scan", "{'TableName':'feed','Select':'COUNT'}");
    cr_assert_eq(num_at(r->body, "Count"), 0);
    t_fini(&e);
}

/* Throttling: a batch writes what capacity allows and returns the rest, in order, in
 * UnprocessedItems (developer guide, "Batch operations and error handling"). */
Test(ddb_batch, throttled_batch_returns_unprocessed_items)
{
    tenv e;
    t_init(&e);
    mk_feed(&e, "'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':5}");
    /* use up the 300 s burst (1500 writes of 1 KB), spread over partition keys (one key
     * takes at most 1000 WCU/s: the partition limit) */
    int n = 0;
    for (;; n++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{'TableName':'feed','Item':{'user':{'S':'burst%d'},'ts':{'N':'%d'}}}", n % 4, n);
        sim_reply *r = call(&e, "PutItem", req);
        if (sim_reply_failed(r))
            break;
    }
    cr_assert_eq(n, 1500);
    sim_sched_run_for(&e.sched, 2 * SIM_S); /* 10 WCU */
    char *req = batch_puts("amy", 1, 25);
    sim_reply *r = call(&e, "BatchWriteItem", req);
    free(req);
    ok(r);
    const cJSON *un = at(r->body, "UnprocessedItems.feed");
    cr_assert_eq(cJSON_GetArraySize(un), 15);
    json_eq(cJSON_GetArrayItem(un, 0),
            "{'PutRequest':{'Item':{'user':{'S':'amy'},'ts':{'N':'11'}}}}");
    json_eq(cJSON_GetArrayItem(un, 14),
            "{'PutRequest':{'Item':{'user':{'S':'amy'},'ts':{'N':'25'}}}}");
    r = call(&e, "Query",
             "{'TableName':'feed','Select':'COUNT','KeyConditionExpression':"
             "'#u = :u','ExpressionAttributeNames':{'#u':'user'},"
             "'ExpressionAttributeValues':{':u':{'S':'amy'}}}");
    cr_assert_eq(num_at(r->body, "Count"), 10);
    t_fini(&e);
}

/* API_BatchGetItem: found items in Responses, projection, UnprocessedKeys {}. */
Test(ddb_batch, get_items_with_projection)
{
    tenv e;
    t_init(&e);
    mk_feed(&e, "'BillingMode':'PAY_PER_REQUEST'");
    ok(call(&e, "PutItem",
            "{'TableName':'feed','Item':{'user':{'S':'a'},'ts':{'N':'1'},'x':{'S':'one'}}}"));
    ok(call(&e, "PutItem",
            "{'TableName':'feed','Item':{'user':{'S':'a'},'ts':{'N':'2'},'x':{'S':'two'}}}"));
    sim_reply *r = call(&e, "BatchGetItem",
                        "{'RequestItems':{'feed':{'Keys':[{'user':{'S':'a'},'ts':{'N':'2'}},"
                        "{'user':{'S':'a'},'ts':{'N':'9'}},{'user':{'S':'a'},'ts':{'N':'1'}}],"
                        "'ProjectionExpression':'#x','ExpressionAttributeNames':{'#x':'x'}}}}");
    ok(r);
    json_eq(r->body, "{'Responses':{'feed':[{'x':{'S':'two'}},{'x':{'S':'one'}}]},"
                     "'UnprocessedKeys':{}}");
    fails(call(&e, "BatchGetItem",
               "{'RequestItems':{'feed':{'Keys':[{'user':{'S':'a'},'ts':{'N':'2'}},"
               "{'user':{'S':'a'},'ts':{'N':'2'}}]}}}"),
          "ValidationException", "Provided list of item keys contains duplicates");
    t_fini(&e);
}

/* API_BatchGetItem: at most 100 keys. */
Test(ddb_batch, get_more_than_100_keys_is_refused)
{
    tenv e;
    t_init(&e);
    mk_feed(&e, "'BillingMode':'PAY_PER_REQUEST'");
    char *s = malloc(16384);
    cr_assert_not_null(s);
    size_t len = (size_t)snprintf(s, 16384, "{'RequestItems':{'feed':{'Keys':[");
    for (int i = 0; i < 101; i++)
        len += (size_t)snprintf(s + len, 16384 - len, "%s{'user':{'S':'a'},'ts':{'N':'%d'}}",
                                i ? "," : "", i);
    snprintf(s + len, 16384 - len, "]}}}");
    sim_reply *r = call(&e, "BatchGetItem", s);
    free(s);
    cr_assert_str_eq(r->code, "ValidationException");
    cr_assert_not_null(strstr(r->message, "at 'requestItems.feed.member.keys' failed to satisfy "
                                          "constraint: Member must have length less than or "
                                          "equal to 100"));
    t_fini(&e);
}

/* Throttled reads come back in UnprocessedKeys with the request's other members. */
Test(ddb_batch, throttled_get_returns_unprocessed_keys)
{
    tenv e;
    t_init(&e);
    mk_feed(&e, "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':5}");
    ok(call(&e, "PutItem", "{'TableName':'feed','Item':{'user':{'S':'a'},'ts':{'N':'1'}}}"));
    /* 300 s burst of 1 RCU: 300 strongly consistent reads */
    for (int i = 0; i < 300; i++)
        ok(call(&e, "GetItem",
                "{'TableName':'feed','ConsistentRead':true,'Key':{'user':"
                "{'S':'a'},'ts':{'N':'1'}}}"));
    sim_reply *r = call(&e, "BatchGetItem",
                        "{'RequestItems':{'feed':{'ConsistentRead':true,'Keys':[{'user':"
                        "{'S':'a'},'ts':{'N':'1'}}]}}}");
    ok(r);
    json_eq(r->body, "{'Responses':{'feed':[]},'UnprocessedKeys':{'feed':{'ConsistentRead':true,"
                     "'Keys':[{'user':{'S':'a'},'ts':{'N':'1'}}]}}}");
    t_fini(&e);
}

/* API_BatchGetItem: "A single operation can retrieve up to 16 MB of data ... returns a partial
 * result if the response size limit is exceeded ... if you ask to retrieve 100 items, but each
 * individual item is 300 KB in size, the system returns 52 items (so as not to exceed the
 * 16 MB limit). It also returns an appropriate UnprocessedKeys value". That very example:
 * 100 items of 300 KB (307,200 bytes each), 52 come back and the 48 others are unprocessed;
 * asking again for the unprocessed keys returns them all. */
Test(ddb_batch, get_stops_at_16_mb_as_the_api_reference_example)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'big','AttributeDefinitions':[{'AttributeName':'id','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    /* id (2) + "kNN" (3) + p (1) + pad = 307,200 bytes */
    size_t pad = 307200 - 6;
    char *req = malloc(pad + 256);
    cr_assert_not_null(req);
    for (int i = 0; i < 100; i++) {
        int n = snprintf(req, 256, "{'TableName':'big','Item':{'id':{'S':'k%02d'},'p':{'S':'", i);
        memset(req + n, 'x', pad);
        strcpy(req + n + pad, "'}}}");
        ok(call(&e, "PutItem", req));
    }
    free(req);
    char keys[100 * 24 + 64];
    size_t len = (size_t)snprintf(keys, sizeof keys, "{'RequestItems':{'big':{'Keys':[");
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(keys + len, sizeof keys - len, "%s{'id':{'S':'k%02d'}}",
                                i ? "," : "", i);
    snprintf(keys + len, sizeof keys - len, "]}}}");
    sim_reply *r = call(&e, "BatchGetItem", keys);
    ok(r);
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "Responses.big")), 52);
    const cJSON *left = at(r->body, "UnprocessedKeys.big.Keys");
    cr_assert_eq(cJSON_GetArraySize(left), 48);
    /* every key is in exactly one of the two lists */
    int seen[100] = { 0 };
    const cJSON *it;
    cJSON_ArrayForEach(it, at(r->body, "Responses.big")) seen[atoi(str_at(it, "id.S") + 1)]++;
    cJSON_ArrayForEach(it, left) seen[atoi(str_at(it, "id.S") + 1)]++;
    for (int i = 0; i < 100; i++)
        cr_assert_eq(seen[i], 1, "key k%02d", i);
    /* the unprocessed keys, asked again, all fit (48 * 300 KB < 16 MB) */
    cJSON *again = cJSON_CreateObject();
    cJSON *ri = cJSON_AddObjectToObject(again, "RequestItems");
    cJSON_AddItemToObject(ri, "big",
                          cJSON_Duplicate(at(r->body, "UnprocessedKeys.big"), 1));
    char *txt = cJSON_PrintUnformatted(again);
    cJSON_Delete(again);
    r = call(&e, "BatchGetItem", txt);
    free(txt);
    ok(r);
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "Responses.big")), 48);
    cr_assert_null(at(r->body, "UnprocessedKeys.big"));
    t_fini(&e);
}
