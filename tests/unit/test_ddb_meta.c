/* test_ddb_meta.c - TagResource, UntagResource, ListTagsOfResource, DescribeTimeToLive,
 * UpdateTimeToLive (requests and errors), DescribeLimits and DescribeEndpoints.
 * Sources: DynamoDB API reference API_TagResource, API_UntagResource,
 * API_ListTagsOfResource, API_UpdateTimeToLive, API_DescribeTimeToLive, API_DescribeLimits,
 * API_DescribeEndpoints; developer guide "Tagging restrictions" (50 tags per resource);
 * messages as dynalite gives them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

#define ARN "arn:aws:dynamodb:us-west-2:123456789012:table/users"
#define USERS                                                                                 \
    "{'TableName':'users','AttributeDefinitions':[{'AttributeName':'handle','AttributeType':" \
    "'S'}],'KeySchema':[{'AttributeName':'handle','KeyType':'HASH'}],"                        \
    "'BillingMode':'PAY_PER_REQUEST'"

static void mk(tenv *e, const char *extra)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s}", USERS, extra);
    ok(call(e, "CreateTable", buf));
}

/* API_TagResource, API_ListTagsOfResource, API_UntagResource: round trip. */
Test(ddb_meta, tag_list_untag)
{
    tenv e;
    t_init(&e);
    mk(&e, "");
    sim_reply *r = call(&e, "ListTagsOfResource", "{'ResourceArn':'" ARN "'}");
    ok(r);
    json_eq(r->body, "{'Tags':[]}");
    ok(call(&e, "TagResource",
            "{'ResourceArn':'" ARN "','Tags':[{'Key':'env','Value':'prod'},{'Key':'o','Value':''}]}"));
    ok(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Key':'env','Value':'dev'}]}"));
    r = call(&e, "ListTagsOfResource", "{'ResourceArn':'" ARN "'}");
    ok(r);
    json_eq(r->body, "{'Tags':[{'Key':'env','Value':'dev'},{'Key':'o','Value':''}]}");
    r = call(&e, "UntagResource", "{'ResourceArn':'" ARN "','TagKeys':['env','nope']}");
    ok(r);
    r = call(&e, "ListTagsOfResource", "{'ResourceArn':'" ARN "'}");
    json_eq(r->body, "{'Tags':[{'Key':'o','Value':''}]}");
    t_fini(&e);
}

/* API_CreateTable: Tags given at creation are the table's tags; a new table of the same
 * name starts without them. */
Test(ddb_meta, create_table_tags_kept_and_dropped_with_table)
{
    tenv e;
    t_init(&e);
    mk(&e, ",'Tags':[{'Key':'a','Value':'1'}]");
    sim_reply *r = call(&e, "ListTagsOfResource", "{'ResourceArn':'" ARN "'}");
    ok(r);
    json_eq(r->body, "{'Tags':[{'Key':'a','Value':'1'}]}");
    ok(call(&e, "DeleteTable", "{'TableName':'users'}"));
    mk(&e, "");
    r = call(&e, "ListTagsOfResource", "{'ResourceArn':'" ARN "'}");
    json_eq(r->body, "{'Tags':[]}");
    t_fini(&e);
}

/* API_TagResource errors: validation, bad ARN, missing table, empty list, 50-tag limit. */
Test(ddb_meta, tag_errors)
{
    tenv e;
    t_init(&e);
    mk(&e, "");
    /* an absent ResourceArn is "Invalid TableArn" before anything else: dynalite's
     * test/tagResource.js "should return ValidationException for no ResourceArn", recorded
     * against DynamoDB (this test pinned the model's two "must not be null" errors before) */
    fails(call(&e, "TagResource", "{}"), "ValidationException", "Invalid TableArn");
    /* (added) tag keys and values are checked in DynamoDB's own words (recorded live by the
     * ack-api-quirks catalogue, DDB-TABLE-107) */
    fails(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Key':'','Value':'v'}]}"),
          "ValidationException", "The Tag Key provided is invalid, Key: ");
    fails(call(&e, "TagResource", "{'ResourceArn':'x','Tags':[{'Key':'k','Value':'v'}]}"),
          "ValidationException", "Invalid TableArn");
    fails(call(&e, "TagResource",
               "{'ResourceArn':'arn:aws:dynamodb:us-west-2:123456789012:table/nope',"
               "'Tags':[{'Key':'k','Value':'v'}]}"),
          "ResourceNotFoundException",
          "Requested resource not found: ResourcArn: "
          "arn:aws:dynamodb:us-west-2:123456789012:table/nope not found");
    fails(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[]}"), "ValidationException",
          "Atleast one Tag needs to be provided as Input.");
    fails(call(&e, "UntagResource", "{'ResourceArn':'" ARN "','TagKeys':[]}"),
          "ValidationException", "Atleast one Tag Key needs to be provided as Input.");
    fails(call(&e, "UntagResource", "{'ResourceArn':'" ARN "'}"), "ValidationException",
          "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
          "Member must not be null");
    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf, "{'ResourceArn':'" ARN "','Tags':[");
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s{'Key':'k%d','Value':'v'}",
                              i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "]}");
    ok(call(&e, "TagResource", buf));
    ok(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Key':'k3','Value':'w'}]}"));
    fails(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Key':'z','Value':'v'}]}"),
          "ValidationException",
          "Number of Tags exceed the current limit for the provided ResourceArn");
    t_fini(&e);
}

