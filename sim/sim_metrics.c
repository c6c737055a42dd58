/* sim_metrics.c - the time-series sampler: a sim_timer re-armed every period reads each
 * probe and appends a row (time, values) to a growing array. Also the stock probes over
 * queues, tables and Lambda. Holds no plotting or report code. */
#include "sim/sim_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"

typedef struct metrics_col {
    char *name; /* owned */
    char *arg;  /* owned, may be NULL */
    int kind;   /* enum sim_metrics_kind */
    sim_metrics_probe_fn fn;
    double prev; /* RATE: raw value at the previous row */
} metrics_col;

struct sim_metrics {
    sim_world *w;          /* borrowed */
    sim_time_us period_us; /* sampling period */
    sim_time_us t0_us;     /* scheduler time of the first row */
    sim_timer timer;       /* next sample */
    int started;
    metrics_col cols[SIM_METRICS_COLS_MAX];
    int ncols;
    double *rows;      /* owned: nrows x (1 + ncols): time_s, values */
    size_t nrows, cap; /* rows used, rows allocated */
};

int sim_metrics_create(sim_world *w, sim_time_us period_us, sim_metrics **out)
{
    if (w == NULL || period_us <= 0)
        return -SIM_EINVAL;
    sim_metrics *m = calloc(1, sizeof *m);
    if (m == NULL)
        return -SIM_ENOMEM;
    m->w = w;
    m->period_us = period_us;
    sim_timer_init(&m->timer);
    *out = m;
    return 0;
}

int sim_metrics_add(sim_metrics *m, const char *name, int kind, sim_metrics_probe_fn fn,
                    const char *arg)
{
    if (m->started)
        return -SIM_EINVAL;
    if (m->ncols == SIM_METRICS_COLS_MAX)
        return -SIM_ELIMIT;
    metrics_col *c = &m->cols[m->ncols];
    memset(c, 0, sizeof *c);
    if ((c->name = strdup(name)) == NULL || (arg != NULL && (c->arg = strdup(arg)) == NULL)) {
        free(c->name);
        c->name = NULL;
        return -SIM_ENOMEM;
    }
    c->kind = kind;
    c->fn = fn;
    m->ncols++;
    return 0;
}

/* Append one row read now. Returns 0 or -SIM_ENOMEM / -SIM_ELIMIT (row dropped). */
static int sample(sim_metrics *m)
{
    size_t width = (size_t)m->ncols + 1;
    if (m->nrows == SIM_METRICS_ROWS_MAX)
        return -SIM_ELIMIT;
    if (m->nrows == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        double *p = realloc(m->rows, cap * width * sizeof *p);
        if (p == NULL)
            return -SIM_ENOMEM;
        m->rows = p;
        m->cap = cap;
    }
    sim_time_us now = sim_now_us(m->w);
    double *row = m->rows + m->nrows * width;
    row[0] = (double)(now - m->t0_us) / 1e6;
    double period_s = (double)m->period_us / 1e6;
    for (int i = 0; i < m->ncols; i++) {
        metrics_col *c = &m->cols[i];
        double v = c->fn(m->w, c->arg);
        if (c->kind == SIM_METRICS_RATE) {
            row[1 + i] = m->nrows == 0 ? 0.0 : (v - c->prev) / period_s;
            c->prev = v;
        } else {
            row[1 + i] = v;
        }
    }
    m->nrows++;
    return 0;
}

/* Timer callback: sample, re-arm one period later (stops at the row limit or ENOMEM). */
static void on_tick(void *arg)
{
    sim_metrics *m = arg;
    if (sample(m) != 0)
        return;
    sim_timer_start(&m->w->sched, &m->timer, sim_now_us(m->w) + m->period_us, on_tick, m);
}

int sim_metrics_start(sim_metrics *m)
{
    if (m->started)
        return -SIM_EINVAL;
    m->started = 1;
    m->t0_us = sim_now_us(m->w);
    int rc = sample(m);
    if (rc != 0)
        return rc;
    return sim_timer_start(&m->w->sched, &m->timer, m->t0_us + m->period_us, on_tick, m);
}

