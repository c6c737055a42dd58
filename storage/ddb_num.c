/* ddb_num.c - DynamoDB numbers: exact decimal parse, canonical format, compare, add/sub and
 * the order-preserving key encoding. Never uses floating point. It does not know about
 * attribute values (ddb_attr.c) or expressions.
 * Source: DynamoDB developer guide, HowItWorks.NamingRulesDataTypes ("Number"). */
#include "storage/ddb_num.h"

#include <assert.h>
#include <string.h>

/* Range per AWS: magnitude 1E-130 .. 9.99..E+125; in scientific form d.ddd x 10^e the
 * exponent e is in [-130, 125]. Our exp is e + 1. */
#define NUM_EXP_MAX 126
#define NUM_EXP_MIN (-129)
/* Working width for add/sub: powers of ten from -168 up to 127 (carry). */
#define NUM_POW_LO  (-170)
#define NUM_WIDTH   300

/* Is c a decimal digit? */
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Range and precision check of a normalised value. */
static int num_check(const ddb_num *n)
{
    if (n->sign == 0)
        return DDB_NUM_OK;
    if (n->exp > NUM_EXP_MAX)
        return DDB_NUM_OVERFLOW;
    if (n->exp < NUM_EXP_MIN)
        return DDB_NUM_UNDERFLOW;
    if (n->ndigits > DDB_NUM_DIGITS)
        return DDB_NUM_PRECISION;
    return DDB_NUM_OK;
}

int ddb_num_parse(const char *text, ddb_num *out)
{
    const char *p = text;
    int sign = 1;
    long long intdigits = 0; /* digits before the point */
    long long ndig = 0;      /* all mantissa digits */
    long long first_nz = -1; /* index of the first non-zero digit among them */
    long long last_nz = -1;  /* index of the last one */
    long long e10 = 0;
    int seen_point = 0;
    ddb_num n;

    assert(text != NULL && out != NULL);
    if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    for (; *p != '\0'; p++) {
        if (*p == '.') {
            if (seen_point)
                return DDB_NUM_SYNTAX;
            seen_point = 1;
            continue;
        }
        if (!is_digit(*p))
            break;
        if (*p != '0') {
            if (first_nz < 0)
                first_nz = ndig;
            last_nz = ndig;
        }
        ndig++;
        if (!seen_point)
            intdigits++;
    }
    if (ndig == 0)
        return DDB_NUM_SYNTAX;
    if (*p == 'e' || *p == 'E') {
        int esign = 1;
        p++;
        if (*p == '+' || *p == '-') {
            esign = *p == '-' ? -1 : 1;
            p++;
        }
        if (!is_digit(*p))
            return DDB_NUM_SYNTAX;
        for (; is_digit(*p); p++) {
            if (e10 < 1000000000LL)
                e10 = e10 * 10 + (*p - '0');
        }
        e10 *= esign;
    }
    if (*p != '\0')
        return DDB_NUM_SYNTAX;

    memset(&n, 0, sizeof n);
    if (first_nz < 0) {
        *out = n; /* zero, whatever its sign or exponent */
        return DDB_NUM_OK;
    }
    {
        long long exp = intdigits - first_nz + e10;
        long long nd = last_nz - first_nz + 1;
        if (exp > NUM_EXP_MAX)
            return DDB_NUM_OVERFLOW;
        if (exp < NUM_EXP_MIN)
            return DDB_NUM_UNDERFLOW;
        if (nd > DDB_NUM_DIGITS)
            return DDB_NUM_PRECISION;
        n.sign = sign;
        n.exp = (int)exp;
        n.ndigits = (int)nd;
    }
    /* Second pass: copy the significant digits. */
    {
        long long k = 0;
        int i = 0;
        for (p = text; *p != '\0' && i < n.ndigits; p++) {
            if (!is_digit(*p))
                continue;
            if (k >= first_nz)
                n.d[i++] = (unsigned char)(*p - '0');
            k++;
        }
    }
    *out = n;
    return DDB_NUM_OK;
}

