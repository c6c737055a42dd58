/* sim_experiment.c - region-latency experiments: the experiment file (inih), the scenario
 * run once per variant and seed in a fresh virtual-time world (the client is a fiber in
 * [world] client_region calling the gateway in-process, as sim_check.c's virtual
 * milestone does), the per-variant summary, and the report (Markdown, HTML, data files,
 * gnuplot plots). The time series themselves are sampled by sim_metrics.c. */
#include "sim/sim_experiment.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sim/core/sim_err.h"
#include "sim/sim_vclient.h"
#include "sim/sim_check.h"
#include "sim/sim_host.h"

extern char **environ;

/* The scenario is Tweeter's milestone: these are its resources. */
#define EXP_FEED_TABLE   "feed"
#define EXP_UPDATE_QUEUE "tweeter-update-feed"
#define EXP_POST_QUEUE   "tweeter-post-status"
#define EXP_POLL_US      (10 * SIM_MS) /* the client's wait between fan-out checks */
#define EXP_SLACK_US     (600 * SIM_S) /* run limit beyond posts + fan-out limit */
#define EXP_PAGE_SIZE    10

/* ================================================================ the file ==== */

typedef struct exp_parse {
    sim_experiment *e;
    FILE *errout;
    const char *path;
    int line;
    int failed;
    sim_exp_variant *cur; /* section being read: &e->common, a variant, or NULL */
    int in_experiment;
} exp_parse;

/* Report "path:line: key: message" (key NULL: the section). */
static void perr(exp_parse *st, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void perr(exp_parse *st, const char *key, const char *fmt, ...)
{
    va_list ap;
    fprintf(st->errout, "%s:%d: %s: ", st->path, st->line, key ? key : "section");
    va_start(ap, fmt);
    vfprintf(st->errout, fmt, ap);
    va_end(ap);
    fputc('\n', st->errout);
    st->failed = 1;
}

/* Parse an integer in [lo, hi] into *out; 0 or -1 (reported). */
static int parse_int(exp_parse *st, const char *key, const char *value, int64_t lo, int64_t hi,
                     int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end || v < lo || v > hi) {
        fprintf(st->errout, "%s:%d: %s: '%s' is not an integer in %lld..%lld\n", st->path, st->line,
                key, value, (long long)lo, (long long)hi);
        st->failed = 1;
        return -1;
    }
    *out = v;
    return 0;
}

/* Add "SECTION|KEY|VALUE" to v after checking its shape; 0 or -1. */
static int add_set(exp_parse *st, sim_exp_variant *v, const char *value)
{
    const char *a = strchr(value, '|');
    const char *b = a ? strchr(a + 1, '|') : NULL;
    if (a == NULL || b == NULL || a == value || b == a + 1) {
        perr(st, "set", "'%s' is not SECTION|KEY|VALUE", value);
        return -1;
    }
    if (v->nsets == SIM_EXP_SETS_MAX) {
        perr(st, "set", "more than %d overrides", SIM_EXP_SETS_MAX);
        return -1;
    }
    char **p = realloc(v->sets, (v->nsets + 1) * sizeof *p);
    if (p == NULL)
        return -1;
    v->sets = p;
    if ((v->sets[v->nsets] = strdup(value)) == NULL)
        return -1;
    v->nsets++;
    return 0;
}

static int valid_name(const char *s)
{
    if (*s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* A section header: [experiment] or [variant NAME]. */
static void exp_section(exp_parse *st, const char *section)
{
    sim_experiment *e = st->e;
    st->cur = NULL;
    st->in_experiment = 0;
    if (strcmp(section, "experiment") == 0) {
        st->in_experiment = 1;
        st->cur = &e->common;
        return;
    }
    if (strncmp(section, "variant ", 8) != 0) {
        perr(st, NULL, "unknown section [%s] (want [experiment] or [variant NAME])", section);
        return;
    }
    const char *name = section + 8;
    while (*name == ' ')
        name++;
    if (!valid_name(name)) {
        perr(st, NULL, "variant name '%s' must be 1-64 of [A-Za-z0-9._-]", name);
        return;
    }
    for (size_t i = 0; i < e->nvariants; i++)
        if (strcmp(e->variants[i].name, name) == 0) {
            perr(st, NULL, "variant '%s' appears twice", name);
            return;
        }
    if (e->nvariants == SIM_EXP_VARIANTS_MAX) {
        perr(st, NULL, "more than %d variants (at '%s')", SIM_EXP_VARIANTS_MAX, name);
        return;
    }
    sim_exp_variant *p = realloc(e->variants, (e->nvariants + 1) * sizeof *p);
    if (p == NULL) {
        st->failed = 1;
        return;
    }
    e->variants = p;
    sim_exp_variant *v = &e->variants[e->nvariants];
    memset(v, 0, sizeof *v);
    if ((v->name = strdup(name)) == NULL) {
        st->failed = 1;
        return;
    }
    v->line = st->line;
    e->nvariants++;
    st->cur = v;
}

static void exp_key(exp_parse *st, const char *key, const char *value)
{
    sim_experiment *e = st->e;
    int64_t n;
    if (st->cur == NULL)
        return; /* the section was already reported */
    if (strcmp(key, "set") == 0) {
        if (add_set(st, st->cur, value) != 0)
            st->failed = 1;
        return;
    }
    if (!st->in_experiment) {
        perr(st, key, "unknown key in a variant (only set = SECTION|KEY|VALUE)");
        return;
    }
    char **str = NULL;
    if (strcmp(key, "name") == 0) {
        if (!valid_name(value)) {
            perr(st, key, "'%s' must be 1-64 of [A-Za-z0-9._-]", value);
            return;
        }
        str = &e->name;
    } else if (strcmp(key, "config") == 0) {
        str = &e->config_path;
    }
    if (str != NULL) {
        free(*str);
        if ((*str = strdup(value)) == NULL)
            st->failed = 1;
        return;
    }
    if (strcmp(key, "seeds") == 0) {
        if (parse_int(st, key, value, 1, SIM_EXP_SEEDS_MAX, &n) == 0)
            e->seeds = (int)n;
    } else if (strcmp(key, "first_seed") == 0) {
        if (parse_int(st, key, value, 0, INT64_MAX, &n) == 0)
            e->first_seed = (uint64_t)n;
    } else if (strcmp(key, "users") == 0) {
        if (parse_int(st, key, value, 1, 10000000, &n) == 0)
            e->users = n;
    } else if (strcmp(key, "posts") == 0) {
        if (parse_int(st, key, value, 1, SIM_EXP_POSTS_MAX, &n) == 0)
            e->posts = (int)n;
    } else if (strcmp(key, "post_interval_ms") == 0) {
        if (parse_int(st, key, value, 1, 3600000, &n) == 0)
            e->post_interval_us = n * SIM_MS;
    } else if (strcmp(key, "feed_reads") == 0) {
        if (parse_int(st, key, value, 0, SIM_EXP_READS_MAX, &n) == 0)
            e->feed_reads = (int)n;
    } else if (strcmp(key, "sample_ms") == 0) {
        if (parse_int(st, key, value, 1, 3600000, &n) == 0)
            e->sample_us = n * SIM_MS;
    } else if (strcmp(key, "fanout_limit_s") == 0) {
        if (parse_int(st, key, value, 1, 86400, &n) == 0)
            e->fanout_limit_us = n * SIM_S;
    } else {
        perr(st, key, "unknown key in [experiment]");
    }
}

static int exp_ini_cb(void *user, const char *section, const char *key, const char *value)
{
    exp_parse *st = user;
    exp_key(st, key, value);
    return 1; /* report every error in one pass */
}

typedef struct exp_reader {
    FILE *f;
    exp_parse *st;
} exp_reader;

/* inih reports no section that has no keys (an empty variant is legal): count lines and
 * announce every header ourselves. */
static char *exp_read_line(char *str, int num, void *stream)
{
    exp_reader *r = stream;
    char *got = fgets(str, num, r->f);
    if (got == NULL)
        return NULL;
    r->st->line++;
    const char *p = str;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *end = strchr(p, ']');
    if (*p == '[' && end != NULL && end > p + 1) {
        char section[256];
        size_t n = (size_t)(end - p - 1);
        if (n < sizeof section) {
            memcpy(section, p + 1, n);
            section[n] = '\0';
            exp_section(r->st, section);
        }
    }
    return got;
}

static void variant_release(sim_exp_variant *v)
{
    for (size_t i = 0; i < v->nsets; i++)
        free(v->sets[i]);
    free(v->sets);
    free(v->name);
}

void sim_experiment_destroy(sim_experiment *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->nvariants; i++)
        variant_release(&e->variants[i]);
    free(e->variants);
    variant_release(&e->common);
    free(e->path);
    free(e->name);
    free(e->config_path);
    free(e);
}

/* The base name of path without its extension, into a new string. */
static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, b, n);
        s[n] = '\0';
    }
    return s;
}

