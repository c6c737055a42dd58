/* sim_caller.c - service calls through the region model. A call leaves its caller's
 * region, arrives after a one-way latency, runs on the service at that instant, takes
 * the service's own time, and travels back; the caller's fiber is resumed when the reply
 * lands. Fibers are only ever resumed from main context (a timer callback). */
#include "sim_caller.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"

struct sim_call {
    sim_caller *caller;   /* borrowed; NULL once orphaned */
    sim_services *svc;    /* borrowed */
    int kind;             /* enum sim_call_kind */
    char op[48];          /* operation name */
    char *resource;       /* owned: table, queue or bucket name (may be NULL) */
    cJSON *req;           /* owned copy of the request */
    void *data;           /* S3 put: owned bytes */
    size_t len;
    char *bucket, *key, *ctype; /* S3 put: owned */
    int target_region;    /* region of the resource */
    sim_reply reply;      /* the outcome, once executed */
    sim_timer timer;      /* arrival, then return */
    int arrived;          /* the request reached its service (it may still be waiting) */
    int executed;         /* the service ran it */
    int done;             /* the reply arrived back at the caller */
    int awaited;          /* the caller is blocked awaiting this call */
    int attempts;         /* sends so far (SDK-style retries) */
    sim_call *next, *prev; /* in svc->calls */
};

void sim_caller_init(sim_caller *c, sim_services *svc, int region)
{
    memset(c, 0, sizeof *c);
    c->svc = svc;
    c->region = region;
    sim_timer_init(&c->sleep_timer);
}

void sim_caller_resume(sim_caller *c)
{
    sim_fiber_resume(c->fiber);
    if (sim_fiber_done(c->fiber) && c->on_finish)
        c->on_finish(c);
}

int sim_caller_block(sim_caller *c)
{
    if (c->canceled)
        return -SIM_ECANCELED;
    if (c->timed_out)
        return -SIM_ETIMEDOUT;
    c->blocked = 1;
    sim_fiber_yield(c->fiber);
    c->blocked = 0;
    if (c->canceled)
        return -SIM_ECANCELED;
    if (c->timed_out)
        return -SIM_ETIMEDOUT;
    return 0;
}

void sim_caller_interrupt(sim_caller *c)
{
    sim_timer_stop(c->svc->sched, &c->sleep_timer);
    if (c->blocked)
        sim_caller_resume(c);
}

static void call_unlink(sim_call *call)
{
    sim_services *svc = call->svc;
    if (call->prev)
        call->prev->next = call->next;
    else
        svc->calls.head = call->next;
    if (call->next)
        call->next->prev = call->prev;
}

static void call_free(sim_call *call)
{
    if (call == NULL)
        return;
    sim_timer_stop(call->svc->sched, &call->timer);
    call_unlink(call);
    cJSON_Delete(call->req);
    free(call->resource);
    free(call->data);
    free(call->bucket);
    free(call->key);
    free(call->ctype);
    sim_reply_release(&call->reply);
    free(call);
}

static const char *service_of(int kind)
{
    return kind == SIM_CALL_DDB ? "dynamodb" : kind == SIM_CALL_SQS ? "sqs" : "s3";
}

/* One trace event for call: "<service>.<Op> <resource>" with its outcome. */
static void trace_call(const sim_call *call, const char *kind, const char *request_id)
{
    sim_services *svc = call->svc;
    if (svc->trace == NULL)
        return;
    char what[256];
    snprintf(what, sizeof what, "%s.%s %s", service_of(call->kind), call->op,
             call->resource ? call->resource : "-");
    const char *outcome = strcmp(kind, "frozen") == 0 ? "frozen"
                          : sim_reply_failed(&call->reply) ? call->reply.code
                                                           : "ok";
    sim_trace_event(svc->trace, sim_sched_now(svc->sched), kind, what, request_id, outcome);
}

static void on_arrive(void *arg);

