/* test_ddb_validate.c - request validation against the DynamoDB API model (ddb_validate.c,
 * tables generated from botocore's service-2.json): SerializationException for wrong JSON
 * types, and "N validation errors detected" for required members, lengths, ranges, enums,
 * patterns, map keys and values, in AWS's order, capped at 10. Sources: DynamoDB API
 * reference "Common Errors" and each operation's "Request Parameters" (constraints: the API
 * model); the exact wording and order as AWS answers them, recorded by dynalite 4.0
 * (validations/<operation>.js, test/helpers.js assertType, test/<operation>.js). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "storage/ddb_int.h"
#include "storage/ddb_validate.h"
#include "test_ddb_util.h"

#define CAST_MSG                                                                              \
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to "   \
    "class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and " \
    "java.lang.Class are in module java.base of loader 'bootstrap')"
#define KEY_NULL  "Value null at 'key' failed to satisfy constraint: Member must not be null"
#define TN_REQUIRED "The parameter 'TableName' is required but was not present in the request"
#define TN_LENGTH   "TableName must be at least 3 characters long and at most 255 characters long"

/* Assert r is a ValidationException whose message holds each of the NULL-terminated pieces,
 * in order (for messages that echo Java object hashes). */
static void fails_with(const sim_reply *r, const char *first, ...)
{
    cr_assert_eq(r->status, 400);
    cr_assert_str_eq(r->code, "ValidationException");
    cr_assert_not_null(r->message);
    const char *at_ = r->message;
    va_list ap;
    va_start(ap, first);
    for (const char *p = first; p != NULL; p = va_arg(ap, const char *)) {
        const char *hit = strstr(at_, p);
        cr_assert_not_null(hit, "'%s' not in '%s'", p, r->message);
        at_ = hit + strlen(p);
    }
    va_end(ap);
}

/* Every operation ddb_call dispatches has a model entry; names are found exactly. */
Test(ddb_validate, model_covers_every_operation)
{
    static const char *const ops[] = {
        "BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem", "DeleteTable",
        "DescribeEndpoints", "DescribeLimits", "DescribeTable", "DescribeTimeToLive", "GetItem",
        "ListTables", "ListTagsOfResource", "PutItem", "Query", "Scan", "TagResource",
        "TransactGetItems", "TransactWriteItems", "UntagResource", "UpdateItem", "UpdateTable",
        "UpdateTimeToLive",
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const ddb_op_model *m = ddb_model_op(ops[i]);
        cr_assert_not_null(m, "%s", ops[i]);
        cr_assert_str_eq(m->op, ops[i]);
        cr_assert_not_null(m->input);
        cr_assert_eq(m->input->kind, DDB_SK_STRUCT);
    }
    cr_assert_eq(ddb_model_nops, (int)(sizeof ops / sizeof ops[0]));
    cr_assert_null(ddb_model_op("getItem"));
    cr_assert_null(ddb_model_op("Nope"));
    /* the model's TableName: 3..255, [a-zA-Z0-9_.-]+ (API_GetItem, TableName) */
    const ddb_shape *tn = ddb_model_op("GetItem")->input->members[2].shape;
    cr_assert_str_eq(tn->name, "TableName");
    cr_assert_eq(tn->min, 3);
    cr_assert_eq(tn->max, 255);
    cr_assert_str_eq(tn->pattern->text, "[a-zA-Z0-9_.-]+");
}

/* API_GetItem: TableName and Key are required (dynalite test/getItem.js). */
Test(ddb_validate, get_item_missing_required)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "GetItem", "{}"), "ValidationException",
          "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: "
          "Member must not be null; " KEY_NULL);
    /* JSON null is absent */
    fails(call(&e, "GetItem", "{'TableName':null,'Key':null}"), "ValidationException",
          "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: "
          "Member must not be null; " KEY_NULL);
    t_fini(&e);
}

/* API_GetItem TableName: pattern first, then length (dynalite test/getItem.js). */
Test(ddb_validate, get_item_table_name_pattern_and_length)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "GetItem", "{'TableName':'a;'}"), "ValidationException",
          "3 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: "
          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at "
          "'tableName' failed to satisfy constraint: Member must have length greater than or "
          "equal to 3; " KEY_NULL);
    char req[400], want[700];
    char name[257];
    memset(name, 'a', 256);
    name[256] = '\0';
    snprintf(req, sizeof req, "{'TableName':'%s'}", name);
    snprintf(want, sizeof want,
             "2 validation errors detected: Value '%s' at 'tableName' failed to satisfy "
             "constraint: Member must have length less than or equal to 255; " KEY_NULL,
             name);
    fails(call(&e, "GetItem", req), "ValidationException", want);
    t_fini(&e);
}

/* API_GetItem: enum, list length and pattern errors joined in AWS's member order
 * (dynalite validations/getItem.js; test/getItem.js "incorrect attributes"). */
Test(ddb_validate, get_item_errors_joined_in_aws_order)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "GetItem", "{'TableName':'abc;','ReturnConsumedCapacity':'hi',"
                              "'AttributesToGet':[]}"),
          "ValidationException",
          "4 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to "
          "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
          "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have "
          "length greater than or equal to 1; Value 'abc;' at 'tableName' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " KEY_NULL);
    t_fini(&e);
}

/* A String member of another JSON type (dynalite test/helpers.js assertType 'String'). */
Test(ddb_validate, string_wrong_types)
{
    static const char *const cases[][2] = {
        { "true", "TRUE_VALUE cannot be converted to String" },
        { "false", "FALSE_VALUE cannot be converted to String" },
        { "23", "NUMBER_VALUE cannot be converted to String" },
        { "-2147483648", "NUMBER_VALUE cannot be converted to String" },
        { "2147483648", "NUMBER_VALUE cannot be converted to String" },
        { "34.56", "DECIMAL_VALUE cannot be converted to String" },
        { "[]", "Unrecognized collection type class java.lang.String" },
        { "{}", "Start of structure or map found where not expected" },
    };
    tenv e;
    t_init(&e);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char req[128];
        snprintf(req, sizeof req, "{'TableName':%s}", cases[i][0]);
        fails(call(&e, "GetItem", req), "SerializationException", cases[i][1]);
        /* a string inside a map value and a list element too */
        snprintf(req, sizeof req, "{'ExpressionAttributeNames':{'#a':%s}}", cases[i][0]);
        fails(call(&e, "GetItem", req), "SerializationException", cases[i][1]);
        snprintf(req, sizeof req, "{'AttributesToGet':[%s]}", cases[i][0]);
        fails(call(&e, "GetItem", req), "SerializationException", cases[i][1]);
    }
    t_fini(&e);
}