int sim_experiment_load(const char *path, FILE *errout, sim_experiment **out)
{
    sim_experiment *e = calloc(1, sizeof *e);
    if (e == NULL)
        return -SIM_ENOMEM;
    e->seeds = 3;
    e->first_seed = 1;
    e->users = 10000;
    e->posts = 3;
    e->post_interval_us = 1 * SIM_S;
    e->feed_reads = 10;
    e->sample_us = 1 * SIM_S;
    e->fanout_limit_us = 300 * SIM_S;
    if ((e->path = strdup(path)) == NULL || (e->common.name = strdup("common")) == NULL) {
        sim_experiment_destroy(e);
        return -SIM_ENOMEM;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(errout, "%s: cannot open: %s\n", path, strerror(errno));
        sim_experiment_destroy(e);
        return -SIM_EIO;
    }
    exp_parse st = { .e = e, .errout = errout, .path = path };
    exp_reader r = { f, &st };
    int rc = ini_parse_stream(exp_read_line, &r, exp_ini_cb, &st);
    fclose(f);
    if (rc > 0) {
        fprintf(errout, "%s:%d: syntax error (expected [section] or key = value)\n", path, rc);
        st.failed = 1;
    }
    if (!st.failed && e->name == NULL) {
        char *b = base_name(path);
        if (b != NULL && valid_name(b))
            e->name = b;
        else {
            free(b);
            e->name = strdup("experiment");
        }
    }
    if (!st.failed && e->nvariants == 0) {
        if ((e->variants = calloc(1, sizeof *e->variants)) == NULL ||
            (e->variants[0].name = strdup("baseline")) == NULL)
            st.failed = 1;
        else
            e->nvariants = 1;
    }
    if (st.failed || e->name == NULL) {
        sim_experiment_destroy(e);
        return st.failed ? -SIM_ECONFIG : -SIM_ENOMEM;
    }
    *out = e;
    return 0;
}

/* ============================================================ one run ==== */

/* The config file to use: the file's config key, relative to the working directory, or
 * else to the experiment file's directory; without the key ./regions.conf or the
 * installed one. Writes into buf; NULL when none exists. */
static const char *resolve_config(const sim_experiment *e, char *buf, size_t size)
{
    if (e->config_path == NULL)
        return sim_host_config_path(NULL);
    struct stat sb;
    if (e->config_path[0] == '/' || stat(e->config_path, &sb) == 0) {
        snprintf(buf, size, "%s", e->config_path);
        return buf;
    }
    const char *slash = strrchr(e->path, '/');
    if (slash != NULL) {
        snprintf(buf, size, "%.*s/%s", (int)(slash - e->path), e->path, e->config_path);
        if (stat(buf, &sb) == 0)
            return buf;
    }
    snprintf(buf, size, "%s", e->config_path);
    return buf;
}

/* Apply "SECTION|KEY|VALUE" overrides of v to cfg. 0 or -SIM_ECONFIG (printed). */
static int apply_sets(sim_config *cfg, const sim_exp_variant *v, FILE *errout)
{
    for (size_t i = 0; i < v->nsets; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", v->sets[i]);
        char *k = strchr(buf, '|');
        char *val = k ? strchr(k + 1, '|') : NULL;
        if (k == NULL || val == NULL)
            return -SIM_ECONFIG;
        *k++ = '\0';
        *val++ = '\0';
        if (sim_config_set(cfg, buf, k, val, errout) != 0) {
            fprintf(errout, "stratus: experiment: variant %s: set = %s\n", v->name, v->sets[i]);
            return -SIM_ECONFIG;
        }
    }
    return 0;
}

/* regions.conf with the common and the variant's overrides, checked. */
static int variant_config(const sim_experiment *e, const sim_exp_variant *v, FILE *errout,
                          sim_config **out)
{
    char buf[4096];
    const char *path = resolve_config(e, buf, sizeof buf);
    if (path == NULL) {
        fprintf(errout, "stratus: experiment: no regions.conf here or installed; set config\n");
        return -SIM_ECONFIG;
    }
    sim_config *cfg = NULL;
    int rc = sim_config_load(path, errout, &cfg);
    if (rc != 0)
        return rc == -SIM_ENOMEM ? rc : -SIM_ECONFIG;
    if ((rc = apply_sets(cfg, &e->common, errout)) != 0 || (rc = apply_sets(cfg, v, errout)) != 0 ||
        (rc = sim_config_check(cfg, errout)) != 0) {
        fprintf(errout, "stratus: experiment: variant %s: the world is not valid\n", v->name);
        sim_config_destroy(cfg);
        return -SIM_ECONFIG;
    }
    *out = cfg;
    return 0;
}

/* The scenario's client: a fiber in the client region; the run loop observes the feed. */
typedef struct xclient {
    sim_vclient base;  /* first: caller, world and the request in flight */
    const sim_experiment *e;
    sim_exp_run *run;
    int done;
    long before;          /* feed rows before the first post; -1 until read */
    int nsent;            /* posts sent */
    sim_time_us *sent_us; /* owned [posts]: when each post left the client */
    int ncomplete;        /* posts whose fan-out finished, in order */
    char last_text[64];   /* text of the last post sent */
} xclient;

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Rows of the feed table now, read by the observer (the number DescribeTable's ItemCount
 * reports; no latency, no capacity). -1 if the table is missing. */
static long feed_rows(sim_world *w)
{
    ddb_table_counters tc;
    if (ddb_table_stats(w->ddb, EXP_FEED_TABLE, &tc) != 0)
        return -1;
    return (long)tc.table.item_count;
}

/* After every event: the k-th post's fan-out is complete when the feed holds k x users
 * new rows (posts fan out in order; exact when they finish in order). */
static void observe(xclient *c)
{
    if (c->before < 0 || c->ncomplete >= c->nsent)
        return;
    long rows = feed_rows(c->base.w);
    sim_time_us now = sim_now_us(c->base.w);
    while (c->ncomplete < c->nsent &&
           rows >= c->before + (long)(c->ncomplete + 1) * (long)c->e->users) {
        c->run->fanout_s[c->ncomplete] = (double)(now - c->sent_us[c->ncomplete]) / 1e6;
        c->ncomplete++;
    }
}