/* Errors an AWS SDK retries: throttling and transient (5xx) ones. */
static int retryable(const sim_reply *r, int *throttling)
{
    static const char *const throttles[] = { "ProvisionedThroughputExceededException",
                                             "ThrottlingException", "Throttling",
                                             "RequestLimitExceeded", "TooManyRequestsException",
                                             "SlowDown", "RequestThrottled" };
    *throttling = 0;
    if (!sim_reply_failed(r))
        return 0;
    for (size_t i = 0; i < sizeof throttles / sizeof *throttles; i++)
        if (strcmp(r->code, throttles[i]) == 0)
            return *throttling = 1;
    return r->status >= 500;
}

/* Send call again after the SDK's backoff, if it may be retried. Returns 1 if so. */
static int retry(sim_call *call)
{
    sim_services *svc = call->svc;
    int throttling;
    if (call->caller == NULL || svc->retry_rng == NULL || call->attempts >= SIM_CALL_MAX_ATTEMPTS ||
        !retryable(&call->reply, &throttling))
        return 0;
    sim_time_us base = (throttling ? 500 : 100) * SIM_MS;
    sim_time_us cap = base << (call->attempts - 1);
    if (cap > 20 * SIM_S)
        cap = 20 * SIM_S;
    sim_time_us delay = (sim_time_us)sim_rng_below(svc->retry_rng, (uint64_t)cap + 1);
    trace_call(call, "retry", call->caller->request_id);
    svc->calls_retried++;
    sim_reply_clear(&call->reply);
    call->arrived = call->executed = 0;
    call->attempts++;
    sim_time_us out = sim_region_latency_us(svc->region, call->caller->region, call->target_region);
    if (sim_timer_start(svc->sched, &call->timer, sim_sched_now(svc->sched) + delay + out,
                        on_arrive, call) != 0)
        return 0;
    return 1;
}

/* The reply is back at the caller's region. */
static void on_return(void *arg)
{
    sim_call *call = arg;
    if (retry(call))
        return;
    call->done = 1;
    trace_call(call, "call", call->caller ? call->caller->request_id : NULL);
    if (call->caller == NULL) { /* orphaned by a timeout: nobody waits */
        call_free(call);
        return;
    }
    if (call->awaited && call->caller->blocked)
        sim_caller_resume(call->caller);
}

/* The service finished: send the reply back after the service time and the trip home. */
static void call_finished(sim_call *call)
{
    sim_services *svc = call->svc;
    sim_time_us back = sim_region_service_us(svc->region, service_of(call->kind), call->op) +
                       sim_region_latency_us(svc->region, call->target_region,
                                             call->caller ? call->caller->region
                                                          : call->target_region);
    call->executed = 1;
    if (sim_timer_start(svc->sched, &call->timer, sim_sched_now(svc->sched) + back, on_return,
                        call) != 0)
        on_return(call);
}

static void on_sqs_done(void *arg, sim_reply *reply)
{
    sim_call *call = arg;
    sim_reply_move(&call->reply, reply);
    call_finished(call);
}

/* An injected fault answers instead of the service (sim_fault.h). Returns 1 if so. */
static int inject(sim_call *call, int kind)
{
    static const char *const internal_code[] = { "InternalServerError", "InternalFailure",
                                                 "InternalError" };
    static const char *const internal_msg[] = { "Internal server error",
                                                "We encountered an internal error. Please try again.",
                                                "We encountered an internal error. Please try again." };
    int i = call->kind == SIM_CALL_DDB ? 0 : call->kind == SIM_CALL_SQS ? 1 : 2;
    switch (kind) {
    case SIM_FAULT_THROTTLE:
        sim_reply_err(&call->reply, 400, "ProvisionedThroughputExceededException",
                      "The level of configured provisioned throughput for the table was "
                      "exceeded. Consider increasing your provisioning level with the "
                      "UpdateTable API.");
        return 1;
    case SIM_FAULT_INTERNAL:
        sim_reply_err(&call->reply, 500, internal_code[i], "%s", internal_msg[i]);
        return 1;
    case SIM_FAULT_OUTAGE:
        sim_reply_err(&call->reply, 503, "ServiceUnavailable", "Service Unavailable");
        return 1;
    }
    return 0;
}

