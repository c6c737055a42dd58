/* tw_status.c - the status endpoints: postStatus (story row + post-status message, in
 * parallel) and the story and feed pages, newest first (tweeter-api.md 2.1, 4.4, 4.5, 6.1).
 * The fan-out consumers that fill the feed are in tw_fanout.c. */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PutItem story {alias, timestamp, post}; NULL on ENOMEM. */
static cJSON *story_put_req(lambda_ctx *ctx, const tw_status *st)
{
    cJSON *req = cJSON_CreateObject(), *item = cJSON_CreateObject();

    if (req == NULL || item == NULL || tw_item_add_s(item, "alias", st->alias) != 0 ||
        tw_item_add_n(item, "timestamp", st->timestamp_ms) != 0 ||
        tw_item_add_s(item, "post", st->post) != 0 ||
        cJSON_AddStringToObject(req, "TableName", TW_STORY_TABLE(ctx)) == NULL ||
        !cJSON_AddItemToObject(req, "Item", item)) {
        cJSON_Delete(req);
        cJSON_Delete(item);
        return NULL;
    }
    return req;
}

/* SendMessage {QueueUrl, MessageBody: {"status": StatusDto}}; NULL on ENOMEM. */
static cJSON *post_msg_req(lambda_ctx *ctx, const tw_status *st)
{
    cJSON *body = cJSON_CreateObject(), *dto = tw_status_dto(st), *req = NULL;
    char *text = NULL;

    if (body == NULL || dto == NULL || !cJSON_AddItemToObject(body, "status", dto)) {
        cJSON_Delete(dto);
        goto out;
    }
    if ((text = cJSON_PrintUnformatted(body)) == NULL || (req = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(req, "QueueUrl", TW_POST_QUEUE(ctx)) == NULL ||
        cJSON_AddStringToObject(req, "MessageBody", text) == NULL) {
        cJSON_Delete(req);
        req = NULL;
    }
out:
    cJSON_free(text);
    cJSON_Delete(body);
    return req;
}

int tw_post_status(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    char me[TW_ALIAS_MAX + 1], what[160];
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(event, "newStatus");
    const char *missing = NULL;
    cJSON *put = NULL, *send = NULL;
    sim_call *c_put = NULL, *c_send = NULL;
    sim_reply r_put, r_send;
    tw_status st;
    int rc, rc_put, rc_send;

    sim_reply_init(&r_put);
    sim_reply_init(&r_send);
    if ((rc = tw_auth_check(ctx, event, me, sizeof(me))) != 0)
        goto out;
    if (!cJSON_IsObject(ns)) {
        rc = tw_missing(ctx, "newStatus");
        goto out;
    }
    if (tw_status_read(ns, &st, &missing) != 0) {
        rc = tw_bad(ctx, "Request is missing newStatus.%s", missing);
        goto out;
    }
    if (strcmp(st.alias, me) != 0) {
        rc = tw_bad(ctx, "Status author %.300s does not match the auth token's user",
                    st.alias);
        goto out;
    }
    if (tw_blank(st.post)) {
        rc = tw_bad(ctx, "Post must not be empty");
        goto out;
    }
    if (!st.has_timestamp) /* the client stamps it; fall back to the server's time */
        st.timestamp_ms = lambda_epoch_ms(ctx);
    if ((put = story_put_req(ctx, &st)) == NULL || (send = post_msg_req(ctx, &st)) == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    /* the story row and the queue message travel together (tweeter-api.md section 6.1) */
    c_put = sim_ddb_start(ctx, "PutItem", put);
    c_send = c_put != NULL ? sim_sqs_start(ctx, "SendMessage", send) : NULL;
    rc_put = c_put != NULL ? sim_await(ctx, c_put, &r_put) : -SIM_ENOMEM;
    rc_send = c_send != NULL ? sim_await(ctx, c_send, &r_send) : -SIM_ENOMEM;
    if (rc_put != 0 || sim_reply_failed(&r_put)) {
        snprintf(what, sizeof(what), "DynamoDB PutItem on %s", TW_STORY_TABLE(ctx));
        rc = tw_fault_call(ctx, what, rc_put, &r_put);
    } else if (rc_send != 0 || sim_reply_failed(&r_send)) {
        snprintf(what, sizeof(what), "SQS SendMessage to %s", TW_POST_QUEUE(ctx));
        rc = tw_fault_call(ctx, what, rc_send, &r_send);
    } else if ((*out_result = tw_resp_ok()) == NULL) {
        rc = tw_fault(ctx, "out of memory");
    }
out:
    sim_reply_release(&r_put);
    sim_reply_release(&r_send);
    cJSON_Delete(put);
    cJSON_Delete(send);
    return rc;
}

/* Map a Query reply's Items to StatusDtos into a paged response. owner is the story
 * owner's DTO (story) or NULL (feed: denormalized authors). */
static int status_page(lambda_ctx *ctx, const sim_reply *r, const cJSON *owner,
                       cJSON **out_result)
{
    const cJSON *it;
    cJSON *items = cJSON_CreateArray(), *dto;

    if (items == NULL)
        return tw_fault(ctx, "out of memory");
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->body, "Items"))
    {
        dto = owner != NULL ? tw_status_dto_from_story(it, owner) : tw_status_dto_from_feed(it);
        if (dto == NULL) {
            lambda_log(ctx, "skipping a malformed %s row", owner != NULL ? "story" : "feed");
            continue;
        }
        cJSON_AddItemToArray(items, dto);
    }
    *out_result = tw_page_resp(
        items, cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r->body, "LastEvaluatedKey")));
    return *out_result != NULL ? 0 : tw_fault(ctx, "out of memory");
}

int tw_story(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    cJSON *ureq = NULL, *owner = NULL;
    sim_call *c_user = NULL;
    sim_reply r, ru;
    tw_page_req pr;
    int rc, rc_user;

    sim_reply_init(&r);
    sim_reply_init(&ru);
    if ((rc = tw_page_req_read(ctx, event, TW_PAGE_STORY, &pr)) != 0)
        goto out;
    /* the owner's row is read while the page is queried */
    if ((ureq = tw_user_get_req(ctx, pr.user_alias)) == NULL ||
        (c_user = sim_ddb_start(ctx, "GetItem", ureq)) == NULL) {
        cJSON_Delete(pr.start_key);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    rc = tw_page_query(ctx, &pr, &r);
    rc_user = sim_await(ctx, c_user, &ru);
    if (rc != 0)
        goto out;
    if (rc_user != 0 || sim_reply_failed(&ru)) {
        rc = tw_fault_call(ctx, "DynamoDB GetItem on users", rc_user, &ru);
        goto out;
    }
    owner = tw_user_dto_from_item(cJSON_GetObjectItemCaseSensitive(ru.body, "Item"));
    if (owner == NULL) /* no users row (story rows without a user): alias only */
        owner = tw_user_dto(pr.user_alias, "", "", "");
    if (owner == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    rc = status_page(ctx, &r, owner, out_result);
out:
    sim_reply_release(&r);
    sim_reply_release(&ru);
    cJSON_Delete(ureq);
    cJSON_Delete(owner);
    return rc;
}

int tw_feed(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    sim_reply r;
    tw_page_req pr;
    int rc;

    sim_reply_init(&r);
    if ((rc = tw_page_req_read(ctx, event, TW_PAGE_FEED, &pr)) != 0 ||
        (rc = tw_page_query(ctx, &pr, &r)) != 0)
        goto out;
    rc = status_page(ctx, &r, NULL, out_result);
out:
    sim_reply_release(&r);
    return rc;
}
