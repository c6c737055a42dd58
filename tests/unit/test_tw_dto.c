/* test_tw_dto.c - canonical DTOs built from table items and the DynamoDB attribute-value
 * helpers. Sources: /work/shared/tweeter-api.md section 2 (UserDto {firstName, lastName,
 * alias, imageUrl}; StatusDto {post, user, timestamp}; envelope {success, message};
 * never a password hash) and section 4 (users/story/feed attribute names); DynamoDB API
 * Reference, AttributeValue (S is a string, N a number sent as a string). */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Print doc compactly, compare with want, free both. */
static void expect_json(cJSON *doc, const char *want)
{
    char *text;

    cr_assert_not_null(doc);
    text = cJSON_PrintUnformatted(doc);
    cr_assert_str_eq(text, want);
    cJSON_free(text);
    cJSON_Delete(doc);
}

/* AttributeValue: {"S": "..."} and {"N": "<decimal>"}. */
Test(tw_dto, attribute_values)
{
    expect_json(tw_av_s("@a"), "{\"S\":\"@a\"}");
    expect_json(tw_av_n(1767225600123LL), "{\"N\":\"1767225600123\"}");
    expect_json(tw_av_n(-5), "{\"N\":\"-5\"}");
    expect_json(tw_key1("token", "t"), "{\"token\":{\"S\":\"t\"}}");
    expect_json(tw_key2("follower_handle", "@a", "followee_handle", "@b"),
                "{\"follower_handle\":{\"S\":\"@a\"},\"followee_handle\":{\"S\":\"@b\"}}");
}

/* Reading S and N attributes; N accepts an integral decimal like "3.0". */
Test(tw_dto, item_readers)
{
    cJSON *item = cJSON_Parse("{\"a\":{\"S\":\"x\"},\"n\":{\"N\":\"42\"},\"f\":{\"N\":\"3.0\"},"
                              "\"bad\":{\"N\":\"4x\"},\"s\":{\"N\":\"\"},\"wrong\":{\"S\":\"7\"}}");
    int64_t v = -1;

    cr_assert_str_eq(tw_item_s(item, "a"), "x");
    cr_assert_null(tw_item_s(item, "n"));
    cr_assert_null(tw_item_s(item, "missing"));
    cr_assert_eq(tw_item_n(item, "n", &v), 0);
    cr_assert_eq(v, 42);
    cr_assert_eq(tw_item_n(item, "f", &v), 0);
    cr_assert_eq(v, 3);
    v = -1;
    cr_assert_eq(tw_item_n(item, "bad", &v), -SIM_ENOENT);
    cr_assert_eq(tw_item_n(item, "s", &v), -SIM_ENOENT);
    cr_assert_eq(tw_item_n(item, "wrong", &v), -SIM_ENOENT);
    cr_assert_eq(tw_item_n(item, "missing", &v), -SIM_ENOENT);
    cr_assert_eq(v, -1);
    cr_assert_null(tw_item_s(NULL, "a"));
    cJSON_Delete(item);
}

/* A users row becomes a UserDto; the password hash and counts never appear. */
Test(tw_dto, user_from_item_drops_hash)
{
    cJSON *item = cJSON_Parse(
        "{\"alias\":{\"S\":\"@alice\"},\"first_name\":{\"S\":\"Alice\"},"
        "\"last_name\":{\"S\":\"Liddell\"},\"image_url\":{\"S\":\"https://x/image/@alice.png\"},"
        "\"password_hash\":{\"S\":\"$2b$10$abc\"},\"follower_count\":{\"N\":\"1\"},"
        "\"followee_count\":{\"N\":\"0\"}}");

    expect_json(tw_user_dto_from_item(item),
                "{\"firstName\":\"Alice\",\"lastName\":\"Liddell\",\"alias\":\"@alice\","
                "\"imageUrl\":\"https://x/image/@alice.png\"}");
    cJSON_Delete(item);
}

