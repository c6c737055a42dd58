/* s3_int.h - internals shared by the S3 files: the service struct, sqlite blob storage
 * (s3_blob.c), key and bucket-name validation (s3_key.c), listing. Not for other modules:
 * they use storage/s3.h. Source: Amazon S3 API Reference. */
#ifndef S3_INT_H
#define S3_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "s3.h"

#define S3__KEY_MAX_BYTES 1024 /* UTF-8 bytes; longer is KeyTooLongError */
#define S3__MAX_KEYS      1000 /* ListObjects page cap and default */
#define S3__ETAG_BYTES    35   /* quoted 32-hex MD5 + NUL */
#define S3__DEFAULT_CTYPE "binary/octet-stream"

struct s3_service {
    sim_sched *sched;         /* borrowed: Last-Modified via the clock's epoch */
    sim_log *log;             /* borrowed */
    sqlite3 *db;              /* owned */
    char *region;             /* owned: default LocationConstraint */
    uint64_t next_request_id; /* counter for x-amz-request-id (no randomness needed) */
};

/* Metadata of one stored object. */
typedef struct s3__meta {
    size_t size_bytes;             /* object length */
    char *ctype;                   /* owned: Content-Type */
    char etag[S3__ETAG_BYTES];     /* "\"<hex md5>\"" */
    sim_time_us modified_epoch_us; /* Unix epoch us of the last PUT */
} s3__meta;

/** Free what m owns and zero it. Accepts NULL. */
void s3__meta_release(s3__meta *m);

/* ---- s3_key.c ---- */

/**
 * Check an object key of len bytes. On a bad key sets *out to the S3 error and returns
 * -SIM_EINVAL: KeyTooLongError (400) above 1024 bytes; InvalidArgument (400) for an empty
 * key, invalid UTF-8, a NUL byte, a leading "/", an empty segment ("a//b") or a segment "."
 * or ".." (our own rule, so no key can escape a store; S3 has no dedicated code for it and
 * InvalidArgument is what it uses for refused request values). A single trailing "/" (a
 * "folder" marker such as "photos/") is allowed. Returns 0 when the key is valid.
 */
int s3__key_check(const char *key, size_t len, sim_reply *out);

/**
 * Check a bucket name against the general-purpose bucket naming rules (3..63 chars of
 * a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an IPv4 address,
 * reserved prefixes/suffixes refused). Returns 0, or -SIM_EINVAL with InvalidBucketName
 * (400) in *out. Source: S3 User Guide, "General purpose bucket naming rules".
 */
int s3__bucket_name_check(const char *name, sim_reply *out);

/* ---- s3_blob.c ---- */

/** Quoted lowercase hex MD5 of data into etag (S3__ETAG_BYTES). 0 or -SIM_ENOMEM. */
int s3__etag(const void *data, size_t len, char etag[S3__ETAG_BYTES]);

/** Unix epoch microseconds of the scheduler's cached time. */
sim_time_us s3__now_epoch_us(const s3_service *svc);

/**
 * CreateBucket with an explicit region (NULL: the service's). Errors in *out as for
 * s3_bucket_create. Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int s3__bucket_create_in(s3_service *svc, const char *bucket, const char *region, sim_reply *out);

/**
 * Look a bucket up: returns 0 and, when out_region is not NULL, *out_region (malloc'd,
 * caller frees); -SIM_ENOENT when it does not exist; -SIM_ESTORAGE/-SIM_ENOMEM.
 */
int s3__bucket_region(s3_service *svc, const char *bucket, char **out_region);

/** Called per bucket, in name order; return non-zero to stop. */
typedef int (*s3__bucket_fn)(const char *name, sim_time_us created_epoch_us, void *arg);

/** Visit every bucket in name (byte) order. 0, or -SIM_ESTORAGE. */
int s3__bucket_each(s3_service *svc, s3__bucket_fn fn, void *arg);

/**
 * PutObject with a key of key_len bytes (validated here). On success *out_etag (may be
 * NULL) receives the ETag. Errors in *out: NoSuchBucket, KeyTooLongError, InvalidArgument.
 * Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int s3__object_put(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                   const void *data, size_t len, const char *content_type,
                   char out_etag[S3__ETAG_BYTES], sim_reply *out);

/**
 * Fetch an object: on success *out_meta is filled (release with s3__meta_release) and, if
 * out_data is not NULL, *out_data gets the bytes (malloc'd, caller frees; never NULL on
 * success). Errors in *out: NoSuchBucket, NoSuchKey, KeyTooLongError, InvalidArgument; the
 * outputs are then untouched. Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int s3__object_fetch(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                     sim_reply *out, s3__meta *out_meta, void **out_data);

/** DeleteObject with a key of key_len bytes; as s3_object_delete. */
int s3__object_delete(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                      sim_reply *out);

/** ListObjects request: all strings borrowed. */
typedef struct s3__list_req {
    const char *prefix;    /* NULL or "" for none */
    const char *delimiter; /* NULL or "" for none */
    const char *after;     /* exclusive start (marker / start-after / token), NULL for none */
    int max_keys;          /* 0..S3__MAX_KEYS */
} s3__list_req;

typedef struct s3__list_obj {
    char *key; /* owned */
    s3__meta meta;
} s3__list_obj;

typedef struct s3__list_res {
    s3__list_obj *objs; /* owned; nobjs entries, key order */
    size_t nobjs;
    char **prefixes; /* owned: CommonPrefixes, in order */
    size_t nprefixes;
    int truncated;     /* 1 when more entries follow */
    char *next_marker; /* owned: last key or common prefix returned, when truncated */
} s3__list_res;

/** Free what r owns and zero it. Accepts NULL. */
void s3__list_res_release(s3__list_res *r);

/**
 * List the keys of bucket after req->after (exclusive) that start with req->prefix, in
 * UTF-8 byte order, rolling keys that contain the delimiter after the prefix up into
 * common prefixes; up to req->max_keys entries (keys plus prefixes). *out_res (zeroed
 * first) is owned by the caller: s3__list_res_release. Errors in *out: NoSuchBucket.
 * Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int s3__object_list(s3_service *svc, const char *bucket, const s3__list_req *req, sim_reply *out,
                    s3__list_res *out_res);

/* ---- s3_http.c ---- */

/**
 * Decode an aws-chunked body ("<hex>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n
 * [trailer lines\r\n]\r\n") into the raw bytes. *out (malloc'd, caller frees, never
 * NULL on success) and *out_len are set only on success. Returns 0, -SIM_EINVAL when the
 * framing is malformed or truncated, or -SIM_ENOMEM.
 * Source: S3 API Reference, "Signature Calculations for the Authorization Header:
 * Transferring Payload in Multiple Chunks" (sigv4-streaming.html).
 */
int s3__aws_chunked_decode(const unsigned char *in, size_t len, unsigned char **out,
                           size_t *out_len);

#endif
