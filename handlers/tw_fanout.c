/* tw_fanout.c - the two queue consumers of the post fan-out (tweeter-api.md 6):
 * fanOut reads {"status"} messages from the post-status queue, pages the author's
 * followers on the GSI and sends {"status", "followerAliases"} chunks to the update-feed
 * queue (SendMessageBatch, 10 at a time); updateFeed writes one feed row per follower
 * (BatchWriteItem in 25s, several in flight, UnprocessedItems retried with jittered
 * backoff). Both report failed records as batchItemFailures (ReportBatchItemFailures). */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_FOLLOWER_PAGE_DEFAULT 100           /* followers per read and per message */
#define TW_FEED_IN_FLIGHT_DEFAULT 4            /* BatchWriteItem calls open at once */
#define TW_SQS_BATCH_BYTES_MAX (256 * 1024)    /* SendMessageBatch payload limit */
#define TW_SEND_ATTEMPTS 6                     /* tries for entries SQS reports Failed */
#define TW_SEND_BASE_US (10 * SIM_MS)
#define TW_SEND_CAP_US (1 * SIM_S)

/* The record's body parsed as JSON (it is a JSON *string* in the SQS event); NULL if it
 * is absent or not JSON. Caller frees. */
static cJSON *record_body(const cJSON *record)
{
    const char *body = tw_json_str(record, "body");

    return body != NULL ? cJSON_Parse(body) : NULL;
}

/* Run handle(ctx, parsed body) for every record; collect the messageIds that failed. */
static int for_each_record(lambda_ctx *ctx, const cJSON *event, cJSON **out_result,
                           int (*handle)(lambda_ctx *ctx, const cJSON *body))
{
    const cJSON *rec;
    cJSON *resp = cJSON_CreateObject(), *fails, *body, *f;
    const char *id;
    int rc;

    if (resp == NULL || (fails = cJSON_AddArrayToObject(resp, "batchItemFailures")) == NULL) {
        cJSON_Delete(resp);
        return tw_fault(ctx, "out of memory");
    }
    cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(event, "Records"))
    {
        id = tw_json_str(rec, "messageId");
        if ((body = record_body(rec)) == NULL) { /* cannot ever succeed: drop, loudly */
            lambda_log(ctx, "message %s: body is not JSON; dropped", id ? id : "?");
            continue;
        }
        rc = handle(ctx, body);
        cJSON_Delete(body);
        if (rc == -SIM_EINVAL) {
            lambda_log(ctx, "message %s: malformed; dropped", id ? id : "?");
        } else if (rc != 0) {
            lambda_log(ctx, "message %s failed (%s); reported for redelivery", id ? id : "?",
                       sim_strerror(rc));
            if (id != NULL && (f = cJSON_CreateObject()) != NULL) {
                cJSON_AddStringToObject(f, "itemIdentifier", id);
                cJSON_AddItemToArray(fails, f);
            }
        }
    }
    *out_result = resp;
    return 0;
}

/* Read body.status into *st (with a timestamp); -SIM_EINVAL if malformed. */
static int body_status(const cJSON *body, tw_status *st)
{
    const char *missing = NULL;

    if (tw_status_read(cJSON_GetObjectItemCaseSensitive(body, "status"), st, &missing) != 0 ||
        !st->has_timestamp || !tw_alias_valid(st->alias))
        return -SIM_EINVAL;
    return 0;
}

/* ---- fanOut ---- */

/* An open SendMessageBatch being filled, and the previous one still in flight. */
typedef struct fan_batch {
    cJSON *req;       /* {QueueUrl, Entries: [...]} being filled; owned */
    size_t bytes;     /* sum of its message bodies */
    sim_call *call;   /* the previous batch, in flight (NULL if none) */
    cJSON *call_req;  /* that batch's request, kept for retrying Failed entries; owned */
} fan_batch;

