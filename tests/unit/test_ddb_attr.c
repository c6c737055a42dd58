/* test_ddb_attr.c - attribute values: type, validation messages, equality, ordering, item
 * size, key encoding and normalisation (storage/ddb_attr.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

/* Parse JSON text (test fixture); never NULL. */
static cJSON *J(const char *text)
{
    cJSON *v = cJSON_Parse(text);
    cr_assert_not_null(v, "bad fixture %s", text);
    return v;
}

/* Compact JSON of v, compared with want; frees v. */
static void expect_json(cJSON *v, const char *want)
{
    char *s;
    cr_assert_not_null(v);
    s = cJSON_PrintUnformatted(v);
    cr_assert_str_eq(s, want);
    cJSON_free(s);
    cJSON_Delete(v);
}

static void expect_valid(const char *av)
{
    char err[512] = "";
    cJSON *v = J(av);
    cr_assert_eq(ddb_attr_validate(v, err, sizeof err), 0, "%s: %s", av, err);
    cJSON_Delete(v);
}

static void expect_invalid(const char *av, const char *msg)
{
    char err[512] = "";
    cJSON *v = J(av);
    cr_assert_eq(ddb_attr_validate(v, err, sizeof err), -SIM_EINVAL, "%s", av);
    cr_assert_str_eq(err, msg, "%s", av);
    cJSON_Delete(v);
}

/* API reference, AttributeValue: exactly one of S N B SS NS BS M L NULL BOOL. */
Test(ddb_attr, type_of_values)
{
    static const struct {
        const char *av;
        int t;
    } cases[] = {
        { "{\"S\":\"x\"}", DDB_T_S },
        { "{\"N\":\"1\"}", DDB_T_N },
        { "{\"B\":\"YQ==\"}", DDB_T_B },
        { "{\"BOOL\":false}", DDB_T_BOOL },
        { "{\"NULL\":true}", DDB_T_NULL },
        { "{\"M\":{}}", DDB_T_M },
        { "{\"L\":[]}", DDB_T_L },
        { "{\"SS\":[\"a\"]}", DDB_T_SS },
        { "{\"NS\":[\"1\"]}", DDB_T_NS },
        { "{\"BS\":[\"YQ==\"]}", DDB_T_BS },
        { "{}", DDB_T_INVALID },
        { "{\"S\":\"a\",\"N\":\"1\"}", DDB_T_INVALID },
        { "{\"X\":\"a\"}", DDB_T_INVALID },
        { "{\"S\":1}", DDB_T_INVALID },
        { "{\"SS\":[1]}", DDB_T_INVALID },
        { "\"S\"", DDB_T_INVALID },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *v = J(cases[i].av);
        cr_assert_eq(ddb_attr_type(v), cases[i].t, "%s", cases[i].av);
        cJSON_Delete(v);
    }
    cr_assert_str_eq(ddb_type_name(DDB_T_NS), "NS");
    cr_assert_str_eq(ddb_type_name(DDB_T_BOOL), "BOOL");
    cr_assert_str_eq(ddb_type_name(DDB_T_INVALID), "");
}

/* Messages DynamoDB returns for malformed values, as recorded in dynalite's
 * test/getItem.js and test/scan.js ("should return ValidationException for invalid values
 * in Key"); empty S/B and empty strings in sets are allowed since May 2020 (What's New,
 * "DynamoDB now supports empty values for non-key String and Binary attributes"). */
