/* test_s3_multipart.c - multipart uploads over the REST adapter: CreateMultipartUpload,
 * UploadPart (plain and aws-chunked), CompleteMultipartUpload (the md5-of-md5s ETag, the
 * InvalidPartOrder / InvalidPart / EntityTooSmall / MalformedXML errors), AbortMultipartUpload,
 * ListParts, ListMultipartUploads, NoSuchUpload; CopyObject and UploadPartCopy. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "storage/s3_int.h"
#include "tests/unit/test_s3_util.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define XMLNS    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define OWNER_ID "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
#define INITIATOR_OWNER                                                                      \
    "<Initiator><ID>" OWNER_ID "</ID><DisplayName>stratus</DisplayName></Initiator><Owner>" \
    "<ID>" OWNER_ID "</ID><DisplayName>stratus</DisplayName></Owner>"

/* CreateMultipartUpload of path; the UploadId from the response into id (49 bytes). */
static void mpu_create(env *e, const char *path, const char *ctype, char id[S3__UPLOAD_ID_BYTES])
{
    tx *t = tx_new("POST", path);
    tx_query(t, "uploads", "");
    if (ctype != NULL)
        tx_header(t, "Content-Type", ctype);
    tx_serve(e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    const char *a = strstr(tx_body_str(t), "<UploadId>");
    cr_assert_not_null(a);
    a += strlen("<UploadId>");
    const char *z = strstr(a, "</UploadId>");
    cr_assert_not_null(z);
    cr_assert_eq(z - a, 48);
    memcpy(id, a, 48);
    id[48] = '\0';
    tx_free(t);
}

/* UploadPart; returns the exchange (caller frees). */
static tx *part_put(env *e, const char *path, const char *id, const char *part_number,
                    const void *data, size_t len)
{
    tx *t = tx_new("PUT", path);
    tx_query(t, "partNumber", part_number);
    tx_query(t, "uploadId", id);
    tx_body(t, data, len);
    tx_serve(e, t);
    return t;
}

/* UploadPart that must succeed; its ETag into etag. */
static void part_ok(env *e, const char *path, const char *id, const char *part_number,
                    const void *data, size_t len, char etag[S3__ETAG_BYTES])
{
    tx *t = part_put(e, path, id, part_number, data, len);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    cr_assert_not_null(tx_resp_header(t, "ETag"));
    snprintf(etag, S3__ETAG_BYTES, "%s", tx_resp_header(t, "ETag"));
    tx_free(t);
}

/* CompleteMultipartUpload with body; returns the exchange (caller frees). */
static tx *complete(env *e, const char *path, const char *id, const char *body)
{
    tx *t = tx_new("POST", path);
    tx_query(t, "uploadId", id);
    tx_header(t, "Host", "127.0.0.1:4566");
    tx_body(t, body, strlen(body));
    tx_serve(e, t);
    return t;
}

/* Quoted hex MD5, computed here (not by the store). */
static void md5_quoted(const void *p, size_t n, char out[S3__ETAG_BYTES])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    cr_assert_eq(EVP_Digest(p, n, md, &len, EVP_md5(), NULL), 1);
    out[0] = '"';
    for (unsigned int i = 0; i < 16; i++)
        snprintf(out + 1 + 2 * i, 3, "%02x", md[i]);
    out[33] = '"';
    out[34] = '\0';
}

/* A 5 MiB part (the minimum for a part before the last): byte i is i % 251. */
static unsigned char *big_part(size_t *out_len)
{
    size_t n = (size_t)5 * 1024 * 1024;
    unsigned char *p = malloc(n);
    cr_assert_not_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i % 251);
    *out_len = n;
    return p;
}

static void expect_error(const tx *t, int status, const char *xml)
{
    cr_assert_eq(t->x.resp.status, status, "%d %s", t->x.resp.status, tx_body_str(t));
    cr_assert_str_eq(tx_body_str(t), xml);
}

/* ---- the full cycle ---- */

/* Two parts, completed: the object is the parts concatenated; its ETag is the MD5 of the
 * two binary part MD5s, "-2" (computed here independently and against values from Python's
 * hashlib); the upload's Content-Type is kept; the upload is gone afterwards.
 * Source: S3 API Reference, CreateMultipartUpload / UploadPart / CompleteMultipartUpload;
 * S3 User Guide, "Checking object integrity" (ETags of multipart objects). */
