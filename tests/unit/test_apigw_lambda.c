/* test_apigw_lambda.c - API Gateway in front of Lambda, in virtual time: exact latencies
 * of cold and warm starts, the error mapping, the 403 for unknown routes, CORS, timeouts,
 * reserved concurrency; and SQS event source mappings with batch item failures.
 * Sources: API Gateway guide "Handle Lambda errors in API Gateway"; Lambda guide
 * "Lambda function scaling", "Configure Lambda function timeout",
 * "Handling errors for an SQS event source" (ReportBatchItemFailures). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "test_world.h"

#define WORLD                                                                                     \
    "[world]\ndefault_region = r1\nclient_region = c\n"                                           \
    "[region c]\nkind = client\n"                                                                 \
    "[latency c r1]\none_way_ms = 10\n"                                                           \
    "[latency r1 r1]\none_way_ms = 1.5\n"                                                         \
    "[service apigateway]\noverhead_ms = 2\n"                                                     \
    "[service lambda]\nwarm_overhead_ms = 3\nprovision_ms = 100\ninit_ms = 50\n"                  \
    "idle_timeout_s = 600\n"                                                                      \
    "[service sqs]\ndefault_ms = 4\n"                                                             \
    "[function echo]\nhandler = t.echo\n"                                                         \
    "[function fail]\nhandler = t.fail\n"                                                         \
    "[function slow]\nhandler = t.slow\ntimeout_s = 1\n"                                          \
    "[function single]\nhandler = t.slowok\nreserved_concurrency = 1\ntimeout_s = 10\n"           \
    "[api a]\nstage = production\nroute = POST /echo echo\nroute = POST /fail fail\n"             \
    "route = POST /slow slow\nroute = POST /single single\n"                                      \
    "error_response = 400 ^\\[Bad Request\\].*\nerror_response = 500 ^\\[Server Error\\].*\n"

static int h_echo(lambda_ctx *ctx, const cJSON *event, cJSON **out)
{
    *out = cJSON_Duplicate(event, 1);
    return 0;
}

static int h_fail(lambda_ctx *ctx, const cJSON *event, cJSON **out)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(event, "msg");
    return lambda_error(ctx, "Error", "%s", cJSON_IsString(m) ? m->valuestring : "boom");
}

static int h_slow(lambda_ctx *ctx, const cJSON *event, cJSON **out)
{
    int rc = lambda_sleep(ctx, 5 * SIM_S);
    cr_assert_eq(rc, -SIM_ETIMEDOUT); /* woken by the timeout, it must unwind */
    return rc;
}

static int h_slowok(lambda_ctx *ctx, const cJSON *event, cJSON **out)
{
    int rc = lambda_sleep(ctx, 2 * SIM_S);
    if (rc == 0)
        *out = cJSON_CreateString("done");
    return rc;
}

static const lambda_handler_def handlers[] = {
    { "t.echo", h_echo }, { "t.fail", h_fail }, { "t.slow", h_slow }, { "t.slowok", h_slowok },
    { NULL, NULL },
};

typedef struct exch {
    sim_http_exchange x;
    int completed;
    sim_time_us at;
    sim_world *w;
} exch;

static void on_complete(sim_http_exchange *x)
{
    exch *e = (exch *)x;
    e->completed++;
    e->at = sim_now_us(e->w);
}

static exch *request(sim_world *w, const char *method, const char *path, const char *body)
{
    exch *e = calloc(1, sizeof *e);
    e->w = w;
    e->x.req.method = strdup(method);
    e->x.req.path = strdup(path);
    if (body) {
        e->x.req.body = (unsigned char *)strdup(body);
        e->x.req.body_len = strlen(body);
    }
    e->x.complete = on_complete;
    apigw_http_serve(w->gateway, &e->x);
    return e;
}

static void exch_free(exch *e)
{
    sim_http_req_release(&e->x.req);
    sim_http_resp_release(&e->x.resp);
    free(e);
}

static const char *header(const exch *e, const char *name)
{
    for (size_t i = 0; i < e->x.resp.nheaders; i++)
        if (strcasecmp(e->x.resp.headers[i].name, name) == 0)
            return e->x.resp.headers[i].value;
    return NULL;
}

Test(apigw, cold_then_warm_start_with_exact_latency)
{
    sim_world *w = test_world(WORLD, handlers);
    exch *e = request(w, "POST", "/production/echo", "{\"a\":1}");
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(e->completed, 1);
    cr_assert_eq(e->x.resp.status, 200);
    cr_assert_str_eq((char *)e->x.resp.body, "{\"a\":1}");
    /* 10 in + 2 gateway + 1.5 to Lambda + (100 provision + 50 init + 3) + 1.5 + 10 out */
    cr_assert_eq(e->at, 178000);
    cr_assert_str_eq(header(e, "Access-Control-Allow-Origin"), "*");
    exch_free(e);
    sim_time_us t0 = sim_now_us(w);
    e = request(w, "POST", "/production/echo", "{\"b\":2}");
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(e->at - t0, 28000); /* warm: 10 + 2 + 1.5 + 3 + 1.5 + 10 */
    exch_free(e);
    lambda_stats st;
    lambda_service_stats(w->lambda, &st);
    cr_assert_eq(st.cold_starts, 1);
    cr_assert_eq(st.invocations, 2);
    sim_world_destroy(w);
}

