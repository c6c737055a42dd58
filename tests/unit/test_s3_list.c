/* test_s3_list.c - ListObjectsV2 and ListObjects (v1) over the REST adapter: prefix,
 * delimiter (CommonPrefixes), max-keys, continuation tokens, start-after, marker, url
 * encoding, and the list walk of the store. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storage/s3_int.h"
#include "tests/unit/test_s3_util.h"

#define LIST_HEAD                                                  \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult " \
    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"

/* Fills bucket "bkt" with keys (1 byte each) put at clock zero. */
static void fill(env *e, const char *const *keys, size_t n)
{
    do_ok(e, "PUT", "/bkt", NULL, 200);
    for (size_t i = 0; i < n; i++) {
        char path[256];
        snprintf(path, sizeof path, "/bkt/%s", keys[i]);
        do_ok(e, "PUT", path, "x", 200);
    }
}

/* Text of <tag>..</tag> in the response (malloc'd), or NULL. */
static char *xml_get(const tx *t, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(tx_body_str(t), open);
    if (a == NULL)
        return NULL;
    a += strlen(open);
    const char *z = strstr(a, close);
    cr_assert_not_null(z);
    return strndup(a, (size_t)(z - a));
}

/* Concatenation of every <Key> in the response, comma-separated, into out. */
static void keys_of(const tx *t, char *out, size_t cap)
{
    out[0] = '\0';
    for (const char *p = strstr(tx_body_str(t), "<Key>"); p; p = strstr(p, "<Key>")) {
        p += 5;
        const char *z = strstr(p, "</Key>");
        if (out[0])
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, p,
                (size_t)(z - p) < cap - strlen(out) - 1 ? (size_t)(z - p) : cap - strlen(out) - 1);
        p = z;
    }
}

static const char *const seven[] = { "e", "a.txt", "b/1", "f", "b/2", "c.txt", "d/x/1" };

#define X_CONTENTS(k)                                                                 \
    "<Contents><Key>" k "</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>" \
    "<ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size>"         \
    "<StorageClass>STANDARD</StorageClass></Contents>"

/* One v2 list page; query pairs name/value, NULL-terminated. */
static tx *list_v2(env *e, const char *const *q)
{
    tx *t = tx_new("GET", "/bkt");
    tx_query(t, "list-type", "2");
    for (; q != NULL && q[0] != NULL; q += 2)
        tx_query(t, q[0], q[1]);
    tx_serve(e, t);
    return t;
}

/* Paging with max-keys=3 over 7 keys: three pages joined by NextContinuationToken, keys in
 * UTF-8 byte order, KeyCount per page, IsTruncated false on the last.
 * Source: S3 API Reference, ListObjectsV2 (max-keys, continuation-token, KeyCount). */
Test(s3_list, v2_pages_with_continuation_tokens)
{
    env e;
    env_init(&e);
    fill(&e, seven, 7);
    char keys[512];
    tx *t = list_v2(&e, (const char *const[]){ "max-keys", "3", NULL });
    cr_assert_eq(t->x.resp.status, 200);
    cr_assert_str_eq(tx_body_str(t), LIST_HEAD
                     "<Name>bkt</Name><Prefix></Prefix><MaxKeys>3</MaxKeys>"
                     "<KeyCount>3</KeyCount><IsTruncated>true</IsTruncated>"
                     "<NextContinuationToken>622f32</NextContinuationToken>" X_CONTENTS("a.txt")
                         X_CONTENTS("b/1") X_CONTENTS("b/2") "</ListBucketResult>");
    char *tok = xml_get(t, "NextContinuationToken");
    tx_free(t);

    t = list_v2(&e, (const char *const[]){ "max-keys", "3", "continuation-token", tok, NULL });
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "c.txt,d/x/1,e");
    cr_assert(strstr(tx_body_str(t), "<KeyCount>3</KeyCount><IsTruncated>true</IsTruncated>"
                                     "<ContinuationToken>622f32</ContinuationToken>") != NULL);
    free(tok);
    tok = xml_get(t, "NextContinuationToken");
    cr_assert_not_null(tok);
    tx_free(t);

    t = list_v2(&e, (const char *const[]){ "max-keys", "3", "continuation-token", tok, NULL });
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "f");
    cr_assert(strstr(tx_body_str(t), "<KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>") !=
              NULL);
    cr_assert_null(strstr(tx_body_str(t), "NextContinuationToken"));
    free(tok);
    tx_free(t);
    env_fini(&e);
}

