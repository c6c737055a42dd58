/* ddb_int.h - internals of the table service shared by its files (ddb_service.c,
 * ddb_table.c, ddb_capacity.c, ddb_status.c, ddb_icm.c, ddb_ops_*.c, ddb_http.c): the
 * service, table and index structs, encoded keys, token buckets, request-reading helpers
 * and the operations.
 * Nothing here is for other modules: they use storage/ddb.h. */
#ifndef DDB_INT_H
#define DDB_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "storage/ddb.h"
#include "storage/ddb_expr.h"

#define DDB_ITEM_MAX_BYTES  409600        /* 400 KB item limit */
#define DDB_PAGE_MAX_BYTES  (1024 * 1024) /* Query/Scan page: 1 MB read */
#define DDB_BURST_S         300           /* seconds of unused capacity kept as burst */
#define DDB_GSI_MAX         20            /* GSIs per table */
#define DDB_LSI_MAX         5             /* (added) LSIs per table */
#define DDB_IDX_MAX         (DDB_GSI_MAX + DDB_LSI_MAX) /* (added) indexes per table */
#define DDB_BATCH_WRITE_MAX 25            /* requests per BatchWriteItem */
#define DDB_BATCH_GET_MAX   100           /* keys per BatchGetItem */
/* BatchGetItem's response limit, "16 MB" (API_BatchGetItem). Counted as 16,000,000 bytes
 * against item sizes in 1,024-byte KB: the only reading that gives the page's own example,
 * 100 items of 300 KB -> 52 returned (52 * 307,200 = 15,974,400; a 53rd would pass 16e6;
 * with 16 MiB 54 would fit). */
#define DDB_BATCH_GET_RESP_MAX 16000000
#define DDB_HASH_KEY_MAX    2048          /* bytes of a partition key value */
#define DDB_RANGE_KEY_MAX   1024          /* bytes of a sort key value */
#define DDB_UU_PER_UNIT     1000000       /* micro capacity units per unit */
#define DDB_RATE_MAX        1000000000LL  /* units/s above which a bucket never throttles */
#define DDB_ERR_MAX         512           /* bytes of an expression error message */

/* Throughput limits as the AWS messages name them. */
#define DDB_MSG_THROTTLE_TABLE                                                             \
    "The level of configured provisioned throughput for the table was exceeded. Consider " \
    "increasing your provisioning level with the UpdateTable API."
#define DDB_MSG_THROTTLE_GSI                                                                  \
    "The level of configured provisioned throughput for one or more global secondary "        \
    "indexes of the table was exceeded. Consider increasing your provisioning level for the " \
    "under-provisioned global secondary indexes with the UpdateTable API"
#define DDB_MSG_KEY_SCHEMA "The provided key element does not match the schema"
/* An attribute name of zero characters (developer guide, HowItWorks.NamingRulesDataTypes:
 * attribute names "must be at least one character long"). AWS's text for an empty name in
 * ExpressionAttributeNames, as recorded against DynamoDB, is "ExpressionAttributeNames
 * contains invalid value: Empty attribute name for key #a": the inner check's own message is
 * this one. No recording of AWS's answer for an empty name inside an Item, a Key or a Map
 * was found; this inner message is used there as it stands (unverified). */
#define DDB_MSG_EMPTY_NAME "Empty attribute name"
#define DDB_MSG_NOT_FOUND  "Requested resource not found"

/* ---- capacity (ddb_capacity.c) ---- */

/* A token bucket on the scheduler clock, in micro capacity units (exact integer refill). */
typedef struct ddb_bucket {
    int64_t rate_per_s;  /* provisioned units per second; 0 = on-demand (never throttles) */
    int64_t tokens_uu;   /* available micro-units; negative after a read larger than the rest */
    sim_time_us last_us; /* scheduler time of the last refill */
    int64_t consumed_uu; /* micro-units charged since creation (also when on-demand) */
    int64_t throttled;   /* admissions refused since creation (requests or batch items) */
} ddb_bucket;

/** Initialise b at rate_per_s (0 = on-demand) with a full burst (300 s of rate), at now. */
void ddb__bucket_init(ddb_bucket *b, int64_t rate_per_s, sim_time_us now);

/** Refill b up to now, then change its rate (the burst cap follows the new rate). */
void ddb__bucket_set_rate(ddb_bucket *b, int64_t rate_per_s, sim_time_us now);

/** Refill b up to now; 1 when a request may proceed (on-demand, or tokens > 0), else 0. */
int ddb__bucket_admit(ddb_bucket *b, sim_time_us now);

/** Refill b up to now and take cost_uu micro-units (the balance may go negative). */
void ddb__bucket_charge(ddb_bucket *b, int64_t cost_uu, sim_time_us now);

/** Write units for an item of bytes: ceil(bytes / 1 KB), at least 1, in micro-units. */
int64_t ddb__write_cost_uu(size_t bytes);

/** Read cost of bytes read: ceil(bytes / 4 KB), at least 1 unit; halved unless consistent. */
int64_t ddb__read_cost_uu(size_t bytes, int consistent);

/* Capacity consumed by one request on one table, for ReturnConsumedCapacity. */
typedef struct ddb_cc {
    int64_t table_uu;            /* micro-units charged to the table */
    int64_t gsi_uu[DDB_IDX_MAX]; /* micro-units charged to each index (GSI or LSI), by position */
} ddb_cc;

enum ddb_rcc { DDB_RCC_NONE = 0, DDB_RCC_TOTAL = 1, DDB_RCC_INDEXES = 2 };

