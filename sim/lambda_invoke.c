/* lambda_invoke.c - the Lambda service: function registry, invocation lifecycle
 * (request leg, concurrency, warm/cold instance, handler fiber, timeout, response leg).
 * The context accessors live in lambda_ctx.c, the SQS pollers in lambda_esm.c. */
#include "lambda_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"

#define ACCOUNT_CONCURRENCY 1000 /* AWS default per Region (Lambda quotas page) */

lambda_fn *lambda__fn_find(const lambda_service *ls, const char *name)
{
    for (int i = 0; i < ls->nfns; i++)
        if (strcmp(ls->fns[i].cfg->name, name) == 0)
            return &ls->fns[i];
    return NULL;
}

int lambda_function_region(const lambda_service *ls, const char *function)
{
    lambda_fn *fn = lambda__fn_find(ls, function);
    return fn ? fn->cfg->region : -1;
}

int lambda_function_count(const lambda_service *ls)
{
    return ls->nfns;
}

void lambda_service_set_progress(lambda_service *ls, lambda_progress_fn fn, void *arg)
{
    ls->progress = fn;
    ls->progress_arg = arg;
}

void lambda_service_stats(const lambda_service *ls, lambda_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < ls->nfns; i++) {
        const lambda_fn *f = &ls->fns[i];
        out->invocations += f->invocations;
        out->errors += f->errors;
        out->throttles += f->throttles;
        out->cold_starts += f->cold_starts;
        out->timeouts += f->timeouts;
        out->in_flight += f->in_flight;
    }
}

int lambda_service_create(sim_services *svc, const lambda_handler_def *handlers,
                          sim_rng *parent, lambda_service **out)
{
    const sim_config *cfg = svc->cfg;
    lambda_service *ls = calloc(1, sizeof *ls);
    if (ls == NULL)
        return -SIM_ENOMEM;
    ls->svc = svc;
    sim_rng_fork(parent, &ls->rng);
    ls->fns = calloc(cfg->nfunctions ? cfg->nfunctions : 1, sizeof *ls->fns);
    if (ls->fns == NULL) {
        free(ls);
        return -SIM_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < cfg->nfunctions; i++) {
        const sim_cfg_function *fc = &cfg->functions[i];
        lambda_fn *fn = &ls->fns[ls->nfns++];
        fn->cfg = fc;
        for (const lambda_handler_def *h = handlers; h && h->name; h++)
            if (strcmp(h->name, fc->handler) == 0)
                fn->handler = h->fn;
        if (fn->handler == NULL) {
            SIM_LOGE(svc->log, "lambda", "%s:%d: function %s: no handler named '%s' is registered",
                     cfg->path, fc->line, fc->name, fc->handler);
            rc = -SIM_ECONFIG;
        }
    }
    if (rc == 0)
        rc = lambda__esm_start(ls);
    if (rc != 0) {
        lambda_service_destroy(ls);
        return rc;
    }
    *out = ls;
    return 0;
}

static void inv_unlink(lambda_inv *inv)
{
    lambda_service *ls = inv->ls;
    if (inv->prev)
        inv->prev->next = inv->next;
    else if (ls->live == inv)
        ls->live = inv->next;
    if (inv->next)
        inv->next->prev = inv->prev;
    inv->next = inv->prev = NULL;
}

static void inv_free(lambda_inv *inv)
{
    sim_sched *s = inv->ls->svc->sched;
    sim_timer_stop(s, &inv->timer);
    sim_timer_stop(s, &inv->ctx.caller.sleep_timer);
    inv_unlink(inv);
    sim_caller_orphan_calls(&inv->ctx.caller, NULL);
    sim_fiber_destroy(inv->ctx.caller.fiber);
    cJSON_Delete(inv->event);
    cJSON_Delete(inv->handler_out);
    cJSON_Delete(inv->result.payload);
    free(inv->err_type);
    free(inv->err_message);
    free(inv);
}

