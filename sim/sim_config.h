/* sim_config.h - regions.conf: the world a run simulates. INI parsed with inih; every
 * error names the file, line and key, and stops start-up. Milliseconds and seconds in
 * the file are converted to microseconds here, once.
 *
 * Sections:
 *   [world]                       default_region, client_region, account_id, seed
 *   [region NAME]                 kind = aws | client; description
 *   [latency A B]                 one_way_ms = DIST   (symmetric; A may equal B)
 *   [service NAME]                <op>_ms = DIST ... (dynamodb, sqs, s3, apigateway, lambda);
 *                                 dynamodb: status_delay_ms (CREATING/UPDATING/DELETING, 0),
 *                                 ttl_sweep_s (time between TTL sweeps, 1),
 *                                 partition_limits = on|off (per-item partition limits, on);
 *                                 lambda: idle_timeout_s
 *   [table NAME]                  region, partition_key = name:S|N|B, sort_key, rcu, wcu,
 *                                 billing = provisioned|pay_per_request,
 *                                 gsi = INDEX pk:T [sk:T], gsi.INDEX.rcu, gsi.INDEX.wcu
 *   [queue NAME]                  region, visibility_timeout_s, message_retention_s,
 *                                 delay_s, dead_letter_queue, max_receive_count
 *   [function NAME]               handler, region, reserved_concurrency, timeout_s,
 *                                 memory_mb, env.KEY = value
 *   [event_source_mapping NAME]   queue, function, batch_size, maximum_concurrency,
 *                                 report_batch_item_failures
 *   [api NAME]                    region, stage, route = METHOD /path FUNCTION (repeated),
 *                                 error_response = STATUS REGEX (repeated)
 *   [bucket NAME]                 region
 *   [fault NAME]                  service, operation, region, kind = throttle |
 *                                 internal_error | function_error | duplicate_delivery |
 *                                 outage, probability (0..1), start_s, end_s
 * DIST is a number (fixed), fixed(x), normal(mean, sd), lognormal(median, sigma) or
 * uniform(lo, hi); values in the section's unit (ms unless the key ends in _s). */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/core/sim_clock.h"

enum sim_dist_kind { SIM_DIST_FIXED = 0, SIM_DIST_NORMAL, SIM_DIST_LOGNORMAL, SIM_DIST_UNIFORM };

/* A latency distribution in microseconds. Samples are truncated at zero. */
typedef struct sim_dist {
    int kind;   /* enum sim_dist_kind */
    double a;   /* fixed: value; normal: mean; lognormal: median; uniform: low (us) */
    double b;   /* normal: sd; lognormal: sigma (log scale); uniform: high (us) */
} sim_dist;

typedef struct sim_cfg_region {
    char *name;        /* owned */
    int is_client;     /* kind = client */
} sim_cfg_region;

typedef struct sim_cfg_latency {
    int a, b;          /* region indexes */
    sim_dist one_way;  /* one-way latency */
} sim_cfg_latency;

typedef struct sim_cfg_service_time {
    char *service;     /* owned: "dynamodb", "sqs", "s3", "apigateway", "lambda" */
    char *op;          /* owned: lower-case operation key without _ms, e.g. "getitem" */
    sim_dist dist;
} sim_cfg_service_time;

typedef struct sim_cfg_gsi {
    char *name;        /* owned */
    char *pk, *pk_type; /* owned */
    char *sk, *sk_type; /* owned, NULL when absent */
    int64_t rcu, wcu;  /* provisioned; 0 = same as table */
} sim_cfg_gsi;

typedef struct sim_cfg_table {
    char *name;        /* owned */
    int region;        /* region index */
    char *pk, *pk_type;
    char *sk, *sk_type; /* NULL when no sort key */
    int64_t rcu, wcu;
    int on_demand;     /* billing = pay_per_request */
    sim_cfg_gsi *gsis;
    size_t ngsis;
    int line;          /* line of the section, for messages */
} sim_cfg_table;

typedef struct sim_cfg_queue {
    char *name;
    int region;
    int64_t visibility_timeout_s; /* default 30 */
    int64_t message_retention_s;  /* default 345600 (4 days) */
    int64_t delay_s;              /* default 0 */
    char *dead_letter_queue;      /* owned, NULL when none */
    int64_t max_receive_count;    /* with dead_letter_queue */
    int line;
} sim_cfg_queue;

typedef struct sim_cfg_function {
    char *name;
    char *handler;                /* registered handler name */
    int region;
    int64_t reserved_concurrency; /* 0 = unreserved (account limit applies) */
    sim_time_us timeout_us;       /* default 3 s, as AWS */
    int64_t memory_mb;            /* default 128 */
    char **env_keys, **env_values; /* owned */
    size_t nenv;
    int line;
} sim_cfg_function;

typedef struct sim_cfg_esm {
    char *name;
    char *queue;
    char *function;
    int64_t batch_size;           /* default 10 */
    int64_t maximum_concurrency;  /* default 2..1000; default 5 */
    int report_batch_item_failures;
    int line;
} sim_cfg_esm;

typedef struct sim_cfg_route {
    char *method;   /* owned, upper case */
    char *path;     /* owned, e.g. "/user/login" */
    char *function; /* owned */
    int line;
} sim_cfg_route;