struct ddb_table;

/** New ConsumedCapacity object for t ({TableName, CapacityUnits[, Table, GSIs]}), or NULL. */
cJSON *ddb__cc_json(const struct ddb_table *t, const ddb_cc *cc, int rcc);

/* ---- tables (ddb_table.c) ---- */

typedef struct ddb_keyschema {
    char *hash;     /* owned: partition key attribute name */
    int hash_type;  /* DDB_T_S, DDB_T_N or DDB_T_B */
    char *range;    /* owned: sort key attribute name, NULL when there is none */
    int range_type; /* type of the sort key, 0 when none */
} ddb_keyschema;

/* A key in the order-preserving encoding (ddb_key_encode). */
typedef struct ddb_key {
    unsigned char *pk; /* owned (malloc) */
    size_t pk_len;
    unsigned char *sk; /* owned; NULL with sk_len 0 when the schema has no sort key */
    size_t sk_len;
} ddb_key;

enum ddb_proj_type { DDB_PROJ_ALL = 0, DDB_PROJ_KEYS_ONLY = 1, DDB_PROJ_INCLUDE = 2 };

/* (Added.) TableStatus and IndexStatus (API_TableDescription,
 * API_GlobalSecondaryIndexDescription). */
enum ddb_status { DDB_ST_ACTIVE = 0, DDB_ST_CREATING, DDB_ST_UPDATING, DDB_ST_DELETING };

/* Statement slots of a Query: 9 sort-key shapes x direction x start key. */
enum ddb_qshape {
    DDB_Q_NONE = 0,
    DDB_Q_EQ,
    DDB_Q_LT,
    DDB_Q_LE,
    DDB_Q_GT,
    DDB_Q_GE,
    DDB_Q_BETWEEN,
    DDB_Q_PREFIX,      /* begins_with with an upper bound: sk >= lo AND sk < hi */
    DDB_Q_PREFIX_OPEN, /* begins_with without an upper bound (checked row by row) */
    DDB_Q_SHAPES
};
#define DDB_QSTMT_N (DDB_Q_SHAPES * 4)

/* What a table and each of its GSIs share: a sqlite table, a key schema, capacity. */
typedef struct ddb_store {
    char sqlname[32];                    /* sqlite table name, e.g. "t_3" or "g_3_0" */
    int is_gsi;                          /* 1: rows are (pk, sk, tpk, tsk, item, size) */
    ddb_keyschema ks;                    /* the key of this table or index */
    int64_t rcu, wcu;                    /* provisioned units/s; 0 when on demand */
    int decreases;                       /* NumberOfDecreasesToday */
    double last_increase_s;              /* epoch seconds of the last increase, 0 when none */
    double last_decrease_s;              /* epoch seconds of the last decrease, 0 when none */
    ddb_bucket rb, wb;                   /* read and write buckets */
    int64_t item_count;                  /* rows */
    int64_t size_bytes;                  /* sum of item sizes */
    sqlite3_stmt *st_get;                /* table only: item, size by (pk, sk) */
    sqlite3_stmt *st_put;                /* insert or replace one row */
    sqlite3_stmt *st_del;                /* delete one row by its full key */
    sqlite3_stmt *st_query[DDB_QSTMT_N]; /* prepared lazily */
    sqlite3_stmt *st_scan[2];            /* [0] from the start, [1] after a start key */
    struct ddb_hot *hot; /* (added) owned: buckets of the partition keys in use (ddb_capacity.c);
                          * NULL until the first keyed request */
    int pend;                   /* (added) 1: rcu/wcu change to pend_* when UPDATING settles */
    int64_t pend_rcu, pend_wcu; /* (added) the requested units/s */
} ddb_store;

typedef struct ddb_gsi {
    char *name;    /* owned: IndexName */
    int proj_type; /* enum ddb_proj_type */
    char **nonkey; /* owned: NonKeyAttributes for INCLUDE */
    int n_nonkey;
    ddb_store st; /* the index's own sqlite table, keys and capacity */
    int is_lsi;   /* (added) 1: a local secondary index (same partition key as the table, no
                   * capacity of its own: reads and writes are charged to the table) */
    int status;   /* (added) enum ddb_status: IndexStatus */
    int backfilling;    /* (added) 1 while a GSI added by UpdateTable is being backfilled */
    sim_time_us due_us; /* (added) scheduler time of this index's next lifecycle step, -1 none */
    ddb_key bf_cursor;  /* (added) owned: last table key the backfill copied (pk NULL: none) */
    int bf_cursor_set;  /* (added) 1 once bf_cursor holds a key */
} ddb_gsi;

typedef struct ddb_table {
    char *name;               /* owned: TableName */
    int64_t id;               /* internal id naming the sqlite tables */
    char table_id[37];        /* TableId (UUID from the service rng) */
    cJSON *attrdefs;          /* owned: AttributeDefinitions as normalised */
    int on_demand;            /* 1: BillingMode PAY_PER_REQUEST */
    double created_s;         /* CreationDateTime, epoch seconds */
    double ppr_since_s;       /* (added) LastUpdateToPayPerRequestDateTime, epoch seconds; 0
                               * when the table was never PAY_PER_REQUEST */
    int deletion_protection;  /* (added) DeletionProtectionEnabled */
    ddb_store st;             /* the table's rows, key schema and capacity */
    ddb_gsi gsi[DDB_IDX_MAX]; /* secondary indexes: the GSIs, then the LSIs (is_lsi) */
    int ngsi;                 /* entries of gsi[], LSIs included */
    int status;               /* (added) enum ddb_status: TableStatus */
    sim_time_us due_us;       /* (added) scheduler time the table status settles, -1 none */
    sim_timer timer;          /* (added) lifecycle timer (ddb_status.c), armed at the earliest
                               * due_us of the table and its indexes */
    ddb_service *svc;         /* (added) borrowed: the owning service, for the timer */
} ddb_table;

