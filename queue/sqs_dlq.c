/* sqs_dlq.c - dead-letter queues: the RedrivePolicy attribute (validation and normal form),
 * the move of a message received too often, and ListDeadLetterSourceQueues.
 * Source: Developer Guide "Using dead-letter queues in Amazon SQS" (a message whose
 * ReceiveCount exceeds maxReceiveCount is moved on its next receive; the enqueue timestamp
 * is unchanged); API_SetQueueAttributes (RedrivePolicy). */
#include "queue/sqs_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqs__redrive_parse(const sqs_service *svc, const char *text, sim_reply *r, char **out_json,
                       char **out_arn, int *out_max)
{
    char why[160];
    int rc = 1;
    cJSON *p = cJSON_Parse(text), *norm = NULL;
    char *json = NULL, *arn = NULL;
    if (!cJSON_IsObject(p)) {
        snprintf(why, sizeof why, "Redrive policy is not a valid JSON map.");
        goto bad;
    }
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "deadLetterTargetArn");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "maxReceiveCount");
    const char *missing = !cJSON_IsString(a) ? "deadLetterTargetArn"
                          : (c == NULL)      ? "maxReceiveCount"
                                             : NULL;
    if (missing != NULL) {
        snprintf(why, sizeof why, "Redrive policy does not contain mandatory attribute: %s.",
                 missing);
        goto bad;
    }
    long max = -1;
    char shown[64] = "";
    if (cJSON_IsNumber(c)) {
        snprintf(shown, sizeof shown, "%g", c->valuedouble);
        if (c->valuedouble == floor(c->valuedouble) && fabs(c->valuedouble) < 1e9)
            max = (long)c->valuedouble;
    } else if (cJSON_IsString(c)) {
        snprintf(shown, sizeof shown, "%s", c->valuestring);
        char *end = NULL;
        errno = 0;
        long v = strtol(c->valuestring, &end, 10);
        if (c->valuestring[0] != '\0' && *end == '\0' && errno == 0)
            max = v;
    }
    if (max < 1 || max > SQS_MAX_RECEIVE_MAX) {
        snprintf(why, sizeof why,
                 "Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both "
                 "inclusive.",
                 shown);
        goto bad;
    }
    if (sqs__queue_by_arn(svc, a->valuestring) == NULL) {
        snprintf(why, sizeof why, "Dead letter target does not exist.");
        goto bad;
    }
    rc = -SIM_ENOMEM;
    if ((norm = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(norm, "deadLetterTargetArn", a->valuestring) == NULL ||
        cJSON_AddNumberToObject(norm, "maxReceiveCount", (double)max) == NULL ||
        (json = cJSON_PrintUnformatted(norm)) == NULL || (arn = strdup(a->valuestring)) == NULL)
        goto out;
    /* cJSON_free and free agree under the default hooks; copy to be independent of them. */
    *out_json = strdup(json);
    if (*out_json == NULL)
        goto out;
    *out_arn = arn;
    arn = NULL;
    *out_max = (int)max;
    rc = 0;
    goto out;
bad:
    sim_reply_err(r, 400, "InvalidParameterValue",
                  "Value %s for parameter RedrivePolicy is invalid. Reason: %s", text, why);
out:
    cJSON_Delete(p);
    cJSON_Delete(norm);
    if (json != NULL)
        cJSON_free(json);
    free(arn);
    return rc;
}

int sqs__dlq_move(sqs_queue *q, sqs_msg *m)
{
    if (q->dlq_arn == NULL || m->receive_count < q->max_receive)
        return 0;
    sqs_queue *dlq = sqs__queue_by_arn(q->svc, q->dlq_arn);
    if (dlq == NULL || dlq == q)
        return 0; /* target deleted since: the message stays */
    char *src = strdup(q->arn);
    if (src == NULL)
        return -SIM_ENOMEM;
    uint64_t old_seq = m->seq;
    m->seq = dlq->next_seq;
    if (sqs__store_push(dlq, m) != 0) {
        m->seq = old_seq;
        free(src);
        return -SIM_ENOMEM;
    }
    dlq->next_seq++;
    dlq->ledger.moved_in++;
    free(m->dlq_source_arn);
    m->dlq_source_arn = src;
    /* A fresh start in the dead-letter queue: receivable now, not yet received there. The
     * id, body, attributes and SentTimestamp are kept. */
    m->receive_count = 0;
    m->first_recv_us = m->recv_us = -1;
    m->visible_at_us = sim_sched_now(q->svc->sched);
    sqs__store_update(dlq, m);
    sim_log_write(q->svc->log, SIM_LOG_DEBUG, "sqs", NULL, "message %s moved from %s to %s", m->id,
                  q->name, dlq->name);
    sqs__wait_kick(dlq);
    return 1;
}

int sqs__op_list_dlq_sources(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL)
        return 0;
    cJSON *body = cJSON_CreateObject();
    cJSON *urls = cJSON_AddArrayToObject(body, "queueUrls");
    if (urls == NULL)
        goto nomem;
    for (int i = 0; i < svc->nqueues; i++) {
        const sqs_queue *s = svc->queues[i];
        if (s->dlq_arn == NULL || strcmp(s->dlq_arn, q->arn) != 0)
            continue;
        cJSON *u = cJSON_CreateString(s->url);
        if (u == NULL)
            goto nomem;
        cJSON_AddItemToArray(urls, u);
    }
    sim_reply_ok(r, body);
    return 0;
nomem:
    cJSON_Delete(body);
    sqs__reply_nomem(r);
    return 0;
}
