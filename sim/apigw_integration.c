/* apigw_integration.c - the gateway: request in from the client's region, the non-proxy
 * Lambda integration (parsed body in, result or mapped error out), CORS, the 403 for an
 * unknown route, and the integration timeout. Routing helpers are in apigw_route.c. */
#include "apigw.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"

#define INTEGRATION_TIMEOUT_US (29 * SIM_S) /* API Gateway quotas: 29 s default */
#define PAYLOAD_MAX_BYTES ((size_t)10485760) /* API Gateway quotas: 10 MB payload */
#define INVOKE_MAX_BYTES ((size_t)6291456)   /* Lambda quotas: 6 MB synchronous payload */

typedef struct apigw_api {
    const sim_cfg_api *cfg; /* borrowed */
    regex_t *patterns;      /* owned, compiled error_response patterns */
    size_t npatterns;
} apigw_api;

struct apigw {
    sim_services *svc;      /* borrowed */
    lambda_service *ls;     /* borrowed */
    sim_rng rng;            /* request ids */
    apigw_api *apis;        /* owned */
    size_t napis;
    int in_flight;
    struct apigw_req *reqs; /* owned: requests in flight */
};

typedef struct apigw_req {
    apigw *gw;
    sim_http_exchange *x;   /* borrowed until completed */
    const apigw_api *api;
    const sim_cfg_route *route; /* NULL: answer without invoking */
    char request_id[37];
    sim_timer timer;        /* arrival, then the response's trip back */
    sim_timer timeout;      /* integration timeout */
    int status;             /* response */
    char *body;             /* owned JSON text */
    int invoked, answered;
    int lambda_pending;     /* an invocation will still call back with this request */
    int delivered;          /* the exchange was completed */
    cJSON *event;           /* owned until invoked */
    struct apigw_req *next, *prev; /* in gw->reqs */
} apigw_req;

static void req_free(apigw_req *rq)
{
    apigw *gw = rq->gw;
    if (rq->prev)
        rq->prev->next = rq->next;
    else
        gw->reqs = rq->next;
    if (rq->next)
        rq->next->prev = rq->prev;
    if (!rq->delivered)
        gw->in_flight--;
    sim_timer_stop(gw->svc->sched, &rq->timer);
    sim_timer_stop(gw->svc->sched, &rq->timeout);
    free(rq->body);
    cJSON_Delete(rq->event);
    free(rq);
}

int apigw_create(sim_services *svc, lambda_service *ls, sim_rng *parent, apigw **out)
{
    apigw *gw = calloc(1, sizeof *gw);
    if (gw == NULL)
        return -SIM_ENOMEM;
    gw->svc = svc;
    gw->ls = ls;
    sim_rng_fork(parent, &gw->rng);
    const sim_config *cfg = svc->cfg;
    gw->apis = calloc(cfg->napis ? cfg->napis : 1, sizeof *gw->apis);
    if (gw->apis == NULL) {
        free(gw);
        return -SIM_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < cfg->napis; i++) {
        apigw_api *a = &gw->apis[gw->napis++];
        a->cfg = &cfg->apis[i];
        a->patterns = calloc(a->cfg->nresponses ? a->cfg->nresponses : 1, sizeof *a->patterns);
        if (a->patterns == NULL) {
            rc = -SIM_ENOMEM;
            break;
        }
        for (size_t j = 0; j < a->cfg->nresponses; j++) {
            if (regcomp(&a->patterns[j], a->cfg->responses[j].pattern,
                        REG_EXTENDED | REG_NOSUB) != 0) {
                SIM_LOGE(svc->log, "apigw", "%s:%d: error_response: bad regex '%s'", cfg->path,
                         a->cfg->responses[j].line, a->cfg->responses[j].pattern);
                rc = -SIM_ECONFIG;
                break;
            }
            a->npatterns++;
        }
        if (rc)
            break;
    }
    if (rc) {
        apigw_destroy(gw);
        return rc;
    }
    *out = gw;
    return 0;
}

void apigw_destroy(apigw *gw)
{
    if (gw == NULL)
        return;
    while (gw->reqs) /* their exchanges were answered by the HTTP front's stop */
        req_free(gw->reqs);
    for (size_t i = 0; i < gw->napis; i++) {
        for (size_t j = 0; j < gw->apis[i].npatterns; j++)
            regfree(&gw->apis[i].patterns[j]);
        free(gw->apis[i].patterns);
    }
    free(gw->apis);
    free(gw);
}

int apigw_in_flight(const apigw *gw)
{
    return gw->in_flight;
}

/* Headers every gateway response carries. */
static void common_headers(sim_http_resp *resp, const char *request_id)
{
    sim_http_resp_header(resp, "x-amzn-RequestId", request_id);
    sim_http_resp_header(resp, "Access-Control-Allow-Origin", "*");
}