/* (Added.) Developer guide "Tagging restrictions": keys 1..128 and values 0..256 characters
 * of letters, numbers, spaces and + - = . _ : / @, no aws: prefix, at most 50 tags; a bad
 * tag fails the whole call. Messages as DynamoDB answers them (ack-api-quirks catalogue,
 * DDB-TABLE-107, -110, -372). */
Test(ddb_meta, tag_restrictions)
{
    tenv e;
    t_init(&e);
    mk(&e, "");
    char k129[140], buf[8192];
    memset(k129, 'k', 129);
    k129[129] = '\0';
    snprintf(buf, sizeof buf,
             "{'ResourceArn':'" ARN "','Tags':[{'Key':'good','Value':'v'},{'Key':'%s','Value':"
             "'v'}]}",
             k129);
    char msg[256];
    snprintf(msg, sizeof msg, "The Tag Key provided is invalid, Key: %s", k129);
    fails(call(&e, "TagResource", buf), "ValidationException", msg);
    fails(call(&e, "TagResource",
               "{'ResourceArn':'" ARN "','Tags':[{'Key':'good','Value':'v'},{'Key':'aws:zzz',"
               "'Value':'v'}]}"),
          "ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:zzz");
    fails(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Key':'k'}]}"),
          "ValidationException", "The Tag Value provided is invalid, Value: null");
    fails(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Value':'v'}]}"),
          "ValidationException", "The Tag Key provided is invalid, Key: null");
    fails(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Key':'k','Value':'100%'}]}"),
          "ValidationException", "The Tag Value provided is invalid, Value: 100%");
    fails(call(&e, "TagResource", "{'ResourceArn':'" ARN "','Tags':[{'Key':'a,b','Value':'v'}]}"),
          "ValidationException", "The Tag Key provided is invalid, Key: a,b");
    fails(call(&e, "TagResource",
               "{'ResourceArn':'" ARN "','Tags':[{'Key':'dup','Value':'1'},{'Key':'dup',"
               "'Value':'2'}]}"),
          "ValidationException",
          "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup");
    /* nothing of a refused call was applied */
    sim_reply *r = call(&e, "ListTagsOfResource", "{'ResourceArn':'" ARN "'}");
    json_eq(r->body, "{'Tags':[]}");
    /* letters of any script, spaces and the allowed punctuation are fine */
    ok(call(&e, "TagResource",
            "{'ResourceArn':'" ARN "','Tags':[{'Key':'caf\u00e9 \u043a\u043b\u044e\u0447',"
            "'Value':'a+b-c=d.e_f:g/h@i'},{'Key':'empty','Value':''}]}"));
    /* UntagResource: the same key rule, and at most 50 keys */
    fails(call(&e, "UntagResource", "{'ResourceArn':'" ARN "','TagKeys':['']}"),
          "ValidationException", "The Tag Key provided is invalid, Key: ");
    size_t n = (size_t)snprintf(buf, sizeof buf, "{'ResourceArn':'" ARN "','TagKeys':[");
    for (int i = 0; i < 51; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s'k%d'", i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "]}");
    fails(call(&e, "UntagResource", buf), "ValidationException",
          "Number of Tags exceed the current limit for the provided ResourceArn");
    /* CreateTable's Tags are checked the same way, and a bad one creates nothing */
    fails(call(&e, "CreateTable",
               "{'TableName':'tagged','AttributeDefinitions':[{'AttributeName':'id',"
               "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
               "'BillingMode':'PAY_PER_REQUEST','Tags':[{'Key':'aws:foo','Value':'v'}]}"),
          "ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:foo");
    fails(call(&e, "DescribeTable", "{'TableName':'tagged'}"), "ResourceNotFoundException",
          "Requested resource not found: Table: tagged not found");
    t_fini(&e);
}

