/* s3.h - the S3-style object store: buckets and objects on sqlite3 (path-style REST on
 * the AWS port), with a C API for the client layer. Keys are opaque names inside the
 * store; "..", absolute and empty segments are refused so no key can escape it.
 * Source: Amazon S3 API Reference (API_Operations_Amazon_Simple_Storage_Service.html). */
#ifndef S3_H
#define S3_H

#include <stddef.h>

#include "sim/core/sim_http_msg.h"
#include "sim/core/sim_log.h"
#include "sim/core/sim_reply.h"
#include "sim/core/sim_sched.h"

typedef struct s3_service s3_service;

typedef struct s3_options {
    const char *db_path;    /* sqlite file, or NULL for in-memory */
    const char *region;     /* e.g. "us-west-2" (LocationConstraint) */
} s3_options;

/** Create the store; sched (for Last-Modified, via the clock's epoch) and log borrowed.
 * *out owned: s3_service_destroy(). Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE. */
int s3_service_create(sim_sched *sched, sim_log *log, const s3_options *opt, s3_service **out);

/** Close and free. Accepts NULL. */
void s3_service_destroy(s3_service *svc);

/** CreateBucket. Errors in *out: BucketAlreadyOwnedByYou (409), InvalidBucketName (400). */
int s3_bucket_create(s3_service *svc, const char *bucket, sim_reply *out);

/** PutObject: data copied. Errors: NoSuchBucket (404), InvalidArgument/KeyTooLong (400). */
int s3_object_put(s3_service *svc, const char *bucket, const char *key, const void *data,
                  size_t len, const char *content_type, sim_reply *out);

/**
 * GetObject: on success *out_data (malloc'd, caller frees), *out_len, *out_ctype (malloc'd)
 * are set; errors NoSuchBucket/NoSuchKey (404) in *out and outputs untouched.
 */
int s3_object_get(s3_service *svc, const char *bucket, const char *key, sim_reply *out,
                  void **out_data, size_t *out_len, char **out_ctype);

/** DeleteObject: idempotent (a missing key is a success). Errors: NoSuchBucket (404),
 * InvalidArgument/KeyTooLongError (400). Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE. */
int s3_object_delete(s3_service *svc, const char *bucket, const char *key, sim_reply *out);

/** DeleteBucket: only an empty bucket. Errors: NoSuchBucket (404), BucketNotEmpty (409).
 * Returns 0 or -SIM_ESTORAGE. */
int s3_bucket_delete(s3_service *svc, const char *bucket, sim_reply *out);

/** Path-style REST: /, /bucket, /bucket/key... Writes x->resp, calls x->complete(x). */
void s3_http_serve(s3_service *svc, sim_http_exchange *x);

/** Number of buckets. */
int s3_bucket_count(const s3_service *svc);

#endif