Test(s3_multipart, two_parts_complete_into_object_with_md5_of_md5s_etag)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = tx_new("POST", "/photos/big.bin");
    tx_query(t, "uploads", "");
    tx_header(t, "Content-Type", "text/plain");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "application/xml");
    char id[S3__UPLOAD_ID_BYTES];
    const char *a = strstr(tx_body_str(t), "<UploadId>");
    cr_assert_not_null(a);
    snprintf(id, sizeof id, "%.48s", a + strlen("<UploadId>"));
    cr_assert_eq(strncmp(id, "0000000000000001", 16), 0, "IDs start with the counter: %s", id);
    char want[1024];
    snprintf(want, sizeof want,
             XML_DECL "<InitiateMultipartUploadResult " XMLNS "><Bucket>photos</Bucket>"
                      "<Key>big.bin</Key><UploadId>%s</UploadId></InitiateMultipartUploadResult>",
             id);
    cr_assert_str_eq(tx_body_str(t), want);
    tx_free(t);

    size_t n1;
    unsigned char *p1 = big_part(&n1);
    static const char p2[] = "the last part";
    char e1[S3__ETAG_BYTES], e2[S3__ETAG_BYTES], m1[S3__ETAG_BYTES], m2[S3__ETAG_BYTES];
    part_ok(&e, "/photos/big.bin", id, "2", p2, sizeof p2 - 1, e2);
    part_ok(&e, "/photos/big.bin", id, "1", p1, n1, e1);
    md5_quoted(p1, n1, m1);
    md5_quoted(p2, sizeof p2 - 1, m2);
    cr_assert_str_eq(e1, m1);
    cr_assert_str_eq(e1, "\"4c28640dc8df1933aaea192100d50ae0\"");
    cr_assert_str_eq(e2, m2);
    cr_assert_str_eq(e2, "\"6f175b18df60a8bee9d7f1fd5eb58742\"");

    /* The composite ETag, computed here from the two digests. */
    unsigned char bins[32], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(p1, n1, bins, &mdlen, EVP_md5(), NULL);
    EVP_Digest(p2, sizeof p2 - 1, bins + 16, &mdlen, EVP_md5(), NULL);
    EVP_Digest(bins, 32, md, &mdlen, EVP_md5(), NULL);
    char composite[S3__ETAG_BYTES];
    composite[0] = '"';
    for (int i = 0; i < 16; i++)
        snprintf(composite + 1 + 2 * i, 3, "%02x", md[i]);
    snprintf(composite + 33, sizeof composite - 33, "-2\"");
    cr_assert_str_eq(composite, "\"54420c9bd0a43e64ad20b221d497393b-2\"");

    char body[512];
    snprintf(body, sizeof body,
             "<CompleteMultipartUpload " XMLNS ">\n  <Part>\n    <ETag>%s</ETag>\n"
             "    <PartNumber>1</PartNumber>\n  </Part>\n  <Part><PartNumber>2</PartNumber>"
             "<ETag>%s</ETag></Part>\n</CompleteMultipartUpload>",
             e1, e2);
    t = complete(&e, "/photos/big.bin", id, body);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    cr_assert_str_eq(tx_body_str(t),
                     XML_DECL "<CompleteMultipartUploadResult " XMLNS "><Location>"
                              "http://127.0.0.1:4566/photos/big.bin</Location><Bucket>photos"
                              "</Bucket><Key>big.bin</Key><ETag>&quot;54420c9bd0a43e64ad20b221"
                              "d497393b-2&quot;</ETag></CompleteMultipartUploadResult>");
    tx_free(t);

    t = tx_new("GET", "/photos/big.bin");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_eq(t->x.resp.body_len, n1 + sizeof p2 - 1);
    cr_assert_eq(memcmp(t->x.resp.body, p1, n1), 0);
    cr_assert_eq(memcmp(t->x.resp.body + n1, p2, sizeof p2 - 1), 0);
    cr_assert_str_eq(tx_resp_header(t, "ETag"), composite);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "text/plain");
    tx_free(t);

    /* Completed: the upload and its parts are gone. */
    t = tx_new("GET", "/photos/big.bin");
    tx_query(t, "uploadId", id);
    tx_serve(&e, t);
    snprintf(want, sizeof want,
             XML_DECL "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not "
                      "exist. The upload ID may be invalid, or the upload may have been aborted "
                      "or completed.</Message><UploadId>%s</UploadId><RequestId>"
                      "0000000000000007</RequestId></Error>",
             id);
    expect_error(t, 404, want);
    tx_free(t);
    t = complete(&e, "/photos/big.bin", id, body);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchUpload</Code>") != NULL);
    tx_free(t);
    free(p1);
    env_fini(&e);
}

/* A single-part upload (the last part may be any size, even empty) through the C API
 * level store, and a part re-uploaded under the same number replaces the earlier one.
 * Source: S3 API Reference, UploadPart ("overwrites the previous part"). */
