/* s3_tag.c - object tags on sqlite3: the s3_tag table (one row per tag of an object) and the
 * s3_upload_tag table (tags given to CreateMultipartUpload, applied on completion), the tag
 * rules (count, lengths, duplicates, the aws: prefix) and the x-amz-tagging header's
 * query-string form. No HTTP or XML here (s3_http.c).
 * Source: Amazon S3 API Reference (PutObjectTagging, GetObjectTagging, DeleteObjectTagging,
 * PutObject x-amz-tagging); User Guide, "Categorizing your storage using tags". */
#include "s3_int.h"
#include "sim_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Separate tables (created IF NOT EXISTS), so a --data directory made before tags existed
 * keeps its s3_object table unchanged. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS s3_tag ("
    " bucket TEXT NOT NULL, key BLOB NOT NULL, tkey BLOB NOT NULL, tvalue BLOB NOT NULL,"
    " PRIMARY KEY (bucket, key, tkey));"
    "CREATE TABLE IF NOT EXISTS s3_upload_tag ("
    " upload_id TEXT NOT NULL, tkey BLOB NOT NULL, tvalue BLOB NOT NULL,"
    " PRIMARY KEY (upload_id, tkey));";

int s3__tag_init(s3_service *svc)
{
    if (sqlite3_exec(svc->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return s3__storage_fail(svc, "tag schema");
    return 0;
}

void s3__tagset_release(s3__tagset *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->tags[i].key);
        free(t->tags[i].value);
    }
    free(t->tags);
    memset(t, 0, sizeof *t);
}

int s3__tagset_add(s3__tagset *t, const char *key, size_t key_len, const char *value,
                   size_t value_len)
{
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 8;
        s3__tag *p = realloc(t->tags, ncap * sizeof *p);
        if (p == NULL)
            return -SIM_ENOMEM;
        t->tags = p;
        t->cap = ncap;
    }
    char *k = s3__dup_bytes(key, key_len);
    char *v = s3__dup_bytes(value, value_len);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return -SIM_ENOMEM;
    }
    t->tags[t->n].key = k;
    t->tags[t->n].value = v;
    t->n++;
    return 0;
}

/* Characters of a UTF-8 string (bytes that do not continue a sequence). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* 1 when two tags of t have the same key. */
static int has_dup(const s3__tagset *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = i + 1; j < t->n; j++)
            if (strcmp(t->tags[i].key, t->tags[j].key) == 0)
                return 1;
    return 0;
}

int s3__tagset_check(const s3__tagset *t, sim_reply *out)
{
    /* BadRequest (not InvalidTag) is what S3 answers here (recorded answers, e.g.
     * boto/boto3#1213: "An error occurred (BadRequest) ...: Object tags cannot be greater
     * than 10"). */
    if (t->n > S3__TAGS_MAX) {
        sim_reply_err(out, 400, "BadRequest", "Object tags cannot be greater than 10");
        return -SIM_EINVAL;
    }
    if (has_dup(t)) {
        sim_reply_err(out, 400, "InvalidTag", "Cannot provide multiple Tags with the same key");
        return -SIM_EINVAL;
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t kc = utf8_chars(t->tags[i].key);
        if (kc < 1 || kc > S3__TAG_KEY_MAX) {
            sim_reply_err(out, 400, "InvalidTag", "The TagKey you have provided is invalid");
            return -SIM_EINVAL;
        }
        if (utf8_chars(t->tags[i].value) > S3__TAG_VALUE_MAX) {
            sim_reply_err(out, 400, "InvalidTag", "The TagValue you have provided is invalid");
            return -SIM_EINVAL;
        }
        if (strncmp(t->tags[i].key, "aws:", 4) == 0) {
            sim_reply_err(out, 400, "InvalidTag", "Your TagKey cannot be prefixed with aws:");
            return -SIM_EINVAL;
        }
    }
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Form-decodes s[0..len) ("+" is a space, "%XX" a byte; a stray "%" stays) into a new
 * string (caller frees), or NULL on ENOMEM. */
static char *form_decode(const char *s, size_t len)
{
    char *o = malloc(len + 1);
    size_t n = 0;
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            o[n++] = ' ';
        } else if (s[i] == '%' && i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
                   hexval((unsigned char)s[i + 2]) >= 0) {
            o[n++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            o[n++] = s[i];
        }
    }
    o[n] = '\0';
    return o;
}

int s3__tagging_header_parse(const char *h, s3__tagset *out, sim_reply *err)
{
    s3__tagset t = { 0 };
    int rc = 0;
    for (const char *p = h; *p;) {
        const char *amp = strchr(p, '&');
        size_t seg = amp != NULL ? (size_t)(amp - p) : strlen(p);
        if (seg > 0) {
            const char *eq = memchr(p, '=', seg);
            size_t klen = eq != NULL ? (size_t)(eq - p) : seg;
            char *k = form_decode(p, klen);
            char *v = eq != NULL ? form_decode(eq + 1, seg - klen - 1) : strdup("");
            if (k == NULL || v == NULL) {
                free(k);
                free(v);
                rc = -SIM_ENOMEM;
                goto out;
            }
            rc = s3__tagset_add(&t, k, strlen(k), v, strlen(v));
            free(k);
            free(v);
            if (rc != 0)
                goto out;
        }
        p += seg;
        if (*p == '&')
            p++;
    }
    /* A repeated name is refused as a malformed header, before the tag rules (the message
     * S3 answers `put-object --tagging 'a=&a='` with, recorded in open-io/swift3#92). */
    if (has_dup(&t)) {
        sim_reply_err(err, 400, "InvalidArgument",
                      "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL "
                      "query parameters without tag name duplicates.");
        rc = -SIM_EINVAL;
        goto out;
    }
    if ((rc = s3__tagset_check(&t, err)) != 0)
        goto out;
    *out = t;
    memset(&t, 0, sizeof t);
out:
    s3__tagset_release(&t);
    return rc;
}

