/* test_ddb_expr.c - condition expressions (parse, checks, evaluation), key conditions and
 * the ExpressionAttributeNames/Values substitutions (storage/ddb_expr_*.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "sim/core/sim_rng.h"
#include "storage/ddb_expr.h"

/* The substitutions of one request, owned by the test. */
typedef struct fx {
    cJSON *names;
    cJSON *values;
    ddb_expr_env env;
} fx;

static void fx_init(fx *f, const char *names, const char *values)
{
    f->names = names != NULL ? cJSON_Parse(names) : NULL;
    f->values = values != NULL ? cJSON_Parse(values) : NULL;
    cr_assert(names == NULL || f->names != NULL, "bad names fixture");
    cr_assert(values == NULL || f->values != NULL, "bad values fixture");
    cr_assert_eq(ddb_expr_env_init(&f->env, f->names, f->values), 0);
}

static void fx_release(fx *f)
{
    ddb_expr_env_release(&f->env);
    cJSON_Delete(f->names);
    cJSON_Delete(f->values);
}

/* Parse expr as what; expect the exact message. */
static void expect_error_as(const char *what, const char *expr, const char *names,
                            const char *values, const char *msg)
{
    fx f;
    ddb_cond *c = NULL;
    char err[1024] = "";
    fx_init(&f, names, values);
    cr_assert_eq(ddb_cond_parse(expr, what, &f.env, &c, err, sizeof err), -SIM_EINVAL, "%s", expr);
    cr_assert_str_eq(err, msg, "%s", expr);
    cr_assert_null(c);
    fx_release(&f);
}

static void expect_error(const char *expr, const char *names, const char *values, const char *msg)
{
    expect_error_as("ConditionExpression", expr, names, values, msg);
}

/* The sample item the evaluation tests run on. */
static const char *const item_json =
    "{\"id\":{\"S\":\"u1\"},\"age\":{\"N\":\"30\"},\"nm\":{\"S\":\"Alice\"},"
    "\"tags\":{\"SS\":[\"a\",\"b\"]},\"scores\":{\"NS\":[\"1\",\"2.5\"]},"
    "\"bin\":{\"B\":\"AAEC\"},\"active\":{\"BOOL\":true},\"nothing\":{\"NULL\":true},"
    "\"profile\":{\"M\":{\"city\":{\"S\":\"Paris\"},\"zip\":{\"N\":\"75001\"},"
    "\"langs\":{\"L\":[{\"S\":\"fr\"},{\"S\":\"en\"}]}}},"
    "\"lst\":{\"L\":[{\"N\":\"1\"},{\"S\":\"two\"},{\"M\":{\"x\":{\"N\":\"3\"}}}]},"
    "\"emoji\":{\"S\":\"\xc3\xa9\xf0\x9d\x84\x9e\"}}";

/* Values shared by the evaluation tests. */
static const char *const vals_json =
    "{\":yes\":{\"N\":\"30.0\"},\":no\":{\"N\":\"31\"},\":s30\":{\"S\":\"30\"},"
    "\":zero\":{\"N\":\"0\"},\":two\":{\"N\":\"2\"},\":three\":{\"N\":\"3\"},"
    "\":A\":{\"S\":\"A\"},\":B\":{\"S\":\"B\"},\":Al\":{\"S\":\"Al\"},\":lic\":{\"S\":\"lic\"},"
    "\":ta\":{\"S\":\"a\"},\":n25\":{\"N\":\"2.50\"},\":stwo\":{\"S\":\"two\"},"
    "\":tN\":{\"S\":\"N\"},\":tS\":{\"S\":\"S\"},\":b01\":{\"B\":\"AAE=\"},\":fr\":{\"S\":\"fr\"},"
    "\":paris\":{\"S\":\"Paris\"},\":t\":{\"BOOL\":true},\":null\":{\"NULL\":true},"
    "\":l\":{\"L\":[{\"S\":\"fr\"},{\"S\":\"en\"}]}}";

/* Evaluate expr on the sample item (or on no item). */
static int eval_on(const char *expr, const char *names, int no_item)
{
    fx f;
    ddb_cond *c = NULL;
    char err[1024] = "";
    cJSON *item = cJSON_Parse(item_json);
    int result = -1;
    cr_assert_not_null(item);
    fx_init(&f, names, vals_json);
    cr_assert_eq(ddb_cond_parse(expr, "ConditionExpression", &f.env, &c, err, sizeof err), 0,
                 "%s: %s", expr, err);
    cr_assert_eq(ddb_cond_eval(c, no_item ? NULL : item, &result, err, sizeof err), 0, "%s", expr);
    ddb_cond_free(c);
    fx_release(&f);
    cJSON_Delete(item);
    return result;
}