Test(s3_multipart, reuploaded_part_replaces_and_single_small_part_completes)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES], et[S3__ETAG_BYTES];
    mpu_create(&e, "/photos/a.txt", NULL, id);
    part_ok(&e, "/photos/a.txt", id, "1", "first", 5, et);
    part_ok(&e, "/photos/a.txt", id, "1", "hello world", 11, et);
    cr_assert_str_eq(et, "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    char body[256];
    snprintf(body, sizeof body,
             "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
             "</CompleteMultipartUpload>",
             et);
    tx *t = complete(&e, "/photos/a.txt", id, body);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    void *data = NULL;
    size_t len = 0;
    char *ctype = NULL;
    sim_reply rep;
    sim_reply_init(&rep);
    cr_assert_eq(s3_object_get(e.svc, "photos", "a.txt", &rep, &data, &len, &ctype), 0);
    cr_assert_eq(len, 11);
    cr_assert_eq(memcmp(data, "hello world", 11), 0);
    cr_assert_str_eq(ctype, "binary/octet-stream");
    free(data);
    free(ctype);
    sim_reply_release(&rep);
    /* md5(md5("hello world")) with "-1", as S3 reports a one-part upload. */
    t = tx_new("HEAD", "/photos/a.txt");
    tx_serve(&e, t);
    unsigned char bin[16], md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest("hello world", 11, bin, &n, EVP_md5(), NULL);
    EVP_Digest(bin, 16, md, &n, EVP_md5(), NULL);
    char want[S3__ETAG_BYTES] = "\"";
    for (int i = 0; i < 16; i++)
        snprintf(want + 1 + 2 * i, 3, "%02x", md[i]);
    strcat(want, "-1\"");
    cr_assert_str_eq(tx_resp_header(t, "ETag"), want);
    cr_assert_str_eq(tx_resp_header(t, "Content-Length"), "11");
    tx_free(t);
    env_fini(&e);
}

/* UploadPart with an aws-chunked body (botocore's streaming upload): the part is the decoded
 * bytes and its ETag their MD5. Source: S3 API Reference, sigv4-streaming.html. */
Test(s3_multipart, aws_chunked_part_is_decoded)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES];
    mpu_create(&e, "/photos/c.bin", NULL, id);
    static const char body[] = "5\r\nhello\r\n6\r\n world\r\n0\r\n"
                               "x-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    tx *t = tx_new("PUT", "/photos/c.bin");
    tx_query(t, "partNumber", "1");
    tx_query(t, "uploadId", id);
    tx_header(t, "Content-Encoding", "aws-chunked");
    tx_header(t, "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    tx_header(t, "x-amz-decoded-content-length", "11");
    tx_body(t, body, sizeof body - 1);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    cr_assert_str_eq(tx_resp_header(t, "ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    tx_free(t);
    t = tx_new("GET", "/photos/c.bin");
    tx_query(t, "uploadId", id);
    tx_serve(&e, t);
    cr_assert(strstr(tx_body_str(t), "<Size>11</Size>") != NULL, "%s", tx_body_str(t));
    tx_free(t);
    env_fini(&e);
}

/* ---- errors ---- */

/* partNumber outside 1..10000 or not a number: 400 InvalidArgument naming partNumber.
 * Source: S3 API Reference, UploadPart ("Part numbers can be any number from 1 to 10,000,
 * inclusive"); the message is S3's. */
Test(s3_multipart, part_number_out_of_range_is_invalid_argument)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    static const char *const bad[] = { "0", "10001", "abc", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tx *t = part_put(&e, "/photos/k", id, bad[i], "x", 1);
        char want[512];
        snprintf(want, sizeof want,
                 XML_DECL "<Error><Code>InvalidArgument</Code><Message>Part number must be an "
                          "integer between 1 and 10000, inclusive</Message><ArgumentName>"
                          "partNumber</ArgumentName><ArgumentValue>%s</ArgumentValue><RequestId>"
                          "%016zX</RequestId></Error>",
                 bad[i], i + 3);
        expect_error(t, 400, want);
        tx_free(t);
    }
    char et[S3__ETAG_BYTES];
    part_ok(&e, "/photos/k", id, "10000", "x", 1, et);
    env_fini(&e);
}

/* An unknown upload ID, or one of another key: 404 NoSuchUpload with the UploadId.
 * Source: S3 API Reference, "Error responses" (NoSuchUpload). */
Test(s3_multipart, unknown_upload_is_no_such_upload)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = part_put(&e, "/photos/k", "nope", "1", "x", 1);
    expect_error(t, 404,
                 XML_DECL "<Error><Code>NoSuchUpload</Code><Message>The specified upload does "
                          "not exist. The upload ID may be invalid, or the upload may have been "
                          "aborted or completed.</Message><UploadId>nope</UploadId><RequestId>"
                          "0000000000000002</RequestId></Error>");
    tx_free(t);
    char id[S3__UPLOAD_ID_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    t = part_put(&e, "/photos/other", id, "1", "x", 1);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchUpload</Code>") != NULL);
    tx_free(t);
    t = tx_new("DELETE", "/photos/k");
    tx_query(t, "uploadId", "nope");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 404);
    tx_free(t);
    /* In a missing bucket, NoSuchBucket comes first. */
    t = tx_new("POST", "/nobucket/k");
    tx_query(t, "uploads", "");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchBucket</Code>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* AbortMultipartUpload: 204, then the upload is gone (a second abort, UploadPart and
 * ListParts answer NoSuchUpload) and it no longer appears in ListMultipartUploads.
 * Source: S3 API Reference, AbortMultipartUpload. */
Test(s3_multipart, abort_removes_upload_and_parts)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES], et[S3__ETAG_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    part_ok(&e, "/photos/k", id, "1", "abc", 3, et);
    tx *t = tx_new("DELETE", "/photos/k");
    tx_query(t, "uploadId", id);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 204);
    cr_assert_eq(t->x.resp.body_len, 0);
    tx_free(t);
    t = tx_new("DELETE", "/photos/k");
    tx_query(t, "uploadId", id);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchUpload</Code>") != NULL);
    tx_free(t);
    t = part_put(&e, "/photos/k", id, "2", "x", 1);
    cr_assert_eq(t->x.resp.status, 404);
    tx_free(t);
    t = tx_new("GET", "/photos");
    tx_query(t, "uploads", "");
    tx_serve(&e, t);
    cr_assert_str_eq(tx_body_str(t),
                     XML_DECL "<ListMultipartUploadsResult " XMLNS "><Bucket>photos</Bucket>"
                              "<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
                              "<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>"
                              "</ListMultipartUploadsResult>");
    tx_free(t);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(e.svc->db, "SELECT count(*) FROM s3_part", -1, &st, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 0, "parts are freed on abort");
    sqlite3_finalize(st);
    env_fini(&e);
}

