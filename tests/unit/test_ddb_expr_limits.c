/* test_ddb_expr_limits.c - AWS's expression limits (size 4 KB, 300 operators, 100 IN
 * operands, document paths 32 levels deep) and evaluation of condition trees far deeper than
 * any parsed expression can be, without exhausting the C stack.
 * Sources: DynamoDB developer guide, Constraints ("Expression parameters": "The maximum length
 * of any expression string is 4 KB", "The maximum number of operators or functions ... is
 * 300", "The maximum number of operands for the IN comparator is 100", "The maximum depth of
 * a document path is 32"). Messages as DynamoDB returns them, recorded in other emulators'
 * suites: scylladb test_limits.py ("Invalid ConditionExpression: The expression contains too
 * many operators; operator count: 301"; "nesting levels: 33"), extenddb's captured messages
 * (FilterExpression and ConditionExpression append " expression size: <bytes>", the others
 * do not), "The IN operator is provided with too many operands; number of operands: 101". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_expr.h"
#include "storage/ddb_expr_int.h"
#include "tests/unit/test_ddb_util.h"

/* A growing string buffer for building long expressions (aborts the test on ENOMEM). */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *t)
{
    size_t n = strlen(t);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        cr_assert_not_null(b->s);
    }
    memcpy(b->s + b->len, t, n + 1);
    b->len += n;
}

/* `term` repeated n times, joined by `sep`. Caller frees. */
static char *repeat(const char *term, const char *sep, int n)
{
    sbuf b = { NULL, 0, 0 };
    sb_add(&b, "");
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sb_add(&b, sep);
        sb_add(&b, term);
    }
    return b.s;
}

/* Parse a condition as what with the given values; return rc, message in err. */
static int parse_cond(const char *what, const char *expr, const char *values, char *err,
                      size_t cap)
{
    cJSON *v = values != NULL ? cJSON_Parse(values) : NULL;
    ddb_expr_env env;
    ddb_cond *c = NULL;
    cr_assert_eq(ddb_expr_env_init(&env, NULL, v), 0);
    err[0] = '\0';
    int rc = ddb_cond_parse(expr, what, &env, &c, err, cap);
    ddb_cond_free(c);
    ddb_expr_env_release(&env);
    cJSON_Delete(v);
    return rc;
}

#define VALS "{\":p\":{\"S\":\"x\"}}"

