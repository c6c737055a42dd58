/* test_s3_object.c - the S3 REST adapter end to end on hand-built exchanges: buckets,
 * PutObject/GetObject/HeadObject/DeleteObject, headers, ETag, ranges, aws-chunked bodies,
 * Content-MD5, error XML, and the C API. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storage/s3_int.h"
#include "tests/unit/test_s3_util.h"

/* CreateBucket: 200 with Location; ListBuckets lists it; HeadBucket reports the region.
 * Source: S3 API Reference, CreateBucket / ListBuckets / HeadBucket. */
Test(s3_object, create_bucket_then_list_and_head)
{
    env e;
    env_init(&e);
    tx *t = do_req(&e, "PUT", "/photos", NULL);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_resp_header(t, "Location"), "/photos");
    cr_assert_str_eq(tx_resp_header(t, "x-amz-request-id"), "0000000000000001");
    tx_free(t);
    t = do_req(&e, "PUT", "/eu-bucket",
               "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
               "<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>");
    cr_assert_eq(t->x.resp.status, 200);
    tx_free(t);
    cr_assert_eq(s3_bucket_count(e.svc), 2);

    t = do_req(&e, "GET", "/", NULL);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "application/xml");
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult "
                     "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>"
                     "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>"
                     "<DisplayName>stratus</DisplayName></Owner><Buckets>"
                     "<Bucket><Name>eu-bucket</Name><CreationDate>2026-01-01T00:00:00.000Z"
                     "</CreationDate></Bucket>"
                     "<Bucket><Name>photos</Name><CreationDate>2026-01-01T00:00:00.000Z"
                     "</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>");
    tx_free(t);

    t = do_req(&e, "HEAD", "/eu-bucket", NULL);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_resp_header(t, "x-amz-bucket-region"), "eu-west-1");
    tx_free(t);
    t = do_req(&e, "HEAD", "/photos", NULL);
    cr_assert_str_eq(tx_resp_header(t, "x-amz-bucket-region"), "us-west-2");
    tx_free(t);
    t = do_req(&e, "GET", "/photos", NULL);
    tx_free(t);
    tx *loc = tx_new("GET", "/eu-bucket");
    tx_query(loc, "location", "");
    tx_serve(&e, loc);
    cr_assert_str_eq(tx_body_str(loc),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><LocationConstraint "
                     "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1"
                     "</LocationConstraint>");
    tx_free(loc);
    env_fini(&e);
}

/* A second CreateBucket of an owned bucket: 409 BucketAlreadyOwnedByYou (outside
 * us-east-1). Source: S3 API Reference, CreateBucket errors; "Error responses". */
Test(s3_object, create_bucket_twice_is_already_owned_by_you)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = do_req(&e, "PUT", "/photos", NULL);
    cr_assert_eq(t->x.resp.status, 409);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
                     "<Code>BucketAlreadyOwnedByYou</Code><Message>Your previous request to "
                     "create the named bucket succeeded and you already own it.</Message>"
                     "<BucketName>photos</BucketName><RequestId>0000000000000002</RequestId>"
                     "</Error>");
    tx_free(t);
    env_fini(&e);
}

/* Bucket naming rules: 400 InvalidBucketName. Source: S3 User Guide, bucket naming rules. */
Test(s3_object, invalid_bucket_name_is_400)
{
    env e;
    env_init(&e);
    tx *t = do_req(&e, "PUT", "/Bad_Bucket", NULL);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
                     "<Code>InvalidBucketName</Code><Message>The specified bucket is not "
                     "valid.</Message><BucketName>Bad_Bucket</BucketName>"
                     "<RequestId>0000000000000001</RequestId></Error>");
    tx_free(t);
    cr_assert_eq(s3_bucket_count(e.svc), 0);
    env_fini(&e);
}

/* PutObject keeps Content-Type and answers the ETag (quoted hex MD5); GetObject returns
 * the bytes with Content-Type, Content-Length, ETag and an RFC 1123 Last-Modified taken
 * from the virtual clock. Source: S3 API Reference, PutObject / GetObject; RFC 7232. */
