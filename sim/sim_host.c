/* sim_host.c - the running process: loop, HTTP fronts, the AWS endpoint's router, the
 * demo population and the drain at shutdown. */
#include "sim_host.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers/tw.h"
#include "sim/core/sim_err.h"

#define MAX_BODY_BYTES ((size_t)32 * 1024 * 1024)
#define DRAIN_US (5 * SIM_S)

const char *sim_host_config_path(const char *path)
{
    static const char *const candidates[] = {
        "regions.conf",
        "/usr/local/share/stratus/regions.conf",
        "/usr/share/stratus/regions.conf",
    };
    if (path != NULL)
        return path;
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return NULL;
}

/* Virtual time behind HTTP: a request arrives at the current virtual instant and the
 * scheduler runs (jumping the clock) until its reply is ready; between requests virtual
 * time stands still. The exchange's completion is wrapped to learn when it is done. */
typedef struct vreq {
    void (*complete)(sim_http_exchange *x); /* the front's */
    void *front_data;
    int done;
} vreq;

static void vreq_complete(sim_http_exchange *x)
{
    vreq *v = x->front_data;
    v->done = 1;
    x->front_data = v->front_data;
    x->complete = v->complete;
    x->complete(x);
}

static void route_aws(void *arg, sim_http_exchange *x);
static void route_api(void *arg, sim_http_exchange *x);

/* Serve x through serve_fn, then run virtual time until x is answered (bounded). */
static void serve_virtual(sim_host *h, sim_http_exchange *x,
                          void (*serve_fn)(void *arg, sim_http_exchange *x))
{
    sim_world *w = h->world;
    vreq v = { x->complete, x->front_data, 0 };
    x->complete = vreq_complete;
    x->front_data = &v;
    h->virtual_time = 0; /* the nested call serves directly */
    serve_fn(h, x);
    h->virtual_time = 1;
    sim_time_us limit = sim_now_us(w) + 3600 * SIM_S;
    while (!v.done && sim_now_us(w) < limit)
        if (sim_sched_run_until_idle(&w->sched, 1) == 0)
            break;
    if (!v.done) { /* nothing left that could answer it */
        static const char body[] = "{\"message\":\"no reply in virtual time\"}";
        sim_http_resp_set(&x->resp, 504, "application/json", body, sizeof body - 1);
        vreq_complete(x);
    }
}

/* The AWS endpoint: health, DynamoDB, SQS (JSON and query), API Gateway's
 * /restapis/... form, and S3 for everything else. */
