/* test_ddb_conformance.c - DynamoDB behaviours found by the differential harness
 * (tests/conformance/ddb_diff.py, `make conformance`) where Stratus differed from DynamoDB:
 * the CreateTable reply's status, INCLUDE projections without NonKeyAttributes, the
 * ExpressionAttributeValues / ExpressionAttributeNames checks, FilterExpression on key
 * attributes in Query, nested paths into key attributes, ReturnValues UPDATED_* on nested
 * paths, and the TagResource / UntagResource empty-list messages.
 * Sources: each test names its page of the DynamoDB API reference or developer guide;
 * exact messages are DynamoDB's as recorded by dynalite's test suite. */
#include <criterion/criterion.h>

#include "tests/unit/test_ddb_util.h"

/* HASH a (S), RANGE b (N); an LSI on c and a GSI keyed on g. */
#define T_RANGE                                                                               \
    "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'},"      \
    "{'AttributeName':'b','AttributeType':'N'},{'AttributeName':'c','AttributeType':'S'},"     \
    "{'AttributeName':'g','AttributeType':'S'}],'KeySchema':[{'AttributeName':'a','KeyType':" \
    "'HASH'},{'AttributeName':'b','KeyType':'RANGE'}],'LocalSecondaryIndexes':[{'IndexName':" \
    "'lsi','KeySchema':[{'AttributeName':'a','KeyType':'HASH'},{'AttributeName':'c',"          \
    "'KeyType':'RANGE'}],'Projection':{'ProjectionType':'INCLUDE'}}],"                         \
    "'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[{'AttributeName':'g',"          \
    "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}],"                              \
    "'BillingMode':'PAY_PER_REQUEST'}"

static void mk(tenv *e)
{
    ok(call(e, "CreateTable", T_RANGE));
    ok(call(e, "PutItem",
            "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'1'},'m':{'M':{'x':{'N':'1'},"
            "'y':{'N':'2'}}},'v':{'N':'5'}}}"));
}

/* API_CreateTable: "Upon receiving a CreateTable request, DynamoDB immediately returns a
 * response with a TableStatus of CREATING" (its GSIs too); the table is then ACTIVE. An
 * INCLUDE projection without NonKeyAttributes is accepted and described without them
 * (API_Projection: NonKeyAttributes only lists what INCLUDE adds). */
Test(ddb_conformance, create_table_reply_says_creating)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "CreateTable", T_RANGE);
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "CREATING");
    cr_assert_str_eq(str_at(r->body, "TableDescription.GlobalSecondaryIndexes.0.IndexStatus"),
                     "CREATING");
    json_eq(at(r->body, "TableDescription.LocalSecondaryIndexes.0.Projection"),
            "{'ProjectionType':'INCLUDE'}");
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "Table.TableStatus"), "ACTIVE");
    cr_assert_str_eq(str_at(r->body, "Table.GlobalSecondaryIndexes.0.IndexStatus"), "ACTIVE");
    json_eq(at(r->body, "Table.LocalSecondaryIndexes.0.Projection"),
            "{'ProjectionType':'INCLUDE'}");
    t_fini(&e);
}

/* API_PutItem / API_UpdateItem / API_Scan, ExpressionAttributeValues: values are only for
 * the expressions that can use them; the message names those expressions. */
