/* test_ddb_lsi.c - local secondary indexes: CreateTable validation, maintenance
 * on writes, Query/Scan with IndexName (strongly consistent reads allowed,
 * attributes not projected read from the table), DescribeTable's
 * LocalSecondaryIndexes, capacity charged to the table. Sources: DynamoDB API
 * reference API_CreateTable (LocalSecondaryIndexes: "at most 5", "same
 * partition key as the table"), API_LocalSecondaryIndexDescription, API_Query
 * (ConsistentRead: "Strongly consistent reads are not supported on global
 * secondary indexes"); developer guide "LSI" (LSI.Projections,
 * LSI.ThroughputConsiderations); CreateTable messages as dynalite's
 * validations/createTable.js records them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

#define DEFS                                                                \
    "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},{'" \
    "AttributeName':"                                                       \
    "'sk','AttributeType':'S'},{'AttributeName':'ts','AttributeType':'N'}]"
#define KS                                                                       \
    "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk'" \
    ",'KeyType':'RANGE'}]"
#define LKS                                                                      \
    "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'ts'" \
    ",'KeyType':'RANGE'}]"

/* Table 'lsit' with LSIs by-ts (KEYS_ONLY) and by-ts-all (ALL), provisioned
 * 5/5. */
static void mk(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'lsit'," DEFS "," KS ",'LocalSecondaryIndexes':["
            "{'IndexName':'by-ts'," LKS ",'Projection':{'ProjectionType':'KEYS_ONLY'}},"
            "{'IndexName':'by-ts-all'," LKS ",'Projection':{'ProjectionType':'ALL'}}],"
            "'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':"
            "5}}"));
}

static void put(tenv *e, const char *sk, const char *ts)
{
    char req[256];
    snprintf(req, sizeof req,
             "{'TableName':'lsit','Item':{'pk':{'S':'u'},'sk':{'S':'%s'},'ts':{'"
             "N':'%s'},"
             "'body':{'S':'b%s'}}}",
             sk, ts, sk);
    ok(call(e, "PutItem", req));
}

/* The sk values of the reply's Items, joined with ','. */
static void sks(const sim_reply *r, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, at(r->body, "Items"))
    {
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "", str_at(it, "sk.S"));
    }
}

/* Query by the LSI sort key, maintained on put, update and delete (developer
 * guide "LSI"). */
Test(ddb_lsi, query_orders_by_index_sort_key_and_follows_writes)
{
    tenv e;
    t_init(&e);
    mk(&e);
    put(&e, "a", "30");
    put(&e, "b", "10");
    put(&e, "c", "20");
    ok(call(&e, "PutItem", "{'TableName':'lsit','Item':{'pk':{'S':'u'},'sk':{'S':'d'}}}"));
    char buf[64];
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'lsit','IndexName':'by-ts','KeyConditionExpression':"
                        "'pk = :p AND ts > :t','ExpressionAttributeValues':{':p':{'S':'u'},"
                        "':t':{'N':'5'}}}");
    ok(r);
    sks(r, buf, sizeof buf);
    cr_assert_str_eq(buf, "b,c,a");
    json_eq(at(r->body, "Items.0"), "{'pk':{'S':'u'},'sk':{'S':'b'},'ts':{'N':'10'}}");
    ok(call(&e, "UpdateItem",
            "{'TableName':'lsit','Key':{'pk':{'S':'u'},'sk':{'S':'b'}},'"
            "UpdateExpression':"
            "'SET ts = :t','ExpressionAttributeValues':{':t':{'N':'40'}}}"));
    ok(call(&e, "DeleteItem", "{'TableName':'lsit','Key':{'pk':{'S':'u'},'sk':{'S':'c'}}}"));
    r = call(&e, "Query",
             "{'TableName':'lsit','IndexName':'by-ts-all','ConsistentRead':true,"
             "'ScanIndexForward':false,'KeyConditionExpression':'pk = :p',"
             "'ExpressionAttributeValues':{':p':{'S':'u'}}}");
    ok(r);
    sks(r, buf, sizeof buf);
    cr_assert_str_eq(buf, "b,a");
    json_eq(at(r->body, "Items.0"),
            "{'pk':{'S':'u'},'sk':{'S':'b'},'ts':{'N':'40'},'body':{'S':'bb'}}");
    r = call(&e, "Scan", "{'TableName':'lsit','IndexName':'by-ts','ConsistentRead':true}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 2);
    t_fini(&e);
}

