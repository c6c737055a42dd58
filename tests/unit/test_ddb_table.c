/* test_ddb_table.c - the table service's control plane: CreateTable, DescribeTable,
 * ListTables, UpdateTable, DeleteTable, reload from a database file, request validation.
 * Sources: DynamoDB API reference API_CreateTable, API_DescribeTable, API_ListTables,
 * API_UpdateTable, API_DeleteTable, CommonErrors; messages as dynalite's test suite records
 * them (validations/createTable.js, actions/updateTable.js). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/test_ddb_util.h"

#define USERS                                                                                 \
    "{'TableName':'users','AttributeDefinitions':[{'AttributeName':'handle','AttributeType':" \
    "'S'}],'KeySchema':[{'AttributeName':'handle','KeyType':'HASH'}],"                        \
    "'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':7}}"

#define FOLLOWS                                                                                \
    "{'TableName':'follows','AttributeDefinitions':[{'AttributeName':'follower',"              \
    "'AttributeType':'S'},{'AttributeName':'followee','AttributeType':'S'}],"                  \
    "'KeySchema':[{'AttributeName':'follower','KeyType':'HASH'},{'AttributeName':'followee',"  \
    "'KeyType':'RANGE'}],'GlobalSecondaryIndexes':[{'IndexName':'followee-index','KeySchema':" \
    "[{'AttributeName':'followee','KeyType':'HASH'},{'AttributeName':'follower','KeyType':"    \
    "'RANGE'}],'Projection':{'ProjectionType':'ALL'},'ProvisionedThroughput':"                 \
    "{'ReadCapacityUnits':3,'WriteCapacityUnits':4}}],"                                        \
    "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':2}}"

/* API_CreateTable / API_TableDescription: the description of a new table. */
Test(ddb_table, create_then_describe_gives_the_aws_description)
{
    tenv e;
    t_init(&e);
    sim_sched_run_for(&e.sched, 5 * SIM_S);
    sim_reply *r = call(&e, "CreateTable", USERS);
    ok(r);
    const cJSON *d = at(r->body, "TableDescription");
    /* the CreateTable reply says CREATING; the table is ACTIVE at once (no delay configured) */
    cr_assert_str_eq(str_at(d, "TableStatus"), "CREATING");
    r = call(&e, "DescribeTable", "{'TableName':'users'}");
    ok(r);
    d = at(r->body, "Table");
    cr_assert_str_eq(str_at(d, "TableName"), "users");
    cr_assert_str_eq(str_at(d, "TableStatus"), "ACTIVE");
    cr_assert_str_eq(str_at(d, "TableArn"), "arn:aws:dynamodb:us-west-2:123456789012:table/users");
    /* 2026-01-01T00:00:00Z plus the 5 virtual seconds */
    cr_assert_eq(num_at(d, "CreationDateTime"), 1767225605.0);
    json_eq(at(d, "KeySchema"), "[{'AttributeName':'handle','KeyType':'HASH'}]");
    json_eq(at(d, "AttributeDefinitions"), "[{'AttributeName':'handle','AttributeType':'S'}]");
    json_eq(at(d, "ProvisionedThroughput"),
            "{'ReadCapacityUnits':5,'WriteCapacityUnits':7,'NumberOfDecreasesToday':0}");
    cr_assert_eq(num_at(d, "ItemCount"), 0);
    cr_assert_eq(num_at(d, "TableSizeBytes"), 0);
    cr_assert_eq(strlen(str_at(d, "TableId")), 36);
    cr_assert_eq(ddb_table_count(e.svc), 1);
    t_fini(&e);
}

/* API_DescribeTable: GlobalSecondaryIndexes describe each index. */
Test(ddb_table, describes_global_secondary_indexes)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", FOLLOWS));
    ok(call(&e, "PutItem",
            "{'TableName':'follows','Item':{'follower':{'S':'a'},'followee':"
            "{'S':'b'}}}"));
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'follows'}");
    ok(r);
    const cJSON *g = at(r->body, "Table.GlobalSecondaryIndexes.0");
    cr_assert_str_eq(str_at(g, "IndexName"), "followee-index");
    cr_assert_str_eq(str_at(g, "IndexStatus"), "ACTIVE");
    cr_assert_str_eq(str_at(g, "IndexArn"),
                     "arn:aws:dynamodb:us-west-2:123456789012:table/follows/index/followee-index");
    json_eq(at(g, "KeySchema"), "[{'AttributeName':'followee','KeyType':'HASH'},"
                                "{'AttributeName':'follower','KeyType':'RANGE'}]");
    json_eq(at(g, "Projection"), "{'ProjectionType':'ALL'}");
    json_eq(at(g, "ProvisionedThroughput"),
            "{'ReadCapacityUnits':3,'WriteCapacityUnits':4,'NumberOfDecreasesToday':0}");
    cr_assert_eq(num_at(g, "ItemCount"), 1);
    cr_assert_eq(num_at(r->body, "Table.ItemCount"), 1);
    t_fini(&e);
}