Test(ddb_attr, validation_messages)
{
    expect_invalid("{}", "Supplied AttributeValue is empty, must contain exactly one of the "
                         "supported datatypes");
    expect_invalid("{\"S\":\"a\",\"BOOL\":true}",
                   "Supplied AttributeValue has more than one datatypes set, must contain "
                   "exactly one of the supported datatypes");
    expect_invalid("{\"S\":\"a\",\"N\":\"b\"}",
                   "The parameter cannot be converted to a numeric value: b");
    expect_invalid("{\"N\":\"\"}", "The parameter cannot be converted to a numeric value");
    expect_invalid("{\"N\":\"123456789012345678901234567890123456789\"}",
                   "Attempting to store more than 38 significant digits in a Number");
    expect_invalid("{\"N\":\"1e126\"}", "Number overflow. Attempting to store a number with "
                                        "magnitude larger than supported range");
    expect_invalid("{\"N\":\"-1e-131\"}", "Number underflow. Attempting to store a number with "
                                          "magnitude smaller than supported range");
    expect_invalid("{\"NULL\":false}", "One or more parameter values were invalid: Null "
                                       "attribute value types must have the value of true");
    expect_invalid("{\"SS\":[]}",
                   "One or more parameter values were invalid: An string set  may not be empty");
    expect_invalid("{\"NS\":[]}",
                   "One or more parameter values were invalid: An number set  may not be empty");
    expect_invalid("{\"BS\":[]}",
                   "One or more parameter values were invalid: Binary sets should not be empty");
    expect_invalid("{\"SS\":[\"a\",\"a\"]}",
                   "One or more parameter values were invalid: Input collection [a, a] "
                   "contains duplicates.");
    expect_invalid("{\"BS\":[\"Yg==\",\"Yg==\"]}",
                   "One or more parameter values were invalid: Input collection [Yg==, Yg==]of "
                   "type BS contains duplicates.");
    expect_invalid("{\"NS\":[\"1\",\"1\"]}", "Input collection contains duplicates");
    expect_invalid("{\"NS\":[\"1\",\"1.00\"]}", "Input collection contains duplicates");
    expect_invalid("{\"NS\":[\"1\",\"\"]}", "The parameter cannot be converted to a numeric value");
    expect_invalid("{\"NS\":[\"1\",\"b\"]}",
                   "The parameter cannot be converted to a numeric value: b");
    expect_invalid("{\"M\":{\"a\":{\"SS\":[]}}}",
                   "One or more parameter values were invalid: An string set  may not be empty");
    expect_invalid("{\"L\":[{}]}", "Supplied AttributeValue is empty, must contain exactly one "
                                   "of the supported datatypes");
    expect_invalid("{\"L\":[{\"M\":{\"x\":{\"NULL\":false}}}]}",
                   "One or more parameter values were invalid: Null attribute value types must "
                   "have the value of true");
}

Test(ddb_attr, valid_values)
{
    expect_valid("{\"S\":\"\"}");
    expect_valid("{\"B\":\"\"}");
    expect_valid("{\"SS\":[\"\",\"a\"]}");
    expect_valid("{\"NS\":[\"1\",\"2\",\"1.5\"]}");
    expect_valid("{\"BS\":[\"YQ==\",\"Yg==\"]}");
    expect_valid("{\"M\":{\"a\":{\"L\":[{\"N\":\"1\"},{\"BOOL\":true},{\"NULL\":true}]}}}");
    expect_valid("{\"N\":\"-0.000\"}");
}

Test(ddb_attr, binary_must_be_base64)
{
    char err[512];
    cJSON *v = J("{\"B\":\"not base64!\"}");
    cr_assert_eq(ddb_attr_validate(v, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "'not base64!' can not be converted to a Blob: Invalid Base64 encoding");
    cJSON_Delete(v);
}

Test(ddb_attr, item_validation_checks_every_attribute)
{
    char err[512];
    cJSON *item = J("{\"pk\":{\"S\":\"a\"},\"tags\":{\"SS\":[\"x\",\"x\"]}}");
    cr_assert_eq(ddb_item_validate(item, err, sizeof err), -SIM_EINVAL);
    cr_assert_str_eq(err, "One or more parameter values were invalid: Input collection [x, x] "
                          "contains duplicates.");
    cJSON_Delete(item);
    item = J("{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}}");
    cr_assert_eq(ddb_item_validate(item, err, sizeof err), 0);
    cJSON_Delete(item);
}

static int eq(const char *a, const char *b)
{
    cJSON *x = J(a), *y = J(b);
    int r = ddb_attr_equal(x, y);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return r;
}

/* Developer guide, Expressions.OperatorsAndFunctions: "=" compares values; numbers by
 * value, sets regardless of order. */
Test(ddb_attr, equality)
{
    cr_assert(eq("{\"N\":\"1\"}", "{\"N\":\"1.0\"}"));
    cr_assert(eq("{\"N\":\"100\"}", "{\"N\":\"1e2\"}"));
    cr_assert(!eq("{\"N\":\"1\"}", "{\"S\":\"1\"}"));
    cr_assert(eq("{\"S\":\"a\"}", "{\"S\":\"a\"}"));
    cr_assert(!eq("{\"S\":\"a\"}", "{\"S\":\"A\"}"));
    cr_assert(eq("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"b\",\"a\"]}"));
    cr_assert(!eq("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\"]}"));
    cr_assert(eq("{\"NS\":[\"1\",\"2\"]}", "{\"NS\":[\"2.0\",\"1\"]}"));
    cr_assert(eq("{\"BS\":[\"YQ==\",\"Yg==\"]}", "{\"BS\":[\"Yg==\",\"YQ==\"]}"));
    cr_assert(
        eq("{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}", "{\"L\":[{\"N\":\"1.0\"},{\"S\":\"x\"}]}"));
    cr_assert(
        !eq("{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}", "{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"}]}"));
    cr_assert(eq("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"BOOL\":true}}}",
                 "{\"M\":{\"b\":{\"BOOL\":true},\"a\":{\"N\":\"01\"}}}"));
    cr_assert(!eq("{\"M\":{\"a\":{\"N\":\"1\"}}}",
                  "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"NULL\":true}}}"));
    cr_assert(eq("{\"NULL\":true}", "{\"NULL\":true}"));
    cr_assert(!eq("{\"BOOL\":true}", "{\"BOOL\":false}"));
    cr_assert(eq("{\"B\":\"AAEC\"}", "{\"B\":\"AAEC\"}"));
}

