/* sqs_queue.c - the messages of a queue: the store (a min-heap on (visible-at, seq) plus a
 * seq index), SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch), the MD5 digests
 * and message validation. Receipt handles and visibility changes are in sqs_visibility.c,
 * redrive in sqs_dlq.c, long polls in sqs_wait.c.
 * Source: Amazon SQS API Reference (API_SendMessage, API_SendMessageBatch,
 * API_ReceiveMessage, API_DeleteMessage); Developer Guide "Amazon SQS message attributes"
 * (MD5 of message attributes) and "Amazon SQS message quotas". */
#include "queue/sqs_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

/* ------------------------------------------------------------------- store ---- */

static int msg_less(const sqs_msg *a, const sqs_msg *b)
{
    if (a->visible_at_us != b->visible_at_us)
        return a->visible_at_us < b->visible_at_us;
    return a->seq < b->seq;
}

static void heap_set(sqs_queue *q, size_t i, sqs_msg *m)
{
    q->heap[i] = m;
    m->heap_index = i;
}

static void sift_up(sqs_queue *q, size_t i)
{
    sqs_msg *m = q->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!msg_less(m, q->heap[p]))
            break;
        heap_set(q, i, q->heap[p]);
        i = p;
    }
    heap_set(q, i, m);
}

static void sift_down(sqs_queue *q, size_t i)
{
    sqs_msg *m = q->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->count)
            break;
        if (c + 1 < q->count && msg_less(q->heap[c + 1], q->heap[c]))
            c++;
        if (!msg_less(q->heap[c], m))
            break;
        heap_set(q, i, q->heap[c]);
        i = c;
    }
    heap_set(q, i, m);
}

static size_t seq_hash(uint64_t seq)
{
    seq ^= seq >> 33;
    seq *= 0xff51afd7ed558ccdULL;
    seq ^= seq >> 33;
    return (size_t)seq;
}

static void index_put(sqs_msg **index, size_t cap, sqs_msg *m)
{
    size_t i = seq_hash(m->seq) & (cap - 1);
    while (index[i] != NULL)
        i = (i + 1) & (cap - 1);
    index[i] = m;
}

/* Make room for one more message in heap and index. 0 or -SIM_ENOMEM (nothing changed). */
static int store_reserve(sqs_queue *q)
{
    if (q->count == q->heap_cap) {
        size_t cap = q->heap_cap ? q->heap_cap * 2 : 16;
        sqs_msg **h = realloc(q->heap, cap * sizeof *h);
        if (h == NULL)
            return -SIM_ENOMEM;
        q->heap = h;
        q->heap_cap = cap;
    }
    if ((q->count + 1) * 2 > q->index_cap) {
        size_t cap = q->index_cap ? q->index_cap * 2 : 32;
        sqs_msg **idx = calloc(cap, sizeof *idx);
        if (idx == NULL)
            return -SIM_ENOMEM;
        for (size_t i = 0; i < q->index_cap; i++)
            if (q->index[i] != NULL)
                index_put(idx, cap, q->index[i]);
        free(q->index);
        q->index = idx;
        q->index_cap = cap;
    }
    return 0;
}

int sqs__store_push(sqs_queue *q, sqs_msg *m)
{
    if (store_reserve(q) != 0)
        return -SIM_ENOMEM;
    index_put(q->index, q->index_cap, m);
    heap_set(q, q->count++, m);
    sift_up(q, m->heap_index);
    return 0;
}

sqs_msg *sqs__store_find(const sqs_queue *q, uint64_t seq)
{
    if (q->index_cap == 0)
        return NULL;
    size_t mask = q->index_cap - 1;
    for (size_t i = seq_hash(seq) & mask; q->index[i] != NULL; i = (i + 1) & mask)
        if (q->index[i]->seq == seq)
            return q->index[i];
    return NULL;
}

/* Remove m from the index (linear probing with backward-shift deletion). */
static void index_remove(sqs_queue *q, const sqs_msg *m)
{
    size_t mask = q->index_cap - 1;
    size_t i = seq_hash(m->seq) & mask;
    while (q->index[i] != m)
        i = (i + 1) & mask;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (q->index[j] == NULL)
            break;
        size_t k = seq_hash(q->index[j]->seq) & mask;
        /* Move index[j] into the hole at i unless its home k lies cyclically in (i, j]. */
        int home_between = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!home_between) {
            q->index[i] = q->index[j];
            i = j;
        }
    }
    q->index[i] = NULL;
}