Test(ddb_conformance, expression_values_without_their_expressions)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "PutItem",
               "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'2'}},"
               "'ExpressionAttributeValues':{':x':{'N':'1'}}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "ConditionExpression is null");
    fails(call(&e, "DeleteItem",
               "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'2'}},"
               "'ExpressionAttributeValues':{':x':{'N':'1'}}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "ConditionExpression is null");
    fails(call(&e, "UpdateItem",
               "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'2'}},"
               "'ExpressionAttributeValues':{':x':{'N':'1'}}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "UpdateExpression and ConditionExpression are null");
    /* a ProjectionExpression cannot use values */
    fails(call(&e, "Scan",
               "{'TableName':'tbl','ProjectionExpression':'v',"
               "'ExpressionAttributeValues':{':x':{'N':'1'}}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "FilterExpression is null");
    /* names need some expression, and say so without a list */
    fails(call(&e, "PutItem",
               "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'2'}},"
               "'ExpressionAttributeNames':{'#x':'x'}}"),
          "ValidationException",
          "ExpressionAttributeNames can only be specified when using expressions");
    t_fini(&e);
}

/* Developer guide, Expressions.ExpressionAttributeNames / ExpressionAttributeValues: a
 * name placeholder is '#' and a value placeholder ':' followed by alphanumerics; other keys
 * are refused before the expression is parsed. */
Test(ddb_conformance, placeholder_keys_are_checked_first)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "PutItem",
               "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'2'}},"
               "'ConditionExpression':'v = :x','ExpressionAttributeValues':{'x':{'N':'1'}}}"),
          "ValidationException",
          "ExpressionAttributeValues contains invalid key: Syntax error; key: \"x\"");
    fails(call(&e, "PutItem",
               "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'2'}},"
               "'ConditionExpression':'#x = v','ExpressionAttributeNames':{'x':'a','#x':'a'}}"),
          "ValidationException",
          "ExpressionAttributeNames contains invalid key: Syntax error; key: \"x\"");
    fails(call(&e, "Scan",
               "{'TableName':'tbl','FilterExpression':'v = :a-b',"
               "'ExpressionAttributeValues':{':a-b':{'N':'1'}}}"),
          "ValidationException",
          "ExpressionAttributeValues contains invalid key: Syntax error; key: \":a-b\"");
    t_fini(&e);
}

/* Developer guide, Query.FilterExpression: "A filter expression cannot contain partition
 * key or sort key attributes. You need to specify those attributes in the key condition
 * expression, not the filter expression." The keys are those of the table or index
 * queried. */
Test(ddb_conformance, query_filter_on_key_attributes)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Query",
               "{'TableName':'tbl','KeyConditionExpression':'a = :h','FilterExpression':'b > :n',"
               "'ExpressionAttributeValues':{':h':{'S':'h'},':n':{'N':'0'}}}"),
          "ValidationException",
          "Filter Expression can only contain non-primary key attributes: Primary key "
          "attribute: b");
    fails(call(&e, "Query",
               "{'TableName':'tbl','KeyConditionExpression':'a = :h','FilterExpression':"
               "'attribute_exists(#k)','ExpressionAttributeNames':{'#k':'a'},"
               "'ExpressionAttributeValues':{':h':{'S':'h'}}}"),
          "ValidationException",
          "Filter Expression can only contain non-primary key attributes: Primary key "
          "attribute: a");
    /* on the index, the index's sort key is the key; the table's is not */
    fails(call(&e, "Query",
               "{'TableName':'tbl','IndexName':'lsi','KeyConditionExpression':'a = :h',"
               "'FilterExpression':'c = :c','ExpressionAttributeValues':{':h':{'S':'h'},"
               "':c':{'S':'x'}}}"),
          "ValidationException",
          "Filter Expression can only contain non-primary key attributes: Primary key "
          "attribute: c");
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'tbl','IndexName':'gsi','KeyConditionExpression':'g = :g',"
                        "'FilterExpression':'b > :n','ExpressionAttributeValues':"
                        "{':g':{'S':'x'},':n':{'N':'0'}}}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 0);
    /* other attributes filter as usual */
    r = call(&e, "Query",
             "{'TableName':'tbl','KeyConditionExpression':'a = :h','FilterExpression':'v > :n',"
             "'ExpressionAttributeValues':{':h':{'S':'h'},':n':{'N':'1'}}}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 1);
    t_fini(&e);
}

/* Developer guide, HowItWorks.CoreComponents: "Each primary key attribute must be a scalar
 * (meaning that it can hold only a single value)" - a document path cannot go below a key
 * attribute of the table or of an index. */