void sim_metrics_stop(sim_metrics *m)
{
    if (m != NULL && m->started)
        sim_timer_stop(&m->w->sched, &m->timer);
}

void sim_metrics_destroy(sim_metrics *m)
{
    if (m == NULL)
        return;
    sim_metrics_stop(m);
    for (int i = 0; i < m->ncols; i++) {
        free(m->cols[i].name);
        free(m->cols[i].arg);
    }
    free(m->rows);
    free(m);
}

size_t sim_metrics_rows(const sim_metrics *m)
{
    return m->nrows;
}

int sim_metrics_cols(const sim_metrics *m)
{
    return m->ncols;
}

const char *sim_metrics_name(const sim_metrics *m, int col)
{
    return m->cols[col].name;
}

double sim_metrics_time_s(const sim_metrics *m, size_t row)
{
    return m->rows[row * ((size_t)m->ncols + 1)];
}

double sim_metrics_value(const sim_metrics *m, size_t row, int col)
{
    return m->rows[row * ((size_t)m->ncols + 1) + 1 + (size_t)col];
}

int sim_metrics_col(const sim_metrics *m, const char *name)
{
    for (int i = 0; i < m->ncols; i++)
        if (strcmp(m->cols[i].name, name) == 0)
            return i;
    return -1;
}

int sim_metrics_write_tsv(const sim_metrics *m, FILE *f)
{
    fprintf(f, "# t_s");
    for (int i = 0; i < m->ncols; i++)
        fprintf(f, "\t%s", m->cols[i].name);
    fputc('\n', f);
    for (size_t r = 0; r < m->nrows; r++) {
        fprintf(f, "%.3f", sim_metrics_time_s(m, r));
        for (int i = 0; i < m->ncols; i++)
            fprintf(f, "\t%.3f", sim_metrics_value(m, r, i));
        fputc('\n', f);
    }
    return ferror(f) ? -SIM_EIO : 0;
}

/* ---- probes ---- */

double sim_metrics_queue_visible(sim_world *w, const char *arg)
{
    long vis = 0, inflight = 0;
    if (sqs_queue_depth(w->sqs, arg, &vis, &inflight) != 0)
        return 0.0;
    return (double)vis;
}

double sim_metrics_queue_in_flight(sim_world *w, const char *arg)
{
    long vis = 0, inflight = 0;
    if (sqs_queue_depth(w->sqs, arg, &vis, &inflight) != 0)
        return 0.0;
    return (double)inflight;
}

double sim_metrics_queue_depth(sim_world *w, const char *arg)
{
    long vis = 0, inflight = 0;
    if (sqs_queue_depth(w->sqs, arg, &vis, &inflight) != 0)
        return 0.0;
    return (double)(vis + inflight);
}

double sim_metrics_table_wcu(sim_world *w, const char *arg)
{
    ddb_table_counters c;
    if (ddb_table_stats(w->ddb, arg, &c) != 0)
        return 0.0;
    return (double)c.table.consumed_wcu_mu / 1000.0;
}

double sim_metrics_table_rcu(sim_world *w, const char *arg)
{
    ddb_table_counters c;
    if (ddb_table_stats(w->ddb, arg, &c) != 0)
        return 0.0;
    return (double)c.table.consumed_rcu_mu / 1000.0;
}

double sim_metrics_table_throttled_writes(sim_world *w, const char *arg)
{
    ddb_table_counters c;
    if (ddb_table_stats(w->ddb, arg, &c) != 0)
        return 0.0;
    int64_t n = c.table.throttled_writes;
    for (int i = 0; i < c.ngsi; i++)
        n += c.gsi[i].throttled_writes;
    return (double)n;
}

double sim_metrics_lambda_in_flight(sim_world *w, const char *arg)
{
    lambda_stats s;
    lambda_service_stats(w->lambda, &s);
    return (double)s.in_flight;
}