/* Parts listed out of order: 400 InvalidPartOrder. Source: S3 API Reference,
 * CompleteMultipartUpload errors; "Error responses". */
Test(s3_multipart, complete_descending_parts_is_invalid_part_order)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES], e1[S3__ETAG_BYTES], e2[S3__ETAG_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    part_ok(&e, "/photos/k", id, "1", "a", 1, e1);
    part_ok(&e, "/photos/k", id, "2", "b", 1, e2);
    char body[512];
    snprintf(body, sizeof body,
             "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part>"
             "<Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>",
             e2, e1);
    tx *t = complete(&e, "/photos/k", id, body);
    expect_error(t, 400,
                 XML_DECL "<Error><Code>InvalidPartOrder</Code><Message>The list of parts was "
                          "not in ascending order. The parts list must be specified in order by "
                          "part number.</Message><RequestId>0000000000000005</RequestId>"
                          "</Error>");
    tx_free(t);
    /* A repeated part number is not ascending either. */
    snprintf(body, sizeof body,
             "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
             "<Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>",
             e1, e1);
    t = complete(&e, "/photos/k", id, body);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t), "<Code>InvalidPartOrder</Code>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* A part that was never uploaded, or whose ETag differs: 400 InvalidPart; the upload is
 * untouched (it can still be completed). Quotes around the ETag are optional and hex case
 * does not matter. Source: S3 API Reference, CompleteMultipartUpload; "Error responses". */
Test(s3_multipart, complete_missing_or_mismatched_part_is_invalid_part)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES], e1[S3__ETAG_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    part_ok(&e, "/photos/k", id, "1", "hello world", 11, e1);
    static const char invalid_part[] =
        XML_DECL "<Error><Code>InvalidPart</Code><Message>One or more of the specified parts "
                 "could not be found. The part might not have been uploaded, or the specified "
                 "entity tag might not have matched the part&apos;s entity tag.</Message>"
                 "<RequestId>%016X</RequestId></Error>";
    char want[512];
    tx *t = complete(&e, "/photos/k", id,
                     "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
                     "\"00000000000000000000000000000000\"</ETag></Part>"
                     "</CompleteMultipartUpload>");
    snprintf(want, sizeof want, invalid_part, 4u);
    expect_error(t, 400, want);
    tx_free(t);
    t = complete(&e, "/photos/k", id,
                 "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
                 "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"</ETag></Part><Part><PartNumber>3"
                 "</PartNumber><ETag>\"5eb63bbbe01eeed093cb22bb8f5acdc3\"</ETag></Part>"
                 "</CompleteMultipartUpload>");
    snprintf(want, sizeof want, invalid_part, 5u);
    expect_error(t, 400, want);
    tx_free(t);
    t = complete(&e, "/photos/k", id,
                 "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part>"
                 "</CompleteMultipartUpload>");
    snprintf(want, sizeof want, invalid_part, 6u);
    expect_error(t, 400, want);
    tx_free(t);
    t = complete(&e, "/photos/k", id,
                 "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
                 "&quot;5EB63BBBE01EEED093CB22BB8F5ACDC3&quot;</ETag></Part>"
                 "</CompleteMultipartUpload>");
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    env_fini(&e);
}

/* A part before the last under 5 MiB: 400 EntityTooSmall (the last part may be smaller).
 * Source: S3 API Reference, CompleteMultipartUpload; S3 User Guide, "Amazon S3 multipart
 * upload limits" (5 MiB minimum part size, the last part excepted). */
