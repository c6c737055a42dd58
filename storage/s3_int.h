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
#define S3__ETAG_BYTES    48   /* quoted 32-hex MD5 [+ "-" part count] + NUL */
#define S3__DEFAULT_CTYPE "binary/octet-stream"

struct s3_service {
    sim_sched *sched;         /* borrowed: Last-Modified via the clock's epoch */
    sim_log *log;             /* borrowed */
    sqlite3 *db;              /* owned */
    char *region;             /* owned: default LocationConstraint */
    uint64_t next_request_id; /* counter for x-amz-request-id (no randomness needed) */
    uint64_t next_upload_seq; /* counter behind upload IDs (s3_multipart.c) */
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
 * PutObject with a key of key_len bytes (validated here); an object it replaces loses its
 * tags (S3: a PUT without x-amz-tagging stores an untagged object). On success *out_etag
 * (may be NULL) receives the ETag. Errors in *out: NoSuchBucket, KeyTooLongError, InvalidArgument.
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

/**
 * Store an object whose ETag is already known (a completed multipart upload): as
 * s3__object_put, but etag (quoted, borrowed) is stored as given instead of the MD5.
 */
int s3__object_put_etag(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        const void *data, size_t len, const char *content_type, const char *etag,
                        sim_reply *out);

/** DeleteObject with a key of key_len bytes, and its tags; as s3_object_delete. */
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

/* ---- s3_multipart.c ---- */

#define S3__PART_NUMBER_MAX   10000                  /* part numbers are 1..10000 */
#define S3__PART_MIN_BYTES    ((size_t)5 * 1024 * 1024) /* every part but the last */
#define S3__MAX_PARTS         1000                   /* ListParts page cap and default */
#define S3__MAX_UPLOADS       1000                   /* ListMultipartUploads cap and default */
#define S3__UPLOAD_ID_BYTES   49                     /* 48 characters + NUL */

/** Create the upload and part tables and seed the upload counter. 0 or -SIM_ESTORAGE. */
int s3__multipart_init(s3_service *svc);

/** Delete every upload (and its parts) of bucket, as DeleteBucket does. 0 or -SIM_ESTORAGE. */
int s3__upload_drop_bucket(s3_service *svc, const char *bucket);

/**
 * CreateMultipartUpload: a new upload for bucket/key (key_len bytes, validated) that
 * remembers content_type (NULL or "": binary/octet-stream). Upload IDs come from a counter
 * (no randomness) and sort in creation order. On success out_id gets the ID. Errors in *out:
 * NoSuchBucket, KeyTooLongError, InvalidArgument. Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int s3__upload_create(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                      const char *content_type, char out_id[S3__UPLOAD_ID_BYTES], sim_reply *out);

/**
 * UploadPart: store data (len bytes, copied) as part part_number (1..10000) of upload_id,
 * replacing an earlier part of that number. out_etag gets the part's quoted MD5. Errors in
 * *out: NoSuchBucket, NoSuchUpload (404; also when the upload belongs to another key).
 * The part number range is the caller's to check. Returns 0, -SIM_ENOMEM, -SIM_ESTORAGE.
 */
int s3__part_put(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                 const char *upload_id, int part_number, const void *data, size_t len,
                 char out_etag[S3__ETAG_BYTES], sim_reply *out);

/** One <Part> of a CompleteMultipartUpload request. */
typedef struct s3__part_ref {
    int part_number; /* as sent; may be out of range */
    char *etag;      /* owned: as sent, quotes optional, NULL when absent */
} s3__part_ref;

/**
 * CompleteMultipartUpload: assemble the listed parts (borrowed, n of them) in order into the
 * object, whose ETag is the quoted hex MD5 of the parts' binary MD5s concatenated, then "-"
 * and the part count; the upload and its parts are deleted. Errors in *out (checked in this
 * order): NoSuchBucket, NoSuchUpload, MalformedXML (no parts), InvalidPartOrder (not strictly
 * ascending), InvalidPart (a part missing, or its ETag differs), EntityTooSmall (a part
 * before the last under 5 MiB). Part ETags compare without quotes, hex case-blind. On
 * success out_etag gets the ETag. The object keeps the upload's Content-Type and gets the
 * tags given to CreateMultipartUpload (s3__upload_tags_store). Returns 0,
 * -SIM_ENOMEM or -SIM_ESTORAGE (nothing changed then). Source: S3 API Reference,
 * CompleteMultipartUpload; User Guide, "Checking object integrity" (multipart ETags).
 */
int s3__upload_complete(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        const char *upload_id, const s3__part_ref *parts, size_t n,
                        char out_etag[S3__ETAG_BYTES], sim_reply *out);

/** AbortMultipartUpload: delete the upload and its parts. Errors in *out: NoSuchBucket,
 * NoSuchUpload. Returns 0 or -SIM_ESTORAGE. */
int s3__upload_abort(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                     const char *upload_id, sim_reply *out);

/** One stored part, as ListParts reports it. */
typedef struct s3__part_info {
    int part_number;
    size_t size_bytes;
    char etag[S3__ETAG_BYTES];
    sim_time_us modified_epoch_us;
} s3__part_info;

typedef struct s3__part_list_res {
    s3__part_info *parts; /* owned; nparts entries in part number order */
    size_t nparts;
    int truncated; /* 1 when parts follow the last one returned */
    char *ctype;   /* owned: the upload's Content-Type */
} s3__part_list_res;

/** Free what r owns and zero it. Accepts NULL. */
void s3__part_list_res_release(s3__part_list_res *r);

/**
 * ListParts: up to max_parts (0..1000) parts of upload_id numbered above marker.
 * *out_res (zeroed first) is the caller's: s3__part_list_res_release. Errors in *out:
 * NoSuchBucket, NoSuchUpload. Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int s3__part_list(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                  const char *upload_id, int marker, int max_parts, sim_reply *out,
                  s3__part_list_res *out_res);

/** One in-progress upload, as ListMultipartUploads reports it. */
typedef struct s3__upload_info {
    char *key; /* owned */
    char upload_id[S3__UPLOAD_ID_BYTES];
    sim_time_us initiated_epoch_us;
} s3__upload_info;

/** ListMultipartUploads request: strings borrowed, NULL or "" for none. */
typedef struct s3__upload_list_req {
    const char *prefix;
    const char *delimiter;
    const char *key_marker;       /* keys after it; with upload_id_marker, that key too */
    const char *upload_id_marker; /* ignored without key_marker */
    int max_uploads;              /* 0..1000, uploads plus common prefixes */
} s3__upload_list_req;

typedef struct s3__upload_list_res {
    s3__upload_info *uploads; /* owned; key then upload ID (= creation) order */
    size_t nuploads;
    char **prefixes; /* owned: CommonPrefixes, in order */
    size_t nprefixes;
    int truncated;
    char *next_key_marker; /* owned when truncated: last key (or prefix) returned */
    char next_upload_id_marker[S3__UPLOAD_ID_BYTES]; /* when truncated after an upload */
} s3__upload_list_res;

/** Free what r owns and zero it. Accepts NULL. */
void s3__upload_list_res_release(s3__upload_list_res *r);

/**
 * ListMultipartUploads of bucket (see s3__upload_list_req). *out_res (zeroed first) is the
 * caller's: s3__upload_list_res_release. Errors in *out: NoSuchBucket. Returns 0,
 * -SIM_ENOMEM or -SIM_ESTORAGE.
 */
int s3__upload_list(s3_service *svc, const char *bucket, const s3__upload_list_req *req,
                    sim_reply *out, s3__upload_list_res *out_res);

/* ---- s3_tag.c ---- */

#define S3__TAGS_MAX      10  /* tags per object */
#define S3__TAG_KEY_MAX   128 /* characters (UTF-8 code points), at least 1 */
#define S3__TAG_VALUE_MAX 256 /* characters, may be 0 */

/** One object tag. */
typedef struct s3__tag {
    char *key;   /* owned, NUL-terminated UTF-8 */
    char *value; /* owned */
} s3__tag;

/** An object's tag set, in the order given (or, loaded, in key byte order). */
typedef struct s3__tagset {
    s3__tag *tags; /* owned; n entries */
    size_t n;
    size_t cap;
} s3__tagset;

/** Create the s3_tag and s3_upload_tag tables if missing. 0 or -SIM_ESTORAGE. */
int s3__tag_init(s3_service *svc);

/** Free what t owns and zero it. Accepts NULL. */
void s3__tagset_release(s3__tagset *t);

/** Append a copy of key/value (key_len/value_len bytes) to t. 0 or -SIM_ENOMEM. */
int s3__tagset_add(s3__tagset *t, const char *key, size_t key_len, const char *value,
                   size_t value_len);

/**
 * Check t against S3's object tag rules, in this order: more than 10 tags is BadRequest
 * "Object tags cannot be greater than 10"; a repeated key is InvalidTag "Cannot provide
 * multiple Tags with the same key"; a key of 0 or more than 128 characters is InvalidTag
 * "The TagKey you have provided is invalid"; a value over 256 characters is InvalidTag "The
 * TagValue you have provided is invalid"; a key starting "aws:" is InvalidTag "Your TagKey
 * cannot be prefixed with aws:". All 400. Returns 0, or -SIM_EINVAL with the error in *out.
 * Source: S3 API Reference, PutObjectTagging; User Guide, "Categorizing your storage using
 * tags"; the messages as S3 answers them (recorded in public S3 compatibility work).
 */
int s3__tagset_check(const s3__tagset *t, sim_reply *out);

/**
 * Parse an x-amz-tagging header ("k1=v1&k2=v2", form-encoded: "+" and %XX decoded; a name
 * without "=" has an empty value) into *out (caller releases). A repeated name is
 * InvalidArgument (400) "The header 'x-amz-tagging' shall be encoded as UTF-8 then
 * URLEncoded URL query parameters without tag name duplicates."; then s3__tagset_check.
 * Returns 0, -SIM_EINVAL (error in *err, *out untouched) or -SIM_ENOMEM.
 * Source: S3 API Reference, PutObject (x-amz-tagging).
 */
int s3__tagging_header_parse(const char *h, s3__tagset *out, sim_reply *err);

/** Replace the stored tags of bucket/key by tags (NULL or empty: none). No existence
 * check. 0 or -SIM_ESTORAGE. */
int s3__tags_store(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                   const s3__tagset *tags);

/** Load the stored tags of bucket/key, in key byte order, into *out_tags (caller
 * releases). 0, -SIM_ENOMEM or -SIM_ESTORAGE. */
int s3__tags_load(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                  s3__tagset *out_tags);

/**
 * GetObjectTagging: the object's tags into *out_tags (caller releases). Errors in *out as
 * for HeadObject (NoSuchBucket, NoSuchKey, KeyTooLongError, InvalidArgument). Returns 0,
 * -SIM_ENOMEM or -SIM_ESTORAGE. Source: S3 API Reference, GetObjectTagging.
 */
int s3__object_tags_get(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        sim_reply *out, s3__tagset *out_tags);

/**
 * PutObjectTagging / DeleteObjectTagging (tags NULL or empty): replace the tag set of an
 * existing object; tags must already pass s3__tagset_check. Errors in *out as for
 * s3__object_tags_get. Returns 0 or -SIM_ESTORAGE. Source: S3 API Reference,
 * PutObjectTagging, DeleteObjectTagging.
 */
int s3__object_tags_put(s3_service *svc, const char *bucket, const char *key, size_t key_len,
                        const s3__tagset *tags, sim_reply *out);

/** Remember tags (checked) for upload_id, to be applied on completion. 0 or -SIM_ESTORAGE. */
int s3__upload_tags_store(s3_service *svc, const char *upload_id, const s3__tagset *tags);

/** Copy upload_id's remembered tags onto bucket/key (added to what it has). 0 or
 * -SIM_ESTORAGE. */
int s3__upload_tags_apply(s3_service *svc, const char *upload_id, const char *bucket,
                          const char *key, size_t key_len);

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

/* ---- shared sqlite helpers (s3_blob.c) ---- */

/** Log the sqlite error once, where it was detected; returns -SIM_ESTORAGE. */
int s3__storage_fail(const s3_service *svc, const char *what);

/** Prepare sql into *st; -SIM_ESTORAGE (logged) on failure. */
int s3__prepare(s3_service *svc, const char *sql, sqlite3_stmt **st);

/** Bind a byte string as a BLOB (never NULL, even when empty), so keys compare by memcmp. */
int s3__bind_bytes(sqlite3_stmt *st, int idx, const void *p, size_t len);

/** memcmp order of two byte strings, shorter first on a common prefix: <0, 0, >0. */
int s3__bytes_cmp(const void *a, size_t alen, const void *b, size_t blen);

/** Offset of needle in hay, or SIZE_MAX. */
size_t s3__find_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen);

/** A NUL-terminated malloc'd copy of len bytes (caller frees), or NULL. */
char *s3__dup_bytes(const void *p, size_t len);

/** Appends a copy of the len bytes at p (NUL-terminated) to the growable array *prefixes of *n
 * entries and *cap slots (both updated; the array grows by doubling from 8). Used for the
 * CommonPrefixes of ListObjects and ListMultipartUploads. 0 or -SIM_ENOMEM (nothing added). */
int s3__prefix_push(char ***prefixes, size_t *n, size_t *cap, const char *p, size_t len);

#endif
