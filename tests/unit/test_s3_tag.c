/* test_s3_tag.c - object tagging over the REST adapter: PutObjectTagging, GetObjectTagging,
 * DeleteObjectTagging, the tag rules and their exact errors, x-amz-tagging on PutObject and
 * CreateMultipartUpload, x-amz-tagging-count on GetObject/HeadObject, CopyObject's
 * x-amz-tagging-directive, and tags that go with an overwritten or deleted object.
 * Sources: S3 API Reference (PutObjectTagging, GetObjectTagging, DeleteObjectTagging,
 * PutObject, CopyObject, CreateMultipartUpload); User Guide, "Categorizing your storage
 * using tags" (10 tags, keys up to 128 and values up to 256 characters, aws: reserved). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/s3_int.h"
#include "tests/unit/test_s3_util.h"

#define XML_DECL     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define XMLNS        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define TAGGING(set) "<Tagging " XMLNS "><TagSet>" set "</TagSet></Tagging>"
#define TAG(k, v)    "<Tag><Key>" k "</Key><Value>" v "</Value></Tag>"

/* A bucket "photos" holding "a" ("x"). */
static void setup(env *e)
{
    env_init(e);
    do_ok(e, "PUT", "/photos", NULL, 200);
    do_ok(e, "PUT", "/photos/a", "x", 200);
}

/* PutObjectTagging of path with body; returns the served exchange (caller frees). */
static tx *tag_put(env *e, const char *path, const char *body)
{
    tx *t = tx_new("PUT", path);
    tx_query(t, "tagging", "");
    tx_body(t, body, strlen(body));
    tx_serve(e, t);
    return t;
}

/* GetObjectTagging of path must answer 200 with the document want. */
static void tag_get_is(env *e, const char *path, const char *want)
{
    tx *t = tx_new("GET", path);
    tx_query(t, "tagging", "");
    tx_serve(e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    char doc[4096];
    snprintf(doc, sizeof doc, XML_DECL "<Tagging " XMLNS "><TagSet>%s</TagSet></Tagging>", want);
    cr_assert_str_eq(tx_body_str(t), doc);
    tx_free(t);
}

/* PutObjectTagging of body must fail with status, code and message (the error document's
 * Code and Message, in that order). */
static void tag_put_fails(env *e, const char *body, int status, const char *code,
                          const char *message)
{
    char want[512];
    snprintf(want, sizeof want, "<Error><Code>%s</Code><Message>%s</Message>", code, message);
    tx *t = tag_put(e, "/photos/a", body);
    cr_assert_eq(t->x.resp.status, status, "%s", tx_body_str(t));
    cr_assert(strstr(tx_body_str(t), want) != NULL, "%s", tx_body_str(t));
    tx_free(t);
}

/* PutObjectTagging replaces the set; GetObjectTagging returns it in key order; an empty
 * TagSet clears it. Source: S3 API Reference, PutObjectTagging, GetObjectTagging. */
Test(s3_tag, put_get_replace_and_clear)
{
    env e;
    setup(&e);
    tag_get_is(&e, "/photos/a", "");
    tx *t = tag_put(&e, "/photos/a", TAGGING(TAG("zeta", "1") TAG("alpha", "a &amp; b")));
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    cr_assert_str_eq(tx_body_str(t), "");
    tx_free(t);
    tag_get_is(&e, "/photos/a", TAG("alpha", "a &amp; b") TAG("zeta", "1"));
    t = tag_put(&e, "/photos/a", TAGGING(TAG("k", "")));
    cr_assert_eq(t->x.resp.status, 200);
    tx_free(t);
    tag_get_is(&e, "/photos/a", TAG("k", ""));
    t = tag_put(&e, "/photos/a", "<Tagging><TagSet/></Tagging>");
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    tag_get_is(&e, "/photos/a", "");
    env_fini(&e);
}

/* DeleteObjectTagging removes every tag and answers 204.
 * Source: S3 API Reference, DeleteObjectTagging. */
Test(s3_tag, delete_object_tagging)
{
    env e;
    setup(&e);
    tx_free(tag_put(&e, "/photos/a", TAGGING(TAG("k", "v"))));
    tx *t = tx_new("DELETE", "/photos/a");
    tx_query(t, "tagging", "");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 204);
    tx_free(t);
    tag_get_is(&e, "/photos/a", "");
    /* The object itself is still there. */
    do_ok(&e, "GET", "/photos/a", NULL, 200);
    env_fini(&e);
}

