/* test_ddb_conformance.c - DynamoDB behaviours found by the differential harness
 * (tests/conformance/ddb_diff.py, `make conformance`) where Stratus differed from DynamoDB:
 * the CreateTable reply's status, INCLUDE projections without NonKeyAttributes, the
 * ExpressionAttributeValues / ExpressionAttributeNames checks, FilterExpression on key
 * attributes in Query, nested paths into key attributes, ReturnValues UPDATED_* on nested
 * paths, the tagging messages and TagResource's empty reply body.
 * Sources: each test names its page of the DynamoDB API reference or developer guide;
 * exact messages are DynamoDB's as recorded by dynalite's test suite. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
               "'SET v = a.x + a[1]'}"),
          "ValidationException", key_a);
    fails(call(&e, "UpdateItem",
               "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'1'}},'UpdateExpression':"
               "'SET c.z = :s','ExpressionAttributeValues':{':s':{'S':'x'}}}"),
          "ValidationException",
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: IndexKey: c");
    fails(call(&e, "BatchGetItem",
               "{'RequestItems':{'tbl':{'Keys':[{'a':{'S':'h'},'b':{'N':'1'}}],"
               "'ProjectionExpression':'b.x'}}}"),
          "ValidationException",
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: Key: b");
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

/* API_TagResource / API_ListTagsOfResource, ResourceNotFoundException: DynamoDB's message
 * spells the member "ResourcArn" (sic), as dynalite's suite records it from DynamoDB. */
Test(ddb_conformance, tagging_an_unknown_table)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "ListTagsOfResource",
               "{'ResourceArn':'arn:aws:dynamodb:us-west-2:123456789012:table/nope'}"),
          "ResourceNotFoundException",
          "Requested resource not found: ResourcArn: "
          "arn:aws:dynamodb:us-west-2:123456789012:table/nope not found");
    t_fini(&e);
}

static void on_complete(sim_http_exchange *x)
{
    *(int *)x->front_data += 1;
}

static char *dupz(const char *s)
{
    char *p = strdup(s);
    cr_assert_not_null(p);
    return p;
}

/* Serve one POST of body to DynamoDB_20120810.<op> over the wire layer. */
static void serve(tenv *e, sim_http_exchange *x, const char *op, const char *body)
{
    static int completed;
    char target[128];
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    memset(x, 0, sizeof *x);
    x->req.method = dupz("POST");
    x->req.path = dupz("/");
    x->req.headers = calloc(2, sizeof *x->req.headers);
    cr_assert_not_null(x->req.headers);
    x->req.headers[0].name = dupz("Content-Type");
    x->req.headers[0].value = dupz("application/x-amz-json-1.0");
    x->req.headers[1].name = dupz("X-Amz-Target");
    x->req.headers[1].value = dupz(target);
    x->req.nheaders = 2;
    x->req.body = (unsigned char *)dupz(body);
    x->req.body_len = strlen(body);
    x->complete = on_complete;
    completed = 0;
    x->front_data = &completed;
    ddb_http_serve(e->svc, x);
    cr_assert_eq(completed, 1);
}

/* API_TagResource / API_UntagResource have no output members, and DynamoDB answers them
 * with HTTP 200 and an empty body (not "{}"); other operations keep their JSON body. */