static void discard_reply(void *arg, sim_reply *reply)
{
    (void)arg;
    (void)reply;
}

/* The request reached the service's region: run it there. */
static void on_arrive(void *arg)
{
    sim_call *call = arg;
    sim_services *svc = call->svc;
    call->arrived = 1;
    int fault = sim_fault_decide(svc->faults, sim_sched_now(svc->sched), service_of(call->kind),
                                 call->op, call->target_region,
                                 call->caller ? call->caller->request_id : NULL);
    if (inject(call, fault)) {
        call_finished(call);
        return;
    }
    switch (call->kind) {
    case SIM_CALL_DDB:
        ddb_call(svc->ddb, call->op, call->req, &call->reply);
        call_finished(call);
        break;
    case SIM_CALL_SQS:
        if (fault == SIM_FAULT_DUPLICATE) /* at-least-once: the message lands twice */
            sqs_call(svc->sqs, call->op, call->req, discard_reply, NULL);
        sqs_call(svc->sqs, call->op, call->req, on_sqs_done, call);
        break;
    case SIM_CALL_S3_PUT:
        s3_object_put(svc->s3, call->bucket, call->key, call->data, call->len, call->ctype,
                      &call->reply);
        call_finished(call);
        break;
    default:
        assert(0);
    }
}

int sim_services_region_of(const sim_services *svc, int kind, const char *name)
{
    const sim_config *cfg = svc->cfg;
    if (name != NULL) {
        if (kind == SIM_CALL_DDB) {
            for (size_t i = 0; i < cfg->ntables; i++)
                if (strcmp(cfg->tables[i].name, name) == 0)
                    return cfg->tables[i].region;
        } else if (kind == SIM_CALL_SQS) {
            const char *slash = strrchr(name, '/');
            const char *qn = slash ? slash + 1 : name;
            for (size_t i = 0; i < cfg->nqueues; i++)
                if (strcmp(cfg->queues[i].name, qn) == 0)
                    return cfg->queues[i].region;
        } else {
            for (size_t i = 0; i < cfg->nbuckets; i++)
                if (strcmp(cfg->buckets[i].name, name) == 0)
                    return cfg->buckets[i].region;
        }
    }
    return cfg->default_region;
}

