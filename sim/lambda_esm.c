/* lambda_esm.c - SQS event source mappings: per mapping, MaximumConcurrency pollers, each
 * a fiber that long-polls the queue, invokes the function with an SQS event and deletes
 * what succeeded. Source: AWS Lambda developer guide, "Using Lambda with Amazon SQS"
 * (services-sqs-configure, services-sqs-errorhandling: ReportBatchItemFailures). */
#include "lambda_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"

typedef struct lambda_poller {
    sim_caller caller;        /* first: the poller's calls cross the region model */
    struct lambda_esm *esm;
    int invoking;             /* waiting for an invocation */
    int inv_done;
    lambda_result result;     /* the last invocation's outcome (payload owned) */
} lambda_poller;

struct lambda_esm {
    const sim_cfg_esm *cfg;   /* borrowed */
    lambda_service *ls;
    lambda_fn *fn;
    char queue_arn[256];
    lambda_poller *pollers;   /* owned, cfg->maximum_concurrency of them */
    int npollers;
    uint64_t batches, records, deleted, failed_batches;
};

/* Lambda's SQS record: SQS's message renamed to Lambda's lower-camel keys. */
static cJSON *make_record(const lambda_esm *esm, const cJSON *m)
{
    const sim_config *cfg = esm->ls->svc->cfg;
    cJSON *r = cJSON_CreateObject();
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(m, "MessageId")) && cJSON_IsString(v))
        cJSON_AddStringToObject(r, "messageId", v->valuestring);
    if ((v = cJSON_GetObjectItemCaseSensitive(m, "ReceiptHandle")) && cJSON_IsString(v))
        cJSON_AddStringToObject(r, "receiptHandle", v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(m, "Body");
    cJSON_AddStringToObject(r, "body", cJSON_IsString(v) ? v->valuestring : "");
    v = cJSON_GetObjectItemCaseSensitive(m, "Attributes");
    cJSON_AddItemToObject(r, "attributes",
                          v ? cJSON_Duplicate(v, 1) : cJSON_CreateObject());
    cJSON *mattrs = cJSON_CreateObject();
    const cJSON *ma = cJSON_GetObjectItemCaseSensitive(m, "MessageAttributes");
    for (const cJSON *a = ma ? ma->child : NULL; a; a = a->next) {
        cJSON *x = cJSON_CreateObject();
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(a, "StringValue");
        const cJSON *bv = cJSON_GetObjectItemCaseSensitive(a, "BinaryValue");
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(a, "DataType");
        if (cJSON_IsString(sv))
            cJSON_AddStringToObject(x, "stringValue", sv->valuestring);
        if (cJSON_IsString(bv))
            cJSON_AddStringToObject(x, "binaryValue", bv->valuestring);
        cJSON_AddItemToObject(x, "stringListValues", cJSON_CreateArray());
        cJSON_AddItemToObject(x, "binaryListValues", cJSON_CreateArray());
        cJSON_AddStringToObject(x, "dataType", cJSON_IsString(dt) ? dt->valuestring : "String");
        cJSON_AddItemToObject(mattrs, a->string, x);
    }
    cJSON_AddItemToObject(r, "messageAttributes", mattrs);
    if ((v = cJSON_GetObjectItemCaseSensitive(m, "MD5OfBody")) && cJSON_IsString(v))
        cJSON_AddStringToObject(r, "md5OfBody", v->valuestring);
    cJSON_AddStringToObject(r, "eventSource", "aws:sqs");
    cJSON_AddStringToObject(r, "eventSourceARN", esm->queue_arn);
    int qr = sim_services_region_of(esm->ls->svc, SIM_CALL_SQS, esm->cfg->queue);
    cJSON_AddStringToObject(r, "awsRegion", cfg->regions[qr].name);
    return r;
}

static void on_invoked(void *arg, lambda_result *res)
{
    lambda_poller *p = arg;
    p->result = *res;
    res->payload = NULL; /* taken */
    p->inv_done = 1;
    if (p->caller.blocked)
        sim_caller_resume(&p->caller);
}

/* Is messageId listed in the handler's {"batchItemFailures":[{"itemIdentifier":..}]}? */
static int listed_as_failed(const cJSON *failures, const char *id)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, failures)
    {
        const cJSON *iid = cJSON_GetObjectItemCaseSensitive(f, "itemIdentifier");
        if (cJSON_IsString(iid) && strcmp(iid->valuestring, id) == 0)
            return 1;
    }
    return 0;
}

