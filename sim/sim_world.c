/* sim_world.c - building and tearing down the world: services in a fixed order, the
 * resources of regions.conf provisioned through the services' own APIs, and shutdown in
 * the order that lets every fiber unwind. */
#include "sim_world.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "sim/sim_version.h"

sim_time_us sim_now_us(const sim_world *w)
{
    return sim_sched_now(&w->sched);
}

/* CreateTable for one [table], as a user would send it. */
static cJSON *create_table_request(const sim_cfg_table *t)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "TableName", t->name);
    cJSON *defs = cJSON_AddArrayToObject(req, "AttributeDefinitions");
    cJSON *ks = cJSON_AddArrayToObject(req, "KeySchema");
    /* Attribute definitions: each key attribute once. */
    const char *names[16], *types[16];
    int n = 0;
#define DEF(nm, ty)                                                                               \
    do {                                                                                          \
        int seen_ = 0;                                                                            \
        for (int k_ = 0; k_ < n; k_++)                                                            \
            seen_ |= strcmp(names[k_], (nm)) == 0;                                                \
        if (!seen_ && n < 16) {                                                                   \
            names[n] = (nm);                                                                      \
            types[n++] = (ty);                                                                    \
        }                                                                                         \
    } while (0)
    DEF(t->pk, t->pk_type);
    if (t->sk)
        DEF(t->sk, t->sk_type);
    for (size_t i = 0; i < t->ngsis; i++) {
        DEF(t->gsis[i].pk, t->gsis[i].pk_type);
        if (t->gsis[i].sk)
            DEF(t->gsis[i].sk, t->gsis[i].sk_type);
    }
#undef DEF
    for (int i = 0; i < n; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "AttributeName", names[i]);
        cJSON_AddStringToObject(d, "AttributeType", types[i]);
        cJSON_AddItemToArray(defs, d);
    }
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "AttributeName", t->pk);
    cJSON_AddStringToObject(k, "KeyType", "HASH");
    cJSON_AddItemToArray(ks, k);
    if (t->sk) {
        k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "AttributeName", t->sk);
        cJSON_AddStringToObject(k, "KeyType", "RANGE");
        cJSON_AddItemToArray(ks, k);
    }
    if (t->on_demand) {
        cJSON_AddStringToObject(req, "BillingMode", "PAY_PER_REQUEST");
    } else {
        cJSON *pt = cJSON_AddObjectToObject(req, "ProvisionedThroughput");
        cJSON_AddNumberToObject(pt, "ReadCapacityUnits", (double)t->rcu);
        cJSON_AddNumberToObject(pt, "WriteCapacityUnits", (double)t->wcu);
    }
    if (t->ngsis) {
        cJSON *gsis = cJSON_AddArrayToObject(req, "GlobalSecondaryIndexes");
        for (size_t i = 0; i < t->ngsis; i++) {
            const sim_cfg_gsi *g = &t->gsis[i];
            cJSON *gi = cJSON_CreateObject();
            cJSON_AddStringToObject(gi, "IndexName", g->name);
            cJSON *gks = cJSON_AddArrayToObject(gi, "KeySchema");
            cJSON *gk = cJSON_CreateObject();
            cJSON_AddStringToObject(gk, "AttributeName", g->pk);
            cJSON_AddStringToObject(gk, "KeyType", "HASH");
            cJSON_AddItemToArray(gks, gk);
            if (g->sk) {
                gk = cJSON_CreateObject();
                cJSON_AddStringToObject(gk, "AttributeName", g->sk);
                cJSON_AddStringToObject(gk, "KeyType", "RANGE");
                cJSON_AddItemToArray(gks, gk);
            }
            cJSON *proj = cJSON_AddObjectToObject(gi, "Projection");
            cJSON_AddStringToObject(proj, "ProjectionType", "ALL");
            if (!t->on_demand) {
                cJSON *gpt = cJSON_AddObjectToObject(gi, "ProvisionedThroughput");
                cJSON_AddNumberToObject(gpt, "ReadCapacityUnits", (double)g->rcu);
                cJSON_AddNumberToObject(gpt, "WriteCapacityUnits", (double)g->wcu);
            }
            cJSON_AddItemToArray(gsis, gi);
        }
    }
    return req;
}

/* A table kept in --data from an earlier run takes regions.conf's throughput (and its
 * GSIs'): UpdateTable, as a user would. "Will not change" answers are expected. */
