/* test_sim_sweep.c - the sweep's checkers: with faults on, the real fan-out keeps every
 * invariant; the planted handler that does not await its last write (the seed's tricky
 * issue 3) loses feed rows, and the sweep says which post and how many. */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/sim_sweep.h"

Test(sim_sweep, faults_do_not_break_the_invariants)
{
    sim_sweep_opts o = { .config_path = "regions.conf",
                         .faults_path = "experiments/faults.conf",
                         .users = 120,
                         .posts = 2 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        sim_sweep_result r;
        cr_assert_eq(sim_sweep_one(&o, seed, &r), 0);
        cr_assert(r.ok, "seed %llu: %s", (unsigned long long)seed, r.why);
        cr_assert_eq(r.feed_rows, r.expected_rows);
    }
}

Test(sim_sweep, finds_the_planted_lost_write_handler)
{
    static const char *const bug[] = {
        "function tweeterPostStatusProcessing|handler|tweeter.updateFeedUnawaited", NULL
    };
    sim_sweep_opts o = { .config_path = "regions.conf", .overrides = bug, .users = 120, .posts = 1 };
    sim_sweep_result r;
    cr_assert_eq(sim_sweep_one(&o, 1, &r), 0);
    cr_assert_not(r.ok);
    /* 120 followers: update-feed messages of 100 and 20 aliases, each consumed by its own
     * invocation; each invocation's last write (25 rows, then the whole 20) is frozen at
     * return: 75 rows land, deterministically for this seed. */
    cr_assert(strstr(r.why, "is in 75 of 120 feeds: lost feed writes"), "%s", r.why);
    cr_assert_eq(r.feed_rows, 75);
}
