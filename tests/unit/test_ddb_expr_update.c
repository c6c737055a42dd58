/* test_ddb_expr_update.c - UpdateExpression: parsing, DynamoDB's error messages and the
 * resulting items (storage/ddb_update.c). Results are compared as compact JSON. */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_expr.h"

/* The item every test starts from. */
static const char *const base_item =
    "{\"id\":{\"S\":\"1\"},\"n\":{\"N\":\"5\"},"
    "\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},{\"S\":\"c\"}]},"
    "\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}},\"ss\":{\"SS\":[\"a\",\"b\"]},"
    "\"ns\":{\"NS\":[\"1\",\"2\"]}}";

/* Values the tests use. */
static const char *const vals =
    "{\":one\":{\"N\":\"1\"},\":half\":{\"N\":\"0.5\"},\":zero\":{\"N\":\"0\"},"
    "\":a\":{\"N\":\"0.1\"},\":b\":{\"N\":\"0.2\"},\":s\":{\"S\":\"str\"},"
    "\":more\":{\"L\":[{\"S\":\"d\"}]},\":ssa\":{\"SS\":[\"a\"]},\":ssab\":{\"SS\":[\"a\",\"b\"]},"
    "\":ssbc\":{\"SS\":[\"b\",\"c\"]},\":ns3\":{\"NS\":[\"3\",\"1.0\"]},"
    "\":big\":{\"N\":\"9e125\"},\":nines\":{\"N\":\"99999999999999999999999999999999999999\"},"
    "\":t\":{\"BOOL\":true},\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}";

typedef struct ufx {
    cJSON *names;
    cJSON *values;
    ddb_expr_env env;
} ufx;

static void ufx_init(ufx *f, const char *names)
{
    f->names = names != NULL ? cJSON_Parse(names) : NULL;
    f->values = cJSON_Parse(vals);
    cr_assert_not_null(f->values);
    cr_assert_eq(ddb_expr_env_init(&f->env, f->names, f->values), 0);
}

static void ufx_release(ufx *f)
{
    ddb_expr_env_release(&f->env);
    cJSON_Delete(f->names);
    cJSON_Delete(f->values);
}

/* Apply expr to item_json (or the base item); compare the result or the error. */
static void run(const char *item_json, const char *expr, const char *names, const char *want,
                const char *want_err)
{
    ufx f;
    ddb_update *u = NULL;
    char err[1024] = "";
    cJSON *item = cJSON_Parse(item_json != NULL ? item_json : base_item);
    int rc;
    cr_assert_not_null(item);
    ufx_init(&f, names);
    cr_assert_eq(ddb_update_parse(expr, &f.env, &u, err, sizeof err), 0, "%s: %s", expr, err);
    rc = ddb_update_apply(u, item, err, sizeof err);
    if (want_err != NULL) {
        cr_assert_eq(rc, -SIM_EINVAL, "%s", expr);
        cr_assert_str_eq(err, want_err, "%s", expr);
    } else {
        char *s;
        cr_assert_eq(rc, 0, "%s: %s", expr, err);
        s = cJSON_PrintUnformatted(item);
        cr_assert_str_eq(s, want, "%s", expr);
        cJSON_free(s);
    }
    ddb_update_free(u);
    ufx_release(&f);
    cJSON_Delete(item);
}

static void expect_item(const char *expr, const char *want)
{
    run(NULL, expr, NULL, want, NULL);
}

static void expect_parse_error(const char *expr, const char *names, const char *msg)
{
    ufx f;
    ddb_update *u = NULL;
    char err[1024] = "";
    ufx_init(&f, names);
    cr_assert_eq(ddb_update_parse(expr, &f.env, &u, err, sizeof err), -SIM_EINVAL, "%s", expr);
    cr_assert_str_eq(err, msg, "%s", expr);
    cr_assert_null(u);
    ufx_release(&f);
}

/* Developer guide, Expressions.UpdateExpressions ("SET", "Incrementing and decrementing
 * numeric attributes", "Appending elements to a list", "Preventing overwrites of an existing
 * attribute"); numbers are exact decimals. */
