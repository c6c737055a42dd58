/* s3_http.c - the path-style S3 REST adapter: routes /, /bucket and /bucket/key requests
 * to s3_blob.c and renders S3's XML (results and <Error> documents), ranges, conditional
 * GETs and aws-chunked bodies. Auth headers are accepted and ignored (no signatures).
 * Source: Amazon S3 API Reference (operations, "Error responses", sigv4-streaming). */
#include "s3_int.h"
#include "sim_err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#define S3_XMLNS      "http://s3.amazonaws.com/doc/2006-03-01/"
#define S3_XML_DECL   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define S3_XML_CTYPE  "application/xml"
#define S3_DELETE_MAX 1000 /* DeleteObjects: keys per request */

/* The single owner every object and bucket reports (one account). */
static const char owner_id[] = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
static const char owner_name[] = "stratus";

/* Sub-resources S3 has that Stratus does not implement: 501 NotImplemented. */
static const char *const unsupported_subresources[] = {
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "session",
    "tagging",
    "torrent",
    "versioning",
    "versions",
    "website",
};

/* ---- a growable byte buffer ---- */

typedef struct sbuf {
    char *p;    /* owned, NUL-terminated */
    size_t len; /* bytes used */
    size_t cap;
    int oom; /* 1 once an append failed; later appends are no-ops */
} sbuf;

static void sb_add(sbuf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->oom = 1; /* only short numeric fields go through here */
        return;
    }
    sb_add(b, tmp, (size_t)n);
}

/* Appends s XML-escaped (text and attribute safe). */
static void sb_xml(sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            sb_str(b, "&amp;");
            break;
        case '<':
            sb_str(b, "&lt;");
            break;
        case '>':
            sb_str(b, "&gt;");
            break;
        case '"':
            sb_str(b, "&quot;");
            break;
        case '\'':
            sb_str(b, "&apos;");
            break;
        case '\r':
            sb_str(b, "&#13;");
            break;
        default:
            sb_add(b, s, 1);
        }
    }
}

/* Appends s percent-encoded for encoding-type=url (unreserved bytes and '/' kept). */
static void sb_url(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            sb_add(b, p, 1);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            sb_add(b, e, 3);
        }
    }
}

/* <tag>value</tag>, the value XML-escaped and, when url is set, percent-encoded first. */
static void sb_elem(sbuf *b, const char *tag, const char *value, int url)
{
    sb_printf(b, "<%s>", tag);
    if (url) {
        sbuf u = { 0 };
        sb_url(&u, value);
        if (u.oom)
            b->oom = 1;
        else
            sb_xml(b, u.p != NULL ? u.p : "");
        free(u.p);
    } else {
        sb_xml(b, value);
    }
    sb_printf(b, "</%s>", tag);
}

/* ---- dates ---- */

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Splits epoch microseconds into broken-down UTC; *out_ms gets the milliseconds. */
static void epoch_tm(sim_time_us epoch_us, struct tm *tm, int *out_ms)
{
    sim_time_us secs = epoch_us / SIM_S;
    sim_time_us rem = epoch_us % SIM_S;
    if (rem < 0) {
        secs--;
        rem += SIM_S;
    }
    time_t t = (time_t)secs;
    gmtime_r(&t, tm);
    *out_ms = (int)(rem / SIM_MS);
}