/* (Added.) A TransactWriteItems ClientRequestToken remembered for its idempotency window. */
typedef struct ddb_txn_token {
    char *token;           /* owned: ClientRequestToken */
    char *request;         /* owned: the request without its token, printed (compared as text) */
    sim_time_us expires_us; /* scheduler time at which the token is forgotten */
} ddb_txn_token;

struct ddb_service {
    sim_sched *sched;   /* borrowed */
    sim_rng *rng;       /* borrowed: the service's stream (TableId, RequestId) */
    sim_log *log;       /* borrowed */
    char *region;       /* owned */
    char *account_id;   /* owned */
    sqlite3 *db;        /* owned */
    ddb_table **tables; /* owned array of owned tables, sorted by name */
    int ntables;
    int cap;
    int64_t next_id;                                  /* next internal table id */
    sqlite3_stmt *st_begin, *st_commit, *st_rollback; /* owned */
    sqlite3_stmt *st_meta_put, *st_meta_del;          /* owned */
    ddb_txn_token *tokens; /* (added) owned: TransactWriteItems tokens (ddb_ops_txn.c) */
    int ntokens, tokens_cap;
    struct ddb_meta *meta; /* (added) owned: tags and TTL per table (ddb_ops_meta.c) */
    int nmeta, meta_cap;
    sim_timer ttl_timer; /* (added) TTL sweep timer (ddb_ttl.c); armed while TTL is on */
    int ttl_timer_used;  /* (added) 1 once ttl_timer was initialised */
    sim_time_us status_delay_us; /* (added) how long CREATING, UPDATING and DELETING last, and
                                  * an added GSI's resource allocation (0: no delay) */
    sim_time_us ttl_period_us;   /* (added) time between TTL sweeps; 0: DDB_TTL_PERIOD_US */
    int partition_limits_off;    /* (added) 1: no per-item partition limits (benchmarks) */
    int wire_items;      /* 1 while ddb_http_serve runs a call: its reply is only printed,
                            so reads may hand items over as their stored text (cJSON_Raw)
                            instead of parsing them; in-process callers get parsed items */
};

/** The table named name, or NULL (binary search). */
ddb_table *ddb__table_find(const ddb_service *svc, const char *name);

/** Insert t (taken) in the sorted registry. Returns 0 or -SIM_ENOMEM (t not taken). */
int ddb__table_register(ddb_service *svc, ddb_table *t);

/** Remove t from the registry (not freed). */
void ddb__table_unregister(ddb_service *svc, ddb_table *t);

/**
 * Build a table from its definition document (the normalised CreateTable request plus
 * "Id", "TableId", "CreationDateTime"), create its sqlite tables if missing and prepare
 * its statements. *out is owned: ddb__table_free(). Returns 0, -SIM_EINVAL (bad def),
 * -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int ddb__table_open(ddb_service *svc, const cJSON *def, ddb_table **out);

/** Finalize t's statements and free it. Accepts NULL. */
void ddb__table_free(ddb_table *t);

/** Write t's definition to the metadata table. Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE. */
int ddb__table_save(ddb_service *svc, const ddb_table *t);

/** Drop t's sqlite tables and its metadata row. Returns 0 or -SIM_ESTORAGE. */
int ddb__table_drop(ddb_service *svc, ddb_table *t);

/** Create the metadata table if missing, prepare the service's statements (transactions,
 * metadata) and load every table it lists. Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE. */
int ddb__tables_load(ddb_service *svc);

/** Begin / commit / roll back a transaction. 0 or -SIM_ESTORAGE. */
int ddb__txn_begin(ddb_service *svc);
int ddb__txn_commit(ddb_service *svc);
void ddb__txn_rollback(ddb_service *svc);

void ddb__key_release(ddb_key *k);

/**
 * Encode the key of ks from attrs (an item or a key map): -SIM_EINVAL when an attribute is
 * missing or not of the declared type, -SIM_ENOMEM; else 0 and *out (release with
 * ddb__key_release).
 */
int ddb__key_encode(const ddb_keyschema *ks, const cJSON *attrs, ddb_key *out);

/** 1 when a and b are the same key. */
int ddb__key_equal(const ddb_key *a, const ddb_key *b);

/** Read the item at key: *out_item (owned, NULL when absent) and *out_size. 0 or error. */
int ddb__item_get(ddb_service *svc, ddb_table *t, const ddb_key *key, cJSON **out_item,
                  size_t *out_size);

/**
 * As ddb__item_get, for an item that goes into the reply unchanged: while svc->wire_items
 * is set, *out_item is a cJSON_Raw node holding the stored text (printed verbatim, not to
 * be read as an object); otherwise the parsed item.
 */
int ddb__item_get_wire(ddb_service *svc, ddb_table *t, const ddb_key *key, cJSON **out_item,
                       size_t *out_size);

/**
 * As ddb__item_get, but *out_item is always a cJSON_Raw node holding the stored text (not
 * parsed): for a caller that needs only whether the item exists and its size.
 */
