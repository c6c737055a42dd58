/* test_sim_experiment.c - region-latency experiments (issue 3, "Experiments"): the
 * experiment file, a tiny two-variant experiment over two seeds in virtual time (the
 * moved variant's post latency shows the cross-country hops), the report files, the
 * nearest-rank percentiles, the time-series sampler, and the two observation hooks it
 * reads (ddb_table_stats, sqs_queue_depth).
 * Sources: DynamoDB developer guide "Read/write capacity mode" (1 WCU = one write of up
 * to 1 KB per second) and "Burst capacity" (300 s of unused capacity retained); SQS API
 * reference GetQueueAttributes (ApproximateNumberOfMessages, ...NotVisible). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers/tw.h"
#include "sim/core/sim_err.h"
#include "sim/sim_experiment.h"
#include "sim/sim_metrics.h"
#include "test_world.h"

/* Write text to a new temporary file; path into buf (caller unlinks). */
static void write_temp(char buf[64], const char *text)
{
    snprintf(buf, 64, "/tmp/stratus-exp-XXXXXX");
    int fd = mkstemp(buf);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

/* Load text as an experiment file: the return code, and what was printed to errout. */
static int load_text(const char *text, sim_experiment **out, char **errors, char path[64])
{
    size_t len;
    FILE *err = open_memstream(errors, &len);
    write_temp(path, text);
    int rc = sim_experiment_load(path, err, out);
    fclose(err);
    unlink(path);
    return rc;
}

#define TINY                                                \
    "; a tiny experiment: 30 followers, 2 posts, 2 seeds\n" \
    "[experiment]\n"                                        \
    "name = tiny\n"                                         \
    "config = regions.conf\n"                               \
    "seeds = 2\n"                                           \
    "first_seed = 7\n"                                      \
    "users = 30\n"                                          \
    "posts = 2\n"                                           \
    "post_interval_ms = 500\n"                              \
    "feed_reads = 3\n"                                      \
    "sample_ms = 250\n"                                     \
    "set = function tweeterPopulate|env.BCRYPT_COST|4\n"    \
    "\n"                                                    \
    "[variant base]\n"                                      \
    "\n"                                                    \
    "[variant moved]\n"                                     \
    "set = function tweeterPostStatus|region|us-east-1\n"   \
    "set = api tweeter|region|us-east-1\n"

Test(experiment, file_is_read_with_defaults_common_sets_and_empty_variants)
{
    sim_experiment *e = NULL;
    char *errors = NULL, path[64];
    cr_assert_eq(load_text(TINY, &e, &errors, path), 0, "%s", errors);
    cr_assert_str_eq(errors, "");
    cr_assert_str_eq(e->name, "tiny");
    cr_assert_str_eq(e->config_path, "regions.conf");
    cr_assert_eq(e->seeds, 2);
    cr_assert_eq(e->first_seed, 7);
    cr_assert_eq(e->users, 30);
    cr_assert_eq(e->posts, 2);
    cr_assert_eq(e->post_interval_us, 500 * SIM_MS);
    cr_assert_eq(e->feed_reads, 3);
    cr_assert_eq(e->sample_us, 250 * SIM_MS);
    cr_assert_eq(e->fanout_limit_us, 300 * SIM_S); /* default */
    cr_assert_eq(e->common.nsets, 1);
    cr_assert_str_eq(e->common.sets[0], "function tweeterPopulate|env.BCRYPT_COST|4");
    cr_assert_eq(e->nvariants, 2);
    cr_assert_str_eq(e->variants[0].name, "base"); /* no keys: inih alone would miss it */
    cr_assert_eq(e->variants[0].nsets, 0);
    cr_assert_str_eq(e->variants[1].name, "moved");
    cr_assert_eq(e->variants[1].nsets, 2);
    cr_assert_str_eq(e->variants[1].sets[1], "api tweeter|region|us-east-1");
    cr_assert_eq(e->variants[1].line, 16);
    sim_experiment_destroy(e);
    free(errors);
}

Test(experiment, file_errors_name_the_line_and_key)
{
    sim_experiment *e = NULL;
    char *errors = NULL, path[64], want[1024];
    int rc = load_text("[experiment]\nseeds = 0\ncolour = blue\n[variant a]\nset = nonsense\n"
                       "[variant a]\n[bogus]\n",
                       &e, &errors, path);
    cr_assert_eq(rc, -SIM_ECONFIG);
    cr_assert_null(e);
    snprintf(want, sizeof want,
             "%s:2: seeds: '0' is not an integer in 1..1000\n"
             "%s:3: colour: unknown key in [experiment]\n"
             "%s:5: set: 'nonsense' is not SECTION|KEY|VALUE\n"
             "%s:6: section: variant 'a' appears twice\n"
             "%s:7: section: unknown section [bogus] (want [experiment] or [variant NAME])\n",
             path, path, path, path, path);
    cr_assert_str_eq(errors, want);
    free(errors);
}

Test(experiment, no_variant_means_one_baseline_and_name_from_file)
{
    sim_experiment *e = NULL;
    char *errors = NULL, path[64];
    cr_assert_eq(load_text("[experiment]\nusers = 5\n", &e, &errors, path), 0);
    cr_assert_eq(e->nvariants, 1);
    cr_assert_str_eq(e->variants[0].name, "baseline");
    cr_assert_str_eq(e->name, path + 5); /* "/tmp/" stripped, no extension */
    sim_experiment_destroy(e);
    free(errors);
}

Test(experiment, a_bad_override_stops_before_any_run)
{
    sim_experiment *e = NULL;
    char *errors = NULL, path[64];
    cr_assert_eq(load_text("[experiment]\nconfig = regions.conf\n[variant x]\n"
                           "set = table feed|wcu|lots\n",
                           &e, &errors, path),
                 0);
    size_t len;
    char *log = NULL;
    FILE *logf = open_memstream(&log, &len);
    sim_exp_options opt = { .handlers = tw_handlers, .log_level = SIM_LOG_ERROR, .log_out = logf };
    sim_exp_report *r = NULL;
    cr_assert_eq(sim_experiment_run(e, &opt, &r), -SIM_ECONFIG);
    fclose(logf);
    cr_assert_null(r);
    cr_assert_not_null(strstr(log, "variant x: set = table feed|wcu|lots"), "%s", log);
    free(log);
    sim_experiment_destroy(e);
    free(errors);
}

Test(experiment, percentiles_are_nearest_rank)
{
    double v[10] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
    sim_exp_stats s = sim_exp_stats_of(v, 10);
    cr_assert_eq(s.n, 10);
    cr_assert_eq(s.p50, 5);
    cr_assert_eq(s.p90, 9);
    cr_assert_eq(s.p99, 10);
    cr_assert_eq(s.max, 10);
    double one[1] = { 42 };
    s = sim_exp_stats_of(one, 1);
    cr_assert_eq(s.p50, 42);
    cr_assert_eq(s.p99, 42);
    s = sim_exp_stats_of(NULL, 0);
    cr_assert_eq(s.n, 0);
    cr_assert_eq(s.max, 0);
}

/* Read a whole file (caller frees), or NULL. */
static char *slurp(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

Test(experiment, tiny_experiment_runs_every_variant_and_seed_and_moving_compute_costs_latency,
     .timeout = 120)
{
    sim_experiment *e = NULL;
    char *errors = NULL, path[64];
    cr_assert_eq(load_text(TINY, &e, &errors, path), 0, "%s", errors);
    sim_exp_options opt = { .handlers = tw_handlers, .log_level = SIM_LOG_ERROR };
    sim_exp_report *r = NULL;
    cr_assert_eq(sim_experiment_run(e, &opt, &r), 0);
    cr_assert_str_eq(r->error, "");
    cr_assert_eq(r->nvariants, 2);
    cr_assert_eq(r->seeds, 2);
    for (size_t i = 0; i < 2; i++) {
        const sim_exp_variant_result *vr = &r->variants[i];
        cr_assert_eq(vr->nruns, 2);
        cr_assert_eq(vr->runs[0].seed, 7);
        cr_assert_eq(vr->runs[1].seed, 8);
        cr_assert_eq(vr->post_ms.n, 4);
        cr_assert_eq(vr->fanout_s.n, 4);
        cr_assert_eq(vr->feed_ms.n, 6);
        cr_assert_eq(vr->fanout_incomplete, 0);
        cr_assert_eq(vr->post_errors, 0);
        cr_assert_eq(vr->feed_rows_expected, 30 * 2 * 2);
        cr_assert_eq(vr->feed_rows_delivered, 30 * 2 * 2);
        cr_assert_eq(vr->feed_ok, 6); /* every sampled feed shows the last post first */
        cr_assert_eq(vr->feed_throttled_writes, 0);
        cr_assert_eq(vr->dlq_messages, 0);
        cr_assert(vr->post_ms.p50 > 0 && vr->post_ms.p50 <= vr->post_ms.p90);
        cr_assert(vr->post_ms.p90 <= vr->post_ms.p99 && vr->post_ms.p99 <= vr->post_ms.max);
        cr_assert(vr->fanout_s.p50 > 0 && vr->feed_ms.p50 > 0);
        cr_assert_eq(strlen(vr->runs[0].digest), 64);
        cr_assert_str_neq(vr->runs[0].digest, vr->runs[1].digest); /* other seed, other run */
        cr_assert_not_null(vr->runs[0].series);
        cr_assert(sim_metrics_rows(vr->runs[0].series) >= 2);
        cr_assert_eq(sim_metrics_col(vr->runs[0].series, "feed_wcu_per_s"), 4);
        /* 30 rows of one post, 1 WCU each, twice */
        cr_assert_eq(vr->runs[0].feed_wcu_consumed, 60.0);
    }
    const sim_exp_variant_result *base = sim_exp_report_variant(r, "base");
    const sim_exp_variant_result *moved = sim_exp_report_variant(r, "moved");
    cr_assert_not_null(base);
    cr_assert_not_null(moved);
    cr_assert_null(sim_exp_report_variant(r, "nope"));
    /* Utah -> us-east-1 is ~16 ms farther each way, and postStatus's two round trips to
     * DynamoDB/SQS in us-west-2 cross the country (~66 ms each). */
    cr_assert(moved->post_ms.p50 >= base->post_ms.p50 + 40.0, "base %.1f ms, moved %.1f ms",
              base->post_ms.p50, moved->post_ms.p50);

    /* The report, without plots (no gnuplot needed). */
    char dir[] = "/tmp/stratus-exp-report-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char sub[128];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    cr_assert_eq(sim_exp_report_write(r, sub, 0, stderr), 0);
    char *md = slurp(sub, "report.md"), *html = slurp(sub, "report.html");
    cr_assert_not_null(md);
    cr_assert_not_null(html);
    cr_assert_not_null(strstr(md, "# Experiment: tiny\n"));
    cr_assert_not_null(strstr(md, "| variant | measure | n | p50 | p90 | p99 | max |\n"));
    char row[128];
    snprintf(row, sizeof row, "| moved | post latency (ms) | 4 | %.1f | ", moved->post_ms.p50);
    cr_assert_not_null(strstr(md, row), "%s", md);
    cr_assert_not_null(strstr(md, "- **moved**: `function tweeterPostStatus|region|us-east-1`"));
    cr_assert_not_null(strstr(html, "<tr><th>variant</th><th>measure</th>"));
    cr_assert_not_null(strstr(html, "Not drawn: gnuplot was not run"));
    free(md);
    free(html);
    const char *files[] = { "report.md",          "report.html",        "summary.json",
                            "post-latency-1.tsv", "post-latency-2.tsv", "series-1-seed7.tsv",
                            "series-1-seed8.tsv", "series-2-seed7.tsv", "series-2-seed8.tsv" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", sub, files[i]);
        cr_assert_eq(unlink(p), 0, "missing %s", files[i]);
    }
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/a", dir);
    rmdir(sub);
    cr_assert_eq(rmdir(dir), 0); /* nothing else was written */
    sim_exp_report_destroy(r);
    sim_experiment_destroy(e);
    free(errors);
}

/* ---- the sampler and the hooks it reads ---- */

#define WORLD                                           \
    "[world]\ndefault_region = r1\nclient_region = c\n" \
    "[region c]\nkind = client\n"                       \
    "[latency c r1]\none_way_ms = 10\n"                 \
    "[latency r1 r1]\none_way_ms = 1\n"                 \
    "[queue work]\nvisibility_timeout_s = 30\n"         \
    "[table things]\npartition_key = id:S\nrcu = 1\nwcu = 1\n"

static const lambda_handler_def no_handlers[] = { { NULL, NULL } };

static void on_sqs(void *arg, sim_reply *r)
{
    cr_assert_not(sim_reply_failed(r), "%s: %s", r->code, r->message);
}

static void sqs(sim_world *w, const char *op, const char *json)
{
    cJSON *req = cJSON_Parse(json);
    sqs_call(w->sqs, op, req, on_sqs, NULL);
    cJSON_Delete(req);
}

/* PutItem of an item of exactly bytes (id "k" + attribute "b"). Returns the error code. */
static char *put_sized(sim_world *w, const char *id, size_t bytes)
{
    size_t n = bytes - strlen("id") - strlen(id) - strlen("b");
    char *val = malloc(n + 1);
    memset(val, 'x', n);
    val[n] = '\0';
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "TableName", "things");
    cJSON *item = cJSON_AddObjectToObject(req, "Item");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "id"), "S", id);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "b"), "S", val);
    free(val);
    sim_reply r;
    sim_reply_init(&r);
    ddb_call(w->ddb, "PutItem", req, &r);
    cJSON_Delete(req);
    char *code = strdup(r.code);
    sim_reply_release(&r);
    return code;
}