Test(s3_object, put_then_get_keeps_content_type_and_etag)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    sim_sched_run_for(&e.sched, 90 * SIM_S);
    tx *t = tx_new("PUT", "/photos/users/alice/avatar.png");
    tx_header(t, "Content-Type", "image/png");
    tx_header(t, "Authorization", "AWS4-HMAC-SHA256 Credential=x/y, Signature=ignored");
    tx_body(t, "hello", 5);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_resp_header(t, "ETag"), "\"5d41402abc4b2a76b9719d911017c592\"");
    cr_assert_eq(t->x.resp.body_len, 0);
    tx_free(t);

    /* No auth headers at all: the public URL a browser loads. */
    t = do_req(&e, "GET", "/photos/users/alice/avatar.png", NULL);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_eq(t->x.resp.body_len, 5);
    cr_assert_eq(memcmp(t->x.resp.body, "hello", 5), 0);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "image/png");
    cr_assert_str_eq(tx_resp_header(t, "Content-Length"), "5");
    cr_assert_str_eq(tx_resp_header(t, "ETag"), "\"5d41402abc4b2a76b9719d911017c592\"");
    cr_assert_str_eq(tx_resp_header(t, "Last-Modified"), "Thu, 01 Jan 2026 00:01:30 GMT");
    cr_assert_str_eq(tx_resp_header(t, "Accept-Ranges"), "bytes");
    tx_free(t);
    env_fini(&e);
}

/* Without a Content-Type S3 stores binary/octet-stream; an empty object has the MD5 of
 * nothing. Source: S3 API Reference, PutObject (Content-Type). */
Test(s3_object, default_content_type_and_empty_object)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/b1b", NULL, 200);
    tx *t = do_req(&e, "PUT", "/b1b/empty", NULL);
    cr_assert_str_eq(tx_resp_header(t, "ETag"), "\"d41d8cd98f00b204e9800998ecf8427e\"");
    tx_free(t);
    t = do_req(&e, "GET", "/b1b/empty", NULL);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_eq(t->x.resp.body_len, 0);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "binary/octet-stream");
    cr_assert_str_eq(tx_resp_header(t, "Content-Length"), "0");
    tx_free(t);
    env_fini(&e);
}

/* HeadObject: the GetObject headers without a body; a missing key is 404 with no body.
 * Source: S3 API Reference, HeadObject ("a HEAD request has no body"). */
Test(s3_object, head_object_and_head_missing_key)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/photos/a.txt", "hello world", 200);
    tx *t = do_req(&e, "HEAD", "/photos/a.txt", NULL);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_eq(t->x.resp.body_len, 0);
    cr_assert_str_eq(tx_resp_header(t, "Content-Length"), "11");
    cr_assert_str_eq(tx_resp_header(t, "ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    cr_assert_str_eq(tx_resp_header(t, "Last-Modified"), "Thu, 01 Jan 2026 00:00:00 GMT");
    tx_free(t);
    t = do_req(&e, "HEAD", "/photos/missing.txt", NULL);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert_eq(t->x.resp.body_len, 0);
    cr_assert_null(tx_resp_header(t, "Content-Type"));
    tx_free(t);
    t = do_req(&e, "HEAD", "/nobucket", NULL);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert_eq(t->x.resp.body_len, 0);
    tx_free(t);
    env_fini(&e);
}

/* GetObject of a missing key / bucket: the S3 <Error> documents. Source: S3 API Reference,
 * "Error responses" (NoSuchKey, NoSuchBucket; REST error response shape). */
Test(s3_object, missing_key_and_bucket_error_xml)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = do_req(&e, "GET", "/photos/nope.txt", NULL);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "application/xml");
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                     "<Message>The specified key does not exist.</Message><Key>nope.txt</Key>"
                     "<RequestId>0000000000000002</RequestId></Error>");
    tx_free(t);
    t = do_req(&e, "GET", "/ghost/a.txt", NULL);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchBucket</Code>"
                     "<Message>The specified bucket does not exist</Message>"
                     "<BucketName>ghost</BucketName><RequestId>0000000000000003</RequestId>"
                     "</Error>");
    tx_free(t);
    t = do_req(&e, "PUT", "/ghost/a.txt", "x");
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchBucket</Code>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* DeleteObject answers 204, also for a missing key; then GetObject is NoSuchKey.
 * DeleteBucket refuses a non-empty bucket (409 BucketNotEmpty), then deletes it (204).
 * Source: S3 API Reference, DeleteObject / DeleteBucket; "Error responses". */