static void apply_throughput(sim_world *w, const sim_cfg_table *t)
{
    if (t->on_demand)
        return;
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "TableName", t->name);
    cJSON *pt = cJSON_AddObjectToObject(req, "ProvisionedThroughput");
    cJSON_AddNumberToObject(pt, "ReadCapacityUnits", (double)t->rcu);
    cJSON_AddNumberToObject(pt, "WriteCapacityUnits", (double)t->wcu);
    sim_reply r;
    sim_reply_init(&r);
    ddb_call(w->ddb, "UpdateTable", req, &r);
    sim_reply_release(&r);
    for (size_t i = 0; i < t->ngsis; i++) {
        sim_reply_init(&r);
        cJSON_DeleteItemFromObjectCaseSensitive(req, "ProvisionedThroughput");
        cJSON_DeleteItemFromObjectCaseSensitive(req, "GlobalSecondaryIndexUpdates");
        cJSON *ups = cJSON_AddArrayToObject(req, "GlobalSecondaryIndexUpdates");
        cJSON *up = cJSON_CreateObject();
        cJSON *u = cJSON_AddObjectToObject(up, "Update");
        cJSON_AddStringToObject(u, "IndexName", t->gsis[i].name);
        cJSON *gpt = cJSON_AddObjectToObject(u, "ProvisionedThroughput");
        cJSON_AddNumberToObject(gpt, "ReadCapacityUnits", (double)t->gsis[i].rcu);
        cJSON_AddNumberToObject(gpt, "WriteCapacityUnits", (double)t->gsis[i].wcu);
        cJSON_AddItemToArray(ups, up);
        ddb_call(w->ddb, "UpdateTable", req, &r);
        sim_reply_release(&r);
    }
    cJSON_Delete(req);
}

static int provision_tables(sim_world *w)
{
    for (size_t i = 0; i < w->cfg->ntables; i++) {
        cJSON *req = create_table_request(&w->cfg->tables[i]);
        sim_reply r;
        sim_reply_init(&r);
        int rc = req ? ddb_call(w->ddb, "CreateTable", req, &r) : -SIM_ENOMEM;
        cJSON_Delete(req);
        if (rc == 0 && sim_reply_failed(&r) && strcmp(r.code, "ResourceInUseException") == 0)
            apply_throughput(w, &w->cfg->tables[i]);
        else if (rc == 0 && sim_reply_failed(&r)) {
            SIM_LOGE(&w->log, "world", "%s:%d: table %s: %s: %s", w->cfg->path,
                     w->cfg->tables[i].line, w->cfg->tables[i].name, r.code,
                     r.message ? r.message : "");
            rc = -SIM_ECONFIG;
        }
        sim_reply_release(&r);
        if (rc)
            return rc;
    }
    return 0;
}

/* A synchronous SQS call during provisioning (CreateQueue never waits). */
typedef struct sync_reply {
    sim_reply r;
    int done;
} sync_reply;

static void on_sync(void *arg, sim_reply *reply)
{
    sync_reply *s = arg;
    sim_reply_move(&s->r, reply);
    s->done = 1;
}

static int provision_queue(sim_world *w, const sim_cfg_queue *q)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "QueueName", q->name);
    cJSON *attrs = cJSON_AddObjectToObject(req, "Attributes");
    char buf[512];
    snprintf(buf, sizeof buf, "%lld", (long long)q->visibility_timeout_s);
    cJSON_AddStringToObject(attrs, "VisibilityTimeout", buf);
    snprintf(buf, sizeof buf, "%lld", (long long)q->message_retention_s);
    cJSON_AddStringToObject(attrs, "MessageRetentionPeriod", buf);
    snprintf(buf, sizeof buf, "%lld", (long long)q->delay_s);
    cJSON_AddStringToObject(attrs, "DelaySeconds", buf);
    if (q->dead_letter_queue) {
        int dr = sim_services_region_of(&w->svc, SIM_CALL_SQS, q->dead_letter_queue);
        snprintf(buf, sizeof buf,
                 "{\"deadLetterTargetArn\":\"arn:aws:sqs:%s:%s:%s\",\"maxReceiveCount\":%lld}",
                 w->cfg->regions[dr].name, w->cfg->account_id, q->dead_letter_queue,
                 (long long)q->max_receive_count);
        cJSON_AddStringToObject(attrs, "RedrivePolicy", buf);
    }
    sync_reply s = { .done = 0 };
    sim_reply_init(&s.r);
    sqs_call(w->sqs, "CreateQueue", req, on_sync, &s);
    cJSON_Delete(req);
    int rc = 0;
    if (!s.done || sim_reply_failed(&s.r)) {
        SIM_LOGE(&w->log, "world", "%s:%d: queue %s: %s: %s", w->cfg->path, q->line, q->name,
                 s.r.code, s.r.message ? s.r.message : "");
        rc = -SIM_ECONFIG;
    }
    sim_reply_release(&s.r);
    return rc;
}

