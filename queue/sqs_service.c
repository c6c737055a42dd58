/* sqs_service.c - the queue registry and sqs_call dispatch: CreateQueue, GetQueueUrl,
 * ListQueues, DeleteQueue, PurgeQueue, Get/SetQueueAttributes, and the parameter helpers
 * the other files share. Messages live in sqs_queue.c, long polls in sqs_wait.c, the wire
 * protocols in sqs_json.c and sqs_query.c.
 * Source: Amazon SQS API Reference (API_CreateQueue, API_GetQueueAttributes,
 * API_SetQueueAttributes, API_ListQueues, API_PurgeQueue, API_DeleteQueue). */
#include "queue/sqs_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

/* ---------------------------------------------------------------- parameters ---- */

int sqs__req_str(const cJSON *obj, const char *name, int required, sim_reply *r, const char **out)
{
    const cJSON *it = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    if (it == NULL || cJSON_IsNull(it)) {
        if (required) {
            sim_reply_err(r, 400, "MissingParameter", "The request must contain the parameter %s.",
                          name);
            return -1;
        }
        *out = NULL;
        return 0;
    }
    if (!cJSON_IsString(it)) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value for parameter %s is invalid. Reason: Must be a string.", name);
        return -1;
    }
    *out = it->valuestring;
    return 0;
}

int sqs__req_int(const cJSON *obj, const char *name, int *out_present, long *out, sim_reply *r)
{
    const cJSON *it = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    *out_present = 0;
    if (it == NULL || cJSON_IsNull(it))
        return 0;
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d != floor(d) || d < (double)INT_MIN || d > (double)INT_MAX) {
            sim_reply_err(r, 400, "InvalidParameterValue",
                          "Value %g for parameter %s is invalid. Reason: Must be an integer.", d,
                          name);
            return -1;
        }
        *out = (long)d;
        *out_present = 1;
        return 0;
    }
    if (cJSON_IsString(it)) {
        const char *s = it->valuestring;
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (*s != '\0' && end != NULL && *end == '\0' && errno == 0 && v >= INT_MIN &&
            v <= INT_MAX) {
            *out = v;
            *out_present = 1;
            return 0;
        }
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value %s for parameter %s is invalid. Reason: Must be an integer.", s, name);
        return -1;
    }
    sim_reply_err(r, 400, "InvalidParameterValue",
                  "Value for parameter %s is invalid. Reason: Must be an integer.", name);
    return -1;
}

int64_t sqs__epoch_ms(const sqs_service *svc, sim_time_us t)
{
    return (int64_t)(sim_clock_epoch_us(svc->sched->clock, t) / 1000);
}

void sqs__reply_nomem(sim_reply *r)
{
    sim_reply_err(r, 500, "InternalFailure",
                  "The request processing has failed because of an unknown error, exception or "
                  "failure.");
}

/* ------------------------------------------------------------------ registry ---- */