void sqs__store_remove(sqs_queue *q, sqs_msg *m)
{
    index_remove(q, m);
    size_t i = m->heap_index;
    sqs_msg *last = q->heap[--q->count];
    if (i < q->count) {
        heap_set(q, i, last);
        sift_down(q, i);
        sift_up(q, last->heap_index);
    }
}

void sqs__store_update(sqs_queue *q, sqs_msg *m)
{
    sift_down(q, m->heap_index);
    sift_up(q, m->heap_index);
}

void sqs__msg_free(sqs_msg *m)
{
    if (m == NULL)
        return;
    free(m->body);
    cJSON_Delete(m->attrs);
    free(m->trace_header);
    free(m->dlq_source_arn);
    free(m);
}

void sqs__store_clear(sqs_queue *q)
{
    for (size_t i = 0; i < q->count; i++)
        sqs__msg_free(q->heap[i]);
    q->count = 0;
    if (q->index != NULL)
        memset(q->index, 0, q->index_cap * sizeof *q->index);
}

void sqs__store_release(sqs_queue *q)
{
    sqs__store_clear(q);
    free(q->heap);
    free(q->index);
    q->heap = q->index = NULL;
    q->heap_cap = q->index_cap = 0;
}

static int msg_expired(const sqs_queue *q, const sqs_msg *m, sim_time_us now)
{
    return now - m->sent_us >= (sim_time_us)q->retention_s * SIM_S;
}

void sqs__queue_counts(const sqs_queue *q, long *visible, long *inflight, long *delayed)
{
    sim_time_us now = sim_sched_now(q->svc->sched);
    *visible = *inflight = *delayed = 0;
    for (size_t i = 0; i < q->count; i++) {
        const sqs_msg *m = q->heap[i];
        if (msg_expired(q, m, now))
            continue;
        if (m->visible_at_us <= now)
            (*visible)++;
        else if (m->receive_count > 0)
            (*inflight)++;
        else
            (*delayed)++;
    }
}

/* --------------------------------------------------------- digests, checks ---- */

static void hex_digest(const unsigned char *d, unsigned n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Hex MD5 of buf into out[33]. 0 or -SIM_ENOMEM. */
static int md5_hex(const void *buf, size_t len, char out[33])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (EVP_Digest(buf, len, d, &n, EVP_md5(), NULL) != 1)
        return -SIM_ENOMEM;
    hex_digest(d, n, out);
    return 0;
}

/* Decode base64 text into a new buffer (owned); *out_len its length. NULL when invalid. */
static unsigned char *b64_decode(const char *text, size_t *out_len)
{
    size_t n = strlen(text);
    if (n % 4 != 0)
        return NULL;
    unsigned char *buf = malloc(3 * (n / 4) + 1);
    if (buf == NULL)
        return NULL;
    int len = n ? EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n) : 0;
    if (len < 0) {
        free(buf);
        return NULL;
    }
    while (n > 0 && text[n - 1] == '=') {
        len--;
        n--;
    }
    *out_len = (size_t)len;
    return buf;
}

static void md_put_len(EVP_MD_CTX *c, const void *p, size_t n)
{
    unsigned char be[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n };
    EVP_DigestUpdate(c, be, 4);
    EVP_DigestUpdate(c, p, n);
}

/*
 * MD5 of a normalized attribute map (names sorted; each {DataType, StringValue|BinaryValue})
 * as AWS computes it: for each attribute, length-prefixed (4-byte big-endian) name, length-
 * prefixed data type, a transport byte (1 string, 2 binary) and the length-prefixed value.
 * Writes "" for an empty map. Returns 0 or -SIM_ENOMEM.
 */