/* CommonErrors / API_CreateTable: ResourceInUseException for an existing name. */
Test(ddb_table, create_existing_is_resource_in_use)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", USERS));
    fails(call(&e, "CreateTable", USERS), "ResourceInUseException", "Table already exists: users");
    t_fini(&e);
}

/* CommonErrors: ValidationException texts for missing members. */
Test(ddb_table, create_validation_messages)
{
    tenv e;
    t_init(&e);
    /* TableName first, apart (dynalite test/describeTable.js) */
    fails(call(&e, "DescribeTable", "{}"), "ValidationException",
          "The parameter 'TableName' is required but was not present in the request");
    fails(call(&e, "CreateTable", "{'TableName':'ab'}"), "ValidationException",
          "TableName must be at least 3 characters long and at most 255 characters long");
    fails(call(&e, "CreateTable", "{'TableName':'abc'}"), "ValidationException",
          "2 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy "
          "constraint: Member must not be null; Value null at 'keySchema' failed to satisfy "
          "constraint: Member must not be null");
    fails(call(&e, "CreateTable",
               "{'TableName':'abc','BillingMode':'PAY_PER_REQUEST','AttributeDefinitions':"
               "[{'AttributeName':'a','AttributeType':'S'}],'KeySchema':[{'AttributeName':'a',"
               "'KeyType':'HASH'}],'ProvisionedThroughput':{'ReadCapacityUnits':1,"
               "'WriteCapacityUnits':1}}"),
          "ValidationException",
          "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
          "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    fails(call(&e, "CreateTable",
               "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':"
               "'S'}],'KeySchema':[{'AttributeName':'b','KeyType':'HASH'}],"
               "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}"),
          "ValidationException",
          "One or more parameter values were invalid: Some index key attributes are not defined "
          "in AttributeDefinitions. Keys: [b], AttributeDefinitions: [a]");
    fails(call(&e, "CreateTable",
               "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':"
               "'S'}],'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],"
               "'ProvisionedThroughput':{'ReadCapacityUnits':0,'WriteCapacityUnits':1}}"),
          "ValidationException",
          "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' "
          "failed to satisfy constraint: Member must have value greater than or equal to 1");
    cr_assert_eq(ddb_table_count(e.svc), 0);
    t_fini(&e);
}

/* Wrong JSON types are SerializationException, in today's AWS wording (dynalite 4.0
 * validations/index.js checkTypes, test/helpers.js assertType). */
Test(ddb_table, wrong_member_types_are_serialization_errors)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':5}");
    fails(r, "SerializationException", "NUMBER_VALUE cannot be converted to String");
    r = call(&e, "ListTables", "{'Limit':'5'}");
    fails(r, "SerializationException", "STRING_VALUE cannot be converted to Integer");
    r = call(&e, "CreateTable", "{'TableName':'abc','KeySchema':{}}");
    fails(r, "SerializationException", "Start of structure or map found where not expected");
    t_fini(&e);
}