/* Index of the first queue whose name is >= name (binary search). */
static int queue_lower_bound(const sqs_service *svc, const char *name)
{
    int lo = 0, hi = svc->nqueues;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(svc->queues[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

sqs_queue *sqs__queue_by_name(const sqs_service *svc, const char *name)
{
    int i = queue_lower_bound(svc, name);
    if (i < svc->nqueues && strcmp(svc->queues[i]->name, name) == 0)
        return svc->queues[i];
    return NULL;
}

sqs_queue *sqs__queue_by_arn(const sqs_service *svc, const char *arn)
{
    const char *colon = strrchr(arn, ':');
    if (colon == NULL)
        return NULL;
    sqs_queue *q = sqs__queue_by_name(svc, colon + 1);
    return (q != NULL && strcmp(q->arn, arn) == 0) ? q : NULL;
}

sqs_queue *sqs__queue_from_req(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const char *url = NULL;
    if (sqs__req_str(req, "QueueUrl", 1, r, &url) != 0)
        return NULL;
    /* The name is the last path segment, whatever the host (localhost, sqs.<region>...). */
    size_t len = strcspn(url, "?#");
    while (len > 0 && url[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && url[start - 1] != '/')
        start--;
    char name[96];
    sqs_queue *q = NULL;
    if (len - start > 0 && len - start < sizeof name) {
        memcpy(name, url + start, len - start);
        name[len - start] = '\0';
        q = sqs__queue_by_name(svc, name);
    }
    if (q == NULL)
        sim_reply_err(r, 400, "QueueDoesNotExist", "The specified queue does not exist.");
    return q;
}

/* Free q and its messages; its waiters must have been detached. */
static void queue_free(sqs_queue *q)
{
    if (q == NULL)
        return;
    sim_timer_stop(q->svc->sched, &q->wake);
    sqs__wait_free(sqs__wait_detach(q));
    sqs__store_release(q);
    free(q->name);
    free(q->arn);
    free(q->url);
    free(q->redrive_json);
    free(q->dlq_arn);
    cJSON_Delete(q->extra);
    free(q);
}

/* Concatenate n strings into a new one (owned), or NULL. */
static char *str_join(int n, ...)
{
    va_list ap;
    size_t len = 1;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        len += strlen(va_arg(ap, const char *));
    va_end(ap);
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        strcat(s, va_arg(ap, const char *));
    va_end(ap);
    return s;
}

/* A new queue with default attributes (not registered). NULL on ENOMEM. */
static sqs_queue *queue_new(sqs_service *svc, const char *name)
{
    sqs_queue *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->svc = svc;
    q->uid = ++svc->next_uid;
    sim_timer_init(&q->wake);
    q->name = strdup(name);
    q->arn = str_join(6, "arn:aws:sqs:", svc->region, ":", svc->account, ":", name);
    q->url = str_join(5, svc->endpoint, "/", svc->account, "/", name);
    q->extra = cJSON_CreateObject();
    if (q->name == NULL || q->arn == NULL || q->url == NULL || q->extra == NULL ||
        cJSON_AddStringToObject(q->extra, "SqsManagedSseEnabled", "true") == NULL) {
        queue_free(q);
        return NULL;
    }
    q->visibility_s = 30;
    q->max_msg_bytes = SQS_MAX_MSG_BYTES;
    q->retention_s = 345600;
    q->delay_s = 0;
    q->wait_s = 0;
    q->created_us = q->modified_us = sim_sched_now(svc->sched);
    q->purged_us = -1;
    return q;
}

/* -------------------------------------------------------------- attributes ---- */

enum { QA_INT, QA_STR, QA_BOOL, QA_REDRIVE, QA_RO, QA_FIFO_ONLY };

typedef struct qattr {
    const char *name;
    int kind;
    int min, max; /* QA_INT bounds */
} qattr;

/* Queue attributes in the order GetQueueAttributes(All) returns them. */
static const qattr QATTRS[] = {
    { "QueueArn", QA_RO, 0, 0 },
    { "ApproximateNumberOfMessages", QA_RO, 0, 0 },
    { "ApproximateNumberOfMessagesNotVisible", QA_RO, 0, 0 },
    { "ApproximateNumberOfMessagesDelayed", QA_RO, 0, 0 },
    { "CreatedTimestamp", QA_RO, 0, 0 },
    { "LastModifiedTimestamp", QA_RO, 0, 0 },
    { "VisibilityTimeout", QA_INT, 0, SQS_VIS_MAX_S },
    { "MaximumMessageSize", QA_INT, SQS_MIN_MSG_BYTES, SQS_MAX_MSG_BYTES },
    { "MessageRetentionPeriod", QA_INT, SQS_RETENTION_MIN_S, SQS_RETENTION_MAX_S },
    { "DelaySeconds", QA_INT, 0, SQS_DELAY_MAX_S },
    { "ReceiveMessageWaitTimeSeconds", QA_INT, 0, SQS_WAIT_MAX_S },
    { "RedrivePolicy", QA_REDRIVE, 0, 0 },
    { "Policy", QA_STR, 0, 0 },
    { "RedriveAllowPolicy", QA_STR, 0, 0 },
    { "KmsMasterKeyId", QA_STR, 0, 0 },
    { "KmsDataKeyReusePeriodSeconds", QA_INT, 60, 86400 },
    { "SqsManagedSseEnabled", QA_BOOL, 0, 0 },
    { "FifoQueue", QA_FIFO_ONLY, 0, 0 },
    { "ContentBasedDeduplication", QA_FIFO_ONLY, 0, 0 },
    { "DeduplicationScope", QA_FIFO_ONLY, 0, 0 },
    { "FifoThroughputLimit", QA_FIFO_ONLY, 0, 0 },
};
#define NQATTRS (sizeof QATTRS / sizeof QATTRS[0])

static const qattr *qattr_find(const char *name)
{
    for (size_t i = 0; i < NQATTRS; i++)
        if (strcmp(QATTRS[i].name, name) == 0)
            return &QATTRS[i];
    return NULL;
}

/* The int field of q for attribute name, or NULL when it is kept in q->extra. */
static int *qattr_int_field(sqs_queue *q, const char *name)
{
    if (strcmp(name, "VisibilityTimeout") == 0)
        return &q->visibility_s;
    if (strcmp(name, "MaximumMessageSize") == 0)
        return &q->max_msg_bytes;
    if (strcmp(name, "MessageRetentionPeriod") == 0)
        return &q->retention_s;
    if (strcmp(name, "DelaySeconds") == 0)
        return &q->delay_s;
    if (strcmp(name, "ReceiveMessageWaitTimeSeconds") == 0)
        return &q->wait_s;
    return NULL;
}

/* Attribute value of a request map entry as text (strings; numbers and booleans accepted
 * and printed). Writes into buf (size n) for non-strings. NULL when not representable. */
static const char *attr_text(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(buf, n, "%.0f", v->valuedouble);
        return buf;
    }
    if (cJSON_IsBool(v)) {
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
        return buf;
    }
    return NULL;
}

/*
 * Validate one attribute for CreateQueue/SetQueueAttributes and return its normalized text
 * in *out (owned; "" means "remove"). Returns 0, 1 with the AWS error in r, or -SIM_ENOMEM.
 */
static int attr_normalize(const sqs_service *svc, const char *name, const char *value, sim_reply *r,
                          char **out)
{
    const qattr *a = qattr_find(name);
    if (a == NULL || a->kind == QA_RO ||
        (a->kind == QA_FIFO_ONLY && strcmp(name, "FifoQueue") != 0)) {
        sim_reply_err(r, 400, "InvalidAttributeName", "Unknown Attribute %s.", name);
        return 1;
    }
    if (value == NULL) {
        sim_reply_err(r, 400, "InvalidAttributeValue", "Invalid value for the parameter %s.", name);
        return 1;
    }
    char buf[32];
    switch (a->kind) {
    case QA_FIFO_ONLY: /* FifoQueue */
        if (strcasecmp(value, "false") != 0) {
            sim_reply_err(r, 400, "InvalidAttributeValue",
                          "Invalid value for the parameter FifoQueue. Reason: Stratus emulates "
                          "standard queues only.");
            return 1;
        }
        *out = strdup("false");
        break;
    case QA_INT: {
        char *end = NULL;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (!isdigit((unsigned char)value[0]) || *end != '\0' || errno != 0 || v < a->min ||
            v > a->max) {
            sim_reply_err(r, 400, "InvalidAttributeValue", "Invalid value for the parameter %s.",
                          name);
            return 1;
        }
        snprintf(buf, sizeof buf, "%ld", v);
        *out = strdup(buf);
        break;
    }
    case QA_BOOL:
        if (strcasecmp(value, "true") != 0 && strcasecmp(value, "false") != 0) {
            sim_reply_err(r, 400, "InvalidAttributeValue", "Invalid value for the parameter %s.",
                          name);
            return 1;
        }
        *out = strdup(strcasecmp(value, "true") == 0 ? "true" : "false");
        break;
    case QA_REDRIVE:
        if (value[0] == '\0') {
            *out = strdup("");
            break;
        }
        {
            char *arn = NULL;
            int max = 0;
            int rc = sqs__redrive_parse(svc, value, r, out, &arn, &max);
            free(arn);
            if (rc != 0)
                return rc;
        }
        break;
    default: /* QA_STR */
        *out = strdup(value);
        break;
    }
    return *out == NULL ? -SIM_ENOMEM : 0;
}

/* Current text of attribute name in q (owned), or NULL when unset. */
static char *attr_current(sqs_queue *q, const char *name)
{
    char buf[48];
    int *f = qattr_int_field(q, name);
    if (f != NULL) {
        snprintf(buf, sizeof buf, "%d", *f);
        return strdup(buf);
    }
    if (strcmp(name, "RedrivePolicy") == 0)
        return q->redrive_json ? strdup(q->redrive_json) : NULL;
    if (strcmp(name, "FifoQueue") == 0)
        return strdup("false");
    if (strcmp(name, "QueueArn") == 0)
        return strdup(q->arn);
    if (strcmp(name, "CreatedTimestamp") == 0 || strcmp(name, "LastModifiedTimestamp") == 0) {
        sim_time_us t = name[0] == 'C' ? q->created_us : q->modified_us;
        snprintf(buf, sizeof buf, "%lld", (long long)(sqs__epoch_ms(q->svc, t) / 1000));
        return strdup(buf);
    }
    if (strncmp(name, "ApproximateNumberOfMessages", 27) == 0) {
        long vis, inflight, delayed;
        sqs__queue_counts(q, &vis, &inflight, &delayed);
        long v = strcmp(name, "ApproximateNumberOfMessages") == 0             ? vis
                 : strcmp(name, "ApproximateNumberOfMessagesNotVisible") == 0 ? inflight
                                                                              : delayed;
        snprintf(buf, sizeof buf, "%ld", v);
        return strdup(buf);
    }
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(q->extra, name);
    return cJSON_IsString(e) ? strdup(e->valuestring) : NULL;
}

/* Apply a normalized attribute to q. Returns 0 or -SIM_ENOMEM. */
static int attr_apply(sqs_queue *q, const char *name, const char *norm)
{
    int *f = qattr_int_field(q, name);
    if (f != NULL) {
        *f = atoi(norm);
        return 0;
    }
    if (strcmp(name, "FifoQueue") == 0)
        return 0;
    if (strcmp(name, "RedrivePolicy") == 0) {
        char *json = NULL, *arn = NULL;
        int max = 0;
        if (norm[0] != '\0') {
            sim_reply tmp;
            sim_reply_init(&tmp);
            int rc = sqs__redrive_parse(q->svc, norm, &tmp, &json, &arn, &max);
            sim_reply_release(&tmp);
            if (rc != 0)
                return rc < 0 ? rc : -SIM_EINVAL; /* validated before: cannot happen */
        }
        free(q->redrive_json);
        free(q->dlq_arn);
        q->redrive_json = json;
        q->dlq_arn = arn;
        q->max_receive = max;
        return 0;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(q->extra, name);
    if (norm[0] == '\0')
        return 0;
    return cJSON_AddStringToObject(q->extra, name, norm) ? 0 : -SIM_ENOMEM;
}

typedef struct attr_set {
    const char *names[NQATTRS + 8]; /* borrowed from the request */
    char *norms[NQATTRS + 8];       /* owned */
    int n;
} attr_set;

static void attr_set_release(attr_set *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->norms[i]);
    s->n = 0;
}

/* Validate a request's Attributes map into s. Returns 0, 1 (error in r) or -SIM_ENOMEM. */
static int attr_set_parse(const sqs_service *svc, const cJSON *attrs, sim_reply *r, attr_set *s)
{
    s->n = 0;
    if (attrs == NULL || cJSON_IsNull(attrs))
        return 0;
    if (!cJSON_IsObject(attrs)) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value for parameter Attributes is invalid. Reason: Must be a map.");
        return 1;
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, attrs)
    {
        char buf[48];
        if (s->n >= (int)(sizeof s->names / sizeof s->names[0])) {
            sim_reply_err(r, 400, "InvalidAttributeName", "Unknown Attribute %s.", a->string);
            return 1;
        }
        char *norm = NULL;
        int rc = attr_normalize(svc, a->string, attr_text(a, buf, sizeof buf), r, &norm);
        if (rc != 0)
            return rc;
        s->names[s->n] = a->string;
        s->norms[s->n++] = norm;
    }
    return 0;
}

static int valid_queue_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > 80)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_')
            return 0;
    return 1;
}

