/* sim_sweep.c - one seed of the sweep: scenario and invariant checkers. */
#include "sim_sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/tw.h"
#include "sim/core/sim_err.h"
#include "sim/sim_check.h"
#include "sim/sim_world.h"

#define DRAIN_LIMIT_US (900 * SIM_S)

typedef struct waiter {
    int done, failed;
    cJSON *payload;
} waiter;

static void on_done(void *arg, lambda_result *res)
{
    waiter *w = arg;
    w->done = 1;
    w->failed = res->function_error;
    w->payload = res->payload;
    res->payload = NULL;
}

/* Invoke fn from the client's region and run virtual time until it answers. The
 * payload is the caller's (NULL if none); *failed set. */
static cJSON *invoke(sim_world *w, const char *fn, cJSON *event, int *failed)
{
    waiter wt = { 0 };
    if (lambda_invoke(w->lambda, fn, event, w->cfg->client_region, on_done, &wt) != 0) {
        cJSON_Delete(event);
        *failed = 1;
        return NULL;
    }
    while (!wt.done && sim_sched_run_until_idle(&w->sched, 1) == 1)
        ;
    *failed = !wt.done || wt.failed;
    return wt.payload;
}

static void on_sqs(void *arg, sim_reply *r)
{
    sim_reply_move(arg, r);
}

/* Messages visible + in flight in queue (observer: no latency). -1 on error. */
static long queue_depth(sim_world *w, const char *queue)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "QueueUrl", queue);
    cJSON *names = cJSON_AddArrayToObject(req, "AttributeNames");
    cJSON_AddItemToArray(names, cJSON_CreateString("All"));
    sim_reply r;
    sim_reply_init(&r);
    sqs_call(w->sqs, "GetQueueAttributes", req, on_sqs, &r);
    cJSON_Delete(req);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r.body, "Attributes");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "ApproximateNumberOfMessages");
    const cJSON *nv = cJSON_GetObjectItemCaseSensitive(a, "ApproximateNumberOfMessagesNotVisible");
    long n = cJSON_IsString(v) && cJSON_IsString(nv) ? atol(v->valuestring) + atol(nv->valuestring)
                                                     : -1;
    sim_reply_release(&r);
    return n;
}

/* Count feed rows per post key; report the first discrepancy in out->why. */
static void check_feeds(sim_world *w, const sim_sweep_opts *o, char (*keys)[64],
                        const int *must, int nkeys, sim_sweep_result *out)
{
    long *per_post = calloc((size_t)(nkeys ? nkeys : 1), sizeof *per_post);
    long stray = 0, rows = 0;
    cJSON *start = NULL;
    do {
        cJSON *req = cJSON_CreateObject();
        cJSON_AddStringToObject(req, "TableName", "feed");
        if (start)
            cJSON_AddItemToObject(req, "ExclusiveStartKey", start);
        start = NULL;
        sim_reply r;
        sim_reply_init(&r);
        ddb_call(w->ddb, "Scan", req, &r);
        cJSON_Delete(req);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.body, "Items"))
        {
            const cJSON *ta = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(it, "time_alias"), "S");
            int k;
            for (k = 0; k < nkeys; k++)
                if (cJSON_IsString(ta) && strcmp(ta->valuestring, keys[k]) == 0)
                    break;
            if (k < nkeys)
                per_post[k]++;
            else
                stray++;
            rows++;
        }
        start = cJSON_DetachItemFromObjectCaseSensitive(r.body, "LastEvaluatedKey");
        sim_reply_release(&r);
    } while (start != NULL);
    out->feed_rows = rows;
    for (int k = 0; k < nkeys && out->ok; k++)
        if (per_post[k] != o->users && (must[k] || per_post[k] != 0)) {
            out->ok = 0;
            snprintf(out->why, sizeof out->why,
                     "post %d (%s) is in %ld of %ld feeds: %s", k + 1, keys[k], per_post[k],
                     o->users, per_post[k] < o->users ? "lost feed writes" : "duplicates");
        }
    if (out->ok && stray > 0) {
        out->ok = 0;
        snprintf(out->why, sizeof out->why, "%ld feed rows belong to no post", stray);
    }
    free(per_post);
}

/* Capacity counters of every table and GSI, in config order. */
typedef struct cap_snapshot {
    ddb_table_counters t[16];
    size_t n;
} cap_snapshot;

static void cap_take(sim_world *w, cap_snapshot *s)
{
    s->n = 0;
    for (size_t i = 0; i < w->cfg->ntables && i < 16; i++, s->n++)
        if (ddb_table_stats(w->ddb, w->cfg->tables[i].name, &s->t[i]) != 0)
            memset(&s->t[i], 0, sizeof s->t[i]);
}