/* An LSI reads attributes it does not project from the table: Select
 * ALL_ATTRIBUTES is allowed (developer guide, LSI.Projections: "DynamoDB
 * fetches the entire item"). */
Test(ddb_lsi, all_attributes_fetched_from_table)
{
    tenv e;
    t_init(&e);
    mk(&e);
    put(&e, "a", "1");
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'lsit','IndexName':'by-ts','Select':'ALL_ATTRIBUTES',"
                        "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':"
                        "{':p':{'S':'u'}}}");
    ok(r);
    json_eq(at(r->body, "Items"),
            "[{'pk':{'S':'u'},'sk':{'S':'a'},'ts':{'N':'1'},'body':{'S':'ba'}}]");
    r = call(&e, "Query",
             "{'TableName':'lsit','IndexName':'by-ts','ProjectionExpression':'body',"
             "'KeyConditionExpression':'pk = "
             ":p','ExpressionAttributeValues':{':p':{'S':'u'}}}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'body':{'S':'ba'}}]");
    r = call(&e, "Query",
             "{'TableName':'lsit','IndexName':'by-ts','Select':'ALL_PROJECTED_"
             "ATTRIBUTES',"
             "'KeyConditionExpression':'pk = "
             ":p','ExpressionAttributeValues':{':p':{'S':'u'}}}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'pk':{'S':'u'},'sk':{'S':'a'},'ts':{'N':'1'}}]");
    t_fini(&e);
}

/* DescribeTable: LocalSecondaryIndexes with IndexName, KeySchema, Projection,
 * IndexSizeBytes, ItemCount, IndexArn (API_LocalSecondaryIndexDescription). */
Test(ddb_lsi, describe_table_lists_lsis)
{
    tenv e;
    t_init(&e);
    mk(&e);
    put(&e, "a", "1");
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'lsit'}");
    ok(r);
    cr_assert_null(at(r->body, "Table.GlobalSecondaryIndexes"));
    json_eq(at(r->body, "Table.LocalSecondaryIndexes.0"),
            "{'IndexName':'by-ts','KeySchema':[{'AttributeName':'pk','KeyType':'"
            "HASH'},"
            "{'AttributeName':'ts','KeyType':'RANGE'}],'Projection':{'"
            "ProjectionType':"
            "'KEYS_ONLY'},'IndexSizeBytes':10,'ItemCount':1,'IndexArn':"
            "'arn:aws:dynamodb:us-west-2:123456789012:table/lsit/index/by-ts'}");
    cr_assert_str_eq(str_at(r->body, "Table.LocalSecondaryIndexes.1.IndexName"), "by-ts-all");
    cr_assert_eq(num_at(r->body, "Table.LocalSecondaryIndexes.1.IndexSizeBytes"),
                 num_at(r->body, "Table.TableSizeBytes"));
    t_fini(&e);
}

/* LSI writes and reads consume the table's capacity, reported under
 * LocalSecondaryIndexes (developer guide LSI.ThroughputConsiderations;
 * API_ConsumedCapacity). */
Test(ddb_lsi, capacity_charged_to_table)
{
    tenv e;
    t_init(&e);
    mk(&e);
    sim_reply *r = call(&e, "PutItem",
                        "{'TableName':'lsit','Item':{'pk':{'S':'u'},'sk':{'S':'a'},'ts':"
                        "{'N':'1'}},'ReturnConsumedCapacity':'INDEXES'}");
    ok(r);
    json_eq(at(r->body, "ConsumedCapacity"),
            "{'TableName':'lsit','CapacityUnits':3,'Table':{'CapacityUnits':1},"
            "'LocalSecondaryIndexes':{'by-ts':{'CapacityUnits':1},'by-ts-all':"
            "{'CapacityUnits':1}}}");
    r = call(&e, "Query",
             "{'TableName':'lsit','IndexName':'by-ts','ConsistentRead':true,"
             "'ReturnConsumedCapacity':'INDEXES','KeyConditionExpression':'pk = :p',"
             "'ExpressionAttributeValues':{':p':{'S':'u'}}}");
    ok(r);
    json_eq(at(r->body, "ConsumedCapacity"),
            "{'TableName':'lsit','CapacityUnits':1,'Table':{'CapacityUnits':0},"
            "'LocalSecondaryIndexes':{'by-ts':{'CapacityUnits':1}}}");
    t_fini(&e);
}

