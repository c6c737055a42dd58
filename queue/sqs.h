/* sqs.h - the SQS-style queue service (standard queues): messages, visibility timeout,
 * receive count, redrive policy (dead-letter queues), long polling; and its wire
 * protocols on the AWS port: JSON (X-Amz-Target: AmazonSQS.<Op>, used by recent
 * botocore / AWS CLI v1 and SDK v3) and query (form POST Action=<Op>, XML replies, used
 * by AWS CLI v2.9). The service takes no simulated time itself: the region model in sim/
 * adds latency. Visibility timeouts and long polls run on the scheduler's clock.
 * Source: Amazon SQS API Reference (APIReference/API_Operations.html). */
#ifndef SQS_H
#define SQS_H

#include <cjson/cJSON.h>

#include "sim/core/sim_http_msg.h"
#include "sim/core/sim_log.h"
#include "sim/core/sim_reply.h"
#include "sim/core/sim_rng.h"
#include "sim/core/sim_sched.h"

typedef struct sqs_service sqs_service;

typedef struct sqs_options {
    const char *region;       /* e.g. "us-west-2", for QueueArn */
    const char *account_id;   /* e.g. "000000000000" */
    const char *endpoint_url; /* base of QueueUrl, e.g. "http://127.0.0.1:4566" */
} sqs_options;

/**
 * Create the service (in memory). sched, rng (the service's forked stream: message ids,
 * receipt handles, order among equals) and log are borrowed and must outlive it.
 * *out is owned: sqs_service_destroy(). Returns 0 or -SIM_ENOMEM.
 */
int sqs_service_create(sim_sched *sched, sim_rng *rng, sim_log *log, const sqs_options *opt,
                       sqs_service **out);

/** Free everything. Pending long polls are dropped without calling back: call
 * sqs_service_cancel_waits first if their callers must learn of it. Accepts NULL. */
void sqs_service_destroy(sqs_service *svc);

/**
 * Called with the outcome of one operation. reply is borrowed for the duration of the
 * callback: move what you keep (sim_reply_move).
 */
typedef void (*sqs_done_fn)(void *arg, sim_reply *reply);

/**
 * Run one operation: op is the action ("SendMessage", "ReceiveMessage", ...), req the
 * request document (borrowed; copied if needed) in the JSON protocol's shape. done is
 * called exactly once: before sqs_call returns for every operation except a
 * ReceiveMessage that must wait (WaitTimeSeconds > 0 and nothing visible), which
 * completes when a message becomes available or the wait ends (scheduler time).
 */
void sqs_call(sqs_service *svc, const char *op, const cJSON *req, sqs_done_fn done, void *arg);

/** Complete every waiting ReceiveMessage now with no messages (shutdown). */
void sqs_service_cancel_waits(sqs_service *svc);

/**
 * Both wire protocols: X-Amz-Target AmazonSQS.* with a JSON 1.0 body, or a query-protocol
 * form (Action=...) in the body or query string. Writes x->resp and calls x->complete(x)
 * exactly once (later, for a long poll).
 */
void sqs_http_serve(sqs_service *svc, sim_http_exchange *x);

/** Number of queues. */
int sqs_queue_count(const sqs_service *svc);

/* Where the messages of one queue went, counted where it happens (not derived from the
 * store), so a checker can prove none vanished: sent + moved_in must equal deleted +
 * expired + moved_out + purged + still held. */
typedef struct sqs_queue_ledger {
    uint64_t sent;      /* accepted by SendMessage / SendMessageBatch */
    uint64_t moved_in;  /* arrived from a source queue's redrive */
    uint64_t deleted;   /* removed by DeleteMessage / DeleteMessageBatch */
    uint64_t expired;   /* dropped after MessageRetentionPeriod */
    uint64_t moved_out; /* moved to the dead-letter queue */
    uint64_t purged;    /* removed by PurgeQueue */
} sqs_queue_ledger;

/**
 * The ledger of queue name and the messages it holds now (*out_held). Returns 0, or
 * -SIM_ENOENT (outputs untouched) when there is no such queue. No request, no RNG draw.
 */
int sqs_queue_audit(sqs_service *svc, const char *name, sqs_queue_ledger *out, long *out_held);

/**
 * Depth of queue name now (scheduler time), as GetQueueAttributes reports it, without a
 * request: *visible = ApproximateNumberOfMessages, *in_flight =
 * ApproximateNumberOfMessagesNotVisible (received, within their visibility timeout).
 * Delayed and expired messages are in neither. For metrics; no RNG draw.
 * Returns 0, or -SIM_ENOENT (outputs untouched) when there is no such queue.
 */
int sqs_queue_depth(sqs_service *svc, const char *name, long *visible, long *in_flight);

#endif