/* Insert q into the sorted registry. 0 or -SIM_ENOMEM. */
static int registry_insert(sqs_service *svc, sqs_queue *q)
{
    if (svc->nqueues == svc->queues_cap) {
        int cap = svc->queues_cap ? svc->queues_cap * 2 : 16;
        sqs_queue **a = realloc(svc->queues, (size_t)cap * sizeof *a);
        if (a == NULL)
            return -SIM_ENOMEM;
        svc->queues = a;
        svc->queues_cap = cap;
    }
    int i = queue_lower_bound(svc, q->name);
    memmove(&svc->queues[i + 1], &svc->queues[i], (size_t)(svc->nqueues - i) * sizeof q);
    svc->queues[i] = q;
    svc->nqueues++;
    return 0;
}

static cJSON *url_reply(const sqs_queue *q)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL && cJSON_AddStringToObject(o, "QueueUrl", q->url) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* -------------------------------------------------------------- operations ---- */

static int op_create_queue(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const char *name = NULL;
    attr_set s = { .n = 0 };
    sqs_queue *q = NULL;
    int rc;
    if (sqs__req_str(req, "QueueName", 1, r, &name) != 0)
        return 0;
    if (!valid_queue_name(name)) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 "
                      "in length");
        return 0;
    }
    rc = attr_set_parse(svc, cJSON_GetObjectItemCaseSensitive(req, "Attributes"), r, &s);
    if (rc != 0)
        goto out;
    sqs_queue *old = sqs__queue_by_name(svc, name);
    if (old != NULL) {
        /* Same name: the given attributes must equal the queue's (API_CreateQueue). */
        for (int i = 0; i < s.n; i++) {
            char *cur = attr_current(old, s.names[i]);
            int same = strcmp(cur ? cur : "", s.norms[i]) == 0;
            free(cur);
            if (!same) {
                sim_reply_err(r, 400, "QueueNameExists",
                              "A queue already exists with the same name and a different value for "
                              "attribute %s",
                              s.names[i]);
                goto out;
            }
        }
        cJSON *body = url_reply(old);
        if (body == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        sim_reply_ok(r, body);
        goto out;
    }
    if ((q = queue_new(svc, name)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    for (int i = 0; i < s.n; i++)
        if ((rc = attr_apply(q, s.names[i], s.norms[i])) != 0)
            goto out;
    cJSON *body = url_reply(q);
    if (body == NULL || (rc = registry_insert(svc, q)) != 0) {
        cJSON_Delete(body);
        rc = -SIM_ENOMEM;
        goto out;
    }
    sim_log_write(svc->log, SIM_LOG_DEBUG, "sqs", NULL, "created queue %s", q->name);
    q = NULL;
    sim_reply_ok(r, body);
out:
    if (rc < 0)
        sqs__reply_nomem(r);
    queue_free(q);
    attr_set_release(&s);
    return 0;
}

static int op_get_queue_url(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const char *name = NULL;
    if (sqs__req_str(req, "QueueName", 1, r, &name) != 0)
        return 0;
    sqs_queue *q = sqs__queue_by_name(svc, name);
    if (q == NULL) {
        sim_reply_err(r, 400, "QueueDoesNotExist", "The specified queue does not exist.");
        return 0;
    }
    cJSON *body = url_reply(q);
    if (body == NULL)
        sqs__reply_nomem(r);
    else
        sim_reply_ok(r, body);
    return 0;
}

/* NextToken of ListQueues: base64 of the name the next page starts at. */
static char *token_encode(const char *name)
{
    size_t n = strlen(name);
    char *t = malloc(4 * ((n + 2) / 3) + 1);
    if (t != NULL)
        EVP_EncodeBlock((unsigned char *)t, (const unsigned char *)name, (int)n);
    return t;
}

/* Decode a NextToken into buf (size cap). 0 or -1 when malformed. */
static int token_decode(const char *tok, char *buf, size_t cap)
{
    size_t n = strlen(tok);
    if (n == 0 || n % 4 != 0 || 3 * (n / 4) + 1 > cap)
        return -1;
    int len = EVP_DecodeBlock((unsigned char *)buf, (const unsigned char *)tok, (int)n);
    if (len < 0)
        return -1;
    while (n > 0 && tok[n - 1] == '=') {
        len--;
        n--;
    }
    buf[len] = '\0';
    return valid_queue_name(buf) ? 0 : -1;
}

static int op_list_queues(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const char *prefix = NULL, *token = NULL;
    long max = SQS_LIST_MAX;
    int has_max = 0;
    if (sqs__req_str(req, "QueueNamePrefix", 0, r, &prefix) != 0 ||
        sqs__req_str(req, "NextToken", 0, r, &token) != 0 ||
        sqs__req_int(req, "MaxResults", &has_max, &max, r) != 0)
        return 0;
    if (has_max && (max < 1 || max > SQS_LIST_MAX)) {
        sim_reply_err(
            r, 400, "InvalidParameterValue",
            "Value %ld for parameter MaxResults is invalid. Reason: MaxResults must be an "
            "integer between 1 and 1000.",
            max);
        return 0;
    }
    int i = 0;
    if (token != NULL && token[0] != '\0') {
        char start[128];
        if (token_decode(token, start, sizeof start) != 0) {
            sim_reply_err(r, 400, "InvalidParameterValue", "Invalid NextToken value.");
            return 0;
        }
        i = queue_lower_bound(svc, start);
    }
    cJSON *body = cJSON_CreateObject();
    cJSON *urls = cJSON_CreateArray();
    if (body == NULL || urls == NULL)
        goto nomem;
    long n = 0;
    for (; i < svc->nqueues; i++) {
        const sqs_queue *q = svc->queues[i];
        if (prefix != NULL && strncmp(q->name, prefix, strlen(prefix)) != 0)
            continue;
        if (n == max)
            break;
        cJSON *u = cJSON_CreateString(q->url);
        if (u == NULL)
            goto nomem;
        cJSON_AddItemToArray(urls, u);
        n++;
    }
    if (n > 0)
        cJSON_AddItemToObject(body, "QueueUrls", urls);
    else
        cJSON_Delete(urls);
    urls = NULL;
    if (has_max && i < svc->nqueues) {
        char *t = token_encode(svc->queues[i]->name);
        int ok = t != NULL && cJSON_AddStringToObject(body, "NextToken", t) != NULL;
        free(t);
        if (!ok)
            goto nomem;
    }
    sim_reply_ok(r, body);
    return 0;
nomem:
    cJSON_Delete(urls);
    cJSON_Delete(body);
    sqs__reply_nomem(r);
    return 0;
}

static int op_delete_queue(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL)
        return 0;
    int i = queue_lower_bound(svc, q->name);
    memmove(&svc->queues[i], &svc->queues[i + 1], (size_t)(svc->nqueues - i - 1) * sizeof q);
    svc->nqueues--;
    sqs_waiter *waiters = sqs__wait_detach(q);
    sim_log_write(svc->log, SIM_LOG_DEBUG, "sqs", NULL, "deleted queue %s", q->name);
    queue_free(q);
    /* Long polls on a deleted queue end empty (the queue no longer exists to fill them). */
    sqs__wait_finish_empty(waiters);
    sim_reply_ok(r, NULL);
    return 0;
}

static int op_purge_queue(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL)
        return 0;
    sim_time_us now = sim_sched_now(svc->sched);
    if (q->purged_us >= 0 && now < q->purged_us + SQS_PURGE_INTERVAL_US) {
        sim_reply_err(r, 403, "PurgeQueueInProgress",
                      "Only one PurgeQueue operation on %s is allowed every 60 seconds.", q->name);
        return 0;
    }
    q->ledger.purged += q->count;
    sqs__store_clear(q);
    q->purged_us = now;
    sim_reply_ok(r, NULL);
    return 0;
}