int ddb__item_get_text(ddb_service *svc, ddb_table *t, const ddb_key *key, cJSON **out_item,
                       size_t *out_size);

/* A planned write of one item: the table row and every GSI row it changes. */
typedef struct ddb_gsi_op {
    int del;         /* 1: delete the old index row at old_key */
    ddb_key old_key; /* index key (pk, sk) of the old row */
    int put;         /* 1: write the new index row at new_key */
    ddb_key new_key;
    cJSON *proj;          /* owned projected item for KEYS_ONLY / INCLUDE; NULL for ALL */
    size_t proj_size;     /* bytes of the projected new item */
    size_t old_proj_size; /* bytes of the projected old item */
    int replace;          /* 1: the put replaces the old row at the same index key */
    int64_t cost_uu;      /* write cost charged to the GSI */
} ddb_gsi_op;

typedef struct ddb_wplan {
    const ddb_key *key;        /* borrowed: table key */
    const cJSON *new_item;     /* borrowed: NULL for a delete */
    size_t new_size, old_size; /* item sizes (0 when absent) */
    int had_old;               /* 1 when an item existed */
    int64_t cost_uu;           /* write cost charged to the table */
    ddb_gsi_op gop[DDB_IDX_MAX];
} ddb_wplan;

/** Plan replacing old_item (may be NULL) by new_item (NULL: delete) at key. 0 or ENOMEM. */
int ddb__wplan_make(ddb_table *t, const ddb_key *key, const cJSON *old_item, size_t old_size,
                    const cJSON *new_item, size_t new_size, ddb_wplan *p);

void ddb__wplan_release(ddb_table *t, ddb_wplan *p);

enum ddb_admit {
    DDB_ADMIT_OK = 0,
    DDB_ADMIT_TABLE = 1,
    DDB_ADMIT_GSI = 2,
    DDB_ADMIT_KEY_TABLE = 3, /* (added) a partition key of the table is over its partition limit */
    DDB_ADMIT_KEY_GSI = 4    /* (added) a partition key of a GSI is over its partition limit */
};

/** Check the table's and every affected GSI's write bucket. Returns enum ddb_admit. */
int ddb__wplan_admit(ddb_service *svc, ddb_table *t, const ddb_wplan *p);

/**
 * Apply p in one transaction, update counters, charge the buckets and add the charges to
 * *cc (may be NULL). Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE (rolled back).
 */
int ddb__wplan_apply(ddb_service *svc, ddb_table *t, ddb_wplan *p, ddb_cc *cc);

/**
 * Prepared Query statement of store s for shape (enum ddb_qshape), descending order and
 * a start key; prepared on first use and cached. Parameters: ?1 pk, ?2 ?3 bounds,
 * ?4 (?5 ?6 for a GSI) start key. Columns: item, size. Returns 0 or -SIM_E*.
 */
int ddb__query_stmt(ddb_service *svc, ddb_store *s, int shape, int desc, int start,
                    sqlite3_stmt **out);

/** Prepared Scan statement: start 0 (all rows) or 1 (after ?1 ?2 [?3 ?4]). Cached. */
int ddb__scan_stmt(ddb_service *svc, ddb_store *s, int start, sqlite3_stmt **out);

/** Parse a stored row's item text (column 0). NULL on ENOMEM or corrupt text. */
cJSON *ddb__row_item(sqlite3_stmt *st);

/**
 * A stored row's item (column 0) for the reply only: a cJSON_Raw node holding the text
 * while svc->wire_items is set, else parsed as ddb__row_item. Owned; NULL on ENOMEM.
 */
cJSON *ddb__row_item_wire(const ddb_service *svc, sqlite3_stmt *st);

/** Replace every number in item (recursively) by its canonical text. 0 or -SIM_ENOMEM. */
int ddb__item_normalize(cJSON *item);

/** New KeySchema list of ks ([{AttributeName, KeyType}]), or NULL on ENOMEM. */
cJSON *ddb__keyschema_json(const ddb_keyschema *ks);

/** New ProvisionedThroughput object of s (with the increase/decrease stamps), or NULL. */
cJSON *ddb__throughput_json(const ddb_store *s);

/** The GSI named name, or NULL (LSIs are not found). */
ddb_gsi *ddb__gsi_find(ddb_table *t, const char *name);

/** (Added.) The GSI or LSI named name, or NULL. */
ddb_gsi *ddb__index_find(ddb_table *t, const char *name);

/* ---- requests (ddb_service.c) ---- */

/*
 * Request readers. Each returns 0 when the member is absent (JSON null counts as absent:
 * *out untouched) or present with the right JSON type (*out set); on a wrong JSON type it
 * writes AWS's SerializationException into r and returns -1. ddb_call runs ddb_validate
 * first, which answers every wrong JSON type, so these errors are a safety net worded as
 * the validator words them ("NUMBER_VALUE cannot be converted to String").
 */
/*
 * Check every AttributeValue of map m (a request's Key, Item or ExclusiveStartKey; borrowed,
 * NULL allowed) with ddb_attr_validate, in member order. AWS does this with the request's
 * own validation, before the table is looked up: {"TableName":"absent","Key":{"a":{}}} is
 * "Supplied AttributeValue is empty, ...", not ResourceNotFoundException (dynalite
 * validations/getItem.js, putItem.js, deleteItem.js, updateItem.js custom checks, and its
 * test/getItem.js run against DynamoDB with a table that does not exist). start_key 1 (an
 * ExclusiveStartKey) prefixes "The provided starting key is invalid: " except to the
 * messages AWS sends bare there (duplicates, number sets, numbers: dynalite
 * validations/query.js, scan.js). 0, -1 (r set) or -SIM_ENOMEM.
 */
