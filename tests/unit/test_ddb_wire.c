/* test_ddb_wire.c - reads served over the wire hand stored items to the reply as their
 * stored text instead of parsing and printing them again (ddb_service.wire_items). The
 * bytes a client receives must be exactly what the parsed reply would print: GetItem,
 * Query and Scan bodies are compared with cJSON_PrintUnformatted of ddb_call's reply to the
 * same request, for items with escapes, non-ASCII text, nested documents and sets; the
 * x-amz-crc32 header is checked on a body longer than one 8-byte block.
 * Sources: DynamoDB developer guide, Programming.LowLevelAPI (response body, x-amz-crc32). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* The body ddb_http_serve answers to op with request body (JSON text); caller frees. */
static char *wire_body(tenv *e, const char *op, const char *body, char crc[16])
{
    sim_http_exchange x;
    int completed = 0;
    char target[64];
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    memset(&x, 0, sizeof x);
    x.req.method = dupz("POST");
    x.req.path = dupz("/");
    x.req.headers = calloc(1, sizeof *x.req.headers);
    cr_assert_not_null(x.req.headers);
    x.req.headers[0].name = dupz("X-Amz-Target");
    x.req.headers[0].value = dupz(target);
    x.req.nheaders = 1;
    x.req.body = (unsigned char *)dupz(body);
    x.req.body_len = strlen(body);
    x.complete = on_complete;
    x.front_data = &completed;
    ddb_http_serve(e->svc, &x);
    cr_assert_eq(completed, 1);
    cr_assert_eq(x.resp.status, 200, "%s: status %d", op, x.resp.status);
    char *got = malloc(x.resp.body_len + 1);
    cr_assert_not_null(got);
    memcpy(got, x.resp.body, x.resp.body_len);
    got[x.resp.body_len] = '\0';
    if (crc != NULL) {
        crc[0] = '\0';
        for (size_t i = 0; i < x.resp.nheaders; i++)
            if (strcasecmp(x.resp.headers[i].name, "x-amz-crc32") == 0)
                snprintf(crc, 16, "%s", x.resp.headers[i].value);
    }
    sim_http_req_release(&x.req);
    sim_http_resp_release(&x.resp);
    return got;
}

/* Assert the wire body of op equals the printed reply of ddb_call for the same request. */
static void same_as_call(tenv *e, const char *op, const char *body)
{
    char *wire = wire_body(e, op, body, NULL);
    cJSON *req = cJSON_Parse(body);
    cr_assert_not_null(req);
    sim_reply r;
    sim_reply_init(&r);
    cr_assert_eq(ddb_call(e->svc, op, req, &r), 0);
    cr_assert(!sim_reply_failed(&r), "%s failed", op);
    char *printed = cJSON_PrintUnformatted(r.body);
    cr_assert_not_null(printed);
    cr_assert_str_eq(wire, printed, "%s: wire and parsed replies differ", op);
    cJSON_free(printed);
    sim_reply_release(&r);
    cJSON_Delete(req);
    free(wire);
}

static void put(tenv *e, const char *item_json)
{
    char body[2048];
    snprintf(body, sizeof body, "{\"TableName\":\"wire\",\"Item\":%s}", item_json);
    free(wire_body(e, "PutItem", body, NULL));
}

