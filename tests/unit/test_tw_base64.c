/* test_tw_base64.c - decoding the register request's userImageBase64. Source:
 * /work/shared/tweeter-api.md section 5 (register decodes userImageBase64; invalid base64
 * -> 400); RFC 4648 section 4 (the standard alphabet and '=' padding) and section 5
 * (the URL-safe alphabet); the client encodes with Buffer.toString("base64"). */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Decode in and compare with want (wlen bytes). */
static void expect_decode(const char *in, const void *want, size_t wlen)
{
    unsigned char *out = NULL;
    size_t len = 0;

    cr_assert_eq(tw_base64_decode(in, &out, &len), 0, "input %s", in);
    cr_assert_eq(len, wlen, "input %s: %zu bytes", in, len);
    cr_assert_eq(memcmp(out, want, wlen), 0, "input %s", in);
    cr_assert_eq(out[len], 0); /* NUL-terminated for convenience */
    free(out);
}

/* RFC 4648 section 10 test vectors. */
Test(tw_base64, rfc4648_vectors)
{
    expect_decode("Zg==", "f", 1);
    expect_decode("Zm8=", "fo", 2);
    expect_decode("Zm9v", "foo", 3);
    expect_decode("Zm9vYg==", "foob", 4);
    expect_decode("Zm9vYmE=", "fooba", 5);
    expect_decode("Zm9vYmFy", "foobar", 6);
}

/* Binary data (a PNG signature) round-trips byte for byte, including NUL bytes. */
Test(tw_base64, binary_bytes)
{
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0 };
    static const unsigned char seq[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

    expect_decode("iVBORw0KGgoAAA==", png, sizeof(png));
    expect_decode("AAECAwQFBgcICQ==", seq, sizeof(seq));
}

/* Lenient where browsers and Node are: missing padding, line breaks, base64url, a data
 * URL prefix. */
Test(tw_base64, lenient_forms)
{
    expect_decode("Zg", "f", 1);
    expect_decode("Zm8", "fo", 2);
    expect_decode("Zm9v\nYmFy\r\n", "foobar", 6);
    expect_decode("_-8=", "\xff\xef", 2);
    expect_decode("data:image/png;base64,Zm9vYmFy", "foobar", 6);
}

/* Invalid input -> -SIM_EINVAL (the handler answers 400) and the outputs are untouched. */
Test(tw_base64, invalid_inputs)
{
    const char *bad[] = { "", "   ", "Z", "Zm9vY", "Zm9v!", "Zg==Zg==", "Zm9v===", "%%%%",
                          "data:image/png,Zm9v", NULL };
    unsigned char *out = (unsigned char *)"sentinel";
    size_t len = 77, i;

    for (i = 0; bad[i] != NULL; i++) {
        cr_assert_eq(tw_base64_decode(bad[i], &out, &len), -SIM_EINVAL, "input '%s'", bad[i]);
        cr_assert_str_eq((const char *)out, "sentinel");
        cr_assert_eq(len, 77);
    }
    cr_assert_eq(tw_base64_decode(NULL, &out, &len), -SIM_EINVAL);
}