static int provision_queues(sim_world *w)
{
    /* Dead-letter targets first, so redrive policies name existing queues. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < w->cfg->nqueues; i++) {
            const sim_cfg_queue *q = &w->cfg->queues[i];
            if ((q->dead_letter_queue != NULL) != pass)
                continue;
            int rc = provision_queue(w, q);
            if (rc)
                return rc;
        }
    return 0;
}

static int provision_buckets(sim_world *w)
{
    for (size_t i = 0; i < w->cfg->nbuckets; i++) {
        sim_reply r;
        sim_reply_init(&r);
        int rc = s3_bucket_create(w->s3, w->cfg->buckets[i].name, &r);
        if (rc == 0 && sim_reply_failed(&r) && strcmp(r.code, "BucketAlreadyOwnedByYou") != 0) {
            SIM_LOGE(&w->log, "world", "bucket %s: %s: %s", w->cfg->buckets[i].name, r.code,
                     r.message ? r.message : "");
            rc = -SIM_ECONFIG;
        }
        sim_reply_release(&r);
        if (rc)
            return rc;
    }
    return 0;
}

static char *data_file(const char *dir, const char *name)
{
    if (dir == NULL)
        return NULL;
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int sim_world_create(sim_config *cfg, const sim_world_options *opt, sim_world **out)
{
    sim_world *w = calloc(1, sizeof *w);
    if (w == NULL) {
        sim_config_destroy(cfg);
        return -SIM_ENOMEM;
    }
    w->created_wall_us = sim_clock_wall_us();
    w->cfg = cfg;
    if (opt->virtual_time)
        sim_clock_init_virtual(&w->clock);
    else
        sim_clock_init_real(&w->clock);
    sim_sched_init(&w->sched, &w->clock);
    sim_log_init(&w->log, opt->log_out ? opt->log_out : stderr, opt->log_level, &w->sched);
    w->seed = opt->seed;
    sim_rng_seed(&w->rng_root, opt->seed);
    if (sim_trace_init(&w->trace, opt->trace_out) != 0) {
        sim_config_destroy(cfg);
        free(w);
        return -SIM_ENOMEM;
    }
    sim_region_init(&w->region, cfg, &w->rng_root);
    w->region.scale = opt->latency_scale;
    sim_rng_fork(&w->rng_root, &w->rng_ddb);
    sim_rng_fork(&w->rng_root, &w->rng_sqs);
    snprintf(w->endpoint_url, sizeof w->endpoint_url, "%s",
             opt->endpoint_url ? opt->endpoint_url : "http://127.0.0.1:4566");
    const char *region0 = cfg->regions[cfg->default_region].name;
    char *ddb_path = data_file(opt->data_dir, "tables.sqlite");
    char *s3_path = data_file(opt->data_dir, "objects.sqlite");
    ddb_options dopt = { ddb_path, region0, cfg->account_id };
    sqs_options qopt = { region0, cfg->account_id, w->endpoint_url };
    s3_options sopt = { s3_path, region0 };
    int rc = ddb_service_create(&w->sched, &w->rng_ddb, &w->log, &dopt, &w->ddb);
    if (rc == 0)
        rc = sqs_service_create(&w->sched, &w->rng_sqs, &w->log, &qopt, &w->sqs);
    if (rc == 0)
        rc = s3_service_create(&w->sched, &w->log, &sopt, &w->s3);
    free(ddb_path);
    free(s3_path);
    w->svc = (sim_services){ .sched = &w->sched,
                             .log = &w->log,
                             .region = &w->region,
                             .cfg = cfg,
                             .ddb = w->ddb,
                             .sqs = w->sqs,
                             .s3 = w->s3,
                             .endpoint_url = w->endpoint_url,
                             .trace = &w->trace };
    if (rc == 0)
        rc = provision_tables(w);
    /* the tables of regions.conf exist when the world starts (ACTIVE); later changes take
     * the configured status delay */
    if (rc == 0) {
        ddb_service_set_status_delay(w->ddb, cfg->ddb_status_delay_us);
        if (cfg->ddb_ttl_sweep_us > 0)
            ddb_service_set_ttl_sweep(w->ddb, cfg->ddb_ttl_sweep_us);
        ddb_service_set_partition_limits(w->ddb, !cfg->ddb_partition_limits_off);
    }
    if (rc == 0)
        rc = provision_queues(w);
    if (rc == 0)
        rc = provision_buckets(w);
    if (rc == 0)
        rc = lambda_service_create(&w->svc, opt->handlers, &w->rng_root, &w->lambda);
    if (rc == 0)
        rc = apigw_create(&w->svc, w->lambda, &w->rng_root, &w->gateway);
    /* Forked last: adding faults shifts no other stream. Set before any event runs. */
    sim_faults_init(&w->faults, cfg, &w->rng_root, &w->trace);
    w->svc.faults = &w->faults;
    sim_rng_fork(&w->rng_root, &w->rng_retry);
    w->svc.retry_rng = &w->rng_retry;
    if (rc != 0) {
        SIM_LOGE(&w->log, "world", "cannot create the world: %s", sim_strerror(rc));
        sim_world_destroy(w);
        return rc;
    }
    *out = w;
    return 0;
}