Test(ddb_conformance, nested_paths_into_key_attributes)
{
    tenv e;
    t_init(&e);
    mk(&e);
    const char *key_a = "Key attributes must be scalars; list random access '[]' and map "
                        "lookup '.' are not allowed: Key: a";
    fails(call(&e, "GetItem",
               "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'1'}},"
               "'ProjectionExpression':'a.x'}"),
          "ValidationException", key_a);
    fails(call(&e, "Scan", "{'TableName':'tbl','FilterExpression':'a.x = :s',"
                           "'ExpressionAttributeValues':{':s':{'S':'x'}}}"),
          "ValidationException", key_a);
    fails(call(&e, "Scan", "{'TableName':'tbl','ProjectionExpression':'b[0]'}"),
          "ValidationException",
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: Key: b");
    fails(call(&e, "Query",
               "{'TableName':'tbl','KeyConditionExpression':'a = :h','ProjectionExpression':"
               "'g.y','ExpressionAttributeValues':{':h':{'S':'h'}}}"),
          "ValidationException",
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: IndexKey: g");
    fails(call(&e, "UpdateItem",
               "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'1'}},'UpdateExpression':"
               "'SET c.z = :s','ExpressionAttributeValues':{':s':{'S':'x'}}}"),
          "ValidationException",
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: IndexKey: c");
    /* a plain key attribute in a projection is fine */
    sim_reply *r = call(&e, "GetItem", "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'1'}},"
                                       "'ProjectionExpression':'a, m.x'}");
    ok(r);
    json_eq(at(r->body, "Item"), "{'a':{'S':'h'},'m':{'M':{'x':{'N':'1'}}}}");
    t_fini(&e);
}

/* API_UpdateItem, ReturnValues: "UPDATED_OLD - Returns only the updated attributes, as they
 * appeared before the UpdateItem operation. UPDATED_NEW - Returns only the updated
 * attributes, as they appear after the UpdateItem operation." For a nested path that is the
 * nested value, not its whole top-level attribute. */
Test(ddb_conformance, updated_values_of_nested_paths)
{
    tenv e;
    t_init(&e);
    mk(&e);
    sim_reply *r = call(&e, "UpdateItem",
                        "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'1'}},"
                        "'UpdateExpression':'SET m.y = :n','ExpressionAttributeValues':"
                        "{':n':{'N':'7'}},'ReturnValues':'UPDATED_NEW'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'m':{'M':{'y':{'N':'7'}}}}}");
    r = call(&e, "UpdateItem",
             "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'1'}},"
             "'UpdateExpression':'SET m.y = :n, v = v + :n','ExpressionAttributeValues':"
             "{':n':{'N':'1'}},'ReturnValues':'UPDATED_OLD'}");
    ok(r);
    json_eq(r->body, "{'Attributes':{'m':{'M':{'y':{'N':'7'}}},'v':{'N':'5'}}}");
    /* nothing there before: no Attributes at all */
    r = call(&e, "UpdateItem",
             "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'1'}},"
             "'UpdateExpression':'SET m.z = :n','ExpressionAttributeValues':"
             "{':n':{'N':'1'}},'ReturnValues':'UPDATED_OLD'}");
    ok(r);
    json_eq(r->body, "{}");
    t_fini(&e);
}

/* API_TagResource / API_UntagResource: an empty Tags / TagKeys list is refused. */
Test(ddb_conformance, tag_lists_must_not_be_empty)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "TagResource",
               "{'ResourceArn':'arn:aws:dynamodb:us-west-2:123456789012:table/tbl','Tags':[]}"),
          "ValidationException", "Atleast one Tag needs to be provided as Input.");
    fails(call(&e, "UntagResource",
               "{'ResourceArn':'arn:aws:dynamodb:us-west-2:123456789012:table/tbl','TagKeys':[]}"),
          "ValidationException", "Atleast one Tag Key needs to be provided as Input.");
    t_fini(&e);
}
