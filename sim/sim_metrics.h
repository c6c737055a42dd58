/* sim_metrics.h - a time-series sampler: every period of scheduler time a sim_timer reads
 * a set of probes (queue depth, a table's consumed write capacity, Lambda invocations in
 * flight, or any function of the world) and appends one row. Observing only: probes make
 * no requests, charge no capacity and draw from no RNG stream, so sampling does not
 * change what a run simulates. Plots and reports are built elsewhere (sim_experiment.c). */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "sim/sim_world.h"

#define SIM_METRICS_COLS_MAX 16       /* probes per sampler */
#define SIM_METRICS_ROWS_MAX 10000000 /* rows kept; sampling stops there */

typedef struct sim_metrics sim_metrics;

/* A probe: the current value of something in w; arg is the resource name given to
 * sim_metrics_add (a copy owned by the sampler), or NULL. */
typedef double (*sim_metrics_probe_fn)(sim_world *w, const char *arg);

enum sim_metrics_kind {
    SIM_METRICS_GAUGE = 0, /* the probe's value as read */
    SIM_METRICS_RATE = 1   /* the probe is a running total: per-second rate over the last
                              period ((v_i - v_{i-1}) / period_s); 0 in the first row */
};

/**
 * New sampler over w (borrowed; must outlive it, or call sim_metrics_stop before the
 * world goes) every period_us (> 0) of scheduler time. *out owned:
 * sim_metrics_destroy(). Returns 0, -SIM_EINVAL or -SIM_ENOMEM.
 */
int sim_metrics_create(sim_world *w, sim_time_us period_us, sim_metrics **out);

/**
 * Add a column named name (copied) read by fn with arg (copied; may be NULL), of kind
 * (enum sim_metrics_kind). Only before sim_metrics_start. Returns 0, -SIM_ELIMIT (too
 * many columns), -SIM_EINVAL (already started) or -SIM_ENOMEM.
 */
int sim_metrics_add(sim_metrics *m, const char *name, int kind, sim_metrics_probe_fn fn,
                    const char *arg);

/**
 * Take the first row now (time 0 of the series is now) and arm the timer for the next.
 * Returns 0, -SIM_EINVAL (already started) or -SIM_ENOMEM.
 */
int sim_metrics_start(sim_metrics *m);

/** Disarm the timer; rows are kept. Idempotent; a no-op before start. */
void sim_metrics_stop(sim_metrics *m);

/** Stop and free. Accepts NULL. */
void sim_metrics_destroy(sim_metrics *m);

/** Rows taken so far. */
size_t sim_metrics_rows(const sim_metrics *m);

/** Columns added. */
int sim_metrics_cols(const sim_metrics *m);

/** Name of column col (borrowed from m). */
const char *sim_metrics_name(const sim_metrics *m, int col);

/** Time of row (seconds since sim_metrics_start). */
double sim_metrics_time_s(const sim_metrics *m, size_t row);

/** Value of column col in row. */
double sim_metrics_value(const sim_metrics *m, size_t row, int col);

/** Index of the column named name, or -1. */
int sim_metrics_col(const sim_metrics *m, const char *name);

/**
 * Write the series as tab-separated text: a header "# t_s<TAB>name..." then one line per
 * row (t_s with 3 decimals, values with 3 decimals; plain C locale). Returns 0 or
 * -SIM_EIO.
 */
int sim_metrics_write_tsv(const sim_metrics *m, FILE *f);

/* ---- probes (arg: the resource's name) ---- */

/** ApproximateNumberOfMessages of queue arg (0 when there is no such queue). */
double sim_metrics_queue_visible(sim_world *w, const char *arg);

/** ApproximateNumberOfMessagesNotVisible of queue arg (0 when absent). */
double sim_metrics_queue_in_flight(sim_world *w, const char *arg);

/** Visible plus in flight: the queue's backlog (0 when absent). */
double sim_metrics_queue_depth(sim_world *w, const char *arg);

/** Write units consumed by table arg since creation (a running total: use RATE). */
double sim_metrics_table_wcu(sim_world *w, const char *arg);

/** Read units consumed by table arg since creation (a running total: use RATE). */
double sim_metrics_table_rcu(sim_world *w, const char *arg);

/** Writes to table arg (or its GSIs) refused for capacity so far (a running total). */
double sim_metrics_table_throttled_writes(sim_world *w, const char *arg);

/** Lambda invocations in flight now, all functions (arg ignored). */
double sim_metrics_lambda_in_flight(sim_world *w, const char *arg);

#endif