Test(ddb_conformance, tag_replies_have_an_empty_body)
{
    tenv e;
    t_init(&e);
    mk(&e);
    sim_http_exchange x;
    serve(&e, &x, "TagResource",
          "{\"ResourceArn\":\"arn:aws:dynamodb:us-west-2:123456789012:table/tbl\","
          "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
    cr_assert_eq(x.resp.status, 200);
    cr_assert_eq(x.resp.body_len, 0);
    sim_http_req_release(&x.req);
    sim_http_resp_release(&x.resp);
    serve(&e, &x, "UntagResource",
          "{\"ResourceArn\":\"arn:aws:dynamodb:us-west-2:123456789012:table/tbl\","
          "\"TagKeys\":[\"k\"]}");
    cr_assert_eq(x.resp.status, 200);
    cr_assert_eq(x.resp.body_len, 0);
    sim_http_req_release(&x.req);
    sim_http_resp_release(&x.resp);
    serve(&e, &x, "ListTagsOfResource",
          "{\"ResourceArn\":\"arn:aws:dynamodb:us-west-2:123456789012:table/tbl\"}");
    cr_assert_eq(x.resp.status, 200);
    cr_assert_eq(x.resp.body_len, strlen("{\"Tags\":[]}"));
    cr_assert_eq(memcmp(x.resp.body, "{\"Tags\":[]}", x.resp.body_len), 0);
    sim_http_req_release(&x.req);
    sim_http_resp_release(&x.resp);
    t_fini(&e);
}

/* API_Query, ExclusiveStartKey: checked in DynamoDB's order - the number of attributes
 * ("The provided starting key is invalid"), a missing key attribute (the same), a key
 * attribute of the wrong type ("The provided key element does not match the schema"). */
Test(ddb_conformance, query_exclusive_start_key_messages)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':'a = :h',"
                            "'ExpressionAttributeValues':{':h':{'S':'h'}},"
                            "'ExclusiveStartKey':{'a':{'S':'h'}}}"),
          "ValidationException", "The provided starting key is invalid");
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':'a = :h',"
                            "'ExpressionAttributeValues':{':h':{'S':'h'}},"
                            "'ExclusiveStartKey':{'a':{'S':'h'},'z':{'N':'1'}}}"),
          "ValidationException", "The provided starting key is invalid");
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':'a = :h',"
                            "'ExpressionAttributeValues':{':h':{'S':'h'}},"
                            "'ExclusiveStartKey':{'a':{'S':'h'},'b':{'S':'1'}}}"),
          "ValidationException", "The provided key element does not match the schema");
    /* a Scan of the table says which key check failed */
    fails(call(&e, "Scan", "{'TableName':'tbl','ExclusiveStartKey':{'a':{'S':'h'}}}"),
          "ValidationException",
          "The provided starting key is invalid: The provided key element does not match the "
          "schema");
    ok(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':'a = :h',"
                         "'ExpressionAttributeValues':{':h':{'S':'h'}},"
                         "'ExclusiveStartKey':{'a':{'S':'h'},'b':{'N':'0'}}}"));
    t_fini(&e);
}

/* API_Query: ExpressionAttributeValues are checked before the key condition is required
 * (the message names both expressions that could use them). */
Test(ddb_conformance, query_values_without_expressions)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Query",
               "{'TableName':'tbl','ExpressionAttributeValues':{':h':{'S':'h'}}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "FilterExpression and KeyConditionExpression are null");
    fails(call(&e, "Query", "{'TableName':'tbl'}"), "ValidationException",
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
          "the request.");
    t_fini(&e);
}

/* API_Query, ExclusiveStartKey: the start key must lie inside the key condition - its sort
 * key satisfying the sort key condition ("does not match the range key predicate"), its
 * partition key the one queried ("at most one row" with a sort key condition, "outside
 * query boundaries" without). */
Test(ddb_conformance, query_start_key_inside_the_key_condition)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':'a = :h AND b > :n',"
                            "'ExpressionAttributeValues':{':h':{'S':'h'},':n':{'N':'5'}},"
                            "'ExclusiveStartKey':{'a':{'S':'h'},'b':{'N':'1'}}}"),
          "ValidationException", "The provided starting key does not match the range key predicate");
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':'a = :h AND b > :n',"
                            "'ExpressionAttributeValues':{':h':{'S':'h'},':n':{'N':'0'}},"
                            "'ExclusiveStartKey':{'a':{'S':'other'},'b':{'N':'1'}}}"),
          "ValidationException", "The query can return at most one row and cannot be restarted");
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':'a = :h',"
                            "'ExpressionAttributeValues':{':h':{'S':'h'}},"
                            "'ExclusiveStartKey':{'a':{'S':'other'},'b':{'N':'1'}}}"),
          "ValidationException",
          "The provided starting key is outside query boundaries based on provided conditions");
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':"
                            "'a = :h AND b BETWEEN :x AND :y','ExpressionAttributeValues':"
                            "{':h':{'S':'h'},':x':{'N':'2'},':y':{'N':'3'}},"
                            "'ExclusiveStartKey':{'a':{'S':'h'},'b':{'N':'4'}}}"),
          "ValidationException", "The provided starting key does not match the range key predicate");
    sim_reply *r = call(&e, "Query", "{'TableName':'tbl','KeyConditionExpression':"
                                     "'a = :h AND b >= :n','ExpressionAttributeValues':"
                                     "{':h':{'S':'h'},':n':{'N':'1'}},"
                                     "'ExclusiveStartKey':{'a':{'S':'h'},'b':{'N':'1'}}}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 0);
    t_fini(&e);
}