/* Give the instance back: warm for the idle timeout (unless it was killed). */
static void release_instance(lambda_inv *inv, int keep_warm)
{
    lambda_fn *fn = inv->fn;
    if (!inv->holds_instance)
        return;
    inv->holds_instance = 0;
    fn->in_flight--;
    if (fn->cfg->reserved_concurrency == 0)
        inv->ls->account_in_flight--;
    if (!keep_warm)
        return;
    if (fn->nidle == fn->capidle) {
        int cap = fn->capidle ? fn->capidle * 2 : 8;
        sim_time_us *p = realloc(fn->idle, (size_t)cap * sizeof *p);
        if (p == NULL)
            return; /* the instance is simply not kept */
        fn->idle = p;
        fn->capidle = cap;
    }
    fn->idle[fn->nidle++] = sim_sched_now(inv->ls->svc->sched);
}

/* The response reached the caller. */
static void on_respond(void *arg)
{
    lambda_inv *inv = arg;
    inv->reported = 1;
    inv->done(inv->done_arg, &inv->result);
    if (inv->ctx.caller.fiber == NULL || sim_fiber_done(inv->ctx.caller.fiber))
        inv_free(inv);
}

/* Send the result back to the caller's region. */
static void respond(lambda_inv *inv)
{
    sim_services *svc = inv->ls->svc;
    sim_time_us back = sim_region_latency_us(svc->region, inv->fn->cfg->region, inv->caller_region);
    if (sim_timer_start(svc->sched, &inv->timer, sim_sched_now(svc->sched) + back, on_respond,
                        inv) != 0)
        on_respond(inv);
}

/* {"errorMessage", "errorType", "stackTrace": []}: the shape AWS returns for a function
 * error (Lambda developer guide, "Lambda function errors"). */
static cJSON *error_object(const char *type, const char *message)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "errorMessage", message ? message : "");
    cJSON_AddStringToObject(e, "errorType", type ? type : "Error");
    cJSON_AddItemToObject(e, "stackTrace", cJSON_CreateArray());
    return e;
}

/* CloudWatch's REPORT line for one invocation (Lambda guide, "Lambda function logs"). */
static void report_line(const lambda_inv *inv)
{
    const lambda_result *r = &inv->result;
    char init[64] = "";
    if (r->cold_start)
        snprintf(init, sizeof init, " Init Duration: %.2f ms", (double)r->init_us / 1000.0);
    sim_log_write(inv->ls->svc->log, SIM_LOG_INFO, inv->fn->cfg->name, inv->request_id,
                  "REPORT Duration: %.2f ms Memory Size: %lld MB%s%s",
                  (double)r->duration_us / 1000.0, (long long)inv->fn->cfg->memory_mb, init,
                  r->timed_out ? " Status: timeout" : r->function_error ? " Status: error" : "");
    sim_trace_event(inv->ls->svc->trace, sim_sched_now(inv->ls->svc->sched), "invoke",
                    inv->fn->cfg->name, inv->request_id,
                    r->timed_out ? "timeout" : r->function_error ? "error" : r->cold_start ? "ok cold" : "ok");
}

/* The handler's body returned (main context, after its fiber finished). */
static void on_handler_finished(sim_caller *c)
{
    lambda_inv *inv = ((struct lambda_ctx *)c)->inv;
    sim_services *svc = inv->ls->svc;
    int frozen = 0;
    int pending = sim_caller_orphan_calls(c, &frozen);
    if (pending)
        sim_log_write(svc->log, SIM_LOG_WARN, inv->fn->cfg->name, inv->request_id,
                      "handler returned with %d call(s) it never awaited; Lambda freezes the "
                      "environment: %d not yet sent were frozen and never run, %d already at "
                      "their service finish without the handler",
                      pending, frozen, pending - frozen);
    if (inv->result.timed_out) {
        /* Already answered by the timeout; the instance was killed. */
        if (inv->reported)
            inv_free(inv);
        return;
    }
    sim_timer_stop(svc->sched, &inv->timer);
    inv->result.duration_us = sim_sched_now(svc->sched) - inv->started_us;
    if (inv->handler_rc == 0) {
        inv->result.payload = inv->handler_out ? inv->handler_out : cJSON_CreateNull();
        inv->handler_out = NULL;
    } else {
        inv->result.function_error = 1;
        inv->fn->errors++;
        if (inv->err_message == NULL) /* failed without lambda_error: report the C error */
            inv->result.payload = error_object("Runtime.HandlerError", sim_strerror(inv->handler_rc));
        else
            inv->result.payload = error_object(inv->err_type, inv->err_message);
    }
    release_instance(inv, 1);
    report_line(inv);
    respond(inv);
}

