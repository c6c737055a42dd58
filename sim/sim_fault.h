/* sim_fault.h - seeded fault injection: the [fault] rules of regions.conf decided per
 * call from the world's fault stream (its own fork, so faults on/off do not shift other
 * draws), in the spirit of FoundationDB's BUGGIFY. Every injected fault is traced. */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include "sim/core/sim_rng.h"
#include "sim/sim_config.h"
#include "sim/sim_trace.h"

typedef struct sim_faults {
    const sim_config *cfg; /* borrowed */
    sim_rng rng;           /* the fault stream */
    sim_trace *trace;      /* borrowed, may be NULL */
    uint64_t injected;     /* faults fired so far */
} sim_faults;

/** Initialise over cfg's [fault] rules (borrowed), forking the stream from parent. */
void sim_faults_init(sim_faults *f, const sim_config *cfg, sim_rng *parent, sim_trace *trace);

/**
 * Should a call of service ("dynamodb", "sqs", "s3", "lambda") operation op (an action
 * name; for lambda the function name) into region fail at time now_us? Rules are tried in
 * file order; a rule draws from the stream only when it matches and its window is open.
 * Returns the first firing rule's kind (enum sim_fault_kind), or 0. request_id (may be
 * NULL) labels the trace event.
 */
int sim_fault_decide(sim_faults *f, sim_time_us now_us, const char *service, const char *op,
                     int region, const char *request_id);

#endif
