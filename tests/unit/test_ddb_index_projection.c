/* test_ddb_index_projection.c - GSI projections seen through Query and Scan:
 * KEYS_ONLY returns the table and index keys, INCLUDE adds its
 * NonKeyAttributes, ALL everything; Select ALL_PROJECTED_ATTRIBUTES /
 * ALL_ATTRIBUTES against the index's projection; DescribeTable's Projection as
 * created. Sources: DynamoDB API reference API_Query and API_Scan (Select:
 * "ALL_PROJECTED_ATTRIBUTES - Allowed only when querying an index"; "If you use
 * the ProjectionExpression parameter, then the value for Select can only be
 * SPECIFIC_ATTRIBUTES"), API_Projection; developer guide "GSI.Projections";
 * messages as dynalite (actions/query.js) and captured AWS replies record them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

/* Table 'proj' (pk S HASH, sk S RANGE) with three GSIs on 'g' (S): keys
 * (KEYS_ONLY), incl (INCLUDE a, b) and all (ALL), and one item with extra
 * attributes a, b, c. */
static void mk(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'proj','AttributeDefinitions':[{'AttributeName':'pk','"
            "AttributeType':'S'},"
            "{'AttributeName':'sk','AttributeType':'S'},{'AttributeName':'g','"
            "AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'"
            "AttributeName':'sk',"
            "'KeyType':'RANGE'}],'GlobalSecondaryIndexes':["
            "{'IndexName':'keys','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}]"
            ","
            "'Projection':{'ProjectionType':'KEYS_ONLY'}},"
            "{'IndexName':'incl','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}]"
            ","
            "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['a','b']}},"
            "{'IndexName':'all','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],"
            "'Projection':{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'"
            "}"));
    ok(call(e, "PutItem",
            "{'TableName':'proj','Item':{'pk':{'S':'u'},'sk':{'S':'1'},'g':{'S':'x'},"
            "'a':{'S':'A'},'b':{'N':'2'},'c':{'S':'C'}}}"));
}

#define QIDX(idx, extra)                                                           \
    "{'TableName':'proj','IndexName':'" idx "','KeyConditionExpression':'g = :g'," \
    "'ExpressionAttributeValues':{':g':{'S':'x'}}" extra "}"

/* KEYS_ONLY: "Only the index and primary keys are projected into the index"
 * (API_Projection). */
Test(ddb_index_projection, keys_only_returns_table_and_index_keys)
{
    tenv e;
    t_init(&e);
    mk(&e);
    sim_reply *r = call(&e, "Query", QIDX("keys", ""));
    ok(r);
    json_eq(at(r->body, "Items"), "[{'pk':{'S':'u'},'sk':{'S':'1'},'g':{'S':'x'}}]");
    r = call(&e, "Scan", "{'TableName':'proj','IndexName':'keys'}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'pk':{'S':'u'},'sk':{'S':'1'},'g':{'S':'x'}}]");
    t_fini(&e);
}

/* INCLUDE adds NonKeyAttributes to the keys (API_Projection). */
Test(ddb_index_projection, include_adds_non_key_attributes)
{
    tenv e;
    t_init(&e);
    mk(&e);
    const char *want = "[{'pk':{'S':'u'},'sk':{'S':'1'},'g':{'S':'x'},'a':{'S':'"
                       "A'},'b':{'N':'2'}}]";
    sim_reply *r = call(&e, "Query", QIDX("incl", ""));
    ok(r);
    json_eq(at(r->body, "Items"), want);
    r = call(&e, "Query", QIDX("incl", ",'Select':'ALL_PROJECTED_ATTRIBUTES'"));
    ok(r);
    json_eq(at(r->body, "Items"), want);
    r = call(&e, "Scan",
             "{'TableName':'proj','IndexName':'incl','Select':'ALL_PROJECTED_"
             "ATTRIBUTES'}");
    ok(r);
    json_eq(at(r->body, "Items"), want);
    /* Updating a projected attribute reaches the index; an unprojected one is
     * never seen. */
    ok(call(&e, "UpdateItem",
            "{'TableName':'proj','Key':{'pk':{'S':'u'},'sk':{'S':'1'}},'"
            "UpdateExpression':"
            "'SET a = :a, c = :c REMOVE "
            "b','ExpressionAttributeValues':{':a':{'S':'A2'},"
            "':c':{'S':'C2'}}}"));
    r = call(&e, "Query", QIDX("incl", ""));
    ok(r);
    json_eq(at(r->body, "Items"), "[{'pk':{'S':'u'},'sk':{'S':'1'},'g':{'S':'x'},'a':{'S':'A2'}}]");
    t_fini(&e);
}

/* ALL projects every attribute; ALL_ATTRIBUTES and ALL_PROJECTED_ATTRIBUTES
 * agree there (API_Query, Select: "equivalent to specifying ALL_ATTRIBUTES").
 */