static void route_aws(void *arg, sim_http_exchange *x)
{
    sim_host *h = arg;
    sim_world *w = h->world;
    sim_http_req *req = &x->req;
    if (h->virtual_time) {
        serve_virtual(h, x, route_aws);
        return;
    }
    sim_sched_refresh(&w->sched);
    const char *target = sim_http_req_header(req, "X-Amz-Target");
    const char *ctype = sim_http_req_header(req, "Content-Type");
    if (req->body_too_large) {
        static const char body[] = "{\"__type\":\"com.amazon.coral.service#"
                                   "RequestEntityTooLargeException\",\"message\":\"Request "
                                   "entity too large\"}";
        if (target == NULL && strncmp(req->path, "/_stratus", 9) != 0) {
            static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                                      "EntityTooLarge</Code><Message>Your proposed upload "
                                      "exceeds the maximum allowed size</Message></Error>";
            sim_http_resp_set(&x->resp, 400, "application/xml", xml, sizeof xml - 1);
        } else {
            sim_http_resp_set(&x->resp, 413, "application/x-amz-json-1.0", body, sizeof body - 1);
        }
        x->complete(x);
        return;
    }
    if (strcmp(req->path, "/_stratus/health") == 0) {
        cJSON *doc = sim_world_health(w);
        sim_http_resp_json(&x->resp, 200, "application/json", doc);
        cJSON_Delete(doc);
        x->complete(x);
        return;
    }
    if (strcmp(req->path, "/_stratus/clock") == 0 && strcmp(req->method, "POST") == 0) {
        /* Time travel for development: {"advance_seconds": N} moves the clock forward. */
        cJSON *body = cJSON_ParseWithLength(req->body ? (const char *)req->body : "",
                                            req->body_len);
        const cJSON *adv = cJSON_GetObjectItemCaseSensitive(body, "advance_seconds");
        /* At most 100 years ahead of time zero in all: the clock is int64 microseconds. */
        double room_s = (double)(100LL * 365 * 86400 * SIM_S - sim_now_us(w)) / 1e6;
        if (!cJSON_IsNumber(adv) || adv->valuedouble < 0 || adv->valuedouble > room_s) {
            static const char bad[] = "{\"message\":\"expected {\\\"advance_seconds\\\": N}, 0 <= N, "
                                      "at most 100 years past the start in all\"}";
            sim_http_resp_set(&x->resp, 400, "application/json", bad, sizeof bad - 1);
        } else {
            sim_time_us d = (sim_time_us)(adv->valuedouble * 1e6);
            if (w->clock.virtual_mode)
                sim_sched_run_for(&w->sched, d); /* every event on the way fires in order */
            else
                sim_clock_advance(&w->clock, d);
            sim_sched_refresh(&w->sched);
            cJSON *doc = sim_world_health(w);
            sim_http_resp_json(&x->resp, 200, "application/json", doc);
            cJSON_Delete(doc);
        }
        cJSON_Delete(body);
        x->complete(x);
        return;
    }
    if (target && strncmp(target, "DynamoDB_20120810.", 18) == 0) {
        ddb_http_serve(w->ddb, x);
        return;
    }
    if (target && strncmp(target, "AmazonSQS.", 10) == 0) {
        sqs_http_serve(w->sqs, x);
        return;
    }
    if (target != NULL) { /* a JSON-protocol call to a service Stratus does not have */
        static const char body[] = "{\"__type\":\"com.amazon.coral.service#"
                                   "UnknownOperationException\",\"message\":null}";
        sim_http_resp_set(&x->resp, 400, "application/x-amz-json-1.0", body, sizeof body - 1);
        x->complete(x);
        return;
    }
    if (strncmp(req->path, "/restapis/", 10) == 0) {
        apigw_http_serve_aws(w->gateway, x);
        return;
    }
    int form = ctype && strncmp(ctype, "application/x-www-form-urlencoded", 33) == 0;
    if (sim_http_req_query(req, "Action") ||
        (form && req->body && (strncmp((const char *)req->body, "Action=", 7) == 0 ||
                               strstr((const char *)req->body, "&Action=")))) {
        sqs_http_serve(w->sqs, x);
        return;
    }
    s3_http_serve(w->s3, x);
}

static void route_api(void *arg, sim_http_exchange *x)
{
    sim_host *h = arg;
    if (h->virtual_time) {
        serve_virtual(h, x, route_api);
        return;
    }
    sim_sched_refresh(&h->world->sched);
    apigw_http_serve(h->world->gateway, x);
}

static void on_signal(uv_signal_t *s, int signum)
{
    sim_host *h = s->data;
    h->stop_requested = 1;
    uv_stop(&h->loop);
}

/* "section|key|value" */
static int apply_override(sim_config *cfg, const char *spec)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *k = strchr(buf, '|');
    char *v = k ? strchr(k + 1, '|') : NULL;
    if (!k || !v) {
        fprintf(stderr, "stratus: bad override '%s' (want section|key|value)\n", spec);
        return -SIM_ECONFIG;
    }
    *k++ = '\0';
    *v++ = '\0';
    return sim_config_set(cfg, buf, k, v, stderr);
}