/* The resource a request names: TableName, QueueUrl, or the first table of a batch. */
static const char *resource_name(int kind, const cJSON *req)
{
    const cJSON *n = NULL;
    if (kind == SIM_CALL_DDB) {
        n = cJSON_GetObjectItemCaseSensitive(req, "TableName");
        if (!cJSON_IsString(n)) {
            const cJSON *items = cJSON_GetObjectItemCaseSensitive(req, "RequestItems");
            if (!cJSON_IsObject(items))
                items = cJSON_GetObjectItemCaseSensitive(req, "TransactItems");
            if (cJSON_IsObject(items) && items->child)
                return items->child->string;
        }
    } else if (kind == SIM_CALL_SQS) {
        n = cJSON_GetObjectItemCaseSensitive(req, "QueueUrl");
        if (!cJSON_IsString(n))
            n = cJSON_GetObjectItemCaseSensitive(req, "QueueName");
    }
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static sim_call *call_new(sim_caller *c, int kind, const char *op)
{
    sim_services *svc = c->svc;
    sim_call *call = calloc(1, sizeof *call);
    if (call == NULL)
        return NULL;
    call->caller = c;
    call->svc = svc;
    call->kind = kind;
    snprintf(call->op, sizeof call->op, "%s", op);
    sim_reply_init(&call->reply);
    sim_timer_init(&call->timer);
    call->attempts = 1;
    call->next = svc->calls.head;
    if (svc->calls.head)
        svc->calls.head->prev = call;
    svc->calls.head = call;
    svc->calls_made++;
    return call;
}

/* Put call on its way: arrival after the one-way latency. */
static sim_call *call_send(sim_call *call)
{
    sim_services *svc = call->svc;
    sim_time_us out = sim_region_latency_us(svc->region, call->caller->region,
                                            call->target_region);
    if (sim_timer_start(svc->sched, &call->timer, sim_sched_now(svc->sched) + out, on_arrive,
                        call) != 0) {
        call_free(call);
        return NULL;
    }
    return call;
}

sim_call *sim_caller_start(sim_caller *c, int kind, const char *op, const cJSON *req)
{
    sim_call *call = call_new(c, kind, op);
    if (call == NULL)
        return NULL;
    if ((call->req = cJSON_Duplicate(req, 1)) == NULL) {
        call_free(call);
        return NULL;
    }
    const char *res = resource_name(kind, req);
    call->target_region = sim_services_region_of(c->svc, kind, res);
    if (res != NULL && (call->resource = strdup(res)) == NULL) {
        call_free(call);
        return NULL;
    }
    return call_send(call);
}

sim_call *sim_caller_start_s3_put(sim_caller *c, const char *bucket, const char *key,
                                  const void *data, size_t len, const char *content_type)
{
    sim_call *call = call_new(c, SIM_CALL_S3_PUT, "PutObject");
    if (call == NULL)
        return NULL;
    call->data = malloc(len ? len : 1);
    call->bucket = strdup(bucket);
    call->key = strdup(key);
    call->ctype = strdup(content_type ? content_type : "binary/octet-stream");
    if (!call->data || !call->bucket || !call->key || !call->ctype) {
        call_free(call);
        return NULL;
    }
    if (len)
        memcpy(call->data, data, len);
    call->len = len;
    call->target_region = sim_services_region_of(c->svc, SIM_CALL_S3_PUT, bucket);
    if ((call->resource = strdup(bucket)) == NULL) {
        call_free(call);
        return NULL;
    }
    return call_send(call);
}

int sim_caller_await(sim_caller *c, sim_call *call, sim_reply *out)
{
    assert(call->caller == c);
    int rc = 0;
    while (!call->done) {
        call->awaited = 1;
        rc = sim_caller_block(c);
        call->awaited = 0;
        if (rc != 0) {
            /* Abandon it: the call completes on its own and frees itself. */
            call->caller = NULL;
            return rc;
        }
    }
    sim_reply_move(out, &call->reply);
    call_free(call);
    return 0;
}

static void on_sleep_done(void *arg)
{
    sim_caller *c = arg;
    if (c->blocked)
        sim_caller_resume(c);
}

int sim_caller_sleep(sim_caller *c, sim_time_us delay_us)
{
    if (c->canceled)
        return -SIM_ECANCELED;
    if (c->timed_out)
        return -SIM_ETIMEDOUT;
    sim_sched *s = c->svc->sched;
    if (sim_timer_start(s, &c->sleep_timer, sim_sched_now(s) + delay_us, on_sleep_done, c))
        return -SIM_ENOMEM;
    int rc = sim_caller_block(c);
    sim_timer_stop(s, &c->sleep_timer);
    return rc;
}

void sim_services_drop_calls(sim_services *svc)
{
    while (svc->calls.head)
        call_free(svc->calls.head);
}

int sim_caller_orphan_calls(sim_caller *c, int *out_frozen)
{
    int n = 0, frozen = 0;
    sim_call *call = c->svc->calls.head;
    while (call) {
        sim_call *next = call->next;
        if (call->caller == c) {
            n++;
            if (!call->arrived) {
                /* Not yet at its service: frozen with the environment, never runs. */
                trace_call(call, "frozen", c->request_id);
                c->svc->calls_frozen++;
                frozen++;
                call_free(call);
            } else {
                call->caller = NULL;
            }
        }
        call = next;
    }
    if (out_frozen)
        *out_frozen = frozen;
    return n;
}
