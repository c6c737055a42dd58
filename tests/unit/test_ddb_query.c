/* test_ddb_query.c - Query and Scan: key conditions, paging with Limit and
 * LastEvaluatedKey, ScanIndexForward, numeric sort keys, GSIs, filters after the limit,
 * Select COUNT, the 1 MB page. Sources: DynamoDB API reference API_Query, API_Scan;
 * developer guide "Query" (Query.Pagination: "LastEvaluatedKey ... whenever the result set
 * is limited"), "Key condition expressions"; key schema messages as dynalite records them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

static void mk_feed(tenv *e)
{
    ok(call(e, "CreateTable",
            "{'TableName':'feed','AttributeDefinitions':[{'AttributeName':'user',"
            "'AttributeType':'S'},{'AttributeName':'ts','AttributeType':'N'},"
            "{'AttributeName':'author','AttributeType':'S'}],'KeySchema':"
            "[{'AttributeName':'user','KeyType':'HASH'},{'AttributeName':'ts','KeyType':"
            "'RANGE'}],'GlobalSecondaryIndexes':[{'IndexName':'by-author','KeySchema':"
            "[{'AttributeName':'author','KeyType':'HASH'}],'Projection':{'ProjectionType':"
            "'KEYS_ONLY'}}],'BillingMode':'PAY_PER_REQUEST'}"));
}

static void put_ts(tenv *e, const char *user, const char *ts, const char *author)
{
    char req[512];
    if (author != NULL)
        snprintf(req, sizeof req,
                 "{'TableName':'feed','Item':{'user':{'S':'%s'},'ts':{'N':'%s'},'author':"
                 "{'S':'%s'},'body':{'S':'post %s'}}}",
                 user, ts, author, ts);
    else
        snprintf(req, sizeof req,
                 "{'TableName':'feed','Item':{'user':{'S':'%s'},'ts':{'N':'%s'},'body':"
                 "{'S':'post %s'}}}",
                 user, ts, ts);
    ok(call(e, "PutItem", req));
}

/* The ts values of the page's Items, joined with ','. */
static void ts_list(const sim_reply *r, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, at(r->body, "Items"))
    {
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "", str_at(it, "ts.N"));
    }
}

/* Numbers sort by value, negatives and decimals included (HowItWorks.NamingRulesDataTypes). */
Test(ddb_query, numeric_sort_keys_in_value_order_both_ways)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    const char *ts[] = { "10", "-2.5", "1E2", "0", "-10", "0.50", "3", "-0.25" };
    for (int i = 0; i < 8; i++)
        put_ts(&e, "amy", ts[i], NULL);
    put_ts(&e, "bob", "1", NULL);
    char got[256];
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'feed','KeyConditionExpression':'#u = :u',"
                        "'ExpressionAttributeNames':{'#u':'user'},"
                        "'ExpressionAttributeValues':{':u':{'S':'amy'}}}");
    ok(r);
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "-10,-2.5,-0.25,0,0.5,3,10,100");
    cr_assert_eq(num_at(r->body, "Count"), 8);
    cr_assert_eq(num_at(r->body, "ScannedCount"), 8);
    cr_assert_null(at(r->body, "LastEvaluatedKey"));
    r = call(&e, "Query",
             "{'TableName':'feed','KeyConditionExpression':'#u = :u',"
             "'ScanIndexForward':false,'ExpressionAttributeNames':{'#u':'user'},"
             "'ExpressionAttributeValues':{':u':{'S':'amy'}}}");
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "100,10,3,0.5,0,-0.25,-2.5,-10");
    r = call(&e, "Query",
             "{'TableName':'feed','KeyConditionExpression':"
             "'#u = :u AND ts BETWEEN :a AND :b','ExpressionAttributeNames':"
             "{'#u':'user'},'ExpressionAttributeValues':{':u':{'S':'amy'},"
             "':a':{'N':'-2.5'},':b':{'N':'3'}}}");
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "-2.5,-0.25,0,0.5,3");
    r = call(&e, "Query",
             "{'TableName':'feed','KeyConditionExpression':"
             "'#u = :u AND ts < :z','ExpressionAttributeNames':{'#u':'user'},"
             "'ExpressionAttributeValues':{':u':{'S':'amy'},':z':{'N':'0'}},"
             "'ScanIndexForward':false}");
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "-0.25,-2.5,-10");
    t_fini(&e);
}

/* Query.Pagination: a page that ends exactly at the last item still carries
 * LastEvaluatedKey; the next page is empty and has none. */
Test(ddb_query, limit_reaching_the_end_still_returns_last_evaluated_key)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    for (int i = 1; i <= 4; i++) {
        char ts[16];
        snprintf(ts, sizeof ts, "%d", i);
        put_ts(&e, "amy", ts, NULL);
    }
