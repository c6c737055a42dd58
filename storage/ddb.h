/* ddb.h - the DynamoDB-style table service: tables, GSIs, items, capacity, on sqlite3,
 * and its wire protocol (JSON 1.0, X-Amz-Target: DynamoDB_20120810.<Op>).
 * The service itself takes no simulated time: latency and service time are added by the
 * region model in sim/. Capacity token buckets read the scheduler's clock.
 * Partition model (developer guide, "Partitions and data distribution"): a table or GSI has
 * max(ceil(RCU/3000 + WCU/1000), ceil(bytes/10 GB), 1) partitions (on-demand: 12000 RCU /
 * 4000 WCU); each partition serves at most 3000 read and 1000 write units per second in
 * both modes (one second of burst). The model assumes split-for-heat has already happened
 * (developer guide, "Burst and adaptive capacity", "Key range throughput exceeded", "Best
 * practices for designing and using partition keys effectively"): the limit binds each item
 * (partition key + sort key) of a table or index with a sort key, each partition key value of
 * one without, and a Query's item collection as a whole; beyond it the item is throttled:
 * ProvisionedThroughputExceededException on provisioned tables, ThrottlingException on
 * on-demand ones. Table and index status (CREATING, UPDATING, DELETING) last the status
 * delay (ddb_service_set_status_delay); a GSI added by UpdateTable is backfilled on the
 * scheduler.
 * Source: Amazon DynamoDB API Reference (API_Operations_Amazon_DynamoDB.html). */
#ifndef DDB_H
#define DDB_H

#include <cjson/cJSON.h>

#include "sim/core/sim_http_msg.h"
#include "sim/core/sim_log.h"
#include "sim/core/sim_reply.h"
#include "sim/core/sim_rng.h"
#include "sim/core/sim_sched.h"

typedef struct ddb_service ddb_service;

typedef struct ddb_options {
    const char *db_path;     /* sqlite file, or NULL for in-memory */
    const char *region;      /* e.g. "us-west-2", for TableArn */
    const char *account_id;  /* e.g. "000000000000" */
} ddb_options;

/**
 * Create the service. sched, rng and log are borrowed and must outlive it (rng: the
 * service's own forked stream). Tables already in db_path are loaded.
 * *out is owned: ddb_service_destroy(). Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int ddb_service_create(sim_sched *sched, sim_rng *rng, sim_log *log, const ddb_options *opt,
                       ddb_service **out);

/** Close sqlite and free everything. Accepts NULL. */
void ddb_service_destroy(ddb_service *svc);

/**
 * Run one operation synchronously: op is the action name ("PutItem", "Query", ...),
 * req the request document (borrowed) exactly as the JSON protocol carries it.
 * *out (initialised by the caller) receives the response body or the AWS error
 * (code without namespace, HTTP status, message). Unknown op -> 400
 * UnknownOperationException. Returns 0, or -SIM_ENOMEM / -SIM_ESTORAGE (then *out holds
 * a 500 InternalServerError too).
 */
int ddb_call(ddb_service *svc, const char *op, const cJSON *req, sim_reply *out);

/**
 * The JSON 1.0 wire protocol: reads X-Amz-Target and the body of x->req, runs ddb_call,
 * writes x->resp (Content-Type application/x-amz-json-1.0; errors as
 * {"__type":"com.amazonaws.dynamodb.v20120810#Code","message":"..."}; malformed JSON ->
 * SerializationException), then calls x->complete(x) before returning.
 * Before parsing, the body must be valid UTF-8 without raw NUL bytes (else a 400
 * SerializationException, as AWS's parser gives). Deviation from DynamoDB: a string holding
 * U+0000 (the escape \u0000) is refused with a 400 ValidationException saying Stratus
 * cannot store it; DynamoDB accepts it, but the JSON library here cannot hold it.
 */
void ddb_http_serve(ddb_service *svc, sim_http_exchange *x);

/**
 * Set how long a table stays CREATING, UPDATING or DELETING, and how long a GSI added by
 * UpdateTable spends in resource allocation, in scheduler microseconds (regions.conf
 * [service dynamodb] status_delay_ms). 0 (the default) makes every change take effect at
 * once: the CreateTable/UpdateTable reply still says CREATING/UPDATING, as AWS's always
 * does, and the next DescribeTable says ACTIVE. Tables that exist already keep their status.
 * With a delay, data-plane calls on a CREATING or DELETING table answer
 * ResourceNotFoundException, control-plane calls ResourceInUseException, as AWS does.
 * Source: API_CreateTable, API_DeleteTable, API_UpdateTable (TableStatus).
 */
void ddb_service_set_status_delay(ddb_service *svc, sim_time_us delay_us);

/**
 * Set the scheduler time between two TTL sweeps, in microseconds (regions.conf [service
 * dynamodb] ttl_sweep_s; default 1 s; values <= 0 restore the default). An item whose TTL
 * attribute is in the past is deleted by the first sweep after its expiry, so within this
 * bound; until then reads, queries and scans still return it. AWS deletes expired items
 * "typically within a few days" (developer guide, "Time to Live (TTL)"); a longer period
 * here lets tests see expired items that are still readable. It applies from the next
 * sweep on.
 */
void ddb_service_set_ttl_sweep(ddb_service *svc, sim_time_us period_us);

/**
 * Turn the per-partition limits (3000 RCU / 1000 WCU per item per second, see the
 * partition model above) on (the default, as AWS) or off (regions.conf [service dynamodb]
 * partition_limits = off, e.g. for raw-throughput benchmarks that hammer one key; table and
 * index capacity still apply).
 */
void ddb_service_set_partition_limits(ddb_service *svc, int on);

/** Number of tables. */
int ddb_table_count(const ddb_service *svc);

#define DDB_STATS_GSI_MAX 20 /* GSIs per table (DynamoDB quota) */

/* Capacity counters of one table or index since it was created. Consumption is counted
 * for on-demand tables too. Milli-units: 1000 = one capacity unit. */
typedef struct ddb_store_counters {
    int64_t consumed_rcu_mu;  /* read units charged, milli-units */
    int64_t consumed_wcu_mu;  /* write units charged, milli-units */
    int64_t throttled_reads;  /* reads refused (ProvisionedThroughputExceeded, or a batch
                                 key left unprocessed) */
    int64_t throttled_writes; /* writes refused, likewise (a BatchWriteItem item counts) */
    int64_t item_count;       /* rows now */
    int64_t partitions;       /* (added) partitions of the partition model now:
                                 max(ceil(RCU/3000 + WCU/1000), ceil(bytes/10 GB), 1); an
                                 on-demand table counts as 12000 RCU / 4000 WCU */
} ddb_store_counters;

typedef struct ddb_table_counters {
    ddb_store_counters table;
    int ngsi;                                 /* GSIs of the table */
    const char *gsi_name[DDB_STATS_GSI_MAX];  /* IndexName of each, in definition order;
                                                 borrowed from the table (valid until it
                                                 is updated or deleted) */
    ddb_store_counters gsi[DDB_STATS_GSI_MAX];
} ddb_table_counters;

/**
 * Counters of table and its GSIs now (for metrics; no request, no capacity, no RNG draw).
 * A write refused by a GSI's bucket counts on that GSI. Fills *out (caller's storage).
 * Returns 0, or -SIM_ENOENT (out untouched) when there is no such table.
 */
int ddb_table_stats(ddb_service *svc, const char *table, ddb_table_counters *out);

#endif
