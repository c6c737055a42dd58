/* test_ddb_txn.c - TransactWriteItems and TransactGetItems: all-or-nothing writes,
 * cancellation reasons in order, one operation per item, ClientRequestToken idempotency
 * (10 minutes), limits, doubled capacity, TransactGetItems order and missing items.
 * Sources: DynamoDB API reference API_TransactWriteItems ("up to 100 action requests";
 * ClientRequestToken "valid for 10 minutes after the first request that uses it is
 * completed"; IdempotentParameterMismatchException), API_CancellationReason,
 * API_TransactGetItems ("up to 100 TransactGetItem objects"; "Responses ... in the same
 * order"); developer guide "Capacity management for transactions" (two reads/writes per
 * item). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

#define CANCEL_PREFIX "Transaction cancelled, please refer cancellation reasons for specific reasons "

static void mk_tables(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'acct','AttributeDefinitions':[{'AttributeName':'id','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    ok(call(e, "CreateTable",
            "{'TableName':'log','AttributeDefinitions':[{'AttributeName':'id','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    ok(call(e, "PutItem", "{'TableName':'acct','Item':{'id':{'S':'a'},'bal':{'N':'100'}}}"));
    ok(call(e, "PutItem", "{'TableName':'acct','Item':{'id':{'S':'b'},'bal':{'N':'5'}}}"));
}

/* A transfer of amt from a to b guarded by a's balance, logging entry id. */
static void transfer(char *buf, size_t cap, int amt, const char *logid, const char *extra)
{
    snprintf(buf, cap,
             "{'TransactItems':["
             "{'Update':{'TableName':'acct','Key':{'id':{'S':'a'}},'UpdateExpression':"
             "'SET bal = bal - :x','ConditionExpression':'bal >= :x',"
             "'ExpressionAttributeValues':{':x':{'N':'%d'}},"
             "'ReturnValuesOnConditionCheckFailure':'ALL_OLD'}},"
             "{'Update':{'TableName':'acct','Key':{'id':{'S':'b'}},'UpdateExpression':"
             "'SET bal = bal + :x','ExpressionAttributeValues':{':x':{'N':'%d'}}}},"
             "{'Put':{'TableName':'log','Item':{'id':{'S':'%s'}},"
             "'ConditionExpression':'attribute_not_exists(id)'}}]%s}",
             amt, amt, logid, extra);
}

static const char *bal(tenv *e, const char *id)
{
    char req[128];
    snprintf(req, sizeof req, "{'TableName':'acct','Key':{'id':{'S':'%s'}}}", id);
    return str_at(call(e, "GetItem", req)->body, "Item.bal.N");
}

/* API_TransactWriteItems: every action applies; ConsumedCapacity is per table, doubled. */
Test(ddb_txn, write_success)
{
    tenv e;
    char req[1024];
    t_init(&e);
    mk_tables(&e);
    transfer(req, sizeof req, 30, "t1", ",'ReturnConsumedCapacity':'TOTAL'");
    sim_reply *r = call(&e, "TransactWriteItems", req);
    ok(r);
    json_eq(r->body, "{'ConsumedCapacity':[{'TableName':'acct','CapacityUnits':4},"
                     "{'TableName':'log','CapacityUnits':2}]}");
    cr_assert_str_eq(bal(&e, "a"), "70");
    cr_assert_str_eq(bal(&e, "b"), "35");
    r = call(&e, "GetItem", "{'TableName':'log','Key':{'id':{'S':'t1'}}}");
    json_eq(r->body, "{'Item':{'id':{'S':'t1'}}}");
    /* Delete and ConditionCheck */
    r = call(&e, "TransactWriteItems",
             "{'TransactItems':[{'Delete':{'TableName':'log','Key':{'id':{'S':'t1'}}}},"
             "{'ConditionCheck':{'TableName':'acct','Key':{'id':{'S':'a'}},"
             "'ConditionExpression':'bal = :v','ExpressionAttributeValues':{':v':{'N':'70'}}}}]}");
    ok(r);
    json_eq(r->body, "{}");
    r = call(&e, "GetItem", "{'TableName':'log','Key':{'id':{'S':'t1'}}}");
    json_eq(r->body, "{}");
    t_fini(&e);
}

