/* test_ddb_expr_nesting.c - nesting of parentheses, NOT and function calls in expressions:
 * bounded only by the 4 KB expression size (DDB__DEPTH_MAX), never by a nesting limit of the
 * parser's own, and parsed, checked and evaluated within a bounded C stack.
 * Sources: DynamoDB developer guide, Constraints ("Expression parameters": "The maximum length
 * of any expression string is 4 KB", "The maximum number of operators or functions allowed in
 * an UpdateExpression is 300"); DynamoDB's answers to "a<b or (a<b or (..." recorded in
 * scylladb's test_limits.py (test_deeply_nested_expression_2: 149 levels are accepted, 454
 * levels get "The expression contains too many operators; operator count: 301"). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_expr.h"
#include "storage/ddb_expr_int.h"

/* The stack the parser and evaluator get here. The service runs them on the loop thread's
 * 8 MiB stack; under ASan (larger frames) the deepest 4 KB expressions need between 1 and
 * 2 MiB, measured with this test. */
#define STACK_BYTES ((size_t)2 * 1024 * 1024)

/* One parse (and evaluation when it parses) to run on a thread with STACK_BYTES of stack. */
typedef struct job {
    const char *what; /* "ConditionExpression", "KeyConditionExpression", "UpdateExpression" */
    const char *text; /* borrowed */
    int rc;           /* parse result */
    int value;        /* evaluation result of a condition that parsed */
    char err[1024];
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    cJSON *values = cJSON_Parse("{\":v\":{\"N\":\"1\"}}");
    cJSON *item = cJSON_Parse("{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"2\"}}");
    ddb_expr_env env;
    cr_assert_not_null(values);
    cr_assert_not_null(item);
    cr_assert_eq(ddb_expr_env_init(&env, NULL, values), 0);
    j->err[0] = '\0';
    j->value = -1;
    if (strcmp(j->what, "UpdateExpression") == 0) {
        ddb_update *u = NULL;
        j->rc = ddb_update_parse(j->text, &env, &u, j->err, sizeof j->err);
        if (j->rc == 0)
            j->value = ddb_update_apply(u, item, j->err, sizeof j->err);
        ddb_update_free(u);
    } else if (strcmp(j->what, "KeyConditionExpression") == 0) {
        ddb_keycond kc;
        memset(&kc, 0, sizeof kc);
        j->rc = ddb_keycond_parse(j->text, &env, &kc, j->err, sizeof j->err);
        ddb_keycond_release(&kc);
    } else {
        ddb_cond *c = NULL;
        j->rc = ddb_cond_parse(j->text, j->what, &env, &c, j->err, sizeof j->err);
        if (j->rc == 0)
            cr_assert_eq(ddb_cond_eval(c, item, &j->value, j->err, sizeof j->err), 0);
        ddb_cond_free(c);
    }
    ddb_expr_env_release(&env);
    cJSON_Delete(values);
    cJSON_Delete(item);
    return NULL;
}

/* Run j on a STACK_BYTES thread: an overflow there is a crash, and fails the test. */
static void run_bounded(job *j)
{
    pthread_attr_t attr;
    pthread_t t;
    cr_assert_eq(pthread_attr_init(&attr), 0);
    cr_assert_eq(pthread_attr_setstacksize(&attr, STACK_BYTES), 0);
    cr_assert_eq(pthread_create(&t, &attr, run_job, j), 0);
    cr_assert_eq(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);
}

/* head repeated n times, then mid, then tail repeated n times. Caller frees. */
static char *nest(const char *head, int n, const char *mid, const char *tail)
{
    size_t hl = strlen(head), ml = strlen(mid), tl = strlen(tail);
    char *s = malloc(hl * (size_t)n + ml + tl * (size_t)n + 1), *p;
    cr_assert_not_null(s);
    p = s;
    for (int i = 0; i < n; i++, p += hl)
        memcpy(p, head, hl);
    memcpy(p, mid, ml);
    p += ml;
    for (int i = 0; i < n; i++, p += tl)
        memcpy(p, tail, tl);
    *p = '\0';
    return s;
}

/* Parse what/text on the bounded stack; expect rc (ANY_RC: 0 or -SIM_EINVAL) and, when msg is
 * not NULL, the message. */
