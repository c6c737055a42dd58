/* test_ddb_meta_persist.c - tags and the TTL setting are part of a table's saved definition:
 * they survive a reload from the database file (stratus --data), and the TTL sweep resumes.
 * Sources: API_TagResource / API_ListTagsOfResource, API_UpdateTimeToLive /
 * API_DescribeTimeToLive (settings belong to the table until it is deleted). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "storage/ddb.h"
#include "tests/unit/test_ddb_util.h"

#define ARN "arn:aws:dynamodb:us-west-2:123456789012:table/sessions"

static void open_at(tenv *e, const char *path)
{
    ddb_options o = { .db_path = path, .region = "us-west-2", .account_id = "123456789012" };
    cr_assert_eq(ddb_service_create(&e->sched, &e->rng, NULL, &o, &e->svc), 0);
}

Test(ddb_meta_persist, tags_and_ttl_survive_a_reload)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/stratus_ddb_meta_%ld.db", (long)getpid());
    tenv e;
    sim_clock_init_virtual(&e.clock);
    sim_sched_init(&e.sched, &e.clock);
    sim_rng_seed(&e.rng, 7);
    sim_reply_init(&e.r);
    open_at(&e, path);
    ok(call(&e, "CreateTable",
            "{'TableName':'sessions','AttributeDefinitions':[{'AttributeName':'id',"
            "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
            "'BillingMode':'PAY_PER_REQUEST','Tags':[{'Key':'team','Value':'web'}]}"));
    ok(call(&e, "TagResource",
            "{'ResourceArn':'" ARN "','Tags':[{'Key':'env','Value':'dev'},{'Key':'gone',"
            "'Value':'x'}]}"));
    ok(call(&e, "UntagResource", "{'ResourceArn':'" ARN "','TagKeys':['gone']}"));
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'sessions','TimeToLiveSpecification':{'Enabled':true,"
            "'AttributeName':'exp'}}"));
    /* expires 5 s from now on the virtual clock */
    char put[160];
    snprintf(put, sizeof put, "{'TableName':'sessions','Item':{'id':{'S':'a'},'exp':{'N':'%lld'}}}",
             (long long)(sim_clock_epoch_us(&e.clock, sim_sched_now(&e.sched)) / SIM_S + 5));
    ok(call(&e, "PutItem", put));
    ddb_service_destroy(e.svc);

    open_at(&e, path);
    sim_reply *r = call(&e, "ListTagsOfResource", "{'ResourceArn':'" ARN "'}");
    ok(r);
    json_eq(at(r->body, "Tags"), "[{'Key':'team','Value':'web'},{'Key':'env','Value':'dev'}]");
    r = call(&e, "DescribeTimeToLive", "{'TableName':'sessions'}");
    ok(r);
    json_eq(at(r->body, "TimeToLiveDescription"),
            "{'TimeToLiveStatus':'ENABLED','AttributeName':'exp'}");
    /* the sweep runs again after the reload */
    sim_sched_run_for(&e.sched, 10 * SIM_S);
    r = call(&e, "Scan", "{'TableName':'sessions','Select':'COUNT'}");
    cr_assert_eq(num_at(r->body, "Count"), 0);
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'sessions','TimeToLiveSpecification':{'Enabled':false,"
            "'AttributeName':'exp'}}"));
    ddb_service_destroy(e.svc);
    open_at(&e, path);
    r = call(&e, "DescribeTimeToLive", "{'TableName':'sessions'}");
    json_eq(at(r->body, "TimeToLiveDescription"), "{'TimeToLiveStatus':'DISABLED'}");
    t_fini(&e);
    char p2[160];
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path);
    unlink(p2);
}
