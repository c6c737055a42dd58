/* test_ddb_item.c - single-item operations: PutItem, GetItem, DeleteItem, UpdateItem with
 * conditions, ReturnValues, key checks, item size, number canonical form, consumed capacity.
 * Sources: DynamoDB API reference API_PutItem, API_GetItem, API_DeleteItem, API_UpdateItem;
 * developer guide "Condition expressions", "Update expressions", "Read/write capacity mode";
 * key and size messages as dynalite's test suite records them (db/index.js validateItem). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

static void mk_tables(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'story','AttributeDefinitions':[{'AttributeName':'user',"
            "'AttributeType':'S'},{'AttributeName':'ts','AttributeType':'N'}],'KeySchema':"
            "[{'AttributeName':'user','KeyType':'HASH'},{'AttributeName':'ts','KeyType':"
            "'RANGE'}],'BillingMode':'PAY_PER_REQUEST'}"));
    ok(call(e, "CreateTable",
            "{'TableName':'users','AttributeDefinitions':[{'AttributeName':'handle',"
            "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'handle','KeyType':'HASH'}],"
            "'ProvisionedThroughput':{'ReadCapacityUnits':10,'WriteCapacityUnits':10}}"));
}

/* API_PutItem / API_GetItem: round trip; numbers come back in canonical form. */
Test(ddb_item, put_then_get_round_trip)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    ok(call(&e, "PutItem",
            "{'TableName':'story','Item':{'user':{'S':'amy'},'ts':{'N':'0100.50'},'text':"
            "{'S':'hello'},'tags':{'SS':['a','b']},'m':{'M':{'n':{'N':'-0.0100'}}}}}"));
    sim_reply *r =
        call(&e, "GetItem", "{'TableName':'story','Key':{'user':{'S':'amy'},'ts':{'N':'100.5'}}}");
    ok(r);
    json_eq(r->body, "{'Item':{'user':{'S':'amy'},'ts':{'N':'100.5'},'text':{'S':'hello'},"
                     "'tags':{'SS':['a','b']},'m':{'M':{'n':{'N':'-0.01'}}}}}");
    r = call(&e, "GetItem", "{'TableName':'story','Key':{'user':{'S':'amy'},'ts':{'N':'1'}}}");
    ok(r);
    json_eq(r->body, "{}");
    r = call(&e, "GetItem",
             "{'TableName':'story','Key':{'user':{'S':'amy'},'ts':{'N':'100.5'}},"
             "'ProjectionExpression':'#t, m.n','ExpressionAttributeNames':{'#t':'text'}}");
    ok(r);
    json_eq(r->body, "{'Item':{'text':{'S':'hello'},'m':{'M':{'n':{'N':'-0.01'}}}}}");
    t_fini(&e);
}

/* Key checks: AWS's messages for a missing key, a mismatched type, an empty key string. */
Test(ddb_item, key_validation_messages)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    fails(call(&e, "PutItem", "{'TableName':'story','Item':{'user':{'S':'amy'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Missing the key ts in the item");
    fails(call(&e, "PutItem", "{'TableName':'story','Item':{'user':{'S':'amy'},'ts':{'S':'1'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Type mismatch for key ts expected: N "
          "actual: S");
    fails(call(&e, "PutItem", "{'TableName':'users','Item':{'handle':{'S':''}}}"),
          "ValidationException",
          "One or more parameter values are not valid. The AttributeValue for a key attribute "
          "cannot contain an empty string value. Key: handle");
    fails(call(&e, "GetItem", "{'TableName':'story','Key':{'user':{'S':'amy'}}}"),
          "ValidationException", "The provided key element does not match the schema");
    fails(call(&e, "GetItem", "{'TableName':'users','Key':{'handle':{'N':'1'}}}"),
          "ValidationException", "The provided key element does not match the schema");
    fails(call(&e, "DeleteItem",
               "{'TableName':'users','Key':{'handle':{'S':'a'},'extra':{'S':'b'}}}"),
          "ValidationException", "The provided key element does not match the schema");
    fails(call(&e, "GetItem", "{'TableName':'users'}"), "ValidationException",
          "1 validation error detected: Value null at 'key' failed to satisfy constraint: "
          "Member must not be null");
    t_fini(&e);
}

/* Item size limit: 400 KB (developer guide, ServiceQuotas: Item size). */
Test(ddb_item, item_over_400_kb_is_refused)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    size_t n = 409600;
    char *big = malloc(n + 128);
    cr_assert_not_null(big);
    int len = snprintf(big, 128, "{'TableName':'users','Item':{'handle':{'S':'a'},'x':{'S':'");
    memset(big + len, 'x', n);
    strcpy(big + len + n, "'}}}");
    fails(call(&e, "PutItem", big), "ValidationException",
          "Item size has exceeded the maximum allowed size");
    free(big);
    t_fini(&e);
}