/* RFC 1123 date ("Thu, 01 Jan 2026 00:00:00 GMT"), as in Last-Modified. */
static void fmt_rfc1123(sim_time_us epoch_us, char out[96])
{
    struct tm tm;
    int ms;
    epoch_tm(epoch_us, &tm, &ms);
    snprintf(out, 96, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ISO 8601 with milliseconds ("2026-01-01T00:00:00.000Z"), as in listings. */
static void fmt_iso8601(sim_time_us epoch_us, char out[96])
{
    struct tm tm;
    int ms;
    epoch_tm(epoch_us, &tm, &ms);
    snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

/* ---- aws-chunked ---- */

/* Offset of the next "\r\n" at or after pos, or SIZE_MAX. */
static size_t find_crlf(const unsigned char *in, size_t len, size_t pos)
{
    for (size_t i = pos; i + 1 < len; i++)
        if (in[i] == '\r' && in[i + 1] == '\n')
            return i;
    return SIZE_MAX;
}

static int hexdig(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int s3__aws_chunked_decode(const unsigned char *in, size_t len, unsigned char **out,
                           size_t *out_len)
{
    unsigned char *buf = malloc(len + 1);
    size_t n = 0, pos = 0;
    int rc = -SIM_EINVAL;
    if (buf == NULL)
        return -SIM_ENOMEM;
    for (;;) {
        size_t eol = find_crlf(in, len, pos);
        if (eol == SIZE_MAX)
            goto out;
        size_t size = 0, i = pos;
        for (; i < eol && hexdig(in[i]) >= 0; i++) {
            if (size > len) /* also stops overflow: no chunk can exceed the body */
                goto out;
            size = size * 16 + (size_t)hexdig(in[i]);
        }
        if (i == pos || (i < eol && in[i] != ';'))
            goto out;
        pos = eol + 2;
        if (size == 0)
            break;
        if (size > len - pos || len - pos - size < 2 || in[pos + size] != '\r' ||
            in[pos + size + 1] != '\n')
            goto out;
        memcpy(buf + n, in + pos, size);
        n += size;
        pos += size + 2;
    }
    /* Trailer lines (x-amz-checksum-*: ...) up to an empty line or the end of the body. */
    while (pos < len) {
        size_t eol = find_crlf(in, len, pos);
        if (eol == SIZE_MAX || eol == pos)
            break;
        pos = eol + 2;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    return rc;
}

/* ---- one request ---- */

typedef struct s3_req {
    s3_service *svc;
    sim_http_exchange *x;
    const char *method;
    int head;        /* 1 for HEAD: errors and results carry no body */
    char *bucket;    /* owned; "" for the service root */
    const char *key; /* borrowed from the path; "" when none */
    size_t key_len;
    char request_id[24]; /* x-amz-request-id */
} s3_req;

static void hdr(s3_req *r, const char *name, const char *value)
{
    sim_http_resp_header(&r->x->resp, name, value); /* ENOMEM: the header is dropped */
}

/* Sends status with an XML document (or no body for HEAD). */
static void send_xml(s3_req *r, int status, const sbuf *b)
{
    if (b->oom) {
        r->x->resp.status = 500;
        return;
    }
    if (r->head) {
        sim_http_resp_set(&r->x->resp, status, NULL, "", 0);
        return;
    }
    sim_http_resp_set(&r->x->resp, status, S3_XML_CTYPE, b->p, b->len);
}

static void send_empty(s3_req *r, int status)
{
    sim_http_resp_set(&r->x->resp, status, NULL, "", 0);
}

/*
 * Sends an S3 <Error> document: Code, Message, the extra elements (a pre-built XML
 * fragment, or by default <Key> for key errors and <BucketName> for bucket errors), then
 * RequestId. HEAD responses carry the status only, as S3's do.
 */
static void send_error(s3_req *r, int status, const char *code, const char *message,
                       const char *extra_xml)
{
    sbuf b = { 0 };
    sb_str(&b, S3_XML_DECL "<Error>");
    sb_elem(&b, "Code", code, 0);
    sb_elem(&b, "Message", message != NULL ? message : "", 0);
    if (extra_xml != NULL) {
        sb_str(&b, extra_xml);
    } else if (strcmp(code, "NoSuchKey") == 0 || strcmp(code, "KeyTooLongError") == 0 ||
               (strcmp(code, "InvalidArgument") == 0 && r->key_len > 0)) {
        sb_elem(&b, "Key", r->key, 0);
    } else if (strcmp(code, "NoSuchUpload") == 0) {
        const char *id = sim_http_req_query(&r->x->req, "uploadId");
        sb_elem(&b, "UploadId", id != NULL ? id : "", 0);
    } else if (strcmp(code, "NoSuchBucket") == 0 || strcmp(code, "BucketNotEmpty") == 0 ||
               strcmp(code, "BucketAlreadyOwnedByYou") == 0 ||
               strcmp(code, "InvalidBucketName") == 0) {
        sb_elem(&b, "BucketName", r->bucket, 0);
    }
    sb_elem(&b, "RequestId", r->request_id, 0);
    sb_str(&b, "</Error>");
    send_xml(r, status, &b);
    free(b.p);
}

static void send_reply_error(s3_req *r, const sim_reply *rep)
{
    send_error(r, rep->status, rep->code, rep->message, NULL);
}

static void send_internal(s3_req *r, int rc)
{
    SIM_LOGE(r->svc->log, "s3", "%s %s: %s", r->method, r->x->req.path, sim_strerror(rc));
    send_error(r, 500, "InternalError", "We encountered an internal error. Please try again.",
               NULL);
}

/* Sends the outcome of a store call that has no result body: rc < 0, an error, or status. */
static int send_if_failed(s3_req *r, int rc, const sim_reply *rep)
{
    if (rc != 0) {
        send_internal(r, rc);
        return 1;
    }
    if (sim_reply_failed(rep)) {
        send_reply_error(r, rep);
        return 1;
    }
    return 0;
}

static void send_method_not_allowed(s3_req *r, const char *resource_type)
{
    sbuf extra = { 0 };
    sb_elem(&extra, "Method", r->method, 0);
    sb_elem(&extra, "ResourceType", resource_type, 0);
    send_error(r, 405, "MethodNotAllowed",
               "The specified method is not allowed against this resource.",
               extra.oom ? "" : extra.p);
    free(extra.p);
}

static void send_not_implemented(s3_req *r, const char *what)
{
    SIM_LOGW(r->svc->log, "s3", "not implemented: %s %s (%s)", r->method, r->x->req.path, what);
    send_error(r, 501, "NotImplemented",
               "A header you provided implies functionality that is not implemented", NULL);
}

static void send_invalid_argument(s3_req *r, const char *message, const char *name,
                                  const char *value)
{
    sbuf extra = { 0 };
    sb_elem(&extra, "ArgumentName", name, 0);
    sb_elem(&extra, "ArgumentValue", value != NULL ? value : "", 0);
    send_error(r, 400, "InvalidArgument", message, extra.oom ? "" : extra.p);
    free(extra.p);
}

/* ---- service: ListBuckets ---- */

static int list_bucket_cb(const char *name, sim_time_us created_epoch_us, void *arg)
{
    sbuf *b = arg;
    char date[96];
    fmt_iso8601(created_epoch_us, date);
    sb_str(b, "<Bucket>");
    sb_elem(b, "Name", name, 0);
    sb_elem(b, "CreationDate", date, 0);
    sb_str(b, "</Bucket>");
    return 0;
}

static void serve_list_buckets(s3_req *r)
{
    sbuf b = { 0 };
    sb_str(&b, S3_XML_DECL "<ListAllMyBucketsResult xmlns=\"" S3_XMLNS "\"><Owner>");
    sb_elem(&b, "ID", owner_id, 0);
    sb_elem(&b, "DisplayName", owner_name, 0);
    sb_str(&b, "</Owner><Buckets>");
    int rc = s3__bucket_each(r->svc, list_bucket_cb, &b);
    sb_str(&b, "</Buckets></ListAllMyBucketsResult>");
    if (rc != 0)
        send_internal(r, rc);
    else
        send_xml(r, 200, &b);
    free(b.p);
}

/* ---- buckets ---- */

/* Text of <tag>..</tag> in the body (malloc'd), NULL when absent; *out_oom on ENOMEM. */
static char *xml_text(const char *body, const char *tag, int *out_oom)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(body, open);
    if (a == NULL)
        return NULL;
    a += strlen(open);
    const char *z = strstr(a, close);
    if (z == NULL)
        return NULL;
    char *s = strndup(a, (size_t)(z - a));
    if (s == NULL)
        *out_oom = 1;
    return s;
}

static void serve_bucket_create(s3_req *r)
{
    sim_reply rep;
    sim_reply_init(&rep);
    char *region = NULL;
    int oom = 0;
    const sim_http_req *q = &r->x->req;
    if (q->body_len > 0) {
        const char *body = (const char *)q->body;
        if (strstr(body, "CreateBucketConfiguration") == NULL) {
            send_error(r, 400, "MalformedXML",
                       "The XML you provided was not well-formed or did not validate against "
                       "our published schema",
                       NULL);
            goto out;
        }
        /* Any LocationConstraint is accepted and kept (S3 itself refuses one that differs
         * from the endpoint's region; an offline emulator serves every region). */
        region = xml_text(body, "LocationConstraint", &oom);
        if (oom) {
            send_internal(r, -SIM_ENOMEM);
            goto out;
        }
    }
    int rc = s3__bucket_create_in(r->svc, r->bucket, region, &rep);
    if (send_if_failed(r, rc, &rep))
        goto out;
    char loc[80];
    snprintf(loc, sizeof loc, "/%s", r->bucket);
    hdr(r, "Location", loc);
    send_empty(r, 200);
out:
    free(region);
    sim_reply_release(&rep);
}

static void serve_bucket_head(s3_req *r)
{
    char *region = NULL;
    int rc = s3__bucket_region(r->svc, r->bucket, &region);
    if (rc == -SIM_ENOENT) {
        send_error(r, 404, "NoSuchBucket", "The specified bucket does not exist", NULL);
    } else if (rc != 0) {
        send_internal(r, rc);
    } else {
        hdr(r, "x-amz-bucket-region", region);
        send_empty(r, 200);
    }
    free(region);
}

static void serve_bucket_location(s3_req *r)
{
    char *region = NULL;
    int rc = s3__bucket_region(r->svc, r->bucket, &region);
    if (rc == -SIM_ENOENT) {
        send_error(r, 404, "NoSuchBucket", "The specified bucket does not exist", NULL);
    } else if (rc != 0) {
        send_internal(r, rc);
    } else {
        /* us-east-1 is reported as an empty LocationConstraint (GetBucketLocation docs). */
        sbuf b = { 0 };
        sb_str(&b, S3_XML_DECL "<LocationConstraint xmlns=\"" S3_XMLNS "\">");
        if (strcmp(region, "us-east-1") != 0)
            sb_xml(&b, region);
        sb_str(&b, "</LocationConstraint>");
        send_xml(r, 200, &b);
        free(b.p);
    }
    free(region);
}

static void serve_bucket_delete(s3_req *r)
{
    sim_reply rep;
    sim_reply_init(&rep);
    int rc = s3_bucket_delete(r->svc, r->bucket, &rep);
    if (!send_if_failed(r, rc, &rep))
        send_empty(r, 204);
    sim_reply_release(&rep);
}

/* ---- ListObjects (v1) and ListObjectsV2 ---- */

/* Hex of s (a continuation token: opaque to clients). Caller frees; NULL on ENOMEM. */
static char *token_encode(const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s);
    char *t = malloc(2 * n + 1);
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        t[2 * i] = hex[(unsigned char)s[i] >> 4];
        t[2 * i + 1] = hex[(unsigned char)s[i] & 15];
    }
    t[2 * n] = '\0';
    return t;
}

/* Inverse of token_encode into *out (caller frees): 0, -SIM_EINVAL or -SIM_ENOMEM. */
static int token_decode(const char *t, char **out)
{
    size_t n = strlen(t);
    if (n % 2 != 0 || n / 2 > S3__KEY_MAX_BYTES)
        return -SIM_EINVAL;
    char *s = malloc(n / 2 + 1);
    if (s == NULL)
        return -SIM_ENOMEM;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexdig((unsigned char)t[2 * i]), lo = hexdig((unsigned char)t[2 * i + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(s);
            return -SIM_EINVAL;
        }
        s[i] = (char)(hi * 16 + lo);
    }
    s[n / 2] = '\0';
    *out = s;
    return 0;
}

/* Parses max-keys: 0 and *out (capped at 1000), or -SIM_EINVAL. */
static int parse_max_keys(const char *s, int *out)
{
    if (s == NULL) {
        *out = S3__MAX_KEYS;
        return 0;
    }
    if (*s == '\0')
        return -SIM_EINVAL;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -SIM_EINVAL;
        v = v * 10 + (*p - '0');
        if (v > 2147483647L)
            return -SIM_EINVAL;
    }
    *out = v > S3__MAX_KEYS ? S3__MAX_KEYS : (int)v;
    return 0;
}

static void sb_contents(sbuf *b, const s3__list_obj *o, int url, int owner)
{
    char date[96];
    fmt_iso8601(o->meta.modified_epoch_us, date);
    sb_str(b, "<Contents>");
    sb_elem(b, "Key", o->key, url);
    sb_elem(b, "LastModified", date, 0);
    sb_elem(b, "ETag", o->meta.etag, 0);
    sb_printf(b, "<Size>%zu</Size>", o->meta.size_bytes);
    if (owner) {
        sb_str(b, "<Owner>");
        sb_elem(b, "ID", owner_id, 0);
        sb_elem(b, "DisplayName", owner_name, 0);
        sb_str(b, "</Owner>");
    }
    sb_str(b, "<StorageClass>STANDARD</StorageClass></Contents>");
}

static void serve_list_objects(s3_req *r, int v2)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    s3__list_res res = { 0 };
    sbuf b = { 0 };
    char *after_token = NULL, *next_token = NULL;
    const char *prefix = sim_http_req_query(q, "prefix");
    const char *delim = sim_http_req_query(q, "delimiter");
    const char *enc = sim_http_req_query(q, "encoding-type");
    const char *mk = sim_http_req_query(q, "max-keys");
    const char *token = v2 ? sim_http_req_query(q, "continuation-token") : NULL;
    const char *start_after =
        v2 ? sim_http_req_query(q, "start-after") : sim_http_req_query(q, "marker");
    const char *fetch_owner = sim_http_req_query(q, "fetch-owner");
    int url = 0, max_keys;
    if (enc != NULL && enc[0] != '\0') {
        if (strcmp(enc, "url") != 0) {
            send_invalid_argument(r, "Invalid Encoding Method specified in Request",
                                  "encoding-type", enc);
            goto out;
        }
        url = 1;
    }
    if (parse_max_keys(mk, &max_keys) != 0) {
        send_invalid_argument(r, "Provided max-keys not an integer or within integer range",
                              "max-keys", mk);
        goto out;
    }
    s3__list_req lr = {
        .prefix = prefix, .delimiter = delim, .after = start_after, .max_keys = max_keys
    };
    if (token != NULL && token[0] != '\0') {
        int trc = token_decode(token, &after_token);
        if (trc == -SIM_ENOMEM) {
            send_internal(r, trc);
            goto out;
        }
        if (trc != 0) {
            send_invalid_argument(r, "The continuation token provided is incorrect",
                                  "continuation-token", token);
            goto out;
        }
        lr.after = after_token;
    }
    int rc = s3__object_list(r->svc, r->bucket, &lr, &rep, &res);
    if (send_if_failed(r, rc, &rep))
        goto out;
    if (v2 && res.truncated && res.next_marker != NULL &&
        (next_token = token_encode(res.next_marker)) == NULL) {
        send_internal(r, -SIM_ENOMEM);
        goto out;
    }
    sb_str(&b, S3_XML_DECL "<ListBucketResult xmlns=\"" S3_XMLNS "\">");
    sb_elem(&b, "Name", r->bucket, 0);
    sb_elem(&b, "Prefix", prefix != NULL ? prefix : "", url);
    if (!v2)
        sb_elem(&b, "Marker", start_after != NULL ? start_after : "", url);
    if (delim != NULL && delim[0] != '\0')
        sb_elem(&b, "Delimiter", delim, url);
    sb_printf(&b, "<MaxKeys>%d</MaxKeys>", max_keys);
    if (v2)
        sb_printf(&b, "<KeyCount>%zu</KeyCount>", res.nobjs + res.nprefixes);
    sb_printf(&b, "<IsTruncated>%s</IsTruncated>", res.truncated ? "true" : "false");
    if (url)
        sb_str(&b, "<EncodingType>url</EncodingType>");
    if (v2) {
        if (token != NULL && token[0] != '\0')
            sb_elem(&b, "ContinuationToken", token, 0);
        if (next_token != NULL)
            sb_elem(&b, "NextContinuationToken", next_token, 0);
        if (start_after != NULL && start_after[0] != '\0')
            sb_elem(&b, "StartAfter", start_after, url);
    } else if (res.truncated && res.next_marker != NULL && delim != NULL && delim[0] != '\0') {
        /* NextMarker is returned only with a delimiter; otherwise the last Key is the
         * marker (ListObjects docs). */
        sb_elem(&b, "NextMarker", res.next_marker, url);
    }
    int owner = !v2 || (fetch_owner != NULL && strcmp(fetch_owner, "true") == 0);
    for (size_t i = 0; i < res.nobjs; i++)
        sb_contents(&b, &res.objs[i], url, owner);
    for (size_t i = 0; i < res.nprefixes; i++) {
        sb_str(&b, "<CommonPrefixes>");
        sb_elem(&b, "Prefix", res.prefixes[i], url);
        sb_str(&b, "</CommonPrefixes>");
    }
    sb_str(&b, "</ListBucketResult>");
    send_xml(r, 200, &b);
out:
    free(b.p);
    free(after_token);
    free(next_token);
    s3__list_res_release(&res);
    sim_reply_release(&rep);
}