Test(s3_object, delete_object_and_bucket)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/photos/a.txt", "abc", 200);
    tx *t = do_req(&e, "DELETE", "/photos", NULL);
    cr_assert_eq(t->x.resp.status, 409);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
                     "<Code>BucketNotEmpty</Code><Message>The bucket you tried to delete is not "
                     "empty</Message><BucketName>photos</BucketName>"
                     "<RequestId>0000000000000003</RequestId></Error>");
    tx_free(t);
    do_ok(&e, "DELETE", "/photos/a.txt", NULL, 204);
    do_ok(&e, "DELETE", "/photos/a.txt", NULL, 204);
    do_ok(&e, "GET", "/photos/a.txt", NULL, 404);
    do_ok(&e, "DELETE", "/photos", NULL, 204);
    cr_assert_eq(s3_bucket_count(e.svc), 0);
    do_ok(&e, "DELETE", "/photos", NULL, 404);
    do_ok(&e, "DELETE", "/photos/a.txt", NULL, 404);
    env_fini(&e);
}

/* Keys that could escape a store are refused with 400 InvalidArgument, over HTTP too.
 * Source: S3 User Guide, "Naming objects" (keys are UTF-8 up to 1024 bytes); the segment
 * rule is Stratus's own, reported with S3's InvalidArgument code. */
Test(s3_object, escaping_keys_are_refused)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = do_req(&e, "PUT", "/photos/a/../b", "x");
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
                     "<Code>InvalidArgument</Code><Message>Object key must not contain a "
                     "&quot;.&quot; or &quot;..&quot; segment.</Message><Key>a/../b</Key>"
                     "<RequestId>0000000000000002</RequestId></Error>");
    tx_free(t);
    do_ok(&e, "PUT", "/photos//abs", "x", 400);
    do_ok(&e, "PUT", "/photos/a//b", "x", 400);
    do_ok(&e, "PUT", "/photos/../x", "x", 400);
    do_ok(&e, "GET", "/photos/../x", NULL, 400);
    tx *h = do_req(&e, "HEAD", "/photos/a//b", NULL);
    cr_assert_eq(h->x.resp.status, 400);
    cr_assert_eq(h->x.resp.body_len, 0);
    tx_free(h);
    do_ok(&e, "PUT", "/photos/folder/", "", 200);
    env_fini(&e);
}

/* Range: bytes=a-b answers 206 with Content-Range; a suffix range; an unsatisfiable one is
 * 416 InvalidRange. Source: S3 API Reference, GetObject (Range); RFC 7233. */