/* A Boolean member (dynalite assertType 'Boolean'): true/false/yes/no/1/0 strings parse. */
Test(ddb_validate, boolean_wrong_types)
{
    static const char *const cases[][2] = {
        { "'23'", "Unexpected token received from parser" },
        { "23", "NUMBER_VALUE cannot be converted to Boolean" },
        { "34.56", "DECIMAL_VALUE cannot be converted to Boolean" },
        { "[]", "Unrecognized collection type class java.lang.Boolean" },
        { "{}", "Start of structure or map found where not expected" },
    };
    tenv e;
    t_init(&e);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char req[128];
        snprintf(req, sizeof req, "{'TableName':'abc','Key':{},'ConsistentRead':%s}",
                 cases[i][0]);
        fails(call(&e, "GetItem", req), "SerializationException", cases[i][1]);
    }
    /* accepted: the request reaches the operation */
    fails(call(&e, "GetItem", "{'TableName':'abc','Key':{'a':{'S':'x'}},'ConsistentRead':'YES'}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}

/* Integer and Long members (dynalite assertType 'Integer', 'Long'). */
Test(ddb_validate, integer_and_long_wrong_types)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "ListTables", "{'Limit':'23'}"), "SerializationException",
          "STRING_VALUE cannot be converted to Integer");
    fails(call(&e, "ListTables", "{'Limit':true}"), "SerializationException",
          "TRUE_VALUE cannot be converted to Integer");
    fails(call(&e, "ListTables", "{'Limit':[]}"), "SerializationException",
          "Unrecognized collection type class java.lang.Integer");
    fails(call(&e, "ListTables", "{'Limit':{}}"), "SerializationException",
          "Start of structure or map found where not expected");
    fails(call(&e, "CreateTable", "{'ProvisionedThroughput':{'ReadCapacityUnits':'1'}}"),
          "SerializationException", "STRING_VALUE cannot be converted to Long");
    fails(call(&e, "CreateTable", "{'ProvisionedThroughput':{'WriteCapacityUnits':false}}"),
          "SerializationException", "FALSE_VALUE cannot be converted to Long");
    fails(call(&e, "CreateTable", "{'ProvisionedThroughput':{'WriteCapacityUnits':[]}}"),
          "SerializationException", "Unrecognized collection type class java.lang.Long");
    t_fini(&e);
}

/* A Blob (AttributeValue B) must be canonical base64 (dynalite assertType 'Blob'). */
Test(ddb_validate, blob_wrong_types)
{
    static const char *const cases[][2] = {
        { "true", "only base-64-encoded strings are convertible to bytes" },
        { "23", "only base-64-encoded strings are convertible to bytes" },
        { "[]", "Unrecognized collection type class java.nio.ByteBuffer" },
        { "{}", "Start of structure or map found where not expected" },
        { "'23456'", "Base64 encoded length is expected a multiple of 4 bytes but found: 5" },
        { "'=+/='", "Invalid last non-pad Base64 character dectected" },
        { "'+/+='", "Invalid last non-pad Base64 character dectected" },
    };
    tenv e;
    t_init(&e);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char req[128];
        snprintf(req, sizeof req, "{'Key':{'a':{'B':%s}}}", cases[i][0]);
        fails(call(&e, "GetItem", req), "SerializationException", cases[i][1]);
        snprintf(req, sizeof req, "{'Key':{'a':{'L':[{'BS':[%s]}]}}}", cases[i][0]);
        fails(call(&e, "GetItem", req), "SerializationException", cases[i][1]);
    }
    /* canonical base64 passes the shape check */
    fails(call(&e, "GetItem", "{'TableName':'abc','Key':{'a':{'B':'YWJj'}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}

/* Lists, maps and structures, worded by where they sit (dynalite assertType 'List',
 * 'ParameterizedList', 'Map', 'ParameterizedMap', 'FieldStruct', 'ValueStruct'). */
Test(ddb_validate, container_wrong_types)
{
    tenv e;
    t_init(&e);
    /* a list member */
    fails(call(&e, "GetItem", "{'AttributesToGet':'23'}"), "SerializationException",
          "Unexpected field type");
    fails(call(&e, "GetItem", "{'AttributesToGet':{}}"), "SerializationException",
          "Start of structure or map found where not expected");
    /* a list as a map value */
    fails(call(&e, "BatchWriteItem", "{'RequestItems':{'abc':23}}"), "SerializationException",
          CAST_MSG);
    /* a map member */
    fails(call(&e, "GetItem", "{'Key':23}"), "SerializationException", "Unexpected field type");
    fails(call(&e, "GetItem", "{'Key':[]}"), "SerializationException",
          "Unrecognized collection type java.util.Map<java.lang.String, "
          "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    fails(call(&e, "GetItem", "{'ExpressionAttributeNames':[]}"), "SerializationException",
          "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>");
    fails(call(&e, "BatchWriteItem", "{'RequestItems':[]}"), "SerializationException",
          "Unrecognized collection type java.util.Map<java.lang.String, "
          "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>");
    /* a map as a list element */
    fails(call(&e, "BatchGetItem", "{'RequestItems':{'abc':{'Keys':[23]}}}"),
          "SerializationException", CAST_MSG);
    fails(call(&e, "BatchGetItem", "{'RequestItems':{'abc':{'Keys':[[]]}}}"),
          "SerializationException",
          "Unrecognized collection type java.util.Map<java.lang.String, "
          "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    /* a structure member, list element and map value */
    fails(call(&e, "CreateTable", "{'ProvisionedThroughput':'23'}"), "SerializationException",
          "Unexpected field type");
    fails(call(&e, "CreateTable", "{'ProvisionedThroughput':[]}"), "SerializationException",
          "Unrecognized collection type class "
          "com.amazonaws.dynamodb.v20120810.ProvisionedThroughput");
    fails(call(&e, "CreateTable", "{'KeySchema':[23]}"), "SerializationException",
          "Unexpected value type in payload");
    fails(call(&e, "CreateTable", "{'KeySchema':[[]]}"), "SerializationException",
          "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement");
    fails(call(&e, "GetItem", "{'Key':{'a':'x'}}"), "SerializationException",
          "Unexpected value type in payload");
    fails(call(&e, "PutItem", "{'Expected':{'a':{'Value':true}}}"), "SerializationException",
          "Unexpected field type");
    t_fini(&e);
}

/* Serialization comes before validation: a wrong type anywhere wins over constraint errors
 * earlier in the request; unknown members are ignored (dynalite validations/index.js). */
Test(ddb_validate, type_errors_win_and_unknown_members_are_ignored)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "GetItem", "{'ReturnConsumedCapacity':'hi','TableName':'a','ConsistentRead':5}"),
          "SerializationException", "NUMBER_VALUE cannot be converted to Boolean");
    /* (this pinned {"S":"x","Z":5} as a valid key only because the key's values were checked
     * after the table lookup; ddb_attr.c refuses an unknown member beside a known one, and now
     * does so before the lookup, as AWS orders it: see get_item_values_before_table) */
    fails(call(&e, "GetItem", "{'TableName':'abc','Key':{'a':{'S':'x'}},'Foo':[1,2],"
                              "'ConsistentRead':null}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}

/* API_CreateTable: TableName first and apart; then the others in AWS's order (dynalite
 * validations/createTable.js, test/createTable.js). */
Test(ddb_validate, create_table_messages)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "CreateTable", "{}"), "ValidationException", TN_REQUIRED);
    fails(call(&e, "CreateTable", "{'TableName':'a;'}"), "ValidationException", TN_LENGTH);
    fails(call(&e, "CreateTable", "{'TableName':'abc;'}"), "ValidationException",
          "3 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy "
          "constraint: Member must not be null; Value 'abc;' at 'tableName' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value "
          "null at 'keySchema' failed to satisfy constraint: Member must not be null");
    fails(call(&e, "CreateTable",
               "{'TableName':'abc','AttributeDefinitions':[],'KeySchema':[],"
               "'ProvisionedThroughput':{'ReadCapacityUnits':-1,'WriteCapacityUnits':-1},"
               "'BillingMode':'A'}"),
          "ValidationException",
          "4 validation errors detected: Value 'A' at 'billingMode' failed to satisfy "
          "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; "
          "Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy "
          "constraint: Member must have value greater than or equal to 1; Value '-1' at "
          "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must "
          "have value greater than or equal to 1; Value '[]' at 'keySchema' failed to satisfy "
          "constraint: Member must have length greater than or equal to 1");
    fails(call(&e, "CreateTable",
               "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a',"
               "'AttributeType':'X'}],'KeySchema':[{'KeyType':'HASH','AttributeName':'a'}],"
               "'LocalSecondaryIndexes':[{'IndexName':'i;','KeySchema':[],'Projection':"
               "{'ProjectionType':'SOME','NonKeyAttributes':[]}}]}"),
          "ValidationException",
          "6 validation errors detected: Value 'X' at 'attributeDefinitions.1.member."
          "attributeType' failed to satisfy constraint: Member must satisfy enum value set: "
          "[B, N, S]; Value 'i;' at 'localSecondaryIndexes.1.member.indexName' failed to "
          "satisfy constraint: Member must satisfy regular expression pattern: "
          "[a-zA-Z0-9_.-]+; Value 'i;' at 'localSecondaryIndexes.1.member.indexName' failed to "
          "satisfy constraint: Member must have length greater than or equal to 3; Value '[]' "
          "at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member "
          "must have length greater than or equal to 1; Value 'SOME' at "
          "'localSecondaryIndexes.1.member.projection.projectionType' failed to satisfy "
          "constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]; Value "
          "'[]' at 'localSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to "
          "satisfy constraint: Member must have length greater than or equal to 1");
    t_fini(&e);
}