/* ConditionExpression: ConditionalCheckFailedException "The conditional request failed". */
Test(ddb_item, conditional_put_and_delete)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    const char *put = "{'TableName':'users','Item':{'handle':{'S':'amy'},'v':{'N':'1'}},"
                      "'ConditionExpression':'attribute_not_exists(handle)'}";
    ok(call(&e, "PutItem", put));
    fails(call(&e, "PutItem", put), "ConditionalCheckFailedException",
          "The conditional request failed");
    fails(call(&e, "DeleteItem",
               "{'TableName':'users','Key':{'handle':{'S':'amy'}},'ConditionExpression':"
               "'v = :two','ExpressionAttributeValues':{':two':{'N':'2'}}}"),
          "ConditionalCheckFailedException", "The conditional request failed");
    sim_reply *r = call(&e, "DeleteItem",
                        "{'TableName':'users','Key':{'handle':{'S':'amy'}},'ConditionExpression':"
                        "'v = :one','ExpressionAttributeValues':{':one':{'N':'1'}},"
                        "'ReturnValues':'ALL_OLD'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'handle':{'S':'amy'},'v':{'N':'1'}}}");
    r = call(&e, "GetItem", "{'TableName':'users','Key':{'handle':{'S':'amy'}}}");
    json_eq(r->body, "{}");
    t_fini(&e);
}

/* API_PutItem ReturnValues: ALL_OLD only; others refused with AWS's message. */
Test(ddb_item, put_return_values)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    sim_reply *r = call(&e, "PutItem",
                        "{'TableName':'users','Item':{'handle':{'S':'amy'},'v':{'N':'1'}},"
                        "'ReturnValues':'ALL_OLD'}");
    ok(r);
    json_eq(r->body, "{}");
    r = call(&e, "PutItem",
             "{'TableName':'users','Item':{'handle':{'S':'amy'},'v':{'N':'2'}},"
             "'ReturnValues':'ALL_OLD'}");
    json_eq(r->body, "{'Attributes':{'handle':{'S':'amy'},'v':{'N':'1'}}}");
    fails(call(&e, "PutItem",
               "{'TableName':'users','Item':{'handle':{'S':'amy'}},'ReturnValues':'ALL_NEW'}"),
          "ValidationException", "ReturnValues can only be ALL_OLD or NONE");
    fails(call(&e, "PutItem",
               "{'TableName':'users','Item':{'handle':{'S':'amy'}},'ReturnValues':'SOME'}"),
          "ValidationException",
          "1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy "
          "constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, "
          "UPDATED_NEW]");
    t_fini(&e);
}

/* API_UpdateItem: creates the item, SET/ADD/REMOVE, ReturnValues of each kind. */
Test(ddb_item, update_item_creates_and_returns_values)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    sim_reply *r = call(&e, "UpdateItem",
                        "{'TableName':'users','Key':{'handle':{'S':'amy'}},'UpdateExpression':"
                        "'SET #n = :n ADD followers :one','ExpressionAttributeNames':{'#n':"
                        "'name'},'ExpressionAttributeValues':{':n':{'S':'Amy'},':one':{'N':'1'}},"
                        "'ReturnValues':'ALL_NEW'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'handle':{'S':'amy'},'name':{'S':'Amy'},'followers':"
                     "{'N':'1'}}}");
    r = call(&e, "UpdateItem",
             "{'TableName':'users','Key':{'handle':{'S':'amy'}},'UpdateExpression':"
             "'ADD followers :one','ExpressionAttributeValues':{':one':{'N':'1'}},"
             "'ReturnValues':'UPDATED_OLD'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'followers':{'N':'1'}}}");
    r = call(&e, "UpdateItem",
             "{'TableName':'users','Key':{'handle':{'S':'amy'}},'UpdateExpression':"
             "'REMOVE #n SET bio = :b','ExpressionAttributeNames':{'#n':'name'},"
             "'ExpressionAttributeValues':{':b':{'S':'hi'}},'ReturnValues':'UPDATED_NEW'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'bio':{'S':'hi'}}}");
    r = call(&e, "UpdateItem",
             "{'TableName':'users','Key':{'handle':{'S':'amy'}},'UpdateExpression':"
             "'SET bio = :b','ConditionExpression':'followers > :ten','ExpressionAttributeValues':"
             "{':b':{'S':'x'},':ten':{'N':'10'}}}");
    fails(r, "ConditionalCheckFailedException", "The conditional request failed");
    r = call(&e, "GetItem", "{'TableName':'users','Key':{'handle':{'S':'amy'}}}");
    json_eq(r->body, "{'Item':{'handle':{'S':'amy'},'followers':{'N':'2'},'bio':{'S':'hi'}}}");
    t_fini(&e);
}

/* API_UpdateItem: key attributes cannot be updated. */
Test(ddb_item, update_of_a_key_attribute_is_refused)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    fails(call(&e, "UpdateItem",
               "{'TableName':'users','Key':{'handle':{'S':'amy'}},'UpdateExpression':"
               "'SET handle = :h','ExpressionAttributeValues':{':h':{'S':'bob'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Cannot update attribute handle. This "
          "attribute is part of the key");
    t_fini(&e);
}

