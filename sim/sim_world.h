/* sim_world.h - the world: one clock, one scheduler, the root RNG and every service's
 * forked stream, the config, the log, and the services (tables, objects, queues, Lambda,
 * API Gateway). Everything a run simulates hangs off one sim_world, passed first. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <stdint.h>
#include <stdio.h>

#include "sim/apigw.h"
#include "sim/lambda.h"
#include "sim/sim_caller.h"
#include "sim/sim_config.h"

typedef struct sim_world {
    sim_clock clock;
    sim_sched sched;
    sim_log log;
    uint64_t seed;
    sim_rng rng_root;        /* forks, in this order: region, ddb, sqs, lambda, apigw */
    sim_rng rng_ddb, rng_sqs;
    sim_config *cfg;         /* owned */
    sim_region_model region;
    sim_trace trace;         /* every deciding event, hashed */
    sim_faults faults;       /* [fault] rules and their stream (forked after the services) */
    sim_rng rng_retry;       /* SDK retry jitter (forked after the faults) */
    sim_services svc;        /* what callers reach; points into this world */
    ddb_service *ddb;        /* owned */
    sqs_service *sqs;        /* owned */
    s3_service *s3;          /* owned */
    lambda_service *lambda;  /* owned */
    apigw *gateway;          /* owned */
    char endpoint_url[128];  /* the AWS endpoint, e.g. "http://127.0.0.1:4566" */
    int populating;          /* 1 while the demo data loads: health says "populating" */
    sim_time_us created_wall_us; /* wall clock at creation, for uptime figures only */
} sim_world;

typedef struct sim_world_options {
    const char *data_dir;                /* NULL: everything in memory */
    uint64_t seed;                       /* the run's seed */
    int virtual_time;                    /* 1: virtual clock */
    const char *endpoint_url;            /* base URL of the AWS port */
    const lambda_handler_def *handlers;  /* registered handlers, borrowed */
    FILE *log_out;                       /* NULL: stderr */
    int log_level;                       /* enum sim_log_level */
    double latency_scale;                /* 1.0 normally; 0 turns latency off */
    FILE *trace_out;                     /* NULL, or where the trace's JSON lines go */
} sim_world_options;

/**
 * Create a world from cfg (taken, also on failure) and opt: services, then every
 * resource of regions.conf (tables, queues with their redrive policies, buckets), then
 * Lambda (pollers start) and the gateway. *out owned: sim_world_destroy().
 * Returns 0, -SIM_ECONFIG, -SIM_ESTORAGE or -SIM_ENOMEM (logged).
 */
int sim_world_create(sim_config *cfg, const sim_world_options *opt, sim_world **out);

/** Stop pollers, wake blocked handlers so they unwind, end long polls. Idempotent. */
void sim_world_stop(sim_world *w);

/** Stop (if not yet) and free everything; sqlite files are closed. Accepts NULL. */
void sim_world_destroy(sim_world *w);

/** The world's current time (us since its clock's zero). */
sim_time_us sim_now_us(const sim_world *w);

/** Hex SHA-256 of the trace so far into out[65]. */
void sim_world_trace_digest(const sim_world *w, char out[65]);

/** Health document: {"status":"running","services":{...},"counts":{...}} (caller owns). */
cJSON *sim_world_health(const sim_world *w);

#endif
