/* test_sim_fault.c - seeded fault injection: a [fault] window fails exactly the calls
 * inside it (each retried as the AWS SDK retries a 5xx: "Retry behavior", AWS SDKs and
 * Tools reference guide), and the same seed injects the same faults. */
#include <criterion/criterion.h>
#include <string.h>

#include "test_world.h"

#define WORLD                                                                                     \
    "[world]\ndefault_region = r1\nclient_region = c\n"                                           \
    "[region c]\nkind = client\n"                                                                 \
    "[latency c r1]\none_way_ms = 10\n"                                                           \
    "[latency r1 r1]\none_way_ms = 1\n"                                                           \
    "[table things]\npartition_key = id:S\n"                                                      \
    "[function writer]\nhandler = t.writer\n"                                                     \
    "[fault blip]\nservice = dynamodb\noperation = PutItem\nkind = internal_error\n"              \
    "probability = 1\nstart_s = 10\nend_s = 20\n"

static int h_writer(lambda_ctx *ctx, const cJSON *event, cJSON **out)
{
    cJSON *req = cJSON_Parse("{\"TableName\":\"things\",\"Item\":{\"id\":{\"S\":\"x\"}}}");
    sim_reply r;
    sim_reply_init(&r);
    int rc = sim_ddb(ctx, "PutItem", req, &r);
    cJSON_Delete(req);
    *out = cJSON_CreateString(rc ? "c-error" : sim_reply_failed(&r) ? r.code : "ok");
    cJSON *status = cJSON_CreateNumber(r.status);
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, *out);
    cJSON_AddItemToArray(arr, status);
    *out = arr;
    sim_reply_release(&r);
    return 0;
}

static const lambda_handler_def handlers[] = { { "t.writer", h_writer }, { NULL, NULL } };

typedef struct outcome {
    int done;
    char code[64];
    int status;
} outcome;

static void on_done(void *arg, lambda_result *res)
{
    outcome *o = arg;
    o->done = 1;
    snprintf(o->code, sizeof o->code, "%s", cJSON_GetArrayItem(res->payload, 0)->valuestring);
    o->status = (int)cJSON_GetArrayItem(res->payload, 1)->valuedouble;
}

/* Invoke writer at virtual time at_s and return what its PutItem got. */
static outcome write_at(sim_world *w, int at_s)
{
    sim_time_us now = sim_now_us(w);
    if (now < at_s * SIM_S)
        sim_sched_run_for(&w->sched, at_s * SIM_S - now);
    outcome o = { 0 };
    cr_assert_eq(lambda_invoke(w->lambda, "writer", cJSON_CreateObject(), 0, on_done, &o), 0);
    sim_sched_run_for(&w->sched, 2 * SIM_S);
    cr_assert(o.done);
    return o;
}

Test(sim_fault, a_window_fails_exactly_the_calls_inside_it)
{
    sim_world *w = test_world(WORLD, handlers);
    outcome a = write_at(w, 5), b = write_at(w, 15), c = write_at(w, 25);
    cr_assert_str_eq(a.code, "ok");
    cr_assert_eq(a.status, 200);
    cr_assert_str_eq(b.code, "InternalServerError");
    cr_assert_eq(b.status, 500);
    cr_assert_str_eq(c.code, "ok");
    /* The failed PutItem was attempted 3 times, as the AWS SDK retries a 500; all three
     * fell inside the window. */
    cr_assert_eq(w->faults.injected, 3);
    cr_assert_eq(w->svc.calls_retried, 2);
    sim_world_destroy(w);
}

#define HALF                                                                                      \
    "[world]\ndefault_region = r1\nclient_region = c\n"                                           \
    "[region c]\nkind = client\n"                                                                 \
    "[latency c r1]\none_way_ms = 10\n"                                                           \
    "[latency r1 r1]\none_way_ms = normal(2, 0.5)\n"                                              \
    "[table things]\npartition_key = id:S\n"                                                      \
    "[function writer]\nhandler = t.writer\n"                                                     \
    "[fault half]\nservice = dynamodb\nkind = throttle\nprobability = 0.5\n"

Test(sim_fault, the_same_seed_injects_the_same_faults)
{
    char seq[2][41];
    for (int run = 0; run < 2; run++) {
        sim_world *w = test_world(HALF, handlers);
        for (int i = 0; i < 40; i++) {
            outcome o = write_at(w, 3 * i + 1);
            seq[run][i] = strcmp(o.code, "ok") == 0 ? '.' : 'T';
        }
        seq[run][40] = '\0';
        sim_world_destroy(w);
    }
    cr_assert_str_eq(seq[0], seq[1]);
    cr_assert(strchr(seq[0], 'T') && strchr(seq[0], '.'), "%s", seq[0]);
}
