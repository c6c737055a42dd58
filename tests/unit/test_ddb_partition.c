/* test_ddb_partition.c - the partition model: one partition takes at most 1000 write and
 * 3000 read units per second, in provisioned and on-demand mode alike, and the model assumes
 * split-for-heat has happened: with a sort key the limit binds each item (pk + sk), without
 * one each partition key value, and a Query's item collection has a bucket of its own. A hot
 * item is throttled while other items, even of its collection, are not. Partition counts.
 * Sources: developer guide, "Partitions and data distribution" and "Best practices for
 * designing and using partition keys effectively" (3,000 RCU / 1,000 WCU per partition),
 * "Burst and adaptive capacity" (isolating frequently accessed items), "Key range throughput
 * exceeded (hot partitions)" (split-for-heat), "Troubleshooting throttling"
 * (KeyRangeThroughputExceeded in both modes); the on-demand message is DynamoDB's
 * ThrottlingException text (API_TransactWriteItems, ThrottlingError). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/ddb.h"
#include "tests/unit/test_ddb_util.h"

#define MSG_ON_DEMAND                                                                       \
    "Throughput exceeds the current capacity of your table or index. DynamoDB is "          \
    "automatically scaling your table or index so please try again shortly. If exceptions " \
    "persist, check if you have a hot key: "                                                \
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-"    \
    "design.html"
#define MSG_TABLE                                                                          \
    "The level of configured provisioned throughput for the table was exceeded. Consider " \
    "increasing your provisioning level with the UpdateTable API."

static void mk(tenv *e, const char *billing)
{
    char req[1024];
    snprintf(req, sizeof req,
             "{'TableName':'hot','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':"
             "'S'},{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'g',"
             "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{"
             "'AttributeName':'sk','KeyType':'RANGE'}],%s,'GlobalSecondaryIndexes':[{"
             "'IndexName':'by_g','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],"
             "'Projection':{'ProjectionType':'KEYS_ONLY'}%s}]}",
             billing,
             strstr(billing, "PAY_PER_REQUEST")
                 ? ""
                 : ",'ProvisionedThroughput':{'ReadCapacityUnits':100000,"
                   "'WriteCapacityUnits':100000}");
    ok(call(e, "CreateTable", req));
}

/* Put item pk/sk (1 WCU); returns the reply. */
static sim_reply *put(tenv *e, const char *pk, int sk, const char *g)
{
    char req[256];
    if (g != NULL)
        snprintf(req, sizeof req,
                 "{'TableName':'hot','Item':{'pk':{'S':'%s'},'sk':{'N':'%d'},'g':{'S':'%s'}}}", pk,
                 sk, g);
    else
        snprintf(req, sizeof req, "{'TableName':'hot','Item':{'pk':{'S':'%s'},'sk':{'N':'%d'}}}",
                 pk, sk);
    return call(e, "PutItem", req);
}

Test(ddb_partition, provisioned_hot_item_is_limited_to_1000_wcu)
{
    tenv e;
    t_init(&e);
    mk(&e, "'BillingMode':'PROVISIONED','ProvisionedThroughput':{'ReadCapacityUnits':100000,"
           "'WriteCapacityUnits':100000}");
    for (int i = 0; i < 1000; i++)
        ok(put(&e, "k", 1, NULL)); /* one item, rewritten: it lives on one partition */
    fails(put(&e, "k", 1, NULL), "ProvisionedThroughputExceededException", MSG_TABLE);
    ok(put(&e, "k", 2, NULL));               /* another item of its collection is not limited */
    ok(put(&e, "other", 1, NULL));           /* nor another partition key */
    sim_sched_run_for(&e.sched, SIM_S / 10); /* 100 units come back */
    for (int i = 0; i < 100; i++)
        ok(put(&e, "k", 1, NULL));
    fails(put(&e, "k", 1, NULL), "ProvisionedThroughputExceededException", MSG_TABLE);
    ddb_table_counters c;
    cr_assert_eq(ddb_table_stats(e.svc, "hot", &c), 0);
    cr_assert_eq(c.table.throttled_writes, 2);
    /* 100000 RCU + 100000 WCU: ceil(100000/3000 + 100000/1000) = 134 partitions */
    cr_assert_eq(c.table.partitions, 134);
    t_fini(&e);
}