static cJSON *page_req(const char *token, const char *alias)
{
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "token", token);
    cJSON_AddStringToObject(q, "userAlias", alias);
    cJSON_AddNumberToObject(q, "pageSize", EXP_PAGE_SIZE);
    cJSON_AddNullToObject(q, "lastItem");
    return q;
}

static int first_is(const cJSON *page, const char *text)
{
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(page, "items"), 0);
    const char *p = jstr(first, "post");
    return p != NULL && strcmp(p, text) == 0;
}

static void xclient_body(void *arg)
{
    xclient *c = arg;
    sim_world *w = c->base.w;
    const sim_experiment *e = c->e;
    sim_exp_run *run = c->run;
    long status;
    cJSON *login = cJSON_CreateObject();
    cJSON_AddStringToObject(login, "alias", "@daisy");
    cJSON_AddStringToObject(login, "password", "password");
    cJSON *r = sim_vclient_post(&c->base, "/user/login", login, &status);
    cJSON_Delete(login);
    const char *token = jstr(cJSON_GetObjectItemCaseSensitive(r, "authToken"), "token");
    if (status != 200 || token == NULL) {
        snprintf(run->error, sizeof run->error, "login as @daisy failed (HTTP %ld)", status);
        cJSON_Delete(r);
        return;
    }
    char tok[128];
    snprintf(tok, sizeof tok, "%s", token);
    cJSON *user = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, "user"), 1);
    cJSON_Delete(r);
    c->before = feed_rows(w);
    sim_time_us first_us = sim_now_us(w);
    for (int i = 0; i < e->posts; i++) {
        sim_time_us due = first_us + (sim_time_us)i * e->post_interval_us;
        if (sim_now_us(w) < due && sim_caller_sleep(&c->base.caller, due - sim_now_us(w)) != 0)
            break;
        char text[64];
        snprintf(text, sizeof text, "Experiment post %d", i + 1);
        cJSON *ps = cJSON_CreateObject();
        cJSON_AddStringToObject(ps, "token", tok);
        cJSON *st = cJSON_AddObjectToObject(ps, "newStatus");
        cJSON_AddStringToObject(st, "post", text);
        cJSON_AddItemToObject(st, "user", cJSON_Duplicate(user, 1));
        cJSON_AddNumberToObject(st, "timestamp",
                                (double)(sim_clock_epoch_us(&w->clock, sim_now_us(w)) / 1000));
        c->sent_us[i] = sim_now_us(w);
        c->nsent = i + 1;
        run->nposts = i + 1;
        snprintf(c->last_text, sizeof c->last_text, "%s", text);
        r = sim_vclient_post(&c->base, "/status/post", ps, &status);
        run->post_ms[i] = (double)(sim_now_us(w) - c->sent_us[i]) / 1000.0;
        cJSON_Delete(ps);
        cJSON_Delete(r);
        if (status != 200) {
            run->post_errors++;
            if (run->error[0] == '\0')
                snprintf(run->error, sizeof run->error, "post %d failed (HTTP %ld)", i + 1, status);
        }
    }
    cJSON_Delete(user);
    while (c->ncomplete < c->nsent && sim_now_us(w) - c->sent_us[c->nsent - 1] < e->fanout_limit_us)
        if (sim_caller_sleep(&c->base.caller, EXP_POLL_US) != 0)
            break;
    for (int i = c->ncomplete; i < c->nsent; i++) {
        run->fanout_s[i] = (double)(sim_now_us(w) - c->sent_us[i]) / 1e6; /* at least */
        run->fanout_incomplete++;
    }
    c->ncomplete = c->nsent; /* the observer stops */
    for (int j = 0; j < e->feed_reads; j++) {
        char alias[40];
        snprintf(alias, sizeof alias, "@donald%lld",
                 (long long)(1 + ((int64_t)j * e->users / e->feed_reads) % e->users));
        cJSON *q = page_req(tok, alias);
        sim_time_us f0 = sim_now_us(w);
        r = sim_vclient_post(&c->base, "/status/feed", q, &status);
        run->feed_ms[j] = (double)(sim_now_us(w) - f0) / 1000.0;
        run->nreads = j + 1;
        if (status == 200 && first_is(r, c->last_text))
            run->feed_ok++;
        cJSON_Delete(r);
        cJSON_Delete(q);
    }
}

static void xclient_finished(sim_caller *caller)
{
    ((xclient *)caller)->done = 1;
}

/* Counters summed over every table of the config and their GSIs. */
static int64_t ddb_throttled_all(sim_world *w)
{
    int64_t n = 0;
    for (size_t i = 0; i < w->cfg->ntables; i++) {
        ddb_table_counters tc;
        if (ddb_table_stats(w->ddb, w->cfg->tables[i].name, &tc) != 0)
            continue;
        n += tc.table.throttled_reads + tc.table.throttled_writes;
        for (int g = 0; g < tc.ngsi; g++)
            n += tc.gsi[g].throttled_reads + tc.gsi[g].throttled_writes;
    }
    return n;
}

static int64_t feed_throttled(sim_world *w)
{
    return (int64_t)sim_metrics_table_throttled_writes(w, EXP_FEED_TABLE);
}

static long dlq_messages(sim_world *w)
{
    long n = 0;
    for (size_t i = 0; i < w->cfg->nqueues; i++) {
        const char *dlq = w->cfg->queues[i].dead_letter_queue;
        long vis, inflight;
        if (dlq != NULL && sqs_queue_depth(w->sqs, dlq, &vis, &inflight) == 0)
            n += vis + inflight;
    }
    return n;
}

static int series_create(sim_world *w, const sim_experiment *e, sim_metrics **out)
{
    sim_metrics *m = NULL;
    int rc = sim_metrics_create(w, e->sample_us, &m);
    if (rc != 0)
        return rc;
    if ((rc = sim_metrics_add(m, "update_feed_depth", SIM_METRICS_GAUGE, sim_metrics_queue_depth,
                              EXP_UPDATE_QUEUE)) != 0 ||
        (rc = sim_metrics_add(m, "update_feed_visible", SIM_METRICS_GAUGE,
                              sim_metrics_queue_visible, EXP_UPDATE_QUEUE)) != 0 ||
        (rc = sim_metrics_add(m, "update_feed_in_flight", SIM_METRICS_GAUGE,
                              sim_metrics_queue_in_flight, EXP_UPDATE_QUEUE)) != 0 ||
        (rc = sim_metrics_add(m, "post_status_depth", SIM_METRICS_GAUGE, sim_metrics_queue_depth,
                              EXP_POST_QUEUE)) != 0 ||
        (rc = sim_metrics_add(m, "feed_wcu_per_s", SIM_METRICS_RATE, sim_metrics_table_wcu,
                              EXP_FEED_TABLE)) != 0 ||
        (rc = sim_metrics_add(m, "feed_throttled_writes", SIM_METRICS_GAUGE,
                              sim_metrics_table_throttled_writes, EXP_FEED_TABLE)) != 0 ||
        (rc = sim_metrics_add(m, "lambda_in_flight", SIM_METRICS_GAUGE,
                              sim_metrics_lambda_in_flight, NULL)) != 0) {
        sim_metrics_destroy(m);
        return rc;
    }
    *out = m;
    return 0;
}

static void run_release(sim_exp_run *run)
{
    free(run->post_ms);
    free(run->fanout_s);
    free(run->feed_ms);
    sim_metrics_destroy(run->series);
    memset(run, 0, sizeof *run);
}

