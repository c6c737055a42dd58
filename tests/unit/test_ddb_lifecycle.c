/* test_ddb_lifecycle.c - TableStatus and IndexStatus on the scheduler clock: the status delay
 * (CREATING, UPDATING, DELETING), and GSIs created (with backfill) and deleted by UpdateTable.
 * Sources: API_CreateTable, API_DeleteTable ("If a table is in CREATING or UPDATING states,
 * then DynamoDB returns a ResourceInUseException ... If table is already in the DELETING
 * state, no error is returned"), API_UpdateTable ("You can create or delete only one global
 * secondary index per UpdateTable operation"), API_GlobalSecondaryIndexDescription
 * (IndexStatus, Backfilling), developer guide "Adding a global secondary index to an existing
 * table" (resource allocation, backfilling; queries on a backfilling index fail), and
 * messages as DynamoDB returns them (ResourceInUseException "Attempt to change a resource
 * which is still in use: ...", ValidationException "Cannot read from backfilling global
 * secondary index: ...", "Cannot describe time to live while table is in CREATING state"). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/ddb.h"
#include "tests/unit/test_ddb_util.h"

#define T_DEFS "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}]"
#define T_KS   "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}]"
#define T_PT   "'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':5}"

static void mk_table(tenv *e)
{
    ok(call(e, "CreateTable", "{'TableName':'tbl'," T_DEFS "," T_KS "," T_PT "}"));
}

static const char *status_of(tenv *e)
{
    sim_reply *r = call(e, "DescribeTable", "{'TableName':'tbl'}");
    ok(r);
    return str_at(r->body, "Table.TableStatus");
}

/* The description of index name in the last reply's member (Table or TableDescription). */
static const cJSON *gsi_of(const cJSON *body, const char *member, const char *name)
{
    const cJSON *g;
    cJSON_ArrayForEach(
        g, cJSON_GetObjectItem(cJSON_GetObjectItem(body, member), "GlobalSecondaryIndexes"))
    {
        if (strcmp(cJSON_GetObjectItem(g, "IndexName")->valuestring, name) == 0)
            return g;
    }
    return NULL;
}

Test(ddb_lifecycle, without_a_delay_everything_is_active_at_once)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "CreateTable", "{'TableName':'tbl'," T_DEFS "," T_KS "," T_PT "}");
    ok(r);
    /* the reply says CREATING (API reference, CreateTable), the table is ACTIVE at once */
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "CREATING");
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "Table.TableStatus"), "ACTIVE");
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'}}}"));
    r = call(&e, "UpdateTable",
             "{'TableName':'tbl','ProvisionedThroughput':{'ReadCapacityUnits':6,"
             "'WriteCapacityUnits':6}}");
    ok(r);
    /* UPDATING in the reply (API reference, UpdateTable example), ACTIVE at once after */
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "UPDATING");
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "Table.TableStatus"), "ACTIVE");
    r = call(&e, "DeleteTable", "{'TableName':'tbl'}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "DELETING");
    fails(call(&e, "DescribeTable", "{'TableName':'tbl'}"), "ResourceNotFoundException",
          "Requested resource not found: Table: tbl not found");
    t_fini(&e);
}