/* ---- DeleteObjects (POST /bucket?delete) ---- */

/* Decodes the XML entities of s[0..len) into a new buffer (caller frees); NULL on ENOMEM. */
static char *xml_unescape(const char *s, size_t len, size_t *out_len)
{
    char *o = malloc(len + 1);
    size_t n = 0;
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        if (s[i] != '&') {
            o[n++] = s[i++];
            continue;
        }
        static const struct {
            const char *ent;
            char c;
        } named[] = { { "&amp;", '&' },
                      { "&lt;", '<' },
                      { "&gt;", '>' },
                      { "&quot;", '"' },
                      { "&apos;", '\'' } };
        int done = 0;
        for (size_t k = 0; !done && k < sizeof named / sizeof *named; k++) {
            size_t el = strlen(named[k].ent);
            if (len - i >= el && memcmp(s + i, named[k].ent, el) == 0) {
                o[n++] = named[k].c;
                i += el;
                done = 1;
            }
        }
        if (!done && len - i > 2 && s[i + 1] == '#') {
            size_t j = i + 2;
            int hexa = j < len && (s[j] == 'x' || s[j] == 'X');
            unsigned long cp = 0;
            j += (size_t)hexa;
            size_t start = j;
            for (; j < len && s[j] != ';' && j - start < 8; j++) {
                int d = hexa ? hexdig((unsigned char)s[j])
                             : (s[j] >= '0' && s[j] <= '9' ? s[j] - '0' : -1);
                if (d < 0)
                    break;
                cp = cp * (hexa ? 16u : 10u) + (unsigned long)d;
            }
            if (j < len && s[j] == ';' && j > start && cp <= 0x10FFFF) {
                /* Encode cp as UTF-8 (invalid ones are refused later by the key check). */
                if (cp < 0x80) {
                    o[n++] = (char)cp;
                } else if (cp < 0x800) {
                    o[n++] = (char)(0xC0 | (cp >> 6));
                    o[n++] = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    o[n++] = (char)(0xE0 | (cp >> 12));
                    o[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    o[n++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    o[n++] = (char)(0xF0 | (cp >> 18));
                    o[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    o[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    o[n++] = (char)(0x80 | (cp & 0x3F));
                }
                i = j + 1;
                done = 1;
            }
        }
        if (!done)
            o[n++] = s[i++];
    }
    o[n] = '\0';
    *out_len = n;
    return o;
}

static void serve_delete_objects(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    sbuf b = { 0 };
    char *key = NULL;
    const char *body = q->body != NULL ? (const char *)q->body : "";
    int rc = s3__bucket_region(r->svc, r->bucket, NULL);
    if (rc == -SIM_ENOENT) {
        send_error(r, 404, "NoSuchBucket", "The specified bucket does not exist", NULL);
        goto out;
    }
    if (rc != 0) {
        send_internal(r, rc);
        goto out;
    }
    int nkeys = 0;
    for (const char *p = strstr(body, "<Key>"); p != NULL; p = strstr(p + 5, "<Key>"))
        nkeys++;
    if (strstr(body, "<Delete") == NULL || nkeys == 0 || nkeys > S3_DELETE_MAX) {
        send_error(r, 400, "MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our "
                   "published schema",
                   NULL);
        goto out;
    }
    int quiet = strstr(body, "<Quiet>true</Quiet>") != NULL;
    sb_str(&b, S3_XML_DECL "<DeleteResult xmlns=\"" S3_XMLNS "\">");
    for (const char *p = strstr(body, "<Key>"); p != NULL; p = strstr(p, "<Key>")) {
        p += 5;
        const char *z = strstr(p, "</Key>");
        if (z == NULL)
            break;
        size_t klen;
        if ((key = xml_unescape(p, (size_t)(z - p), &klen)) == NULL) {
            send_internal(r, -SIM_ENOMEM);
            goto out;
        }
        sim_reply_clear(&rep);
        if ((rc = s3__object_delete(r->svc, r->bucket, key, klen, &rep)) != 0) {
            send_internal(r, rc);
            goto out;
        }
        if (sim_reply_failed(&rep)) {
            sb_str(&b, "<Error>");
            sb_elem(&b, "Key", key, 0);
            sb_elem(&b, "Code", rep.code, 0);
            sb_elem(&b, "Message", rep.message != NULL ? rep.message : "", 0);
            sb_str(&b, "</Error>");
        } else if (!quiet) {
            sb_str(&b, "<Deleted>");
            sb_elem(&b, "Key", key, 0);
            sb_str(&b, "</Deleted>");
        }
        free(key);
        key = NULL;
        p = z;
    }
    sb_str(&b, "</DeleteResult>");
    send_xml(r, 200, &b);
out:
    free(key);
    free(b.p);
    sim_reply_release(&rep);
}

/* ---- objects ---- */

/* Base64 Content-MD5 into 16 bytes: 0, or -SIM_EINVAL when it is not 16 bytes of base64. */
static int md5_header_decode(const char *b64, unsigned char out[16])
{
    unsigned char tmp[32];
    size_t n = strlen(b64);
    if (n != 24 || b64[22] != '=' || b64[23] != '=')
        return -SIM_EINVAL;
    if (EVP_DecodeBlock(tmp, (const unsigned char *)b64, 24) != 18)
        return -SIM_EINVAL;
    memcpy(out, tmp, 16);
    return 0;
}

static int is_aws_chunked(const sim_http_req *q)
{
    const char *ce = sim_http_req_header(q, "Content-Encoding");
    const char *sha = sim_http_req_header(q, "x-amz-content-sha256");
    return (ce != NULL && strstr(ce, "aws-chunked") != NULL) ||
           (sha != NULL && strncmp(sha, "STREAMING-", 10) == 0);
}

/*
 * The request's payload for PutObject and UploadPart: the body, aws-chunked framing
 * removed, checked against Content-MD5. Returns 1 with *out_data and *out_len (borrowed from
 * the request or from *out_decoded, which the caller frees; NULL when not decoded), or 0
 * after sending the error (EntityTooLarge, IncompleteBody, InvalidDigest, BadDigest).
 */
static int request_payload(s3_req *r, const unsigned char **out_data, size_t *out_len,
                           unsigned char **out_decoded)
{
    const sim_http_req *q = &r->x->req;
    unsigned char *decoded = NULL;
    const unsigned char *data = q->body != NULL ? q->body : (const unsigned char *)"";
    size_t len = q->body_len;
    *out_decoded = NULL;
    if (q->body_too_large) {
        send_error(r, 400, "EntityTooLarge",
                   "Your proposed upload exceeds the maximum allowed object size.", NULL);
        return 0;
    }
    if (is_aws_chunked(q)) {
        int drc = s3__aws_chunked_decode(data, q->body_len, &decoded, &len);
        if (drc == -SIM_ENOMEM) {
            send_internal(r, drc);
            return 0;
        }
        const char *dl = sim_http_req_header(q, "x-amz-decoded-content-length");
        char want[32];
        if (drc == 0)
            snprintf(want, sizeof want, "%zu", len);
        if (drc != 0 || (dl != NULL && strcmp(dl, want) != 0)) {
            send_error(r, 400, "IncompleteBody",
                       "You did not provide the number of bytes specified by the Content-Length "
                       "HTTP header",
                       NULL);
            free(decoded);
            return 0;
        }
        data = decoded;
    }
    const char *md5 = sim_http_req_header(q, "Content-MD5");
    if (md5 != NULL) {
        unsigned char want[16], got[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (md5_header_decode(md5, want) != 0) {
            send_error(r, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.",
                       NULL);
            free(decoded);
            return 0;
        }
        if (EVP_Digest(len ? data : (const unsigned char *)"", len, got, &n, EVP_md5(), NULL) !=
                1 ||
            memcmp(want, got, 16) != 0) {
            send_error(r, 400, "BadDigest",
                       "The Content-MD5 you specified did not match what we received.", NULL);
            free(decoded);
            return 0;
        }
    }
    *out_data = data;
    *out_len = len;
    *out_decoded = decoded;
    return 1;
}

/*
 * Parses the request's x-amz-tagging header (PutObject, CopyObject with REPLACE,
 * CreateMultipartUpload) into *out, left empty when there is none. Returns 1, or 0 after
 * sending the error (InvalidArgument for a malformed header, BadRequest/InvalidTag for a
 * tag rule). The InvalidArgument's ArgumentName/ArgumentValue elements follow S3's other
 * header errors; S3's exact extra elements for this one were not confirmed.
 * Source: S3 API Reference, PutObject (x-amz-tagging).
 */
static int tagging_header(s3_req *r, s3__tagset *out)
{
    const char *h = sim_http_req_header(&r->x->req, "x-amz-tagging");
    sim_reply rep;
    int ok = 1;
    if (h == NULL)
        return 1;
    sim_reply_init(&rep);
    int rc = s3__tagging_header_parse(h, out, &rep);
    if (rc == -SIM_EINVAL) {
        if (strcmp(rep.code, "InvalidArgument") == 0)
            send_invalid_argument(r, rep.message, "x-amz-tagging", h);
        else
            send_reply_error(r, &rep);
        ok = 0;
    } else if (rc != 0) {
        send_internal(r, rc);
        ok = 0;
    }
    sim_reply_release(&rep);
    return ok;
}

static void serve_object_copy(s3_req *r);

static void serve_object_put(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    unsigned char *decoded = NULL;
    const unsigned char *data = NULL;
    size_t len = 0;
    char etag[S3__ETAG_BYTES];
    s3__tagset tags = { 0 };
    if (sim_http_req_header(q, "x-amz-copy-source") != NULL) {
        serve_object_copy(r);
        goto out;
    }
    if (!tagging_header(r, &tags) || !request_payload(r, &data, &len, &decoded))
        goto out;
    /* The PUT replaces the object, tags included: without x-amz-tagging it has none. */
    int rc = s3__object_put(r->svc, r->bucket, r->key, r->key_len, data, len,
                            sim_http_req_header(q, "Content-Type"), etag, &rep);
    if (send_if_failed(r, rc, &rep))
        goto out;
    if (tags.n > 0 && (rc = s3__tags_store(r->svc, r->bucket, r->key, r->key_len, &tags)) != 0) {
        send_internal(r, rc);
        goto out;
    }
    hdr(r, "ETag", etag);
    send_empty(r, 200);
out:
    s3__tagset_release(&tags);
    free(decoded);
    sim_reply_release(&rep);
}

/* 1 when the ETag list in header (comma-separated, quoted or not, or "*") names etag. */
static int etag_matches(const char *header, const char *etag)
{
    const char *bare = etag + 1; /* etag is "\"hex\"" */
    size_t blen = strlen(etag) - 2;
    for (const char *p = header; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && t[-1] == ' ')
            t--;
        size_t n = (size_t)(t - p);
        if (n >= 2 && p[0] == 'W' && p[1] == '/') {
            p += 2;
            n -= 2;
        }
        if ((n == 1 && *p == '*') || (n == blen + 2 && memcmp(p, etag, n) == 0) ||
            (n == blen && memcmp(p, bare, n) == 0))
            return 1;
        p = e;
    }
    return 0;
}

/* Parses "bytes=a-b", "bytes=a-" or "bytes=-n" against size. Returns 1 with [*first,*last]
 * when satisfiable, 0 when the header should be ignored (malformed or several ranges, as S3
 * does), -1 when unsatisfiable (416). */
static int parse_range(const char *h, size_t size, size_t *first, size_t *last)
{
    if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
        return 0;
    const char *p = h + 6;
    int has_a = 0, has_b = 0;
    unsigned long long a = 0, b = 0;
    for (; *p >= '0' && *p <= '9'; p++, has_a = 1) {
        if (a > (1ULL << 60))
            return 0;
        a = a * 10 + (unsigned long long)(*p - '0');
    }
    if (*p++ != '-')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++, has_b = 1) {
        if (b > (1ULL << 60))
            return 0;
        b = b * 10 + (unsigned long long)(*p - '0');
    }
    if (*p != '\0' || (!has_a && !has_b) || (has_a && has_b && b < a))
        return 0;
    if (!has_a) { /* suffix: the last b bytes */
        if (b == 0 || size == 0)
            return -1;
        *first = b >= size ? 0 : size - (size_t)b;
        *last = size - 1;
        return 1;
    }
    if (a >= size)
        return -1;
    *first = (size_t)a;
    *last = has_b && b < size ? (size_t)b : size - 1;
    return 1;
}

static void serve_object_get(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    s3__meta meta = { 0 };
    void *data = NULL;
    s3__tagset tags = { 0 };
    char date[96], num[32];
    int rc = s3__object_fetch(r->svc, r->bucket, r->key, r->key_len, &rep, &meta,
                              r->head ? NULL : &data);
    if (send_if_failed(r, rc, &rep))
        goto out;
    fmt_rfc1123(meta.modified_epoch_us, date);
    const char *if_match = sim_http_req_header(q, "If-Match");
    const char *if_none = sim_http_req_header(q, "If-None-Match");
    if (if_match != NULL && !etag_matches(if_match, meta.etag)) {
        send_error(r, 412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold",
                   "<Condition>If-Match</Condition>");
        goto out;
    }
    if (if_none != NULL && etag_matches(if_none, meta.etag)) {
        hdr(r, "ETag", meta.etag);
        hdr(r, "Last-Modified", date);
        send_empty(r, 304);
        goto out;
    }
    size_t first = 0, last = 0;
    const char *range = sim_http_req_header(q, "Range");
    int ranged = range != NULL ? parse_range(range, meta.size_bytes, &first, &last) : 0;
    if (ranged < 0) {
        sbuf extra = { 0 };
        sb_elem(&extra, "RangeRequested", range, 0);
        sb_printf(&extra, "<ActualObjectSize>%zu</ActualObjectSize>", meta.size_bytes);
        snprintf(num, sizeof num, "bytes */%zu", meta.size_bytes);
        hdr(r, "Content-Range", num);
        send_error(r, 416, "InvalidRange", "The requested range is not satisfiable",
                   extra.oom ? "" : extra.p);
        free(extra.p);
        goto out;
    }
    size_t off = 0, n = meta.size_bytes;
    if (ranged > 0) {
        char cr[80];
        off = first;
        n = last - first + 1;
        snprintf(cr, sizeof cr, "bytes %zu-%zu/%zu", first, last, meta.size_bytes);
        hdr(r, "Content-Range", cr);
    }
    snprintf(num, sizeof num, "%zu", n);
    hdr(r, "Content-Length", num);
    hdr(r, "ETag", meta.etag);
    hdr(r, "Last-Modified", date);
    hdr(r, "Accept-Ranges", "bytes");
    /* x-amz-tagging-count: sent only for an object that has tags (GetObject, HeadObject). */
    if ((rc = s3__tags_load(r->svc, r->bucket, r->key, r->key_len, &tags)) != 0) {
        send_internal(r, rc);
        goto out;
    }
    if (tags.n > 0) {
        snprintf(num, sizeof num, "%zu", tags.n);
        hdr(r, "x-amz-tagging-count", num);
    }
    int status = ranged > 0 ? 206 : 200;
    if (r->head)
        sim_http_resp_set(&r->x->resp, status, meta.ctype, "", 0);
    else
        sim_http_resp_set(&r->x->resp, status, meta.ctype, (const char *)data + off, n);
out:
    s3__tagset_release(&tags);
    free(data);
    s3__meta_release(&meta);
    sim_reply_release(&rep);
}

static void serve_object_delete(s3_req *r)
{
    sim_reply rep;
    sim_reply_init(&rep);
    int rc = s3__object_delete(r->svc, r->bucket, r->key, r->key_len, &rep);
    if (!send_if_failed(r, rc, &rep))
        send_empty(r, 204);
    sim_reply_release(&rep);
}

/* ---- CopyObject (PUT with x-amz-copy-source) ---- */

/* Percent-decodes s into a new buffer (caller frees; *out_len bytes, NUL-terminated).
 * NULL on ENOMEM. A '%' not followed by two hex digits is kept as is. */
static char *pct_decode(const char *s, size_t len, size_t *out_len)
{
    char *o = malloc(len + 1);
    size_t n = 0;
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexdig((unsigned char)s[i + 1]) >= 0 && hexdig((unsigned char)s[i + 2]) >= 0) {
            o[n++] = (char)(hexdig((unsigned char)s[i + 1]) * 16 + hexdig((unsigned char)s[i + 2]));
            i += 2;
        } else {
            o[n++] = s[i];
        }
    }
    o[n] = '\0';
    *out_len = n;
    return o;
}