Test(ddb_index_projection, all_returns_everything)
{
    tenv e;
    t_init(&e);
    mk(&e);
    const char *want = "[{'pk':{'S':'u'},'sk':{'S':'1'},'g':{'S':'x'},'a':{'S':'A'},"
                       "'b':{'N':'2'},'c':{'S':'C'}}]";
    sim_reply *r = call(&e, "Query", QIDX("all", ""));
    ok(r);
    json_eq(at(r->body, "Items"), want);
    r = call(&e, "Query", QIDX("all", ",'Select':'ALL_ATTRIBUTES'"));
    ok(r);
    json_eq(at(r->body, "Items"), want);
    r = call(&e, "Query", QIDX("all", ",'Select':'ALL_PROJECTED_ATTRIBUTES'"));
    ok(r);
    json_eq(at(r->body, "Items"), want);
    t_fini(&e);
}

/* ALL_ATTRIBUTES on a GSI that does not project ALL (dynalite actions/query.js,
 * scan.js). */
Test(ddb_index_projection, all_attributes_needs_projection_all)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Query", QIDX("keys", ",'Select':'ALL_ATTRIBUTES'")), "ValidationException",
          "One or more parameter values were invalid: Select type ALL_ATTRIBUTES "
          "is not "
          "supported for global secondary index keys because its projection type "
          "is not ALL");
    fails(call(&e, "Scan", "{'TableName':'proj','IndexName':'incl','Select':'ALL_ATTRIBUTES'}"),
          "ValidationException",
          "One or more parameter values were invalid: Select type ALL_ATTRIBUTES "
          "is not "
          "supported for global secondary index incl because its projection type "
          "is not ALL");
    t_fini(&e);
}

/* ALL_PROJECTED_ATTRIBUTES is allowed only with IndexName (API_Query, API_Scan
 * Select). */
Test(ddb_index_projection, all_projected_needs_index_name)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Query",
               "{'TableName':'proj','KeyConditionExpression':'pk = "
               ":p','ExpressionAttributeValues':"
               "{':p':{'S':'u'}},'Select':'ALL_PROJECTED_ATTRIBUTES'}"),
          "ValidationException",
          "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
          "IndexName");
    fails(call(&e, "Scan", "{'TableName':'proj','Select':'ALL_PROJECTED_ATTRIBUTES'}"),
          "ValidationException",
          "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
          "IndexName");
    t_fini(&e);
}

/* A ProjectionExpression goes only with SPECIFIC_ATTRIBUTES; when the IndexName
 * rule is broken too, AWS reports the ProjectionExpression one (API_Query
 * Select). */
Test(ddb_index_projection, projection_expression_only_with_specific)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Scan",
               "{'TableName':'proj','Select':'ALL_PROJECTED_ATTRIBUTES','"
               "ProjectionExpression':'a'}"),
          "ValidationException",
          "Cannot specify the ProjectionExpression when choosing to get "
          "ALL_PROJECTED_ATTRIBUTES");
    fails(call(&e, "Query", QIDX("all", ",'Select':'ALL_ATTRIBUTES','ProjectionExpression':'a'")),
          "ValidationException",
          "Cannot specify the ProjectionExpression when choosing to get "
          "ALL_ATTRIBUTES");
    fails(call(&e, "Scan", "{'TableName':'proj','Select':'COUNT','ProjectionExpression':'a'}"),
          "ValidationException",
          "Cannot specify the ProjectionExpression when choosing to get only the "
          "Count");
    sim_reply *r = call(&e, "Query",
                        QIDX("incl", ",'Select':'SPECIFIC_ATTRIBUTES','ProjectionExpression':'a'"));
    ok(r);
    json_eq(at(r->body, "Items"), "[{'a':{'S':'A'}}]");
    r = call(&e, "Query", QIDX("incl", ",'Select':'COUNT'"));
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 1);
    cr_assert_null(at(r->body, "Items"));
    t_fini(&e);
}

/* Consistent reads are refused on a GSI, on Scan as on Query (dynalite
 * actions/scan.js). */
Test(ddb_index_projection, consistent_read_refused_on_gsi_scan)
{
    tenv e;
    t_init(&e);
    mk(&e);
    fails(call(&e, "Scan", "{'TableName':'proj','IndexName':'all','ConsistentRead':true}"),
          "ValidationException", "Consistent reads are not supported on global secondary indexes");
    t_fini(&e);
}

/* DescribeTable shows each index's Projection as created
 * (API_GlobalSecondaryIndexDescription). */
Test(ddb_index_projection, describe_shows_projection_as_created)
{
    tenv e;
    t_init(&e);
    mk(&e);
    sim_reply *r = call(&e, "DescribeTable", "{'TableName':'proj'}");
    ok(r);
    const cJSON *gs = at(r->body, "Table.GlobalSecondaryIndexes");
    cr_assert_eq(cJSON_GetArraySize(gs), 3);
    int seen = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, gs)
    {
        const char *n = str_at(g, "IndexName");
        if (strcmp(n, "keys") == 0) {
            json_eq(at(g, "Projection"), "{'ProjectionType':'KEYS_ONLY'}");
            seen |= 1;
        } else if (strcmp(n, "incl") == 0) {
            json_eq(at(g, "Projection"),
                    "{'ProjectionType':'INCLUDE','NonKeyAttributes':['a','b']}");
            seen |= 2;
        } else if (strcmp(n, "all") == 0) {
            json_eq(at(g, "Projection"), "{'ProjectionType':'ALL'}");
            seen |= 4;
        }
    }
    cr_assert_eq(seen, 7);
    t_fini(&e);
}
