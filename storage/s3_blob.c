/* s3_blob.c - the S3 store on sqlite3: the service lifecycle, buckets, objects (BLOBs with
 * Content-Type, ETag and Last-Modified) and the ListObjects walk (prefix, delimiter,
 * paging). No HTTP or XML here (s3_http.c), no key rules (s3_key.c).
 * Source: Amazon S3 API Reference (CreateBucket, PutObject, GetObject, ListObjectsV2). */
#include "s3_int.h"
#include "sim_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS s3_bucket ("
    " name TEXT PRIMARY KEY, region TEXT NOT NULL, created_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS s3_object ("
    " bucket TEXT NOT NULL, key BLOB NOT NULL, data BLOB NOT NULL, ctype TEXT NOT NULL,"
    " etag TEXT NOT NULL, modified_us INTEGER NOT NULL, PRIMARY KEY (bucket, key));";

/* Logs the sqlite error once, where it was detected, and returns -SIM_ESTORAGE. */
int s3__storage_fail(const s3_service *svc, const char *what)
{
    SIM_LOGE(svc->log, "s3", "%s: %s", what, sqlite3_errmsg(svc->db));
    return -SIM_ESTORAGE;
}

/* Prepares sql into *st; -SIM_ESTORAGE (logged) on failure. */
int s3__prepare(s3_service *svc, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(svc->db, sql, -1, st, NULL) != SQLITE_OK)
        return s3__storage_fail(svc, "prepare");
    return 0;
}

/* Binds a byte string as a BLOB (never NULL, even when empty), so keys compare by memcmp. */
int s3__bind_bytes(sqlite3_stmt *st, int idx, const void *p, size_t len)
{
    return sqlite3_bind_blob64(st, idx, len ? p : "", (sqlite3_uint64)len, SQLITE_TRANSIENT);
}