int sim_host_open(sim_host *h, const sim_host_options *opt)
{
    memset(h, 0, sizeof *h);
    const char *path = sim_host_config_path(opt->config_path);
    if (path == NULL) {
        fprintf(stderr, "stratus: no regions.conf here or installed; pass --config FILE\n");
        return -SIM_ECONFIG;
    }
    sim_config *cfg = NULL;
    int rc = sim_config_load(path, stderr, &cfg);
    if (rc)
        return rc;
    if (opt->faults_path && (rc = sim_config_merge(cfg, opt->faults_path, stderr)) != 0) {
        sim_config_destroy(cfg);
        return rc;
    }
    for (const char **o = opt->overrides; o && *o; o++)
        if ((rc = apply_override(cfg, *o)) != 0) {
            sim_config_destroy(cfg);
            return rc;
        }
    if ((rc = sim_config_check(cfg, stderr)) != 0) {
        sim_config_destroy(cfg);
        return rc;
    }
    uv_loop_init(&h->loop);
    if (opt->listen) {
        rc = sim_http_start(&h->loop, opt->aws_port, MAX_BODY_BYTES, route_aws, h, &h->aws_http);
        if (rc == 0)
            rc = sim_http_start(&h->loop, opt->api_port, MAX_BODY_BYTES, route_api, h,
                                &h->api_http);
        if (rc != 0) {
            sim_config_destroy(cfg);
            sim_host_close(h);
            return rc;
        }
        snprintf(h->aws_url, sizeof h->aws_url, "http://127.0.0.1:%d", sim_http_port(h->aws_http));
        snprintf(h->api_url, sizeof h->api_url, "http://127.0.0.1:%d/%s",
                 sim_http_port(h->api_http), cfg->napis ? cfg->apis[0].stage : "");
    } else {
        snprintf(h->aws_url, sizeof h->aws_url, "http://127.0.0.1:%d",
                 opt->aws_port ? opt->aws_port : 4566);
    }
    sim_world_options wopt = {
        .data_dir = opt->data_dir,
        .seed = opt->seed_given ? opt->seed : cfg->seed,
        .virtual_time = opt->virtual_time,
        .endpoint_url = h->aws_url,
        .handlers = tw_handlers,
        .log_out = stderr,
        .log_level = opt->log_level,
        .latency_scale = opt->latency_scale,
        .trace_out = opt->trace_out,
    };
    rc = sim_world_create(cfg, &wopt, &h->world);
    h->virtual_time = opt->virtual_time;
    if (rc == 0 && !h->virtual_time)
        rc = sim_uv_init(&h->uv, &h->loop, &h->world->sched);
    if (rc != 0) {
        sim_host_close(h);
        return rc;
    }
    uv_signal_init(&h->loop, &h->sigint);
    uv_signal_init(&h->loop, &h->sigterm);
    h->sigint.data = h->sigterm.data = h;
    uv_signal_start(&h->sigint, on_signal, SIGINT);
    uv_signal_start(&h->sigterm, on_signal, SIGTERM);
    uv_unref((uv_handle_t *)&h->sigint);
    uv_unref((uv_handle_t *)&h->sigterm);
    return 0;
}

void sim_host_run_until(sim_host *h, volatile int *flag)
{
    while (!*flag && !h->stop_requested) {
        if (h->virtual_time) { /* nothing waits on the wall clock */
            if (sim_sched_run_until_idle(&h->world->sched, 1) == 0)
                break;
            continue;
        }
        sim_uv_kick(&h->uv);
        uv_run(&h->loop, UV_RUN_ONCE);
    }
}

int sim_host_run(sim_host *h)
{
    while (!h->stop_requested) {
        if (!h->virtual_time)
            sim_uv_kick(&h->uv);
        uv_run(&h->loop, UV_RUN_DEFAULT);
    }
    return 0;
}

typedef struct populate_state {
    uv_loop_t *loop;
    volatile int done;
    int failed;
    int tty;
    int last_decile;
    sim_time_us started_wall;
    char *summary;
} populate_state;

static void on_progress(void *arg, int64_t done, int64_t total)
{
    populate_state *ps = arg;
    if (total <= 0)
        return;
    int pct = (int)(done * 100 / total);
    if (ps->tty) {
        int bar = pct / 4;
        fprintf(stderr, "\rpopulate [%-25.*s] %3d%% %lld/%lld", bar,
                "#########################", pct, (long long)done, (long long)total);
        if (done >= total)
            fputc('\n', stderr);
    } else if (pct / 10 > ps->last_decile || done >= total) {
        ps->last_decile = pct / 10;
        fprintf(stderr, "populate: %d%% (%lld/%lld)\n", pct, (long long)done, (long long)total);
    }
}

static void on_populated(void *arg, lambda_result *res)
{
    populate_state *ps = arg;
    ps->failed = res->function_error;
    ps->summary = cJSON_PrintUnformatted(res->payload);
    ps->done = 1;
    uv_stop(ps->loop); /* do not block in poll for the next timer */
}

