/* test_s3_key.c - object key and bucket name validation, and the aws-chunked decoder, as
 * pure functions (no store). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/s3_int.h"

/* Checks key (NUL-terminated) and returns the error code, or "" when valid. */
static const char *key_code(const char *key, char code[96])
{
    sim_reply rep;
    sim_reply_init(&rep);
    int rc = s3__key_check(key, strlen(key), &rep);
    cr_assert_eq(rc, sim_reply_failed(&rep) ? -SIM_EINVAL : 0);
    strcpy(code, rep.code);
    sim_reply_release(&rep);
    return code;
}

/* Keys that could escape a store are refused with InvalidArgument (400). Source: S3 User
 * Guide, "Naming Amazon S3 objects" (UTF-8, up to 1024 bytes); the segment rule is ours,
 * reported with S3's InvalidArgument code. */
Test(s3_key, escaping_keys_are_invalid_argument)
{
    char c[96];
    cr_assert_str_eq(key_code("../x", c), "InvalidArgument");
    cr_assert_str_eq(key_code("/abs", c), "InvalidArgument");
    cr_assert_str_eq(key_code("a/../b", c), "InvalidArgument");
    cr_assert_str_eq(key_code("a//b", c), "InvalidArgument");
    cr_assert_str_eq(key_code("a/./b", c), "InvalidArgument");
    cr_assert_str_eq(key_code("a/..", c), "InvalidArgument");
    cr_assert_str_eq(key_code(".", c), "InvalidArgument");
    cr_assert_str_eq(key_code("..", c), "InvalidArgument");
    cr_assert_str_eq(key_code("a//", c), "InvalidArgument");
    cr_assert_str_eq(key_code("", c), "InvalidArgument");
    cr_assert_str_eq(key_code("bad\xff", c), "InvalidArgument");
    cr_assert_str_eq(key_code("\xc0\xaf", c), "InvalidArgument");     /* overlong "/" */
    cr_assert_str_eq(key_code("\xed\xa0\x80", c), "InvalidArgument"); /* surrogate */

    sim_reply rep;
    sim_reply_init(&rep);
    cr_assert_eq(s3__key_check("a\0b", 3, &rep), -SIM_EINVAL);
    cr_assert_str_eq(rep.code, "InvalidArgument");
    cr_assert_eq(rep.status, 400);
    cr_assert_str_eq(rep.message, "Object key must not contain a NUL byte.");
    sim_reply_clear(&rep);
    cr_assert_eq(s3__key_check("a//b", 4, &rep), -SIM_EINVAL);
    cr_assert_str_eq(rep.message, "Object key must not contain an empty segment (\"//\").");
    sim_reply_clear(&rep);
    cr_assert_eq(s3__key_check("/abs", 4, &rep), -SIM_EINVAL);
    cr_assert_str_eq(rep.message, "Object key must not start with \"/\".");
    sim_reply_release(&rep);
}

/* Ordinary keys pass, including dots inside names, a folder marker and multi-byte UTF-8.
 * Source: S3 User Guide, "Naming Amazon S3 objects" (safe and special characters). */
Test(s3_key, ordinary_keys_are_valid)
{
    char c[96];
    cr_assert_str_eq(key_code("a", c), "");
    cr_assert_str_eq(key_code("users/alice/avatar.png", c), "");
    cr_assert_str_eq(key_code(".hidden/..x/a..b/...", c), "");
    cr_assert_str_eq(key_code("photos/", c), "");
    cr_assert_str_eq(key_code("caf\xc3\xa9/\xf0\x9f\x90\xa6 (1).jpg", c), "");
    cr_assert_str_eq(key_code("a b+c&d=e?f", c), "");
}

/* Key length: 1024 UTF-8 bytes is the maximum; 1025 is KeyTooLongError. Source: S3 User
 * Guide, "Naming Amazon S3 objects"; API Reference "Error responses" (KeyTooLongError). */
Test(s3_key, key_length_limit)
{
    char *k = malloc(1026);
    memset(k, 'k', 1025);
    k[1024] = '\0';
    char c[96];
    cr_assert_str_eq(key_code(k, c), "");
    k[1024] = 'k';
    k[1025] = '\0';
    sim_reply rep;
    sim_reply_init(&rep);
    cr_assert_eq(s3__key_check(k, 1025, &rep), -SIM_EINVAL);
    cr_assert_str_eq(rep.code, "KeyTooLongError");
    cr_assert_str_eq(rep.message, "Your key is too long");
    cr_assert_eq(rep.status, 400);
    sim_reply_release(&rep);
    free(k);
}

