/* test_ddb_expr_proj.c - ProjectionExpression: parsing, DynamoDB's messages and the projected
 * items (storage/ddb_proj.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_expr.h"

static const char *const item_json =
    "{\"id\":{\"S\":\"1\"},\"n\":{\"N\":\"5\"},"
    "\"l\":{\"L\":[{\"S\":\"a\"},{\"M\":{\"k\":{\"S\":\"v\"},\"j\":{\"N\":\"2\"}}},{\"S\":\"c\"}]},"
    "\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"M\":{\"z\":{\"BOOL\":true}}}}}}";

/* Project item_json with expr; compare the compact JSON. */
static void expect_proj(const char *expr, const char *names, const char *want)
{
    ddb_expr_env env;
    ddb_proj *p = NULL;
    char err[1024] = "";
    cJSON *n = names != NULL ? cJSON_Parse(names) : NULL;
    cJSON *item = cJSON_Parse(item_json), *out;
    char *s;
    cr_assert_not_null(item);
    cr_assert_eq(ddb_expr_env_init(&env, n, NULL), 0);
    cr_assert_eq(ddb_proj_parse(expr, &env, &p, err, sizeof err), 0, "%s: %s", expr, err);
    cr_assert_eq(ddb_expr_env_check_unused(&env, err, sizeof err), 0, "%s", err);
    out = ddb_proj_apply(p, item);
    cr_assert_not_null(out);
    s = cJSON_PrintUnformatted(out);
    cr_assert_str_eq(s, want, "%s", expr);
    cJSON_free(s);
    cJSON_Delete(out);
    ddb_proj_free(p);
    ddb_expr_env_release(&env);
    cJSON_Delete(n);
    cJSON_Delete(item);
}

static void expect_proj_error(const char *expr, const char *names, const char *msg)
{
    ddb_expr_env env;
    ddb_proj *p = NULL;
    char err[1024] = "";
    cJSON *n = names != NULL ? cJSON_Parse(names) : NULL;
    cr_assert_eq(ddb_expr_env_init(&env, n, NULL), 0);
    cr_assert_eq(ddb_proj_parse(expr, &env, &p, err, sizeof err), -SIM_EINVAL, "%s", expr);
    cr_assert_str_eq(err, msg, "%s", expr);
    cr_assert_null(p);
    ddb_expr_env_release(&env);
    cJSON_Delete(n);
}

/* Developer guide, Expressions.ProjectionExpressions: top-level attributes, nested map
 * members and list elements; absent paths are left out. */
Test(ddb_expr_proj, apply)
{
    expect_proj("id", NULL, "{\"id\":{\"S\":\"1\"}}");
    expect_proj("n, id", NULL, "{\"id\":{\"S\":\"1\"},\"n\":{\"N\":\"5\"}}");
    expect_proj("m.x", NULL, "{\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}");
    expect_proj("m.y.z, id", NULL,
                "{\"id\":{\"S\":\"1\"},\"m\":{\"M\":{\"y\":{\"M\":{\"z\":{\"BOOL\":true}}}}}}");
    expect_proj("l[2], l[0]", NULL, "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"c\"}]}}");
    expect_proj("l[1].k", NULL, "{\"l\":{\"L\":[{\"M\":{\"k\":{\"S\":\"v\"}}}]}}");
    expect_proj("#m.#x, #l[9]", "{\"#m\":\"m\",\"#x\":\"x\",\"#l\":\"l\"}",
                "{\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}");
    expect_proj("absent, m.q, n.x, l[7]", NULL, "{}");
    expect_proj(" id ,m . x ", NULL, "{\"id\":{\"S\":\"1\"},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}");
}

/* Messages recorded from DynamoDB in dynalite's test/getItem.js (ProjectionExpression
 * cases) and other emulators' conformance suites. */
Test(ddb_expr_proj, errors)
{
    expect_proj_error("", NULL, "Invalid ProjectionExpression: The expression can not be empty;");
    expect_proj_error("!!! INVALID !!!", NULL,
                      "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"");
    expect_proj_error("a b", NULL,
                      "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\"");
    expect_proj_error("a,", NULL,
                      "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\"");
    expect_proj_error("a[b]", NULL,
                      "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"[b]\"");
    expect_proj_error(":a", NULL,
                      "Invalid ProjectionExpression: Syntax error; token: \":a\", near: \":a\"");
    expect_proj_error("a.abORt", NULL,
                      "Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                      "reserved keyword: abORt");
    expect_proj_error("#a,ABSoLUTE", "{\"#a\":\"a\"}",
                      "Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                      "reserved keyword: ABSoLUTE");
    expect_proj_error("a,b,a,#a", NULL,
                      "Invalid ProjectionExpression: An expression attribute name used in the "
                      "document path is not defined; attribute name: #a");
    expect_proj_error("b[1], b.a, #a.b, a", "{\"#a\":\"a\"}",
                      "Invalid ProjectionExpression: Two document paths overlap with each other; "
                      "must remove or rewrite one of these paths; path one: [a, b], path two: "
                      "[a]");
    expect_proj_error("a, #a[1]", "{\"#a\":\"a\"}",
                      "Invalid ProjectionExpression: Two document paths overlap with each other; "
                      "must remove or rewrite one of these paths; path one: [a], path two: [a, "
                      "[1]]");
    expect_proj_error("a.b, #a[1], #b", "{\"#a\":\"a\",\"#b\":\"[3]\"}",
                      "Invalid ProjectionExpression: Two document paths conflict with each "
                      "other; must remove or rewrite one of these paths; path one: [a, b], path "
                      "two: [a, [1]]");
    expect_proj_error("a[3].b, #a.#b.b", "{\"#a\":\"a\",\"#b\":\"[3]\"}",
                      "Invalid ProjectionExpression: Two document paths conflict with each "
                      "other; must remove or rewrite one of these paths; path one: [a, [3], b], "
                      "path two: [a, [3], b]");
}

Test(ddb_expr_proj, unused_names_are_reported)
{
    ddb_expr_env env;
    ddb_proj *p = NULL;
    char err[512];
    cJSON *n = cJSON_Parse("{\"#a\":\"a\",\"#b\":\"b\"}");
    cr_assert_eq(ddb_expr_env_init(&env, n, NULL), 0);
    cr_assert_eq(ddb_proj_parse("a,b", &env, &p, err, sizeof err), 0);
    cr_assert_eq(ddb_expr_env_check_unused(&env, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Value provided in ExpressionAttributeNames unused in expressions: "
                          "keys: {#a, #b}");
    ddb_proj_free(p);
    ddb_expr_env_release(&env);
    cJSON_Delete(n);
}
