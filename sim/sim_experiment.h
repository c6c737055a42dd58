/* sim_experiment.h - `stratus experiment FILE`: a region-latency experiment. A scenario
 * (populate, log in as @daisy, post N statuses at an interval, wait for every follower's
 * feed to hold every post, read sampled feed pages) runs once per variant - a set of
 * overrides to regions.conf - over K seeds, each run in a fresh virtual-time world, in
 * process, one after the other. The result is summarised per variant (p50/p90/p99/max of
 * post latency, fan-out completion and feed page latency, throttle counts, time series)
 * and written as report.md and report.html with gnuplot plots.
 *
 * Experiment file (INI, inih; keys at column 0):
 *   [experiment]
 *   name = region-move          ; report directory name (default: the file's base name)
 *   config = regions.conf       ; the world (default: ./regions.conf, else installed)
 *   seeds = 3                   ; K runs per variant, seeds first_seed .. first_seed+K-1
 *   first_seed = 1
 *   users = 10000               ; followers of @daisy
 *   posts = 3                   ; statuses @daisy posts
 *   post_interval_ms = 1000     ; between post starts (a slow post delays the next)
 *   feed_reads = 10             ; feed pages read after the fan-out, spread over followers
 *   sample_ms = 1000            ; time-series period
 *   fanout_limit_s = 300        ; stop waiting for the fan-out this long after the last post
 *   set = SECTION|KEY|VALUE     ; override applied to every variant (repeatable)
 *   [variant NAME]              ; NAME: letters, digits, '.', '_', '-'
 *   set = SECTION|KEY|VALUE     ; e.g. function tweeterPostStatus|region|us-east-1
 */
#ifndef SIM_EXPERIMENT_H
#define SIM_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sim_metrics.h"
#include "sim/sim_world.h"

#define SIM_EXP_VARIANTS_MAX 64   /* variants per experiment */
#define SIM_EXP_SETS_MAX     256  /* overrides per variant (and for [experiment]) */
#define SIM_EXP_SEEDS_MAX    1000 /* K */
#define SIM_EXP_POSTS_MAX    1000
#define SIM_EXP_READS_MAX    10000

typedef struct sim_exp_variant {
    char *name;  /* owned */
    char **sets; /* owned array of owned "SECTION|KEY|VALUE" strings */
    size_t nsets;
    int line; /* line of the section header */
} sim_exp_variant;

typedef struct sim_experiment {
    char *path;                   /* owned: the file read */
    char *name;                   /* owned */
    char *config_path;            /* owned; NULL: ./regions.conf, else the installed one */
    int seeds;                    /* K, default 3 */
    uint64_t first_seed;          /* default 1 */
    int64_t users;                /* default 10000 */
    int posts;                    /* default 3 */
    sim_time_us post_interval_us; /* default 1 s */
    int feed_reads;               /* default 10 */
    sim_time_us sample_us;        /* default 1 s */
    sim_time_us fanout_limit_us;  /* default 300 s */
    sim_exp_variant common;       /* [experiment] set = lines (name "common") */
    sim_exp_variant *variants;    /* owned, in file order */
    size_t nvariants;
} sim_experiment;

/**
 * Read and check an experiment file. Errors print "path:line: key: reason" to errout and
 * return -SIM_ECONFIG (-SIM_EIO unreadable, -SIM_ENOMEM). A file without a [variant]
 * gets one variant "baseline" with no overrides. *out owned: sim_experiment_destroy().
 */
int sim_experiment_load(const char *path, FILE *errout, sim_experiment **out);

/** Free. Accepts NULL. */
void sim_experiment_destroy(sim_experiment *e);

/* Percentiles by nearest rank over the pooled samples of every seed. */
typedef struct sim_exp_stats {
    size_t n;                  /* samples */
    double p50, p90, p99, max; /* 0 when n == 0 */
} sim_exp_stats;