static int eval(const char *expr)
{
    return eval_on(expr, NULL, 0);
}

/* Developer guide, Expressions.OperatorsAndFunctions: comparators compare values of the
 * same type; an absent attribute or a type mismatch makes a comparison false and <> true. */
Test(ddb_expr_eval, comparators)
{
    cr_assert_eq(eval("age = :yes"), 1);
    cr_assert_eq(eval("age <> :yes"), 0);
    cr_assert_eq(eval("age <> :no"), 1);
    cr_assert_eq(eval("age = :s30"), 0);
    cr_assert_eq(eval("age <> :s30"), 1);
    cr_assert_eq(eval("absent = :yes"), 0);
    cr_assert_eq(eval("absent <> :yes"), 1);
    cr_assert_eq(eval("age < :no"), 1);
    cr_assert_eq(eval("age <= :yes"), 1);
    cr_assert_eq(eval("age > :yes"), 0);
    cr_assert_eq(eval("age >= :yes"), 1);
    cr_assert_eq(eval("age < :s30"), 0);
    cr_assert_eq(eval("age > :s30"), 0);
    cr_assert_eq(eval("absent < :no"), 0);
    cr_assert_eq(eval("nm > :A"), 1);
    cr_assert_eq(eval("nm < :B"), 1);
    cr_assert_eq(eval("active = :t"), 1);
    cr_assert_eq(eval("nothing = :null"), 1);
    cr_assert_eq(eval("profile.langs = :l"), 1);
    cr_assert_eq(eval(":yes = age"), 1);
}

Test(ddb_expr_eval, between_and_in)
{
    cr_assert_eq(eval("nm BETWEEN :A AND :B"), 1);
    cr_assert_eq(eval("nm between :Al and :B"), 1);
    cr_assert_eq(eval("age BETWEEN :zero AND :yes"), 1);
    cr_assert_eq(eval("age BETWEEN :zero AND :two"), 0);
    cr_assert_eq(eval("age BETWEEN :A AND :B"), 0);
    cr_assert_eq(eval("absent BETWEEN :zero AND :no"), 0);
    cr_assert_eq(eval("age IN (:no, :yes)"), 1);
    cr_assert_eq(eval("age in (:no, :two)"), 0);
    cr_assert_eq(eval("age IN (:s30)"), 0);
    cr_assert_eq(eval("absent IN (:yes)"), 0);
}

Test(ddb_expr_eval, functions)
{
    cr_assert_eq(eval("attribute_exists(profile.city)"), 1);
    cr_assert_eq(eval("attribute_exists(profile.country)"), 0);
    cr_assert_eq(eval("attribute_exists(lst[2].x)"), 1);
    cr_assert_eq(eval("attribute_exists(lst[3])"), 0);
    cr_assert_eq(eval("attribute_exists(nm.given)"), 0);
    cr_assert_eq(eval("attribute_not_exists(absent)"), 1);
    cr_assert_eq(eval("attribute_not_exists(age)"), 0);
    cr_assert_eq(eval("attribute_type(age, :tN)"), 1);
    cr_assert_eq(eval("attribute_type(age, :tS)"), 0);
    cr_assert_eq(eval("attribute_type(absent, :tN)"), 0);
    cr_assert_eq(eval("begins_with(nm, :Al)"), 1);
    cr_assert_eq(eval("begins_with(nm, :lic)"), 0);
    cr_assert_eq(eval("begins_with(bin, :b01)"), 1);
    cr_assert_eq(eval("begins_with(age, :Al)"), 0);
    cr_assert_eq(eval("contains(nm, :lic)"), 1);
    cr_assert_eq(eval("contains(nm, :ta)"), 0);
    cr_assert_eq(eval("contains(tags, :ta)"), 1);
    cr_assert_eq(eval("contains(tags, :lic)"), 0);
    cr_assert_eq(eval("contains(scores, :n25)"), 1);
    cr_assert_eq(eval("contains(scores, :two)"), 0);
    cr_assert_eq(eval("contains(lst, :stwo)"), 1);
    cr_assert_eq(eval("contains(profile.langs, :fr)"), 1);
    cr_assert_eq(eval("contains(bin, :b01)"), 1);
}

/* size() counts String characters in UTF-16 code units, Binary bytes, and elements of sets,
 * lists and maps; it is undefined for other types (Expressions.OperatorsAndFunctions). */
