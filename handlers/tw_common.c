/* tw_common.c - Tweeter helpers that go through the Lambda context: environment, function
 * errors, checked DynamoDB calls, the auth token (check with sliding expiry, issue), user
 * lookups and the retrying BatchWriteItem writer. The pure helpers are in tw_util.c. */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_TOKEN_TTL_S_DEFAULT 3600 /* tweeter-api.md 3: 60-minute sliding expiry */
#define TW_MAX_STALLS          12   /* retry rounds without progress before giving up */
#define TW_IN_FLIGHT_MAX       8    /* most BatchWriteItem calls tw_batch_write keeps open */
#define TW_BACKOFF_BASE_US     (10 * SIM_MS)
#define TW_BACKOFF_STEP_US     (100 * SIM_MS)
#define TW_BACKOFF_CAP_US      (1 * SIM_S)

const char *tw_env_str(const lambda_ctx *ctx, const char *name, const char *dflt)
{
    const char *v = lambda_env(ctx, name);

    return (v != NULL && *v != '\0') ? v : dflt;
}

long tw_env_long(const lambda_ctx *ctx, const char *name, long dflt)
{
    const char *v = lambda_env(ctx, name);
    char *end = NULL;
    long n;

    if (v == NULL || *v == '\0')
        return dflt;
    n = strtol(v, &end, 10);
    return (*end == '\0' && n >= 0) ? n : dflt;
}

/* Record "<prefix> <fmt>" as the function error; returns -SIM_EFUNC. */
static int error_v(lambda_ctx *ctx, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int error_v(lambda_ctx *ctx, const char *prefix, const char *fmt, va_list ap)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    return lambda_error(ctx, "Error", "%s %s", prefix, msg);
}

int tw_bad(lambda_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = error_v(ctx, "[Bad Request]", fmt, ap);
    va_end(ap);
    return rc;
}

int tw_fault(lambda_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = error_v(ctx, "[Server Error]", fmt, ap);
    va_end(ap);
    return rc;
}

int tw_missing(lambda_ctx *ctx, const char *field)
{
    return tw_bad(ctx, "Request is missing %s", field);
}

int tw_req_str(lambda_ctx *ctx, const cJSON *event, const char *name, const char **out)
{
    const char *v = tw_json_str(event, name);

    if (v == NULL || *v == '\0')
        return tw_missing(ctx, name);
    *out = v;
    return 0;
}

int tw_req_alias(lambda_ctx *ctx, const cJSON *event, const char *name, int dto,
                 const char **out)
{
    const char *v = NULL;

    if (dto) {
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(event, name);
        if (!cJSON_IsObject(obj))
            return tw_missing(ctx, name);
        v = tw_json_str(obj, "alias");
        if (v == NULL || *v == '\0')
            return tw_bad(ctx, "Request is missing %s.alias", name);
    } else if (tw_req_str(ctx, event, name, &v) != 0) {
        return -SIM_EFUNC;
    }
    if (!tw_alias_valid(v))
        return tw_bad(ctx, "Invalid alias %.300s", v);
    *out = v;
    return 0;
}

const char *tw_call_why(int rc, const sim_reply *r, char *buf, size_t n)
{
    if (rc != 0 && rc != -SIM_EIO)
        snprintf(buf, n, "%s", sim_strerror(rc));
    else if (r != NULL && sim_reply_failed(r))
        snprintf(buf, n, "%s: %s", r->code, r->message ? r->message : "(no message)");
    else
        snprintf(buf, n, "unexpected reply");
    return buf;
}

int tw_fault_call(lambda_ctx *ctx, const char *what, int rc, const sim_reply *r)
{
    char why[512];

    return tw_fault(ctx, "%s failed: %s", what, tw_call_why(rc, r, why, sizeof(why)));
}

int tw_ddb_try(lambda_ctx *ctx, const char *op, const cJSON *req, sim_reply *out)
{
    int rc = sim_ddb(ctx, op, req, out);

    if (rc != 0)
        return rc;
    return sim_reply_failed(out) ? -SIM_EIO : 0;
}

int tw_ddb(lambda_ctx *ctx, const char *op, const cJSON *req, const char *expected_code,
           sim_reply *out)
{
    char what[160];
    const char *table = tw_json_str(req, "TableName");
    int rc = tw_ddb_try(ctx, op, req, out);

    if (rc == 0)
        return 0;
    if (rc == -SIM_EIO && expected_code != NULL && strcmp(out->code, expected_code) == 0)
        return 1;
    snprintf(what, sizeof(what), "DynamoDB %s on %s", op, table ? table : "tables");
    return tw_fault_call(ctx, what, rc, out);
}