Test(ddb_expr_update, set)
{
    expect_item(
        "SET n = n + :one",
        "{\"id\":{\"S\":\"1\"},\"n\":{\"N\":\"6\"},\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},"
        "{\"S\":\"c\"}]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}},\"ss\":{\"SS\":[\"a\",\"b\"]},"
        "\"ns\":{\"NS\":[\"1\",\"2\"]}}");
    run("{\"n\":{\"N\":\"5\"}}", "SET n = n - :half", NULL, "{\"n\":{\"N\":\"4.5\"}}", NULL);
    run("{}", "SET p = :a + :b", NULL, "{\"p\":{\"N\":\"0.3\"}}", NULL);
    run("{}", "SET p = :b - :a", NULL, "{\"p\":{\"N\":\"0.1\"}}", NULL);
    run("{\"n\":{\"N\":\"5\"}}", "SET n = if_not_exists(n, :zero), c = if_not_exists(c, :zero)",
        NULL, "{\"n\":{\"N\":\"5\"},\"c\":{\"N\":\"0\"}}", NULL);
    run("{}", "SET c = if_not_exists(c, :zero) + :one", NULL, "{\"c\":{\"N\":\"1\"}}", NULL);
    run("{\"l\":{\"L\":[{\"S\":\"a\"}]}}", "SET l = list_append(l, :more)", NULL,
        "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"d\"}]}}", NULL);
    run("{\"l\":{\"L\":[{\"S\":\"a\"}]}}", "SET l = list_append(:more, l)", NULL,
        "{\"l\":{\"L\":[{\"S\":\"d\"},{\"S\":\"a\"}]}}", NULL);
    run("{\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}", "SET m.y = :t, m.x = :s", NULL,
        "{\"m\":{\"M\":{\"x\":{\"S\":\"str\"},\"y\":{\"BOOL\":true}}}}", NULL);
    run("{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}", "SET l[1] = :t, l[10] = :one", NULL,
        "{\"l\":{\"L\":[{\"S\":\"a\"},{\"BOOL\":true},{\"N\":\"1\"}]}}", NULL);
    run("{\"a\":{\"S\":\"x\"},\"b\":{\"S\":\"y\"}}", "SET a = b, b = a", NULL,
        "{\"a\":{\"S\":\"y\"},\"b\":{\"S\":\"x\"}}", NULL);
    run("{}", "SET #k = :m, #k2 = (:one)", "{\"#k\":\"map\",\"#k2\":\"one\"}",
        "{\"map\":{\"M\":{\"k\":{\"S\":\"v\"}}},\"one\":{\"N\":\"1\"}}", NULL);
    run("{\"x\":{\"N\":\"2\"}}", "set y = (x + :one), z = (x) - :one", NULL,
        "{\"x\":{\"N\":\"2\"},\"y\":{\"N\":\"3\"},\"z\":{\"N\":\"1\"}}", NULL);
}

/* "REMOVE": developer guide, Expressions.UpdateExpressions ("Removing elements from a
 * list": the indexes name the list as it was). */
Test(ddb_expr_update, remove)
{
    run("{\"n\":{\"N\":\"5\"},\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}}}",
        "REMOVE n, m.x", NULL, "{\"m\":{\"M\":{\"y\":{\"N\":\"2\"}}}}", NULL);
    run("{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},{\"S\":\"c\"}]}}", "REMOVE l[0], l[2]", NULL,
        "{\"l\":{\"L\":[{\"S\":\"b\"}]}}", NULL);
    run("{\"l\":{\"L\":[{\"S\":\"a\"}]}}", "REMOVE l[5], absent", NULL,
        "{\"l\":{\"L\":[{\"S\":\"a\"}]}}", NULL);
    run("{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}", "SET l[1] = :one REMOVE l[0]", NULL,
        "{\"l\":{\"L\":[{\"N\":\"1\"}]}}", NULL);
}

/* "ADD" (numbers and sets; creates the attribute) and "DELETE" (set difference; an emptied
 * set disappears): developer guide, Expressions.UpdateExpressions. */
