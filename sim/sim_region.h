/* sim_region.h - the region model: draws one-way latency between two regions and a
 * service's own processing time from the distributions of regions.conf, using the
 * model's own RNG stream. Times are microseconds, never negative. */
#ifndef SIM_REGION_H
#define SIM_REGION_H

#include "sim/core/sim_rng.h"
#include "sim/sim_config.h"

typedef struct sim_region_model {
    const sim_config *cfg; /* borrowed */
    sim_rng rng;           /* the model's stream, forked at world creation */
    double scale;          /* multiplier on every draw (1.0; 0 = no latency, for benchmarks) */
} sim_region_model;

/** Initialise over cfg (borrowed), forking the stream from parent. */
void sim_region_init(sim_region_model *m, const sim_config *cfg, sim_rng *parent);

/** One sample of d in microseconds (truncated at 0), drawn from r. */
sim_time_us sim_dist_sample(const sim_dist *d, sim_rng *r);

/**
 * One-way latency from region a to region b (indexes into cfg->regions). A pair with no
 * [latency] section costs 0 (sim_config_check rejects worlds that would use one).
 */
sim_time_us sim_region_latency_us(sim_region_model *m, int a, int b);

/**
 * Processing time of service ("dynamodb", "sqs", "s3", "apigateway", "lambda") for op
 * (any case: "PutItem" and "putitem" are the same), falling back to the service's
 * default_ms; 0 when neither is configured.
 */
sim_time_us sim_region_service_us(sim_region_model *m, const char *service, const char *op);

#endif