/* Runs one statement binding (text1, blob2) and nothing else. */
static int exec2(s3_service *svc, const char *sql, const char *a, const void *b, size_t blen,
                 const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = s3__prepare(svc, sql, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b != NULL)
        s3__bind_bytes(st, 2, b, blen);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = s3__storage_fail(svc, what);
    sqlite3_finalize(st);
    return rc;
}

int s3__tags_store(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                   const s3__tagset *tags)
{
    sqlite3_stmt *st = NULL;
    int rc = exec2(svc, "DELETE FROM s3_tag WHERE bucket = ?1 AND key = ?2", bucket, key, key_len,
                   "tags clear");
    if (rc != 0 || tags == NULL || tags->n == 0)
        return rc;
    if ((rc = s3__prepare(svc,
                          "INSERT OR REPLACE INTO s3_tag (bucket, key, tkey, tvalue) "
                          "VALUES (?1, ?2, ?3, ?4)",
                          &st)) != 0)
        return rc;
    for (size_t i = 0; i < tags->n && rc == 0; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
        s3__bind_bytes(st, 2, key, key_len);
        s3__bind_bytes(st, 3, tags->tags[i].key, strlen(tags->tags[i].key));
        s3__bind_bytes(st, 4, tags->tags[i].value, strlen(tags->tags[i].value));
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = s3__storage_fail(svc, "tag insert");
    }
    sqlite3_finalize(st);
    return rc;
}

int s3__tags_load(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                  s3__tagset *out_tags)
{
    sqlite3_stmt *st = NULL;
    s3__tagset t = { 0 };
    int rc = s3__prepare(svc,
                         "SELECT tkey, tvalue FROM s3_tag WHERE bucket = ?1 AND key = ?2 "
                         "ORDER BY tkey",
                         &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    s3__bind_bytes(st, 2, key, key_len);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const void *k = sqlite3_column_blob(st, 0);
        size_t kl = (size_t)sqlite3_column_bytes(st, 0);
        const void *v = sqlite3_column_blob(st, 1);
        size_t vl = (size_t)sqlite3_column_bytes(st, 1);
        if ((rc = s3__tagset_add(&t, k != NULL ? k : "", kl, v != NULL ? v : "", vl)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "tag list");
        goto out;
    }
    *out_tags = t;
    memset(&t, 0, sizeof t);
out:
    s3__tagset_release(&t);
    sqlite3_finalize(st);
    return rc;
}

int s3__object_tags_get(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        sim_reply *out, s3__tagset *out_tags)
{
    s3__meta meta = { 0 };
    int rc = s3__object_fetch(svc, bucket, key, key_len, out, &meta, NULL);
    s3__meta_release(&meta);
    if (rc != 0 || sim_reply_failed(out))
        return rc;
    return s3__tags_load(svc, bucket, key, key_len, out_tags);
}

int s3__object_tags_put(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        const s3__tagset *tags, sim_reply *out)
{
    s3__meta meta = { 0 };
    int rc = s3__object_fetch(svc, bucket, key, key_len, out, &meta, NULL);
    s3__meta_release(&meta);
    if (rc != 0 || sim_reply_failed(out))
        return rc;
    return s3__tags_store(svc, bucket, key, key_len, tags);
}

int s3__upload_tags_store(s3_service *svc, const char *upload_id, const s3__tagset *tags)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (tags == NULL || tags->n == 0)
        return 0;
    if ((rc = s3__prepare(svc,
                          "INSERT OR REPLACE INTO s3_upload_tag (upload_id, tkey, tvalue) "
                          "VALUES (?1, ?2, ?3)",
                          &st)) != 0)
        return rc;
    for (size_t i = 0; i < tags->n && rc == 0; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
        s3__bind_bytes(st, 2, tags->tags[i].key, strlen(tags->tags[i].key));
        s3__bind_bytes(st, 3, tags->tags[i].value, strlen(tags->tags[i].value));
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = s3__storage_fail(svc, "upload tag insert");
    }
    sqlite3_finalize(st);
    return rc;
}

int s3__upload_tags_apply(s3_service *svc, const char *upload_id, const char *bucket,
                          const char *key, size_t key_len)
{
    sqlite3_stmt *st = NULL;
    int rc = s3__prepare(svc,
                         "INSERT OR REPLACE INTO s3_tag (bucket, key, tkey, tvalue) "
                         "SELECT ?1, ?2, tkey, tvalue FROM s3_upload_tag WHERE upload_id = ?3",
                         &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    s3__bind_bytes(st, 2, key, key_len);
    sqlite3_bind_text(st, 3, upload_id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = s3__storage_fail(svc, "upload tags apply");
    sqlite3_finalize(st);
    return rc;
}