Test(s3_multipart, complete_small_part_before_last_is_entity_too_small)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES], e1[S3__ETAG_BYTES], e2[S3__ETAG_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    size_t n;
    unsigned char *big = big_part(&n);
    part_ok(&e, "/photos/k", id, "1", big, n - 1, e1); /* one byte short of 5 MiB */
    part_ok(&e, "/photos/k", id, "2", "b", 1, e2);
    char body[512];
    snprintf(body, sizeof body,
             "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
             "<Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>",
             e1, e2);
    tx *t = complete(&e, "/photos/k", id, body);
    expect_error(t, 400,
                 XML_DECL "<Error><Code>EntityTooSmall</Code><Message>Your proposed upload is "
                          "smaller than the minimum allowed object size.</Message><RequestId>"
                          "0000000000000005</RequestId></Error>");
    tx_free(t);
    /* Exactly 5 MiB is enough. */
    part_ok(&e, "/photos/k", id, "1", big, n, e1);
    snprintf(body, sizeof body,
             "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
             "<Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>",
             e1, e2);
    t = complete(&e, "/photos/k", id, body);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    free(big);
    env_fini(&e);
}

/* No <Part> at all, or a body that is not a CompleteMultipartUpload: 400 MalformedXML.
 * Source: S3 API Reference, "Error responses" (MalformedXML). */
Test(s3_multipart, complete_without_parts_is_malformed_xml)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    static const char *const bodies[] = { "<CompleteMultipartUpload " XMLNS ">"
                                          "</CompleteMultipartUpload>",
                                          "", "<Foo/>",
                                          "<CompleteMultipartUpload><Part><PartNumber>x"
                                          "</PartNumber></Part></CompleteMultipartUpload>" };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        tx *t = complete(&e, "/photos/k", id, bodies[i]);
        char want[512];
        snprintf(want, sizeof want,
                 XML_DECL "<Error><Code>MalformedXML</Code><Message>The XML you provided was not "
                          "well-formed or did not validate against our published schema"
                          "</Message><RequestId>%016zX</RequestId></Error>",
                 i + 3);
        expect_error(t, 400, want);
        tx_free(t);
    }
    env_fini(&e);
}

/* ---- listings ---- */

/* ListParts: parts in number order with size and ETag; max-parts pages with
 * NextPartNumberMarker, part-number-marker resumes. Source: S3 API Reference, ListParts. */
Test(s3_multipart, list_parts_pages)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES], et[S3__ETAG_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    part_ok(&e, "/photos/k", id, "3", "lo wo", 5, et);
    part_ok(&e, "/photos/k", id, "1", "hello world", 11, et);
    tx *t = tx_new("GET", "/photos/k");
    tx_query(t, "uploadId", id);
    tx_query(t, "max-parts", "1");
    tx_serve(&e, t);
    char want[2048];
    snprintf(want, sizeof want,
             XML_DECL "<ListPartsResult " XMLNS "><Bucket>photos</Bucket><Key>k</Key>"
                      "<UploadId>%s</UploadId>" INITIATOR_OWNER
                      "<StorageClass>STANDARD</StorageClass><PartNumberMarker>0"
                      "</PartNumberMarker><NextPartNumberMarker>1</NextPartNumberMarker>"
                      "<MaxParts>1</MaxParts><IsTruncated>true</IsTruncated><Part><PartNumber>1"
                      "</PartNumber><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"
                      "&quot;5eb63bbbe01eeed093cb22bb8f5acdc3&quot;</ETag><Size>11</Size></Part>"
                      "</ListPartsResult>",
             id);
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_body_str(t), want);
    tx_free(t);
    t = tx_new("GET", "/photos/k");
    tx_query(t, "uploadId", id);
    tx_query(t, "part-number-marker", "1");
    tx_serve(&e, t);
    snprintf(want, sizeof want,
             XML_DECL "<ListPartsResult " XMLNS "><Bucket>photos</Bucket><Key>k</Key>"
                      "<UploadId>%s</UploadId>" INITIATOR_OWNER
                      "<StorageClass>STANDARD</StorageClass><PartNumberMarker>1"
                      "</PartNumberMarker><NextPartNumberMarker>3</NextPartNumberMarker>"
                      "<MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated><Part>"
                      "<PartNumber>3</PartNumber><LastModified>2026-01-01T00:00:00.000Z"
                      "</LastModified><ETag>&quot;405a146923df6f329f0f3e072fbfa173&quot;</ETag>"
                      "<Size>5</Size></Part></ListPartsResult>",
             id);
    cr_assert_str_eq(tx_body_str(t), want);
    tx_free(t);
    t = tx_new("GET", "/photos/k");
    tx_query(t, "uploadId", id);
    tx_query(t, "max-parts", "-1");
    tx_serve(&e, t);
    expect_error(t, 400,
                 XML_DECL "<Error><Code>InvalidArgument</Code><Message>Provided max-parts not an "
                          "integer or within integer range</Message><ArgumentName>max-parts"
                          "</ArgumentName><ArgumentValue>-1</ArgumentValue><RequestId>"
                          "0000000000000007</RequestId></Error>");
    tx_free(t);
    env_fini(&e);
}

