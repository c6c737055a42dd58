/* test_ddb_table_modes.c - table settings beyond the key schema: DeletionProtectionEnabled
 * (CreateTable, UpdateTable, DescribeTable, DeleteTable) and the billing-mode switch of
 * UpdateTable (BillingModeSummary, throughput required for the table and every GSI when
 * switching to PROVISIONED, GSI throughput refused on an on-demand table).
 * Sources: API reference, API_CreateTable and API_UpdateTable (DeletionProtectionEnabled,
 * BillingMode), API_TableDescription (DeletionProtectionEnabled, BillingModeSummary),
 * API_BillingModeSummary (LastUpdateToPayPerRequestDateTime), API_DeleteTable; developer guide,
 * "Using deletion protection" and "Considerations when switching capacity modes". The messages
 * are DynamoDB's answers as recorded by clients that match on them (aws-nuke's DynamoDB table
 * remover matches the DeleteTable one) and by the ack-api-quirks catalogue of live
 * ValidationException texts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storage/ddb.h"
#include "tests/unit/test_ddb_util.h"

#define MSG_PROTECTED                                                                        \
    "Resource cannot be deleted as it is currently protected against deletion. Disable "    \
    "deletion protection first."

#define TABLE(extra)                                                                         \
    "{'TableName':'modes','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}," \
    "{'AttributeName':'g','AttributeType':'S'}],'KeySchema':[{'AttributeName':'pk',"          \
    "'KeyType':'HASH'}],'GlobalSecondaryIndexes':[{'IndexName':'by_g','KeySchema':[{"        \
    "'AttributeName':'g','KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}" extra "}]"

static void mk_on_demand(tenv *e, const char *more)
{
    char req[1024];
    snprintf(req, sizeof req, TABLE("") ",'BillingMode':'PAY_PER_REQUEST'%s}", more);
    ok(call(e, "CreateTable", req));
}

static void mk_provisioned(tenv *e)
{
    ok(call(e, "CreateTable",
            TABLE(",'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':5}")
            ",'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':5}}"));
}

/* API_TableDescription: every table is described with DeletionProtectionEnabled, false by
 * default (developer guide, "Using deletion protection": off unless enabled). */
Test(ddb_table_modes, deletion_protection_is_described_false_by_default)
{
    tenv e;
    t_init(&e);
    mk_on_demand(&e, "");
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    ok(r);
    const cJSON *dp = at(r->body, "Table.DeletionProtectionEnabled");
    cr_assert(cJSON_IsFalse(dp));
    ok(call(&e, "DeleteTable", "{'TableName':'modes'}"));
    t_fini(&e);
}

/* API_CreateTable / API_UpdateTable DeletionProtectionEnabled; API_DeleteTable refuses a
 * protected table with a ValidationException until protection is turned off. */
Test(ddb_table_modes, protected_table_cannot_be_deleted)
{
    tenv e;
    t_init(&e);
    mk_on_demand(&e, ",'DeletionProtectionEnabled':true");
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    cr_assert(cJSON_IsTrue(at(r->body, "Table.DeletionProtectionEnabled")));
    fails(call(&e, "DeleteTable", "{'TableName':'modes'}"), "ValidationException", MSG_PROTECTED);
    r = call(&e, "UpdateTable", "{'TableName':'modes','DeletionProtectionEnabled':false}");
    ok(r);
    cr_assert(cJSON_IsFalse(at(r->body, "TableDescription.DeletionProtectionEnabled")));
    cr_assert_str_eq(str_at(r->body, "TableDescription.TableStatus"), "ACTIVE");
    r = call(&e, "DeleteTable", "{'TableName':'modes'}");
    ok(r);
    cr_assert(cJSON_IsFalse(at(r->body, "TableDescription.DeletionProtectionEnabled")));
    t_fini(&e);
}

/* UpdateTable: a DeletionProtectionEnabled change goes alone (DynamoDB's ValidationException
 * otherwise), and DeletionProtectionEnabled alone is a valid UpdateTable. */
Test(ddb_table_modes, deletion_protection_change_must_be_alone)
{
    tenv e;
    t_init(&e);
    mk_provisioned(&e);
    fails(call(&e, "UpdateTable",
               "{'TableName':'modes','DeletionProtectionEnabled':true,"
               "'ProvisionedThroughput':{'ReadCapacityUnits':6,'WriteCapacityUnits':6}}"),
          "ValidationException",
          "One or more parameter values were invalid: DeletionProtection modification must be "
          "the only operation in the request");
    fails(call(&e, "UpdateTable",
               "{'TableName':'modes','DeletionProtectionEnabled':true,'BillingMode':"
               "'PAY_PER_REQUEST'}"),
          "ValidationException",
          "One or more parameter values were invalid: DeletionProtection modification must be "
          "the only operation in the request");
    ok(call(&e, "UpdateTable", "{'TableName':'modes','DeletionProtectionEnabled':true}"));
    fails(call(&e, "DeleteTable", "{'TableName':'modes'}"), "ValidationException", MSG_PROTECTED);
    t_fini(&e);
}