Test(metrics, samples_queue_depth_consumed_wcu_and_throttles_every_period)
{
    sim_world *w = test_world(WORLD, no_handlers);
    sim_metrics *m = NULL;
    cr_assert_eq(sim_metrics_create(w, 1 * SIM_S, &m), 0);
    cr_assert_eq(sim_metrics_add(m, "depth", SIM_METRICS_GAUGE, sim_metrics_queue_depth, "work"),
                 0);
    cr_assert_eq(
        sim_metrics_add(m, "visible", SIM_METRICS_GAUGE, sim_metrics_queue_visible, "work"), 0);
    cr_assert_eq(
        sim_metrics_add(m, "in_flight", SIM_METRICS_GAUGE, sim_metrics_queue_in_flight, "work"), 0);
    cr_assert_eq(sim_metrics_add(m, "wcu", SIM_METRICS_RATE, sim_metrics_table_wcu, "things"), 0);
    cr_assert_eq(sim_metrics_add(m, "throttled", SIM_METRICS_GAUGE,
                                 sim_metrics_table_throttled_writes, "things"),
                 0);
    cr_assert_eq(
        sim_metrics_add(m, "lambda", SIM_METRICS_GAUGE, sim_metrics_lambda_in_flight, NULL), 0);
    cr_assert_eq(sim_metrics_start(m), 0);
    cr_assert_eq(sim_metrics_add(m, "late", SIM_METRICS_GAUGE, sim_metrics_lambda_in_flight, NULL),
                 -SIM_EINVAL);
    for (int i = 0; i < 3; i++)
        sqs(w, "SendMessage", "{\"QueueUrl\":\"work\",\"MessageBody\":\"m\"}");
    sim_sched_run_for(&w->sched, 500 * SIM_MS);
    sqs(w, "ReceiveMessage", "{\"QueueUrl\":\"work\",\"MaxNumberOfMessages\":1}");
    char *code = put_sized(w, "a", 2004); /* 2 WCU: ceil(2004 / 1024) */
    cr_assert_str_eq(code, "");
    free(code);
    sim_sched_run_for(&w->sched, 1 * SIM_S); /* t = 1.5 s; the row at 1 s is taken */
    /* Burst: 300 s x 1 WCU. 298 + 1 s of refill = 299 left: a 300-unit write is admitted
     * (the balance is positive) and leaves -1, so the next write is throttled. */
    code = put_sized(w, "b", 300 * 1024);
    cr_assert_str_eq(code, "");
    free(code);
    code = put_sized(w, "c", 10);
    cr_assert_str_eq(code, "ProvisionedThroughputExceededException");
    free(code);
    sim_sched_run_for(&w->sched, 1500 * SIM_MS); /* t = 3 s */
    cr_assert_eq(sim_metrics_rows(m), 4);
    const double want[4][7] = {
        /* t, depth, visible, in flight, WCU/s, throttled, lambda */
        { 0, 0, 0, 0, 0, 0, 0 },
        { 1, 3, 2, 1, 2, 0, 0 },
        { 2, 3, 2, 1, 300, 1, 0 },
        { 3, 3, 2, 1, 0, 1, 0 },
    };
    for (size_t r = 0; r < 4; r++) {
        cr_assert_eq(sim_metrics_time_s(m, r), want[r][0]);
        for (int c = 0; c < 6; c++)
            cr_assert_eq(sim_metrics_value(m, r, c), want[r][c + 1], "row %zu col %s: %f", r,
                         sim_metrics_name(m, c), sim_metrics_value(m, r, c));
    }
    ddb_table_counters tc;
    cr_assert_eq(ddb_table_stats(w->ddb, "things", &tc), 0);
    cr_assert_eq(tc.table.consumed_wcu_mu, 302000);
    cr_assert_eq(tc.table.consumed_rcu_mu, 0);
    cr_assert_eq(tc.table.throttled_writes, 1);
    cr_assert_eq(tc.table.throttled_reads, 0);
    cr_assert_eq(tc.table.item_count, 2);
    cr_assert_eq(tc.ngsi, 0);
    cr_assert_eq(ddb_table_stats(w->ddb, "missing", &tc), -SIM_ENOENT);
    long vis = -1, inflight = -1;
    cr_assert_eq(sqs_queue_depth(w->sqs, "work", &vis, &inflight), 0);
    cr_assert_eq(vis, 2);
    cr_assert_eq(inflight, 1);
    cr_assert_eq(sqs_queue_depth(w->sqs, "missing", &vis, &inflight), -SIM_ENOENT);
    sim_sched_run_for(&w->sched, 30 * SIM_S); /* the visibility timeout ends */
    cr_assert_eq(sqs_queue_depth(w->sqs, "work", &vis, &inflight), 0);
    cr_assert_eq(vis, 3);
    cr_assert_eq(inflight, 0);

    char *tsv = NULL;
    size_t len;
    FILE *f = open_memstream(&tsv, &len);
    cr_assert_eq(sim_metrics_write_tsv(m, f), 0);
    fclose(f);
    cr_assert_eq(strncmp(tsv,
                         "# t_s\tdepth\tvisible\tin_flight\twcu\tthrottled\tlambda\n"
                         "0.000\t0.000\t0.000\t0.000\t0.000\t0.000\t0.000\n"
                         "1.000\t3.000\t2.000\t1.000\t2.000\t0.000\t0.000\n",
                         strlen("# t_s\tdepth\tvisible\tin_flight\twcu\tthrottled\tlambda\n"
                                "0.000\t0.000\t0.000\t0.000\t0.000\t0.000\t0.000\n"
                                "1.000\t3.000\t2.000\t1.000\t2.000\t0.000\t0.000\n")),
                 0, "%s", tsv);
    free(tsv);
    sim_metrics_destroy(m);
    sim_world_destroy(w);
}
