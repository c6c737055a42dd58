/* test_tw_validate.c - request validation helpers of the Tweeter handlers: alias syntax,
 * blank posts, reading a StatusDto, bcrypt hashing. Source of the rules:
 * /work/shared/tweeter-api.md sections 2 and 3 (alias ^@[A-Za-z0-9_]+$, trim()-empty posts
 * rejected, bcrypt $2b$). */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <criterion/criterion.h>
#include <string.h>

/* tweeter-api.md 3 "Alias": canonical ^@[A-Za-z0-9_]+$. */
Test(tw_validate, alias_accepts_canonical)
{
    cr_assert_eq(tw_alias_valid("@daisy"), 1);
    cr_assert_eq(tw_alias_valid("@donald10000"), 1);
    cr_assert_eq(tw_alias_valid("@integration_test"), 1);
    cr_assert_eq(tw_alias_valid("@A"), 1);
}

/* tweeter-api.md 3: a bare alias (PY's "prestonyford") or other characters -> 400. */
Test(tw_validate, alias_rejects_others)
{
    cr_assert_eq(tw_alias_valid(NULL), 0);
    cr_assert_eq(tw_alias_valid(""), 0);
    cr_assert_eq(tw_alias_valid("@"), 0);
    cr_assert_eq(tw_alias_valid("prestonyford"), 0);
    cr_assert_eq(tw_alias_valid("@bad alias"), 0);
    cr_assert_eq(tw_alias_valid("@a-b"), 0);
    cr_assert_eq(tw_alias_valid("@a.b"), 0);
    cr_assert_eq(tw_alias_valid("@@a"), 0);
    cr_assert_eq(tw_alias_valid("@a/../b"), 0);
}

/* Length bound: at most TW_ALIAS_MAX bytes. */
Test(tw_validate, alias_length_bound)
{
    char a[TW_ALIAS_MAX + 2];

    memset(a, 'x', sizeof(a));
    a[0] = '@';
    a[TW_ALIAS_MAX] = '\0'; /* TW_ALIAS_MAX bytes */
    cr_assert_eq(tw_alias_valid(a), 1);
    a[TW_ALIAS_MAX] = 'x';
    a[TW_ALIAS_MAX + 1] = '\0'; /* one more */
    cr_assert_eq(tw_alias_valid(a), 0);
}

/* tweeter-api.md 3 "Empty post": the server rejects an empty or whitespace-only post. */
Test(tw_validate, blank_posts)
{
    cr_assert_eq(tw_blank(NULL), 1);
    cr_assert_eq(tw_blank(""), 1);
    cr_assert_eq(tw_blank("   "), 1);
    cr_assert_eq(tw_blank(" \t\r\n "), 1);
    cr_assert_eq(tw_blank(" x "), 0);
    cr_assert_eq(tw_blank("Hello, world!"), 0);
}

/* tweeter-api.md 2: StatusDto {post, user: UserDto, timestamp}. */
Test(tw_validate, status_read_full)
{
    cJSON *dto = cJSON_Parse("{\"post\":\"hi @bob\",\"user\":{\"firstName\":\"Daisy\","
                             "\"lastName\":\"Duck\",\"alias\":\"@daisy\",\"imageUrl\":\"u\","
                             "\"passwordHash\":\"x\"},\"timestamp\":1767225600123}");
    const char *missing = NULL;
    tw_status st;

    cr_assert_eq(tw_status_read(dto, &st, &missing), 0);
    cr_assert_str_eq(st.post, "hi @bob");
    cr_assert_str_eq(st.alias, "@daisy");
    cr_assert_str_eq(st.first_name, "Daisy");
    cr_assert_str_eq(st.last_name, "Duck");
    cr_assert_str_eq(st.image_url, "u");
    cr_assert_eq(st.has_timestamp, 1);
    cr_assert_eq(st.timestamp_ms, 1767225600123LL);
    cr_assert_null(missing);
    cJSON_Delete(dto);
}

/* The first missing field is named, so the 400 message can say "missing <field>". */
Test(tw_validate, status_read_missing_fields)
{
    const char *cases[][2] = {
        { "{\"user\":{\"alias\":\"@a\"},\"timestamp\":1}", "post" },
        { "{\"post\":\"p\",\"timestamp\":1}", "user" },
        { "{\"post\":\"p\",\"user\":\"@a\",\"timestamp\":1}", "user" },
        { "{\"post\":\"p\",\"user\":{\"firstName\":\"A\"}}", "user.alias" },
        { "{\"post\":3,\"user\":{\"alias\":\"@a\"}}", "post" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *dto = cJSON_Parse(cases[i][0]);
        const char *missing = NULL;
        tw_status st;
        cr_assert_eq(tw_status_read(dto, &st, &missing), -SIM_EINVAL, "case %zu", i);
        cr_assert_str_eq(missing, cases[i][1], "case %zu", i);
        cJSON_Delete(dto);
    }
}

/* A DTO without timestamp is readable; names default to "". */
Test(tw_validate, status_read_optional_fields)
{
    cJSON *dto = cJSON_Parse("{\"post\":\"p\",\"user\":{\"alias\":\"@a\"},\"timestamp\":\"x\"}");
    const char *missing = NULL;
    tw_status st;

    cr_assert_eq(tw_status_read(dto, &st, &missing), 0);
    cr_assert_eq(st.has_timestamp, 0);
    cr_assert_str_eq(st.first_name, "");
    cr_assert_str_eq(st.image_url, "");
    cJSON_Delete(dto);
}

/* tweeter-api.md 3: bcrypt $2b$ with the configured cost; verify by re-crypting. */
Test(tw_validate, password_hash_and_check)
{
    sim_rng rng;
    char hash[128];

    sim_rng_seed(&rng, 42);
    cr_assert_eq(tw_password_hash(&rng, 4, "password", hash, sizeof(hash)), 0);
    cr_assert_eq(strncmp(hash, "$2b$04$", 7), 0, "%s", hash);
    cr_assert_eq(strlen(hash), 60);
    cr_assert_eq(tw_password_ok("password", hash), 1);
    cr_assert_eq(tw_password_ok("Password", hash), 0);
    cr_assert_eq(tw_password_ok("", hash), 0);
    cr_assert_eq(tw_password_ok("password", NULL), 0);
    cr_assert_eq(tw_password_ok("password", "plaintext"), 0);
}

/* Same seed, same salt: hashing is deterministic under a fixed RNG stream. */
Test(tw_validate, password_hash_deterministic_per_seed)
{
    sim_rng a, b;
    char h1[128], h2[128];

    sim_rng_seed(&a, 7);
    sim_rng_seed(&b, 7);
    cr_assert_eq(tw_password_hash(&a, 4, "pw", h1, sizeof(h1)), 0);
    cr_assert_eq(tw_password_hash(&b, 4, "pw", h2, sizeof(h2)), 0);
    cr_assert_str_eq(h1, h2);
    cr_assert_eq(tw_password_hash(&a, 4, "pw", h2, sizeof(h2)), 0); /* next salt differs */
    cr_assert_str_neq(h1, h2);
    cr_assert_eq(tw_password_hash(&a, 3, "pw", h2, sizeof(h2)), -SIM_EINVAL);
    cr_assert_eq(tw_password_hash(&a, 4, "pw", h2, 20), -SIM_EINVAL);
}