/* The object named by x-amz-copy-source ("[/]bucket/key[?versionId=..]", percent-encoded). */
typedef struct copy_src {
    char *bucket; /* owned */
    char *key;    /* owned, key_len bytes */
    size_t key_len;
} copy_src;

/* Parses the copy source; 1 on success, 0 after sending InvalidArgument or an error. */
static int copy_src_parse(s3_req *r, const char *h, copy_src *out)
{
    size_t n = strlen(h), dlen = 0;
    const char *qm = strchr(h, '?');
    if (qm != NULL)
        n = (size_t)(qm - h); /* ?versionId=: there is one version of everything */
    char *d = pct_decode(h, n, &dlen);
    if (d == NULL) {
        send_internal(r, -SIM_ENOMEM);
        return 0;
    }
    const char *p = d[0] == '/' ? d + 1 : d;
    const char *slash = strchr(p, '/');
    if (slash == NULL || slash == p || slash[1] == '\0') {
        free(d);
        send_invalid_argument(r, "Invalid copy source object key", "x-amz-copy-source", h);
        return 0;
    }
    out->bucket = strndup(p, (size_t)(slash - p));
    out->key_len = dlen - (size_t)(slash + 1 - d);
    out->key = malloc(out->key_len + 1);
    if (out->bucket == NULL || out->key == NULL) {
        free(d);
        free(out->bucket);
        free(out->key);
        memset(out, 0, sizeof *out);
        send_internal(r, -SIM_ENOMEM);
        return 0;
    }
    memcpy(out->key, slash + 1, out->key_len);
    out->key[out->key_len] = '\0';
    free(d);
    return 1;
}