/* 1 when attribute name was asked for by names (an array of strings, "All" for all). */
static int names_want(const cJSON *names, const char *name)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, names)
    {
        if (cJSON_IsString(n) &&
            (strcmp(n->valuestring, "All") == 0 || strcmp(n->valuestring, name) == 0))
            return 1;
    }
    return 0;
}

static int op_get_queue_attributes(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL)
        return 0;
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(req, "AttributeNames");
    if (names != NULL && !cJSON_IsNull(names) && !cJSON_IsArray(names)) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value for parameter AttributeNames is invalid. Reason: Must be a list.");
        return 0;
    }
    const cJSON *n;
    cJSON_ArrayForEach(n, names)
    {
        if (!cJSON_IsString(n) ||
            (strcmp(n->valuestring, "All") != 0 && qattr_find(n->valuestring) == NULL)) {
            sim_reply_err(r, 400, "InvalidAttributeName", "Unknown Attribute %s.",
                          cJSON_IsString(n) ? n->valuestring : "");
            return 0;
        }
    }
    cJSON *body = cJSON_CreateObject();
    cJSON *attrs = cJSON_CreateObject();
    if (body == NULL || attrs == NULL)
        goto nomem;
    for (size_t i = 0; i < NQATTRS; i++) {
        if (QATTRS[i].kind == QA_FIFO_ONLY || !names_want(names, QATTRS[i].name))
            continue;
        char *v = attr_current(q, QATTRS[i].name);
        if (v == NULL)
            continue; /* unset (e.g. no RedrivePolicy) */
        int ok = cJSON_AddStringToObject(attrs, QATTRS[i].name, v) != NULL;
        free(v);
        if (!ok)
            goto nomem;
    }
    if (attrs->child != NULL)
        cJSON_AddItemToObject(body, "Attributes", attrs);
    else
        cJSON_Delete(attrs);
    sim_reply_ok(r, body);
    return 0;
