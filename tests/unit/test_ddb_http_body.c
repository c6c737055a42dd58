/* test_ddb_http_body.c - request bodies the JSON layer must refuse before parsing: invalid
 * UTF-8 and the NUL character, which cJSON cannot hold inside a string (it would cut
 * "nul\u0000x" to "nul" and merge keys).
 * Sources: RFC 8259 section 8.1 (JSON text is UTF-8) and 7 (control characters must be
 * escaped); AWS's JSON parser is Jackson, whose messages are "Invalid UTF-8 start byte 0xff",
 * "Invalid UTF-8 middle byte 0x41", "Illegal unquoted character ((CTRL-CHAR, code 0)): has
 * to be escaped using backslash to be included in string value". DynamoDB itself accepts
 * U+0000 in strings; Stratus refusing it with a ValidationException is a documented
 * deviation (storage/ddb_http.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

static void on_complete(sim_http_exchange *x)
{
    *(int *)x->front_data += 1;
}

static char *dupz(const char *s)
{
    char *p = strdup(s);
    cr_assert_not_null(p);
    return p;
}

/* Serve one POST to op with a body of n bytes (may hold NUL); the exchange is left for
 * checks (release with done()). */
static void serve_n(tenv *e, sim_http_exchange *x, const char *op, const char *body, size_t n)
{
    static int completed;
    char target[96];
    memset(x, 0, sizeof *x);
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    x->req.method = dupz("POST");
    x->req.path = dupz("/");
    x->req.headers = calloc(2, sizeof *x->req.headers);
    cr_assert_not_null(x->req.headers);
    x->req.headers[0].name = dupz("Content-Type");
    x->req.headers[0].value = dupz("application/x-amz-json-1.0");
    x->req.headers[1].name = dupz("X-Amz-Target");
    x->req.headers[1].value = dupz(target);
    x->req.nheaders = 2;
    x->req.body = malloc(n + 1);
    cr_assert_not_null(x->req.body);
    memcpy(x->req.body, body, n);
    x->req.body[n] = '\0';
    x->req.body_len = n;
    x->complete = on_complete;
    x->front_data = &completed;
    completed = 0;
    ddb_http_serve(e->svc, x);
    cr_assert_eq(completed, 1);
}

static void serve(tenv *e, sim_http_exchange *x, const char *op, const char *body)
{
    serve_n(e, x, op, body, strlen(body));
}

static void done(sim_http_exchange *x)
{
    sim_http_req_release(&x->req);
    sim_http_resp_release(&x->resp);
}

/* Assert the response is status with exactly this body. */
static void resp_is(sim_http_exchange *x, int status, const char *want)
{
    char *got = malloc(x->resp.body_len + 1);
    cr_assert_not_null(got);
    memcpy(got, x->resp.body, x->resp.body_len);
    got[x->resp.body_len] = '\0';
    cr_assert_eq(x->resp.status, status, "status %d: %s", x->resp.status, got);
    cr_assert_str_eq(got, want);
    free(got);
    done(x);
}

static void mk_table(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'tt1','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],'BillingMode':"
            "'PAY_PER_REQUEST'}"));
}

#define NUL_MSG                                                                              \
    "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"Stratus "  \
    "cannot store the character U+0000 (\\\\u0000) in strings: remove it from attribute "   \
    "names and values (DynamoDB accepts it; this is a documented Stratus limitation)\"}"

/* "\u0000" in a key or a value: refused, nothing stored (it used to be stored as "nul"). */
Test(ddb_http_body, nul_escape_is_refused_not_truncated)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    sim_http_exchange x;
    serve(&e, &x, "PutItem",
          "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"k\"},\"nul\\u0000x\":{\"S\":\"1\"},"
          "\"nul\":{\"S\":\"2\"}}}");
    resp_is(&x, 400, NUL_MSG);
    serve(&e, &x, "PutItem",
          "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"a\\u0000b\"}}}");
    resp_is(&x, 400, NUL_MSG);
    serve(&e, &x, "Scan", "{\"TableName\":\"tt1\"}");
    resp_is(&x, 200, "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}");

    /* an escaped backslash followed by "u0000" is six ordinary characters */
    serve(&e, &x, "PutItem",
          "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"k\"},\"v\":{\"S\":\"\\\\u0000\"}}}");
    resp_is(&x, 200, "{}");
    sim_reply *r = call(&e, "GetItem", "{'TableName':'tt1','Key':{'pk':{'S':'k'}}}");
    ok(r);
    cr_assert_str_eq(str_at(r->body, "Item.v.S"), "\\u0000");
    /* other escapes, \u0001 included, are fine */
    serve(&e, &x, "PutItem",
          "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"k2\"},\"v\":{\"S\":\"\\u0001\\\"\\u00e9\"}}}");
    resp_is(&x, 200, "{}");
    r = call(&e, "GetItem", "{'TableName':'tt1','Key':{'pk':{'S':'k2'}}}");
    cr_assert_str_eq(str_at(r->body, "Item.v.S"), "\x01\"\xc3\xa9");
    t_fini(&e);
}