/* wcuAfter: each table's and index's configured WCU, so population leaves them as
 * regions.conf says. */
static cJSON *configured_wcu(const sim_config *cfg)
{
    cJSON *m = cJSON_CreateObject();
    for (size_t i = 0; i < cfg->ntables; i++) {
        cJSON_AddNumberToObject(m, cfg->tables[i].name, (double)cfg->tables[i].wcu);
        for (size_t j = 0; j < cfg->tables[i].ngsis; j++)
            cJSON_AddNumberToObject(m, cfg->tables[i].gsis[j].name,
                                    (double)cfg->tables[i].gsis[j].wcu);
    }
    return m;
}

cJSON *sim_host_populate_event(const sim_config *cfg, int64_t count)
{
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "count", (double)count);
    cJSON_AddStringToObject(ev, "base", "@donald");
    cJSON_AddStringToObject(ev, "followee", "@daisy");
    cJSON_AddStringToObject(ev, "firstName", "Donald");
    cJSON_AddStringToObject(ev, "lastName", "Duck");
    cJSON_AddStringToObject(ev, "followeeFirstName", "Daisy");
    cJSON_AddStringToObject(ev, "followeeLastName", "Duck");
    cJSON_AddStringToObject(ev, "password", "password");
    cJSON_AddNumberToObject(ev, "pictures", 4);
    cJSON_AddNumberToObject(ev, "wcuLoad", 10000);
    cJSON_AddItemToObject(ev, "wcuAfter", configured_wcu(cfg));
    return ev;
}

int sim_host_populate(sim_host *h, int64_t count)
{
    sim_world *w = h->world;
    populate_state ps = { .loop = &h->loop, .tty = isatty(2), .last_decile = -1 };
    ps.started_wall = sim_clock_wall_us();
    cJSON *ev = sim_host_populate_event(w->cfg, count);
    lambda_service_set_progress(w->lambda, on_progress, &ps);
    w->populating = 1;
    int region = lambda_function_region(w->lambda, "tweeterPopulate");
    int rc = lambda_invoke(w->lambda, "tweeterPopulate", ev, region, on_populated, &ps);
    if (rc != 0) {
        cJSON_Delete(ev);
        fprintf(stderr, "stratus: populate: no function tweeterPopulate in %s\n", w->cfg->path);
        return rc;
    }
    sim_host_run_until(h, &ps.done);
    w->populating = 0;
    lambda_service_set_progress(w->lambda, NULL, NULL);
    sim_time_us took = sim_clock_wall_us() - ps.started_wall;
    if (!ps.done)
        rc = -SIM_ECANCELED;
    else if (ps.failed) {
        fprintf(stderr, "stratus: populate failed: %s\n", ps.summary ? ps.summary : "");
        rc = -SIM_EFUNC;
    } else
        fprintf(stderr, "populate: done in %.2f s: %s\n", (double)took / 1e6,
                ps.summary ? ps.summary : "");
    cJSON_free(ps.summary);
    return rc;
}

void sim_host_close(sim_host *h)
{
    if (h->world) {
        /* Drain: stop accepting, let API requests in flight finish (bounded), then stop
         * the world (ends long polls and pollers) and answer whatever is left. */
        sim_http_quiesce(h->aws_http);
        sim_http_quiesce(h->api_http);
        h->stop_requested = 0;
        sim_time_us until = sim_clock_wall_us() + DRAIN_US;
        while (!h->virtual_time && apigw_in_flight(h->world->gateway) > 0 &&
               sim_clock_wall_us() < until && !h->stop_requested) {
            sim_uv_kick(&h->uv);
            uv_run(&h->loop, UV_RUN_ONCE);
        }
        sim_world_stop(h->world);
    }
    sim_http_stop(h->aws_http);
    sim_http_stop(h->api_http);
    h->aws_http = h->api_http = NULL;
    if (h->world) {
        if (!h->virtual_time)
            sim_uv_close(&h->uv);
        uv_close((uv_handle_t *)&h->sigint, NULL);
        uv_close((uv_handle_t *)&h->sigterm, NULL);
    }
    sim_world_destroy(h->world);
    h->world = NULL;
    uv_run(&h->loop, UV_RUN_DEFAULT);
    uv_loop_close(&h->loop);
}