/* List element paths "keySchema.N.member.x"; a list of structures echoes its elements as
 * Java objects (dynalite test/createTable.js "key element names"). */
Test(ddb_validate, create_table_key_element_paths)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "CreateTable",
                        "{'TableName':'abc','AttributeDefinitions':[],'KeySchema':["
                        "{'KeyType':'HASH'},{'AttributeName':'a'},{'KeyType':'Woop',"
                        "'AttributeName':'a'}],'ProvisionedThroughput':{'ReadCapacityUnits':"
                        "1000000000001,'WriteCapacityUnits':1000000000001}}");
    fails_with(r, "4 validation errors detected: Value '[",
               "com.amazonaws.dynamodb.v20120810.KeySchemaElement@", ", ",
               "com.amazonaws.dynamodb.v20120810.KeySchemaElement@", ", ",
               "com.amazonaws.dynamodb.v20120810.KeySchemaElement@",
               "]' at 'keySchema' failed to satisfy constraint: Member must have length less "
               "than or equal to 2; Value null at 'keySchema.1.member.attributeName' failed to "
               "satisfy constraint: Member must not be null; Value null at "
               "'keySchema.2.member.keyType' failed to satisfy constraint: Member must not be "
               "null; Value 'Woop' at 'keySchema.3.member.keyType' failed to satisfy "
               "constraint: Member must satisfy enum value set: [HASH, RANGE]",
               NULL);
    t_fini(&e);
}

/* At most 10 errors are listed, and counted (dynalite validations/index.js). */
Test(ddb_validate, error_cap_is_ten)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "CreateTable",
                        "{'TableName':'abc','AttributeDefinitions':[{},{},{},{},{},{},{}],"
                        "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}]}");
    cr_assert_str_eq(r->code, "ValidationException");
    cr_assert(strncmp(r->message, "10 validation errors detected: ", 31) == 0, "%s", r->message);
    int joins = 0;
    for (const char *p = r->message; (p = strstr(p, "; ")) != NULL; p += 2)
        joins++;
    cr_assert_eq(joins, 9);
    cr_assert(strstr(r->message, "'attributeDefinitions.5.member.attributeType' failed") != NULL);
    cr_assert(strstr(r->message, "attributeDefinitions.6.") == NULL);
    t_fini(&e);
}

/* Map keys and values are checked as a whole and reported at the map's path with every
 * constraint of the key or value shape, maximum first (dynalite validations/index.js
 * keys/values; test/batchWriteItem.js). Element paths "<map>.<key>.member.N.member.x". */