/* The tagging operations answer NoSuchKey and NoSuchBucket as HeadObject's siblings
 * GetObject do. Source: S3 API Reference, GetObjectTagging / PutObjectTagging /
 * DeleteObjectTagging; "Error responses". */
Test(s3_tag, missing_key_and_bucket)
{
    env e;
    setup(&e);
    const char *methods[] = { "GET", "PUT", "DELETE" };
    for (size_t i = 0; i < 3; i++) {
        tx *t = tx_new(methods[i], "/photos/nope");
        tx_query(t, "tagging", "");
        tx_body(t, TAGGING(""), strlen(TAGGING("")));
        tx_serve(&e, t);
        cr_assert_eq(t->x.resp.status, 404, "%s", methods[i]);
        cr_assert(strstr(tx_body_str(t), "<Code>NoSuchKey</Code><Message>The specified key does "
                                         "not exist.</Message><Key>nope</Key>") != NULL,
                  "%s", tx_body_str(t));
        tx_free(t);
        t = tx_new(methods[i], "/nobucket/a");
        tx_query(t, "tagging", "");
        tx_body(t, TAGGING(""), strlen(TAGGING("")));
        tx_serve(&e, t);
        cr_assert_eq(t->x.resp.status, 404, "%s", methods[i]);
        cr_assert(strstr(tx_body_str(t), "<Code>NoSuchBucket</Code><Message>The specified bucket "
                                         "does not exist</Message><BucketName>nobucket"
                                         "</BucketName>") != NULL,
                  "%s", tx_body_str(t));
        tx_free(t);
    }
    env_fini(&e);
}

/* A body that is not a Tagging document is MalformedXML; the stored tags are kept.
 * Source: S3 API Reference, "Error responses" (MalformedXML); PutObjectTagging syntax. */
Test(s3_tag, malformed_xml)
{
    env e;
    setup(&e);
    tx_free(tag_put(&e, "/photos/a", TAGGING(TAG("k", "v"))));
    static const char msg[] = "The XML you provided was not well-formed or did not validate "
                              "against our published schema";
    tag_put_fails(&e, "", 400, "MalformedXML", msg);
    tag_put_fails(&e, "<Tagging>", 400, "MalformedXML", msg);
    tag_put_fails(&e, "<Tagging><Tag><Key>k</Key><Value>v</Value></Tag></Tagging>", 400,
                  "MalformedXML", msg);
    tag_put_fails(&e, TAGGING("<Tag><Key>k</Key></Tag>"), 400, "MalformedXML", msg);
    tag_put_fails(&e, TAGGING("<Tag><Value>v</Value></Tag>"), 400, "MalformedXML", msg);
    tag_put_fails(&e, TAGGING("junk"), 400, "MalformedXML", msg);
    tag_get_is(&e, "/photos/a", TAG("k", "v"));
    env_fini(&e);
}

/* The tag rules, with S3's codes and messages: more than 10 tags (BadRequest, as S3
 * answers: boto/boto3#1213), a repeated key, a key of 0 or 129 characters, a value of 257
 * characters, the aws: prefix (InvalidTag). 10 tags, a 128-character key and a
 * 256-character value are fine; lengths count characters, not bytes.
 * Source: User Guide, "Categorizing your storage using tags"; PutObjectTagging. */