#define q                                                                   \
    "{'TableName':'feed','KeyConditionExpression':'#u = :u','Limit':2,"     \
    "'ExpressionAttributeNames':{'#u':'user'},'ExpressionAttributeValues':" \
    "{':u':{'S':'amy'}}%s}"
    char req[512], got[64];
    snprintf(req, sizeof req, q, "");
    sim_reply *r = call(&e, "Query", req);
    ok(r);
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "1,2");
    json_eq(at(r->body, "LastEvaluatedKey"), "{'user':{'S':'amy'},'ts':{'N':'2'}}");
    snprintf(req, sizeof req, q, ",'ExclusiveStartKey':{'user':{'S':'amy'},'ts':{'N':'2'}}");
    r = call(&e, "Query", req);
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "3,4");
    json_eq(at(r->body, "LastEvaluatedKey"), "{'user':{'S':'amy'},'ts':{'N':'4'}}");
    snprintf(req, sizeof req, q, ",'ExclusiveStartKey':{'user':{'S':'amy'},'ts':{'N':'4'}}");
    r = call(&e, "Query", req);
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 0);
    cr_assert_eq(cJSON_GetArraySize(at(r->body, "Items")), 0);
    cr_assert_null(at(r->body, "LastEvaluatedKey"));
    /* backwards from a start key */
    snprintf(req, sizeof req, q,
             ",'ScanIndexForward':false,'ExclusiveStartKey':{'user':{'S':'amy'},'ts':{'N':'3'}}");
    r = call(&e, "Query", req);
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "2,1");
    t_fini(&e);
#undef q
}

/* API_Query FilterExpression: applied after Limit; Count after, ScannedCount before. */
Test(ddb_query, filter_applies_after_limit_and_select_count)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    for (int i = 1; i <= 6; i++) {
        char ts[16];
        snprintf(ts, sizeof ts, "%d", i);
        put_ts(&e, "amy", ts, i % 2 ? "odd" : "even");
    }
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'feed','KeyConditionExpression':'#u = :u',"
                        "'FilterExpression':'author = :a','Limit':4,"
                        "'ExpressionAttributeNames':{'#u':'user'},"
                        "'ExpressionAttributeValues':{':u':{'S':'amy'},"
                        "':a':{'S':'odd'}}}");
    ok(r);
    char got[64];
    ts_list(r, got, sizeof got);
    cr_assert_str_eq(got, "1,3");
    cr_assert_eq(num_at(r->body, "Count"), 2);
    cr_assert_eq(num_at(r->body, "ScannedCount"), 4);
    json_eq(at(r->body, "LastEvaluatedKey"), "{'user':{'S':'amy'},'ts':{'N':'4'}}");
    r = call(&e, "Query",
             "{'TableName':'feed','KeyConditionExpression':'#u = :u',"
             "'Select':'COUNT','ExpressionAttributeNames':{'#u':'user'},"
             "'ExpressionAttributeValues':{':u':{'S':'amy'}}}");
    ok(r);
    json_eq(r->body, "{'Count':6,'ScannedCount':6}");
    t_fini(&e);
}

/* GSI query: KEYS_ONLY projection; LastEvaluatedKey carries index and table keys; items
 * without the index key are not in the index (developer guide, GSI.html). */
Test(ddb_query, gsi_query_and_paging)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    put_ts(&e, "amy", "1", "zed");
    put_ts(&e, "bob", "2", "zed");
    put_ts(&e, "cat", "3", "zed");
    put_ts(&e, "dan", "4", NULL);
    put_ts(&e, "eve", "5", "yan");