Test(ddb_expr_eval, size)
{
    cr_assert_eq(eval("size(tags) = :two"), 1);
    cr_assert_eq(eval("size(emoji) = :three"), 1);
    cr_assert_eq(eval("size(nm) > :three"), 1);
    cr_assert_eq(eval("size(bin) = :three"), 1);
    cr_assert_eq(eval("size(profile) = :three"), 1);
    cr_assert_eq(eval("size(lst) = :three"), 1);
    cr_assert_eq(eval("size(profile.langs) = :two"), 1);
    cr_assert_eq(eval("size(age) > :zero"), 0);
    cr_assert_eq(eval("size(absent) >= :zero"), 0);
    cr_assert_eq(eval("size(tags) BETWEEN :zero AND :two"), 1);
}

Test(ddb_expr_eval, paths_and_names)
{
    cr_assert_eq(eval("lst[1] = :stwo"), 1);
    cr_assert_eq(eval("lst[2].x = :three"), 1);
    cr_assert_eq(eval("profile.langs[0] = :fr"), 1);
    cr_assert_eq(eval("profile.city = :paris"), 1);
    cr_assert_eq(eval_on("#p.#c = :paris", "{\"#p\":\"profile\",\"#c\":\"city\"}", 0), 1);
    cr_assert_eq(eval_on("#n = :yes", "{\"#n\":\"age\"}", 0), 1);
}

/* Precedence (Expressions.OperatorsAndFunctions, "Precedence in conditions"): = <> < <= > >=,
 * IN, BETWEEN, attribute_exists ... size, NOT, AND, OR; keywords are case-insensitive. */
Test(ddb_expr_eval, precedence_and_case)
{
    cr_assert_eq(eval("age = :yes OR age = :no AND nm = :A"), 1);
    cr_assert_eq(eval("(age = :yes OR age = :no) AND nm = :A"), 0);
    cr_assert_eq(eval("NOT age = :no AND nm = :A"), 0);
    cr_assert_eq(eval("NOT (age = :no AND nm = :A)"), 1);
    cr_assert_eq(eval("not age = :no and not nm = :A"), 1);
    cr_assert_eq(eval("age = :no or age = :yes"), 1);
    cr_assert_eq(eval("NoT NOT age = :yes"), 1);
    cr_assert_eq(eval("age = :yes AND (nm = :A OR attribute_exists(tags))"), 1);
    cr_assert_eq(eval("attribute_exists(tags) AND NOT attribute_exists(absent) AND age "
                      "BetWeen :zero aNd :no"),
                 1);
}

/* ConditionExpression on an absent item (PutItem on a new key): only the "not exists"
 * kind of test can hold (developer guide, Expressions.ConditionExpressions). */
Test(ddb_expr_eval, no_item)
{
    cr_assert_eq(eval_on("attribute_not_exists(id)", NULL, 1), 1);
    cr_assert_eq(eval_on("attribute_exists(id)", NULL, 1), 0);
    cr_assert_eq(eval_on("age <> :yes", NULL, 1), 1);
    cr_assert_eq(eval_on("age = :yes", NULL, 1), 0);
}

/* Syntax errors: DynamoDB names the offending token and the text from the token before it
 * to the token after it ("Syntax error; token: \"b\", near: \"a b\""); recorded from
 * DynamoDB in dynalite's test/scan.js and other emulators' conformance suites. */