/* {"TableName": table, "Key": key (taken)}; NULL on ENOMEM (key freed). */
static cJSON *keyed_req(const char *table, cJSON *key)
{
    cJSON *req = key != NULL ? cJSON_CreateObject() : NULL;

    if (req == NULL || cJSON_AddStringToObject(req, "TableName", table) == NULL) {
        cJSON_Delete(req);
        cJSON_Delete(key);
        return NULL;
    }
    cJSON_AddItemToObject(req, "Key", key);
    return req;
}

/* The token time-to-live in seconds (TOKEN_TTL_S). */
static int64_t token_ttl_s(const lambda_ctx *ctx)
{
    return tw_env_long(ctx, "TOKEN_TTL_S", TW_TOKEN_TTL_S_DEFAULT);
}

/* The one round trip of an auth check: UpdateItem auth[token] SET timestamp = now ms,
 * expires_at = now s + ttl, on condition that the row exists and was used within the TTL
 * (timestamp >= now - ttl * 1000), returning ALL_NEW. NULL on ENOMEM. */
static cJSON *token_slide_req(lambda_ctx *ctx, const char *token, int64_t now_ms)
{
    cJSON *req = keyed_req(TW_AUTH_TABLE(ctx), tw_key1("token", token)), *names, *vals;
    int64_t ttl_s = token_ttl_s(ctx);

    if (req == NULL ||
        cJSON_AddStringToObject(req, "UpdateExpression", "SET #ts = :now, #exp = :exp") ==
            NULL ||
        cJSON_AddStringToObject(req, "ConditionExpression",
                                "attribute_exists(#tok) AND #ts >= :min") == NULL ||
        (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#ts", "timestamp") == NULL ||
        cJSON_AddStringToObject(names, "#exp", "expires_at") == NULL ||
        cJSON_AddStringToObject(names, "#tok", "token") == NULL ||
        (vals = cJSON_AddObjectToObject(req, "ExpressionAttributeValues")) == NULL ||
        tw_item_add_n(vals, ":now", now_ms) != 0 ||
        tw_item_add_n(vals, ":exp", now_ms / 1000 + ttl_s) != 0 ||
        tw_item_add_n(vals, ":min", now_ms - ttl_s * 1000) != 0 ||
        cJSON_AddStringToObject(req, "ReturnValues", "ALL_NEW") == NULL) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

int tw_auth_check(lambda_ctx *ctx, const cJSON *event, char *out_alias, size_t n)
{
    const char *token = NULL, *alias;
    cJSON *req = NULL;
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if ((rc = tw_req_str(ctx, event, "token", &token)) != 0)
        goto out;
    if ((req = token_slide_req(ctx, token, lambda_epoch_ms(ctx))) == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    /* unknown, logged out or unused for longer than the TTL: the condition fails */
    if ((rc = tw_ddb(ctx, "UpdateItem", req, "ConditionalCheckFailedException", &r)) == 1) {
        rc = tw_bad(ctx, "Invalid or expired auth token");
        goto out;
    }
    if (rc != 0)
        goto out;
    alias = tw_item_s(cJSON_GetObjectItemCaseSensitive(r.body, "Attributes"), "alias");
    if (alias == NULL || strlen(alias) >= n) {
        rc = tw_bad(ctx, "Invalid or expired auth token");
        goto out;
    }
    memcpy(out_alias, alias, strlen(alias) + 1);
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    return rc;
}

int tw_token_issue(lambda_ctx *ctx, const char *alias, cJSON **out_dto)
{
    char token[37];
    int64_t now_ms = lambda_epoch_ms(ctx);
    cJSON *req = NULL, *item = NULL, *dto = NULL;
    sim_reply r;
    int rc = 0;

    sim_reply_init(&r);
    sim_rng_uuid(lambda_rng(ctx), token);
    if ((item = cJSON_CreateObject()) == NULL || tw_item_add_s(item, "token", token) != 0 ||
        tw_item_add_s(item, "alias", alias) != 0 ||
        tw_item_add_n(item, "timestamp", now_ms) != 0 ||
        tw_item_add_n(item, "expires_at", now_ms / 1000 + token_ttl_s(ctx)) != 0 ||
        (req = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(req, "TableName", TW_AUTH_TABLE(ctx)) == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    cJSON_AddItemToObject(req, "Item", item);
    item = NULL;
    if ((rc = tw_ddb(ctx, "PutItem", req, NULL, &r)) != 0)
        goto out;
    if ((dto = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(dto, "token", token) == NULL ||
        cJSON_AddNumberToObject(dto, "timestamp", (double)now_ms) == NULL) {
        cJSON_Delete(dto);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    *out_dto = dto;
out:
    sim_reply_release(&r);
    cJSON_Delete(item);
    cJSON_Delete(req);
    return rc;
}

int tw_user_get(lambda_ctx *ctx, const char *alias, cJSON **out_item)
{
    cJSON *req = keyed_req(TW_USERS_TABLE(ctx), tw_key1("alias", alias));
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if (req == NULL || cJSON_AddTrueToObject(req, "ConsistentRead") == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    if ((rc = tw_ddb(ctx, "GetItem", req, NULL, &r)) != 0)
        goto out;
    *out_item = cJSON_DetachItemFromObjectCaseSensitive(r.body, "Item");
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    return rc;
}

cJSON *tw_user_get_req(const lambda_ctx *ctx, const char *alias)
{
    cJSON *req = cJSON_CreateObject(), *key = tw_key1("alias", alias), *names;

    if (req == NULL || key == NULL || !cJSON_AddItemToObject(req, "Key", key)) {
        cJSON_Delete(req);
        cJSON_Delete(key);
        return NULL;
    }
    if (cJSON_AddStringToObject(req, "TableName", TW_USERS_TABLE(ctx)) == NULL ||
        cJSON_AddStringToObject(req, "ProjectionExpression", "#a, #f, #l, #i") == NULL ||
        (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#a", "alias") == NULL ||
        cJSON_AddStringToObject(names, "#f", "first_name") == NULL ||
        cJSON_AddStringToObject(names, "#l", "last_name") == NULL ||
        cJSON_AddStringToObject(names, "#i", "image_url") == NULL) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

/* The item of pool whose alias is alias, or NULL. */
static const cJSON *find_user(const cJSON *pool, const char *alias)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, pool)
    {
        const char *a = tw_item_s(it, "alias");
        if (a != NULL && strcmp(a, alias) == 0)
            return it;
    }
    return NULL;
}

/* BatchGetItem users for keys (a Keys array, taken), appending the items to pool and
 * retrying UnprocessedKeys with backoff. Returns 0 or -SIM_EFUNC. */
static int users_batch_get(lambda_ctx *ctx, cJSON *keys, cJSON *pool)
{
    const char *table = TW_USERS_TABLE(ctx);
    cJSON *req = NULL, *ri, *spec, *names, *got, *it;
    sim_reply r;
    int rc = 0, attempt = 0;

    sim_reply_init(&r);
    if ((req = cJSON_CreateObject()) == NULL ||
        (ri = cJSON_AddObjectToObject(req, "RequestItems")) == NULL ||
        (spec = cJSON_AddObjectToObject(ri, table)) == NULL ||
        cJSON_AddStringToObject(spec, "ProjectionExpression", "#a, #f, #l, #i") == NULL ||
        (names = cJSON_AddObjectToObject(spec, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#a", "alias") == NULL ||
        cJSON_AddStringToObject(names, "#f", "first_name") == NULL ||
        cJSON_AddStringToObject(names, "#l", "last_name") == NULL ||
        cJSON_AddStringToObject(names, "#i", "image_url") == NULL) {
        cJSON_Delete(keys);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    cJSON_AddItemToObject(spec, "Keys", keys);
    for (;;) {
        if ((rc = tw_ddb(ctx, "BatchGetItem", req, NULL, &r)) != 0)
            goto out;
        got = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(r.body, "Responses"), table);
        while (cJSON_GetArraySize(got) > 0) {
            it = cJSON_DetachItemFromArray(got, 0);
            cJSON_AddItemToArray(pool, it);
        }
        keys = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(r.body, "UnprocessedKeys"), table),
            "Keys");
        if (cJSON_GetArraySize(keys) == 0)
            break;
        if (++attempt > TW_MAX_STALLS) {
            rc = tw_fault(ctx, "DynamoDB BatchGetItem on %s: keys still unprocessed", table);
            goto out;
        }
        keys = cJSON_DetachItemFromObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(r.body, "UnprocessedKeys"), table),
            "Keys");
        cJSON_ReplaceItemInObjectCaseSensitive(spec, "Keys", keys);
        sim_reply_clear(&r);
        rc = lambda_sleep(ctx, tw_backoff_full_jitter(lambda_rng(ctx), attempt,
                                                       TW_BACKOFF_BASE_US, TW_BACKOFF_CAP_US));
        if (rc != 0) {
            rc = tw_fault(ctx, "interrupted: %s", sim_strerror(rc));
            goto out;
        }
    }
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    return rc;
}

int tw_users_dtos(lambda_ctx *ctx, const char *const *aliases, int n, cJSON **out_arr)
{
    cJSON *pool = cJSON_CreateArray(), *arr = cJSON_CreateArray(), *keys = NULL, *dto;
    int rc = 0, i, j;

    if (pool == NULL || arr == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i += TW_BATCH_GET_MAX) {
        if ((keys = cJSON_CreateArray()) == NULL) {
            rc = tw_fault(ctx, "out of memory");
            goto out;
        }
        for (j = i; j < n && j < i + TW_BATCH_GET_MAX; j++)
            cJSON_AddItemToArray(keys, tw_key1("alias", aliases[j]));
        if ((rc = users_batch_get(ctx, keys, pool)) != 0) /* takes keys */
            goto out;
    }
    for (i = 0; i < n; i++) {
        const cJSON *item = find_user(pool, aliases[i]);
        dto = item != NULL ? tw_user_dto_from_item(item) : tw_user_dto(aliases[i], "", "", "");
        if (dto == NULL) {
            rc = tw_fault(ctx, "out of memory");
            goto out;
        }
        cJSON_AddItemToArray(arr, dto);
    }
    *out_arr = arr;
    arr = NULL;
out:
    cJSON_Delete(pool);
    cJSON_Delete(arr);
    return rc;
}

int tw_page_req_read(lambda_ctx *ctx, const cJSON *event, tw_page_kind kind,
                     tw_page_req *out)
{
    char me[TW_ALIAS_MAX + 1];
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(event, "pageSize");
    const char *alias = NULL;
    cJSON *key = NULL;
    int rc;

    if ((rc = tw_auth_check(ctx, event, me, sizeof(me))) != 0 ||
        (rc = tw_req_alias(ctx, event, "userAlias", 0, &alias)) != 0)
        return rc;
    if (size == NULL || cJSON_IsNull(size))
        return tw_missing(ctx, "pageSize");
    if (!cJSON_IsNumber(size) || size->valuedouble < 1 || size->valuedouble > 1000000 ||
        size->valuedouble != (double)(int)size->valuedouble)
        return tw_bad(ctx, "Invalid pageSize: must be a whole number >= 1");
    rc = tw_page_start_key(kind, alias, cJSON_GetObjectItemCaseSensitive(event, "lastItem"),
                           &key);
    if (rc == -SIM_EINVAL)
        return tw_bad(ctx, "Invalid lastItem");
    if (rc != 0)
        return tw_fault(ctx, "out of memory");
    out->kind = kind;
    out->user_alias = alias;
    out->page_size = (int)size->valuedouble;
    out->start_key = key;
    return 0;
}

int tw_page_query(lambda_ctx *ctx, tw_page_req *pr, sim_reply *out)
{
    cJSON *req = NULL, *key = pr->start_key;
    int rc;

    pr->start_key = NULL;
    switch (pr->kind) {
    case TW_PAGE_FOLLOWERS:
        req = tw_query_req(TW_FOLLOWS_TABLE(ctx), TW_FOLLOWS_INDEX(ctx), "followee_handle",
                           pr->user_alias, pr->page_size, 1, key);
        break;
    case TW_PAGE_FOLLOWEES:
        req = tw_query_req(TW_FOLLOWS_TABLE(ctx), NULL, "follower_handle", pr->user_alias,
                           pr->page_size, 1, key);
        break;
    case TW_PAGE_STORY:
        req = tw_query_req(TW_STORY_TABLE(ctx), NULL, "alias", pr->user_alias, pr->page_size,
                           0, key);
        break;
    case TW_PAGE_FEED:
        req = tw_query_req(TW_FEED_TABLE(ctx), NULL, "alias", pr->user_alias, pr->page_size,
                           0, key);
        break;
    default:
        cJSON_Delete(key);
        break;
    }
    if (req == NULL)
        return tw_fault(ctx, "out of memory");
    rc = tw_ddb(ctx, "Query", req, NULL, out);
    cJSON_Delete(req);
    return rc;
}

/* 1 for an AWS error after which the same BatchWriteItem may simply be sent again. */
static int retryable(const sim_reply *r)
{
    return r->status >= 500 || strcmp(r->code, "ProvisionedThroughputExceededException") == 0 ||
           strcmp(r->code, "ThrottlingException") == 0 ||
           strcmp(r->code, "RequestLimitExceeded") == 0;
}

/* Move every element of from to the end of to. (Not cJSON_InsertItemInArray: in cJSON
 * 1.7.15 repeated inserts near the head drop items.) */
static void requeue(cJSON *to, cJSON *from)
{
    while (cJSON_GetArraySize(from) > 0)
        cJSON_AddItemToArray(to, cJSON_DetachItemFromArray(from, 0));
}

/* {"RequestItems": {table: [up to 25 requests moved from the front of pool]}}. */
static cJSON *take_batch(cJSON *pool, const char *table, int *out_n)
{
    cJSON *req = cJSON_CreateObject(), *ri, *arr;
    int n = 0;

    if (req == NULL || (ri = cJSON_AddObjectToObject(req, "RequestItems")) == NULL ||
        (arr = cJSON_AddArrayToObject(ri, table)) == NULL) {
        cJSON_Delete(req);
        return NULL;
    }
    while (n < TW_BATCH_WRITE_MAX && cJSON_GetArraySize(pool) > 0) {
        cJSON_AddItemToArray(arr, cJSON_DetachItemFromArray(pool, 0));
        n++;
    }
    *out_n = n;
    return req;
}

/* Await one started BatchWriteItem: its unprocessed (or throttled) requests go back to
 * pool. Returns 0, -SIM_EIO for a non-retryable AWS error, or the call's error. */
static int batch_await(lambda_ctx *ctx, sim_call *call, cJSON *sent, const char *table,
                       cJSON *pool, int *io_requeued)
{
    cJSON *unproc, *sent_arr = cJSON_GetObjectItemCaseSensitive(
                       cJSON_GetObjectItemCaseSensitive(sent, "RequestItems"), table);
    char why[512];
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    rc = sim_await(ctx, call, &r);
    if (rc == 0 && sim_reply_failed(&r)) {
        if (retryable(&r)) {
            *io_requeued += cJSON_GetArraySize(sent_arr);
            requeue(pool, sent_arr);
        } else {
            rc = -SIM_EIO;
        }
    } else if (rc == 0) {
        unproc = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(r.body, "UnprocessedItems"), table);
        *io_requeued += cJSON_GetArraySize(unproc);
        requeue(pool, unproc);
    }
    if (rc != 0)
        lambda_log(ctx, "BatchWriteItem on %s failed: %s", table,
                   tw_call_why(rc, &r, why, sizeof(why)));
    sim_reply_release(&r);
    return rc;
}

int tw_batch_write(lambda_ctx *ctx, const char *table, cJSON *reqs, int in_flight,
                   tw_backoff_kind backoff, long *io_retries)
{
    sim_call *calls[TW_IN_FLIGHT_MAX];
    cJSON *sent[TW_IN_FLIGHT_MAX];
    int rc = 0, attempt = 0, stalls = 0, i, n, started, sent_items, requeued, crc;
    sim_time_us delay;

    if (in_flight < 1)
        in_flight = 1;
    if (in_flight > TW_IN_FLIGHT_MAX)
        in_flight = TW_IN_FLIGHT_MAX;
    while (rc == 0 && cJSON_GetArraySize(reqs) > 0) {
        started = sent_items = requeued = 0;
        while (started < in_flight && cJSON_GetArraySize(reqs) > 0) {
            if ((sent[started] = take_batch(reqs, table, &n)) == NULL) {
                rc = -SIM_ENOMEM;
                break;
            }
            if ((calls[started] = sim_ddb_start(ctx, "BatchWriteItem", sent[started])) == NULL) {
                cJSON_Delete(sent[started]);
                rc = -SIM_ENOMEM;
                break;
            }
            sent_items += n;
            started++;
        }
        for (i = 0; i < started; i++) { /* every started call is awaited */
            crc = batch_await(ctx, calls[i], sent[i], table, reqs, &requeued);
            rc = rc != 0 ? rc : crc;
            cJSON_Delete(sent[i]);
        }
        if (rc != 0 || requeued == 0) {
            attempt = 0;
            continue;
        }
        stalls = requeued >= sent_items ? stalls + 1 : 0;
        if (stalls >= TW_MAX_STALLS) {
            lambda_log(ctx, "BatchWriteItem on %s: %d requests still unprocessed after %d "
                            "rounds without progress; giving up", table,
                       cJSON_GetArraySize(reqs), stalls);
            rc = -SIM_EIO;
            break;
        }
        if (io_retries != NULL)
            (*io_retries)++;
        delay = backoff == TW_BACKOFF_LINEAR
                    ? tw_backoff_linear(attempt, TW_BACKOFF_BASE_US, TW_BACKOFF_STEP_US,
                                        TW_BACKOFF_CAP_US)
                    : tw_backoff_full_jitter(lambda_rng(ctx), attempt, TW_BACKOFF_BASE_US,
                                             TW_BACKOFF_CAP_US);
        attempt++;
        rc = lambda_sleep(ctx, delay);
    }
    cJSON_Delete(reqs);
    return rc;
}
