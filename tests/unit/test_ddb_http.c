/* test_ddb_http.c - the DynamoDB JSON 1.0 wire protocol: X-Amz-Target dispatch, response
 * headers (Content-Type, x-amzn-RequestId, x-amz-crc32), error shapes and namespaces.
 * Sources: DynamoDB developer guide, Programming.LowLevelAPI ("x-amz-crc32", JSON 1.0) and
 * Programming.Errors; error bodies as dynalite's index.js sends them. */
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

/* Serve one POST with target (NULL: none) and body; the exchange is left for checks. */
static void serve(tenv *e, sim_http_exchange *x, int *completed, const char *target,
                  const char *body)
{
    memset(x, 0, sizeof *x);
    x->req.method = dupz("POST");
    x->req.path = dupz("/");
    x->req.headers = calloc(2, sizeof *x->req.headers);
    cr_assert_not_null(x->req.headers);
    x->req.headers[0].name = dupz("Content-Type");
    x->req.headers[0].value = dupz("application/x-amz-json-1.0");
    x->req.nheaders = 1;
    if (target != NULL) {
        x->req.headers[1].name = dupz("x-amz-target"); /* header names are case-insensitive */
        x->req.headers[1].value = dupz(target);
        x->req.nheaders = 2;
    }
    x->req.body = (unsigned char *)dupz(body);
    x->req.body_len = strlen(body);
    x->complete = on_complete;
    x->front_data = completed;
    *completed = 0;
    ddb_http_serve(e->svc, x);
    cr_assert_eq(*completed, 1);
}

static const char *resp_header(const sim_http_exchange *x, const char *name)
{
    for (size_t i = 0; i < x->resp.nheaders; i++)
        if (strcasecmp(x->resp.headers[i].name, name) == 0)
            return x->resp.headers[i].value;
    return NULL;
}

static void body_is(const sim_http_exchange *x, const char *want)
{
    char *got = malloc(x->resp.body_len + 1);
    cr_assert_not_null(got);
    memcpy(got, x->resp.body, x->resp.body_len);
    got[x->resp.body_len] = '\0';
    cr_assert_str_eq(got, want);
    free(got);
}

static void done(sim_http_exchange *x)
{
    sim_http_req_release(&x->req);
    sim_http_resp_release(&x->resp);
}

/* Success: 200, JSON 1.0 content type, a UUID request id, the CRC-32 of the body. */
Test(ddb_http, success_headers_and_crc)
{
    tenv e;
    t_init(&e);
    sim_http_exchange x;
    int completed;
    serve(&e, &x, &completed, "DynamoDB_20120810.ListTables", "{}");
    cr_assert_eq(x.resp.status, 200);
    body_is(&x, "{\"TableNames\":[]}");
    cr_assert_str_eq(resp_header(&x, "Content-Type"), "application/x-amz-json-1.0");
    cr_assert_eq(strlen(resp_header(&x, "x-amzn-RequestId")), 36);
    /* zlib.crc32(b'{"TableNames":[]}') */
    cr_assert_str_eq(resp_header(&x, "x-amz-crc32"), "1315925753");
    done(&x);
    t_fini(&e);
}

/* Malformed JSON: 400 SerializationException without a message. */
Test(ddb_http, malformed_json_is_serialization_exception)
{
    tenv e;
    t_init(&e);
    sim_http_exchange x;
    int completed;
    serve(&e, &x, &completed, "DynamoDB_20120810.ListTables", "{\"Limit\":");
    cr_assert_eq(x.resp.status, 400);
    body_is(&x, "{\"__type\":\"com.amazon.coral.service#SerializationException\"}");
    done(&x);
    t_fini(&e);
}

/* Unknown or missing target: 400 UnknownOperationException. */
Test(ddb_http, unknown_target_is_unknown_operation)
{
    tenv e;
    t_init(&e);
    sim_http_exchange x;
    int completed;
    serve(&e, &x, &completed, "DynamoDB_20120810.Frobnicate", "{}");
    cr_assert_eq(x.resp.status, 400);
    body_is(&x, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}");
    done(&x);
    serve(&e, &x, &completed, NULL, "{}");
    body_is(&x, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}");
    done(&x);
    t_fini(&e);
}

/* A real DynamoDB operation Stratus does not emulate (here PartiQL's ExecuteStatement, named
 * in botocore's model) keeps the __type a client expects for an operation the endpoint does
 * not know, with a message saying why, instead of AWS's bare reply to a misspelt one. */
Test(ddb_http, unemulated_operation_says_so)
{
    tenv e;
    t_init(&e);
    sim_http_exchange x;
    int completed;
    serve(&e, &x, &completed, "DynamoDB_20120810.ExecuteStatement", "{\"Statement\":\"x\"}");
    cr_assert_eq(x.resp.status, 400);
    body_is(&x, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\","
                "\"message\":\"Stratus does not emulate the DynamoDB operation ExecuteStatement\"}");
    done(&x);
    t_fini(&e);
}

/* Error namespaces: validation errors are com.amazon.coral.validate, service errors
 * com.amazonaws.dynamodb.v20120810, type errors carry "Message". */
Test(ddb_http, error_shapes)
{
    tenv e;
    t_init(&e);
    sim_http_exchange x;
    int completed;
    serve(&e, &x, &completed, "DynamoDB_20120810.DescribeTable", "{}");
    cr_assert_eq(x.resp.status, 400);
    /* DescribeTable checks TableName first, apart (dynalite test/describeTable.js) */
    body_is(&x, "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":"
                "\"The parameter 'TableName' is required but was not present in the "
                "request\"}");
    done(&x);
    serve(&e, &x, &completed, "DynamoDB_20120810.DescribeTable", "{\"TableName\":\"nope\"}");
    body_is(&x, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
                "\"message\":\"Requested resource not found: Table: nope not found\"}");
    done(&x);
    serve(&e, &x, &completed, "DynamoDB_20120810.DescribeTable", "{\"TableName\":true}");
    body_is(&x, "{\"__type\":\"com.amazon.coral.service#SerializationException\",\"Message\":"
                "\"TRUE_VALUE cannot be converted to String\"}");
    done(&x);
    t_fini(&e);
}

/* A full round trip through the wire: CreateTable, PutItem, GetItem. */
Test(ddb_http, round_trip)
{
    tenv e;
    t_init(&e);
    sim_http_exchange x;
    int completed;
    serve(&e, &x, &completed, "DynamoDB_20120810.CreateTable",
          "{\"TableName\":\"users\",\"AttributeDefinitions\":[{\"AttributeName\":\"h\","
          "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":"
          "\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");
    cr_assert_eq(x.resp.status, 200);
    done(&x);
    serve(&e, &x, &completed, "DynamoDB_20120810.PutItem",
          "{\"TableName\":\"users\",\"Item\":{\"h\":{\"S\":\"amy\"}}}");
    cr_assert_eq(x.resp.status, 200);
    body_is(&x, "{}");
    done(&x);
    serve(&e, &x, &completed, "DynamoDB_20120810.GetItem",
          "{\"TableName\":\"users\",\"Key\":{\"h\":{\"S\":\"amy\"}}}");
    body_is(&x, "{\"Item\":{\"h\":{\"S\":\"amy\"}}}");
    done(&x);
    t_fini(&e);
}