void sim_world_stop(sim_world *w)
{
    if (w == NULL || w->svc.stopping)
        return;
    w->svc.stopping = 1;
    lambda_service_stop(w->lambda);
    if (w->sqs)
        sqs_service_cancel_waits(w->sqs);
}

void sim_world_destroy(sim_world *w)
{
    if (w == NULL)
        return;
    sim_world_stop(w);
    apigw_destroy(w->gateway);
    lambda_service_destroy(w->lambda);
    sim_services_drop_calls(&w->svc);
    sqs_service_destroy(w->sqs);
    s3_service_destroy(w->s3);
    ddb_service_destroy(w->ddb);
    sim_sched_release(&w->sched);
    sim_trace_release(&w->trace);
    sim_config_destroy(w->cfg);
    free(w);
}

void sim_world_trace_digest(const sim_world *w, char out[65])
{
    sim_trace_digest(&w->trace, out);
}

cJSON *sim_world_health(const sim_world *w)
{
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "status", w->svc.stopping  ? "stopping"
                                         : w->populating ? "populating"
                                                         : "running");
    cJSON_AddStringToObject(h, "version", STRATUS_VERSION);
    cJSON_AddStringToObject(h, "clock", w->clock.virtual_mode ? "virtual" : "real");
    cJSON_AddNumberToObject(h, "seed", (double)w->seed);
    cJSON_AddNumberToObject(h, "now_us", (double)sim_now_us(w));
    cJSON *s = cJSON_AddObjectToObject(h, "services");
    const char *running = w->svc.stopping ? "stopping" : "running";
    cJSON_AddStringToObject(s, "dynamodb", w->ddb ? running : "down");
    cJSON_AddStringToObject(s, "sqs", w->sqs ? running : "down");
    cJSON_AddStringToObject(s, "s3", w->s3 ? running : "down");
    cJSON_AddStringToObject(s, "lambda", w->lambda ? running : "down");
    cJSON_AddStringToObject(s, "apigateway", w->gateway ? running : "down");
    cJSON *c = cJSON_AddObjectToObject(h, "counts");
    cJSON_AddNumberToObject(c, "tables", w->ddb ? ddb_table_count(w->ddb) : 0);
    cJSON_AddNumberToObject(c, "queues", w->sqs ? sqs_queue_count(w->sqs) : 0);
    cJSON_AddNumberToObject(c, "buckets", w->s3 ? s3_bucket_count(w->s3) : 0);
    cJSON_AddNumberToObject(c, "functions", w->lambda ? lambda_function_count(w->lambda) : 0);
    if (w->lambda) {
        lambda_stats st;
        lambda_service_stats(w->lambda, &st);
        cJSON *l = cJSON_AddObjectToObject(h, "lambda");
        cJSON_AddNumberToObject(l, "invocations", (double)st.invocations);
        cJSON_AddNumberToObject(l, "errors", (double)st.errors);
        cJSON_AddNumberToObject(l, "throttles", (double)st.throttles);
        cJSON_AddNumberToObject(l, "cold_starts", (double)st.cold_starts);
        cJSON_AddNumberToObject(l, "timeouts", (double)st.timeouts);
        cJSON_AddNumberToObject(l, "in_flight", st.in_flight);
    }
    cJSON_AddNumberToObject(h, "events_dispatched", (double)w->sched.dispatched);
    cJSON_AddNumberToObject(h, "trace_events", (double)w->trace.events);
    cJSON_AddNumberToObject(h, "faults_injected", (double)w->faults.injected);
    char digest[65];
    sim_world_trace_digest(w, digest);
    cJSON_AddStringToObject(h, "trace_digest", digest);
    return h;
}