/* A fresh {QueueUrl, Entries: []}; NULL on ENOMEM. */
static cJSON *batch_new(lambda_ctx *ctx)
{
    cJSON *req = cJSON_CreateObject();

    if (req == NULL || cJSON_AddStringToObject(req, "QueueUrl", TW_FEED_QUEUE(ctx)) == NULL ||
        cJSON_AddArrayToObject(req, "Entries") == NULL) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

/* Keep only the entries of req whose Id is listed in failed; returns how many remain. */
static int keep_failed(cJSON *req, const cJSON *failed)
{
    cJSON *entries = cJSON_GetObjectItemCaseSensitive(req, "Entries");
    const cJSON *f;
    int i = 0, hit;

    while (i < cJSON_GetArraySize(entries)) {
        const char *id = tw_json_str(cJSON_GetArrayItem(entries, i), "Id");
        hit = 0;
        cJSON_ArrayForEach(f, failed)
        {
            const char *fid = tw_json_str(f, "Id");
            hit |= (id != NULL && fid != NULL && strcmp(id, fid) == 0);
        }
        if (hit)
            i++;
        else
            cJSON_DeleteItemFromArray(entries, i);
    }
    return cJSON_GetArraySize(entries);
}

/* Await the batch in flight; entries SQS reports as Failed are sent again (with backoff)
 * up to TW_SEND_ATTEMPTS times. Returns 0 or an error (logged). */
static int batch_settle(lambda_ctx *ctx, fan_batch *fb)
{
    char why[512];
    sim_reply r;
    int rc = 0, attempt;

    if (fb->call == NULL)
        return 0;
    sim_reply_init(&r);
    for (attempt = 0;; attempt++) {
        rc = fb->call != NULL ? sim_await(ctx, fb->call, &r) : -SIM_ENOMEM;
        fb->call = NULL;
        if (rc == 0 && sim_reply_failed(&r))
            rc = -SIM_EIO;
        if (rc != 0) {
            lambda_log(ctx, "SendMessageBatch to %s failed: %s", TW_FEED_QUEUE(ctx),
                       tw_call_why(rc, &r, why, sizeof(why)));
            break;
        }
        if (keep_failed(fb->call_req, cJSON_GetObjectItemCaseSensitive(r.body, "Failed")) == 0)
            break;
        if (attempt + 1 >= TW_SEND_ATTEMPTS) {
            lambda_log(ctx, "SendMessageBatch to %s: entries still failing", TW_FEED_QUEUE(ctx));
            rc = -SIM_EIO;
            break;
        }
        sim_reply_clear(&r);
        rc = lambda_sleep(ctx, tw_backoff_full_jitter(lambda_rng(ctx), attempt, TW_SEND_BASE_US,
                                                       TW_SEND_CAP_US));
        if (rc != 0)
            break;
        fb->call = sim_sqs_start(ctx, "SendMessageBatch", fb->call_req);
    }
    sim_reply_release(&r);
    cJSON_Delete(fb->call_req);
    fb->call_req = NULL;
    return rc;
}

/* Send the open batch (if it has entries) after the previous one settled. */
static int batch_flush(lambda_ctx *ctx, fan_batch *fb)
{
    int rc = batch_settle(ctx, fb);

    if (rc != 0 || cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fb->req, "Entries")) == 0)
        return rc;
    fb->call_req = fb->req;
    fb->bytes = 0;
    if ((fb->req = batch_new(ctx)) == NULL)
        return -SIM_ENOMEM;
    if ((fb->call = sim_sqs_start(ctx, "SendMessageBatch", fb->call_req)) == NULL)
        return -SIM_ENOMEM;
    return 0;
}