const char *ddb_num_status_message(int status)
{
    switch (status) {
    case DDB_NUM_OK:
        return "";
    case DDB_NUM_SYNTAX:
        return "The parameter cannot be converted to a numeric value";
    case DDB_NUM_PRECISION:
        return "Attempting to store more than 38 significant digits in a Number";
    case DDB_NUM_OVERFLOW:
        return "Number overflow. Attempting to store a number with magnitude larger than "
               "supported range";
    case DDB_NUM_UNDERFLOW:
        return "Number underflow. Attempting to store a number with magnitude smaller than "
               "supported range";
    default:
        return "The parameter cannot be converted to a numeric value";
    }
}

/* Compare magnitudes |a| and |b| of two non-zero numbers. */
static int cmp_abs(const ddb_num *a, const ddb_num *b)
{
    int i;
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    for (i = 0; i < a->ndigits && i < b->ndigits; i++) {
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    }
    if (a->ndigits == b->ndigits)
        return 0;
    return a->ndigits < b->ndigits ? -1 : 1;
}

int ddb_num_cmp(const ddb_num *a, const ddb_num *b)
{
    int c;
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    c = cmp_abs(a, b);
    return a->sign > 0 ? c : -c;
}

/* Spread the digits of n into acc (acc[k] holds the digit of 10^(NUM_POW_LO + k)). */
static void spread(const ddb_num *n, int *acc)
{
    int i;
    for (i = 0; i < n->ndigits; i++) {
        int pw = n->exp - 1 - i;
        int k = pw - NUM_POW_LO;
        assert(k >= 0 && k < NUM_WIDTH);
        acc[k] = n->d[i];
    }
}

/* Build *out from acc (non-negative digits with carries resolved) and sign. Precision is
 * counted as Java's BigDecimal counts an exact sum: from the result's leading digit down to
 * the lowest digit position of the operands (kmin), trailing zeros included; so
 * 99999999999999999999999999999999999999 + 1 needs 39 digits, while 0.1 + 0.2 needs one.
 * The stored result is then normalised (trailing zeros dropped). */
static int gather(const int *acc, int kmin, int sign, ddb_num *out)
{
    int hi = -1, lo = -1, k, i;
    ddb_num n;
    memset(&n, 0, sizeof n);
    for (k = NUM_WIDTH - 1; k >= 0; k--) {
        if (acc[k] != 0) {
            hi = k;
            break;
        }
    }
    if (hi < 0) {
        *out = n;
        return DDB_NUM_OK;
    }
    for (k = 0; k <= hi; k++) {
        if (acc[k] != 0) {
            lo = k;
            break;
        }
    }
    n.sign = sign;
    n.exp = NUM_POW_LO + hi + 1;
    if (n.exp > NUM_EXP_MAX)
        return DDB_NUM_OVERFLOW;
    if (n.exp < NUM_EXP_MIN)
        return DDB_NUM_UNDERFLOW;
    if (hi - (kmin < lo ? kmin : lo) + 1 > DDB_NUM_DIGITS)
        return DDB_NUM_PRECISION;
    n.ndigits = hi - lo + 1;
    for (i = 0; i < n.ndigits; i++)
        n.d[i] = (unsigned char)acc[hi - i];
    *out = n;
    return DDB_NUM_OK;
}

int ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out)
{
    int acc[NUM_WIDTH];
    int bcc[NUM_WIDTH];
    int k, kmin, carry = 0;
    assert(a != NULL && b != NULL && out != NULL);
    if (num_check(a) != DDB_NUM_OK || num_check(b) != DDB_NUM_OK)
        return num_check(a) != DDB_NUM_OK ? num_check(a) : num_check(b);
    if (a->sign == 0) {
        *out = *b;
        return DDB_NUM_OK;
    }
    if (b->sign == 0) {
        *out = *a;
        return DDB_NUM_OK;
    }
    memset(acc, 0, sizeof acc);
    memset(bcc, 0, sizeof bcc);
    kmin = (a->exp - a->ndigits < b->exp - b->ndigits ? a->exp - a->ndigits : b->exp - b->ndigits) -
           NUM_POW_LO;
    if (a->sign == b->sign) {
        spread(a, acc);
        spread(b, bcc);
        for (k = 0; k < NUM_WIDTH; k++) {
            int s = acc[k] + bcc[k] + carry;
            acc[k] = s % 10;
            carry = s / 10;
        }
        assert(carry == 0);
        return gather(acc, kmin, a->sign, out);
    } else {
        /* |big| - |small|, with the sign of the bigger magnitude. */
        int c = cmp_abs(a, b);
        const ddb_num *big = c >= 0 ? a : b;
        const ddb_num *small = c >= 0 ? b : a;
        if (c == 0) {
            memset(out, 0, sizeof *out);
            return DDB_NUM_OK;
        }
        spread(big, acc);
        spread(small, bcc);
        for (k = 0; k < NUM_WIDTH; k++) {
            int s = acc[k] - bcc[k] - carry;
            carry = s < 0;
            acc[k] = s < 0 ? s + 10 : s;
        }
        assert(carry == 0);
        return gather(acc, kmin, big->sign, out);
    }
}

int ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out)
{
    ddb_num nb = *b;
    nb.sign = -nb.sign;
    return ddb_num_add(a, &nb, out);
}

size_t ddb_num_format(const ddb_num *n, char *buf)
{
    size_t len = 0;
    int i;
    if (n->sign == 0) {
        buf[0] = '0';
        buf[1] = '\0';
        return 1;
    }
    if (n->sign < 0)
        buf[len++] = '-';
    if (n->exp <= 0) {
        buf[len++] = '0';
        buf[len++] = '.';
        for (i = 0; i < -n->exp; i++)
            buf[len++] = '0';
        for (i = 0; i < n->ndigits; i++)
            buf[len++] = (char)('0' + n->d[i]);
    } else if (n->exp >= n->ndigits) {
        for (i = 0; i < n->ndigits; i++)
            buf[len++] = (char)('0' + n->d[i]);
        for (i = n->ndigits; i < n->exp; i++)
            buf[len++] = '0';
    } else {
        for (i = 0; i < n->ndigits; i++) {
            if (i == n->exp)
                buf[len++] = '.';
            buf[len++] = (char)('0' + n->d[i]);
        }
    }
    assert(len < DDB_NUM_TEXT_MAX);
    buf[len] = '\0';
    return len;
}

/* Layout: zero is 0x01. Positive: 0x02, exp+129 (0..255), then the digits 0..9.
 * Negative: 0x00, 255-(exp+129), the digits as 9-d, then the terminator 0x0A, which is
 * above every complemented digit so that a shorter magnitude (a larger negative number)
 * sorts after a longer one sharing its prefix (-0.1 > -0.11). */
size_t ddb_num_key_encode(const ddb_num *n, unsigned char *buf)
{
    size_t len = 0;
    int i;
    if (n->sign == 0) {
        buf[0] = 0x01;
        return 1;
    }
    assert(n->exp >= NUM_EXP_MIN && n->exp <= NUM_EXP_MAX);
    if (n->sign > 0) {
        buf[len++] = 0x02;
        buf[len++] = (unsigned char)(n->exp - NUM_EXP_MIN);
        for (i = 0; i < n->ndigits; i++)
            buf[len++] = n->d[i];
    } else {
        buf[len++] = 0x00;
        buf[len++] = (unsigned char)(255 - (n->exp - NUM_EXP_MIN));
        for (i = 0; i < n->ndigits; i++)
            buf[len++] = (unsigned char)(9 - n->d[i]);
        buf[len++] = 0x0A;
    }
    assert(len <= DDB_NUM_KEY_MAX);
    return len;
}
