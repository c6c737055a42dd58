/* test_ddb_util.h - fixture shared by the tests/unit/test_ddb_*.c files that drive the table
 * service through ddb_call: a virtual clock, scheduler, seeded rng and an in-memory
 * ddb_service, and helpers to run one call and assert on its reply. Every helper aborts the
 * running test (Criterion assertion) on failure. Definitions are in test_ddb_util.c. */
#ifndef TEST_DDB_UTIL_H
#define TEST_DDB_UTIL_H

#include "storage/ddb.h"

/* One test's service and the reply of its last call. */
typedef struct tenv {
    sim_clock clock;
    sim_sched sched;
    sim_rng rng;      /* seeded 42 */
    ddb_service *svc; /* owned; region us-west-2, account 123456789012, no db file */
    sim_reply r;      /* reply of the last call(); owned */
} tenv;

/** Init e: virtual clock at 0, scheduler, rng seed 42, service (in memory), empty reply.
 * Release with t_fini. */
void t_init(tenv *e);

/** Release everything t_init made. */
void t_fini(tenv *e);

/** Parse JSON written with ' for " (test readability). Caller frees with cJSON_Delete. */
cJSON *js(const char *text);

/** Run op with request text; the reply stays in e->r (borrowed) until the next call. */
sim_reply *call(tenv *e, const char *op, const char *text);

/** Assert r is not an error. */
void ok(const sim_reply *r);

/** Assert r is a 400 with exactly this code and message. */
void fails(const sim_reply *r, const char *code, const char *msg);

/** Member at a dotted path ("Items.0.pk.S"); numbers index arrays. NULL when absent;
 * borrowed from doc. */
const cJSON *at(const cJSON *doc, const char *path);

/** The number at path (asserts there is one). */
double num_at(const cJSON *doc, const char *path);

/** The string at path (asserts there is one); borrowed from doc. */
const char *str_at(const cJSON *doc, const char *path);

/** Assert got equals the JSON want (written with ' for "; object member order ignored). */
void json_eq(const cJSON *got, const char *want);

#endif