static int bucket_ok(const char *name)
{
    sim_reply rep;
    sim_reply_init(&rep);
    int rc = s3__bucket_name_check(name, &rep);
    if (rc != 0) {
        cr_assert_str_eq(rep.code, "InvalidBucketName");
        cr_assert_str_eq(rep.message, "The specified bucket is not valid.");
        cr_assert_eq(rep.status, 400);
    }
    sim_reply_release(&rep);
    return rc == 0;
}

/* Bucket naming rules. Source: S3 User Guide, "General purpose bucket naming rules". */
Test(s3_key, bucket_names)
{
    cr_assert(bucket_ok("abc"));
    cr_assert(bucket_ok("tweeter-profile-pictures"));
    cr_assert(bucket_ok("my.bucket.1"));
    cr_assert(bucket_ok("a23456789012345678901234567890123456789012345678901234567890123"));
    cr_assert_not(bucket_ok("a234567890123456789012345678901234567890123456789012345678901234"));
    cr_assert_not(bucket_ok("ab"));
    cr_assert_not(bucket_ok("Photos"));
    cr_assert_not(bucket_ok("my_bucket"));
    cr_assert_not(bucket_ok("-abc"));
    cr_assert_not(bucket_ok("abc-"));
    cr_assert_not(bucket_ok("a..b"));
    cr_assert_not(bucket_ok("192.168.5.4"));
    cr_assert_not(bucket_ok("xn--abc"));
    cr_assert_not(bucket_ok("abc-s3alias"));
    cr_assert_not(bucket_ok("abc--ol-s3"));
}

static char *decode_ok(const char *body, size_t *len)
{
    unsigned char *out = NULL;
    cr_assert_eq(s3__aws_chunked_decode((const unsigned char *)body, strlen(body), &out, len), 0);
    cr_assert_not_null(out);
    return (char *)out;
}

/* aws-chunked framing: signed and unsigned chunks, trailers, an empty payload; malformed
 * or truncated framing is refused. Source: S3 API Reference, sigv4-streaming.html and
 * sigv4-streaming-trailers.html. */
Test(s3_key, aws_chunked_decode)
{
    size_t n;
    char *s = decode_ok("4;chunk-signature=aa\r\nWiki\r\n5;chunk-signature=bb\r\npedia\r\n"
                        "0;chunk-signature=cc\r\n\r\n",
                        &n);
    cr_assert_eq(n, 9);
    cr_assert_str_eq(s, "Wikipedia");
    free(s);
    s = decode_ok("a\r\n0123456789\r\n0\r\nx-amz-checksum-crc64nvme:AAAAAAAAAAA=\r\n\r\n", &n);
    cr_assert_eq(n, 10);
    cr_assert_str_eq(s, "0123456789");
    free(s);
    s = decode_ok("0\r\n\r\n", &n);
    cr_assert_eq(n, 0);
    free(s);
    s = decode_ok("2\r\n\r\n\r\n0\r\n", &n); /* data may hold CRLF; no final empty line */
    cr_assert_eq(n, 2);
    cr_assert_str_eq(s, "\r\n");
    free(s);

    static const char *const bad[] = {
        "",                                         /* no size line */
        "zz\r\nab\r\n0\r\n\r\n",                    /* not hex */
        "5\r\nabc\r\n0\r\n\r\n",                    /* shorter than declared */
        "3\r\nabcX\r\n0\r\n\r\n",                   /* missing CRLF after data */
        "3\r\nabc\r\n",                             /* no terminating chunk */
        "3x\r\nabc\r\n0\r\n\r\n",                   /* junk after the size */
        "ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n", /* absurd size */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        unsigned char *out = NULL;
        size_t len = 99;
        cr_assert_eq(
            s3__aws_chunked_decode((const unsigned char *)bad[i], strlen(bad[i]), &out, &len),
            -SIM_EINVAL, "case %zu", i);
        cr_assert_null(out);
        cr_assert_eq(len, 99);
    }
}