static int cmp(const char *a, const char *b, int *out)
{
    cJSON *x = J(a), *y = J(b);
    int rc = ddb_attr_compare(x, y, out);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return rc;
}

/* Developer guide, Expressions.OperatorsAndFunctions (comparators) and
 * HowItWorks.NamingRulesDataTypes: strings compare by UTF-8 bytes, binaries as unsigned
 * bytes, numbers by value; other pairs are not comparable. */
Test(ddb_attr, ordering)
{
    int c = 9;
    cr_assert_eq(cmp("{\"S\":\"a\"}", "{\"S\":\"b\"}", &c), 0);
    cr_assert_eq(c, -1);
    cr_assert_eq(cmp("{\"S\":\"B\"}", "{\"S\":\"a\"}", &c), 0);
    cr_assert_eq(c, -1);
    cr_assert_eq(cmp("{\"S\":\"\xc3\xa9\"}", "{\"S\":\"z\"}", &c), 0); /* é after z by bytes */
    cr_assert_eq(c, 1);
    cr_assert_eq(cmp("{\"S\":\"ab\"}", "{\"S\":\"a\"}", &c), 0);
    cr_assert_eq(c, 1);
    cr_assert_eq(cmp("{\"N\":\"10\"}", "{\"N\":\"9\"}", &c), 0);
    cr_assert_eq(c, 1);
    cr_assert_eq(cmp("{\"N\":\"-10\"}", "{\"N\":\"-9\"}", &c), 0);
    cr_assert_eq(c, -1);
    cr_assert_eq(cmp("{\"N\":\"1.0\"}", "{\"N\":\"1\"}", &c), 0);
    cr_assert_eq(c, 0);
    cr_assert_eq(cmp("{\"B\":\"AA==\"}", "{\"B\":\"AQ==\"}", &c), 0);
    cr_assert_eq(c, -1);
    cr_assert_eq(cmp("{\"B\":\"/w==\"}", "{\"B\":\"AAA=\"}", &c), 0); /* 0xff > 0x00 0x00 */
    cr_assert_eq(c, 1);
    cr_assert_eq(cmp("{\"B\":\"AA==\"}", "{\"B\":\"AAA=\"}", &c), 0); /* prefix first */
    cr_assert_eq(c, -1);
    cr_assert_eq(cmp("{\"S\":\"1\"}", "{\"N\":\"1\"}", &c), -SIM_EINVAL);
    cr_assert_eq(cmp("{\"BOOL\":true}", "{\"BOOL\":true}", &c), -SIM_EINVAL);
    cr_assert_eq(cmp("{\"SS\":[\"a\"]}", "{\"SS\":[\"a\"]}", &c), -SIM_EINVAL);
}

static size_t item_size(const char *item)
{
    cJSON *v = J(item);
    size_t n = ddb_item_size(v);
    cJSON_Delete(v);
    return n;
}

/* Developer guide, CapacityUnitCalculations ("DynamoDB item sizes and formats"): name bytes
 * plus value: S UTF-8 bytes, N about one byte per two significant digits plus one, B raw
 * bytes, BOOL/NULL 1, L/M 3 plus one byte per element plus the elements. */
Test(ddb_attr, item_sizes)
{
    cr_assert_eq(item_size("{}"), 0);
    cr_assert_eq(item_size("{\"a\":{\"S\":\"abc\"}}"), 4);
    cr_assert_eq(item_size("{\"\xc3\xa9\":{\"S\":\"\xc3\xa9t\xc3\xa9\"}}"), 2 + 5);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"0\"}}"), 1 + 1);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"1\"}}"), 1 + 2);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"12\"}}"), 1 + 2);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"123\"}}"), 1 + 3);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"1.2\"}}"), 1 + 3);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"-1\"}}"), 1 + 3);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"1000\"}}"), 1 + 2);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"1e125\"}}"), 1 + 2);
    cr_assert_eq(item_size("{\"n\":{\"N\":\"12345678901234567890123456789012345678\"}}"), 1 + 20);
    cr_assert_eq(item_size("{\"b\":{\"B\":\"AAEC\"}}"), 1 + 3);
    cr_assert_eq(item_size("{\"b\":{\"B\":\"AA==\"}}"), 1 + 1);
    cr_assert_eq(item_size("{\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true}}"), 2 + 2);
    cr_assert_eq(item_size("{\"l\":{\"L\":[]}}"), 1 + 3);
    cr_assert_eq(item_size("{\"l\":{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}}"), 1 + 3 + 2 + 3);
    cr_assert_eq(item_size("{\"m\":{\"M\":{\"x\":{\"S\":\"ab\"}}}}"), 1 + 3 + 1 + 1 + 2);
    cr_assert_eq(item_size("{\"s\":{\"SS\":[\"a\",\"bc\"]}}"), 1 + 3);
    cr_assert_eq(item_size("{\"s\":{\"NS\":[\"1\",\"-1\"]}}"), 1 + 2 + 3);
    cr_assert_eq(item_size("{\"s\":{\"BS\":[\"AA==\",\"AAE=\"]}}"), 1 + 3);
}