int ddb__req_av_check(const cJSON *m, int start_key, sim_reply *r);
int ddb__req_str(const cJSON *obj, const char *name, const char **out, sim_reply *r);
int ddb__req_int(const cJSON *obj, const char *name, const char *jtype, int64_t *out, int *present,
                 sim_reply *r);
int ddb__req_bool(const cJSON *obj, const char *name, int *out, sim_reply *r);
int ddb__req_map(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r);
int ddb__req_list(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r);
int ddb__req_struct(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r);
/* (Added.) The same checks on a value already in hand (a member being iterated), so that
 * walking a map or list never looks its members up by name again: NULL or JSON null is
 * absent. */
int ddb__val_struct(const cJSON *m, const cJSON **out, sim_reply *r);
int ddb__val_list(const cJSON *m, const cJSON **out, sim_reply *r);
/* A map of attribute values (Item, Key, ExclusiveStartKey): a map whose members are objects.
 * One pass over the members (linear in their number). */
int ddb__req_attr_map(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r);

/* Accumulated "N validation errors detected: ...; ..." ValidationException. */
typedef struct ddb_verr {
    int n;      /* errors so far */
    size_t len; /* bytes used in buf */
    char buf[8192];
} ddb_verr;

void ddb__verr_init(ddb_verr *v);

/** Add "Value <value> at '<path>' failed to satisfy constraint: <constraint>".
 * value NULL prints null; otherwise it is quoted (cut to its first 4000 bytes). */
void ddb__verr_add(ddb_verr *v, const char *value, const char *path, const char *constraint);

/** If errors were added: write the ValidationException into r and return -1; else 0. */
int ddb__verr_reply(const ddb_verr *v, sim_reply *r);

