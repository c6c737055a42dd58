/* sim_caller.h - internal side of the client API: the services a call can reach
 * (sim_services) and a caller (a fiber in some region making blocking calls through the
 * region model). lambda_ctx embeds a caller; so do the event source mapping pollers.
 * Not for handlers: they see sim_client.h only. */
#ifndef SIM_CALLER_H
#define SIM_CALLER_H

#include "queue/sqs.h"
#include "sim/core/sim_fiber.h"
#include "sim/core/sim_log.h"
#include "sim/core/sim_sched.h"
#include "sim/sim_client.h"
#include "sim/sim_region.h"
#include "sim/sim_fault.h"
#include "sim/sim_trace.h"
#include "storage/ddb.h"
#include "storage/s3.h"

typedef struct sim_call_list {
    sim_call *head; /* every call in flight, for shutdown */
} sim_call_list;

/* What a call can reach. Owned by the world; everything borrowed. */
typedef struct sim_services {
    sim_sched *sched;
    sim_log *log;
    sim_region_model *region;
    const sim_config *cfg;
    ddb_service *ddb;
    sqs_service *sqs;
    s3_service *s3;
    const char *endpoint_url; /* "http://127.0.0.1:4566": base of public S3 URLs */
    int stopping;             /* set at shutdown: new calls fail with -SIM_ECANCELED */
    sim_call_list calls;      /* calls in flight */
    uint64_t calls_made;      /* counter, for metrics */
    uint64_t calls_frozen;    /* calls dropped because their invocation ended first */
    sim_trace *trace;         /* the run's trace (may be NULL) */
    sim_faults *faults;       /* fault injection (may be NULL) */
    sim_rng *retry_rng;       /* SDK retry jitter (may be NULL: no retries) */
    uint64_t calls_retried;   /* attempts made again after a retryable error */
} sim_services;

/* Attempts per call, as the AWS SDK for JavaScript v3's standard retry mode makes them
 * (maxAttempts 3; full-jitter backoff from a 100 ms base, 500 ms for throttling errors,
 * capped at 20 s). Source: AWS SDKs and Tools reference guide, "Retry behavior". */
#define SIM_CALL_MAX_ATTEMPTS 3

typedef struct sim_caller sim_caller;

struct sim_caller {
    sim_services *svc;  /* borrowed */
    int region;         /* the caller's region index */
    const char *request_id; /* borrowed: the invocation (or poller) its calls belong to */
    sim_fiber *fiber;   /* the fiber that calls; owned by whoever created the caller */
    int blocked;        /* 1 while yielded waiting for something */
    int timed_out;      /* 1 once the invocation's timeout passed */
    int canceled;       /* 1 at shutdown */
    sim_timer sleep_timer; /* for sim_caller_sleep */
    void (*on_finish)(sim_caller *c); /* called (main context) when the fiber's body returns */
};

/** Initialise c for a fiber in region (fiber set later by the creator). */
void sim_caller_init(sim_caller *c, sim_services *svc, int region);

/** Resume c's fiber from main context; if its body finished, call c->on_finish(c). */
void sim_caller_resume(sim_caller *c);

/** From inside the fiber: yield until resumed. Returns 0, or -SIM_ETIMEDOUT/-SIM_ECANCELED
 * if that is why it was resumed (also returned at once if already so). */
int sim_caller_block(sim_caller *c);

/** Wake a blocked caller because its invocation timed out or the world stops. */
void sim_caller_interrupt(sim_caller *c);

enum sim_call_kind { SIM_CALL_DDB = 1, SIM_CALL_SQS, SIM_CALL_S3_PUT };

/** Start a call; see sim_ddb_start. req is copied. NULL on ENOMEM. */
sim_call *sim_caller_start(sim_caller *c, int kind, const char *op, const cJSON *req);

/** Start an S3 PutObject (data copied). */
sim_call *sim_caller_start_s3_put(sim_caller *c, const char *bucket, const char *key,
                                  const void *data, size_t len, const char *content_type);

/** Wait for call and free it (or orphan it on timeout/cancel). As sim_await. */
int sim_caller_await(sim_caller *c, sim_call *call, sim_reply *out);

/** Sleep delay_us of scheduler time. 0, -SIM_ETIMEDOUT or -SIM_ECANCELED. */
int sim_caller_sleep(sim_caller *c, sim_time_us delay_us);

/**
 * The invocation behind c ended with calls it started and never awaited. As AWS Lambda
 * freezes the execution environment when the handler returns, a call that has not yet
 * reached its service is dropped (frozen: it never runs, and the trace says so); one
 * already executed completes on its own and frees itself. Returns how many calls were
 * pending; *out_frozen (may be NULL) gets how many of them were frozen.
 */
int sim_caller_orphan_calls(sim_caller *c, int *out_frozen);

/** Region index of the resource a call addresses (table, queue, bucket), or the default. */
int sim_services_region_of(const sim_services *svc, int kind, const char *name);

/** Shutdown: stop every call's timer and free every call still in flight. */
void sim_services_drop_calls(sim_services *svc);

#endif
