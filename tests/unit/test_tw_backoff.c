/* test_tw_backoff.c - retry delays and generated avatars. Sources: AWS Architecture Blog,
 * "Exponential Backoff And Jitter" (full jitter: sleep = random_between(0, min(cap,
 * base * 2^attempt))); DynamoDB Developer Guide, "Error retries and exponential backoff"
 * (retry BatchWriteItem UnprocessedItems with backoff); /work/shared/tweeter-api.md
 * section 7 (population script: 10 ms, +100 ms per retry, about 1 s cap; SVG avatars). */
#include "handlers/tw.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Full jitter stays within [0, min(cap, base * 2^attempt)] and reaches the cap. */
Test(tw_backoff, full_jitter_bounds)
{
    sim_rng rng;
    sim_time_us d, max_seen = 0;
    int attempt, i;

    sim_rng_seed(&rng, 1);
    for (attempt = 0; attempt < 12; attempt++) {
        sim_time_us ceil_us = 10 * SIM_MS;
        int k;
        for (k = 0; k < attempt && ceil_us < SIM_S; k++)
            ceil_us *= 2;
        if (ceil_us > SIM_S)
            ceil_us = SIM_S;
        for (i = 0; i < 200; i++) {
            d = tw_backoff_full_jitter(&rng, attempt, 10 * SIM_MS, SIM_S);
            cr_assert_geq(d, 0);
            cr_assert_leq(d, ceil_us, "attempt %d: %lld > %lld", attempt, (long long)d,
                          (long long)ceil_us);
            if (attempt == 11 && d > max_seen)
                max_seen = d;
        }
    }
    cr_assert_gt(max_seen, SIM_S / 2); /* attempt 11 draws over the whole capped range */
    cr_assert_eq(tw_backoff_full_jitter(&rng, 1000, 10 * SIM_MS, SIM_S) <= SIM_S, 1);
}

/* Same seed, same delays: deterministic under the function's RNG stream. */
Test(tw_backoff, full_jitter_deterministic)
{
    sim_rng a, b;
    int i;

    sim_rng_seed(&a, 99);
    sim_rng_seed(&b, 99);
    for (i = 0; i < 20; i++)
        cr_assert_eq(tw_backoff_full_jitter(&a, i, 10 * SIM_MS, SIM_S),
                     tw_backoff_full_jitter(&b, i, 10 * SIM_MS, SIM_S));
}

/* The population script: 10 ms, 110 ms, 210 ms, ... capped at 1 s. */
Test(tw_backoff, linear_schedule)
{
    cr_assert_eq(tw_backoff_linear(0, 10 * SIM_MS, 100 * SIM_MS, SIM_S), 10 * SIM_MS);
    cr_assert_eq(tw_backoff_linear(1, 10 * SIM_MS, 100 * SIM_MS, SIM_S), 110 * SIM_MS);
    cr_assert_eq(tw_backoff_linear(9, 10 * SIM_MS, 100 * SIM_MS, SIM_S), 910 * SIM_MS);
    cr_assert_eq(tw_backoff_linear(10, 10 * SIM_MS, 100 * SIM_MS, SIM_S), SIM_S);
    cr_assert_eq(tw_backoff_linear(500, 10 * SIM_MS, 100 * SIM_MS, SIM_S), SIM_S);
    cr_assert_eq(tw_backoff_linear(-3, 10 * SIM_MS, 100 * SIM_MS, SIM_S), 10 * SIM_MS);
}

/* The avatar is an SVG with a palette colour and the initials. */
Test(tw_backoff, avatar_svg)
{
    char *a = tw_avatar_svg(0, "Donald", "duck");
    char *b = tw_avatar_svg(1, "<x", NULL);

    cr_assert_not_null(a);
    cr_assert_eq(strncmp(a, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    cr_assert_not_null(strstr(a, "fill=\"#1E88E5\""));
    cr_assert_not_null(strstr(a, ">DD</text></svg>"));
    cr_assert_not_null(strstr(b, "fill=\"#E53935\""));
    cr_assert_not_null(strstr(b, ">\?\?</text>")); /* never markup from a name */
    free(a);
    free(b);
}
