/* s3_multipart.c - multipart uploads on sqlite3: uploads (bucket, key, Content-Type), their
 * parts (BLOBs with MD5 ETags), completion into an object with the "md5-of-md5s-N" ETag,
 * abort, and the ListParts / ListMultipartUploads walks. No HTTP or XML here (s3_http.c).
 * Source: Amazon S3 API Reference (CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads). */
#include "s3_int.h"
#include "sim_err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS s3_upload ("
    " upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key BLOB NOT NULL,"
    " ctype TEXT NOT NULL, initiated_us INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS s3_upload_by_key ON s3_upload (bucket, key, upload_id);"
    "CREATE TABLE IF NOT EXISTS s3_part ("
    " upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, data BLOB NOT NULL,"
    " etag TEXT NOT NULL, modified_us INTEGER NOT NULL, PRIMARY KEY (upload_id, part_number));";

static const char no_such_upload_msg[] =
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have "
    "been aborted or completed.";


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

int s3__multipart_init(s3_service *svc)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_exec(svc->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return s3__storage_fail(svc, "multipart schema");
    /* IDs start with the counter in 16 hex digits: continue after the largest one kept. */
    if ((rc = s3__prepare(svc, "SELECT max(upload_id) FROM s3_upload", &st)) != 0)
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = s3__storage_fail(svc, "upload counter");
        goto out;
    }
    const char *max = (const char *)sqlite3_column_text(st, 0);
    uint64_t seq = 0;
    for (int i = 0; max != NULL && i < 16 && hexval((unsigned char)max[i]) >= 0; i++)
        seq = seq * 16 + (uint64_t)hexval((unsigned char)max[i]);
    svc->next_upload_seq = seq;
out:
    sqlite3_finalize(st);
    return rc;
}