/* ListMultipartUploads: uploads in key order, several of one key in creation order;
 * prefix; max-uploads truncates with NextKeyMarker/NextUploadIdMarker, and key-marker with
 * upload-id-marker resumes after that upload. Source: S3 API Reference,
 * ListMultipartUploads. */
Test(s3_multipart, list_multipart_uploads_orders_and_pages)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char b1[S3__UPLOAD_ID_BYTES], b2[S3__UPLOAD_ID_BYTES], a1[S3__UPLOAD_ID_BYTES];
    mpu_create(&e, "/photos/b", NULL, b1);
    sim_sched_run_for(&e.sched, 1500 * SIM_MS);
    mpu_create(&e, "/photos/b", NULL, b2);
    mpu_create(&e, "/photos/a", NULL, a1);
    cr_assert(strcmp(b1, b2) < 0, "IDs sort in creation order");

    tx *t = tx_new("GET", "/photos");
    tx_query(t, "uploads", "");
    tx_query(t, "max-uploads", "2");
    tx_serve(&e, t);
    char want[4096];
    snprintf(want, sizeof want,
             XML_DECL "<ListMultipartUploadsResult " XMLNS "><Bucket>photos</Bucket><KeyMarker>"
                      "</KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker>b"
                      "</NextKeyMarker><NextUploadIdMarker>%s</NextUploadIdMarker><MaxUploads>2"
                      "</MaxUploads><IsTruncated>true</IsTruncated>"
                      "<Upload><Key>a</Key><UploadId>%s</UploadId>" INITIATOR_OWNER
                      "<StorageClass>STANDARD</StorageClass><Initiated>2026-01-01T00:00:01.500Z"
                      "</Initiated></Upload>"
                      "<Upload><Key>b</Key><UploadId>%s</UploadId>" INITIATOR_OWNER
                      "<StorageClass>STANDARD</StorageClass><Initiated>2026-01-01T00:00:00.000Z"
                      "</Initiated></Upload></ListMultipartUploadsResult>",
             b1, a1, b1);
    cr_assert_str_eq(tx_body_str(t), want);
    tx_free(t);

    t = tx_new("GET", "/photos");
    tx_query(t, "uploads", "");
    tx_query(t, "key-marker", "b");
    tx_query(t, "upload-id-marker", b1);
    tx_serve(&e, t);
    snprintf(want, sizeof want,
             XML_DECL "<ListMultipartUploadsResult " XMLNS "><Bucket>photos</Bucket><KeyMarker>b"
                      "</KeyMarker><UploadIdMarker>%s</UploadIdMarker><MaxUploads>1000"
                      "</MaxUploads><IsTruncated>false</IsTruncated>"
                      "<Upload><Key>b</Key><UploadId>%s</UploadId>" INITIATOR_OWNER
                      "<StorageClass>STANDARD</StorageClass><Initiated>2026-01-01T00:00:01.500Z"
                      "</Initiated></Upload></ListMultipartUploadsResult>",
             b1, b2);
    cr_assert_str_eq(tx_body_str(t), want);
    tx_free(t);

    /* key-marker alone: only keys after it. */
    sim_reply rep;
    sim_reply_init(&rep);
    s3__upload_list_res res;
    s3__upload_list_req req = { .key_marker = "a", .max_uploads = 1000 };
    cr_assert_eq(s3__upload_list(e.svc, "photos", &req, &rep, &res), 0);
    cr_assert_eq(res.nuploads, 2);
    cr_assert_str_eq(res.uploads[0].upload_id, b1);
    cr_assert_str_eq(res.uploads[1].upload_id, b2);
    s3__upload_list_res_release(&res);
    s3__upload_list_req pre = { .prefix = "a", .max_uploads = 1000 };
    cr_assert_eq(s3__upload_list(e.svc, "photos", &pre, &rep, &res), 0);
    cr_assert_eq(res.nuploads, 1);
    cr_assert_str_eq(res.uploads[0].key, "a");
    s3__upload_list_res_release(&res);
    sim_reply_release(&rep);
    env_fini(&e);
}

/* A delimiter rolls keys up into CommonPrefixes, as in ListObjects.
 * Source: S3 API Reference, ListMultipartUploads (delimiter). */
