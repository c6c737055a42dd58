/* ddb_http.c - the JSON 1.0 wire protocol of the table service: X-Amz-Target
 * "DynamoDB_20120810.<Op>", a JSON body in, a JSON body out with x-amzn-RequestId and
 * x-amz-crc32 (CRC-32 of the body), errors as {"__type": "<namespace>#<Code>", "message"}.
 * No authentication is checked. Source: DynamoDB developer guide, "Low-level API"
 * (Programming.LowLevelAPI) and "Error handling"; error shapes as dynalite's index.js. */
#include "storage/ddb_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/sim_err.h"

#define DDB_CTYPE         "application/x-amz-json-1.0"
#define DDB_TARGET_PREFIX "DynamoDB_20120810."

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib's crc32. */
static const uint32_t crc_table[256] = {
    0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu, 0xe963a535u,
    0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u, 0x09b64c2bu, 0x7eb17cbdu,
    0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u, 0xf3b97148u, 0x84be41deu, 0x1adad47du,
    0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u, 0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu,
    0x14015c4fu, 0x63066cd9u, 0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u,
    0xa2677172u, 0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
    0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u, 0x26d930acu,
    0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u, 0xcfba9599u, 0xb8bda50fu,
    0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u, 0x2f6f7c87u, 0x58684c11u, 0xc1611dabu,
    0xb6662d3du, 0x76dc4190u, 0x01db7106u, 0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu,
    0x9fbfe4a5u, 0xe8b8d433u, 0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu,
    0x086d3d2du, 0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
    0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u, 0x8bbeb8eau,
    0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u, 0x4db26158u, 0x3ab551ceu,
    0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u, 0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au,
    0x346ed9fcu, 0xad678846u, 0xda60b8d0u, 0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u,
    0x5005713cu, 0x270241aau, 0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u,
    0xce61e49fu, 0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
    0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au, 0xead54739u,
    0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u, 0x0d6d6a3eu, 0x7a6a5aa8u,
    0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u, 0xf00f9344u, 0x8708a3d2u, 0x1e01f268u,
    0x6906c2feu, 0xf762575du, 0x806567cbu, 0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u,
    0x10da7a5au, 0x67dd4accu, 0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u,
    0xa1d1937eu, 0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
    0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u, 0x316e8eefu,
    0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u, 0xcc0c7795u, 0xbb0b4703u,
    0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u, 0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u,
    0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du, 0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au,
    0x9c0906a9u, 0xeb0e363fu, 0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu,
    0x0cb61b38u, 0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
    0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u, 0x88085ae6u,
    0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u, 0x616bffd3u, 0x166ccf45u,
    0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u, 0xa7672661u, 0xd06016f7u, 0x4969474du,
    0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu, 0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u,
    0x47b2cf7fu, 0x30b5ffe9u, 0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u,
    0xcdd70693u, 0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
    0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

/* Slicing-by-8: crc_slice[k][b] is the CRC state after byte b followed by k zero bytes, so
 * eight bytes cost eight lookups; derived from crc_table on first use. */
static uint32_t crc_slice[8][256];
static int crc_slice_ready;

static void crc_slice_init(void)
{
    for (int i = 0; i < 256; i++)
        crc_slice[0][i] = crc_table[i];
    for (int k = 1; k < 8; k++)
        for (int i = 0; i < 256; i++)
            crc_slice[k][i] = (crc_slice[k - 1][i] >> 8) ^ crc_table[crc_slice[k - 1][i] & 0xFFu];
    crc_slice_ready = 1;
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    if (!crc_slice_ready)
        crc_slice_init();
    for (; n >= 8; p += 8, n -= 8) {
        uint32_t a = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                          (uint32_t)p[3] << 24);
        c = crc_slice[7][a & 0xFFu] ^ crc_slice[6][(a >> 8) & 0xFFu] ^
            crc_slice[5][(a >> 16) & 0xFFu] ^ crc_slice[4][a >> 24] ^ crc_slice[3][p[4]] ^
            crc_slice[2][p[5]] ^ crc_slice[1][p[6]] ^ crc_slice[0][p[7]];
    }
    for (; n > 0; p++, n--)
        c = crc_table[(c ^ *p) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* The __type namespace AWS uses for an error code. */
static const char *error_namespace(const char *code)
{
    if (strcmp(code, "ValidationException") == 0)
        return "com.amazon.coral.validate#";
    if (strcmp(code, "SerializationException") == 0 ||
        strcmp(code, "UnknownOperationException") == 0 ||
        strcmp(code, "MissingAuthenticationTokenException") == 0 ||
        strcmp(code, "IncompleteSignatureException") == 0)
        return "com.amazon.coral.service#";
    if (strcmp(code, "ThrottlingException") == 0) /* (added) on-demand throttling */
        return "com.amazon.coral.availability#";
    return "com.amazonaws.dynamodb.v20120810#";
}

/* Fill x->resp from status and the printed body text, with the protocol's headers. */
static int respond(ddb_service *svc, sim_http_exchange *x, int status, const char *text)
{
    char id[37], crc[16];
    size_t len = strlen(text);
    sim_rng_uuid(svc->rng, id);
    snprintf(crc, sizeof crc, "%lu", (unsigned long)crc32_of((const unsigned char *)text, len));
    int rc = sim_http_resp_set(&x->resp, status, DDB_CTYPE, text, len);
    if (rc == 0)
        rc = sim_http_resp_header(&x->resp, "x-amzn-RequestId", id);
    if (rc == 0)
        rc = sim_http_resp_header(&x->resp, "x-amz-crc32", crc);
    return rc;
}

/* The error document of reply r, printed. NULL on ENOMEM (free with cJSON_free). */
static char *error_text(const sim_reply *r)
{
    char type[160];
    cJSON *doc = cJSON_CreateObject();
    snprintf(type, sizeof type, "%s%s", error_namespace(r->code), r->code);
    if (doc == NULL || cJSON_AddStringToObject(doc, "__type", type) == NULL) {
        cJSON_Delete(doc);
        return NULL;
    }
    /* SerializationException carries "Message"; the others "message" (dynalite) */
    const char *key = strcmp(r->code, "SerializationException") == 0 ? "Message" : "message";
    if (r->message != NULL && cJSON_AddStringToObject(doc, key, r->message) == NULL) {
        cJSON_Delete(doc);
        return NULL;
    }
    /* Members an error carries besides its message (TransactionCanceledException's
     * CancellationReasons, a failed condition's Item) travel in the reply's body. */
    const cJSON *extras = cJSON_IsObject(r->body) ? r->body : NULL;
    const cJSON *extra;
    cJSON_ArrayForEach(extra, extras)
    {
        if (extra->string && !cJSON_HasObjectItem(doc, extra->string))
            cJSON_AddItemToObject(doc, extra->string, cJSON_Duplicate(extra, 1));
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

/* Length of the UTF-8 sequence at p (n bytes left), or 0 with *bad set to the offending
 * byte: a start byte that cannot begin a sequence (0x80-0xC1, 0xF5-0xFF; *middle 0) or a
 * following byte that is not a continuation, or would make an overlong form, a surrogate
 * (U+D800-DFFF) or a code point past U+10FFFF (*middle 1). RFC 3629, section 4. */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned char *bad, int *middle)
{
    size_t len, i;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4;
    else {
        *bad = p[0];
        *middle = 0;
        return 0;
    }
    if (p[0] == 0xE0)
        lo = 0xA0; /* overlong */
    else if (p[0] == 0xED)
        hi = 0x9F; /* surrogates */
    else if (p[0] == 0xF0)
        lo = 0x90; /* overlong */
    else if (p[0] == 0xF4)
        hi = 0x8F; /* past U+10FFFF */
    for (i = 1; i < len; i++) {
        unsigned char c;
        if (i >= n) {
            *middle = 2; /* the body ends inside the sequence */
            return 0;
        }
        c = p[i];
        if (i == 1 ? c < lo || c > hi : c < 0x80 || c > 0xBF) {
            *bad = c;
            *middle = 1;
            return 0;
        }
    }
    return len;
}

/*
 * Check a request body before cJSON sees it, which cannot represent what follows: invalid
 * UTF-8 (AWS's JSON parser, Jackson, refuses it; SDKs cannot read it back) and NUL, which
 * cJSON would silently cut strings at. Returns 0 when the body is fine, else fills r:
 * - invalid UTF-8: 400 SerializationException "Invalid UTF-8 start byte 0xff" / "Invalid
 *   UTF-8 middle byte 0x41" (Jackson's wording, without its location), or "Unexpected
 *   end-of-input in the middle of a UTF-8 sequence";
 * - a raw 0x00 byte: 400 SerializationException (Jackson: an unescaped control character
 *   is malformed JSON);
 * - the escape \u0000 inside a JSON string: 400 ValidationException. DynamoDB stores U+0000
 *   in strings; Stratus cannot (a documented deviation), so it refuses instead of storing a
 *   truncated string or merging keys ("a\u0000b" would become "a").
 * Strings are tracked as JSON does: '"' opens and closes them, '\' escapes one character.
 */
static int body_check(const unsigned char *p, size_t n, sim_reply *r)
{
    int in_str = 0, middle = 0;
    unsigned char bad = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq(p + i, n - i, &bad, &middle);
        if (len == 0 && middle == 2) {
            sim_reply_err(r, 400, "SerializationException",
                          "Unexpected end-of-input in the middle of a UTF-8 sequence");
            return -1;
        }
        if (len == 0) {
            sim_reply_err(r, 400, "SerializationException", "Invalid UTF-8 %s byte 0x%02x",
                          middle ? "middle" : "start", bad);
            return -1;
        }
        if (p[i] == 0x00) {
            sim_reply_err(r, 400, "SerializationException",
                          in_str ? "Illegal unquoted character ((CTRL-CHAR, code 0)): has to be "
                                   "escaped using backslash to be included in string value"
                                 : "Illegal character ((CTRL-CHAR, code 0)): only regular white "
                                   "space (\\r, \\n, \\t) is allowed between tokens");
            return -1;
        }
        if (in_str && p[i] == '\\' && i + 1 < n) {
            if (p[i + 1] == 'u' && i + 5 < n && memcmp(p + i + 2, "0000", 4) == 0) {
                sim_reply_err(r, 400, "ValidationException",
                              "Stratus cannot store the character U+0000 (\\u0000) in strings: "
                              "remove it from attribute names and values (DynamoDB accepts it; "
                              "this is a documented Stratus limitation)");
                return -1;
            }
            if (p[i + 1] == 0x00 || p[i + 1] >= 0x80) {
                i++; /* the escaped byte is checked on the next round */
                continue;
            }
            i += 2; /* an escaped ASCII character, '"' and '\\' included */
            continue;
        }
        if (p[i] == '"')
            in_str = !in_str;
        i += len;
    }
    return 0;
}

void ddb_http_serve(ddb_service *svc, sim_http_exchange *x)
{
    sim_reply r;
    sim_reply_init(&r);
    cJSON *req = NULL;
    char *text = NULL;
    const sim_http_req *hr = &x->req;
    const char *target = sim_http_req_header(hr, "X-Amz-Target");
    const char *op = NULL;

    int has_body = hr->body != NULL && hr->body_len > 0;
    int bad_body = has_body && body_check(hr->body, hr->body_len, &r) != 0;
    if (has_body && !bad_body)
        req = cJSON_ParseWithLength((const char *)hr->body, hr->body_len);
    if (bad_body) {
        /* r holds the error */
    } else if (req == NULL || !cJSON_IsObject(req)) {
        sim_reply_err(&r, 400, "SerializationException", NULL);
    } else if (target == NULL ||
               strncmp(target, DDB_TARGET_PREFIX, sizeof DDB_TARGET_PREFIX - 1) != 0) {
        sim_reply_err(&r, 400, "UnknownOperationException", NULL);
    } else {
        op = target + sizeof DDB_TARGET_PREFIX - 1;
        svc->wire_items = 1; /* r.body is only printed below */
        (void)ddb_call(svc, op, req, &r);
        svc->wire_items = 0;
    }

    int status = sim_reply_failed(&r) ? r.status : 200;
    if (sim_reply_failed(&r))
        text = error_text(&r);
    else if (r.body != NULL)
        text = cJSON_PrintUnformatted(r.body);
    else if ((text = cJSON_malloc(1)) != NULL)
        text[0] = '\0'; /* no output members (TagResource, UntagResource): an empty body */
    if (text == NULL || respond(svc, x, status, text) != 0) {
        sim_http_resp_release(&x->resp);
        static const char fallback[] =
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\","
            "\"message\":\"Internal server error\"}";
        (void)sim_http_resp_set(&x->resp, 500, DDB_CTYPE, fallback, sizeof fallback - 1);
    }
    cJSON_free(text);
    cJSON_Delete(req);
    sim_reply_release(&r);
    x->complete(x);
}