/* Add {"status": dto, "followerAliases": aliases} to the batch, flushing when full. */
static int batch_add(lambda_ctx *ctx, fan_batch *fb, const cJSON *dto, const cJSON *aliases)
{
    cJSON *msg = cJSON_CreateObject(), *entry = NULL;
    cJSON *entries = cJSON_GetObjectItemCaseSensitive(fb->req, "Entries");
    char *text = NULL, id[16];
    size_t len;
    int rc = 0;

    if (msg == NULL || !cJSON_AddItemToObject(msg, "status", cJSON_Duplicate(dto, 1)) ||
        !cJSON_AddItemToObject(msg, "followerAliases", cJSON_Duplicate(aliases, 1)) ||
        (text = cJSON_PrintUnformatted(msg)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    len = strlen(text);
    if (cJSON_GetArraySize(entries) >= TW_SQS_BATCH_MAX ||
        fb->bytes + len > TW_SQS_BATCH_BYTES_MAX) {
        if ((rc = batch_flush(ctx, fb)) != 0)
            goto out;
        entries = cJSON_GetObjectItemCaseSensitive(fb->req, "Entries");
    }
    snprintf(id, sizeof(id), "m%d", cJSON_GetArraySize(entries));
    if ((entry = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(entry, "Id", id) == NULL ||
        cJSON_AddStringToObject(entry, "MessageBody", text) == NULL ||
        !cJSON_AddItemToArray(entries, entry)) {
        cJSON_Delete(entry);
        rc = -SIM_ENOMEM;
        goto out;
    }
    fb->bytes += len;
out:
    cJSON_free(text);
    cJSON_Delete(msg);
    return rc;
}

/* The author's StatusDto with names and picture from the users row (the message's own
 * copies when the row is missing). NULL on failure; *out_rc says why. */
static cJSON *author_status(lambda_ctx *ctx, const tw_status *msg_st, int *out_rc)
{
    tw_status st_copy = *msg_st, *st = &st_copy; /* may point into r below, never escapes */
    cJSON *req = tw_user_get_req(ctx, st->alias), *dto = NULL;
    const cJSON *item;
    char why[512];
    sim_reply r;
    int rc = -SIM_ENOMEM;

    sim_reply_init(&r);
    if (req != NULL && (rc = tw_ddb_try(ctx, "GetItem", req, &r)) == 0) {
        if ((item = cJSON_GetObjectItemCaseSensitive(r.body, "Item")) != NULL) {
            st->first_name = tw_item_s(item, "first_name") ? tw_item_s(item, "first_name") : "";
            st->last_name = tw_item_s(item, "last_name") ? tw_item_s(item, "last_name") : "";
            st->image_url = tw_item_s(item, "image_url") ? tw_item_s(item, "image_url") : "";
        }
        if ((dto = tw_status_dto(st)) == NULL)
            rc = -SIM_ENOMEM;
    } else if (rc != 0) {
        lambda_log(ctx, "GetItem on users for %s failed: %s", st->alias,
                   tw_call_why(rc, &r, why, sizeof(why)));
    }
    sim_reply_release(&r);
    cJSON_Delete(req);
    *out_rc = rc;
    return dto;
}

/* One post-status message: page the followers, one update-feed message per page. */
static int fan_out_one(lambda_ctx *ctx, const cJSON *body)
{
    int page = (int)tw_env_long(ctx, "FOLLOWER_PAGE", TW_FOLLOWER_PAGE_DEFAULT);
    fan_batch fb = { NULL, 0, NULL, NULL };
    cJSON *dto = NULL, *req = NULL, *key = NULL, *aliases = NULL;
    const cJSON *it;
    char why[512];
    tw_status st;
    sim_reply r;
    long followers = 0;
    int rc;

    sim_reply_init(&r);
    if ((rc = body_status(body, &st)) != 0)
        return rc;
    if ((dto = author_status(ctx, &st, &rc)) == NULL || (fb.req = batch_new(ctx)) == NULL) {
        rc = rc != 0 ? rc : -SIM_ENOMEM;
        goto out;
    }
    do {
        req = tw_query_req(TW_FOLLOWS_TABLE(ctx), TW_FOLLOWS_INDEX(ctx), "followee_handle",
                           st.alias, page > 0 ? page : TW_FOLLOWER_PAGE_DEFAULT, 1, key);
        key = NULL;
        sim_reply_clear(&r);
        if (req == NULL || (aliases = cJSON_CreateArray()) == NULL) {
            rc = -SIM_ENOMEM;
            break;
        }
        if ((rc = tw_ddb_try(ctx, "Query", req, &r)) != 0) {
            lambda_log(ctx, "Query on %s for followers of %s failed: %s", TW_FOLLOWS_INDEX(ctx),
                       st.alias, tw_call_why(rc, &r, why, sizeof(why)));
            break;
        }
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.body, "Items"))
        {
            const char *a = tw_item_s(it, "follower_handle");
            if (a != NULL)
                cJSON_AddItemToArray(aliases, cJSON_CreateString(a));
        }
        followers += cJSON_GetArraySize(aliases);
        if (cJSON_GetArraySize(aliases) > 0 && (rc = batch_add(ctx, &fb, dto, aliases)) != 0)
            break;
        key = cJSON_DetachItemFromObjectCaseSensitive(r.body, "LastEvaluatedKey");
        cJSON_Delete(req);
        cJSON_Delete(aliases);
        req = aliases = NULL;
    } while (key != NULL);
    if (rc == 0)
        rc = batch_flush(ctx, &fb);
    if (rc == 0)
        rc = batch_settle(ctx, &fb);
    if (rc == 0)
        lambda_log(ctx, "status of %s at %lld fanned out to %ld followers", st.alias,
                   (long long)st.timestamp_ms, followers);
out:
    if (fb.call != NULL) { /* every started call is awaited, even on the error path */
        sim_reply_clear(&r);
        sim_await(ctx, fb.call, &r);
    }
    sim_reply_release(&r);
    cJSON_Delete(fb.req);
    cJSON_Delete(fb.call_req);
    cJSON_Delete(dto);
    cJSON_Delete(req);
    cJSON_Delete(key);
    cJSON_Delete(aliases);
    return rc;
}

int tw_fan_out(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return for_each_record(ctx, event, out_result, fan_out_one);
}

/* ---- updateFeed ---- */

/* qsort comparator for C strings. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One update-feed message: a feed row per (distinct) follower alias. */
static int update_feed_one(lambda_ctx *ctx, const cJSON *body)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "followerAliases"), *it;
    const char **aliases = NULL;
    cJSON *reqs = NULL, *put, *pr, *row;
    tw_status st;
    int rc, n = 0, i;

    if ((rc = body_status(body, &st)) != 0 || !cJSON_IsArray(list))
        return -SIM_EINVAL;
    if ((aliases = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*aliases))) == NULL ||
        (reqs = cJSON_CreateArray()) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    cJSON_ArrayForEach(it, list)
    {
        if (cJSON_IsString(it) && tw_alias_valid(it->valuestring))
            aliases[n++] = it->valuestring;
    }
    qsort(aliases, (size_t)n, sizeof(*aliases), cmp_str); /* one row per key per batch */
    for (i = 0; i < n; i++) {
        if (i > 0 && strcmp(aliases[i], aliases[i - 1]) == 0)
            continue;
        row = tw_feed_row(aliases[i], &st);
        put = cJSON_CreateObject();
        pr = put != NULL ? cJSON_AddObjectToObject(put, "PutRequest") : NULL;
        if (row == NULL || pr == NULL) {
            cJSON_Delete(row);
            cJSON_Delete(put);
            rc = -SIM_ENOMEM;
            goto out;
        }
        cJSON_AddItemToObject(pr, "Item", row);
        cJSON_AddItemToArray(reqs, put);
    }
    rc = tw_batch_write(ctx, TW_FEED_TABLE(ctx), reqs,
                        (int)tw_env_long(ctx, "FEED_WRITES_IN_FLIGHT", TW_FEED_IN_FLIGHT_DEFAULT),
                        TW_BACKOFF_JITTER, NULL);
    reqs = NULL; /* taken */