Test(ddb_expr_errors, syntax)
{
    expect_error("", NULL, NULL, "Invalid ConditionExpression: The expression can not be empty;");
    expect_error("   ", NULL, NULL,
                 "Invalid ConditionExpression: The expression can not be empty;");
    expect_error("a > 4", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"4\", near: \"> 4\"");
    expect_error("things are not gonna be ok", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"are\", near: \"things are "
                 "not\"");
    expect_error("attribute_type()", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\"");
    expect_error("a = ", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
    expect_error("!!! INVALID !!!", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"!!\"");
    expect_error("a = b c", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"c\", near: \"b c\"");
    expect_error("a > :things.stuff", NULL, "{\":things\":{\"S\":\"x\"}}",
                 "Invalid ConditionExpression: Syntax error; token: \".\", near: "
                 "\":things.stuff\"");
    expect_error("a in b", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"b\", near: \"in b\"");
    expect_error("a in (b,c,)", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \")\", near: \",)\"");
    expect_error("a > between", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"between\", near: \"> "
                 "between\"");
    expect_error("b[:a] > a", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \":a\", near: \"[:a]\"");
    expect_error("size(a).b > a", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \".\", near: \").b\"");
    expect_error("a = b AND", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
    expect_error("attribute_exists(Pictures..RearView)", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \".\", near: \"..RearView\"");
    expect_error("\xc3\xbc > a", NULL, NULL,
                 "Invalid ConditionExpression: Syntax error; token: \"\xc3\xbc\", near: "
                 "\"\xc3\xbc >\"");
    expect_error_as("FilterExpression", "a >", NULL, NULL,
                    "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \">\"");
}

/* Semantic errors and their priority: redundant parentheses, unknown function, misused
 * function, reserved word, then the first condition's own error (undefined substitution,
 * operand count, distinct operands, operand type). Recorded from DynamoDB in dynalite's
 * test/scan.js ("FilterExpression" cases); reserved words: developer guide, ReservedWords. */
Test(ddb_expr_errors, semantic)
{
    expect_error("a=a and a > ((views))", NULL, NULL,
                 "Invalid ConditionExpression: The expression has redundant parentheses;");
    expect_error("a=a AND ((a=a AND a=a)) AND a=a", NULL, NULL,
                 "Invalid ConditionExpression: The expression has redundant parentheses;");
    expect_error("a > whatever((:things), ((a)))", NULL, NULL,
                 "Invalid ConditionExpression: The expression has redundant parentheses;");
    expect_error("a=a and whatever((:things)) > a", NULL, NULL,
                 "Invalid ConditionExpression: Invalid function name; function: whatever");
    expect_error("attRIbute_exIsts((views), #a)", NULL, NULL,
                 "Invalid ConditionExpression: Invalid function name; function: "
                 "attRIbute_exIsts");
    expect_error("attribute_not_exists(things) > b", NULL, NULL,
                 "Invalid ConditionExpression: The function is not allowed to be used this way "
                 "in an expression; function: attribute_not_exists");
    expect_error("size(things)", NULL, NULL,
                 "Invalid ConditionExpression: The function is not allowed to be used this way "
                 "in an expression; function: size");
    expect_error("size(contains(a, b)) > a", NULL, NULL,
                 "Invalid ConditionExpression: The function is not allowed to be used this way "
                 "in an expression; function: contains");
    expect_error("a in (b, attribute_exists(things))", NULL, NULL,
                 "Invalid ConditionExpression: The function is not allowed to be used this way "
                 "in an expression; function: attribute_exists");
    expect_error("attribute_exists(views, #a)", NULL, NULL,
                 "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
                 "keyword: views");
    expect_error(":a < abOrT", NULL, NULL,
                 "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
                 "keyword: abOrT");
    expect_error("a.Name = :x", NULL, "{\":x\":{\"S\":\"x\"}}",
                 "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
                 "keyword: Name");
    expect_error("#4g > a", NULL, NULL,
                 "Invalid ConditionExpression: An expression attribute name used in the "
                 "document path is not defined; attribute name: #4g");
    expect_error("(a)between(b.c[45].#d)and(:a)", NULL, NULL,
                 "Invalid ConditionExpression: An expression attribute name used in the "
                 "document path is not defined; attribute name: #d");
    expect_error(":a < :b", NULL, NULL,
                 "Invalid ConditionExpression: An expression attribute value used in expression "
                 "is not defined; attribute value: :a");
    expect_error("begins_with(things)", NULL, NULL,
                 "Invalid ConditionExpression: Incorrect number of operands for operator or "
                 "function; operator or function: begins_with, number of operands: 1");
    expect_error("size(things, a) > b", NULL, NULL,
                 "Invalid ConditionExpression: Incorrect number of operands for operator or "
                 "function; operator or function: size, number of operands: 2");
    expect_error("begins_with(a, :a)", NULL, "{\":a\":{\"N\":\"1\"}}",
                 "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                 "operator or function: begins_with, operand type: N");
    expect_error("begins_with(a, size(a)) and a=:a", NULL, "{\":a\":{\"N\":\"1\"}}",
                 "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                 "operator or function: begins_with, operand type: N");
    expect_error("size(:a) > a", NULL, "{\":a\":{\"BOOL\":true}}",
                 "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                 "operator or function: size, operand type: BOOL");
    expect_error("attribute_type(a, :a)", NULL, "{\":a\":{\"L\":[]}}",
                 "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                 "operator or function: attribute_type, operand type: L");
    expect_error("attribute_type(a, :a)", NULL, "{\":a\":{\"S\":\"1\"}}",
                 "Invalid ConditionExpression: Invalid attribute type name found; type: 1, valid "
                 "types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
    expect_error("attribute_exists(:a) and a=a", NULL, "{\":a\":{\"S\":\"1\"}}",
                 "Invalid ConditionExpression: Operator or function requires a document path; "
                 "operator or function: attribute_exists");
    expect_error("a = a AND #a = b AND :views > a", "{\"#a\":\"a\"}", NULL,
                 "Invalid ConditionExpression: The first operand must be distinct from the "
                 "remaining operands for this operator or function; operator: =, first "
                 "operand: [a]");
    expect_error("#a <> a", "{\"#a\":\"a\"}", NULL,
                 "Invalid ConditionExpression: The first operand must be distinct from the "
                 "remaining operands for this operator or function; operator: <>, first "
                 "operand: [a]");
    expect_error("((a=a) OR (a=a))", NULL, NULL,
                 "Invalid ConditionExpression: The first operand must be distinct from the "
                 "remaining operands for this operator or function; operator: =, first "
                 "operand: [a]");
    expect_error("contains(ab.bc[1].a, ab.bc[1].#a)", "{\"#a\":\"a\"}", NULL,
                 "Invalid ConditionExpression: The first operand must be distinct from the "
                 "remaining operands for this operator or function; operator: contains, first "
                 "operand: [ab, bc, [1], a]");
    expect_error("a between :b and :a", NULL, "{\":a\":{\"S\":\"a\"},\":b\":{\"N\":\"1\"}}",
                 "Invalid ConditionExpression: The BETWEEN operator requires same data type for "
                 "lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper "
                 "bound operand: AttributeValue: {S:a}");
    expect_error("a between :b and :a", NULL, "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"b\"}}",
                 "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be "
                 "greater than or equal to lower bound; lower bound operand: AttributeValue: "
                 "{S:b}, upper bound operand: AttributeValue: {S:a}");
    expect_error_as("FilterExpression", "size(things)", NULL, NULL,
                    "Invalid FilterExpression: The function is not allowed to be used this way "
                    "in an expression; function: size");
}

/* Developer guide, Expressions.ExpressionAttributeNames/Values: every substitution given
 * must be used; messages as DynamoDB returns them (dynalite test/getItem.js, moto). */
Test(ddb_expr_env, unused_and_invalid_substitutions)
{
    fx f;
    ddb_cond *c = NULL;
    char err[1024];
    fx_init(&f, "{\"#a\":\"a\",\"#b\":\"b\",\"#c\":\"c\"}",
            "{\":x\":{\"S\":\"1\"},\":y\":{\"S\":\"2\"}}");
    cr_assert_eq(ddb_expr_env_validate(&f.env, err, sizeof err), 0);
    cr_assert_eq(ddb_cond_parse("#b = :x", "ConditionExpression", &f.env, &c, err, sizeof err), 0);
    ddb_cond_free(c);
    cr_assert_eq(ddb_expr_env_check_unused(&f.env, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Value provided in ExpressionAttributeNames unused in expressions: "
                          "keys: {#a, #c}");
    cr_assert_eq(
        ddb_cond_parse("#a = :x OR #c = :x", "FilterExpression", &f.env, &c, err, sizeof err), 0);
    ddb_cond_free(c);
    cr_assert_eq(ddb_expr_env_check_unused(&f.env, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "Value provided in ExpressionAttributeValues unused in expressions: "
                          "keys: {:y}");
    cr_assert_eq(ddb_cond_parse("#a = :y", "FilterExpression", &f.env, &c, err, sizeof err), 0);
    ddb_cond_free(c);
    cr_assert_eq(ddb_expr_env_check_unused(&f.env, err, sizeof err), 0);
    fx_release(&f);

    fx_init(&f, "{}", NULL);
    cr_assert_eq(ddb_expr_env_validate(&f.env, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "ExpressionAttributeNames must not be empty");
    fx_release(&f);
    fx_init(&f, "{\"a\":\"a\"}", NULL);
    cr_assert_eq(ddb_expr_env_validate(&f.env, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err,
                     "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
    fx_release(&f);
    fx_init(&f, NULL, "{\"a\":{\"S\":\"b\"}}");
    cr_assert_eq(ddb_expr_env_validate(&f.env, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err,
                     "ExpressionAttributeValues contains invalid key: Syntax error; key: \"a\"");
    fx_release(&f);
    fx_init(&f, NULL, "{\":emptySet\":{\"SS\":[]}}");
    cr_assert_eq(ddb_expr_env_validate(&f.env, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "ExpressionAttributeValues contains invalid value: One or more parameter "
                          "values were invalid: An string set  may not be empty for key :emptySet");
    fx_release(&f);
}

/* ---- KeyConditionExpression: developer guide, Query.KeyConditionExpressions; messages
 * recorded from DynamoDB in dynalite's test/query.js ---- */

static void parse_kc(const char *expr, const char *names, const char *values, fx *f,
                     ddb_keycond *kc)
{
    char err[1024] = "";
    fx_init(f, names, values);
    cr_assert_eq(ddb_keycond_parse(expr, &f->env, kc, err, sizeof err), 0, "%s: %s", expr, err);
}

static void expect_kc_error(const char *expr, const char *values, const char *msg)
{
    fx f;
    ddb_keycond kc;
    char err[1024] = "";
    memset(&kc, 0, sizeof kc);
    fx_init(&f, NULL, values);
    cr_assert_eq(ddb_keycond_parse(expr, &f.env, &kc, err, sizeof err), -SIM_EINVAL, "%s", expr);
    cr_assert_str_eq(err, msg, "%s", expr);
    cr_assert_null(kc.pk_name);
    fx_release(&f);
}

static void expect_str_value(const cJSON *v, const char *want)
{
    char *s = cJSON_PrintUnformatted(v);
    cr_assert_str_eq(s, want);
    cJSON_free(s);
}

static const char *const kc_vals =
    "{\":p\":{\"S\":\"u1\"},\":s\":{\"S\":\"2024\"},\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"9\"}}";

Test(ddb_expr_keycond, shapes)
{
    fx f;
    ddb_keycond kc;
    parse_kc("pk = :p", NULL, "{\":p\":{\"S\":\"u1\"}}", &f, &kc);
    cr_assert_str_eq(kc.pk_name, "pk");
    cr_assert_eq(kc.pk_op, DDB_KEY_EQ);
    expect_str_value(kc.pk_value, "{\"S\":\"u1\"}");
    cr_assert_null(kc.sk_name);
    cr_assert_eq(kc.sk_op, DDB_KEY_NONE);
    ddb_keycond_release(&kc);
    fx_release(&f);

    parse_kc("pk = :p AND sk BETWEEN :a AND :b", NULL,
             "{\":p\":{\"S\":\"u1\"},\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"9\"}}", &f, &kc);
    cr_assert_str_eq(kc.sk_name, "sk");
    cr_assert_eq(kc.sk_op, DDB_KEY_BETWEEN);
    expect_str_value(kc.sk_v1, "{\"N\":\"1\"}");
    expect_str_value(kc.sk_v2, "{\"N\":\"9\"}");
    ddb_keycond_release(&kc);
    fx_release(&f);

    parse_kc("begins_with(sk, :s) and pk = :p", NULL,
             "{\":p\":{\"S\":\"u1\"},\":s\":{\"S\":\"20\"}}", &f, &kc);
    cr_assert_str_eq(kc.pk_name, "pk");
    cr_assert_str_eq(kc.sk_name, "sk");
    cr_assert_eq(kc.sk_op, DDB_KEY_BEGINS_WITH);
    expect_str_value(kc.sk_v1, "{\"S\":\"20\"}");
    ddb_keycond_release(&kc);
    fx_release(&f);

    /* the key attribute on the right flips the operator */
    parse_kc(":a < sk AND pk = :p", NULL, "{\":p\":{\"S\":\"u1\"},\":a\":{\"N\":\"1\"}}", &f, &kc);
    cr_assert_eq(kc.sk_op, DDB_KEY_GT);
    ddb_keycond_release(&kc);
    fx_release(&f);

    parse_kc("#h = :p AND #r >= :a", "{\"#h\":\"user\",\"#r\":\"ts\"}",
             "{\":p\":{\"S\":\"u1\"},\":a\":{\"N\":\"1\"}}", &f, &kc);
    cr_assert_str_eq(kc.pk_name, "user");
    cr_assert_str_eq(kc.sk_name, "ts");
    cr_assert_eq(kc.sk_op, DDB_KEY_GE);
    ddb_keycond_release(&kc);
    fx_release(&f);

    /* two equalities: the caller orients them once it knows the schema */
    parse_kc("a = :a AND b = :b", NULL, "{\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"9\"}}", &f, &kc);
    cr_assert_str_eq(kc.pk_name, "a");
    ddb_keycond_orient(&kc, "b");
    cr_assert_str_eq(kc.pk_name, "b");
    expect_str_value(kc.pk_value, "{\"N\":\"9\"}");
    cr_assert_str_eq(kc.sk_name, "a");
    cr_assert_eq(kc.sk_op, DDB_KEY_EQ);
    expect_str_value(kc.sk_v1, "{\"N\":\"1\"}");
    ddb_keycond_release(&kc);
    fx_release(&f);

    /* no "=": reported through pk_op */
    parse_kc("pk > :a", NULL, "{\":a\":{\"N\":\"1\"}}", &f, &kc);
    cr_assert_str_eq(kc.pk_name, "pk");
    cr_assert_eq(kc.pk_op, DDB_KEY_GT);
    ddb_keycond_release(&kc);
    fx_release(&f);
}

Test(ddb_expr_keycond, errors)
{
    expect_kc_error("", NULL, "Invalid KeyConditionExpression: The expression can not be empty;");
    expect_kc_error("a > 4", NULL,
                    "Invalid KeyConditionExpression: Syntax error; token: \"4\", near: \"> 4\"");
    expect_kc_error("a > b and size(b) > c or a > c", NULL,
                    "Invalid operator used in KeyConditionExpression: OR");
    expect_kc_error("a in (b, size(c), d)", NULL,
                    "Invalid operator used in KeyConditionExpression: IN");
    expect_kc_error("attribute_exists(a)", NULL,
                    "Invalid operator used in KeyConditionExpression: attribute_exists");
    expect_kc_error("contains(a.d, b)", NULL,
                    "Invalid operator used in KeyConditionExpression: contains");
    expect_kc_error("not a > b", NULL, "Invalid operator used in KeyConditionExpression: NOT");
    expect_kc_error("a <> b", NULL, "Invalid operator used in KeyConditionExpression: <>");
    expect_kc_error(":a between size(b) and size(a) and b > :b", kc_vals,
                    "Invalid condition in KeyConditionExpression: BETWEEN operator must have "
                    "the key attribute as its first operand");
    expect_kc_error("begins_with(:s, b) and a > :b", kc_vals,
                    "Invalid condition in KeyConditionExpression: begins_with operator must "
                    "have the key attribute as its first operand");
    expect_kc_error("size(b) > a AND a.b > b AND b > c", NULL,
                    "KeyConditionExpressions cannot contain nested operations");
    expect_kc_error("a > size(b.d)", NULL,
                    "KeyConditionExpressions cannot contain nested operations");
    expect_kc_error("b > a.b", NULL,
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used "
                    "in one condition");
    expect_kc_error("a.d > c", NULL,
                    "KeyConditionExpressions cannot have conditions on nested attributes");
    expect_kc_error("b[0] > a", NULL,
                    "KeyConditionExpressions cannot have conditions on nested attributes");
    expect_kc_error(":b > :a AND a < :b", kc_vals,
                    "Invalid condition in KeyConditionExpression: No key attribute specified");
    expect_kc_error("b > :a AND b < :a and c = :a and d = :a", kc_vals,
                    "KeyConditionExpressions must only contain one condition per key");
    expect_kc_error("a between :b and :s", kc_vals,
                    "Invalid KeyConditionExpression: The BETWEEN operator requires same data "
                    "type for lower and upper bounds; lower bound operand: AttributeValue: "
                    "{N:9}, upper bound operand: AttributeValue: {S:2024}");
    expect_kc_error("a between :b and :a", kc_vals,
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to "
                    "be greater than or equal to lower bound; lower bound operand: "
                    "AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}");
    expect_kc_error("attribute_type(a, :a)", "{\":a\":{\"S\":\"S\"}}",
                    "Invalid operator used in KeyConditionExpression: attribute_type");
}

/* Robustness: random token soup through every parser (fixed seed). Whatever the input, a
 * parser returns 0 or a ValidationException message starting "Invalid ", evaluation and
 * application never fail on a parsed expression except with AWS's messages, and ASan sees
 * no leak or overflow. Deep nesting parses (test_ddb_expr_nesting.c), without a stack overflow. */
Test(ddb_expr_robust, random_token_soup)
{
    static const char *const vocab[] = {
        "a",
        "b",
        "#n",
        ":v",
        ":w",
        "(",
        ")",
        "[",
        "]",
        "0",
        "1",
        ",",
        ".",
        "=",
        "<>",
        "<",
        ">=",
        "+",
        "-",
        "AND",
        "or",
        "NOT",
        "BETWEEN",
        "IN",
        "SET",
        "REMOVE",
        "ADD",
        "DELETE",
        "size",
        "contains",
        "begins_with",
        "attribute_exists",
        "attribute_type",
        "if_not_exists",
        "list_append",
        "name",
        "!",
        "\xc3\xbc",
        " ",
    };
    sim_rng r;
    fx f;
    cJSON *item = cJSON_Parse("{\"a\":{\"N\":\"1\"},\"b\":{\"L\":[{\"S\":\"x\"}]},"
                              "\"c\":{\"SS\":[\"x\"]}}");
    int i;
    sim_rng_seed(&r, 7);
    fx_init(&f, "{\"#n\":\"c\"}", "{\":v\":{\"N\":\"2\"},\":w\":{\"SS\":[\"y\"]}}");
    for (i = 0; i < 4000; i++) {
        char text[512] = "";
        char err[1024];
        int ntok = 1 + (int)sim_rng_below(&r, 12), k, res;
        ddb_cond *c = NULL;
        ddb_update *u = NULL;
        ddb_proj *p = NULL;
        ddb_keycond kc;
        for (k = 0; k < ntok; k++) {
            strcat(text, vocab[sim_rng_below(&r, sizeof vocab / sizeof vocab[0])]);
            strcat(text, " ");
        }
        if (ddb_cond_parse(text, "FilterExpression", &f.env, &c, err, sizeof err) == 0) {
            cr_assert_eq(ddb_cond_eval(c, item, &res, err, sizeof err), 0, "%s", text);
            ddb_cond_free(c);
        } else {
            cr_assert(strncmp(err, "Invalid FilterExpression: ", 26) == 0, "%s -> %s", text, err);
        }
        memset(&kc, 0, sizeof kc);
        if (ddb_keycond_parse(text, &f.env, &kc, err, sizeof err) == 0)
            ddb_keycond_release(&kc);
        if (ddb_update_parse(text, &f.env, &u, err, sizeof err) == 0) {
            cJSON *copy = cJSON_Duplicate(item, 1);
            if (ddb_update_apply(u, copy, err, sizeof err) != 0)
                cr_assert(err[0] != '\0', "%s", text);
            cJSON_Delete(copy);
            ddb_update_free(u);
        } else {
            cr_assert(strncmp(err, "Invalid UpdateExpression: ", 26) == 0, "%s -> %s", text, err);
        }
        if (ddb_proj_parse(text, &f.env, &p, err, sizeof err) == 0) {
            cJSON_Delete(ddb_proj_apply(p, item));
            ddb_proj_free(p);
        } else {
            cr_assert(strncmp(err, "Invalid ProjectionExpression: ", 30) == 0, "%s", err);
        }
    }
    fx_release(&f);
    cJSON_Delete(item);
}

Test(ddb_expr_robust, deep_nesting_is_bounded_by_the_size)
{
    fx f;
    ddb_cond *c = NULL;
    ddb_update *u = NULL;
    char err[1024];
    char *text = malloc(80000);
    int i;
    size_t len = 0;
    cr_assert_not_null(text);
    fx_init(&f, NULL, "{\":v\":{\"N\":\"1\"}}");
    for (i = 0; i < 10000; i++)
        text[len++] = '(';
    memcpy(text + len, "a = :v", 6);
    len += 6;
    for (i = 0; i < 10000; i++)
        text[len++] = ')';
    text[len] = '\0';
    /* over 4 KB: the size is refused before parsing (Constraints, "Expression parameters") */
    cr_assert_eq(ddb_cond_parse(text, "ConditionExpression", &f.env, &c, err, sizeof err),
                 -SIM_EINVAL);
    cr_assert_str_eq(err, "Invalid ConditionExpression: Expression size has exceeded the "
                          "maximum allowed size; expression size: 20006");
    /* within 4 KB, 2,000 levels parse (DynamoDB sets no nesting limit of its own) and are
     * redundant parentheses */
    len = 0;
    for (i = 0; i < 2000; i++)
        text[len++] = '(';
    memcpy(text + len, "a = :v", 6);
    len += 6;
    for (i = 0; i < 2000; i++)
        text[len++] = ')';
    text[len] = '\0';
    cr_assert_eq(ddb_cond_parse(text, "ConditionExpression", &f.env, &c, err, sizeof err),
                 -SIM_EINVAL);
    cr_assert_str_eq(err,
                     "Invalid ConditionExpression: The expression has redundant parentheses;");
    len = 0;
    for (i = 0; i < 5000; i++) {
        memcpy(text + len, "NOT ", 4);
        len += 4;
    }
    memcpy(text + len, "a = :v", 7);
    cr_assert_eq(ddb_cond_parse(text, "ConditionExpression", &f.env, &c, err, sizeof err),
                 -SIM_EINVAL);
    len = 0;
    memcpy(text, "SET a = ", 8);
    len = 8;
    for (i = 0; i < 3000; i++) {
        memcpy(text + len, "if_not_exists(a, ", 17);
        len += 17;
    }
    memcpy(text + len, ":v", 2);
    len += 2;
    for (i = 0; i < 3000; i++)
        text[len++] = ')';
    text[len] = '\0';
    cr_assert_eq(ddb_update_parse(text, &f.env, &u, err, sizeof err), -SIM_EINVAL);
    fx_release(&f);
    free(text);
}