/* prefix narrows; delimiter "/" rolls keys up into CommonPrefixes, each counted once.
 * Source: S3 API Reference, ListObjectsV2 (Delimiter, CommonPrefixes). */
Test(s3_list, v2_prefix_and_delimiter_common_prefixes)
{
    env e;
    env_init(&e);
    fill(&e, seven, 7);
    char keys[512];
    tx *t = list_v2(&e, (const char *const[]){ "delimiter", "/", NULL });
    cr_assert_str_eq(tx_body_str(t), LIST_HEAD
                     "<Name>bkt</Name><Prefix></Prefix><Delimiter>/</Delimiter>"
                     "<MaxKeys>1000</MaxKeys><KeyCount>6</KeyCount>"
                     "<IsTruncated>false</IsTruncated>" X_CONTENTS("a.txt") X_CONTENTS("c.txt")
                         X_CONTENTS("e")
                             X_CONTENTS("f") "<CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>"
                                             "<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>"
                                             "</ListBucketResult>");
    tx_free(t);

    t = list_v2(&e, (const char *const[]){ "prefix", "d/", "delimiter", "/", NULL });
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "");
    cr_assert(strstr(tx_body_str(t), "<KeyCount>1</KeyCount>") != NULL);
    cr_assert(strstr(tx_body_str(t), "<CommonPrefixes><Prefix>d/x/</Prefix></CommonPrefixes>") !=
              NULL);
    tx_free(t);

    t = list_v2(&e, (const char *const[]){ "prefix", "b/", NULL });
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "b/1,b/2");
    tx_free(t);

    /* Paging one entry at a time across a common prefix never repeats it. */
    const char *tok = NULL;
    char *owned = NULL;
    char seen[512] = "";
    for (int page = 0; page < 10; page++) {
        tx *p = tok != NULL
                    ? list_v2(&e, (const char *const[]){ "delimiter", "/", "max-keys", "1",
                                                         "continuation-token", tok, NULL })
                    : list_v2(&e, (const char *const[]){ "delimiter", "/", "max-keys", "1", NULL });
        char *k = xml_get(p, "Key");
        char *cp = xml_get(p, "CommonPrefixes");
        strcat(seen, k != NULL ? k : cp);
        strcat(seen, " ");
        free(k);
        free(cp);
        free(owned);
        owned = xml_get(p, "NextContinuationToken");
        tok = owned;
        tx_free(p);
        if (tok == NULL)
            break;
    }
    cr_assert_str_eq(seen, "a.txt <Prefix>b/</Prefix> c.txt <Prefix>d/</Prefix> e f ");
    env_fini(&e);
}

/* start-after skips keys up to and including it. Source: S3 API Reference, ListObjectsV2
 * (StartAfter). */
Test(s3_list, v2_start_after)
{
    env e;
    env_init(&e);
    fill(&e, seven, 7);
    char keys[512];
    tx *t = list_v2(&e, (const char *const[]){ "start-after", "b/2", NULL });
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "c.txt,d/x/1,e,f");
    cr_assert(strstr(tx_body_str(t), "<StartAfter>b/2</StartAfter>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* ListObjects v1: marker, and NextMarker when a delimiter is given and the page is
 * truncated. Source: S3 API Reference, ListObjects (Marker, NextMarker). */
Test(s3_list, v1_marker_and_next_marker)
{
    env e;
    env_init(&e);
    fill(&e, seven, 7);
    char keys[512];
    tx *t = tx_new("GET", "/bkt");
    tx_header(t, "Authorization", "AWS AKIDEXAMPLE:ignored-signature");
    tx_query(t, "max-keys", "2");
    tx_query(t, "delimiter", "/");
    tx_serve(&e, t);
    cr_assert(strstr(tx_body_str(t),
                     "<Name>bkt</Name><Prefix></Prefix><Marker></Marker><Delimiter>/</Delimiter>"
                     "<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
                     "<NextMarker>b/</NextMarker>") != NULL);
    cr_assert(strstr(tx_body_str(t), "<Owner><ID>") != NULL);
    cr_assert_str_eq(tx_resp_header(t, "Content-Type"), "application/xml");
    cr_assert_null(strstr(tx_body_str(t), "KeyCount"));
    tx_free(t);
    t = tx_new("GET", "/bkt");
    tx_query(t, "marker", "b/");
    tx_query(t, "delimiter", "/");
    tx_serve(&e, t);
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "c.txt,e,f");
    cr_assert(strstr(tx_body_str(t), "<IsTruncated>false</IsTruncated>") != NULL);
    cr_assert(strstr(tx_body_str(t), "<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>") !=
              NULL);
    cr_assert_null(strstr(tx_body_str(t), "<Prefix>b/</Prefix>"));
    tx_free(t);
    env_fini(&e);
}

/* encoding-type=url percent-encodes keys and prefixes (the AWS CLI asks for it); keys sort
 * by UTF-8 bytes, so "Z" < "a" < "é". Source: S3 API Reference, ListObjectsV2
 * (EncodingType). */
Test(s3_list, v2_url_encoding_and_byte_order)
{
    env e;
    env_init(&e);
    static const char *const k[] = { "\xc3\xa9t\xc3\xa9", "a b+c", "Zed" };
    fill(&e, k, 3);
    char keys[512];
    tx *t = list_v2(&e, (const char *const[]){ "encoding-type", "url", NULL });
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "Zed,a%20b%2Bc,%C3%A9t%C3%A9");
    cr_assert(strstr(tx_body_str(t), "<EncodingType>url</EncodingType>") != NULL);
    tx_free(t);
    t = list_v2(&e, NULL);
    keys_of(t, keys, sizeof keys);
    cr_assert_str_eq(keys, "Zed,a b+c,\xc3\xa9t\xc3\xa9");
    tx_free(t);
    env_fini(&e);
}