#define ANY_RC 1
static job *expect(const char *what, char *text, int rc, const char *msg)
{
    static job j;
    cr_assert_leq(strlen(text), 4096, "%zu bytes", strlen(text));
    j.what = what;
    j.text = text;
    run_bounded(&j);
    if (rc == ANY_RC)
        cr_assert(j.rc == 0 || (j.rc == -SIM_EINVAL && j.err[0] != '\0'), "%s: %d", what, j.rc);
    else
        cr_assert_eq(j.rc, rc, "%s: %s", what, j.err);
    if (msg != NULL)
        cr_assert_str_eq(j.err, msg);
    free(text);
    return &j;
}

/* 149 levels of "a<b or (" hold 299 operators: accepted and evaluated, as DynamoDB does;
 * 454 levels parse and are refused for their 909 operators, reported as 301. */
Test(ddb_expr_nesting, beyond_64_levels_as_dynamodb)
{
    job *j = expect("ConditionExpression", nest("a<b or (", 149, "a<b", ")"), 0, NULL);
    cr_assert_eq(j->value, 1);
    expect("FilterExpression", nest("a<b or (", 454, "a<b", ")"), -SIM_EINVAL,
           "Invalid FilterExpression: The expression contains too many operators; "
           "operator count: 301");
    /* NOT (NOT (... 299 levels: 299 operators plus the comparison */
    j = expect("ConditionExpression", nest("NOT (", 299, "a = :v", ")"), 0, NULL);
    cr_assert_eq(j->value, 0);
}

/* The deepest expressions 4 KB allows parse on a bounded stack, whatever their verdict. */
Test(ddb_expr_nesting, deepest_4kb_expressions_fit_the_stack)
{
    /* 2,045 pairs of parentheses around one comparison: redundant parentheses */
    expect("ConditionExpression", nest("(", 2045, "a = :v", ")"), -SIM_EINVAL,
           "Invalid ConditionExpression: The expression has redundant parentheses;");
    /* 4,095 opening parentheses, never closed: a syntax error at the end */
    expect("ConditionExpression", nest("(", 4095, "a", ""), -SIM_EINVAL,
           "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
    expect("KeyConditionExpression", nest("(", 4095, "a", ""), -SIM_EINVAL, NULL);
    /* 1,022 NOTs: 1,023 operators */
    expect("ConditionExpression", nest("NOT ", 1022, "a = :v", ""), -SIM_EINVAL,
           "Invalid ConditionExpression: The expression contains too many operators; "
           "operator count: 301");
    /* 682 nested size() calls */
    expect("ConditionExpression", nest("size(", 682, "a", ")"), -SIM_EINVAL, NULL);
    /* operands nested in parentheses inside an update, and if_not_exists 226 deep */
    expect("UpdateExpression", nest("(", 2040, ":v", ")"), -SIM_EINVAL, NULL);
    char *u = nest("(", 2040, ":v", ")");
    char *set = malloc(strlen(u) + 16);
    cr_assert_not_null(set);
    snprintf(set, strlen(u) + 16, "SET a = %s", u);
    free(u);
    expect("UpdateExpression", set, ANY_RC, NULL);
    u = nest("if_not_exists(a, ", 226, ":v", ")");
    set = malloc(strlen(u) + 16);
    cr_assert_not_null(set);
    snprintf(set, strlen(u) + 16, "SET a = %s", u);
    free(u);
    job *j = expect("UpdateExpression", set, 0, NULL);
    cr_assert_eq(j->value, 0, "%s", j->err);
}

/* A copy of s for expect(), which frees what it is given. */
static char *dup(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

/* An operand in parentheses is parsed once and reused when the parser retries it as a
 * condition in parentheses: the results are those of parsing it afresh. */
Test(ddb_expr_nesting, operands_in_parentheses_reused_exactly)
{
    job *j = expect("ConditionExpression", dup("(a) = :v"), 0, NULL);
    cr_assert_eq(j->value, 1);
    j = expect("ConditionExpression", dup("((a) = :v)"), 0, NULL);
    cr_assert_eq(j->value, 1);
    j = expect("ConditionExpression", dup("((a) < (b)) AND (b) > (:v)"), 0, NULL);
    cr_assert_eq(j->value, 1);
    expect("ConditionExpression", dup("((a)) = :v"), -SIM_EINVAL,
           "Invalid ConditionExpression: The expression has redundant parentheses;");
    expect("ConditionExpression", dup("((a = :v))"), -SIM_EINVAL,
           "Invalid ConditionExpression: The expression has redundant parentheses;");
    expect("ConditionExpression", dup("(((a)))"), -SIM_EINVAL,
           "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \")\"");
    /* 2,047 pairs around an operand and no comparator: a syntax error, found in linear time */
    expect("ConditionExpression", nest("(", 2047, "a", ")"), -SIM_EINVAL,
           "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \")\"");
}