/* Integration response: a Lambda error whose errorMessage matches pattern (POSIX ERE,
 * anchored as written) gets this HTTP status; unmatched errors go out as 200. */
typedef struct sim_cfg_response {
    int status;     /* e.g. 400 */
    char *pattern;  /* owned, e.g. "^\\[Bad Request\\].*" */
    int line;
} sim_cfg_response;

typedef struct sim_cfg_api {
    char *name;
    int region;
    char *stage;
    sim_cfg_route *routes;
    size_t nroutes;
    sim_cfg_response *responses; /* integration response mappings, in file order */
    size_t nresponses;
    int line;
} sim_cfg_api;

typedef struct sim_cfg_bucket {
    char *name;
    int region;
    int line;
} sim_cfg_bucket;

enum sim_fault_kind {
    SIM_FAULT_THROTTLE = 1,  /* ProvisionedThroughputExceededException (DynamoDB) */
    SIM_FAULT_INTERNAL,      /* the service's 500 (InternalServerError, InternalFailure) */
    SIM_FAULT_FUNCTION,      /* a Lambda function error without running the handler */
    SIM_FAULT_DUPLICATE,     /* SQS delivers a sent message twice (at-least-once) */
    SIM_FAULT_OUTAGE,        /* every call into the region fails (503) */
};

/* [fault NAME]: with probability ppm/1e6, within [start_us, end_us), an operation of a
 * service in a region fails as kind says. NULL/-1 fields match anything. */
typedef struct sim_cfg_fault {
    char *name;       /* owned */
    char *service;    /* owned: "dynamodb", "sqs", "s3", "lambda", or NULL (any; outage) */
    char *operation;  /* owned: "PutItem", a function name for lambda, or NULL (any) */
    int region;       /* region index, or -1 for any */
    int kind;         /* enum sim_fault_kind */
    int64_t ppm;      /* probability in parts per million (1000000 = always) */
    sim_time_us start_us, end_us; /* window; end 0 = no end */
    int line;
} sim_cfg_fault;

typedef struct sim_config {
    char *path;                  /* owned: the file read */
    char *account_id;            /* default "000000000000" */
    int default_region;          /* region index for resources made at run time */
    int client_region;           /* region index of the simulated client */
    uint64_t seed;               /* [world] seed, default 1 */
    sim_cfg_region *regions; size_t nregions;
    sim_cfg_latency *latencies; size_t nlatencies;
    sim_cfg_service_time *service_times; size_t nservice_times;
    sim_cfg_table *tables; size_t ntables;
    sim_cfg_queue *queues; size_t nqueues;
    sim_cfg_function *functions; size_t nfunctions;
    sim_cfg_esm *esms; size_t nesms;
    sim_cfg_api *apis; size_t napis;
    sim_cfg_bucket *buckets; size_t nbuckets;
    sim_cfg_fault *faults; size_t nfaults;
    sim_time_us lambda_idle_timeout_us; /* [service lambda] idle_timeout_s, default 600 s */
    sim_time_us ddb_status_delay_us;    /* [service dynamodb] status_delay_ms: how long a table
                                         * stays CREATING/UPDATING/DELETING; default 0 */
    sim_time_us ddb_ttl_sweep_us;       /* [service dynamodb] ttl_sweep_s: scheduler time
                                         * between two TTL sweeps; 0 here: the default 1 s */
    int ddb_partition_limits_off;       /* [service dynamodb] partition_limits = off: no
                                         * per-item partition limits; default on (0 here) */
} sim_config;

/**
 * Read and check path. On error prints "path:line: key: reason" to errout and returns
 * -SIM_ECONFIG (or -SIM_EIO if unreadable, -SIM_ENOMEM). On success *out is owned by the
 * caller: sim_config_destroy().
 */
int sim_config_load(const char *path, FILE *errout, sim_config **out);

/** Free. Accepts NULL. */
void sim_config_destroy(sim_config *cfg);

/**
 * Read another file into cfg as if appended to it (e.g. a faults file given with
 * --faults), then check. Errors as sim_config_load; cfg may be partly changed on error.
 */
int sim_config_merge(sim_config *cfg, const char *path, FILE *errout);

/** Region index by name, or -1. */
int sim_config_region(const sim_config *cfg, const char *name);

/** One-way latency between regions a and b, or NULL when not configured. */
const sim_dist *sim_config_latency(const sim_config *cfg, int a, int b);

/** Service time for service/op (lower case), falling back to op "default"; or NULL. */
const sim_dist *sim_config_service_time(const sim_config *cfg, const char *service,
                                         const char *op);

/** Parse a distribution ("lognormal(15, 0.25)") given in unit_us microseconds per unit.
 * Returns 0 or -SIM_EINVAL. */
int sim_dist_parse(const char *text, double unit_us, sim_dist *out);

/** Check cross-references (regions, queues, functions, latency pairs in use) after
 * loading or after sim_config_set. Returns 0 or -SIM_ECONFIG with reasons on errout. */
int sim_config_check(const sim_config *cfg, FILE *errout);

/** Override one key of a section as if it appeared in the file (for tests and
 * experiments): e.g. ("function tweeterUpdateFeeds", "reserved_concurrency", "20").
 * Returns 0 or -SIM_ECONFIG with the reason on errout. */
int sim_config_set(sim_config *cfg, const char *section, const char *key, const char *value,
                   FILE *errout);

#endif