Test(ddb_lifecycle, creating_lasts_the_status_delay)
{
    tenv e;
    t_init(&e);
    ddb_service_set_status_delay(e.svc, 20 * SIM_S);
    sim_reply *r = call(&e, "CreateTable",
                        "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'pk',"
                        "'AttributeType':'S'},{'AttributeName':'g','AttributeType':'S'}]," T_KS
                        "," T_PT ",'GlobalSecondaryIndexes':[{'IndexName':'idx_g','KeySchema':[{"
                        "'AttributeName':'g','KeyType':'HASH'}],'Projection':{'ProjectionType':"
                        "'ALL'}," T_PT "}]}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "CREATING");
    const cJSON *g = gsi_of(r->body, "TableDescription", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "CREATING");
    cr_assert_null(cJSON_GetObjectItem(g, "Backfilling")); /* only for UpdateTable's GSIs */
    /* data plane: not found; control plane: in use */
    fails(call(&e, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    fails(call(&e, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    fails(call(&e, "BatchWriteItem",
               "{'RequestItems':{'tbl':[{'PutRequest':{'Item':{'pk':{'S':'a'}}}}]}}"),
          "ResourceNotFoundException", "Requested resource not found");
    fails(call(&e, "DeleteTable", "{'TableName':'tbl'}"), "ResourceInUseException",
          "Attempt to change a resource which is still in use: Table is being created: tbl");
    fails(call(&e, "UpdateTable",
               "{'TableName':'tbl','ProvisionedThroughput':{'ReadCapacityUnits':6,"
               "'WriteCapacityUnits':6}}"),
          "ResourceInUseException",
          "Attempt to change a resource which is still in use: Table is being created: tbl");
    fails(call(&e, "DescribeTimeToLive", "{'TableName':'tbl'}"), "ValidationException",
          "Cannot describe time to live while table is in CREATING state: Current table state "
          "is CREATING");
    sim_sched_run_for(&e.sched, 20 * SIM_S - 1);
    cr_assert_str_eq(status_of(&e), "CREATING");
    sim_sched_run_for(&e.sched, 1);
    cr_assert_str_eq(status_of(&e), "ACTIVE");
    g = gsi_of(e.r.body, "Table", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "ACTIVE");
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'}}}"));
    t_fini(&e);
}

Test(ddb_lifecycle, updating_and_deleting_last_the_status_delay)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'}}}"));
    ddb_service_set_status_delay(e.svc, 5 * SIM_S);
    sim_reply *r = call(&e, "UpdateTable",
                        "{'TableName':'tbl','ProvisionedThroughput':{'ReadCapacityUnits':6,"
                        "'WriteCapacityUnits':6}}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "UPDATING");
    /* the new throughput applies when UPDATING settles */
    cr_assert_eq(num_at(r->body, "TableDescription.ProvisionedThroughput.ReadCapacityUnits"), 5);
    ok(call(&e, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'}}}")); /* still usable */
    fails(call(&e, "UpdateTable",
               "{'TableName':'tbl','ProvisionedThroughput':{'ReadCapacityUnits':7,"
               "'WriteCapacityUnits':7}}"),
          "ResourceInUseException",
          "Attempt to change a resource which is still in use: Table is being updated: tbl");
    fails(call(&e, "DeleteTable", "{'TableName':'tbl'}"), "ResourceInUseException",
          "Attempt to change a resource which is still in use: Table is being updated: tbl");
    sim_sched_run_for(&e.sched, 5 * SIM_S);
    cr_assert_str_eq(status_of(&e), "ACTIVE");
    json_eq(at(e.r.body, "Table.ProvisionedThroughput"),
            "{'ReadCapacityUnits':6,'WriteCapacityUnits':6,'NumberOfDecreasesToday':0,"
            "'LastIncreaseDateTime':1767225605}"); /* 5 s after the virtual epoch */

    r = call(&e, "DeleteTable", "{'TableName':'tbl'}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "DELETING");
    cr_assert_str_eq(status_of(&e), "DELETING");
    fails(call(&e, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'}}}"),
          "ResourceNotFoundException", "Requested resource not found");
    fails(call(&e, "DescribeTimeToLive", "{'TableName':'tbl'}"), "ValidationException",
          "Cannot describe time to live while table is in DELETING state: Current table state "
          "is DELETING");
    r = call(&e, "DeleteTable", "{'TableName':'tbl'}"); /* no error while DELETING */
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "DELETING");
    fails(call(&e, "CreateTable", "{'TableName':'tbl'," T_DEFS "," T_KS "," T_PT "}"),
          "ResourceInUseException",
          "Attempt to change a resource which is still in use: Table is being deleted: tbl");
    r = call(&e, "ListTables", "{}");
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "TableNames")), 1);
    sim_sched_run_for(&e.sched, 5 * SIM_S);
    fails(call(&e, "DescribeTable", "{'TableName':'tbl'}"), "ResourceNotFoundException",
          "Requested resource not found: Table: tbl not found");
    cr_assert_eq(ddb_table_count(e.svc), 0);
    /* the name is free again, and the new table starts empty */
    ddb_service_set_status_delay(e.svc, 0);
    mk_table(&e);
    r = call(&e, "Scan", "{'TableName':'tbl','Select':'COUNT'}");
    cr_assert_eq(num_at(r->body, "Count"), 0);
    t_fini(&e);
}

/* n items pk "i<k>", every one but each tenth with attribute g (sparse index). */
static void fill(tenv *e, int n)
{
    for (int k = 0; k < n; k++) {
        char req[256];
        if (k % 10 == 9)
            snprintf(req, sizeof req,
                     "{'TableName':'tbl','Item':{'pk':{'S':'i%d'},'x':{'N':'%d'}}}", k, k);
        else
            snprintf(req, sizeof req,
                     "{'TableName':'tbl','Item':{'pk':{'S':'i%d'},'g':{'S':'g%d'},'x':{'N':'%d'}}}",
                     k, k % 3, k);
        ok(call(e, "PutItem", req));
        if (k % 100 == 99)
            sim_sched_run_for(&e->sched, 30 * SIM_S); /* stay within 5 WCU + burst */
    }
}

#define CREATE_GI                                                                                  \
    "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'g','AttributeType':'S'}],"       \
    "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'idx_g','KeySchema':[{'AttributeName':" \
    "'g','KeyType':'HASH'}],'Projection':{'ProjectionType':'KEYS_ONLY'}," T_PT "}}]}"

#define QUERY_GI                                                                \
    "{'TableName':'tbl','IndexName':'idx_g','KeyConditionExpression':'g = :g'," \
    "'ExpressionAttributeValues':{':g':{'S':'g1'}},'Select':'COUNT'}"

Test(ddb_lifecycle, created_gsi_is_backfilled_on_the_scheduler)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    fill(&e, 600); /* 540 items carry g: 180 each of g0, g1, g2 */
    sim_reply *r = call(&e, "UpdateTable", CREATE_GI);
    ok(r);
    /* API_UpdateTable: "while it is executing, the table status changes from ACTIVE to
     * UPDATING" - the reply says so; without a status delay DescribeTable says ACTIVE */
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "UPDATING");
    const cJSON *g = gsi_of(r->body, "TableDescription", "idx_g");
    cr_assert_not_null(g);
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "CREATING");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(g, "Backfilling")));
    json_eq(cJSON_GetObjectItem(g, "KeySchema"), "[{'AttributeName':'g','KeyType':'HASH'}]");
    json_eq(at(r->body, "TableDescription.AttributeDefinitions"),
            "[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':'g',"
            "'AttributeType':'S'}]");
    fails(call(&e, "Query", QUERY_GI), "ValidationException",
          "Cannot read from backfilling global secondary index: idx_g");
    fails(call(&e, "DeleteTable", "{'TableName':'tbl'}"), "ResourceInUseException",
          "Attempt to change a resource which is still in use: Cannot delete table while "
          "indexes are being created, updated, or deleted.");
    /* the first step copies 256 rows (231 index rows: 231 WCU), which take 46.2 s at the
     * index's 5 WCU; a write during the backfill reaches the index too */
    sim_sched_run_for(&e.sched, 10 * SIM_S);
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'new'},'g':{'S':'g1'}}}"));
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    g = gsi_of(r->body, "Table", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "CREATING");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(g, "Backfilling")));
    sim_sched_run_for(&e.sched, 36 * SIM_S - 1);
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    g = gsi_of(r->body, "Table", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "CREATING");
    sim_sched_run_for(&e.sched, 200 * SIM_S);
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    g = gsi_of(r->body, "Table", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "ACTIVE");
    cr_assert_null(cJSON_GetObjectItem(g, "Backfilling"));
    cr_assert_eq(cJSON_GetObjectItem(g, "ItemCount")->valuedouble, 541);
    /* the backfill's writes are the index's consumed capacity: 541 rows copied (the row
     * written during the backfill sorts after the cursor, so it is copied too) plus that
     * ongoing write, 1 WCU each */
    ddb_table_counters c;
    cr_assert_eq(ddb_table_stats(e.svc, "tbl", &c), 0);
    cr_assert_eq(c.gsi[0].consumed_wcu_mu, 542000);
    r = call(&e, "Query", QUERY_GI);
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 181);
    /* KEYS_ONLY: the table key and the index key, nothing else */
    r = call(&e, "Query",
             "{'TableName':'tbl','IndexName':'idx_g','KeyConditionExpression':'g = :g',"
             "'ExpressionAttributeValues':{':g':{'S':'g0'}},'Limit':1}");
    json_eq(at(r->body, "Items.0"), "{'pk':{'S':'i0'},'g':{'S':'g0'}}");
    t_fini(&e);
}