/** Set a 400 ValidationException with a printf message. Returns -1. */
int ddb__validation(sim_reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Check TableName: null, length 3..255, pattern [a-zA-Z0-9_.-]+. 0 or -1 (r set). */
int ddb__check_table_name(const char *name, const char *path, ddb_verr *v, sim_reply *r);

/**
 * Read TableName and find the table: 0 with *out, or -1 with r set (SerializationException,
 * ValidationException, or ResourceNotFoundException with message not_found_msg).
 */
/**
 * Refuse document paths that go below a key attribute of t (borrowed) or of one of its
 * indexes in whichever of condition c, projection p and update u is not NULL: key
 * attributes are scalars. 0, or -1 with r set to DynamoDB's ValidationException ("Key
 * attributes must be scalars; list random access '[]' and map lookup '.' are not allowed:
 * Key: a", "...: IndexKey: g"). Source: developer guide, HowItWorks.CoreComponents (each
 * primary key attribute must be a scalar); message as recorded by dynalite's suite.
 */
int ddb__key_paths_check(const struct ddb_table *t, const ddb_cond *c, const ddb_proj *p,
                         const ddb_update *u, sim_reply *r);

int ddb__req_table(ddb_service *svc, const cJSON *req, const char *not_found_msg, ddb_table **out,
                   sim_reply *r);

/** Read ReturnConsumedCapacity (INDEXES|TOTAL|NONE) into *out; 0 or -1 (r set). */
int ddb__req_rcc(const cJSON *req, ddb_verr *v, int *out, sim_reply *r);

/**
 * Set up env from ExpressionAttributeNames/Values of obj (validating them: non-empty maps,
 * string names, valid attribute values; has_expr 0 means the request carries no expression,
 * so either map is an error). 0, -1 (r set) or -SIM_ENOMEM. Release env always.
 */
int ddb__req_env(const cJSON *obj, int has_expr, ddb_expr_env *env, sim_reply *r);

/**
 * ddb__req_env with the operation's own rule for ExpressionAttributeValues: they are an
 * error unless has_val_expr (an expression that can use values, i.e. not a
 * ProjectionExpression, is present); val_exprs, when not NULL, ends that message as
 * DynamoDB ends it, e.g. "UpdateExpression and ConditionExpression are null". Map keys must
 * be "#name" / ":value" ("ExpressionAttributeNames contains invalid key: Syntax error; key:
 * \"x\""). Source: API reference, PutItem/UpdateItem/Query/Scan ExpressionAttributeValues;
 * messages as recorded by dynalite's suite.
 */
int ddb__req_env_for(const cJSON *obj, int has_expr, int has_val_expr, const char *val_exprs,
                     ddb_expr_env *env, sim_reply *r);

/** Map an expression parse/eval error (-SIM_EINVAL with msg) into r. Returns -1, or rc
 * itself when rc is a C failure other than EINVAL. */
int ddb__expr_fail(int rc, const char *msg, sim_reply *r);

/**
 * Validate a Key parameter against schema ks of table t: attribute values valid, exactly
 * the key attributes, of the declared types, not empty, within size limits. On success
 * encodes it into *out. Returns 0, -1 (r set) or -SIM_ENOMEM.
 */
int ddb__key_check(const ddb_keyschema *ks, const cJSON *key, ddb_key *out, sim_reply *r);

/**
 * Validate an item for writing into t: attribute values, size limit, key attributes present
 * with the declared types, GSI key attribute types. Encodes the table key into *out.
 * Returns 0, -1 (r set) or -SIM_ENOMEM.
 */
int ddb__item_check(const ddb_table *t, const cJSON *item, ddb_key *out, sim_reply *r);

/** Check a would-be stored item's GSI key attributes (types, empty). 0 or -1 (r set). */
int ddb__item_check_gsi_keys(const ddb_table *t, const cJSON *item, sim_reply *r);

/* Helpers return DDB_EREPLY when they wrote an AWS error into the reply; other negative
 * values are C failures (-SIM_ENOMEM, -SIM_ESTORAGE). */
#define DDB_EREPLY (-1)

/** End of an operation: 0 for success or an AWS error already in r (rc 0 or DDB_EREPLY);
 * otherwise a 500 InternalServerError goes into r and rc is returned. */
int ddb__finish(int rc, sim_reply *r);

/** Error for a C failure: 500 InternalServerError into r; returns rc. */
int ddb__internal(sim_reply *r, int rc);

/** The scheduler's current time. */
sim_time_us ddb__now(const ddb_service *svc);

/** Type code of "S", "N", "B" (0 otherwise). */
int ddb__scalar_type(const char *s);

/* ---- operations (one request each; AWS errors go into r and return 0) ---- */

int ddb__op_create_table(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_describe_table(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_list_tables(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_update_table(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_delete_table(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_put_item(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_get_item(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_delete_item(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_update_item(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_query(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_scan(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_batch_write_item(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_batch_get_item(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_transact_write_items(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_transact_get_items(ddb_service *svc, const cJSON *req, sim_reply *r);

/* ---- (added) tags, TTL, limits, endpoints (ddb_ops_meta.c, ddb_ttl.c) ---- */

#define DDB_TAGS_MAX      50      /* tags per resource (AWS quota) */
#define DDB_TTL_PERIOD_US 1000000 /* scheduler time between two TTL sweeps */
#define DDB_TTL_MAX_AGE_S (5LL * 365 * 86400) /* AWS skips TTL values over 5 years past */

/* Tags and TTL settings of one table incarnation (keyed by TableId, so a table deleted and
 * created again under the same name starts afresh). */
typedef struct ddb_meta {
    char table_id[37]; /* TableId of the table */
    char *name;        /* owned: TableName, to find the table */
    cJSON *tags;       /* owned: [{Key, Value}] in insertion order; NULL when none */
    char *ttl_attr;    /* owned: TTL AttributeName while enabled, else NULL */
    int ttl_changed;   /* (added) 1 once UpdateTimeToLive changed it (this process) */
    sim_time_us ttl_changed_us; /* (added) scheduler time of that change */
} ddb_meta;

#define DDB_TTL_COOLDOWN_US (3600LL * 1000 * 1000) /* one TTL change an hour (API_UpdateTimeToLive) */
#define DDB_MSG_TAGS_MAX                                                                  \
    "Number of Tags exceed the current limit for the provided ResourceArn"

/**
 * (Added.) Check a Tags list (JSON types already checked) as TagResource and CreateTable do:
 * each Key present, 1..128 characters of the tag pattern (letters, numbers, spaces and
 * + - = . _ : / @), not prefixed aws:; each Value present, 0..256 such characters; no key
 * twice. 0, or -1 with AWS's ValidationException in r ("The Tag Key provided is invalid,
 * Key: K", "Tag Key cannot be prefixed with aws:, Key: K", "The Tag Value provided is
 * invalid, Value: V", "Duplicate Tag Keys provided as input: Duplicate Tag Key found K").
 * Source: developer guide "Tagging restrictions"; the messages as DynamoDB answers them.
 */
int ddb__tags_check(const cJSON *tags, sim_reply *r);

int ddb__op_tag_resource(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_untag_resource(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_list_tags_of_resource(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_update_time_to_live(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_describe_time_to_live(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_describe_limits(ddb_service *svc, const cJSON *req, sim_reply *r);
int ddb__op_describe_endpoints(ddb_service *svc, const cJSON *req, sim_reply *r);

/** After a successful CreateTable: keep its Tags (if any) for the new table. 0 or ENOMEM. */
int ddb__meta_on_create(ddb_service *svc, const cJSON *req);

/** The meta entry of live table t, created when create is 1 (NULL on ENOMEM or when absent).
 * Entries of deleted tables are dropped on the way. */
ddb_meta *ddb__meta_get(ddb_service *svc, const ddb_table *t, int create);

/** (Added.) Add t's tags ("Tags") and TTL attribute ("TimeToLiveAttribute") to its saved
 * definition def, so they persist with the table. 0 or -SIM_ENOMEM. */
int ddb__meta_to_def(ddb_service *svc, const ddb_table *t, cJSON *def);

/** (Added.) On load: restore t's tags and TTL setting from its saved definition (and arm the
 * TTL sweep). 0 or -SIM_ENOMEM. */
int ddb__meta_from_def(ddb_service *svc, const ddb_table *t, const cJSON *def);

/** Stop the TTL timer and free every meta entry (service destroy). */
void ddb__meta_free(ddb_service *svc);

/** (ddb_ttl.c) Arm the TTL sweep timer if some table has TTL on and it is not armed. */
void ddb__ttl_arm(ddb_service *svc);

/** (ddb_ttl.c) One sweep now: delete expired items of every TTL-enabled table. Returns the
 * number of items deleted, or a negative -SIM_E* code. */
int ddb__ttl_sweep(ddb_service *svc);

/** (Added.) Free the service's remembered ClientRequestTokens (ddb_ops_txn.c). */
void ddb__txn_tokens_free(ddb_service *svc);

/**
 * One write of a batch or a single-item call, without conditions: put item (validated) or
 * delete at key. Returns 0 (done), DDB_ADMIT_TABLE / DDB_ADMIT_GSI when throttled (nothing
 * written), or -SIM_ENOMEM / -SIM_ESTORAGE. Charges are added to *cc.
 */
int ddb__write_simple(ddb_service *svc, ddb_table *t, const ddb_key *key, const cJSON *item,
                      ddb_cc *cc);

/* ---- legacy parameters (ddb_legacy.c) ---- */

/** Which operation's legacy parameters ddb__legacy_rewrite translates. */
enum ddb_legacy_op {
    DDB_LEGACY_GET = 0, /* GetItem, and one BatchGetItem RequestItems entry */
    DDB_LEGACY_PUT,     /* PutItem, DeleteItem: Expected */
    DDB_LEGACY_UPDATE,  /* UpdateItem: Expected, AttributeUpdates */
    DDB_LEGACY_QUERY,   /* KeyConditions, QueryFilter, AttributesToGet */
    DDB_LEGACY_SCAN     /* ScanFilter, AttributesToGet */
};

/**
 * Translate the legacy parameters of req (AttributesToGet, KeyConditions, QueryFilter,
 * ScanFilter, Expected, AttributeUpdates, ConditionalOperator) into the equivalent
 * expression parameters with generated #lgN / :lgN placeholders. *out: NULL when req has
 * none, else a new request (caller frees) to use instead of req. Mixing a legacy parameter
 * with its expression counterpart is AWS's ValidationException. 0, -1 (r set) or -SIM_ENOMEM.
 * Source: developer guide, "Legacy conditional parameters".
 */
int ddb__legacy_rewrite(const cJSON *req, int op, cJSON **out, sim_reply *r);

/** As ddb__legacy_rewrite for a BatchGetItem request (AttributesToGet per table). */
int ddb__legacy_rewrite_batch_get(const cJSON *req, cJSON **out, sim_reply *r);

/** Parallel scan: segment (0..total-1) of item by an FNV-1a hash of its encoded partition
 * key attribute hash_attr; *out -1 when the item lacks it. 0 or C error. */
int ddb__scan_segment_of(const cJSON *item, const char *hash_attr, int64_t total, int64_t *out);

/* ---- (added) table and index lifecycle (ddb_status.c; rows in ddb_table.c) ---- */

#define DDB_BACKFILL_ROWS 256 /* table rows copied into a new GSI per backfill step */
#define DDB_BACKFILL_ON_DEMAND_WCU                              \
    4000 /* write units/s of an on-demand GSI's backfill: the   \
          * initial on-demand write throughput (DescribeTable's \
          * WarmThroughput of a new on-demand table) */

/** "ACTIVE", "CREATING", "UPDATING" or "DELETING". */
const char *ddb__status_name(int status);

/** The table named name for a data-plane operation: NULL when there is none, or when it is
 * CREATING or DELETING (AWS answers ResourceNotFoundException for those). */
ddb_table *ddb__table_find_active(const ddb_service *svc, const char *name);

/** Arm (or stop) t's lifecycle timer at the earliest due_us of t and its indexes. */
void ddb__status_arm(ddb_service *svc, ddb_table *t);

/** Stop t's lifecycle timer (before t is freed). */
void ddb__status_cancel(ddb_service *svc, ddb_table *t);

/** After CreateTable: with a status delay, t and its GSIs are CREATING until it passes. */
void ddb__status_created(ddb_service *svc, ddb_table *t);

/** Set store s to rcu/wcu units/s now: buckets, NumberOfDecreasesToday and the
 * LastIncrease/LastDecreaseDateTime stamps (scheduler clock, as epoch seconds). */
void ddb__store_set_rates(ddb_service *svc, ddb_store *s, int64_t rcu, int64_t wcu);

/** Switch store s to on-demand: units 0/0 (any pending change dropped) and its buckets
 * unlimited, without counting a decrease: NumberOfDecreasesToday and the Last*DateTime
 * stamps are kept (a billing-mode switch is not a throughput decrease; an on-demand table's
 * DescribeTable shows ReadCapacityUnits 0, WriteCapacityUnits 0, NumberOfDecreasesToday 0
 * in the API reference's examples and Developer Guide HowItWorks.ReadWriteCapacityMode). */
void ddb__store_set_on_demand(ddb_service *svc, ddb_store *s);

/** A table-level UpdateTable change (throughput rcu/wcu when has_pt, or billing mode): with a
 * status delay t is UPDATING and the new throughput applies when it settles (as AWS's
 * DescribeTable shows it); without one the throughput applies at once. */
void ddb__status_table_updated(ddb_service *svc, ddb_table *t, int has_pt, int64_t rcu,
                               int64_t wcu);

/** A GSI throughput Update of g to rcu/wcu: likewise, g UPDATING (t stays ACTIVE) with the
 * new values applied when it settles; at once without a delay or while g is CREATING. */
void ddb__status_index_updated(ddb_service *svc, ddb_table *t, ddb_gsi *g, int64_t rcu,
                               int64_t wcu);

/**
 * DeleteTable, after the reply was built: drop t's rows and metadata now; with a status delay
 * t stays registered as DELETING until the delay passes, else it is unregistered and freed at
 * once (t must not be used after). 0 or -SIM_ESTORAGE.
 */
int ddb__status_delete_table(ddb_service *svc, ddb_table *t);

/** A GSI g just added by UpdateTable: CREATING (Backfilling false for the status delay, while
 * t is UPDATING), then backfilled from the table on the scheduler, then ACTIVE. */
void ddb__status_index_create(ddb_service *svc, ddb_table *t, ddb_gsi *g);

/**
 * UpdateTable's Delete of GSI g: stop its backfill, drop its rows, save t without it; with a
 * status delay g stays listed as DELETING (t UPDATING) until it passes, else it is removed at
 * once. Attributes no key uses any more leave AttributeDefinitions when g goes.
 * 0 or -SIM_E*.
 */
int ddb__status_index_delete(ddb_service *svc, ddb_table *t, ddb_gsi *g);

/** (ddb_table.c) Add a GSI from its definition (IndexName, KeySchema, Projection,
 * ProvisionedThroughput; key types from t->attrdefs) after t's other GSIs, with its sqlite
 * table. *out points into t->gsi. 0, -SIM_ENOMEM or -SIM_ESTORAGE. */
int ddb__gsi_add(ddb_service *svc, ddb_table *t, const cJSON *gdef, ddb_gsi **out);

/** (ddb_table.c) Finalize g's statements and drop its sqlite table. 0 or -SIM_ESTORAGE. */
int ddb__gsi_drop(ddb_service *svc, ddb_gsi *g);

/** (ddb_table.c) Free g and close the gap in t->gsi. */
void ddb__gsi_remove(ddb_table *t, ddb_gsi *g);

/** (ddb_table.c) Count the rows and bytes of s again from sqlite. 0 or -SIM_E*. */
int ddb__store_recount(ddb_service *svc, ddb_store *s);

/**
 * (ddb_table.c) Copy up to max_rows table rows after g's cursor into g (projected), in one
 * transaction. *out_cost_uu: the write units written; *out_done 1 when the table is exhausted.
 * 0 or -SIM_E*.
 */
int ddb__gsi_backfill_step(ddb_service *svc, ddb_table *t, ddb_gsi *g, int max_rows,
                           int64_t *out_cost_uu, int *out_done);

/* ---- (added) partition-key limits (ddb_capacity.c) ---- */

#define DDB_PART_RCU   3000 /* read units/s one partition (so one hot item) serves */
#define DDB_PART_WCU   1000 /* write units/s one partition serves */
#define DDB_PART_BYTES (10LL * 1024 * 1024 * 1024) /* data one partition holds */

/** Free a store's partition-key buckets. Accepts NULL. */
void ddb__hot_free(struct ddb_hot *h);

/** Partitions of store s now: max(ceil(rcu/3000 + wcu/1000), ceil(bytes/10 GB), 1); rcu and
 * wcu of an on-demand store count as the initial on-demand 12000 / 4000. */
int64_t ddb__partitions(const ddb_table *t, const ddb_store *s);

/** 1 when key (encoded, borrowed) of s may take another write (read when is_read) now: the
 * bucket it falls in (DDB_PART_WCU or DDB_PART_RCU per second, one second of burst) is
 * positive. The bucket is the item's (pk + sk) when s has a sort key and key->sk is set, else
 * the partition key value's: pass sk NULL for a Query's item collection. The model assumes
 * split-for-heat has happened (ddb_capacity.c, "partition limits"). Reads the scheduler clock
 * through now. Always 1 when svc's partition limits are off. */
int ddb__hot_admit(const ddb_service *svc, ddb_store *s, const ddb_key *key, int is_read,
                   sim_time_us now);

/** Charge cost_uu micro-units to the bucket of key (as ddb__hot_admit chooses it) of s: write
 * bucket, or read when is_read; nothing when svc's partition limits are off. */
void ddb__hot_charge(const ddb_service *svc, ddb_store *s, const ddb_key *key, int is_read,
                     int64_t cost_uu, sim_time_us now);

/** Write the throttling error of a refused request into r: admit is enum ddb_admit, on_demand
 * whether the table is PAY_PER_REQUEST (hot keys then give ThrottlingException). */
void ddb__throttle_reply(sim_reply *r, int admit, int on_demand);

/** The CancellationReason of a transaction action refused for capacity: *out_code is
 * "ProvisionedThroughputExceeded" on a provisioned table, "ThrottlingError" on an on-demand
 * one, *out_msg the table's or the GSIs' message (admit is enum ddb_admit). Both static.
 * Source: API_TransactWriteItems, TransactionCanceledException reason codes. */
void ddb__throttle_reason(int admit, int on_demand, const char **out_code, const char **out_msg);

/* ---- (added) item collection metrics (ddb_icm.c) ---- */

/**
 * ItemCollectionMetrics of the item collection of partition key value pkv (an attribute
 * value, borrowed) in t: {ItemCollectionKey, SizeEstimateRangeGB}, the size counted from the
 * table's and every LSI's rows of that key. NULL with *rc 0 when t has no LSI (AWS then
 * returns none); NULL with *rc < 0 on failure. Caller owns the result.
 */
cJSON *ddb__icm_json(ddb_service *svc, ddb_table *t, const cJSON *pkv, int *rc);

/** Add the metrics of t's collection pkv to map (BatchWriteItem's and TransactWriteItems'
 * ItemCollectionMetrics: table name -> list), once per collection; nothing when t has no LSI.
 * 0 or -SIM_E*. */
int ddb__icm_add(ddb_service *svc, cJSON *map, ddb_table *t, const cJSON *pkv);

#endif
