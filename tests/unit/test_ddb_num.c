/* test_ddb_num.c - DynamoDB numbers: parsing, canonical text, range and precision errors,
 * exact arithmetic and the order-preserving key encoding (storage/ddb_num.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/sim_rng.h"
#include "storage/ddb_num.h"

/* Parse in and format it; returns the status, text in out. */
static int canon(const char *in, char *out)
{
    ddb_num n;
    int st = ddb_num_parse(in, &n);
    out[0] = '\0';
    if (st == DDB_NUM_OK)
        ddb_num_format(&n, out);
    return st;
}

static void expect_canon(const char *in, const char *want)
{
    char buf[DDB_NUM_TEXT_MAX];
    cr_assert_eq(canon(in, buf), DDB_NUM_OK, "parse %s", in);
    cr_assert_str_eq(buf, want, "format of %s", in);
}

static void expect_status(const char *in, int st)
{
    char buf[DDB_NUM_TEXT_MAX];
    cr_assert_eq(canon(in, buf), st, "status of %s", in);
}

/* AWS returns numbers in plain notation with leading/trailing zeros trimmed; "1e2" comes
 * back as "100" (DynamoDB developer guide, HowItWorks.NamingRulesDataTypes, Number). */
Test(ddb_num, canonical_text)
{
    expect_canon("1.50", "1.5");
    expect_canon("1e2", "100");
    expect_canon("1E2", "100");
    expect_canon("-0", "0");
    expect_canon("+0", "0");
    expect_canon("0.000", "0");
    expect_canon("0e99999", "0");
    expect_canon("+.5", "0.5");
    expect_canon(".5", "0.5");
    expect_canon("5.", "5");
    expect_canon("-12.50", "-12.5");
    expect_canon("00123.4500", "123.45");
    expect_canon("1e-5", "0.00001");
    expect_canon("-1.5e-3", "-0.0015");
    expect_canon("12.5e1", "125");
    expect_canon("12.5e+3", "12500");
    expect_canon("1250e-2", "12.5");
    expect_canon("100", "100");
    expect_canon("0.1", "0.1");
    expect_canon("123456789012345678901234567890.12345678",
                 "123456789012345678901234567890.12345678");
}

Test(ddb_num, extremes_of_the_range)
{
    char buf[DDB_NUM_TEXT_MAX];
    char want[DDB_NUM_TEXT_MAX];
    /* 1E+125: a one and 125 zeros */
    cr_assert_eq(canon("1e125", buf), DDB_NUM_OK);
    want[0] = '1';
    memset(want + 1, '0', 125);
    want[126] = '\0';
    cr_assert_str_eq(buf, want);
    /* 1E-130: "0." then 129 zeros then 1 */
    cr_assert_eq(canon("1e-130", buf), DDB_NUM_OK);
    memcpy(want, "0.", 2);
    memset(want + 2, '0', 129);
    want[131] = '1';
    want[132] = '\0';
    cr_assert_str_eq(buf, want);
    /* -9.99..E+125 with 38 digits fits the text buffer */
    cr_assert_eq(canon("-9.9999999999999999999999999999999999999e125", buf), DDB_NUM_OK);
    cr_assert_eq(strlen(buf), 127);
    cr_assert_eq(canon("-1.2345678901234567890123456789012345678e-130", buf), DDB_NUM_OK);
    cr_assert(strlen(buf) < DDB_NUM_TEXT_MAX);
}

/* Errors and their messages: DynamoDB developer guide, HowItWorks.NamingRulesDataTypes
 * (38 digits, 1E-130 .. 9.9999999999999999999999999999999999999E+125); messages as recorded
 * from DynamoDB in dynalite's test/getItem.js. */
Test(ddb_num, range_and_precision_errors)
{
    expect_status("123456789012345678901234567890123456789", DDB_NUM_PRECISION);
    expect_status("-1.23456789012345678901234567890123456789", DDB_NUM_PRECISION);
    expect_status("1e126", DDB_NUM_OVERFLOW);
    expect_status("-1e126", DDB_NUM_OVERFLOW);
    expect_status("1e-131", DDB_NUM_UNDERFLOW);
    expect_status("-1e-131", DDB_NUM_UNDERFLOW);
    expect_status("1e999999999999999999", DDB_NUM_OVERFLOW);
    expect_status("9.9999999999999999999999999999999999999e125", DDB_NUM_OK);
    expect_status("1e-130", DDB_NUM_OK);
    /* trailing zeros are not significant */
    expect_status("12345678901234567890123456789012345678000000", DDB_NUM_OK);
    expect_status("0.000000000012345678901234567890123456789012345678", DDB_NUM_OK);
    cr_assert_str_eq(ddb_num_status_message(DDB_NUM_PRECISION),
                     "Attempting to store more than 38 significant digits in a Number");
    cr_assert_str_eq(ddb_num_status_message(DDB_NUM_OVERFLOW),
                     "Number overflow. Attempting to store a number with magnitude larger than "
                     "supported range");
    cr_assert_str_eq(ddb_num_status_message(DDB_NUM_UNDERFLOW),
                     "Number underflow. Attempting to store a number with magnitude smaller "
                     "than supported range");
    cr_assert_str_eq(ddb_num_status_message(DDB_NUM_SYNTAX),
                     "The parameter cannot be converted to a numeric value");
}