static void on_timeout(void *arg)
{
    lambda_inv *inv = arg;
    sim_services *svc = inv->ls->svc;
    char msg[160];
    sim_time_us t = inv->fn->cfg->timeout_us;
    /* AWS: "<request id> Task timed out after 3.00 seconds" (Lambda troubleshooting guide) */
    snprintf(msg, sizeof msg, "%s Task timed out after %lld.%02lld seconds", inv->request_id,
             (long long)(t / SIM_S), (long long)((t % SIM_S) / 10000));
    inv->result.function_error = 1;
    inv->result.timed_out = 1;
    inv->result.payload = error_object("Sandbox.Timedout", msg);
    inv->result.duration_us = t;
    inv->fn->errors++;
    inv->fn->timeouts++;
    sim_log_write(svc->log, SIM_LOG_WARN, inv->fn->cfg->name, inv->request_id, "%s", msg);
    release_instance(inv, 0);
    inv->ctx.caller.timed_out = 1;
    report_line(inv);
    respond(inv);
    sim_caller_interrupt(&inv->ctx.caller); /* let the handler unwind */
}

static void fiber_body(void *arg)
{
    lambda_inv *inv = arg;
    inv->handler_rc = inv->fn->handler(&inv->ctx, inv->event, &inv->handler_out);
}

/* The instance is ready: run the handler. */
static void on_start(void *arg)
{
    lambda_inv *inv = arg;
    sim_services *svc = inv->ls->svc;
    sim_time_us now = sim_sched_now(svc->sched);
    inv->started_us = now;
    inv->deadline_us = now + inv->fn->cfg->timeout_us;
    if (sim_fiber_create(fiber_body, inv, 0, &inv->ctx.caller.fiber) != 0 ||
        sim_timer_start(svc->sched, &inv->timer, inv->deadline_us, on_timeout, inv) != 0) {
        inv->handler_rc = -SIM_ENOMEM;
        inv->result.function_error = 1;
        inv->result.payload = error_object("Runtime.OutOfMemory", "out of memory");
        release_instance(inv, 0);
        respond(inv);
        return;
    }
    sim_caller_resume(&inv->ctx.caller);
}