/* One run: one variant, one seed. */
typedef struct sim_exp_run {
    uint64_t seed;
    int nposts;            /* posts attempted */
    double *post_ms;       /* owned [nposts]: client round trip of each post */
    double *fanout_s;      /* owned [nposts]: post sent -> every feed holds it;
                              fanout_limit when it did not finish (see incomplete) */
    int fanout_incomplete; /* posts whose fan-out did not finish in the limit */
    int nreads;
    double *feed_ms;               /* owned [nreads]: feed page (10 items) round trips */
    int feed_ok;                   /* reads whose newest item was the last post */
    int post_errors;               /* posts answered with a status other than 200 */
    long feed_rows_expected;       /* users x posts */
    long feed_rows_delivered;      /* new feed rows when the run ended */
    int64_t feed_throttled_writes; /* feed table (and GSI) writes refused for capacity */
    int64_t ddb_throttled;         /* reads and writes refused, every table and GSI */
    double feed_wcu_consumed;      /* write units the feed table consumed in the scenario */
    uint64_t lambda_throttles;     /* invocations refused (reserved concurrency) */
    uint64_t lambda_cold_starts;   /* in the scenario (after populate) */
    uint64_t lambda_errors;        /* function errors, timeouts included */
    uint64_t lambda_timeouts;      /* invocations that ran out of time */
    long dlq_messages;             /* messages in the two dead-letter queues at the end */
    double scenario_s;             /* virtual seconds from login to the last feed read */
    uint64_t trace_events;         /* the run's trace length */
    char digest[65];               /* its SHA-256 */
    sim_metrics *series;           /* owned: t_s, update-feed depth/visible/in flight,
                                      post-status depth, feed WCU/s, feed throttles,
                                      Lambda in flight */
    char error[256];               /* why the run did not finish, or "" */
} sim_exp_run;

typedef struct sim_exp_variant_result {
    const sim_exp_variant *variant; /* borrowed from the experiment */
    sim_exp_run *runs;              /* owned [nruns], seeds in order */
    int nruns;
    sim_exp_stats post_ms, fanout_s, feed_ms; /* pooled over runs */
    int fanout_incomplete;                    /* summed over runs */
    int post_errors;
    int feed_ok, feed_reads;
    int64_t feed_throttled_writes, ddb_throttled; /* summed over runs */
    uint64_t lambda_throttles, lambda_cold_starts, lambda_errors, lambda_timeouts;
    long dlq_messages;
    long feed_rows_expected, feed_rows_delivered;
} sim_exp_variant_result;

typedef struct sim_exp_report {
    const sim_experiment *exp;        /* borrowed */
    sim_exp_variant_result *variants; /* owned [nvariants] */
    size_t nvariants;
    int seeds;       /* K actually run */
    char error[256]; /* first failure, or "" */
} sim_exp_report;

typedef struct sim_exp_options {
    const lambda_handler_def *handlers; /* registered handlers (Tweeter's), borrowed */
    int seeds;                          /* > 0: overrides the file's K */
    int log_level;                      /* world log level (default 0 = debug: pass WARN) */
    FILE *log_out;                      /* NULL: stderr */
    FILE *progress;                     /* NULL: quiet; else one line per run */
} sim_exp_options;

/**
 * Run every variant over K seeds (sequentially, a fresh virtual-time world each) and
 * summarise. Deterministic: the same file, binary and seeds give the same report.
 * *out owned: sim_exp_report_destroy() (it borrows e: free e after). Returns 0 when every
 * run finished (a fan-out that did not complete in its limit still counts as finished),
 * -SIM_ECONFIG (an override or regions.conf is wrong; printed to log_out), -SIM_EFUNC
 * (populate failed), -SIM_ENOMEM. On error *out is untouched.
 */
int sim_experiment_run(const sim_experiment *e, const sim_exp_options *opt, sim_exp_report **out);

/** Free. Accepts NULL. */
void sim_exp_report_destroy(sim_exp_report *r);

/** The summary of the variant named name, or NULL. */
const sim_exp_variant_result *sim_exp_report_variant(const sim_exp_report *r, const char *name);

/**
 * Write the report into dir (created with its parents): report.md, report.html, the data
 * (post-latency-<i>.tsv, series-<i>-seed<S>.tsv, summary.json) and, when plots is 1,
 * plots.gp and the PNGs it draws with gnuplot (pngcairo), embedded in report.html. When
 * gnuplot is missing or fails the report is written without plots and a warning goes to
 * errout. Returns 0, -SIM_EIO (a file could not be written) or -SIM_ENOMEM.
 */
int sim_exp_report_write(const sim_exp_report *r, const char *dir, int plots, FILE *errout);

/** Nearest-rank percentiles of n values (v is sorted in place). */
sim_exp_stats sim_exp_stats_of(double *v, size_t n);

/**
 * The command: load path, run (seeds > 0 overrides K), write the report into out_dir
 * (NULL: build/experiments/<name>), with plots; print the table and the wall time to
 * stdout/stderr. Returns a process exit status: 0, 1 (a run or the report failed),
 * 2 (bad file).
 */
int sim_experiment_main(const char *path, const char *out_dir, int seeds,
                        const lambda_handler_def *handlers);

#endif