Test(ddb_lifecycle, resource_allocation_lasts_the_status_delay)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    fill(&e, 10);
    ddb_service_set_status_delay(e.svc, 30 * SIM_S);
    sim_reply *r = call(&e, "UpdateTable", CREATE_GI);
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "UPDATING");
    fails(
        call(
            &e, "UpdateTable",
            "{'TableName':'tbl','GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'idx_g'}}]}"),
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Index creation is in resource "
        "allocation phase. Retry deletion during backfilling phase or when the index is "
        "active. Table: tbl Index: idx_g");
    sim_sched_run_for(&e.sched, 30 * SIM_S - 1);
    cr_assert_str_eq(status_of(&e), "UPDATING");
    sim_sched_run_for(&e.sched, 1); /* allocation done; 9 rows backfilled at once */
    cr_assert_str_eq(status_of(&e), "ACTIVE");
    const cJSON *g = gsi_of(e.r.body, "Table", "idx_g");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(g, "Backfilling")));
    /* 9 WCU at 5 WCU/s: 1.8 s of backfill; then ACTIVE */
    sim_sched_run_for(&e.sched, 1800 * SIM_MS - 1);
    status_of(&e);
    g = gsi_of(e.r.body, "Table", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "CREATING");
    sim_sched_run_for(&e.sched, 1);
    status_of(&e);
    g = gsi_of(e.r.body, "Table", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "ACTIVE");
    t_fini(&e);
}

