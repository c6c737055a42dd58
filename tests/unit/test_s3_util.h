/* test_s3_util.h - fixture shared by the tests/unit/test_s3_*.c files that drive the S3 REST
 * adapter: a store on a virtual clock, and hand-built HTTP exchanges served through
 * s3_http_serve. Every helper aborts the running test (Criterion assertion) on failure.
 * Definitions are in test_s3_util.c. */
#ifndef TEST_S3_UTIL_H
#define TEST_S3_UTIL_H

#include <stddef.h>

#include "storage/s3.h"

/* One test's store. */
typedef struct env {
    sim_clock clock;
    sim_sched sched;
    sim_log log;      /* to stderr, ERROR and above */
    s3_service *svc; /* owned; region us-west-2, no db file */
} env;

/** Init e: virtual clock at 0, scheduler, log, store (in memory). Release with env_fini. */
void env_init(env *e);

/** Release everything env_init made. */
void env_fini(env *e);

/* One hand-built exchange. */
typedef struct tx {
    sim_http_exchange x;
    int completed; /* calls of complete() */
} tx;

/** New exchange for method and path (copied). Caller frees with tx_free. */
tx *tx_new(const char *method, const char *path);

/** Add a query argument (copied). */
void tx_query(tx *t, const char *name, const char *value);

/** Add a request header (copied). */
void tx_header(tx *t, const char *name, const char *value);

/** Set the request body to a copy of len bytes at body (NUL-terminated; len may be 0). */
void tx_body(tx *t, const void *body, size_t len);

/** Serve t on e's store and assert complete() ran exactly once. */
void tx_serve(env *e, tx *t);

/** The response header name (case-insensitive), or NULL; borrowed from t. */
const char *tx_resp_header(const tx *t, const char *name);

/** The response body as a string ("" when none); borrowed from t. */
const char *tx_body_str(const tx *t);

/** Free t with its request and response. */
void tx_free(tx *t);

/** One request with an optional body (NULL: none); returns the served exchange (caller
 * frees with tx_free). */
tx *do_req(env *e, const char *method, const char *path, const char *body);

/** Request whose response status must be want; freed here. */
void do_ok(env *e, const char *method, const char *path, const char *body, int want);

#endif
