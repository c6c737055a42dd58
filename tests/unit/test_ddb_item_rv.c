/* test_ddb_item_rv.c - what single-item writes return about the item: ReturnValues
 * UPDATED_OLD / UPDATED_NEW for document paths, and ReturnValuesOnConditionCheckFailure on
 * PutItem, UpdateItem and DeleteItem. Found by running the AWS SDK for JavaScript v3
 * against Stratus (tests/clients/ddb/sdk.mjs). Sources: DynamoDB API reference
 * API_UpdateItem (ReturnValues: "UPDATED_OLD - Returns only the updated attributes, as they
 * appeared before the UpdateItem operation"), API_PutItem / API_UpdateItem / API_DeleteItem
 * (ReturnValuesOnConditionCheckFailure: "ALL_OLD ... the item attributes as they appeared
 * before they were updated", valid values NONE and ALL_OLD),
 * API_ConditionalCheckFailedException (member Item), and API_ItemCollectionMetrics
 * (ReturnItemCollectionMetrics SIZE; "If the table does not have any local secondary
 * indexes, this information is not returned in the response"). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

static void mk_table(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'docs','AttributeDefinitions':[{'AttributeName':'id',"
            "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    ok(call(e, "PutItem",
            "{'TableName':'docs','Item':{'id':{'S':'a'},'n':{'N':'15'},'m':{'M':{'a':{'N':'1'},"
            "'b':{'BOOL':true}}},'l':{'L':[{'S':'x'},{'S':'y'},{'S':'z'}]},'keep':{'S':'k'}}}"));
}

/* API_UpdateItem ReturnValues: an update of m.a returns m holding only a, before and after;
 * whole attributes come back whole; list elements by their path. */
Test(ddb_item_rv, updated_old_and_new_hold_only_the_updated_paths)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    sim_reply *r = call(&e, "UpdateItem",
                        "{'TableName':'docs','Key':{'id':{'S':'a'}},'UpdateExpression':"
                        "'SET n = n + :d, m.a = :two REMOVE l[1]','ExpressionAttributeValues':"
                        "{':d':{'N':'0.5'},':two':{'N':'2'}},'ReturnValues':'UPDATED_OLD'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'n':{'N':'15'},'m':{'M':{'a':{'N':'1'}}},"
                     "'l':{'L':[{'S':'y'}]}}}");
    r = call(&e, "UpdateItem",
             "{'TableName':'docs','Key':{'id':{'S':'a'}},'UpdateExpression':"
             "'SET m.c = :s, l[0] = :s','ExpressionAttributeValues':{':s':{'S':'new'}},"
             "'ReturnValues':'UPDATED_NEW'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'m':{'M':{'c':{'S':'new'}}},'l':{'L':[{'S':'new'}]}}}");
    /* UPDATED_OLD of a path that did not exist before: nothing to return */
    r = call(&e, "UpdateItem",
             "{'TableName':'docs','Key':{'id':{'S':'a'}},'UpdateExpression':'SET m.d = :s',"
             "'ExpressionAttributeValues':{':s':{'S':'d'}},'ReturnValues':'UPDATED_OLD'}");
    ok(r);
    json_eq(r->body, "{}");
    /* ... and of an item UpdateItem creates */
    r = call(&e, "UpdateItem",
             "{'TableName':'docs','Key':{'id':{'S':'b'}},'UpdateExpression':'SET v = :s',"
             "'ExpressionAttributeValues':{':s':{'S':'v'}},'ReturnValues':'UPDATED_OLD'}");
    ok(r);
    json_eq(r->body, "{}");
    r = call(&e, "GetItem", "{'TableName':'docs','Key':{'id':{'S':'a'}}}");
    json_eq(r->body, "{'Item':{'id':{'S':'a'},'n':{'N':'15.5'},'m':{'M':{'a':{'N':'2'},"
                     "'b':{'BOOL':true},'c':{'S':'new'},'d':{'S':'d'}}},'l':{'L':[{'S':'new'},"
                     "{'S':'z'}]},'keep':{'S':'k'}}}");
    t_fini(&e);
}

/* ReturnValuesOnConditionCheckFailure ALL_OLD: the ConditionalCheckFailedException carries
 * the item as it is, for each of the three writes; NONE (or absent) carries nothing. */