Test(ddb_lifecycle, backfilling_gsi_can_be_deleted)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    fill(&e, 600);
    ok(call(&e, "UpdateTable", CREATE_GI));
    sim_sched_run_for(&e.sched, SIM_S);
    ddb_service_set_status_delay(e.svc, 4 * SIM_S);
    sim_reply *r = call(&e, "UpdateTable",
                        "{'TableName':'tbl','GlobalSecondaryIndexUpdates':[{'Delete':{"
                        "'IndexName':'idx_g'}}]}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "UPDATING");
    const cJSON *g = gsi_of(r->body, "TableDescription", "idx_g");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "DELETING");
    fails(call(&e, "Query", QUERY_GI), "ValidationException",
          "The table does not have the specified index: idx_g");
    fails(call(&e, "UpdateTable",
               "{'TableName':'tbl','ProvisionedThroughput':{'ReadCapacityUnits':9,"
               "'WriteCapacityUnits':9}}"),
          "ResourceInUseException",
          "Attempt to change a resource which is still in use: Can't change table IOPS when "
          "an index is being deleted. Table: tbl Indexes: [idx_g]");
    fails(call(&e, "DeleteTable", "{'TableName':'tbl'}"), "ResourceInUseException",
          "Attempt to change a resource which is still in use: Cannot delete table while "
          "indexes are being created, updated, or deleted.");
    ok(call(&e, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'z'},'g':{'S':'g1'}}}"));
    sim_sched_run_for(&e.sched, 4 * SIM_S);
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    cr_assert_str_eq(str_at(r->body, "Table.TableStatus"), "ACTIVE");
    cr_assert_null(at(r->body, "Table.GlobalSecondaryIndexes"));
    /* the attribute only the index used leaves AttributeDefinitions */
    json_eq(at(r->body, "Table.AttributeDefinitions"),
            "[{'AttributeName':'pk','AttributeType':'S'}]");
    /* the same name can be created again, and is built from the table afresh */
    ddb_service_set_status_delay(e.svc, 0);
    ok(call(&e, "UpdateTable", CREATE_GI));
    sim_sched_run_for(&e.sched, 600 * SIM_S);
    r = call(&e, "Query", QUERY_GI);
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 181);
    t_fini(&e);
}

#define UT(body) "{'TableName':'tbl'," body "}"
#define GSI_CREATE(name, attr)                                                              \
    "{'Create':{'IndexName':'" name "','KeySchema':[{'AttributeName':'" attr "','KeyType':" \
    "'HASH'}],'Projection':{'ProjectionType':'ALL'}," T_PT "}}"
#define DEFS_AB                                                                               \
    "'AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'},{'AttributeName':'b'," \
    "'AttributeType':'N'}]"