Test(ddb_partition, on_demand_hot_key_is_a_throttling_exception)
{
    tenv e;
    t_init(&e);
    mk(&e, "'BillingMode':'PAY_PER_REQUEST'");
    for (int i = 0; i < 1000; i++)
        ok(put(&e, "k", 1, NULL));
    fails(put(&e, "k", 1, NULL), "ThrottlingException", MSG_ON_DEMAND);
    ddb_table_counters c;
    cr_assert_eq(ddb_table_stats(e.svc, "hot", &c), 0);
    /* on-demand counts as 12000 RCU / 4000 WCU: 8 partitions */
    cr_assert_eq(c.table.partitions, 8);
    t_fini(&e);
}

/* by_g has no sort key: its partition key value is the unit, whatever the table keys. */
Test(ddb_partition, hot_gsi_key_throttles_the_write)
{
    tenv e;
    t_init(&e);
    mk(&e, "'BillingMode':'PAY_PER_REQUEST'");
    /* different table keys, one index key: the index partition is the hot one */
    for (int i = 0; i < 1000; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "u%d", i);
        ok(put(&e, pk, 0, "same"));
    }
    fails(put(&e, "u1000", 0, "same"), "ThrottlingException",
          "Throughput exceeds the current capacity for one or more global secondary indexes. "
          "DynamoDB is automatically scaling your index so please try again shortly.");
    ok(put(&e, "u1001", 0, "elsewhere"));
    ddb_table_counters c;
    cr_assert_eq(ddb_table_stats(e.svc, "hot", &c), 0);
    cr_assert_eq(c.gsi[0].throttled_writes, 1);
    t_fini(&e);
}

/* With a sort key the index limit binds each index item (g + sk): 10,000 index entries under
 * one index partition key (Tweeter's follows of one user) are not throttled. */
Test(ddb_partition, gsi_with_sort_key_binds_per_index_item)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'hot','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':"
            "'S'},{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'g',"
            "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{"
            "'AttributeName':'sk','KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST',"
            "'GlobalSecondaryIndexes':[{'IndexName':'by_g','KeySchema':[{'AttributeName':'g',"
            "'KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],'Projection':{"
            "'ProjectionType':'KEYS_ONLY'}}]}"));
    for (int i = 0; i < 3000; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "u%d", i);
        ok(put(&e, pk, i, "same"));
    }
    /* one index item (same g and sk, from different table items) is still one partition's */
    for (int i = 0; i < 1000; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "v%d", i);
        ok(put(&e, pk, -1, "same"));
    }
    fails(put(&e, "v1000", -1, "same"), "ThrottlingException",
          "Throughput exceeds the current capacity for one or more global secondary indexes. "
          "DynamoDB is automatically scaling your index so please try again shortly.");
    t_fini(&e);
}

/* Without a sort key the partition key value is the item, and the unit. */
Test(ddb_partition, hash_only_table_binds_per_partition_key)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'hsh','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}"
            "],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    for (int i = 0; i < 1000; i++)
        ok(call(&e, "PutItem", "{'TableName':'hsh','Item':{'pk':{'S':'k'}}}"));
    fails(call(&e, "PutItem", "{'TableName':'hsh','Item':{'pk':{'S':'k'}}}"), "ThrottlingException",
          MSG_ON_DEMAND);
    ok(call(&e, "PutItem", "{'TableName':'hsh','Item':{'pk':{'S':'j'}}}"));
    t_fini(&e);
}

#define GET_K1 "{'TableName':'hot','Key':{'pk':{'S':'k'},'sk':{'N':'1'}},'ConsistentRead':true}"
#define QUERY_K                                                               \
    "{'TableName':'hot','KeyConditionExpression':'pk = :k','ConsistentRead':true," \
    "'ExpressionAttributeValues':{':k':{'S':'k'}}}"

/* GetItem and BatchGetItem read one item: its bucket. A Query reads the item collection: the
 * collection's own bucket, apart from its items'. */
Test(ddb_partition, hot_item_reads_are_limited_to_3000_rcu)
{
    tenv e;
    t_init(&e);
    mk(&e, "'BillingMode':'PAY_PER_REQUEST'");
    ok(put(&e, "k", 1, NULL));
    ok(put(&e, "k", 2, NULL));
    sim_sched_run_for(&e.sched, SIM_S);
    for (int i = 0; i < 3000; i++)
        ok(call(&e, "GetItem", GET_K1));
    fails(call(&e, "GetItem", GET_K1), "ThrottlingException", MSG_ON_DEMAND);
    /* the item next to it in the collection, and the collection's Query, still read */
    ok(call(&e, "GetItem",
            "{'TableName':'hot','Key':{'pk':{'S':'k'},'sk':{'N':'2'}},'ConsistentRead':true}"));
    ok(call(&e, "Query", QUERY_K));
    /* BatchGetItem leaves a hot item's reads unprocessed, and reads other items */
    sim_reply *r = call(&e, "BatchGetItem",
                        "{'RequestItems':{'hot':{'Keys':[{'pk':{'S':'k'},'sk':{'N':'1'}},{'pk':"
                        "{'S':'k'},'sk':{'N':'2'}}],'ConsistentRead':true}}}");
    ok(r);
    json_eq(at(r->body, "UnprocessedKeys"),
            "{'hot':{'Keys':[{'pk':{'S':'k'},'sk':{'N':'1'}}],'ConsistentRead':true}}");
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "Responses.hot")), 1);
    sim_sched_run_for(&e.sched, SIM_S);
    ok(call(&e, "GetItem", GET_K1));
    t_fini(&e);
}

