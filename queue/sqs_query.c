/* sqs_query.c - the query protocol (AWS CLI v2.9, older SDKs): Action=<Op>&Version=
 * 2012-11-05 with flattened parameters (Attribute.1.Name, MessageAttribute.1.Value.
 * StringValue, SendMessageBatchRequestEntry.1.Id, ...) in a form body or query string,
 * translated to the JSON request shape for sqs_call; replies rendered as AWS's XML.
 * Source: botocore sqs/2012-11-05/service-2.json of the query era (locationName,
 * flattened, resultWrapper, xmlNamespace); API Reference "Making query API requests". */
#include "queue/sqs_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XMLNS    "http://queue.amazonaws.com/doc/2012-11-05/"
#define MAX_LIST 256 /* members of one flattened list or map considered */

/* ------------------------------------------------------------- form -> JSON ---- */

typedef struct params {
    const sim_kv *kv; /* borrowed */
    size_t n;
} params;

static const char *const STR_PARAMS[] = {
    "QueueName",
    "QueueUrl",
    "MessageBody",
    "ReceiptHandle",
    "NextToken",
    "QueueNamePrefix",
    "QueueOwnerAWSAccountId",
    "ReceiveRequestAttemptId",
    "MessageDeduplicationId",
    "MessageGroupId",
    "Id",
};
static const char *const INT_PARAMS[] = {
    "DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "MaxResults",
};
/* Flattened lists of strings: query member name -> JSON member name. */
static const char *const LISTS[][2] = {
    { "AttributeName", "AttributeNames" },
    { "MessageAttributeName", "MessageAttributeNames" },
    { "MessageSystemAttributeName", "MessageSystemAttributeNames" },
};