/* The scenario in world w (populated). Fills run; returns 0 or -SIM_ENOMEM. */
static int scenario(sim_world *w, const sim_experiment *e, sim_exp_run *run)
{
    int rc = 0;
    xclient *c = calloc(1, sizeof *c);
    if (c == NULL || (c->sent_us = calloc((size_t)e->posts, sizeof *c->sent_us)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    sim_vclient_init(&c->base, w, "experiment-client");
    c->e = e;
    c->run = run;
    c->before = -1;
    ddb_table_counters tc;
    double wcu0 = sim_metrics_table_wcu(w, EXP_FEED_TABLE);
    int64_t feed_thr0 = feed_throttled(w), ddb_thr0 = ddb_throttled_all(w);
    lambda_stats ls0, ls1;
    lambda_service_stats(w->lambda, &ls0);
    if ((rc = series_create(w, e, &run->series)) != 0 || (rc = sim_metrics_start(run->series)))
        goto out;
    sim_time_us t0 = sim_now_us(w);
    c->base.caller.on_finish = xclient_finished;
    if ((rc = sim_fiber_create(xclient_body, c, 0, &c->base.caller.fiber)) != 0)
        goto out;
    sim_caller_resume(&c->base.caller);
    sim_time_us limit =
        t0 + (sim_time_us)e->posts * e->post_interval_us + e->fanout_limit_us + EXP_SLACK_US;
    while (!c->done && sim_now_us(w) < limit) {
        if (sim_sched_run_until_idle(&w->sched, 1) == 0)
            break;
        observe(c);
    }
    if (c->done) {
        sim_fiber_destroy(c->base.caller.fiber);
    } else {
        snprintf(run->error, sizeof run->error, "the client did not finish");
        c->base.caller.canceled = 1;
        sim_caller_interrupt(&c->base.caller);
        sim_fiber_destroy(c->base.caller.fiber);
    }
    sim_timer_stop(&w->sched, &c->base.caller.sleep_timer);
    sim_metrics_stop(run->series);
    run->scenario_s = (double)(sim_now_us(w) - t0) / 1e6;
    run->feed_rows_expected = (long)e->users * run->nposts;
    if (c->before >= 0 && ddb_table_stats(w->ddb, EXP_FEED_TABLE, &tc) == 0)
        run->feed_rows_delivered = (long)tc.table.item_count - c->before;
    run->feed_wcu_consumed = sim_metrics_table_wcu(w, EXP_FEED_TABLE) - wcu0;
    run->feed_throttled_writes = feed_throttled(w) - feed_thr0;
    run->ddb_throttled = ddb_throttled_all(w) - ddb_thr0;
    lambda_service_stats(w->lambda, &ls1);
    run->lambda_throttles = ls1.throttles - ls0.throttles;
    run->lambda_cold_starts = ls1.cold_starts - ls0.cold_starts;
    run->lambda_errors = ls1.errors - ls0.errors;
    run->lambda_timeouts = ls1.timeouts - ls0.timeouts;
    run->dlq_messages = dlq_messages(w);
out:
    if (c != NULL)
        free(c->sent_us);
    free(c);
    return rc;
}

/* One run of variant v with seed: a fresh world, populate, the scenario, then the digest. */
static int run_one(const sim_experiment *e, const sim_exp_variant *v, uint64_t seed,
                   const sim_exp_options *opt, sim_exp_run *run)
{
    FILE *log_out = opt->log_out ? opt->log_out : stderr;
    memset(run, 0, sizeof *run);
    run->seed = seed;
    run->post_ms = calloc((size_t)e->posts, sizeof *run->post_ms);
    run->fanout_s = calloc((size_t)e->posts, sizeof *run->fanout_s);
    run->feed_ms = calloc(e->feed_reads > 0 ? (size_t)e->feed_reads : 1, sizeof *run->feed_ms);
    if (run->post_ms == NULL || run->fanout_s == NULL || run->feed_ms == NULL)
        return -SIM_ENOMEM;
    sim_config *cfg = NULL;
    int rc = variant_config(e, v, log_out, &cfg);
    if (rc != 0)
        return rc;
    sim_world_options wopt = { .seed = seed,
                               .virtual_time = 1,
                               .endpoint_url = "http://127.0.0.1:4566",
                               .handlers = opt->handlers,
                               .log_out = log_out,
                               .log_level = opt->log_level,
                               .latency_scale = 1.0 };
    sim_world *w = NULL;
    if ((rc = sim_world_create(cfg, &wopt, &w)) != 0) /* takes cfg */
        return rc == -SIM_ENOMEM ? rc : -SIM_ECONFIG;
    if ((rc = sim_check_populate_virtual(w, e->users)) == 0)
        rc = scenario(w, e, run);
    if (rc == 0) {
        sim_world_trace_digest(w, run->digest);
        run->trace_events = w->trace.events;
    }
    sim_world_destroy(w);
    return rc;
}

/* ============================================================ summary ==== */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of the samples at or below it. */
static double rank(const double *v, size_t n, double p)
{
    size_t k = (size_t)ceil(p * (double)n - 1e-9);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

sim_exp_stats sim_exp_stats_of(double *v, size_t n)
{
    sim_exp_stats s = { 0 };
    s.n = n;
    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, cmp_double);
    s.p50 = rank(v, n, 0.50);
    s.p90 = rank(v, n, 0.90);
    s.p99 = rank(v, n, 0.99);
    s.max = v[n - 1];
    return s;
}

enum { POOL_POST, POOL_FANOUT, POOL_FEED };

/* Every run's values of one measure, pooled (caller frees). *out_n gets the count. */
static double *pool(const sim_exp_variant_result *vr, int which, size_t *out_n)
{
    size_t n = 0;
    for (int i = 0; i < vr->nruns; i++)
        n += which == POOL_FEED ? (size_t)vr->runs[i].nreads : (size_t)vr->runs[i].nposts;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL)
        return NULL;
    size_t k = 0;
    for (int i = 0; i < vr->nruns; i++) {
        const sim_exp_run *run = &vr->runs[i];
        const double *src = which == POOL_POST     ? run->post_ms
                            : which == POOL_FANOUT ? run->fanout_s
                                                   : run->feed_ms;
        int m = which == POOL_FEED ? run->nreads : run->nposts;
        for (int j = 0; j < m; j++)
            v[k++] = src[j];
    }
    *out_n = n;
    return v;
}

static int summarise(sim_exp_variant_result *vr)
{
    const int which[3] = { POOL_POST, POOL_FANOUT, POOL_FEED };
    sim_exp_stats *dst[3] = { &vr->post_ms, &vr->fanout_s, &vr->feed_ms };
    for (int i = 0; i < 3; i++) {
        size_t n;
        double *v = pool(vr, which[i], &n);
        if (v == NULL)
            return -SIM_ENOMEM;
        *dst[i] = sim_exp_stats_of(v, n);
        free(v);
    }
    for (int i = 0; i < vr->nruns; i++) {
        const sim_exp_run *run = &vr->runs[i];
        vr->fanout_incomplete += run->fanout_incomplete;
        vr->post_errors += run->post_errors;
        vr->feed_ok += run->feed_ok;
        vr->feed_reads += run->nreads;
        vr->feed_throttled_writes += run->feed_throttled_writes;
        vr->ddb_throttled += run->ddb_throttled;
        vr->lambda_throttles += run->lambda_throttles;
        vr->lambda_cold_starts += run->lambda_cold_starts;
        vr->lambda_errors += run->lambda_errors;
        vr->lambda_timeouts += run->lambda_timeouts;
        vr->dlq_messages += run->dlq_messages;
        vr->feed_rows_expected += run->feed_rows_expected;
        vr->feed_rows_delivered += run->feed_rows_delivered;
    }
    return 0;
}

void sim_exp_report_destroy(sim_exp_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nvariants; i++) {
        for (int j = 0; j < r->variants[i].nruns; j++)
            run_release(&r->variants[i].runs[j]);
        free(r->variants[i].runs);
    }
    free(r->variants);
    free(r);
}