static int attrs_md5(const cJSON *attrs, char out[33])
{
    out[0] = '\0';
    if (attrs == NULL || attrs->child == NULL)
        return 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int rc = -SIM_ENOMEM;
    if (c == NULL || EVP_DigestInit_ex(c, EVP_md5(), NULL) != 1)
        goto out;
    const cJSON *a;
    cJSON_ArrayForEach(a, attrs)
    {
        const char *type = cJSON_GetObjectItemCaseSensitive(a, "DataType")->valuestring;
        md_put_len(c, a->string, strlen(a->string));
        md_put_len(c, type, strlen(type));
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(a, "StringValue");
        if (cJSON_IsString(sv)) {
            EVP_DigestUpdate(c, "\x01", 1);
            md_put_len(c, sv->valuestring, strlen(sv->valuestring));
        } else {
            const cJSON *bv = cJSON_GetObjectItemCaseSensitive(a, "BinaryValue");
            size_t n = 0;
            unsigned char *bin = b64_decode(bv->valuestring, &n);
            if (bin == NULL)
                goto out;
            EVP_DigestUpdate(c, "\x02", 1);
            md_put_len(c, bin, n);
            free(bin);
        }
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (EVP_DigestFinal_ex(c, d, &n) != 1)
        goto out;
    hex_digest(d, n, out);
    rc = 0;
out:
    EVP_MD_CTX_free(c);
    return rc;
}

/* 1 when s (len bytes) is UTF-8 made only of the characters SQS accepts:
 * #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
static int valid_chars(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        uint32_t cp;
        int n;
        if (c < 0x80) {
            cp = c;
            n = 0;
        } else if ((c & 0xE0) == 0xC0) {
            cp = c & 0x1F;
            n = 1;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0F;
            n = 2;
        } else if ((c & 0xF8) == 0xF0) {
            cp = c & 0x07;
            n = 3;
        } else {
            return 0;
        }
        if (end - p <= n)
            return 0; /* truncated sequence */
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        static const uint32_t min_cp[4] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < min_cp[n])
            return 0; /* overlong */
        p += n + 1;
        if (cp == 9 || cp == 10 || cp == 13 || (cp >= 0x20 && cp <= 0xD7FF) ||
            (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF))
            continue;
        return 0;
    }
    return 1;
}

static const char INVALID_CHARS_MSG[] = SQS_INVALID_CHARS_MSG;

static int cmp_cjson_name(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static int valid_attr_name(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > 256 || n[0] == '.' || n[len - 1] == '.' || strstr(n, "..") != NULL ||
        strncasecmp(n, "AWS.", 4) == 0 || strncasecmp(n, "Amazon.", 7) == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '-' && n[i] != '.')
            return 0;
    return 1;
}

/*
 * Validate a MessageAttributes map and build its normalized copy (sorted by name; each
 * {DataType, StringValue|BinaryValue}) in *out (owned; NULL when absent or empty), adding
 * its size (names, types, values) to *io_bytes. Returns 0, 1 (error in r), -SIM_ENOMEM.
 */
static int attrs_normalize(const cJSON *attrs, sim_reply *r, cJSON **out, size_t *io_bytes)
{
    *out = NULL;
    if (attrs == NULL || cJSON_IsNull(attrs))
        return 0;
    if (!cJSON_IsObject(attrs)) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value for parameter MessageAttributes is invalid. Reason: Must be a map.");
        return 1;
    }
    int n = cJSON_GetArraySize(attrs);
    if (n == 0)
        return 0;
    if (n > SQS_MAX_MSG_ATTRS) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Number of message attributes [%d] exceeds the allowed maximum [%d].", n,
                      SQS_MAX_MSG_ATTRS);
        return 1;
    }
    const cJSON *sorted[SQS_MAX_MSG_ATTRS];
    int k = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, attrs) sorted[k++] = a;
    qsort(sorted, (size_t)n, sizeof sorted[0], cmp_cjson_name);
    for (int i = 1; i < n; i++)
        if (strcmp(sorted[i]->string, sorted[i - 1]->string) == 0) {
            sim_reply_err(r, 400, "InvalidParameterValue",
                          "Message (user) attribute name %s is already specified.",
                          sorted[i]->string);
            return 1;
        }
    cJSON *norm = cJSON_CreateObject();
    if (norm == NULL)
        return -SIM_ENOMEM;
    for (int i = 0; i < n; i++) {
        const char *name = sorted[i]->string;
        const cJSON *v = sorted[i];
        if (!valid_attr_name(name)) {
            sim_reply_err(r, 400, "InvalidParameterValue",
                          "Message (user) attribute name '%s' is invalid. Attribute names can "
                          "contain alphanumeric characters, hyphens, underscores and periods.",
                          name);
            goto fail;
        }
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(v, "DataType");
        if (!cJSON_IsString(dt) || dt->valuestring[0] == '\0') {
            sim_reply_err(r, 400, "InvalidParameterValue",
                          "The message attribute '%s' must contain a non-empty message attribute "
                          "type.",
                          name);
            goto fail;
        }
        const char *type = dt->valuestring;
        size_t base = strcspn(type, ".");
        int is_bin = base == 6 && strncmp(type, "Binary", 6) == 0;
        int is_num = base == 6 && strncmp(type, "Number", 6) == 0;
        int is_str = base == 6 && strncmp(type, "String", 6) == 0;
        if (!is_bin && !is_num && !is_str) {
            sim_reply_err(r, 400, "InvalidParameterValue",
                          "The message attribute '%s' has an invalid message attribute type, the "
                          "set of supported type prefixes is Binary, Number, and String.",
                          name);
            goto fail;
        }
        const cJSON *val =
            cJSON_GetObjectItemCaseSensitive(v, is_bin ? "BinaryValue" : "StringValue");
        if (!cJSON_IsString(val) || val->valuestring[0] == '\0') {
            sim_reply_err(r, 400, "InvalidParameterValue",
                          "The message attribute '%s' must contain a non-empty message attribute "
                          "value for message attribute type '%s'.",
                          name,
                          is_bin   ? "Binary"
                          : is_num ? "Number"
                                   : "String");
            goto fail;
        }
        size_t vbytes = strlen(val->valuestring);
        if (is_bin) {
            unsigned char *bin = b64_decode(val->valuestring, &vbytes);
            if (bin == NULL) {
                sim_reply_err(r, 400, "InvalidParameterValue",
                              "The message attribute '%s' contains an invalid binary value.", name);
                goto fail;
            }
            free(bin);
        } else if (is_num) {
            char *end = NULL;
            strtod(val->valuestring, &end);
            if (end == val->valuestring || *end != '\0') {
                sim_reply_err(r, 400, "InvalidParameterValue",
                              "Can't cast the value of message (user) attribute '%s' to a number.",
                              name);
                goto fail;
            }
        } else if (!valid_chars(val->valuestring, vbytes)) {
            sim_reply_err(r, 400, "InvalidParameterValue", "%s", INVALID_CHARS_MSG);
            goto fail;
        }
        *io_bytes += strlen(name) + strlen(type) + vbytes;
        cJSON *o = cJSON_CreateObject();
        if (o == NULL)
            goto nomem;
        cJSON_AddItemToObject(norm, name, o);
        if (cJSON_AddStringToObject(o, "DataType", type) == NULL ||
            cJSON_AddStringToObject(o, is_bin ? "BinaryValue" : "StringValue", val->valuestring) ==
                NULL)
            goto nomem;
    }
    *out = norm;
    return 0;