Test(ddb_lifecycle, gsi_updates_follow_aws_rules_and_messages)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    fails(call(&e, "UpdateTable",
               UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[" GSI_CREATE(
                   "idx_a", "a") "," GSI_CREATE("idx_b", "b") "]")),
          "LimitExceededException",
          "Subscriber limit exceeded: Only 1 online index can be created or deleted "
          "simultaneously per table");
    fails(
        call(&e, "UpdateTable", UT("'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_a", "a") "]")),
        "ValidationException",
        "One or more parameter values were invalid: AttributeDefinitions is not specified for "
        "index: idx_a");
    fails(call(&e, "UpdateTable",
               UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_c", "c") "]")),
          "ValidationException", "Invalid KeySchema: Some index key attribute have no definition");
    fails(
        call(&e, "UpdateTable",
             UT(DEFS_AB "," T_PT ",'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_a", "a") "]")),
        "ValidationException",
        "One or more parameter values were invalid: You cannot create or delete index while "
        "updating table IOPS");
    fails(call(&e, "UpdateTable", UT("'GlobalSecondaryIndexUpdates':[{}]")), "ValidationException",
          "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, "
          "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
    fails(call(&e, "UpdateTable",
               UT("'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'idx_a'},'Update':{"
                  "'IndexName':'idx_a'," T_PT "}}]")),
          "ValidationException",
          "One or more parameter values were invalid: Only one global secondary index action is "
          "allowed per GlobalSecondaryIndexUpdate object");
    fails(call(&e, "UpdateTable",
               UT("'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'idx_a'}},{'Update':{"
                  "'IndexName':'idx_a'," T_PT "}}]")),
          "ValidationException",
          "One or more parameter values were invalid: Only one global secondary index update per "
          "index is allowed simultaneously. Index: idx_a");
    fails(call(&e, "UpdateTable",
               UT("'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'nope'}}]")),
          "ResourceNotFoundException", "Requested resource not found: Index nope for table tbl");
    fails(call(&e, "UpdateTable",
               UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'idx_a',"
                          "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],'Projection':{"
                          "'ProjectionType':'INCLUDE'}," T_PT "}}]")),
          "ValidationException",
          "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
          "NonKeyAttributes is not specified");
    fails(call(&e, "UpdateTable",
               UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'idx_a',"
                          "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],'Projection':{"
                          "'ProjectionType':'ALL'}}}]")),
          "ValidationException",
          "One or more parameter values were invalid: Both ReadCapacityUnits and "
          "WriteCapacityUnits must be specified for index: idx_a");
    fails(call(&e, "UpdateTable",
               UT("'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'g','KeySchema':[],"
                  "'Projection':{'ProjectionType':'ALL'}}}]")),
          "ValidationException",
          "2 validation errors detected: Value 'g' at "
          "'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy "
          "constraint: Member must have length greater than or equal to 3; Value '[]' at "
          "'globalSecondaryIndexUpdates.1.member.create.keySchema' failed to satisfy "
          "constraint: Member must have length greater than or equal to 1");
    ok(call(&e, "UpdateTable",
            UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_a", "a") "]")));
    fails(call(&e, "UpdateTable",
               UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_a", "a") "]")),
          "ValidationException", "Attempting to create an index which already exists");
    /* another index while ga is still CREATING */
    fails(call(&e, "UpdateTable",
               UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_b", "b") "]")),
          "LimitExceededException",
          "Subscriber limit exceeded: Only 1 online index can be created or deleted "
          "simultaneously per table");
    sim_sched_run_for(&e.sched, SIM_S);
    fails(call(&e, "UpdateTable",
               UT("'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'idx_a'," T_PT "}}]")),
          "ValidationException",
          "The provisioned throughput for the index idx_a will not change. The requested value "
          "equals the current value. Current ReadCapacityUnits provisioned for index idx_a: 5. "
          "Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for index idx_a: "
          "5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for "
          "current limits and how to request higher limits.");
    ddb_service_set_status_delay(e.svc, 3 * SIM_S);
    sim_reply *r = call(&e, "UpdateTable",
                        UT("'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'idx_a',"
                           "'ProvisionedThroughput':{'ReadCapacityUnits':7,"
                           "'WriteCapacityUnits':7}}}]"));
    ok(r);
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "ACTIVE");
    const cJSON *g = gsi_of(r->body, "TableDescription", "idx_a");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "UPDATING");
    /* the reply still shows the old units (AWS echoes them too) */
    cr_assert_eq(num_at(g, "ProvisionedThroughput.ReadCapacityUnits"), 5);
    fails(call(&e, "UpdateTable",
               UT("'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'idx_a',"
                  "'ProvisionedThroughput':{'ReadCapacityUnits':8,'WriteCapacityUnits':8}}}]")),
          "ResourceInUseException",
          "Attempt to change a resource which is still in use: Index is being updated.  Table: tbl "
          "Index: idx_a");
    sim_sched_run_for(&e.sched, 3 * SIM_S);
    r = call(&e, "DescribeTable", "{'TableName':'tbl'}");
    g = gsi_of(r->body, "Table", "idx_a");
    cr_assert_str_eq(cJSON_GetObjectItem(g, "IndexStatus")->valuestring, "ACTIVE");
    cr_assert_eq(num_at(g, "ProvisionedThroughput.ReadCapacityUnits"), 7);
    cr_assert_str_eq(str_at(r->body, "Table.TableStatus"), "ACTIVE");
    t_fini(&e);
}

