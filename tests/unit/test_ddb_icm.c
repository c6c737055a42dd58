/* test_ddb_icm.c - ReturnItemCollectionMetrics SIZE: ItemCollectionMetrics
 * {ItemCollectionKey, SizeEstimateRangeGB} on writes to tables with local secondary indexes,
 * nothing on tables without. Sources: API_ItemCollectionMetrics ("If the table does not have
 * any local secondary indexes, this information is not returned"; the estimate covers the
 * table's items and their LSI projections, as a [lower, upper] range in GB), API_PutItem,
 * API_UpdateItem, API_DeleteItem, API_BatchWriteItem and API_TransactWriteItems
 * (ItemCollectionMetrics, per table for the batch operations). */
#include <criterion/criterion.h>

#include "storage/ddb.h"
#include "tests/unit/test_ddb_util.h"

#define WITH_LSI                                                                                \
    "{'TableName':'msgs','AttributeDefinitions':[{'AttributeName':'user','AttributeType':'S'}," \
    "{'AttributeName':'ts','AttributeType':'N'},{'AttributeName':'topic','AttributeType':'S'}]" \
    ",'KeySchema':[{'AttributeName':'user','KeyType':'HASH'},{'AttributeName':'ts','KeyType':"  \
    "'RANGE'}],'LocalSecondaryIndexes':[{'IndexName':'by_topic','KeySchema':[{'AttributeName':" \
    "'user','KeyType':'HASH'},{'AttributeName':'topic','KeyType':'RANGE'}],'Projection':{"      \
    "'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'}"

#define NO_LSI                                                                                  \
    "{'TableName':'plain','AttributeDefinitions':[{'AttributeName':'user','AttributeType':'S'}" \
    "],'KeySchema':[{'AttributeName':'user','KeyType':'HASH'}],'BillingMode':"                  \
    "'PAY_PER_REQUEST'}"

Test(ddb_icm, single_item_writes_report_the_collection)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", WITH_LSI));
    ok(call(&e, "CreateTable", NO_LSI));
    sim_reply *r = call(&e, "PutItem",
                        "{'TableName':'msgs','Item':{'user':{'S':'amy'},'ts':{'N':'1'},'topic':"
                        "{'S':'x'}},'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(at(r->body, "ItemCollectionMetrics"),
            "{'ItemCollectionKey':{'user':{'S':'amy'}},'SizeEstimateRangeGB':[0,1]}");
    r = call(&e, "UpdateItem",
             "{'TableName':'msgs','Key':{'user':{'S':'amy'},'ts':{'N':'1'}},'UpdateExpression':"
             "'SET n = :n','ExpressionAttributeValues':{':n':{'N':'2'}},"
             "'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(at(r->body, "ItemCollectionMetrics.ItemCollectionKey"), "{'user':{'S':'amy'}}");
    r = call(&e, "DeleteItem",
             "{'TableName':'msgs','Key':{'user':{'S':'amy'},'ts':{'N':'1'}},"
             "'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(at(r->body, "ItemCollectionMetrics"),
            "{'ItemCollectionKey':{'user':{'S':'amy'}},'SizeEstimateRangeGB':[0,1]}");
    /* NONE, or a table without LSIs: nothing */
    r = call(&e, "PutItem",
             "{'TableName':'msgs','Item':{'user':{'S':'amy'},'ts':{'N':'1'}},"
             "'ReturnItemCollectionMetrics':'NONE'}");
    ok(r);
    cr_assert_null(at(r->body, "ItemCollectionMetrics"));
    r = call(&e, "PutItem",
             "{'TableName':'plain','Item':{'user':{'S':'amy'}},'ReturnItemCollectionMetrics':"
             "'SIZE'}");
    ok(r);
    cr_assert_null(at(r->body, "ItemCollectionMetrics"));
    t_fini(&e);
}

Test(ddb_icm, batch_and_transaction_list_each_collection_per_table)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", WITH_LSI));
    ok(call(&e, "CreateTable", NO_LSI));
    sim_reply *r =
        call(&e, "BatchWriteItem",
             "{'RequestItems':{'msgs':[{'PutRequest':{'Item':{'user':{'S':'amy'},'ts':{'N':'1'}}}},"
             "{'PutRequest':{'Item':{'user':{'S':'amy'},'ts':{'N':'2'}}}},{'PutRequest':{'Item':{"
             "'user':{'S':'bob'},'ts':{'N':'1'}}}}],'plain':[{'PutRequest':{'Item':{'user':{'S':"
             "'amy'}}}}]},'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(at(r->body, "ItemCollectionMetrics"),
            "{'msgs':[{'ItemCollectionKey':{'user':{'S':'amy'}},'SizeEstimateRangeGB':[0,1]},"
            "{'ItemCollectionKey':{'user':{'S':'bob'}},'SizeEstimateRangeGB':[0,1]}]}");
    r = call(&e, "TransactWriteItems",
             "{'TransactItems':[{'Put':{'TableName':'msgs','Item':{'user':{'S':'cat'},'ts':{"
             "'N':'1'}}}},{'Delete':{'TableName':'plain','Key':{'user':{'S':'amy'}}}}],"
             "'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(at(r->body, "ItemCollectionMetrics"),
            "{'msgs':[{'ItemCollectionKey':{'user':{'S':'cat'}},'SizeEstimateRangeGB':[0,1]}]}");
    fails(call(&e, "TransactWriteItems",
               "{'TransactItems':[{'Put':{'TableName':'msgs','Item':{'user':{'S':'cat'},'ts':{"
               "'N':'1'}}}}],'ReturnItemCollectionMetrics':'ALL'}"),
          "ValidationException",
          "1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to "
          "satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]");
    t_fini(&e);
}