/* Key type checks reach the LSI sort key too (dynalite db/index.js,
 * validateKeyPaths). */
Test(ddb_lsi, wrong_index_key_type_refused)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "PutItem",
               "{'TableName':'lsit','Item':{'pk':{'S':'u'},'sk':{'S':'a'},'ts':{'"
               "S':'x'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Type mismatch for Index "
          "Key ts Expected: N "
          "Actual: S IndexName: by-ts-all");
    t_fini(&e);
}

#define BAD(lsis, msg)                                                            \
    fails(call(&e, "CreateTable",                                                 \
               "{'TableName':'bad'," DEFS "," KS ",'LocalSecondaryIndexes':" lsis \
               ",'BillingMode':'PAY_PER_REQUEST'}"),                              \
          "ValidationException", msg)

/* CreateTable LocalSecondaryIndexes checks (dynalite
 * validations/createTable.js). */
Test(ddb_lsi, create_table_validation)
{
    tenv e;
    t_init(&e);
    BAD("[]", "One or more parameter values were invalid: List of "
              "LocalSecondaryIndexes is empty");
    BAD("[{'IndexName':'ix1','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}"
        "],"
        "'Projection':{'ProjectionType':'ALL'}}]",
        "One or more parameter values were invalid: Index KeySchema does not "
        "have a range key "
        "for index: ix1");
    BAD("[{'IndexName':'ix1','KeySchema':[{'AttributeName':'ts','KeyType':'HASH'}"
        ","
        "{'AttributeName':'sk','KeyType':'RANGE'}],'Projection':{'ProjectionType'"
        ":'ALL'}}]",
        "One or more parameter values were invalid: Index KeySchema does not "
        "have the same "
        "leading hash key as table KeySchema for index: ix1. index hash key: ts, "
        "table hash "
        "key: pk");
    BAD("[{'IndexName':'ix1','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}"
        ","
        "{'AttributeName':'zz','KeyType':'RANGE'}],'Projection':{'ProjectionType'"
        ":'ALL'}}]",
        "One or more parameter values were invalid: Some index key attributes "
        "are not defined "
        "in AttributeDefinitions. Keys: [pk, zz], AttributeDefinitions: [pk, sk, "
        "ts]");
    BAD("[{'IndexName':'ix1'," LKS ",'Projection':{'ProjectionType':'ALL',"
        "'NonKeyAttributes':['a']}}]",
        "One or more parameter values were invalid: ProjectionType is ALL, but "
        "NonKeyAttributes "
        "is specified");
    BAD("[{'IndexName':'ix1'," LKS ",'Projection':{}}]",
        "One or more parameter values were invalid: Unknown ProjectionType: "
        "null");
    BAD("[{'IndexName':'ix1'," LKS ",'Projection':{'ProjectionType':'ALL'}},"
        "{'IndexName':'ix1'," LKS ",'Projection':{'ProjectionType':'ALL'}}]",
        "One or more parameter values were invalid: Duplicate index name: ix1");
    BAD("[{'IndexName':'ix1'," LKS ",'Projection':{'ProjectionType':'ALL'}},"
        "{'IndexName':'ix2'," LKS ",'Projection':{'ProjectionType':'ALL'}},"
        "{'IndexName':'ix3'," LKS ",'Projection':{'ProjectionType':'ALL'}},"
        "{'IndexName':'ix4'," LKS ",'Projection':{'ProjectionType':'ALL'}},"
        "{'IndexName':'ix5'," LKS ",'Projection':{'ProjectionType':'ALL'}},"
        "{'IndexName':'ix6'," LKS ",'Projection':{'ProjectionType':'ALL'}}]",
        "One or more parameter values were invalid: Number of "
        "LocalSecondaryIndexes exceeds "
        "per-table limit of 5");
    fails(call(&e, "CreateTable",
               "{'TableName':'bad','AttributeDefinitions':[{'AttributeName':'pk',"
               "'AttributeType':"
               "'S'},{'AttributeName':'ts','AttributeType':'N'}],'KeySchema':[{'"
               "AttributeName':"
               "'pk','KeyType':'HASH'}],'LocalSecondaryIndexes':[{'IndexName':'"
               "ix1'," LKS ",'Projection':{'ProjectionType':'ALL'}}],'"
               "BillingMode':'PAY_PER_REQUEST'}"),
          "ValidationException",
          "One or more parameter values were invalid: Table KeySchema does not "
          "have a range key, "
          "which is required when specifying a LocalSecondaryIndex");
    fails(call(&e, "CreateTable",
               "{'TableName':'bad'," DEFS "," KS ",'LocalSecondaryIndexes':[{'IndexName':'ix'," LKS
               ",'Projection':{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_"
               "REQUEST'}"),
          "ValidationException",
          "1 validation error detected: Value 'ix' at "
          "'localSecondaryIndexes.1.member.indexName' "
          "failed to satisfy constraint: Member must have length greater than or "
          "equal to 3");
    /* the same name as a GSI is a duplicate too */
    fails(call(&e, "CreateTable",
               "{'TableName':'bad'," DEFS "," KS ",'LocalSecondaryIndexes':[{'IndexName':'ix1'," LKS
               ",'Projection':{'ProjectionType':'ALL'}}],'GlobalSecondaryIndexes'"
               ":[{'IndexName':"
               "'ix1','KeySchema':[{'AttributeName':'ts','KeyType':'HASH'}],'"
               "Projection':"
               "{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'}"),
          "ValidationException",
          "One or more parameter values were invalid: Duplicate index name: ix1");
    t_fini(&e);
}