static void copy_src_release(copy_src *c)
{
    free(c->bucket);
    free(c->key);
    memset(c, 0, sizeof *c);
}

/*
 * Reads the copy source object, honouring x-amz-copy-source-if-match/-if-none-match.
 * Returns 1 with *out_meta and *out_data (caller releases and frees), or 0 after sending
 * the error: NoSuchBucket/NoSuchKey (of the source), PreconditionFailed (412).
 */
static int copy_src_fetch(s3_req *r, const copy_src *c, s3__meta *out_meta, void **out_data)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    s3__meta meta = { 0 };
    void *data = NULL;
    int ok = 0;
    int rc = s3__object_fetch(r->svc, c->bucket, c->key, c->key_len, &rep, &meta, &data);
    if (rc != 0) {
        send_internal(r, rc);
        goto out;
    }
    if (sim_reply_failed(&rep)) {
        sbuf extra = { 0 };
        if (strcmp(rep.code, "NoSuchBucket") == 0)
            sb_elem(&extra, "BucketName", c->bucket, 0);
        else
            sb_elem(&extra, "Key", c->key, 0);
        send_error(r, rep.status, rep.code, rep.message, extra.oom ? "" : extra.p);
        free(extra.p);
        goto out;
    }
    const char *im = sim_http_req_header(q, "x-amz-copy-source-if-match");
    const char *inm = sim_http_req_header(q, "x-amz-copy-source-if-none-match");
    if ((im != NULL && !etag_matches(im, meta.etag)) ||
        (inm != NULL && etag_matches(inm, meta.etag))) {
        send_error(r, 412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold",
                   im != NULL && !etag_matches(im, meta.etag)
                       ? "<Condition>x-amz-copy-source-If-Match</Condition>"
                       : "<Condition>x-amz-copy-source-If-None-Match</Condition>");
        goto out;
    }
    *out_meta = meta;
    *out_data = data;
    memset(&meta, 0, sizeof meta);
    data = NULL;
    ok = 1;
out:
    free(data);
    s3__meta_release(&meta);
    sim_reply_release(&rep);
    return ok;
}

/* <Tag xmlns><ETag>..</ETag><LastModified>..</LastModified></Tag>, the copy results. */
static void send_copy_result(s3_req *r, const char *tag, const char *etag,
                             sim_time_us modified_epoch_us)
{
    sbuf b = { 0 };
    char date[96];
    fmt_iso8601(modified_epoch_us, date);
    sb_printf(&b, S3_XML_DECL "<%s xmlns=\"" S3_XMLNS "\">", tag);
    sb_elem(&b, "ETag", etag, 0);
    sb_elem(&b, "LastModified", date, 0);
    sb_printf(&b, "</%s>", tag);
    send_xml(r, 200, &b);
    free(b.p);
}

/* CopyObject: the source's bytes under the destination key; Content-Type copied, or with
 * x-amz-metadata-directive: REPLACE taken from the request. Source: S3 API Reference,
 * CopyObject. */
static void serve_object_copy(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    copy_src c = { 0 };
    s3__meta meta = { 0 };
    void *data = NULL;
    char etag[S3__ETAG_BYTES];
    s3__tagset tags = { 0 };
    const char *directive = sim_http_req_header(q, "x-amz-metadata-directive");
    const char *tdirective = sim_http_req_header(q, "x-amz-tagging-directive");
    int replace = 0, treplace = 0;
    if (directive != NULL) {
        if (strcmp(directive, "REPLACE") == 0) {
            replace = 1;
        } else if (strcmp(directive, "COPY") != 0) {
            send_invalid_argument(r, "Unknown metadata directive.", "x-amz-metadata-directive",
                                  directive);
            goto out;
        }
    }
    /* x-amz-tagging-directive: COPY (the default) keeps the source's tags, REPLACE takes
     * x-amz-tagging's (none when absent). The message for another value is by analogy
     * with the metadata directive's (not confirmed against S3). */
    if (tdirective != NULL) {
        if (strcmp(tdirective, "REPLACE") == 0) {
            treplace = 1;
        } else if (strcmp(tdirective, "COPY") != 0) {
            send_invalid_argument(r, "Unknown tagging directive.", "x-amz-tagging-directive",
                                  tdirective);
            goto out;
        }
    }
    if (treplace && !tagging_header(r, &tags))
        goto out;
    if (!copy_src_parse(r, sim_http_req_header(q, "x-amz-copy-source"), &c))
        goto out;
    if (!replace && strcmp(c.bucket, r->bucket) == 0 && c.key_len == r->key_len &&
        memcmp(c.key, r->key, c.key_len) == 0) {
        send_error(r, 400, "InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to "
                   "itself without changing the object's metadata, storage class, website "
                   "redirect location or encryption attributes.",
                   "");
        goto out;
    }
    if (!copy_src_fetch(r, &c, &meta, &data))
        goto out;
    const char *ctype = replace ? sim_http_req_header(q, "Content-Type") : meta.ctype;
    int rc = 0;
    if (!treplace && (rc = s3__tags_load(r->svc, c.bucket, c.key, c.key_len, &tags)) != 0) {
        send_internal(r, rc);
        goto out;
    }
    rc = s3__object_put(r->svc, r->bucket, r->key, r->key_len, data, meta.size_bytes, ctype,
                        etag, &rep);
    if (send_if_failed(r, rc, &rep))
        goto out;
    if (tags.n > 0 && (rc = s3__tags_store(r->svc, r->bucket, r->key, r->key_len, &tags)) != 0) {
        send_internal(r, rc);
        goto out;
    }
    send_copy_result(r, "CopyObjectResult", etag, s3__now_epoch_us(r->svc));
out:
    s3__tagset_release(&tags);
    free(data);
    s3__meta_release(&meta);
    copy_src_release(&c);
    sim_reply_release(&rep);
}

/* ---- multipart uploads ---- */

/* The initiator and owner of every upload (one account). */
static void sb_initiator_owner(sbuf *b)
{
    sb_str(b, "<Initiator>");
    sb_elem(b, "ID", owner_id, 0);
    sb_elem(b, "DisplayName", owner_name, 0);
    sb_str(b, "</Initiator><Owner>");
    sb_elem(b, "ID", owner_id, 0);
    sb_elem(b, "DisplayName", owner_name, 0);
    sb_str(b, "</Owner>");
}