/* A raw 0x00 byte is malformed JSON: SerializationException, inside or outside a string. */
Test(ddb_http_body, raw_nul_is_malformed)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    sim_http_exchange x;
    static const char in_str[] = "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"a\0b\"}}}";
    serve_n(&e, &x, "PutItem", in_str, sizeof in_str - 1);
    resp_is(&x, 400,
            "{\"__type\":\"com.amazon.coral.service#SerializationException\",\"Message\":"
            "\"Illegal unquoted character ((CTRL-CHAR, code 0)): has to be escaped using "
            "backslash to be included in string value\"}");
    static const char between[] = "{\"TableName\":\"tt1\"\0}";
    serve_n(&e, &x, "DescribeTable", between, sizeof between - 1);
    resp_is(&x, 400,
            "{\"__type\":\"com.amazon.coral.service#SerializationException\",\"Message\":"
            "\"Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\\\r, "
            "\\\\n, \\\\t) is allowed between tokens\"}");
    serve(&e, &x, "Scan", "{\"TableName\":\"tt1\"}");
    resp_is(&x, 200, "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}");
    t_fini(&e);
}

#define UTF8_ERR(what)                                                                       \
    "{\"__type\":\"com.amazon.coral.service#SerializationException\",\"Message\":\"Invalid " \
    "UTF-8 " what "\"}"

/* Invalid UTF-8 anywhere in the body: SerializationException, nothing stored. */
Test(ddb_http_body, invalid_utf8_is_refused)
{
    tenv e;
    t_init(&e);
    mk_table(&e);
    sim_http_exchange x;
    serve(&e, &x, "PutItem", "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"a\xff\xfe\"}}}");
    resp_is(&x, 400, UTF8_ERR("start byte 0xff"));
    serve(&e, &x, "PutItem", "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"\x80\"}}}");
    resp_is(&x, 400, UTF8_ERR("start byte 0x80"));
    serve(&e, &x, "PutItem", "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"\xc3\x41\"}}}");
    resp_is(&x, 400, UTF8_ERR("middle byte 0x41"));
    /* overlong "/" (C0 AF), a surrogate (ED A0 80), past U+10FFFF (F4 90 80 80), cut short */
    serve(&e, &x, "PutItem", "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"\xc0\xaf\"}}}");
    resp_is(&x, 400, UTF8_ERR("start byte 0xc0"));
    serve(&e, &x, "PutItem",
          "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"\xed\xa0\x80\"}}}");
    resp_is(&x, 400, UTF8_ERR("middle byte 0xa0"));
    serve(&e, &x, "PutItem",
          "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"\xf4\x90\x80\x80\"}}}");
    resp_is(&x, 400, UTF8_ERR("middle byte 0x90"));
    static const char cut[] = "{\"TableName\":\"tt1\"}\xe2\x82";
    serve_n(&e, &x, "DescribeTable", cut, sizeof cut - 1);
    resp_is(&x, 400,
            "{\"__type\":\"com.amazon.coral.service#SerializationException\",\"Message\":"
            "\"Unexpected end-of-input in the middle of a UTF-8 sequence\"}");
    serve(&e, &x, "Scan", "{\"TableName\":\"tt1\"}");
    resp_is(&x, 200, "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}");

    /* valid 2-, 3- and 4-byte sequences pass */
    serve(&e, &x, "PutItem",
          "{\"TableName\":\"tt1\",\"Item\":{\"pk\":{\"S\":\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e"
          "\"}}}");
    resp_is(&x, 200, "{}");
    t_fini(&e);
}
