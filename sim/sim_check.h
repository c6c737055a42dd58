/* sim_check.h - `stratus check milestone`: the seed's milestone measured by Stratus
 * itself, in one process, with a real HTTP client: log in as @daisy, post, time the post
 * as the client sees it, time until every follower's feed holds it, time a feed page. */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include "sim/sim_host.h"

typedef struct sim_check_result {
    double post_ms;         /* postStatus round trip seen by the client */
    double fanout_s;        /* post sent -> all feeds hold it */
    double feed_page_ms;    /* one feed page (10 items) round trip */
    double story_page_ms;   /* story page 1 right after the post */
    long feeds_delivered;   /* feed rows holding the post */
    long followers;         /* expected rows */
    int story_ok;           /* story page 1 shows the post at once */
    int feed_ok;            /* the sampled feeds show it as their newest item */
    int pass;               /* all targets met */
    char error[256];        /* why the check could not run, or "" */
} sim_check_result;

/**
 * Run the milestone on an already opened and populated host (listening on free ports).
 * followers: how many feed rows to wait for. Runs the loop while a client thread drives
 * the HTTP fronts. Fills *out; returns 0 when the check ran (pass or fail), -SIM_EIO when
 * it could not.
 */
int sim_check_milestone(sim_host *h, long followers, sim_check_result *out);

/**
 * The same milestone in virtual time, on a world created with the virtual clock and
 * already populated: the client is a fiber in [world] client_region that calls the
 * gateway in-process; figures are virtual time. Deterministic for a given seed.
 * Returns 0 when the check ran, -SIM_ENOMEM.
 */
int sim_check_milestone_virtual(sim_world *w, long followers, sim_check_result *out);

/** Populate a virtual-time world (count users following @daisy), running virtual time
 * until tweeterPopulate answers. Returns 0 or -SIM_EFUNC (printed). */
int sim_check_populate_virtual(sim_world *w, int64_t count);

#endif
