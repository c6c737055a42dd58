/* test_ddb_capacity.c - provisioned capacity as token buckets on the virtual clock: exact
 * refill, the 300 s burst cap, UpdateTable at once, on-demand never throttles, read units,
 * GSI writes on the index's own bucket. Sources: DynamoDB developer guide,
 * "Read/write capacity mode" (ProvisionedThroughput), "Burst capacity" (up to 300 seconds
 * retained), "Capacity unit consumption for writes" (GSI writes), CommonErrors
 * (ProvisionedThroughputExceededException and its message). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

#define THROTTLE_MSG                                                                       \
    "The level of configured provisioned throughput for the table was exceeded. Consider " \
    "increasing your provisioning level with the UpdateTable API."

static void mk_users(tenv *e, int rcu, int wcu)
{
    char req[512];
    snprintf(req, sizeof req,
             "{'TableName':'users','AttributeDefinitions':[{'AttributeName':'handle',"
             "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'handle','KeyType':'HASH'}],"
             "'ProvisionedThroughput':{'ReadCapacityUnits':%d,'WriteCapacityUnits':%d}}",
             rcu, wcu);
    ok(call(e, "CreateTable", req));
}

/* PutItems of 1 KB or less until the first throttle; returns how many were written. */
static int writes_until_throttled(tenv *e, int *seq)
{
    for (int n = 0;; n++) {
        char req[256];
        snprintf(req, sizeof req, "{'TableName':'users','Item':{'handle':{'S':'u%d'}}}", (*seq)++);
        sim_reply *r = call(e, "PutItem", req);
        if (sim_reply_failed(r)) {
            fails(r, "ProvisionedThroughputExceededException", THROTTLE_MSG);
            return n;
        }
    }
}

/* 1 WCU = one write per second: with the burst spent, one second gives exactly 5 writes. */
Test(ddb_capacity, exact_refill_after_burst)
{
    tenv e;
    t_init(&e);
    mk_users(&e, 5, 5);
    int seq = 0;
    cr_assert_eq(writes_until_throttled(&e, &seq), 1500); /* 300 s x 5 WCU */
    sim_sched_run_for(&e.sched, 1 * SIM_S);
    cr_assert_eq(writes_until_throttled(&e, &seq), 5);
    sim_sched_run_for(&e.sched, 200 * SIM_MS);
    cr_assert_eq(writes_until_throttled(&e, &seq), 1);
    sim_sched_run_for(&e.sched, 199 * SIM_MS);         /* 0.995 WCU: not yet one */
    cr_assert_eq(writes_until_throttled(&e, &seq), 1); /* a positive balance admits */
    t_fini(&e);
}

/* Burst capacity: at most 300 seconds of unused capacity is kept. */
Test(ddb_capacity, burst_is_capped_at_300_seconds)
{
    tenv e;
    t_init(&e);
    mk_users(&e, 5, 5);
    int seq = 0;
    cr_assert_eq(writes_until_throttled(&e, &seq), 1500);
    sim_sched_run_for(&e.sched, 1000 * SIM_S);
    cr_assert_eq(writes_until_throttled(&e, &seq), 1500);
    sim_sched_run_for(&e.sched, 100 * SIM_S);
    cr_assert_eq(writes_until_throttled(&e, &seq), 500);
    t_fini(&e);
}

/* API_UpdateTable: the new rate applies at once. */
Test(ddb_capacity, update_table_raises_capacity_at_once)
{
    tenv e;
    t_init(&e);
    mk_users(&e, 5, 5);
    int seq = 0;
    cr_assert_eq(writes_until_throttled(&e, &seq), 1500);
    ok(call(&e, "UpdateTable",
            "{'TableName':'users','ProvisionedThroughput':"
            "{'ReadCapacityUnits':5,'WriteCapacityUnits':10}}"));
    sim_sched_run_for(&e.sched, 1 * SIM_S);
    cr_assert_eq(writes_until_throttled(&e, &seq), 10);
    t_fini(&e);
}

/* On-demand (PAY_PER_REQUEST) tables never throttle. */
Test(ddb_capacity, on_demand_never_throttles)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'users','AttributeDefinitions':[{'AttributeName':'handle',"
            "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'handle','KeyType':'HASH'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    for (int i = 0; i < 3000; i++) {
        char req[128];
        snprintf(req, sizeof req, "{'TableName':'users','Item':{'handle':{'S':'u%d'}}}", i);
        ok(call(&e, "PutItem", req));
    }
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'users'}");
    cr_assert_eq(num_at(r->body, "Table.ItemCount"), 3000);
    cr_assert_str_eq(str_at(r->body, "Table.BillingModeSummary.BillingMode"), "PAY_PER_REQUEST");
    t_fini(&e);
}