static void expect_key(const char *av, const unsigned char *want, size_t want_len)
{
    unsigned char *k = NULL;
    size_t len = 0;
    cJSON *v = J(av);
    cr_assert_eq(ddb_key_encode(v, &k, &len), 0, "%s", av);
    cr_assert_eq(len, want_len, "%s", av);
    cr_assert(want_len == 0 || memcmp(k, want, len) == 0, "%s", av);
    free(k);
    cJSON_Delete(v);
}

/* DESIGN.md: keys in an order-preserving byte encoding so that sqlite's ordering is
 * DynamoDB's (strings and binaries by bytes, numbers by value). */
Test(ddb_attr, key_encoding)
{
    unsigned char *k = NULL;
    size_t len = 0;
    cJSON *v;
    expect_key("{\"S\":\"ab\"}", (const unsigned char *)"ab", 2);
    expect_key("{\"B\":\"AAEC\"}", (const unsigned char[]){ 0, 1, 2 }, 3);
    expect_key("{\"N\":\"0\"}", (const unsigned char[]){ 0x01 }, 1);
    expect_key("{\"N\":\"1.5\"}", (const unsigned char[]){ 0x02, 130, 1, 5 }, 4);
    expect_key("{\"N\":\"-1.5\"}", (const unsigned char[]){ 0x00, 125, 8, 4, 0x0A }, 5);
    v = J("{\"BOOL\":true}");
    cr_assert_eq(ddb_key_encode(v, &k, &len), -SIM_EINVAL);
    cJSON_Delete(v);
    v = J("{\"N\":\"x\"}");
    cr_assert_eq(ddb_key_encode(v, &k, &len), -SIM_EINVAL);
    cJSON_Delete(v);
}

Test(ddb_attr, normalize_numbers_deeply)
{
    cJSON *v = J("{\"N\":\"01.50\"}");
    expect_json(ddb_attr_normalize(v), "{\"N\":\"1.5\"}");
    cJSON_Delete(v);
    v = J("{\"NS\":[\"1e2\",\"-0.50\"]}");
    expect_json(ddb_attr_normalize(v), "{\"NS\":[\"100\",\"-0.5\"]}");
    cJSON_Delete(v);
    v = J("{\"M\":{\"a\":{\"L\":[{\"N\":\"5.000\"},{\"S\":\"5.000\"}]}}}");
    expect_json(ddb_attr_normalize(v), "{\"M\":{\"a\":{\"L\":[{\"N\":\"5\"},{\"S\":\"5.000\"}]}}}");
    cJSON_Delete(v);
    v = J("{\"k\":{\"N\":\"-0\"},\"s\":{\"S\":\"x\"}}");
    expect_json(ddb_item_normalize(v), "{\"k\":{\"N\":\"0\"},\"s\":{\"S\":\"x\"}}");
    cJSON_Delete(v);
}

Test(ddb_attr, base64_and_utf16)
{
    unsigned char *b = NULL;
    size_t n = 0;
    cr_assert_eq(ddb_b64_decode("", &b, &n), 0);
    cr_assert_eq(n, 0);
    free(b);
    cr_assert_eq(ddb_b64_decode("YWJj", &b, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert(memcmp(b, "abc", 3) == 0);
    free(b);
    cr_assert_eq(ddb_b64_decode("YQ==", &b, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(b[0], 'a');
    free(b);
    cr_assert_eq(ddb_b64_decode("YQ=", &b, &n), -SIM_EINVAL);
    cr_assert_eq(ddb_b64_decode("YR==", &b, &n), -SIM_EINVAL); /* non-zero padding bits */
    cr_assert_eq(ddb_b64_decode("Y===", &b, &n), -SIM_EINVAL);
    cr_assert_eq(ddb_b64_decode("@@@@", &b, &n), -SIM_EINVAL);
    /* size() counts UTF-16 code units: "é𝄞" is 3 (verified against DynamoDB, ExtendDB #67) */
    cr_assert_eq(ddb_utf16_len("\xc3\xa9\xf0\x9d\x84\x9e"), 3);
    cr_assert_eq(ddb_utf16_len("abc"), 3);
}