int s3__upload_drop_bucket(s3_service *svc, const char *bucket)
{
    sqlite3_stmt *st = NULL;
    int rc = s3__prepare(svc,
                     "DELETE FROM s3_part WHERE upload_id IN "
                     "(SELECT upload_id FROM s3_upload WHERE bucket = ?1)",
                     &st);
    if (rc != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "parts drop");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = s3__prepare(svc,
                          "DELETE FROM s3_upload_tag WHERE upload_id IN "
                          "(SELECT upload_id FROM s3_upload WHERE bucket = ?1)",
                          &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "upload tags drop");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = s3__prepare(svc, "DELETE FROM s3_upload WHERE bucket = ?1", &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = s3__storage_fail(svc, "uploads drop");
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

/*
 * 0 when bucket exists and upload_id is an upload of bucket/key (*out_ctype, when not NULL,
 * gets its Content-Type, malloc'd); 1 with NoSuchBucket or NoSuchUpload in *out; <0 on
 * failure.
 */
static int upload_require(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                          const char *upload_id, sim_reply *out, char **out_ctype)
{
    sqlite3_stmt *st = NULL;
    int rc = bucket_require(svc, bucket, out);
    if (rc != 0)
        goto out;
    if ((rc = s3__prepare(svc,
                      "SELECT ctype FROM s3_upload WHERE upload_id = ?1 AND bucket = ?2 "
                      "AND key = ?3",
                      &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, bucket, -1, SQLITE_TRANSIENT);
    s3__bind_bytes(st, 3, key, key_len);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        sim_reply_err(out, 404, "NoSuchUpload", "%s", no_such_upload_msg);
        rc = 1;
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = s3__storage_fail(svc, "upload lookup");
        goto out;
    }
    if (out_ctype != NULL) {
        const char *ct = (const char *)sqlite3_column_text(st, 0);
        if ((*out_ctype = strdup(ct != NULL ? ct : S3__DEFAULT_CTYPE)) == NULL)
            rc = -SIM_ENOMEM;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* The next upload ID: the counter in 16 hex digits (so IDs sort in creation order), then
 * 32 hex digits of an MD5 over bucket, key, counter and time (opaque, like S3's). */
static int upload_id_next(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                          char out[S3__UPLOAD_ID_BYTES])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    uint64_t seq = ++svc->next_upload_seq;
    char tail[48];
    int tl = snprintf(tail, sizeof tail, "/%" PRIu64 "/%" PRId64, seq,
                      (int64_t)s3__now_epoch_us(svc));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, bucket, strlen(bucket) + 1) == 1 &&
             EVP_DigestUpdate(ctx, key_len ? key : "", key_len) == 1 &&
             EVP_DigestUpdate(ctx, tail, (size_t)tl) == 1 &&
             EVP_DigestFinal_ex(ctx, md, &n) == 1 && n == 16;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return -SIM_ENOMEM;
    snprintf(out, S3__UPLOAD_ID_BYTES, "%016" PRIx64, seq);
    for (unsigned int i = 0; i < 16; i++) {
        out[16 + 2 * i] = hex[md[i] >> 4];
        out[17 + 2 * i] = hex[md[i] & 15];
    }
    out[48] = '\0';
    return 0;
}

int s3__upload_create(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                      const char *content_type, char out_id[S3__UPLOAD_ID_BYTES], sim_reply *out)
{
    sqlite3_stmt *st = NULL;
    char id[S3__UPLOAD_ID_BYTES];
    int rc = 0;
    if (s3__key_check(key, key_len, out) != 0)
        goto out;
    if ((rc = bucket_require(svc, bucket, out)) != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if ((rc = s3__prepare(svc,
                      "INSERT OR IGNORE INTO s3_upload (upload_id, bucket, key, ctype, "
                      "initiated_us) VALUES (?1, ?2, ?3, ?4, ?5)",
                      &st)) != 0)
        goto out;
    for (;;) { /* a clash is only possible with a database from elsewhere: take the next */
        if ((rc = upload_id_next(svc, bucket, key, key_len, id)) != 0)
            goto out;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, bucket, -1, SQLITE_TRANSIENT);
        s3__bind_bytes(st, 3, key, key_len);
        sqlite3_bind_text(st, 4,
                          content_type != NULL && content_type[0] ? content_type
                                                                  : S3__DEFAULT_CTYPE,
                          -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, s3__now_epoch_us(svc));
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = s3__storage_fail(svc, "upload insert");
            goto out;
        }
        if (sqlite3_changes(svc->db) == 1)
            break;
    }
    sim_reply_ok(out, NULL);
    memcpy(out_id, id, sizeof id);
out:
    sqlite3_finalize(st);
    return rc;
}

int s3__part_put(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                 const char *upload_id, int part_number, const void *data, size_t len,
                 char out_etag[S3__ETAG_BYTES], sim_reply *out)
{
    sqlite3_stmt *st = NULL;
    char etag[S3__ETAG_BYTES];
    int rc = upload_require(svc, bucket, key, key_len, upload_id, out, NULL);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if ((rc = s3__etag(data, len, etag)) != 0)
        goto out;
    if ((rc = s3__prepare(svc,
                      "INSERT OR REPLACE INTO s3_part (upload_id, part_number, data, etag, "
                      "modified_us) VALUES (?1, ?2, ?3, ?4, ?5)",
                      &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, part_number);
    s3__bind_bytes(st, 3, data, len);
    sqlite3_bind_text(st, 4, etag, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, s3__now_epoch_us(svc));
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "part put");
        goto out;
    }
    sim_reply_ok(out, NULL);
    memcpy(out_etag, etag, sizeof etag);
out:
    sqlite3_finalize(st);
    return rc;
}

/* 1 when a client's ETag (quotes optional, surrounding blanks ignored) names the stored
 * quoted one, hex compared case-blind. */
static int etag_same(const char *given, const char *stored)
{
    size_t glen = strlen(given), slen = strlen(stored);
    while (glen > 0 && (given[0] == ' ' || given[0] == '\n' || given[0] == '\t')) {
        given++;
        glen--;
    }
    while (glen > 0 && (given[glen - 1] == ' ' || given[glen - 1] == '\n' ||
                        given[glen - 1] == '\t' || given[glen - 1] == '\r'))
        glen--;
    if (glen >= 2 && given[0] == '"' && given[glen - 1] == '"') {
        given++;
        glen -= 2;
    }
    if (slen >= 2 && stored[0] == '"') {
        stored++;
        slen -= 2;
    }
    return glen == slen && strncasecmp(given, stored, glen) == 0;
}

/* Deletes upload_id and its parts. 0 or -SIM_ESTORAGE. */
static int upload_delete(s3_service *svc, const char *upload_id)
{
    static const char *const sql[] = { "DELETE FROM s3_part WHERE upload_id = ?1",
                                       "DELETE FROM s3_upload_tag WHERE upload_id = ?1",
                                       "DELETE FROM s3_upload WHERE upload_id = ?1" };
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *st = NULL;
        int rc = s3__prepare(svc, sql[i], &st);
        if (rc != 0)
            return rc;
        sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step != SQLITE_DONE)
            return s3__storage_fail(svc, "upload delete");
    }
    return 0;
}

/* Checks the listed parts against the stored ones (see s3__upload_complete); on success
 * *out_total gets the object size and md5 the MD5 of the binary part MD5s. Returns 0 (an
 * S3 error may be in *out), -SIM_ENOMEM or -SIM_ESTORAGE. */
static int complete_check(s3_service *svc, const char *upload_id, const s3__part_ref *parts,
                          size_t n, sim_reply *out, size_t *out_total, unsigned char md5[16])
{
    sqlite3_stmt *st = NULL;
    EVP_MD_CTX *ctx = NULL;
    size_t total = 0;
    unsigned int mdlen = 0;
    int rc = 0;
    if (n == 0) {
        sim_reply_err(out, 400, "MalformedXML",
                      "The XML you provided was not well-formed or did not validate against "
                      "our published schema");
        goto out;
    }
    for (size_t i = 1; i < n; i++) {
        if (parts[i].part_number <= parts[i - 1].part_number) {
            sim_reply_err(out, 400, "InvalidPartOrder",
                          "The list of parts was not in ascending order. The parts list must "
                          "be specified in order by part number.");
            goto out;
        }
    }
    if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if ((rc = s3__prepare(svc,
                      "SELECT length(data), etag FROM s3_part WHERE upload_id = ?1 AND "
                      "part_number = ?2",
                      &st)) != 0)
        goto out;
    /* Every part must exist with its ETag before sizes are looked at. */
    size_t small = SIZE_MAX; /* the first part before the last under 5 MiB */
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, parts[i].part_number);
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            rc = s3__storage_fail(svc, "part lookup");
            goto out;
        }
        const char *et = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 1) : NULL;
        if (et == NULL || parts[i].etag == NULL || !etag_same(parts[i].etag, et)) {
            sim_reply_err(out, 400, "InvalidPart",
                          "One or more of the specified parts could not be found. The part "
                          "might not have been uploaded, or the specified entity tag might "
                          "not have matched the part's entity tag.");
            goto out;
        }
        size_t size = (size_t)sqlite3_column_int64(st, 0);
        if (i + 1 < n && size < S3__PART_MIN_BYTES && small == SIZE_MAX)
            small = i;
        unsigned char bin[16];
        for (int k = 0; k < 16; k++) /* the stored ETag is "\"<32 lowercase hex>\"" */
            bin[k] = (unsigned char)(hexval((unsigned char)et[1 + 2 * k]) * 16 +
                                     hexval((unsigned char)et[2 + 2 * k]));
        if (EVP_DigestUpdate(ctx, bin, sizeof bin) != 1) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        total += size;
    }
    if (small != SIZE_MAX) {
        sim_reply_err(out, 400, "EntityTooSmall",
                      "Your proposed upload is smaller than the minimum allowed object size.");
        goto out;
    }
    if (EVP_DigestFinal_ex(ctx, md5, &mdlen) != 1 || mdlen != 16) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    *out_total = total;