/* API_TransactWriteItems / API_CancellationReason: one failed condition cancels all; the
 * reasons follow the actions' order, with Item for ALL_OLD. */
Test(ddb_txn, cancelled_writes_nothing)
{
    tenv e;
    char req[1024];
    t_init(&e);
    mk_tables(&e);
    transfer(req, sizeof req, 500, "t1", "");
    sim_reply *r = call(&e, "TransactWriteItems", req);
    fails(r, "TransactionCanceledException",
          CANCEL_PREFIX "[ConditionalCheckFailed, None, None]");
    json_eq(r->body, "{'CancellationReasons':[{'Code':'ConditionalCheckFailed','Message':"
                     "'The conditional request failed','Item':{'id':{'S':'a'},'bal':{'N':'100'}}},"
                     "{'Code':'None'},{'Code':'None'}]}");
    cr_assert_str_eq(bal(&e, "a"), "100");
    cr_assert_str_eq(bal(&e, "b"), "5");
    r = call(&e, "GetItem", "{'TableName':'log','Key':{'id':{'S':'t1'}}}");
    json_eq(r->body, "{}");
    /* the last action fails: still nothing written */
    ok(call(&e, "PutItem", "{'TableName':'log','Item':{'id':{'S':'t2'}}}"));
    transfer(req, sizeof req, 10, "t2", "");
    r = call(&e, "TransactWriteItems", req);
    fails(r, "TransactionCanceledException",
          CANCEL_PREFIX "[None, None, ConditionalCheckFailed]");
    json_eq(r->body, "{'CancellationReasons':[{'Code':'None'},{'Code':'None'},"
                     "{'Code':'ConditionalCheckFailed','Message':'The conditional request failed'}]}");
    cr_assert_str_eq(bal(&e, "a"), "100");
    cr_assert_str_eq(bal(&e, "b"), "5");
    t_fini(&e);
}

/* API_TransactWriteItems: two actions on one item are rejected. */
Test(ddb_txn, duplicate_item)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    sim_reply *r = call(&e, "TransactWriteItems",
                        "{'TransactItems':[{'Put':{'TableName':'acct','Item':{'id':{'S':'c'}}}},"
                        "{'Delete':{'TableName':'acct','Key':{'id':{'S':'c'}}}}]}");
    fails(r, "ValidationException",
          "Transaction request cannot include multiple operations on one item");
    /* the same key in two tables is two items */
    ok(call(&e, "TransactWriteItems",
            "{'TransactItems':[{'Put':{'TableName':'acct','Item':{'id':{'S':'c'}}}},"
            "{'Put':{'TableName':'log','Item':{'id':{'S':'c'}}}}]}"));
    t_fini(&e);
}

/* API_TransactWriteItems ClientRequestToken: a repeat within 10 minutes is not applied again;
 * after 10 minutes the token is forgotten and the request is new. */
Test(ddb_txn, token_idempotent)
{
    tenv e;
    char req[1024];
    t_init(&e);
    mk_tables(&e);
    transfer(req, sizeof req, 10, "t1", ",'ClientRequestToken':'tok-1'");
    ok(call(&e, "TransactWriteItems", req));
    cr_assert_str_eq(bal(&e, "a"), "90");
    sim_sched_run_for(&e.sched, 599 * SIM_S);
    sim_reply *r = call(&e, "TransactWriteItems", req);
    ok(r);
    json_eq(r->body, "{}");
    cr_assert_str_eq(bal(&e, "a"), "90");
    cr_assert_str_eq(bal(&e, "b"), "15");
    /* 10 minutes + 1 s after the first use: applied again (and the log put now fails) */
    sim_sched_run_for(&e.sched, 2 * SIM_S);
    ok(call(&e, "DeleteItem", "{'TableName':'log','Key':{'id':{'S':'t1'}}}"));
    ok(call(&e, "TransactWriteItems", req));
    cr_assert_str_eq(bal(&e, "a"), "80");
    cr_assert_str_eq(bal(&e, "b"), "25");
    t_fini(&e);
}