/* Delete the successful messages of a batch, 10 per DeleteMessageBatch. */
static int delete_batch(lambda_poller *p, const cJSON *messages, const cJSON *failures)
{
    lambda_esm *esm = p->esm;
    cJSON *req = NULL;
    cJSON *entries = NULL;
    int n = 0, rc = 0;
    const cJSON *m = messages->child;
    while (m || n > 0) {
        if (m) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "MessageId");
            const cJSON *rh = cJSON_GetObjectItemCaseSensitive(m, "ReceiptHandle");
            if (cJSON_IsString(id) && cJSON_IsString(rh) &&
                !listed_as_failed(failures, id->valuestring)) {
                if (req == NULL) {
                    req = cJSON_CreateObject();
                    cJSON_AddStringToObject(req, "QueueUrl", esm->cfg->queue);
                    entries = cJSON_AddArrayToObject(req, "Entries");
                }
                cJSON *e = cJSON_CreateObject();
                char eid[16];
                snprintf(eid, sizeof eid, "m%d", n);
                cJSON_AddStringToObject(e, "Id", eid);
                cJSON_AddStringToObject(e, "ReceiptHandle", rh->valuestring);
                cJSON_AddItemToArray(entries, e);
                n++;
            }
            m = m->next;
        }
        if (n > 0 && (n == 10 || m == NULL)) {
            sim_reply r;
            sim_reply_init(&r);
            sim_call *call = sim_caller_start(&p->caller, SIM_CALL_SQS, "DeleteMessageBatch", req);
            rc = call ? sim_caller_await(&p->caller, call, &r) : -SIM_ENOMEM;
            if (rc == 0 && !sim_reply_failed(&r))
                esm->deleted += (uint64_t)n;
            sim_reply_release(&r);
            cJSON_Delete(req);
            req = NULL;
            n = 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

static void poller_body(void *arg)
{
    lambda_poller *p = arg;
    lambda_esm *esm = p->esm;
    lambda_service *ls = esm->ls;
    sim_log *log = ls->svc->log;
    int64_t max_msgs = esm->cfg->batch_size < 10 ? esm->cfg->batch_size : 10;
    while (!ls->stopping) {
        cJSON *req = cJSON_CreateObject();
        cJSON_AddStringToObject(req, "QueueUrl", esm->cfg->queue);
        cJSON_AddNumberToObject(req, "MaxNumberOfMessages", (double)max_msgs);
        cJSON_AddNumberToObject(req, "WaitTimeSeconds", 20);
        cJSON *names = cJSON_AddArrayToObject(req, "AttributeNames");
        cJSON_AddItemToArray(names, cJSON_CreateString("All"));
        cJSON *mnames = cJSON_AddArrayToObject(req, "MessageAttributeNames");
        cJSON_AddItemToArray(mnames, cJSON_CreateString("All"));
        sim_reply r;
        sim_reply_init(&r);
        sim_call *call = sim_caller_start(&p->caller, SIM_CALL_SQS, "ReceiveMessage", req);
        cJSON_Delete(req);
        int rc = call ? sim_caller_await(&p->caller, call, &r) : -SIM_ENOMEM;
        if (rc != 0)
            break;
        if (sim_reply_failed(&r)) {
            SIM_LOGW(log, "lambda.esm", "%s: ReceiveMessage failed: %s: %s", esm->cfg->name,
                     r.code, r.message ? r.message : "");
            sim_reply_release(&r);
            if (sim_caller_sleep(&p->caller, SIM_S))
                break;
            continue;
        }
        const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(r.body, "Messages");
        if (!cJSON_IsArray(msgs) || cJSON_GetArraySize(msgs) == 0) {
            sim_reply_release(&r);
            continue;
        }
        cJSON *event = cJSON_CreateObject();
        cJSON *records = cJSON_AddArrayToObject(event, "Records");
        const cJSON *m;
        cJSON_ArrayForEach(m, msgs) cJSON_AddItemToArray(records, make_record(esm, m));
        esm->batches++;
        esm->records += (uint64_t)cJSON_GetArraySize(msgs);
        p->inv_done = 0;
        rc = lambda_invoke(ls, esm->cfg->function, event, p->caller.region, on_invoked, p);
        if (rc != 0) {
            cJSON_Delete(event);
            sim_reply_release(&r);
            break;
        }
        while (!p->inv_done && rc == 0)
            rc = sim_caller_block(&p->caller);
        if (rc != 0) {
            sim_reply_release(&r);
            break;
        }
        const cJSON *failures = NULL;
        int delete_none = p->result.function_error;
        if (!delete_none && esm->cfg->report_batch_item_failures && p->result.payload) {
            failures = cJSON_GetObjectItemCaseSensitive(p->result.payload, "batchItemFailures");
            if (failures && !cJSON_IsArray(failures) && !cJSON_IsNull(failures))
                delete_none = 1; /* malformed response: AWS treats the batch as failed */
        }
        if (delete_none) {
            esm->failed_batches++;
            if (p->result.throttled && sim_caller_sleep(&p->caller, SIM_S)) {
                sim_reply_release(&r);
                break;
            }
        } else if (delete_batch(p, msgs, failures) != 0) {
            sim_reply_release(&r);
            break;
        }
        cJSON_Delete(p->result.payload);
        p->result.payload = NULL;
        sim_reply_release(&r);
    }
    cJSON_Delete(p->result.payload);
    p->result.payload = NULL;
}

int lambda__esm_start(lambda_service *ls)
{
    const sim_config *cfg = ls->svc->cfg;
    if (cfg->nesms == 0)
        return 0;
    ls->esms = calloc(cfg->nesms, sizeof *ls->esms);
    if (ls->esms == NULL)
        return -SIM_ENOMEM;
    for (size_t i = 0; i < cfg->nesms; i++) {
        lambda_esm *esm = &ls->esms[ls->nesms++];
        esm->cfg = &cfg->esms[i];
        esm->ls = ls;
        esm->fn = lambda__fn_find(ls, esm->cfg->function);
        int qr = sim_services_region_of(ls->svc, SIM_CALL_SQS, esm->cfg->queue);
        snprintf(esm->queue_arn, sizeof esm->queue_arn, "arn:aws:sqs:%s:%s:%s",
                 cfg->regions[qr].name, cfg->account_id, esm->cfg->queue);
        int n = (int)esm->cfg->maximum_concurrency;
        esm->pollers = calloc((size_t)n, sizeof *esm->pollers);
        if (esm->pollers == NULL || esm->fn == NULL)
            return -SIM_ENOMEM;
        for (int j = 0; j < n; j++) {
            lambda_poller *p = &esm->pollers[j];
            p->esm = esm;
            sim_caller_init(&p->caller, ls->svc, esm->fn->cfg->region);
            p->caller.request_id = esm->cfg->name;
            if (sim_fiber_create(poller_body, p, 0, &p->caller.fiber) != 0)
                return -SIM_ENOMEM;
            esm->npollers++;
        }
    }
    /* Start them once all exist: each runs until its first long poll. */
    for (int i = 0; i < ls->nesms; i++)
        for (int j = 0; j < ls->esms[i].npollers; j++)
            sim_caller_resume(&ls->esms[i].pollers[j].caller);
    return 0;
}

void lambda__esm_stop(lambda_service *ls)
{
    for (int i = 0; i < ls->nesms; i++)
        for (int j = 0; j < ls->esms[i].npollers; j++) {
            sim_caller *c = &ls->esms[i].pollers[j].caller;
            if (c->fiber && !sim_fiber_done(c->fiber) && c->blocked) {
                c->canceled = 1;
                sim_caller_interrupt(c);
            }
        }
}

void lambda__esm_free(lambda_service *ls)
{
    for (int i = 0; i < ls->nesms; i++) {
        lambda_esm *esm = &ls->esms[i];
        for (int j = 0; j < esm->npollers; j++) {
            lambda_poller *p = &esm->pollers[j];
            sim_timer_stop(ls->svc->sched, &p->caller.sleep_timer);
            sim_caller_orphan_calls(&p->caller, NULL);
            sim_fiber_destroy(p->caller.fiber);
            cJSON_Delete(p->result.payload);
        }
        free(esm->pollers);
    }
    free(ls->esms);
    ls->esms = NULL;
    ls->nesms = 0;
}