/* The validator's model (botocore 1.29.27) predates DeletionProtectionEnabled: it passes the
 * member (AWS ignores members it does not know, and this one it knows), and a wrong JSON type
 * is still a SerializationException. */
Test(ddb_table_modes, deletion_protection_member_types)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "CreateTable",
                        TABLE("") ",'BillingMode':'PAY_PER_REQUEST',"
                                  "'DeletionProtectionEnabled':{}}");
    fails(r, "SerializationException", "Start of structure or map found where not expected");
    fails(call(&e, "CreateTable",
               TABLE("") ",'BillingMode':'PAY_PER_REQUEST','DeletionProtectionEnabled':1}"),
          "SerializationException", "NUMBER_VALUE cannot be converted to Boolean");
    fails(call(&e, "CreateTable",
               TABLE("") ",'BillingMode':'PAY_PER_REQUEST','DeletionProtectionEnabled':'maybe'}"),
          "SerializationException", "Unexpected token received from parser");
    cr_assert_eq(ddb_table_count(e.svc), 0);
    /* a string AWS's parser reads as a Boolean is one, as for the model's Booleans */
    ok(call(&e, "CreateTable",
            TABLE("") ",'BillingMode':'PAY_PER_REQUEST','DeletionProtectionEnabled':'TRUE'}"));
    fails(call(&e, "DeleteTable", "{'TableName':'modes'}"), "ValidationException", MSG_PROTECTED);
    ok(call(&e, "UpdateTable", "{'TableName':'modes','DeletionProtectionEnabled':'no'}"));
    ok(call(&e, "DeleteTable", "{'TableName':'modes'}"));
    /* a member newer than any model is ignored, as AWS ignores unknown members */
    ok(call(&e, "CreateTable",
            TABLE("") ",'BillingMode':'PAY_PER_REQUEST','NotAMemberOfCreateTable':1}"));
    t_fini(&e);
}

/* The setting survives a restart of a persistent service (it is part of the table). */
Test(ddb_table_modes, deletion_protection_and_billing_summary_persist)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/stratus_ddb_modes_%ld.db", (long)getpid());
    tenv e;
    sim_clock_init_virtual(&e.clock);
    sim_sched_init(&e.sched, &e.clock);
    sim_rng_seed(&e.rng, 7);
    sim_reply_init(&e.r);
    ddb_options o = { .db_path = path, .region = "us-west-2", .account_id = "123456789012" };
    cr_assert_eq(ddb_service_create(&e.sched, &e.rng, NULL, &o, &e.svc), 0);
    mk_provisioned(&e);
    sim_sched_run_for(&e.sched, 10 * SIM_S);
    ok(call(&e, "UpdateTable", "{'TableName':'modes','BillingMode':'PAY_PER_REQUEST'}"));
    ok(call(&e, "UpdateTable", "{'TableName':'modes','DeletionProtectionEnabled':true}"));
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    double since = num_at(r->body, "Table.BillingModeSummary.LastUpdateToPayPerRequestDateTime");
    ddb_service_destroy(e.svc);
    cr_assert_eq(ddb_service_create(&e.sched, &e.rng, NULL, &o, &e.svc), 0);
    r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    ok(r);
    cr_assert(cJSON_IsTrue(at(r->body, "Table.DeletionProtectionEnabled")));
    cr_assert_str_eq(str_at(r->body, "Table.BillingModeSummary.BillingMode"), "PAY_PER_REQUEST");
    cr_assert_eq(num_at(r->body, "Table.BillingModeSummary.LastUpdateToPayPerRequestDateTime"),
                 since);
    fails(call(&e, "DeleteTable", "{'TableName':'modes'}"), "ValidationException", MSG_PROTECTED);
    t_fini(&e);
    char p2[160];
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path);
    unlink(p2);
}

/* API_BillingModeSummary: LastUpdateToPayPerRequestDateTime is when PAY_PER_REQUEST was last
 * set (creation for a table created on demand, the switch otherwise), and the summary stays,
 * saying PROVISIONED, after a switch back. A table never on demand has none. */