/* Bad parameters: max-keys not a number, a forged token, an unknown encoding; a listing of
 * a missing bucket is NoSuchBucket. Source: S3 API Reference, ListObjectsV2; "Error
 * responses" (InvalidArgument, NoSuchBucket). */
Test(s3_list, bad_parameters_and_missing_bucket)
{
    env e;
    env_init(&e);
    tx *t = list_v2(&e, NULL);
    cr_assert_eq(t->x.resp.status, 404);
    cr_assert(strstr(tx_body_str(t), "<Code>NoSuchBucket</Code>") != NULL);
    tx_free(t);
    fill(&e, seven, 1);
    t = list_v2(&e, (const char *const[]){ "max-keys", "-1", NULL });
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t),
                     "<Code>InvalidArgument</Code><Message>Provided max-keys not an integer or "
                     "within integer range</Message><ArgumentName>max-keys</ArgumentName>"
                     "<ArgumentValue>-1</ArgumentValue>") != NULL);
    tx_free(t);
    t = list_v2(&e, (const char *const[]){ "continuation-token", "zz", NULL });
    cr_assert_eq(t->x.resp.status, 400);
    cr_assert(strstr(tx_body_str(t), "<Message>The continuation token provided is incorrect"
                                     "</Message>") != NULL);
    tx_free(t);
    t = list_v2(&e, (const char *const[]){ "encoding-type", "base64", NULL });
    cr_assert_eq(t->x.resp.status, 400);
    tx_free(t);
    /* max-keys above 1000 is capped at 1000. */
    t = list_v2(&e, (const char *const[]){ "max-keys", "5000", NULL });
    cr_assert(strstr(tx_body_str(t), "<MaxKeys>1000</MaxKeys>") != NULL);
    tx_free(t);
    env_fini(&e);
}

/* The walk itself: more keys than one page, sizes and ETags carried. Source: S3 API
 * Reference, ListObjectsV2 (Contents). */
Test(s3_list, store_walk_pages_all_keys_once)
{
    env e;
    env_init(&e);
    sim_reply rep;
    sim_reply_init(&rep);
    cr_assert_eq(s3_bucket_create(e.svc, "walk", &rep), 0);
    for (int i = 0; i < 2500; i++) {
        char key[32];
        snprintf(key, sizeof key, "k/%05d", i);
        cr_assert_eq(s3_object_put(e.svc, "walk", key, key, strlen(key), NULL, &rep), 0);
    }
    s3__list_req lr = { .prefix = "k/", .max_keys = 1000 };
    char *after = NULL;
    int total = 0, pages = 0;
    for (;;) {
        s3__list_res res;
        lr.after = after;
        cr_assert_eq(s3__object_list(e.svc, "walk", &lr, &rep, &res), 0);
        cr_assert_not(sim_reply_failed(&rep));
        pages++;
        total += (int)res.nobjs;
        cr_assert_eq(res.objs[0].meta.size_bytes, 7);
        free(after);
        after = res.next_marker != NULL ? strdup(res.next_marker) : NULL;
        int more = res.truncated;
        s3__list_res_release(&res);
        if (!more)
            break;
    }
    cr_assert_eq(pages, 3);
    cr_assert_eq(total, 2500);
    free(after);
    sim_reply_release(&rep);
    env_fini(&e);
}
