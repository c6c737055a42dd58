/* test_ddb_parallel_scan.c - Scan with Segment/TotalSegments: each segment a disjoint subset,
 * their union the table, paging inside a segment, validation. Sources: DynamoDB developer
 * guide "Parallel scan"; API_Scan (Segment 0..999999, TotalSegments 1..1000000); messages as
 * dynalite's scan validation tests record them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_ddb_util.h"

#define N_ITEMS 40

Test(ddb_parallel_scan, four_segments_disjoint_and_complete)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'p','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'p','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST'}"));
    char req[512];
    for (int i = 0; i < N_ITEMS; i++) {
        snprintf(req, sizeof req, "{'TableName':'tbl','Item':{'p':{'S':'k%d'}}}", i);
        ok(call(&e, "PutItem", req));
    }
    int seen[N_ITEMS] = { 0 };
    int nonempty = 0;
    for (int seg = 0; seg < 4; seg++) {
        char *esk = NULL;
        int in_seg = 0;
        for (;;) {
            snprintf(req, sizeof req,
                     "{'TableName':'tbl','Segment':%d,'TotalSegments':4,'Limit':3%s%s}", seg,
                     esk != NULL ? ",'ExclusiveStartKey':" : "", esk != NULL ? esk : "");
            free(esk);
            esk = NULL;
            sim_reply *r = call(&e, "Scan", req);
            ok(r);
            cr_assert_leq(num_at(r->body, "Count"), 3);
            const cJSON *it;
            cJSON_ArrayForEach(it, at(r->body, "Items"))
            {
                int k = atoi(str_at(it, "p.S") + 1);
                cr_assert_eq(seen[k], 0, "k%d in two segments", k);
                seen[k] = 1;
                in_seg++;
            }
            const cJSON *lek = cJSON_GetObjectItemCaseSensitive(r->body, "LastEvaluatedKey");
            if (lek == NULL)
                break;
            esk = cJSON_PrintUnformatted(lek);
        }
        nonempty += in_seg > 0;
    }
    for (int i = 0; i < N_ITEMS; i++)
        cr_assert_eq(seen[i], 1, "k%d in no segment", i);
    cr_assert_gt(nonempty, 1);
    t_fini(&e);
}

Test(ddb_parallel_scan, validation)
{
    tenv e;
    t_init(&e);
    fails(call(&e, "Scan", "{'TableName':'tbl','Segment':1}"), "ValidationException",
          "The TotalSegments parameter is required but was not present in the request when "
          "Segment parameter is present");
    fails(call(&e, "Scan", "{'TableName':'tbl','TotalSegments':2}"), "ValidationException",
          "The Segment parameter is required but was not present in the request when parameter "
          "TotalSegments is present");
    fails(call(&e, "Scan", "{'TableName':'tbl','Segment':2,'TotalSegments':2}"),
          "ValidationException",
          "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
          "Segment: 2 is not less than TotalSegments: 2");
    fails(call(&e, "Scan", "{'TableName':'tbl','Segment':0,'TotalSegments':1000001}"),
          "ValidationException",
          "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy "
          "constraint: Member must have value less than or equal to 1000000");
    fails(call(&e, "Scan", "{'TableName':'tbl','Segment':-1,'TotalSegments':0}"),
          "ValidationException",
          "2 validation errors detected: Value '0' at 'totalSegments' failed to satisfy "
          "constraint: Member must have value greater than or equal to 1; Value '-1' at "
          "'segment' failed to satisfy constraint: Member must have value greater than or "
          "equal to 0"); /* AWS's order: dynalite validations/scan.js */
    t_fini(&e);
}