Test(ddb_item_rv, condition_failure_returns_the_item)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    const char *item = "{'Item':{'id':{'S':'a'},'n':{'N':'15'},'m':{'M':{'a':{'N':'1'},"
                       "'b':{'BOOL':true}}},'l':{'L':[{'S':'x'},{'S':'y'},{'S':'z'}]},"
                       "'keep':{'S':'k'}}}";
    sim_reply *r = call(&e, "PutItem",
                        "{'TableName':'docs','Item':{'id':{'S':'a'}},'ConditionExpression':"
                        "'attribute_not_exists(id)','ReturnValuesOnConditionCheckFailure':"
                        "'ALL_OLD'}");
    fails(r, "ConditionalCheckFailedException", "The conditional request failed");
    json_eq(r->body, item);
    r = call(&e, "UpdateItem",
             "{'TableName':'docs','Key':{'id':{'S':'a'}},'UpdateExpression':'SET n = :z',"
             "'ConditionExpression':'n = :z','ExpressionAttributeValues':{':z':{'N':'0'}},"
             "'ReturnValuesOnConditionCheckFailure':'ALL_OLD'}");
    fails(r, "ConditionalCheckFailedException", "The conditional request failed");
    json_eq(r->body, item);
    r = call(&e, "DeleteItem",
             "{'TableName':'docs','Key':{'id':{'S':'a'}},'ConditionExpression':'keep <> :k',"
             "'ExpressionAttributeValues':{':k':{'S':'k'}},"
             "'ReturnValuesOnConditionCheckFailure':'ALL_OLD'}");
    fails(r, "ConditionalCheckFailedException", "The conditional request failed");
    json_eq(r->body, item);
    r = call(&e, "DeleteItem",
             "{'TableName':'docs','Key':{'id':{'S':'a'}},'ConditionExpression':'keep <> :k',"
             "'ExpressionAttributeValues':{':k':{'S':'k'}},"
             "'ReturnValuesOnConditionCheckFailure':'NONE'}");
    fails(r, "ConditionalCheckFailedException", "The conditional request failed");
    cr_assert_null(at(r->body, "Item"));
    /* no item there: the failure carries no Item */
    r = call(&e, "PutItem",
             "{'TableName':'docs','Item':{'id':{'S':'zz'}},'ConditionExpression':"
             "'attribute_exists(id)','ReturnValuesOnConditionCheckFailure':'ALL_OLD'}");
    fails(r, "ConditionalCheckFailedException", "The conditional request failed");
    cr_assert_null(at(r->body, "Item"));
    /* the item is unchanged by the failed writes */
    r = call(&e, "GetItem", "{'TableName':'docs','Key':{'id':{'S':'a'}}}");
    json_eq(r->body, item);
    t_fini(&e);
}

/* ReturnValuesOnConditionCheckFailure takes ALL_OLD or NONE only. */
Test(ddb_item_rv, condition_failure_return_values_enum)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    fails(call(&e, "PutItem",
               "{'TableName':'docs','Item':{'id':{'S':'a'}},"
               "'ReturnValuesOnConditionCheckFailure':'ALL_NEW'}"),
          "ValidationException",
          "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' "
          "failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]");
    fails(call(&e, "UpdateItem",
               "{'TableName':'docs','Key':{'id':{'S':'a'}},'UpdateExpression':'SET v = :v',"
               "'ExpressionAttributeValues':{':v':{'S':'v'}},"
               "'ReturnValuesOnConditionCheckFailure':'old'}"),
          "ValidationException",
          "1 validation error detected: Value 'old' at 'returnValuesOnConditionCheckFailure' "
          "failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]");
    t_fini(&e);
}

/* ReturnItemCollectionMetrics SIZE on a table with a local secondary index: the collection's
 * partition key and its size estimate in GB (a small collection: [0, 1]), for PutItem,
 * UpdateItem and DeleteItem; nothing on a table without one, nor with NONE. */
Test(ddb_item_rv, item_collection_metrics)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'coll','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':"
            "'S'},{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'l','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk',"
            "'KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST','LocalSecondaryIndexes':[{"
            "'IndexName':'by_l','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
            "{'AttributeName':'l','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}]}"));
    sim_reply *r = call(&e, "PutItem",
                        "{'TableName':'coll','Item':{'pk':{'S':'a'},'sk':{'N':'1'},'l':{'S':'x'}},"
                        "'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(r->body, "{'ItemCollectionMetrics':{'ItemCollectionKey':{'pk':{'S':'a'}},"
                     "'SizeEstimateRangeGB':[0,1]}}");
    r = call(&e, "UpdateItem",
             "{'TableName':'coll','Key':{'pk':{'S':'a'},'sk':{'N':'2'}},'UpdateExpression':"
             "'SET v = :v','ExpressionAttributeValues':{':v':{'S':'v'}},'ReturnValues':"
             "'UPDATED_NEW','ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'v':{'S':'v'}},'ItemCollectionMetrics':{"
                     "'ItemCollectionKey':{'pk':{'S':'a'}},'SizeEstimateRangeGB':[0,1]}}");
    r = call(&e, "DeleteItem",
             "{'TableName':'coll','Key':{'pk':{'S':'a'},'sk':{'N':'1'}},"
             "'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(r->body, "{'ItemCollectionMetrics':{'ItemCollectionKey':{'pk':{'S':'a'}},"
                     "'SizeEstimateRangeGB':[0,1]}}");
    r = call(&e, "PutItem",
             "{'TableName':'coll','Item':{'pk':{'S':'b'},'sk':{'N':'1'}},"
             "'ReturnItemCollectionMetrics':'NONE'}");
    ok(r);
    json_eq(r->body, "{}");
    /* no LSI: no metrics */
    r = call(&e, "PutItem",
             "{'TableName':'docs','Item':{'id':{'S':'c'}},'ReturnItemCollectionMetrics':'SIZE'}");
    ok(r);
    json_eq(r->body, "{}");
    t_fini(&e);
}
