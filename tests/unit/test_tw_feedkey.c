/* test_tw_feedkey.c - the feed table's sort key time_alias = ISO-8601 UTC ms + "#" +
 * author alias, and the feed row built from a status. Source: /work/shared/tweeter-api.md
 * section 4.5 (feed: PK alias = receiver, SK time_alias, e.g.
 * "2026-01-01T00:00:00.000Z#@daisy"; a deterministic key makes redelivery idempotent);
 * ISO-8601 as JavaScript's Date.prototype.toISOString prints it (ECMA-262 21.4.4.36). */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <criterion/criterion.h>
#include <string.h>

/* Date.toISOString: YYYY-MM-DDTHH:mm:ss.sssZ, UTC. */
Test(tw_feedkey, iso8601_known_instants)
{
    static const struct {
        long long ms;
        const char *iso;
    } cases[] = {
        { 0, "1970-01-01T00:00:00.000Z" },
        { -1, "1969-12-31T23:59:59.999Z" },
        { 951782400000LL, "2000-02-29T00:00:00.000Z" },
        { 1709251199999LL, "2024-02-29T23:59:59.999Z" },
        { 1767225600000LL, "2026-01-01T00:00:00.000Z" },
        { 1767225600123LL, "2026-01-01T00:00:00.123Z" },
        { 4102444799999LL, "2099-12-31T23:59:59.999Z" },
    };
    char buf[32];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(tw_iso8601_ms(cases[i].ms, buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, cases[i].iso, "ms %lld", cases[i].ms);
    }
}

/* The virtual clock's epoch (sim_clock.h SIM_VIRTUAL_EPOCH_US) is 2026-01-01T00:00:00Z. */
Test(tw_feedkey, iso8601_virtual_epoch)
{
    char buf[32];

    cr_assert_eq(tw_iso8601_ms(SIM_VIRTUAL_EPOCH_US / 1000, buf, sizeof(buf)), 0);
    cr_assert_str_eq(buf, "2026-01-01T00:00:00.000Z");
}

/* tweeter-api.md 4.5: the example key, exactly. */
Test(tw_feedkey, key_format)
{
    char key[TW_FEED_KEY_MAX];

    cr_assert_eq(tw_feed_key(1767225600000LL, "@daisy", key, sizeof(key)), 0);
    cr_assert_str_eq(key, "2026-01-01T00:00:00.000Z#@daisy");
    cr_assert_eq(tw_feed_key(1767225600000LL, "@daisy", key, 10), -SIM_EINVAL);
    cr_assert_eq(tw_iso8601_ms(0, key, 24), -SIM_EINVAL); /* needs 25 with the NUL */
}

/* Keys sort like their times (newest-first paging with ScanIndexForward=false). */
Test(tw_feedkey, key_order_follows_time)
{
    char a[TW_FEED_KEY_MAX], b[TW_FEED_KEY_MAX], c[TW_FEED_KEY_MAX];

    tw_feed_key(1767225600999LL, "@zed", a, sizeof(a));
    tw_feed_key(1767225601000LL, "@abe", b, sizeof(b));
    tw_feed_key(1767225601000LL, "@bob", c, sizeof(c));
    cr_assert_lt(strcmp(a, b), 0);
    cr_assert_lt(strcmp(b, c), 0); /* same ms: the author breaks the tie */
}

/* The feed row: alias (receiver), time_alias, author_alias, timestamp (N), post and the
 * denormalized author fields. */
Test(tw_feedkey, feed_row)
{
    tw_status st = { "Hello", "@daisy", "Daisy", "Duck", "https://b/image/@daisy.png",
                     1767225600000LL, 1 };
    cJSON *row = tw_feed_row("@donald1", &st);
    char *text;

    cr_assert_not_null(row);
    text = cJSON_PrintUnformatted(row);
    cr_assert_str_eq(text, "{\"alias\":{\"S\":\"@donald1\"},"
                           "\"time_alias\":{\"S\":\"2026-01-01T00:00:00.000Z#@daisy\"},"
                           "\"author_alias\":{\"S\":\"@daisy\"},"
                           "\"timestamp\":{\"N\":\"1767225600000\"},"
                           "\"post\":{\"S\":\"Hello\"},"
                           "\"author_first_name\":{\"S\":\"Daisy\"},"
                           "\"author_last_name\":{\"S\":\"Duck\"},"
                           "\"author_image_url\":{\"S\":\"https://b/image/@daisy.png\"}}");
    cJSON_free(text);
    cJSON_Delete(row);
}