Test(s3_object, range_get)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/photos/d", "0123456789", 200);
    tx *t = tx_new("GET", "/photos/d");
    tx_header(t, "Range", "bytes=2-5");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 206);
    cr_assert_eq(t->x.resp.body_len, 4);
    cr_assert_eq(memcmp(t->x.resp.body, "2345", 4), 0);
    cr_assert_str_eq(tx_resp_header(t, "Content-Range"), "bytes 2-5/10");
    cr_assert_str_eq(tx_resp_header(t, "Content-Length"), "4");
    tx_free(t);
    t = tx_new("GET", "/photos/d");
    tx_header(t, "Range", "bytes=-3");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 206);
    cr_assert_eq(memcmp(t->x.resp.body, "789", 3), 0);
    cr_assert_str_eq(tx_resp_header(t, "Content-Range"), "bytes 7-9/10");
    tx_free(t);
    t = tx_new("GET", "/photos/d");
    tx_header(t, "Range", "bytes=8-100");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 206);
    cr_assert_str_eq(tx_resp_header(t, "Content-Range"), "bytes 8-9/10");
    tx_free(t);
    t = tx_new("GET", "/photos/d");
    tx_header(t, "Range", "bytes=10-12");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 416);
    cr_assert(strstr(tx_body_str(t),
                     "<Code>InvalidRange</Code><Message>The requested range "
                     "is not satisfiable</Message><RangeRequested>bytes=10-12"
                     "</RangeRequested><ActualObjectSize>10</ActualObjectSize>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* If-None-Match with the current ETag: 304 (browsers revalidating a cached picture);
 * If-Match with another: 412. Source: S3 API Reference, GetObject (conditional requests). */
Test(s3_object, conditional_get)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/photos/p", "hello", 200);
    tx *t = tx_new("GET", "/photos/p");
    tx_header(t, "If-None-Match", "\"5d41402abc4b2a76b9719d911017c592\"");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 304);
    cr_assert_eq(t->x.resp.body_len, 0);
    tx_free(t);
    t = tx_new("GET", "/photos/p");
    tx_header(t, "If-Match", "\"00000000000000000000000000000000\"");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 412);
    cr_assert(strstr(tx_body_str(t), "<Code>PreconditionFailed</Code>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* botocore / SDK v3 streaming uploads: Content-Encoding aws-chunked with
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER; the store keeps the decoded bytes. Source: S3 API
 * Reference, sigv4-streaming.html / sigv4-streaming-trailers.html. */
Test(s3_object, put_aws_chunked_stores_decoded_bytes)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    static const char body[] = "5\r\nhello\r\n6\r\n world\r\n0\r\n"
                               "x-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    tx *t = tx_new("PUT", "/photos/greeting.txt");
    tx_header(t, "Content-Encoding", "aws-chunked");
    tx_header(t, "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    tx_header(t, "x-amz-decoded-content-length", "11");
    tx_header(t, "x-amz-trailer", "x-amz-checksum-crc32");
    tx_header(t, "Content-Type", "text/plain");
    tx_body(t, body, sizeof body - 1);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    cr_assert_str_eq(tx_resp_header(t, "ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    tx_free(t);
    t = do_req(&e, "GET", "/photos/greeting.txt", NULL);
    cr_assert_eq(t->x.resp.body_len, 11);
    cr_assert_str_eq(tx_body_str(t), "hello world");
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "text/plain");
    tx_free(t);

    /* Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): signatures ignored. */
    static const char signed_body[] = "3;chunk-signature=abcdef\r\nabc\r\n"
                                      "0;chunk-signature=012345\r\n\r\n";
    t = tx_new("PUT", "/photos/s.txt");
    tx_header(t, "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    tx_header(t, "x-amz-decoded-content-length", "3");
    tx_body(t, signed_body, sizeof signed_body - 1);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200);
    tx_free(t);
    t = do_req(&e, "GET", "/photos/s.txt", NULL);
    cr_assert_str_eq(tx_body_str(t), "abc");
    tx_free(t);

    /* A decoded length that disagrees with the chunks: 400 IncompleteBody. */
    t = tx_new("PUT", "/photos/bad.txt");
    tx_header(t, "Content-Encoding", "aws-chunked");
    tx_header(t, "x-amz-decoded-content-length", "12");
    tx_body(t, body, sizeof body - 1);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t), "<Code>IncompleteBody</Code>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* Content-MD5: a matching digest is accepted, a wrong one is 400 BadDigest, a malformed one
 * 400 InvalidDigest. Source: S3 API Reference, PutObject (Content-MD5); "Error responses". */
Test(s3_object, content_md5_checked)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = tx_new("PUT", "/photos/h");
    tx_header(t, "Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==");
    tx_body(t, "hello", 5);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200);
    tx_free(t);
    t = tx_new("PUT", "/photos/h");
    tx_header(t, "Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
    tx_body(t, "hello", 5);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>BadDigest</Code>"
                     "<Message>The Content-MD5 you specified did not match what we received."
                     "</Message><RequestId>0000000000000003</RequestId></Error>");
    tx_free(t);
    t = tx_new("PUT", "/photos/h");
    tx_header(t, "Content-MD5", "nope");
    tx_body(t, "hello", 5);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t), "<Code>InvalidDigest</Code>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* Unsupported sub-resources are 501 NotImplemented; wrong methods 405 MethodNotAllowed.
 * Source: S3 API Reference, "Error responses" (NotImplemented, MethodNotAllowed). */
Test(s3_object, not_implemented_and_method_not_allowed)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = tx_new("GET", "/photos");
    tx_query(t, "acl", "");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 501);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
                     "<Code>NotImplemented</Code><Message>A header you provided implies "
                     "functionality that is not implemented</Message>"
                     "<RequestId>0000000000000002</RequestId></Error>");
    tx_free(t);
    t = do_req(&e, "POST", "/photos/a.txt", "x");
    cr_assert_eq(t->x.resp.status, 405);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
                     "<Code>MethodNotAllowed</Code><Message>The specified method is not "
                     "allowed against this resource.</Message><Method>POST</Method>"
                     "<ResourceType>OBJECT</ResourceType><RequestId>0000000000000003"
                     "</RequestId></Error>");
    tx_free(t);
    env_fini(&e);
}