nomem:
    cJSON_Delete(attrs);
    cJSON_Delete(body);
    sqs__reply_nomem(r);
    return 0;
}

static int op_set_queue_attributes(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    attr_set s = { .n = 0 };
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL)
        return 0;
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(req, "Attributes");
    if (attrs == NULL) {
        sim_reply_err(r, 400, "MissingParameter",
                      "The request must contain the parameter Attributes.");
        return 0;
    }
    int rc = attr_set_parse(svc, attrs, r, &s);
    if (rc == 0) {
        for (int i = 0; i < s.n && rc == 0; i++)
            rc = attr_apply(q, s.names[i], s.norms[i]);
        if (rc == 0) {
            q->modified_us = sim_sched_now(svc->sched);
            sim_reply_ok(r, NULL);
        }
    }
    if (rc < 0)
        sqs__reply_nomem(r);
    attr_set_release(&s);
    return 0;
}

/* ------------------------------------------------------------------ dispatch ---- */

typedef int (*sqs_op_fn)(sqs_service *svc, const cJSON *req, sim_reply *r);

static const struct {
    const char *name;
    sqs_op_fn fn;
} OPS[] = {
    { "CreateQueue", op_create_queue },
    { "GetQueueUrl", op_get_queue_url },
    { "ListQueues", op_list_queues },
    { "DeleteQueue", op_delete_queue },
    { "PurgeQueue", op_purge_queue },
    { "GetQueueAttributes", op_get_queue_attributes },
    { "SetQueueAttributes", op_set_queue_attributes },
    { "ListDeadLetterSourceQueues", sqs__op_list_dlq_sources },
    { "SendMessage", sqs__op_send },
    { "SendMessageBatch", sqs__op_send_batch },
    { "DeleteMessage", sqs__op_delete },
    { "DeleteMessageBatch", sqs__op_delete_batch },
    { "ChangeMessageVisibility", sqs__op_change_vis },
    { "ChangeMessageVisibilityBatch", sqs__op_change_vis_batch },
};