Test(ddb_validate, batch_write_map_keys_values_and_paths)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "BatchWriteItem", "{'RequestItems':{'abc':[]}}"), "ValidationException",
          "1 validation error detected: Value '{abc=[]}' at 'requestItems' failed to satisfy "
          "constraint: Map value must satisfy constraint: [Member must have length less than or "
          "equal to 25, Member must have length greater than or equal to 1]");
    fails(call(&e, "BatchWriteItem", "{'RequestItems':{}}"), "ValidationException",
          "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
          "constraint: Member must have length greater than or equal to 1");
    sim_reply *r = call(&e, "BatchWriteItem",
                        "{'RequestItems':{'aa;':[{'PutRequest':{},'DeleteRequest':{}}]},"
                        "'ReturnConsumedCapacity':'hi','ReturnItemCollectionMetrics':'hi'}");
    fails_with(r,
               "5 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to "
               "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
               "Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member "
               "must satisfy enum value set: [SIZE, NONE]; Value '{aa;=[",
               "com.amazonaws.dynamodb.v20120810.WriteRequest@",
               "]}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy "
               "constraint: [Member must have length less than or equal to 255, Member must "
               "have length greater than or equal to 3, Member must satisfy regular expression "
               "pattern: [a-zA-Z0-9_.-]+]; Value null at "
               "'requestItems.aa;.member.1.member.deleteRequest.key' failed to satisfy "
               "constraint: Member must not be null; Value null at "
               "'requestItems.aa;.member.1.member.putRequest.item' failed to satisfy "
               "constraint: Member must not be null",
               NULL);
    t_fini(&e);
}

/* API_BatchGetItem: Keys 1..100 inside a map value (paths "requestItems.<t>.member.keys"). */
Test(ddb_validate, batch_get_nested_lengths)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "BatchGetItem", "{'RequestItems':{'abc':{'Keys':[],'AttributesToGet':[]}}}"),
          "ValidationException",
          "2 validation errors detected: Value '[]' at 'requestItems.abc.member.keys' failed to "
          "satisfy constraint: Member must have length greater than or equal to 1; Value '[]' "
          "at 'requestItems.abc.member.attributesToGet' failed to satisfy constraint: Member "
          "must have length greater than or equal to 1");
    fails(call(&e, "BatchGetItem", "{'RequestItems':{'abc':{}}}"), "ValidationException",
          "1 validation error detected: Value null at 'requestItems.abc.member.keys' failed to "
          "satisfy constraint: Member must not be null");
    t_fini(&e);
}

/* API_Query: Select's enum in AWS's order, IndexName's length, Limit's range (dynalite
 * validations/query.js). */
Test(ddb_validate, query_enum_length_range)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "Query", "{'TableName':'abc','Select':'x','IndexName':'ab','Limit':0}"),
          "ValidationException",
          "3 validation errors detected: Value 'x' at 'select' failed to satisfy constraint: "
          "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
          "ALL_PROJECTED_ATTRIBUTES]; Value 'ab' at 'indexName' failed to satisfy constraint: "
          "Member must have length greater than or equal to 3; Value '0' at 'limit' failed to "
          "satisfy constraint: Member must have value greater than or equal to 1");
    fails(call(&e, "Query", "{'TableName':'abc','KeyConditions':{'a':{'ComparisonOperator':"
                            "'XX'}},'QueryFilter':{'b':{}}}"),
          "ValidationException",
          "2 validation errors detected: Value null at 'queryFilter.b.member.comparisonOperator' "
          "failed to satisfy constraint: Member must not be null; Value 'XX' at "
          "'keyConditions.a.member.comparisonOperator' failed to satisfy constraint: Member "
          "must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, "
          "NE, LE, BEGINS_WITH, GE, CONTAINS]");
    t_fini(&e);
}

/* API_Scan: Segment 0..999999, TotalSegments 1..1000000; JSON numbers read as Java ints:
 * floored, clamped to the type's range (JLS 5.1.3), and printed so. */
Test(ddb_validate, scan_ranges_and_integer_narrowing)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "Scan", "{'TableName':'abc','Segment':1000000,'TotalSegments':1000001}"),
          "ValidationException",
          "2 validation errors detected: Value '1000001' at 'totalSegments' failed to satisfy "
          "constraint: Member must have value less than or equal to 1000000; Value '1000000' at "
          "'segment' failed to satisfy constraint: Member must have value less than or equal to "
          "999999");
    fails(call(&e, "ListTables", "{'Limit':1e20}"), "ValidationException",
          "1 validation error detected: Value '2147483647' at 'limit' failed to satisfy "
          "constraint: Member must have value less than or equal to 100");
    fails(call(&e, "ListTables", "{'Limit':0.5}"), "ValidationException",
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1");
    ok(call(&e, "ListTables", "{'Limit':1.9}"));
    t_fini(&e);
}

/* API_PutItem: ConditionalOperator and ReturnValues enums in AWS's order; a map value's
 * members at "expected.<name>.member.x" (dynalite validations/putItem.js). */
Test(ddb_validate, put_item_enums_and_expected_paths)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "PutItem", "{'TableName':'abc','Item':{},'ReturnValues':'x',"
                              "'ConditionalOperator':'y','Expected':{'a':{'ComparisonOperator':"
                              "'Z'}}}"),
          "ValidationException",
          "3 validation errors detected: Value 'y' at 'conditionalOperator' failed to satisfy "
          "constraint: Member must satisfy enum value set: [OR, AND]; Value 'Z' at "
          "'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must "
          "satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, "
          "LE, BEGINS_WITH, GE, CONTAINS]; Value 'x' at 'returnValues' failed to satisfy "
          "constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, "
          "NONE, UPDATED_NEW]");
    fails(call(&e, "UpdateItem", "{'TableName':'abc','Key':{},'AttributeUpdates':{'a':"
                                 "{'Action':'X'}}}"),
          "ValidationException",
          "1 validation error detected: Value 'X' at 'attributeUpdates.a.member.action' failed "
          "to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
    t_fini(&e);
}

/* API_TransactWriteItems: TransactItems 1..100; ClientRequestToken 1..36 characters counted
 * in UTF-16 units as Java counts them (a supplementary character is two). */