/* 1 RCU = one strongly consistent read of up to 4 KB per second, or two eventually
 * consistent ones (GetItem default). */
Test(ddb_capacity, eventually_consistent_reads_cost_half)
{
    tenv e;
    t_init(&e);
    mk_users(&e, 1, 5);
    ok(call(&e, "PutItem", "{'TableName':'users','Item':{'handle':{'S':'a'}}}"));
    int n = 0;
    for (;; n++) {
        sim_reply *r = call(&e, "GetItem", "{'TableName':'users','Key':{'handle':{'S':'a'}}}");
        if (sim_reply_failed(r)) {
            fails(r, "ProvisionedThroughputExceededException", THROTTLE_MSG);
            break;
        }
    }
    cr_assert_eq(n, 600);
    sim_sched_run_for(&e.sched, 1 * SIM_S);
    ok(call(&e, "GetItem",
            "{'TableName':'users','ConsistentRead':true,'Key':{'handle':"
            "{'S':'a'}}}"));
    fails(call(&e, "GetItem", "{'TableName':'users','Key':{'handle':{'S':'a'}}}"),
          "ProvisionedThroughputExceededException", THROTTLE_MSG);
    t_fini(&e);
}

/* GSI writes are charged to the index's own capacity; INDEXES reports them; an exhausted
 * index throttles writes to its table with the GSI message. */
Test(ddb_capacity, gsi_writes_use_the_index_bucket)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'follows','AttributeDefinitions':[{'AttributeName':'follower',"
            "'AttributeType':'S'},{'AttributeName':'followee','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'follower','KeyType':'HASH'},{'AttributeName':"
            "'followee','KeyType':'RANGE'}],'GlobalSecondaryIndexes':[{'IndexName':'rev',"
            "'KeySchema':[{'AttributeName':'followee','KeyType':'HASH'},{'AttributeName':"
            "'follower','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'},"
            "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}],"
            "'ProvisionedThroughput':{'ReadCapacityUnits':100,'WriteCapacityUnits':100}}"));
    sim_reply *r = call(&e, "PutItem",
                        "{'TableName':'follows','Item':{'follower':{'S':'a'},'followee':"
                        "{'S':'b'}},'ReturnConsumedCapacity':'INDEXES'}");
    ok(r);
    json_eq(at(r->body, "ConsumedCapacity"),
            "{'TableName':'follows','CapacityUnits':2,'Table':{'CapacityUnits':1},"
            "'GlobalSecondaryIndexes':{'rev':{'CapacityUnits':1}}}");
    int n = 1;
    for (;; n++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{'TableName':'follows','Item':{'follower':{'S':'f%d'},'followee':{'S':'b'}}}", n);
        r = call(&e, "PutItem", req);
        if (sim_reply_failed(r))
            break;
    }
    cr_assert_eq(n, 300); /* the index's 300 s burst at 1 WCU */
    fails(r, "ProvisionedThroughputExceededException",
          "The level of configured provisioned throughput for one or more global secondary "
          "indexes of the table was exceeded. Consider increasing your provisioning level for "
          "the under-provisioned global secondary indexes with the UpdateTable API");
    t_fini(&e);
}

/* Query reads are charged by the total size read, rounded up to 4 KB. */
Test(ddb_capacity, query_charges_total_size)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'feed','AttributeDefinitions':[{'AttributeName':'u',"
            "'AttributeType':'S'},{'AttributeName':'t','AttributeType':'N'}],"
            "'KeySchema':[{'AttributeName':'u','KeyType':'HASH'},{'AttributeName':"
            "'t','KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST'}"));
    char val[3001];
    memset(val, 'v', 3000);
    val[3000] = '\0';
    for (int i = 0; i < 3; i++) {
        char req[3300];
        snprintf(req, sizeof req,
                 "{'TableName':'feed','Item':{'u':{'S':'a'},'t':{'N':'%d'},'x':{'S':'%s'}}}", i,
                 val);
        ok(call(&e, "PutItem", req));
    }
    /* 3 items of 3006 bytes: 9018 bytes -> 3 x 4 KB -> 1.5 RCU eventually consistent */
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'feed','KeyConditionExpression':'u = :a',"
                        "'ExpressionAttributeValues':{':a':{'S':'a'}},"
                        "'Select':'COUNT','ReturnConsumedCapacity':'TOTAL'}");
    ok(r);
    json_eq(r->body, "{'Count':3,'ScannedCount':3,'ConsumedCapacity':{'TableName':'feed',"
                     "'CapacityUnits':1.5}}");
    t_fini(&e);
}