Test(s3_multipart, list_multipart_uploads_delimiter)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES];
    mpu_create(&e, "/photos/x/1", NULL, id);
    mpu_create(&e, "/photos/x/2", NULL, id);
    mpu_create(&e, "/photos/y", NULL, id);
    tx *t = tx_new("GET", "/photos");
    tx_query(t, "uploads", "");
    tx_query(t, "delimiter", "/");
    tx_serve(&e, t);
    char want[2048];
    snprintf(want, sizeof want,
             XML_DECL "<ListMultipartUploadsResult " XMLNS "><Bucket>photos</Bucket><KeyMarker>"
                      "</KeyMarker><UploadIdMarker></UploadIdMarker><Delimiter>/</Delimiter>"
                      "<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>"
                      "<Upload><Key>y</Key><UploadId>%s</UploadId>" INITIATOR_OWNER
                      "<StorageClass>STANDARD</StorageClass><Initiated>2026-01-01T00:00:00.000Z"
                      "</Initiated></Upload><CommonPrefixes><Prefix>x/</Prefix></CommonPrefixes>"
                      "</ListMultipartUploadsResult>",
             id);
    cr_assert_str_eq(tx_body_str(t), want);
    tx_free(t);
    env_fini(&e);
}

/* DeleteBucket of an empty bucket drops its in-progress uploads with it.
 * Source: S3 API Reference, DeleteBucket (only objects make a bucket non-empty). */
Test(s3_multipart, delete_bucket_drops_uploads)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    char id[S3__UPLOAD_ID_BYTES], et[S3__ETAG_BYTES];
    mpu_create(&e, "/photos/k", NULL, id);
    part_ok(&e, "/photos/k", id, "1", "x", 1, et);
    do_ok(&e, "DELETE", "/photos", NULL, 204);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    tx *t = part_put(&e, "/photos/k", id, "2", "x", 1);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchUpload</Code>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* ---- copies ---- */

/* CopyObject: the bytes and Content-Type of the source under the new key, with
 * <CopyObjectResult> ETag and LastModified; REPLACE takes the request's Content-Type; a
 * percent-encoded source works. Source: S3 API Reference, CopyObject. */
Test(s3_multipart, copy_object)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/other", NULL, 200);
    tx *t = tx_new("PUT", "/photos/a b.txt");
    tx_header(t, "Content-Type", "text/plain");
    tx_body(t, "hello world", 11);
    tx_serve(&e, t);
    tx_free(t);
    sim_sched_run_for(&e.sched, 2 * SIM_S);
    t = tx_new("PUT", "/other/copy.txt");
    tx_header(t, "x-amz-copy-source", "photos/a%20b.txt");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    cr_assert_str_eq(tx_body_str(t),
                     XML_DECL "<CopyObjectResult " XMLNS "><ETag>&quot;"
                              "5eb63bbbe01eeed093cb22bb8f5acdc3&quot;</ETag><LastModified>"
                              "2026-01-01T00:00:02.000Z</LastModified></CopyObjectResult>");
    tx_free(t);
    t = tx_new("GET", "/other/copy.txt");
    tx_serve(&e, t);
    cr_assert_str_eq(tx_body_str(t), "hello world");
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "text/plain");
    cr_assert_str_eq(tx_resp_header(t, "Last-Modified"), "Thu, 01 Jan 2026 00:00:02 GMT");
    tx_free(t);
    t = tx_new("PUT", "/photos/a b.txt");
    tx_header(t, "x-amz-copy-source", "/photos/a%20b.txt");
    tx_header(t, "x-amz-metadata-directive", "REPLACE");
    tx_header(t, "Content-Type", "text/markdown");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    t = tx_new("HEAD", "/photos/a b.txt");
    tx_serve(&e, t);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "text/markdown");
    tx_free(t);
    env_fini(&e);
}

/* CopyObject errors: a missing source key is NoSuchKey naming the source key; a copy onto
 * itself without REPLACE is InvalidRequest; a source without a key is InvalidArgument.
 * Source: S3 API Reference, CopyObject; "Error responses". */
Test(s3_multipart, copy_object_errors)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/photos/a", "x", 200);
    tx *t = tx_new("PUT", "/photos/b");
    tx_header(t, "x-amz-copy-source", "/photos/missing");
    tx_serve(&e, t);
    expect_error(t, 404,
                 XML_DECL "<Error><Code>NoSuchKey</Code><Message>The specified key does not "
                          "exist.</Message><Key>missing</Key><RequestId>0000000000000003"
                          "</RequestId></Error>");
    tx_free(t);
    t = tx_new("PUT", "/photos/a");
    tx_header(t, "x-amz-copy-source", "photos/a");
    tx_serve(&e, t);
    expect_error(t, 400,
                 XML_DECL "<Error><Code>InvalidRequest</Code><Message>This copy request is "
                          "illegal because it is trying to copy an object to itself without "
                          "changing the object&apos;s metadata, storage class, website redirect "
                          "location or encryption attributes.</Message><RequestId>"
                          "0000000000000004</RequestId></Error>");
    tx_free(t);
    t = tx_new("PUT", "/photos/b");
    tx_header(t, "x-amz-copy-source", "photos");
    tx_serve(&e, t);
    expect_error(t, 400,
                 XML_DECL "<Error><Code>InvalidArgument</Code><Message>Invalid copy source "
                          "object key</Message><ArgumentName>x-amz-copy-source</ArgumentName>"
                          "<ArgumentValue>photos</ArgumentValue><RequestId>0000000000000005"
                          "</RequestId></Error>");
    tx_free(t);
    t = tx_new("PUT", "/photos/b");
    tx_header(t, "x-amz-copy-source", "nobucket/a");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchBucket</Code><Message>The specified bucket "
                                     "does not exist</Message><BucketName>nobucket"
                                     "</BucketName>") != NULL,
              "%s", tx_body_str(t));
    tx_free(t);
    env_fini(&e);
}