Test(ddb_expr_update, add_and_delete)
{
    run("{\"n\":{\"N\":\"5\"}}", "ADD n :one, c :half", NULL,
        "{\"n\":{\"N\":\"6\"},\"c\":{\"N\":\"0.5\"}}", NULL);
    run("{\"ss\":{\"SS\":[\"a\",\"b\"]}}", "ADD ss :ssbc, t :ssa", NULL,
        "{\"ss\":{\"SS\":[\"a\",\"b\",\"c\"]},\"t\":{\"SS\":[\"a\"]}}", NULL);
    run("{\"ns\":{\"NS\":[\"1\",\"2\"]}}", "ADD ns :ns3", NULL,
        "{\"ns\":{\"NS\":[\"1\",\"2\",\"3\"]}}", NULL);
    run("{\"ss\":{\"SS\":[\"a\",\"b\"]}}", "DELETE ss :ssa", NULL, "{\"ss\":{\"SS\":[\"b\"]}}",
        NULL);
    run("{\"ss\":{\"SS\":[\"a\",\"b\"]},\"k\":{\"S\":\"x\"}}", "DELETE ss :ssab", NULL,
        "{\"k\":{\"S\":\"x\"}}", NULL);
    run("{\"ns\":{\"NS\":[\"1\",\"2\"]}}", "DELETE ns :ns3, absent :ssa", NULL,
        "{\"ns\":{\"NS\":[\"2\"]}}", NULL);
    run("{\"m\":{\"M\":{}}}", "ADD m.c :one", NULL, "{\"m\":{\"M\":{\"c\":{\"N\":\"1\"}}}}", NULL);
    expect_item(
        "SET n = :zero REMOVE m ADD c :one DELETE ss :ssa",
        "{\"id\":{\"S\":\"1\"},\"n\":{\"N\":\"0\"},\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},"
        "{\"S\":\"c\"}]},\"ss\":{\"SS\":[\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},"
        "\"c\":{\"N\":\"1\"}}");
    expect_item(
        "delete ss :ssa add n :one",
        "{\"id\":{\"S\":\"1\"},\"n\":{\"N\":\"6\"},\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},"
        "{\"S\":\"c\"}]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}},\"ss\":{\"SS\":[\"b\"]},"
        "\"ns\":{\"NS\":[\"1\",\"2\"]}}");
}

/* Errors found while applying (messages as DynamoDB returns them, recorded in dynalite's
 * test/updateItem.js); numbers per developer guide, HowItWorks.NamingRulesDataTypes. */
