/* sim_trace.h - the run's trace: every event that decides an outcome (a service call
 * answered, an invocation finished, an API request answered, a call frozen), in the
 * order the scheduler ran them, hashed into a SHA-256 digest and optionally written as
 * JSON lines. Same binary, config and seed in virtual time => same digest. */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "sim/core/sim_clock.h"

typedef struct sim_trace {
    void *sha;         /* owned EVP_MD_CTX: running SHA-256 over the event lines */
    FILE *out;         /* borrowed: JSON lines sink, or NULL */
    uint64_t events;   /* events recorded */
} sim_trace;

/** Start an empty trace; out (borrowed, may be NULL) receives one JSON object per event.
 * Returns 0 or -SIM_ENOMEM. */
int sim_trace_init(sim_trace *t, FILE *out);

/** Free the hash state. Accepts NULL. */
void sim_trace_release(sim_trace *t);

/**
 * Record one event at clock time at_us: kind ("call", "invoke", "api", "frozen"), the
 * resource or operation ("dynamodb.PutItem feed"), the request id it belongs to (may be
 * NULL) and its outcome ("ok", an AWS error code, an HTTP status). Strings borrowed.
 */
void sim_trace_event(sim_trace *t, sim_time_us at_us, const char *kind, const char *what,
                     const char *request_id, const char *outcome);

/** Hex SHA-256 of the events so far into out[65]; the trace can keep recording. */
void sim_trace_digest(const sim_trace *t, char out[65]);

#endif
