/* test_tw_fanout.c - Tweeter's post fan-out on the shipped regions.conf, in virtual time:
 * populate, post through API Gateway, let both queues and their consumers run, count feed
 * rows; then redeliver an update-feed message and check no duplicate rows appear.
 * Sources: tweeter-api.md section 6 (fan-out; "a redelivered message must not create
 * duplicate feed rows"); AWS SQS developer guide, "at-least-once delivery". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/tw.h"
#include "test_world.h"

#define FOLLOWERS 120

static sim_world *tweeter_world(void)
{
    sim_config *cfg = NULL;
    cr_assert_eq(sim_config_load("regions.conf", stderr, &cfg), 0);
    cr_assert_eq(sim_config_set(cfg, "function tweeterPopulate", "env.BCRYPT_COST", "4", stderr), 0);
    cr_assert_eq(sim_config_set(cfg, "function tweeterLoginUser", "env.BCRYPT_COST", "4", stderr), 0);
    sim_world_options opt = { .seed = 7,
                              .virtual_time = 1,
                              .endpoint_url = "http://127.0.0.1:4566",
                              .handlers = tw_handlers,
                              .log_out = stderr,
                              .log_level = SIM_LOG_WARN,
                              .latency_scale = 1.0 };
    sim_world *w = NULL;
    cr_assert_eq(sim_world_create(cfg, &opt, &w), 0);
    return w;
}

typedef struct done_flag {
    int done, failed;
    cJSON *payload;
} done_flag;

static void on_done(void *arg, lambda_result *res)
{
    done_flag *d = arg;
    d->done = 1;
    d->failed = res->function_error;
    d->payload = res->payload;
    res->payload = NULL;
}

/* Invoke function with event (taken) and run virtual time until it answers. */
static cJSON *invoke(sim_world *w, const char *fn, cJSON *event)
{
    done_flag d = { 0 };
    cr_assert_eq(lambda_invoke(w->lambda, fn, event, lambda_function_region(w->lambda, fn),
                               on_done, &d),
                 0);
    for (int i = 0; i < 100000 && !d.done; i++)
        sim_sched_run_for(&w->sched, 100 * SIM_MS);
    cr_assert(d.done);
    cr_assert_not(d.failed, "%s failed: %s", fn, cJSON_PrintUnformatted(d.payload));
    return d.payload;
}

static long feed_rows(sim_world *w)
{
    sim_reply r = test_ddb(w, "Scan", "{\"TableName\":\"feed\",\"Select\":\"COUNT\"}");
    cr_assert_not(sim_reply_failed(&r), "%s %s", r.code, r.message);
    long n = (long)cJSON_GetObjectItemCaseSensitive(r.body, "Count")->valuedouble;
    sim_reply_release(&r);
    return n;
}

static void populate(sim_world *w)
{
    cJSON *ev = cJSON_Parse("{\"count\":120,\"base\":\"@donald\",\"followee\":\"@daisy\","
                            "\"firstName\":\"Donald\",\"lastName\":\"Duck\","
                            "\"followeeFirstName\":\"Daisy\",\"followeeLastName\":\"Duck\","
                            "\"password\":\"password\",\"pictures\":2,\"wcuLoad\":0,"
                            "\"wcuAfter\":0}");
    cJSON_Delete(invoke(w, "tweeterPopulate", ev));
}

Test(tw_fanout, every_follower_gets_the_post_exactly_once_even_when_redelivered)
{
    sim_world *w = tweeter_world();
    populate(w);
    cr_assert_eq(feed_rows(w), 0);
    /* Log in and post as @daisy through the gateway's integration. */
    cJSON *login = invoke(w, "tweeterLoginUser",
                          cJSON_Parse("{\"alias\":\"@daisy\",\"password\":\"password\"}"));
    const char *token =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(login, "authToken"),
                                         "token")
            ->valuestring;
    cJSON *post = cJSON_CreateObject();
    cJSON_AddStringToObject(post, "token", token);
    cJSON *st = cJSON_AddObjectToObject(post, "newStatus");
    cJSON_AddStringToObject(st, "post", "hello followers");
    cJSON_AddItemToObject(st, "user",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(login, "user"), 1));
    cJSON_AddNumberToObject(st, "timestamp", 1767225600123.0);
    char *user_json = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(login, "user"));
    cJSON_Delete(invoke(w, "tweeterPostStatus", post));
    cJSON_Delete(login);
    /* Let the queues drain: bounded virtual time. */
    for (int i = 0; i < 600 && feed_rows(w) < FOLLOWERS; i++)
        sim_sched_run_for(&w->sched, 100 * SIM_MS);
    cr_assert_eq(feed_rows(w), FOLLOWERS);

    /* Redelivery: the same chunk arrives again; rows are overwritten, never duplicated. */
    char body[4096];
    int n = snprintf(body, sizeof body,
                     "{\"status\":{\"post\":\"hello followers\",\"user\":%s,"
                     "\"timestamp\":1767225600123},\"followerAliases\":[",
                     user_json);
    for (int i = 1; i <= 30; i++)
        n += snprintf(body + n, sizeof body - (size_t)n, "%s\"@donald%d\"", i > 1 ? "," : "", i);
    snprintf(body + n, sizeof body - (size_t)n, "]}");
    cJSON_free(user_json);
    cJSON *ev = cJSON_CreateObject();
    cJSON *recs = cJSON_AddArrayToObject(ev, "Records");
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "messageId", "redelivered-1");
    cJSON_AddStringToObject(rec, "body", body);
    cJSON_AddItemToArray(recs, rec);
    cJSON *res = invoke(w, "tweeterPostStatusProcessing", ev);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "batchItemFailures")), 0);
    cJSON_Delete(res);
    cr_assert_eq(feed_rows(w), FOLLOWERS);
    /* The newest item of a follower's feed is the post, once. */
    sim_reply r = test_ddb(w, "Query",
                           "{\"TableName\":\"feed\",\"KeyConditionExpression\":\"alias = :a\","
                           "\"ExpressionAttributeValues\":{\":a\":{\"S\":\"@donald7\"}}}");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(r.body, "Count")->valuedouble, 1);
    sim_reply_release(&r);
    sim_world_destroy(w);
}