/* API_UpdateTimeToLive / API_DescribeTimeToLive: status and the already-set errors. */
Test(ddb_meta, time_to_live_settings)
{
    tenv e;
    t_init(&e);
    mk(&e, "");
    sim_reply *r = call(&e, "DescribeTimeToLive", "{'TableName':'users'}");
    ok(r);
    json_eq(r->body, "{'TimeToLiveDescription':{'TimeToLiveStatus':'DISABLED'}}");
    r = call(&e, "UpdateTimeToLive",
             "{'TableName':'users','TimeToLiveSpecification':{'Enabled':true,'AttributeName':'exp'}}");
    ok(r);
    json_eq(r->body, "{'TimeToLiveSpecification':{'Enabled':true,'AttributeName':'exp'}}");
    r = call(&e, "DescribeTimeToLive", "{'TableName':'users'}");
    json_eq(r->body,
            "{'TimeToLiveDescription':{'TimeToLiveStatus':'ENABLED','AttributeName':'exp'}}");
    fails(call(&e, "UpdateTimeToLive",
               "{'TableName':'users','TimeToLiveSpecification':{'Enabled':true,'AttributeName':'exp'}}"),
          "ValidationException", "TimeToLive is already enabled");
    fails(call(&e, "UpdateTimeToLive",
               "{'TableName':'users','TimeToLiveSpecification':{'Enabled':true,'AttributeName':'x'}}"),
          "ValidationException",
          "TimeToLive is active on a different AttributeName: current AttributeName is exp");
    /* (added) one change an hour (API_UpdateTimeToLive), after the checks above */
    fails(call(&e, "UpdateTimeToLive",
               "{'TableName':'users','TimeToLiveSpecification':{'Enabled':false,'AttributeName':'exp'}}"),
          "ValidationException",
          "Time to live has been modified multiple times within a fixed interval");
    sim_sched_run_for(&e.sched, 3599 * SIM_S);
    fails(call(&e, "UpdateTimeToLive",
               "{'TableName':'users','TimeToLiveSpecification':{'Enabled':false,'AttributeName':'exp'}}"),
          "ValidationException",
          "Time to live has been modified multiple times within a fixed interval");
    sim_sched_run_for(&e.sched, SIM_S);
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'users','TimeToLiveSpecification':{'Enabled':false,'AttributeName':'exp'}}"));
    fails(call(&e, "UpdateTimeToLive",
               "{'TableName':'users','TimeToLiveSpecification':{'Enabled':false,'AttributeName':'exp'}}"),
          "ValidationException", "TimeToLive is already disabled");
    fails(call(&e, "UpdateTimeToLive", "{'TableName':'users'}"), "ValidationException",
          "1 validation error detected: Value null at 'timeToLiveSpecification' failed to "
          "satisfy constraint: Member must not be null");
    fails(call(&e, "UpdateTimeToLive", "{'TableName':'users','TimeToLiveSpecification':{}}"),
          "ValidationException",
          "2 validation errors detected: Value null at 'timeToLiveSpecification.enabled' "
          "failed to satisfy constraint: Member must not be null; Value null at "
          "'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must "
          "not be null"); /* the model's member order, as dynalite test/updateTimeToLive.js */
    fails(call(&e, "DescribeTimeToLive", "{'TableName':'nope'}"), "ResourceNotFoundException",
          "Requested resource not found: Table: nope not found");
    fails(call(&e, "DescribeTimeToLive", "{}"), "ValidationException", /* dynalite */
          "The parameter 'TableName' is required but was not present in the request");
    t_fini(&e);
}

/* API_DescribeLimits and API_DescribeEndpoints. */
Test(ddb_meta, limits_and_endpoints)
{
    tenv e;
    t_init(&e);
    sim_reply *r = call(&e, "DescribeLimits", "{}");
    ok(r);
    json_eq(r->body, "{'AccountMaxReadCapacityUnits':80000,'AccountMaxWriteCapacityUnits':80000,"
                     "'TableMaxReadCapacityUnits':40000,'TableMaxWriteCapacityUnits':40000}");
    r = call(&e, "DescribeEndpoints", "{}");
    ok(r);
    json_eq(r->body, "{'Endpoints':[{'Address':'dynamodb.us-west-2.amazonaws.com',"
                     "'CachePeriodInMinutes':1440}]}");
    t_fini(&e);
}
