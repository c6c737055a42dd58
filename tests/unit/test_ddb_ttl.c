/* test_ddb_ttl.c - the TTL sweep on the virtual clock: expired items stay readable until a
 * sweep deletes them, then vanish from the table and its GSIs; non-number TTL attributes
 * are ignored; disabling TTL stops deletion.
 * Source: developer guide "Time to Live (TTL)": "Items that have expired, but haven't yet
 * been deleted by TTL, still appear in reads, queries, and scans"; the TTL attribute must
 * be a Number in epoch seconds, other types are ignored. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "sim/core/sim_clock.h"
#include "tests/unit/test_ddb_util.h"

#define T                                                                                     \
    "{'TableName':'sss','AttributeDefinitions':[{'AttributeName':'id','AttributeType':'S'},"    \
    "{'AttributeName':'g','AttributeType':'S'}],'KeySchema':[{'AttributeName':'id','KeyType':" \
    "'HASH'}],'GlobalSecondaryIndexes':[{'IndexName':'gsi1','KeySchema':[{'AttributeName':'g',"  \
    "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'}"

static long long epoch_s(tenv *e)
{
    return (long long)(sim_clock_epoch_us(&e->clock, sim_sched_now(&e->sched)) / 1000000);
}

static void put(tenv *e, const char *id, const char *ttl)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{'TableName':'sss','Item':{'id':{'S':'%s'},'g':{'S':'x'},%s}}", id,
             ttl);
    ok(call(e, "PutItem", buf));
}

static int present(tenv *e, const char *id)
{
    char buf[256];
    snprintf(buf, sizeof buf, "{'TableName':'sss','Key':{'id':{'S':'%s'}}}", id);
    sim_reply *r = call(e, "GetItem", buf);
    ok(r);
    return at(r->body, "Item") != NULL;
}

static double gsi_count(tenv *e)
{
    sim_reply *r = call(e, "Query", "{'TableName':'sss','IndexName':'gsi1','KeyConditionExpression':"
                                    "'g = :g','ExpressionAttributeValues':{':g':{'S':'x'}},"
                                    "'Select':'COUNT'}");
    ok(r);
    return num_at(r->body, "Count");
}

/* Expiry at t+10 s: still readable at t+9 s, deleted (table and GSI) by t+12 s. */
Test(ddb_ttl, expired_item_deleted_by_the_sweep)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", T));
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'sss','TimeToLiveSpecification':{'Enabled':true,'AttributeName':'exp'}}"));
    char ttl[128];
    long long t0 = epoch_s(&e);
    snprintf(ttl, sizeof ttl, "'exp':{'N':'%lld'}", t0 + 10);
    put(&e, "soon", ttl);
    snprintf(ttl, sizeof ttl, "'exp':{'N':'%lld'}", t0 + 1000);
    put(&e, "later", ttl);
    snprintf(ttl, sizeof ttl, "'exp':{'S':'%lld'}", t0 - 100);
    put(&e, "str", ttl); /* not a number: never deleted */
    put(&e, "none", "'o':{'N':'1'}");
    snprintf(ttl, sizeof ttl, "'exp':{'N':'%lld'}", t0 - 6LL * 365 * 86400);
    put(&e, "ancient", ttl); /* more than five years past: skipped */
    sim_sched_run_for(&e.sched, 9 * SIM_S);
    cr_assert(present(&e, "soon"));
    cr_assert_eq(gsi_count(&e), 5);
    sim_sched_run_for(&e.sched, 3 * SIM_S);
    cr_assert(!present(&e, "soon"));
    cr_assert(present(&e, "later"));
    cr_assert(present(&e, "str"));
    cr_assert(present(&e, "none"));
    cr_assert(present(&e, "ancient"));
    cr_assert_eq(gsi_count(&e), 4);
    ddb_table_counters c;
    cr_assert_eq(ddb_table_stats(e.svc, "sss", &c), 0);
    cr_assert_eq(c.table.item_count, 4);
    cr_assert_eq(c.gsi[0].item_count, 4);
    t_fini(&e);
}

/* The sweep period is configurable (regions.conf [service dynamodb] ttl_sweep_s): with 60 s,
 * an item that expired at t+10 s is still returned at t+59 s and gone by t+60 s. The
 * developer guide allows AWS days ("Time to Live (TTL)": expired items still appear in reads
 * until deleted). */
Test(ddb_ttl, sweep_period_is_configurable)
{
    tenv e;
    t_init(&e);
    ddb_service_set_ttl_sweep(e.svc, 60 * SIM_S);
    ok(call(&e, "CreateTable", T));
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'sss','TimeToLiveSpecification':{'Enabled':true,'AttributeName':'exp'}}"));
    char ttl[128];
    snprintf(ttl, sizeof ttl, "'exp':{'N':'%lld'}", epoch_s(&e) + 10);
    put(&e, "soon", ttl);
    sim_sched_run_for(&e.sched, 59 * SIM_S);
    cr_assert(present(&e, "soon"), "expired at t+10 s, no sweep before t+60 s");
    sim_sched_run_for(&e.sched, 1 * SIM_S);
    cr_assert(!present(&e, "soon"), "the sweep at t+60 s deletes it");
    t_fini(&e);
}

/* An item already expired but not yet swept is returned by reads; after TTL is disabled,
 * no sweep deletes it. */
Test(ddb_ttl, disabled_ttl_deletes_nothing)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", T));
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'sss','TimeToLiveSpecification':{'Enabled':true,'AttributeName':'exp'}}"));
    /* TTL changes once an hour at most (API_UpdateTimeToLive) */
    sim_sched_run_for(&e.sched, 3600 * SIM_S);
    char ttl[128];
    snprintf(ttl, sizeof ttl, "'exp':{'N':'%lld'}", epoch_s(&e) - 5);
    put(&e, "old", ttl);
    cr_assert(present(&e, "old"));
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'sss','TimeToLiveSpecification':{'Enabled':false,'AttributeName':'exp'}}"));
    sim_sched_run_for(&e.sched, 5 * SIM_S);
    cr_assert(present(&e, "old"));
    cr_assert_eq(sim_sched_next_due(&e.sched), -1);
    t_fini(&e);
}

/* The service can be destroyed with the TTL timer armed. */
Test(ddb_ttl, destroy_stops_the_timer)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable", T));
    ok(call(&e, "UpdateTimeToLive",
            "{'TableName':'sss','TimeToLiveSpecification':{'Enabled':true,'AttributeName':'exp'}}"));
    cr_assert_neq(sim_sched_next_due(&e.sched), -1);
    ddb_service_destroy(e.svc);
    e.svc = NULL;
    cr_assert_eq(sim_sched_next_due(&e.sched), -1);
    sim_reply_release(&e.r);
    sim_sched_release(&e.sched);
}