#define q                                                                   \
    "{'TableName':'feed','IndexName':'by-author','KeyConditionExpression':" \
    "'author = :a','Limit':2,'ExpressionAttributeValues':{':a':{'S':'zed'}}%s}"
    char req[512];
    snprintf(req, sizeof req, q, "");
    sim_reply *r = call(&e, "Query", req);
    ok(r);
    json_eq(at(r->body, "Items"), "[{'user':{'S':'amy'},'ts':{'N':'1'},'author':{'S':'zed'}},"
                                  "{'user':{'S':'bob'},'ts':{'N':'2'},'author':{'S':'zed'}}]");
    json_eq(at(r->body, "LastEvaluatedKey"),
            "{'user':{'S':'bob'},'ts':{'N':'2'},'author':{'S':'zed'}}");
    snprintf(req, sizeof req, q,
             ",'ExclusiveStartKey':{'user':{'S':'bob'},'ts':{'N':'2'},'author':{'S':'zed'}}");
    r = call(&e, "Query", req);
    ok(r);
    json_eq(at(r->body, "Items"), "[{'user':{'S':'cat'},'ts':{'N':'3'},'author':{'S':'zed'}}]");
    cr_assert_null(at(r->body, "LastEvaluatedKey"));
    /* changing the index key moves the item in the index */
    ok(call(&e, "UpdateItem",
            "{'TableName':'feed','Key':{'user':{'S':'amy'},'ts':{'N':'1'}},"
            "'UpdateExpression':'SET author = :y','ExpressionAttributeValues':"
            "{':y':{'S':'yan'}}}"));
    r = call(&e, "Query",
             "{'TableName':'feed','IndexName':'by-author','KeyConditionExpression':"
             "'author = :a','ExpressionAttributeValues':{':a':{'S':'yan'}}}");
    cr_assert_eq(num_at(r->body, "Count"), 2);
    ok(call(&e, "DeleteItem", "{'TableName':'feed','Key':{'user':{'S':'eve'},'ts':{'N':'5'}}}"));
    r = call(&e, "Query",
             "{'TableName':'feed','IndexName':'by-author','KeyConditionExpression':"
             "'author = :a','ExpressionAttributeValues':{':a':{'S':'yan'}}}");
    json_eq(at(r->body, "Items"), "[{'user':{'S':'amy'},'ts':{'N':'1'},'author':{'S':'yan'}}]");
    fails(call(&e, "Query",
               "{'TableName':'feed','IndexName':'by-author','ConsistentRead':true,"
               "'KeyConditionExpression':'author = :a','ExpressionAttributeValues':"
               "{':a':{'S':'yan'}}}"),
          "ValidationException", "Consistent reads are not supported on global secondary indexes");
    fails(call(&e, "Query",
               "{'TableName':'feed','IndexName':'nope','KeyConditionExpression':"
               "'author = :a','ExpressionAttributeValues':{':a':{'S':'yan'}}}"),
          "ValidationException", "The table does not have the specified index: nope");
    t_fini(&e);
#undef q
}

/* Key condition checks against the schema (dynalite actions/query.js). */
Test(ddb_query, key_condition_schema_messages)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    fails(call(&e, "Query",
               "{'TableName':'feed','KeyConditionExpression':'body = :u',"
               "'ExpressionAttributeValues':{':u':{'S':'amy'}}}"),
          "ValidationException", "Query condition missed key schema element: user");
    fails(call(&e, "Query",
               "{'TableName':'feed','KeyConditionExpression':"
               "'#u = :u AND body > :b','ExpressionAttributeNames':{'#u':'user'},"
               "'ExpressionAttributeValues':{':u':{'S':'amy'},':b':{'S':'x'}}}"),
          "ValidationException", "Query condition missed key schema element: ts");
    fails(call(&e, "Query",
               "{'TableName':'feed','KeyConditionExpression':'#u = :u',"
               "'ExpressionAttributeNames':{'#u':'user'},"
               "'ExpressionAttributeValues':{':u':{'N':'1'}}}"),
          "ValidationException",
          "One or more parameter values were invalid: Condition parameter type does not match "
          "schema type");
    fails(call(&e, "Query", "{'TableName':'feed'}"), "ValidationException",
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
          "request.");
    t_fini(&e);
}

/* begins_with on a string sort key (Query.KeyConditionExpressions). */
Test(ddb_query, begins_with_on_string_sort_key)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'kvs','AttributeDefinitions':[{'AttributeName':'p','AttributeType':'S'},"
            "{'AttributeName':'s','AttributeType':'S'}],'KeySchema':[{'AttributeName':'p',"
            "'KeyType':'HASH'},{'AttributeName':'s','KeyType':'RANGE'}],"
            "'BillingMode':'PAY_PER_REQUEST'}"));
    const char *sks[] = { "ab", "abc", "abd", "ac", "a", "b", "ab\\u00ff" };
    char req[256];
    for (int i = 0; i < 7; i++) {
        snprintf(req, sizeof req, "{'TableName':'kvs','Item':{'p':{'S':'x'},'s':{'S':'%s'}}}",
                 sks[i]);
        ok(call(&e, "PutItem", req));
    }
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'kvs','KeyConditionExpression':"
                        "'p = :p AND begins_with(s, :b)','ExpressionAttributeValues':"
                        "{':p':{'S':'x'},':b':{'S':'ab'}}}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'p':{'S':'x'},'s':{'S':'ab'}},{'p':{'S':'x'},'s':{'S':'abc'}},"
                                  "{'p':{'S':'x'},'s':{'S':'abd'}},"
                                  "{'p':{'S':'x'},'s':{'S':'ab\\u00ff'}}]");
    r = call(&e, "Query",
             "{'TableName':'kvs','KeyConditionExpression':"
             "'p = :p AND begins_with(s, :b)','ScanIndexForward':false,"
             "'ExpressionAttributeValues':{':p':{'S':'x'},':b':{'S':'ab'}}}");
    cr_assert_eq(num_at(r->body, "Count"), 4);
    cr_assert_str_eq(str_at(r->body, "Items.0.s.S"), "ab\xc3\xbf");
    t_fini(&e);
}

