/* test_lambda_esm.c - SQS event source mappings in virtual time: records carry the body
 * as a string, a successful batch is deleted, a failed one reappears after the visibility
 * timeout and moves to the dead-letter queue after maxReceiveCount, and
 * batchItemFailures deletes all but the listed messages.
 * Sources: Lambda developer guide "Using Lambda with Amazon SQS" (event shape),
 * "Handling errors for an SQS event source in Lambda" (ReportBatchItemFailures);
 * SQS developer guide "Using dead-letter queues". */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "test_world.h"

#define WORLD                                                                                     \
    "[world]\ndefault_region = r1\nclient_region = c\n"                                           \
    "[region c]\nkind = client\n"                                                                 \
    "[latency c r1]\none_way_ms = 10\n"                                                           \
    "[latency r1 r1]\none_way_ms = 1\n"                                                           \
    "[queue work]\nvisibility_timeout_s = 30\ndead_letter_queue = dlq\nmax_receive_count = 2\n"   \
    "[queue dlq]\n"                                                                               \
    "[function consume]\nhandler = t.consume\ntimeout_s = 10\n"                                   \
    "[event_source_mapping m]\nqueue = work\nfunction = consume\nbatch_size = 10\n"               \
    "maximum_concurrency = 2\nreport_batch_item_failures = true\n"

/* Records what the consumer saw; fails bodies starting with "fail", reports those
 * starting with "partial" as batch item failures. Test-local state, one test at a time. */
typedef struct seen {
    int invocations;
    int records;
    char bodies[64][32];
    int nbodies;
} seen;

static seen *g_seen; /* test fixture: the only way a handler table reaches test state */

static int h_consume(lambda_ctx *ctx, const cJSON *event, cJSON **out)
{
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(event, "Records");
    const cJSON *r;
    cJSON *res = cJSON_CreateObject();
    cJSON *fails = cJSON_AddArrayToObject(res, "batchItemFailures");
    g_seen->invocations++;
    int fail_all = 0;
    cJSON_ArrayForEach(r, recs)
    {
        const char *body = cJSON_GetObjectItemCaseSensitive(r, "body")->valuestring;
        cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(r, "eventSource")->valuestring, "aws:sqs");
        cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(r, "eventSourceARN")->valuestring,
                         "arn:aws:sqs:r1:000000000000:work");
        g_seen->records++;
        if (g_seen->nbodies < 64)
            snprintf(g_seen->bodies[g_seen->nbodies++], 32, "%s", body);
        if (strncmp(body, "fail", 4) == 0)
            fail_all = 1;
        if (strncmp(body, "partial", 7) == 0) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "itemIdentifier",
                                    cJSON_GetObjectItemCaseSensitive(r, "messageId")->valuestring);
            cJSON_AddItemToArray(fails, f);
        }
    }
    if (fail_all) {
        cJSON_Delete(res);
        return lambda_error(ctx, "Error", "batch failed");
    }
    *out = res;
    return 0;
}

static const lambda_handler_def handlers[] = { { "t.consume", h_consume }, { NULL, NULL } };

static void on_reply(void *arg, sim_reply *r)
{
    cr_assert_not(sim_reply_failed(r), "%s: %s", r->code, r->message);
    if (arg)
        sim_reply_move(arg, r);
}

static void send(sim_world *w, const char *queue, const char *body)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "QueueUrl", queue);
    cJSON_AddStringToObject(req, "MessageBody", body);
    sqs_call(w->sqs, "SendMessage", req, on_reply, NULL);
    cJSON_Delete(req);
}

/* ApproximateNumberOfMessages + NotVisible of queue. */
static int depth(sim_world *w, const char *queue)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "QueueUrl", queue);
    cJSON *names = cJSON_AddArrayToObject(req, "AttributeNames");
    cJSON_AddItemToArray(names, cJSON_CreateString("All"));
    sim_reply r;
    sim_reply_init(&r);
    sqs_call(w->sqs, "GetQueueAttributes", req, on_reply, &r);
    cJSON_Delete(req);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r.body, "Attributes");
    int n = atoi(cJSON_GetObjectItemCaseSensitive(a, "ApproximateNumberOfMessages")->valuestring) +
            atoi(cJSON_GetObjectItemCaseSensitive(a, "ApproximateNumberOfMessagesNotVisible")
                     ->valuestring);
    sim_reply_release(&r);
    return n;
}

Test(lambda_esm, success_deletes_and_failure_redelivers_then_dead_letters)
{
    seen s = { 0 };
    g_seen = &s;
    sim_world *w = test_world(WORLD, handlers);
    send(w, "work", "ok-1");
    sim_sched_run_for(&w->sched, 2 * SIM_S);
    cr_assert_eq(s.records, 1);
    cr_assert_str_eq(s.bodies[0], "ok-1");
    cr_assert_eq(depth(w, "work"), 0); /* deleted after success */

    send(w, "work", "fail-1");
    sim_sched_run_for(&w->sched, 2 * SIM_S);
    cr_assert_eq(s.records, 2);
    cr_assert_eq(depth(w, "work"), 1); /* in flight, invisible */
    sim_sched_run_for(&w->sched, 25 * SIM_S);
    cr_assert_eq(s.records, 2); /* still hidden before 30 s */
    sim_sched_run_for(&w->sched, 10 * SIM_S);
    cr_assert_eq(s.records, 3); /* second receive after the visibility timeout */
    sim_sched_run_for(&w->sched, 40 * SIM_S);
    cr_assert_eq(s.records, 3); /* a third receive would exceed maxReceiveCount 2 */
    cr_assert_eq(depth(w, "work"), 0);
    cr_assert_eq(depth(w, "dlq"), 1);
    sim_world_destroy(w);
}

Test(lambda_esm, batch_item_failures_keep_only_the_listed_messages)
{
    seen s = { 0 };
    g_seen = &s;
    sim_world *w = test_world(WORLD, handlers);
    send(w, "work", "a");
    send(w, "work", "partial-b");
    send(w, "work", "c");
    sim_sched_run_for(&w->sched, 2 * SIM_S);
    cr_assert_eq(s.records, 3);
    cr_assert_eq(depth(w, "work"), 1); /* only partial-b stays */
    sim_sched_run_for(&w->sched, 31 * SIM_S);
    cr_assert_eq(s.records, 4);
    cr_assert_str_eq(s.bodies[3], "partial-b");
    sim_world_destroy(w);
}
