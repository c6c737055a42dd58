/* test_tw_paging.c - ExclusiveStartKey construction from a page's lastItem and the Query
 * requests of the four paged lists. Sources: /work/shared/tweeter-api.md section 4
 * "Paging" (followers {follower_handle: lastItem.alias, followee_handle: userAlias},
 * followees {follower_handle: userAlias, followee_handle: lastItem.alias}, story
 * {alias, timestamp}, feed {alias, time_alias}; story and feed newest first); DynamoDB API
 * Reference, Query (KeyConditionExpression, ExpressionAttributeNames, Limit,
 * ScanIndexForward, ExclusiveStartKey). */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The start key for kind / lastItem text, printed compactly (caller frees). */
static char *start_key(tw_page_kind kind, const char *user, const char *last_json, int *out_rc)
{
    cJSON *last = last_json != NULL ? cJSON_Parse(last_json) : NULL;
    cJSON *key = (cJSON *)1;
    char *text = NULL;

    *out_rc = tw_page_start_key(kind, user, last, &key);
    if (*out_rc == 0 && key != NULL)
        text = cJSON_PrintUnformatted(key);
    else if (*out_rc == 0)
        text = NULL;
    if (*out_rc == 0)
        cJSON_Delete(key);
    else
        cr_assert_eq(key, (cJSON *)1, "key written on error");
    cJSON_Delete(last);
    return text;
}

/* First page: no lastItem, or lastItem null -> no ExclusiveStartKey. */
Test(tw_paging, first_page_has_no_key)
{
    int rc;

    cr_assert_null(start_key(TW_PAGE_FOLLOWERS, "@bob", NULL, &rc));
    cr_assert_eq(rc, 0);
    cr_assert_null(start_key(TW_PAGE_FEED, "@bob", "null", &rc));
    cr_assert_eq(rc, 0);
}

Test(tw_paging, followers_key)
{
    int rc;
    char *k = start_key(TW_PAGE_FOLLOWERS, "@bob",
                        "{\"firstName\":\"F\",\"lastName\":\"L\",\"alias\":\"@f10\",\"imageUrl\":\"\"}",
                        &rc);

    cr_assert_eq(rc, 0);
    cr_assert_str_eq(k, "{\"follower_handle\":{\"S\":\"@f10\"},\"followee_handle\":{\"S\":\"@bob\"}}");
    cJSON_free(k);
}

Test(tw_paging, followees_key)
{
    int rc;
    char *k = start_key(TW_PAGE_FOLLOWEES, "@alice", "{\"alias\":\"@bob\"}", &rc);

    cr_assert_eq(rc, 0);
    cr_assert_str_eq(k,
                     "{\"follower_handle\":{\"S\":\"@alice\"},\"followee_handle\":{\"S\":\"@bob\"}}");
    cJSON_free(k);
}

Test(tw_paging, story_key)
{
    int rc;
    char *k = start_key(TW_PAGE_STORY, "@daisy",
                        "{\"post\":\"p\",\"user\":{\"alias\":\"@daisy\"},\"timestamp\":1767225600123}",
                        &rc);

    cr_assert_eq(rc, 0);
    cr_assert_str_eq(k, "{\"alias\":{\"S\":\"@daisy\"},\"timestamp\":{\"N\":\"1767225600123\"}}");
    cJSON_free(k);
}

Test(tw_paging, feed_key)
{
    int rc;
    char *k = start_key(TW_PAGE_FEED, "@donald1",
                        "{\"post\":\"p\",\"user\":{\"alias\":\"@daisy\"},\"timestamp\":1767225600000}",
                        &rc);

    cr_assert_eq(rc, 0);
    cr_assert_str_eq(k, "{\"alias\":{\"S\":\"@donald1\"},"
                        "\"time_alias\":{\"S\":\"2026-01-01T00:00:00.000Z#@daisy\"}}");
    cJSON_free(k);
}

/* A lastItem without the needed fields -> -SIM_EINVAL (400), nothing written. */
Test(tw_paging, malformed_last_items)
{
    int rc;

    cr_assert_null(start_key(TW_PAGE_FOLLOWERS, "@bob", "{\"firstName\":\"x\"}", &rc));
    cr_assert_eq(rc, -SIM_EINVAL);
    cr_assert_null(start_key(TW_PAGE_STORY, "@bob", "{\"post\":\"p\"}", &rc));
    cr_assert_eq(rc, -SIM_EINVAL);
    cr_assert_null(start_key(TW_PAGE_STORY, "@bob", "{\"timestamp\":\"12\"}", &rc));
    cr_assert_eq(rc, -SIM_EINVAL);
    cr_assert_null(start_key(TW_PAGE_FEED, "@bob", "{\"timestamp\":12}", &rc));
    cr_assert_eq(rc, -SIM_EINVAL);
    cr_assert_null(start_key(TW_PAGE_FEED, "@bob", "{\"user\":{\"alias\":\"@a\"}}", &rc));
    cr_assert_eq(rc, -SIM_EINVAL);
    cr_assert_null(start_key(TW_PAGE_FEED, "@bob", "\"@a\"", &rc));
    cr_assert_eq(rc, -SIM_EINVAL);
}

/* Followers: Query the GSI on followee_handle, ascending, with the start key. */
Test(tw_paging, query_request_followers)
{
    cJSON *key = tw_key2("follower_handle", "@f10", "followee_handle", "@bob");
    cJSON *req = tw_query_req("follows", "follows_index", "followee_handle", "@bob", 10, 1, key);
    char *text = cJSON_PrintUnformatted(req);

    cr_assert_str_eq(text, "{\"TableName\":\"follows\",\"IndexName\":\"follows_index\","
                           "\"KeyConditionExpression\":\"#k = :k\","
                           "\"ExpressionAttributeNames\":{\"#k\":\"followee_handle\"},"
                           "\"ExpressionAttributeValues\":{\":k\":{\"S\":\"@bob\"}},"
                           "\"Limit\":10,\"ScanIndexForward\":true,"
                           "\"ExclusiveStartKey\":{\"follower_handle\":{\"S\":\"@f10\"},"
                           "\"followee_handle\":{\"S\":\"@bob\"}}}");
    cJSON_free(text);
    cJSON_Delete(req);
}

/* Feed: the table itself, newest first, no start key, no Limit when <= 0. */
Test(tw_paging, query_request_feed)
{
    cJSON *req = tw_query_req("feed", NULL, "alias", "@donald1", 0, 0, NULL);
    char *text = cJSON_PrintUnformatted(req);

    cr_assert_str_eq(text, "{\"TableName\":\"feed\",\"KeyConditionExpression\":\"#k = :k\","
                           "\"ExpressionAttributeNames\":{\"#k\":\"alias\"},"
                           "\"ExpressionAttributeValues\":{\":k\":{\"S\":\"@donald1\"}},"
                           "\"ScanIndexForward\":false}");
    cJSON_free(text);
    cJSON_Delete(req);
}