Test(ddb_lifecycle, twenty_first_gsi_is_over_the_limit)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'tbl'," T_DEFS "," T_KS ",'BillingMode':'PAY_PER_REQUEST'}"));
    char req[1024];
    for (int i = 0; i <= 20; i++) {
        snprintf(req, sizeof req,
                 "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'a%d',"
                 "'AttributeType':'S'}],'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':"
                 "'gsi%d','KeySchema':[{'AttributeName':'a%d','KeyType':'HASH'}],'Projection':{"
                 "'ProjectionType':'KEYS_ONLY'}}}]}",
                 i, i, i);
        sim_reply *r = call(&e, "UpdateTable", req);
        if (i < 20)
            ok(r);
        else
            fails(r, "LimitExceededException",
                  "Subscriber limit exceeded: Number of global secondary indexes exceeds "
                  "per-table limit of 20");
        sim_sched_run_for(&e.sched, SIM_S);
    }
    fails(call(&e, "UpdateTable",
               "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'z','AttributeType':"
               "'S'}],'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'idx_z','KeySchema':[{"
               "'AttributeName':'z','KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}," T_PT
               "}}]}"),
          "ValidationException",
          "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
          "WriteCapacityUnits can be specified for index: idx_z when BillingMode is "
          "PAY_PER_REQUEST");
    t_fini(&e);
}

/* Indexes keep their own sqlite tables across a reload after one was deleted and another
 * created (a GSI's rows are found by a saved name, not by its position); an index saved while
 * its backfill ran is built again on load. */
Test(ddb_lifecycle, added_and_deleted_gsis_survive_a_reload)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/stratus_ddb_lifecycle_%ld.db", (long)getpid());
    tenv e;
    sim_clock_init_virtual(&e.clock);
    sim_sched_init(&e.sched, &e.clock);
    sim_rng_seed(&e.rng, 7);
    sim_reply_init(&e.r);
    ddb_options o = { .db_path = path, .region = "us-west-2", .account_id = "123456789012" };
    cr_assert_eq(ddb_service_create(&e.sched, &e.rng, NULL, &o, &e.svc), 0);
    mk_table(&e);
    fill(&e, 30);
    ok(call(&e, "UpdateTable",
            UT(DEFS_AB ",'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_a", "a") "]")));
    sim_sched_run_for(&e.sched, SIM_S);
    ok(call(&e, "UpdateTable", CREATE_GI));
    sim_sched_run_for(&e.sched, 60 * SIM_S);
    ok(call(&e, "UpdateTable",
            UT("'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'idx_a'}}]")));
    ok(call(&e, "UpdateTable",
            UT("'AttributeDefinitions':[{'AttributeName':'x','AttributeType':'N'}],"
               "'GlobalSecondaryIndexUpdates':[" GSI_CREATE("idx_b", "x") "]")));
    /* ... gb is saved while CREATING: the service goes away before its backfill */
    ddb_service_destroy(e.svc);
    cr_assert_eq(ddb_service_create(&e.sched, &e.rng, NULL, &o, &e.svc), 0);
    sim_reply *r = call(&e, "Query", QUERY_GI);
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 9);
    fails(call(&e, "Query",
               "{'TableName':'tbl','IndexName':'idx_b','KeyConditionExpression':'x = :x',"
               "'ExpressionAttributeValues':{':x':{'N':'4'}}}"),
          "ValidationException", "Cannot read from backfilling global secondary index: idx_b");
    sim_sched_run_for(&e.sched, 60 * SIM_S);
    r = call(&e, "Query",
             "{'TableName':'tbl','IndexName':'idx_b','KeyConditionExpression':'x = :x',"
             "'ExpressionAttributeValues':{':x':{'N':'4'}}}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'pk':{'S':'i4'},'g':{'S':'g1'},'x':{'N':'4'}}]");
    t_fini(&e);
    char p2[160];
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path);
    unlink(p2);
}
