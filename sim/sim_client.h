/* sim_client.h - everything a Lambda handler may call: its context (request id, time,
 * RNG stream, logger, environment) and the service clients (DynamoDB, SQS, S3).
 * Handlers include this, cJSON and the C library - never storage/ or queue/.
 *
 * Every service call crosses the region model: one-way latency from the function's
 * region to the resource's region, the service's own time, and the way back, all on the
 * scheduler's clock. A call yields the handler's fiber and returns when the reply
 * arrives, so handlers read as plain blocking code. _start/_await split a call so two
 * can be in flight at once (postStatus writes the story and sends its message in
 * parallel). */
#ifndef SIM_CLIENT_H
#define SIM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/core/sim_clock.h"
#include "sim/core/sim_reply.h"
#include "sim/core/sim_rng.h"

typedef struct lambda_ctx lambda_ctx;

/**
 * A Lambda handler. event is borrowed (the parsed request for an API Gateway non-proxy
 * integration, or the SQS event {"Records":[...]}). On success return 0 and set
 * *out_result to a new document (taken by the caller; NULL means JSON null). On a
 * function error return lambda_error(...): the error is reported as
 * {"errorMessage", "errorType", "stackTrace"} as AWS does.
 */
typedef int (*lambda_handler_fn)(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);

/* One entry of a handler table: the name regions.conf refers to in `handler = `. */
typedef struct lambda_handler_def {
    const char *name;       /* e.g. "tweeter.login" */
    lambda_handler_fn fn;
} lambda_handler_def;

/* ---- the context ---- */

/** The invocation's request id (a UUID from the Lambda service's RNG stream). */
const char *lambda_request_id(const lambda_ctx *ctx);

/** The function's name, e.g. "tweeterLoginUser". */
const char *lambda_function_name(const lambda_ctx *ctx);

/** The function's region, e.g. "us-west-2". */
const char *lambda_region(const lambda_ctx *ctx);

/** Microseconds left before the invocation's timeout (never negative). Reads the clock. */
sim_time_us lambda_remaining_us(const lambda_ctx *ctx);

/** Wall date as Date.now() would give it: Unix epoch milliseconds, from the world's clock
 * (virtual in tests). */
int64_t lambda_epoch_ms(const lambda_ctx *ctx);

/** The function's own RNG stream (tokens, salts, backoff jitter). Borrowed. */
sim_rng *lambda_rng(lambda_ctx *ctx);

/** Environment variable of the function (regions.conf `env.NAME = value`), or NULL. */
const char *lambda_env(const lambda_ctx *ctx, const char *name);

/** Log one line tagged with the function name and request id (CloudWatch-style). */
void lambda_log(const lambda_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Record a function error (errorType, printf errorMessage) and return -SIM_EFUNC, so a
 * handler can `return lambda_error(ctx, "Error", "[Bad Request] %s", why);`.
 */
int lambda_error(lambda_ctx *ctx, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Report progress of a long job (done of total units); the host may draw a progress bar. */
void lambda_progress(lambda_ctx *ctx, int64_t done, int64_t total);

/** Sleep (yield) for delay_us of scheduler time - backoff between retries.
 * Returns 0, or -SIM_ETIMEDOUT / -SIM_ECANCELED as the service calls do. */
int lambda_sleep(lambda_ctx *ctx, sim_time_us delay_us);

/* ---- service calls ----
 * Each returns 0 once a reply arrived: *out (initialised by the caller with
 * sim_reply_init) then holds the response body or an AWS error (out->code, out->status,
 * out->message). Returns -SIM_ETIMEDOUT if the invocation timed out while the call was
 * pending, -SIM_ECANCELED at shutdown, -SIM_ENOMEM; *out is then untouched. */

/** DynamoDB operation op ("PutItem", ...) with req (borrowed) in the JSON protocol's shape. */
int sim_ddb(lambda_ctx *ctx, const char *op, const cJSON *req, sim_reply *out);

/** SQS operation op ("SendMessage", ...); QueueUrl may be a queue URL or a queue name. */
int sim_sqs(lambda_ctx *ctx, const char *op, const cJSON *req, sim_reply *out);

/** S3 PutObject of len bytes (copied) with Content-Type. Success body: {"ETag": "..."}. */
int sim_s3_put(lambda_ctx *ctx, const char *bucket, const char *key, const void *data,
               size_t len, const char *content_type, sim_reply *out);

/** The public URL a browser can load for bucket/key (malloc'd; caller frees), or NULL. */
char *sim_s3_url(const lambda_ctx *ctx, const char *bucket, const char *key);

/* A call in flight (owned by the context until awaited). */
typedef struct sim_call sim_call;

/** Start a DynamoDB call without waiting. NULL on ENOMEM. req is copied. */
sim_call *sim_ddb_start(lambda_ctx *ctx, const char *op, const cJSON *req);

/** Start an SQS call without waiting. NULL on ENOMEM. req is copied. */
sim_call *sim_sqs_start(lambda_ctx *ctx, const char *op, const cJSON *req);

/** Wait for a started call and free it; *out as for sim_ddb. Every started call must be
 * awaited exactly once. */
int sim_await(lambda_ctx *ctx, sim_call *call, sim_reply *out);

#endif