Test(ddb_num, syntax_errors)
{
    static const char *const bad[] = { "",   "abc", "1.2.3",    "1e",  "e5",    "--1",
                                       " 1", "1 ",  "0x10",     ".",   "+",     "1e+",
                                       "-",  "NaN", "Infinity", "1,5", "1e5.5", "1_000" };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_status(bad[i], DDB_NUM_SYNTAX);
}

/* Arithmetic of UpdateExpression SET a = a + :v and ADD is exact (developer guide,
 * Expressions.UpdateExpressions, "Incrementing and decrementing numeric attributes"). */
static int arith(const char *a, const char *b, int sub, char *out)
{
    ddb_num x, y, r;
    int st;
    cr_assert_eq(ddb_num_parse(a, &x), DDB_NUM_OK, "%s", a);
    cr_assert_eq(ddb_num_parse(b, &y), DDB_NUM_OK, "%s", b);
    st = sub ? ddb_num_sub(&x, &y, &r) : ddb_num_add(&x, &y, &r);
    out[0] = '\0';
    if (st == DDB_NUM_OK)
        ddb_num_format(&r, out);
    return st;
}

static void expect_sum(const char *a, const char *b, const char *want)
{
    char buf[DDB_NUM_TEXT_MAX];
    cr_assert_eq(arith(a, b, 0, buf), DDB_NUM_OK, "%s + %s", a, b);
    cr_assert_str_eq(buf, want, "%s + %s", a, b);
}

static void expect_diff(const char *a, const char *b, const char *want)
{
    char buf[DDB_NUM_TEXT_MAX];
    cr_assert_eq(arith(a, b, 1, buf), DDB_NUM_OK, "%s - %s", a, b);
    cr_assert_str_eq(buf, want, "%s - %s", a, b);
}

Test(ddb_num, exact_addition_and_subtraction)
{
    expect_sum("0.1", "0.2", "0.3");
    expect_sum("1", "1", "2");
    expect_sum("-1", "1", "0");
    expect_sum("1.5", "-0.5", "1");
    expect_sum("999", "1", "1000");
    expect_sum("-999", "-1", "-1000");
    expect_sum("0", "-7.25", "-7.25");
    expect_sum("123.456", "0.544", "124");
    expect_sum("1e10", "1e-10", "10000000000.0000000001");
    expect_sum("99999999999999999999999999999999999998", "1",
               "99999999999999999999999999999999999999");
    expect_sum("0.00000000000000000000000000000000000001",
               "0.00000000000000000000000000000000000002",
               "0.00000000000000000000000000000000000003");
    expect_diff("0.3", "0.1", "0.2");
    expect_diff("1", "1", "0");
    expect_diff("1", "0.999", "0.001");
    expect_diff("-5", "5", "-10");
    expect_diff("5", "-5", "10");
    expect_diff("10", "10.5", "-0.5");
    expect_diff("1000000", "0.000001", "999999.999999");
}

/* More than 38 digits in the exact result is an error, as DynamoDB reports it; the sum is
 * counted as Java's BigDecimal does (trailing zeros of the exact sum included). */
Test(ddb_num, arithmetic_limits)
{
    char buf[DDB_NUM_TEXT_MAX];
    cr_assert_eq(arith("99999999999999999999999999999999999999", "1", 0, buf), DDB_NUM_PRECISION);
    cr_assert_eq(arith("1e30", "1e-30", 0, buf), DDB_NUM_PRECISION);
    cr_assert_eq(arith("9.9999999999999999999999999999999999999e125", "1e125", 0, buf),
                 DDB_NUM_OVERFLOW);
    cr_assert_eq(arith("-9e125", "9e125", 1, buf), DDB_NUM_OVERFLOW);
    cr_assert_eq(arith("1e125", "1e125", 0, buf), DDB_NUM_OK);
    cr_assert_eq(strlen(buf), 126);
    cr_assert_eq(buf[0], '2');
    cr_assert_eq(strspn(buf + 1, "0"), 125);
    cr_assert_eq(arith("1e-130", "1e-130", 1, buf), DDB_NUM_OK);
    cr_assert_str_eq(buf, "0");
}

/* Numbers sorted ascending; every pair must compare, and its keys memcmp, in this order
 * (DESIGN.md: keys in an order-preserving byte encoding; numbers by value). */
