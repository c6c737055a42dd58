/* sim_host.h - a running Stratus: the world on a libuv loop with its two HTTP fronts (the
 * AWS endpoint and the API Gateway stage port), start-up, population and clean shutdown.
 * Shared by `stratus serve`, `stratus populate` and `stratus check`. */
#ifndef SIM_HOST_H
#define SIM_HOST_H

#include <stdint.h>

#include <uv.h>

#include "sim/core/sim_uv.h"
#include "sim/sim_http.h"
#include "sim/sim_world.h"

typedef struct sim_host_options {
    const char *config_path;  /* NULL: regions.conf here, else the installed one */
    const char *data_dir;     /* NULL: in memory */
    int aws_port;             /* 0: a free port */
    int api_port;             /* 0: a free port */
    int listen;               /* 0: no HTTP fronts (populate) */
    uint64_t seed;
    int seed_given;           /* 0: [world] seed */
    int log_level;
    double latency_scale;     /* 1.0; 0 turns latency off */
    const char **overrides;   /* "section|key|value" strings, NULL-terminated; may be NULL */
    FILE *trace_out;          /* NULL, or where the trace's JSON lines go */
    int virtual_time;         /* 1: the world's clock is virtual; requests advance it */
    const char *faults_path;  /* NULL, or a file of [fault] sections to add */
} sim_host_options;

typedef struct sim_host {
    uv_loop_t loop;
    sim_uv uv;
    sim_world *world;         /* owned */
    sim_http *aws_http;       /* owned */
    sim_http *api_http;       /* owned */
    uv_signal_t sigint, sigterm;
    int stop_requested;
    int virtual_time;         /* see sim_host_options */
    char aws_url[64], api_url[128];
} sim_host;

/** Find the config to use: path if given, else ./regions.conf, else the installed one.
 * Returns a static-lifetime or borrowed string, or NULL when none exists. */
const char *sim_host_config_path(const char *path);

/**
 * Build the host: load regions.conf (errors printed, -SIM_ECONFIG), start HTTP fronts
 * when opt->listen, create the world. Returns 0 or a -SIM_E code (already reported).
 * Release with sim_host_close() in every case after a 0 return.
 */
int sim_host_open(sim_host *h, const sim_host_options *opt);

/** Populate Tweeter's demo world (10,000 users following @daisy, or count) by invoking
 * the tweeterPopulate function; runs the loop until it finishes. Prints progress to
 * stderr (a bar on a terminal). Returns 0 or -SIM_EFUNC (printed). */
int sim_host_populate(sim_host *h, int64_t count);

/** The tweeterPopulate event for count users following @daisy, leaving every table at
 * its configured WCU afterwards (caller owns the document). */
cJSON *sim_host_populate_event(const sim_config *cfg, int64_t count);

/** Run until SIGINT/SIGTERM, then drain. Returns 0. */
int sim_host_run(sim_host *h);

/** Run the loop until *flag becomes non-zero. The callback that sets it on the loop
 * thread must also call uv_stop(&h->loop), or the loop may sleep until its next timer. */
void sim_host_run_until(sim_host *h, volatile int *flag);

/** Drain in-flight requests (bounded), stop everything, free. */
void sim_host_close(sim_host *h);

#endif