Test(ddb_validate, transact_lengths_in_utf16_units)
{
    tenv e;
    t_init(&e);
    char req[512], emoji[19 * 4 + 1];
    for (int i = 0; i < 19; i++)
        memcpy(emoji + i * 4, "\xF0\x9F\x98\x80", 4);
    emoji[18 * 4] = '\0'; /* 18 characters: 36 units */
    snprintf(req, sizeof req, "{'TransactItems':[],'ClientRequestToken':'%s'}", emoji);
    fails(call(&e, "TransactWriteItems", req), "ValidationException",
          "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
          "constraint: Member must have length greater than or equal to 1");
    memcpy(emoji + 18 * 4, "\xF0\x9F\x98\x80", 4);
    emoji[19 * 4] = '\0'; /* 19 characters: 38 units */
    snprintf(req, sizeof req, "{'TransactItems':[],'ClientRequestToken':'%s'}", emoji);
    sim_reply *r = call(&e, "TransactWriteItems", req);
    fails_with(r, "2 validation errors detected: Value '[]' at 'transactItems'",
               "at 'clientRequestToken' failed to satisfy constraint: Member must have length "
               "less than or equal to 36",
               NULL);
    fails(call(&e, "TransactGetItems", "{'TransactItems':[{'Get':{}}]}"), "ValidationException",
          "2 validation errors detected: Value null at 'transactItems.1.member.get.key' failed "
          "to satisfy constraint: Member must not be null; Value null at "
          "'transactItems.1.member.get.tableName' failed to satisfy constraint: Member must not "
          "be null");
    t_fini(&e);
}

/* API_UpdateTable and the TTL operations: TableName first and apart; nested GSI update
 * paths (dynalite test/updateTable.js, test/updateTimeToLive.js, test/describeTable.js). */
Test(ddb_validate, update_table_and_ttl)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "UpdateTable", "{}"), "ValidationException", TN_REQUIRED);
    fails(call(&e, "UpdateTimeToLive", "{'TableName':''}"), "ValidationException", TN_LENGTH);
    fails(call(&e, "DeleteTable", "{'TableName':'abc;'}"), "ValidationException",
          "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    fails(call(&e, "UpdateTable", "{'TableName':'abc','GlobalSecondaryIndexUpdates':"
                                  "[{'Delete':{}},{'Update':{'IndexName':'abc'}}]}"),
          "ValidationException",
          "2 validation errors detected: Value null at "
          "'globalSecondaryIndexUpdates.1.member.delete.indexName' failed to satisfy "
          "constraint: Member must not be null; Value null at "
          "'globalSecondaryIndexUpdates.2.member.update.provisionedThroughput' failed to "
          "satisfy constraint: Member must not be null");
    t_fini(&e);
}

/* The tag operations word their constraints themselves; their JSON types are still checked
 * (dynalite validations/tagResource.js, test/tagResource.js). */
Test(ddb_validate, tag_operations_check_types_only)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "TagResource", "{'Tags':5}"), "SerializationException",
          "Unexpected field type");
    fails(call(&e, "TagResource", "{'Tags':[{'Key':true}]}"), "SerializationException",
          "TRUE_VALUE cannot be converted to String");
    fails(call(&e, "UntagResource", "{'TagKeys':[[]]}"), "SerializationException",
          "Unrecognized collection type class java.lang.String");
    const ddb_op_model *m = ddb_model_op("TagResource");
    sim_reply r;
    sim_reply_init(&r);
    cJSON *req = js("{'ResourceArn':'','Tags':[{'Key':'','Value':'v'}]}");
    cr_assert_eq(ddb_validate(m, req, &r), 0); /* no generic length errors */
    cr_assert_eq(r.status, 200);
    cJSON_Delete(req);
    sim_reply_release(&r);
    t_fini(&e);
}

/* A Boolean sent as a string AWS's parser reads ("YES", "no", "1") is that Boolean, in an
 * AttributeValue too: NULL "no" is false, hence AWS's "Null attribute value types must have
 * the value of true" (dynalite validations/index.js checkTypes; test/batchGetItem.js). */
Test(ddb_validate, string_booleans_are_read_as_booleans)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'k','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'k','KeyType':'HASH'}],'BillingMode':"
            "'PAY_PER_REQUEST'}"));
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'k':{'S':'a'},'b':{'BOOL':'Yes'},"
                           "'n':{'NULL':'TRUE'}}}"));
    sim_reply *r = call(&e, "GetItem", "{'TableName':'tbl','Key':{'k':{'S':'a'}},"
                                       "'ConsistentRead':'1'}");
    ok(r);
    json_eq(r->body, "{'Item':{'k':{'S':'a'},'b':{'BOOL':true},'n':{'NULL':true}}}");
    fails(call(&e, "GetItem", "{'TableName':'tbl','Key':{'k':{'NULL':'no'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Null attribute value types must have the "
          "value of true");
    /* the coerced copy is the request's: the caller's tree is untouched */
    const ddb_op_model *m = ddb_model_op("GetItem");
    cJSON *req = js("{'TableName':'tbl','Key':{},'ConsistentRead':'false'}");
    sim_reply r2;
    sim_reply_init(&r2);
    cr_assert_eq(ddb_validate(m, req, &r2), DDB_VALIDATE_COERCE);
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(req, "ConsistentRead")));
    cr_assert_eq(ddb_validate_coerce(m, req), 0);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(req, "ConsistentRead")));
    cJSON_Delete(req);
    sim_reply_release(&r2);
    t_fini(&e);
}

/* API_Query: eleven errors, ten listed in AWS's member order, the last one dropped
 * (dynalite test/query.js "incorrect attributes", validations/query.js). */
Test(ddb_validate, query_eleven_errors_ten_listed)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "Query",
               "{'TableName':'abc;','ReturnConsumedCapacity':'hi','AttributesToGet':[],"
               "'IndexName':'abc;','Select':'hi','Limit':-1,'KeyConditions':{'a':{},'b':"
               "{'ComparisonOperator':''}},'ConditionalOperator':'AN','QueryFilter':{'a':{},"
               "'b':{'ComparisonOperator':''}}}"),
          "ValidationException",
          "10 validation errors detected: Value 'hi' at 'select' failed to satisfy constraint: "
          "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
          "ALL_PROJECTED_ATTRIBUTES]; Value 'abc;' at 'indexName' failed to satisfy constraint: "
          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'hi' at "
          "'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value "
          "set: [INDEXES, TOTAL, NONE]; Value null at 'queryFilter.a.member.comparisonOperator' "
          "failed to satisfy constraint: Member must not be null; Value '' at "
          "'queryFilter.b.member.comparisonOperator' failed to satisfy constraint: Member must "
          "satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, "
          "LE, BEGINS_WITH, GE, CONTAINS]; Value 'abc;' at 'tableName' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value "
          "'AN' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum "
          "value set: [OR, AND]; Value '[]' at 'attributesToGet' failed to satisfy constraint: "
          "Member must have length greater than or equal to 1; Value '-1' at 'limit' failed to "
          "satisfy constraint: Member must have value greater than or equal to 1; Value null at "
          "'keyConditions.a.member.comparisonOperator' failed to satisfy constraint: Member "
          "must not be null");
    t_fini(&e);
}