/* API_DescribeTable / API_DeleteTable: ResourceNotFoundException. */
Test(ddb_table, unknown_table_is_resource_not_found)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "DescribeTable", "{'TableName':'nope'}"), "ResourceNotFoundException",
          "Requested resource not found: Table: nope not found");
    fails(call(&e, "DeleteTable", "{'TableName':'nope'}"), "ResourceNotFoundException",
          "Requested resource not found: Table: nope not found");
    fails(call(&e, "GetItem", "{'TableName':'nope','Key':{'a':{'S':'x'}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    t_fini(&e);
}

/* API_ListTables: sorted names, Limit, ExclusiveStartTableName, LastEvaluatedTableName. */
Test(ddb_table, list_tables_pages_in_name_order)
{
    tenv e;
    t_init(&e);
    const char *names[] = { "delta", "alpha", "charlie", "bravo", "echo" };
    char req[512];
    for (int i = 0; i < 5; i++) {
        snprintf(req, sizeof req,
                 "{'TableName':'%s','AttributeDefinitions':[{'AttributeName':'a',"
                 "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],"
                 "'BillingMode':'PAY_PER_REQUEST'}",
                 names[i]);
        ok(call(&e, "CreateTable", req));
    }
    sim_reply *r = call(&e, "ListTables", "{}");
    ok(r);
    json_eq(r->body, "{'TableNames':['alpha','bravo','charlie','delta','echo']}");
    r = call(&e, "ListTables", "{'Limit':2}");
    json_eq(r->body, "{'TableNames':['alpha','bravo'],'LastEvaluatedTableName':'bravo'}");
    r = call(&e, "ListTables", "{'Limit':2,'ExclusiveStartTableName':'bravo'}");
    json_eq(r->body, "{'TableNames':['charlie','delta'],'LastEvaluatedTableName':'delta'}");
    r = call(&e, "ListTables", "{'Limit':2,'ExclusiveStartTableName':'delta'}");
    json_eq(r->body, "{'TableNames':['echo']}");
    fails(call(&e, "ListTables", "{'Limit':0}"), "ValidationException",
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1");
    t_fini(&e);
}

/* API_DeleteTable: answers DELETING, then the table is gone with its items. */
Test(ddb_table, delete_table_removes_it)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", FOLLOWS));
    ok(call(&e, "PutItem",
            "{'TableName':'follows','Item':{'follower':{'S':'a'},'followee':"
            "{'S':'b'}}}"));
    sim_reply *r = call(&e, "DeleteTable", "{'TableName':'follows'}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "DELETING");
    cr_assert_eq(ddb_table_count(e.svc), 0);
    fails(call(&e, "DescribeTable", "{'TableName':'follows'}"), "ResourceNotFoundException",
          "Requested resource not found: Table: follows not found");
    ok(call(&e, "CreateTable", FOLLOWS));
    r = call(&e, "Scan", "{'TableName':'follows'}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 0);
    t_fini(&e);
}

/* API_UpdateTable: new throughput at once, decreases counted, unchanged values refused. */
Test(ddb_table, update_table_changes_throughput)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", FOLLOWS));
    sim_sched_run_for(&e.sched, 10 * SIM_S);
    sim_reply *r = call(&e, "UpdateTable",
                        "{'TableName':'follows','ProvisionedThroughput':{'ReadCapacityUnits':1,"
                        "'WriteCapacityUnits':1},'GlobalSecondaryIndexUpdates':[{'Update':"
                        "{'IndexName':'followee-index','ProvisionedThroughput':"
                        "{'ReadCapacityUnits':9,'WriteCapacityUnits':9}}}]}");
    ok(r);
    r = call(&e, "DescribeTable", "{'TableName':'follows'}");
    json_eq(at(r->body, "Table.ProvisionedThroughput"),
            "{'ReadCapacityUnits':1,'WriteCapacityUnits':1,'NumberOfDecreasesToday':1,"
            "'LastDecreaseDateTime':1767225610}");
    json_eq(at(r->body, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput"),
            "{'ReadCapacityUnits':9,'WriteCapacityUnits':9,'NumberOfDecreasesToday':0,"
            "'LastIncreaseDateTime':1767225610}");
    fails(call(&e, "UpdateTable",
               "{'TableName':'follows','ProvisionedThroughput':{'ReadCapacityUnits':1,"
               "'WriteCapacityUnits':1}}"),
          "ValidationException",
          "The provisioned throughput for the table will not change. The requested value equals "
          "the current value. Current ReadCapacityUnits provisioned for the table: 1. Requested "
          "ReadCapacityUnits: 1. Current WriteCapacityUnits provisioned for the table: 1. "
          "Requested WriteCapacityUnits: 1. Refer to the Amazon DynamoDB Developer Guide for "
          "current limits and how to request higher limits.");
    t_fini(&e);
}

/* With a database file, tables and items survive a restart of the service. */
Test(ddb_table, tables_reload_from_the_database_file)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/stratus_ddb_test_%ld.db", (long)getpid());
    tenv e;
    sim_clock_init_virtual(&e.clock);
    sim_sched_init(&e.sched, &e.clock);
    sim_rng_seed(&e.rng, 7);
    sim_reply_init(&e.r);
    ddb_options o = { .db_path = path, .region = "us-west-2", .account_id = "123456789012" };
    cr_assert_eq(ddb_service_create(&e.sched, &e.rng, NULL, &o, &e.svc), 0);
    ok(call(&e, "CreateTable", FOLLOWS));
    ok(call(&e, "PutItem",
            "{'TableName':'follows','Item':{'follower':{'S':'a'},'followee':"
            "{'S':'b'},'n':{'N':'3'}}}"));
    ddb_service_destroy(e.svc);
    cr_assert_eq(ddb_service_create(&e.sched, &e.rng, NULL, &o, &e.svc), 0);
    cr_assert_eq(ddb_table_count(e.svc), 1);
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'follows','IndexName':'followee-index',"
                        "'KeyConditionExpression':'followee = :b','ExpressionAttributeValues':"
                        "{':b':{'S':'b'}}}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'follower':{'S':'a'},'followee':{'S':'b'},'n':{'N':'3'}}]");
    r = call(&e, "DescribeTable", "{'TableName':'follows'}");
    cr_assert_eq(num_at(r->body, "Table.ItemCount"), 1);
    t_fini(&e);
    char p2[160];
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path);
    unlink(p2);
}