Test(s3_tag, tag_rules)
{
    env e;
    setup(&e);
    char body[8192], k128[129], k129[130], v256[257], v257[258];
    memset(k128, 'k', 128);
    k128[128] = '\0';
    memset(k129, 'k', 129);
    k129[129] = '\0';
    memset(v256, 'v', 256);
    v256[256] = '\0';
    memset(v257, 'v', 257);
    v257[257] = '\0';

    size_t n = (size_t)snprintf(body, sizeof body, "<Tagging><TagSet>");
    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, TAG("k%d", "v"), i);
    snprintf(body + n, sizeof body - n, "</TagSet></Tagging>");
    tag_put_fails(&e, body, 400, "BadRequest", "Object tags cannot be greater than 10");
    /* Ten is the limit, not over it. */
    char *last = strstr(body, "<Tag><Key>k10</Key>");
    cr_assert(last != NULL);
    snprintf(last, sizeof body - (size_t)(last - body), "</TagSet></Tagging>");
    tx *t = tag_put(&e, "/photos/a", body);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);

    tag_put_fails(&e, TAGGING(TAG("k", "1") TAG("k", "2")), 400, "InvalidTag",
                  "Cannot provide multiple Tags with the same key");
    tag_put_fails(&e, TAGGING(TAG("", "v")), 400, "InvalidTag",
                  "The TagKey you have provided is invalid");
    snprintf(body, sizeof body, TAGGING(TAG("%s", "v")), k129);
    tag_put_fails(&e, body, 400, "InvalidTag", "The TagKey you have provided is invalid");
    snprintf(body, sizeof body, TAGGING(TAG("k", "%s")), v257);
    tag_put_fails(&e, body, 400, "InvalidTag", "The TagValue you have provided is invalid");
    tag_put_fails(&e, TAGGING(TAG("aws:cost", "v")), 400, "InvalidTag",
                  "Your TagKey cannot be prefixed with aws:");

    snprintf(body, sizeof body, TAGGING(TAG("%s", "%s")), k128, v256);
    t = tag_put(&e, "/photos/a", body);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    /* 128 two-byte characters (256 bytes) is still 128 characters. */
    char wide[2 * 128 + 1];
    for (int i = 0; i < 128; i++)
        memcpy(wide + 2 * i, "\xc3\xa9", 2);
    wide[256] = '\0';
    snprintf(body, sizeof body, TAGGING(TAG("%s", "v")), wide);
    t = tag_put(&e, "/photos/a", body);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    env_fini(&e);
}

/* PutObject's x-amz-tagging ("k1=v1&k2=v2", URL-encoded) tags the new object;
 * GetObject/HeadObject then carry x-amz-tagging-count, which an untagged object lacks.
 * Source: S3 API Reference, PutObject (x-amz-tagging), GetObject and HeadObject
 * (x-amz-tagging-count). */
Test(s3_tag, put_object_with_tagging_header_and_count)
{
    env e;
    setup(&e);
    tx *t = tx_new("GET", "/photos/a");
    tx_serve(&e, t);
    cr_assert_null(tx_resp_header(t, "x-amz-tagging-count"));
    tx_free(t);
    t = tx_new("PUT", "/photos/b");
    tx_header(t, "x-amz-tagging", "team=data%20eng&empty=&plus=a+b&flag");
    tx_body(t, "hi", 2);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    tag_get_is(&e, "/photos/b",
               TAG("empty", "") TAG("flag", "") TAG("plus", "a b") TAG("team", "data eng"));
    const char *methods[] = { "GET", "HEAD" };
    for (size_t i = 0; i < 2; i++) {
        t = tx_new(methods[i], "/photos/b");
        tx_serve(&e, t);
        cr_assert_eq(t->x.resp.status, 200);
        cr_assert_str_eq(tx_resp_header(t, "x-amz-tagging-count"), "4");
        tx_free(t);
    }
    env_fini(&e);
}

/* A bad x-amz-tagging header refuses the PutObject (nothing is stored): a repeated name is
 * InvalidArgument, the tag rules answer as for PutObjectTagging.
 * Source: S3 API Reference, PutObject; the duplicate-name message as S3 answers
 * `put-object --tagging 'a=&a='` (recorded in open-io/swift3#92). */