void sqs_call(sqs_service *svc, const char *op, const cJSON *req, sqs_done_fn done, void *arg)
{
    sim_reply r;
    sim_reply_init(&r);
    cJSON *empty = NULL;
    if (req == NULL)
        req = empty = cJSON_CreateObject();
    if (req == NULL) {
        sqs__reply_nomem(&r);
    } else if (!cJSON_IsObject(req)) {
        sim_reply_err(&r, 400, "InvalidParameterValue", "The request must be a JSON object.");
    } else if (op != NULL && strcmp(op, "ReceiveMessage") == 0) {
        if (sqs__op_receive(svc, req, &r, done, arg) == 1) {
            cJSON_Delete(empty);
            return; /* waiting: done is called later */
        }
    } else {
        size_t i = 0;
        for (; i < sizeof OPS / sizeof OPS[0]; i++)
            if (op != NULL && strcmp(op, OPS[i].name) == 0)
                break;
        if (i < sizeof OPS / sizeof OPS[0])
            OPS[i].fn(svc, req, &r);
        else
            sim_reply_err(&r, 400, "InvalidAction", "The action %s is not valid for this endpoint.",
                          op ? op : "");
    }
    cJSON_Delete(empty);
    done(arg, &r);
    sim_reply_release(&r);
}

/* ---------------------------------------------------------------- lifecycle ---- */

