/* test_ddb_req_values.c - numbers out of a member's range, and the empty WriteRequest of
 * BatchWriteItem.
 * Sources: Limit is a java.lang.Integer, the capacity units java.lang.Long (API reference,
 * API_Scan "Limit: Type: Integer", API_ProvisionedThroughput "Type: Long"); AWS reads the
 * JSON number and narrows it to that type, so a value out of range shows as the type's
 * bound in the constraint message (Java's double-to-int conversion, JLS 5.1.3: 1e999 is
 * +Infinity and becomes 2147483647); fractions are floored (dynalite validations/index.js).
 * The empty WriteRequest message is the one DynamoDB returns, recorded by dynalite
 * (test/batchWriteItem.js "should return ValidationException for empty item in
 * RequestItems"). */
#include <criterion/criterion.h>

#include "tests/unit/test_ddb_util.h"

static void mk_table(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'tt1','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],'BillingMode':"
            "'PAY_PER_REQUEST'}"));
}

/* Integer members: an out-of-range value is reported as the int bound, never a made-up
 * 9200000000000000000. */
Test(ddb_req_values, integer_out_of_range_is_the_int_bound)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    fails(call(&e, "ListTables", "{'Limit':1e999}"), "ValidationException",
          "1 validation error detected: Value '2147483647' at 'limit' failed to satisfy "
          "constraint: Member must have value less than or equal to 100");
    fails(call(&e, "ListTables", "{'Limit':3000000000}"), "ValidationException",
          "1 validation error detected: Value '2147483647' at 'limit' failed to satisfy "
          "constraint: Member must have value less than or equal to 100");
    fails(call(&e, "ListTables", "{'Limit':-1e999}"), "ValidationException",
          "1 validation error detected: Value '-2147483648' at 'limit' failed to satisfy "
          "constraint: Member must have value greater than or equal to 1");
    fails(call(&e, "Scan", "{'TableName':'tt1','Limit':-1e999}"), "ValidationException",
          "1 validation error detected: Value '-2147483648' at 'limit' failed to satisfy "
          "constraint: Member must have value greater than or equal to 1");
    fails(call(&e, "Query",
               "{'TableName':'tt1','Limit':-5e10,'KeyConditionExpression':'pk = :p',"
               "'ExpressionAttributeValues':{':p':{'S':'a'}}}"),
          "ValidationException",
          "1 validation error detected: Value '-2147483648' at 'limit' failed to satisfy "
          "constraint: Member must have value greater than or equal to 1");
    /* a huge Limit is simply no limit */
    ok(call(&e, "PutItem", "{'TableName':'tt1','Item':{'pk':{'S':'a'}}}"));
    sim_reply *r = call(&e, "Scan", "{'TableName':'tt1','Limit':1e999}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 1);
    /* fractions floor */
    fails(call(&e, "ListTables", "{'Limit':0.5}"), "ValidationException",
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1");
    t_fini(&e);
}

/* Long members: the long bound. */
Test(ddb_req_values, long_out_of_range_is_the_long_bound)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "CreateTable",
               "{'TableName':'tt2','AttributeDefinitions':[{'AttributeName':'pk',"
               "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
               "'ProvisionedThroughput':{'ReadCapacityUnits':-1e999,'WriteCapacityUnits':1}}"),
          "ValidationException",
          "1 validation error detected: Value '-9223372036854775808' at "
          "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must "
          "have value greater than or equal to 1");
    t_fini(&e);
}

/* {"RequestItems":{"tt1":[{}]}}: DynamoDB's own (odd) message, as dynalite records it. */
Test(ddb_req_values, batch_write_empty_write_request)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    fails(call(&e, "BatchWriteItem", "{'RequestItems':{'tt1':[{}]}}"), "ValidationException",
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
          "of the supported datatypes");
    fails(call(&e, "BatchWriteItem",
               "{'RequestItems':{'tt1':[{'PutRequest':{'Item':{'pk':{'S':'a'}}}},{}]}}"),
          "ValidationException",
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
          "of the supported datatypes");
    t_fini(&e);
}

/* Scan's Limit (API_Scan "Limit: Type: Integer", minimum 1): beyond even Long's range the
 * value reads as Integer.MAX_VALUE (Java's narrowing, JLS 5.1.3), so every item fits one
 * page; 1.5 reads as 1, as dynalite's validations/index.js floors an Integer member (its
 * behaviour was observed against DynamoDB; no AWS recording of a SerializationException for
 * an out-of-range or fractional Integer was found, so none is made up here). */
Test(ddb_req_values, scan_limit_beyond_long_and_fraction)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    ok(call(&e, "PutItem", "{'TableName':'tt1','Item':{'pk':{'S':'a'}}}"));
    ok(call(&e, "PutItem", "{'TableName':'tt1','Item':{'pk':{'S':'b'}}}"));
    sim_reply *r = call(&e, "Scan", "{'TableName':'tt1','Limit':99999999999999999999999}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 2);
    cr_assert_null(at(r->body, "LastEvaluatedKey"));
    r = call(&e, "Scan", "{'TableName':'tt1','Limit':1.5}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 1);
    cr_assert_not_null(at(r->body, "LastEvaluatedKey"));
    t_fini(&e);
}