nomem:
    cJSON_Delete(norm);
    return -SIM_ENOMEM;
fail:
    cJSON_Delete(norm);
    return 1;
}

/* Rough size of an entry for the batch limit: body plus attribute names, types, values. */
static size_t entry_bytes(const cJSON *entry)
{
    size_t n = 0;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(entry, "MessageBody");
    if (cJSON_IsString(b))
        n += strlen(b->valuestring);
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(entry, "MessageAttributes");
    const cJSON *a;
    cJSON_ArrayForEach(a, attrs)
    {
        n += a->string ? strlen(a->string) : 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, a)
        {
            if (cJSON_IsString(f))
                n += strlen(f->valuestring);
        }
    }
    return n;
}

/* ------------------------------------------------------------------- send ---- */

/*
 * Send one message to q from entry (SendMessage request or batch entry). On success
 * *out_result is the owned result {Id (batch_id, when not NULL), MD5OfMessageBody,
 * MD5OfMessageAttributes?, MD5OfMessageSystemAttributes?, MessageId}. Returns 0, 1 (AWS
 * error in r) or -SIM_ENOMEM.
 */
static int send_one(sqs_queue *q, const cJSON *entry, const char *batch_id, sim_reply *r,
                    cJSON **out_result)
{
    const char *body = NULL;
    long delay = q->delay_s;
    int has_delay = 0;
    size_t bytes = 0;
    cJSON *attrs = NULL, *sys = NULL, *res = NULL;
    sqs_msg *m = NULL;
    char md5_sys[33] = "";
    int rc = 1;
    if (sqs__req_str(entry, "MessageBody", 1, r, &body) != 0)
        goto out;
    if (body[0] == '\0') {
        sim_reply_err(r, 400, "MissingParameter",
                      "The request must contain the parameter MessageBody.");
        goto out;
    }
    if (sqs__req_int(entry, "DelaySeconds", &has_delay, &delay, r) != 0)
        goto out;
    if (delay < 0 || delay > SQS_DELAY_MAX_S) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value %ld for parameter DelaySeconds is invalid. Reason: DelaySeconds must "
                      "be >= 0 and <= 900.",
                      delay);
        goto out;
    }
    bytes = strlen(body);
    rc = attrs_normalize(cJSON_GetObjectItemCaseSensitive(entry, "MessageAttributes"), r, &attrs,
                         &bytes);
    if (rc != 0)
        goto out;
    size_t sys_bytes = 0;
    rc = attrs_normalize(cJSON_GetObjectItemCaseSensitive(entry, "MessageSystemAttributes"), r,
                         &sys, &sys_bytes);
    if (rc != 0)
        goto out;
    rc = 1;
    const cJSON *s;
    cJSON_ArrayForEach(s, sys)
    {
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(s, "DataType");
        if (strcmp(s->string, "AWSTraceHeader") != 0 || strcmp(dt->valuestring, "String") != 0) {
            sim_reply_err(r, 400, "InvalidParameterValue",
                          "Message system attribute name '%s' is invalid.", s->string);
            goto out;
        }
    }
    if (bytes > (size_t)q->max_msg_bytes) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "One or more parameters are invalid. Reason: Message must be shorter than %d "
                      "bytes.",
                      q->max_msg_bytes);
        goto out;
    }
    if (!valid_chars(body, strlen(body))) {
        sim_reply_err(r, 400, "InvalidMessageContents", "%s", INVALID_CHARS_MSG);
        goto out;
    }
    rc = -SIM_ENOMEM;
    if ((m = calloc(1, sizeof *m)) == NULL || (m->body = strdup(body)) == NULL)
        goto out;
    m->body_bytes = strlen(body);
    if (md5_hex(body, m->body_bytes, m->md5_body) != 0 || attrs_md5(attrs, m->md5_attrs) != 0 ||
        attrs_md5(sys, md5_sys) != 0)
        goto out;
    if (sys != NULL) {
        const cJSON *th = cJSON_GetObjectItemCaseSensitive(sys, "AWSTraceHeader");
        const char *v = cJSON_GetObjectItemCaseSensitive(th, "StringValue")->valuestring;
        if ((m->trace_header = strdup(v)) == NULL)
            goto out;
    }
    m->attrs = attrs;
    attrs = NULL;
    sim_time_us now = sim_sched_now(q->svc->sched);
    sim_rng_uuid(q->svc->rng, m->id);
    m->seq = q->next_seq++;
    m->sent_us = now;
    m->visible_at_us = now + (sim_time_us)delay * SIM_S;
    m->first_recv_us = m->recv_us = -1;
    if ((res = cJSON_CreateObject()) == NULL ||
        (batch_id && cJSON_AddStringToObject(res, "Id", batch_id) == NULL) ||
        cJSON_AddStringToObject(res, "MD5OfMessageBody", m->md5_body) == NULL ||
        (m->md5_attrs[0] &&
         cJSON_AddStringToObject(res, "MD5OfMessageAttributes", m->md5_attrs) == NULL) ||
        (md5_sys[0] &&
         cJSON_AddStringToObject(res, "MD5OfMessageSystemAttributes", md5_sys) == NULL) ||
        cJSON_AddStringToObject(res, "MessageId", m->id) == NULL)
        goto out;
    if (sqs__store_push(q, m) != 0)
        goto out;
    q->ledger.sent++;
    m = NULL;
    sqs__wait_kick(q);
    *out_result = res;
    res = NULL;
    rc = 0;