/* CreateMultipartUpload (POST /bucket/key?uploads). Source: S3 API Reference. */
static void serve_upload_create(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    sbuf b = { 0 };
    s3__tagset tags = { 0 };
    char id[S3__UPLOAD_ID_BYTES];
    if (!tagging_header(r, &tags))
        goto out;
    int rc = s3__upload_create(r->svc, r->bucket, r->key, r->key_len,
                               sim_http_req_header(q, "Content-Type"), id, &rep);
    if (send_if_failed(r, rc, &rep))
        goto out;
    /* The object made by CompleteMultipartUpload gets these tags. */
    if ((rc = s3__upload_tags_store(r->svc, id, &tags)) != 0) {
        send_internal(r, rc);
        goto out;
    }
    const char *algo = sim_http_req_header(q, "x-amz-checksum-algorithm");
    if (algo != NULL)
        hdr(r, "x-amz-checksum-algorithm", algo);
    sb_str(&b, S3_XML_DECL "<InitiateMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
    sb_elem(&b, "Bucket", r->bucket, 0);
    sb_elem(&b, "Key", r->key, 0);
    sb_elem(&b, "UploadId", id, 0);
    sb_str(&b, "</InitiateMultipartUploadResult>");
    send_xml(r, 200, &b);
out:
    s3__tagset_release(&tags);
    free(b.p);
    sim_reply_release(&rep);
}

/* Parses partNumber: 1 with *out in 1..10000, or 0 after sending InvalidArgument. */
static int part_number_arg(s3_req *r, int *out)
{
    const char *s = sim_http_req_query(&r->x->req, "partNumber");
    long v = 0;
    int ok = s != NULL && s[0] != '\0';
    for (const char *p = s; ok && *p; p++) {
        if (*p < '0' || *p > '9' || v > S3__PART_NUMBER_MAX)
            ok = 0;
        else
            v = v * 10 + (*p - '0');
    }
    if (!ok || v < 1 || v > S3__PART_NUMBER_MAX) {
        send_invalid_argument(r, "Part number must be an integer between 1 and 10000, inclusive",
                              "partNumber", s);
        return 0;
    }
    *out = (int)v;
    return 1;
}

/* Parses "bytes=first-last" (both required, first <= last < size): 1, or 0 when invalid. */
static int copy_range_parse(const char *h, size_t size, size_t *first, size_t *last)
{
    unsigned long long a = 0, b = 0;
    const char *p = h;
    int has_a = 0, has_b = 0;
    if (strncmp(p, "bytes=", 6) != 0)
        return 0;
    for (p += 6; *p >= '0' && *p <= '9'; p++, has_a = 1) {
        if (a > (1ULL << 60))
            return 0;
        a = a * 10 + (unsigned long long)(*p - '0');
    }
    if (*p++ != '-')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++, has_b = 1) {
        if (b > (1ULL << 60))
            return 0;
        b = b * 10 + (unsigned long long)(*p - '0');
    }
    if (*p != '\0' || !has_a || !has_b || b < a || b >= size)
        return 0;
    *first = (size_t)a;
    *last = (size_t)b;
    return 1;
}

/* UploadPartCopy (UploadPart with x-amz-copy-source, optionally x-amz-copy-source-range).
 * Source: S3 API Reference, UploadPartCopy. */
static void serve_part_copy(s3_req *r, const char *upload_id, int part_number)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    copy_src c = { 0 };
    s3__meta meta = { 0 };
    void *data = NULL;
    char etag[S3__ETAG_BYTES];
    if (!copy_src_parse(r, sim_http_req_header(q, "x-amz-copy-source"), &c))
        goto out;
    if (!copy_src_fetch(r, &c, &meta, &data))
        goto out;
    size_t first = 0, last = meta.size_bytes, n = meta.size_bytes;
    const char *range = sim_http_req_header(q, "x-amz-copy-source-range");
    if (range != NULL) {
        if (!copy_range_parse(range, meta.size_bytes, &first, &last)) {
            char msg[96];
            snprintf(msg, sizeof msg, "Range specified is not valid for source object of size: %zu",
                     meta.size_bytes);
            send_invalid_argument(r, msg, "x-amz-copy-source-range", range);
            goto out;
        }
        n = last - first + 1;
    }
    int rc = s3__part_put(r->svc, r->bucket, r->key, r->key_len, upload_id, part_number,
                          (const char *)data + first, n, etag, &rep);
    if (send_if_failed(r, rc, &rep))
        goto out;
    send_copy_result(r, "CopyPartResult", etag, s3__now_epoch_us(r->svc));
out:
    free(data);
    s3__meta_release(&meta);
    copy_src_release(&c);
    sim_reply_release(&rep);
}

/* UploadPart (PUT /bucket/key?partNumber=N&uploadId=X): ETag header = quoted MD5. */
static void serve_part_put(s3_req *r, const char *upload_id)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    unsigned char *decoded = NULL;
    const unsigned char *data = NULL;
    size_t len = 0;
    char etag[S3__ETAG_BYTES];
    int part_number;
    if (!part_number_arg(r, &part_number))
        goto out;
    if (sim_http_req_header(q, "x-amz-copy-source") != NULL) {
        serve_part_copy(r, upload_id, part_number);
        goto out;
    }
    if (!request_payload(r, &data, &len, &decoded))
        goto out;
    int rc = s3__part_put(r->svc, r->bucket, r->key, r->key_len, upload_id, part_number, data,
                          len, etag, &rep);
    if (send_if_failed(r, rc, &rep))
        goto out;
    hdr(r, "ETag", etag);
    send_empty(r, 200);
out:
    free(decoded);
    sim_reply_release(&rep);
}

/* The text of the first <tag>..</tag> inside [a, z): *out_v and *out_len, or 0 when absent. */
static int xml_child(const char *a, const char *z, const char *tag, const char **out_v,
                     size_t *out_len)
{
    char open[32], close[32];
    size_t ol = (size_t)snprintf(open, sizeof open, "<%s>", tag);
    size_t cl = (size_t)snprintf(close, sizeof close, "</%s>", tag);
    for (const char *p = a; p + ol <= z; p++) {
        if (memcmp(p, open, ol) != 0)
            continue;
        const char *v = p + ol;
        for (const char *e = v; e + cl <= z; e++) {
            if (memcmp(e, close, cl) == 0) {
                *out_v = v;
                *out_len = (size_t)(e - v);
                return 1;
            }
        }
        return 0;
    }
    return 0;
}

/* Releases n parsed parts and the array. */
static void part_refs_free(s3__part_ref *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(parts[i].etag);
    free(parts);
}

/*
 * Parses a <CompleteMultipartUpload> body into *out_parts (caller frees with part_refs_free)
 * and *out_n. Returns 0, -SIM_EINVAL when it is not such a document (a <Part> without a
 * numeric <PartNumber>), or -SIM_ENOMEM.
 */
static int complete_body_parse(const char *body, size_t len, s3__part_ref **out_parts,
                               size_t *out_n)
{
    s3__part_ref *parts = NULL;
    size_t n = 0, cap = 0;
    const char *end = body + len;
    int rc = -SIM_EINVAL;
    if (strstr(body, "<CompleteMultipartUpload") == NULL)
        goto out;
    for (const char *p = strstr(body, "<Part>"); p != NULL; p = strstr(p, "<Part>")) {
        p += 6;
        const char *z = strstr(p, "</Part>");
        if (z == NULL)
            goto out;
        const char *v;
        size_t vlen;
        if (!xml_child(p, z, "PartNumber", &v, &vlen))
            goto out;
        while (vlen > 0 && (*v == ' ' || *v == '\n' || *v == '\r' || *v == '\t')) {
            v++;
            vlen--;
        }
        while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\n' || v[vlen - 1] == '\r' ||
                            v[vlen - 1] == '\t'))
            vlen--;
        long num = 0;
        if (vlen == 0 || vlen > 9)
            goto out;
        for (size_t i = 0; i < vlen; i++) {
            if (v[i] < '0' || v[i] > '9')
                goto out;
            num = num * 10 + (v[i] - '0');
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            s3__part_ref *np = realloc(parts, ncap * sizeof *np);
            if (np == NULL) {
                rc = -SIM_ENOMEM;
                goto out;
            }
            parts = np;
            cap = ncap;
        }
        parts[n].part_number = (int)num;
        parts[n].etag = NULL;
        n++;
        if (xml_child(p, z, "ETag", &v, &vlen)) {
            size_t elen;
            if ((parts[n - 1].etag = xml_unescape(v, vlen, &elen)) == NULL) {
                rc = -SIM_ENOMEM;
                goto out;
            }
        }
        p = z;
        if (p >= end)
            break;
    }
    *out_parts = parts;
    *out_n = n;
    parts = NULL;
    n = 0;
    rc = 0;
out:
    part_refs_free(parts, n);
    return rc;
}

static const char malformed_xml_msg[] = "The XML you provided was not well-formed or did not "
                                        "validate against our published schema";