static void setup(tenv *e)
{
    t_init(e);
    ok(call(e, "CreateTable",
            "{'TableName':'wire','AttributeDefinitions':[{'AttributeName':'h','AttributeType':'S'},"
            "{'AttributeName':'r','AttributeType':'N'}],'KeySchema':[{'AttributeName':'h',"
            "'KeyType':'HASH'},{'AttributeName':'r','KeyType':'RANGE'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    put(e, "{\"h\":{\"S\":\"a\"},\"r\":{\"N\":\"1.50\"},\"t\":{\"S\":\"quote \\\" back \\\\ "
           "tab \\t nl \\n ctl \\u0001 slash \\/ e \\u00e9 snow \\u2603 raw \xc3\xa9\"}}");
    put(e, "{\"h\":{\"S\":\"a\"},\"r\":{\"N\":\"2e3\"},\"l\":{\"L\":[{\"N\":\"-0.0100\"},"
           "{\"BOOL\":true},{\"NULL\":true},{\"M\":{\"b\":{\"B\":\"AAEC\"},\"e\":{\"M\":{}}}}]},"
           "\"ss\":{\"SS\":[\"y\",\"x\"]},\"ns\":{\"NS\":[\"10\",\"1.0\"]}}");
    for (int i = 3; i <= 7; i++) {
        char item[256];
        snprintf(item, sizeof item,
                 "{\"h\":{\"S\":\"a\"},\"r\":{\"N\":\"%d\"},\"p\":{\"S\":\"post %d\"}}", i * 1000,
                 i);
        put(e, item);
    }
}

Test(ddb_wire, get_item_prints_the_stored_item_as_parsed)
{
    tenv e;
    setup(&e);
#define KEY(r) "{\"TableName\":\"wire\",\"Key\":{\"h\":{\"S\":\"a\"},\"r\":{\"N\":\"" r "\"}}"
    same_as_call(&e, "GetItem", KEY("1.5") "}");
    same_as_call(&e, "GetItem", KEY("2000") ",\"ReturnConsumedCapacity\":\"TOTAL\"}");
    same_as_call(&e, "GetItem", KEY("9") "}");
    same_as_call(&e, "GetItem", KEY("2000") ",\"ProjectionExpression\":\"l[3].b, ss\"}");
#undef KEY
    t_fini(&e);
}

Test(ddb_wire, query_and_scan_pages_print_as_parsed)
{
    tenv e;
    setup(&e);
    static const char *const queries[] = {
        "{\"TableName\":\"wire\",\"KeyConditionExpression\":\"h = :h\",\"ExpressionAttributeValues\":"
        "{\":h\":{\"S\":\"a\"}}}",
        "{\"TableName\":\"wire\",\"KeyConditionExpression\":\"h = :h\",\"ExpressionAttributeValues\":"
        "{\":h\":{\"S\":\"a\"}},\"Limit\":3,\"ScanIndexForward\":false}",
        "{\"TableName\":\"wire\",\"KeyConditionExpression\":\"h = :h\",\"ExpressionAttributeValues\":"
        "{\":h\":{\"S\":\"a\"}},\"Limit\":2,\"ExclusiveStartKey\":{\"h\":{\"S\":\"a\"},\"r\":"
        "{\"N\":\"2000\"}}}",
        "{\"TableName\":\"wire\",\"KeyConditionExpression\":\"h = :h\",\"ExpressionAttributeValues\":"
        "{\":h\":{\"S\":\"a\"}},\"Limit\":2,\"Select\":\"COUNT\"}",
        "{\"TableName\":\"wire\",\"KeyConditionExpression\":\"h = :h\",\"FilterExpression\":"
        "\"attribute_exists(p)\",\"ExpressionAttributeValues\":{\":h\":{\"S\":\"a\"}},\"Limit\":4}",
    };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
        same_as_call(&e, "Query", queries[i]);
    same_as_call(&e, "Scan", "{\"TableName\":\"wire\"}");
    same_as_call(&e, "Scan", "{\"TableName\":\"wire\",\"Limit\":2}");
    same_as_call(&e, "Scan", "{\"TableName\":\"wire\",\"Segment\":0,\"TotalSegments\":2}");
    t_fini(&e);
}

/* x-amz-crc32 of a body longer than the 8-byte blocks the CRC is computed in, against the
 * bit-at-a-time definition (IEEE 802.3, reflected polynomial 0xEDB88320; zlib.crc32). */
Test(ddb_wire, crc32_of_a_longer_body)
{
    tenv e;
    setup(&e);
    char crc[16];
    char *body = wire_body(
        &e, "GetItem", "{\"TableName\":\"wire\",\"Key\":{\"h\":{\"S\":\"a\"},\"r\":{\"N\":\"1.5\"}}}",
        crc);
    unsigned long c = 0xFFFFFFFFul;
    for (size_t i = 0; body[i] != '\0'; i++) {
        c ^= (unsigned char)body[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320ul : c >> 1;
    }
    char want_text[24];
    snprintf(want_text, sizeof want_text, "%lu", c ^ 0xFFFFFFFFul);
    cr_assert_gt(strlen(body), 16);
    cr_assert_str_eq(crc, want_text);
    free(body);
    t_fini(&e);
}
