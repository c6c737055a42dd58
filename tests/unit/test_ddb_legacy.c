/* test_ddb_legacy.c - the legacy parameters translated into expressions: AttributesToGet,
 * KeyConditions, QueryFilter/ScanFilter with ConditionalOperator, Expected,
 * AttributeUpdates, and the mixing error. Sources: DynamoDB developer guide, "Legacy
 * conditional parameters"; API_Condition, API_ExpectedAttributeValue,
 * API_AttributeValueUpdate; messages as dynalite's validation tests record them. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

static void mk(tenv *e)
{
    t_init(e);
    ok(call(e, "CreateTable",
            "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'p','AttributeType':'S'},"
            "{'AttributeName':'s','AttributeType':'N'}],'KeySchema':[{'AttributeName':'p',"
            "'KeyType':'HASH'},{'AttributeName':'s','KeyType':'RANGE'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    ok(call(e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'1'},'x':{'S':'foo'},'n':{'N':'5'}}}"));
    ok(call(e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'2'},'x':{'S':'bar'},'n':{'N':'7'}}}"));
    ok(call(e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'3'},'n':{'N':'9'}}}"));
    ok(call(e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'b'},'s':{'N':'1'},'x':{'S':'fob'}}}"));
}

/* AttributesToGet on GetItem (LegacyConditionalParameters.AttributesToGet). */
Test(ddb_legacy, get_item_attributes_to_get)
{
    tenv e;
    mk(&e);
    sim_reply *r = call(&e, "GetItem", "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'1'}},"
                                        "'AttributesToGet':['x','missing']}");
    ok(r);
    json_eq(r->body, "{'Item':{'x':{'S':'foo'}}}");
    t_fini(&e);
}

/* Mixing: dynalite getItem "should return ValidationException if expression and non-expression". */
Test(ddb_legacy, mixing_projection_and_attributes_to_get)
{
    tenv e;
    mk(&e);
    fails(call(&e, "GetItem", "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'1'}},"
                              "'AttributesToGet':['x'],'ProjectionExpression':'x'}"),
          "ValidationException",
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {AttributesToGet} Expression parameters: "
          "{ProjectionExpression}");
    fails(call(&e, "UpdateItem", "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'1'}},"
                                 "'Expected':{'x':{'Exists':false}},'AttributeUpdates':{},"
                                 "'ConditionExpression':'x = x','UpdateExpression':'SET y = x'}"),
          "ValidationException",
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: "
          "{UpdateExpression, ConditionExpression}");
    fails(call(&e, "GetItem", "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'1'}},"
                              "'AttributesToGet':['x'],'ExpressionAttributeNames':{'#a':'x'}}"),
          "ValidationException",
          "ExpressionAttributeNames can only be specified when using expressions");
    t_fini(&e);
}

/* BatchGetItem AttributesToGet per table (API_KeysAndAttributes). */
Test(ddb_legacy, batch_get_attributes_to_get)
{
    tenv e;
    mk(&e);
    sim_reply *r = call(&e, "BatchGetItem", "{'RequestItems':{'tbl':{'Keys':[{'p':{'S':'b'},"
                                            "'s':{'N':'1'}}],'AttributesToGet':['x']}}}");
    ok(r);
    json_eq(at(r->body, "Responses.tbl"), "[{'x':{'S':'fob'}}]");
    t_fini(&e);
}

/* KeyConditions + QueryFilter + AttributesToGet (Query legacy parameters). */
Test(ddb_legacy, query_key_conditions_and_filter)
{
    tenv e;
    mk(&e);
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'tbl','KeyConditions':{'p':{'ComparisonOperator':'EQ',"
                        "'AttributeValueList':[{'S':'a'}]},'s':{'ComparisonOperator':'BETWEEN',"
                        "'AttributeValueList':[{'N':'1'},{'N':'2'}]}},"
                        "'QueryFilter':{'x':{'ComparisonOperator':'BEGINS_WITH',"
                        "'AttributeValueList':[{'S':'fo'}]}},'AttributesToGet':['s']}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 1);
    cr_assert_eq(num_at(r->body, "ScannedCount"), 2);
    json_eq(at(r->body, "Items"), "[{'s':{'N':'1'}}]");
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditions':{'p':{'ComparisonOperator':'NE',"
                            "'AttributeValueList':[{'S':'a'}]}}}"),
          "ValidationException", "Attempted conditional constraint is not an indexable operation");
    t_fini(&e);
}