int sqs_service_create(sim_sched *sched, sim_rng *rng, sim_log *log, const sqs_options *opt,
                       sqs_service **out)
{
    sqs_service *svc = calloc(1, sizeof *svc);
    if (svc == NULL)
        return -SIM_ENOMEM;
    svc->sched = sched;
    svc->rng = rng;
    svc->log = log;
    svc->region = strdup(opt && opt->region ? opt->region : "us-east-1");
    svc->account = strdup(opt && opt->account_id ? opt->account_id : "000000000000");
    svc->endpoint = strdup(opt && opt->endpoint_url ? opt->endpoint_url : "http://127.0.0.1:4566");
    if (svc->region == NULL || svc->account == NULL || svc->endpoint == NULL) {
        sqs_service_destroy(svc);
        return -SIM_ENOMEM;
    }
    size_t n = strlen(svc->endpoint);
    while (n > 0 && svc->endpoint[n - 1] == '/')
        svc->endpoint[--n] = '\0';
    *out = svc;
    return 0;
}

void sqs_service_destroy(sqs_service *svc)
{
    if (svc == NULL)
        return;
    for (int i = 0; i < svc->nqueues; i++)
        queue_free(svc->queues[i]);
    free(svc->queues);
    free(svc->region);
    free(svc->account);
    free(svc->endpoint);
    free(svc);
}

void sqs_service_cancel_waits(sqs_service *svc)
{
    sqs_waiter *all = NULL, **tail = &all;
    for (int i = 0; i < svc->nqueues; i++) {
        *tail = sqs__wait_detach(svc->queues[i]);
        while (*tail != NULL)
            tail = &(*tail)->next;
    }
    sqs__wait_finish_empty(all);
}

int sqs_queue_count(const sqs_service *svc)
{
    return svc->nqueues;
}

int sqs_queue_depth(sqs_service *svc, const char *name, long *visible, long *in_flight)
{
    const sqs_queue *q = sqs__queue_by_name(svc, name);
    if (q == NULL)
        return -SIM_ENOENT;
    long vis, inflight, delayed;
    sqs__queue_counts(q, &vis, &inflight, &delayed);
    *visible = vis;
    *in_flight = inflight;
    return 0;
}

int sqs_queue_audit(sqs_service *svc, const char *name, sqs_queue_ledger *out, long *out_held)
{
    const sqs_queue *q = sqs__queue_by_name(svc, name);
    if (q == NULL)
        return -SIM_ENOENT;
    *out = q->ledger;
    *out_held = (long)q->count;
    return 0;
}