/* Expression substitutions: unused values are refused (developer guide, ExpressionAttribute
 * Values); values without any expression too. */
Test(ddb_item, expression_attribute_checks)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    fails(call(&e, "PutItem",
               "{'TableName':'users','Item':{'handle':{'S':'amy'}},'ExpressionAttributeValues':"
               "{':x':{'S':'y'}}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "ConditionExpression is null");
    sim_reply *r = call(&e, "PutItem",
                        "{'TableName':'users','Item':{'handle':{'S':'amy'}},"
                        "'ConditionExpression':'attribute_not_exists(handle)',"
                        "'ExpressionAttributeValues':{':x':{'S':'y'}}}");
    cr_assert_str_eq(r->code, "ValidationException");
    cr_assert_not_null(strstr(r->message, ":x"));
    t_fini(&e);
}

/* ReturnConsumedCapacity: writes by the KB, reads by 4 KB, eventually consistent halves. */
Test(ddb_item, consumed_capacity_units)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    char req[4096];
    char val[1601];
    memset(val, 'v', 1600);
    val[1600] = '\0';
    snprintf(req, sizeof req,
             "{'TableName':'users','Item':{'handle':{'S':'amy'},'x':{'S':'%s'}},"
             "'ReturnConsumedCapacity':'TOTAL'}",
             val);
    sim_reply *r = call(&e, "PutItem", req);
    ok(r);
    json_eq(r->body, "{'ConsumedCapacity':{'TableName':'users','CapacityUnits':2}}");
    r = call(&e, "GetItem",
             "{'TableName':'users','Key':{'handle':{'S':'amy'}},"
             "'ReturnConsumedCapacity':'TOTAL','ProjectionExpression':'handle'}");
    json_eq(r->body, "{'Item':{'handle':{'S':'amy'}},'ConsumedCapacity':{'TableName':'users',"
                     "'CapacityUnits':0.5}}");
    r = call(&e, "GetItem",
             "{'TableName':'users','Key':{'handle':{'S':'amy'}},"
             "'ConsistentRead':true,'ReturnConsumedCapacity':'INDEXES',"
             "'ProjectionExpression':'handle'}");
    json_eq(r->body, "{'Item':{'handle':{'S':'amy'}},'ConsumedCapacity':{'TableName':'users',"
                     "'CapacityUnits':1,'Table':{'CapacityUnits':1}}}");
    t_fini(&e);
}

/* UpdateItem on an absent item with UPDATED_OLD returns no Attributes; DeleteItem of an
 * absent item still consumes one write unit (CapacityUnitCalculations). */
Test(ddb_item, absent_items_return_values_and_capacity)
{
    tenv e;
    t_init(&e);
    mk_tables(&e);
    sim_reply *r = call(&e, "UpdateItem",
                        "{'TableName':'users','Key':{'handle':{'S':'zed'}},'UpdateExpression':"
                        "'SET v = :v','ExpressionAttributeValues':{':v':{'N':'1'}},"
                        "'ReturnValues':'UPDATED_OLD'}");
    ok(r);
    json_eq(r->body, "{}");
    r = call(&e, "DeleteItem",
             "{'TableName':'users','Key':{'handle':{'S':'nobody'}},"
             "'ReturnValues':'ALL_OLD','ReturnConsumedCapacity':'TOTAL'}");
    ok(r);
    json_eq(r->body, "{'ConsumedCapacity':{'TableName':'users','CapacityUnits':1}}");
    t_fini(&e);
}

/* GSI key attributes must have the declared type, in PutItem and UpdateItem alike
 * (dynalite db/index.js validateItem / validateUpdates). */
Test(ddb_item, gsi_key_type_mismatch)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'posts','AttributeDefinitions':[{'AttributeName':'id','AttributeType':"
            "'S'},{'AttributeName':'author','AttributeType':'S'}],'KeySchema':[{'AttributeName':"
            "'id','KeyType':'HASH'}],'GlobalSecondaryIndexes':[{'IndexName':'by-author',"
            "'KeySchema':[{'AttributeName':'author','KeyType':'HASH'}],'Projection':"
            "{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'}"));
    fails(call(&e, "PutItem", "{'TableName':'posts','Item':{'id':{'S':'1'},'author':{'N':'5'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Type mismatch for Index Key author "
          "Expected: S Actual: N IndexName: by-author");
    ok(call(&e, "PutItem", "{'TableName':'posts','Item':{'id':{'S':'1'},'author':{'S':'a'}}}"));
    fails(call(&e, "UpdateItem",
               "{'TableName':'posts','Key':{'id':{'S':'1'}},'UpdateExpression':'SET author = :n',"
               "'ExpressionAttributeValues':{':n':{'N':'5'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Type mismatch for Index Key author "
          "Expected: S Actual: N IndexName: by-author");
    sim_reply *r = call(&e, "GetItem", "{'TableName':'posts','Key':{'id':{'S':'1'}}}");
    json_eq(r->body, "{'Item':{'id':{'S':'1'},'author':{'S':'a'}}}");
    t_fini(&e);
}