/* ScanFilter operators and ConditionalOperator OR (API_Condition). */
Test(ddb_legacy, scan_filter_operators)
{
    tenv e;
    mk(&e);
    struct {
        const char *filter;
        int count;
        int or;
    } cases[] = {
        { "'n':{'ComparisonOperator':'GT','AttributeValueList':[{'N':'5'}]}", 2, 0 },
        { "'n':{'ComparisonOperator':'LE','AttributeValueList':[{'N':'7'}]}", 2, 0 },
        { "'x':{'ComparisonOperator':'NULL'}", 1, 0 },
        { "'x':{'ComparisonOperator':'NOT_NULL'}", 3, 0 },
        { "'x':{'ComparisonOperator':'CONTAINS','AttributeValueList':[{'S':'o'}]}", 2, 0 },
        { "'x':{'ComparisonOperator':'NOT_CONTAINS','AttributeValueList':[{'S':'o'}]}", 2, 0 },
        { "'x':{'ComparisonOperator':'IN','AttributeValueList':[{'S':'foo'},{'S':'bar'}]}", 2, 0 },
        { "'n':{'ComparisonOperator':'BETWEEN','AttributeValueList':[{'N':'6'},{'N':'9'}]}", 2, 0 },
        { "'x':{'ComparisonOperator':'NE','AttributeValueList':[{'S':'foo'}]}", 3, 0 },
        { "'x':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'foo'}]},"
          "'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'9'}]}", 2, 1 },
        { "'x':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'foo'}]},"
          "'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'9'}]}", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char req[512];
        snprintf(req, sizeof req, "{'TableName':'tbl','ScanFilter':{%s}%s}", cases[i].filter,
                 cases[i].or ? ",'ConditionalOperator':'OR'" : "");
        sim_reply *r = call(&e, "Scan", req);
        ok(r);
        cr_assert_eq(num_at(r->body, "Count"), cases[i].count, "case %zu", i);
        cr_assert_eq(num_at(r->body, "ScannedCount"), 4);
    }
    t_fini(&e);
}

/* dynalite scan validations: argument counts and types. */
Test(ddb_legacy, scan_filter_errors)
{
    tenv e;
    mk(&e);
    fails(call(&e, "Scan", "{'TableName':'tbl','ScanFilter':{'a':{'ComparisonOperator':'EQ',"
                           "'AttributeValueList':[{'S':'a'},{'S':'b'}]}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
          "ComparisonOperator");
    fails(call(&e, "Scan", "{'TableName':'tbl','ScanFilter':{'a':{'ComparisonOperator':'LT',"
                           "'AttributeValueList':[{'BOOL':true}]}}}"),
          "ValidationException",
          "One or more parameter values were invalid: ComparisonOperator LT is not valid for "
          "BOOL AttributeValue type");
    fails(call(&e, "Scan", "{'TableName':'tbl','ScanFilter':{'a':{'ComparisonOperator':'EQ',"
                           "'AttributeValueList':[{'S':'a'}]}},'FilterExpression':'a = a'}"),
          "ValidationException",
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}");
    t_fini(&e);
}

/* Expected: Value, Exists false, ComparisonOperator (API_ExpectedAttributeValue). */
Test(ddb_legacy, expected_conditions)
{
    tenv e;
    mk(&e);
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'1'},'x':{'S':'new'}},"
                           "'Expected':{'x':{'Value':{'S':'foo'}}}}"));
    fails(call(&e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'1'}},"
                              "'Expected':{'x':{'Value':{'S':'foo'}}}}"),
          "ConditionalCheckFailedException", "The conditional request failed");
    fails(call(&e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'1'}},"
                              "'Expected':{'p':{'Exists':false}}}"),
          "ConditionalCheckFailedException", "The conditional request failed");
    ok(call(&e, "DeleteItem", "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'3'}},"
                              "'Expected':{'n':{'ComparisonOperator':'GE','AttributeValueList':"
                              "[{'N':'9'}]},'zz':{'ComparisonOperator':'NULL'}}}"));
    fails(call(&e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'1'}},"
                              "'Expected':{'x':{}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Value must be provided when Exists is "
          "null for Attribute: x");
    fails(call(&e, "PutItem", "{'TableName':'tbl','Item':{'p':{'S':'a'},'s':{'N':'1'}},"
                              "'Expected':{'x':{'Exists':false,'Value':{'S':'a'}}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Value cannot be used when Exists is false "
          "for Attribute: x");
    t_fini(&e);
}

/* AttributeUpdates PUT/ADD/DELETE (API_AttributeValueUpdate). */
Test(ddb_legacy, attribute_updates)
{
    tenv e;
    mk(&e);
    sim_reply *r = call(&e, "UpdateItem",
                        "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'1'}},'AttributeUpdates':{"
                        "'x':{'Action':'DELETE'},'n':{'Action':'ADD','Value':{'N':'3'}},"
                        "'y':{'Value':{'S':'yy'}},'ss':{'Action':'ADD','Value':{'SS':['a','b']}},"
                        "'l':{'Action':'ADD','Value':{'L':[{'S':'q'}]}}},'ReturnValues':'ALL_NEW'}");
    ok(r);
    json_eq(at(r->body, "Attributes"),
            "{'p':{'S':'a'},'s':{'N':'1'},'n':{'N':'8'},'y':{'S':'yy'},'ss':{'SS':['a','b']},"
            "'l':{'L':[{'S':'q'}]}}");
    r = call(&e, "UpdateItem",
             "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'1'}},'AttributeUpdates':{"
             "'ss':{'Action':'DELETE','Value':{'SS':['a']}}},'Expected':{'y':{'Value':{'S':'yy'}}},"
             "'ReturnValues':'UPDATED_NEW'}");
    ok(r);
    json_eq(at(r->body, "Attributes"), "{'ss':{'SS':['b']}}");
    fails(call(&e, "UpdateItem", "{'TableName':'tbl','Key':{'p':{'S':'a'},'s':{'N':'1'}},"
                                 "'AttributeUpdates':{'y':{'Action':'PUT'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Only DELETE action is allowed when no "
          "attribute value is specified");
    t_fini(&e);
}