/* The request reached the function's region: find an instance or throttle. */
static void on_arrive(void *arg)
{
    lambda_inv *inv = arg;
    lambda_service *ls = inv->ls;
    lambda_fn *fn = inv->fn;
    sim_services *svc = ls->svc;
    sim_time_us now = sim_sched_now(svc->sched);
    int64_t reserved = fn->cfg->reserved_concurrency;
    int fault = sim_fault_decide(svc->faults, now, "lambda", fn->cfg->name, fn->cfg->region,
                                 inv->request_id);
    if (fault == SIM_FAULT_FUNCTION || fault == SIM_FAULT_OUTAGE || fault == SIM_FAULT_INTERNAL) {
        fn->errors++;
        inv->result.function_error = 1;
        if (fault == SIM_FAULT_FUNCTION) {
            /* As a runtime that crashed: "Runtime exited with error" (Lambda guide). */
            char msg[160];
            snprintf(msg, sizeof msg, "RequestId: %s Error: Runtime exited with error: injected fault",
                     inv->request_id);
            inv->result.payload = error_object("Runtime.ExitError", msg);
        } else {
            inv->result.throttled = 1; /* never ran: the Invoke API itself failed */
            inv->result.payload = error_object("ServiceException", "Service Unavailable");
        }
        respond(inv);
        return;
    }
    int full = reserved > 0 ? fn->in_flight >= reserved
                            : ls->account_in_flight >= ACCOUNT_CONCURRENCY;
    if (full || ls->stopping) {
        fn->throttles++;
        inv->result.throttled = 1;
        inv->result.function_error = 1;
        /* Invoke API: 429 TooManyRequestsException, "Rate Exceeded." */
        inv->result.payload = error_object("TooManyRequestsException", "Rate Exceeded.");
        sim_trace_event(svc->trace, now, "invoke", fn->cfg->name, inv->request_id, "throttled");
        respond(inv);
        return;
    }
    inv->holds_instance = 1;
    fn->in_flight++;
    fn->invocations++;
    if (reserved == 0)
        ls->account_in_flight++;
    /* Reuse the most recently used warm instance; drop ones idle too long. */
    sim_time_us idle_limit = svc->cfg->lambda_idle_timeout_us;
    while (fn->nidle > 0 && now - fn->idle[0] > idle_limit) {
        memmove(fn->idle, fn->idle + 1, (size_t)(fn->nidle - 1) * sizeof *fn->idle);
        fn->nidle--;
    }
    sim_time_us delay;
    if (fn->nidle > 0) {
        fn->nidle--;
        delay = sim_region_service_us(svc->region, "lambda", "warm_overhead");
    } else {
        fn->cold_starts++;
        inv->result.cold_start = 1;
        inv->result.init_us = sim_region_service_us(svc->region, "lambda", "provision") +
                              sim_region_service_us(svc->region, "lambda", "init");
        delay = inv->result.init_us + sim_region_service_us(svc->region, "lambda", "warm_overhead");
    }
    if (sim_timer_start(svc->sched, &inv->timer, now + delay, on_start, inv) != 0)
        on_start(inv);
}

int lambda_invoke(lambda_service *ls, const char *function, cJSON *event, int caller_region,
                  lambda_done_fn done, void *arg)
{
    lambda_fn *fn = lambda__fn_find(ls, function);
    if (fn == NULL)
        return -SIM_ENOENT;
    lambda_inv *inv = calloc(1, sizeof *inv);
    if (inv == NULL)
        return -SIM_ENOMEM;
    sim_services *svc = ls->svc;
    inv->ls = ls;
    inv->fn = fn;
    inv->ctx.inv = inv;
    sim_caller_init(&inv->ctx.caller, svc, fn->cfg->region);
    inv->ctx.caller.on_finish = on_handler_finished;
    inv->ctx.caller.request_id = inv->request_id;
    sim_rng_uuid(&ls->rng, inv->request_id);
    sim_rng_fork(&ls->rng, &inv->rng);
    memcpy(inv->result.request_id, inv->request_id, sizeof inv->request_id);
    inv->event = event;
    inv->caller_region = caller_region;
    inv->done = done;
    inv->done_arg = arg;
    sim_timer_init(&inv->timer);
    inv->next = ls->live;
    if (ls->live)
        ls->live->prev = inv;
    ls->live = inv;
    sim_time_us out = sim_region_latency_us(svc->region, caller_region, fn->cfg->region);
    if (sim_timer_start(svc->sched, &inv->timer, sim_sched_now(svc->sched) + out, on_arrive,
                        inv) != 0) {
        inv->event = NULL; /* on failure, ownership stays with the caller */
        inv_free(inv);
        return -SIM_ENOMEM;
    }
    return 0;
}

void lambda_service_stop(lambda_service *ls)
{
    if (ls == NULL)
        return;
    ls->stopping = 1;
    lambda__esm_stop(ls);
    lambda_inv *inv = ls->live;
    while (inv) {
        lambda_inv *next = inv->next;
        if (inv->ctx.caller.fiber && !sim_fiber_done(inv->ctx.caller.fiber) &&
            inv->ctx.caller.blocked) {
            inv->ctx.caller.canceled = 1;
            sim_caller_interrupt(&inv->ctx.caller);
        }
        inv = next;
    }
}

void lambda_service_destroy(lambda_service *ls)
{
    if (ls == NULL)
        return;
    lambda__esm_free(ls);
    while (ls->live)
        inv_free(ls->live);
    for (int i = 0; i < ls->nfns; i++)
        free(ls->fns[i].idle);
    free(ls->fns);
    free(ls);
}