Test(apigw, errors_map_by_regex_and_unmatched_go_out_as_200)
{
    sim_world *w = test_world(WORLD, handlers);
    exch *a = request(w, "POST", "/production/fail", "{\"msg\":\"[Bad Request] no alias\"}");
    exch *b = request(w, "POST", "/production/fail", "{\"msg\":\"[Server Error] db down\"}");
    exch *c = request(w, "POST", "/production/fail", "{\"msg\":\"plain failure\"}");
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(a->x.resp.status, 400);
    cr_assert_str_eq((char *)a->x.resp.body,
                     "{\"errorMessage\":\"[Bad Request] no alias\",\"errorType\":\"Error\","
                     "\"stackTrace\":[]}");
    cr_assert_eq(b->x.resp.status, 500);
    cr_assert_eq(c->x.resp.status, 200);
    exch_free(a);
    exch_free(b);
    exch_free(c);
    sim_world_destroy(w);
}

Test(apigw, unknown_route_is_403_missing_authentication_token)
{
    sim_world *w = test_world(WORLD, handlers);
    const char *paths[][2] = { { "POST", "/echo" }, /* no stage */
                               { "POST", "/production/ech" },
                               { "GET", "/production/echo" } };
    for (int i = 0; i < 3; i++) {
        exch *e = request(w, paths[i][0], paths[i][1], "{}");
        sim_sched_run_until_idle(&w->sched, 100000);
        cr_assert_eq(e->x.resp.status, 403, "%s %s", paths[i][0], paths[i][1]);
        cr_assert_str_eq((char *)e->x.resp.body, "{\"message\":\"Missing Authentication Token\"}");
        cr_assert_str_eq(header(e, "x-amzn-ErrorType"), "MissingAuthenticationTokenException");
        exch_free(e);
    }
    lambda_stats st;
    lambda_service_stats(w->lambda, &st);
    cr_assert_eq(st.invocations, 0); /* no Lambda is invoked */
    const sim_cfg_route *near = apigw_route_closest(&w->cfg->apis[0], "POST", "/production/ech");
    cr_assert_str_eq(near->path, "/echo");
    sim_world_destroy(w);
}

Test(apigw, options_answers_cors_preflight)
{
    sim_world *w = test_world(WORLD, handlers);
    exch *e = request(w, "OPTIONS", "/production/echo", NULL);
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(e->x.resp.status, 200);
    cr_assert_str_eq(header(e, "Access-Control-Allow-Methods"), "OPTIONS,POST");
    cr_assert_str_eq(header(e, "Access-Control-Allow-Origin"), "*");
    exch_free(e);
    sim_world_destroy(w);
}

Test(apigw, malformed_body_is_400_and_server_keeps_serving)
{
    sim_world *w = test_world(WORLD, handlers);
    exch *e = request(w, "POST", "/production/echo", "{not json");
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(e->x.resp.status, 400);
    exch_free(e);
    e = request(w, "POST", "/production/echo", "{}");
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(e->x.resp.status, 200);
    exch_free(e);
    sim_world_destroy(w);
}

Test(lambda, timeout_fails_the_invocation_at_exactly_the_limit)
{
    sim_world *w = test_world(WORLD, handlers);
    exch *e = request(w, "POST", "/production/slow", "{}");
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(e->x.resp.status, 200); /* unmatched error: 200 with the error body */
    cr_assert(strstr((char *)e->x.resp.body, "Task timed out after 1.00 seconds"));
    /* 10 + 2 + 1.5 + 153 cold + 1000 timeout + 1.5 + 10 */
    cr_assert_eq(e->at, 1178000);
    lambda_stats st;
    lambda_service_stats(w->lambda, &st);
    cr_assert_eq(st.timeouts, 1);
    cr_assert_eq(st.in_flight, 0);
    exch_free(e);
    sim_world_destroy(w);
}

Test(lambda, reserved_concurrency_throttles_the_second_invocation)
{
    sim_world *w = test_world(WORLD, handlers);
    exch *a = request(w, "POST", "/production/single", "{}");
    exch *b = request(w, "POST", "/production/single", "{}");
    sim_sched_run_until_idle(&w->sched, 100000);
    cr_assert_eq(a->x.resp.status, 200);
    cr_assert_str_eq((char *)a->x.resp.body, "\"done\"");
    cr_assert_eq(b->x.resp.status, 500);
    cr_assert_str_eq((char *)b->x.resp.body, "{\"message\":\"Internal server error\"}");
    lambda_stats st;
    lambda_service_stats(w->lambda, &st);
    cr_assert_eq(st.throttles, 1);
    exch_free(a);
    exch_free(b);
    sim_world_destroy(w);
}