Test(ddb_table_modes, billing_mode_summary_follows_the_switches)
{
    tenv e;
    t_init(&e);
    mk_provisioned(&e);
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    cr_assert_null(at(r->body, "Table.BillingModeSummary"));
    double created = num_at(r->body, "Table.CreationDateTime");
    sim_sched_run_for(&e.sched, 10 * SIM_S);
    r = call(&e, "UpdateTable", "{'TableName':'modes','BillingMode':'PAY_PER_REQUEST'}");
    ok(r);
    r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    cr_assert_str_eq(str_at(r->body, "Table.BillingModeSummary.BillingMode"), "PAY_PER_REQUEST");
    cr_assert_eq(num_at(r->body, "Table.BillingModeSummary.LastUpdateToPayPerRequestDateTime"),
                 created + 10);
    sim_sched_run_for(&e.sched, 5 * SIM_S);
    ok(call(&e, "UpdateTable",
            "{'TableName':'modes','BillingMode':'PROVISIONED','ProvisionedThroughput':{"
            "'ReadCapacityUnits':7,'WriteCapacityUnits':7},'GlobalSecondaryIndexUpdates':[{"
            "'Update':{'IndexName':'by_g','ProvisionedThroughput':{'ReadCapacityUnits':3,"
            "'WriteCapacityUnits':3}}}]}"));
    r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    cr_assert_str_eq(str_at(r->body, "Table.BillingModeSummary.BillingMode"), "PROVISIONED");
    cr_assert_eq(num_at(r->body, "Table.BillingModeSummary.LastUpdateToPayPerRequestDateTime"),
                 created + 10);
    cr_assert_eq(num_at(r->body, "Table.ProvisionedThroughput.ReadCapacityUnits"), 7);
    cr_assert_eq(num_at(r->body, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput."
                                 "WriteCapacityUnits"),
                 3);
    t_fini(&e);
}

/* API_UpdateTable: switching to PROVISIONED needs ProvisionedThroughput for the table and for
 * every GSI (the GSIs missing named together). */
Test(ddb_table_modes, switch_to_provisioned_needs_every_throughput)
{
    tenv e;
    t_init(&e);
    mk_on_demand(&e, "");
    fails(call(&e, "UpdateTable", "{'TableName':'modes','BillingMode':'PROVISIONED'}"),
          "ValidationException",
          "One or more parameter values were invalid: ProvisionedThroughput must be specified "
          "when BillingMode is PROVISIONED");
    fails(call(&e, "UpdateTable",
               "{'TableName':'modes','BillingMode':'PROVISIONED','ProvisionedThroughput':{"
               "'ReadCapacityUnits':7,'WriteCapacityUnits':7}}"),
          "ValidationException",
          "One or more parameter values were invalid: ProvisionedThroughput must be specified "
          "for index: by_g");
    t_fini(&e);
}

/* A GSI throughput Update on an on-demand table (API_UpdateTable, GlobalSecondaryIndexUpdates):
 * refused with DynamoDB's message; on a table switching to on-demand in the same request, the
 * "Neither ReadCapacityUnits nor WriteCapacityUnits" one. */
Test(ddb_table_modes, gsi_throughput_update_on_demand_is_refused)
{
    tenv e;
    t_init(&e);
    mk_on_demand(&e, "");
    const char *upd = "'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'by_g',"
                      "'ProvisionedThroughput':{'ReadCapacityUnits':3,'WriteCapacityUnits':3}}}]";
    char req[512];
    snprintf(req, sizeof req, "{'TableName':'modes',%s}", upd);
    fails(call(&e, "UpdateTable", req), "ValidationException",
          "One or more parameter values were invalid: The only Updates for index: by_g when "
          "TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput");
    ok(call(&e, "DeleteTable", "{'TableName':'modes'}"));
    mk_provisioned(&e);
    snprintf(req, sizeof req, "{'TableName':'modes','BillingMode':'PAY_PER_REQUEST',%s}", upd);
    fails(call(&e, "UpdateTable", req), "ValidationException",
          "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
          "WriteCapacityUnits can be specified for index: by_g when BillingMode is "
          "PAY_PER_REQUEST");
    t_fini(&e);
}

/* API_UpdateTable / API_ProvisionedThroughputDescription: NumberOfDecreasesToday counts
 * throughput decreases; switching BillingMode to PAY_PER_REQUEST is not one. The on-demand
 * table is then described with ReadCapacityUnits 0, WriteCapacityUnits 0 and
 * NumberOfDecreasesToday 0 (API_DescribeTable's on-demand examples), table and GSIs alike,
 * and no LastDecreaseDateTime appears. */
Test(ddb_table_modes, switch_to_on_demand_is_not_a_decrease)
{
    tenv e;
    t_init(&e);
    mk_provisioned(&e);
    sim_sched_run_for(&e.sched, 10 * SIM_S);
    ok(call(&e, "UpdateTable", "{'TableName':'modes','BillingMode':'PAY_PER_REQUEST'}"));
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'modes'}");
    cr_assert_eq(num_at(r->body, "Table.ProvisionedThroughput.ReadCapacityUnits"), 0);
    cr_assert_eq(num_at(r->body, "Table.ProvisionedThroughput.WriteCapacityUnits"), 0);
    cr_assert_eq(num_at(r->body, "Table.ProvisionedThroughput.NumberOfDecreasesToday"), 0);
    cr_assert_null(at(r->body, "Table.ProvisionedThroughput.LastDecreaseDateTime"));
    cr_assert_eq(num_at(r->body, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput."
                                 "NumberOfDecreasesToday"),
                 0);
    cr_assert_null(
        at(r->body, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput.LastDecreaseDateTime"));
    cr_assert_eq(num_at(r->body, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput."
                                 "ReadCapacityUnits"),
                 0);
    t_fini(&e);
}
