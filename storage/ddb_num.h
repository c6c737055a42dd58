/* ddb_num.h - DynamoDB numbers: decimals of up to 38 significant digits, never doubles,
 * with magnitude 1E-130 .. 9.9999999999999999999999999999999999999E+125 (AWS "Number"
 * data type, DynamoDB developer guide, HowItWorks.NamingRulesDataTypes), and their
 * order-preserving key encoding. */
#ifndef DDB_NUM_H
#define DDB_NUM_H

#include <stddef.h>

#define DDB_NUM_DIGITS 38
#define DDB_NUM_KEY_MAX 48   /* bytes an encoded number key can take */
#define DDB_NUM_TEXT_MAX 176 /* bytes ddb_num_format can need, NUL included */

/* value = sign * 0.d[0]d[1]...d[ndigits-1] * 10^exp; d[0] != 0, d[ndigits-1] != 0.
 * Zero: sign 0, ndigits 0, exp 0. */
typedef struct ddb_num {
    int sign;                             /* -1, 0, +1 */
    int exp;                              /* decimal exponent */
    int ndigits;                          /* 0..38 significant digits */
    unsigned char d[DDB_NUM_DIGITS];      /* digits 0..9 */
} ddb_num;

enum ddb_num_status {
    DDB_NUM_OK = 0,
    DDB_NUM_SYNTAX = 1,    /* not a number: AWS "ValidationException ... numeric value is not valid" */
    DDB_NUM_PRECISION = 2, /* "Attempting to store more than 38 significant digits in a Number" */
    DDB_NUM_OVERFLOW = 3,  /* "Number overflow. Attempting to store a number with magnitude larger than supported range" */
    DDB_NUM_UNDERFLOW = 4, /* "Number underflow. Attempting to store a number with magnitude smaller than supported range" */
};

/** Parse text ("-12.50", "1e3", "+.5") into *out. Returns a ddb_num_status. */
int ddb_num_parse(const char *text, ddb_num *out);

/** AWS's message for a non-OK status (static string). */
const char *ddb_num_status_message(int status);

/** -1, 0 or 1 as a < b, a == b, a > b by value. */
int ddb_num_cmp(const ddb_num *a, const ddb_num *b);

/** *out = a + b, exactly; DDB_NUM_PRECISION if the result needs > 38 digits. */
int ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out);

/** *out = a - b; as ddb_num_add. */
int ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out);

/** Canonical text as DynamoDB returns it ("1.5", "100", "-0.001", "0"), into buf of at
 * least DDB_NUM_TEXT_MAX bytes. Returns the length. */
size_t ddb_num_format(const ddb_num *n, char *buf);

/** Order-preserving encoding: memcmp order of outputs (shorter first on a common prefix)
 * equals numeric order. buf holds at least DDB_NUM_KEY_MAX bytes. Returns length. */
size_t ddb_num_key_encode(const ddb_num *n, unsigned char *buf);

#endif