out:
    EVP_MD_CTX_free(ctx);
    sqlite3_finalize(st);
    return rc;
}

/* Concatenates the listed parts into *out_data (malloc'd, total bytes; never NULL). */
static int complete_assemble(s3_service *svc, const char *upload_id, const s3__part_ref *parts,
                             size_t n, size_t total, unsigned char **out_data)
{
    sqlite3_stmt *st = NULL;
    unsigned char *data = malloc(total + 1);
    size_t off = 0;
    int rc = 0;
    if (data == NULL)
        return -SIM_ENOMEM;
    if ((rc = s3__prepare(svc, "SELECT data FROM s3_part WHERE upload_id = ?1 AND part_number = ?2",
                      &st)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, parts[i].part_number);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = s3__storage_fail(svc, "part read");
            goto out;
        }
        const void *blob = sqlite3_column_blob(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if (len > total - off) { /* checked a moment ago in the same transaction */
            rc = s3__storage_fail(svc, "part size changed");
            goto out;
        }
        if (len)
            memcpy(data + off, blob, len);
        off += len;
    }
    *out_data = data;
    data = NULL;
out:
    free(data);
    sqlite3_finalize(st);
    return rc;
}

int s3__upload_complete(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        const char *upload_id, const s3__part_ref *parts, size_t n,
                        char out_etag[S3__ETAG_BYTES], sim_reply *out)
{
    static const char hex[] = "0123456789abcdef";
    char *ctype = NULL;
    unsigned char *data = NULL;
    unsigned char md5[16];
    char etag[S3__ETAG_BYTES];
    size_t total = 0;
    int in_tx = 0;
    int rc = upload_require(svc, bucket, key, key_len, upload_id, out, &ctype);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if (sqlite3_exec(svc->db, "SAVEPOINT s3_complete", NULL, NULL, NULL) != SQLITE_OK) {
        rc = s3__storage_fail(svc, "complete begin");
        goto out;
    }
    in_tx = 1;
    if ((rc = complete_check(svc, upload_id, parts, n, out, &total, md5)) != 0 ||
        sim_reply_failed(out))
        goto out;
    if ((rc = complete_assemble(svc, upload_id, parts, n, total, &data)) != 0)
        goto out;
    etag[0] = '"';
    for (int i = 0; i < 16; i++) {
        etag[1 + 2 * i] = hex[md5[i] >> 4];
        etag[2 + 2 * i] = hex[md5[i] & 15];
    }
    snprintf(etag + 33, sizeof etag - 33, "-%zu\"", n);
    if ((rc = s3__object_put_etag(svc, bucket, key, key_len, data, total, ctype, etag, out)) !=
            0 ||
        sim_reply_failed(out))
        goto out;
    if ((rc = s3__upload_tags_apply(svc, upload_id, bucket, key, key_len)) != 0)
        goto out;
    if ((rc = upload_delete(svc, upload_id)) != 0)
        goto out;
    if (sqlite3_exec(svc->db, "RELEASE s3_complete", NULL, NULL, NULL) != SQLITE_OK) {
        rc = s3__storage_fail(svc, "complete commit");
        goto out;
    }
    in_tx = 0;
    memcpy(out_etag, etag, sizeof etag);
out:
    if (in_tx) {
        sqlite3_exec(svc->db, "ROLLBACK TO s3_complete", NULL, NULL, NULL);
        sqlite3_exec(svc->db, "RELEASE s3_complete", NULL, NULL, NULL);
    }
    free(data);
    free(ctype);
    return rc;
}