out:
    free(aliases);
    cJSON_Delete(reqs);
    return rc;
}

int tw_update_feed(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return for_each_record(ctx, event, out_result, update_feed_one);
}

/* ---- the planted bug (tests and sweeps only) ---- */

/* One update-feed message written the way the seed's tricky issue 3 wrote it: the
 * chunks go out one after another, but the last BatchWriteItem is not awaited before the
 * handler returns. Lambda freezes the environment at return, so that chunk never reaches
 * DynamoDB: a quarter of a 100-follower message's rows are lost, every time. */
static int update_feed_unawaited_one(lambda_ctx *ctx, const cJSON *body)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "followerAliases"), *it;
    tw_status st;
    int rc, n = 0;
    if ((rc = body_status(body, &st)) != 0 || !cJSON_IsArray(list))
        return -SIM_EINVAL;
    cJSON *req = NULL, *items = NULL;
    cJSON_ArrayForEach(it, list)
    {
        if (!cJSON_IsString(it) || !tw_alias_valid(it->valuestring))
            continue;
        if (req == NULL) {
            req = cJSON_CreateObject();
            cJSON *ri = cJSON_AddObjectToObject(req, "RequestItems");
            items = cJSON_AddArrayToObject(ri, TW_FEED_TABLE(ctx));
        }
        cJSON *put = cJSON_CreateObject();
        cJSON *pr = cJSON_AddObjectToObject(put, "PutRequest");
        cJSON_AddItemToObject(pr, "Item", tw_feed_row(it->valuestring, &st));
        cJSON_AddItemToArray(items, put);
        if (++n % TW_BATCH_WRITE_MAX == 0 || it->next == NULL) {
            sim_call *c = sim_ddb_start(ctx, "BatchWriteItem", req);
            cJSON_Delete(req);
            req = NULL;
            if (it->next == NULL || c == NULL)
                break; /* the bug: the last write is never awaited */
            sim_reply r;
            sim_reply_init(&r);
            rc = sim_await(ctx, c, &r);
            sim_reply_release(&r);
            if (rc != 0)
                break;
        }
    }
    cJSON_Delete(req);
    return rc;
}

int tw_update_feed_unawaited(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return for_each_record(ctx, event, out_result, update_feed_unawaited_one);
}