/* API_TransactWriteItems: the same token with other parameters within the window. */
Test(ddb_txn, token_mismatch)
{
    tenv e;
    char req[1024];
    t_init(&e);
    mk_tables(&e);
    transfer(req, sizeof req, 10, "t1", ",'ClientRequestToken':'tok-1'");
    ok(call(&e, "TransactWriteItems", req));
    transfer(req, sizeof req, 20, "t1", ",'ClientRequestToken':'tok-1'");
    fails(call(&e, "TransactWriteItems", req), "IdempotentParameterMismatchException",
          "DynamoDB rejected the request because you retried a request with a different "
          "payload but with an idempotent token that was already used.");
    cr_assert_str_eq(bal(&e, "a"), "90");
    t_fini(&e);
}

/* A request of n ConditionChecks on items c0..c(n-1). */
static char *checks(const char *op, int n)
{
    size_t cap = 64 + (size_t)n * 160;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    size_t len = (size_t)snprintf(s, cap, "{'TransactItems':[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                strcmp(op, "Get") == 0
                                    ? "%s{'Get':{'TableName':'acct','Key':{'id':{'S':'c%d'}}}}"
                                    : "%s{'ConditionCheck':{'TableName':'acct','Key':{'id':"
                                      "{'S':'c%d'}},'ConditionExpression':"
                                      "'attribute_not_exists(id)'}}",
                                i ? "," : "", i);
    snprintf(s + len, cap - len, "]}");
    return s;
}

