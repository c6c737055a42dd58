/* sqs_visibility.c - receipt handles (issued per receive, naming the queue and message)
 * and ChangeMessageVisibility(Batch). The visibility timeout itself is applied by the
 * receive in sqs_queue.c; waiters are woken through sqs_wait.c.
 * Source: Amazon SQS API Reference (API_ChangeMessageVisibility,
 * API_ChangeMessageVisibilityBatch); Developer Guide "Amazon SQS visibility timeout". */
#include "queue/sqs_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#define HANDLE_BYTES 36 /* 3 magic + 8 queue uid + 8 seq + 4 receive count + 13 random */

static void put_be(unsigned char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (unsigned char)v;
        v >>= 8;
    }
}

static uint64_t get_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

void sqs__handle_make(sqs_queue *q, const sqs_msg *m, char out[SQS_HANDLE_LEN + 1])
{
    unsigned char b[HANDLE_BYTES];
    b[0] = b[1] = b[2] = 0x01; /* base64 "AQEB", as AWS handles begin */
    put_be(b + 3, q->uid, 8);
    put_be(b + 11, m->seq, 8);
    put_be(b + 19, (uint64_t)m->receive_count, 4);
    sim_rng_bytes(q->svc->rng, b + 23, HANDLE_BYTES - 23);
    EVP_EncodeBlock((unsigned char *)out, b, HANDLE_BYTES);
}

int sqs__handle_parse(const sqs_queue *q, const char *h, uint64_t *out_seq)
{
    unsigned char b[HANDLE_BYTES + 3];
    if (strlen(h) != SQS_HANDLE_LEN ||
        EVP_DecodeBlock(b, (const unsigned char *)h, SQS_HANDLE_LEN) != HANDLE_BYTES)
        return -1;
    if (b[0] != 0x01 || b[1] != 0x01 || b[2] != 0x01 || get_be(b + 3, 8) != q->uid)
        return -1;
    *out_seq = get_be(b + 11, 8);
    return 0;
}

void sqs__handle_invalid(sim_reply *r, const char *h)
{
    sim_reply_err(r, 400, "ReceiptHandleIsInvalid",
                  "The input receipt handle \"%s\" is not a valid receipt handle.", h);
}

/*
 * Set the visibility of the in-flight message named by handle h to vt_s seconds from now.
 * Returns 0, or -1 with the AWS error in r.
 */
static int change_one(sqs_queue *q, const char *h, long vt_s, sim_reply *r)
{
    uint64_t seq = 0;
    if (sqs__handle_parse(q, h, &seq) != 0) {
        sqs__handle_invalid(r, h);
        return -1;
    }
    if (vt_s < 0 || vt_s > SQS_VIS_MAX_S) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value %ld for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 "
                      "and <= 43200, if provided.",
                      vt_s);
        return -1;
    }
    sim_time_us now = sim_sched_now(q->svc->sched);
    sqs_msg *m = sqs__store_find(q, seq);
    if (m == NULL || m->receive_count == 0 || m->visible_at_us <= now) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not "
                      "exist or is not available for visibility timeout change.",
                      h);
        return -1;
    }
    /* The 12-hour maximum counts from the receive (Developer Guide, visibility timeout). */
    if (now - m->recv_us + (sim_time_us)vt_s * SIM_S > (sim_time_us)SQS_VIS_MAX_S * SIM_S) {
        sim_reply_err(r, 400, "InvalidParameterValue",
                      "Value %ld for parameter VisibilityTimeout is invalid. Reason: Total "
                      "VisibilityTimeout for the message is beyond the limit [43200 seconds]",
                      vt_s);
        return -1;
    }
    m->visible_at_us = now + (sim_time_us)vt_s * SIM_S;
    sqs__store_update(q, m);
    sqs__wait_kick(q); /* 0 makes it receivable at once */
    return 0;
}

int sqs__op_change_vis(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const char *h = NULL;
    long vt = 0;
    int has = 0;
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL || sqs__req_str(req, "ReceiptHandle", 1, r, &h) != 0 ||
        sqs__req_int(req, "VisibilityTimeout", &has, &vt, r) != 0)
        return 0;
    if (!has) {
        sim_reply_err(r, 400, "MissingParameter",
                      "The request must contain the parameter VisibilityTimeout.");
        return 0;
    }
    if (change_one(q, h, vt, r) == 0)
        sim_reply_ok(r, NULL);
    return 0;
}

int sqs__op_change_vis_batch(sqs_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *entries = NULL;
    sqs_queue *q = sqs__queue_from_req(svc, req, r);
    if (q == NULL ||
        sqs__batch_check(req, "ChangeMessageVisibilityBatchRequestEntry", r, &entries) != 0)
        return 0;
    cJSON *body = cJSON_CreateObject();
    cJSON *ok = cJSON_AddArrayToObject(body, "Successful");
    cJSON *failed = cJSON_AddArrayToObject(body, "Failed");
    if (ok == NULL || failed == NULL)
        goto nomem;
    const cJSON *e;
    cJSON_ArrayForEach(e, entries)
    {
        const char *id = cJSON_GetObjectItemCaseSensitive(e, "Id")->valuestring;
        const char *h = NULL;
        long vt = 0;
        int has = 0;
        sim_reply er;
        sim_reply_init(&er);
        int good = sqs__req_str(e, "ReceiptHandle", 1, &er, &h) == 0 &&
                   sqs__req_int(e, "VisibilityTimeout", &has, &vt, &er) == 0;
        if (good && !has) {
            sim_reply_err(&er, 400, "MissingParameter",
                          "The request must contain the parameter VisibilityTimeout.");
            good = 0;
        }
        cJSON *item;
        if (good && change_one(q, h, vt, &er) == 0) {
            item = cJSON_CreateObject();
            if (item != NULL && cJSON_AddStringToObject(item, "Id", id) == NULL) {
                cJSON_Delete(item);
                item = NULL;
            }
            if (item == NULL)
                goto nomem;
            cJSON_AddItemToArray(ok, item);
        } else {
            item = sqs__batch_failed(id, &er);
            sim_reply_release(&er);
            if (item == NULL)
                goto nomem;
            cJSON_AddItemToArray(failed, item);
        }
    }
    sim_reply_ok(r, body);
    return 0;
nomem:
    cJSON_Delete(body);
    sqs__reply_nomem(r);
    return 0;
}