/* Invariant 3: over [a, b], no provisioned table or GSI consumed more than its rate for
 * that time plus a full burst (300 s of the rate) plus one request's overdraft (a request
 * is admitted while the balance is positive and then charged in full). Rates are the
 * configured ones: the scenario does not change them. */
static void check_capacity(sim_world *w, const cap_snapshot *a, const cap_snapshot *b,
                           double seconds, sim_sweep_result *out)
{
    const double slack = 256; /* units: a 1 MB page of reads, or 25 writes of 10 KB */
    for (size_t i = 0; i < a->n && out->ok; i++) {
        const sim_cfg_table *t = &w->cfg->tables[i];
        if (t->on_demand)
            continue;
        for (int g = -1; g < a->t[i].ngsi && out->ok; g++) {
            const ddb_store_counters *x = g < 0 ? &a->t[i].table : &a->t[i].gsi[g];
            const ddb_store_counters *y = g < 0 ? &b->t[i].table : &b->t[i].gsi[g];
            int64_t rcu = g < 0 ? t->rcu : t->gsis[g].rcu, wcu = g < 0 ? t->wcu : t->gsis[g].wcu;
            double used_r = (double)(y->consumed_rcu_mu - x->consumed_rcu_mu) / 1000.0;
            double used_w = (double)(y->consumed_wcu_mu - x->consumed_wcu_mu) / 1000.0;
            double max_r = (double)rcu * (seconds + 300) + slack;
            double max_w = (double)wcu * (seconds + 300) + slack;
            if (used_r > max_r || used_w > max_w) {
                out->ok = 0;
                snprintf(out->why, sizeof out->why,
                         "%s%s%s consumed %.0f RCU / %.0f WCU in %.1f s: more than provisioned "
                         "plus burst (%.0f / %.0f)",
                         t->name, g < 0 ? "" : "/", g < 0 ? "" : t->gsis[g].name, used_r, used_w,
                         seconds, max_r, max_w);
            }
        }
    }
}