/* GSI queries still refuse consistent reads while the LSI on the same table
 * allows them (API_Query ConsistentRead). */
Test(ddb_lsi, consistent_read_only_on_lsi)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'both'," DEFS "," KS ",'LocalSecondaryIndexes':[{'IndexName':'lix'," LKS
            ",'Projection':{'ProjectionType':'ALL'}}],'GlobalSecondaryIndexes':[{"
            "'IndexName':"
            "'gix','KeySchema':[{'AttributeName':'ts','KeyType':'HASH'}],'"
            "Projection':"
            "{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'}"));
    ok(call(&e, "PutItem",
            "{'TableName':'both','Item':{'pk':{'S':'u'},'sk':{'S':'a'},'ts':{'N':"
            "'1'}}}"));
    sim_reply *r = call(&e, "Scan", "{'TableName':'both','IndexName':'lix','ConsistentRead':true}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 1);
    fails(call(&e, "Scan", "{'TableName':'both','IndexName':'gix','ConsistentRead':true}"),
          "ValidationException", "Consistent reads are not supported on global secondary indexes");
    r = call(&e, "DescribeTable", "{'TableName':'both'}");
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "Table.GlobalSecondaryIndexes")), 1);
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "Table.LocalSecondaryIndexes")), 1);
    /* UpdateTable refuses an LSI in GlobalSecondaryIndexUpdates (AWS's message as captured
     * from DynamoDB: "Cannot update an index that is not a GlobalSecondaryIndex") */
    fails(call(&e, "UpdateTable",
               "{'TableName':'both','GlobalSecondaryIndexUpdates':[{'Update':{'"
               "IndexName':'lix',"
               "'ProvisionedThroughput':{'ReadCapacityUnits':1,'"
               "WriteCapacityUnits':1}}}]}"),
          "ValidationException", "Cannot update an index that is not a GlobalSecondaryIndex: lix");
    t_fini(&e);
}
