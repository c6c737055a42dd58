/* tw_follow.c - the follow endpoints: follow, unfollow, isFollower, the two counts and the
 * two paged lists (tweeter-api.md 2.1, 4.2). Follow rows are keyed (follower_handle,
 * followee_handle); the GSI follows_index reverses them. Counts live on the users rows and
 * change with UpdateItem ADD only when a follow row really appeared or disappeared. */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {"TableName": follows, "Key"/"Item": {follower_handle, followee_handle}}; NULL on ENOMEM. */
static cJSON *follow_req(lambda_ctx *ctx, const char *member, const char *follower,
                         const char *followee)
{
    cJSON *req = cJSON_CreateObject();
    cJSON *key = tw_key2("follower_handle", follower, "followee_handle", followee);

    if (req == NULL || key == NULL ||
        cJSON_AddStringToObject(req, "TableName", TW_FOLLOWS_TABLE(ctx)) == NULL ||
        !cJSON_AddItemToObject(req, member, key)) {
        cJSON_Delete(req);
        cJSON_Delete(key);
        return NULL;
    }
    return req;
}

/* Add `ConditionExpression: <fn>(#f)` with #f = follower_handle; 0 or -SIM_ENOMEM. */
static int add_condition(cJSON *req, const char *expr)
{
    cJSON *names;

    if (cJSON_AddStringToObject(req, "ConditionExpression", expr) == NULL ||
        (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#f", "follower_handle") == NULL)
        return -SIM_ENOMEM;
    return 0;
}

/* UpdateItem users[alias] ADD <attr> delta (the row must exist), returning ALL_NEW. */
static cJSON *count_req(lambda_ctx *ctx, const char *alias, const char *attr, int delta)
{
    cJSON *req = cJSON_CreateObject(), *key = tw_key1("alias", alias), *names, *vals;

    if (req == NULL || key == NULL || !cJSON_AddItemToObject(req, "Key", key)) {
        cJSON_Delete(req);
        cJSON_Delete(key);
        return NULL;
    }
    if (cJSON_AddStringToObject(req, "TableName", TW_USERS_TABLE(ctx)) == NULL ||
        cJSON_AddStringToObject(req, "UpdateExpression", "ADD #c :d") == NULL ||
        cJSON_AddStringToObject(req, "ConditionExpression", "attribute_exists(#a)") == NULL ||
        (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#c", attr) == NULL ||
        cJSON_AddStringToObject(names, "#a", "alias") == NULL ||
        (vals = cJSON_AddObjectToObject(req, "ExpressionAttributeValues")) == NULL ||
        tw_item_add_n(vals, ":d", delta) != 0 ||
        cJSON_AddStringToObject(req, "ReturnValues", "ALL_NEW") == NULL) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

/* Both counts in one round trip: target's follower_count and me's followee_count move by
 * delta. *out_target gets target's new row (owned by caller). 0 or -SIM_EFUNC. */
static int counts_move(lambda_ctx *ctx, const char *me, const char *target, int delta,
                       cJSON **out_target)
{
    cJSON *r1 = count_req(ctx, target, "follower_count", delta);
    cJSON *r2 = count_req(ctx, me, "followee_count", delta);
    sim_call *c1 = NULL, *c2 = NULL;
    sim_reply o1, o2;
    int rc1, rc2;

    sim_reply_init(&o1);
    sim_reply_init(&o2);
    if (r1 != NULL && r2 != NULL) {
        c1 = sim_ddb_start(ctx, "UpdateItem", r1);
        c2 = sim_ddb_start(ctx, "UpdateItem", r2);
    }
    rc1 = c1 != NULL ? sim_await(ctx, c1, &o1) : -SIM_ENOMEM; /* both awaited, always */
    rc2 = c2 != NULL ? sim_await(ctx, c2, &o2) : -SIM_ENOMEM;
    if (rc1 != 0 || sim_reply_failed(&o1))
        rc1 = tw_fault_call(ctx, "DynamoDB UpdateItem on users", rc1, &o1);
    else if (rc2 != 0 || sim_reply_failed(&o2))
        rc2 = tw_fault_call(ctx, "DynamoDB UpdateItem on users", rc2, &o2);
    else
        *out_target = cJSON_DetachItemFromObjectCaseSensitive(o1.body, "Attributes");
    sim_reply_release(&o1);
    sim_reply_release(&o2);
    cJSON_Delete(r1);
    cJSON_Delete(r2);
    return rc1 != 0 ? rc1 : rc2;
}

/* {success, message, followerCount, followeeCount} from a users row; NULL on ENOMEM. */
static cJSON *counts_resp(const cJSON *user)
{
    int64_t followers = 0, followees = 0;
    cJSON *resp = tw_resp_ok();

    tw_item_n(user, "follower_count", &followers);
    tw_item_n(user, "followee_count", &followees);
    if (resp == NULL ||
        cJSON_AddNumberToObject(resp, "followerCount", (double)followers) == NULL ||
        cJSON_AddNumberToObject(resp, "followeeCount", (double)followees) == NULL) {
        cJSON_Delete(resp);
        return NULL;
    }
    return resp;
}

/* follow (follow = 1) or unfollow (0) event.user for the token's owner. */
static int follow_change(lambda_ctx *ctx, const cJSON *event, int follow, cJSON **out_result)
{
    char me[TW_ALIAS_MAX + 1];
    const char *target = NULL;
    cJSON *user = NULL, *req = NULL, *after = NULL;
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if ((rc = tw_auth_check(ctx, event, me, sizeof(me))) != 0 ||
        (rc = tw_req_alias(ctx, event, "user", 1, &target)) != 0)
        goto out;
    if (strcmp(me, target) == 0) {
        rc = tw_bad(ctx, "Cannot %s yourself", follow ? "follow" : "unfollow");
        goto out;
    }
    if ((rc = tw_user_get(ctx, target, &user)) != 0)
        goto out;
    if (user == NULL) {
        rc = tw_bad(ctx, "User %s does not exist", target);
        goto out;
    }
    req = follow_req(ctx, follow ? "Item" : "Key", me, target);
    if (req == NULL ||
        add_condition(req, follow ? "attribute_not_exists(#f)" : "attribute_exists(#f)")) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    rc = tw_ddb(ctx, follow ? "PutItem" : "DeleteItem", req, "ConditionalCheckFailedException",
                &r);
    if (rc == 0) /* the row really changed: move both counts */
        rc = counts_move(ctx, me, target, follow ? 1 : -1, &after);
    else if (rc == 1) /* already (not) following: counts unchanged */
        rc = 0;
    if (rc != 0)
        goto out;
    if ((*out_result = counts_resp(after != NULL ? after : user)) == NULL)
        rc = tw_fault(ctx, "out of memory");
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    cJSON_Delete(user);
    cJSON_Delete(after);
    return rc;
}

int tw_follow(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return follow_change(ctx, event, 1, out_result);
}

int tw_unfollow(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return follow_change(ctx, event, 0, out_result);
}

int tw_is_follower(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    char me[TW_ALIAS_MAX + 1];
    const char *follower = NULL, *followee = NULL;
    cJSON *req = NULL, *resp = NULL;
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if ((rc = tw_auth_check(ctx, event, me, sizeof(me))) != 0 ||
        (rc = tw_req_alias(ctx, event, "user", 1, &follower)) != 0 ||
        (rc = tw_req_alias(ctx, event, "selectedUser", 1, &followee)) != 0)
        goto out;
    if ((req = follow_req(ctx, "Key", follower, followee)) == NULL ||
        cJSON_AddTrueToObject(req, "ConsistentRead") == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    if ((rc = tw_ddb(ctx, "GetItem", req, NULL, &r)) != 0)
        goto out;
    if ((resp = tw_resp_ok()) == NULL ||
        cJSON_AddBoolToObject(resp, "isFollower",
                              cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r.body, "Item"))) ==
            NULL) {
        cJSON_Delete(resp);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    *out_result = resp;
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    return rc;
}

/* {token, user} -> {success, message, count} from users[user.alias].<attr> (0 if absent). */
static int count_of(lambda_ctx *ctx, const cJSON *event, const char *attr, cJSON **out_result)
{
    char me[TW_ALIAS_MAX + 1];
    const char *alias = NULL;
    cJSON *item = NULL, *resp = NULL;
    int64_t count = 0;
    int rc;

    if ((rc = tw_auth_check(ctx, event, me, sizeof(me))) != 0 ||
        (rc = tw_req_alias(ctx, event, "user", 1, &alias)) != 0 ||
        (rc = tw_user_get(ctx, alias, &item)) != 0)
        goto out;
    tw_item_n(item, attr, &count);
    if ((resp = tw_resp_ok()) == NULL ||
        cJSON_AddNumberToObject(resp, "count", (double)count) == NULL) {
        cJSON_Delete(resp);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    *out_result = resp;
out:
    cJSON_Delete(item);
    return rc;
}

int tw_follower_count(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return count_of(ctx, event, "follower_count", out_result);
}

int tw_followee_count(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return count_of(ctx, event, "followee_count", out_result);
}

/* A page of followers or followees as UserDtos, in the index's order. */
static int follow_page(lambda_ctx *ctx, const cJSON *event, tw_page_kind kind,
                       cJSON **out_result)
{
    const char *attr = kind == TW_PAGE_FOLLOWERS ? "follower_handle" : "followee_handle";
    const char **aliases = NULL;
    const cJSON *items, *it;
    cJSON *dtos = NULL;
    tw_page_req pr;
    sim_reply r;
    int rc, n = 0;

    sim_reply_init(&r);
    if ((rc = tw_page_req_read(ctx, event, kind, &pr)) != 0 ||
        (rc = tw_page_query(ctx, &pr, &r)) != 0)
        goto out;
    items = cJSON_GetObjectItemCaseSensitive(r.body, "Items");
    if ((aliases = calloc((size_t)cJSON_GetArraySize(items) + 1, sizeof(*aliases))) == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    cJSON_ArrayForEach(it, items)
    {
        if (tw_item_s(it, attr) != NULL)
            aliases[n++] = tw_item_s(it, attr);
    }
    if ((rc = tw_users_dtos(ctx, aliases, n, &dtos)) != 0)
        goto out;
    *out_result = tw_page_resp(dtos, cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
                                         r.body, "LastEvaluatedKey")));
    if (*out_result == NULL)
        rc = tw_fault(ctx, "out of memory");
out:
    free(aliases);
    sim_reply_release(&r);
    return rc;
}

int tw_followers(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return follow_page(ctx, event, TW_PAGE_FOLLOWERS, out_result);
}

int tw_followees(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    return follow_page(ctx, event, TW_PAGE_FOLLOWEES, out_result);
}