out:
    sqs__msg_free(m);
    cJSON_Delete(res);
    cJSON_Delete(attrs);
    cJSON_Delete(sys);
    return rc;
}

int sqs__op_send(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL)
        return 0;
    cJSON *res = NULL;
    int rc = send_one(q, req, NULL, r, &res);
    if (rc == 0)
        sim_reply_ok(r, res);
    else if (rc < 0)
        sqs__reply_nomem(r);
    return 0;
}

int sqs__batch_check(const cJSON *req, const char *entry_name, sim_reply *r,
                     const cJSON **out_entries)
{
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(req, "Entries");
    if (entries != NULL && !cJSON_IsNull(entries) && !cJSON_IsArray(entries)) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value for parameter Entries is invalid. Reason: Must be a list.");
        return -1;
    }
    int n = cJSON_GetArraySize(entries);
    if (n == 0) {
        sim_reply_err(r, 400, "EmptyBatchRequest",
                      "There should be at least one %s in the request.", entry_name);
        return -1;
    }
    if (n > SQS_MAX_BATCH) {
        sim_reply_err(r, 400, "TooManyEntriesInBatchRequest",
                      "Maximum number of entries per request are %d. You have sent %d.",
                      SQS_MAX_BATCH, n);
        return -1;
    }
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, entries)
    {
        i++;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "Id");
        if (!cJSON_IsString(id)) {
            sim_reply_err(r, 400, "MissingParameter",
                          "The request must contain the parameter %s.%d.Id.", entry_name, i);
            return -1;
        }
        const char *s = id->valuestring;
        size_t len = strlen(s), k = 0;
        while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '-' || s[k] == '_'))
            k++;
        if (len == 0 || len > 80 || k != len) {
            sim_reply_err(r, 400, "InvalidBatchEntryId",
                          "A batch entry id can only contain alphanumeric characters, hyphens and "
                          "underscores. It can be at most 80 letters long.");
            return -1;
        }
    }
    for (const cJSON *a = entries->child; a != NULL; a = a->next)
        for (const cJSON *b = a->next; b != NULL; b = b->next) {
            const char *ia = cJSON_GetObjectItemCaseSensitive(a, "Id")->valuestring;
            if (strcmp(ia, cJSON_GetObjectItemCaseSensitive(b, "Id")->valuestring) == 0) {
                sim_reply_err(r, 400, "BatchEntryIdsNotDistinct", "Id %s repeated.", ia);
                return -1;
            }
        }
    *out_entries = entries;
    return 0;
}