/* API_Query, QueryFilter (legacy): the key attributes message names the legacy parameter. */
Test(ddb_conformance, query_filter_legacy_on_key)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Query", "{'TableName':'tbl','KeyConditions':{'a':{'ComparisonOperator':'EQ',"
                            "'AttributeValueList':[{'S':'h'}]}},'QueryFilter':{'b':"
                            "{'ComparisonOperator':'GT','AttributeValueList':[{'N':'0'}]}}}"),
          "ValidationException",
          "QueryFilter can only contain non-primary key attributes: Primary key attribute: b");
    t_fini(&e);
}

/* API_UpdateItem, AttributeUpdates (legacy): ADD of a value whose type does not fit the
 * attribute is refused as DynamoDB words it for that parameter. */
Test(ddb_conformance, attribute_updates_type_mismatch)
{
    tenv e;
    t_init(&e);
    mk(&e);
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'2'},"
                           "'s':{'S':'x'}}}"));
    fails(call(&e, "UpdateItem", "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'2'}},"
                                 "'AttributeUpdates':{'s':{'Action':'ADD','Value':{'N':'1'}}}}"),
          "ValidationException", "Type mismatch for attribute to update");
    /* the expression form keeps its own message */
    fails(call(&e, "UpdateItem", "{'TableName':'tbl','Key':{'a':{'S':'h'},'b':{'N':'2'}},"
                                 "'UpdateExpression':'ADD s :n','ExpressionAttributeValues':"
                                 "{':n':{'N':'1'}}}"),
          "ValidationException", "An operand in the update expression has an incorrect data type");
    t_fini(&e);
}

/* API_Scan, Segment: a parallel scan resumes only inside its own segment. */
Test(ddb_conformance, scan_start_key_in_another_segment)
{
    tenv e;
    t_init(&e);
    mk(&e);
    /* find the segment (of 4) that holds partition key "h" */
    int seg = -1;
    for (int i = 0; i < 4 && seg < 0; i++) {
        char req[160];
        snprintf(req, sizeof req, "{'TableName':'tbl','Segment':%d,'TotalSegments':4}", i);
        sim_reply *r = call(&e, "Scan", req);
        ok(r);
        if (num_at(r->body, "Count") == 1)
            seg = i;
    }
    cr_assert_geq(seg, 0);
    char req[256];
    snprintf(req, sizeof req,
             "{'TableName':'tbl','Segment':%d,'TotalSegments':4,"
             "'ExclusiveStartKey':{'a':{'S':'h'},'b':{'N':'1'}}}",
             (seg + 1) % 4);
    char msg[256];
    snprintf(msg, sizeof msg,
             "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
             "ExclusiveStartKey with correct Segment. TotalSegments: 4 Segment: %d",
             (seg + 1) % 4);
    fails(call(&e, "Scan", req), "ValidationException", msg);
    snprintf(req, sizeof req,
             "{'TableName':'tbl','Segment':%d,'TotalSegments':4,"
             "'ExclusiveStartKey':{'a':{'S':'h'},'b':{'N':'1'}}}",
             seg);
    ok(call(&e, "Scan", req));
    t_fini(&e);
}

/* API_AttributeValue: a member set to JSON null is an absent member, so {"S": null} is an
 * empty AttributeValue. */
Test(ddb_conformance, null_attribute_value_member_is_absent)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "PutItem", "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'3'},"
                              "'v':{'S':null}}}"),
          "ValidationException",
          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    t_fini(&e);
}

/* Developer guide, ServiceQuotas ("The maximum item size in DynamoDB is 400 KB"): the size
 * is part of the request's validation, checked before the table is looked up. */
Test(ddb_conformance, item_size_checked_before_the_table)
{
    tenv e;
    t_init(&e);
    char *big = malloc(420 * 1024);
    cr_assert_not_null(big);
    int n = snprintf(big, 64, "{'TableName':'nope','Item':{'a':{'S':'k'},'v':{'S':'");
    memset(big + n, 'x', 409600);
    strcpy(big + n + 409600, "'}}}");
    fails(call(&e, "PutItem", big), "ValidationException",
          "Item size has exceeded the maximum allowed size");
    free(big);
    fails(call(&e, "PutItem", "{'TableName':'nope','Item':{'a':{'S':'k'}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}

/* API_ExpectedAttributeValue: Exists may not be combined with ComparisonOperator. */
Test(ddb_conformance, expected_exists_with_comparison_operator)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "PutItem", "{'TableName':'tbl','Item':{'a':{'S':'h'},'b':{'N':'4'}},"
                              "'Expected':{'a':{'Exists':true,'ComparisonOperator':'LT'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Exists and ComparisonOperator cannot be "
          "used together for Attribute: a");
    t_fini(&e);
}