/* Missing names become ""; an item without alias gives no DTO. */
Test(tw_dto, user_from_partial_item)
{
    cJSON *item = cJSON_Parse("{\"alias\":{\"S\":\"@bob\"}}");
    cJSON *none = cJSON_Parse("{\"first_name\":{\"S\":\"Bob\"}}");

    expect_json(tw_user_dto_from_item(item),
                "{\"firstName\":\"\",\"lastName\":\"\",\"alias\":\"@bob\",\"imageUrl\":\"\"}");
    cr_assert_null(tw_user_dto_from_item(none));
    cr_assert_null(tw_user_dto_from_item(NULL));
    cJSON_Delete(item);
    cJSON_Delete(none);
}

/* A feed row (denormalized author) becomes a StatusDto. */
Test(tw_dto, status_from_feed_row)
{
    cJSON *item = cJSON_Parse(
        "{\"alias\":{\"S\":\"@donald1\"},\"time_alias\":{\"S\":\"2026-01-01T00:00:00.000Z#@daisy\"},"
        "\"author_alias\":{\"S\":\"@daisy\"},\"timestamp\":{\"N\":\"1767225600000\"},"
        "\"post\":{\"S\":\"Hi\"},\"author_first_name\":{\"S\":\"Daisy\"},"
        "\"author_last_name\":{\"S\":\"Duck\"},\"author_image_url\":{\"S\":\"u\"}}");
    cJSON *bad = cJSON_Parse("{\"author_alias\":{\"S\":\"@daisy\"},\"post\":{\"S\":\"Hi\"}}");

    expect_json(tw_status_dto_from_feed(item),
                "{\"post\":\"Hi\",\"user\":{\"firstName\":\"Daisy\",\"lastName\":\"Duck\","
                "\"alias\":\"@daisy\",\"imageUrl\":\"u\"},\"timestamp\":1767225600000}");
    cr_assert_null(tw_status_dto_from_feed(bad)); /* no timestamp */
    cJSON_Delete(item);
    cJSON_Delete(bad);
}

/* A story row plus its owner's DTO becomes a StatusDto. */
Test(tw_dto, status_from_story_row)
{
    cJSON *item = cJSON_Parse("{\"alias\":{\"S\":\"@daisy\"},\"timestamp\":{\"N\":\"5\"},"
                              "\"post\":{\"S\":\"Hello, world!\"}}");
    cJSON *owner = tw_user_dto("@daisy", "Daisy", "Duck", "u");

    expect_json(tw_status_dto_from_story(item, owner),
                "{\"post\":\"Hello, world!\",\"user\":{\"firstName\":\"Daisy\","
                "\"lastName\":\"Duck\",\"alias\":\"@daisy\",\"imageUrl\":\"u\"},\"timestamp\":5}");
    cr_assert_null(tw_status_dto_from_story(item, NULL));
    cJSON_Delete(owner);
    cJSON_Delete(item);
}

/* The canonical StatusDto drops extra fields (e.g. a passwordHash in the client's user). */
Test(tw_dto, status_dto_is_canonical)
{
    cJSON *in = cJSON_Parse("{\"post\":\"p\",\"user\":{\"alias\":\"@a\",\"firstName\":\"A\","
                            "\"lastName\":\"B\",\"imageUrl\":\"i\",\"passwordHash\":\"h\"},"
                            "\"timestamp\":9,\"timestamp_unique\":\"x\"}");
    const char *missing = NULL;
    tw_status st;

    cr_assert_eq(tw_status_read(in, &st, &missing), 0);
    expect_json(tw_status_dto(&st), "{\"post\":\"p\",\"user\":{\"firstName\":\"A\",\"lastName\":"
                                    "\"B\",\"alias\":\"@a\",\"imageUrl\":\"i\"},\"timestamp\":9}");
    cJSON_Delete(in);
}

/* tweeter-api.md 2: TweeterResponse {success, message} and the paged response. */
Test(tw_dto, envelopes)
{
    cJSON *items = cJSON_CreateArray();

    expect_json(tw_resp_ok(), "{\"success\":true,\"message\":null}");
    expect_json(tw_page_resp(items, 0),
                "{\"success\":true,\"message\":null,\"items\":[],\"hasMore\":false}");
    expect_json(tw_page_resp(cJSON_Parse("[1]"), 1),
                "{\"success\":true,\"message\":null,\"items\":[1],\"hasMore\":true}");
}