static int load_config(const sim_sweep_opts *o, sim_config **out)
{
    sim_config *cfg = NULL;
    int rc = sim_config_load(o->config_path, stderr, &cfg);
    if (rc == 0 && o->faults_path)
        rc = sim_config_merge(cfg, o->faults_path, stderr);
    for (const char *const *ov = o->overrides; rc == 0 && ov && *ov; ov++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", *ov);
        char *k = strchr(buf, '|');
        char *v = k ? strchr(k + 1, '|') : NULL;
        if (!k || !v) {
            fprintf(stderr, "stratus: bad --set '%s' (want section|key|value)\n", *ov);
            rc = -SIM_ECONFIG;
            break;
        }
        *k++ = '\0';
        *v++ = '\0';
        rc = sim_config_set(cfg, buf, k, v, stderr);
    }
    if (rc == 0)
        rc = sim_config_check(cfg, stderr);
    if (rc != 0) {
        sim_config_destroy(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

int sim_sweep_one(const sim_sweep_opts *o, uint64_t seed, sim_sweep_result *out)
{
    memset(out, 0, sizeof *out);
    out->ok = 1;
    sim_config *cfg = NULL;
    int rc = load_config(o, &cfg);
    if (rc)
        return rc;
    sim_world_options wopt = { .seed = seed,
                               .virtual_time = 1,
                               .endpoint_url = "http://127.0.0.1:4566",
                               .handlers = tw_handlers,
                               .log_out = stderr,
                               .log_level = SIM_LOG_ERROR,
                               .latency_scale = 1.0 };
    sim_world *w = NULL;
    if ((rc = sim_world_create(cfg, &wopt, &w)) != 0)
        return rc;
    w->svc.faults = NULL; /* setup is not under test */
    if ((rc = sim_check_populate_virtual(w, o->users)) != 0) {
        sim_world_destroy(w);
        return rc;
    }
    w->svc.faults = &w->faults;
    cap_snapshot *cap0 = calloc(2, sizeof *cap0), *cap1 = cap0 ? cap0 + 1 : NULL;
    if (cap0 == NULL) {
        sim_world_destroy(w);
        return -SIM_ENOMEM;
    }
    cap_take(w, cap0);
    sim_time_us t_cap0 = sim_now_us(w);
    int failed = 0;
    cJSON *login = invoke(w, "tweeterLoginUser",
                          cJSON_Parse("{\"alias\":\"@daisy\",\"password\":\"password\"}"), &failed);
    for (int attempt = 0; failed && attempt < 5; attempt++) {
        cJSON_Delete(login);
        sim_sched_run_for(&w->sched, SIM_S);
        login = invoke(w, "tweeterLoginUser",
                       cJSON_Parse("{\"alias\":\"@daisy\",\"password\":\"password\"}"), &failed);
    }
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(login, "authToken"), "token");
    if (failed || !cJSON_IsString(tok)) {
        out->ok = 0;
        snprintf(out->why, sizeof out->why, "could not log in as @daisy");
        cJSON_Delete(login);
        goto done;
    }
    int nposts = o->posts > 0 ? o->posts : 1;
    char (*keys)[64] = calloc((size_t)nposts, sizeof *keys);
    int *must = calloc((size_t)nposts, sizeof *must);
    sim_time_us first = sim_now_us(w);
    for (int p = 0; p < nposts; p++) {
        int64_t ts = sim_clock_epoch_us(&w->clock, sim_now_us(w)) / 1000;
        int ok = 0;
        for (int attempt = 0; attempt < 4 && !ok; attempt++) {
            cJSON *ev = cJSON_CreateObject();
            cJSON_AddStringToObject(ev, "token", tok->valuestring);
            cJSON *st = cJSON_AddObjectToObject(ev, "newStatus");
            char text[64];
            snprintf(text, sizeof text, "sweep post %d", p + 1);
            cJSON_AddStringToObject(st, "post", text);
            cJSON_AddItemToObject(st, "user",
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(login, "user"), 1));
            cJSON_AddNumberToObject(st, "timestamp", (double)ts);
            cJSON_Delete(invoke(w, "tweeterPostStatus", ev, &failed));
            ok = !failed;
        }
        /* A post the client saw fail may still have fanned out (its message is sent in
         * parallel with the story write): then it must reach all feeds, or none. */
        tw_feed_key(ts, "@daisy", keys[p], sizeof keys[p]);
        must[p] = ok;
        out->posts_ok += ok;
        sim_sched_run_for(&w->sched, SIM_S);
    }
    cJSON_Delete(login);
    /* Drain: both work queues empty and nothing in flight, checked each second. */
    for (;;) {
        lambda_stats ls;
        lambda_service_stats(w->lambda, &ls);
        long a = queue_depth(w, "tweeter-post-status"), b = queue_depth(w, "tweeter-update-feed");
        if (a == 0 && b == 0 && ls.in_flight == 0)
            break;
        if (sim_now_us(w) - first > DRAIN_LIMIT_US) {
            out->ok = 0;
            snprintf(out->why, sizeof out->why,
                     "queues did not drain in %d s: post-status %ld, update-feed %ld, %d "
                     "invocations in flight",
                     (int)(DRAIN_LIMIT_US / SIM_S), a, b, ls.in_flight);
            break;
        }
        sim_sched_run_for(&w->sched, SIM_S);
    }
    out->drain_s = (double)(sim_now_us(w) - first) / 1e6;
    out->expected_rows = (long)out->posts_ok * o->users;
    cap_take(w, cap1); /* before the checkers read anything */
    if (out->ok)
        check_feeds(w, o, keys, must, nposts, out);
    if (out->ok)
        check_capacity(w, cap0, cap1, (double)(sim_now_us(w) - t_cap0) / 1e6, out);
    /* No message vanished: every one sent or redriven in was deleted, expired, moved to
     * its DLQ, purged, or is still held. */
    for (size_t i = 0; out->ok && i < w->cfg->nqueues; i++) {
        sqs_queue_ledger l;
        long held = 0;
        if (sqs_queue_audit(w->sqs, w->cfg->queues[i].name, &l, &held) != 0)
            continue;
        uint64_t in = l.sent + l.moved_in;
        uint64_t out_n = l.deleted + l.expired + l.moved_out + l.purged + (uint64_t)held;
        if (in != out_n) {
            out->ok = 0;
            snprintf(out->why, sizeof out->why,
                     "queue %s lost messages: %llu in (sent %llu, redriven %llu) but %llu "
                     "accounted for (deleted %llu, expired %llu, dead-lettered %llu, purged "
                     "%llu, held %ld)",
                     w->cfg->queues[i].name, (unsigned long long)in, (unsigned long long)l.sent,
                     (unsigned long long)l.moved_in, (unsigned long long)out_n,
                     (unsigned long long)l.deleted, (unsigned long long)l.expired,
                     (unsigned long long)l.moved_out, (unsigned long long)l.purged, held);
        }
    }
    long dlq1 = queue_depth(w, "tweeter-post-status-dlq"), dlq2 = queue_depth(w, "tweeter-update-feed-dlq");
    if (out->ok && (dlq1 > 0 || dlq2 > 0)) {
        out->ok = 0;
        snprintf(out->why, sizeof out->why, "dead-letter queues hold %ld + %ld messages", dlq1, dlq2);
    }
    free(keys);
    free(must);
done:
    free(cap0);
    out->faults = w->faults.injected;
    sim_world_trace_digest(w, out->digest);
    sim_world_destroy(w);
    return 0;
}