char *s3__dup_bytes(const void *p, size_t len)
{
    char *s = malloc(len + 1);
    if (s == NULL)
        return NULL;
    if (len)
        memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

int s3_service_create(sim_sched *sched, sim_log *log, const s3_options *opt, s3_service **out)
{
    int rc = 0;
    s3_service *svc = calloc(1, sizeof *svc);
    if (svc == NULL)
        return -SIM_ENOMEM;
    svc->sched = sched;
    svc->log = log;
    svc->region = strdup(opt != NULL && opt->region != NULL ? opt->region : "us-east-1");
    if (svc->region == NULL) {
        rc = -SIM_ENOMEM;
        goto fail;
    }
    const char *path = opt != NULL && opt->db_path != NULL ? opt->db_path : ":memory:";
    if (sqlite3_open_v2(path, &svc->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = s3__storage_fail(svc, path);
        goto fail;
    }
    if (sqlite3_exec(svc->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        rc = s3__storage_fail(svc, "schema");
        goto fail;
    }
    if ((rc = s3__multipart_init(svc)) != 0 || (rc = s3__tag_init(svc)) != 0)
        goto fail;
    *out = svc;
    return 0;
fail:
    s3_service_destroy(svc);
    return rc;
}

void s3_service_destroy(s3_service *svc)
{
    if (svc == NULL)
        return;
    sqlite3_close(svc->db);
    free(svc->region);
    free(svc);
}

void s3__meta_release(s3__meta *m)
{
    if (m == NULL)
        return;
    free(m->ctype);
    memset(m, 0, sizeof *m);
}

int s3__etag(const void *data, size_t len, char etag[S3__ETAG_BYTES])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    static const char hex[] = "0123456789abcdef";
    if (EVP_Digest(len ? data : "", len, md, &n, EVP_md5(), NULL) != 1 || n != 16)
        return -SIM_ENOMEM;
    etag[0] = '"';
    for (unsigned int i = 0; i < 16; i++) {
        etag[1 + 2 * i] = hex[md[i] >> 4];
        etag[2 + 2 * i] = hex[md[i] & 15];
    }
    etag[33] = '"';
    etag[34] = '\0';
    return 0;
}

sim_time_us s3__now_epoch_us(const s3_service *svc)
{
    return sim_clock_epoch_us(svc->sched->clock, sim_sched_now(svc->sched));
}

/* ---- buckets ---- */

int s3__bucket_region(s3_service *svc, const char *bucket, char **out_region)
{
    sqlite3_stmt *st = NULL;
    int rc = s3__prepare(svc, "SELECT region FROM s3_bucket WHERE name = ?1", &st);
    if (rc != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = -SIM_ENOENT;
    } else if (step != SQLITE_ROW) {
        rc = s3__storage_fail(svc, "bucket lookup");
    } else if (out_region != NULL) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if ((*out_region = strdup(r != NULL ? r : "")) == NULL)
            rc = -SIM_ENOMEM;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* 0 when bucket exists; NoSuchBucket in *out and 1 when not; <0 on failure. */
static int bucket_require(s3_service *svc, const char *bucket, sim_reply *out)
{
    int rc = s3__bucket_region(svc, bucket, NULL);
    if (rc == -SIM_ENOENT) {
        sim_reply_err(out, 404, "NoSuchBucket", "The specified bucket does not exist");
        return 1;
    }
    return rc;
}

int s3__bucket_create_in(s3_service *svc, const char *bucket, const char *region, sim_reply *out)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (s3__bucket_name_check(bucket, out) != 0)
        goto out;
    rc = s3__bucket_region(svc, bucket, NULL);
    if (rc == 0) {
        /* Every region but us-east-1 answers 409 here; we always do (CreateBucket docs). */
        sim_reply_err(out, 409, "BucketAlreadyOwnedByYou",
                      "Your previous request to create the named bucket succeeded and you "
                      "already own it.");
        goto out;
    }
    if (rc != -SIM_ENOENT)
        goto out;
    if ((rc = s3__prepare(svc, "INSERT INTO s3_bucket (name, region, created_us) VALUES (?1, ?2, ?3)",
                      &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, region != NULL && region[0] ? region : svc->region, -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, s3__now_epoch_us(svc));
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "bucket insert");
        goto out;
    }
    sim_reply_ok(out, NULL);
out:
    sqlite3_finalize(st);
    return rc;
}

int s3_bucket_create(s3_service *svc, const char *bucket, sim_reply *out)
{
    return s3__bucket_create_in(svc, bucket, NULL, out);
}

int s3_bucket_delete(s3_service *svc, const char *bucket, sim_reply *out)
{
    sqlite3_stmt *st = NULL;
    int rc = bucket_require(svc, bucket, out);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if ((rc = s3__prepare(svc, "SELECT 1 FROM s3_object WHERE bucket = ?1 LIMIT 1", &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        sim_reply_err(out, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
        goto out;
    }
    if (step != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "bucket empty check");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = s3__upload_drop_bucket(svc, bucket)) != 0)
        goto out;
    if ((rc = s3__prepare(svc, "DELETE FROM s3_bucket WHERE name = ?1", &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "bucket delete");
        goto out;
    }
    sim_reply_ok(out, NULL);
out:
    sqlite3_finalize(st);
    return rc;
}

int s3__bucket_each(s3_service *svc, s3__bucket_fn fn, void *arg)
{
    sqlite3_stmt *st = NULL;
    int rc = s3__prepare(svc, "SELECT name, created_us FROM s3_bucket ORDER BY name", &st);
    if (rc != 0)
        goto out;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), arg))
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = s3__storage_fail(svc, "bucket list");
out:
    sqlite3_finalize(st);
    return rc;
}

int s3_bucket_count(const s3_service *svc)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(svc->db, "SELECT count(*) FROM s3_bucket", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* ---- objects ---- */

/* PutObject with the ETag given, or (etag NULL) the MD5 of the data. */
static int object_put(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                      const void *data, size_t len, const char *content_type,
                      const char *given_etag, char out_etag[S3__ETAG_BYTES], sim_reply *out)
{
    sqlite3_stmt *st = NULL;
    char etag[S3__ETAG_BYTES];
    int rc = 0;
    if (s3__key_check(key, key_len, out) != 0)
        goto out;
    if ((rc = bucket_require(svc, bucket, out)) != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if (given_etag != NULL)
        snprintf(etag, sizeof etag, "%s", given_etag);
    else if ((rc = s3__etag(data, len, etag)) != 0)
        goto out;
    if ((rc = s3__prepare(svc,
                      "INSERT OR REPLACE INTO s3_object (bucket, key, data, ctype, etag, "
                      "modified_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                      &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    s3__bind_bytes(st, 2, key, key_len);
    s3__bind_bytes(st, 3, data, len);
    sqlite3_bind_text(st, 4,
                      content_type != NULL && content_type[0] ? content_type : S3__DEFAULT_CTYPE,
                      -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, etag, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, s3__now_epoch_us(svc));
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "object put");
        goto out;
    }
    if ((rc = s3__tags_store(svc, bucket, key, key_len, NULL)) != 0)
        goto out;
    sim_reply_ok(out, NULL);
    if (out_etag != NULL)
        memcpy(out_etag, etag, sizeof etag);
out:
    sqlite3_finalize(st);
    return rc;
}

int s3__object_put(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                   const void *data, size_t len, const char *content_type,
                   char out_etag[S3__ETAG_BYTES], sim_reply *out)
{
    return object_put(svc, bucket, key, key_len, data, len, content_type, NULL, out_etag, out);
}

int s3__object_put_etag(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        const void *data, size_t len, const char *content_type, const char *etag,
                        sim_reply *out)
{
    return object_put(svc, bucket, key, key_len, data, len, content_type, etag, NULL, out);
}

int s3_object_put(s3_service *svc, const char *bucket, const char *key, const void *data,
                  size_t len, const char *content_type, sim_reply *out)
{
    return s3__object_put(svc, bucket, key, strlen(key), data, len, content_type, NULL, out);
}

int s3__object_fetch(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                     sim_reply *out, s3__meta *out_meta, void **out_data)
{
    sqlite3_stmt *st = NULL;
    s3__meta meta = { 0 };
    void *data = NULL;
    int rc = 0;
    if (s3__key_check(key, key_len, out) != 0)
        goto out;
    if ((rc = bucket_require(svc, bucket, out)) != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if ((rc = s3__prepare(svc,
                      out_data != NULL
                          ? "SELECT length(data), ctype, etag, modified_us, data FROM s3_object "
                            "WHERE bucket = ?1 AND key = ?2"
                          : "SELECT length(data), ctype, etag, modified_us FROM s3_object "
                            "WHERE bucket = ?1 AND key = ?2",
                      &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    s3__bind_bytes(st, 2, key, key_len);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        sim_reply_err(out, 404, "NoSuchKey", "The specified key does not exist.");
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = s3__storage_fail(svc, "object get");
        goto out;
    }
    meta.size_bytes = (size_t)sqlite3_column_int64(st, 0);
    const char *ct = (const char *)sqlite3_column_text(st, 1);
    const char *et = (const char *)sqlite3_column_text(st, 2);
    snprintf(meta.etag, sizeof meta.etag, "%s", et != NULL ? et : "");
    meta.modified_epoch_us = sqlite3_column_int64(st, 3);
    if ((meta.ctype = strdup(ct != NULL ? ct : S3__DEFAULT_CTYPE)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (out_data != NULL) {
        const void *blob = sqlite3_column_blob(st, 4);
        if ((data = s3__dup_bytes(blob, blob != NULL ? meta.size_bytes : 0)) == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        *out_data = data;
        data = NULL;
    }
    sim_reply_ok(out, NULL);
    *out_meta = meta;
    meta.ctype = NULL;
out:
    free(data);
    s3__meta_release(&meta);
    sqlite3_finalize(st);
    return rc;
}

int s3_object_get(s3_service *svc, const char *bucket, const char *key, sim_reply *out,
                  void **out_data, size_t *out_len, char **out_ctype)
{
    s3__meta meta = { 0 };
    void *data = NULL;
    int rc = s3__object_fetch(svc, bucket, key, strlen(key), out, &meta, &data);
    if (rc != 0 || sim_reply_failed(out))
        return rc;
    *out_data = data;
    *out_len = meta.size_bytes;
    *out_ctype = meta.ctype;
    return 0;
}

int s3__object_delete(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                      sim_reply *out)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (s3__key_check(key, key_len, out) != 0)
        goto out;
    if ((rc = bucket_require(svc, bucket, out)) != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if ((rc = s3__prepare(svc, "DELETE FROM s3_object WHERE bucket = ?1 AND key = ?2", &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    s3__bind_bytes(st, 2, key, key_len);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "object delete");
        goto out;
    }
    if ((rc = s3__tags_store(svc, bucket, key, key_len, NULL)) != 0)
        goto out;
    sim_reply_ok(out, NULL);
out:
    sqlite3_finalize(st);
    return rc;
}

int s3_object_delete(s3_service *svc, const char *bucket, const char *key, sim_reply *out)
{
    return s3__object_delete(svc, bucket, key, strlen(key), out);
}

/* ---- listing ---- */

void s3__list_res_release(s3__list_res *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nobjs; i++) {
        free(r->objs[i].key);
        s3__meta_release(&r->objs[i].meta);
    }
    free(r->objs);
    for (size_t i = 0; i < r->nprefixes; i++)
        free(r->prefixes[i]);
    free(r->prefixes);
    free(r->next_marker);
    memset(r, 0, sizeof *r);
}

/* memcmp order of two byte strings, shorter first on a common prefix: <0, 0, >0. */
int s3__bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* Offset of needle in hay, or SIZE_MAX. */
size_t s3__find_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0 || nlen > hlen)
        return SIZE_MAX;
    for (size_t i = 0; i + nlen <= hlen; i++)
        if (memcmp(hay + i, needle, nlen) == 0)
            return i;
    return SIZE_MAX;
}

/* The walk's cursor: the next query starts at keys > (or >=) these bytes. */
typedef struct list_cursor {
    char *bytes; /* owned */
    size_t len;
    int inclusive;
} list_cursor;

/* Moves the cursor past every key that starts with p[0..len) (no key byte is 0xFF, as
 * keys are UTF-8). */
static int cursor_skip_prefix(list_cursor *c, const char *p, size_t len)
{
    char *b = malloc(len + 1);
    if (b == NULL)
        return -SIM_ENOMEM;
    memcpy(b, p, len);
    b[len] = (char)0xFF;
    free(c->bytes);
    c->bytes = b;
    c->len = len + 1;
    c->inclusive = 0;
    return 0;
}

/* Appends an entry to the result; takes nothing (copies). */
static int list_push_obj(s3__list_res *r, size_t *cap, const char *key, size_t klen,
                         sqlite3_stmt *st)
{
    if (r->nobjs == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        s3__list_obj *o = realloc(r->objs, ncap * sizeof *o);
        if (o == NULL)
            return -SIM_ENOMEM;
        r->objs = o;
        *cap = ncap;
    }
    s3__list_obj *o = &r->objs[r->nobjs];
    memset(o, 0, sizeof *o);
    if ((o->key = s3__dup_bytes(key, klen)) == NULL)
        return -SIM_ENOMEM;
    o->meta.size_bytes = (size_t)sqlite3_column_int64(st, 1);
    const char *et = (const char *)sqlite3_column_text(st, 2);
    snprintf(o->meta.etag, sizeof o->meta.etag, "%s", et != NULL ? et : "");
    o->meta.modified_epoch_us = sqlite3_column_int64(st, 3);
    r->nobjs++;
    return 0;
}

int s3__prefix_push(char ***prefixes, size_t *n, size_t *cap, const char *p, size_t len)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        char **a = realloc(*prefixes, ncap * sizeof *a);
        if (a == NULL)
            return -SIM_ENOMEM;
        *prefixes = a;
        *cap = ncap;
    }
    if (((*prefixes)[*n] = s3__dup_bytes(p, len)) == NULL)
        return -SIM_ENOMEM;
    (*n)++;
    return 0;
}

int s3__object_list(s3_service *svc, const char *bucket, const s3__list_req *req, sim_reply *out,
                    s3__list_res *out_res)
{
    sqlite3_stmt *st_gt = NULL, *st_ge = NULL;
    list_cursor cur = { 0 };
    s3__list_res res = { 0 };
    size_t cap_objs = 0, cap_prefixes = 0;
    const char *prefix = req->prefix != NULL ? req->prefix : "";
    const char *delim = req->delimiter != NULL ? req->delimiter : "";
    const char *after = req->after != NULL ? req->after : "";
    size_t plen = strlen(prefix), dlen = strlen(delim), alen = strlen(after);
    const char *last = NULL; /* last entry returned (borrowed from res) */
    size_t last_len = 0;
    int count = 0;
    int rc = bucket_require(svc, bucket, out);
    memset(out_res, 0, sizeof *out_res);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if (req->max_keys <= 0)
        goto done;
    if ((rc = s3__prepare(svc,
                      "SELECT key, length(data), etag, modified_us FROM s3_object "
                      "WHERE bucket = ?1 AND key > ?2 ORDER BY key",
                      &st_gt)) != 0 ||
        (rc = s3__prepare(svc,
                      "SELECT key, length(data), etag, modified_us FROM s3_object "
                      "WHERE bucket = ?1 AND key >= ?2 ORDER BY key",
                      &st_ge)) != 0)
        goto out;
    /* Start at the later of "after" (exclusive) and the prefix (inclusive). */
    int from_after = s3__bytes_cmp(after, alen, prefix, plen) >= 0;
    cur.len = from_after ? alen : plen;
    if ((cur.bytes = s3__dup_bytes(from_after ? after : prefix, cur.len)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    cur.inclusive = !from_after;
    for (int reseek = 1; reseek;) {
        reseek = 0;
        sqlite3_stmt *st = cur.inclusive ? st_ge : st_gt;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
        s3__bind_bytes(st, 2, cur.bytes, cur.len);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            const char *key = sqlite3_column_blob(st, 0);
            size_t klen = (size_t)sqlite3_column_bytes(st, 0);
            if (klen < plen || memcmp(key, prefix, plen) != 0)
                goto done; /* past the prefix: keys are in order */
            size_t d = dlen ? s3__find_bytes(key + plen, klen - plen, delim, dlen) : SIZE_MAX;
            if (d == SIZE_MAX) {
                if (count == req->max_keys) {
                    res.truncated = 1;
                    goto done;
                }
                if ((rc = list_push_obj(&res, &cap_objs, key, klen, st)) != 0)
                    goto out;
                last = res.objs[res.nobjs - 1].key;
                last_len = klen;
                count++;
                continue;
            }
            /* Roll up to the common prefix; one entry, returned only past "after". */
            size_t cplen = plen + d + dlen;
            if (s3__bytes_cmp(key, cplen, after, alen) > 0) {
                if (count == req->max_keys) {
                    res.truncated = 1;
                    goto done;
                }
                if ((rc = s3__prefix_push(&res.prefixes, &res.nprefixes, &cap_prefixes, key, cplen)) != 0)
                    goto out;
                last = res.prefixes[res.nprefixes - 1];
                last_len = cplen;
                count++;
            }
            if ((rc = cursor_skip_prefix(&cur, key, cplen)) != 0)
                goto out;
            reseek = 1;
            break;
        }
        if (!reseek && step != SQLITE_DONE) {
            rc = s3__storage_fail(svc, "object list");
            goto out;
        }
    }
done:
    if (res.truncated && last != NULL && (res.next_marker = s3__dup_bytes(last, last_len)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    sim_reply_ok(out, NULL);
    *out_res = res;
    memset(&res, 0, sizeof res);
out:
    s3__list_res_release(&res);
    free(cur.bytes);
    sqlite3_finalize(st_gt);
    sqlite3_finalize(st_ge);
    return rc;
}