const sim_exp_variant_result *sim_exp_report_variant(const sim_exp_report *r, const char *name)
{
    for (size_t i = 0; i < r->nvariants; i++)
        if (strcmp(r->variants[i].variant->name, name) == 0)
            return &r->variants[i];
    return NULL;
}

int sim_experiment_run(const sim_experiment *e, const sim_exp_options *opt, sim_exp_report **out)
{
    FILE *log_out = opt->log_out ? opt->log_out : stderr;
    int seeds = opt->seeds > 0 ? opt->seeds : e->seeds;
    int rc = 0;
    /* Check every variant's world first: a typo should not cost the runs before it. */
    for (size_t i = 0; i < e->nvariants; i++) {
        sim_config *cfg = NULL;
        if ((rc = variant_config(e, &e->variants[i], log_out, &cfg)) != 0)
            return rc;
        sim_config_destroy(cfg);
    }
    sim_exp_report *r = calloc(1, sizeof *r);
    if (r == NULL || (r->variants = calloc(e->nvariants, sizeof *r->variants)) == NULL) {
        free(r);
        return -SIM_ENOMEM;
    }
    r->exp = e;
    r->seeds = seeds;
    r->nvariants = e->nvariants;
    for (size_t i = 0; i < e->nvariants && rc == 0; i++) {
        sim_exp_variant_result *vr = &r->variants[i];
        vr->variant = &e->variants[i];
        if ((vr->runs = calloc((size_t)seeds, sizeof *vr->runs)) == NULL) {
            rc = -SIM_ENOMEM;
            break;
        }
        for (int s = 0; s < seeds && rc == 0; s++) {
            uint64_t seed = e->first_seed + (uint64_t)s;
            sim_time_us wall0 = sim_clock_wall_us();
            rc = run_one(e, vr->variant, seed, opt, &vr->runs[s]);
            vr->nruns = s + 1;
            if (rc != 0)
                break;
            const sim_exp_run *run = &vr->runs[s];
            if (run->error[0] && r->error[0] == '\0')
                snprintf(r->error, sizeof r->error, "%s seed %llu: %.160s", vr->variant->name,
                         (unsigned long long)seed, run->error);
            if (opt->progress != NULL)
                fprintf(opt->progress,
                        "stratus: experiment %s: %-20s seed %-4llu posts %d, fan-outs done "
                        "%d/%d, %llu events, %.2f s of wall time%s%s\n",
                        e->name, vr->variant->name, (unsigned long long)seed, run->nposts,
                        run->nposts - run->fanout_incomplete, run->nposts,
                        (unsigned long long)run->trace_events,
                        (double)(sim_clock_wall_us() - wall0) / 1e6, run->error[0] ? ": " : "",
                        run->error);
        }
        if (rc == 0)
            rc = summarise(vr);
    }
    if (rc != 0) {
        sim_exp_report_destroy(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ============================================================= report ==== */

/* Create dir and its parents. 0 or -SIM_EIO. */
static int mkdir_p(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return -SIM_EIO;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -SIM_EIO;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -SIM_EIO;
    return 0;
}

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fopen(path, mode);
}

/* Close f; -SIM_EIO if anything failed on it. */
static int close_checked(FILE *f)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return -SIM_EIO;
    return 0;
}

/* Post-latency CDF of variant i: sorted values and the fraction at or below each. */
static int write_cdf(const char *dir, size_t i, const sim_exp_variant_result *vr)
{
    size_t n;
    double *v = pool(vr, POOL_POST, &n);
    if (v == NULL)
        return -SIM_ENOMEM;
    qsort(v, n, sizeof *v, cmp_double);
    char name[64];
    snprintf(name, sizeof name, "post-latency-%zu.tsv", i + 1);
    FILE *f = open_in(dir, name, "w");
    if (f == NULL) {
        free(v);
        return -SIM_EIO;
    }
    fprintf(f, "# post_ms\tfraction  (variant %s, all seeds)\n", vr->variant->name);
    if (n > 0)
        fprintf(f, "%.3f\t0\n", v[0]);
    for (size_t k = 0; k < n; k++)
        fprintf(f, "%.3f\t%.6f\n", v[k], (double)(k + 1) / (double)n);
    free(v);
    return close_checked(f);
}

static int write_series(const char *dir, size_t i, const sim_exp_run *run)
{
    char name[96];
    snprintf(name, sizeof name, "series-%zu-seed%llu.tsv", i + 1, (unsigned long long)run->seed);
    FILE *f = open_in(dir, name, "w");
    if (f == NULL)
        return -SIM_EIO;
    if (run->series != NULL)
        sim_metrics_write_tsv(run->series, f);
    return close_checked(f);
}

/* 1-based gnuplot column of series column name (time is column 1). */
static int gp_col(const sim_exp_run *run, const char *name)
{
    int c = run->series ? sim_metrics_col(run->series, name) : -1;
    return c < 0 ? 2 : c + 2;
}

/* One line per variant (its first seed) of series column col; skip_zero leaves out
 * values <= 0 (for a log scale). */
static void gp_series_plot(FILE *f, const sim_exp_report *r, const char *col, int skip_zero)
{
    fprintf(f, "plot ");
    for (size_t i = 0; i < r->nvariants; i++) {
        const sim_exp_run *run = &r->variants[i].runs[0];
        int c = gp_col(run, col);
        char using[64];
        if (skip_zero)
            snprintf(using, sizeof using, "1:($%d > 0 ? $%d : 1/0)", c, c);
        else
            snprintf(using, sizeof using, "1:%d", c);
        fprintf(f, "%s'series-%zu-seed%llu.tsv' using %s with lines lw 2 title '%s'",
                i ? ", \\\n     " : "", i + 1, (unsigned long long)run->seed, using,
                r->variants[i].variant->name);
    }
    fprintf(f, "\n");
}

static const char *const PLOTS[][2] = {
    { "post-latency-cdf.png", "Post latency CDF (client round trip, every seed)" },
    { "update-feed-queue.png", "Update-feed queue depth over time, first seed" },
    { "feed-wcu.png", "Feed table consumed WCU over time, first seed" },
    { "lambda-in-flight.png", "Lambda invocations in flight over time, first seed" },
};
#define NPLOTS (sizeof PLOTS / sizeof PLOTS[0])

static int write_gnuplot(const char *dir, const sim_exp_report *r)
{
    FILE *f = open_in(dir, "plots.gp", "w");
    if (f == NULL)
        return -SIM_EIO;
    fprintf(f,
            "# Plots of experiment %s, drawn by stratus with gnuplot; rerun in this\n"
            "# directory with: gnuplot plots.gp\n"
            "set terminal pngcairo size 960,540 noenhanced\n"
            "set datafile separator '\\t'\n"
            "set grid\n"
            "set key outside right top\n",
            r->exp->name);
    fprintf(f,
            "\nset output '%s'\nset title '%s'\nset xlabel 'post latency, client "
            "round trip (ms)'\nset ylabel 'fraction of posts'\nset yrange [0:1.05]\n"
            "plot ",
            PLOTS[0][0], PLOTS[0][1]);
    for (size_t i = 0; i < r->nvariants; i++)
        fprintf(f, "%s'post-latency-%zu.tsv' using 1:2 with steps lw 2 title '%s'",
                i ? ", \\\n     " : "", i + 1, r->variants[i].variant->name);
    fprintf(f, "\nset autoscale y\nset yrange [0:*]\nset xlabel 'virtual time since login (s)'\n");
    fprintf(f, "\nset output '%s'\nset title '%s'\nset ylabel 'messages (visible + in flight)'\n",
            PLOTS[1][0], PLOTS[1][1]);
    gp_series_plot(f, r, "update_feed_depth", 0);
    fprintf(f,
            "\nset output '%s'\nset title '%s'\nset ylabel 'write capacity units per second "
            "(log scale)'\nset logscale y\nset yrange [*:*]\n",
            PLOTS[2][0], PLOTS[2][1]);
    gp_series_plot(f, r, "feed_wcu_per_s", 1);
    fprintf(f, "unset logscale y\nset yrange [0:*]\n");
    fprintf(f, "\nset output '%s'\nset title '%s'\nset ylabel 'invocations'\n", PLOTS[3][0],
            PLOTS[3][1]);
    gp_series_plot(f, r, "lambda_in_flight", 0);
    fprintf(f, "set output\n");
    return close_checked(f);
}

/* Run gnuplot plots.gp in dir. 0 when it exited 0; else -SIM_EIO (warned on errout). */
static int run_gnuplot(const char *dir, FILE *errout)
{
    if (strchr(dir, '\'') != NULL) {
        fprintf(errout, "stratus: experiment: no plots: the directory name has a quote\n");
        return -SIM_EIO;
    }
    char cd[4200];
    snprintf(cd, sizeof cd, "cd '%s'", dir);
    char *argv[] = { (char *)"gnuplot", (char *)"-e", cd, (char *)"plots.gp", NULL };
    pid_t pid;
    int err = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
    if (err != 0) {
        fprintf(errout,
                "stratus: experiment: gnuplot not found (%s): plots skipped; install "
                "gnuplot-nox and rerun, or run 'gnuplot plots.gp' in %s\n",
                strerror(err), dir);
        return -SIM_EIO;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -SIM_EIO;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(errout, "stratus: experiment: gnuplot failed (status %d%s): plots skipped\n",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ", not installed?" : "");
        return -SIM_EIO;
    }
    return 0;
}

static void fmt_stat(char *buf, size_t size, double v, int secs)
{
    snprintf(buf, size, secs ? "%.2f" : "%.1f", v);
}

static const char *MEASURES[3] = { "post latency (ms)", "fan-out completion (s)",
                                   "feed page latency (ms)" };

static const sim_exp_stats *measure(const sim_exp_variant_result *vr, int m)
{
    return m == 0 ? &vr->post_ms : m == 1 ? &vr->fanout_s : &vr->feed_ms;
}

/* "+12.3 ms (x1.40)" for a p50 against the baseline's. */
static void fmt_delta(char *buf, size_t size, double v, double base, int secs)
{
    if (base > 0)
        snprintf(buf, size, secs ? "%+.2f s (x%.2f)" : "%+.1f ms (x%.2f)", v - base, v / base);
    else
        snprintf(buf, size, secs ? "%+.2f s" : "%+.1f ms", v - base);
}

/* Markdown tables (also printed by the command). */
static void md_tables(FILE *f, const sim_exp_report *r)
{
    char a[32], b[32], c[32], d[32];
    fprintf(f, "| variant | measure | n | p50 | p90 | p99 | max |\n"
               "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (size_t i = 0; i < r->nvariants; i++) {
        const sim_exp_variant_result *vr = &r->variants[i];
        for (int m = 0; m < 3; m++) {
            const sim_exp_stats *s = measure(vr, m);
            fmt_stat(a, sizeof a, s->p50, m == 1);
            fmt_stat(b, sizeof b, s->p90, m == 1);
            fmt_stat(c, sizeof c, s->p99, m == 1);
            fmt_stat(d, sizeof d, s->max, m == 1);
            fprintf(f, "| %s | %s | %zu | %s | %s | %s | %s%s |\n", m == 0 ? vr->variant->name : "",
                    MEASURES[m], s->n, a, b, c, d,
                    m == 1 && vr->fanout_incomplete ? " (incomplete)" : "");
        }
    }
    if (r->nvariants > 1) {
        const sim_exp_variant_result *base = &r->variants[0];
        fprintf(f,
                "\nMedians against the first variant (%s):\n\n"
                "| variant | post latency p50 | fan-out p50 | feed page p50 |\n"
                "| --- | ---: | ---: | ---: |\n",
                base->variant->name);
        for (size_t i = 1; i < r->nvariants; i++) {
            const sim_exp_variant_result *vr = &r->variants[i];
            fmt_delta(a, sizeof a, vr->post_ms.p50, base->post_ms.p50, 0);
            fmt_delta(b, sizeof b, vr->fanout_s.p50, base->fanout_s.p50, 1);
            fmt_delta(c, sizeof c, vr->feed_ms.p50, base->feed_ms.p50, 0);
            fprintf(f, "| %s | %s | %s | %s |\n", vr->variant->name, a, b, c);
        }
    }
    fprintf(f,
            "\nThrottles and delivery, summed over every seed (K = %d):\n\n"
            "| variant | feed writes throttled | DynamoDB throttled (all tables) | Lambda "
            "throttles | Lambda errors (timeouts) | cold starts | DLQ messages | fan-outs "
            "incomplete | feed rows delivered / expected | feed reads showing the last post |\n"
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            r->seeds);
    for (size_t i = 0; i < r->nvariants; i++) {
        const sim_exp_variant_result *vr = &r->variants[i];
        fprintf(
            f,
            "| %s | %lld | %lld | %llu | %llu (%llu) | %llu | %ld | %d | %ld / %ld | %d / %d |\n",
            vr->variant->name, (long long)vr->feed_throttled_writes, (long long)vr->ddb_throttled,
            (unsigned long long)vr->lambda_throttles, (unsigned long long)vr->lambda_errors,
            (unsigned long long)vr->lambda_timeouts, (unsigned long long)vr->lambda_cold_starts,
            vr->dlq_messages, vr->fanout_incomplete, vr->feed_rows_delivered,
            vr->feed_rows_expected, vr->feed_ok, vr->feed_reads);
    }
}

static void md_scenario(FILE *f, const sim_exp_report *r)
{
    const sim_experiment *e = r->exp;
    fprintf(
        f,
        "Scenario, in virtual time, one fresh world per run: populate %lld users "
        "following @daisy; from the client region @daisy logs in and posts %d statuses "
        "%.0f ms apart (each post's client round trip recorded); the run waits until "
        "every follower's feed holds every post (fan-out completion: post sent -> the "
        "feed table holds all its rows; the k-th post completes when the table holds k x "
        "%lld new rows), then reads %d feed pages (%d items) of followers spread over "
        "@donald1..@donald%lld. Seeds %llu..%llu for every variant; time series sampled "
        "every %.0f ms. Percentiles are nearest-rank over the samples of every seed. "
        "Experiment file `%s`, world `%s`.\n",
        (long long)e->users, e->posts, (double)e->post_interval_us / 1000.0, (long long)e->users,
        e->feed_reads, EXP_PAGE_SIZE, (long long)e->users, (unsigned long long)e->first_seed,
        (unsigned long long)(e->first_seed + (uint64_t)r->seeds - 1), (double)e->sample_us / 1000.0,
        e->path, e->config_path ? e->config_path : "regions.conf");
}

static void md_runs(FILE *f, const sim_exp_report *r)
{
    fprintf(f, "| variant | seed | post latency (ms), each | fan-out (s), each | feed WCU "
               "consumed | scenario (virtual s) | trace events | trace digest |\n"
               "| --- | ---: | --- | --- | ---: | ---: | ---: | --- |\n");
    for (size_t i = 0; i < r->nvariants; i++) {
        const sim_exp_variant_result *vr = &r->variants[i];
        for (int s = 0; s < vr->nruns; s++) {
            const sim_exp_run *run = &vr->runs[s];
            fprintf(f, "| %s | %llu | ", vr->variant->name, (unsigned long long)run->seed);
            for (int k = 0; k < run->nposts; k++)
                fprintf(f, "%s%.1f", k ? ", " : "", run->post_ms[k]);
            fprintf(f, " | ");
            for (int k = 0; k < run->nposts; k++)
                fprintf(f, "%s%.2f", k ? ", " : "", run->fanout_s[k]);
            fprintf(f, " | %.0f | %.2f | %llu | `%.16s` |\n", run->feed_wcu_consumed,
                    run->scenario_s, (unsigned long long)run->trace_events, run->digest);
        }
    }
}

static int write_md(const char *dir, const sim_exp_report *r, int plotted)
{
    FILE *f = open_in(dir, "report.md", "w");
    if (f == NULL)
        return -SIM_EIO;
    const sim_experiment *e = r->exp;
    fprintf(f, "# Experiment: %s\n\n", e->name);
    md_scenario(f, r);
    fprintf(f, "\n## Variants\n\n");
    for (size_t i = 0; i < r->nvariants; i++) {
        const sim_exp_variant *v = r->variants[i].variant;
        fprintf(f, "- **%s**: %s", v->name, v->nsets ? "" : "regions.conf as it is");
        for (size_t k = 0; k < v->nsets; k++)
            fprintf(f, "%s`%s`", k ? ", " : "", v->sets[k]);
        fprintf(f, "\n");
    }
    if (e->common.nsets) {
        fprintf(f, "- every variant also: ");
        for (size_t k = 0; k < e->common.nsets; k++)
            fprintf(f, "%s`%s`", k ? ", " : "", e->common.sets[k]);
        fprintf(f, "\n");
    }
    fprintf(f, "\n## Results\n\n");
    md_tables(f, r);
    fprintf(f, "\n## Plots\n\n");
    if (plotted)
        for (size_t i = 0; i < NPLOTS; i++)
            fprintf(f, "![%s](%s)\n\n", PLOTS[i][1], PLOTS[i][0]);
    else
        fprintf(f, "(not drawn: gnuplot was not run; the data files are in this directory)\n\n");
    fprintf(f, "## Runs\n\n");
    md_runs(f, r);
    fprintf(f, "\nSame binary, same files, same seeds: the same figures and digests.\n");
    return close_checked(f);
}

/* Write s with HTML's special characters escaped. */
static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* Convert one Markdown table line ("| a | b |") into an HTML row; header when th. */
static void html_row(FILE *f, const char *line, int th)
{
    fputs("<tr>", f);
    const char *p = strchr(line, '|');
    while (p != NULL) {
        const char *q = strchr(p + 1, '|');
        if (q == NULL)
            break;
        const char *a = p + 1, *b = q;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        char cell[1024];
        size_t n = (size_t)(b - a) < sizeof cell - 1 ? (size_t)(b - a) : sizeof cell - 1;
        memcpy(cell, a, n);
        cell[n] = '\0';
        fputs(th ? "<th>" : "<td>", f);
        html_text(f, cell);
        fputs(th ? "</th>" : "</td>", f);
        p = q;
    }
    fputs("</tr>\n", f);
}

/* Render the Markdown tables text (from md_tables) as HTML tables and paragraphs. */
static void html_from_md(FILE *f, const char *md)
{
    const char *line = md;
    int in_table = 0, header = 0;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[8192];
        if (len >= sizeof buf)
            len = sizeof buf - 1;
        memcpy(buf, line, len);
        buf[len] = '\0';
        if (buf[0] == '|') {
            if (!in_table) {
                fputs("<table>\n", f);
                in_table = 1;
                header = 1;
            }
            if (strncmp(buf, "| ---", 5) != 0) {
                html_row(f, buf, header);
                header = 0;
            }
        } else {
            if (in_table) {
                fputs("</table>\n", f);
                in_table = 0;
            }
            if (buf[0] != '\0') {
                fputs("<p>", f);
                html_text(f, buf);
                fputs("</p>\n", f);
            }
        }
        line = nl ? nl + 1 : line + len;
    }
    if (in_table)
        fputs("</table>\n", f);
}

