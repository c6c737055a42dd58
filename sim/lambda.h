/* lambda.h - the Lambda service: functions (C handlers registered by name, configured in
 * regions.conf), invocations as fibers with reserved concurrency, timeouts, warm and cold
 * instances, and SQS event source mappings (pollers).
 * Sources: AWS Lambda developer guide - "Lambda function scaling" (concurrency),
 * "Configuring function timeout", "Lambda execution environment lifecycle" (cold start,
 * freeze), "Using Lambda with Amazon SQS" (event shape, batch item failures). */
#ifndef LAMBDA_H
#define LAMBDA_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/core/sim_rng.h"
#include "sim/sim_caller.h"
#include "sim/sim_client.h"

typedef struct lambda_service lambda_service;

/* Outcome of one invocation, as the caller sees it. */
typedef struct lambda_result {
    int throttled;          /* 1: rejected (TooManyRequestsException), never ran */
    int function_error;     /* 1: the handler failed or timed out */
    int timed_out;          /* 1: the timeout passed */
    cJSON *payload;         /* owned by the result: the handler's result, or
                               {"errorMessage","errorType","stackTrace"} */
    char request_id[37];    /* the invocation's id */
    int cold_start;         /* 1 when a new instance had to start */
    sim_time_us init_us;    /* cold start: provisioning + init duration */
    sim_time_us duration_us; /* handler run time */
} lambda_result;

/** Called once, from main context, when an invocation's response is back at the caller.
 * res is borrowed: take res->payload (set it to NULL) to keep it. */
typedef void (*lambda_done_fn)(void *arg, lambda_result *res);

/**
 * Create the service over svc (borrowed) with the handler table (borrowed, NULL-name
 * terminated) and its own RNG stream forked from parent. Functions and event source
 * mappings come from svc->cfg; a function whose handler is not in the table is a
 * configuration error (-SIM_ECONFIG, logged). Pollers start at once.
 * *out owned: lambda_service_destroy(). Returns 0, -SIM_ECONFIG or -SIM_ENOMEM.
 */
int lambda_service_create(sim_services *svc, const lambda_handler_def *handlers,
                          sim_rng *parent, lambda_service **out);

/** Stop pollers and wake every blocked invocation with -SIM_ECANCELED so handlers
 * unwind. Call before destroying the services the handlers use. */
void lambda_service_stop(lambda_service *ls);

/** Free everything. Call lambda_service_stop first. Accepts NULL. */
void lambda_service_destroy(lambda_service *ls);

/**
 * Invoke function synchronously (RequestResponse) from caller_region: the request
 * travels there, waits for an instance (cold start if none is warm), runs the handler in
 * a fiber with the function's timeout, and travels back; then done(arg, &res).
 * event is taken on success. Returns 0 (done will be called later, never before this
 * returns), -SIM_ENOENT for an unknown function, -SIM_ENOMEM.
 */
int lambda_invoke(lambda_service *ls, const char *function, cJSON *event, int caller_region,
                  lambda_done_fn done, void *arg);

/** Region index of function, or -1 if unknown. */
int lambda_function_region(const lambda_service *ls, const char *function);

/** Number of functions. */
int lambda_function_count(const lambda_service *ls);

/** Counters, summed over functions: invocations, errors, throttles, cold starts, and
 * invocations in flight now. */
typedef struct lambda_stats {
    uint64_t invocations, errors, throttles, cold_starts, timeouts;
    int in_flight;
} lambda_stats;

void lambda_service_stats(const lambda_service *ls, lambda_stats *out);

/** Optional progress sink for handlers that report progress (the populate loader). */
typedef void (*lambda_progress_fn)(void *arg, int64_t done, int64_t total);
void lambda_service_set_progress(lambda_service *ls, lambda_progress_fn fn, void *arg);

#endif