cJSON *sqs__batch_failed(const char *id, const sim_reply *e)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "Id", id) == NULL ||
        cJSON_AddBoolToObject(o, "SenderFault", e->status < 500) == NULL ||
        cJSON_AddStringToObject(o, "Code", e->code) == NULL ||
        (e->message && cJSON_AddStringToObject(o, "Message", e->message) == NULL)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* One entry of a batch, with its Id: 0 with the owned result in *out_result, 1 with the AWS
 * error in r, or -SIM_ENOMEM. */
typedef int (*batch_entry_fn)(sqs_queue *q, const cJSON *entry, const char *id, sim_reply *r,
                              cJSON **out_result);

/* Run fn on each of the (checked) entries and reply {"Successful": [results], "Failed":
 * [errors]}, or InternalError on ENOMEM. Returns 0. */
static int batch_run(sqs_queue *q, const cJSON *entries, batch_entry_fn fn, sim_reply *r)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *ok = cJSON_AddArrayToObject(body, "Successful");
    cJSON *failed = cJSON_AddArrayToObject(body, "Failed");
    if (ok == NULL || failed == NULL)
        goto nomem;
    const cJSON *e;
    cJSON_ArrayForEach(e, entries)
    {
        const char *id = cJSON_GetObjectItemCaseSensitive(e, "Id")->valuestring;
        sim_reply er;
        sim_reply_init(&er);
        cJSON *res = NULL;
        int rc = fn(q, e, id, &er, &res);
        if (rc == 0) {
            cJSON_AddItemToArray(ok, res);
        } else if (rc == 1) {
            cJSON *f = sqs__batch_failed(id, &er);
            sim_reply_release(&er);
            if (f == NULL)
                goto nomem;
            cJSON_AddItemToArray(failed, f);
        } else {
            goto nomem;
        }
    }
    sim_reply_ok(r, body);
    return 0;
nomem:
    cJSON_Delete(body);
    sqs__reply_nomem(r);
    return 0;
}

int sqs__op_send_batch(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *entries = NULL;
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL || sqs__batch_check(req, "SendMessageBatchRequestEntry", r, &entries) != 0)
        return 0;
    size_t total = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, entries) total += entry_bytes(e);
    if (total > SQS_MAX_MSG_BYTES) {
        sim_reply_err(r, 400, "BatchRequestTooLong",
                      "Batch requests cannot be longer than %d bytes. You have sent %zu bytes.",
                      SQS_MAX_MSG_BYTES, total);
        return 0;
    }
    return batch_run(q, entries, send_one, r);
}

/* ---------------------------------------------------------------- receive ---- */

/* 1 when a name list (array of strings) of req asks for name, or "All". */
static int list_wants(const cJSON *req, const char *list, const char *name)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(req, list))
    {
        if (cJSON_IsString(n) &&
            (strcmp(n->valuestring, "All") == 0 || strcmp(n->valuestring, name) == 0))
            return 1;
    }
    return 0;
}

static int sys_wants(const cJSON *req, const char *name)
{
    return list_wants(req, "AttributeNames", name) ||
           list_wants(req, "MessageSystemAttributeNames", name);
}

/* 1 when MessageAttributeNames selects attribute name: "All", ".*", an exact name, or
 * "bar.*" for every name starting with "bar" (the pattern read as a regular expression). */
static int msg_attr_wanted(const cJSON *req, const char *name)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(req, "MessageAttributeNames"))
    {
        if (!cJSON_IsString(n))
            continue;
        const char *p = n->valuestring;
        size_t len = strlen(p);
        if (strcmp(p, "All") == 0 || strcmp(p, ".*") == 0 || strcmp(p, name) == 0)
            return 1;
        if (len >= 2 && strcmp(p + len - 2, ".*") == 0 && strncmp(name, p, len - 2) == 0)
            return 1;
    }
    return 0;
}

static int add_ms(cJSON *o, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return cJSON_AddStringToObject(o, key, buf) != NULL;
}