static const char *param_get(const params *p, const char *key)
{
    return sim_kv_get(p->kv, p->n, key);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Distinct indices N of keys "<prefix>N" or "<prefix>N.<...>", ascending, at most max. */
static int collect_indices(const params *p, const char *prefix, long *out, int max)
{
    size_t plen = strlen(prefix);
    int n = 0;
    for (size_t i = 0; i < p->n; i++) {
        const char *k = p->kv[i].name;
        if (strncmp(k, prefix, plen) != 0)
            continue;
        char *end = NULL;
        errno = 0;
        long v = strtol(k + plen, &end, 10);
        if (end == k + plen || (*end != '\0' && *end != '.') || errno != 0 || v < 0)
            continue;
        int dup = 0;
        for (int j = 0; j < n && !dup; j++)
            dup = out[j] == v;
        if (!dup && n < max)
            out[n++] = v;
    }
    qsort(out, (size_t)n, sizeof *out, cmp_long);
    return n;
}

/* Add a scalar: an integer when it is one (for INT members), else a string. */
static int add_scalar(cJSON *obj, const char *name, const char *v, int as_int)
{
    if (as_int) {
        char *end = NULL;
        errno = 0;
        long x = strtol(v, &end, 10);
        if (v[0] != '\0' && *end == '\0' && errno == 0 && x >= INT_MIN && x <= INT_MAX)
            return cJSON_AddNumberToObject(obj, name, (double)x) ? 0 : -SIM_ENOMEM;
    }
    return cJSON_AddStringToObject(obj, name, v) ? 0 : -SIM_ENOMEM;
}

/* "<prefix><member>.<N>.<field>" into buf. */
static const char *key3(char *buf, size_t cap, const char *prefix, const char *member, long n,
                        const char *field)
{
    snprintf(buf, cap, "%s%s.%ld.%s", prefix, member, n, field);
    return buf;
}

/* Parse entry N of a flattened map (prefix member.N.*) into map; names is the entry kind's
 * argument. 0 or -SIM_ENOMEM. */
typedef int (*entry_fn)(const params *p, const char *prefix, const char *member, long n,
                        const char *const *names, cJSON *map);

/* Parse the entries prefix member.N.* with fn into a new object json_name of obj, added
 * only when there is an entry. 0 or -SIM_ENOMEM. */
static int parse_entries(const params *p, const char *prefix, const char *member,
                         const char *json_name, entry_fn fn, const char *const *names,
                         cJSON *obj)
{
    char pre[256];
    long idx[MAX_LIST];
    snprintf(pre, sizeof pre, "%s%s.", prefix, member);
    int n = collect_indices(p, pre, idx, MAX_LIST);
    if (n == 0)
        return 0;
    cJSON *map = cJSON_AddObjectToObject(obj, json_name);
    if (map == NULL)
        return -SIM_ENOMEM;
    for (int i = 0; i < n; i++) {
        int rc = fn(p, prefix, member, idx[i], names, map);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* A message attribute entry (Name / Value.DataType / Value.StringValue ...); no names. */
static int msg_attr_entry(const params *p, const char *prefix, const char *member, long n,
                          const char *const *names, cJSON *map)
{
    static const char *const fields[] = { "DataType", "StringValue", "BinaryValue" };
    char k[320];
    const char *name = param_get(p, key3(k, sizeof k, prefix, member, n, "Name"));
    if (name == NULL)
        return 0;
    cJSON *v = cJSON_CreateObject();
    if (v == NULL)
        return -SIM_ENOMEM;
    cJSON_AddItemToObject(map, name, v);
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        char field[64];
        snprintf(field, sizeof field, "Value.%s", fields[f]);
        const char *val = param_get(p, key3(k, sizeof k, prefix, member, n, field));
        if (val != NULL && cJSON_AddStringToObject(v, fields[f], val) == NULL)
            return -SIM_ENOMEM;
    }
    return 0;
}

/* A string map entry: names[0] names the key's field, names[1] the value's. */
static int str_entry(const params *p, const char *prefix, const char *member, long n,
                     const char *const *names, cJSON *map)
{
    char k[320];
    const char *name = param_get(p, key3(k, sizeof k, prefix, member, n, names[0]));
    const char *val = param_get(p, key3(k, sizeof k, prefix, member, n, names[1]));
    if (name == NULL)
        return 0;
    if (cJSON_AddStringToObject(map, name, val ? val : "") == NULL)
        return -SIM_ENOMEM;
    return 0;
}

/* Parse a message attribute map (MessageAttribute.N.Name / .Value.DataType ...) at prefix. */
static int parse_msg_attrs(const params *p, const char *prefix, const char *member,
                           const char *json_name, cJSON *obj)
{
    return parse_entries(p, prefix, member, json_name, msg_attr_entry, NULL, obj);
}

/* Parse a string map (Attribute.N.Name/Value, Tag.N.Key/Value) at prefix. */
static int parse_str_map(const params *p, const char *prefix, const char *member, const char *kname,
                         const char *vname, const char *json_name, cJSON *obj)
{
    const char *const names[] = { kname, vname };
    return parse_entries(p, prefix, member, json_name, str_entry, names, obj);
}

/* Parse the members of one structure (the request, or a batch entry) found at prefix. */
static int parse_struct(const params *p, const char *prefix, cJSON *obj)
{
    char k[320];
    int rc = 0;
    for (size_t i = 0; i < sizeof STR_PARAMS / sizeof STR_PARAMS[0] && rc == 0; i++) {
        snprintf(k, sizeof k, "%s%s", prefix, STR_PARAMS[i]);
        const char *v = param_get(p, k);
        if (v != NULL)
            rc = add_scalar(obj, STR_PARAMS[i], v, 0);
    }
    for (size_t i = 0; i < sizeof INT_PARAMS / sizeof INT_PARAMS[0] && rc == 0; i++) {
        snprintf(k, sizeof k, "%s%s", prefix, INT_PARAMS[i]);
        const char *v = param_get(p, k);
        if (v != NULL)
            rc = add_scalar(obj, INT_PARAMS[i], v, 1);
    }
    for (size_t i = 0; i < sizeof LISTS / sizeof LISTS[0] && rc == 0; i++) {
        long idx[MAX_LIST];
        char pre[256];
        snprintf(pre, sizeof pre, "%s%s.", prefix, LISTS[i][0]);
        int n = collect_indices(p, pre, idx, MAX_LIST);
        if (n == 0)
            continue;
        cJSON *arr = cJSON_AddArrayToObject(obj, LISTS[i][1]);
        if (arr == NULL)
            return -SIM_ENOMEM;
        for (int j = 0; j < n; j++) {
            snprintf(k, sizeof k, "%s%ld", pre, idx[j]);
            cJSON *s = cJSON_CreateString(param_get(p, k));
            if (s == NULL)
                return -SIM_ENOMEM;
            cJSON_AddItemToArray(arr, s);
        }
    }
    if (rc == 0)
        rc = parse_str_map(p, prefix, "Attribute", "Name", "Value", "Attributes", obj);
    if (rc == 0)
        rc = parse_str_map(p, prefix, "Tag", "Key", "Value", "tags", obj);
    if (rc == 0)
        rc = parse_msg_attrs(p, prefix, "MessageAttribute", "MessageAttributes", obj);
    if (rc == 0)
        rc = parse_msg_attrs(p, prefix, "MessageSystemAttribute", "MessageSystemAttributes", obj);
    return rc;
}

/* Batch entry member name of action, or NULL. */
static const char *entry_member(const char *action)
{
    if (strcmp(action, "SendMessageBatch") == 0)
        return "SendMessageBatchRequestEntry";
    if (strcmp(action, "DeleteMessageBatch") == 0)
        return "DeleteMessageBatchRequestEntry";
    if (strcmp(action, "ChangeMessageVisibilityBatch") == 0)
        return "ChangeMessageVisibilityBatchRequestEntry";
    return NULL;
}

/* The JSON request for action from the form parameters. NULL on ENOMEM. */
static cJSON *query_to_json(const params *p, const char *action, const char *path)
{
    cJSON *req = cJSON_CreateObject();
    if (req == NULL || parse_struct(p, "", req) != 0)
        goto nomem;
    cJSON_DeleteItemFromObjectCaseSensitive(req, "Id"); /* entries only */
    const char *member = entry_member(action);
    if (member != NULL) {
        long idx[MAX_LIST];
        char pre[128];
        snprintf(pre, sizeof pre, "%s.", member);
        int n = collect_indices(p, pre, idx, MAX_LIST);
        if (n > 0) {
            cJSON *arr = cJSON_AddArrayToObject(req, "Entries");
            if (arr == NULL)
                goto nomem;
            for (int i = 0; i < n; i++) {
                char epre[160];
                snprintf(epre, sizeof epre, "%s.%ld.", member, idx[i]);
                cJSON *e = cJSON_CreateObject();
                if (e == NULL)
                    goto nomem;
                cJSON_AddItemToArray(arr, e);
                if (parse_struct(p, epre, e) != 0)
                    goto nomem;
            }
        }
    }
    /* Older SDKs post to the queue's URL instead of passing QueueUrl. */
    if (cJSON_GetObjectItemCaseSensitive(req, "QueueUrl") == NULL && path != NULL &&
        strcmp(path, "/") != 0 && path[0] != '\0' &&
        cJSON_AddStringToObject(req, "QueueUrl", path) == NULL)
        goto nomem;
    return req;
nomem:
    cJSON_Delete(req);
    return NULL;
}

/* -------------------------------------------------------------- JSON -> XML ---- */

typedef struct xbuf {
    char *p;
    size_t len, cap;
    int oom;
} xbuf;

static void xb_put(xbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void xb_str(xbuf *b, const char *s)
{
    xb_put(b, s, strlen(s));
}

/* Escaped text: & < > " ' and CR (kept through XML parsers' line-end normalization). */
static void xb_esc(xbuf *b, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '\r':
            rep = "&#xD;";
            break;
        default:
            break;
        }
        if (rep != NULL) {
            xb_put(b, run, (size_t)(s - run));
            xb_str(b, rep);
            run = s + 1;
        }
    }
    xb_put(b, run, (size_t)(s - run));
}

static void xb_open(xbuf *b, const char *tag)
{
    xb_str(b, "<");
    xb_str(b, tag);
    xb_str(b, ">");
}

static void xb_close(xbuf *b, const char *tag)
{
    xb_str(b, "</");
    xb_str(b, tag);
    xb_str(b, ">");
}

static void xb_elem(xbuf *b, const char *tag, const char *text)
{
    xb_open(b, tag);
    xb_esc(b, text);
    xb_close(b, tag);
}

static void render_members(xbuf *b, const cJSON *obj, const char *action);

/* A scalar's text: strings as is, numbers as integers, booleans as true/false. */
static void render_scalar(xbuf *b, const char *tag, const cJSON *v)
{
    char num[32];
    if (cJSON_IsString(v)) {
        xb_elem(b, tag, v->valuestring);
    } else if (cJSON_IsBool(v)) {
        xb_elem(b, tag, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof num, "%.0f", v->valuedouble);
        xb_elem(b, tag, num);
    }
}

/* Each member of a JSON result as the query protocol's XML (flattened lists and maps). */
static void render_members(xbuf *b, const cJSON *obj, const char *action)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        const char *key = m->string;
        const cJSON *e;
        if (strcmp(key, "QueueUrls") == 0 || strcmp(key, "queueUrls") == 0) {
            cJSON_ArrayForEach(e, m) render_scalar(b, "QueueUrl", e);
        } else if (strcmp(key, "Attributes") == 0 || strcmp(key, "Tags") == 0) {
            int tags = key[0] == 'T';
            cJSON_ArrayForEach(e, m)
            {
                xb_open(b, tags ? "Tag" : "Attribute");
                xb_elem(b, tags ? "Key" : "Name", e->string);
                render_scalar(b, "Value", e);
                xb_close(b, tags ? "Tag" : "Attribute");
            }
        } else if (strcmp(key, "MessageAttributes") == 0) {
            cJSON_ArrayForEach(e, m)
            {
                xb_open(b, "MessageAttribute");
                xb_elem(b, "Name", e->string);
                xb_open(b, "Value");
                render_members(b, e, action);
                xb_close(b, "Value");
                xb_close(b, "MessageAttribute");
            }
        } else if (strcmp(key, "Messages") == 0 || strcmp(key, "Successful") == 0 ||
                   strcmp(key, "Failed") == 0) {
            char tag[96];
            if (key[0] == 'M')
                snprintf(tag, sizeof tag, "Message");
            else if (key[0] == 'F')
                snprintf(tag, sizeof tag, "BatchResultErrorEntry");
            else
                snprintf(tag, sizeof tag, "%sResultEntry", action);
            cJSON_ArrayForEach(e, m)
            {
                xb_open(b, tag);
                render_members(b, e, action);
                xb_close(b, tag);
            }
        } else {
            render_scalar(b, key, m);
        }
    }
}