/* CompleteMultipartUpload (POST /bucket/key?uploadId=X). Source: S3 API Reference. */
static void serve_upload_complete(s3_req *r, const char *upload_id)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    sbuf b = { 0 }, loc = { 0 };
    s3__part_ref *parts = NULL;
    size_t n = 0;
    char etag[S3__ETAG_BYTES];
    int prc = complete_body_parse(q->body != NULL ? (const char *)q->body : "", q->body_len,
                                  &parts, &n);
    if (prc == -SIM_ENOMEM) {
        send_internal(r, prc);
        goto out;
    }
    if (prc != 0) {
        /* The upload is checked first, as S3 does for an unknown upload ID. */
        s3__part_list_res none = { 0 };
        int rc = s3__part_list(r->svc, r->bucket, r->key, r->key_len, upload_id, 0, 0, &rep,
                               &none);
        s3__part_list_res_release(&none);
        if (send_if_failed(r, rc, &rep))
            goto out;
        send_error(r, 400, "MalformedXML", malformed_xml_msg, "");
        goto out;
    }
    int rc = s3__upload_complete(r->svc, r->bucket, r->key, r->key_len, upload_id, parts, n, etag,
                                 &rep);
    if (send_if_failed(r, rc, &rep))
        goto out;
    const char *host = sim_http_req_header(q, "Host");
    if (host != NULL && host[0] != '\0')
        sb_printf(&loc, "http://%.200s", host);
    sb_str(&loc, "/");
    sb_url(&loc, r->bucket);
    sb_str(&loc, "/");
    sb_url(&loc, r->key);
    sb_str(&b, S3_XML_DECL "<CompleteMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
    sb_elem(&b, "Location", loc.oom ? "" : loc.p, 0);
    sb_elem(&b, "Bucket", r->bucket, 0);
    sb_elem(&b, "Key", r->key, 0);
    sb_elem(&b, "ETag", etag, 0);
    sb_str(&b, "</CompleteMultipartUploadResult>");
    send_xml(r, 200, &b);
out:
    part_refs_free(parts, n);
    free(b.p);
    free(loc.p);
    sim_reply_release(&rep);
}

/* AbortMultipartUpload (DELETE /bucket/key?uploadId=X): 204. */
static void serve_upload_abort(s3_req *r, const char *upload_id)
{
    sim_reply rep;
    sim_reply_init(&rep);
    int rc = s3__upload_abort(r->svc, r->bucket, r->key, r->key_len, upload_id, &rep);
    if (!send_if_failed(r, rc, &rep))
        send_empty(r, 204);
    sim_reply_release(&rep);
}

/* Parses a non-negative integer query argument: 0 with *out (def when absent; capped at
 * cap), or -SIM_EINVAL. */
static int int_arg(const char *s, int def, int cap, int *out)
{
    if (s == NULL) {
        *out = def;
        return 0;
    }
    long v = 0;
    if (*s == '\0')
        return -SIM_EINVAL;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -SIM_EINVAL;
        v = v * 10 + (*p - '0');
        if (v > 2147483647L)
            return -SIM_EINVAL;
    }
    *out = v > cap ? cap : (int)v;
    return 0;
}

/* ListParts (GET /bucket/key?uploadId=X). Source: S3 API Reference, ListParts. */
static void serve_part_list(s3_req *r, const char *upload_id)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    s3__part_list_res res = { 0 };
    sbuf b = { 0 };
    const char *mp = sim_http_req_query(q, "max-parts");
    const char *pm = sim_http_req_query(q, "part-number-marker");
    int max_parts, marker;
    if (int_arg(mp, S3__MAX_PARTS, S3__MAX_PARTS, &max_parts) != 0) {
        send_invalid_argument(r, "Provided max-parts not an integer or within integer range",
                              "max-parts", mp);
        goto out;
    }
    if (int_arg(pm, 0, 2147483647, &marker) != 0) {
        send_invalid_argument(r,
                              "Provided part-number-marker not an integer or within integer range",
                              "part-number-marker", pm);
        goto out;
    }
    int rc = s3__part_list(r->svc, r->bucket, r->key, r->key_len, upload_id, marker, max_parts,
                           &rep, &res);
    if (send_if_failed(r, rc, &rep))
        goto out;
    sb_str(&b, S3_XML_DECL "<ListPartsResult xmlns=\"" S3_XMLNS "\">");
    sb_elem(&b, "Bucket", r->bucket, 0);
    sb_elem(&b, "Key", r->key, 0);
    sb_elem(&b, "UploadId", upload_id, 0);
    sb_initiator_owner(&b);
    sb_str(&b, "<StorageClass>STANDARD</StorageClass>");
    sb_printf(&b, "<PartNumberMarker>%d</PartNumberMarker>", marker);
    sb_printf(&b, "<NextPartNumberMarker>%d</NextPartNumberMarker>",
              res.nparts > 0 ? res.parts[res.nparts - 1].part_number : 0);
    sb_printf(&b, "<MaxParts>%d</MaxParts>", max_parts);
    sb_printf(&b, "<IsTruncated>%s</IsTruncated>", res.truncated ? "true" : "false");
    for (size_t i = 0; i < res.nparts; i++) {
        char date[96];
        fmt_iso8601(res.parts[i].modified_epoch_us, date);
        sb_printf(&b, "<Part><PartNumber>%d</PartNumber>", res.parts[i].part_number);
        sb_elem(&b, "LastModified", date, 0);
        sb_elem(&b, "ETag", res.parts[i].etag, 0);
        sb_printf(&b, "<Size>%zu</Size></Part>", res.parts[i].size_bytes);
    }
    sb_str(&b, "</ListPartsResult>");
    send_xml(r, 200, &b);
out:
    free(b.p);
    s3__part_list_res_release(&res);
    sim_reply_release(&rep);
}

/* ListMultipartUploads (GET /bucket?uploads). Source: S3 API Reference. */
static void serve_upload_list(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    s3__upload_list_res res = { 0 };
    sbuf b = { 0 };
    const char *prefix = sim_http_req_query(q, "prefix");
    const char *delim = sim_http_req_query(q, "delimiter");
    const char *km = sim_http_req_query(q, "key-marker");
    const char *uim = sim_http_req_query(q, "upload-id-marker");
    const char *mu = sim_http_req_query(q, "max-uploads");
    const char *enc = sim_http_req_query(q, "encoding-type");
    int url = 0, max_uploads;
    if (enc != NULL && enc[0] != '\0') {
        if (strcmp(enc, "url") != 0) {
            send_invalid_argument(r, "Invalid Encoding Method specified in Request",
                                  "encoding-type", enc);
            goto out;
        }
        url = 1;
    }
    if (int_arg(mu, S3__MAX_UPLOADS, S3__MAX_UPLOADS, &max_uploads) != 0) {
        send_invalid_argument(r, "Provided max-uploads not an integer or within integer range",
                              "max-uploads", mu);
        goto out;
    }
    s3__upload_list_req lr = { .prefix = prefix,
                               .delimiter = delim,
                               .key_marker = km,
                               .upload_id_marker = uim,
                               .max_uploads = max_uploads };
    int rc = s3__upload_list(r->svc, r->bucket, &lr, &rep, &res);
    if (send_if_failed(r, rc, &rep))
        goto out;
    sb_str(&b, S3_XML_DECL "<ListMultipartUploadsResult xmlns=\"" S3_XMLNS "\">");
    sb_elem(&b, "Bucket", r->bucket, 0);
    sb_elem(&b, "KeyMarker", km != NULL ? km : "", url);
    sb_elem(&b, "UploadIdMarker", km != NULL && km[0] && uim != NULL ? uim : "", 0);
    if (res.truncated) {
        sb_elem(&b, "NextKeyMarker", res.next_key_marker != NULL ? res.next_key_marker : "", url);
        sb_elem(&b, "NextUploadIdMarker", res.next_upload_id_marker, 0);
    }
    if (prefix != NULL && prefix[0] != '\0')
        sb_elem(&b, "Prefix", prefix, url);
    if (delim != NULL && delim[0] != '\0')
        sb_elem(&b, "Delimiter", delim, url);
    sb_printf(&b, "<MaxUploads>%d</MaxUploads>", max_uploads);
    sb_printf(&b, "<IsTruncated>%s</IsTruncated>", res.truncated ? "true" : "false");
    if (url)
        sb_str(&b, "<EncodingType>url</EncodingType>");
    for (size_t i = 0; i < res.nuploads; i++) {
        char date[96];
        fmt_iso8601(res.uploads[i].initiated_epoch_us, date);
        sb_str(&b, "<Upload>");
        sb_elem(&b, "Key", res.uploads[i].key, url);
        sb_elem(&b, "UploadId", res.uploads[i].upload_id, 0);
        sb_initiator_owner(&b);
        sb_str(&b, "<StorageClass>STANDARD</StorageClass>");
        sb_elem(&b, "Initiated", date, 0);
        sb_str(&b, "</Upload>");
    }
    for (size_t i = 0; i < res.nprefixes; i++) {
        sb_str(&b, "<CommonPrefixes>");
        sb_elem(&b, "Prefix", res.prefixes[i], url);
        sb_str(&b, "</CommonPrefixes>");
    }
    sb_str(&b, "</ListMultipartUploadsResult>");
    send_xml(r, 200, &b);
out:
    free(b.p);
    s3__upload_list_res_release(&res);
    sim_reply_release(&rep);
}

/* ---- object tagging ---- */

/*
 * Parses a PutObjectTagging body, <Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>
 * ...</TagSet></Tagging> (a namespace on Tagging allowed; an empty TagSet, written
 * <TagSet/> or <TagSet></TagSet>, is none), into *out. Every Tag needs a Key and a Value.
 * Returns 0, -SIM_EINVAL (MalformedXML) or -SIM_ENOMEM. Source: S3 API Reference,
 * PutObjectTagging (request syntax).
 */