/* DeleteObjects (POST ?delete), as `aws s3 rm --recursive` sends it. Source: S3 API
 * Reference, DeleteObjects. */
Test(s3_object, delete_objects_batch)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/photos/a&b", "1", 200);
    do_ok(&e, "PUT", "/photos/c", "2", 200);
    tx *t = tx_new("POST", "/photos");
    tx_query(t, "delete", "");
    const char *xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>"
                      "a&amp;b</Key></Object><Object><Key>c</Key></Object><Object><Key>../x"
                      "</Key></Object></Delete>";
    tx_body(t, xml, strlen(xml));
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_body_str(t),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult "
                     "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Deleted><Key>a&amp;b"
                     "</Key></Deleted><Deleted><Key>c</Key></Deleted><Error><Key>../x</Key>"
                     "<Code>InvalidArgument</Code><Message>Object key must not contain a "
                     "&quot;.&quot; or &quot;..&quot; segment.</Message></Error>"
                     "</DeleteResult>");
    tx_free(t);
    do_ok(&e, "DELETE", "/photos", NULL, 204);
    env_fini(&e);
}

/* The C API the client layer uses: put, get (bytes + Content-Type), errors as results.
 * Source: S3 API Reference, PutObject / GetObject. */
Test(s3_object, c_api_put_get_delete)
{
    env e;
    env_init(&e);
    sim_reply rep;
    sim_reply_init(&rep);
    cr_assert_eq(s3_bucket_create(e.svc, "pics", &rep), 0);
    cr_assert_not(sim_reply_failed(&rep));
    cr_assert_eq(s3_object_put(e.svc, "pics", "u/1.jpg", "\xff\xd8\xff", 3, "image/jpeg", &rep), 0);
    cr_assert_not(sim_reply_failed(&rep));
    void *data = NULL;
    size_t len = 0;
    char *ctype = NULL;
    cr_assert_eq(s3_object_get(e.svc, "pics", "u/1.jpg", &rep, &data, &len, &ctype), 0);
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(data, "\xff\xd8\xff", 3), 0);
    cr_assert_str_eq(ctype, "image/jpeg");
    free(data);
    free(ctype);
    data = NULL;
    cr_assert_eq(s3_object_get(e.svc, "pics", "u/2.jpg", &rep, &data, &len, &ctype), 0);
    cr_assert_str_eq(rep.code, "NoSuchKey");
    cr_assert_eq(rep.status, 404);
    cr_assert_null(data);
    cr_assert_eq(s3_object_put(e.svc, "nope", "k", "x", 1, NULL, &rep), 0);
    cr_assert_str_eq(rep.code, "NoSuchBucket");
    cr_assert_eq(s3_object_put(e.svc, "pics", "../etc/passwd", "x", 1, NULL, &rep), 0);
    cr_assert_str_eq(rep.code, "InvalidArgument");
    cr_assert_eq(rep.status, 400);
    cr_assert_eq(s3_object_delete(e.svc, "pics", "u/1.jpg", &rep), 0);
    cr_assert_not(sim_reply_failed(&rep));
    cr_assert_eq(s3_bucket_delete(e.svc, "pics", &rep), 0);
    cr_assert_not(sim_reply_failed(&rep));
    sim_reply_release(&rep);
    env_fini(&e);
}