Test(ddb_partition, hot_collection_queries_are_limited_to_3000_rcu)
{
    tenv e;
    t_init(&e);
    mk(&e, "'BillingMode':'PAY_PER_REQUEST'");
    ok(put(&e, "k", 1, NULL));
    sim_sched_run_for(&e.sched, SIM_S);
    for (int i = 0; i < 3000; i++) /* one item, under 4 KB: 1 RCU consistent */
        ok(call(&e, "Query", QUERY_K));
    fails(call(&e, "Query", QUERY_K), "ThrottlingException", MSG_ON_DEMAND);
    ok(call(&e, "GetItem", GET_K1)); /* the item's own bucket is untouched */
    ddb_table_counters c;
    cr_assert_eq(ddb_table_stats(e.svc, "hot", &c), 0);
    cr_assert_eq(c.table.throttled_reads, 1);
    t_fini(&e);
}

/* Ordinary loads see no change: spread over keys, a table writes at its provisioned rate
 * (plus burst) whatever the number of keys; one collection's many items spread too. */
Test(ddb_partition, spread_keys_are_limited_by_the_table_only)
{
    tenv e;
    t_init(&e);
    mk(&e, "'BillingMode':'PAY_PER_REQUEST'");
    for (int i = 0; i < 5000; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "u%d", i % 10);
        ok(put(&e, pk, i, NULL));
    }
    for (int i = 0; i < 5000; i++)
        ok(put(&e, "one", i, NULL));
    t_fini(&e);
}

static void on_complete(sim_http_exchange *x)
{
    *(int *)x->front_data += 1;
}

/* On the wire, ThrottlingException carries the coral availability namespace, as DynamoDB
 * sends it: {"__type":"com.amazon.coral.availability#ThrottlingException", ...}. */
Test(ddb_partition, throttling_exception_on_the_wire)
{
    tenv e;
    t_init(&e);
    mk(&e, "'BillingMode':'PAY_PER_REQUEST'");
    for (int i = 0; i < 1000; i++)
        ok(put(&e, "k", 7, NULL));
    const char *body =
        "{\"TableName\":\"hot\",\"Item\":{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"7\"}}}";
    sim_http_exchange x;
    int completed = 0;
    memset(&x, 0, sizeof x);
    x.req.method = strdup("POST");
    x.req.path = strdup("/");
    x.req.headers = calloc(2, sizeof *x.req.headers);
    cr_assert_not_null(x.req.headers);
    x.req.headers[0].name = strdup("Content-Type");
    x.req.headers[0].value = strdup("application/x-amz-json-1.0");
    x.req.headers[1].name = strdup("X-Amz-Target");
    x.req.headers[1].value = strdup("DynamoDB_20120810.PutItem");
    x.req.nheaders = 2;
    x.req.body = (unsigned char *)strdup(body);
    x.req.body_len = strlen(body);
    x.complete = on_complete;
    x.front_data = &completed;
    ddb_http_serve(e.svc, &x);
    cr_assert_eq(completed, 1);
    cr_assert_eq(x.resp.status, 400);
    cJSON *doc = cJSON_ParseWithLength((const char *)x.resp.body, x.resp.body_len);
    cr_assert_not_null(doc);
    json_eq(
        doc,
        "{'__type':'com.amazon.coral.availability#ThrottlingException','message':'" MSG_ON_DEMAND
        "'}");
    cJSON_Delete(doc);
    sim_http_req_release(&x.req);
    sim_http_resp_release(&x.resp);
    t_fini(&e);
}

/* With the partition limits off (benchmarks), one key takes whatever the table allows. */
Test(ddb_partition, limits_can_be_turned_off)
{
    tenv e;
    t_init(&e);
    ddb_service_set_partition_limits(e.svc, 0);
    mk(&e, "'BillingMode':'PAY_PER_REQUEST'");
    for (int i = 0; i < 3000; i++)
        ok(put(&e, "k", 1, "same"));
    t_fini(&e);
}