/* Render one received message for req. NULL on ENOMEM. */
static cJSON *render_msg(const sqs_queue *q, const sqs_msg *m, const char *handle, const cJSON *req)
{
    const sqs_service *svc = q->svc;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "MessageId", m->id) == NULL ||
        cJSON_AddStringToObject(o, "ReceiptHandle", handle) == NULL ||
        cJSON_AddStringToObject(o, "MD5OfBody", m->md5_body) == NULL ||
        cJSON_AddStringToObject(o, "Body", m->body) == NULL)
        goto nomem;
    cJSON *attrs = cJSON_CreateObject();
    if (attrs == NULL)
        goto nomem;
    cJSON_AddItemToObject(o, "Attributes", attrs);
    char num[24];
    snprintf(num, sizeof num, "%d", m->receive_count);
    if ((sys_wants(req, "SenderId") &&
         cJSON_AddStringToObject(attrs, "SenderId", svc->account) == NULL) ||
        (sys_wants(req, "ApproximateFirstReceiveTimestamp") &&
         !add_ms(attrs, "ApproximateFirstReceiveTimestamp",
                 sqs__epoch_ms(svc, m->first_recv_us))) ||
        (sys_wants(req, "ApproximateReceiveCount") &&
         cJSON_AddStringToObject(attrs, "ApproximateReceiveCount", num) == NULL) ||
        (sys_wants(req, "SentTimestamp") &&
         !add_ms(attrs, "SentTimestamp", sqs__epoch_ms(svc, m->sent_us))) ||
        (m->trace_header && sys_wants(req, "AWSTraceHeader") &&
         cJSON_AddStringToObject(attrs, "AWSTraceHeader", m->trace_header) == NULL) ||
        (m->dlq_source_arn && sys_wants(req, "DeadLetterQueueSourceArn") &&
         cJSON_AddStringToObject(attrs, "DeadLetterQueueSourceArn", m->dlq_source_arn) == NULL))
        goto nomem;
    if (attrs->child == NULL)
        cJSON_DeleteItemFromObjectCaseSensitive(o, "Attributes");
    /* Message attributes: the selected ones, with the MD5 of exactly those (the SDKs check
     * MD5OfMessageAttributes against what they received). */
    cJSON *sel = cJSON_CreateObject();
    if (sel == NULL)
        goto nomem;
    const cJSON *a;
    cJSON_ArrayForEach(a, m->attrs)
    {
        if (!msg_attr_wanted(req, a->string))
            continue;
        cJSON *dup = cJSON_Duplicate(a, 1);
        if (dup == NULL) {
            cJSON_Delete(sel);
            goto nomem;
        }
        cJSON_AddItemToObject(sel, a->string, dup);
    }
    if (sel->child != NULL) {
        char md5[33];
        if (attrs_md5(sel, md5) != 0 ||
            cJSON_AddStringToObject(o, "MD5OfMessageAttributes", md5) == NULL) {
            cJSON_Delete(sel);
            goto nomem;
        }
        cJSON_AddItemToObject(o, "MessageAttributes", sel);
    } else {
        cJSON_Delete(sel);
    }
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

int sqs__receive(sqs_queue *q, const cJSON *req, int max_msgs, sim_time_us vis_us, cJSON **out_body,
                 int *out_n)
{
    sim_time_us now = sim_sched_now(q->svc->sched);
    sqs_msg *taken[SQS_MAX_BATCH];
    char handles[SQS_MAX_BATCH][SQS_HANDLE_LEN + 1];
    int n = 0, rc = 0;
    while (n < max_msgs && q->count > 0) {
        sqs_msg *m = q->heap[0];
        if (m->visible_at_us > now)
            break;
        sqs__store_remove(q, m);
        if (msg_expired(q, m, now)) {
            sqs__msg_free(m); /* MessageRetentionPeriod passed */
            q->ledger.expired++;
            continue;
        }
        int moved = sqs__dlq_move(q, m);
        if (moved == 1) {
            q->ledger.moved_out++;
            continue;
        }
        if (moved < 0) {
            sqs__store_push(q, m); /* fits: it was just removed */
            rc = -SIM_ENOMEM;
            break;
        }
        m->receive_count++;
        if (m->first_recv_us < 0)
            m->first_recv_us = now;
        m->recv_us = now;
        m->visible_at_us = now + vis_us;
        sqs__handle_make(q, m, handles[n]);
        taken[n++] = m;
    }
    for (int i = 0; i < n; i++)
        sqs__store_push(q, taken[i]); /* fits: each was just removed */
    if (rc != 0)
        return rc;
    cJSON *body = cJSON_CreateObject();
    if (body == NULL)
        return -SIM_ENOMEM;
    if (n > 0) {
        cJSON *msgs = cJSON_AddArrayToObject(body, "Messages");
        if (msgs == NULL) {
            cJSON_Delete(body);
            return -SIM_ENOMEM;
        }
        for (int i = 0; i < n; i++) {
            cJSON *o = render_msg(q, taken[i], handles[i], req);
            if (o == NULL) {
                cJSON_Delete(body);
                return -SIM_ENOMEM;
            }
            cJSON_AddItemToArray(msgs, o);
        }
    }
    *out_body = body;
    *out_n = n;
    return 0;
}