/* API_CreateTable: nine empty LocalSecondaryIndexes give 27 missing members, ten listed
 * (dynalite test/createTable.js "more than five empty LocalSecondaryIndexes"). */
Test(ddb_validate, create_table_empty_indexes_capped)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "CreateTable",
                        "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a',"
                        "'AttributeType':'S'},{'AttributeName':'b','AttributeType':'S'}],"
                        "'KeySchema':[{'KeyType':'HASH','AttributeName':'a'},{'KeyType':'RANGE',"
                        "'AttributeName':'b'}],'LocalSecondaryIndexes':[{},{},{},{},{},{},{},{},"
                        "{}],'ProvisionedThroughput':{'ReadCapacityUnits':1,"
                        "'WriteCapacityUnits':1}}");
    fails_with(r, "10 validation errors detected: ",
               "Value null at 'localSecondaryIndexes.1.member.indexName' failed to satisfy "
               "constraint: Member must not be null; Value null at "
               "'localSecondaryIndexes.1.member.keySchema' failed",
               "Value null at 'localSecondaryIndexes.3.member.projection' failed",
               "Value null at 'localSecondaryIndexes.4.member.indexName' failed to satisfy "
               "constraint: Member must not be null",
               NULL);
    cr_assert_null(strstr(r->message, "localSecondaryIndexes.4.member.keySchema"));
    t_fini(&e);
}

/* ---- repeated member names, absent ResourceArn, the readers' safety net ---- */

#define T_HASH                                                                             \
    "{'TableName':'dups','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'}]," \
    "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],"                                  \
    "'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':5}}"

/* A request naming a member twice in one object: the last one stands, as AWS's JSON
 * protocol parser (Jackson, whose default binds a repeated name's last value) reads it;
 * RFC 8259 section 4 leaves repeated names to the receiver and the DynamoDB API reference
 * documents no error for them. Above all an item never holds one attribute twice (it did:
 * GetItem answered {"b":{"S":"1"},"b":{"N":"2"}}). */
Test(ddb_validate, repeated_member_names_last_one_stands)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", T_HASH));
    ok(call(&e, "PutItem", "{'TableName':'dups','Item':{'a':{'S':'x'},'b':{'S':'1'},"
                           "'b':{'N':'2'}}}"));
    sim_reply *r = call(&e, "GetItem", "{'TableName':'dups','Key':{'a':{'S':'x'}}}");
    ok(r);
    const cJSON *item = at(r->body, "Item");
    cr_assert_not_null(item);
    cr_assert_eq(cJSON_GetArraySize(item), 2, "one attribute b, not two");
    json_eq(item, "{'a':{'S':'x'},'b':{'N':'2'}}");
    /* inside an AttributeValue: {"S":"x","S":"z"} is {"S":"z"}, one data type */
    ok(call(&e, "PutItem", "{'TableName':'dups','Item':{'a':{'S':'x','S':'z'}}}"));
    r = call(&e, "GetItem", "{'TableName':'dups','Key':{'a':{'S':'z'}}}");
    ok(r);
    json_eq(at(r->body, "Item"), "{'a':{'S':'z'}}");
    /* a top-level member: the later TableName is the one used */
    ok(call(&e, "PutItem", "{'TableName':'nope','TableName':'dups','Item':{'a':{'S':'y'}}}"));
    r = call(&e, "GetItem", "{'TableName':'dups','Key':{'a':{'S':'y'}}}");
    ok(r);
    json_eq(at(r->body, "Item"), "{'a':{'S':'y'}}");
    /* and the validator sees the deduplicated request: the later, wrong type is reported */
    fails(call(&e, "GetItem", "{'TableName':'dups','TableName':5,'Key':{'a':{'S':'y'}}}"),
          "SerializationException", "NUMBER_VALUE cannot be converted to String");
    t_fini(&e);
}

/* ddb_json_has_dup_keys / ddb_json_dedupe_keys: small objects (pairwise) and large ones
 * (sorted), nested in lists and objects; the last of each name stays, in place. */
Test(ddb_validate, dedupe_keys_keeps_the_last)
{
    cJSON *plain = js("{'a':1,'b':[{'c':1,'d':2}],'e':{'f':{'g':1}}}");
    cr_assert_eq(ddb_json_has_dup_keys(plain), 0);
    cr_assert_eq(ddb_json_dedupe_keys(plain), 0);
    cJSON_Delete(plain);

    cJSON *small = js("{'a':1,'l':[{'x':1,'y':2,'x':3}],'a':2}");
    cr_assert_eq(ddb_json_has_dup_keys(small), 1);
    cr_assert_eq(ddb_json_dedupe_keys(small), 2);
    cr_assert_eq(ddb_json_has_dup_keys(small), 0);
    char *text = cJSON_PrintUnformatted(small);
    cr_assert_str_eq(text, "{\"l\":[{\"y\":2,\"x\":3}],\"a\":2}");
    cJSON_free(text);
    cJSON_Delete(small);

    /* 40 members, "m3" again at the end and "m7" three times: the sorted path */
    cJSON *big = cJSON_CreateObject();
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        cJSON_AddNumberToObject(big, name, i);
    }
    cJSON_AddNumberToObject(big, "m3", 100);
    cJSON_AddNumberToObject(big, "m7", 101);
    cJSON_AddNumberToObject(big, "m7", 102);
    cJSON *outer = cJSON_CreateObject();
    cJSON_AddItemToObject(outer, "deep", big);
    cr_assert_eq(ddb_json_has_dup_keys(outer), 1);
    cr_assert_eq(ddb_json_dedupe_keys(outer), 3);
    cr_assert_eq(ddb_json_has_dup_keys(outer), 0);
    cr_assert_eq(cJSON_GetArraySize(big), 40);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(big, "m3")->valuedouble, 100);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(big, "m7")->valuedouble, 102);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(big, "m8")->valuedouble, 8);
    cJSON_Delete(outer);
    cr_assert_eq(ddb_json_has_dup_keys(NULL), 0);
}