Test(s3_tag, put_object_bad_tagging_header)
{
    env e;
    setup(&e);
    tx *t = tx_new("PUT", "/photos/b");
    tx_header(t, "x-amz-tagging", "a=&a=");
    tx_body(t, "hi", 2);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(
        strstr(tx_body_str(t),
               "<Code>InvalidArgument</Code><Message>The header &apos;x-amz-tagging&apos; shall be "
               "encoded as UTF-8 then URLEncoded URL query parameters without tag name "
               "duplicates.</Message><ArgumentName>x-amz-tagging</ArgumentName>"
               "<ArgumentValue>a=&amp;a=</ArgumentValue>") != NULL,
        "%s", tx_body_str(t));
    tx_free(t);
    t = tx_new("PUT", "/photos/b");
    tx_header(t, "x-amz-tagging", "aws:x=1");
    tx_body(t, "hi", 2);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t), "<Code>InvalidTag</Code><Message>Your TagKey cannot be "
                                     "prefixed with aws:</Message>") != NULL);
    tx_free(t);
    t = tx_new("PUT", "/photos/b");
    tx_header(t, "x-amz-tagging", "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11");
    tx_body(t, "hi", 2);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t), "<Code>BadRequest</Code><Message>Object tags cannot be "
                                     "greater than 10</Message>") != NULL);
    tx_free(t);
    do_ok(&e, "GET", "/photos/b", NULL, 404);
    env_fini(&e);
}

/* Overwriting an object with PutObject without x-amz-tagging leaves it untagged; deleting
 * it deletes its tags (a new object of that key starts untagged).
 * Source: S3 API Reference, PutObject (a PUT replaces the whole object), DeleteObject. */
Test(s3_tag, overwrite_and_delete_drop_tags)
{
    env e;
    setup(&e);
    tx_free(tag_put(&e, "/photos/a", TAGGING(TAG("k", "v"))));
    do_ok(&e, "PUT", "/photos/a", "y", 200);
    tag_get_is(&e, "/photos/a", "");
    tx_free(tag_put(&e, "/photos/a", TAGGING(TAG("k", "v"))));
    do_ok(&e, "DELETE", "/photos/a", NULL, 204);
    do_ok(&e, "PUT", "/photos/a", "z", 200);
    tag_get_is(&e, "/photos/a", "");
    env_fini(&e);
}

/* CopyObject copies the source's tags by default (x-amz-tagging-directive COPY, where
 * x-amz-tagging is ignored) and takes x-amz-tagging's with REPLACE; another directive is
 * InvalidArgument. Source: S3 API Reference, CopyObject (x-amz-tagging-directive). */
Test(s3_tag, copy_object_tagging_directive)
{
    env e;
    setup(&e);
    tx_free(tag_put(&e, "/photos/a", TAGGING(TAG("src", "1"))));
    tx *t = tx_new("PUT", "/photos/c1");
    tx_header(t, "x-amz-copy-source", "/photos/a");
    tx_header(t, "x-amz-tagging", "ignored=1");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    tag_get_is(&e, "/photos/c1", TAG("src", "1"));
    t = tx_new("PUT", "/photos/c2");
    tx_header(t, "x-amz-copy-source", "/photos/a");
    tx_header(t, "x-amz-tagging-directive", "REPLACE");
    tx_header(t, "x-amz-tagging", "new=2");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    tag_get_is(&e, "/photos/c2", TAG("new", "2"));
    t = tx_new("PUT", "/photos/c3");
    tx_header(t, "x-amz-copy-source", "/photos/a");
    tx_header(t, "x-amz-tagging-directive", "REPLACE");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    tag_get_is(&e, "/photos/c3", "");
    t = tx_new("PUT", "/photos/c4");
    tx_header(t, "x-amz-copy-source", "/photos/a");
    tx_header(t, "x-amz-tagging-directive", "MERGE");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t), "<Code>InvalidArgument</Code>") != NULL);
    tx_free(t);
    /* The source keeps its tags. */
    tag_get_is(&e, "/photos/a", TAG("src", "1"));
    env_fini(&e);
}

/* CreateMultipartUpload's x-amz-tagging tags the object CompleteMultipartUpload makes.
 * Source: S3 API Reference, CreateMultipartUpload (x-amz-tagging). */