/* Embed dir/name as a data: URI image. 0, or -SIM_EIO when it cannot be read. */
static int html_image(FILE *f, const char *dir, const char *name, const char *alt)
{
    FILE *in = open_in(dir, name, "rb");
    if (in == NULL)
        return -SIM_EIO;
    unsigned char *data = NULL, *b64 = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *p = realloc(data, cap);
            if (p == NULL) {
                rc = -SIM_ENOMEM;
                goto out;
            }
            data = p;
        }
        size_t got = fread(data + n, 1, cap - n, in);
        n += got;
        if (got == 0)
            break;
    }
    if ((b64 = malloc(4 * ((n + 2) / 3) + 1)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    EVP_EncodeBlock(b64, data, (int)n);
    fputs("<figure><img alt=\"", f);
    html_text(f, alt);
    fprintf(f, "\" src=\"data:image/png;base64,%s\"><figcaption>", (const char *)b64);
    html_text(f, alt);
    fputs("</figcaption></figure>\n", f);
out:
    free(b64);
    free(data);
    fclose(in);
    return rc;
}

/* The text a printer writes, into a new string (caller frees); NULL on failure. */
static char *capture(void (*print)(FILE *, const sim_exp_report *), const sim_exp_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return NULL;
    print(m, r);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int write_html(const char *dir, const sim_exp_report *r, int plotted)
{
    char *tables = capture(md_tables, r), *scen = capture(md_scenario, r),
         *runs = capture(md_runs, r);
    FILE *f = open_in(dir, "report.html", "w");
    int rc = 0;
    if (tables == NULL || scen == NULL || runs == NULL || f == NULL) {
        rc = f == NULL ? -SIM_EIO : -SIM_ENOMEM;
        goto out;
    }
    const sim_experiment *e = r->exp;
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Experiment ");
    html_text(f, e->name);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
          "padding:0 1em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid "
          "#bbb;padding:3px 8px;text-align:right}th:first-child,td:first-child,td:nth-child(2)"
          "{text-align:left}th{background:#eee}code{font-size:90%}figure{margin:1.5em 0}"
          "img{max-width:100%}</style></head><body>\n<h1>Experiment: ",
          f);
    html_text(f, e->name);
    fputs("</h1>\n", f);
    html_from_md(f, scen);
    fputs("<h2>Variants</h2>\n<ul>\n", f);
    for (size_t i = 0; i < r->nvariants; i++) {
        const sim_exp_variant *v = r->variants[i].variant;
        fputs("<li><b>", f);
        html_text(f, v->name);
        fputs("</b>: ", f);
        if (v->nsets == 0)
            fputs("regions.conf as it is", f);
        for (size_t k = 0; k < v->nsets; k++) {
            fputs(k ? ", <code>" : "<code>", f);
            html_text(f, v->sets[k]);
            fputs("</code>", f);
        }
        fputs("</li>\n", f);
    }
    fputs("</ul>\n<h2>Results</h2>\n", f);
    html_from_md(f, tables);
    fputs("<h2>Plots</h2>\n", f);
    if (!plotted)
        fputs("<p>Not drawn: gnuplot was not run (install gnuplot-nox).</p>\n", f);
    for (size_t i = 0; plotted && i < NPLOTS; i++)
        if (html_image(f, dir, PLOTS[i][0], PLOTS[i][1]) != 0)
            fprintf(f, "<p>(%s missing)</p>\n", PLOTS[i][0]);
    fputs("<h2>Runs</h2>\n", f);
    html_from_md(f, runs);
    fputs("</body></html>\n", f);
out:
    if (f != NULL && close_checked(f) != 0 && rc == 0)
        rc = -SIM_EIO;
    free(tables);
    free(scen);
    free(runs);
    return rc;
}

static void json_stats(cJSON *o, const char *name, const sim_exp_stats *s)
{
    cJSON *x = cJSON_AddObjectToObject(o, name);
    cJSON_AddNumberToObject(x, "n", (double)s->n);
    cJSON_AddNumberToObject(x, "p50", s->p50);
    cJSON_AddNumberToObject(x, "p90", s->p90);
    cJSON_AddNumberToObject(x, "p99", s->p99);
    cJSON_AddNumberToObject(x, "max", s->max);
}

static int write_json(const char *dir, const sim_exp_report *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "experiment", r->exp->name);
    cJSON_AddNumberToObject(doc, "seeds", r->seeds);
    cJSON *vs = cJSON_AddArrayToObject(doc, "variants");
    for (size_t i = 0; i < r->nvariants; i++) {
        const sim_exp_variant_result *vr = &r->variants[i];
        cJSON *v = cJSON_CreateObject();
        cJSON_AddItemToArray(vs, v);
        cJSON_AddStringToObject(v, "name", vr->variant->name);
        json_stats(v, "post_ms", &vr->post_ms);
        json_stats(v, "fanout_s", &vr->fanout_s);
        json_stats(v, "feed_page_ms", &vr->feed_ms);
        cJSON_AddNumberToObject(v, "fanout_incomplete", vr->fanout_incomplete);
        cJSON_AddNumberToObject(v, "feed_throttled_writes", (double)vr->feed_throttled_writes);
        cJSON_AddNumberToObject(v, "ddb_throttled", (double)vr->ddb_throttled);
        cJSON_AddNumberToObject(v, "lambda_throttles", (double)vr->lambda_throttles);
        cJSON_AddNumberToObject(v, "lambda_errors", (double)vr->lambda_errors);
        cJSON_AddNumberToObject(v, "lambda_timeouts", (double)vr->lambda_timeouts);
        cJSON_AddNumberToObject(v, "dlq_messages", (double)vr->dlq_messages);
        cJSON *runs = cJSON_AddArrayToObject(v, "runs");
        for (int s = 0; s < vr->nruns; s++) {
            const sim_exp_run *run = &vr->runs[s];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(runs, o);
            cJSON_AddNumberToObject(o, "seed", (double)run->seed);
            cJSON_AddItemToObject(o, "post_ms", cJSON_CreateDoubleArray(run->post_ms, run->nposts));
            cJSON_AddItemToObject(o, "fanout_s",
                                  cJSON_CreateDoubleArray(run->fanout_s, run->nposts));
            cJSON_AddItemToObject(o, "feed_page_ms",
                                  cJSON_CreateDoubleArray(run->feed_ms, run->nreads));
            cJSON_AddStringToObject(o, "trace_digest", run->digest);
            cJSON_AddNumberToObject(o, "trace_events", (double)run->trace_events);
            if (run->error[0])
                cJSON_AddStringToObject(o, "error", run->error);
        }
    }
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (text == NULL)
        return -SIM_ENOMEM;
    FILE *f = open_in(dir, "summary.json", "w");
    if (f == NULL) {
        cJSON_free(text);
        return -SIM_EIO;
    }
    fprintf(f, "%s\n", text);
    cJSON_free(text);
    return close_checked(f);
}

