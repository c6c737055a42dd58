/* sqs_json.c - the wire entry point (sqs_http_serve) and the JSON 1.0 protocol
 * (X-Amz-Target: AmazonSQS.<Op>), plus the helpers both protocols share: request ids and
 * the query-compatible error codes (x-amzn-query-error). The query protocol is in
 * sqs_query.c.
 * Source: Developer Guide "Interpreting Amazon SQS JSON API responses"; botocore
 * sqs/2012-11-05/service-2.json (awsQueryCompatible; the query-era error codes). */
#include "queue/sqs_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQS error names whose query-protocol code differs (botocore's query model, "error.code"). */
static const struct {
    const char *name;
    const char *query;
} QUERY_CODES[] = {
    { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" },
    { "QueueNameExists", "QueueAlreadyExists" },
    { "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct" },
    { "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong" },
    { "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest" },
    { "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId" },
    { "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight" },
    { "PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress" },
    { "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently" },
    { "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest" },
    { "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation" },
};

const char *sqs__err_query_code(const char *code)
{
    for (size_t i = 0; i < sizeof QUERY_CODES / sizeof QUERY_CODES[0]; i++)
        if (strcmp(QUERY_CODES[i].name, code) == 0)
            return QUERY_CODES[i].query;
    return code;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

void sqs__request_id(sqs_service *svc, char out[37])
{
    uint64_t n = ++svc->next_request;
    uint64_t a = splitmix64(n), b = splitmix64(n ^ 0x5157535245514944ULL);
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)((a >> 16) & 0xFFFF), (unsigned)(a & 0x0FFF),
             (unsigned)(0x8000 | ((b >> 48) & 0x3FFF)),
             (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

typedef struct json_ctx {
    sim_http_exchange *x; /* borrowed until completed */
    char request_id[37];
} json_ctx;

/* Write reply r into x's response in the JSON protocol's shape. 0 or -SIM_ENOMEM. */
static int json_render(sim_http_exchange *x, const char *request_id, const sim_reply *r)
{
    static const char ctype[] = "application/x-amz-json-1.0";
    sim_http_resp *resp = &x->resp;
    int rc = sim_http_resp_header(resp, "x-amzn-RequestId", request_id);
    if (rc != 0)
        return rc;
    if (!sim_reply_failed(r)) {
        if (r->body == NULL)
            return sim_http_resp_set(resp, 200, ctype, "{}", 2);
        return sim_http_resp_json(resp, r->status, ctype, r->body);
    }
    char type[160], qerr[160];
    snprintf(type, sizeof type, "com.amazonaws.sqs#%s", r->code);
    snprintf(qerr, sizeof qerr, "%s;%s", sqs__err_query_code(r->code),
             r->status >= 500 ? "Receiver" : "Sender");
    cJSON *doc = cJSON_CreateObject();
    if (doc == NULL || cJSON_AddStringToObject(doc, "__type", type) == NULL ||
        (r->message && cJSON_AddStringToObject(doc, "message", r->message) == NULL)) {
        cJSON_Delete(doc);
        return -SIM_ENOMEM;
    }
    rc = sim_http_resp_header(resp, "x-amzn-query-error", qerr);
    if (rc == 0)
        rc = sim_http_resp_json(resp, r->status, ctype, doc);
    cJSON_Delete(doc);
    return rc;
}

static void json_done(void *arg, sim_reply *r)
{
    json_ctx *c = arg;
    sim_http_exchange *x = c->x;
    if (json_render(x, c->request_id, r) != 0) {
        sim_http_resp_release(&x->resp);
        x->resp.status = 500;
    }
    free(c);
    x->complete(x);
}

/* Serve one JSON-protocol request for operation op. */
static void json_serve(sqs_service *svc, sim_http_exchange *x, const char *op)
{
    json_ctx *c = malloc(sizeof *c);
    if (c == NULL) {
        x->resp.status = 500;
        x->complete(x);
        return;
    }
    c->x = x;
    sqs__request_id(svc, c->request_id);
    sim_reply r;
    sim_reply_init(&r);
    if (x->req.body_too_large) {
        sim_reply_err(&r, 400, "InvalidParameterValue",
                      "One or more parameters are invalid. Reason: Message must be shorter than "
                      "%d bytes.",
                      SQS_MAX_MSG_BYTES);
        json_done(c, &r);
        sim_reply_release(&r);
        return;
    }
    if (sqs__has_nul(&x->req, 0)) { /* U+0000 is not allowed, and cJSON would cut at it */
        sim_reply_err(&r, 400, "InvalidMessageContents", "%s", SQS_INVALID_CHARS_MSG);
        json_done(c, &r);
        sim_reply_release(&r);
        return;
    }
    cJSON *req = x->req.body_len ? cJSON_ParseWithLength((const char *)x->req.body, x->req.body_len)
                                 : cJSON_CreateObject();
    if (!cJSON_IsObject(req)) {
        sim_reply_err(&r, 400, "SerializationException",
                      "Start of structure or map found where not expected.");
        cJSON_Delete(req);
        json_done(c, &r);
        sim_reply_release(&r);
        return;
    }
    sqs_call(svc, op, req, json_done, c);
    cJSON_Delete(req);
}

int sqs__has_nul(const sim_http_req *req, int query)
{
    const char *b = (const char *)req->body;
    for (size_t i = 0; b && i < req->body_len; i++) {
        if (b[i] == '\0')
            return 1;
        if (query && b[i] == '%' && i + 2 < req->body_len && b[i + 1] == '0' && b[i + 2] == '0')
            return 1;
        if (!query && b[i] == '\\' && i + 5 < req->body_len && b[i + 1] == 'u' &&
            b[i + 2] == '0' && b[i + 3] == '0' && b[i + 4] == '0' && b[i + 5] == '0') {
            size_t k = i; /* an escaped backslash before it makes it literal text */
            int backslashes = 0;
            while (k > 0 && b[k - 1] == '\\') {
                backslashes++;
                k--;
            }
            if (backslashes % 2 == 0)
                return 1;
        }
        if (!query && b[i] == '\\' && i + 1 < req->body_len && b[i + 1] == '\\')
            i++; /* skip an escaped backslash */
    }
    return 0;
}

void sqs_http_serve(sqs_service *svc, sim_http_exchange *x)
{
    const char *target = sim_http_req_header(&x->req, "X-Amz-Target");
    if (target != NULL && strncmp(target, "AmazonSQS.", 10) == 0)
        json_serve(svc, x, target + 10);
    else
        sqs__query_serve(svc, x);
}