/* The tag operations without a ResourceArn (absent or JSON null) answer "Invalid TableArn"
 * before any other member's error: dynalite's test/tagResource.js and
 * test/untagResource.js "should return ValidationException for no ResourceArn" ({}),
 * recorded against DynamoDB; validations/listTagsOfResource.js does the same for
 * ListTagsOfResource. */
Test(ddb_validate, tag_operations_absent_arn)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "TagResource", "{}"), "ValidationException", "Invalid TableArn");
    fails(call(&e, "UntagResource", "{}"), "ValidationException", "Invalid TableArn");
    fails(call(&e, "ListTagsOfResource", "{}"), "ValidationException", "Invalid TableArn");
    fails(call(&e, "ListTagsOfResource", "{'ResourceArn':null}"), "ValidationException",
          "Invalid TableArn");
    fails(call(&e, "TagResource", "{'ResourceArn':null,'Tags':[{'Key':'','Value':'v'}]}"),
          "ValidationException", "Invalid TableArn");
    /* JSON types still come first (SerializationException) */
    fails(call(&e, "UntagResource", "{'TagKeys':5}"), "SerializationException",
          "Unexpected field type");
    t_fini(&e);
}

/* The request readers after the validator (ddb_int.h ddb__req_*) word a wrong JSON type as
 * the validator does, AWS's SerializationException messages (dynalite test/helpers.js
 * assertType), no longer the older "class java.lang.Short can not be converted to an
 * String". */