/* API_Scan: Limit, ExclusiveStartKey, FilterExpression, Select COUNT. */
Test(ddb_query, scan_pages_through_a_table)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    const char *users[] = { "amy", "bob", "cat" };
    for (int u = 0; u < 3; u++)
        for (int i = 1; i <= 3; i++) {
            char ts[16];
            snprintf(ts, sizeof ts, "%d", i);
            put_ts(&e, users[u], ts, i == 2 ? "two" : "other");
        }
    int seen = 0, pages = 0;
    char req[512] = "{'TableName':'feed','Limit':4}";
    for (;;) {
        sim_reply *r = call(&e, "Scan", req);
        ok(r);
        pages++;
        seen += (int)num_at(r->body, "Count");
        const cJSON *lek = at(r->body, "LastEvaluatedKey");
        if (lek == NULL)
            break;
        char *k = cJSON_PrintUnformatted(lek);
        snprintf(req, sizeof req, "{\"TableName\":\"feed\",\"Limit\":4,\"ExclusiveStartKey\":%s}",
                 k);
        cJSON_free(k);
    }
    cr_assert_eq(seen, 9);
    cr_assert_eq(pages, 3);
    sim_reply *r = call(&e, "Scan",
                        "{'TableName':'feed','FilterExpression':'author = :a',"
                        "'ExpressionAttributeValues':{':a':{'S':'two'}},"
                        "'Select':'COUNT'}");
    ok(r);
    json_eq(r->body, "{'Count':3,'ScannedCount':9}");
    t_fini(&e);
}

/* Query.Pagination: a page stops once 1 MB of items has been read. */
Test(ddb_query, page_stops_at_one_megabyte)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    size_t n = 100000;
    char *big = malloc(n + 256);
    cr_assert_not_null(big);
    for (int i = 1; i <= 12; i++) {
        int len = snprintf(big, 256,
                           "{'TableName':'feed','Item':{'user':{'S':'amy'},'ts':{'N':'%d'},"
                           "'x':{'S':'",
                           i);
        memset(big + len, 'x', n);
        strcpy(big + len + n, "'}}}");
        ok(call(&e, "PutItem", big));
        sim_sched_run_for(&e.sched, SIM_S / 5); /* 98 WCU each: under one key's 1000/s */
    }
    free(big);
    sim_reply *r = call(&e, "Query",
                        "{'TableName':'feed','KeyConditionExpression':'#u = :u',"
                        "'ProjectionExpression':'ts','ExpressionAttributeNames':"
                        "{'#u':'user'},'ExpressionAttributeValues':"
                        "{':u':{'S':'amy'}}}");
    ok(r);
    cr_assert_eq(num_at(r->body, "Count"), 11);
    json_eq(at(r->body, "LastEvaluatedKey"), "{'user':{'S':'amy'},'ts':{'N':'11'}}");
    t_fini(&e);
}

/* API_Scan with IndexName: only items that carry the index key are in a GSI. */
Test(ddb_query, scan_of_a_gsi)
{
    tenv e;
    t_init(&e);
    mk_feed(&e);
    put_ts(&e, "amy", "1", "zed");
    put_ts(&e, "bob", "2", NULL);
    put_ts(&e, "cat", "3", "yan");
    sim_reply *r = call(&e, "Scan", "{'TableName':'feed','IndexName':'by-author','Limit':1}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'user':{'S':'cat'},'ts':{'N':'3'},'author':{'S':'yan'}}]");
    json_eq(at(r->body, "LastEvaluatedKey"),
            "{'user':{'S':'cat'},'ts':{'N':'3'},'author':{'S':'yan'}}");
    r = call(&e, "Scan",
             "{'TableName':'feed','IndexName':'by-author','ExclusiveStartKey':"
             "{'user':{'S':'cat'},'ts':{'N':'3'},'author':{'S':'yan'}}}");
    ok(r);
    json_eq(at(r->body, "Items"), "[{'user':{'S':'amy'},'ts':{'N':'1'},'author':{'S':'zed'}}]");
    cr_assert_null(at(r->body, "LastEvaluatedKey"));
    fails(call(&e, "Scan",
               "{'TableName':'feed','IndexName':'by-author','ExclusiveStartKey':"
               "{'user':{'S':'cat'},'ts':{'N':'3'}}}"),
          /* on an index the count check says no more (test_ddb_conformance.c) */
          "ValidationException", "The provided starting key is invalid");
    t_fini(&e);
}