/* UploadPartCopy with x-amz-copy-source-range: the part is that byte range of the source,
 * answered with <CopyPartResult>; a range past the end is InvalidArgument.
 * Source: S3 API Reference, UploadPartCopy. */
Test(s3_multipart, upload_part_copy_range)
{
    env e;
    env_init(&e);
    do_ok(&e, "PUT", "/photos", NULL, 200);
    do_ok(&e, "PUT", "/photos/src", "hello world", 200);
    char id[S3__UPLOAD_ID_BYTES];
    mpu_create(&e, "/photos/dst", NULL, id);
    tx *t = tx_new("PUT", "/photos/dst");
    tx_query(t, "partNumber", "1");
    tx_query(t, "uploadId", id);
    tx_header(t, "x-amz-copy-source", "photos/src");
    tx_header(t, "x-amz-copy-source-range", "bytes=3-7");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    cr_assert_str_eq(tx_body_str(t),
                     XML_DECL "<CopyPartResult " XMLNS "><ETag>&quot;"
                              "405a146923df6f329f0f3e072fbfa173&quot;</ETag><LastModified>"
                              "2026-01-01T00:00:00.000Z</LastModified></CopyPartResult>");
    tx_free(t);
    t = tx_new("PUT", "/photos/dst");
    tx_query(t, "partNumber", "2");
    tx_query(t, "uploadId", id);
    tx_header(t, "x-amz-copy-source", "photos/src");
    tx_header(t, "x-amz-copy-source-range", "bytes=3-11");
    tx_serve(&e, t);
    expect_error(t, 400,
                 XML_DECL "<Error><Code>InvalidArgument</Code><Message>Range specified is not "
                          "valid for source object of size: 11</Message><ArgumentName>"
                          "x-amz-copy-source-range</ArgumentName><ArgumentValue>bytes=3-11"
                          "</ArgumentValue><RequestId>0000000000000005</RequestId></Error>");
    tx_free(t);
    t = complete(&e, "/photos/dst", id,
                 "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
                 "\"405a146923df6f329f0f3e072fbfa173\"</ETag></Part></CompleteMultipartUpload>");
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    t = tx_new("GET", "/photos/dst");
    tx_serve(&e, t);
    cr_assert_str_eq(tx_body_str(t), "lo wo");
    tx_free(t);
    env_fini(&e);
}

/* With a database file, uploads survive a restart and new upload IDs continue after the
 * largest one kept (IDs never repeat and keep sorting in creation order). */
Test(s3_multipart, upload_ids_continue_after_restart)
{
    char path[] = "/tmp/test_s3_multipart.XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    sim_clock clock;
    sim_sched sched;
    sim_log log;
    sim_clock_init_virtual(&clock);
    sim_sched_init(&sched, &clock);
    sim_log_init(&log, stderr, SIM_LOG_ERROR, &sched);
    s3_options opt = { .db_path = path, .region = "us-west-2" };
    s3_service *svc = NULL;
    sim_reply rep;
    sim_reply_init(&rep);
    char id1[S3__UPLOAD_ID_BYTES], id2[S3__UPLOAD_ID_BYTES];
    cr_assert_eq(s3_service_create(&sched, &log, &opt, &svc), 0);
    cr_assert_eq(s3_bucket_create(svc, "photos", &rep), 0);
    cr_assert_eq(s3__upload_create(svc, "photos", "k", 1, NULL, id1, &rep), 0);
    cr_assert(!sim_reply_failed(&rep));
    s3_service_destroy(svc);
    cr_assert_eq(s3_service_create(&sched, &log, &opt, &svc), 0);
    cr_assert_eq(s3__upload_create(svc, "photos", "k", 1, NULL, id2, &rep), 0);
    cr_assert_eq(strncmp(id2, "0000000000000002", 16), 0, "%s", id2);
    cr_assert(strcmp(id1, id2) < 0);
    s3__part_list_res res;
    cr_assert_eq(s3__part_list(svc, "photos", "k", 1, id1, 0, 10, &rep, &res), 0);
    cr_assert(!sim_reply_failed(&rep), "the first upload survived the restart");
    s3__part_list_res_release(&res);
    s3_service_destroy(svc);
    sim_reply_release(&rep);
    sim_sched_release(&sched);
    unlink(path);
}