/* The response is back at the client: complete the exchange and free the request. */
static void on_delivered(void *arg)
{
    apigw_req *rq = arg;
    sim_http_exchange *x = rq->x;
    if (rq->status == 403 && rq->route == NULL)
        sim_http_resp_header(&x->resp, "x-amzn-ErrorType", "MissingAuthenticationTokenException");
    common_headers(&x->resp, rq->request_id);
    const char *body = rq->body ? rq->body : "";
    sim_http_resp_set(&x->resp, rq->status, "application/json", body, strlen(body));
    char what[600], status[16];
    snprintf(what, sizeof what, "%s %s", x->req.method, x->req.path);
    snprintf(status, sizeof status, "%d", rq->status);
    sim_trace_event(rq->gw->svc->trace, sim_sched_now(rq->gw->svc->sched), "api", what,
                    rq->request_id, status);
    rq->delivered = 1;
    rq->x = NULL;
    rq->gw->in_flight--;
    if (!rq->lambda_pending) /* else freed when the late invocation result arrives */
        req_free(rq);
    x->complete(x);
}

/* Answer now (status and body text taken): the reply travels back to the client. */
static void answer(apigw_req *rq, int status, char *body)
{
    if (rq->answered) {
        free(body);
        return;
    }
    rq->answered = 1;
    rq->status = status;
    rq->body = body;
    sim_services *svc = rq->gw->svc;
    sim_timer_stop(svc->sched, &rq->timeout);
    sim_time_us back = sim_region_latency_us(svc->region, rq->api ? rq->api->cfg->region : -1,
                                             svc->cfg->client_region);
    if (sim_timer_start(svc->sched, &rq->timer, sim_sched_now(svc->sched) + back, on_delivered,
                        rq) != 0)
        on_delivered(rq);
}

static char *message_body(const char *message)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "message", message);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* Status for a Lambda error: the first error_response pattern matching errorMessage. */
static int map_error(const apigw_api *api, const cJSON *payload)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(payload, "errorMessage");
    const char *msg = cJSON_IsString(m) ? m->valuestring : "";
    for (size_t i = 0; i < api->npatterns; i++)
        if (regexec(&api->patterns[i], msg, 0, NULL, 0) == 0)
            return api->cfg->responses[i].status;
    return 200;
}

static void on_lambda_done(void *arg, lambda_result *res)
{
    apigw_req *rq = arg;
    rq->lambda_pending = 0;
    if (rq->answered) { /* the integration timed out first: the late result is dropped */
        if (rq->delivered)
            req_free(rq);
        return;
    }
    if (res->throttled) {
        SIM_LOGW(rq->gw->svc->log, "apigw", "%s: %s throttled (TooManyRequestsException)",
                 rq->request_id, rq->route->function);
        answer(rq, 500, message_body("Internal server error"));
        return;
    }
    int status = res->function_error ? map_error(rq->api, res->payload) : 200;
    answer(rq, status, cJSON_PrintUnformatted(res->payload));
}

static void on_integration_timeout(void *arg)
{
    apigw_req *rq = arg;
    SIM_LOGW(rq->gw->svc->log, "apigw", "%s: %s did not answer within 29 s", rq->request_id,
             rq->route->function);
    answer(rq, 504, message_body("Endpoint request timed out"));
}

/* The request reached the API's region: add the gateway's overhead, then integrate. */
static void on_arrive(void *arg)
{
    apigw_req *rq = arg;
    apigw *gw = rq->gw;
    sim_services *svc = gw->svc;
    if (rq->route == NULL) {
        char *body = rq->body;
        rq->body = NULL;
        answer(rq, rq->status, body);
        return;
    }
    if (!rq->invoked) {
        rq->invoked = 1;
        sim_time_us overhead = sim_region_service_us(svc->region, "apigateway", "overhead");
        sim_timer_start(svc->sched, &rq->timer, sim_sched_now(svc->sched) + overhead, on_arrive, rq);
        return;
    }
    sim_timer_start(svc->sched, &rq->timeout, sim_sched_now(svc->sched) + INTEGRATION_TIMEOUT_US,
                    on_integration_timeout, rq);
    cJSON *event = rq->event;
    rq->event = NULL;
    rq->lambda_pending = 1;
    if (lambda_invoke(gw->ls, rq->route->function, event, rq->api->cfg->region, on_lambda_done,
                      rq) != 0) {
        rq->lambda_pending = 0;
        cJSON_Delete(event);
        answer(rq, 500, message_body("Internal server error"));
    }
}