Test(s3_tag, multipart_upload_with_tagging)
{
    env e;
    setup(&e);
    tx *t = tx_new("POST", "/photos/big");
    tx_query(t, "uploads", "");
    tx_header(t, "x-amz-tagging", "stage=raw");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    const char *a = strstr(tx_body_str(t), "<UploadId>");
    cr_assert(a != NULL);
    char id[S3__UPLOAD_ID_BYTES];
    snprintf(id, sizeof id, "%.*s", (int)strcspn(a + 10, "<"), a + 10);
    tx_free(t);
    t = tx_new("PUT", "/photos/big");
    tx_query(t, "uploadId", id);
    tx_query(t, "partNumber", "1");
    tx_body(t, "part", 4);
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    char etag[64];
    snprintf(etag, sizeof etag, "%s", tx_resp_header(t, "ETag"));
    tx_free(t);
    /* No object, so no tags, before completion. */
    t = tx_new("GET", "/photos/big");
    tx_query(t, "tagging", "");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 404);
    tx_free(t);
    char body[256];
    snprintf(body, sizeof body,
             "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
             "</CompleteMultipartUpload>",
             etag);
    t = tx_new("POST", "/photos/big");
    tx_query(t, "uploadId", id);
    tx_body(t, body, strlen(body));
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
    tx_free(t);
    tag_get_is(&e, "/photos/big", TAG("stage", "raw"));
    /* A bad header refuses the upload. */
    t = tx_new("POST", "/photos/big2");
    tx_query(t, "uploads", "");
    tx_header(t, "x-amz-tagging", "aws:k=v");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 400);
    tx_free(t);
    env_fini(&e);
}

/* Bucket tagging (?tagging without a key) is still NotImplemented; POST ?tagging on an
 * object is MethodNotAllowed. Source: S3 API Reference, "Error responses". */
Test(s3_tag, bucket_tagging_not_implemented)
{
    env e;
    setup(&e);
    tx *t = tx_new("GET", "/photos");
    tx_query(t, "tagging", "");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 501);
    tx_free(t);
    t = tx_new("POST", "/photos/a");
    tx_query(t, "tagging", "");
    tx_serve(&e, t);
    cr_assert_eq(t->x.resp.status, 405);
    tx_free(t);
    env_fini(&e);
}

/* Tags live in their own table: a database file from before tags (an s3_object table
 * only) opens, and its objects take tags that survive a restart. */
Test(s3_tag, old_database_and_restart)
{
    char path[] = "/tmp/test_s3_tag.XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TABLE s3_bucket (name TEXT PRIMARY KEY, region TEXT NOT "
                              "NULL, created_us INTEGER NOT NULL);"
                              "CREATE TABLE s3_object (bucket TEXT NOT NULL, key BLOB NOT NULL,"
                              " data BLOB NOT NULL, ctype TEXT NOT NULL, etag TEXT NOT NULL,"
                              " modified_us INTEGER NOT NULL, PRIMARY KEY (bucket, key));"
                              "INSERT INTO s3_bucket VALUES ('old', 'us-east-1', 0);"
                              "INSERT INTO s3_object VALUES ('old', CAST('k' AS BLOB), "
                              "CAST('d' AS BLOB), 'text/plain', '\"e\"', 0);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    for (int round = 0; round < 2; round++) {
        env e;
        env_init(&e);
        s3_service_destroy(e.svc);
        s3_options opt = { .region = "us-west-2", .db_path = path };
        cr_assert_eq(s3_service_create(&e.sched, &e.log, &opt, &e.svc), 0);
        if (round == 0) {
            tag_get_is(&e, "/old/k", "");
            tx *t = tag_put(&e, "/old/k", TAGGING(TAG("kept", "yes")));
            cr_assert_eq(t->x.resp.status, 200, "%s", tx_body_str(t));
            tx_free(t);
        }
        tag_get_is(&e, "/old/k", TAG("kept", "yes"));
        env_fini(&e);
    }
    unlink(path);
}