/* Constraints: "The maximum length of any expression string is 4 KB." 4096 bytes pass. */
Test(ddb_expr_limits, size_over_4096_bytes_before_parsing)
{
    char err[1024];
    /* exactly 4096 bytes: "v = :p" padded with spaces */
    char *ok_text = malloc(4097);
    cr_assert_not_null(ok_text);
    memset(ok_text, ' ', 4096);
    memcpy(ok_text, "v = :p", 6);
    ok_text[4096] = '\0';
    cr_assert_eq(parse_cond("FilterExpression", ok_text, VALS, err, sizeof err), 0, "%s", err);
    /* 4097 bytes: rejected with the size appended */
    ok_text = realloc(ok_text, 4098);
    cr_assert_not_null(ok_text);
    strcpy(ok_text + 4096, " ");
    cr_assert_eq(parse_cond("FilterExpression", ok_text, VALS, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid FilterExpression: Expression size has exceeded the maximum "
                          "allowed size; expression size: 4097");
    free(ok_text);

    /* the tester's crash: 60,000 terms joined by OR / AND (once a stack overflow) */
    char *f = repeat("v = :p", " OR ", 60000);
    cr_assert_eq(parse_cond("FilterExpression", f, VALS, err, sizeof err), -SIM_EINVAL);
    char want[256];
    snprintf(want, sizeof want,
             "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; "
             "expression size: %zu",
             strlen(f));
    cr_assert_str_eq(err, want);
    free(f);
    char *c = repeat("attribute_not_exists(pk)", " AND ", 60000);
    cr_assert_eq(parse_cond("ConditionExpression", c, NULL, err, sizeof err), -SIM_EINVAL);
    snprintf(want, sizeof want,
             "Invalid ConditionExpression: Expression size has exceeded the maximum allowed "
             "size; expression size: %zu",
             strlen(c));
    cr_assert_str_eq(err, want);
    free(c);
}

/* KeyConditionExpression, UpdateExpression and ProjectionExpression: no size suffix. */
Test(ddb_expr_limits, size_message_without_suffix)
{
    char err[1024];
    char *path = malloc(4200);
    cr_assert_not_null(path);
    memset(path, 'z', 4199);
    path[0] = 'a';
    path[4199] = '\0';

    char *kc = malloc(4300), *upd = malloc(4300);
    cr_assert(kc != NULL && upd != NULL);
    snprintf(kc, 4300, "pk = :p AND %s = :p", path);
    snprintf(upd, 4300, "SET %s = :p", path);
    cJSON *v = cJSON_Parse(VALS);
    ddb_expr_env env;
    cr_assert_eq(ddb_expr_env_init(&env, NULL, v), 0);

    ddb_keycond k;
    cr_assert_eq(ddb_keycond_parse(kc, &env, &k, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid KeyConditionExpression: Expression size has exceeded the "
                          "maximum allowed size;");
    ddb_update *u = NULL;
    cr_assert_eq(ddb_update_parse(upd, &env, &u, err, sizeof err), -SIM_EINVAL);
    cr_assert_null(u);
    cr_assert_str_eq(err, "Invalid UpdateExpression: Expression size has exceeded the maximum "
                          "allowed size;");
    ddb_proj *p = NULL;
    cr_assert_eq(ddb_proj_parse(path, &env, &p, err, sizeof err), -SIM_EINVAL);
    cr_assert_null(p);
    cr_assert_str_eq(err, "Invalid ProjectionExpression: Expression size has exceeded the "
                          "maximum allowed size;");
    /* a 4096-byte projection is fine */
    path[4096] = '\0';
    cr_assert_eq(ddb_proj_parse(path, &env, &p, err, sizeof err), 0, "%s", err);
    ddb_proj_free(p);

    ddb_expr_env_release(&env);
    cJSON_Delete(v);
    free(kc);
    free(upd);
    free(path);
}

/* 300 operators pass, the 301st is reported (scylladb test_deeply_nested_expression_2: 299
 * "<"/"or" pass; 909 are "operator count: 301"). */
Test(ddb_expr_limits, operator_count)
{
    char err[1024];
    /* parentheses are not operators: 60 levels of "or (a<b" hold 121 operators */
    sbuf b = { NULL, 0, 0 };
    sb_add(&b, "a<b ");
    for (int i = 0; i < 60; i++)
        sb_add(&b, "or (a<b ");
    for (int i = 0; i < 60; i++)
        sb_add(&b, ")");
    cr_assert_eq(parse_cond("ConditionExpression", b.s, NULL, err, sizeof err), 0, "%s", err);
    free(b.s);

    /* 150 terms joined by OR: 150 + 149 = 299 */
    char *t = repeat("v = :p", " OR ", 150);
    cr_assert_eq(parse_cond("FilterExpression", t, VALS, err, sizeof err), 0, "%s", err);
    free(t);
    /* 150 + 150 = 300 with one NOT */
    t = repeat("v = :p", " OR ", 150);
    char *t2 = malloc(strlen(t) + 8);
    cr_assert_not_null(t2);
    sprintf(t2, "NOT %s", t);
    cr_assert_eq(parse_cond("FilterExpression", t2, VALS, err, sizeof err), 0, "%s", err);
    free(t);
    free(t2);
    /* 151 terms: 301 */
    t = repeat("v = :p", " OR ", 151);
    cr_assert_eq(parse_cond("FilterExpression", t, VALS, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid FilterExpression: The expression contains too many operators; "
                          "operator count: 301");
    free(t);
    /* functions count: 151 attribute_exists joined by 150 AND = 301 */
    t = repeat("attribute_exists(a)", " AND ", 151);
    cr_assert_lt(strlen(t), 4096);
    cr_assert_eq(parse_cond("ConditionExpression", t, NULL, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid ConditionExpression: The expression contains too many "
                          "operators; operator count: 301");
    free(t);
    /* far more (909) still reports 301, as DynamoDB does */
    b = (sbuf){ NULL, 0, 0 };
    sb_add(&b, "a<b ");
    for (int i = 0; i < 454; i++)
        sb_add(&b, "or (a<b ");
    for (int i = 0; i < 454; i++)
        sb_add(&b, ")");
    cr_assert_lt(strlen(b.s), 4096);
    cr_assert_eq(parse_cond("ConditionExpression", b.s, NULL, err, sizeof err), -SIM_EINVAL);
    /* 454 levels of parentheses parse; DynamoDB then counts the 909 operators (the scylladb
     * test's comment records its message); a flat chain counts alike: */
    cr_assert_str_eq(err, "Invalid ConditionExpression: The expression contains too many "
                          "operators; operator count: 301");
    free(b.s);
    t = repeat("a<b", " or ", 455);
    cr_assert_lt(strlen(t), 4096);
    cr_assert_eq(parse_cond("ConditionExpression", t, NULL, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid ConditionExpression: The expression contains too many "
                          "operators; operator count: 301");
    free(t);
}

/* "The maximum number of operands for the IN comparator is 100." */
Test(ddb_expr_limits, in_operands)
{
    char err[1024];
    sbuf b = { NULL, 0, 0 };
    sb_add(&b, "v IN (");
    for (int i = 0; i < 100; i++)
        sb_add(&b, i ? ", :p" : ":p");
    sb_add(&b, ")");
    cr_assert_eq(parse_cond("FilterExpression", b.s, VALS, err, sizeof err), 0, "%s", err);
    b.len -= 1;
    b.s[b.len] = '\0';
    sb_add(&b, ", :p)");
    cr_assert_eq(parse_cond("FilterExpression", b.s, VALS, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid FilterExpression: The IN operator is provided with too many "
                          "operands; number of operands: 101");
    free(b.s);
}

/* "The maximum depth of a document path is 32" (scylla
 * test_projection_expression_path_nesting_levels: a.b...(32 levels) passes, 33 fail). */
Test(ddb_expr_limits, document_path_depth)
{
    char err[1024];
    char *p32 = repeat("b", ".", 32), *p33 = repeat("b", ".", 33);
    cJSON *v = cJSON_Parse(VALS);
    ddb_expr_env env;
    ddb_proj *p = NULL;
    cr_assert_eq(ddb_expr_env_init(&env, NULL, NULL), 0);
    cr_assert_eq(ddb_proj_parse(p32, &env, &p, err, sizeof err), 0, "%s", err);
    ddb_proj_free(p);
    p = NULL;
    cr_assert_eq(ddb_proj_parse(p33, &env, &p, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid ProjectionExpression: The document path has too many nesting "
                          "levels; nesting levels: 33");
    ddb_expr_env_release(&env);

    char text[512];
    snprintf(text, sizeof text, "%s[0] = :p", p33);
    cr_assert_eq(parse_cond("ConditionExpression", text, VALS, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid ConditionExpression: The document path has too many nesting "
                          "levels; nesting levels: 34");
    snprintf(text, sizeof text, "%s = :p", p32);
    cr_assert_eq(parse_cond("ConditionExpression", text, VALS, err, sizeof err), 0, "%s", err);

    ddb_update *u = NULL;
    cr_assert_eq(ddb_expr_env_init(&env, NULL, v), 0);
    snprintf(text, sizeof text, "SET %s = :p", p33);
    cr_assert_eq(ddb_update_parse(text, &env, &u, err, sizeof err), -SIM_EINVAL);
    cr_assert_null(u);
    cr_assert_str_eq(err, "Invalid UpdateExpression: The document path has too many nesting "
                          "levels; nesting levels: 33");
    ddb_expr_env_release(&env);
    cJSON_Delete(v);
    free(p32);
    free(p33);
}

/* A comparison leaf ":x = :y" with values a and b (owned by the node). */
static ddb__node *leaf(ddb__parser *ps, const char *a, const char *b)
{
    ddb__node *n = ddb__node_new(ps, DDB__N_CMP), *x = ddb__node_new(ps, DDB__N_VALUE),
              *y = ddb__node_new(ps, DDB__N_VALUE);
    cr_assert(n != NULL && x != NULL && y != NULL);
    n->op = DDB__EQ;
    x->value = cJSON_CreateObject();
    y->value = cJSON_CreateObject();
    cJSON_AddStringToObject(x->value, "S", a);
    cJSON_AddStringToObject(y->value, "S", b);
    cr_assert_eq(ddb__node_push(n, x), 0);
    cr_assert_eq(ddb__node_push(n, y), 0);
    return n;
}

/* A left-deep chain of n links of kind: every leaf false but the last (OR), or every leaf
 * true (AND). */
static ddb__node *chain(int kind, int n)
{
    ddb__parser ps;
    memset(&ps, 0, sizeof ps);
    ddb__node *left = leaf(&ps, "a", kind == DDB__N_OR ? "b" : "a");
    for (int i = 0; i < n; i++) {
        ddb__node *link = ddb__node_new(&ps, kind);
        cr_assert_not_null(link);
        cr_assert_eq(ddb__node_push(link, left), 0);
        cr_assert_eq(ddb__node_push(link, leaf(&ps, "a", kind == DDB__N_OR && i < n - 1 ? "b"
                                                                                        : "a")),
                     0);
        left = link;
    }
    return left;
}

/* Evaluation and freeing iterate along AND/OR chains: a 300,000-link chain (which no parsed
 * expression can reach any more) neither recurses per link nor overflows the stack. */
Test(ddb_expr_limits, deep_chains_evaluate_without_recursion)
{
    char err[256];
    int kinds[2] = { DDB__N_OR, DDB__N_AND };
    for (int k = 0; k < 2; k++) {
        struct ddb_cond *c = malloc(sizeof *c);
        cr_assert_not_null(c);
        c->root = chain(kinds[k], 300000);
        int out = -1;
        cr_assert_eq(ddb_cond_eval(c, NULL, &out, err, sizeof err), 0);
        cr_assert_eq(out, 1);
        ddb_cond_free(c);
    }
    /* short-circuit: an AND chain whose first leaf is false is false */
    ddb__parser ps;
    memset(&ps, 0, sizeof ps);
    struct ddb_cond *c = malloc(sizeof *c);
    cr_assert_not_null(c);
    ddb__node *n = ddb__node_new(&ps, DDB__N_AND);
    cr_assert_not_null(n);
    cr_assert_eq(ddb__node_push(n, leaf(&ps, "a", "b")), 0);
    cr_assert_eq(ddb__node_push(n, leaf(&ps, "a", "a")), 0);
    ddb__node *o = ddb__node_new(&ps, DDB__N_OR); /* (a=b AND a=a) OR a=a */
    cr_assert_not_null(o);
    cr_assert_eq(ddb__node_push(o, n), 0);
    cr_assert_eq(ddb__node_push(o, leaf(&ps, "a", "a")), 0);
    c->root = o;
    int out = -1;
    cr_assert_eq(ddb_cond_eval(c, NULL, &out, err, sizeof err), 0);
    cr_assert_eq(out, 1);
    ddb_cond_free(c);
}

/* Through the service: the tester's 60,000-term FilterExpression is a ValidationException,
 * not a crash. */
Test(ddb_expr_limits, scan_with_huge_filter_is_rejected)
{
    tenv e;
    t_init(&e);
    ok(call(&e, "CreateTable",
            "{'TableName':'tt1','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':"
            "'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],'BillingMode':"
            "'PAY_PER_REQUEST'}"));
    ok(call(&e, "PutItem", "{'TableName':'tt1','Item':{'pk':{'S':'a'},'v':{'S':'x'}}}"));
    char *f = repeat("v = :p", " OR ", 60000);
    cJSON *q = js("{'TableName':'tt1','ExpressionAttributeValues':{':p':{'S':'x'}}}");
    cJSON_AddStringToObject(q, "FilterExpression", f);
    sim_reply_clear(&e.r);
    cr_assert_eq(ddb_call(e.svc, "Scan", q, &e.r), 0);
    char want[256];
    snprintf(want, sizeof want,
             "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; "
             "expression size: %zu",
             strlen(f));
    fails(&e.r, "ValidationException", want);
    cJSON_Delete(q);
    free(f);

    char *cond = repeat("attribute_not_exists(pk)", " AND ", 60000);
    q = js("{'TableName':'tt1','Item':{'pk':{'S':'b'}}}");
    cJSON_AddStringToObject(q, "ConditionExpression", cond);
    sim_reply_clear(&e.r);
    cr_assert_eq(ddb_call(e.svc, "PutItem", q, &e.r), 0);
    snprintf(want, sizeof want,
             "Invalid ConditionExpression: Expression size has exceeded the maximum allowed "
             "size; expression size: %zu",
             strlen(cond));
    fails(&e.r, "ValidationException", want);
    cJSON_Delete(q);
    free(cond);
    t_fini(&e);
}