/* Actions whose reply has a <ActionResult> element (resultWrapper in the query model). */
static int has_result(const char *action)
{
    static const char *const with[] = {
        "CreateQueue",
        "GetQueueUrl",
        "ListQueues",
        "GetQueueAttributes",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibilityBatch",
        "ListDeadLetterSourceQueues",
        "ListQueueTags",
    };
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
        if (strcmp(with[i], action) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------- serve ---- */

typedef struct query_ctx {
    sim_http_exchange *x; /* borrowed until completed */
    char action[64];
    char request_id[37];
} query_ctx;

static int query_render(sim_http_exchange *x, const char *action, const char *request_id,
                        const sim_reply *r)
{
    xbuf b = { NULL, 0, 0, 0 };
    xb_str(&b, "<?xml version=\"1.0\"?>");
    if (sim_reply_failed(r)) {
        xb_str(&b, "<ErrorResponse xmlns=\"" XMLNS "\"><Error>");
        xb_elem(&b, "Type", r->status >= 500 ? "Receiver" : "Sender");
        xb_elem(&b, "Code", sqs__err_query_code(r->code));
        xb_elem(&b, "Message", r->message ? r->message : "");
        xb_str(&b, "<Detail/></Error>");
        xb_elem(&b, "RequestId", request_id);
        xb_str(&b, "</ErrorResponse>");
    } else {
        char tag[96];
        snprintf(tag, sizeof tag, "%sResponse", action);
        xb_str(&b, "<");
        xb_str(&b, tag);
        xb_str(&b, " xmlns=\"" XMLNS "\">");
        if (has_result(action)) {
            snprintf(tag, sizeof tag, "%sResult", action);
            if (r->body != NULL && r->body->child != NULL) {
                xb_open(&b, tag);
                render_members(&b, r->body, action);
                xb_close(&b, tag);
            } else {
                xb_str(&b, "<");
                xb_str(&b, tag);
                xb_str(&b, "/>");
            }
        }
        xb_str(&b, "<ResponseMetadata>");
        xb_elem(&b, "RequestId", request_id);
        xb_str(&b, "</ResponseMetadata>");
        snprintf(tag, sizeof tag, "%sResponse", action);
        xb_close(&b, tag);
    }
    int rc = b.oom ? -SIM_ENOMEM : 0;
    if (rc == 0)
        rc = sim_http_resp_header(&x->resp, "x-amzn-RequestId", request_id);
    if (rc == 0)
        rc = sim_http_resp_set(&x->resp, r->status, "text/xml", b.p, b.len);
    free(b.p);
    return rc;
}

static void query_done(void *arg, sim_reply *r)
{
    query_ctx *c = arg;
    sim_http_exchange *x = c->x;
    if (query_render(x, c->action, c->request_id, r) != 0) {
        sim_http_resp_release(&x->resp);
        x->resp.status = 500;
    }
    free(c);
    x->complete(x);
}

void sqs__query_serve(sqs_service *svc, sim_http_exchange *x)
{
    sim_kv *form = NULL;
    size_t nform = 0;
    sim_kv *all = NULL;
    cJSON *req = NULL;
    sim_reply r;
    sim_reply_init(&r);
    query_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        x->resp.status = 500;
        x->complete(x);
        return;
    }
    c->x = x;
    sqs__request_id(svc, c->request_id);
    if (x->req.body != NULL && x->req.body_len > 0 &&
        sim_form_parse((const char *)x->req.body, x->req.body_len, &form, &nform) != 0)
        goto nomem;
    /* Query-string arguments first, then the form body. */
    size_t n = x->req.nquery + nform;
    if (n > 0 && (all = calloc(n, sizeof *all)) == NULL)
        goto nomem;
    for (size_t i = 0; i < x->req.nquery; i++)
        all[i] = x->req.query[i];
    for (size_t i = 0; i < nform; i++)
        all[x->req.nquery + i] = form[i];
    params p = { all, n };
    const char *action = param_get(&p, "Action");
    if (action == NULL || action[0] == '\0') {
        snprintf(c->action, sizeof c->action, "Unknown");
        sim_reply_err(&r, 400, "MissingAction", "Missing Action");
        goto reply;
    }
    snprintf(c->action, sizeof c->action, "%s", action);
    if (sqs__has_nul(&x->req, 1)) {
        sim_reply_err(&r, 400, "InvalidMessageContents", "%s", SQS_INVALID_CHARS_MSG);
        goto reply;
    }
    if (x->req.body_too_large) {
        sim_reply_err(&r, 400, "InvalidParameterValue",
                      "One or more parameters are invalid. Reason: Message must be shorter than "
                      "%d bytes.",
                      SQS_MAX_MSG_BYTES);
        goto reply;
    }
    if ((req = query_to_json(&p, action, x->req.path)) == NULL)
        goto nomem;
    free(all); /* borrowed pairs: free only the array */
    all = NULL;
    sqs_call(svc, c->action, req, query_done, c);
    cJSON_Delete(req);
    sim_kv_free(form, nform);
    return;
nomem:
    sqs__reply_nomem(&r);
reply:
    free(all);
    cJSON_Delete(req);
    sim_kv_free(form, nform);
    query_done(c, &r);
    sim_reply_release(&r);
}