/* Read the optional integer name of req into *v (left as is when absent) and check that it
 * lies in lo..hi; reason ends the InvalidParameterValue message. 0 or -1 (r set). */
static int req_int_in(const cJSON *req, const char *name, long lo, long hi, const char *reason,
                      long *v, sim_reply *r)
{
    int has = 0;
    if (sqs__req_int(req, name, &has, v, r) != 0)
        return -1;
    if (*v < lo || *v > hi) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value %ld for parameter %s is invalid. Reason: %s", *v, name, reason);
        return -1;
    }
    return 0;
}

int sqs__op_receive(sqs_service *svc, const cJSON *req, sim_reply *r, sqs_done_fn done, void *arg)
{
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL)
        return 0;
    long max = 1, vis = q->visibility_s, wait = q->wait_s;
    if (req_int_in(req, "MaxNumberOfMessages", 1, SQS_MAX_BATCH,
                   "Must be between 1 and 10, if provided.", &max, r) != 0 ||
        req_int_in(req, "VisibilityTimeout", 0, SQS_VIS_MAX_S,
                   "Must be >= 0 and <= 43200, if provided.", &vis, r) != 0 ||
        req_int_in(req, "WaitTimeSeconds", 0, SQS_WAIT_MAX_S,
                   "Must be >= 0 and <= 20, if provided.", &wait, r) != 0)
        return 0;
    sim_time_us vis_us = (sim_time_us)vis * SIM_S;
    /* Long polls are served in arrival order: queue behind earlier waiters. */
    if (wait > 0 && q->wait_head != NULL)
        goto wait;
    cJSON *body = NULL;
    int n = 0;
    if (sqs__receive(q, req, (int)max, vis_us, &body, &n) != 0) {
        sqs__reply_nomem(r);
        return 0;
    }
    if (n > 0 || wait == 0) {
        sim_reply_ok(r, body);
        return 0;
    }
    cJSON_Delete(body);
wait:
    if (sqs__wait_add(q, req, (int)max, vis_us, (sim_time_us)wait * SIM_S, done, arg) != 0) {
        sqs__reply_nomem(r);
        return 0;
    }
    return 1;
}

/* ----------------------------------------------------------------- delete ---- */

/* Delete the message named by handle h from q. 0, or -1 with ReceiptHandleIsInvalid in r. */
static int delete_one(sqs_queue *q, const char *h, sim_reply *r)
{
    uint64_t seq = 0;
    if (sqs__handle_parse(q, h, &seq) != 0) {
        sqs__handle_invalid(r, h);
        return -1;
    }
    /* A handle from an earlier receive still deletes the message; deleting a message that
     * is already gone succeeds (API_DeleteMessage). */
    sqs_msg *m = sqs__store_find(q, seq);
    if (m != NULL) {
        sqs__store_remove(q, m);
        sqs__msg_free(m);
        q->ledger.deleted++;
    }
    return 0;
}

int sqs__op_delete(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const char *h = NULL;
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL || sqs__req_str(req, "ReceiptHandle", 1, r, &h) != 0)
        return 0;
    if (delete_one(q, h, r) == 0)
        sim_reply_ok(r, NULL);
    return 0;
}

/* One DeleteMessageBatch entry (a batch_entry_fn): the result is {"Id": id}. */
static int delete_entry(sqs_queue *q, const cJSON *entry, const char *id, sim_reply *r,
                        cJSON **out_result)
{
    const char *h = NULL;
    if (sqs__req_str(entry, "ReceiptHandle", 1, r, &h) != 0 || delete_one(q, h, r) != 0)
        return 1;
    cJSON *item = cJSON_CreateObject();
    if (item == NULL || cJSON_AddStringToObject(item, "Id", id) == NULL) {
        cJSON_Delete(item);
        return -SIM_ENOMEM;
    }
    *out_result = item;
    return 0;
}

int sqs__op_delete_batch(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *entries = NULL;
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL || sqs__batch_check(req, "DeleteMessageBatchRequestEntry", r, &entries) != 0)
        return 0;
    return batch_run(q, entries, delete_entry, r);
}