int s3__upload_abort(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                     const char *upload_id, sim_reply *out)
{
    int rc = upload_require(svc, bucket, key, key_len, upload_id, out, NULL);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    if ((rc = upload_delete(svc, upload_id)) != 0)
        return rc;
    sim_reply_ok(out, NULL);
    return 0;
}

/* ---- listings ---- */

void s3__part_list_res_release(s3__part_list_res *r)
{
    if (r == NULL)
        return;
    free(r->parts);
    free(r->ctype);
    memset(r, 0, sizeof *r);
}

int s3__part_list(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                  const char *upload_id, int marker, int max_parts, sim_reply *out,
                  s3__part_list_res *out_res)
{
    sqlite3_stmt *st = NULL;
    s3__part_list_res res = { 0 };
    memset(out_res, 0, sizeof *out_res);
    int rc = upload_require(svc, bucket, key, key_len, upload_id, out, &res.ctype);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if (max_parts < 0)
        max_parts = 0;
    if (max_parts > S3__MAX_PARTS)
        max_parts = S3__MAX_PARTS;
    if ((res.parts = calloc((size_t)max_parts + 1, sizeof *res.parts)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if ((rc = s3__prepare(svc,
                      "SELECT part_number, length(data), etag, modified_us FROM s3_part "
                      "WHERE upload_id = ?1 AND part_number > ?2 ORDER BY part_number LIMIT ?3",
                      &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, marker);
    sqlite3_bind_int(st, 3, max_parts + 1);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (res.nparts == (size_t)max_parts) {
            res.truncated = 1;
            break;
        }
        s3__part_info *p = &res.parts[res.nparts++];
        p->part_number = sqlite3_column_int(st, 0);
        p->size_bytes = (size_t)sqlite3_column_int64(st, 1);
        const char *et = (const char *)sqlite3_column_text(st, 2);
        snprintf(p->etag, sizeof p->etag, "%s", et != NULL ? et : "");
        p->modified_epoch_us = sqlite3_column_int64(st, 3);
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "part list");
        goto out;
    }
    sim_reply_ok(out, NULL);
    *out_res = res;
    memset(&res, 0, sizeof res);
out:
    s3__part_list_res_release(&res);
    sqlite3_finalize(st);
    return rc;
}

void s3__upload_list_res_release(s3__upload_list_res *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nuploads; i++)
        free(r->uploads[i].key);
    free(r->uploads);
    for (size_t i = 0; i < r->nprefixes; i++)
        free(r->prefixes[i]);
    free(r->prefixes);
    free(r->next_key_marker);
    memset(r, 0, sizeof *r);
}


/* Appends an upload to r (key copied). */
static int push_upload(s3__upload_list_res *r, size_t *cap, const char *key, size_t klen,
                       const char *id, sim_time_us initiated_epoch_us)
{
    if (r->nuploads == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        s3__upload_info *u = realloc(r->uploads, ncap * sizeof *u);
        if (u == NULL)
            return -SIM_ENOMEM;
        r->uploads = u;
        *cap = ncap;
    }
    s3__upload_info *u = &r->uploads[r->nuploads];
    memset(u, 0, sizeof *u);
    if ((u->key = s3__dup_bytes(key, klen)) == NULL)
        return -SIM_ENOMEM;
    snprintf(u->upload_id, sizeof u->upload_id, "%s", id);
    u->initiated_epoch_us = initiated_epoch_us;
    r->nuploads++;
    return 0;
}

int s3__upload_list(s3_service *svc, const char *bucket, const s3__upload_list_req *req,
                    sim_reply *out, s3__upload_list_res *out_res)
{
    sqlite3_stmt *st = NULL;
    s3__upload_list_res res = { 0 };
    size_t cap_up = 0, cap_pre = 0;
    const char *prefix = req->prefix != NULL ? req->prefix : "";
    const char *delim = req->delimiter != NULL ? req->delimiter : "";
    const char *km = req->key_marker != NULL ? req->key_marker : "";
    const char *uim = km[0] != '\0' && req->upload_id_marker != NULL ? req->upload_id_marker
                                                                      : "";
    size_t plen = strlen(prefix), dlen = strlen(delim), kmlen = strlen(km);
    const char *last = NULL; /* last entry returned (borrowed from res) */
    size_t last_len = 0;
    int last_is_upload = 0, count = 0;
    memset(out_res, 0, sizeof *out_res);
    int rc = bucket_require(svc, bucket, out);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if ((rc = s3__prepare(svc,
                      "SELECT key, upload_id, initiated_us FROM s3_upload WHERE bucket = ?1 "
                      "ORDER BY key, upload_id",
                      &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = sqlite3_column_blob(st, 0);
        size_t klen = (size_t)sqlite3_column_bytes(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        if (key == NULL)
            key = "";
        if (id == NULL)
            id = "";
        if (klen < plen || memcmp(key, prefix, plen) != 0)
            continue;
        if (kmlen > 0) {
            int c = s3__bytes_cmp(key, klen, km, kmlen);
            if (c < 0 || (c == 0 && (uim[0] == '\0' || strcmp(id, uim) <= 0)))
                continue;
        }
        size_t d = dlen ? s3__find_bytes(key + plen, klen - plen, delim, dlen) : SIZE_MAX;
        if (d != SIZE_MAX) {
            size_t cplen = plen + d + dlen;
            if ((last != NULL && !last_is_upload && last_len == cplen &&
                 memcmp(last, key, cplen) == 0) ||
                (kmlen > 0 && s3__bytes_cmp(key, cplen, km, kmlen) <= 0))
                continue; /* this prefix was returned already */
            if (count == req->max_uploads) {
                res.truncated = 1;
                break;
            }
            if ((rc = s3__prefix_push(&res.prefixes, &res.nprefixes, &cap_pre, key, cplen)) != 0)
                goto out;
            last = res.prefixes[res.nprefixes - 1];
            last_len = cplen;
            last_is_upload = 0;
            count++;
            continue;
        }
        if (count == req->max_uploads) {
            res.truncated = 1;
            break;
        }
        if ((rc = push_upload(&res, &cap_up, key, klen, id, sqlite3_column_int64(st, 2))) != 0)
            goto out;
        last = res.uploads[res.nuploads - 1].key;
        last_len = klen;
        last_is_upload = 1;
        count++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = s3__storage_fail(svc, "upload list");
        goto out;
    }
    if (res.truncated && last != NULL) {
        if ((res.next_key_marker = s3__dup_bytes(last, last_len)) == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        if (last_is_upload)
            snprintf(res.next_upload_id_marker, sizeof res.next_upload_id_marker, "%s",
                     res.uploads[res.nuploads - 1].upload_id);
    }
    sim_reply_ok(out, NULL);
    *out_res = res;
    memset(&res, 0, sizeof res);
out:
    s3__upload_list_res_release(&res);
    sqlite3_finalize(st);
    return rc;
}