Test(ddb_validate, readers_word_type_errors_as_aws)
{
    static const struct {
        const char *req, *kind, *msg;
    } cases[] = {
        { "{'m':5}", "str", "NUMBER_VALUE cannot be converted to String" },
        { "{'m':1.5}", "str", "DECIMAL_VALUE cannot be converted to String" },
        { "{'m':false}", "str", "FALSE_VALUE cannot be converted to String" },
        { "{'m':[]}", "str", "Unrecognized collection type class java.lang.String" },
        { "{'m':{}}", "str", "Start of structure or map found where not expected" },
        { "{'m':'x'}", "int", "STRING_VALUE cannot be converted to Integer" },
        { "{'m':true}", "int", "TRUE_VALUE cannot be converted to Integer" },
        { "{'m':2}", "bool", "NUMBER_VALUE cannot be converted to Boolean" },
        { "{'m':2.5}", "bool", "DECIMAL_VALUE cannot be converted to Boolean" },
        { "{'m':'yes'}", "bool", "Unexpected token received from parser" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_reply r;
        sim_reply_init(&r);
        cJSON *req = js(cases[i].req);
        const char *s = NULL;
        int64_t n = 0;
        int b = 0;
        int rc = strcmp(cases[i].kind, "str") == 0   ? ddb__req_str(req, "m", &s, &r)
                 : strcmp(cases[i].kind, "int") == 0 ? ddb__req_int(req, "m", "Integer", &n, NULL, &r)
                                                     : ddb__req_bool(req, "m", &b, &r);
        cr_assert_eq(rc, -1, "%s", cases[i].req);
        cr_assert_str_eq(r.code, "SerializationException");
        cr_assert_str_eq(r.message, cases[i].msg, "%s", cases[i].req);
        cJSON_Delete(req);
        sim_reply_release(&r);
    }
}

/* The attribute values of Key, Item and ExclusiveStartKey are checked with the request, before
 * the table is looked up: on a table that does not exist DynamoDB answers the value's error,
 * not ResourceNotFoundException (dynalite test/getItem.js, recorded against DynamoDB with the
 * absent table "abc": "should return ValidationException for empty key type", "... for
 * duplicate string in set", "... if key has incorrect numeric type", ...; the same custom
 * checks in validations/putItem.js, deleteItem.js, updateItem.js, query.js, scan.js). */
Test(ddb_validate, get_item_values_before_table)
{
    static const struct {
        const char *op, *req, *msg;
    } cases[] = {
        { "GetItem", "{'TableName':'abc','Key':{'a':{}}}",
          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes" },
        { "GetItem", "{'TableName':'abc','Key':{'a':{'a':''}}}",
          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes" },
        { "GetItem", "{'TableName':'abc','Key':{'a':{'NULL':false}}}",
          "One or more parameter values were invalid: Null attribute value types must have the "
          "value of true" },
        { "GetItem", "{'TableName':'abc','Key':{'a':{'SS':[]}}}",
          "One or more parameter values were invalid: An string set  may not be empty" },
        { "GetItem", "{'TableName':'abc','Key':{'a':{'SS':['a','a']}}}",
          "One or more parameter values were invalid: Input collection [a, a] contains "
          "duplicates." },
        { "GetItem", "{'TableName':'abc','Key':{'a':{'NS':['1','1']}}}",
          "Input collection contains duplicates" },
        { "GetItem", "{'TableName':'abc','Key':{'a':{'S':'a','N':'1'}}}",
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
          "the supported datatypes" },
        { "GetItem", "{'TableName':'abc','Key':{'a':{'N':'b'}}}",
          "The parameter cannot be converted to a numeric value: b" },
        { "GetItem", "{'TableName':'aaa','Key':{'a':{'N':'1e126'}}}",
          "Number overflow. Attempting to store a number with magnitude larger than supported "
          "range" },
        { "GetItem", "{'TableName':'aaa','Key':{'a':{'N':'-1e-131'}}}",
          "Number underflow. Attempting to store a number with magnitude smaller than supported "
          "range" },
        { "PutItem", "{'TableName':'abc','Item':{'a':{'N':'b'}}}",
          "The parameter cannot be converted to a numeric value: b" },
        { "DeleteItem", "{'TableName':'abc','Key':{'a':{}}}",
          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes" },
        { "UpdateItem", "{'TableName':'abc','Key':{'a':{'N':'123456789012345678901234567890123456789'}}}",
          "Attempting to store more than 38 significant digits in a Number" },
        /* ExclusiveStartKey: "The provided starting key is invalid: " before most messages,
         * not before duplicates or number errors (dynalite validations/query.js, scan.js) */
        { "Scan", "{'TableName':'abc','ExclusiveStartKey':{'a':{}}}",
          "The provided starting key is invalid: Supplied AttributeValue is empty, must contain "
          "exactly one of the supported datatypes" },
        { "Scan", "{'TableName':'abc','ExclusiveStartKey':{'a':{'N':'b'}}}",
          "The parameter cannot be converted to a numeric value: b" },
        { "Query", "{'TableName':'abc','ExclusiveStartKey':{'a':{'SS':['a','a']}}}",
          "One or more parameter values were invalid: Input collection [a, a] contains "
          "duplicates." },
        { "Query", "{'TableName':'abc','ExclusiveStartKey':{'a':{'NULL':false}}}",
          "The provided starting key is invalid: One or more parameter values were invalid: Null "
          "attribute value types must have the value of true" },
    };
    tenv e;
    t_init(&e);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fails(call(&e, cases[i].op, cases[i].req), "ValidationException", cases[i].msg);
    /* a valid key on the absent table is still ResourceNotFoundException */
    fails(call(&e, "GetItem", "{'TableName':'abc','Key':{'a':{'S':'x'}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    /* PutItem: ReturnValues before the condition expression (dynalite validations/putItem.js) */
    fails(call(&e, "PutItem", "{'TableName':'abc','Item':{'a':{'S':'x'}},'ReturnValues':'ALL_NEW',"
                              "'ConditionExpression':'a ='}"),
          "ValidationException", "ReturnValues can only be ALL_OLD or NONE");
    t_fini(&e);
}

/* ExpressionAttributeValues with only legacy (non-expression) parameters names the
 * expressions it would need, as with none at all: "...: FilterExpression is null" (dynalite
 * test/scan.js "should return ValidationException if ExpressionAttributeValues but no
 * FilterExpression", with ScanFilter present; validations/index.js validateExpressionParams
 * gives the other operations' lists). */
Test(ddb_validate, legacy_request_with_values_names_expressions)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "Scan", "{'TableName':'abc','ScanFilter':{'a':{'ComparisonOperator':'EQ',"
                           "'AttributeValueList':[{'S':'x'}]}},'ExpressionAttributeValues':{}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "FilterExpression is null");
    fails(call(&e, "Query", "{'TableName':'abc','KeyConditions':{'a':{'ComparisonOperator':'EQ',"
                            "'AttributeValueList':[{'S':'x'}]}},'ExpressionAttributeValues':{}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "FilterExpression and KeyConditionExpression are null");
    fails(call(&e, "PutItem", "{'TableName':'abc','Item':{'a':{'S':'x'}},"
                              "'Expected':{'a':{'Exists':false}},'ExpressionAttributeValues':{}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "ConditionExpression is null");
    fails(call(&e, "UpdateItem", "{'TableName':'abc','Key':{'a':{'S':'x'}},"
                                 "'AttributeUpdates':{'b':{'Action':'DELETE'}},"
                                 "'ExpressionAttributeValues':{}}"),
          "ValidationException",
          "ExpressionAttributeValues can only be specified when using expressions: "
          "UpdateExpression and ConditionExpression are null");
    t_fini(&e);
}

/* Query's KeyConditions: each condition's arguments, then their number ("Conditions can be of
 * length 1 or 2 only", an empty map included), before whether each is indexable (dynalite
 * validations/query.js validateConditions then the count; test/query.js "should return
 * ValidationException for empty conditions" / "for too many conditions", against DynamoDB). */
Test(ddb_validate, query_key_conditions_count_before_indexable)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "Query", "{'TableName':'abc','KeyConditions':{}}"), "ValidationException",
          "Conditions can be of length 1 or 2 only");
    fails(call(&e, "Query", "{'TableName':'abc','ExclusiveStartKey':{},'KeyConditions':{"
                            "'a':{'ComparisonOperator':'NULL'},'b':{'ComparisonOperator':'NULL'},"
                            "'c':{'ComparisonOperator':'NULL'}}}"),
          "ValidationException", "Conditions can be of length 1 or 2 only");
    /* the arguments come first: EQ without one, among three conditions */
    fails(call(&e, "Query", "{'TableName':'abc','KeyConditions':{'a':{'ComparisonOperator':'EQ'},"
                            "'b':{'ComparisonOperator':'NULL'},'c':{'ComparisonOperator':'NULL'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
          "ComparisonOperator");
    /* one or two conditions: the indexable check stays */
    fails(call(&e, "Query", "{'TableName':'abc','KeyConditions':{'a':{'ComparisonOperator':'NULL'}}}"),
          "ValidationException", "Attempted conditional constraint is not an indexable operation");
    t_fini(&e);
}

/* Checked with the request, before the table is looked up (so answered on a table that does
 * not exist): BatchGetItem's repeated key ("Provided list of item keys contains duplicates",
 * dynalite validations/batchGetItem.js) and UpdateItem's AttributeUpdates DELETE with a value
 * that is not a set ("DELETE action with value is not supported for the type S", dynalite
 * validations/updateItem.js; API_AttributeValueUpdate: DELETE with a value removes from a
 * set). */
Test(ddb_validate, batch_get_duplicates_and_legacy_delete_before_table)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "BatchGetItem", "{'RequestItems':{'abc':{'Keys':[{'a':{'S':'a'}},"
                                   "{'a':{'S':'b'}},{'a':{'S':'a'}}]}}}"),
          "ValidationException", "Provided list of item keys contains duplicates");
    /* equal by value: N 1 and 1.0 */
    fails(call(&e, "BatchGetItem", "{'RequestItems':{'abc':{'Keys':[{'a':{'N':'1'}},"
                                   "{'a':{'N':'1.0'}}]}}}"),
          "ValidationException", "Provided list of item keys contains duplicates");
    fails(call(&e, "BatchGetItem", "{'RequestItems':{'abc':{'Keys':[{'a':{'S':'a'}},"
                                   "{'a':{'S':'b'}}]}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    fails(call(&e, "UpdateItem", "{'TableName':'abc','Key':{'a':{'S':'a'}},"
                                 "'AttributeUpdates':{'b':{'Action':'DELETE','Value':{'S':'a'}}}}"),
          "ValidationException",
          "One or more parameter values were invalid: DELETE action with value is not supported "
          "for the type S");
    fails(call(&e, "UpdateItem", "{'TableName':'abc','Key':{'a':{'S':'a'}},"
                                 "'AttributeUpdates':{'b':{'Action':'DELETE','Value':{'SS':['a']}}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}