int sim_exp_report_write(const sim_exp_report *r, const char *dir, int plots, FILE *errout)
{
    int rc = mkdir_p(dir);
    if (rc != 0) {
        fprintf(errout, "stratus: experiment: cannot create %s: %s\n", dir, strerror(errno));
        return rc;
    }
    for (size_t i = 0; i < r->nvariants && rc == 0; i++) {
        rc = write_cdf(dir, i, &r->variants[i]);
        for (int s = 0; s < r->variants[i].nruns && rc == 0; s++)
            rc = write_series(dir, i, &r->variants[i].runs[s]);
    }
    int plotted = 0;
    if (rc == 0 && plots && r->nvariants > 0 && r->variants[0].nruns > 0 &&
        (rc = write_gnuplot(dir, r)) == 0)
        plotted = run_gnuplot(dir, errout) == 0;
    if (rc == 0)
        rc = write_json(dir, r);
    if (rc == 0)
        rc = write_md(dir, r, plotted);
    if (rc == 0)
        rc = write_html(dir, r, plotted);
    if (rc != 0)
        fprintf(errout, "stratus: experiment: cannot write the report in %s: %s\n", dir,
                sim_strerror(rc));
    return rc;
}

/* ================================================================ main ==== */

int sim_experiment_main(const char *path, const char *out_dir, int seeds,
                        const lambda_handler_def *handlers)
{
    sim_experiment *e = NULL;
    int rc = sim_experiment_load(path, stderr, &e);
    if (rc != 0)
        return 2;
    char dir[4096];
    if (out_dir != NULL)
        snprintf(dir, sizeof dir, "%s", out_dir);
    else
        snprintf(dir, sizeof dir, "build/experiments/%s", e->name);
    sim_exp_options opt = { .handlers = handlers,
                            .seeds = seeds,
                            .log_level = SIM_LOG_ERROR, /* the report counts errors */
                            .log_out = stderr,
                            .progress = stderr };
    sim_time_us wall0 = sim_clock_wall_us();
    sim_exp_report *r = NULL;
    rc = sim_experiment_run(e, &opt, &r);
    if (rc != 0) {
        fprintf(stderr, "stratus: experiment %s failed: %s\n", e->name, sim_strerror(rc));
        sim_experiment_destroy(e);
        return rc == -SIM_ECONFIG ? 2 : 1;
    }
    sim_time_us wall1 = sim_clock_wall_us();
    rc = sim_exp_report_write(r, dir, 1, stderr);
    sim_time_us wall2 = sim_clock_wall_us();
    printf("experiment %s: %zu variants x %d seeds\n\n", e->name, r->nvariants, r->seeds);
    md_tables(stdout, r);
    if (r->error[0])
        fprintf(stderr, "stratus: experiment: a run reported: %s\n", r->error);
    fprintf(stderr,
            "stratus: experiment %s: %zu runs in %.2f s of wall time, report %.2f s; "
            "report: %s/report.html\n",
            e->name, r->nvariants * (size_t)r->seeds, (double)(wall1 - wall0) / 1e6,
            (double)(wall2 - wall1) / 1e6, dir);
    int status = rc == 0 && r->error[0] == '\0' ? 0 : 1;
    sim_exp_report_destroy(r);
    sim_experiment_destroy(e);
    return status;
}