/* Route x within api for resource path `path` (after the stage). */
static void serve(apigw *gw, const apigw_api *api, const char *path, sim_http_exchange *x)
{
    sim_services *svc = gw->svc;
    apigw_req *rq = calloc(1, sizeof *rq);
    if (rq == NULL) {
        sim_http_resp_set(&x->resp, 500, "application/json", "{\"message\":\"Internal server error\"}", 35);
        x->complete(x);
        return;
    }
    rq->gw = gw;
    rq->x = x;
    rq->api = api;
    sim_timer_init(&rq->timer);
    sim_timer_init(&rq->timeout);
    sim_rng_uuid(&gw->rng, rq->request_id);
    gw->in_flight++;
    rq->next = gw->reqs;
    if (gw->reqs)
        gw->reqs->prev = rq;
    gw->reqs = rq;
    const char *method = x->req.method;
    if (api != NULL && path != NULL && strcmp(method, "OPTIONS") == 0 &&
        apigw_route_path_exists(api->cfg, path)) {
        /* The CORS mock integration of "Enable CORS". */
        sim_http_resp_header(&x->resp, "Access-Control-Allow-Headers",
                             "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token");
        sim_http_resp_header(&x->resp, "Access-Control-Allow-Methods", "OPTIONS,POST");
        rq->status = 200;
        rq->body = strdup("{}");
    } else if (api == NULL || path == NULL ||
               (rq->route = apigw_route_find(api->cfg, method, path)) == NULL) {
        rq->status = 403;
        rq->body = message_body("Missing Authentication Token");
        const sim_cfg_api *cfg_api = api ? api->cfg : (svc->cfg->napis ? &svc->cfg->apis[0] : NULL);
        const sim_cfg_route *near =
            cfg_api ? apigw_route_closest(cfg_api, method, x->req.path) : NULL;
        if (near)
            SIM_LOGW(svc->log, "apigw",
                     "403 Missing Authentication Token: no route %s %s; closest is %s /%s%s "
                     "(%s:%d)",
                     method, x->req.path, near->method, cfg_api->stage, near->path,
                     svc->cfg->path, near->line);
        else
            SIM_LOGW(svc->log, "apigw", "403 Missing Authentication Token: no route %s %s",
                     method, x->req.path);
    } else if (x->req.body_too_large || x->req.body_len > PAYLOAD_MAX_BYTES) {
        /* What API Gateway answers over its payload limit (text, not JSON). */
        rq->route = NULL;
        rq->status = 413;
        rq->body = strdup("HTTP content length exceeded 10485760 bytes.");
    } else if (x->req.body_len > INVOKE_MAX_BYTES) {
        /* Lambda refuses the invocation payload; API Gateway passes that on. */
        rq->route = NULL;
        rq->status = 413;
        rq->body = message_body("Request Too Long");
    } else {
        const char *body = x->req.body_len ? (const char *)x->req.body : "{}";
        rq->event = cJSON_ParseWithLength(body, x->req.body_len ? x->req.body_len : 2);
        if (rq->event == NULL) {
            /* API Gateway's answer when a body cannot be parsed for the integration. */
            rq->route = NULL;
            rq->status = 400;
            rq->body = message_body("Could not parse request body into json: Unexpected "
                                    "character: was expecting a JSON value");
        }
    }
    sim_time_us in = sim_region_latency_us(svc->region, svc->cfg->client_region,
                                           api ? api->cfg->region : svc->cfg->default_region);
    if (sim_timer_start(svc->sched, &rq->timer, sim_sched_now(svc->sched) + in, on_arrive, rq) != 0)
        on_arrive(rq);
}

void apigw_http_serve(apigw *gw, sim_http_exchange *x)
{
    const char *p = x->req.path;
    for (size_t i = 0; i < gw->napis; i++) {
        const char *stage = gw->apis[i].cfg->stage;
        size_t n = strlen(stage);
        if (p[0] == '/' && strncmp(p + 1, stage, n) == 0 && p[1 + n] == '/') {
            serve(gw, &gw->apis[i], p + 1 + n, x);
            return;
        }
    }
    serve(gw, gw->napis ? &gw->apis[0] : NULL, NULL, x);
}

void apigw_http_serve_aws(apigw *gw, sim_http_exchange *x)
{
    /* /restapis/{api}/{stage}/_user_request_/{path} */
    const char *p = x->req.path + strlen("/restapis/");
    const char *slash = strchr(p, '/');
    for (size_t i = 0; slash && i < gw->napis; i++) {
        const sim_cfg_api *a = gw->apis[i].cfg;
        size_t n = strlen(a->name), sn = strlen(a->stage);
        if ((size_t)(slash - p) == n && strncmp(p, a->name, n) == 0 &&
            strncmp(slash + 1, a->stage, sn) == 0 &&
            strncmp(slash + 1 + sn, "/_user_request_/", 16) == 0) {
            serve(gw, &gw->apis[i], slash + 1 + sn + 15, x);
            return;
        }
    }
    serve(gw, NULL, NULL, x);
}