static const char *const ascending[] = {
    "-9.9999999999999999999999999999999999999e125",
    "-1e125",
    "-9.9e10",
    "-101",
    "-100.5",
    "-100",
    "-11",
    "-10.5",
    "-10.01",
    "-10",
    "-9.99",
    "-1.1",
    "-1.01",
    "-1",
    "-0.11",
    "-0.1",
    "-0.011",
    "-0.01",
    "-1e-130",
    "0",
    "1e-130",
    "0.01",
    "0.011",
    "0.1",
    "0.11",
    "0.111",
    "1",
    "1.01",
    "1.1",
    "9.99",
    "10",
    "10.01",
    "10.5",
    "11",
    "100",
    "100.5",
    "101",
    "9.9e10",
    "1e125",
    "9.9999999999999999999999999999999999999e125",
};

/* memcmp with the shorter-first tie break. */
static int key_cmp(const unsigned char *a, size_t la, const unsigned char *b, size_t lb)
{
    size_t m = la < lb ? la : lb;
    int c = memcmp(a, b, m);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

static int keycmp_text(const char *a, const char *b)
{
    ddb_num x, y;
    unsigned char ka[DDB_NUM_KEY_MAX], kb[DDB_NUM_KEY_MAX];
    size_t la, lb;
    cr_assert_eq(ddb_num_parse(a, &x), DDB_NUM_OK);
    cr_assert_eq(ddb_num_parse(b, &y), DDB_NUM_OK);
    la = ddb_num_key_encode(&x, ka);
    lb = ddb_num_key_encode(&y, kb);
    cr_assert(la <= DDB_NUM_KEY_MAX && lb <= DDB_NUM_KEY_MAX);
    return key_cmp(ka, la, kb, lb);
}

Test(ddb_num, order_of_values_and_keys)
{
    size_t n = sizeof ascending / sizeof ascending[0], i, j;
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            ddb_num a, b;
            int want = i < j ? -1 : i > j;
            cr_assert_eq(ddb_num_parse(ascending[i], &a), DDB_NUM_OK);
            cr_assert_eq(ddb_num_parse(ascending[j], &b), DDB_NUM_OK);
            cr_assert_eq(ddb_num_cmp(&a, &b), want, "cmp %s %s", ascending[i], ascending[j]);
            cr_assert_eq(keycmp_text(ascending[i], ascending[j]), want, "key %s %s", ascending[i],
                         ascending[j]);
        }
    }
}

Test(ddb_num, equal_values_have_equal_keys)
{
    cr_assert_eq(keycmp_text("1.0", "1"), 0);
    cr_assert_eq(keycmp_text("-0", "0"), 0);
    cr_assert_eq(keycmp_text("100", "1e2"), 0);
    cr_assert_eq(keycmp_text("-0.50", "-.5"), 0);
    cr_assert_eq(keycmp_text("0.1", "0.11"), -1);
    cr_assert_eq(keycmp_text("-0.1", "-0.11"), 1);
    cr_assert_eq(keycmp_text("-0.1", "-0.101"), 1);
    cr_assert_eq(keycmp_text("0.1", "0.101"), -1);
}

/* Many random pairs (fixed seed): key order equals numeric order, and a - b has the sign of
 * cmp(a, b). */
Test(ddb_num, random_pairs_keep_order)
{
    sim_rng r;
    int i;
    sim_rng_seed(&r, 42);
    for (i = 0; i < 20000; i++) {
        char a[64], b[64];
        ddb_num x, y, d;
        unsigned char ka[DDB_NUM_KEY_MAX], kb[DDB_NUM_KEY_MAX];
        size_t la, lb;
        int c, kc;
        snprintf(a, sizeof a, "%s%llu.%llue%d", sim_rng_below(&r, 2) ? "-" : "",
                 (unsigned long long)sim_rng_below(&r, 1000),
                 (unsigned long long)sim_rng_below(&r, 1000), (int)sim_rng_below(&r, 7) - 3);
        snprintf(b, sizeof b, "%s%llu.%llue%d", sim_rng_below(&r, 2) ? "-" : "",
                 (unsigned long long)sim_rng_below(&r, 1000),
                 (unsigned long long)sim_rng_below(&r, 1000), (int)sim_rng_below(&r, 7) - 3);
        cr_assert_eq(ddb_num_parse(a, &x), DDB_NUM_OK, "%s", a);
        cr_assert_eq(ddb_num_parse(b, &y), DDB_NUM_OK, "%s", b);
        c = ddb_num_cmp(&x, &y);
        la = ddb_num_key_encode(&x, ka);
        lb = ddb_num_key_encode(&y, kb);
        kc = key_cmp(ka, la, kb, lb);
        cr_assert_eq(kc, c, "%s vs %s", a, b);
        cr_assert_eq(ddb_num_sub(&x, &y, &d), DDB_NUM_OK);
        cr_assert_eq(d.sign, c, "%s - %s", a, b);
    }
}