/* API_TransactWriteItems / API_TransactGetItems: 100 actions at most, at least 1. */
Test(ddb_txn, limits)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    char *req = checks("Check", 100);
    ok(call(&e, "TransactWriteItems", req));
    free(req);
    req = checks("Check", 101);
    sim_reply *r = call(&e, "TransactWriteItems", req);
    free(req);
    cr_assert_str_eq(r->code, "ValidationException");
    cr_assert(strstr(r->message, "1 validation error detected: Value '[") == r->message);
    /* the echoed value is cut to its first 4000 bytes (as ddb__verr_add does) */
    cr_assert(strstr(r->message, "' at 'transactItems' failed to satisfy constraint: Member "
                                 "must have length less than or equal to 100") != NULL);
    req = checks("Get", 101);
    r = call(&e, "TransactGetItems", req);
    free(req);
    cr_assert_str_eq(r->code, "ValidationException");
    fails(call(&e, "TransactWriteItems", "{'TransactItems':[]}"), "ValidationException",
          "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
          "constraint: Member must have length greater than or equal to 1");
    fails(call(&e, "TransactWriteItems", "{}"), "ValidationException",
          "1 validation error detected: Value null at 'transactItems' failed to satisfy "
          "constraint: Member must not be null");
    fails(call(&e, "TransactWriteItems",
               "{'TransactItems':[{'Put':{'TableName':'nope','Item':{'id':{'S':'x'}}}}]}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}

/* API_TransactGetItems: Responses in request order, {} for a missing item, projections;
 * transactional reads cost 2 RCU per 4 KB. */
Test(ddb_txn, get_items)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    sim_reply *r = call(&e, "TransactGetItems",
                        "{'TransactItems':[{'Get':{'TableName':'acct','Key':{'id':{'S':'b'}}}},"
                        "{'Get':{'TableName':'log','Key':{'id':{'S':'zz'}}}},"
                        "{'Get':{'TableName':'acct','Key':{'id':{'S':'a'}},"
                        "'ProjectionExpression':'#b','ExpressionAttributeNames':{'#b':'bal'}}}],"
                        "'ReturnConsumedCapacity':'TOTAL'}");
    ok(r);
    json_eq(r->body, "{'Responses':[{'Item':{'id':{'S':'b'},'bal':{'N':'5'}}},{},"
                     "{'Item':{'bal':{'N':'100'}}}],'ConsumedCapacity':["
                     "{'TableName':'acct','CapacityUnits':4},{'TableName':'log','CapacityUnits':2}]}");
    fails(call(&e, "TransactGetItems",
               "{'TransactItems':[{'Get':{'TableName':'nope','Key':{'id':{'S':'x'}}}}]}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}

/* Developer guide "Capacity management for transactions": writes to a table with a GSI go to
 * the index as well, inside the one transaction, and each costs 2 WCU per KB
 * (ReturnConsumedCapacity INDEXES). */
Test(ddb_txn, write_with_gsi)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'feed','AttributeDefinitions':[{'AttributeName':'user',"
            "'AttributeType':'S'},{'AttributeName':'author','AttributeType':'S'}],'KeySchema':"
            "[{'AttributeName':'user','KeyType':'HASH'}],'GlobalSecondaryIndexes':[{'IndexName':"
            "'by-author','KeySchema':[{'AttributeName':'author','KeyType':'HASH'}],'Projection':"
            "{'ProjectionType':'KEYS_ONLY'}}],'BillingMode':'PAY_PER_REQUEST'}"));
    sim_reply *r = call(&e, "TransactWriteItems",
                        "{'TransactItems':[{'Put':{'TableName':'feed','Item':{'user':{'S':'u1'},"
                        "'author':{'S':'ann'}}}},{'Put':{'TableName':'feed','Item':{'user':"
                        "{'S':'u2'},'author':{'S':'ann'}}}}],'ReturnConsumedCapacity':'INDEXES'}");
    ok(r);
    json_eq(r->body, "{'ConsumedCapacity':[{'TableName':'feed','CapacityUnits':8,'Table':"
                     "{'CapacityUnits':4},'GlobalSecondaryIndexes':{'by-author':"
                     "{'CapacityUnits':4}}}]}");
    r = call(&e, "Query",
             "{'TableName':'feed','IndexName':'by-author','Select':'COUNT',"
             "'KeyConditionExpression':'author = :a','ExpressionAttributeValues':"
             "{':a':{'S':'ann'}}}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 2);
    t_fini(&e);
}

/* API_TransactWriteItems ClientRequestToken: "Subsequent TransactWriteItems calls with the
 * same client token return the number of read capacity units consumed in reading the item":
 * the replay reports read units (one strongly consistent read of each item, 1 unit per
 * 4 KB), where the first call reported the doubled write units. */
Test(ddb_txn, token_replay_reports_read_units)
{
    tenv e;
    char req[1024];
    t_init(&e);
    mk_tables(&e);
    transfer(req, sizeof req, 10, "t1",
             ",'ClientRequestToken':'tok-rc','ReturnConsumedCapacity':'INDEXES'");
    sim_reply *r = call(&e, "TransactWriteItems", req);
    ok(r);
    json_eq(at(r->body, "ConsumedCapacity"),
            "[{'TableName':'acct','CapacityUnits':4,'Table':{'CapacityUnits':4}},"
            "{'TableName':'log','CapacityUnits':2,'Table':{'CapacityUnits':2}}]");
    r = call(&e, "TransactWriteItems", req);
    ok(r);
    json_eq(r->body, "{'ConsumedCapacity':[{'TableName':'acct','CapacityUnits':2,'Table':{"
                     "'CapacityUnits':2}},{'TableName':'log','CapacityUnits':1,'Table':{"
                     "'CapacityUnits':1}}]}");
    cr_assert_str_eq(bal(&e, "a"), "90");
    t_fini(&e);
}

#define MSG_TABLE_PT                                                                       \
    "The level of configured provisioned throughput for the table was exceeded. Consider " \
    "increasing your provisioning level with the UpdateTable API."
#define MSG_ON_DEMAND_HOT                                                                   \
    "Throughput exceeds the current capacity of your table or index. DynamoDB is "          \
    "automatically scaling your table or index so please try again shortly. If exceptions " \
    "persist, check if you have a hot key: "                                                \
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-"    \
    "design.html"

/* API_TransactWriteItems: a transaction without the capacity it needs is cancelled
 * (TransactionCanceledException, "insufficient provisioned capacity"), the refused action's
 * reason ProvisionedThroughputExceeded on a provisioned table, the others None. */
Test(ddb_txn, throttled_write_is_cancelled_provisioned)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'slow','AttributeDefinitions':[{'AttributeName':'id','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
            "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}"));
    /* 300 s of burst at 1 WCU: spend it */
    char req[256];
    for (int i = 0; i < 300; i++) {
        snprintf(req, sizeof req, "{'TableName':'slow','Item':{'id':{'S':'x%d'}}}", i);
        ok(call(&e, "PutItem", req));
    }
    sim_reply *r = call(&e, "TransactWriteItems",
                        "{'TransactItems':[{'Put':{'TableName':'slow','Item':{'id':{'S':'y'}}}}]}");
    fails(r, "TransactionCanceledException", CANCEL_PREFIX "[ProvisionedThroughputExceeded]");
    json_eq(at(r->body, "CancellationReasons"),
            "[{'Code':'ProvisionedThroughputExceeded','Message':'" MSG_TABLE_PT "'}]");
    t_fini(&e);
}

/* On an on-demand table the refusal is the hot item's: reason ThrottlingError with the
 * on-demand message (API_TransactWriteItems, "Throttling Error"); TransactGetItems is
 * cancelled the same way, the other Gets None. */
Test(ddb_txn, throttled_on_demand_is_throttling_error)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    /* 500 transactional writes of one item: 2 units each, its partition's 1000 WCU */
    for (int i = 0; i < 500; i++)
        ok(call(&e, "TransactWriteItems",
                "{'TransactItems':[{'Put':{'TableName':'log','Item':{'id':{'S':'hot'}}}}]}"));
    sim_reply *r = call(&e, "TransactWriteItems",
                        "{'TransactItems':[{'Put':{'TableName':'acct','Item':{'id':{'S':'c'}}}},"
                        "{'Put':{'TableName':'log','Item':{'id':{'S':'hot'}}}}]}");
    fails(r, "TransactionCanceledException", CANCEL_PREFIX "[None, ThrottlingError]");
    json_eq(at(r->body, "CancellationReasons"),
            "[{'Code':'None'},{'Code':'ThrottlingError','Message':'" MSG_ON_DEMAND_HOT "'}]");
    /* nothing of the transaction was written */
    r = call(&e, "GetItem", "{'TableName':'acct','Key':{'id':{'S':'c'}}}");
    cr_assert_null(at(r->body, "Item"));

    /* 1500 transactional reads of one item: 2 units each, its partition's 3000 RCU */
    for (int i = 0; i < 1500; i++)
        ok(call(&e, "TransactGetItems",
                "{'TransactItems':[{'Get':{'TableName':'acct','Key':{'id':{'S':'a'}}}}]}"));
    r = call(&e, "TransactGetItems",
             "{'TransactItems':[{'Get':{'TableName':'acct','Key':{'id':{'S':'b'}}}},"
             "{'Get':{'TableName':'acct','Key':{'id':{'S':'a'}}}}]}");
    fails(r, "TransactionCanceledException", CANCEL_PREFIX "[None, ThrottlingError]");
    json_eq(at(r->body, "CancellationReasons"),
            "[{'Code':'None'},{'Code':'ThrottlingError','Message':'" MSG_ON_DEMAND_HOT "'}]");
    t_fini(&e);
}
