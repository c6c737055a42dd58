/* sim_sweep.h - seed sweeps: the milestone scenario (populate, post, let the queues
 * drain) in virtual time with faults on, then invariants checked on the final state
 * (TigerBeetle-style checkers). A failing seed comes with the command that reproduces it. */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H

#include <stdint.h>

typedef struct sim_sweep_opts {
    const char *config_path;          /* regions.conf */
    const char *faults_path;          /* extra [fault] file, or NULL */
    const char *const *overrides;     /* "section|key|value", NULL-terminated, may be NULL */
    long users;                       /* followers of @daisy */
    int posts;                        /* statuses @daisy posts, 1 s apart */
} sim_sweep_opts;

typedef struct sim_sweep_result {
    int ok;                 /* every invariant held */
    char why[512];          /* the first broken invariant */
    int posts_ok;           /* posts the client saw succeed */
    long feed_rows;         /* rows in the feed table at the end */
    long expected_rows;     /* posts_ok * users */
    uint64_t faults;        /* faults injected */
    double drain_s;         /* virtual seconds from the first post until the queues drained */
    char digest[65];        /* the run's trace digest */
} sim_sweep_result;

/**
 * Run one seed: load the config (+ faults, + overrides), build a virtual-time world,
 * populate (faults off), post (faults on; a failed post is retried with the same
 * timestamp, as a client would), run until both Tweeter queues are empty and no Lambda is
 * in flight (bounded: 900 s of virtual time), then check: (1) every successful post is in
 * every follower's feed exactly once and the feed holds nothing else; (2) the work queues
 * drained (nothing visible or in flight) and nothing went to a dead-letter queue.
 * Returns 0 when the run happened (out->ok tells the verdict), or a -SIM_E code when the
 * world could not be built (printed).
 */
int sim_sweep_one(const sim_sweep_opts *o, uint64_t seed, sim_sweep_result *out);

#endif