Test(ddb_expr_update, apply_errors)
{
    const char *type = "An operand in the update expression has an incorrect data type";
    run(NULL, "SET id = id + :one", NULL, NULL, type);
    run(NULL, "SET x = :one + id", NULL, NULL, type);
    run(NULL, "SET x = list_append(m, :more)", NULL, NULL, type);
    run(NULL, "ADD id :one", NULL, NULL, type);
    run(NULL, "ADD n :ssa", NULL, NULL, type);
    run(NULL, "DELETE ns :ssa", NULL, NULL, type);
    run(NULL, "DELETE id :ssa", NULL, NULL, type);
    run(NULL, "SET x = absent + :one", NULL, NULL,
        "The provided expression refers to an attribute that does not exist in the item");
    run(NULL, "SET x = absent", NULL, NULL,
        "The provided expression refers to an attribute that does not exist in the item");
    run(NULL, "SET q.r = :one", NULL, NULL,
        "The document path provided in the update expression is invalid for update");
    run(NULL, "SET l.x = :one", NULL, NULL,
        "The document path provided in the update expression is invalid for update");
    run(NULL, "SET m[0] = :one", NULL, NULL,
        "The document path provided in the update expression is invalid for update");
    run(NULL, "REMOVE q.r", NULL, NULL,
        "The document path provided in the update expression is invalid for update");
    run("{\"b\":{\"N\":\"9e125\"}}", "SET b = b + :big", NULL, NULL,
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range");
    run("{\"b\":{\"N\":\"99999999999999999999999999999999999999\"}}", "ADD b :one", NULL, NULL,
        "Attempting to store more than 38 significant digits in a Number");
    run("{}", "SET b = :nines + :one", NULL, NULL,
        "Attempting to store more than 38 significant digits in a Number");
}

/* Errors found while parsing, in DynamoDB's priority (reserved word, unknown function,
 * repeated clause, undefined name, undefined value, overlapping paths, conflicting paths,
 * ADD/DELETE operand type, function operands); recorded in dynalite's test/updateItem.js and
 * other emulators' conformance suites. */
Test(ddb_expr_update, parse_errors)
{
    expect_parse_error("", NULL, "Invalid UpdateExpression: The expression can not be empty;");
    expect_parse_error("SETX a = :one", NULL,
                       "Invalid UpdateExpression: Syntax error; token: \"SETX\", near: \"SETX a\"");
    expect_parse_error("SET a = ", NULL,
                       "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
    expect_parse_error("SET a = :one +", NULL,
                       "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"+\"");
    expect_parse_error("SET a = :one,", NULL,
                       "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\"");
    expect_parse_error("REMOVE a = :one", NULL,
                       "Invalid UpdateExpression: Syntax error; token: \"=\", near: \"a = :one\"");
    expect_parse_error("ADD a b", NULL,
                       "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\"");
    expect_parse_error("SET a = :one + :one + :one", NULL,
                       "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":one + "
                       ":one\"");
    expect_parse_error("SET name = :one", NULL,
                       "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved "
                       "keyword: name");
    expect_parse_error("SET a = foo(:one)", NULL,
                       "Invalid UpdateExpression: Invalid function name; function: foo");
    expect_parse_error("SET a = :one SET b = :one", NULL,
                       "Invalid UpdateExpression: The \"SET\" section can only be used once in "
                       "an update expression;");
    expect_parse_error("SET #x = :one", NULL,
                       "Invalid UpdateExpression: An expression attribute name used in the "
                       "document path is not defined; attribute name: #x");
    expect_parse_error("SET a = :nope", NULL,
                       "Invalid UpdateExpression: An expression attribute value used in "
                       "expression is not defined; attribute value: :nope");
    expect_parse_error("SET a = :one, a = :zero", NULL,
                       "Invalid UpdateExpression: Two document paths overlap with each other; "
                       "must remove or rewrite one of these paths; path one: [a], path two: [a]");
    expect_parse_error("SET m.x = :one REMOVE m", NULL,
                       "Invalid UpdateExpression: Two document paths overlap with each other; "
                       "must remove or rewrite one of these paths; path one: [m, x], path two: "
                       "[m]");
    expect_parse_error("SET l[1] = :one REMOVE l.x", NULL,
                       "Invalid UpdateExpression: Two document paths conflict with each other; "
                       "must remove or rewrite one of these paths; path one: [l, [1]], path two: "
                       "[l, x]");
    expect_parse_error("ADD a :s", NULL,
                       "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                       "operator: ADD, operand type: STRING");
    expect_parse_error("DELETE a :one", NULL,
                       "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                       "operator: DELETE, operand type: NUMBER");
    expect_parse_error("ADD a :m", NULL,
                       "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                       "operator: ADD, operand type: MAP");
    expect_parse_error("SET a = a + :s", NULL,
                       "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                       "operator or function: +, operand type: S");
    expect_parse_error("SET a = list_append(:one)", NULL,
                       "Invalid UpdateExpression: Incorrect number of operands for operator or "
                       "function; operator or function: list_append, number of operands: 1");
    expect_parse_error("SET a = list_append(:s, l)", NULL,
                       "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                       "operator or function: list_append, operand type: S");
    expect_parse_error("SET a = if_not_exists(:one, :zero)", NULL,
                       "Invalid UpdateExpression: Operator or function requires a document path; "
                       "operator or function: if_not_exists");
    /* priority: the reserved word wins over the undefined value */
    expect_parse_error("SET a = :nope, size = :one", NULL,
                       "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved "
                       "keyword: size");
}

Test(ddb_expr_update, touches_and_projection)
{
    ufx f;
    ddb_update *u = NULL;
    char err[512];
    cJSON *item = cJSON_Parse(base_item), *p;
    char *s;
    ufx_init(&f, NULL);
    cr_assert_eq(ddb_update_parse("SET n = n + :one, m.y = :t REMOVE l[1] ADD c :one", &f.env, &u,
                                  err, sizeof err),
                 0, "%s", err);
    cr_assert(ddb_update_touches(u, "n"));
    cr_assert(ddb_update_touches(u, "m"));
    cr_assert(ddb_update_touches(u, "l"));
    cr_assert(ddb_update_touches(u, "c"));
    cr_assert(!ddb_update_touches(u, "id"));
    cr_assert(!ddb_update_touches(u, "y"));
    /* ReturnValues UPDATED_OLD / UPDATED_NEW (API reference, UpdateItem) */
    p = ddb_update_project(u, item);
    s = cJSON_PrintUnformatted(p);
    cr_assert_str_eq(s, "{\"n\":{\"N\":\"5\"},\"l\":{\"L\":[{\"S\":\"b\"}]}}");
    cJSON_free(s);
    cJSON_Delete(p);
    cr_assert_eq(ddb_update_apply(u, item, err, sizeof err), 0, "%s", err);
    p = ddb_update_project(u, item);
    s = cJSON_PrintUnformatted(p);
    cr_assert_str_eq(s, "{\"n\":{\"N\":\"6\"},\"l\":{\"L\":[{\"S\":\"c\"}]},\"m\":{\"M\":{\"y\":"
                        "{\"BOOL\":true}}},\"c\":{\"N\":\"1\"}}");
    cJSON_free(s);
    cJSON_Delete(p);
    ddb_update_free(u);
    ufx_release(&f);
    cJSON_Delete(item);
}