static int tagging_body_parse(const char *body, size_t len, s3__tagset *out)
{
    const char *end = body + len;
    const char *v;
    size_t vlen;
    s3__tagset t = { 0 };
    int rc = -SIM_EINVAL;
    const char *root = strstr(body, "<Tagging");
    if (root == NULL || (root[8] != '>' && root[8] != ' ') || strstr(root, "</Tagging>") == NULL)
        goto out;
    if (strstr(root, "<TagSet/>") != NULL) {
        rc = 0;
        goto done;
    }
    if (!xml_child(root, end, "TagSet", &v, &vlen))
        goto out;
    const char *set_end = v + vlen;
    for (const char *p = v; p < set_end;) {
        while (p < set_end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        if (p == set_end)
            break;
        if ((size_t)(set_end - p) < 5 || memcmp(p, "<Tag>", 5) != 0)
            goto out;
        size_t zoff = s3__find_bytes(p, (size_t)(set_end - p), "</Tag>", 6);
        if (zoff == SIZE_MAX)
            goto out;
        const char *z = p + zoff;
        const char *k, *val;
        size_t klen, val_len;
        if (!xml_child(p, z, "Key", &k, &klen) || !xml_child(p, z, "Value", &val, &val_len))
            goto out;
        size_t kn, vn;
        char *ku = xml_unescape(k, klen, &kn);
        char *vu = xml_unescape(val, val_len, &vn);
        int arc = ku != NULL && vu != NULL ? s3__tagset_add(&t, ku, kn, vu, vn) : -SIM_ENOMEM;
        free(ku);
        free(vu);
        if (arc != 0) {
            rc = arc;
            goto out;
        }
        p = z + 6;
    }
    rc = 0;
done:
    *out = t;
    memset(&t, 0, sizeof t);
out:
    s3__tagset_release(&t);
    return rc;
}

/* GetObjectTagging: the object's TagSet, in tag key order (S3 documents no order; a stable
 * one). Errors as for HeadObject. Source: S3 API Reference, GetObjectTagging. */
static void serve_object_tagging_get(s3_req *r)
{
    sim_reply rep;
    sim_reply_init(&rep);
    s3__tagset tags = { 0 };
    sbuf b = { 0 };
    int rc = s3__object_tags_get(r->svc, r->bucket, r->key, r->key_len, &rep, &tags);
    if (send_if_failed(r, rc, &rep))
        goto out;
    sb_str(&b, S3_XML_DECL "<Tagging xmlns=\"" S3_XMLNS "\"><TagSet>");
    for (size_t i = 0; i < tags.n; i++) {
        sb_str(&b, "<Tag>");
        sb_elem(&b, "Key", tags.tags[i].key, 0);
        sb_elem(&b, "Value", tags.tags[i].value, 0);
        sb_str(&b, "</Tag>");
    }
    sb_str(&b, "</TagSet></Tagging>");
    send_xml(r, 200, &b);
out:
    free(b.p);
    s3__tagset_release(&tags);
    sim_reply_release(&rep);
}

/* PutObjectTagging (PUT /bucket/key?tagging): replaces the object's tag set; 200 with no
 * body. The body is checked (MalformedXML, then the tag rules) before the object is looked
 * up. Source: S3 API Reference, PutObjectTagging. */
static void serve_object_tagging_put(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    sim_reply rep;
    sim_reply_init(&rep);
    s3__tagset tags = { 0 };
    int rc = tagging_body_parse(q->body != NULL ? (const char *)q->body : "", q->body_len,
                                &tags);
    if (rc == -SIM_EINVAL) {
        send_error(r, 400, "MalformedXML", malformed_xml_msg, "");
        goto out;
    }
    if (rc != 0) {
        send_internal(r, rc);
        goto out;
    }
    if (s3__tagset_check(&tags, &rep) != 0) {
        send_reply_error(r, &rep);
        goto out;
    }
    rc = s3__object_tags_put(r->svc, r->bucket, r->key, r->key_len, &tags, &rep);
    if (!send_if_failed(r, rc, &rep))
        send_empty(r, 200);
out:
    s3__tagset_release(&tags);
    sim_reply_release(&rep);
}

/* DeleteObjectTagging (DELETE /bucket/key?tagging): removes every tag; 204. Errors as for
 * HeadObject. Source: S3 API Reference, DeleteObjectTagging. */
static void serve_object_tagging_delete(s3_req *r)
{
    sim_reply rep;
    sim_reply_init(&rep);
    int rc = s3__object_tags_put(r->svc, r->bucket, r->key, r->key_len, NULL, &rep);
    if (!send_if_failed(r, rc, &rep))
        send_empty(r, 204);
    sim_reply_release(&rep);
}

/* ---- routing ---- */

/* The first unsupported sub-resource in the query, or NULL. */
static const char *unsupported_subresource(const sim_http_req *q)
{
    for (size_t i = 0; i < sizeof unsupported_subresources / sizeof *unsupported_subresources; i++)
        if (sim_http_req_has_query(q, unsupported_subresources[i]))
            return unsupported_subresources[i];
    return NULL;
}

static void route(s3_req *r)
{
    const sim_http_req *q = &r->x->req;
    const char *m = r->method;
    if (r->bucket[0] == '\0') {
        if (strcmp(m, "GET") == 0)
            serve_list_buckets(r);
        else
            send_method_not_allowed(r, "SERVICE");
        return;
    }
    /* Object tagging; bucket tagging (?tagging without a key) stays NotImplemented. */
    if (r->key_len > 0 && sim_http_req_has_query(q, "tagging") &&
        !sim_http_req_has_query(q, "uploadId")) {
        if (strcmp(m, "GET") == 0)
            serve_object_tagging_get(r);
        else if (strcmp(m, "PUT") == 0)
            serve_object_tagging_put(r);
        else if (strcmp(m, "DELETE") == 0)
            serve_object_tagging_delete(r);
        else
            send_method_not_allowed(r, "OBJECT");
        return;
    }
    const char *sub = unsupported_subresource(q);
    if (sub != NULL) {
        send_not_implemented(r, sub);
        return;
    }
    if (r->key_len == 0) {
        if (strcmp(m, "PUT") == 0) {
            serve_bucket_create(r);
        } else if (strcmp(m, "GET") == 0 && sim_http_req_has_query(q, "uploads")) {
            serve_upload_list(r);
        } else if (strcmp(m, "GET") == 0) {
            if (sim_http_req_has_query(q, "location"))
                serve_bucket_location(r);
            else
                serve_list_objects(r, sim_http_req_has_query(q, "list-type") &&
                                          strcmp(sim_http_req_query(q, "list-type"), "2") == 0);
        } else if (strcmp(m, "HEAD") == 0) {
            serve_bucket_head(r);
        } else if (strcmp(m, "DELETE") == 0) {
            serve_bucket_delete(r);
        } else if (strcmp(m, "POST") == 0 && sim_http_req_has_query(q, "delete")) {
            serve_delete_objects(r);
        } else {
            send_method_not_allowed(r, "BUCKET");
        }
        return;
    }
    const char *upload_id = sim_http_req_query(q, "uploadId");
    if (upload_id != NULL) {
        if (strcmp(m, "PUT") == 0)
            serve_part_put(r, upload_id);
        else if (strcmp(m, "POST") == 0)
            serve_upload_complete(r, upload_id);
        else if (strcmp(m, "GET") == 0)
            serve_part_list(r, upload_id);
        else if (strcmp(m, "DELETE") == 0)
            serve_upload_abort(r, upload_id);
        else
            send_method_not_allowed(r, "OBJECT");
        return;
    }
    if (sim_http_req_has_query(q, "uploads")) {
        if (strcmp(m, "POST") == 0)
            serve_upload_create(r);
        else
            send_method_not_allowed(r, "OBJECT");
        return;
    }
    if (sim_http_req_has_query(q, "partNumber")) {
        send_not_implemented(r, "partNumber"); /* GetObject of one part */
        return;
    }
    if (strcmp(m, "PUT") == 0)
        serve_object_put(r);
    else if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        serve_object_get(r);
    else if (strcmp(m, "DELETE") == 0)
        serve_object_delete(r);
    else
        send_method_not_allowed(r, "OBJECT");
}

void s3_http_serve(s3_service *svc, sim_http_exchange *x)
{
    s3_req r = { .svc = svc, .x = x, .key = "" };
    const char *path = x->req.path != NULL ? x->req.path : "/";
    r.method = x->req.method != NULL ? x->req.method : "GET";
    r.head = strcmp(r.method, "HEAD") == 0;
    snprintf(r.request_id, sizeof r.request_id, "%016" PRIX64, ++svc->next_request_id);
    sim_http_resp_header(&x->resp, "x-amz-request-id", r.request_id);
    while (*path == '/')
        path++;
    const char *slash = strchr(path, '/');
    size_t blen = slash != NULL ? (size_t)(slash - path) : strlen(path);
    if ((r.bucket = strndup(path, blen)) == NULL) {
        x->resp.status = 500;
        goto done;
    }
    if (slash != NULL) {
        r.key = slash + 1;
        r.key_len = strlen(r.key);
    }
    route(&r);
done:
    if (x->resp.status == 0)
        x->resp.status = 500;
    free(r.bucket);
    x->complete(x);
}
