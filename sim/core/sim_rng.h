/* sim_rng.h - the seeded generator: xoshiro256** seeded through splitmix64.
 * Every random draw in Stratus comes from a sim_rng stream; each service forks its own
 * stream at world creation in a fixed order, so draws in one do not shift another.
 * Only sim_rng.c may hold randomness. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_rng {
    uint64_t s[4]; /* xoshiro256** state */
} sim_rng;

/** Seed r from a 64-bit seed (splitmix64 expands it). */
void sim_rng_seed(sim_rng *r, uint64_t seed);

/** Next 64 random bits; advances r. */
uint64_t sim_rng_u64(sim_rng *r);

/** Uniform integer in [0, n); n > 0. Unbiased (rejection). */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);

/** 1 with probability num/den, else 0; den > 0. */
int sim_rng_chance(sim_rng *r, uint64_t num, uint64_t den);

/** Uniform double in [0, 1) from 53 random bits (for latency distributions). */
double sim_rng_unit(sim_rng *r);

/** Seed child from one draw of parent (a fork: the parent advances by one draw). */
void sim_rng_fork(sim_rng *parent, sim_rng *child);

/** Fill buf with len random bytes. */
void sim_rng_bytes(sim_rng *r, void *buf, size_t len);

/** Write a UUID v4 string (36 chars + NUL) drawn from r into out[37]. */
void sim_rng_uuid(sim_rng *r, char out[37]);

#endif
